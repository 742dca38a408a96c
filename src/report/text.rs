//! Human output: miette diagnostics with the offending span labelled, then a one-line summary.

use std::fmt::Write as _;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan,
};

use super::sanitize::{mask_controls, strip_controls};
use crate::check::CheckRun;
use crate::config::ConfigError;
use crate::evaluate::PolicyError;
use crate::finding::{Finding, Severity};
use crate::load::position::TextRange;

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
    source: Option<NamedSource<String>>,
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

fn span_of(range: &TextRange) -> SourceSpan {
    SourceSpan::new(range.start.offset.into(), range.len())
}

fn handler(style: TextStyle) -> GraphicalReportHandler {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme).with_context_lines(1)
}

/// Renders every finding, policy error and the summary.
pub fn render(run: &CheckRun, style: TextStyle) -> String {
    let handler = handler(style);
    let mut out = String::new();
    if !style.quiet {
        for finding in run.reported() {
            let diagnostic = diagnostic_for(run, finding);
            let _ = handler.render_report(&mut out, &diagnostic);
        }
        for error in &run.policy_errors {
            out.push_str(&render_policy_error(error, style));
        }
    }
    out.push_str(&summary(run));
    out.push('\n');
    out
}

fn diagnostic_for(run: &CheckRun, finding: &Finding) -> FindingDiagnostic {
    let file = finding
        .file
        .as_deref()
        .and_then(|name| run.workspace.files.iter().find(|f| f.display == name));
    let mut labels = Vec::new();
    if let (Some(range), Some(_)) = (&finding.range, file) {
        let label = match (&finding.pointer, &finding.artifact) {
            (Some(pointer), _) if !pointer.is_empty() => pointer.clone(),
            _ => finding.code.clone(),
        };
        labels.push(LabeledSpan::new_primary_with_span(
            Some(strip_controls(&label)),
            span_of(range),
        ));
        if let Some((second, text)) = &finding.secondary {
            labels.push(LabeledSpan::new_with_span(
                Some(text.clone()),
                span_of(second),
            ));
        }
    }
    let location = match (&finding.file, finding.range) {
        (Some(name), Some(range)) => {
            format!("{name}:{}:{}: ", range.start.line, range.start.column)
        }
        (Some(name), None) => format!("{name}: "),
        _ => String::new(),
    };
    let (message, severity, help) = match &finding.waiver {
        None if finding.status == crate::finding::Status::PreExisting => (
            format!("{} [pre-existing]", finding.message),
            finding.severity,
            finding.help.clone(),
        ),
        None => (
            finding.message.clone(),
            finding.severity,
            finding.help.clone(),
        ),
        Some(waiver) => (
            format!("{} [waived by {}]", finding.message, waiver.id),
            Severity::Info,
            Some(format!(
                "accepted risk {} (approved by {}, expires {}); a {} once it lapses",
                waiver.id,
                waiver.approver.as_deref().unwrap_or("?"),
                waiver.expires.as_deref().unwrap_or("?"),
                finding.severity,
            )),
        ),
    };
    FindingDiagnostic {
        message: strip_controls(&format!("{location}{message}")),
        code: finding.code.clone(),
        severity,
        help: help.as_deref().map(strip_controls),
        source: file.map(|f| NamedSource::new(f.display.clone(), mask_controls(&f.text))),
        labels,
        related: finding
            .related
            .iter()
            .map(|r| {
                let place = match (&r.file, r.line) {
                    (Some(file), Some(line)) => format!(" ({file}:{line})"),
                    _ => " (not found)".to_owned(),
                };
                strip_controls(&format!("related: {}{place}", r.id))
            })
            .collect(),
    }
}

/// A policy error as a diagnostic on the `.rego` file when its place is known.
pub fn render_policy_error(error: &PolicyError, style: TextStyle) -> String {
    let mut out = String::new();
    let (source, labels) = match (&error.file, &error.text) {
        (Some(file), Some(text)) => (
            Some(NamedSource::new(file.clone(), mask_controls(text))),
            vec![LabeledSpan::new_primary_with_span(
                Some("here".into()),
                SourceSpan::new(error.offset.into(), 1),
            )],
        ),
        _ => (None, Vec::new()),
    };
    let location = match &error.file {
        Some(file) => format!("{file}:{}:{}: ", error.line, error.column),
        None => String::new(),
    };
    let diagnostic = FindingDiagnostic {
        message: format!("{location}{}", error.message),
        code: "POLICY-ERROR".into(),
        severity: Severity::Error,
        help: error.help.clone(),
        source,
        labels,
        related: Vec::new(),
    };
    let _ = handler(style).render_report(&mut out, &diagnostic);
    out
}

/// Every problem of a configuration file, each on its own line of the file.
pub fn render_config_error(error: &ConfigError, style: TextStyle) -> String {
    let handler = handler(style);
    let name = error.file.display().to_string();
    let mut out = String::new();
    for problem in &error.problems {
        let (line, column) = line_column(&error.text, problem.span.start);
        let start = problem.span.start.min(error.text.len());
        let length = problem.span.end.min(error.text.len()).saturating_sub(start);
        let diagnostic = FindingDiagnostic {
            message: strip_controls(&format!("{name}:{line}:{column}: {}", problem.message)),
            code: "CONFIG".into(),
            severity: Severity::Error,
            help: problem.help.as_deref().map(strip_controls),
            source: Some(NamedSource::new(name.clone(), mask_controls(&error.text))),
            labels: vec![LabeledSpan::new_primary_with_span(
                None,
                SourceSpan::new(start.into(), length),
            )],
            related: Vec::new(),
        };
        let _ = handler.render_report(&mut out, &diagnostic);
    }
    out
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// `checked 12 files (57 artifacts) in 8 ms: 3 errors, 1 warning, 0 info`
pub fn summary(run: &CheckRun) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut line = String::new();
    let _ = write!(
        line,
        "checked {} ({} with artifacts, {}) in {} ms: {}, {}, {} info",
        plural(run.stats.yaml_files, "YAML file"),
        run.stats.artifact_files,
        plural(run.stats.artifacts, "artifact"),
        run.stats.elapsed.as_millis(),
        plural(run.count(Severity::Error), "error"),
        plural(run.count(Severity::Warning), "warning"),
        run.count(Severity::Info),
    );
    if run.waived() > 0 {
        let _ = write!(line, ", {} waived", run.waived());
    }
    if !run.policy_errors.is_empty() {
        let _ = write!(
            line,
            "; {}",
            plural(run.policy_errors.len(), "policy error")
        );
    }
    line
}
