//! `--format github`: workflow commands GitHub Actions turns into annotations on the pull request
//! (escaped by [`super::escape::actions`]), then the summary line. The markdown job summary that
//! goes with it is the table's business ([`super::FORMATS`]); this module only appends it.

use std::fmt::Write as _;

use super::escape::actions::{data, percent, property};
use super::model::Report;
use crate::finding::Severity;

pub fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    for f in &report.findings {
        // Only findings that fail the run are annotated as errors or warnings.
        let command = match (f.severity, f.fails) {
            (_, false) => "notice",
            (Severity::Error, true) => "error",
            (Severity::Warning, true) => "warning",
            (Severity::Info, true) => "notice",
        };
        let mut properties = Vec::new();
        if let Some(file) = &f.file {
            properties.push(format!("file={}", property(file)));
        }
        if let Some(range) = f.range {
            properties.push(format!("line={}", range.start.line));
            properties.push(format!("col={}", range.start.column));
            properties.push(format!("endLine={}", range.end.line));
            if range.end.line == range.start.line {
                properties.push(format!("endColumn={}", range.end.column));
            }
        }
        properties.push(format!("title={}", property(&f.code)));
        // Each piece is escaped on its own: only opsgate's own separator is a line break.
        let mut message = data(&f.message);
        if let Some(note) = &f.note {
            let _ = write!(message, " [{}]", data(note));
        }
        if let Some(help) = &f.help {
            let _ = write!(message, "{}{}", percent("\nhelp: "), data(help));
        }
        let _ = writeln!(out, "::{command} {}::{message}", properties.join(","));
    }
    for error in report.policy_errors {
        let mut properties = Vec::new();
        if let Some(file) = &error.file {
            properties.push(format!("file={}", property(file)));
            properties.push(format!("line={}", error.line));
            properties.push(format!("col={}", error.column));
        }
        properties.push("title=POLICY-ERROR".to_owned());
        let _ = writeln!(
            out,
            "::error {}::{}",
            properties.join(","),
            data(&error.message)
        );
    }
    let _ = writeln!(out, "{}", super::summary::line(report));
    out
}

/// Appends `summary()` to the file GitHub names in `GITHUB_STEP_SUMMARY`, if any.
pub fn append_step_summary(summary: impl FnOnce() -> String) -> std::io::Result<()> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") else {
        return Ok(());
    };
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(summary().as_bytes())
}
