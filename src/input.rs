//! Reading a Dockerfile and refusing what is not one.

use std::io::Read;
use std::path::Path;

/// Larger than any real Dockerfile by far; BuildKit itself refuses lines
/// over 64 KiB. Reading stops here so a stray huge file cannot exhaust memory.
pub const MAX_FILE_SIZE: u64 = 8 * 1024 * 1024;

/// Why a file cannot be processed. The message is one line, without the path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("is a directory")]
    Directory,
    #[error("cannot read: {0}")]
    Unreadable(String),
    #[error("larger than {} MiB; not a Dockerfile", MAX_FILE_SIZE / 1024 / 1024)]
    TooLarge,
    #[error("binary file (contains NUL bytes); not a Dockerfile")]
    Binary,
    #[error("not valid UTF-8 (first bad byte at offset {0})")]
    NotUtf8(usize),
    #[error("empty file; nothing to fix")]
    Empty,
}

/// Reads and validates a file.
pub fn read_file(path: &Path) -> Result<String, InputError> {
    let metadata =
        std::fs::metadata(path).map_err(|error| InputError::Unreadable(io_reason(&error)))?;
    if metadata.is_dir() {
        return Err(InputError::Directory);
    }
    if metadata.len() > MAX_FILE_SIZE {
        return Err(InputError::TooLarge);
    }
    let file =
        std::fs::File::open(path).map_err(|error| InputError::Unreadable(io_reason(&error)))?;
    read_limited(file)
}

/// Reads and validates standard input (or any reader).
pub fn read_limited(reader: impl Read) -> Result<String, InputError> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| InputError::Unreadable(io_reason(&error)))?;
    validate(bytes)
}

/// Checks that bytes are a plausible Dockerfile and returns them as text.
pub fn validate(bytes: Vec<u8>) -> Result<String, InputError> {
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(InputError::TooLarge);
    }
    if bytes.contains(&0) {
        return Err(InputError::Binary);
    }
    let text = String::from_utf8(bytes)
        .map_err(|error| InputError::NotUtf8(error.utf8_error().valid_up_to()))?;
    if text.trim_start_matches('\u{feff}').trim().is_empty() {
        return Err(InputError::Empty);
    }
    Ok(text)
}

fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_a_dockerfile() {
        assert_eq!(validate(b"FROM a\0".to_vec()), Err(InputError::Binary));
        assert_eq!(validate(b"FROM \xff".to_vec()), Err(InputError::NotUtf8(5)));
        assert_eq!(validate(b" \n\n".to_vec()), Err(InputError::Empty));
        assert_eq!(validate(Vec::new()), Err(InputError::Empty));
        assert_eq!(validate(b"FROM a".to_vec()).unwrap(), "FROM a");
    }
}
