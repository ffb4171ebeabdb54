//! A real editor as the client: headless Emacs (Debian's Emacs 28 with
//! eglot 1.9 and dockerfile-mode) loads the README's recipes as they are
//! (`editors/dockfix-eglot.el`, `editors/dockfix-format.el`) and saves
//! Dockerfiles through them (`editors/emacs-try-recipe.el` drives it); the
//! written bytes must be what the command line's stdin mode makes of the
//! file. Skipped, and said so, when `emacs` or the Emacs packages are not
//! installed (`apt-get install emacs-nox elpa-eglot elpa-dockerfile-mode`).

mod common;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{run_stdin, skip};

/// Fixes on several lines, and one after a non-ASCII text on its line, so
/// a server and a client that disagree on column units would garble it:
/// `é` is one UTF-16 unit and two bytes, `🐳` two units and four bytes.
const ORIGINAL: &str = "# syntax=docker/dockerfile:1\n\
    FROM debian:bookworm-slim\n\
    # the tools\n\
    RUN apt-get update\n\
    RUN apt-get install -y curl\n\
    RUN echo \"h\u{e9}llo \u{1f433}\" && pip install flask\n";

fn editors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("editors")
}

/// Batch Emacs with only what the recipe loads (`-Q`), `dockfix` on PATH as
/// a user would have it, and a time limit so a hung client fails the test.
fn emacs(args: &[&std::ffi::OsStr], dir: &Path) -> std::io::Result<Output> {
    let binary_dir = Path::new(env!("CARGO_BIN_EXE_dockfix")).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(binary_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    Command::new("timeout")
        .arg("120")
        .args(["emacs", "--batch", "-Q", "-l"])
        .arg(editors_dir().join("emacs-try-recipe.el"))
        .args(args)
        .env("PATH", path)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
}

/// None when the test can run; otherwise the reason it is skipped.
fn missing_emacs_features(features: &[&str]) -> Option<String> {
    let packages = "apt-get install emacs-nox elpa-eglot elpa-dockerfile-mode";
    if Command::new("emacs").arg("--version").output().is_err() {
        return Some(format!("emacs is not installed ({packages})"));
    }
    let mut args: Vec<&std::ffi::OsStr> = vec!["--require".as_ref()];
    args.extend(features.iter().map(std::ffi::OsStr::new));
    let probe = emacs(&args, Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
    if probe.status.success() {
        None
    } else {
        Some(format!(
            "{} ({packages})",
            String::from_utf8_lossy(&probe.stderr).trim()
        ))
    }
}

/// What `dockfix --stdin-filename PATH -` prints for ORIGINAL.
fn stdin_mode_output(path: &Path) -> Vec<u8> {
    let args = [
        OsStr::new("--stdin-filename"),
        path.as_os_str(),
        OsStr::new("-"),
    ];
    let output = run_stdin(&args, ORIGINAL.as_bytes());
    assert!(output.status.success());
    output.stdout
}

/// A Dockerfile holding ORIGINAL, alone in its directory `name` (so eglot
/// sees one project per file).
fn dockerfile_in(root: &Path, name: &str) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir(&dir).unwrap();
    let path = dir.join("Dockerfile");
    std::fs::write(&path, ORIGINAL).unwrap();
    path
}

fn assert_written_as_stdin_mode(path: &Path) {
    let written = std::fs::read(path).unwrap();
    assert_ne!(
        written,
        ORIGINAL.as_bytes(),
        "{}: nothing was fixed",
        path.display()
    );
    assert_eq!(
        String::from_utf8_lossy(&written),
        String::from_utf8_lossy(&stdin_mode_output(path)),
        "{}",
        path.display()
    );
}

fn assert_emacs_succeeded(output: &Output) {
    assert!(
        output.status.success(),
        "emacs ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn emacs_eglot_recipe_formats_on_save_and_applies_fix_all() {
    if let Some(reason) = missing_emacs_features(&["eglot", "dockerfile-mode"]) {
        skip(&reason);
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let formatted_on_save = dockerfile_in(root.path(), "format-on-save");
    let fixed_by_code_action = dockerfile_in(root.path(), "fix-all");
    let recipe = editors_dir().join("dockfix-eglot.el");
    let output = emacs(
        &[
            recipe.as_os_str(),
            "eglot-save".as_ref(),
            formatted_on_save.as_os_str(),
            "eglot-fix-all".as_ref(),
            fixed_by_code_action.as_os_str(),
        ],
        root.path(),
    )
    .unwrap();
    assert_emacs_succeeded(&output);
    assert_written_as_stdin_mode(&formatted_on_save);
    assert_written_as_stdin_mode(&fixed_by_code_action);
}

#[test]
fn emacs_stdin_recipe_formats_on_save() {
    if let Some(reason) = missing_emacs_features(&["dockerfile-mode"]) {
        skip(&reason);
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let path = dockerfile_in(root.path(), "stdin");
    let recipe = editors_dir().join("dockfix-format.el");
    let output = emacs(
        &[recipe.as_os_str(), "save".as_ref(), path.as_os_str()],
        root.path(),
    )
    .unwrap();
    assert_emacs_succeeded(&output);
    assert_written_as_stdin_mode(&path);
}

/// The README shows the recipes the tests above load: the code of each file
/// (after its header comment) must appear there word for word.
#[test]
fn readme_quotes_the_emacs_recipes_as_tested() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for recipe in ["dockfix-eglot.el", "dockfix-format.el"] {
        let text = std::fs::read_to_string(editors_dir().join(recipe)).unwrap();
        let (_header, code) = text.split_once("\n\n").unwrap();
        assert!(
            readme.contains(code),
            "README.md does not quote editors/{recipe} as it is"
        );
    }
}
