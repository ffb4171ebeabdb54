//! One file's verification: the facts gathered, the verdict drawn from
//! them, and the two ways of printing them (text for people, JSON lines
//! for scripts). Both show the same facts.

use std::fmt::Write as _;

use serde::Serialize;

use super::config_diff::ConfigChange;
use super::tree_diff::{ChangedPath, PathOnlyIn, Reason, Totals};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Only expected differences, and the image is not larger.
    Equivalent,
    /// Something unexpected: a failed rewrite build, a config or file
    /// difference, different `--run` results, or a larger image.
    Different,
    /// dockfix has nothing to fix: nothing was built.
    Unchanged,
    /// The original does not build: nothing to compare.
    BeforeFails,
    /// Verification itself failed (unreadable file, engine error).
    Error,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Equivalent => "equivalent",
            Verdict::Different => "different",
            Verdict::Unchanged => "unchanged",
            Verdict::BeforeFails => "before-fails",
            Verdict::Error => "error",
        }
    }
}

/// One build: the original (`before`) or the rewrite (`after`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BuildSummary {
    pub built: bool,
    pub size_bytes: u64,
    pub layers: usize,
    pub seconds: f64,
    /// For a failed build: the step that failed and the log's last lines.
    pub failed_step: Option<String>,
    pub log_tail: Vec<String>,
}

/// A fix dockfix made (`line` is `None` for a `.dockerignore` change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FixSummary {
    pub transform: String,
    pub safety: &'static str,
    pub line: Option<usize>,
    pub message: String,
}

/// `--run`: the command in both images.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunComparison {
    pub command: String,
    /// Same exit code, standard output and standard error.
    pub same: bool,
    /// `None` when the command was stopped at the time limit.
    pub before_exit: Option<i32>,
    pub after_exit: Option<i32>,
    pub before_stdout: String,
    pub after_stdout: String,
    pub before_stderr: String,
    pub after_stderr: String,
}

/// `--rebuild`: both rebuilt with the cache after a new file appears in
/// the context. Steps do not count `FROM`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RebuildComparison {
    pub before_seconds: f64,
    pub after_seconds: f64,
    pub before_cached_steps: usize,
    pub after_cached_steps: usize,
    pub before_steps: usize,
    pub after_steps: usize,
    pub before_built: bool,
    pub after_built: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileReport {
    pub path: String,
    pub verdict: Verdict,
    /// `None` when nothing was built (unchanged, or an error first).
    pub before: Option<BuildSummary>,
    /// `None` when not built (unchanged, or the original failed).
    pub after: Option<BuildSummary>,
    pub fixes: Vec<FixSummary>,
    pub config_changes: Vec<ConfigChange>,
    pub only_before: Vec<PathOnlyIn>,
    pub only_after: Vec<PathOnlyIn>,
    pub changed: Vec<ChangedPath>,
    pub run: Option<RunComparison>,
    pub rebuild: Option<RebuildComparison>,
    pub totals: Totals,
    /// Growth the fixes declare (manifests copied once more): a rewrite
    /// larger by at most this much is not counted as larger.
    pub expected_growth: Option<ExpectedGrowth>,
    /// Why the verdict is `different` (empty otherwise).
    pub reasons: Vec<String>,
    pub error: Option<String>,
}

/// Bytes a fix adds to the image on purpose, and the files they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedGrowth {
    pub bytes: u64,
    /// Build-context paths copied once more.
    pub files: Vec<String>,
}

impl FileReport {
    pub fn new(path: String) -> Self {
        Self {
            path,
            verdict: Verdict::Unchanged,
            before: None,
            after: None,
            fixes: Vec::new(),
            config_changes: Vec::new(),
            only_before: Vec::new(),
            only_after: Vec::new(),
            changed: Vec::new(),
            run: None,
            rebuild: None,
            totals: Totals::default(),
            expected_growth: None,
            reasons: Vec::new(),
            error: None,
        }
    }

    /// Sets the verdict and its reasons from the facts gathered.
    pub fn judge(&mut self) {
        let (verdict, reasons) = self.verdict_from_facts();
        self.verdict = verdict;
        self.reasons = reasons;
    }

    fn verdict_from_facts(&self) -> (Verdict, Vec<String>) {
        if self.error.is_some() {
            return (Verdict::Error, Vec::new());
        }
        if self.fixes.is_empty() {
            return (Verdict::Unchanged, Vec::new());
        }
        let Some(before) = self.before.as_ref().filter(|before| before.built) else {
            return (Verdict::BeforeFails, Vec::new());
        };
        let Some(after) = self.after.as_ref().filter(|after| after.built) else {
            return (
                Verdict::Different,
                vec!["the rewrite does not build".to_string()],
            );
        };
        let mut reasons = Vec::new();
        let allowed = self
            .expected_growth
            .as_ref()
            .map_or(0, |growth| growth.bytes);
        if after.size_bytes > before.size_bytes.saturating_add(allowed) {
            reasons.push(format!(
                "the rewrite is larger ({} more)",
                human_bytes(after.size_bytes - before.size_bytes)
            ));
        }
        if !self.config_changes.is_empty() {
            reasons.push(format!(
                "{} config change{}",
                self.config_changes.len(),
                plural(self.config_changes.len())
            ));
        }
        if self.totals.unexpected_count > 0 {
            reasons.push(format!(
                "{} unexpected file difference{}",
                self.totals.unexpected_count,
                plural(self.totals.unexpected_count)
            ));
        }
        if let Some(run) = &self.run
            && !run.same
        {
            reasons.push(format!("`{}` gives different results", run.command));
        }
        if reasons.is_empty() {
            (Verdict::Equivalent, reasons)
        } else {
            (Verdict::Different, reasons)
        }
    }

    /// One line of JSON.
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).expect("reports serialise")
    }

    /// The text report. `all` lists every differing path; otherwise the
    /// largest few of each list.
    pub fn to_text(&self, all: bool) -> String {
        let mut out = String::new();
        let _ = write!(out, "{}: {}", self.path, self.verdict.as_str());
        if !self.reasons.is_empty() {
            let _ = write!(out, " ({})", self.reasons.join("; "));
        }
        out.push('\n');
        if let Some(error) = &self.error {
            let _ = writeln!(out, "  error: {error}");
            return out;
        }
        if self.fixes.is_empty() {
            return out;
        }
        let _ = writeln!(out, "  fixes: {}", self.fixes.len());
        for fix in &self.fixes {
            let line = fix.line.map_or_else(
                || ".dockerignore".to_string(),
                |line| format!("line {line}"),
            );
            let _ = writeln!(
                out,
                "    {line} [{}] {} ({})",
                fix.transform, fix.message, fix.safety
            );
        }
        for (name, build) in [("before", &self.before), ("after", &self.after)] {
            let Some(build) = build else { continue };
            if build.built {
                let _ = writeln!(out, "  {name}: built in {:.1} s", build.seconds);
            } else {
                let step = build.failed_step.as_deref().unwrap_or("(no step)");
                let _ = writeln!(
                    out,
                    "  {name}: FAILED after {:.1} s at {step}; last lines:",
                    build.seconds
                );
                for line in &build.log_tail {
                    let _ = writeln!(out, "    | {line}");
                }
            }
        }
        if let (Some(before), Some(after)) = (&self.before, &self.after)
            && before.built
            && after.built
        {
            let delta = after.size_bytes as i128 - before.size_bytes as i128;
            let percent = if before.size_bytes == 0 {
                0.0
            } else {
                delta as f64 * 100.0 / before.size_bytes as f64
            };
            let sign = if delta < 0 { "-" } else { "+" };
            let _ = writeln!(
                out,
                "  size: {} -> {} ({sign}{}, {percent:+.1}%); layers {} -> {}",
                human_bytes(before.size_bytes),
                human_bytes(after.size_bytes),
                human_bytes(delta.unsigned_abs() as u64),
                before.layers,
                after.layers
            );
            if let Some(growth) = &self.expected_growth
                && delta > 0
                && delta as u64 <= growth.bytes
            {
                let _ = writeln!(
                    out,
                    "  larger by {}, within the {} of {} that the fixes copy once more in their own layer",
                    human_bytes(delta as u64),
                    human_bytes(growth.bytes),
                    growth.files.join(", ")
                );
            }
            self.write_config(&mut out);
            self.write_files(&mut out, all);
        }
        if let Some(run) = &self.run {
            let exit =
                |code: Option<i32>| code.map_or("timed out".to_string(), |c| format!("exit {c}"));
            if run.same {
                let _ = writeln!(
                    out,
                    "  run `{}`: same ({})",
                    run.command,
                    exit(run.after_exit)
                );
            } else {
                let _ = writeln!(
                    out,
                    "  run `{}`: DIFFERENT: before {}, after {}",
                    run.command,
                    exit(run.before_exit),
                    exit(run.after_exit)
                );
                for (name, text) in [
                    ("before stdout", &run.before_stdout),
                    ("after stdout", &run.after_stdout),
                    ("before stderr", &run.before_stderr),
                    ("after stderr", &run.after_stderr),
                ] {
                    for line in text.lines().take(10) {
                        let _ = writeln!(out, "    {name}| {line}");
                    }
                }
            }
        }
        if let Some(rebuild) = &self.rebuild {
            let _ = writeln!(
                out,
                "  rebuild after a source change: before {}/{} steps cached, {:.1} s{}; after {}/{} cached, {:.1} s{}",
                rebuild.before_cached_steps,
                rebuild.before_steps,
                rebuild.before_seconds,
                if rebuild.before_built {
                    ""
                } else {
                    " (FAILED)"
                },
                rebuild.after_cached_steps,
                rebuild.after_steps,
                rebuild.after_seconds,
                if rebuild.after_built { "" } else { " (FAILED)" },
            );
        }
        out
    }

    fn write_config(&self, out: &mut String) {
        if self.config_changes.is_empty() {
            let _ = writeln!(out, "  config: no change");
            return;
        }
        let _ = writeln!(out, "  config: {} change(s)", self.config_changes.len());
        let unset = |value: &Option<String>| value.clone().unwrap_or_else(|| "(unset)".into());
        for change in &self.config_changes {
            let _ = writeln!(
                out,
                "    {}: {} -> {}",
                change.field,
                unset(&change.before),
                unset(&change.after)
            );
        }
    }

    fn write_files(&self, out: &mut String, all: bool) {
        let totals = &self.totals;
        let _ = writeln!(
            out,
            "  files: {} only before ({}), {} only after ({}), {} changed; {} unexpected ({})",
            totals.only_before_count,
            human_bytes(totals.only_before_bytes),
            totals.only_after_count,
            human_bytes(totals.only_after_bytes),
            totals.changed_count,
            totals.unexpected_count,
            human_bytes(totals.unexpected_bytes),
        );
        let explained: Vec<String> = [
            (totals.expected_from_base_image_count, Reason::BaseImage),
            (
                totals.expected_from_dockerignore_count,
                Reason::Dockerignore,
            ),
            (
                totals.expected_not_reproducible_count,
                Reason::NotReproducible,
            ),
            (totals.expected_from_fixes_count, Reason::RemovedByFix),
        ]
        .into_iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, reason)| format!("{count} {}", reason.describe()))
        .collect();
        if !explained.is_empty() {
            let _ = writeln!(out, "  expected: {}", explained.join(", "));
        }
        let limit = |expected: bool| match (all, expected) {
            (true, _) => usize::MAX,
            (false, true) => 5,
            (false, false) => 25,
        };
        for (title, list) in [
            ("only before", &self.only_before),
            ("only after", &self.only_after),
        ] {
            for expected in [false, true] {
                let matching: Vec<&PathOnlyIn> = list
                    .iter()
                    .filter(|only| only.expected == expected)
                    .collect();
                write_list(
                    out,
                    title,
                    expected,
                    matching.len(),
                    limit(expected),
                    |out, index| {
                        let only = matching[index];
                        let _ = writeln!(
                            out,
                            "      {:>10}  {}{}",
                            human_bytes(only.size),
                            only.path,
                            reason_note(only.reason)
                        );
                    },
                );
            }
        }
        for expected in [false, true] {
            let matching: Vec<&ChangedPath> = self
                .changed
                .iter()
                .filter(|changed| changed.expected == expected)
                .collect();
            write_list(
                out,
                "changed",
                expected,
                matching.len(),
                limit(expected),
                |out, index| {
                    let changed = matching[index];
                    let mut facts = changed.differences.join(", ");
                    if changed.before != changed.after {
                        let _ = write!(facts, ": {} -> {}", changed.before, changed.after);
                    }
                    let _ = writeln!(
                        out,
                        "      {:>10}  {} ({facts}){}",
                        human_bytes(changed.size.max(changed.size_before)),
                        changed.path,
                        reason_note(changed.reason)
                    );
                },
            );
        }
    }
}

/// ` [from the base image change]` after a path a rewrite explains;
/// nothing for caches and lists (their list says so) or unexpected paths.
fn reason_note(reason: Option<Reason>) -> String {
    match reason {
        Some(Reason::PackageCache) | None => String::new(),
        Some(reason) => format!("  [{}]", reason.describe()),
    }
}

fn write_list(
    out: &mut String,
    title: &str,
    expected: bool,
    count: usize,
    limit: usize,
    mut write_item: impl FnMut(&mut String, usize),
) {
    if count == 0 {
        return;
    }
    let kind = if expected { "expected" } else { "UNEXPECTED" };
    let shown = count.min(limit);
    if shown < count {
        let _ = writeln!(
            out,
            "    {title}, {kind} (largest {shown} of {count}; -v lists all):"
        );
    } else {
        let _ = writeln!(out, "    {title}, {kind}:");
    }
    for index in 0..shown {
        write_item(out, index);
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// Decimal units, as `docker images` shows sizes.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64;
    let mut unit = "B";
    for next in UNITS {
        if value < 1000.0 {
            break;
        }
        value /= 1000.0;
        unit = next;
    }
    format!("{value:.1} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built(size: u64) -> Option<BuildSummary> {
        Some(BuildSummary {
            built: true,
            size_bytes: size,
            layers: 3,
            seconds: 1.0,
            ..BuildSummary::default()
        })
    }

    fn with_fix() -> FileReport {
        let mut report = FileReport::new("Dockerfile".into());
        report.fixes.push(FixSummary {
            transform: "merge-runs".into(),
            safety: "safe",
            line: Some(2),
            message: "joined 2 RUNs".into(),
        });
        report.before = built(100);
        report.after = built(90);
        report
    }

    fn judged(mut report: FileReport) -> (Verdict, Vec<String>) {
        report.judge();
        (report.verdict, report.reasons)
    }

    #[test]
    fn verdicts() {
        assert_eq!(judged(with_fix()).0, Verdict::Equivalent);

        let mut same_size = with_fix();
        same_size.after = built(100);
        assert_eq!(judged(same_size).0, Verdict::Equivalent);

        let mut nothing = with_fix();
        nothing.fixes.clear();
        assert_eq!(judged(nothing).0, Verdict::Unchanged);

        let mut before_fails = with_fix();
        before_fails.before = Some(BuildSummary::default());
        before_fails.after = None;
        assert_eq!(judged(before_fails).0, Verdict::BeforeFails);

        let mut after_fails = with_fix();
        after_fails.after = Some(BuildSummary::default());
        assert_eq!(
            judged(after_fails),
            (
                Verdict::Different,
                vec!["the rewrite does not build".into()]
            )
        );

        let mut manifests = with_fix();
        manifests.after = built(150);
        manifests.expected_growth = Some(ExpectedGrowth {
            bytes: 50,
            files: vec!["go.mod".into()],
        });
        assert_eq!(judged(manifests.clone()).0, Verdict::Equivalent);
        assert!(
            manifests
                .to_text(false)
                .contains("larger by 50 B, within the 50 B of go.mod")
        );
        manifests.expected_growth.as_mut().unwrap().bytes = 49;
        assert_eq!(judged(manifests).0, Verdict::Different);
        let mut larger = with_fix();
        larger.after = built(2100);
        assert_eq!(
            judged(larger),
            (
                Verdict::Different,
                vec!["the rewrite is larger (2.0 kB more)".into()]
            )
        );

        let mut config = with_fix();
        config.config_changes.push(ConfigChange {
            field: "User".into(),
            before: None,
            after: Some("nonroot".into()),
        });
        assert_eq!(judged(config).1, ["1 config change"]);

        let mut files = with_fix();
        files.totals.unexpected_count = 2;
        assert_eq!(judged(files).1, ["2 unexpected file differences"]);

        let mut expected_only = with_fix();
        expected_only.totals.only_before_count = 40;
        assert_eq!(judged(expected_only).0, Verdict::Equivalent);

        let mut run = with_fix();
        run.run = Some(RunComparison {
            command: "app --version".into(),
            same: false,
            before_exit: Some(0),
            after_exit: Some(127),
            before_stdout: "1.0\n".into(),
            after_stdout: String::new(),
            before_stderr: String::new(),
            after_stderr: "not found\n".into(),
        });
        assert_eq!(judged(run).1, ["`app --version` gives different results"]);

        let mut error = with_fix();
        error.error = Some("boom".into());
        assert_eq!(judged(error).0, Verdict::Error);
    }

    #[test]
    fn json_has_the_issue_fields_in_order() {
        let mut report = with_fix();
        report.judge();
        let line = report.to_json_line();
        let json: serde_json::Value = serde_json::from_str(&line).unwrap();
        let positions: Vec<usize> = [
            "path",
            "verdict",
            "before",
            "after",
            "fixes",
            "config_changes",
            "only_before",
            "only_after",
            "changed",
            "run",
            "rebuild",
        ]
        .iter()
        .map(|key| line.find(&format!("\"{key}\":")).expect(key))
        .collect();
        assert!(positions.is_sorted(), "{line}");
        assert_eq!(json["verdict"], "equivalent");
        assert_eq!(json["before"]["built"], true);
        assert_eq!(json["before"]["size_bytes"], 100);
        assert_eq!(json["after"]["layers"], 3);
        assert_eq!(json["fixes"][0]["transform"], "merge-runs");
        assert_eq!(json["fixes"][0]["line"], 2);
        assert!(json["run"].is_null());
        assert!(!report.to_json_line().contains('\n'));
    }

    #[test]
    fn text_shows_size_and_verdict() {
        let mut report = with_fix();
        report.judge();
        let text = report.to_text(false);
        assert!(text.starts_with("Dockerfile: equivalent\n"), "{text}");
        assert!(
            text.contains("size: 100 B -> 90 B (-10 B, -10.0%); layers 3 -> 3"),
            "{text}"
        );
        assert!(text.contains("config: no change"), "{text}");
    }

    #[test]
    fn human_bytes_uses_decimal_units() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1500), "1.5 kB");
        assert_eq!(human_bytes(220_000_000), "220.0 MB");
    }
}
