#![doc = include_str!("../../transforms/add-to-copy/README.md")]

use std::io::Read;
use std::path::Path;

mod download;

use crate::engine::{BuildContext, Context, Edit, Fix, Safety, Transform};
use crate::syntax::{Dockerfile, Instruction, InstructionKind};

pub struct AddToCopy;

const ID: &str = "add-to-copy";

/// Flags `ADD` and `COPY` share, with the same meaning. Any other flag
/// (`--checksum`, `--keep-git-dir`, `--unpack`, or one this list does not
/// know) leaves the `ADD` alone.
const SHARED_FLAGS: &[&str] = &["chown", "chmod", "link", "exclude"];

impl Transform for AddToCopy {
    fn id(&self) -> &'static str {
        ID
    }

    fn summary(&self) -> &'static str {
        "ADD of local files that are not archives becomes COPY (ADD unpacks tar archives and fetches URLs)"
    }

    fn safety(&self) -> Safety {
        Safety::Safe
    }

    fn docs(&self) -> &'static str {
        include_str!("../../transforms/add-to-copy/README.md")
    }

    fn some_fixes_unsafe(&self) -> bool {
        true
    }

    fn edits_shell(&self) -> bool {
        true
    }

    fn fixes(&self, file: &Dockerfile, context: &Context) -> Vec<Fix> {
        let stages = file.stages();
        let mut fixes = Vec::new();
        for instruction in file.instructions() {
            if instruction.is_error() {
                continue;
            }
            match instruction.kind() {
                InstructionKind::Add if is_download(&instruction) => {
                    let site = stages.iter().find_map(|stage| {
                        let index = stage.body.iter().position(|i| i == &instruction)?;
                        Some((stage, index))
                    });
                    let Some((stage, index)) = site else {
                        continue;
                    };
                    match download::fix(file, stage, index) {
                        Ok(fix) => fixes.push(fix),
                        Err(reason) => context.skip(ID, instruction.range().start, reason),
                    }
                }
                InstructionKind::Add => {
                    fixes.extend(fix_add(&instruction, context));
                }
                InstructionKind::Onbuild
                    if instruction
                        .onbuild_inner()
                        .is_some_and(|inner| inner.kind() == InstructionKind::Add) =>
                {
                    context.skip(
                        ID,
                        instruction.range().start,
                        "`ONBUILD ADD` runs in the build of a child image, whose context dockfix cannot read: left alone",
                    );
                }
                _ => {}
            }
        }
        fixes
    }
}

/// True for `ADD URL DEST`: one source, a URL.
fn is_download(add: &Instruction) -> bool {
    add.as_copy()
        .is_some_and(|copy| matches!(copy.sources().as_slice(), [source] if is_remote(source)))
}

/// The fix for one `ADD`, or `None` with the reason recorded.
fn fix_add(add: &Instruction, context: &Context) -> Option<Fix> {
    let at = add.range().start;
    let skip = |reason: String| {
        context.skip(ID, at, reason);
        None
    };
    if let Some(flag) = add
        .flags()
        .into_iter()
        .find(|flag| !SHARED_FLAGS.contains(&flag.name.as_str()))
    {
        return skip(format!(
            "`--{}` is a flag COPY does not have (or dockfix does not know): left as ADD",
            flag.name
        ));
    }
    if !add.heredocs().is_empty() {
        // BuildKit writes a heredoc source as a file; whether ADD would then
        // try to unpack it is not documented, so nothing is promised.
        return skip("heredoc source: left as ADD".into());
    }
    let copy = add.as_copy()?;
    let sources = copy.sources();
    if sources.is_empty() {
        return None;
    }
    for source in &sources {
        if is_remote(source) {
            return skip(format!(
                "`{source}` is a URL or git repository: only ADD fetches it"
            ));
        }
        if source.contains('$') {
            return skip(format!(
                "`{source}` depends on a variable: which file it names, and whether it is an archive, is not known"
            ));
        }
    }
    let verdict = match context.build_context {
        Some(build_context) => sources
            .iter()
            .map(|source| read_source(build_context, source))
            .find(|verdict| *verdict != SourceVerdict::NotArchive)
            .unwrap_or(SourceVerdict::NotArchive),
        None => SourceVerdict::Unreadable,
    };
    let keyword = add.logical().source_range(add.layout().keyword.clone());
    let written = add.keyword();
    let replacement = if written.chars().all(|c| c.is_ascii_lowercase()) {
        "copy"
    } else {
        "COPY"
    };
    let edits = vec![Edit::replace(keyword, replacement)];
    match verdict {
        SourceVerdict::NotArchive => Some(Fix::safe(
            format!(
                "`ADD` of {} becomes `COPY`: no source is an archive or a URL, so ADD did nothing COPY does not",
                describe_sources(&sources)
            ),
            edits,
        )),
        SourceVerdict::Unreadable => skip(
            "the build context is unknown, so the files cannot be read: ADD unpacks a tar archive whatever its name"
                .into(),
        ),
        SourceVerdict::MayBeArchive(why) => skip(format!("{why}: ADD unpacks it, left as ADD")),
        SourceVerdict::Missing(why) => skip(why),
    }
}

fn describe_sources(sources: &[String]) -> String {
    let quoted: Vec<String> = sources.iter().map(|s| format!("`{s}`")).collect();
    quoted.join(", ")
}

/// What reading a source in the build context showed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SourceVerdict {
    /// Every file it names is a directory or a file that is not an archive.
    NotArchive,
    /// A file it names is, or could be, an archive ADD unpacks.
    MayBeArchive(String),
    /// It names nothing in the context, or the context cannot be listed.
    Missing(String),
    /// There is no build context to read.
    Unreadable,
}

/// URLs and git sources, which ADD downloads (BuildKit's `isURL`/`isGitURL`).
fn is_remote(source: &str) -> bool {
    source.contains("://") || source.starts_with("git@")
}

/// Reads what `source` names in the context: a directory is never unpacked
/// (BuildKit and the legacy builder only try to unpack regular files), a
/// file is looked at byte by byte ([`file_may_be_archive`]).
fn read_source(build_context: &BuildContext, source: &str) -> SourceVerdict {
    let relative = source.trim_start_matches('/').trim_start_matches("./");
    if relative.split('/').any(|part| part == "..") {
        return SourceVerdict::Missing(format!("`{source}` leaves the build context"));
    }
    if relative.contains(['*', '?', '[']) {
        return read_glob(build_context, source, relative);
    }
    let path = build_context.root().join(relative);
    match std::fs::metadata(&path) {
        Ok(metadata) if metadata.is_dir() => SourceVerdict::NotArchive,
        Ok(_) => verdict_for_file(source, &path),
        Err(_) => SourceVerdict::Missing(format!(
            "`{source}` is not in the build context: cannot tell whether it is an archive (give the real context with --context)"
        )),
    }
}

/// A glob source: every regular file of the context it matches is read.
fn read_glob(build_context: &BuildContext, source: &str, pattern: &str) -> SourceVerdict {
    // BuildKit matches each path component separately: `*` never crosses `/`.
    let Ok(glob) = globset::GlobBuilder::new(pattern.trim_end_matches('/'))
        .literal_separator(true)
        .build()
    else {
        return SourceVerdict::Missing(format!("`{source}` is not a glob dockfix can read"));
    };
    let matcher = glob.compile_matcher();
    let files = build_context.files();
    if files.len() >= CONTEXT_LISTING_LIMIT {
        return SourceVerdict::Missing(format!(
            "the build context is too large to list every file `{source}` matches"
        ));
    }
    let mut matched = false;
    for file in files {
        // A match on a file, or on a directory above it (copied whole).
        let matches_itself = matcher.is_match(file);
        if !matches_itself {
            let in_matched_directory = file
                .match_indices('/')
                .any(|(index, _)| matcher.is_match(&file[..index]));
            matched |= in_matched_directory;
            continue;
        }
        matched = true;
        let verdict = verdict_for_file(file, &build_context.root().join(file));
        if verdict != SourceVerdict::NotArchive {
            return verdict;
        }
    }
    if matched {
        SourceVerdict::NotArchive
    } else {
        SourceVerdict::Missing(format!("`{source}` matches nothing in the build context"))
    }
}

/// [`BuildContext::files`] stops listing at this many files.
const CONTEXT_LISTING_LIMIT: usize = 20_000;

fn verdict_for_file(name: &str, path: &Path) -> SourceVerdict {
    match file_may_be_archive(path) {
        Ok(None) => SourceVerdict::NotArchive,
        Ok(Some(kind)) => SourceVerdict::MayBeArchive(format!("`{name}` is {kind}")),
        Err(error) => SourceVerdict::Missing(format!("`{name}` cannot be read ({error})")),
    }
}

/// Magic numbers of the compressions the builders decompress before looking
/// for a tar (moby's `pkg/archive.DetectCompression`, used by the legacy
/// builder and by BuildKit's unpack check).
const COMPRESSIONS: &[(&[u8], &str)] = &[
    (&[0x1f, 0x8b, 0x08], "gzip-compressed"),
    (b"BZh", "bzip2-compressed"),
    (&[0xfd, b'7', b'z', b'X', b'Z', 0x00], "xz-compressed"),
    (&[0x28, 0xb5, 0x2f, 0xfd], "zstd-compressed"),
];

const TAR_BLOCK: usize = 512;

/// `Some(what it is)` when the file could be an archive that ADD unpacks:
/// compressed (what it holds is not looked into), or starting with a block
/// that Go's `archive/tar` would take for a tar header. BuildKit decides to
/// unpack by content, not by name: it decompresses and asks `archive/tar`
/// for the first header, and unpacks when that succeeds. A tar header is a
/// 512-byte block whose checksum field (bytes 148..156, octal) equals the
/// sum of the block's bytes with that field counted as spaces, summed as
/// unsigned or as signed bytes (Go accepts both). An all-zero first block is
/// taken as a possible archive too, to stay on the safe side.
fn file_may_be_archive(path: &Path) -> std::io::Result<Option<&'static str>> {
    let mut block = Vec::with_capacity(TAR_BLOCK);
    std::fs::File::open(path)?
        .take(TAR_BLOCK as u64)
        .read_to_end(&mut block)?;
    if let Some((_, kind)) = COMPRESSIONS
        .iter()
        .find(|(magic, _)| block.starts_with(magic))
    {
        return Ok(Some(kind));
    }
    if block.len() < TAR_BLOCK {
        return Ok(None);
    }
    if block.iter().all(|&byte| byte == 0) {
        return Ok(Some("empty tar-like blocks"));
    }
    let field = &block[148..156];
    if field[0] & 0x80 != 0 {
        // A base-256 number, which Go also reads.
        return Ok(Some("a possible tar archive (binary checksum field)"));
    }
    let digits: Vec<u8> = field
        .iter()
        .copied()
        .filter(|&byte| byte != b' ' && byte != 0)
        .collect();
    if digits.is_empty() || !digits.iter().all(|byte| (b'0'..=b'7').contains(byte)) {
        return Ok(None);
    }
    let recorded = digits
        .iter()
        .fold(0i64, |sum, digit| sum * 8 + i64::from(digit - b'0'));
    let (mut unsigned, mut signed) = (0i64, 0i64);
    for (index, &byte) in block.iter().enumerate() {
        let byte = if (148..156).contains(&index) {
            b' '
        } else {
            byte
        };
        unsigned += i64::from(byte);
        signed += i64::from(byte as i8);
    }
    Ok((recorded == unsigned || recorded == signed).then_some("a tar archive"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &[u8]) -> Option<&'static str> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, bytes).unwrap();
        file_may_be_archive(&path).unwrap()
    }

    fn tar_with_one_file() -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_size(3);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, "hello.txt", &b"hi\n"[..])
            .unwrap();
        builder.into_inner().unwrap()
    }

    #[test]
    fn reads_archives_by_content() {
        assert_eq!(check(&tar_with_one_file()), Some("a tar archive"));
        assert_eq!(check(&[0x1f, 0x8b, 0x08, 0, 0]), Some("gzip-compressed"));
        assert_eq!(check(b"BZh91AY"), Some("bzip2-compressed"));
        assert_eq!(check(&[0u8; 1024]), Some("empty tar-like blocks"));
        assert_eq!(check(b"print('hello')\n"), None);
        assert_eq!(check(&[b'x'; 2048]), None);
        // A tar header with its checksum broken is not one.
        let mut broken = tar_with_one_file();
        broken[150] = if broken[150] == b'1' { b'2' } else { b'1' };
        assert_eq!(check(&broken), None);
    }

    #[test]
    fn nothing_without_a_context() {
        let file = Dockerfile::parse("FROM a\nADD app.py /app/\n");
        assert!(AddToCopy.fixes(&file, &Context::detached()).is_empty());
    }
}
