#![doc = include_str!("../../transforms/cleanup-same-layer/README.md")]

use std::cell::OnceCell;

use std::rc::Rc;

use crate::engine::{Context, Edit, Fix, ImageEffect, Safety, Transform};
use crate::paths::last_component;
use crate::shell::invocations::Invocation;
use crate::shell::packages::{self, Manager, PackageCommand};
use crate::shell::{AndOr, Command, Script, ScriptSource, SimpleCommand, Terminator, Word};
use crate::syntax::image_ref::ImageRef;
use crate::syntax::memo::MemoMap;
use crate::syntax::{Dockerfile, Instruction, InstructionKind, Stage};
use crate::transforms::package_index::{self, Index, IndexNeed};
use crate::transforms::run_body;
use crate::transforms::workdir::{self, Dir};

mod temporary_files;

pub struct CleanupSameLayer;

const ID: &str = "cleanup-same-layer";

impl Transform for CleanupSameLayer {
    fn id(&self) -> &'static str {
        ID
    }

    fn summary(&self) -> &'static str {
        "Remove package lists, caches and downloaded archives in the RUN that created them"
    }

    fn safety(&self) -> Safety {
        Safety::Safe
    }

    fn some_fixes_unsafe(&self) -> bool {
        true
    }

    fn docs(&self) -> &'static str {
        include_str!("../../transforms/cleanup-same-layer/README.md")
    }

    fn edits_shell(&self) -> bool {
        true
    }

    fn fixes(&self, file: &Dockerfile, context: &Context) -> Vec<Fix> {
        let text = file.text();
        let stages = file.stages();
        let mut fixes = Vec::new();
        for stage in &stages {
            for (index, run) in stage.body.iter().enumerate() {
                if run.kind() != InstructionKind::Run || run.is_error() {
                    continue;
                }
                // Read only when a fix is in sight (most RUNs have none).
                let cache_targets = OnceCell::new();
                let scripts = Script::all_of_run(file, run);
                for script in &scripts {
                    let site = Site {
                        context,
                        all_scripts: &scripts,
                        file,
                        stage,
                        index,
                        run,
                        script,
                        text,
                        cache_targets: &cache_targets,
                    };
                    fixes.extend(apt_lists(&site, &stages));
                    fixes.extend(rpm_and_zypper_caches(&site, &stages));
                    fixes.extend(downloaded_archives(&site, &stages));
                    fixes.extend(temporary_files::temporary_files(&site, &stages));
                    fixes.extend(temporary_files::go_build_cache(&site, &stages));
                }
            }
        }
        fixes
    }
}

/// One script of one `RUN`, with what the checks need around it.
struct Site<'a> {
    context: &'a Context<'a>,
    /// Every script of the `RUN` (shell form and heredocs).
    all_scripts: &'a [Rc<Script>],
    file: &'a Dockerfile,
    stage: &'a Stage,
    /// Position of the `RUN` in the stage body.
    index: usize,
    run: &'a Instruction,
    script: &'a Script,
    text: &'a str,
    /// The RUN's cache mount targets, read on first use.
    cache_targets: &'a OnceCell<Vec<String>>,
}

impl Site<'_> {
    /// True when any script of the `RUN` (shell form or heredoc) runs a
    /// simple command that `matches`.
    fn runs_any(&self, matches: impl Fn(&SimpleCommand) -> bool) -> bool {
        self.all_scripts.iter().any(|script| {
            script
                .simple_commands()
                .iter()
                .any(|(command, _)| matches(command))
        })
    }

    fn cache_mounted(&self, paths: &[&str]) -> bool {
        let targets = self.cache_targets.get_or_init(|| {
            self.run
                .as_run()
                .map(|r| r.cache_targets())
                .unwrap_or_default()
        });
        targets.iter().any(|target| {
            let target = target.trim_end_matches('/');
            paths
                .iter()
                .any(|path| path.starts_with(target) || target.starts_with(path))
        })
    }

    fn skip(&self, at: usize, reason: impl Into<String>) {
        self.context.skip(ID, at, reason);
    }

    fn append(&self, command: &str) -> Option<Edit> {
        let shell = self.file.shell_at(self.run);
        let edit = run_body::append_command(
            self.run,
            self.script,
            command,
            self.text,
            self.file.escape(),
            &shell,
        );
        if edit.is_none()
            && let Some(why) = run_body::why_nothing_can_follow(self.script, &shell)
        {
            self.skip(
                self.script.range.start,
                format!("`{command}` is not appended: {why}"),
            );
        }
        edit
    }
}

/// Everything built after a `RUN`: the rest of its stage, then every stage
/// built `FROM` it (directly or not).
struct Later<'a> {
    instructions: Vec<&'a Instruction>,
    /// Names of the stage and the stages built from it (for `COPY --from`).
    stage_names: Vec<String>,
}

impl<'a> Later<'a> {
    fn new(stages: &'a [Stage], stage: &'a Stage, index: usize) -> Self {
        let mut instructions: Vec<&Instruction> = stage.body[index + 1..].iter().collect();
        let mut family = vec![stage.index];
        for candidate in stages.iter().filter(|s| s.index > stage.index) {
            let base = candidate
                .from
                .as_from()
                .and_then(|from| from.image())
                .map(|(image, _)| image.to_ascii_lowercase());
            let built_from_family = stages
                .iter()
                .filter(|s| family.contains(&s.index))
                .any(|s| s.name().is_some() && s.name() == base);
            if built_from_family {
                family.push(candidate.index);
                instructions.extend(candidate.body.iter());
            }
        }
        let stage_names = stages
            .iter()
            .filter(|s| family.contains(&s.index))
            .flat_map(|s| [s.index.to_string()].into_iter().chain(s.name()))
            .collect();
        // `COPY --from` of the family in any later stage reads its files.
        for other in stages.iter().filter(|s| s.index > stage.index) {
            instructions.extend(other.body.iter().filter(|instruction| {
                instruction
                    .as_copy()
                    .and_then(|copy| copy.from_stage())
                    .is_some()
            }));
        }
        Self {
            instructions,
            stage_names,
        }
    }
}

fn scripts_of(file: &Dockerfile, run: &Instruction) -> Option<Vec<Rc<Script>>> {
    let scripts = Script::all_of_run(file, run);
    (!scripts.is_empty()).then_some(scripts)
}

fn literal_words(command: &SimpleCommand) -> Vec<String> {
    literal_texts(command)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// [`literal_words`] without copying, for the checks that only compare
/// them: each word's literal text, or as written when it expands.
fn literal_texts(command: &SimpleCommand) -> Vec<&str> {
    command.words.iter().map(literal_or_raw).collect()
}

fn literal_or_raw(word: &Word) -> &str {
    word.literal_str().unwrap_or(&word.raw)
}

/// `rm` of a path under one of `prefixes`.
fn removes_under(command: &SimpleCommand, prefixes: &[&str]) -> bool {
    let words = literal_words(command);
    words.first().is_some_and(|name| name == "rm")
        && words[1..]
            .iter()
            .any(|arg| prefixes.iter().any(|prefix| arg.starts_with(prefix)))
}

// ---- apt lists ----

fn is_apt(command: &PackageCommand) -> bool {
    command.manager == Manager::Apt
}

fn apt_sub<'a>(command: &'a PackageCommand) -> &'a str {
    command.subcommand.unwrap_or_default()
}

/// Wrappers that run the package manager as another user.
const USER_CHANGING_WRAPPERS: &[&str] = &[
    "sudo",
    "su",
    "doas",
    "gosu",
    "su-exec",
    "runuser",
    "setpriv",
    "chpst",
    "s6-setuidgid",
];

/// True when the appended cleanup would run as root: no package command of
/// the script goes through `sudo` & co., and no non-root `USER` is in force
/// (a cleanup run as another user fails on root-owned files).
fn cleanup_runs_as_root(site: &Site, stages: &[Stage]) -> bool {
    let wrapped = packages::package_commands(site.script)
        .iter()
        .any(|command| {
            command.command.words[..]
                .iter()
                .take_while(|word| word.range != command.program_word.range)
                .filter_map(|word| word.literal())
                .any(|word| {
                    let program = last_component(&word);
                    USER_CHANGING_WRAPPERS.contains(&program)
                })
        });
    if wrapped {
        return false;
    }
    let users = site.file.derived(UsersBefore::default);
    let mut user = None;
    for ancestor in ancestry(stages, site.stage) {
        let end = if ancestor.index == site.stage.index {
            site.index
        } else {
            ancestor.body.len()
        };
        if let Some(set) = users.before(ancestor, end) {
            user = Some(set);
        }
    }
    user.is_none_or(|user| {
        let name = user.split(':').next().unwrap_or_default().trim();
        matches!(name, "root" | "0")
    })
}

/// The image at the root of the stage's `FROM` chain, when it is not one
/// the base-image map knows (the official Debian and Ubuntu images and the
/// language images built on them, which all carry Debian's docker-clean
/// apt hook): `scratch` with a root filesystem added, a distribution
/// made with debootstrap, a private base.
fn base_without_known_clean_hook(site: &Site, stages: &[Stage]) -> Option<String> {
    let root = ancestry(stages, site.stage).first().copied()?;
    let (image, _) = root.from.as_from()?.image()?;
    let reference = ImageRef::parse(&image);
    if reference.has_variables() {
        return None;
    }
    let map = site.context.settings.base_images();
    let known = map.lookup(&reference).is_some()
        || matches!(reference.repository().as_str(), "debian" | "ubuntu");
    (!known).then_some(image)
}

/// True when every apt command of the script runs as `sudo apt-get ...`:
/// `sudo` first, with no options of its own (`-u`, `-E`, ... would change
/// whom or how the cleanup runs).
fn apt_runs_through_plain_sudo(script: &Script) -> bool {
    let apt: Vec<PackageCommand> = packages::package_commands(script)
        .into_iter()
        .filter(|command| command.manager == Manager::Apt)
        .collect();
    !apt.is_empty()
        && apt.iter().all(|command| {
            let before: Vec<String> = command.command.words[..]
                .iter()
                .take_while(|word| word.range != command.program_word.range)
                .filter_map(|word| word.literal())
                .collect();
            before == ["sudo"]
        })
}

/// The `USER` a stage's own body sets before each position, worked out
/// once per stage and parse (every apt `RUN` asks).
#[derive(Default)]
struct UsersBefore(MemoMap<usize, Rc<Vec<Option<Rc<str>>>>>);

impl UsersBefore {
    /// The arguments of the last `USER` in `stage.body[..end]`.
    fn before(&self, stage: &Stage, end: usize) -> Option<Rc<str>> {
        let users = self.0.get_or_compute(stage.index, || {
            let mut users = Vec::with_capacity(stage.body.len() + 1);
            let mut user: Option<Rc<str>> = None;
            users.push(None);
            for instruction in &stage.body {
                if instruction.kind() == InstructionKind::User {
                    user = Some(instruction.args().into());
                }
                users.push(user.clone());
            }
            Rc::new(users)
        });
        users[end].clone()
    }
}

/// The stage and the stages it is built `FROM`, oldest first.
fn ancestry<'s>(stages: &'s [Stage], stage: &'s Stage) -> Vec<&'s Stage> {
    let mut chain = stage.lineage(stages);
    chain.reverse();
    chain
}

fn apt_lists(site: &Site, stages: &[Stage]) -> Option<Fix> {
    let commands = packages::package_commands(site.script);
    let updates = commands.iter().any(|c| is_apt(c) && apt_sub(c) == "update");
    let installs = commands
        .iter()
        .any(|c| is_apt(c) && apt_sub(c) == "install");
    if !(updates || installs) {
        return None;
    }
    let at = site.script.range.start;
    // Any script of the RUN that already removes the lists, in any form.
    let cleaned = site.runs_any(removes_apt_lists);
    if cleaned {
        // The lists are removed already; an `apt-get update` alone in an
        // earlier RUN can still join the install.
        if !installs || updates {
            return None;
        }
        let (update_run, update_text) = separate_update(site)?;
        let prepend = run_body::prepend_command(site.script, &update_text)?;
        return Some(Fix::safe(
            format!("pull `{update_text}` into the RUN that installs"),
            vec![Edit::delete(update_run.range()), prepend],
        ));
    }
    if site.cache_mounted(&["/var/lib/apt/lists", "/var/lib/apt"]) {
        site.skip(at, "the apt lists are in a cache mount, not in the layer");
        return None;
    }
    // Under a non-root USER, apt that runs through a plain `sudo` can have
    // its lists removed through `sudo` too; unsafe, since sudoers may allow
    // that user apt-get and nothing else.
    let through_sudo = !cleanup_runs_as_root(site, stages);
    if through_sudo && !apt_runs_through_plain_sudo(site.script) {
        site.skip(
            at,
            "apt runs through sudo (with options) or another wrapper, or as a non-root USER without sudo: the cleanup could not delete root's files",
        );
        return None;
    }
    let need = package_index::needed_after(
        site.file,
        stages,
        site.stage,
        site.index,
        Index::AptLists,
        site.context,
    );
    let mut safe = !through_sudo;
    let mut reader_refresh = None;
    match need {
        IndexNeed::Unneeded => {}
        IndexNeed::Needed {
            what,
            at: reader_at,
        } => {
            let refresh = if through_sudo {
                Err("; apt runs through sudo here".to_string())
            } else {
                refresh_in_reader(site, stages, reader_at, installs)
            };
            match refresh {
                Ok(refresh) => {
                    reader_refresh = Some((refresh, what));
                    safe = false;
                }
                Err(why) => {
                    site.skip(
                        at,
                        format!("the apt lists are still needed later: {what} reads them before any `apt-get update`{why}"),
                    );
                    return None;
                }
            }
        }
        IndexNeed::Unknown { what, .. } => {
            site.skip(
                at,
                format!("removing the apt lists is unsafe: a later step {what} (it may install with apt)"),
            );
            safe = false;
        }
    }
    let mut edits = Vec::new();
    const REMOVE_LISTS: &str =
        "remove the apt package lists in the same RUN (`rm -rf /var/lib/apt/lists/*`)";
    let mut message = REMOVE_LISTS.to_string();
    let mut cleanup = REMOVE_LISTS_COMMAND.to_string();
    if let Some((cleanup_run, carried)) = later_cleanup_only_run(site, Manager::Apt) {
        edits.push(Edit::delete(cleanup_run.range()));
        message = carry_message(&carried, REMOVE_LISTS_COMMAND, &message);
        cleanup = carry(carried, REMOVE_LISTS_COMMAND, |script| {
            script
                .simple_commands()
                .iter()
                .any(|(command, _)| removes_apt_lists(command))
        });
    }
    let cleans_archives = site.all_scripts.iter().any(|script| {
        packages::package_commands(script)
            .iter()
            .any(|c| is_apt(c) && apt_sub(c) == "clean")
    });
    if !through_sudo
        && installs
        && !cleans_archives
        && let Some(image) = base_without_known_clean_hook(site, stages)
    {
        // Debian's and Ubuntu's official images (and every image the map
        // knows, all built on them) delete downloaded .deb files through
        // the docker-clean apt hook; on another base they stay in
        // /var/cache/apt/archives. `apt-get clean` is harmless where the
        // hook exists.
        cleanup = format!("apt-get clean && {cleanup}");
        message = format!(
            "{message}, and the downloaded .deb files (`apt-get clean`: {image} is not known to have Debian's docker-clean apt hook)"
        );
    }
    if through_sudo {
        cleanup = format!("sudo {REMOVE_LISTS_COMMAND}");
        message = format!(
            "{message} through sudo, as apt runs (unsafe: sudoers may let this user run apt-get and nothing else)"
        );
    }
    edits.insert(0, site.append(&cleanup)?);
    if let Some((refresh, what)) = reader_refresh {
        // The lists removed here are fetched again by the later RUN that
        // reads them. Unsafe: that install then reads lists fetched at its
        // own build time, not the ones this RUN fetched (a cached layer can
        // be months older), so it can get newer package versions; and it
        // needs the network once more.
        let line = line_number(site.text, refresh.reader.range().start);
        edits.push(refresh.prepend);
        message = format!(
            "{message}, and add `{}` to the RUN on line {line}, whose {what} reads them (unsafe: that install then reads freshly fetched lists and may get newer package versions)",
            refresh.update
        );
    }
    if installs
        && !updates
        && let Some((update_run, update_text)) = separate_update(site)
        && let Some(prepend) = run_body::prepend_command(site.script, &update_text)
    {
        edits.push(Edit::delete(update_run.range()));
        edits.push(prepend);
        message = format!("pull `{update_text}` into the RUN that installs, and {message}");
    }
    Some(if safe {
        Fix::safe(message, edits)
    } else {
        Fix::unsafe_(message, edits)
    })
}

const REMOVE_LISTS_COMMAND: &str = "rm -rf /var/lib/apt/lists/*";

/// The later `RUN` that reads the lists this one leaves, made to fetch its
/// own: `apt-get update && ` before it (issue 12, item 10).
struct ReaderRefresh<'s> {
    reader: &'s Instruction,
    update: String,
    prepend: Edit,
}

/// Whether the later `RUN` holding the command at `reader_at` can run its
/// own `apt-get update`, so this one can remove its lists; `Err` carries
/// the reason (joined to the skip message) when it cannot.
fn refresh_in_reader<'s>(
    site: &Site<'s>,
    stages: &[Stage],
    reader_at: usize,
    installs: bool,
) -> Result<ReaderRefresh<'s>, String> {
    // A RUN that only updates is pulled into the install instead (see
    // `separate_update`), which keeps one update where there was one.
    if !installs {
        return Err(String::new());
    }
    let Some((offset, reader)) = site.stage.body[site.index + 1..]
        .iter()
        .enumerate()
        .find(|(_, i)| i.range().contains(&reader_at))
    else {
        return Err("; it is in another stage or an `ONBUILD`".into());
    };
    let reader_index = site.index + 1 + offset;
    if reader.kind() != InstructionKind::Run {
        return Err(String::new());
    }
    if !reader.flags().is_empty() {
        return Err("; that RUN has flags (`--mount`, `--network`), so an `apt-get update` is not added to it".into());
    }
    let scripts = Script::all_of_run(site.file, reader);
    let [script] = scripts.as_slice() else {
        return Err("; that RUN is in exec form or has several scripts".into());
    };
    let cannot_prepend = "; that RUN is not one `&&` chain, so a failing `apt-get update` added to it would not stop it";
    let reader_site = Site {
        context: site.context,
        all_scripts: &scripts,
        file: site.file,
        stage: site.stage,
        index: reader_index,
        run: reader,
        script,
        text: site.text,
        cache_targets: &OnceCell::from(Vec::new()),
    };
    if !cleanup_runs_as_root(&reader_site, stages) {
        return Err("; that RUN runs apt through a wrapper or as a non-root USER".into());
    }
    let update = own_update_command(site.script).unwrap_or_else(|| "apt-get update".to_string());
    for (position, instruction) in site.stage.body[site.index + 1..reader_index]
        .iter()
        .enumerate()
    {
        if let Some(reason) =
            changes_apt_inputs(site, site.index + 1 + position, instruction, &update)
        {
            return Err(format!(
                "; an `apt-get update` in that RUN would fetch with what the {} on line {} changes: {reason}",
                instruction.keyword().to_uppercase(),
                line_number(site.text, instruction.range().start)
            ));
        }
    }
    // RUNs with nothing else between are merge-runs' to join, which keeps
    // one update for both: better than a second update here.
    if site.stage.body[site.index + 1..reader_index]
        .iter()
        .all(|i| i.kind() == InstructionKind::Run)
    {
        return Err("; merge-runs can join the RUNs between into one, which needs no second `apt-get update`".into());
    }
    let prepend = run_body::prepend_command(script, &update).ok_or(cannot_prepend)?;
    Ok(ReaderRefresh {
        reader,
        update,
        prepend,
    })
}

/// The script's own `apt-get update` as written (`apt-get update -qq`), when
/// it is plain words without assignments or redirections.
fn own_update_command(script: &Script) -> Option<String> {
    packages::package_commands(script)
        .iter()
        .find(|c| is_apt(c) && apt_sub(c) == "update")
        .filter(|c| c.command.assignments.is_empty() && c.command.redirects.is_empty())
        .and_then(|c| {
            let words = literal_words(c.command);
            (words.first().is_some_and(|w| w == "apt-get" || w == "apt")).then(|| words.join(" "))
        })
}

fn line_number(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// The cleanup to append when a later cleanup-only `RUN` is moved in: its
/// commands, then `default` unless they already do what it does.
fn carry(carried: String, default: &str, covers: impl Fn(&Script) -> bool) -> String {
    if default.contains(&carried) {
        return default.to_string();
    }
    let parsed = Script::parse(&carried, ScriptSource::ShellForm, &|i| i, &|i| i);
    if parsed.is_ok_and(|script| covers(&script)) {
        carried
    } else {
        format!("{carried} && {default}")
    }
}

fn carry_message(carried: &str, default: &str, message: &str) -> String {
    if default.contains(carried) {
        format!("{message}; the later RUN that only did that is removed")
    } else {
        format!("{message}, with the later RUN's `{carried}` (that RUN is removed)")
    }
}

/// An `rm` of the apt lists (or of a directory holding them), or a `find`
/// that deletes in them: `rm -rf /var/lib/apt/lists/*`, `rm -fr
/// /var/lib/apt/lists`, `rm -rf /var/lib/apt`, `find /var/lib/apt/lists
/// -type f -delete`.
fn removes_apt_lists(command: &SimpleCommand) -> bool {
    const LISTS: &str = "/var/lib/apt/lists";
    let mut words = literal_words(command);
    // `sudo rm -rf /var/lib/apt/lists/*` removes them as well.
    if words.first().is_some_and(|w| w == "sudo") {
        words.remove(0);
    }
    let Some(program) = words.first().map(|w| last_component(w)) else {
        return false;
    };
    let covers = |path: &str| {
        let path = path.trim_end_matches(['/', '*']);
        !path.is_empty() && (path.starts_with(LISTS) || LISTS.starts_with(&format!("{path}/")))
    };
    match program {
        "rm" => words[1..]
            .iter()
            .any(|arg| !arg.starts_with('-') && covers(arg)),
        "find" => {
            words[1..].iter().any(|arg| covers(arg))
                && words.iter().any(|w| w == "-delete" || w == "-exec")
        }
        _ => false,
    }
}

/// An earlier `RUN` of the stage that only runs `apt-get update`, when it
/// can be pulled into this one: nothing between uses apt, and this `RUN` is
/// a single `&&` chain (so a failed update still stops the build).
fn separate_update<'s>(site: &Site<'s>) -> Option<(&'s Instruction, String)> {
    if site.script.source != ScriptSource::ShellForm
        || site.script.lists.len() != 1
        || site.script.has_top_level_or()
    {
        return None;
    }
    let mut between: Vec<&Instruction> = Vec::new();
    for earlier in site.stage.body[..site.index].iter().rev() {
        if earlier.kind() != InstructionKind::Run {
            between.push(earlier);
            continue;
        }
        let scripts = scripts_of(site.file, earlier)?;
        let commands: Vec<(&SimpleCommand, _)> =
            scripts.iter().flat_map(|s| s.simple_commands()).collect();
        let invocations = package_index::run_invocations(site.file, earlier, &|_| None)?;
        let uses_apt = invocations.iter().any(|invocation| match invocation {
            Invocation::Package { manager, .. } => *manager == Manager::Apt,
            Invocation::Opaque { .. } => false,
        });
        if !uses_apt {
            between.push(earlier);
            continue;
        }
        let [(command, _)] = commands.as_slice() else {
            return None;
        };
        let package = packages::package_command(command, Default::default())?;
        if earlier.flags().is_empty()
            && scripts.len() == 1
            && apt_sub(&package) == "update"
            && command.redirects.is_empty()
        {
            let text = command
                .assignments
                .iter()
                .chain(&command.words)
                .map(|w| w.raw.as_ref())
                .collect::<Vec<_>>()
                .join(" ");
            // Moving the update past an instruction that changes what it
            // fetches (sources, keys, proxies) would make it fetch
            // something else.
            for instruction in between.iter().rev() {
                let position = site
                    .stage
                    .body
                    .iter()
                    .position(|i| i == *instruction)
                    .unwrap_or(site.index);
                if let Some(reason) = changes_apt_inputs(site, position, instruction, &text) {
                    site.skip(
                        instruction.range().start,
                        format!(
                            "`{text}` is not pulled past this {} into the RUN that installs: {reason}",
                            instruction.keyword().to_uppercase()
                        ),
                    );
                    return None;
                }
            }
            return Some((earlier, text));
        }
        return None;
    }
    None
}

/// Where apt reads what `apt-get update` fetches and how: sources, keys,
/// configuration, certificates for https mirrors.
const APT_INPUTS: &[&str] = &[
    "/etc/apt",
    "/usr/share/keyrings",
    "/etc/ssl",
    "/usr/local/share/ca-certificates",
    "/usr/share/ca-certificates",
    "/etc/ca-certificates",
];

/// Words in a `RUN` that may change what `apt-get update` fetches.
const APT_INPUT_WORDS: &[&str] = &[
    "/etc/apt",
    "apt-key",
    "add-apt-repository",
    "keyring",
    "sources.list",
    "gpg",
    "/etc/ssl",
    "ca-certificates",
    "proxy",
    "Acquire",
    "debconf",
];

/// Why `apt-get update` (its command text `update`) run after `instruction`
/// (at `position` in the stage) could fetch something else than before it;
/// `None` when it cannot.
fn changes_apt_inputs(
    site: &Site,
    position: usize,
    instruction: &Instruction,
    update: &str,
) -> Option<String> {
    let line_of = |what: &str| what.to_string();
    match instruction.kind() {
        InstructionKind::Env | InstructionKind::Arg => {
            let keys: Vec<String> = if instruction.kind() == InstructionKind::Env {
                instruction
                    .key_values(site.file.escape())
                    .into_iter()
                    .map(|pair| pair.key)
                    .collect()
            } else {
                instruction
                    .args()
                    .split_whitespace()
                    .map(|word| word.split('=').next().unwrap_or_default().to_string())
                    .collect()
            };
            keys.into_iter().find_map(|key| {
                let lower = key.to_ascii_lowercase();
                let proxy = lower.ends_with("_proxy");
                let apt = lower.starts_with("apt_");
                let used =
                    update.contains(&format!("${key}")) || update.contains(&format!("${{{key}"));
                (proxy || apt || used).then(|| line_of(&format!("it sets `{key}`, which apt uses")))
            })
        }
        InstructionKind::User => Some(line_of("it changes the user")),
        InstructionKind::Copy | InstructionKind::Add => {
            let copy = instruction.as_copy()?;
            let destination = copy.destination()?;
            let dir = workdir::workdir_before(site.stage, position).join(&destination);
            let path = match dir {
                Dir::Known(path) => path,
                // The image's own working directory, `/` in the images
                // this applies to.
                Dir::Inherited(path) => format!("/{path}"),
                Dir::Unknown => return Some(line_of("it copies to a path dockfix cannot read")),
            };
            let path = path.trim_end_matches('/');
            let touches = APT_INPUTS.iter().any(|input| {
                path.is_empty()
                    || path == *input
                    || input.starts_with(&format!("{path}/"))
                    || path.starts_with(&format!("{input}/"))
            });
            touches.then(|| {
                line_of(&format!(
                    "it copies into `{}`, where apt reads its sources, keys or certificates",
                    if path.is_empty() { "/" } else { path }
                ))
            })
        }
        InstructionKind::Run => {
            let mut text = instruction.logical().text().to_string();
            for heredoc in instruction.heredocs() {
                text.push_str(&heredoc.body);
            }
            if let Some(word) = APT_INPUT_WORDS.iter().find(|word| text.contains(*word)) {
                return Some(line_of(&format!(
                    "it mentions `{word}`, which may change apt's sources, keys or proxy"
                )));
            }
            let invocations = package_index::run_invocations(site.file, instruction, &|_| None);
            match invocations.as_deref() {
                None => Some(line_of("dockfix cannot read it")),
                Some(found) => found.iter().find_map(|invocation| match invocation {
                    Invocation::Opaque { what, .. } => {
                        Some(format!("it {what}, which may change apt's sources"))
                    }
                    _ => None,
                }),
            }
        }
        _ => None,
    }
}

/// The manager's own clean command (`yum clean all`), not an `rm` of its
/// cache.
fn cleans_with_the_manager(command: &SimpleCommand, manager: Manager) -> bool {
    is_cleanup_command(command, manager) && command.words.first().map(literal_or_raw) != Some("rm")
}

/// Cleanup commands after each package manager, by what they remove.
fn is_cleanup_command(command: &SimpleCommand, manager: Manager) -> bool {
    let words = literal_texts(command);
    match manager {
        Manager::Apt => {
            matches!(words.as_slice(), ["apt-get" | "apt", "clean" | "autoclean"])
                || (words.first() == Some(&"rm")
                    && words[1..].iter().any(|w| !w.starts_with('-'))
                    && words[1..].iter().filter(|w| !w.starts_with('-')).all(|w| {
                        w.starts_with("/var/lib/apt/lists") || w.starts_with("/var/cache/apt")
                    }))
        }
        Manager::Yum | Manager::Dnf | Manager::Microdnf => {
            matches!(
                words.as_slice(),
                ["yum" | "dnf" | "microdnf", "clean", "all"]
            ) || (words.first() == Some(&"rm")
                && words[1..].iter().any(|w| !w.starts_with('-'))
                && words[1..]
                    .iter()
                    .filter(|w| !w.starts_with('-'))
                    .all(|w| w.starts_with("/var/cache/yum") || w.starts_with("/var/cache/dnf")))
        }
        Manager::Zypper => matches!(words.as_slice(), ["zypper", "clean" | "cc", ..]),
        _ => false,
    }
}

/// A later `RUN` of the stage that does nothing but clean up after
/// `manager`, with no `RUN` in between that uses the package manager (or
/// runs something dockfix cannot see into), and its commands as one shell
/// command to carry into the installing `RUN` (so `apt-get clean` is moved,
/// not lost).
fn later_cleanup_only_run<'s>(
    site: &Site<'s>,
    manager: Manager,
) -> Option<(&'s Instruction, String)> {
    for later in site.stage.body[site.index + 1..].iter() {
        if later.kind() != InstructionKind::Run {
            continue;
        }
        let scripts = scripts_of(site.file, later)?;
        let commands: Vec<&SimpleCommand> = scripts
            .iter()
            .flat_map(|s| s.simple_commands())
            .map(|(c, _)| c)
            .collect();
        if !commands.is_empty()
            && later.flags().is_empty()
            && commands.iter().all(|c| is_cleanup_command(c, manager))
        {
            let [script] = scripts.as_slice() else {
                return None;
            };
            return Some((later, carried_text(script)?));
        }
        let invocations = package_index::run_invocations(site.file, later, &|_| None)?;
        let touches_manager = invocations.iter().any(|invocation| match invocation {
            Invocation::Package { manager: used, .. } => same_family(*used, manager),
            Invocation::Opaque { .. } => true,
        });
        if touches_manager {
            return None;
        }
    }
    None
}

/// A script of simple commands as one command to join with `&&`: `a && b`
/// as it is, `a; b` as `{ a; b; }` (so a failing `a` still does not stop
/// `b`, and the exit status is `b`'s as before). `None` when a command has
/// redirections or the script has other shapes.
fn carried_text(script: &Script) -> Option<String> {
    let mut lists = Vec::new();
    for list in &script.lists {
        if list.terminator == Terminator::Background {
            return None;
        }
        let mut text = String::new();
        for (index, pipeline) in list.pipelines.iter().enumerate() {
            let [Command::Simple(simple)] = pipeline.commands.as_slice() else {
                return None;
            };
            if pipeline.negated || !simple.redirects.is_empty() {
                return None;
            }
            if index > 0 {
                text.push_str(match list.operators[index - 1] {
                    AndOr::And => " && ",
                    AndOr::Or => " || ",
                });
            }
            let words: Vec<&str> = simple
                .assignments
                .iter()
                .chain(&simple.words)
                .map(|word| word.raw.as_ref())
                .collect();
            text.push_str(&words.join(" "));
        }
        lists.push((text, list.operators.contains(&AndOr::Or)));
    }
    match lists.as_slice() {
        [] => None,
        [(text, false)] => Some(text.clone()),
        _ => Some(format!(
            "{{ {}; }}",
            lists
                .iter()
                .map(|(text, _)| text.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        )),
    }
}

fn same_family(a: Manager, b: Manager) -> bool {
    let family = |m: Manager| match m {
        Manager::Yum | Manager::Dnf | Manager::Microdnf => Manager::Yum,
        other => other,
    };
    family(a) == family(b)
}

// ---- yum, dnf, microdnf, zypper ----

fn rpm_and_zypper_caches(site: &Site, stages: &[Stage]) -> Vec<Fix> {
    let commands = packages::package_commands(site.script);
    // Most RUNs run none of these managers: known before the stage's
    // users are looked up.
    let rpm_or_zypper = |manager| {
        matches!(
            manager,
            Manager::Yum | Manager::Dnf | Manager::Microdnf | Manager::Zypper
        )
    };
    if !commands.iter().any(|c| rpm_or_zypper(c.manager)) || !cleanup_runs_as_root(site, stages) {
        return Vec::new();
    }
    let simple = site.script.simple_commands();
    let mut fixes = Vec::new();
    for (manager, cleanup, cache_paths) in [
        (
            Manager::Yum,
            "yum clean all && rm -rf /var/cache/yum",
            &["/var/cache/yum"][..],
        ),
        (
            Manager::Dnf,
            "dnf clean all",
            &["/var/cache/dnf", "/var/cache/yum"][..],
        ),
        (
            Manager::Microdnf,
            "microdnf clean all",
            &["/var/cache/yum", "/var/cache/dnf"][..],
        ),
        (Manager::Zypper, "zypper clean -a", &["/var/cache/zypp"][..]),
    ] {
        let installs = commands.iter().any(|c| {
            c.manager == manager
                && matches!(
                    c.subcommand,
                    Some(
                        "install"
                            | "in"
                            | "groupinstall"
                            | "localinstall"
                            | "update"
                            | "up"
                            | "upgrade"
                            | "reinstall"
                            | "refresh"
                            | "ref"
                            | "patch"
                            | "dist-upgrade"
                            | "dup"
                    )
                )
        });
        let cleaned = simple.iter().any(|(command, _)| {
            cleans_with_the_manager(command, manager) || removes_under(command, cache_paths)
        });
        if !installs || cleaned || site.cache_mounted(cache_paths) {
            continue;
        }
        let mut edits = Vec::new();
        let mut message = format!("clean the package cache in the same RUN (`{cleanup}`)");
        let mut appended = cleanup.to_string();
        if let Some((cleanup_run, carried)) = later_cleanup_only_run(site, manager) {
            edits.push(Edit::delete(cleanup_run.range()));
            message = carry_message(&carried, cleanup, &message);
            appended = carry(carried, cleanup, |script| {
                script
                    .simple_commands()
                    .iter()
                    .any(|(command, _)| cleans_with_the_manager(command, manager))
            });
        }
        let Some(edit) = site.append(&appended) else {
            continue;
        };
        edits.insert(0, edit);
        fixes.push(Fix::safe(message, edits));
    }
    fixes
}

// ---- downloaded archives ----

/// The file a `curl` or `wget` command writes, when it is a literal name.
fn downloaded_file(command: &SimpleCommand) -> Option<String> {
    // Asked of every command: tell curl and wget apart from the rest first.
    let name = command.words.first()?.literal_str()?;
    if !matches!(last_component(name), "curl" | "wget") {
        return None;
    }
    let words = command
        .words
        .iter()
        .map(|word| word.literal())
        .collect::<Option<Vec<String>>>()?;
    let program = last_component(words.first()?).to_string();
    let args = &words[1..];
    let url = args.iter().find(|arg| {
        arg.starts_with("http://") || arg.starts_with("https://") || arg.starts_with("ftp://")
    })?;
    let remote_name = || {
        let path = url.split(['?', '#']).next()?;
        let name = last_component(path);
        (!name.is_empty() && path.matches('/').count() > 2).then(|| name.to_string())
    };
    let mut iter = args.iter().peekable();
    match program.as_str() {
        "curl" => {
            let mut remote = false;
            while let Some(arg) = iter.next() {
                if arg == "--output" {
                    return iter.next().cloned().filter(|f| f != "-");
                }
                if let Some(file) = arg.strip_prefix("--output=") {
                    return (file != "-").then(|| file.to_string());
                }
                if arg == "--remote-name" || arg == "--remote-name-all" {
                    remote = true;
                } else if arg.starts_with('-') && !arg.starts_with("--") {
                    let letters = &arg[1..];
                    if letters.contains('J') {
                        return None;
                    }
                    if let Some(at) = letters.find('o') {
                        let rest = &letters[at + 1..];
                        return if rest.is_empty() {
                            iter.next().cloned().filter(|f| f != "-")
                        } else {
                            (rest != "-").then(|| rest.to_string())
                        };
                    }
                    if letters.contains('O') {
                        remote = true;
                    }
                }
            }
            if remote { remote_name() } else { None }
        }
        "wget" => {
            let mut prefix = None;
            while let Some(arg) = iter.next() {
                if arg == "--output-document" {
                    return iter.next().cloned().filter(|f| f != "-");
                }
                if let Some(file) = arg.strip_prefix("--output-document=") {
                    return (file != "-").then(|| file.to_string());
                }
                if arg == "-P" || arg == "--directory-prefix" {
                    prefix = iter.next().cloned();
                    continue;
                }
                if arg.starts_with('-') && !arg.starts_with("--") {
                    let letters = &arg[1..];
                    if let Some(at) = letters.find('O') {
                        let rest = &letters[at + 1..];
                        return if rest.is_empty() {
                            iter.next().cloned().filter(|f| f != "-")
                        } else {
                            (rest != "-").then(|| rest.to_string())
                        };
                    }
                }
            }
            let name = remote_name()?;
            Some(match prefix {
                Some(dir) => format!("{}/{name}", dir.trim_end_matches('/')),
                None => name,
            })
        }
        _ => None,
    }
}

/// True when tar's arguments ask it to extract (`-x`, `x` in an old-style
/// or dashed cluster, `--extract`, `--get`).
fn extracts(args: &[String]) -> bool {
    let is_cluster = |text: &str| !text.is_empty() && text.chars().all(|c| c.is_ascii_alphabetic());
    let old_style = args
        .first()
        .is_some_and(|first| is_cluster(first) && first.contains('x'));
    old_style
        || args.iter().any(|arg| {
            matches!(arg.as_str(), "--extract" | "--get")
                || arg
                    .strip_prefix('-')
                    .is_some_and(|cluster| is_cluster(cluster) && cluster.contains('x'))
        })
}

/// True when `command` unpacks or installs from `file`.
fn consumes(command: &SimpleCommand, file: &str) -> bool {
    let Some(words) = command
        .words
        .iter()
        .map(|w| w.literal())
        .collect::<Option<Vec<String>>>()
    else {
        return false;
    };
    let Some(program) = words.first().map(|p| last_component(p)) else {
        return false;
    };
    let args = &words[1..];
    match program {
        // Listing (`tar -t`, `unzip -l`) or running a downloaded script does
        // not consume the file: it may be meant to stay.
        "tar" if !extracts(args) => false,
        "tar" => {
            args.windows(2).any(|pair| {
                let flags = pair[0].trim_start_matches('-');
                (pair[0] == "--file" || (!pair[0].starts_with("--") && flags.ends_with('f')))
                    && pair[1] == file
            }) || args.iter().any(|arg| {
                arg.strip_prefix("--file=") == Some(file) || arg.strip_prefix("-f") == Some(file)
            })
        }
        "unzip" => {
            !args
                .iter()
                .any(|a| matches!(a.as_str(), "-l" | "-v" | "-t" | "-Z" | "-z"))
                && args.iter().any(|arg| arg == file)
        }
        "dpkg" => {
            args.iter().any(|a| a == "-i" || a == "--install") && args.iter().any(|a| a == file)
        }
        "rpm" => {
            args.iter()
                .any(|a| a.starts_with("-i") || a.starts_with("-U"))
                && args.iter().any(|a| a == file)
        }
        _ => false,
    }
}

fn downloaded_archives(site: &Site, stages: &[Stage]) -> Vec<Fix> {
    let commands: Vec<&SimpleCommand> = site
        .script
        .simple_commands()
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    let changes_directory: Vec<usize> = site
        .script
        .state_changes()
        .iter()
        .filter(|change| matches!(change.command.as_str(), "cd" | "pushd" | "popd"))
        .map(|change| change.range.start)
        .collect();
    let mut fixes = Vec::new();
    // Listed only for a RUN that downloads something: most do not, and
    // listing everything after every RUN made time grow with the square
    // of the file's length.
    let mut later: Option<Later> = None;
    for (position, command) in commands.iter().enumerate() {
        let Some(file) = downloaded_file(command) else {
            continue;
        };
        let later = later.get_or_insert_with(|| Later::new(stages, site.stage, site.index));
        let consumed = commands[position + 1..].iter().any(|c| consumes(c, &file));
        let removed = commands[position + 1..].iter().any(|c| {
            let words = literal_words(c);
            words.first().is_some_and(|w| w == "rm")
                && words[1..].iter().any(|arg| {
                    arg == &file || file.starts_with(&format!("{}/", arg.trim_end_matches('/')))
                })
        });
        let relative_and_moved =
            !file.starts_with('/') && changes_directory.iter().any(|&at| at > command.range.start);
        let base = last_component(&file).to_string();
        // Named, or matched by a glob (`CMD java -jar /opt/*.jar`), by
        // anything built later: it would be gone.
        let mentioned_later = later.instructions.iter().any(|instruction| {
            let mut text = instruction.logical().text().to_string();
            for heredoc in instruction.heredocs() {
                text.push_str(&heredoc.body);
            }
            refers_to(&text, &base)
        });
        // In the same RUN, a command other than the ones that only read it
        // (`ln -s`, a config line written with `echo`, a program run with
        // it) may keep a reference to it.
        let referenced_after = commands[position + 1..].iter().any(|c| {
            !consumes(c, &file)
                && !only_reads(c)
                && c.words.iter().any(|word| refers_to(&word.raw, &base))
        });
        let copied_from = later.instructions.iter().any(|instruction| {
            instruction
                .as_copy()
                .and_then(|copy| copy.from_stage())
                .is_some_and(|from| later.stage_names.contains(&from.to_ascii_lowercase()))
        });
        if !consumed || removed || file.contains(['*', '?', ' ']) {
            continue;
        }
        let kept_because = if relative_and_moved {
            Some(
                "the RUN changes directory after downloading it, so its relative name may point elsewhere",
            )
        } else if mentioned_later {
            Some("a later instruction names it or has a glob that could match it")
        } else if referenced_after {
            Some(
                "a later command of the RUN may keep a reference to it (a link, a config line, a program run with it)",
            )
        } else if copied_from {
            Some("a later stage copies from this one")
        } else {
            None
        };
        if let Some(reason) = kept_because {
            site.skip(
                command.range.start,
                format!("the downloaded `{file}` is kept: {reason}"),
            );
            continue;
        }
        if let Some(edit) = site.append(&format!("rm -f {file}")) {
            let mut fix = Fix::safe(
                format!(
                    "remove the downloaded `{file}` in the RUN that unpacked it (it would stay in the layer)"
                ),
                vec![edit],
            );
            // A relative name is under the RUN's working directory when no
            // `cd` comes before the download (none comes after: see above).
            let moved_before = changes_directory.iter().any(|&at| at < command.range.start);
            let path = match workdir::workdir_before(site.stage, site.index) {
                _ if file.starts_with('/') => Some(file.clone()),
                Dir::Known(dir) if !moved_before => {
                    Some(format!("{}/{file}", dir.trim_end_matches('/')))
                }
                _ => None,
            };
            if let Some(path) = path {
                fix = fix.with_effect(ImageEffect::Removes(path));
            }
            fixes.push(fix);
        }
        break;
    }
    fixes
}

/// Commands that read a file, or move it, without leaving anything that
/// points to it.
fn only_reads(command: &SimpleCommand) -> bool {
    let Some(program) = command.program() else {
        return false;
    };
    matches!(
        program,
        "rm" | "sha1sum"
            | "sha256sum"
            | "sha512sum"
            | "md5sum"
            | "gpg"
            | "gpgv"
            | "cp"
            | "mv"
            | "ls"
            | "file"
            | "chmod"
            | "chown"
            | "test"
            | "["
            | "echo"
            | "printf"
    ) && !(matches!(program, "echo" | "printf")
        && command
            .redirects
            .iter()
            .any(|target| !target.raw.starts_with('&')))
}

/// True when `text` names `base` or has a glob word that could match it.
fn refers_to(text: &str, base: &str) -> bool {
    if text.contains(base) {
        return true;
    }
    text.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '"' | '\'' | ',' | '=' | ':' | ';' | '&' | '|' | '(' | ')'
            )
    })
    .filter(|token| token.contains(['*', '?']))
    .any(|token| {
        let last = last_component(token.trim_end_matches(']'));
        let last = if last.is_empty() { "*" } else { last };
        glob_matches(last.as_bytes(), base.as_bytes())
    })
}

/// Shell glob matching of one path component: `*`, `?`, and `[...]` taken
/// as any one character (so it can only match more).
fn glob_matches(pattern: &[u8], name: &[u8]) -> bool {
    match (pattern.first(), name.first()) {
        (None, None) => true,
        (Some(b'*'), _) => {
            glob_matches(&pattern[1..], name)
                || (!name.is_empty() && glob_matches(pattern, &name[1..]))
        }
        (Some(b'['), Some(_)) => match pattern.iter().position(|&c| c == b']') {
            Some(end) => glob_matches(&pattern[end + 1..], &name[1..]),
            None => pattern[0] == name[0] && glob_matches(&pattern[1..], &name[1..]),
        },
        (Some(b'?'), Some(_)) => glob_matches(&pattern[1..], &name[1..]),
        (Some(p), Some(n)) => p == n && glob_matches(&pattern[1..], &name[1..]),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_by_name_or_glob() {
        assert!(refers_to("CMD java -jar /opt/*.jar", "app.jar"));
        assert!(refers_to(
            "CMD [\"java\", \"-jar\", \"/opt/app-*.jar\"]",
            "app-1.2.jar"
        ));
        assert!(refers_to("COPY --from=build /opt/* /srv/", "app.zip"));
        assert!(refers_to("RUN ln -s /tmp/app.jar /app.jar", "app.jar"));
        assert!(!refers_to("CMD java -jar /opt/*.war", "app.jar"));
        assert!(!refers_to("RUN echo done", "app.jar"));
        assert!(glob_matches(b"app-[0-9]*.tgz", b"app-1.2.tgz"));
    }

    fn first_command(body: &str) -> SimpleCommand {
        let text = format!("FROM a\nRUN {body}\n");
        let file = Dockerfile::parse(&text);
        let run = file.instructions().nth(1).unwrap();
        let script = Script::of_run(&file, &run).unwrap();
        script.simple_commands()[0].0.clone()
    }

    #[test]
    fn download_names() {
        let cases = [
            (
                "curl -fsSLo /tmp/x.tgz https://e.com/x.tgz",
                Some("/tmp/x.tgz"),
            ),
            ("curl -fsSL https://e.com/x.tgz -o x.tgz", Some("x.tgz")),
            ("curl --output=/t.zip https://e.com/a", Some("/t.zip")),
            (
                "curl -O https://e.com/dl/tool-1.2.tar.gz?sig=1",
                Some("tool-1.2.tar.gz"),
            ),
            ("curl -fsSL https://e.com/x.tgz", None),
            ("curl -o - https://e.com/x.tgz", None),
            ("curl -OJ https://e.com/download", None),
            (
                "wget https://e.com/releases/v1/tool.tar.gz",
                Some("tool.tar.gz"),
            ),
            ("wget -qO /tmp/a.zip https://e.com/a", Some("/tmp/a.zip")),
            ("wget -O- https://e.com/a", None),
            ("wget -P /opt https://e.com/a/b.deb", Some("/opt/b.deb")),
            ("wget https://e.com/", None),
            ("curl -o $FILE https://e.com/a", None),
        ];
        for (body, expected) in cases {
            assert_eq!(
                downloaded_file(&first_command(body)).as_deref(),
                expected,
                "{body}"
            );
        }
    }

    #[test]
    fn consumers() {
        assert!(consumes(
            &first_command("tar -xzf /tmp/x.tgz -C /opt"),
            "/tmp/x.tgz"
        ));
        assert!(consumes(&first_command("tar xf x.tar"), "x.tar"));
        assert!(consumes(&first_command("tar --file=x.tar -x"), "x.tar"));
        assert!(consumes(&first_command("unzip -q a.zip -d /opt"), "a.zip"));
        assert!(consumes(&first_command("dpkg -i b.deb"), "b.deb"));
        assert!(!consumes(&first_command("tar -tzf x.tgz"), "x.tgz"));
        assert!(consumes(&first_command("tar xzf x.tgz"), "x.tgz"));
        assert!(!consumes(&first_command("unzip -l a.zip"), "a.zip"));
        assert!(!consumes(&first_command("sh install.sh"), "install.sh"));
        assert!(!consumes(&first_command("sha256sum x.tar"), "x.tar"));
    }
}
