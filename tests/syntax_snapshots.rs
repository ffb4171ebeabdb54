//! The tree and diagnostics of each fixture in `tests/fixtures/syntax/`,
//! snapshotted under `snapshots/`.

use std::path::Path;

use dockfix::syntax::{Dockerfile, LineIndex};

#[test]
fn syntax_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut fixtures: Vec<_> = std::fs::read_dir(root.join("tests/fixtures/syntax"))
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 10);
    for path in fixtures {
        let text = std::fs::read_to_string(&path).unwrap();
        let file = Dockerfile::parse(&text);
        assert_eq!(file.printed(), text);
        let lines = LineIndex::new(&text);
        let mut snapshot = format!("{:#?}", file.syntax());
        for diagnostic in file.diagnostics() {
            snapshot.push_str(&format!(
                "diagnostic line {}: {}\n",
                lines.line(usize::from(diagnostic.range.start())),
                diagnostic.message
            ));
        }
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        insta::with_settings!({
            snapshot_path => root.join("snapshots"),
            prepend_module_to_snapshot => false,
            input_file => &path,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(format!("syntax__{name}"), snapshot);
        });
    }
}
