use std::process::Command;
fn main() {
    let out = Command::new("git").args(["rev-parse", "--short", "HEAD"]).output().expect("git");
    assert!(out.status.success(), "git rev-parse failed: {}", String::from_utf8_lossy(&out.stderr));
    println!("cargo:rustc-env=GIT_HASH={}", String::from_utf8(out.stdout).unwrap().trim());
}
