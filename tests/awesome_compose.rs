//! The 35 real apps of `../shared/contexts/awesome-compose` (skipped when
//! absent): each is copied to a temporary directory with its source files
//! created empty from `CONTEXT_FILES.txt`, and dockfix runs on it with every
//! transform, unsafe fixes included. Prints which app gets which transform
//! and checks that the output stays sound.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dockfix::cli::fix_text;
use dockfix::config::Settings;
use dockfix::context_files;
use dockfix::dockerignore::DockerIgnore;
use dockfix::engine::{BuildContext, Context};
use dockfix::syntax::Dockerfile;
use dockfix::transforms::multi_stage;

fn apps() -> Option<Vec<PathBuf>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/contexts/awesome-compose");
    if !root.is_dir() {
        // Written to the stream itself, not through `eprintln!`, which the
        // test harness captures: a skipped test must not look like a pass.
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!(
                "SKIPPED (not run): no awesome-compose contexts at {}\n",
                root.display()
            )
            .as_bytes(),
        );
        return None;
    }
    let mut apps: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.join("Dockerfile").is_file())
        .collect();
    apps.sort();
    Some(apps)
}

/// A temporary copy of the app with every context file present.
fn materialise(app: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(app).unwrap().flatten() {
        if entry.path().is_file() {
            std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
        }
    }
    if let Ok(listing) = std::fs::read_to_string(app.join("CONTEXT_FILES.txt")) {
        for relative in listing
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
        {
            let path = dir.path().join(relative);
            if path.exists() {
                continue;
            }
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "").unwrap();
        }
    }
    let _ = std::fs::remove_file(dir.path().join("CONTEXT_FILES.txt"));
    dir
}

#[test]
fn awesome_compose_apps() {
    let Some(apps) = apps() else {
        return;
    };
    let settings = Settings {
        allow_unsafe: true,
        ..Settings::default()
    };
    let mut by_transform: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut multi_stage_status: Vec<(String, String)> = Vec::new();
    for app in &apps {
        let name = app.file_name().unwrap().to_string_lossy().to_string();
        let dir = materialise(app);
        let path = dir.path().join("Dockerfile");
        let original = std::fs::read_to_string(&path).unwrap();
        let outcome = fix_text(&original, Some(&path), Some(dir.path()), &settings)
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        let again = fix_text(&outcome.text, Some(&path), Some(dir.path()), &settings).unwrap();
        let build_context = BuildContext::new(dir.path());
        let context = Context {
            path: Some(&path),
            build_context: Some(&build_context),
            settings: &settings,
            skips: None,
        };
        let status = match multi_stage::why_not(&Dockerfile::parse(&original), &context) {
            None => "split".to_string(),
            Some(reason) => format!("not split: {reason}"),
        };
        multi_stage_status.push((name.clone(), status));
        assert!(
            !again.changed(&outcome.text),
            "{name}: second run changed the output"
        );
        assert!(
            Dockerfile::parse(&outcome.text).error_count()
                <= Dockerfile::parse(&original).error_count(),
            "{name}: new ERROR nodes"
        );
        let touched = outcome
            .applied
            .iter()
            .map(|fix| fix.transform)
            .chain(outcome.context_changes.iter().map(|(id, _)| *id));
        for transform in touched {
            let apps = by_transform.entry(transform).or_default();
            if !apps.contains(&name) {
                apps.push(name.clone());
            }
        }
        // No proposed .dockerignore may exclude what a COPY/ADD names.
        for planned in context_files::plan(outcome.context_changes.clone()) {
            let ignore = DockerIgnore::parse(&planned.text);
            for instruction in Dockerfile::parse(&outcome.text).instructions() {
                let Some(copy) = instruction.as_copy() else {
                    continue;
                };
                if copy.from_stage().is_some() {
                    continue;
                }
                for source in copy.sources() {
                    let source = source.trim_start_matches("./").trim_end_matches('/');
                    if !matches!(source, "" | ".") && !source.starts_with("<<") {
                        assert!(
                            !ignore.excludes(source),
                            "{name}: .dockerignore would exclude `{source}`"
                        );
                    }
                }
            }
        }
    }
    for (name, reason) in &multi_stage_status {
        eprintln!("multi-stage {name}: {reason}");
    }
    for (transform, apps) in &by_transform {
        eprintln!("{transform}: {} apps: {}", apps.len(), apps.join(", "));
    }
    // Apps that run a dependency install after `COPY . .` and must get
    // the reorder (the others are documented skips or already in shape).
    let reordered = by_transform
        .get("copy-manifests-first")
        .cloned()
        .unwrap_or_default();
    assert!(
        reordered.contains(&"vuejs_vuejs".to_string()),
        "{reordered:?}"
    );
}
