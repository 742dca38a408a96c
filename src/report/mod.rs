//! Stage 4 — report: findings rendered for people and for machines, one module per format.
//!
//! The split is ripgrep's printer split. A check run becomes one [`model::Report`] (what each
//! finding means, decided once from the findings sink); the auditor's reports are
//! [`crate::audit::AuditReport`] and [`crate::period::PeriodReport`]. Renderers read a model and
//! write text; they never call each other: what several share lives in a shared module (the
//! [`escape`] module of each target language, [`summary`], [`page_html`], [`page_markdown`],
//! [`words`]).
//!
//! [`FORMATS`] and [`AUDIT_FORMATS`] are the one definition of the formats: clap's `--format`
//! values, `check.format` of opsgate.toml (and the configuration schema, checked by a test), the
//! progress-bar decision and the dispatch all read them; the lists of formats in the configuration
//! schema and the README are generated from them (`OPSGATE_BLESS=1 cargo test --test
//! config_schema`). A new format is its renderer's file and one entry here.

pub mod audit_html;
pub mod audit_markdown;
pub mod csv;
pub mod escape;
pub mod github;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod model;
pub mod oscal;
pub mod page_html;
pub mod page_markdown;
pub mod period_html;
pub mod period_markdown;
pub mod sarif;
pub mod snippet;
pub mod summary;
pub mod text;
pub mod words;

use crate::audit::AuditReport;
use crate::period::PeriodReport;
use model::Report;
use text::TextStyle;

/// An output format of `opsgate check`.
#[derive(Debug, Clone, Copy)]
pub struct Format {
    /// Its `--format` and `check.format` name.
    pub name: &'static str,
    /// The extension (without the dot) of a file written in it.
    pub extension: &'static str,
    /// One line for `--help`.
    pub description: &'static str,
    /// Whether a person reads it as it is printed: only then is a progress bar shown.
    pub for_humans: bool,
    /// Whether it shows git evidence (each finding's last commit, the repository): the model then
    /// walks the history for it.
    pub git_evidence: bool,
    pub render: fn(&Report<'_>, TextStyle) -> String,
    /// A second output, written where the environment says (GitHub's job summary).
    pub beside: Option<Beside>,
}

/// A second output of a format; a failure to write it is a warning, not an error.
#[derive(Debug, Clone, Copy)]
pub struct Beside {
    /// What it is and where it goes, for the warning.
    pub what: &'static str,
    pub write: fn(&Report<'_>) -> std::io::Result<()>,
}

/// The formats of `opsgate check`; the first is the default.
pub const FORMATS: &[Format] = &[
    Format {
        name: "text",
        extension: "txt",
        description: "Diagnostics for people (colour on a terminal)",
        for_humans: true,
        git_evidence: false,
        render: text::render,
        beside: None,
    },
    Format {
        name: "json",
        extension: "json",
        description: "Versioned JSON (schemas/output/findings.schema.json)",
        for_humans: false,
        git_evidence: true,
        render: |report, _| json::render(report),
        beside: None,
    },
    Format {
        name: "sarif",
        extension: "sarif",
        description: "SARIF 2.1.0 for code-scanning dashboards",
        for_humans: false,
        git_evidence: true,
        render: |report, _| sarif::render(report),
        beside: None,
    },
    Format {
        name: "junit",
        extension: "xml",
        description: "JUnit XML: a suite per management area, a case per rule × artifact",
        for_humans: false,
        git_evidence: false,
        render: |report, _| junit::render(report),
        beside: None,
    },
    Format {
        name: "github",
        extension: "txt",
        description: "GitHub Actions annotations (and a job summary in $GITHUB_STEP_SUMMARY)",
        for_humans: false,
        git_evidence: false,
        render: |report, _| github::render(report),
        beside: Some(Beside {
            what: "the job summary to $GITHUB_STEP_SUMMARY",
            write: github_step_summary,
        }),
    },
    Format {
        name: "markdown",
        extension: "md",
        description: "A markdown pull-request comment",
        for_humans: false,
        git_evidence: false,
        render: |report, _| markdown::render(report),
        beside: None,
    },
];

/// The check format named `name`.
pub fn format(name: &str) -> Option<&'static Format> {
    FORMATS.iter().find(|f| f.name == name)
}

/// The names `check.format` accepts, in table order.
pub fn format_names() -> Vec<&'static str> {
    FORMATS.iter().map(|f| f.name).collect()
}

/// The markdown comment appended to the file GitHub names in `GITHUB_STEP_SUMMARY`, if any.
fn github_step_summary(report: &Report<'_>) -> std::io::Result<()> {
    github::append_step_summary(|| markdown::render(report))
}

/// An output format of `opsgate report` (the auditor's report, over a date or a period).
#[derive(Debug, Clone, Copy)]
pub struct AuditFormat {
    /// Its `--format` name.
    pub name: &'static str,
    /// The extension (without the dot) of a file written in it.
    pub extension: &'static str,
    /// One line for `--help`.
    pub description: &'static str,
    /// Whether it lists every evidence artifact of a requirement (the pages keep theirs readable
    /// at [`crate::audit::EVIDENCE_LIMIT`]).
    pub every_evidence: bool,
    pub render: fn(&AuditReport) -> String,
    pub render_period: fn(&PeriodReport) -> String,
}

/// The formats of `opsgate report`; the first is the default.
pub const AUDIT_FORMATS: &[AuditFormat] = &[
    AuditFormat {
        name: "html",
        extension: "html",
        description: "One self-contained page that prints with every detail shown",
        every_evidence: false,
        render: audit_html::render,
        render_period: period_html::render,
    },
    AuditFormat {
        name: "markdown",
        extension: "md",
        description: "Markdown, for a wiki page or a repository",
        every_evidence: false,
        render: audit_markdown::render,
        render_period: period_markdown::render,
    },
    AuditFormat {
        name: "json",
        extension: "json",
        description: "Versioned JSON",
        every_evidence: false,
        render: json::render_audit,
        render_period: json::render_period,
    },
    AuditFormat {
        name: "oscal",
        extension: "json",
        description: "OSCAL 1.1 assessment-results JSON (reproducible byte for byte)",
        every_evidence: true,
        render: oscal::render,
        render_period: oscal::render_period,
    },
    AuditFormat {
        name: "csv",
        extension: "csv",
        description: "One row per requirement × artifact, for a spreadsheet",
        every_evidence: true,
        render: csv::render,
        render_period: csv::render_period,
    },
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    #[test]
    fn format_names_are_unique_and_every_format_is_described() {
        let names: BTreeSet<&str> = super::FORMATS.iter().map(|f| f.name).collect();
        assert_eq!(names.len(), super::FORMATS.len());
        let names: BTreeSet<&str> = super::AUDIT_FORMATS.iter().map(|f| f.name).collect();
        assert_eq!(names.len(), super::AUDIT_FORMATS.len());
        assert!(super::FORMATS.iter().all(|f| !f.description.is_empty()));
        assert!(super::AUDIT_FORMATS
            .iter()
            .all(|f| !f.description.is_empty()));
        assert_eq!(super::FORMATS[0].name, "text", "the default format");
        assert_eq!(
            super::AUDIT_FORMATS[0].name,
            "html",
            "the default report format"
        );
    }
}
