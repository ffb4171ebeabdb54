//! Every shell body dockfix rewrites passes `sh -n`, for any input: all
//! transforms, unsafe fixes included, run on generated `RUN`s made of
//! package-manager commands inside `if`/`while`/`for`/`case`, groups,
//! subshells, pipelines, redirections and heredoc scripts; each rewritten
//! body (and heredoc script) is then checked with dash's `-n`.
//!
//! Needs `dash` on the PATH; the test says so and passes when it is absent.

use std::io::Write;
use std::process::{Command, Stdio};

use dockfix::engine::{self, Context, Policy};
use dockfix::shell::{ScriptSource, run_shell_is_posix, shell_texts};
use dockfix::syntax::{Dockerfile, InstructionKind};
use dockfix::transforms;
use proptest::prelude::*;

/// Commands the transforms act on, and some they must leave alone.
fn simple() -> impl Strategy<Value = String> {
    let command = prop_oneof![
        Just("apt-get update"),
        Just("apt-get install -y curl"),
        Just("apt-get install -y gcc libpq-dev"),
        Just("apk add build-base"),
        Just("apt-get clean"),
        Just("npm ci"),
        Just("npm install -g pm2"),
        Just("yarn install"),
        Just("pip install flask"),
        Just("apk update"),
        Just("apk add git"),
        Just("gem install rails"),
        Just("yum install -y git"),
        Just("curl -fsSLO https://example.com/app.tar.gz"),
        Just("cd /app"),
        Just("set -e"),
        Just("echo \"$X\""),
        Just("make"),
    ];
    let redirect = prop_oneof![
        4 => Just(""),
        1 => Just(" > /log"),
        1 => Just(" 2>&1"),
        1 => Just(" < /in"),
    ];
    (command, redirect).prop_map(|(command, redirect)| format!("{command}{redirect}"))
}

/// An and-or list of pipelines.
fn and_or(inner: impl Strategy<Value = String> + Clone) -> impl Strategy<Value = String> + Clone {
    let operator = prop_oneof![3 => Just(" && "), 1 => Just(" || "), 1 => Just(" | ")];
    (
        inner.clone(),
        proptest::collection::vec((operator, inner), 0..3),
    )
        .prop_map(|(first, rest)| {
            rest.into_iter().fold(first, |mut list, (operator, next)| {
                list.push_str(operator);
                list.push_str(&next);
                list
            })
        })
}

/// A command: simple, or compound with an optional redirection.
fn command() -> BoxedStrategy<String> {
    simple()
        .prop_recursive(3, 24, 3, |inner| {
            let list = and_or(inner.clone());
            let redirect =
                prop_oneof![3 => Just(""), 1 => Just(" < /pkgs.txt"), 1 => Just(" > /log 2>&1")];
            let compound = prop_oneof![
                (list.clone(), list.clone()).prop_map(|(c, b)| format!("if {c}; then {b}; fi")),
                (list.clone(), list.clone(), list.clone())
                    .prop_map(|(c, b, e)| format!("if {c}; then {b}; else {e}; fi")),
                (list.clone(), list.clone()).prop_map(|(c, b)| format!("while {c}; do {b}; done")),
                list.clone()
                    .prop_map(|b| format!("for p in a b; do {b}; done")),
                (list.clone(), list.clone())
                    .prop_map(|(a, b)| format!("case \"$X\" in a) {a};; *) {b};; esac")),
                list.clone().prop_map(|b| format!("{{ {b}; }}")),
                list.clone().prop_map(|b| format!("({b})")),
            ];
            prop_oneof![
                2 => inner,
                3 => (compound, redirect).prop_map(|(c, r)| format!("{c}{r}")),
            ]
        })
        .boxed()
}

/// A script: and-or lists separated by `;` or continued lines.
fn script() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(and_or(command()), 1..4)
}

fn run_instruction() -> impl Strategy<Value = String> {
    let separator = prop_oneof![Just("; "), Just(" && \\\n    "), Just(" ; \\\n    ")];
    prop_oneof![
        3 => (script(), separator).prop_map(|(lists, separator)| format!("RUN {}\n", lists.join(separator))),
        1 => script().prop_map(|lists| format!("RUN <<EOF\n{}\nEOF\n", lists.join("\n"))),
    ]
}

fn dockerfile() -> impl Strategy<Value = String> {
    let base = prop_oneof![
        Just("FROM debian:bookworm\n"),
        Just("FROM node:20-bookworm\n"),
        Just("FROM python:3.12-bookworm\n"),
        Just("FROM alpine:3.19\n"),
    ];
    (base, proptest::collection::vec(run_instruction(), 1..4))
        .prop_map(|(base, runs)| format!("{base}{}CMD [\"app\"]\n", runs.concat()))
}

/// The shell texts a POSIX shell runs in `text`.
fn scripts(text: &str) -> Vec<String> {
    let file = Dockerfile::parse(text);
    file.instructions()
        .filter(|i| i.kind() == InstructionKind::Run && run_shell_is_posix(&file, i))
        .flat_map(|run| {
            let heredoc_run = !run.heredocs().is_empty();
            shell_texts(&run)
                .into_iter()
                .filter(move |(source, _)| !(heredoc_run && *source == ScriptSource::ShellForm))
                .map(|(_, text)| text)
        })
        .collect()
}

/// dash's verdict on `script`: `Err` with its message when it does not parse.
fn dash_syntax_check(script: &str) -> Result<(), String> {
    let mut child = Command::new("dash")
        .arg("-n")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dash runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

fn dash_available() -> bool {
    Command::new("dash")
        .args(["-c", "true"])
        .status()
        .is_ok_and(|status| status.success())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn rewritten_shell_bodies_pass_sh_n(text in dockerfile()) {
        if !dash_available() {
            eprintln!("shell_rewrites: dash is not on the PATH; sh -n checks skipped");
            return Ok(());
        }
        for script in scripts(&text) {
            prop_assert!(dash_syntax_check(&script).is_ok(), "generated input does not parse: {script}");
        }
        let policy = Policy { allow_unsafe: true, ..Policy::default() };
        let all = transforms::all();
        let outcome = engine::run(&text, &all, &Context::detached(), &policy).unwrap();
        let before = scripts(&text);
        for script in scripts(&outcome.text) {
            if before.contains(&script) {
                continue;
            }
            if let Err(message) = dash_syntax_check(&script) {
                prop_assert!(false, "rewritten body fails sh -n ({message}):\n{script}\nfrom:\n{text}\nto:\n{}", outcome.text);
            }
        }
    }
}
