//! The git-aware gates: `check --staged` (pre-commit: exactly what is about to be committed) and
//! `check --base REV` (pull request: what the change breaks). Both compare a "head" state with a
//! base commit and report findings on what the change added or modified, plus findings on
//! unchanged artifacts that did not exist before — those the change broke.
//!
//! The whole repository is loaded in both states, whatever path was named: references resolve
//! against the whole tree, and the path only narrows what is reported.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use git2::Oid;

use crate::check::{assemble, findings_of, CheckError, CheckOptions, CheckRun, Scope};
use crate::diff::ChangeSet;
use crate::evaluate::{PolicyError, PolicySet};
use crate::finding::{sort_findings, Finding, Stage};
use crate::git::{escape_path, Against, Git, GitError};
use crate::load::{self, Loaded, Source};
use crate::timing::stage_time;
use crate::validate::SchemaSet;

/// Rules opsgate emits itself (from the git diff, not from one artifact's policy input).
pub const ENGINE_RULES: &[&str] = &["GIT-005", "GIT-006", "GIT-007"];

#[derive(Debug, Clone)]
pub enum GateMode {
    /// The index against HEAD.
    Staged,
    /// The whole index, every finding counting (`pre-commit run --all-files`).
    Index,
    /// `head` (HEAD by default, or the work tree) against the merge base of `rev` and it.
    Base {
        rev: String,
        head: Option<String>,
        worktree: bool,
        all: bool,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum GateError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(transparent)]
    Check(#[from] CheckError),
}

/// What one gate run compares.
pub struct Plan {
    pub git: Git,
    /// The checked path, repository-relative (empty for the root): what is reported.
    pub prefix: String,
    /// The base commit (none before the first commit: everything is new).
    pub base: Option<Oid>,
    pub against: Against,
    pub all: bool,
}

impl Plan {
    pub fn new(path: &std::path::Path, mode: &GateMode) -> Result<Plan, GitError> {
        let git = Git::discover(path)?;
        let prefix = git.relative(path).ok_or_else(|| {
            GitError::Other(format!(
                "{} is outside the repository's work tree (or its path is not UTF-8)",
                path.display()
            ))
        })?;
        let (base, against, all) = match mode {
            GateMode::Staged => (git.head_oid().ok(), Against::Index, false),
            GateMode::Index => (None, Against::Index, true),
            GateMode::Base {
                rev,
                head,
                worktree,
                all,
            } => {
                let head = match head {
                    Some(head) => git.commit_of(head)?,
                    None => git.head_oid()?,
                };
                let against = if *worktree {
                    Against::WorkTree
                } else {
                    Against::Commit(head)
                };
                (Some(git.merge_base(rev, head)?), against, *all)
            }
        };
        Ok(Plan {
            git,
            prefix,
            base,
            against,
            all,
        })
    }

    /// The side of the change the gate takes its configuration and policies from.
    pub fn trusted_side(&self) -> crate::git::Side {
        match (self.against, self.base) {
            (Against::Index, _) | (_, None) => crate::git::Side::Index,
            (_, Some(base)) => crate::git::Side::Commit(base),
        }
    }
}

fn filtered(sources: Vec<Source>, options: &CheckOptions) -> Vec<Source> {
    sources
        .into_iter()
        .filter(|s| options.filter.allows(&s.path))
        .collect()
}

/// Both states of the repository, loaded; the schemas and policies compiled meanwhile.
struct States {
    head: Loaded,
    base: Loaded,
    changed_paths: Vec<String>,
    schemas: SchemaSet,
    policies: PolicySet,
}

fn display(path: &[u8]) -> String {
    match std::str::from_utf8(path) {
        Ok(text) => text.to_owned(),
        Err(_) => escape_path(path),
    }
}

fn load_states(plan: &Plan, options: &CheckOptions, started: Instant) -> Result<States, GateError> {
    // Compiling the schemas and policies needs nothing from git: it runs on its own thread from
    // the start, beside reading the blobs (a repository handle is not shared across threads).
    std::thread::scope(|scope| {
        let compiling = scope.spawn(|| {
            rayon::join(SchemaSet::compile, || {
                PolicySet::load(&options.policy_files, options.policy_timeout)
            })
        });
        let read = read_states(plan, options, started);
        let (schemas, policies) = compiling
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        stage_time("load head (with compiling in parallel)", started);
        let (head, base, changed_paths) = read?;
        Ok(States {
            head,
            base,
            changed_paths,
            schemas: schemas.map_err(CheckError::from)?,
            policies: policies.map_err(CheckError::from)?,
        })
    })
}

/// Both states of the repository, read from git and loaded: the head whole, the base as the head
/// with the changed files substituted.
fn read_states(
    plan: &Plan,
    options: &CheckOptions,
    started: Instant,
) -> Result<(Loaded, Loaded, Vec<String>), GateError> {
    let (git, max) = (&plan.git, options.limits.max_file_bytes);
    // A blob the parse cache knows (by its id) is not read at all: its text and parse come back
    // from the cache.
    let known = |display: &str, oid: &[u8]| load::known_blob(&options.limits, display, oid);
    let head_files = match plan.against {
        Against::Index => Some(git.index_files(max, &known)?),
        Against::Commit(head) => Some(git.commit_files(head, max, &known)?),
        Against::WorkTree => None,
    };
    stage_time("head sources read", started);
    let raw_changed = match plan.base {
        Some(oid) => git.changed_paths(oid, plan.against)?,
        None => Vec::new(),
    };
    // The base differs from the head only in the changed files: read just those from the base
    // tree and copy everything else from the head instead of parsing the repository twice.
    let base_sources = match plan.base {
        Some(oid) => git.commit_sources_at(oid, &raw_changed, max)?,
        None => Vec::new(),
    };
    let changed_paths: Vec<String> = raw_changed.iter().map(|p| display(p)).collect();
    let changed: HashSet<String> = changed_paths.iter().cloned().collect();
    let head = match head_files {
        Some(files) => {
            let files = files
                .into_iter()
                .filter(|f| options.filter.allows(&f.source.path))
                .collect();
            load::load_git_files_blaming(files, options.limits, &changed)
        }
        None => load::load_path_blaming(&git.workdir, options.limits, &options.filter, &changed),
    };
    stage_time("head loaded", started);
    let base = match plan.base {
        Some(_) => load::substitute(
            &head,
            &changed,
            filtered(base_sources, options),
            options.limits,
        ),
        // No commit yet: everything is new.
        None => load::load_sources(Vec::new(), options.limits),
    };
    stage_time("base substituted", started);
    Ok((head, base, changed_paths))
}

pub fn check_git(options: &CheckOptions, mode: &GateMode) -> Result<CheckRun, GateError> {
    let started = Instant::now();
    let plan = Plan::new(&options.path, mode)?;
    if let GateMode::Index = mode {
        return check_index(&plan, options, started);
    }
    let States {
        head,
        base,
        changed_paths,
        schemas,
        policies,
    } = load_states(&plan, options, started)?;
    let changes = Arc::new(ChangeSet::classify(&base.workspace, &head.workspace));
    let only = (!plan.all).then(|| Arc::new(evaluated(&changes, &base, &head)));
    stage_time("neighbourhood", started);
    let evaluated = evaluate_states(head, base, &schemas, &policies, options, &changes, only);
    let Evaluated {
        workspace,
        head_findings,
        base_findings,
        policy_errors,
    } = evaluated;
    let caused = Caused::new(&changes, &base_findings, &changed_paths);
    let judged = Judged {
        changes: &changes,
        workspace: &workspace,
        head: &head_findings,
        base: &base_findings,
        changed_paths: &changed_paths,
    };
    let engine = engine_findings(&judged, &caused, options, &policies);
    let mut findings = crate::sink::select(head_findings, plan.all, |f| caused.holds(f));
    findings.extend(engine);
    findings.retain(|f| reported_under(f, &plan.prefix));
    sort_findings(&mut findings);
    let mut run = assemble(
        workspace,
        findings,
        policy_errors,
        policies,
        options,
        started,
    );
    run.mode = match mode {
        GateMode::Staged => "staged",
        _ => "diff",
    };
    // Paths are repository-relative in the git gates.
    run.root = plan.git.workdir.clone();
    count_in_scope(&mut run, &plan.prefix);
    Ok(run)
}

/// Which of the head's findings the change caused: those on what it touched, load problems of
/// the files it changed, and any other finding the base did not have.
struct Caused<'a> {
    changes: &'a ChangeSet,
    before: HashSet<(&'a str, &'a str, &'a str, &'a str)>,
    changed_files: HashSet<&'a str>,
}

impl<'a> Caused<'a> {
    fn new(changes: &'a ChangeSet, base: &'a [Finding], changed_paths: &'a [String]) -> Self {
        Caused {
            changes,
            before: base.iter().map(Finding::identity).collect(),
            changed_files: changed_paths.iter().map(String::as_str).collect(),
        }
    }

    fn holds(&self, f: &Finding) -> bool {
        match (&f.artifact, f.stage) {
            (Some(id), _) if self.changes.touches(id) => true,
            (None, Stage::Load) => f
                .file
                .as_ref()
                .is_some_and(|file| self.changed_files.contains(file.as_str())),
            _ => !self.before.contains(&f.identity()),
        }
    }
}

/// Both states as evaluated, for the gate's own rules.
struct Judged<'a> {
    changes: &'a ChangeSet,
    workspace: &'a crate::model::Workspace,
    head: &'a [Finding],
    base: &'a [Finding],
    changed_paths: &'a [String],
}

/// The gate's own findings (GIT-*: what the diff shows), settled: waivers judged on the head, the
/// configuration's switches applied — except to GIT-005 when the change edits that configuration.
fn engine_findings(
    judged: &Judged<'_>,
    caused: &Caused<'_>,
    options: &CheckOptions,
    policies: &PolicySet,
) -> Vec<Finding> {
    let invalid = crate::waive::invalid(judged.head, &policies.registry);
    let caused: Vec<Finding> = judged
        .head
        .iter()
        .filter(|f| caused.holds(f))
        .cloned()
        .collect();
    let valid_before = valid_acceptances(judged.changes, judged.base, policies);
    let change = crate::change_rules::Change {
        changes: judged.changes,
        workspace: judged.workspace,
        invalid: &invalid,
        valid_before: &valid_before,
        as_of: &options.as_of,
        retention_days: options.params["record_retention_days"]
            .as_i64()
            .unwrap_or(i64::MAX),
    };
    let mut engine = crate::change_rules::findings(&change, &caused, policies);
    engine.extend(gate_file_findings(judged.changed_paths, options, policies));
    let config_changed = judged
        .changed_paths
        .iter()
        .any(|p| options.gate_paths.files.contains(p));
    let exempt: &[&str] = if config_changed { &["GIT-005"] } else { &[] };
    crate::sink::apply_settings(&options.rules, &mut engine, exempt);
    engine
}

/// The risk acceptances of the base that were valid there.
fn valid_acceptances(
    changes: &ChangeSet,
    base: &[Finding],
    policies: &PolicySet,
) -> std::collections::BTreeSet<String> {
    let invalid_before = crate::waive::invalid(base, &policies.registry);
    changes
        .base
        .iter()
        .filter(|(_, v)| {
            v.get("kind").and_then(|k| k.as_str()) == Some(crate::waive::RISK_ACCEPTANCE)
        })
        .map(|(id, _)| id.clone())
        .filter(|id| !invalid_before.contains(id))
        .collect()
}

fn count_in_scope(run: &mut CheckRun, prefix: &str) {
    run.stats.artifacts_in_scope = run
        .workspace
        .artifacts
        .iter()
        .filter(|a| Git::under(&run.workspace.file_of(a).display, prefix).is_some())
        .count();
}

/// The content of the index checked like a directory: every finding counts.
fn check_index(
    plan: &Plan,
    options: &CheckOptions,
    started: Instant,
) -> Result<CheckRun, GateError> {
    let sources = plan.git.index_sources(options.limits.max_file_bytes)?;
    let (loaded, (schemas, policies)) = rayon::join(
        || load::load_sources(filtered(sources, options), options.limits),
        || {
            rayon::join(SchemaSet::compile, || {
                PolicySet::load(&options.policy_files, options.policy_timeout)
            })
        },
    );
    let mut run = crate::check::run_stages(
        loaded,
        schemas.map_err(CheckError::from)?,
        policies.map_err(CheckError::from)?,
        options,
        started,
    )?;
    run.findings.retain(|f| reported_under(f, &plan.prefix));
    run.mode = "index";
    run.root = plan.git.workdir.clone();
    count_in_scope(&mut run, &plan.prefix);
    Ok(run)
}

/// The artifacts evaluated in both states: the neighbourhood of the change, and every risk
/// acceptance (one anywhere in the repository may waive a finding of the change, and its own
/// validity decides whether it does).
fn evaluated(changes: &ChangeSet, base: &Loaded, head: &Loaded) -> HashSet<String> {
    let mut only = changes.neighbourhood(
        &base.workspace,
        &head.workspace,
        crate::diff::NEIGHBOURHOOD_DEPTH,
        &mut Default::default(),
    );
    for state in [base, head] {
        only.extend(
            state
                .workspace
                .artifacts
                .iter()
                .filter(|a| a.kind.name == crate::waive::RISK_ACCEPTANCE && a.has_id)
                .map(|a| a.id.clone()),
        );
    }
    only
}

struct Evaluated {
    workspace: crate::model::Workspace,
    head_findings: Vec<Finding>,
    base_findings: Vec<Finding>,
    policy_errors: Vec<PolicyError>,
}

fn evaluate_states(
    head: Loaded,
    base: Loaded,
    schemas: &SchemaSet,
    policies: &PolicySet,
    options: &CheckOptions,
    changes: &Arc<ChangeSet>,
    only: Option<Arc<HashSet<String>>>,
) -> Evaluated {
    let Loaded {
        workspace,
        findings: load_findings,
    } = head;
    let converted = converted_for(&workspace, only.as_deref());
    let scope = |changes| Scope {
        changes,
        only: only.clone(),
        converted: converted.clone(),
    };
    let ((head_findings, policy_errors), base_findings) = rayon::join(
        || {
            findings_of(
                &workspace,
                load_findings,
                schemas,
                policies,
                options,
                scope(Some(changes.clone())),
            )
        },
        || {
            let Loaded {
                workspace,
                findings,
            } = base;
            findings_of(
                &workspace,
                findings,
                schemas,
                policies,
                options,
                scope(None),
            )
            .0
        },
    );
    // Freeing every converted artifact takes tens of milliseconds that the result does not wait for.
    if let Some(converted) = converted {
        let _ = std::thread::Builder::new().spawn(move || drop(converted));
    }
    Evaluated {
        workspace,
        head_findings,
        base_findings,
        policy_errors,
    }
}

/// The head's artifacts converted once for both states; nothing to convert when no artifact's
/// content changed (see `PolicySet::evaluate`).
fn converted_for(
    workspace: &crate::model::Workspace,
    only: Option<&HashSet<String>>,
) -> Option<Arc<crate::evaluate::Converted>> {
    only.is_none_or(|only| !only.is_empty())
        .then(|| Arc::new(crate::evaluate::Converted::of(&workspace.artifacts)))
}

/// GIT-005: each changed path that changes the gate itself.
fn gate_file_findings(
    changed_paths: &[String],
    options: &CheckOptions,
    policies: &PolicySet,
) -> Vec<Finding> {
    changed_paths
        .iter()
        .filter(|p| options.gate_paths.contains(p))
        .map(|path| {
            crate::change_rules::engine_finding(
                policies,
                "GIT-005",
                format!("this change modifies `{path}`, which changes what opsgate checks; the gate ran with the version before the change"),
            )
            .in_file(path, None)
            .with_help("nothing to fix if intended: have the gate's owner review it")
        })
        .collect()
}

/// Whether a finding belongs to the checked path (gate findings always do).
fn reported_under(finding: &Finding, prefix: &str) -> bool {
    prefix.is_empty()
        || crate::gate::ENGINE_RULES.contains(&finding.code.as_str())
        || finding
            .file
            .as_deref()
            .is_none_or(|file| Git::under(file, prefix).is_some())
}
