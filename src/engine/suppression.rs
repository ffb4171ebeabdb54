//! Inline suppressions: comments that turn transforms off for one
//! instruction or for the whole file.
//!
//! dockfix's own form, on the comment line(s) right above an instruction:
//!
//! ```text
//! # dockfix: ignore=merge-runs,cleanup-same-layer; reason=pinned layer for the cache
//! # dockfix: global ignore=slim-base-image
//! ```
//!
//! `ignore=all` turns every transform off. The peers' comments are honoured
//! too, so that a file need not say the same thing twice: `# hadolint
//! ignore=DL3059` and `# tally ignore=DL3059` (also `hadolint/DL3059`), with
//! `global` as in hadolint. Their rule codes map to the fixes that address
//! the same finding ([`PEER_RULES`]). A blank line between the comment and
//! the instruction ends its reach, as in hadolint.

use std::ops::Range;

use crate::paths::last_component;
use crate::syntax::{Dockerfile, LineIndex};

use super::Fix;

/// A hadolint rule code, the transform whose fixes address the same
/// finding, and (for transforms that fix several findings) the text the fix
/// inserts for that finding.
pub const PEER_RULES: &[(&str, &str, Option<&str>)] = &[
    // DL3059: multiple consecutive RUN instructions.
    ("DL3059", "merge-runs", None),
    // DL3009: delete the apt-get lists after installing something.
    ("DL3009", "cleanup-same-layer", None),
    // DL3015: avoid additional packages by specifying --no-install-recommends.
    (
        "DL3015",
        "package-cache-flags",
        Some("--no-install-recommends"),
    ),
    // DL3019: use the --no-cache switch to avoid the need for apk update.
    ("DL3019", "package-cache-flags", Some("--no-cache")),
    // DL3042: avoid use of cache directory with pip (--no-cache-dir).
    ("DL3042", "package-cache-flags", Some("--no-cache-dir")),
    // DL3060: yarn cache clean missing after yarn install.
    ("DL3060", "package-cache-flags", Some("yarn cache clean")),
];

/// One suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// 1-based line of the comment.
    pub line: usize,
    /// The comment as written (trimmed).
    pub comment: String,
    /// The instruction it covers; `None` for a global one.
    pub instruction: Option<Range<usize>>,
    /// A `# dockfix:` comment (not a peer's, whose comments are for the
    /// peer too and so are never reported as unused).
    pub own: bool,
    /// dockfix transform ids (`all` for every one) or peer rule codes.
    rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Rule {
    All,
    Transform(String),
    /// A peer's rule code, as in [`PEER_RULES`].
    Peer(String),
}

impl Suppression {
    /// True when this comment turns off `fix` of `transform`.
    fn covers(&self, transform: &str, fix: &Fix) -> bool {
        self.rules.iter().any(|rule| match rule {
            Rule::All => true,
            Rule::Transform(id) => id == transform,
            Rule::Peer(code) => PEER_RULES.iter().any(|(peer, id, inserts)| {
                peer == code
                    && *id == transform
                    && inserts.is_none_or(|text| {
                        fix.edits.iter().any(|edit| edit.replacement.contains(text))
                    })
            }),
        })
    }
}

/// The suppressions of one file.
#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    pub comments: Vec<Suppression>,
}

impl Suppressions {
    pub fn of(file: &Dockerfile) -> Self {
        let text = file.text();
        // Most files have none: skip the line walk.
        if !text.contains("ignore=") {
            return Self::default();
        }
        let lines = LineIndex::new(text);
        let mut comments = Vec::new();
        let mut covered_until = 0;
        for instruction in file.instructions() {
            let range = instruction.text_range();
            // Comment lines directly above the instruction, nearest first.
            let mut above = Vec::new();
            let mut end = text[..range.start].trim_end_matches([' ', '\t']).len();
            while end > covered_until {
                let before = text[..end].strip_suffix('\n').unwrap_or(&text[..end]);
                let before = before.strip_suffix('\r').unwrap_or(before);
                let start = before.rfind('\n').map_or(0, |at| at + 1);
                let line = before[start..].trim();
                if start < covered_until || !line.starts_with('#') {
                    break;
                }
                above.push((start, line));
                end = start;
            }
            for (start, line) in above {
                if let Some((global, rules)) = parse_comment(line) {
                    comments.push(Suppression {
                        line: lines.line(start),
                        comment: line.to_string(),
                        instruction: (!global).then(|| range.clone()),
                        own: is_own(line),
                        rules,
                    });
                }
            }
            covered_until = range.end;
        }
        // Global comments anywhere else (after the last instruction, or
        // not right above one).
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim();
            if let Some((true, rules)) = parse_comment(trimmed)
                && !comments.iter().any(|seen| seen.line == lines.line(offset))
            {
                comments.push(Suppression {
                    line: lines.line(offset),
                    comment: trimmed.to_string(),
                    instruction: None,
                    own: is_own(trimmed),
                    rules,
                });
            }
            offset += line.len();
        }
        comments.sort_by_key(|comment| comment.line);
        Self { comments }
    }

    /// The index of the first comment that turns off `fix` of `transform`:
    /// a global one, or one above an instruction the fix touches.
    pub fn silencing(&self, transform: &str, fix: &Fix) -> Option<usize> {
        self.comments.iter().position(|comment| {
            comment.covers(transform, fix)
                && match &comment.instruction {
                    None => true,
                    Some(range) => fix
                        .edits
                        .iter()
                        .any(|edit| edit.range.start <= range.end && range.start <= edit.range.end),
                }
        })
    }

    /// True when a global comment turns `transform` off entirely (for
    /// changes that belong to no instruction, such as `.dockerignore`).
    pub fn global_index(&self, transform: &str) -> Option<usize> {
        self.comments.iter().position(|comment| {
            comment.instruction.is_none()
                && comment.rules.iter().any(|rule| match rule {
                    Rule::All => true,
                    Rule::Transform(id) => id == transform,
                    Rule::Peer(_) => false,
                })
        })
    }
}

fn is_own(comment: &str) -> bool {
    comment
        .trim_start_matches('#')
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("dockfix")
}

/// `# dockfix: [global] ignore=a,b[; reason=…]`, `# hadolint [global]
/// ignore=DL3059`, `# tally [global] ignore=…`: whether it is global, and
/// the rules it names. `None` for any other comment.
fn parse_comment(line: &str) -> Option<(bool, Vec<Rule>)> {
    let body = line.strip_prefix('#')?.trim_start();
    let (tool, rest) = body.split_once(|c: char| c == ':' || c.is_whitespace())?;
    let peer = match tool.to_ascii_lowercase().as_str() {
        "dockfix" => false,
        "hadolint" | "tally" => true,
        _ => return None,
    };
    let rest = rest.trim_start_matches(':').trim_start();
    let (global, rest) = match rest.strip_prefix("global") {
        Some(after) => (true, after.trim_start()),
        None => (false, rest),
    };
    let list = rest.strip_prefix("ignore=")?;
    let list = list.split([';', ' ', '\t']).next().unwrap_or_default();
    let rules: Vec<Rule> = list
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| {
            // tally names hadolint's rules `hadolint/DL3059`.
            let name = last_component(name);
            if name.eq_ignore_ascii_case("all") {
                Rule::All
            } else if peer || name.starts_with("DL") {
                Rule::Peer(name.to_ascii_uppercase())
            } else {
                Rule::Transform(name.to_string())
            }
        })
        .collect();
    (!rules.is_empty()).then_some((global, rules))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Edit;

    fn fix(range: Range<usize>, text: &str) -> Fix {
        Fix::safe("x", vec![Edit::replace(range, text)])
    }

    #[test]
    fn reads_the_three_forms() {
        assert_eq!(
            parse_comment("# dockfix: ignore=merge-runs,cleanup-same-layer; reason=pinned"),
            Some((
                false,
                vec![
                    Rule::Transform("merge-runs".into()),
                    Rule::Transform("cleanup-same-layer".into())
                ]
            ))
        );
        assert_eq!(
            parse_comment("# dockfix: global ignore=all"),
            Some((true, vec![Rule::All]))
        );
        assert_eq!(
            parse_comment("# hadolint ignore=DL3059,DL3009"),
            Some((
                false,
                vec![Rule::Peer("DL3059".into()), Rule::Peer("DL3009".into())]
            ))
        );
        assert_eq!(
            parse_comment("# tally ignore=hadolint/DL3059;reason=x"),
            Some((false, vec![Rule::Peer("DL3059".into())]))
        );
        assert_eq!(parse_comment("# check=skip=JSONArgsRecommended"), None);
        assert_eq!(parse_comment("# just a comment about ignore=this"), None);
    }

    #[test]
    fn covers_the_instruction_below_only() {
        let text = "FROM a\n# hadolint ignore=DL3059\nRUN a\nRUN b\n\nRUN c\nRUN d\n";
        let file = Dockerfile::parse(text);
        let suppressions = Suppressions::of(&file);
        assert_eq!(suppressions.comments.len(), 1);
        assert_eq!(suppressions.comments[0].line, 2);
        let first_merge = fix(30..37, " && ");
        assert_eq!(suppressions.silencing("merge-runs", &first_merge), Some(0));
        assert_eq!(
            suppressions.silencing("cleanup-same-layer", &first_merge),
            None
        );
        let later_merge = fix(44..51, " && ");
        assert_eq!(suppressions.silencing("merge-runs", &later_merge), None);
    }

    #[test]
    fn peer_codes_pick_the_matching_fix() {
        let text = "FROM a\n# hadolint ignore=DL3015\nRUN apt-get install -y x\n";
        let file = Dockerfile::parse(text);
        let suppressions = Suppressions::of(&file);
        let flag = fix(55..55, " --no-install-recommends");
        let other = fix(55..55, " -y");
        assert!(
            suppressions
                .silencing("package-cache-flags", &flag)
                .is_some()
        );
        assert!(
            suppressions
                .silencing("package-cache-flags", &other)
                .is_none()
        );
    }

    #[test]
    fn global_comments_cover_the_file() {
        let text = "# syntax=docker/dockerfile:1\n# dockfix: global ignore=merge-runs\nFROM a\nRUN a\nRUN b\n";
        let file = Dockerfile::parse(text);
        let suppressions = Suppressions::of(&file);
        assert_eq!(suppressions.comments.len(), 1);
        assert!(suppressions.comments[0].instruction.is_none());
        assert!(
            suppressions
                .silencing("merge-runs", &fix(70..72, ""))
                .is_some()
        );
        assert_eq!(suppressions.global_index("merge-runs"), Some(0));
        assert_eq!(suppressions.global_index("dockerignore"), None);
    }
}
