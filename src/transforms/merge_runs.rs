#![doc = include_str!("../../transforms/merge-runs/README.md")]

use std::ops::Range;

use rowan::{GreenNodeData, Language, NodeOrToken};

use crate::engine::{Context, Edit, Fix, Safety, Transform};
use crate::paths::last_component;
use crate::shell::{
    AndOrList, Command as ShellCommand, CompoundKind, Script, SimpleCommand, Word,
    expansion_assignments,
};
use crate::syntax::kind::DockerfileLanguage;
use crate::syntax::{Dockerfile, Instruction, InstructionKind, SyntaxKind};

pub struct MergeRuns;

impl Transform for MergeRuns {
    fn id(&self) -> &'static str {
        "merge-runs"
    }

    fn summary(&self) -> &'static str {
        "Join consecutive RUN instructions of a stage into one layer"
    }

    fn safety(&self) -> Safety {
        Safety::Safe
    }

    fn docs(&self) -> &'static str {
        include_str!("../../transforms/merge-runs/README.md")
    }

    fn edits_shell(&self) -> bool {
        true
    }

    fn fixes(&self, file: &Dockerfile, context: &Context) -> Vec<Fix> {
        let text = file.text();
        // Walking every token of the file for the house style costs more
        // than the rest of the transform on files with nothing to merge:
        // done only when a merge is made.
        let indent = std::cell::OnceCell::new();
        let indent = || indent.get_or_init(|| continuation_indent(file)).as_str();
        let mut fixes = Vec::new();
        let stages = file.stages();
        for stage in &stages {
            let mut group: Vec<Mergeable> = Vec::new();
            // What ENV and ARG set for the RUNs, from the stages this one
            // is built FROM and then, instruction by instruction, its own.
            let mut environment = StageEnvironment::default();
            for base in stage.lineage(&stages).iter().skip(1) {
                for instruction in &base.body {
                    environment.learn(file, instruction);
                }
            }
            for (index, instruction) in stage.body.iter().enumerate() {
                environment.learn(file, instruction);
                let beside_a_run = [index.checked_sub(1), Some(index + 1)]
                    .into_iter()
                    .flatten()
                    .filter_map(|i| stage.body.get(i))
                    .any(|other| other.kind() == InstructionKind::Run);
                // A RUN with no RUN beside it has nothing to join (and no
                // reason worth saying): its analysis, the costly part of
                // this transform, is skipped.
                let next = if instruction.kind() != InstructionKind::Run || !beside_a_run {
                    None
                } else {
                    // Inherited from the stage it is built FROM, or the
                    // platform default.
                    let shell = Some(file.shell_at(instruction).to_vec());
                    let startup = shell
                        .as_deref()
                        .and_then(startup_files_read)
                        .or_else(|| environment.startup_file());
                    let mergeable = match startup {
                        Some(reason) => Err(Some(reason)),
                        None => Mergeable::new(
                            file,
                            instruction,
                            text,
                            shell.as_deref(),
                            environment.shellopts,
                        ),
                    };
                    match mergeable {
                        Ok(next) => Some(next),
                        Err(reason) => {
                            if let Some(reason) = reason {
                                context.skip(self.id(), instruction.text_range().start, reason);
                            }
                            None
                        }
                    }
                };
                let refusal = match &next {
                    Some(next) if !group.is_empty() => why_not_joined(&group, next),
                    _ => Some(None),
                };
                if let Some(reason) = refusal {
                    if let (Some(reason), Some(next)) = (reason, &next) {
                        context.skip(self.id(), next.run.text_range().start, reason);
                    }
                    fixes.extend(merge(&group, &indent, file.escape()));
                    group.clear();
                }
                if let Some(next) = next {
                    group.push(next);
                }
            }
            fixes.extend(merge(&group, &indent, file.escape()));
        }
        fixes
    }
}

/// What ENV and ARG (both are in a RUN's environment) set before a RUN
/// that changes how its shell starts.
#[derive(Debug, Default, Clone, Copy)]
struct StageEnvironment {
    /// `BASH_ENV`: bash sources the file it names at the start of every
    /// non-interactive shell, so every RUN. A RUN that writes that file
    /// changes the RUNs after it, as separate RUNs only.
    bash_env: bool,
    /// `SHELLOPTS`: bash turns on the options it lists when it starts.
    shellopts: bool,
}

impl StageEnvironment {
    fn learn(&mut self, file: &Dockerfile, instruction: &Instruction) {
        if !matches!(
            instruction.kind(),
            InstructionKind::Env | InstructionKind::Arg
        ) {
            return;
        }
        for pair in instruction.key_values(file.escape()) {
            match pair.key.as_str() {
                "BASH_ENV" => self.bash_env = true,
                "SHELLOPTS" => self.shellopts = true,
                _ => {}
            }
        }
    }

    fn startup_file(&self) -> Option<String> {
        self.bash_env.then(|| {
            "not merged: BASH_ENV is set, so bash reads the file it names at the start \
             of every RUN, and a RUN that writes that file changes the RUNs after it \
             only while they stay apart"
                .to_string()
        })
    }
}

/// Why the stage's `SHELL` rules merging out: a login shell (`-l`,
/// `--login`) reads /etc/profile and ~/.profile, an interactive one (`-i`)
/// ~/.bashrc or the file `$ENV` names, at the start of every RUN. Installers
/// write there (nvm, rustup, `conda init`), and the RUN after them relies
/// on a new shell reading it; merged, one shell would have read it before.
fn startup_files_read(shell: &[String]) -> Option<String> {
    let options = shell.iter().skip(1).take_while(|word| *word != "-c");
    let option = options.into_iter().find(|word| {
        matches!(
            word.as_str(),
            "--login" | "--rcfile" | "--init-file" | "-l" | "-i"
        ) || word.len() > 1
            && word.starts_with('-')
            && word[1..].bytes().all(|byte| byte.is_ascii_lowercase())
            && (word.contains('l') || word.contains('i'))
    })?;
    Some(format!(
        "not merged: SHELL runs the shell with `{option}`, so each RUN starts by reading \
         startup files (/etc/profile, ~/.profile, ~/.bashrc), and a RUN that writes one \
         (as nvm, rustup and `conda init` do) changes the RUNs after it only while they \
         stay apart"
    ))
}

/// Why `next` cannot join `group` (the RUNs just before it): `None` when it
/// can; `Some(None)` when there is nothing worth saying.
fn why_not_joined(group: &[Mergeable], next: &Mergeable) -> Option<Option<String>> {
    let last = group.last()?;
    if last.flags != next.flags {
        return Some(Some(
            "not merged with the RUN above: their flags differ".into(),
        ));
    }
    for member in group {
        if let Some(name) = next.reads_any(&member.assigns) {
            return Some(Some(format!(
                "not merged with the RUN above: it reads ${name}, which a RUN above sets \
                 (merged, that setting would seem to reach it; it would not)"
            )));
        }
    }
    if last.errexit_must_be_last && !errexit_chain(group, next) {
        return Some(Some(
            "not merged with the RUN above: that RUN runs with errexit (set -e, or -e in \
             SHELL), which a shell ignores to the left of `&&`, so its failing commands \
             would no longer stop the build"
                .into(),
        ));
    }
    if let Some(name) = next.reads_special {
        return Some(Some(format!(
            "not merged with the RUN above: it reads ${name}, which would change in one RUN"
        )));
    }
    if let Some(name) = stale_lookup(group, next) {
        return Some(Some(format!(
            "not merged with the RUN above: it runs `{name}`, which an earlier RUN ran \
             before something that may install or remove programs; in one shell the \
             remembered (hashed) path of `{name}` would still be used"
        )));
    }
    None
}

/// A command name `next` would find through the shell's remembered paths
/// where, as its own RUN, it would search PATH again.
///
/// dash and bash remember where they found a program the first time they
/// run it (bash also when a pipeline runs it in dash's case, and `command
/// -v`, `type` and `hash` in dash), and keep using that path: a binary
/// installed earlier in PATH afterwards is not seen (dash and bash), and a
/// removed one makes bash fail with "No such file or directory". Only the
/// shell's own lookups are remembered: a subshell's end with it.
fn stale_lookup(group: &[Mergeable], next: &Mergeable) -> Option<String> {
    for (index, member) in group.iter().enumerate() {
        // State-changing members other than the last are wrapped in a
        // subshell once `next` joins: their lookups end with it.
        if member.changes_state {
            continue;
        }
        for name in &member.lookups {
            if !(next.runs_unknown || next.runs.contains(name)) {
                continue;
            }
            let may_shadow = group[index..].iter().any(|later| {
                let changes = &later.executables;
                changes.opaque
                    || changes.names.contains(name)
                    || changes.alpine_packages && name != "apk"
            });
            if may_shadow {
                return Some(name.clone());
            }
        }
    }
    None
}

/// A `RUN` that can be joined with its neighbours, with what the join must
/// know about its shell text.
struct Mergeable {
    run: Instruction,
    /// Flag texts, sorted: RUNs join only when these are equal.
    flags: Vec<String>,
    /// File offset where the shell text starts (after keyword and flags).
    body_start: usize,
    /// File offset just after the last top-level command.
    body_end: usize,
    /// Comment lines (with their indentation) between the keyword and the
    /// first command: a `RUN \` followed by a comment line.
    leading_comments: Vec<String>,
    /// Changes shell state (`cd`, `export`, …) that must not reach what follows.
    changes_state: bool,
    /// Variables the RUN sets (`export A=…`, `A=…`, `read A`, …). Once
    /// wrapped in a subshell they no longer reach the next command, which
    /// is right, but joining a RUN that reads one would look like it is
    /// meant to (shellcheck SC2031): such RUNs are not joined.
    assigns: Vec<String>,
    /// The shell text, to see which variables it reads.
    body: String,
    /// `||` or several lists at the top level: `&&` before it would bind to
    /// only its first part.
    needs_braces: bool,
    /// It may run with errexit on and what it does then depends on it: it
    /// can only be the last part of a merged RUN (see [`errexit_matters`]).
    errexit_must_be_last: bool,
    /// The text of a leading `set` that turns errexit on (`set -eux`), its
    /// own first top-level list, and where the rest of the RUN starts:
    /// RUNs that begin with the same one can be chained (see
    /// [`errexit_chain`]).
    errexit_prefix: Option<(String, usize)>,
    /// A shell variable whose value depends on where in the script it is
    /// read (`$LINENO`, `$_`, `$SECONDS`).
    reads_special: Option<&'static str>,
    /// Programs this shell itself looks up, and so remembers the path of.
    lookups: Vec<String>,
    /// Programs it runs anywhere (subshells inherit remembered paths).
    runs: Vec<String>,
    /// It may run a program whose name we cannot read (`eval`, `.`, `$CMD`,
    /// a command substitution).
    runs_unknown: bool,
    /// What it may do to the programs on PATH.
    executables: ExecutableChanges,
}

#[derive(Debug, Default, Clone)]
struct ExecutableChanges {
    /// Adds, upgrades or removes Alpine packages, which may replace BusyBox
    /// programs by others earlier on PATH.
    alpine_packages: bool,
    /// Runs something that may create, move or remove any program: a
    /// script, a shell, `make install`, `cp`, `tar`, `rm` outside caches, a
    /// command we cannot read.
    opaque: bool,
    /// The other programs' arguments (last path components): what they
    /// may install is named there (`pip install -U pip`).
    names: Vec<String>,
}

impl Mergeable {
    /// `Err(Some(reason))` when the RUN may not be merged for a reason worth
    /// reporting; `Err(None)` when it obviously cannot (not a shell-form RUN).
    fn new(
        file: &Dockerfile,
        instruction: &Instruction,
        text: &str,
        shell: Option<&[String]>,
        shellopts: bool,
    ) -> Result<Self, Option<String>> {
        if instruction.kind() != InstructionKind::Run
            || instruction.is_error()
            || !instruction.heredocs().is_empty()
        {
            return Err(None);
        }
        if let Some(pragma) = pragma_above(instruction) {
            return Err(Some(format!("not merged: `{pragma}` above it")));
        }
        let script = Script::shared_of_run(file, instruction).ok_or(None)?;
        let first = script.lists.first().ok_or(None)?;
        let last = script.lists.last().ok_or(None)?;
        if script.has_background() {
            return Err(Some(
                "not merged: it runs something in the background (`&`)".into(),
            ));
        }
        // Only blanks and comment lines may sit before the first command and
        // only blanks and a final `;` after the last one: anything else (a
        // shell comment, a redirection we do not place) would be cut or
        // commented out.
        let args = instruction.args_range();
        let text_end = instruction.text_range().end;
        let trailing = text[last.range.end..text_end].trim();
        let leading_comments = comments_in(instruction, first.range.start);
        if !only_blank(text, args.start.min(first.range.start)..first.range.start)
            && leading_comments.is_empty()
            || !(trailing.is_empty() || trailing == ";")
        {
            return Err(Some(
                "not merged: it has text before its first command or after its last one \
                 (a shell comment, a redirection of a compound command) that joining could cut"
                    .into(),
            ));
        }
        let mut flags: Vec<String> = instruction
            .flags()
            .into_iter()
            .map(|flag| match flag.value {
                Some(value) => format!("{}={value}", flag.name),
                None => flag.name,
            })
            .collect();
        flags.sort();
        let body = text[first.range.start..last.range.end].to_string();
        let mut assigns = assigned_variables(&script);
        assigns.extend(expansion_assignments(&body));
        let (runs, runs_unknown) = programs_run(&script, &body);
        Ok(Self {
            run: instruction.clone(),
            flags,
            body_start: first.range.start,
            body_end: last.range.end,
            leading_comments,
            changes_state: !script.state_changes().is_empty()
                || !expansion_assignments(&body).is_empty(),
            assigns,
            needs_braces: script.lists.len() > 1 || script.has_top_level_or(),
            errexit_must_be_last: errexit_matters(&script, shell, shellopts),
            errexit_prefix: errexit_prefix(&script, text),
            reads_special: reads_special(&body),
            lookups: lookups(&script),
            runs,
            runs_unknown,
            executables: executable_changes(&script, &body),
            body,
        })
    }
}

impl Mergeable {
    /// The first of `names` the RUN's text expands.
    fn reads_any<'n>(&self, names: &'n [String]) -> Option<&'n String> {
        names.iter().find(|name| {
            self.body.contains(&format!("${name}")) || self.body.contains(&format!("${{{name}"))
        })
    }
}

/// Shell variables whose value is where or when they are read, not what an
/// earlier command set: merged, a later RUN would see another value.
fn reads_special(body: &str) -> Option<&'static str> {
    const SPECIAL: &[&str] = &["LINENO", "SECONDS", "BASH_COMMAND", "BASH_LINENO", "_"];
    SPECIAL.iter().copied().find(|name| {
        body.contains(&format!("${{{name}}}"))
            || body.match_indices(&format!("${name}")).any(|(at, found)| {
                !body[at + found.len()..]
                    .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            })
    })
}

/// Does errexit decide what this RUN does, where it may be on?
///
/// POSIX ignores `set -e` in every command of an `&&`/`||` list but the
/// last, and in everything such a command runs: subshells, brace groups,
/// functions (dash and bash alike, and bash in POSIX mode also in command
/// substitutions). A RUN joined before ` && ` is such a command, so a RUN
/// that turns errexit on (`set -e`, `set -eux`, `set -o errexit`) or runs
/// under a `SHELL` with `-e` keeps its meaning only as the last part of the
/// merged RUN. Except when errexit cannot matter: a single `&&` chain of
/// simple commands stops at its first failure with or without it.
/// `shellopts`: the RUN's environment sets `SHELLOPTS`, whose options bash
/// turns on when it starts (`ENV SHELLOPTS=errexit` is `set -e` in every
/// RUN), so errexit may be on whatever the script says.
fn errexit_matters(script: &Script, shell: Option<&[String]>, shellopts: bool) -> bool {
    use crate::shell::errexit::{errexit_cannot_matter, may_enable_errexit, shell_sets_errexit};
    let may_be_on =
        shellopts || shell.is_some_and(shell_sets_errexit) || may_enable_errexit(script);
    may_be_on && !errexit_cannot_matter(script)
}

/// Package managers of the distributions: their own programs are not
/// replaced by other packages (Debian Policy 10.1: no two packages ship
/// different programs under one name).
const PACKAGE_MANAGERS: &[&str] = &[
    "apt-get", "apt", "dpkg", "apk", "yum", "dnf", "microdnf", "zypper", "rpm", "tdnf",
];

/// Shell built-ins of dash and bash: never looked up on PATH.
const BUILTINS: &[&str] = &[
    ".", ":", "[", "alias", "bg", "break", "builtin", "cd", "command", "continue", "declare",
    "echo", "eval", "exec", "exit", "export", "false", "fg", "getopts", "hash", "jobs", "kill",
    "let", "local", "printf", "pwd", "read", "readonly", "return", "set", "shift", "shopt",
    "source", "test", "times", "trap", "true", "type", "typeset", "ulimit", "umask", "unalias",
    "unset", "wait",
];

/// Programs that may put any program anywhere: shells running scripts,
/// file copiers and unpackers, runners of other commands.
const OPAQUE: &[&str] = &[
    ".", "bash", "cp", "dash", "eval", "exec", "find", "install", "ln", "mv", "rsync", "sh",
    "source", "tar", "unzip", "xargs", "zsh",
];

/// Programs that never create, replace or remove a program on PATH.
const INERT: &[&str] = &[
    "adduser",
    "addgroup",
    "basename",
    "cat",
    "chgrp",
    "chown",
    "cut",
    "date",
    "dirname",
    "egrep",
    "fgrep",
    "getent",
    "grep",
    "groupadd",
    "groupmod",
    "groups",
    "head",
    "hostname",
    "id",
    "ldconfig",
    "locale-gen",
    "localedef",
    "ls",
    "md5sum",
    "mkdir",
    "mktemp",
    "sed",
    "sha1sum",
    "sha256sum",
    "sha512sum",
    "sleep",
    "sort",
    "tail",
    "tee",
    "touch",
    "tr",
    "uname",
    "uniq",
    "useradd",
    "usermod",
    "wc",
    "whoami",
];

/// Walks every simple command, saying whether it runs in this shell or in
/// a subshell (`( … )`).
fn for_each_command<'s>(
    lists: &'s [AndOrList],
    in_subshell: bool,
    visit: &mut dyn FnMut(&'s SimpleCommand, bool),
) {
    for list in lists {
        for pipeline in &list.pipelines {
            for command in &pipeline.commands {
                match command {
                    ShellCommand::Simple(simple) => visit(simple, in_subshell),
                    ShellCommand::Compound { kind, inner, .. } => for_each_command(
                        inner,
                        in_subshell || *kind == CompoundKind::Subshell,
                        visit,
                    ),
                }
            }
        }
    }
}

/// Programs the shell itself looks up (outside subshells; dash also for
/// the commands of a pipeline and for `command -v`, `type`, `hash`).
fn lookups(script: &Script) -> Vec<String> {
    let mut names = Vec::new();
    for_each_command(&script.lists, false, &mut |command, in_subshell| {
        if in_subshell {
            return;
        }
        let Some((program, args)) = command.effective() else {
            return;
        };
        if matches!(program, "command" | "type" | "hash") {
            names.extend(args.iter().filter_map(|arg| arg.literal()));
        }
        if let Some(name) = command.name()
            && !name.contains('/')
            && !BUILTINS.contains(&name.as_str())
        {
            names.push(name);
        }
    });
    names.retain(|name| !name.starts_with('-') && !name.contains('/'));
    names.sort();
    names.dedup();
    names
}

/// Programs run anywhere in the script, and whether it may run others we
/// cannot name.
fn programs_run(script: &Script, body: &str) -> (Vec<String>, bool) {
    let mut names = Vec::new();
    let mut unknown = body.contains("$(") || body.contains('`');
    for_each_command(
        &script.lists,
        false,
        &mut |command, _| match command.effective() {
            Some(("eval" | "." | "source", _)) => unknown = true,
            Some(_) => names.extend(command.name()),
            None => unknown = true,
        },
    );
    names.sort();
    names.dedup();
    (names, unknown)
}

/// What the script may do to the programs on PATH.
fn executable_changes(script: &Script, body: &str) -> ExecutableChanges {
    let mut changes = ExecutableChanges {
        // A command substitution can run anything.
        opaque: body.contains("$(") || body.contains('`'),
        ..ExecutableChanges::default()
    };
    for (command, _) in script.simple_commands() {
        let Some((program, args)) = command.effective() else {
            changes.opaque = true;
            continue;
        };
        let literal: Vec<Option<String>> = args.iter().map(|arg| arg.literal()).collect();
        let subcommand = literal
            .iter()
            .flatten()
            .find(|arg| !arg.starts_with('-'))
            .map(String::as_str);
        if BUILTINS.contains(&program) && !OPAQUE.contains(&program) || INERT.contains(&program) {
            continue;
        }
        if PACKAGE_MANAGERS.contains(&program) {
            // Debian, Red Hat and SUSE packages do not ship a program under
            // a name another package's program has (Debian Policy 10.1,
            // Fedora's "Conflicting Files" guideline), so installing one
            // cannot put a new program before an old one on PATH. Alpine
            // can: `apk add coreutils` (or findutils, grep, tar, …) adds GNU
            // programs in /usr/bin ahead of BusyBox's links in /bin.
            let only_reads = matches!(
                subcommand,
                Some("update" | "info" | "search" | "list" | "policy" | "cache" | "stats")
            );
            changes.alpine_packages |= program == "apk" && !only_reads;
            continue;
        }
        if program == "rm" {
            // Removing caches and package lists leaves PATH alone.
            let harmless = literal.iter().all(|arg| {
                arg.as_deref().is_some_and(|arg| {
                    arg.starts_with('-')
                        || ["/var/", "/tmp/", "/root/.cache", "/etc/"]
                            .iter()
                            .any(|prefix| arg.starts_with(prefix))
                })
            });
            changes.opaque |= !harmless;
            continue;
        }
        let runs_a_script = command
            .name()
            .is_some_and(|name| name.contains('/') && !name.starts_with("/usr/bin/"));
        let installs = matches!(program, "make" | "cmake" | "ninja" | "meson" | "scons")
            && literal
                .iter()
                .any(|arg| arg.as_deref().is_none_or(|arg| arg.contains("install")));
        if runs_a_script || installs || OPAQUE.contains(&program) {
            changes.opaque = true;
            continue;
        }
        // Any other program installs at most what its arguments name (`pip
        // install -U pip`, `curl -o /usr/local/bin/tool`, `npm i -g npm`).
        for arg in &literal {
            match arg {
                // The program name in a path or a package requirement:
                // `/usr/local/bin/tool`, `npm@10`, `pip==24.0`, `pip>=23`.
                Some(arg) => {
                    let base = last_component(arg);
                    let name = base
                        .split(['@', '=', '<', '>', '~', '!', '[', ';'])
                        .next()
                        .unwrap_or(base);
                    changes.names.push(name.to_string());
                }
                None => changes.opaque = true,
            }
        }
    }
    changes
}

/// The `# dockerfmt-ignore` comment in the lines just above `run`, if any:
/// it asks formatters to leave this instruction as written, so it is not
/// joined with a neighbour. (`# hadolint ignore=DL3059`, `# tally ignore=…`
/// and `# dockfix: ignore=merge-runs` are the engine's suppressions.)
fn pragma_above(run: &Instruction) -> Option<String> {
    let mut element = run.syntax().prev_sibling_or_token();
    while let Some(current) = element {
        let Some(token) = current.as_token() else {
            break;
        };
        if token.kind() == SyntaxKind::COMMENT {
            let comment = token.text().trim_start_matches('#').trim();
            if comment.to_ascii_lowercase().starts_with("dockerfmt-ignore") {
                return Some(token.text().trim().to_string());
            }
        }
        element = current.prev_sibling_or_token();
    }
    None
}

/// Comment lines inside `instruction` before file offset `before`, each
/// with its indentation.
fn comments_in(instruction: &Instruction, before: usize) -> Vec<String> {
    instruction
        .syntax()
        .descendants_with_tokens()
        .filter_map(|element| element.into_token())
        .filter(|token| {
            token.kind() == SyntaxKind::COMMENT && usize::from(token.text_range().end()) <= before
        })
        .map(|token| format!("{}{}", indent_before(&token), token.text()))
        .collect()
}

fn indent_before(token: &crate::syntax::SyntaxToken) -> String {
    token
        .prev_token()
        .filter(|prev| matches!(prev.kind(), SyntaxKind::WHITESPACE | SyntaxKind::SPACE))
        .map(|prev| prev.text().to_string())
        .filter(|indent| !indent.contains(['\r', '\n']))
        .unwrap_or_default()
}

/// Names a script assigns at its top level or exports.
fn assigned_variables(script: &Script) -> Vec<String> {
    let mut names = Vec::new();
    let name_of = |word: &str| {
        let name: String = word
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        (!name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit())).then_some(name)
    };
    for (command, _) in script.simple_commands() {
        if command.words.is_empty() {
            names.extend(
                command
                    .assignments
                    .iter()
                    .filter_map(|word| name_of(&word.raw)),
            );
        }
        let Some((program, args)) = command.effective() else {
            continue;
        };
        match program {
            "export" | "declare" | "typeset" | "local" | "readonly" | "read" | "let"
            | "getopts" | "mapfile" | "readarray" | "printf" => names.extend(
                args.iter()
                    .filter(|w| !w.raw.starts_with('-'))
                    .filter_map(|word| name_of(&word.raw)),
            ),
            _ => {}
        }
    }
    names
}

fn only_blank(text: &str, range: Range<usize>) -> bool {
    text.get(range)
        .is_some_and(|between| between.trim().is_empty())
}

/// `set -eux; rest…`: the leading `set` (alone in the first top-level
/// list, literal options only, errexit among them) and where the rest starts.
fn errexit_prefix(script: &Script, text: &str) -> Option<(String, usize)> {
    let [first, second, ..] = script.lists.as_slice() else {
        return None;
    };
    let [pipeline] = first.pipelines.as_slice() else {
        return None;
    };
    let [ShellCommand::Simple(set)] = pipeline.commands.as_slice() else {
        return None;
    };
    if pipeline.negated || !set.assignments.is_empty() || !set.redirects.is_empty() {
        return None;
    }
    let words: Vec<String> = set.words.iter().map(Word::literal).collect::<Option<_>>()?;
    let (name, options) = words.split_first()?;
    let enables = options.iter().any(|option| {
        option == "errexit"
            || option.starts_with('-') && !option.starts_with("--") && option.contains('e')
    });
    let only_options = options.iter().all(|option| {
        option.starts_with(['-', '+']) || option == "errexit" || option == "pipefail"
    });
    (name == "set" && enables && only_options)
        .then(|| (text[set.range.clone()].to_string(), second.range.start))
}

/// True when `group` and `next` all start with the same errexit `set`
/// (`set -eux; …`): they can be chained as
/// `set -eux; ( rest… ); set -eux; ( rest… ); set -eux; rest…`.
///
/// Once the first `set` has run, errexit is on in the merged shell: each
/// earlier RUN's rest runs as a subshell, a command of its own (not part
/// of an `&&` list), so errexit applies inside it exactly as in a RUN of
/// its own, its state ends with it, and when it fails the subshell's
/// status stops the merged shell (POSIX: errexit applies to a failing
/// subshell). The next RUN's own `set` then sets the options that are
/// already set: the same text, so nothing else changes for it.
fn errexit_chain(group: &[Mergeable], next: &Mergeable) -> bool {
    let Some((prefix, _)) = &next.errexit_prefix else {
        return false;
    };
    group.iter().all(|member| {
        member
            .errexit_prefix
            .as_ref()
            .is_some_and(|(other, _)| other == prefix)
    })
}

/// One fix joining RUNs that all start with the same errexit `set`.
fn merge_errexit_chain(group: &[Mergeable], indent: &str, escape: char) -> Option<Fix> {
    let (last, earlier) = group.split_last()?;
    let newline = last.run.newline_style();
    let mut edits = Vec::new();
    for (index, member) in earlier.iter().enumerate() {
        let (_, rest_start) = member.errexit_prefix.as_ref()?;
        let rest_offset = rest_start.checked_sub(member.body_start)?;
        // `((` would open an arithmetic command in bash.
        let open = if member.body[rest_offset..].starts_with('(') {
            "( "
        } else {
            "("
        };
        edits.push(Edit::insert(*rest_start, open));
        let next = &group[index + 1];
        let mut joint = format!("); {escape}{newline}");
        let comments = comments_between(&member.run, &next.run)
            .into_iter()
            .chain(next.leading_comments.iter().cloned());
        for comment in comments {
            joint.push_str(&comment);
            joint.push_str(newline);
        }
        joint.push_str(indent);
        edits.push(Edit::replace(member.body_end..next.body_start, joint));
    }
    let message = format!(
        "merge {} consecutive RUN instructions into one layer (each starts with `{}`: \
         the earlier ones run as subshells after it, so errexit still stops the build)",
        group.len(),
        last.errexit_prefix.as_ref()?.0
    );
    Some(Fix::safe(message, edits))
}

/// One fix joining a group of two or more consecutive RUNs.
fn merge<'a>(group: &[Mergeable], indent: &impl Fn() -> &'a str, escape: char) -> Option<Fix> {
    let (first, rest) = group.split_first()?;
    if rest.is_empty() {
        return None;
    }
    let indent = indent();
    if errexit_chain(&group[..group.len() - 1], &group[group.len() - 1]) {
        return merge_errexit_chain(group, indent, escape);
    }
    let newline = first.run.newline_style();
    let last_index = group.len() - 1;
    let mut edits = Vec::new();
    // What opens and closes each RUN's text once joined.
    let wrap = |index: usize, part: &Mergeable| -> (&'static str, &'static str) {
        if index < last_index && part.changes_state {
            // `((` would open an arithmetic command in bash.
            if part.body.starts_with('(') {
                ("( ", ")")
            } else {
                ("(", ")")
            }
        } else if index > 0 && part.needs_braces {
            ("{ ", "; }")
        } else {
            ("", "")
        }
    };
    let (open, _) = wrap(0, first);
    if !open.is_empty() {
        edits.push(Edit::insert(first.body_start, open));
    }
    for (index, pair) in group.windows(2).enumerate() {
        let (previous, next) = (&pair[0], &pair[1]);
        let (_, close) = wrap(index, previous);
        let (open, _) = wrap(index + 1, next);
        let mut joint = format!("{close} && {escape}{newline}");
        let comments = comments_between(&previous.run, &next.run)
            .into_iter()
            .chain(next.leading_comments.iter().cloned());
        for comment in comments {
            joint.push_str(&comment);
            joint.push_str(newline);
        }
        joint.push_str(indent);
        joint.push_str(open);
        edits.push(Edit::replace(previous.body_end..next.body_start, joint));
    }
    let last = &group[last_index];
    let (_, close) = wrap(last_index, last);
    if !close.is_empty() {
        edits.push(Edit::insert(last.body_end, close));
    }
    let message = format!(
        "merge {} consecutive RUN instructions into one layer",
        group.len()
    );
    Some(Fix::safe(message, edits))
}

/// The comment lines (as written, without line ending) between two
/// instructions. Blank lines are left out: inside a continued RUN they would
/// be empty continuation lines, which BuildKit warns about.
fn comments_between(previous: &Instruction, next: &Instruction) -> Vec<String> {
    let mut comments = Vec::new();
    let mut sibling = previous.syntax().next_sibling_or_token();
    while let Some(element) = sibling {
        if element.as_node() == Some(next.syntax()) {
            break;
        }
        if let Some(token) = element.as_token()
            && token.kind() == SyntaxKind::COMMENT
        {
            let indent = token
                .prev_token()
                .filter(|prev| prev.kind() == SyntaxKind::WHITESPACE)
                .map(|prev| prev.text().to_string())
                .unwrap_or_default();
            comments.push(format!("{indent}{}", token.text()));
        }
        sibling = element.next_sibling_or_token();
    }
    comments
}

/// The indentation the file already uses for lines that start a command
/// (after `&& \`, `; \`, `| \`, or starting with `&&`), the most common one;
/// failing that, the most common indentation of any continuation line; or
/// four spaces. Wrapped arguments are often indented deeper than commands
/// (`apt-get install -y \` / `\t\tcurl \`): a joined RUN's first line
/// must line up with the commands, not with them.
fn continuation_indent(file: &Dockerfile) -> String {
    let text = file.text();
    let mut command_starts: Vec<(String, usize)> = Vec::new();
    let mut any_line: Vec<(String, usize)> = Vec::new();
    let tally = |counts: &mut Vec<(String, usize)>, indent: &str| match counts
        .iter_mut()
        .find(|(seen, _)| seen == indent)
    {
        Some((_, count)) => *count += 1,
        None => counts.push((indent.to_string(), 1)),
    };
    // The tokens in order, read from the green tree: walking the syntax
    // tree's cursors allocates a node for every element, which made this
    // walk a tenth of merge-runs' time.
    let tokens = tokens_in_order(file);
    for (index, (kind, range)) in tokens.iter().enumerate() {
        if *kind != SyntaxKind::LINE_CONTINUATION {
            continue;
        }
        // The first token on the next line that is instruction text.
        let Some((candidate_kind, candidate)) = tokens[index + 1..]
            .iter()
            .find(|(kind, _)| *kind != SyntaxKind::NEWLINE)
        else {
            continue;
        };
        if *candidate_kind != SyntaxKind::SPACE {
            continue;
        }
        let indent = &text[candidate.clone()];
        if indent.contains(['\r', '\n']) {
            continue;
        }
        tally(&mut any_line, indent);
        let start = range.start;
        let line_start = text[..start].rfind('\n').map_or(0, |at| at + 1);
        let before = text[line_start..start].trim_end();
        let after = &text[candidate.end..];
        let starts_command = ["&&", "||", ";", "|", "then", "do", "else", "{"]
            .iter()
            .any(|end| before.ends_with(end))
            || ["&&", "||", ";", "|"]
                .iter()
                .any(|start| after.starts_with(start));
        if starts_command {
            tally(&mut command_starts, indent);
        }
    }
    // The most common indentation; on a tie the shortest.
    let most_common = |counts: Vec<(String, usize)>| {
        counts
            .into_iter()
            .max_by_key(|(indent, count)| (*count, std::cmp::Reverse(indent.len())))
            .map(|(indent, _)| indent)
    };
    most_common(command_starts)
        .or_else(|| most_common(any_line))
        .unwrap_or_else(|| "    ".to_string())
}

/// Every token of the file with its byte range, in order.
fn tokens_in_order(file: &Dockerfile) -> Vec<(SyntaxKind, Range<usize>)> {
    fn walk(node: &GreenNodeData, at: &mut usize, out: &mut Vec<(SyntaxKind, Range<usize>)>) {
        for child in node.children() {
            match child {
                NodeOrToken::Node(child) => walk(child, at, out),
                NodeOrToken::Token(token) => {
                    let end = *at + token.text().len();
                    out.push((DockerfileLanguage::kind_from_raw(token.kind()), *at..end));
                    *at = end;
                }
            }
        }
    }
    let mut tokens = Vec::new();
    walk(file.syntax().green(), &mut 0, &mut tokens);
    tokens
}
