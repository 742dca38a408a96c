//! `--format json`: a versioned document of findings (schema: `schemas/output/findings.schema.json`).

use serde::Serialize;

use std::collections::HashMap;

use crate::check::CheckRun;
use crate::finding::{Finding, Related, Severity, Stage, Status};
use crate::git::CommitInfo;
use crate::waive::WaiverRef;

/// Bumped on any incompatible change of the shape below.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    format_version: u32,
    tool: Tool,
    as_of: &'a str,
    mode: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a str>,
    summary: Summary,
    findings: Vec<JsonFinding<'a>>,
    policy_errors: Vec<JsonPolicyError<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    yaml_files: usize,
    artifact_files: usize,
    artifacts: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    /// Findings waived by a risk acceptance; not counted in errors, warnings or infos.
    waived: usize,
    /// Findings that existed before the change (pull-request mode with --all).
    pre_existing: usize,
    /// Findings of rules the configuration disables (not listed).
    disabled: usize,
    policy_errors: usize,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'a str,
    severity: Severity,
    stage: Stage,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    artifact: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pointer: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    related: &'a [Related],
    #[serde(skip_serializing_if = "Option::is_none")]
    waiver: Option<&'a WaiverRef>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pre_existing: bool,
    status: Status,
    /// The last commit that changed the file: evidence that traces the finding to a change.
    #[serde(skip_serializing_if = "Option::is_none")]
    last_commit: Option<&'a CommitInfo>,
}

#[derive(Serialize)]
struct JsonPolicyError<'a> {
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
}

fn finding<'a>(f: &'a Finding, commits: &'a HashMap<String, CommitInfo>) -> JsonFinding<'a> {
    JsonFinding {
        code: &f.code,
        severity: f.severity,
        stage: f.stage,
        message: &f.message,
        artifact: f.artifact.as_deref(),
        kind: f.kind.as_deref(),
        file: f.file.as_deref(),
        line: f.range.map(|r| r.start.line),
        column: f.range.map(|r| r.start.column),
        end_line: f.range.map(|r| r.end.line),
        end_column: f.range.map(|r| r.end.column),
        pointer: f.pointer.as_deref(),
        help: f.help.as_deref(),
        related: &f.related,
        waiver: f.waiver.as_ref(),
        pre_existing: f.status == Status::PreExisting,
        status: f.status,
        last_commit: f.file.as_ref().and_then(|file| commits.get(file)),
    }
}

pub fn render(run: &CheckRun) -> String {
    let commits = run.last_commits(run.findings.iter().filter_map(|f| f.file.as_deref()));
    let document = Document {
        format_version: FORMAT_VERSION,
        tool: Tool {
            name: "opsgate",
            version: env!("CARGO_PKG_VERSION"),
        },
        as_of: &run.as_of,
        mode: run.mode,
        commit: run.commit.as_deref(),
        summary: Summary {
            yaml_files: run.stats.yaml_files,
            artifact_files: run.stats.artifact_files,
            artifacts: run.stats.artifacts,
            errors: run.count(Severity::Error),
            warnings: run.count(Severity::Warning),
            infos: run.count(Severity::Info),
            waived: run.waived(),
            pre_existing: run.pre_existing(),
            disabled: run.disabled(),
            policy_errors: run.policy_errors.len(),
        },
        findings: run.reported().map(|f| finding(f, &commits)).collect(),
        policy_errors: run
            .policy_errors
            .iter()
            .map(|e| JsonPolicyError {
                message: &e.message,
                file: e.file.as_deref(),
                line: e.file.as_ref().map(|_| e.line),
                column: e.file.as_ref().map(|_| e.column),
            })
            .collect(),
    };
    let mut text = super::sanitize::escape_json_hidden(
        serde_json::to_string_pretty(&document)
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")),
    );
    text.push('\n');
    text
}
