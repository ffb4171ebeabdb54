//! Generated Dockerfiles built from the shell constructs issue 8 lists:
//! `set -e` (also through `SHELL ["/bin/sh", "-e", "-c"]`), `;` lists,
//! `&&`/`||`, if/while/for/case, `{ }`, `( )`, pipelines, redirections
//! after compound commands, `: "${MODE:=debug}"`, `$((X=1))`, `command
//! cd`, `command export`, bash's `printf -v`/`let`/`declare`, functions,
//! aliases, traps, `. ./file`, `export`, `cd`, heredoc RUNs, installs with
//! apt-get, apk, yum, dnf, microdnf, zypper, npm, yarn, pnpm, pip, gem and
//! bundle (some behind sudo or env), downloads, consecutive RUNs with ENV,
//! ARG, WORKDIR, USER, COPY or SHELL between them, and a second stage
//! built on the first (which inherits its SHELL). Commands write relative
//! files (`out.txt`, `log.txt`) so that what they do shows in the root.

use proptest::prelude::*;

/// A simple command, or a short list the transforms care about.
fn simple() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "apt-get update",
        "apt-get install -y curl",
        "apt-get update && apt-get install -y git",
        "apt-get install --no-install-recommends -y ca-certificates",
        "apk add curl",
        "apk update && apk add git",
        "npm install",
        "npm ci",
        "npm install -g pm2",
        "yarn install",
        "pip install flask",
        "pip3 install -r requirements.txt",
        "gem install rails",
        "make",
        "make install",
        "go build ./...",
        "sha256sum -c sums.txt",
        "curl -fsSLo app.tgz https://example.com/app.tgz",
        "tar xzf app.tgz",
        "mkdir -p sub",
        "cd sub",
        "command cd sub",
        "cd ..",
        "export A=1",
        "A=2",
        ": \"${MODE:=debug}\"",
        ": $((X=1))",
        "set -e",
        "set +e",
        "set -eu",
        "umask 077",
        "echo \"a=${A-unset} mode=${MODE-unset} x=${X-unset}\" >> out.txt",
        "pwd >> out.txt",
        "touch flag",
        "rm -f flag",
        "printf 'p1\\np2\\n' > list.txt",
        "false",
        "true",
    ])
    .prop_map(str::to_string)
}

/// A command: simple, or a compound command around others.
fn command() -> impl Strategy<Value = String> {
    simple().prop_recursive(2, 8, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| format!("if [ -f flag ]; then {a}; else {b}; fi")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("if {a}; then {b}; fi")),
            inner
                .clone()
                .prop_map(|a| format!("for p in one two; do {a}; done")),
            inner
                .clone()
                .prop_map(|a| format!("while read p; do {a}; done < list.txt")),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| format!("case \"${{MODE-}}\" in debug) {a};; *) {b};; esac")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{{ {a}; {b}; }}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("( {a}; {b} )")),
            inner.clone().prop_map(|a| format!("{{ {a}; }} > log.txt")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} || {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} && {b}")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("{a}; {b}")),
        ]
    })
}

/// One RUN instruction: shell form or a heredoc script.
fn run() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(command(), 1..3)
            .prop_map(|commands| format!("RUN {}\n", commands.join(" && "))),
        2 => prop::collection::vec(command(), 1..3)
            .prop_map(|commands| format!("RUN {}\n", commands.join("; "))),
        1 => prop::collection::vec(command(), 1..4)
            .prop_map(|commands| format!("RUN <<EOF\n{}\nEOF\n", commands.join("\n"))),
    ]
}

/// A Dockerfile of one stage with two to four RUNs.
pub fn dockerfile() -> impl Strategy<Value = String> {
    let shell = prop::sample::select(vec![
        "",
        "",
        "SHELL [\"/bin/sh\", \"-e\", \"-c\"]\n",
        "SHELL [\"/bin/bash\", \"-c\"]\n",
        "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n",
    ]);
    let workdir = prop::sample::select(vec!["", "WORKDIR /app\n"]);
    (shell, workdir, prop::collection::vec(run(), 2..5)).prop_map(|(shell, workdir, runs)| {
        format!(
            "# syntax=docker/dockerfile:1\nFROM debian:bookworm\n{shell}{workdir}{}",
            runs.concat()
        )
    })
}
