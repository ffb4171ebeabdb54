//! Builds the lossless tree from text, line by line, the way BuildKit reads
//! a Dockerfile (moby/buildkit `frontend/dockerfile/parser/parser.go`).
//!
//! The parser never fails: whatever it does not understand becomes an
//! `ERROR` node holding the original bytes, with a [`Diagnostic`] beside the
//! tree.

use std::ops::Range;

use rowan::{GreenNode, GreenNodeBuilder, TextRange, TextSize};

use super::command::{self, CommandLayout, HeredocMarker, JsonError};
use super::kind::SyntaxKind::{self, *};
use super::logical::LogicalLine;

/// A problem found while parsing: BuildKit would reject or misread this part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub range: TextRange,
    pub message: String,
    /// True when BuildKit's parser itself fails here; false for problems it
    /// only reports later (an unknown instruction).
    pub parser_error: bool,
}

/// The parser's output: the green tree, the escape character the file
/// declares, and the problems found.
#[derive(Debug, Clone)]
pub struct ParseOutput {
    pub green: GreenNode,
    pub escape: char,
    pub diagnostics: Vec<Diagnostic>,
    /// The logical line and layout of each top-level instruction (the
    /// root's `INSTRUCTION` and `ERROR` children, in order), which the
    /// parser works out anyway: the syntax tree starts with them instead
    /// of reading them back from its tokens.
    pub instructions: Vec<(LogicalLine, CommandLayout)>,
}

/// One physical line: its text without the line ending, and the ending.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    start: usize,
    content: &'a str,
    newline: &'a str,
}

impl Line<'_> {
    fn content_range(&self) -> Range<usize> {
        self.start..self.start + self.content.len()
    }

    fn end(&self) -> usize {
        self.start + self.content.len() + self.newline.len()
    }
}

/// Splits at `\n`; the line ending is the run of `\r`/`\n` at the end of each
/// line, which is what BuildKit's trimNewline removes.
fn split_lines(text: &str, start: usize) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut offset = start;
    for raw in text[start..].split_inclusive('\n') {
        let content = raw.trim_end_matches(['\r', '\n']);
        lines.push(Line {
            start: offset,
            content,
            newline: &raw[content.len()..],
        });
        offset += raw.len();
    }
    lines
}

/// A piece of an instruction, in file order, before it becomes tokens.
#[derive(Debug, Clone)]
enum Piece {
    /// Part of the instruction's logical text.
    Text(Range<usize>),
    /// Anything else: indentation, continuation markers, line endings,
    /// comment lines.
    Trivia(SyntaxKind, Range<usize>),
}

pub fn parse(text: &str) -> ParseOutput {
    Parser::new(text).run()
}

struct Parser<'a> {
    text: &'a str,
    lines: Vec<Line<'a>>,
    next_line: usize,
    builder: GreenNodeBuilder<'static>,
    escape: char,
    directives_done: bool,
    seen_directives: Vec<String>,
    diagnostics: Vec<Diagnostic>,
    instructions: Vec<(LogicalLine, CommandLayout)>,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        let bom_len = if text.starts_with('\u{feff}') { 3 } else { 0 };
        Self {
            text,
            lines: split_lines(text, bom_len),
            next_line: 0,
            builder: GreenNodeBuilder::new(),
            escape: '\\',
            directives_done: false,
            seen_directives: Vec::new(),
            diagnostics: Vec::new(),
            instructions: Vec::new(),
        }
    }

    fn run(mut self) -> ParseOutput {
        self.builder.start_node(ROOT.into());
        if self.text.starts_with('\u{feff}') {
            self.token(BOM, 0..3);
        }
        let mut has_instruction = false;
        while self.next_line < self.lines.len() {
            let line = self.lines[self.next_line];
            let indent = indent_len(line.content);
            let trimmed = &line.content[indent..];
            if !self.directives_done && self.directive(line, indent) {
                continue;
            }
            self.directives_done = true;
            if trimmed.starts_with('#') || trimmed.is_empty() {
                self.next_line += 1;
                self.trivia_line(line, indent);
                continue;
            }
            has_instruction = true;
            self.instruction();
        }
        if !has_instruction {
            self.diagnostics.push(Diagnostic {
                range: TextRange::empty(TextSize::from(self.text.len() as u32)),
                message: "file with no instructions".into(),
                parser_error: true,
            });
        }
        self.builder.finish_node();
        ParseOutput {
            green: self.builder.finish(),
            escape: self.escape,
            diagnostics: self.diagnostics,
            instructions: self.instructions,
        }
    }

    fn token(&mut self, kind: SyntaxKind, range: Range<usize>) {
        if !range.is_empty() {
            self.builder.token(kind.into(), &self.text[range]);
        }
    }

    fn diagnostic(&mut self, range: Range<usize>, message: impl Into<String>) {
        let message = message.into();
        self.diagnostics.push(Diagnostic {
            range: text_range(range),
            parser_error: !message.starts_with(UNKNOWN_INSTRUCTION),
            message,
        });
    }

    /// A comment line or blank line outside any instruction.
    fn trivia_line(&mut self, line: Line, indent: usize) {
        let content = line.content_range();
        self.token(WHITESPACE, content.start..content.start + indent);
        self.token(COMMENT, content.start + indent..content.end);
        self.token(NEWLINE, content.end..line.end());
    }

    /// Consumes a parser directive line if this is one. Directives are only
    /// read before the first line that is not one (BuildKit's
    /// possibleParserDirective).
    fn directive(&mut self, line: Line, indent: usize) -> bool {
        let Some((name, value)) = parse_directive(&line.content[indent..]) else {
            return false;
        };
        let name = name.to_ascii_lowercase();
        if !matches!(name.as_str(), "syntax" | "escape" | "check") {
            return false;
        }
        self.next_line += 1;
        let range = line.content_range();
        if self.seen_directives.contains(&name) {
            self.diagnostic(
                range.clone(),
                format!("only one {name} parser directive can be used"),
            );
        } else if name == "escape" {
            match value {
                "\\" => self.escape = '\\',
                "`" => self.escape = '`',
                _ => self.diagnostic(
                    range.clone(),
                    format!("invalid escape token '{value}' does not match ` or \\"),
                ),
            }
        }
        self.seen_directives.push(name);
        self.builder.start_node(DIRECTIVE.into());
        self.trivia_line(line, indent);
        self.builder.finish_node();
        true
    }

    /// Where the escape character that continues `content` starts, if it
    /// does: BuildKit's `([^E])E[ \t]*$|^E[ \t]*$`.
    fn continuation_at(&self, content: &str) -> Option<usize> {
        let body = content.trim_end_matches([' ', '\t']);
        let before = body.strip_suffix(self.escape)?;
        if before.ends_with(self.escape) {
            return None;
        }
        Some(before.len())
    }

    /// Reads one instruction: its lines, continuation lines, and heredocs.
    fn instruction(&mut self) {
        let first = self.lines[self.next_line];
        self.next_line += 1;
        let mut pieces = Vec::new();
        let mut logical = LogicalLine::new();
        let indent = indent_len(first.content);
        let range = first.content_range();
        pieces.push(Piece::Trivia(WHITESPACE, range.start..range.start + indent));
        let mut continued = self.text_line(first, range.start + indent, &mut pieces, &mut logical);
        while continued && self.next_line < self.lines.len() {
            let line = self.lines[self.next_line];
            self.next_line += 1;
            let indent = indent_len(line.content);
            let range = line.content_range();
            let trimmed = &line.content[indent..];
            if trimmed.starts_with('#') || trimmed.is_empty() {
                // BuildKit drops comment lines and blank lines inside a
                // continued instruction; the instruction goes on.
                pieces.push(Piece::Trivia(WHITESPACE, range.start..range.start + indent));
                pieces.push(Piece::Trivia(COMMENT, range.start + indent..range.end));
                pieces.push(Piece::Trivia(NEWLINE, range.end..line.end()));
                continue;
            }
            continued = self.text_line(line, range.start, &mut pieces, &mut logical);
        }

        let layout = command::split_command(logical.text());
        let keyword = logical.text()[layout.keyword.clone()].to_ascii_lowercase();
        let args = &logical.text()[layout.args.clone()];
        let (problem, onbuild_inner) = self.check_instruction(&keyword, args, &layout, &logical);
        let kind = if problem.is_some() {
            ERROR
        } else {
            INSTRUCTION
        };
        let instruction_start = first.start;

        self.builder.start_node(kind.into());
        let tokens = tokens_from_pieces(
            &pieces,
            &logical,
            &layout,
            onbuild_inner.as_ref(),
            self.text,
        );
        let mut emitter = TokenEmitter {
            tokens: &tokens,
            next: 0,
        };
        emitter.layout(self, &layout, onbuild_inner.as_ref(), &logical);
        emitter.rest(self, usize::MAX);

        let heredoc_keyword = match &onbuild_inner {
            Some(inner) => logical.text()[inner.keyword.clone()].to_ascii_lowercase(),
            None => keyword.clone(),
        };
        let heredoc_args = match &onbuild_inner {
            Some(inner) => &logical.text()[inner.args.clone()],
            None => args,
        };
        if problem.is_none()
            && matches!(heredoc_keyword.as_str(), "run" | "copy" | "add")
            && command::parse_json_array(heredoc_args).is_err()
        {
            for marker in command::heredoc_markers(logical.text()) {
                self.heredoc(&marker);
            }
        }
        self.builder.finish_node();

        if let Some(message) = problem {
            let end = self
                .lines
                .get(self.next_line)
                .map_or(self.text.len(), |line| line.start);
            self.diagnostic(instruction_start..end, message);
        }
        self.instructions.push((logical, layout));
    }

    /// Adds the text of one line of an instruction (from `text_start`) and
    /// its continuation marker and line ending; says whether it continues.
    fn text_line(
        &mut self,
        line: Line,
        text_start: usize,
        pieces: &mut Vec<Piece>,
        logical: &mut LogicalLine,
    ) -> bool {
        let range = line.content_range();
        let content = &self.text[text_start..range.end];
        let continuation = self.continuation_at(content);
        let text_end = text_start + continuation.unwrap_or(content.len());
        pieces.push(Piece::Text(text_start..text_end));
        logical.push(text_start, &self.text[text_start..text_end]);
        pieces.push(Piece::Trivia(LINE_CONTINUATION, text_end..range.end));
        pieces.push(Piece::Trivia(NEWLINE, range.end..line.end()));
        continuation.is_some()
    }

    /// What BuildKit's line parsers would refuse in this instruction, and the
    /// layout of the instruction inside an `ONBUILD`.
    fn check_instruction(
        &self,
        keyword: &str,
        args: &str,
        layout: &CommandLayout,
        logical: &LogicalLine,
    ) -> (Option<String>, Option<CommandLayout>) {
        if keyword == "onbuild" {
            if args.is_empty() {
                return (None, None);
            }
            let mut inner = command::split_command(args);
            let offset = layout.args.start;
            inner.keyword = inner.keyword.start + offset..inner.keyword.end + offset;
            for flag in &mut inner.flags {
                flag.range = flag.range.start + offset..flag.range.end + offset;
            }
            inner.args = inner.args.start + offset..inner.args.end + offset;
            let inner_keyword = logical.text()[inner.keyword.clone()].to_ascii_lowercase();
            let inner_args = &logical.text()[inner.args.clone()];
            let problem = match inner_keyword.as_str() {
                "onbuild" | "from" | "maintainer" => Some(format!(
                    "{} isn't allowed as an ONBUILD trigger",
                    inner_keyword.to_ascii_uppercase()
                )),
                _ => instruction_problem(&inner_keyword, inner_args, self.escape),
            };
            return (problem, Some(inner));
        }
        (instruction_problem(keyword, args, self.escape), None)
    }

    /// Reads a heredoc body up to its terminator line.
    fn heredoc(&mut self, marker: &HeredocMarker) {
        self.builder.start_node(HEREDOC.into());
        let body_start = self
            .lines
            .get(self.next_line)
            .map_or(self.text.len(), |l| l.start);
        let mut terminated = None;
        while self.next_line < self.lines.len() {
            let line = self.lines[self.next_line];
            self.next_line += 1;
            let candidate = if marker.chomp {
                line.content.trim_start_matches('\t')
            } else {
                line.content
            };
            if candidate == marker.name {
                terminated = Some(line);
                break;
            }
        }
        match terminated {
            Some(line) => {
                self.token(HEREDOC_BODY, body_start..line.start);
                self.token(HEREDOC_END, line.content_range());
                self.token(NEWLINE, line.content_range().end..line.end());
            }
            None => {
                self.token(HEREDOC_BODY, body_start..self.text.len());
                self.diagnostic(
                    body_start..self.text.len(),
                    format!("unterminated heredoc {}", marker.name),
                );
            }
        }
        self.builder.finish_node();
    }
}

const UNKNOWN_INSTRUCTION: &str = "unknown instruction";

/// What BuildKit refuses for an instruction with these arguments.
fn instruction_problem(keyword: &str, args: &str, escape: char) -> Option<String> {
    const KNOWN: &[&str] = &[
        "add",
        "arg",
        "cmd",
        "copy",
        "entrypoint",
        "env",
        "expose",
        "from",
        "healthcheck",
        "label",
        "maintainer",
        "onbuild",
        "run",
        "shell",
        "stopsignal",
        "user",
        "volume",
        "workdir",
    ];
    if !KNOWN.contains(&keyword) {
        return Some(format!("{UNKNOWN_INSTRUCTION}: {keyword}"));
    }
    let json_problem = matches!(
        keyword,
        "add" | "copy" | "cmd" | "entrypoint" | "run" | "shell" | "volume" | "healthcheck"
    ) && matches!(
        command::parse_json_array(health_command(keyword, args)),
        Err(JsonError::NotStringArray)
    );
    if json_problem {
        return Some(
            "when using JSON array syntax, arrays must be comprised of strings only".into(),
        );
    }
    if matches!(keyword, "env" | "label") {
        let words = command::parse_words(args, escape);
        if let Some(first) = words.first() {
            if !first.contains('=') {
                if args.split_once(is_space_separator).is_none() {
                    return Some(format!(
                        "{} must have two arguments",
                        keyword.to_ascii_uppercase()
                    ));
                }
            } else if let Some(bad) = words.iter().find(|word| !word.contains('=')) {
                return Some(format!(
                    "Syntax error - can't find = in {bad:?}. Must be of the form: name=value"
                ));
            }
        }
    }
    None
}

/// The part of a HEALTHCHECK that BuildKit parses as a command.
fn health_command<'t>(keyword: &str, args: &'t str) -> &'t str {
    if keyword != "healthcheck" {
        return args;
    }
    args.split_once(|c: char| c.is_whitespace())
        .map_or("", |(_, rest)| rest.trim_start())
}

fn is_space_separator(c: char) -> bool {
    matches!(c, '\t' | '\x0b' | '\x0c' | '\r' | ' ')
}

fn indent_len(content: &str) -> usize {
    content.len() - content.trim_start_matches(char::is_whitespace).len()
}

fn text_range(range: Range<usize>) -> TextRange {
    TextRange::new(
        TextSize::from(range.start as u32),
        TextSize::from(range.end as u32),
    )
}

/// BuildKit's directive pattern `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`.
pub(crate) fn parse_directive(line: &str) -> Option<(&str, &str)> {
    let is_re_space = |c: char| matches!(c, '\t' | '\n' | '\x0c' | '\r' | ' ');
    let rest = line.strip_prefix('#')?.trim_start_matches(is_re_space);
    let name_len = rest
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())))
        .map_or(rest.len(), |(i, _)| i);
    if name_len == 0 {
        return None;
    }
    let name = &rest[..name_len];
    let rest = rest[name_len..].trim_start_matches(is_re_space);
    let after_equals = rest.strip_prefix('=')?;
    let value = after_equals.trim_matches(is_re_space);
    if !value.is_empty() {
        return Some((name, value));
    }
    // `(.+?)` needs one character: a value of only blanks is that last blank.
    let last = after_equals.chars().last()?;
    Some((name, &after_equals[after_equals.len() - last.len_utf8()..]))
}

/// A token about to be emitted: its kind and file range.
#[derive(Debug, Clone)]
struct PendingToken {
    kind: SyntaxKind,
    range: Range<usize>,
}

/// Cuts the instruction's pieces into tokens: text into WORD and SPACE runs,
/// split wherever the keyword, a flag or the arguments begin or end, so each
/// token falls inside exactly one node.
fn tokens_from_pieces(
    pieces: &[Piece],
    logical: &LogicalLine,
    layout: &CommandLayout,
    inner: Option<&CommandLayout>,
    text: &str,
) -> Vec<PendingToken> {
    let mut cuts = Vec::new();
    let mut keyword_ranges = vec![logical.source_range(layout.keyword.clone())];
    for layout in std::iter::once(layout).chain(inner) {
        let keyword = logical.source_range(layout.keyword.clone());
        cuts.extend([keyword.start, keyword.end]);
        keyword_ranges.push(keyword);
        for flag in &layout.flags {
            let range = logical.source_range(flag.range.clone());
            cuts.extend([range.start, range.end]);
        }
        let args = logical.source_range(layout.args.clone());
        cuts.extend([args.start, args.end]);
    }
    cuts.sort_unstable();
    cuts.dedup();

    let mut tokens = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Trivia(kind, range) => {
                if !range.is_empty() {
                    tokens.push(PendingToken {
                        kind: *kind,
                        range: range.clone(),
                    });
                }
            }
            Piece::Text(range) => {
                let mut start = range.start;
                let mut prev_is_space = false;
                // Offsets only grow: walk the sorted cuts alongside.
                let mut next_cut = cuts.partition_point(|&cut| cut < range.start);
                for (offset, ch) in text[range.clone()].char_indices() {
                    let at = range.start + offset;
                    while cuts.get(next_cut).is_some_and(|&cut| cut < at) {
                        next_cut += 1;
                    }
                    let is_space = ch.is_whitespace();
                    let at_cut = cuts.get(next_cut) == Some(&at);
                    if at > start && (is_space != prev_is_space || at_cut) {
                        tokens.push(text_token(start..at, text, &keyword_ranges));
                        start = at;
                    }
                    prev_is_space = is_space;
                }
                if range.end > start {
                    tokens.push(text_token(start..range.end, text, &keyword_ranges));
                }
            }
        }
    }
    tokens
}

fn text_token(range: Range<usize>, text: &str, keyword_ranges: &[Range<usize>]) -> PendingToken {
    let kind = if text[range.clone()].starts_with(char::is_whitespace) {
        SPACE
    } else if keyword_ranges
        .iter()
        .any(|keyword| keyword.start <= range.start && range.end <= keyword.end)
    {
        KEYWORD
    } else {
        WORD
    };
    PendingToken { kind, range }
}

/// Emits pending tokens into the builder, opening FLAG and ARGUMENTS nodes
/// (and the instruction inside an ONBUILD) around the tokens they cover.
struct TokenEmitter<'t> {
    tokens: &'t [PendingToken],
    next: usize,
}

impl TokenEmitter<'_> {
    /// Emits every token that starts before `end`.
    fn rest(&mut self, parser: &mut Parser, end: usize) {
        while let Some(token) = self.tokens.get(self.next) {
            if token.range.start >= end {
                break;
            }
            parser.token(token.kind, token.range.clone());
            self.next += 1;
        }
    }

    /// Emits tokens up to `end`, but leaves trivia that follows the last
    /// text token outside (so a node never ends with a line ending).
    fn node(&mut self, parser: &mut Parser, kind: SyntaxKind, range: Range<usize>) {
        self.rest(parser, range.start);
        parser.builder.start_node(kind.into());
        self.rest(parser, range.end);
        parser.builder.finish_node();
    }

    fn layout(
        &mut self,
        parser: &mut Parser,
        layout: &CommandLayout,
        inner: Option<&CommandLayout>,
        logical: &LogicalLine,
    ) {
        let keyword = logical.source_range(layout.keyword.clone());
        self.rest(parser, keyword.end);
        for flag in &layout.flags {
            self.node(parser, FLAG, logical.source_range(flag.range.clone()));
        }
        if layout.args.is_empty() {
            return;
        }
        let args = logical.source_range(layout.args.clone());
        self.rest(parser, args.start);
        parser.builder.start_node(ARGUMENTS.into());
        if let Some(inner) = inner {
            let inner_range = logical.source_range(inner.keyword.start..layout.args.end);
            self.rest(parser, inner_range.start);
            parser.builder.start_node(INSTRUCTION.into());
            self.layout(parser, inner, None, logical);
            self.rest(parser, inner_range.end);
            parser.builder.finish_node();
        }
        self.rest(parser, args.end);
        parser.builder.finish_node();
    }
}
