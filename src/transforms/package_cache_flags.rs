#![doc = include_str!("../../transforms/package-cache-flags/README.md")]

use crate::engine::{Context, Edit, Fix, Safety, Transform};
use crate::paths::last_component;
use crate::shell::packages::{self, Manager, PackageCommand};
use crate::shell::{Command, Script};
use crate::syntax::image_ref::ImageRef;
use crate::syntax::{Dockerfile, Instruction, InstructionKind, Stage};
use crate::transforms::package_index::{self, Index, IndexNeed};
use crate::transforms::run_body;
use crate::transforms::shipping::{self, Ships};

/// What is appended after npm installs. `--no-update-notifier` because npm's
/// update check runs in the background of every npm command and writes into
/// the very cache `cache clean` deletes: in the node:18 stand-in (npm 9.9.3),
/// `npm install && npm cache clean --force` failed 10 runs out of 10 in a loop
/// (ENOTEMPTY on rmdir or ENOENT on mkdir under /root/.npm/_cacache), and 0 out
/// of 10 with the flag. The real-build suite met it as an intermittent failure.
pub(crate) const NPM_CACHE_CLEAN: &str = "npm cache clean --force --no-update-notifier";

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

    fn some_fixes_unsafe(&self) -> bool {
        true
    }

    fn docs(&self) -> &'static str {
        include_str!("../../transforms/package-cache-flags/README.md")
    }

    fn edits_shell(&self) -> bool {
        true
    }

    fn fixes(&self, file: &Dockerfile, context: &Context) -> Vec<Fix> {
        let stages = file.stages();
        let mut fixes = Vec::new();
        let ships_by_stage = shipping::ships_by_stage(&stages);
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
            let ships = &ships_by_stage[stage.index];
            // The image the stage is built on, through `FROM <stage>`.
            let base = lineage(&stages, stage)
                .first()
                .and_then(|root| root.from.as_from())
                .and_then(|from| from.image_ref());
            for (index, instruction) in stage.body.iter().enumerate() {
                settings.learn(file, instruction);
                if instruction.is_error() {
                    continue;
                }
                // An `ONBUILD RUN` runs in every image built FROM this one,
                // on this image's files and tools: its installs leave the
                // same caches in the child's layer.
                let (run, onbuild) = match instruction.kind() {
                    InstructionKind::Run => (instruction.clone(), false),
                    InstructionKind::Onbuild => match instruction.onbuild_inner() {
                        Some(inner) if inner.kind() == InstructionKind::Run => (inner, true),
                        _ => continue,
                    },
                    _ => continue,
                };
                let run = &run;
                let scripts = Script::all_of_run(file, run);
                let cache_targets = run.as_run().map(|r| r.cache_targets()).unwrap_or_default();
                for script in &scripts {
                    let site = Site {
                        file,
                        stages: &stages,
                        stage,
                        index,
                        context,
                        base: base.as_ref(),
                        onbuild,
                        ships,
                    };
                    fixes.extend(fixes_for_script(
                        &site,
                        run,
                        script,
                        &settings,
                        &cache_targets,
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
    /// The image the stage is built on (`None` for `scratch`-like or
    /// unreadable references).
    base: Option<&'a ImageRef>,
    /// The `RUN` is an `ONBUILD` trigger: it runs in a child build, whose
    /// build context and later steps dockfix cannot see.
    onbuild: bool,
    /// What of the stage reaches the final image (issue 12, item 13).
    ships: &'a Ships,
}

impl Site<'_> {
    /// True when a cache at one of `paths` would reach the final image;
    /// otherwise records why `change` is not made (and returns false):
    /// removing a cache from a stage that does not ship saves nothing and
    /// only costs build time.
    fn cache_ships(&self, paths: &[&str], change: &str, at: usize) -> bool {
        if paths.iter().any(|path| self.ships.may_include(path)) {
            return true;
        }
        let Ships::Paths(sources) = self.ships else {
            return true;
        };
        let copied = if sources.is_empty() {
            "nothing is copied out of it".to_string()
        } else {
            format!(
                "only {} is copied out of it",
                sources
                    .iter()
                    .map(|source| format!("`{source}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        self.context.skip(
            ID,
            at,
            format!("{change} is not added: the stage does not ship ({copied}), so the cache (`{}`) never reaches the final image, and the change would only cost build time", paths[0]),
        );
        false
    }

    /// False (and the reason recorded) when the base image's `tool` is
    /// known to predate `flag` ([`OLD_TOOLCHAINS`]).
    fn tool_knows(&self, tool: &str, flag: &str, at: usize) -> bool {
        let Some(base) = self.base else {
            return true;
        };
        match old_toolchain(base, tool, flag) {
            Some(why) => {
                self.context.skip(
                    ID,
                    at,
                    format!("`{tool} {flag}` is not added: {tool} on `{base}` is older than that ({why})"),
                );
                false
            }
            None => true,
        }
    }
}

/// Base images whose packaged tools predate a flag, with sources:
/// `transforms/package-cache-flags/old-toolchains.toml`.
const OLD_TOOLCHAINS: &str =
    include_str!("../../transforms/package-cache-flags/old-toolchains.toml");

#[derive(Debug, serde::Deserialize)]
struct OldToolchains {
    flag: Vec<FlagSince>,
}

#[derive(Debug, serde::Deserialize)]
struct FlagSince {
    flag: String,
    tool: String,
    since: String,
    base: Vec<OldBase>,
}

#[derive(Debug, serde::Deserialize)]
struct OldBase {
    image: String,
    tags: Vec<String>,
    source: String,
}

impl FlagSince {
    /// `pip 6.0` from `pip 6.0 (2014-12-22): ...`.
    fn since_short(&self) -> &str {
        self.since.split(" (").next().unwrap_or(&self.since)
    }
}

fn old_toolchains() -> &'static OldToolchains {
    static TABLE: std::sync::OnceLock<OldToolchains> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| toml::from_str(OLD_TOOLCHAINS).expect("old-toolchains.toml is valid"))
}

/// Why `tool` on `base` does not know `flag`, when the table says so.
fn old_toolchain(base: &ImageRef, tool: &str, flag: &str) -> Option<String> {
    let repository = base.repository();
    let tag = base.tag.as_deref().unwrap_or("latest");
    old_toolchains()
        .flag
        .iter()
        .filter(|entry| entry.tool == tool && entry.flag == flag)
        .find_map(|entry| {
            entry
                .base
                .iter()
                .filter(|old| old.image == repository)
                .find(|old| {
                    old.tags.iter().any(|known| {
                        tag == known
                            || tag
                                .strip_prefix(known.as_str())
                                .is_some_and(|rest| rest.starts_with(['.', '-']))
                    })
                })
                .map(|old| format!("{}; the flag needs {}", old.source, entry.since_short()))
        })
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
    let mut chain = stage.lineage(stages);
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
) -> Vec<Fix> {
    let file = site.file;
    let commands = packages::package_commands(script);
    let mut fixes = Vec::new();
    let mut npm_installs = false;
    let mut yarn_installs = false;
    // `yarn global add` exists in Yarn 1 only (Yarn 2+ removed `global`),
    // so when it succeeds the yarn on PATH is Yarn 1, whose cache holds
    // downloads only: the global packages live in ~/.config/yarn/global.
    let mut yarn_global_adds = false;
    for command in &commands {
        let Some(subcommand_word) = command.subcommand_word else {
            // A bare `yarn`, with options or not (`yarn --frozen-lockfile`),
            // installs; `yarn --version` and `yarn --help` do not.
            if command.manager == Manager::Yarn
                && !command.has_option(&["--version", "-v", "--help", "-h"])
            {
                yarn_installs = true;
            }
            continue;
        };
        let after_subcommand =
            |option: &str| vec![run_body::insert_after_word(subcommand_word, option)];
        match (command.manager, command.subcommand) {
            // `apk upgrade` downloads and installs like `apk add`, and
            // takes the same global `--no-cache`.
            (Manager::Apk, Some(subcommand @ ("add" | "upgrade")))
                if !command.has_option(&["--no-cache"])
                    && !cache_mounted(cache_targets, &["/var/cache/apk", "/etc/apk/cache"])
                    && site.tool_knows("apk", "--no-cache", command.command.range.start)
                    && site.cache_ships(
                        APK_CACHES,
                        &format!("`apk {subcommand} --no-cache`"),
                        command.command.range.start,
                    ) =>
            {
                fixes.push(Fix::safe(
                    format!("add --no-cache to `apk {subcommand}` so the package index is not kept in the layer"),
                    after_subcommand("--no-cache"),
                ));
            }
            (Manager::Pip, Some("install"))
                if !command.has_option(&["--no-cache-dir", "--cache-dir"])
                    && !settings.pip_cache_disabled
                    && !assigns(command, "PIP_NO_CACHE_DIR")
                    && !cache_mounted(cache_targets, &["/root/.cache/pip"])
                    && site.tool_knows("pip", "--no-cache-dir", command.command.range.start)
                    && site.cache_ships(
                        &["/root/.cache/pip", "/home"],
                        "`pip install --no-cache-dir`",
                        command.command.range.start,
                    ) =>
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
                    let mut edits = after_subcommand("--no-install-recommends");
                    let kept = recommends_builds_rely_on(&command.operands());
                    let mut message = "add --no-install-recommends to `apt-get install` (unsafe: the build or the program may rely on a recommended package)".to_string();
                    if !kept.is_empty()
                        && let Some(last) = command.command.words.last()
                    {
                        let names: Vec<&str> = kept.iter().map(|(name, _)| name.as_str()).collect();
                        edits.push(Edit::insert(
                            last.range.end,
                            format!(" {}", names.join(" ")),
                        ));
                        let reasons: Vec<String> = kept
                            .iter()
                            .map(|(name, by)| format!("`{name}` (recommended by {by})"))
                            .collect();
                        message.push_str(&format!(
                            "; installs {} explicitly, which builds rely on",
                            reasons.join(", ")
                        ));
                    }
                    fixes.push(Fix::unsafe_(message, edits));
                }
            }
            (Manager::Gem, Some("install"))
                if !command.has_option(&[
                    "--no-document",
                    "--no-doc",
                    "-N",
                    "--no-ri",
                    "--no-rdoc",
                ]) && !settings.gem_docs_configured
                    && site.tool_knows("gem", "--no-document", command.command.range.start) =>
            {
                fixes.push(Fix::safe(
                    "add --no-document to `gem install` so generated documentation is not kept in the layer",
                    after_subcommand("--no-document"),
                ));
            }
            // npm's spellings of `install` and `ci` (npm help install, ci).
            (
                Manager::Npm,
                Some(
                    "ci" | "clean-install" | "ic" | "install-clean" | "isntall-clean" | "install"
                    | "i" | "add" | "in" | "ins" | "inst" | "insta" | "instal" | "isnt" | "isnta"
                    | "isntal" | "isntall",
                ),
            ) => npm_installs = true,
            (Manager::Yarn, Some("install" | "add")) => yarn_installs = true,
            (Manager::Yarn, Some("global"))
                if command.args.first().and_then(|a| a.as_deref()) == Some("add") =>
            {
                yarn_global_adds = true
            }
            _ => {}
        }
    }
    // `npm cache clear` is npm < 5's spelling (and an alias since); `rm` of
    // the cache directory does the same.
    let cleans = |manager: Manager| {
        commands.iter().any(|command| {
            command.manager == manager
                && command.subcommand == Some("cache")
                && matches!(
                    command.args.first().and_then(|a| a.as_deref()),
                    Some("clean" | "clear" | "rm")
                )
        }) || script.simple_commands().iter().any(|(command, _)| {
            command.program() == Some("rm")
                && command.args().iter().any(|word| {
                    let raw = word.raw.trim_end_matches(['/', '*']);
                    match manager {
                        Manager::Npm => raw.ends_with("/.npm") || raw.ends_with("/.npm/_cacache"),
                        _ => raw.ends_with("/.cache/yarn") || raw.ends_with("/.yarn/berry/cache"),
                    }
                })
        })
    };
    if npm_installs
        && !cleans(Manager::Npm)
        && !offline_install_after(site, Manager::Npm, "`npm cache clean`", script.range.start)
        && !cache_mounted(cache_targets, &["/root/.npm"])
        && site.cache_ships(
            &["/root/.npm", "/home"],
            "`npm cache clean`",
            script.range.start,
        )
    {
        fixes.extend(append(file, run, script, NPM_CACHE_CLEAN, "npm"));
    }
    if (yarn_installs || yarn_global_adds)
        && !cleans(Manager::Yarn)
        && !offline_install_after(
            site,
            Manager::Yarn,
            "`yarn cache clean`",
            script.range.start,
        )
        && !cache_mounted(
            cache_targets,
            &[
                "/usr/local/share/.cache/yarn",
                "/root/.cache/yarn",
                "/root/.yarn",
            ],
        )
        && site.cache_ships(
            &[
                "/usr/local/share/.cache/yarn",
                "/root/.cache/yarn",
                "/root/.yarn",
                "/home",
            ],
            "`yarn cache clean`",
            script.range.start,
        )
    {
        let safety = if site.onbuild {
            // Yarn 1 or 2+ is decided by the child's build context.
            Err("`yarn cache clean` is not added to an `ONBUILD RUN`: whether the child build's project uses Yarn 2+ with Plug'n'Play (whose cache holds the packages) is in a build context dockfix cannot see".to_string())
        } else if yarn_installs {
            yarn_cache_clean_safety(site, run)
        } else {
            Ok(Safety::Safe)
        };
        match safety {
            Ok(safety) => fixes.extend(
                append(file, run, script, "yarn cache clean", "yarn")
                    .map(|fix| Fix { safety, ..fix }),
            ),
            Err(reason) => site.context.skip(ID, script.range.start, reason),
        }
    }
    // What reads the index after an `ONBUILD RUN` is the child's steps;
    // in a stage that does not ship, the index costs nothing that ships.
    if !site.onbuild && APK_CACHES.iter().any(|path| site.ships.may_include(path)) {
        fixes.extend(apk_leftovers(site, script, &commands));
    }
    fixes
}

/// True (and the reason recorded) when a later step installs from the
/// manager's cache alone (`npm ci --offline`, `yarn install --offline`, or
/// `--prefer-offline`, which goes to the network only for what the cache
/// lacks): in this stage after the `RUN`, or in a stage built `FROM` it.
/// Cleaning the cache before it fails that install (`ENOTCACHED`) or sends
/// it to the network.
fn offline_install_after(site: &Site, manager: Manager, change: &str, at: usize) -> bool {
    let uses = site
        .file
        .derived(|| OfflineInstalls::of(site.file, site.stages));
    let slot = usize::from(manager == Manager::Yarn);
    let stage = &uses.by_stage[site.stage.index];
    let later_here = stage.last[slot]
        .as_ref()
        .filter(|(position, _)| *position > site.index)
        .map(|(_, what)| what);
    let Some(what) = later_here.or(stage.in_children[slot].as_ref()) else {
        return false;
    };
    site.context.skip(
        ID,
        at,
        format!("{change} is not added: a later step (`{what}`) installs from that cache"),
    );
    true
}

/// The `RUN`s that install with npm or yarn from the cache, found once per
/// parse: asking each `RUN` to scan the rest of its stage, and the stages
/// built on it, would make the transform quadratic in their length.
struct OfflineInstalls {
    by_stage: Vec<StageOfflineInstalls>,
}

/// `[npm, yarn]` entries: the command as written.
#[derive(Default, Clone)]
struct StageOfflineInstalls {
    /// The stage's last such `RUN`, by position in its body (an `ONBUILD`
    /// one counts as after every `RUN`: it runs in the child build).
    last: [Option<(usize, String)>; 2],
    /// One in a stage built `FROM` this one, directly or not.
    in_children: [Option<String>; 2],
}

impl OfflineInstalls {
    fn of(file: &Dockerfile, stages: &[Stage]) -> Self {
        let mut by_stage: Vec<StageOfflineInstalls> = stages
            .iter()
            .map(|stage| {
                let mut last: [Option<(usize, String)>; 2] = [None, None];
                for (position, instruction) in stage.body.iter().enumerate() {
                    let (position, instruction) = match instruction.onbuild_inner() {
                        Some(inner) => (usize::MAX, inner),
                        None => (position, instruction.clone()),
                    };
                    if instruction.kind() != InstructionKind::Run {
                        continue;
                    }
                    for script in Script::all_of_run(file, &instruction) {
                        for command in packages::package_commands(&script) {
                            let slot = match command.manager {
                                Manager::Npm => 0,
                                Manager::Yarn => 1,
                                _ => continue,
                            };
                            if command.has_option(&["--offline", "--prefer-offline"]) {
                                let range = command.command.range.clone();
                                let what = file.text()[range].to_string();
                                if last[slot].as_ref().is_none_or(|(at, _)| position >= *at) {
                                    last[slot] = Some((position, what));
                                }
                            }
                        }
                    }
                }
                StageOfflineInstalls {
                    last,
                    in_children: [None, None],
                }
            })
            .collect();
        for child in stages {
            for ancestor in child.lineage(stages).iter().skip(1) {
                for slot in 0..2 {
                    if by_stage[ancestor.index].in_children[slot].is_none()
                        && let Some((_, what)) = by_stage[child.index].last[slot].clone()
                    {
                        by_stage[ancestor.index].in_children[slot] = Some(what);
                    }
                }
            }
        }
        Self { by_stage }
    }
}

/// Where apk keeps its index and downloaded packages.
const APK_CACHES: &[&str] = &["/var/cache/apk", "/etc/apk/cache"];

fn append(
    file: &Dockerfile,
    run: &Instruction,
    script: &Script,
    command: &str,
    tool: &str,
) -> Option<Fix> {
    let edit = run_body::append_command(
        run,
        script,
        command,
        file.text(),
        file.escape(),
        &file.shell_at(run),
    )?;
    Some(Fix::safe(
        format!(
            "run `{command}` after the {tool} install so its download cache is not kept in the layer"
        ),
        vec![edit],
    ))
}

/// `FOO=… command`: an assignment prefix for the command.
fn assigns(command: &PackageCommand, name: &str) -> bool {
    command.command.assignments.iter().any(|assignment| {
        assignment
            .raw
            .strip_prefix(name)
            .is_some_and(|value| value.starts_with('='))
    })
}

/// Once every `apk` command uses `--no-cache`, `apk update` and
/// `rm -rf /var/cache/apk/*` in the same `&&` chain only cost bytes.
fn apk_leftovers(site: &Site, script: &Script, commands: &[PackageCommand]) -> Vec<Fix> {
    let apk: Vec<&PackageCommand> = commands
        .iter()
        .filter(|c| c.manager == Manager::Apk)
        .collect();
    let installs = |c: &&PackageCommand| matches!(c.subcommand, Some("add" | "upgrade"));
    let all_add_no_cache = apk
        .iter()
        .filter(|c| c.subcommand != Some("update"))
        .all(|c| installs(c) && c.has_option(&["--no-cache"]));
    if apk.is_empty() || !all_add_no_cache || !apk.iter().any(installs) {
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

/// Is `yarn cache clean` safe after this install? With Yarn 1 the cache is
/// only downloads. With Yarn 2+ ("Berry") and Plug'n'Play, its default
/// linker, the cache zips are the installed packages (`.pnp.cjs` points
/// into them) and cleaning deletes the app's dependencies; Berry also
/// refuses `cache clean` outside a project. So: `Err` (skip) when the build
/// context or the Dockerfile shows Berry; unsafe when there is no build
/// context to look at; safe otherwise (the `node` images ship Yarn 1, and a
/// Berry project says so in `.yarnrc.yml`, `packageManager` or
/// `.yarn/releases`).
fn yarn_cache_clean_safety(site: &Site, run: &Instruction) -> Result<Safety, String> {
    const BERRY_IN_DOCKERFILE: &[&str] = &[
        "yarn set version",
        "yarnPath",
        "yarn-path",
        "corepack",
        "@yarnpkg/cli",
        "yarn@",
        "berry",
        // Options only Yarn 2+ has (Yarn 1 spells `--immutable` as
        // `--frozen-lockfile`).
        "--immutable",
        "--check-cache",
        "--inline-builds",
    ];
    // Where the project's files come from somewhere other than the build
    // context, the context's Yarn settings are not the project's.
    const PROJECT_FROM_ELSEWHERE: &[&str] = &[
        "git clone",
        "gh repo clone",
        "ADD http",
        "ADD git@",
        "add http",
        "add git@",
    ];
    // The stages this one is built FROM set up Yarn for it too (`RUN
    // corepack enable` in a base stage).
    let lineage = site.stage.lineage(site.stages);
    let inherited = lineage
        .iter()
        .skip(1)
        .rev()
        .flat_map(|stage| stage.body.iter());
    let stage_text = inherited
        .chain(
            site.stage
                .body
                .iter()
                .take_while(|instruction| *instruction != run),
        )
        .chain(std::iter::once(run))
        .map(|instruction| instruction.logical().text().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    if let Some(word) = PROJECT_FROM_ELSEWHERE
        .iter()
        .find(|word| stage_text.contains(*word))
    {
        site.context.skip(
            ID,
            run.range().start,
            format!(
                "`yarn cache clean` is unsafe: the project may come from `{word}`, not the build context, so whether it uses Yarn 2+ with Plug'n'Play (whose cache holds the packages) is unknown"
            ),
        );
        return Ok(Safety::Unsafe);
    }
    let mut berry = BERRY_IN_DOCKERFILE
        .iter()
        .find(|word| stage_text.contains(*word))
        .map(|word| format!("the stage mentions `{word}`, so Yarn may be 2+"));
    let mut node_modules_linker =
        stage_text.contains("nodeLinker") && stage_text.contains("node-modules");
    let Some(build_context) = site.context.build_context else {
        if let Some(why) = berry.filter(|_| !node_modules_linker) {
            return Err(format!(
                "`yarn cache clean` is not added: {why}; with Plug'n'Play the cache holds the installed packages"
            ));
        }
        site.context.skip(
            ID,
            run.range().start,
            "`yarn cache clean` is unsafe without a build context: a Yarn 2+ project with Plug'n'Play keeps its packages in that cache",
        );
        return Ok(Safety::Unsafe);
    };
    for file in build_context.files() {
        if file.split('/').any(|part| part == "node_modules") {
            continue;
        }
        let name = last_component(file);
        let found = match name {
            ".yarnrc.yml" => {
                let text = build_context.read(file).unwrap_or_default();
                let node_modules = text.lines().any(|line| {
                    let line = line.trim();
                    line.starts_with("nodeLinker")
                        && (line.contains("node-modules") || line.contains("pnpm"))
                });
                node_modules_linker |= node_modules;
                (!node_modules).then(|| format!("`{file}` does not set `nodeLinker: node-modules`, so Yarn 2+ uses Plug'n'Play"))
            }
            ".yarnrc" => build_context
                .read(file)
                .is_some_and(|text| text.contains("yarn-path"))
                .then(|| format!("`{file}` sets `yarn-path` (a Yarn 2+ release)")),
            "package.json" => build_context.read(file).and_then(|text| {
                let manifest: serde_json::Value = serde_json::from_str(&text).ok()?;
                let manager = manifest.get("packageManager")?.as_str()?;
                let major: u32 = manager
                    .strip_prefix("yarn@")?
                    .split('.')
                    .next()?
                    .parse()
                    .ok()?;
                (major >= 2).then(|| format!("`{file}` asks for `{manager}`"))
            }),
            _ if file.starts_with(".yarn/releases/") || file.contains("/.yarn/releases/") => {
                Some(format!("`{file}` is a Yarn 2+ release"))
            }
            _ => None,
        };
        berry = berry.or(found);
    }
    match berry {
        Some(why) if !node_modules_linker => Err(format!(
            "`yarn cache clean` is not added: {why}; with Plug'n'Play the cache holds the installed packages"
        )),
        _ => Ok(Safety::Safe),
    }
}

/// Recommended packages builds rely on, with sources:
/// `transforms/package-cache-flags/recommends.toml`.
const RECOMMENDS: &str = include_str!("../../transforms/package-cache-flags/recommends.toml");

#[derive(Debug, serde::Deserialize)]
struct RecommendsTable {
    package: Vec<Recommends>,
}

#[derive(Debug, serde::Deserialize)]
struct Recommends {
    names: Vec<String>,
    add: Vec<String>,
    #[allow(dead_code)]
    source: String,
}

fn recommends_table() -> &'static RecommendsTable {
    static TABLE: std::sync::OnceLock<RecommendsTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| toml::from_str(RECOMMENDS).expect("recommends.toml is valid"))
}

/// The package name of an `apt-get install` operand: `curl` for
/// `curl=7.88.1-10`, `curl/bookworm-backports` or `curl:amd64`.
fn package_name(operand: &str) -> &str {
    operand.split(['=', '/', ':']).next().unwrap_or(operand)
}

fn name_matches(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        Some((prefix, suffix)) => {
            name.len() > prefix.len() + suffix.len()
                && name.starts_with(prefix)
                && name.ends_with(suffix)
        }
        None => pattern == name,
    }
}

/// The packages `--no-install-recommends` would drop that builds rely on,
/// each with the package that recommends it, followed through the table;
/// none that the install already names.
fn recommends_builds_rely_on(operands: &[String]) -> Vec<(String, String)> {
    let installed: Vec<&str> = operands.iter().map(|o| package_name(o)).collect();
    let mut added: Vec<(String, String)> = Vec::new();
    let mut queue: Vec<String> = installed.iter().map(|name| name.to_string()).collect();
    while let Some(name) = queue.pop() {
        for entry in &recommends_table().package {
            if !entry
                .names
                .iter()
                .any(|pattern| name_matches(pattern, &name))
            {
                continue;
            }
            for addition in &entry.add {
                let known = installed.contains(&addition.as_str())
                    || added.iter().any(|(seen, _)| seen == addition);
                if !known {
                    added.push((addition.clone(), name.clone()));
                    queue.push(addition.clone());
                }
            }
        }
    }
    added.sort();
    added
}
