//! The command line: argument definitions and the run that ties reading,
//! the engine and output together. `main.rs` only calls [`run`].

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use std::collections::HashMap;
use std::sync::Mutex;

use crate::config::{self, Overrides, Settings};
use crate::context_files;
use crate::discovery::{self, Found};
use crate::engine::{self, BuildContext, Context, Outcome, Policy, Safety, Transform};
use crate::input::{self, InputError};
use crate::machine_output::{self, Finding, ReportFormat};
use crate::output::{self, ColorChoice};
use crate::syntax::{Dockerfile, dump};
use crate::transforms;

/// Rewrites Dockerfiles so the images they build are smaller and rebuild
/// faster, without changing what the image does.
#[derive(Debug, Parser)]
#[command(name = "dockfix", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub fix: FixArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the transforms with their safety and summary.
    #[command(alias = "transforms")]
    Rules,
    /// Print a transform's documentation.
    Explain {
        /// Transform id, as listed by `dockfix rules`.
        id: String,
    },
    /// Print the syntax tree of a Dockerfile (`-` for stdin).
    Parse {
        /// Print BuildKit's s-expression dump instead of the tree.
        #[arg(long)]
        buildkit: bool,
        file: PathBuf,
    },
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff; `dockfix manpage > dockfix.1`).
    Manpage,
    /// Run the language server on standard input and output (diagnostics,
    /// quick fixes, fix all, formatting).
    Server,
    /// Build each Dockerfile before and after its fixes and compare the
    /// images (size, config, files; `--run`, `--rebuild`).
    Verify(Box<crate::verify::VerifyArgs>),
}

#[derive(Debug, Args)]
pub struct FixArgs {
    /// Dockerfiles or directories to search for them (default: `.`);
    /// `-` reads standard input and writes the fixed file to standard output.
    pub paths: Vec<PathBuf>,
    /// Print a unified diff of each file that would change.
    #[arg(long)]
    pub diff: bool,
    /// Rewrite changed files in place (atomically).
    #[arg(long, conflicts_with = "check")]
    pub write: bool,
    /// List the files that would change; exit 1 if any would.
    #[arg(long)]
    pub check: bool,
    /// Read standard input as if it were the file NAME (its directory is the
    /// build context and where dockfix.toml is looked for).
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,
    /// Run only these transforms (comma-separated ids, `all` or `none`).
    /// Naming a transform also enables its unsafe fixes.
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
    /// Print no fix reports or summary, only diffs, fixed text and errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Also print how many passes each file took and how many fixes were
    /// put off because they overlapped another.
    #[arg(long, short)]
    pub verbose: bool,
    /// How to print fix reports: text for people; json, sarif or github
    /// (workflow commands) for other programs, on standard output.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub output_format: ReportFormat,
    /// Warn about `# dockfix: ignore=` comments that silence nothing.
    #[arg(long)]
    pub warn_unused_ignores: bool,
    /// Colour the diff.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// Exit statuses.
pub mod exit {
    /// Nothing to change, or every change written.
    pub const CLEAN: u8 = 0;
    /// Changes found and not written (`--check`, `--diff`, or a plain run).
    pub const CHANGES: u8 = 1;
    /// An error: unreadable or invalid input, bad arguments or settings.
    pub const ERROR: u8 = 2;
}

/// Runs the command line and returns the exit status.
pub fn run(cli: Cli) -> u8 {
    let result = match cli.command {
        Some(Command::Rules) => rules(),
        Some(Command::Explain { id }) => explain(&id),
        Some(Command::Parse { buildkit, file }) => parse(&file, buildkit),
        Some(Command::Verify(args)) => crate::verify::run(&args),
        Some(Command::Completions { shell }) => completions(shell),
        Some(Command::Manpage) => manpage(),
        Some(Command::Server) => crate::server::run(),
        None => fix(&cli.fix),
    };
    match result {
        Ok(status) => status,
        Err(message) => {
            eprintln!("dockfix: error: {message}");
            exit::ERROR
        }
    }
}

fn rules() -> Result<u8, String> {
    let mut out = std::io::stdout().lock();
    let all = transforms::all();
    let width = all.iter().map(|t| t.id().len()).max().unwrap_or(0);
    let safety = |transform: &dyn Transform| match transform.safety() {
        Safety::Safe if transform.some_fixes_unsafe() => "safe (some unsafe)",
        other => other.as_str(),
    };
    let safety_width = all.iter().map(|t| safety(*t).len()).max().unwrap_or(0);
    for transform in all {
        let _ = writeln!(
            out,
            "{:width$}  {:safety_width$}  {}",
            transform.id(),
            safety(transform),
            transform.summary()
        );
    }
    Ok(exit::CLEAN)
}

fn completions(shell: clap_complete::Shell) -> Result<u8, String> {
    let mut command = <Cli as clap::CommandFactory>::command();
    // Generated into memory: the generator panics on a closed pipe
    // (`dockfix completions bash | head`).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "dockfix", &mut script);
    print_bytes(&script)
}

fn manpage() -> Result<u8, String> {
    let command = <Cli as clap::CommandFactory>::command();
    let mut page = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut page)
        .map_err(|error| format!("cannot render the manual page: {error}"))?;
    print_bytes(&page)
}

/// Writes to standard output; a reader that stops early is not an error.
fn print_bytes(bytes: &[u8]) -> Result<u8, String> {
    match std::io::stdout().lock().write_all(bytes) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write to standard output: {error}"))
        }
        _ => Ok(exit::CLEAN),
    }
}

fn explain(id: &str) -> Result<u8, String> {
    let transform = transforms::by_id(id).ok_or_else(|| unknown_transform(id))?;
    print!("{}", transform.docs());
    Ok(exit::CLEAN)
}

fn unknown_transform(id: &str) -> String {
    format!("unknown transform `{id}` (see `dockfix rules`)")
}

fn parse(path: &Path, buildkit: bool) -> Result<u8, String> {
    let text =
        read_source(path).map_err(|error| format!("{}: {error}", discovery::display(path)))?;
    let file = Dockerfile::parse(&text);
    if buildkit {
        return match dump::dump(&file) {
            Ok(sexp) => {
                print!("{sexp}");
                Ok(exit::CLEAN)
            }
            Err(message) => Err(format!("{}: {message}", discovery::display(path))),
        };
    }
    print!("{:#?}", file.syntax());
    for diagnostic in file.diagnostics() {
        eprintln!(
            "{}:{}: {}",
            discovery::display(path),
            crate::syntax::LineIndex::new(&text).line(usize::from(diagnostic.range.start())),
            diagnostic.message
        );
    }
    Ok(exit::CLEAN)
}

fn read_source(path: &Path) -> Result<String, InputError> {
    if path == Path::new("-") {
        input::read_limited(std::io::stdin().lock())
    } else {
        input::read_file(path)
    }
}

/// The transforms to run and the fixes allowed, from the settings.
pub fn plan(settings: &Settings) -> Result<(Vec<&'static dyn Transform>, Policy), String> {
    let all = transforms::all();
    for id in settings.select.iter().flatten().chain(&settings.ignore) {
        if !matches!(id.as_str(), "all" | "none") && transforms::by_id(id).is_none() {
            return Err(unknown_transform(id));
        }
    }
    let named: Vec<String> = settings
        .select
        .iter()
        .flatten()
        .filter(|_| settings.select_opts_in_unsafe)
        .filter(|id| !matches!(id.as_str(), "all" | "none"))
        .cloned()
        .collect();
    let selected = |transform: &&dyn Transform| match &settings.select {
        None => true,
        Some(ids) => ids.iter().any(|id| id == "all" || id == transform.id()),
    };
    let chosen = all
        .into_iter()
        .filter(selected)
        .filter(|transform| !settings.ignore.iter().any(|id| id == transform.id()))
        .collect();
    Ok((
        chosen,
        Policy {
            allow_unsafe: settings.allow_unsafe,
            unsafe_transforms: named,
        },
    ))
}

/// What the command line says about settings.
fn overrides(args: &FixArgs) -> Overrides {
    Overrides {
        select: (!args.select.is_empty()).then(|| args.select.clone()),
        ignore: args.ignore.clone(),
        allow_unsafe: args.allow_unsafe,
    }
}

/// Settings for the files of each directory: `--config`, or the nearest
/// `dockfix.toml`, under the command-line flags. Each file is read once.
struct SettingsResolver {
    /// `--config`.
    config: Option<PathBuf>,
    overrides: Overrides,
    loaded: Mutex<HashMap<PathBuf, Result<Settings, String>>>,
}

impl SettingsResolver {
    fn new(args: &FixArgs) -> Self {
        Self::with(args.config.clone(), overrides(args))
    }

    fn with(config: Option<PathBuf>, overrides: Overrides) -> Self {
        Self {
            config,
            overrides,
            loaded: Mutex::new(HashMap::new()),
        }
    }

    fn for_directory(&self, directory: &Path) -> Result<Settings, String> {
        let file = match &self.config {
            Some(explicit) => Some(explicit.clone()),
            None => {
                let absolute =
                    std::path::absolute(directory).unwrap_or_else(|_| directory.to_path_buf());
                config::find(&absolute)
            }
        };
        let base = match file {
            None => Settings::default(),
            Some(file) => {
                let mut loaded = self
                    .loaded
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                loaded
                    .entry(file.clone())
                    .or_insert_with(|| config::load(&file))
                    .clone()?
            }
        };
        let settings = self.overrides.apply(base);
        plan(&settings)?;
        Ok(settings)
    }

    /// The `include`/`exclude` patterns for a walk of `directory` (none
    /// when its settings cannot be read: that error is reported per file).
    fn patterns_for(&self, directory: &Path) -> discovery::Patterns {
        self.for_directory(directory)
            .ok()
            .and_then(|settings| {
                discovery::Patterns::new(&settings.include, &settings.exclude).ok()
            })
            .unwrap_or_default()
    }
}

/// What happened to one file.
struct FileReport {
    display: String,
    result: Result<Processed, FileError>,
}

struct Processed {
    original: String,
    outcome: Outcome,
    /// The file was rewritten on disk.
    written: bool,
}

/// Why a file was not processed.
enum FileError {
    /// Something about this file (unreadable, not UTF-8, cannot write).
    File(String),
    /// Its `dockfix.toml` is bad: reported once for all the files under it.
    Settings(String),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Report fixes; exit 1 if any.
    Report,
    Check,
    Write,
}

/// Each file is fixed on a thread with this much stack: the parsers
/// recurse, and a deeply nested input must not take the process down.
const FILE_THREAD_STACK: usize = 64 * 1024 * 1024;

fn fix(args: &FixArgs) -> Result<u8, String> {
    let resolver = SettingsResolver::new(args);
    // Refuse unknown ids on the command line before reading any file.
    plan(&overrides(args).apply(Settings::default()))?;
    if args.output_format != ReportFormat::Text && args.diff {
        return Err("--diff prints text: use it without --output-format (or with `text`)".into());
    }
    let dash = args.paths.iter().any(|path| path == Path::new("-"));
    if args.stdin_filename.is_some() && !args.paths.is_empty() && !dash {
        return Err(
            "--stdin-filename reads standard input: give it no paths (or `-`), or drop it to fix files"
                .into(),
        );
    }
    if dash || (args.paths.is_empty() && args.stdin_filename.is_some()) {
        if args.paths.len() > 1 {
            return Err("`-` (stdin) cannot be combined with other paths".into());
        }
        // On a thread with the same chosen stack as the files of a walk.
        return std::thread::scope(|scope| {
            std::thread::Builder::new()
                .stack_size(FILE_THREAD_STACK)
                .spawn_scoped(scope, || fix_stdin(args, &resolver))
                .map_err(|error| format!("cannot start a worker thread: {error}"))?
                .join()
                .map_err(|_| "internal error while fixing standard input".to_string())?
        });
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mode = if args.write {
        Mode::Write
    } else if args.check {
        Mode::Check
    } else {
        Mode::Report
    };
    if mode == Mode::Write {
        output::remove_temporaries_on_interrupt();
    }
    let discovered = discovery::discover(&paths, &|root| resolver.patterns_for(root));
    let mut printer = ReportPrinter::new(args, mode);
    printer.discovery(&discovered);
    let found = &discovered.found;
    let workers = std::thread::available_parallelism()
        .map_or(2, usize::from)
        .min(found.len().max(1));
    // Workers take files in order from a shared counter, so results come
    // back nearly in order: the reorder buffer holds about one file per
    // worker, and memory does not grow with the number of files. What was
    // written is on screen as soon as it is written.
    let next_file = std::sync::atomic::AtomicUsize::new(0);
    let spawned = std::thread::scope(|scope| -> Result<(), String> {
        let (sender, receiver) = std::sync::mpsc::sync_channel(workers * 4);
        for _ in 0..workers {
            let sender = sender.clone();
            let (next_file, resolver) = (&next_file, &resolver);
            std::thread::Builder::new()
                .stack_size(FILE_THREAD_STACK)
                .spawn_scoped(scope, move || {
                    loop {
                        let index = next_file.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(found) = found.get(index) else { break };
                        let report = process_found(found, args, resolver, mode);
                        if sender.send((index, report)).is_err() {
                            break;
                        }
                    }
                })
                .map_err(|error| format!("cannot start worker threads: {error}"))?;
        }
        drop(sender);
        let mut waiting = std::collections::BTreeMap::new();
        let mut next = 0;
        for (index, report) in receiver {
            waiting.insert(index, report);
            while let Some(report) = waiting.remove(&next) {
                printer.file(report);
                next += 1;
            }
        }
        Ok(())
    });
    spawned?;
    Ok(printer.finish())
}

fn process_found(
    found: &Found,
    args: &FixArgs,
    resolver: &SettingsResolver,
    mode: Mode,
) -> FileReport {
    match found {
        Found::File(path) => FileReport {
            display: discovery::display(path),
            result: match resolver.for_directory(&directory_of(path)) {
                Err(message) => Err(FileError::Settings(message)),
                Ok(settings) => {
                    // A bug in a transform must cost one file, not the run.
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        process_file(path, args, &settings, mode)
                    }))
                    .unwrap_or_else(|_| {
                        Err("internal error while fixing this file (please report it); the file was not changed".into())
                    })
                    .map_err(FileError::File)
                }
            },
        },
        Found::Error(path, reason) => FileReport {
            display: discovery::display(path),
            result: Err(FileError::File(reason.clone())),
        },
    }
}

fn process_file(
    path: &Path,
    args: &FixArgs,
    settings: &Settings,
    mode: Mode,
) -> Result<Processed, String> {
    let original = input::read_file(path).map_err(|error| error.to_string())?;
    let context_dir = args.context.clone().unwrap_or_else(|| directory_of(path));
    let outcome = fix_text(&original, Some(path), Some(&context_dir), settings)?;
    let written = mode == Mode::Write && outcome.changed(&original);
    if written {
        output::write_atomically(path, &outcome.text)
            .map_err(|error| format!("cannot write: {error}"))?;
    }
    Ok(Processed {
        original,
        outcome,
        written,
    })
}

/// The Dockerfiles a fix run with these settings would take from `paths`
/// (`include`/`exclude` of `dockfix.toml` applied), for `dockfix verify`.
pub fn discover_files(
    paths: &[PathBuf],
    config: Option<&Path>,
    overrides: Overrides,
) -> discovery::Discovery {
    let resolver = SettingsResolver::with(config.map(Path::to_path_buf), overrides);
    discovery::discover(paths, &|root| resolver.patterns_for(root))
}

/// What a fix run with these flags would make of one Dockerfile: its
/// text and the outcome, found with the same settings lookup (for
/// `dockfix verify`, which builds both).
pub fn fix_file(
    path: &Path,
    context: Option<&Path>,
    config: Option<&Path>,
    overrides: Overrides,
) -> Result<(String, Outcome), String> {
    let resolver = SettingsResolver::with(config.map(Path::to_path_buf), overrides);
    let settings = resolver.for_directory(&directory_of(path))?;
    let original = input::read_file(path).map_err(|error| error.to_string())?;
    let context_dir = context.map_or_else(|| directory_of(path), Path::to_path_buf);
    let outcome = fix_text(&original, Some(path), Some(&context_dir), &settings)?;
    Ok((original, outcome))
}

/// The directory holding `path`: `.` for a bare file name, whose parent is
/// the empty path (which names no directory to walk).
pub fn directory_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Runs the selected transforms on one text.
pub fn fix_text(
    text: &str,
    path: Option<&Path>,
    context_dir: Option<&Path>,
    settings: &Settings,
) -> Result<Outcome, String> {
    let (chosen, policy) = plan(settings)?;
    let build_context = context_dir.map(BuildContext::new);
    let context = Context {
        path,
        build_context: build_context.as_ref(),
        settings,
        skips: None,
    };
    engine::run(text, &chosen, &context, &policy).map_err(|error| error.to_string())
}

fn fix_stdin(args: &FixArgs, resolver: &SettingsResolver) -> Result<u8, String> {
    let name = args.stdin_filename.clone();
    let display = name
        .as_deref()
        .map_or_else(|| "-".to_string(), discovery::display);
    if let Some(name) = &name
        && name.is_dir()
    {
        return Err(format!(
            "{display}: is a directory (--stdin-filename names the file being edited)"
        ));
    }
    let original = input::read_limited(std::io::stdin().lock())
        .map_err(|error| format!("{display}: {error}"))?;
    let context_dir = args
        .context
        .clone()
        .or_else(|| name.as_deref().map(directory_of));
    let settings = resolver
        .for_directory(
            &name
                .as_deref()
                .map_or_else(|| PathBuf::from("."), directory_of),
        )
        .map_err(|error| format!("{display}: {error}"))?;
    let outcome = fix_text(
        &original,
        name.as_deref(),
        context_dir.as_deref(),
        &settings,
    )
    .map_err(|error| format!("{display}: {error}"))?;
    let changed = outcome.changed(&original);
    let report = FileReport {
        display: display.clone(),
        result: Ok(Processed {
            original,
            outcome,
            written: false,
        }),
    };
    if !args.quiet {
        // Buffered: stderr writes every piece of a line on its own
        // otherwise, and a large file has tens of thousands of fix lines.
        // Dropped (and so flushed) before the fixed text goes to stdout.
        let mut err = BufWriter::new(std::io::stderr().lock());
        print_fix_lines(&mut err, &report);
        if args.verbose {
            print_skip_lines(&mut err, &report);
        }
        if args.warn_unused_ignores {
            print_unused_suppressions(&mut err, &report);
        }
        if let Ok(processed) = &report.result {
            let changes = processed
                .outcome
                .context_changes
                .iter()
                .map(|(id, change)| (*id, change.clone()))
                .collect();
            for planned in context_files::plan(changes) {
                for (transform, message) in &planned.messages {
                    let _ = writeln!(
                        err,
                        "{}: [{transform}] {message} (not written in stdin mode)",
                        discovery::display(&planned.path)
                    );
                }
            }
        }
    }
    let Ok(processed) = &report.result else {
        unreachable!("stdin report is always Ok")
    };
    let mut out = std::io::stdout().lock();
    if args.diff {
        if changed {
            let diff = output::unified_diff(
                &display,
                &processed.original,
                &processed.outcome.text,
                args.color.for_stdout(),
            );
            let _ = out.write_all(diff.as_bytes());
        }
        return Ok(if changed { exit::CHANGES } else { exit::CLEAN });
    }
    if args.check {
        return Ok(if changed { exit::CHANGES } else { exit::CLEAN });
    }
    let _ = out.write_all(processed.outcome.text.as_bytes());
    Ok(exit::CLEAN)
}

/// `--warn-unused-ignores`: dockfix's own suppressions that silence nothing.
fn print_unused_suppressions(err: &mut impl Write, report: &FileReport) {
    let Ok(processed) = &report.result else {
        return;
    };
    for (line, comment) in &processed.outcome.unused_suppressions {
        let _ = writeln!(
            err,
            "{}:{line}: warning: `{comment}` silences nothing",
            report.display
        );
    }
}

/// `-v`: one line per candidate a transform declined or downgraded, with why.
fn print_skip_lines(err: &mut impl Write, report: &FileReport) {
    let Ok(processed) = &report.result else {
        return;
    };
    for skip in &processed.outcome.skipped {
        let _ = writeln!(
            err,
            "{}:{}: [{}] skipped: {}",
            report.display, skip.line, skip.transform, skip.reason
        );
    }
}

fn print_fix_lines(err: &mut impl Write, report: &FileReport) {
    let Ok(processed) = &report.result else {
        return;
    };
    let mut applied: Vec<_> = processed.outcome.applied.iter().collect();
    applied.sort_by_key(|fix| (fix.line, fix.span.start.1));
    let mut fixes_per_line: HashMap<usize, usize> = HashMap::new();
    for fix in &applied {
        *fixes_per_line.entry(fix.line).or_default() += 1;
    }
    for fix in &applied {
        // Each message names the command it is about (`add -y to `apt-get
        // install``); when several fixes land on one line, the column says
        // which of its commands each one changes.
        let shares_line = fixes_per_line[&fix.line] > 1;
        let position = if shares_line && fix.span.start.0 == fix.line {
            format!("{}:{}", fix.line, fix.span.start.1)
        } else {
            fix.line.to_string()
        };
        let _ = writeln!(
            err,
            "{}:{position}: [{}] {}",
            report.display, fix.transform, fix.message
        );
    }
    for fix in &processed.outcome.rejected {
        let _ = writeln!(
            err,
            "{}:{}: [{}] warning: fix dropped because the result would not parse, or its shell script would change structure (please report): {}",
            report.display, fix.line, fix.transform, fix.message
        );
    }
}

/// Prints each file's report as it comes and the summary at the end.
struct ReportPrinter<'a> {
    args: &'a FixArgs,
    mode: Mode,
    color: bool,
    changed_files: usize,
    fixes: usize,
    unsafe_fixes: usize,
    errors: usize,
    /// Settings errors already printed, and how many files each kept from
    /// being processed.
    settings_errors: Vec<(String, usize)>,
    context_changes: Vec<(&'static str, engine::ContextChange)>,
    /// JSON and SARIF findings, printed as one document at the end.
    machine: Vec<serde_json::Value>,
}

impl<'a> ReportPrinter<'a> {
    fn new(args: &'a FixArgs, mode: Mode) -> Self {
        Self {
            args,
            mode,
            color: args.color.for_stdout(),
            changed_files: 0,
            fixes: 0,
            unsafe_fixes: 0,
            errors: 0,
            settings_errors: Vec::new(),
            context_changes: Vec::new(),
            machine: Vec::new(),
        }
    }

    /// Machine-readable reports of one file's fixes (not for `text`).
    fn machine_findings(&mut self, report: &FileReport) {
        let Ok(processed) = &report.result else {
            return;
        };
        let format = self.args.output_format;
        let applied = processed.outcome.applied.iter().map(|fix| (fix, true));
        let offered = processed
            .outcome
            .unsafe_available
            .iter()
            .map(|fix| (fix, false));
        let unchanged = processed.outcome.text == processed.original;
        let mut out = BufWriter::new(std::io::stdout().lock());
        for (fix, applied) in applied.chain(offered) {
            // Offsets are in the original when the fix's pass started from
            // it: pass 1, or a fix left for --unsafe on an unchanged file.
            let in_original = if applied { fix.pass == 1 } else { unchanged };
            let finding = Finding {
                path: &report.display,
                fix,
                applied,
                original: in_original.then_some(processed.original.as_str()),
            };
            match format {
                ReportFormat::Text => {}
                ReportFormat::Json => self.machine.push(machine_output::json_fix(&finding)),
                ReportFormat::Sarif => self.machine.push(machine_output::sarif_result(&finding)),
                ReportFormat::Github => {
                    let _ = writeln!(out, "{}", machine_output::github_line(&finding));
                }
            }
        }
    }

    /// Warnings about the walk: a path with no Dockerfile in it (an error
    /// with `--check`, which must never pass on nothing), files found twice.
    fn discovery(&mut self, discovered: &discovery::Discovery) {
        let mut err = std::io::stderr().lock();
        for directory in &discovered.empty_directories {
            let _ = writeln!(
                err,
                "dockfix: warning: {}: no Dockerfile found (looked for Dockerfile, Dockerfile.*, Dockerfile-*, *.Dockerfile, Containerfile...; `include` in dockfix.toml adds names)",
                discovery::display(directory)
            );
            if self.mode == Mode::Check {
                self.errors += 1;
            }
        }
        if self.args.verbose {
            for (path, first) in &discovered.duplicates {
                let _ = writeln!(
                    err,
                    "{}: the same file as {} (a link or a repeated path); handled once",
                    discovery::display(path),
                    discovery::display(first)
                );
            }
        }
    }

    fn file(&mut self, report: FileReport) {
        let args = self.args;
        let mut out = std::io::stdout().lock();
        // Buffered: unbuffered stderr writes every piece of a line on its
        // own (about 180,000 writes for the 22,000 fix lines of a 1 MB
        // file, a fifth of its run time). Flushed before anything goes to
        // stdout, so that a terminal showing both sees them in order.
        let mut err = BufWriter::new(std::io::stderr().lock());
        let processed = match &report.result {
            Ok(processed) => processed,
            Err(FileError::File(message)) => {
                self.errors += 1;
                let _ = writeln!(err, "dockfix: error: {}: {message}", report.display);
                return;
            }
            Err(FileError::Settings(message)) => {
                self.errors += 1;
                match self
                    .settings_errors
                    .iter_mut()
                    .find(|(seen, _)| seen == message)
                {
                    Some((_, files)) => *files += 1,
                    None => {
                        let _ = writeln!(err, "dockfix: error: {message}");
                        self.settings_errors.push((message.clone(), 1));
                    }
                }
                return;
            }
        };
        let changed = processed.outcome.changed(&processed.original);
        self.unsafe_fixes += processed.outcome.unsafe_available.len();
        let machine = args.output_format != ReportFormat::Text;
        if machine {
            self.machine_findings(&report);
        }
        if args.warn_unused_ignores {
            print_unused_suppressions(&mut err, &report);
        }
        self.context_changes
            .extend(processed.outcome.context_changes.iter().cloned());
        if args.verbose {
            let _ = writeln!(
                err,
                "{}: {} pass(es), {} fix(es) put off to a later pass by overlaps",
                report.display, processed.outcome.passes, processed.outcome.deferred
            );
            print_skip_lines(&mut err, &report);
        }
        if !changed {
            return;
        }
        self.changed_files += 1;
        self.fixes += processed.outcome.applied.len();
        let _ = err.flush();
        if args.diff {
            let diff = output::unified_diff(
                &report.display,
                &processed.original,
                &processed.outcome.text,
                self.color,
            );
            let _ = out.write_all(diff.as_bytes());
        }
        if self.mode == Mode::Check && !args.diff && !machine {
            let _ = writeln!(out, "would fix: {}", report.display);
        }
        if processed.written && args.verbose {
            let _ = writeln!(err, "wrote {}", report.display);
        }
        if args.quiet || machine {
            return;
        }
        // Fix reports go to stderr in every mode: stdout carries only what
        // a program consumes (diffs, the fixed text of stdin mode, `would
        // fix:` lists, --output-format documents), so `dockfix … 2>/dev/null`
        // and `dockfix … | …` behave alike whatever the mode.
        print_fix_lines(&mut err, &report);
    }

    /// Context files (merged over all Dockerfiles), the summary, the exit
    /// status.
    fn finish(mut self) -> u8 {
        let args = self.args;
        let mode = self.mode;
        let mut out = std::io::stdout().lock();
        let mut err = std::io::stderr().lock();
        for planned in context_files::plan(std::mem::take(&mut self.context_changes)) {
            let display = discovery::display(&planned.path);
            self.changed_files += 1;
            self.fixes += planned.messages.len();
            if args.diff {
                let diff = match &planned.original {
                    Some(original) => {
                        output::unified_diff(&display, original, &planned.text, self.color)
                    }
                    None => output::creation_diff(&display, &planned.text, self.color),
                };
                let _ = out.write_all(diff.as_bytes());
            }
            let machine = args.output_format != ReportFormat::Text;
            if mode == Mode::Check && !args.diff && !machine {
                let _ = writeln!(out, "would fix: {display}");
            }
            if mode == Mode::Write
                && let Err(error) = output::write_atomically_with_default_mode(
                    &planned.path,
                    &planned.text,
                    Some(0o644),
                )
            {
                self.errors += 1;
                let _ = writeln!(err, "dockfix: error: {display}: cannot write: {error}");
                continue;
            }
            if machine {
                for (transform, message) in &planned.messages {
                    let fix = engine::AppliedFix {
                        transform: transforms::by_id(transform).map_or("", |known| known.id()),
                        message: message.clone(),
                        line: 1,
                        safety: engine::Safety::Safe,
                        ..engine::AppliedFix::default()
                    };
                    let finding = Finding {
                        path: &display,
                        fix: &fix,
                        applied: true,
                        original: None,
                    };
                    match args.output_format {
                        ReportFormat::Json => self.machine.push(machine_output::json_fix(&finding)),
                        ReportFormat::Sarif => {
                            self.machine.push(machine_output::sarif_result(&finding));
                        }
                        ReportFormat::Github => {
                            let _ = writeln!(out, "{}", machine_output::github_line(&finding));
                        }
                        ReportFormat::Text => {}
                    }
                }
                continue;
            }
            if args.quiet {
                continue;
            }
            for (transform, message) in &planned.messages {
                // On stderr, as every fix report (see `Printer::file`).
                let _ = writeln!(err, "{display}: [{transform}] {message}");
            }
        }
        match args.output_format {
            // Buffered: stdout is line-buffered, and a document has a line
            // per field (half a million writes for a 1 MB file's fixes).
            ReportFormat::Json => {
                let document = serde_json::Value::Array(std::mem::take(&mut self.machine));
                let mut out = BufWriter::new(&mut out);
                let _ = writeln!(out, "{document:#}");
                let _ = out.flush();
            }
            ReportFormat::Sarif => {
                let document = machine_output::sarif_log(&self.machine);
                let mut out = BufWriter::new(&mut out);
                let _ = writeln!(out, "{document:#}");
                let _ = out.flush();
            }
            ReportFormat::Text | ReportFormat::Github => {}
        }
        for (message, files) in &self.settings_errors {
            if *files > 1 {
                let _ = writeln!(
                    err,
                    "dockfix: {files} files were not processed because of: {}",
                    message.split(':').next().unwrap_or(message)
                );
            }
        }
        if !args.quiet {
            let verb = if mode == Mode::Write {
                "Fixed"
            } else {
                "Would fix"
            };
            let changed_files = self.changed_files;
            let fixes = self.fixes;
            let mut summary = match changed_files {
                0 if self.errors == 0 => "No changes.".to_string(),
                0 => "No changes in the files that could be processed.".to_string(),
                _ => format!(
                    "{verb} {changed_files} file{} ({fixes} fix{}).",
                    plural(changed_files),
                    if fixes == 1 { "" } else { "es" }
                ),
            };
            if self.errors > 0 {
                summary.push_str(&format!(
                    " {} error{}; see above.",
                    self.errors,
                    plural(self.errors)
                ));
            }
            let _ = writeln!(err, "{summary}");
            if self.unsafe_fixes > 0 {
                let _ = writeln!(
                    err,
                    "{} more fix{} available with --unsafe.",
                    self.unsafe_fixes,
                    if self.unsafe_fixes == 1 {
                        " is"
                    } else {
                        "es are"
                    }
                );
            }
            if mode == Mode::Report && changed_files > 0 && !args.diff {
                let _ = writeln!(
                    err,
                    "Run with --diff to see the changes, --write to apply them."
                );
            } else if mode != Mode::Write && changed_files > 0 && args.diff {
                let _ = writeln!(err, "Run with --write to apply them.");
            }
        }
        if self.errors > 0 {
            exit::ERROR
        } else if self.changed_files > 0 && mode != Mode::Write {
            exit::CHANGES
        } else {
            exit::CLEAN
        }
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}
