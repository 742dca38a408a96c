//! The pieces the auditor's markdown reports share (as of a date, and over a period): the scope
//! lines, waiver references and the framework tables. Repository content goes through [`md`].

use std::fmt::Write as _;

use super::escape::markdown::{code, text as md};
use crate::audit::FrameworkView;

/// `- Repository: `…``.
pub fn repository_line(out: &mut String, repository: &str) {
    let _ = writeln!(out, "- Repository: `{}`", code(repository));
}

/// `- Branch: …`, when there is one.
pub fn branch_line(out: &mut String, branch: Option<&str>) {
    if let Some(b) = branch {
        let _ = writeln!(out, "- Branch: {}", md(b));
    }
}

/// opsgate's version and the policy set's digest: what the verdicts were reached with.
pub fn tool_lines(version: &str, digest: &str, rules: usize) -> String {
    format!("- opsgate {version}\n- Policy set: `{digest}` ({rules} rules)\n")
}

/// `RA-1 (approved by p-ana, expires 2027-01-31)`.
pub fn waiver(id: &str, approver: Option<&str>, expires: Option<&str>) -> String {
    format!(
        "{} (approved by {}, expires {})",
        md(id),
        md(approver.unwrap_or("?")),
        md(expires.unwrap_or("?"))
    )
}

/// A framework's table of controls (`status_column`: its heading) after a `## title` heading
/// (`lead`: what comes before it), and the controls no rule covers.
pub fn framework(out: &mut String, lead: &str, view: &FrameworkView, status_column: &str) {
    let _ = writeln!(
        out,
        "{lead}## {}\n\n| Control | {status_column} | Requirements |\n|---|---|---|",
        md(&view.title)
    );
    for c in &view.controls {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            md(&c.label()),
            c.status.label(),
            c.requirements.join(", ")
        );
    }
    uncovered(out, view);
}

/// The framework's controls no rule covers, one line per group (Annex A theme, CIS Control, NIST
/// family), and what automation cannot prove.
fn uncovered(out: &mut String, view: &FrameworkView) {
    if view.uncovered.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n**Not covered by any rule: {} of {} controls.** {}\n",
        view.uncovered.len(),
        view.catalogued,
        md(view.limits)
    );
    for group in view.uncovered_groups() {
        let items: Vec<String> = group.controls.iter().map(|u| md(&u.label())).collect();
        if group.label.is_empty() {
            let _ = writeln!(out, "{}", items.join("; "));
        } else {
            let _ = writeln!(
                out,
                "- **{}** ({} of {}): {}",
                md(&group.label),
                group.controls.len(),
                group.total,
                items.join("; ")
            );
        }
    }
}
