//! Python: a virtualenv (and the app), run by the slim Python image, with the
//! Debian packages of the shared libraries the virtualenv links against.

use super::*;

pub(super) fn python<'f>(
    file: &Dockerfile,
    stage: &'f Stage,
    runtime: &Runtime,
    map: &BaseImageMap,
    image: &ImageRef,
    builder: &str,
) -> Analysis<Split<'f>> {
    let mut first_pip = None;
    let mut apt_packages = Vec::new();
    let mut venv_created = None;
    for (run, index, script) in commands_of(file, stage) {
        if venv_created.is_none() {
            venv_created = venv_made_by(&script);
        }
        for command in packages::package_commands(&script) {
            if command.manager == Manager::Pip && command.subcommand == Some("install") {
                if command.has_option(&["--user", "--target", "-t", "--prefix", "--root"]) {
                    return Err(
                        "pip installs outside the environment (--user/--target/--prefix)".into(),
                    );
                }
                if command.program_word.raw.starts_with('/') {
                    return Err("pip is called by absolute path, past the virtualenv".into());
                }
                first_pip.get_or_insert((run, index));
            }
            if command.manager == Manager::Apt && command.subcommand == Some("install") {
                apt_packages.extend(command.operands());
            }
        }
    }
    let (first_run, _) = first_pip.ok_or("no `pip install` to move into a virtualenv")?;
    let app_dir = known_dir(stage, stage.body.len())?;
    if app_dir == "/" {
        return Err("the application directory is /".into());
    }
    check_healthcheck_tools(stage)?;
    let slim =
        slim_of(map, image).ok_or("the builder image is already slim or has no slim variant")?;
    let existing_venv = stage.body.iter().find_map(|i| {
        (i.kind() == InstructionKind::Env)
            .then(|| {
                i.key_values(file.escape())
                    .into_iter()
                    .find(|kv| kv.key == "VIRTUAL_ENV")
                    .and_then(|kv| kv.value)
            })
            .flatten()
    });
    if !runtime.image.contains("{slim}") {
        // The runtime libraries are carried with apt (below): a Debian slim
        // variant of the builder has it; another runtime image may not.
        return Err("the Python runtime image is not the builder's slim variant".into());
    }
    let mut config_notes = Vec::new();
    let (venv, builder_edits, mut runtime_lines) = match existing_venv.or(venv_created) {
        Some(venv) if !venv.contains('$') => (venv, Vec::new(), Vec::new()),
        Some(_) => return Err("the virtualenv's path uses a variable".into()),
        None => {
            let venv = "/opt/venv".to_string();
            let indent = first_run.indentation();
            let newline = first_run.newline_style();
            let (keyword_run, keyword_env) =
                if first_run.keyword().chars().all(|c| c.is_ascii_lowercase()) {
                    ("run", "env")
                } else {
                    ("RUN", "ENV")
                };
            let venv_lines = format!(
                "{indent}{keyword_run} python -m venv {venv}{newline}{indent}{keyword_env} PATH=\"{venv}/bin:$PATH\"{newline}"
            );
            config_notes.push(format!("ENV PATH starts with {venv}/bin in both stages"));
            (
                venv.clone(),
                vec![Edit::insert(first_run.range().start, venv_lines)],
                vec![format!("ENV PATH=\"{venv}/bin:$PATH\"")],
            )
        }
    };
    // Compiled extensions link against libraries of the full image (its
    // -dev packages, or ones the stage installed with apt) that the slim
    // runtime lacks: `import psycopg2` fails on a missing libpq.so.5. The
    // build stage lists the Debian packages owning every library the
    // virtualenv and the application link against; the runtime stage
    // installs the ones it does not have.
    let packages_file = format!("{venv}/.dockfix-runtime-packages");
    let library_search = if app_dir == venv {
        venv.clone()
    } else {
        format!("{venv} {app_dir}")
    };
    let (list_packages, install_packages) = runtime_package_lines(
        &format!(r#"find {library_search} -name "*.so*" -type f -exec ldd {{}} +"#),
        &packages_file,
    );
    runtime_lines.push(install_packages);
    let left_behind = left_behind_with_libraries(
        "compilers and headers of the full image",
        &apt_packages,
        "the virtualenv",
    );
    Ok(Split {
        stage,
        ecosystem: "Python",
        runtime_image: runtime.image.replace("{slim}", &slim),
        runtime: runtime.clone(),
        builder_image: builder.to_string(),
        artefacts: vec![(venv.clone(), venv), (app_dir.clone(), app_dir)],
        runtime_lines,
        builder_edits,
        builder_tail: vec![list_packages],
        static_site: false,
        shell_free: false,
        non_root_user: None,
        left_behind,
        config_notes,
    })
}

/// The directory of a virtualenv the stage makes (`python -m venv DIR`,
/// `virtualenv DIR`), when it is a literal absolute path.
pub(super) fn venv_made_by(script: &Script) -> Option<String> {
    script.simple_commands().iter().find_map(|(command, _)| {
        let words: Vec<String> = command
            .words
            .iter()
            .map(|word| word.literal().unwrap_or_default())
            .collect();
        let program = command.program()?;
        let rest = if program.starts_with("python") {
            let module = words.iter().position(|w| w == "-m")?;
            (words.get(module + 1)? == "venv").then(|| &words[module + 2..])?
        } else if program == "virtualenv" {
            &words[1..]
        } else {
            return None;
        };
        rest.iter()
            .find(|w| !w.starts_with('-'))
            .filter(|dir| dir.starts_with('/'))
            .map(|dir| dir.trim_end_matches('/').to_string())
    })
}
