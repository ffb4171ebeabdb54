//! Runs a sequence of RUN steps the way a build would (one shell per RUN,
//! stopping at the first failure) in a throwaway directory that stands in
//! for `/`, with a PATH of stub commands (`stub.sh`), and records what
//! happened: exit status, the stubs' log, the files left in the root and
//! what the steps printed.
//!
//! Safety: nothing in a RUN body is rewritten, so the shell itself still
//! sees the real file system. To keep the machine safe, the steps run as
//! `nobody` when the tests run as root (so a redirection to `/etc/...`
//! fails instead of writing), the sandbox directory is not listable by
//! others (so a stray `rm -rf /tmp/*` cannot reach another run's root),
//! tools that change files act only inside the root (see `stub.sh`), and
//! [`Sandbox::refuses`] keeps scripts that name a real program by absolute
//! path from running at all.

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const STUB_SCRIPT: &str = include_str!("stub.sh");

/// util-linux's setpriv, to drop root privileges.
const SETPRIV: &str = "/usr/bin/setpriv";

/// Real tools the stubs hand over to (see `stub.sh`), looked up here.
const REAL_TOOLS: &[&str] = &[
    "cat", "grep", "egrep", "fgrep", "head", "tail", "cut", "tr", "sort", "uniq", "wc", "basename",
    "dirname", "expr", "seq", "ls", "readlink", "realpath", "xargs", "env", "nice", "nohup",
    "timeout", "rm", "rmdir", "mkdir", "cp", "mv", "ln", "touch", "chmod", "tee", "install",
];

/// Commands that are on PATH as themselves (no log): shell builtins that
/// also exist as programs, for `xargs echo`, `env true` and the like.
const PASS_THROUGH: &[&str] = &["echo", "printf", "true", "false", "test", "["];

/// Commands always stubbed, whether or not a script names them (the
/// scripts' own command names are added per scenario).
pub const ALWAYS_STUBBED: &[&str] = &[
    "apt-get",
    "apt",
    "apt-cache",
    "dpkg",
    "apk",
    "yum",
    "dnf",
    "microdnf",
    "zypper",
    "rpm",
    "npm",
    "npx",
    "yarn",
    "pnpm",
    "node",
    "pip",
    "pip3",
    "python",
    "python3",
    "poetry",
    "uv",
    "gem",
    "bundle",
    "go",
    "cargo",
    "rustup",
    "make",
    "cmake",
    "gcc",
    "cc",
    "g++",
    "curl",
    "wget",
    "sha256sum",
    "sha512sum",
    "md5sum",
    "gpg",
    "tar",
    "gzip",
    "gunzip",
    "unzip",
    "git",
    "sudo",
    "gosu",
    "su-exec",
    "useradd",
    "adduser",
    "groupadd",
    "addgroup",
    "chown",
    "chgrp",
    "sed",
    "awk",
    "find",
    "which",
    "uname",
    "id",
    "whoami",
    "sleep",
    "date",
    "locale-gen",
    "update-ca-certificates",
    "ldconfig",
    "composer",
    "mvn",
    "gradle",
    "dotnet",
    "java",
    "javac",
    "php",
    "docker-php-ext-install",
];

/// Shell builtins and keywords: never looked up on PATH, never stubbed.
const BUILTINS: &[&str] = &[
    ".", ":", "[", "alias", "bg", "break", "builtin", "case", "cd", "command", "continue",
    "declare", "do", "done", "echo", "elif", "else", "esac", "eval", "exec", "exit", "export",
    "false", "fg", "fi", "for", "function", "getopts", "hash", "if", "in", "jobs", "kill", "let",
    "local", "printf", "pwd", "read", "readonly", "return", "select", "set", "shift", "source",
    "test", "then", "times", "trap", "true", "type", "typeset", "ulimit", "umask", "unalias",
    "unset", "until", "wait", "while", "{", "}", "!", "[[", "]]",
];

/// Which program stands in for `/bin/sh`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShellVariant {
    /// Debian's and Ubuntu's `/bin/sh`.
    Dash,
    /// bash started as `sh` (POSIX mode), as on Fedora or CentOS images.
    Bash,
}

impl ShellVariant {
    pub const ALL: [ShellVariant; 2] = [ShellVariant::Dash, ShellVariant::Bash];

    pub fn name(self) -> &'static str {
        match self {
            ShellVariant::Dash => "dash",
            ShellVariant::Bash => "bash",
        }
    }

    fn program(self) -> &'static str {
        match self {
            ShellVariant::Dash => "/usr/bin/dash",
            ShellVariant::Bash => "/usr/bin/bash",
        }
    }

    /// The shells are installed (else the tests say so and skip).
    pub fn available() -> bool {
        Self::ALL.iter().all(|v| Path::new(v.program()).exists())
    }
}

/// How one RUN starts its process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunCommand {
    /// Shell form: the stage's SHELL words (None: `/bin/sh -c`), then the script.
    Shell {
        shell: Option<Vec<String>>,
        script: String,
    },
    /// Exec form: the words as they are.
    Exec(Vec<String>),
}

/// One RUN to execute, with what the build gives it.
#[derive(Debug, Clone)]
pub struct RunStep {
    pub command: RunCommand,
    /// Environment from ENV and ARG (PATH and HOME are the sandbox's).
    pub env: BTreeMap<String, String>,
    /// Absolute working directory in the image.
    pub workdir: String,
}

/// A command the stubs should fail: the `at`-th (1-based) invocation with
/// exactly these words (as logged, `<root>` for the root).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub argv: Vec<String>,
    pub at: usize,
}

/// One logged stub invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    pub argv: Vec<String>,
    /// Working directory, `<root>`-relative when inside the root.
    pub cwd: String,
    /// Exported variables the command saw (shell bookkeeping removed).
    pub env: Vec<String>,
}

impl Invocation {
    pub fn name(&self) -> &str {
        &self.argv[0]
    }

    pub fn describe(&self) -> String {
        format!(
            "{}   [cwd {}; env {}]",
            self.argv.join(" "),
            self.cwd,
            self.env.join(" ")
        )
    }
}

/// What a sequence did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    /// False when a RUN failed (the build stops there).
    pub success: bool,
    pub log: Vec<Invocation>,
    /// Path (relative to the root) to a description of the entry.
    pub files: BTreeMap<String, String>,
    /// Standard output of every RUN, in order.
    pub stdout: String,
    /// Standard error (not compared: shells number the lines of the script).
    pub stderr: String,
}

/// The stub script every stub links to, written once per test process
/// before any scenario runs a shell: an executable written while another
/// test thread forks can fail to run with "Text file busy" (the forked
/// child holds the open file until it execs). The folder is left in the
/// temporary directory when the process ends.
fn shared_stub_script() -> &'static Path {
    static SCRIPT: OnceLock<PathBuf> = OnceLock::new();
    SCRIPT.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("dockfix-behaviour-stub-script")
            .tempdir()
            .unwrap()
            .keep();
        set_mode(&dir, 0o755);
        let script = dir.join("stub.sh");
        std::fs::write(&script, STUB_SCRIPT).unwrap();
        set_mode(&script, 0o755);
        script
    })
}

/// The stub directories of one scenario (one per shell variant).
pub struct Stubs {
    dir: tempfile::TempDir,
    drop_privileges: bool,
    /// Image directories made before every run: the working directories and
    /// homes of both sides' steps, which exist in the image whether or not
    /// a RUN runs there (a side whose RUN a rewrite removed runs nothing).
    image_dirs: Vec<String>,
}

impl Stubs {
    /// Stub directories for the given command names (plus [`ALWAYS_STUBBED`]).
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Stubs {
        let dir = tempfile::Builder::new()
            .prefix("dockfix-behaviour-stubs")
            .tempdir()
            .unwrap();
        let drop_privileges = dir.path().metadata().unwrap().uid() == 0;
        set_mode(dir.path(), 0o755);
        let real = dir.path().join("real");
        std::fs::create_dir(&real).unwrap();
        for tool in REAL_TOOLS.iter().chain(PASS_THROUGH) {
            if let Some(path) = find_real(tool) {
                std::os::unix::fs::symlink(path, real.join(tool)).unwrap();
            }
        }
        let script = shared_stub_script();
        let mut names: Vec<&str> = names
            .into_iter()
            .chain(ALWAYS_STUBBED.iter().copied())
            .chain(REAL_TOOLS.iter().copied())
            .filter(|name| is_stubbable(name))
            .collect();
        names.sort_unstable();
        names.dedup();
        for variant in ShellVariant::ALL {
            let bin = dir.path().join(variant.name());
            std::fs::create_dir(&bin).unwrap();
            for name in &names {
                std::os::unix::fs::symlink(script, bin.join(name)).unwrap();
            }
            for tool in PASS_THROUGH {
                if let Some(path) = find_real(tool) {
                    std::os::unix::fs::symlink(path, bin.join(tool)).unwrap();
                }
            }
            // `sh` is the variant's shell; the others are themselves.
            for (name, program) in [
                ("sh", variant.program()),
                ("ash", variant.program()),
                ("dash", ShellVariant::Dash.program()),
                ("bash", ShellVariant::Bash.program()),
            ] {
                std::os::unix::fs::symlink(program, bin.join(name)).unwrap();
            }
        }
        Stubs {
            dir,
            drop_privileges,
            image_dirs: Vec::new(),
        }
    }

    fn bin(&self, variant: ShellVariant) -> PathBuf {
        self.dir.path().join(variant.name())
    }

    /// The working directories and homes of `steps`, made in every run.
    pub fn make_image_dirs<'s>(&mut self, steps: impl IntoIterator<Item = &'s RunStep>) {
        for step in steps {
            let home = step.env.get("HOME").map_or("/root", String::as_str);
            for dir in [step.workdir.as_str(), home] {
                if !self.image_dirs.iter().any(|known| known == dir) {
                    self.image_dirs.push(dir.to_string());
                }
            }
        }
    }

    /// Runs `steps` in a fresh root, as a build would.
    pub fn run(
        &self,
        steps: &[RunStep],
        variant: ShellVariant,
        failure: Option<&Failure>,
    ) -> Observation {
        let sandbox = tempfile::Builder::new()
            .prefix("dockfix-behaviour")
            .tempdir()
            .unwrap();
        // Others may enter but not list: a stray `rm -rf /tmp/*` run as
        // nobody cannot descend into it.
        set_mode(sandbox.path(), 0o711);
        let root = sandbox.path().join("root");
        let state = sandbox.path().join("state");
        for dir in [&root, &state] {
            std::fs::create_dir(dir).unwrap();
            set_mode(dir, 0o777);
        }
        for dir in &self.image_dirs {
            self.image_dir(&root, dir);
        }
        let log = state.join("log");
        let stdout_path = sandbox.path().join("stdout");
        let stderr_path = sandbox.path().join("stderr");
        let mut success = true;
        for step in steps {
            let cwd = self.image_dir(&root, &step.workdir);
            let home = step.env.get("HOME").map_or("/root", String::as_str);
            let home = self.image_dir(&root, home);
            let (program, args) = self.program(&step.command, variant);
            let mut command = if self.drop_privileges && Path::new(SETPRIV).exists() {
                // Through setpriv rather than Command::uid, so that the
                // test process is not forked for every RUN (it is large).
                let mut command = Command::new(SETPRIV);
                command
                    .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
                    .arg(&program);
                command
            } else {
                let mut command = Command::new(&program);
                if self.drop_privileges {
                    command.uid(65534).gid(65534);
                }
                command
            };
            command
                .args(args)
                .env_clear()
                .envs(&step.env)
                .env("PATH", self.bin(variant))
                .env("HOME", &home)
                .env("STUB_LOG", &log)
                .env("STUB_STATE", &state)
                .env("STUB_ROOT", &root)
                .env("STUB_REAL", self.dir.path().join("real"))
                .env("STUB_US", "\u{1f}")
                .env("STUB_GS", "\u{1d}")
                .env("STUB_RS", "\u{1e}")
                .current_dir(&cwd)
                .stdin(Stdio::null())
                .stdout(append(&stdout_path))
                .stderr(append(&stderr_path))
                .process_group(0);
            if let Some(failure) = failure {
                let words: String = failure
                    .argv
                    .iter()
                    .map(|word| {
                        let word = word
                            .replace("<root>", &root.display().to_string())
                            .replace("<sandbox>", &sandbox.path().display().to_string());
                        format!("{word}\u{1f}")
                    })
                    .collect();
                command
                    .env("STUB_FAIL_ARGV", words)
                    .env("STUB_FAIL_AT", failure.at.to_string());
            }
            if !run_with_timeout(command) {
                success = false;
                break;
            }
        }
        let base = sandbox.path().display().to_string();
        let clean = |text: String| {
            text.replace(&format!("{base}/root"), "<root>")
                .replace(&base, "<sandbox>")
        };
        let log_text = std::fs::read(&log).unwrap_or_default();
        Observation {
            success,
            log: parse_log(&String::from_utf8_lossy(&log_text), &state, &clean),
            files: snapshot(&root, &clean),
            stdout: clean(read_lossy(&stdout_path)),
            stderr: clean(read_lossy(&stderr_path)),
        }
    }

    /// The sandbox directory for an image path, created (as WORKDIR does).
    fn image_dir(&self, root: &Path, path: &str) -> PathBuf {
        let mut dir = root.to_path_buf();
        for part in path.split('/').filter(|p| !p.is_empty() && *p != ".") {
            if part == ".." {
                if dir != root {
                    dir.pop();
                }
                continue;
            }
            dir.push(part);
            if !dir.exists() {
                std::fs::create_dir(&dir).unwrap();
                set_mode(&dir, 0o777);
            }
        }
        dir
    }

    /// Program and arguments. Programs are looked up in the stub directory
    /// by their base name, so an exec-form `["/usr/bin/apk", ...]` runs
    /// the stub too; shells are the links to the real ones there (`sh` is
    /// the variant's, and bash started as `sh` is in POSIX mode).
    fn program(&self, command: &RunCommand, variant: ShellVariant) -> (PathBuf, Vec<String>) {
        let words: Vec<String> = match command {
            RunCommand::Shell { shell, script } => {
                let mut words = shell
                    .clone()
                    .unwrap_or_else(|| vec!["/bin/sh".into(), "-c".into()]);
                words.push(script.clone());
                words
            }
            RunCommand::Exec(words) => words.clone(),
        };
        let Some((first, rest)) = words.split_first() else {
            return (PathBuf::from("/nonexistent"), Vec::new());
        };
        let name = first.rsplit('/').next().unwrap_or(first);
        let name = match name {
            "zsh" | "ksh" | "mksh" => "sh",
            _ => name,
        };
        (self.bin(variant).join(name), rest.to_vec())
    }
}

/// A command name that can be a file in the stub directory.
fn is_stubbable(name: &str) -> bool {
    !name.is_empty()
        && !BUILTINS.contains(&name)
        && !PASS_THROUGH.contains(&name)
        && !matches!(name, "sh" | "ash" | "bash" | "dash" | "stub.sh")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+'))
        && !name.starts_with('.')
}

fn find_real(tool: &str) -> Option<PathBuf> {
    ["/usr/bin", "/bin", "/usr/sbin", "/sbin"]
        .iter()
        .map(|dir| Path::new(dir).join(tool))
        .find(|path| path.exists())
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn append(path: &Path) -> std::fs::File {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap()
}

fn read_lossy(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned()
}

/// A RUN that takes longer than this is stuck (stubs never wait).
const RUN_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs the command; true when it exits with status 0 in time.
fn run_with_timeout(mut command: Command) -> bool {
    let Ok(mut child) = command.spawn() else {
        return false; // not found, as `sh` would report 127
    };
    let started = Instant::now();
    let mut pause = Duration::from_micros(200);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.success();
        }
        if started.elapsed() > RUN_TIMEOUT {
            // Its own process group (process_group(0)): end it and its children.
            let _ = Command::new("kill")
                .arg("-KILL")
                .arg("--")
                .arg(format!("-{}", child.id()))
                .status();
            let _ = child.wait();
            return false;
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(5));
    }
}

/// Shell bookkeeping variables, and the sandbox's own, left out of the
/// environment a command is said to see.
fn is_bookkeeping(name: &str) -> bool {
    matches!(name, "PWD" | "OLDPWD" | "SHLVL" | "_" | "PATH" | "HOME") || name.starts_with("STUB_")
}

/// Reads the stubs' records (see `stub.sh`), in the order they were written.
fn parse_log(text: &str, state: &Path, clean: &dyn Fn(String) -> String) -> Vec<Invocation> {
    text.split('\u{1e}')
        .filter(|record| !record.is_empty())
        .map(|record| {
            let mut parts = record.split('\u{1d}');
            let fields = parts.next().unwrap_or_default();
            let cwd = parts.next().unwrap_or_default();
            let env_file = parts.next().unwrap_or_default();
            let env = read_lossy(&state.join(env_file));
            let argv = fields
                .strip_suffix('\u{1f}')
                .unwrap_or(fields)
                .split('\u{1f}')
                .map(|field| clean(field.to_string()))
                .collect();
            Invocation {
                argv,
                cwd: clean(cwd.to_string()),
                env: exported(&env)
                    .into_iter()
                    .filter(|(name, _)| !is_bookkeeping(name))
                    .map(|(name, line)| clean(format!("{name}{line}")))
                    .collect(),
            }
        })
        .collect()
}

/// Splits dash's `export -p` output into (name, rest of the declaration);
/// a value may span lines (inside single quotes).
fn exported(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        if let Some(declaration) = line.strip_prefix("export ") {
            if let Some(done) = current.take() {
                found.push(done);
            }
            let name_end = declaration
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(declaration.len());
            current = Some((
                declaration[..name_end].to_string(),
                declaration[name_end..].to_string(),
            ));
        } else if let Some((_, rest)) = current.as_mut() {
            rest.push('\n');
            rest.push_str(line);
        }
    }
    found.extend(current);
    found
}

/// Every entry under `root`: kind, permissions and content.
fn snapshot(root: &Path, clean: &dyn Fn(String) -> String) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let relative = path.strip_prefix(root).unwrap().display().to_string();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            let mode = meta.mode() & 0o7777;
            let description = if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).unwrap_or_default();
                format!("link -> {}", clean(target.display().to_string()))
            } else if meta.is_dir() {
                pending.push(path);
                format!("dir {mode:o}")
            } else {
                format!("file {mode:o}: {}", clean(read_lossy(&path)))
            };
            files.insert(relative, description);
        }
    }
    files
}
