//! Image filesystems as flat trees (read from `docker export`'s tar stream)
//! and their differences, each marked *expected* (package caches and lists,
//! logs, `/tmp`) or *unexpected*.

use std::collections::BTreeMap;
use std::io::{self, Read};

use serde::Serialize;
use sha2::{Digest, Sha256};

/// What a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    File,
    Directory,
    Symlink,
    CharDevice,
    BlockDevice,
    Fifo,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::File => "file",
            Kind::Directory => "directory",
            Kind::Symlink => "symlink",
            Kind::CharDevice => "char-device",
            Kind::BlockDevice => "block-device",
            Kind::Fifo => "fifo",
        }
    }
}

/// The facts compared for one path. Modification times are left out: a
/// rewritten step always runs at another time, which changes nothing the
/// image does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: Kind,
    pub size: u64,
    /// Permission bits, with setuid, setgid and sticky.
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// SHA-256 of a regular file's content (see [`hash_content`]).
    pub content_hash: Option<String>,
    pub link_target: Option<String>,
}

/// Every path of an image's filesystem, absolute (`/etc/passwd`).
pub type FileTree = BTreeMap<String, Entry>;

/// Reads a filesystem from a tar stream such as `docker export` writes.
/// Hard links take the facts of the file they link to, so two images that
/// hold the same files count as the same whichever copy the tar names
/// first.
pub fn read_tar(reader: impl Read) -> io::Result<FileTree> {
    read_tar_keeping(reader, |_| false).map(|(tree, _)| tree)
}

/// [`read_tar`], also keeping the content of the regular files `keep`
/// chooses (path to bytes), such as the package database.
pub fn read_tar_keeping(
    reader: impl Read,
    keep: impl Fn(&str) -> bool,
) -> io::Result<(FileTree, BTreeMap<String, Vec<u8>>)> {
    let mut archive = tar::Archive::new(reader);
    let mut tree = FileTree::new();
    let mut kept = BTreeMap::new();
    for entry in archive.entries()? {
        let mut entry = entry?;
        let path = absolute(&entry.path()?.to_string_lossy());
        if path == "/" {
            continue;
        }
        let header = entry.header();
        let mode = header.mode()? & 0o7777;
        let uid = header.uid()?;
        let gid = header.gid()?;
        let entry_type = header.entry_type();
        let link_target = entry
            .link_name()?
            .map(|target| target.to_string_lossy().into_owned());
        let facts = match entry_type {
            tar::EntryType::Link => {
                let target = absolute(link_target.as_deref().unwrap_or_default());
                match tree.get(&target) {
                    Some(linked) => Entry {
                        mode,
                        uid,
                        gid,
                        ..linked.clone()
                    },
                    None => Entry {
                        kind: Kind::File,
                        size: 0,
                        mode,
                        uid,
                        gid,
                        content_hash: None,
                        link_target: Some(target),
                    },
                }
            }
            tar::EntryType::Directory => simple(Kind::Directory, mode, uid, gid),
            tar::EntryType::Symlink => Entry {
                link_target,
                ..simple(Kind::Symlink, mode, uid, gid)
            },
            tar::EntryType::Char => simple(Kind::CharDevice, mode, uid, gid),
            tar::EntryType::Block => simple(Kind::BlockDevice, mode, uid, gid),
            tar::EntryType::Fifo => simple(Kind::Fifo, mode, uid, gid),
            _ => {
                let size = entry.size();
                let hash = if keep(&path) {
                    let mut content = Vec::new();
                    entry.read_to_end(&mut content)?;
                    let hash = hash_content(&path, &mut content.as_slice())?;
                    kept.insert(path.clone(), content);
                    hash
                } else {
                    hash_content(&path, &mut entry)?
                };
                Entry {
                    size,
                    content_hash: Some(hash),
                    ..simple(Kind::File, mode, uid, gid)
                }
            }
        };
        tree.insert(path, facts);
    }
    Ok((tree, kept))
}

fn simple(kind: Kind, mode: u32, uid: u64, gid: u64) -> Entry {
    Entry {
        kind,
        size: 0,
        mode,
        uid,
        gid,
        content_hash: None,
        link_target: None,
    }
}

/// `./etc/passwd`, `etc/passwd` and `etc/` as `/etc/passwd` and `/etc`.
fn absolute(path: &str) -> String {
    let trimmed = path.trim_start_matches("./").trim_matches('/');
    if trimmed.is_empty() || trimmed == "." {
        "/".to_string()
    } else {
        format!("/{trimmed}")
    }
}

/// SHA-256 of a file's content, streamed. A timestamp-based Python
/// bytecode file (`.pyc`, PEP 552 flags 0) stores its source file's
/// modification time in bytes 8..12; pip stamps installed sources with the
/// install time, so every build writes different bytes there for the same
/// code. Those four bytes are hashed as zeros.
pub fn hash_content(path: &str, content: &mut impl Read) -> io::Result<String> {
    let mut hasher = Sha256::new();
    let mut head = [0u8; 16];
    let mut filled = 0;
    while filled < head.len() {
        let read = content.read(&mut head[filled..])?;
        if read == 0 {
            break;
        }
        filled += read;
    }
    if path.ends_with(".pyc")
        && filled == head.len()
        && head[2..4] == *b"\r\n"
        && head[4..8] == [0, 0, 0, 0]
    {
        head[8..12].fill(0);
    }
    hasher.update(&head[..filled]);
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = content.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect())
}

/// Paths whose differences are expected from dockfix's fixes: package
/// manager lists and caches (what `cleanup-same-layer` and
/// `package-cache-flags` remove), build logs (apt and dpkg stamp every
/// line with the time, so any re-run step changes them) and `/tmp`.
/// Each entry covers the path and everything below it; `*` is one path
/// component.
pub const EXPECTED_PATHS: &[&str] = &[
    "/var/lib/apt/lists",
    "/var/cache",
    "/var/log",
    "/root/.cache",
    "/root/.npm",
    "/home/*/.cache",
    "/home/*/.npm",
    "/usr/local/share/.cache/yarn",
    "/tmp",
];

/// True when `path` is one of [`EXPECTED_PATHS`] or below one.
pub fn is_expected(path: &str) -> bool {
    EXPECTED_PATHS
        .iter()
        .any(|prefix| under_pattern(path, prefix))
}

fn under_pattern(path: &str, pattern: &str) -> bool {
    let mut components = path.split('/');
    for wanted in pattern.split('/') {
        match components.next() {
            Some(component) if wanted == "*" || wanted == component => {}
            _ => return false,
        }
    }
    true
}

/// Why a difference is expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// Under one of [`EXPECTED_PATHS`].
    PackageCache,
    /// The final stage's base image changed (`slim-base-image`), and the
    /// path differs in the same way between the two base images.
    BaseImage,
    /// The final stage's base image changed, and the path belongs to
    /// packages that apt resolved differently on the new base (see
    /// [`super::dpkg`]), or is dpkg's record of that package set.
    BasePackages,
    /// The final stage's base image changed, and the new base's dpkg
    /// configuration leaves the path out of every package (`path-exclude`).
    BaseDpkgExcludes,
    /// Copied from the context before, excluded by the `.dockerignore`
    /// lines dockfix added.
    Dockerignore,
    /// A fix declares that it deletes this file (`rm -f` of an archive
    /// after unpacking it).
    RemovedByFix,
    /// The original Dockerfile, built twice, gives different bytes here:
    /// the build is not reproducible, so no fix made the difference.
    NotReproducible,
}

impl Reason {
    pub fn describe(self) -> &'static str {
        match self {
            Reason::PackageCache => "a package cache, list, log or /tmp",
            Reason::BaseImage => "from the base image change",
            Reason::BasePackages => "packages apt resolved differently on the new base image",
            Reason::BaseDpkgExcludes => "left out by the new base image's dpkg path-exclude",
            Reason::Dockerignore => "excluded by the new .dockerignore",
            Reason::NotReproducible => "differs between two builds of the original too",
            Reason::RemovedByFix => "deleted by a fix that says so",
        }
    }
}

/// A path in one image only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathOnlyIn {
    pub path: String,
    pub size: u64,
    pub expected: bool,
    /// Why it is expected (absent when it is not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    #[serde(rename = "type")]
    pub kind: Kind,
}

/// A path in both images whose facts differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedPath {
    pub path: String,
    /// Size after the rewrite.
    pub size: u64,
    pub size_before: u64,
    pub expected: bool,
    /// Why it is expected (absent when it is not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// What differs: `type`, `size`, `mode`, `owner`, `content`, `link`.
    pub differences: Vec<&'static str>,
    /// Kind, mode and owner before and after when they differ, such as
    /// `file 0644 0:0`.
    pub before: String,
    pub after: String,
}

/// Which list a difference is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    OnlyBefore,
    OnlyAfter,
    Changed,
}

/// Counts and bytes of a comparison.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub only_before_count: usize,
    pub only_before_bytes: u64,
    pub only_after_count: usize,
    pub only_after_bytes: u64,
    pub changed_count: usize,
    /// Paths in any of the three lists that are not expected.
    pub unexpected_count: usize,
    pub unexpected_bytes: u64,
    /// Expected differences explained by the base image change (its own
    /// files, the packages apt resolved differently on it, its dpkg
    /// exclusions).
    pub expected_from_base_image_count: usize,
    /// Expected differences explained by the new `.dockerignore`.
    pub expected_from_dockerignore_count: usize,
    /// Expected differences the original makes between two of its builds.
    pub expected_not_reproducible_count: usize,
    /// Expected differences a fix declares (a file it deletes).
    pub expected_from_fixes_count: usize,
}

/// How two filesystems differ; each list largest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TreeDiff {
    pub only_before: Vec<PathOnlyIn>,
    pub only_after: Vec<PathOnlyIn>,
    pub changed: Vec<ChangedPath>,
}

impl TreeDiff {
    pub fn totals(&self) -> Totals {
        let unexpected_only = self
            .only_before
            .iter()
            .chain(&self.only_after)
            .filter(|only| !only.expected);
        let unexpected_changed = self.changed.iter().filter(|changed| !changed.expected);
        let reasons: Vec<Option<Reason>> = self
            .only_before
            .iter()
            .chain(&self.only_after)
            .map(|only| only.reason)
            .chain(self.changed.iter().map(|changed| changed.reason))
            .collect();
        let count_of = |wanted: Reason| {
            reasons
                .iter()
                .filter(|reason| **reason == Some(wanted))
                .count()
        };
        Totals {
            expected_from_base_image_count: count_of(Reason::BaseImage)
                + count_of(Reason::BasePackages)
                + count_of(Reason::BaseDpkgExcludes),
            expected_not_reproducible_count: count_of(Reason::NotReproducible),
            expected_from_fixes_count: count_of(Reason::RemovedByFix),
            expected_from_dockerignore_count: count_of(Reason::Dockerignore),
            only_before_count: self.only_before.len(),
            only_before_bytes: self.only_before.iter().map(|only| only.size).sum(),
            only_after_count: self.only_after.len(),
            only_after_bytes: self.only_after.iter().map(|only| only.size).sum(),
            changed_count: self.changed.len(),
            unexpected_count: unexpected_only.clone().count() + unexpected_changed.clone().count(),
            unexpected_bytes: unexpected_only.map(|only| only.size).sum::<u64>()
                + unexpected_changed
                    .map(|changed| changed.size.max(changed.size_before))
                    .sum::<u64>(),
        }
    }

    /// Marks each unexpected path for which `explain` gives a reason as
    /// expected, with that reason.
    pub fn explain(&mut self, explain: impl Fn(&str, Change) -> Option<Reason>) {
        for (list, change) in [
            (&mut self.only_before, Change::OnlyBefore),
            (&mut self.only_after, Change::OnlyAfter),
        ] {
            for only in list.iter_mut().filter(|only| !only.expected) {
                if let Some(reason) = explain(&only.path, change) {
                    only.expected = true;
                    only.reason = Some(reason);
                }
            }
        }
        for changed in self.changed.iter_mut().filter(|changed| !changed.expected) {
            if let Some(reason) = explain(&changed.path, Change::Changed) {
                changed.expected = true;
                changed.reason = Some(reason);
            }
        }
    }

    pub fn has_unexpected(&self) -> bool {
        self.totals().unexpected_count > 0
    }
}

/// Compares two filesystems path by path.
pub fn diff(before: &FileTree, after: &FileTree) -> TreeDiff {
    let mut result = TreeDiff::default();
    for (path, old) in before {
        match after.get(path) {
            None => result.only_before.push(only_in(path, old)),
            Some(new) => {
                let differences = differences(old, new);
                if !differences.is_empty() {
                    result.changed.push(ChangedPath {
                        path: path.clone(),
                        size: new.size,
                        size_before: old.size,
                        expected: is_expected(path),
                        reason: is_expected(path).then_some(Reason::PackageCache),
                        differences,
                        before: describe(old),
                        after: describe(new),
                    });
                }
            }
        }
    }
    for (path, new) in after {
        if !before.contains_key(path) {
            result.only_after.push(only_in(path, new));
        }
    }
    let largest_first = |a: &PathOnlyIn, b: &PathOnlyIn| b.size.cmp(&a.size);
    result.only_before.sort_by(largest_first);
    result.only_after.sort_by(largest_first);
    result
        .changed
        .sort_by_key(|changed| std::cmp::Reverse(changed.size.max(changed.size_before)));
    result
}

fn only_in(path: &str, entry: &Entry) -> PathOnlyIn {
    PathOnlyIn {
        path: path.to_string(),
        size: entry.size,
        expected: is_expected(path),
        reason: is_expected(path).then_some(Reason::PackageCache),
        kind: entry.kind,
    }
}

fn differences(old: &Entry, new: &Entry) -> Vec<&'static str> {
    let mut found = Vec::new();
    if old.kind != new.kind {
        found.push("type");
    }
    if old.size != new.size {
        found.push("size");
    }
    if old.mode != new.mode {
        found.push("mode");
    }
    if (old.uid, old.gid) != (new.uid, new.gid) {
        found.push("owner");
    }
    if old.content_hash != new.content_hash {
        found.push("content");
    }
    if old.link_target != new.link_target {
        found.push("link");
    }
    found
}

fn describe(entry: &Entry) -> String {
    let mut text = format!(
        "{} {:04o} {}:{}",
        entry.kind.as_str(),
        entry.mode,
        entry.uid,
        entry.gid
    );
    if let Some(target) = &entry.link_target {
        text.push_str(" -> ");
        text.push_str(target);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(size: u64, hash: &str) -> Entry {
        Entry {
            kind: Kind::File,
            size,
            mode: 0o644,
            uid: 0,
            gid: 0,
            content_hash: Some(hash.into()),
            link_target: None,
        }
    }

    fn tree(entries: &[(&str, Entry)]) -> FileTree {
        entries
            .iter()
            .map(|(path, entry)| (path.to_string(), entry.clone()))
            .collect()
    }

    #[test]
    fn expected_paths_cover_caches_lists_logs_and_tmp_only() {
        for path in [
            "/var/lib/apt/lists",
            "/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease",
            "/var/cache/apt/archives/curl.deb",
            "/var/cache/debconf/templates.dat",
            "/var/log/dpkg.log",
            "/root/.cache/pip/http/x",
            "/root/.npm/_cacache/index",
            "/home/node/.cache/yarn/v6/x",
            "/home/app/.npm/_logs/x.log",
            "/usr/local/share/.cache/yarn/v6/npm-x",
            "/tmp",
            "/tmp/build.sh",
        ] {
            assert!(is_expected(path), "{path}");
        }
        for path in [
            "/var/lib/apt/extended_states",
            "/var/lib/dpkg/status",
            "/var/cachet",
            "/root/.bashrc",
            "/home/node/app.js",
            "/usr/local/share/yarn",
            "/tmpfile",
            "/app/tmp/x",
            "/usr/bin/curl",
        ] {
            assert!(!is_expected(path), "{path}");
        }
    }

    #[test]
    fn diff_lists_only_before_only_after_and_changed_largest_first() {
        let before = tree(&[
            ("/app", file(0, "d")),
            ("/app/small", file(10, "a")),
            ("/app/big", file(1000, "b")),
            ("/var/lib/apt/lists/x", file(500, "l")),
            ("/same", file(5, "s")),
            ("/edited", file(7, "e1")),
        ]);
        let after = tree(&[
            ("/app", file(0, "d")),
            ("/same", file(5, "s")),
            ("/edited", file(9, "e2")),
            ("/new", file(3, "n")),
        ]);
        let diff = diff(&before, &after);
        let paths = |list: &[PathOnlyIn]| -> Vec<String> {
            list.iter().map(|only| only.path.clone()).collect()
        };
        assert_eq!(
            paths(&diff.only_before),
            ["/app/big", "/var/lib/apt/lists/x", "/app/small"]
        );
        assert!(diff.only_before[1].expected);
        assert!(!diff.only_before[0].expected);
        assert_eq!(paths(&diff.only_after), ["/new"]);
        assert_eq!(diff.changed.len(), 1);
        assert_eq!(diff.changed[0].path, "/edited");
        assert_eq!(diff.changed[0].differences, ["size", "content"]);
        let totals = diff.totals();
        assert_eq!(totals.only_before_bytes, 1510);
        assert_eq!(totals.only_after_bytes, 3);
        assert_eq!(totals.unexpected_count, 4);
        assert_eq!(totals.unexpected_bytes, 1000 + 10 + 3 + 9);
    }

    #[test]
    fn mode_owner_type_and_link_changes_are_differences() {
        let base = file(1, "x");
        let before = tree(&[
            ("/a", base.clone()),
            ("/b", base.clone()),
            ("/c", base.clone()),
            (
                "/d",
                Entry {
                    kind: Kind::Symlink,
                    size: 0,
                    content_hash: None,
                    link_target: Some("a".into()),
                    ..base.clone()
                },
            ),
        ]);
        let after = tree(&[
            (
                "/a",
                Entry {
                    mode: 0o755,
                    ..base.clone()
                },
            ),
            (
                "/b",
                Entry {
                    uid: 1000,
                    ..base.clone()
                },
            ),
            (
                "/c",
                Entry {
                    kind: Kind::Directory,
                    size: 0,
                    content_hash: None,
                    ..base.clone()
                },
            ),
            (
                "/d",
                Entry {
                    kind: Kind::Symlink,
                    size: 0,
                    content_hash: None,
                    link_target: Some("b".into()),
                    ..base.clone()
                },
            ),
        ]);
        let diff = diff(&before, &after);
        let by_path: BTreeMap<_, _> = diff
            .changed
            .iter()
            .map(|changed| (changed.path.as_str(), changed.differences.clone()))
            .collect();
        assert_eq!(by_path["/a"], ["mode"]);
        assert_eq!(by_path["/b"], ["owner"]);
        assert_eq!(by_path["/c"], ["type", "size", "content"]);
        assert_eq!(by_path["/d"], ["link"]);
        assert_eq!(
            diff.changed.iter().find(|c| c.path == "/b").unwrap().after,
            "file 0644 1000:0"
        );
    }

    #[test]
    fn identical_trees_have_no_differences() {
        let one = tree(&[("/a", file(1, "x")), ("/tmp/y", file(2, "y"))]);
        let diff = diff(&one, &one.clone());
        assert_eq!(diff, TreeDiff::default());
        assert!(!diff.has_unexpected());
    }

    fn tar_of(entries: &[(&str, tar::EntryType, &[u8], Option<&str>)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, entry_type, content, link) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(*entry_type);
            header.set_size(content.len() as u64);
            header.set_mode(if *entry_type == tar::EntryType::Directory {
                0o755
            } else {
                0o644
            });
            header.set_uid(0);
            header.set_gid(0);
            if let Some(link) = link {
                header.set_link_name(link).unwrap();
            }
            builder.append_data(&mut header, path, *content).unwrap();
        }
        builder.into_inner().unwrap()
    }

    #[test]
    fn reads_export_tar_with_hard_links_resolved() {
        let bytes = tar_of(&[
            ("etc/", tar::EntryType::Directory, b"", None),
            ("etc/passwd", tar::EntryType::Regular, b"root:x:0:0\n", None),
            (
                "etc/passwd-link",
                tar::EntryType::Link,
                b"",
                Some("etc/passwd"),
            ),
            ("bin/sh", tar::EntryType::Symlink, b"", Some("busybox")),
        ]);
        let tree = read_tar(bytes.as_slice()).unwrap();
        assert_eq!(
            tree.keys().collect::<Vec<_>>(),
            ["/bin/sh", "/etc", "/etc/passwd", "/etc/passwd-link"]
        );
        assert_eq!(tree["/etc"].kind, Kind::Directory);
        assert_eq!(tree["/etc/passwd"].size, 11);
        assert_eq!(tree["/etc/passwd-link"], tree["/etc/passwd"]);
        assert_eq!(tree["/bin/sh"].link_target.as_deref(), Some("busybox"));
    }

    #[test]
    fn pyc_source_timestamps_do_not_count_as_content() {
        let pyc = |stamp: u8| {
            let mut bytes = vec![
                0xa7, 0x0d, b'\r', b'\n', 0, 0, 0, 0, stamp, 1, 2, 3, 9, 0, 0, 0,
            ];
            bytes.extend_from_slice(b"code");
            bytes
        };
        let hash = |path: &str, bytes: Vec<u8>| hash_content(path, &mut bytes.as_slice()).unwrap();
        assert_eq!(hash("/m.pyc", pyc(1)), hash("/m.pyc", pyc(2)));
        assert_ne!(hash("/m.bin", pyc(1)), hash("/m.bin", pyc(2)));
        let mut hash_based = pyc(1);
        hash_based[4] = 1;
        let mut other = hash_based.clone();
        other[8] = 2;
        assert_ne!(hash("/m.pyc", hash_based), hash("/m.pyc", other));
        assert_eq!(
            hash("/empty", Vec::new()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
