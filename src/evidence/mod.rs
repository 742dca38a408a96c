//! Paperwork written after the fact (EVD-001…005): for every dated event an artifact asserts —
//! an approval, a test, an evaluation, a review, a legal review, a security test — the commit
//! that first recorded it, found in one first-parent walk of the history ([`walk`]), against the
//! moment by which the record had to exist ([`judge`]).
//!
//! The rules' metadata lives in `policies/evidence.rego` (its `deny` is empty); the verdicts are
//! decided here because no single artifact's policy input holds the history. The findings pass
//! through the findings sink like every other (waivers, rule settings). Commit dates are set by
//! whoever commits: a finding is a signal for an auditor, not proof, and no finding is not proof
//! either.

pub mod events;
pub mod judge;
pub mod walk;

use std::collections::BTreeSet;
use std::path::Path;

use git2::Oid;

use crate::evaluate::PolicySet;
use crate::finding::{Finding, Severity, Stage};
use crate::git::Git;
use crate::load::LoadLimits;
use crate::model::Workspace;

/// The codes, decided here (like the git gates' engine rules, they have no case file).
pub const CODES: &[&str] = &["EVD-001", "EVD-002", "EVD-003", "EVD-004", "EVD-005"];

/// The grace period's parameter (see src/params.rs).
pub const GRACE_PARAM: &str = "evidence_grace_days";

/// What the analysis reads.
pub struct Inputs<'a> {
    /// The state audited: its events are judged.
    pub workspace: &'a Workspace,
    /// The repository and the commit whose history is read; `None`: not in git.
    pub git: Option<(&'a Git, Oid)>,
    /// The audited directory, repository-relative (empty: the whole repository).
    pub prefix: &'a str,
    pub keep: &'a dyn Fn(&Path) -> bool,
    pub limits: LoadLimits,
    pub params: &'a serde_json::Value,
    pub as_of: &'a str,
    pub policies: &'a PolicySet,
}

/// The findings, and from which commit of the walk each holds (for the period report).
pub struct Analysis {
    pub verdicts: Vec<judge::Verdict>,
    /// The walk's commits, oldest first (empty without git).
    pub commits: Vec<Oid>,
    pub blobs_parsed: usize,
}

/// A parameter's value (`value`: as `[params]` or the default set it), else the table's default.
fn param(value: &serde_json::Value, name: &str) -> i64 {
    value
        .as_i64()
        .or_else(|| crate::params::default_of(name).and_then(|d| i64::try_from(d).ok()))
        .unwrap_or(0)
}

/// EVD-004: the history needed to date the records is not all there.
fn incomplete(inputs: &Inputs<'_>, message: String, help: &str) -> judge::Verdict {
    let severity = severity_of(inputs.policies, "EVD-004");
    let finding = Finding::new("EVD-004", severity, Stage::Policy, message).with_help(help);
    judge::Verdict {
        finding,
        since: None,
    }
}

fn severity_of(policies: &PolicySet, code: &str) -> Severity {
    policies
        .registry
        .get(code)
        .map_or(Severity::Warning, |rule| rule.severity)
}

/// Runs the walk and every verdict. Findings are not yet settled (see [`settle`]).
pub fn analyse(inputs: &Inputs<'_>) -> Analysis {
    let Some((git, tip)) = inputs.git else {
        let message = "not in a git repository: when each record was first committed cannot be read, so paperwork written after the fact cannot be detected".to_owned();
        return unjudged(incomplete(
            inputs,
            message,
            "run the auditor's report in a clone of the repository",
        ));
    };
    let scope = walk::Scope {
        prefix: inputs.prefix,
        keep: inputs.keep,
        limits: inputs.limits,
    };
    let history = match walk::walk(git, tip, &scope) {
        Ok(history) => history,
        Err(error) => {
            return unjudged(incomplete(
                inputs,
                format!("the history could not be read: {error}"),
                "check the repository with `git fsck`",
            ))
        }
    };
    let severity = |code: &str| severity_of(inputs.policies, code);
    let rules = judge::Rules {
        workspace: inputs.workspace,
        history: &history,
        git,
        grace_days: param(&inputs.params["evidence_grace_days"], GRACE_PARAM),
        emergency_hours: param(
            &inputs.params["emergency_approval_window_hours"],
            "emergency_approval_window_hours",
        ),
        now: end_of(inputs.as_of),
        severity: &severity,
    };
    let mut verdicts = Vec::new();
    for artifact in inputs.workspace.artifacts.iter().filter(|a| a.has_id) {
        rules.events(artifact, &mut verdicts);
        if artifact.kind.name == "ChangeRecord" {
            rules.change_record(artifact, &mut verdicts);
        }
    }
    if history.shallow {
        verdicts.push(shallow(inputs, &history, git));
    } else if let Some(import) = imported(inputs, &history, git) {
        verdicts.push(import);
    }
    let commits = history.commits.iter().map(|s| s.oid).collect();
    Analysis {
        verdicts,
        commits,
        blobs_parsed: history.blobs_parsed,
    }
}

/// The analysis when the history cannot be walked: that one verdict, nothing judged.
fn unjudged(verdict: judge::Verdict) -> Analysis {
    Analysis {
        verdicts: vec![verdict],
        commits: Vec::new(),
        blobs_parsed: 0,
    }
}

/// The end of the day `as_of` (the start of the next, UTC) in seconds: what was committed before
/// it is in the report. An unreadable date excludes nothing.
fn end_of(as_of: &str) -> i64 {
    as_of
        .parse::<jiff::civil::Date>()
        .ok()
        .and_then(|d| d.tomorrow().ok())
        .and_then(|d| d.to_zoned_datetime(jiff::tz::TimeZone::UTC).ok())
        .map_or(i64::MAX, |z| z.timestamp().as_second())
}

/// Dated records (not the artifacts' mere existence) the commit at `index` first recorded.
fn undated(history: &walk::History, index: usize) -> usize {
    history
        .first
        .iter()
        .filter(|(key, at)| **at == index && !key.ends_with(events::EXISTS))
        .count()
}

/// EVD-005 (info): adopting opsgate usually starts with one commit importing records kept
/// elsewhere; git cannot say when they were written, so they are counted, not judged — and the
/// auditor reads when the history began.
fn imported(inputs: &Inputs<'_>, history: &walk::History, git: &Git) -> Option<judge::Verdict> {
    let index = history.import?;
    let count = undated(history, index);
    if count == 0 {
        return None;
    }
    let stamp = &history.commits[index];
    let info = git.info(stamp.oid)?;
    let message = format!("the history's first records arrived with commit {} ({}, {}): git cannot say when the {count} dated record(s) it imported were written, so they were not checked for backdating", info.sha, info.date, info.author);
    let severity = severity_of(inputs.policies, "EVD-005");
    let finding = Finding::new("EVD-005", severity, Stage::Policy, message)
        .with_help("nothing to fix: an auditor relies on other evidence for the records made before the repository");
    Some(judge::Verdict {
        finding,
        since: Some(index),
    })
}

/// EVD-004 for a shallow clone: whatever its oldest commit holds may have been recorded at any
/// earlier time, so nothing it holds is judged, and the report says so.
fn shallow(inputs: &Inputs<'_>, history: &walk::History, git: &Git) -> judge::Verdict {
    let boundary = history
        .commits
        .first()
        .map(|s| s.oid.to_string())
        .unwrap_or_default();
    let date = history
        .commits
        .first()
        .and_then(|s| git.info(s.oid))
        .map(|c| c.date)
        .unwrap_or_default();
    let undated = undated(history, 0);
    let message = format!("this clone is shallow: its history stops at commit {boundary} ({date}); the {undated} dated record(s) it already holds may have been written at any time before, so they were not checked for backdating");
    incomplete(inputs, message, "fetch the whole history (`git fetch --unshallow`; in GitHub Actions `fetch-depth: 0` on actions/checkout, in GitLab CI `GIT_DEPTH: 0`) and run the report again")
}

/// Waivers and rule settings, through the findings sink, for findings emitted after the state's
/// own were settled (`settled`: those, for the acceptances that are invalid).
pub fn settle(
    workspace: &Workspace,
    settled: &[Finding],
    policies: &PolicySet,
    settings: &crate::config::RuleSettings,
    verdicts: &mut [judge::Verdict],
) {
    let invalid: BTreeSet<String> = crate::waive::invalid(settled, &policies.registry);
    let mut findings: Vec<Finding> = verdicts.iter().map(|v| v.finding.clone()).collect();
    crate::sink::settle_late(workspace, &invalid, settings, &mut findings);
    for (verdict, finding) in verdicts.iter_mut().zip(findings) {
        verdict.finding = finding;
    }
}

/// The auditor's report on a directory: the analysis of the history of the checked path's
/// repository from HEAD, its findings settled and added to the run's.
pub fn add_to_run(
    run: &mut crate::check::CheckRun,
    options: &crate::check::CheckOptions,
) -> Analysis {
    let git = Git::discover(&run.root).ok();
    let prefix = git
        .as_ref()
        .and_then(|g| g.relative(&run.root))
        .unwrap_or_default();
    let tip = git.as_ref().and_then(|g| g.head_oid().ok());
    let keep = |path: &Path| options.filter.allows(path);
    let inputs = Inputs {
        workspace: &run.workspace,
        git: git.as_ref().zip(tip),
        prefix: &prefix,
        keep: &keep,
        limits: options.limits,
        params: &options.params,
        as_of: &run.as_of,
        policies: &run.policies,
    };
    let mut analysis = match (&git, tip) {
        (Some(_), None) => {
            let message =
                "the repository has no commits yet: no record is in the history".to_owned();
            let verdict = incomplete(&inputs, message, "commit the records, then run the report");
            Analysis {
                verdicts: vec![verdict],
                commits: Vec::new(),
                blobs_parsed: 0,
            }
        }
        _ => analyse(&inputs),
    };
    settle(
        &run.workspace,
        &run.findings,
        &run.policies,
        &options.rules,
        &mut analysis.verdicts,
    );
    run.findings
        .extend(analysis.verdicts.iter().map(|v| v.finding.clone()));
    crate::finding::sort_findings(&mut run.findings);
    analysis
}

/// The period report: the analysis of the tip's state, each finding added to every evaluation
/// point from the commit it holds from (the one that recorded the paperwork late) onwards, so its
/// interval opens at that commit. Findings that hold from no commit (an incomplete history) are
/// added to every point.
pub fn add_to_points(
    git: &Git,
    tip: Oid,
    options: &crate::check::CheckOptions,
    as_of: &str,
    policies: &PolicySet,
    points: &mut [crate::history::Point],
) -> Result<Analysis, crate::git::GitError> {
    let sources: Vec<crate::model::Source> = git
        .commit_sources(tip, options.limits.max_file_bytes)?
        .into_iter()
        .filter(|s| options.filter.allows(&s.path))
        .collect();
    let loaded = crate::load::load_sources(sources, options.limits);
    let keep = |path: &Path| options.filter.allows(path);
    let inputs = Inputs {
        workspace: &loaded.workspace,
        git: Some((git, tip)),
        prefix: "",
        keep: &keep,
        limits: options.limits,
        params: &options.params,
        as_of,
        policies,
    };
    let mut analysis = analyse(&inputs);
    let settled = points
        .last()
        .map(|p| p.findings.as_slice())
        .unwrap_or_default();
    settle(
        &loaded.workspace,
        settled,
        policies,
        &options.rules,
        &mut analysis.verdicts,
    );
    let position: std::collections::HashMap<String, usize> = analysis
        .commits
        .iter()
        .enumerate()
        .map(|(i, oid)| (oid.to_string(), i))
        .collect();
    for point in points.iter_mut() {
        let at = point
            .commit
            .as_ref()
            .and_then(|c| position.get(&c.sha))
            .copied();
        let holding = analysis
            .verdicts
            .iter()
            .filter(|v| v.since.is_none_or(|since| at.is_some_and(|at| at >= since)));
        point.findings.extend(holding.map(|v| v.finding.clone()));
        crate::finding::sort_findings(&mut point.findings);
    }
    Ok(analysis)
}
