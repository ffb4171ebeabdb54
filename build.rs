//! Converts the built-in base-image map from TOML, the form people read and
//! edit, to JSON, which serde_json reads at start-up several times faster
//! than TOML is parsed. Every run needs the map, and process start is part
//! of an editor's format-on-save (README, "Measured").

use std::path::PathBuf;

fn main() {
    let source = "transforms/slim-base-image/base-images.toml";
    println!("cargo::rerun-if-changed={source}");
    let text =
        std::fs::read_to_string(source).expect("transforms/slim-base-image/base-images.toml");
    let map: toml::Table = toml::from_str(&text).expect("base-images.toml is valid TOML");
    let json = serde_json::to_string(&map).expect("a TOML table converts to JSON");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("base-images.json"), json).expect("OUT_DIR is writable");
}
