//! `--output-format json|sarif|github`: what other programs read. The SARIF
//! log is validated against the SARIF 2.1.0 schema in `../shared/schemas`
//! (skipped, and said so, when absent).

use std::path::Path;
use std::process::Command;

const DOCKERFILE: &str = "FROM debian:bookworm\nRUN apt-get update\nRUN apt-get install -y curl\nRUN pip install flask\n";

fn run(format: &str, extra: &[&str]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), DOCKERFILE).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_dockfix"))
        .args(["--output-format", format])
        .args(extra)
        .arg("Dockerfile")
        .current_dir(dir.path())
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

#[test]
fn json_lists_every_fix_with_applicable_edits() {
    let (status, stdout) = run("json", &["--check"]);
    assert_eq!(status, Some(1), "--check keeps its exit code");
    let fixes: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let fixes = fixes.as_array().unwrap();
    assert!(!fixes.is_empty());
    for fix in fixes {
        for key in [
            "path",
            "transform",
            "safety",
            "applied",
            "message",
            "pass",
            "line",
            "column",
            "start_byte",
            "end_byte",
            "edits",
        ] {
            assert!(fix.get(key).is_some(), "{key} missing from {fix}");
        }
    }
    // Applying the applied fixes' edits pass by pass gives dockfix's output.
    let mut text = DOCKERFILE.to_string();
    let passes = fixes
        .iter()
        .filter_map(|fix| fix["pass"].as_u64())
        .max()
        .unwrap();
    for pass in 1..=passes {
        let mut edits: Vec<(usize, usize, String)> = fixes
            .iter()
            .filter(|fix| fix["applied"] == true && fix["pass"] == pass)
            .flat_map(|fix| fix["edits"].as_array().unwrap().clone())
            .map(|edit| {
                (
                    edit["start_byte"].as_u64().unwrap() as usize,
                    edit["end_byte"].as_u64().unwrap() as usize,
                    edit["replacement"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        edits.sort();
        for (start, end, replacement) in edits.into_iter().rev() {
            text.replace_range(start..end, &replacement);
        }
    }
    let expected = Command::new(env!("CARGO_BIN_EXE_dockfix"))
        .arg("-")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(DOCKERFILE.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(text, String::from_utf8(expected.stdout).unwrap());
}

#[test]
fn github_prints_workflow_commands() {
    let (status, stdout) = run("github", &[]);
    assert_eq!(status, Some(1));
    assert!(!stdout.is_empty());
    for line in stdout.lines() {
        assert!(
            line.starts_with("::warning file=Dockerfile,line=")
                || line.starts_with("::notice file=Dockerfile,line="),
            "{line}"
        );
        assert!(line.contains(",title=dockfix "), "{line}");
    }
}

#[test]
fn diff_and_a_machine_format_do_not_mix() {
    let (status, _) = run("json", &["--diff"]);
    assert_eq!(status, Some(2));
}

#[test]
fn sarif_validates_against_the_schema() {
    let (status, stdout) = run("sarif", &["--unsafe"]);
    assert_eq!(status, Some(1));
    let log: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert!(results.iter().any(|result| result.get("fixes").is_some()));
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas/sarif-schema-2.1.0.json");
    let Ok(schema) = std::fs::read_to_string(&schema_path) else {
        // Written to the stream, not through `eprintln!` (captured): a
        // skipped validation must not look like a pass.
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!(
                "SKIPPED (not run): no SARIF schema at {}\n",
                schema_path.display()
            )
            .as_bytes(),
        );
        return;
    };
    let schema: serde_json::Value = serde_json::from_str(&schema).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}
