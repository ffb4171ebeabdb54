//! The base-image map (`transforms/slim-base-image/base-images.toml`,
//! compiled in, extendable from `dockfix.toml`): which slimmer variants each
//! image has, how their tags are formed, what they lack, and their sizes.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::syntax::image_ref::ImageRef;

/// `transforms/slim-base-image/base-images.toml`, converted to JSON when
/// dockfix is built (`build.rs`): parsing the TOML took about a tenth of a
/// run on a small file.
const BUILTIN_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/base-images.json"));

/// The whole map.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BaseImageMap {
    /// Named lists (tools, paths, packages) that `lacks`, `excludes` and
    /// `breaks-packages` can include as `@name`; lists may include lists.
    #[serde(default)]
    pub tool_sets: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub images: BTreeMap<String, BaseImage>,
    /// Runtime images for the multi-stage transform, by ecosystem.
    #[serde(default)]
    pub runtimes: BTreeMap<String, Runtime>,
}

/// Where an ecosystem's artefact runs after a multi-stage split.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Runtime {
    /// Builder repositories this runtime is for.
    pub builders: Vec<String>,
    /// The runtime image; `{tag}`, `{java}` and `{slim}` are filled in.
    pub image: String,
    /// The image used when `go-runtime = "scratch"` is configured.
    pub scratch_image: Option<String>,
    #[serde(default)]
    pub sizes: RuntimeSizes,
}

/// Approximate compressed sizes in MB of the builder and runtime images.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuntimeSizes {
    pub builder: Option<u32>,
    pub runtime: Option<u32>,
}

/// One image family.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BaseImage {
    /// Repositories this entry matches (`python`, `mcr.microsoft.com/dotnet/sdk`).
    pub repositories: Vec<String>,
    /// Tools (or `command subcommand` phrases, or `@tool-set`s) the slim
    /// variant lacks.
    #[serde(default)]
    pub lacks: Vec<String>,
    /// Installers that may compile native code, which needs the tools above.
    #[serde(default)]
    pub native_installers: Vec<String>,
    /// Paths the slim variant does not have although the full one does
    /// (Debian slim's dpkg `path-exclude`s), or `@list`s of them.
    #[serde(default)]
    pub excludes: Vec<String>,
    /// Packages (`*` globs) whose installation fails on the slim variant.
    #[serde(default)]
    pub breaks_packages: Vec<String>,
    /// The full image's default command when the slim variant's differs: a
    /// family that sets no CMD or ENTRYPOINT runs it.
    pub default_cmd: Option<String>,
    /// Why a swap of this image can never be proven safe, when that is so
    /// (something the slim variant's runtime itself lacks).
    pub runtime_caveat: Option<String>,
    pub slim: Option<TagRule>,
    pub alpine: Option<TagRule>,
    /// Only ever used to build: never swapped.
    #[serde(default)]
    pub builder_only: bool,
    #[serde(default)]
    pub sizes: Sizes,
}

/// Approximate compressed sizes in MB.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Sizes {
    pub full: Option<u32>,
    pub slim: Option<u32>,
    pub alpine: Option<u32>,
}

/// How a variant's reference is formed from the original one.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TagRule {
    pub style: Style,
    #[serde(default)]
    pub variant: String,
    /// For `replace-token`: the tag word to replace.
    pub token: Option<String>,
    /// For `repository`: the repository to switch to.
    pub repository: Option<String>,
    /// The tag to use when the original has none (or `latest`).
    pub latest: Option<String>,
    /// Tag words for which the variant does not exist.
    #[serde(default)]
    pub not_with: Vec<String>,
    /// From this major version on, tags without a Debian release name are
    /// not Debian images (openjdk 12+: Oracle Linux), so only tags naming a
    /// release are mapped.
    pub debian_only_below_major: Option<u32>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Style {
    #[default]
    Suffix,
    BeforeDistro,
    ReplaceDistro,
    ReplaceToken,
    Repository,
}

/// Debian release names as they appear in tags.
const DEBIAN_RELEASES: &[&str] = &[
    "trixie", "bookworm", "bullseye", "buster", "stretch", "jessie", "sid",
];

impl BaseImageMap {
    /// The built-in map.
    pub fn builtin() -> &'static BaseImageMap {
        static MAP: OnceLock<BaseImageMap> = OnceLock::new();
        MAP.get_or_init(|| {
            serde_json::from_str(BUILTIN_JSON).expect("the built-in base-image map is valid")
        })
    }

    /// The built-in map with the user's entries added; an entry with a
    /// built-in name replaces it.
    pub fn with_overrides(overrides: &BaseImageMap) -> BaseImageMap {
        let mut map = Self::builtin().clone();
        map.tool_sets.extend(overrides.tool_sets.clone());
        map.images.extend(overrides.images.clone());
        map.runtimes.extend(overrides.runtimes.clone());
        map
    }

    /// The entry whose repositories include the image's repository. User
    /// entries come first when both match (they were merged over the
    /// built-in ones, but a user entry may use another name).
    pub fn lookup(&self, image: &ImageRef) -> Option<(&str, &BaseImage)> {
        let repository = image.repository();
        self.images
            .iter()
            .find(|(_, entry)| {
                entry
                    .repositories
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(&repository))
            })
            .map(|(name, entry)| (name.as_str(), entry))
    }

    /// The tools an entry lacks, `@sets` expanded.
    pub fn lacks<'m>(&'m self, entry: &'m BaseImage) -> Vec<&'m str> {
        self.expand(&entry.lacks)
    }

    /// The paths the entry's slim variant excludes, `@sets` expanded.
    pub fn excludes<'m>(&'m self, entry: &'m BaseImage) -> Vec<&'m str> {
        self.expand(&entry.excludes)
    }

    /// The package globs that fail to install on the slim variant.
    pub fn breaks_packages<'m>(&'m self, entry: &'m BaseImage) -> Vec<&'m str> {
        self.expand(&entry.breaks_packages)
    }

    /// `items` with every `@set` replaced by its members (sets may include
    /// sets; a set met twice on one path is not expanded again).
    fn expand<'m>(&'m self, items: &'m [String]) -> Vec<&'m str> {
        fn walk<'m>(
            map: &'m BaseImageMap,
            items: &'m [String],
            seen: &mut Vec<&'m str>,
            out: &mut Vec<&'m str>,
        ) {
            for item in items {
                match item.strip_prefix('@') {
                    Some(set) if !seen.contains(&set) => {
                        if let Some(members) = map.tool_sets.get(set) {
                            seen.push(set);
                            walk(map, members, seen, out);
                            seen.pop();
                        }
                    }
                    Some(_) => {}
                    None => out.push(item.as_str()),
                }
            }
        }
        let mut out = Vec::new();
        walk(self, items, &mut Vec::new(), &mut out);
        out
    }
}

/// True when the tag already names a small variant (or one dockfix should
/// not touch: Windows images).
pub fn is_already_small(image: &ImageRef) -> bool {
    let repository = image.repository();
    if repository.contains("distroless") || repository.contains("chainguard") {
        return true;
    }
    image.tag.as_deref().is_some_and(|tag| {
        tag.split('-').any(|word| {
            word == "slim"
                || word.starts_with("alpine")
                || matches!(
                    word,
                    "minimal" | "distroless" | "windowsservercore" | "nanoserver" | "jre"
                )
                || word.starts_with("ltsc")
        })
    })
}

impl TagRule {
    /// The variant's reference, or `None` when the tag cannot be mapped.
    pub fn apply(&self, image: &ImageRef) -> Option<ImageRef> {
        let mut result = image.clone();
        if self.style == Style::Repository {
            let repository = self.repository.as_ref()?;
            let (registry, path) = match repository.split_once('/') {
                Some((first, rest)) if first.contains('.') || first.contains(':') => {
                    (Some(first.to_string()), rest.to_string())
                }
                _ => (None, repository.clone()),
            };
            result.registry = registry;
            result.path = path;
            return Some(result);
        }
        let tag = image.tag.as_deref().filter(|tag| *tag != "latest");
        let Some(tag) = tag else {
            result.tag = Some(self.latest.clone()?);
            return Some(result);
        };
        let mut words: Vec<&str> = tag.split('-').collect();
        // A variable may stand for the version (the first word) only.
        if words.iter().skip(1).any(|word| word.contains('$'))
            || words[0].contains('$') && !is_variable(words[0])
        {
            return None;
        }
        if words
            .iter()
            .any(|word| self.not_with.iter().any(|excluded| excluded == word))
        {
            return None;
        }
        let variant = self.variant.as_str();
        let is_release = |word: &&str| DEBIAN_RELEASES.contains(word);
        if let Some(major) = self.debian_only_below_major {
            let version: Option<u32> = words[0].split('.').next().and_then(|m| m.parse().ok());
            if version.is_none_or(|v| v >= major) && !words.iter().any(is_release) {
                return None;
            }
        }
        match self.style {
            Style::Suffix => words.push(variant),
            Style::BeforeDistro => match words.iter().position(is_release) {
                Some(at) => words.insert(at, variant),
                None => words.push(variant),
            },
            Style::ReplaceDistro => {
                words.retain(|word| !is_release(word));
                words.push(variant);
            }
            Style::ReplaceToken => {
                let token = self.token.as_deref()?;
                match words.iter().position(|word| *word == token) {
                    Some(at) => words[at] = variant,
                    None if is_version_word(words[0]) => words.insert(1, variant),
                    None => return None,
                }
            }
            Style::Repository => unreachable!("handled above"),
        }
        result.tag = Some(words.join("-"));
        Some(result)
    }
}

fn is_variable(word: &str) -> bool {
    (word.starts_with("${") && word.ends_with('}') && word.matches('$').count() == 1)
        || (word.starts_with('$')
            && word[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

fn is_version_word(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_digit())
        || is_variable(word)
        || matches!(word, "lts" | "current")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(rule: &Option<TagRule>, image: &str) -> Option<String> {
        rule.as_ref()?
            .apply(&ImageRef::parse(image))
            .map(|i| i.to_string())
    }

    #[test]
    fn the_compiled_in_map_is_the_toml_file() {
        // build.rs hands the TOML over as JSON: nothing may change on the way.
        let text = include_str!("../transforms/slim-base-image/base-images.toml");
        let from_toml: BaseImageMap = toml::from_str(text).expect("valid TOML");
        assert_eq!(&from_toml, BaseImageMap::builtin());
    }

    #[test]
    fn builtin_map_parses_and_covers_the_required_images() {
        let map = BaseImageMap::builtin();
        for repository in [
            "node",
            "python",
            "ruby",
            "php",
            "golang",
            "rust",
            "openjdk",
            "eclipse-temurin",
            "maven",
            "gradle",
            "debian",
            "ubuntu",
            "mcr.microsoft.com/dotnet/sdk",
        ] {
            assert!(
                map.lookup(&ImageRef::parse(repository)).is_some(),
                "{repository}"
            );
        }
        let (_, python) = map.lookup(&ImageRef::parse("python")).unwrap();
        assert!(map.lacks(python).contains(&"gcc"));
        for (name, entry) in &map.images {
            assert!(entry.sizes.full.is_some(), "{name} has no size");
            if entry.slim.is_some() {
                assert!(entry.sizes.slim.is_some(), "{name} has no slim size");
            }
        }
    }

    #[test]
    fn tags_keep_the_pinned_version() {
        let map = BaseImageMap::builtin();
        let rule = |name: &str, slim: bool| {
            let entry = &map.images[name];
            if slim {
                entry.slim.clone()
            } else {
                entry.alpine.clone()
            }
        };
        assert_eq!(
            apply(&rule("python", true), "python:3.11.4-bookworm").as_deref(),
            Some("python:3.11.4-slim-bookworm")
        );
        assert_eq!(
            apply(&rule("python", true), "python:3.12").as_deref(),
            Some("python:3.12-slim")
        );
        assert_eq!(
            apply(&rule("python", true), "python").as_deref(),
            Some("python:slim")
        );
        assert_eq!(
            apply(&rule("python", true), "python:bookworm").as_deref(),
            Some("python:slim-bookworm")
        );
        assert_eq!(
            apply(&rule("node", true), "node:20-bookworm").as_deref(),
            Some("node:20-bookworm-slim")
        );
        assert_eq!(
            apply(&rule("node", true), "node:lts").as_deref(),
            Some("node:lts-slim")
        );
        assert_eq!(
            apply(&rule("node", false), "node:20-bookworm").as_deref(),
            Some("node:20-alpine")
        );
        assert_eq!(
            apply(&rule("ruby", true), "ruby:3.3-bookworm").as_deref(),
            Some("ruby:3.3-slim-bookworm")
        );
        assert_eq!(
            apply(&rule("rust", true), "rust:1.80").as_deref(),
            Some("rust:1.80-slim")
        );
        assert_eq!(
            apply(&rule("golang", false), "golang:1.22-bookworm").as_deref(),
            Some("golang:1.22-alpine")
        );
        assert_eq!(
            apply(&rule("php", false), "php:8.3-fpm").as_deref(),
            Some("php:8.3-fpm-alpine")
        );
        assert_eq!(apply(&rule("php", false), "php:8.3-apache"), None);
        assert_eq!(
            apply(&rule("debian", true), "debian:bookworm").as_deref(),
            Some("debian:bookworm-slim")
        );
        assert_eq!(
            apply(&rule("debian", true), "debian").as_deref(),
            Some("debian:stable-slim")
        );
        assert_eq!(
            apply(
                &rule("eclipse-temurin", true),
                "eclipse-temurin:21-jdk-jammy"
            )
            .as_deref(),
            Some("eclipse-temurin:21-jre-jammy")
        );
        assert_eq!(
            apply(&rule("eclipse-temurin", true), "eclipse-temurin:17").as_deref(),
            Some("eclipse-temurin:17-jre")
        );
        assert_eq!(
            apply(
                &rule("dotnet-sdk", true),
                "mcr.microsoft.com/dotnet/sdk:8.0"
            )
            .as_deref(),
            Some("mcr.microsoft.com/dotnet/aspnet:8.0")
        );
        assert_eq!(
            apply(&rule("python", true), "python:${PY}-bookworm").as_deref(),
            Some("python:${PY}-slim-bookworm")
        );
        assert_eq!(apply(&rule("python", true), "python:3.11-${DISTRO}"), None);
        assert_eq!(apply(&rule("python", true), "python:v${PY}"), None);
    }

    #[test]
    fn map_facts_follow_the_published_dockerfiles() {
        let map = BaseImageMap::builtin();
        let lacks = |name: &str| map.lacks(&map.images[name]);
        // Debian slim has the same packages; it only drops docs and man pages.
        assert!(lacks("debian").is_empty());
        assert!(
            map.excludes(&map.images["debian"])
                .contains(&"/usr/share/man")
        );
        assert!(
            map.breaks_packages(&map.images["debian"])
                .contains(&"openjdk-*")
        );
        // Nested sets expand: buildpack includes scm includes curl.
        assert!(lacks("python").contains(&"curl"));
        assert!(lacks("python").contains(&"git"));
        // python has its own python3 in both variants; node's comes with mercurial.
        assert!(!lacks("python").contains(&"python3"));
        assert!(lacks("node").contains(&"python3"));
        // rust:*-slim keeps gcc; openjdk's slim JDK keeps javac.
        assert!(!lacks("rust").contains(&"gcc"));
        assert!(lacks("rust").contains(&"make"));
        assert!(!lacks("openjdk").contains(&"javac"));
        assert!(lacks("eclipse-temurin").contains(&"javac"));
        assert!(!lacks("php").contains(&"curl"));
    }

    #[test]
    fn openjdk_12_and_later_are_mapped_only_with_a_debian_release() {
        let rule = BaseImageMap::builtin().images["openjdk"].slim.clone();
        assert_eq!(
            apply(&rule, "openjdk:11-jdk").as_deref(),
            Some("openjdk:11-jdk-slim")
        );
        assert_eq!(apply(&rule, "openjdk:17"), None);
        assert_eq!(
            apply(&rule, "openjdk:17-jdk-bullseye").as_deref(),
            Some("openjdk:17-jdk-slim-bullseye")
        );
    }

    #[test]
    fn recognises_small_images() {
        for image in [
            "python:3.12-slim",
            "node:20-alpine3.20",
            "gcr.io/distroless/static-debian12",
            "debian:bookworm-slim",
            "eclipse-temurin:21-jre",
        ] {
            assert!(is_already_small(&ImageRef::parse(image)), "{image}");
        }
        assert!(!is_already_small(&ImageRef::parse("python:3.12-bookworm")));
    }

    #[test]
    fn user_entries_override() {
        let overrides: BaseImageMap = toml::from_str(
            "[images.python]\nrepositories = [\"python\", \"registry.example.com:5000/python\"]\nslim = { style = \"suffix\", variant = \"slim\" }\nsizes = { full = 1, slim = 1 }\n",
        )
        .unwrap();
        let map = BaseImageMap::with_overrides(&overrides);
        assert!(
            map.lookup(&ImageRef::parse("registry.example.com:5000/python:3.12"))
                .is_some()
        );
        assert!(map.images["python"].lacks.is_empty());
    }
}
