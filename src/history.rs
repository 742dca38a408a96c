//! The repository as it stood at each commit of a branch within a period: a first-parent walk of
//! the history, each commit evaluated with `--as-of` = its date, incrementally — a file is parsed
//! only when its blob changed (every other file is shared with the previous state, see
//! [`load::substitute`]); at each commit only the neighbourhood of what it changed (the git
//! gates' neighbourhood) is evaluated by every rule, and when the date moves every artifact is
//! evaluated again by the rules that read the date (see `evaluate::dated`): time-based rules
//! change their verdict on artifacts no commit touched, and an interval of non-compliance must
//! never be missed for the sake of speed. The inventory indexes are computed again only when
//! what they read changed (`evaluate::IndexMemo`). [`Strategy::Naive`] evaluates everything at
//! every point; a test holds the two equal over a crafted history.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;
use std::sync::Arc;

use git2::Oid;

use crate::check::CheckOptions;
use crate::diff::ChangeSet;
use crate::evaluate::{Context, PolicyError, PolicySet};
use crate::finding::{sort_findings, Finding, Stage};
use crate::git::{CommitInfo, Git, GitError};
use crate::load::{self, Loaded, Source};
use crate::validate::SchemaSet;

/// A closed range of calendar days (UTC), `START..END` on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: jiff::civil::Date,
    pub end: jiff::civil::Date,
}

impl Period {
    /// Parses `YYYY-MM-DD..YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Period, String> {
        let (start, end) = text.split_once("..").ok_or_else(|| {
            format!("--period `{text}` is not START..END (YYYY-MM-DD..YYYY-MM-DD)")
        })?;
        let date = |s: &str| {
            s.parse::<jiff::civil::Date>()
                .map_err(|e| format!("--period `{text}`: `{s}` is not a date (YYYY-MM-DD): {e}"))
        };
        let (start, end) = (date(start)?, date(end)?);
        if end < start {
            return Err(format!("--period `{text}` ends before it starts"));
        }
        Ok(Period { start, end })
    }

    fn seconds(date: jiff::civil::Date) -> i64 {
        date.to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp().as_second())
            .unwrap_or(i64::MIN)
    }

    /// The first second of the period (UTC).
    pub fn start_second(&self) -> i64 {
        Period::seconds(self.start)
    }

    /// The first second after the period (UTC).
    pub fn end_second(&self) -> i64 {
        self.end.tomorrow().map(Period::seconds).unwrap_or(i64::MAX)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error(transparent)]
    Git(#[from] GitError),
    /// Never a silently shortened period: the history before the boundary is not in this clone.
    #[error("the period starts {start} but this clone is shallow: its history stops at commit {boundary} ({date}), so the state at the period's start is unknown")]
    Shallow {
        start: String,
        boundary: String,
        date: String,
    },
    #[error(transparent)]
    Check(#[from] crate::check::CheckError),
}

impl HistoryError {
    /// What to run to get the missing history.
    pub fn help(&self) -> Option<String> {
        match self {
            HistoryError::Shallow { start, .. } => Some(format!(
                "fetch the history back to the period's start: `git fetch --shallow-since={start}` \
                 (one day earlier is safest for commits made the day before), or `git fetch --unshallow`; \
                 in GitHub Actions set `fetch-depth: 0` on actions/checkout, in GitLab CI `GIT_DEPTH: 0`"
            )),
            _ => None,
        }
    }
}

/// The commits a period report evaluates, oldest first.
#[derive(Debug)]
pub struct Walk {
    /// The last commit before the period (the state at its start); `None` when the history
    /// begins inside the period.
    pub baseline: Option<Oid>,
    /// First-parent commits dated within the period, oldest first.
    pub commits: Vec<Oid>,
}

/// Walks the first-parent history from `tip` back to the last commit before `period`.
pub fn walk(git: &Git, tip: Oid, period: &Period) -> Result<Walk, HistoryError> {
    let repo = git.repository();
    let boundary = git.shallow_boundary();
    let (start, end) = (period.start_second(), period.end_second());
    let mut commits = Vec::new();
    let mut current = Some(repo.find_commit(tip).map_err(GitError::from)?);
    let mut baseline = None;
    while let Some(commit) = current {
        let time = commit.time().seconds();
        if time < start {
            baseline = Some(commit.id());
            break;
        }
        if time < end {
            commits.push(commit.id());
        }
        if boundary.contains(&commit.id()) {
            return Err(HistoryError::Shallow {
                start: period.start.to_string(),
                boundary: commit.id().to_string(),
                date: git.info(commit.id()).map(|c| c.date).unwrap_or_default(),
            });
        }
        current = commit.parents().next();
    }
    commits.reverse();
    Ok(Walk { baseline, commits })
}

/// One state of the repository, evaluated.
pub struct Point {
    /// The commit this state is (none: before the first commit).
    pub commit: Option<CommitInfo>,
    pub as_of: String,
    /// Findings after waivers and rule settings.
    pub findings: Vec<Finding>,
    /// Every artifact was evaluated by every rule, not only the neighbourhood (and the dated rules).
    pub full: bool,
    /// What the commit changed and the neighbourhood of it: a finding that appears or goes away
    /// there is the commit's doing; elsewhere it is the date's.
    pub touched: HashSet<String>,
    /// Ids of the artifacts with an id, and their kinds.
    pub artifacts: Vec<(String, &'static str, String)>,
}

/// The evaluator's state between two points.
struct State {
    loaded: Loaded,
    commit: Option<Oid>,
    as_of: String,
    /// Load and schema findings, before waivers and settings (so waivers are judged again at
    /// every point).
    raw: Vec<Finding>,
    /// Policy findings likewise, by what their rules read (`Dated::bucket`).
    by_entry: [Vec<Finding>; 4],
}

/// What a point evaluates: `only` (all when `None`), of which `changed` by every rule.
struct Scope {
    only: Option<Arc<HashSet<String>>>,
    changed: Option<Arc<HashSet<String>>>,
    new_day: bool,
}

/// How the states of a history are evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// What a commit changed and its neighbourhood, and on a new date the dated rules.
    Incremental,
    /// Every artifact at every point, as `check --as-of` at that commit would: the reference the
    /// incremental evaluation is tested against.
    Naive,
}

pub struct Evaluator<'a> {
    pub strategy: Strategy,
    /// Engine values of the artifacts, carried from state to state (unchanged ones are shared).
    converted: Option<Arc<crate::evaluate::Converted>>,
    /// Schema results per artifact value, carried likewise.
    validated: HashMap<usize, Checked>,
    /// The strings of each artifact value, for the neighbourhood, carried likewise.
    strings: crate::diff::StringCache,
    /// The inventory indexes, computed again only when what they read changed.
    index_memo: Arc<std::sync::Mutex<crate::evaluate::IndexMemo>>,
    pub git: &'a Git,
    pub options: &'a CheckOptions,
    pub schemas: &'a SchemaSet,
    pub policies: &'a PolicySet,
    pub errors: Vec<PolicyError>,
    /// Files parsed (each changed blob once per state it enters).
    pub files_parsed: usize,
    state: Option<State>,
}

fn display(path: &[u8]) -> String {
    String::from_utf8(path.to_vec()).unwrap_or_else(|_| crate::git::escape_path(path))
}

/// The artifacts of a state that have an id: id, kind and file.
fn artifacts_with_ids(loaded: &Loaded) -> Vec<(String, &'static str, String)> {
    loaded
        .workspace
        .artifacts
        .iter()
        .filter(|a| a.has_id)
        .map(|a| {
            (
                a.id.clone(),
                a.kind.name,
                loaded.workspace.file_of(a).display.clone(),
            )
        })
        .collect()
}

impl<'a> Evaluator<'a> {
    pub fn new(
        git: &'a Git,
        options: &'a CheckOptions,
        schemas: &'a SchemaSet,
        policies: &'a PolicySet,
    ) -> Evaluator<'a> {
        Evaluator {
            strategy: Strategy::Incremental,
            converted: None,
            validated: HashMap::new(),
            strings: Default::default(),
            index_memo: Default::default(),
            git,
            options,
            schemas,
            policies,
            errors: Vec::new(),
            files_parsed: 0,
            state: None,
        }
    }

    fn filtered(&self, sources: Vec<Source>) -> Vec<Source> {
        sources
            .into_iter()
            .filter(|s| self.options.filter.allows(&s.path))
            .collect()
    }

    /// Moves to `commit` (none: an empty repository) evaluated as of `as_of`. Returns `None` when
    /// nothing opsgate reads changed and the date is the same (the point adds nothing).
    pub fn advance(
        &mut self,
        commit: Option<Oid>,
        as_of: &str,
    ) -> Result<Option<Point>, HistoryError> {
        let previous = self.state.take();
        let Some((loaded, changes)) = self.load_state(previous.as_ref(), commit, as_of)? else {
            self.state = previous;
            return Ok(None);
        };
        // What the commit can have moved: its changes and their neighbourhood.
        let touched: HashSet<String> = match (&previous, &changes) {
            (Some(prev), Some(changes)) => changes.neighbourhood(
                &prev.loaded.workspace,
                &loaded.workspace,
                crate::diff::NEIGHBOURHOOD_DEPTH,
                &mut self.strings,
            ),
            _ => HashSet::new(),
        };
        let scope = self.scope(previous.as_ref(), changes.as_ref(), &touched, as_of);
        if std::env::var_os("OPSGATE_TIMINGS").is_some() {
            let evaluated = scope
                .only
                .as_ref()
                .map_or(loaded.workspace.artifacts.len(), |o| o.len());
            let total = loaded.workspace.artifacts.len();
            eprintln!(
                "opsgate: point {as_of}: {evaluated} of {total} artifacts evaluated by every rule"
            );
        }
        let (raw, by_entry) = self.raw_findings(&loaded, as_of, &scope, previous.as_ref());
        let point = Point {
            commit: commit.and_then(|oid| self.git.info(oid)),
            as_of: as_of.to_owned(),
            findings: self.settled(&loaded, &raw, &by_entry),
            full: scope.only.is_none(),
            touched,
            artifacts: artifacts_with_ids(&loaded),
        };
        self.state = Some(State {
            loaded,
            commit,
            as_of: as_of.to_owned(),
            raw,
            by_entry,
        });
        Ok(Some(point))
    }

    /// The repository at `commit`: from `previous`, only the YAML files the commit changed are
    /// parsed (with what changed, artifact by artifact); without one, every file. `None` when
    /// the commit changed no YAML file and the date is that of `previous`.
    fn load_state(
        &mut self,
        previous: Option<&State>,
        commit: Option<Oid>,
        as_of: &str,
    ) -> Result<Option<(Loaded, Option<ChangeSet>)>, HistoryError> {
        let max = self.options.limits.max_file_bytes;
        let limits = self.options.limits;
        let Some(oid) = commit else {
            return Ok(Some((load::load_sources(Vec::new(), limits), None)));
        };
        let Some(prev) = previous else {
            let sources = self.filtered(self.git.commit_sources(oid, max)?);
            self.files_parsed += sources.len();
            return Ok(Some((load::load_sources(sources, limits), None)));
        };
        let raw = match prev.commit {
            Some(before) => self
                .git
                .changed_paths(before, crate::git::Against::Commit(oid))?,
            // From an empty repository: every file is new.
            None => self.git.changed_paths_from_empty(oid)?,
        };
        let raw: Vec<Vec<u8>> = raw
            .into_iter()
            .filter(|p| crate::load::discover::is_yaml(std::path::Path::new(&display(p))))
            .collect();
        if raw.is_empty() && prev.as_of == as_of {
            return Ok(None);
        }
        let changed: HashSet<String> = raw.iter().map(|p| display(p)).collect();
        let sources = self.filtered(self.git.commit_sources_at(oid, &raw, max)?);
        self.files_parsed += sources.len();
        let next = load::substitute(&prev.loaded, &changed, sources, limits);
        let changes = ChangeSet::classify(&prev.loaded.workspace, &next.workspace);
        Ok(Some((next, Some(changes))))
    }

    /// What a point evaluates, given what its commit changed (`changes`, `touched`: the
    /// neighbourhood of the changes).
    fn scope(
        &self,
        previous: Option<&State>,
        changes: Option<&ChangeSet>,
        touched: &HashSet<String>,
        as_of: &str,
    ) -> Scope {
        // Only the neighbourhood is evaluated again, and on a new day every artifact's dated
        // rules (the other verdicts cannot move with the date alone).
        let new_day = previous.is_some_and(|prev| prev.as_of != as_of);
        let only = match previous {
            // Unlike the git gates, which compare two states' findings, a risk acceptance needs
            // no evaluation outside the neighbourhood: its own verdicts follow the artifacts it
            // names (its neighbours), the dated ones are evaluated on a new date, and whether it
            // waives a finding is settled again at every point (`sink::settle`).
            Some(_) if self.strategy == Strategy::Incremental && changes.is_some() => {
                Some(Arc::new(touched.clone()))
            }
            _ => None,
        };
        // Within it, what the commit itself changed is evaluated by every rule; the rest only by
        // the rules that read other artifacts (or the date, at a new date).
        let changed = only.as_ref().and(changes).map(|changes| {
            let ids = changes.status.iter();
            Arc::new(
                ids.filter(|(_, status)| **status != crate::diff::ChangeStatus::Unchanged)
                    .map(|(id, _)| id.clone())
                    .collect::<HashSet<String>>(),
            )
        });
        Scope {
            only,
            changed,
            new_day,
        }
    }

    /// A point's findings: its raw ones, sorted, deduplicated and settled (waivers, rule
    /// settings) as a check would.
    fn settled(
        &self,
        loaded: &Loaded,
        raw: &[Finding],
        by_entry: &[Vec<Finding>; 4],
    ) -> Vec<Finding> {
        let mut findings = raw.to_vec();
        findings.extend(by_entry.iter().flatten().cloned());
        sort_findings(&mut findings);
        findings.dedup();
        crate::sink::settle(
            &loaded.workspace,
            &self.policies.registry,
            &self.options.rules,
            &mut findings,
        );
        findings
    }

    /// Schema and policy findings of what `scope` evaluates, the others carried over from the
    /// previous state, plus every load finding of the new state; not yet settled. Policy findings
    /// apart by bucket: each is carried over exactly where its rules were not evaluated again.
    fn raw_findings(
        &mut self,
        loaded: &Loaded,
        as_of: &str,
        scope: &Scope,
        previous: Option<&State>,
    ) -> (Vec<Finding>, [Vec<Finding>; 4]) {
        let workspace = &loaded.workspace;
        let validation = self.validate(workspace, scope.only.as_deref());
        let mut converted = self
            .converted
            .take()
            .and_then(|c| Arc::try_unwrap(c).ok())
            .unwrap_or_else(|| crate::evaluate::Converted::of(&[]));
        converted.update(&workspace.artifacts);
        let converted = Arc::new(converted);
        let context = Context {
            only: scope.only.clone(),
            changed: scope.changed.clone(),
            dated_outside_only: scope.new_day,
            separate_entries: true,
            ill_typed: Arc::new(validation.ill_typed),
            converted: Some(converted.clone()),
            index_memo: Some(Arc::clone(&self.index_memo)),
            ..Context::new(as_of.to_owned(), self.options.params.clone(), None)
        };
        let evaluation = self.policies.evaluate(workspace, &context);
        drop(context);
        self.converted = Some(converted);
        self.errors.extend(evaluation.errors);
        let mut findings = loaded.findings.clone();
        findings.extend(validation.findings);
        let mut by_entry = evaluation.by_entry;
        if let (Some(only), Some(previous)) = (&scope.only, previous) {
            let outside = Outside::of(workspace, only);
            let unchanged = scope.changed.as_ref().map(|c| Outside::of(workspace, c));
            let kept = |f: &&Finding| f.stage != Stage::Load && outside.holds(f);
            findings.extend(previous.raw.iter().filter(kept).cloned());
            for (bucket, found) in by_entry.iter_mut().enumerate() {
                let (dated, cross) = crate::evaluate::dated::reads(bucket);
                let fresh_outside = scope.new_day && dated;
                let fresh_neighbour = cross || fresh_outside;
                found.extend(
                    previous.by_entry[bucket]
                        .iter()
                        .filter(|f| match outside.holds(f) {
                            true => !fresh_outside,
                            false => {
                                !fresh_neighbour && unchanged.as_ref().is_some_and(|u| u.holds(f))
                            }
                        })
                        .cloned(),
                );
            }
        }
        (findings, by_entry)
    }
}

/// The artifacts a partial evaluation left out (not in `only`), whose findings of the previous
/// state still hold: by id, and for artifacts without one (their findings name only a file), the
/// files all of whose id-less artifacts were left out.
struct Outside<'a> {
    only: &'a HashSet<String>,
    workspace: &'a crate::model::Workspace,
    files: HashSet<&'a str>,
}

impl<'a> Outside<'a> {
    fn of(workspace: &'a crate::model::Workspace, only: &'a HashSet<String>) -> Outside<'a> {
        let anonymous = || workspace.artifacts.iter().filter(|a| !a.has_id);
        let evaluated: HashSet<&str> = anonymous()
            .filter(|a| only.contains(&a.id))
            .map(|a| workspace.file_of(a).display.as_str())
            .collect();
        let files = anonymous()
            .map(|a| workspace.file_of(a).display.as_str())
            .filter(|file| !evaluated.contains(file))
            .collect();
        Outside {
            only,
            workspace,
            files,
        }
    }

    fn holds(&self, finding: &Finding) -> bool {
        match (&finding.artifact, &finding.file) {
            (Some(id), _) => !self.only.contains(id) && self.workspace.by_id.contains_key(id),
            (None, Some(file)) => self.files.contains(file.as_str()),
            (None, None) => false,
        }
    }
}

/// One artifact value's schema result: its findings and ill-typed pointers, with the value kept
/// alive so its address cannot name another value while cached.
struct Checked {
    _value: Arc<serde_json::Value>,
    findings: Vec<Finding>,
    ill_typed: Vec<String>,
}

impl Evaluator<'_> {
    /// Schema validation of every artifact (the policies need every ill-typed value), computed
    /// only for values not validated in an earlier state; findings for `only` (all when `None`).
    fn validate(
        &mut self,
        workspace: &crate::model::Workspace,
        only: Option<&HashSet<String>>,
    ) -> crate::validate::Validation {
        let address = |a: &crate::model::Artifact| Arc::as_ptr(&a.value) as usize;
        let current: HashSet<usize> = workspace.artifacts.iter().map(address).collect();
        self.validated.retain(|a, _| current.contains(a));
        let missing: Vec<&crate::model::Artifact> = workspace
            .artifacts
            .iter()
            .filter(|a| !self.validated.contains_key(&address(a)))
            .collect();
        let schemas = self.schemas;
        let checked: Vec<(usize, Checked)> = missing
            .par_iter()
            .map(|a| {
                let (findings, ill_typed) = schemas.validate_one(workspace, a);
                let checked = Checked {
                    _value: Arc::clone(&a.value),
                    findings,
                    ill_typed,
                };
                (address(a), checked)
            })
            .collect();
        self.validated.extend(checked);
        let mut validation = crate::validate::Validation::default();
        for (index, artifact) in workspace.artifacts.iter().enumerate() {
            let Some(checked) = self.validated.get(&address(artifact)) else {
                continue;
            };
            if only.is_none_or(|only| only.contains(&artifact.id)) {
                validation.findings.extend(checked.findings.iter().cloned());
            }
            if !checked.ill_typed.is_empty() {
                validation
                    .ill_typed
                    .insert(index, checked.ill_typed.clone());
            }
        }
        validation
    }
}

/// Everything a period report is built from.
pub struct Collected {
    pub points: Vec<Point>,
    pub policies: PolicySet,
    pub errors: Vec<PolicyError>,
    pub walk: Walk,
    pub files_parsed: usize,
}

/// Evaluates the state at the period's start, after each first-parent commit within it that
/// changed a YAML file, and at its end.
pub fn collect(
    git: &Git,
    options: &CheckOptions,
    period: &Period,
    tip: Oid,
) -> Result<Collected, HistoryError> {
    collect_with(git, options, period, tip, Strategy::Incremental, None)
}

/// Below this many commits a worker of its own costs more (a full evaluation to start from) than
/// it saves.
const COMMITS_PER_WORKER: usize = 64;

/// At most this many runs: each holds its own caches of every artifact value (about half of the
/// report's peak memory each on the history benchmark), so a many-core machine must not multiply
/// the memory by its core count.
const MAX_WORKERS: usize = 4;

/// [`collect`] with the given evaluation strategy, the history cut into `workers` runs of
/// consecutive commits evaluated in parallel (`None`: one per thread, each at least
/// [`COMMITS_PER_WORKER`] long; never more runs than commits). Each run after the first starts from a full
/// evaluation of the commit before it (the state the previous run ends in), so the points are
/// those of one run through the whole history.
pub fn collect_with(
    git: &Git,
    options: &CheckOptions,
    period: &Period,
    tip: Oid,
    strategy: Strategy,
    workers: Option<usize>,
) -> Result<Collected, HistoryError> {
    let walk = walk(git, tip, period)?;
    let (schemas, policies) = rayon::join(SchemaSet::compile, || match strategy {
        Strategy::Incremental => {
            PolicySet::load_for_period(&options.policy_files, options.policy_timeout)
        }
        // The reference: the policies as `check` loads them.
        Strategy::Naive => PolicySet::load(&options.policy_files, options.policy_timeout),
    });
    let schemas = schemas.map_err(crate::check::CheckError::from)?;
    let policies = policies.map_err(crate::check::CheckError::from)?;
    let runs = runs(&walk, workers);
    // A repository handle is not shared between threads: one each.
    let handles = runs
        .iter()
        .map(|_| git.reopen())
        .collect::<Result<Vec<Git>, GitError>>()?;
    let shared = Shared {
        options,
        schemas: &schemas,
        policies: &policies,
        strategy,
        period,
        walk: &walk,
    };
    let results: Vec<Result<RunResult, HistoryError>> = runs
        .into_par_iter()
        .zip(handles)
        .map(|(range, git)| shared.run(&git, range))
        .collect();
    let (mut points, mut errors, mut files_parsed) = (Vec::new(), Vec::new(), 0);
    for result in results {
        let result = result?;
        points.extend(result.points);
        errors.extend(result.errors);
        files_parsed += result.files_parsed;
    }
    dedup_errors(&mut errors);
    Ok(Collected {
        points,
        policies,
        errors,
        walk,
        files_parsed,
    })
}

/// The runs of commit positions (into [`Walk::commits`]) evaluated in parallel; at least one,
/// possibly empty (a period without commits still has its start and end).
fn runs(walk: &Walk, workers: Option<usize>) -> Vec<std::ops::Range<usize>> {
    let total = walk.commits.len();
    let count = workers
        .unwrap_or_else(|| {
            rayon::current_num_threads()
                .min(MAX_WORKERS)
                .min(total / COMMITS_PER_WORKER)
        })
        .clamp(1, total.max(1));
    (0..count)
        .map(|i| (total * i / count)..(total * (i + 1) / count))
        .collect()
}

/// What every run of a history's evaluation reads.
struct Shared<'a> {
    options: &'a CheckOptions,
    schemas: &'a SchemaSet,
    policies: &'a PolicySet,
    strategy: Strategy,
    period: &'a Period,
    walk: &'a Walk,
}

struct RunResult {
    points: Vec<Point>,
    errors: Vec<PolicyError>,
    files_parsed: usize,
}

impl Shared<'_> {
    fn date_of(&self, git: &Git, oid: Oid) -> String {
        git.info(oid)
            .map(|c| c.date)
            .unwrap_or_else(|| self.period.start.to_string())
    }

    /// The points of the commits in `range`: the first run adds the period's start, the last its
    /// end; a later run begins from the state after the commit before its first (not a point of
    /// its own: the previous run ends with it).
    fn run(&self, git: &Git, range: std::ops::Range<usize>) -> Result<RunResult, HistoryError> {
        let commits = &self.walk.commits;
        let mut evaluator = Evaluator::new(git, self.options, self.schemas, self.policies);
        evaluator.strategy = self.strategy;
        let mut points = Vec::new();
        if range.start == 0 {
            let start = self.period.start.to_string();
            points.extend(evaluator.advance(self.walk.baseline, &start)?);
        } else {
            let before = commits[range.start - 1];
            evaluator.advance(Some(before), &self.date_of(git, before))?;
        }
        for oid in &commits[range.clone()] {
            points.extend(evaluator.advance(Some(*oid), &self.date_of(git, *oid))?);
        }
        if range.end == commits.len() {
            let last = commits.last().copied().or(self.walk.baseline);
            points.extend(evaluator.advance(last, &self.period.end.to_string())?);
        }
        Ok(RunResult {
            points,
            errors: std::mem::take(&mut evaluator.errors),
            files_parsed: evaluator.files_parsed,
        })
    }
}

/// The same policy error at several points (or from two runs) is reported once.
fn dedup_errors(errors: &mut Vec<PolicyError>) {
    let mut seen = HashSet::new();
    errors.retain(|e| seen.insert(format!("{e:?}")));
}
