#![doc = include_str!("../../transforms/static-binaries/README.md")]

use crate::engine::{Context, Edit, Fix, Safety, Transform};
use crate::shell::{Script, SimpleCommand};
use crate::syntax::{Dockerfile, InstructionKind, Stage};
use crate::transforms::run_body;

pub struct StaticBinaries;

const ID: &str = "static-binaries";

/// Go flags that leave out the symbol table and DWARF (`-s -w`) and the
/// build machine's file paths (`-trimpath`).
const GO_FLAGS: &str = "-trimpath -ldflags=\"-s -w\"";

/// Cargo's release profile, stripped of symbols, set for one command.
const CARGO_STRIP: &str = "CARGO_PROFILE_RELEASE_STRIP=symbols";

impl Transform for StaticBinaries {
    fn id(&self) -> &'static str {
        ID
    }

    fn summary(&self) -> &'static str {
        "Go and Rust builds in build stages leave symbols and debug data out of the binaries they ship"
    }

    fn safety(&self) -> Safety {
        Safety::Unsafe
    }

    fn docs(&self) -> &'static str {
        include_str!("../../transforms/static-binaries/README.md")
    }

    fn edits_shell(&self) -> bool {
        true
    }

    fn fixes(&self, file: &Dockerfile, context: &Context) -> Vec<Fix> {
        let stages = file.stages();
        let mut fixes = Vec::new();
        for stage in stages.iter().filter(|stage| copied_from(&stages, stage)) {
            let cargo_strip_set = stage_mentions(stage, "CARGO_PROFILE_RELEASE_STRIP")
                || context
                    .build_context
                    .and_then(|build| build.read("Cargo.toml"))
                    .and_then(|manifest| toml::from_str::<toml::Table>(&manifest).ok())
                    .is_some_and(|manifest| {
                        manifest
                            .get("profile")
                            .and_then(|profile| profile.get("release"))
                            .is_some_and(|release| release.get("strip").is_some())
                    });
            for run in stage
                .body
                .iter()
                .filter(|i| i.kind() == InstructionKind::Run && !i.is_error())
            {
                for script in Script::all_of_run(file, run) {
                    for (command, _) in script.simple_commands() {
                        if let Some(fix) = go_build(command, context)
                            .or_else(|| cargo_build(command, cargo_strip_set, context))
                        {
                            fixes.push(fix);
                        }
                    }
                }
            }
        }
        fixes
    }
}

/// True when a later stage copies from this one (`COPY --from=NAME` or
/// `--from=INDEX`): a build stage whose binaries ship elsewhere.
fn copied_from(stages: &[Stage], stage: &Stage) -> bool {
    let names: Vec<String> = stage
        .name()
        .into_iter()
        .chain(std::iter::once(stage.index.to_string()))
        .collect();
    stages[stage.index + 1..].iter().any(|later| {
        later.body.iter().any(|instruction| {
            instruction
                .as_copy()
                .and_then(|copy| copy.from_stage())
                .is_some_and(|from| names.contains(&from.to_ascii_lowercase()))
        })
    })
}

fn stage_mentions(stage: &Stage, text: &str) -> bool {
    stage
        .body
        .iter()
        .any(|instruction| instruction.args().contains(text))
}

/// `go build ...` without `-ldflags` gets `-trimpath -ldflags="-s -w"`.
fn go_build(command: &SimpleCommand, context: &Context) -> Option<Fix> {
    let words = command.literal_words()?;
    if words.first().map(String::as_str) != Some("go")
        || words.get(1).map(String::as_str) != Some("build")
    {
        return None;
    }
    let at = command.range.start;
    if words.iter().any(|w| w == "-trimpath") && words.iter().any(|w| w == "-ldflags=-s -w") {
        // What this transform writes (or the same by hand): done.
        return None;
    }
    if words.iter().any(|w| {
        w == "-ldflags"
            || w.starts_with("-ldflags=")
            || w == "--ldflags"
            || w.starts_with("--ldflags=")
    }) {
        context.skip(
            ID,
            at,
            "`go build` has its own -ldflags: dockfix does not edit them",
        );
        return None;
    }
    if words
        .iter()
        .any(|w| w == "-trimpath" || w == "-gcflags" || w.starts_with("-gcflags="))
    {
        context.skip(
            ID,
            at,
            "`go build` already chooses -trimpath or -gcflags: left as written",
        );
        return None;
    }
    Some(Fix::unsafe_(
        format!(
            "build Go binaries with {GO_FLAGS}: no symbol table, DWARF data or build paths in what the stage ships (unsafe: debuggers and profilers lose the symbols, and file paths in panics and runtime.Caller become module paths)"
        ),
        vec![run_body::insert_after_word(&command.words[1], GO_FLAGS)],
    ))
}

/// `cargo build --release` gets `CARGO_PROFILE_RELEASE_STRIP=symbols`.
fn cargo_build(command: &SimpleCommand, strip_set: bool, context: &Context) -> Option<Fix> {
    let words = command.literal_words()?;
    // `cargo install` builds the release profile unless told `--debug`.
    let release = match words.get(1).map(String::as_str) {
        Some("build") => words.iter().any(|w| w == "--release" || w == "-r"),
        Some("install") => !words.iter().any(|w| w == "--debug"),
        _ => false,
    };
    if words.first().map(String::as_str) != Some("cargo") || !release {
        return None;
    }
    if command
        .assignments
        .iter()
        .any(|assignment| &*assignment.raw == CARGO_STRIP)
    {
        // What this transform writes: done.
        return None;
    }
    if strip_set
        || command
            .assignments
            .iter()
            .any(|assignment| assignment.raw.starts_with("CARGO_PROFILE_RELEASE"))
    {
        context.skip(
            ID,
            command.range.start,
            "the release profile's strip setting is chosen already (Cargo.toml or CARGO_PROFILE_RELEASE_STRIP)",
        );
        return None;
    }
    Some(Fix::unsafe_(
        format!(
            "strip symbols from the release binaries ({CARGO_STRIP}) (unsafe: panic backtraces lose function names)"
        ),
        vec![Edit::insert(
            command.words[0].range.start,
            format!("{CARGO_STRIP} "),
        )],
    ))
}
