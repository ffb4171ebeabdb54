//! What an install reads from the build context, as its manifests say:
//! the manifests themselves, and the local paths they name (`file:`
//! dependencies, `replace => ./dir`, `--find-links ./wheels`, ...). Each
//! reader returns the context paths to copy before the install, or why the
//! install cannot be moved before the sources (a skip reason).

use crate::dockerignore::DockerIgnore;
use crate::engine::BuildContext;
use crate::transforms::workdir::normalize;

/// What to copy before an install, and whether that makes the move safe.
#[derive(Debug, Default)]
pub struct Needs {
    /// Context paths (files, or directories) in the order to copy them; the
    /// first is the main manifest.
    pub paths: Vec<String>,
    /// Why the install may still read something not copied (empty: safe).
    pub unsafe_reasons: Vec<String>,
}

impl Needs {
    /// Adds `path` unless it or a directory holding it is already there;
    /// a directory replaces the paths inside it.
    pub fn add(&mut self, path: impl Into<String>) {
        let path = path.into();
        let inside =
            |outer: &str, inner: &str| inner == outer || inner.starts_with(&format!("{outer}/"));
        if self.paths.iter().any(|known| inside(known, &path)) {
            return;
        }
        self.paths.retain(|known| !inside(&path, known));
        self.paths.push(path);
    }

    fn unsafe_because(&mut self, reason: String) {
        if !self.unsafe_reasons.contains(&reason) {
            self.unsafe_reasons.push(reason);
        }
    }
}

/// The build context as the install sees it: files `.dockerignore` excludes
/// are not there.
pub struct Project<'a> {
    pub build: &'a BuildContext,
    pub ignored: &'a DockerIgnore,
}

impl Project<'_> {
    /// A regular file of the context that is sent to the builder.
    pub fn has_file(&self, name: &str) -> bool {
        self.build.exists(name)
            && !self.ignored.excludes(name)
            && !self.build.root().join(name).is_dir()
    }

    /// A file or directory of the context that is sent (at least in part).
    pub fn has(&self, name: &str) -> bool {
        self.build.exists(name)
            && (!self.ignored.excludes(name) || self.ignored.has_exception_under(name))
    }

    pub fn is_dir(&self, name: &str) -> bool {
        !name.is_empty() && self.build.root().join(name).is_dir()
    }

    pub fn read(&self, name: &str) -> Option<String> {
        self.build.read(name)
    }

    /// Files sent to the builder under `directory` (recursively).
    pub fn sent_files_under(&self, directory: &str) -> Vec<String> {
        let prefix = format!("{directory}/");
        self.build
            .files()
            .iter()
            .filter(|file| file.starts_with(&prefix) && !self.ignored.excludes(file))
            .cloned()
            .collect()
    }

    /// `path` as written in a manifest in `base` (a context directory, ``
    /// for the root), as a context path; an error when it leaves the context
    /// or is absolute (the image's file system, which the context cannot
    /// tell about).
    pub fn resolve(&self, base: &str, path: &str) -> Result<String, String> {
        let path = path.trim();
        if path.starts_with('/') || path.starts_with('~') {
            return Err(format!("`{path}` is outside the build context"));
        }
        let joined = if base.is_empty() {
            path.to_string()
        } else {
            format!("{base}/{path}")
        };
        // normalize() drops a leading `..` silently: check first.
        let mut depth: isize = 0;
        for segment in joined.split('/') {
            match segment {
                "" | "." => {}
                ".." => depth -= 1,
                _ => depth += 1,
            }
            if depth < 0 {
                return Err(format!("`{path}` is outside the build context"));
            }
        }
        Ok(normalize(&joined))
    }

    /// A local path a manifest names, to copy before the install: it must
    /// be in the context and sent, or the install cannot work either way.
    fn local_path(&self, base: &str, path: &str, what: &str) -> Result<String, String> {
        let resolved = self.resolve(base, path)?;
        if resolved.is_empty() {
            return Err(format!(
                "{what} names the project directory itself, so the install needs all the sources"
            ));
        }
        if !self.has(&resolved) {
            return Err(format!(
                "{what} names `{path}`, which is not in the build context (or .dockerignore excludes it)"
            ));
        }
        Ok(resolved)
    }
}

/// More paths than this and the list is not "small and explicit": copying
/// them one by one would be its own maintenance burden.
const MAX_EXTRA_PATHS: usize = 6;

fn check_size(needs: &Needs, main: usize) -> Result<(), String> {
    if needs.paths.len() > main + MAX_EXTRA_PATHS {
        Err(format!(
            "the manifests name {} local paths the install reads; too many to copy one by one",
            needs.paths.len() - main
        ))
    } else {
        Ok(())
    }
}

// ---------------------------------------------------------------- npm ---

/// The package.json scripts that a bare `npm install`/`npm ci` (and yarn's
/// and pnpm's installs) run for the root project (docs.npmjs.com, "Life
/// Cycle Operation Order": `npm install` runs preinstall, install,
/// postinstall, prepublish, preprepare, prepare, postprepare; `dependencies`
/// runs after node_modules changes).
pub const NPM_INSTALL_HOOKS: &[&str] = &[
    "preinstall",
    "install",
    "postinstall",
    "prepublish",
    "preprepare",
    "prepare",
    "postprepare",
    "dependencies",
];

/// Hook commands known to read only what is copied with the manifests.
fn hook_reads_only_manifests(command: &str) -> bool {
    // patch-package applies `patches/*.patch` (copied) to node_modules.
    matches!(command.trim(), "patch-package" | "npx patch-package")
}

/// The dependency tables whose values can name local paths.
const NODE_DEPENDENCY_TABLES: &[&str] = &[
    "dependencies",
    "devDependencies",
    "optionalDependencies",
    "peerDependencies",
    "overrides",
    "resolutions",
];

pub enum NodeManager {
    Npm,
    Yarn,
    Pnpm,
}

pub fn node(
    project: &Project,
    manager: NodeManager,
    ignore_scripts: bool,
) -> Result<Needs, String> {
    if !project.has_file("package.json") {
        return Err("the context has no package.json".into());
    }
    if project.build.exists("pnpm-workspace.yaml") {
        return Err(
            "pnpm-workspace.yaml makes this a workspace: the install reads every workspace package"
                .into(),
        );
    }
    let mut needs = Needs::default();
    needs.add("package.json");
    for name in match manager {
        NodeManager::Npm => &["package-lock.json", "npm-shrinkwrap.json", ".npmrc"][..],
        NodeManager::Yarn => &["yarn.lock", ".yarnrc", ".yarnrc.yml", ".npmrc"][..],
        NodeManager::Pnpm => &["pnpm-lock.yaml", ".npmrc", ".pnpmfile.cjs"][..],
    } {
        if project.has_file(name) {
            needs.add(*name);
        }
    }
    let ignore_scripts = ignore_scripts
        || project.read(".npmrc").is_some_and(|npmrc| {
            config_value(&npmrc, "ignore-scripts", '=') == Some("true".into())
        });
    let main = needs.paths.len();
    let mut pending = vec![String::new()];
    let mut visited: Vec<String> = Vec::new();
    while let Some(directory) = pending.pop() {
        if visited.contains(&directory) {
            continue;
        }
        visited.push(directory.clone());
        let manifest_path = join(&directory, "package.json");
        let Some(text) = project.read(&manifest_path) else {
            if directory.is_empty() {
                return Err("package.json cannot be read".into());
            }
            continue;
        };
        let manifest: serde_json::Value = serde_json::from_str(&text)
            .map_err(|error| format!("{manifest_path} is not valid JSON ({error})"))?;
        if manifest.get("workspaces").is_some() {
            return Err(format!(
                "{manifest_path} declares workspaces: the install reads every workspace package"
            ));
        }
        if !ignore_scripts {
            // npm's default install script: a package with a binding.gyp
            // and no install script of its own is built with `node-gyp
            // rebuild`, from its sources. (A local dependency's folder is
            // copied whole, sources and all.)
            if directory.is_empty() && project.has_file("binding.gyp") {
                return Err(
                    "binding.gyp: npm builds the package's native addon with node-gyp on install, from its sources"
                        .into(),
                );
            }
            hooks(&manifest, &manifest_path, &mut needs);
        }
        let mut values = Vec::new();
        for table in NODE_DEPENDENCY_TABLES {
            if let Some(table) = manifest.get(table) {
                string_values(table, &mut values);
            }
        }
        if let Some(pnpm) = manifest.get("pnpm") {
            for table in ["overrides", "patchedDependencies"] {
                if let Some(table) = pnpm.get(table) {
                    string_values(table, &mut values);
                }
            }
        }
        // pnpm's patch files: `"patchedDependencies": {"x@1": "patches/x.patch"}`.
        let patched = manifest
            .get("pnpm")
            .and_then(|pnpm| pnpm.get("patchedDependencies"))
            .or_else(|| manifest.get("patchedDependencies"));
        if let Some(serde_json::Value::Object(patched)) = patched {
            for file in patched.values().filter_map(|v| v.as_str()) {
                needs.add(project.local_path(&directory, file, "patchedDependencies")?);
            }
        }
        for value in values {
            if value.starts_with("workspace:") {
                return Err(format!(
                    "{manifest_path} uses the workspace: protocol (`{value}`): the install reads the workspace packages"
                ));
            }
            if let Some(path) = local_dependency(&value) {
                let resolved = project.local_path(&directory, &path, &manifest_path)?;
                if project.is_dir(&resolved) {
                    pending.push(resolved.clone());
                }
                needs.add(resolved);
            } else if let Some(patch) = yarn_patch_file(&value) {
                needs.add(project.local_path(&directory, &patch, &manifest_path)?);
            }
        }
        // patch-package reads `patches/` (its default directory).
        let uses_patch_package = text.contains("\"patch-package");
        let patches = join(&directory, "patches");
        if uses_patch_package && project.is_dir(&patches) {
            needs.add(patches);
        }
    }
    yarn_files(project, &mut needs)?;
    for config in [".npmrc", ".yarnrc", ".yarnrc.yml"] {
        if let Some(text) = project
            .read(config)
            .filter(|_| needs.paths.iter().any(|p| p == config))
        {
            for path in config_paths(project, &text) {
                needs.add(path);
            }
        }
    }
    check_size(&needs, main)?;
    Ok(needs)
}

/// Lifecycle scripts the install runs for the manifest at `path`.
fn hooks(manifest: &serde_json::Value, path: &str, needs: &mut Needs) {
    let Some(scripts) = manifest.get("scripts").and_then(|s| s.as_object()) else {
        return;
    };
    let found: Vec<&str> = NPM_INSTALL_HOOKS
        .iter()
        .copied()
        .filter(|hook| {
            scripts
                .get(*hook)
                .is_some_and(|command| !command.as_str().is_some_and(hook_reads_only_manifests))
        })
        .collect();
    if !found.is_empty() {
        needs.unsafe_because(format!(
            "{path} runs `{}` on install, which may read source files",
            found.join("`, `")
        ));
    }
}

fn string_values(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(text) => out.push(text.clone()),
        serde_json::Value::Object(map) => map.values().for_each(|v| string_values(v, out)),
        _ => {}
    }
}

/// The path of a `file:`, `link:` or `portal:` dependency, or of a bare
/// relative path (npm reads `./lib` as `file:./lib`).
fn local_dependency(spec: &str) -> Option<String> {
    // `alias@file:./x` is not a thing, but `npm:` aliases can wrap one.
    let spec = spec.trim();
    for protocol in ["file:", "link:", "portal:"] {
        if let Some(path) = spec.strip_prefix(protocol) {
            return Some(path.trim_start_matches("//").to_string());
        }
    }
    (spec.starts_with("./") || spec.starts_with("../") || spec == "." || spec == "..")
        .then(|| spec.to_string())
}

/// Yarn Berry's `patch:` protocol: `patch:lodash@npm%3A4.17.21#~/.yarn/patches/x.patch::version=...`.
fn yarn_patch_file(spec: &str) -> Option<String> {
    let rest = spec.strip_prefix("patch:")?;
    let path = rest.split_once('#')?.1;
    let path = path.split("::").next()?;
    // `~/` is the project root; `optional!` marks optional patches.
    let path = path.trim_start_matches("optional!");
    let path = path.strip_prefix("~/").unwrap_or(path);
    (!path.starts_with("builtin<")).then(|| path.to_string())
}

/// Yarn Berry keeps its release, plugins, patches and offline cache under
/// `.yarn/`: those an install reads are copied; outputs are left to the
/// overwrite check.
fn yarn_files(project: &Project, needs: &mut Needs) -> Result<(), String> {
    if !project.is_dir(".yarn") {
        return Ok(());
    }
    const READ: &[&str] = &["releases", "plugins", "patches", "cache"];
    // Editor SDKs and release notes are not read by an install; the rest
    // are its outputs (checked as such by the caller).
    const NOT_READ: &[&str] = &[
        "sdks",
        "versions",
        "unplugged",
        "install-state.gz",
        "build-state.yml",
        ".cache",
    ];
    let mut entries: Vec<String> = project
        .sent_files_under(".yarn")
        .iter()
        .filter_map(|file| file.split('/').nth(1).map(str::to_string))
        .collect();
    entries.dedup();
    for entry in entries {
        if READ.contains(&entry.as_str()) {
            needs.add(format!(".yarn/{entry}"));
        } else if !NOT_READ.contains(&entry.as_str()) {
            return Err(format!(
                "`.yarn/{entry}` is in the context, and it is not known whether yarn reads it"
            ));
        }
    }
    Ok(())
}

/// `key=value` (npmrc) or `key: value` (yarnrc.yml) or `key "value"`
/// (yarnrc) for `key`.
fn config_value(text: &str, key: &str, separator: char) -> Option<String> {
    text.lines().find_map(|line| {
        let (name, value) = line.split_once(separator)?;
        (name.trim() == key).then(|| value.trim().trim_matches(['"', '\'']).to_string())
    })
}

/// Values of a config file that name files of the context (`yarnPath`,
/// `cafile`, plugin paths): the install reads them.
fn config_paths(project: &Project, text: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let value = line
            .split_once(['=', ':', ' '])
            .map_or("", |(_, value)| value)
            .trim()
            .trim_start_matches(':')
            .trim()
            .trim_matches(['"', '\'']);
        if value.is_empty() || value.contains("://") {
            continue;
        }
        if let Ok(path) = project.resolve("", value)
            && !path.is_empty()
            && project.has(&path)
        {
            paths.push(path);
        }
    }
    paths
}

fn join(directory: &str, name: &str) -> String {
    if directory.is_empty() {
        name.to_string()
    } else {
        format!("{directory}/{name}")
    }
}

// ----------------------------------------------------------------- Go ---

pub fn go(project: &Project) -> Result<Needs, String> {
    if !project.has_file("go.mod") {
        return Err("the context has no go.mod".into());
    }
    if project.build.exists("go.work") {
        return Err("go.work makes this a workspace: the install reads every module in it".into());
    }
    if project.build.exists("vendor") {
        return Err("vendor/ holds the dependencies: go reads it, not the module cache".into());
    }
    let mut needs = Needs::default();
    needs.add("go.mod");
    if project.has_file("go.sum") {
        needs.add("go.sum");
    }
    let text = project.read("go.mod").unwrap_or_default();
    for target in go_local_replacements(&text) {
        needs.add(project.local_path("", &target, "go.mod's `replace`")?);
    }
    check_size(&needs, 2)?;
    Ok(needs)
}

/// Directories named by `replace X => ./dir` (one line or in a block):
/// Go reads the replacement module from there (go.dev/ref/mod#go-mod-file-replace).
fn go_local_replacements(go_mod: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut in_block = false;
    for line in go_mod.lines() {
        let line = line.split("//").next().unwrap_or_default().trim();
        let directive = if in_block {
            if line.starts_with(')') {
                in_block = false;
                continue;
            }
            line
        } else if let Some(rest) = line.strip_prefix("replace") {
            let rest = rest.trim();
            if rest.starts_with('(') {
                in_block = true;
                continue;
            }
            rest
        } else {
            continue;
        };
        if let Some((_, target)) = directive.split_once("=>") {
            let path = target.split_whitespace().next().unwrap_or_default();
            if path.starts_with("./") || path.starts_with("../") || path.starts_with('/') {
                targets.push(path.to_string());
            }
        }
    }
    targets
}

// ---------------------------------------------------------------- pip ---

/// The requirements and constraints files named, those they include, and
/// the local paths they name (`--find-links ./wheels`).
pub fn pip(project: &Project, named: &[String]) -> Result<Needs, String> {
    let mut needs = Needs::default();
    let mut pending: Vec<String> = Vec::new();
    for name in named {
        pending.push(project.resolve("", name)?);
    }
    pending.reverse();
    let mut files = Vec::new();
    while let Some(name) = pending.pop() {
        if files.contains(&name) {
            continue;
        }
        if !project.has_file(&name) {
            return Err(format!(
                "`{name}` is not in the build context (or .dockerignore excludes it)"
            ));
        }
        let text = project
            .read(&name)
            .ok_or_else(|| format!("`{name}` cannot be read"))?;
        let directory = name.rsplit_once('/').map_or("", |(dir, _)| dir).to_string();
        files.push(name.clone());
        for line in text.lines() {
            let line = line.split(" #").next().unwrap_or_default().trim();
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let (option, value) = split_option(line);
            match option {
                Some("-r" | "--requirement" | "-c" | "--constraint") => {
                    pending.push(project.resolve(&directory, value)?);
                }
                Some("-e" | "--editable") => {
                    return Err(format!(
                        "`{name}` installs `{value}` in editable mode, which reads its sources"
                    ));
                }
                Some("-f" | "--find-links") if !value.contains("://") => {
                    // pip reads a relative path next to the requirements
                    // file when it exists there, else from the working
                    // directory.
                    let beside = project.resolve(&directory, value);
                    let path = match beside {
                        Ok(path) if project.has(&path) => path,
                        _ => project.local_path("", value, &format!("`{name}`"))?,
                    };
                    needs.add(path);
                }
                Some(_) => {}
                None => {
                    let first = line.split_whitespace().next().unwrap_or_default();
                    if is_local_requirement(first) || line.contains("@ file:") {
                        return Err(format!(
                            "`{name}` installs the local project `{first}`, which reads its sources"
                        ));
                    }
                }
            }
        }
    }
    let mut paths = files;
    paths.extend(needs.paths);
    needs.paths = paths;
    check_size(&needs, named.len())?;
    Ok(needs)
}

/// A requirements line's option and its value (`-r x`, `--requirement=x`,
/// `-rx`).
fn split_option(line: &str) -> (Option<&str>, &str) {
    if !line.starts_with('-') {
        return (None, line);
    }
    if let Some((option, value)) = line.split_once(['=', ' ', '\t']) {
        return (Some(option), value.trim());
    }
    for short in ["-r", "-c", "-e", "-f"] {
        if let Some(value) = line.strip_prefix(short) {
            return (Some(short), value);
        }
    }
    (Some(line), "")
}

/// A requirement that is a local path rather than a name: pip treats
/// anything with a path separator (`libs/mylib`, not only `./libs/mylib`),
/// or starting with `.`, as a path; a URL (`git+https://…`) is not one.
pub fn is_local_requirement(requirement: &str) -> bool {
    requirement.starts_with('.')
        || requirement.contains('/') && !requirement.contains("://")
        || requirement.starts_with("file:")
        || [".whl", ".tar.gz", ".zip", ".tgz"]
            .iter()
            .any(|ext| requirement.ends_with(ext))
}

// ------------------------------------------- poetry, uv, pipenv (TOML) ---

pub fn poetry(project: &Project) -> Result<Needs, String> {
    let pyproject = read_toml(project, "pyproject.toml")?;
    let mut needs = Needs::default();
    needs.add("pyproject.toml");
    for name in ["poetry.lock", "poetry.toml"] {
        if project.has_file(name) {
            needs.add(name);
        }
    }
    let poetry = pyproject.get("tool").and_then(|tool| tool.get("poetry"));
    let mut tables = Vec::new();
    if let Some(poetry) = poetry {
        tables.extend(poetry.get("dependencies"));
        tables.extend(poetry.get("dev-dependencies"));
        if let Some(groups) = poetry.get("group").and_then(|g| g.as_table()) {
            tables.extend(
                groups
                    .values()
                    .filter_map(|group| group.get("dependencies")),
            );
        }
    }
    for table in tables.into_iter().filter_map(|t| t.as_table()) {
        for (name, spec) in table {
            path_dependency(project, &mut needs, name, spec, "pyproject.toml")?;
        }
    }
    pep508_paths(&pyproject)?;
    check_size(&needs, 1)?;
    Ok(needs)
}

pub fn uv(project: &Project) -> Result<Needs, String> {
    let pyproject = read_toml(project, "pyproject.toml")?;
    let mut needs = Needs::default();
    needs.add("pyproject.toml");
    for name in ["uv.lock", ".python-version", "uv.toml"] {
        if project.has_file(name) {
            needs.add(name);
        }
    }
    let uv = pyproject.get("tool").and_then(|tool| tool.get("uv"));
    if uv.and_then(|uv| uv.get("workspace")).is_some() {
        return Err(
            "pyproject.toml declares a uv workspace: the install reads every member".into(),
        );
    }
    if let Some(sources) = uv
        .and_then(|uv| uv.get("sources"))
        .and_then(|s| s.as_table())
    {
        for (name, spec) in sources {
            if spec.get("workspace").is_some() {
                return Err(format!(
                    "pyproject.toml takes `{name}` from the uv workspace: the install reads its sources"
                ));
            }
            path_dependency(project, &mut needs, name, spec, "pyproject.toml")?;
        }
    }
    pep508_paths(&pyproject)?;
    check_size(&needs, 1)?;
    Ok(needs)
}

pub fn pipenv(project: &Project) -> Result<Needs, String> {
    let pipfile = read_toml(project, "Pipfile")?;
    let mut needs = Needs::default();
    needs.add("Pipfile");
    if project.has_file("Pipfile.lock") {
        needs.add("Pipfile.lock");
    }
    for table in ["packages", "dev-packages"] {
        if let Some(table) = pipfile.get(table).and_then(|t| t.as_table()) {
            for (name, spec) in table {
                path_dependency(project, &mut needs, name, spec, "Pipfile")?;
            }
        }
    }
    check_size(&needs, 1)?;
    Ok(needs)
}

fn read_toml(project: &Project, name: &str) -> Result<toml::Table, String> {
    if !project.has_file(name) {
        return Err(format!("the context has no {name}"));
    }
    let text = project
        .read(name)
        .ok_or_else(|| format!("{name} cannot be read"))?;
    text.parse::<toml::Table>()
        .map_err(|error| format!("{name} is not valid TOML ({})", error.message()))
}

/// `name = { path = "../lib" }`: the local package is built from its
/// directory, whose build backend may read files outside it (a README
/// above it, a version file): copied, and the fix is unsafe.
fn path_dependency(
    project: &Project,
    needs: &mut Needs,
    name: &str,
    spec: &toml::Value,
    manifest: &str,
) -> Result<(), String> {
    let Some(path) = spec.get("path").and_then(|p| p.as_str()) else {
        return Ok(());
    };
    let path = project.local_path("", path, &format!("{manifest}'s `{name}`"))?;
    needs.unsafe_because(format!(
        "{manifest} builds the local package `{path}`, whose build may read files outside it"
    ));
    needs.add(path);
    Ok(())
}

/// PEP 508 `name @ file:///...` dependencies in `[project]`.
fn pep508_paths(pyproject: &toml::Table) -> Result<(), String> {
    let Some(project) = pyproject.get("project") else {
        return Ok(());
    };
    let mut specs: Vec<&str> = Vec::new();
    if let Some(list) = project.get("dependencies").and_then(|d| d.as_array()) {
        specs.extend(list.iter().filter_map(|v| v.as_str()));
    }
    if let Some(groups) = project
        .get("optional-dependencies")
        .and_then(|d| d.as_table())
    {
        for list in groups.values().filter_map(|v| v.as_array()) {
            specs.extend(list.iter().filter_map(|v| v.as_str()));
        }
    }
    match specs.iter().find(|spec| spec.contains("file:")) {
        Some(spec) => Err(format!(
            "pyproject.toml depends on a local path (`{spec}`), which the manifests cannot locate"
        )),
        None => Ok(()),
    }
}

// ------------------------------------------------------------ Bundler ---

pub fn bundler(project: &Project) -> Result<Needs, String> {
    if !project.has_file("Gemfile") {
        return Err("the context has no Gemfile".into());
    }
    let gemfile = project.read("Gemfile").unwrap_or_default();
    let mut needs = Needs::default();
    needs.add("Gemfile");
    for name in ["Gemfile.lock", ".bundle/config"] {
        if project.has_file(name) {
            needs.add(name);
        }
    }
    for line in gemfile.lines() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.starts_with("gemspec") {
            return Err(
                "the Gemfile's `gemspec` installs this project's own gem, whose gemspec reads the sources (often `git ls-files`)"
                    .into(),
            );
        }
        if let Some(target) = option_value(line, "git")
            && !target.contains("://")
            && !target.contains('@')
        {
            return Err(format!(
                "the Gemfile takes a gem from the local git repository `{target}`"
            ));
        }
        if let Some(path) = option_value(line, "path") {
            let path = project.local_path("", &path, "the Gemfile's `path:`")?;
            needs.unsafe_because(format!(
                "the Gemfile installs the local gem `{path}`, whose gemspec may read files outside it"
            ));
            needs.add(path);
        }
        // Any other quoted file of the context the Gemfile names
        // (`ruby file: ".ruby-version"`, `eval_gemfile "Gemfile.common"`).
        for quoted in quoted_strings(line) {
            if let Ok(path) = project.resolve("", &quoted)
                && !path.is_empty()
                && project.has_file(&path)
            {
                needs.add(path);
            }
        }
    }
    check_size(&needs, 1)?;
    Ok(needs)
}

/// The value of `key: "x"` or `:key => "x"` on a Gemfile line.
fn option_value(line: &str, key: &str) -> Option<String> {
    for marker in [format!("{key}:"), format!(":{key} =>"), format!(":{key}=>")] {
        let Some(at) = line.find(&marker) else {
            continue;
        };
        // `github:` is not `git:`; the key must start a word.
        if at > 0
            && line[..at]
                .chars()
                .last()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            continue;
        }
        return quoted_strings(&line[at + marker.len()..])
            .into_iter()
            .next();
    }
    None
}

fn quoted_strings(line: &str) -> Vec<String> {
    let mut strings = Vec::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '"' || c == '\'' {
            let text: String = chars.by_ref().take_while(|d| *d != c).collect();
            strings.push(text);
        }
    }
    strings
}

// ----------------------------------------------------------- Composer ---

pub fn composer(project: &Project) -> Result<Needs, String> {
    if !project.has_file("composer.json") {
        return Err("the context has no composer.json".into());
    }
    let mut needs = Needs::default();
    needs.add("composer.json");
    if project.has_file("composer.lock") {
        needs.add("composer.lock");
    }
    let manifest: serde_json::Value = project
        .read("composer.json")
        .and_then(|text| serde_json::from_str(&text).ok())
        .ok_or("composer.json is not valid JSON")?;
    let repositories: Vec<&serde_json::Value> = match manifest.get("repositories") {
        Some(serde_json::Value::Array(list)) => list.iter().collect(),
        Some(serde_json::Value::Object(map)) => map.values().collect(),
        _ => Vec::new(),
    };
    for repository in repositories {
        let kind = repository.get("type").and_then(|t| t.as_str());
        let url = repository.get("url").and_then(|u| u.as_str());
        if let (Some("path" | "artifact"), Some(url)) = (kind, url) {
            if url.contains('*') {
                return Err(format!(
                    "composer.json's path repository `{url}` is a glob: not a small explicit list"
                ));
            }
            needs.add(project.local_path("", url, "composer.json's repository")?);
        }
    }
    check_size(&needs, 1)?;
    Ok(needs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_node_dependencies() {
        assert_eq!(local_dependency("file:./lib"), Some("./lib".into()));
        assert_eq!(local_dependency("link:../x"), Some("../x".into()));
        assert_eq!(local_dependency("portal:pkg"), Some("pkg".into()));
        assert_eq!(
            local_dependency("./vendor/x.tgz"),
            Some("./vendor/x.tgz".into())
        );
        assert_eq!(local_dependency("^1.2.3"), None);
        assert_eq!(local_dependency("github:user/repo"), None);
        assert_eq!(
            yarn_patch_file(
                "patch:lodash@npm%3A4.17.21#~/.yarn/patches/lodash.patch::version=4.17.21&hash=1"
            ),
            Some(".yarn/patches/lodash.patch".into())
        );
        assert_eq!(
            yarn_patch_file("patch:resolve@npm%3A1.22.1#optional!builtin<compat/resolve>"),
            None
        );
    }

    #[test]
    fn go_replacements() {
        let go_mod = "module m\n\nreplace example.com/a => ./a\nreplace (\n\texample.com/b v1 => ../b // local\n\texample.com/c => example.com/d v1.0.0\n)\n";
        assert_eq!(go_local_replacements(go_mod), vec!["./a", "../b"]);
    }

    #[test]
    fn gemfile_options() {
        assert_eq!(
            option_value("gem 'x', path: 'vendor/x'", "path"),
            Some("vendor/x".into())
        );
        assert_eq!(
            option_value("gem 'x', :path => \"../x\"", "path"),
            Some("../x".into())
        );
        assert_eq!(option_value("gem 'x', github: 'a/b'", "git"), None);
        assert_eq!(
            option_value("gem 'x', git: '../x'", "git"),
            Some("../x".into())
        );
    }

    #[test]
    fn requirement_options() {
        assert_eq!(split_option("-r base.txt"), (Some("-r"), "base.txt"));
        assert_eq!(
            split_option("--find-links=./wheels"),
            (Some("--find-links"), "./wheels")
        );
        assert_eq!(split_option("-rbase.txt"), (Some("-r"), "base.txt"));
        assert_eq!(split_option("flask==3.0"), (None, "flask==3.0"));
    }
}
