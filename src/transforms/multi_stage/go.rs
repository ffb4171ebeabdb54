//! Go: a static binary, copied alone into a distroless or scratch runtime.

use super::*;
use crate::paths::last_component;

pub(super) fn go<'f>(
    file: &Dockerfile,
    stage: &'f Stage,
    context: &Context,
    runtime: &Runtime,
    builder: &str,
) -> Analysis<Split<'f>> {
    let builds = invocations(file, stage, "go", "build");
    let [
        Invocation {
            index,
            command,
            words,
            after_cd,
        },
    ] = builds.as_slice()
    else {
        return Err(format!(
            "{} `go build` commands; need exactly one",
            builds.len()
        ));
    };
    if *after_cd {
        return Err("the RUN changes directory before `go build`".into());
    }
    let dir = known_dir(stage, *index)?;
    let output = words.iter().enumerate().find_map(|(i, word)| {
        if word == "-o" {
            words.get(i + 1).cloned()
        } else {
            word.strip_prefix("-o=").map(str::to_string)
        }
    });
    let package_name = || {
        let package = words[2..]
            .iter()
            .rev()
            .find(|w| !w.starts_with('-') && w.starts_with("./"))?;
        let name = last_component(package.trim_end_matches('/'));
        (name != ".").then(|| name.to_string())
    };
    let module_name = || {
        let go_mod = context.build_context?.read("go.mod")?;
        let module = go_mod
            .lines()
            .find_map(|line| line.trim().strip_prefix("module "))?;
        Some(last_component(module.trim().trim_matches('"')).to_string())
    };
    let binary = match output {
        Some(out) if out.ends_with('/') => format!(
            "{out}{}",
            package_name()
                .or_else(module_name)
                .ok_or("binary name unknown")?
        ),
        Some(out) => out,
        None => package_name()
            .or_else(module_name)
            .ok_or("no -o and no module name for the binary")?,
    };
    if binary.contains('$') {
        return Err("the binary path uses a variable".into());
    }
    let binary = absolute(&dir, &binary);
    let sets_cgo = |value: &str| {
        stage.body.iter().any(|i| {
            i.kind() == InstructionKind::Env
                && i.key_values(file.escape())
                    .iter()
                    .any(|kv| kv.key == "CGO_ENABLED" && kv.value.as_deref() == Some(value))
        }) || command
            .assignments
            .iter()
            .any(|a| *a.raw == format!("CGO_ENABLED={value}"))
    };
    if sets_cgo("1") {
        return Err("the build enables cgo; the binary cannot be static".into());
    }
    let mut builder_edits = Vec::new();
    if !sets_cgo("0") {
        builder_edits.push(Edit::insert(command.words[0].range.start, "CGO_ENABLED=0 "));
    }
    if !words.iter().any(|w| w.starts_with("-ldflags")) {
        builder_edits.push(Edit::insert(
            command.words[1].range.end,
            " -ldflags=\"-s -w\"",
        ));
    }
    let artefacts = vec![(binary.clone(), binary.clone())];
    check_shell_free(stage, &artefacts)?;
    let scratch = context.settings.multi_stage.go_runtime == GoRuntime::Scratch;
    let mut runtime_lines = Vec::new();
    let runtime_image = if scratch {
        runtime_lines.push("COPY --from={build} /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt".into());
        if !builder.contains("alpine") {
            runtime_lines
                .push("COPY --from={build} /usr/share/zoneinfo /usr/share/zoneinfo".into());
        }
        runtime
            .scratch_image
            .clone()
            .unwrap_or_else(|| "scratch".into())
    } else {
        runtime.image.clone()
    };
    Ok(Split {
        stage,
        ecosystem: "Go",
        non_root_user: (!scratch).then_some("nonroot:nonroot"),
        runtime_image,
        runtime: runtime.clone(),
        builder_image: builder.to_string(),
        artefacts,
        runtime_lines,
        builder_edits,
        builder_tail: Vec::new(),
        config_notes: Vec::new(),
        static_site: false,
        shell_free: true,
        left_behind: format!(
            "the Go toolchain, the sources{}",
            if scratch && builder.contains("alpine") {
                " and time zone data (add -tags timetzdata if the program loads zones)"
            } else {
                ""
            }
        ),
    })
}
