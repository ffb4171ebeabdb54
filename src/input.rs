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
    #[error("UTF-16 text; save it as UTF-8 (BuildKit reads only UTF-8)")]
    Utf16,
    /// A FIFO, socket or device: opening it could block, and it is no file
    /// that `--write` could replace.
    #[error("is a {0}, not a regular file")]
    NotRegular(&'static str),
}

/// Reads and validates a file (through symbolic links).
pub fn read_file(path: &Path) -> Result<String, InputError> {
    let metadata =
        std::fs::metadata(path).map_err(|error| InputError::Unreadable(io_reason(&error)))?;
    if metadata.is_dir() {
        return Err(InputError::Directory);
    }
    // Checked before opening: opening a FIFO for reading blocks until a
    // writer comes, which may be never.
    if !metadata.is_file() {
        return Err(InputError::NotRegular(special_kind(&metadata)));
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
/// Empty and blank files are valid (nothing to fix): an editor saving a new
/// file must not get an error. BuildKit refuses them at build time, which is
/// the place to fail for it.
pub fn validate(bytes: Vec<u8>) -> Result<String, InputError> {
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(InputError::TooLarge);
    }
    if looks_like_utf16(&bytes) {
        return Err(InputError::Utf16);
    }
    if bytes.contains(&0) {
        return Err(InputError::Binary);
    }
    String::from_utf8(bytes).map_err(|error| InputError::NotUtf8(error.utf8_error().valid_up_to()))
}

/// A UTF-16 byte-order mark, or ASCII text with a NUL after (or before)
/// every character, as Windows editors save "Unicode" text.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return true;
    }
    let sample = &bytes[..bytes.len().min(64) & !1];
    if sample.len() < 4 {
        return false;
    }
    let pairs = || sample.chunks_exact(2);
    let little_endian = pairs().all(|pair| pair[0] != 0 && pair[1] == 0);
    let big_endian = pairs().all(|pair| pair[0] == 0 && pair[1] != 0);
    little_endian || big_endian
}

#[cfg(unix)]
fn special_kind(metadata: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let kind = metadata.file_type();
    if kind.is_fifo() {
        "FIFO"
    } else if kind.is_socket() {
        "socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "device"
    } else {
        "special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::Metadata) -> &'static str {
    "special file"
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
        assert_eq!(validate(b"FROM a".to_vec()).unwrap(), "FROM a");
        assert_eq!(validate(b"\xff\xfeF\0R\0".to_vec()), Err(InputError::Utf16));
        assert_eq!(validate(b"F\0R\0O\0M\0".to_vec()), Err(InputError::Utf16));
    }

    #[test]
    fn empty_and_blank_files_are_valid() {
        assert_eq!(validate(Vec::new()).unwrap(), "");
        assert_eq!(validate(b" \n\n".to_vec()).unwrap(), " \n\n");
    }
}
