//! System packages installed after an early `COPY . <dir>` (issue 12, item
//! 8):
//!
//! ```dockerfile
//! WORKDIR /app
//! COPY . .
//! RUN apt-get update && apt-get install -y ffmpeg supervisor
//! ```
//!
//! Every source edit changes the COPY's layer, so the install after it runs
//! again (about 300 MB of packages here). The install reads nothing the COPY
//! brings, so the COPY moves below it and the install stays cached.
//!
//! Proven, so safe, when every RUN the COPY moves over is only system
//! package commands (`apt-get`, `apk`, `yum`, `dnf`, `microdnf`, `zypper`)
//! of named packages, and `rm` of their lists and caches, naming no path
//! under the copied directory and no relative path, with no `cd` and no
//! redirection but to `/dev/null`; and when the copied directory is not one
//! packages write to (`/`, `/etc`, `/usr`, `/var`, `/opt`, ...), where the
//! order would decide which of two files wins. Package scripts are taken to
//! leave an application directory alone (dpkg runs them from `/`).

use super::{RunRole, WholeContextCopy, classify_command};
use crate::engine::{Edit, Fix};
use crate::shell::Script;
use crate::shell::packages::{self};
use crate::syntax::{Dockerfile, Instruction, InstructionKind, Stage};
use crate::transforms::workdir::{Dir, workdir_before};

/// Directories the system's packages write to: a copy into one of them,
/// or above one, may hold files an install also writes.
const PACKAGE_DIRECTORIES: &[&str] = &[
    "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/opt", "/proc",
    "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/var",
];

/// Application folders under those that distribution packages leave alone:
/// `/usr/src/app` (the Node images' habit), and `/opt/NAME`, `/srv/NAME`,
/// which the Filesystem Hierarchy Standard keeps for add-on software and
/// site data (Debian Policy: packages must not install files there).
const APPLICATION_PARENTS: &[&str] = &["/usr/src/", "/usr/local/src/", "/opt/", "/srv/"];

/// The fix moving the `COPY .` at `copy_index` below the system-package
/// RUNs that follow it; `None` when none follows, `Err` with the reason
/// when one does but the move is not proven safe.
pub(super) fn system_installs_first(
    file: &Dockerfile,
    stage: &Stage,
    copy_index: usize,
    copy: &WholeContextCopy,
    text: &str,
) -> Option<Result<Fix, String>> {
    let copy_dir = workdir_before(stage, copy_index).join(&copy.dest);
    let mut last_install = None;
    let mut variables_between = false;
    let mut refusal = None;
    for instruction in &stage.body[copy_index + 1..] {
        match instruction.kind() {
            InstructionKind::Run => match system_install_only(file, instruction, &copy_dir) {
                Ok(true) => last_install = Some(instruction),
                Ok(false) => break,
                Err(reason) => {
                    refusal = Some(reason);
                    break;
                }
            },
            InstructionKind::Env | InstructionKind::Arg => variables_between = true,
            InstructionKind::Label => {}
            _ => break,
        }
    }
    let copy_text = copy.instruction.logical().text().trim().to_string();
    let Some(last_install) = last_install else {
        // Told only when the very next RUN installs system packages.
        return refusal.map(|reason| {
            Err(format!(
                "`{copy_text}` stays above the system package install: {reason}"
            ))
        });
    };
    Some(
        check_destination(&copy_dir, copy, variables_between)
            .map_err(|reason| {
                format!("`{copy_text}` stays above the system package install: {reason}")
            })
            .map(|()| move_below(copy, last_install, &copy_text, text)),
    )
}

fn check_destination(
    copy_dir: &Dir,
    copy: &WholeContextCopy,
    variables_between: bool,
) -> Result<(), String> {
    let Some(dir) = copy_dir.absolute() else {
        return Err("the directory it copies to is not known".into());
    };
    let application_folder = APPLICATION_PARENTS
        .iter()
        .any(|parent| dir.len() > parent.len() && dir.starts_with(parent));
    let packages_write_there = dir == "/"
        || PACKAGE_DIRECTORIES
            .iter()
            .any(|system| dir == *system || dir.starts_with(&format!("{system}/")));
    if packages_write_there && !application_folder {
        return Err(format!(
            "it copies into `{dir}`, where installed packages may write the same files"
        ));
    }
    for flag in &copy.kept_flags {
        if flag.contains('$') && variables_between {
            return Err(format!(
                "its `{flag}` reads a variable an ENV or ARG it would move below may change"
            ));
        }
        if let Some(owner) = flag.strip_prefix("--chown=")
            && !owner
                .split(':')
                .all(|id| id.chars().all(|c| c.is_ascii_digit()))
        {
            // A name is looked up in the image's /etc/passwd at the COPY,
            // and a package may add that user.
            return Err(format!(
                "its `{flag}` names a user or group an installed package may add"
            ));
        }
    }
    Ok(())
}

/// `Ok(true)` when the RUN only installs system packages in a way proven
/// not to read `copy_dir`; `Ok(false)` when it installs none; `Err` with
/// the reason when it installs some but does more, or may read the copy.
fn system_install_only(
    file: &Dockerfile,
    run: &Instruction,
    copy_dir: &Dir,
) -> Result<bool, String> {
    let script = (!run.is_error() && run.heredocs().is_empty())
        .then(|| Script::shared_of_run(file, run))
        .flatten();
    let Some(script) = script else {
        return Ok(false);
    };
    let commands = script.simple_commands();
    let installs = commands.iter().any(|(command, _)| {
        packages::package_command(command, Default::default())
            .is_some_and(|package| package.manager.is_system())
    });
    if !installs {
        return Ok(false);
    }
    let line = run.logical().text().trim().to_string();
    for flag in run.flags() {
        let cache_mount = flag.name == "mount"
            && flag
                .value
                .as_deref()
                .is_some_and(|value| value.split(',').any(|part| part == "type=cache"));
        if !cache_mount && flag.name != "network" {
            return Err(format!("`{line}` has the flag `--{}`", flag.name));
        }
    }
    if let Some(change) = script
        .state_changes()
        .iter()
        .find(|change| matches!(change.command.as_str(), "cd" | "pushd" | "popd"))
    {
        return Err(format!("`{line}` runs `{}`", change.command));
    }
    for (command, _) in &commands {
        let program = command.program().unwrap_or_default();
        let package_manager = packages::package_command(command, Default::default())
            .is_some_and(|package| package.manager.is_system());
        let harmless = matches!(classify_command(command, copy_dir), RunRole::Harmless);
        if !(harmless && (package_manager || program == "rm") || program == "true") {
            return Err(format!(
                "`{line}` runs `{}`, which may read the copied files",
                command
                    .words
                    .iter()
                    .map(|word| word.raw.as_ref())
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
        }
        if let Some(redirect) = command
            .redirects
            .iter()
            .find(|target| &*target.raw != "/dev/null")
        {
            return Err(format!("`{line}` redirects to `{}`", redirect.raw));
        }
        for word in command.words.iter().skip(1).chain(&command.assignments) {
            let literal = word.literal().unwrap_or_else(|| word.raw.to_string());
            let value = literal
                .split_once('=')
                .map_or(literal.as_str(), |(_, value)| value);
            if names_copied_path(value, copy_dir) {
                return Err(format!(
                    "`{line}` names `{value}`, which may be a copied file"
                ));
            }
        }
    }
    Ok(true)
}

/// A relative path (read from the working directory, which may be the
/// copy's), or an absolute one in or above the copied directory.
fn names_copied_path(value: &str, copy_dir: &Dir) -> bool {
    if value.contains("://") {
        return false;
    }
    if !value.starts_with('/') {
        return value.contains('/') || value == "." || value == "..";
    }
    let Some(dir) = copy_dir.absolute() else {
        return true;
    };
    let value = crate::transforms::workdir::normalize(value);
    let inside = |outer: &str, inner: &str| {
        inner == outer || inner.starts_with(&format!("{}/", outer.trim_end_matches('/')))
    };
    inside(dir, &value) || inside(&value, dir)
}

fn move_below(
    copy: &WholeContextCopy,
    last_install: &Instruction,
    copy_text: &str,
    text: &str,
) -> Fix {
    let copy_range = copy.instruction.range();
    let install_end = last_install.range().end;
    let newline = copy.instruction.newline_style();
    let mut moved = text[copy_range.clone()].to_string();
    let mut insertion = String::new();
    if !text[..install_end].ends_with('\n') {
        insertion.push_str(newline);
        moved = moved.trim_end_matches(['\r', '\n']).to_string();
    }
    insertion.push_str(&moved);
    Fix::safe(
        format!(
            "move `{copy_text}` below the system package install it does not feed, so a source edit no longer re-runs the install"
        ),
        vec![
            Edit::replace(copy_range, String::new()),
            Edit::insert(install_end, insertion),
        ],
    )
}
