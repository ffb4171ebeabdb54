#![doc = include_str!("../../transforms/package-cache-flags/README.md")]

use crate::engine::{Context, Fix, Safety, Transform};
use crate::shell::packages::{self, Manager, PackageCommand};
use crate::shell::{Command, Script};
use crate::syntax::{Dockerfile, Instruction, InstructionKind, Stage};
use crate::transforms::package_index::{self, Index, IndexNeed};
use crate::transforms::run_body;

pub struct PackageCacheFlags;

impl Transform for PackageCacheFlags {
    fn id(&self) -> &'static str {
        ID
    }

    fn summary(&self) -> &'static str {
        "Keep package-manager caches out of layers (apk --no-cache, pip --no-cache-dir, npm/yarn cache clean, ...)"
    }

    fn safety(&self) -> Safety {
        Safety::Safe
    }

    fn docs(&self) -> &'static str {
        include_str!("../../transforms/package-cache-flags/README.md")
    }

    fn edits_shell(&self) -> bool {
        true
    }

    fn fixes(&self, file: &Dockerfile, context: &Context) -> Vec<Fix> {
        let text = file.text();
        let stages = file.stages();
        let mut fixes = Vec::new();
        for stage in &stages {
            let mut settings = StageSettings::default();
            for ancestor in lineage(&stages, stage)
                .into_iter()
                .filter(|s| s.index != stage.index)
            {
                for instruction in &ancestor.body {
                    settings.learn(file, instruction);
                }
            }
            for (index, run) in stage.body.iter().enumerate() {
                settings.learn(file, run);
                if run.kind() != InstructionKind::Run || run.is_error() {
                    continue;
                }
                let mut scripts: Vec<Script> = Script::of_run(file, run).into_iter().collect();
                scripts.extend(Script::heredoc_scripts(file, run));
                let cache_targets = run.as_run().map(|r| r.cache_targets()).unwrap_or_default();
                for script in &scripts {
                    let site = Site {
                        file,
                        stages: &stages,
                        stage,
                        index,
                        context,
                    };
                    fixes.extend(fixes_for_script(
                        &site,
                        run,
                        script,
                        &settings,
                        &cache_targets,
                        text,
                    ));
                }
            }
        }
        fixes
    }
}

const ID: &str = "package-cache-flags";

/// Where a `RUN` is, for the checks that look at what comes after it.
struct Site<'a> {
    file: &'a Dockerfile,
    stages: &'a [Stage],
    stage: &'a Stage,
    /// Position of the `RUN` in the stage body.
    index: usize,
    context: &'a Context<'a>,
}

/// What earlier instructions of a stage (and the stages it is built from)
/// already settled.
#[derive(Debug, Default)]
struct StageSettings {
    /// The body of the last `RUN` seen, which counts only for later ones.
    pending_run: Option<String>,
    pip_cache_disabled: bool,
    apt_recommends_configured: bool,
    gem_docs_configured: bool,
}

impl StageSettings {
    /// Takes in what an instruction settles for the instructions after it.
    /// A `RUN` only counts for the `RUN`s after it, so this is called for
    /// an instruction before looking at the next one.
    fn learn(&mut self, file: &Dockerfile, instruction: &Instruction) {
        match instruction.kind() {
            InstructionKind::Env
                if instruction
                    .key_values(file.escape())
                    .iter()
                    .any(|pair| pair.key == "PIP_NO_CACHE_DIR") =>
            {
                self.pip_cache_disabled = true;
            }
            InstructionKind::Run => {
                if let Some(pending) = self.pending_run.take() {
                    self.settle(&pending);
                }
                self.pending_run = Some(
                    instruction.logical().text().to_string()
                        + &instruction
                            .heredocs()
                            .iter()
                            .map(|h| h.body.clone())
                            .collect::<String>(),
                );
            }
            _ => {}
        }
    }

    fn settle(&mut self, body: &str) {
        if body.contains("APT::Install-Recommends") {
            self.apt_recommends_configured = true;
        }
        if body.contains("gemrc") && (body.contains("no-document") || body.contains("no-rdoc")) {
            self.gem_docs_configured = true;
        }
    }
}

/// The stage and the earlier stages it is built `FROM`, oldest first.
fn lineage<'s>(stages: &'s [Stage], stage: &'s Stage) -> Vec<&'s Stage> {
    let mut chain = vec![stage];
    let mut current = stage;
    while let Some(base) = current
        .from
        .as_from()
        .and_then(|from| from.image())
        .map(|(image, _)| image.to_ascii_lowercase())
        .and_then(|image| {
            stages[..current.index]
                .iter()
                .rev()
                .find(|earlier| earlier.name().as_deref() == Some(image.as_str()))
        })
    {
        if chain.iter().any(|seen| seen.index == base.index) {
            break;
        }
        chain.push(base);
        current = base;
    }
    chain.reverse();
    chain
}

/// True when a cache mount of the RUN holds the cache at one of `paths`.
fn cache_mounted(cache_targets: &[String], paths: &[&str]) -> bool {
    cache_targets.iter().any(|target| {
        let target = target.trim_end_matches('/');
        paths
            .iter()
            .any(|path| path.starts_with(target) || target.starts_with(path))
    })
}

fn fixes_for_script(
    site: &Site,
    run: &Instruction,
    script: &Script,
    settings: &StageSettings,
    cache_targets: &[String],
    text: &str,
) -> Vec<Fix> {
    let file = site.file;
    let commands = packages::package_commands(script);
    let mut fixes = Vec::new();
    let mut npm_installs = false;
    let mut yarn_installs = false;
    for command in &commands {
        let Some(subcommand_word) = command.subcommand_word else {
            if command.manager == Manager::Yarn && command.options.is_empty() {
                yarn_installs = true;
            }
            continue;
        };
        let after_subcommand =
            |option: &str| vec![run_body::insert_after_word(subcommand_word, option)];
        match (command.manager, command.subcommand.as_deref()) {
            (Manager::Apk, Some("add"))
                if !command.has_option(&["--no-cache"])
                    && !cache_mounted(cache_targets, &["/var/cache/apk", "/etc/apk/cache"]) =>
            {
                fixes.push(Fix::safe(
                    "add --no-cache to `apk add` so the package index is not kept in the layer",
                    after_subcommand("--no-cache"),
                ));
            }
            (Manager::Pip, Some("install"))
                if !command.has_option(&["--no-cache-dir", "--cache-dir"])
                    && !settings.pip_cache_disabled
                    && !assigns(command, "PIP_NO_CACHE_DIR")
                    && !cache_mounted(cache_targets, &["/root/.cache/pip"]) =>
            {
                fixes.push(Fix::safe(
                    "add --no-cache-dir to `pip install` so pip's download cache is not kept in the layer",
                    after_subcommand("--no-cache-dir"),
                ));
            }
            (Manager::Apt, Some("install")) => {
                let assumes_yes = command.has_short_flag('y')
                    || command.has_option(&["--yes", "--assume-yes", "-qq"])
                    || command.options.iter().any(|o| o.contains("Assume-Yes"));
                if !assumes_yes {
                    fixes.push(Fix::safe(
                        "add -y to `apt-get install`: without it the install stops at its prompt in a build",
                        after_subcommand("-y"),
                    ));
                }
                let recommends_set = command.has_option(&["--no-install-recommends"])
                    || command
                        .options
                        .iter()
                        .any(|o| o.contains("Install-Recommends"))
                    || command
                        .args
                        .iter()
                        .flatten()
                        .any(|a| a.contains("Install-Recommends"))
                    || settings.apt_recommends_configured;
                if !recommends_set {
                    fixes.push(Fix::unsafe_(
                        "add --no-install-recommends to `apt-get install` (unsafe: the build or the program may rely on a recommended package)",
                        after_subcommand("--no-install-recommends"),
                    ));
                }
            }
            (Manager::Gem, Some("install"))
                if !command.has_option(&[
                    "--no-document",
                    "--no-doc",
                    "-N",
                    "--no-ri",
                    "--no-rdoc",
                ]) && !settings.gem_docs_configured =>
            {
                fixes.push(Fix::safe(
                    "add --no-document to `gem install` so generated documentation is not kept in the layer",
                    after_subcommand("--no-document"),
                ));
            }
            (Manager::Npm, Some("ci" | "install" | "i")) => npm_installs = true,
            (Manager::Yarn, Some("install")) => yarn_installs = true,
            _ => {}
        }
    }
    let cleans = |manager: Manager| {
        commands.iter().any(|command| {
            command.manager == manager
                && command.subcommand.as_deref() == Some("cache")
                && command.args.first().and_then(|a| a.as_deref()) == Some("clean")
        })
    };
    if npm_installs && !cleans(Manager::Npm) && !cache_mounted(cache_targets, &["/root/.npm"]) {
        fixes.extend(append(
            run,
            script,
            "npm cache clean --force",
            "npm",
            text,
            file.escape(),
        ));
    }
    if yarn_installs
        && !cleans(Manager::Yarn)
        && !cache_mounted(
            cache_targets,
            &[
                "/usr/local/share/.cache/yarn",
                "/root/.cache/yarn",
                "/root/.yarn",
            ],
        )
    {
        fixes.extend(append(
            run,
            script,
            "yarn cache clean",
            "yarn",
            text,
            file.escape(),
        ));
    }
    fixes.extend(apk_leftovers(site, script, &commands));
    fixes
}

fn append(
    run: &Instruction,
    script: &Script,
    command: &str,
    tool: &str,
    text: &str,
    escape: char,
) -> Option<Fix> {
    let edit = run_body::append_command(run, script, command, text, escape)?;
    Some(Fix::safe(
        format!(
            "run `{command}` after the {tool} install so its download cache is not kept in the layer"
        ),
        vec![edit],
    ))
}

/// `FOO=… command`: an assignment prefix for the command.
fn assigns(command: &PackageCommand, name: &str) -> bool {
    command
        .command
        .assignments
        .iter()
        .any(|assignment| assignment.raw.starts_with(&format!("{name}=")))
}

/// Once every `apk` command uses `--no-cache`, `apk update` and
/// `rm -rf /var/cache/apk/*` in the same `&&` chain only cost bytes.
fn apk_leftovers(site: &Site, script: &Script, commands: &[PackageCommand]) -> Vec<Fix> {
    let apk: Vec<&PackageCommand> = commands
        .iter()
        .filter(|c| c.manager == Manager::Apk)
        .collect();
    let all_add_no_cache = apk
        .iter()
        .filter(|c| c.subcommand.as_deref() != Some("update"))
        .all(|c| c.subcommand.as_deref() == Some("add") && c.has_option(&["--no-cache"]));
    if apk.is_empty()
        || !all_add_no_cache
        || !apk.iter().any(|c| c.subcommand.as_deref() == Some("add"))
    {
        return Vec::new();
    }
    let mut fixes = Vec::new();
    for (list_index, list) in script.lists.iter().enumerate() {
        for (index, pipeline) in list.pipelines.iter().enumerate() {
            let [Command::Simple(simple)] = pipeline.commands.as_slice() else {
                continue;
            };
            let Some(literal) = simple
                .words
                .iter()
                .map(|w| w.literal())
                .collect::<Option<Vec<_>>>()
            else {
                continue;
            };
            let words: Vec<&str> = literal.iter().map(String::as_str).collect();
            let useless = matches!(
                words.as_slice(),
                ["apk", "update"] | ["apk", "update", "-q" | "--quiet"]
            ) || matches!(words.as_slice(), ["rm", "-rf" | "-fr" | "-r" | "-f", rest @ ..] if !rest.is_empty() && rest.iter().all(|path| path.starts_with("/var/cache/apk")));
            if !useless {
                continue;
            }
            if let Some(edit) = run_body::remove_from_and_chain(script, list_index, index) {
                let Some(safety) = apk_index_removal(site, script) else {
                    return fixes;
                };
                let message = format!(
                    "remove `{}`: `apk add --no-cache` needs no index and leaves no cache",
                    words.join(" ")
                );
                fixes.push(if safety == Safety::Safe {
                    Fix::safe(message, vec![edit])
                } else {
                    Fix::unsafe_(message, vec![edit])
                });
                // One removal per pass: the next pass re-reads the chain.
                return fixes;
            }
        }
    }
    fixes
}

/// Whether `apk update` (and an `rm` of its index) may go: `apk update`
/// leaves an index that later `apk add`s without `--no-cache` (or
/// `--update`) read, so it stays while one does, and so does the `rm` that
/// removed it (the later step would see it otherwise). `None`: keep them.
fn apk_index_removal(site: &Site, script: &Script) -> Option<Safety> {
    let need = package_index::needed_after(
        site.file,
        site.stages,
        site.stage,
        site.index,
        Index::ApkIndex,
        site.context,
    );
    let safety = match &need {
        IndexNeed::Unneeded => Safety::Safe,
        IndexNeed::Needed { what, .. } => {
            site.context.skip(
                ID,
                script.range.start,
                format!("`apk update` stays: the index it fetches is read later by {what}"),
            );
            return None;
        }
        IndexNeed::Unknown { what, .. } => {
            site.context.skip(
                ID,
                script.range.start,
                format!(
                    "removing `apk update` is unsafe: a later step {what} (it may install with apk)"
                ),
            );
            Safety::Unsafe
        }
    };
    Some(safety)
}
