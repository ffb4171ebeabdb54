#![doc = include_str!("../../transforms/slim-base-image/README.md")]

mod app_code;

use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::ops::Range;
use std::rc::Rc;

use foldhash::{HashSet, HashSetExt};

use crate::base_images::{self, BaseImage, BaseImageMap, Sizes, TagRule};
use crate::config::Preference;
use crate::engine::{Context, Edit, Fix, Safety, Transform};
use crate::shell::Script;
use crate::shell::packages::{self, Manager};
use crate::syntax::image_ref::ImageRef;
use crate::syntax::{Dockerfile, Instruction, InstructionKind, LineIndex, Stage};

pub struct SlimBaseImage;

const ID: &str = "slim-base-image";

impl Transform for SlimBaseImage {
    fn id(&self) -> &'static str {
        ID
    }

    fn summary(&self) -> &'static str {
        "Swap FROM images for their slim variants (same distribution), keeping the pinned version"
    }

    fn safety(&self) -> Safety {
        Safety::Safe
    }

    fn some_fixes_unsafe(&self) -> bool {
        true
    }

    fn docs(&self) -> &'static str {
        include_str!("../../transforms/slim-base-image/README.md")
    }

    fn fixes(&self, file: &Dockerfile, context: &Context) -> Vec<Fix> {
        let stages = file.stages();
        let build = Build {
            file,
            stages: &stages,
            context: *context,
            map: context.settings.base_images(),
            arg_defaults: global_arg_defaults(file),
            lines: LineIndex::new(file.text()),
            references: OnceCell::new(),
            bases: base_stages(&stages),
            lacked: RefCell::default(),
        };
        let prefer_alpine = context.settings.slim_base_image.prefer == Preference::Alpine;
        stages
            .iter()
            .filter_map(|stage| build.fix_for_stage(stage, prefer_alpine))
            .collect()
    }
}

/// The file, its stages and its build context: what every decision reads.
struct Build<'a> {
    file: &'a Dockerfile,
    stages: &'a [Stage],
    context: Context<'a>,
    map: &'a BaseImageMap,
    arg_defaults: Vec<(String, Option<String>)>,
    /// Line numbers for messages: counting newlines from the start for
    /// each instruction made the transform cubic in the file's length (a
    /// 20 KB file took a second).
    lines: LineIndex,
    /// Every `COPY --from`/`RUN --mount=from` of the file, found once: each
    /// family looks through them (walking every instruction per family
    /// made the transform quadratic in the number of stages).
    references: OnceCell<Vec<StageReference<'a>>>,
    /// [`base_stages`] of `stages`.
    bases: Vec<Option<usize>>,
    /// What each map entry's slim variant lacks, its `@sets` expanded once
    /// per entry rather than several times per stage.
    lacked: RefCell<Vec<(&'a BaseImage, Tools<'a>)>>,
}

/// Tool names, shared.
type Tools<'a> = Rc<[&'a str]>;

/// A `COPY --from`/`RUN --mount=from` in `stage` at `offset`.
struct StageReference<'a> {
    stage: &'a Stage,
    offset: usize,
    from: String,
    sources: Vec<String>,
    how: &'static str,
}

/// Defaults of the `ARG`s declared before the first `FROM`.
fn global_arg_defaults(file: &Dockerfile) -> Vec<(String, Option<String>)> {
    file.global_instructions()
        .iter()
        .filter(|instruction| instruction.kind() == InstructionKind::Arg)
        .flat_map(|instruction| instruction.key_values(file.escape()))
        .map(|pair| (pair.key, pair.value))
        .collect()
}

/// What the tag of a `FROM` lets dockfix do.
enum TagKind {
    /// Written out: `3.12-bookworm`, or no tag.
    Literal,
    /// Starts with a variable whose default is a version (`${NODE_VERSION}`
    /// with `ARG NODE_VERSION=20`): a build argument can still replace it
    /// with any tag, so the swap is unsafe at most.
    VersionVariable(String),
    /// Not mappable; the reason says why.
    Unusable(String),
}

/// Characters Docker allows in a tag (`[\w][\w.-]{0,127}`).
fn is_tag_text(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn classify_tag(tag: Option<&str>, defaults: &[(String, Option<String>)]) -> TagKind {
    let Some(tag) = tag else {
        return TagKind::Literal;
    };
    let first = tag.split('-').next().unwrap_or_default();
    if !first.starts_with('$') {
        if is_tag_text(tag) {
            return TagKind::Literal;
        }
        return TagKind::Unusable(format!(
            "the tag `{tag}` is a template placeholder, not an image tag"
        ));
    }
    if !is_tag_text(&tag[first.len()..]) {
        return TagKind::Unusable(format!("the tag `{tag}` is not a version dockfix can map"));
    }
    let name = first
        .trim_start_matches('$')
        .trim_start_matches('{')
        .trim_end_matches('}');
    match defaults
        .iter()
        .rev()
        .find(|(key, _)| key == name)
        .and_then(|(_, value)| value.as_deref())
    {
        Some(value) if value.starts_with(|c: char| c.is_ascii_digit()) => {
            TagKind::VersionVariable(name.to_string())
        }
        Some(value) => TagKind::Unusable(format!(
            "the tag comes from `${name}`, whose default `{value}` is not a version: it could name any variant"
        )),
        None => TagKind::Unusable(format!(
            "the tag comes from `${name}`, which has no default: it could name any variant"
        )),
    }
}

/// Which stages a stage's image reaches: itself and every stage built
/// `FROM` it, directly or not.
/// `bases` is [`base_stages`] of `stages`, worked out once by the caller:
/// asking for it for each stage made the transform quadratic in the number
/// of stages.
fn family<'s>(stages: &'s [Stage], bases: &[Option<usize>], stage: &'s Stage) -> Vec<&'s Stage> {
    let mut in_family = vec![false; stages.len()];
    in_family[stage.index] = true;
    let mut members = vec![stage];
    for candidate in &stages[stage.index + 1..] {
        if bases[candidate.index].is_some_and(|base| in_family[base]) {
            in_family[candidate.index] = true;
            members.push(candidate);
        }
    }
    members
}

/// [`Stage::base_stage`] of every stage, by index (found once per parse).
fn base_stages(stages: &[Stage]) -> Vec<Option<usize>> {
    stages
        .iter()
        .map(|stage| stage.base_stage(stages).map(|base| base.index))
        .collect()
}

/// The stage a `--from=` option names (an `AS` name or an index) among the
/// stages before `before`. Not for `FROM`, which names stages only by
/// name: BuildKit reads `FROM 0` as an image called `0`
/// ([`Stage::base_stage`]).
fn stage_named<'s>(stages: &'s [Stage], reference: &str, before: usize) -> Option<&'s Stage> {
    let reference = reference.to_ascii_lowercase();
    if let Ok(index) = reference.parse::<usize>() {
        return stages.get(index).filter(|stage| stage.index < before);
    }
    stages[..before.min(stages.len())]
        .iter()
        .rev()
        .find(|stage| stage.is_named(&reference))
}

/// True when the stage's files end up in the final image: it is the final
/// stage or the final stage is built `FROM` it. dockfix assumes the build
/// produces the last stage; `docker build --target` can pick another, which
/// a Dockerfile cannot tell.
fn ships(stages: &[Stage], bases: &[Option<usize>], stage: &Stage) -> bool {
    stages.last().is_some_and(|last| {
        family(stages, bases, stage)
            .iter()
            .any(|member| member.index == last.index)
    })
}

/// The words and text of commands, to find the programs they name.
#[derive(Debug, Default)]
struct Usage {
    /// Every word, and its last path component.
    words: HashSet<String>,
    /// The command text, blanks collapsed, to find `dotnet build`-style phrases.
    text: String,
}

impl Usage {
    fn add(&mut self, text: &str) {
        for word in split_words(text) {
            // Words repeat (`apt-get`, `-y`): allocate only new ones.
            if !self.words.contains(word) {
                self.words.insert(word.to_string());
            }
            if let Some((_, last)) = word.rsplit_once('/')
                && !self.words.contains(last)
            {
                self.words.insert(last.to_string());
            }
        }
        self.text.push(' ');
        for (index, word) in text.split_whitespace().enumerate() {
            if index > 0 {
                self.text.push(' ');
            }
            self.text.push_str(word);
        }
    }

    fn uses(&self, tool: &str) -> bool {
        if tool.contains(' ') {
            return self.text.contains(tool);
        }
        self.words.contains(tool)
    }
}

/// Words of a command text: split at blanks, shell operators, quotes and
/// `=` (so `--prefix=/install` yields `/install`).
fn split_words(text: &str) -> impl Iterator<Item = &str> {
    let separates = |c: char| {
        c.is_whitespace()
            || matches!(
                c,
                ';' | '&' | '|' | '(' | ')' | '<' | '>' | '"' | '\'' | '`' | '=' | ','
            )
    };
    text.split(separates)
        .map(|word| word.trim_start_matches('$'))
        .filter(|word| !word.is_empty())
}

/// A `COPY`/`ADD` from the build context, to find which context file ends
/// up at a path of the image.
#[derive(Debug)]
struct ContextCopy {
    /// Absolute destination, without a trailing `/`.
    destination: String,
    destination_is_directory: bool,
    sources: Vec<String>,
}

/// What a family of stages (the stage to swap and the stages built from
/// it) does, read from the Dockerfile and the build context.
#[derive(Debug, Default)]
struct Facts {
    /// `RUN` bodies (also `ONBUILD RUN`) and the npm scripts they run.
    build: Usage,
    /// `CMD`, `ENTRYPOINT`, `HEALTHCHECK`, the context scripts and npm
    /// scripts they run: what the image runs when it is used.
    runtime: Usage,
    /// Packages installed with apt, apk, yum, dnf, zypper (and the tools
    /// they bring).
    installed: HashSet<String>,
    /// Reasons the swap cannot be proven safe (it may still be offered as
    /// unsafe).
    risks: Vec<String>,
    /// Reasons npm, yarn or pnpm may build native modules.
    node_native: Vec<String>,
    /// File offset of the first `RUN` of the swapped stage itself that runs
    /// `apt-get update`: where missing runtime tools can be installed.
    apt_run: Option<(usize, String)>,
    /// Paths of excluded directories the commands read.
    excluded_paths: Vec<String>,
    /// The family sets a CMD or ENTRYPOINT (else the image's own runs).
    sets_command: bool,
}

impl<'a> Build<'a> {
    /// The tools `entry`'s slim variant lacks.
    fn lacks(&self, entry: &'a BaseImage) -> Tools<'a> {
        let mut lacked = self.lacked.borrow_mut();
        if let Some((_, tools)) = lacked.iter().find(|(seen, _)| std::ptr::eq(*seen, entry)) {
            return tools.clone();
        }
        let tools: Tools<'a> = self.map.lacks(entry).into();
        lacked.push((entry, tools.clone()));
        tools
    }

    fn skip(&self, at: usize, reason: impl Into<String>) {
        self.context.skip(ID, at, reason);
    }

    fn read_context(&self, relative: &str) -> Option<String> {
        self.context.build_context?.read(relative)
    }

    fn context_is_directory(&self, relative: &str) -> bool {
        self.context
            .build_context
            .is_some_and(|context| relative.is_empty() || context.root().join(relative).is_dir())
    }

    fn fix_for_stage(&self, stage: &Stage, prefer_alpine: bool) -> Option<Fix> {
        let from = stage.from.as_from()?;
        let (written, range) = from.image()?;
        let image = ImageRef::parse(&written);
        if image.is_scratch()
            || stage.base_stage(self.stages).is_some()
            || base_images::is_already_small(&image)
        {
            return None;
        }
        let (_, entry) = self.map.lookup(&image)?;
        if entry.builder_only {
            return None;
        }
        let at = range.start;
        if image.digest.is_some() {
            self.skip(at, "the image is pinned by digest: a digest names exact bytes, and the slim variant's digest is not known");
            return None;
        }
        if image.registry.as_deref().is_some_and(|r| r.contains('$')) || image.path.contains('$') {
            self.skip(at, "the repository is a variable: it could name any image");
            return None;
        }
        let mut unsafe_reasons = Vec::new();
        match classify_tag(image.tag.as_deref(), &self.arg_defaults) {
            TagKind::Literal => {}
            TagKind::VersionVariable(name) => unsafe_reasons.push(format!(
                "the tag comes from `${name}`, and `--build-arg {name}=…` may name a variant this rewrite does not fit (`20-alpine` would become `20-alpine-slim`)"
            )),
            TagKind::Unusable(reason) => {
                self.skip(at, reason);
                return None;
            }
        }

        let members = family(self.stages, &self.bases, stage);
        let shipped = ships(self.stages, &self.bases, stage);
        let mut facts = self.facts(stage, &members);
        if let Some(command) = entry.default_cmd.as_deref()
            && !facts.sets_command
        {
            facts.runtime.add(command);
        }
        let use_alpine = prefer_alpine || entry.slim.is_none();
        if use_alpine {
            return self.alpine_fix(entry, &image, &facts, shipped, range);
        }
        let rule: &TagRule = entry.slim.as_ref()?;
        let Some(target) = rule.apply(&image) else {
            self.skip(
                at,
                format!("the map has no slim variant for the tag of {image}"),
            );
            return None;
        };

        let lacks = self.lacks(entry);
        let lacking = |usage: &Usage| -> Vec<&str> {
            lacks
                .iter()
                .copied()
                .filter(|tool| usage.uses(tool) && !facts.installed.contains(*tool))
                .collect()
        };
        let missing_at_build = lacking(&facts.build);
        let missing_at_run: Vec<&str> = lacking(&facts.runtime)
            .into_iter()
            .filter(|tool| !missing_at_build.contains(tool))
            .collect();
        if !missing_at_build.is_empty() {
            unsafe_reasons.push(format!(
                "the build uses {}, which the slim variant lacks",
                missing_at_build.join(", ")
            ));
        }
        if !self.compilers_installed(&facts) {
            let mut native: Vec<String> = entry
                .native_installers
                .iter()
                .filter(|installer| !matches!(installer.as_str(), "npm" | "yarn" | "pnpm"))
                .filter(|installer| facts.build.uses(installer) || facts.runtime.uses(installer))
                .map(|installer| format!("`{installer}` may compile native code"))
                .collect();
            if entry.native_installers.iter().any(|i| i == "npm") {
                native.extend(facts.node_native.iter().cloned());
            }
            if !native.is_empty() {
                unsafe_reasons.push(format!(
                    "{}, and the slim variant has no compilers",
                    native.join("; ")
                ));
            }
        }
        unsafe_reasons.extend(facts.risks.iter().cloned());
        let excludes = self.map.excludes(entry);
        let excluded: Vec<&str> = facts
            .excluded_paths
            .iter()
            .map(String::as_str)
            .filter(|path| {
                excludes
                    .iter()
                    .any(|exclude| under(path, exclude).is_some())
                    && !kept_by_slim(path)
            })
            .collect();
        if !excluded.is_empty() {
            unsafe_reasons.push(format!(
                "the stage uses {}, which the slim variant does not have (dpkg path-exclude of Debian slim images, debuerreotype's .slimify-excludes)",
                excluded.join(", ")
            ));
        }
        let breaking = self.breaking_packages(entry, &facts);
        if !breaking.is_empty() {
            unsafe_reasons.push(format!(
                "installing {} fails on the slim variant: its post-install links man pages into /usr/share/man/man1, which slim images do not have (debuerreotype#106); add `mkdir -p /usr/share/man/man1` before the install",
                breaking.join(", ")
            ));
        }
        unsafe_reasons.extend(self.copy_from_risks(entry, &members));
        if shipped && let Some(caveat) = &entry.runtime_caveat {
            unsafe_reasons.push(caveat.clone());
        }
        if shipped {
            unsafe_reasons.extend(self.app_code_risks(stage));
        }

        let mut edits = vec![Edit::replace(range.clone(), target.to_string())];
        let mut installs = String::new();
        if !missing_at_run.is_empty() && !shipped {
            unsafe_reasons.push(format!(
                "the image runs {}, which the slim variant lacks",
                missing_at_run.join(", ")
            ));
        } else if !missing_at_run.is_empty() {
            let packages: Option<Vec<&str>> = missing_at_run
                .iter()
                .map(|tool| debian_package_for(tool))
                .collect();
            let (Some(packages), Some((offset, indentation))) = (&packages, &facts.apt_run) else {
                let why = if packages.is_none() {
                    "dockfix knows no apt package that provides it"
                } else {
                    "the stage has no `apt-get update` RUN before which dockfix could install it"
                };
                self.skip(
                    at,
                    format!(
                        "{image} -> {target}: the image runs {} (CMD, ENTRYPOINT, HEALTHCHECK, a script they run, or the image's default command), which the slim variant lacks, and {why}",
                        missing_at_run.join(", ")
                    ),
                );
                return None;
            };
            let mut packages: Vec<&str> = packages
                .iter()
                .flat_map(|names| names.split_whitespace())
                .collect();
            packages.sort_unstable();
            packages.dedup();
            let newline = stage.from.newline_style();
            edits.push(Edit::insert(
                *offset,
                format!(
                    "{indentation}RUN apt-get update && apt-get install -y --no-install-recommends {} && rm -rf /var/lib/apt/lists/*{newline}",
                    packages.join(" ")
                ),
            ));
            installs = format!(
                "; installs {} for the {} the image runs (CMD, ENTRYPOINT, HEALTHCHECK), which the slim variant lacks",
                packages.join(" "),
                missing_at_run.join(", ")
            );
        }

        if !shipped {
            let name = stage
                .name()
                .map_or_else(|| format!("{}", stage.index), |name| format!("`{name}`"));
            let saving = format!(
                "stage {name} does not ship in the final image (assuming the last stage is the one built, no --target), so this saves pull and build time only, not image size"
            );
            if !unsafe_reasons.is_empty() {
                self.skip(
                    at,
                    format!(
                        "{image} -> {target}: {saving}, and {}",
                        unsafe_reasons.join("; ")
                    ),
                );
                return None;
            }
            return Some(Fix::unsafe_(
                format!(
                    "use the slim variant: {image} -> {target} (unsafe: {saving}; a build step may still need something only the full image has)"
                ),
                edits,
            ));
        }
        let note = size_note(&image, &target, entry.sizes.full, entry.sizes.slim);
        if unsafe_reasons.is_empty() {
            return Some(Fix::safe(
                format!("use the slim variant (same distribution and libc): {note}{installs}"),
                edits,
            ));
        }
        Some(Fix::unsafe_(
            format!(
                "use the slim variant: {note}{installs} (unsafe: {})",
                unsafe_reasons.join("; ")
            ),
            edits,
        ))
    }

    /// Why the application code the shipping image gets from the build
    /// context may start programs the slim variant lacks ([`app_code`]):
    /// the files of the `COPY`/`ADD`s (and heredocs) of `stage`, of the
    /// stages between it and the final stage, and of the stages these copy
    /// from, that use a process-spawning API, and the files dockfix could
    /// not read. Without a build context
    /// (standard input), every copy that may hold code is unknown.
    fn app_code_risks(&self, stage: &Stage) -> Vec<String> {
        let Some(last) = self.stages.last() else {
            return Vec::new();
        };
        let mut spawning: Vec<(String, &'static str)> = Vec::new();
        let mut unknown: Vec<String> = Vec::new();
        let mut sources: Vec<String> = Vec::new();
        let mut shipping = last.lineage(self.stages);
        shipping.retain(|member| member.index >= stage.index);
        // Files copied from another stage of the file (`COPY --from=build
        // /app/dist ./dist`) were made from what that stage copied from the
        // context: its copies are read too, which may read more than ships.
        let mut visited: Vec<usize> = shipping.iter().map(|member| member.index).collect();
        let mut index = 0;
        while let Some(member) = shipping.get(index).copied() {
            index += 1;
            for instruction in &member.body {
                let Some(from) = instruction.as_copy().and_then(|copy| copy.from_stage()) else {
                    continue;
                };
                if let Some(source) = stage_named(self.stages, &from, member.index) {
                    for builder in source.lineage(self.stages) {
                        if !visited.contains(&builder.index) {
                            visited.push(builder.index);
                            shipping.push(builder);
                        }
                    }
                }
            }
        }
        for instruction in shipping.iter().flat_map(|member| &member.body) {
            let Some(copy) = instruction.as_copy() else {
                continue;
            };
            if copy.from_stage().is_some() {
                continue;
            }
            let destination = copy.destination().unwrap_or_default();
            for heredoc in instruction.heredocs() {
                let (name, language) = match app_code::language_by_name(&heredoc.marker.name) {
                    Some(language) => (heredoc.marker.name.clone(), Some(language)),
                    None => (
                        destination.clone(),
                        app_code::language_by_name(&destination)
                            .or_else(|| app_code::language_by_shebang(&heredoc.body)),
                    ),
                };
                if let Some(api) =
                    language.and_then(|language| app_code::spawning_api(language, &heredoc.body))
                {
                    spawning.push((format!("{name} (a heredoc)"), api));
                }
            }
            for source in copy.sources() {
                if source.starts_with("<<") {
                    continue;
                }
                if source.contains("://") || source.starts_with("git@") {
                    if source.contains(".git") || app_code::language_by_name(&source).is_some() {
                        unknown.push(format!(
                            "`{source}` is code from outside the build context, which dockfix cannot read"
                        ));
                    }
                    continue;
                }
                if source.contains('$') {
                    unknown.push(format!(
                        "`{source}` names files through a variable, so dockfix cannot read them"
                    ));
                    continue;
                }
                sources.push(context_relative(&source));
            }
        }
        match self.context.build_context {
            None => {
                let may_hold_code: Vec<&str> = sources
                    .iter()
                    .map(String::as_str)
                    .filter(|source| {
                        source.is_empty()
                            || source.contains(['*', '?', '['])
                            || app_code::has_no_extension(source)
                            || app_code::language_by_name(source).is_some()
                    })
                    .collect();
                if !may_hold_code.is_empty() {
                    let names: Vec<String> = may_hold_code
                        .iter()
                        .map(|source| format!("`{}`", if source.is_empty() { "." } else { source }))
                        .collect();
                    unknown.push(format!(
                        "there is no build context to read the application code the image copies ({}), which may start programs the slim variant lacks",
                        names.join(", ")
                    ));
                }
            }
            Some(context) if !sources.is_empty() => {
                if context.listing_is_partial() {
                    unknown.push(
                        "the build context has too many files for dockfix to read all the application code".to_string(),
                    );
                }
                let mut scanned = 0;
                let scans = context.derived::<app_code::Scans>();
                for file in context.files() {
                    if app_code::is_skipped(file)
                        || !sources.iter().any(|source| brings_in(source, file))
                    {
                        continue;
                    }
                    let by_name = app_code::language_by_name(file);
                    if by_name.is_none() && !app_code::has_no_extension(file) {
                        continue;
                    }
                    scanned += 1;
                    if scanned > app_code::MAX_SCANNED_FILES {
                        unknown.push(format!(
                            "the copies bring in more than {} source files, more than dockfix reads",
                            app_code::MAX_SCANNED_FILES
                        ));
                        break;
                    }
                    match scans.of(context, file, by_name) {
                        app_code::Scan::Starts(api) => spawning.push((file.clone(), api)),
                        app_code::Scan::Unreadable(why) if by_name.is_some() => {
                            unknown.push(format!(
                                "dockfix cannot read `{file}` ({why}), so it cannot tell whether it starts programs"
                            ));
                        }
                        app_code::Scan::Unreadable(_) | app_code::Scan::Quiet => {}
                    }
                }
            }
            Some(_) => {}
        }
        let mut risks = Vec::new();
        match spawning.as_slice() {
            [] => {}
            [(file, api)] => risks.push(format!(
                "`{file}` starts programs (`{api}`), which the slim variant may lack"
            )),
            [..] => {
                let mut named: Vec<String> = spawning
                    .iter()
                    .take(3)
                    .map(|(file, api)| format!("`{file}`: `{api}`"))
                    .collect();
                if spawning.len() > 3 {
                    named.push(format!("and {} more files", spawning.len() - 3));
                }
                risks.push(format!(
                    "the application code starts programs ({}), which the slim variant may lack",
                    named.join("; ")
                ));
            }
        }
        unknown.truncate(3);
        risks.extend(unknown);
        risks
    }

    /// The family installs a C compiler and make itself, so native builds
    /// do not depend on the image's.
    fn compilers_installed(&self, facts: &Facts) -> bool {
        ["gcc", "make"]
            .iter()
            .all(|tool| facts.installed.contains(*tool))
    }

    fn breaking_packages(&self, entry: &BaseImage, facts: &Facts) -> Vec<String> {
        if facts.build.text.contains("/usr/share/man/man1") && facts.build.uses("mkdir") {
            return Vec::new();
        }
        let globs = self.map.breaks_packages(entry);
        let mut found: Vec<String> = facts
            .installed
            .iter()
            .filter(|package| globs.iter().any(|glob| glob_match(glob, package)))
            .cloned()
            .collect();
        found.sort();
        found
    }

    /// Reads what the family runs and installs.
    fn facts(&self, stage: &Stage, members: &[&Stage]) -> Facts {
        let mut facts = Facts::default();
        let mut copies: Vec<ContextCopy> = Vec::new();
        for member in members {
            // Official images start in `/`; a member built FROM another
            // member inherits its WORKDIR, which the loop has already seen.
            let mut workdir = if member.index == stage.index {
                "/".to_string()
            } else {
                self.workdir_at_end(member.base_stage(self.stages))
            };
            for instruction in &member.body {
                match instruction.kind() {
                    InstructionKind::Workdir => {
                        workdir = absolute(&workdir, instruction.args().trim());
                    }
                    InstructionKind::Copy | InstructionKind::Add => {
                        if let Some(copy) = self.context_copy(instruction, &workdir) {
                            copies.push(copy);
                        }
                    }
                    InstructionKind::Run => {
                        if member.index == stage.index
                            && facts.apt_run.is_none()
                            && runs_apt_update(instruction.args())
                            && starts_a_line(self.file.text(), instruction.range().start)
                        {
                            facts.apt_run =
                                Some((instruction.range().start, instruction.indentation()));
                        }
                        self.learn_run(instruction, &workdir, &copies, &mut facts);
                    }
                    InstructionKind::Onbuild => {
                        let Some(inner) = instruction.onbuild_inner() else {
                            continue;
                        };
                        if inner.kind() == InstructionKind::Run {
                            facts.risks.push(format!(
                                "`ONBUILD RUN {}` runs in the child builds of this image, which dockfix cannot see",
                                shorten(inner.args())
                            ));
                            self.learn_run(&inner, &workdir, &copies, &mut facts);
                        }
                    }
                    InstructionKind::Cmd
                    | InstructionKind::Entrypoint
                    | InstructionKind::Healthcheck => {
                        facts.sets_command |= instruction.kind() != InstructionKind::Healthcheck;
                        let text: Cow<str> = match instruction.json_args() {
                            Some(words) => words.join(" ").into(),
                            None => instruction.args().into(),
                        };
                        facts.runtime.add(&text);
                        self.learn_runtime_scripts(&text, &workdir, &copies, &mut facts);
                        let mut scripts = Usage::default();
                        self.learn_npm_scripts(&text, &workdir, &copies, &mut scripts, &mut facts);
                        facts.runtime.add(&scripts.text);
                    }
                    _ => {}
                }
            }
        }
        facts
    }

    /// The WORKDIR a stage ends with (`/` when none is set).
    fn workdir_at_end(&self, stage: Option<&Stage>) -> String {
        let Some(stage) = stage else {
            return "/".to_string();
        };
        let mut workdir = self.workdir_at_end(stage.base_stage(self.stages));
        for instruction in &stage.body {
            if instruction.kind() == InstructionKind::Workdir {
                workdir = absolute(&workdir, instruction.args().trim());
            }
        }
        workdir
    }

    fn context_copy(&self, instruction: &Instruction, workdir: &str) -> Option<ContextCopy> {
        let copy = instruction.as_copy()?;
        if copy.from_stage().is_some() {
            return None;
        }
        let written = copy.destination()?;
        let sources: Vec<String> = copy
            .sources()
            .into_iter()
            .filter(|source| !source.starts_with("<<") && !source.contains("://"))
            .map(|source| context_relative(&source))
            .collect();
        if sources.is_empty() || written.contains('$') || sources.iter().any(|s| s.contains('$')) {
            return None;
        }
        let destination_is_directory = written.ends_with('/')
            || written == "."
            || sources.len() > 1
            || sources
                .iter()
                .any(|source| source.contains(['*', '?']) || self.context_is_directory(source));
        Some(ContextCopy {
            destination: absolute(workdir, &written),
            destination_is_directory,
            sources,
        })
    }

    /// The build-context file that ends up at `path` (absolute), if the
    /// copies put one there.
    fn context_file_at(&self, copies: &[ContextCopy], path: &str) -> Option<String> {
        for copy in copies.iter().rev() {
            for source in copy.sources.iter().rev() {
                let is_directory = self.context_is_directory(source);
                if is_directory {
                    if let Some(rest) = under(path, &copy.destination) {
                        return Some(join_relative(source, rest));
                    }
                    continue;
                }
                let (source_directory, pattern) = match source.rsplit_once('/') {
                    Some((directory, name)) => (directory, name),
                    None => ("", source.as_str()),
                };
                if copy.destination_is_directory {
                    if let Some(name) = under(path, &copy.destination)
                        && !name.contains('/')
                        && glob_match(pattern, name)
                    {
                        return Some(join_relative(source_directory, name));
                    }
                } else if path == copy.destination {
                    return Some(source.clone());
                }
            }
        }
        None
    }

    /// Learns a `RUN`: its words, its installs, the npm scripts it runs.
    fn learn_run(
        &self,
        run: &Instruction,
        workdir: &str,
        copies: &[ContextCopy],
        facts: &mut Facts,
    ) {
        let mut texts: Vec<Cow<str>> = vec![match run.json_args() {
            Some(words) => words.join(" ").into(),
            None => run.args().into(),
        }];
        texts.extend(
            run.heredocs()
                .into_iter()
                .map(|heredoc| heredoc.body.into()),
        );
        for text in &texts {
            facts.build.add(text);
            let mut scripts = Usage::default();
            self.learn_npm_scripts(text, workdir, copies, &mut scripts, facts);
            facts.build.add(&scripts.text);
        }
        let scripts = Script::all_of_run(self.file, run);
        for script in &scripts {
            for (command, _) in script.simple_commands() {
                let program = command.program().unwrap_or_default();
                if program == "rm" || program == "mkdir" {
                    continue;
                }
                for word in command.literal_args().into_iter().flatten() {
                    if word.starts_with("/usr/share/") && !facts.excluded_paths.contains(&word) {
                        facts.excluded_paths.push(word);
                    }
                }
            }
            for command in packages::package_commands(script) {
                self.learn_package_command(&command, workdir, copies, facts);
            }
        }
    }

    fn learn_package_command(
        &self,
        command: &packages::PackageCommand<'_>,
        workdir: &str,
        copies: &[ContextCopy],
        facts: &mut Facts,
    ) {
        let subcommand = command.subcommand;
        match command.manager {
            Manager::Apt
            | Manager::Apk
            | Manager::Yum
            | Manager::Dnf
            | Manager::Microdnf
            | Manager::Zypper => {
                let installs = matches!(
                    (command.manager, subcommand),
                    (Manager::Apt, Some("install"))
                        | (Manager::Apk, Some("add"))
                        | (
                            Manager::Yum | Manager::Dnf | Manager::Microdnf | Manager::Zypper,
                            Some("install" | "in")
                        )
                );
                if !installs {
                    return;
                }
                for package in command.operands() {
                    let package = package
                        .split(['=', ':'])
                        .next()
                        .unwrap_or_default()
                        .to_string();
                    facts.installed.extend(
                        tools_of_package(&package)
                            .iter()
                            .map(|tool| tool.to_string()),
                    );
                    facts.installed.insert(package);
                }
            }
            Manager::Npm => {
                if !matches!(
                    subcommand,
                    Some(
                        "install"
                            | "i"
                            | "in"
                            | "ins"
                            | "inst"
                            | "insta"
                            | "instal"
                            | "isnt"
                            | "isnta"
                            | "isntal"
                            | "isntall"
                            | "add"
                            | "ci"
                            | "clean-install"
                            | "install-clean"
                            | "isntall-clean"
                            | "install-test"
                            | "it"
                            | "install-ci-test"
                            | "cit"
                            | "update"
                            | "up"
                            | "upgrade"
                            | "rebuild"
                            | "rb"
                    )
                ) {
                    return;
                }
                let operands = command.operands();
                if !operands.is_empty() {
                    facts.node_native.push(format!(
                        "`npm {} {}` installs packages no lockfile vouches for, which may compile native modules",
                        subcommand.unwrap_or_default(),
                        operands.join(" ")
                    ));
                    return;
                }
                if let Err(why) = self.npm_lock_proof(workdir, copies, facts) {
                    facts.node_native.push(format!(
                        "`npm {}` may compile native modules ({why})",
                        subcommand.unwrap_or_default()
                    ));
                }
            }
            Manager::Yarn | Manager::Pnpm => {
                let name = if command.manager == Manager::Yarn {
                    "yarn"
                } else {
                    "pnpm"
                };
                let installs = match command.manager {
                    Manager::Yarn => {
                        matches!(subcommand, None | Some("install" | "add" | "global"))
                    }
                    _ => matches!(
                        subcommand,
                        Some("install" | "i" | "add" | "update" | "up" | "rebuild")
                    ),
                };
                if installs {
                    facts.node_native.push(format!(
                        "`{name} {}` may compile native modules (dockfix reads only npm's package-lock.json)",
                        subcommand.unwrap_or_default()
                    ));
                }
            }
            _ => {}
        }
    }

    /// Proves from the build context that `npm install`/`npm ci` in
    /// `workdir` compiles nothing: the lock file lists every dependency of
    /// package.json (an empty or stale lock proves nothing), no locked
    /// package has an install script, and the project has no binding.gyp.
    /// The root package's own lifecycle scripts are learnt as build commands.
    fn npm_lock_proof(
        &self,
        workdir: &str,
        copies: &[ContextCopy],
        facts: &mut Facts,
    ) -> Result<(), String> {
        let locate = |name: &str| self.context_file_at(copies, &absolute(workdir, name));
        let manifest_path =
            locate("package.json").ok_or("package.json is not copied from the build context")?;
        let manifest = self
            .read_context(&manifest_path)
            .ok_or_else(|| format!("cannot read {manifest_path}"))?;
        let manifest: serde_json::Value = serde_json::from_str(&manifest)
            .map_err(|_| format!("{manifest_path} is not valid JSON"))?;
        let lock_path = ["package-lock.json", "npm-shrinkwrap.json"]
            .iter()
            .find_map(|name| locate(name).filter(|path| self.read_context(path).is_some()))
            .ok_or("no package-lock.json is copied from the build context")?;
        let lock: serde_json::Value = self
            .read_context(&lock_path)
            .and_then(|text| serde_json::from_str(&text).ok())
            .ok_or_else(|| format!("{lock_path} is not valid JSON"))?;
        if lock["lockfileVersion"].as_u64().unwrap_or(1) < 2 {
            return Err(format!(
                "{lock_path} is lockfileVersion 1, which does not record install scripts"
            ));
        }
        let locked = lock["packages"].as_object().cloned().unwrap_or_default();
        for section in ["dependencies", "devDependencies", "optionalDependencies"] {
            for name in manifest[section]
                .as_object()
                .into_iter()
                .flat_map(|deps| deps.keys())
            {
                if !locked.contains_key(&format!("node_modules/{name}")) {
                    return Err(format!(
                        "{lock_path} does not list `{name}`, a dependency in package.json: the lock is empty or stale and proves nothing"
                    ));
                }
            }
        }
        if let Some((name, _)) = locked
            .iter()
            .find(|(_, package)| package["hasInstallScript"].as_bool() == Some(true))
        {
            let name = name.rsplit("node_modules/").next().unwrap_or(name);
            return Err(format!("`{name}` has an install script ({lock_path})"));
        }
        let root = manifest_path
            .rsplit_once('/')
            .map_or("", |(directory, _)| directory);
        if self
            .context
            .build_context
            .is_some_and(|context| context.exists(&join_relative(root, "binding.gyp")))
        {
            return Err("the project has a binding.gyp, which npm builds with node-gyp".into());
        }
        for hook in [
            "preinstall",
            "install",
            "postinstall",
            "prepublish",
            "preprepare",
            "prepare",
            "postprepare",
        ] {
            if let Some(script) = manifest["scripts"][hook].as_str() {
                facts.build.add(script);
            }
        }
        Ok(())
    }

    /// Learns the npm/yarn/pnpm scripts `text` runs (`npm run dev`, `npm
    /// start`), read from the package.json the copies put in `workdir`;
    /// a script that cannot be read is a risk.
    fn learn_npm_scripts(
        &self,
        text: &str,
        workdir: &str,
        copies: &[ContextCopy],
        into: &mut Usage,
        facts: &mut Facts,
    ) {
        let mut pending: Vec<(String, String)> = script_invocations(text);
        let mut seen: HashSet<String> = HashSet::new();
        while let Some((tool, name)) = pending.pop() {
            if !seen.insert(name.clone()) || seen.len() > 20 {
                continue;
            }
            let scripts = self
                .context_file_at(copies, &absolute(workdir, "package.json"))
                .and_then(|path| self.read_context(&path))
                .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
                .map(|manifest| manifest["scripts"].clone());
            let Some(body) = scripts.as_ref().and_then(|scripts| scripts[&name].as_str()) else {
                let risk = format!(
                    "`{tool} run {name}` runs a package.json script dockfix cannot read from the build context"
                );
                if !facts.risks.contains(&risk) {
                    facts.risks.push(risk);
                }
                continue;
            };
            into.add(body);
            pending.extend(script_invocations(body));
            for hook in [format!("pre{name}"), format!("post{name}")] {
                if let Some(body) = scripts.as_ref().and_then(|s| s[&hook].as_str()) {
                    into.add(body);
                    pending.extend(script_invocations(body));
                }
            }
        }
    }

    /// Reads the shell scripts a CMD/ENTRYPOINT/HEALTHCHECK runs from the
    /// build context (they run in the image, so the tools they call must be
    /// there); a script that is not in the context is a risk.
    fn learn_runtime_scripts(
        &self,
        text: &str,
        workdir: &str,
        copies: &[ContextCopy],
        facts: &mut Facts,
    ) {
        let first = split_words(text)
            .find(|word| !matches!(*word, "CMD" | "NONE") && !word.starts_with('-'));
        for word in split_words(text) {
            let is_script = word.ends_with(".sh") || word.ends_with(".bash");
            let path_like = word.contains('/');
            // Shell scripts by name, and the program itself when it is a
            // file of the context (a script without an extension).
            let names_the_program = path_like && Some(word) == first;
            if !is_script && !names_the_program {
                continue;
            }
            let candidates: Vec<String> = if path_like {
                vec![absolute(workdir, word)]
            } else {
                ["/usr/local/bin", "/usr/bin", "/bin", "/usr/local/sbin"]
                    .iter()
                    .map(|directory| format!("{directory}/{word}"))
                    .collect()
            };
            let found = candidates
                .iter()
                .find_map(|path| self.context_file_at(copies, path));
            match (found, is_script) {
                (Some(relative), _) => match self.read_context(&relative) {
                    Some(script) if is_script || script.starts_with("#!") => {
                        facts.runtime.add(&script);
                    }
                    Some(_) => {}
                    None if is_script => facts.risks.push(format!(
                        "the image runs `{word}`, which dockfix cannot read from the build context ({relative})"
                    )),
                    None => {}
                },
                (None, true) if path_like => facts.risks.push(format!(
                    "the image runs `{word}`, a script that does not come from the build context, so dockfix cannot read what it needs"
                )),
                _ => {}
            }
        }
    }

    /// Risks from other stages copying out of the family, and from the
    /// family copying artefacts built elsewhere.
    fn copy_from_risks(&self, entry: &'a BaseImage, members: &[&Stage]) -> Vec<String> {
        let in_family = |stage: &Stage| members.iter().any(|member| member.index == stage.index);
        let lacks_libraries = self.lacks(entry).iter().any(|tool| tool.starts_with("lib"));
        let mut risks = Vec::new();
        for reference in self
            .references
            .get_or_init(|| stage_references(self.stages))
        {
            let StageReference {
                stage,
                offset,
                from,
                sources,
                how,
            } = reference;
            let line = self.line_of(*offset);
            match stage_named(self.stages, from, stage.index) {
                Some(source) if in_family(source) => {
                    for path in sources {
                        if !self.is_own_path(source, path) {
                            risks.push(format!(
                                "`{how}={from} {path}` (line {line}) takes a file that comes from the base image, and the slim variant may not have it"
                            ));
                        }
                    }
                }
                Some(source) if in_family(stage) && lacks_libraries => {
                    if let Some(why) = self.may_have_compiled(source) {
                        risks.push(format!(
                            "line {line} copies {} from stage `{from}`, where {why}: what it built may link against libraries the full image has and the slim variant lacks (pip's mysqlclient needs libmariadb.so.3 at run time)",
                            sources.join(" ")
                        ));
                    }
                }
                None if in_family(stage) && lacks_libraries => risks.push(format!(
                    "line {line} copies {} from the image {from}: its programs may need libraries the full image has and the slim variant lacks",
                    sources.join(" ")
                )),
                _ => {}
            }
        }
        risks
    }

    fn line_of(&self, offset: usize) -> usize {
        self.lines.line(offset)
    }

    /// True when `path` (in `stage`) was put there by the Dockerfile: it is
    /// under a COPY/ADD destination or WORKDIR of the stage or the stages it
    /// is built from, or a RUN names it (or a folder of it), and it is not
    /// a system folder the image fills.
    fn is_own_path(&self, stage: &Stage, path: &str) -> bool {
        let path = absolute("/", path);
        if SYSTEM_DIRECTORIES.contains(&path.as_str()) {
            return false;
        }
        for member in stage.lineage(self.stages) {
            let mut workdir = "/".to_string();
            for instruction in &member.body {
                match instruction.kind() {
                    InstructionKind::Workdir => {
                        workdir = absolute(&workdir, instruction.args().trim());
                        if under(&path, &workdir).is_some() && workdir != "/" {
                            return true;
                        }
                    }
                    InstructionKind::Copy | InstructionKind::Add => {
                        if let Some(destination) =
                            instruction.as_copy().and_then(|copy| copy.destination())
                        {
                            let destination = absolute(&workdir, &destination);
                            if destination != "/" && under(&path, &destination).is_some() {
                                return true;
                            }
                        }
                    }
                    InstructionKind::Run => {
                        let mut texts = vec![instruction.args().to_string()];
                        texts.extend(instruction.heredocs().into_iter().map(|h| h.body));
                        for text in &texts {
                            for word in split_words(text).filter(|word| word.starts_with('/')) {
                                let word = absolute("/", word);
                                if SYSTEM_DIRECTORIES.contains(&word.as_str()) {
                                    continue;
                                }
                                if under(&path, &word).is_some() || under(&word, &path).is_some() {
                                    return true;
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        false
    }

    /// Why a builder stage may have compiled native code against the
    /// libraries of a full image, or `None`.
    fn may_have_compiled(&self, stage: &Stage) -> Option<String> {
        let chain = stage.lineage(self.stages);
        let root = chain.last()?;
        let image = root.from.as_from()?.image_ref()?;
        let full_image = !base_images::is_already_small(&image)
            && self
                .map
                .lookup(&image)
                .is_some_and(|(_, entry)| self.lacks(entry).contains(&"gcc"));
        let mut usage = Usage::default();
        let mut installs_compilers = false;
        for member in &chain {
            for instruction in &member.body {
                if instruction.kind() != InstructionKind::Run {
                    continue;
                }
                let text = instruction.args();
                usage.add(text);
                installs_compilers |= ["build-essential", "gcc", "g++", "clang", "build-base"]
                    .iter()
                    .any(|package| split_words(text).any(|word| word == *package));
            }
        }
        if !full_image && !installs_compilers {
            return None;
        }
        let native_tools: Vec<&str> = self
            .map
            .images
            .values()
            .flat_map(|entry| entry.native_installers.iter().map(String::as_str))
            .chain([
                "gcc",
                "g++",
                "cc",
                "make",
                "cmake",
                "rustc",
                "node-gyp",
                "./configure",
            ])
            .filter(|tool| *tool != "go")
            .collect();
        let mut used: Vec<&str> = native_tools
            .into_iter()
            .filter(|tool| usage.uses(tool))
            .collect();
        used.sort_unstable();
        used.dedup();
        let first = used.first()?;
        Some(format!(
            "`{first}` may have compiled native code{}",
            if full_image {
                format!(" on {image}")
            } else {
                String::new()
            }
        ))
    }

    fn alpine_fix(
        &self,
        entry: &'a BaseImage,
        image: &ImageRef,
        facts: &Facts,
        shipped: bool,
        range: Range<usize>,
    ) -> Option<Fix> {
        let rule = entry.alpine.as_ref()?;
        let target = rule.apply(image)?;
        let uses = |tool: &str| facts.build.uses(tool) || facts.runtime.uses(tool);
        let blocked = ALPINE_BLOCKERS.iter().any(|tool| uses(tool))
            || !facts.node_native.is_empty()
            || !facts.risks.is_empty()
            || self
                .lacks(entry)
                .iter()
                .any(|tool| uses(tool) && !facts.installed.contains(*tool));
        if blocked {
            self.skip(
                range.start,
                format!("{image} -> {target}: the stage uses something Alpine lacks (apt, a download, a native installer, a tool the map lists, or a file dockfix cannot read)"),
            );
            return None;
        }
        let Sizes { full, alpine, .. } = entry.sizes;
        let saving = if shipped {
            size_note(image, &target, full, alpine)
        } else {
            format!(
                "{image} -> {target}: the stage does not ship in the final image, so this saves pull and build time only"
            )
        };
        Some(Fix::unsafe_(
            format!(
                "use the Alpine variant: {saving} (unsafe: Alpine has musl instead of glibc and apk instead of apt; programs and libraries built for glibc may not run)"
            ),
            vec![Edit::replace(range, target.to_string())],
        ))
    }
}

/// Folders that an image's own files fill: a path naming one of them is
/// never the Dockerfile's own.
const SYSTEM_DIRECTORIES: &[&str] = &[
    "/",
    "/bin",
    "/sbin",
    "/lib",
    "/lib64",
    "/etc",
    "/opt",
    "/root",
    "/srv",
    "/tmp",
    "/var",
    "/usr",
    "/usr/bin",
    "/usr/sbin",
    "/usr/lib",
    "/usr/lib64",
    "/usr/libexec",
    "/usr/include",
    "/usr/share",
    "/usr/local",
    "/usr/local/bin",
    "/usr/local/sbin",
    "/usr/local/lib",
    "/usr/local/include",
    "/usr/local/share",
    "/home",
    "/var/lib",
    "/var/cache",
];

/// `npm run NAME`, `npm start`, `yarn NAME`, `pnpm run NAME` in a command
/// text: (tool, script name) pairs.
fn script_invocations(text: &str) -> Vec<(String, String)> {
    const NPM_SHORTHANDS: &[&str] = &["start", "test", "t", "tst", "stop", "restart"];
    const YARN_BUILTINS: &[&str] = &[
        "install",
        "add",
        "remove",
        "upgrade",
        "global",
        "cache",
        "config",
        "info",
        "init",
        "list",
        "why",
        "bin",
        "exec",
        "workspace",
        "workspaces",
        "set",
        "dlx",
        "node",
        "link",
        "unlink",
        "pack",
        "publish",
        "login",
        "logout",
        "audit",
        "outdated",
        "version",
        "versions",
        "licenses",
        "check",
        "import",
        "autoclean",
        "generate-lock-entry",
        "owner",
        "tag",
        "team",
        "policies",
        "help",
        "create",
    ];
    // Most texts name no package manager: skip splitting them (`pnpm`
    // contains `npm`).
    if !text.contains("npm") && !text.contains("yarn") {
        return Vec::new();
    }
    let words: Vec<&str> = split_words(text).collect();
    let mut found = Vec::new();
    let mut index = 0;
    while index < words.len() {
        let tool = crate::shell::last_component(words[index]);
        if !matches!(tool, "npm" | "yarn" | "pnpm") {
            index += 1;
            continue;
        }
        let rest: Vec<&str> = words[index + 1..]
            .iter()
            .copied()
            .filter(|word| !word.starts_with('-'))
            .take(2)
            .collect();
        match rest.as_slice() {
            ["run" | "run-script" | "rum" | "urn", name, ..] => {
                found.push((tool.to_string(), name.to_string()));
            }
            [name, ..] if NPM_SHORTHANDS.contains(name) => {
                let name = if matches!(*name, "t" | "tst") {
                    "test"
                } else {
                    name
                };
                found.push((tool.to_string(), name.to_string()));
            }
            [name, ..] if tool != "npm" && !YARN_BUILTINS.contains(name) && !name.contains('/') => {
                found.push((tool.to_string(), name.to_string()));
            }
            _ => {}
        }
        index += 1;
    }
    found
}

/// The Debian package that provides a tool the slim variants lack, for the
/// tools an image commonly runs at run time. `None`: not installable here.
fn debian_package_for(tool: &str) -> Option<&'static str> {
    Some(match tool {
        "curl" => "ca-certificates curl",
        "wget" => "ca-certificates wget",
        "git" => "ca-certificates git",
        "ps" | "procps" | "pgrep" | "pkill" | "top" => "procps",
        "gpg" | "gnupg" => "gnupg",
        "ssh" | "scp" | "openssh-client" => "openssh-client",
        "unzip" => "unzip",
        "bzip2" => "bzip2",
        "xz" | "xz-utils" => "xz-utils",
        "file" => "file",
        "patch" => "patch",
        _ => return None,
    })
}

/// Tools a package brings besides its own name.
fn tools_of_package(package: &str) -> &'static [&'static str] {
    match package {
        "build-essential" | "build-base" => &[
            "gcc",
            "g++",
            "cc",
            "c++",
            "make",
            "libc-dev",
            "libc6-dev",
            "dpkg-dev",
        ],
        "openssh-client" => &["ssh", "scp"],
        "gnupg" | "gnupg2" => &["gpg"],
        "procps" => &["ps", "pgrep", "pkill", "top"],
        "xz-utils" => &["xz"],
        "python3" => &["python", "python3"],
        "binutils" => &["objcopy", "strip", "objdump", "ld", "as"],
        "imagemagick" => &["convert"],
        "subversion" => &["svn"],
        "mercurial" => &["hg"],
        _ => &[],
    }
}

/// Paths debuerreotype's `.slimify-includes` keeps despite the excludes.
fn kept_by_slim(path: &str) -> bool {
    path.starts_with("/usr/share/doc/") && path.ends_with("/copyright")
        || matches!(
            path,
            "/usr/share/locale/locale.alias"
                | "/usr/share/locale/languages"
                | "/usr/share/locale/all_languages"
        )
}

fn runs_apt_update(text: &str) -> bool {
    let words: Vec<&str> = split_words(text).collect();
    words
        .windows(2)
        .any(|pair| matches!(pair[0], "apt-get" | "apt") && pair[1] == "update")
}

fn starts_a_line(text: &str, offset: usize) -> bool {
    offset == 0 || text[..offset].ends_with('\n')
}

fn shorten(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

/// `*`/`?` glob match of a whole name.
fn glob_match(pattern: &str, name: &str) -> bool {
    if pattern.is_ascii() && name.is_ascii() {
        // Package names and globs are ASCII: compared as bytes, with no
        // allocation (this runs for every installed package and glob).
        return wildcard_match(pattern.as_bytes(), name.as_bytes());
    }
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    wildcard_match(&pattern, &name)
}

/// `*` (any run) and `?` (any one) matching, iteratively: on a mismatch,
/// the last `*` takes one more item and matching resumes after it.
fn wildcard_match<T: PartialEq + Copy + From<u8>>(pattern: &[T], name: &[T]) -> bool {
    let (star, any) = (T::from(b'*'), T::from(b'?'));
    let (mut p, mut n) = (0, 0);
    let mut resume: Option<(usize, usize)> = None;
    while n < name.len() {
        if p < pattern.len() && pattern[p] == star {
            resume = Some((p + 1, n));
            p += 1;
        } else if p < pattern.len() && (pattern[p] == any || pattern[p] == name[n]) {
            p += 1;
            n += 1;
        } else if let Some((after_star, taken)) = resume {
            p = after_star;
            n = taken + 1;
            resume = Some((after_star, taken + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&item| item == star)
}

/// `path` made absolute against `base` and normalised (`.`, `..`, `//`,
/// trailing `/` removed).
fn absolute(base: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{base}/{path}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    format!("/{}", parts.join("/"))
}

/// True when a `COPY`/`ADD` source (context-relative) brings in the context
/// file `file`: the file itself, a file under the folder, or a file the
/// glob matches (`*` may match `/` here, and a `[class]` matches anything:
/// bringing in too much only makes the swap unsafe more often).
fn brings_in(source: &str, file: &str) -> bool {
    source.is_empty()
        || source.contains('[')
        || file == source
        || file
            .strip_prefix(source)
            .is_some_and(|rest| rest.starts_with('/'))
        || (source.contains(['*', '?']) && glob_match(source, file))
}

/// A COPY source as a context-relative path (`./src/` -> `src`, `.` -> ``).
fn context_relative(source: &str) -> String {
    absolute("/", source).trim_start_matches('/').to_string()
}

fn join_relative(directory: &str, rest: &str) -> String {
    match (directory.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_string(),
        (false, true) => directory.to_string(),
        (false, false) => format!("{directory}/{rest}"),
    }
}

/// The rest of `path` below `directory` (`""` when equal), both absolute.
fn under<'p>(path: &'p str, directory: &str) -> Option<&'p str> {
    if path == directory {
        return Some("");
    }
    if directory == "/" {
        return Some(path.trim_start_matches('/'));
    }
    path.strip_prefix(directory)?.strip_prefix('/')
}

fn size_note(from: &ImageRef, to: &ImageRef, before: Option<u32>, after: Option<u32>) -> String {
    match (before, after) {
        (Some(before), Some(after)) if before > after => format!(
            "{from} -> {to}: about {} MB smaller (~{before} -> {after} MB compressed, per the base-image map)",
            before - after
        ),
        _ => format!("{from} -> {to}"),
    }
}

/// Programs whose presence rules Alpine out: Debian package tools, binary
/// downloads (usually glibc builds), installers that may build native code,
/// and bash (Alpine's images have only BusyBox sh).
const ALPINE_BLOCKERS: &[&str] = &[
    "apt-get",
    "apt",
    "dpkg",
    "curl",
    "wget",
    "pip",
    "pip3",
    "pipenv",
    "poetry",
    "uv",
    "npm",
    "npx",
    "yarn",
    "pnpm",
    "gem",
    "bundle",
    "cargo",
    "go",
    "composer",
    "pecl",
    "docker-php-ext-install",
    "gcc",
    "make",
    "bash",
];

/// The file's `COPY --from`s and `RUN --mount=from`s, in order.
fn stage_references<'a>(stages: &'a [Stage]) -> Vec<StageReference<'a>> {
    let mut references = Vec::new();
    for stage in stages {
        for instruction in &stage.body {
            let found: Vec<(String, Vec<String>, &'static str)> = match instruction.kind() {
                InstructionKind::Copy | InstructionKind::Add => {
                    let Some(copy) = instruction.as_copy() else {
                        continue;
                    };
                    let Some(from) = copy.from_stage() else {
                        continue;
                    };
                    vec![(from, copy.sources(), "COPY --from")]
                }
                InstructionKind::Run => instruction
                    .as_run()
                    .map(|run| run.mounts())
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|mount| {
                        let from = mount.get("from")?.to_string();
                        let source = mount
                            .get("source")
                            .or_else(|| mount.get("src"))
                            .unwrap_or("/")
                            .to_string();
                        Some((from, vec![source], "RUN --mount=from"))
                    })
                    .collect(),
                _ => continue,
            };
            references.extend(
                found
                    .into_iter()
                    .map(|(from, sources, how)| StageReference {
                        stage,
                        offset: instruction.range().start,
                        from,
                        sources,
                        how,
                    }),
            );
        }
    }
    references
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised() {
        assert_eq!(absolute("/app", "./start.sh"), "/app/start.sh");
        assert_eq!(absolute("/app", "/usr/bin/git"), "/usr/bin/git");
        assert_eq!(absolute("/", "."), "/");
        assert_eq!(absolute("/app/", "../x/"), "/x");
        assert_eq!(context_relative("./src/"), "src");
        assert_eq!(context_relative("."), "");
        assert_eq!(under("/app/a/b", "/app"), Some("a/b"));
        assert_eq!(under("/application", "/app"), None);
    }

    #[test]
    fn globs_match_whole_names() {
        assert!(glob_match("openjdk-*", "openjdk-11-jre-headless"));
        assert!(glob_match("package*.json", "package-lock.json"));
        assert!(!glob_match("openjdk-*", "default-jre"));
        assert!(glob_match("postgresql", "postgresql"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "aXbYbZc"));
        assert!(!glob_match("a*b*c", "aXbYbZ"));
        assert!(glob_match("lib?q*", "libpq5"));
        assert!(!glob_match("lib?q", "libq"));
        assert!(glob_match("*-dev", "libpq-dev"));
        assert!(!glob_match("*-dev", "libpq-dev5"));
        assert!(glob_match("çé*", "çéa"));
        assert!(!glob_match("ç?", "ç"));
    }

    #[test]
    fn npm_script_invocations() {
        assert_eq!(
            script_invocations("npm run dev"),
            vec![("npm".to_string(), "dev".to_string())]
        );
        assert_eq!(
            script_invocations("npm --silent start"),
            vec![("npm".to_string(), "start".to_string())]
        );
        assert_eq!(
            script_invocations("yarn build && yarn install"),
            vec![("yarn".to_string(), "build".to_string())]
        );
        assert!(script_invocations("npm ci --omit=dev").is_empty());
    }

    #[test]
    fn tags_are_classified() {
        let defaults = vec![
            ("NODE_VERSION".to_string(), Some("20".to_string())),
            ("TAG".to_string(), Some("latest".to_string())),
        ];
        assert!(matches!(
            classify_tag(Some("3.12-bookworm"), &defaults),
            TagKind::Literal
        ));
        assert!(matches!(
            classify_tag(Some("${NODE_VERSION}"), &defaults),
            TagKind::VersionVariable(_)
        ));
        assert!(matches!(
            classify_tag(Some("${TAG}"), &defaults),
            TagKind::Unusable(_)
        ));
        assert!(matches!(
            classify_tag(Some("%%SUITE%%"), &defaults),
            TagKind::Unusable(_)
        ));
        assert!(matches!(
            classify_tag(Some("{{"), &defaults),
            TagKind::Unusable(_)
        ));
    }
}
