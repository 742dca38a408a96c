//! Rules only a diff can decide and no single artifact's policy input shows: a closed record that
//! vanished (GIT-006), and a risk acceptance that waives findings of the very change that adds or
//! edits it (GIT-007). Their metadata lives with the other GIT rules in `change_control.rego`.

use std::collections::BTreeMap;

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
pub fn findings(
    changes: &ChangeSet,
    workspace: &Workspace,
    in_change: &[Finding],
    invalid: &std::collections::BTreeSet<String>,
    policies: &PolicySet,
) -> Vec<Finding> {
    let mut out = vanished_records(changes, workspace, policies);
    crate::sink::waive_late(workspace, invalid, &mut out);
    let caused: Vec<&Finding> = in_change.iter().chain(&out).collect();
    let self_waived = self_waivers(changes, workspace, &caused, policies);
    out.extend(self_waived);
    out
}

fn text<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer).and_then(Value::as_str)
}

/// GIT-006: a closed record deleted (or re-created under another id, which deletes it too).
fn vanished_records(
    changes: &ChangeSet,
    workspace: &Workspace,
    policies: &PolicySet,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for id in &changes.deleted {
        let Some(before) = changes.base.get(id) else {
            continue;
        };
        let Some(kind) = text(before, "/kind").filter(|k| RECORD_KINDS.contains(k)) else {
            continue;
        };
        if text(before, "/spec/status") != Some("closed") {
            continue;
        }
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
            format!("closed {kind} `{id}` was deleted by this change{again}; closed records are evidence and stay in the repository"),
        )
        .with_help("restore the record; to retire it, label it (`metadata.labels`), and dispose of it after its retention period only with an approved risk acceptance for GIT-006 on its id");
        if let Some(file) = changes.deleted_from.get(id) {
            finding = finding.in_file(file, None);
        }
        finding.artifact = Some(id.clone());
        finding.kind = Some(kind.to_owned());
        out.push(finding);
    }
    out
}

/// GIT-007: an acceptance the change adds or edits waives findings the same change causes.
fn self_waivers(
    changes: &ChangeSet,
    workspace: &Workspace,
    in_change: &[&Finding],
    policies: &PolicySet,
) -> Vec<Finding> {
    let mut waived: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for finding in in_change.iter().filter(|f| f.status == Status::Waived) {
        let Some(waiver) = &finding.waiver else {
            continue;
        };
        if changes.touches(&waiver.id) {
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
        let how = changes.status_of(id).as_str();
        let mut finding = engine_finding(
            policies,
            "GIT-007",
            format!("risk acceptance `{id}` ({how} by this change) waives {} finding(s) the same change introduces: {}", list.len(), list.join(", ")),
        )
        .in_file(&workspace.file_of(artifact).display, Some(range))
        .with_help("land the risk acceptance on its own, reviewed and approved, before the change it waives");
        finding.artifact = Some(id.to_owned());
        finding.kind = Some(crate::waive::RISK_ACCEPTANCE.to_owned());
        out.push(finding);
    }
    out
}
