//! From brush-parser's AST to our flat [`Script`], with file ranges.

use std::ops::Range;

use brush_parser::ast;

use super::{
    AndOr, AndOrList, Command, CompoundKind, Pipeline, Script, ScriptSource, ShellError,
    SimpleCommand, Terminator, Word,
};

/// Parses `text` into a script whose ranges are offsets in `text`.
pub(super) fn parse(text: &str) -> Result<Script, ShellError> {
    let options = brush_parser::ParserOptions {
        // Dockerfiles run `/bin/sh`, where `!(…)` is not a pattern.
        enable_extended_globbing: false,
        ..brush_parser::ParserOptions::default()
    };
    // brush-parser is young; a panic inside it must not take dockfix down.
    // The tokens are kept: they locate the `fi` that ends an `if`.
    let (tokens, parsed) = std::panic::catch_unwind(|| {
        let tokens = brush_parser::uncached_tokenize_str(text, &options.tokenizer_options())
            .map_err(|error| ShellError::Syntax(error.to_string()))?;
        let parsed = brush_parser::parse_tokens(&tokens, &options)
            .map_err(|error| ShellError::Syntax(error.to_string()))?;
        Ok((tokens, parsed))
    })
    .map_err(|_| ShellError::ParserPanic)??;
    let char_offsets = CharOffsets::new(text);
    let fi_keywords = tokens
        .iter()
        .filter(|token| matches!(token, brush_parser::Token::Word(word, _) if word == "fi"))
        .filter_map(|token| char_offsets.byte(token.location().start.index))
        .collect();
    let converter = Converter {
        text,
        char_offsets,
        fi_keywords,
    };
    let mut lists = Vec::new();
    for complete in &parsed.complete_commands {
        lists.extend(converter.lists(complete)?);
    }
    Ok(Script {
        source: ScriptSource::ShellForm,
        lists,
        range: 0..text.len(),
    })
}

/// brush-parser counts characters; we need byte offsets.
struct CharOffsets(Option<Vec<usize>>);

impl CharOffsets {
    fn new(text: &str) -> Self {
        if text.is_ascii() {
            return Self(None);
        }
        let mut offsets: Vec<usize> = text.char_indices().map(|(offset, _)| offset).collect();
        offsets.push(text.len());
        Self(Some(offsets))
    }

    fn byte(&self, char_index: usize) -> Option<usize> {
        match &self.0 {
            None => Some(char_index),
            Some(offsets) => offsets.get(char_index).copied(),
        }
    }
}

struct Converter<'a> {
    text: &'a str,
    char_offsets: CharOffsets,
    /// Script offsets of every `fi` word token, in order. brush-parser's
    /// span of an `if` clause covers only the `if` keyword, so its end is
    /// found here: the first `fi` after the clause's last inner list.
    fi_keywords: Vec<usize>,
}

type Converted<T> = Result<T, ShellError>;

impl Converter<'_> {
    /// Script byte range of a brush span.
    fn script_range(&self, span: &brush_parser::SourceSpan) -> Converted<Range<usize>> {
        let start = self.char_offsets.byte(span.start.index);
        let end = self.char_offsets.byte(span.end.index);
        match (start, end) {
            (Some(start), Some(end)) if start <= end && end <= self.text.len() => Ok(start..end),
            _ => Err(ShellError::MissingPositions),
        }
    }

    fn span(&self, span: &brush_parser::SourceSpan) -> Converted<Range<usize>> {
        self.script_range(span)
    }

    fn word(&self, word: &ast::Word) -> Converted<Word> {
        let span = word.loc.as_ref().ok_or(ShellError::MissingPositions)?;
        let script = self.script_range(span)?;
        Ok(Word::new(&self.text[script.clone()], script))
    }

    fn lists(&self, list: &ast::CompoundList) -> Converted<Vec<AndOrList>> {
        list.0
            .iter()
            .map(|ast::CompoundListItem(and_or, separator)| self.and_or(and_or, separator))
            .collect()
    }

    fn and_or(
        &self,
        list: &ast::AndOrList,
        separator: &ast::SeparatorOperator,
    ) -> Converted<AndOrList> {
        let mut pipelines = vec![self.pipeline(&list.first)?];
        let mut operators = Vec::new();
        for next in &list.additional {
            let (operator, pipeline) = match next {
                ast::AndOr::And(pipeline) => (AndOr::And, pipeline),
                ast::AndOr::Or(pipeline) => (AndOr::Or, pipeline),
            };
            operators.push(operator);
            pipelines.push(self.pipeline(pipeline)?);
        }
        let range = cover(pipelines.iter().map(|p| p.range.clone()));
        let terminator = match separator {
            ast::SeparatorOperator::Async => Terminator::Background,
            ast::SeparatorOperator::Sequence if self.followed_by_semicolon(range.end) => {
                Terminator::Semicolon
            }
            ast::SeparatorOperator::Sequence => Terminator::End,
        };
        Ok(AndOrList {
            pipelines,
            operators,
            terminator,
            range,
        })
    }

    /// brush reports `;` and a newline alike; look at the text after the
    /// list. (Its own span of the list ends at the last word, before any
    /// redirection: `echo ok > /x; b` read as ending in a newline.)
    fn followed_by_semicolon(&self, end: usize) -> bool {
        self.text[end..]
            .trim_start_matches([' ', '\t'])
            .starts_with(';')
    }

    fn pipeline(&self, pipeline: &ast::Pipeline) -> Converted<Pipeline> {
        let commands = pipeline
            .seq
            .iter()
            .map(|command| self.command(command))
            .collect::<Converted<Vec<_>>>()?;
        let mut range = cover(commands.iter().map(Command::range));
        if pipeline.bang {
            range.start = self.bang_before(range.start);
        }
        if let Some(
            ast::PipelineTimed::Timed(span) | ast::PipelineTimed::TimedWithPosixOutput(span),
        ) = &pipeline.timed
        {
            range.start = range.start.min(self.span(span)?.start);
        }
        Ok(Pipeline {
            commands,
            negated: pipeline.bang,
            range,
        })
    }

    /// Where the `!` that negates a pipeline starting at `start` is (brush
    /// does not record it).
    fn bang_before(&self, start: usize) -> usize {
        let before = self.text[..start].trim_end();
        before.strip_suffix('!').map_or(start, str::len)
    }

    fn command(&self, command: &ast::Command) -> Converted<Command> {
        match command {
            ast::Command::Simple(simple) => Ok(Command::Simple(self.simple(simple)?)),
            ast::Command::Compound(compound, redirects) => {
                self.with_redirects(self.compound(compound)?, redirects.as_ref())
            }
            ast::Command::Function(function) => {
                let name = self.word(&function.fname)?;
                let body = self.compound(&function.body.0)?;
                let Command::Compound {
                    range,
                    inner,
                    redirects,
                    ..
                } = self.with_redirects(body, function.body.1.as_ref())?
                else {
                    unreachable!("a function body is a compound command")
                };
                Ok(Command::Compound {
                    kind: CompoundKind::Function,
                    range: name.range.start..range.end,
                    inner,
                    redirects,
                })
            }
            ast::Command::ExtendedTest(test, redirects) => {
                let test = Command::Compound {
                    kind: CompoundKind::Test,
                    range: self.span(&test.loc)?,
                    inner: Vec::new(),
                    redirects: Vec::new(),
                };
                self.with_redirects(test, redirects.as_ref())
            }
        }
    }

    /// A compound command's range extended over the redirections that
    /// follow it (`done < /pkgs.txt`): brush keeps them beside the command,
    /// outside its span, but they belong to it: nothing may be inserted
    /// between the two.
    fn with_redirects(
        &self,
        command: Command,
        redirects: Option<&ast::RedirectList>,
    ) -> Converted<Command> {
        let Command::Compound {
            kind,
            mut range,
            inner,
            redirects: mut words,
        } = command
        else {
            return Ok(command);
        };
        for redirect in redirects.iter().flat_map(|list| list.0.iter()) {
            if let Some(target) = self.redirect_target(redirect)? {
                range.end = range.end.max(target.range.end);
                words.push(target);
            }
        }
        Ok(Command::Compound {
            kind,
            range,
            inner,
            redirects: words,
        })
    }

    fn compound(&self, compound: &ast::CompoundCommand) -> Converted<Command> {
        use ast::CompoundCommand as C;
        let (kind, span, inner) = match compound {
            C::Arithmetic(arithmetic) => (CompoundKind::Arithmetic, &arithmetic.loc, Vec::new()),
            C::ArithmeticForClause(clause) => (
                CompoundKind::For,
                &clause.loc,
                self.lists(&clause.body.list)?,
            ),
            C::BraceGroup(group) => (
                CompoundKind::BraceGroup,
                &group.loc,
                self.lists(&group.list)?,
            ),
            C::Subshell(subshell) => (
                CompoundKind::Subshell,
                &subshell.loc,
                self.lists(&subshell.list)?,
            ),
            C::ForClause(clause) => (
                CompoundKind::For,
                &clause.loc,
                self.lists(&clause.body.list)?,
            ),
            C::CaseClause(clause) => {
                let mut inner = Vec::new();
                for item in &clause.cases {
                    if let Some(list) = &item.cmd {
                        inner.extend(self.lists(list)?);
                    }
                }
                (CompoundKind::Case, &clause.loc, inner)
            }
            C::IfClause(clause) => {
                let mut inner = self.lists(&clause.condition)?;
                inner.extend(self.lists(&clause.then)?);
                for branch in clause.elses.iter().flatten() {
                    if let Some(condition) = &branch.condition {
                        inner.extend(self.lists(condition)?);
                    }
                    inner.extend(self.lists(&branch.body)?);
                }
                (CompoundKind::If, &clause.loc, inner)
            }
            C::WhileClause(ast::WhileOrUntilClauseCommand(condition, body, span)) => {
                let mut inner = self.lists(condition)?;
                inner.extend(self.lists(&body.list)?);
                (CompoundKind::While, span, inner)
            }
            C::UntilClause(ast::WhileOrUntilClauseCommand(condition, body, span)) => {
                let mut inner = self.lists(condition)?;
                inner.extend(self.lists(&body.list)?);
                (CompoundKind::Until, span, inner)
            }
            C::Coprocess(coprocess) => (CompoundKind::Coprocess, &coprocess.loc, Vec::new()),
        };
        let mut range = self.span(span)?;
        // Every span but the `if` clause's covers the closing keyword; an
        // `if` ends at the first `fi` after everything it contains.
        if kind == CompoundKind::If {
            let inner_end = inner.iter().map(|list| list.range.end).max();
            let after = inner_end.unwrap_or(range.end).max(range.end);
            let fi = self.fi_keywords.partition_point(|&at| at < after);
            let fi = self
                .fi_keywords
                .get(fi)
                .ok_or(ShellError::MissingPositions)?;
            range.end = fi + "fi".len();
        }
        Ok(Command::Compound {
            kind,
            range,
            inner,
            redirects: Vec::new(),
        })
    }

    fn simple(&self, simple: &ast::SimpleCommand) -> Converted<SimpleCommand> {
        let mut assignments = Vec::new();
        let mut words = Vec::new();
        let mut redirects = Vec::new();
        let mut ranges = Vec::new();
        let prefix = simple.prefix.iter().flat_map(|prefix| prefix.0.iter());
        for item in prefix {
            match item {
                ast::CommandPrefixOrSuffixItem::AssignmentWord(_, word) => {
                    assignments.push(self.word(word)?)
                }
                other => self.affix(other, &mut words, &mut redirects)?,
            }
        }
        if let Some(name) = &simple.word_or_name {
            words.push(self.word(name)?);
        }
        for item in simple.suffix.iter().flat_map(|suffix| suffix.0.iter()) {
            match item {
                // `export A=b`, `local x=1`: arguments of the command.
                ast::CommandPrefixOrSuffixItem::AssignmentWord(_, word) => {
                    words.push(self.word(word)?)
                }
                other => self.affix(other, &mut words, &mut redirects)?,
            }
        }
        ranges.extend(
            assignments
                .iter()
                .chain(&words)
                .chain(&redirects)
                .map(|w| w.range.clone()),
        );
        if ranges.is_empty() {
            return Err(ShellError::MissingPositions);
        }
        words.sort_by_key(|word| word.range.start);
        Ok(SimpleCommand {
            assignments,
            words,
            redirects,
            range: cover(ranges.into_iter()),
        })
    }

    fn affix(
        &self,
        item: &ast::CommandPrefixOrSuffixItem,
        words: &mut Vec<Word>,
        redirects: &mut Vec<Word>,
    ) -> Converted<()> {
        match item {
            ast::CommandPrefixOrSuffixItem::Word(word) => words.push(self.word(word)?),
            ast::CommandPrefixOrSuffixItem::AssignmentWord(_, word) => words.push(self.word(word)?),
            ast::CommandPrefixOrSuffixItem::IoRedirect(redirect) => {
                if let Some(target) = self.redirect_target(redirect)? {
                    redirects.push(target);
                }
            }
            ast::CommandPrefixOrSuffixItem::ProcessSubstitution(_, subshell) => {
                let script = self.script_range(&subshell.loc)?;
                words.push(Word::new(&self.text[script.clone()], script));
            }
        }
        Ok(())
    }

    fn redirect_target(&self, redirect: &ast::IoRedirect) -> Converted<Option<Word>> {
        use ast::IoFileRedirectTarget as T;
        Ok(match redirect {
            ast::IoRedirect::File(_, _, target) => match target {
                T::Filename(word) | T::Duplicate(word) => Some(self.word(word)?),
                T::Fd(_) => None,
                T::ProcessSubstitution(_, subshell) => {
                    let script = self.script_range(&subshell.loc)?;
                    Some(Word::new(&self.text[script.clone()], script))
                }
            },
            ast::IoRedirect::HereDocument(_, heredoc) => Some(self.word(&heredoc.here_end)?),
            ast::IoRedirect::HereString(_, word) | ast::IoRedirect::OutputAndError(word, _) => {
                Some(self.word(word)?)
            }
        })
    }
}

/// The smallest range covering all of `ranges`.
pub(super) fn cover(ranges: impl Iterator<Item = Range<usize>>) -> Range<usize> {
    ranges
        .reduce(|a, b| a.start.min(b.start)..a.end.max(b.end))
        .unwrap_or(0..0)
}
