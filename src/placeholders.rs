//! DOC-001: a value that still holds a `<fill in: …>` placeholder of `opsgate init` or
//! `opsgate new`. Decided here, not in Rego: a placeholder in a field the schema rejects (a date,
//! an enum) is kept from the policies, and a team's own policy set must not be able to lose the
//! check, so a draft left unfilled can never pass as a real record. Its metadata lives in
//! `policies/placeholders.rego` like every other rule's, so severity, `[rules]` and `opsgate
//! explain` treat it the same.

use serde_json::Value;

use crate::change_rules::engine_finding;
use crate::evaluate::PolicySet;
use crate::finding::Finding;
use crate::load::position::escape_token;
use crate::model::{Artifact, Workspace};

pub const CODE: &str = "DOC-001";

/// What every placeholder starts with.
pub const MARKER: &str = "<fill in";

/// One finding per placeholder of every artifact (of `only`, when given).
pub fn findings(
    workspace: &Workspace,
    policies: &PolicySet,
    only: Option<&std::collections::HashSet<String>>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for artifact in &workspace.artifacts {
        if only.is_some_and(|only| !only.contains(&artifact.id)) {
            continue;
        }
        let mut found = Vec::new();
        walk(&artifact.value, &mut String::new(), &mut found);
        for (pointer, text) in found {
            out.push(finding(workspace, policies, artifact, &pointer, &text));
        }
    }
    out
}

fn finding(
    workspace: &Workspace,
    policies: &PolicySet,
    artifact: &Artifact,
    pointer: &str,
    text: &str,
) -> Finding {
    let (_, range) = artifact.locate(pointer);
    let mut finding = engine_finding(
        policies,
        CODE,
        format!("`{text}` is a placeholder: fill it in"),
    )
    .in_file(&workspace.file_of(artifact).display, Some(range))
    .with_help(
        "replace the placeholder with the real value (`opsgate schema KIND` describes each field)",
    );
    finding.artifact = artifact.has_id.then(|| artifact.id.clone());
    finding.kind = Some(artifact.kind.name.to_owned());
    finding.pointer = Some(pointer.to_owned());
    finding
}

/// Every string (value or key) that holds a placeholder, with its pointer.
fn walk(value: &Value, pointer: &mut String, found: &mut Vec<(String, String)>) {
    match value {
        Value::String(text) if text.contains(MARKER) => found.push((pointer.clone(), text.clone())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                walk(item, pointer, found);
                pointer.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape_token(key));
                if key.contains(MARKER) {
                    found.push((pointer.clone(), key.clone()));
                }
                walk(item, pointer, found);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// Drops the other findings about a value that holds a placeholder (its id pattern, the
/// reference it does not resolve to): the placeholder finding already fails the run there, and
/// says the one thing to do. Only a placeholder finding that still fails the run as an error
/// (not waived, disabled or lowered) supersedes anything, so nothing is lost by configuration.
pub fn supersede(findings: &mut Vec<Finding>) {
    let placeholders: std::collections::HashSet<(Option<String>, Option<String>, Option<String>)> =
        findings
            .iter()
            .filter(|f| {
                f.code == CODE && f.counts() && f.severity == crate::finding::Severity::Error
            })
            .map(|f| (f.file.clone(), f.artifact.clone(), f.pointer.clone()))
            .collect();
    if placeholders.is_empty() {
        return;
    }
    findings.retain(|f| {
        f.code == CODE
            || f.pointer.is_none()
            || !placeholders.contains(&(f.file.clone(), f.artifact.clone(), f.pointer.clone()))
    });
}
