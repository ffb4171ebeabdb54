//! The fix without a build context: a Dockerfile read alone, or from
//! standard input without a path, where dockfix cannot see which manifests
//! exist. The manifests are copied by glob patterns that tolerate missing
//! files (BuildKit and the classic builder accept a pattern that matches
//! nothing when another source matches), and the fix is unsafe: the install
//! may read files the patterns leave out.

use super::*;

/// The sources to copy before an install of this ecosystem; `None` when
/// the install cannot be served without seeing the context.
fn manifest_patterns(ecosystem: &Ecosystem) -> Option<Vec<String>> {
    let fixed = |patterns: &[&str]| Some(patterns.iter().map(|p| p.to_string()).collect());
    match ecosystem {
        Ecosystem::Npm => fixed(&["package*.json", ".npmrc*"]),
        Ecosystem::Yarn => fixed(&["package.json", "yarn.lock*", ".yarnrc*"]),
        Ecosystem::Go => fixed(&["go.mod", "go.sum*"]),
        // The requirement files the command names, in the copied folder.
        Ecosystem::Pip(files) if !files.is_empty() => files
            .iter()
            .all(|file| !file.contains('/') && !file.contains('$') && !file.contains('*'))
            .then(|| files.clone()),
        _ => None,
    }
}

/// The unsafe fix for the `COPY . DEST` at `copy_index`, when an install
/// follows with nothing between but harmless RUNs and metadata. `Err`
/// holds why not, when there is an install to say it about.
pub(super) fn plan_without_context(
    file: &Dockerfile,
    stage: &Stage,
    copy_index: usize,
    copy: &WholeContextCopy,
    text: &str,
) -> Result<Fix, Option<String>> {
    let copy_dir = workdir_before(stage, copy_index).join(&copy.dest);
    let mut install = None;
    for (offset, instruction) in stage.body[copy_index + 1..].iter().enumerate() {
        match instruction.kind() {
            InstructionKind::Run => match classify_run(file, instruction, &copy_dir) {
                RunRole::Step(step) if step.kind == StepKind::Install => {
                    install = Some((copy_index + 1 + offset, step));
                    break;
                }
                RunRole::Harmless => {}
                // An install that needs the sources (`pip install .`) says why.
                RunRole::Unknown(Some(reason)) => return Err(Some(reason)),
                _ => {
                    return Err(Some(
                        "no build context to read, and a RUN between the copy and any install builds or may read the sources: left in place".into(),
                    ));
                }
            },
            InstructionKind::Env
            | InstructionKind::Arg
            | InstructionKind::Label
            | InstructionKind::Expose => {}
            _ => return Err(None),
        }
    }
    let Some((run_index, step)) = install else {
        return Err(None);
    };
    // `pip install .`, `--find-links ./wheels`: the sources themselves.
    if step.words.iter().any(|word| is_path_like(word)) {
        return Err(Some(
            "the install reads local paths (such as `pip install .`), which only the sources hold: left in place".into(),
        ));
    }
    let Some(patterns) = manifest_patterns(&step.ecosystem) else {
        return Err(Some(
            "no build context to read, and which files this install reads is not known without one (patterns are used for npm, Yarn, `go mod download` and `pip install -r` of files in the copied folder): left in place".into(),
        ));
    };
    let copy_instruction = copy.instruction;
    let newline = copy_instruction.newline_style();
    let indent = copy_instruction.indentation();
    let keyword = if copy_instruction
        .keyword()
        .chars()
        .all(|c| c.is_ascii_lowercase())
    {
        "copy"
    } else {
        "COPY"
    };
    let mut manifest_copy = format!("{indent}{keyword}");
    for flag in &copy.kept_flags {
        manifest_copy.push(' ');
        manifest_copy.push_str(flag);
    }
    let base = format!("{}/", copy.dest.trim_end_matches('/'));
    manifest_copy.push_str(&format!(" {} {base}{newline}", patterns.join(" ")));

    Ok(Fix::unsafe_(
        format!(
            "copy {} before the install and the full context after it, so source changes keep the install layer cached (unsafe: without a build context dockfix cannot see which files the install reads; the patterns copy the usual manifests, and those that exist)",
            patterns.join(", ")
        ),
        install_reorder_edits(stage, copy_index, run_index, copy, manifest_copy, text),
    ))
}
