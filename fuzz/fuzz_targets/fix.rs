//! Any UTF-8 text through every transform (unsafe ones too): no panic, the
//! engine reaches a fixed point or reports that it cannot, and the output
//! never parses worse than the input.
#![no_main]

use dockfix::cli::fix_text;
use dockfix::config::Settings;
use dockfix::syntax::Dockerfile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let settings = Settings {
        allow_unsafe: true,
        ..Settings::default()
    };
    if let Ok(outcome) = fix_text(text, None, None, &settings) {
        assert!(Dockerfile::parse(&outcome.text).error_count() <= Dockerfile::parse(text).error_count());
    }
});
