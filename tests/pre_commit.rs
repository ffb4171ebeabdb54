//! The hooks of `.pre-commit-hooks.yaml`, run by pre-commit (from PyPI) on a
//! temporary git repository. pre-commit would build dockfix with cargo
//! (`language: rust`, minutes); here the hooks' ids, entries and file types
//! are taken from the file as they are and run with `language: system`
//! against this test build. `scripts/try-pre-commit.sh` runs the real
//! thing. Skipped, and said so, when pre-commit is not installed.

mod common;

use std::path::Path;
use std::process::Command;

use common::skip;

/// The hooks file with `language: rust` replaced, as a local repository's
/// config.
fn local_config(hooks: &str) -> String {
    let mut config = String::from("repos:\n- repo: local\n  hooks:\n");
    for line in hooks
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
    {
        let line = line.replace("language: rust", "language: system");
        if line.trim().is_empty() {
            continue;
        }
        config.push_str("  ");
        config.push_str(&line);
        config.push('\n');
    }
    config
}

#[test]
fn pre_commit_runs_both_hooks() {
    if Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_err()
    {
        skip("pre-commit is not installed (pip install pre-commit)");
        return;
    }
    let hooks = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    assert!(hooks.contains("types: [dockerfile]"));
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q", "."]);
    std::fs::write(
        dir.path().join(".pre-commit-config.yaml"),
        local_config(&hooks),
    )
    .unwrap();
    let dockerfile = dir.path().join("Dockerfile");
    std::fs::write(
        &dockerfile,
        "FROM a\nRUN apt-get update\nRUN apt-get install -y curl\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "RUN a\nRUN b\n").unwrap();
    git(&["add", "."]);
    let binary_dir = Path::new(env!("CARGO_BIN_EXE_dockfix")).parent().unwrap();
    let path = format!(
        "{}:{}",
        binary_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let pre_commit = |hook: &str| {
        Command::new("pre-commit")
            .args(["run", hook, "--all-files"])
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", dir.path().join(".cache"))
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let check = pre_commit("dockfix-check");
    assert!(
        !check.status.success(),
        "the check hook must fail on a file it would fix"
    );
    let fix = pre_commit("dockfix");
    assert!(
        !fix.status.success(),
        "pre-commit fails a hook that changed files"
    );
    let fixed = std::fs::read_to_string(&dockerfile).unwrap();
    assert!(fixed.contains("rm -rf /var/lib/apt/lists/*"), "{fixed}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "RUN a\nRUN b\n",
        "types: [dockerfile] leaves other files alone"
    );
    let again = pre_commit("dockfix-check");
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
}
