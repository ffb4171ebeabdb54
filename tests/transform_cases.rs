//! Runs every case under `transforms/<id>/cases/` through its transform and
//! snapshots what dockfix does to it (under `snapshots/`).
//!
//! A case is either `NAME.Dockerfile` (run with an empty build context) or a
//! folder `NAME/` holding a `Dockerfile` and the build context it needs.
//! Each snapshot shows the fixes and diff with safe fixes only, then with
//! unsafe fixes too. Every case must also be idempotent and must not make
//! the file parse worse.

use std::path::{Path, PathBuf};

use dockfix::config::Settings;
use dockfix::engine::{self, BuildContext, Context, Outcome, Policy};
use dockfix::output::unified_diff;
use dockfix::syntax::Dockerfile;
use dockfix::transforms;

struct Case {
    transform: String,
    name: String,
    dockerfile: PathBuf,
    context: Option<PathBuf>,
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
            if path.is_dir() && path.join("Dockerfile").is_file() {
                cases.push(Case {
                    transform: transform.id().to_string(),
                    name: file_name,
                    dockerfile: path.join("Dockerfile"),
                    context: Some(path.clone()),
                });
            } else if let Some(name) = file_name.strip_suffix(".Dockerfile") {
                cases.push(Case {
                    transform: transform.id().to_string(),
                    name: name.to_string(),
                    dockerfile: path.clone(),
                    context: None,
                });
            }
        }
    }
    cases
}

fn run_case(case: &Case, text: &str, allow_unsafe: bool) -> Outcome {
    let transform = transforms::by_id(&case.transform).unwrap();
    let empty = tempfile::tempdir().unwrap();
    let build_context = BuildContext::new(
        case.context
            .clone()
            .unwrap_or_else(|| empty.path().to_path_buf()),
    );
    let settings = Settings::default();
    let context = Context {
        path: Some(&case.dockerfile),
        build_context: Some(&build_context),
        settings: &settings,
    };
    let policy = Policy {
        allow_unsafe,
        ..Policy::default()
    };
    engine::run(text, &[transform], &context, &policy)
        .unwrap_or_else(|error| panic!("{}/{}: {error}", case.transform, case.name))
}

fn describe(outcome: &Outcome, original: &str) -> String {
    let mut out = String::new();
    for fix in &outcome.applied {
        out.push_str(&format!(
            "{}: [{}] {}\n",
            fix.line,
            fix.safety.as_str(),
            fix.message
        ));
    }
    for fix in &outcome.unsafe_available {
        out.push_str(&format!("{}: [needs --unsafe] {}\n", fix.line, fix.message));
    }
    assert!(
        outcome.rejected.is_empty(),
        "rejected fixes: {:?}",
        outcome.rejected
    );
    if outcome.changed(original) {
        out.push_str(&unified_diff("Dockerfile", original, &outcome.text, false));
    } else {
        out.push_str("(no change)\n");
    }
    out
}

#[test]
fn transform_cases() {
    let cases = cases();
    for case in &cases {
        let original = std::fs::read_to_string(&case.dockerfile).unwrap();
        let safe = run_case(case, &original, false);
        let unsafe_ = run_case(case, &original, true);
        for (allow_unsafe, outcome) in [(false, &safe), (true, &unsafe_)] {
            let again = run_case(case, &outcome.text, allow_unsafe);
            assert!(
                !again.changed(&outcome.text),
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
        }
        let mut snapshot = format!("--- safe fixes\n{}", describe(&safe, &original));
        snapshot.push_str("--- with --unsafe\n");
        if unsafe_.text == safe.text {
            snapshot.push_str("(same as safe)\n");
        } else {
            snapshot.push_str(&describe(&unsafe_, &original));
        }
        insta::with_settings!({
            snapshot_path => Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots"),
            prepend_module_to_snapshot => false,
            input_file => &case.dockerfile,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(format!("{}__{}", case.transform, case.name), snapshot);
        });
    }
}
