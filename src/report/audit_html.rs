//! `opsgate report --format html`: one self-contained page (no scripts, no external resources)
//! an auditor can open, print or archive. Every piece of repository content is HTML-escaped.

use std::fmt::Write as _;

use super::escape::html::text as html;
use super::page_html::{self as page, bar};
use super::words::short;
use crate::audit::{AuditReport, Evidence, FindingEntry, Requirement, Status};

pub fn render(report: &AuditReport) -> String {
    let mut out = String::new();
    scope(&mut out, report);
    if report.only.is_some() {
        out.push_str("<p><strong>Only the failed requirements are shown.</strong></p>\n");
    }
    summary(&mut out, report);
    input_problems(&mut out, report);
    out.push_str("<h2 id=\"requirements\">Requirements</h2>\n");
    for area in &report.areas {
        page::area_table(
            &mut out,
            "h3",
            &area.area,
            &area.title,
            "Evidence and findings",
        );
        for r in report.requirements.iter().filter(|r| r.area == area.area) {
            requirement(&mut out, r);
        }
        page::close_table(&mut out);
    }
    waivers(&mut out, report);
    for view in &report.frameworks {
        page::framework(&mut out, view, "Status");
    }
    page::close(&mut out);
    out
}

fn scope(out: &mut String, report: &AuditReport) {
    let scope = &report.scope;
    let title = format!("opsgate compliance report — {}", html(&scope.as_of));
    page::open(out, &title, "Compliance report");
    page::repository_row(out, &scope.repository);
    if let Some(commit) = &scope.commit {
        let value = format!(
            "<code>{}</code> ({}, {})",
            html(&commit.sha),
            html(&commit.date),
            html(&commit.summary)
        );
        page::row(out, "Commit", &value);
    }
    if let Some(branch) = &scope.branch {
        page::row(out, "Branch", &html(branch));
    }
    page::row(out, "As of", &html(&scope.as_of));
    page::tool_rows(
        out,
        scope.opsgate_version,
        &scope.policy_digest,
        scope.rules,
    );
    page::row(out, "Artifacts", &scope.artifacts.to_string());
    out.push_str("</dl>\n");
}

fn summary(out: &mut String, report: &AuditReport) {
    let t = &report.totals;
    let _ = writeln!(
        out,
        "<h2 id=\"summary\">Summary</h2><p>{} requirements: <strong>{} met</strong>, <strong>{} failed</strong>, {} waived, {} disabled by the configuration, {} not applicable.</p>{}",
        t.total(), t.met, t.failed, t.waived, t.disabled, t.not_applicable, bar(t)
    );
    out.push_str("<table><thead><tr><th>Management area</th><th>Met</th><th>Failed</th><th>Waived</th><th>N/A</th><th></th></tr></thead><tbody>\n");
    for area in &report.areas {
        let c = &area.counts;
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#area-{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            html(&area.area), html(&area.title), c.met, c.failed, c.waived, c.not_applicable, bar(c)
        );
    }
    page::close_table(out);
}

fn input_problems(out: &mut String, report: &AuditReport) {
    if report.input_problems.is_empty() {
        return;
    }
    let _ = write!(out, "<h2 id=\"input\">Input problems</h2><p>These files or artifacts could not be checked fully.</p><ul>");
    for p in &report.input_problems {
        let _ = write!(
            out,
            "<li><code>{}:{}</code> {}</li>",
            html(p.file.as_deref().unwrap_or("")),
            p.line.unwrap_or(0),
            html(&p.message)
        );
    }
    out.push_str("</ul>\n");
}

/// A requirement's row: why it matters when it failed, its findings, its evidence.
fn requirement(out: &mut String, r: &Requirement) {
    page::requirement_row(out, &r.code, &r.title, &r.source, r.status);
    if r.status == Status::Failed {
        let _ = write!(
            out,
            "<p class=\"why\"><strong>Why it matters:</strong> {}</p><p class=\"why\"><strong>Remediation:</strong> {}</p>",
            html(&r.rationale),
            html(&r.remediation)
        );
    }
    if !r.findings.is_empty() {
        out.push_str("<ul>");
        for f in &r.findings {
            finding(out, f);
        }
        out.push_str("</ul>");
    }
    if r.evidence_total > 0 {
        evidence(out, r);
    }
    page::close_row(out);
}

fn finding(out: &mut String, f: &FindingEntry) {
    let waiver = f.waiver.as_ref().map_or(String::new(), |w| {
        format!(
            " — waived by {}",
            page::waiver(&w.id, w.approver.as_deref(), w.expires.as_deref())
        )
    });
    let _ = write!(
        out,
        "<li>{}: <code>{}:{}</code> {}{}</li>",
        f.severity,
        html(f.file.as_deref().unwrap_or("")),
        f.line.unwrap_or(0),
        html(&f.message),
        waiver
    );
}

/// The evidence list, open: a printed or PDF report must show it (a closed `<details>` prints
/// only its summary).
fn evidence(out: &mut String, r: &Requirement) {
    let _ = write!(
        out,
        "<details open><summary>{} evidence artifact{}</summary><ul>",
        r.evidence_total,
        if r.evidence_total == 1 { "" } else { "s" }
    );
    for e in &r.evidence {
        let _ = write!(
            out,
            "<li><code>{}</code> {} <span class=\"muted\">{}</span>{}</li>",
            html(&e.id),
            html(&e.kind),
            html(&e.file),
            evidence_commit(e)
        );
    }
    if r.evidence_total > r.evidence.len() {
        let _ = write!(
            out,
            "<li>… and {} more</li>",
            r.evidence_total - r.evidence.len()
        );
    }
    out.push_str("</ul></details>");
}

/// ` @ <sha> date by author`, the sha linked to the forge's page when there is one.
fn evidence_commit(e: &Evidence) -> String {
    let Some(c) = &e.commit else {
        return String::from(" (not committed)");
    };
    let sha = format!("<code>{}</code>", html(short(&c.sha)));
    let sha = match &e.link {
        Some(link) => format!("<a href=\"{}\">{sha}</a>", html(link)),
        None => sha,
    };
    format!(" @ {sha} {} by {}", html(&c.date), html(&c.author))
}

/// Every risk acceptance that waived a finding, with what an auditor checks on it.
fn waivers(out: &mut String, report: &AuditReport) {
    if report.waivers.is_empty() {
        return;
    }
    out.push_str("<h2 id=\"waivers\">Risk acceptances</h2>\n<table><thead><tr><th>Acceptance</th><th>Justification</th><th>Scope</th><th>Risk owner</th><th>Approved by</th><th>Approved on</th><th>Expires</th><th>Waives</th></tr></thead><tbody>\n");
    for w in &report.waivers {
        let _ = writeln!(
            out,
            "<tr id=\"waiver-{0}\"><td><code>{0}</code> {1}<div class=\"muted\">{2}</div></td><td>{3}</td><td>{4}</td><td>{5}</td><td>{6}</td><td>{7}</td><td>{8}</td><td>{9} on {10}</td></tr>",
            html(&w.id),
            html(&w.title),
            html(&w.file),
            html(&w.justification),
            html(&w.scope),
            html(&w.risk_owner),
            html(&w.approver),
            html(&w.approval_date),
            html(&w.expires),
            html(&w.rules.join(", ")),
            html(&w.artifacts.join(", "))
        );
    }
    page::close_table(out);
}
