//! Shell analysis of `RUN` bodies.
//!
//! A `RUN` in shell form hands its joined text to `/bin/sh -c`; a `RUN <<EOF`
//! hands the heredoc body to the shell. We parse that text with
//! `brush-parser` (a POSIX/bash parser that records source positions) and
//! flatten its AST into the little that transforms need: and-or lists,
//! pipelines, simple commands and their words, each with its range in the
//! *Dockerfile*, so a transform can edit a word without re-parsing text.
//!
//! When the text does not parse, or the stage's `SHELL` is not a POSIX
//! shell, there is no [`Script`] and shell-aware transforms leave the `RUN`
//! alone.

mod cache;
mod convert;
pub mod errexit;
pub mod invocations;
pub mod packages;
mod plain;

use std::borrow::Cow;
use std::ops::Range;

use std::rc::Rc;
use std::sync::Arc;

use crate::syntax::{Dockerfile, Heredoc, Instruction, LogicalLine};

/// A shell script with every range in file offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    pub source: ScriptSource,
    /// The top-level and-or lists, in order.
    pub lists: Vec<AndOrList>,
    /// File range of the whole script text.
    pub range: Range<usize>,
}

/// Where the script text comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptSource {
    /// The arguments of a shell-form `RUN`.
    ShellForm,
    /// The body of the `RUN`'s heredoc number `index`.
    Heredoc { index: usize },
}

/// Pipelines joined by `&&` / `||`, ended by `;`, `&`, a newline or the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AndOrList {
    pub pipelines: Vec<Pipeline>,
    /// The operator before each pipeline after the first.
    pub operators: Vec<AndOr>,
    pub terminator: Terminator,
    pub range: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AndOr {
    And,
    Or,
}

/// What ends an and-or list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terminator {
    /// `;`
    Semicolon,
    /// `&`: the list runs in the background.
    Background,
    /// A newline, or nothing (the end of the script).
    End,
}

/// Commands joined by `|`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipeline {
    pub commands: Vec<Command>,
    /// `! pipeline`
    pub negated: bool,
    pub range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Simple(SimpleCommand),
    Compound {
        kind: CompoundKind,
        range: Range<usize>,
        /// Lists nested in the compound command (bodies, conditions).
        inner: Vec<AndOrList>,
        /// Redirections of the whole command (`done < /pkgs.txt`), as
        /// their target words; `range` covers them.
        redirects: Vec<Word>,
    },
}

impl Command {
    pub fn range(&self) -> Range<usize> {
        match self {
            Command::Simple(simple) => simple.range.clone(),
            Command::Compound { range, .. } => range.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompoundKind {
    Subshell,
    BraceGroup,
    If,
    For,
    While,
    Until,
    Case,
    Function,
    Arithmetic,
    Test,
    Coprocess,
}

/// `NAME=value ... command args... redirects...`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleCommand {
    pub assignments: Vec<Word>,
    /// The command name first, then its arguments.
    pub words: Vec<Word>,
    /// Redirections, as their target words.
    pub redirects: Vec<Word>,
    pub range: Range<usize>,
}

impl SimpleCommand {
    /// The command name with quotes removed (`None` when it has expansions
    /// or there is none).
    pub fn name(&self) -> Option<String> {
        self.words.first().and_then(Word::literal)
    }

    /// The command name's last path component: `apt-get` for `/usr/bin/apt-get`.
    pub fn program(&self) -> Option<&str> {
        Some(last_component(self.words.first()?.literal_str()?))
    }

    pub fn args(&self) -> &[Word] {
        self.words.get(1..).unwrap_or_default()
    }

    /// The command that actually runs once `command` and `builtin`
    /// prefixes are skipped (`command cd /x` changes directory as `cd /x`
    /// does), with its arguments. `command -v`/`-V` only looks a name up:
    /// the program is then `command`. `None` when a name is not literal.
    pub fn effective(&self) -> Option<(&str, &[Word])> {
        let mut words = self.words.as_slice();
        loop {
            let program = last_component(words.first()?.literal_str()?);
            match program {
                "builtin" if words.len() > 1 => words = &words[1..],
                "command" if words.len() > 1 => {
                    let options = words[1..]
                        .iter()
                        .take_while(|word| word.raw.starts_with('-'))
                        .count();
                    let looks_up = words[1..=options]
                        .iter()
                        .any(|word| word.raw.contains(['v', 'V']));
                    if looks_up || words.len() == 1 + options {
                        return Some((program, &words[1..]));
                    }
                    words = &words[1 + options..];
                }
                _ => return Some((program, &words[1..])),
            }
        }
    }

    /// Literal arguments (expansions as `None`).
    pub fn literal_args(&self) -> Vec<Option<String>> {
        self.args().iter().map(Word::literal).collect()
    }

    /// Every word, the command name first, when all are literal.
    pub fn literal_words(&self) -> Option<Vec<String>> {
        self.words.iter().map(Word::literal).collect()
    }
}

pub use crate::paths::last_component;

/// A shell word as written, with its file range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// As written. Read-only in practice: `literal` is computed from it by
    /// [`Word::new`]. Shared, like the literal text: every pass copies each
    /// cached script into the file's offsets, and copying the words' texts
    /// was most of that copy.
    pub raw: Arc<str>,
    pub range: Range<usize>,
    /// The quote removal, done once: the transforms ask every word for its
    /// literal text many times (a profile of the corpus put a tenth of the
    /// run time in redoing it).
    literal: Literal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Literal {
    /// The word is its own literal text (`apt-get`, `-y`).
    AsWritten,
    Unquoted(Arc<str>),
    /// An expansion (`$`, a backquote): not known before the shell runs.
    Unknown,
}

impl Word {
    pub fn new(raw: &str, range: Range<usize>) -> Self {
        let literal = match unquote_literal(raw) {
            Some(Cow::Borrowed(_)) => Literal::AsWritten,
            Some(Cow::Owned(text)) => Literal::Unquoted(text.into()),
            None => Literal::Unknown,
        };
        Self {
            raw: raw.into(),
            range,
            literal,
        }
    }

    /// The word after quote removal, when it has no expansion (`$`, a
    /// backquote): what the command will certainly receive.
    pub fn literal(&self) -> Option<String> {
        self.literal_str().map(str::to_string)
    }

    /// [`Word::literal`], borrowed: for the hot paths that only compare it.
    pub fn literal_str(&self) -> Option<&str> {
        match &self.literal {
            Literal::AsWritten => Some(&self.raw),
            Literal::Unquoted(text) => Some(text),
            Literal::Unknown => None,
        }
    }
}

fn unquote_literal(raw: &str) -> Option<Cow<'_, str>> {
    // Most words are plain (`apt-get`, `-y`, `curl`): nothing to remove.
    if !raw
        .bytes()
        .any(|byte| matches!(byte, b'\'' | b'"' | b'\\' | b'$' | b'`'))
    {
        return Some(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    let mut quote = None::<char>;
    while let Some(ch) = chars.next() {
        match (quote, ch) {
            (Some('\''), '\'') => quote = None,
            (Some('\''), _) => out.push(ch),
            (Some('"'), '"') => quote = None,
            (_, '$' | '`') => return None,
            (Some('"'), '\\') => match chars.peek() {
                Some(&next @ ('$' | '`' | '"' | '\\')) => {
                    out.push(next);
                    chars.next();
                }
                Some('\n') => {
                    chars.next();
                }
                _ => out.push('\\'),
            },
            (Some(_), _) => out.push(ch),
            (None, '\'' | '"') => quote = Some(ch),
            (None, '\\') => match chars.next() {
                Some('\n') | None => {}
                Some(next) => out.push(next),
            },
            (None, _) => out.push(ch),
        }
    }
    Some(Cow::Owned(out))
}

/// Where a simple command sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CommandContext {
    /// Directly in a top-level and-or list (not nested in any compound).
    pub top_level: bool,
    /// Inside a subshell `( … )`, a command substitution or a pipeline of
    /// several commands: its state changes cannot leak.
    pub in_subshell: bool,
    /// Inside `if`/`case`/a loop/a brace group/a function body.
    pub in_compound: bool,
    /// Part of a pipeline of several commands.
    pub in_pipeline: bool,
    /// Runs only if something before it failed (`a || b`), or its failure is
    /// ignored by what follows.
    pub conditional: bool,
}

/// A command whose effect on the shell outlives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateChange {
    /// The command (`cd`, `export`, ...), or `NAME=` for a bare assignment,
    /// or `function` for a function definition.
    pub command: String,
    pub range: Range<usize>,
}

/// Commands that change the state of the shell that runs them.
const STATE_COMMANDS: &[&str] = &[
    "cd",
    "pushd",
    "popd",
    "export",
    "unset",
    "source",
    ".",
    "set",
    "umask",
    "alias",
    "unalias",
    "shopt",
    "ulimit",
    "trap",
    "exec",
    "exit",
    "return",
    "local",
    "readonly",
    "declare",
    "typeset",
    "eval",
    "hash",
    "enable",
    "builtin",
    "shift",
    "getopts",
    "read",
    "mapfile",
    "readarray",
];

/// POSIX special built-ins other than those in [`STATE_COMMANDS`]: an
/// assignment before one (`MODE=debug :`) stays set in the shell (POSIX
/// 2.14, "Special Built-In Utilities"; dash does this, bash in POSIX mode).
const SPECIAL_BUILTINS: &[&str] = &[":", "times", "break", "continue"];

/// Names a word assigns through its expansions: `${NAME:=value}`,
/// `${NAME=value}` and arithmetic assignments (`$((N=1))`, `$((N+=1))`,
/// `$((N++))`). An arithmetic assignment whose name cannot be read gives
/// `"(("`. Conservative: command substitutions are scanned too, although
/// their assignments end with them.
pub fn expansion_assignments(raw: &str) -> Vec<String> {
    let mut names = Vec::new();
    // Asked of every word: most have neither `${` nor `((`.
    if !raw.bytes().any(|byte| byte == b'$' || byte == b'(') {
        return names;
    }
    let name_at = |start: usize| -> String {
        raw[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (index, _) in raw.match_indices("${") {
        let name = name_at(index + 2);
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let after = &raw[index + 2 + name.len()..];
        if after.starts_with(":=") || after.starts_with('=') {
            names.push(name);
        }
    }
    for (index, _) in raw.match_indices("((") {
        let inner_end = raw[index..].find("))").map_or(raw.len(), |end| index + end);
        let inner = &raw[index + 2..inner_end];
        let inner_bytes = inner.as_bytes();
        let mut found = false;
        for (at, ch) in inner.char_indices() {
            let assigns = match ch {
                '=' => {
                    let before = at.checked_sub(1).map(|i| inner_bytes[i]);
                    let after = inner_bytes.get(at + 1);
                    !matches!(before, Some(b'=' | b'!' | b'<' | b'>')) && after != Some(&b'=')
                        || matches!(inner.get(at.saturating_sub(2)..at), Some("<<" | ">>"))
                }
                '+' | '-' => inner_bytes.get(at + 1) == Some(&(ch as u8)),
                _ => false,
            };
            if !assigns {
                continue;
            }
            found = true;
            // The name just before the operator (or just after `++`/`--`).
            let before: String = inner[..at]
                .trim_end_matches(|c: char| "+-*/%&|^<>".contains(c))
                .trim_end()
                .chars()
                .rev()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let after: String = inner[at..]
                .trim_start_matches(['+', '-'])
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            for name in [before, after] {
                if !name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit()) {
                    names.push(name);
                }
            }
        }
        if found && names.is_empty() {
            names.push("((".into());
        }
    }
    names.sort();
    names.dedup();
    names
}

/// Why a script could not be analysed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShellError {
    #[error("shell syntax error: {0}")]
    Syntax(String),
    #[error("the shell parser failed on this text")]
    ParserPanic,
    #[error("source positions are missing for part of the script")]
    MissingPositions,
    #[error("the script is too large or too deeply nested to analyse quickly")]
    TooComplex,
    #[error("the script nests more than {0} levels deep")]
    TooDeep(usize),
}

impl Script {
    /// Parses `text`; `map(i)` gives the file offset of script byte `i`
    /// and `map_end(i)` the file offset just after script byte `i - 1`.
    pub fn parse(
        text: &str,
        source: ScriptSource,
        map: &dyn Fn(usize) -> usize,
        map_end: &dyn Fn(usize) -> usize,
    ) -> Result<Script, ShellError> {
        let relative = cache::parsed(text)?;
        let mut script = relative.relocated(map, map_end);
        script.source = source;
        Ok(script)
    }

    /// The same script with every range passed through the maps (ranges
    /// are script offsets before, file offsets after).
    fn relocated(&self, map: &dyn Fn(usize) -> usize, map_end: &dyn Fn(usize) -> usize) -> Script {
        let relocate = |range: &mut Range<usize>| {
            *range = if range.start == range.end {
                let at = map(range.start);
                at..at
            } else {
                map(range.start)..map_end(range.end)
            };
        };
        let mut script = self.clone();
        relocate(&mut script.range);
        relocate_lists(&mut script.lists, &relocate);
        script
    }

    /// The shell-form body of `run` as a script. `None` for exec form, for a
    /// stage whose `SHELL` is not POSIX, or when the text does not parse.
    /// A copy of [`Script::shared_of_run`], for callers that keep or change it.
    pub fn of_run(file: &Dockerfile, run: &Instruction) -> Option<Script> {
        Self::shared_of_run(file, run).map(|script| script.as_ref().clone())
    }

    /// [`Script::of_run`], parsed once per instruction (every transform of
    /// every pass asks) and shared.
    pub fn shared_of_run(file: &Dockerfile, run: &Instruction) -> Option<Rc<Script>> {
        struct ShellForm(Option<Rc<Script>>);
        run.derived(|| ShellForm(Self::parse_shell_form(file, run).map(Rc::new)))
            .0
            .clone()
    }

    fn parse_shell_form(file: &Dockerfile, run: &Instruction) -> Option<Script> {
        if !run_shell_is_posix(file, run) {
            return None;
        }
        let (text, logical, args_start) = shell_form_text(run)?;
        let map = |i: usize| logical.source_offset(args_start + i);
        let map_end = |i: usize| logical.source_end(args_start + i);
        Script::parse(text, ScriptSource::ShellForm, &map, &map_end).ok()
    }

    /// Scripts of the heredoc bodies that the `RUN` feeds to a shell: a
    /// `RUN <<EOF` whose command is only the heredoc, or `sh`/`bash` reading
    /// it (`RUN bash <<EOF`, `RUN sh -e <<EOF`). Copies of
    /// [`Script::shared_heredoc_scripts`].
    pub fn heredoc_scripts(file: &Dockerfile, run: &Instruction) -> Vec<Script> {
        Self::shared_heredoc_scripts(file, run)
            .iter()
            .map(|script| script.as_ref().clone())
            .collect()
    }

    /// [`Script::heredoc_scripts`], parsed once per instruction and shared.
    pub fn shared_heredoc_scripts(file: &Dockerfile, run: &Instruction) -> Vec<Rc<Script>> {
        struct HeredocScripts(Vec<Rc<Script>>);
        run.derived(|| HeredocScripts(Self::parse_heredocs(file, run)))
            .0
            .clone()
    }

    /// The shell-form script, then the heredoc scripts, of `run`.
    pub fn all_of_run(file: &Dockerfile, run: &Instruction) -> Vec<Rc<Script>> {
        let mut scripts: Vec<Rc<Script>> = Script::shared_of_run(file, run).into_iter().collect();
        scripts.extend(Script::shared_heredoc_scripts(file, run));
        scripts
    }

    fn parse_heredocs(file: &Dockerfile, run: &Instruction) -> Vec<Rc<Script>> {
        if !run_shell_is_posix(file, run) {
            return Vec::new();
        }
        script_heredocs(run)
            .into_iter()
            .filter_map(|(index, heredoc)| {
                let start = heredoc.body_range.start;
                let map = |i: usize| start + i;
                Script::parse(&heredoc.body, ScriptSource::Heredoc { index }, &map, &map)
                    .ok()
                    .map(Rc::new)
            })
            .collect()
    }

    /// Parses `text` alone, ranges relative to it (shared with every other
    /// parse of the same text).
    pub fn parse_text(text: &str) -> Result<Arc<Script>, ShellError> {
        cache::parsed(text)
    }

    /// Every simple command at any depth, in order, with where it sits.
    pub fn simple_commands(&self) -> Vec<(&SimpleCommand, CommandContext)> {
        // Sized for the top level, where most commands are: growing the
        // vector showed in profiles (every transform asks every script).
        let top_level = self.lists.iter().flat_map(|list| &list.pipelines);
        let mut found = Vec::with_capacity(top_level.map(|p| p.commands.len()).sum());
        let top = CommandContext {
            top_level: true,
            ..CommandContext::default()
        };
        collect_simple(&self.lists, top, &mut found);
        found
    }

    /// True when a top-level list uses `||`.
    pub fn has_top_level_or(&self) -> bool {
        self.lists
            .iter()
            .any(|list| list.operators.contains(&AndOr::Or))
    }

    /// True when any top-level list runs in the background (`cmd &`).
    pub fn has_background(&self) -> bool {
        self.lists
            .iter()
            .any(|list| list.terminator == Terminator::Background)
    }

    pub fn ends_with_semicolon(&self) -> bool {
        self.lists
            .last()
            .is_some_and(|list| list.terminator == Terminator::Semicolon)
    }

    /// Commands whose effect on the shell would reach commands that follow
    /// the script if it were joined with them.
    pub fn state_changes(&self) -> Vec<StateChange> {
        let mut changes = Vec::new();
        collect_state_changes(&self.lists, false, &mut changes);
        changes
    }
}

fn relocate_lists(lists: &mut [AndOrList], relocate: &dyn Fn(&mut Range<usize>)) {
    for list in lists {
        relocate(&mut list.range);
        for pipeline in &mut list.pipelines {
            relocate(&mut pipeline.range);
            for command in &mut pipeline.commands {
                match command {
                    Command::Simple(simple) => {
                        relocate(&mut simple.range);
                        let words = simple
                            .assignments
                            .iter_mut()
                            .chain(&mut simple.words)
                            .chain(&mut simple.redirects);
                        for word in words {
                            relocate(&mut word.range);
                        }
                    }
                    Command::Compound {
                        range,
                        inner,
                        redirects,
                        ..
                    } => {
                        relocate(range);
                        relocate_lists(inner, relocate);
                        for word in redirects {
                            relocate(&mut word.range);
                        }
                    }
                }
            }
        }
    }
}

fn collect_simple<'s>(
    lists: &'s [AndOrList],
    context: CommandContext,
    found: &mut Vec<(&'s SimpleCommand, CommandContext)>,
) {
    for list in lists {
        for (index, pipeline) in list.pipelines.iter().enumerate() {
            let after_or = index > 0 && list.operators[index - 1] == AndOr::Or;
            let before_or = list.operators.get(index) == Some(&AndOr::Or);
            let several = pipeline.commands.len() > 1;
            let context = CommandContext {
                in_pipeline: context.in_pipeline || several,
                in_subshell: context.in_subshell || several,
                conditional: context.conditional || after_or || before_or || pipeline.negated,
                ..context
            };
            for command in &pipeline.commands {
                match command {
                    Command::Simple(simple) => found.push((simple, context)),
                    Command::Compound { kind, inner, .. } => {
                        let nested = CommandContext {
                            top_level: false,
                            in_compound: true,
                            in_subshell: context.in_subshell || *kind == CompoundKind::Subshell,
                            ..context
                        };
                        collect_simple(inner, nested, found);
                    }
                }
            }
        }
    }
}

fn collect_state_changes(lists: &[AndOrList], contained: bool, changes: &mut Vec<StateChange>) {
    for list in lists {
        for pipeline in &list.pipelines {
            // Each command of a multi-command pipeline runs in a subshell.
            let contained = contained || pipeline.commands.len() > 1;
            for command in &pipeline.commands {
                match command {
                    Command::Simple(simple) if !contained => {
                        let expands_assignment = simple
                            .assignments
                            .iter()
                            .chain(&simple.words)
                            .chain(&simple.redirects)
                            .any(|word| !expansion_assignments(&word.raw).is_empty());
                        if expands_assignment {
                            changes.push(StateChange {
                                command: "${NAME:=}".into(),
                                range: simple.range.clone(),
                            });
                            continue;
                        }
                        match simple.effective() {
                            Some((program, args))
                                if STATE_COMMANDS.contains(&program)
                                    || program == "let"
                                    || program == "printf"
                                        && args.first().is_some_and(|arg| &*arg.raw == "-v")
                                    || SPECIAL_BUILTINS.contains(&program)
                                        && !simple.assignments.is_empty() =>
                            {
                                changes.push(StateChange {
                                    command: program.to_string(),
                                    range: simple.range.clone(),
                                });
                            }
                            Some(_) => {}
                            None if simple.words.is_empty() && !simple.assignments.is_empty() => {
                                changes.push(StateChange {
                                    command: "NAME=".into(),
                                    range: simple.range.clone(),
                                });
                            }
                            None if !simple.words.is_empty() => {
                                // A command name we cannot read (`$CMD`)
                                // could be `cd`: assume the worst.
                                changes.push(StateChange {
                                    command: simple.words[0].raw.to_string(),
                                    range: simple.range.clone(),
                                });
                            }
                            _ => {}
                        }
                    }
                    Command::Simple(_) => {}
                    Command::Compound {
                        kind, range, inner, ..
                    } => {
                        // A function stays defined; a `for` loop leaves its
                        // variable set; `(( ))` may assign.
                        let leaks = match kind {
                            CompoundKind::Function => Some("function"),
                            CompoundKind::For => Some("for"),
                            CompoundKind::Arithmetic => Some("(("),
                            _ => None,
                        };
                        if let Some(command) = leaks
                            && !contained
                        {
                            changes.push(StateChange {
                                command: command.into(),
                                range: range.clone(),
                            });
                        }
                        let contained = contained || *kind == CompoundKind::Subshell;
                        collect_state_changes(inner, contained, changes);
                    }
                }
            }
        }
    }
}

/// True when the shell in force for `run` is a POSIX shell.
pub fn run_shell_is_posix(file: &Dockerfile, run: &Instruction) -> bool {
    is_posix_shell(Some(&file.shell_at(run)))
}

/// The texts `run` hands to its shell: the shell-form body, then the
/// heredoc bodies it runs as scripts (see [`Script::heredoc_scripts`]).
/// Empty for exec form. Whatever the stage's shell: the caller decides.
pub fn shell_texts(run: &Instruction) -> Vec<(ScriptSource, String)> {
    let Some((text, _, _)) = shell_form_text(run) else {
        return Vec::new();
    };
    let mut texts = vec![(ScriptSource::ShellForm, text.to_string())];
    texts.extend(
        script_heredocs(run)
            .into_iter()
            .map(|(index, heredoc)| (ScriptSource::Heredoc { index }, heredoc.body)),
    );
    texts
}

/// Why shell-aware transforms leave `run` alone as a whole: its stage's
/// shell is not POSIX, or its shell text cannot be analysed. `None` when
/// they can read it (or it is exec form, where there is nothing to say).
pub fn why_opaque(file: &Dockerfile, run: &Instruction) -> Option<String> {
    let texts = shell_texts(run);
    if texts.is_empty() {
        return None;
    }
    if !run_shell_is_posix(file, run) {
        let shell = file.shell_at(run).join(" ");
        return Some(format!(
            "the stage's shell `{shell}` is not a POSIX shell: no shell fixes here"
        ));
    }
    // A heredoc RUN's own line (`<<EOF`, `bash <<EOF`) is not a script.
    let heredoc_run = texts.len() > 1 || !run.heredocs().is_empty();
    texts
        .iter()
        .filter(|(source, _)| !(heredoc_run && *source == ScriptSource::ShellForm))
        .find_map(|(_, text)| cache::parsed(text).err())
        .map(|error| format!("the shell text cannot be analysed ({error}): no shell fixes here"))
}

/// The heredocs of `run` that its shell-form command runs as scripts, with
/// their positions among the RUN's heredocs.
fn script_heredocs(run: &Instruction) -> Vec<(usize, Heredoc)> {
    let Some((text, _, _)) = shell_form_text(run) else {
        return Vec::new();
    };
    let heredocs = run.heredocs();
    let first_word = text.split_whitespace().next().unwrap_or_default();
    let runs_a_shell = first_word.starts_with("<<")
        || matches!(last_component(first_word), "sh" | "bash" | "dash" | "ash")
            && heredocs.len() == 1;
    if !runs_a_shell {
        return Vec::new();
    }
    heredocs
        .into_iter()
        .enumerate()
        .filter(|(_, heredoc)| heredoc.terminated && !heredoc.marker.chomp)
        .collect()
}

/// Is this `SHELL` (None: the default `/bin/sh -c`) a POSIX shell?
pub fn is_posix_shell(shell: Option<&[String]>) -> bool {
    let Some(program) = shell.and_then(|words| words.first()) else {
        return true;
    };
    let name = program
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(program)
        .to_ascii_lowercase();
    let name = name.strip_suffix(".exe").unwrap_or(&name);
    matches!(
        name,
        "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh" | "mksh" | "busybox"
    )
}

/// The shell-form text of a RUN, its logical line, and where the text
/// starts in it.
fn shell_form_text(run: &Instruction) -> Option<(&str, &LogicalLine, usize)> {
    if run.json_args().is_some() {
        return None;
    }
    let logical = run.logical();
    let args = &run.layout().args;
    Some((&logical.text()[args.clone()], logical, args.start))
}

#[cfg(test)]
mod tests;
