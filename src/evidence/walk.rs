//! The one history walk: every first-parent commit from the tip back to the root (or a shallow
//! clone's boundary), oldest first, and for each dated event and artifact the commit that first
//! recorded it. A file's content is parsed once per blob id, whatever number of commits or paths
//! hold it, with the loader every other run uses; only the blobs a commit changed are looked at
//! (an event not in a changed blob was already there the commit before).

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::Path;

use git2::{ObjectType, Oid};
use rayon::prelude::*;

use crate::git::{Git, GitError};
use crate::load::{self, LoadLimits};
use crate::model::Source;

/// One commit of the walk.
#[derive(Debug, Clone)]
pub struct Stamp {
    pub oid: Oid,
    /// When the record existed at the earliest, seconds since the epoch: the commit's committer
    /// time, or a first-parent ancestor's when that is later. A commit names its parent, so it
    /// cannot have been made before the parent was: a date set earlier than the parent's (a
    /// forged one, or a skewed clock) is never believed.
    pub time: i64,
    /// The committer time as the commit states it.
    pub stated: i64,
}

/// What the walk found.
#[derive(Debug, Default)]
pub struct History {
    /// First-parent commits, oldest first.
    pub commits: Vec<Stamp>,
    /// Event and artifact keys ([`super::events`]) → index of the commit that first recorded them.
    pub first: HashMap<String, usize>,
    /// Configuration item id → the commits that changed its configuration (index, and the change
    /// its `last_change` named in that commit).
    pub ci_changes: HashMap<String, Vec<(usize, Option<String>)>>,
    /// The oldest commit is a shallow clone's boundary: what it holds may be older than it.
    pub shallow: bool,
    /// The first commit that recorded anything: the import of records kept elsewhere before,
    /// which git cannot date (see [`super::judge`]).
    pub import: Option<usize>,
    pub blobs_parsed: usize,
}

impl History {
    /// The commit that first recorded `key`.
    pub fn first(&self, key: &str) -> Option<(usize, &Stamp)> {
        let index = *self.first.get(key)?;
        Some((index, &self.commits[index]))
    }
}

/// What one blob holds, for the walk.
#[derive(Default)]
struct Parsed {
    keys: Vec<String>,
    /// (CI id, fingerprint of its configuration fields, `last_change`).
    cis: Vec<(String, u64, Option<String>)>,
}

/// The fields whose change needs a change record (as GIT-001 reads them); the record-keeping
/// fields may move without one.
const CONFIGURATION: &[&str] = &[
    "/spec/type",
    "/spec/environment",
    "/spec/version",
    "/spec/baseline",
    "/spec/configuration",
];

fn fingerprint(value: &serde_json::Value) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for pointer in CONFIGURATION {
        value
            .pointer(pointer)
            .map(|v| v.to_string())
            .hash(&mut hasher);
    }
    hasher.finish()
}

fn parse(source: Source, limits: LoadLimits) -> Parsed {
    let loaded = load::load_sources(vec![source], limits);
    let mut parsed = Parsed::default();
    for artifact in loaded.workspace.artifacts.iter().filter(|a| a.has_id) {
        parsed.keys.push(super::events::artifact_key(&artifact.id));
        let events = super::events::of(&artifact.id, artifact.kind.name, &artifact.value);
        parsed.keys.extend(events.into_iter().map(|e| e.key));
        if artifact.kind.name == "ConfigurationItem" {
            let last = artifact
                .value
                .pointer("/spec/last_change")
                .and_then(|v| v.as_str());
            parsed.cis.push((
                artifact.id.clone(),
                fingerprint(&artifact.value),
                last.map(str::to_owned),
            ));
        }
    }
    parsed
}

/// The first-parent chain from `tip`, oldest first, and whether it stops at a shallow boundary.
fn chain(git: &Git, tip: Oid) -> Result<(Vec<Stamp>, bool), GitError> {
    let boundary = git.shallow_boundary();
    let mut commits = Vec::new();
    let mut shallow = false;
    let mut current = Some(git.repository().find_commit(tip)?);
    while let Some(commit) = current {
        let time = commit.time().seconds();
        commits.push(Stamp {
            oid: commit.id(),
            time,
            stated: time,
        });
        if boundary.contains(&commit.id()) {
            shallow = true;
            break;
        }
        current = match commit.parent_count() {
            0 => None,
            // A parent that cannot be read is a history cut short: never a root.
            _ => match commit.parent(0) {
                Ok(parent) => Some(parent),
                Err(_) => {
                    shallow = true;
                    None
                }
            },
        };
    }
    commits.reverse();
    let mut latest = i64::MIN;
    for stamp in &mut commits {
        latest = latest.max(stamp.stated);
        stamp.time = latest;
    }
    Ok((commits, shallow))
}

/// What to read: files under `prefix` (repository-relative, empty for all) that `keep` allows.
pub struct Scope<'a> {
    pub prefix: &'a str,
    pub keep: &'a dyn Fn(&Path) -> bool,
    pub limits: LoadLimits,
}

/// The YAML blobs each commit added or changed under the scope: (commit index, display path, blob).
fn changed_blobs(
    git: &Git,
    commits: &[Stamp],
    scope: &Scope<'_>,
) -> Result<Vec<(usize, String, Oid)>, GitError> {
    let repo = git.repository();
    let mut out = Vec::new();
    let mut previous: Option<git2::Tree<'_>> = None;
    for (index, stamp) in commits.iter().enumerate() {
        let tree = repo.find_commit(stamp.oid)?.tree()?;
        let mut found = Vec::new();
        changed_entries(git, previous.as_ref(), &tree, &mut Vec::new(), &mut found)?;
        for (path, id) in found {
            let Ok(path) = String::from_utf8(path) else {
                continue;
            };
            let Some(display) = Git::under(&path, scope.prefix) else {
                continue;
            };
            if crate::model::is_yaml(Path::new(display)) && (scope.keep)(&git.workdir.join(&path)) {
                out.push((index, display.to_owned(), id));
            }
        }
        previous = Some(tree);
    }
    Ok(out)
}

/// The regular files of `tree` that `before` did not hold with the same content (path, blob):
/// subtrees with the same id are skipped, so a commit costs what it changed. (Faster here than
/// libgit2's diff, which builds a delta list per commit; deletions are not needed.)
fn changed_entries(
    git: &Git,
    before: Option<&git2::Tree<'_>>,
    tree: &git2::Tree<'_>,
    prefix: &mut Vec<u8>,
    out: &mut Vec<(Vec<u8>, Oid)>,
) -> Result<(), GitError> {
    for entry in tree.iter() {
        let old = before.and_then(|b| b.get_name_bytes(entry.name_bytes()));
        if old
            .as_ref()
            .is_some_and(|o| o.id() == entry.id() && o.filemode() == entry.filemode())
        {
            continue;
        }
        let length = prefix.len();
        prefix.extend_from_slice(entry.name_bytes());
        match entry.kind() {
            Some(ObjectType::Tree) => {
                let subtree = git.repository().find_tree(entry.id())?;
                let old_tree = match old.filter(|o| o.kind() == Some(ObjectType::Tree)) {
                    Some(o) => Some(git.repository().find_tree(o.id())?),
                    None => None,
                };
                prefix.push(b'/');
                changed_entries(git, old_tree.as_ref(), &subtree, prefix, out)?;
            }
            // Symlinks and submodules are not records (the loader reports them in the work tree).
            Some(ObjectType::Blob) if [0o100644, 0o100755].contains(&entry.filemode()) => {
                out.push((prefix.clone(), entry.id()));
            }
            _ => {}
        }
        prefix.truncate(length);
    }
    Ok(())
}

/// Walks the first-parent history of `tip`.
pub fn walk(git: &Git, tip: Oid, scope: &Scope<'_>) -> Result<History, GitError> {
    let started = std::time::Instant::now();
    let (commits, shallow) = chain(git, tip)?;
    crate::timing::stage_time("backdating: first-parent chain", started);
    let changed = changed_blobs(git, &commits, scope)?;
    crate::timing::stage_time("backdating: history diffs", started);
    let started = std::time::Instant::now();
    let sources = blob_sources(git, &changed, scope)?;
    let limits = scope.limits;
    let cache: HashMap<Oid, Parsed> = sources
        .into_par_iter()
        .map(|(oid, source)| (oid, parse(source, limits)))
        .collect();
    crate::timing::stage_time("backdating: blobs read and parsed", started);
    let mut history = History {
        blobs_parsed: cache.len(),
        shallow,
        ..History::default()
    };
    record_firsts(&mut history, &changed, &cache);
    history.import = history.first.values().min().copied();
    history.commits = commits;
    Ok(history)
}

/// Every distinct blob of `changed`, read once (git2 objects are not shared across threads, so
/// they are read here and parsed in parallel after), named by its first path.
fn blob_sources(
    git: &Git,
    changed: &[(usize, String, Oid)],
    scope: &Scope<'_>,
) -> Result<Vec<(Oid, Source)>, GitError> {
    let mut wanted: Vec<(Oid, String)> = Vec::new();
    let mut seen = HashSet::new();
    for (_, display, oid) in changed {
        if seen.insert(*oid) {
            wanted.push((*oid, display.clone()));
        }
    }
    let mut sources = Vec::with_capacity(wanted.len());
    for (oid, display) in wanted {
        let blob = git.repository().find_blob(oid)?;
        // An oversized blob holds no event that can be read: the loader reports it as unread.
        let content = if blob.size() as u64 > scope.limits.max_file_bytes {
            Err(crate::model::Unread::io("over the file size limit"))
        } else {
            Ok(blob.content().to_vec())
        };
        sources.push((
            oid,
            Source {
                path: git.workdir.join(&display),
                display,
                content,
            },
        ));
    }
    Ok(sources)
}

/// For each key, the first commit (in `changed`'s order, oldest first) whose blobs hold it, and
/// each configuration item's configuration changes.
fn record_firsts(
    history: &mut History,
    changed: &[(usize, String, Oid)],
    cache: &HashMap<Oid, Parsed>,
) {
    let mut last_fingerprint: HashMap<&str, u64> = HashMap::new();
    for (index, _, oid) in changed {
        let Some(parsed) = cache.get(oid) else {
            continue;
        };
        for key in &parsed.keys {
            history.first.entry(key.clone()).or_insert(*index);
        }
        for (ci, print, last_change) in &parsed.cis {
            if last_fingerprint.insert(ci, *print) == Some(*print) {
                continue;
            }
            // The boundary of a shallow clone is where the history starts, not a modification.
            if !(history.shallow && *index == 0) {
                history
                    .ci_changes
                    .entry(ci.clone())
                    .or_default()
                    .push((*index, last_change.clone()));
            }
        }
    }
}
