//! Differential behaviour tests of shell rewrites (issue 8, A.2): the
//! support code of `tests/shell_behaviour.rs`, which documents the method.
//!
//! - [`stage_steps`] reads a Dockerfile into, per stage, the steps that
//!   matter to its shell: RUN (shell form, heredoc scripts, exec form) and
//!   the ENV, ARG, WORKDIR, USER and SHELL between them.
//! - [`windows`] pairs the stages of the original and the rewrite and cuts
//!   each to the stretch that differs (the steps before it are the same on
//!   both sides, so only their configuration is carried in).
//! - [`compare`] runs both stretches with `sandbox`'s stubs, in dash and in
//!   bash, first as they are and then with each stubbed command failing in
//!   turn, and says where they part.
//! - [`normalise`] drops what a transform adds or removes on purpose, each
//!   rule narrow and explained.

pub mod generate;
pub mod sandbox;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use dockfix::config::Settings;
use dockfix::engine::{self, BuildContext, Context, Policy};
use dockfix::shell::{Script, ScriptSource};
use dockfix::syntax::{Dockerfile, Instruction, InstructionKind};
use dockfix::transforms;

use sandbox::{Failure, Invocation, Observation, RunCommand, RunStep, ShellVariant, Stubs};

/// Runs one transform on `text` (safe fixes only, or unsafe ones too), as
/// `tests/transform_cases.rs` does: in-process, with the build context
/// when there is one.
pub fn rewrite(
    text: &str,
    transform: &str,
    allow_unsafe: bool,
    path: Option<&Path>,
    context_dir: Option<&Path>,
) -> Result<String, String> {
    let transform = transforms::by_id(transform).ok_or("no such transform")?;
    let settings = Settings::default();
    let build_context = context_dir.map(BuildContext::new);
    let context = Context {
        path,
        build_context: build_context.as_ref(),
        settings: &settings,
        skips: None,
    };
    let policy = Policy {
        allow_unsafe,
        ..Policy::default()
    };
    engine::run(text, &[transform], &context, &policy)
        .map(|outcome| outcome.text)
        .map_err(|error| error.to_string())
}

/// What a RUN hands to its process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunBody {
    /// The shell-form text, or the script a heredoc RUN feeds the shell.
    Shell(String),
    Exec(Vec<String>),
}

/// A step of a stage that matters to the shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Run(RunBody),
    Env(Vec<(String, String)>),
    Arg(Vec<(String, Option<String>)>),
    Workdir(String),
    User(String),
    Shell(Vec<String>),
}

/// What the build gives the next RUN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub env: BTreeMap<String, String>,
    pub workdir: String,
    pub user: Option<String>,
    /// None: `/bin/sh -c`.
    pub shell: Option<Vec<String>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            env: BTreeMap::new(),
            workdir: "/".to_string(),
            user: None,
            shell: None,
        }
    }
}

impl Config {
    fn apply(&mut self, step: &Step) {
        match step {
            Step::Run(_) => {}
            Step::Env(pairs) => {
                for (key, value) in pairs {
                    let value = expand(value, &self.env);
                    self.env.insert(key.clone(), value);
                }
            }
            Step::Arg(pairs) => {
                for (key, value) in pairs {
                    if let Some(value) = value {
                        let value = expand(value, &self.env);
                        self.env.entry(key.clone()).or_insert(value);
                    }
                }
            }
            Step::Workdir(path) => {
                let path = expand(path, &self.env);
                self.workdir = if path.starts_with('/') {
                    path
                } else {
                    format!("{}/{path}", self.workdir.trim_end_matches('/'))
                };
            }
            Step::User(user) => self.user = Some(user.clone()),
            Step::Shell(words) => self.shell = Some(words.clone()),
        }
    }

    fn run_step(&self, body: &RunBody) -> RunStep {
        RunStep {
            command: match body {
                RunBody::Shell(script) => RunCommand::Shell {
                    shell: self.shell.clone(),
                    script: script.clone(),
                },
                RunBody::Exec(words) => RunCommand::Exec(words.clone()),
            },
            env: self.env.clone(),
            workdir: self.workdir.clone(),
        }
    }
}

/// `$NAME` and `${NAME}` from `env` (BuildKit expands these in ENV, ARG and
/// WORKDIR); other forms are left as written, the same on both sides.
fn expand(value: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, used) = if let Some(braced) = after.strip_prefix('{') {
            match braced.find('}') {
                Some(end) if is_name(&braced[..end]) => (&braced[..end], end + 2),
                _ => ("", 0),
            }
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], end)
        };
        if name.is_empty() {
            out.push('$');
            rest = after;
        } else {
            out.push_str(env.get(name).map_or("", String::as_str));
            rest = &after[used..];
        }
    }
    out.push_str(rest);
    out
}

fn is_name(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A stage's steps, and the stage it builds on when it names one.
#[derive(Debug, Clone)]
pub struct StageSteps {
    pub name: Option<String>,
    pub base: String,
    pub steps: Vec<Step>,
}

pub fn stage_steps(text: &str) -> Vec<StageSteps> {
    let file = Dockerfile::parse(text);
    let escape = file.escape();
    file.stages()
        .iter()
        .map(|stage| StageSteps {
            name: stage.name(),
            base: stage
                .from
                .as_from()
                .and_then(|from| from.image())
                .map(|(image, _)| image.to_ascii_lowercase())
                .unwrap_or_default(),
            steps: stage
                .body
                .iter()
                .filter(|instruction| !instruction.is_error())
                .filter_map(|instruction| step(instruction, escape))
                .collect(),
        })
        .collect()
}

fn step(instruction: &Instruction, escape: char) -> Option<Step> {
    Some(match instruction.kind() {
        InstructionKind::Run => Step::Run(run_body(instruction)),
        InstructionKind::Env => Step::Env(
            instruction
                .key_values(escape)
                .into_iter()
                .map(|kv| (kv.key, kv.value.unwrap_or_default()))
                .collect(),
        ),
        InstructionKind::Arg => Step::Arg(
            instruction
                .key_values(escape)
                .into_iter()
                .map(|kv| (kv.key, kv.value))
                .collect(),
        ),
        InstructionKind::Workdir => Step::Workdir(instruction.args().trim().to_string()),
        InstructionKind::User => Step::User(instruction.args().trim().to_string()),
        InstructionKind::Shell => Step::Shell(instruction.json_args()?),
        _ => return None,
    })
}

/// A RUN's process input. A RUN that is only a heredoc (`RUN <<EOF`) runs
/// the heredoc as its script; BuildKit hands any other heredoc RUN to the
/// shell as the command line followed by the heredoc bodies and
/// terminators, so the shell reads them as here-documents.
fn run_body(run: &Instruction) -> RunBody {
    if let Some(words) = run.json_args() {
        return RunBody::Exec(words);
    }
    let args = run.args().to_string();
    let heredocs = run.heredocs();
    if heredocs.is_empty() {
        return RunBody::Shell(args);
    }
    let only_the_marker =
        args.trim().starts_with("<<") && !args.trim().contains(char::is_whitespace);
    if let [heredoc] = heredocs.as_slice()
        && only_the_marker
    {
        let body = if heredoc.marker.chomp {
            heredoc
                .body
                .lines()
                .map(|line| line.trim_start_matches('\t'))
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            heredoc.body.clone()
        };
        return RunBody::Shell(body);
    }
    let mut script = args;
    script.push('\n');
    for heredoc in &heredocs {
        script.push_str(&heredoc.body);
        if !heredoc.body.is_empty() && !heredoc.body.ends_with('\n') {
            script.push('\n');
        }
        script.push_str(&heredoc.marker.name);
        script.push('\n');
    }
    RunBody::Shell(script)
}

/// The stretch of one stage that a rewrite changed.
#[derive(Debug, Clone)]
pub struct Window {
    pub stage: usize,
    /// What the steps before the stretch (the same on both sides) set.
    pub start: Config,
    pub before: Vec<Step>,
    pub after: Vec<Step>,
}

/// Why a changed stage was not run.
#[derive(Debug, Clone)]
pub struct NotRun {
    pub reason: String,
}

/// The changed stretches of each stage, or why they cannot be compared.
pub fn windows(before: &str, after: &str) -> Result<Vec<Window>, NotRun> {
    let old = stage_steps(before);
    let new = stage_steps(after);
    if old.len() != new.len() {
        return Err(NotRun {
            reason: format!("the stages changed ({} became {})", old.len(), new.len()),
        });
    }
    let mut ends: Vec<(Option<String>, Config)> = Vec::new();
    let mut found = Vec::new();
    for (index, (old_stage, new_stage)) in old.iter().zip(&new).enumerate() {
        // A stage built on an earlier one starts with its configuration.
        let mut start = ends
            .iter()
            .find(|(name, _)| name.as_deref() == Some(old_stage.base.as_str()))
            .map(|(_, config)| config.clone())
            .unwrap_or_default();
        if old_stage.base != new_stage.base && old_stage.steps != new_stage.steps {
            // What a RUN added for a new base image (slim-base-image installs
            // what the slim variant lacks) cannot be judged without images.
            return Err(NotRun {
                reason: format!(
                    "stage {index}: the base image changed ({} became {}) and its steps with it",
                    old_stage.base, new_stage.base
                ),
            });
        }
        let (a, b) = (&old_stage.steps, &new_stage.steps);
        let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
        let mut end_config = start.clone();
        a.iter().for_each(|step| end_config.apply(step));
        ends.push((old_stage.name.clone(), end_config));
        if prefix == a.len() && prefix == b.len() {
            continue;
        }
        let max_suffix = a.len().min(b.len()) - prefix;
        let mut suffix = a
            .iter()
            .rev()
            .zip(b.iter().rev())
            .take(max_suffix)
            .take_while(|(x, y)| x == y)
            .count();
        for step in &a[..prefix] {
            start.apply(step);
        }
        // Keep the common tail only when the stretch leaves the same
        // configuration behind (else the tail would see different ones).
        let end_of = |steps: &[Step]| {
            let mut config = start.clone();
            steps.iter().for_each(|step| config.apply(step));
            config
        };
        if end_of(&a[prefix..a.len() - suffix]) != end_of(&b[prefix..b.len() - suffix]) {
            suffix = 0;
        }
        found.push(Window {
            stage: index,
            start,
            before: a[prefix..a.len() - suffix].to_vec(),
            after: b[prefix..b.len() - suffix].to_vec(),
        });
    }
    Ok(found)
}

/// The RUN steps of a stretch, with the configuration each sees, and the
/// configuration left at its end.
pub fn run_steps(start: &Config, steps: &[Step]) -> (Vec<RunStep>, Config) {
    let mut config = start.clone();
    let mut runs = Vec::new();
    for step in steps {
        match step {
            Step::Run(body) => runs.push(config.run_step(body)),
            _ => config.apply(step),
        }
    }
    (runs, config)
}

/// The scripts a stretch hands to a shell.
fn scripts(runs: &[RunStep]) -> impl Iterator<Item = &str> {
    runs.iter().filter_map(|run| match &run.command {
        RunCommand::Shell { script, .. } => Some(script.as_str()),
        RunCommand::Exec(_) => None,
    })
}

/// Command names the scripts run (for stubs), and any real program they
/// name by path (which the tests refuse to run).
pub fn command_names(runs: &[RunStep]) -> (BTreeSet<String>, Vec<String>) {
    let mut names = BTreeSet::new();
    let mut host_programs = Vec::new();
    for run in runs {
        if let RunCommand::Exec(words) = &run.command
            && let Some(first) = words.first()
        {
            names.insert(first.rsplit('/').next().unwrap_or(first).to_string());
        }
    }
    let mut note = |word: &str| {
        if word.contains('/') {
            let shell = matches!(
                word.rsplit('/').next(),
                Some("sh" | "bash" | "dash" | "ash")
            );
            if !shell && Path::new(word).is_file() {
                host_programs.push(word.to_string());
            }
        } else {
            names.insert(word.to_string());
        }
    };
    for script in scripts(runs) {
        match Script::parse(script, ScriptSource::ShellForm, &|i| i, &|i| i) {
            Ok(parsed) => {
                for (command, _) in parsed.simple_commands() {
                    if let Some(name) = command.name() {
                        note(&name);
                    }
                }
            }
            // Not analysable: any word that is a path to a real program
            // counts as one it may run.
            Err(_) => {
                for word in script.split(|c: char| c.is_whitespace() || ";&|()`'\"".contains(c)) {
                    if word.starts_with('/') {
                        note(word);
                    }
                }
            }
        }
    }
    (names, host_programs)
}

/// How hard to try: how many failure points to inject per stretch, and
/// whether in bash too (always in dash).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Effort {
    pub failures: usize,
    pub failures_in_bash: bool,
}

/// A stretch whose log is longer than this gets one failure point (the
/// corpus has RUN groups of a hundred commands).
const BIG_STRETCH: usize = 40;

/// Verdicts by stretch: the corpus repeats the same RUN groups across
/// versions of an image.
static VERDICTS: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<String, Verdict>>> =
    std::sync::LazyLock::new(Default::default);

/// [`compare`], once per distinct stretch.
pub fn compare_cached(window: &Window, effort: Effort) -> Verdict {
    let key = format!(
        "{:?}\u{0}{:?}\u{0}{:?}\u{0}{effort:?}",
        window.start, window.before, window.after
    );
    if let Some(verdict) = VERDICTS.lock().unwrap().get(&key) {
        return verdict.clone();
    }
    let verdict = compare(window, effort);
    VERDICTS.lock().unwrap().insert(key, verdict.clone());
    verdict
}

/// The outcome of comparing one stretch.
#[derive(Debug, Clone)]
pub enum Verdict {
    Same { runs: usize },
    Differs(String),
    NotRun(String),
}

/// Runs both sides of `window` and compares them.
pub fn compare(window: &Window, effort: Effort) -> Verdict {
    let (before, before_end) = run_steps(&window.start, &window.before);
    let (after, after_end) = run_steps(&window.start, &window.after);
    if let Some(shell) = before
        .iter()
        .chain(&after)
        .find_map(|run| match &run.command {
            RunCommand::Shell {
                shell: Some(shell), ..
            } if !dockfix::shell::is_posix_shell(Some(shell)) => Some(shell.join(" ")),
            _ => None,
        })
    {
        return Verdict::NotRun(format!("SHELL {shell} is not a POSIX shell"));
    }
    let (mut names, mut host) = command_names(&before);
    let (more_names, more_host) = command_names(&after);
    names.extend(more_names);
    host.extend(more_host);
    if let Some(program) = host.first() {
        return Verdict::NotRun(format!("runs the host's {program} by path"));
    }
    let mut report = String::new();
    if before_end != after_end {
        report.push_str(&format!(
            "the configuration after the stretch differs: {before_end:?} became {after_end:?}\n"
        ));
    }
    let mut stubs = Stubs::new(names.iter().map(String::as_str));
    stubs.make_image_dirs(before.iter().chain(&after));
    let mut runs = 0;
    for variant in ShellVariant::ALL {
        let old = stubs.run(&before, variant, None);
        let new = stubs.run(&after, variant, None);
        runs += 2;
        if let Some(difference) = settled_difference(
            &stubs,
            (&before, &after),
            variant,
            None,
            (&old, &new),
            &mut runs,
        ) {
            report.push_str(&format!("{}: {difference}", variant.name()));
            break;
        }
        // The logs agree after normalisation (up to the order of pipeline
        // members), so the k-th run of a command on one side is its k-th
        // run on the other: fail the same logical command on both sides.
        let (old_points, new_points) = (kept(&old.log), kept(&new.log));
        let cap = match variant {
            ShellVariant::Bash if !effort.failures_in_bash => 0,
            _ if old_points.len() > BIG_STRETCH => effort.failures.min(1),
            _ => effort.failures,
        };
        for index in spread(old_points.len(), cap) {
            let entry = &old_points[index].1;
            let occurrence = old_points[..=index]
                .iter()
                .filter(|(_, e)| e == entry)
                .count();
            let Some(new_raw) = new_points
                .iter()
                .filter(|(_, e)| e == entry)
                .nth(occurrence - 1)
                .map(|(raw, _)| *raw)
            else {
                continue;
            };
            let (Some(fail_old), Some(fail_new)) = (
                failure_at(&old.log, old_points[index].0),
                failure_at(&new.log, new_raw),
            ) else {
                continue;
            };
            let old_failed = stubs.run(&before, variant, Some(&fail_old));
            let new_failed = stubs.run(&after, variant, Some(&fail_new));
            runs += 2;
            if let Some(difference) = settled_difference(
                &stubs,
                (&before, &after),
                variant,
                Some((&fail_old, &fail_new)),
                (&old_failed, &new_failed),
                &mut runs,
            ) {
                report.push_str(&format!(
                    "{} with `{}` failing: {difference}",
                    variant.name(),
                    entry.argv.join(" ")
                ));
                break;
            }
        }
        if !report.is_empty() {
            break;
        }
    }
    if report.is_empty() {
        Verdict::Same { runs }
    } else {
        Verdict::Differs(report)
    }
}

/// How often to re-run both sides when their logs differ only in order.
const ORDER_RETRIES: usize = 4;

/// The difference between two observations, unless it is only the order of
/// commands that ran at the same time (the members of a pipeline log in
/// whatever order the scheduler starts them): then both sides are run
/// again, and they agree if some order was seen on both.
fn settled_difference(
    stubs: &Stubs,
    (before, after): (&[RunStep], &[RunStep]),
    variant: ShellVariant,
    failures: Option<(&Failure, &Failure)>,
    (old, new): (&Observation, &Observation),
    runs: &mut usize,
) -> Option<String> {
    let found = difference(old, new)?;
    let sorted = |observation: &Observation| {
        let mut log: Vec<Invocation> = kept(&observation.log).into_iter().map(|(_, e)| e).collect();
        log.sort_by(|a, b| a.argv.cmp(&b.argv).then(a.cwd.cmp(&b.cwd)));
        log
    };
    if sorted(old) != sorted(new) {
        return Some(found);
    }
    let mut olds = vec![old.clone()];
    let mut news = vec![new.clone()];
    for _ in 0..ORDER_RETRIES {
        olds.push(stubs.run(before, variant, failures.map(|(f, _)| f)));
        news.push(stubs.run(after, variant, failures.map(|(_, f)| f)));
        *runs += 2;
        if olds
            .iter()
            .any(|o| news.iter().any(|n| difference(o, n).is_none()))
        {
            return None;
        }
    }
    Some(found)
}

fn kept_log(observation: &Observation) -> Vec<Invocation> {
    kept(&observation.log).into_iter().map(|(_, e)| e).collect()
}

/// How far a command may move in the log and still count as the same
/// order: the members of a pipeline start together and log in whatever
/// order the scheduler runs them.
const PIPELINE_SLACK: usize = 3;

/// The same commands, each at most [`PIPELINE_SLACK`] places from where
/// it was (and every other difference the same).
fn only_nearby_swaps(old: &[Invocation], new: &[Invocation]) -> bool {
    let mut used = vec![false; new.len()];
    old.iter().enumerate().all(|(index, entry)| {
        let low = index.saturating_sub(PIPELINE_SLACK);
        let high = (index + PIPELINE_SLACK + 1).min(new.len());
        match (low..high).find(|&j| !used[j] && new[j] == *entry) {
            Some(j) => {
                used[j] = true;
                true
            }
            None => false,
        }
    })
}

/// Invocation `raw` of `log` as a failure instruction: its words and how
/// many times they ran up to it. Words rather than the command name alone:
/// the members of a pipeline start in any order.
fn failure_at(log: &[Invocation], raw: usize) -> Option<Failure> {
    let argv = log.get(raw)?.argv.clone();
    let at = log[..=raw].iter().filter(|e| e.argv == argv).count();
    Some(Failure { argv, at })
}

/// Up to `cap` indices out of `0..len`, spread evenly.
fn spread(len: usize, cap: usize) -> Vec<usize> {
    if len <= cap {
        return (0..len).collect();
    }
    let mut indices: Vec<usize> = (0..cap).map(|i| i * len / cap).collect();
    indices.dedup();
    indices
}

/// Where two observations part, after normalisation; None when they agree.
fn difference(old: &Observation, new: &Observation) -> Option<String> {
    let (old_log, new_log) = (kept_log(old), kept_log(new));
    let same_order = old_log == new_log
        || (old_log.len() == new_log.len() && only_nearby_swaps(&old_log, &new_log));
    if !same_order {
        let at = old_log
            .iter()
            .zip(&new_log)
            .take_while(|(a, b)| a == b)
            .count();
        let show = |log: &[Invocation]| {
            log.get(at)
                .map_or("(nothing)".to_string(), Invocation::describe)
        };
        return Some(format!(
            "command {} differs:\n    before: {}\n    after:  {}\n",
            at + 1,
            show(&old_log),
            show(&new_log)
        ));
    }
    if old.success != new.success {
        let word = |ok: bool| if ok { "succeeds" } else { "fails" };
        return Some(format!(
            "the build {} before and {} after (same commands run)\n    stderr before: {}\n    stderr after:  {}\n",
            word(old.success),
            word(new.success),
            old.stderr.trim(),
            new.stderr.trim()
        ));
    }
    if old.files != new.files {
        let paths: BTreeSet<&String> = old.files.keys().chain(new.files.keys()).collect();
        let path = paths
            .into_iter()
            .find(|path| old.files.get(*path) != new.files.get(*path))?;
        return Some(format!(
            "files differ at /{path}:\n    before: {:?}\n    after:  {:?}\n",
            old.files.get(path),
            new.files.get(path)
        ));
    }
    if old.stdout != new.stdout {
        return Some(format!(
            "output differs:\n    before: {:?}\n    after:  {:?}\n",
            old.stdout, new.stdout
        ));
    }
    None
}

/// The log entries compared, normalised, with their raw indices.
fn kept(log: &[Invocation]) -> Vec<(usize, Invocation)> {
    log.iter()
        .enumerate()
        .filter(|(index, entry)| !is_intended(entry, &log[..*index]))
        .map(|(index, entry)| (index, normalise(entry)))
        .collect()
}

/// Commands a transform adds or removes on purpose. Each rule is as narrow
/// as the transform's own text; `earlier` is the log before `entry`.
fn is_intended(entry: &Invocation, earlier: &[Invocation]) -> bool {
    let argv: Vec<&str> = entry.argv.iter().map(String::as_str).collect();
    match argv.as_slice() {
        // cleanup-same-layer: the package manager's own cache cleanup, and
        // Go's build cache after the last go build of a stage that ships.
        ["apt-get" | "apt", "clean"] => true,
        ["go", "clean", "-cache"] => true,
        ["yum" | "dnf" | "microdnf", "clean", "all"] => true,
        ["zypper", "clean", "-a"] => true,
        // package-cache-flags: cache cleanup after an install.
        ["npm", "cache", "clean", "--force"]
        | ["npm", "cache", "clean", "--force", "--no-update-notifier"] => true,
        ["yarn", "cache", "clean"] => true,
        // cleanup-same-layer (unsafe) removes the apt lists in a RUN whose
        // lists a later install read, and gives that install its own
        // `apt-get update` (the first RUN's own spelling): a repeat of an
        // update that already ran, refreshing lists that were there.
        ["apt-get" | "apt", "update", ..]
            if earlier.iter().any(|e| {
                matches!(e.name(), "apt-get" | "apt")
                    && e.argv.get(1).map(String::as_str) == Some("update")
            }) =>
        {
            true
        }
        // package-cache-flags removes `apk update` when every `apk add`
        // gets --no-cache, which needs no index.
        ["apk", "update"] | ["apk", "update", "-q" | "--quiet"] => true,
        // cleanup-same-layer and package-cache-flags: removal of package
        // lists and caches (the glob may have expanded to the host's files).
        ["rm", flags, paths @ ..]
            if flags.starts_with('-')
                && !paths.is_empty()
                && paths.iter().all(|p| is_cache_path(p)) =>
        {
            true
        }
        // copy-chown moves `chown -R OWNER PATH` / `chmod -R MODE PATH` of
        // a copied path into the COPY (`--chown`, `--chmod`), which is not
        // run here, and drops the command or narrows it to the directory
        // itself (`chown OWNER PATH`). Only that plain form, one path.
        ["chown" | "chmod", "-R", setting, path] | ["chown" | "chmod", setting, path]
            if !setting.starts_with('-') && !path.starts_with('-') =>
        {
            true
        }
        // cleanup-same-layer: `rm -f FILE` of an archive that curl or wget
        // downloaded earlier in the log.
        ["rm", "-f", file] => earlier.iter().any(|e| {
            matches!(e.name(), "curl" | "wget")
                && e.argv[1..].iter().any(|arg| {
                    arg == file
                        || arg.rsplit('/').next() == Some(file)
                        || arg.ends_with(&format!("/{file}"))
                })
        }),
        // cleanup-same-layer: `rm` of temporary files (under /tmp, /var/tmp,
        // /usr/src, /root/.cache) that a download, clone, mkdir or unpack
        // earlier in the log made: moved from a later RUN into the one that
        // made them, or (unsafe) added there.
        ["rm", rest @ ..]
            if rest.iter().any(|w| !w.starts_with('-'))
                && rest.iter().filter(|w| !w.starts_with('-')).all(|path| {
                    is_temporary_path(path)
                        && earlier.iter().any(|e| {
                            matches!(
                                e.name(),
                                "curl" | "wget" | "git" | "mkdir" | "tar" | "unzip"
                            ) && e.argv[1..].iter().any(|arg| arg == path)
                        })
                }) =>
        {
            true
        }
        _ => false,
    }
}

/// Where builds and downloads leave temporary files.
fn is_temporary_path(path: &str) -> bool {
    ["/tmp/", "/var/tmp/", "/usr/src/", "/root/.cache/"]
        .iter()
        .any(|root| path.len() > root.len() && path.starts_with(root))
}

/// Directories cleanup transforms empty.
fn is_cache_path(path: &str) -> bool {
    [
        "/var/lib/apt/lists",
        "/var/cache/apt",
        "/var/cache/apk",
        "/var/cache/yum",
        "/var/cache/dnf",
        "/var/cache/zypp",
    ]
    .iter()
    .any(|dir| path == *dir || path.starts_with(&format!("{dir}/")))
}

/// Options a transform adds to an install, removed from both sides; also
/// when the install runs under a wrapper (`sudo apt-get`, `env X=1 pip`).
fn normalise(entry: &Invocation) -> Invocation {
    let position = if is_wrapper(entry.name()) {
        entry
            .argv
            .iter()
            .position(|word| !added_options(word).is_empty())
    } else {
        Some(0)
    };
    let Some(position) = position else {
        return entry.clone();
    };
    let added = added_options(&entry.argv[position]);
    let mut entry = entry.clone();
    let mut index = 0;
    entry.argv.retain(|word| {
        index += 1;
        index <= position + 1 || !added.contains(&word.as_str())
    });
    entry
}

fn is_wrapper(name: &str) -> bool {
    matches!(
        name,
        "sudo" | "env" | "nice" | "nohup" | "timeout" | "gosu" | "su-exec" | "xargs"
    )
}

/// The options package-cache-flags adds to this program's installs.
fn added_options(program: &str) -> &'static [&'static str] {
    let program = program.rsplit('/').next().unwrap_or(program);
    match program {
        // `apk add --no-cache`.
        "apk" => &["--no-cache"],
        // `pip install --no-cache-dir` (pip, pip3, pip3.12, python -m pip).
        _ if program.starts_with("pip") || program.starts_with("python") => &["--no-cache-dir"],
        // `apt-get install -y` (safe) and `--no-install-recommends` (unsafe).
        "apt-get" | "apt" => &["-y", "--no-install-recommends"],
        // `gem install --no-document`.
        "gem" => &["--no-document"],
        _ => &[],
    }
}

/// A checked-in list of differences the tests tolerate for now.
pub struct KnownDifferences {
    /// (transform, source) to the reason.
    pub entries: BTreeMap<(String, String), String>,
}

impl KnownDifferences {
    pub fn load() -> KnownDifferences {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/behaviour/known_differences.txt");
        let text = std::fs::read_to_string(&path).unwrap();
        let mut entries = BTreeMap::new();
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.splitn(3, char::is_whitespace);
            let (Some(transform), Some(source)) = (parts.next(), parts.next()) else {
                panic!("known_differences.txt: bad line {line:?}");
            };
            let reason = parts.next().unwrap_or_default().trim().to_string();
            entries.insert((transform.to_string(), source.to_string()), reason);
        }
        KnownDifferences { entries }
    }

    /// Entries whose source starts with `prefix` (`case:`, `corpus:`, `proptest`).
    pub fn with_prefix(&self, prefix: &str) -> BTreeSet<(String, String)> {
        self.entries
            .keys()
            .filter(|(_, source)| source.starts_with(prefix))
            .cloned()
            .collect()
    }
}

/// One rewrite to check: where it comes from and both texts.
#[derive(Debug, Clone)]
pub struct Rewrite {
    pub transform: &'static str,
    /// `case:<transform>/<name>` or `corpus:<path>`.
    pub source: String,
    pub allow_unsafe: bool,
    pub before: String,
    pub after: String,
}

/// What checking a rewrite found.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    pub windows: usize,
    pub runs: usize,
    pub differences: Vec<String>,
    pub not_run: Vec<String>,
}

pub fn check(rewrite: &Rewrite, effort: Effort) -> Findings {
    let mut findings = Findings::default();
    let found = match windows(&rewrite.before, &rewrite.after) {
        Ok(found) => found,
        Err(not_run) => {
            findings.not_run.push(not_run.reason);
            return findings;
        }
    };
    for window in &found {
        findings.windows += 1;
        match compare_cached(window, effort) {
            Verdict::Same { runs } => findings.runs += runs,
            Verdict::Differs(report) => findings.differences.push(format!(
                "stage {}:\n{}\n  {}",
                window.stage,
                describe_window(window),
                report.trim_end().replace('\n', "\n  ")
            )),
            Verdict::NotRun(reason) => findings
                .not_run
                .push(format!("stage {}: {reason}", window.stage)),
        }
    }
    findings
}

fn describe_window(window: &Window) -> String {
    let show = |steps: &[Step]| {
        steps
            .iter()
            .map(|step| match step {
                Step::Run(RunBody::Shell(script)) => format!(
                    "      RUN {}",
                    script.trim_end().replace('\n', "\n          ")
                ),
                Step::Run(RunBody::Exec(words)) => format!("      RUN {words:?}"),
                other => format!("      {other:?}"),
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    format!(
        "    before:\n{}\n    after:\n{}",
        show(&window.before),
        show(&window.after)
    )
}

/// The cases under `transforms/<id>/cases/`: (transform, name, Dockerfile,
/// build context folder when the case is one).
pub fn cases() -> Vec<(&'static str, String, PathBuf, Option<PathBuf>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("transforms");
    let mut found = Vec::new();
    for transform in transforms::all() {
        let Ok(entries) = std::fs::read_dir(root.join(transform.id()).join("cases")) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|entry| entry.path()).collect();
        paths.sort();
        for path in paths {
            let file_name = path.file_name().unwrap().to_string_lossy().to_string();
            if path.join("Dockerfile").is_file() {
                found.push((
                    transform.id(),
                    file_name,
                    path.join("Dockerfile"),
                    Some(path),
                ));
            } else if let Some(name) = file_name.strip_suffix(".Dockerfile") {
                found.push((transform.id(), name.to_string(), path, None));
            }
        }
    }
    found
}

/// The corpus's Dockerfiles (relative name, path), or None when absent.
pub fn corpus() -> Option<Vec<(String, PathBuf)>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !root.is_dir() {
        return None;
    }
    let mut files = Vec::new();
    let mut pending = vec![root.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "Dockerfile") {
                let name = path.strip_prefix(&root).unwrap().display().to_string();
                files.push((name, path));
            }
        }
    }
    files.sort();
    Some(files)
}

/// A temporary copy of a case folder, with the paths its
/// `CONTEXT_FILES.txt` lists created empty (as `tests/transform_cases.rs`
/// does: paths such as `.git/HEAD` cannot live in this repository).
pub fn materialise(folder: &Path) -> tempfile::TempDir {
    fn copy_dir(from: &Path, to: &Path) {
        for entry in std::fs::read_dir(from).unwrap().flatten() {
            let target = to.join(entry.file_name());
            if entry.path().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
                copy_dir(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy_dir(folder, dir.path());
    let listing = dir.path().join("CONTEXT_FILES.txt");
    if let Ok(text) = std::fs::read_to_string(&listing) {
        for relative in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let path = dir.path().join(relative);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            if !path.exists() {
                std::fs::write(&path, "").unwrap();
            }
        }
        std::fs::remove_file(listing).unwrap();
    }
    dir
}

/// `work` applied to every item on as many threads as there are cores,
/// results in input order.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(index) else {
                            break done;
                        };
                        done.push((index, work(item)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap())
            .collect()
    });
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}
