#![doc = include_str!("../../transforms/multi-stage/README.md")]

use crate::base_images::{BaseImageMap, Runtime};
use crate::config::GoRuntime;
use crate::engine::{BuildContext, Context, Edit, Fix, Safety, Transform};
use crate::shell::packages::{self, Manager};
use crate::shell::{Script, SimpleCommand};
use crate::syntax::image_ref::ImageRef;
use crate::syntax::{Dockerfile, Instruction, InstructionKind, Stage};
use crate::transforms::package_cache_flags::NPM_CACHE_CLEAN;
use crate::transforms::workdir::{Dir, workdir_before};

pub struct MultiStage;

impl Transform for MultiStage {
    fn id(&self) -> &'static str {
        "multi-stage"
    }

    fn summary(&self) -> &'static str {
        "Split a build-and-run stage into a builder and a small runtime stage that copies only the artefact"
    }

    fn safety(&self) -> Safety {
        Safety::Unsafe
    }

    fn docs(&self) -> &'static str {
        include_str!("../../transforms/multi-stage/README.md")
    }

    fn edits_shell(&self) -> bool {
        true
    }

    fn fixes(&self, file: &Dockerfile, context: &Context) -> Vec<Fix> {
        let stages = file.stages();
        let Ok(split) = analyse(file, &stages, context) else {
            return Vec::new();
        };
        if let Err(reason) = check_programs(file, &split, context) {
            context.skip(self.id(), split.stage.from.text_range().start, reason);
            return Vec::new();
        }
        vec![split.into_fix(file, &stages)]
    }
}

/// Why a file is not split, for the awesome-compose report and tests.
pub fn why_not(file: &Dockerfile, context: &Context) -> Option<String> {
    let stages = file.stages();
    analyse_and_check(file, &stages, context).err()
}

/// The split, once the programs the container runs are known to be in the
/// runtime image.
fn analyse_and_check<'f>(
    file: &'f Dockerfile,
    stages: &'f [Stage],
    context: &Context,
) -> Analysis<Split<'f>> {
    let split = analyse(file, stages, context)?;
    check_programs(file, &split, context)?;
    Ok(split)
}

fn check_programs(file: &Dockerfile, split: &Split, context: &Context) -> Analysis<()> {
    if split.static_site {
        // The web server's command replaces the original one.
        return Ok(());
    }
    refuse_packaged_programs(file, split.stage, &split.artefacts, context)
}

/// Packages the build installs into its artefacts (a virtualenv,
/// `node_modules`): named in `pip install`/`npm install` arguments, in the
/// context's `requirements*.txt`, or in `package.json` dependencies. Their
/// programs (gunicorn, uvicorn, pm2) travel with the artefacts.
fn language_packages(file: &Dockerfile, stage: &Stage, context: &Context) -> Vec<String> {
    let mut names: Vec<String> = commands_of(file, stage)
        .iter()
        .flat_map(|(_, _, script)| {
            packages::package_commands(script)
                .into_iter()
                .filter(|command| {
                    !matches!(
                        command.manager,
                        Manager::Apt
                            | Manager::Apk
                            | Manager::Yum
                            | Manager::Dnf
                            | Manager::Microdnf
                            | Manager::Zypper
                    )
                })
                .flat_map(|command| command.operands())
                .collect::<Vec<_>>()
        })
        .collect();
    let package_name = |line: &str| -> String {
        line.split(['=', '<', '>', '~', '!', '[', ';', ' ', '@'])
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    };
    if let Some(build_context) = context.build_context {
        for relative in build_context.files().iter().filter(|path| {
            let name = path.rsplit('/').next().unwrap_or(path);
            name.starts_with("requirements") && name.ends_with(".txt")
        }) {
            if let Some(text) = build_context.read(relative) {
                names.extend(
                    text.lines()
                        .map(str::trim)
                        .filter(|line| !line.is_empty() && !line.starts_with(['#', '-']))
                        .map(package_name),
                );
            }
        }
        if let Some(manifest) = build_context
            .read("package.json")
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        {
            for section in ["dependencies", "optionalDependencies"] {
                if let Some(dependencies) = manifest[section].as_object() {
                    names.extend(dependencies.keys().cloned());
                }
            }
        }
    }
    names.iter().map(|name| package_name(name)).collect()
}

type Analysis<T> = Result<T, String>;

/// The split to make.
struct Split<'f> {
    stage: &'f Stage,
    ecosystem: &'static str,
    runtime_image: String,
    runtime: Runtime,
    builder_image: String,
    /// (path in the builder, path in the runtime), absolute.
    artefacts: Vec<(String, String)>,
    /// Lines put after the copies (`RUN npm ci --omit=dev`, `ENV PATH=…`).
    runtime_lines: Vec<String>,
    /// Edits to the builder (a static Go build, a virtualenv).
    builder_edits: Vec<Edit>,
    /// Instructions appended to the builder, after everything it built.
    builder_tail: Vec<String>,
    /// Serve a static site: the original command, ports and user are
    /// replaced by the web server's.
    static_site: bool,
    /// No shell in the runtime image.
    shell_free: bool,
    /// A non-root user the runtime image has.
    non_root_user: Option<&'static str>,
    left_behind: String,
    /// Config changes of the final image the message must name (ENV, USER).
    config_notes: Vec<String>,
}

fn analyse<'f>(
    file: &'f Dockerfile,
    stages: &'f [Stage],
    context: &Context,
) -> Analysis<Split<'f>> {
    let stage = stages.last().ok_or("no stage")?;
    let from = stage.from.as_from().ok_or("no FROM")?;
    let (image_text, _) = from.image().ok_or("no image")?;
    if stages[..stage.index]
        .iter()
        .any(|earlier| earlier.name().as_deref() == Some(&image_text.to_ascii_lowercase()))
    {
        return Err("already multi-stage: the final stage is built FROM another stage".into());
    }
    if stage
        .body
        .iter()
        .any(|i| i.as_copy().and_then(|c| c.from_stage()).is_some())
    {
        return Err("already multi-stage: the final stage copies from another stage".into());
    }
    if stage
        .body
        .iter()
        .any(|i| i.kind() == InstructionKind::Onbuild)
    {
        return Err("the stage uses ONBUILD".into());
    }
    if stage.body.iter().any(Instruction::is_error) {
        return Err("the stage has instructions BuildKit would refuse".into());
    }
    let image = ImageRef::parse(&image_text);
    if image.digest.is_some() || image.has_variables() {
        return Err("the base image is pinned by digest or uses a variable".into());
    }
    let map = context.settings.base_images();
    let repository = image.repository();
    let runtimes_for = |names: &[&str]| -> Vec<(&str, &Runtime)> {
        names
            .iter()
            .filter_map(|name| map.runtimes.get_key_value(*name))
            .filter(|(_, runtime)| {
                runtime
                    .builders
                    .iter()
                    .any(|b| b.eq_ignore_ascii_case(&repository))
            })
            .map(|(name, runtime)| (name.as_str(), runtime))
            .collect()
    };
    let command = final_command(stage);
    refuse_toolchain_at_runtime(&command)?;
    if let Some((_, runtime)) = runtimes_for(&["go"]).first() {
        return go(file, stage, context, runtime, &image_text);
    }
    if let Some((_, runtime)) = runtimes_for(&["rust"]).first() {
        return rust(file, stage, context, runtime, &image_text);
    }
    if let Some((_, runtime)) = runtimes_for(&["java"]).first() {
        return java(file, stage, runtime, &image, &image_text);
    }
    if let Some((_, runtime)) = runtimes_for(&["dotnet"]).first() {
        return dotnet(file, stage, runtime, &image, &image_text);
    }
    if let Some((_, runtime)) = runtimes_for(&["python"]).first() {
        return python(file, stage, runtime, map, &image, &image_text);
    }
    let node = runtimes_for(&["node-server", "node-static"]);
    if !node.is_empty() {
        return node_app(file, stage, context, map, &image, &image_text);
    }
    Err(format!(
        "no runtime in the base-image map for `{repository}`"
    ))
}

/// The words of the final `ENTRYPOINT` + `CMD`, as the container runs them.
fn final_command(stage: &Stage) -> Vec<String> {
    let last = |kind| stage.body.iter().rev().find(|i| i.kind() == kind);
    let words = |instruction: &Instruction| match instruction.json_args() {
        Some(words) => words,
        None => instruction
            .args()
            .split_whitespace()
            .map(str::to_string)
            .collect(),
    };
    let mut command: Vec<String> = last(InstructionKind::Entrypoint)
        .map(words)
        .unwrap_or_default();
    command.extend(last(InstructionKind::Cmd).map(words).unwrap_or_default());
    command
}

fn refuse_toolchain_at_runtime(command: &[String]) -> Analysis<()> {
    let joined = command.join(" ");
    for toolchain in [
        "go run",
        "cargo run",
        "spring-boot:run",
        "bootRun",
        "dotnet run",
        "dotnet watch",
        "mvn ",
        "gradle ",
    ] {
        if joined.contains(toolchain) {
            return Err(format!(
                "CMD/ENTRYPOINT runs the toolchain (`{}`)",
                toolchain.trim()
            ));
        }
    }
    Ok(())
}

/// Programs the runtime images provide themselves (and the shells, which
/// [`check_shell_free`] deals with).
const RUNTIME_PROGRAMS: &[&str] = &[
    "node", "npm", "npx", "yarn", "pnpm", "corepack", "python", "python3", "java", "dotnet", "sh",
    "bash", "exec", "env",
];

/// The container's programs (ENTRYPOINT, CMD, HEALTHCHECK) must not come
/// from OS packages the stage installs: the runtime stage starts from a
/// fresh image and receives only the build's artefacts. `CMD
/// ["supervisord"]` after `apt-get install supervisor` is the example; the
/// program's name is not the package's, so no list of package names could
/// tell. The rule: in a stage that installs OS packages, a program that is
/// neither the runtime's own (`node`, `python`, `java`, …) nor one of the
/// artefacts copied into the runtime stage nor a package installed into
/// them (pip, npm), named without a path or by a path in a system
/// directory, refuses the split.
fn refuse_packaged_programs(
    file: &Dockerfile,
    stage: &Stage,
    artefacts: &[(String, String)],
    context: &Context,
) -> Analysis<()> {
    let installs = commands_of(file, stage)
        .into_iter()
        .find_map(|(_, _, script)| {
            packages::package_commands(&script)
                .into_iter()
                .find(|command| {
                    matches!(
                        command.manager,
                        Manager::Apt
                            | Manager::Apk
                            | Manager::Yum
                            | Manager::Dnf
                            | Manager::Microdnf
                            | Manager::Zypper
                    ) && matches!(command.subcommand.as_deref(), Some("install" | "add"))
                })
                .map(|command| {
                    format!(
                        "{} {}",
                        command.program_word.raw,
                        command.subcommand.clone().unwrap_or_default()
                    )
                })
        });
    let Some(installs) = installs else {
        return Ok(());
    };
    let mut programs = final_command(stage);
    programs.truncate(1);
    for healthcheck in stage
        .body
        .iter()
        .filter(|i| i.kind() == InstructionKind::Healthcheck)
    {
        programs.extend(instruction_command_words(healthcheck).into_iter().take(1));
    }
    for program in programs {
        let system_path = [
            "/usr/bin/",
            "/usr/sbin/",
            "/bin/",
            "/sbin/",
            "/usr/local/bin/",
        ]
        .iter()
        .any(|dir| program.starts_with(dir));
        if program.contains('/') && !system_path || program.contains(['$', '"', '\'']) {
            continue;
        }
        let name = program.rsplit('/').next().unwrap_or(&program);
        if name.is_empty() || RUNTIME_PROGRAMS.contains(&name) {
            continue;
        }
        let an_artefact = artefacts.iter().any(|(_, to)| {
            to == &program
                || program.starts_with(&format!("{}/", to.trim_end_matches('/')))
                || to.rsplit('/').next() == Some(name)
        });
        if an_artefact
            || language_packages(file, stage, context).contains(&name.to_ascii_lowercase())
        {
            continue;
        }
        return Err(format!(
            "the container runs `{program}`, which is not one of the build's artefacts and \
             may come from the OS packages this stage installs (`{installs}`): the runtime \
             image would not have it"
        ));
    }
    Ok(())
}

/// Simple commands of every shell-form RUN of the stage, with the RUN.
fn commands_of<'s>(file: &Dockerfile, stage: &'s Stage) -> Vec<(&'s Instruction, usize, Script)> {
    stage
        .body
        .iter()
        .enumerate()
        .filter(|(_, i)| i.kind() == InstructionKind::Run)
        .filter_map(|(index, run)| Script::of_run(file, run).map(|script| (run, index, script)))
        .collect()
}

/// One `PROGRAM SUBCOMMAND …` command found in the stage's RUNs.
struct Invocation {
    /// Position of its RUN in the stage body.
    index: usize,
    command: SimpleCommand,
    words: Vec<String>,
    /// The RUN changes directory, so relative paths are not the WORKDIR's.
    after_cd: bool,
}

/// Every `program subcommand …` (e.g. `go build`) in the stage's RUNs.
fn invocations(
    file: &Dockerfile,
    stage: &Stage,
    program: &str,
    subcommand: &str,
) -> Vec<Invocation> {
    let mut found = Vec::new();
    for (_, index, script) in commands_of(file, stage) {
        for (command, _) in script.simple_commands() {
            let Some(words) = literal_words(command) else {
                continue;
            };
            if words.first().map(String::as_str) == Some(program)
                && words.get(1).map(String::as_str) == Some(subcommand)
            {
                found.push(Invocation {
                    index,
                    command: command.clone(),
                    words,
                    after_cd: runs_cd(&script),
                });
            }
        }
    }
    found
}

fn literal_words(command: &SimpleCommand) -> Option<Vec<String>> {
    command.words.iter().map(|word| word.literal()).collect()
}

fn runs_cd(script: &Script) -> bool {
    script
        .state_changes()
        .iter()
        .any(|change| matches!(change.command.as_str(), "cd" | "pushd"))
}

/// The directory the stage's `RUN` at `index` runs in, when known.
fn known_dir(stage: &Stage, index: usize) -> Analysis<String> {
    match workdir_before(stage, index) {
        Dir::Known(path) => Ok(path),
        _ => Err("the working directory is not known (inherited WORKDIR)".into()),
    }
}

fn absolute(dir: &str, path: &str) -> String {
    if path.starts_with('/') {
        crate::transforms::workdir::normalize(path)
    } else {
        crate::transforms::workdir::normalize(&format!("{dir}/{path}"))
    }
}

fn sizes_note(runtime: &Runtime, builder: &str, runtime_image: &str) -> String {
    match (runtime.sizes.builder, runtime.sizes.runtime) {
        (Some(before), Some(after)) => {
            format!(
                "{builder} ~{before} MB -> {runtime_image} ~{after} MB compressed (base-image map)"
            )
        }
        _ => format!("{builder} -> {runtime_image}"),
    }
}

/// Shell-form `CMD`/`ENTRYPOINT` and `HEALTHCHECK` need a shell the runtime
/// may not have.
fn check_shell_free(stage: &Stage, artefacts: &[(String, String)]) -> Analysis<()> {
    for instruction in &stage.body {
        match instruction.kind() {
            InstructionKind::Cmd | InstructionKind::Entrypoint
                if instruction.json_args().is_none() && !is_plain_words(&instruction.args()) =>
            {
                return Err(
                    "a shell-form CMD/ENTRYPOINT needs a shell, which the runtime image lacks"
                        .into(),
                );
            }
            InstructionKind::Healthcheck => {
                let args = instruction.args();
                if args.trim().eq_ignore_ascii_case("none") {
                    continue;
                }
                let runs_artefact =
                    instruction_command_words(instruction)
                        .first()
                        .is_some_and(|program| {
                            artefacts.iter().any(|(_, path)| {
                                path == program || path.rsplit('/').next() == Some(program)
                            })
                        });
                if !runs_artefact {
                    return Err("the HEALTHCHECK runs a tool the runtime image lacks".into());
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The command words of a `HEALTHCHECK CMD …`.
fn instruction_command_words(instruction: &Instruction) -> Vec<String> {
    let args = instruction.args();
    let rest = args.trim_start();
    let Some(command) = rest
        .strip_prefix("CMD")
        .or_else(|| rest.strip_prefix("cmd"))
    else {
        return Vec::new();
    };
    match crate::syntax::command::parse_json_array(command) {
        Ok(words) => words,
        Err(_) => command.split_whitespace().map(str::to_string).collect(),
    }
}

fn is_plain_words(text: &str) -> bool {
    !text.contains(|c: char| "$`\\\"'|&;<>()*?[]~{}#=".contains(c))
}

fn check_healthcheck_tools(stage: &Stage) -> Analysis<()> {
    for instruction in stage
        .body
        .iter()
        .filter(|i| i.kind() == InstructionKind::Healthcheck)
    {
        let words = instruction_command_words(instruction).join(" ");
        if words
            .split_whitespace()
            .any(|w| matches!(w.rsplit('/').next(), Some("curl" | "wget")))
        {
            return Err(
                "the HEALTHCHECK uses curl or wget, which the slim runtime image lacks".into(),
            );
        }
    }
    Ok(())
}

fn go<'f>(
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
        let name = package.trim_end_matches('/').rsplit('/').next()?;
        (name != ".").then(|| name.to_string())
    };
    let module_name = || {
        let go_mod = context.build_context?.read("go.mod")?;
        let module = go_mod
            .lines()
            .find_map(|line| line.trim().strip_prefix("module "))?;
        Some(
            module
                .trim()
                .trim_matches('"')
                .rsplit('/')
                .next()?
                .to_string(),
        )
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
            .any(|a| a.raw == format!("CGO_ENABLED={value}"))
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

fn rust<'f>(
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

/// `maven:3.9-eclipse-temurin-21` → 21, `gradle:8.5-jdk17` → 17,
/// `eclipse-temurin:21-jdk` → 21.
fn java_version(image: &ImageRef) -> Option<String> {
    let tag = image.tag.as_deref()?;
    let words: Vec<&str> = tag.split('-').collect();
    for (i, word) in words.iter().enumerate() {
        if matches!(*word, "temurin" | "openjdk" | "corretto")
            && let Some(next) = words
                .get(i + 1)
                .filter(|n| n.chars().all(|c| c.is_ascii_digit()))
        {
            return Some(next.to_string());
        }
        if let Some(version) = word
            .strip_prefix("jdk")
            .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()))
        {
            return Some(version.to_string());
        }
    }
    if matches!(image.repository().as_str(), "eclipse-temurin" | "openjdk") {
        let major: String = words[0]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        return (!major.is_empty()).then_some(major);
    }
    None
}

fn java<'f>(
    file: &Dockerfile,
    stage: &'f Stage,
    runtime: &Runtime,
    image: &ImageRef,
    builder: &str,
) -> Analysis<Split<'f>> {
    let builds = commands_of(file, stage)
        .into_iter()
        .filter(|(_, _, script)| {
            script.simple_commands().iter().any(|(command, _)| {
                let Some(words) = literal_words(command) else {
                    return false;
                };
                let program = words
                    .first()
                    .map(|p| p.rsplit('/').next().unwrap_or(p))
                    .unwrap_or_default();
                matches!(program, "mvn" | "mvnw" | "gradle" | "gradlew")
                    && words.iter().any(|w| {
                        matches!(
                            w.as_str(),
                            "package" | "install" | "verify" | "build" | "bootJar" | "assemble"
                        )
                    })
            })
        })
        .count();
    if builds == 0 {
        return Err("no Maven or Gradle build step".into());
    }
    let version = java_version(image).ok_or("the Java version of the builder is not known")?;
    let command = final_command(stage);
    let jar = command
        .iter()
        .position(|w| w == "-jar")
        .and_then(|i| command.get(i + 1))
        .ok_or("the CMD/ENTRYPOINT runs no `java -jar FILE`")?;
    if jar.contains(['$', '*']) {
        return Err("the jar path uses a variable or a glob".into());
    }
    let dir = known_dir(stage, stage.body.len())?;
    let jar = absolute(&dir, jar);
    check_healthcheck_tools(stage)?;
    let runtime_image = runtime.image.replace("{java}", &version);
    Ok(Split {
        stage,
        ecosystem: "Java",
        runtime_image,
        runtime: runtime.clone(),
        builder_image: builder.to_string(),
        artefacts: vec![(jar.clone(), jar)],
        runtime_lines: Vec::new(),
        builder_edits: Vec::new(),
        builder_tail: Vec::new(),
        config_notes: Vec::new(),
        static_site: false,
        shell_free: false,
        non_root_user: None,
        left_behind: "the JDK, Maven/Gradle and their caches, the sources".into(),
    })
}

fn dotnet<'f>(
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

/// The slim variant of the builder; `None` when the builder already is one
/// (a split would then save little) or has none.
fn slim_of(map: &BaseImageMap, image: &ImageRef) -> Option<String> {
    if crate::base_images::is_already_small(image) {
        return None;
    }
    let (_, entry) = map.lookup(image)?;
    entry
        .slim
        .as_ref()?
        .apply(image)
        .map(|slim| slim.to_string())
}

fn python<'f>(
    file: &Dockerfile,
    stage: &'f Stage,
    runtime: &Runtime,
    map: &BaseImageMap,
    image: &ImageRef,
    builder: &str,
) -> Analysis<Split<'f>> {
    let mut first_pip = None;
    let mut apt_packages = Vec::new();
    let mut venv_created = None;
    for (run, index, script) in commands_of(file, stage) {
        if venv_created.is_none() {
            venv_created = venv_made_by(&script);
        }
        for command in packages::package_commands(&script) {
            if command.manager == Manager::Pip && command.subcommand.as_deref() == Some("install") {
                if command.has_option(&["--user", "--target", "-t", "--prefix", "--root"]) {
                    return Err(
                        "pip installs outside the environment (--user/--target/--prefix)".into(),
                    );
                }
                if command.program_word.raw.starts_with('/') {
                    return Err("pip is called by absolute path, past the virtualenv".into());
                }
                first_pip.get_or_insert((run, index));
            }
            if command.manager == Manager::Apt && command.subcommand.as_deref() == Some("install") {
                apt_packages.extend(command.operands());
            }
        }
    }
    let (first_run, _) = first_pip.ok_or("no `pip install` to move into a virtualenv")?;
    let app_dir = known_dir(stage, stage.body.len())?;
    if app_dir == "/" {
        return Err("the application directory is /".into());
    }
    check_healthcheck_tools(stage)?;
    let slim =
        slim_of(map, image).ok_or("the builder image is already slim or has no slim variant")?;
    let existing_venv = stage.body.iter().find_map(|i| {
        (i.kind() == InstructionKind::Env)
            .then(|| {
                i.key_values(file.escape())
                    .into_iter()
                    .find(|kv| kv.key == "VIRTUAL_ENV")
                    .and_then(|kv| kv.value)
            })
            .flatten()
    });
    if !runtime.image.contains("{slim}") {
        // The runtime libraries are carried with apt (below): a Debian slim
        // variant of the builder has it; another runtime image may not.
        return Err("the Python runtime image is not the builder's slim variant".into());
    }
    let mut config_notes = Vec::new();
    let (venv, builder_edits, mut runtime_lines) = match existing_venv.or(venv_created) {
        Some(venv) if !venv.contains('$') => (venv, Vec::new(), Vec::new()),
        Some(_) => return Err("the virtualenv's path uses a variable".into()),
        None => {
            let venv = "/opt/venv".to_string();
            let indent = first_run.indentation();
            let newline = first_run.newline_style();
            let (keyword_run, keyword_env) =
                if first_run.keyword().chars().all(|c| c.is_ascii_lowercase()) {
                    ("run", "env")
                } else {
                    ("RUN", "ENV")
                };
            let venv_lines = format!(
                "{indent}{keyword_run} python -m venv {venv}{newline}{indent}{keyword_env} PATH=\"{venv}/bin:$PATH\"{newline}"
            );
            config_notes.push(format!("ENV PATH starts with {venv}/bin in both stages"));
            (
                venv.clone(),
                vec![Edit::insert(first_run.range().start, venv_lines)],
                vec![format!("ENV PATH=\"{venv}/bin:$PATH\"")],
            )
        }
    };
    // Compiled extensions link against libraries of the full image (its
    // -dev packages, or ones the stage installed with apt) that the slim
    // runtime lacks: `import psycopg2` fails on a missing libpq.so.5. The
    // build stage lists the Debian packages owning every library the
    // virtualenv and the application link against; the runtime stage
    // installs the ones it does not have.
    let packages_file = format!("{venv}/.dockfix-runtime-packages");
    let library_search = if app_dir == venv {
        venv.clone()
    } else {
        format!("{venv} {app_dir}")
    };
    // One `sh -c` each: the engine's shell guard lets a rewrite add simple
    // commands only, and these steps need pipelines.
    let list_packages = format!(
        r#"RUN sh -c 'find {library_search} -name "*.so*" -type f -exec ldd {{}} + 2>/dev/null | grep -o "=> /[^ ]*" | sed "s|.*/|*/|" | sort -u | xargs -r dpkg -S 2>/dev/null | grep -v "^diversion" | sed "s/[:,].*//" | sort -u > {packages_file}'"#
    );
    runtime_lines.push(format!(
        r#"RUN sh -c 'dpkg-query -W -f "\${{Package}}\n" | sort > /tmp/installed-packages && comm -13 /tmp/installed-packages {packages_file} > /tmp/missing-packages' && xargs -r -a /tmp/missing-packages sh -c 'apt-get update && apt-get install -y --no-install-recommends "$@" && rm -rf /var/lib/apt/lists/*' sh && rm -f /tmp/installed-packages /tmp/missing-packages"#
    ));
    let mut left_behind = "compilers and headers of the full image".to_string();
    if !apt_packages.is_empty() {
        left_behind.push_str(&format!(
            ", and the apt packages {}",
            apt_packages.join(", ")
        ));
    }
    left_behind.push_str(
        "; the runtime stage installs the Debian packages of the shared libraries the virtualenv links against (listed with ldd and dpkg -S in the build stage)",
    );
    Ok(Split {
        stage,
        ecosystem: "Python",
        runtime_image: runtime.image.replace("{slim}", &slim),
        runtime: runtime.clone(),
        builder_image: builder.to_string(),
        artefacts: vec![(venv.clone(), venv), (app_dir.clone(), app_dir)],
        runtime_lines,
        builder_edits,
        builder_tail: vec![list_packages],
        static_site: false,
        shell_free: false,
        non_root_user: None,
        left_behind,
        config_notes,
    })
}

/// The directory of a virtualenv the stage makes (`python -m venv DIR`,
/// `virtualenv DIR`), when it is a literal absolute path.
fn venv_made_by(script: &Script) -> Option<String> {
    script.simple_commands().iter().find_map(|(command, _)| {
        let words: Vec<String> = command
            .words
            .iter()
            .map(|word| word.literal().unwrap_or_default())
            .collect();
        let program = command.program()?;
        let rest = if program.starts_with("python") {
            let module = words.iter().position(|w| w == "-m")?;
            (words.get(module + 1)? == "venv").then(|| &words[module + 2..])?
        } else if program == "virtualenv" {
            &words[1..]
        } else {
            return None;
        };
        rest.iter()
            .find(|w| !w.starts_with('-'))
            .filter(|dir| dir.starts_with('/'))
            .map(|dir| dir.trim_end_matches('/').to_string())
    })
}

/// Development servers: an image that runs one needs the whole toolchain.
const DEV_SERVERS: &[&str] = &[
    "react-scripts start",
    "vite",
    "ng serve",
    "next dev",
    "nodemon",
    "vue-cli-service serve",
    "webpack serve",
    "webpack-dev-server",
    "nuxt dev",
    "gatsby develop",
    "parcel ",
    "ts-node-dev",
    "npm run dev",
    "yarn dev",
];

fn node_app<'f>(
    file: &Dockerfile,
    stage: &'f Stage,
    context: &Context,
    map: &BaseImageMap,
    image: &ImageRef,
    builder: &str,
) -> Analysis<Split<'f>> {
    let build = context.build_context.ok_or("no build context")?;
    let manifest: serde_json::Value = build
        .read("package.json")
        .and_then(|text| serde_json::from_str(&text).ok())
        .ok_or("no package.json in the build context")?;
    let scripts = manifest.get("scripts").and_then(|s| s.as_object());
    let script = |name: &str| {
        scripts
            .and_then(|s| s.get(name))
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let mut build_at = None;
    let mut manager = None;
    for (_, index, script_ast) in commands_of(file, stage) {
        for command in packages::package_commands(&script_ast) {
            let runs_build = match (command.manager, command.subcommand.as_deref()) {
                (Manager::Npm | Manager::Pnpm, Some("run" | "run-script")) => command
                    .args
                    .first()
                    .and_then(|a| a.as_deref())
                    .is_some_and(|name| name.starts_with("build")),
                (Manager::Yarn | Manager::Pnpm, Some(name)) => name.starts_with("build"),
                _ => false,
            };
            if runs_build && !runs_cd(&script_ast) {
                build_at = Some(index);
                manager = Some(command.manager);
            }
        }
    }
    let build_index = build_at.ok_or("no `npm run build` (or yarn/pnpm) step")?;
    let dir = known_dir(stage, build_index)?;
    let command = final_command(stage);
    let mut runs = command.join(" ");
    if matches!(
        command.first().map(String::as_str),
        Some("npm" | "yarn" | "pnpm")
    ) {
        let name = if command.get(1).map(String::as_str) == Some("run") {
            command.get(2)
        } else {
            command.get(1)
        };
        if let Some(name) = name {
            runs = script(name);
        }
    }
    if let Some(dev) = DEV_SERVERS.iter().find(|dev| runs.contains(*dev)) {
        return Err(format!(
            "the container runs a development server (`{}`)",
            dev.trim()
        ));
    }
    let dependency = |name: &str| {
        ["dependencies", "devDependencies"].iter().any(|section| {
            manifest
                .get(section)
                .and_then(|deps| deps.get(name))
                .is_some()
        })
    };
    let serves_static = runs.starts_with("serve ")
        || runs.contains("npx serve")
        || runs.contains("http-server")
        || runs.is_empty();
    let words: Vec<&str> = runs.split_whitespace().collect();
    let node_file = (words.first() == Some(&"node"))
        .then(|| words.iter().skip(1).find(|w| !w.starts_with('-')))
        .flatten();
    if serves_static {
        let output = static_output(&manifest, build, dependency)?;
        let output = absolute(&dir, &output);
        let runtime = map
            .runtimes
            .get("node-static")
            .ok_or("no node-static runtime in the map")?;
        return Ok(Split {
            stage,
            ecosystem: "Node (static site)",
            runtime_image: runtime.image.clone(),
            runtime: runtime.clone(),
            builder_image: builder.to_string(),
            artefacts: vec![(output, "/usr/share/nginx/html".into())],
            runtime_lines: vec!["EXPOSE 80".into()],
            builder_edits: Vec::new(),
            builder_tail: Vec::new(),
        config_notes: Vec::new(),
            static_site: true,
            shell_free: false,
            non_root_user: None,
            left_behind: "Node.js, node_modules, the sources; the original CMD (nginx serves the files on port 80)".into(),
        });
    }
    let Some(node_file) = node_file else {
        return Err("the CMD/ENTRYPOINT runs neither a static server nor `node FILE`".into());
    };
    let output_dir = node_file
        .trim_start_matches("./")
        .split('/')
        .next()
        .filter(|_| node_file.contains('/'));
    let Some(output_dir) = output_dir else {
        return Err("the server file is not inside a build output folder".into());
    };
    if manager != Some(Manager::Npm) && manager != Some(Manager::Yarn) {
        return Err("production install for this package manager is not supported".into());
    }
    check_healthcheck_tools(stage)?;
    let runtime = map
        .runtimes
        .get("node-server")
        .ok_or("no node-server runtime in the map")?;
    let slim =
        slim_of(map, image).ok_or("the builder image is already slim or has no slim variant")?;
    let app_dir = known_dir(stage, stage.body.len())?;
    let mut artefacts = vec![(
        absolute(&dir, "package.json"),
        absolute(&app_dir, "package.json"),
    )];
    let (lock, install) = if manager == Some(Manager::Yarn) {
        (
            "yarn.lock",
            "RUN yarn install --frozen-lockfile --production && yarn cache clean".to_string(),
        )
    } else if build.exists("package-lock.json") {
        (
            "package-lock.json",
            format!("RUN npm ci --omit=dev && {NPM_CACHE_CLEAN}"),
        )
    } else {
        return Err("no lock file for a reproducible production install".into());
    };
    if !build.exists(lock) {
        return Err(format!("no {lock} in the build context"));
    }
    artefacts.push((absolute(&dir, lock), absolute(&app_dir, lock)));
    artefacts.push((absolute(&dir, output_dir), absolute(&app_dir, output_dir)));
    Ok(Split {
        stage,
        ecosystem: "Node (server)",
        runtime_image: runtime.image.replace("{slim}", &slim),
        runtime: runtime.clone(),
        builder_image: builder.to_string(),
        artefacts,
        runtime_lines: vec![install.to_string()],
        builder_edits: Vec::new(),
        builder_tail: Vec::new(),
        config_notes: Vec::new(),
        static_site: false,
        shell_free: false,
        non_root_user: Some("node"),
        left_behind: format!(
            "development dependencies, the sources and everything else outside {output_dir}/ (copy what the server reads at run time)"
        ),
    })
}

/// The folder a front-end build writes, from the framework in package.json.
fn static_output(
    manifest: &serde_json::Value,
    build: &BuildContext,
    dependency: impl Fn(&str) -> bool,
) -> Analysis<String> {
    let build_script = manifest
        .get("scripts")
        .and_then(|s| s.get("build"))
        .and_then(|b| b.as_str())
        .unwrap_or_default();
    if dependency("@angular/cli") || dependency("@angular-devkit/build-angular") {
        let angular: serde_json::Value = build
            .read("angular.json")
            .and_then(|text| serde_json::from_str(&text).ok())
            .ok_or("no angular.json")?;
        let projects = angular
            .get("projects")
            .and_then(|p| p.as_object())
            .ok_or("no projects in angular.json")?;
        let [(_, project)] = projects.iter().collect::<Vec<_>>()[..] else {
            return Err("several Angular projects".into());
        };
        let options = project
            .pointer("/architect/build/options")
            .ok_or("no build options")?;
        let output = options
            .get("outputPath")
            .and_then(|o| o.as_str())
            .ok_or("no outputPath")?;
        let application_builder = project
            .pointer("/architect/build/builder")
            .and_then(|b| b.as_str())
            .is_some_and(|b| b.ends_with(":application"));
        return Ok(if application_builder {
            format!("{output}/browser")
        } else {
            output.to_string()
        });
    }
    if dependency("next") {
        let config = ["next.config.js", "next.config.mjs", "next.config.ts"]
            .iter()
            .find_map(|f| build.read(f))
            .unwrap_or_default();
        if build_script.contains("next export")
            || config.contains("output: 'export'")
            || config.contains("output: \"export\"")
        {
            return Ok("out".into());
        }
        return Err("a Next.js app that is not a static export".into());
    }
    if dependency("vite") {
        let config = ["vite.config.js", "vite.config.ts", "vite.config.mjs"]
            .iter()
            .find_map(|f| build.read(f))
            .unwrap_or_default();
        if config.contains("outDir") {
            return Err("vite.config sets its own outDir".into());
        }
        return Ok("dist".into());
    }
    if dependency("react-scripts") {
        return Ok("build".into());
    }
    if dependency("@vue/cli-service") || dependency("parcel") {
        return Ok("dist".into());
    }
    if dependency("gatsby") {
        return Ok("public".into());
    }
    Err("the front-end framework's output folder is not known".into())
}

impl Split<'_> {
    fn into_fix(self, file: &Dockerfile, stages: &[Stage]) -> Fix {
        let text = file.text();
        let stage = self.stage;
        let taken: Vec<String> = stages.iter().filter_map(Stage::name).collect();
        let (alias, mut edits) = match stage.name() {
            Some(name) => (name, Vec::new()),
            None => {
                let alias = ["build", "builder", "build-stage"]
                    .into_iter()
                    .find(|candidate| !taken.iter().any(|t| t == candidate))
                    .unwrap_or("dockfix-build")
                    .to_string();
                let end = stage.from.text_range().end;
                let keyword = if stage.from.keyword().chars().all(|c| c.is_ascii_lowercase()) {
                    "as"
                } else {
                    "AS"
                };
                (
                    alias.clone(),
                    vec![Edit::insert(end, format!(" {keyword} {alias}"))],
                )
            }
        };
        edits.extend(self.builder_edits.iter().cloned());
        let newline = stage.from.newline_style();
        let mut runtime = String::new();
        if !text.ends_with('\n') {
            runtime.push_str(newline);
        }
        for line in &self.builder_tail {
            runtime.push_str(line);
            runtime.push_str(newline);
        }
        runtime.push_str(newline);
        runtime.push_str(
            "# Runtime stage added by dockfix (multi-stage): only the build's artefacts.",
        );
        runtime.push_str(newline);
        runtime.push_str(&format!("FROM {}{newline}", self.runtime_image));
        let before_copies = [
            InstructionKind::Arg,
            InstructionKind::Env,
            InstructionKind::Label,
            InstructionKind::Workdir,
        ];
        let after_copies = [
            InstructionKind::User,
            InstructionKind::Expose,
            InstructionKind::Volume,
            InstructionKind::Healthcheck,
            InstructionKind::StopSignal,
            InstructionKind::Entrypoint,
            InstructionKind::Cmd,
        ];
        let kept = |kinds: &[InstructionKind]| -> String {
            stage
                .body
                .iter()
                .filter(|i| kinds.contains(&i.kind()))
                .filter(|i| {
                    !self.static_site
                        || matches!(i.kind(), InstructionKind::Arg | InstructionKind::Label)
                })
                .map(|i| self.runtime_text(i, text, newline))
                .collect()
        };
        runtime.push_str(&kept(&before_copies));
        for (from, to) in &self.artefacts {
            runtime.push_str(&format!("COPY --from={alias} {from} {to}{newline}"));
        }
        for line in &self.runtime_lines {
            runtime.push_str(&line.replace("{build}", &alias));
            runtime.push_str(newline);
        }
        let has_user = stage.body.iter().any(|i| i.kind() == InstructionKind::User);
        let mut config_notes = self.config_notes.clone();
        if let Some(user) = self
            .non_root_user
            .filter(|_| !has_user && !self.static_site)
        {
            runtime.push_str(&format!("USER {user}{newline}"));
            config_notes.push(format!("runs as USER {user}"));
        }
        if !self
            .runtime_image
            .contains(&ImageRef::parse(&self.builder_image).repository())
        {
            // Another image family: the ENV the builder image sets (GOPATH,
            // GOLANG_VERSION, CARGO_HOME, JAVA_HOME…) is not in the runtime.
            config_notes.push(format!(
                "ENV inherited from {} is replaced by {}'s own",
                self.builder_image, self.runtime_image
            ));
        }
        runtime.push_str(&kept(&after_copies));
        edits.push(Edit::insert(text.len(), runtime));
        let copied: Vec<&str> = self
            .artefacts
            .iter()
            .map(|(from, _)| from.as_str())
            .collect();
        let config = if config_notes.is_empty() {
            String::new()
        } else {
            format!("; config: {}", config_notes.join(", "))
        };
        let message = format!(
            "split into a build stage and a {} runtime stage: copies {}; leaves behind {}{config}; {} (unsafe: the runtime may need files the analysis cannot see)",
            self.ecosystem,
            copied.join(", "),
            self.left_behind,
            sizes_note(&self.runtime, &self.builder_image, &self.runtime_image),
        );
        Fix::unsafe_(message, edits)
    }

    /// An instruction as it goes into the runtime stage: its text, with a
    /// plain-words shell-form CMD/ENTRYPOINT turned into exec form when the
    /// runtime has no shell.
    fn runtime_text(&self, instruction: &Instruction, text: &str, newline: &str) -> String {
        let own = &text[instruction.range()];
        let own = own.trim_start_matches([' ', '\t']);
        let converts = self.shell_free
            && matches!(
                instruction.kind(),
                InstructionKind::Cmd | InstructionKind::Entrypoint
            )
            && instruction.json_args().is_none();
        if converts {
            let words: Vec<String> = instruction
                .args()
                .split_whitespace()
                .map(|w| serde_json::to_string(w).unwrap_or_default())
                .collect();
            return format!("{} [{}]{newline}", instruction.keyword(), words.join(", "));
        }
        if own.ends_with('\n') {
            own.to_string()
        } else {
            format!("{own}{newline}")
        }
    }
}
