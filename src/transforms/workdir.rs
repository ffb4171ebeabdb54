//! Working directories of a stage, as far as its `WORKDIR`s tell.

use crate::syntax::{InstructionKind, Stage};

/// A working directory, as far as the Dockerfile tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dir {
    /// Relative to the directory the stage started in (unknown but fixed).
    Inherited(String),
    Known(String),
    /// Depends on a variable.
    Unknown,
}

impl Dir {
    /// The absolute path, when it is known.
    pub fn absolute(&self) -> Option<&str> {
        match self {
            Dir::Known(path) => Some(path),
            _ => None,
        }
    }

    pub fn join(&self, path: &str) -> Dir {
        if path.contains('$') {
            return Dir::Unknown;
        }
        if path.starts_with('/') {
            return Dir::Known(normalize(path));
        }
        match self {
            Dir::Inherited(base) => Dir::Inherited(normalize(&format!("{base}/{path}"))),
            Dir::Known(base) => Dir::Known(normalize(&format!("{base}/{path}"))),
            Dir::Unknown => Dir::Unknown,
        }
    }

    pub fn same_as(&self, other: &Dir) -> bool {
        self != &Dir::Unknown && self == other
    }
}

/// `/app/./src/` → `/app/src`; `.` → ``.
pub fn normalize(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// The working directory in force before `body[index]`.
pub fn workdir_before(stage: &Stage, index: usize) -> Dir {
    let mut dir = Dir::Inherited(String::new());
    for instruction in &stage.body[..index] {
        if instruction.kind() == InstructionKind::Workdir {
            dir = dir.join(instruction.args().trim());
        }
    }
    dir
}
