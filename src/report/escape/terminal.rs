//! Terminal (and CI log) text: [`super::visible`] for one-line values; [`mask_controls`] for the
//! source snippets the text format prints, whose byte offsets must stay those of the file.

use super::is_hidden;

/// The text of a source file made safe to print in a snippet: every unwanted character becomes `?`
/// repeated to its UTF-8 length, so the byte offsets of spans into the original text stay right.
/// A carriage return survives only as part of a CRLF line ending; `##[` becomes `?#[` (a legacy
/// Actions command may start anywhere in a line; snippet lines start with their number, so `::`
/// cannot begin one).
pub fn mask_controls(text: &str) -> String {
    let mut chars = text.char_indices().peekable();
    let mut masked = String::with_capacity(text.len());
    while let Some((at, c)) = chars.next() {
        let keep = match c {
            '\r' => chars.peek().is_some_and(|(_, next)| *next == '\n'),
            '\n' | '\t' => true,
            '#' => !text[at..].starts_with("##["),
            c => !is_hidden(c),
        };
        if keep {
            masked.push(c);
        } else {
            masked.extend(std::iter::repeat_n('?', c.len_utf8()));
        }
    }
    masked
}

#[cfg(test)]
mod tests {
    #[test]
    fn masked_source_keeps_every_byte_offset() {
        let text = "id: \u{1b}[2J\r\nname: \u{202e}x\rb\u{85}\n# ##[x]\n";
        let masked = super::mask_controls(text);
        assert_eq!(masked.len(), text.len());
        assert_eq!(masked, "id: ?[2J\r\nname: ???x?b??\n# ?#[x]\n");
    }
}
