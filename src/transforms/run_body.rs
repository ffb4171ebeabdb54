//! Building blocks for transforms that edit `RUN` bodies: add a command at
//! the end or the start, add an option after a word, remove a command from
//! an `&&` chain, in the style the `RUN` is already written in.
//!
//! Every command a transform adds goes through [`append_command`] or
//! [`prepend_command`]: they place it from the shell syntax tree, at the top
//! level of the script's command list, so it never lands inside an
//! `if`/loop/`case`/group or between a compound command and its
//! redirections (the tree's ranges cover those; see `shell::convert`).

use crate::engine::Edit;
use crate::shell::{AndOr, AndOrList, Command, Script, ScriptSource, Terminator, Word};
use crate::syntax::Instruction;

/// The indentation of the `RUN`'s continuation lines (the last one), or
/// four spaces when it has none.
pub fn continuation_indent(run: &Instruction, text: &str) -> String {
    let range = run.text_range();
    let body = &text[range];
    body.lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
        .last()
        .map(|line| line[..line.len() - line.trim_start().len()].to_string())
        .filter(|indent| !indent.is_empty())
        .unwrap_or_else(|| "    ".to_string())
}

/// Appends `command` so that it runs after the script and only if the
/// script's last command succeeded: ` && command` after the last top-level
/// list. A `RUN` written over several lines gets ` && <escape>`, a new line
/// and the continuation indentation; a heredoc script gets the command on
/// its last line. `None` when the script ends in the background (`cmd &`),
/// where no placement keeps the meaning, and when errexit may be on and the
/// last command runs lists it governs (`if`, a group, a function): before
/// `&&`, errexit would no longer stop a failure inside it.
pub fn append_command(
    run: &Instruction,
    script: &Script,
    command: &str,
    text: &str,
    escape: char,
    shell: &[String],
) -> Option<Edit> {
    let last = script.lists.last()?;
    if why_nothing_can_follow(script, shell).is_some() {
        return None;
    }
    let at = last.range.end;
    let multi_line = script.source == ScriptSource::ShellForm && run.has_continuations();
    let insertion = if multi_line {
        format!(
            " && {escape}{}{}{command}",
            run.newline_style(),
            continuation_indent(run, text)
        )
    } else {
        format!(" && {command}")
    };
    Some(Edit::insert(at, insertion))
}

/// Why [`append_command`] finds no place for a command after `script`.
pub fn why_nothing_can_follow(script: &Script, shell: &[String]) -> Option<&'static str> {
    let last = script.lists.last()?;
    if last.terminator == Terminator::Background {
        Some("the script ends by running something in the background (`&`)")
    } else if crate::shell::errexit::append_would_disable_errexit(script, shell) {
        Some(
            "errexit may be on and the script ends in a compound command, where `&&` after it would turn errexit off",
        )
    } else if ends_the_shell(last) {
        Some("the script ends the shell (`exit`, `exec COMMAND`), so nothing after it runs")
    } else {
        None
    }
}

/// True when the list's last command ends the shell (`exit 0`, `exec
/// node server.js`, `return`): nothing placed after it would run.
fn ends_the_shell(list: &AndOrList) -> bool {
    let Some(Command::Simple(last)) = list
        .pipelines
        .last()
        .and_then(|pipeline| pipeline.commands.last())
    else {
        return false;
    };
    // `exec` with no command only redirects (`exec > log`).
    match last.program() {
        Some("exit" | "return") => true,
        Some("exec") => last.words.len() > 1,
        _ => false,
    }
}

/// Prepends `command && ` so that the script runs only if `command`
/// succeeded, as it would in a separate `RUN` before it. `None` unless the
/// script is a single top-level `&&` chain: with `;`, a newline or `||` at
/// the top level, a failing `command` would no longer stop what follows it.
pub fn prepend_command(script: &Script, command: &str) -> Option<Edit> {
    let [list] = script.lists.as_slice() else {
        return None;
    };
    if list.operators.contains(&AndOr::Or) || list.terminator == Terminator::Background {
        return None;
    }
    Some(Edit::insert(list.range.start, format!("{command} && ")))
}

/// Inserts ` option` right after `word` (`apk add` → `apk add --no-cache`).
pub fn insert_after_word(word: &Word, option: &str) -> Edit {
    Edit::insert(word.range.end, format!(" {option}"))
}

/// Removes pipeline `index` of top-level list `list_index` together with
/// the `&&` that joins it to its neighbour. `None` when the list has a
/// single pipeline or uses `||` next to it (removing it would change which
/// commands run).
pub fn remove_from_and_chain(script: &Script, list_index: usize, index: usize) -> Option<Edit> {
    let list = script.lists.get(list_index)?;
    if list.pipelines.len() < 2 {
        return None;
    }
    let before = index.checked_sub(1).map(|i| list.operators[i]);
    let after = list.operators.get(index).copied();
    if before == Some(AndOr::Or) || after == Some(AndOr::Or) {
        return None;
    }
    let pipeline = &list.pipelines[index];
    let range = match list.pipelines.get(index + 1) {
        Some(next) => pipeline.range.start..next.range.start,
        None => list.pipelines[index - 1].range.end..pipeline.range.end,
    };
    Some(Edit::delete(range))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Dockerfile;

    /// The default shell, `/bin/sh -c`.
    fn sh() -> Vec<String> {
        vec!["/bin/sh".into(), "-c".into()]
    }

    #[test]
    fn no_append_where_it_would_turn_errexit_off() {
        // Under errexit, a failure inside the `if` stops the RUN; before
        // `&&` it would not.
        for text in [
            "FROM a\nRUN set -e; if true; then false; echo on; fi\n",
            "FROM a\nRUN set -e; { false; echo on; }\n",
            "FROM a\nRUN set -e; f() { false; echo on; }; f\n",
        ] {
            let (_, run, script) = first_run(text);
            assert!(
                append_command(&run, &script, "true", text, '\\', &sh()).is_none(),
                "{text}"
            );
        }
        let text = "FROM a\nRUN if true; then false; echo on; fi\n";
        let (_, run, script) = first_run(text);
        let errexit_shell: Vec<String> = vec!["/bin/sh".into(), "-e".into(), "-c".into()];
        assert!(append_command(&run, &script, "true", text, '\\', &errexit_shell).is_none());
        // Without errexit, or ending in a simple command, the append is fine.
        assert!(append_command(&run, &script, "true", text, '\\', &sh()).is_some());
        let text = "FROM a\nRUN set -e; apt-get update; apt-get install -y x\n";
        let (_, run, script) = first_run(text);
        assert!(append_command(&run, &script, "true", text, '\\', &sh()).is_some());
    }

    fn apply(text: &str, edit: Edit) -> String {
        format!(
            "{}{}{}",
            &text[..edit.range.start],
            edit.replacement,
            &text[edit.range.end..]
        )
    }

    fn first_run(text: &str) -> (Dockerfile, Instruction, Script) {
        let file = Dockerfile::parse(text);
        let run = file.instructions().find(|i| i.as_run().is_some()).unwrap();
        let script = Script::of_run(&file, &run).unwrap();
        (file, run, script)
    }

    #[test]
    fn appends_in_the_style_of_the_run() {
        let text = "FROM a\nRUN apt-get update && apt-get install -y x\n";
        let (_, run, script) = first_run(text);
        let edit = append_command(
            &run,
            &script,
            "rm -rf /var/lib/apt/lists/*",
            text,
            '\\',
            &sh(),
        )
        .unwrap();
        assert_eq!(
            apply(text, edit),
            "FROM a\nRUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*\n"
        );

        let text = "FROM a\nRUN apt-get update \\\n  && apt-get install -y x;\n";
        let (_, run, script) = first_run(text);
        let edit = append_command(
            &run,
            &script,
            "rm -rf /var/lib/apt/lists/*",
            text,
            '\\',
            &sh(),
        )
        .unwrap();
        assert_eq!(
            apply(text, edit),
            "FROM a\nRUN apt-get update \\\n  && apt-get install -y x && \\\n  rm -rf /var/lib/apt/lists/*;\n"
        );

        let text = "FROM a\nRUN sleep 1 &\n";
        let (_, run, script) = first_run(text);
        assert!(append_command(&run, &script, "true", text, '\\', &sh()).is_none());
    }

    #[test]
    fn appends_after_compound_commands_and_their_redirections() {
        for (body, appended) in [
            (
                r#"if [ "$NODE_ENV" = production ]; then npm ci --omit=dev; else npm ci; fi"#,
                r#"if [ "$NODE_ENV" = production ]; then npm ci --omit=dev; else npm ci; fi && true"#,
            ),
            (
                r#"while read p; do npm install -g "$p"; done < /pkgs.txt"#,
                r#"while read p; do npm install -g "$p"; done < /pkgs.txt && true"#,
            ),
            ("(cd /x && make) 2>&1", "(cd /x && make) 2>&1 && true"),
        ] {
            let text = format!("FROM a\nRUN {body}\n");
            let (_, run, script) = first_run(&text);
            let edit = append_command(&run, &script, "true", &text, '\\', &sh()).unwrap();
            assert_eq!(apply(&text, edit), format!("FROM a\nRUN {appended}\n"));
        }
    }

    #[test]
    fn prepends_only_to_a_single_and_chain() {
        let text = "FROM a\nRUN if true; then apt-get install -y x; fi && echo ok\n";
        let (_, _, script) = first_run(text);
        assert_eq!(
            apply(text, prepend_command(&script, "apt-get update").unwrap()),
            "FROM a\nRUN apt-get update && if true; then apt-get install -y x; fi && echo ok\n"
        );
        for body in ["apt-get install -y x || true", "apt-get install -y x; echo"] {
            let text = format!("FROM a\nRUN {body}\n");
            let (_, _, script) = first_run(&text);
            assert!(
                prepend_command(&script, "apt-get update").is_none(),
                "{body}"
            );
        }
    }

    #[test]
    fn removes_from_an_and_chain() {
        let text = "FROM a\nRUN apk update && apk add x\n";
        let (_, _, script) = first_run(text);
        assert_eq!(
            apply(text, remove_from_and_chain(&script, 0, 0).unwrap()),
            "FROM a\nRUN apk add x\n"
        );
        let text = "FROM a\nRUN apk add x && \\\n    rm -rf /var/cache/apk/*\n";
        let (_, _, script) = first_run(text);
        assert_eq!(
            apply(text, remove_from_and_chain(&script, 0, 1).unwrap()),
            "FROM a\nRUN apk add x\n"
        );
        let text = "FROM a\nRUN apk update || true\n";
        let (_, _, script) = first_run(text);
        assert!(remove_from_and_chain(&script, 0, 0).is_none());
    }
}
