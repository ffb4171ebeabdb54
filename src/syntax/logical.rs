//! The text of an instruction as BuildKit sees it, mapped back to the file.
//!
//! BuildKit joins an instruction's continuation lines into one "logical"
//! line: it drops the escape character that ends a line, skips comment lines
//! and blank lines in between, and keeps everything else (including the
//! indentation of continuation lines). Transforms reason about that joined
//! text but must edit the file, so every logical byte keeps its file offset.

use std::ops::Range;

/// A contiguous run of logical text that is also contiguous in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    logical: usize,
    source: usize,
    len: usize,
}

/// Joined instruction text plus the map from its bytes to file offsets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogicalLine {
    text: String,
    segments: Vec<Segment>,
}

impl LogicalLine {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `piece`, which starts at file offset `source`.
    pub fn push(&mut self, source: usize, piece: &str) {
        if piece.is_empty() {
            return;
        }
        let logical = self.text.len();
        match self.segments.last_mut() {
            Some(last) if last.source + last.len == source => last.len += piece.len(),
            _ => self.segments.push(Segment {
                logical,
                source,
                len: piece.len(),
            }),
        }
        self.text.push_str(piece);
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// File offset of the logical byte at `offset` (or just past the last
    /// byte when `offset` is the length of the text).
    pub fn source_offset(&self, offset: usize) -> usize {
        if offset >= self.text.len() {
            return self
                .segments
                .last()
                .map_or(0, |segment| segment.source + segment.len);
        }
        let index = self
            .segments
            .partition_point(|segment| segment.logical + segment.len <= offset);
        let segment = self.segments[index];
        segment.source + (offset - segment.logical)
    }

    /// File offset just past the logical byte before `end`: the end of a
    /// range never reaches over a line continuation that follows it.
    pub fn source_end(&self, end: usize) -> usize {
        if end == 0 {
            return self.segments.first().map_or(0, |segment| segment.source);
        }
        let index = self
            .segments
            .partition_point(|segment| segment.logical + segment.len < end);
        let segment = self.segments[index.min(self.segments.len() - 1)];
        segment.source + (end - segment.logical)
    }

    /// The file range that covers the logical range `range`.
    pub fn source_range(&self, range: Range<usize>) -> Range<usize> {
        if range.is_empty() {
            let at = self.source_offset(range.start);
            return at..at;
        }
        self.source_offset(range.start)..self.source_end(range.end)
    }

    /// The logical offset of file offset `source`, if that byte is part of
    /// the logical text.
    pub fn logical_offset(&self, source: usize) -> Option<usize> {
        self.segments
            .iter()
            .find(|segment| (segment.source..segment.source + segment.len).contains(&source))
            .map(|segment| segment.logical + (source - segment.source))
    }

    /// True when the logical range lies on one contiguous stretch of the
    /// file (no continuation, comment or blank line inside it).
    pub fn is_contiguous(&self, range: Range<usize>) -> bool {
        let source = self.source_range(range.clone());
        source.end - source.start == range.end - range.start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_offsets_across_a_gap() {
        let mut line = LogicalLine::new();
        line.push(4, "echo a ");
        line.push(14, "  b");
        assert_eq!(line.text(), "echo a   b");
        assert_eq!(line.source_offset(0), 4);
        assert_eq!(line.source_offset(7), 14);
        assert_eq!(line.source_end(7), 11);
        assert_eq!(line.source_range(5..10), 9..17);
        assert_eq!(line.logical_offset(15), Some(8));
        assert_eq!(line.logical_offset(12), None);
        assert!(line.is_contiguous(0..6));
        assert!(!line.is_contiguous(5..9));
    }

    #[test]
    fn merges_adjacent_pieces() {
        let mut line = LogicalLine::new();
        line.push(0, "ab");
        line.push(2, "cd");
        assert_eq!(line.segments.len(), 1);
    }
}
