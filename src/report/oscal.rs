//! `opsgate report --format oscal`: OSCAL 1.1.2 assessment-results JSON. Observations are the
//! evidence artifacts with their commits (or, over a period, the intervals of non-compliance),
//! findings the requirements' status, risks the risk acceptances that waived findings.
//!
//! The file is reproducible byte for byte: every UUID is derived from the content it names
//! (SHA-256 of a fixed namespace and the object's identity, laid out as a name-based version-5
//! UUID, the layout OSCAL's `uuid` type accepts), and every timestamp comes from the report's
//! own dates, never the clock.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::audit::{AuditReport, Status};
use crate::period::{Interval, PeriodReport};
use std::collections::BTreeMap;

pub const OSCAL_VERSION: &str = "1.1.2";
/// Namespace of opsgate's own properties.
const NS: &str = "https://github.com/opsgate/opsgate/ns/oscal";

/// A stable UUID for `parts` (joined with NUL), in the name-based version-5 layout.
pub fn uuid(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"opsgate-oscal\0");
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// `YYYY-MM-DD` as an OSCAL date-time with a time zone (midnight UTC).
fn timestamp(date: &str) -> String {
    match date.parse::<jiff::civil::Date>() {
        Ok(d) => format!("{d}T00:00:00Z"),
        Err(_) => "1970-01-01T00:00:00Z".to_owned(),
    }
}

fn prop(name: &str, value: &str) -> Value {
    json!({"name": name, "ns": NS, "value": if value.is_empty() { "-" } else { value }})
}

/// One `control` prop per framework control the requirement maps to (natural order, framework by
/// framework): `class` names the framework, `value` the control id, `remarks` its title.
fn control_props(frameworks: &crate::rules::Frameworks) -> Vec<Value> {
    let mut out = Vec::new();
    for (key, _) in crate::audit::FRAMEWORKS {
        let cited = match *key {
            "iso27001" => &frameworks.iso27001,
            "nist" => &frameworks.nist_800_53,
            "cis" => &frameworks.cis_v8,
            _ => &frameworks.itil4,
        };
        for id in crate::catalogue::sorted(cited.iter()) {
            // A team policy's metadata may name a control with stray whitespace, or none at all:
            // an OSCAL prop value has no leading, trailing or only whitespace.
            let id = id.split_whitespace().collect::<Vec<_>>().join(" ");
            if id.is_empty() {
                continue;
            }
            let mut p = json!({"name": "control", "ns": NS, "class": key, "value": id});
            if let Some(title) = crate::catalogue::title(key, &id) {
                p["remarks"] = json!(title);
            }
            out.push(p);
        }
    }
    out
}

fn add_controls(finding: &mut Value, frameworks: &crate::rules::Frameworks) {
    if let Some(props) = finding["props"].as_array_mut() {
        props.extend(control_props(frameworks));
    }
}

/// OSCAL's finding target state: only a met requirement is "satisfied"; waived, disabled and
/// not-applicable ones proved nothing and say why in the reason and remarks.
fn target_status(status: Status) -> Value {
    let (state, reason) = match status {
        Status::Met => ("satisfied", "pass"),
        Status::Failed => ("not-satisfied", "fail"),
        _ => ("not-satisfied", "other"),
    };
    json!({"state": state, "reason": reason, "remarks": format!("opsgate status: {}", status.label())})
}

fn text(value: &str) -> &str {
    if value.trim().is_empty() {
        "-"
    } else {
        value
    }
}

fn document(title: &str, date: &str, version: &str, result: Value) -> String {
    let doc = json!({
        "assessment-results": {
            "uuid": uuid(&["assessment-results", title, date, version]),
            "metadata": {
                "title": title,
                "last-modified": timestamp(date),
                "version": version,
                "oscal-version": OSCAL_VERSION,
            },
            "import-ap": {"href": "#opsgate-policy-set"},
            "results": [result],
        }
    });
    // Escaped as every JSON output is (`escape::json::hidden`): the values stay the same.
    let json = serde_json::to_string_pretty(&doc).unwrap_or_default();
    format!("{}\n", super::escape::json::hidden(json))
}

fn risks(waivers: impl Iterator<Item = (String, Option<String>, Option<String>)>) -> Vec<Value> {
    let mut seen = std::collections::BTreeMap::new();
    for (id, approver, expires) in waivers {
        seen.entry(id.clone()).or_insert_with(|| {
            json!({
                "uuid": uuid(&["risk", &id]),
                "title": format!("Risk acceptance {id}"),
                "description": format!("Findings waived by the risk acceptance {id}."),
                "statement": format!("Approved by {}; expires {}.", approver.as_deref().unwrap_or("?"), expires.as_deref().unwrap_or("?")),
                "status": "deviation-approved",
                "props": [prop("risk-acceptance", &id)],
            })
        });
    }
    seen.into_values().collect()
}

/// A finding's links to its observations and to the risks (acceptances) that waived it.
fn link(finding: &mut Value, related: Vec<Value>, waivers: &[String]) {
    if !related.is_empty() {
        finding["related-observations"] = json!(related);
    }
    let waivers: Vec<Value> = waivers
        .iter()
        .map(|id| json!({"risk-uuid": uuid(&["risk", id])}))
        .collect();
    if !waivers.is_empty() {
        finding["related-risks"] = json!(waivers);
    }
}

/// A requirement as an OSCAL finding, before its links.
fn finding(
    uuid: String,
    code: &str,
    title: &str,
    description: String,
    status: Status,
    severity: &str,
) -> Value {
    json!({
        "uuid": uuid,
        "title": format!("{code} {title}"),
        "description": description,
        "props": [prop("status", status.label()), prop("severity", severity)],
        "target": {"type": "objective-id", "target-id": code, "status": target_status(status)},
    })
}

/// The result's observations, risks and findings, each only when there is one.
fn fill(result: &mut Value, observations: Vec<Value>, risks: Vec<Value>, findings: Vec<Value>) {
    for (key, items) in [
        ("observations", observations),
        ("risks", risks),
        ("findings", findings),
    ] {
        if !items.is_empty() {
            result[key] = json!(items);
        }
    }
}

/// The snapshot report (build it with `build_listing` so every evidence artifact is listed).
pub fn render(report: &AuditReport) -> String {
    let s = &report.scope;
    let observations = observations(report);
    let findings: Vec<Value> = report
        .requirements
        .iter()
        .map(|r| requirement_finding(r, &observations))
        .collect();
    let risks = risks(report.requirements.iter().flat_map(|r| {
        r.waivers
            .iter()
            .map(|w| (w.id.clone(), w.approver.clone(), w.expires.clone()))
    }));
    let mut result = json!({
        "uuid": uuid(&["result", &s.as_of, s.commit.as_ref().map_or("", |c| c.sha.as_str()), &s.policy_digest]),
        "title": format!("opsgate compliance report as of {}", s.as_of),
        "description": format!("Every requirement of the policy set {} checked over the repository {}.", s.policy_digest, s.repository),
        "start": timestamp(&s.as_of),
        "props": [prop("policy-digest", &s.policy_digest), prop("repository", &s.repository)],
        "reviewed-controls": {"control-selections": [{"include-all": {}}]},
    });
    fill(
        &mut result,
        observations.into_values().collect(),
        risks,
        findings,
    );
    document(
        &format!("opsgate compliance report — {}", s.repository),
        &s.as_of,
        s.opsgate_version,
        result,
    )
}

/// A requirement as a finding, linked to the observations of its evidence and to its waivers.
fn requirement_finding(
    r: &crate::audit::Requirement,
    observations: &BTreeMap<(String, String), Value>,
) -> Value {
    let description = format!(
        "{} ({} finding(s) of this rule; {} evidence artifact(s))",
        text(&r.title),
        r.findings.len(),
        r.evidence_total
    );
    let id = uuid(&["finding", &r.code]);
    let mut finding = finding(
        id,
        &r.code,
        &r.title,
        description,
        r.status,
        r.severity.as_str(),
    );
    add_controls(&mut finding, &r.frameworks);
    let related: Vec<Value> = r
        .evidence
        .iter()
        .filter_map(|e| {
            observations
                .get(&(e.id.clone(), e.file.clone()))
                .and_then(|o| o["uuid"].as_str())
        })
        .map(|u| json!({"observation-uuid": u}))
        .collect();
    let waivers: Vec<String> = r.waivers.iter().map(|w| w.id.clone()).collect();
    link(&mut finding, related, &waivers);
    finding
}

/// One observation per evidence artifact (id and file), with the commit it was examined at.
fn observations(report: &AuditReport) -> BTreeMap<(String, String), Value> {
    let as_of = report.scope.as_of.as_str();
    let mut observations = BTreeMap::new();
    for e in report.requirements.iter().flat_map(|r| &r.evidence) {
        let key = (e.id.clone(), e.file.clone());
        observations.entry(key).or_insert_with(|| {
            let commit = e.commit.as_ref();
            let mut props = vec![prop("artifact-kind", &e.kind), prop("file", &e.file)];
            if let Some(c) = commit {
                props.push(prop("commit", &c.sha));
                props.push(prop("commit-author", &c.author));
            }
            let mut evidence = json!({"description": format!("{} at {}", e.file, commit.map_or("the work tree (not committed)", |c| c.sha.as_str()))});
            if let Some(link) = e.link.as_deref() {
                evidence["href"] = json!(link);
            }
            json!({
                "uuid": uuid(&["observation", &e.id, &e.file, commit.map_or("", |c| c.sha.as_str())]),
                "title": format!("{} {}", e.kind, e.id),
                "description": format!("The {} artifact {} in {}.", e.kind, e.id, e.file),
                "props": props,
                "methods": ["EXAMINE"],
                "collected": timestamp(commit.map_or(as_of, |c| c.date.as_str())),
                "relevant-evidence": [evidence],
            })
        });
    }
    observations
}

/// The period report: observations are the intervals of non-compliance.
pub fn render_period(report: &PeriodReport) -> String {
    let s = &report.scope;
    let mut observations = Vec::new();
    let mut findings = Vec::new();
    for r in &report.requirements {
        let mut related = Vec::new();
        for i in &r.intervals {
            let observation = interval_observation(&r.code, i);
            related.push(json!({"observation-uuid": observation["uuid"]}));
            observations.push(observation);
        }
        let description = format!(
            "{} over {} to {}: {} interval(s) of non-compliance, {} day(s).",
            text(&r.title),
            s.start,
            s.end,
            r.intervals.len(),
            r.days_non_compliant
        );
        let id = uuid(&["finding", &r.code, &s.start, &s.end]);
        let mut finding = finding(
            id,
            &r.code,
            &r.title,
            description,
            r.status,
            r.severity.as_str(),
        );
        add_controls(&mut finding, &r.frameworks);
        let waivers: Vec<String> = r.waivers.iter().map(|w| w.id.clone()).collect();
        link(&mut finding, related, &waivers);
        findings.push(finding);
    }
    let risks = risks(report.requirements.iter().flat_map(|r| {
        r.waivers
            .iter()
            .map(|w| (w.id.clone(), w.approver.clone(), w.expires.clone()))
    }));
    let tip = s.tip.as_ref().map_or("", |c| c.sha.as_str());
    let mut result = json!({
        "uuid": uuid(&["result", &s.start, &s.end, tip, &s.policy_digest]),
        "title": format!("opsgate compliance from {} to {}", s.start, s.end),
        "description": format!("Every requirement of the policy set {} evaluated at each of {} points of the history of {}.", s.policy_digest, s.evaluation_points, s.repository),
        "start": timestamp(&s.start),
        "end": format!("{}T23:59:59Z", s.end),
        "props": [prop("policy-digest", &s.policy_digest), prop("repository", &s.repository)],
        "reviewed-controls": {"control-selections": [{"include-all": {}}]},
    });
    fill(&mut result, observations, risks, findings);
    document(
        &format!(
            "opsgate compliance from {} to {} — {}",
            s.start, s.end, s.repository
        ),
        &s.end,
        s.opsgate_version,
        result,
    )
}

/// An interval of non-compliance of rule `code` as an observation.
fn interval_observation(code: &str, i: &Interval) -> Value {
    let u = uuid(&["interval", code, &i.opened.date, &i.artifacts.join(",")]);
    let closed = i
        .closed
        .as_ref()
        .map_or("still open at the end of the period".to_owned(), |e| {
            format!("fixed on {}", e.date)
        });
    let mut props = vec![prop("opened", &i.opened.date)];
    if let Some(c) = &i.opened.commit {
        props.push(prop("opened-by-commit", &c.sha));
    }
    if let Some(c) = i.closed.as_ref().and_then(|e| e.commit.as_ref()) {
        props.push(prop("closed-by-commit", &c.sha));
    }
    json!({
        "uuid": u,
        "title": format!("{} not compliant from {}", code, i.opened.date),
        "description": format!("{} not met from {}, {} ({} day(s)); artifacts: {}.", code, i.opened.date, closed, i.days, i.artifacts.join(", ")),
        "props": props,
        "methods": ["EXAMINE"],
        "collected": timestamp(&i.opened.date),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_props_name_the_framework_the_id_and_the_title_and_skip_blank_ids() {
        let frameworks = crate::rules::Frameworks {
            iso27001: vec!["A.5.10".into(), "A.5.2".into()],
            nist_800_53: vec![" CM-3(2)\n".into(), "  ".into(), "XX-1".into()],
            cis_v8: vec![],
            itil4: vec!["Change enablement".into()],
        };
        let props = control_props(&frameworks);
        let got: Vec<(String, String, Option<String>)> = props
            .iter()
            .map(|p| {
                (
                    p["class"].as_str().unwrap_or_default().to_owned(),
                    p["value"].as_str().unwrap_or_default().to_owned(),
                    p["remarks"].as_str().map(str::to_owned),
                )
            })
            .collect();
        let row =
            |c: &str, v: &str, r: Option<&str>| (c.to_owned(), v.to_owned(), r.map(str::to_owned));
        assert_eq!(
            got,
            [
                row(
                    "iso27001",
                    "A.5.2",
                    Some("Information security roles and responsibilities")
                ),
                row(
                    "iso27001",
                    "A.5.10",
                    Some("Acceptable use of information and other associated assets")
                ),
                row(
                    "nist",
                    "CM-3(2)",
                    Some("Testing, Validation, and Documentation of Changes")
                ),
                row("nist", "XX-1", None),
                row("itil", "Change enablement", Some("Change enablement")),
            ]
        );
    }
}
