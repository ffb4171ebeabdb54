//! A real editor as the client: headless Neovim (Debian's package) attaches
//! `dockfix server` to a Dockerfile, applies `source.fixAll.dockfix` and
//! writes the file (`editors/neovim-fix-all.lua`); the written bytes must be
//! what the command line makes of the file. Skipped, and said so, when
//! `nvim` is not installed (`apt-get install neovim`).

mod common;

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{run_stdin, skip};

#[test]
fn neovim_applies_fix_all_and_writes_the_file() {
    if Command::new("nvim").arg("--version").output().is_err() {
        skip("nvim is not installed (apt-get install neovim)");
        return;
    }
    let original = "FROM debian:bookworm-slim\nRUN apt-get update\nRUN apt-get install -y curl\nRUN pip install flask\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Dockerfile");
    std::fs::write(&path, original).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/neovim-fix-all.lua");
    let output = Command::new("timeout")
        .arg("120")
        .arg("nvim")
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-n", "-c"])
        .arg(format!("luafile {}", script.display()))
        .arg(&path)
        .env("DOCKFIX", env!("CARGO_BIN_EXE_dockfix"))
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "nvim: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let args = [
        OsStr::new("--stdin-filename"),
        path.as_os_str(),
        OsStr::new("-"),
    ];
    let expected = run_stdin(&args, original.as_bytes()).stdout;
    let written = std::fs::read(&path).unwrap();
    assert_ne!(written, original.as_bytes(), "nothing was fixed");
    assert_eq!(
        String::from_utf8_lossy(&written),
        String::from_utf8_lossy(&expected)
    );
}
