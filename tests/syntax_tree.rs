//! The parser against BuildKit's rules, one behaviour per test.

use dockfix::syntax::{CommandForm, Dockerfile, InstructionKind, SyntaxKind, dump, token_kinds};

fn parse(text: &str) -> Dockerfile {
    let file = Dockerfile::parse(text);
    assert_eq!(file.printed(), text, "round trip");
    file
}

fn sexp(text: &str) -> String {
    dump::dump(&parse(text)).unwrap()
}

#[test]
fn directives_only_before_anything_else() {
    let file = parse("# syntax=docker/dockerfile:1\n# escape=`\n# check=skip=all\nFROM a\n");
    assert_eq!(file.escape(), '`');
    assert_eq!(file.directives().len(), 3);
    // A comment first ends the directives: the escape line is a comment.
    let file = parse("# hello\n# escape=`\nFROM a\n");
    assert_eq!(file.escape(), '\\');
    // A blank line first ends them too.
    let file = parse("\n# escape=`\nFROM a\n");
    assert_eq!(file.escape(), '\\');
}

#[test]
fn backtick_escape_and_windows_paths() {
    let text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore\nWORKDIR C:\\Users\\app\nRUN dir `\n    C:\\\n";
    assert_eq!(
        sexp(text),
        "(from \"mcr.microsoft.com/windows/servercore\")\n(workdir \"C:\\\\Users\\\\app\")\n(run \"dir     C:\\\\\")\n"
    );
}

#[test]
fn duplicate_or_invalid_directives_are_reported() {
    assert!(!parse("# escape=x\nFROM a\n").diagnostics().is_empty());
    assert!(
        !parse("# escape=`\n# escape=\\\nFROM a\n")
            .diagnostics()
            .is_empty()
    );
}

#[test]
fn continuation_with_comments_and_blank_lines() {
    let text = "RUN echo a \\\n# a comment\n\n   # indented comment\n  b\n";
    assert_eq!(sexp(text), "(run \"echo a   b\")\n");
    let file = parse(text);
    let run = file.instructions().next().unwrap();
    assert!(run.has_inner_comments());
}

#[test]
fn trailing_whitespace_after_the_escape() {
    assert_eq!(sexp("RUN echo a \\ \t\n  b\n"), "(run \"echo a   b\")\n");
}

#[test]
fn escaped_escape_does_not_continue() {
    assert_eq!(
        sexp("ENV A=b\\\\\nENV C=d\n"),
        "(env \"A\" \"b\\\\\\\\\" \"=\")\n(env \"C\" \"d\" \"=\")\n"
    );
}

#[test]
fn crlf_bom_and_no_final_newline() {
    let text = "\u{feff}FROM a\r\nRUN x \\\r\n  y\r\nCMD z";
    let file = parse(text);
    assert_eq!(token_kinds(file.syntax())[0], SyntaxKind::BOM);
    assert_eq!(
        dump::dump(&file).unwrap(),
        "(from \"a\")\n(run \"x   y\")\n(cmd \"z\")\n"
    );
    assert_eq!(file.instructions().nth(1).unwrap().newline_style(), "\r\n");
}

#[test]
fn keywords_in_any_case() {
    let file = parse("fRoM a\nrun b\nCopy c d\n");
    let kinds: Vec<_> = file.instructions().map(|i| i.kind()).collect();
    assert_eq!(
        kinds,
        [
            InstructionKind::From,
            InstructionKind::Run,
            InstructionKind::Copy
        ]
    );
}

#[test]
fn every_flag_kind() {
    let text = "FROM --platform=linux/amd64 a AS b\n\
                RUN --mount=type=cache,target=/x --network=none --security=insecure make\n\
                COPY --from=b --chmod=755 --chown=1:1 --link /a /b\n";
    let file = parse(text);
    let flags: Vec<Vec<String>> = file
        .instructions()
        .map(|i| i.flags().into_iter().map(|f| f.name).collect())
        .collect();
    assert_eq!(flags[0], ["platform"]);
    assert_eq!(flags[1], ["mount", "network", "security"]);
    assert_eq!(flags[2], ["from", "chmod", "chown", "link"]);
    let run = file.instructions().nth(1).unwrap().as_run().unwrap();
    assert_eq!(run.cache_targets(), ["/x"]);
    let node_kinds: Vec<SyntaxKind> = file
        .instructions()
        .nth(1)
        .unwrap()
        .syntax()
        .children()
        .map(|node| node.kind())
        .collect();
    assert_eq!(
        node_kinds,
        [
            SyntaxKind::FLAG,
            SyntaxKind::FLAG,
            SyntaxKind::FLAG,
            SyntaxKind::ARGUMENTS
        ]
    );
}

#[test]
fn exec_and_shell_form() {
    let file = parse("CMD [\"a\", \"b\"]\nCMD a b\nCMD ['a']\n");
    let forms: Vec<CommandForm> = file.instructions().map(|i| i.command_form()).collect();
    assert_eq!(forms[0], CommandForm::Exec(vec!["a".into(), "b".into()]));
    assert_eq!(forms[1], CommandForm::Shell("a b".into()));
    assert_eq!(forms[2], CommandForm::Shell("['a']".into()));
}

#[test]
fn heredocs() {
    let text = "RUN <<EOF\necho hi\nEOF\nRUN <<-EOT\n\techo tab\n\tEOT\nRUN cat <<\"A\" <<'B' > /x\n$a\nA\nb\nB\nCOPY <<EOF /dst\ncontent\nEOF\nONBUILD RUN <<EOF\nx\nEOF\n";
    let file = parse(text);
    let heredocs: Vec<Vec<(String, bool, bool)>> = file
        .instructions()
        .map(|i| {
            i.heredocs()
                .into_iter()
                .map(|h| (h.marker.name, h.marker.chomp, h.marker.expand))
                .collect()
        })
        .collect();
    assert_eq!(heredocs[0], [("EOF".to_string(), false, true)]);
    assert_eq!(heredocs[1], [("EOT".to_string(), true, true)]);
    assert_eq!(
        heredocs[2],
        [
            ("A".to_string(), false, false),
            ("B".to_string(), false, false)
        ]
    );
    assert_eq!(heredocs[3], [("EOF".to_string(), false, true)]);
    assert_eq!(heredocs[4], [("EOF".to_string(), false, true)]);
    assert_eq!(
        file.instructions().next().unwrap().heredocs()[0].body,
        "echo hi\n"
    );
    assert_eq!(file.instructions().count(), 5);
}

#[test]
fn exec_form_has_no_heredoc() {
    let file = parse("RUN [\"cat\", \"<<EOF\"]\nFROM a\n");
    assert_eq!(file.instructions().count(), 2);
}

#[test]
fn unterminated_heredoc_keeps_bytes_and_reports() {
    let file = parse("RUN <<EOF\nno end\n");
    assert!(
        file.diagnostics()
            .iter()
            .any(|d| d.message.contains("unterminated heredoc"))
    );
    assert!(dump::dump(&file).is_err());
}

#[test]
fn onbuild_inner_instruction() {
    let file = parse("ONBUILD COPY --chown=1 . /app\n");
    let inner = file.instructions().next().unwrap().onbuild_inner().unwrap();
    assert_eq!(inner.kind(), InstructionKind::Copy);
    assert_eq!(inner.flag("chown").as_deref(), Some("1"));
    assert_eq!(
        sexp("ONBUILD COPY --chown=1 . /app\n"),
        "(onbuild (copy [\"--chown=1\"] \".\" \"/app\"))\n"
    );
}

#[test]
fn healthcheck_none_and_cmd() {
    assert_eq!(
        sexp("HEALTHCHECK NONE\nHEALTHCHECK --retries=3 CMD curl -f http://x || exit 1\n"),
        "(healthcheck \"NONE\")\n(healthcheck [\"--retries=3\"] \"CMD\" \"curl -f http://x || exit 1\")\n"
    );
}

#[test]
fn multi_name_arg_env_label() {
    let file = parse("ARG A B=2\nENV C=3 D=\"4 5\"\nLABEL e=f g=h\n");
    let pairs: Vec<Vec<(String, Option<String>)>> = file
        .instructions()
        .map(|i| {
            i.key_values('\\')
                .into_iter()
                .map(|kv| (kv.key, kv.value))
                .collect()
        })
        .collect();
    assert_eq!(
        pairs[0],
        [("A".into(), None), ("B".into(), Some("2".into()))]
    );
    assert_eq!(
        pairs[1],
        [
            ("C".into(), Some("3".into())),
            ("D".into(), Some("4 5".into()))
        ]
    );
    assert_eq!(pairs[2].len(), 2);
}

#[test]
fn from_with_alias_platform_and_reference() {
    let file =
        parse("FROM --platform=$BUILDPLATFORM registry:5000/team/img:1.2@sha256:ab AS Builder\n");
    let from = file.instructions().next().unwrap().as_from().unwrap();
    assert_eq!(from.alias().as_deref(), Some("builder"));
    assert_eq!(from.platform().as_deref(), Some("$BUILDPLATFORM"));
    let image = from.image_ref().unwrap();
    assert_eq!(image.registry.as_deref(), Some("registry:5000"));
    assert_eq!(image.path, "team/img");
    assert_eq!(image.tag.as_deref(), Some("1.2"));
    assert_eq!(image.digest.as_deref(), Some("sha256:ab"));
}

#[test]
fn unknown_and_broken_lines_are_error_nodes() {
    let text = "FROM a\nFROOM b\n}\nENV ONLYKEY\nRUN ok\n";
    let file = parse(text);
    assert_eq!(file.error_count(), 3);
    let errors: Vec<String> = file
        .syntax()
        .children()
        .filter(|node| node.kind() == SyntaxKind::ERROR)
        .map(|node| node.to_string())
        .collect();
    assert_eq!(errors, ["FROOM b\n", "}\n", "ENV ONLYKEY\n"]);
    assert_eq!(file.diagnostics().len(), 3);
    assert!(file.instructions().last().unwrap().as_run().is_some());
}

#[test]
fn stages_and_global_args() {
    let file = parse("ARG V=1\nFROM a AS one\nRUN x\nFROM one\nRUN y\n");
    assert_eq!(file.global_instructions().len(), 1);
    let stages = file.stages();
    assert_eq!(stages.len(), 2);
    assert_eq!(stages[0].name().as_deref(), Some("one"));
    assert_eq!(stages[1].body.len(), 1);
}

/// A stage is built on another only by name, the latest earlier one of
/// that name, case-insensitively; a number names an image: BuildKit reads
/// `FROM 0` as the image `0` (only `--from=` takes stage numbers), and so
/// does Docker's legacy builder, which tried to pull it here.
#[test]
fn stages_are_built_on_stages_by_name_only() {
    let file = parse(
        "FROM a AS base\nFROM b AS Base\nFROM BASE AS app\nFROM 0\nFROM app\nFROM later\nFROM c AS later\n",
    );
    let stages = file.stages();
    let base_of = |index: usize| stages[index].base_stage(&stages).map(|base| base.index);
    assert_eq!(base_of(2), Some(1));
    assert_eq!(base_of(3), None);
    assert_eq!(base_of(4), Some(2));
    assert_eq!(base_of(5), None);
    let lineage: Vec<usize> = stages[4].lineage(&stages).iter().map(|s| s.index).collect();
    assert_eq!(lineage, [4, 2, 1]);
}
