//! Package-manager commands in a script: `apt-get install`, `apk add`,
//! `pip install`, `npm ci`, ... recognised once, here, for every transform.

use super::{CommandContext, Script, SimpleCommand, Word};

/// The package managers transforms know about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Manager {
    /// `apt-get` and `apt`.
    Apt,
    Apk,
    Yum,
    Dnf,
    Microdnf,
    Zypper,
    /// `pip`, `pip3`, `pip3.12`, `python -m pip`.
    Pip,
    Npm,
    Yarn,
    Pnpm,
    Gem,
    Bundle,
    Composer,
}

impl Manager {
    /// The operating system's package managers (as opposed to a language's).
    pub fn is_system(self) -> bool {
        matches!(
            self,
            Manager::Apt
                | Manager::Apk
                | Manager::Yum
                | Manager::Dnf
                | Manager::Microdnf
                | Manager::Zypper
        )
    }
}

/// One invocation of a package manager.
#[derive(Debug, Clone)]
pub struct PackageCommand<'s> {
    pub manager: Manager,
    /// The first non-option argument after the program (`install`, `add`,
    /// `update`, `ci`); `None` for e.g. a bare `yarn`.
    pub subcommand: Option<&'s str>,
    /// The word holding the subcommand (to insert flags right after it).
    pub subcommand_word: Option<&'s Word>,
    /// The word naming the program (`apt-get`, or `pip` in `python -m pip`).
    pub program_word: &'s Word,
    /// Literal arguments after the subcommand, options included.
    pub args: Vec<Option<&'s str>>,
    /// Literal options anywhere after the program (before or after the
    /// subcommand).
    pub options: Vec<&'s str>,
    pub command: &'s SimpleCommand,
    pub context: CommandContext,
}

impl PackageCommand<'_> {
    pub fn has_option(&self, names: &[&str]) -> bool {
        self.options.iter().any(|option| {
            names.iter().any(|name| {
                option
                    .strip_prefix(name)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('='))
            })
        })
    }

    /// True when a short-option cluster contains `letter` (`-qy` has `y`).
    pub fn has_short_flag(&self, letter: char) -> bool {
        self.options.iter().any(|option| {
            !option.starts_with("--") && option.starts_with('-') && option[1..].contains(letter)
        })
    }

    /// Non-option arguments after the subcommand (package names).
    pub fn operands(&self) -> Vec<String> {
        let mut operands = Vec::new();
        let mut skip_next = false;
        for arg in self.args.iter() {
            let Some(arg) = arg else { continue };
            if skip_next {
                skip_next = false;
                continue;
            }
            if arg.starts_with('-') {
                skip_next = option_takes_value(self.manager, arg);
                continue;
            }
            operands.push(arg.to_string());
        }
        operands
    }
}

/// Options that consume the next word as their value.
fn option_takes_value(manager: Manager, option: &str) -> bool {
    if option.contains('=') {
        return false;
    }
    let with_value: &[&str] = match manager {
        Manager::Apt => &[
            "-o",
            "-c",
            "-t",
            "--option",
            "--config-file",
            "--target-release",
        ],
        Manager::Apk => &[
            "-X",
            "--repository",
            "-t",
            "--virtual",
            "-p",
            "--root",
            "--arch",
            "--cache-dir",
        ],
        Manager::Yum | Manager::Dnf | Manager::Microdnf => &[
            "--setopt",
            "--enablerepo",
            "--disablerepo",
            "--installroot",
            "--releasever",
            "-c",
            "--config",
            "--exclude",
            "-x",
            "--repo",
            "--repoid",
        ],
        Manager::Zypper => &["--root", "-R", "--repo", "-r", "--from"],
        Manager::Pip => &[
            "-r",
            "--requirement",
            "-c",
            "--constraint",
            "-e",
            "--editable",
            "-t",
            "--target",
            "--prefix",
            "--root",
            "-i",
            "--index-url",
            "--extra-index-url",
            "-f",
            "--find-links",
            "--src",
            "--platform",
            "--python-version",
            "--implementation",
            "--abi",
            "--trusted-host",
            "--cache-dir",
            "--progress-bar",
            "--upgrade-strategy",
            "--no-binary",
            "--only-binary",
            "--config-settings",
            "-C",
            "--global-option",
            "--log",
            "--proxy",
            "--retries",
            "--timeout",
            "--cert",
            "--client-cert",
            "--report",
        ],
        Manager::Npm | Manager::Pnpm => &[
            "--userconfig",
            "--globalconfig",
            "--prefix",
            "-C",
            "--registry",
            "--cache",
            "--workspace",
            "-w",
            "--filter",
        ],
        Manager::Yarn => &[
            "--cwd",
            "--modules-folder",
            "--cache-folder",
            "--network-timeout",
            "--registry",
            "--mutex",
        ],
        Manager::Gem => &[
            "-v",
            "--version",
            "-i",
            "--install-dir",
            "-n",
            "--bindir",
            "-s",
            "--source",
            "--platform",
        ],
        Manager::Bundle => &[
            "--path",
            "--without",
            "--with",
            "--gemfile",
            "--jobs",
            "-j",
            "--retry",
            "--deployment-path",
        ],
        Manager::Composer => &["-d", "--working-dir"],
    };
    with_value.contains(&option)
}

/// Programs that run the command given as their arguments.
const WRAPPERS: &[&str] = &[
    "sudo", "env", "nice", "nohup", "time", "command", "exec", "stdbuf", "ionice",
];

/// True when `option` of `wrapper` takes the next word as its value
/// (`sudo -u USER`, `env -u NAME`, `nice -n 10`), per their manuals.
fn wrapper_option_takes_value(wrapper: &str, option: &str) -> bool {
    let takes_value: &[&str] = match wrapper {
        "sudo" => &["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-T", "-U"],
        "env" => &["-u", "-C", "-S"],
        "nice" => &["-n"],
        "ionice" => &["-c", "-n", "-p", "-P", "-u"],
        "stdbuf" => &["-i", "-o", "-e"],
        _ => &[],
    };
    takes_value.contains(&option)
}

fn manager_of(program: &str) -> Option<Manager> {
    Some(match program {
        "apt-get" | "apt" => Manager::Apt,
        "apk" => Manager::Apk,
        "yum" => Manager::Yum,
        "dnf" => Manager::Dnf,
        "microdnf" => Manager::Microdnf,
        "zypper" => Manager::Zypper,
        "npm" => Manager::Npm,
        "yarn" => Manager::Yarn,
        "pnpm" => Manager::Pnpm,
        "gem" => Manager::Gem,
        "bundle" | "bundler" => Manager::Bundle,
        "composer" | "composer.phar" => Manager::Composer,
        _ if is_pip(program) => Manager::Pip,
        _ => return None,
    })
}

/// `pip`, `pip3`, `pip3.12`.
fn is_pip(program: &str) -> bool {
    program
        .strip_prefix("pip")
        .is_some_and(|version| version.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// `python`, `python3`, `python3.12`.
fn is_python(program: &str) -> bool {
    program
        .strip_prefix("python")
        .is_some_and(|version| version.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// Recognises a package-manager invocation in one simple command.
pub fn package_command(
    command: &SimpleCommand,
    context: CommandContext,
) -> Option<PackageCommand<'_>> {
    // Most commands are no package manager's: tell from the first word
    // before looking at the others.
    let first = command.words.first()?.literal_str()?;
    let first = super::last_component(first);
    if !WRAPPERS.contains(&first) && !is_python(first) && manager_of(first).is_none() {
        return None;
    }
    let literals: Vec<Option<&str>> = command.words.iter().map(Word::literal_str).collect();
    let basename = |index: usize| {
        literals
            .get(index)
            .copied()
            .flatten()
            .map(super::last_component)
    };
    let mut index = 0;
    // Skip wrappers and their options (`sudo -E`, `env A=b`).
    while let Some(program) = basename(index) {
        if !WRAPPERS.contains(&program) {
            break;
        }
        index += 1;
        while let Some(Some(word)) = literals.get(index) {
            if word.starts_with('-') || word.contains('=') {
                // `sudo -u postgres pip …`: the option's value is not the
                // program.
                index += if wrapper_option_takes_value(program, word) {
                    2
                } else {
                    1
                };
            } else {
                break;
            }
        }
    }
    let program = basename(index)?;
    let (manager, program_index) = if is_python(program) {
        // python -m pip ...
        let module_at = literals
            .iter()
            .skip(index + 1)
            .position(|word| word.as_deref() == Some("-m"))?
            + index
            + 1;
        if literals.get(module_at + 1)?.as_deref() != Some("pip") {
            return None;
        }
        (Manager::Pip, module_at + 1)
    } else {
        (manager_of(program)?, index)
    };
    let mut subcommand_index = None;
    let mut options = Vec::new();
    let mut skip_next = false;
    for (offset, word) in literals.iter().enumerate().skip(program_index + 1) {
        let Some(word) = word else {
            continue;
        };
        if skip_next {
            skip_next = false;
            continue;
        }
        if word.starts_with('-') {
            options.push(*word);
            skip_next = option_takes_value(manager, word);
            continue;
        }
        if subcommand_index.is_none() {
            subcommand_index = Some(offset);
        }
    }
    let args_from = subcommand_index.map_or(program_index + 1, |at| at + 1);
    Some(PackageCommand {
        manager,
        subcommand: subcommand_index.and_then(|at| literals[at]),
        subcommand_word: subcommand_index.map(|at| &command.words[at]),
        program_word: &command.words[program_index],
        args: literals.get(args_from..).unwrap_or_default().to_vec(),
        options,
        command,
        context,
    })
}

/// Every package-manager invocation in the script, in order.
pub fn package_commands(script: &Script) -> Vec<PackageCommand<'_>> {
    script
        .simple_commands()
        .into_iter()
        .filter_map(|(command, context)| package_command(command, context))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Dockerfile;

    fn commands_of(body: &str) -> Vec<(Manager, Option<String>, Vec<String>)> {
        let text = format!("FROM a\nRUN {body}\n");
        let file = Dockerfile::parse(&text);
        let run = file.instructions().nth(1).unwrap();
        let script = Script::of_run(&file, &run).unwrap();
        package_commands(&script)
            .into_iter()
            .map(|command| {
                (
                    command.manager,
                    command.subcommand.map(str::to_string),
                    command.operands(),
                )
            })
            .collect()
    }

    #[test]
    fn recognises_package_managers() {
        let found = commands_of(
            "apt-get update && sudo apt-get -o Dpkg::Options::=--force-confold install -y --no-install-recommends curl git",
        );
        assert_eq!(found[0], (Manager::Apt, Some("update".into()), vec![]));
        assert_eq!(
            found[1],
            (
                Manager::Apt,
                Some("install".into()),
                vec!["curl".into(), "git".into()]
            )
        );
        let found =
            commands_of("python3 -m pip install -r requirements.txt flask && pip3.12 install x");
        assert_eq!(
            found[0],
            (Manager::Pip, Some("install".into()), vec!["flask".into()])
        );
        assert_eq!(found[1].0, Manager::Pip);
        let found = commands_of("apk add --virtual .build-deps gcc && yarn && /usr/bin/npm ci");
        assert_eq!(
            found[0],
            (Manager::Apk, Some("add".into()), vec!["gcc".into()])
        );
        assert_eq!(found[1], (Manager::Yarn, None, vec![]));
        assert_eq!(found[2], (Manager::Npm, Some("ci".into()), vec![]));
        assert!(commands_of("echo apt-get install x").is_empty());
        assert!(commands_of("python setup.py install").is_empty());
        // A wrapper option's value is not the program.
        let found = commands_of(
            "sudo -u postgres pip install psycopg2 && nice -n 10 apt-get install -y curl",
        );
        assert_eq!(
            found[0],
            (
                Manager::Pip,
                Some("install".into()),
                vec!["psycopg2".into()]
            )
        );
        assert_eq!(
            found[1],
            (Manager::Apt, Some("install".into()), vec!["curl".into()])
        );
    }

    #[test]
    fn options() {
        let text = "FROM a\nRUN apt-get install -qy curl\n";
        let file = Dockerfile::parse(text);
        let run = file.instructions().nth(1).unwrap();
        let script = Script::of_run(&file, &run).unwrap();
        let commands = package_commands(&script);
        assert!(commands[0].has_short_flag('y'));
        assert!(!commands[0].has_option(&["--no-install-recommends"]));
        assert_eq!(
            &text[commands[0].subcommand_word.unwrap().range.clone()],
            "install"
        );
    }
}
