//! Which artifacts a change adds, modifies or deletes, compared by content (a renamed file whose
//! documents are unchanged is not a modification). Policies see it as `input.change`.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::model::Workspace;

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
    pub base: HashMap<String, Value>,
    pub deleted: Vec<String>,
}

impl ChangeSet {
    pub fn classify(base: &Workspace, head: &Workspace) -> ChangeSet {
        let base_docs: HashMap<String, Value> = base
            .artifacts
            .iter()
            .filter(|a| a.has_id)
            .map(|a| (a.id.clone(), a.value.clone()))
            .collect();
        let mut status = HashMap::new();
        for artifact in head.artifacts.iter().filter(|a| a.has_id) {
            let change = match base_docs.get(&artifact.id) {
                None => ChangeStatus::Added,
                Some(before) if *before == artifact.value => ChangeStatus::Unchanged,
                Some(_) => ChangeStatus::Modified,
            };
            status.insert(artifact.id.clone(), change);
        }
        let mut deleted: Vec<String> = base_docs
            .keys()
            .filter(|id| !head.by_id.contains_key(*id))
            .cloned()
            .collect();
        deleted.sort();
        ChangeSet {
            status,
            base: base_docs,
            deleted,
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
            "base": self.base.get(id).cloned().unwrap_or(Value::Null),
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
        let known: HashSet<&str> = head
            .by_id
            .keys()
            .map(String::as_str)
            .chain(self.base.keys().map(String::as_str))
            .collect();
        let mut edges: HashMap<&str, HashSet<&str>> = HashMap::new();
        // An unchanged artifact has the same edges in both states: walk it once.
        let changed_in_base = base.artifacts.iter().filter(|a| {
            self.status
                .get(&a.id)
                .is_none_or(|status| *status != ChangeStatus::Unchanged)
        });
        for artifact in changed_in_base.chain(&head.artifacts).filter(|a| a.has_id) {
            let mut mentioned = Vec::new();
            strings(&artifact.value, &mut mentioned);
            for id in mentioned
                .into_iter()
                .filter(|id| known.contains(id) && *id != artifact.id)
            {
                let id = known.get(id).copied().unwrap_or(id);
                let this = known
                    .get(artifact.id.as_str())
                    .copied()
                    .unwrap_or(artifact.id.as_str());
                edges.entry(this).or_default().insert(id);
                edges.entry(id).or_default().insert(this);
            }
        }
        let mut reached: HashSet<&str> = self
            .status
            .iter()
            .filter(|(_, status)| **status != ChangeStatus::Unchanged)
            .map(|(id, _)| id.as_str())
            .chain(self.deleted.iter().map(String::as_str))
            .collect();
        let mut frontier: Vec<&str> = reached.iter().copied().collect();
        for _ in 0..depth {
            let mut next = Vec::new();
            for id in frontier {
                for neighbour in edges.get(id).into_iter().flatten() {
                    if reached.insert(neighbour) {
                        next.push(*neighbour);
                    }
                }
            }
            frontier = next;
        }
        reached.into_iter().map(str::to_owned).collect()
    }
}

fn strings<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::String(text) => out.push(text),
        Value::Array(items) => items.iter().for_each(|item| strings(item, out)),
        Value::Object(map) => map.values().for_each(|item| strings(item, out)),
        _ => {}
    }
}
