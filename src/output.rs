//! What dockfix prints and writes: unified diffs, fix reports, atomic writes.

use std::io::{IsTerminal, Write};
use std::path::Path;

use similar::{ChangeTag, TextDiff};

/// Whether to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Resolves `Auto` for standard output.
    pub fn for_stdout(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }
}

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// A unified diff with `--- a/PATH` / `+++ b/PATH` headers and three lines
/// of context; `\ No newline at end of file` where a side lacks one.
pub fn unified_diff(path: &str, old: &str, new: &str, color: bool) -> String {
    diff_with_old_label(path, None, old, new, color)
}

/// A unified diff that creates `path` (`--- /dev/null`).
pub fn creation_diff(path: &str, new: &str, color: bool) -> String {
    diff_with_old_label(path, Some("/dev/null"), "", new, color)
}

fn diff_with_old_label(
    path: &str,
    old_label: Option<&str>,
    old: &str,
    new: &str,
    color: bool,
) -> String {
    let diff = TextDiff::from_lines(old, new);
    let mut out = String::new();
    // git's style: `a/` and `b/` prefixes, even for an absolute path.
    let path = path.trim_start_matches('/');
    let old_label = old_label.map_or_else(|| format!("a/{path}"), str::to_string);
    let header = format!("--- {old_label}\n+++ b/{path}\n");
    if color {
        out.push_str(BOLD);
        out.push_str(&header);
        out.push_str(RESET);
    } else {
        out.push_str(&header);
    }
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        let hunk_header = format!("{}\n", hunk.header());
        push_colored(&mut out, &hunk_header, color.then_some(CYAN));
        for change in hunk.iter_changes() {
            let (sign, paint) = match change.tag() {
                ChangeTag::Delete => ('-', Some(RED)),
                ChangeTag::Insert => ('+', Some(GREEN)),
                ChangeTag::Equal => (' ', None),
            };
            let mut line = format!("{sign}{}", change.value());
            if change.missing_newline() {
                line.push_str("\n\\ No newline at end of file\n");
            }
            push_colored(&mut out, &line, paint.filter(|_| color));
        }
    }
    out
}

fn push_colored(out: &mut String, text: &str, paint: Option<&str>) {
    match paint {
        Some(code) => {
            out.push_str(code);
            out.push_str(text.trim_end_matches('\n'));
            out.push_str(RESET);
            out.push('\n');
        }
        None => out.push_str(text),
    }
}

/// Replaces `path` with `text` atomically: a temporary file in the same
/// directory, given the original's permissions, renamed over it. A reader
/// sees either the old or the new file, never half of one.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    write_atomically_with_default_mode(path, text, None)
}

/// [`write_atomically`], giving a file that does not exist yet `mode`
/// (temporary files start as 0600).
pub fn write_atomically_with_default_mode(
    path: &Path,
    text: &str,
    new_file_mode: Option<u32>,
) -> std::io::Result<()> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let permissions = std::fs::metadata(path)
        .map(|metadata| metadata.permissions())
        .ok();
    let mut temporary = tempfile::Builder::new()
        .prefix(".dockfix-")
        .tempfile_in(directory)?;
    temporary.write_all(text.as_bytes())?;
    temporary.as_file().sync_all()?;
    if let Some(permissions) = permissions {
        std::fs::set_permissions(temporary.path(), permissions)?;
    } else if let Some(mode) = new_file_mode {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(temporary.path(), std::fs::Permissions::from_mode(mode))?;
        }
        #[cfg(not(unix))]
        let _ = mode;
    }
    temporary.persist(path).map_err(|error| error.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_headers_and_missing_newline() {
        let diff = unified_diff("Dockerfile", "FROM a\nRUN b", "FROM a\nRUN c", false);
        assert_eq!(
            diff,
            "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,2 +1,2 @@\n FROM a\n-RUN b\n\\ No newline at end of file\n+RUN c\n\\ No newline at end of file\n"
        );
    }

    #[test]
    fn atomic_write_keeps_permissions() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("Dockerfile");
        std::fs::write(&path, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        write_atomically(&path, "new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o640);
        }
    }
}
