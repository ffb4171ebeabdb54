//! `ADD https://…/x.tar.gz /tmp/` followed by a `RUN` that unpacks it with
//! `tar`: one `RUN` that downloads, unpacks and deletes the archive
//! (unsafe). The `ADD` layer keeps the archive in the image even when the
//! `RUN` deletes it; downloaded in the `RUN`, it never reaches a layer.

use crate::engine::{Edit, Fix, ImageEffect};
use crate::paths::last_component;
use crate::shell::Script;
use crate::syntax::{Dockerfile, Instruction, InstructionKind, Stage};
use crate::transforms::run_body;
use crate::transforms::workdir::workdir_before;

/// The unsafe fix for the `ADD` at `stage.body[index]`, or why there is none.
pub(super) fn fix(file: &Dockerfile, stage: &Stage, index: usize) -> Result<Fix, String> {
    let add = &stage.body[index];
    let copy = add.as_copy().ok_or("not an ADD")?;
    let sources = copy.sources();
    let url = sources.first().ok_or("no source")?;
    let only_add = format!("`{url}` is a URL or git repository: only ADD fetches it");
    if let Some(flag) = add.flags().first() {
        return Err(format!(
            "{only_add} (with `--{}`, which a plain download does not do)",
            flag.name
        ));
    }
    if !(url.starts_with("https://") || url.starts_with("http://")) || !is_plain(url) {
        return Err(only_add);
    }
    let name = Some(last_component(url))
        .filter(|name| !name.is_empty())
        .ok_or_else(|| only_add.clone())?;
    let destination = copy.destination().ok_or("no destination")?;
    let dir = workdir_before(stage, index);
    let archive = if destination.ends_with('/') {
        dir.join(&destination)
            .absolute()
            .map(|directory| format!("{}/{name}", directory.trim_end_matches('/')))
    } else {
        dir.join(&destination).absolute().map(str::to_string)
    }
    .filter(|path| is_plain(path))
    .ok_or_else(|| format!("{only_add} (where it goes is not known)"))?;
    let parent = archive.rsplit_once('/').map_or("/", |(parent, _)| parent);
    if parent != "/tmp" && dir.absolute() != Some(parent) {
        return Err(format!(
            "{only_add} ({parent} may not exist before ADD makes it; a download goes to /tmp or the working directory)"
        ));
    }
    let (run_index, run) = next_run(stage, index).ok_or_else(|| {
        format!("{only_add} (no RUN right after it, with only metadata between, unpacks it)")
    })?;
    let script = Script::shared_of_run(file, run).ok_or_else(|| {
        format!("{only_add} (the RUN after it is not a shell script dockfix reads)")
    })?;
    let run_dir = workdir_before(stage, run_index);
    let names_archive = |word: &crate::shell::Word| {
        word.literal()
            .is_some_and(|literal| run_dir.join(&literal).absolute() == Some(archive.as_str()))
    };
    let commands = script.simple_commands();
    let unpacks = commands.iter().any(|(simple, context)| {
        context.top_level
            && simple.program() == Some("tar")
            && simple.args().iter().any(&names_archive)
    });
    if !unpacks {
        return Err(format!(
            "{only_add} (the RUN after it does not unpack {archive} with tar)"
        ));
    }
    if let Some(other) = file
        .instructions()
        .find(|other| other != add && other != run && mentions(other, name))
    {
        let line = file.text()[..other.text_range().start]
            .matches('\n')
            .count()
            + 1;
        return Err(format!(
            "{only_add} (`{name}` is also named on line {line}: the archive may be needed beyond the unpack)"
        ));
    }
    // The tool must be in the image for sure: an earlier RUN of the stage
    // installs or runs it. A base image that ships it is not enough: a slim
    // swap of the same run may take it away.
    let tool = if installs(stage, run_index, "curl") {
        Tool::Curl
    } else if installs(stage, run_index, "wget") {
        Tool::Wget
    } else {
        return Err(format!(
            "{only_add} (no earlier RUN of the stage installs curl or wget to download it with)"
        ));
    };
    let download = match tool {
        Tool::Curl => format!("curl -fsSL -o {archive} {url}"),
        Tool::Wget => format!("wget -q -O {archive} {url}"),
    };
    let mut edits = vec![Edit::delete(add.range())];
    edits.push(run_body::prepend_command(&script, &download).ok_or_else(|| {
        format!("{only_add} (the RUN after it is not one `&&` chain, so a download before it could fail unnoticed)")
    })?);
    let removes = commands.iter().any(|(simple, context)| {
        context.top_level
            && simple.program() == Some("rm")
            && simple.args().iter().any(&names_archive)
    });
    if !removes {
        let shell = file.shell_at(run);
        edits.push(
            run_body::append_command(
                run,
                &script,
                &format!("rm -f {archive}"),
                file.text(),
                file.escape(),
                &shell,
            )
            .ok_or_else(|| format!("{only_add} (no place to delete the archive after the RUN)"))?,
        );
    }
    let tool_name = tool.name();
    let fix = Fix::unsafe_(
        format!(
            "`ADD {url}` and the RUN that unpacks it become one RUN that downloads with {tool_name}, unpacks and deletes {archive}: the archive no longer stays in the ADD layer (unsafe: needs {tool_name} in the image, and the build cache keys the download on the RUN's text, where ADD re-checks the URL)"
        ),
        edits,
    );
    // The image loses the archive only where the RUN did not delete it.
    Ok(if removes {
        fix
    } else {
        fix.with_effect(ImageEffect::Removes(archive))
    })
}

#[derive(Debug, Clone, Copy)]
enum Tool {
    Curl,
    Wget,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::Curl => "curl",
            Tool::Wget => "wget",
        }
    }
}

/// Characters that need no quoting in a shell word.
fn is_plain(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._~:/%+-=@,".contains(c))
}

/// The first `RUN` after `index`, when only instructions that write no
/// files and change no working directory or user stand between.
fn next_run(stage: &Stage, index: usize) -> Option<(usize, &Instruction)> {
    for (position, instruction) in stage.body.iter().enumerate().skip(index + 1) {
        match instruction.kind() {
            InstructionKind::Run if !instruction.is_error() => {
                return Some((position, instruction));
            }
            InstructionKind::Env
            | InstructionKind::Arg
            | InstructionKind::Label
            | InstructionKind::Expose
            | InstructionKind::Cmd
            | InstructionKind::Entrypoint
            | InstructionKind::Healthcheck
            | InstructionKind::StopSignal
            | InstructionKind::Maintainer
            | InstructionKind::Onbuild => {}
            _ => return None,
        }
    }
    None
}

/// True when `instruction`'s text (heredocs included) contains `name`.
fn mentions(instruction: &Instruction, name: &str) -> bool {
    instruction.logical().text().contains(name)
        || instruction
            .heredocs()
            .iter()
            .any(|heredoc| heredoc.body.contains(name))
}

/// True when a `RUN` of the stage before `end` names `tool` as a word: it
/// installs it (`apt-get install -y curl`) or runs it, so the image has it.
fn installs(stage: &Stage, end: usize, tool: &str) -> bool {
    stage.body[..end]
        .iter()
        .filter(|instruction| instruction.kind() == InstructionKind::Run)
        .any(|run| {
            run.logical()
                .text()
                .split(|c: char| c.is_whitespace() || c == ';' || c == '&')
                .any(|word| word == tool)
        })
}
