//! `opsgate report --period … --format markdown`: compliance over a period as markdown.

use std::fmt::Write as _;

use super::escape::markdown::text as md;
use super::page_markdown as page;
use super::words::event_text;
use crate::period::{PeriodReport, PeriodRequirement};

pub fn render(report: &PeriodReport) -> String {
    let mut out = String::from("# Compliance over a period\n\n");
    scope(&mut out, report);
    if report.only.is_some() {
        out.push_str("*Only the requirements that failed during the period are shown.*\n\n");
    }
    let t = &report.totals;
    let _ = writeln!(
        out,
        "**{} requirements: {} compliant throughout, {} not compliant for part of the period, {} waived, {} disabled by the configuration, {} not applicable.**\n",
        t.total(), t.met, t.failed, t.waived, t.disabled, t.not_applicable
    );
    for a in &report.areas {
        let rows: Vec<_> = report
            .requirements
            .iter()
            .filter(|r| r.area == a.area)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "## {}\n", md(&a.title));
        for r in rows {
            requirement(&mut out, r);
        }
    }
    for view in &report.frameworks {
        page::framework(&mut out, "", view, "Status over the period");
        out.push('\n');
    }
    out
}

fn scope(out: &mut String, report: &PeriodReport) {
    let s = &report.scope;
    page::repository_line(out, &s.repository);
    page::branch_line(out, s.branch.as_deref());
    let _ = writeln!(out, "- Period: {} to {}", s.start, s.end);
    if let Some(c) = &s.baseline {
        let _ = writeln!(out, "- State at the start: commit `{}` ({})", c.sha, c.date);
    }
    if let Some(c) = &s.tip {
        let _ = writeln!(out, "- Last commit read: `{}` ({})", c.sha, c.date);
    }
    let _ = writeln!(
        out,
        "- {} commits in the period, {} evaluation points\n{}",
        s.commits_in_period,
        s.evaluation_points,
        page::tool_lines(s.opsgate_version, &s.policy_digest, s.rules)
    );
}

/// A requirement's section: its intervals, its waivers, why and how to fix.
fn requirement(out: &mut String, r: &PeriodRequirement) {
    let _ = writeln!(
        out,
        "### {} {} — {}\n",
        r.code,
        md(&r.title),
        r.status.label()
    );
    for i in &r.intervals {
        let closed = i
            .closed
            .as_ref()
            .map_or("still open at the end of the period".to_owned(), |e| {
                format!("fixed {}", md(&event_text(e)))
            });
        let _ = writeln!(
            out,
            "- Not compliant from {}; {}; {} day(s). Artifacts: {}",
            md(&event_text(&i.opened)),
            closed,
            i.days,
            md(&i.artifacts.join(", "))
        );
    }
    for w in &r.waivers {
        let _ = writeln!(
            out,
            "- Waived by {} from {} to {} for {}",
            page::waiver(&w.id, w.approver.as_deref(), w.expires.as_deref()),
            w.from,
            w.to,
            md(&w.artifacts.join(", "))
        );
    }
    if !r.intervals.is_empty() {
        let _ = writeln!(
            out,
            "\n  Why: {}\n\n  Remediation: {}",
            md(&r.rationale),
            md(&r.remediation)
        );
    }
    out.push('\n');
}
