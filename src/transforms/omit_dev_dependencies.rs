#![doc = include_str!("../../transforms/omit-dev-dependencies/README.md")]

use std::rc::Rc;

use crate::engine::{Context, Fix, Safety, Transform};
use crate::paths::last_component;
use crate::shell::Script;
use crate::shell::packages::{self, Manager, PackageCommand};
use crate::syntax::{Dockerfile, InstructionKind, Stage};
use crate::transforms::run_body;

pub struct OmitDevDependencies;

const ID: &str = "omit-dev-dependencies";

/// npm options that already choose which dependency types to install, or
/// make the install something else than the project's own.
const CHOOSES_TYPES: &[&str] = &[
    "--omit",
    "--production",
    "--only",
    "--include",
    "--dev",
    "-D",
    "--save-dev",
    "-g",
    "--global",
    "--prefix",
];

/// Root-package scripts npm runs during `npm ci`/`npm install`: they often
/// call a devDependency (`husky install`, `tsc`).
const INSTALL_HOOKS: &[&str] = &[
    "preinstall",
    "install",
    "postinstall",
    "prepublish",
    "preprepare",
    "prepare",
    "postprepare",
];

/// Requirement file names that say "development" or "test".
fn is_dev_requirements(name: &str) -> bool {
    let name = last_component(name).to_ascii_lowercase();
    name.ends_with(".txt")
        && ["dev", "test", "lint", "ci"]
            .iter()
            .any(|word| name.split(['-', '_', '.']).any(|part| part == *word))
}

impl Transform for OmitDevDependencies {
    fn id(&self) -> &'static str {
        ID
    }

    fn summary(&self) -> &'static str {
        "npm installs in a stage that ships and never builds leave out devDependencies (--omit=dev)"
    }

    fn safety(&self) -> Safety {
        Safety::Unsafe
    }

    fn docs(&self) -> &'static str {
        include_str!("../../transforms/omit-dev-dependencies/README.md")
    }

    fn edits_shell(&self) -> bool {
        true
    }

    fn fixes(&self, file: &Dockerfile, context: &Context) -> Vec<Fix> {
        let stages = file.stages();
        let shipping = shipping_family(&stages);
        let family: Vec<&Stage> = stages
            .iter()
            .filter(|s| shipping.contains(&s.index))
            .collect();
        // Facts of the whole shipping family, worked out once, when the
        // first plain npm install asks.
        let mut family_allows: Option<Result<(), String>> = None;
        let mut fixes = Vec::new();
        for stage in &family {
            for script in scripts_of(file, stage) {
                for command in packages::package_commands(&script) {
                    report_left_alone(&command, context);
                    if !is_plain_npm_install(&command) {
                        continue;
                    }
                    let allows = family_allows.get_or_insert_with(|| {
                        never_builds(file, &family)
                            .and_then(|()| no_production_env(file, &family))
                            .and_then(|()| hooks_and_command_need_no_dev(&stages, context))
                    });
                    if let Err(reason) = allows {
                        context.skip(ID, command.command.range.start, reason.clone());
                        continue;
                    }
                    let Some(subcommand) = command.subcommand_word else {
                        continue;
                    };
                    fixes.push(Fix::unsafe_(
                        format!(
                            "add --omit=dev to `npm {}`: the stage ships and never builds, so devDependencies only take space (unsafe: the application may still load a devDependency at run time)",
                            command.subcommand.unwrap_or("install")
                        ),
                        vec![run_body::insert_after_word(subcommand, "--omit=dev")],
                    ));
                }
            }
        }
        fixes
    }
}

/// The final stage and the stages it is built `FROM`, by index.
fn shipping_family(stages: &[Stage]) -> Vec<usize> {
    stages
        .last()
        .map(|last| last.lineage(stages).iter().map(|s| s.index).collect())
        .unwrap_or_default()
}

fn scripts_of(file: &Dockerfile, stage: &Stage) -> Vec<Rc<Script>> {
    stage
        .body
        .iter()
        .filter(|i| i.kind() == InstructionKind::Run && !i.is_error())
        .flat_map(|run| Script::all_of_run(file, run))
        .collect()
}

/// `npm ci`, or `npm install` of the project (no package names), that does
/// not already choose dependency types.
fn is_plain_npm_install(command: &PackageCommand) -> bool {
    command.manager == Manager::Npm
        && matches!(command.subcommand, Some("ci" | "install" | "i"))
        && command.operands().is_empty()
        && !command.has_option(CHOOSES_TYPES)
}

/// Installs the transform does not change but reports (`-v`): Yarn's own
/// production switch, and Python development requirements.
fn report_left_alone(command: &PackageCommand, context: &Context) {
    let at = command.command.range.start;
    match (command.manager, command.subcommand) {
        (Manager::Yarn, None | Some("install")) if !command.has_option(&["--production"]) => {
            context.skip(
                ID,
                at,
                "a yarn install in a shipping stage installs devDependencies; left alone (`yarn install --production` differs between Yarn 1 and 2+)",
            );
        }
        (Manager::Pip, Some("install")) => {
            let args: Vec<&str> = command.args.iter().flatten().copied().collect();
            let dev_files: Vec<&str> = args
                .windows(2)
                .filter(|pair| matches!(pair[0], "-r" | "--requirement"))
                .map(|pair| pair[1])
                .filter(|name| is_dev_requirements(name))
                .collect();
            if !dev_files.is_empty() {
                context.skip(
                    ID,
                    at,
                    format!(
                        "installs development requirements ({}) into a shipping stage; left alone: only you know whether the image needs them",
                        dev_files.join(", ")
                    ),
                );
            }
        }
        _ => {}
    }
}

/// Build steps need devDependencies (bundlers, compilers, test runners): a
/// stage family that runs any package script, `npx`, yarn or pnpm, or node
/// itself in a `RUN`, keeps them.
fn never_builds(file: &Dockerfile, family: &[&Stage]) -> Result<(), String> {
    for stage in family {
        for script in scripts_of(file, stage) {
            for (command, _) in script.simple_commands() {
                let Some(program) = command.program() else {
                    continue;
                };
                let words: Vec<String> = command
                    .words
                    .iter()
                    .map(|word| word.literal().unwrap_or_default())
                    .collect();
                let npm_use = program == "npm"
                    && !matches!(
                        words.get(1).map(String::as_str),
                        Some("ci" | "install" | "i" | "cache" | "config" | "set" | "prune")
                    );
                if npm_use || matches!(program, "npx" | "yarn" | "pnpm" | "node" | "tsc" | "bun") {
                    return Err(format!(
                        "a RUN of the shipping stages runs `{}`, which may need devDependencies",
                        words[..words.len().min(3)].join(" ")
                    ));
                }
            }
        }
        if stage
            .body
            .iter()
            .any(|i| i.kind() == InstructionKind::Onbuild)
        {
            return Err("the stage has ONBUILD triggers, which may build in a child image".into());
        }
    }
    Ok(())
}

/// With `NODE_ENV=production` npm already leaves devDependencies out.
fn no_production_env(file: &Dockerfile, family: &[&Stage]) -> Result<(), String> {
    let production = family.iter().flat_map(|stage| &stage.body).any(|i| {
        matches!(i.kind(), InstructionKind::Env | InstructionKind::Arg)
            && i.key_values(file.escape()).into_iter().any(|kv| {
                kv.key == "NODE_ENV"
                    && kv.value.as_deref().map(|v| v.trim_matches('"')) == Some("production")
            })
    });
    if production {
        Err("NODE_ENV=production is set: npm already leaves devDependencies out".into())
    } else {
        Ok(())
    }
}

/// With a build context: no install hook of the root package, and nothing
/// the container runs (directly, or through `npm start`/`npm run NAME`)
/// names a devDependency.
fn hooks_and_command_need_no_dev(stages: &[Stage], context: &Context) -> Result<(), String> {
    let Some(manifest) = context
        .build_context
        .and_then(|build| build.read("package.json"))
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
    else {
        return Ok(());
    };
    let scripts = manifest.get("scripts").and_then(|s| s.as_object());
    if let Some(hook) = INSTALL_HOOKS
        .iter()
        .find(|hook| scripts.is_some_and(|s| s.contains_key(**hook)))
    {
        return Err(format!(
            "package.json has a `{hook}` script, which npm runs during the install and may need devDependencies"
        ));
    }
    let dev: Vec<&String> = manifest
        .get("devDependencies")
        .and_then(|d| d.as_object())
        .map(|d| d.keys().collect())
        .unwrap_or_default();
    let Some(last) = stages.last() else {
        return Ok(());
    };
    let mut runs = String::new();
    for instruction in &last.body {
        if matches!(
            instruction.kind(),
            InstructionKind::Cmd | InstructionKind::Entrypoint | InstructionKind::Healthcheck
        ) {
            runs.push_str(instruction.args());
            runs.push(' ');
        }
    }
    // `npm start`, `npm run NAME`: the script's text counts too.
    if let Some(scripts) = scripts {
        for (name, text) in scripts {
            let runs_it = runs.contains(&format!("npm\", \"run\", \"{name}\""))
                || runs.contains(&format!("npm run {name}"))
                || (name == "start"
                    && (runs.contains("npm start") || runs.contains("\"npm\", \"start\"")));
            if runs_it && let Some(text) = text.as_str() {
                runs.push_str(text);
            }
        }
    }
    let words: Vec<&str> = runs
        .split(|c: char| {
            c.is_whitespace() || matches!(c, '"' | '[' | ']' | ',' | '\'' | ';' | '&' | '|')
        })
        .filter(|w| !w.is_empty())
        .collect();
    if let Some(name) = dev.iter().find(|name| {
        let bin = last_component(name);
        words.iter().any(|w| *w == bin || *w == name.as_str())
    }) {
        return Err(format!(
            "the container runs `{name}`, a devDependency in package.json"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn development_requirement_files() {
        for name in [
            "requirements-dev.txt",
            "dev-requirements.txt",
            "requirements/test.txt",
            "requirements_ci.txt",
        ] {
            assert!(is_dev_requirements(name), "{name}");
        }
        for name in [
            "requirements.txt",
            "devices.txt",
            "requirements/prod.txt",
            "latest.txt",
        ] {
            assert!(!is_dev_requirements(name), "{name}");
        }
    }
}
