//! BuildKit's s-expression dump of a parsed Dockerfile (`Node.Dump()` in
//! moby/buildkit), produced from our tree. `dockfix parse --buildkit` prints
//! it; the conformance test compares it with BuildKit's expected `result`
//! files.

use super::ast::Dockerfile;
use super::command::{self, JsonError};
use super::line_index::LineIndex;

/// One argument of a dumped instruction.
enum Item {
    Text(String),
    /// A nested instruction (ONBUILD's trigger), already dumped.
    Nested(String),
}

/// The dump of every instruction, one `(…)` per line, or the first error
/// BuildKit's parser would report.
pub fn dump(file: &Dockerfile) -> Result<String, String> {
    let text = file.text();
    let lines = LineIndex::new(text);
    if let Some(fatal) = file.diagnostics().iter().find(|d| d.parser_error) {
        let line = lines.line(usize::from(fatal.range.start()));
        return Err(format!("line {line}: {}", fatal.message));
    }
    let mut out = String::new();
    for instruction in file.instructions() {
        let logical = instruction.logical();
        let line = lines.line(instruction.text_range().start);
        let sexp = dump_line(logical.text(), file.escape())
            .map_err(|message| format!("line {line}: {message}"))?;
        out.push('(');
        out.push_str(&sexp);
        out.push_str(")\n");
    }
    Ok(out)
}

fn dump_line(line: &str, escape: char) -> Result<String, String> {
    let layout = command::split_command(line);
    let keyword = line[layout.keyword.clone()].to_ascii_lowercase();
    let args = &line[layout.args.clone()];
    let mut out = keyword.clone();
    if !layout.flags.is_empty() {
        let flags: Vec<String> = layout
            .flags
            .iter()
            .map(|flag| go_quote(&flag.text))
            .collect();
        out.push_str(&format!(" [{}]", flags.join(" ")));
    }
    for item in line_items(&keyword, args, escape)? {
        out.push(' ');
        match item {
            Item::Text(text) => out.push_str(&go_quote(&text)),
            Item::Nested(nested) => {
                out.push('(');
                out.push_str(&nested);
                out.push(')');
            }
        }
    }
    Ok(out.trim().to_string())
}

/// BuildKit's per-instruction line parsers.
fn line_items(keyword: &str, args: &str, escape: char) -> Result<Vec<Item>, String> {
    let texts = |items: Vec<String>| items.into_iter().map(Item::Text).collect();
    Ok(match keyword {
        "add" | "copy" | "volume" => match command::parse_json_array(args) {
            Ok(words) => texts(words),
            Err(JsonError::NotStringArray) => return Err(not_string_array()),
            Err(JsonError::NotJson) => texts(whitespace_delimited(args)),
        },
        "cmd" | "entrypoint" | "run" | "shell" => texts(maybe_json(args)?),
        "arg" => texts(command::parse_words(args, escape)),
        "env" | "label" => texts(name_values(args, keyword, escape)?),
        "expose" | "from" => texts(whitespace_delimited(args)),
        "healthcheck" => {
            let (kind, rest) = match args.find(|c: char| c.is_whitespace()) {
                Some(at) => (&args[..at], args[at..].trim_start()),
                None => (args, ""),
            };
            if kind.is_empty() {
                Vec::new()
            } else {
                let mut items = vec![kind.to_string()];
                items.extend(maybe_json(rest)?);
                texts(items)
            }
        }
        "maintainer" | "stopsignal" | "user" | "workdir" => {
            if args.is_empty() {
                Vec::new()
            } else {
                texts(vec![args.to_string()])
            }
        }
        "onbuild" => {
            if args.is_empty() {
                Vec::new()
            } else {
                vec![Item::Nested(dump_line(args, escape)?)]
            }
        }
        _ => texts(vec![String::new()]),
    })
}

fn not_string_array() -> String {
    "when using JSON array syntax, arrays must be comprised of strings only".into()
}

fn maybe_json(args: &str) -> Result<Vec<String>, String> {
    if args.is_empty() {
        return Ok(Vec::new());
    }
    match command::parse_json_array(args) {
        Ok(words) => Ok(words),
        Err(JsonError::NotStringArray) => Err(not_string_array()),
        Err(JsonError::NotJson) => Ok(vec![args.to_string()]),
    }
}

fn whitespace_delimited(args: &str) -> Vec<String> {
    if args.is_empty() {
        return Vec::new();
    }
    args.split(['\t', '\x0b', '\x0c', '\r', ' '])
        .filter(|piece| !piece.is_empty())
        .map(str::to_string)
        .collect()
}

/// parseNameVal: `KEY value` (old form, separator "") or `K=v K2=v2` ("=").
fn name_values(args: &str, keyword: &str, escape: char) -> Result<Vec<String>, String> {
    let words = command::parse_words(args, escape);
    let Some(first) = words.first() else {
        return Ok(Vec::new());
    };
    if !first.contains('=') {
        let separator = args
            .find(['\t', '\x0b', '\x0c', '\r', ' '])
            .ok_or_else(|| format!("{} must have two arguments", keyword.to_ascii_uppercase()))?;
        let value = args[separator..].trim_start_matches(['\t', '\x0b', '\x0c', '\r', ' ']);
        return Ok(vec![
            args[..separator].to_string(),
            value.to_string(),
            String::new(),
        ]);
    }
    let mut items = Vec::new();
    for word in words {
        let (key, value) = word.split_once('=').ok_or_else(|| {
            format!("Syntax error - can't find = in {word:?}. Must be of the form: name=value")
        })?;
        items.extend([key.to_string(), value.to_string(), "=".to_string()]);
    }
    Ok(items)
}

/// Go's `strconv.Quote`.
pub fn go_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// Approximates Go's `unicode.IsPrint`: graphic characters and the ASCII
/// space; no controls, no other spaces, no format characters.
fn is_go_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c as u32,
        0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x180e | 0x200b..=0x200f
        | 0x202a..=0x202e | 0x2060..=0x2064 | 0x2066..=0x206f | 0xfeff | 0xfff9..=0xfffb
        | 0xd800..=0xdfff | 0xe000..=0xf8ff | 0xf0000..=0x10ffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dump_text(text: &str) -> String {
        dump(&Dockerfile::parse(text)).unwrap()
    }

    #[test]
    fn dumps_like_buildkit() {
        assert_eq!(
            dump_text("ARG foo bar=baz\n"),
            "(arg \"foo\" \"bar=baz\")\n"
        );
        assert_eq!(
            dump_text("ENV name value\nENV a=b c=d\n"),
            "(env \"name\" \"value\" \"\")\n(env \"a\" \"b\" \"=\" \"c\" \"d\" \"=\")\n"
        );
        assert_eq!(
            dump_text("COPY --user=me foo /tmp/\n"),
            "(copy [\"--user=me\"] \"foo\" \"/tmp/\")\n"
        );
        assert_eq!(
            dump_text("ONBUILD RUN [\"echo\", \"test\"]\n"),
            "(onbuild (run \"echo\" \"test\"))\n"
        );
        assert_eq!(dump_text("HEALTHCHECK\n"), "(healthcheck)\n");
        assert_eq!(dump_text("CMD --doit -- [ ]\n"), "(cmd [\"--doit\"])\n");
    }

    #[test]
    fn go_quoting() {
        assert_eq!(go_quote("a\"b\\\u{0}♥"), "\"a\\\"b\\\\\\x00♥\"");
    }

    #[test]
    fn refuses_what_buildkit_refuses() {
        assert!(dump(&Dockerfile::parse("FROM busybox\nENV PATH\n")).is_err());
        assert!(
            dump(&Dockerfile::parse(
                "CMD [ \"echo\", [ \"nested json\" ] ]\n"
            ))
            .is_err()
        );
        assert!(dump(&Dockerfile::parse("# only a comment\n")).is_err());
    }
}
