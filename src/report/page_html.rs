//! The pieces the auditor's HTML pages share (the report as of a date, and over a period): the
//! page around them, the scope list, status badges and bars, the tables of a management area and
//! of a framework. Every piece of repository content goes through [`html`].

use std::fmt::Write as _;

use super::escape::html::text as html;
use crate::audit::{Counts, FrameworkView, Status};

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

/// The page up to its scope list (`title`: already escaped): no scripts, no external resources.
pub fn open(out: &mut String, title: &str, heading: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
         <title>{title}</title><style>{STYLE}</style></head><body>\n<h1>{heading}</h1>\n<dl class=\"scope\">"
    );
}

pub fn close(out: &mut String) {
    out.push_str("</body></html>\n");
}

/// One entry of the scope list; `value` is HTML already.
pub fn row(out: &mut String, key: &str, value: &str) {
    let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", html(key), value);
}

/// The repository the report is about.
pub fn repository_row(out: &mut String, repository: &str) {
    row(
        out,
        "Repository",
        &format!("<code>{}</code>", html(repository)),
    );
}

/// opsgate's version and the policy set's digest: what the verdicts were reached with.
pub fn tool_rows(out: &mut String, version: &str, digest: &str, rules: usize) {
    row(out, "opsgate", &html(version));
    row(
        out,
        "Policy set",
        &format!("<code>{}</code> ({} rules)", html(digest), rules),
    );
}

/// `<code>sha</code> (date)`.
pub fn commit_short(sha: &str, date: &str) -> String {
    format!("<code>{}</code> ({})", html(sha), html(date))
}

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

pub fn bar(counts: &Counts) -> String {
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

/// The heading and head of a management area's table of requirements (`level`: `h2` or `h3`).
pub fn area_table(out: &mut String, level: &str, area: &str, title: &str, last_column: &str) {
    let _ = write!(out, "<{level} id=\"area-{}\">{}</{level}>\n<table><thead><tr><th>Rule</th><th>Requirement</th><th>Status</th><th>{last_column}</th></tr></thead><tbody>\n", html(area), html(title));
}

/// A requirement's row up to its last cell, which the caller fills and closes.
pub fn requirement_row(out: &mut String, code: &str, title: &str, source: &str, status: Status) {
    let _ = write!(
        out,
        "<tr id=\"{0}\"><td><code>{0}</code></td><td>{1}<div class=\"muted\">{2}</div></td><td>{3}</td><td>",
        html(code),
        html(title),
        html(source),
        badge(status)
    );
}

pub fn close_row(out: &mut String) {
    out.push_str("</td></tr>\n");
}

pub fn close_table(out: &mut String) {
    out.push_str("</tbody></table>\n");
}

/// `<code>RA-1</code> (approved by p-ana, expires 2027-01-31)`.
pub fn waiver(id: &str, approver: Option<&str>, expires: Option<&str>) -> String {
    format!(
        "<code>{}</code> (approved by {}, expires {})",
        html(id),
        html(approver.unwrap_or("?")),
        html(expires.unwrap_or("?"))
    )
}

/// A framework's controls (`status_column`: its heading) and the controls no rule covers.
pub fn framework(out: &mut String, view: &FrameworkView, status_column: &str) {
    let _ = write!(out, "<h2 id=\"fw-{}\">{}</h2>\n<table><thead><tr><th>Control</th><th>{status_column}</th><th>Requirements</th></tr></thead><tbody>\n", html(&view.framework), html(&view.title));
    for control in &view.controls {
        let links: Vec<String> = control
            .requirements
            .iter()
            .map(|c| format!("<a href=\"#{0}\">{0}</a>", html(c)))
            .collect();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            html(&control.label()),
            badge(control.status),
            links.join(", ")
        );
    }
    close_table(out);
    uncovered(out, view);
}

/// The framework's controls no rule covers, one collapsed `<details>` per group (Annex A theme,
/// CIS Control, NIST family) so that hundreds of them stay readable on screen; the print style
/// opens every one, so a printed or PDF report lists them all.
fn uncovered(out: &mut String, view: &FrameworkView) {
    if view.uncovered.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<div class=\"uncovered\"><p><strong>Not covered by any rule: {} of {} controls.</strong></p><p class=\"limits\">{}</p>",
        view.uncovered.len(),
        view.catalogued,
        html(view.limits)
    );
    for group in view.uncovered_groups() {
        let items: String = group
            .controls
            .iter()
            .map(|u| format!("<li>{}</li>", html(&u.label())))
            .collect();
        if group.label.is_empty() {
            let _ = writeln!(out, "<ul class=\"cols\">{items}</ul>");
        } else {
            let _ = writeln!(
                out,
                "<details class=\"group\"><summary><strong>{}</strong> — {} of {} not covered</summary><ul class=\"cols\">{items}</ul></details>",
                html(&group.label),
                group.controls.len(),
                group.total
            );
        }
    }
    out.push_str("</div>\n");
}
