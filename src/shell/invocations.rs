//! What the commands of a script run, seen through the programs that run
//! other programs: `sh -c "apt-get install -y git"`, `xargs apt-get install`,
//! `timeout 600 apk add git`, `find … -exec …`, `sudo -u app npm ci`.
//!
//! A check that asks "does anything later use the apt lists?" must not be
//! fooled by a wrapper. Where dockfix cannot see what runs (a script file,
//! `make`, `sh -c "$CMD"`, `curl … | sh`), the answer is
//! [`Invocation::Opaque`]: the caller must then assume the worst.

use super::packages::{self, Manager};
use super::{Script, ScriptSource, SimpleCommand, Word, last_component};

/// One command a script runs, as far as dockfix can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invocation {
    /// A package manager (`apt-get install`, `apk add`, ...), or one of the
    /// tools that read its index (`apt-cache`).
    Package {
        manager: Manager,
        /// The program as written (`apt-get`, `apt-cache`, `apk`).
        program: String,
        subcommand: Option<String>,
        options: Vec<String>,
        /// File offset of the command (the outermost one that runs it).
        at: usize,
    },
    /// Something runs that dockfix cannot read.
    Opaque {
        /// What it is, for a skip reason: "runs the script `./install.sh`".
        what: String,
        at: usize,
    },
}

impl Invocation {
    pub fn at(&self) -> usize {
        match self {
            Invocation::Package { at, .. } | Invocation::Opaque { at, .. } => *at,
        }
    }
}

/// Finds the text of a script that a command executes (`./install.sh`,
/// `sh /tmp/setup.sh`), when the caller knows it (copied from the build
/// context). The argument is the path as written.
pub type ScriptReader<'r> = dyn Fn(&str) -> Option<String> + 'r;

/// How deep `sh -c "sh -c '…'"` and scripts running scripts are followed.
const MAX_DEPTH: usize = 4;

/// Every invocation of `script`, in order. `heredocs_analysed` is true when
/// the caller also looks at the `RUN`'s heredoc scripts itself (so `bash
/// <<EOF` reading one is not opaque).
pub fn invocations(
    script: &Script,
    heredocs_analysed: bool,
    read_script: &ScriptReader,
) -> Vec<Invocation> {
    let mut found = Vec::new();
    let walker = Walker {
        heredocs_analysed,
        read_script,
    };
    walker.script(script, None, 0, &mut found);
    found
}

/// The invocations of an exec-form `RUN ["apk", "add", "git"]`.
pub fn exec_form_invocations(words: &[String], read_script: &ScriptReader) -> Vec<Invocation> {
    let text = words
        .iter()
        .map(|word| shell_quote(word))
        .collect::<Vec<_>>()
        .join(" ");
    let Ok(script) = Script::parse(&text, ScriptSource::ShellForm, &|i| i, &|i| i) else {
        return vec![Invocation::Opaque {
            what: format!("runs `{}`", words.join(" ")),
            at: 0,
        }];
    };
    let mut found = Vec::new();
    let walker = Walker {
        heredocs_analysed: false,
        read_script,
    };
    walker.script(&script, Some(0), 0, &mut found);
    found
}

fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// Shells that run a command string (`-c`) or a script file.
const SHELLS: &[&str] = &["sh", "bash", "dash", "ash", "zsh", "ksh", "mksh"];

/// Interpreters that run a program file or inline code.
fn is_interpreter(program: &str) -> bool {
    let stem = program.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    matches!(stem, "python" | "perl" | "ruby" | "node" | "php")
}

/// Words in inline code (`python -c`, `perl -e`) that could start a package
/// manager or another program: code that has none of them cannot.
const RUNS_PROGRAMS: &[&str] = &[
    "apt",
    "apk",
    "dpkg",
    "yum",
    "dnf",
    "zypper",
    "system",
    "subprocess",
    "exec",
    "spawn",
    "popen",
    "`",
];

/// Programs of package managers, as another program's argument.
const PACKAGE_MANAGER_PROGRAMS: &[&str] = &[
    "apt-get",
    "apt",
    "apt-cache",
    "aptitude",
    "apk",
    "yum",
    "dnf",
    "microdnf",
    "zypper",
];

/// Programs that read the package lists (or index) themselves, as their
/// package manager would: `aptitude install`, `mk-build-deps -i`.
const READS_PACKAGE_LISTS: &[&str] = &[
    "aptitude",
    "debconf-apt-progress",
    "mk-build-deps",
    "unattended-upgrade",
    "unattended-upgrades",
    "apt-file",
    "apt-show-versions",
];

/// Programs that only print or match their arguments: `echo apt-get` runs
/// nothing.
const PRINTS_OR_MATCHES: &[&str] = &[
    "echo",
    "printf",
    "grep",
    "egrep",
    "fgrep",
    "sed",
    "awk",
    "test",
    "[",
    "which",
    "type",
    "hash",
    "man",
    "cat",
    "true",
    "false",
    "tee",
    "dpkg-query",
];

struct Walker<'r> {
    heredocs_analysed: bool,
    read_script: &'r ScriptReader<'r>,
}

impl Walker<'_> {
    /// `at`: the offset to report for everything found (a nested script's
    /// own offsets are not file offsets).
    fn script(
        &self,
        script: &Script,
        at: Option<usize>,
        depth: usize,
        found: &mut Vec<Invocation>,
    ) {
        for (command, _) in script.simple_commands() {
            let at = at.unwrap_or(command.range.start);
            self.words(&command.words, command, at, depth, found);
        }
    }

    fn opaque(&self, what: String, at: usize, found: &mut Vec<Invocation>) {
        found.push(Invocation::Opaque { what, at });
    }

    /// Parses `text` (a `-c` string or a script file) and walks it.
    fn nested(&self, text: &str, what: &str, at: usize, depth: usize, found: &mut Vec<Invocation>) {
        if depth >= MAX_DEPTH {
            return self.opaque(what.to_string(), at, found);
        }
        match Script::parse(text, ScriptSource::ShellForm, &|i| i, &|i| i) {
            Ok(script) => {
                let walker = Walker {
                    heredocs_analysed: false,
                    read_script: self.read_script,
                };
                walker.script(&script, Some(at), depth + 1, found);
            }
            Err(_) => self.opaque(what.to_string(), at, found),
        }
    }

    /// A script file the command runs: read it if the caller can, else
    /// opaque.
    fn script_file(&self, path: &str, at: usize, depth: usize, found: &mut Vec<Invocation>) {
        let what = format!("runs the script `{path}`, which dockfix cannot read");
        match (self.read_script)(path) {
            Some(text) if !text.starts_with("#!") || first_line_is_posix_shell(&text) => {
                self.nested(&text, &what, at, depth, found)
            }
            _ => self.opaque(what, at, found),
        }
    }

    fn words(
        &self,
        words: &[Word],
        command: &SimpleCommand,
        at: usize,
        depth: usize,
        found: &mut Vec<Invocation>,
    ) {
        let Some(first) = words.first() else {
            return;
        };
        let Some(name) = first.literal() else {
            return self.opaque(
                format!("runs `{}`, a command name dockfix cannot read", first.raw),
                at,
                found,
            );
        };
        let program = last_component(&name).to_string();
        let literals: Vec<Option<String>> = words.iter().map(Word::literal).collect();
        if program == "apt-cache" {
            found.push(Invocation::Package {
                manager: Manager::Apt,
                program,
                subcommand: literals
                    .iter()
                    .skip(1)
                    .flatten()
                    .find(|w| !w.starts_with('-'))
                    .cloned(),
                options: Vec::new(),
                at,
            });
            return;
        }
        if let Some(skip) = wrapper_skip(&program, &literals) {
            return match skip {
                Some(from) if from < words.len() => {
                    self.words(&words[from..], command, at, depth, found)
                }
                Some(_) => {}
                None => self.opaque(format!("runs a command through `{program}`"), at, found),
            };
        }
        let owned = SimpleCommand {
            assignments: Vec::new(),
            words: words.to_vec(),
            redirects: Vec::new(),
            range: command.range.clone(),
        };
        if let Some(package) = packages::package_command(&owned, Default::default()) {
            found.push(Invocation::Package {
                manager: package.manager,
                program,
                subcommand: package.subcommand.map(str::to_string),
                options: package
                    .options
                    .iter()
                    .map(|option| option.to_string())
                    .collect(),
                at,
            });
            return;
        }
        if SHELLS.contains(&program.as_str()) || program == "busybox" {
            let args: Vec<Option<String>> = if program == "busybox" {
                if literals.get(1).and_then(|w| w.as_deref()) != Some("sh") {
                    return;
                }
                literals[2..].to_vec()
            } else {
                literals[1..].to_vec()
            };
            return self.shell(&program, &args, command, at, depth, found);
        }
        match program.as_str() {
            "eval" => {
                let code: Option<Vec<String>> = literals[1..].iter().cloned().collect();
                match code {
                    Some(code) => self.nested(&code.join(" "), "runs `eval`", at, depth, found),
                    None => {
                        self.opaque("runs `eval` of text dockfix cannot read".into(), at, found)
                    }
                }
            }
            "source" | "." => match literals.get(1).cloned().flatten() {
                Some(path) => self.script_file(&path, at, depth, found),
                None => self.opaque(
                    format!("runs `{program}` of a file dockfix cannot read"),
                    at,
                    found,
                ),
            },
            "make" | "gmake" => self.opaque(
                format!("runs `{program}`, whose recipes dockfix cannot see"),
                at,
                found,
            ),
            "xargs" => {
                let from = skip_options(
                    &literals,
                    1,
                    &[
                        "-I",
                        "-n",
                        "-P",
                        "-L",
                        "-d",
                        "-E",
                        "-s",
                        "-a",
                        "--arg-file",
                        "--delimiter",
                        "--max-args",
                        "--max-procs",
                        "--max-lines",
                        "--replace",
                    ],
                );
                if from < words.len() {
                    self.words(&words[from..], command, at, depth, found);
                }
            }
            "find" => {
                let mut index = 1;
                while index < literals.len() {
                    let is_exec = matches!(
                        literals[index].as_deref(),
                        Some("-exec" | "-execdir" | "-ok" | "-okdir")
                    );
                    index += 1;
                    if !is_exec {
                        continue;
                    }
                    let end = literals[index..]
                        .iter()
                        .position(|w| matches!(w.as_deref(), Some(";" | "+")))
                        .map_or(literals.len(), |p| index + p);
                    if index < end {
                        self.words(&words[index..end], command, at, depth, found);
                    }
                    index = end + 1;
                }
            }
            "su" | "runuser" => match option_value(&literals, &["-c", "--command"]) {
                Some(Some(code)) => {
                    self.nested(&code, &format!("runs `{program} -c`"), at, depth, found)
                }
                Some(None) => self.opaque(
                    format!("runs `{program} -c` of text dockfix cannot read"),
                    at,
                    found,
                ),
                None => {
                    // `runuser -u USER -- command`
                    if let Some(dashes) = literals.iter().position(|w| w.as_deref() == Some("--"))
                        && dashes + 1 < words.len()
                    {
                        self.words(&words[dashes + 1..], command, at, depth, found);
                    } else if literals.len() > 1 {
                        self.opaque(format!("runs a command through `{program}`"), at, found);
                    }
                }
            },
            _ if is_interpreter(&program) => self.interpreter(&program, &literals, at, found),
            _ if name.contains('/') || name.ends_with(".sh") => {
                self.script_file(&name, at, depth, found)
            }
            _ if READS_PACKAGE_LISTS.contains(&program.as_str()) => self.opaque(
                format!("runs `{program}`, which reads the package lists itself"),
                at,
                found,
            ),
            _ if !PRINTS_OR_MATCHES.contains(&program.as_str()) => {
                // A program dockfix does not know, given a package
                // manager to run (`eatmydata apt-get install`,
                // `debconf-apt-progress -- apt-get install`): whatever it
                // does with it is unknown, not nothing.
                let runs_a_manager = literals
                    .iter()
                    .skip(1)
                    .flatten()
                    .any(|word| PACKAGE_MANAGER_PROGRAMS.contains(&last_component(word)));
                if runs_a_manager {
                    self.opaque(
                        format!("runs a package manager through `{program}`"),
                        at,
                        found,
                    );
                }
            }
            _ => {}
        }
    }

    fn shell(
        &self,
        program: &str,
        args: &[Option<String>],
        command: &SimpleCommand,
        at: usize,
        depth: usize,
        found: &mut Vec<Invocation>,
    ) {
        let mut index = 0;
        let mut has_c = false;
        while let Some(Some(arg)) = args.get(index) {
            if arg == "--" {
                index += 1;
                break;
            }
            if !arg.starts_with('-') && !arg.starts_with('+') {
                break;
            }
            if arg.starts_with('-') && !arg.starts_with("--") && arg.contains('c') {
                has_c = true;
            }
            // `-o option`, `+o option` take a value.
            if matches!(
                arg.as_str(),
                "-o" | "+o" | "-O" | "+O" | "--rcfile" | "--init-file"
            ) {
                index += 1;
            }
            index += 1;
        }
        match (has_c, args.get(index)) {
            (true, Some(Some(code))) => {
                self.nested(code, &format!("runs `{program} -c`"), at, depth, found)
            }
            (true, _) => self.opaque(
                format!("runs `{program} -c` of text dockfix cannot read"),
                at,
                found,
            ),
            (false, Some(Some(path))) => self.script_file(path, at, depth, found),
            (false, Some(None)) => self.opaque(
                format!("runs `{program}` on a script dockfix cannot read"),
                at,
                found,
            ),
            (false, None) if self.heredocs_analysed && !command.redirects.is_empty() => {}
            (false, None) => self.opaque(
                format!("runs `{program}` on commands from its standard input"),
                at,
                found,
            ),
        }
    }

    fn interpreter(
        &self,
        program: &str,
        literals: &[Option<String>],
        at: usize,
        found: &mut Vec<Invocation>,
    ) {
        let mut index = 1;
        while let Some(Some(arg)) = literals.get(index) {
            match arg.as_str() {
                "-c" | "-e" | "-E" | "-r" | "--eval" | "-p" => {
                    let code = literals.get(index + 1).cloned().flatten();
                    let runs = code
                        .as_deref()
                        .is_none_or(|code| RUNS_PROGRAMS.iter().any(|word| code.contains(word)));
                    if runs {
                        self.opaque(
                            format!("runs `{program} {arg}` code that may start other programs"),
                            at,
                            found,
                        );
                    }
                    return;
                }
                // `python -m venv`: a module, not a file of the context.
                "-m" => return,
                _ if arg.starts_with('-') => index += 1,
                _ => {
                    return self.opaque(
                        format!("runs the {program} program `{arg}`, which dockfix cannot read"),
                        at,
                        found,
                    );
                }
            }
        }
        if matches!(literals.get(index), Some(None)) {
            self.opaque(
                format!("runs a {program} program dockfix cannot read"),
                at,
                found,
            );
        }
    }
}

fn first_line_is_posix_shell(text: &str) -> bool {
    let line = text.lines().next().unwrap_or_default();
    let mut words = line.trim_start_matches("#!").split_whitespace();
    let interpreter = words.next().unwrap_or_default();
    let interpreter = last_component(interpreter);
    let interpreter = if interpreter == "env" {
        words.find(|w| !w.starts_with('-')).unwrap_or_default()
    } else {
        interpreter
    };
    SHELLS.contains(&interpreter)
}

/// Programs that run the command given as their remaining arguments: where
/// that command starts (`Some(index)`), or `None` when it cannot be found.
/// Not a wrapper: `None` is returned as the outer option.
fn wrapper_skip(program: &str, literals: &[Option<String>]) -> Option<Option<usize>> {
    let with_value: &[&str] = match program {
        "sudo" => &[
            "-u", "-g", "-h", "-C", "-p", "-r", "-t", "-U", "-D", "--user", "--group", "--chdir",
        ],
        "env" => &["-u", "--unset", "-C", "--chdir"],
        "nice" => &["-n", "--adjustment"],
        "ionice" => &["-c", "-n", "-p", "--class", "--classdata"],
        "timeout" => &["-s", "-k", "--signal", "--kill-after"],
        "stdbuf" => &["-i", "-o", "-e"],
        "chrt" | "taskset" | "setsid" | "nohup" | "time" | "command" | "exec" | "gosu"
        | "su-exec" | "flock" | "unbuffer" | "tini" | "dumb-init" | "fakeroot" => &[],
        _ => return None,
    };
    // `env -S "a b"` splits a string into a command.
    if program == "env"
        && literals
            .iter()
            .flatten()
            .any(|w| w == "-S" || w.starts_with("--split-string"))
    {
        return Some(None);
    }
    // `command -v apt-get` only looks the name up.
    if program == "command" && literals.iter().flatten().any(|w| w == "-v" || w == "-V") {
        return Some(Some(usize::MAX));
    }
    let mut index = skip_options(literals, 1, with_value);
    if program == "env" || program == "sudo" {
        while let Some(Some(word)) = literals.get(index) {
            if word.contains('=') && !word.starts_with('=') {
                index += 1;
            } else {
                break;
            }
        }
    }
    // Operands before the command: `timeout DURATION`, `gosu USER`,
    // `chrt PRIORITY`, `taskset MASK`, `flock FILE`.
    let operands_before = match program {
        "timeout" | "gosu" | "su-exec" | "chrt" | "taskset" | "flock" => 1,
        _ => 0,
    };
    if program == "flock" && literals.iter().flatten().any(|w| w == "-c") {
        return Some(None);
    }
    index += operands_before;
    match literals.get(index) {
        Some(Some(_)) => Some(Some(index)),
        Some(None) => Some(None),
        None => Some(Some(usize::MAX)),
    }
}

/// Index of the first word at or after `from` that is not an option (or the
/// value of one in `with_value`); `--` ends the options.
fn skip_options(literals: &[Option<String>], from: usize, with_value: &[&str]) -> usize {
    let mut index = from;
    while let Some(Some(word)) = literals.get(index) {
        if word == "--" {
            return index + 1;
        }
        if !word.starts_with('-') || word == "-" {
            break;
        }
        index += 1;
        if with_value.contains(&word.as_str()) {
            index += 1;
        }
    }
    index
}

/// The value of option `-c` (`Some(None)` when it is not literal), `None`
/// when the option is absent.
fn option_value(literals: &[Option<String>], names: &[&str]) -> Option<Option<String>> {
    let at = literals
        .iter()
        .position(|w| w.as_deref().is_some_and(|w| names.contains(&w)))?;
    Some(literals.get(at + 1).cloned().flatten())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Dockerfile;

    fn found(body: &str) -> Vec<String> {
        found_with(body, &|_| None)
    }

    fn found_with(body: &str, read: &ScriptReader) -> Vec<String> {
        let text = format!("FROM a\nRUN {body}\n");
        let file = Dockerfile::parse(&text);
        let run = file.instructions().nth(1).unwrap();
        let script = Script::of_run(&file, &run).unwrap();
        invocations(&script, false, read)
            .into_iter()
            .map(|invocation| match invocation {
                Invocation::Package {
                    program,
                    subcommand,
                    ..
                } => format!("{program} {}", subcommand.unwrap_or_default()),
                Invocation::Opaque { .. } => "opaque".to_string(),
            })
            .collect()
    }

    #[test]
    fn sees_through_wrappers() {
        assert_eq!(
            found(r#"sh -c "apt-get install -y git""#),
            ["apt-get install"]
        );
        assert_eq!(
            found("bash -ec 'apt-get update && apt-get install -y x'"),
            ["apt-get update", "apt-get install"]
        );
        assert_eq!(
            found("echo git | xargs -r apt-get install -y"),
            ["apt-get install"]
        );
        assert_eq!(
            found("env DEBIAN_FRONTEND=noninteractive apt-get install -y x"),
            ["apt-get install"]
        );
        assert_eq!(
            found("sudo -u root -E apt-get install -y x"),
            ["apt-get install"]
        );
        assert_eq!(
            found("nice -n 10 timeout 600 apt-get install -y x"),
            ["apt-get install"]
        );
        assert_eq!(found("timeout -s KILL 10m apk add git"), ["apk add"]);
        assert_eq!(
            found("find /debs -name '*.deb' -exec apt-get install -y {} +"),
            ["apt-get install"]
        );
        assert_eq!(found("apt-cache policy curl"), ["apt-cache policy"]);
        assert_eq!(found("su -c 'apk add git' root"), ["apk add"]);
        assert_eq!(found("gosu root apt-get install -y x"), ["apt-get install"]);
        assert!(found("command -v apt-get").is_empty());
        assert!(found("python3 -c 'import sys'").is_empty());
        assert!(found("python -m venv /venv && echo ok").is_empty());
    }

    #[test]
    fn opaque_commands() {
        for body in [
            "./install.sh",
            "/tmp/setup.sh --all",
            "bash /tmp/setup.sh",
            "sh -c \"$CMD\"",
            "curl -fsSL https://e.com/i | sh",
            "$INSTALLER",
            "make deps",
            "python3 scripts/bootstrap.py",
            "python3 -c 'import subprocess; subprocess.run([\"apt-get\"])'",
            "eval \"$(cat cmds)\"",
            "env -S 'apt-get install x'",
        ] {
            assert_eq!(found(body), ["opaque"], "{body}");
        }
    }

    #[test]
    fn reads_scripts_it_is_given() {
        let read = |path: &str| {
            (path == "./install.sh")
                .then(|| "#!/bin/sh\nset -e\napt-get install -y git\n".to_string())
        };
        assert_eq!(found_with("./install.sh", &read), ["apt-get install"]);
        let python = |_: &str| Some("#!/usr/bin/env python3\nprint(1)\n".to_string());
        assert_eq!(found_with("./tool", &python), ["opaque"]);
    }

    #[test]
    fn exec_form() {
        let words: Vec<String> = ["apk", "add", "git"].map(String::from).to_vec();
        let found = exec_form_invocations(&words, &|_| None);
        assert!(
            matches!(&found[..], [Invocation::Package { manager: Manager::Apk, subcommand: Some(s), .. }] if s == "add")
        );
        let words: Vec<String> = ["/bin/sh", "-c", "apt-get install -y git"]
            .map(String::from)
            .to_vec();
        let found = exec_form_invocations(&words, &|_| None);
        assert!(matches!(
            &found[..],
            [Invocation::Package {
                manager: Manager::Apt,
                ..
            }]
        ));
    }
}
