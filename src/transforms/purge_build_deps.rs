#![doc = include_str!("../../transforms/purge-build-deps/README.md")]

use std::rc::Rc;

use crate::engine::{Context, Edit, Fix, Safety, Transform};
use crate::paths::last_component;
use crate::shell::packages::{self, Manager, PackageCommand};
use crate::shell::{AndOr, Script, ScriptSource, SimpleCommand, Terminator};
use crate::syntax::{Dockerfile, Instruction, InstructionKind, Stage};
use crate::transforms::run_body;
use crate::transforms::workdir::{self, Dir};

pub struct PurgeBuildDeps;

const ID: &str = "purge-build-deps";

/// Debian packages that only build: compilers, build systems, and version
/// control (`git clone` of sources). `-dev` headers and `gcc-12`-style
/// versioned compilers are recognised by name in [`is_apt_build_package`].
const APT_BUILD_PACKAGES: &[&str] = &[
    "build-essential",
    "gcc",
    "g++",
    "cpp",
    "clang",
    "llvm",
    "gfortran",
    "make",
    "cmake",
    "ninja-build",
    "meson",
    "autoconf",
    "automake",
    "libtool",
    "libtool-bin",
    "pkg-config",
    "pkgconf",
    "bison",
    "flex",
    "m4",
    "swig",
    "nasm",
    "yasm",
    "dpkg-dev",
    "git",
    "mercurial",
    "subversion",
];

/// Alpine's counterparts (`build-base` is its build-essential).
const APK_BUILD_PACKAGES: &[&str] = &[
    "build-base",
    "gcc",
    "g++",
    "clang",
    "llvm",
    "gfortran",
    "make",
    "cmake",
    "samurai",
    "meson",
    "autoconf",
    "automake",
    "libtool",
    "pkgconf",
    "pkgconfig",
    "bison",
    "flex",
    "m4",
    "swig",
    "nasm",
    "yasm",
    "linux-headers",
    "git",
    "mercurial",
    "subversion",
    "cargo",
    "rust",
    "go",
];

/// Download tools: build-only when the same `RUN` installs build packages
/// too and runs them after the install (to fetch sources), else they may be
/// there for the application.
const DOWNLOAD_TOOLS: &[&str] = &["curl", "wget"];

/// Programs the build packages provide (or pull in). A later step that
/// runs one of them needs the packages kept.
const BUILD_TOOLS: &[&str] = &[
    "gcc",
    "cc",
    "c++",
    "g++",
    "cpp",
    "clang",
    "clang++",
    "ld",
    "as",
    "gfortran",
    "make",
    "cmake",
    "ninja",
    "meson",
    "autoconf",
    "autoreconf",
    "automake",
    "libtool",
    "pkg-config",
    "pkgconf",
    "bison",
    "flex",
    "yacc",
    "m4",
    "swig",
    "nasm",
    "git",
    "hg",
    "svn",
    "curl",
    "wget",
    "go",
    "cargo",
    "rustc",
    "node-gyp",
    "configure",
    "perl",
];

/// Programs every Debian image has (essential packages and shell
/// built-ins): no need to name them to the purge.
const ALWAYS_THERE: &[&str] = &[
    "sh", "bash", "cd", "echo", "printf", "test", "[", "true", "false", "set", "export", "rm",
    "mkdir", "cp", "mv", "ln", "chmod", "chown", "touch", "cat", "sed", "grep", "find", "xargs",
    "tar", "ls", "mktemp", "apt-get", "apt", "apt-mark", "dpkg", "awk", "sort", "useradd",
    "groupadd", "adduser", "addgroup", "tee", "env", "exec",
];

/// Directories searched for programs and libraries the build produced, whose
/// shared libraries must stay: `/usr/local` (`make install`, `pip install`
/// in the official Python images and Debian's pip, `npm install -g`) and
/// `/opt` (virtual environments, vendor installs); the `RUN`'s `WORKDIR` is
/// added when known (`npm ci` native modules in `/app/node_modules`).
const SCANNED: &[&str] = &["/usr/local", "/opt"];

/// The variable holding the packages installed by hand before the build
/// (the name Debian's official images use for it).
const SAVED_MARKS: &str = "savedAptMark";

/// Reads `ldd`'s output (the first file) and dpkg's file lists (the
/// others) and prints the package of every library `ldd` resolved, and of
/// every program named in `programs` (space-separated) found in `/bin` or
/// `/sbin`. Paths are compared without a leading `/usr` (merged /usr: `ldd`
/// may say `/lib/...` where dpkg lists `/usr/lib/...`, or the other way).
/// What `dpkg-query --search` would answer, without a pipeline and without
/// failing on a library no package owns.
const APT_KEEP_AWK: &str = concat!(
    "BEGIN { n = split(programs, p, \" \"); for (i = 1; i <= n; i++) { needed[\"/bin/\" p[i]] = 1; needed[\"/sbin/\" p[i]] = 1 } } ",
    "FILENAME == ARGV[1] { if ($2 == \"=>\" && $3 ~ /^\\//) { sub(/^\\/usr\\//, \"/\", $3); needed[$3] = 1 }; next } ",
    "{ path = $0; sub(/^\\/usr\\//, \"/\", path) } ",
    "path in needed { package = FILENAME; sub(/^.*\\//, \"\", package); sub(/\\.list$/, \"\", package); print package }",
);

/// Reads `scanelf --needed --format '%n#p'` output and prints `so:NAME` for
/// each needed library, once, unless the build put it in /usr/local/lib.
const APK_RUN_DEPS_AWK: &str = concat!(
    "{ n = split($1, libs, \",\"); for (i = 1; i <= n; i++) ",
    "if (libs[i] != \"\" && !seen[libs[i]]++ && system(\"[ -e /usr/local/lib/\" libs[i] \" ]\") != 0) print \"so:\" libs[i] }",
);

impl Transform for PurgeBuildDeps {
    fn id(&self) -> &'static str {
        ID
    }

    fn summary(&self) -> &'static str {
        "compilers and headers installed for a build are purged at the end of the RUN that builds, keeping the libraries the build links against"
    }

    fn safety(&self) -> Safety {
        Safety::Unsafe
    }

    fn docs(&self) -> &'static str {
        include_str!("../../transforms/purge-build-deps/README.md")
    }

    fn edits_shell(&self) -> bool {
        true
    }

    fn fixes(&self, file: &Dockerfile, context: &Context) -> Vec<Fix> {
        let stages = file.stages();
        let Some(last) = stages.last() else {
            return Vec::new();
        };
        let shipping: Vec<usize> = last.lineage(&stages).iter().map(|s| s.index).collect();
        let mut fixes = Vec::new();
        for stage in &stages {
            for (index, run) in stage.body.iter().enumerate() {
                if run.kind() != InstructionKind::Run || run.is_error() {
                    continue;
                }
                for script in Script::all_of_run(file, run) {
                    let site = Site {
                        file,
                        stages: &stages,
                        shipping: &shipping,
                        stage,
                        index,
                        run,
                        script: &script,
                    };
                    match site.fix() {
                        Ok(Some(fix)) => fixes.push(fix),
                        Ok(None) => {}
                        Err((at, reason)) => context.skip(ID, at, reason),
                    }
                }
            }
        }
        fixes
    }
}

/// One script of one `RUN`, with what the checks need around it.
struct Site<'a> {
    file: &'a Dockerfile,
    stages: &'a [Stage],
    /// The final stage and the stages it is built `FROM`, by index.
    shipping: &'a [usize],
    stage: &'a Stage,
    /// Position of the `RUN` in the stage body.
    index: usize,
    run: &'a Instruction,
    script: &'a Rc<Script>,
}

/// Why the `RUN` is left alone, and where.
type Skip = (usize, String);

/// The installs of build packages a script makes, by package manager.
struct BuildInstalls<'s> {
    manager: Manager,
    /// The install commands that name build packages.
    commands: Vec<PackageCommand<'s>>,
    /// The build packages they name, in order, once each.
    packages: Vec<String>,
    /// Why the installs cannot become a `.build-deps` group (apk).
    not_a_group: Option<String>,
}

impl Site<'_> {
    fn fix(&self) -> Result<Option<Fix>, Skip> {
        let commands = packages::package_commands(self.script);
        let Some(installs) = build_installs(self.script, &commands) else {
            return Ok(None);
        };
        if already_purges(self.script) {
            return Ok(None);
        }
        let first = &installs.commands[0];
        let at = first.command.range.start;
        if !self.shipping.contains(&self.stage.index) {
            return Err((
                at,
                "the stage does not ship (the image is the last stage): build packages here cost nothing in the image".into(),
            ));
        }
        let last_install_end = installs
            .commands
            .iter()
            .map(|c| c.command.range.end)
            .max()
            .unwrap_or(at);
        let Some(builder) = builds_after(self.script, last_install_end) else {
            return Err((
                at,
                format!(
                    "installs {} but builds nothing with them in this RUN: they serve later steps",
                    installs.packages.join(", ")
                ),
            ));
        };
        if let Some(reason) = installs.not_a_group {
            return Err((at, reason));
        }
        self.structure_understood(&installs)?;
        self.runs_as_root()?;
        self.unused_later()?;
        let (prepend, purge) = match installs.manager {
            Manager::Apt => (
                Some(self.saved_marks_edit(first)?),
                self.apt_purge(&installs),
            ),
            _ => (None, self.apk_purge()),
        };
        let mut edits = Vec::new();
        if let Some(prepend) = prepend {
            edits.push(prepend);
        }
        if installs.manager == Manager::Apk {
            let word = first
                .subcommand_word
                .ok_or((at, "`apk` without a subcommand word".to_string()))?;
            edits.push(run_body::insert_after_word(word, "--virtual .build-deps"));
        }
        let append = self.append(&purge).ok_or((
            at,
            "no place to append the purge that keeps the RUN's meaning (it ends in the background, or errexit governs its last command)".to_string(),
        ))?;
        edits.push(append);
        let how = match installs.manager {
            Manager::Apt => {
                "marks them auto, keeps the packages of the libraries the built files link against, then `apt-get purge --auto-remove`"
            }
            _ => {
                "installs them as the virtual package .build-deps, keeps the libraries the built files link against (.run-deps), then `apk del .build-deps`"
            }
        };
        Ok(Some(Fix::unsafe_(
            format!(
                "purge the build-only packages ({}) at the end of the RUN that builds with them (`{builder}`): {how} (unsafe: the application or a later image may still run a compiler, git, curl or a package they pulled in)",
                installs.packages.join(", ")
            ),
            edits,
        )))
    }

    /// The script's shape is one the purge can follow: the install at the
    /// top level of an `&&` chain (or under `set -e`), no `||` around it,
    /// nothing that turns error checking off, literal package names, a
    /// plain install (no `sudo`).
    fn structure_understood(&self, installs: &BuildInstalls) -> Result<(), Skip> {
        for command in &installs.commands {
            let at = command.command.range.start;
            let where_ = command.context;
            if !where_.top_level || where_.in_compound || where_.in_subshell {
                return Err((
                    at,
                    "the install is inside an if, a loop, a group, a subshell or a pipeline: dockfix does not follow where it ends".into(),
                ));
            }
            if where_.conditional {
                return Err((
                    at,
                    "the install is joined with `||` (or negated): whether it ran is not certain"
                        .into(),
                ));
            }
            if command.args.iter().any(Option::is_none) {
                return Err((
                    at,
                    "the install names packages through variables: dockfix cannot tell which are build-only".into(),
                ));
            }
            if command.command.words[0].range != command.program_word.range {
                return Err((
                    at,
                    "the package manager runs through a wrapper (sudo, env, ...): the purge may not run the same way".into(),
                ));
            }
        }
        let at = installs.commands[0].command.range.start;
        if self.script.has_top_level_or() || self.script.has_background() {
            return Err((
                at,
                "the RUN joins commands with `||` or runs one in the background: the purge could run after a failure".into(),
            ));
        }
        let errexit = starts_with_errexit(self.script)
            || crate::shell::errexit::shell_sets_errexit(&self.file.shell_at(self.run));
        if self.script.lists.len() > 1 && !errexit {
            return Err((
                at,
                "the RUN separates commands with `;` or newlines without `set -e`: a failed build step would not stop the purge".into(),
            ));
        }
        for (command, _) in self.script.simple_commands() {
            let words = command.literal_words().unwrap_or_default();
            let turns_off = words.first().is_some_and(|w| w == "set")
                && words[1..]
                    .iter()
                    .any(|w| w.starts_with('+') && w.contains('e') || w == "errexit");
            if turns_off {
                return Err((
                    command.range.start,
                    "the RUN turns error checking off (`set +e`): a failed build step would not stop the purge".into(),
                ));
            }
            if words.first().is_some_and(|w| w == SAVED_MARKS) {
                return Err((
                    command.range.start,
                    format!("the RUN uses `{SAVED_MARKS}` already"),
                ));
            }
        }
        if self.script.simple_commands().iter().any(|(command, _)| {
            command
                .assignments
                .iter()
                .any(|a| a.raw.starts_with(&format!("{SAVED_MARKS}=")))
        }) {
            return Err((at, format!("the RUN sets `{SAVED_MARKS}` already")));
        }
        Ok(())
    }

    /// apt and apk run as root here: no `USER` other than root is in force.
    fn runs_as_root(&self) -> Result<(), Skip> {
        let mut user = None;
        for stage in self.stage.lineage(self.stages).into_iter().rev() {
            let end = if stage.index == self.stage.index {
                self.index
            } else {
                stage.body.len()
            };
            for instruction in &stage.body[..end] {
                if instruction.kind() == InstructionKind::User {
                    user = Some(instruction.args());
                }
            }
        }
        match user {
            Some(user)
                if !matches!(
                    user.split(':').next().unwrap_or_default().trim(),
                    "root" | "0"
                ) =>
            {
                Err((
                    self.run.range().start,
                    format!("the RUN runs as USER {}: the purge needs root", user.trim()),
                ))
            }
            _ => Ok(()),
        }
    }

    /// Nothing built after the `RUN` in the image needs the build packages:
    /// no later `RUN`, `CMD`, `ENTRYPOINT` or `HEALTHCHECK` of the stage or
    /// the stages built from it runs a compiler, build tool or install, no
    /// `ONBUILD` trigger may, and no later stage copies from these stages.
    fn unused_later(&self) -> Result<(), Skip> {
        let at = self.run.range().start;
        let mut later: Vec<&Instruction> = self.stage.body[self.index + 1..].iter().collect();
        for stage in self.stages.iter().filter(|s| s.index > self.stage.index) {
            // Every stage built FROM this one, shipping or not (a `test`
            // stage that runs `make check` is built from the image too).
            let built_from_it = stage
                .lineage(self.stages)
                .iter()
                .any(|ancestor| ancestor.index == self.stage.index);
            if built_from_it {
                later.extend(stage.body.iter());
            }
            let copies_from_family = stage.body.iter().any(|instruction| {
                instruction
                    .as_copy()
                    .and_then(|copy| copy.from_stage())
                    .is_some_and(|from| {
                        let from = from.to_ascii_lowercase();
                        self.shipping.iter().any(|index| {
                            *index <= self.stage.index
                                && (from == index.to_string()
                                    || self.stages[*index].name().as_deref() == Some(&from))
                        })
                    })
            });
            if copies_from_family && !self.shipping.contains(&stage.index) {
                return Err((
                    at,
                    "a later stage copies files from this stage: it may copy what the purge removes"
                        .into(),
                ));
            }
        }
        for instruction in later {
            match instruction.kind() {
                InstructionKind::Onbuild => {
                    return Err((
                        at,
                        "an ONBUILD trigger may build in a child image, with these packages".into(),
                    ));
                }
                InstructionKind::Run => {
                    let scripts = Script::all_of_run(self.file, instruction);
                    if scripts.is_empty() {
                        if let Some(words) = instruction.json_args() {
                            check_words(&words, "RUN", at)?;
                            continue;
                        }
                        return Err((
                            instruction.range().start,
                            "this later RUN cannot be read: it may use the build packages, which stay".into(),
                        ));
                    }
                    for script in scripts {
                        for (command, _) in script.simple_commands() {
                            let words: Vec<String> = command
                                .words
                                .iter()
                                .map(|w| w.literal().unwrap_or_else(|| w.raw.to_string()))
                                .collect();
                            check_words(&words, "RUN", at)?;
                        }
                    }
                }
                InstructionKind::Cmd
                | InstructionKind::Entrypoint
                | InstructionKind::Healthcheck => {
                    let args = instruction.args();
                    let words: Vec<String> = args
                        .split(|c: char| {
                            c.is_whitespace()
                                || matches!(
                                    c,
                                    '"' | '[' | ']' | ',' | '\'' | ';' | '&' | '|' | '(' | ')'
                                )
                        })
                        .filter(|w| !w.is_empty())
                        .map(str::to_string)
                        .collect();
                    let keyword = instruction.keyword().to_uppercase();
                    for start in 0..words.len() {
                        check_words(&words[start..], &keyword, at)?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// `savedAptMark="$(apt-mark showmanual)" && ` before the first install:
    /// what was installed by hand before the build stays so.
    fn saved_marks_edit(&self, install: &PackageCommand) -> Result<Edit, Skip> {
        let at = install.command.range.start;
        for list in &self.script.lists {
            for (index, pipeline) in list.pipelines.iter().enumerate() {
                if pipeline.range.start <= at && at < pipeline.range.end {
                    if index > 0 && list.operators[index - 1] != AndOr::And {
                        break;
                    }
                    // Under `set -e` (several lists), a command of its own
                    // before the install's list: as an operand of `&&` its
                    // failure would not stop the script, only skip the rest
                    // of the list.
                    if self.script.lists.len() > 1 {
                        return Ok(Edit::insert(
                            list.range.start,
                            format!("{SAVED_MARKS}=\"$(apt-mark showmanual)\"; "),
                        ));
                    }
                    return Ok(Edit::insert(
                        pipeline.range.start,
                        format!("{SAVED_MARKS}=\"$(apt-mark showmanual)\" && "),
                    ));
                }
            }
        }
        Err((
            at,
            "the install is not a command of the RUN's top-level `&&` chain".into(),
        ))
    }

    /// The directories searched for what the build produced.
    fn scanned(&self) -> Vec<String> {
        let mut dirs: Vec<String> = SCANNED.iter().map(|d| d.to_string()).collect();
        let mut add = |dir: String| {
            let plain = dir
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c));
            let covered = dirs
                .iter()
                .any(|d| dir == *d || dir.starts_with(&format!("{d}/")));
            if plain && dir.starts_with('/') && dir != "/" && !covered {
                dirs.push(dir);
            }
        };
        // Stages built FROM another start in its last WORKDIR: only this
        // stage's own WORKDIR is read.
        if let Dir::Known(dir) = workdir::workdir_before(self.stage, self.index) {
            add(dir);
        }
        // Virtual environments the stage made (`python -m venv /venv`,
        // `virtualenv /venv`), and `pip install --user`'s /root/.local: only
        // from commands that surely ran (top level, unconditional), so the
        // directories exist and `find` does not fail on them.
        for (position, run) in self.stage.body[..=self.index].iter().enumerate() {
            if run.kind() != InstructionKind::Run {
                continue;
            }
            let workdir = workdir::workdir_before(self.stage, position);
            for script in Script::all_of_run(self.file, run) {
                for (command, where_) in script.simple_commands() {
                    if !where_.top_level || where_.conditional || where_.in_compound {
                        continue;
                    }
                    let Some(words) = command.literal_words() else {
                        continue;
                    };
                    let program = command.program().unwrap_or_default();
                    // Where the venv's own arguments start.
                    let venv_args = if program == "virtualenv" {
                        Some(1)
                    } else if program.starts_with("python") {
                        words
                            .windows(2)
                            .position(|w| w == ["-m", "venv"])
                            .map(|at| at + 2)
                    } else {
                        None
                    };
                    if let Some(from) = venv_args
                        && let Some(target) = words[from.min(words.len())..]
                            .iter()
                            .rev()
                            .find(|w| !w.starts_with('-'))
                        && let Dir::Known(path) = workdir.join(target)
                    {
                        add(path);
                    }
                    if std::ptr::eq(run, self.run)
                        && packages::package_command(command, where_).is_some_and(|package| {
                            package.manager == Manager::Pip && package.has_option(&["--user"])
                        })
                    {
                        add("/root/.local".to_string());
                    }
                }
            }
        }
        dirs
    }

    /// The commands appended for apt, joined with `&&`.
    fn apt_purge(&self, installs: &BuildInstalls) -> Vec<String> {
        let programs = self.programs_run_later();
        let mut keep_programs = String::new();
        if !programs.is_empty() {
            keep_programs = format!(" -v programs='{}'", programs.join(" "));
        }
        vec![
            format!("apt-mark auto {} > /dev/null", installs.packages.join(" ")),
            "buildDepsScan=\"$(mktemp -d)\"".to_string(),
            format!("printf '%s\\n' \"${SAVED_MARKS}\" > \"$buildDepsScan/manual\""),
            format!(
                "find {} -type f '(' -perm /111 -o -name '*.so*' -o -name '*.node' ')' -exec ldd '{{}}' ';' > \"$buildDepsScan/ldd\" 2> /dev/null",
                self.scanned().join(" ")
            ),
            format!(
                "awk{keep_programs} '{APT_KEEP_AWK}' \"$buildDepsScan/ldd\" /var/lib/dpkg/info/*.list >> \"$buildDepsScan/manual\""
            ),
            "xargs -r apt-mark manual < \"$buildDepsScan/manual\" > /dev/null".to_string(),
            "rm -rf \"$buildDepsScan\"".to_string(),
            "apt-get purge -y --auto-remove".to_string(),
        ]
    }

    /// The commands appended for apk, joined with `&&`.
    fn apk_purge(&self) -> Vec<String> {
        vec![
            "buildDepsScan=\"$(mktemp -d)\"".to_string(),
            format!(
                "scanelf --needed --nobanner --format '%n#p' --recursive {} > \"$buildDepsScan/needed\"",
                self.scanned().join(" ")
            ),
            format!(
                "awk -F '#' '{APK_RUN_DEPS_AWK}' \"$buildDepsScan/needed\" > \"$buildDepsScan/deps\""
            ),
            "xargs -r apk add --no-cache --virtual .run-deps < \"$buildDepsScan/deps\"".to_string(),
            "rm -rf \"$buildDepsScan\"".to_string(),
            "apk del --no-network .build-deps".to_string(),
        ]
    }

    /// Programs later steps run (by name), whose packages the purge keeps
    /// (an interpreter a `-dev` package pulled in, say).
    fn programs_run_later(&self) -> Vec<String> {
        let mut programs: Vec<String> = Vec::new();
        let mut note = |word: &str| {
            let name = last_component(word);
            let plain = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._+-".contains(c))
                && !name.starts_with('-');
            if plain && !programs.iter().any(|p| p == name) {
                programs.push(name.to_string());
            }
        };
        let mut later: Vec<&Instruction> = self.stage.body[self.index + 1..].iter().collect();
        for stage in self.stages.iter().filter(|s| s.index > self.stage.index) {
            if self.shipping.contains(&stage.index) {
                later.extend(stage.body.iter());
            }
        }
        for instruction in later {
            match instruction.kind() {
                InstructionKind::Run => {
                    for script in Script::all_of_run(self.file, instruction) {
                        for (command, _) in script.simple_commands() {
                            if let Some(name) = command.name()
                                && !ALWAYS_THERE.contains(&name.as_str())
                            {
                                note(&name);
                            }
                        }
                    }
                }
                InstructionKind::Cmd | InstructionKind::Entrypoint => {
                    if let Some(words) = instruction.json_args() {
                        if let Some(first) = words.first() {
                            note(first);
                        }
                    } else if let Some(first) = instruction.args().split_whitespace().next() {
                        note(first);
                    }
                }
                _ => {}
            }
        }
        programs.sort();
        programs
    }

    /// The commands, appended after the script's last command with `&&`, in
    /// the style of the `RUN` (one per line when it has continuations).
    fn append(&self, commands: &[String]) -> Option<Edit> {
        let multi_line =
            self.script.source == ScriptSource::ShellForm && self.run.has_continuations();
        let text = self.file.text();
        let escape = self.file.escape();
        let newline = self.run.newline_style();
        let indent = run_body::continuation_indent(self.run, text);
        // A RUN whose continuation lines start with `&&` gets its new lines
        // written the same way.
        let leading_and = multi_line
            && text[self.run.text_range()]
                .lines()
                .skip(1)
                .any(|line| line.trim_start().starts_with("&&"));
        let separator = match (multi_line, leading_and) {
            (true, true) => format!(" {escape}{newline}{indent}&& "),
            (true, false) => format!(" && {escape}{newline}{indent}"),
            // A heredoc script is read by the shell itself: its line
            // continuation is a backslash whatever the Dockerfile's escape.
            _ if matches!(self.script.source, ScriptSource::Heredoc { .. }) => {
                format!(" && \\{newline}    ")
            }
            _ => " && ".to_string(),
        };
        let joined = commands.join(&separator);
        // append_command decides whether and where an append keeps the
        // RUN's meaning; only the spelling differs here.
        let edit = run_body::append_command(
            self.run,
            self.script,
            &joined,
            text,
            escape,
            &self.file.shell_at(self.run),
        )?;
        if leading_and {
            return Some(Edit::insert(
                edit.range.start,
                format!(" {escape}{newline}{indent}&& {joined}"),
            ));
        }
        if matches!(self.script.source, ScriptSource::Heredoc { .. }) {
            return Some(Edit::insert(
                edit.range.start,
                format!("{separator}{joined}"),
            ));
        }
        Some(edit)
    }
}

/// A later step's words: does it run a build tool or an install?
fn check_words(words: &[String], keyword: &str, at: usize) -> Result<(), Skip> {
    let Some(first) = words.first() else {
        return Ok(());
    };
    let program = last_component(first);
    let second = words.get(1).map(String::as_str).unwrap_or_default();
    let reason = if BUILD_TOOLS.contains(&program) {
        Some(format!("runs `{program}`"))
    } else if (is_pip_like(program) && matches!(second, "install" | "wheel"))
        || (matches!(program, "npm" | "pnpm")
            && matches!(second, "ci" | "install" | "i" | "rebuild"))
        || program == "yarn"
        || (matches!(program, "gem" | "bundle") && second == "install")
        || (program.starts_with("python") && second == "setup.py")
    {
        Some(format!("runs `{program} {second}`, which may compile"))
    } else {
        None
    };
    match reason {
        Some(reason) => Err((
            at,
            format!("a later {keyword} {reason}: the build packages stay"),
        )),
        None => Ok(()),
    }
}

fn is_pip_like(program: &str) -> bool {
    program
        .strip_prefix("pip")
        .is_some_and(|version| version.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// The package name without a version, release or architecture:
/// `gcc=4:12.2.0-3` → `gcc`, `libpq-dev/bookworm` → `libpq-dev`,
/// `gcc:amd64` → `gcc`; apk's `gcc>=12` and `gcc~12` → `gcc`.
fn package_name(operand: &str) -> &str {
    let end = operand
        .find(['=', '/', ':', '<', '>', '~'])
        .unwrap_or(operand.len());
    &operand[..end]
}

fn is_apt_build_package(name: &str) -> bool {
    APT_BUILD_PACKAGES.contains(&name)
        || name.ends_with("-dev")
        || ["gcc-", "g++-", "cpp-", "clang-", "llvm-", "gfortran-"]
            .iter()
            .any(|prefix| {
                name.strip_prefix(prefix)
                    .is_some_and(|version| version.chars().all(|c| c.is_ascii_digit() || c == '.'))
            })
}

fn is_apk_build_package(name: &str) -> bool {
    APK_BUILD_PACKAGES.contains(&name) || name.ends_with("-dev")
}

/// The script's installs of build packages: apt (`apt-get install`) or apk
/// (`apk add`), one manager per script. Download tools count when the
/// script runs them after installing them.
fn build_installs<'s>(
    script: &'s Script,
    commands: &[PackageCommand<'s>],
) -> Option<BuildInstalls<'s>> {
    let mut found: Option<BuildInstalls> = None;
    for command in commands {
        let manager = command.manager;
        let is_install = match manager {
            Manager::Apt => command.subcommand == Some("install"),
            Manager::Apk => command.subcommand == Some("add"),
            _ => false,
        };
        if !is_install {
            continue;
        }
        let build: Vec<String> = command
            .operands()
            .iter()
            .map(|operand| package_name(operand).to_string())
            .filter(|name| {
                let build_package = match manager {
                    Manager::Apt => is_apt_build_package(name),
                    _ => is_apk_build_package(name),
                };
                build_package
                    || DOWNLOAD_TOOLS.contains(&name.as_str())
                        && runs_after(script, command.command.range.end, name)
            })
            .collect();
        if build.is_empty() {
            continue;
        }
        let entry = found.get_or_insert_with(|| BuildInstalls {
            manager,
            commands: Vec::new(),
            packages: Vec::new(),
            not_a_group: None,
        });
        if entry.manager != manager {
            continue;
        }
        entry.commands.push(command.clone());
        for name in build {
            if !entry.packages.contains(&name) {
                entry.packages.push(name);
            }
        }
    }
    // Download tools alone are no build: the issue is compilers and headers.
    if let Some(installs) = &found
        && installs
            .packages
            .iter()
            .all(|name| DOWNLOAD_TOOLS.contains(&name.as_str()))
    {
        return None;
    }
    // An apk install that mixes runtime packages with build ones would put
    // the runtime ones in .build-deps too: only whole build installs.
    if let Some(installs) = &mut found
        && installs.manager == Manager::Apk
    {
        let all_build = installs.commands.iter().all(|command| {
            command.operands().iter().all(|operand| {
                let name = package_name(operand);
                installs.packages.iter().any(|p| p == name)
            }) && !command.has_option(&["--virtual", "-t"])
        });
        if !all_build {
            installs.not_a_group = Some(
                "`apk add` names runtime packages beside the build ones (or has its own --virtual group): a .build-deps group would take them away too".to_string(),
            );
        }
    }
    found
}

/// True when the script runs `program` after `offset`.
fn runs_after(script: &Script, offset: usize, program: &str) -> bool {
    script
        .simple_commands()
        .iter()
        .any(|(command, _)| command.range.start >= offset && command.program() == Some(program))
}

/// The first build step after `offset`: an install of language packages
/// that may compile (pip, npm, yarn, gem, bundle), `make`, a compiler,
/// `./configure`, `go build`, `cargo build`, `git clone`, a download.
fn builds_after(script: &Script, offset: usize) -> Option<String> {
    for (command, _) in script.simple_commands() {
        if command.range.start < offset {
            continue;
        }
        let Some(program) = command.program() else {
            continue;
        };
        let words = words_of(command);
        let second = words.get(1).map(String::as_str).unwrap_or_default();
        let builds = BUILD_TOOLS.contains(&program)
            || packages::package_command(command, Default::default()).is_some_and(|package| {
                matches!(
                    (package.manager, package.subcommand),
                    (Manager::Pip, Some("install" | "wheel"))
                        | (
                            Manager::Npm | Manager::Pnpm,
                            Some("ci" | "install" | "i" | "rebuild")
                        )
                        | (Manager::Yarn, None | Some("install" | "add"))
                        | (Manager::Gem | Manager::Bundle, Some("install"))
                )
            })
            || program.starts_with("python") && second == "setup.py";
        if builds {
            return Some(words[..words.len().min(3)].join(" "));
        }
    }
    None
}

fn words_of(command: &SimpleCommand) -> Vec<String> {
    command
        .words
        .iter()
        .map(|word| word.literal().unwrap_or_else(|| word.raw.to_string()))
        .collect()
}

/// The script removes build packages already: the official images'
/// pattern (`apt-mark showmanual`, `apt-get purge`, `apt-get autoremove`)
/// or `apk del`.
fn already_purges(script: &Script) -> bool {
    packages::package_commands(script).iter().any(|command| {
        matches!(
            (command.manager, command.subcommand),
            (Manager::Apt, Some("purge" | "remove" | "autoremove")) | (Manager::Apk, Some("del"))
        )
    }) || script.simple_commands().iter().any(|(command, _)| {
        let words = words_of(command);
        words.first().is_some_and(|w| w == "apt-mark")
            || command
                .assignments
                .iter()
                .any(|a| a.raw.contains("apt-mark showmanual"))
    })
}

/// The script's first command is `set -e` (or `set -eux`, `set -o errexit`).
fn starts_with_errexit(script: &Script) -> bool {
    let Some(first) = script
        .lists
        .first()
        .and_then(|list| list.pipelines.first())
        .and_then(|pipeline| pipeline.commands.first())
    else {
        return false;
    };
    let crate::shell::Command::Simple(simple) = first else {
        return false;
    };
    let words = words_of(simple);
    words.first().is_some_and(|w| w == "set")
        && words[1..].iter().any(|w| {
            w == "errexit" || w.starts_with('-') && !w.starts_with("--") && w.contains('e')
        })
        && script
            .lists
            .first()
            .is_some_and(|list| list.terminator != Terminator::Background)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The awk programs do what their comments say, run by this machine's
    /// awk on sample `ldd`, dpkg and `scanelf` data (skipped without awk).
    #[test]
    fn awk_programs_find_the_packages_to_keep() {
        let run = |args: &[&str], dir: &std::path::Path| {
            std::process::Command::new("awk")
                .args(args)
                .current_dir(dir)
                .output()
                .ok()
                .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
        };
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write(
            "ldd",
            "\tlinux-vdso.so.1 (0x00007ffd)\n\
             \tlibpq.so.5 => /lib/x86_64-linux-gnu/libpq.so.5 (0x00007f1)\n\
             \tlibc.so.6 => /usr/lib/x86_64-linux-gnu/libc.so.6 (0x00007f2)\n\
             \tlibgone.so.1 => not found\n\
             \t/lib64/ld-linux-x86-64.so.2 (0x00007f3)\n",
        );
        write(
            "libpq5:amd64.list",
            "/usr/lib/x86_64-linux-gnu/libpq.so.5\n/usr/lib/x86_64-linux-gnu/libpq.so.5.15\n",
        );
        write("libc6:amd64.list", "/lib/x86_64-linux-gnu/libc.so.6\n");
        write("libpq-dev.list", "/usr/include/postgresql/libpq-fe.h\n");
        write("python3-minimal.list", "/usr/bin/python3\n");
        write("gcc-12.list", "/usr/bin/gcc-12\n");
        let Some(kept) = run(
            &[
                "-v",
                "programs=python3 uwsgi",
                APT_KEEP_AWK,
                "ldd",
                "gcc-12.list",
                "libc6:amd64.list",
                "libpq-dev.list",
                "libpq5:amd64.list",
                "python3-minimal.list",
            ],
            dir.path(),
        ) else {
            eprintln!("SKIPPED (not run): no awk on this machine");
            return;
        };
        assert_eq!(kept, "libc6:amd64\nlibpq5:amd64\npython3-minimal\n");
        write(
            "needed",
            "libpq.so.5,libc.musl-x86_64.so.1\nlibc.musl-x86_64.so.1,libssl.so.3\n\n",
        );
        let deps = run(&["-F", "#", APK_RUN_DEPS_AWK, "needed"], dir.path()).unwrap();
        assert_eq!(
            deps,
            "so:libpq.so.5\nso:libc.musl-x86_64.so.1\nso:libssl.so.3\n"
        );
    }

    #[test]
    fn package_names() {
        assert_eq!(package_name("gcc=4:12.2.0-3"), "gcc");
        assert_eq!(package_name("libpq-dev/bookworm-backports"), "libpq-dev");
        assert_eq!(package_name("gcc:amd64"), "gcc");
        assert_eq!(package_name("gcc>=12"), "gcc");
        assert!(is_apt_build_package("gcc-12"));
        assert!(is_apt_build_package("libpq-dev"));
        assert!(is_apt_build_package("build-essential"));
        assert!(!is_apt_build_package("libpq5"));
        assert!(!is_apt_build_package("gcc-12-base-x"));
        assert!(!is_apt_build_package("curl"));
        assert!(is_apk_build_package("build-base"));
        assert!(is_apk_build_package("postgresql-dev"));
        assert!(!is_apk_build_package("libpq"));
    }
}
