//! Which artifacts a change adds, modifies or deletes, compared by content (a renamed file whose
//! documents are unchanged is not a modification). Policies see it as `input.change`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::Value;

use crate::model::{Artifact, Workspace};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeStatus {
    Added,
    Modified,
    Unchanged,
}

impl ChangeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeStatus::Added => "added",
            ChangeStatus::Modified => "modified",
            ChangeStatus::Unchanged => "unchanged",
        }
    }
}

/// The artifacts of the base, and how each artifact of the head differs from them.
#[derive(Debug, Default)]
pub struct ChangeSet {
    /// (Keyed with `ahash`: the period report classifies a whole workspace at every commit.)
    pub status: HashMap<String, ChangeStatus, ahash::RandomState>,
    pub base: HashMap<String, Arc<Value>, ahash::RandomState>,
    pub deleted: Vec<String>,
    /// The file each deleted artifact was in.
    pub deleted_from: HashMap<String, String>,
}

/// How far (in references, either direction) a change can move findings, in the git gates and
/// the period report alike: the deepest join the rules make is three hops (a release, the CIs it
/// changes, their service, that service's SLA: XP-006), so three hops from every changed artifact
/// are evaluated. tests/gate_neighbourhood.rs checks it against the rules: one change at a time to
/// the example, the gate must fail on exactly what a whole check fails on (at depth 1, 7 of its 37
/// changes are judged differently).
pub const NEIGHBOURHOOD_DEPTH: usize = 3;

impl ChangeSet {
    pub fn classify(base: &Workspace, head: &Workspace) -> ChangeSet {
        // Artifacts without a usable id take a name from their place (`file#n`): a change to one
        // is a change like any other, evaluated and reported.
        let base_docs: HashMap<String, Arc<Value>, ahash::RandomState> = base
            .artifacts
            .iter()
            .map(|a| (a.id.clone(), a.value.clone()))
            .collect();
        let mut status =
            HashMap::with_capacity_and_hasher(head.artifacts.len(), Default::default());
        for artifact in head.artifacts.iter() {
            let change = match base_docs.get(&artifact.id) {
                None => ChangeStatus::Added,
                // The base shares the head's unchanged artifacts: most are equal by identity.
                Some(before)
                    if Arc::ptr_eq(before, &artifact.value) || before == &artifact.value =>
                {
                    ChangeStatus::Unchanged
                }
                Some(_) => ChangeStatus::Modified,
            };
            status.insert(artifact.id.clone(), change);
        }
        let head_ids: HashSet<&str> = head.artifacts.iter().map(|a| a.id.as_str()).collect();
        let mut deleted: Vec<String> = base_docs
            .keys()
            .filter(|id| !head_ids.contains(id.as_str()))
            .cloned()
            .collect();
        deleted.sort();
        let deleted_from = deleted
            .iter()
            .filter_map(|id| {
                let artifact = base.artifacts.iter().find(|a| &a.id == id)?;
                Some((id.clone(), base.file_of(artifact).display.clone()))
            })
            .collect();
        ChangeSet {
            status,
            base: base_docs,
            deleted,
            deleted_from,
        }
    }

    pub fn status_of(&self, id: &str) -> ChangeStatus {
        self.status
            .get(id)
            .copied()
            .unwrap_or(ChangeStatus::Unchanged)
    }

    pub fn touches(&self, id: &str) -> bool {
        self.status_of(id) != ChangeStatus::Unchanged
    }

    /// `input.change` for one artifact.
    pub fn input_for(&self, id: &str) -> Value {
        serde_json::json!({
            "status": self.status_of(id).as_str(),
            "base": self.base.get(id).map_or(Value::Null, |value| Value::clone(value)),
        })
    }
}

impl ChangeSet {
    /// The artifacts whose findings the change can affect: what it added, modified or deleted,
    /// and everything within `depth` references of those, in either direction (a service and the
    /// CIs it lists, the availability plan of that service, …), across base and head. `strings`
    /// holds each value's strings across calls (the period report's states share most values).
    pub fn neighbourhood(
        &self,
        base: &Workspace,
        head: &Workspace,
        depth: usize,
        strings: &mut StringCache,
    ) -> HashSet<String> {
        // Every artifact's id, placeholders of id-less ones included (the frontier starts from the
        // changed artifacts, which may be id-less), in either state.
        let known: IdSet<'_> = head
            .artifacts
            .iter()
            .map(|a| a.id.as_str())
            .chain(self.base.keys().map(String::as_str))
            .collect();
        // An unchanged artifact reads the same in both states: scan it once.
        let changed_in_base = base.artifacts.iter().filter(|a| {
            self.status
                .get(&a.id)
                .is_none_or(|status| *status != ChangeStatus::Unchanged)
        });
        let sources: Vec<&Artifact> = changed_in_base.chain(&head.artifacts).collect();
        strings.fill(&sources, &known);
        let strings = &*strings;
        let mut reached: HashSet<&str> = self
            .status
            .iter()
            .filter(|(_, status)| **status != ChangeStatus::Unchanged)
            .map(|(id, _)| id.as_str())
            .chain(self.deleted.iter().map(String::as_str))
            .collect();
        // One scan per level instead of building the whole reference graph: the frontier is small
        // and a subset of the known ids, so each artifact costs a set lookup per id it mentions.
        let mut frontier: IdSet<'_> = reached.iter().copied().collect();
        for _ in 0..depth {
            if frontier.ids.is_empty() {
                break;
            }
            let next: Vec<&str> = sources
                .par_iter()
                .flat_map_iter(|artifact| {
                    neighbours_in(artifact, strings.of(&artifact.value), &frontier, &known)
                })
                .collect();
            frontier = next.into_iter().filter(|id| reached.insert(id)).collect();
        }
        reached.into_iter().map(str::to_owned).collect()
    }
}

/// A set of ids that answers "is this string one of them?" for every string of every artifact
/// cheaply: most strings (titles, descriptions, dates) have a length no id of the set has, and
/// are rejected before they are hashed. The hash is keyed per process (`ahash`), so ids chosen to
/// collide cannot slow the scan down.
struct IdSet<'a> {
    ids: HashSet<&'a str, ahash::RandomState>,
    /// Bit `n`: an id of `n` bytes is in the set (`n` < 128).
    lengths: u128,
    /// An id of 128 bytes or more is in the set.
    long: bool,
}

impl<'a> FromIterator<&'a str> for IdSet<'a> {
    fn from_iter<I: IntoIterator<Item = &'a str>>(iter: I) -> Self {
        let mut set = IdSet {
            ids: HashSet::default(),
            lengths: 0,
            long: false,
        };
        for id in iter {
            match id.len() {
                n if n < 128 => set.lengths |= 1 << n,
                _ => set.long = true,
            }
            set.ids.insert(id);
        }
        set
    }
}

impl<'a> IdSet<'a> {
    fn get(&self, text: &str) -> Option<&'a str> {
        let possible = match text.len() {
            n if n < 128 => self.lengths & (1 << n) != 0,
            _ => self.long,
        };
        possible.then(|| self.ids.get(text).copied()).flatten()
    }

    fn contains(&self, text: &str) -> bool {
        self.get(text).is_some()
    }
}

/// The known ids each artifact value mentions, read once per value while the set of ids stays
/// the same: the neighbourhood scans them at each level, and the period report keeps them from
/// commit to commit (a commit changes few values and rarely adds or removes an id), instead of
/// walking every value again. Each value is held so its address cannot name another value while
/// cached; a different set of ids empties the cache.
#[derive(Default)]
pub struct StringCache {
    known: HashSet<Box<str>, ahash::RandomState>,
    by_value: HashMap<usize, Mentions>,
}

/// A value held by the cache and the known ids it mentions.
type Mentions = (Arc<Value>, Box<[Box<str>]>);

fn address(value: &Arc<Value>) -> usize {
    Arc::as_ptr(value) as usize
}

impl StringCache {
    /// Holds exactly the values of `artifacts`, with their mentions of `known`: the missing ones
    /// read, the others let go.
    fn fill(&mut self, artifacts: &[&Artifact], known: &IdSet<'_>) {
        let same = self.known.len() == known.ids.len()
            && known.ids.iter().all(|id| self.known.contains(*id));
        if !same {
            self.by_value.clear();
            self.known = known.ids.iter().map(|id| Box::from(*id)).collect();
        }
        let live: HashSet<usize> = artifacts.iter().map(|a| address(&a.value)).collect();
        self.by_value.retain(|at, _| live.contains(at));
        let missing: Vec<&Arc<Value>> = artifacts
            .iter()
            .map(|a| &a.value)
            .filter(|v| !self.by_value.contains_key(&address(v)))
            .collect();
        let read: Vec<(usize, Mentions)> = missing
            .par_iter()
            .map(|v| (address(v), (Arc::clone(v), mentions(v, known))))
            .collect();
        self.by_value.extend(read);
    }

    fn of(&self, value: &Arc<Value>) -> &[Box<str>] {
        self.by_value
            .get(&address(value))
            .map_or(&[], |(_, mentions)| mentions)
    }
}

/// The distinct strings of `value` that are known ids.
fn mentions(value: &Value, known: &IdSet<'_>) -> Box<[Box<str>]> {
    let mut all: Vec<&str> = Vec::new();
    visit_strings(value, &mut |text| {
        if known.contains(text) {
            all.push(text);
        }
        true
    });
    all.sort_unstable();
    all.dedup();
    all.into_iter().map(Box::from).collect()
}

/// What `artifact` (which mentions the known ids `mentions`) links to the frontier (a set of
/// known ids): the ids it mentions when it is in the frontier itself, or its own id when it
/// mentions an artifact of the frontier.
fn neighbours_in<'a>(
    artifact: &'a Artifact,
    mentions: &[Box<str>],
    frontier: &IdSet<'_>,
    known: &IdSet<'a>,
) -> Vec<&'a str> {
    let own = artifact.id.as_str();
    let others = mentions.iter().map(|s| &**s).filter(|text| *text != own);
    if frontier.contains(own) {
        others.filter_map(|text| known.get(text)).collect()
    } else if others.clone().any(|text| frontier.contains(text)) {
        vec![own]
    } else {
        Vec::new()
    }
}

/// Calls `visit` on every string of `value` until it returns false; false if it did.
fn visit_strings<'a>(value: &'a Value, visit: &mut impl FnMut(&'a str) -> bool) -> bool {
    match value {
        Value::String(text) => visit(text),
        Value::Array(items) => items.iter().all(|item| visit_strings(item, visit)),
        Value::Object(map) => map.values().all(|item| visit_strings(item, visit)),
        _ => true,
    }
}
