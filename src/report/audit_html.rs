//! `opsgate report --format html`: one self-contained page (no scripts, no external resources)
//! an auditor can open, print or archive. Every piece of repository content is HTML-escaped.

use std::fmt::Write as _;

use crate::audit::{AuditReport, Counts, FrameworkView, Status};

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            // Control and invisible characters (bidirectional overrides …) shown, not obeyed.
            c if super::sanitize::is_hidden(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

pub const STYLE: &str = "body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;color:#1b1f24;padding:0 1rem}\
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}\
table{border-collapse:collapse;width:100%;margin:.6rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}\
th{background:#f6f8fa}.bar{display:flex;height:.9rem;min-width:12rem;border-radius:3px;overflow:hidden;background:#eaeef2}\
.bar span{display:block}.s-met{background:#2da44e}.s-failed{background:#cf222e}.s-waived{background:#bf8700}.s-not_applicable{background:#8c959f}.s-disabled{background:#6e40c9}\
.badge{display:inline-block;padding:0 .45rem;border-radius:1rem;color:#fff;font-size:.8rem;white-space:nowrap}\
code{font-size:.85em}details{margin:.2rem 0}.muted{color:#57606a}dl.scope{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem}\
dl.scope dt{font-weight:600}.why{margin:.3rem 0;font-size:.92em}\
.uncovered ul.cols{columns:2 22rem;margin:.2rem 0 .6rem}.uncovered li{break-inside:avoid}details.group>summary{cursor:pointer}\
@media print{body{max-width:none;margin:0}tr,li,p{break-inside:avoid}summary{list-style:none}details::details-content{content-visibility:visible;display:block}}";

pub fn badge(status: Status) -> String {
    let key = match status {
        Status::Met => "met",
        Status::Failed => "failed",
        Status::Waived => "waived",
        Status::Disabled => "disabled",
        Status::NotApplicable => "not_applicable",
    };
    format!("<span class=\"badge s-{key}\">{}</span>", status.label())
}

fn bar(counts: &Counts) -> String {
    let total = counts.total().max(1) as f64;
    let mut out = String::from("<div class=\"bar\" role=\"img\" aria-label=\"");
    let _ = write!(
        out,
        "{} met, {} failed, {} waived, {} disabled, {} not applicable\">",
        counts.met, counts.failed, counts.waived, counts.disabled, counts.not_applicable
    );
    for (n, key) in [
        (counts.met, "met"),
        (counts.failed, "failed"),
        (counts.waived, "waived"),
        (counts.disabled, "disabled"),
        (counts.not_applicable, "not_applicable"),
    ] {
        if n > 0 {
            let _ = write!(
                out,
                "<span class=\"s-{key}\" style=\"width:{:.2}%\"></span>",
                n as f64 * 100.0 / total
            );
        }
    }
    out.push_str("</div>");
    out
}

pub fn render(report: &AuditReport) -> String {
    let scope = &report.scope;
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
         <title>opsgate compliance report — {}</title><style>{STYLE}</style></head><body>\n",
        escape(&scope.as_of)
    );
    let _ = write!(out, "<h1>Compliance report</h1>\n<dl class=\"scope\">");
    let mut row = |k: &str, v: String| {
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", escape(k), v);
    };
    row(
        "Repository",
        format!("<code>{}</code>", escape(&scope.repository)),
    );
    if let Some(commit) = &scope.commit {
        row(
            "Commit",
            format!(
                "<code>{}</code> ({}, {})",
                escape(&commit.sha),
                escape(&commit.date),
                escape(&commit.summary)
            ),
        );
    }
    if let Some(branch) = &scope.branch {
        row("Branch", escape(branch));
    }
    row("As of", escape(&scope.as_of));
    row("opsgate", escape(scope.opsgate_version));
    row(
        "Policy set",
        format!(
            "<code>{}</code> ({} rules)",
            escape(&scope.policy_digest),
            scope.rules
        ),
    );
    row("Artifacts", scope.artifacts.to_string());
    out.push_str("</dl>\n");

    if report.only.is_some() {
        out.push_str("<p><strong>Only the failed requirements are shown.</strong></p>\n");
    }
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
            escape(&area.area), escape(&area.title), c.met, c.failed, c.waived, c.not_applicable, bar(c)
        );
    }
    out.push_str("</tbody></table>\n");

    if !report.input_problems.is_empty() {
        let _ = write!(out, "<h2 id=\"input\">Input problems</h2><p>These files or artifacts could not be checked fully.</p><ul>");
        for p in &report.input_problems {
            let _ = write!(
                out,
                "<li><code>{}:{}</code> {}</li>",
                escape(p.file.as_deref().unwrap_or("")),
                p.line.unwrap_or(0),
                escape(&p.message)
            );
        }
        out.push_str("</ul>\n");
    }

    out.push_str("<h2 id=\"requirements\">Requirements</h2>\n");
    for area in &report.areas {
        let _ = write!(out, "<h3 id=\"area-{}\">{}</h3>\n<table><thead><tr><th>Rule</th><th>Requirement</th><th>Status</th><th>Evidence and findings</th></tr></thead><tbody>\n", escape(&area.area), escape(&area.title));
        for r in report.requirements.iter().filter(|r| r.area == area.area) {
            let _ = write!(
                out,
                "<tr id=\"{}\"><td><code>{}</code></td><td>{}<div class=\"muted\">{}</div></td><td>{}</td><td>",
                escape(&r.code), escape(&r.code), escape(&r.title), escape(&r.source), badge(r.status)
            );
            if r.status == Status::Failed {
                let _ = write!(
                    out,
                    "<p class=\"why\"><strong>Why it matters:</strong> {}</p><p class=\"why\"><strong>Remediation:</strong> {}</p>",
                    escape(&r.rationale),
                    escape(&r.remediation)
                );
            }
            if !r.findings.is_empty() {
                out.push_str("<ul>");
                for f in &r.findings {
                    let waiver = f.waiver.as_ref().map_or(String::new(), |w| {
                        format!(
                            " — waived by <code>{}</code> (approved by {}, expires {})",
                            escape(&w.id),
                            escape(w.approver.as_deref().unwrap_or("?")),
                            escape(w.expires.as_deref().unwrap_or("?"))
                        )
                    });
                    let _ = write!(
                        out,
                        "<li>{}: <code>{}:{}</code> {}{}</li>",
                        f.severity,
                        escape(f.file.as_deref().unwrap_or("")),
                        f.line.unwrap_or(0),
                        escape(&f.message),
                        waiver
                    );
                }
                out.push_str("</ul>");
            }
            if r.evidence_total > 0 {
                // Open: a printed or PDF report must show the evidence (a closed <details>
                // prints only its summary).
                let _ = write!(
                    out,
                    "<details open><summary>{} evidence artifact{}</summary><ul>",
                    r.evidence_total,
                    if r.evidence_total == 1 { "" } else { "s" }
                );
                for e in &r.evidence {
                    let commit = e
                        .commit
                        .as_ref()
                        .map_or(String::from(" (not committed)"), |c| {
                            let sha =
                                format!("<code>{}</code>", escape(&c.sha[..c.sha.len().min(12)]));
                            let sha = match &e.link {
                                Some(link) => format!("<a href=\"{}\">{sha}</a>", escape(link)),
                                None => sha,
                            };
                            format!(" @ {sha} {} by {}", escape(&c.date), escape(&c.author))
                        });
                    let _ = write!(
                        out,
                        "<li><code>{}</code> {} <span class=\"muted\">{}</span>{}</li>",
                        escape(&e.id),
                        escape(&e.kind),
                        escape(&e.file),
                        commit
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
            out.push_str("</td></tr>\n");
        }
        out.push_str("</tbody></table>\n");
    }

    render_waivers(&mut out, report);
    for view in &report.frameworks {
        let _ = write!(out, "<h2 id=\"fw-{}\">{}</h2>\n<table><thead><tr><th>Control</th><th>Status</th><th>Requirements</th></tr></thead><tbody>\n", escape(&view.framework), escape(&view.title));
        for control in &view.controls {
            let links: Vec<String> = control
                .requirements
                .iter()
                .map(|c| format!("<a href=\"#{0}\">{0}</a>", escape(c)))
                .collect();
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&control.label()),
                badge(control.status),
                links.join(", ")
            );
        }
        out.push_str("</tbody></table>\n");
        render_uncovered(&mut out, view);
    }
    out.push_str("</body></html>\n");
    out
}

/// The framework's controls no rule covers, one collapsed `<details>` per group (Annex A theme,
/// CIS Control, NIST family) so that hundreds of them stay readable on screen; the print style
/// opens every one, so a printed or PDF report lists them all.
pub fn render_uncovered(out: &mut String, view: &FrameworkView) {
    if view.uncovered.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<div class=\"uncovered\"><p><strong>Not covered by any rule: {} of {} controls.</strong></p><p class=\"limits\">{}</p>",
        view.uncovered.len(),
        view.catalogued,
        escape(view.limits)
    );
    for group in view.uncovered_groups() {
        let items: String = group
            .controls
            .iter()
            .map(|u| format!("<li>{}</li>", escape(&u.label())))
            .collect();
        if group.label.is_empty() {
            let _ = writeln!(out, "<ul class=\"cols\">{items}</ul>");
        } else {
            let _ = writeln!(
                out,
                "<details class=\"group\"><summary><strong>{}</strong> — {} of {} not covered</summary><ul class=\"cols\">{items}</ul></details>",
                escape(&group.label),
                group.controls.len(),
                group.total
            );
        }
    }
    out.push_str("</div>\n");
}

/// Every risk acceptance that waived a finding, with what an auditor checks on it.
fn render_waivers(out: &mut String, report: &AuditReport) {
    if report.waivers.is_empty() {
        return;
    }
    out.push_str("<h2 id=\"waivers\">Risk acceptances</h2>\n<table><thead><tr><th>Acceptance</th><th>Justification</th><th>Scope</th><th>Risk owner</th><th>Approved by</th><th>Approved on</th><th>Expires</th><th>Waives</th></tr></thead><tbody>\n");
    for w in &report.waivers {
        let _ = writeln!(
            out,
            "<tr id=\"waiver-{0}\"><td><code>{0}</code> {1}<div class=\"muted\">{2}</div></td><td>{3}</td><td>{4}</td><td>{5}</td><td>{6}</td><td>{7}</td><td>{8}</td><td>{9} on {10}</td></tr>",
            escape(&w.id),
            escape(&w.title),
            escape(&w.file),
            escape(&w.justification),
            escape(&w.scope),
            escape(&w.risk_owner),
            escape(&w.approver),
            escape(&w.approval_date),
            escape(&w.expires),
            escape(&w.rules.join(", ")),
            escape(&w.artifacts.join(", "))
        );
    }
    out.push_str("</tbody></table>\n");
}
