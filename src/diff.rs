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
    pub status: HashMap<String, ChangeStatus>,
    pub base: HashMap<String, Arc<Value>>,
    pub deleted: Vec<String>,
    /// The file each deleted artifact was in.
    pub deleted_from: HashMap<String, String>,
}

impl ChangeSet {
    pub fn classify(base: &Workspace, head: &Workspace) -> ChangeSet {
        // Artifacts without a usable id take a name from their place (`file#n`): a change to one
        // is a change like any other, evaluated and reported.
        let base_docs: HashMap<String, Arc<Value>> = base
            .artifacts
            .iter()
            .map(|a| (a.id.clone(), a.value.clone()))
            .collect();
        let mut status = HashMap::new();
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
    /// CIs it lists, the availability plan of that service, …), across base and head.
    pub fn neighbourhood(
        &self,
        base: &Workspace,
        head: &Workspace,
        depth: usize,
    ) -> HashSet<String> {
        let known: IdSet<'_> = head
            .by_id
            .keys()
            .map(String::as_str)
            .chain(self.base.keys().map(String::as_str))
            .collect();
        // An unchanged artifact reads the same in both states: scan it once.
        let changed_in_base = base.artifacts.iter().filter(|a| {
            self.status
                .get(&a.id)
                .is_none_or(|status| *status != ChangeStatus::Unchanged)
        });
        let sources: Vec<&Artifact> = changed_in_base.chain(&head.artifacts).collect();
        let mut reached: HashSet<&str> = self
            .status
            .iter()
            .filter(|(_, status)| **status != ChangeStatus::Unchanged)
            .map(|(id, _)| id.as_str())
            .chain(self.deleted.iter().map(String::as_str))
            .collect();
        // One scan per level instead of building the whole reference graph: the frontier is small,
        // so each artifact costs a set lookup per string it holds.
        let mut frontier: IdSet<'_> = reached.iter().copied().collect();
        for _ in 0..depth {
            if frontier.ids.is_empty() {
                break;
            }
            let next: Vec<&str> = sources
                .par_iter()
                .flat_map_iter(|artifact| neighbours_in(artifact, &frontier, &known))
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

/// What `artifact` links to the frontier: the known ids it mentions when it is in the frontier
/// itself, or its own id when it mentions an artifact of the frontier.
fn neighbours_in<'a>(
    artifact: &'a Artifact,
    frontier: &IdSet<'_>,
    known: &IdSet<'a>,
) -> Vec<&'a str> {
    let own = artifact.id.as_str();
    let mut found = Vec::new();
    if frontier.contains(own) {
        visit_strings(&artifact.value, &mut |text| {
            if text != own {
                if let Some(id) = known.get(text) {
                    found.push(id);
                }
            }
            true
        });
    } else if !visit_strings(&artifact.value, &mut |text| {
        text == own || !frontier.contains(text)
    }) {
        found.push(own);
    }
    found
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
