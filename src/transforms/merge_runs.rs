#![doc = include_str!("../../transforms/merge-runs/README.md")]

use std::ops::Range;

use crate::engine::{Context, Edit, Fix, Safety, Transform};
use crate::shell::Script;
use crate::syntax::{Dockerfile, Instruction, InstructionKind, SyntaxKind};

pub struct MergeRuns;

impl Transform for MergeRuns {
    fn id(&self) -> &'static str {
        "merge-runs"
    }

    fn summary(&self) -> &'static str {
        "Join consecutive RUN instructions of a stage into one layer"
    }

    fn safety(&self) -> Safety {
        Safety::Safe
    }

    fn docs(&self) -> &'static str {
        include_str!("../../transforms/merge-runs/README.md")
    }

    fn fixes(&self, file: &Dockerfile, _context: &Context) -> Vec<Fix> {
        let text = file.text();
        let indent = continuation_indent(file);
        let mut fixes = Vec::new();
        for stage in file.stages() {
            let mut group: Vec<Mergeable> = Vec::new();
            for instruction in &stage.body {
                let next = Mergeable::new(file, instruction, text);
                let joins = match (group.last(), &next) {
                    (Some(last), Some(next)) => {
                        last.flags == next.flags
                            && !group.iter().any(|member| next.reads_any(&member.assigns))
                    }
                    _ => false,
                };
                if !joins {
                    fixes.extend(merge(&group, &indent, file.escape()));
                    group.clear();
                }
                if let Some(next) = next {
                    group.push(next);
                }
            }
            fixes.extend(merge(&group, &indent, file.escape()));
        }
        fixes
    }
}

/// A `RUN` that can be joined with its neighbours, with what the join must
/// know about its shell text.
struct Mergeable {
    run: Instruction,
    /// Flag texts, sorted: RUNs join only when these are equal.
    flags: Vec<String>,
    /// File offset where the shell text starts (after keyword and flags).
    body_start: usize,
    /// File offset just after the last top-level command.
    body_end: usize,
    /// Changes shell state (`cd`, `export`, …) that must not reach what follows.
    changes_state: bool,
    /// Variables the RUN sets (`export A=…`, `A=…`, `read A`, …). Once
    /// wrapped in a subshell they no longer reach the next command, which
    /// is right, but joining a RUN that reads one would look like it is
    /// meant to (shellcheck SC2031): such RUNs are not joined.
    assigns: Vec<String>,
    /// The shell text, to see which variables it reads.
    body: String,
    /// `||` or several lists at the top level: `&&` before it would bind to
    /// only its first part.
    needs_braces: bool,
}

impl Mergeable {
    fn new(file: &Dockerfile, instruction: &Instruction, text: &str) -> Option<Self> {
        if instruction.kind() != InstructionKind::Run
            || instruction.is_error()
            || !instruction.heredocs().is_empty()
        {
            return None;
        }
        let script = Script::of_run(file, instruction)?;
        let first = script.lists.first()?;
        let last = script.lists.last()?;
        if script.has_background() {
            return None;
        }
        // Only blanks may sit before the first command and only blanks and
        // a final `;` after the last one: anything else (a shell comment, a
        // redirection we do not place) would be cut or commented out.
        let args = instruction.args_range();
        let text_end = instruction.text_range().end;
        let trailing = text[last.range.end..text_end].trim();
        if !only_blank(text, args.start..first.range.start)
            || !(trailing.is_empty() || trailing == ";")
        {
            return None;
        }
        let mut flags: Vec<String> = instruction
            .flags()
            .into_iter()
            .map(|flag| match flag.value {
                Some(value) => format!("{}={value}", flag.name),
                None => flag.name,
            })
            .collect();
        flags.sort();
        Some(Self {
            run: instruction.clone(),
            flags,
            body_start: first.range.start,
            body_end: last.range.end,
            changes_state: !script.state_changes().is_empty(),
            assigns: assigned_variables(&script),
            body: text[first.range.start..last.range.end].to_string(),
            needs_braces: script.lists.len() > 1 || script.has_top_level_or(),
        })
    }
}

impl Mergeable {
    /// True when the RUN's text expands one of `names`.
    fn reads_any(&self, names: &[String]) -> bool {
        names.iter().any(|name| {
            self.body.contains(&format!("${name}")) || self.body.contains(&format!("${{{name}"))
        })
    }
}

/// Names a script assigns at its top level or exports.
fn assigned_variables(script: &Script) -> Vec<String> {
    let mut names = Vec::new();
    let name_of = |word: &str| {
        let name: String = word
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        (!name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit())).then_some(name)
    };
    for (command, _) in script.simple_commands() {
        if command.words.is_empty() {
            names.extend(
                command
                    .assignments
                    .iter()
                    .filter_map(|word| name_of(&word.raw)),
            );
        }
        if matches!(
            command.program().as_deref(),
            Some("export" | "declare" | "typeset" | "local" | "readonly" | "read")
        ) {
            names.extend(
                command
                    .args()
                    .iter()
                    .filter(|w| !w.raw.starts_with('-'))
                    .filter_map(|word| name_of(&word.raw)),
            );
        }
    }
    names
}

fn only_blank(text: &str, range: Range<usize>) -> bool {
    text.get(range)
        .is_some_and(|between| between.trim().is_empty())
}

/// One fix joining a group of two or more consecutive RUNs.
fn merge(group: &[Mergeable], indent: &str, escape: char) -> Option<Fix> {
    let (first, rest) = group.split_first()?;
    if rest.is_empty() {
        return None;
    }
    let newline = first.run.newline_style();
    let last_index = group.len() - 1;
    let mut edits = Vec::new();
    // What opens and closes each RUN's text once joined.
    let wrap = |index: usize, part: &Mergeable| -> (&'static str, &'static str) {
        if index < last_index && part.changes_state {
            ("(", ")")
        } else if index > 0 && part.needs_braces {
            ("{ ", "; }")
        } else {
            ("", "")
        }
    };
    let (open, _) = wrap(0, first);
    if !open.is_empty() {
        edits.push(Edit::insert(first.body_start, open));
    }
    for (index, pair) in group.windows(2).enumerate() {
        let (previous, next) = (&pair[0], &pair[1]);
        let (_, close) = wrap(index, previous);
        let (open, _) = wrap(index + 1, next);
        let mut joint = format!("{close} && {escape}{newline}");
        for comment in comments_between(&previous.run, &next.run) {
            joint.push_str(&comment);
            joint.push_str(newline);
        }
        joint.push_str(indent);
        joint.push_str(open);
        edits.push(Edit::replace(previous.body_end..next.body_start, joint));
    }
    let last = &group[last_index];
    let (_, close) = wrap(last_index, last);
    if !close.is_empty() {
        edits.push(Edit::insert(last.body_end, close));
    }
    let message = format!(
        "merge {} consecutive RUN instructions into one layer",
        group.len()
    );
    Some(Fix::safe(message, edits))
}

/// The comment lines (as written, without line ending) between two
/// instructions. Blank lines are left out: inside a continued RUN they would
/// be empty continuation lines, which BuildKit warns about.
fn comments_between(previous: &Instruction, next: &Instruction) -> Vec<String> {
    let mut comments = Vec::new();
    let mut sibling = previous.syntax().next_sibling_or_token();
    while let Some(element) = sibling {
        if element.as_node() == Some(next.syntax()) {
            break;
        }
        if let Some(token) = element.as_token()
            && token.kind() == SyntaxKind::COMMENT
        {
            let indent = token
                .prev_token()
                .filter(|prev| prev.kind() == SyntaxKind::WHITESPACE)
                .map(|prev| prev.text().to_string())
                .unwrap_or_default();
            comments.push(format!("{indent}{}", token.text()));
        }
        sibling = element.next_sibling_or_token();
    }
    comments
}

/// The indentation the file already uses for continuation lines (the most
/// common one), or four spaces.
fn continuation_indent(file: &Dockerfile) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for token in file
        .syntax()
        .descendants_with_tokens()
        .filter_map(|element| element.into_token())
        .filter(|token| token.kind() == SyntaxKind::LINE_CONTINUATION)
    {
        // The first token on the next line that is instruction text.
        let mut next = token.next_token();
        while let Some(candidate) = &next {
            if candidate.kind() == SyntaxKind::NEWLINE {
                next = candidate.next_token();
                continue;
            }
            break;
        }
        let Some(candidate) = next else { continue };
        if candidate.kind() != SyntaxKind::SPACE {
            continue;
        }
        let indent = candidate.text().to_string();
        if indent.contains(['\r', '\n']) {
            continue;
        }
        match counts.iter_mut().find(|(seen, _)| *seen == indent) {
            Some((_, count)) => *count += 1,
            None => counts.push((indent, 1)),
        }
    }
    // The most common indentation; on a tie the shortest, which is the one
    // commands start at rather than their wrapped arguments.
    counts
        .into_iter()
        .max_by_key(|(indent, count)| (*count, std::cmp::Reverse(indent.len())))
        .map_or_else(|| "    ".to_string(), |(indent, _)| indent)
}
