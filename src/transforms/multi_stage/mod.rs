#![doc = include_str!("../../../transforms/multi-stage/README.md")]

mod c;
mod dotnet;
mod go;
mod java;
mod node;
mod python;
mod rust;
mod static_server_command;

use std::rc::Rc;

use crate::base_images::{BaseImageMap, Runtime};
use crate::config::GoRuntime;
use crate::engine::{BuildContext, Context, Edit, Fix, Safety, Transform};
use crate::paths::last_component;
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
        include_str!("../../../transforms/multi-stage/README.md")
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
                .filter(|command| !command.manager.is_system())
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
            let name = last_component(path);
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
        return go::go(file, stage, context, runtime, &image_text);
    }
    if let Some((_, runtime)) = runtimes_for(&["rust"]).first() {
        return rust::rust(file, stage, context, runtime, &image_text);
    }
    if let Some((_, runtime)) = runtimes_for(&["java"]).first() {
        return java::java(file, stage, runtime, &image, &image_text);
    }
    if let Some((_, runtime)) = runtimes_for(&["dotnet"]).first() {
        return dotnet::dotnet(file, stage, runtime, &image, &image_text);
    }
    if let Some((_, runtime)) = runtimes_for(&["python"]).first() {
        return python::python(file, stage, runtime, map, &image, &image_text);
    }
    let node = runtimes_for(&["node-server", "node-static"]);
    if !node.is_empty() {
        return node::node_app(file, stage, context, map, &image, &image_text);
    }
    if let Some((_, runtime)) = runtimes_for(&["c"]).first() {
        return c::c(file, stage, runtime, map, &image, &image_text);
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
                    command.manager.is_system()
                        && matches!(command.subcommand, Some("install" | "add"))
                })
                .map(|command| {
                    format!(
                        "{} {}",
                        command.program_word.raw,
                        command.subcommand.unwrap_or_default()
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
        let name = last_component(&program);
        if name.is_empty() || RUNTIME_PROGRAMS.contains(&name) {
            continue;
        }
        let an_artefact = artefacts.iter().any(|(_, to)| {
            to == &program
                || program.starts_with(&format!("{}/", to.trim_end_matches('/')))
                || last_component(to) == name
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
fn commands_of<'s>(
    file: &Dockerfile,
    stage: &'s Stage,
) -> Vec<(&'s Instruction, usize, Rc<Script>)> {
    stage
        .body
        .iter()
        .enumerate()
        .filter(|(_, i)| i.kind() == InstructionKind::Run)
        .filter_map(|(index, run)| {
            Script::shared_of_run(file, run).map(|script| (run, index, script))
        })
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
            let Some(words) = command.literal_words() else {
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

/// What a split that carries shared libraries leaves behind: `toolchain`,
/// the apt packages the stage installed, and how the runtime gets the
/// libraries `artefact` links against instead.
fn left_behind_with_libraries(toolchain: &str, apt_packages: &[String], artefact: &str) -> String {
    let mut left_behind = toolchain.to_string();
    if !apt_packages.is_empty() {
        left_behind.push_str(&format!(
            ", and the apt packages {}",
            apt_packages.join(", ")
        ));
    }
    left_behind.push_str(&format!(
        "; the runtime stage installs the Debian packages of the shared libraries {artefact} links against (listed with ldd and dpkg -S in the build stage)"
    ));
    left_behind
}

/// The two steps that carry an artefact's shared libraries into a runtime
/// stage that starts from a fresh image: in the build stage, `ldd` over
/// what `ldd_command` names and `dpkg -S` give the Debian packages that own
/// the libraries, written to `packages_file`; in the runtime stage, apt
/// installs those it lacks. Without them `import psycopg2` fails on a
/// missing `libpq.so.5`. One `sh -c` each: the engine's shell guard lets a
/// rewrite add simple commands only, and these steps need pipelines.
fn runtime_package_lines(ldd_command: &str, packages_file: &str) -> (String, String) {
    let list = format!(
        r#"RUN sh -c '{ldd_command} 2>/dev/null | grep -o "=> /[^ ]*" | sed "s|.*/|*/|" | sort -u | xargs -r dpkg -S 2>/dev/null | grep -v "^diversion" | sed "s/[:,].*//" | sort -u > {packages_file}'"#
    );
    let install = format!(
        r#"RUN sh -c 'dpkg-query -W -f "\${{Package}}\n" | sort > /tmp/installed-packages && comm -13 /tmp/installed-packages {packages_file} > /tmp/missing-packages' && xargs -r -a /tmp/missing-packages sh -c 'apt-get update && apt-get install -y --no-install-recommends "$@" && rm -rf /var/lib/apt/lists/*' sh && rm -f /tmp/installed-packages /tmp/missing-packages{}"#,
        if packages_file.starts_with("/tmp/") {
            format!(" {packages_file}")
        } else {
            String::new()
        }
    );
    (list, install)
}

/// Shell-form `CMD`/`ENTRYPOINT` and `HEALTHCHECK` need a shell the runtime
/// may not have.
fn check_shell_free(stage: &Stage, artefacts: &[(String, String)]) -> Analysis<()> {
    for instruction in &stage.body {
        match instruction.kind() {
            InstructionKind::Cmd | InstructionKind::Entrypoint
                if instruction.json_args().is_none() && !is_plain_words(instruction.args()) =>
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
                            artefacts
                                .iter()
                                .any(|(_, path)| path == program || last_component(path) == program)
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
            .any(|w| matches!(last_component(w), "curl" | "wget"))
        {
            return Err(
                "the HEALTHCHECK uses curl or wget, which the slim runtime image lacks".into(),
            );
        }
    }
    Ok(())
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
        if self.static_site {
            // Only ARG and LABEL go to the web server's stage: name every
            // instruction whose setting the final image loses.
            let dropped: Vec<&str> = [
                (InstructionKind::Env, "ENV"),
                (InstructionKind::Workdir, "WORKDIR"),
                (InstructionKind::User, "USER"),
                (InstructionKind::Expose, "EXPOSE"),
                (InstructionKind::Volume, "VOLUME"),
                (InstructionKind::Healthcheck, "HEALTHCHECK"),
                (InstructionKind::StopSignal, "STOPSIGNAL"),
                (InstructionKind::Entrypoint, "ENTRYPOINT"),
                (InstructionKind::Cmd, "CMD"),
            ]
            .into_iter()
            .filter(|(kind, _)| stage.body.iter().any(|i| i.kind() == *kind))
            .map(|(_, name)| name)
            .collect();
            if !dropped.is_empty() {
                config_notes.push(format!(
                    "the stage's {} are not kept: {}'s own apply",
                    dropped.join(", "),
                    self.runtime_image
                ));
            }
        }
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
