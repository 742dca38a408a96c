//! `--format github`: workflow commands GitHub Actions turns into annotations on the pull request,
//! and a markdown job summary appended to `$GITHUB_STEP_SUMMARY` when it is set.
//!
//! Every value is escaped the way the runner unescapes it, so a message cannot end its command
//! early or inject a new one (`::`, newlines and `%` in user content are neutralised).

use std::fmt::Write as _;

use super::sanitize::visible;
use crate::check::CheckRun;
use crate::finding::Severity;

/// Escaping for the message part of a workflow command: the sanitiser first (line breaks, control
/// and invisible characters visible, `##[` broken), then the runner's own percent-escapes.
pub fn escape_data(text: &str) -> String {
    percent(&visible(text))
}

fn percent(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping for a `key=value` property of a workflow command.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(run: &CheckRun) -> String {
    let mut out = String::new();
    for f in run.reported() {
        // Only findings that fail the run are annotated as errors or warnings.
        let command = match (f.severity, f.counts()) {
            (_, false) => "notice",
            (Severity::Error, true) => "error",
            (Severity::Warning, true) => "warning",
            (Severity::Info, true) => "notice",
        };
        let mut properties = Vec::new();
        if let Some(file) = &f.file {
            properties.push(format!("file={}", escape_property(file)));
        }
        if let Some(range) = f.range {
            properties.push(format!("line={}", range.start.line));
            properties.push(format!("col={}", range.start.column));
            properties.push(format!("endLine={}", range.end.line));
            if range.end.line == range.start.line {
                properties.push(format!("endColumn={}", range.end.column));
            }
        }
        properties.push(format!("title={}", escape_property(&f.code)));
        // Each piece is escaped on its own: only opsgate's own separator is a line break.
        let mut message = escape_data(&f.message);
        if let Some(note) = f.status_note() {
            let _ = write!(message, " [{}]", escape_data(&note));
        }
        if let Some(help) = &f.help {
            let _ = write!(message, "{}{}", percent("\nhelp: "), escape_data(help));
        }
        let _ = writeln!(out, "::{command} {}::{message}", properties.join(","));
    }
    for error in &run.policy_errors {
        let mut properties = Vec::new();
        if let Some(file) = &error.file {
            properties.push(format!("file={}", escape_property(file)));
            properties.push(format!("line={}", error.line));
            properties.push(format!("col={}", error.column));
        }
        properties.push("title=POLICY-ERROR".to_owned());
        let _ = writeln!(
            out,
            "::error {}::{}",
            properties.join(","),
            escape_data(&error.message)
        );
    }
    let _ = writeln!(out, "{}", crate::report::text::summary(run));
    out
}

/// Appends the markdown summary to the file GitHub names in `GITHUB_STEP_SUMMARY`, if any.
pub fn write_step_summary(run: &CheckRun) -> std::io::Result<()> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") else {
        return Ok(());
    };
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(super::markdown::render(run).as_bytes())
}
