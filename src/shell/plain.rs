//! A fast path for the plainest shell scripts.
//!
//! Most `RUN` bodies are chains of simple commands made of plain words:
//! `apt-get update && apt-get install -y curl`. brush-parser takes several
//! microseconds on such a text (a tokenizer, a PEG parse, an AST, then our
//! conversion), and on files with thousands of `RUN`s that was a fifth of
//! dockfix's run time. This scanner builds the same [`Script`] in one pass
//! over the bytes, for a subset of the shell language only, and gives up
//! (`None`) at the first thing outside it, leaving the text to brush-parser:
//!
//! - words of printable ASCII without `$`, backquotes, backslashes,
//!   parentheses, braces, `#`, `!` or `&`: no expansion, substitution,
//!   group or comment. Single- and double-quoted parts are allowed when
//!   they stay on their line (and, in double quotes, hold none of the
//!   three characters that are special there: `$`, backquote, backslash);
//! - no reserved word anywhere (`if`, `in`, `time`, `[[`, ...), even where
//!   the shell would read it as a plain word, and no `=` in a command's
//!   first word (an assignment such as `A=b cmd`);
//! - the operators `&&`, `||`, `|`, `;` and newlines;
//! - redirections `<`, `>` and `>>`, with an optional descriptor number,
//!   to a word of the same kind.
//!
//! Whenever it returns a script, it is the one brush-parser and
//! `convert` give: a test compares the two on every shell text of the
//! corpus, on generated scripts and on the transforms' cases
//! (`shell/tests.rs`).

use std::ops::Range;

use super::convert::cover;
use super::{
    AndOr, AndOrList, Command, CompoundKind, Pipeline, Script, ScriptSource, SimpleCommand,
    Terminator,
};
use super::{Terminator::End, Word};

/// The script of `text`, when `text` is in the subset this module reads.
/// It recurses once per nested `if`: the cache measures the nesting of a
/// text before any parser sees it (`cache::nesting_depth`).
pub(super) fn parse(text: &str) -> Option<Script> {
    let mut scanner = Scanner {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    let mut lists = Vec::new();
    loop {
        scanner.skip_blanks_and_newlines();
        if scanner.at == scanner.bytes.len() {
            break;
        }
        lists.push(scanner.and_or()?);
    }
    if lists.is_empty() {
        return None;
    }
    Some(Script {
        source: ScriptSource::ShellForm,
        lists,
        range: 0..text.len(),
    })
}

/// Words the shell reads as reserved in some position: the scanner gives
/// up on any of them, wherever it stands.
const RESERVED: &[&str] = &[
    "!", "[[", "]]", "{", "}", "case", "coproc", "do", "done", "elif", "else", "esac", "fi", "for",
    "function", "if", "in", "select", "then", "time", "until", "while",
];

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn peek_second(&self) -> Option<u8> {
        self.bytes.get(self.at + 1).copied()
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    /// After `&&`, `||` and `|` (and between lists) the shell allows line
    /// breaks.
    fn skip_blanks_and_newlines(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n')) {
            self.at += 1;
        }
    }

    fn and_or(&mut self) -> Option<AndOrList> {
        let mut pipelines = vec![self.pipeline()?];
        let mut operators = Vec::new();
        loop {
            self.skip_blanks();
            let operator = match (self.peek(), self.peek_second()) {
                (Some(b'&'), Some(b'&')) => AndOr::And,
                (Some(b'|'), Some(b'|')) => AndOr::Or,
                _ => break,
            };
            self.at += 2;
            self.skip_blanks_and_newlines();
            operators.push(operator);
            pipelines.push(self.pipeline()?);
        }
        self.skip_blanks();
        let terminator = match self.peek() {
            None => End,
            Some(b'\n') => {
                self.at += 1;
                End
            }
            // `;;` and `;&` belong to `case`.
            Some(b';') if !matches!(self.peek_second(), Some(b';' | b'&')) => {
                self.at += 1;
                Terminator::Semicolon
            }
            // `&` (a background list), or anything else.
            _ => return None,
        };
        let range = cover(pipelines.iter().map(|pipeline| pipeline.range.clone()));
        Some(AndOrList {
            pipelines,
            operators,
            terminator,
            range,
        })
    }

    fn pipeline(&mut self) -> Option<Pipeline> {
        let mut commands = vec![self.command()?];
        loop {
            self.skip_blanks();
            match (self.peek(), self.peek_second()) {
                (Some(b'|'), Some(b'|' | b'&')) => break,
                (Some(b'|'), _) => {
                    self.at += 1;
                    self.skip_blanks_and_newlines();
                    commands.push(self.command()?);
                }
                _ => break,
            }
        }
        let range = cover(commands.iter().map(Command::range));
        Some(Pipeline {
            commands,
            negated: false,
            range,
        })
    }

    fn command(&mut self) -> Option<Command> {
        self.skip_blanks();
        if self.at_keyword("if") {
            self.if_clause()
        } else {
            self.simple().map(Command::Simple)
        }
    }

    /// `if list; then list; [elif list; then list;]... [else list;] fi`,
    /// with no redirection after `fi`.
    fn if_clause(&mut self) -> Option<Command> {
        let start = self.at;
        self.at += "if".len();
        let mut inner = Vec::new();
        // A condition and its body, after `if` and after each `elif`.
        loop {
            inner.extend(self.compound_list(&["then"])?);
            self.at += "then".len();
            inner.extend(self.compound_list(&["elif", "else", "fi"])?);
            if !self.at_keyword("elif") {
                break;
            }
            self.at += "elif".len();
        }
        if self.at_keyword("else") {
            self.at += "else".len();
            inner.extend(self.compound_list(&["fi"])?);
        }
        // `compound_list` stopped at `fi`: the clause is whole.
        self.at += "fi".len();
        let end = self.at;
        self.skip_blanks();
        if matches!(self.peek(), Some(b'<' | b'>')) {
            return None;
        }
        Some(Command::Compound {
            kind: CompoundKind::If,
            range: start..end,
            inner,
            redirects: Vec::new(),
        })
    }

    /// The lists of a compound command's part, up to one of the reserved
    /// words in `ends`, which is left at the cursor. An empty part is a
    /// syntax error.
    fn compound_list(&mut self, ends: &[&str]) -> Option<Vec<AndOrList>> {
        let mut lists = Vec::new();
        loop {
            self.skip_blanks_and_newlines();
            if ends.iter().any(|end| self.at_keyword(end)) {
                return (!lists.is_empty()).then_some(lists);
            }
            if self.at == self.bytes.len() {
                return None;
            }
            lists.push(self.and_or()?);
        }
    }

    /// True when the reserved word `keyword` is at the cursor, as a whole
    /// word.
    fn at_keyword(&self, keyword: &str) -> bool {
        self.bytes[self.at..].starts_with(keyword.as_bytes())
            && self
                .bytes
                .get(self.at + keyword.len())
                .is_none_or(|&byte| ends_word(byte))
    }

    fn simple(&mut self) -> Option<SimpleCommand> {
        let mut words = Vec::new();
        let mut redirects = Vec::new();
        loop {
            self.skip_blanks();
            match self.peek() {
                None | Some(b'\n' | b';' | b'|' | b'&') => break,
                Some(b'<' | b'>') => redirects.push(self.redirect()?),
                Some(_) => {
                    let word = self.word()?;
                    if matches!(self.peek(), Some(b'<' | b'>')) && self.all_digits(&word) {
                        // A descriptor number (`2>`), not a word. Only one
                        // digit: dash reads `12>x` as the word `12` and a
                        // redirection, bash as descriptor 12 (brush-parser
                        // reads it as bash does, and panics on numbers past
                        // `i32`), so those are left to brush-parser.
                        if word.len() > 1 {
                            return None;
                        }
                        redirects.push(self.redirect()?);
                    } else {
                        words.push(word);
                    }
                }
            }
        }
        let name = words.first()?;
        if self.text[name.clone()].contains('=')
            || words
                .iter()
                .any(|word| RESERVED.contains(&&self.text[word.clone()]))
        {
            return None;
        }
        let words: Vec<Word> = words.into_iter().map(|range| self.word_at(range)).collect();
        let range = cover(
            words
                .iter()
                .chain(&redirects)
                .map(|word| word.range.clone()),
        );
        Some(SimpleCommand {
            assignments: Vec::new(),
            words,
            redirects,
            range,
        })
    }

    /// A redirection operator at the cursor and its target word.
    fn redirect(&mut self) -> Option<Word> {
        let operator = self.peek()?;
        self.at += 1;
        let next = self.peek();
        if operator == b'>' && next == Some(b'>') {
            self.at += 1;
        }
        // `<<` and `<<<` (here-documents and strings), `<>`, `<&`, `>&`,
        // `>|`, `>>>` and the like are brush-parser's.
        if matches!(self.peek(), Some(b'<' | b'>' | b'&' | b'|')) {
            return None;
        }
        self.skip_blanks();
        if matches!(self.peek(), None | Some(b'\n' | b';' | b'|' | b'&')) {
            return None;
        }
        let target = self.word()?;
        // `> 2>x`: a descriptor number where the target should be.
        if matches!(self.peek(), Some(b'<' | b'>')) && self.all_digits(&target) {
            return None;
        }
        if RESERVED.contains(&&self.text[target.clone()]) {
            return None;
        }
        Some(self.word_at(target))
    }

    /// The range of the word at the cursor, which is not at a delimiter.
    fn word(&mut self) -> Option<Range<usize>> {
        let start = self.at;
        while let Some(byte) = self.peek() {
            match byte {
                _ if ends_word(byte) => break,
                b'$' => self.at += self.expansion_len(self.at)?,
                quote @ (b'\'' | b'"') => {
                    let closing = self.bytes[self.at + 1..]
                        .iter()
                        .position(|&byte| byte == quote)?;
                    let inside = self.at + 1..self.at + 1 + closing;
                    let double = quote == b'"';
                    let mut at = inside.start;
                    while at < inside.end {
                        match self.bytes[at] {
                            b'$' if double => at += self.expansion_len(at)?,
                            b'`' | b'\\' if double => return None,
                            byte if is_plain_quoted(byte) => at += 1,
                            _ => return None,
                        }
                    }
                    self.at = inside.end + 1;
                }
                _ if is_plain_unquoted(byte) => self.at += 1,
                _ => return None,
            }
        }
        (self.at > start).then_some(start..self.at)
    }

    /// The length of the parameter expansion at `at` when it is a plain
    /// `$NAME` or `${NAME}`: other expansions (`$1`, `$?`, `${A:-b}`,
    /// `$(…)`) are brush-parser's.
    fn expansion_len(&self, at: usize) -> Option<usize> {
        let braced = self.bytes.get(at + 1) == Some(&b'{');
        let name_start = at + 1 + usize::from(braced);
        let name_len = self.bytes[name_start..]
            .iter()
            .take_while(|byte| byte.is_ascii_alphanumeric() || **byte == b'_')
            .count();
        if name_len == 0 || self.bytes[name_start].is_ascii_digit() {
            return None;
        }
        let end = name_start + name_len;
        if braced {
            (self.bytes.get(end) == Some(&b'}')).then_some(end + 1 - at)
        } else {
            Some(end - at)
        }
    }

    fn all_digits(&self, word: &Range<usize>) -> bool {
        self.bytes[word.clone()].iter().all(u8::is_ascii_digit)
    }

    fn word_at(&self, range: Range<usize>) -> Word {
        Word::new(&self.text[range.clone()], range)
    }
}

/// Bytes that end an unquoted word.
fn ends_word(byte: u8) -> bool {
    matches!(
        byte,
        b' ' | b'\t' | b'\n' | b';' | b'|' | b'&' | b'<' | b'>' | b'(' | b')'
    )
}

/// Bytes a word may hold outside quotes (`$` is read on its own).
fn is_plain_unquoted(byte: u8) -> bool {
    byte.is_ascii_graphic()
        && !matches!(
            byte,
            b'$' | b'`' | b'\\' | b'(' | b')' | b'{' | b'}' | b'#' | b'!' | b'&' | b'"' | b'\''
        )
}

/// Bytes a quoted part may hold (before the rules of double quotes):
/// printable ASCII and blanks, on one line.
fn is_plain_quoted(byte: u8) -> bool {
    byte.is_ascii_graphic() || matches!(byte, b' ' | b'\t')
}
