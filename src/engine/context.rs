//! What a transform may know besides the Dockerfile itself.

use std::any::{Any, TypeId};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::config::Settings;

/// Everything a transform can consult: the file's path, its build context
/// and the user's settings. Transforms read the file and its context; the
/// one thing they write is why they left something alone ([`Context::skip`]).
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The Dockerfile's path, when it has one (not for plain stdin).
    pub path: Option<&'a Path>,
    /// The build context, when it is known.
    pub build_context: Option<&'a BuildContext>,
    pub settings: &'a Settings,
    /// Where skip reasons go; the engine sets it for each pass (`None`
    /// outside the engine, where reasons are dropped).
    pub skips: Option<&'a SkipLog>,
}

/// A candidate a transform declined, or offered only as unsafe, and why:
/// what `-v` prints, so a user can tell why the fourth RUN was not merged.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skip {
    /// File offset the reason is about (reported as its line).
    pub at: usize,
    pub transform: &'static str,
    pub reason: String,
}

/// The skip reasons of one engine pass, each once, in position order (a
/// set: checking a list for repeats made a pass's time grow with the square
/// of its reasons on files of thousands of RUNs).
#[derive(Debug, Default)]
pub struct SkipLog(Mutex<BTreeSet<Skip>>);

impl SkipLog {
    pub fn record(&self, skip: Skip) {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(skip);
    }

    /// The reasons recorded so far, sorted by position; the log is emptied.
    pub fn take(&self) -> Vec<Skip> {
        std::mem::take(
            &mut *self
                .0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
        .into_iter()
        .collect()
    }
}

impl Context<'_> {
    /// Records why `transform` left the candidate at file offset `at` alone
    /// (or offered it only as unsafe). One line of `-v` output each.
    pub fn skip(&self, transform: &'static str, at: usize, reason: impl Into<String>) {
        if let Some(log) = self.skips {
            log.record(Skip {
                at,
                transform,
                reason: reason.into(),
            });
        }
    }
}

impl Context<'static> {
    /// A context with default settings and no file system, for tests and
    /// stdin without a file name.
    pub fn detached() -> Self {
        static DEFAULT: OnceLock<Settings> = OnceLock::new();
        Self {
            path: None,
            build_context: None,
            settings: DEFAULT.get_or_init(Settings::default),
            skips: None,
        }
    }
}

/// The directory `docker build` sends to the builder: which files exist
/// there and what its `.dockerignore` says. Listed once, on first use.
#[derive(Debug)]
pub struct BuildContext {
    root: PathBuf,
    files: OnceLock<BTreeSet<String>>,
    /// What transforms work out from the context's files, one value per
    /// type, kept while the context is: every pass of the engine asks
    /// again.
    derived: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

/// A context bigger than this is not listed further: transforms then see
/// only part of it, which can only make them skip more.
const MAX_LISTED_FILES: usize = 20_000;

impl BuildContext {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            files: OnceLock::new(),
            derived: Mutex::new(HashMap::new()),
        }
    }

    /// The context's value of type `T`, made with `T::default()` on first
    /// use (a transform's memo of what it read from the context).
    pub fn derived<T: Any + Send + Sync + Default>(&self) -> Arc<T> {
        let mut derived = self.derived.lock().unwrap_or_else(PoisonError::into_inner);
        let value = derived
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()))
            .clone();
        value
            .downcast::<T>()
            .unwrap_or_else(|_| unreachable!("keyed by its type"))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Relative paths (with `/`) of the regular files in the context,
    /// `.git` excluded. `.gitignore` is not honoured: Docker does not read it.
    pub fn files(&self) -> &BTreeSet<String> {
        self.files.get_or_init(|| {
            let mut files = BTreeSet::new();
            let walker = ignore::WalkBuilder::new(&self.root)
                .standard_filters(false)
                .filter_entry(|entry| entry.file_name() != ".git")
                .build();
            for entry in walker.flatten() {
                if files.len() >= MAX_LISTED_FILES {
                    break;
                }
                if entry.file_type().is_some_and(|kind| kind.is_file())
                    && let Ok(relative) = entry.path().strip_prefix(&self.root)
                {
                    files.insert(relative.to_string_lossy().replace('\\', "/"));
                }
            }
            files
        })
    }

    /// True when the context has more files than [`Self::files`] lists.
    pub fn listing_is_partial(&self) -> bool {
        self.files().len() >= MAX_LISTED_FILES
    }

    /// True when `relative` names a file or directory in the context.
    pub fn exists(&self, relative: &str) -> bool {
        let relative = relative.trim_start_matches("./").trim_end_matches('/');
        relative.is_empty() || self.root.join(relative).exists()
    }

    /// A text file of the context, if it exists and is UTF-8.
    pub fn read(&self, relative: &str) -> Option<String> {
        std::fs::read_to_string(self.root.join(relative)).ok()
    }
}
