//! The tree on real Dockerfiles (`../shared/corpus`, skipped when absent):
//! every file prints back byte for byte, and BuildKit's own parser test
//! files dump exactly to the `result` BuildKit expects (its `negative-*`
//! files are refused).

use std::path::{Path, PathBuf};

use dockfix::syntax::{Dockerfile, dump};

fn corpus() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if root.is_dir() {
        Some(root)
    } else {
        // Written to the stream itself, not through `eprintln!`, which the
        // test harness captures: a skipped test must not look like a pass.
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!("SKIPPED (not run): no corpus at {}\n", root.display()).as_bytes(),
        );
        None
    }
}

fn dockerfiles(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(dockerfiles(&path));
        } else if path.extension().is_some_and(|ext| ext == "Dockerfile") {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn every_corpus_file_round_trips() {
    let Some(root) = corpus() else { return };
    let files = dockerfiles(&root);
    assert!(files.len() > 400);
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        assert_eq!(
            Dockerfile::parse(&text).printed(),
            text,
            "{}",
            path.display()
        );
    }
}

#[test]
fn buildkit_parser_testfiles_dump_to_their_result() {
    let Some(root) = corpus() else { return };
    let dir = root.join("buildkit-parser-testfiles");
    let (mut matched, mut refused) = (0, 0);
    for path in dockerfiles(&dir) {
        let text = std::fs::read_to_string(&path).unwrap();
        let file = Dockerfile::parse(&text);
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if name.starts_with("negative-") {
            assert!(
                dump::dump(&file).is_err(),
                "{name}: BuildKit refuses it, we accepted it"
            );
            refused += 1;
            continue;
        }
        let expected = std::fs::read_to_string(path.with_extension("result")).unwrap();
        assert_eq!(dump::dump(&file).unwrap(), expected, "{name}");
        assert!(
            file.diagnostics().iter().all(|d| !d.parser_error),
            "{name}: unexpected diagnostics {:?}",
            file.diagnostics()
        );
        matched += 1;
    }
    eprintln!("{matched} result files matched, {refused} negative files refused");
    assert!(matched >= 30 && refused >= 4);
}
