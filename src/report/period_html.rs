//! `opsgate report --period … --format html`: compliance over a period as one self-contained page.

use std::fmt::Write as _;

use super::escape::html::text as html;
use super::page_html as page;
use super::words::event_text;
use crate::period::{Interval, PeriodReport, PeriodRequirement};

pub fn render(report: &PeriodReport) -> String {
    let mut out = String::new();
    scope(&mut out, report);
    if report.only.is_some() {
        out.push_str("<p><strong>Only the requirements that failed during the period are shown.</strong></p>\n");
    }
    let t = &report.totals;
    let _ = writeln!(
        out,
        "<h2>Summary</h2><p>{} requirements: <strong>{} compliant throughout</strong>, <strong>{} not compliant for part of the period</strong>, {} waived, {} disabled by the configuration, {} not applicable.</p>",
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
        let last = "Intervals of non-compliance and waivers";
        page::area_table(&mut out, "h2", &a.area, &a.title, last);
        for r in rows {
            requirement(&mut out, r);
        }
        page::close_table(&mut out);
    }
    for view in &report.frameworks {
        page::framework(&mut out, view, "Status over the period");
    }
    page::close(&mut out);
    out
}

fn scope(out: &mut String, report: &PeriodReport) {
    let s = &report.scope;
    let title = format!(
        "opsgate compliance over {} to {}",
        html(&s.start),
        html(&s.end)
    );
    page::open(out, &title, "Compliance over a period");
    page::repository_row(out, &s.repository);
    if let Some(b) = &s.branch {
        page::row(out, "Branch", &html(b));
    }
    let period = format!("{} to {}", html(&s.start), html(&s.end));
    page::row(out, "Period", &period);
    if let Some(c) = &s.baseline {
        page::row(
            out,
            "State at the start",
            &page::commit_short(&c.sha, &c.date),
        );
    }
    if let Some(c) = &s.tip {
        page::row(
            out,
            "Last commit read",
            &page::commit_short(&c.sha, &c.date),
        );
    }
    let history = format!(
        "{} commits in the period, {} evaluation points",
        s.commits_in_period, s.evaluation_points
    );
    page::row(out, "History", &history);
    page::tool_rows(out, s.opsgate_version, &s.policy_digest, s.rules);
    out.push_str("</dl>\n");
}

/// A requirement's row: its intervals of non-compliance with why and how to fix, its waivers.
fn requirement(out: &mut String, r: &PeriodRequirement) {
    page::requirement_row(out, &r.code, &r.title, &r.source, r.status);
    if !r.intervals.is_empty() {
        out.push_str("<ul>");
        for i in &r.intervals {
            interval(out, i);
        }
        out.push_str("</ul>");
        let _ = write!(
            out,
            "<p><strong>Why:</strong> {}</p><p><strong>Remediation:</strong> {}</p>",
            html(&r.rationale),
            html(&r.remediation)
        );
    }
    for w in &r.waivers {
        let _ = write!(
            out,
            "<p>Waived by {} from {} to {} for <code>{}</code></p>",
            page::waiver(&w.id, w.approver.as_deref(), w.expires.as_deref()),
            html(&w.from),
            html(&w.to),
            html(&w.artifacts.join(", "))
        );
    }
    page::close_row(out);
}

fn interval(out: &mut String, i: &Interval) {
    let closed = i.closed.as_ref().map_or(
        "<strong>still open</strong> at the end of the period".to_owned(),
        |e| format!("fixed {}", html(&event_text(e))),
    );
    let _ = write!(
        out,
        "<li>Not compliant from {}; {}; {} day(s). Artifacts: <code>{}</code></li>",
        html(&event_text(&i.opened)),
        closed,
        i.days,
        html(&i.artifacts.join(", "))
    );
}
