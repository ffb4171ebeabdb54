//! Changes to files of the build context (`.dockerignore`): merged across
//! the Dockerfiles of one run, rendered, diffed and written like Dockerfiles.

use std::path::PathBuf;

use crate::engine::ContextChange;

/// The new content of one context file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    pub path: PathBuf,
    /// The current content; `None` when the file does not exist yet.
    pub original: Option<String>,
    pub text: String,
    /// (transform, message) of each change merged in.
    pub messages: Vec<(String, String)>,
}

/// Merges changes by file: the union of their lines, in first-seen order,
/// each group under its header comment.
pub fn plan(changes: Vec<(&str, ContextChange)>) -> Vec<PlannedFile> {
    let mut paths: Vec<PathBuf> = Vec::new();
    for (_, change) in &changes {
        if !paths.contains(&change.path) {
            paths.push(change.path.clone());
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let original = std::fs::read_to_string(&path).ok();
            let newline = if original
                .as_deref()
                .is_some_and(|text| text.contains("\r\n"))
            {
                "\r\n"
            } else {
                "\n"
            };
            let mut text = original.clone().unwrap_or_default();
            if !text.is_empty() && !text.ends_with('\n') {
                text.push_str(newline);
            }
            let mut written: Vec<String> = Vec::new();
            let mut messages = Vec::new();
            let mut headers: Vec<&str> = Vec::new();
            for (transform, change) in changes.iter().filter(|(_, change)| change.path == path) {
                let fresh: Vec<&String> = change
                    .lines
                    .iter()
                    .filter(|line| !written.contains(line))
                    .collect();
                if fresh.is_empty() {
                    continue;
                }
                if !headers.contains(&change.header.as_str()) {
                    headers.push(&change.header);
                    text.push_str(&format!("# {}{newline}", change.header));
                }
                for line in fresh {
                    text.push_str(line);
                    text.push_str(newline);
                    written.push(line.clone());
                }
                messages.push((transform.to_string(), change.message.clone()));
            }
            PlannedFile {
                path,
                original,
                text,
                messages,
            }
        })
        .filter(|planned| planned.original.as_deref() != Some(planned.text.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Safety;

    fn change(path: &std::path::Path, lines: &[&str]) -> (&'static str, ContextChange) {
        (
            "dockerignore",
            ContextChange {
                path: path.to_path_buf(),
                lines: lines.iter().map(|l| l.to_string()).collect(),
                header: "added".into(),
                message: "m".into(),
                safety: Safety::Safe,
            },
        )
    }

    #[test]
    fn merges_and_keeps_existing_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".dockerignore");
        std::fs::write(&path, "a\r\nb").unwrap();
        let planned = plan(vec![
            change(&path, &[".git", "x"]),
            change(&path, &["x", "y"]),
        ]);
        assert_eq!(planned.len(), 1);
        assert_eq!(planned[0].text, "a\r\nb\r\n# added\r\n.git\r\nx\r\ny\r\n");
        let new = dir.path().join("new/.dockerignore");
        let planned = plan(vec![change(&new, &[".git"])]);
        assert_eq!(planned[0].original, None);
        assert_eq!(planned[0].text, "# added\n.git\n");
    }
}
