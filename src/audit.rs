//! The auditor's compliance report: every requirement (rule) with its status, the artifacts that
//! are evidence for it (traced to the git commit that last changed them), its findings and the
//! waivers that apply, summarised per management area and per framework control.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::check::CheckRun;
use crate::finding::{Finding, Severity, Stage};
use crate::git::{CommitInfo, Git};
use crate::rules::{area_title, Rule, AREAS};
use crate::waive::WaiverRef;

pub const FORMAT_VERSION: u32 = 1;
/// Evidence listed per requirement; the total is always given.
pub const EVIDENCE_LIMIT: usize = 100;
/// Commits walked to find the last change of each file.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Failed,
    Waived,
    /// The configuration disables the rule: nothing was verified, so it is never "met".
    Disabled,
    Met,
    NotApplicable,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Failed => "failed",
            Status::Waived => "waived",
            Status::Disabled => "disabled",
            Status::Met => "met",
            Status::NotApplicable => "not applicable",
        }
    }
}

/// Frameworks the rule metadata maps to, as `--framework` names them.
pub const FRAMEWORKS: &[(&str, &str)] = &[
    ("iso27001", "ISO/IEC 27001:2022 Annex A"),
    ("nist", "NIST SP 800-53 rev. 5"),
    ("cis", "CIS Controls v8"),
    ("itil", "ITIL 4 practices"),
];

#[derive(Debug, Serialize)]
pub struct Scope {
    pub repository: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    pub as_of: String,
    pub opsgate_version: &'static str,
    /// sha256 over every policy file (name and text) in load order.
    pub policy_digest: String,
    pub rules: usize,
    pub artifacts: usize,
}

#[derive(Debug, Serialize)]
pub struct Evidence {
    pub id: String,
    pub kind: String,
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitInfo>,
}

#[derive(Debug, Serialize)]
pub struct FindingEntry {
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverRef>,
}

#[derive(Debug, Serialize)]
pub struct Requirement {
    pub code: String,
    pub title: String,
    pub area: String,
    pub severity: Severity,
    pub status: Status,
    pub source: String,
    pub frameworks: crate::rules::Frameworks,
    pub evidence_total: usize,
    pub evidence: Vec<Evidence>,
    pub findings: Vec<FindingEntry>,
    pub waivers: Vec<WaiverRef>,
}

#[derive(Debug, Default, Serialize)]
pub struct Counts {
    pub met: usize,
    pub failed: usize,
    pub waived: usize,
    pub disabled: usize,
    pub not_applicable: usize,
}

impl Counts {
    fn add(&mut self, status: Status) {
        match status {
            Status::Met => self.met += 1,
            Status::Failed => self.failed += 1,
            Status::Waived => self.waived += 1,
            Status::Disabled => self.disabled += 1,
            Status::NotApplicable => self.not_applicable += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.met + self.failed + self.waived + self.disabled + self.not_applicable
    }
}

#[derive(Debug, Serialize)]
pub struct AreaSummary {
    pub area: String,
    pub title: String,
    pub counts: Counts,
}

#[derive(Debug, Serialize)]
pub struct Control {
    pub control: String,
    /// The worst status of its requirements.
    pub status: Status,
    pub requirements: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct FrameworkView {
    pub framework: String,
    pub title: String,
    pub controls: Vec<Control>,
}

#[derive(Debug, Serialize)]
pub struct AuditReport {
    pub format_version: u32,
    pub scope: Scope,
    pub totals: Counts,
    pub areas: Vec<AreaSummary>,
    pub requirements: Vec<Requirement>,
    /// Files or artifacts that could not be checked fully (load and schema problems).
    pub input_problems: Vec<FindingEntry>,
    pub frameworks: Vec<FrameworkView>,
}

pub fn policy_digest(sources: &[(String, std::sync::Arc<str>)]) -> String {
    let mut hasher = Sha256::new();
    for (name, text) in sources {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update(text.as_bytes());
        hasher.update([0]);
    }
    format!("sha256:{:x}", hasher.finalize())
}

fn entry(f: &Finding) -> FindingEntry {
    FindingEntry {
        severity: f.severity,
        message: f.message.clone(),
        artifact: f.artifact.clone(),
        file: f.file.clone(),
        line: f.range.map(|r| r.start.line),
        waiver: f.waiver.clone(),
    }
}

fn status_of(disabled: bool, applicable: usize, findings: &[&Finding]) -> Status {
    let failing = findings
        .iter()
        .any(|f| f.counts() && f.severity >= Severity::Warning);
    if disabled {
        Status::Disabled
    } else if failing {
        Status::Failed
    } else if findings.iter().any(|f| f.waiver.is_some()) {
        Status::Waived
    } else if applicable == 0 {
        Status::NotApplicable
    } else {
        Status::Met
    }
}

fn controls_of<'a>(rule: &'a Rule, framework: &str) -> &'a [String] {
    match framework {
        "iso27001" => &rule.frameworks.iso27001,
        "nist" => &rule.frameworks.nist_800_53,
        "cis" => &rule.frameworks.cis_v8,
        _ => &rule.frameworks.itil4,
    }
}

/// Builds the report. `frameworks` selects the framework views (empty: all).
pub fn build(run: &CheckRun, frameworks: &[String]) -> AuditReport {
    let git = Git::discover(&run.root).ok();
    let commits: HashMap<String, CommitInfo> =
        run.last_commits(run.workspace.files.iter().map(|f| f.display.as_str()));
    let commit_of = |file: &crate::model::SourceFile| -> Option<CommitInfo> {
        commits.get(&file.display).cloned()
    };

    let mut by_code: HashMap<&str, Vec<&Finding>> = HashMap::new();
    let mut input_problems = Vec::new();
    for f in &run.findings {
        if f.stage == Stage::Policy {
            by_code.entry(f.code.as_str()).or_default().push(f);
        } else {
            input_problems.push(entry(f));
        }
    }
    let mut by_kind: BTreeMap<&str, Vec<&crate::model::Artifact>> = BTreeMap::new();
    for artifact in run.workspace.artifacts.iter().filter(|a| a.has_id) {
        by_kind
            .entry(artifact.kind.name)
            .or_default()
            .push(artifact);
    }

    let mut requirements = Vec::new();
    for rule in run.policies.registry.iter() {
        let applicable: Vec<&crate::model::Artifact> = match &rule.kinds {
            Some(kinds) => kinds
                .iter()
                .flat_map(|k| by_kind.get(k.as_str()).into_iter().flatten().copied())
                .collect(),
            None => by_kind.values().flatten().copied().collect(),
        };
        let findings = by_code.get(rule.code.as_str()).cloned().unwrap_or_default();
        let waivers: BTreeSet<(String, Option<String>, Option<String>)> = findings
            .iter()
            .filter_map(|f| f.waiver.as_ref())
            .map(|w| (w.id.clone(), w.approver.clone(), w.expires.clone()))
            .collect();
        requirements.push(Requirement {
            code: rule.code.clone(),
            title: rule.title.clone(),
            area: rule.area.clone(),
            severity: rule.severity,
            status: status_of(
                run.disabled_rules.contains(&rule.code),
                applicable.len(),
                &findings,
            ),
            source: rule.source.clone(),
            frameworks: rule.frameworks.clone(),
            evidence_total: applicable.len(),
            evidence: applicable
                .iter()
                .take(EVIDENCE_LIMIT)
                .map(|a| {
                    let file = run.workspace.file_of(a);
                    Evidence {
                        id: a.id.clone(),
                        kind: a.kind.name.to_owned(),
                        file: file.display.clone(),
                        commit: commit_of(file),
                    }
                })
                .collect(),
            findings: findings.iter().map(|f| entry(f)).collect(),
            waivers: waivers
                .into_iter()
                .map(|(id, approver, expires)| WaiverRef {
                    id,
                    approver,
                    expires,
                })
                .collect(),
        });
    }

    let mut totals = Counts::default();
    let mut per_area: BTreeMap<&str, Counts> = BTreeMap::new();
    for requirement in &requirements {
        totals.add(requirement.status);
        per_area
            .entry(requirement.area.as_str())
            .or_default()
            .add(requirement.status);
    }
    let mut areas: Vec<AreaSummary> = Vec::new();
    for (area, title) in AREAS {
        if let Some(counts) = per_area.remove(area) {
            areas.push(AreaSummary {
                area: (*area).to_owned(),
                title: (*title).to_owned(),
                counts,
            });
        }
    }
    // Areas of a team's own rules, after the built-in ones.
    for (area, counts) in per_area {
        areas.push(AreaSummary {
            area: area.to_owned(),
            title: area_title(area).to_owned(),
            counts,
        });
    }

    let framework_views = FRAMEWORKS
        .iter()
        .filter(|(key, _)| frameworks.is_empty() || frameworks.iter().any(|f| f == key))
        .map(|(key, title)| {
            let mut controls: BTreeMap<String, (Status, Vec<String>)> = BTreeMap::new();
            for (rule, requirement) in run.policies.registry.iter().zip(&requirements) {
                for control in controls_of(rule, key) {
                    let slot = controls
                        .entry(control.clone())
                        .or_insert((Status::NotApplicable, Vec::new()));
                    slot.0 = slot.0.min(requirement.status);
                    slot.1.push(rule.code.clone());
                }
            }
            FrameworkView {
                framework: (*key).to_owned(),
                title: (*title).to_owned(),
                controls: controls
                    .into_iter()
                    .map(|(control, (status, requirements))| Control {
                        control,
                        status,
                        requirements,
                    })
                    .collect(),
            }
        })
        .collect();

    AuditReport {
        format_version: FORMAT_VERSION,
        scope: Scope {
            repository: run.root.display().to_string(),
            commit: git.as_ref().and_then(Git::head),
            branch: git.as_ref().and_then(Git::branch),
            as_of: run.as_of.clone(),
            opsgate_version: env!("CARGO_PKG_VERSION"),
            policy_digest: policy_digest(run.policies.sources()),
            rules: run.policies.registry.len(),
            artifacts: run.workspace.artifacts.len(),
        },
        totals,
        areas,
        requirements,
        input_problems,
        frameworks: framework_views,
    }
}
