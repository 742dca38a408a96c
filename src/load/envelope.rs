//! Deciding what a YAML document is: an opsgate artifact, another tool's YAML, or a broken artifact.

use serde_json::Value;

use super::position::TextRange;
use super::yaml::{DocumentProblem, ProblemKind, YamlDocument};
use crate::finding::{Finding, Severity, Stage};
use crate::model::{Kind, API_VERSION, KINDS};

pub enum Classified {
    /// Not an opsgate document (a CI file, a Kubernetes manifest…): skipped.
    Foreign,
    /// Looks like an artifact but is not one (a misspelt or missing `apiVersion`): skipped, with
    /// a warning that says why, so it cannot drop out of the check unnoticed.
    NearMiss(Box<Finding>),
    Artifact {
        kind: &'static Kind,
        id: Option<String>,
    },
    Invalid(Vec<Finding>),
}

/// What `doc` is. A document that claims opsgate's apiVersion is an artifact only when it has
/// no problem at all (YAML problems, apiVersion, kind): every problem is reported, not the first.
pub fn classify(doc: &YamlDocument, file: &str) -> Classified {
    if doc.skipped {
        return Classified::Foreign;
    }
    let api_version = match doc.value.get("apiVersion").and_then(Value::as_str) {
        Some(api_version) if api_version.starts_with("opsgate/") => api_version,
        _ => {
            return match near_miss(&doc.value) {
                Some(reason) => {
                    Classified::NearMiss(Box::new(near_miss_finding(doc, file, &reason)))
                }
                None => Classified::Foreign,
            }
        }
    };
    let mut findings: Vec<Finding> = doc
        .problems
        .iter()
        .map(|p| problem_finding(p, file))
        .collect();
    if api_version != API_VERSION {
        findings.push(
            Finding::new(
                "LOAD-API-VERSION",
                Severity::Error,
                Stage::Load,
                format!("unsupported apiVersion `{api_version}`"),
            )
            .in_file(file, at(doc, "/apiVersion"))
            .with_help(format!("this opsgate understands `{API_VERSION}`")),
        );
        return Classified::Invalid(findings);
    }
    match kind_of(doc, file) {
        Ok(kind) if findings.is_empty() => Classified::Artifact {
            kind,
            id: doc
                .value
                .pointer("/metadata/id")
                .and_then(Value::as_str)
                .map(str::to_owned),
        },
        Ok(_) => Classified::Invalid(findings),
        Err(finding) => {
            findings.push(*finding);
            Classified::Invalid(findings)
        }
    }
}

/// Where `pointer` of `doc` is, or the document's start when it is absent.
fn at(doc: &YamlDocument, pointer: &str) -> Option<TextRange> {
    doc.positions
        .get(pointer)
        .map(|s| s.value)
        .or(Some(doc.start))
}

/// The artifact's kind, or `LOAD-UNKNOWN-KIND` (with the closest known kind when one is near).
fn kind_of(doc: &YamlDocument, file: &str) -> Result<&'static Kind, Box<Finding>> {
    let unknown = |message: String, help: String| {
        Box::new(
            Finding::new("LOAD-UNKNOWN-KIND", Severity::Error, Stage::Load, message)
                .in_file(file, at(doc, "/kind"))
                .with_help(help),
        )
    };
    let Some(Value::String(name)) = doc.value.get("kind") else {
        return Err(unknown(
            "artifact has no `kind`".to_owned(),
            format!("add `kind:` with one of: {}", kind_names()),
        ));
    };
    Kind::find(name).ok_or_else(|| {
        let help = match Kind::closest(name) {
            Some(close) => format!(
                "did you mean `{}`? (`opsgate kinds` lists them all)",
                close.name
            ),
            None => format!("known kinds: {}", kind_names()),
        };
        unknown(format!("unknown kind `{name}`"), help)
    })
}

/// Whether a document is worth building: an artifact, a broken one, or a near miss. Decided from
/// the root mapping's scalars alone (see `yaml::parse_filtered`).
pub fn wanted(top_level: &Value) -> bool {
    top_level
        .get("apiVersion")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("opsgate/"))
        || near_miss(top_level).is_some()
}

/// Why a document that is not an opsgate artifact looks like one, if it does: an `apiVersion`
/// that is `opsgate/v1` once case, look-alike letters and invisible characters are set aside
/// (`Opsgate/v1`, `opsgate.io/v1`, a Cyrillic `о`, a zero-width space), the key misspelt
/// (`apiversion:`), or missing under an opsgate kind. Another tool's document — a Kubernetes
/// `Service` with `apiVersion: v1` — is none of these.
fn near_miss(value: &Value) -> Option<String> {
    let root = value.as_object()?;
    let kind = root.get("kind").and_then(Value::as_str);
    let opsgate_kind = kind.is_some_and(|k| Kind::find(k.trim()).is_some());
    let api_key = root.keys().find(|k| {
        k.as_str() != "apiVersion" && normalise(k).replace(['_', '-'], "") == "apiversion"
    });
    match (root.get("apiVersion"), api_key) {
        (Some(Value::String(api)), _) if looks_like_ours(api) => {
            Some(format!("its apiVersion `{api}` is not `{API_VERSION}`"))
        }
        (Some(Value::String(_)), _) => None,
        (Some(other), _) if opsgate_kind => Some(format!(
            "its apiVersion is {other}, not the string `{API_VERSION}`"
        )),
        (None, Some(key))
            if opsgate_kind
                || root
                    .get(key)
                    .and_then(Value::as_str)
                    .is_some_and(looks_like_ours) =>
        {
            Some(format!("its key `{key}` is not spelt `apiVersion`"))
        }
        (None, None) if opsgate_kind => Some(format!("it has no `apiVersion: {API_VERSION}`")),
        _ => None,
    }
}

fn looks_like_ours(api: &str) -> bool {
    normalise(api).contains("opsgate")
}

/// Lower-case ASCII with invisible characters dropped and look-alike Cyrillic and Greek letters
/// read as the Latin ones they imitate.
fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| !crate::model::is_hidden(*c) && !c.is_whitespace())
        .map(|c| match c {
            'а' | 'А' | 'α' | 'Α' => 'a',
            'е' | 'Е' | 'ε' | 'Ε' => 'e',
            'о' | 'О' | 'ο' | 'Ο' | '0' => 'o',
            'р' | 'Р' | 'ρ' | 'Ρ' => 'p',
            'ѕ' | 'Ѕ' => 's',
            'с' | 'С' => 'c',
            'і' | 'І' | 'ι' | 'Ι' => 'i',
            'г' => 'r',
            'т' | 'Т' | 'τ' | 'Τ' => 't',
            'ԁ' => 'd',
            'ɡ' | 'ց' => 'g',
            'ν' => 'v',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

fn near_miss_finding(doc: &YamlDocument, file: &str, reason: &str) -> Finding {
    let range = ["/apiVersion", "/kind"]
        .iter()
        .find_map(|p| doc.positions.get(p).map(|s| s.label(false)))
        .unwrap_or(doc.start);
    let mut finding = Finding::new(
        "LOAD-NOT-AN-ARTIFACT",
        Severity::Warning,
        Stage::Load,
        format!("document looks like an opsgate artifact but {reason}: it was not checked"),
    )
    .in_file(file, Some(range))
    .with_help(format!(
        "start the document with `apiVersion: {API_VERSION}` (exactly) to have it checked"
    ));
    if let Some(kind) = doc.value.get("kind").and_then(Value::as_str) {
        finding.kind = Some(kind.to_owned());
    }
    finding
}

fn kind_names() -> String {
    KINDS.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")
}

fn problem_finding(problem: &DocumentProblem, file: &str) -> Finding {
    let (code, help) = match problem.kind {
        ProblemKind::DuplicateKey => ("LOAD-DUPLICATE-KEY", "remove or rename one of the two keys"),
        ProblemKind::Tag => ("LOAD-TAG", "remove the tag; artifacts are plain YAML"),
        ProblemKind::MergeKey => ("LOAD-MERGE-KEY", "copy the fields instead of merging them"),
        ProblemKind::ComplexKey => ("LOAD-COMPLEX-KEY", "use a plain string as the key"),
    };
    let mut finding = Finding::new(code, Severity::Error, Stage::Load, problem.message.clone())
        .in_file(file, Some(problem.range))
        .with_help(help);
    finding.secondary = problem
        .related
        .map(|range| (range, "first defined here".to_owned()));
    finding
}
