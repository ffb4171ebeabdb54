//! Fix reports for other programs: JSON, SARIF 2.1.0 and GitHub Actions
//! workflow commands (`--output-format`).

use serde_json::{Value, json};

use crate::engine::{AppliedFix, Safety};
use crate::transforms;

/// How fix reports are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ReportFormat {
    /// One line per fix, for people.
    #[default]
    Text,
    /// A JSON array with one object per fix.
    Json,
    /// One SARIF 2.1.0 log with a run of dockfix's results.
    Sarif,
    /// GitHub Actions workflow commands (`::warning file=…`).
    Github,
}

/// One fix of one file, as the machine formats see it.
pub struct Finding<'a> {
    pub path: &'a str,
    pub fix: &'a AppliedFix,
    /// Applied (or would be, without `--write`); false for fixes that need
    /// `--unsafe`.
    pub applied: bool,
    /// The original text, when the fix's offsets are offsets in it (its
    /// pass started from the original): SARIF can then carry the fix.
    pub original: Option<&'a str>,
}

/// The JSON object of one fix. Offsets are bytes; `pass` tells which text
/// they are in: pass 1's are in the original file, pass N's in the text
/// after applying the fixes of passes 1 to N-1, so a tool that applies the
/// edits pass by pass gets dockfix's result.
pub fn json_fix(finding: &Finding) -> Value {
    let fix = finding.fix;
    json!({
        "path": finding.path,
        "transform": fix.transform,
        "safety": fix.safety.as_str(),
        "applied": finding.applied,
        "message": fix.message,
        "pass": fix.pass,
        "line": fix.span.start.0,
        "column": fix.span.start.1,
        "end_line": fix.span.end.0,
        "end_column": fix.span.end.1,
        "start_byte": fix.span.bytes.start,
        "end_byte": fix.span.bytes.end,
        "edits": fix.edits.iter().map(|edit| json!({
            "start_byte": edit.range.start,
            "end_byte": edit.range.end,
            "replacement": edit.replacement,
        })).collect::<Vec<_>>(),
    })
}

/// A GitHub Actions workflow command: an annotation on the fix's line.
pub fn github_line(finding: &Finding) -> String {
    let fix = finding.fix;
    let level = match (fix.safety, finding.applied) {
        (Safety::Safe, _) | (_, true) => "warning",
        (Safety::Unsafe, false) => "notice",
    };
    let title = match fix.safety {
        Safety::Safe => format!("dockfix {}", fix.transform),
        Safety::Unsafe => format!("dockfix {} (unsafe)", fix.transform),
    };
    format!(
        "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        escape_property(finding.path),
        fix.span.start.0.max(1),
        fix.span.start.1.max(1),
        fix.span.end.0.max(1),
        fix.span.end.1.max(1),
        escape_property(&title),
        escape_data(&fix.message)
    )
}

/// Workflow-command escaping (GitHub's toolkit `escapeData`).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow-command property escaping (`escapeProperty`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The SARIF log for all findings of a run.
pub fn sarif_log(findings: &[Value]) -> Value {
    let rules: Vec<Value> = transforms::all()
        .into_iter()
        .map(|transform| {
            json!({
                "id": transform.id(),
                "name": transform.id(),
                "shortDescription": { "text": transform.summary() },
                "fullDescription": { "text": transform.summary() },
                "help": { "text": transform.docs(), "markdown": transform.docs() },
                "defaultConfiguration": { "level": match transform.safety() {
                    Safety::Safe => "warning",
                    Safety::Unsafe => "note",
                } },
                "properties": { "safety": transform.safety().as_str() },
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "dockfix",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            } },
            "columnKind": "unicodeCodePoints",
            "results": findings,
        }],
    })
}

/// One SARIF result. Its fix is included when the fix's offsets are in the
/// original file (the file a SARIF viewer shows).
pub fn sarif_result(finding: &Finding) -> Value {
    let fix = finding.fix;
    let rule_index = transforms::all()
        .iter()
        .position(|transform| transform.id() == fix.transform);
    let region = |start: (usize, usize), end: (usize, usize)| -> Value {
        let (start_column, end_column) = match finding.original {
            Some(text) => (char_column(text, start), char_column(text, end)),
            None => (start.1, end.1),
        };
        json!({
            "startLine": start.0.max(1),
            "startColumn": start_column.max(1),
            "endLine": end.0.max(1),
            "endColumn": end_column.max(1),
        })
    };
    let mut result = json!({
        "ruleId": fix.transform,
        "level": match (fix.safety, finding.applied) {
            (Safety::Unsafe, false) => "note",
            _ => "warning",
        },
        "message": { "text": fix.message },
        "locations": [{ "physicalLocation": {
            "artifactLocation": { "uri": finding.path },
            "region": region(fix.span.start, fix.span.end),
        } }],
        "properties": {
            "safety": fix.safety.as_str(),
            "applied": finding.applied,
            "pass": fix.pass,
        },
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    if let Some(text) = finding.original {
        let lines = crate::syntax::LineIndex::new(text);
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .map(|edit| {
                json!({
                    "deletedRegion": region(
                        lines.line_col(edit.range.start),
                        lines.line_col(edit.range.end),
                    ),
                    "insertedContent": { "text": edit.replacement },
                })
            })
            .collect();
        result["fixes"] = json!([{
            "description": { "text": fix.message },
            "artifactChanges": [{
                "artifactLocation": { "uri": finding.path },
                "replacements": replacements,
            }],
        }]);
    }
    result
}

/// The 1-based column in characters of a 1-based (line, byte column).
fn char_column(text: &str, (line, byte_column): (usize, usize)) -> usize {
    let Some(line_text) = text.split_inclusive('\n').nth(line.saturating_sub(1)) else {
        return byte_column;
    };
    let prefix = byte_column.saturating_sub(1).min(line_text.len());
    line_text
        .get(..prefix)
        .map_or(byte_column, |before| before.chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Edit, Span};

    fn fix() -> AppliedFix {
        AppliedFix {
            transform: "merge-runs",
            message: "merge 2, now: 50% smaller".into(),
            line: 2,
            safety: Safety::Safe,
            pass: 1,
            span: Span {
                bytes: 11..19,
                start: (2, 5),
                end: (3, 4),
            },
            edits: vec![Edit::replace(11..19, " && ")],
            effects: Vec::new(),
        }
    }

    #[test]
    fn github_commands_escape_their_text() {
        let fix = fix();
        let finding = Finding {
            path: "a,b/Dockerfile",
            fix: &fix,
            applied: true,
            original: None,
        };
        assert_eq!(
            github_line(&finding),
            "::warning file=a%2Cb/Dockerfile,line=2,col=5,endLine=3,endColumn=4,title=dockfix merge-runs::merge 2, now: 50%25 smaller"
        );
    }

    #[test]
    fn json_carries_the_edits() {
        let fix = fix();
        let value = json_fix(&Finding {
            path: "Dockerfile",
            fix: &fix,
            applied: true,
            original: None,
        });
        assert_eq!(value["edits"][0]["start_byte"], 11);
        assert_eq!(value["edits"][0]["replacement"], " && ");
        assert_eq!(value["pass"], 1);
    }

    #[test]
    fn columns_count_characters() {
        assert_eq!(char_column("é = x\n", (1, 4)), 3);
        assert_eq!(char_column("abc\n", (1, 2)), 2);
    }
}
