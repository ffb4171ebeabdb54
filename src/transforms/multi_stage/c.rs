//! C and C++: one program compiled and linked in the stage (`gcc -o OUT`),
//! copied alone into a fresh copy of the base image (its slim variant when
//! it has one), with the Debian packages of the shared libraries it links
//! against. The compilers, headers and sources stay in the build stage.

use super::*;

/// Compiler drivers that link a program unless told to stop earlier.
const COMPILERS: &[&str] = &["gcc", "g++", "cc", "c++", "clang", "clang++"];

/// Folders on the default PATH of Debian and Ubuntu images, where a
/// program named without a path is found.
const PATH_DIRS: &[&str] = &[
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
];

/// `gcc`, `g++-12`, `clang-16`, `/usr/bin/cc`.
fn is_compiler(program: &str) -> bool {
    COMPILERS.iter().any(|compiler| {
        program == *compiler
            || program.strip_prefix(compiler).is_some_and(|version| {
                version.len() > 1
                    && version.starts_with('-')
                    && version[1..].chars().all(|c| c.is_ascii_digit() || c == '.')
            })
    })
}

/// The file a compiler command writes, when it links a program: `-o OUT`
/// or `-oOUT`, and none of `-c`, `-S`, `-E` (which stop before linking).
fn linked_output(words: &[String]) -> Option<&str> {
    if words
        .iter()
        .any(|word| matches!(word.as_str(), "-c" | "-S" | "-E" | "-shared"))
    {
        return None;
    }
    words.iter().enumerate().find_map(|(at, word)| {
        if word == "-o" {
            words.get(at + 1).map(String::as_str)
        } else {
            word.strip_prefix("-o").filter(|out| !out.is_empty())
        }
    })
}

pub(super) fn c<'f>(
    file: &Dockerfile,
    stage: &'f Stage,
    runtime: &Runtime,
    map: &BaseImageMap,
    image: &ImageRef,
    builder: &str,
) -> Analysis<Split<'f>> {
    let mut links = Vec::new();
    let runs = commands_of(file, stage);
    for (_, index, script) in &runs {
        let index = *index;
        for (command, _) in script.simple_commands() {
            if !command.program().is_some_and(is_compiler) {
                continue;
            }
            let words = command
                .literal_words()
                .ok_or("a compiler command uses variables or expansions")?;
            if let Some(output) = linked_output(&words) {
                links.push((index, output.to_string(), runs_cd(script)));
            }
        }
    }
    let [(index, output, moved)] = links.as_slice() else {
        return Err(format!(
            "{} compiler commands link a program; need exactly one",
            links.len()
        ));
    };
    if *moved {
        return Err("the program is linked after a `cd`: where it is written is not known".into());
    }
    // Read only once a program is found (most stages compile none).
    let mut apt_packages = Vec::new();
    for (_, _, script) in &runs {
        for command in packages::package_commands(script) {
            if command.manager == Manager::Apt && command.subcommand == Some("install") {
                apt_packages.extend(command.operands());
            }
        }
    }
    let binary = absolute(&known_dir(stage, *index)?, output);
    let command = final_command(stage);
    let program = command
        .first()
        .ok_or("no CMD or ENTRYPOINT runs the program")?;
    let runs_binary = if program.contains('/') {
        absolute(&known_dir(stage, stage.body.len())?, program) == binary
    } else {
        PATH_DIRS
            .iter()
            .any(|dir| format!("{dir}/{program}") == binary)
    };
    if !runs_binary {
        return Err(format!(
            "the container runs `{program}`, not the compiled {binary}"
        ));
    }
    check_healthcheck_tools(stage)?;
    let runtime_image = match slim_of(map, image) {
        Some(slim) if runtime.image.contains("{slim}") => runtime.image.replace("{slim}", &slim),
        // Already slim (debian:bookworm-slim), or no slim variant (ubuntu):
        // a fresh copy of the same image, without what the stage installed.
        _ => builder.to_string(),
    };
    let packages_file = "/tmp/dockfix-runtime-packages";
    let (list_packages, install_packages) =
        runtime_package_lines(&format!("ldd {binary}"), packages_file);
    let left_behind = left_behind_with_libraries(
        "the compilers, headers and sources",
        &apt_packages,
        "the program",
    );
    Ok(Split {
        stage,
        ecosystem: "C/C++",
        runtime_image,
        runtime: runtime.clone(),
        builder_image: builder.to_string(),
        artefacts: vec![(binary.clone(), binary)],
        runtime_lines: vec![
            format!("COPY --from={{build}} {packages_file} {packages_file}"),
            install_packages,
        ],
        builder_edits: Vec::new(),
        builder_tail: vec![list_packages],
        static_site: false,
        shell_free: false,
        non_root_user: None,
        left_behind,
        config_notes: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn compilers_by_name_and_version() {
        for program in ["gcc", "g++", "cc", "clang++", "gcc-12", "clang-16.0"] {
            assert!(is_compiler(program), "{program}");
        }
        for program in ["gccgo", "gcc-ar", "ccache", "c++filt", "make"] {
            assert!(!is_compiler(program), "{program}");
        }
    }

    #[test]
    fn only_linking_commands_name_an_output() {
        assert_eq!(
            linked_output(&words("gcc -O2 -o /usr/local/bin/hello hello.c")),
            Some("/usr/local/bin/hello")
        );
        assert_eq!(linked_output(&words("g++ main.cpp -oapp")), Some("app"));
        assert_eq!(linked_output(&words("gcc -c -o hello.o hello.c")), None);
        assert_eq!(linked_output(&words("gcc -shared -o libx.so x.c")), None);
        assert_eq!(linked_output(&words("gcc hello.c")), None);
    }
}
