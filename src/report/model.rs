//! The report model of a check (ripgrep's printer split): what the run means for its reader,
//! decided once from the findings sink's output ([`crate::sink`]) and read by every renderer of
//! [`super::FORMATS`]. A renderer formats; it never decides whether a finding fails the run, is
//! waived or pre-existing, nor walks git.

use std::collections::HashMap;
use std::path::Path;

use crate::check::{CheckRun, Stats};
use crate::evaluate::PolicyError;
use crate::finding::{fingerprints, Finding, Severity};
use crate::git::CommitInfo;
use crate::model::Workspace;
use crate::provenance::Provenance;
use crate::rules::Registry;

/// One reported finding as every format shows it.
pub struct Shown<'a> {
    pub finding: &'a Finding,
    /// Whether it fails the run: counts towards the summary and the exit code.
    pub fails: bool,
    /// Why it does not fail the run, in words (`None` when it does).
    pub note: Option<String>,
    /// Its identity across runs ([`crate::finding::fingerprints`]).
    pub fingerprint: String,
    /// The last commit that changed its file (with git evidence only).
    pub last_commit: Option<CommitInfo>,
}

impl std::ops::Deref for Shown<'_> {
    type Target = Finding;

    fn deref(&self) -> &Finding {
        self.finding
    }
}

/// The counts of the summary line.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tally {
    /// Failing findings per severity.
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings a risk acceptance waives.
    pub waived: usize,
    /// Findings that existed before the change (pull-request mode with `--all`).
    pub pre_existing: usize,
    /// Findings of rules the configuration disables (never listed).
    pub disabled: usize,
}

pub struct Report<'a> {
    pub as_of: &'a str,
    /// `directory`, `staged`, `diff` or `index`.
    pub mode: &'a str,
    /// HEAD's commit when the checked path is in a git repository.
    pub commit: Option<&'a str>,
    /// The checked directory, absolute (the repository's work tree in the git gates).
    pub root: &'a Path,
    pub stats: &'a Stats,
    pub tally: Tally,
    /// The reported findings (all but those of disabled rules), in output order.
    pub findings: Vec<Shown<'a>>,
    pub policy_errors: &'a [PolicyError],
    pub registry: &'a Registry,
    pub workspace: &'a Workspace,
    /// The repository the run is in, with git evidence and inside git only.
    pub provenance: Option<Provenance>,
}

impl<'a> Report<'a> {
    /// The model of `run`; `git_evidence` adds each finding's last commit (one walk of the
    /// history) and the repository's provenance, for the formats that show them.
    pub fn of(run: &'a CheckRun, git_evidence: bool) -> Report<'a> {
        let commits = if git_evidence {
            crate::provenance::last_commits(
                &run.root,
                run.findings.iter().filter_map(|f| f.file.as_deref()),
            )
        } else {
            HashMap::new()
        };
        let reported: Vec<&Finding> = run.reported().collect();
        let findings = reported
            .iter()
            .zip(fingerprints(reported.iter().copied()))
            .map(|(finding, fingerprint)| Shown {
                finding,
                fails: finding.counts(),
                note: finding.status_note(),
                fingerprint,
                last_commit: finding
                    .file
                    .as_ref()
                    .and_then(|file| commits.get(file))
                    .cloned(),
            })
            .collect();
        Report {
            as_of: &run.as_of,
            mode: run.mode,
            commit: run.commit.as_deref(),
            root: &run.root,
            stats: &run.stats,
            tally: Tally {
                errors: run.count(Severity::Error),
                warnings: run.count(Severity::Warning),
                infos: run.count(Severity::Info),
                waived: run.waived(),
                pre_existing: run.pre_existing(),
                disabled: run.disabled(),
            },
            findings,
            policy_errors: &run.policy_errors,
            registry: &run.policies.registry,
            workspace: &run.workspace,
            provenance: git_evidence.then(|| Provenance::of(&run.root)).flatten(),
        }
    }

    /// Failing findings of `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        match severity {
            Severity::Error => self.tally.errors,
            Severity::Warning => self.tally.warnings,
            Severity::Info => self.tally.infos,
        }
    }
}
