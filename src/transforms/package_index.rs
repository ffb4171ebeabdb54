//! Does anything built after a `RUN` still need the package index it
//! leaves (the apt lists, the Alpine `APKINDEX`)? Shared by the transforms
//! that remove it (`rm -rf /var/lib/apt/lists/*`, dropping `apk update`).
//!
//! "After" is the rest of the stage, then each stage built `FROM` it
//! (branch by branch: a sibling that refreshes the index does not help one
//! that does not), and every `ONBUILD RUN` of the stage (images built from
//! this one run it, with the index this one leaves). Shell-form, exec-form
//! and heredoc `RUN`s are all read, through `sh -c`, `xargs`, `sudo` and
//! the like ([`crate::shell::invocations`]); a script copied from the build
//! context is read when the context is known. A command dockfix cannot see
//! into (`make`, a script it cannot read, `sh -c "$CMD"`) makes the answer
//! [`IndexNeed::Unknown`].

use std::cell::RefCell;
use std::rc::Rc;

use crate::engine::{BuildContext, Context};
use crate::paths::last_component;
use crate::shell::Script;
use crate::shell::invocations::{self, Invocation};
use crate::shell::packages::Manager;
use crate::syntax::memo::MemoMap;
use crate::syntax::{Dockerfile, Instruction, InstructionKind, Stage};
use crate::transforms::workdir::{self, Dir};

/// The two indexes dockfix removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Index {
    /// `/var/lib/apt/lists`, written by `apt-get update`.
    AptLists,
    /// `/var/cache/apk`, written by `apk update`.
    ApkIndex,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexNeed {
    Unneeded,
    /// A later command reads it: `what` names the command, `at` its offset.
    Needed {
        at: usize,
        what: String,
    },
    /// A later command might (dockfix cannot see what it runs).
    Unknown {
        at: usize,
        what: String,
    },
}

/// What one command does with the index.
enum Effect {
    Refreshes,
    Reads(String),
    Unknown(String),
    Nothing,
}

fn effect(invocation: &Invocation, index: Index) -> Effect {
    let (manager, program, subcommand, options) = match invocation {
        Invocation::Opaque { what, .. } => return Effect::Unknown(what.clone()),
        Invocation::Package {
            manager,
            program,
            subcommand,
            options,
            ..
        } => (*manager, program, subcommand.as_deref(), options),
    };
    let has = |names: &[&str]| options.iter().any(|o| names.contains(&o.as_str()));
    let described = || format!("`{program} {}`", subcommand.unwrap_or_default());
    match (index, manager) {
        (Index::AptLists, Manager::Apt) if program == "apt-cache" => Effect::Reads(described()),
        (Index::AptLists, Manager::Apt) => match subcommand {
            Some("update") => Effect::Refreshes,
            Some(
                "install" | "source" | "build-dep" | "download" | "upgrade" | "dist-upgrade"
                | "full-upgrade" | "reinstall" | "list" | "search" | "show" | "policy" | "satisfy",
            ) => Effect::Reads(described()),
            _ => Effect::Nothing,
        },
        (Index::ApkIndex, Manager::Apk) => match subcommand {
            Some("update") => Effect::Refreshes,
            Some(
                "add" | "upgrade" | "fix" | "fetch" | "search" | "info" | "policy" | "dot" | "list"
                | "version",
            ) => {
                let updates = has(&["-U", "--update-cache", "--update"])
                    || options
                        .iter()
                        .any(|o| !o.starts_with("--") && o.starts_with('-') && o.contains('U'));
                if has(&["--no-cache"]) {
                    Effect::Nothing
                } else if updates {
                    Effect::Refreshes
                } else {
                    Effect::Reads(described())
                }
            }
            _ => Effect::Nothing,
        },
        _ => Effect::Nothing,
    }
}

/// The word that names the package manager in text dockfix cannot parse.
fn keyword(index: Index) -> &'static str {
    match index {
        Index::AptLists => "apt",
        Index::ApkIndex => "apk",
    }
}

/// True when `index` is read, or may be, after `stage.body[at]`.
///
/// Every `RUN` that leaves an index asks this, so the answers are kept for
/// the life of the parse: each stage's `RUN`s are read at most once per
/// index, from the first one asked about, and each stage's `ONBUILD`s and
/// children once (asking each `RUN` to scan the rest of its stage made
/// time grow with the square of the stage's length).
pub fn needed_after(
    file: &Dockerfile,
    stages: &[Stage],
    stage: &Stage,
    at: usize,
    index: Index,
    context: &Context,
) -> IndexNeed {
    let uses = file.derived(IndexUses::default);
    if let Some(need) = uses.onbuild_need(file, stage, index) {
        return need;
    }
    match uses.first_use_after(file, stage, at, index, context) {
        Some(need) => need,
        None => uses.children_need(file, stages, stage, index),
    }
}

/// A stage, an index and the build context (by address: the only part of
/// the context the answer depends on, through scripts copied from it).
type StageIndexContext = (usize, Index, Option<usize>);

/// For each position of a stage body, the first use of the index from
/// there on, once known (`Some(None)`: none).
type FirstUses = Rc<RefCell<Vec<Option<Option<IndexNeed>>>>>;

/// The memo behind [`needed_after`], one per parse of the file.
#[derive(Default)]
struct IndexUses {
    /// By (stage, index, build context): the first use among
    /// `stage.body[k..]`, for each position `k` scanned so far.
    rest: MemoMap<StageIndexContext, FirstUses>,
    /// By (stage, index): what the stage's `ONBUILD`s do with the index.
    onbuild: MemoMap<(usize, Index), Option<IndexNeed>>,
    /// By (stage, index): what the stages built `FROM` it need.
    children: MemoMap<(usize, Index), IndexNeed>,
}

impl IndexUses {
    fn first_use_after(
        &self,
        file: &Dockerfile,
        stage: &Stage,
        at: usize,
        index: Index,
        context: &Context,
    ) -> Option<IndexNeed> {
        // The build context is the only part of `context` the answer
        // depends on (scripts copied from it are read).
        let build_context = context
            .build_context
            .map(|build_context| build_context as *const BuildContext as usize);
        let rest = self
            .rest
            .get_or_compute((stage.index, index, build_context), || {
                Rc::new(RefCell::new(vec![None; stage.body.len()]))
            });
        // Scan forward to the first use, or to a position whose answer is
        // known, like the scan of old; then every position passed has the
        // same answer, so no later question scans them again.
        let mut passed = Vec::new();
        let mut position = at + 1;
        let found = loop {
            let Some(instruction) = stage.body.get(position) else {
                break None;
            };
            if let Some(known) = rest.borrow()[position].clone() {
                break known;
            }
            let found = run_use(file, stage, Some(position), instruction, index, context);
            passed.push(position);
            if found.is_some() {
                break found;
            }
            position += 1;
        };
        let mut rest = rest.borrow_mut();
        for position in passed {
            rest[position] = Some(found.clone());
        }
        found
    }

    fn onbuild_need(&self, file: &Dockerfile, stage: &Stage, index: Index) -> Option<IndexNeed> {
        self.onbuild
            .get_or_compute((stage.index, index), || onbuild_need(file, stage, index))
    }

    fn children_need(
        &self,
        file: &Dockerfile,
        stages: &[Stage],
        stage: &Stage,
        index: Index,
    ) -> IndexNeed {
        self.children.get_or_compute((stage.index, index), || {
            self.read_children_need(file, stages, stage, index)
        })
    }

    fn read_children_need(
        &self,
        file: &Dockerfile,
        stages: &[Stage],
        stage: &Stage,
        index: Index,
    ) -> IndexNeed {
        let Some(name) = stage.name() else {
            return IndexNeed::Unneeded;
        };
        let mut unknown = None;
        for child in stages[stage.index + 1..].iter().filter(|child| {
            child
                .from
                .as_from()
                .and_then(|from| from.image())
                .is_some_and(|(image, _)| image.eq_ignore_ascii_case(&name))
        }) {
            let need = match first_use(file, child, &child.body, index) {
                Some(need) => need,
                None => self.children_need(file, stages, child, index),
            };
            match need {
                IndexNeed::Needed { .. } => return need,
                IndexNeed::Unknown { .. } => unknown = unknown.or(Some(need)),
                IndexNeed::Unneeded => {}
            }
        }
        unknown.unwrap_or(IndexNeed::Unneeded)
    }
}

/// What the `ONBUILD`s of `stage` do with the index (images built from
/// this one run them, with the index this one leaves), first one first.
fn onbuild_need(file: &Dockerfile, stage: &Stage, index: Index) -> Option<IndexNeed> {
    for onbuild in stage
        .body
        .iter()
        .filter(|i| i.kind() == InstructionKind::Onbuild)
    {
        let need = match onbuild.onbuild_inner() {
            Some(inner) if inner.kind() == InstructionKind::Run => {
                first_use(file, stage, &[inner], index)
            }
            Some(_) => None,
            None if onbuild.logical().text().contains(keyword(index)) => Some(IndexNeed::Unknown {
                at: onbuild.range().start,
                what: "an `ONBUILD` dockfix cannot read".into(),
            }),
            None => None,
        };
        match need {
            Some(IndexNeed::Needed { what, .. }) => {
                return Some(IndexNeed::Needed {
                    at: onbuild.range().start,
                    what: format!("{what} in an `ONBUILD` (images built from this one run it)"),
                });
            }
            Some(IndexNeed::Unknown { what, .. }) => {
                return Some(IndexNeed::Unknown {
                    at: onbuild.range().start,
                    what: format!("an `ONBUILD` that {what}"),
                });
            }
            _ => {}
        }
    }
    None
}

/// The first instruction among `instructions` that reads or refreshes the
/// index: `Some(Unneeded)` for a refresh, `None` when none touches it.
/// For `ONBUILD`s and the stages built from a stage, where scripts copied
/// from the build context are not read.
fn first_use(
    file: &Dockerfile,
    stage: &Stage,
    instructions: &[Instruction],
    index: Index,
) -> Option<IndexNeed> {
    instructions.iter().find_map(|instruction| {
        run_use(file, stage, None, instruction, index, &Context::detached())
    })
}

/// What `instruction` (at `stage.body[position]`, when it is there) does
/// first with the index: `Some(Unneeded)` for a refresh, `None` when it
/// does not touch it.
fn run_use(
    file: &Dockerfile,
    stage: &Stage,
    position: Option<usize>,
    instruction: &Instruction,
    index: Index,
    context: &Context,
) -> Option<IndexNeed> {
    if instruction.kind() != InstructionKind::Run {
        return None;
    }
    // A relative path is looked up from the `WORKDIR` only when the
    // `RUN` does not change directory first.
    let changes_directory = instruction.logical().text().contains("cd ");
    let reader = |path: &str| {
        if changes_directory && !path.starts_with('/') {
            return None;
        }
        position.and_then(|position| copied_script(stage, position, path, context))
    };
    let found = run_invocations(file, instruction, &reader);
    let Some(found) = found else {
        if instruction.logical().text().contains(keyword(index)) {
            return Some(IndexNeed::Unknown {
                at: instruction.range().start,
                what: "a `RUN` whose shell dockfix cannot read".into(),
            });
        }
        return None;
    };
    let at = instruction.range().start;
    found
        .iter()
        .find_map(|invocation| match effect(invocation, index) {
            Effect::Refreshes => Some(IndexNeed::Unneeded),
            Effect::Reads(what) => Some(IndexNeed::Needed { at, what }),
            Effect::Unknown(what) => Some(IndexNeed::Unknown { at, what }),
            Effect::Nothing => None,
        })
}

/// Everything a `RUN` runs, in order; `None` when its text cannot be read
/// (a shell that is not POSIX, text that does not parse).
pub fn run_invocations(
    file: &Dockerfile,
    run: &Instruction,
    read_script: &invocations::ScriptReader,
) -> Option<Vec<Invocation>> {
    if let Some(words) = run.json_args() {
        return Some(invocations::exec_form_invocations(&words, read_script));
    }
    let heredocs = Script::shared_heredoc_scripts(file, run);
    let mut found = match Script::shared_of_run(file, run) {
        Some(shell_form) => {
            invocations::invocations(&shell_form, !heredocs.is_empty(), read_script)
        }
        // `RUN <<EOF` (or `RUN bash <<EOF`): the command line alone is not
        // a whole script to the parser, but the heredoc it feeds the shell
        // is, and that is what runs. (Reading nothing here made a heredoc
        // `apt-get install` invisible, and the lists before it removed.)
        None if !heredocs.is_empty() => Vec::new(),
        None => return None,
    };
    for script in &heredocs {
        found.extend(invocations::invocations(script, false, read_script));
    }
    Some(found)
}

/// The text of the script at `path` (as a `RUN` at `stage.body[position]`
/// names it), when a `COPY` or `ADD` of the stage put it there from the
/// build context.
fn copied_script(stage: &Stage, position: usize, path: &str, context: &Context) -> Option<String> {
    let build_context = context.build_context?;
    let target = workdir::workdir_before(stage, position).join(path);
    if target == Dir::Unknown {
        return None;
    }
    for (at, instruction) in stage.body[..position].iter().enumerate().rev() {
        let Some(copy) = instruction.as_copy() else {
            continue;
        };
        if copy.from_stage().is_some() {
            continue;
        }
        let Some(destination) = copy.destination() else {
            continue;
        };
        let sources = copy.sources();
        let into = workdir::workdir_before(stage, at).join(&destination);
        for source in &sources {
            if source.contains(['*', '?', '[', '$']) || source.contains("://") {
                continue;
            }
            let source = workdir::normalize(source);
            let base = last_component(&source);
            let candidates = [
                (into.clone(), source.clone()),
                (into.join(base), source.clone()),
            ];
            for (image_path, context_path) in candidates {
                if image_path == target {
                    return build_context.read(&context_path);
                }
            }
            // `COPY . /app` or `COPY scripts/ /opt/scripts/`: a file inside.
            if let Some(inside) = path_inside(&into, &target) {
                let context_path = if source.is_empty() {
                    inside
                } else {
                    format!("{source}/{inside}")
                };
                if let Some(text) = build_context.read(&context_path) {
                    return Some(text);
                }
            }
        }
    }
    None
}

/// `file` relative to `dir`, when it is inside it (both known the same way).
fn path_inside(dir: &Dir, file: &Dir) -> Option<String> {
    let (dir, file) = match (dir, file) {
        (Dir::Known(dir), Dir::Known(file)) | (Dir::Inherited(dir), Dir::Inherited(file)) => {
            (dir, file)
        }
        _ => return None,
    };
    let dir = dir.trim_end_matches('/');
    if dir.is_empty() {
        return Some(file.trim_start_matches('/').to_string());
    }
    file.strip_prefix(&format!("{dir}/")).map(str::to_string)
}
