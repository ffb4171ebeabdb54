//! merge-runs keeps what the commands do: each sequence of RUN bodies is run
//! once as separate shell calls (stopping at the first failure, as a build
//! does) and once as the merged RUN, each in a fresh directory, in dash and
//! in bash, with a PATH of stub commands that log their arguments (and
//! `fail`, which also exits 1); the files left behind, the log of commands
//! run and the success of the build must be the same. Also: comment lines
//! kept between merged RUNs never reach the shell.

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

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

/// The RUN bodies after merge-runs, in a stage with `shell` (a `SHELL`
/// JSON array) when given.
fn merged(shell: Option<&str>, bodies: &[&str]) -> Vec<String> {
    let text: String = std::iter::once("FROM alpine\n".to_string())
        .chain(shell.map(|shell| format!("SHELL {shell}\n")))
        .chain(bodies.iter().map(|body| format!("RUN {body}\n")))
        .collect();
    let file = Dockerfile::parse(&merge_runs(&text));
    file.instructions()
        .filter_map(|i| i.as_run())
        .map(|run| run.0.args().to_string())
        .collect()
}

/// Success of the build, the commands the stubs logged and the files it
/// left, relative to `dir`.
type Observed = (bool, String, Vec<(String, String)>);

fn observe(dir: &Path, log: &Path, success: bool) -> Observed {
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
    let log = std::fs::read_to_string(log).unwrap_or_default();
    (success, log, files)
}

/// The shells every sequence runs in; a missing one is skipped, and said so.
fn shells() -> Vec<&'static str> {
    ["dash", "bash"]
        .into_iter()
        .filter(|shell| {
            let found = Command::new(shell).arg("-c").arg("true").status().is_ok();
            if !found {
                println!("skipping {shell}: not installed");
            }
            found
        })
        .collect()
}

/// Stub programs: each logs its name and arguments; `fail` also exits 1;
/// `install-early NAME` puts a program NAME that logs `NAME (early)` in the
/// build's own directory `$EARLY`, which comes earlier on PATH than the
/// stubs. The stubs are written once per test process, before any test
/// runs a shell: an executable written while another test thread forks can
/// fail to run with "Text file busy" (the child holds the open file until
/// it execs), which made a stub's log line go missing now and then.
fn shared_stubs() -> &'static Path {
    static STUBS: OnceLock<tempfile::TempDir> = OnceLock::new();
    STUBS
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let write = |name: &str, script: &str| {
                let path = dir.path().join(name);
                std::fs::write(&path, script).unwrap();
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            };
            for name in ["apt-get", "apk", "pip", "make", "tool", "sha256sum", "ok"] {
                write(name, &format!("#!/bin/sh\necho \"{name} $*\" >> \"$LOG\"\n"));
            }
            write("fail", "#!/bin/sh\necho \"fail $*\" >> \"$LOG\"\nexit 1\n");
            write(
                "install-early",
                "#!/bin/sh\necho \"install-early $*\" >> \"$LOG\"\n\
                 printf '#!/bin/sh\\necho \"%s (early) $*\" >> \"$LOG\"\\n' \"$1\" > \"$EARLY/$1\"\n\
                 chmod +x \"$EARLY/$1\"\n",
            );
            dir
        })
        .path()
}

/// The PATH of one build: its own early directory, then the stubs.
fn stubs(root: &Path) -> String {
    let early = root.join("early");
    std::fs::create_dir_all(&early).unwrap();
    format!(
        "{}:{}:/usr/bin:/bin",
        early.display(),
        shared_stubs().display()
    )
}

fn shell_call(
    shell: &str,
    options: &[&str],
    body: &str,
    dir: &Path,
    path: &str,
    log: &Path,
) -> bool {
    Command::new(shell)
        .args(options)
        .arg("-c")
        .arg(body)
        .current_dir(dir)
        .env("PATH", path)
        .env("LOG", log)
        .env("EARLY", log.with_file_name("early"))
        .status()
        .unwrap()
        .success()
}

/// Runs RUN bodies as a build does: one shell each, stopping at a failure.
fn build(shell: &str, options: &[&str], bodies: &[impl AsRef<str>]) -> Observed {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("work");
    std::fs::create_dir(&dir).unwrap();
    let path = stubs(root.path());
    let log = root.path().join("log");
    let success = bodies
        .iter()
        .all(|body| shell_call(shell, options, body.as_ref(), &dir, &path, &log));
    observe(&dir, &log, success)
}

/// Under the stage `SHELL` (`None`: `/bin/sh -c`, run as dash and as bash),
/// merging `bodies` gives `expected_runs` RUNs that behave the same.
fn assert_same_behaviour_with(shell: Option<&[&str]>, bodies: &[&str], expected_runs: usize) {
    let json = shell.map(|words| {
        let quoted: Vec<String> = words.iter().map(|word| format!("{word:?}")).collect();
        format!("[{}]", quoted.join(", "))
    });
    let after = merged(json.as_deref(), bodies);
    assert_eq!(after.len(), expected_runs, "{bodies:?} became {after:?}");
    // The SHELL's options before `-c` (`-e`, `-o pipefail`, …).
    let options: Vec<&str> = shell
        .map(|words| {
            words[1..]
                .iter()
                .copied()
                .take_while(|word| *word != "-c")
                .collect()
        })
        .unwrap_or_default();
    for program in shells() {
        assert_eq!(
            build(program, &options, bodies),
            build(program, &options, &after),
            "{program}: bodies {bodies:?} merged as {after:?}"
        );
    }
}

fn assert_same_behaviour_in(bodies: &[&str], expected_runs: usize) {
    assert_same_behaviour_with(None, bodies, expected_runs);
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
fn state_changes_hidden_in_expansions_and_prefixes() {
    // Not joined: each later RUN reads what the earlier one set.
    assert_same_behaviour_in(&[": \"${MODE:=debug}\"", "echo \"mode=$MODE\" > mode"], 2);
    assert_same_behaviour_in(&["echo $((X=1)) > x", "echo \"${X:-unset}\" > y"], 2);
    assert_same_behaviour_in(&["command export A=1", "echo \"${A:-unset}\" > a"], 2);
    // Joined, and the setting stays in its own RUN even where the later
    // RUN reads it indirectly (through eval, or the environment).
    let indirect = "name=MODE; eval \"echo \\\"\\${$name:-unset}\\\"\" > mode";
    assert_same_behaviour(&[": \"${MODE:=debug}\"", indirect]);
    assert_same_behaviour(&["echo \"${MODE=debug}\" > m", indirect]);
    assert_same_behaviour(&["echo $((MODE=1)) > x", indirect]);
    assert_same_behaviour(&["MODE=debug :", indirect]);
    assert_same_behaviour(&["for MODE in a b; do :; done", indirect]);
    assert_same_behaviour(&["mkdir sub && command cd sub", "pwd > p"]);
    assert_same_behaviour(&["mkdir sub && builtin cd sub", "pwd > p"]);
    assert_same_behaviour(&["command export MODE=1", "env | grep -c ^MODE= > c || true"]);
    // bash only in practice (dash has no `let` or `printf -v`: the RUN
    // fails in both builds alike).
    assert_same_behaviour(&["let MODE=1 || true", indirect]);
    assert_same_behaviour(&["printf -v MODE %s x || true", indirect]);
    assert_same_behaviour_with(
        Some(&["/bin/bash", "-c"]),
        &[
            "declare -g MODE=1; printf -v MODE %s x; let MODE=2",
            indirect,
        ],
        1,
    );
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
    assert_same_behaviour(&["ok a && fail b", "ok c"]);
    assert_same_behaviour(&["ok a; fail b", "ok c"]);
    assert_same_behaviour(&["ok a", "fail b || ok c", "ok d"]);
}

/// POSIX ignores errexit in every command of an `&&`/`||` list but the
/// last, and in everything such a command runs: a RUN that relies on
/// `set -e` must not end up on the left of `&&`.
#[test]
fn errexit_still_stops_the_build() {
    // The repro: the checksum fails, nothing after it may run.
    let checksum =
        "set -e; echo \"00  /etc/hostname\" | sha256sum -c -; fail; echo unverified > proof";
    assert_same_behaviour_in(&[checksum, "echo done > done"], 2);
    for body in [
        "set -e; fail; echo unverified > proof",
        "set -eux; fail; echo unverified > proof",
        "set -o errexit; fail; echo unverified > proof",
        "set -euo pipefail; fail; echo unverified > proof",
        "(set -e; fail; echo unverified > proof)",
        "{ set -e; fail; echo unverified > proof; }",
        "if true; then set -e; fail; echo unverified > proof; fi",
        "command set -e; fail; echo unverified > proof",
        "eval 'set -e'; fail; echo unverified > proof",
    ] {
        assert_same_behaviour_in(&[body, "ok next"], 2);
        // As the last part it keeps its meaning, failing or not.
        assert_same_behaviour(&["ok first", body]);
        assert_same_behaviour(&["ok first", &body.replace("fail; ", "")]);
    }
    // errexit is never on where it cannot matter: one `&&` chain of simple
    // commands stops at its first failure either way.
    assert_same_behaviour(&["set -e && fail", "ok next"]);
    // A RUN that is a subshell is wrapped as `( (…))`: `((` is arithmetic
    // in bash.
    assert_same_behaviour(&["(cd / && ok a)", "ok b"]);
    assert_same_behaviour(&["(ok a); mkdir sub; cd sub", "pwd > p"]);
    assert_same_behaviour(&["set -e; (ok a; fail b)", "set -e; ok c"]);
    assert_same_behaviour(&["set -e && ok a", "ok next"]);
    // set -e in one RUN must not reach the next one's body.
    assert_same_behaviour(&["set -e", "fail; echo after > g"]);
    assert_same_behaviour(&["set -e && ok a", "fail; echo after > g"]);
}

/// RUNs that all start with the same `set -e…` are chained: the earlier
/// ones' rest runs as a subshell after their `set`, which errexit covers.
#[test]
fn errexit_chains_keep_every_failure_fatal() {
    let bodies = [
        "set -eux; ok a; fail b; echo unverified > proof",
        "set -eux; ok c; echo c > c",
    ];
    assert_same_behaviour(&bodies);
    assert_same_behaviour(&["set -eux; ok a; echo a > a", "set -eux; fail c; echo c > c"]);
    assert_same_behaviour(&[
        "set -eux; mkdir sub; cd sub; export A=1",
        "set -eux; pwd > where; echo \"${B:-unset}\" > b",
        "set -eux; fail; echo never > never",
    ]);
    // The rest ends with a failure errexit ignores: the RUN failed, so must
    // the chain.
    assert_same_behaviour(&["set -e; ok a; fail b && ok c", "set -e; echo next > next"]);
    assert_same_behaviour(&["set -e; ok a; ! ok b", "set -e; echo next > next"]);
    assert_same_behaviour(&[
        "set -e; ok a; exit 0; echo never > x",
        "set -e; echo next > next",
    ]);
    // Different options: -u would reach a RUN that did not ask for it.
    assert_same_behaviour_in(&["set -eu; ok a", "set -e; echo \"$UNSET\" > u"], 2);
    // Followed by a RUN without `set -e`: not chained (errexit would reach it).
    assert_same_behaviour_in(&["set -e; ok a", "fail b; echo after > after"], 2);
}

#[test]
fn errexit_from_the_shell_instruction() {
    let shells: [&[&str]; 4] = [
        &["/bin/sh", "-e", "-c"],
        &["/bin/bash", "-eo", "pipefail", "-c"],
        &["/bin/bash", "-o", "errexit", "-c"],
        &["/bin/sh", "-ec"],
    ];
    for shell in shells {
        // `;` lists rely on -e: only ever last.
        assert_same_behaviour_with(
            Some(shell),
            &["mkdir -p x; fail; echo after > y", "echo z > z"],
            2,
        );
        assert_same_behaviour_with(Some(shell), &["ok a; ok b", "ok c"], 2);
        // A plain `&&` chain behaves the same with or without -e.
        assert_same_behaviour_with(Some(shell), &["ok a && fail b", "ok c"], 1);
        assert_same_behaviour_with(Some(shell), &["ok a", "fail b; echo after > y"], 1);
    }
    // -e does not apply in `&&` lists, and not in -c's option word.
    assert_same_behaviour_with(Some(&["/bin/sh", "-c"]), &["ok a; fail b", "ok c"], 1);
}

/// dash and bash remember where they found a program and keep using that
/// path: a program installed earlier on PATH afterwards is not seen in the
/// same shell (and bash fails when the remembered one was removed).
#[test]
fn command_hashing_does_not_change_which_program_runs() {
    // The hazard, shown directly: in one shell the second `tool` runs the
    // old program; in two, the new one.
    for program in shells() {
        let joined = build(program, &[], &["tool; install-early tool; tool"]);
        let separate = build(program, &[], &["tool; install-early tool", "tool"]);
        assert_ne!(joined, separate, "{program}");
    }
    assert_same_behaviour_in(&["tool; install-early tool", "tool"], 2);
    assert_same_behaviour_in(&["tool", "install-early tool", "tool"], 2);
    assert_same_behaviour_in(&["tool | cat; install-early tool", "tool"], 2);
    assert_same_behaviour_in(&["command -v tool; install-early tool", "tool"], 2);
    // Looked up only in a subshell, or not at all before: nothing to remember.
    assert_same_behaviour(&["(tool); install-early tool", "tool"]);
    assert_same_behaviour(&["install-early tool", "tool"]);
    // Package managers do not replace themselves: the usual pair joins.
    assert_same_behaviour(&["apt-get update", "apt-get install -y curl"]);
    assert_same_behaviour(&[
        "apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*",
        "apt-get update && apt-get install -y git",
    ]);
    // pip replacing itself (`pip install -U pip` puts a new pip in
    // /usr/local/bin) is the real-world case.
    assert_same_behaviour_in(&["pip install -U pip", "pip install flask"], 2);
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

#[test]
fn a_comment_after_run_backslash_is_kept() {
    let text =
        "FROM alpine\nRUN echo a\nRUN \\\n    # keep: pinned for CVE-2024-0001\n    echo b\n";
    let output = merge_runs(text);
    assert_eq!(
        output,
        "FROM alpine\nRUN echo a && \\\n    # keep: pinned for CVE-2024-0001\n    echo b\n"
    );
}
