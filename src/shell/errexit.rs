//! Whether errexit (`set -e`) can be on where a script runs, and whether it
//! decides what the script does. Rewrites that put a script, or its last
//! command, before a `&&` must know: POSIX ignores errexit in every command
//! of an `&&`/`||` list but the last, and in everything such a command runs
//! (subshells, brace groups, functions), in dash and bash alike.

use super::{AndOr, AndOrList, Command, CompoundKind, Pipeline, Script};

/// `SHELL ["/bin/sh", "-e", "-c"]`, `["/bin/bash", "-eo", "pipefail", "-c"]`,
/// `["bash", "-o", "errexit", "-c"]`.
pub fn shell_sets_errexit(shell: &[String]) -> bool {
    let options = shell.iter().skip(1);
    options.clone().any(|word| word == "errexit")
        || options
            .into_iter()
            .any(|word| word.starts_with('-') && !word.starts_with("--") && word.contains('e'))
}

/// A `set` that may turn errexit on, or something that may run one
/// (`eval`, `.`, a command name we cannot read), anywhere in the script.
pub fn may_enable_errexit(script: &Script) -> bool {
    script.simple_commands().iter().any(|(command, _)| {
        let Some((program, args)) = command.effective() else {
            return true;
        };
        match program {
            "set" | "shopt" => args.iter().any(|arg| match arg.literal() {
                None => true,
                Some(arg) => {
                    arg == "errexit"
                        || program == "set"
                            && arg.starts_with('-')
                            && !arg.starts_with("--")
                            && arg.contains('e')
                }
            }),
            "eval" | "." | "source" => true,
            _ => false,
        }
    })
}

/// True when errexit on or off gives the same result: one `&&` chain of
/// simple commands, not negated, that does not run lists through `eval`,
/// `.`, traps, or command substitutions (bash in POSIX mode, and dash, run
/// those with errexit inherited).
pub fn errexit_cannot_matter(script: &Script) -> bool {
    let [list] = script.lists.as_slice() else {
        return false;
    };
    let defines_functions = defines_function(&script.lists);
    list.operators
        .iter()
        .all(|operator| *operator == AndOr::And)
        && !list
            .pipelines
            .iter()
            .any(|pipeline| runs_lists_errexit_governs(pipeline, defines_functions))
}

/// True when errexit decides what happens inside `pipeline`: it is negated,
/// or one of its commands is a compound command, runs lists (`eval`, `.`,
/// `trap`, a command substitution holding a list), has a name we cannot
/// read, or may call a function the script defines (the parser keeps no
/// function names, so with any function defined, any simple command may be
/// a call).
fn runs_lists_errexit_governs(pipeline: &Pipeline, defines_functions: bool) -> bool {
    pipeline.negated
        || pipeline.commands.iter().any(|command| match command {
            Command::Compound { .. } => true,
            Command::Simple(simple) => {
                let runs_lists = simple
                    .assignments
                    .iter()
                    .chain(&simple.words)
                    .chain(&simple.redirects)
                    .any(|word| substitution_has_list(&word.raw));
                runs_lists
                    || defines_functions
                    || simple.effective().is_none_or(|(program, _)| {
                        matches!(program, "eval" | "." | "source" | "trap")
                    })
            }
        })
}

/// A command substitution holding more than one pipeline (`$(a; b)`).
fn substitution_has_list(raw: &str) -> bool {
    (raw.contains("$(") || raw.contains('`'))
        && ["; ", ";", "&&", "||", "\n"]
            .iter()
            .any(|separator| raw.contains(separator))
}

/// True when appending `&& command` after the script's last pipeline
/// could change what the script does: errexit may be on, and the last
/// pipeline runs lists whose failures errexit would have stopped (a
/// compound command, a function, `eval`, a command substitution with a
/// list). Such a RUN gets no appended command.
pub fn append_would_disable_errexit(script: &Script, shell: &[String]) -> bool {
    let may_be_on = shell_sets_errexit(shell) || may_enable_errexit(script);
    if !may_be_on {
        return false;
    }
    let Some(last) = script.lists.last().and_then(|list| list.pipelines.last()) else {
        return false;
    };
    runs_lists_errexit_governs(last, defines_function(&script.lists))
}

/// True when a function is defined anywhere in `lists`.
fn defines_function(lists: &[AndOrList]) -> bool {
    lists.iter().any(|list| {
        list.pipelines.iter().any(|pipeline| {
            pipeline.commands.iter().any(|command| match command {
                Command::Compound { kind, inner, .. } => {
                    *kind == CompoundKind::Function || defines_function(inner)
                }
                Command::Simple(_) => false,
            })
        })
    })
}
