//! `opsgate report --format csv`: one row per requirement × artifact, for an auditor's
//! spreadsheet. Every field goes through [`field`]: quoted as RFC 4180 says, and never read as a
//! formula.

use super::escape::csv::field;
use crate::audit::{AuditReport, Evidence, Requirement};
use crate::finding::Severity;
use crate::period::{Event, PeriodReport, PeriodRequirement};

fn line(out: &mut String, fields: &[&str]) {
    let row: Vec<String> = fields.iter().map(|f| field(f)).collect();
    out.push_str(&row.join(","));
    out.push_str("\r\n");
}

const HEADER: &[&str] = &[
    "requirement",
    "title",
    "area",
    "severity",
    "requirement_status",
    "artifact",
    "kind",
    "file",
    "artifact_status",
    "commit",
    "commit_date",
    "commit_author",
    "finding",
    "waiver",
];

/// The snapshot report (needs every evidence artifact: build it with `build_listing`).
pub fn render(report: &AuditReport) -> String {
    let mut out = String::new();
    line(&mut out, HEADER);
    for r in &report.requirements {
        requirement_rows(&mut out, r);
    }
    out
}

/// The columns every row of a requirement starts with.
fn base<'r>(
    code: &'r str,
    title: &'r str,
    area: &'r str,
    severity: Severity,
    status: &'r str,
) -> [&'r str; 5] {
    [code, title, area, severity.as_str(), status]
}

/// A requirement's rows: one per evidence artifact, one per finding on anything else, or one
/// alone.
fn requirement_rows(out: &mut String, r: &Requirement) {
    let base = base(&r.code, &r.title, &r.area, r.severity, r.status.label());
    let mut listed = std::collections::BTreeSet::new();
    for e in &r.evidence {
        listed.insert(e.id.as_str());
        evidence_row(out, &base, r, e);
    }
    // Findings on artifacts that are not evidence of the rule's kinds, and on files.
    for f in r
        .findings
        .iter()
        .filter(|f| f.artifact.as_deref().is_none_or(|id| !listed.contains(id)))
    {
        let mut row: Vec<&str> = base.to_vec();
        let status = if f.waiver.is_some() {
            "waived"
        } else {
            "failed"
        };
        let waiver = f.waiver.as_ref().map_or("", |w| w.id.as_str());
        row.extend([
            f.artifact.as_deref().unwrap_or(""),
            "",
            f.file.as_deref().unwrap_or(""),
            status,
            "",
            "",
            "",
            f.message.as_str(),
            waiver,
        ]);
        line(out, &row);
    }
    if r.evidence.is_empty() && r.findings.is_empty() {
        let mut row: Vec<&str> = base.to_vec();
        row.extend(["", "", "", "", "", "", "", "", ""]);
        line(out, &row);
    }
}

/// An evidence artifact's row, with its findings of the requirement.
fn evidence_row(out: &mut String, base: &[&str], r: &Requirement, e: &Evidence) {
    let findings: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.artifact.as_deref() == Some(e.id.as_str()))
        .collect();
    let status = if findings.iter().any(|f| f.waiver.is_none()) {
        "failed"
    } else if findings.is_empty() {
        "met"
    } else {
        "waived"
    };
    let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
    let waivers: Vec<&str> = findings
        .iter()
        .filter_map(|f| f.waiver.as_ref().map(|w| w.id.as_str()))
        .collect();
    let (sha, date, author) = e.commit.as_ref().map_or(("", "", ""), |c| {
        (c.sha.as_str(), c.date.as_str(), c.author.as_str())
    });
    let mut row: Vec<&str> = base.to_vec();
    let (m, w) = (messages.join("; "), waivers.join("; "));
    row.extend([
        e.id.as_str(),
        e.kind.as_str(),
        e.file.as_str(),
        status,
        sha,
        date,
        author,
        m.as_str(),
        w.as_str(),
    ]);
    line(out, &row);
}

const PERIOD_HEADER: &[&str] = &[
    "requirement",
    "title",
    "area",
    "severity",
    "status_over_period",
    "artifact",
    "not_compliant_from",
    "broken_by_commit",
    "broken_by_author",
    "fixed_on",
    "fixed_by_commit",
    "fixed_by_author",
    "days",
    "finding",
    "waiver",
];

fn event_fields(event: Option<&Event>) -> (String, String, String) {
    match event {
        None => (String::new(), String::new(), String::new()),
        Some(e) => {
            let (sha, author) = match (&e.cause, &e.commit) {
                (crate::period::Cause::Commit, Some(c)) => (c.sha.clone(), c.author.clone()),
                (crate::period::Cause::Date, _) => ("(date passed)".to_owned(), String::new()),
                (crate::period::Cause::BeforePeriod, _) => {
                    ("(before the period)".to_owned(), String::new())
                }
                _ => (String::new(), String::new()),
            };
            (e.date.clone(), sha, author)
        }
    }
}

/// The period report: one row per requirement × artifact × interval (and per waiver).
pub fn render_period(report: &PeriodReport) -> String {
    let mut out = String::new();
    line(&mut out, PERIOD_HEADER);
    for r in &report.requirements {
        period_rows(&mut out, r);
    }
    out
}

/// A requirement's rows over the period: one per interval × artifact and per waiver × artifact,
/// or one alone.
fn period_rows(out: &mut String, r: &PeriodRequirement) {
    let base = base(&r.code, &r.title, &r.area, r.severity, r.status.label());
    for i in &r.intervals {
        let (from, broke, broke_by) = event_fields(Some(&i.opened));
        let (to, fixed, fixed_by) = match &i.closed {
            Some(e) => event_fields(Some(e)),
            None => ("(open)".to_owned(), String::new(), String::new()),
        };
        let days = i.days.to_string();
        for artifact in &i.artifacts {
            let message = i.messages.get(artifact).map_or("", String::as_str);
            let mut row: Vec<&str> = base.to_vec();
            row.extend([
                artifact.as_str(),
                &from,
                &broke,
                &broke_by,
                &to,
                &fixed,
                &fixed_by,
                &days,
                message,
                "",
            ]);
            line(out, &row);
        }
    }
    for w in &r.waivers {
        for artifact in &w.artifacts {
            let mut row: Vec<&str> = base.to_vec();
            row.extend([
                artifact.as_str(),
                &w.from,
                "",
                "",
                &w.to,
                "",
                "",
                "",
                "",
                &w.id,
            ]);
            line(out, &row);
        }
    }
    if r.intervals.is_empty() && r.waivers.is_empty() {
        let mut row: Vec<&str> = base.to_vec();
        row.extend(["", "", "", "", "", "", "", "", "", ""]);
        line(out, &row);
    }
}
