//! The diffs shown in `examples/*/README.md` are what dockfix prints today.
//!
//! Each README marks a command with `<!-- dockfix ARGS -->` followed by a
//! fenced `diff` block; this test runs `dockfix ARGS` from the crate root
//! and compares. Run with `UPDATE_EXAMPLES=1` to rewrite the blocks.

use std::path::Path;
use std::process::Command;

const MARKER: &str = "<!-- dockfix ";

fn run_dockfix(args: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_dockfix"))
        .args(args.split_whitespace())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        output.status.code().is_some_and(|code| code <= 1),
        "dockfix {args} failed: {:?}",
        output
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The README with every marked block replaced by fresh output.
fn refreshed(readme: &str) -> String {
    let mut out = String::new();
    let mut rest = readme;
    while let Some(at) = rest.find(MARKER) {
        let (before, marked) = rest.split_at(at);
        out.push_str(before);
        let line_end = marked.find('\n').unwrap();
        let args = marked[MARKER.len()..line_end]
            .trim_end_matches("-->")
            .trim();
        out.push_str(&marked[..=line_end]);
        let after_marker = &marked[line_end + 1..];
        let fence_start = after_marker
            .strip_prefix("```diff\n")
            .expect("a ```diff block after the marker");
        let fence_end = fence_start.find("```\n").expect("a closing fence");
        out.push_str("```diff\n");
        out.push_str(&run_dockfix(args));
        out.push_str("```\n");
        rest = &fence_start[fence_end + 4..];
    }
    out.push_str(rest);
    out
}

#[test]
fn example_readmes_show_current_output() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut checked = 0;
    for entry in std::fs::read_dir(examples).unwrap().flatten() {
        let readme = entry.path().join("README.md");
        let Ok(text) = std::fs::read_to_string(&readme) else {
            continue;
        };
        let fresh = refreshed(&text);
        if std::env::var_os("UPDATE_EXAMPLES").is_some() {
            std::fs::write(&readme, &fresh).unwrap();
        } else {
            assert_eq!(
                text,
                fresh,
                "{} is stale: run UPDATE_EXAMPLES=1 cargo test --test examples",
                readme.display()
            );
        }
        checked += text.matches(MARKER).count();
    }
    assert!(
        checked >= 10,
        "expected two commands per example, found {checked}"
    );
}
