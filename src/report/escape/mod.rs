//! Escaping, one module per target language. Artifacts and file names are written by anyone who
//! can open a pull request, and they reach terminals, CI logs, PR comments, dashboards and
//! spreadsheets: nothing from the repository may steer whatever displays opsgate's output.
//!
//! [`visible`] is the base every format but HTML starts from: control characters, line breaks and
//! invisible characters (bidirectional controls, zero-width spaces — "Trojan Source") become visible
//! escapes, and the text can never form a GitHub Actions workflow command (`::` at a line start,
//! `##[` anywhere). Each language's module then adds its own escaping on top; a renderer escapes
//! only through these modules.

pub mod actions;
pub mod csv;
pub mod html;
pub mod json;
pub mod markdown;
pub mod terminal;
pub mod xml;

use std::borrow::Cow;
use std::fmt::Write as _;

pub use crate::model::is_hidden;

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
}
