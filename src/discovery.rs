//! Finding Dockerfiles under the paths given on the command line.

use std::path::{Path, PathBuf};

/// True for names users give Dockerfiles, and that hadolint, tally and
/// BuildKit's `-f` accept: `Dockerfile` and `Containerfile` in any case,
/// followed by nothing or by `.`, `-` or `_` and a suffix (`Dockerfile.dev`,
/// `Dockerfile-prod`, `dockerfile_dev`), and `*.Dockerfile` /
/// `*.dockerfile` / `*.Containerfile`. Editor and patch leftovers
/// (`Dockerfile.orig`, `.bak`, `.rej`, `.swp`, `~`, …) and documents about
/// Dockerfiles (`Dockerfile.md`, `.txt`, …) are not Dockerfiles.
pub fn is_dockerfile_name(name: &str) -> bool {
    if is_leftover(name) {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    ["dockerfile", "containerfile"].iter().any(|stem| {
        let named_after = lower.strip_prefix(stem).is_some_and(|rest| {
            rest.is_empty()
                || (rest.len() > 1 && rest.starts_with(['.', '-', '_']) && !is_document(rest))
        });
        let suffixed = lower
            .strip_suffix(stem)
            .and_then(|rest| rest.strip_suffix('.'))
            .is_some_and(|rest| !rest.is_empty());
        named_after || suffixed
    })
}

/// Copies editors, patch tools and merges leave beside a file.
fn is_leftover(name: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        ".orig",
        ".bak",
        ".rej",
        ".swp",
        ".swo",
        ".swx",
        ".tmp",
        ".save",
        ".old",
        "~",
        ".dpkg-old",
        ".dpkg-new",
        ".dpkg-dist",
        ".rpmnew",
        ".rpmsave",
        ".BASE",
        ".LOCAL",
        ".REMOTE",
    ];
    name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || (name.starts_with('.') && name.contains(".sw"))
        || SUFFIXES.iter().any(|suffix| name.ends_with(suffix))
}

/// `Dockerfile.md`, `Dockerfile.txt`: about a Dockerfile, not one.
fn is_document(rest: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        ".md", ".txt", ".rst", ".adoc", ".html", ".json", ".yml", ".yaml", ".toml", ".sh", ".ps1",
        ".py", ".lock", ".log", ".diff", ".patch",
    ];
    EXTENSIONS.iter().any(|extension| rest.ends_with(extension))
}

/// Extra names to walk for and paths to leave out (`include`/`exclude` in
/// `dockfix.toml`): globs matched against the file name when they hold no
/// `/`, else against the path relative to the directory walked.
#[derive(Debug, Clone, Default)]
pub struct Patterns {
    include: Option<globset::GlobSet>,
    exclude: Option<globset::GlobSet>,
}

impl Patterns {
    pub fn new(include: &[String], exclude: &[String]) -> Result<Self, String> {
        Ok(Self {
            include: glob_set(include)?,
            exclude: glob_set(exclude)?,
        })
    }

    fn wants(&self, relative: &Path) -> bool {
        let name = relative.file_name().map(Path::new).unwrap_or(relative);
        let matches = |set: &Option<globset::GlobSet>| {
            set.as_ref()
                .is_some_and(|set| set.is_match(relative) || set.is_match(name))
        };
        let named = name.to_str().is_some_and(is_dockerfile_name);
        (named || matches(&self.include)) && !matches(&self.exclude)
    }

    /// A directory the walk need not enter: the patterns exclude it, or
    /// everything in it (`legacy/**` matches the child `legacy/-`).
    fn excludes_directory(&self, relative: &Path) -> bool {
        self.exclude.as_ref().is_some_and(|set| {
            !relative.as_os_str().is_empty()
                && (set.is_match(relative) || set.is_match(relative.join("-")))
        })
    }
}

fn glob_set(patterns: &[String]) -> Result<Option<globset::GlobSet>, String> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut builder = globset::GlobSetBuilder::new();
    for pattern in patterns {
        let glob = globset::GlobBuilder::new(pattern.trim_end_matches('/'))
            .literal_separator(true)
            .build()
            .map_err(|error| format!("bad pattern `{pattern}`: {error}"))?;
        builder.add(glob);
    }
    builder.build().map(Some).map_err(|error| error.to_string())
}

/// An explicit path, or a directory walked for Dockerfiles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    File(PathBuf),
    /// A path that could not be walked, with the reason.
    Error(PathBuf, String),
}

/// What a walk found, and what it has to say about it.
#[derive(Debug, Default)]
pub struct Discovery {
    pub found: Vec<Found>,
    /// Directories given on the command line that hold no Dockerfile.
    pub empty_directories: Vec<PathBuf>,
    /// Files found twice (the same path given twice, or a link and its
    /// target): handled once; `-v` says so.
    pub duplicates: Vec<(PathBuf, PathBuf)>,
}

/// Files named on the command line are taken as they are (whatever their
/// name); directories are walked for Dockerfile names, honouring
/// `.gitignore` and `.ignore` but not skipping hidden directories
/// (`.devcontainer/Dockerfile` is common). A linked Dockerfile is taken
/// once, by its target: writing through the link keeps the two as one.
/// Results are sorted per argument.
pub fn discover(paths: &[PathBuf], patterns: &dyn Fn(&Path) -> Patterns) -> Discovery {
    let mut discovery = Discovery::default();
    let mut seen: std::collections::HashMap<PathBuf, PathBuf> = Default::default();
    let mut take = |discovery: &mut Discovery, path: PathBuf| {
        let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        match seen.get(&key) {
            Some(first) => discovery.duplicates.push((path, first.clone())),
            None => {
                seen.insert(key, path.clone());
                discovery.found.push(Found::File(path));
            }
        }
    };
    for path in paths {
        if !path.is_dir() {
            take(&mut discovery, path.clone());
            continue;
        }
        let patterns = patterns(path);
        let mut files = Vec::new();
        let root = path.clone();
        let directory_patterns = patterns.clone();
        let walker = ignore::WalkBuilder::new(path)
            .hidden(false)
            .filter_entry(move |entry| {
                entry.file_name() != ".git"
                    && !(entry.file_type().is_some_and(|kind| kind.is_dir())
                        && directory_patterns.excludes_directory(
                            entry.path().strip_prefix(&root).unwrap_or(entry.path()),
                        ))
            })
            .build();
        for entry in walker {
            match entry {
                Ok(entry) => {
                    let Some(kind) = entry.file_type() else {
                        continue;
                    };
                    // A link is taken when it points at a regular file.
                    let is_file = kind.is_file()
                        || (kind.is_symlink()
                            && std::fs::metadata(entry.path()).is_ok_and(|meta| meta.is_file()));
                    let relative = entry.path().strip_prefix(path).unwrap_or(entry.path());
                    if is_file && patterns.wants(relative) {
                        files.push(entry.into_path());
                    }
                }
                Err(error) => discovery
                    .found
                    .push(Found::Error(path.clone(), error.to_string())),
            }
        }
        if files.is_empty() {
            discovery.empty_directories.push(path.clone());
        }
        files.sort();
        for file in files {
            take(&mut discovery, file);
        }
    }
    discovery
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
            "Containerfile.arm64",
            "Dockerfile-prod",
            "Dockerfile_dev",
            "dockerfile",
            "prod.dockerfile",
            "Dockerfile.template",
        ] {
            assert!(is_dockerfile_name(name), "{name}");
        }
        for name in [
            "dockerfile.txt",
            "Dockerfile.md",
            "Dockerfiles",
            ".dockerfile",
            "README.md",
            "Dockerfile-",
            "Dockerfile.orig",
            "Dockerfile.bak",
            "Dockerfile~",
            "Dockerfile.swp",
            ".Dockerfile.swp",
            "Dockerfile.rej",
            ".#Dockerfile",
            "#Dockerfile#",
        ] {
            assert!(!is_dockerfile_name(name), "{name}");
        }
    }

    #[test]
    fn patterns_add_and_remove_files() {
        let patterns =
            Patterns::new(&["*.df".into()], &["legacy/**".into(), "*.dev".into()]).unwrap();
        assert!(patterns.wants(Path::new("svc/api.df")));
        assert!(patterns.wants(Path::new("svc/Dockerfile")));
        assert!(!patterns.wants(Path::new("legacy/Dockerfile")));
        assert!(!patterns.wants(Path::new("Dockerfile.dev")));
        assert!(patterns.excludes_directory(Path::new("legacy")));
        assert!(Patterns::new(&["[".into()], &[]).is_err());
    }
}
