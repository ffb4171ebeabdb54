//! Finding Dockerfiles under the paths given on the command line.

use std::path::{Path, PathBuf};

/// True for names `docker build` users give Dockerfiles: `Dockerfile`,
/// `Dockerfile.*`, `*.Dockerfile`, `*.dockerfile`, `Containerfile`,
/// `Containerfile.*`.
pub fn is_dockerfile_name(name: &str) -> bool {
    name == "Dockerfile"
        || name == "Containerfile"
        || name.starts_with("Dockerfile.")
        || name.starts_with("Containerfile.")
        || (name.len() > ".dockerfile".len()
            && (name.ends_with(".Dockerfile") || name.ends_with(".dockerfile")))
}

/// An explicit path, or a directory walked for Dockerfiles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    File(PathBuf),
    /// A path that could not be walked, with the reason.
    Error(PathBuf, String),
}

/// Files named on the command line are taken as they are (whatever their
/// name); directories are walked for Dockerfile names, honouring
/// `.gitignore` and `.ignore` but not skipping hidden directories
/// (`.devcontainer/Dockerfile` is common). Results are sorted per argument.
pub fn discover(paths: &[PathBuf]) -> Vec<Found> {
    let mut found = Vec::new();
    for path in paths {
        if !path.is_dir() {
            found.push(Found::File(path.clone()));
            continue;
        }
        let mut files = Vec::new();
        let walker = ignore::WalkBuilder::new(path)
            .hidden(false)
            .filter_entry(|entry| entry.file_name() != ".git")
            .build();
        for entry in walker {
            match entry {
                Ok(entry) => {
                    let is_file = entry.file_type().is_some_and(|kind| kind.is_file());
                    if is_file && is_dockerfile_name(&entry.file_name().to_string_lossy()) {
                        files.push(entry.into_path());
                    }
                }
                Err(error) => found.push(Found::Error(path.clone(), error.to_string())),
            }
        }
        files.sort();
        found.extend(files.into_iter().map(Found::File));
    }
    found
}

/// A path as shown to the user: without a leading `./`.
pub fn display(path: &Path) -> String {
    let text = path.to_string_lossy();
    text.strip_prefix("./").unwrap_or(&text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_names() {
        for name in [
            "Dockerfile",
            "Dockerfile.dev",
            "api.Dockerfile",
            "x.dockerfile",
            "Containerfile",
        ] {
            assert!(is_dockerfile_name(name), "{name}");
        }
        for name in [
            "dockerfile.txt",
            "Dockerfiles",
            ".dockerfile",
            "README.md",
            "Dockerfile-old",
        ] {
            assert!(!is_dockerfile_name(name), "{name}");
        }
    }
}
