//! Application code that starts other programs.
//!
//! The slim variants drop programs the full images have (`git`, `curl`,
//! `gcc`, `ssh`, ...), and an application can run them itself:
//! `subprocess.run(["git", "--version"])` prints `git version 2.39.5` on
//! `python:3.12-bookworm` and raises `FileNotFoundError` on
//! `python:3.12-slim-bookworm`. The build passes either way, so only reading
//! the code can tell. dockfix looks for each language's process-spawning
//! APIs in the source files the shipping image gets from the build context,
//! as text: no parsing, so an API name in a string counts too (it errs
//! towards unsafe). It does not try to prove which program is started: the
//! map lists what the slim variant lacks, not everything it has, and a
//! program name is often computed (a variable, a setting, an environment
//! variable).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use crate::engine::BuildContext;
use crate::paths::last_component;

/// What one file of the build context does, read once while the context
/// is kept ([`BuildContext::derived`]): the engine asks on every pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scan {
    /// Uses this process-spawning API.
    Starts(&'static str),
    /// Uses none.
    Quiet,
    /// Could not be read: why.
    Unreadable(&'static str),
}

/// [`Scan`]s by context path.
#[derive(Debug, Default)]
pub(super) struct Scans(Mutex<HashMap<String, Scan>>);

impl Scans {
    /// The scan of `file` (a context path), whose language by name is
    /// `by_name` (`None`: found from its `#!` line, if any).
    pub(super) fn of(&self, context: &BuildContext, file: &str, by_name: Option<Language>) -> Scan {
        let known = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(file)
            .copied();
        if let Some(scan) = known {
            return scan;
        }
        let scan = scan(context, file, by_name);
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(file.to_string(), scan);
        scan
    }
}

fn scan(context: &BuildContext, file: &str, by_name: Option<Language>) -> Scan {
    let too_large = std::fs::metadata(context.root().join(file))
        .map_or(true, |metadata| metadata.len() > MAX_SCANNED_BYTES);
    if too_large {
        return Scan::Unreadable("larger than 1 MiB");
    }
    let Some(text) = context.read(file) else {
        return Scan::Unreadable("not UTF-8 text");
    };
    by_name
        .or_else(|| language_by_shebang(&text))
        .and_then(|language| spawning_api(language, &text))
        .map_or(Scan::Quiet, Scan::Starts)
}

/// Source files bigger than this are not scanned (minified bundles,
/// generated code): such a file makes the swap unsafe rather than slow.
pub(super) const MAX_SCANNED_BYTES: u64 = 1024 * 1024;

/// More source files than this are not scanned: the swap is unsafe then.
pub(super) const MAX_SCANNED_FILES: usize = 5_000;

/// Folders of dependencies and tooling, not the application's own code:
/// dependencies are found by name where the application imports them
/// (`simple-git`, `execa`, `plumbum`).
const SKIPPED_DIRECTORIES: &[&str] = &[
    "node_modules",
    "bower_components",
    ".git",
    "vendor",
    ".venv",
    "venv",
    "site-packages",
    "__pycache__",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Language {
    Python,
    JavaScript,
    Ruby,
    Go,
    Jvm,
    Php,
    DotNet,
}

/// True when `relative` lies in a folder of dependencies or tooling.
pub(super) fn is_skipped(relative: &str) -> bool {
    relative
        .split('/')
        .any(|part| SKIPPED_DIRECTORIES.contains(&part))
}

/// The language of a file, by its extension.
pub(super) fn language_by_name(path: &str) -> Option<Language> {
    let name = last_component(path);
    let (_, extension) = name.rsplit_once('.')?;
    Some(match extension.to_ascii_lowercase().as_str() {
        "py" | "pyw" => Language::Python,
        "js" | "mjs" | "cjs" | "jsx" | "ts" | "mts" | "cts" | "tsx" => Language::JavaScript,
        "rb" | "rake" | "ru" => Language::Ruby,
        "go" => Language::Go,
        "java" | "kt" | "kts" | "scala" | "groovy" => Language::Jvm,
        "php" | "phtml" => Language::Php,
        "cs" | "fs" | "vb" => Language::DotNet,
        _ => return None,
    })
}

/// True when the name has no extension (`bin/server`, or a folder), so
/// it may be a script whose `#!` line names its language.
pub(super) fn has_no_extension(path: &str) -> bool {
    !last_component(path).contains('.')
}

/// The language a `#!` line names (`#!/usr/bin/env python3`).
pub(super) fn language_by_shebang(text: &str) -> Option<Language> {
    let line = text.strip_prefix("#!")?.lines().next()?;
    let words: Vec<&str> = line.split_whitespace().map(last_component).collect();
    words.iter().find_map(|word| {
        Some(match *word {
            word if word.starts_with("python") => Language::Python,
            "node" | "nodejs" | "deno" | "bun" | "ts-node" | "tsx" => Language::JavaScript,
            word if word.starts_with("ruby") => Language::Ruby,
            word if word.starts_with("php") => Language::Php,
            _ => return None,
        })
    })
}

/// How an API shows in the text.
enum Needle {
    /// Anywhere in a line: `subprocess`, `child_process`, `os/exec`.
    Text(&'static str),
    /// A quoted module name (`'execa'`, `"zx/globals"`).
    Module(&'static str),
    /// A function called without a receiver (`system "git pull"`,
    /// `exec('ls')`; not `$pdo->exec(...)` or `conn.exec(...)`).
    Call(&'static str),
}

const PYTHON: &[Needle] = &[
    Needle::Text("subprocess"),
    Needle::Text("os.system"),
    Needle::Text("os.popen"),
    Needle::Text("os.exec"),
    Needle::Text("os.spawn"),
    Needle::Text("os.posix_spawn"),
    Needle::Text("pty.spawn"),
    Needle::Text("pexpect"),
    Needle::Text("plumbum"),
];

const JAVASCRIPT: &[Needle] = &[
    Needle::Text("child_process"),
    Needle::Text("Bun.spawn"),
    Needle::Text("Bun.$"),
    Needle::Text("Deno.Command"),
    Needle::Text("Deno.run"),
    Needle::Module("execa"),
    Needle::Module("simple-git"),
    Needle::Module("shelljs"),
    Needle::Module("zx"),
    Needle::Module("cross-spawn"),
    Needle::Module("node-pty"),
];

const RUBY: &[Needle] = &[
    Needle::Text("`"),
    Needle::Text("%x("),
    Needle::Text("%x{"),
    Needle::Text("%x["),
    Needle::Text("Open3"),
    Needle::Text("popen"),
    Needle::Text("Process.spawn"),
    Needle::Text("PTY.spawn"),
    Needle::Text("Kernel.system"),
    Needle::Text("Kernel.exec"),
    Needle::Text("Kernel.spawn"),
    Needle::Call("system"),
    Needle::Call("exec"),
    Needle::Call("spawn"),
];

const GO: &[Needle] = &[
    Needle::Text("os/exec"),
    Needle::Text("syscall.Exec"),
    Needle::Text("syscall.ForkExec"),
    Needle::Text("os.StartProcess"),
    Needle::Text("unix.Exec"),
];

const JVM: &[Needle] = &[
    Needle::Text("ProcessBuilder"),
    Needle::Text("getRuntime().exec"),
    Needle::Text("Runtime.exec"),
    Needle::Text("org.apache.commons.exec"),
    Needle::Text("org.zeroturnaround.exec"),
];

const PHP: &[Needle] = &[
    Needle::Text("`"),
    Needle::Text("Symfony\\Component\\Process"),
    Needle::Call("shell_exec"),
    Needle::Call("exec"),
    Needle::Call("system"),
    Needle::Call("passthru"),
    Needle::Call("proc_open"),
    Needle::Call("popen"),
    Needle::Call("pcntl_exec"),
];

const DOTNET: &[Needle] = &[
    Needle::Text("Process.Start"),
    Needle::Text("ProcessStartInfo"),
    Needle::Text("CliWrap"),
];

/// The first process-spawning API `text` uses, as written in the code.
/// Comment lines are skipped (a line starting with `#` in Python, Ruby and
/// PHP, `//`, `/*` or `*` in the C-like languages).
pub(super) fn spawning_api(language: Language, text: &str) -> Option<&'static str> {
    let (needles, hash_comments, slash_comments) = match language {
        Language::Python => (PYTHON, true, false),
        Language::JavaScript => (JAVASCRIPT, false, true),
        Language::Ruby => (RUBY, true, false),
        Language::Go => (GO, false, true),
        Language::Jvm => (JVM, false, true),
        Language::Php => (PHP, true, true),
        Language::DotNet => (DOTNET, false, true),
    };
    for line in text.lines() {
        let code = line.trim_start();
        if (hash_comments && code.starts_with('#'))
            || (slash_comments && (code.starts_with("//") || code.starts_with('*')))
            || code.starts_with("/*")
        {
            continue;
        }
        if language == Language::Python && imports_sh(code) {
            return Some("sh");
        }
        if let Some(found) = needles.iter().find_map(|needle| found_in(needle, code)) {
            return Some(found);
        }
    }
    None
}

/// `import sh` or `from sh import git`: the `sh` library runs programs as
/// Python functions.
fn imports_sh(code: &str) -> bool {
    if code.starts_with("from sh import") {
        return true;
    }
    code.strip_prefix("import ").is_some_and(|names| {
        names
            .split(',')
            .any(|name| name.split_whitespace().next() == Some("sh"))
    })
}

fn found_in(needle: &Needle, line: &str) -> Option<&'static str> {
    match *needle {
        Needle::Text(text) => line.contains(text).then_some(text),
        Needle::Module(name) => ["'", "\"", "`"]
            .iter()
            .any(|quote| {
                line.match_indices(&format!("{quote}{name}"))
                    .any(|(at, found)| {
                        let rest = &line[at + found.len()..];
                        rest.starts_with(quote) || rest.starts_with('/')
                    })
            })
            .then_some(name),
        Needle::Call(name) => line
            .match_indices(name)
            .any(|(at, _)| {
                let before = &line[..at];
                let after = line[at + name.len()..].trim_start();
                let word_before = before.chars().next_back().is_some_and(|c| {
                    c.is_alphanumeric() || matches!(c, '_' | '.' | ':' | '$' | '>')
                });
                let called = after.starts_with(['(', '"', '\'', '`'])
                    || (after.len() < line.len() - at - name.len()
                        && after.starts_with(|c: char| c.is_alphanumeric() || c == '$'));
                !word_before && called
            })
            .then_some(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_apis() {
        let spawns = |text| spawning_api(Language::Python, text);
        assert_eq!(
            spawns("import subprocess\nsubprocess.run(['git'])"),
            Some("subprocess")
        );
        assert_eq!(
            spawns("import os\nos.system('git pull')"),
            Some("os.system")
        );
        assert_eq!(spawns("import sh\nsh.git('pull')"), Some("sh"));
        assert_eq!(spawns("from sh import git"), Some("sh"));
        assert_eq!(spawns("from plumbum import local"), Some("plumbum"));
        assert_eq!(spawns("import shutil, os.path\nprint('hi')"), None);
        assert_eq!(spawns("# we do not use subprocess here\nprint(1)"), None);
    }

    #[test]
    fn javascript_apis() {
        let spawns = |text| spawning_api(Language::JavaScript, text);
        assert_eq!(
            spawns("const { execSync } = require('node:child_process');"),
            Some("child_process")
        );
        assert_eq!(
            spawns("import simpleGit from \"simple-git\";"),
            Some("simple-git")
        );
        assert_eq!(spawns("import {execa} from 'execa';"), Some("execa"));
        assert_eq!(spawns("import 'zx/globals';"), Some("zx"));
        assert_eq!(spawns("import x from 'zxing';"), None);
        assert_eq!(spawns("// child_process is not needed\nlisten(3000)"), None);
    }

    #[test]
    fn ruby_php_go_jvm_dotnet_apis() {
        assert_eq!(spawning_api(Language::Ruby, "out = `git log`"), Some("`"));
        assert_eq!(
            spawning_api(Language::Ruby, "system \"git pull\""),
            Some("system")
        );
        assert_eq!(spawning_api(Language::Ruby, "conn.exec(sql)"), None);
        assert_eq!(
            spawning_api(Language::Ruby, "require 'open3'\nOpen3.capture2('ls')"),
            Some("Open3")
        );
        assert_eq!(spawning_api(Language::Php, "$pdo->exec($sql);"), None);
        assert_eq!(
            spawning_api(Language::Php, "$out = shell_exec('git log');"),
            Some("shell_exec")
        );
        assert_eq!(
            spawning_api(Language::Php, "exec('ls', $out);"),
            Some("exec")
        );
        assert_eq!(
            spawning_api(Language::Go, "import \"os/exec\""),
            Some("os/exec")
        );
        assert_eq!(
            spawning_api(Language::Jvm, "new ProcessBuilder(\"git\").start();"),
            Some("ProcessBuilder")
        );
        assert_eq!(
            spawning_api(Language::Jvm, "Runtime.getRuntime().exec(cmd);"),
            Some("getRuntime().exec")
        );
        assert_eq!(
            spawning_api(Language::DotNet, "Process.Start(\"git\");"),
            Some("Process.Start")
        );
    }

    #[test]
    fn languages_and_skipped_folders() {
        assert_eq!(language_by_name("src/app.py"), Some(Language::Python));
        assert_eq!(
            language_by_name("dist/server.mjs"),
            Some(Language::JavaScript)
        );
        assert_eq!(language_by_name("README.md"), None);
        assert_eq!(
            language_by_shebang("#!/usr/bin/env python3\nimport os"),
            Some(Language::Python)
        );
        assert_eq!(language_by_shebang("#!/bin/sh\n"), None);
        assert!(is_skipped("node_modules/execa/index.js"));
        assert!(is_skipped("app/vendor/lib.php"));
        assert!(!is_skipped("src/vendors.py"));
    }
}
