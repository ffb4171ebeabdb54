//! Which shell runs each shell-form instruction (`RUN`, `CMD`, ...).
//!
//! BuildKit runs shell-form commands with the stage's `SHELL`, or the
//! platform default when there is none: `/bin/sh -c` on Linux, `cmd /S /C`
//! on Windows. A stage built `FROM` an earlier stage starts with that
//! stage's shell (the image config carries `Shell`), so a `SHELL
//! ["powershell", "-Command"]` in a base stage holds in every stage built
//! from it.
//!
//! Whether a base image is Windows is not written in the Dockerfile; we take
//! it as Windows when its reference or `--platform` says so (see
//! [`is_windows_image`]). An image we do not recognise is taken as Linux.
//! The rule errs on the side of "not POSIX" only for names that say
//! Windows, which can only make shell-writing transforms skip.

use std::rc::Rc;

use super::{From, Instruction, InstructionKind};

/// Linux's default shell for shell-form commands.
const LINUX_DEFAULT: &[&str] = &["/bin/sh", "-c"];
/// Windows' default shell for shell-form commands.
const WINDOWS_DEFAULT: &[&str] = &["cmd", "/S", "/C"];

/// The shell command line in force at an instruction, as `SHELL` would
/// write it.
pub type Shell = Rc<[String]>;

fn shell_of(words: &[&str]) -> Shell {
    words.iter().map(|word| word.to_string()).collect()
}

/// `/bin/sh -c`, for instructions before any `FROM`.
pub(super) fn linux_default() -> Shell {
    shell_of(LINUX_DEFAULT)
}

/// The shell in force at each of `instructions` (same order, same length),
/// in one walk over the file: time linear in the number of instructions.
pub(super) fn shells(instructions: &[Instruction]) -> Vec<Shell> {
    let linux = linux_default();
    let windows = shell_of(WINDOWS_DEFAULT);
    // The shell each named stage ends with, for `FROM <stage>`.
    let mut stage_shells: Vec<(String, Shell)> = Vec::new();
    let mut current_stage: Option<String> = None;
    let mut shell = linux.clone();
    let mut shells = Vec::with_capacity(instructions.len());
    for instruction in instructions {
        match instruction.kind() {
            InstructionKind::From if !instruction.is_error() => {
                if let Some(name) = current_stage.take() {
                    stage_shells.push((name, shell.clone()));
                }
                let from = From(instruction.clone());
                let image = from.image().map(|(image, _)| image.to_ascii_lowercase());
                let parent = image.as_deref().and_then(|image| {
                    stage_shells
                        .iter()
                        .rev()
                        .find(|(name, _)| name == image)
                        .map(|(_, shell)| shell.clone())
                });
                shell = match parent {
                    Some(parent) => parent,
                    None if is_windows_image(image.as_deref(), from.platform().as_deref()) => {
                        windows.clone()
                    }
                    None => linux.clone(),
                };
                current_stage = from.alias();
            }
            InstructionKind::Shell => {
                if let Some(words) = instruction.json_args().filter(|words| !words.is_empty()) {
                    shell = words.into();
                }
            }
            _ => {}
        }
        shells.push(shell.clone());
    }
    shells
}

/// True when a base image is a Windows image: its `--platform` is
/// `windows/…`, or its reference (lowercased) names Windows:
/// `mcr.microsoft.com/windows/…` and anything else containing `windows`
/// (`python:3.12-windowsservercore`), `servercore` or `nanoserver`
/// (`mcr.microsoft.com/dotnet/sdk:8.0-nanoserver-ltsc2022`), a Windows
/// LTSC tag (`:ltsc2022`), or the Windows-only .NET Framework images
/// (`mcr.microsoft.com/dotnet/framework/…`).
pub fn is_windows_image(image: Option<&str>, platform: Option<&str>) -> bool {
    if platform.is_some_and(|platform| platform.to_ascii_lowercase().starts_with("windows")) {
        return true;
    }
    let Some(image) = image.map(str::to_ascii_lowercase) else {
        return false;
    };
    let tag = image
        .rsplit_once(':')
        .map(|(_, tag)| tag)
        .filter(|tag| !tag.contains('/'))
        .unwrap_or_default();
    ["windows", "servercore", "nanoserver"]
        .iter()
        .any(|word| image.contains(word))
        || tag.contains("ltsc20")
        || image.starts_with("mcr.microsoft.com/dotnet/framework/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Dockerfile;

    fn shells_of_runs(text: &str) -> Vec<String> {
        let file = Dockerfile::parse(text);
        file.instructions()
            .filter(|i| i.kind() == InstructionKind::Run)
            .map(|run| file.shell_at(&run).join(" "))
            .collect()
    }

    #[test]
    fn stages_inherit_the_shell_of_the_stage_they_are_built_from() {
        let text = "FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS base\n\
                    RUN a\n\
                    SHELL [\"powershell\", \"-Command\"]\n\
                    RUN b\n\
                    FROM base AS app\n\
                    RUN c\n\
                    FROM alpine AS other\n\
                    RUN d\n\
                    SHELL [\"/bin/bash\", \"-c\"]\n\
                    FROM Other\n\
                    RUN e\n";
        assert_eq!(
            shells_of_runs(text),
            [
                "cmd /S /C",
                "powershell -Command",
                "powershell -Command",
                "/bin/sh -c",
                "/bin/bash -c"
            ]
        );
    }

    #[test]
    fn windows_images_by_name_tag_or_platform() {
        for image in [
            "mcr.microsoft.com/windows/servercore:ltsc2022",
            "mcr.microsoft.com/windows/nanoserver:1809",
            "mcr.microsoft.com/windows:20H2",
            "python:3.12-windowsservercore-ltsc2022",
            "mcr.microsoft.com/dotnet/sdk:8.0-nanoserver-ltsc2022",
            "mcr.microsoft.com/powershell:ltsc2022",
            "mcr.microsoft.com/dotnet/framework/sdk:4.8",
            "MCR.Microsoft.com/Windows/ServerCore",
        ] {
            assert!(is_windows_image(Some(image), None), "{image}");
        }
        for image in [
            "alpine:3.19",
            "debian:bookworm-slim",
            "mcr.microsoft.com/dotnet/sdk:8.0",
        ] {
            assert!(!is_windows_image(Some(image), None), "{image}");
        }
        assert!(is_windows_image(Some("myorg/base"), Some("windows/amd64")));
        assert!(!is_windows_image(Some("myorg/base"), Some("linux/amd64")));
    }
}
