//! merge-runs keeps what the commands do: each sequence of RUN bodies is run
//! once as separate `sh -c` calls (stopping at the first failure, as a
//! build does) and once as the merged RUN, each in a fresh directory; the
//! files left behind and the success of the build must be the same. Also:
//! comment lines kept between merged RUNs never reach the shell.

use std::path::Path;
use std::process::Command;

use dockfix::config::Settings;
use dockfix::engine::{self, Context, Policy};
use dockfix::syntax::{Dockerfile, dump};
use dockfix::transforms;

/// `text` after merge-runs alone.
fn merge_runs(text: &str) -> String {
    let transform = transforms::by_id("merge-runs").unwrap();
    let settings = Settings::default();
    let context = Context {
        path: None,
        build_context: None,
        settings: &settings,
        skips: None,
    };
    engine::run(text, &[transform], &context, &Policy::default())
        .unwrap()
        .text
}

/// The RUN bodies after merge-runs.
fn merged(bodies: &[&str]) -> Vec<String> {
    let text: String = std::iter::once("FROM alpine\n".to_string())
        .chain(bodies.iter().map(|body| format!("RUN {body}\n")))
        .collect();
    let file = Dockerfile::parse(&merge_runs(&text));
    file.instructions()
        .filter_map(|i| i.as_run())
        .map(|run| run.0.args())
        .collect()
}

/// Success of the build and the files it left, relative to `dir`.
fn state(dir: &Path, success: bool) -> (bool, Vec<(String, String)>) {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(current).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let content = std::fs::read_to_string(&path)
                    .unwrap_or_default()
                    .replace(&dir.display().to_string(), "<dir>");
                files.push((
                    path.strip_prefix(dir).unwrap().display().to_string(),
                    content,
                ));
            }
        }
    }
    files.sort();
    (success, files)
}

fn sh(body: &str, dir: &Path) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(body)
        .current_dir(dir)
        .status()
        .unwrap()
        .success()
}

/// Runs RUN bodies as a build does: one shell each, stopping at a failure.
fn build(bodies: &[impl AsRef<str>]) -> (bool, Vec<(String, String)>) {
    let dir = tempfile::tempdir().unwrap();
    let success = bodies.iter().all(|body| sh(body.as_ref(), dir.path()));
    state(dir.path(), success)
}

/// Merging `bodies` gives `expected_runs` RUNs that behave the same.
fn assert_same_behaviour_in(bodies: &[&str], expected_runs: usize) {
    let after = merged(bodies);
    assert_eq!(after.len(), expected_runs, "{bodies:?} became {after:?}");
    assert_eq!(
        build(bodies),
        build(&after),
        "bodies {bodies:?} merged as {after:?}"
    );
}

fn assert_same_behaviour(bodies: &[&str]) {
    assert_same_behaviour_in(bodies, 1);
}

#[test]
fn shell_state_does_not_leak_into_the_next_command() {
    assert_same_behaviour(&["mkdir sub && cd sub && pwd > ../first", "pwd > second"]);
    // Not joined: the second reads the variable the first exports.
    assert_same_behaviour_in(&["export A=1", "echo \"${A:-unset}\" > a"], 2);
    assert_same_behaviour(&["export A=1", "echo \"${B:-unset}\" > a"]);
    assert_same_behaviour(&["umask 077", "touch f && ls -l f | cut -c1-10 > perm"]);
    assert_same_behaviour(&["set -e", "false; echo after > g"]);
    assert_same_behaviour(&["alias ls=false", "ls > listing"]);
    assert_same_behaviour(&[
        "f() { echo defined; }",
        "command -v f > found || echo none > found",
    ]);
}

#[test]
fn exit_status_is_kept() {
    assert_same_behaviour(&["false || true", "echo ok > b"]);
    assert_same_behaviour(&["true; false", "echo never > c"]);
    assert_same_behaviour(&["echo x > d", "false; true", "echo y > e"]);
    assert_same_behaviour(&[
        "echo a > a",
        "test -f nope || echo missing > m",
        "echo z > z",
    ]);
    assert_same_behaviour(&["exit 0", "echo reached > h"]);
    assert_same_behaviour(&["echo trailing > t;", "echo next > n"]);
    assert_same_behaviour(&["false", "echo never > x"]);
}

#[test]
fn comments_between_runs_do_not_reach_the_shell() {
    let text =
        "FROM alpine\nRUN echo one\n# a comment about two\n  # and an indented one\nRUN echo two\n";
    let output = merge_runs(text);
    assert!(output.contains("# a comment about two\n"), "{output}");
    let sexp = dump::dump(&Dockerfile::parse(&output)).unwrap();
    assert_eq!(
        sexp,
        "(from \"alpine\")\n(run \"echo one &&     echo two\")\n"
    );
}
