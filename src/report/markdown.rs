//! `--format markdown`: a pull-request comment (also the GitHub job summary). User content is
//! escaped ([`super::escape::markdown`]) so it can neither break the table nor inject HTML or links.

use std::fmt::Write as _;

use super::escape::markdown::text as md;
use super::model::Report;
use crate::finding::Severity;

fn icon(severity: Severity, fails: bool) -> &'static str {
    match (severity, fails) {
        (_, false) => "⚪ waived",
        (Severity::Error, _) => "🔴 error",
        (Severity::Warning, _) => "🟠 warning",
        (Severity::Info, _) => "🔵 info",
    }
}

pub fn render(report: &Report<'_>) -> String {
    let mut out = String::from("## opsgate\n\n");
    let t = &report.tally;
    let _ = writeln!(
        out,
        "{} artifacts checked as of {}: **{} errors**, {} warnings, {} info, {} waived{}.\n",
        report.stats.artifacts,
        report.as_of,
        t.errors,
        t.warnings,
        t.infos,
        t.waived,
        if report.policy_errors.is_empty() {
            String::new()
        } else {
            format!(", {} policy errors", report.policy_errors.len())
        }
    );
    if report.findings.is_empty() && report.policy_errors.is_empty() {
        out.push_str("No findings. ✅\n");
        return out;
    }
    out.push_str("| | rule | where | finding |\n|---|---|---|---|\n");
    for f in &report.findings {
        let place = match (&f.file, f.range) {
            (Some(file), Some(range)) => format!("{}:{}", md(file), range.start.line),
            (Some(file), None) => md(file),
            _ => String::new(),
        };
        let mut message = md(&f.message);
        if let Some(note) = &f.note {
            let _ = write!(message, " ({})", md(note));
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            icon(f.severity, f.fails),
            md(&f.code),
            place,
            message
        );
    }
    for error in report.policy_errors {
        let _ = writeln!(
            out,
            "| 🔴 policy error | | {} | {} |",
            error.file.as_deref().map(md).unwrap_or_default(),
            md(&error.message)
        );
    }
    out.push_str("\n`opsgate explain CODE` explains a rule and how to fix it.\n");
    out
}
