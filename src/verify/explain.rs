//! File differences that a safe rewrite explains, read from the two
//! Dockerfiles with dockfix's own syntax tree:
//!
//! - a new base image for the final stage (`slim-base-image`): a path that
//!   differs between the final images exactly as it differs between the
//!   two base images came with the base, not from the Dockerfile's steps;
//! - new `.dockerignore` lines (`dockerignore`): a path that `COPY . DEST`
//!   brought in before and that one of the added lines now excludes.

use crate::dockerignore::DockerIgnore;
use crate::syntax::{Dockerfile, InstructionKind, Stage};

use super::tree_diff::{Change, FileTree};

/// The image the final stage (or the `target` stage) is built on,
/// following `FROM <stage name>` back to an image. None for `scratch` and
/// for an image named through a build argument: nothing to compare.
pub fn final_base_image(text: &str, target: Option<&str>) -> Option<String> {
    let stages = Dockerfile::parse(text).stages();
    let mut stage = final_stage(&stages, target)?;
    // Each step goes to an earlier stage, so this ends.
    loop {
        let (image, _) = stage.from.as_from()?.image()?;
        let earlier = stages[..stage.index]
            .iter()
            .rev()
            .find(|candidate| candidate.name() == Some(image.to_ascii_lowercase()));
        match earlier {
            Some(parent) => stage = parent,
            None if image.contains('$') || image.eq_ignore_ascii_case("scratch") => return None,
            None => return Some(image),
        }
    }
}

fn final_stage<'a>(stages: &'a [Stage], target: Option<&str>) -> Option<&'a Stage> {
    match target {
        Some(name) => stages
            .iter()
            .find(|stage| stage.name() == Some(name.to_ascii_lowercase())),
        None => stages.last(),
    }
}

/// True when `path` differs between the final images only because the
/// base image did: its facts before are the old base's and after the new
/// base's (present or absent alike), so no step of the Dockerfile touched
/// it differently.
pub fn from_base_image(
    path: &str,
    before: &FileTree,
    after: &FileTree,
    old_base: &FileTree,
    new_base: &FileTree,
) -> bool {
    before.get(path) == old_base.get(path) && after.get(path) == new_base.get(path)
}

/// Absolute directories into which the final stage copies the whole build
/// context (`COPY . DEST`, `ADD ./ DEST`). A relative DEST counts only
/// under a `WORKDIR` the stage itself sets: the one it inherits is not in
/// the file.
pub fn context_root_destinations(text: &str, target: Option<&str>) -> Vec<String> {
    let stages = Dockerfile::parse(text).stages();
    let Some(stage) = final_stage(&stages, target) else {
        return Vec::new();
    };
    let mut workdir: Option<String> = None;
    let mut destinations = Vec::new();
    for instruction in &stage.body {
        if instruction.kind() == InstructionKind::Workdir {
            let words = instruction.words();
            let dir = words.first().map(|(word, _)| word.clone());
            workdir = match dir {
                Some(dir) if dir.contains('$') => None,
                Some(dir) if dir.starts_with('/') => Some(normalize(&dir)),
                Some(dir) => workdir.map(|base| normalize(&format!("{base}/{dir}"))),
                None => None,
            };
            continue;
        }
        let Some(copy) = instruction.as_copy() else {
            continue;
        };
        if copy.from_stage().is_some()
            || !copy
                .sources()
                .iter()
                .any(|source| matches!(source.as_str(), "." | "./" | "/"))
        {
            continue;
        }
        let Some(destination) = copy.destination() else {
            continue;
        };
        if destination.contains('$') {
            continue;
        }
        if destination.starts_with('/') {
            destinations.push(normalize(&destination));
        } else if let Some(base) = &workdir {
            destinations.push(normalize(&format!("{base}/{destination}")));
        }
    }
    destinations
}

/// `/app/./src/` as `/app/src`, `/a/../b` as `/b`.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    format!("/{}", parts.join("/"))
}

/// True when `path` is only in the image before and, relative to one of
/// `destinations`, is excluded by `added` (the lines dockfix added to the
/// `.dockerignore`); or when it is that `.dockerignore` itself, copied
/// into the image and changed by the added lines.
pub fn excluded_by_new_ignore(
    path: &str,
    change: Change,
    destinations: &[String],
    added: &DockerIgnore,
) -> bool {
    destinations.iter().any(|destination| {
        let relative = if destination == "/" {
            path.strip_prefix('/')
        } else {
            path.strip_prefix(destination.as_str())
                .and_then(|rest| rest.strip_prefix('/'))
        };
        match (relative, change) {
            (Some(relative), Change::OnlyBefore) => added.excludes(relative),
            (Some(".dockerignore"), Change::Changed) => true,
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::tree_diff::{self, Entry, Kind, Reason};
    use super::*;

    fn file(hash: &str) -> Entry {
        Entry {
            kind: Kind::File,
            size: hash.len() as u64,
            mode: 0o644,
            uid: 0,
            gid: 0,
            content_hash: Some(hash.into()),
            link_target: None,
        }
    }

    fn tree(entries: &[(&str, &str)]) -> FileTree {
        entries
            .iter()
            .map(|(path, hash)| (path.to_string(), file(hash)))
            .collect()
    }

    #[test]
    fn final_base_image_follows_stage_names_and_target() {
        let text = "FROM golang:1.19 AS build\nRUN go build\n\
                    FROM debian:bookworm AS Runtime\nCOPY --from=build /x /x\n\
                    FROM runtime\nRUN echo hi > /x\n";
        assert_eq!(
            final_base_image(text, None).as_deref(),
            Some("debian:bookworm")
        );
        assert_eq!(
            final_base_image(text, Some("build")).as_deref(),
            Some("golang:1.19")
        );
        assert_eq!(final_base_image(text, Some("missing")), None);
        assert_eq!(final_base_image("FROM scratch\nCOPY a /\n", None), None);
        assert_eq!(
            final_base_image("ARG BASE=debian\nFROM $BASE\n", None),
            None
        );
    }

    #[test]
    fn base_image_change_explains_only_paths_the_steps_left_alone() {
        let old_base = tree(&[
            ("/usr/share/doc/a", "doc"),
            ("/etc/x", "x1"),
            ("/bin/sh", "sh"),
        ]);
        let new_base = tree(&[("/etc/x", "x2"), ("/bin/sh", "sh"), ("/etc/slim", "s")]);
        // The Dockerfile's steps: write /x, and edit /etc/x in both builds.
        let before = tree(&[
            ("/usr/share/doc/a", "doc"),
            ("/etc/x", "x1"),
            ("/bin/sh", "sh"),
            ("/x", "hi"),
            ("/etc/edited", "e1"),
        ]);
        let after = tree(&[
            ("/etc/x", "x2"),
            ("/bin/sh", "sh"),
            ("/etc/slim", "s"),
            ("/x", "hi"),
            ("/etc/edited", "e2"),
            ("/step-only-after", "n"),
        ]);
        let mut diff = tree_diff::diff(&before, &after);
        diff.explain(|path, _| {
            from_base_image(path, &before, &after, &old_base, &new_base)
                .then_some(Reason::BaseImage)
        });
        let reason_of = |path: &str| {
            diff.only_before
                .iter()
                .chain(&diff.only_after)
                .find(|only| only.path == path)
                .map(|only| (only.expected, only.reason))
                .or_else(|| {
                    diff.changed
                        .iter()
                        .find(|changed| changed.path == path)
                        .map(|changed| (changed.expected, changed.reason))
                })
                .unwrap()
        };
        for path in ["/usr/share/doc/a", "/etc/slim", "/etc/x"] {
            assert_eq!(reason_of(path), (true, Some(Reason::BaseImage)), "{path}");
        }
        for path in ["/etc/edited", "/step-only-after"] {
            assert_eq!(reason_of(path), (false, None), "{path}");
        }
        let totals = diff.totals();
        assert_eq!(totals.expected_from_base_image_count, 3);
        assert_eq!(totals.unexpected_count, 2);
    }

    #[test]
    fn context_root_destinations_resolve_workdir() {
        let text = "FROM node:18 AS deps\nCOPY . /ignored\n\
                    FROM node:18\nCOPY . /src\nWORKDIR /app\nCOPY ./ ./web/\n\
                    COPY package.json .\nCOPY --from=deps /x .\nADD . .\n\
                    WORKDIR $HOME\nCOPY . .\n";
        assert_eq!(
            context_root_destinations(text, None),
            ["/src", "/app/web", "/app"]
        );
        // A relative destination under an inherited WORKDIR is unknown.
        assert!(context_root_destinations("FROM python:3.11\nCOPY . .\n", None).is_empty());
    }

    #[test]
    fn new_ignore_lines_explain_paths_copied_from_the_context_only() {
        let added = DockerIgnore::parse(".git\nnode_modules\n**/__pycache__\n.dockerignore\n");
        let destinations = vec!["/app".to_string()];
        let excluded = |path, change| excluded_by_new_ignore(path, change, &destinations, &added);
        assert!(excluded("/app/.git/HEAD", Change::OnlyBefore));
        assert!(excluded("/app/.git", Change::OnlyBefore));
        assert!(excluded("/app/node_modules/x/index.js", Change::OnlyBefore));
        assert!(excluded("/app/src/__pycache__/m.pyc", Change::OnlyBefore));
        assert!(excluded("/app/.dockerignore", Change::Changed));
        // Outside the copy, made by a step, or not excluded: unexplained.
        assert!(!excluded("/.git/HEAD", Change::OnlyBefore));
        assert!(!excluded("/application/.git", Change::OnlyBefore));
        assert!(!excluded("/app/.git/HEAD", Change::OnlyAfter));
        assert!(!excluded("/app/.git/HEAD", Change::Changed));
        assert!(!excluded("/app/src/main.py", Change::OnlyBefore));
        let root = vec!["/".to_string()];
        assert!(excluded_by_new_ignore(
            "/node_modules/a",
            Change::OnlyBefore,
            &root,
            &added
        ));
    }
}
