//! The few lines of a file a text diagnostic shows, cut to size.
//!
//! A snippet never holds more than the labelled lines and one line of context on each side, and a
//! long line is cut to a window around its label: a 9 MB one-line JSON artifact prints a few
//! hundred characters, not 9 MB, and no column reaches the range where the renderer misbehaves
//! (miette panicked on labels past column 65,535). Building it costs the size of those lines, not
//! of the file, so a thousand findings in one large file stay cheap.

use miette::{LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use super::escape::{terminal::mask_controls, visible};
use crate::position::TextRange;

/// Characters of a line shown at most; a longer line is cut around its first label.
pub const MAX_LINE_CHARS: usize = 200;
/// Characters shown before a label that starts far into a long line.
const LEAD_CHARS: usize = 40;
/// Lines of one label shown at most (a long block scalar is labelled by its first lines).
const MAX_LABEL_LINES: usize = 6;
/// A second label further than this from the first is left out of the snippet (the message names
/// its line).
const MAX_GAP_LINES: usize = 6;

/// A label to place: its range in the original file, its text, whether it is the primary one.
pub struct Label {
    pub range: TextRange,
    pub text: Option<String>,
    pub primary: bool,
}

/// The cut-down source and its labels, re-based onto it.
pub struct Excerpt {
    name: String,
    text: String,
    /// 0-based number of the excerpt's first line in the file.
    first_line: usize,
    /// For each excerpt line: characters of the file's line cut away before what is shown.
    cut: Vec<usize>,
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner =
            self.text
                .as_str()
                .read_span(span, context_lines_before, context_lines_after)?;
        // The renderer counts the column in bytes; a cut line starts with `…` (3 bytes) in place
        // of the characters cut away.
        let column = match self.cut.get(inner.line()).copied().unwrap_or(0) {
            0 => inner.column(),
            cut => (inner.column() + cut).saturating_sub('…'.len_utf8()),
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            column,
            inner.line_count(),
        )))
    }
}

/// The excerpt of `text` (named `name`) around `labels`, or `None` when no label lies in the text.
pub fn excerpt(name: &str, text: &str, labels: &[Label]) -> Option<(Excerpt, Vec<LabeledSpan>)> {
    let primary = labels.iter().find(|l| l.primary).or(labels.first())?;
    let near = |l: &&Label| {
        l.range.start.line.abs_diff(primary.range.start.line) <= MAX_GAP_LINES
            && l.range.start.offset <= text.len()
    };
    let shown: Vec<&Label> = labels.iter().filter(near).collect();
    let clamp_end = |l: &Label| {
        l.range
            .end
            .line
            .clamp(l.range.start.line, l.range.start.line + MAX_LABEL_LINES - 1)
    };
    let low = shown.iter().map(|l| l.range.start.line).min()?.max(1);
    let high = shown.iter().map(|l| clamp_end(l)).max()?;
    let first = low.saturating_sub(1).max(1);
    let last = high + 1;

    // Byte offset where line `first` starts: walk back from the earliest label.
    let anchor = shown.iter().map(|l| l.range.start).min()?;
    let mut start = line_start(text, anchor.offset.min(text.len()));
    for _ in first..anchor.line.max(1) {
        start = line_start(text, start.saturating_sub(1));
    }

    let mut out = Excerpt {
        name: visible(name).into_owned(),
        text: String::new(),
        first_line: first - 1,
        cut: Vec::new(),
    };
    // (file offset of the line start, cut chars, excerpt offset of the line start, line length)
    let mut lines: Vec<LineMap> = Vec::new();
    let mut at = start;
    for _ in first..=last {
        if at > text.len() || (at == text.len() && !lines.is_empty()) {
            break;
        }
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let raw = text[at..end].strip_suffix('\r').unwrap_or(&text[at..end]);
        let focus = shown
            .iter()
            .filter(|l| l.range.start.offset >= at && l.range.start.offset <= end)
            .map(|l| text[at..l.range.start.offset.min(end)].chars().count())
            .min();
        let map = cut_line(raw, focus, at, out.text.len());
        out.text.push_str(&map.shown);
        out.text.push('\n');
        out.cut.push(map.cut);
        lines.push(map);
        at = end + 1;
    }
    let spans = shown
        .iter()
        .filter_map(|l| span_of(l, &lines, text))
        .collect();
    Some((out, spans))
}

/// A label placed on the excerpt (`None` when its place was cut away).
fn span_of(l: &Label, lines: &[LineMap], text: &str) -> Option<LabeledSpan> {
    let from = rebase(lines, text, l.range.start.offset, false)?;
    let to = rebase(lines, text, l.range.end.offset, true).unwrap_or(from);
    let span = SourceSpan::new(from.into(), to.max(from) - from);
    // A label (a pointer) can be as long as the keys it is made of.
    let text = l.text.as_deref().map(shorten);
    Some(if l.primary {
        LabeledSpan::new_primary_with_span(text, span)
    } else {
        LabeledSpan::new_with_span(text, span)
    })
}

/// `text` cut to [`MAX_LINE_CHARS`] characters, with `…` where it was cut.
fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_LINE_CHARS {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(MAX_LINE_CHARS - 1).collect();
    short.push('…');
    short
}

struct LineMap {
    /// Byte offset of the line in the file, and its end (before any line break).
    file_start: usize,
    file_end: usize,
    /// Characters cut from its start (0 when none).
    cut: usize,
    /// Byte offset of the line in the excerpt.
    excerpt_start: usize,
    shown: String,
}

fn line_start(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// One line, masked, and cut to [`MAX_LINE_CHARS`] around the character `focus` if it is longer.
fn cut_line(raw: &str, focus: Option<usize>, file_start: usize, excerpt_start: usize) -> LineMap {
    let count = raw.chars().count();
    let file_end = file_start + raw.len();
    if count <= MAX_LINE_CHARS {
        return LineMap {
            file_start,
            file_end,
            cut: 0,
            excerpt_start,
            shown: expand_tabs(&mask_controls(raw)),
        };
    }
    let from = focus
        .unwrap_or(0)
        .saturating_sub(LEAD_CHARS)
        .min(count - MAX_LINE_CHARS);
    let kept: String = raw.chars().skip(from).take(MAX_LINE_CHARS).collect();
    let mut shown = String::new();
    if from > 0 {
        shown.push('…');
    }
    shown.push_str(&expand_tabs(&mask_controls(&kept)));
    if from + MAX_LINE_CHARS < count {
        shown.push('…');
    }
    LineMap {
        file_start,
        file_end,
        cut: from,
        excerpt_start,
        shown,
    }
}

/// Tabs as single spaces: the renderer widens a tab to several columns, which moves labels off
/// the text they underline; one column per character keeps them in place.
fn expand_tabs(text: &str) -> String {
    text.replace('\t', " ")
}

/// The excerpt offset of file offset `offset`; past a cut line's shown part it lands at its end.
fn rebase(lines: &[LineMap], text: &str, offset: usize, is_end: bool) -> Option<usize> {
    let line = lines
        .iter()
        .find(|l| offset >= l.file_start && offset <= l.file_end)
        .or_else(|| is_end.then(|| lines.last()).flatten())?;
    let offset = offset.clamp(line.file_start, line.file_end);
    let mut boundary = offset;
    while !text.is_char_boundary(boundary) {
        boundary -= 1;
    }
    let chars_in = text[line.file_start..boundary].chars().count();
    let lead = usize::from(line.cut > 0) * '…'.len_utf8();
    let in_shown = chars_in.saturating_sub(line.cut);
    // Byte length of the first `in_shown` characters of what is shown (after the lead `…`).
    let bytes: usize = line.shown[lead..]
        .chars()
        .take(in_shown)
        .map(char::len_utf8)
        .sum();
    Some(line.excerpt_start + lead + bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::position::Position;

    fn range(text: &str, needle: &str) -> TextRange {
        let offset = text.find(needle).unwrap();
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap().chars().count() + 1;
        let start = Position {
            offset,
            line,
            column,
        };
        let end = Position {
            offset: offset + needle.len(),
            line,
            column: column + needle.chars().count(),
        };
        TextRange { start, end }
    }

    fn label(range: TextRange) -> Label {
        Label {
            range,
            text: Some("here".into()),
            primary: true,
        }
    }

    #[test]
    fn only_the_labelled_lines_and_their_neighbours_are_kept() {
        let text = "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\n";
        let (excerpt, spans) = excerpt("f.yaml", text, &[label(range(text, "3"))]).unwrap();
        assert_eq!(excerpt.text, "b: 2\nc: 3\nd: 4\n");
        assert_eq!(excerpt.first_line, 1);
        assert_eq!(&excerpt.text[spans[0].offset()..][..1], "3");
    }

    #[test]
    fn a_long_line_is_cut_around_its_label() {
        let text = format!("{{\"a\": \"{}\", \"bad\": 1}}\n", "x".repeat(100_000));
        let (excerpt, spans) = excerpt("f.json", &text, &[label(range(&text, "bad"))]).unwrap();
        assert!(
            excerpt.text.chars().count() < MAX_LINE_CHARS + 4,
            "{}",
            excerpt.text
        );
        assert!(excerpt.text.starts_with('…'));
        assert_eq!(&excerpt.text[spans[0].offset()..][..3], "bad");
        let contents = excerpt.read_span(&spans[0].inner().clone(), 0, 0).unwrap();
        assert_eq!(contents.column() + 1, range(&text, "bad").start.column);
    }
}
