//! Runs every case under `transforms/<id>/cases/` through its transform and
//! snapshots what dockfix does to it (under `snapshots/`).
//!
//! A case is either `NAME.Dockerfile` (run with an empty build context),
//! `NAME.stdin.Dockerfile` (run as standard input is: no path, no build
//! context at all), or a
//! folder `NAME/` holding a `Dockerfile` and the build context it needs. A
//! folder case may list extra context paths in `CONTEXT_FILES.txt`; they are
//! created empty in a temporary copy (paths such as `.git/HEAD` cannot live
//! in this repository). Each snapshot shows the fixes and diffs (the
//! Dockerfile's and any context file's) with safe fixes only, then with
//! unsafe fixes too. Every case must also be idempotent (context files
//! included) and must not make the file parse worse.

use std::path::{Path, PathBuf};

use dockfix::config::Settings;
use dockfix::context_files::{self, PlannedFile};
use dockfix::engine::{self, BuildContext, Context, Outcome, Policy};
use dockfix::output::{creation_diff, unified_diff};
use dockfix::syntax::Dockerfile;
use dockfix::transforms;

struct Case {
    transform: String,
    name: String,
    /// The case file, or the case folder.
    source: PathBuf,
}

fn cases() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("transforms");
    let mut cases = Vec::new();
    for transform in transforms::all() {
        let directory = root.join(transform.id()).join("cases");
        let Ok(entries) = std::fs::read_dir(&directory) else {
            continue;
        };
        let mut entries: Vec<PathBuf> = entries.flatten().map(|entry| entry.path()).collect();
        entries.sort();
        for path in entries {
            let file_name = path.file_name().unwrap().to_string_lossy().to_string();
            let name = if path.is_dir() && path.join("Dockerfile").is_file() {
                file_name
            } else if let Some(name) = file_name.strip_suffix(".Dockerfile") {
                name.to_string()
            } else {
                continue;
            };
            cases.push(Case {
                transform: transform.id().to_string(),
                name,
                source: path,
            });
        }
    }
    cases
}

/// A temporary build context for the case, and the Dockerfile in it.
fn materialise(case: &Case) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    if case.source.is_dir() {
        copy_dir(&case.source, dir.path());
        let listing = dir.path().join("CONTEXT_FILES.txt");
        if let Ok(text) = std::fs::read_to_string(&listing) {
            for relative in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
                let path = dir.path().join(relative);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                if !path.exists() {
                    std::fs::write(&path, "").unwrap();
                }
            }
            std::fs::remove_file(listing).unwrap();
        }
        let dockerfile = dir.path().join("Dockerfile");
        (dir, dockerfile)
    } else {
        let dockerfile = dir.path().join("Dockerfile");
        std::fs::copy(&case.source, &dockerfile).unwrap();
        (dir, dockerfile)
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn run_case(
    case: &Case,
    dir: &Path,
    dockerfile: &Path,
    text: &str,
    allow_unsafe: bool,
) -> (Outcome, Vec<PlannedFile>) {
    let transform = transforms::by_id(&case.transform).unwrap();
    let build_context = BuildContext::new(dir);
    let settings = Settings::default();
    // `dockfix -` with no `--stdin-filename`: no path, no context.
    let from_stdin = case.name.ends_with(".stdin");
    let context = Context {
        path: (!from_stdin).then_some(dockerfile),
        build_context: (!from_stdin).then_some(&build_context),
        settings: &settings,
        skips: None,
    };
    let policy = Policy {
        allow_unsafe,
        ..Policy::default()
    };
    let outcome = engine::run(text, &[transform], &context, &policy)
        .unwrap_or_else(|error| panic!("{}/{}: {error}", case.transform, case.name));
    let planned = context_files::plan(outcome.context_changes.clone());
    (outcome, planned)
}

fn describe(outcome: &Outcome, planned: &[PlannedFile], original: &str, dir: &Path) -> String {
    let mut out = String::new();
    for fix in &outcome.applied {
        out.push_str(&format!(
            "{}: [{}] {}\n",
            fix.line,
            fix.safety.as_str(),
            fix.message
        ));
    }
    for file in planned {
        for (_, message) in &file.messages {
            out.push_str(&format!("context: {message}\n"));
        }
    }
    for fix in &outcome.unsafe_available {
        out.push_str(&format!("{}: [needs --unsafe] {}\n", fix.line, fix.message));
    }
    for skip in &outcome.skipped {
        out.push_str(&format!("{}: [skipped] {}\n", skip.line, skip.reason));
    }
    assert!(
        outcome.rejected.is_empty(),
        "rejected fixes: {:?}",
        outcome.rejected
    );
    if outcome.changed(original) {
        out.push_str(&unified_diff("Dockerfile", original, &outcome.text, false));
    }
    for file in planned {
        let name = file.path.strip_prefix(dir).unwrap().display().to_string();
        out.push_str(&match &file.original {
            Some(original) => unified_diff(&name, original, &file.text, false),
            None => creation_diff(&name, &file.text, false),
        });
    }
    if !outcome.changed(original) && planned.is_empty() {
        out.push_str("(no change)\n");
    }
    out
}

/// Runs the case, checks idempotence (writing context files first), and
/// returns its description and the resulting Dockerfile.
fn run_and_check(case: &Case, allow_unsafe: bool) -> (String, String) {
    let (dir, dockerfile) = materialise(case);
    let original = std::fs::read_to_string(&dockerfile).unwrap();
    let (outcome, planned) = run_case(case, dir.path(), &dockerfile, &original, allow_unsafe);
    let description = describe(&outcome, &planned, &original, dir.path());
    for file in &planned {
        std::fs::write(&file.path, &file.text).unwrap();
    }
    let (again, planned_again) =
        run_case(case, dir.path(), &dockerfile, &outcome.text, allow_unsafe);
    assert!(
        !again.changed(&outcome.text) && planned_again.is_empty(),
        "{}/{}: a second run changed the output",
        case.transform,
        case.name
    );
    assert!(
        Dockerfile::parse(&outcome.text).error_count()
            <= Dockerfile::parse(&original).error_count(),
        "{}/{}: the output has new ERROR nodes",
        case.transform,
        case.name
    );
    (description, outcome.text)
}

#[test]
fn transform_cases() {
    for case in &cases() {
        let (safe, safe_text) = run_and_check(case, false);
        let (unsafe_, unsafe_text) = run_and_check(case, true);
        let mut snapshot = format!("--- safe fixes\n{safe}--- with --unsafe\n");
        if unsafe_ == safe && unsafe_text == safe_text {
            snapshot.push_str("(same as safe)\n");
        } else {
            snapshot.push_str(&unsafe_);
        }
        let input = if case.source.is_dir() {
            case.source.join("Dockerfile")
        } else {
            case.source.clone()
        };
        insta::with_settings!({
            snapshot_path => Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots"),
            prepend_module_to_snapshot => false,
            input_file => &input,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(format!("{}__{}", case.transform, case.name), snapshot);
        });
    }
}
