//! Deciding what a YAML document is: an opsgate artifact, another tool's YAML, or a broken artifact.

use serde_json::Value;

use super::yaml::{DocumentProblem, ProblemKind, YamlDocument};
use crate::finding::{Finding, Severity, Stage};
use crate::model::{Kind, API_VERSION, KINDS};

pub enum Classified {
    /// Not an opsgate document (a CI file, a Kubernetes manifest…): skipped.
    Foreign,
    Artifact {
        kind: &'static Kind,
        id: Option<String>,
    },
    Invalid(Vec<Finding>),
}

pub fn classify(doc: &YamlDocument, file: &str) -> Classified {
    let Some(api_version) = doc.value.get("apiVersion").and_then(Value::as_str) else {
        return Classified::Foreign;
    };
    if !api_version.starts_with("opsgate/") {
        return Classified::Foreign;
    }
    let at = |pointer: &str| {
        doc.positions
            .get(pointer)
            .map(|s| s.value)
            .or(Some(doc.start))
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
            .in_file(file, at("/apiVersion"))
            .with_help(format!("this opsgate understands `{API_VERSION}`")),
        );
        return Classified::Invalid(findings);
    }
    let kind = match doc.value.get("kind") {
        Some(Value::String(name)) => match Kind::find(name) {
            Some(kind) => Some(kind),
            None => {
                let help = match Kind::closest(name) {
                    Some(close) => format!(
                        "did you mean `{}`? (`opsgate kinds` lists them all)",
                        close.name
                    ),
                    None => format!("known kinds: {}", kind_names()),
                };
                findings.push(
                    Finding::new(
                        "LOAD-UNKNOWN-KIND",
                        Severity::Error,
                        Stage::Load,
                        format!("unknown kind `{name}`"),
                    )
                    .in_file(file, at("/kind"))
                    .with_help(help),
                );
                None
            }
        },
        _ => {
            findings.push(
                Finding::new(
                    "LOAD-UNKNOWN-KIND",
                    Severity::Error,
                    Stage::Load,
                    "artifact has no `kind`",
                )
                .in_file(file, at("/kind"))
                .with_help(format!("add `kind:` with one of: {}", kind_names())),
            );
            None
        }
    };
    match kind {
        Some(kind) if findings.is_empty() => Classified::Artifact {
            kind,
            id: doc
                .value
                .pointer("/metadata/id")
                .and_then(Value::as_str)
                .map(str::to_owned),
        },
        _ => Classified::Invalid(findings),
    }
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
