//! User settings: `dockfix.toml` merged under the command-line flags.
//!
//! ```toml
//! select = ["merge-runs", "cleanup-same-layer"]   # default: all
//! ignore = ["dockerignore"]
//! unsafe = false        # explicit: no unsafe fixes, even of selected transforms
//! include = ["*.df"]    # more file names to walk for
//! exclude = ["legacy/**", "Dockerfile.upstream"]  # paths never walked
//!
//! [transforms.slim-base-image]
//! prefer = "slim"          # or "alpine"
//!
//! [transforms.multi-stage]
//! go-runtime = "distroless"  # or "scratch"
//!
//! [runtimes.go]              # where the multi-stage transform runs Go binaries
//! builders = ["golang"]
//! image = "gcr.io/distroless/static-debian12:nonroot"
//!
//! [base-images.my-node]     # extra or overriding base-image map entries
//! repositories = ["registry.example.com/node"]
//! slim = { style = "suffix", variant = "slim" }
//! sizes = { full = 390, slim = 70 }
//! ```
//!
//! Unknown keys are errors, reported with their line and column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::base_images::{BaseImage, BaseImageMap, Runtime};

pub const CONFIG_FILE_NAME: &str = "dockfix.toml";

/// Settings that decide which transforms run and how.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Transform ids to run; `None` means all of them.
    pub select: Option<Vec<String>>,
    /// Transform ids never to run.
    pub ignore: Vec<String>,
    /// Apply unsafe fixes too.
    pub allow_unsafe: bool,
    /// Whether naming a transform in `select` opts in to its unsafe fixes:
    /// yes on the command line, and in the file unless it says
    /// `unsafe = false` (an explicit "no" wins there).
    pub select_opts_in_unsafe: bool,
    /// Extra file-name globs to walk for, and paths to leave out.
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// The base-image map with the user's entries merged in.
    pub base_images: Option<BaseImageMap>,
    pub slim_base_image: SlimBaseImageOptions,
    pub multi_stage: MultiStageOptions,
}

impl Settings {
    /// The base-image map in force.
    pub fn base_images(&self) -> &BaseImageMap {
        self.base_images
            .as_ref()
            .unwrap_or_else(|| BaseImageMap::builtin())
    }
}

/// `[transforms.slim-base-image]`
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SlimBaseImageOptions {
    /// Offer Alpine even where a slim (Debian) variant exists.
    #[serde(default)]
    pub prefer: Preference,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Preference {
    #[default]
    Slim,
    Alpine,
}

/// `[transforms.multi-stage]`
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MultiStageOptions {
    #[serde(default)]
    pub go_runtime: GoRuntime,
}

/// Where a static Go binary runs.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum GoRuntime {
    /// `gcr.io/distroless/static-debian12`: CA certificates and tzdata included.
    #[default]
    Distroless,
    /// `scratch`: nothing; certificates and tzdata are copied from the builder.
    Scratch,
}

/// The file as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConfigFile {
    select: Option<Vec<toml::Spanned<String>>>,
    ignore: Option<Vec<toml::Spanned<String>>>,
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(rename = "unsafe")]
    allow_unsafe: Option<bool>,
    #[serde(default)]
    transforms: TransformTables,
    #[serde(default)]
    base_images: BTreeMap<String, BaseImage>,
    #[serde(default)]
    runtimes: BTreeMap<String, Runtime>,
}

/// `[transforms.<id>]`: only transforms with options may appear.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TransformTables {
    #[serde(rename = "slim-base-image")]
    slim_base_image: Option<SlimBaseImageOptions>,
    #[serde(rename = "multi-stage")]
    multi_stage: Option<MultiStageOptions>,
}

/// What the command line says, laid over the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--select` (replaces the file's list).
    pub select: Option<Vec<String>>,
    /// `--ignore` (adds to the file's list).
    pub ignore: Vec<String>,
    /// `--unsafe` (turns unsafe fixes on).
    pub allow_unsafe: bool,
}

impl Overrides {
    pub fn apply(&self, mut settings: Settings) -> Settings {
        if let Some(select) = &self.select {
            settings.select = Some(select.clone());
            settings.select_opts_in_unsafe = true;
        }
        settings.ignore.extend(self.ignore.iter().cloned());
        settings.allow_unsafe |= self.allow_unsafe;
        settings
    }
}

/// Reads a `dockfix.toml`. The error is one line naming the file, the line
/// and the column.
pub fn load(path: &Path) -> Result<Settings, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("{}: cannot read: {error}", path.display()))?;
    parse(&text).map_err(|message| format!("{}: {message}", path.display()))
}

/// Parses the text of a `dockfix.toml`.
pub fn parse(text: &str) -> Result<Settings, String> {
    let file: ConfigFile = toml::from_str(text).map_err(|error| {
        let message = error.message().trim().replace('\n', " ");
        match error.span() {
            Some(span) => {
                let (line, column) = line_column(text, span.start);
                format!("line {line}, column {column}: {message}")
            }
            None => message,
        }
    })?;
    // Transform ids are checked here, where their place in the file is
    // known, so the error names the file's line once, not every Dockerfile.
    for id in file.select.iter().chain(&file.ignore).flatten() {
        let known = matches!(id.get_ref().as_str(), "all" | "none")
            || crate::transforms::by_id(id.get_ref()).is_some();
        if !known {
            let (line, column) = line_column(text, id.span().start);
            return Err(format!(
                "line {line}, column {column}: unknown transform `{}` (see `dockfix rules`)",
                id.get_ref()
            ));
        }
    }
    for pattern in file.include.iter().chain(&file.exclude) {
        crate::discovery::Patterns::new(std::slice::from_ref(pattern), &[])?;
    }
    let ids = |list: Option<Vec<toml::Spanned<String>>>| -> Option<Vec<String>> {
        list.map(|ids| ids.into_iter().map(toml::Spanned::into_inner).collect())
    };
    let base_images = (!file.base_images.is_empty() || !file.runtimes.is_empty()).then(|| {
        BaseImageMap::with_overrides(&BaseImageMap {
            images: file.base_images,
            runtimes: file.runtimes,
            ..BaseImageMap::default()
        })
    });
    Ok(Settings {
        select: ids(file.select),
        ignore: ids(file.ignore).unwrap_or_default(),
        allow_unsafe: file.allow_unsafe.unwrap_or(false),
        select_opts_in_unsafe: file.allow_unsafe != Some(false),
        include: file.include,
        exclude: file.exclude,
        base_images,
        slim_base_image: file.transforms.slim_base_image.unwrap_or_default(),
        multi_stage: file.transforms.multi_stage.unwrap_or_default(),
    })
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |at| at + 1) + 1;
    (line, column)
}

/// The `dockfix.toml` that applies to files in `directory`: the nearest one
/// in it or a parent, not looking above the repository root (the first
/// directory holding `.git`).
pub fn find(directory: &Path) -> Option<PathBuf> {
    let mut current = Some(directory);
    while let Some(dir) = current {
        let candidate = dir.join(CONFIG_FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").exists() {
            return None;
        }
        current = dir.parent();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_key() {
        let settings = parse(
            "select = [\"merge-runs\"]\nignore = [\"dockerignore\"]\nunsafe = true\n\
             [transforms.slim-base-image]\nprefer = \"alpine\"\n\
             [transforms.multi-stage]\ngo-runtime = \"scratch\"\n\
             [base-images.corp-node]\nrepositories = [\"registry.corp:5000/node\"]\nslim = { style = \"suffix\", variant = \"slim\" }\n",
        )
        .unwrap();
        assert_eq!(
            settings.select.as_deref(),
            Some(&["merge-runs".to_string()][..])
        );
        assert_eq!(settings.ignore, ["dockerignore"]);
        assert!(settings.allow_unsafe);
        assert_eq!(settings.slim_base_image.prefer, Preference::Alpine);
        assert_eq!(settings.multi_stage.go_runtime, GoRuntime::Scratch);
        assert!(settings.base_images().images.contains_key("corp-node"));
        assert!(settings.base_images().images.contains_key("python"));
    }

    #[test]
    fn unknown_keys_name_line_and_column() {
        let error = parse("unsafe = true\nselekt = [\"x\"]\n").unwrap_err();
        assert!(
            error.starts_with("line 2, column 1: unknown field `selekt`"),
            "{error}"
        );
        assert!(!error.contains('\n'));
        let error = parse("[transforms.merge-runs]\nfoo = 1\n").unwrap_err();
        assert!(error.contains("line 1"), "{error}");
        assert!(error.contains("merge-runs"), "{error}");
        let error = parse("[base-images.x]\nrepositories = []\nslimm = 1\n").unwrap_err();
        assert!(error.starts_with("line 3, column 1"), "{error}");
    }

    #[test]
    fn unknown_transform_ids_name_line_and_column() {
        let error =
            parse("unsafe = true\nselect = [\"merge-runs\", \"merge-rnus\"]\n").unwrap_err();
        assert!(
            error.starts_with("line 2, column 25: unknown transform `merge-rnus`"),
            "{error}"
        );
        let error = parse("ignore = [\"x\"]\n").unwrap_err();
        assert!(error.starts_with("line 1, column 11"), "{error}");
    }

    #[test]
    fn an_explicit_unsafe_false_wins_over_the_files_select() {
        let file = parse("select = [\"package-cache-flags\"]\nunsafe = false\n").unwrap();
        assert!(!file.select_opts_in_unsafe);
        let file = parse("select = [\"package-cache-flags\"]\n").unwrap();
        assert!(file.select_opts_in_unsafe);
        let strict = parse("unsafe = false\n").unwrap();
        let merged = Overrides {
            select: Some(vec!["merge-runs".into()]),
            ..Overrides::default()
        }
        .apply(strict);
        assert!(
            merged.select_opts_in_unsafe,
            "naming on the command line opts in"
        );
    }

    #[test]
    fn command_line_overrides_the_file() {
        let file = parse("select = [\"merge-runs\"]\nignore = [\"dockerignore\"]\n").unwrap();
        let merged = Overrides {
            select: Some(vec!["c".into()]),
            ignore: vec!["d".into()],
            allow_unsafe: true,
        }
        .apply(file);
        assert_eq!(merged.select.unwrap(), ["c"]);
        assert_eq!(merged.ignore, ["dockerignore", "d"]);
        assert!(merged.allow_unsafe);
    }

    #[test]
    fn finds_the_nearest_file_up_to_the_repository_root() {
        let root = tempfile::tempdir().unwrap();
        let repo = root.path().join("repo");
        let deep = repo.join("svc/api");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::create_dir(repo.join(".git")).unwrap();
        std::fs::write(root.path().join(CONFIG_FILE_NAME), "").unwrap();
        assert_eq!(find(&deep), None, "must not look above the repository root");
        std::fs::write(repo.join(CONFIG_FILE_NAME), "").unwrap();
        assert_eq!(find(&deep), Some(repo.join(CONFIG_FILE_NAME)));
        std::fs::write(deep.join(CONFIG_FILE_NAME), "").unwrap();
        assert_eq!(find(&deep), Some(deep.join(CONFIG_FILE_NAME)));
    }
}
