//! `--format sarif`: SARIF 2.1.0 for code-scanning dashboards (GitHub, Azure DevOps, …).
//!
//! One `reportingDescriptor` per rule of the run (plus the load and schema checks), results with
//! physical locations, and partial fingerprints built from rule code, artifact id and JSON pointer
//! — not line numbers — so a finding keeps its identity when lines above it move.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::escape::visible;
use super::model::{Report, Shown};
use crate::docs;
use crate::finding::{Severity, Stage};
use crate::rules::{area_title, Rule};

pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The key of opsgate's fingerprint in `partialFingerprints`; bump the suffix if its recipe changes.
/// v2: the message (numbers left out) and an occurrence count join the recipe, so distinct load
/// problems of one file no longer share one value.
pub const FINGERPRINT_KEY: &str = "opsgateFindingId/v2";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rule_descriptor(rule: &Rule) -> Value {
    let mut tags = vec![area_title(&rule.area).to_owned(), "compliance".to_owned()];
    // Tags stay bare ids (code scanning filters on them); the titles go in `properties.controls`
    // and in the help text.
    let mut controls = Vec::new();
    let mut lines = Vec::new();
    let frameworks = &rule.frameworks;
    for (prefix, key, cited) in [
        ("ISO27001", "iso27001", &frameworks.iso27001),
        ("NIST-800-53", "nist", &frameworks.nist_800_53),
        ("CIS-v8", "cis", &frameworks.cis_v8),
        ("ITIL4", "itil", &frameworks.itil4),
    ] {
        let ids = crate::catalogue::sorted(cited.iter());
        tags.extend(ids.iter().map(|c| format!("{prefix}:{c}")));
        for id in &ids {
            let mut control = json!({"framework": prefix, "id": id});
            if let Some(title) = crate::catalogue::title(key, id) {
                control["title"] = json!(title);
            }
            controls.push(control);
        }
        if !ids.is_empty() {
            let labels: Vec<String> = ids
                .iter()
                .map(|id| crate::catalogue::label(key, id))
                .collect();
            lines.push(format!("{prefix}: {}", labels.join("; ")));
        }
    }
    let frameworks_text = if lines.is_empty() {
        String::new()
    } else {
        format!("\n\nControls: {}", lines.join(" | "))
    };
    json!({
        "id": rule.code,
        "name": pascal_case(&rule.title),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {
            "text": format!("{}\n\nHow to fix: {}\n\nSource: {}{frameworks_text}", rule.rationale, rule.remediation, rule.source),
            "markdown": docs::explain(rule),
        },
        "defaultConfiguration": {"level": level(rule.severity)},
        // Pinned to this release: the rule text a result was judged by, not whatever main says later.
        "helpUri": format!("{}/blob/v{}/docs/rules.md#{}", env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_VERSION"), rule.code.to_lowercase()),
        "properties": {"tags": tags, "area": rule.area, "precision": "very-high", "controls": controls},
    })
}

/// Load and schema checks are not Rego rules but still need a descriptor for their results.
fn builtin_descriptor(code: &str, severity: Severity) -> Value {
    let (title, text) = if code == "SCHEMA" {
        ("Artifact matches the JSON Schema of its kind", "Every artifact must have the shape its kind's JSON Schema defines: known fields, right types, valid dates and enums (`opsgate schema KIND`).")
    } else {
        ("Artifact file loads", "The file must be readable UTF-8 YAML whose documents are opsgate artifacts with a known kind and a unique id.")
    };
    json!({
        "id": code,
        "name": pascal_case(title),
        "shortDescription": {"text": title},
        "fullDescription": {"text": text},
        "help": {"text": text, "markdown": text},
        "defaultConfiguration": {"level": level(severity)},
        "properties": {"tags": ["opsgate", if code == "SCHEMA" { "schema" } else { "load" }], "precision": "very-high"},
    })
}

fn pascal_case(title: &str) -> String {
    // An apostrophe joins its word ("plan's" is one word, not "Plan" and "S").
    title
        .replace(['\'', '’'], "")
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

fn result(finding: &Shown<'_>, rule_index: usize) -> Value {
    // Message texts are shown to people by code-scanning dashboards: sanitised like every output.
    let mut result = json!({
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": level(finding.severity),
        "message": {"text": match &finding.help {
            Some(help) => format!("{}. {}", visible(&finding.message), visible(help)),
            None => visible(&finding.message).into_owned(),
        }},
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
    });
    if let Some(location) = location(finding) {
        result["locations"] = json!([location]);
    }
    let related = related_locations(finding);
    if !related.is_empty() {
        result["relatedLocations"] = Value::Array(related);
    }
    if let Some(commit) = &finding.last_commit {
        result["properties"] = json!({"lastCommit": commit});
    }
    if finding.status == crate::finding::Status::PreExisting {
        result["baselineState"] = json!("unchanged");
    }
    if let Some(waiver) = &finding.waiver {
        result["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": visible(&format!("accepted by {} (approved by {}, expires {})", waiver.id, waiver.approver.as_deref().unwrap_or("?"), waiver.expires.as_deref().unwrap_or("?"))),
            "properties": {"riskAcceptance": waiver.id},
        }]);
    }
    result
}

/// Where the finding is: its file and region, and its artifact and field.
fn location(finding: &Shown<'_>) -> Option<Value> {
    let file = finding.file.as_ref()?;
    let mut physical = json!({"artifactLocation": {"uri": uri_path(file), "uriBaseId": "SRCROOT"}});
    if let Some(range) = finding.range {
        physical["region"] = json!({
            "startLine": range.start.line.max(1),
            "startColumn": range.start.column.max(1),
            "endLine": range.end.line.max(range.start.line).max(1),
            "endColumn": if range.end.line > range.start.line { range.end.column.max(1) } else { range.end.column.max(range.start.column + 1) },
        });
    }
    let mut location = json!({"physicalLocation": physical});
    if let Some(artifact) = &finding.artifact {
        location["logicalLocations"] = json!([{
            "name": artifact,
            "fullyQualifiedName": format!("{artifact}{}", finding.pointer.as_deref().unwrap_or("")),
            "kind": "object",
        }]);
    }
    Some(location)
}

/// The related artifacts that were found, each at its file and line.
fn related_locations(finding: &Shown<'_>) -> Vec<Value> {
    finding
        .related
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let file = r.file.as_ref()?;
            Some(json!({
                "id": i,
                "message": {"text": format!("related: {}", visible(&r.id))},
                "physicalLocation": {
                    "artifactLocation": {"uri": uri_path(file), "uriBaseId": "SRCROOT"},
                    "region": {"startLine": r.line.unwrap_or(1).max(1)},
                },
            }))
        })
        .collect()
}

/// Percent-encodes what a relative URI reference may not contain as is.
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn root_uri(run: &Report<'_>) -> String {
    let mut path = uri_path(&run.root.to_string_lossy().replace('\\', "/"));
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    if !path.ends_with('/') {
        path.push('/');
    }
    format!("file://{path}")
}

/// Which repository and revision the results are about (code scanning matches them to commits):
/// the remote's URL without credentials, HEAD's commit and branch. Empty outside git or without a
/// remote (a local path is not a repository URI).
fn provenance(run: &Report<'_>) -> Value {
    let Some(git) = &run.provenance else {
        return json!([]);
    };
    let Some(url) = git.remote.as_deref().and_then(absolute_uri) else {
        return json!([]);
    };
    let mut entry = json!({"repositoryUri": url});
    if let Some(commit) = run.commit {
        entry["revisionId"] = json!(commit);
    }
    if let Some(branch) = &git.branch {
        entry["branch"] = json!(branch);
    }
    if run.root == git.workdir {
        entry["mappedTo"] = json!({"uriBaseId": "SRCROOT"});
    }
    json!([entry])
}

/// A remote URL as an absolute URI: `git@host:org/repo.git` (scp form) becomes
/// `ssh://git@host/org/repo.git`; anything else without a scheme is not one.
fn absolute_uri(url: &str) -> Option<String> {
    if url.contains("://") {
        return Some(url.to_owned());
    }
    let (authority, path) = url.split_once(':')?;
    (!authority.contains('/') && !path.is_empty()).then(|| format!("ssh://{authority}/{path}"))
}

pub fn render(run: &Report<'_>) -> String {
    // Every rule of the run, in code order, then the load/schema codes that occur.
    let mut descriptors: Vec<Value> = run.registry.iter().map(rule_descriptor).collect();
    let mut index: BTreeMap<String, usize> = run
        .registry
        .iter()
        .enumerate()
        .map(|(i, r)| (r.code.clone(), i))
        .collect();
    // Then the engine's own codes that occur (load, schema, the findings cap), described like rules.
    for finding in &run.findings {
        if index.contains_key(&finding.code) {
            continue;
        }
        let descriptor = match crate::engine_rules::get(&finding.code) {
            Some(rule) => rule_descriptor(&rule),
            None if finding.stage != Stage::Policy => {
                builtin_descriptor(&finding.code, finding.severity)
            }
            None => continue,
        };
        index.insert(finding.code.clone(), descriptors.len());
        descriptors.push(descriptor);
    }
    let results: Vec<Value> = run
        .findings
        .iter()
        .filter_map(|f| index.get(&f.code).map(|i| result(f, *i)))
        .collect();
    let notifications: Vec<Value> = run
        .policy_errors
        .iter()
        .map(|e| json!({"level": "error", "message": {"text": visible(&e.message)}, "descriptor": {"id": "POLICY-ERROR"}}))
        .collect();
    let document = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "opsgate",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_HOMEPAGE"),
                "rules": descriptors,
            }},
            "originalUriBaseIds": {"SRCROOT": {"uri": root_uri(run)}},
            "versionControlProvenance": provenance(run),
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": run.policy_errors.is_empty(),
                "toolExecutionNotifications": notifications,
                "properties": {"asOf": run.as_of},
            }],
            "results": results,
        }],
    });
    super::escape::json::document(&document)
}

#[cfg(test)]
mod tests {
    #[test]
    fn remote_urls_become_absolute_uris() {
        assert_eq!(
            super::absolute_uri("git@github.com:org/repo.git").as_deref(),
            Some("ssh://git@github.com/org/repo.git")
        );
        assert_eq!(
            super::absolute_uri("https://github.com/org/repo").as_deref(),
            Some("https://github.com/org/repo")
        );
        assert_eq!(super::absolute_uri("/srv/git/repo"), None);
    }

    #[test]
    fn rule_names_keep_possessives_whole() {
        assert_eq!(
            super::pascal_case("Plan's owner signs it"),
            "PlansOwnerSignsIt"
        );
        assert_eq!(super::pascal_case("Owner’s review"), "OwnersReview");
    }
}
