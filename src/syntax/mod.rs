//! The lossless Dockerfile syntax tree.
//!
//! We use `rowan`, the green/red tree behind rust-analyzer and taplo, rather
//! than a tree of our own: every byte of the input is a token, nodes only
//! group tokens, so printing the tree gives the input back by construction,
//! for any input. Red nodes know their absolute offsets, which is what
//! transforms need to emit byte-range edits. BuildKit's own reading of the
//! file (continuations, directives, heredocs, flags) is reproduced in
//! [`parser`] and [`command`]; typed views in [`ast`] expose it so no
//! transform re-parses text by hand.

pub mod ast;
pub mod command;
pub mod dump;
pub mod image_ref;
pub mod kind;
pub mod line_index;
pub mod logical;
pub mod memo;
pub mod parser;
pub mod stage_shell;

pub use ast::*;
pub use kind::{SyntaxElement, SyntaxKind, SyntaxNode, SyntaxToken};
pub use line_index::LineIndex;
pub use logical::LogicalLine;
pub use parser::Diagnostic;
