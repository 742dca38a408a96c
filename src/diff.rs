//! Which artifacts a change adds, modifies or deletes, compared by content (a renamed file whose
//! documents are unchanged is not a modification). Policies see it as `input.change`.

use std::collections::HashMap;

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
