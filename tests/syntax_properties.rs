//! Properties of the tree on generated input: printing gives the input back
//! for any string, no typed view panics, logical lines map every byte to
//! the file byte that holds it, and the logical lines the parser hands the
//! tree are the ones its tokens give.

use dockfix::syntax::{Dockerfile, Instruction, dump};
use proptest::prelude::*;

/// Pieces Dockerfiles are made of, including the awkward ones.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("FROM alpine:3.20 AS build\n".to_string()),
        Just("from --platform=$BUILDPLATFORM golang:1.22\n".to_string()),
        Just("RUN apt-get update && \\\n    apt-get install -y curl\n".to_string()),
        Just("RUN echo a \\  \n  # comment inside\n\n  b\n".to_string()),
        Just("RUN --mount=type=cache,target=/root/.cache pip install x\n".to_string()),
        Just("RUN [\"echo\", \"exec form\"]\n".to_string()),
        Just("RUN <<EOF\necho heredoc\nEOF\n".to_string()),
        Just("RUN <<-\"EOT\" bash\n\techo tabs\n\tEOT\n".to_string()),
        Just("RUN cat <<A <<'B'\na\nA\nb\nB\n".to_string()),
        Just("RUN <<NEVER_ENDS\nbody\n".to_string()),
        Just("COPY --chown=1:1 --link <<EOF /dst\ncontent\nEOF\n".to_string()),
        Just("COPY --from=build /out /app\n".to_string()),
        Just("ONBUILD RUN echo hi\n".to_string()),
        Just("HEALTHCHECK NONE\nHEALTHCHECK --interval=5s CMD curl -f http://x\n".to_string()),
        Just("ARG A B=2 C=\"x y\"\n".to_string()),
        Just("ENV A=1 B=\"two words\" C=three\\ words\n".to_string()),
        Just("ENV OLD style value\n".to_string()),
        Just("LABEL a=b \"c d\"=e\n".to_string()),
        Just("# escape=`\n".to_string()),
        Just("# syntax=docker/dockerfile:1\n".to_string()),
        Just("# check=skip=all\n".to_string()),
        Just("WORKDIR C:\\\\Users `\n  \\\\app\n".to_string()),
        Just("\r\n".to_string()),
        Just("RUN echo crlf \\\r\n  next\r\n".to_string()),
        Just("\u{feff}".to_string()),
        Just("not an instruction\n".to_string()),
        Just("CMD [\"unterminated\"\n".to_string()),
        Just("CMD [ \"echo\", [ \"nested\" ] ]\n".to_string()),
        Just("\t  \n".to_string()),
        Just("RUN echo héllo wörld ☃\n".to_string()),
        Just("USER app\nEXPOSE 80 443/udp\nVOLUME [\"/data\"]\nSTOPSIGNAL SIGTERM\n".to_string()),
        Just("\\\n".to_string()),
        Just("RUN trailing \\".to_string()),
        "[ -~\t\r\n\\\\`#<>\"'=]{0,40}",
    ]
}

fn dockerfile() -> impl Strategy<Value = String> {
    proptest::collection::vec(piece(), 0..12).prop_map(|pieces| pieces.concat())
}

fn exercise(text: &str) {
    let file = Dockerfile::parse(text);
    assert_eq!(file.printed(), text);
    let _ = dump::dump(&file);
    let _ = file.directives();
    for stage in file.stages() {
        let _ = stage.name();
        let _ = stage.shell_before(&stage.from);
    }
    for instruction in file.instructions() {
        let range = instruction.range();
        assert!(range.end <= text.len());
        let logical = instruction.logical();
        // The parser hands each instruction its logical line and layout;
        // a fresh view of the same node reads them from the tokens.
        let from_tokens = Instruction::cast(instruction.syntax().clone()).unwrap();
        assert_eq!(from_tokens.logical(), logical);
        assert_eq!(from_tokens.layout(), instruction.layout());
        for (offset, ch) in logical.text().char_indices() {
            let source = logical.source_offset(offset);
            assert_eq!(
                text[source..].chars().next(),
                Some(ch),
                "logical byte {offset} of {:?}",
                logical.text()
            );
        }
        let _ = instruction.flags();
        let _ = instruction.words();
        let _ = instruction.heredocs();
        let _ = instruction.key_values(file.escape());
        let _ = instruction.command_form();
        let _ = instruction.text_range();
        let _ = instruction.line_end();
        if let Some(from) = instruction.as_from() {
            let _ = from.image_ref();
            let _ = from.alias();
        }
        if let Some(copy) = instruction.as_copy() {
            let _ = copy.sources();
            let _ = copy.destination();
        }
        if let Some(inner) = instruction.onbuild_inner() {
            let _ = inner.kind();
        }
    }
}

proptest! {
    #[test]
    fn any_string_round_trips(text in "\\PC{0,200}") {
        exercise(&text);
    }

    #[test]
    fn dockerfile_shaped_text_round_trips(text in dockerfile()) {
        exercise(&text);
    }
}
