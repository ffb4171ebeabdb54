//! What dockfix prints and writes: unified diffs, fix reports, atomic writes.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

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

/// Temporary files being written right now: removed if the run is
/// interrupted (Ctrl-C, SIGTERM), so no `.dockfix-XXXXXX` is left behind.
static LIVE_TEMPORARIES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// On SIGINT, SIGTERM or SIGHUP: remove the temporary files being written,
/// then exit with 130. The files being replaced are untouched: a rename has
/// either happened or not.
pub fn remove_temporaries_on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        let live = LIVE_TEMPORARIES
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for path in live.iter() {
            let _ = std::fs::remove_file(path);
        }
        std::process::exit(130);
    });
}

/// A temporary file in `directory`, registered for removal on interrupt
/// and removed when dropped (unless persisted).
struct Temporary {
    /// `None` once persisted.
    file: Option<tempfile::NamedTempFile>,
    path: PathBuf,
}

impl Temporary {
    /// Created as late as possible and filled at once, to keep the window
    /// in which a SIGKILL could leave it behind short.
    fn with_text(directory: &Path, text: &str) -> std::io::Result<Self> {
        let mut live = LIVE_TEMPORARIES
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut file = tempfile::Builder::new()
            .prefix(".dockfix-")
            .tempfile_in(directory)?;
        live.push(file.path().to_path_buf());
        drop(live);
        let path = file.path().to_path_buf();
        let written = file
            .write_all(text.as_bytes())
            .and_then(|()| file.as_file().sync_all());
        let temporary = Self {
            file: Some(file),
            path,
        };
        written.map(|()| temporary)
    }

    fn path(&self) -> &Path {
        &self.path
    }

    fn persist(mut self, path: &Path) -> std::io::Result<()> {
        let file = self.file.take().expect("persisted once");
        file.persist(path).map(drop).map_err(|error| error.error)
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        unregister(&self.path);
    }
}

fn unregister(path: &Path) {
    LIVE_TEMPORARIES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .retain(|live| live != path);
}

/// Replaces the file at `path` with `text`, so that a reader sees either
/// the old or the new file, never half of one, and nothing about the file
/// but its content changes:
/// - a symbolic link is written through: its target gets the new text and
///   the link stays a link;
/// - permissions, owner and group are kept;
/// - a file with several hard links, or whose owner cannot be given back
///   (not running as root), is written in place over the same inode, after
///   a complete copy of the new text has been saved beside it;
/// - anything else is written to a temporary file in the same directory
///   and renamed over the original.
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
    let target = link_target(path)?;
    let directory = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let existing = std::fs::metadata(&target).ok();
    if let Some(metadata) = &existing {
        if !metadata.is_file() {
            return Err(std::io::Error::other("not a regular file"));
        }
        if hard_links(metadata) > 1 {
            return write_in_place(&target, &directory, text);
        }
    }
    let temporary = Temporary::with_text(&directory, text)?;
    match &existing {
        Some(metadata) => {
            std::fs::set_permissions(temporary.path(), metadata.permissions())?;
            if !give_owner(temporary.path(), metadata) {
                drop(temporary);
                return write_in_place(&target, &directory, text);
            }
        }
        None => {
            if let Some(mode) = new_file_mode {
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(
                        temporary.path(),
                        std::fs::Permissions::from_mode(mode),
                    )?;
                }
                #[cfg(not(unix))]
                let _ = mode;
            }
        }
    }
    temporary.persist(&target)
}

/// The file a path names once every symbolic link is followed (the path
/// itself when it is not a link, or does not exist yet).
fn link_target(path: &Path) -> std::io::Result<PathBuf> {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_symlink());
    if !is_link {
        return Ok(path.to_path_buf());
    }
    std::fs::canonicalize(path).map_err(|error| {
        std::io::Error::new(error.kind(), format!("cannot follow the link: {error}"))
    })
}

/// Writes `text` over the existing inode of `target`: its links, owner and
/// mode stay as they are. A full copy of the new text is saved beside it
/// first, so an interruption mid-write leaves the text recoverable.
fn write_in_place(target: &Path, directory: &Path, text: &str) -> std::io::Result<()> {
    let saved = Temporary::with_text(directory, text)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(target)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    drop(saved);
    Ok(())
}

#[cfg(unix)]
fn hard_links(metadata: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    metadata.nlink()
}

#[cfg(not(unix))]
fn hard_links(_: &std::fs::Metadata) -> u64 {
    1
}

/// Gives `path` the owner and group of `original`; false when they differ
/// and cannot be given (only root may give files away).
#[cfg(unix)]
fn give_owner(path: &Path, original: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(current) = std::fs::metadata(path) else {
        return false;
    };
    if (current.uid(), current.gid()) == (original.uid(), original.gid()) {
        return true;
    }
    std::os::unix::fs::chown(path, Some(original.uid()), Some(original.gid())).is_ok()
}

#[cfg(not(unix))]
fn give_owner(_: &Path, _: &std::fs::Metadata) -> bool {
    true
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

    #[cfg(unix)]
    #[test]
    fn writes_through_symbolic_links() {
        let directory = tempfile::tempdir().unwrap();
        let real = directory.path().join("real");
        std::fs::create_dir(&real).unwrap();
        std::fs::write(real.join("Dockerfile"), "old").unwrap();
        let link = directory.path().join("Dockerfile");
        std::os::unix::fs::symlink("real/Dockerfile", &link).unwrap();
        write_atomically(&link, "new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            std::fs::read_to_string(real.join("Dockerfile")).unwrap(),
            "new"
        );
        assert_eq!(leftovers(&real), 0);
    }

    #[cfg(unix)]
    #[test]
    fn keeps_hard_links() {
        use std::os::unix::fs::MetadataExt;
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("Dockerfile");
        let other = directory.path().join("Dockerfile.copy");
        std::fs::write(&path, "old").unwrap();
        std::fs::hard_link(&path, &other).unwrap();
        let inode = std::fs::metadata(&path).unwrap().ino();
        write_atomically(&path, "new").unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().ino(), inode);
        assert_eq!(std::fs::read_to_string(&other).unwrap(), "new");
        assert_eq!(leftovers(directory.path()), 0);
    }

    #[cfg(unix)]
    #[test]
    fn keeps_owner_and_group() {
        use std::os::unix::fs::MetadataExt;
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("Dockerfile");
        std::fs::write(&path, "old").unwrap();
        // Only root can give a file away; elsewhere there is nothing to keep.
        if std::os::unix::fs::chown(&path, Some(65534), Some(65534)).is_err() {
            return;
        }
        write_atomically(&path, "new").unwrap();
        let metadata = std::fs::metadata(&path).unwrap();
        assert_eq!((metadata.uid(), metadata.gid()), (65534, 65534));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }

    fn leftovers(directory: &Path) -> usize {
        std::fs::read_dir(directory)
            .unwrap()
            .flatten()
            .filter(|entry| entry.file_name().to_string_lossy().starts_with(".dockfix-"))
            .count()
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
