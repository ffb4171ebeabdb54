//! Properties every rewrite must keep on real Dockerfiles (`../shared/corpus`,
//! skipped when absent): with every transform on, unsafe fixes included,
//! the output parses no worse, a second run changes nothing, the final
//! stage's runtime configuration is untouched, and every rewritten shell
//! body still passes `sh -n`.

use std::path::{Path, PathBuf};
use std::process::Command;

use dockfix::cli::fix_text;
use dockfix::config::Settings;
use dockfix::syntax::{Dockerfile, InstructionKind, dump};

fn corpus_files() -> Option<Vec<PathBuf>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !root.is_dir() {
        // Written to the stream itself, not through `eprintln!`, which the
        // test harness captures: a skipped test must not look like a pass.
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!("SKIPPED (not run): no corpus at {}\n", root.display()).as_bytes(),
        );
        return None;
    }
    let mut files = Vec::new();
    let mut pending = vec![root];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "Dockerfile") {
                files.push(path);
            }
        }
    }
    files.sort();
    Some(files)
}

fn all_unsafe() -> Settings {
    Settings {
        allow_unsafe: true,
        ..Settings::default()
    }
}

/// The BuildKit dump of the final stage's runtime configuration.
fn final_stage_config(file: &Dockerfile) -> Vec<String> {
    let Some(stage) = file.stages().pop() else {
        return Vec::new();
    };
    stage
        .body
        .iter()
        .filter(|instruction| {
            matches!(
                instruction.kind(),
                InstructionKind::Env
                    | InstructionKind::Arg
                    | InstructionKind::Workdir
                    | InstructionKind::User
                    | InstructionKind::Expose
                    | InstructionKind::Cmd
                    | InstructionKind::Entrypoint
                    | InstructionKind::Label
            )
        })
        .map(|instruction| {
            instruction
                .logical()
                .text()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// Shell-form RUN bodies of the output that are not in the input.
fn new_shell_bodies(before: &Dockerfile, after: &Dockerfile) -> Vec<String> {
    let bodies = |file: &Dockerfile| -> Vec<String> {
        file.instructions()
            .filter_map(|instruction| instruction.as_run())
            .filter(|run| !run.is_exec_form() && run.0.heredocs().is_empty())
            .map(|run| run.0.args().to_string())
            .collect()
    };
    let old = bodies(before);
    bodies(after)
        .into_iter()
        .filter(|body| !old.contains(body))
        .collect()
}

fn sh_syntax_ok(body: &str) -> Result<(), String> {
    let output = Command::new("sh")
        .arg("-n")
        .arg("-c")
        .arg(body)
        .output()
        .map_err(|e| e.to_string())?;
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

#[test]
fn rewrites_keep_the_corpus_sound() {
    let Some(files) = corpus_files() else {
        return;
    };
    let settings = all_unsafe();
    let mut changed = 0;
    let mut failures = Vec::new();
    for path in &files {
        let Ok(original) = std::fs::read_to_string(path) else {
            continue;
        };
        if original.trim().is_empty() {
            continue;
        }
        let name = path.display().to_string();
        let outcome = match fix_text(&original, Some(path), None, &settings) {
            Ok(outcome) => outcome,
            Err(error) => {
                failures.push(format!("{name}: {error}"));
                continue;
            }
        };
        let before = Dockerfile::parse(&original);
        let after = Dockerfile::parse(&outcome.text);
        assert_eq!(
            after.printed(),
            outcome.text,
            "{name}: output does not round-trip"
        );
        if !outcome.changed(&original) {
            continue;
        }
        changed += 1;
        if after.error_count() > before.error_count() {
            failures.push(format!("{name}: new ERROR nodes"));
        }
        if dump::dump(&before).is_ok() && dump::dump(&after).is_err() {
            failures.push(format!(
                "{name}: BuildKit would refuse the output: {:?}",
                dump::dump(&after)
            ));
        }
        match fix_text(&outcome.text, Some(path), None, &settings) {
            Ok(again) if again.changed(&outcome.text) => {
                failures.push(format!("{name}: a second run changed the output"));
            }
            Err(error) => failures.push(format!("{name}: second run: {error}")),
            Ok(_) => {}
        }
        // multi-stage exists to replace the final stage (documented there);
        // every other transform must leave its runtime configuration alone.
        let split = outcome
            .applied
            .iter()
            .any(|fix| fix.transform == "multi-stage");
        if !split && final_stage_config(&before) != final_stage_config(&after) {
            failures.push(format!("{name}: final stage configuration changed"));
        }
        for body in new_shell_bodies(&before, &after) {
            if let Err(error) = sh_syntax_ok(&body) {
                failures.push(format!("{name}: sh -n fails on `{body}`: {error}"));
            }
        }
    }
    eprintln!("{changed} of {} corpus files rewritten", files.len());
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
