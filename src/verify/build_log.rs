//! Reading a build's log as it streams: the steps (for progress lines),
//! which of them came from the cache, and the step that failed.
//!
//! Three formats are read, whichever builder the engine runs:
//! - the legacy builder: `Step 2/5 : RUN …`, then ` ---> Using cache`;
//! - BuildKit's plain progress: `#7 [2/5] RUN …`, `#7 CACHED`,
//!   `#7 ERROR: …` (lines of one step share its `#N`);
//! - Podman (buildah): `STEP 2/5: RUN …`, then `--> Using cache …`.

use std::collections::VecDeque;

/// The step the legacy builder adds for `dockfix verify`'s `--label`.
const OWN_LABEL_STEP: &str = "LABEL dockfix.verify=";

/// How many of the last log lines a failed build reports.
pub const TAIL_LINES: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Step {
    /// BuildKit's `#N`; empty for the sequential formats.
    id: String,
    /// `[2/5] RUN …`
    description: String,
    cached: bool,
}

impl Step {
    fn is_from(&self) -> bool {
        let instruction = self
            .description
            .split_once("] ")
            .map_or(self.description.as_str(), |(_, rest)| rest);
        instruction
            .get(..5)
            .is_some_and(|word| word.eq_ignore_ascii_case("FROM "))
    }
}

#[derive(Debug, Clone, Default)]
pub struct BuildLog {
    steps: Vec<Step>,
    failed_id: Option<String>,
    tail: VecDeque<String>,
}

impl BuildLog {
    /// Takes one line of output; returns the description of a step seen
    /// for the first time (`[2/5] RUN …`), for a progress line.
    pub fn push(&mut self, raw: &str) -> Option<String> {
        let line = strip_ansi(raw);
        let line = line.trim_end();
        if self.tail.len() == TAIL_LINES {
            self.tail.pop_front();
        }
        self.tail.push_back(line.to_string());
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix('#') {
            return self.push_buildkit(rest);
        }
        if let Some(rest) = trimmed.strip_prefix("Step ")
            && let Some((count, instruction)) = rest.split_once(" : ")
        {
            return self.start_sequential(count, instruction);
        }
        if let Some(rest) = trimmed.strip_prefix("STEP ")
            && let Some((count, instruction)) = rest.split_once(": ")
        {
            return self.start_sequential(count, instruction);
        }
        // Podman prefixes steps of multi-stage builds: `[1/2] STEP 3/4: …`.
        if let Some((_, rest)) = trimmed.split_once("] STEP ")
            && let Some((count, instruction)) = rest.split_once(": ")
        {
            return self.start_sequential(count, instruction);
        }
        let cache_marker = trimmed
            .trim_start_matches("---> ")
            .trim_start_matches("--> ");
        if cache_marker.starts_with("Using cache")
            && let Some(step) = self.steps.last_mut()
        {
            step.cached = true;
        }
        None
    }

    fn start_sequential(&mut self, count: &str, instruction: &str) -> Option<String> {
        if !count.contains('/') || !count.chars().all(|c| c.is_ascii_digit() || c == '/') {
            return None;
        }
        // The legacy builder turns `--label` into a last step of its own.
        if instruction.starts_with(OWN_LABEL_STEP) {
            return None;
        }
        let description = format!("[{count}] {instruction}");
        self.steps.push(Step {
            id: String::new(),
            description: description.clone(),
            cached: false,
        });
        Some(description)
    }

    fn push_buildkit(&mut self, rest: &str) -> Option<String> {
        let (number, message) = rest.split_once(' ')?;
        if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let id = format!("#{number}");
        if message == "CACHED" {
            if let Some(step) = self.steps.iter_mut().find(|step| step.id == id) {
                step.cached = true;
            }
            return None;
        }
        if message.starts_with("ERROR") {
            self.failed_id.get_or_insert(id);
            return None;
        }
        if !message.starts_with('[')
            || message.starts_with("[internal]")
            || self.steps.iter().any(|step| step.id == id)
        {
            return None;
        }
        // A step's own output lines start with its elapsed time, not `[`.
        let description = message.to_string();
        self.steps.push(Step {
            id,
            description: description.clone(),
            cached: false,
        });
        Some(description)
    }

    /// Steps of the build other than `FROM` (which never runs anything).
    pub fn step_count(&self) -> usize {
        self.steps.iter().filter(|step| !step.is_from()).count()
    }

    /// Steps other than `FROM` the builder took from its cache.
    pub fn cached_step_count(&self) -> usize {
        self.steps
            .iter()
            .filter(|step| !step.is_from() && step.cached)
            .count()
    }

    /// For a failed build: the step BuildKit marked `ERROR`, or else the
    /// last step started (the sequential builders stop at the failing one).
    pub fn failed_step(&self) -> Option<String> {
        let marked = self.failed_id.as_ref().and_then(|id| {
            self.steps
                .iter()
                .find(|step| &step.id == id)
                .map(|step| step.description.clone())
        });
        marked.or_else(|| self.steps.last().map(|step| step.description.clone()))
    }

    /// The last [`TAIL_LINES`] lines, colour codes removed.
    pub fn tail(&self) -> Vec<String> {
        self.tail.iter().cloned().collect()
    }
}

/// The legacy builder colours a step's standard error with ANSI codes.
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for code in chars.by_ref() {
                    if code.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (BuildLog, Vec<String>) {
        let mut log = BuildLog::default();
        let progress = text.lines().filter_map(|line| log.push(line)).collect();
        (log, progress)
    }

    #[test]
    fn legacy_builder_steps_cache_and_failure() {
        let (log, progress) = read(
            "Sending build context to Docker daemon  2.048kB\n\
             Step 1/4 : FROM dockfix-test/busybox\n \
             ---> 8a46b20a38ab\n\
             Step 2/4 : RUN echo hi > /a\n \
             ---> Using cache\n \
             ---> e1373e38e8d5\n\
             Step 3/4 : RUN echo oops >&2; false\n \
             ---> Running in 2a59d5336b03\n\
             \u{1b}[91moops\n\
             \u{1b}[0mThe command '/bin/sh -c echo oops >&2; false' returned a non-zero code: 1\n",
        );
        assert_eq!(
            progress,
            [
                "[1/4] FROM dockfix-test/busybox",
                "[2/4] RUN echo hi > /a",
                "[3/4] RUN echo oops >&2; false"
            ]
        );
        assert_eq!(log.step_count(), 2);
        assert_eq!(log.cached_step_count(), 1);
        assert_eq!(
            log.failed_step().as_deref(),
            Some("[3/4] RUN echo oops >&2; false")
        );
        assert_eq!(
            log.tail().last().unwrap(),
            "The command '/bin/sh -c echo oops >&2; false' returned a non-zero code: 1"
        );
        assert!(log.tail().contains(&"oops".to_string()));
    }

    #[test]
    fn buildkit_plain_progress_steps_cache_and_failure() {
        let (log, progress) = read(
            "#1 [internal] load build definition from Dockerfile\n\
             #1 DONE 0.0s\n\
             #4 [1/4] FROM docker.io/dockfix-test/busybox\n\
             #4 CACHED\n\
             #5 [2/4] RUN echo hi > /a\n\
             #5 CACHED\n\
             #6 [3/4] RUN echo oops >&2; false\n\
             #7 [build 2/2] RUN make\n\
             #6 0.320 oops\n\
             #6 [3/4] RUN echo oops >&2; false\n\
             #6 ERROR: executor failed running [/bin/sh -c echo oops >&2; false]: exit code: 1\n\
             #7 CANCELED\n\
             ------\n \
             > [3/4] RUN echo oops >&2; false:\n\
             ------\n",
        );
        assert_eq!(
            progress,
            [
                "[1/4] FROM docker.io/dockfix-test/busybox",
                "[2/4] RUN echo hi > /a",
                "[3/4] RUN echo oops >&2; false",
                "[build 2/2] RUN make"
            ]
        );
        assert_eq!(log.step_count(), 3);
        assert_eq!(log.cached_step_count(), 1);
        assert_eq!(
            log.failed_step().as_deref(),
            Some("[3/4] RUN echo oops >&2; false")
        );
    }

    #[test]
    fn podman_steps_and_cache() {
        let (log, progress) = read(
            "[1/2] STEP 1/3: FROM golang AS build\n\
             [1/2] STEP 2/3: COPY . .\n\
             --> Using cache 1234\n\
             [2/2] STEP 1/2: FROM scratch\n\
             STEP 2/2: COPY --from=build /app /app\n\
             COMMIT img\n\
             Step 5/5 : LABEL dockfix.verify=abc\n",
        );
        assert_eq!(progress.len(), 4);
        assert_eq!(progress[1], "[2/3] COPY . .");
        assert_eq!(log.step_count(), 2);
        assert_eq!(log.cached_step_count(), 1);
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        let text: String = (0..50).map(|n| format!("line {n}\n")).collect();
        let (log, _) = read(&text);
        let tail = log.tail();
        assert_eq!(tail.len(), TAIL_LINES);
        assert_eq!(tail[0], "line 30");
        assert_eq!(tail[TAIL_LINES - 1], "line 49");
    }
}
