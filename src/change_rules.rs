//! Rules only a diff can decide and no single artifact's policy input shows: a closed record that
//! vanished (GIT-006), and a risk acceptance that waives findings of the very change that adds or
//! edits it (GIT-007). Their metadata lives with the other GIT rules in `change_control.rego`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::diff::{ChangeSet, ChangeStatus};
use crate::evaluate::PolicySet;
use crate::finding::{Finding, Severity, Stage, Status};
use crate::model::Workspace;

/// Kinds whose closed records are evidence and immutable (as GIT-003 says).
pub const RECORD_KINDS: &[&str] = &["ChangeRecord", "IncidentRecord", "ProblemRecord"];

/// A finding of an engine rule, with its registry severity.
pub fn engine_finding(policies: &PolicySet, code: &str, message: String) -> Finding {
    let severity = policies
        .registry
        .get(code)
        .map_or(Severity::Error, |rule| rule.severity);
    Finding::new(code, severity, Stage::Policy, message)
}

/// GIT-006 and GIT-007 for one change. `in_change` are the head's findings the change caused,
/// waivers already applied; `invalid` the acceptances that waive nothing. GIT-006 findings are
/// waived like any other, and count for GIT-007 too: a change that deletes a closed record and
/// adds the acceptance that excuses it is a self-waiver.
pub fn findings(change: &Change<'_>, in_change: &[Finding], policies: &PolicySet) -> Vec<Finding> {
    let mut out = vanished_records(change, policies);
    crate::sink::waive_late(change.workspace, change.invalid, &mut out);
    let caused: Vec<&Finding> = in_change.iter().chain(&out).collect();
    let self_waived = self_waivers(change, &caused, policies);
    out.extend(self_waived);
    out
}

/// What the engine rules look at.
pub struct Change<'a> {
    pub changes: &'a ChangeSet,
    /// The head's workspace.
    pub workspace: &'a Workspace,
    /// Acceptances with an error of their own in the head: they waive nothing.
    pub invalid: &'a BTreeSet<String>,
    /// Acceptances that were valid before the change.
    pub valid_before: &'a BTreeSet<String>,
    pub as_of: &'a str,
    /// Days a closed record is kept before it may be disposed of (`record_retention_days`).
    pub retention_days: i64,
}

fn text<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer).and_then(Value::as_str)
}

/// GIT-006: a closed record deleted, re-created under another id, or turned into another kind
/// under the same id. Disposal after the retention period (counted from the last date the record
/// holds) is legitimate and not reported.
fn vanished_records(change: &Change<'_>, policies: &PolicySet) -> Vec<Finding> {
    let (changes, workspace) = (change.changes, change.workspace);
    let mut out = Vec::new();
    let mut ids: Vec<&String> = changes.base.keys().collect();
    ids.sort();
    for id in ids {
        let before = &changes.base[id];
        let Some(kind) = text(before, "/kind").filter(|k| RECORD_KINDS.contains(k)) else {
            continue;
        };
        if text(before, "/spec/status") != Some("closed") {
            continue;
        }
        let now = workspace.artifact(id).map(|a| a.kind.name);
        let how = match now {
            Some(other) if other != kind => format!("was turned into a {other} by this change"),
            Some(_) => continue,
            None if past_retention(before, change) => continue,
            None => "was deleted by this change".to_owned(),
        };
        let copy = workspace.artifacts.iter().find(|a| {
            a.kind.name == kind
                && changes.status_of(&a.id) == ChangeStatus::Added
                && a.value.get("spec") == before.get("spec")
        });
        let again = copy.map_or(String::new(), |a| {
            format!("; its content reappears as `{}`", a.id)
        });
        let mut finding = engine_finding(
            policies,
            "GIT-006",
            format!("closed {kind} `{id}` {how}{again}; closed records are evidence and stay in the repository until their retention period ends"),
        )
        .with_help(format!("restore the record; to retire it, label it (`metadata.labels`); it may be deleted {} days after its last recorded date (`record_retention_days`)", change.retention_days));
        if let Some(file) = changes.deleted_from.get(id) {
            finding = finding.in_file(file, None);
        } else if let Some(artifact) = workspace.artifact(id) {
            finding = finding.in_file(&workspace.file_of(artifact).display, Some(artifact.start));
        }
        finding.artifact = Some(id.clone());
        finding.kind = Some(kind.to_owned());
        out.push(finding);
    }
    out
}

/// Whether the record's last date (the latest `YYYY-MM-DD` it holds) lies more than the retention
/// period before the as-of date.
fn past_retention(record: &Value, change: &Change<'_>) -> bool {
    let mut last: Option<jiff::civil::Date> = None;
    visit_dates(record, &mut |date| last = last.max(Some(date)));
    let Ok(as_of) = change.as_of.parse::<jiff::civil::Date>() else {
        return false;
    };
    last.and_then(|date| date.until(as_of).ok())
        .is_some_and(|span| i64::from(span.get_days()) > change.retention_days)
}

fn visit_dates(value: &Value, visit: &mut impl FnMut(jiff::civil::Date)) {
    match value {
        Value::String(text) => {
            if let Some(date) = text.get(..10).and_then(|d| d.parse().ok()) {
                visit(date);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| visit_dates(item, visit)),
        Value::Object(map) => map.values().for_each(|item| visit_dates(item, visit)),
        _ => {}
    }
}

/// GIT-007: a finding the change causes is waived by an acceptance that was not valid before the
/// change — one it adds or edits, or one that only became valid through it (say, a waived
/// artifact's owner changed so that RSK-005 no longer applies).
fn self_waivers(change: &Change<'_>, in_change: &[&Finding], policies: &PolicySet) -> Vec<Finding> {
    let (changes, workspace) = (change.changes, change.workspace);
    let mut waived: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for finding in in_change.iter().filter(|f| f.status == Status::Waived) {
        let Some(waiver) = &finding.waiver else {
            continue;
        };
        if changes.touches(&waiver.id) || !change.valid_before.contains(&waiver.id) {
            waived.entry(waiver.id.as_str()).or_default().push(format!(
                "{} on {}",
                finding.code,
                finding.artifact.as_deref().unwrap_or("?")
            ));
        }
    }
    let mut out = Vec::new();
    for (id, list) in waived {
        let Some(artifact) = workspace.artifact(id) else {
            continue;
        };
        let (_, range) = artifact.locate("/spec/rules");
        let how = match changes.status_of(id) {
            ChangeStatus::Unchanged => "valid only since this change".to_owned(),
            status => format!("{} by this change", status.as_str()),
        };
        let mut finding = engine_finding(
            policies,
            "GIT-007",
            format!("risk acceptance `{id}` ({how}) waives {} finding(s) the same change introduces: {}", list.len(), list.join(", ")),
        )
        .in_file(&workspace.file_of(artifact).display, Some(range))
        .with_help("land the risk acceptance on its own, reviewed and approved, before the change it waives");
        finding.artifact = Some(id.to_owned());
        finding.kind = Some(crate::waive::RISK_ACCEPTANCE.to_owned());
        out.push(finding);
    }
    out
}
