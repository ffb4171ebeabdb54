//! Parsed scripts by text. Every pass of the engine asks for the same RUN
//! bodies (a pass re-parses the file, and most RUNs come out of a pass
//! unchanged); brush-parser dominates dockfix's run time, so each distinct
//! text is parsed once per thread.

use foldhash::HashMap;
use std::cell::RefCell;
use std::mem::ManuallyDrop;
use std::sync::Arc;

use super::{Script, ShellError, convert, plain};

/// How much script text the cache holds before it starts over rather than
/// grow without bound: twice the largest input (8 MiB), so that every RUN
/// of the biggest file stays cached from one pass to the next (a bound on
/// the number of entries made a file with more RUNs than that re-parse
/// every RUN on every pass).
const MAX_CACHED_TEXT: usize = 16 * 1024 * 1024;

#[derive(Default)]
struct Cache {
    parsed: HashMap<String, Result<Arc<Script>, ShellError>>,
    /// Bytes of text in `parsed`'s keys.
    text_len: usize,
}

thread_local! {
    /// Never dropped: the cache is freed with the process, not with its
    /// thread. dockfix's threads end only when the process does (a worker
    /// per core, the thread for standard input), and freeing the tens of
    /// thousands of scripts of a large file when its thread ended took 6%
    /// of the run on a 1 MB file.
    static PARSED: RefCell<ManuallyDrop<Cache>> = RefCell::new(ManuallyDrop::new(Cache::default()));
}

/// Scripts longer than this are not analysed (no real RUN comes close).
const MAX_SCRIPT_LEN: usize = 256 * 1024;

/// brush-parser backtracks exponentially on parentheses inside an
/// arithmetic context (`(( ( ( ( … x`): 22 of them take a third of a second,
/// each one more doubles it. Real scripts stay far below this many.
const MAX_PARENS_IN_ARITHMETIC: usize = 16;

/// Nesting the parser would take too long on (found by fuzzing); the length
/// bound is checked before the cache, so that huge texts are never hashed.
fn too_complex(text: &str) -> bool {
    text.contains("((") && text.matches('(').count() > MAX_PARENS_IN_ARITHMETIC
}

/// Deeper nesting than any real script has. brush-parser, our conversion
/// and the transforms' walks all recurse once per level; 2,000 levels of
/// `$(` (6 KB) overflowed the stack (found by fuzzing), so a script is
/// measured before it is parsed.
const MAX_NESTING: usize = 100;

/// How deeply `text` nests, over-estimated cheaply in one pass: brackets
/// of every kind (`(`, `$(`, `{`, `${`, `[`) and the keywords that open and
/// close compound commands (`if`…`fi`, `while`/`until`/`for`…`done`,
/// `case`…`esac`), ignoring quotes. Backquotes nest only through
/// doubling escapes, so the length bound keeps them shallow.
fn nesting_depth(text: &str) -> usize {
    // Three counters, so that a `)` ending a `case` pattern cannot cancel
    // the `case` keyword's level.
    let (mut parens, mut braces, mut keywords, mut deepest) = (0usize, 0usize, 0usize, 0usize);
    let is_delimiter = |byte: u8| byte.is_ascii_whitespace() || b";&|()<>{}[]".contains(&byte);
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        if is_delimiter(byte) {
            match byte {
                b'(' => parens += 1,
                b')' => parens = parens.saturating_sub(1),
                b'{' | b'[' => braces += 1,
                b'}' | b']' => braces = braces.saturating_sub(1),
                _ => {}
            }
            index += 1;
        } else {
            let start = index;
            while index < bytes.len() && !is_delimiter(bytes[index]) {
                index += 1;
            }
            match &bytes[start..index] {
                b"if" | b"while" | b"until" | b"for" | b"case" | b"select" => keywords += 1,
                b"fi" | b"done" | b"esac" => keywords = keywords.saturating_sub(1),
                _ => {}
            }
        }
        deepest = deepest.max(parens + braces + keywords);
    }
    deepest
}

/// A redirection whose file-descriptor number does not fit an `i32`
/// (`99999999999>x`): brush-parser unwraps the conversion and panics. The
/// panic is caught, but not before the panic hook has printed it, so such
/// text is refused before it reaches the parser (found by fuzzing).
fn overflowing_descriptor(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        if !bytes[index].is_ascii_digit() {
            index += 1;
            continue;
        }
        let start = index;
        while index < bytes.len() && bytes[index].is_ascii_digit() {
            index += 1;
        }
        let starts_word = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        let redirects = matches!(bytes.get(index), Some(b'<' | b'>'));
        if starts_word && redirects && text[start..index].parse::<i32>().is_err() {
            return true;
        }
    }
    false
}

/// The script for `text`, with ranges relative to `text`.
pub(super) fn parsed(text: &str) -> Result<Arc<Script>, ShellError> {
    if text.len() > MAX_SCRIPT_LEN {
        return Err(ShellError::TooComplex);
    }
    if let Some(hit) = PARSED.with(|cache| cache.borrow().parsed.get(text).cloned()) {
        return hit;
    }
    let result = if nesting_depth(text) > MAX_NESTING {
        Err(ShellError::TooDeep(MAX_NESTING))
    } else if too_complex(text) {
        Err(ShellError::TooComplex)
    } else if overflowing_descriptor(text) {
        Err(ShellError::ParserPanic)
    } else {
        // Plain scripts skip brush-parser (see `plain`).
        plain::parse(text)
            .map_or_else(|| convert::parse(text), Ok)
            .map(Arc::new)
    };
    PARSED.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.text_len + text.len() > MAX_CACHED_TEXT {
            drop(std::mem::take(&mut **cache));
        }
        cache.text_len += text.len();
        cache.parsed.insert(text.to_string(), result.clone());
    });
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_text_that_would_take_exponential_time() {
        let nested = format!("(( {}a", "( ".repeat(40));
        assert_eq!(parsed(&nested).unwrap_err(), ShellError::TooComplex);
        assert!(parsed("echo $((1 + (2 * 3)))").is_ok());
        assert!(parsed(&"echo $(true) ".repeat(40)).is_ok());
    }

    #[test]
    fn refuses_nesting_deeper_than_any_real_script() {
        let deep =
            |open: &str, close: &str| format!("echo {}x{}", open.repeat(2000), close.repeat(2000));
        for text in [
            deep("$(", ")"),
            deep("${a:-", "}"),
            deep("{ ", "; }"),
            deep("( ", " )"),
            deep("if true; then ", "; fi"),
            deep("while true; do ", "; done"),
        ] {
            assert_eq!(parsed(&text).unwrap_err(), ShellError::TooDeep(MAX_NESTING));
        }
        let real = "if [ -f x ]; then for p in $(cat x); do case \"$p\" in a) { echo \"${p%%-*}\"; };; esac; done; fi";
        assert_eq!(nesting_depth(real), 5);
        let cases = format!("{}x", "case x in a) ".repeat(2000));
        assert_eq!(
            parsed(&cases).unwrap_err(),
            ShellError::TooDeep(MAX_NESTING)
        );
        assert!(parsed(real).is_ok());
        // Many shallow groups in a row are not deep.
        assert!(parsed(&"(true); ".repeat(500)).is_ok());
    }

    #[test]
    fn refuses_descriptor_numbers_the_parser_would_panic_on() {
        assert_eq!(
            parsed("echo 44444444444444444444>x").unwrap_err(),
            ShellError::ParserPanic
        );
        assert!(parsed("echo hi 2>&1 >/dev/null").is_ok());
        assert!(parsed("echo 1234567890123 > /tmp/n").is_ok());
        assert!(parsed("echo build12345678901234>x").is_ok());
    }
}
