//! Typed views over the tree: named accessors that return what BuildKit
//! would read, with the file ranges a transform needs to edit it.
//!
//! Views are cheap wrappers around a node; accessors compute on demand and
//! return `Option` or empty lists for broken input, never panic. The logical
//! line and the command layout, which every transform of every pass asks
//! for, are computed once per instruction and shared by its clones.

use std::cell::{OnceCell, RefCell};
use std::ops::Range;
use std::rc::Rc;

use rowan::{NodeOrToken, TextRange};

use super::command::{self, CommandLayout, HeredocMarker};
use super::image_ref::ImageRef;
use super::kind::SyntaxKind::{self, *};
use super::kind::SyntaxNode;
use super::logical::LogicalLine;
use super::memo::Memo;
use super::parser::{self, Diagnostic};
use super::stage_shell::Shell;

pub(crate) fn to_range(range: TextRange) -> Range<usize> {
    usize::from(range.start())..usize::from(range.end())
}

/// A parsed Dockerfile: the tree, the escape character and the problems.
#[derive(Debug, Clone)]
pub struct Dockerfile {
    root: SyntaxNode,
    escape: char,
    diagnostics: Vec<Diagnostic>,
    /// Built once, so that every caller shares the instructions' caches.
    instructions: OnceCell<Vec<Instruction>>,
    /// What the parser worked out for each top-level instruction, handed
    /// to the instructions when they are built (then empty).
    parsed_lines: RefCell<Vec<(LogicalLine, CommandLayout)>>,
    /// The parsed text. The tree is lossless, so this is also its print
    /// (checked by the round-trip tests, which print the tree itself).
    text: String,
    /// The shell in force at each instruction (parallel to `instructions`).
    shells: OnceCell<Vec<Shell>>,
    /// Whole-file facts other modules derive ([`Dockerfile::derived`]).
    derived: Memo,
}

impl Dockerfile {
    pub fn parse(text: &str) -> Self {
        let output = parser::parse(text);
        Self {
            root: SyntaxNode::new_root(output.green),
            escape: output.escape,
            diagnostics: output.diagnostics,
            instructions: OnceCell::new(),
            parsed_lines: RefCell::new(output.instructions),
            text: text.to_string(),
            shells: OnceCell::new(),
            derived: Memo::default(),
        }
    }

    /// A fact about the whole file that another module computes (one per
    /// type), computed on first use and shared for the life of this parse:
    /// e.g. which later `RUN`s read a package index, asked for every `RUN`.
    pub fn derived<T: std::any::Any>(&self, compute: impl FnOnce() -> T) -> Rc<T> {
        self.derived.get_or_compute(compute)
    }

    pub fn syntax(&self) -> &SyntaxNode {
        &self.root
    }

    /// The text back, byte for byte.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text printed from the syntax tree: what proves the tree lossless
    /// (equal to the parsed text).
    pub fn printed(&self) -> String {
        self.root.to_string()
    }

    /// The escape character: `\` unless `# escape=` says otherwise.
    pub fn escape(&self) -> char {
        self.escape
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The number of ERROR nodes (instructions BuildKit would refuse).
    pub fn error_count(&self) -> usize {
        self.root
            .children()
            .filter(|node| node.kind() == ERROR)
            .count()
    }

    /// Top-level instructions, valid or not, in file order.
    pub fn instructions(&self) -> impl Iterator<Item = Instruction> + '_ {
        self.instruction_list().iter().cloned()
    }

    fn instruction_list(&self) -> &[Instruction] {
        self.instructions.get_or_init(|| {
            let instructions: Vec<Instruction> =
                self.root.children().filter_map(Instruction::cast).collect();
            let parsed = self.parsed_lines.take();
            // One per instruction, in order, unless the tree was not made
            // by the parser (then each instruction reads its own tokens).
            if parsed.len() == instructions.len() {
                for (instruction, (logical, layout)) in instructions.iter().zip(parsed) {
                    let _ = instruction.computed.logical.set(logical);
                    let _ = instruction.computed.layout.set(layout);
                }
            }
            instructions
        })
    }

    /// The shell that runs `instruction`'s shell form: its stage's `SHELL`,
    /// inherited from the stage it is built `FROM`, or the platform default
    /// (see [`stage_shell`](super::stage_shell)). Computed for the whole
    /// file on first use. For an instruction nested in another (`ONBUILD
    /// RUN`), the shell of the instruction holding it.
    pub fn shell_at(&self, instruction: &Instruction) -> Shell {
        // Asked for each `RUN` by every shell-aware transform.
        instruction
            .computed
            .shell
            .get_or_init(|| self.find_shell(instruction))
            .clone()
    }

    fn find_shell(&self, instruction: &Instruction) -> Shell {
        let instructions = self.instruction_list();
        let shells = self
            .shells
            .get_or_init(|| super::stage_shell::shells(instructions));
        let start = instruction.range().start;
        let index = instructions.partition_point(|i| i.range().start <= start);
        match index.checked_sub(1) {
            Some(index) => shells[index].clone(),
            None => super::stage_shell::linux_default(),
        }
    }

    /// Parser directives, as (lowercase name, value).
    pub fn directives(&self) -> Vec<(String, String)> {
        self.root
            .children()
            .filter(|node| node.kind() == DIRECTIVE)
            .filter_map(|node| {
                let text = node.to_string();
                let (name, value) = parser::parse_directive(text.trim())?;
                Some((name.to_ascii_lowercase(), value.to_string()))
            })
            .collect()
    }

    /// The build stages: each `FROM` and the instructions up to the next one.
    /// Instructions before the first `FROM` (global `ARG`s) are not in any.
    pub fn stages(&self) -> Vec<Stage> {
        let mut stages: Vec<Stage> = Vec::new();
        for instruction in self.instructions() {
            if instruction.kind() == InstructionKind::From && !instruction.is_error() {
                stages.push(Stage {
                    index: stages.len(),
                    from: instruction,
                    body: Vec::new(),
                });
            } else if let Some(stage) = stages.last_mut() {
                stage.body.push(instruction);
            }
        }
        stages
    }

    /// Instructions before the first `FROM`.
    pub fn global_instructions(&self) -> Vec<Instruction> {
        self.instructions()
            .take_while(|instruction| instruction.kind() != InstructionKind::From)
            .collect()
    }
}

/// The instructions BuildKit knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InstructionKind {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    StopSignal,
    User,
    Volume,
    Workdir,
    Unknown,
}

impl InstructionKind {
    pub fn from_keyword(keyword: &str) -> Self {
        match keyword.to_ascii_lowercase().as_str() {
            "add" => Self::Add,
            "arg" => Self::Arg,
            "cmd" => Self::Cmd,
            "copy" => Self::Copy,
            "entrypoint" => Self::Entrypoint,
            "env" => Self::Env,
            "expose" => Self::Expose,
            "from" => Self::From,
            "healthcheck" => Self::Healthcheck,
            "label" => Self::Label,
            "maintainer" => Self::Maintainer,
            "onbuild" => Self::Onbuild,
            "run" => Self::Run,
            "shell" => Self::Shell,
            "stopsignal" => Self::StopSignal,
            "user" => Self::User,
            "volume" => Self::Volume,
            "workdir" => Self::Workdir,
            _ => Self::Unknown,
        }
    }
}

/// One instruction node (valid or ERROR).
#[derive(Debug, Clone)]
pub struct Instruction {
    node: SyntaxNode,
    computed: Rc<Computed>,
}

/// What is derived from an instruction's tokens, once.
#[derive(Debug, Default)]
struct Computed {
    kind: OnceCell<InstructionKind>,
    logical: OnceCell<LogicalLine>,
    layout: OnceCell<CommandLayout>,
    has_heredocs: OnceCell<bool>,
    /// The shell that runs it, in the file it was parsed from.
    shell: OnceCell<super::stage_shell::Shell>,
    /// Facts other modules derive ([`Instruction::derived`]).
    derived: Memo,
}

impl PartialEq for Instruction {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
    }
}

impl Eq for Instruction {}

impl std::hash::Hash for Instruction {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.node.hash(state);
    }
}

/// A `--name[=value]` flag of an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Name without the leading `--`.
    pub name: String,
    /// Value after `=`, quotes removed; `None` for a bare `--flag`.
    pub value: Option<String>,
    /// File range of the whole flag.
    pub range: Range<usize>,
}

/// The form of a `RUN`, `CMD`, `ENTRYPOINT` or `SHELL` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandForm {
    /// JSON array (exec form): no shell is involved.
    Exec(Vec<String>),
    /// Shell form: the logical text handed to the shell.
    Shell(String),
}

/// A heredoc attached to an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    pub marker: HeredocMarker,
    /// File range of the `<<EOF` word.
    pub marker_range: Range<usize>,
    /// The body text, verbatim (line endings included).
    pub body: String,
    /// File range of the body.
    pub body_range: Range<usize>,
    /// File range of the whole HEREDOC node (body and terminator line).
    pub range: Range<usize>,
    pub terminated: bool,
}

impl Instruction {
    pub fn cast(node: SyntaxNode) -> Option<Self> {
        matches!(node.kind(), INSTRUCTION | ERROR).then(|| Self {
            node,
            computed: Rc::default(),
        })
    }

    pub fn syntax(&self) -> &SyntaxNode {
        &self.node
    }

    /// A fact about this instruction that another module computes (one per
    /// type; e.g. its parsed shell script), computed on first use and
    /// shared by its clones. It may depend on the file the instruction was
    /// read from (its stage's `SHELL`): only ask with that file.
    pub fn derived<T: std::any::Any>(&self, compute: impl FnOnce() -> T) -> Rc<T> {
        self.computed.derived.get_or_compute(compute)
    }

    /// True for an instruction BuildKit would refuse (see the diagnostics).
    pub fn is_error(&self) -> bool {
        self.node.kind() == ERROR
    }

    /// The keyword as written (continuations removed).
    pub fn keyword(&self) -> String {
        let layout = self.layout();
        self.logical().text()[layout.keyword.clone()].to_string()
    }

    pub fn kind(&self) -> InstructionKind {
        *self.computed.kind.get_or_init(|| self.read_kind())
    }

    fn read_kind(&self) -> InstructionKind {
        // The keyword tokens are direct children; reading them is much
        // cheaper than building the logical line.
        let mut keyword = String::new();
        for element in self.node.children_with_tokens() {
            match element {
                NodeOrToken::Token(token) if token.kind() == KEYWORD => {
                    keyword.push_str(token.text())
                }
                NodeOrToken::Token(token) if keyword.is_empty() || token.kind().is_trivia() => {}
                _ => break,
            }
        }
        InstructionKind::from_keyword(&keyword)
    }

    /// File range of the node: from its indentation to the end of its last
    /// line ending (heredoc bodies included).
    pub fn range(&self) -> Range<usize> {
        to_range(self.node.text_range())
    }

    /// File range of the instruction's own text: from the keyword to the
    /// last character before the line ending (heredoc bodies excluded).
    pub fn text_range(&self) -> Range<usize> {
        let logical = self.logical();
        let trimmed_end = logical.text().trim_end().len();
        let layout = self.layout();
        logical.source_range(layout.keyword.start..trimmed_end.max(layout.keyword.end))
    }

    /// File range of the line ending that ends the instruction's own lines
    /// (before any heredoc body), if there is one.
    pub fn line_end(&self) -> usize {
        let mut end = self.text_range().end;
        for element in self.node.children_with_tokens() {
            match element {
                NodeOrToken::Token(token) if usize::from(token.text_range().start()) >= end => {
                    if token.kind() == NEWLINE {
                        return usize::from(token.text_range().end());
                    }
                    end = usize::from(token.text_range().end());
                }
                _ => {}
            }
        }
        end
    }

    /// The joined text BuildKit sees, with its map back to the file.
    pub fn logical(&self) -> &LogicalLine {
        self.computed.logical.get_or_init(|| self.collect_logical())
    }

    fn collect_logical(&self) -> LogicalLine {
        fn collect(node: &SyntaxNode, line: &mut LogicalLine) {
            for element in node.children_with_tokens() {
                match element {
                    NodeOrToken::Token(token) => {
                        if matches!(token.kind(), KEYWORD | WORD | SPACE) {
                            line.push(usize::from(token.text_range().start()), token.text());
                        }
                    }
                    // Heredoc bodies are not part of the instruction's line.
                    NodeOrToken::Node(child) if child.kind() != HEREDOC => collect(&child, line),
                    NodeOrToken::Node(_) => {}
                }
            }
        }
        let mut line = LogicalLine::new();
        collect(&self.node, &mut line);
        line
    }

    /// Keyword, flags and arguments in logical coordinates.
    pub fn layout(&self) -> &CommandLayout {
        self.computed
            .layout
            .get_or_init(|| command::split_command(self.logical().text()))
    }

    pub fn flags(&self) -> Vec<Flag> {
        let logical = self.logical();
        self.layout()
            .flags
            .iter()
            .map(|flag| {
                let body = flag.text.trim_start_matches('-');
                let (name, value) = match body.split_once('=') {
                    Some((name, value)) => (name.to_string(), Some(value.to_string())),
                    None => (body.to_string(), None),
                };
                Flag {
                    name,
                    value,
                    range: logical.source_range(flag.range.clone()),
                }
            })
            .collect()
    }

    /// The value of flag `--name` (the last one if repeated; `Some("")` for
    /// a bare flag).
    pub fn flag(&self, name: &str) -> Option<String> {
        self.flags()
            .into_iter()
            .rev()
            .find(|flag| flag.name == name)
            .map(|flag| flag.value.unwrap_or_default())
    }

    /// The arguments' logical text (after keyword and flags, trimmed).
    pub fn args(&self) -> &str {
        let layout = self.layout();
        &self.logical().text()[layout.args.clone()]
    }

    /// File range of the arguments (empty at the end of the text when there
    /// are none).
    pub fn args_range(&self) -> Range<usize> {
        let layout = self.layout();
        self.logical().source_range(layout.args.clone())
    }

    /// The arguments as a JSON array of strings, if they are one.
    pub fn json_args(&self) -> Option<Vec<String>> {
        command::parse_json_array(self.args()).ok()
    }

    /// Exec or shell form of the arguments.
    pub fn command_form(&self) -> CommandForm {
        let args = self.args();
        match command::parse_json_array(args) {
            Ok(words) => CommandForm::Exec(words),
            Err(_) => CommandForm::Shell(args.to_string()),
        }
    }

    /// Whitespace-separated arguments with their file ranges (BuildKit's
    /// parseStringsWhitespaceDelimited, used by FROM, COPY, EXPOSE, ...).
    pub fn words(&self) -> Vec<(String, Range<usize>)> {
        let logical = self.logical();
        let layout = self.layout();
        let args = &logical.text()[layout.args.clone()];
        let mut words = Vec::new();
        let mut offset = 0;
        for piece in args.split(['\t', '\x0b', '\x0c', '\r', ' ']) {
            if !piece.is_empty() {
                let start = layout.args.start + offset;
                words.push((
                    piece.to_string(),
                    logical.source_range(start..start + piece.len()),
                ));
            }
            offset += piece.len() + 1;
        }
        words
    }

    /// Heredocs announced by this instruction, in order.
    pub fn heredocs(&self) -> Vec<Heredoc> {
        // Asked of every instruction by many transforms; most have none.
        let has_heredocs = *self
            .computed
            .has_heredocs
            .get_or_init(|| self.node.children().any(|node| node.kind() == HEREDOC));
        if !has_heredocs {
            return Vec::new();
        }
        let logical = self.logical();
        let markers = command::heredoc_markers(logical.text());
        self.node
            .children()
            .filter(|node| node.kind() == HEREDOC)
            .zip(markers)
            .map(|(node, marker)| {
                let body_token = node
                    .children_with_tokens()
                    .filter_map(NodeOrToken::into_token)
                    .find(|token| token.kind() == HEREDOC_BODY);
                let range = to_range(node.text_range());
                let body_range = body_token
                    .as_ref()
                    .map_or(range.start..range.start, |token| {
                        to_range(token.text_range())
                    });
                Heredoc {
                    marker_range: logical.source_range(marker.range.clone()),
                    marker,
                    body: body_token
                        .map(|token| token.text().to_string())
                        .unwrap_or_default(),
                    body_range,
                    terminated: node
                        .children_with_tokens()
                        .any(|element| element.kind() == HEREDOC_END),
                    range,
                }
            })
            .collect()
    }

    /// The instruction inside an `ONBUILD`.
    pub fn onbuild_inner(&self) -> Option<Instruction> {
        self.node
            .children()
            .find(|node| node.kind() == ARGUMENTS)?
            .children()
            .find_map(Instruction::cast)
    }

    /// True when a comment line sits among the instruction's lines.
    pub fn has_inner_comments(&self) -> bool {
        self.node
            .descendants_with_tokens()
            .any(|element| element.kind() == COMMENT)
    }

    /// Number of physical lines the instruction's own text spans.
    pub fn has_continuations(&self) -> bool {
        self.node
            .descendants_with_tokens()
            .any(|element| element.kind() == LINE_CONTINUATION)
    }

    /// The indentation of the instruction's first line.
    pub fn indentation(&self) -> String {
        match self.node.first_token() {
            Some(token) if token.kind() == WHITESPACE => token.text().to_string(),
            _ => String::new(),
        }
    }

    /// The line ending the instruction uses (`\r\n` or `\n`).
    pub fn newline_style(&self) -> &'static str {
        let crlf = self
            .node
            .descendants_with_tokens()
            .filter_map(NodeOrToken::into_token)
            .find(|token| token.kind() == NEWLINE)
            .is_some_and(|token| token.text().contains('\r'));
        if crlf { "\r\n" } else { "\n" }
    }

    pub fn as_run(&self) -> Option<Run> {
        (self.kind() == InstructionKind::Run).then(|| Run(self.clone()))
    }

    pub fn as_from(&self) -> Option<From> {
        (self.kind() == InstructionKind::From).then(|| From(self.clone()))
    }

    pub fn as_copy(&self) -> Option<CopyLike> {
        matches!(self.kind(), InstructionKind::Copy | InstructionKind::Add)
            .then(|| CopyLike(self.clone()))
    }

    /// `ENV`, `LABEL` or `ARG` pairs.
    pub fn key_values(&self, escape: char) -> Vec<KeyValue> {
        match self.kind() {
            InstructionKind::Env | InstructionKind::Label => name_values(self.args(), escape),
            InstructionKind::Arg => command::parse_words(self.args(), escape)
                .into_iter()
                .map(|word| match word.split_once('=') {
                    Some((key, value)) => KeyValue {
                        key: key.to_string(),
                        value: Some(unquote(value, escape)),
                    },
                    None => KeyValue {
                        key: word,
                        value: None,
                    },
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// One `KEY=value` (or `KEY value`) of an ENV, LABEL or ARG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub key: String,
    /// The value with quotes and escapes removed; `None` for `ARG NAME`.
    pub value: Option<String>,
}

fn name_values(args: &str, escape: char) -> Vec<KeyValue> {
    let words = command::parse_words(args, escape);
    let Some(first) = words.first() else {
        return Vec::new();
    };
    if !first.contains('=') {
        let Some((key, value)) = args.split_once(['\t', '\x0b', '\x0c', '\r', ' ']) else {
            return Vec::new();
        };
        return vec![KeyValue {
            key: key.to_string(),
            value: Some(value.trim_start().to_string()),
        }];
    }
    words
        .iter()
        .filter_map(|word| word.split_once('='))
        .map(|(key, value)| KeyValue {
            key: key.to_string(),
            value: Some(unquote(value, escape)),
        })
        .collect()
}

/// Removes quotes and escape characters the way the shell-like ENV word
/// processing does (without expanding variables).
pub fn unquote(word: &str, escape: char) -> String {
    let mut out = String::new();
    let mut quote = None::<char>;
    let mut chars = word.chars();
    while let Some(ch) = chars.next() {
        match quote {
            Some('\'') if ch == '\'' => quote = None,
            Some('\'') => out.push(ch),
            Some(q) if ch == q => quote = None,
            _ if ch == escape => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            None if ch == '\'' || ch == '"' => quote = Some(ch),
            _ => out.push(ch),
        }
    }
    out
}

/// A build stage: its `FROM` and the instructions that follow it.
/// A stage's `AS` name, kept with its `FROM` instruction.
struct StageAlias(Option<String>);

#[derive(Debug, Clone)]
pub struct Stage {
    /// 0-based position among the stages.
    pub index: usize,
    pub from: Instruction,
    pub body: Vec<Instruction>,
}

impl Stage {
    /// The `AS name` alias, lowercased as BuildKit does. Read once per
    /// parse: every walk up a chain of stages asks each stage its name.
    pub fn name(&self) -> Option<String> {
        self.alias().0.clone()
    }

    /// True when the stage is named `name` (lowercase), without copying
    /// the name: walks up chains of stages compare every stage's.
    pub fn is_named(&self, name: &str) -> bool {
        self.alias().0.as_deref() == Some(name)
    }

    fn alias(&self) -> Rc<StageAlias> {
        self.from
            .derived(|| StageAlias(From(self.from.clone()).alias()))
    }

    /// The image or stage this stage is built `FROM`, lowercased (stage
    /// names are matched case-insensitively), read once per parse.
    pub fn base_reference(&self) -> Option<String> {
        struct BaseReference(Option<String>);
        self.from
            .derived(|| {
                BaseReference(
                    self.from
                        .as_from()
                        .and_then(|from| from.image())
                        .map(|(image, _)| image.to_ascii_lowercase()),
                )
            })
            .0
            .clone()
    }

    /// This stage, then the stage it is built `FROM` (`FROM build`, the
    /// latest earlier stage of that name, case-insensitively), and so on
    /// back to the one built on an image. Each stage once.
    pub fn lineage<'s>(&'s self, stages: &'s [Stage]) -> Vec<&'s Stage> {
        let mut chain = vec![self];
        let mut current = self;
        while let Some(base) = current.base_stage(stages) {
            if chain.iter().any(|seen| seen.index == base.index) {
                break;
            }
            chain.push(base);
            current = base;
        }
        chain
    }

    /// The stage this one is built `FROM` (the latest earlier stage of
    /// that name), if it is built on a stage. Found once per parse: every
    /// RUN of every transform asks for its stage's lineage, and searching
    /// the earlier stages each time grew with the square of their number.
    /// `stages` must be the stages of the file this stage was read from.
    pub fn base_stage<'s>(&self, stages: &'s [Stage]) -> Option<&'s Stage> {
        struct BaseStage(Option<usize>);
        let index = self
            .from
            .derived(|| {
                BaseStage(self.base_reference().and_then(|image| {
                    stages[..self.index.min(stages.len())]
                        .iter()
                        .rev()
                        .find(|earlier| earlier.is_named(&image))
                        .map(|earlier| earlier.index)
                }))
            })
            .0;
        stages.get(index?)
    }

    /// The `SHELL` set in this stage's own body before `instruction` (None:
    /// none). Not the shell in force, which may come from the stage it is
    /// built `FROM` or a Windows base image: see [`Dockerfile::shell_at`].
    pub fn shell_before(&self, instruction: &Instruction) -> Option<Vec<String>> {
        let mut shell = None;
        for item in &self.body {
            if item == instruction {
                break;
            }
            if item.kind() == InstructionKind::Shell
                && let Some(words) = item.json_args()
            {
                shell = Some(words);
            }
        }
        shell
    }
}

/// A `RUN` instruction.
#[derive(Debug, Clone)]
pub struct Run(pub Instruction);

impl Run {
    pub fn form(&self) -> CommandForm {
        self.0.command_form()
    }

    pub fn is_exec_form(&self) -> bool {
        matches!(self.form(), CommandForm::Exec(_))
    }

    /// Every `--mount=` flag, parsed into its comma-separated fields.
    pub fn mounts(&self) -> Vec<Mount> {
        self.0
            .flags()
            .into_iter()
            .filter(|flag| flag.name == "mount")
            .map(|flag| Mount::parse(flag.value.as_deref().unwrap_or_default()))
            .collect()
    }

    /// Targets of `--mount=type=cache` mounts.
    pub fn cache_targets(&self) -> Vec<String> {
        self.mounts()
            .into_iter()
            .filter(|mount| mount.kind() == "cache")
            .filter_map(|mount| mount.target().map(str::to_string))
            .collect()
    }
}

/// A `--mount=` specification: `type=cache,target=/root/.cache,...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub fields: Vec<(String, String)>,
}

impl Mount {
    pub fn parse(spec: &str) -> Self {
        let fields = spec
            .split(',')
            .filter(|field| !field.is_empty())
            .map(|field| match field.split_once('=') {
                Some((key, value)) => (key.to_ascii_lowercase(), value.to_string()),
                None => (field.to_ascii_lowercase(), String::new()),
            })
            .collect();
        Self { fields }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.as_str())
    }

    /// The mount type (`bind` when none is given, as in BuildKit).
    pub fn kind(&self) -> &str {
        self.get("type").unwrap_or("bind")
    }

    pub fn target(&self) -> Option<&str> {
        self.get("target")
            .or_else(|| self.get("dst"))
            .or_else(|| self.get("destination"))
    }
}

/// A `FROM` instruction.
#[derive(Debug, Clone)]
pub struct From(pub Instruction);

impl From {
    /// The image word as written, and its file range.
    pub fn image(&self) -> Option<(String, Range<usize>)> {
        self.words().first().cloned()
    }

    /// The instruction's words, read once: every transform asks each
    /// `FROM` for its image and alias, often once per other stage.
    fn words(&self) -> Rc<Vec<(String, Range<usize>)>> {
        struct FromWords(Rc<Vec<(String, Range<usize>)>>);
        self.0
            .derived(|| FromWords(Rc::new(self.0.words())))
            .0
            .clone()
    }

    pub fn image_ref(&self) -> Option<ImageRef> {
        self.image().map(|(text, _)| ImageRef::parse(&text))
    }

    /// `AS name`, lowercased.
    pub fn alias(&self) -> Option<String> {
        let words = self.words();
        match words.as_slice() {
            [_, (as_word, _), (name, _), ..] if as_word.eq_ignore_ascii_case("as") => {
                Some(name.to_ascii_lowercase())
            }
            _ => None,
        }
    }

    pub fn platform(&self) -> Option<String> {
        self.0.flag("platform")
    }
}

/// A `COPY` or `ADD` instruction.
#[derive(Debug, Clone)]
pub struct CopyLike(pub Instruction);

impl CopyLike {
    /// Sources and destination with their file ranges (exec form ranges
    /// cover the whole argument list). Heredoc sources appear as `<<EOF`.
    pub fn paths(&self) -> Vec<(String, Range<usize>)> {
        match self.0.json_args() {
            Some(words) => {
                let range = self.0.args_range();
                words
                    .into_iter()
                    .map(|word| (word, range.clone()))
                    .collect()
            }
            None => self.0.words(),
        }
    }

    pub fn sources(&self) -> Vec<String> {
        let mut paths: Vec<String> = self.paths().into_iter().map(|(path, _)| path).collect();
        paths.pop();
        paths
    }

    pub fn destination(&self) -> Option<String> {
        self.paths().pop().map(|(path, _)| path)
    }

    /// `--from=` (a stage name, index or image).
    pub fn from_stage(&self) -> Option<String> {
        self.0.flag("from")
    }

    pub fn is_exec_form(&self) -> bool {
        self.0.json_args().is_some()
    }
}

/// Kinds of the tokens in `node`, for tests and `dockfix parse`.
pub fn token_kinds(node: &SyntaxNode) -> Vec<SyntaxKind> {
    node.descendants_with_tokens()
        .filter_map(NodeOrToken::into_token)
        .map(|token| token.kind())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parser's logical line and layout of every instruction, which
    /// the tree starts with, equal what the tree's own tokens give.
    fn assert_parser_agrees_with_tree(text: &str, name: &str) {
        let file = Dockerfile::parse(text);
        for instruction in file.instructions() {
            assert!(
                instruction.computed.logical.get().is_some(),
                "{name}: not seeded"
            );
            let from_tokens = instruction.collect_logical();
            assert_eq!(instruction.logical(), &from_tokens, "{name}");
            assert_eq!(
                instruction.layout(),
                &command::split_command(from_tokens.text()),
                "{name}"
            );
        }
    }

    #[test]
    fn parsed_lines_equal_the_tree_s() {
        let texts = [
            "FROM a\nRUN echo \\\n  # comment\n\n  b \\\n c\n",
            "# escape=`\nFROM a\nRUN echo `\r\n  x\r\n",
            "FROM a\nONBUILD RUN --mount=type=cache,target=/x apt-get \\\n  update\n",
            "FROM a\nRUN <<EOF bash -e\nset -x\nEOF\nCOPY <<A <<B /x\na\nA\nb\nB\n",
            "FROM a\nFROBNICATE x\nRUN\n \\\nCMD [\"a\", \"b\"]",
            "\u{feff}FROM a AS b\n\tRUN\t x \\",
        ];
        for text in texts {
            assert_parser_agrees_with_tree(text, text);
        }
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
        if !corpus.is_dir() {
            eprintln!("SKIPPED the corpus part: ../shared/corpus is absent");
            return;
        }
        let mut folders = vec![corpus];
        let mut checked = 0;
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else if let Ok(text) = std::fs::read_to_string(&path) {
                    assert_parser_agrees_with_tree(&text, &path.display().to_string());
                    checked += 1;
                }
            }
        }
        assert!(checked > 400, "only {checked} corpus files");
    }
}
