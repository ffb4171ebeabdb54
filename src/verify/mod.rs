//! `dockfix verify`: builds each Dockerfile as it is and as dockfix would
//! rewrite it, in the same build context, and compares the two images:
//! builds, size and layers, runtime config, filesystems, optionally a
//! smoke command (`--run`) and a rebuild after a source change
//! (`--rebuild`). The verdict says whether the rewrite is equivalent.
//!
//! - [`engine`]: the `docker` command line (builds, inspect, export, run).
//! - [`build_log`]: steps, cache hits and failures read from build logs.
//! - [`tree_diff`]: filesystems from `docker export`, their differences,
//!   and which paths are expected to differ.
//! - [`explain`]: differences a rewrite explains (a new base image, new
//!   `.dockerignore` lines).
//! - [`dpkg`]: the images' package databases, and the differences a new
//!   base image explains through them.
//! - [`config_diff`]: the images' runtime configuration compared.
//! - [`report`]: the verdict and the text and JSON output.

pub mod build_log;
pub mod config_diff;
pub mod context_copy;
pub mod dpkg;
pub mod engine;
pub mod explain;
mod interrupt;
pub mod report;
pub mod tree_diff;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, ValueEnum};
use sha2::{Digest, Sha256};

use crate::cli::{self, exit};
use crate::config::{Overrides, Settings};
use crate::context_files;
use crate::discovery::{self, Found};
use crate::engine::{ImageEffect, Outcome};
use engine::{BuildOptions, BuildOutcome, BuildRequest, Builder, Engine, ImageFiles};
use report::{BuildSummary, FileReport, FixSummary, RebuildComparison, RunComparison, Verdict};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum OutputFormat {
    #[default]
    Text,
    /// One JSON object per file, one per line.
    Json,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Dockerfiles or directories to search for them (default: `.`).
    pub paths: Vec<PathBuf>,
    /// Run only these transforms (comma-separated ids, `all` or `none`),
    /// as in a fix run.
    #[arg(long, value_delimiter = ',', value_name = "ID")]
    pub select: Vec<String>,
    /// Never run these transforms (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "ID")]
    pub ignore: Vec<String>,
    /// Also apply unsafe fixes.
    #[arg(long = "unsafe")]
    pub allow_unsafe: bool,
    /// The build context directory (default: the Dockerfile's directory).
    #[arg(long, value_name = "DIR")]
    pub context: Option<PathBuf>,
    /// Use this dockfix.toml instead of searching for one.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Networking mode for RUN steps of both builds (`docker build --network`);
    /// also used by `--run`.
    #[arg(long, value_name = "MODE")]
    pub network: Option<String>,
    /// A build argument for both builds (repeatable).
    #[arg(long = "build-arg", value_name = "NAME=VALUE")]
    pub build_args: Vec<String>,
    /// Build this stage of both Dockerfiles.
    #[arg(long, value_name = "STAGE")]
    pub target: Option<String>,
    /// Build (and run) for this platform.
    #[arg(long, value_name = "PLATFORM")]
    pub platform: Option<String>,
    /// Run CMD (split into words like a shell, no shell needed) in both
    /// images in place of their entrypoint, and compare exit code and output.
    #[arg(long, value_name = "CMD")]
    pub run: Option<String>,
    /// Stop a `--run` command after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub run_timeout: u64,
    /// Add a file to a copy of the context and rebuild both with the cache:
    /// steps cached and rebuild time before and after.
    #[arg(long)]
    pub rebuild: bool,
    /// Keep the images built (tagged dockfix-verify/ID:before and :after).
    #[arg(long)]
    pub keep_images: bool,
    /// `text` for people, `json` for one JSON object per file and line.
    #[arg(long, value_enum, default_value_t)]
    pub output_format: OutputFormat,
    /// Stream the build logs to standard error, and list every differing path.
    #[arg(long, short)]
    pub verbose: bool,
    /// No progress lines on standard error.
    #[arg(long, short)]
    pub quiet: bool,
}

impl VerifyArgs {
    fn overrides(&self) -> Overrides {
        Overrides {
            select: (!self.select.is_empty()).then(|| self.select.clone()),
            ignore: self.ignore.clone(),
            allow_unsafe: self.allow_unsafe,
        }
    }

    fn build_options(&self) -> BuildOptions {
        BuildOptions {
            network: self.network.clone(),
            build_args: self.build_args.clone(),
            target: self.target.clone(),
            platform: self.platform.clone(),
            no_cache: false,
        }
    }
}

/// Exit status: 0 when every file is `equivalent` or `unchanged`, 1 when
/// any is `different`, 2 when any could not be verified (an error, or an
/// original that does not build).
pub fn run(args: &VerifyArgs) -> Result<u8, String> {
    // Refuse unknown transform ids before touching the engine.
    cli::plan(&args.overrides().apply(Settings::default()))?;
    let run_argv = match &args.run {
        None => None,
        Some(command) => match shlex::split(command) {
            Some(argv) if !argv.is_empty() => Some(argv),
            _ => return Err(format!("--run: cannot split `{command}` into words")),
        },
    };
    let engine = Engine::connect()?;
    let progress = Progress {
        quiet: args.quiet,
        verbose: args.verbose,
    };
    if engine.builder == Builder::Legacy {
        progress.note(
            "BuildKit is not available through this docker CLI (no buildx plugin); \
             using the legacy builder, which cannot build heredocs or RUN --mount",
        );
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut verdicts = Vec::new();
    let discovered = cli::discover_files(&paths, args.config.as_deref(), args.overrides());
    for directory in &discovered.empty_directories {
        progress.note(&format!(
            "{}: no Dockerfile found",
            discovery::display(directory)
        ));
    }
    if discovered.found.is_empty() {
        return Err("no Dockerfile found: nothing to verify".into());
    }
    for found in discovered.found {
        let report = match found {
            Found::File(path) => {
                let verifier = Verifier {
                    engine: &engine,
                    args,
                    run_argv: run_argv.as_deref(),
                    progress: &progress,
                };
                verifier.verify(&path)
            }
            Found::Error(path, reason) => {
                let mut report = FileReport::new(discovery::display(&path));
                report.error = Some(reason);
                report.judge();
                report
            }
        };
        let mut out = std::io::stdout().lock();
        let _ = match args.output_format {
            OutputFormat::Json => writeln!(out, "{}", report.to_json_line()),
            OutputFormat::Text => write!(out, "{}", report.to_text(args.verbose)),
        };
        let _ = out.flush();
        verdicts.push(report.verdict);
    }
    Ok(exit_status(&verdicts))
}

fn exit_status(verdicts: &[Verdict]) -> u8 {
    if verdicts
        .iter()
        .any(|verdict| matches!(verdict, Verdict::Error | Verdict::BeforeFails))
    {
        exit::ERROR
    } else if verdicts.contains(&Verdict::Different) {
        exit::CHANGES
    } else {
        exit::CLEAN
    }
}

/// Progress lines on standard error: one per build step, or (`-v`) every
/// log line.
struct Progress {
    quiet: bool,
    verbose: bool,
}

impl Progress {
    fn note(&self, message: &str) {
        if !self.quiet {
            eprintln!("dockfix verify: {message}");
        }
    }

    fn build_line(&self, file: &str, which: &str, line: &str, new_step: Option<&str>) {
        if self.verbose {
            eprintln!("{file} {which}| {line}");
        } else if let Some(step) = new_step
            && !self.quiet
        {
            eprintln!("{file} {which}: {}", truncate(step, 100));
        }
    }
}

fn truncate(text: &str, width: usize) -> String {
    match text.char_indices().nth(width) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// Removes the images of one file when dropped, unless `--keep-images`.
struct Images<'a> {
    engine: &'a Engine,
    tags: Vec<String>,
    keep: bool,
}

impl Drop for Images<'_> {
    fn drop(&mut self) {
        if !self.keep {
            self.engine.remove_images(&self.tags);
        }
    }
}

struct Verifier<'a> {
    engine: &'a Engine,
    args: &'a VerifyArgs,
    run_argv: Option<&'a [String]>,
    progress: &'a Progress,
}

/// Where one file's images and temporary files go.
struct Workspace {
    /// Unique per file and run: names the images, containers and label.
    id: String,
    directory: tempfile::TempDir,
    context: PathBuf,
    /// The context of the rewrite's build: `context`, or a copy of it
    /// holding the changed `.dockerignore`.
    after_context: PathBuf,
    original_dockerfile: PathBuf,
    rewritten_dockerfile: PathBuf,
}

impl Workspace {
    fn tag(&self, which: &str) -> String {
        format!("dockfix-verify/{}:{which}", self.id)
    }

    fn label(&self) -> String {
        format!("{}={}", config_diff::OWN_LABEL_PREFIX, self.id)
    }
}

impl Verifier<'_> {
    fn verify(&self, path: &Path) -> FileReport {
        let display = discovery::display(path);
        let mut report = FileReport::new(display.clone());
        if let Err(error) = self.verify_into(path, &mut report) {
            report.error = Some(error);
        }
        report.judge();
        report
    }

    fn verify_into(&self, path: &Path, report: &mut FileReport) -> Result<(), String> {
        let args = self.args;
        let (original, outcome) = cli::fix_file(
            path,
            args.context.as_deref(),
            args.config.as_deref(),
            args.overrides(),
        )?;
        report.fixes = fix_summaries(&outcome);
        let context_edits = context_files::plan(
            outcome
                .context_changes
                .iter()
                .map(|(id, change)| (*id, change.clone()))
                .collect(),
        );
        if !outcome.changed(&original) && context_edits.is_empty() {
            report.fixes.clear();
            return Ok(());
        }
        let context = args
            .context
            .clone()
            .unwrap_or_else(|| cli::directory_of(path));
        let workspace = self.workspace(path, &context, &outcome, &context_edits)?;
        let _interrupt_guard = interrupt::watch(
            self.engine,
            &workspace.label(),
            workspace.directory.path(),
            args.keep_images,
        );
        let mut images = Images {
            engine: self.engine,
            tags: Vec::new(),
            keep: args.keep_images,
        };
        let label = workspace.label();
        let options = args.build_options();

        let before_tag = workspace.tag("before");
        let before = self.build(
            &report.path,
            "before",
            &workspace.context,
            &workspace.original_dockerfile,
            &before_tag,
            &label,
            &options,
        )?;
        images.tags.push(before_tag.clone());
        report.before = Some(summary(&before));
        if !before.succeeded {
            return Ok(());
        }
        let after_tag = workspace.tag("after");
        let after = self.build(
            &report.path,
            "after",
            &workspace.after_context,
            &workspace.rewritten_dockerfile,
            &after_tag,
            &label,
            &options,
        )?;
        images.tags.push(after_tag.clone());
        report.after = Some(summary(&after));
        if !after.succeeded {
            return Ok(());
        }

        let before_facts = self.engine.inspect(&before_tag)?;
        let after_facts = self.engine.inspect(&after_tag)?;
        for (build, facts) in [
            (&mut report.before, &before_facts),
            (&mut report.after, &after_facts),
        ] {
            if let Some(build) = build {
                build.size_bytes = facts.size_bytes;
                build.layers = facts.layers;
            }
        }
        report.config_changes = config_diff::diff(&before_facts.config, &after_facts.config);

        self.progress
            .note(&format!("{}: comparing filesystems", report.path));
        // The two exports overlap: each mostly waits for the engine's tar.
        let (before_files, after_files) = std::thread::scope(|scope| {
            let before = scope.spawn(|| self.engine.file_tree(&before_tag, &label));
            let after = self.engine.file_tree(&after_tag, &label);
            (before.join().expect("export thread"), after)
        });
        let (before_files, after_files) = (before_files?, after_files?);
        let mut files = tree_diff::diff(&before_files.tree, &after_files.tree);
        self.explain_by_base_image(
            report,
            &original,
            &outcome,
            &label,
            &mut files,
            (&before_files, &after_files),
        );
        explain_by_new_ignore(&outcome, args.target.as_deref(), &mut files);
        explain_by_fix_effects(&outcome, &mut files);
        report.expected_growth = expected_growth(&outcome, &workspace.context);
        self.explain_by_building_again(
            report,
            &workspace,
            &label,
            &mut images,
            &before_files.tree,
            &mut files,
        )?;
        report.totals = files.totals();
        report.only_before = files.only_before;
        report.only_after = files.only_after;
        report.changed = files.changed;

        if let (Some(argv), Some(command)) = (self.run_argv, &args.run) {
            report.run = Some(self.run_both(&workspace, argv, command, &before_tag, &after_tag)?);
        }
        if args.rebuild {
            report.rebuild =
                Some(self.rebuild_both(report, &workspace, &label, &options, &mut images)?);
        }
        if args.keep_images {
            self.progress.note(&format!(
                "{}: kept images {}",
                report.path,
                images.tags.join(" ")
            ));
        }
        Ok(())
    }

    /// When the rewrite gives the final stage another base image, exports
    /// both base images and marks as expected what differs between the
    /// final images just as it differs between the bases. A base image
    /// that cannot be exported leaves the differences unexpected.
    fn explain_by_base_image(
        &self,
        report: &FileReport,
        original: &str,
        outcome: &Outcome,
        label: &str,
        files: &mut tree_diff::TreeDiff,
        (before, after): (&ImageFiles, &ImageFiles),
    ) {
        let target = self.args.target.as_deref();
        let (Some(old_base), Some(new_base)) = (
            explain::final_base_image(original, target),
            explain::final_base_image(&outcome.text, target),
        ) else {
            return;
        };
        if old_base == new_base || !files.has_unexpected() {
            return;
        }
        self.progress.note(&format!(
            "{}: comparing base images {old_base} and {new_base}",
            report.path
        ));
        let (old_tree, new_tree) = std::thread::scope(|scope| {
            let old = scope.spawn(|| self.engine.file_tree(&old_base, label));
            let new = self.engine.file_tree(&new_base, label);
            (old.join().expect("export thread"), new)
        });
        match (old_tree, new_tree) {
            (Ok(old_base), Ok(new_base)) => {
                files.explain(|path, _| {
                    explain::from_base_image(
                        path,
                        &before.tree,
                        &after.tree,
                        &old_base.tree,
                        &new_base.tree,
                    )
                    .then_some(tree_diff::Reason::BaseImage)
                });
                let databases = dpkg::Databases {
                    before: &before.dpkg,
                    after: &after.dpkg,
                    old_base: &old_base.dpkg,
                    new_base: &new_base.dpkg,
                };
                files.explain(|path, change| databases.explain(path, change));
            }
            (Err(error), _) | (_, Err(error)) => self.progress.note(&format!(
                "{}: base image differences left unexpected: {error}",
                report.path
            )),
        }
    }

    /// When all that is left unexpected is file content (no path only in
    /// one image, no mode or owner change), builds the original once more
    /// without the cache: what differs between two builds of the same
    /// Dockerfile (a C extension compiled again, the pip `RECORD` that
    /// hashes it) is the build's own noise, not the rewrite's doing. Other
    /// differences skip the extra build: they make the verdict whatever
    /// the noise.
    fn explain_by_building_again(
        &self,
        report: &FileReport,
        workspace: &Workspace,
        label: &str,
        images: &mut Images,
        before_tree: &tree_diff::FileTree,
        files: &mut tree_diff::TreeDiff,
    ) -> Result<(), String> {
        let content_only = |changed: &tree_diff::ChangedPath| {
            changed
                .differences
                .iter()
                .all(|difference| matches!(*difference, "size" | "content"))
        };
        let unexpected_only_in = files
            .only_before
            .iter()
            .chain(&files.only_after)
            .any(|only| !only.expected);
        let unexpected_changed: Vec<&tree_diff::ChangedPath> = files
            .changed
            .iter()
            .filter(|changed| !changed.expected)
            .collect();
        if unexpected_only_in
            || unexpected_changed.is_empty()
            || !unexpected_changed
                .iter()
                .all(|changed| content_only(changed))
        {
            return Ok(());
        }
        let again_tag = workspace.tag("before-again");
        let options = BuildOptions {
            no_cache: true,
            ..self.args.build_options()
        };
        let again = self.build(
            &report.path,
            "before again (is the build reproducible?)",
            &workspace.context,
            &workspace.original_dockerfile,
            &again_tag,
            label,
            &options,
        )?;
        images.tags.push(again_tag.clone());
        if !again.succeeded {
            self.progress.note(&format!(
                "{}: the second build of the original failed; differences left unexpected",
                report.path
            ));
            return Ok(());
        }
        let again = self.engine.file_tree(&again_tag, label)?;
        files.explain(|path, change| {
            (change == tree_diff::Change::Changed && again.tree.get(path) != before_tree.get(path))
                .then_some(tree_diff::Reason::NotReproducible)
        });
        Ok(())
    }

    /// The rewritten Dockerfile goes to a temporary directory under the
    /// original's name (BuildKit reads `NAME.dockerignore` beside it, copied
    /// too); the context is shared unless `.dockerignore` changes.
    fn workspace(
        &self,
        path: &Path,
        context: &Path,
        outcome: &Outcome,
        context_edits: &[context_files::PlannedFile],
    ) -> Result<Workspace, String> {
        let directory = tempfile::Builder::new()
            .prefix("dockfix-verify-")
            .tempdir()
            .map_err(|error| format!("cannot make a temporary directory: {error}"))?;
        let file_name = path
            .file_name()
            .ok_or_else(|| "not a file name".to_string())?;
        let dockerfile_dir = directory.path().join("dockerfile");
        let rewritten = dockerfile_dir.join(file_name);
        let io = |error: std::io::Error| format!("cannot write temporary files: {error}");
        std::fs::create_dir(&dockerfile_dir).map_err(io)?;
        std::fs::write(&rewritten, &outcome.text).map_err(io)?;
        let own_ignore = format!("{}.dockerignore", file_name.to_string_lossy());
        let beside = cli::directory_of(path).join(&own_ignore);
        if beside.is_file() {
            std::fs::copy(&beside, dockerfile_dir.join(&own_ignore)).map_err(io)?;
        }
        let mut after_context = context.to_path_buf();
        if !context_edits.is_empty() {
            after_context = directory.path().join("after-context");
            context_copy::copy_tree(context, &after_context)
                .map_err(|error| format!("cannot copy the build context: {error}"))?;
            for edit in context_edits {
                let relative = relative_to(&edit.path, context).ok_or_else(|| {
                    format!(
                        "{} is outside the build context {}",
                        edit.path.display(),
                        context.display()
                    )
                })?;
                context_copy::replace_file(&after_context.join(relative), &edit.text)
                    .map_err(io)?;
            }
        }
        Ok(Workspace {
            id: unique_id(path),
            directory,
            context: context.to_path_buf(),
            after_context,
            original_dockerfile: path.to_path_buf(),
            rewritten_dockerfile: rewritten,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn build(
        &self,
        file: &str,
        which: &str,
        context: &Path,
        dockerfile: &Path,
        tag: &str,
        label: &str,
        options: &BuildOptions,
    ) -> Result<BuildOutcome, String> {
        self.progress.note(&format!("{file}: building {which}"));
        let mut step_log = build_log::BuildLog::default();
        let outcome = self.engine.build(
            &BuildRequest {
                context,
                dockerfile,
                tag,
                label,
                options,
            },
            |line| {
                let step = step_log.push(line);
                self.progress.build_line(file, which, line, step.as_deref());
            },
        )?;
        let verdict = if outcome.succeeded { "built" } else { "FAILED" };
        self.progress.note(&format!(
            "{file}: {which} {verdict} in {:.1} s",
            outcome.seconds
        ));
        Ok(outcome)
    }

    fn run_both(
        &self,
        workspace: &Workspace,
        argv: &[String],
        command: &str,
        before_tag: &str,
        after_tag: &str,
    ) -> Result<RunComparison, String> {
        let limit = Duration::from_secs(self.args.run_timeout);
        let options = self.args.build_options();
        let name = |which: &str| format!("dockfix-verify-{}-{which}", workspace.id);
        let before = self
            .engine
            .run(before_tag, &name("before"), argv, &options, limit)?;
        let after = self
            .engine
            .run(after_tag, &name("after"), argv, &options, limit)?;
        Ok(RunComparison {
            command: command.to_string(),
            same: before == after && before.exit_code.is_some(),
            before_exit: before.exit_code,
            after_exit: after.exit_code,
            before_stdout: tail_text(&before.stdout),
            after_stdout: tail_text(&after.stdout),
            before_stderr: tail_text(&before.stderr),
            after_stderr: tail_text(&after.stderr),
        })
    }

    /// A new file in a copy of each context, then both rebuilt with the
    /// cache the first builds filled. The two files differ so that neither
    /// rebuild can take a step from the other's cache.
    fn rebuild_both(
        &self,
        report: &FileReport,
        workspace: &Workspace,
        label: &str,
        options: &BuildOptions,
        images: &mut Images,
    ) -> Result<RebuildComparison, String> {
        let mut results = Vec::new();
        for (which, context, dockerfile) in [
            ("before", &workspace.context, &workspace.original_dockerfile),
            (
                "after",
                &workspace.after_context,
                &workspace.rewritten_dockerfile,
            ),
        ] {
            let copy = workspace.directory.path().join(format!("rebuild-{which}"));
            context_copy::copy_tree(context, &copy)
                .map_err(|error| format!("cannot copy the build context: {error}"))?;
            context_copy::replace_file(
                &copy.join(format!("dockfix-verify-change-{}.txt", workspace.id)),
                &format!("a source change ({which})\n"),
            )
            .map_err(|error| format!("cannot write temporary files: {error}"))?;
            let tag = workspace.tag(&format!("{which}-rebuild"));
            let outcome = self.build(
                &report.path,
                &format!("{which} rebuild"),
                &copy,
                dockerfile,
                &tag,
                label,
                options,
            )?;
            images.tags.push(tag);
            results.push(outcome);
        }
        let (before, after) = (&results[0], &results[1]);
        Ok(RebuildComparison {
            before_seconds: round_seconds(before.seconds),
            after_seconds: round_seconds(after.seconds),
            before_cached_steps: before.log.cached_step_count(),
            after_cached_steps: after.log.cached_step_count(),
            before_steps: before.log.step_count(),
            after_steps: after.log.step_count(),
            before_built: before.succeeded,
            after_built: after.succeeded,
        })
    }
}

/// Marks as expected what the `.dockerignore` lines dockfix added keep out
/// of a `COPY . DEST` of the final stage.
fn explain_by_new_ignore(outcome: &Outcome, target: Option<&str>, files: &mut tree_diff::TreeDiff) {
    let added: Vec<&str> = outcome
        .context_changes
        .iter()
        .filter(|(_, change)| {
            change
                .path
                .file_name()
                .is_some_and(|name| name.to_string_lossy().ends_with(".dockerignore"))
        })
        .flat_map(|(_, change)| change.lines.iter().map(String::as_str))
        .collect();
    if added.is_empty() {
        return;
    }
    let added = crate::dockerignore::DockerIgnore::parse(&added.join("\n"));
    let destinations = explain::context_root_destinations(&outcome.text, target);
    files.explain(|path, change| {
        explain::excluded_by_new_ignore(path, change, &destinations, &added)
            .then_some(tree_diff::Reason::Dockerignore)
    });
}

/// Files the applied fixes declare they delete, marked as theirs.
fn explain_by_fix_effects(outcome: &Outcome, files: &mut tree_diff::TreeDiff) {
    let removed: Vec<&str> = outcome
        .applied
        .iter()
        .flat_map(|fix| &fix.effects)
        .filter_map(|effect| match effect {
            ImageEffect::Removes(path) => Some(path.as_str()),
            ImageEffect::CopiesAgain(_) => None,
        })
        .collect();
    files.explain(|path, change| {
        (change == tree_diff::Change::OnlyBefore && removed.contains(&path))
            .then_some(tree_diff::Reason::RemovedByFix)
    });
}

/// The bytes of the build-context files the applied fixes copy into the
/// image once more (copy-manifests-first's manifests), read from the
/// context: the rewrite may be larger by that much and no more.
fn expected_growth(outcome: &Outcome, context: &Path) -> Option<report::ExpectedGrowth> {
    let files: Vec<String> = outcome
        .applied
        .iter()
        .flat_map(|fix| &fix.effects)
        .filter_map(|effect| match effect {
            ImageEffect::CopiesAgain(paths) => Some(paths.clone()),
            ImageEffect::Removes(_) => None,
        })
        .flatten()
        .collect();
    if files.is_empty() {
        return None;
    }
    let bytes = files
        .iter()
        .map(|file| size_on_disk(&context.join(file)))
        .sum();
    Some(report::ExpectedGrowth { bytes, files })
}

/// A file's size, or the sum over a folder's files.
fn size_on_disk(path: &Path) -> u64 {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => std::fs::read_dir(path)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|entry| size_on_disk(&entry.path()))
                    .sum()
            })
            .unwrap_or(0),
        Ok(meta) => meta.len(),
        Err(_) => 0,
    }
}

fn fix_summaries(outcome: &Outcome) -> Vec<FixSummary> {
    let in_file = outcome.applied.iter().map(|fix| FixSummary {
        transform: fix.transform.to_string(),
        safety: fix.safety.as_str(),
        line: Some(fix.line),
        message: fix.message.clone(),
    });
    let in_context = outcome
        .context_changes
        .iter()
        .map(|(id, change)| FixSummary {
            transform: id.to_string(),
            safety: change.safety.as_str(),
            line: None,
            message: change.message.clone(),
        });
    in_file.chain(in_context).collect()
}

fn summary(outcome: &BuildOutcome) -> BuildSummary {
    BuildSummary {
        built: outcome.succeeded,
        size_bytes: 0,
        layers: 0,
        seconds: round_seconds(outcome.seconds),
        failed_step: (!outcome.succeeded)
            .then(|| outcome.log.failed_step())
            .flatten(),
        log_tail: if outcome.succeeded {
            Vec::new()
        } else {
            outcome.log.tail()
        },
    }
}

fn round_seconds(seconds: f64) -> f64 {
    (seconds * 100.0).round() / 100.0
}

/// The last 4000 characters of a command's output.
fn tail_text(text: &str) -> String {
    const KEEP: usize = 4000;
    let count = text.chars().count();
    if count <= KEEP {
        text.to_string()
    } else {
        text.chars().skip(count - KEEP).collect()
    }
}

/// `path` relative to `base`, comparing absolute forms when the spellings
/// differ (`./ctx/.dockerignore` and `ctx`).
fn relative_to(path: &Path, base: &Path) -> Option<PathBuf> {
    if let Ok(relative) = path.strip_prefix(base) {
        return Some(relative.to_path_buf());
    }
    let base = std::fs::canonicalize(base).ok()?;
    let parent = std::fs::canonicalize(path.parent()?).ok()?;
    let relative = parent.strip_prefix(&base).ok()?;
    Some(relative.join(path.file_name()?))
}

/// Twelve hex digits from the file, the process and the time: image tags
/// and container names of concurrent runs never collide.
fn unique_id(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut hasher = Sha256::new();
    hasher.update(absolute.to_string_lossy().as_bytes());
    hasher.update(std::process::id().to_le_bytes());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    hasher.update(now.as_nanos().to_le_bytes());
    hasher
        .finalize()
        .iter()
        .take(6)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_status_follows_the_worst_verdict() {
        assert_eq!(exit_status(&[]), exit::CLEAN);
        assert_eq!(
            exit_status(&[Verdict::Equivalent, Verdict::Unchanged]),
            exit::CLEAN
        );
        assert_eq!(
            exit_status(&[Verdict::Equivalent, Verdict::Different]),
            exit::CHANGES
        );
        assert_eq!(
            exit_status(&[Verdict::Different, Verdict::BeforeFails]),
            exit::ERROR
        );
        assert_eq!(exit_status(&[Verdict::Error]), exit::ERROR);
    }

    #[test]
    fn relative_paths_across_spellings() {
        let dir = tempfile::tempdir().unwrap();
        let context = dir.path().join("ctx");
        std::fs::create_dir(&context).unwrap();
        assert_eq!(
            relative_to(&context.join(".dockerignore"), &context),
            Some(PathBuf::from(".dockerignore"))
        );
        let dotted = dir.path().join("ctx/./.dockerignore");
        assert_eq!(
            relative_to(&dotted, &dir.path().join("ctx/")),
            Some(PathBuf::from(".dockerignore"))
        );
        assert_eq!(relative_to(&dir.path().join("elsewhere"), &context), None);
    }

    #[test]
    fn unique_ids_are_short_hex() {
        let id = unique_id(Path::new("Dockerfile"));
        assert_eq!(id.len(), 12);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
