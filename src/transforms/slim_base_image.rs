#![doc = include_str!("../../transforms/slim-base-image/README.md")]

use std::collections::HashSet;

use crate::base_images::{self, BaseImage, BaseImageMap, Sizes, TagRule};
use crate::config::Preference;
use crate::engine::{Context, Edit, Fix, Safety, Transform};
use crate::shell::Script;
use crate::shell::packages::{self, Manager};
use crate::syntax::image_ref::ImageRef;
use crate::syntax::{Dockerfile, Instruction, InstructionKind, Stage};

pub struct SlimBaseImage;

impl Transform for SlimBaseImage {
    fn id(&self) -> &'static str {
        "slim-base-image"
    }

    fn summary(&self) -> &'static str {
        "Swap FROM images for their slim variants (same distribution), keeping the pinned version"
    }

    fn safety(&self) -> Safety {
        Safety::Safe
    }

    fn docs(&self) -> &'static str {
        include_str!("../../transforms/slim-base-image/README.md")
    }

    fn fixes(&self, file: &Dockerfile, context: &Context) -> Vec<Fix> {
        let map = context.settings.base_images();
        let prefer_alpine = context.settings.slim_base_image.prefer == Preference::Alpine;
        let stages = file.stages();
        let lockfile = context
            .build_context
            .and_then(|build| build.read("package-lock.json"));
        let arg_defaults = global_arg_defaults(file);
        stages
            .iter()
            .filter(|stage| version_variable_is_a_version(stage, &arg_defaults))
            .filter_map(|stage| {
                fix_for_stage(
                    file,
                    &stages,
                    stage,
                    map,
                    prefer_alpine,
                    lockfile.as_deref(),
                )
            })
            .collect()
    }
}

/// Defaults of the `ARG`s declared before the first `FROM`.
fn global_arg_defaults(file: &Dockerfile) -> Vec<(String, Option<String>)> {
    file.global_instructions()
        .iter()
        .filter(|instruction| instruction.kind() == InstructionKind::Arg)
        .flat_map(|instruction| instruction.key_values(file.escape()))
        .map(|pair| (pair.key, pair.value))
        .collect()
}

/// A tag that starts with a variable is only mapped when the variable is a
/// version: its default starts with a digit (`ARG PY=3.12`). `node:${TAG}`
/// with `TAG=latest` could hold any tag.
fn version_variable_is_a_version(stage: &Stage, defaults: &[(String, Option<String>)]) -> bool {
    let Some(tag) = stage
        .from
        .as_from()
        .and_then(|from| from.image_ref())
        .and_then(|image| image.tag)
    else {
        return true;
    };
    let Some(first) = tag.split('-').next().filter(|word| word.starts_with('$')) else {
        return true;
    };
    let name = first
        .trim_start_matches('$')
        .trim_start_matches('{')
        .trim_end_matches('}');
    defaults
        .iter()
        .rev()
        .find(|(key, _)| key == name)
        .and_then(|(_, value)| value.as_deref())
        .is_some_and(|value| value.starts_with(|c: char| c.is_ascii_digit()))
}

/// Which stages a stage's image reaches: itself and every stage built
/// `FROM` it, directly or not.
pub(crate) fn family<'s>(stages: &'s [Stage], stage: &'s Stage) -> Vec<&'s Stage> {
    let mut members = vec![stage];
    for candidate in &stages[stage.index + 1..] {
        let base = candidate
            .from
            .as_from()
            .and_then(|from| from.image())
            .map(|(image, _)| image.to_ascii_lowercase());
        if members
            .iter()
            .any(|member| member.name().is_some() && member.name() == base)
        {
            members.push(candidate);
        }
    }
    members
}

/// True when the stage's files end up in the final image: it is the final
/// stage or the final stage is built `FROM` it.
fn ships(stages: &[Stage], stage: &Stage) -> bool {
    stages.last().is_some_and(|last| {
        family(stages, stage)
            .iter()
            .any(|member| member.index == last.index)
    })
}

/// What a stage (and the stages built from it) runs and installs.
#[derive(Debug, Default)]
struct Usage {
    /// Every word of every command, by its last path component.
    words: HashSet<String>,
    /// The command text, blanks collapsed, to find `dotnet build`-style phrases.
    text: String,
    /// Packages installed with apt, apk, yum, dnf, and the tools they bring.
    installed: HashSet<String>,
}

impl Usage {
    fn of(file: &Dockerfile, stages: &[&Stage]) -> Self {
        let mut usage = Usage::default();
        for instruction in stages.iter().flat_map(|stage| stage.body.iter()) {
            let texts: Vec<String> = match instruction.kind() {
                InstructionKind::Run => {
                    usage.learn_installs(file, instruction);
                    let mut texts = vec![instruction.args()];
                    texts.extend(instruction.heredocs().into_iter().map(|h| h.body));
                    texts
                }
                InstructionKind::Cmd
                | InstructionKind::Entrypoint
                | InstructionKind::Healthcheck => match instruction.json_args() {
                    Some(words) => vec![words.join(" ")],
                    None => vec![instruction.args()],
                },
                _ => Vec::new(),
            };
            for text in texts {
                for word in text.split(|c: char| c.is_whitespace() || ";&|()<>\"'`=,".contains(c)) {
                    let word = word.trim_start_matches('$');
                    if !word.is_empty() {
                        usage
                            .words
                            .insert(word.rsplit('/').next().unwrap_or(word).to_string());
                        usage.words.insert(word.to_string());
                    }
                }
                usage.text.push(' ');
                usage
                    .text
                    .push_str(&text.split_whitespace().collect::<Vec<_>>().join(" "));
            }
        }
        usage
    }

    fn learn_installs(&mut self, file: &Dockerfile, run: &Instruction) {
        let mut scripts: Vec<Script> = Script::of_run(file, run).into_iter().collect();
        scripts.extend(Script::heredoc_scripts(file, run));
        for script in &scripts {
            for command in packages::package_commands(script) {
                let installs = matches!(
                    (command.manager, command.subcommand.as_deref()),
                    (Manager::Apt, Some("install"))
                        | (Manager::Apk, Some("add"))
                        | (
                            Manager::Yum | Manager::Dnf | Manager::Microdnf | Manager::Zypper,
                            Some("install" | "in")
                        )
                );
                if !installs {
                    continue;
                }
                for package in command.operands() {
                    let package = package
                        .split(['=', ':'])
                        .next()
                        .unwrap_or_default()
                        .to_string();
                    let provides: &[&str] = match package.as_str() {
                        "build-essential" | "build-base" => {
                            &["gcc", "g++", "cc", "c++", "make", "libc-dev", "dpkg-dev"]
                        }
                        "openssh-client" => &["ssh", "scp"],
                        "gnupg" | "gnupg2" => &["gpg"],
                        "procps" => &["ps"],
                        "xz-utils" => &["xz"],
                        "python3" => &["python", "python3"],
                        _ => &[],
                    };
                    self.installed
                        .extend(provides.iter().map(|tool| tool.to_string()));
                    self.installed.insert(package);
                }
            }
        }
    }

    fn uses(&self, tool: &str) -> bool {
        if tool.contains(' ') {
            return self.text.contains(tool);
        }
        self.words.contains(tool)
    }

    fn has_compilers(&self) -> bool {
        ["gcc", "make"]
            .iter()
            .all(|tool| self.installed.contains(*tool))
    }
}

fn size_note(from: &ImageRef, to: &ImageRef, before: Option<u32>, after: Option<u32>) -> String {
    match (before, after) {
        (Some(before), Some(after)) if before > after => format!(
            "{from} -> {to}: about {} MB smaller (~{before} -> {after} MB compressed, per the base-image map)",
            before - after
        ),
        _ => format!("{from} -> {to}"),
    }
}

fn fix_for_stage(
    file: &Dockerfile,
    stages: &[Stage],
    stage: &Stage,
    map: &BaseImageMap,
    prefer_alpine: bool,
    lockfile: Option<&str>,
) -> Option<Fix> {
    let from = stage.from.as_from()?;
    let (written, range) = from.image()?;
    let image = ImageRef::parse(&written);
    let names_earlier_stage = stages[..stage.index]
        .iter()
        .any(|earlier| earlier.name().as_deref() == Some(&written.to_ascii_lowercase()));
    if image.digest.is_some()
        || image.is_scratch()
        || names_earlier_stage
        || image.registry.as_deref().is_some_and(|r| r.contains('$'))
        || image.path.contains('$')
        || base_images::is_already_small(&image)
    {
        return None;
    }
    let (_, entry) = map.lookup(&image)?;
    if entry.builder_only {
        return None;
    }
    let members = family(stages, stage);
    let usage = Usage::of(file, &members);
    let shipped = ships(stages, stage);

    let use_alpine = prefer_alpine || entry.slim.is_none();
    if use_alpine {
        return alpine_fix(entry, map, &image, &usage, range);
    }
    let rule: &TagRule = entry.slim.as_ref()?;
    let target = rule.apply(&image)?;
    let missing: Vec<&str> = map
        .lacks(entry)
        .into_iter()
        .filter(|tool| usage.uses(tool) && !usage.installed.contains(*tool))
        .collect();
    let native: Vec<&str> = entry
        .native_installers
        .iter()
        .map(String::as_str)
        .filter(|installer| usage.uses(installer))
        .filter(|installer| {
            !(matches!(*installer, "npm" | "npx")
                && lockfile.is_some_and(|lock| !lock.contains("\"hasInstallScript\": true")))
        })
        .collect();
    let native = if usage.has_compilers() {
        Vec::new()
    } else {
        native
    };
    let note = size_note(&image, &target, entry.sizes.full, entry.sizes.slim);
    let edit = vec![Edit::replace(range, target.to_string())];
    if missing.is_empty() && native.is_empty() {
        return Some(Fix::safe(
            format!("use the slim variant (same distribution and libc): {note}"),
            edit,
        ));
    }
    if !shipped {
        // A builder needs its tools more than a smaller download.
        return None;
    }
    let mut reasons = Vec::new();
    if !missing.is_empty() {
        reasons.push(format!(
            "the stage uses {}, which the slim variant lacks",
            missing.join(", ")
        ));
    }
    if !native.is_empty() {
        reasons.push(format!(
            "`{}` may compile native code, and the slim variant has no compilers",
            native.join("`, `")
        ));
    }
    Some(Fix::unsafe_(
        format!(
            "use the slim variant: {note} (unsafe: {})",
            reasons.join("; ")
        ),
        edit,
    ))
}

/// Programs whose presence rules Alpine out: Debian package tools, binary
/// downloads (usually glibc builds) and installers that may build native code.
const ALPINE_BLOCKERS: &[&str] = &[
    "apt-get",
    "apt",
    "dpkg",
    "curl",
    "wget",
    "pip",
    "pip3",
    "pipenv",
    "poetry",
    "uv",
    "npm",
    "npx",
    "yarn",
    "pnpm",
    "gem",
    "bundle",
    "cargo",
    "go",
    "composer",
    "pecl",
    "docker-php-ext-install",
    "gcc",
    "make",
];

fn alpine_fix(
    entry: &BaseImage,
    map: &BaseImageMap,
    image: &ImageRef,
    usage: &Usage,
    range: std::ops::Range<usize>,
) -> Option<Fix> {
    let rule = entry.alpine.as_ref()?;
    let target = rule.apply(image)?;
    let blocked = ALPINE_BLOCKERS.iter().any(|tool| usage.uses(tool))
        || map
            .lacks(entry)
            .into_iter()
            .any(|tool| usage.uses(tool) && !usage.installed.contains(tool));
    if blocked {
        return None;
    }
    let Sizes { full, alpine, .. } = entry.sizes;
    Some(Fix::unsafe_(
        format!(
            "use the Alpine variant: {} (unsafe: Alpine has musl instead of glibc and apk instead of apt; programs and libraries built for glibc may not run)",
            size_note(image, &target, full, alpine)
        ),
        vec![Edit::replace(range, target.to_string())],
    ))
}
