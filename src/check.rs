//! The pipeline of one run: load → validate → evaluate, and what decides the exit code.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::config::RuleSettings;
use crate::evaluate::{Context, PolicyError, PolicySet};
use crate::finding::{sort_findings, Finding, Severity, Stage};
use crate::load::{self, LoadLimits, Loaded, PathFilter};
use crate::model::Workspace;
use crate::validate::{SchemaError, SchemaSet};
use crate::waive;

/// Exit codes, documented in the README and in `--help`.
pub mod exit {
    /// No finding at or above the fail level.
    pub const CLEAN: u8 = 0;
    /// Findings at or above the fail level.
    pub const FINDINGS: u8 = 1;
    /// Usage, configuration, I/O or internal error: nothing was checked.
    pub const USAGE: u8 = 2;
    /// Some artifacts could not be loaded (malformed YAML, unknown kind, duplicate id …); everything
    /// else was still checked and reported.
    pub const INVALID_INPUT: u8 = 3;
    /// A policy does not compile or failed while evaluating.
    pub const POLICY_ERROR: u8 = 4;
}

/// Tunable parameters handed to policies as `data.params`, with their documented defaults.
pub fn default_params() -> Value {
    json!({
        "test_interval_days": 365,
        "review_interval_days": 365,
        "analysis_interval_days": 180,
        "incident_recurrence_threshold": 3,
        "incident_recurrence_window_days": 30,
        "waiver_warning_days": 30,
        "waiver_max_days": 365,
    })
}

#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub path: PathBuf,
    pub policy_dirs: Vec<PathBuf>,
    pub as_of: String,
    pub params: Value,
    pub policy_timeout: Duration,
    pub limits: LoadLimits,
    pub filter: PathFilter,
    pub rules: RuleSettings,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("{0} does not exist")]
    MissingPath(PathBuf),
    #[error(transparent)]
    Schema(#[from] SchemaError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
}

/// Counts for the summary line.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub yaml_files: usize,
    pub artifact_files: usize,
    pub artifacts: usize,
    pub elapsed: Duration,
}

pub struct CheckRun {
    pub workspace: Workspace,
    pub findings: Vec<Finding>,
    pub policy_errors: Vec<PolicyError>,
    pub policies: PolicySet,
    pub stats: Stats,
    pub as_of: String,
    /// The checked directory (the file's directory when one file was checked), absolute.
    pub root: PathBuf,
    /// `directory`, `staged` or `diff`.
    pub mode: &'static str,
    /// HEAD's commit when the checked path is in a git repository.
    pub commit: Option<String>,
}

/// How far back the evidence walk goes before it gives up on a file.
pub const HISTORY_LIMIT: usize = 20_000;

impl CheckRun {
    /// The last commit that changed each of `files` (display paths), found in one walk of the
    /// history from HEAD; files never committed, and every file outside git, are absent. The walk
    /// stops as soon as every file is found, so a clean run pays nothing.
    pub fn last_commits<'f>(
        &self,
        files: impl IntoIterator<Item = &'f str>,
    ) -> std::collections::HashMap<String, crate::git::CommitInfo> {
        let mut by_path = std::collections::HashMap::new();
        let Ok(git) = crate::git::Git::discover(&self.root) else {
            return by_path;
        };
        let mut displays: std::collections::HashMap<String, String> = Default::default();
        for display in files {
            if let Some(relative) = git.relative(&self.root.join(display)) {
                displays.insert(relative, display.to_owned());
            }
        }
        if displays.is_empty() {
            return by_path;
        }
        let paths: Vec<String> = displays.keys().cloned().collect();
        if let Ok(found) = git.last_commits(&paths, HISTORY_LIMIT) {
            for (relative, commit) in found {
                if let Some(display) = displays.remove(&relative) {
                    by_path.insert(display, commit);
                }
            }
        }
        by_path
    }

    /// Findings of `severity` that are not waived.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity && f.counts())
            .count()
    }

    pub fn waived(&self) -> usize {
        self.findings.iter().filter(|f| f.waiver.is_some()).count()
    }

    pub fn pre_existing(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.pre_existing && f.waiver.is_none())
            .count()
    }

    pub fn exit_code(&self, fail_on: Severity) -> u8 {
        if !self.policy_errors.is_empty() {
            exit::POLICY_ERROR
        } else if self
            .findings
            .iter()
            .any(|f| f.stage == Stage::Load && f.severity == Severity::Error)
        {
            exit::INVALID_INPUT
        } else if self
            .findings
            .iter()
            .any(|f| f.severity >= fail_on && f.counts())
        {
            exit::FINDINGS
        } else {
            exit::CLEAN
        }
    }
}

/// Runs the whole check on a directory (or file).
pub fn check(options: &CheckOptions) -> Result<CheckRun, CheckError> {
    let started = Instant::now();
    if !options.path.exists() {
        return Err(CheckError::MissingPath(options.path.clone()));
    }
    crate::progress::stage("reading files", 0);
    // Compiling schemas and policies does not depend on the files: do it while they load.
    let (loaded, compiled) = rayon::join(
        || load::load_path(&options.path, options.limits, &options.filter),
        || {
            rayon::join(SchemaSet::compile, || {
                PolicySet::load(&options.policy_dirs, options.policy_timeout)
            })
        },
    );
    let (schemas, policies) = compiled;
    stage_time("load (with compiling in parallel)", started);
    run_stages(loaded, schemas?, policies?, options, started)
}

/// Validates and evaluates an already-loaded workspace.
pub fn run_stages(
    loaded: Loaded,
    schemas: SchemaSet,
    policies: PolicySet,
    options: &CheckOptions,
    started: Instant,
) -> Result<CheckRun, CheckError> {
    let Loaded {
        workspace,
        findings,
    } = loaded;
    let (findings, policy_errors) = findings_of(
        &workspace,
        findings,
        &schemas,
        &policies,
        options,
        Scope::default(),
    );
    Ok(assemble(
        workspace,
        findings,
        policy_errors,
        policies,
        options,
        started,
    ))
}

/// What the git gates narrow a run to, or share between its two states.
#[derive(Default, Clone)]
pub struct Scope {
    /// What the change did (`input.change`).
    pub changes: Option<std::sync::Arc<crate::diff::ChangeSet>>,
    /// Evaluate only these artifacts (the neighbourhood of the change).
    pub only: Option<std::sync::Arc<std::collections::HashSet<String>>>,
    /// Artifacts already converted for the engine (shared by the base and head states).
    pub converted: Option<std::sync::Arc<crate::evaluate::Converted>>,
}

/// Validates and evaluates a loaded workspace: every finding, sorted, with waivers applied.
pub fn findings_of(
    workspace: &Workspace,
    mut findings: Vec<Finding>,
    schemas: &SchemaSet,
    policies: &PolicySet,
    options: &CheckOptions,
    scope: Scope,
) -> (Vec<Finding>, Vec<PolicyError>) {
    let Scope {
        changes,
        only,
        converted,
    } = scope;
    let timer = Instant::now();
    let validation = schemas.validate(workspace, only.as_deref());
    findings.extend(validation.findings);
    stage_time("schema", timer);
    let timer = Instant::now();
    crate::progress::stage(
        "checking artifacts",
        only.as_ref()
            .map_or(workspace.artifacts.len(), |only| only.len()),
    );
    let context = Context {
        as_of: options.as_of.clone(),
        params: options.params.clone(),
        changes,
        only,
        ill_typed: std::sync::Arc::new(validation.ill_typed),
        converted,
    };
    let evaluation = policies.evaluate(workspace, &context);
    stage_time("policies", timer);
    findings.extend(evaluation.findings);
    apply_rule_settings(&options.rules, &mut findings);
    sort_findings(&mut findings);
    findings.dedup();
    waive::apply(workspace, &mut findings);
    let mut policy_errors = evaluation.errors;
    policy_errors.sort_by(|a, b| a.message.cmp(&b.message));
    policy_errors.dedup_by(|a, b| a.message == b.message);
    (findings, policy_errors)
}

/// The result of a run, once its findings are final.
pub fn assemble(
    workspace: Workspace,
    findings: Vec<Finding>,
    policy_errors: Vec<PolicyError>,
    policies: PolicySet,
    options: &CheckOptions,
    started: Instant,
) -> CheckRun {
    let stats = Stats {
        yaml_files: workspace.yaml_files_seen,
        artifact_files: workspace.files.len(),
        artifacts: workspace.artifacts.len(),
        elapsed: started.elapsed(),
    };
    CheckRun {
        workspace,
        findings,
        policy_errors,
        policies,
        stats,
        as_of: options.as_of.clone(),
        commit: crate::git::Git::discover(&options.path)
            .ok()
            .and_then(|git| git.head())
            .map(|c| c.sha),
        root: absolute_root(&options.path),
        mode: "directory",
    }
}

/// A team's configuration: disabled rules produce nothing, overridden ones their new severity.
pub fn apply_rule_settings(settings: &RuleSettings, findings: &mut Vec<Finding>) {
    if !settings.disabled.is_empty() {
        findings.retain(|f| !settings.disabled.contains(&f.code));
    }
    for finding in findings.iter_mut() {
        if let Some(severity) = settings.severity.get(&finding.code) {
            finding.severity = *severity;
        }
    }
}

fn absolute_root(path: &std::path::Path) -> PathBuf {
    let absolute = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    if absolute.is_file() {
        absolute
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or(absolute)
    } else {
        absolute
    }
}

/// `OPSGATE_TIMINGS=1` prints how long each stage took, for profiling and the benchmark.
pub fn stage_time(stage: &str, since: Instant) {
    if std::env::var_os("OPSGATE_TIMINGS").is_some() {
        eprintln!("opsgate: {stage}: {} ms", since.elapsed().as_millis());
    }
}
