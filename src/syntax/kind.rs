//! Every token and node kind of the Dockerfile syntax tree.

/// The kind of a token or node in the lossless tree.
///
/// Tokens carry text; nodes group tokens. Printing every token in order gives
/// the input back byte for byte, so kinds only describe what a byte *means*:
/// they never change what is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u16)]
#[allow(non_camel_case_types)]
pub enum SyntaxKind {
    // ---- tokens ----
    /// A UTF-8 byte-order mark at the very start of the file.
    BOM = 0,
    /// Whitespace that is not part of any instruction's text: indentation
    /// before a keyword, blank lines, and the blanks around skipped comment
    /// lines inside a continued instruction.
    WHITESPACE,
    /// Whitespace between the words of an instruction. It is part of the
    /// instruction's text as BuildKit sees it (the shell gets it verbatim).
    SPACE,
    /// A line ending: `\n`, `\r\n` (and any run of `\r` before the `\n`).
    NEWLINE,
    /// A `#` comment line (without its line ending).
    COMMENT,
    /// The instruction keyword (`RUN`, `from`, ...), in whatever case it was written.
    KEYWORD,
    /// A run of non-blank text in an instruction.
    WORD,
    /// The escape character that continues an instruction on the next line,
    /// with any blanks after it.
    LINE_CONTINUATION,
    /// The lines of a heredoc body, verbatim, line endings included.
    HEREDOC_BODY,
    /// The line that ends a heredoc (its delimiter, without the line ending).
    HEREDOC_END,

    // ---- nodes ----
    /// The whole file.
    ROOT,
    /// A parser directive line at the top of the file (`# syntax=`, `# escape=`, `# check=`).
    DIRECTIVE,
    /// One instruction with all its continuation lines and heredoc bodies.
    INSTRUCTION,
    /// An instruction BuildKit would not accept (unknown keyword, no arguments
    /// where some are required, ...). Its bytes are kept as they are.
    ERROR,
    /// A `--name` or `--name=value` builder flag.
    FLAG,
    /// The arguments of an instruction, after the keyword and its flags.
    ARGUMENTS,
    /// A heredoc body and its terminator line.
    HEREDOC,
}

use SyntaxKind::*;

impl SyntaxKind {
    pub fn is_trivia(self) -> bool {
        matches!(
            self,
            WHITESPACE | NEWLINE | COMMENT | LINE_CONTINUATION | BOM
        )
    }
}

impl From<SyntaxKind> for rowan::SyntaxKind {
    fn from(kind: SyntaxKind) -> Self {
        Self(kind as u16)
    }
}

#[derive(Debug, Copy, Clone, Ord, PartialOrd, Eq, PartialEq, Hash)]
pub enum DockerfileLanguage {}

impl rowan::Language for DockerfileLanguage {
    type Kind = SyntaxKind;

    fn kind_from_raw(raw: rowan::SyntaxKind) -> SyntaxKind {
        assert!(raw.0 <= HEREDOC as u16);
        // SAFETY: SyntaxKind is repr(u16) with contiguous discriminants from 0
        // to HEREDOC, and the assertion above keeps `raw` within them.
        unsafe { std::mem::transmute::<u16, SyntaxKind>(raw.0) }
    }

    fn kind_to_raw(kind: SyntaxKind) -> rowan::SyntaxKind {
        kind.into()
    }
}

pub type SyntaxNode = rowan::SyntaxNode<DockerfileLanguage>;
pub type SyntaxToken = rowan::SyntaxToken<DockerfileLanguage>;
pub type SyntaxElement = rowan::SyntaxElement<DockerfileLanguage>;
