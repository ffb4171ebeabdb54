//! Any UTF-8 text: the tree prints it back byte for byte, and no typed view
//! or the BuildKit dump panics.
#![no_main]

use dockfix::syntax::{Dockerfile, dump};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = Dockerfile::parse(text);
    assert_eq!(file.printed(), text);
    let _ = dump::dump(&file);
    let _ = file.directives();
    for stage in file.stages() {
        let _ = stage.name();
    }
    for instruction in file.instructions() {
        let logical = instruction.logical();
        for offset in 0..logical.text().len() {
            let _ = logical.source_offset(offset);
        }
        let _ = instruction.flags();
        let _ = instruction.words();
        let _ = instruction.heredocs();
        let _ = instruction.key_values(file.escape());
        let _ = instruction.command_form();
        let _ = instruction.text_range();
        let _ = instruction.onbuild_inner();
        if let Some(from) = instruction.as_from() {
            let _ = from.image_ref();
        }
    }
});
