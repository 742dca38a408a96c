//! Risk acceptances turn matching findings into waived findings: still reported, with the
//! acceptance that waives them, but never failing the run. There are no inline suppressions:
//! everything that weakens the gate is an artifact reviewers and auditors can see.
//!
//! An acceptance waives a finding when its `spec.rules` names the finding's code and one entry of
//! `spec.artifacts` names the finding's artifact — an exact id, or a glob such as `CHG-2026-*`.
//! An acceptance that has an error of its own (expired, unapproved, self-approved, …) waives
//! nothing, so the checks on acceptances cannot be sidestepped.

use std::collections::{BTreeMap, BTreeSet};

use globset::{Glob, GlobMatcher};
use serde_json::Value;

use crate::finding::{Finding, Severity, Stage};
use crate::model::Workspace;
use crate::rules::Registry;

pub const RISK_ACCEPTANCE: &str = "RiskAcceptance";

pub use crate::finding::WaiverRef;

struct Acceptance {
    waiver: WaiverRef,
    rules: BTreeSet<String>,
    exact: BTreeSet<String>,
    patterns: Vec<GlobMatcher>,
}

impl Acceptance {
    fn covers(&self, code: &str, artifact: &str) -> bool {
        self.rules.contains(code)
            && (self.exact.contains(artifact) || self.patterns.iter().any(|p| p.is_match(artifact)))
    }
}

fn strings(value: Option<&Value>) -> impl Iterator<Item = &str> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

fn acceptance(spec: &Value, id: &str) -> Acceptance {
    let (patterns, exact): (Vec<&str>, Vec<&str>) =
        strings(spec.get("artifacts")).partition(|entry| entry.contains(['*', '?']));
    Acceptance {
        waiver: WaiverRef {
            id: id.to_owned(),
            approver: spec
                .pointer("/approval/approver")
                .and_then(Value::as_str)
                .map(str::to_owned),
            expires: spec
                .get("expires")
                .and_then(Value::as_str)
                .map(str::to_owned),
        },
        rules: strings(spec.get("rules")).map(str::to_owned).collect(),
        exact: exact.into_iter().map(str::to_owned).collect(),
        // An invalid glob matches nothing; the schema's id pattern already rejects most of them.
        patterns: patterns
            .into_iter()
            .filter_map(|p| Glob::new(p).ok())
            .map(|g| g.compile_matcher())
            .collect(),
    }
}

/// The risk acceptances that have an error of their own among `findings`, judged on each rule's
/// own severity in the registry — never on a severity a configuration set.
pub fn invalid(findings: &[Finding], registry: &Registry) -> BTreeSet<String> {
    findings
        .iter()
        .filter(|f| f.kind.as_deref() == Some(RISK_ACCEPTANCE))
        .filter(|f| registry.get(&f.code).map_or(f.severity, |r| r.severity) == Severity::Error)
        .filter_map(|f| f.artifact.clone())
        .collect()
}

/// Marks every finding a valid acceptance covers. Acceptances are tried in id order, so the
/// waiver a finding reports is deterministic when several cover it.
pub fn apply(workspace: &Workspace, registry: &Registry, findings: &mut [Finding]) {
    let invalid = invalid(findings, registry);
    apply_valid(workspace, &invalid, findings);
}

/// [`apply`] with the invalid acceptances already known (findings emitted after evaluation).
pub fn apply_valid(workspace: &Workspace, invalid: &BTreeSet<String>, findings: &mut [Finding]) {
    let acceptances: BTreeMap<&str, Acceptance> = workspace
        .artifacts
        .iter()
        .filter(|a| a.kind.name == RISK_ACCEPTANCE && a.has_id && !invalid.contains(&a.id))
        .map(|a| {
            (
                a.id.as_str(),
                acceptance(a.value.get("spec").unwrap_or(&Value::Null), &a.id),
            )
        })
        .collect();
    if acceptances.is_empty() {
        return;
    }
    for finding in findings.iter_mut() {
        // Load and schema problems make the input unreliable: they cannot be accepted away.
        if finding.stage != Stage::Policy || finding.kind.as_deref() == Some(RISK_ACCEPTANCE) {
            continue;
        }
        let Some(artifact) = finding.artifact.as_deref() else {
            continue;
        };
        finding.waiver = acceptances
            .values()
            .find(|a| a.covers(&finding.code, artifact))
            .map(|a| a.waiver.clone());
    }
}
