//! `dockfix verify` against a real engine, on tiny contexts built FROM an
//! image made here: the host's `/bin/sh` and the libraries it loads,
//! imported with `docker import` (no registry needed, a few MB). Skips
//! (and says so) when no engine is reachable, except under `CI=true`,
//! where the real-build checks must run.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const BASE_IMAGE: &str = "dockfix-verify-test/sh:latest";

fn docker() -> Command {
    let program = std::env::var_os("DOCKFIX_DOCKER").unwrap_or_else(|| "docker".into());
    let mut command = Command::new(program);
    command.stdin(Stdio::null());
    command
}

fn engine_reachable() -> bool {
    docker()
        .args(["version", "--format", "{{.Server.Version}}"])
        .output()
        .is_ok_and(|output| output.status.success())
}

/// False (after saying why) when the engine tests cannot run here.
fn engine_or_skip() -> bool {
    if engine_reachable() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|value| value == "true") {
        panic!(
            "CI=true but no container engine is reachable: start one (dockerd or Podman's socket) before the tests"
        );
    }
    println!("skipped: no container engine reachable (start dockerd to run the verify tests)");
    false
}

/// `/bin/sh` and the shared libraries `ldd` lists for it, as an image.
fn ensure_base_image() {
    let present = docker()
        .args(["image", "inspect", BASE_IMAGE])
        .output()
        .unwrap()
        .status
        .success();
    if present {
        return;
    }
    let ldd = Command::new("ldd").arg("/bin/sh").output().unwrap();
    let mut files = vec!["/bin/sh".to_string()];
    for line in String::from_utf8_lossy(&ldd.stdout).lines() {
        if let Some(path) = line.split_whitespace().find(|word| word.starts_with('/')) {
            files.push(path.to_string());
        }
    }
    let mut archive = tar::Builder::new(Vec::new());
    for file in &files {
        archive
            .append_path_with_name(file, file.trim_start_matches('/'))
            .unwrap();
    }
    let mut import = docker()
        .args(["import", "-", BASE_IMAGE])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    import
        .stdin
        .take()
        .unwrap()
        .write_all(&archive.into_inner().unwrap())
        .unwrap();
    assert!(import.wait().unwrap().success(), "docker import failed");
}

fn verify(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dockfix"))
        .arg("verify")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn json_report(output: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "one JSON line expected:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(lines[0]).unwrap()
}

fn context(dockerfile: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    dir
}

#[test]
fn verify_builds_compares_and_judges() {
    if !engine_or_skip() {
        return;
    }
    ensure_base_image();

    // merge-runs: same files, one layer fewer, same smoke output.
    let merged = context(&format!(
        "FROM {BASE_IMAGE}\nRUN echo one > /one\nRUN echo two > /two\n"
    ));
    let output = verify(
        merged.path(),
        &[
            "--output-format",
            "json",
            "--run",
            "/bin/sh -c 'read line < /one; echo $line'",
            "--rebuild",
        ],
    );
    let report = json_report(&output);
    assert_eq!(report["verdict"], "equivalent", "{report:#}");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(report["path"], "Dockerfile");
    assert_eq!(report["before"]["built"], true);
    assert_eq!(report["after"]["built"], true);
    assert!(report["after"]["layers"].as_u64() < report["before"]["layers"].as_u64());
    assert_eq!(report["fixes"][0]["transform"], "merge-runs");
    assert_eq!(report["config_changes"], serde_json::json!([]));
    assert_eq!(report["only_before"], serde_json::json!([]));
    assert_eq!(report["changed"], serde_json::json!([]));
    assert_eq!(report["run"]["same"], true);
    assert_eq!(report["run"]["after_stdout"], "one\n");
    assert_eq!(report["rebuild"]["before_built"], true);
    assert_eq!(report["rebuild"]["after_built"], true);
    // Nothing in the context is copied in, so a new file changes nothing.
    assert_eq!(
        report["rebuild"]["after_cached_steps"],
        report["rebuild"]["after_steps"]
    );

    // dockerignore: the image loses /app/.git, excluded by the new
    // .dockerignore (which excludes itself, so nothing is gained). `COPY .`
    // puts .git in the image, where the application may read it, so the
    // exclusion is an unsafe fix.
    let copied = context(&format!("FROM {BASE_IMAGE}\nCOPY . /app\n"));
    std::fs::create_dir(copied.path().join(".git")).unwrap();
    std::fs::write(copied.path().join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    let output = verify(
        copied.path(),
        &["--output-format", "json", "-q", "--unsafe"],
    );
    let report = json_report(&output);
    assert_eq!(report["verdict"], "equivalent", "{report:#}");
    assert_eq!(output.status.code(), Some(0));
    let head = report["only_before"]
        .as_array()
        .unwrap()
        .iter()
        .find(|only| only["path"] == "/app/.git/HEAD")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(head["expected"], true);
    assert_eq!(head["reason"], "dockerignore");
    assert_eq!(report["only_after"], serde_json::json!([]), "{report:#}");
    assert_eq!(report["totals"]["expected_from_dockerignore_count"], 2);
    assert!(!copied.path().join(".dockerignore").exists());

    // The text report shows the same facts.
    let output = verify(copied.path(), &["-q", "--unsafe"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.starts_with("Dockerfile: equivalent"), "{text}");
    assert!(
        text.contains("expected: 2 excluded by the new .dockerignore"),
        "{text}"
    );
    assert!(
        text.contains("/app/.git/HEAD  [excluded by the new .dockerignore]"),
        "{text}"
    );

    // An original that does not build: nothing to compare, exit 2. It
    // fails only when --build-arg reaches the build.
    let failing = context(&format!(
        "FROM {BASE_IMAGE}\nARG CODE=0\nRUN echo one > /one\nRUN exit $CODE\n"
    ));
    let output = verify(
        failing.path(),
        &["--output-format", "json", "-q", "--build-arg", "CODE=3"],
    );
    let report = json_report(&output);
    assert_eq!(report["verdict"], "before-fails", "{report:#}");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(report["before"]["built"], false);
    assert!(
        report["before"]["failed_step"]
            .as_str()
            .unwrap()
            .contains("RUN exit $CODE"),
        "{report:#}"
    );
    assert!(report["after"].is_null());

    // Nothing to fix: nothing built.
    let clean = context(&format!("FROM {BASE_IMAGE}\nCMD [\"/bin/sh\"]\n"));
    let output = verify(clean.path(), &["--output-format", "json", "-q"]);
    let report = json_report(&output);
    assert_eq!(report["verdict"], "unchanged");
    assert!(report["before"].is_null());
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn no_engine_is_one_line_and_exit_2() {
    let dir = context("FROM scratch\nRUN a\nRUN b\n");
    let output = Command::new(env!("CARGO_BIN_EXE_dockfix"))
        .args(["verify", "."])
        .current_dir(dir.path())
        .env("DOCKER_HOST", "unix:///nonexistent/dockfix-verify.sock")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("no container engine reachable"), "{stderr}");
    assert!(stderr.contains("start one"), "{stderr}");
    assert!(output.stdout.is_empty());
}
