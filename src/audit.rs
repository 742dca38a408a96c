//! The auditor's compliance report: every requirement (rule) with its status, the artifacts that
//! are evidence for it (traced to the git commit that last changed them), its findings and the
//! waivers that apply, summarised per management area and per framework control.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::catalogue::natural_cmp;
use crate::check::CheckRun;
use crate::finding::WaiverRef;
use crate::finding::{Finding, Severity, Stage};
use crate::git::CommitInfo;
use crate::model::{Artifact, Workspace};
use crate::provenance::{Forge, Provenance};
use crate::rules::{area_title, Rule, AREAS};

pub const FORMAT_VERSION: u32 = 1;
/// Evidence listed per requirement; the total is always given.
pub const EVIDENCE_LIMIT: usize = 100;
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
    /// The file at that commit on the forge, when the remote is a known one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
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
    /// Why the rule exists and how to meet it: an auditor reads them on every failed requirement.
    pub rationale: String,
    pub remediation: String,
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
    pub fn add(&mut self, status: Status) {
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
    /// Its standard short title, from the control catalogue ([`crate::catalogue`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<&'static str>,
    /// The worst status of its requirements.
    pub status: Status,
    pub requirements: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct FrameworkView {
    pub framework: String,
    pub title: String,
    pub controls: Vec<Control>,
    /// How many controls of the framework coverage is judged on (the catalogue's, see
    /// [`crate::catalogue`]): ISO Annex A controls, ITIL practices, CIS Safeguards, NIST base controls.
    pub catalogued: usize,
    /// Those that no rule covers, sorted naturally.
    pub uncovered: Vec<Uncovered>,
    /// What automation cannot prove, said beside `uncovered`.
    pub limits: &'static str,
}

impl Control {
    /// `A.5.2 Information security roles and responsibilities`; the id alone when the title is
    /// the id (ITIL practices) or unknown.
    pub fn label(&self) -> String {
        match self.title {
            Some(title) if title != self.control => format!("{} {title}", self.control),
            _ => self.control.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Uncovered {
    pub control: &'static str,
    pub title: &'static str,
    /// The Annex A theme, CIS Control or NIST family it belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<&'static str>,
}

impl Uncovered {
    pub fn label(&self) -> String {
        crate::catalogue::label_of(self.control, self.title)
    }
}

/// Uncovered controls of one group, for the views that list them group by group.
pub struct UncoveredGroup<'a> {
    /// `AC Access Control`; empty for a framework without groups (ITIL).
    pub label: String,
    /// The group's controls in the catalogue.
    pub total: usize,
    pub controls: Vec<&'a Uncovered>,
}

impl FrameworkView {
    /// The uncovered controls, group by group in natural order.
    pub fn uncovered_groups(&self) -> Vec<UncoveredGroup<'_>> {
        let mut out: Vec<UncoveredGroup<'_>> = Vec::new();
        let mut current: Option<Option<&str>> = None;
        for u in &self.uncovered {
            if current != Some(u.group) {
                current = Some(u.group);
                let (label, total) = match u.group {
                    Some(group) => (
                        crate::catalogue::label(&self.framework, group),
                        crate::catalogue::group_size(&self.framework, group),
                    ),
                    None => (String::new(), self.catalogued),
                };
                out.push(UncoveredGroup {
                    label,
                    total,
                    controls: Vec::new(),
                });
            }
            if let Some(last) = out.last_mut() {
                last.controls.push(u);
            }
        }
        out
    }
}

/// The framework views (`selected`: their keys, empty: all) of the rules of `registry`, whose
/// statuses are `statuses` in registry order: each cited control with its title and the worst
/// status of its requirements, sorted naturally, and the controls no rule covers.
pub fn framework_views(
    registry: &crate::rules::Registry,
    statuses: &[Status],
    selected: &[String],
) -> Vec<FrameworkView> {
    FRAMEWORKS
        .iter()
        .filter(|(key, _)| selected.is_empty() || selected.iter().any(|f| f == key))
        .map(|(key, title)| {
            let mut controls: BTreeMap<String, (Status, Vec<String>)> = BTreeMap::new();
            for (rule, status) in registry.iter().zip(statuses) {
                for control in controls_of(rule, key) {
                    let slot = controls
                        .entry(control.clone())
                        .or_insert((Status::NotApplicable, Vec::new()));
                    slot.0 = slot.0.min(*status);
                    slot.1.push(rule.code.clone());
                }
            }
            let uncovered = crate::catalogue::uncovered(key, controls.keys().map(String::as_str))
                .into_iter()
                .map(|c| Uncovered {
                    control: c.id,
                    title: c.title,
                    group: crate::catalogue::group_of(key, c.id),
                })
                .collect();
            let mut controls: Vec<Control> = controls
                .into_iter()
                .map(|(control, (status, requirements))| Control {
                    title: crate::catalogue::title(key, &control),
                    control,
                    status,
                    requirements,
                })
                .collect();
            controls.sort_by(|a, b| natural_cmp(&a.control, &b.control));
            FrameworkView {
                framework: (*key).to_owned(),
                title: (*title).to_owned(),
                controls,
                catalogued: crate::catalogue::unit_count(key),
                uncovered,
                limits: crate::catalogue::LIMITS,
            }
        })
        .collect()
}

#[derive(Debug, Serialize)]
pub struct AuditReport {
    pub format_version: u32,
    /// `failed` with `--only failed`: the other requirements are left out (totals still count them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub only: Option<&'static str>,
    pub scope: Scope,
    pub totals: Counts,
    pub areas: Vec<AreaSummary>,
    pub requirements: Vec<Requirement>,
    /// Files or artifacts that could not be checked fully (load and schema problems).
    pub input_problems: Vec<FindingEntry>,
    pub frameworks: Vec<FrameworkView>,
    /// Every risk acceptance that waived a finding, as it is written.
    pub waivers: Vec<WaiverDetail>,
}

/// A risk acceptance as an auditor reads it.
#[derive(Debug, Serialize)]
pub struct WaiverDetail {
    pub id: String,
    pub title: String,
    pub file: String,
    pub justification: String,
    pub scope: String,
    pub risk_owner: String,
    pub approver: String,
    pub approval_date: String,
    pub expires: String,
    pub rules: Vec<String>,
    pub artifacts: Vec<String>,
}

fn text_at(value: &serde_json::Value, pointer: &str) -> String {
    match value.pointer(pointer) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn texts_at(value: &serde_json::Value, pointer: &str) -> Vec<String> {
    value
        .pointer(pointer)
        .and_then(serde_json::Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The acceptances named by the requirements' waivers, read from the workspace.
fn waiver_details(run: &CheckRun, requirements: &[Requirement]) -> Vec<WaiverDetail> {
    let ids: BTreeSet<&str> = requirements
        .iter()
        .flat_map(|r| r.waivers.iter().map(|w| w.id.as_str()))
        .collect();
    ids.into_iter()
        .filter_map(|id| {
            let artifact = run.workspace.artifact(id)?;
            let v = &artifact.value;
            Some(WaiverDetail {
                id: id.to_owned(),
                title: text_at(v, "/metadata/title"),
                file: run.workspace.file_of(artifact).display.clone(),
                justification: text_at(v, "/spec/justification"),
                scope: text_at(v, "/spec/scope"),
                risk_owner: text_at(v, "/spec/risk_owner"),
                approver: text_at(v, "/spec/approval/approver"),
                approval_date: text_at(v, "/spec/approval/date"),
                expires: text_at(v, "/spec/expires"),
                rules: texts_at(v, "/spec/rules"),
                artifacts: texts_at(v, "/spec/artifacts"),
            })
        })
        .collect()
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

pub fn controls_of<'a>(rule: &'a Rule, framework: &str) -> &'a [String] {
    match framework {
        "iso27001" => &rule.frameworks.iso27001,
        "nist" => &rule.frameworks.nist_800_53,
        "cis" => &rule.frameworks.cis_v8,
        _ => &rule.frameworks.itil4,
    }
}

/// Builds the report. `frameworks` selects the framework views (empty: all).
pub fn build(run: &CheckRun, frameworks: &[String]) -> AuditReport {
    build_listing(run, frameworks, EVIDENCE_LIMIT)
}

/// [`build`] listing up to `limit` evidence artifacts per requirement (CSV and OSCAL list all).
pub fn build_listing(run: &CheckRun, frameworks: &[String], limit: usize) -> AuditReport {
    let provenance = Provenance::of(&run.root);
    let tracer = Tracer::new(run, provenance.as_ref());
    let mut by_code: HashMap<&str, Vec<&Finding>> = HashMap::new();
    let mut input_problems = Vec::new();
    for f in &run.findings {
        if f.stage == Stage::Policy {
            by_code.entry(f.code.as_str()).or_default().push(f);
        } else {
            input_problems.push(entry(f));
        }
    }
    let by_kind = artifacts_by_kind(&run.workspace);
    let requirements: Vec<Requirement> = run
        .policies
        .registry
        .iter()
        .map(|rule| {
            let findings = by_code.get(rule.code.as_str()).cloned().unwrap_or_default();
            let applicable = applicable(rule, &by_kind);
            let disabled = run.disabled_rules.contains(&rule.code);
            requirement(rule, disabled, &applicable, &findings, &tracer, limit)
        })
        .collect();
    let (totals, areas) = summarise(requirements.iter().map(|r| (r.area.as_str(), r.status)));
    let statuses: Vec<Status> = requirements.iter().map(|r| r.status).collect();
    AuditReport {
        waivers: waiver_details(run, &requirements),
        format_version: FORMAT_VERSION,
        only: None,
        scope: scope(run, provenance.as_ref()),
        totals,
        areas,
        frameworks: framework_views(&run.policies.registry, &statuses, frameworks),
        requirements,
        input_problems,
    }
}

/// What the report is about: the repository, its commit and branch, the date, the policy set.
fn scope(run: &CheckRun, provenance: Option<&Provenance>) -> Scope {
    Scope {
        // A reader elsewhere cannot use a local path: the remote's URL when there is one.
        repository: provenance
            .and_then(|p| p.remote.clone())
            .unwrap_or_else(|| run.root.display().to_string()),
        commit: provenance.and_then(|p| p.git.head()),
        branch: provenance.and_then(|p| p.branch.clone()),
        as_of: run.as_of.clone(),
        opsgate_version: env!("CARGO_PKG_VERSION"),
        policy_digest: policy_digest(run.policies.sources()),
        rules: run.policies.registry.len(),
        artifacts: run.workspace.artifacts.len(),
    }
}

/// The artifacts with an id, by kind.
fn artifacts_by_kind(workspace: &Workspace) -> BTreeMap<&str, Vec<&Artifact>> {
    let mut by_kind: BTreeMap<&str, Vec<&Artifact>> = BTreeMap::new();
    for artifact in workspace.artifacts.iter().filter(|a| a.has_id) {
        by_kind
            .entry(artifact.kind.name)
            .or_default()
            .push(artifact);
    }
    by_kind
}

/// The artifacts a rule applies to: those of its kinds (all, for a rule without kinds).
fn applicable<'w>(rule: &Rule, by_kind: &BTreeMap<&str, Vec<&'w Artifact>>) -> Vec<&'w Artifact> {
    match &rule.kinds {
        Some(kinds) => kinds
            .iter()
            .flat_map(|k| by_kind.get(k.as_str()).into_iter().flatten().copied())
            .collect(),
        None => by_kind.values().flatten().copied().collect(),
    }
}

/// One rule as a requirement, with up to `limit` of its evidence artifacts.
fn requirement(
    rule: &Rule,
    disabled: bool,
    applicable: &[&Artifact],
    findings: &[&Finding],
    tracer: &Tracer<'_>,
    limit: usize,
) -> Requirement {
    let waivers: BTreeSet<(String, Option<String>, Option<String>)> = findings
        .iter()
        .filter_map(|f| f.waiver.as_ref())
        .map(|w| (w.id.clone(), w.approver.clone(), w.expires.clone()))
        .collect();
    Requirement {
        code: rule.code.clone(),
        title: rule.title.clone(),
        area: rule.area.clone(),
        severity: rule.severity,
        status: status_of(disabled, applicable.len(), findings),
        source: rule.source.clone(),
        rationale: rule.rationale.clone(),
        remediation: rule.remediation.clone(),
        frameworks: rule.frameworks.clone(),
        evidence_total: applicable.len(),
        evidence: applicable
            .iter()
            .take(limit)
            .map(|a| tracer.evidence(a))
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
    }
}

/// Traces evidence artifacts to the commit that last changed their file, and to its forge page.
struct Tracer<'r> {
    run: &'r CheckRun,
    provenance: Option<&'r Provenance>,
    forge: Option<Forge>,
    commits: HashMap<String, CommitInfo>,
}

impl<'r> Tracer<'r> {
    fn new(run: &'r CheckRun, provenance: Option<&'r Provenance>) -> Tracer<'r> {
        let files = run.workspace.files.iter().map(|f| f.display.as_str());
        Tracer {
            run,
            provenance,
            forge: provenance.and_then(Provenance::forge),
            commits: crate::provenance::last_commits(&run.root, files),
        }
    }

    fn evidence(&self, artifact: &Artifact) -> Evidence {
        let file = self.run.workspace.file_of(artifact);
        let commit = self.commits.get(&file.display).cloned();
        let link = match (&self.forge, &commit, self.provenance) {
            (Some(forge), Some(c), Some(p)) => p
                .git
                .relative(&self.run.root.join(&file.display))
                .map(|path| forge.file_link(&c.sha, &path)),
            _ => None,
        };
        Evidence {
            id: artifact.id.clone(),
            kind: artifact.kind.name.to_owned(),
            file: file.display.clone(),
            commit,
            link,
        }
    }
}

impl AuditReport {
    /// `--only failed`: keeps the failed requirements and the framework controls they make fail.
    /// The totals still count every requirement.
    pub fn only_failed(&mut self) {
        self.only = Some("failed");
        self.requirements.retain(|r| r.status == Status::Failed);
        for view in &mut self.frameworks {
            view.controls.retain(|c| c.status == Status::Failed);
        }
    }
}

/// Totals and per-area counts of requirement statuses: the built-in areas in their order, then
/// the areas of a team's own rules. Shared by the snapshot and the period report.
pub fn summarise<'a>(
    statuses: impl Iterator<Item = (&'a str, Status)>,
) -> (Counts, Vec<AreaSummary>) {
    let mut totals = Counts::default();
    let mut per_area: BTreeMap<&str, Counts> = BTreeMap::new();
    for (area, status) in statuses {
        totals.add(status);
        per_area.entry(area).or_default().add(status);
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
    for (area, counts) in per_area {
        areas.push(AreaSummary {
            area: area.to_owned(),
            title: area_title(area).to_owned(),
            counts,
        });
    }
    (totals, areas)
}
