//! `opsgate report --period … --format html`: compliance over a period as one self-contained page.

use std::fmt::Write as _;

use super::audit_html::{badge, escape, STYLE};
use super::period_markdown::event_text;
use crate::period::PeriodReport;

pub fn render(report: &PeriodReport) -> String {
    let s = &report.scope;
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
         <title>opsgate compliance over {} to {}</title><style>{STYLE}</style></head><body>\n<h1>Compliance over a period</h1>\n<dl class=\"scope\">",
        escape(&s.start),
        escape(&s.end)
    );
    let mut row = |k: &str, v: String| {
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", escape(k), v);
    };
    row(
        "Repository",
        format!("<code>{}</code>", escape(&s.repository)),
    );
    if let Some(b) = &s.branch {
        row("Branch", escape(b));
    }
    row(
        "Period",
        format!("{} to {}", escape(&s.start), escape(&s.end)),
    );
    if let Some(c) = &s.baseline {
        row(
            "State at the start",
            format!("<code>{}</code> ({})", escape(&c.sha), escape(&c.date)),
        );
    }
    if let Some(c) = &s.tip {
        row(
            "Last commit read",
            format!("<code>{}</code> ({})", escape(&c.sha), escape(&c.date)),
        );
    }
    row(
        "History",
        format!(
            "{} commits in the period, {} evaluation points",
            s.commits_in_period, s.evaluation_points
        ),
    );
    row("opsgate", escape(s.opsgate_version));
    row(
        "Policy set",
        format!(
            "<code>{}</code> ({} rules)",
            escape(&s.policy_digest),
            s.rules
        ),
    );
    out.push_str("</dl>\n");
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
        let _ = write!(out, "<h2 id=\"area-{}\">{}</h2>\n<table><thead><tr><th>Rule</th><th>Requirement</th><th>Status</th><th>Intervals of non-compliance and waivers</th></tr></thead><tbody>\n", escape(&a.area), escape(&a.title));
        for r in rows {
            let _ = write!(
                out,
                "<tr id=\"{0}\"><td><code>{0}</code></td><td>{1}<div class=\"muted\">{2}</div></td><td>{3}</td><td>",
                escape(&r.code),
                escape(&r.title),
                escape(&r.source),
                badge(r.status)
            );
            if !r.intervals.is_empty() {
                out.push_str("<ul>");
                for i in &r.intervals {
                    let closed = i.closed.as_ref().map_or(
                        "<strong>still open</strong> at the end of the period".to_owned(),
                        |e| format!("fixed {}", escape(&event_text(e))),
                    );
                    let _ = write!(
                        out,
                        "<li>Not compliant from {}; {}; {} day(s). Artifacts: <code>{}</code></li>",
                        escape(&event_text(&i.opened)),
                        closed,
                        i.days,
                        escape(&i.artifacts.join(", "))
                    );
                }
                out.push_str("</ul>");
                let _ = write!(
                    out,
                    "<p><strong>Why:</strong> {}</p><p><strong>Remediation:</strong> {}</p>",
                    escape(&r.rationale),
                    escape(&r.remediation)
                );
            }
            for w in &r.waivers {
                let _ = write!(
                    out,
                    "<p>Waived by <code>{}</code> (approved by {}, expires {}) from {} to {} for <code>{}</code></p>",
                    escape(&w.id),
                    escape(w.approver.as_deref().unwrap_or("?")),
                    escape(w.expires.as_deref().unwrap_or("?")),
                    escape(&w.from),
                    escape(&w.to),
                    escape(&w.artifacts.join(", "))
                );
            }
            out.push_str("</td></tr>\n");
        }
        out.push_str("</tbody></table>\n");
    }
    for view in &report.frameworks {
        let _ = write!(out, "<h2 id=\"fw-{}\">{}</h2>\n<table><thead><tr><th>Control</th><th>Status over the period</th><th>Requirements</th></tr></thead><tbody>\n", escape(&view.framework), escape(&view.title));
        for c in &view.controls {
            let links: Vec<String> = c
                .requirements
                .iter()
                .map(|code| format!("<a href=\"#{0}\">{0}</a>", escape(code)))
                .collect();
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&c.label()),
                badge(c.status),
                links.join(", ")
            );
        }
        out.push_str("</tbody></table>\n");
        super::audit_html::render_uncovered(&mut out, view);
    }
    out.push_str("</body></html>\n");
    out
}
