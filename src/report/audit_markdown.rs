//! `opsgate report --format markdown`: the compliance report as markdown (for wikis and tickets).

use std::fmt::Write as _;

use super::escape::markdown::text as md;
use super::page_markdown as page;
use crate::audit::{AuditReport, FindingEntry, Requirement, Status};

pub fn render(report: &AuditReport) -> String {
    let mut out = String::from("# Compliance report\n\n");
    scope(&mut out, report);
    if report.only.is_some() {
        out.push_str("*Only the failed requirements are shown.*\n\n");
    }
    summary(&mut out, report);
    for a in &report.areas {
        let _ = writeln!(out, "\n## {}\n\n| Rule | Requirement | Status | Evidence | Findings |\n|---|---|---|---|---|", md(&a.title));
        for r in report.requirements.iter().filter(|r| r.area == a.area) {
            requirement(&mut out, r);
        }
    }
    failed(&mut out, report);
    waivers(&mut out, report);
    for view in &report.frameworks {
        page::framework(&mut out, "\n", view, "Status");
    }
    out
}

fn scope(out: &mut String, report: &AuditReport) {
    let s = &report.scope;
    page::repository_line(out, &s.repository);
    if let Some(c) = &s.commit {
        let _ = writeln!(
            out,
            "- Commit: `{}` ({}, {})",
            c.sha,
            c.date,
            md(&c.summary)
        );
    }
    page::branch_line(out, s.branch.as_deref());
    let _ = writeln!(
        out,
        "- As of: {}\n{}- Artifacts: {}\n",
        s.as_of,
        page::tool_lines(s.opsgate_version, &s.policy_digest, s.rules),
        s.artifacts
    );
}

fn summary(out: &mut String, report: &AuditReport) {
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
            md(&a.title),
            c.met,
            c.failed,
            c.waived,
            c.not_applicable
        );
    }
}

fn requirement(out: &mut String, r: &Requirement) {
    let findings: Vec<String> = r.findings.iter().map(finding).collect();
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} |",
        r.code,
        md(&r.title),
        r.status.label(),
        r.evidence_total,
        findings.join("<br>")
    );
}

fn finding(f: &FindingEntry) -> String {
    let waiver = f
        .waiver
        .as_ref()
        .map_or(String::new(), |w| format!(" (waived by {})", md(&w.id)));
    format!(
        "{}:{} {}{}",
        md(f.file.as_deref().unwrap_or("")),
        f.line.unwrap_or(0),
        md(&f.message),
        waiver
    )
}

fn failed(out: &mut String, report: &AuditReport) {
    let failed: Vec<_> = report
        .requirements
        .iter()
        .filter(|r| r.status == Status::Failed)
        .collect();
    if failed.is_empty() {
        return;
    }
    out.push_str("\n## Failed requirements: why and how to fix\n\n");
    for r in failed {
        let _ = writeln!(
            out,
            "- **{}** {}\n  - Why it matters: {}\n  - Remediation: {}",
            r.code,
            md(&r.title),
            md(&r.rationale),
            md(&r.remediation)
        );
    }
}

fn waivers(out: &mut String, report: &AuditReport) {
    if report.waivers.is_empty() {
        return;
    }
    out.push_str("\n## Risk acceptances\n\n| Acceptance | Justification | Scope | Risk owner | Approved by | Approved on | Expires |\n|---|---|---|---|---|---|---|\n");
    for w in &report.waivers {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            md(&w.id),
            md(&w.justification),
            md(&w.scope),
            md(&w.risk_owner),
            md(&w.approver),
            md(&w.approval_date),
            md(&w.expires)
        );
    }
}
