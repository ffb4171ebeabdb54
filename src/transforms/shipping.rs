//! Which files of a stage reach the final image (issue 12, item 13).
//!
//! A stage ships whole when it is the final stage or the final stage is
//! built `FROM` it (directly or not). A stage that other stages only copy
//! from (`COPY --from=build /app/dist ...`) ships only the paths copied out
//! of it, or out of a stage built from it. A stage nothing uses (no `COPY
//! --from`, no `--mount=from=`, no stage built from it) may be what
//! `docker build --target` builds, which a Dockerfile cannot tell: it
//! counts as shipping whole.

use crate::syntax::{Instruction, Stage};

/// What of a stage's files can reach an image someone runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ships {
    Whole,
    /// Only these source paths of `COPY --from` (as written), each
    /// relative to the root of the stage copied from.
    Paths(Vec<String>),
}

impl Ships {
    /// True when `path` (absolute) may be among what ships: a copied
    /// source is the path, a directory above it or below it, or something
    /// dockfix cannot read (a glob, a variable, a relative name).
    pub fn may_include(&self, path: &str) -> bool {
        match self {
            Ships::Whole => true,
            Ships::Paths(sources) => sources.iter().any(|source| {
                if source.contains(['*', '?', '[', '$']) {
                    return true;
                }
                let source = format!(
                    "/{}",
                    source.trim_start_matches("./").trim_start_matches('/')
                );
                let source = source.trim_end_matches(['/', '.']);
                source.is_empty()
                    || source == path
                    || path.starts_with(&format!("{source}/"))
                    || source.starts_with(&format!("{path}/"))
            }),
        }
    }
}

/// The names an instruction uses to refer to `stage`: its alias and index.
fn refers_to_stage(reference: &str, stage: &Stage) -> bool {
    let reference = reference.to_ascii_lowercase();
    stage.is_named(&reference) || reference == stage.index.to_string()
}

/// Every instruction of the file, `ONBUILD` triggers' inner instructions
/// included.
fn all_instructions(stages: &[Stage]) -> Vec<Instruction> {
    stages
        .iter()
        .flat_map(|stage| stage.body.iter())
        .flat_map(|instruction| {
            std::iter::once(instruction.clone()).chain(instruction.onbuild_inner())
        })
        .collect()
}

/// A stage taken from by `COPY --from` (with the sources it copies) or
/// `RUN --mount=from=`.
struct TakenFrom {
    reference: String,
    copied_sources: Option<Vec<String>>,
}

/// What of each stage ships, by stage index. Worked out for all stages at
/// once: the file's `--from` references are read once, not once per
/// stage, and each stage's base once (asking per stage made a file of
/// many stages take time growing with their cube).
pub fn ships_by_stage(stages: &[Stage]) -> Vec<Ships> {
    let Some(last) = stages.last() else {
        return Vec::new();
    };
    let bases: Vec<Option<usize>> = stages
        .iter()
        .map(|stage| stage.lineage(stages).get(1).map(|base| base.index))
        .collect();
    let taken: Vec<TakenFrom> = all_instructions(stages)
        .iter()
        .flat_map(|instruction| {
            instruction.flags().into_iter().flat_map(|flag| {
                let value = flag.value.unwrap_or_default();
                match flag.name.as_str() {
                    "from" => vec![TakenFrom {
                        reference: value,
                        copied_sources: instruction.as_copy().map(|copy| copy.sources()),
                    }],
                    "mount" => value
                        .split(',')
                        .filter_map(|field| field.strip_prefix("from="))
                        .map(|from| TakenFrom {
                            reference: from.to_string(),
                            copied_sources: None,
                        })
                        .collect(),
                    _ => Vec::new(),
                }
            })
        })
        .collect();
    stages
        .iter()
        .map(|stage| {
            // The stage and every later stage built `FROM` it.
            let mut in_family = vec![false; stages.len()];
            in_family[stage.index] = true;
            for candidate in &stages[stage.index + 1..] {
                if bases[candidate.index].is_some_and(|base| in_family[base]) {
                    in_family[candidate.index] = true;
                }
            }
            if in_family[last.index] {
                return Ships::Whole;
            }
            let mut sources = Vec::new();
            for member in stages.iter().filter(|member| in_family[member.index]) {
                let mut used = bases[member.index + 1..].contains(&Some(member.index));
                for taken in &taken {
                    if refers_to_stage(&taken.reference, member) {
                        used = true;
                        sources.extend(taken.copied_sources.iter().flatten().cloned());
                    }
                }
                if !used {
                    // Nothing takes from it: perhaps a `--target`.
                    return Ships::Whole;
                }
            }
            Ships::Paths(sources)
        })
        .collect()
}

/// [`ships_by_stage`] of one stage.
#[cfg(test)]
fn stage_ships(stages: &[Stage], stage: &Stage) -> Ships {
    ships_by_stage(stages).swap_remove(stage.index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Dockerfile;

    fn ships(text: &str, index: usize) -> Ships {
        let file = Dockerfile::parse(text);
        let stages = file.stages();
        stage_ships(&stages, &stages[index])
    }

    #[test]
    fn builders_ship_what_is_copied() {
        let text = "FROM node:18 AS build\nRUN npm ci\nFROM nginx\nCOPY --from=build /app/dist /usr/share/nginx/html\n";
        assert_eq!(ships(text, 0), Ships::Paths(vec!["/app/dist".into()]));
        assert_eq!(ships(text, 1), Ships::Whole);
        assert!(!ships(text, 0).may_include("/root/.npm"));
        let whole_root = "FROM node:18 AS build\nFROM nginx\nCOPY --from=build / /\n";
        assert!(ships(whole_root, 0).may_include("/root/.npm"));
        let home = "FROM node:18 AS build\nFROM nginx\nCOPY --from=0 /root /root\n";
        assert!(ships(home, 0).may_include("/root/.npm"));
    }

    #[test]
    fn ancestors_and_possible_targets_ship_whole() {
        let chain = "FROM python:3.11 AS base\nFROM base AS app\nRUN true\n";
        assert_eq!(ships(chain, 0), Ships::Whole);
        let targets = "FROM python:3.11 AS dev\nRUN pip install x\nFROM python:3.11 AS prod\n";
        assert_eq!(ships(targets, 0), Ships::Whole);
        let mounted = "FROM python:3.11 AS deps\nFROM python:3.11\nRUN --mount=type=bind,from=deps,target=/d true\n";
        assert_eq!(ships(mounted, 0), Ships::Paths(Vec::new()));
    }
}
