//! Rust: the release binary, copied into a distroless runtime with the C runtime.

use super::*;

pub(super) fn rust<'f>(
    file: &Dockerfile,
    stage: &'f Stage,
    context: &Context,
    runtime: &Runtime,
    builder: &str,
) -> Analysis<Split<'f>> {
    let builds = invocations(file, stage, "cargo", "build");
    let [
        Invocation {
            index,
            words,
            after_cd: moved,
            ..
        },
    ] = builds.as_slice()
    else {
        return Err(format!(
            "{} `cargo build` commands; need exactly one",
            builds.len()
        ));
    };
    if *moved || !words.iter().any(|w| w == "--release" || w == "-r") {
        return Err("no `cargo build --release` in the build directory".into());
    }
    if stage
        .body
        .iter()
        .any(|i| i.kind() == InstructionKind::Env && i.args().contains("CARGO_TARGET_DIR"))
    {
        return Err("CARGO_TARGET_DIR moves the binary".into());
    }
    let dir = known_dir(stage, *index)?;
    let manifest = context
        .build_context
        .and_then(|b| b.read("Cargo.toml"))
        .ok_or("no Cargo.toml in the build context")?;
    let manifest: toml::Table =
        toml::from_str(&manifest).map_err(|_| "Cargo.toml does not parse")?;
    if manifest.contains_key("workspace") {
        return Err("a Cargo workspace: which binary ships is not known".into());
    }
    let bins: Vec<String> = manifest
        .get("bin")
        .and_then(|bins| bins.as_array())
        .map(|bins| {
            bins.iter()
                .filter_map(|b| b.get("name")?.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let name = match bins.as_slice() {
        [] => manifest
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .ok_or("no package name")?
            .to_string(),
        [one] => one.clone(),
        _ => return Err("several [[bin]] targets".into()),
    };
    let target = words
        .iter()
        .position(|w| w == "--target")
        .and_then(|i| words.get(i + 1))
        .map(|t| format!("{t}/"))
        .unwrap_or_default();
    let binary = absolute(&dir, &format!("target/{target}release/{name}"));
    let artefacts = vec![(binary.clone(), binary)];
    check_shell_free(stage, &artefacts)?;
    Ok(Split {
        stage,
        ecosystem: "Rust",
        runtime_image: runtime.image.clone(),
        runtime: runtime.clone(),
        builder_image: builder.to_string(),
        artefacts,
        runtime_lines: Vec::new(),
        builder_edits: Vec::new(),
        builder_tail: Vec::new(),
        config_notes: Vec::new(),
        static_site: false,
        shell_free: true,
        non_root_user: Some("nonroot:nonroot"),
        left_behind: "the Rust toolchain, the sources and target/ (except the binary)".into(),
    })
}
