//! The pipeline of one run: load → validate → evaluate, and what decides the exit code.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::evaluate::{Context, PolicyError, PolicySet};
use crate::finding::{sort_findings, Finding, Severity, Stage, Status};
use crate::load::{self, LoadLimits, Loaded, PathFilter};
use crate::model::Workspace;
use crate::timing::stage_time;
use crate::validate::{SchemaError, SchemaSet};

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
    crate::params::defaults()
}

#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub path: PathBuf,
    /// Every team policy file (name, text), already read from the side of the change the gate
    /// trusts; the built-in policies are added by [`PolicySet::load`].
    pub policy_files: Vec<crate::evaluate::PolicyFile>,
    /// Repository paths whose change changes the gate itself (GIT-005).
    pub gate_paths: crate::trust::GatePaths,
    /// The repository the configuration governs (its directory): a checked sub-folder resolves
    /// references against all of it. `None` without a configuration: the checked path is all.
    pub repository: Option<PathBuf>,
    pub as_of: String,
    pub params: Value,
    pub policy_timeout: Duration,
    pub limits: LoadLimits,
    pub filter: PathFilter,
    pub rules: crate::config::RuleSettings,
}

impl CheckOptions {
    /// Options with every default: no configuration, no team policies, the documented limits.
    pub fn new(path: impl Into<PathBuf>, as_of: impl Into<String>) -> CheckOptions {
        CheckOptions {
            path: path.into(),
            policy_files: Vec::new(),
            gate_paths: Default::default(),
            repository: None,
            as_of: as_of.into(),
            params: default_params(),
            policy_timeout: Duration::from_secs(5),
            limits: LoadLimits::default(),
            filter: PathFilter::default(),
            rules: Default::default(),
        }
    }
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
    /// Artifacts under the checked path (the git gates load the whole repository).
    pub artifacts_in_scope: usize,
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
    /// Rules the trusted configuration disables (audit reports show them as such).
    pub disabled_rules: std::collections::BTreeSet<String>,
}

impl CheckRun {
    /// Reports only on `prefix` (a folder or a file, relative to `root`), paths staying relative
    /// to `root`: what checking a sub-folder of a repository shows.
    pub fn narrow_to(&mut self, root: &std::path::Path, prefix: &str) {
        let under = |file: &str| file == prefix || crate::git::Git::under(file, prefix).is_some();
        self.findings
            .retain(|f| f.file.as_deref().is_none_or(under));
        self.stats.artifacts_in_scope = self
            .workspace
            .artifacts
            .iter()
            .filter(|a| under(&self.workspace.file_of(a).display))
            .count();
        self.root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    }

    /// Findings of `severity` that are not waived.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity && f.counts())
            .count()
    }

    fn with_status(&self, status: Status) -> usize {
        self.findings.iter().filter(|f| f.status == status).count()
    }

    pub fn waived(&self) -> usize {
        self.with_status(Status::Waived)
    }

    pub fn pre_existing(&self) -> usize {
        self.with_status(Status::PreExisting)
    }

    pub fn disabled(&self) -> usize {
        self.with_status(Status::Disabled)
    }

    /// The findings a check report shows: all but those of disabled rules.
    pub fn reported(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.status != Status::Disabled)
    }

    pub fn exit_code(&self, fail_on: Severity) -> u8 {
        if !self.policy_errors.is_empty() {
            exit::POLICY_ERROR
        } else if self
            .findings
            .iter()
            .any(|f| f.stage == Stage::Load && f.severity == Severity::Error && f.counts())
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
    // A sub-folder or one file of a configured repository is checked against the whole
    // repository (references resolve everywhere) and reported on alone.
    let scope = options
        .repository
        .as_deref()
        .and_then(|root| Some((root, in_scope_prefix(root, &options.path)?)));
    let universe = scope
        .as_ref()
        .map_or(options.path.as_path(), |(root, _)| *root);
    // Compiling schemas and policies does not depend on the files: do it while they load.
    let (loaded, compiled) = rayon::join(
        || load::load_path(universe, options.limits, &options.filter),
        || {
            rayon::join(SchemaSet::compile, || {
                PolicySet::load(&options.policy_files, options.policy_timeout)
            })
        },
    );
    let (schemas, policies) = compiled;
    stage_time("load (with compiling in parallel)", started);
    let mut run = run_stages(loaded, schemas?, policies?, options, started)?;
    if let Some((root, prefix)) = scope {
        run.narrow_to(root, &prefix);
    }
    Ok(run)
}

/// `path` relative to `root` (`/`-separated) when it lies strictly inside it.
fn in_scope_prefix(root: &std::path::Path, path: &std::path::Path) -> Option<String> {
    let root = root.canonicalize().ok()?;
    let path = path.canonicalize().ok()?;
    let relative = path.strip_prefix(&root).ok()?;
    if relative.as_os_str().is_empty() {
        return None;
    }
    crate::git::repo_path(relative)
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
    findings.extend(crate::placeholders::findings(
        workspace,
        policies,
        only.as_deref(),
    ));
    stage_time("schema", timer);
    let timer = Instant::now();
    crate::progress::stage(
        "checking artifacts",
        only.as_ref()
            .map_or(workspace.artifacts.len(), |only| only.len()),
    );
    let context = Context {
        only,
        dated_outside_only: false,
        ill_typed: std::sync::Arc::new(validation.ill_typed),
        converted,
        ..Context::new(options.as_of.clone(), options.params.clone(), changes)
    };
    let evaluation = policies.evaluate(workspace, &context);
    stage_time("policies", timer);
    findings.extend(evaluation.findings);
    sort_findings(&mut findings);
    findings.dedup();
    crate::sink::settle(workspace, &policies.registry, &options.rules, &mut findings);
    crate::placeholders::supersede(&mut findings);
    crate::limit::apply(&mut findings);
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
        artifacts_in_scope: workspace.artifacts.len(),
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
        disabled_rules: options.rules.disabled.clone(),
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
