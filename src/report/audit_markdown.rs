//! `opsgate report --format markdown`: the compliance report as markdown (for wikis and tickets).

use std::fmt::Write as _;

use super::markdown::escape;
use crate::audit::{AuditReport, FrameworkView};

pub fn render(report: &AuditReport) -> String {
    let s = &report.scope;
    let mut out = String::from("# Compliance report\n\n");
    let _ = writeln!(out, "- Repository: `{}`", s.repository.replace('`', "'"));
    if let Some(c) = &s.commit {
        let _ = writeln!(
            out,
            "- Commit: `{}` ({}, {})",
            c.sha,
            c.date,
            escape(&c.summary)
        );
    }
    if let Some(b) = &s.branch {
        let _ = writeln!(out, "- Branch: {}", escape(b));
    }
    let _ = writeln!(
        out,
        "- As of: {}\n- opsgate {}\n- Policy set: `{}` ({} rules)\n- Artifacts: {}\n",
        s.as_of, s.opsgate_version, s.policy_digest, s.rules, s.artifacts
    );
    if report.only.is_some() {
        out.push_str("*Only the failed requirements are shown.*\n\n");
    }
    let t = &report.totals;
    let _ = writeln!(
        out,
        "**{} requirements: {} met, {} failed, {} waived, {} disabled by the configuration, {} not applicable.**\n",
        t.total(),
        t.met,
        t.failed,
        t.waived,
        t.disabled,
        t.not_applicable
    );
    out.push_str("| Management area | Met | Failed | Waived | N/A |\n|---|---|---|---|---|\n");
    for a in &report.areas {
        let c = &a.counts;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            escape(&a.title),
            c.met,
            c.failed,
            c.waived,
            c.not_applicable
        );
    }
    for a in &report.areas {
        let _ = writeln!(out, "\n## {}\n\n| Rule | Requirement | Status | Evidence | Findings |\n|---|---|---|---|---|", escape(&a.title));
        for r in report.requirements.iter().filter(|r| r.area == a.area) {
            let findings: Vec<String> = r
                .findings
                .iter()
                .map(|f| {
                    let waiver = f
                        .waiver
                        .as_ref()
                        .map_or(String::new(), |w| format!(" (waived by {})", escape(&w.id)));
                    format!(
                        "{}:{} {}{}",
                        escape(f.file.as_deref().unwrap_or("")),
                        f.line.unwrap_or(0),
                        escape(&f.message),
                        waiver
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                r.code,
                escape(&r.title),
                r.status.label(),
                r.evidence_total,
                findings.join("<br>")
            );
        }
    }
    let failed: Vec<_> = report
        .requirements
        .iter()
        .filter(|r| r.status == crate::audit::Status::Failed)
        .collect();
    if !failed.is_empty() {
        out.push_str("\n## Failed requirements: why and how to fix\n\n");
        for r in failed {
            let _ = writeln!(
                out,
                "- **{}** {}\n  - Why it matters: {}\n  - Remediation: {}",
                r.code,
                escape(&r.title),
                escape(&r.rationale),
                escape(&r.remediation)
            );
        }
    }
    if !report.waivers.is_empty() {
        out.push_str("\n## Risk acceptances\n\n| Acceptance | Justification | Scope | Risk owner | Approved by | Approved on | Expires |\n|---|---|---|---|---|---|---|\n");
        for w in &report.waivers {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                escape(&w.id),
                escape(&w.justification),
                escape(&w.scope),
                escape(&w.risk_owner),
                escape(&w.approver),
                escape(&w.approval_date),
                escape(&w.expires)
            );
        }
    }
    for view in &report.frameworks {
        let _ = writeln!(
            out,
            "\n## {}\n\n| Control | Status | Requirements |\n|---|---|---|",
            escape(&view.title)
        );
        for c in &view.controls {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                escape(&c.label()),
                c.status.label(),
                c.requirements.join(", ")
            );
        }
        render_uncovered(&mut out, view);
    }
    out
}

/// The framework's controls no rule covers, one line per group (Annex A theme, CIS Control, NIST
/// family), and what automation cannot prove.
pub fn render_uncovered(out: &mut String, view: &FrameworkView) {
    if view.uncovered.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n**Not covered by any rule: {} of {} controls.** {}\n",
        view.uncovered.len(),
        view.catalogued,
        escape(view.limits)
    );
    for group in view.uncovered_groups() {
        let items: Vec<String> = group.controls.iter().map(|u| escape(&u.label())).collect();
        if group.label.is_empty() {
            let _ = writeln!(out, "{}", items.join("; "));
        } else {
            let _ = writeln!(
                out,
                "- **{}** ({} of {}): {}",
                escape(&group.label),
                group.controls.len(),
                group.total,
                items.join("; ")
            );
        }
    }
}
