//! The container engine, through its `docker` command line.
//!
//! The CLI rather than the engine's HTTP API: it already honours
//! `DOCKER_HOST`, Docker contexts, TLS settings and proxy configuration
//! exactly as the user's own builds do, it streams build logs in a form
//! people read, Podman's `docker`-compatible CLI (and its socket through
//! `DOCKER_HOST`) works the same way, and it keeps dockfix free of an HTTP
//! client and async runtime. `DOCKFIX_DOCKER` names another CLI binary.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;
use wait_timeout::ChildExt;

use super::build_log::BuildLog;
use super::dpkg::{self, Dpkg};
use super::tree_diff::{self, FileTree};

/// Which builder `docker build` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builder {
    /// BuildKit (needed for heredocs and `RUN --mount`): through the buildx
    /// plugin, or built into CLIs before 23.0 (`DOCKER_BUILDKIT=1`).
    BuildKit,
    /// The legacy builder: what a CLI without BuildKit support runs, and
    /// what Podman's API offers.
    Legacy,
}

/// Options passed to both builds unchanged.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub network: Option<String>,
    pub build_args: Vec<String>,
    pub target: Option<String>,
    pub platform: Option<String>,
    /// Build every step again (`--no-cache`).
    pub no_cache: bool,
}

/// One build: the Dockerfile may lie outside the context (`-f`).
pub struct BuildRequest<'a> {
    pub context: &'a Path,
    pub dockerfile: &'a Path,
    pub tag: &'a str,
    /// `name=value`, put on the image so that it can be found and removed.
    pub label: &'a str,
    pub options: &'a BuildOptions,
}

#[derive(Debug)]
pub struct BuildOutcome {
    pub succeeded: bool,
    pub seconds: f64,
    pub log: BuildLog,
}

/// What `docker image inspect` tells about an image.
#[derive(Debug, Clone)]
pub struct ImageFacts {
    pub size_bytes: u64,
    pub layers: usize,
    /// `.Config`: environment, command, user and the rest.
    pub config: Value,
}

/// An image's files, and its package database.
pub struct ImageFiles {
    pub tree: FileTree,
    pub dpkg: Dpkg,
}

/// A command's result inside a container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOutput {
    /// `None` when it was stopped at the time limit.
    pub exit_code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

#[derive(Debug, Clone)]
pub struct Engine {
    program: OsString,
    pub builder: Builder,
}

impl Engine {
    /// Finds the CLI, checks that it reaches an engine, and picks the
    /// builder. The error is one line saying how to start an engine.
    pub fn connect() -> Result<Engine, String> {
        let program = std::env::var_os("DOCKFIX_DOCKER").unwrap_or_else(|| "docker".into());
        let mut engine = Engine {
            program,
            builder: Builder::Legacy,
        };
        let where_ = match std::env::var("DOCKER_HOST") {
            Ok(host) if !host.is_empty() => format!("at DOCKER_HOST={host}"),
            _ => "through the default socket".to_string(),
        };
        let start_hint = "start one (`sudo dockerd &` or `sudo systemctl start docker`; for Podman `systemctl --user start podman.socket` and DOCKER_HOST=unix://$XDG_RUNTIME_DIR/podman/podman.sock)";
        let mut version = engine.command();
        version.args(["version", "--format", "{{.Server.Version}}"]);
        match output_within(version, Duration::from_secs(30)) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Err(format!(
                "no container engine reachable: `{}` is not installed (install docker.io, or Podman with podman-docker, or set DOCKFIX_DOCKER), then {start_hint}",
                engine.program.to_string_lossy()
            )),
            Err(error) => Err(format!(
                "no container engine reachable {where_} ({error}): {start_hint}"
            )),
            Ok(output) if output.exit_code != Some(0) => Err(format!(
                "no container engine reachable {where_}: {start_hint}"
            )),
            Ok(_) => {
                engine.builder = engine.pick_builder();
                Ok(engine)
            }
        }
    }

    /// `DOCKER_BUILDKIT=0` chooses the legacy builder; otherwise BuildKit
    /// when a tiny build through it works (a CLI of 23.0 or later without
    /// the buildx plugin refuses `DOCKER_BUILDKIT=1`), else the legacy one.
    fn pick_builder(&self) -> Builder {
        if std::env::var("DOCKER_BUILDKIT").is_ok_and(|value| value == "0" || value == "false") {
            return Builder::Legacy;
        }
        let Ok(probe) = tempfile::tempdir() else {
            return Builder::Legacy;
        };
        let context = probe.path().join("context");
        let written = std::fs::create_dir(&context)
            .and_then(|()| std::fs::write(context.join("probe"), "probe\n"))
            .and_then(|()| {
                std::fs::write(
                    probe.path().join("Dockerfile"),
                    "FROM scratch\nCOPY probe /\n",
                )
            });
        if written.is_err() {
            return Builder::Legacy;
        }
        let mut build = self.command();
        build
            .env("DOCKER_BUILDKIT", "1")
            .arg("build")
            .arg("--progress=plain")
            .arg("--output")
            .arg(format!(
                "type=local,dest={}",
                probe.path().join("out").display()
            ))
            .arg("-f")
            .arg(probe.path().join("Dockerfile"))
            .arg(&context);
        match output_within(build, Duration::from_secs(60)) {
            Ok(output) if output.exit_code == Some(0) => Builder::BuildKit,
            _ => Builder::Legacy,
        }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.stdin(Stdio::null());
        command
    }

    fn builder_command(&self) -> Command {
        let mut command = self.command();
        match self.builder {
            Builder::BuildKit => {
                command.env("DOCKER_BUILDKIT", "1");
                command.args(["build", "--progress=plain"]);
            }
            Builder::Legacy => {
                command.env("DOCKER_BUILDKIT", "0");
                // Without it a failed step's container is left behind.
                command.args(["build", "--force-rm"]);
            }
        }
        command
    }

    /// Builds an image, handing each log line to `on_line` as it comes.
    pub fn build(
        &self,
        request: &BuildRequest,
        mut on_line: impl FnMut(&str),
    ) -> Result<BuildOutcome, String> {
        let mut command = self.builder_command();
        command
            .arg("--tag")
            .arg(request.tag)
            .arg("--label")
            .arg(request.label)
            .arg("--file")
            .arg(request.dockerfile);
        let options = request.options;
        if let Some(network) = &options.network {
            command.arg("--network").arg(network);
        }
        for build_arg in &options.build_args {
            command.arg("--build-arg").arg(build_arg);
        }
        if let Some(target) = &options.target {
            command.arg("--target").arg(target);
        }
        if let Some(platform) = &options.platform {
            command.arg("--platform").arg(platform);
        }
        if options.no_cache {
            command.arg("--no-cache");
        }
        command.arg(request.context);
        let started = Instant::now();
        let mut log = BuildLog::default();
        let status = stream_lines(command, |line| {
            log.push(line);
            on_line(line);
        })
        .map_err(|error| self.spawn_error(error))?;
        Ok(BuildOutcome {
            succeeded: status,
            seconds: started.elapsed().as_secs_f64(),
            log,
        })
    }

    fn spawn_error(&self, error: std::io::Error) -> String {
        format!("cannot run `{}`: {error}", self.program.to_string_lossy())
    }

    pub fn inspect(&self, image: &str) -> Result<ImageFacts, String> {
        let mut command = self.command();
        command.args(["image", "inspect", image]);
        let output = output_within(command, Duration::from_secs(60))
            .map_err(|error| self.spawn_error(error))?;
        if output.exit_code != Some(0) {
            return Err(format!(
                "docker image inspect {image}: {}",
                output.stderr.trim()
            ));
        }
        let parsed: Value = serde_json::from_str(&output.stdout)
            .map_err(|error| format!("docker image inspect {image}: {error}"))?;
        let image_json = parsed.get(0).unwrap_or(&parsed);
        Ok(ImageFacts {
            size_bytes: image_json.get("Size").and_then(Value::as_u64).unwrap_or(0),
            layers: image_json
                .pointer("/RootFS/Layers")
                .and_then(Value::as_array)
                .map_or(0, Vec::len),
            config: image_json.get("Config").cloned().unwrap_or(Value::Null),
        })
    }

    /// The image's filesystem, read from `docker export` of a container
    /// created (never started) from it.
    pub fn file_tree(&self, image: &str, label: &str) -> Result<ImageFiles, String> {
        let mut create = self.command();
        // The command is never run; an image without CMD needs one to create.
        create.args(["create", "--label", label, image, "dockfix-verify-export"]);
        let created = output_within(create, Duration::from_secs(60))
            .map_err(|error| self.spawn_error(error))?;
        if created.exit_code != Some(0) {
            return Err(format!("docker create {image}: {}", created.stderr.trim()));
        }
        let container = created.stdout.trim().to_string();
        let tree = self.export(&container);
        let mut remove = self.command();
        // `--volumes`: creating it made an anonymous volume per VOLUME.
        remove.args(["rm", "--force", "--volumes", &container]);
        let _ = output_within(remove, Duration::from_secs(60));
        tree.map_err(|error| format!("docker export {image}: {error}"))
    }

    fn export(&self, container: &str) -> Result<ImageFiles, String> {
        let mut export = self.command();
        export
            .args(["export", container])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = export.spawn().map_err(|error| self.spawn_error(error))?;
        let stderr = child.stderr.take().map(drain_in_background);
        let stdout = child.stdout.take().expect("piped stdout");
        let mut stdout = BufReader::with_capacity(1 << 16, stdout);
        let tree =
            tree_diff::read_tar_keeping(&mut stdout, dpkg::wanted).map(|(tree, kept)| ImageFiles {
                tree,
                dpkg: Dpkg::read(&kept),
            });
        // The tar reader stops at the end-of-archive blocks; the padding
        // the engine writes after them must still be read, or the export
        // dies of a closed pipe (exit status 141, nothing on stderr).
        let _ = std::io::copy(&mut stdout, &mut std::io::sink());
        let status = child.wait().map_err(|error| error.to_string())?;
        let stderr = stderr
            .and_then(|handle| handle.join().ok())
            .unwrap_or_default();
        // A reader that stops early closes the pipe: the export then fails
        // with nothing on stderr, and the reader's error is the one to tell.
        let tree = tree.map_err(|error| error.to_string())?;
        if !status.success() {
            return Err(stderr.trim().to_string());
        }
        Ok(tree)
    }

    /// Runs `argv` in a new container of `image`, in place of its
    /// entrypoint, and stops it after `limit`.
    pub fn run(
        &self,
        image: &str,
        name: &str,
        argv: &[String],
        options: &BuildOptions,
        limit: Duration,
    ) -> Result<RunOutput, String> {
        let (program, args) = argv
            .split_first()
            .ok_or_else(|| "--run needs a command".to_string())?;
        // Detached, then `wait` and `logs`: attaching (`docker run` in the
        // foreground) upgrades the API connection, which the docker CLI
        // 20.10 cannot do with Podman 4.3's socket ("unable to upgrade to
        // tcp, received 409"), so both runs would fail alike and compare
        // as the same.
        let mut command = self.command();
        command.args(["run", "--detach", "--name", name, "--entrypoint", program]);
        if let Some(network) = &options.network {
            command.arg("--network").arg(network);
        }
        if let Some(platform) = &options.platform {
            command.arg("--platform").arg(platform);
        }
        command.arg(image).args(args);
        let remove = || {
            let mut remove = self.command();
            remove.args(["rm", "--force", "--volumes", name]);
            let _ = output_within(remove, Duration::from_secs(60));
        };
        let started = output_within(command, Duration::from_secs(120))
            .map_err(|error| self.spawn_error(error))?;
        if started.exit_code != Some(0) {
            // The container did not start (no such program, say): the
            // engine's message and status are the result.
            remove();
            return Ok(RunOutput {
                exit_code: started.exit_code,
                stdout: String::new(),
                stderr: started.stderr,
            });
        }
        let mut wait = self.command();
        wait.args(["wait", name]);
        let waited = output_within(wait, limit).map_err(|error| self.spawn_error(error))?;
        let exit_code = match waited.exit_code {
            Some(0) => waited.stdout.trim().parse::<i32>().ok(),
            _ => None,
        };
        let mut logs = self.command();
        logs.args(["logs", name]);
        let logs = output_within(logs, Duration::from_secs(60))
            .map_err(|error| self.spawn_error(error))?;
        remove();
        Ok(RunOutput {
            exit_code,
            stdout: logs.stdout,
            stderr: logs.stderr,
        })
    }

    /// Removes images by reference; failures are ignored (the images carry
    /// the `dockfix.verify` label, so `docker image prune` finds leftovers).
    pub fn remove_images(&self, references: &[String]) {
        if references.is_empty() {
            return;
        }
        let mut remove = self.command();
        remove.args(["image", "rm"]).args(references);
        let _ = output_within(remove, Duration::from_secs(120));
    }
}

impl Engine {
    /// Removes every container and image carrying `label` (`name=value`):
    /// what an interrupted run leaves behind.
    pub fn remove_labelled(&self, label: &str) {
        let filter = format!("label={label}");
        for (list, remove) in [
            (
                vec!["ps", "--all", "--quiet", "--filter", &filter],
                vec!["rm", "--force", "--volumes"],
            ),
            (
                vec!["image", "ls", "--quiet", "--filter", &filter],
                vec!["image", "rm", "--force"],
            ),
        ] {
            let mut command = self.command();
            command.args(&list);
            let Ok(listed) = output_within(command, Duration::from_secs(30)) else {
                continue;
            };
            let ids: Vec<&str> = listed.stdout.split_whitespace().collect();
            if !ids.is_empty() {
                let mut command = self.command();
                command.args(&remove).args(&ids);
                let _ = output_within(command, Duration::from_secs(120));
            }
        }
    }
}

/// Runs a command to completion, handing each line of its standard output
/// and error to `on_line` as it arrives; true when it succeeded.
fn stream_lines(mut command: Command, mut on_line: impl FnMut(&str)) -> std::io::Result<bool> {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn()?;
    let (sender, receiver) = mpsc::channel::<String>();
    let readers: Vec<_> = [
        child
            .stdout
            .take()
            .map(|out| Box::new(out) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|err| Box::new(err) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    .map(|stream| {
        let sender = sender.clone();
        thread::spawn(move || {
            let mut reader = BufReader::new(stream);
            let mut buffer = Vec::new();
            while reader.read_until(b'\n', &mut buffer).unwrap_or(0) > 0 {
                let line = String::from_utf8_lossy(&buffer);
                let _ = sender.send(line.trim_end_matches(['\n', '\r']).to_string());
                buffer.clear();
            }
        })
    })
    .collect();
    drop(sender);
    for line in receiver {
        on_line(&line);
    }
    for reader in readers {
        let _ = reader.join();
    }
    Ok(child.wait()?.success())
}

fn drain_in_background(mut stream: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Runs a command, collecting its output; kills it after `limit`
/// (`exit_code` is then `None`).
fn output_within(mut command: Command, limit: Duration) -> std::io::Result<RunOutput> {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn()?;
    let stdout = child.stdout.take().map(drain_in_background);
    let stderr = child.stderr.take().map(drain_in_background);
    let exit_code = match child.wait_timeout(limit)? {
        Some(status) => status.code(),
        None => {
            let _ = child.kill();
            let _ = child.wait();
            None
        }
    };
    let collect = |handle: Option<thread::JoinHandle<String>>| {
        handle
            .and_then(|handle| handle.join().ok())
            .unwrap_or_default()
    };
    Ok(RunOutput {
        exit_code,
        stdout: collect(stdout),
        stderr: collect(stderr),
    })
}
