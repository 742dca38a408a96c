//! The git-aware gates: `check --staged` (pre-commit: exactly what is about to be committed) and
//! `check --base REV` (pull request: what the change breaks). Both compare a "head" state with a
//! base commit and report findings on what the change added or modified, plus findings on
//! unchanged artifacts that did not exist before — those the change broke.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use crate::check::{assemble, findings_of, CheckError, CheckOptions, CheckRun, Scope};
use crate::diff::ChangeSet;
use crate::evaluate::PolicySet;
use crate::finding::{sort_findings, Finding, Severity, Stage};
use crate::git::{Against, Git, GitError};
use crate::load::{self, Loaded, Source};
use crate::report::sarif::fingerprint;
use crate::validate::SchemaSet;

/// How far (in references, either direction) a change can move findings: two hops cover a CI, the
/// service that lists it and the availability plan of that service.
const NEIGHBOURHOOD_DEPTH: usize = 2;

/// Rules opsgate emits itself (from the git diff, not from one artifact's policy input).
pub const ENGINE_RULES: &[&str] = &["GIT-005"];

#[derive(Debug, Clone)]
pub enum GateMode {
    /// The index against HEAD.
    Staged,
    /// HEAD (or the work tree) against the merge base of `rev` and HEAD.
    Base {
        rev: String,
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

fn filtered(sources: Vec<Source>, options: &CheckOptions) -> Vec<Source> {
    sources
        .into_iter()
        .filter(|s| options.filter.allows(&s.path))
        .collect()
}

/// Files that change what the gate itself checks against.
fn is_gate_file(path: &str, policy_prefixes: &[String]) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == crate::config::FILE_NAME
        || path.starts_with("policies/")
        || policy_prefixes
            .iter()
            .any(|prefix| path.starts_with(prefix.as_str()))
}

pub fn check_git(options: &CheckOptions, mode: &GateMode) -> Result<CheckRun, GateError> {
    let started = Instant::now();
    let git = Git::discover(&options.path)?;
    let prefix = git.relative(&options.path).ok_or_else(|| {
        GitError::Other(format!(
            "{} is outside the repository's work tree",
            options.path.display()
        ))
    })?;
    let max = options.limits.max_file_bytes;
    let (base, against, all) = match mode {
        GateMode::Staged => (git.head_oid().ok(), Against::Index, false),
        GateMode::Base { rev, worktree, all } => (
            Some(git.merge_base(rev)?),
            if *worktree {
                Against::WorkTree
            } else {
                Against::Head
            },
            *all,
        ),
    };
    let head_sources = match against {
        Against::Index => Some(git.index_sources(&prefix, max)?),
        Against::Head => Some(git.commit_sources(git.head_oid()?, &prefix, max)?),
        Against::WorkTree => None,
    };
    crate::check::stage_time("head sources read", started);
    let changed_paths = match base {
        Some(oid) => git.changed_paths(oid, against)?,
        None => Vec::new(),
    };
    // The base differs from the head only in the changed files: read just those from the base
    // tree and copy everything else from the head instead of parsing the repository twice.
    let base_sources = match base {
        Some(oid) => git.commit_sources_at(oid, &prefix, &changed_paths, max)?,
        None => Vec::new(),
    };
    let changed_displays: HashSet<String> = changed_paths
        .iter()
        .filter_map(|path| Git::under(path, &prefix))
        .map(str::to_owned)
        .collect();

    let load_head = || match head_sources {
        Some(sources) => load::load_sources(filtered(sources, options), options.limits),
        None => load::load_path(&options.path, options.limits, &options.filter),
    };
    let (head, (schemas, policies)) = rayon::join(load_head, || {
        rayon::join(SchemaSet::compile, || {
            PolicySet::load(&options.policy_dirs, options.policy_timeout)
        })
    });
    crate::check::stage_time("load head (with compiling in parallel)", started);
    let base_loaded = match base {
        Some(_) => load::substitute(
            &head,
            &changed_displays,
            filtered(base_sources, options),
            options.limits,
        ),
        // No commit yet: everything is new.
        None => load::load_sources(Vec::new(), options.limits),
    };
    let (schemas, policies) = (
        schemas.map_err(CheckError::from)?,
        policies.map_err(CheckError::from)?,
    );

    crate::check::stage_time("base substituted", started);
    let changes = Arc::new(ChangeSet::classify(&base_loaded.workspace, &head.workspace));
    // Only the neighbourhood of the change can gain or lose findings: evaluate just that, in both
    // states (the whole repository still forms the inventory the rules look things up in).
    // With --all every finding is wanted, so everything is evaluated.
    let only = (!all).then(|| {
        Arc::new(changes.neighbourhood(
            &base_loaded.workspace,
            &head.workspace,
            NEIGHBOURHOOD_DEPTH,
        ))
    });
    crate::check::stage_time("neighbourhood", started);
    let Loaded {
        workspace,
        findings: load_findings,
    } = head;
    // Nothing to evaluate when no artifact's content changed (see `PolicySet::evaluate`).
    let converted = only
        .as_ref()
        .is_none_or(|only| !only.is_empty())
        .then(|| Arc::new(crate::evaluate::Converted::of(&workspace.artifacts)));
    crate::check::stage_time("artifacts converted for the engine", started);
    let ((head_findings, policy_errors), base_findings) = rayon::join(
        || {
            findings_of(
                &workspace,
                load_findings,
                &schemas,
                &policies,
                options,
                Scope {
                    changes: Some(changes.clone()),
                    only: only.clone(),
                    converted: converted.clone(),
                },
            )
        },
        || {
            let Loaded {
                workspace,
                findings,
            } = base_loaded;
            findings_of(
                &workspace,
                findings,
                &schemas,
                &policies,
                options,
                Scope {
                    changes: None,
                    only: only.clone(),
                    converted: converted.clone(),
                },
            )
            .0
        },
    );
    // Freeing every converted artifact takes tens of milliseconds that the result does not wait for.
    if let Some(converted) = converted {
        // Without a thread, it is freed here.
        let _ = std::thread::Builder::new().spawn(move || drop(converted));
    }
    let before: HashSet<String> = base_findings.iter().map(fingerprint).collect();
    let changed_files: HashSet<&str> = changed_paths.iter().map(String::as_str).collect();
    let in_change = |f: &Finding| -> bool {
        match (&f.artifact, f.stage) {
            (Some(id), _) if changes.touches(id) => true,
            (None, Stage::Load) => f.file.as_ref().is_some_and(|file| {
                changed_files.contains(
                    format!("{prefix}{}{file}", if prefix.is_empty() { "" } else { "/" }).as_str(),
                )
            }),
            _ => !before.contains(&fingerprint(f)),
        }
    };
    let mut findings: Vec<Finding> = Vec::new();
    for mut finding in head_findings {
        if in_change(&finding) {
            findings.push(finding);
        } else if all {
            finding.pre_existing = true;
            findings.push(finding);
        }
    }
    let policy_prefixes: Vec<String> = options
        .policy_dirs
        .iter()
        .filter_map(|dir| git.relative(dir))
        .map(|p| format!("{p}/"))
        .collect();
    for path in changed_paths
        .iter()
        .filter(|p| is_gate_file(p, &policy_prefixes))
    {
        findings.push(
            Finding::new(
                "GIT-005",
                policies
                    .registry
                    .get("GIT-005")
                    .map_or(Severity::Warning, |r| r.severity),
                Stage::Policy,
                format!("this change modifies `{path}`, which changes what opsgate checks"),
            )
            .in_file(path, None)
            .with_help("nothing to fix if intended: have the gate's owner review it"),
        );
    }
    crate::check::apply_rule_settings(&options.rules, &mut findings);
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
        GateMode::Base { .. } => "diff",
    };
    Ok(run)
}
