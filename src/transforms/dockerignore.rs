#![doc = include_str!("../../transforms/dockerignore/README.md")]

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use crate::discovery::is_dockerfile_name;
use crate::dockerignore::DockerIgnore;
use crate::engine::{BuildContext, Context, ContextChange, Fix, Safety, Transform};
use crate::paths::last_component;
use crate::shell::packages::{self, Manager};
use crate::shell::{Script, Word};
use crate::syntax::{Dockerfile, Instruction, InstructionKind};
use crate::transforms::workdir::Dir;

pub struct DockerignoreEntries;

impl Transform for DockerignoreEntries {
    fn id(&self) -> &'static str {
        "dockerignore"
    }

    fn summary(&self) -> &'static str {
        "Add .dockerignore entries for what is in the build context but never needed (.git, node_modules, caches)"
    }

    fn safety(&self) -> Safety {
        Safety::Safe
    }

    fn some_fixes_unsafe(&self) -> bool {
        true
    }

    fn docs(&self) -> &'static str {
        include_str!("../../transforms/dockerignore/README.md")
    }

    fn fixes(&self, _file: &Dockerfile, _context: &Context) -> Vec<Fix> {
        Vec::new()
    }

    fn context_changes(&self, file: &Dockerfile, context: &Context) -> Vec<ContextChange> {
        let Some(build) = context.build_context else {
            return Vec::new();
        };
        let (path, ignore) = DockerIgnore::for_build(build, context.path);
        let project = ProjectFacts::of(build);
        let candidates: Vec<Candidate> = candidates(build, &project, context, self.id())
            .into_iter()
            .filter(|candidate| {
                !(candidate.hits.iter().all(|hit| ignore.excludes(hit))
                    || candidate
                        .hits
                        .iter()
                        .any(|hit| ignore.has_exception_under(hit)))
            })
            .collect();
        // Nothing left to exclude (most contexts): no need to learn what the
        // Dockerfiles read.
        if candidates.is_empty() {
            return Vec::new();
        }
        let mut builds = vec![Arc::new(DockerfileFacts::of(
            file,
            "this Dockerfile",
            build,
        ))];
        // A `<Dockerfile>.dockerignore` is read by that Dockerfile only; the
        // context's `.dockerignore` by every Dockerfile built from it.
        if path == build.root().join(".dockerignore") {
            builds.extend(other_dockerfiles(build, context.path));
        }
        let mut safe = Vec::new();
        let mut unsafe_ = Vec::new();
        for candidate in candidates {
            let mut verdict = Verdict::Safe;
            if let Some(reason) = &candidate.unsafe_reason {
                verdict = verdict.worst(Verdict::Unsafe(reason.clone()));
            }
            for facts in &builds {
                verdict = verdict.worst(assess(&candidate, facts, &project, build));
            }
            let lines = match verdict {
                Verdict::Safe => &mut safe,
                Verdict::Unsafe(_) => &mut unsafe_,
                Verdict::Skip(reason) => {
                    context.skip(
                        self.id(),
                        0,
                        format!("not excluding {}: {reason}", candidate.lines.join(", ")),
                    );
                    continue;
                }
            };
            if let Verdict::Unsafe(reason) = verdict {
                context.skip(
                    self.id(),
                    0,
                    format!(
                        "{} only with --unsafe: {reason}",
                        candidate.lines.join(", ")
                    ),
                );
            }
            lines.extend(candidate.lines);
        }
        // A new `.dockerignore` would itself be sent and copied by `COPY . DEST`:
        // a file in the image that was not there before. It excludes itself
        // (BuildKit still reads it), unless a Dockerfile names it.
        let creating = !path.exists() && path == build.root().join(".dockerignore");
        let named = builds
            .iter()
            .any(|facts| facts.instruction_text.contains(".dockerignore"));
        if creating && !named {
            let group = if safe.is_empty() {
                &mut unsafe_
            } else {
                &mut safe
            };
            if !group.is_empty() {
                group.push(".dockerignore".to_string());
            }
        }
        let mut changes = Vec::new();
        if !safe.is_empty() {
            changes.push(ContextChange {
                path: path.clone(),
                message: format!("exclude {} from the build context: present, and never needed by this build", safe.join(", ")),
                lines: safe,
                header: "Added by dockfix (dockerignore): in the build context, never needed by the build".into(),
                safety: Safety::Safe,
            });
        }
        if !unsafe_.is_empty() {
            changes.push(ContextChange {
                path,
                message: format!(
                    "exclude {} from the build context (unsafe: the build or the image may read them)",
                    unsafe_.iter().filter(|line| !line.starts_with('!')).cloned().collect::<Vec<_>>().join(", ")
                ),
                lines: unsafe_,
                header: "Added by dockfix (dockerignore, unsafe): the build or the image may read these; remove any line it needs".into(),
                safety: Safety::Unsafe,
            });
        }
        changes
    }
}

/// How safe excluding a candidate is for one Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Safe,
    Unsafe(String),
    Skip(String),
}

impl Verdict {
    fn rank(&self) -> u8 {
        match self {
            Verdict::Safe => 0,
            Verdict::Unsafe(_) => 1,
            Verdict::Skip(_) => 2,
        }
    }

    /// The stricter of the two (the first reason wins a tie).
    fn worst(self, other: Verdict) -> Verdict {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Git,
    NodeModules,
    Venv(String),
    Target,
    /// `dist` or `build`, made by a frontend or package build.
    BuildOutput(String),
    /// Caches, editor settings, logs, `.DS_Store`, `.env`: nothing else to
    /// check than what COPY names.
    Plain,
}

/// One proposed group of lines, with the context paths it would exclude.
struct Candidate {
    kind: Kind,
    lines: Vec<String>,
    /// Existing paths (relative to the context) the lines would exclude.
    hits: Vec<String>,
    /// Why it is unsafe whatever the Dockerfiles do (`.env`).
    unsafe_reason: Option<String>,
}

/// Facts about the context that do not depend on the Dockerfile.
struct ProjectFacts {
    /// The scripts of the root `package.json`, by name.
    node_scripts: Vec<(String, String)>,
    /// The Python VCS-versioning plugin the project's build uses, if any.
    python_vcs_versioning: Option<&'static str>,
    /// The root `.gitignore`, to tell generated files from committed ones.
    gitignore: Option<ignore::gitignore::Gitignore>,
}

/// Build plugins that read `.git` to compute the package version.
const PYTHON_VCS_VERSIONING: &[&str] = &[
    "setuptools_scm",
    "setuptools-scm",
    "hatch-vcs",
    "hatch_vcs",
    "versioneer",
    "pbr",
    "dunamai",
    "poetry-dynamic-versioning",
    "uv-dynamic-versioning",
    "setuptools-git-versioning",
    "vcs-versioning",
];

impl ProjectFacts {
    fn of(build: &BuildContext) -> Self {
        let node_scripts = build
            .read("package.json")
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .and_then(|manifest| manifest.get("scripts").and_then(|s| s.as_object()).cloned())
            .map(|scripts| {
                scripts
                    .into_iter()
                    .map(|(name, command)| (name, command.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let python_build_files: String = ["pyproject.toml", "setup.cfg", "setup.py"]
            .iter()
            .filter_map(|name| build.read(name))
            .collect::<Vec<_>>()
            .join("\n");
        let python_vcs_versioning = PYTHON_VCS_VERSIONING
            .iter()
            .copied()
            .find(|plugin| python_build_files.contains(plugin))
            .or_else(|| {
                // PDM's and Hatch's own VCS version sources.
                (python_build_files.contains("source = \"scm\"")
                    || python_build_files.contains("source = \"vcs\""))
                .then_some("the build backend's VCS version source")
            });
        let gitignore = build.root().join(".gitignore").is_file().then(|| {
            let mut builder = ignore::gitignore::GitignoreBuilder::new(build.root());
            builder.add(build.root().join(".gitignore"));
            builder
                .build()
                .unwrap_or_else(|_| ignore::gitignore::Gitignore::empty())
        });
        Self {
            node_scripts,
            python_vcs_versioning,
            gitignore,
        }
    }

    /// True when the project's `.gitignore` ignores `path`: it is made by
    /// a tool, not committed source.
    fn generated(&self, path: &str, is_dir: bool) -> bool {
        self.gitignore.as_ref().is_some_and(|gitignore| {
            gitignore
                .matched_path_or_any_parents(path, is_dir)
                .is_ignore()
        })
    }

    /// The first package.json script that names a file in `directory`.
    fn script_reading(&self, directory: &str) -> Option<&(String, String)> {
        self.node_scripts
            .iter()
            .find(|(_, command)| mentions_dir(command, directory, &[]))
    }
}

/// What one Dockerfile does that decides which entries are safe.
#[derive(Debug, Default)]
struct DockerfileFacts {
    /// "this Dockerfile", or the other Dockerfile's path in the context.
    name: String,
    /// Sources of COPY/ADD (and bind mounts) from the context, except `.`.
    sources: Vec<String>,
    /// All RUN text (heredocs included), lower-cased.
    run_text: String,
    /// Everything but comments: RUN, CMD, ENTRYPOINT, ENV, ...
    instruction_text: String,
    /// Why the build reads `.git` for sure (`git describe`, `.git` named).
    reads_git: Option<String>,
    installs_python: bool,
    /// Installs or builds the Python project itself (`pip install .`).
    builds_python_project: bool,
    /// Runs npm, yarn, pnpm or npx at all (package scripts may run).
    runs_node_tool: bool,
    /// `go build`/`go install` without `-buildvcs=false`.
    go_build_stamps_vcs: bool,
    /// Context files the RUN commands name (scripts, Makefile).
    run_files: Vec<String>,
    /// Absolute WORKDIRs and COPY destinations: where the context may sit
    /// in the image.
    bases: Vec<String>,
    /// Where each COPY/ADD from the context and each bind mount of it puts
    /// what it brings, stage by stage.
    context_copies: Vec<ContextCopy>,
    /// The directories npm, yarn or pnpm install a project in, by stage.
    node_installs: Vec<NodeInstall>,
    /// Every RUN command that runs `git` (or names it in its arguments:
    /// `sh -c "git ..."`), by stage.
    git_commands: Vec<(usize, String)>,
    /// For each stage, the stages its filesystem starts from (itself
    /// first, then the stage it is built `FROM`, ...).
    lineages: Vec<Vec<usize>>,
}

/// The `RUN --mount=type=bind` mounts of the build context (no `from=`):
/// the context path each mounts (`.` when unset) and where, if it says.
fn context_bind_mounts(instruction: &Instruction) -> Vec<(String, Option<String>)> {
    let Some(run) = instruction.as_run() else {
        return Vec::new();
    };
    run.mounts()
        .iter()
        .filter(|mount| mount.kind() == "bind" && mount.get("from").is_none())
        .map(|mount| {
            let source = mount.get("source").or_else(|| mount.get("src"));
            let target = ["target", "dst", "destination"]
                .iter()
                .find_map(|key| mount.get(key));
            (
                source.unwrap_or(".").to_string(),
                target.map(str::to_string),
            )
        })
        .collect()
}

/// A COPY/ADD from the context, or a `RUN --mount=type=bind` of it.
#[derive(Debug, Clone)]
struct ContextCopy {
    stage: usize,
    /// The context path it copies, normalized (`""`: the whole context).
    source: String,
    /// The directory the source's contents land in.
    destination: Dir,
    /// The instruction, for reasons.
    text: String,
    /// The first RUN after it in its stage, for reasons.
    next_run: Option<String>,
}

impl ContextCopy {
    /// Where the context directory `path` lands when this copy brings it
    /// along with something below it (`None`: it does not). A glob source
    /// matching `path` or a parent brings it to an unknown place.
    fn landing(&self, path: &str) -> Option<Dir> {
        if self.source.is_empty() {
            return Some(if path.is_empty() {
                self.destination.clone()
            } else {
                self.destination.join(path)
            });
        }
        if path == self.source {
            return Some(self.destination.clone());
        }
        if let Some(rest) = path.strip_prefix(&format!("{}/", self.source)) {
            return Some(self.destination.join(rest));
        }
        if self.source.contains(['*', '?', '[']) {
            let glob = DockerIgnore::parse(&self.source);
            let mut ancestor = String::new();
            for segment in path.split('/') {
                if !ancestor.is_empty() {
                    ancestor.push('/');
                }
                ancestor.push_str(segment);
                if glob.excludes(&ancestor) {
                    return Some(Dir::Unknown);
                }
            }
        }
        None
    }
}

/// An `npm ci`/`npm install`/`yarn`/`pnpm install` of a project.
#[derive(Debug, Clone)]
struct NodeInstall {
    stage: usize,
    /// The directory it runs in (`cd`, `--prefix`, `--cwd`, `-C`).
    directory: Dir,
}

impl DockerfileFacts {
    fn of(file: &Dockerfile, name: &str, build: &BuildContext) -> Self {
        let mut facts = DockerfileFacts {
            name: name.to_string(),
            ..DockerfileFacts::default()
        };
        let mut go_flags_off = false;
        for instruction in file.instructions() {
            let instruction = instruction.onbuild_inner().unwrap_or(instruction);
            let text = instruction.logical().text().to_string();
            facts.instruction_text.push_str(&text);
            facts.instruction_text.push('\n');
            if instruction.kind() == InstructionKind::Env && text.contains("-buildvcs=false") {
                go_flags_off = true;
            }
            match instruction.kind() {
                InstructionKind::Workdir => {
                    let directory = instruction.args().trim().to_string();
                    if directory.starts_with('/') {
                        facts.bases.push(directory);
                    }
                }
                InstructionKind::Copy | InstructionKind::Add => {
                    let Some(copy) = instruction.as_copy() else {
                        continue;
                    };
                    if copy.from_stage().is_some() {
                        continue;
                    }
                    if let Some(destination) = copy.destination()
                        && destination.starts_with('/')
                    {
                        facts.bases.push(destination);
                    }
                    facts.sources.extend(
                        copy.sources()
                            .into_iter()
                            .filter(|source| !source.starts_with("<<"))
                            .map(|source| normalize(&source))
                            .filter(|source| !source.is_empty()),
                    );
                }
                InstructionKind::Run => {
                    facts.run_text.push_str(&text.to_ascii_lowercase());
                    facts.run_text.push('\n');
                    for heredoc in instruction.heredocs() {
                        facts.run_text.push_str(&heredoc.body.to_ascii_lowercase());
                        facts.instruction_text.push_str(&heredoc.body);
                    }
                    for (source, _) in context_bind_mounts(&instruction) {
                        let source = normalize(&source);
                        if !source.is_empty() {
                            facts.sources.push(source);
                        }
                    }
                    facts.classify_commands(file, &instruction);
                }
                _ => {}
            }
        }
        facts.walk_stages(file);
        let run_text = facts.run_text.clone();
        facts.reads_git = [
            "git describe",
            "git rev-parse",
            "git log",
            "git status",
            "git submodule",
            "git diff",
            "git show",
            "git tag",
        ]
        .iter()
        .find(|command| run_text.contains(*command))
        .map(|command| format!("{} runs `{command}`", facts.name))
        .or_else(|| {
            mentions_path(&facts.instruction_text, ".git")
                .then(|| format!("{} names `.git`", facts.name))
        });
        facts.runs_node_tool = ["npm ", "npx ", "yarn", "pnpm "]
            .iter()
            .any(|tool| run_text.contains(tool));
        // `go install pkg@version` builds outside the module: no stamping.
        let go_commands = |subcommand: &str| -> Vec<&str> {
            let needle = format!("go {subcommand}");
            run_text
                .match_indices(&needle)
                .filter(|(at, _)| {
                    run_text[..*at]
                        .chars()
                        .next_back()
                        .is_none_or(|c| !(c.is_alphanumeric() || "_-".contains(c)))
                })
                .map(|(at, _)| {
                    let rest = &run_text[at..];
                    rest.split(['\n', '&', ';', '|']).next().unwrap_or(rest)
                })
                .collect()
        };
        let go_builds = !go_commands("build").is_empty()
            || go_commands("install")
                .iter()
                .any(|command| !command.contains('@'));
        facts.go_build_stamps_vcs =
            !go_flags_off && !run_text.contains("-buildvcs=false") && go_builds;
        facts.run_files = run_files(&run_text, build);
        facts
    }

    /// Where the context lands in each stage, where Node projects are
    /// installed, and which RUNs call `git`.
    fn walk_stages(&mut self, file: &Dockerfile) {
        let stages = file.stages();
        self.lineages = stages
            .iter()
            .map(|stage| stage.lineage(&stages).iter().map(|s| s.index).collect())
            .collect();
        for stage in &stages {
            // The first RUN after each position (found for each COPY, a
            // scan of the rest of the stage would be quadratic in it).
            let mut next_runs = vec![None; stage.body.len()];
            let mut following = None;
            for (at, instruction) in stage.body.iter().enumerate().rev() {
                next_runs[at] = following;
                if instruction.kind() == InstructionKind::Run {
                    following = Some(at);
                }
            }
            // The WORKDIR before each instruction, kept as the walk goes
            // (`workdir_before` for each would be quadratic in the stage).
            let mut workdir = Dir::Inherited(String::new());
            for (at, instruction) in stage.body.iter().enumerate() {
                if let Some(previous) = at.checked_sub(1).map(|at| &stage.body[at])
                    && previous.kind() == InstructionKind::Workdir
                {
                    workdir = workdir.join(previous.args().trim());
                }
                let workdir = &workdir;
                let instruction = instruction
                    .onbuild_inner()
                    .unwrap_or_else(|| instruction.clone());
                let text = instruction.logical().text().trim().to_string();
                let next_run =
                    || next_runs[at].map(|run| stage.body[run].logical().text().trim().to_string());
                match instruction.kind() {
                    InstructionKind::Copy | InstructionKind::Add => {
                        let Some(copy) = instruction.as_copy() else {
                            continue;
                        };
                        if copy.from_stage().is_some() {
                            continue;
                        }
                        let destination = copy
                            .destination()
                            .map_or(Dir::Unknown, |destination| workdir.join(&destination));
                        for source in copy.sources() {
                            if source.starts_with("<<") || source.contains("://") {
                                continue;
                            }
                            self.context_copies.push(ContextCopy {
                                stage: stage.index,
                                source: normalize(&source),
                                destination: destination.clone(),
                                text: text.clone(),
                                next_run: next_run(),
                            });
                        }
                    }
                    InstructionKind::Run => {
                        for (source, target) in context_bind_mounts(&instruction) {
                            self.context_copies.push(ContextCopy {
                                stage: stage.index,
                                source: normalize(&source),
                                destination: target
                                    .map_or(Dir::Unknown, |target| workdir.join(&target)),
                                text: text.clone(),
                                next_run: Some(text.clone()),
                            });
                        }
                        for directory in node_install_directories(file, &instruction, workdir) {
                            self.node_installs.push(NodeInstall {
                                stage: stage.index,
                                directory,
                            });
                        }
                        for command in git_commands(file, &instruction) {
                            self.git_commands.push((stage.index, command));
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    /// The first copy that brings the context's `.git` into a stage.
    fn copy_bringing(&self, path: &str) -> Option<&ContextCopy> {
        self.context_copies
            .iter()
            .find(|copy| copy.landing(path).is_some())
    }

    /// A `git` command in a stage whose filesystem `.git` was copied into.
    fn git_command_reading_context(&self) -> Option<&str> {
        self.git_commands
            .iter()
            .find(|(stage, _)| {
                self.lineages.get(*stage).is_some_and(|lineage| {
                    self.context_copies
                        .iter()
                        .any(|copy| lineage.contains(&copy.stage) && copy.landing(".git").is_some())
                })
            })
            .map(|(_, command)| command.as_str())
    }

    /// Why excluding the context directory `modules` (a `node_modules`)
    /// may change the image, or `None` when every stage it reaches
    /// installs its project again in the very directory it lands in.
    fn node_modules_not_recreated(&self, modules: &str, build: &BuildContext) -> Option<Verdict> {
        let project = modules.strip_suffix("node_modules").unwrap_or_default();
        let project = project.trim_end_matches('/');
        let manifest = if project.is_empty() {
            "package.json".to_string()
        } else {
            format!("{project}/package.json")
        };
        for copy in &self.context_copies {
            let Some(landing) = copy.landing(project) else {
                continue;
            };
            if !build.exists(&manifest) {
                return Some(Verdict::Unsafe(format!(
                    "{} copies `{modules}/` (`{}`) and no package.json sits beside it, so no install recreates it: it may hold modules committed to the project that the image uses",
                    self.name, copy.text
                )));
            }
            let lineage = self.lineages.get(copy.stage).cloned().unwrap_or_default();
            let installs: Vec<&NodeInstall> = self
                .node_installs
                .iter()
                .filter(|install| lineage.contains(&install.stage))
                .collect();
            let recreated = installs.iter().any(|install| {
                if install.stage == copy.stage {
                    install.directory.same_as(&landing)
                } else {
                    landing.absolute().is_some()
                        && landing.absolute() == install.directory.absolute()
                }
            });
            if recreated {
                continue;
            }
            let place = landing
                .absolute()
                .map_or_else(|| "its directory".to_string(), |path| format!("{path}/"));
            return Some(Verdict::Unsafe(if installs.is_empty() {
                format!(
                    "{} copies `{modules}/` (`{}`) and installs no project dependencies in that stage (a global `npm install -g` does not count): the image may run the copied modules",
                    self.name, copy.text
                )
            } else {
                format!(
                    "{} copies `{modules}/` to {place} (`{}`), but no npm, yarn or pnpm install runs there in that stage: the image may use the copied modules",
                    self.name, copy.text
                )
            }));
        }
        None
    }

    /// Project installs and builds, from the parsed shell of one RUN.
    fn classify_commands(&mut self, file: &Dockerfile, run: &Instruction) {
        let Some(script) = Script::shared_of_run(file, run) else {
            // Unparsed (heredoc, non-POSIX shell): fall back to the text.
            let text = run.logical().text().to_ascii_lowercase();
            self.installs_python |= text.contains("pip install") || text.contains("poetry install");
            self.builds_python_project |= text.contains("install .") || text.contains("setup.py");
            return;
        };
        for (command, _) in script.simple_commands() {
            let words: Vec<String> = command
                .literal_args()
                .into_iter()
                .map(Option::unwrap_or_default)
                .collect();
            let program = command
                .program()
                .map(|p| last_component(p).to_string())
                .unwrap_or_default();
            if let Some(package) = packages::package_command(command, Default::default()) {
                let operands = package.operands();
                let subcommand = package.subcommand;
                if package.manager == Manager::Pip {
                    if subcommand == Some("install") {
                        self.installs_python = true;
                        if package.has_option(&["-e", "--editable"])
                            || operands.iter().any(|o| is_local_path(o))
                        {
                            self.builds_python_project = true;
                        }
                    }
                    if subcommand == Some("wheel") && operands.iter().any(|o| is_local_path(o)) {
                        self.builds_python_project = true;
                    }
                }
                continue;
            }
            let arguments: Vec<&str> = words.iter().map(String::as_str).collect();
            match (program.as_str(), arguments.as_slice()) {
                ("poetry", [first, ..]) if *first == "install" => {
                    self.installs_python = true;
                    if !arguments.contains(&"--no-root") {
                        self.builds_python_project = true;
                    }
                }
                ("uv", [first, ..]) if *first == "sync" => {
                    self.installs_python = true;
                    if !arguments.contains(&"--no-install-project") {
                        self.builds_python_project = true;
                    }
                }
                ("uv", [first, second, rest @ ..]) if *first == "pip" && *second == "install" => {
                    self.installs_python = true;
                    if rest.iter().any(|o| is_local_path(o) || *o == "-e") {
                        self.builds_python_project = true;
                    }
                }
                ("pipenv" | "pdm", [first, ..]) if *first == "install" || *first == "sync" => {
                    self.installs_python = true;
                }
                ("hatch" | "flit", [first, ..]) if *first == "build" => {
                    self.builds_python_project = true;
                }
                (python, rest) if python.starts_with("python") => {
                    self.builds_python_project |=
                        rest.windows(2).any(|pair| pair == ["-m", "build"])
                            || rest
                                .first()
                                .is_some_and(|first| first.ends_with("setup.py"));
                }
                _ => {}
            }
        }
    }

    /// The first COPY/ADD/bind source that names one of `hits`, lies
    /// inside one, or is a glob matching one.
    fn source_needing(&self, hits: &[String]) -> Option<&str> {
        self.sources
            .iter()
            .find(|source| {
                let glob = DockerIgnore::parse(source);
                hits.iter().any(|hit| {
                    *source == hit
                        || source.starts_with(&format!("{hit}/"))
                        || hit.starts_with(&format!("{source}/"))
                        || glob.excludes(hit)
                })
            })
            .map(String::as_str)
    }

    fn runs_any(&self, needles: &[&str]) -> bool {
        needles.iter().any(|needle| self.run_text.contains(needle))
    }
}

/// Context files that RUN commands name (`./build.sh`, `scripts/ver.sh`),
/// and the Makefile when `make` runs.
fn run_files(run_text: &str, build: &BuildContext) -> Vec<String> {
    let files = build.files();
    let mut found = Vec::new();
    for token in run_text.split(|c: char| c.is_whitespace() || ";&|()<>\"'`=$".contains(c)) {
        let token = normalize(token);
        if token.is_empty() {
            continue;
        }
        if token == "make" {
            for makefile in ["Makefile", "makefile", "GNUmakefile"] {
                if files.contains(makefile) {
                    found.push(makefile.to_string());
                }
            }
        } else if files.contains(&token) {
            found.push(token);
        }
    }
    found.sort();
    found.dedup();
    found
}

/// The directories in which `run` installs a Node project (`npm ci`,
/// `npm install` without package names, `yarn`, `pnpm install`): the
/// WORKDIR, moved by top-level `cd`s and by `--prefix`/`--cwd`/`--dir`/`-C`.
/// A `cd` inside a subshell or a branch makes the directory unknown.
fn node_install_directories(file: &Dockerfile, run: &Instruction, workdir: &Dir) -> Vec<Dir> {
    let scripts = Script::all_of_run(file, run);
    if scripts.is_empty() {
        // Unparsed: an install counts, in a directory known only when
        // nothing in the RUN moves it.
        let text = run.logical().text().to_ascii_lowercase();
        let installs = ["npm ci", "npm install", "npm i ", "yarn", "pnpm install"]
            .iter()
            .any(|needle| text.contains(needle));
        let moves = ["cd ", "pushd", "--prefix", "--cwd", "--dir", " -c "]
            .iter()
            .any(|needle| text.contains(needle));
        return match (installs, moves) {
            (false, _) => Vec::new(),
            (true, false) => vec![workdir.clone()],
            (true, true) => vec![Dir::Unknown],
        };
    }
    let mut found = Vec::new();
    for script in &scripts {
        let mut cwd = workdir.clone();
        for (command, context) in script.simple_commands() {
            let Some((program, args)) = command.effective() else {
                continue;
            };
            if matches!(program, "cd" | "pushd" | "popd") {
                let target = args.first().and_then(Word::literal);
                cwd = match target {
                    Some(target) if context.top_level && program != "popd" && target != "-" => {
                        cwd.join(&target)
                    }
                    _ => Dir::Unknown,
                };
                continue;
            }
            let Some(package) = packages::package_command(command, Default::default()) else {
                continue;
            };
            let installs_project = match package.manager {
                Manager::Npm | Manager::Pnpm => {
                    matches!(package.subcommand, Some("ci" | "install" | "i"))
                        && package.operands().is_empty()
                        && !package.has_option(&["-g", "--global"])
                }
                Manager::Yarn => matches!(package.subcommand, None | Some("install")),
                _ => false,
            };
            if !installs_project {
                continue;
            }
            let words = command.literal_args();
            let mut directory = cwd.clone();
            for (at, word) in words.iter().enumerate() {
                let Some(word) = word else { continue };
                for option in ["--prefix", "--cwd", "--dir", "-C"] {
                    if word == option {
                        directory = words
                            .get(at + 1)
                            .cloned()
                            .flatten()
                            .map_or(Dir::Unknown, |value| cwd.join(&value));
                    } else if let Some(value) = word.strip_prefix(&format!("{option}=")) {
                        directory = cwd.join(value);
                    }
                }
            }
            found.push(directory);
        }
    }
    found
}

/// The commands of `run` that run `git` (`git rev-list`, `git -C /src
/// describe`, `$(git describe)`), then those that name it in their
/// arguments (`sh -c "git ..."`, `sudo git ...`), as written. Any of them
/// reads the `.git` of the directory it runs in, or a parent's. Package
/// installs (`apt-get install git`, `pip install git+https://...`) do not
/// count.
fn git_commands(file: &Dockerfile, run: &Instruction) -> Vec<String> {
    let scripts = Script::all_of_run(file, run);
    if scripts.is_empty() {
        let mut text = run.logical().text().to_string();
        for heredoc in run.heredocs() {
            text.push_str(&heredoc.body);
        }
        return if names_git(&text) {
            vec!["git".to_string()]
        } else {
            Vec::new()
        };
    }
    let mut runs = Vec::new();
    let mut names = Vec::new();
    for script in &scripts {
        for (command, _) in script.simple_commands() {
            let written = command
                .words
                .iter()
                .map(|word| word.raw.as_ref())
                .collect::<Vec<_>>()
                .join(" ");
            if command
                .effective()
                .is_some_and(|(program, _)| program == "git")
            {
                runs.push(written);
            } else if packages::package_command(command, Default::default()).is_none()
                && command
                    .words
                    .iter()
                    .skip(1)
                    .chain(&command.assignments)
                    .any(|word| names_git(&word.raw))
            {
                names.push(written);
            }
        }
    }
    runs.extend(names);
    runs
}

/// True when `text` has the word `git`.
fn names_git(text: &str) -> bool {
    has_word(text, &["git"])
}

/// True when `text` has one of `words` as a whole word (`git`, not
/// `gitlab` or `digit`).
fn has_word(text: &str, words: &[&str]) -> bool {
    text.split(|c: char| !(c.is_alphanumeric() || "_-".contains(c)))
        .any(|word| words.contains(&word))
}

/// `pip install .`, `./pkg`, `../x`, `/app`: a path, not a package name.
fn is_local_path(argument: &str) -> bool {
    argument == "."
        || argument.starts_with('/')
        || argument.starts_with("./")
        || argument.starts_with("../")
        || argument.starts_with(".[")
}

/// True when `text` names `path` as a path: not as part of a longer name
/// (`.git` in `cd .git` or `./.git/HEAD`, not in `repo.git`).
fn mentions_path(text: &str, path: &str) -> bool {
    text.match_indices(path).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + path.len()..].chars().next();
        let boundary_before = before.is_none_or(|c| !(c.is_alphanumeric() || "_-.".contains(c)));
        let boundary_after = after.is_none_or(|c| !(c.is_alphanumeric() || "_-".contains(c)));
        boundary_before && boundary_after
    })
}

/// True when `text` names something inside the context directory `name`
/// by a relative path (`venv/bin/python`, `node build/build.js`,
/// `./dist/`), or through one of `bases` (`/app/venv/bin`, with `/app` a
/// WORKDIR). A bare word (`npm run build`, `python -m venv`) does not count.
fn mentions_dir(text: &str, name: &str, bases: &[String]) -> bool {
    let relative = text.match_indices(name).any(|(at, _)| {
        let before = &text[..at];
        let after = &text[at + name.len()..];
        let before = before.strip_suffix("./").unwrap_or(before);
        let boundary = before
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || "\"'=:([,;&|".contains(c));
        boundary && after.starts_with('/')
    });
    relative
        || bases.iter().any(|base| {
            let prefix = format!("{}/{name}", base.trim_end_matches('/'));
            text.match_indices(&prefix).any(|(at, _)| {
                text[at + prefix.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !(c.is_alphanumeric() || "_-.".contains(c)))
            })
        })
}

/// True when a script calls git (a `git` word) or uses husky, which
/// installs git hooks and needs `.git`.
fn calls_git(text: &str) -> bool {
    has_word(text, &["git", "husky"])
}

/// Whether excluding `candidate` is safe for the build `facts` describes.
fn assess(
    candidate: &Candidate,
    facts: &DockerfileFacts,
    project: &ProjectFacts,
    build: &BuildContext,
) -> Verdict {
    if let Some(source) = facts.source_needing(&candidate.hits) {
        return Verdict::Skip(format!("{} copies `{source}`", facts.name));
    }
    match &candidate.kind {
        Kind::Git => {
            if let Some(reason) = &facts.reads_git {
                return Verdict::Skip(reason.clone());
            }
            // Only a COPY/ADD of the whole context (or a bind mount of it)
            // puts `.git` in a stage; `COPY .git` and globs were handled
            // above. When none does, the exclusion only shrinks the upload.
            let Some(copy) = facts.copy_bringing(".git") else {
                return Verdict::Safe;
            };
            if let Some(command) = facts.git_command_reading_context() {
                return Verdict::Skip(format!(
                    "{} copies .git into a stage (`{}`) that runs `{command}`",
                    facts.name, copy.text
                ));
            }
            if facts.go_build_stamps_vcs {
                return Verdict::Unsafe(format!(
                    "{} runs `go build`, which stamps the binary with VCS information read from .git (unless -buildvcs=false)",
                    facts.name
                ));
            }
            if let Some(plugin) = project.python_vcs_versioning
                && facts.builds_python_project
            {
                return Verdict::Unsafe(format!(
                    "{} builds the Python project, whose version comes from .git ({plugin})",
                    facts.name
                ));
            }
            if facts.runs_node_tool
                && let Some((name, _)) = project
                    .node_scripts
                    .iter()
                    .find(|(_, command)| calls_git(command))
            {
                return Verdict::Unsafe(format!(
                    "{} runs npm, and package.json's `{name}` script calls git",
                    facts.name
                ));
            }
            for script in &facts.run_files {
                if build
                    .read(script)
                    .is_some_and(|text| calls_git(&text) || mentions_path(&text, ".git"))
                {
                    return Verdict::Unsafe(format!(
                        "{} runs commands that read `{script}`, which calls git",
                        facts.name
                    ));
                }
            }
            // Whatever runs with `.git` present may read it without naming
            // it: a Rust build.rs, a Python version plugin reached through
            // `-r requirements.txt`, a node script's `execSync('git ...')`,
            // the application itself. Nothing here proves that none does.
            let runner = copy.next_run.as_ref().map_or_else(
                || "the image's command".to_string(),
                |run| format!("`{run}`"),
            );
            Verdict::Unsafe(format!(
                "{} copies .git into a stage (`{}`), where {runner} or the application may read it (build scripts, version plugins, git called by a tool)",
                facts.name, copy.text
            ))
        }
        Kind::NodeModules => candidate
            .hits
            .iter()
            .find_map(|modules| facts.node_modules_not_recreated(modules, build))
            .unwrap_or(Verdict::Safe),
        Kind::Venv(name) => {
            if mentions_dir(&facts.instruction_text, name, &facts.bases) {
                Verdict::Unsafe(format!("{} refers to `{name}/`", facts.name))
            } else if !facts.installs_python {
                Verdict::Unsafe(format!(
                    "{} installs no Python dependencies: the image may run from the copied {name}",
                    facts.name
                ))
            } else {
                Verdict::Safe
            }
        }
        Kind::Target => {
            if facts.runs_any(&["cargo build", "cargo install", "mvn ", "mvnw", "gradle"]) {
                Verdict::Safe
            } else {
                Verdict::Unsafe(format!(
                    "{} does not build: the image may use the copied target/",
                    facts.name
                ))
            }
        }
        Kind::BuildOutput(dir) => {
            if !facts.runs_any(BUILDS_OUTPUT) {
                return Verdict::Skip(format!("{} does not build {dir}/", facts.name));
            }
            if mentions_dir(&facts.run_text, dir, &[]) {
                return Verdict::Skip(format!("{} reads {dir}/ in a RUN", facts.name));
            }
            if let Some((name, command)) = project.script_reading(dir) {
                return Verdict::Skip(format!(
                    "package.json's `{name}` script reads {dir}/ (`{command}`): it holds sources"
                ));
            }
            if !project.generated(dir, true) {
                return Verdict::Unsafe(format!(
                    "{dir}/ is not in .gitignore, so it may be committed sources rather than build output"
                ));
            }
            Verdict::Safe
        }
        Kind::Plain => Verdict::Safe,
    }
}

/// Commands that build a frontend or package into `dist/` or `build/`.
const BUILDS_OUTPUT: &[&str] = &[
    "run build",
    "yarn build",
    "pnpm build",
    "ng build",
    "vite build",
    "tsc",
    "next build",
    "python -m build",
    "setup.py build",
];

/// The other Dockerfiles of the context that would read its
/// `.dockerignore`: every Dockerfile-named file but this one, except those
/// with their own `<name>.dockerignore` and those that look built from
/// their own directory (each COPY source exists beside them, not at the
/// context root).
fn other_dockerfiles(build: &BuildContext, this: Option<&Path>) -> Vec<Arc<DockerfileFacts>> {
    let this = this.and_then(|path| std::fs::canonicalize(path).ok());
    let names = dockerfile_names(build);
    // Most contexts hold one Dockerfile, the one being fixed: there is
    // nothing else to read, and parsing it again would cost as much as
    // fixing it.
    if let [only] = names.as_slice()
        && this.is_some()
        && this == std::fs::canonicalize(build.root().join(only)).ok()
    {
        return Vec::new();
    }
    context_dockerfiles(build, &names)
        .iter()
        .filter(|(path, _)| this.is_none() || Some(path) != this.as_ref())
        .map(|(_, facts)| Arc::clone(facts))
        .collect()
}

/// The Dockerfile-named files of the context (relative paths), without
/// those under `node_modules` and those with their own `<name>.dockerignore`.
fn dockerfile_names(build: &BuildContext) -> Vec<&str> {
    build
        .files()
        .iter()
        .map(String::as_str)
        .filter(|relative| {
            let name = last_component(relative);
            is_dockerfile_name(name)
                && !relative.split('/').any(|segment| segment == "node_modules")
                && !build.exists(&format!("{relative}.dockerignore"))
        })
        .collect()
}

type DockerfilesOfContext = Arc<Vec<(PathBuf, Arc<DockerfileFacts>)>>;

/// The Dockerfiles built from `build` (`names`, as above, less those that
/// look built from their own directory), read once per context and
/// process: a directory of hundreds of Dockerfiles would otherwise be
/// parsed once for each of them. Read when first asked for, before any of
/// them is rewritten, which is what the build reads too.
fn context_dockerfiles(build: &BuildContext, names: &[&str]) -> DockerfilesOfContext {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, DockerfilesOfContext>>> = OnceLock::new();
    let root = std::fs::canonicalize(build.root()).unwrap_or_else(|_| build.root().to_path_buf());
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(found) = cache.get(&root) {
        return Arc::clone(found);
    }
    let mut found = Vec::new();
    for &relative in names {
        let Some(text) = build.read(relative) else {
            continue;
        };
        let file = Dockerfile::parse(&text);
        let facts = DockerfileFacts::of(&file, relative, build);
        if let Some((directory, _)) = relative.rsplit_once('/') {
            let beside = |source: &String| build.exists(&format!("{directory}/{source}"));
            let own_context = !facts.sources.is_empty()
                && facts.sources.iter().all(beside)
                && !facts.sources.iter().all(|source| build.exists(source));
            if own_context {
                continue;
            }
        }
        let path = std::fs::canonicalize(build.root().join(relative))
            .unwrap_or_else(|_| build.root().join(relative));
        found.push((path, Arc::new(facts)));
    }
    let found = Arc::new(found);
    cache.insert(root, Arc::clone(&found));
    found
}

fn normalize(path: &str) -> String {
    let trimmed = path
        .trim_start_matches("./")
        .trim_start_matches('/')
        .trim_end_matches('/');
    if trimmed == "." {
        String::new()
    } else {
        trimmed.to_string()
    }
}

/// Directories (relative paths) in the context named `name`, at any depth,
/// outside other hits (`a/node_modules/b/node_modules` counts once).
fn directories_named(files: &BTreeSet<String>, name: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for file in files {
        let segments: Vec<&str> = file.split('/').collect();
        if let Some(at) = segments.iter().position(|segment| *segment == name)
            && at + 1 < segments.len()
        {
            let dir = segments[..=at].join("/");
            if !found
                .iter()
                .any(|seen| dir == *seen || dir.starts_with(&format!("{seen}/")))
            {
                found.push(dir);
            }
        }
    }
    found
}

/// Log files tools write and projects never commit.
fn is_tool_log(name: &str) -> bool {
    [
        "npm-debug.log",
        "yarn-debug.log",
        "yarn-error.log",
        "pnpm-debug.log",
        "lerna-debug.log",
    ]
    .iter()
    .any(|prefix| name.starts_with(prefix))
}

fn candidates(
    build: &BuildContext,
    project: &ProjectFacts,
    context: &Context,
    id: &'static str,
) -> Vec<Candidate> {
    let files = build.files();
    let root_dir = |name: &str| build.root().join(name).is_dir();
    let mut candidates = Vec::new();
    let mut add = |kind: Kind, lines: &[&str], hits: Vec<String>| {
        if !hits.is_empty() {
            candidates.push(Candidate {
                kind,
                lines: lines.iter().map(|line| line.to_string()).collect(),
                hits,
                unsafe_reason: None,
            });
        }
    };

    if build.exists(".git") {
        add(Kind::Git, &[".git"], vec![".git".into()]);
    }
    // The root's `node_modules` line and the `**/node_modules` line are
    // judged apart: a nested one may be committed modules (`src/node_modules`
    // with no package.json beside it) when the root's is an install output.
    let node_modules = directories_named(files, "node_modules");
    if node_modules.iter().any(|dir| dir == "node_modules") {
        add(
            Kind::NodeModules,
            &["node_modules"],
            vec!["node_modules".into()],
        );
    }
    if node_modules.iter().any(|dir| dir != "node_modules") {
        add(Kind::NodeModules, &["**/node_modules"], node_modules);
    }
    // Any virtualenv at the root, whatever its name (`venv`, `.venv`,
    // `env`): `python -m venv` always writes `pyvenv.cfg`.
    let venvs: Vec<String> = files
        .iter()
        .filter_map(|file| file.strip_suffix("/pyvenv.cfg"))
        .filter(|dir| !dir.contains('/'))
        .map(str::to_string)
        .collect();
    for venv in venvs {
        add(
            Kind::Venv(venv.clone()),
            &[venv.as_str()],
            vec![venv.clone()],
        );
    }
    if root_dir("target") && (build.exists("Cargo.toml") || build.exists("pom.xml")) {
        add(Kind::Target, &["target"], vec!["target".into()]);
    }
    for output in ["dist", "build"] {
        if root_dir(output) {
            add(
                Kind::BuildOutput(output.into()),
                &[output],
                vec![output.into()],
            );
        }
    }
    let pycache = directories_named(files, "__pycache__");
    if !pycache.is_empty() {
        add(Kind::Plain, &["**/__pycache__"], pycache);
    }
    let pyc: Vec<String> = files
        .iter()
        .filter(|f| f.ends_with(".pyc") && !f.contains("__pycache__/"))
        .cloned()
        .collect();
    add(Kind::Plain, &["**/*.pyc"], pyc);
    for cache in [
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        ".tox",
        ".nyc_output",
        "htmlcov",
        ".idea",
        ".vscode",
    ] {
        if root_dir(cache) {
            add(Kind::Plain, &[cache], vec![cache.into()]);
        }
    }
    if build.exists(".coverage") {
        add(Kind::Plain, &[".coverage"], vec![".coverage".into()]);
    }
    // Logs: only those a tool wrote and nobody committed (the project's
    // .gitignore ignores them, or npm/yarn named them). A committed `.log`
    // is data: a test fixture, a sample.
    let logs: Vec<&String> = files.iter().filter(|f| f.ends_with(".log")).collect();
    let junk = |file: &str| project.generated(file, false) || is_tool_log(last_component(file));
    if !logs.is_empty() && logs.iter().all(|log| junk(log)) {
        add(
            Kind::Plain,
            &["**/*.log"],
            logs.iter().map(|log| log.to_string()).collect(),
        );
    } else {
        if let Some(kept) = logs.iter().find(|log| !junk(log)) {
            context.skip(
                id,
                0,
                format!("not excluding **/*.log: `{kept}` is not in .gitignore nor a package manager's log, so it may be data the build or tests read"),
            );
        }
        let top_level: Vec<&&String> = logs.iter().filter(|log| !log.contains('/')).collect();
        if !top_level.is_empty() && top_level.iter().all(|log| junk(log)) {
            add(
                Kind::Plain,
                &["*.log"],
                top_level.iter().map(|log| log.to_string()).collect(),
            );
        }
    }
    let ds_store: Vec<String> = files
        .iter()
        .filter(|f| last_component(f) == ".DS_Store")
        .cloned()
        .collect();
    add(Kind::Plain, &["**/.DS_Store"], ds_store);

    // .env files: secrets, but maybe read at run time.
    let templates = [".env.example", ".env.sample", ".env.template", ".env.dist"];
    let env_files: Vec<String> = files
        .iter()
        .filter(|f| (*f == ".env" || f.starts_with(".env.")) && !templates.contains(&f.as_str()))
        .cloned()
        .collect();
    if !env_files.is_empty() {
        let mut lines = vec![".env".to_string(), ".env.*".to_string()];
        lines.extend(
            templates
                .iter()
                .filter(|t| files.contains(**t))
                .map(|t| format!("!{t}")),
        );
        candidates.push(Candidate {
            kind: Kind::Plain,
            lines,
            hits: env_files,
            unsafe_reason: Some("applications often read .env at run time (dotenv)".into()),
        });
    }
    candidates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_mentioned() {
        assert!(mentions_path("cp -r .git /x", ".git"));
        assert!(mentions_path("cat ./.git/HEAD", ".git"));
        assert!(!mentions_path("git clone https://x/y.git", ".git"));
        assert!(!mentions_path("cat .gitignore", ".git"));
    }

    #[test]
    fn directories_mentioned() {
        let none: &[String] = &[];
        assert!(mentions_dir("node build/build.js", "build", none));
        assert!(!mentions_dir("npm run build", "build", none));
        assert!(mentions_dir(
            "[\"venv/bin/python\", \"app.py\"]",
            "venv",
            none
        ));
        assert!(mentions_dir(". ./venv/bin/activate", "venv", none));
        assert!(!mentions_dir("python -m venv /opt/venv", "venv", none));
        assert!(!mentions_dir("cp -r /app/dist/ /srv", "dist", none));
        let bases = ["/app".to_string()];
        assert!(mentions_dir("PATH=/app/venv/bin:$PATH", "venv", &bases));
        assert!(!mentions_dir("PATH=/app/venv2/bin:$PATH", "venv", &bases));
    }

    fn run_of(text: &str) -> (Dockerfile, Instruction) {
        let file = Dockerfile::parse(text);
        let run = file
            .instructions()
            .into_iter()
            .find(|instruction| instruction.kind() == InstructionKind::Run)
            .expect("a RUN");
        (file, run)
    }

    #[test]
    fn any_git_command_is_found() {
        let (file, run) = run_of(
            "FROM x\nRUN apt-get install -y git && git rev-list --count HEAD > /n && git -C /src describe\n",
        );
        assert_eq!(
            git_commands(&file, &run),
            ["git rev-list --count HEAD", "git -C /src describe"]
        );
        let (file, run) = run_of("FROM x\nRUN sh -c 'git ls-files'\n");
        assert_eq!(git_commands(&file, &run).len(), 1);
        let (file, run) = run_of("FROM x\nRUN apk add git && pip install git+https://x/y\n");
        assert!(git_commands(&file, &run).is_empty());
    }

    #[test]
    fn install_directories_follow_cd_and_prefix() {
        let app = Dir::Known("/app".into());
        let (file, run) = run_of("FROM x\nRUN cd web && npm ci && npm --prefix /srv install\n");
        assert_eq!(
            node_install_directories(&file, &run, &app),
            [Dir::Known("/app/web".into()), Dir::Known("/srv".into())]
        );
        let (file, run) = run_of("FROM x\nRUN (cd web && npm ci) && npm install -g pm2\n");
        assert_eq!(node_install_directories(&file, &run, &app), [Dir::Unknown]);
    }

    #[test]
    fn git_calls() {
        assert!(calls_git("VERSION=$(git describe --tags)"));
        assert!(calls_git("husky install"));
        assert!(!calls_git("echo digit"));
        assert!(!calls_git("gitlab-ci"));
    }
}
