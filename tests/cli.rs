//! The command line, run as a process: exit codes, output modes, bad input.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{dockfix, run_stdin};

fn run(args: &[&str], dir: &Path) -> Output {
    dockfix().args(args).current_dir(dir).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write(dir: &Path, name: &str, contents: &[u8]) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, contents).unwrap();
    path
}

const TRICKY: &str = "\u{feff}# syntax=docker/dockerfile:1\r\n# escape=`\r\nFROM alpine AS base\r\nRUN echo a `\r\n  # comment\r\n\r\n  b\r\nCOPY <<EOF /x\r\nbody\r\nEOF\r\nONBUILD run  x\r\nnot an instruction\r\nENV A=1 B=2";

#[test]
fn select_none_prints_stdin_back_byte_for_byte() {
    let output = run_stdin(&["--select", "none", "-"], TRICKY.as_bytes());
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(text(&output.stdout), TRICKY);
}

/// Without a build context (standard input, no path) the manifests are
/// copied by patterns, as an unsafe fix only; `pip install .` needs the
/// sources and is left alone.
#[test]
fn manifests_first_without_a_context_copies_by_pattern_and_is_unsafe() {
    let node = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n";
    // Naming the transform enables its unsafe fixes; `all` does not.
    let selected = run_stdin(&["--select", "copy-manifests-first", "-"], node.as_bytes());
    assert_eq!(
        text(&selected.stdout),
        node.replace(
            "COPY . .\nRUN npm ci\n",
            "COPY package*.json .npmrc* ./\nRUN npm ci\nCOPY . .\n",
        )
    );
    let plain = run_stdin(&["--select", "all", "-"], node.as_bytes());
    assert!(
        !text(&plain.stdout).contains("package*.json"),
        "{}",
        text(&plain.stdout)
    );
    let go =
        "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go mod download\nRUN go build -o /app .\n";
    let output = run_stdin(
        &["--unsafe", "--select", "copy-manifests-first", "-"],
        go.as_bytes(),
    );
    assert!(
        text(&output.stdout).contains("COPY go.mod go.sum* ./\nRUN go mod download\nCOPY . .\n"),
        "{}",
        text(&output.stdout)
    );
    let project = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install .\n";
    let output = run_stdin(
        &["--unsafe", "--select", "copy-manifests-first", "-"],
        project.as_bytes(),
    );
    assert_eq!(text(&output.stdout), project);
}

/// A front end read from standard input (no context, no package.json) gets
/// the nginx runtime as an unsafe fix, with the folder its `serve` command
/// names; without a folder in the command it is skipped, and `-v` says why.
#[test]
fn static_front_end_without_a_context_is_split_by_its_served_folder() {
    let served = "FROM node:18\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nCMD [\"npx\", \"serve\", \"-s\", \"build\"]\n";
    let output = run_stdin(&["--select", "multi-stage", "-"], served.as_bytes());
    assert_eq!(
        text(&output.stdout),
        served.replace("FROM node:18\n", "FROM node:18 AS build\n")
            + "\n# Runtime stage added by dockfix (multi-stage): only the build's artefacts.\n\
               FROM nginx:alpine\n\
               COPY --from=build /app/build /usr/share/nginx/html\n\
               EXPOSE 80\n"
    );
    let plain = run_stdin(&["--select", "all", "-"], served.as_bytes());
    assert!(
        !text(&plain.stdout).contains("nginx"),
        "{}",
        text(&plain.stdout)
    );
    let unnamed = served.replace("\"-s\", \"build\"", "\"-s\"");
    let output = run_stdin(&["-v", "--select", "multi-stage", "-"], unnamed.as_bytes());
    assert_eq!(text(&output.stdout), unnamed);
    assert!(
        text(&output.stderr).contains("`serve` names no folder"),
        "{}",
        text(&output.stderr)
    );
}

/// Without a context, the `COPY .` still moves below the system package
/// install after it (safe: no manifest is needed for that), and with
/// `--unsafe` the manifests' patterns go below that install, never above.
#[test]
fn system_install_stays_above_the_copies_without_a_context() {
    let python = "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN apt-get update && apt-get install -y ffmpeg\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n";
    // `all` leaves the unsafe fixes out (naming a transform enables them).
    let safe = text(&run_stdin(&["--select", "all", "-"], python.as_bytes()).stdout);
    let install = safe.find("apt-get install -y ffmpeg").unwrap();
    let copy = safe.find("COPY . .\nRUN pip install").unwrap();
    assert!(
        install < copy && !safe.contains("requirements.txt ./"),
        "{safe}"
    );
    let unsafe_ = run_stdin(
        &[
            "--unsafe",
            "--select",
            "copy-manifests-first,merge-runs",
            "-",
        ],
        python.as_bytes(),
    );
    assert_eq!(
        text(&unsafe_.stdout),
        python.replace(
            "COPY . .\nRUN apt-get update && apt-get install -y ffmpeg\nRUN pip install -r requirements.txt\n",
            "RUN apt-get update && apt-get install -y ffmpeg\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\nCOPY . .\n",
        )
    );
}

/// With every safe fix (issue 12 item 8): the apt install stays above the
/// manifests' COPY, so merge-runs cannot join it to the pip install and a
/// changed requirements.txt does not reinstall ffmpeg.
#[test]
fn system_install_is_not_merged_into_the_install_behind_the_manifests() {
    let dir = tempfile::tempdir().unwrap();
    let dockerfile = write(
        dir.path(),
        "Dockerfile",
        b"FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN apt-get update && apt-get install -y ffmpeg\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n",
    );
    write(dir.path(), "requirements.txt", b"flask==3.0.0\n");
    write(dir.path(), "app.py", b"print('hi')\n");
    let output = dockfix()
        .args(["--write", "--select", "all", "--ignore", "slim-base-image"])
        .arg(&dockerfile)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(
        std::fs::read_to_string(&dockerfile).unwrap(),
        "FROM python:3.11\nWORKDIR /app\n\
         RUN apt-get update && apt-get install -y ffmpeg && rm -rf /var/lib/apt/lists/*\n\
         COPY requirements.txt ./\n\
         RUN pip install --no-cache-dir -r requirements.txt\n\
         COPY . .\n\
         CMD [\"python\", \"app.py\"]\n"
    );
}

#[test]
fn stdin_filename_without_dash_reads_stdin() {
    let output = run_stdin(
        &["--select", "none", "--stdin-filename", "Dockerfile"],
        b"FROM a\n",
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(text(&output.stdout), "FROM a\n");
}

#[test]
fn stdin_filename_that_is_a_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = run_stdin(
        &["--stdin-filename", dir.path().to_str().unwrap(), "-"],
        b"FROM a\n",
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("is a directory"));
    assert!(output.stdout.is_empty());
}

#[test]
fn bad_input_is_one_line_and_exit_2_and_other_files_still_run() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bin.Dockerfile", b"FROM a\0\x01\x02");
    write(dir.path(), "latin1.Dockerfile", b"FROM caf\xe9\n");
    write(dir.path(), "empty.Dockerfile", b"");
    write(dir.path(), "utf16.Dockerfile", b"\xff\xfeF\0R\0O\0M\0");
    write(dir.path(), "huge.Dockerfile", &vec![b'#'; 9 * 1024 * 1024]);
    write(dir.path(), "good.Dockerfile", b"FROM alpine\n");
    let output = run(&["--check", "."], dir.path());
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    for (name, reason) in [
        ("bin.Dockerfile", "binary"),
        ("latin1.Dockerfile", "UTF-8"),
        ("utf16.Dockerfile", "UTF-16 text; save it as UTF-8"),
        ("huge.Dockerfile", "MiB"),
    ] {
        let line = stderr
            .lines()
            .find(|line| line.contains(name))
            .unwrap_or_else(|| panic!("no error for {name} in {stderr}"));
        assert!(line.starts_with("dockfix: error: "), "{line}");
        assert!(line.contains(reason), "{line}");
    }
    assert!(!stderr.contains("good.Dockerfile"));
    // An empty file is valid input with nothing to fix.
    assert!(!stderr.contains("empty.Dockerfile"), "{stderr}");
    // After errors the summary says so, never a bare "No changes."
    assert!(!stderr.contains("No changes."), "{stderr}");
    assert!(stderr.contains("4 errors"), "{stderr}");
    assert_eq!(
        std::fs::read(dir.path().join("bin.Dockerfile")).unwrap(),
        b"FROM a\0\x01\x02"
    );
}

#[test]
fn missing_and_unreadable_paths() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(&["nope/Dockerfile"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("nope/Dockerfile: cannot read"));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let path = write(dir.path(), "Dockerfile", b"FROM a\n");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
        // root can read anything: only check when the file is really unreadable.
        if std::fs::read(&path).is_err() {
            let output = run(&["Dockerfile"], dir.path());
            assert_eq!(output.status.code(), Some(2));
            assert!(text(&output.stderr).contains("permission denied"));
        }
    }
}

#[test]
fn stdin_bad_input() {
    for (input, reason) in [
        (&b"FROM \xff"[..], "UTF-8"),
        (b"\xff\xfeF\0R\0", "UTF-16"),
        (b"FROM\0", "binary"),
    ] {
        let output = run_stdin(&["-"], input);
        assert_eq!(output.status.code(), Some(2));
        let stderr = text(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(reason), "{stderr}");
    }
}

#[test]
fn shell_text_the_shell_parser_cannot_take_is_left_alone_quietly() {
    // Found by fuzzing: an overflowing descriptor number made brush-parser
    // panic, and exponential backtracking on parentheses in arithmetic.
    let input = "FROM alpine\nRUN 44444444444444444444>x\nRUN echo $(( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( 1\nRUN echo done\n";
    let output = run_stdin(&["--unsafe", "-"], input.as_bytes());
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(text(&output.stdout), input);
    assert_eq!(text(&output.stderr), "");
}

#[test]
fn directories_are_walked_for_dockerfile_names_honouring_gitignore() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "Dockerfile",
        "svc/Dockerfile.dev",
        "svc/api.Dockerfile",
        "svc/web.dockerfile",
        "svc/Containerfile",
        ".devcontainer/Dockerfile",
        "ignored/Dockerfile",
        "notes.txt",
    ] {
        write(dir.path(), name, b"FROM a\n");
    }
    write(dir.path(), ".gitignore", b"ignored/\n");
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let output = run(&["--select", "none", "--verbose", "."], dir.path());
    assert_eq!(output.status.code(), Some(0));
    let stderr = text(&output.stderr);
    for name in [
        "Dockerfile:",
        "svc/Dockerfile.dev",
        "svc/api.Dockerfile",
        "svc/web.dockerfile",
        "svc/Containerfile",
        ".devcontainer/Dockerfile",
    ] {
        assert!(stderr.contains(name), "{name} missing from {stderr}");
    }
    assert!(!stderr.contains("ignored/"));
    assert!(!stderr.contains("notes.txt"));
}

#[test]
fn unknown_transform_id_is_an_error() {
    let output = run_stdin(&["--select", "no-such-thing", "-"], b"FROM a\n");
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("unknown transform `no-such-thing`"));
}

#[test]
fn parse_buildkit_prints_sexpressions() {
    let output = run_stdin(&["parse", "--buildkit", "-"], b"FROM a AS b\nRUN [\"x\"]\n");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        text(&output.stdout),
        "(from \"a\" \"AS\" \"b\")\n(run \"x\")\n"
    );
}

#[test]
fn parse_prints_the_tree() {
    let output = run_stdin(&["parse", "-"], b"FROM a\n");
    assert_eq!(output.status.code(), Some(0));
    assert!(text(&output.stdout).starts_with("ROOT@0..7"));
}

#[test]
fn dockfix_toml_is_found_and_command_line_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(dir.path(), "dockfix.toml", b"select = [\"merge-runs\"]\n");
    write(
        dir.path(),
        "svc/Dockerfile",
        b"FROM alpine\nRUN echo a\nRUN apk add curl\n",
    );
    let output = run(&["--diff", "svc"], dir.path());
    let stdout = text(&output.stdout);
    assert!(stdout.contains("+RUN echo a && \\"), "{stdout}");
    assert!(
        !stdout.contains("--no-cache"),
        "config selected merge-runs only: {stdout}"
    );
    let output = run(
        &["--diff", "--select", "package-cache-flags", "svc"],
        dir.path(),
    );
    let stdout = text(&output.stdout);
    assert!(stdout.contains("apk add --no-cache curl"), "{stdout}");
    assert!(!stdout.contains("&& \\"), "{stdout}");
}

#[test]
fn bad_config_is_a_one_line_error_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "dockfix.toml", b"unsafe = true\nsellect = []\n");
    write(dir.path(), "Dockerfile", b"FROM alpine\n");
    let output = run(&["--check", "Dockerfile"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    let line = stderr.lines().find(|l| l.contains("sellect")).unwrap();
    assert!(
        line.contains("dockfix.toml: line 2, column 1: unknown field `sellect`"),
        "{line}"
    );
    let output = run(
        &["--check", "--config", "dockfix.toml", "Dockerfile"],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn dockerignore_is_diffed_written_once_and_then_clean() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        b"FROM node:20-slim\nCOPY package.json ./\nRUN npm ci\nCOPY . .\n",
    );
    write(
        dir.path(),
        "api.Dockerfile",
        b"FROM node:20-slim\nCOPY . .\nRUN npm ci\n",
    );
    write(dir.path(), "package.json", b"{}\n");
    write(dir.path(), "node_modules/x/index.js", b"");
    write(dir.path(), ".git/HEAD", b"ref: refs/heads/main\n");
    let only = ["--select", "dockerignore"];
    let output = run(&[&only[..], &["--diff", "."]].concat(), dir.path());
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("--- /dev/null\n+++ b/.dockerignore\n"),
        "{stdout}"
    );
    assert_eq!(
        stdout.matches("+++ b/.dockerignore").count(),
        1,
        "two Dockerfiles, one file: {stdout}"
    );
    assert!(stdout.contains("+.git\n+node_modules\n"), "{stdout}");

    let output = run(&[&only[..], &["--check", "."]].concat(), dir.path());
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stdout).contains("would fix: .dockerignore"));

    let output = run(&[&only[..], &["--write", "."]].concat(), dir.path());
    assert_eq!(output.status.code(), Some(0));
    let written = std::fs::read_to_string(dir.path().join(".dockerignore")).unwrap();
    // A new file excludes itself: `COPY . .` must not put it in the image.
    assert!(
        written.ends_with(".git\nnode_modules\n.dockerignore\n"),
        "{written}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(".dockerignore"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644);
    }
    let output = run(&[&only[..], &["--check", "."]].concat(), dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
}

#[test]
fn stdin_mode_reports_but_never_writes_context_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".git/HEAD", b"");
    let name = dir.path().join("Dockerfile");
    let output = run_stdin(
        &[
            "--select",
            "dockerignore",
            "--stdin-filename",
            name.to_str().unwrap(),
        ],
        b"FROM alpine\nCOPY . .\n",
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(text(&output.stdout), "FROM alpine\nCOPY . .\n");
    assert!(text(&output.stderr).contains("(not written in stdin mode)"));
    assert!(!dir.path().join(".dockerignore").exists());
}

#[test]
fn write_keeps_permissions_and_leaves_unchanged_files_alone() {
    let dir = tempfile::tempdir().unwrap();
    let changed = write(dir.path(), "Dockerfile", b"FROM alpine\nRUN apk add curl\n");
    let unchanged = write(
        dir.path(),
        "other.Dockerfile",
        b"FROM alpine\nRUN apk add --no-cache curl\n",
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&changed, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    let old_time = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&unchanged)
        .unwrap()
        .set_modified(old_time)
        .unwrap();
    let output = run(
        &["--write", "--select", "package-cache-flags", "."],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&changed).unwrap(),
        "FROM alpine\nRUN apk add --no-cache curl\n"
    );
    assert_eq!(
        std::fs::metadata(&unchanged).unwrap().modified().unwrap(),
        old_time
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&changed).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }
    // Nothing left behind by the atomic write.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".dockfix-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn diff_check_and_plain_report_modes() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", b"FROM alpine\nRUN apk add curl");
    let output = run(
        &["--diff", "--select", "package-cache-flags", "Dockerfile"],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stdout),
        "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,2 +1,2 @@\n FROM alpine\n-RUN apk add curl\n\\ No newline at end of file\n+RUN apk add --no-cache curl\n\\ No newline at end of file\n"
    );
    assert!(text(&output.stderr).contains("Dockerfile:2: [package-cache-flags]"));
    let output = run(
        &["--check", "--select", "package-cache-flags", "Dockerfile"],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(text(&output.stdout), "would fix: Dockerfile\n");
    let output = run(
        &["--select", "package-cache-flags", "Dockerfile"],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(1));
    // Fix reports are on stderr in every mode, a plain run included.
    assert_eq!(text(&output.stdout), "");
    assert!(text(&output.stderr).starts_with("Dockerfile:2: [package-cache-flags] add --no-cache"));
    let output = run(
        &[
            "-q",
            "--check",
            "--select",
            "package-cache-flags",
            "Dockerfile",
        ],
        dir.path(),
    );
    assert!(text(&output.stderr).is_empty());
    let output = run(
        &[
            "--diff",
            "--color",
            "always",
            "--select",
            "package-cache-flags",
            "Dockerfile",
        ],
        dir.path(),
    );
    assert!(text(&output.stdout).contains("\u{1b}[31m-RUN apk add curl"));
    // Unchanged file: exit 0.
    let output = run(
        &["--check", "--select", "merge-runs", "Dockerfile"],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn rules_and_explain() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(&["rules"], dir.path());
    let stdout = text(&output.stdout);
    for id in [
        "merge-runs",
        "cleanup-same-layer",
        "package-cache-flags",
        "copy-manifests-first",
        "slim-base-image",
        "dockerignore",
        "multi-stage",
    ] {
        assert!(stdout.contains(id), "{id} missing from rules");
    }
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("multi-stage") && l.contains("unsafe"))
    );
    // "safe (some unsafe)" exactly for the safe transforms whose case
    // snapshots show an unsafe fix.
    let snapshots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots");
    let mut with_unsafe_fixes = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(snapshots).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let content = std::fs::read_to_string(entry.path()).unwrap_or_default();
        if let Some((transform, _)) = name.split_once("__")
            && (content.contains("[unsafe]") || content.contains("[needs --unsafe]"))
        {
            with_unsafe_fixes.insert(transform.to_string());
        }
    }
    for line in stdout.lines() {
        let id = line.split_whitespace().next().unwrap();
        let label = line[id.len()..].trim_start();
        if label.starts_with("safe") {
            assert_eq!(
                label.starts_with("safe (some unsafe)"),
                with_unsafe_fixes.contains(id),
                "{line}"
            );
        }
    }
    let output = run(&["explain", "merge-runs"], dir.path());
    assert!(text(&output.stdout).starts_with("# merge-runs"));
    let output = run(&["explain", "nope"], dir.path());
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_bare_file_name_has_the_current_directory_as_its_context() {
    // The parent of `Dockerfile` is the empty path: the context listing
    // (which decides the .NET manifests) must still see the directory.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        b"FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\nRUN dotnet publish -c Release -o /out\n",
    );
    write(dir.path(), "web.csproj", b"<Project/>\n");
    let args = ["--diff", "--unsafe", "--select", "copy-manifests-first"];
    let bare = run(&[&args[..], &["Dockerfile"]].concat(), dir.path());
    let dotted = run(&[&args[..], &["./Dockerfile"]].concat(), dir.path());
    assert_eq!(bare.status.code(), Some(1), "{}", text(&bare.stderr));
    assert!(text(&bare.stdout).contains("+COPY web.csproj ./"));
    assert_eq!(text(&bare.stdout), text(&dotted.stdout));
}

#[test]
fn diff_is_not_coloured_when_piped() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", b"FROM alpine\nRUN apk add curl\n");
    let output = Command::new(env!("CARGO_BIN_EXE_dockfix"))
        .env_remove("NO_COLOR")
        .args(["--diff", "Dockerfile"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stdout).contains("-RUN apk add curl"));
    assert!(!text(&output.stdout).contains('\u{1b}'));
}

#[test]
fn an_empty_buffer_prints_back_empty_quietly() {
    for input in [&b""[..], b"\n\n", b"   "] {
        let output = run_stdin(&["-"], input);
        assert_eq!(output.status.code(), Some(0));
        assert_eq!(output.stdout, input);
        assert_eq!(text(&output.stderr), "");
    }
}

#[test]
fn stdin_filename_with_a_path_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = run_stdin(&["--stdin-filename", "Dockerfile", "."], b"FROM a\n");
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--stdin-filename"), "{stderr}");
    drop(dir);
}

#[cfg(unix)]
#[test]
fn write_goes_through_a_link_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let real = write(dir.path(), "real/Dockerfile", b"FROM a\nRUN a\nRUN b\n");
    std::os::unix::fs::symlink("real/Dockerfile", dir.path().join("Dockerfile")).unwrap();
    let output = run(&["--write", "-v", "."], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let link = dir.path().join("Dockerfile");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let fixed = std::fs::read_to_string(&real).unwrap();
    assert!(fixed.contains("RUN a && "), "{fixed}");
    // The walk met the file twice (link and target): handled once, and -v says so.
    let stderr = text(&output.stderr);
    assert!(stderr.contains("handled once"), "{stderr}");
    assert!(stderr.contains("Fixed 1 file"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn write_keeps_owner_group_and_hard_links() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "Dockerfile", b"FROM a\nRUN a\nRUN b\n");
    std::fs::hard_link(&path, dir.path().join("twin")).unwrap();
    let owned = write(dir.path(), "svc/Dockerfile", b"FROM a\nRUN a\nRUN b\n");
    let can_chown = std::os::unix::fs::chown(&owned, Some(65534), Some(65534)).is_ok();
    let output = run(&["--write", "."], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let twin = std::fs::read_to_string(dir.path().join("twin")).unwrap();
    assert!(
        twin.contains("RUN a && "),
        "the hard link must see the new text"
    );
    if can_chown {
        let metadata = std::fs::metadata(&owned).unwrap();
        assert_eq!((metadata.uid(), metadata.gid()), (65534, 65534));
        assert!(
            std::fs::read_to_string(&owned)
                .unwrap()
                .contains("RUN a && ")
        );
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_named_dockerfile_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new("mkfifo")
        .arg(dir.path().join("Dockerfile"))
        .status();
    if !status.is_ok_and(|status| status.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let output = run(&["--write", "Dockerfile"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("is a FIFO"),
        "{}",
        text(&output.stderr)
    );
    let kind = std::fs::symlink_metadata(dir.path().join("Dockerfile")).unwrap();
    assert!(!kind.is_file(), "the FIFO must not be replaced by a file");
}

#[test]
fn discovery_matches_common_names_and_skips_leftovers() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "Dockerfile-prod",
        "Dockerfile_dev",
        "lower/dockerfile",
        "prod.dockerfile",
        "Dockerfile.orig",
        "Dockerfile.bak",
        "Dockerfile~",
        "Dockerfile.rej",
        "Dockerfile.md",
        "custom/app.df",
        "legacy/Dockerfile",
    ] {
        write(dir.path(), name, b"FROM a\n");
    }
    write(
        dir.path(),
        "dockfix.toml",
        b"include = [\"*.df\"]\nexclude = [\"legacy/**\"]\n",
    );
    let output = run(&["--select", "none", "-v", "."], dir.path());
    assert_eq!(output.status.code(), Some(0));
    let stderr = text(&output.stderr);
    for name in [
        "Dockerfile-prod:",
        "Dockerfile_dev:",
        "lower/dockerfile:",
        "prod.dockerfile:",
        "custom/app.df:",
    ] {
        assert!(stderr.contains(name), "{name} missing from {stderr}");
    }
    for name in [".orig", ".bak", "~", ".rej", ".md", "legacy/"] {
        assert!(!stderr.contains(name), "{name} walked: {stderr}");
    }
}

#[test]
fn a_directory_without_dockerfiles_is_never_a_silent_pass() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "README.md", b"# nothing here\n");
    let output = run(&["--check", "."], dir.path());
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("no Dockerfile found"), "{stderr}");
    assert!(!stderr.contains("No changes."), "{stderr}");
}

#[test]
fn a_path_given_twice_is_processed_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", b"FROM a\nRUN a\nRUN b\n");
    let output = run(&["Dockerfile", "Dockerfile", "./Dockerfile"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert_eq!(stderr.matches("merge-runs").count(), 1, "{stderr}");
}

#[test]
fn an_explicit_unsafe_false_wins_over_select_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        b"FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
    );
    write(
        dir.path(),
        "dockfix.toml",
        b"select = [\"package-cache-flags\"]\nunsafe = false\n",
    );
    let output = run(&["--diff", "."], dir.path());
    assert!(
        !text(&output.stdout).contains("--no-install-recommends"),
        "{}",
        text(&output.stdout)
    );
    // Naming the transform on the command line still opts in, as documented.
    let output = run(
        &["--diff", "--select", "package-cache-flags", "."],
        dir.path(),
    );
    assert!(text(&output.stdout).contains("--no-install-recommends"));
}

#[test]
fn an_unknown_id_in_dockfix_toml_is_reported_once_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a/Dockerfile", "b/Dockerfile", "c/Dockerfile"] {
        write(dir.path(), name, b"FROM a\n");
    }
    write(dir.path(), "dockfix.toml", b"ignore = [\"merge-rnus\"]\n");
    let output = run(&["--check", "."], dir.path());
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert_eq!(stderr.matches("unknown transform").count(), 1, "{stderr}");
    assert!(
        stderr.contains("dockfix.toml: line 1, column 11: unknown transform `merge-rnus`"),
        "{stderr}"
    );
}

#[test]
fn reports_are_sorted_by_line_and_diff_says_how_to_apply() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        b"FROM alpine:3.19\nRUN apk add curl\nRUN echo a\nRUN echo b\nRUN pip install x\n",
    );
    let output = run(&["Dockerfile"], dir.path());
    let lines: Vec<usize> = text(&output.stderr)
        .lines()
        .filter_map(|line| line.split(':').nth(1)?.parse().ok())
        .collect();
    assert!(lines.len() >= 2, "{}", text(&output.stderr));
    assert!(lines.windows(2).all(|pair| pair[0] <= pair[1]), "{lines:?}");
    let output = run(&["--diff", "Dockerfile"], dir.path());
    assert!(
        text(&output.stderr).contains("--write"),
        "{}",
        text(&output.stderr)
    );
}

/// Fix lines and `-v` lines are buffered on stderr (a large file has tens
/// of thousands); a terminal that shows stdout and stderr together must
/// still see them in order around the diff on stdout.
#[test]
fn stderr_lines_and_the_diff_keep_their_order_on_one_terminal() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        b"FROM alpine:3.19\nRUN apk add curl\nRUN pip install x\n",
    );
    // Outside the build context, which dockfix reads.
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("both.log");
    let file = std::fs::File::create(&log).unwrap();
    let status = dockfix()
        .args(["--diff", "-v", "Dockerfile"])
        .current_dir(dir.path())
        .stdout(Stdio::from(file.try_clone().unwrap()))
        .stderr(Stdio::from(file))
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    let both = std::fs::read_to_string(&log).unwrap();
    let position = |needle: &str| {
        both.find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} in:\n{both}"))
    };
    let passes = position("pass(es)");
    let diff = position("--- a/Dockerfile");
    let fix_line = position("Dockerfile:2:12: [package-cache-flags]");
    assert!(passes < diff && diff < fix_line, "{both}");
}

#[cfg(unix)]
#[test]
fn an_interrupted_write_leaves_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    for index in 0..400 {
        write(
            dir.path(),
            &format!("svc{index}/Dockerfile"),
            b"FROM a\nRUN a\nRUN b\nRUN c\n",
        );
    }
    let mut child = dockfix()
        .args(["--write", "-q", "."])
        .current_dir(dir.path())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(30));
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    let leftovers = walk_names(dir.path())
        .into_iter()
        .filter(|name| name.starts_with(".dockfix-"))
        .count();
    assert_eq!(leftovers, 0);
}

fn walk_names(dir: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        names.push(entry.file_name().to_string_lossy().into_owned());
        if entry.path().is_dir() {
            names.extend(walk_names(&entry.path()));
        }
    }
    names
}

#[test]
fn suppression_comments_of_dockfix_hadolint_and_tally() {
    let input = "FROM debian:bookworm\n\
        # hadolint ignore=DL3059\n\
        RUN echo a\n\
        RUN echo b\n\
        # tally ignore=hadolint/DL3009\n\
        RUN apt-get update && apt-get install -y curl\n\
        # dockfix: ignore=merge-runs; reason=separate layer for the cache\n\
        RUN echo c\n\
        RUN echo d\n";
    let output = run_stdin(
        &["--select", "merge-runs,cleanup-same-layer", "-v", "-"],
        input.as_bytes(),
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(text(&output.stdout), input, "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("suppressed by `# hadolint ignore=DL3059`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("suppressed by `# tally ignore=hadolint/DL3009`"),
        "{stderr}"
    );

    let global =
        "# syntax=docker/dockerfile:1\n# dockfix: global ignore=all\nFROM a\nRUN a\nRUN b\n";
    let output = run_stdin(&["-"], global.as_bytes());
    assert_eq!(text(&output.stdout), global);
}

#[test]
fn unused_suppressions_are_reported_on_request() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        b"FROM a\n# dockfix: ignore=merge-runs\nRUN a\nCOPY x /x\n# hadolint ignore=DL3008\nRUN apt-get install -y --no-install-recommends x=1 && rm -rf /var/lib/apt/lists/*\n",
    );
    let output = run(
        &["--warn-unused-ignores", "--check", "Dockerfile"],
        dir.path(),
    );
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("Dockerfile:2: warning: `# dockfix: ignore=merge-runs` silences nothing"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("DL3008"),
        "peers' comments are theirs: {stderr}"
    );
}

#[test]
fn completions_and_manual_page_render() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "_dockfix()"),
        ("zsh", "#compdef dockfix"),
        ("fish", "complete -c dockfix"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let output = run(&["completions", shell], dir.path());
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let script = text(&output.stdout);
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(script.contains("unsafe"), "{shell}");
    }
    let output = run(&["manpage"], dir.path());
    assert_eq!(output.status.code(), Some(0));
    let page = text(&output.stdout);
    assert!(page.contains(".TH dockfix 1"), "{page}");
    assert!(page.contains("verify"), "subcommands are listed");
    let output = run(&["--version"], dir.path());
    assert_eq!(
        text(&output.stdout).trim(),
        format!("dockfix {}", env!("CARGO_PKG_VERSION"))
    );
    if Command::new("bash").arg("--version").output().is_ok() {
        let script = text(&run(&["completions", "bash"], dir.path()).stdout);
        let status = Command::new("bash")
            .args(["-n", "-c", &script])
            .status()
            .unwrap();
        assert!(status.success(), "the bash completion script parses");
    }
}

/// 2,000 levels of `$(` (6 KB) used to overflow the shell parser's stack:
/// exit 134 and no summary; 20,000 still did on standard input after files
/// moved to big-stack threads. The RUN is now opaque, with one `-v` reason.
#[test]
fn deeply_nested_shell_text_is_opaque_not_a_crash() {
    let deep = format!(
        "FROM debian:bookworm\nRUN echo {}x{} && apt-get update && apt-get install -y curl\n",
        "$(".repeat(20_000),
        ")".repeat(20_000)
    );
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", deep.as_bytes());
    let output = run(&["-v", "Dockerfile"], dir.path());
    let stderr = text(&output.stderr);
    assert_ne!(output.status.code(), Some(134), "{stderr}");
    assert!(
        output.status.code().is_some(),
        "killed by a signal: {stderr}"
    );
    assert!(
        stderr.contains("No changes.") || stderr.contains("Would fix"),
        "{stderr}"
    );
    let reasons: Vec<&str> = stderr
        .lines()
        .filter(|line| line.contains("nests more than"))
        .collect();
    assert_eq!(reasons.len(), 1, "{stderr}");
    assert!(
        reasons[0].starts_with("Dockerfile:2: [shell] skipped:"),
        "{stderr}"
    );
    // Standard input is fixed on a thread with the same stack.
    let output = run_stdin(
        &["-v", "--select", "cleanup-same-layer", "-"],
        deep.as_bytes(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout) == deep, "the opaque RUN was changed");
    assert!(text(&output.stderr).contains("nests more than"));
}

#[test]
fn fixes_sharing_a_line_say_which_command_each_is_about() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        b"FROM debian:bookworm\nRUN apt-get install -y a && pip install flask\nRUN echo alone\n",
    );
    let output = run(
        &["--select", "package-cache-flags", "Dockerfile"],
        dir.path(),
    );
    let stderr = text(&output.stderr);
    // Same line: the column and the command named in the message.
    assert!(
        stderr.contains("Dockerfile:2:20: [package-cache-flags] add --no-install-recommends to `apt-get install`"),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("Dockerfile:2:40: [package-cache-flags] add --no-cache-dir to `pip install`"),
        "{stderr}"
    );
}
