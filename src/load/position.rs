//! Byte offsets of the parser's markers. The position types themselves live in [`crate::position`]
//! (re-exported here), below the model and the findings that use them.

pub use crate::position::*;

/// Converts the parser's markers into byte offsets.
///
/// saphyr's markers count characters; miette and every editor-facing output want bytes. The offset
/// is derived from the marker's line and column rather than its character index: saphyr-parser
/// 0.3.4 advances that index by bytes over a `%` directive line, so after a directive with
/// non-ASCII text every index is too large (found by fuzzing), while lines and columns stay right.
pub struct OffsetMap {
    /// Byte offset of each character, only for non-ASCII text.
    char_starts: Option<Vec<usize>>,
    /// Where each line starts and where its line break (or the text) ends it (byte offsets for
    /// ASCII text, character indices otherwise), and whether it starts with a byte-order mark.
    lines: Vec<Line>,
    text_len: usize,
    /// Bytes skipped before the text handed to the parser (a UTF-8 byte-order mark).
    shift: usize,
    /// Line and column of the end of the text. saphyr's marker at the end of a file without a
    /// final line break names a line past the last one (found by fuzzing).
    end: (usize, usize),
    /// Where the text handed to the parser was rewritten shorter ([`OffsetMap::with_rewrites`]):
    /// (line, column in the rewritten text after which, characters removed), in order.
    rewrites: Vec<(usize, usize, usize)>,
}

impl OffsetMap {
    /// The map of `text` when the parser reads a rewritten copy of it, shorter on some lines:
    /// `rewrites` lists (line, column in the rewritten text after which, characters removed).
    pub fn with_rewrites(text: &str, shift: usize, rewrites: Vec<(usize, usize, usize)>) -> Self {
        OffsetMap {
            rewrites,
            ..OffsetMap::new(text, shift)
        }
    }

    /// Characters the rewrites removed before column `col` of `line` (both as the parser sees them).
    fn removed_before(&self, line: usize, col: usize) -> usize {
        if self.rewrites.is_empty() {
            return 0;
        }
        let first = self.rewrites.partition_point(|(l, _, _)| *l < line);
        self.rewrites[first..]
            .iter()
            .take_while(|(l, c, _)| *l == line && *c < col)
            .map(|(_, _, removed)| removed)
            .sum()
    }

    pub fn new(text: &str, shift: usize) -> Self {
        let char_starts = if text.is_ascii() {
            None
        } else {
            Some(text.char_indices().map(|(at, _)| at).collect())
        };
        let (lines, end) = lines_of(text, char_starts.is_none());
        OffsetMap {
            char_starts,
            lines,
            text_len: text.len(),
            shift,
            end,
            rewrites: Vec::new(),
        }
    }

    /// The byte offset of a character index into the text handed to the parser.
    pub fn byte_offset(&self, char_index: usize) -> usize {
        let local = match &self.char_starts {
            None => char_index.min(self.text_len),
            Some(starts) => starts.get(char_index).copied().unwrap_or(self.text_len),
        };
        local + self.shift
    }

    pub fn position(&self, marker: &saphyr_parser::Marker) -> Position {
        let line = marker.line().max(1);
        let Some(&Line {
            start: line_start,
            end: line_end,
            bom,
        }) = self.lines.get(line - 1)
        else {
            return self.end_position();
        };
        // saphyr skips a byte-order mark at the start of a line without counting it.
        // On a directive line itself saphyr's column counts bytes too, and may run past the
        // line: such a position is kept on its line, at its end (found by fuzzing).
        let col = (marker.col() + usize::from(bom) + self.removed_before(line, marker.col()))
            .min(line_end - line_start);
        let column = col + 1;
        let offset = self.byte_offset(line_start + col);
        if offset >= self.text_len + self.shift {
            return self.end_position();
        }
        Position {
            offset,
            line,
            column,
        }
    }

    fn end_position(&self) -> Position {
        Position {
            offset: self.text_len + self.shift,
            line: self.end.0,
            column: self.end.1,
        }
    }

    pub fn range(&self, span: &saphyr_parser::Span) -> TextRange {
        TextRange {
            start: self.position(&span.start),
            end: self.position(&span.end),
        }
    }
}

/// One line of a text, in bytes (ASCII text) or characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Line {
    start: usize,
    /// Where its line break starts, or the text ends.
    end: usize,
    /// It starts with a byte-order mark, which saphyr skips without counting a column.
    bom: bool,
}

/// Where each line starts and ends (in bytes when `ascii`, else in characters), and the line and
/// column just after the last character, counting YAML's line breaks (`\n`, `\r\n`, a lone `\r`).
fn lines_of(text: &str, ascii: bool) -> (Vec<Line>, (usize, usize)) {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut bom = false;
    let mut crlf_at = None;
    let mut column = 1;
    let mut units = 0;
    let mut chars = text.char_indices().enumerate().peekable();
    while let Some((char_index, (byte, c))) = chars.next() {
        let at = if ascii { byte } else { char_index };
        units = at + 1;
        match c {
            '\r' if chars.peek().is_some_and(|(_, (_, c))| *c == '\n') => crlf_at = Some(at),
            '\n' | '\r' => {
                lines.push(Line {
                    start,
                    end: crlf_at.take().unwrap_or(at),
                    bom,
                });
                start = at + 1;
                bom = false;
                column = 1;
            }
            '\u{feff}' if at == start => {
                bom = true;
                column += 1;
            }
            _ => column += 1,
        }
    }
    lines.push(Line {
        start,
        end: units.max(start),
        bom,
    });
    let end = (lines.len(), column);
    (lines, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_end_of_a_file_is_on_its_last_line() {
        let end_of = |text: &str| lines_of(text, text.is_ascii()).1;
        assert_eq!(end_of(": opsgate/\nn"), (2, 2));
        assert_eq!(end_of("a\r\nb\r\n"), (3, 1));
        assert_eq!(end_of("a\rb"), (2, 2));
        assert_eq!(end_of("é\n"), (2, 1));
        assert_eq!(end_of(""), (1, 1));
        let spans = |text: &str, ascii| {
            lines_of(text, ascii)
                .0
                .iter()
                .map(|l| (l.start, l.end, l.bom))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            spans("ab\r\ncd\n", true),
            vec![(0, 2, false), (4, 6, false), (7, 7, false)]
        );
        assert_eq!(
            spans("é\r\u{feff}x", false),
            vec![(0, 1, false), (2, 4, true)]
        );
    }

    use crate::position::node_at as at;

    #[test]
    fn nearest_falls_back_to_the_closest_existing_parent() {
        let mut builder = PositionBuilder::default();
        builder.insert("", at(1));
        builder.insert("/spec", at(5));
        let index = builder.seal();
        let (found, spans) = index.nearest("/spec/approvals/0/date").unwrap();
        assert_eq!(found, "/spec");
        assert_eq!(spans.value.start.line, 5);
        assert_eq!(index.nearest("/metadata").unwrap().0, "");
    }

    #[test]
    fn tokens_are_escaped_per_rfc_6901() {
        assert_eq!(escape_token("a/b~c"), "a~1b~0c");
        assert_eq!(escape_token("plain"), "plain");
    }

    #[test]
    fn offsets_count_bytes_for_non_ascii_text() {
        let map = OffsetMap::new("é: x", 3);
        assert_eq!(map.byte_offset(0), 3);
        assert_eq!(map.byte_offset(1), 5);
        assert_eq!(map.byte_offset(99), 3 + "é: x".len());
    }
}
