//! The transform engine: transforms propose fixes (text edits on byte ranges
//! of the file), the engine applies the ones that do not overlap, re-parses
//! and repeats until nothing changes.
//!
//! Fixes are never trusted blindly: a pass whose result parses worse than
//! its input (a new ERROR node or parser error), or whose rewritten shell
//! scripts no longer parse or changed structure ([`shell_guard`]), is redone
//! fix by fix, and the fixes that break the file are dropped and reported.

mod context;
pub mod shell_guard;
mod suppression;

pub use context::{BuildContext, Context, Skip, SkipLog};
pub use suppression::{PEER_RULES, Suppressions};

use std::ops::Range;

use crate::syntax::{Dockerfile, LineIndex};

/// Whether a fix is applied by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Safety {
    #[default]
    /// Keeps what the image does: applied unless the transform is ignored.
    Safe,
    /// Can change what the image does in ways the analysis cannot rule out:
    /// applied only with `--unsafe` (or when the transform is selected by id).
    Unsafe,
}

impl Safety {
    pub fn as_str(self) -> &'static str {
        match self {
            Safety::Safe => "safe",
            Safety::Unsafe => "unsafe",
        }
    }
}

/// Replace the bytes in `range` with `replacement` (an insertion when the
/// range is empty, a deletion when the replacement is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub replacement: String,
}

impl Edit {
    pub fn insert(at: usize, text: impl Into<String>) -> Self {
        Self {
            range: at..at,
            replacement: text.into(),
        }
    }

    pub fn replace(range: Range<usize>, text: impl Into<String>) -> Self {
        Self {
            range,
            replacement: text.into(),
        }
    }

    pub fn delete(range: Range<usize>) -> Self {
        Self {
            range,
            replacement: String::new(),
        }
    }

    /// True when applying both edits in one pass would be ambiguous: the
    /// ranges overlap, or an insertion touches the other edit.
    fn conflicts_with(&self, other: &Edit) -> bool {
        let (a, b) = (&self.range, &other.range);
        if a.is_empty() || b.is_empty() {
            return a.start <= b.end && b.start <= a.end;
        }
        a.start < b.end && b.start < a.end
    }
}

/// One proposed change: a message for the user and the edits that make it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub message: String,
    pub edits: Vec<Edit>,
    pub safety: Safety,
    /// What the fix does to the built image, stated so that `dockfix
    /// verify` can hold the real image to it.
    pub effects: Vec<ImageEffect>,
}

/// A change a fix makes to the image on purpose. `dockfix verify` counts a
/// difference as the fix's own only when a fix declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageEffect {
    /// Deletes this file (an absolute path) from the image.
    Removes(String),
    /// Copies these build-context files (paths relative to the context)
    /// into the image once more, in a layer of their own: the image grows
    /// by their size, no more.
    CopiesAgain(Vec<String>),
}

impl Fix {
    pub fn safe(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self {
            message: message.into(),
            edits,
            safety: Safety::Safe,
            effects: Vec::new(),
        }
    }

    /// The fix, declaring what it does to the image.
    pub fn with_effect(mut self, effect: ImageEffect) -> Self {
        self.effects.push(effect);
        self
    }

    pub fn unsafe_(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self {
            message: message.into(),
            edits,
            safety: Safety::Unsafe,
            effects: Vec::new(),
        }
    }

    /// Where the fix starts, for ordering and for reporting its line.
    fn start(&self) -> usize {
        self.edits
            .iter()
            .map(|edit| edit.range.start)
            .min()
            .unwrap_or(0)
    }

    /// Where the fix's last edit ends.
    fn end(&self) -> usize {
        self.edits
            .iter()
            .map(|edit| edit.range.end)
            .max()
            .unwrap_or(0)
    }

    /// Edits sorted, and `None` if two of them overlap (a transform bug).
    fn sorted_edits(&self) -> Option<Vec<&Edit>> {
        let mut edits: Vec<&Edit> = self.edits.iter().collect();
        edits.sort_by_key(|edit| (edit.range.start, edit.range.end));
        let overlapping = edits
            .windows(2)
            .any(|pair| pair[0].range.end > pair[1].range.start);
        (!overlapping).then_some(edits)
    }
}

/// A rewrite rule. Implementations live one per file in `src/transforms/`.
pub trait Transform: Sync {
    /// Kebab-case id used by `--select`, `--ignore` and `dockfix explain`.
    fn id(&self) -> &'static str;
    /// One line for `dockfix rules`.
    fn summary(&self) -> &'static str;
    /// The safety of the transform's usual fixes (individual fixes may be
    /// less safe, never more).
    fn safety(&self) -> Safety;
    /// True for a safe transform some of whose fixes are unsafe (offered
    /// only with `--unsafe`): `dockfix rules` says "safe (some unsafe)".
    fn some_fixes_unsafe(&self) -> bool {
        false
    }
    /// The transform's documentation (its `transforms/<id>/README.md`).
    fn docs(&self) -> &'static str;
    /// The fixes this transform proposes for `file`.
    fn fixes(&self, file: &Dockerfile, context: &Context) -> Vec<Fix>;

    /// True for transforms that write shell text into `RUN` bodies: where
    /// a `RUN` is opaque to them (not a POSIX shell, text that cannot be
    /// analysed), the engine says so once per `RUN` under `-v`.
    fn edits_shell(&self) -> bool {
        false
    }

    /// Lines to add to files of the build context (`.dockerignore`), given
    /// the Dockerfile as it is once all fixes are applied.
    fn context_changes(&self, _file: &Dockerfile, _context: &Context) -> Vec<ContextChange> {
        Vec::new()
    }
}

/// Lines to append to a file of the build context (created when missing).
/// Changes from several Dockerfiles to the same file are merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextChange {
    pub path: std::path::PathBuf,
    /// The lines to add, without line endings.
    pub lines: Vec<String>,
    /// A comment line to put before the added lines (without `# `).
    pub header: String,
    pub message: String,
    pub safety: Safety,
}

/// A fix the engine applied (or, in `unsafe_available`, left for
/// `--unsafe`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppliedFix {
    pub transform: &'static str,
    pub message: String,
    /// 1-based line in the text the fix was applied to.
    pub line: usize,
    pub safety: Safety,
    /// The pass that proposed it (1-based): its edits are offsets in the
    /// text as it was before that pass, i.e. after every earlier pass's
    /// fixes. Pass 1's are offsets in the original. 0 for context files.
    pub pass: usize,
    /// Where the fix acts: the span of its edits, as byte offsets and as
    /// 1-based (line, column) positions, in that pass's text.
    pub span: Span,
    pub edits: Vec<Edit>,
    pub effects: Vec<ImageEffect>,
}

/// A byte range with its 1-based line and byte column at either end.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Span {
    pub bytes: Range<usize>,
    pub start: (usize, usize),
    pub end: (usize, usize),
}

/// Why a transform left something alone, on the final text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkipReport {
    pub transform: &'static str,
    /// 1-based line in the final text.
    pub line: usize,
    pub reason: String,
}

/// The result of running the engine on one file.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub text: String,
    pub applied: Vec<AppliedFix>,
    /// Fixes that were left out because they need `--unsafe`.
    pub unsafe_available: Vec<AppliedFix>,
    /// Fixes dropped because the file would no longer parse (transform bugs).
    pub rejected: Vec<AppliedFix>,
    /// Fixes put off to a later pass because they overlapped another fix.
    pub deferred: usize,
    /// Why transforms declined candidates (or offered them only as unsafe)
    /// in the final text, sorted by line: what `-v` prints.
    pub skipped: Vec<SkipReport>,
    /// dockfix's own suppression comments that silenced nothing in the
    /// final text: line and comment (for `--warn-unused-ignores`).
    pub unused_suppressions: Vec<(usize, String)>,
    pub passes: usize,
    /// Lines to add to files of the build context allowed by the policy,
    /// with the id of the transform that proposed them.
    pub context_changes: Vec<(&'static str, ContextChange)>,
}

impl Outcome {
    pub fn changed(&self, original: &str) -> bool {
        self.text != original
    }
}

/// The engine gave up: the transforms keep changing the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "no fixed point after {passes} passes (transforms keep rewriting each other's output: {transforms})"
)]
pub struct NoFixedPoint {
    pub passes: usize,
    pub transforms: String,
}

/// Which fixes may be applied.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Apply unsafe fixes of every transform.
    pub allow_unsafe: bool,
    /// Transforms whose unsafe fixes are applied because the user named them.
    pub unsafe_transforms: Vec<String>,
}

impl Policy {
    fn allows(&self, transform: &dyn Transform, safety: Safety) -> bool {
        safety == Safety::Safe
            || self.allow_unsafe
            || self.unsafe_transforms.iter().any(|id| id == transform.id())
    }
}

/// Most files settle in two or three passes; more means transforms are
/// fighting over the same bytes.
pub const MAX_PASSES: usize = 12;

/// Runs `transforms` on `text` to a fixed point.
pub fn run(
    text: &str,
    transforms: &[&dyn Transform],
    context: &Context,
    policy: &Policy,
) -> Result<Outcome, NoFixedPoint> {
    let mut outcome = Outcome {
        text: text.to_string(),
        ..Outcome::default()
    };
    let mut last_ids = Vec::new();
    let mut refused: Vec<(&'static str, Vec<Edit>)> = Vec::new();
    let skip_log = SkipLog::default();
    let context = &Context {
        skips: Some(&skip_log),
        ..*context
    };
    // The parse of the text a pass hands on, made when its soundness was
    // checked: the next pass starts from it rather than parsing again.
    let mut parsed_next: Option<Dockerfile> = None;
    for pass in 1..=MAX_PASSES {
        outcome.passes = pass;
        let file = parsed_next
            .take()
            .unwrap_or_else(|| Dockerfile::parse(&outcome.text));
        let lines = LineIndex::new(&outcome.text);
        // Only the last pass's reasons describe the final text.
        skip_log.take();
        let suppressions = Suppressions::of(&file);
        let mut used = vec![false; suppressions.comments.len()];
        let mut candidates = Vec::new();
        outcome.unsafe_available.clear();
        for (order, transform) in transforms.iter().enumerate() {
            for fix in transform.fixes(&file, context) {
                if let Some(index) = suppressions.silencing(transform.id(), &fix) {
                    let comment = &suppressions.comments[index];
                    context.skip(
                        transform.id(),
                        fix.start(),
                        format!(
                            "suppressed by `{}` (line {})",
                            comment.comment, comment.line
                        ),
                    );
                    used[index] = true;
                    continue;
                }
                let bytes = fix.start()..fix.end();
                let report = AppliedFix {
                    transform: transform.id(),
                    message: fix.message.clone(),
                    line: lines.line(fix.start()),
                    safety: fix.safety,
                    pass,
                    span: Span {
                        start: lines.line_col(bytes.start),
                        end: lines.line_col(bytes.end),
                        bytes,
                    },
                    edits: fix.edits.clone(),
                    effects: fix.effects.clone(),
                };
                if refused
                    .iter()
                    .any(|(id, edits)| *id == transform.id() && *edits == fix.edits)
                {
                    continue;
                }
                if !policy.allows(*transform, fix.safety) {
                    outcome.unsafe_available.push(report);
                } else if fix.sorted_edits().is_none() || fix.edits.is_empty() {
                    outcome.rejected.push(report);
                } else {
                    candidates.push((fix.start(), order, fix, report));
                }
            }
        }
        if transforms.iter().any(|transform| transform.edits_shell()) {
            shell_guard::record_opaque_runs(&file, context);
        }
        if candidates.is_empty() {
            let silenced = (&suppressions, &mut used[..]);
            collect_context_changes(&mut outcome, &file, transforms, context, policy, silenced);
            outcome.skipped = skip_reports(&skip_log, &lines);
            outcome.unused_suppressions = unused(&suppressions, &used);
            return Ok(outcome);
        }
        // Earlier transforms win conflicts: `transforms` is in priority order.
        candidates.sort_by_key(|(start, order, _, _)| (*order, *start));

        let mut accepted: Vec<(Fix, AppliedFix)> = Vec::new();
        let mut taken = TakenRanges::default();
        for (_, _, fix, report) in candidates {
            if fix.edits.iter().any(|edit| taken.conflicts_with(edit)) {
                outcome.deferred += 1;
            } else {
                taken.extend(&fix.edits);
                accepted.push((fix, report));
            }
        }

        let before = Health::of(&file);
        let refused_before = refused.len();
        let all: Vec<&Fix> = accepted.iter().map(|(fix, _)| fix).collect();
        let candidate_text = apply(&outcome.text, &all);
        let next_text = if let Some(parsed) = sound(&file, &before, &candidate_text) {
            outcome
                .applied
                .extend(accepted.iter().map(|(_, report)| report.clone()));
            parsed_next = Some(parsed);
            candidate_text
        } else {
            // Redo the pass one fix at a time and keep only the fixes that
            // leave the file sound. Every attempt applies the kept fixes and
            // the new one to the pass's input text, where all their offsets
            // are valid: fixes of different transforms interleave, so no
            // order of applying them one by one to a changing text would be.
            let mut text = outcome.text.clone();
            let mut current = Dockerfile::parse(&text);
            let mut kept: Vec<&Fix> = Vec::new();
            for (fix, report) in &accepted {
                let mut trial = kept.clone();
                trial.push(fix);
                let attempt = apply(&outcome.text, &trial);
                if let Some(parsed) = sound(&current, &before, &attempt) {
                    text = attempt;
                    current = parsed;
                    kept.push(fix);
                    outcome.applied.push(report.clone());
                } else {
                    outcome.rejected.push(report.clone());
                    refused.push((report.transform, fix.edits.clone()));
                }
            }
            parsed_next = Some(current);
            text
        };
        if next_text == outcome.text && refused.len() == refused_before {
            let silenced = (&suppressions, &mut used[..]);
            collect_context_changes(&mut outcome, &file, transforms, context, policy, silenced);
            outcome.skipped = skip_reports(&skip_log, &lines);
            outcome.unused_suppressions = unused(&suppressions, &used);
            return Ok(outcome);
        }
        last_ids = accepted
            .iter()
            .map(|(_, report)| report.transform)
            .collect();
        outcome.text = next_text;
    }
    last_ids.sort_unstable();
    last_ids.dedup();
    Err(NoFixedPoint {
        passes: MAX_PASSES,
        transforms: last_ids.join(", "),
    })
}

fn skip_reports(log: &SkipLog, lines: &LineIndex) -> Vec<SkipReport> {
    log.take()
        .into_iter()
        .map(|skip| SkipReport {
            transform: skip.transform,
            line: lines.line(skip.at),
            reason: skip.reason,
        })
        .collect()
}

fn unused(suppressions: &Suppressions, used: &[bool]) -> Vec<(usize, String)> {
    suppressions
        .comments
        .iter()
        .zip(used)
        .filter(|(comment, used)| comment.own && !**used)
        .map(|(comment, _)| (comment.line, comment.comment.clone()))
        .collect()
}

/// Context-file changes are computed once, on the final Dockerfile; a
/// global suppression of the transform turns them off.
fn collect_context_changes(
    outcome: &mut Outcome,
    file: &Dockerfile,
    transforms: &[&dyn Transform],
    context: &Context,
    policy: &Policy,
    (suppressions, used): (&Suppressions, &mut [bool]),
) {
    for transform in transforms {
        let global = suppressions.global_index(transform.id());
        for change in transform.context_changes(file, context) {
            if let Some(index) = global {
                used[index] = true;
                continue;
            }
            if policy.allows(*transform, change.safety) {
                outcome.context_changes.push((transform.id(), change));
            } else {
                outcome.unsafe_available.push(AppliedFix {
                    transform: transform.id(),
                    message: change.message,
                    line: 0,
                    safety: change.safety,
                    ..AppliedFix::default()
                });
            }
        }
    }
}

/// The ranges of the edits accepted in a pass, sorted, so that a new edit
/// is checked against its neighbours only (checking it against every
/// accepted fix made a pass's time grow with the square of its fixes).
#[derive(Default)]
struct TakenRanges(std::collections::BTreeSet<(usize, usize)>);

impl TakenRanges {
    /// True when `edit` conflicts with an accepted edit
    /// ([`Edit::conflicts_with`]).
    fn conflicts_with(&self, edit: &Edit) -> bool {
        // Accepted edits do not conflict with each other (nor overlap
        // within a fix), so in (start, end) order their ends never
        // decrease: walking back from the last one that starts at or
        // before `edit` ends, the first that ends before `edit` starts
        // ends the search.
        for &(start, end) in self.0.range(..=(edit.range.end, usize::MAX)).rev() {
            if end < edit.range.start {
                return false;
            }
            if Edit::replace(start..end, "").conflicts_with(edit) {
                return true;
            }
        }
        false
    }

    fn extend(&mut self, edits: &[Edit]) {
        self.0
            .extend(edits.iter().map(|edit| (edit.range.start, edit.range.end)));
    }
}

/// Applies non-overlapping fixes to `text`.
fn apply(text: &str, fixes: &[&Fix]) -> String {
    let mut edits: Vec<&Edit> = fixes.iter().flat_map(|fix| fix.edits.iter()).collect();
    edits.sort_by_key(|edit| (edit.range.start, edit.range.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for edit in edits {
        out.push_str(&text[at..edit.range.start]);
        out.push_str(&edit.replacement);
        at = edit.range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The parse of `after` when it parses no worse than the pass's input
/// (`health`) and its shell scripts are sound rewrites of those of `current`.
fn sound(current: &Dockerfile, health: &Health, after: &str) -> Option<Dockerfile> {
    let after = Dockerfile::parse(after);
    let sound =
        Health::of(&after).no_worse_than(health) && shell_guard::check(current, &after).is_ok();
    sound.then_some(after)
}

/// How broken a parse is: the counts a fix must not increase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Health {
    error_nodes: usize,
    parser_errors: usize,
}

impl Health {
    fn of(file: &Dockerfile) -> Self {
        Self {
            error_nodes: file.error_count(),
            parser_errors: file.diagnostics().iter().filter(|d| d.parser_error).count(),
        }
    }

    fn no_worse_than(&self, before: &Health) -> bool {
        self.error_nodes <= before.error_nodes && self.parser_errors <= before.parser_errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::InstructionKind;

    /// Uppercases lowercase keywords, one fix per instruction.
    struct UppercaseKeywords;

    impl Transform for UppercaseKeywords {
        fn id(&self) -> &'static str {
            "uppercase-keywords"
        }
        fn summary(&self) -> &'static str {
            "test transform"
        }
        fn safety(&self) -> Safety {
            Safety::Safe
        }
        fn docs(&self) -> &'static str {
            ""
        }
        fn fixes(&self, file: &Dockerfile, _: &Context) -> Vec<Fix> {
            file.instructions()
                .filter(|i| i.kind() != InstructionKind::Unknown)
                .filter_map(|i| {
                    let keyword = i.keyword();
                    let range = i.logical().source_range(i.layout().keyword.clone());
                    (keyword != keyword.to_uppercase()).then(|| {
                        Fix::safe(
                            "uppercase",
                            vec![Edit::replace(range, keyword.to_uppercase())],
                        )
                    })
                })
                .collect()
        }
    }

    /// Always inserts text at the start: never reaches a fixed point.
    struct Restless;

    impl Transform for Restless {
        fn id(&self) -> &'static str {
            "restless"
        }
        fn summary(&self) -> &'static str {
            ""
        }
        fn safety(&self) -> Safety {
            Safety::Unsafe
        }
        fn docs(&self) -> &'static str {
            ""
        }
        fn fixes(&self, _: &Dockerfile, _: &Context) -> Vec<Fix> {
            vec![Fix::unsafe_("again", vec![Edit::insert(0, "# x\n")])]
        }
    }

    /// Breaks the file by turning the first keyword into garbage.
    struct Breaker;

    impl Transform for Breaker {
        fn id(&self) -> &'static str {
            "breaker"
        }
        fn summary(&self) -> &'static str {
            ""
        }
        fn safety(&self) -> Safety {
            Safety::Safe
        }
        fn docs(&self) -> &'static str {
            ""
        }
        fn fixes(&self, file: &Dockerfile, _: &Context) -> Vec<Fix> {
            file.instructions()
                .take(1)
                .map(|i| {
                    Fix::safe(
                        "break",
                        vec![Edit::replace(
                            i.text_range().start..i.text_range().start,
                            "}",
                        )],
                    )
                })
                .collect()
        }
    }

    fn context() -> Context<'static> {
        Context::detached()
    }

    #[test]
    fn applies_fixes_to_a_fixed_point() {
        let outcome = run(
            "from a\nrun b\n",
            &[&UppercaseKeywords],
            &context(),
            &Policy::default(),
        )
        .unwrap();
        assert_eq!(outcome.text, "FROM a\nRUN b\n");
        assert_eq!(outcome.applied.len(), 2);
        assert_eq!(outcome.applied[1].line, 2);
        let again = run(
            &outcome.text,
            &[&UppercaseKeywords],
            &context(),
            &Policy::default(),
        )
        .unwrap();
        assert!(again.applied.is_empty());
    }

    #[test]
    fn unsafe_fixes_need_permission() {
        let outcome = run("FROM a\n", &[&Restless], &context(), &Policy::default()).unwrap();
        assert_eq!(outcome.text, "FROM a\n");
        assert_eq!(outcome.unsafe_available.len(), 1);
    }

    #[test]
    fn stops_with_an_error_without_a_fixed_point() {
        let policy = Policy {
            allow_unsafe: true,
            ..Policy::default()
        };
        let error = run("FROM a\n", &[&Restless], &context(), &policy).unwrap_err();
        assert_eq!(error.passes, MAX_PASSES);
        assert!(error.to_string().contains("restless"));
    }

    #[test]
    fn drops_fixes_that_break_the_file() {
        let outcome = run(
            "from a\n",
            &[&Breaker, &UppercaseKeywords],
            &context(),
            &Policy::default(),
        )
        .unwrap();
        assert_eq!(outcome.text, "FROM a\n");
        assert!(
            outcome
                .rejected
                .iter()
                .any(|fix| fix.transform == "breaker")
        );
    }

    /// Inserts text at two places: before the first instruction and at the
    /// very end, so its edits straddle any other transform's.
    struct Bracket;

    impl Transform for Bracket {
        fn id(&self) -> &'static str {
            "bracket"
        }
        fn summary(&self) -> &'static str {
            ""
        }
        fn safety(&self) -> Safety {
            Safety::Safe
        }
        fn docs(&self) -> &'static str {
            ""
        }
        fn fixes(&self, file: &Dockerfile, _: &Context) -> Vec<Fix> {
            if file.text().starts_with("# b") {
                return Vec::new();
            }
            let end = file.text().len();
            vec![Fix::safe(
                "bracket",
                vec![Edit::insert(0, "# b\n"), Edit::insert(end, "# e\n")],
            )]
        }
    }

    #[test]
    fn a_redone_pass_applies_interleaved_fixes_at_their_offsets() {
        // Breaker's fix is dropped; Bracket's two edits straddle the
        // uppercase fix of the second line. Applied one by one to a
        // changing text, some would land at stale offsets.
        let outcome = run(
            "from a\nrun b\n",
            &[&Bracket, &Breaker, &UppercaseKeywords],
            &context(),
            &Policy::default(),
        )
        .unwrap();
        assert_eq!(outcome.text, "# b\nFROM a\nRUN b\n# e\n");
    }

    #[test]
    fn taken_ranges_find_the_same_conflicts_as_checking_every_edit() {
        let accepted = [
            Edit::replace(3..5, "a"),
            Edit::insert(5, "b"),
            Edit::replace(9..12, "c"),
            Edit::insert(20, "d"),
            Edit::replace(20..20, "e"),
            Edit::replace(21..30, "f"),
        ];
        let mut taken = TakenRanges::default();
        taken.extend(&accepted);
        for start in 0..32 {
            for end in start..32 {
                for edit in [Edit::replace(start..end, "x"), Edit::insert(start, "x")] {
                    let expected = accepted.iter().any(|a| a.conflicts_with(&edit));
                    assert_eq!(taken.conflicts_with(&edit), expected, "{edit:?}");
                }
            }
        }
    }

    #[test]
    fn conflicting_edits() {
        let insert = Edit::insert(5, "x");
        assert!(insert.conflicts_with(&Edit::replace(3..5, "y")));
        assert!(insert.conflicts_with(&Edit::insert(5, "z")));
        assert!(!insert.conflicts_with(&Edit::replace(6..8, "y")));
        assert!(!Edit::replace(0..3, "a").conflicts_with(&Edit::replace(3..5, "b")));
    }
}
