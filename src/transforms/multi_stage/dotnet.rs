//! Dotnet: the published app, run by the ASP.NET or .NET runtime image.

use super::*;

pub(super) fn dotnet<'f>(
    file: &Dockerfile,
    stage: &'f Stage,
    runtime: &Runtime,
    image: &ImageRef,
    builder: &str,
) -> Analysis<Split<'f>> {
    let publishes = invocations(file, stage, "dotnet", "publish");
    let [
        Invocation {
            index,
            words,
            after_cd: false,
            ..
        },
    ] = publishes.as_slice()
    else {
        return Err("need exactly one `dotnet publish` in the build directory".into());
    };
    let out = words
        .iter()
        .position(|w| w == "-o" || w == "--output")
        .and_then(|i| words.get(i + 1))
        .ok_or("`dotnet publish` has no -o DIR")?;
    let dir = known_dir(stage, *index)?;
    let out = absolute(&dir, out);
    check_healthcheck_tools(stage)?;
    let tag = image.tag.clone().unwrap_or_else(|| "latest".into());
    Ok(Split {
        stage,
        ecosystem: ".NET",
        runtime_image: runtime.image.replace("{tag}", &tag),
        runtime: runtime.clone(),
        builder_image: builder.to_string(),
        artefacts: vec![(out.clone(), out)],
        runtime_lines: Vec::new(),
        builder_edits: Vec::new(),
        builder_tail: Vec::new(),
        config_notes: Vec::new(),
        static_site: false,
        shell_free: false,
        non_root_user: None,
        left_behind: "the .NET SDK, the sources and the build's obj/ and bin/ folders".into(),
    })
}
