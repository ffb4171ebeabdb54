use super::*;

fn script_of(text: &str) -> Script {
    let file = Dockerfile::parse(text);
    let run = file.instructions().find(|i| i.as_run().is_some()).unwrap();
    Script::of_run(&file, &run).unwrap()
}

fn slice<'t>(text: &'t str, range: &Range<usize>) -> &'t str {
    &text[range.clone()]
}

#[test]
fn words_map_back_across_continuations() {
    let text = "FROM a\nRUN apt-get update && \\\n    apt-get install -y curl\n";
    let script = script_of(text);
    let commands = script.simple_commands();
    assert_eq!(commands.len(), 2);
    let install = commands[1].0;
    assert_eq!(install.name().as_deref(), Some("apt-get"));
    for word in &install.words {
        assert_eq!(slice(text, &word.range), &*word.raw);
    }
    assert_eq!(slice(text, &install.range), "apt-get install -y curl");
    assert_eq!(
        slice(text, &script.lists[0].range),
        "apt-get update && \\\n    apt-get install -y curl"
    );
}

#[test]
fn crlf_and_non_ascii() {
    let text = "FROM a\r\nRUN echo \"héllo wörld\" && \\\r\n  touch ünïcode\r\n";
    let script = script_of(text);
    let commands = script.simple_commands();
    assert_eq!(commands.len(), 2);
    for (command, _) in &commands {
        for word in &command.words {
            assert_eq!(slice(text, &word.range), &*word.raw);
        }
    }
    assert_eq!(
        commands[1].0.args()[0].literal().as_deref(),
        Some("ünïcode")
    );
}

#[test]
fn heredoc_scripts_map_to_the_body() {
    let text = "FROM a\nRUN <<EOF\napt-get update\napt-get install -y git\nEOF\n";
    let file = Dockerfile::parse(text);
    let run = file.instructions().nth(1).unwrap();
    let scripts = Script::heredoc_scripts(&file, &run);
    assert_eq!(scripts.len(), 1);
    let commands = scripts[0].simple_commands();
    assert_eq!(commands.len(), 2);
    assert_eq!(slice(text, &commands[1].0.range), "apt-get install -y git");
    assert_eq!(scripts[0].source, ScriptSource::Heredoc { index: 0 });
    // A heredoc that is only data for `cat` is not a script.
    let text = "FROM a\nRUN cat <<EOF > /x\nhello\nEOF\n";
    let file = Dockerfile::parse(text);
    let run = file.instructions().nth(1).unwrap();
    assert!(Script::heredoc_scripts(&file, &run).is_empty());
}

#[test]
fn operators_and_terminators() {
    let script = script_of("RUN a || b; c &\n");
    assert!(script.has_top_level_or());
    assert!(script.has_background());
    assert_eq!(script.lists[0].terminator, Terminator::Semicolon);
    let script = script_of("RUN a && b;\n");
    assert!(!script.has_top_level_or());
    assert!(script.ends_with_semicolon());
    let script = script_of("RUN a && (b || c)\n");
    assert!(!script.has_top_level_or());
    assert!(!script.ends_with_semicolon());
}

#[test]
fn contexts_of_commands() {
    let script = script_of("RUN a | b && (c) && if d; then e; fi || f\n");
    let contexts: Vec<(String, CommandContext)> = script
        .simple_commands()
        .into_iter()
        .map(|(command, context)| (command.name().unwrap(), context))
        .collect();
    let context = |name: &str| contexts.iter().find(|(n, _)| n == name).unwrap().1;
    assert!(context("a").in_pipeline && context("a").top_level);
    assert!(context("c").in_subshell && !context("c").top_level);
    assert!(context("e").in_compound);
    assert!(context("f").conditional);
}

#[test]
fn state_changes_that_leak() {
    for (body, expected) in [
        ("cd /src && make", vec!["cd"]),
        ("export A=1", vec!["export"]),
        ("source env.sh", vec!["source"]),
        (". env.sh", vec!["."]),
        ("set -e", vec!["set"]),
        ("umask 022", vec!["umask"]),
        ("alias ll=ls", vec!["alias"]),
        ("shopt -s globstar", vec!["shopt"]),
        ("ulimit -n 1024", vec!["ulimit"]),
        ("A=1", vec!["NAME="]),
        ("f() { true; }", vec!["function"]),
        ("if true; then cd /x; fi", vec!["cd"]),
        ("{ cd /x; }", vec!["cd"]),
        ("exit 0", vec!["exit"]),
        ("$CMD /x", vec!["$CMD"]),
        (": \"${MODE:=debug}\"", vec!["${NAME:=}"]),
        ("echo \"${X=1}\" > /x", vec!["${NAME:=}"]),
        ("echo $((N=1))", vec!["${NAME:=}"]),
        ("command cd /x", vec!["cd"]),
        ("command export A=1", vec!["export"]),
        ("builtin cd /x", vec!["cd"]),
        ("printf -v X %s 1", vec!["printf"]),
        ("let X=1", vec!["let"]),
        ("MODE=debug :", vec![":"]),
        ("for f in a b; do :; done", vec!["for"]),
        ("((N++))", vec!["(("]),
    ] {
        let script = script_of(&format!("RUN {body}\n"));
        let found: Vec<String> = script
            .state_changes()
            .into_iter()
            .map(|c| c.command)
            .collect();
        assert_eq!(found, expected, "{body}");
    }
    for body in [
        "(cd /x && make)",
        "cd /x | cat",
        "A=1 make",
        "echo $(cd /x; pwd)",
        "make install",
        "command -v cd",
        "printf %s x",
        "echo \"${X:-default}\" $((1 + 2)) $((A == B))",
        "(for f in a; do :; done)",
    ] {
        let script = script_of(&format!("RUN {body}\n"));
        assert!(script.state_changes().is_empty(), "{body}");
    }
}

#[test]
fn expansion_assignments_are_found() {
    for (raw, expected) in [
        ("\"${MODE:=debug}\"", vec!["MODE"]),
        ("${A=1}${B:-2}", vec!["A"]),
        ("$((X=1))", vec!["X"]),
        ("$((X += 2))", vec!["X"]),
        ("$((i++))", vec!["i"]),
        ("$((--j))", vec!["j"]),
        ("$((a <<= 1))", vec!["a"]),
        ("$((a == b || c != d || e <= f || g >= h))", vec![]),
        ("${X:-a=b} ${#Y} ${1:=x}", vec![]),
    ] {
        assert_eq!(expansion_assignments(raw), expected, "{raw}");
    }
}

#[test]
fn literal_words() {
    let word = |raw: &str| Word::new(raw, 0..0);
    assert_eq!(word("'a b'").literal().as_deref(), Some("a b"));
    assert_eq!(word("\"x\\$y\"").literal().as_deref(), Some("x$y"));
    assert_eq!(word("a\\ b").literal().as_deref(), Some("a b"));
    assert_eq!(word("$HOME/x").literal(), None);
    assert_eq!(word("'$HOME'").literal().as_deref(), Some("$HOME"));
    assert_eq!(word("\"$(pwd)\"").literal(), None);
}

#[test]
fn posix_shells() {
    let shell = |words: &[&str]| words.iter().map(|w| w.to_string()).collect::<Vec<_>>();
    assert!(is_posix_shell(None));
    assert!(is_posix_shell(Some(&shell(&[
        "/bin/bash",
        "-o",
        "pipefail",
        "-c"
    ]))));
    assert!(is_posix_shell(Some(&shell(&[
        "/bin/ash", "-eo", "pipefail", "-c"
    ]))));
    assert!(!is_posix_shell(Some(&shell(&["powershell", "-Command"]))));
    assert!(!is_posix_shell(Some(&shell(&["pwsh", "-c"]))));
    assert!(!is_posix_shell(Some(&shell(&["cmd", "/S", "/C"]))));
    assert!(!is_posix_shell(Some(&shell(&[
        "C:\\Windows\\System32\\cmd.exe",
        "/C"
    ]))));
}

#[test]
fn no_script_for_exec_form_powershell_or_bad_syntax() {
    let none = |text: &str| {
        let file = Dockerfile::parse(text);
        let run = file.instructions().find(|i| i.as_run().is_some()).unwrap();
        Script::of_run(&file, &run).is_none()
    };
    assert!(none("FROM a\nRUN [\"echo\", \"hi\"]\n"));
    assert!(none(
        "FROM a\nSHELL [\"pwsh\", \"-c\"]\nRUN Write-Host hi\n"
    ));
    assert!(none("FROM a\nRUN echo 'unterminated\n"));
    assert!(none("FROM a\nRUN if then fi fi\n"));
    assert!(!none(
        "FROM a\nSHELL [\"pwsh\", \"-c\"]\nFROM b\nRUN echo hi\n"
    ));
}

/// Every RUN of the corpus: no panic, and each word's range holds its text
/// (when the word does not straddle a continuation).
#[test]
fn corpus_runs_map_back() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let Some(files) = files_in_folders_of(&root) else {
        eprintln!("skipping: no corpus");
        return;
    };
    let (mut runs, mut parsed) = (0, 0);
    for (path, text) in files {
        let file = Dockerfile::parse(&text);
        for run in file
            .instructions()
            .filter(|i| i.as_run().is_some_and(|r| !r.is_exec_form()))
        {
            runs += 1;
            let scripts = Script::all_of_run(&file, &run);
            if scripts.is_empty() {
                continue;
            }
            parsed += 1;
            for script in &scripts {
                for (command, _) in script.simple_commands() {
                    for word in command.words.iter().chain(&command.assignments) {
                        let found = &text[word.range.clone()];
                        if !found.contains('\n') {
                            assert_eq!(found, &*word.raw, "{}", path.display());
                        }
                    }
                }
            }
        }
    }
    eprintln!("{parsed} of {runs} shell-form RUNs parsed");
    assert!(
        parsed * 100 >= runs * 95,
        "only {parsed} of {runs} RUNs parsed"
    );
}

/// The text of each top-level list of a heredoc script holding `body`.
fn top_level_lists(body: &str) -> Vec<String> {
    let text = format!("FROM a\nRUN <<EOT\n{body}\nEOT\n");
    let file = Dockerfile::parse(&text);
    let run = file.instructions().nth(1).unwrap();
    let scripts = Script::heredoc_scripts(&file, &run);
    scripts[0]
        .lists
        .iter()
        .map(|list| text[list.range.clone()].to_string())
        .collect()
}

#[test]
fn compound_commands_cover_their_closing_keyword_and_redirections() {
    for body in [
        r#"if [ "$NODE_ENV" = production ]; then npm ci --omit=dev; else npm ci; fi"#,
        r#"while read p; do npm install -g "$p"; done < /pkgs.txt"#,
        "if a; then b; elif c; then d; else if e; then f; fi; fi > /log",
        "for a in b; do echo; done 2>&1",
        "case x in a) echo;; esac >/dev/null",
        "{ echo; } > /x",
        "(echo) 2>&1",
        "f() { echo; } 2>/dev/null",
        "time ls -l | wc",
        "[[ -f x ]] > y",
        // A heredoc line `fi` is data, not the keyword.
        "if a; then cat <<E\nfi\nE\nfi",
    ] {
        assert_eq!(top_level_lists(body), [body], "{body}");
    }
    // A heredoc's body follows the line of its operator; the command ends
    // at the operator, where ` && next` still runs after it.
    assert_eq!(
        top_level_lists("until false; do :; done <<E\nx\nE"),
        ["until false; do :; done <<E"]
    );
    assert_eq!(
        top_level_lists("echo a && if true; then echo; fi; echo b"),
        ["echo a && if true; then echo; fi", "echo b"]
    );
}

/// The readable files directly inside each folder of `root`, in path
/// order; `None` when `root` cannot be read.
fn files_in_folders_of(root: &std::path::Path) -> Option<Vec<(std::path::PathBuf, String)>> {
    let mut folders: Vec<_> = std::fs::read_dir(root)
        .ok()?
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    folders.sort();
    let mut files = Vec::new();
    for folder in folders {
        for entry in std::fs::read_dir(folder).into_iter().flatten().flatten() {
            if let Ok(text) = std::fs::read_to_string(entry.path()) {
                files.push((entry.path(), text));
            }
        }
    }
    Some(files)
}

/// Whether the fast path for plain scripts takes `text`; when it does, its
/// script must be the one brush-parser and our conversion give.
fn plain_agrees_with_brush(text: &str) -> bool {
    let Some(plain) = plain::parse(text) else {
        return false;
    };
    assert_eq!(
        Ok(plain),
        convert::parse(text),
        "the fast path and brush-parser disagree on {text:?}"
    );
    true
}

#[test]
fn plain_scripts_parse_as_brush_parses_them() {
    for text in [
        "apt-get update && apt-get install -y curl",
        "apt-get update&&apt-get install -y curl||true",
        "pip install flask==2.0 'requests>=2' \"x y\"",
        "mkdir -p /opt/a && cd /opt/a && echo ok > /opt/a/ready",
        "apk add --virtual .build gcc && rm -rf /var/cache/apk/*",
        "a; b ;c\n\nd |\n e &&\n\tf",
        "make 2>/dev/null >>log <input",
        "echo a>b",
        "[ -f /etc/x ] || touch ~/x",
        "echo done-ish fi= in1 x;",
        "  echo leading and trailing blanks  \n",
        "export A=b",
        "echo $HOME ${A}b \"$B-${C_1}\" '$x' a$D",
        "if [ -f /etc/x ]; then echo found; fi",
        "if a\nthen b; c\nelif d; then e\nelse if f; then g; fi; fi && h | if i; then j; fi",
    ] {
        assert!(plain_agrees_with_brush(text), "not taken: {text:?}");
    }
    for text in [
        "A=b cmd",
        "A=b",
        "for a in b; do echo $a; done",
        "echo in",
        "echo $1 $?",
        "echo ${A:-b}",
        "echo ${1}",
        "echo $",
        "echo \"a$\"",
        "echo ${A",
        "if a; then b; fi > x",
        "if a; then; fi",
        "if a then b; fi",
        "if a; then b",
        "if a; then b; fi; fi",
        "if a; then b; else fi",
        "echo fi",
        "echo `date`",
        "echo \\x",
        "a \\\n b",
        "a & b",
        "a &",
        "a # comment",
        "a 2>&1",
        "a >& b",
        "a <<EOF",
        "a <<<x",
        "a <>x",
        "a >|x",
        "a |& b",
        "a;; b",
        "! a",
        "time a",
        "{ a; }",
        "(a)",
        "a $(b)",
        "echo é",
        "a &&",
        "&& a",
        "; a",
        "a | | b",
        "a\r\n",
        ">x",
        "a >",
        "a > 2>x",
        "a 12>x",
        "a 2147483648>x",
        "echo 'a\nb'",
        "echo 'unterminated",
        "",
        " \n ",
    ] {
        assert!(!plain_agrees_with_brush(text), "taken: {text:?}");
    }
}

/// Every shell text of the corpus's and the cases' RUNs, through both
/// parsers; and the fast path must take a fair share of them, or it is
/// dead code.
#[test]
fn plain_scripts_of_the_corpus_and_cases_parse_as_brush_parses_them() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    // The transforms' READMEs, their cases, and the corpus.
    let transforms = root.join("transforms");
    let mut folders = vec![transforms.clone(), root.join("../shared/corpus")];
    if let Ok(entries) = std::fs::read_dir(&transforms) {
        folders.extend(entries.flatten().map(|entry| entry.path()));
    }
    let (mut texts, mut taken) = (0, 0);
    for folder in folders {
        let Some(files) = files_in_folders_of(&folder) else {
            eprintln!("SKIPPED {}: absent", folder.display());
            continue;
        };
        for (_, text) in files {
            let file = Dockerfile::parse(&text);
            for run in file.instructions().filter(|i| i.as_run().is_some()) {
                for (_, script) in shell_texts(&run) {
                    texts += 1;
                    taken += usize::from(plain_agrees_with_brush(&script));
                }
            }
        }
    }
    eprintln!("the fast path took {taken} of {texts} shell texts");
    assert!(
        taken * 4 >= texts,
        "the fast path took only {taken} of {texts} texts"
    );
}

mod generated_plain_scripts {
    use super::plain_agrees_with_brush;
    use proptest::prelude::*;
    use proptest::sample::select;

    const WORDS: &[&str] = &[
        "apt-get", "install", "-y", "curl", "x*", "[", "]", "~/a", "--opt=1", "a=b", "'q w'",
        "\"d q\"", "'$x'", "\"$x\"", "2", "12", "if", "in", "fi", "done", "{", "}", "#c", "$v",
        "é", "a'b'c", "\"a\"b", "'", "\"", "!x", "x!", "a\\b", "$A", "${A}", "\"$A\"", "$1",
        "${A:-x}", "$?", "$", "then", "else", "elif", "if", "fi;", "(", ")",
    ];
    const OPERATORS: &[&str] = &[
        " ", "\t", "\n", " && ", "&&", " || ", "||", " | ", "|", ";", "; ", " ;\n", ";;", "&",
        " &\n", " &&\n  ", "\n\n", "|\n",
    ];
    const REDIRECTS: &[&str] = &[
        ">", ">>", "<", "2>", " 2> ", " > ", "<<", ">&", "<>", ">|", "&>", "1>>",
    ];

    fn command() -> impl Strategy<Value = String> {
        (
            proptest::collection::vec(select(WORDS), 1..4),
            proptest::option::of((select(REDIRECTS), select(WORDS))),
        )
            .prop_map(|(words, redirect)| {
                let mut text = words.join(" ");
                if let Some((operator, target)) = redirect {
                    text.push_str(operator);
                    text.push_str(target);
                }
                text
            })
    }

    /// Pieces of the subset the fast path reads.
    const PLAIN_NAMES: &[&str] = &[
        "apt-get", "x*", "[", "~/a", "'q w'", "2a", "a'b'c", "\"a\"b",
    ];
    const PLAIN_WORDS: &[&str] = &[
        "install",
        "-y",
        "--opt=1",
        "'q w'",
        "\"d q\"",
        "'$x'",
        "2",
        "12",
        "]",
        "a=b",
        "x'!'",
        "$A",
        "${B_1}c",
        "\"$C\"",
        "a,b:c@d+e%f^g~",
        "'#x'",
        "\"a#b!\"",
        "'a\"b'",
        "\"a'b\"",
    ];
    const PLAIN_OPERATORS: &[&str] = &[
        " && ", "&&", " || ", "||", " | ", "|", ";", "; ", " ;\n", "\n", " &&\n  ", "\n\n", "|\n",
    ];
    const PLAIN_REDIRECTS: &[&str] = &[">", ">>", "<", "2>", " 2> ", " > ", "1>>", " 0<"];

    fn plain_command() -> impl Strategy<Value = String> {
        (
            select(PLAIN_NAMES),
            proptest::collection::vec(select(PLAIN_WORDS), 0..4),
            proptest::option::of((select(PLAIN_REDIRECTS), select(PLAIN_WORDS))),
        )
            .prop_map(|(name, words, redirect)| {
                let mut text = name.to_string();
                for word in words {
                    text.push(' ');
                    text.push_str(word);
                }
                if let Some((operator, target)) = redirect {
                    // `a 12>x`: a descriptor of several digits, which the
                    // fast path leaves to brush-parser.
                    if text.ends_with(|c: char| c.is_ascii_digit()) && !operator.starts_with(' ') {
                        text.push(' ');
                    }
                    text.push_str(operator);
                    text.push_str(target);
                }
                text
            })
    }

    /// Plain commands joined by operators, some in `if` clauses.
    fn plain_chain() -> impl Strategy<Value = String> {
        let chain = (
            plain_command(),
            proptest::collection::vec((select(PLAIN_OPERATORS), plain_command()), 0..3),
        )
            .prop_map(|(first, rest)| {
                rest.iter().fold(first, |text, (operator, command)| {
                    format!("{text}{operator}{command}")
                })
            });
        chain.prop_recursive(2, 12, 3, |inner| {
            (
                inner.clone(),
                inner.clone(),
                proptest::option::of(inner),
                select(&["; ", ";", "\n", " ;\n  "][..]),
            )
                .prop_map(|(condition, body, otherwise, end)| match otherwise {
                    Some(otherwise) => format!(
                        "if {condition}{end}then {body}{end}elif {body}{end}then\n{condition}{end}else {otherwise}{end}fi"
                    ),
                    None => format!("if {condition}{end}then {body}{end}fi"),
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// Scripts of the subset: the fast path takes every one.
        #[test]
        fn plain_chains(first in plain_chain(), rest in proptest::collection::vec((select(PLAIN_OPERATORS), plain_chain()), 0..3)) {
            let text: String = rest.iter().fold(first, |text, (operator, command)| format!("{text}{operator}{command}"));
            prop_assert!(plain_agrees_with_brush(&text), "not taken: {text:?}");
        }

        /// Structured scripts: commands joined by operators.
        #[test]
        fn chains(parts in proptest::collection::vec((command(), select(OPERATORS)), 1..6)) {
            let text: String = parts.iter().map(|(command, operator)| format!("{command}{operator}")).collect();
            plain_agrees_with_brush(&text);
        }

        /// Any sequence of the same pieces, blanks or not between them.
        #[test]
        fn soup(pieces in proptest::collection::vec(prop_oneof![select(WORDS), select(OPERATORS), select(REDIRECTS)], 1..16)) {
            plain_agrees_with_brush(&pieces.concat());
        }
    }
}
