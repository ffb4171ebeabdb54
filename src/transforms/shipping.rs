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

/// The stage and every later stage built `FROM` it (directly or not).
fn family<'s>(stages: &'s [Stage], stage: &Stage) -> Vec<&'s Stage> {
    stages[stage.index..]
        .iter()
        .filter(|candidate| {
            candidate
                .lineage(stages)
                .iter()
                .any(|member| member.index == stage.index)
        })
        .collect()
}

/// The names an instruction uses to refer to `stage`: its alias and index.
fn refers_to_stage(reference: &str, stage: &Stage) -> bool {
    let reference = reference.to_ascii_lowercase();
    stage.name().as_deref() == Some(reference.as_str()) || reference == stage.index.to_string()
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

pub fn stage_ships(stages: &[Stage], stage: &Stage) -> Ships {
    let Some(last) = stages.last() else {
        return Ships::Whole;
    };
    let members = family(stages, stage);
    if members.iter().any(|member| member.index == last.index) {
        return Ships::Whole;
    }
    let instructions = all_instructions(stages);
    let mut sources = Vec::new();
    for member in &members {
        let mut used = stages[member.index + 1..].iter().any(|later| {
            later
                .lineage(stages)
                .get(1)
                .is_some_and(|base| base.index == member.index)
        });
        for instruction in &instructions {
            for flag in instruction.flags() {
                let value = flag.value.unwrap_or_default();
                let copied = flag.name == "from" && refers_to_stage(&value, member);
                let mounted = flag.name == "mount"
                    && value.split(',').any(|field| {
                        field
                            .strip_prefix("from=")
                            .is_some_and(|from| refers_to_stage(from, member))
                    });
                if copied && let Some(copy) = instruction.as_copy() {
                    sources.extend(copy.sources());
                }
                used |= copied || mounted;
            }
        }
        if !used {
            // Nothing takes from it: perhaps a `--target`.
            return Ships::Whole;
        }
    }
    Ships::Paths(sources)
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
