//! Parsed scripts by text. Every transform of every pass asks for the same
//! RUN bodies; brush-parser dominates dockfix's run time, so each distinct
//! text is parsed once per thread.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use super::{Script, ShellError, convert};

/// Enough for any one run over many files; past it the cache starts over
/// rather than grow without bound.
const MAX_ENTRIES: usize = 4096;

thread_local! {
    static PARSED: RefCell<HashMap<String, Result<Arc<Script>, ShellError>>> = RefCell::new(HashMap::new());
}

/// Scripts longer than this are not analysed (no real RUN comes close).
const MAX_SCRIPT_LEN: usize = 256 * 1024;

/// brush-parser backtracks exponentially on parentheses inside an
/// arithmetic context (`(( ( ( ( … x`): 22 of them take a third of a second,
/// each one more doubles it. Real scripts stay far below this many.
const MAX_PARENS_IN_ARITHMETIC: usize = 16;

/// Text the parser would take too long on (found by fuzzing).
fn too_complex(text: &str) -> bool {
    text.len() > MAX_SCRIPT_LEN
        || (text.contains("((") && text.matches('(').count() > MAX_PARENS_IN_ARITHMETIC)
}

/// The script for `text`, with ranges relative to `text`.
pub(super) fn parsed(text: &str) -> Result<Arc<Script>, ShellError> {
    if too_complex(text) {
        return Err(ShellError::TooComplex);
    }
    if let Some(hit) = PARSED.with(|cache| cache.borrow().get(text).cloned()) {
        return hit;
    }
    let result = convert::parse(text).map(Arc::new);
    PARSED.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() >= MAX_ENTRIES {
            cache.clear();
        }
        cache.insert(text.to_string(), result.clone());
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
}
