//! Generated Dockerfiles built from the shell constructs issue 8 lists:
//! `set -e` (also through `SHELL ["/bin/sh", "-e", "-c"]`), `;` lists,
//! `&&`/`||`, if/while/for/case, `{ }`, `( )`, redirections
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
        "exit 0",
        "exit 1",
        // More state a joined RUN would carry on.
        "command export B=3",
        "printf -v Y %s 1",
        "let Z=1",
        "declare -x D=1",
        "echo 'export E=5' > env.sh",
        ". ./env.sh",
        "f() { touch from_f; }",
        "f",
        "alias make=true",
        "trap 'echo bye >> out.txt' EXIT",
        "cd -",
        "hash -r",
        // More package managers and downloads, some behind wrappers.
        "npm ci --omit=dev",
        "yarn install --frozen-lockfile",
        "pnpm install",
        "pip install --no-cache-dir -r requirements.txt",
        "python3 -m pip install requests",
        "yum install -y gcc",
        "dnf install -y make",
        "microdnf install -y tar",
        "zypper install -y git",
        "gem install bundler",
        "bundle install",
        "wget https://example.com/tool.tar.gz",
        "curl -fsSLO https://example.com/app.jar",
        "sudo apt-get install -y vim",
        "env DEBIAN_FRONTEND=noninteractive apt-get install tzdata",
        "sha256sum -c sums",
        "make -C sub install",
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
            inner
                .clone()
                .prop_map(|a| format!("{{ {a}; }} 2>&1 >> log.txt")),
            inner.clone().prop_map(|a| format!("! {a}")),
            // No pipelines: their members run at once and log in any order,
            // so which one a failure is injected into is a race (the test
            // failed about one run in five). The cases and the corpus cover
            // pipelines.
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

/// An instruction between RUNs that changes what the next RUN sees (or,
/// for COPY, that transforms must not join across).
fn between() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "ENV A=9\n",
        "ARG MODE=release\n",
        "WORKDIR sub\n",
        "USER nobody\n",
        "USER root\n",
        "COPY . .\n",
        "SHELL [\"/bin/bash\", \"-e\", \"-c\"]\n",
    ])
    .prop_map(str::to_string)
}

/// A stage's instructions after its FROM: mostly RUNs, some others.
fn stage_body() -> impl Strategy<Value = String> {
    prop::collection::vec(prop_oneof![4 => run(), 1 => between()], 2..6)
        .prop_map(|items| items.concat())
}

/// A Dockerfile of one stage, or of a stage built on another (which
/// inherits its SHELL, ENV and WORKDIR).
pub fn dockerfile() -> impl Strategy<Value = String> {
    let shell = prop::sample::select(vec![
        "",
        "",
        "SHELL [\"/bin/sh\", \"-e\", \"-c\"]\n",
        "SHELL [\"/bin/bash\", \"-c\"]\n",
        "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n",
    ]);
    let workdir = prop::sample::select(vec!["", "WORKDIR /app\n"]);
    let child = prop::option::weighted(0.25, stage_body());
    (shell, workdir, stage_body(), child).prop_map(|(shell, workdir, body, child)| {
        let mut text = format!(
            "# syntax=docker/dockerfile:1\nFROM debian:bookworm AS base\n{shell}{workdir}{body}"
        );
        if let Some(child) = child {
            text.push_str("FROM base\n");
            text.push_str(&child);
        }
        text
    })
}
