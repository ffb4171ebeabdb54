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

/// The script for `text`, with ranges relative to `text`.
pub(super) fn parsed(text: &str) -> Result<Arc<Script>, ShellError> {
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
