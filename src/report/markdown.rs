//! `--format markdown`: a pull-request comment (also the GitHub job summary). User content is
//! escaped so it can neither break the table nor inject HTML or links.

use std::fmt::Write as _;

use super::sanitize::visible;
use crate::check::CheckRun;
use crate::finding::Severity;

/// Escapes text for a markdown table cell (GitHub Flavored Markdown): the sanitiser first (line
/// breaks and invisible characters visible), then HTML, markdown punctuation and pipes, and what
/// GitHub would turn into a link or a notification: `@mentions` and e-mail addresses get a
/// zero-width space after the `@` (as Renovate's comments do), URL schemes an escaped `:` and
/// `www.` an escaped `.` (GFM's autolinks).
pub fn escape(text: &str) -> String {
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

fn icon(severity: Severity, waived: bool) -> &'static str {
    match (severity, waived) {
        (_, true) => "⚪ waived",
        (Severity::Error, _) => "🔴 error",
        (Severity::Warning, _) => "🟠 warning",
        (Severity::Info, _) => "🔵 info",
    }
}

pub fn render(run: &CheckRun) -> String {
    let mut out = String::from("## opsgate\n\n");
    let _ = writeln!(
        out,
        "{} artifacts checked as of {}: **{} errors**, {} warnings, {} info, {} waived{}.\n",
        run.stats.artifacts,
        run.as_of,
        run.count(Severity::Error),
        run.count(Severity::Warning),
        run.count(Severity::Info),
        run.waived(),
        if run.policy_errors.is_empty() {
            String::new()
        } else {
            format!(", {} policy errors", run.policy_errors.len())
        }
    );
    if run.reported().next().is_none() && run.policy_errors.is_empty() {
        out.push_str("No findings. ✅\n");
        return out;
    }
    out.push_str("| | rule | where | finding |\n|---|---|---|---|\n");
    for f in run.reported() {
        let place = match (&f.file, f.range) {
            (Some(file), Some(range)) => format!("{}:{}", escape(file), range.start.line),
            (Some(file), None) => escape(file),
            _ => String::new(),
        };
        let mut message = escape(&f.message);
        if let Some(note) = f.status_note() {
            let _ = write!(message, " ({})", escape(&note));
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            icon(f.severity, !f.counts()),
            escape(&f.code),
            place,
            message
        );
    }
    for error in &run.policy_errors {
        let _ = writeln!(
            out,
            "| 🔴 policy error | | {} | {} |",
            error.file.as_deref().map(escape).unwrap_or_default(),
            escape(&error.message)
        );
    }
    out.push_str("\n`opsgate explain CODE` explains a rule and how to fix it.\n");
    out
}
