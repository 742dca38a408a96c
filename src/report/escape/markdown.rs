//! GitHub Flavored Markdown (PR comments, job summaries, the auditor's markdown reports).

use super::visible;

/// Escapes text for a markdown table cell (GitHub Flavored Markdown): [`visible`] first (line
/// breaks and invisible characters visible), then HTML, markdown punctuation and pipes, and what
/// GitHub would turn into a link or a notification: `@mentions` and e-mail addresses get a
/// zero-width space after the `@` (as Renovate's comments do), URL schemes an escaped `:` and
/// `www.` an escaped `.` (GFM's autolinks).
pub fn text(text: &str) -> String {
    let text = visible(text);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("&#124;"),
            '@' => out.push_str("@&#8203;"),
            '.' if out.len() >= 3 && out[out.len() - 3..].eq_ignore_ascii_case("www") => {
                out.push_str("\\.")
            }
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '!' | '~' | '$' | ':' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Text inside a code span (`` `…` ``): a backtick would end the span, so it becomes `'`.
pub fn code(text: &str) -> String {
    text.replace('`', "'")
}
