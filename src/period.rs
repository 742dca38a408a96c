//! The period report: whether each requirement (rule) held throughout a period, from the
//! repository's history. Each evaluation point ([`crate::history::Point`]) says which artifacts
//! fail each rule; consecutive failing points form an interval of non-compliance, opened by the
//! point (commit) that broke it and closed by the one that fixed it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::audit::{AreaSummary, Counts, Status};
use crate::finding::{Finding, Severity, Stage};
use crate::git::CommitInfo;
use crate::history::{Period, Point};
use crate::rules::Registry;

pub const FORMAT_VERSION: u32 = 1;

/// What opened or closed an interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// A commit changed an artifact of the interval (or its neighbourhood).
    Commit,
    /// No commit touched it: the date moved past a deadline (detected at the first evaluation
    /// point on or after that date).
    Date,
    /// It already failed when the period started.
    BeforePeriod,
}

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub cause: Cause,
    /// The evaluation date (the commit's date, or the period's start or end).
    pub date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitInfo>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Interval {
    pub opened: Event,
    /// `None`: still open at the end of the period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed: Option<Event>,
    /// Days from opening to closing (to the period's end when still open).
    pub days: i64,
    /// Artifacts (or files, for findings without one) that failed during the interval.
    pub artifacts: Vec<String>,
    /// One message per artifact, as first seen.
    pub messages: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WaiverCover {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approver: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    pub from: String,
    pub to: String,
    pub artifacts: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct PeriodRequirement {
    pub code: String,
    pub title: String,
    pub area: String,
    pub severity: Severity,
    /// `met`: compliant throughout; `failed`: at least one interval; `waived`: only waived
    /// findings; `disabled`; `not_applicable`: no artifact of its kinds at any point.
    pub status: Status,
    pub source: String,
    pub rationale: String,
    pub remediation: String,
    pub frameworks: crate::rules::Frameworks,
    pub intervals: Vec<Interval>,
    pub waivers: Vec<WaiverCover>,
    /// Days of the period with the requirement not met.
    pub days_non_compliant: i64,
}

#[derive(Debug, Serialize)]
pub struct PeriodScope {
    pub repository: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    pub start: String,
    pub end: String,
    /// The state at the start: the last commit before the period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<CommitInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tip: Option<CommitInfo>,
    pub commits_in_period: usize,
    /// Points evaluated (start, each commit that changed what opsgate reads, end).
    pub evaluation_points: usize,
    pub opsgate_version: &'static str,
    pub policy_digest: String,
    pub rules: usize,
}

/// A framework control over the period (its status: the worst of its requirements').
pub type PeriodControl = crate::audit::Control;

/// A framework's view over the period.
pub type PeriodFramework = crate::audit::FrameworkView;

#[derive(Debug, Serialize)]
pub struct PeriodReport {
    pub format_version: u32,
    pub kind: &'static str,
    /// `failed` with `--only failed`: the other requirements are left out (totals still count them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub only: Option<&'static str>,
    pub scope: PeriodScope,
    pub totals: Counts,
    pub areas: Vec<AreaSummary>,
    pub requirements: Vec<PeriodRequirement>,
    pub frameworks: Vec<PeriodFramework>,
}

/// Who a finding is about: its artifact, else its file.
fn subject(f: &Finding) -> String {
    f.artifact
        .clone()
        .or_else(|| f.file.clone())
        .unwrap_or_default()
}

fn failing(f: &Finding) -> bool {
    f.stage == Stage::Policy && f.counts() && f.severity >= Severity::Warning
}

fn days_between(from: &str, to: &str) -> i64 {
    match (
        from.parse::<jiff::civil::Date>(),
        to.parse::<jiff::civil::Date>(),
    ) {
        (Ok(a), Ok(b)) => (b - a).get_days() as i64,
        _ => 0,
    }
}

fn event(point: &Point, subjects: &BTreeSet<String>, first: bool) -> Event {
    let cause = if first {
        Cause::BeforePeriod
    } else if point.commit.is_some() && subjects.iter().any(|s| point.touched.contains(s)) {
        Cause::Commit
    } else {
        Cause::Date
    };
    Event {
        cause,
        date: point.as_of.clone(),
        commit: point.commit.clone(),
    }
}

struct Open {
    opened: Event,
    artifacts: BTreeSet<String>,
    messages: BTreeMap<String, String>,
}

/// Each point's findings by rule code: every rule reads only its own (a history has thousands of
/// points and a registry hundreds of rules).
struct ByCode<'a>(Vec<HashMap<&'a str, Vec<&'a Finding>>>);

impl<'a> ByCode<'a> {
    fn of(points: &'a [Point]) -> ByCode<'a> {
        let index = |point: &'a Point| {
            let mut by_code: HashMap<&'a str, Vec<&'a Finding>> = HashMap::new();
            for finding in &point.findings {
                by_code
                    .entry(finding.code.as_str())
                    .or_default()
                    .push(finding);
            }
            by_code
        };
        ByCode(points.iter().map(index).collect())
    }

    fn at(&self, point: usize, code: &str) -> &[&'a Finding] {
        self.0
            .get(point)
            .and_then(|by_code| by_code.get(code))
            .map_or(&[], Vec::as_slice)
    }
}

/// The intervals of one rule over the points.
fn intervals(code: &str, points: &[Point], by_code: &ByCode<'_>) -> Vec<Interval> {
    let mut out = Vec::new();
    let mut open: Option<Open> = None;
    for (index, point) in points.iter().enumerate() {
        let now: BTreeMap<String, &Finding> = by_code
            .at(index, code)
            .iter()
            .copied()
            .filter(|f| failing(f))
            .map(|f| (subject(f), f))
            .collect();
        match open.take() {
            None if !now.is_empty() => {
                let subjects: BTreeSet<String> = now.keys().cloned().collect();
                open = Some(Open {
                    opened: event(point, &subjects, index == 0),
                    artifacts: subjects,
                    messages: now
                        .iter()
                        .map(|(k, f)| (k.clone(), f.message.clone()))
                        .collect(),
                });
            }
            None => {}
            Some(mut current) if !now.is_empty() => {
                for (k, f) in &now {
                    current.artifacts.insert(k.clone());
                    current
                        .messages
                        .entry(k.clone())
                        .or_insert_with(|| f.message.clone());
                }
                open = Some(current);
            }
            Some(current) => {
                let closed = event(point, &current.artifacts, false);
                out.push(Interval {
                    days: days_between(&current.opened.date, &closed.date),
                    opened: current.opened,
                    closed: Some(closed),
                    artifacts: current.artifacts.into_iter().collect(),
                    messages: current.messages,
                });
            }
        }
    }
    if let (Some(current), Some(last)) = (open, points.last()) {
        out.push(Interval {
            days: days_between(&current.opened.date, &last.as_of),
            opened: current.opened,
            closed: None,
            artifacts: current.artifacts.into_iter().collect(),
            messages: current.messages,
        });
    }
    out
}

/// The waivers that covered findings of `code`, with the dates they covered.
fn waivers(code: &str, points: &[Point], by_code: &ByCode<'_>) -> Vec<WaiverCover> {
    let mut by_id: BTreeMap<String, WaiverCover> = BTreeMap::new();
    for (index, point) in points.iter().enumerate() {
        for f in by_code.at(index, code) {
            let Some(w) = &f.waiver else { continue };
            let cover = by_id.entry(w.id.clone()).or_insert_with(|| WaiverCover {
                id: w.id.clone(),
                approver: w.approver.clone(),
                expires: w.expires.clone(),
                from: point.as_of.clone(),
                to: point.as_of.clone(),
                artifacts: Vec::new(),
            });
            cover.to = point.as_of.clone();
            let s = subject(f);
            if !cover.artifacts.contains(&s) {
                cover.artifacts.push(s);
            }
        }
    }
    by_id.into_values().collect()
}

pub struct Inputs<'a> {
    pub registry: &'a Registry,
    pub disabled: &'a BTreeSet<String>,
    pub period: Period,
    pub points: &'a [Point],
    pub scope: PeriodScope,
    pub frameworks: &'a [String],
}

fn status(
    disabled: bool,
    applicable: bool,
    intervals: &[Interval],
    waivers: &[WaiverCover],
) -> Status {
    if disabled {
        Status::Disabled
    } else if !intervals.is_empty() {
        Status::Failed
    } else if !waivers.is_empty() {
        Status::Waived
    } else if applicable {
        Status::Met
    } else {
        Status::NotApplicable
    }
}

pub fn build(inputs: Inputs<'_>) -> PeriodReport {
    let points = inputs.points;
    let by_code = ByCode::of(points);
    let kinds: BTreeSet<&str> = points
        .iter()
        .flat_map(|p| p.artifacts.iter().map(|(_, kind, _)| *kind))
        .collect();
    let mut requirements = Vec::new();
    for rule in inputs.registry.iter() {
        let applicable = kinds.iter().any(|kind| rule.applies_to(kind));
        let disabled = inputs.disabled.contains(&rule.code);
        let intervals = if disabled {
            Vec::new()
        } else {
            intervals(&rule.code, points, &by_code)
        };
        let waivers = waivers(&rule.code, points, &by_code);
        let days_non_compliant = intervals.iter().map(|i| i.days.max(1)).sum();
        requirements.push(PeriodRequirement {
            status: status(disabled, applicable, &intervals, &waivers),
            code: rule.code.clone(),
            title: rule.title.clone(),
            area: rule.area.clone(),
            severity: rule.severity,
            source: rule.source.clone(),
            rationale: rule.rationale.clone(),
            remediation: rule.remediation.clone(),
            frameworks: rule.frameworks.clone(),
            intervals,
            waivers,
            days_non_compliant,
        });
    }
    let (totals, areas) = summarise(&requirements);
    let frameworks = framework_views(inputs.registry, &requirements, inputs.frameworks);
    let _ = inputs.period;
    PeriodReport {
        format_version: FORMAT_VERSION,
        kind: "period",
        only: None,
        scope: inputs.scope,
        totals,
        areas,
        requirements,
        frameworks,
    }
}

fn summarise(requirements: &[PeriodRequirement]) -> (Counts, Vec<AreaSummary>) {
    crate::audit::summarise(requirements.iter().map(|r| (r.area.as_str(), r.status)))
}

fn framework_views(
    registry: &Registry,
    requirements: &[PeriodRequirement],
    selected: &[String],
) -> Vec<PeriodFramework> {
    let statuses: Vec<Status> = requirements.iter().map(|r| r.status).collect();
    crate::audit::framework_views(registry, &statuses, selected)
}

impl PeriodReport {
    /// `--only failed`: keeps the requirements that failed at some time of the period, and the
    /// framework controls they belong to. The totals still count every requirement.
    pub fn only_failed(&mut self) {
        self.only = Some("failed");
        self.requirements.retain(|r| r.status == Status::Failed);
        for view in &mut self.frameworks {
            view.controls.retain(|c| c.status == Status::Failed);
        }
    }
}
