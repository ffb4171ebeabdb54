//! A redundant early `COPY . <dir>` / `ADD . <dir>` before a manifest-first
//! sequence that copies the whole context again (issue 12, item 14):
//!
//! ```dockerfile
//! ADD . /app
//! WORKDIR /app
//! COPY go.mod go.sum ./
//! RUN go mod download
//! COPY . .
//! ```
//!
//! The early copy stores the whole context in a layer of its own, which
//! the later `COPY . .` writes again, and it makes every source edit
//! re-run the install the manifest copy was meant to keep cached. It is
//! removed when nothing between the two copies can use what only it
//! brings: every install between reads only files that the explicit
//! copies between bring too (dockfix's own manifest analysis, the one
//! that decides what to copy before an install), and every other step
//! is known not to read the sources.

use super::{
    RunRole, StepKind, WholeContextCopy, classify_run, ecosystem_name, environment_values,
    manifests, named_paths, sets_metadata_only,
};
use crate::engine::{Edit, Fix};
use crate::syntax::{Dockerfile, InstructionKind, Stage};
use crate::transforms::workdir::{Dir, workdir_before};

use super::needs::Project;

/// The fix removing the copy at `stage.body[copy_index]`; `Ok(None)` when
/// it is not followed by a manifest-first sequence and another copy of the
/// whole context into the same directory, `Err` with the reason when it is
/// but cannot be removed.
pub(super) fn redundant_early_copy(
    file: &Dockerfile,
    stage: &Stage,
    copy_index: usize,
    copy: &WholeContextCopy,
    project: &Project,
) -> Result<Option<Fix>, String> {
    let copy_dir = workdir_before(stage, copy_index).join(&copy.dest);
    if copy_dir == Dir::Unknown {
        return Ok(None);
    }
    // The later whole-context copy into the same directory, with the same
    // flags (ownership and modes end up as that copy sets them).
    let Some(again) =
        stage.body[copy_index + 1..]
            .iter()
            .enumerate()
            .find_map(|(offset, instruction)| {
                let position = copy_index + 1 + offset;
                let later = WholeContextCopy::of(instruction)?;
                workdir_before(stage, position)
                    .join(&later.dest)
                    .same_as(&copy_dir)
                    .then_some((position, later))
            })
    else {
        return Ok(None);
    };
    let (again_index, again) = again;
    let mut installs = Vec::new();
    let mut explicit_copies = Vec::new();
    for (offset, instruction) in stage.body[copy_index + 1..again_index].iter().enumerate() {
        let position = copy_index + 1 + offset;
        let line = || instruction.logical().text().trim().to_string();
        match instruction.kind() {
            InstructionKind::Run => match classify_run(file, instruction, &copy_dir) {
                RunRole::Harmless => {}
                RunRole::Step(step) if step.kind == StepKind::Install => {
                    installs.push((position, step))
                }
                RunRole::Step(_) | RunRole::Unknown(_) => {
                    return Err(format!(
                        "the early `{}` is not removed: `{}` runs before the later copy and may use the sources it brings",
                        copy.instruction.logical().text().trim(),
                        line()
                    ));
                }
            },
            InstructionKind::Copy | InstructionKind::Add => {
                if let Some(explicit) = instruction.as_copy()
                    && explicit.from_stage().is_none()
                {
                    let dest = workdir_before(stage, position)
                        .join(&explicit.destination().unwrap_or_default());
                    explicit_copies.push((position, explicit.sources(), dest));
                }
            }
            InstructionKind::Workdir => {}
            kind if sets_metadata_only(kind) => {}
            _ => {
                return Err(format!(
                    "the early `{}` is not removed: `{}` comes before the later copy",
                    copy.instruction.logical().text().trim(),
                    line()
                ));
            }
        }
    }
    if installs.is_empty() {
        return Ok(None);
    }
    let early = copy.instruction.logical().text().trim().to_string();
    if copy.kept_flags != again.kept_flags {
        return Err(format!(
            "the early `{early}` is not removed: its flags differ from the later copy's, which would set other owners or modes"
        ));
    }
    for (position, step) in &installs {
        let ecosystem = ecosystem_name(&step.ecosystem);
        let mut needs = manifests(&step.ecosystem, step, project)
            .map_err(|reason| format!("the early `{early}` is not removed: {reason}"))?;
        let environment = environment_values(stage, *position, file.escape());
        for path in named_paths(step, &environment, &copy_dir, project)
            .map_err(|reason| format!("the early `{early}` is not removed: {reason}"))?
        {
            needs.add(path);
        }
        if !needs.unsafe_reasons.is_empty() {
            return Err(format!(
                "the early `{early}` is not removed: the {ecosystem} install may read more than its manifests ({})",
                needs.unsafe_reasons.join("; ")
            ));
        }
        // Each file the install reads must come with an explicit copy
        // before it, into the directory the context goes to.
        let missing: Vec<&String> = needs
            .paths
            .iter()
            .filter(|path| {
                !explicit_copies.iter().any(|(at, sources, dest)| {
                    at < position && copies_into(sources, dest, path, &copy_dir)
                })
            })
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "the early `{early}` is not removed: the {ecosystem} install reads {}, which only it brings",
                missing
                    .iter()
                    .map(|path| format!("`{path}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    Ok(Some(Fix::safe(
        format!(
            "remove the early `{early}`: the later `{}` copies the whole context again after the manifests and the install, which read only what is copied explicitly; the early copy only stored the context twice and made every source edit re-run the install",
            again.instruction.logical().text().trim()
        ),
        vec![Edit::delete(copy.instruction.range())],
    )))
}

/// True when a `COPY sources... dest` puts context file `path` (relative to
/// the context) where the whole context copy would put it, under
/// `copy_dir`: a file of the context's top directory copied by name or by
/// a glob into `copy_dir` itself, or a file copied to its own relative
/// place (`COPY sub/package.json sub/`).
fn copies_into(sources: &[String], dest: &Dir, path: &str, copy_dir: &Dir) -> bool {
    let (parent, name) = match path.rsplit_once('/') {
        Some((parent, name)) => (parent, name),
        None => ("", path),
    };
    let target = if parent.is_empty() {
        copy_dir.clone()
    } else {
        copy_dir.join(parent)
    };
    if !dest.same_as(&target) {
        return false;
    }
    sources.iter().any(|source| {
        let source = source.trim_start_matches("./").trim_end_matches('/');
        let (source_parent, source_name) = match source.rsplit_once('/') {
            Some((p, n)) => (p, n),
            None => ("", source),
        };
        source_parent == parent
            && globset::Glob::new(source_name)
                .is_ok_and(|glob| glob.compile_matcher().is_match(name))
    })
}
