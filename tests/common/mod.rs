//! What the integration tests share: the dockfix binary run as a process,
//! with text on its standard input, and the line that says a test skipped.

// Each test crate includes this module and uses only some of it.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Write;
use std::process::{Command, Output, Stdio};

/// The dockfix binary of this build, with colours off.
pub fn dockfix() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dockfix"));
    command.env("NO_COLOR", "1");
    command
}

/// Runs dockfix with `args`, `input` on its standard input, and waits for
/// its output (stdout and stderr).
pub fn run_stdin<S: AsRef<OsStr>>(args: &[S], input: &[u8]) -> Output {
    let mut child = dockfix()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // dockfix may refuse before reading stdin: a broken pipe is fine here.
    let _ = child.stdin.take().unwrap().write_all(input);
    child.wait_with_output().unwrap()
}

/// Says that a test did not run and why. Written to the stream, not through
/// `eprintln!` (which the test harness captures): a skipped test must not
/// look like a pass.
pub fn skip(reason: &str) {
    let _ = std::io::stderr().write_all(format!("SKIPPED (not run): {reason}\n").as_bytes());
}
