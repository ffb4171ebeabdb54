#![doc = include_str!("../../transforms/copy-manifests-first/README.md")]

use crate::dockerignore::DockerIgnore;
use crate::engine::{BuildContext, Context, Edit, Fix, Safety, Transform};
use crate::shell::packages::{self, Manager};
use crate::shell::{Script, SimpleCommand};
use crate::syntax::{Dockerfile, Instruction, InstructionKind, Stage};
use crate::transforms::workdir::{normalize, workdir_before};

pub struct CopyManifestsFirst;

impl Transform for CopyManifestsFirst {
    fn id(&self) -> &'static str {
        "copy-manifests-first"
    }

    fn summary(&self) -> &'static str {
        "Copy dependency manifests and install before `COPY . .`, so source edits keep the install cached"
    }

    fn safety(&self) -> Safety {
        Safety::Safe
    }

    fn docs(&self) -> &'static str {
        include_str!("../../transforms/copy-manifests-first/README.md")
    }

    fn fixes(&self, file: &Dockerfile, context: &Context) -> Vec<Fix> {
        let Some(build) = context.build_context else {
            return Vec::new();
        };
        // BuildKit refuses to COPY a file by name that it excludes.
        let (_, ignored) = DockerIgnore::for_build(build, context.path);
        let text = file.text();
        let mut fixes = Vec::new();
        for stage in file.stages() {
            for (index, instruction) in stage.body.iter().enumerate() {
                if let Some(copy) = WholeContextCopy::of(instruction)
                    && let Some(fix) = plan(file, &stage, index, &copy, build, &ignored, text)
                {
                    fixes.push(fix);
                }
            }
        }
        fixes
    }
}

/// `COPY . <dest>` / `ADD . <dest>`.
struct WholeContextCopy<'i> {
    instruction: &'i Instruction,
    dest: String,
    /// `--chown`, `--chmod`, `--link` as written, for the manifest COPY.
    kept_flags: Vec<String>,
}

impl<'i> WholeContextCopy<'i> {
    fn of(instruction: &'i Instruction) -> Option<Self> {
        let copy = instruction.as_copy()?;
        if instruction.is_error() || copy.is_exec_form() || !instruction.heredocs().is_empty() {
            return None;
        }
        let mut kept_flags = Vec::new();
        for flag in instruction.flags() {
            match flag.name.as_str() {
                "chown" | "chmod" | "link" => {
                    kept_flags.push(match flag.value {
                        Some(value) => format!("--{}={value}", flag.name),
                        None => format!("--{}", flag.name),
                    });
                }
                _ => return None,
            }
        }
        let words = instruction.words();
        let [(source, _), (dest, _)] = words.as_slice() else {
            return None;
        };
        if !matches!(source.as_str(), "." | "./") || dest.contains('$') {
            return None;
        }
        Some(Self {
            instruction,
            dest: dest.clone(),
            kept_flags,
        })
    }
}

/// What the install or build step is, and what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ecosystem {
    Npm,
    Yarn,
    Pnpm,
    /// Requirements and constraints files named with `-r` / `-c`.
    Pip(Vec<String>),
    Poetry,
    Uv,
    Pipenv,
    Go,
    Bundler,
    Composer,
    Maven,
    Dotnet,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum StepKind {
    /// Installs dependencies from the manifests only.
    Install,
    /// Builds from the sources; the dependency-only command to add first.
    Build { dependency_command: String },
}

#[derive(Debug, Clone)]
struct Step {
    ecosystem: Ecosystem,
    kind: StepKind,
    /// Options given to the install (to look for `--ignore-scripts`, ...).
    options: Vec<String>,
}

/// How a `RUN` between the copy and the install relates to the sources.
enum RunRole {
    Step(Step),
    /// Known not to read the build context.
    Harmless,
    /// Could read the sources, or cannot be analysed.
    Unknown,
}

fn classify_run(file: &Dockerfile, run: &Instruction) -> RunRole {
    if run.is_error() || !run.heredocs().is_empty() {
        return RunRole::Unknown;
    }
    let Some(script) = Script::of_run(file, run) else {
        return RunRole::Unknown;
    };
    // A `cd` moves the install away from the copied manifests.
    let moves = script
        .state_changes()
        .iter()
        .any(|change| matches!(change.command.as_str(), "cd" | "pushd" | "popd"));
    let mut step = None;
    for (command, _) in script.simple_commands() {
        match classify_command(command) {
            RunRole::Step(found) if !moves && step.is_none() => step = Some(found),
            RunRole::Harmless => {}
            _ => return RunRole::Unknown,
        }
    }
    match step {
        Some(step) => RunRole::Step(step),
        None => RunRole::Harmless,
    }
}

/// Commands that neither read nor depend on the build context's files.
const HARMLESS_COMMANDS: &[&str] = &[
    "mkdir", "useradd", "groupadd", "adduser", "addgroup", "echo", "printf", "true", "pwd", "ls",
    "id", "whoami", "uname", "env", "printenv", "date",
];

fn is_path_like(arg: &str) -> bool {
    arg == "."
        || arg.starts_with("./")
        || arg.starts_with("../")
        || arg.starts_with('/')
        || arg.contains("file:")
        || arg.ends_with(".whl")
        || arg.ends_with(".tar.gz")
        || arg.ends_with(".deb")
        || arg.ends_with(".rpm")
        || arg.ends_with(".apk")
        || arg.ends_with(".gem")
        || arg.ends_with(".tgz")
}

fn classify_command(command: &SimpleCommand) -> RunRole {
    let Some(program) = command.program() else {
        return RunRole::Unknown;
    };
    let args: Vec<String> = match command
        .literal_args()
        .into_iter()
        .collect::<Option<Vec<_>>>()
    {
        Some(args) => args,
        None => return RunRole::Unknown,
    };
    if let Some(package) = packages::package_command(command, Default::default()) {
        return classify_package_command(&package);
    }
    let options: Vec<String> = args
        .iter()
        .filter(|a| a.starts_with('-'))
        .cloned()
        .collect();
    let operands: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let step = |ecosystem, kind| {
        RunRole::Step(Step {
            ecosystem,
            kind,
            options: options.clone(),
        })
    };
    match program.as_str() {
        "go" => match operands.first().map(|s| s.as_str()) {
            Some("mod") if operands.get(1).map(|s| s.as_str()) == Some("download") => {
                step(Ecosystem::Go, StepKind::Install)
            }
            Some("build") => step(
                Ecosystem::Go,
                StepKind::Build {
                    dependency_command: "go mod download".into(),
                },
            ),
            Some("install")
                if operands[1..].iter().all(|pkg| pkg.contains('@')) && operands.len() > 1 =>
            {
                RunRole::Harmless
            }
            _ => RunRole::Unknown,
        },
        "mvn" => {
            if operands.iter().any(|goal| {
                goal.starts_with("dependency:go-offline") || goal.starts_with("dependency:resolve")
            }) {
                step(Ecosystem::Maven, StepKind::Install)
            } else if operands
                .iter()
                .any(|goal| matches!(goal.as_str(), "package" | "install" | "verify" | "compile"))
            {
                let quiet: Vec<&str> = options
                    .iter()
                    .map(String::as_str)
                    .filter(|o| {
                        matches!(
                            *o,
                            "-B" | "--batch-mode"
                                | "-q"
                                | "--quiet"
                                | "-ntp"
                                | "--no-transfer-progress"
                        )
                    })
                    .collect();
                let mut dependency_command = String::from("mvn");
                for option in quiet {
                    dependency_command.push(' ');
                    dependency_command.push_str(option);
                }
                dependency_command.push_str(" dependency:go-offline");
                step(Ecosystem::Maven, StepKind::Build { dependency_command })
            } else {
                RunRole::Unknown
            }
        }
        "dotnet" => {
            let project = dotnet_project(&args);
            let project_arg = project.map(|p| format!(" {p}")).unwrap_or_default();
            match operands.first().map(|s| s.as_str()) {
                Some(_) if project.is_some_and(|p| p.contains('/')) => RunRole::Unknown,
                Some("restore") => step(Ecosystem::Dotnet, StepKind::Install),
                Some("build" | "publish") => step(
                    Ecosystem::Dotnet,
                    StepKind::Build {
                        dependency_command: format!("dotnet restore{project_arg}"),
                    },
                ),
                _ => RunRole::Unknown,
            }
        }
        // `poetry install` takes no operands: other words are option values.
        "poetry" if operands.first().map(|s| s.as_str()) == Some("install") => {
            if options.iter().any(|o| o == "--no-root") {
                step(Ecosystem::Poetry, StepKind::Install)
            } else {
                RunRole::Unknown
            }
        }
        "uv" => match operands.first().map(|s| s.as_str()) {
            Some("sync") if options.iter().any(|o| o == "--no-install-project") => {
                step(Ecosystem::Uv, StepKind::Install)
            }
            _ => RunRole::Unknown,
        },
        "pipenv"
            if operands.first().map(|s| s.as_str()) == Some("install") && operands.len() == 1 =>
        {
            step(Ecosystem::Pipenv, StepKind::Install)
        }
        _ if HARMLESS_COMMANDS.contains(&program.as_str()) => RunRole::Harmless,
        _ => RunRole::Unknown,
    }
}

/// `dotnet` options whose value is the next word (`-c Release`).
const DOTNET_VALUE_OPTIONS: &[&str] = &[
    "-c",
    "--configuration",
    "-o",
    "--output",
    "-f",
    "--framework",
    "-r",
    "--runtime",
    "-v",
    "--verbosity",
    "-a",
    "--arch",
    "--os",
    "-s",
    "--source",
    "--version-suffix",
    "--packages",
    "--configfile",
];

/// The project or solution a `dotnet build|publish|restore` names: the
/// first operand after the subcommand that is not an option's value.
fn dotnet_project(args: &[String]) -> Option<&str> {
    let mut words = args.iter().skip(1);
    while let Some(word) = words.next() {
        if DOTNET_VALUE_OPTIONS.contains(&word.as_str()) {
            words.next();
        } else if !word.starts_with('-') {
            return Some(word);
        }
    }
    None
}

fn classify_package_command(package: &packages::PackageCommand) -> RunRole {
    let subcommand = package.subcommand.as_deref();
    let operands = package.operands();
    if package.args.iter().any(Option::is_none) {
        return RunRole::Unknown;
    }
    let named_only = !operands.is_empty() && !operands.iter().any(|o| is_path_like(o));
    let step = |ecosystem| {
        RunRole::Step(Step {
            ecosystem,
            kind: StepKind::Install,
            options: package.options.clone(),
        })
    };
    let elsewhere = package.has_option(&[
        "--prefix",
        "-C",
        "--cwd",
        "--dir",
        "--working-dir",
        "-d",
        "--project",
        "--directory",
    ]);
    match package.manager {
        Manager::Apt
        | Manager::Apk
        | Manager::Yum
        | Manager::Dnf
        | Manager::Microdnf
        | Manager::Zypper => {
            if operands.iter().any(|o| is_path_like(o)) || subcommand == Some("source") {
                RunRole::Unknown
            } else {
                RunRole::Harmless
            }
        }
        Manager::Npm => match subcommand {
            Some("ci" | "install" | "i") if operands.is_empty() && !elsewhere => {
                step(Ecosystem::Npm)
            }
            Some("install" | "i") if named_only && package.has_option(&["-g", "--global"]) => {
                RunRole::Harmless
            }
            Some("config" | "set") => RunRole::Harmless,
            _ => RunRole::Unknown,
        },
        Manager::Yarn => match subcommand {
            None | Some("install") if !elsewhere => step(Ecosystem::Yarn),
            Some("global")
                if package.args.first().and_then(|a| a.as_deref()) == Some("add")
                    && operands.len() > 1 =>
            {
                RunRole::Harmless
            }
            Some("config") => RunRole::Harmless,
            _ => RunRole::Unknown,
        },
        Manager::Pnpm => match subcommand {
            Some("install" | "i") if operands.is_empty() && !elsewhere => step(Ecosystem::Pnpm),
            Some("add") if named_only && package.has_option(&["-g", "--global"]) => {
                RunRole::Harmless
            }
            _ => RunRole::Unknown,
        },
        Manager::Pip => {
            if subcommand != Some("install") || package.has_option(&["-e", "--editable"]) {
                return RunRole::Unknown;
            }
            if operands.iter().any(|o| is_path_like(o)) {
                return RunRole::Unknown;
            }
            let files = requirement_files(package);
            if files.is_empty() {
                if named_only {
                    RunRole::Harmless
                } else {
                    RunRole::Unknown
                }
            } else {
                step(Ecosystem::Pip(files))
            }
        }
        Manager::Gem => {
            if subcommand == Some("install") && named_only {
                RunRole::Harmless
            } else {
                RunRole::Unknown
            }
        }
        Manager::Bundle => match subcommand {
            Some("install") | None if !elsewhere => step(Ecosystem::Bundler),
            Some("config") => RunRole::Harmless,
            _ => RunRole::Unknown,
        },
        Manager::Composer => match subcommand {
            Some("install") if !elsewhere => step(Ecosystem::Composer),
            _ => RunRole::Unknown,
        },
    }
}

/// The files named by `-r`/`--requirement`/`-c`/`--constraint`.
fn requirement_files(package: &packages::PackageCommand) -> Vec<String> {
    let words: Vec<&str> = package
        .command
        .words
        .iter()
        .map(|w| w.raw.as_str())
        .collect();
    let literal: Vec<Option<String>> = package.command.words.iter().map(|w| w.literal()).collect();
    let mut files = Vec::new();
    for (index, word) in words.iter().enumerate() {
        let value = match *word {
            "-r" | "--requirement" | "-c" | "--constraint" => {
                literal.get(index + 1).cloned().flatten()
            }
            _ => ["--requirement=", "--constraint=", "-r", "-c"]
                .iter()
                .find_map(|prefix| {
                    word.strip_prefix(prefix)
                        .filter(|rest| !rest.is_empty() && !rest.starts_with('-'))
                })
                .map(str::to_string),
        };
        if let Some(value) = value {
            files.push(value);
        }
    }
    files
}

/// The files to copy first, relative to the context root, or why not.
fn manifests(
    ecosystem: &Ecosystem,
    build: &BuildContext,
    ignored: &DockerIgnore,
) -> Result<Vec<String>, ()> {
    let present = |name: &str| {
        build.exists(name) && !ignored.excludes(name) && !build.root().join(name).is_dir()
    };
    let require = |name: &str| if present(name) { Ok(()) } else { Err(()) };
    let optional = |names: &[&str]| -> Vec<String> {
        names
            .iter()
            .filter(|name| present(name))
            .map(|name| name.to_string())
            .collect()
    };
    let mut files = Vec::new();
    match ecosystem {
        Ecosystem::Npm | Ecosystem::Yarn | Ecosystem::Pnpm => {
            require("package.json")?;
            let manifest: serde_json::Value = build
                .read("package.json")
                .and_then(|text| serde_json::from_str(&text).ok())
                .ok_or(())?;
            if manifest.get("workspaces").is_some()
                || build.exists(".yarn")
                || build.exists("pnpm-workspace.yaml")
            {
                return Err(());
            }
            files.push("package.json".into());
            files.extend(optional(match ecosystem {
                Ecosystem::Npm => &["package-lock.json", "npm-shrinkwrap.json", ".npmrc"],
                Ecosystem::Yarn => &["yarn.lock", ".yarnrc", ".yarnrc.yml", ".npmrc"],
                _ => &["pnpm-lock.yaml", ".npmrc"],
            }));
        }
        Ecosystem::Pip(named) => {
            let mut pending: Vec<String> = named.iter().map(|name| normalize(name)).collect();
            while let Some(name) = pending.pop() {
                if files.contains(&name) {
                    continue;
                }
                require(&name)?;
                let text = build.read(&name).ok_or(())?;
                let directory = name.rsplit_once('/').map_or("", |(dir, _)| dir);
                for line in text.lines() {
                    let line = line.split(" #").next().unwrap_or_default().trim();
                    if line.starts_with("-e")
                        || line.starts_with("--editable")
                        || is_path_like(line.split_whitespace().next().unwrap_or_default())
                        || line.contains("@ file:")
                    {
                        return Err(());
                    }
                    for prefix in [
                        "-r ",
                        "--requirement ",
                        "-c ",
                        "--constraint ",
                        "--requirement=",
                        "--constraint=",
                    ] {
                        if let Some(included) = line.strip_prefix(prefix) {
                            let included = included.trim();
                            pending.push(if directory.is_empty() {
                                normalize(included)
                            } else {
                                normalize(&format!("{directory}/{included}"))
                            });
                        }
                    }
                }
                files.push(name);
            }
            let directories: Vec<&str> = files
                .iter()
                .map(|f| f.rsplit_once('/').map_or("", |(d, _)| d))
                .collect();
            if directories.iter().any(|dir| *dir != directories[0]) {
                return Err(());
            }
            files.sort();
        }
        Ecosystem::Poetry => {
            require("pyproject.toml")?;
            files.push("pyproject.toml".into());
            files.extend(optional(&["poetry.lock", "poetry.toml"]));
        }
        Ecosystem::Uv => {
            require("pyproject.toml")?;
            files.push("pyproject.toml".into());
            files.extend(optional(&["uv.lock", ".python-version"]));
        }
        Ecosystem::Pipenv => {
            require("Pipfile")?;
            if build
                .read("Pipfile")
                .is_some_and(|text| text.contains("path =") || text.contains("path="))
            {
                return Err(());
            }
            files.push("Pipfile".into());
            files.extend(optional(&["Pipfile.lock"]));
        }
        Ecosystem::Go => {
            require("go.mod")?;
            if build.exists("go.work") || build.exists("vendor") {
                return Err(());
            }
            files.push("go.mod".into());
            files.extend(optional(&["go.sum"]));
        }
        Ecosystem::Bundler => {
            require("Gemfile")?;
            let gemfile = build.read("Gemfile").ok_or(())?;
            if gemfile.lines().any(|line| {
                let line = line.trim();
                line.starts_with("gemspec") || line.contains("path:") || line.contains(":path")
            }) {
                return Err(());
            }
            files.push("Gemfile".into());
            files.extend(optional(&["Gemfile.lock"]));
            if gemfile.contains(".ruby-version") {
                files.extend(optional(&[".ruby-version"]));
            }
        }
        Ecosystem::Composer => {
            require("composer.json")?;
            files.push("composer.json".into());
            files.extend(optional(&["composer.lock"]));
        }
        Ecosystem::Maven => {
            require("pom.xml")?;
            if build
                .read("pom.xml")
                .is_some_and(|pom| pom.contains("<modules>"))
            {
                return Err(());
            }
            files.push("pom.xml".into());
        }
        Ecosystem::Dotnet => {
            let is_project = |name: &str| {
                [".csproj", ".fsproj", ".vbproj", ".sln"]
                    .iter()
                    .any(|ext| name.ends_with(ext))
            };
            let projects: Vec<&String> = build
                .files()
                .iter()
                .filter(|name| is_project(name))
                .collect();
            if projects.is_empty() || projects.iter().any(|name| name.contains('/')) {
                return Err(());
            }
            files.extend(
                projects
                    .into_iter()
                    .filter(|name| !ignored.excludes(name))
                    .cloned(),
            );
            files.extend(optional(&[
                "NuGet.config",
                "NuGet.Config",
                "nuget.config",
                "Directory.Build.props",
                "Directory.Build.targets",
                "Directory.Packages.props",
                "global.json",
            ]));
        }
    }
    Ok(files)
}

/// Why an install that reads the manifests only might still need sources.
fn unsafe_reason(step: &Step, build: &BuildContext) -> Option<String> {
    match step.ecosystem {
        Ecosystem::Npm | Ecosystem::Yarn | Ecosystem::Pnpm => {
            if step.options.iter().any(|o| o == "--ignore-scripts") {
                return None;
            }
            let manifest: serde_json::Value =
                serde_json::from_str(&build.read("package.json")?).ok()?;
            let scripts = manifest.get("scripts")?.as_object()?;
            let hooks: Vec<&str> = ["preinstall", "install", "postinstall", "prepare"]
                .into_iter()
                .filter(|hook| scripts.contains_key(*hook))
                .collect();
            (!hooks.is_empty()).then(|| {
                format!(
                    "package.json runs `{}` on install, which may read source files",
                    hooks.join("`, `")
                )
            })
        }
        Ecosystem::Composer => {
            let has = |option: &str| step.options.iter().any(|o| o == option);
            (!(has("--no-scripts") && has("--no-autoloader"))).then(|| {
                "composer install runs scripts and builds the autoloader from the sources; add --no-scripts --no-autoloader and run `composer dump-autoload` after the full COPY".to_string()
            })
        }
        _ => None,
    }
}

fn ecosystem_name(ecosystem: &Ecosystem) -> &'static str {
    match ecosystem {
        Ecosystem::Npm => "npm",
        Ecosystem::Yarn => "yarn",
        Ecosystem::Pnpm => "pnpm",
        Ecosystem::Pip(_) => "pip",
        Ecosystem::Poetry => "poetry",
        Ecosystem::Uv => "uv",
        Ecosystem::Pipenv => "pipenv",
        Ecosystem::Go => "go",
        Ecosystem::Bundler => "bundler",
        Ecosystem::Composer => "composer",
        Ecosystem::Maven => "maven",
        Ecosystem::Dotnet => "dotnet",
    }
}

/// Same ecosystem, ignoring which requirements files pip reads.
fn same_ecosystem(a: &Ecosystem, b: &Ecosystem) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

fn plan(
    file: &Dockerfile,
    stage: &Stage,
    copy_index: usize,
    copy: &WholeContextCopy,
    build: &BuildContext,
    ignored: &DockerIgnore,
    text: &str,
) -> Option<Fix> {
    let copy_dir = workdir_before(stage, copy_index).join(&copy.dest);
    let dest_is_relative = !copy.dest.starts_with('/');
    let mut workdir = workdir_before(stage, copy_index);
    let mut only_harmless_between = true;
    let mut found = None;
    for instruction in &stage.body[copy_index + 1..] {
        match instruction.kind() {
            InstructionKind::Run => match classify_run(file, instruction) {
                RunRole::Step(step) => {
                    found = Some((instruction, step, workdir.clone()));
                    break;
                }
                RunRole::Harmless => {}
                RunRole::Unknown => only_harmless_between = false,
            },
            InstructionKind::Workdir => {
                if dest_is_relative {
                    only_harmless_between = false;
                }
                workdir = workdir.join(instruction.args().trim());
            }
            InstructionKind::Env
            | InstructionKind::Arg
            | InstructionKind::Label
            | InstructionKind::Expose
            | InstructionKind::User
            | InstructionKind::Healthcheck
            | InstructionKind::StopSignal
            | InstructionKind::Cmd
            | InstructionKind::Entrypoint
            | InstructionKind::Maintainer => {}
            _ => only_harmless_between = false,
        }
    }
    let (run, step, run_dir) = found?;
    if !run_dir.same_as(&copy_dir) {
        return None;
    }
    match step.kind {
        // The full COPY moves after the install: nothing between may need it.
        StepKind::Install if !only_harmless_between => return None,
        // The dependency step runs where the COPY is: in its directory.
        StepKind::Build { .. } if !workdir_before(stage, copy_index).same_as(&copy_dir) => {
            return None;
        }
        _ => {}
    }
    // Already in shape: an earlier RUN of the stage installs this ecosystem.
    let installed_before = stage.body[..copy_index].iter().any(|earlier| {
        earlier.kind() == InstructionKind::Run
            && matches!(classify_run(file, earlier), RunRole::Step(s) if same_ecosystem(&s.ecosystem, &step.ecosystem) && s.kind == StepKind::Install)
    });
    if installed_before {
        return None;
    }
    let files = manifests(&step.ecosystem, build, ignored).ok()?;
    let subdirectory = files[0].rsplit_once('/').map(|(dir, _)| dir.to_string());
    let names: Vec<&str> = files.iter().map(|f| f.as_str()).collect();

    let copy_instruction = copy.instruction;
    let keyword = |word: &str| {
        if copy_instruction
            .keyword()
            .chars()
            .all(|c| c.is_ascii_lowercase())
        {
            word.to_ascii_lowercase()
        } else {
            word.to_string()
        }
    };
    let newline = copy_instruction.newline_style();
    let indent = copy_instruction.indentation();
    let mut dest = copy.dest.trim_end_matches('/').to_string();
    dest.push('/');
    if let Some(subdirectory) = &subdirectory {
        dest.push_str(subdirectory);
        dest.push('/');
    }
    let mut manifest_copy = format!("{indent}{}", keyword("COPY"));
    for flag in &copy.kept_flags {
        manifest_copy.push(' ');
        manifest_copy.push_str(flag);
    }
    manifest_copy.push_str(&format!(" {} {dest}{newline}", names.join(" ")));

    let ecosystem = ecosystem_name(&step.ecosystem);
    let copy_range = copy_instruction.range();
    match &step.kind {
        StepKind::Install => {
            let mut moved = text[copy_range.clone()].to_string();
            let run_range = run.range();
            let mut insertion = String::new();
            if !text[..run_range.end].ends_with('\n') {
                insertion.push_str(newline);
                moved = moved.trim_end_matches(['\r', '\n']).to_string();
            }
            insertion.push_str(&moved);
            let message = format!(
                "copy {} before the {ecosystem} install and the full context after it, so source changes keep the install layer cached",
                names.join(", ")
            );
            let edits = vec![
                Edit::replace(copy_range, manifest_copy),
                Edit::insert(run_range.end, insertion),
            ];
            Some(match unsafe_reason(&step, build) {
                Some(reason) => Fix::unsafe_(format!("{message} (unsafe: {reason})"), edits),
                None => Fix::safe(message, edits),
            })
        }
        StepKind::Build { dependency_command } => {
            let flags: Vec<String> = run
                .flags()
                .into_iter()
                .map(|flag| match flag.value {
                    Some(value) => format!(" --{}={value}", flag.name),
                    None => format!(" --{}", flag.name),
                })
                .collect();
            let dependency_run = format!(
                "{indent}{}{} {dependency_command}{newline}",
                keyword("RUN"),
                flags.concat()
            );
            let message = format!(
                "copy {} and run `{dependency_command}` before the full context, so source changes keep the dependency layer cached (unsafe: the dependency step can download more than the build needs)",
                names.join(", ")
            );
            Some(Fix::unsafe_(
                message,
                vec![Edit::insert(
                    copy_range.start,
                    format!("{manifest_copy}{dependency_run}"),
                )],
            ))
        }
    }
}
