#![doc = include_str!("../../transforms/copy-chown/README.md")]

use std::ops::Range;

use crate::base_images::BaseImageMap;
use crate::engine::{Context, Edit, Fix, Safety, Transform};
use crate::paths::last_component;
use crate::shell::{AndOr, Command, Pipeline, Script};
use crate::syntax::image_ref::ImageRef;
use crate::syntax::stage_shell::is_windows_image;
use crate::syntax::{Dockerfile, Instruction, InstructionKind, Stage};
use crate::transforms::run_body;
use crate::transforms::workdir::{Dir, normalize, workdir_before};

pub struct CopyChown;

const ID: &str = "copy-chown";

impl Transform for CopyChown {
    fn id(&self) -> &'static str {
        ID
    }

    fn summary(&self) -> &'static str {
        "COPY then RUN chown -R/chmod -R of the copied path becomes COPY --chown/--chmod (the RUN stored every copied byte again)"
    }

    fn safety(&self) -> Safety {
        Safety::Safe
    }

    fn some_fixes_unsafe(&self) -> bool {
        true
    }

    fn docs(&self) -> &'static str {
        include_str!("../../transforms/copy-chown/README.md")
    }

    fn edits_shell(&self) -> bool {
        true
    }

    fn fixes(&self, file: &Dockerfile, context: &Context) -> Vec<Fix> {
        let stages = file.stages();
        let mut fixes = Vec::new();
        for stage in &stages {
            for (index, run) in stage.body.iter().enumerate() {
                if run.kind() != InstructionKind::Run || run.is_error() {
                    continue;
                }
                let site = Site {
                    file,
                    stages: &stages,
                    stage,
                    index,
                    run,
                    context,
                };
                if let Some(fix) = site.fix() {
                    fixes.push(fix);
                }
            }
        }
        fixes
    }
}

/// Directories a Linux distribution's root file system, or an official
/// image built on one, may already fill: a `COPY` destination under them may
/// hold files the base image put there, which `chown -R` would change and
/// `COPY --chown` would not. `go` is the golang image's `GOPATH` and
/// `WORKDIR` (`/go`). Others are created by the image's Dockerfile only.
const BASE_IMAGE_DIRECTORIES: &[&str] = &[
    "bin",
    "boot",
    "dev",
    "etc",
    "home",
    "lib",
    "lib32",
    "lib64",
    "libx32",
    "media",
    "mnt",
    "opt",
    "proc",
    "root",
    "run",
    "sbin",
    "srv",
    "sys",
    "tmp",
    "usr",
    "var",
    "go",
    // The entrypoint folders of the official images: nginx's start-up
    // scripts, postgres's and mysql's init scripts.
    "docker-entrypoint.d",
    "docker-entrypoint-initdb.d",
];

/// Official images, besides those of the base-image map, whose file systems
/// are a distribution root plus what they install under
/// [`BASE_IMAGE_DIRECTORIES`] (their Dockerfiles in docker-library).
const KNOWN_ROOT_IMAGES: &[&str] = &["alpine", "busybox", "fedora", "nginx", "httpd"];

/// What a recursive ownership or mode command sets.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Change {
    /// `chown -R OWNER`: the owner as written (`user`, `user:group`).
    Owner(String),
    /// `chmod -R MODE`: an octal mode.
    Mode(String),
}

impl Change {
    fn program(&self) -> &'static str {
        match self {
            Change::Owner(_) => "chown",
            Change::Mode(_) => "chmod",
        }
    }

    fn flag(&self) -> &'static str {
        match self {
            Change::Owner(_) => "chown",
            Change::Mode(_) => "chmod",
        }
    }
}

/// `chown [-R] OWNER PATH` or `chmod [-R] MODE PATH`, plain.
#[derive(Debug, Clone)]
struct OwnershipCommand {
    change: Change,
    /// The `-R` word's range up to the next word, when recursive.
    recursive: Option<Range<usize>>,
    path: String,
    text: String,
}

/// How the `RUN` is rewritten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RunEdit {
    /// The command goes: the `COPY` sets everything it set.
    Drop,
    /// Only `-R` goes: the command still sets the destination directory
    /// itself, which the `COPY` may not (an existing directory keeps its
    /// owner; `--chmod` leaves the destination directory's mode alone).
    Narrow,
}

/// One `RUN`, for the checks.
struct Site<'a> {
    file: &'a Dockerfile,
    stages: &'a [Stage],
    stage: &'a Stage,
    index: usize,
    run: &'a Instruction,
    context: &'a Context<'a>,
}

impl Site<'_> {
    fn skip(&self, reason: impl Into<String>) -> Option<Fix> {
        self.context.skip(ID, self.run.range().start, reason);
        None
    }

    fn fix(&self) -> Option<Fix> {
        let script = Script::shared_of_run(self.file, self.run)?;
        let (position, command, preceding) = self.candidate(&script)?;
        let shown = format!("`{}`", command.text);
        if let Some(image) = self.root_image_text()
            && is_windows_image(Some(&image), self.stage.from.flag("platform").as_deref())
        {
            return self.skip(format!("{shown}: a Windows stage"));
        }
        match &command.change {
            Change::Owner(owner) if !is_literal_owner(owner) => {
                return self.skip(format!(
                    "{shown}: only a literal `user` or `user:group` is moved to --chown (not `{owner}`)"
                ));
            }
            Change::Mode(mode) if !is_octal_mode(mode) => {
                return self.skip(format!(
                    "{shown}: only an octal mode up to 0777 is moved to --chmod (older BuildKit reads no other)"
                ));
            }
            _ => {}
        }
        let cwd = workdir_before(self.stage, self.index);
        let Some(destination) = cwd.join(&command.path).absolute().map(str::to_string) else {
            return self.skip(format!(
                "{shown}: the path depends on a working directory the Dockerfile does not set"
            ));
        };
        if destination == "/" {
            return self.skip(format!("{shown}: the whole file system"));
        }
        for earlier in &preceding {
            if cwd.join(&earlier.path).absolute() != Some(destination.as_str()) {
                return self.skip(format!(
                    "{shown}: `{}` before it in the RUN acts on another path",
                    earlier.text
                ));
            }
        }
        if let Some(user) = self.user_at_run()
            && !is_root(&user)
        {
            return self.skip(format!(
                "{shown}: the RUN runs as USER {user}, not root (as it stands, the command fails or does something else)"
            ));
        }
        let copies = match self.copies_into(&destination, &command.change) {
            Ok(copies) => copies,
            Err(reason) => return self.skip(format!("{shown}: {reason}")),
        };
        // A COPY into a folder below the path creates the folders between
        // them, and builders differ on who owns those: the legacy builder
        // leaves them to root when the source is a directory (a single
        // file's get the --chown owner). `chown -R` gave them to the owner
        // whatever the builder.
        if !self.single_file_copy(&copies)
            && let Some(deeper) = copies
                .iter()
                .filter_map(|&copy| self.copy_destination(copy))
                .find(|target| is_strictly_under(target.trim_end_matches('/'), &destination))
        {
            return self.skip(format!(
                "{shown}: the COPY into {deeper} creates the folders between {destination} and it, which builders give different owners (the legacy builder leaves them to root for a directory)"
            ));
        }
        let first_copy = copies.last().copied()?;
        let before = match self.before_copies(first_copy, &destination) {
            Ok(before) => before,
            Err(reason) => return self.skip(format!("{shown}: {reason}")),
        };
        if let Change::Owner(owner) = &command.change {
            let by_name = owner.split(':').any(|part| !is_number(part));
            for &copy in &copies {
                let instruction = &self.stage.body[copy];
                if by_name && instruction.flag("link").is_some() {
                    return self.skip(format!(
                        "{shown}: `COPY --link` would look the user name up without the image's /etc/passwd"
                    ));
                }
                if !owner.contains(':') && instruction.flag("from").is_some() {
                    return self.skip(format!(
                        "{shown}: sets the owner only, and `COPY --from` keeps the copied files' group, which is not known here"
                    ));
                }
            }
        }

        let mut unsafe_reasons = Vec::new();
        if let Some(reason) = before.unknown_base {
            unsafe_reasons.push(reason);
        }
        if !before.parent_exists {
            unsafe_reasons.push(format!(
                "the parent of {destination} is not known to exist before the COPY, and a COPY with --{} creates missing parents with that setting",
                command.change.flag()
            ));
        }
        if matches!(command.change, Change::Mode(_)) && !self.buildkit_certain() {
            unsafe_reasons.push(
                "--chmod needs BuildKit (the legacy builder refuses it) and the file neither names a `# syntax=` frontend nor uses BuildKit-only syntax".to_string(),
            );
        }

        // Whether the COPY leaves the destination exactly as the command did.
        let copy_sets_destination = match &command.change {
            // A file: the COPY sets it. A directory the first COPY creates:
            // BuildKit and the legacy builder give it the --chown owner.
            Change::Owner(_) => before.destination_is_new || self.single_file_copy(&copies),
            // --chmod leaves the destination directory's mode alone.
            Change::Mode(_) => self.single_file_copy(&copies) && before.destination_is_new,
        };
        let mut run_edit = if copy_sets_destination && unsafe_reasons.is_empty() {
            RunEdit::Drop
        } else {
            RunEdit::Narrow
        };
        let run_edits = match run_edit {
            RunEdit::Drop => match self.drop_command(&script, position) {
                Some(edit) => vec![edit],
                None => {
                    run_edit = RunEdit::Narrow;
                    vec![Edit::delete(command.recursive.clone()?)]
                }
            },
            RunEdit::Narrow => vec![Edit::delete(command.recursive.clone()?)],
        };

        let value = match &command.change {
            Change::Owner(owner) if owner.contains(':') => owner.clone(),
            // `chown USER` keeps the group, which is root's for files
            // copied from the context; `--chown=USER` alone would set the
            // group to the user's id.
            Change::Owner(owner) => format!("{owner}:0"),
            Change::Mode(mode) => mode.clone(),
        };
        let flag = format!("--{}={value}", command.change.flag());
        let mut edits = run_edits;
        for &copy in &copies {
            let instruction = &self.stage.body[copy];
            let keyword = instruction
                .logical()
                .source_range(instruction.layout().keyword.clone());
            edits.push(Edit::insert(keyword.end, format!(" {flag}")));
        }
        let lines: Vec<String> = copies
            .iter()
            .rev()
            .map(|&copy| self.line_of(&self.stage.body[copy]).to_string())
            .collect();
        let what = match run_edit {
            RunEdit::Drop => "the command goes".to_string(),
            RunEdit::Narrow => format!(
                "`{} {value_shown} {destination}` stays for the directory itself",
                command.change.program(),
                value_shown = match &command.change {
                    Change::Owner(owner) => owner.as_str(),
                    Change::Mode(mode) => mode.as_str(),
                }
            ),
        };
        let message = format!(
            "{shown} moves to `COPY {flag}` (line {}): the RUN stored every copied file a second time; {what}",
            lines.join(", ")
        );
        if unsafe_reasons.is_empty() {
            Some(Fix::safe(message, edits))
        } else {
            let reasons = unsafe_reasons.join("; ");
            self.context.skip(
                ID,
                self.run.range().start,
                format!("{shown}: offered as unsafe: {reasons}"),
            );
            Some(Fix::unsafe_(
                format!("{message} (unsafe: {reasons})"),
                edits,
            ))
        }
    }

    /// The recursive command to move: the first top-level pipeline that is
    /// one, preceded in the `&&` chain only by non-recursive `chown`/`chmod`
    /// commands (which a previous fix narrowed), and where it stands.
    fn candidate(
        &self,
        script: &Script,
    ) -> Option<(usize, OwnershipCommand, Vec<OwnershipCommand>)> {
        let list = script.lists.first()?;
        let mut preceding = Vec::new();
        for (position, pipeline) in list.pipelines.iter().enumerate() {
            let joined_by_and = position == 0 || list.operators[position - 1] == AndOr::And;
            let Some(command) = ownership_command(pipeline, self.file.text()) else {
                break;
            };
            if !joined_by_and {
                break;
            }
            if command.recursive.is_some() {
                if list.operators.get(position) == Some(&AndOr::Or) {
                    return self.skip_none(format!(
                        "`{}` is followed by `||`: whether what follows runs depends on it",
                        command.text
                    ));
                }
                return Some((position, command, preceding));
            }
            preceding.push(command);
        }
        // Say why a recursive chown/chmod elsewhere in the RUN is left alone.
        let text = self.file.text();
        if let Some((simple, _)) = script.simple_commands().into_iter().find(|(simple, _)| {
            matches!(simple.program(), Some("chown" | "chmod"))
                && simple
                    .args()
                    .iter()
                    .any(|word| &*word.raw == "-R" || &*word.raw == "--recursive")
        }) {
            let shown = &text[simple.range.clone()];
            let plain = Pipeline {
                commands: vec![Command::Simple(simple.clone())],
                negated: false,
                range: simple.range.clone(),
            };
            let reason = if ownership_command(&plain, text).is_none() {
                "only the plain `chown -R OWNER PATH` / `chmod -R MODE PATH` (one path, no other options, no redirections) is moved"
            } else {
                "it is not the first command of the RUN: what runs before it may create the user or change the path"
            };
            self.context
                .skip(ID, self.run.range().start, format!("`{shown}`: {reason}"));
        }
        None
    }

    fn skip_none<T>(&self, reason: String) -> Option<T> {
        self.context.skip(ID, self.run.range().start, reason);
        None
    }

    /// The `COPY`s between the last earlier `RUN` and this one that write
    /// into `destination`, nearest first; an error when an instruction in
    /// that stretch makes the move unsafe.
    fn copies_into(&self, destination: &str, change: &Change) -> Result<Vec<usize>, String> {
        let mut copies = Vec::new();
        for position in (0..self.index).rev() {
            let instruction = &self.stage.body[position];
            match instruction.kind() {
                InstructionKind::Run => break,
                InstructionKind::Copy | InstructionKind::Add => {
                    let keyword = instruction.keyword().to_ascii_uppercase();
                    let target = self.copy_destination(position);
                    match relation(target.as_deref(), destination) {
                        Relation::Inside => {
                            if instruction.kind() == InstructionKind::Add {
                                return Err(format!(
                                    "an ADD writes into {destination} (add-to-copy turns it into COPY when it can)"
                                ));
                            }
                            if instruction.flag(change.flag()).is_some() {
                                return Err(format!(
                                    "the COPY on line {} already has --{}",
                                    self.line_of(instruction),
                                    change.flag()
                                ));
                            }
                            copies.push(position);
                        }
                        Relation::Disjoint if !target_under(target.as_deref(), "/etc") => {}
                        Relation::Disjoint => {
                            return Err(format!(
                                "the {keyword} on line {} writes into /etc (the users and groups may change)",
                                self.line_of(instruction)
                            ));
                        }
                        Relation::Around | Relation::Unknown => {
                            return Err(format!(
                                "the {keyword} on line {} may write into {destination} as well",
                                self.line_of(instruction)
                            ));
                        }
                    }
                }
                InstructionKind::Workdir => {
                    if let Some(path) = self
                        .stage_dir(position)
                        .join(instruction.args().trim())
                        .absolute()
                        && is_strictly_under(path, destination)
                    {
                        return Err(format!(
                            "WORKDIR {path} creates a directory in {destination} that the COPY does not"
                        ));
                    }
                }
                InstructionKind::User | InstructionKind::Volume => {
                    return Err(format!(
                        "a {} instruction stands between the COPY and the RUN",
                        instruction.keyword().to_ascii_uppercase()
                    ));
                }
                InstructionKind::Env
                | InstructionKind::Arg
                | InstructionKind::Label
                | InstructionKind::Expose
                | InstructionKind::Cmd
                | InstructionKind::Entrypoint
                | InstructionKind::Healthcheck
                | InstructionKind::StopSignal
                | InstructionKind::Maintainer
                | InstructionKind::Onbuild
                | InstructionKind::Shell => {}
                InstructionKind::From | InstructionKind::Unknown => {
                    return Err("an instruction dockfix does not know stands before the RUN".into());
                }
            }
        }
        if copies.is_empty() {
            return Err(format!(
                "no COPY into {destination} since the previous RUN (only instructions that write no files may stand between)"
            ));
        }
        Ok(copies)
    }

    /// The working directory before `body[position]` of this stage.
    fn stage_dir(&self, position: usize) -> Dir {
        workdir_before(self.stage, position)
    }

    /// Where the `COPY` at `position` writes (absolute), when known.
    fn copy_destination(&self, position: usize) -> Option<String> {
        let instruction = &self.stage.body[position];
        let destination = instruction.as_copy()?.destination()?;
        self.stage_dir(position)
            .join(&destination)
            .absolute()
            .map(str::to_string)
    }

    /// What the instructions before the first `COPY` (this stage's, and
    /// those of the stages it is built `FROM`) did to `destination`.
    fn before_copies(&self, first_copy: usize, destination: &str) -> Result<Before, String> {
        let parent = parent_of(destination);
        let mut before = Before {
            parent_exists: parent == "/",
            destination_is_new: true,
            unknown_base: None,
        };
        let mut stage = self.stage;
        let mut end = first_copy;
        let mut seen = 0;
        loop {
            for position in (0..end).rev() {
                let instruction = &stage.body[position];
                let dir = workdir_before(stage, position);
                let line = self.line_of(instruction);
                match instruction.kind() {
                    InstructionKind::Copy | InstructionKind::Add => {
                        let target = instruction
                            .as_copy()
                            .and_then(|copy| copy.destination())
                            .and_then(|path| dir.join(&path).absolute().map(str::to_string));
                        if relation(target.as_deref(), destination) != Relation::Disjoint {
                            return Err(format!(
                                "the {} on line {line} may already write into {destination}, and its files would keep their owner",
                                instruction.keyword().to_ascii_uppercase()
                            ));
                        }
                    }
                    InstructionKind::Run => {
                        let made = run_may_write(self.file, instruction, &dir, destination)
                            .map_err(|reason| format!("the RUN on line {line} {reason}"))?;
                        for (path, certain) in made {
                            if path == destination {
                                before.destination_is_new = false;
                            }
                            if certain && (path == parent || is_strictly_under(&path, &parent)) {
                                before.parent_exists = true;
                            }
                        }
                    }
                    InstructionKind::Workdir => match dir.join(instruction.args().trim()) {
                        Dir::Known(path) => {
                            if path == destination {
                                before.destination_is_new = false;
                            } else if is_strictly_under(&path, destination) {
                                return Err(format!(
                                    "WORKDIR {path} (line {line}) creates a directory in {destination} that the COPY does not"
                                ));
                            }
                            if path == parent || is_strictly_under(&path, &parent) {
                                before.parent_exists = true;
                            }
                        }
                        _ => {
                            return Err(format!(
                                "WORKDIR on line {line} depends on a variable or on the base image"
                            ));
                        }
                    },
                    InstructionKind::Volume => {
                        return Err(format!(
                            "VOLUME on line {line}: the legacy builder discards what a RUN changes in a volume"
                        ));
                    }
                    _ => {}
                }
            }
            // The stage it is built FROM.
            let image = stage.from.as_from().and_then(|from| from.image());
            let parent_stage = image.as_ref().and_then(|(name, _)| {
                let name = name.to_ascii_lowercase();
                self.stages[..stage.index]
                    .iter()
                    .rev()
                    .find(|earlier| earlier.name().as_deref() == Some(name.as_str()))
            });
            match parent_stage {
                Some(earlier) if seen < self.stages.len() => {
                    stage = earlier;
                    end = earlier.body.len();
                    seen += 1;
                }
                _ => {
                    let image = image.map(|(text, _)| ImageRef::parse(&text));
                    before.unknown_base = base_may_hold(image.as_ref(), destination);
                    if before.unknown_base.is_some() {
                        before.destination_is_new = false;
                    }
                    return Ok(before);
                }
            }
        }
    }

    /// The image at the root of this stage's `FROM` chain, as written.
    fn root_image_text(&self) -> Option<String> {
        let mut stage = self.stage;
        for _ in 0..=self.stages.len() {
            let (image, _) = stage.from.as_from()?.image()?;
            let lower = image.to_ascii_lowercase();
            match self.stages[..stage.index]
                .iter()
                .rev()
                .find(|earlier| earlier.name().as_deref() == Some(lower.as_str()))
            {
                Some(earlier) => stage = earlier,
                None => return Some(image),
            }
        }
        None
    }

    /// The `USER` in force at the `RUN`, as far as the Dockerfile says: set
    /// in this stage, or in the stages it is built `FROM`.
    fn user_at_run(&self) -> Option<String> {
        let last_user = |instructions: &[Instruction]| {
            instructions
                .iter()
                .rev()
                .find(|instruction| instruction.kind() == InstructionKind::User)
                .map(|instruction| instruction.args().trim().to_string())
        };
        if let Some(user) = last_user(&self.stage.body[..self.index]) {
            return Some(user);
        }
        let mut stage = self.stage;
        for _ in 0..self.stages.len() {
            let (image, _) = stage.from.as_from()?.image()?;
            let image = image.to_ascii_lowercase();
            stage = self.stages[..stage.index]
                .iter()
                .rev()
                .find(|earlier| earlier.name().as_deref() == Some(image.as_str()))?;
            if let Some(user) = last_user(&stage.body) {
                return Some(user);
            }
        }
        None
    }

    /// True when one `COPY` copies one regular file of the build context to
    /// a file path (no trailing `/` on either side).
    fn single_file_copy(&self, copies: &[usize]) -> bool {
        let [copy] = copies else {
            return false;
        };
        let instruction = &self.stage.body[*copy];
        let Some(view) = instruction.as_copy() else {
            return false;
        };
        let sources = view.sources();
        let (Some(destination), [source]) = (view.destination(), sources.as_slice()) else {
            return false;
        };
        if view.from_stage().is_some()
            || destination.ends_with('/')
            || source.ends_with('/')
            || source.contains(['*', '?', '[', '$'])
            || !instruction.heredocs().is_empty()
        {
            return false;
        }
        let Some(build_context) = self.context.build_context else {
            return false;
        };
        let relative = source.trim_start_matches('/').trim_start_matches("./");
        !relative.is_empty()
            && !relative.split('/').any(|part| part == "..")
            && build_context.root().join(relative).is_file()
    }

    /// True when the file is certainly built with BuildKit: it names a
    /// frontend, or uses syntax only BuildKit reads.
    fn buildkit_certain(&self) -> bool {
        if self
            .file
            .directives()
            .iter()
            .any(|(name, _)| name == "syntax")
        {
            return true;
        }
        self.file.instructions().any(|instruction| {
            !instruction.heredocs().is_empty()
                || match instruction.kind() {
                    InstructionKind::Run => !instruction.flags().is_empty(),
                    InstructionKind::Copy | InstructionKind::Add => {
                        ["chmod", "link", "parents", "exclude"]
                            .iter()
                            .any(|flag| instruction.flag(flag).is_some())
                    }
                    _ => false,
                }
        })
    }

    /// The edit that removes the pipeline at `position` of the first list,
    /// or the whole `RUN` when it is all the RUN does.
    fn drop_command(&self, script: &Script, position: usize) -> Option<Edit> {
        let list = script.lists.first()?;
        if script.lists.len() == 1 && list.pipelines.len() == 1 {
            if !self.run.flags().is_empty() {
                return None;
            }
            return Some(Edit::delete(self.run.range()));
        }
        run_body::remove_from_and_chain(script, 0, position)
    }

    fn line_of(&self, instruction: &Instruction) -> usize {
        let start = instruction.text_range().start;
        self.file.text()[..start].matches('\n').count() + 1
    }
}

/// What the instructions before the first `COPY` showed.
struct Before {
    /// The destination's parent directory exists before the COPY.
    parent_exists: bool,
    /// No instruction made the destination before the COPY (and the base
    /// image is not thought to have it).
    destination_is_new: bool,
    /// Why the base image may already hold files in the destination.
    unknown_base: Option<String>,
}

/// Why the base image may already hold files under `destination`, if it may.
fn base_may_hold(image: Option<&ImageRef>, destination: &str) -> Option<String> {
    let Some(image) = image else {
        return Some("the base image is not known".into());
    };
    if image.is_scratch() {
        return None;
    }
    let top = destination
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    let known = BaseImageMap::builtin().lookup(image).is_some()
        || KNOWN_ROOT_IMAGES.contains(&image.repository().as_str());
    if !known {
        return Some(format!(
            "the base image `{image}` is not one whose files dockfix knows: it may already hold files in {destination}, which `chown -R` changes and the COPY does not"
        ));
    }
    if BASE_IMAGE_DIRECTORIES.contains(&top) {
        return Some(format!(
            "{destination} is under /{top}, which the base image may already fill: `chown -R` changes its files, the COPY does not"
        ));
    }
    None
}

/// Programs that manage users and groups: of their words, only paths
/// count (`useradd -d /app`), so `useradd app` does not look like a write
/// to `/app`. `-m` makes the home directory under `/home`.
const USER_TOOLS: &[&str] = &["useradd", "adduser", "groupadd", "addgroup", "usermod"];

/// Why an earlier `RUN` may have written into `destination`: it runs there,
/// or its text names the path or its last component. Otherwise the
/// directories its plain `mkdir [-p] /ABSOLUTE/PATH` commands make, each
/// with whether it surely runs (top level, not after `||`): `mkdir -p
/// /app` leaves an empty destination, which the COPY fills.
fn run_may_write(
    file: &Dockerfile,
    run: &Instruction,
    dir: &Dir,
    destination: &str,
) -> Result<Vec<(String, bool)>, String> {
    match dir {
        Dir::Known(path) if path == destination || is_strictly_under(path, destination) => {
            return Err(format!("runs in {path}, where it may write files"));
        }
        Dir::Unknown => return Err("runs in a directory set by a variable".into()),
        _ => {}
    }
    let last = last_component(destination);
    let names = |text: &str| {
        text.contains(destination)
            || text
                .match_indices(last)
                .any(|(at, _)| is_word_boundary(text, at, last.len()))
    };
    let may_write = format!("names {destination} (or `{last}`) and may write into it");
    let Some(script) = Script::shared_of_run(file, run) else {
        let mut text = run.logical().text().to_string();
        for heredoc in run.heredocs() {
            text.push_str(&heredoc.body);
        }
        return if names(&text) {
            Err(may_write)
        } else {
            Ok(Vec::new())
        };
    };
    let mut scripts = vec![script];
    scripts.extend(Script::shared_heredoc_scripts(file, run));
    let mut made = Vec::new();
    for script in &scripts {
        for (simple, context) in script.simple_commands() {
            let program = simple.program();
            if program == Some("mkdir")
                && let Some(paths) = plain_mkdir_paths(simple)
            {
                for path in paths {
                    if is_strictly_under(&path, destination) {
                        return Err(format!("makes {path} inside {destination}"));
                    }
                    let certain = context.top_level && !context.conditional;
                    made.push((path, certain));
                }
                continue;
            }
            let manages_users = program.is_some_and(|program| USER_TOOLS.contains(&program));
            let named = if manages_users {
                let home = simple.args().iter().any(|word| word.raw.starts_with("-m"))
                    && (destination == "/home" || is_strictly_under(destination, "/home"));
                home || simple.args().iter().any(|word| {
                    word.raw.contains('/')
                        && (word.raw.contains(destination)
                            || is_strictly_under(destination, word.raw.trim_end_matches('/')))
                })
            } else {
                simple
                    .assignments
                    .iter()
                    .chain(&simple.words)
                    .chain(&simple.redirects)
                    .any(|word| names(&word.raw))
            };
            if named {
                return Err(may_write);
            }
            // A path held in a variable or made by a command
            // (`mkdir -p $APP_HOME/logs`, `> "$(dirname $f)/x"`) may be
            // the destination: only commands that write no files pass.
            let writes_through_expansion = simple
                .redirects
                .iter()
                .chain(
                    if program.is_some_and(|program| WRITES_NO_FILES.contains(&program)) {
                        &[][..]
                    } else {
                        simple.args()
                    },
                )
                .find(|word| word.raw.contains(['$', '`']));
            if let Some(word) = writes_through_expansion {
                return Err(format!(
                    "writes to `{}`, a path dockfix cannot read, which may be in {destination}",
                    word.raw
                ));
            }
        }
    }
    Ok(made)
}

/// Programs that write no files, whatever their arguments name.
const WRITES_NO_FILES: &[&str] = &[
    "echo", "printf", "test", "[", "true", "false", "export", "set", "unset", ":", "exit",
    "return", "grep", "cat", "ls", "stat", "id", "getent", "sleep", "which", "type",
];

/// The absolute paths of `mkdir [-p|--parents] PATH...` with literal
/// words and no redirections; `None` for any other form.
fn plain_mkdir_paths(simple: &crate::shell::SimpleCommand) -> Option<Vec<String>> {
    if !simple.redirects.is_empty() || !simple.assignments.is_empty() {
        return None;
    }
    let mut paths = Vec::new();
    for word in simple.args() {
        let literal = word.literal()?;
        match literal.as_str() {
            "-p" | "--parents" => {}
            _ if literal.starts_with('-') => return None,
            _ if literal.starts_with('/') && !literal.contains(['*', '?', '[']) => {
                paths.push(normalize(&literal));
            }
            _ => return None,
        }
    }
    (!paths.is_empty()).then_some(paths)
}

fn is_word_boundary(text: &str, at: usize, len: usize) -> bool {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.';
    let before = text[..at].chars().next_back();
    let after = text[at + len..].chars().next();
    !before.is_some_and(is_name) && !after.is_some_and(is_name)
}

/// How a write target relates to the destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    /// The target is the destination or inside it.
    Inside,
    /// The target contains the destination (`COPY . /` may write into it).
    Around,
    Disjoint,
    Unknown,
}

fn relation(target: Option<&str>, destination: &str) -> Relation {
    let Some(target) = target else {
        return Relation::Unknown;
    };
    if target == destination || is_strictly_under(target, destination) {
        Relation::Inside
    } else if is_strictly_under(destination, target) || target == "/" {
        Relation::Around
    } else {
        Relation::Disjoint
    }
}

fn target_under(target: Option<&str>, directory: &str) -> bool {
    target.is_some_and(|target| target == directory || is_strictly_under(target, directory))
}

fn is_strictly_under(path: &str, directory: &str) -> bool {
    let directory = directory.trim_end_matches('/');
    path.strip_prefix(directory)
        .is_some_and(|rest| rest.starts_with('/') && rest.len() > 1)
}

fn parent_of(path: &str) -> String {
    match path.rsplit_once('/') {
        Some(("", _)) | None => "/".into(),
        Some((parent, _)) => normalize(parent),
    }
}

/// `chown [-R] OWNER PATH` / `chmod [-R] MODE PATH` with literal words,
/// nothing else: no other options, no redirections, no assignments.
fn ownership_command(pipeline: &Pipeline, text: &str) -> Option<OwnershipCommand> {
    let [Command::Simple(simple)] = pipeline.commands.as_slice() else {
        return None;
    };
    if pipeline.negated || !simple.assignments.is_empty() || !simple.redirects.is_empty() {
        return None;
    }
    let name = simple.name()?;
    if !matches!(name.as_str(), "chown" | "chmod") {
        return None;
    }
    let args = simple.args();
    let (recursive, setting, path) = match args {
        [flag, setting, path] if &*flag.raw == "-R" => {
            (Some(flag.range.start..setting.range.start), setting, path)
        }
        [setting, path] => (None, setting, path),
        _ => return None,
    };
    let setting_text = setting.literal()?;
    let path_text = path.literal()?;
    if setting_text.starts_with('-')
        || path_text.starts_with('-')
        || path_text.contains(['*', '?', '[', '~'])
        || path_text.is_empty()
    {
        return None;
    }
    let change = if name == "chown" {
        Change::Owner(setting_text)
    } else {
        Change::Mode(setting_text)
    };
    Some(OwnershipCommand {
        change,
        recursive,
        path: path_text,
        text: text[simple.range.clone()].to_string(),
    })
}

/// `user`, `user:group`, numeric or names, nothing that needs a lookup
/// rule of its own (`user:` for the login group, `:group`, `user.group`).
fn is_literal_owner(owner: &str) -> bool {
    let part_ok = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            && !part.starts_with('-')
    };
    match owner.split_once(':') {
        Some((user, group)) => part_ok(user) && part_ok(group),
        None => part_ok(owner),
    }
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_digit())
}

/// Three octal digits, or four starting with 0: no setuid, setgid or
/// sticky bits, which `--chmod` handling has varied on.
fn is_octal_mode(mode: &str) -> bool {
    let digits = match mode.len() {
        3 => mode,
        4 if mode.starts_with('0') => &mode[1..],
        _ => return false,
    };
    digits.chars().all(|c| ('0'..='7').contains(&c))
}

fn is_root(user: &str) -> bool {
    matches!(user.split(':').next().unwrap_or_default(), "root" | "0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_and_modes() {
        for owner in ["app", "app:app", "1000:1000", "www-data:www-data", "node"] {
            assert!(is_literal_owner(owner), "{owner}");
        }
        for owner in ["app:", ":app", "app.app", "$USER", "a:b:c"] {
            assert!(!is_literal_owner(owner), "{owner}");
        }
        for mode in ["755", "0644", "700"] {
            assert!(is_octal_mode(mode), "{mode}");
        }
        for mode in ["4755", "u+x", "75", "888", "a=rX"] {
            assert!(!is_octal_mode(mode), "{mode}");
        }
    }

    #[test]
    fn paths() {
        assert_eq!(parent_of("/app"), "/");
        assert_eq!(parent_of("/app/src"), "/app");
        assert!(is_strictly_under("/app/src", "/app"));
        assert!(!is_strictly_under("/application", "/app"));
        assert!(!is_strictly_under("/app", "/app"));
        assert_eq!(relation(Some("/"), "/app"), Relation::Around);
        assert_eq!(relation(Some("/app/x"), "/app"), Relation::Inside);
        assert_eq!(relation(Some("/srv"), "/app"), Relation::Disjoint);
    }
}
