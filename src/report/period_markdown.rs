//! `opsgate report --period … --format markdown`: compliance over a period as markdown.

use std::fmt::Write as _;

use super::markdown::escape;
use crate::period::{Cause, Event, PeriodReport};

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(12)]
}

/// "2026-02-03, commit `abc` by Pat (summary)" or "2026-02-03 (date passed)".
pub fn event_text(event: &Event) -> String {
    match (&event.cause, &event.commit) {
        (Cause::BeforePeriod, _) => format!("{} (already at the period's start)", event.date),
        (Cause::Commit, Some(c)) => format!(
            "{}, commit {} by {} ({})",
            event.date,
            short(&c.sha),
            c.author,
            c.summary
        ),
        _ => format!("{} (no commit: a date passed)", event.date),
    }
}

pub fn render(report: &PeriodReport) -> String {
    let s = &report.scope;
    let mut out = String::from("# Compliance over a period\n\n");
    let _ = writeln!(out, "- Repository: `{}`", s.repository.replace('`', "'"));
    if let Some(b) = &s.branch {
        let _ = writeln!(out, "- Branch: {}", escape(b));
    }
    let _ = writeln!(out, "- Period: {} to {}", s.start, s.end);
    if let Some(c) = &s.baseline {
        let _ = writeln!(out, "- State at the start: commit `{}` ({})", c.sha, c.date);
    }
    if let Some(c) = &s.tip {
        let _ = writeln!(out, "- Last commit read: `{}` ({})", c.sha, c.date);
    }
    let _ = writeln!(
        out,
        "- {} commits in the period, {} evaluation points\n- opsgate {}\n- Policy set: `{}` ({} rules)\n",
        s.commits_in_period, s.evaluation_points, s.opsgate_version, s.policy_digest, s.rules
    );
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
        let _ = writeln!(out, "## {}\n", escape(&a.title));
        for r in rows {
            let _ = writeln!(
                out,
                "### {} {} — {}\n",
                r.code,
                escape(&r.title),
                r.status.label()
            );
            for i in &r.intervals {
                let closed = i
                    .closed
                    .as_ref()
                    .map_or("still open at the end of the period".to_owned(), |e| {
                        format!("fixed {}", escape(&event_text(e)))
                    });
                let _ = writeln!(
                    out,
                    "- Not compliant from {}; {}; {} day(s). Artifacts: {}",
                    escape(&event_text(&i.opened)),
                    closed,
                    i.days,
                    escape(&i.artifacts.join(", "))
                );
            }
            for w in &r.waivers {
                let _ = writeln!(
                    out,
                    "- Waived by {} (approved by {}, expires {}) from {} to {} for {}",
                    escape(&w.id),
                    escape(w.approver.as_deref().unwrap_or("?")),
                    escape(w.expires.as_deref().unwrap_or("?")),
                    w.from,
                    w.to,
                    escape(&w.artifacts.join(", "))
                );
            }
            if !r.intervals.is_empty() {
                let _ = writeln!(
                    out,
                    "\n  Why: {}\n\n  Remediation: {}",
                    escape(&r.rationale),
                    escape(&r.remediation)
                );
            }
            out.push('\n');
        }
    }
    for view in &report.frameworks {
        let _ = writeln!(
            out,
            "## {}\n\n| Control | Status over the period | Requirements |\n|---|---|---|",
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
        super::audit_markdown::render_uncovered(&mut out, view);
        out.push('\n');
    }
    out
}
