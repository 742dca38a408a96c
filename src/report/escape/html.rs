//! HTML text and attribute values (the auditor's pages).

use std::fmt::Write as _;

use super::is_hidden;

/// Text for an HTML element or a quoted attribute. Line breaks and tabs are kept (the page's
/// layout decides); control and invisible characters (bidirectional overrides …) are shown as
/// `\u{…}`, not obeyed.
pub fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if is_hidden(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}
