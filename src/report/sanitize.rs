//! Keeping repository content from steering whatever displays opsgate's output: artifacts and file
//! names are written by anyone who can open a pull request, and they reach terminals, CI logs, PR
//! comments and dashboards.
//!
//! One sanitiser for every format ([`visible`]): control characters, line breaks and invisible
//! characters (bidirectional controls, zero-width spaces — "Trojan Source") become visible escapes,
//! and the text can never form a GitHub Actions workflow command (`::` at a line start, `##[`
//! anywhere). Formats then add their own escaping (markdown, XML, JSON) on top.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Repository text as one visible line: `\n`, `\r`, `\t` spelled out, every other control or
/// invisible character as `\u{…}`, and workflow-command markers broken (`:\:`, `#\#[`).
pub fn visible(text: &str) -> Cow<'_, str> {
    if !needs_escaping(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut at_line_start = true;
    for (at, c) in text.char_indices() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_hidden(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            // The runner trims leading whitespace before looking for `::`.
            ':' if at_line_start && text[at..].starts_with("::") => {
                out.push_str(":\\");
            }
            '#' if text[at..].starts_with("##[") => {
                out.push_str("#\\");
            }
            c => out.push(c),
        }
        at_line_start = at_line_start && c.is_whitespace() && !matches!(c, '\n' | '\r');
    }
    Cow::Owned(out)
}

fn needs_escaping(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(c, '\n' | '\r' | '\t') || is_hidden(c))
        || text.trim_start().starts_with("::")
        || text.contains("##[")
}

pub use crate::model::is_hidden;

/// Kept for callers that want the old name: the same as [`visible`].
pub fn strip_controls(text: &str) -> String {
    visible(text).into_owned()
}

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

/// JSON text (from serde_json) with every hidden character written as a `\uXXXX` escape: serde_json
/// escapes only C0 controls, and a raw U+202E or C1 control would reach whoever views the file.
/// `##[` becomes `#\u0023[` too: JSON printed in a CI log must not hold a legacy workflow command.
/// Such characters can only occur inside JSON strings, so the document and its values stay the same.
pub fn escape_json_hidden(json: String) -> String {
    if !json.chars().any(is_hidden) && !json.contains("##[") {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 64);
    let mut escape_hash = false;
    for (at, c) in json.char_indices() {
        if escape_hash {
            out.push_str("\\u0023");
            escape_hash = false;
        } else if is_hidden(c) && !matches!(c, '\n' | '\r' | '\t') {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            // `##[` → `#\u0023[`: the second `#` is escaped on the next step.
            escape_hash = c == '#' && json[at..].starts_with("##[");
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_invisible_characters_become_visible() {
        assert_eq!(
            visible("a\u{1b}[31mred\u{7}\r\nb\u{202e}c\u{2028}"),
            "a\\u{1b}[31mred\\u{7}\\r\\nb\\u{202e}c\\u{2028}"
        );
        assert_eq!(visible("plain: text"), "plain: text");
        assert!(matches!(visible("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn workflow_commands_cannot_form() {
        assert_eq!(visible("::add-mask::x"), ":\\:add-mask::x");
        assert_eq!(visible("  ::error::x"), "  :\\:error::x");
        assert_eq!(visible("id\n::error::x"), "id\\n::error::x");
        assert_eq!(visible("a ##[stop-commands]"), "a #\\#[stop-commands]");
        assert_eq!(visible("fe80::1"), "fe80::1");
    }

    #[test]
    fn masked_source_keeps_every_byte_offset() {
        let text = "id: \u{1b}[2J\r\nname: \u{202e}x\rb\u{85}\n# ##[x]\n";
        let masked = mask_controls(text);
        assert_eq!(masked.len(), text.len());
        assert_eq!(masked, "id: ?[2J\r\nname: ???x?b??\n# ?#[x]\n");
    }

    #[test]
    fn json_keeps_hidden_characters_escaped() {
        let json = serde_json::to_string("a\u{202e}b\u{85}\u{1F600} ###[x]").unwrap();
        let escaped = escape_json_hidden(json);
        assert_eq!(escaped, "\"a\\u202eb\\u0085\u{1F600} ##\\u0023[x]\"");
        let back: String = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back, "a\u{202e}b\u{85}\u{1F600} ###[x]");
    }
}
