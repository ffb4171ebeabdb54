//! Temporary files removed in the `RUN` that made them (issue 12, item 5):
//! a download, a clone or a build tree under `/tmp`, `/var/tmp`,
//! `/usr/src` or `/root/.cache` that a later `RUN` removes (safe: moved),
//! or that nothing removes (unsafe: removed).
//!
//! A layer keeps what its `RUN` leaves; an `rm` in a later `RUN` only hides
//! the bytes. Moving the `rm` into the `RUN` that made the files leaves the
//! final image exactly as it was (the path is gone in both), so the only
//! question is whether anything between the two still uses them.

use super::{Later, Site, downloaded_file, glob_matches, literal_words, only_reads, scripts_of};
use crate::engine::{Edit, Fix};
use crate::paths::last_component;
use crate::shell::SimpleCommand;
use crate::shell::invocations::Invocation;
use crate::syntax::{Instruction, InstructionKind, Stage};
use crate::transforms::package_index;
use crate::transforms::workdir::{self, Dir};

/// Where builds and downloads leave files nobody needs afterwards. A path
/// must be strictly under one of them.
const TEMPORARY_ROOTS: &[&str] = &["/tmp/", "/var/tmp/", "/usr/src/", "/root/.cache/"];

fn is_temporary(path: &str) -> bool {
    TEMPORARY_ROOTS
        .iter()
        .any(|root| path.len() > root.len() && path.starts_with(root))
}

/// What made a path, which decides how sure dockfix can be that removing
/// it at the end of the `RUN` loses nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Maker {
    /// `curl -o`, `wget -O`, `wget -P`.
    Download,
    /// `git clone URL DIR`.
    Clone,
    /// `mkdir DIR`, `tar -x -C DIR`, `unzip -d DIR`.
    Directory,
}

/// The absolute paths a command writes, with what writes them.
fn made_paths(command: &SimpleCommand) -> Vec<(String, Maker)> {
    if let Some(file) = downloaded_file(command) {
        return if is_temporary(&file) && !file.contains(['*', '?', '[', '$']) {
            vec![(file, Maker::Download)]
        } else {
            Vec::new()
        };
    }
    let Some(words) = command
        .words
        .iter()
        .map(|w| w.literal())
        .collect::<Option<Vec<String>>>()
    else {
        return Vec::new();
    };
    let Some(program) = words.first().map(String::as_str) else {
        return Vec::new();
    };
    let args = &words[1..];
    let found: Vec<(String, Maker)> = match program {
        "git" if args.first().map(String::as_str) == Some("clone") => {
            // Options of `git clone` that take a value as the next word.
            const VALUED: &[&str] = &[
                "-b",
                "--branch",
                "--depth",
                "-o",
                "--origin",
                "-c",
                "--config",
                "-j",
                "--jobs",
                "--reference",
                "-u",
                "--upload-pack",
                "--shallow-since",
                "--shallow-exclude",
                "--separate-git-dir",
                "--template",
            ];
            let mut operands = Vec::new();
            let mut iter = args[1..].iter();
            while let Some(arg) = iter.next() {
                if VALUED.contains(&arg.as_str()) {
                    iter.next();
                } else if !arg.starts_with('-') {
                    operands.push(arg.clone());
                }
            }
            match operands.as_slice() {
                [_, dir] => vec![(dir.clone(), Maker::Clone)],
                _ => Vec::new(),
            }
        }
        "mkdir" => {
            let mut dirs = Vec::new();
            let mut iter = args.iter();
            while let Some(arg) = iter.next() {
                if arg == "-m" || arg == "--mode" {
                    iter.next();
                } else if !arg.starts_with('-') {
                    dirs.push((arg.clone(), Maker::Directory));
                }
            }
            dirs
        }
        "tar" if super::extracts(args) => args
            .windows(2)
            .filter(|pair| pair[0] == "-C" || pair[0] == "--directory")
            .map(|pair| (pair[1].clone(), Maker::Directory))
            .chain(args.iter().filter_map(|arg| {
                arg.strip_prefix("--directory=")
                    .map(|dir| (dir.to_string(), Maker::Directory))
            }))
            .collect(),
        "unzip" => args
            .windows(2)
            .filter(|pair| pair[0] == "-d")
            .map(|pair| (pair[1].clone(), Maker::Directory))
            .collect(),
        _ => Vec::new(),
    };
    found
        .into_iter()
        .map(|(path, maker)| (path.trim_end_matches('/').to_string(), maker))
        .filter(|(path, _)| is_temporary(path) && !path.contains(['*', '?', '[', '$']))
        .collect()
}

/// `path` and the directories above it, down to the root of the file
/// system: `/tmp/src/x` gives `/tmp/src/x`, `/tmp/src`, `/tmp`, `/`.
fn self_and_ancestors(path: &str) -> Vec<String> {
    let mut found = vec![path.to_string()];
    let mut rest = path;
    while let Some(at) = rest.rfind('/') {
        rest = &rest[..at];
        found.push(if rest.is_empty() {
            "/".to_string()
        } else {
            rest.to_string()
        });
    }
    found
}

/// Component-wise glob match of a whole path (`/tmp/*` matches `/tmp/x`).
fn path_matches(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.trim_end_matches('/').split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    pattern.len() == path.len()
        && pattern
            .iter()
            .zip(&path)
            .all(|(p, n)| glob_matches(p.as_bytes(), n.as_bytes()))
}

/// True when an `rm` operand removes `path`: the path itself, a directory
/// above it, or a glob matching either (`rm -rf /tmp/*`).
fn operand_covers(operand: &str, path: &str) -> bool {
    let operand = operand.trim_end_matches('/');
    !operand.is_empty()
        && self_and_ancestors(path)
            .iter()
            .take_while(|dir| dir.as_str() != "/")
            .any(|dir| path_matches(operand, dir))
}

/// The operands of a plain `rm` (no wrapper), or `None` for another command.
fn rm_operands(command: &SimpleCommand) -> Option<Vec<String>> {
    let words = literal_words(command);
    (words.first().map(String::as_str) == Some("rm")).then(|| {
        words[1..]
            .iter()
            .filter(|w| !w.starts_with('-'))
            .cloned()
            .collect()
    })
}

/// True when `text` may use `path`: it names the path, its file name (or
/// has a glob that matches it), or a directory above it (`cd /usr/src`,
/// `cp -r /tmp/* /opt`, `find / ...`).
fn mentions(text: &str, path: &str) -> bool {
    let base = last_component(path);
    if super::refers_to(text, base) {
        return true;
    }
    let ancestors = self_and_ancestors(path);
    text.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '"' | '\'' | ',' | '=' | ';' | '&' | '|' | '(' | ')' | '[' | ']'
            )
    })
    .filter(|token| token.starts_with('/'))
    .any(|token| {
        let token = if token == "/" {
            token
        } else {
            token.trim_end_matches(['/', '.'])
        };
        let token = if token.is_empty() { "/" } else { token };
        ancestors
            .iter()
            .any(|dir| dir == token || (token.contains(['*', '?']) && path_matches(token, dir)))
    })
}

fn instruction_text(instruction: &Instruction) -> String {
    let mut text = instruction.logical().text().to_string();
    for heredoc in instruction.heredocs() {
        text.push_str(&heredoc.body);
    }
    text
}

/// Why `instruction` (at `position` in the stage) may use `path`, when it
/// may: it names it, works in a directory above it, or runs something
/// dockfix cannot read.
fn may_use(site: &Site, position: usize, instruction: &Instruction, path: &str) -> Option<String> {
    let line = super::line_number(site.text, instruction.range().start);
    let keyword = instruction.keyword().to_uppercase();
    if mentions(&instruction_text(instruction), path) {
        return Some(format!(
            "the {keyword} on line {line} names it or a directory above it"
        ));
    }
    if instruction.kind() != InstructionKind::Run {
        return None;
    }
    if let Dir::Known(dir) = workdir::workdir_before(site.stage, position)
        && !dir.trim_end_matches('/').is_empty()
        && self_and_ancestors(path).contains(&dir.trim_end_matches('/').to_string())
    {
        return Some(format!(
            "the RUN on line {line} works in `{dir}`, above it, where relative names can reach it"
        ));
    }
    let opaque = match package_index::run_invocations(site.file, instruction, &|_| None) {
        None => true,
        Some(found) => found
            .iter()
            .any(|invocation| matches!(invocation, Invocation::Opaque { .. })),
    };
    opaque.then(|| format!("the RUN on line {line} runs something dockfix cannot read"))
}

/// A later `RUN` that removes `path` unconditionally, found before
/// anything uses it: (its position, whether it does nothing but remove
/// exactly this path).
enum LaterRemoval {
    At(usize),
    Used(String),
    None,
}

fn later_removal(site: &Site, path: &str) -> LaterRemoval {
    for (offset, instruction) in site.stage.body[site.index + 1..].iter().enumerate() {
        let position = site.index + 1 + offset;
        if instruction.kind() == InstructionKind::Run
            && let Some(scripts) = scripts_of(site.file, instruction)
        {
            let commands: Vec<_> = scripts.iter().flat_map(|s| s.simple_commands()).collect();
            let removal = commands.iter().position(|(command, where_)| {
                where_.top_level
                    && !where_.conditional
                    && rm_operands(command)
                        .is_some_and(|operands| operands.iter().any(|o| operand_covers(o, path)))
            });
            if let Some(removal) = removal {
                // What the RUN does before its rm may use the path; what
                // it does after cannot (the path is gone by then).
                let used_before = commands[..removal].iter().any(|(command, _)| {
                    let words: Vec<&str> = command.words.iter().map(|w| w.raw.as_ref()).collect();
                    mentions(&words.join(" "), path)
                });
                if used_before {
                    return LaterRemoval::Used(format!(
                        "the RUN on line {} uses it before removing it",
                        super::line_number(site.text, instruction.range().start)
                    ));
                }
                // An `rm` without `-f` that stays would fail once the path
                // is gone; only a RUN that removes this path alone goes.
                let (command, _) = &commands[removal];
                let forced = literal_words(command)[1..].iter().any(|w| {
                    w == "--force"
                        || (w.starts_with('-') && !w.starts_with("--") && w.contains('f'))
                });
                let removes_only_this = instruction.flags().is_empty()
                    && commands.len() == 1
                    && command.redirects.is_empty()
                    && rm_operands(command).is_some_and(|operands| operands == [path]);
                if !forced && !removes_only_this {
                    return LaterRemoval::Used(format!(
                        "the `rm` on line {} has no `-f`, and would fail once it is gone",
                        super::line_number(site.text, instruction.range().start)
                    ));
                }
                return LaterRemoval::At(position);
            }
        }
        if let Some(reason) = may_use(site, position, instruction, path) {
            return LaterRemoval::Used(reason);
        }
    }
    LaterRemoval::None
}

pub(super) fn temporary_files(site: &Site, stages: &[Stage]) -> Vec<Fix> {
    let commands: Vec<&SimpleCommand> = site
        .script
        .simple_commands()
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    let mut fixes = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    // Paths a later RUN removes, with that RUN's position: one `rm` for
    // all of them.
    let mut moved: Vec<(String, usize)> = Vec::new();
    for (position, command) in commands.iter().enumerate() {
        for (path, maker) in made_paths(command) {
            if seen.contains(&path) {
                continue;
            }
            seen.push(path.clone());
            let removed_here = commands[position + 1..].iter().any(|c| {
                rm_operands(c)
                    .is_some_and(|operands| operands.iter().any(|o| operand_covers(o, &path)))
            });
            if removed_here {
                continue;
            }
            let at = command.range.start;
            if site.cache_mounted(&[path.as_str()]) {
                site.skip(
                    at,
                    format!("`{path}` is in a cache mount, not in the layer"),
                );
                continue;
            }
            match later_removal(site, &path) {
                LaterRemoval::At(removal) => moved.push((path, removal)),
                LaterRemoval::Used(reason) => site.skip(
                    at,
                    format!("`{path}` is not removed in the RUN that made it: {reason}"),
                ),
                LaterRemoval::None
                    if maker == Maker::Download
                        && commands[position + 1..]
                            .iter()
                            .any(|c| super::consumes(c, &path)) =>
                {
                    // An unpacked archive: `downloaded_archives` removes it.
                }
                LaterRemoval::None if maker == Maker::Directory => {}
                LaterRemoval::None => {
                    if let Some(fix) = never_removed(site, stages, &commands[position + 1..], &path)
                    {
                        fixes.push(fix);
                    }
                }
            }
        }
    }
    fixes.extend(moved_removal(site, &moved));
    fixes
}

/// One `rm -rf` at the end of this RUN for every path a later RUN removes;
/// a later RUN that did nothing but remove some of them goes.
fn moved_removal(site: &Site, moved: &[(String, usize)]) -> Option<Fix> {
    if moved.is_empty() {
        return None;
    }
    let paths: Vec<&str> = moved.iter().map(|(path, _)| path.as_str()).collect();
    let mut edits = vec![site.append(&format!("rm -rf {}", paths.join(" ")))?];
    let mut removers: Vec<usize> = moved.iter().map(|(_, at)| *at).collect();
    removers.sort_unstable();
    removers.dedup();
    let mut emptied = 0;
    for position in removers {
        let remover = &site.stage.body[position];
        let Some(scripts) = scripts_of(site.file, remover) else {
            continue;
        };
        let commands: Vec<_> = scripts.iter().flat_map(|s| s.simple_commands()).collect();
        let only_moved = remover.flags().is_empty()
            && matches!(commands.as_slice(), [(command, _)]
            if command.redirects.is_empty()
                && rm_operands(command).is_some_and(|operands| {
                    !operands.is_empty() && operands.iter().all(|o| paths.contains(&o.trim_end_matches('/')))
                }));
        if only_moved {
            edits.push(Edit::delete(remover.range()));
            emptied += 1;
        }
    }
    let names = paths
        .iter()
        .map(|path| format!("`{path}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let (it, its) = if paths.len() == 1 {
        ("it", "its")
    } else {
        ("them", "their")
    };
    let mut message = format!(
        "remove {names} in the RUN that made {it}: a later RUN removes {it}, but by then {its} bytes are in this RUN's layer"
    );
    if emptied > 0 {
        message.push_str(" (the later RUN that did nothing else is removed)");
    }
    Some(Fix::safe(message, edits))
}

/// Commands that leave something pointing into a path they are given: a
/// link, an editable install, a line written into a file.
fn keeps_reference(command: &SimpleCommand) -> bool {
    let words = literal_words(command);
    let program = command.program().unwrap_or_default();
    program == "ln"
        || words
            .iter()
            .any(|w| matches!(w.as_str(), "-e" | "--editable" | "develop" | "link"))
        || (!only_reads(command) && matches!(program, "echo" | "printf" | "tee" | "sed"))
}

/// A download or clone under a temporary directory that nothing removes:
/// removed at the end of the `RUN` (unsafe: a program may read it when the
/// container runs, or what the `RUN` installed may point into it).
fn never_removed(
    site: &Site,
    stages: &[Stage],
    after: &[&SimpleCommand],
    path: &str,
) -> Option<Fix> {
    let at = site.script.range.start;
    if let Some(keeper) = after
        .iter()
        .find(|c| keeps_reference(c) && c.words.iter().any(|w| mentions(&w.raw, path)))
    {
        site.skip(
            keeper.range.start,
            format!("`{path}` is kept: a later command of the RUN may leave something pointing into it (a link, an editable install, a line in a file)"),
        );
        return None;
    }
    let later = Later::new(stages, site.stage, site.index);
    if let Some(user) = later
        .instructions
        .iter()
        .find(|instruction| mentions(&instruction_text(instruction), path))
    {
        site.skip(
            user.range().start.max(at),
            format!("`{path}` is kept: a later instruction names it or a directory above it"),
        );
        return None;
    }
    let append = site.append(&format!("rm -rf {path}"))?;
    Some(Fix::unsafe_(
        format!(
            "remove `{path}` at the end of the RUN that made it (unsafe: nothing later names it, but a program may read it when the container runs, or what the RUN installed may point into it)"
        ),
        vec![append],
    ))
}

/// `go build`, `go install`, `go test`, ...: the commands that fill Go's
/// build cache.
fn fills_go_build_cache(command: &SimpleCommand) -> bool {
    let words = literal_words(command);
    words.first().map(String::as_str) == Some("go")
        && matches!(
            words.get(1).map(String::as_str),
            Some("build" | "install" | "test" | "run" | "vet" | "generate")
        )
}

/// `go clean -cache` (also with `-modcache` and the like), or an `rm` of
/// the cache directory.
fn cleans_go_build_cache(command: &SimpleCommand) -> bool {
    let words = literal_words(command);
    (words.first().map(String::as_str) == Some("go")
        && words.get(1).map(String::as_str) == Some("clean")
        && words.iter().any(|w| w == "-cache"))
        || rm_operands(command).is_some_and(|operands| {
            operands
                .iter()
                .any(|o| operand_covers(o, "/root/.cache/go-build"))
        })
}

/// Go's build cache (`/root/.cache/go-build` for root, `$GOCACHE`), filled
/// by every `go build`: compiled packages, often hundreds of MB, of no use
/// in the image. Removed with `go clean -cache` at the end of the last
/// `RUN` of the stage that builds with Go (safe: the cache is content
/// addressed and only saves time; a later `go build` of the same build
/// would refill it, so only the last one cleans), in stages whose files
/// ship (a builder's cache never reaches the final image).
pub(super) fn go_build_cache(site: &Site, stages: &[Stage]) -> Option<Fix> {
    let builds = site
        .script
        .simple_commands()
        .iter()
        .any(|(command, _)| fills_go_build_cache(command));
    if !builds {
        return None;
    }
    let cleaned = site.runs_any(cleans_go_build_cache);
    if cleaned {
        return None;
    }
    let at = site.script.range.start;
    let skip = |reason: &str| {
        site.skip(at, format!("Go's build cache is not cleaned: {reason}"));
        None
    };
    if site.cache_mounted(&["/root/.cache/go-build"]) {
        return skip("it is in a cache mount, not in the layer");
    }
    // `GOCACHE=off` (Go before 1.12) makes `go clean -cache` fail, and a
    // cache elsewhere may be meant to stay.
    let lineage_mentions_gocache = site
        .stage
        .lineage(stages)
        .iter()
        .flat_map(|stage| stage.body.iter())
        .any(|instruction| instruction_text(instruction).contains("GOCACHE"));
    if lineage_mentions_gocache {
        return skip("the stage sets GOCACHE");
    }
    if !crate::transforms::shipping::ships_by_stage(stages)
        .get(site.stage.index)
        .is_none_or(|ships| ships.may_include("/root/.cache/go-build"))
    {
        return skip(
            "the stage does not ship (only paths copied out of it reach the final image), so its cache never does",
        );
    }
    let later = Later::new(stages, site.stage, site.index);
    let builds_again = later.instructions.iter().any(|instruction| {
        instruction.as_copy().is_none()
            && instruction_text(instruction)
                .split(|c: char| {
                    c.is_whitespace() || matches!(c, '"' | '\'' | ';' | '&' | '|' | '(' | ')')
                })
                .any(|word| word == "go" || word.ends_with("/go"))
    });
    if builds_again {
        return skip(
            "a later step runs `go` (another build, or the image's command) and would reuse it; the last build cleans it",
        );
    }
    let append = site.append("go clean -cache")?;
    Some(Fix::safe(
        "clean Go's build cache at the end of the RUN (`go clean -cache`): the compiled packages it keeps under /root/.cache/go-build are of no use in the image",
        vec![append],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_of_rm_operands() {
        assert!(operand_covers("/tmp/*", "/tmp/x.tgz"));
        assert!(operand_covers("/tmp/*", "/tmp/src/a"));
        assert!(operand_covers("/usr/src/app", "/usr/src/app/lib"));
        assert!(operand_covers("/tmp/x.tgz", "/tmp/x.tgz"));
        assert!(!operand_covers("/tmp/y", "/tmp/x.tgz"));
        assert!(!operand_covers("/", "/tmp/x"));
        assert!(!operand_covers("/var/lib/apt/lists/*", "/tmp/x"));
    }

    #[test]
    fn mentions_of_a_path() {
        assert!(mentions("RUN tar -xzf /tmp/node.tgz", "/tmp/node.tgz"));
        assert!(mentions("RUN cd /usr/src && make", "/usr/src/redis"));
        assert!(mentions("RUN cp -r /tmp/* /opt/", "/tmp/x.tgz"));
        assert!(mentions("RUN find / -name x", "/tmp/x"));
        assert!(!mentions("RUN cp a /usr/local/bin/", "/usr/src/redis"));
        assert!(!mentions("ENV PATH=/usr/local/bin:$PATH", "/tmp/x.tgz"));
    }
}
