//! What Debian's package database in an image says, and the file
//! differences a base-image swap explains through it.
//!
//! A slim swap changes more than the base's own files: the Dockerfile's
//! `apt-get install` runs on another package set, so apt resolves it
//! differently. `apt-get install -y curl` on a full image that already has
//! curl installs nothing; on the slim image it installs curl and, with it,
//! curl's Recommends (publicsuffix, krb5-locales, libsasl2-modules...). The
//! slim image's dpkg also leaves out the documentation of what the
//! Dockerfile installs. Neither comes from the Dockerfile's own choices,
//! and both are read from the images' own records rather than guessed: the
//! dpkg status, apt's auto-installed marks, each package's file list and
//! the base's `path-exclude` rules.

use crate::paths::last_component;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::tree_diff::{Change, Reason};

const STATUS: &str = "/var/lib/dpkg/status";
const EXTENDED_STATES: &str = "/var/lib/apt/extended_states";
const INFO_DIR: &str = "/var/lib/dpkg/info/";
const CONFIG_DIR: &str = "/etc/dpkg/dpkg.cfg.d/";

/// Files dpkg and apt rewrite whenever the package set changes; they
/// differ between two images exactly when their package sets do.
const PACKAGE_SET_RECORDS: &[&str] = &[
    STATUS,
    "/var/lib/dpkg/status-old",
    "/var/lib/dpkg/available",
    "/var/lib/dpkg/diversions",
    "/var/lib/dpkg/diversions-old",
    EXTENDED_STATES,
    "/etc/ld.so.cache",
];

/// Folders whose entries maintainer scripts make for the packages
/// installed (alternatives, trigger records), owned by no package.
const PACKAGE_SET_FOLDERS: &[&str] = &[
    "/etc/alternatives/",
    "/var/lib/dpkg/alternatives/",
    "/var/lib/dpkg/triggers/",
    "/var/lib/dpkg/updates/",
];

/// True for the files whose content [`Dpkg::read`] needs; the export keeps
/// only these in memory.
pub fn wanted(path: &str) -> bool {
    path == STATUS
        || path == EXTENDED_STATES
        || (path.starts_with(INFO_DIR) && (path.ends_with(".list") || path.ends_with(".postinst")))
        || path.starts_with(CONFIG_DIR)
}

/// An image's package database.
#[derive(Debug, Clone, Default)]
pub struct Dpkg {
    /// Installed packages (without architecture) and their versions.
    installed: BTreeMap<String, String>,
    /// Packages apt marks as installed only to satisfy another package.
    auto_installed: BTreeSet<String>,
    /// Path to the packages whose file lists name it.
    owners: HashMap<String, Vec<String>>,
    /// Each package's post-installation script.
    postinst: HashMap<String, String>,
    /// dpkg's `path-exclude` and `path-include` globs.
    excludes: Option<GlobSet>,
    includes: Option<GlobSet>,
}

impl Dpkg {
    /// Reads the database from the kept files of an export (path to
    /// content). An image without dpkg gives an empty database.
    pub fn read(files: &BTreeMap<String, Vec<u8>>) -> Dpkg {
        let mut dpkg = Dpkg::default();
        if let Some(status) = files.get(STATUS) {
            for stanza in stanzas(status) {
                let (Some(name), Some(state)) = (stanza.get("Package"), stanza.get("Status"))
                else {
                    continue;
                };
                if state.ends_with(" installed") {
                    let version = stanza.get("Version").cloned().unwrap_or_default();
                    dpkg.installed.insert(name.clone(), version);
                }
            }
        }
        if let Some(states) = files.get(EXTENDED_STATES) {
            for stanza in stanzas(states) {
                if let (Some(name), Some("1")) = (
                    stanza.get("Package"),
                    stanza.get("Auto-Installed").map(String::as_str),
                ) {
                    dpkg.auto_installed.insert(name.clone());
                }
            }
        }
        let mut excludes = GlobSetBuilder::new();
        let mut includes = GlobSetBuilder::new();
        for (path, content) in files {
            if let Some(file) = path.strip_prefix(INFO_DIR) {
                if let Some(stem) = file.strip_suffix(".postinst") {
                    dpkg.postinst.insert(
                        package_name(stem).to_string(),
                        String::from_utf8_lossy(content).into_owned(),
                    );
                    continue;
                }
                let Some(stem) = file.strip_suffix(".list") else {
                    continue;
                };
                let package = package_name(stem);
                for owned in String::from_utf8_lossy(content).lines() {
                    let owned = owned.trim_end_matches('/');
                    if owned.is_empty() || owned == "/." {
                        continue;
                    }
                    dpkg.owners
                        .entry(owned.to_string())
                        .or_default()
                        .push(package.to_string());
                }
            } else if path.starts_with(CONFIG_DIR) {
                for line in String::from_utf8_lossy(content).lines() {
                    // `option value` or `option=value` (dpkg.cfg(5)).
                    let Some((option, value)) = line.trim().split_once(['=', ' ', '\t']) else {
                        continue;
                    };
                    // dpkg matches with fnmatch(3) without FNM_PATHNAME:
                    // `*` crosses `/`, which is globset's default.
                    let Ok(glob) = Glob::new(value.trim()) else {
                        continue;
                    };
                    match option {
                        "path-exclude" => excludes.add(glob),
                        "path-include" => includes.add(glob),
                        _ => continue,
                    };
                }
            }
        }
        dpkg.excludes = excludes.build().ok().filter(|set| !set.is_empty());
        dpkg.includes = includes.build().ok().filter(|set| !set.is_empty());
        dpkg
    }

    fn version(&self, package: &str) -> Option<&str> {
        self.installed.get(package).map(String::as_str)
    }

    /// The packages that own `path`: by their file lists, or for dpkg's own
    /// records of a package (`/var/lib/dpkg/info/curl.md5sums`) by name.
    fn owners_of(&self, path: &str) -> Vec<String> {
        if let Some(file) = path.strip_prefix(INFO_DIR) {
            let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
            return vec![package_name(stem).to_string()];
        }
        self.owners.get(path).cloned().unwrap_or_default()
    }

    /// True when this image's dpkg configuration keeps `path` out of every
    /// package it installs.
    fn excludes(&self, path: &str) -> bool {
        self.excludes.as_ref().is_some_and(|set| set.is_match(path))
            && !self.includes.as_ref().is_some_and(|set| set.is_match(path))
    }
}

/// `libc6:amd64` as `libc6`.
fn package_name(stem: &str) -> &str {
    stem.split_once(':').map_or(stem, |(name, _)| name)
}

/// The stanzas of a deb822 file (dpkg status, apt's extended_states), each
/// as field to value; continuation lines are left out (nothing read here
/// spans lines).
fn stanzas(content: &[u8]) -> Vec<HashMap<String, String>> {
    let text = String::from_utf8_lossy(content);
    let mut all = Vec::new();
    let mut current = HashMap::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                all.push(std::mem::take(&mut current));
            }
        } else if !line.starts_with([' ', '\t'])
            && let Some((field, value)) = line.split_once(':')
        {
            current.insert(field.to_string(), value.trim().to_string());
        }
    }
    if !current.is_empty() {
        all.push(current);
    }
    all
}

/// The four package databases a base-image swap is judged by: the final
/// images before and after the rewrite, and their base images.
pub struct Databases<'a> {
    pub before: &'a Dpkg,
    pub after: &'a Dpkg,
    pub old_base: &'a Dpkg,
    pub new_base: &'a Dpkg,
}

impl Databases<'_> {
    /// Why a package is installed in one final image: `None` when it is
    /// not installed there.
    fn origin(&self, package: &str, image: Side) -> Option<Origin> {
        let (final_image, base) = match image {
            Side::Before => (self.before, self.old_base),
            Side::After => (self.after, self.new_base),
        };
        let version = final_image.version(package)?;
        Some(if base.version(package) == Some(version) {
            Origin::Base
        } else if final_image.auto_installed.contains(package) {
            Origin::Dependency
        } else {
            Origin::Requested
        })
    }

    /// True when the package differs between the final images (present in
    /// one only, or in other versions) only because of the base swap: in
    /// each image that has it, it came with the base or apt pulled it in
    /// for another package; or the Dockerfile asked for it in one image
    /// while the other already had it from its base, which apt then left
    /// as it was.
    fn difference_from_base(&self, package: &str) -> bool {
        let before = self.origin(package, Side::Before);
        let after = self.origin(package, Side::After);
        if self.before.version(package) == self.after.version(package) {
            return true;
        }
        let chosen = |origin: Option<Origin>| origin == Some(Origin::Requested);
        match (chosen(before), chosen(after)) {
            (false, false) => true,
            (true, false) => after == Some(Origin::Base),
            (false, true) => before == Some(Origin::Base),
            (true, true) => false,
        }
    }

    /// True when a post-installation script of a package that `image` has
    /// and the other final image lacks (or has in another version), for
    /// reasons of the base swap, names `path`: in full, or as its file name
    /// beside its folder's name (`ln -s $CONFAVAIL/10-hinting-slight.conf
    /// $CONFDIR/...` with `CONFDIR=/etc/fonts/conf.d`). Alternatives links,
    /// font configuration links and folders are made that way, owned by no
    /// package.
    fn made_by_a_maintainer_script(&self, path: &str, image: &Dpkg) -> bool {
        let (folder, name) = path.rsplit_once('/').unwrap_or(("", path));
        let folder_name = last_component(folder);
        image.postinst.iter().any(|(package, script)| {
            self.before.version(package) != self.after.version(package)
                && self.difference_from_base(package)
                && (script.contains(path)
                    || (!folder_name.is_empty()
                        && script.contains(name)
                        && script.contains(folder_name)))
        })
    }

    /// Packages whose presence or version differs between the final images.
    fn differing_packages(&self) -> Vec<&str> {
        let names: BTreeSet<&str> = self
            .before
            .installed
            .keys()
            .chain(self.after.installed.keys())
            .map(String::as_str)
            .collect();
        names
            .into_iter()
            .filter(|name| self.before.version(name) != self.after.version(name))
            .collect()
    }

    /// Why a file difference follows from the base swap, if it does:
    /// - every package owning the path (in each image that has it) differs
    ///   only because of the swap;
    /// - dpkg's records of the package set, when every package difference
    ///   is explained that way;
    /// - the new base's dpkg configuration excludes the path (the slim
    ///   images' `path-exclude=/usr/share/doc/*`), for a path of a package
    ///   both images have, and the other way round.
    pub fn explain(&self, path: &str, change: Change) -> Option<Reason> {
        let owners: BTreeSet<String> = match change {
            Change::OnlyBefore => self.before.owners_of(path).into_iter().collect(),
            Change::OnlyAfter => self.after.owners_of(path).into_iter().collect(),
            Change::Changed => self
                .before
                .owners_of(path)
                .into_iter()
                .chain(self.after.owners_of(path))
                .collect(),
        };
        if !owners.is_empty() && owners.iter().all(|owner| self.difference_from_base(owner)) {
            let differs = owners
                .iter()
                .any(|owner| self.before.version(owner) != self.after.version(owner));
            if differs {
                return Some(Reason::BasePackages);
            }
        }
        let excluded_by = match change {
            Change::OnlyBefore => Some(self.new_base),
            Change::OnlyAfter => Some(self.old_base),
            Change::Changed => None,
        };
        if let Some(base) = excluded_by
            && !owners.is_empty()
            && owners.iter().all(|owner| {
                self.before.version(owner).is_some() && self.after.version(owner).is_some()
            })
            && base.excludes(path)
        {
            return Some(Reason::BaseDpkgExcludes);
        }
        if owners.is_empty()
            && let Some(image) = match change {
                Change::OnlyBefore => Some(self.before),
                Change::OnlyAfter => Some(self.after),
                Change::Changed => None,
            }
            && self.made_by_a_maintainer_script(path, image)
        {
            return Some(Reason::BasePackages);
        }
        let record = PACKAGE_SET_RECORDS.contains(&path)
            || PACKAGE_SET_FOLDERS
                .iter()
                .any(|folder| path.starts_with(folder));
        if !record {
            return None;
        }
        // Only for dpkg's own records: every other path skips this walk
        // over both package sets.
        let differing = self.differing_packages();
        (!differing.is_empty()
            && differing
                .iter()
                .all(|package| self.difference_from_base(package)))
        .then_some(Reason::BasePackages)
    }
}

#[derive(Clone, Copy)]
enum Side {
    Before,
    After,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// In the image's base, same version.
    Base,
    /// Installed by apt for another package (apt's Auto-Installed mark).
    Dependency,
    /// Installed because a step asked for it.
    Requested,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database from `(package, version, auto)` rows, file lists and
    /// dpkg configuration lines.
    fn database(packages: &[(&str, &str, bool)], lists: &[(&str, &[&str])], config: &str) -> Dpkg {
        let mut files = BTreeMap::new();
        let status: String = packages
            .iter()
            .map(|(name, version, _)| {
                format!("Package: {name}\nStatus: install ok installed\nVersion: {version}\nDescription: x\n more\n\n")
            })
            .collect();
        files.insert(STATUS.to_string(), status.into_bytes());
        let states: String = packages
            .iter()
            .filter(|(_, _, auto)| *auto)
            .map(|(name, _, _)| {
                format!("Package: {name}\nArchitecture: amd64\nAuto-Installed: 1\n\n")
            })
            .collect();
        files.insert(EXTENDED_STATES.to_string(), states.into_bytes());
        for (package, paths) in lists {
            let list: String = paths.iter().map(|path| format!("{path}\n")).collect();
            files.insert(format!("{INFO_DIR}{package}:amd64.list"), list.into_bytes());
        }
        if !config.is_empty() {
            files.insert(format!("{CONFIG_DIR}docker"), config.as_bytes().to_vec());
        }
        Dpkg::read(&files)
    }

    const SLIM_CONFIG: &str =
        "force-unsafe-io\npath-exclude /usr/share/doc/*\npath-include=/usr/share/doc/*/copyright\n";

    /// curl in the full base; the Dockerfile asks for curl, so the slim
    /// image gets curl and its Recommends, the full one nothing new.
    fn curl_swap() -> (Dpkg, Dpkg, Dpkg, Dpkg) {
        let full_base = database(
            &[("libc6", "2.36", false), ("curl", "7.88-1", false)],
            &[(
                "curl",
                &["/usr/bin/curl", "/usr/share/doc/curl/changelog.gz"],
            )],
            "",
        );
        let slim_base = database(&[("libc6", "2.36", false)], &[], SLIM_CONFIG);
        let before = full_base.clone();
        let after = database(
            &[
                ("libc6", "2.36", false),
                ("curl", "7.88-2", false),
                ("publicsuffix", "2023", true),
            ],
            &[
                (
                    "curl",
                    &["/usr/bin/curl", "/usr/share/doc/curl/changelog.gz"],
                ),
                ("publicsuffix", &["/usr/share/publicsuffix/list.dat"]),
            ],
            SLIM_CONFIG,
        );
        let mut after = after;
        after.postinst.insert(
            "publicsuffix".into(),
            "LISTDIR=/etc/psl.d\nln -s /usr/share/publicsuffix/list.dat $LISTDIR/list.dat\n".into(),
        );
        (before, after, full_base, slim_base)
    }

    #[test]
    fn reads_status_auto_marks_lists_and_config() {
        let (_, after, _, slim) = curl_swap();
        assert_eq!(after.version("curl"), Some("7.88-2"));
        assert!(after.auto_installed.contains("publicsuffix"));
        assert_eq!(after.owners_of("/usr/bin/curl"), ["curl"]);
        assert_eq!(
            after.owners_of("/var/lib/dpkg/info/curl:amd64.md5sums"),
            ["curl"]
        );
        assert!(slim.excludes("/usr/share/doc/curl/changelog.gz"));
        assert!(!slim.excludes("/usr/share/doc/curl/copyright"));
        assert!(!slim.excludes("/usr/bin/curl"));
        assert!(wanted("/var/lib/dpkg/info/curl:amd64.list"));
        assert!(!wanted("/var/lib/dpkg/info/curl:amd64.md5sums"));
    }

    #[test]
    fn a_base_swap_explains_recommends_versions_records_and_excluded_docs() {
        let (before, after, old_base, new_base) = curl_swap();
        let databases = Databases {
            before: &before,
            after: &after,
            old_base: &old_base,
            new_base: &new_base,
        };
        let explain = |path, change| databases.explain(path, change);
        // Recommends apt installed on the slim base only.
        assert_eq!(
            explain("/usr/share/publicsuffix/list.dat", Change::OnlyAfter),
            Some(Reason::BasePackages)
        );
        // curl: from the full base before, asked for on the slim base after.
        assert_eq!(
            explain("/usr/bin/curl", Change::Changed),
            Some(Reason::BasePackages)
        );
        assert_eq!(explain(STATUS, Change::Changed), Some(Reason::BasePackages));
        assert_eq!(
            explain("/var/lib/dpkg/info/publicsuffix.md5sums", Change::OnlyAfter),
            Some(Reason::BasePackages)
        );
        // A link an explained package's post-installation script makes.
        assert_eq!(
            explain("/etc/psl.d/list.dat", Change::OnlyAfter),
            Some(Reason::BasePackages)
        );
        assert_eq!(explain("/etc/other/list.dat", Change::OnlyAfter), None);
        assert_eq!(explain("/etc/psl.d/list.dat", Change::OnlyBefore), None);
        // A path no package owns is the Dockerfile's.
        assert_eq!(explain("/app/server.js", Change::Changed), None);
    }

    #[test]
    fn excluded_documentation_of_a_package_both_images_have() {
        let (before, _, old_base, new_base) = curl_swap();
        let mut after = before.clone();
        after.excludes = new_base.excludes.clone();
        after.includes = new_base.includes.clone();
        let databases = Databases {
            before: &before,
            after: &after,
            old_base: &old_base,
            new_base: &new_base,
        };
        assert_eq!(
            databases.explain("/usr/share/doc/curl/changelog.gz", Change::OnlyBefore),
            Some(Reason::BaseDpkgExcludes)
        );
        assert_eq!(databases.explain("/usr/bin/curl", Change::OnlyBefore), None);
    }

    #[test]
    fn a_package_the_rewrite_adds_or_drops_is_not_explained() {
        let (before, _, old_base, new_base) = curl_swap();
        // The rewrite asks for ca-certificates, which the original never had.
        let after = database(
            &[
                ("libc6", "2.36", false),
                ("curl", "7.88-1", false),
                ("ca-certificates", "2023", false),
            ],
            &[("ca-certificates", &["/etc/ssl/certs/ca.pem"])],
            "",
        );
        let databases = Databases {
            before: &before,
            after: &after,
            old_base: &old_base,
            new_base: &new_base,
        };
        assert_eq!(
            databases.explain("/etc/ssl/certs/ca.pem", Change::OnlyAfter),
            None
        );
        assert_eq!(databases.explain(STATUS, Change::Changed), None);
        // Asked for in both builds, in other versions: the mirror moved.
        let mut moved = before.clone();
        moved.installed.insert("libc6".into(), "2.37".into());
        let mut requested = before.clone();
        requested.installed.insert("libc6".into(), "2.38".into());
        let databases = Databases {
            before: &moved,
            after: &requested,
            old_base: &old_base,
            new_base: &new_base,
        };
        assert!(!databases.difference_from_base("libc6"));
    }
}
