//! The one result type every stage produces: a finding, located in a file.

use serde::Serialize;

use crate::position::TextRange;

/// What a finding means for the run, decided once by the findings sink ([`crate::sink`]) and read
/// by every renderer: only `Failing` findings count towards the summary and the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    #[default]
    Failing,
    /// A valid risk acceptance covers it (`Finding::waiver` names it).
    Waived,
    /// In pull-request mode with `--all`: it existed before the change.
    PreExisting,
    /// The trusted configuration disables its rule: kept so audit reports can say so.
    Disabled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Failing => "failing",
            Status::Waived => "waived",
            Status::PreExisting => "pre-existing",
            Status::Disabled => "disabled",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which stage found the problem; load problems make the run's input incomplete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Load,
    Schema,
    Policy,
}

/// Another artifact a finding involves, so a reader can act without searching.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Related {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: String,
    pub severity: Severity,
    pub stage: Stage,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// JSON pointer of the offending field inside the artifact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<TextRange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    /// The risk acceptance that waives this finding: still reported, never failing the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverRef>,
    /// Failing, waived, pre-existing or disabled: set by the findings sink only.
    pub status: Status,
    /// A second place in the same file (e.g. the first of two duplicate keys).
    #[serde(skip)]
    pub secondary: Option<(TextRange, String)>,
}

impl Finding {
    pub fn new(
        code: impl Into<String>,
        severity: Severity,
        stage: Stage,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            code: code.into(),
            severity,
            stage,
            message: message.into(),
            file: None,
            artifact: None,
            kind: None,
            pointer: None,
            range: None,
            help: None,
            related: Vec::new(),
            waiver: None,
            status: Status::Failing,
            secondary: None,
        }
    }

    pub fn in_file(mut self, file: &str, range: Option<TextRange>) -> Self {
        self.file = Some(file.to_owned());
        self.range = range;
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Whether the finding counts towards the summary and the exit code.
    pub fn counts(&self) -> bool {
        self.status == Status::Failing
    }

    /// Why a finding does not count, in words for reports (`None` when it fails the run).
    pub fn status_note(&self) -> Option<String> {
        match self.status {
            Status::Failing => None,
            Status::Waived => Some(format!(
                "waived by {}",
                self.waiver.as_ref().map_or("?", |w| w.id.as_str())
            )),
            Status::PreExisting => Some("pre-existing".into()),
            Status::Disabled => Some("rule disabled by the configuration".into()),
        }
    }

    /// What makes two findings "the same problem" across two states of a repository (before and
    /// after a change): rule, artifact and field — not the message, whose numbers move with the
    /// date — and for findings without an artifact, the file.
    pub fn identity(&self) -> (&str, &str, &str, &str) {
        (
            &self.code,
            self.artifact.as_deref().unwrap_or(""),
            self.pointer.as_deref().unwrap_or(""),
            if self.artifact.is_none() {
                self.file.as_deref().unwrap_or("")
            } else {
                ""
            },
        )
    }

    pub fn line(&self) -> usize {
        self.range.map_or(0, |r| r.start.line)
    }

    /// The order every output uses: by file, position, then code and message.
    pub fn sort_key(&self) -> (Option<&str>, usize, usize, &str, &str) {
        let (line, column) = self
            .range
            .map_or((0, 0), |r| (r.start.line, r.start.column));
        (
            self.file.as_deref(),
            line,
            column,
            &self.code,
            &self.message,
        )
    }
}

/// The stable identity of a finding, what is wrong (code) with what (artifact, field):
/// [`Finding::identity`] joined (load problems have no artifact: the file tells them apart). The
/// recipe's version is part of SARIF's `partialFingerprints` key: bump it when the recipe changes.
pub fn fingerprint(finding: &Finding) -> String {
    let (code, artifact, pointer, file) = finding.identity();
    format!("{code}|{artifact}|{pointer}|{file}")
}

/// One fingerprint per finding, in order (SARIF's `partialFingerprints`): [`fingerprint`], the
/// message with every run of digits left out (a message may name a line, which moves), and for
/// findings still alike, their occurrence count in file order — as SARIF consumers expect, unique within a run and stable when
/// lines move. Hashed to keep the values short whatever the message.
pub fn fingerprints<'f>(findings: impl IntoIterator<Item = &'f Finding>) -> Vec<String> {
    use sha2::{Digest, Sha256};
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    findings
        .into_iter()
        .map(|finding| {
            let mut identity = fingerprint(finding);
            identity.push('|');
            let mut in_digits = false;
            for c in finding.message.chars() {
                if c.is_ascii_digit() {
                    if !in_digits {
                        identity.push('#');
                    }
                    in_digits = true;
                } else {
                    identity.push(c);
                    in_digits = false;
                }
            }
            let count = seen.entry(identity.clone()).or_insert(0);
            *count += 1;
            if *count > 1 {
                identity.push_str(&format!("|{count}"));
            }
            let digest = Sha256::digest(identity.as_bytes());
            digest[..16].iter().map(|b| format!("{b:02x}")).collect()
        })
        .collect()
}

pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// The acceptance that waives a finding, as reports show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaiverRef {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approver: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}
