//! Human output: miette diagnostics with the offending span labelled, then a one-line summary.

use std::fmt::Write as _;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan};

use super::escape::visible;
use super::model::Report;
use super::snippet::{excerpt, Excerpt, Label};
use crate::config::ConfigError;
use crate::evaluate::PolicyError;
use crate::finding::{Finding, Severity, Status};
use crate::position::TextRange;

/// Rendering choices.
#[derive(Debug, Clone, Copy)]
pub struct TextStyle {
    pub color: bool,
    pub quiet: bool,
}

struct FindingDiagnostic {
    message: String,
    code: String,
    severity: Severity,
    help: Option<String>,
    source: Option<Excerpt>,
    labels: Vec<LabeledSpan>,
    related: Vec<String>,
}

impl std::fmt::Debug for FindingDiagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::fmt::Display for FindingDiagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FindingDiagnostic {}

impl Diagnostic for FindingDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        let mut help = self.help.clone().unwrap_or_default();
        for related in &self.related {
            if !help.is_empty() {
                help.push('\n');
            }
            help.push_str(related);
        }
        (!help.is_empty()).then(|| Box::new(help) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}

/// The snippet of `text` around `labels`, with the labels placed on it.
fn snippet(name: &str, text: &str, labels: &[Label]) -> (Option<Excerpt>, Vec<LabeledSpan>) {
    match excerpt(name, text, labels) {
        Some((source, spans)) => (Some(source), spans),
        None => (None, Vec::new()),
    }
}

fn handler(style: TextStyle) -> GraphicalReportHandler {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    // No wrapping: a wrapped line of repository text would start a line of its own, where a CI
    // runner could read it as a command; every line printed starts with opsgate's own text.
    GraphicalReportHandler::new_themed(theme)
        .with_context_lines(1)
        .with_wrap_lines(false)
}

/// Renders one diagnostic; should the renderer ever panic, the finding is still printed, plainly.
fn render_one(handler: &GraphicalReportHandler, out: &mut String, diagnostic: &FindingDiagnostic) {
    let mut rendered = String::new();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        handler.render_report(&mut rendered, diagnostic)
    }));
    match result {
        Ok(Ok(())) => out.push_str(&rendered),
        _ => {
            let _ = writeln!(
                out,
                "{} [{}]: {}",
                diagnostic.severity, diagnostic.code, diagnostic.message
            );
        }
    }
}

/// Renders every finding, policy error and the summary.
pub fn render(report: &Report<'_>, style: TextStyle) -> String {
    let handler = handler(style);
    let mut out = String::new();
    if !style.quiet {
        for finding in &report.findings {
            let diagnostic = diagnostic_for(report, finding);
            render_one(&handler, &mut out, &diagnostic);
        }
        for error in report.policy_errors {
            out.push_str(&render_policy_error(error, style));
        }
    }
    out.push_str(&super::summary::line(report));
    out.push('\n');
    out
}

fn diagnostic_for(report: &Report<'_>, finding: &Finding) -> FindingDiagnostic {
    let file = finding
        .file
        .as_deref()
        .and_then(|name| report.workspace.files.iter().find(|f| f.display == name));
    let labels = match file {
        Some(_) => labels_of(finding),
        None => Vec::new(),
    };
    let (source, labels) = match file {
        Some(f) if !labels.is_empty() => snippet(&f.display, &f.text, &labels),
        _ => (None, Vec::new()),
    };
    let location = match (&finding.file, finding.range) {
        (Some(name), Some(range)) => {
            format!(
                "{}:{}:{}: ",
                visible(name),
                range.start.line,
                range.start.column
            )
        }
        (Some(name), None) => format!("{}: ", visible(name)),
        _ => String::new(),
    };
    let (message, severity, help) = headline(finding);
    FindingDiagnostic {
        message: format!("{location}{message}"),
        code: visible(&finding.code).into_owned(),
        severity,
        help: help.as_deref().map(|h| visible(h).into_owned()),
        source,
        labels,
        related: finding
            .related
            .iter()
            .map(|r| {
                let place = match (&r.file, r.line) {
                    (Some(file), Some(line)) => format!(" ({}:{line})", visible(file)),
                    _ => " (not found)".to_owned(),
                };
                format!("related: {}{place}", visible(&r.id))
            })
            .collect(),
    }
}

/// The finding's place, labelled with its field (or its code), and the second place it names.
fn labels_of(finding: &Finding) -> Vec<Label> {
    let Some(range) = finding.range else {
        return Vec::new();
    };
    let label = match &finding.pointer {
        Some(pointer) if !pointer.is_empty() => pointer.clone(),
        _ => finding.code.clone(),
    };
    let mut labels = vec![Label {
        range,
        text: Some(visible(&label).into_owned()),
        primary: true,
    }];
    if let Some((second, text)) = &finding.secondary {
        labels.push(Label {
            range: *second,
            text: Some(visible(text).into_owned()),
            primary: false,
        });
    }
    labels
}

/// The message, the severity shown and the help: a waived finding is shown as advice that names
/// its acceptance and what it becomes once that lapses.
fn headline(finding: &Finding) -> (String, Severity, Option<String>) {
    match (finding.status, &finding.waiver) {
        // A waiver shows whatever the status (the sink sets it `waived`).
        (_, Some(waiver)) => (
            format!(
                "{} [waived by {}]",
                visible(&finding.message),
                visible(&waiver.id)
            ),
            Severity::Info,
            Some(format!(
                "accepted risk {} (approved by {}, expires {}); a {} once it lapses",
                waiver.id,
                waiver.approver.as_deref().unwrap_or("?"),
                waiver.expires.as_deref().unwrap_or("?"),
                finding.severity,
            )),
        ),
        (Status::PreExisting, None) => (
            format!("{} [pre-existing]", visible(&finding.message)),
            finding.severity,
            finding.help.clone(),
        ),
        _ => (
            visible(&finding.message).into_owned(),
            finding.severity,
            finding.help.clone(),
        ),
    }
}

/// A policy error as a diagnostic on the `.rego` file when its place is known.
pub fn render_policy_error(error: &PolicyError, style: TextStyle) -> String {
    let mut out = String::new();
    let (source, labels) = match (&error.file, &error.text) {
        (Some(file), Some(text)) => {
            let at = crate::position::Position {
                offset: error.offset,
                line: error.line,
                column: error.column,
            };
            let range = TextRange { start: at, end: at };
            snippet(
                file,
                text,
                &[Label {
                    range: TextRange {
                        end: crate::position::Position {
                            offset: next_char(text, error.offset),
                            ..at
                        },
                        ..range
                    },
                    text: Some("here".into()),
                    primary: true,
                }],
            )
        }
        _ => (None, Vec::new()),
    };
    let location = match &error.file {
        Some(file) => format!("{}:{}:{}: ", visible(file), error.line, error.column),
        None => String::new(),
    };
    let diagnostic = FindingDiagnostic {
        message: format!("{location}{}", visible(&error.message)),
        code: "POLICY-ERROR".into(),
        severity: Severity::Error,
        help: error.help.as_deref().map(|h| visible(h).into_owned()),
        source,
        labels,
        related: Vec::new(),
    };
    render_one(&handler(style), &mut out, &diagnostic);
    out
}

/// The offset one character after `offset` (the end of a one-character label).
fn next_char(text: &str, offset: usize) -> usize {
    text.get(offset..)
        .and_then(|rest| rest.chars().next())
        .map_or(offset, |c| offset + c.len_utf8())
}

/// Every problem of a configuration file, each on its own line of the file.
pub fn render_config_error(error: &ConfigError, style: TextStyle) -> String {
    let handler = handler(style);
    let name = error.file.display().to_string();
    let mut out = String::new();
    for problem in &error.problems {
        let (line, column) = line_column(&error.text, problem.span.start);
        let start = problem.span.start.min(error.text.len());
        let end = problem.span.end.clamp(start, error.text.len());
        let (end_line, end_column) = line_column(&error.text, end);
        let range = TextRange {
            start: crate::position::Position {
                offset: start,
                line,
                column,
            },
            end: crate::position::Position {
                offset: end,
                line: end_line,
                column: end_column,
            },
        };
        let (source, labels) = snippet(
            &name,
            &error.text,
            &[Label {
                range,
                text: None,
                primary: true,
            }],
        );
        let diagnostic = FindingDiagnostic {
            message: format!(
                "{}:{line}:{column}: {}",
                visible(&name),
                visible(&problem.message)
            ),
            code: "CONFIG".into(),
            severity: Severity::Error,
            help: problem.help.as_deref().map(|h| visible(h).into_owned()),
            source,
            labels,
            related: Vec::new(),
        };
        render_one(&handler, &mut out, &diagnostic);
    }
    out
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
