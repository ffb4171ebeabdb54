//! Node: the app with production dependencies on the slim image, or a static
//! front end served by the web server image.

use super::*;

/// Development servers: an image that runs one needs the whole toolchain.
pub(super) const DEV_SERVERS: &[&str] = &[
    "react-scripts start",
    "vite",
    "ng serve",
    "next dev",
    "nodemon",
    "vue-cli-service serve",
    "webpack serve",
    "webpack-dev-server",
    "nuxt dev",
    "gatsby develop",
    "parcel ",
    "ts-node-dev",
    "npm run dev",
    "yarn dev",
];

pub(super) fn node_app<'f>(
    file: &Dockerfile,
    stage: &'f Stage,
    context: &Context,
    map: &BaseImageMap,
    image: &ImageRef,
    builder: &str,
) -> Analysis<Split<'f>> {
    let package_json = context
        .build_context
        .and_then(|build| build.read("package.json").map(|text| (build, text)));
    let Some((build, manifest_text)) = package_json else {
        // Nothing tells which folder the build writes: the container's
        // command may still name the folder it serves.
        return static_site_from_command(file, stage, map, builder).inspect_err(|reason| {
            context.skip(
                "multi-stage",
                stage.from.text_range().start,
                format!(
                    "no package.json to read (no build context, or none at its root), and {reason}"
                ),
            )
        });
    };
    let manifest: serde_json::Value =
        serde_json::from_str(&manifest_text).map_err(|_| "package.json is not valid JSON")?;
    let scripts = manifest.get("scripts").and_then(|s| s.as_object());
    let script = |name: &str| {
        scripts
            .and_then(|s| s.get(name))
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let (build_at, manager) = build_step(file, stage).unzip();
    let build_index = build_at.ok_or("no `npm run build` (or yarn/pnpm) step")?;
    let dir = known_dir(stage, build_index)?;
    let command = final_command(stage);
    let mut runs = command.join(" ");
    if matches!(
        command.first().map(String::as_str),
        Some("npm" | "yarn" | "pnpm")
    ) {
        let name = if command.get(1).map(String::as_str) == Some("run") {
            command.get(2)
        } else {
            command.get(1)
        };
        if let Some(name) = name {
            runs = script(name);
        }
    }
    if let Some(dev) = DEV_SERVERS.iter().find(|dev| runs.contains(*dev)) {
        return Err(format!(
            "the container runs a development server (`{}`)",
            dev.trim()
        ));
    }
    let dependency = |name: &str| {
        ["dependencies", "devDependencies"].iter().any(|section| {
            manifest
                .get(section)
                .and_then(|deps| deps.get(name))
                .is_some()
        })
    };
    let serves_static = runs.starts_with("serve ")
        || runs.contains("npx serve")
        || runs.contains("http-server")
        || runs.is_empty();
    let words: Vec<&str> = runs.split_whitespace().collect();
    let node_file = (words.first() == Some(&"node"))
        .then(|| words.iter().skip(1).find(|w| !w.starts_with('-')))
        .flatten();
    if serves_static {
        let output = static_output(&manifest, build, dependency)?;
        if let Some(served) = served_folder(&words) {
            let plain = |dir: &str| {
                dir.trim_start_matches("./")
                    .trim_end_matches('/')
                    .to_string()
            };
            if plain(&served) != plain(&output) {
                return Err(format!(
                    "the build writes {output}/ but the container serves {served}/"
                ));
            }
        }
        let output = absolute(&dir, &output);
        return nginx_split(
            stage,
            map,
            builder,
            output,
            "Node.js, node_modules, the sources; the original CMD (nginx serves the files on port 80)".into(),
        );
    }
    let Some(node_file) = node_file else {
        return Err("the CMD/ENTRYPOINT runs neither a static server nor `node FILE`".into());
    };
    let output_dir = node_file
        .trim_start_matches("./")
        .split('/')
        .next()
        .filter(|_| node_file.contains('/'));
    let Some(output_dir) = output_dir else {
        return Err("the server file is not inside a build output folder".into());
    };
    if manager != Some(Manager::Npm) && manager != Some(Manager::Yarn) {
        return Err("production install for this package manager is not supported".into());
    }
    check_healthcheck_tools(stage)?;
    let runtime = map
        .runtimes
        .get("node-server")
        .ok_or("no node-server runtime in the map")?;
    let slim =
        slim_of(map, image).ok_or("the builder image is already slim or has no slim variant")?;
    let app_dir = known_dir(stage, stage.body.len())?;
    let mut artefacts = vec![(
        absolute(&dir, "package.json"),
        absolute(&app_dir, "package.json"),
    )];
    let (lock, install) = if manager == Some(Manager::Yarn) {
        (
            "yarn.lock",
            "RUN yarn install --frozen-lockfile --production && yarn cache clean".to_string(),
        )
    } else if build.exists("package-lock.json") {
        (
            "package-lock.json",
            format!("RUN npm ci --omit=dev && {NPM_CACHE_CLEAN}"),
        )
    } else {
        return Err("no lock file for a reproducible production install".into());
    };
    if !build.exists(lock) {
        return Err(format!("no {lock} in the build context"));
    }
    artefacts.push((absolute(&dir, lock), absolute(&app_dir, lock)));
    artefacts.push((absolute(&dir, output_dir), absolute(&app_dir, output_dir)));
    Ok(Split {
        stage,
        ecosystem: "Node (server)",
        runtime_image: runtime.image.replace("{slim}", &slim),
        runtime: runtime.clone(),
        builder_image: builder.to_string(),
        artefacts,
        runtime_lines: vec![install.to_string()],
        builder_edits: Vec::new(),
        builder_tail: Vec::new(),
        config_notes: Vec::new(),
        static_site: false,
        shell_free: false,
        non_root_user: Some("node"),
        left_behind: format!(
            "development dependencies, the sources and everything else outside {output_dir}/ (copy what the server reads at run time)"
        ),
    })
}

/// The last RUN that runs the package's build script (`npm run build`,
/// `yarn build`, `pnpm build`) from the WORKDIR, and its package manager.
fn build_step(file: &Dockerfile, stage: &Stage) -> Option<(usize, Manager)> {
    let mut found = None;
    for (_, index, script_ast) in commands_of(file, stage) {
        for command in packages::package_commands(&script_ast) {
            let runs_build = match (command.manager, command.subcommand) {
                (Manager::Npm | Manager::Pnpm, Some("run" | "run-script")) => command
                    .args
                    .first()
                    .and_then(|a| a.as_deref())
                    .is_some_and(|name| name.starts_with("build")),
                (Manager::Yarn | Manager::Pnpm, Some(name)) => name.starts_with("build"),
                _ => false,
            };
            if runs_build && !runs_cd(&script_ast) {
                found = Some((index, command.manager));
            }
        }
    }
    found
}

/// A static front end judged from the Dockerfile alone (standard input, or
/// a context without `package.json` at its root): the stage builds
/// (`npm run build`) and the container serves a folder it names with
/// `serve` or `http-server`. That folder, as the container saw it, is what
/// nginx gets: never a framework's usual folder guessed.
fn static_site_from_command<'f>(
    file: &Dockerfile,
    stage: &'f Stage,
    map: &BaseImageMap,
    builder: &str,
) -> Analysis<Split<'f>> {
    build_step(file, stage).ok_or("no `npm run build` (or yarn/pnpm build) step")?;
    let command = final_command(stage);
    let runs = command.join(" ");
    if let Some(dev) = DEV_SERVERS.iter().find(|dev| runs.contains(*dev)) {
        return Err(format!(
            "the container runs a development server (`{}`)",
            dev.trim()
        ));
    }
    let served = static_server_command::served_folder(&command)?;
    let serve_dir = known_dir(stage, stage.body.len())?;
    let output = absolute(&serve_dir, &served.folder);
    let mut left_behind = format!(
        "Node.js, node_modules, the sources; the original CMD (nginx serves {output}, the folder the container's `{}` served, on port 80 instead)",
        command.join(" ")
    );
    if served.single_page {
        left_behind.push_str(
            "; serve -s answered every path without a file with index.html, nginx's default configuration answers 404 (client-side routes need a try_files rule)",
        );
    }
    nginx_split(stage, map, builder, output, left_behind)
}

/// The split of a static site: the built folder `output` served by the
/// map's nginx runtime on port 80.
fn nginx_split<'f>(
    stage: &'f Stage,
    map: &BaseImageMap,
    builder: &str,
    output: String,
    left_behind: String,
) -> Analysis<Split<'f>> {
    let runtime = map
        .runtimes
        .get("node-static")
        .ok_or("no node-static runtime in the map")?;
    Ok(Split {
        stage,
        ecosystem: "Node (static site)",
        runtime_image: runtime.image.clone(),
        runtime: runtime.clone(),
        builder_image: builder.to_string(),
        artefacts: vec![(output, "/usr/share/nginx/html".into())],
        runtime_lines: vec!["EXPOSE 80".into()],
        builder_edits: Vec::new(),
        builder_tail: Vec::new(),
        config_notes: Vec::new(),
        static_site: true,
        shell_free: false,
        non_root_user: None,
        left_behind,
    })
}

/// The folder a front-end build writes, from the framework in package.json.
pub(super) fn static_output(
    manifest: &serde_json::Value,
    build: &BuildContext,
    dependency: impl Fn(&str) -> bool,
) -> Analysis<String> {
    let build_script = manifest
        .get("scripts")
        .and_then(|s| s.get("build"))
        .and_then(|b| b.as_str())
        .unwrap_or_default();
    if dependency("@angular/cli") || dependency("@angular-devkit/build-angular") {
        let angular: serde_json::Value = build
            .read("angular.json")
            .and_then(|text| serde_json::from_str(&text).ok())
            .ok_or("no angular.json")?;
        let projects = angular
            .get("projects")
            .and_then(|p| p.as_object())
            .ok_or("no projects in angular.json")?;
        let [(_, project)] = projects.iter().collect::<Vec<_>>()[..] else {
            return Err("several Angular projects".into());
        };
        let options = project
            .pointer("/architect/build/options")
            .ok_or("no build options")?;
        let output = options
            .get("outputPath")
            .and_then(|o| o.as_str())
            .ok_or("no outputPath")?;
        let application_builder = project
            .pointer("/architect/build/builder")
            .and_then(|b| b.as_str())
            .is_some_and(|b| b.ends_with(":application"));
        return Ok(if application_builder {
            format!("{output}/browser")
        } else {
            output.to_string()
        });
    }
    if dependency("next") {
        let config = ["next.config.js", "next.config.mjs", "next.config.ts"]
            .iter()
            .find_map(|f| build.read(f))
            .unwrap_or_default();
        if build_script.contains("next export")
            || config.contains("output: 'export'")
            || config.contains("output: \"export\"")
        {
            return Ok("out".into());
        }
        return Err("a Next.js app that is not a static export".into());
    }
    if dependency("vite") {
        // The command line wins over the config file, as in vite itself.
        if let Some(dir) = flag_value(build_script, "--outDir") {
            return Ok(dir);
        }
        let config = ["vite.config.js", "vite.config.ts", "vite.config.mjs"]
            .iter()
            .find_map(|f| build.read(f))
            .unwrap_or_default();
        if config.contains("outDir") {
            return quoted_after(&config, "outDir")
                .ok_or_else(|| "vite.config sets outDir to something not a plain string".into());
        }
        return Ok("dist".into());
    }
    if dependency("react-scripts") {
        return Ok("build".into());
    }
    if dependency("@vue/cli-service") || dependency("parcel") {
        return Ok("dist".into());
    }
    if dependency("gatsby") {
        return Ok("public".into());
    }
    Err("the front-end framework's output folder is not known".into())
}

/// The value of `--flag VALUE` or `--flag=VALUE` in a script line.
fn flag_value(script: &str, flag: &str) -> Option<String> {
    let words: Vec<&str> = script.split_whitespace().collect();
    words.iter().enumerate().find_map(|(at, word)| {
        if *word == flag {
            words.get(at + 1).map(|value| unquote(value))
        } else {
            word.strip_prefix(flag)
                .and_then(|rest| rest.strip_prefix('='))
                .map(unquote)
        }
    })
}

fn unquote(value: &str) -> String {
    value.trim_matches(['"', '\'']).to_string()
}

/// The string literal after `key` and a colon (`outDir: 'build'`) in a
/// config file; `None` when what follows is not a plain string.
fn quoted_after(text: &str, key: &str) -> Option<String> {
    let rest = &text[text.find(key)? + key.len()..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let quote = rest
        .chars()
        .next()
        .filter(|c| matches!(c, '\'' | '"' | '`'))?;
    let value = &rest[1..];
    let end = value.find(quote)?;
    let value = &value[..end];
    (!value.contains("${")).then(|| value.to_string())
}

/// The folder a static file server in the container's command serves:
/// the first operand of `serve` or `http-server` (`npx serve -s build`,
/// `http-server ./dist -p 8080`).
fn served_folder(words: &[&str]) -> Option<String> {
    const WITH_VALUE: &[&str] = &["-l", "--listen", "-p", "--port", "-a", "-c", "--config"];
    let server = words
        .iter()
        .position(|word| matches!(*word, "serve" | "http-server"))?;
    let mut rest = words[server + 1..].iter();
    while let Some(word) = rest.next() {
        if WITH_VALUE.contains(word) {
            rest.next();
        } else if !word.starts_with('-') {
            return Some(word.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_folder_flags_and_config_strings() {
        assert_eq!(
            flag_value("vite build --outDir build", "--outDir").as_deref(),
            Some("build")
        );
        assert_eq!(
            flag_value("tsc && vite build --outDir='out'", "--outDir").as_deref(),
            Some("out")
        );
        assert_eq!(flag_value("vite build", "--outDir"), None);
        assert_eq!(
            quoted_after("export default { build: { outDir: 'public' } }", "outDir").as_deref(),
            Some("public")
        );
        assert_eq!(
            quoted_after("build: { outDir: resolve(__dirname, 'x') }", "outDir"),
            None
        );
        assert_eq!(quoted_after("outDir: `${root}/dist`", "outDir"), None);
    }

    #[test]
    fn served_folders() {
        let words = |text: &'static str| text.split_whitespace().collect::<Vec<_>>();
        assert_eq!(
            served_folder(&words("npx serve -s build")).as_deref(),
            Some("build")
        );
        assert_eq!(
            served_folder(&words("serve -l 3000 dist")).as_deref(),
            Some("dist")
        );
        assert_eq!(
            served_folder(&words("http-server ./public -p 8080")).as_deref(),
            Some("./public")
        );
        assert_eq!(served_folder(&words("npx serve -s")), None);
    }
}
