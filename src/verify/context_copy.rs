//! Temporary copies of a build context: for the rewrite's build when
//! dockfix also changes `.dockerignore`, and for `--rebuild`'s simulated
//! source change. The user's directory is never written to.

use std::fs;
use std::io;
use std::path::Path;

/// Copies the tree at `source` into `destination` (which must not exist).
/// Files are hard-linked where the filesystem allows (a large context then
/// costs no space or time) and copied otherwise; symbolic links are
/// recreated; permissions are kept. The builders only read the copy, and
/// files the caller replaces must be removed before they are written (see
/// [`replace_file`]) so the original is never touched through a link.
pub fn copy_tree(source: &Path, destination: &Path) -> io::Result<()> {
    fs::create_dir(destination)?;
    for entry in fs::read_dir(source)? {
        let entry = entry?;
        let from = entry.path();
        let to = destination.join(entry.file_name());
        let file_type = entry.file_type()?;
        if file_type.is_dir() {
            copy_tree(&from, &to)?;
        } else if file_type.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(&from)?, &to)?;
        } else if file_type.is_file() && fs::hard_link(&from, &to).is_err() {
            fs::copy(&from, &to)?;
        }
        // Sockets and devices in a context are not sent by the builders.
    }
    fs::set_permissions(destination, fs::metadata(source)?.permissions())
}

/// Writes `text` at `path` in a copy as a new file, never through a hard
/// link to the original.
pub fn replace_file(path: &Path, text: &str) -> io::Result<()> {
    match fs::remove_file(path) {
        Ok(()) => {}
        Err(error) if error.kind() == io::ErrorKind::NotFound => {}
        Err(error) => return Err(error),
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_and_replaces_without_touching_the_original() {
        let original = tempfile::tempdir().unwrap();
        fs::create_dir(original.path().join("src")).unwrap();
        fs::write(original.path().join("src/app.py"), "print(1)\n").unwrap();
        fs::write(original.path().join(".dockerignore"), ".git\n").unwrap();
        std::os::unix::fs::symlink("src/app.py", original.path().join("link")).unwrap();
        let scratch = tempfile::tempdir().unwrap();
        let copy = scratch.path().join("context");
        copy_tree(original.path(), &copy).unwrap();
        assert_eq!(
            fs::read_to_string(copy.join("src/app.py")).unwrap(),
            "print(1)\n"
        );
        assert_eq!(
            fs::read_link(copy.join("link")).unwrap(),
            Path::new("src/app.py")
        );
        replace_file(&copy.join(".dockerignore"), ".git\nnode_modules\n").unwrap();
        replace_file(&copy.join("new/file.txt"), "x").unwrap();
        assert_eq!(
            fs::read_to_string(original.path().join(".dockerignore")).unwrap(),
            ".git\n"
        );
        assert_eq!(
            fs::read_to_string(copy.join(".dockerignore")).unwrap(),
            ".git\nnode_modules\n"
        );
        assert!(!original.path().join("new").exists());
    }
}
