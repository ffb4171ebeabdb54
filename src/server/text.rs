//! Positions and edits between LSP's (line, UTF-16 unit) world and byte
//! offsets, and the minimal edits that turn one text into another.

use lsp_types::{Position, Range, TextEdit};

use crate::syntax::LineIndex;

/// Byte offset of an LSP position in `text`. A position past the end of a
/// line is its end; past the last line, the end of the text (as the LSP
/// specification asks).
pub fn offset(text: &str, position: Position) -> usize {
    let mut line_start = 0;
    for _ in 0..position.line {
        match text[line_start..].find('\n') {
            Some(at) => line_start += at + 1,
            None => return text.len(),
        }
    }
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |at| line_start + at);
    let mut units = 0;
    for (index, ch) in text[line_start..line_end].char_indices() {
        if units >= position.character as usize {
            return line_start + index;
        }
        units += ch.len_utf16();
    }
    line_end
}

/// LSP positions of byte offsets in one text. The line starts are found
/// once, so that converting every edit and diagnostic of a file costs a
/// binary search each (scanning from the start of the text for each one
/// took a quarter of formatting a 20 KB file).
pub struct Positions<'a> {
    text: &'a str,
    lines: LineIndex,
}

impl<'a> Positions<'a> {
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            lines: LineIndex::new(text),
        }
    }

    /// The LSP position of byte `offset`.
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.lines.line(offset);
        let before = &self.text[self.lines.line_start(line)..offset];
        let character = if before.is_ascii() {
            before.len()
        } else {
            before.chars().map(char::len_utf16).sum()
        };
        Position::new((line - 1) as u32, character as u32)
    }

    /// The LSP range of bytes `start..end`.
    pub fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end))
    }
}

/// The LSP position of byte `offset` in `text` (for one position; use
/// [`Positions`] for many).
pub fn position(text: &str, offset: usize) -> Position {
    Positions::new(text).position(offset)
}

/// Line-granular edits that turn `old` into `new`: one per changed run of
/// lines, so an editor keeps its marks and folds on the untouched ones.
pub fn minimal_edits(old: &str, new: &str) -> Vec<TextEdit> {
    let diff = similar::TextDiff::from_lines(old, new);
    let positions = Positions::new(old);
    let line_offset = |line: usize| {
        positions
            .lines
            .try_line_start(line + 1)
            .unwrap_or(old.len())
    };
    let mut edits = Vec::new();
    for operation in diff.ops() {
        if matches!(operation.tag(), similar::DiffTag::Equal) {
            continue;
        }
        let old_lines = operation.old_range();
        let new_text: String = operation
            .new_range()
            .filter_map(|index| diff.new_slice(index))
            .collect();
        let start = line_offset(old_lines.start);
        let end = line_offset(old_lines.end);
        edits.push(TextEdit {
            range: positions.range(start, end),
            new_text,
        });
    }
    edits
}

/// Applies LSP edits (non-overlapping, as a server sends them) to `text`.
pub fn apply_edits(text: &str, edits: &[TextEdit]) -> String {
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|edit| {
            (
                offset(text, edit.range.start),
                offset(text, edit.range.end),
                edit.new_text.as_str(),
            )
        })
        .collect();
    spans.sort_by_key(|(start, end, _)| (*start, *end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end, replacement) in spans {
        out.push_str(&text[at..start.max(at)]);
        out.push_str(replacement);
        at = end.max(at);
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        let text = "FROM a\nRUN echo 𝄞x\n";
        let at = text.find('x').unwrap();
        let position = position(text, at);
        assert_eq!(position, Position::new(1, 11));
        assert_eq!(offset(text, position), at);
        assert_eq!(offset(text, Position::new(9, 0)), text.len());
        assert_eq!(offset(text, Position::new(0, 99)), 6);
    }

    #[test]
    fn positions_agree_with_counting_from_the_start() {
        let text = "FROM a\r\nRUN echo 𝄞 é\n\n  x\nlast";
        let positions = Positions::new(text);
        for offset in (0..=text.len()).filter(|at| text.is_char_boundary(*at)) {
            let before = &text[..offset];
            let line = before.matches('\n').count() as u32;
            let line_start = before.rfind('\n').map_or(0, |at| at + 1);
            let character = before[line_start..]
                .chars()
                .map(char::len_utf16)
                .sum::<usize>();
            assert_eq!(
                positions.position(offset),
                Position::new(line, character as u32),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn minimal_edits_reproduce_the_new_text() {
        let old = "FROM a\nRUN a\nRUN b\nCMD x\n";
        let new = "FROM a\nRUN a && \\\n    b\nCMD x\n";
        let edits = minimal_edits(old, new);
        assert_eq!(edits.len(), 1);
        assert_eq!(edits[0].range.start, Position::new(1, 0));
        assert_eq!(apply_edits(old, &edits), new);
        assert!(minimal_edits(old, old).is_empty());
        let no_newline = "FROM a\nRUN a";
        assert_eq!(
            apply_edits(no_newline, &minimal_edits(no_newline, "FROM b\nRUN a")),
            "FROM b\nRUN a"
        );
    }
}
