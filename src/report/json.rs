//! `--format json`: a versioned document of findings (schema: `schemas/output/findings.schema.json`).

use serde::Serialize;

use super::model::{Report, Shown};
use crate::audit::AuditReport;
use crate::finding::{Related, Severity, Stage, Status, WaiverRef};
use crate::git::CommitInfo;
use crate::period::PeriodReport;

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

fn finding<'a>(f: &'a Shown<'a>) -> JsonFinding<'a> {
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
        last_commit: f.last_commit.as_ref(),
    }
}

pub fn render(report: &Report<'_>) -> String {
    let t = &report.tally;
    let document = Document {
        format_version: FORMAT_VERSION,
        tool: Tool {
            name: "opsgate",
            version: env!("CARGO_PKG_VERSION"),
        },
        as_of: report.as_of,
        mode: report.mode,
        commit: report.commit,
        summary: Summary {
            yaml_files: report.stats.yaml_files,
            artifact_files: report.stats.artifact_files,
            artifacts: report.stats.artifacts,
            errors: t.errors,
            warnings: t.warnings,
            infos: t.infos,
            waived: t.waived,
            pre_existing: t.pre_existing,
            disabled: t.disabled,
            policy_errors: report.policy_errors.len(),
        },
        findings: report.findings.iter().map(finding).collect(),
        policy_errors: report
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
    super::escape::json::document(&document)
}

/// The auditor's report as versioned JSON (`format_version` of [`crate::audit`]).
pub fn render_audit(report: &AuditReport) -> String {
    plain(report)
}

/// The period report as versioned JSON (`format_version` of [`crate::period`]).
pub fn render_period(report: &PeriodReport) -> String {
    plain(report)
}

/// Pretty JSON with a final line break, escaped as `check --format json` is (a raw U+202E or
/// `##[` from the repository must not reach whoever views the file or a CI log).
fn plain(value: &impl Serialize) -> String {
    let json = serde_json::to_string_pretty(value).unwrap_or_default();
    format!("{}\n", super::escape::json::hidden(json))
}
