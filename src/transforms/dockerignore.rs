#![doc = include_str!("../../transforms/dockerignore/README.md")]

use std::collections::BTreeSet;

use crate::dockerignore::DockerIgnore;
use crate::engine::{BuildContext, Context, ContextChange, Fix, Safety, Transform};
use crate::syntax::{Dockerfile, InstructionKind};

pub struct DockerignoreEntries;

impl Transform for DockerignoreEntries {
    fn id(&self) -> &'static str {
        "dockerignore"
    }

    fn summary(&self) -> &'static str {
        "Add .dockerignore entries for what is in the build context but never needed (.git, node_modules, caches)"
    }

    fn safety(&self) -> Safety {
        Safety::Safe
    }

    fn docs(&self) -> &'static str {
        include_str!("../../transforms/dockerignore/README.md")
    }

    fn fixes(&self, _file: &Dockerfile, _context: &Context) -> Vec<Fix> {
        Vec::new()
    }

    fn context_changes(&self, file: &Dockerfile, context: &Context) -> Vec<ContextChange> {
        let Some(build) = context.build_context else {
            return Vec::new();
        };
        let (path, ignore) = DockerIgnore::for_build(build, context.path);
        let facts = DockerfileFacts::of(file);
        let mut safe = Vec::new();
        let mut unsafe_ = Vec::new();
        for candidate in candidates(build, &facts) {
            if candidate.hits.iter().all(|hit| ignore.excludes(hit))
                || candidate
                    .hits
                    .iter()
                    .any(|hit| ignore.has_exception_under(hit))
                || facts.needs_any(&candidate.hits, build)
            {
                continue;
            }
            let lines = if candidate.safety == Safety::Safe {
                &mut safe
            } else {
                &mut unsafe_
            };
            lines.extend(candidate.lines);
        }
        let mut changes = Vec::new();
        if !safe.is_empty() {
            changes.push(ContextChange {
                path: path.clone(),
                message: format!("exclude {} from the build context: present, and never needed by this build", safe.join(", ")),
                lines: safe,
                header: "Added by dockfix (dockerignore): in the build context, never needed by the build".into(),
                safety: Safety::Safe,
            });
        }
        if !unsafe_.is_empty() {
            changes.push(ContextChange {
                path,
                message: format!(
                    "exclude {} from the build context (unsafe: the image may read them at run time)",
                    unsafe_.iter().filter(|line| !line.starts_with('!')).cloned().collect::<Vec<_>>().join(", ")
                ),
                lines: unsafe_,
                header: "Added by dockfix (dockerignore, unsafe): the image may read these; remove any line it needs".into(),
                safety: Safety::Unsafe,
            });
        }
        changes
    }
}

/// One proposed group of lines, with the context paths it would exclude.
struct Candidate {
    lines: Vec<String>,
    /// Existing paths (relative to the context) the lines would exclude.
    hits: Vec<String>,
    safety: Safety,
}

/// What the Dockerfile does that decides which entries are safe.
#[derive(Debug, Default)]
struct DockerfileFacts {
    /// Sources of COPY/ADD (and bind mounts) from the context, except `.`.
    sources: Vec<String>,
    /// All RUN text, to look for installs and builds.
    run_text: String,
    uses_git_metadata: bool,
}

impl DockerfileFacts {
    fn of(file: &Dockerfile) -> Self {
        let mut facts = DockerfileFacts::default();
        let text = file.text();
        facts.uses_git_metadata = text.contains(".git")
            || [
                "git describe",
                "git rev-parse",
                "git log",
                "git status",
                "git submodule",
                "git diff",
            ]
            .iter()
            .any(|command| text.contains(command));
        for instruction in file.instructions() {
            let instruction = instruction.onbuild_inner().unwrap_or(instruction);
            match instruction.kind() {
                InstructionKind::Copy | InstructionKind::Add => {
                    let Some(copy) = instruction.as_copy() else {
                        continue;
                    };
                    if copy.from_stage().is_some() {
                        continue;
                    }
                    facts.sources.extend(
                        copy.sources()
                            .into_iter()
                            .filter(|source| !source.starts_with("<<"))
                            .map(|source| normalize(&source))
                            .filter(|source| !source.is_empty()),
                    );
                }
                InstructionKind::Run => {
                    facts
                        .run_text
                        .push_str(&instruction.logical().text().to_ascii_lowercase());
                    facts.run_text.push('\n');
                    for heredoc in instruction.heredocs() {
                        facts.run_text.push_str(&heredoc.body.to_ascii_lowercase());
                    }
                    if let Some(run) = instruction.as_run() {
                        for mount in run.mounts() {
                            if mount.kind() == "bind" && mount.get("from").is_none() {
                                let source = mount
                                    .get("source")
                                    .or_else(|| mount.get("src"))
                                    .unwrap_or(".");
                                let source = normalize(source);
                                if !source.is_empty() {
                                    facts.sources.push(source);
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        facts
    }

    fn runs_any(&self, needles: &[&str]) -> bool {
        needles.iter().any(|needle| self.run_text.contains(needle))
    }

    /// True when a COPY/ADD/bind source names one of `hits`, lies inside
    /// one, or is a glob matching one.
    fn needs_any(&self, hits: &[String], build: &BuildContext) -> bool {
        let _ = build;
        self.sources.iter().any(|source| {
            let glob = DockerIgnore::parse(source);
            hits.iter().any(|hit| {
                source == hit
                    || source.starts_with(&format!("{hit}/"))
                    || hit.starts_with(&format!("{source}/"))
                    || glob.excludes(hit)
            })
        })
    }
}

fn normalize(path: &str) -> String {
    let trimmed = path
        .trim_start_matches("./")
        .trim_start_matches('/')
        .trim_end_matches('/');
    if trimmed == "." {
        String::new()
    } else {
        trimmed.to_string()
    }
}

/// Directories (relative paths) in the context named `name`, at any depth,
/// outside other hits (`a/node_modules/b/node_modules` counts once).
fn directories_named(files: &BTreeSet<String>, name: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for file in files {
        let segments: Vec<&str> = file.split('/').collect();
        if let Some(at) = segments.iter().position(|segment| *segment == name)
            && at + 1 < segments.len()
        {
            let dir = segments[..=at].join("/");
            if !found
                .iter()
                .any(|seen| dir == *seen || dir.starts_with(&format!("{seen}/")))
            {
                found.push(dir);
            }
        }
    }
    found
}

fn candidates(build: &BuildContext, facts: &DockerfileFacts) -> Vec<Candidate> {
    let files = build.files();
    let root_dir = |name: &str| build.root().join(name).is_dir();
    let mut candidates = Vec::new();
    let mut add = |lines: &[&str], hits: Vec<String>, safety: Safety| {
        if !hits.is_empty() {
            candidates.push(Candidate {
                lines: lines.iter().map(|line| line.to_string()).collect(),
                hits,
                safety,
            });
        }
    };
    let installs_node = facts.runs_any(&[
        "npm ci",
        "npm install",
        "npm i ",
        "yarn",
        "pnpm install",
        "pnpm i",
    ]);
    let installs_python = facts.runs_any(&[
        "pip install",
        "pip3 install",
        "poetry install",
        "uv sync",
        "pipenv install",
        "uv pip install",
    ]);
    let builds = facts.runs_any(&["cargo build", "cargo install", "mvn ", "mvnw", "gradle"]);
    let builds_frontend = facts.runs_any(&[
        "run build",
        "yarn build",
        "pnpm build",
        "ng build",
        "vite build",
        "tsc",
        "next build",
        "python -m build",
        "setup.py build",
    ]);

    if build.exists(".git") && !facts.uses_git_metadata {
        add(&[".git"], vec![".git".into()], Safety::Safe);
    }
    let node_modules = directories_named(files, "node_modules");
    if !node_modules.is_empty() {
        let nested = node_modules.iter().any(|dir| dir != "node_modules");
        let lines: &[&str] = if nested {
            &["node_modules", "**/node_modules"]
        } else {
            &["node_modules"]
        };
        add(
            lines,
            node_modules,
            if installs_node {
                Safety::Safe
            } else {
                Safety::Unsafe
            },
        );
    }
    for venv in [".venv", "venv"] {
        if build.exists(&format!("{venv}/pyvenv.cfg")) {
            add(
                &[venv],
                vec![venv.into()],
                if installs_python {
                    Safety::Safe
                } else {
                    Safety::Unsafe
                },
            );
        }
    }
    if root_dir("target") && (build.exists("Cargo.toml") || build.exists("pom.xml")) {
        add(
            &["target"],
            vec!["target".into()],
            if builds { Safety::Safe } else { Safety::Unsafe },
        );
    }
    if builds_frontend {
        for output in ["dist", "build"] {
            if root_dir(output) {
                add(&[output], vec![output.into()], Safety::Safe);
            }
        }
    }
    let pycache = directories_named(files, "__pycache__");
    if !pycache.is_empty() {
        add(&["**/__pycache__"], pycache, Safety::Safe);
    }
    let pyc: Vec<String> = files
        .iter()
        .filter(|f| f.ends_with(".pyc") && !f.contains("__pycache__/"))
        .cloned()
        .collect();
    add(&["**/*.pyc"], pyc, Safety::Safe);
    for cache in [
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        ".tox",
        ".nyc_output",
        "htmlcov",
        ".idea",
        ".vscode",
    ] {
        if root_dir(cache) {
            add(&[cache], vec![cache.into()], Safety::Safe);
        }
    }
    if build.exists(".coverage") {
        add(&[".coverage"], vec![".coverage".into()], Safety::Safe);
    }
    let logs: Vec<String> = files
        .iter()
        .filter(|f| f.ends_with(".log"))
        .cloned()
        .collect();
    add(&["**/*.log"], logs, Safety::Safe);
    let ds_store: Vec<String> = files
        .iter()
        .filter(|f| f.rsplit('/').next() == Some(".DS_Store"))
        .cloned()
        .collect();
    add(&["**/.DS_Store"], ds_store, Safety::Safe);

    // .env files: secrets, but maybe read at run time.
    let templates = [".env.example", ".env.sample", ".env.template", ".env.dist"];
    let env_files: Vec<String> = files
        .iter()
        .filter(|f| (*f == ".env" || f.starts_with(".env.")) && !templates.contains(&f.as_str()))
        .cloned()
        .collect();
    if !env_files.is_empty() {
        let mut lines = vec![".env".to_string(), ".env.*".to_string()];
        lines.extend(
            templates
                .iter()
                .filter(|t| files.contains(**t))
                .map(|t| format!("!{t}")),
        );
        candidates.push(Candidate {
            lines,
            hits: env_files,
            safety: Safety::Unsafe,
        });
    }
    candidates
}
