//! BuildKit's rules for splitting an instruction's logical line.
//!
//! These follow `frontend/dockerfile/parser` in moby/buildkit (splitCommand,
//! extractBuilderFlags, the per-instruction line parsers and the heredoc
//! detection) so that our tree agrees with what `docker build` will do. They
//! work on the logical line (see [`super::logical`]) and return byte ranges in
//! it, which the parser maps back to the file.

use std::ops::Range;

/// Where the keyword, the flags and the arguments sit in a logical line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommandLayout {
    pub keyword: Range<usize>,
    pub flags: Vec<FlagSpan>,
    /// Empty (and placed at the end of the line) when there are no arguments.
    pub args: Range<usize>,
}

/// One builder flag: its range in the logical line and its value with
/// BuildKit's quote removal applied (`--mount="a b"` is `--mount=a b`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagSpan {
    pub range: Range<usize>,
    pub text: String,
}

/// BuildKit's `tokenWhitespace`: the separator between keyword and arguments.
fn is_token_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\x0b' | '\x0c' | '\r' | ' ')
}

/// Go's `unicode.IsSpace`, which `strings.TrimSpace` uses.
pub fn is_go_space(c: char) -> bool {
    c.is_whitespace()
}

/// Splits a logical line into keyword, flags and arguments.
pub fn split_command(line: &str) -> CommandLayout {
    let start = line.len() - line.trim_start_matches(is_go_space).len();
    let end = line.trim_end_matches(is_go_space).len().max(start);
    let trimmed = &line[start..end];
    let keyword_len = trimmed.find(is_token_whitespace).unwrap_or(trimmed.len());
    let keyword = start..start + keyword_len;
    if keyword_len == trimmed.len() {
        return CommandLayout {
            keyword,
            flags: Vec::new(),
            args: end..end,
        };
    }
    let rest_start = start + keyword_len + trimmed[keyword_len..].len()
        - trimmed[keyword_len..]
            .trim_start_matches(is_token_whitespace)
            .len();
    let (args_offset, flags) = extract_builder_flags(&line[rest_start..end]);
    let flags = flags
        .into_iter()
        .map(|flag| FlagSpan {
            range: flag.range.start + rest_start..flag.range.end + rest_start,
            text: flag.text,
        })
        .collect();
    let args_start = rest_start + args_offset;
    let args_text = &line[args_start..end];
    let args_start =
        args_start + (args_text.len() - args_text.trim_start_matches(is_go_space).len());
    CommandLayout {
        keyword,
        flags,
        args: args_start.min(end)..end,
    }
}

/// BuildKit's extractBuilderFlags: leading `--flag[=value]` words. Returns the
/// offset where the arguments start and the flags. A bare `--` ends the flags
/// and is not one itself. Quotes and backslashes inside a flag are removed
/// (always with `\`, whatever the escape directive says, as BuildKit does).
fn extract_builder_flags(line: &str) -> (usize, Vec<FlagSpan>) {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote(char),
    }
    let bytes = line.as_bytes();
    let mut flags = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut word_start = 0;
    let mut blank_ok = false;
    let mut chars = line.char_indices().peekable();
    loop {
        let Some((pos, ch)) = chars.next() else {
            if phase != Phase::Spaces && word != "--" && (blank_ok || !word.is_empty()) {
                flags.push(FlagSpan {
                    range: word_start..line.len(),
                    text: std::mem::take(&mut word),
                });
            }
            return (line.len(), flags);
        };
        match phase {
            Phase::Spaces => {
                if ch.is_whitespace() {
                    continue;
                }
                if ch != '-' || bytes.get(pos + 1) != Some(&b'-') {
                    return (pos, flags);
                }
                phase = Phase::Word;
                word_start = pos;
                word.push(ch);
            }
            Phase::Word => {
                if ch.is_whitespace() {
                    phase = Phase::Spaces;
                    if word == "--" {
                        return (pos, flags);
                    }
                    if blank_ok || !word.is_empty() {
                        flags.push(FlagSpan {
                            range: word_start..pos,
                            text: std::mem::take(&mut word),
                        });
                    }
                    word.clear();
                    blank_ok = false;
                } else if ch == '\'' || ch == '"' {
                    phase = Phase::Quote(ch);
                    blank_ok = true;
                } else if ch == '\\' {
                    if let Some((_, next)) = chars.next() {
                        word.push(next);
                    }
                } else {
                    word.push(ch);
                }
            }
            Phase::Quote(quote) => {
                if ch == quote {
                    phase = Phase::Word;
                } else if ch == '\\' {
                    match chars.next() {
                        Some((_, next)) => word.push(next),
                        None => phase = Phase::Word,
                    }
                } else {
                    word.push(ch);
                }
            }
        }
    }
}

/// Why BuildKit refuses an instruction's arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonError {
    /// Not a JSON array at all: BuildKit falls back to the shell form.
    NotJson,
    /// A JSON array with something other than strings: BuildKit fails.
    NotStringArray,
}

/// BuildKit's parseJSON: the arguments as a JSON array of strings. Like Go's
/// `json.Decoder`, anything after the first complete value is ignored.
pub fn parse_json_array(args: &str) -> Result<Vec<String>, JsonError> {
    let rest = args.trim_start_matches(is_go_space);
    if !rest.starts_with('[') {
        return Err(JsonError::NotJson);
    }
    let value = serde_json::Deserializer::from_str(rest)
        .into_iter::<serde_json::Value>()
        .next();
    match value {
        Some(Ok(serde_json::Value::Array(items))) => items
            .into_iter()
            .map(|item| match item {
                serde_json::Value::String(text) => Ok(text),
                _ => Err(JsonError::NotStringArray),
            })
            .collect(),
        _ => Err(JsonError::NotJson),
    }
}

/// BuildKit's parseWords: words split on blanks, quotes kept, the escape
/// character kept together with the character it escapes.
pub fn parse_words(rest: &str, escape: char) -> Vec<String> {
    words_with_ranges(rest, escape)
        .into_iter()
        .map(|(_, word)| word)
        .collect()
}

/// [`parse_words`] with the range of each word in `rest`.
pub fn words_with_ranges(rest: &str, escape: char) -> Vec<(Range<usize>, String)> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut start = None::<usize>;
    let mut quote = None::<char>;
    let mut blank_ok = false;
    let mut chars = rest.char_indices().peekable();
    while let Some((pos, ch)) = chars.next() {
        let at_end = pos + ch.len_utf8() == rest.len();
        if let Some(q) = quote {
            if ch == q {
                quote = None;
            }
            if ch == escape && q != '\'' {
                if at_end {
                    quote = None;
                    continue;
                }
                word.push(ch);
                if let Some((_, next)) = chars.next() {
                    word.push(next);
                }
                continue;
            }
            word.push(ch);
            continue;
        }
        if start.is_none() {
            if ch.is_whitespace() {
                continue;
            }
            start = Some(pos);
        }
        if ch.is_whitespace() {
            if blank_ok || !word.is_empty() {
                words.push((start.unwrap_or(pos)..pos, std::mem::take(&mut word)));
            }
            word.clear();
            start = None;
            blank_ok = false;
            continue;
        }
        if ch == '\'' || ch == '"' {
            quote = Some(ch);
            blank_ok = true;
        }
        if ch == escape {
            if at_end {
                continue;
            }
            word.push(ch);
            if let Some((_, next)) = chars.next() {
                word.push(next);
            }
            continue;
        }
        word.push(ch);
    }
    if let Some(start) = start
        && (blank_ok || !word.is_empty())
    {
        words.push((start..rest.len(), word));
    }
    words
}

/// A heredoc announced on an instruction line (`<<EOF`, `<<-"EOF"`, `3<<EOF`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeredocMarker {
    /// Range of the whole `<<…` word in the logical line.
    pub range: Range<usize>,
    /// The delimiter, quotes removed.
    pub name: String,
    /// `<<-`: leading tabs are stripped from the body and the terminator.
    pub chomp: bool,
    /// False when any part of the delimiter was quoted: no expansion inside.
    pub expand: bool,
    pub file_descriptor: Option<u32>,
}

/// The heredocs announced on a logical line, in order. Words are split the
/// way BuildKit's shell lexer splits them, with quotes kept.
pub fn heredoc_markers(line: &str) -> Vec<HeredocMarker> {
    // Every marker holds `<<`; most lines have none, and need no split.
    if !line.contains("<<") {
        return Vec::new();
    }
    shell_words(line)
        .into_iter()
        .filter_map(|range| heredoc_from_word(&line[range.clone()], range))
        .collect()
}

fn heredoc_from_word(word: &str, range: Range<usize>) -> Option<HeredocMarker> {
    let digits = word.len() - word.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let after_fd = word[digits..].strip_prefix("<<")?;
    let (chomp, rest) = match after_fd.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, after_fd),
    };
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let (name, quoted) = unquote_word(rest);
    if name.is_empty() {
        return None;
    }
    Some(HeredocMarker {
        range,
        name,
        chomp,
        expand: !quoted,
        file_descriptor: word[..digits].parse().ok(),
    })
}

/// Removes shell quoting from one word; reports whether any quote was removed.
fn unquote_word(word: &str) -> (String, bool) {
    let mut out = String::new();
    let mut quoted = false;
    let mut quote = None::<char>;
    let mut chars = word.chars();
    while let Some(ch) = chars.next() {
        match (quote, ch) {
            (None, '\'' | '"') => {
                quote = Some(ch);
                quoted = true;
            }
            (Some(q), _) if ch == q => quote = None,
            (Some('\''), _) => out.push(ch),
            (_, '\\') => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            _ => out.push(ch),
        }
    }
    (out, quoted)
}

/// Ranges of shell words: split on unquoted blanks, quotes and escapes kept.
fn shell_words(line: &str) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    let mut start = None::<usize>;
    let mut quote = None::<char>;
    let mut chars = line.char_indices();
    while let Some((pos, ch)) = chars.next() {
        if quote.is_none() && ch.is_whitespace() {
            if let Some(start) = start.take() {
                words.push(start..pos);
            }
            continue;
        }
        start.get_or_insert(pos);
        match (quote, ch) {
            (None, '\'' | '"') => quote = Some(ch),
            (Some(q), _) if ch == q => quote = None,
            (Some('\''), _) => {}
            (_, '\\') => {
                chars.next();
            }
            _ => {}
        }
    }
    if let Some(start) = start {
        words.push(start..line.len());
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_keyword_flags_and_arguments() {
        let line = "RUN --mount=type=cache,target=/root/.cache --network=none  pip install x ";
        let layout = split_command(line);
        assert_eq!(&line[layout.keyword.clone()], "RUN");
        assert_eq!(layout.flags.len(), 2);
        assert_eq!(&line[layout.flags[1].range.clone()], "--network=none");
        assert_eq!(&line[layout.args.clone()], "pip install x");
    }

    #[test]
    fn double_dash_ends_flags() {
        let line = "COPY --doit=true -- foo /tmp/";
        let layout = split_command(line);
        assert_eq!(layout.flags.len(), 1);
        assert_eq!(&line[layout.args], "foo /tmp/");
    }

    #[test]
    fn flag_quotes_are_removed() {
        let layout = split_command(r#"RUN --mount="type=bind,source=a b" ls"#);
        assert_eq!(layout.flags[0].text, "--mount=type=bind,source=a b");
    }

    #[test]
    fn keyword_only() {
        let layout = split_command("  HEALTHCHECK  ");
        assert_eq!(layout.keyword, 2..13);
        assert!(layout.args.is_empty());
    }

    #[test]
    fn json_arrays() {
        assert_eq!(
            parse_json_array(r#"[ "a", "b" ] trailing"#).unwrap(),
            ["a", "b"]
        );
        assert_eq!(parse_json_array("['a']"), Err(JsonError::NotJson));
        assert_eq!(
            parse_json_array(r#"["a", ["b"]]"#),
            Err(JsonError::NotStringArray)
        );
    }

    #[test]
    fn words_keep_quotes_and_escapes() {
        assert_eq!(
            parse_words(r#"a="b c" d\ e"#, '\\'),
            [r#"a="b c""#, r"d\ e"]
        );
    }

    #[test]
    fn finds_heredocs() {
        let markers = heredoc_markers(r#"RUN <<EOF 3<<-"END" cat <<<here a<<b"#);
        assert_eq!(markers.len(), 2);
        assert_eq!(markers[0].name, "EOF");
        assert!(markers[0].expand);
        assert_eq!(markers[1].name, "END");
        assert!(markers[1].chomp && !markers[1].expand);
        assert_eq!(markers[1].file_descriptor, Some(3));
    }
}
