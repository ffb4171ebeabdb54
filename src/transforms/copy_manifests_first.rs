#![doc = include_str!("../../transforms/copy-manifests-first/README.md")]

use crate::dockerignore::DockerIgnore;
use crate::engine::{Context, Edit, Fix, ImageEffect, Safety, Transform};
use crate::shell::packages::{self, Manager};
use crate::shell::{Script, SimpleCommand};
use crate::syntax::{Dockerfile, Instruction, InstructionKind, Stage};
use crate::transforms::workdir::{Dir, workdir_before};

mod early_copy;
mod needs;
mod system_installs_first;
mod without_context;

use needs::{Needs, NodeManager, Project};

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

    fn some_fixes_unsafe(&self) -> bool {
        true
    }

    fn docs(&self) -> &'static str {
        include_str!("../../transforms/copy-manifests-first/README.md")
    }

    fn fixes(&self, file: &Dockerfile, context: &Context) -> Vec<Fix> {
        let Some(build) = context.build_context else {
            let text = file.text();
            let mut fixes = Vec::new();
            for stage in file.stages() {
                for (index, instruction) in stage.body.iter().enumerate() {
                    let Some(copy) = WholeContextCopy::of(instruction) else {
                        continue;
                    };
                    // The safe move below system installs first: the
                    // manifests' patterns are only an unsafe guess.
                    let system_installs = system_installs_first::system_installs_first(
                        file, &stage, index, &copy, text,
                    );
                    if let Some(Ok(fix)) = system_installs {
                        fixes.push(fix);
                        continue;
                    }
                    match without_context::plan_without_context(file, &stage, index, &copy, text) {
                        Ok(fix) => fixes.push(fix),
                        // Told only when nothing moves the copy at all.
                        Err(reason) => {
                            if let Some(Err(reason)) = system_installs {
                                context.skip(self.id(), instruction.range().start, reason);
                            } else if let Some(reason) = reason {
                                context.skip(self.id(), instruction.range().start, reason);
                            }
                        }
                    }
                }
            }
            return fixes;
        };
        // BuildKit refuses to COPY a file by name that it excludes.
        let (_, ignored) = DockerIgnore::for_build(build, context.path);
        let text = file.text();
        let mut fixes = Vec::new();
        for stage in file.stages() {
            for (index, instruction) in stage.body.iter().enumerate() {
                if let Some(copy) = WholeContextCopy::of(instruction) {
                    let project = Project {
                        build,
                        ignored: &ignored,
                    };
                    // An early copy the context is copied again after is
                    // removed (issue 12, item 14); when it cannot be, the
                    // usual reorder may still apply, and the skip says the
                    // more telling reason.
                    let early =
                        early_copy::redundant_early_copy(file, &stage, index, &copy, &project);
                    if let Ok(Some(fix)) = early {
                        fixes.push(fix);
                        continue;
                    }
                    // System packages installed right after the copy go
                    // above it (issue 12, item 8); the manifests follow in
                    // a later pass.
                    let system_installs = system_installs_first::system_installs_first(
                        file, &stage, index, &copy, text,
                    );
                    if let Some(Ok(fix)) = system_installs {
                        fixes.push(fix);
                        continue;
                    }
                    match (plan(file, &stage, index, &copy, &project, text), early) {
                        (Ok(Some(fix)), _) => fixes.push(fix),
                        (_, Err(reason)) | (Err(reason), _) => {
                            context.skip(self.id(), instruction.range().start, reason);
                            if let Some(Err(reason)) = system_installs {
                                context.skip(self.id(), instruction.range().start, reason);
                            }
                        }
                        (Ok(None), _) => {
                            if let Some(Err(reason)) = system_installs {
                                context.skip(self.id(), instruction.range().start, reason);
                            }
                        }
                    }
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
    /// Every literal argument, to find the context files it names
    /// (`--userconfig .npmrc.ci`, `--find-links ./wheels`, `-s settings.xml`).
    words: Vec<String>,
}

/// How a `RUN` between the copy and the install relates to the sources.
enum RunRole {
    Step(Step),
    /// Known not to read the build context.
    Harmless,
    /// Could read the sources, or cannot be analysed; with a reason when it
    /// is an install that needs them (`pip install .`), worth telling.
    Unknown(Option<String>),
}

fn classify_run(file: &Dockerfile, run: &Instruction, copy_dir: &Dir) -> RunRole {
    if run.is_error() || !run.heredocs().is_empty() {
        return RunRole::Unknown(None);
    }
    let Some(script) = Script::shared_of_run(file, run) else {
        return RunRole::Unknown(None);
    };
    // A `cd` moves the install away from the copied manifests.
    let moves = script
        .state_changes()
        .iter()
        .any(|change| matches!(change.command.as_str(), "cd" | "pushd" | "popd"));
    let mut step = None;
    for (command, _) in script.simple_commands() {
        match classify_command(command, copy_dir) {
            RunRole::Step(found) if !moves && step.is_none() => step = Some(found),
            RunRole::Step(_) => return RunRole::Unknown(None),
            RunRole::Harmless => {}
            unknown => return unknown,
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

/// Package-manager lists and caches, which `rm` may delete without
/// touching a project's sources.
const PACKAGE_CACHE_DIRS: &[&str] = &[
    "/var/lib/apt/lists",
    "/var/cache/apt",
    "/var/cache/apk",
    "/var/cache/yum",
    "/var/cache/dnf",
    "/var/cache/zypp",
    "/root/.cache/pip",
    "/root/.npm",
];

fn removes_only_package_caches(path: &str) -> bool {
    !path.contains("..")
        && PACKAGE_CACHE_DIRS
            .iter()
            .any(|dir| path == *dir || path.starts_with(&format!("{dir}/")))
}

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

fn classify_command(command: &SimpleCommand, copy_dir: &Dir) -> RunRole {
    let Some(program) = command.program() else {
        return RunRole::Unknown(None);
    };
    let args: Vec<String> = match command
        .literal_args()
        .into_iter()
        .collect::<Option<Vec<_>>>()
    {
        Some(args) => args,
        None => return RunRole::Unknown(None),
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
            words: args.clone(),
        })
    };
    match program {
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
            _ => RunRole::Unknown(None),
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
                RunRole::Unknown(None)
            }
        }
        "dotnet" => {
            let project = dotnet_project(&args);
            let project_arg = project.map(|p| format!(" {p}")).unwrap_or_default();
            match operands.first().map(|s| s.as_str()) {
                Some(_) if project.is_some_and(|p| p.contains('/')) => RunRole::Unknown(None),
                Some("restore") => step(Ecosystem::Dotnet, StepKind::Install),
                Some("build" | "publish") => step(
                    Ecosystem::Dotnet,
                    StepKind::Build {
                        dependency_command: format!("dotnet restore{project_arg}"),
                    },
                ),
                _ => RunRole::Unknown(None),
            }
        }
        // `poetry install` takes no operands: other words are option values.
        "poetry" if operands.first().map(|s| s.as_str()) == Some("install") => {
            if options.iter().any(|o| o == "--no-root") {
                step(Ecosystem::Poetry, StepKind::Install)
            } else {
                RunRole::Unknown(Some(
                    "`poetry install` without `--no-root` installs the project itself, which reads its sources".into(),
                ))
            }
        }
        "uv" => match operands.first().map(|s| s.as_str()) {
            Some("sync") if options.iter().any(|o| o == "--no-install-project") => {
                step(Ecosystem::Uv, StepKind::Install)
            }
            Some("sync") => RunRole::Unknown(Some(
                "`uv sync` without `--no-install-project` installs the project itself, which reads its sources".into(),
            )),
            _ => RunRole::Unknown(None),
        },
        "pipenv"
            if operands.first().map(|s| s.as_str()) == Some("install") && operands.len() == 1 =>
        {
            step(Ecosystem::Pipenv, StepKind::Install)
        }
        // The package managers' own lists and caches: no project keeps its
        // sources there, so removing them leaves the copied context alone.
        "rm" if !operands.is_empty()
            && operands.iter().all(|path| removes_only_package_caches(path)) =>
        {
            RunRole::Harmless
        }
        _ if HARMLESS_COMMANDS.contains(&program) => RunRole::Harmless,
        _ if makes_virtualenv_outside(program, &args, copy_dir) => RunRole::Harmless,
        _ => RunRole::Unknown(None),
    }
}

/// `python -m venv DIR` or `virtualenv DIR` at an absolute path outside the
/// directory the context is copied to: it reads nothing copied (multi-stage
/// adds `python -m venv /opt/venv` before the first pip install, and the
/// manifests must still move before that install).
fn makes_virtualenv_outside(program: &str, args: &[String], copy_dir: &Dir) -> bool {
    const SWITCHES: &[&str] = &[
        "--clear",
        "--upgrade",
        "--upgrade-deps",
        "--without-pip",
        "--system-site-packages",
        "--copies",
        "--symlinks",
        "--without-scm-ignore-files",
    ];
    let rest = if program.starts_with("python") {
        match args {
            [module, venv, rest @ ..] if module == "-m" && venv == "venv" => rest,
            _ => return false,
        }
    } else if program == "virtualenv" {
        args
    } else {
        return false;
    };
    let (options, operands): (Vec<&String>, Vec<&String>) =
        rest.iter().partition(|word| word.starts_with('-'));
    let [venv] = operands.as_slice() else {
        return false;
    };
    let Some(copied) = copy_dir.absolute() else {
        return false;
    };
    let venv = crate::transforms::workdir::normalize(venv);
    let inside = |outer: &str, inner: &str| {
        inner == outer || inner.starts_with(&format!("{}/", outer.trim_end_matches('/')))
    };
    venv.starts_with('/')
        && options
            .iter()
            .all(|option| SWITCHES.contains(&option.as_str()))
        && !inside(copied, &venv)
        && !inside(&venv, copied)
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
    let subcommand = package.subcommand;
    let operands = package.operands();
    if package.args.iter().any(Option::is_none) {
        return RunRole::Unknown(None);
    }
    let named_only = !operands.is_empty() && !operands.iter().any(|o| is_path_like(o));
    let step = |ecosystem| {
        RunRole::Step(Step {
            ecosystem,
            kind: StepKind::Install,
            options: package
                .options
                .iter()
                .map(|option| option.to_string())
                .collect(),
            words: package
                .args
                .iter()
                .flatten()
                .map(|word| word.to_string())
                .collect(),
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
                RunRole::Unknown(None)
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
            _ => RunRole::Unknown(None),
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
            _ => RunRole::Unknown(None),
        },
        Manager::Pnpm => match subcommand {
            Some("install" | "i") if operands.is_empty() && !elsewhere => step(Ecosystem::Pnpm),
            Some("add") if named_only && package.has_option(&["-g", "--global"]) => {
                RunRole::Harmless
            }
            _ => RunRole::Unknown(None),
        },
        Manager::Pip => {
            if subcommand != Some("install") {
                return RunRole::Unknown(None);
            }
            if package.has_option(&["-e", "--editable"]) {
                return RunRole::Unknown(Some(
                    "`pip install -e` installs a local project in editable mode, which reads its sources".into(),
                ));
            }
            if let Some(local) = operands.iter().find(|o| needs::is_local_requirement(o)) {
                return RunRole::Unknown(Some(format!(
                    "`pip install {local}` installs a local project (setup.py / pyproject.toml), which reads its sources"
                )));
            }
            let files = requirement_files(package);
            if files.is_empty() {
                if named_only {
                    RunRole::Harmless
                } else {
                    RunRole::Unknown(None)
                }
            } else {
                step(Ecosystem::Pip(files))
            }
        }
        Manager::Gem => {
            if subcommand == Some("install") && named_only {
                RunRole::Harmless
            } else {
                RunRole::Unknown(None)
            }
        }
        Manager::Bundle => match subcommand {
            Some("install") | None if !elsewhere => step(Ecosystem::Bundler),
            Some("config") => RunRole::Harmless,
            _ => RunRole::Unknown(None),
        },
        Manager::Composer => match subcommand {
            Some("install") if !elsewhere => step(Ecosystem::Composer),
            _ => RunRole::Unknown(None),
        },
    }
}

/// The files named by `-r`/`--requirement`/`-c`/`--constraint`.
fn requirement_files(package: &packages::PackageCommand) -> Vec<String> {
    let words: Vec<&str> = package
        .command
        .words
        .iter()
        .map(|w| w.raw.as_ref())
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

/// What the install reads from the context (the manifests and the local
/// paths they name), or why it cannot run before the sources are copied.
fn manifests(ecosystem: &Ecosystem, step: &Step, project: &Project) -> Result<Needs, String> {
    let ignore_scripts = step.options.iter().any(|o| o == "--ignore-scripts");
    let mut needs = match ecosystem {
        Ecosystem::Npm => needs::node(project, NodeManager::Npm, ignore_scripts)?,
        Ecosystem::Yarn => needs::node(project, NodeManager::Yarn, ignore_scripts)?,
        Ecosystem::Pnpm => needs::node(project, NodeManager::Pnpm, ignore_scripts)?,
        Ecosystem::Pip(named) => needs::pip(project, named)?,
        Ecosystem::Poetry => needs::poetry(project)?,
        Ecosystem::Uv => needs::uv(project)?,
        Ecosystem::Pipenv => needs::pipenv(project)?,
        Ecosystem::Go => needs::go(project)?,
        Ecosystem::Bundler => needs::bundler(project)?,
        Ecosystem::Composer => needs::composer(project)?,
        Ecosystem::Maven => {
            if !project.has_file("pom.xml") {
                return Err("the context has no pom.xml".into());
            }
            if project
                .read("pom.xml")
                .is_some_and(|pom| pom.contains("<modules>"))
            {
                return Err("pom.xml lists <modules>: the build reads every module's pom".into());
            }
            if project
                .read("pom.xml")
                .is_some_and(|pom| pom.contains("<relativePath>.."))
            {
                return Err("pom.xml's parent is a pom outside this directory".into());
            }
            let mut needs = Needs::default();
            needs.add("pom.xml");
            // Maven reads `.mvn/maven.config`, `jvm.config` and
            // `extensions.xml` on every run.
            if project.is_dir(".mvn") && project.has(".mvn") {
                needs.add(".mvn");
            }
            needs
        }
        Ecosystem::Dotnet => {
            let is_project = |name: &str| {
                [".csproj", ".fsproj", ".vbproj", ".sln"]
                    .iter()
                    .any(|ext| name.ends_with(ext))
            };
            let projects: Vec<&String> = project
                .build
                .files()
                .iter()
                .filter(|name| is_project(name) && !project.ignored.excludes(name))
                .collect();
            if projects.is_empty() {
                return Err("the context has no .NET project file".into());
            }
            if projects.iter().any(|name| name.contains('/')) {
                return Err(
                    ".NET project files in subdirectories: the restore may read projects it references"
                        .into(),
                );
            }
            let mut needs = Needs::default();
            for name in projects {
                needs.add(name.clone());
            }
            for name in [
                "NuGet.config",
                "NuGet.Config",
                "nuget.config",
                "Directory.Build.props",
                "Directory.Build.targets",
                "Directory.Packages.props",
                "global.json",
                // NuGet's lock file: a restore with lock files enabled
                // reads it, and without it would resolve afresh.
                "packages.lock.json",
            ] {
                if project.has_file(name) {
                    needs.add(name);
                }
            }
            // MSBuild files may import others (`<Import
            // Project="build/common.props" />`), which the restore reads
            // and which are not in the list.
            if let Some(importing) = needs.paths.iter().find(|name| {
                !name.ends_with(".json")
                    && project
                        .read(name)
                        .is_some_and(|text| text.contains("<Import "))
            }) {
                return Err(format!(
                    "`{importing}` imports other MSBuild files (`<Import`), which the restore reads"
                ));
            }
            needs
        }
    };
    if let Ecosystem::Composer = ecosystem {
        let has = |option: &str| step.options.iter().any(|o| o == option);
        if !(has("--no-scripts") && has("--no-autoloader")) {
            needs.unsafe_reasons.push("composer install runs scripts and builds the autoloader from the sources; add --no-scripts --no-autoloader and run `composer dump-autoload` after the full COPY".into());
        }
    }
    Ok(needs)
}

/// Directories (or files) an install writes into the project directory.
/// When the context holds them too, the `COPY .` moved after the install
/// puts the host's copy over what the install made (host-built native
/// modules, a virtualenv pointing at the host's Python).
fn install_outputs(ecosystem: &Ecosystem, stage_mentions_venv: bool) -> &'static [&'static str] {
    match ecosystem {
        Ecosystem::Npm | Ecosystem::Pnpm => &["node_modules"],
        Ecosystem::Yarn => &[
            "node_modules",
            ".pnp.cjs",
            ".pnp.js",
            ".pnp.loader.mjs",
            ".yarn/unplugged",
            ".yarn/install-state.gz",
        ],
        // uv and Poetry (in-project) and Pipenv (PIPENV_VENV_IN_PROJECT)
        // make `.venv` beside the manifest.
        Ecosystem::Poetry | Ecosystem::Uv | Ecosystem::Pipenv => &[".venv"],
        // pip writes into the project only through a virtualenv there.
        Ecosystem::Pip(_) if stage_mentions_venv => &[".venv", "venv"],
        Ecosystem::Pip(_) => &[],
        Ecosystem::Bundler => &["vendor/bundle"],
        Ecosystem::Composer => &["vendor"],
        // `dotnet restore` writes obj/project.assets.json, which the build
        // reads: a host's obj/ (Windows paths) breaks it.
        Ecosystem::Dotnet => &["obj", "bin"],
        Ecosystem::Go | Ecosystem::Maven => &[],
    }
}

/// The first install output the context would copy over the install.
fn overwritten_output(
    ecosystem: &Ecosystem,
    stage_mentions_venv: bool,
    needs: &Needs,
    project: &Project,
) -> Option<String> {
    // Outputs of the project, and of local packages copied with it
    // (`lib/node_modules` of a `file:./lib` dependency).
    let mut bases = vec![String::new()];
    bases.extend(needs.paths.iter().filter(|p| project.is_dir(p)).cloned());
    for base in &bases {
        for output in install_outputs(ecosystem, stage_mentions_venv) {
            let path = if base.is_empty() {
                output.to_string()
            } else {
                format!("{base}/{output}")
            };
            if !project.build.exists(&path) {
                continue;
            }
            let sent = if project.is_dir(&path) {
                !project.sent_files_under(&path).is_empty()
            } else {
                !project.ignored.excludes(&path)
            };
            if sent {
                return Some(path);
            }
        }
    }
    None
}

/// Values of ENV and ARG in force at the install, split at `:` (PATH-like).
fn environment_values(stage: &Stage, until: usize, escape: char) -> Vec<String> {
    let mut values = Vec::new();
    for instruction in &stage.body[..until] {
        if matches!(
            instruction.kind(),
            InstructionKind::Env | InstructionKind::Arg
        ) {
            for pair in instruction.key_values(escape) {
                if let Some(value) = pair.value {
                    values.extend(value.split(':').map(str::to_string));
                }
            }
        }
    }
    values
}

/// A path written in the Dockerfile (absolute in the image, or relative to
/// the install's directory, which is where the context is copied) as a
/// context path, when it falls inside the copied context.
fn context_path_of(word: &str, copy_dir: &Dir) -> Option<String> {
    if word.is_empty() || word.contains('$') || word.contains("://") {
        return None;
    }
    let relative = if word.starts_with('/') {
        let base = copy_dir.absolute()?;
        let rest = word.strip_prefix(base)?;
        if !rest.is_empty() && !rest.starts_with('/') {
            return None;
        }
        rest.trim_start_matches('/').to_string()
    } else {
        word.to_string()
    };
    let relative = crate::transforms::workdir::normalize(&relative);
    (!relative.is_empty() && !relative.starts_with("..")).then_some(relative)
}

/// Context files and directories the install names in its arguments or
/// reads through ENV/ARG (`PIP_CONFIG_FILE=/app/pip.conf`,
/// `NPM_CONFIG_USERCONFIG`, `--userconfig`, `-s settings.xml`).
fn named_paths(
    step: &Step,
    environment: &[String],
    copy_dir: &Dir,
    project: &Project,
) -> Result<Vec<String>, String> {
    let mut paths = Vec::new();
    // A build's own arguments (`go build ./cmd/server`) name sources, not
    // what the added dependency step reads.
    let words: &[String] = match step.kind {
        StepKind::Install => &step.words,
        StepKind::Build { .. } => &[],
    };
    let arguments = words
        .iter()
        .map(|word| word.split_once('=').map_or(word.as_str(), |(_, v)| v));
    for word in arguments {
        if let Some(path) = context_path_of(word, copy_dir)
            && project.has(&path)
        {
            paths.push(path);
        }
    }
    for value in environment {
        // A directory named by the environment (PYTHONPATH=/app/src) is
        // not read by an install; a file (a config) is.
        if let Some(path) = context_path_of(value, copy_dir)
            && project.has_file(&path)
        {
            paths.push(path);
        }
    }
    if let Some(unsafe_path) = paths.iter().find(|path| {
        path.chars()
            .any(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '\\' | '$'))
    }) {
        return Err(format!(
            "`{unsafe_path}` cannot be named in a shell-form COPY"
        ));
    }
    Ok(paths)
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

/// Instructions that set image metadata or build arguments and neither
/// read nor write files: nothing between a copy and an install that they
/// could depend on.
fn sets_metadata_only(kind: InstructionKind) -> bool {
    matches!(
        kind,
        InstructionKind::Env
            | InstructionKind::Arg
            | InstructionKind::Label
            | InstructionKind::Expose
            | InstructionKind::User
            | InstructionKind::Healthcheck
            | InstructionKind::StopSignal
            | InstructionKind::Cmd
            | InstructionKind::Entrypoint
            | InstructionKind::Maintainer
    )
}

/// Same ecosystem, ignoring which requirements files pip reads.
fn same_ecosystem(a: &Ecosystem, b: &Ecosystem) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// The fix for one `COPY .`; `Ok(None)` when it is not a candidate (no
/// install after it, or already in shape), `Err` with the reason when it is
/// one but cannot be reordered.
fn plan(
    file: &Dockerfile,
    stage: &Stage,
    copy_index: usize,
    copy: &WholeContextCopy,
    project: &Project,
    text: &str,
) -> Result<Option<Fix>, String> {
    let copy_dir = workdir_before(stage, copy_index).join(&copy.dest);
    let dest_is_relative = !copy.dest.starts_with('/');
    let mut workdir = workdir_before(stage, copy_index);
    let mut blocker: Option<String> = None;
    let mut project_install: Option<String> = None;
    let mut found = None;
    for (offset, instruction) in stage.body[copy_index + 1..].iter().enumerate() {
        let line = || instruction.logical().text().trim().to_string();
        match instruction.kind() {
            InstructionKind::Run => match classify_run(file, instruction, &copy_dir) {
                RunRole::Step(step) => {
                    found = Some((copy_index + 1 + offset, instruction, step, workdir.clone()));
                    break;
                }
                RunRole::Harmless => {}
                RunRole::Unknown(reason) => {
                    if project_install.is_none() {
                        project_install = reason;
                    }
                    blocker.get_or_insert_with(line);
                }
            },
            InstructionKind::Workdir => {
                if dest_is_relative {
                    blocker.get_or_insert_with(line);
                }
                workdir = workdir.join(instruction.args().trim());
            }
            kind if sets_metadata_only(kind) => {}
            _ => {
                blocker.get_or_insert_with(line);
            }
        }
    }
    let Some((run_index, run, step, run_dir)) = found else {
        // No install to move: say so only when the stage installs its own
        // project, which needs the sources (`pip install .`).
        return match project_install {
            Some(reason) => Err(reason),
            None => Ok(None),
        };
    };
    // Already in shape: an earlier RUN of the stage installs this ecosystem.
    let installed_before = stage.body[..copy_index].iter().any(|earlier| {
        earlier.kind() == InstructionKind::Run
            && matches!(classify_run(file, earlier, &copy_dir), RunRole::Step(s) if same_ecosystem(&s.ecosystem, &step.ecosystem) && s.kind == StepKind::Install)
    });
    if installed_before {
        return Ok(None);
    }
    let ecosystem = ecosystem_name(&step.ecosystem);
    if !run_dir.same_as(&copy_dir) {
        return Err(format!(
            "the {ecosystem} install does not run in the directory the context is copied to (or that directory is not known)"
        ));
    }
    match step.kind {
        // The full COPY moves after the install: nothing between may need it.
        StepKind::Install => {
            if let Some(blocker) = blocker {
                return Err(format!(
                    "`{blocker}` runs between the COPY and the {ecosystem} install and may need the sources"
                ));
            }
        }
        // The dependency step runs where the COPY is: in its directory.
        StepKind::Build { .. } if !workdir_before(stage, copy_index).same_as(&copy_dir) => {
            return Err(format!(
                "the {ecosystem} dependency step would run in another directory than the build (WORKDIR is set after the COPY)"
            ));
        }
        _ => {}
    }
    let mut needs = manifests(&step.ecosystem, &step, project)?;
    let environment = environment_values(stage, run_index, file.escape());
    for path in named_paths(&step, &environment, &copy_dir, project)? {
        needs.add(path);
    }
    if step.kind == StepKind::Install {
        let mentions_venv = stage.body[..=run_index]
            .iter()
            .any(|instruction| instruction.logical().text().contains("venv"));
        if let Some(output) = overwritten_output(&step.ecosystem, mentions_venv, &needs, project) {
            return Err(format!(
                "the context holds `{output}`, which the {ecosystem} install writes: the `COPY .` after it would put the host's copy over the installed one; exclude it in .dockerignore"
            ));
        }
    }
    let names: Vec<&str> = needs.paths.iter().map(|f| f.as_str()).collect();

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
    let manifest_copy = copy_lines(
        &needs.paths,
        project,
        copy,
        &keyword("COPY"),
        &indent,
        newline,
    );

    let copy_range = copy_instruction.range();
    let fix = match &step.kind {
        StepKind::Install => {
            let edits =
                install_reorder_edits(stage, copy_index, run_index, copy, manifest_copy, text);
            let message = format!(
                "copy {} before the {ecosystem} install and the full context after it, so source changes keep the install layer cached",
                names.join(", ")
            );
            if needs.unsafe_reasons.is_empty() {
                Fix::safe(message, edits)
            } else {
                let reasons = needs.unsafe_reasons.join("; ");
                Fix::unsafe_(format!("{message} (unsafe: {reasons})"), edits)
            }
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
            let mut reasons =
                vec!["the dependency step can download more than the build needs".to_string()];
            reasons.extend(needs.unsafe_reasons);
            let message = format!(
                "copy {} and run `{dependency_command}` before the full context, so source changes keep the dependency layer cached (unsafe: {})",
                names.join(", "),
                reasons.join("; ")
            );
            Fix::unsafe_(
                message,
                vec![Edit::insert(
                    copy_range.start,
                    format!("{manifest_copy}{dependency_run}"),
                )],
            )
        }
    };
    // The manifests land in the image twice (their own layer, then the
    // whole context's): the image grows by their size.
    Ok(Some(fix.with_effect(ImageEffect::CopiesAgain(needs.paths))))
}

/// The edits that put the manifests' COPY before the install at
/// `run_index` and the full `COPY .` after it. The manifests' COPY goes right
/// above the install, below the RUNs between (`apt-get install ffmpeg`, which
/// read nothing copied): a change to the manifests then re-runs only the
/// install, and merge-runs cannot join the system install into it. It stays
/// in the `COPY .`'s place when its flags name a variable an `ENV`/`ARG`
/// between could change (`--chown=$APP_USER`).
fn install_reorder_edits(
    stage: &Stage,
    copy_index: usize,
    run_index: usize,
    copy: &WholeContextCopy,
    manifest_copy: String,
    text: &str,
) -> Vec<Edit> {
    let copy_instruction = copy.instruction;
    let copy_range = copy_instruction.range();
    let run_range = stage.body[run_index].range();
    let newline = copy_instruction.newline_style();
    let mut moved = text[copy_range.clone()].to_string();
    let mut after_install = String::new();
    if !text[..run_range.end].ends_with('\n') {
        after_install.push_str(newline);
        moved = moved.trim_end_matches(['\r', '\n']).to_string();
    }
    after_install.push_str(&moved);
    let flags_read_variables = copy.kept_flags.iter().any(|flag| flag.contains('$'));
    let between = &stage.body[copy_index + 1..run_index];
    let variables_between = between
        .iter()
        .any(|i| matches!(i.kind(), InstructionKind::Env | InstructionKind::Arg));
    if between.is_empty() || (flags_read_variables && variables_between) {
        return vec![
            Edit::replace(copy_range, manifest_copy),
            Edit::insert(run_range.end, after_install),
        ];
    }
    vec![
        Edit::replace(copy_range, String::new()),
        Edit::insert(run_range.start, manifest_copy),
        Edit::insert(run_range.end, after_install),
    ]
}

/// The COPY instructions for `paths`: files of one directory together
/// (`COPY package.json package-lock.json ./`), each directory on its own
/// line (`COPY lib ./lib/`: a COPY of a directory copies its contents).
fn copy_lines(
    paths: &[String],
    project: &Project,
    copy: &WholeContextCopy,
    keyword: &str,
    indent: &str,
    newline: &str,
) -> String {
    let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
    for path in paths {
        let target = if project.is_dir(path) {
            // A group of its own, never merged with files.
            groups.push((format!("{path}/"), vec![path]));
            continue;
        } else {
            path.rsplit_once('/')
                .map_or(String::new(), |(dir, _)| format!("{dir}/"))
        };
        match groups
            .iter_mut()
            .find(|(dir, members)| *dir == target && !project.is_dir(members[0]))
        {
            Some((_, members)) => members.push(path),
            None => groups.push((target, vec![path])),
        }
    }
    let base = format!("{}/", copy.dest.trim_end_matches('/'));
    let mut out = String::new();
    for (target, members) in groups {
        out.push_str(indent);
        out.push_str(keyword);
        for flag in &copy.kept_flags {
            out.push(' ');
            out.push_str(flag);
        }
        out.push_str(&format!(" {} {base}{target}{newline}", members.join(" ")));
    }
    out
}
