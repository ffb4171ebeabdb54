//! The shell guard: a rewrite must leave every shell script it touches
//! parseable, with the structure it had.
//!
//! The Dockerfile parse guard cannot see inside `RUN` bodies: `RUN if &&
//! npm cache clean --force [ … ]` is a valid instruction. So the engine also
//! compares the shell texts (shell-form bodies and heredoc scripts run by a
//! POSIX shell) before and after a pass. Texts present before and after are
//! untouched; of the others:
//!
//! - every new text must parse;
//! - its structure must be made of the old texts' structure: each compound
//!   command (`if`, loops, `case`, functions, with their redirections and
//!   everything they contain) and each pipeline of several commands must be
//!   one that a removed or rewritten text had, command for command. Only
//!   simple commands may appear from nowhere, and only at the top level of
//!   the script (appended or prepended to its `&&` chain).
//!
//! A `( … )` or `{ …; }` group that is a whole top-level pipeline is looked
//! through, because merging RUNs wraps a body in one; commands in it count
//! as nested, so a command appended inside an existing group is still
//! caught. Words are not compared (options are inserted, paths quoted): a
//! simple command is its name and its number of redirections.

use foldhash::{HashMap, HashMapExt};

use super::Context;
use std::sync::Arc;

use crate::shell::{
    AndOrList, Command, CompoundKind, Script, ShellError, run_shell_is_posix, shell_texts,
    why_opaque,
};
use crate::syntax::{Dockerfile, InstructionKind};

/// What is wrong with a rewrite's shell texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellDamage {
    /// A rewritten script no longer parses.
    Unparsable(String),
    /// A rewritten script's structure is not the one it had.
    Reshaped(String),
}

/// Checks the shell texts of `after` against those of `before`.
pub fn check(before: &Dockerfile, after: &Dockerfile) -> Result<(), ShellDamage> {
    let mut old: HashMap<String, isize> = HashMap::new();
    for (text, _) in texts(before) {
        *old.entry(text).or_default() += 1;
    }
    let mut added = Vec::new();
    for (text, posix) in texts(after) {
        match old.get_mut(&text) {
            Some(count) if *count > 0 => *count -= 1,
            _ if posix => added.push(text),
            _ => {}
        }
    }
    if added.is_empty() {
        return Ok(());
    }
    // The scripts are parsed first and kept: shapes borrow their command
    // names.
    let removed: Vec<Arc<Script>> = old
        .iter()
        .filter(|(_, count)| **count > 0)
        .filter_map(|(text, &count)| Some((Script::parse_text(text).ok()?, count)))
        .flat_map(|(script, count)| std::iter::repeat_n(script, count.unsigned_abs()))
        .collect();
    let added: Vec<(String, Result<Arc<Script>, ShellError>)> = added
        .into_iter()
        .map(|text| {
            let parsed = Script::parse_text(&text);
            (text, parsed)
        })
        .collect();
    // Structure the removed or rewritten texts had, to be found again.
    let mut available: HashMap<Shape, usize> = HashMap::new();
    for script in &removed {
        for (shape, _) in atoms(&script.lists) {
            *available.entry(shape).or_default() += 1;
        }
    }
    for (text, parsed) in &added {
        let script = parsed
            .as_ref()
            .map_err(|error| ShellDamage::Unparsable(format!("{error} in `{text}`")))?;
        for (shape, depth) in atoms(&script.lists) {
            match available.get_mut(&shape) {
                Some(count) if *count > 0 => *count -= 1,
                _ if depth == 0 && matches!(shape, Shape::Simple { .. }) => {}
                _ => {
                    return Err(ShellDamage::Reshaped(format!(
                        "`{text}` has a command structure none of the rewritten scripts had"
                    )));
                }
            }
        }
    }
    Ok(())
}

/// The reason a shell-writing transform does not touch a `RUN`, for each
/// `RUN` its stage's shell or its text makes opaque: once per `RUN`, under
/// the name `shell`, whichever transforms would have looked at it.
pub fn record_opaque_runs(file: &Dockerfile, context: &Context) {
    for run in file.instructions() {
        if run.kind() == InstructionKind::Run
            && !run.is_error()
            && let Some(reason) = why_opaque(file, &run)
        {
            context.skip("shell", run.range().start, reason);
        }
    }
}

/// Every shell text of the file's `RUN`s, and whether a POSIX shell runs it.
fn texts(file: &Dockerfile) -> Vec<(String, bool)> {
    file.instructions()
        .filter(|instruction| instruction.kind() == InstructionKind::Run)
        .flat_map(|run| {
            let posix = run_shell_is_posix(file, &run);
            let texts = shell_texts(&run);
            // A heredoc RUN's own line (`<<EOF`) is not a script by itself.
            let skip_line = !run.heredocs().is_empty();
            texts
                .into_iter()
                .enumerate()
                .filter(move |(index, _)| !(skip_line && *index == 0))
                .map(move |(_, (_, text))| (text, posix))
        })
        .collect()
}

/// The structure of a command, without its words.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Shape<'s> {
    Simple {
        name: &'s str,
        redirects: usize,
    },
    Pipeline {
        negated: bool,
        commands: Vec<Shape<'s>>,
    },
    Compound {
        kind: CompoundKind,
        redirects: usize,
        /// Each inner list's pipelines.
        inner: Vec<Vec<Shape<'s>>>,
    },
}

/// The top-level pipelines of `lists` as shapes, with their depth in
/// looked-through groups.
fn atoms(lists: &[AndOrList]) -> Vec<(Shape<'_>, usize)> {
    let mut found = Vec::new();
    collect_atoms(lists, 0, &mut found);
    found
}

fn collect_atoms<'s>(lists: &'s [AndOrList], depth: usize, found: &mut Vec<(Shape<'s>, usize)>) {
    for list in lists {
        for pipeline in &list.pipelines {
            if let [
                Command::Compound {
                    kind: CompoundKind::Subshell | CompoundKind::BraceGroup,
                    inner,
                    redirects,
                    ..
                },
            ] = pipeline.commands.as_slice()
                && redirects.is_empty()
                && !pipeline.negated
            {
                collect_atoms(inner, depth + 1, found);
                continue;
            }
            found.push((pipeline_shape(pipeline), depth));
        }
    }
}

fn pipeline_shape(pipeline: &crate::shell::Pipeline) -> Shape<'_> {
    match pipeline.commands.as_slice() {
        [command] if !pipeline.negated => command_shape(command),
        commands => Shape::Pipeline {
            negated: pipeline.negated,
            commands: commands.iter().map(command_shape).collect(),
        },
    }
}

fn command_shape(command: &Command) -> Shape<'_> {
    match command {
        Command::Simple(simple) => Shape::Simple {
            name: simple
                .program()
                .or_else(|| simple.words.first().map(|word| word.raw.as_ref()))
                .unwrap_or_default(),
            redirects: simple.redirects.len(),
        },
        Command::Compound {
            kind,
            inner,
            redirects,
            ..
        } => Shape::Compound {
            kind: *kind,
            redirects: redirects.len(),
            inner: inner
                .iter()
                .map(|list| list.pipelines.iter().map(pipeline_shape).collect())
                .collect(),
        },
    }
}

impl std::fmt::Display for ShellDamage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShellDamage::Unparsable(why) => write!(f, "the shell text would not parse: {why}"),
            ShellDamage::Reshaped(why) => write!(f, "the shell structure would change: {why}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(before: &str, after: &str) -> Result<(), ShellDamage> {
        check(&Dockerfile::parse(before), &Dockerfile::parse(after))
    }

    #[test]
    fn appends_prepends_options_and_merges_pass() {
        let ok = [
            (
                "FROM a\nRUN if x; then npm ci; fi\n",
                "FROM a\nRUN if x; then npm ci; fi && npm cache clean --force\n",
            ),
            (
                "FROM a\nRUN apt-get update\nRUN apt-get install -y x\n",
                "FROM a\nRUN apt-get update && apt-get install -y --no-install-recommends x\n",
            ),
            (
                "FROM a\nRUN cd /x\nRUN make | tee log\n",
                "FROM a\nRUN (cd /x) && \\\n    make | tee log\n",
            ),
            (
                "FROM a\nRUN apk update && apk add x\n",
                "FROM a\nRUN apk add --no-cache x\n",
            ),
            (
                "FROM a\nRUN <<EOF\nwhile read p; do npm i -g \"$p\"; done < /p\nEOF\n",
                "FROM a\nRUN <<EOF\nwhile read p; do npm i -g \"$p\"; done < /p && npm cache clean --force\nEOF\n",
            ),
        ];
        for (before, after) in ok {
            assert_eq!(verdict(before, after), Ok(()), "{after}");
        }
    }

    #[test]
    fn broken_or_reshaped_scripts_fail() {
        let bad = [
            // Inside the if: the if's body changes.
            (
                "FROM a\nRUN if x; then npm ci; fi\n",
                "FROM a\nRUN if x; then npm ci && npm cache clean --force; fi\n",
            ),
            // Between the loop and its redirection.
            (
                "FROM a\nRUN while read p; do npm i -g \"$p\"; done < /p\n",
                "FROM a\nRUN while read p; do npm i -g \"$p\"; done && npm cache clean --force < /p\n",
            ),
            // Inside an existing group.
            (
                "FROM a\nRUN (cd /x && make)\n",
                "FROM a\nRUN (cd /x && make && rm -rf /x)\n",
            ),
            // Into a pipeline.
            (
                "FROM a\nRUN make | tee log\n",
                "FROM a\nRUN make && rm -rf /x | tee log\n",
            ),
            // In a heredoc script.
            (
                "FROM a\nRUN <<EOF\nif x; then\n  npm ci\nfi\nEOF\n",
                "FROM a\nRUN <<EOF\nif x; then\n  npm ci && npm cache clean --force\nfi\nEOF\n",
            ),
        ];
        for (before, after) in bad {
            assert!(
                matches!(verdict(before, after), Err(ShellDamage::Reshaped(_))),
                "{after}"
            );
        }
        assert!(matches!(
            verdict(
                "FROM a\nRUN if x; then npm ci; fi\n",
                "FROM a\nRUN if && npm cache clean --force x; then npm ci; fi\n"
            ),
            Err(ShellDamage::Unparsable(_))
        ));
    }

    /// Appends `&& echo done` right after a given word of every RUN: at a
    /// word inside a compound command, that is inside the compound.
    struct AppendAfterWord(&'static str);

    impl crate::engine::Transform for AppendAfterWord {
        fn id(&self) -> &'static str {
            "append-after-word"
        }
        fn summary(&self) -> &'static str {
            ""
        }
        fn safety(&self) -> crate::engine::Safety {
            crate::engine::Safety::Safe
        }
        fn docs(&self) -> &'static str {
            ""
        }
        fn fixes(&self, file: &Dockerfile, _: &crate::engine::Context) -> Vec<crate::engine::Fix> {
            let text = file.text();
            file.instructions()
                .filter(|i| i.kind() == InstructionKind::Run && !text[i.range()].contains("done"))
                .filter_map(|run| {
                    let at = run.range().start + text[run.range()].find(self.0)? + self.0.len();
                    Some(crate::engine::Fix::safe(
                        "append",
                        vec![crate::engine::Edit::insert(at, " && echo done")],
                    ))
                })
                .collect()
        }
    }

    fn run_engine(transform: &AppendAfterWord, text: &str) -> crate::engine::Outcome {
        crate::engine::run(
            text,
            &[transform],
            &crate::engine::Context::detached(),
            &crate::engine::Policy::default(),
        )
        .unwrap()
    }

    #[test]
    fn the_engine_drops_fixes_that_reshape_or_break_scripts() {
        let text = "FROM a\nRUN if x; then npm ci; fi\nRUN npm ci\n";
        // Inside the if's body: reshaped, dropped; the plain RUN is fixed.
        let outcome = run_engine(&AppendAfterWord("npm ci"), text);
        assert_eq!(
            outcome.text,
            "FROM a\nRUN if x; then npm ci; fi\nRUN npm ci && echo done\n"
        );
        assert_eq!(outcome.rejected.len(), 1);
        assert_eq!(outcome.rejected[0].line, 2);
        // After `if`: no longer parses, dropped.
        let outcome = run_engine(&AppendAfterWord("if"), text);
        assert_eq!(outcome.text, text);
        assert_eq!(outcome.rejected.len(), 1);
        // After `fi`: a sound append.
        let outcome = run_engine(&AppendAfterWord("fi"), text);
        assert!(outcome.rejected.is_empty());
        assert!(outcome.text.contains("fi && echo done"));
    }

    #[test]
    fn texts_not_run_by_a_posix_shell_are_not_checked() {
        let before = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN echo a\n";
        let after = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN if ( echo a\n";
        assert_eq!(verdict(before, after), Ok(()));
        // Unchanged texts are not checked either, parseable or not.
        let unparsable = "FROM a\nRUN if then\nRUN echo\n";
        assert_eq!(verdict(unparsable, unparsable), Ok(()));
    }
}
