//! The artifact graph: who refers to whom, as DOT, Mermaid or JSON, whole or around one artifact.
//!
//! Edges come from the reference table of `policies/references.rego`, the same one the dangling-
//! reference rules use, so the picture and the checks can never disagree.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::Serialize;
use serde_json::Value;

use crate::evaluate::{Context, PolicyError, PolicySet};
use crate::model::Workspace;

const EDGES_RULE: &str = "data.opsgate.rules.references.edges";

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Node {
    pub id: String,
    /// `null` for an id that is referred to but does not exist.
    pub kind: Option<String>,
    pub title: Option<String>,
    pub file: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    pub from: String,
    pub to: String,
    /// The JSON pointer of the referring field.
    pub field: String,
}

#[derive(Debug, Default, Serialize)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

/// Builds the whole graph of the workspace.
pub fn build(
    workspace: &Workspace,
    policies: &PolicySet,
    context: &Context,
) -> Result<Graph, PolicyError> {
    let per_artifact = policies.collect_per_artifact(workspace, context, EDGES_RULE)?;
    let mut edges = BTreeSet::new();
    for (artifact, items) in workspace.artifacts.iter().zip(per_artifact) {
        if !artifact.has_id {
            continue;
        }
        for item in items {
            if let (Some(Value::String(pointer)), Some(Value::String(target))) =
                (item.get("pointer"), item.get("target"))
            {
                edges.insert(Edge {
                    from: artifact.id.clone(),
                    to: target.clone(),
                    field: pointer.clone(),
                });
            }
        }
    }
    let mut nodes: BTreeMap<String, Node> = workspace
        .artifacts
        .iter()
        .filter(|a| a.has_id)
        .map(|a| {
            let node = Node {
                id: a.id.clone(),
                kind: Some(a.kind.name.to_owned()),
                title: a
                    .value
                    .pointer("/metadata/title")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                file: Some(workspace.file_of(a).display.clone()),
            };
            (a.id.clone(), node)
        })
        .collect();
    for edge in &edges {
        nodes.entry(edge.to.clone()).or_insert_with(|| Node {
            id: edge.to.clone(),
            kind: None,
            title: None,
            file: None,
        });
    }
    Ok(Graph {
        nodes: nodes.into_values().collect(),
        edges: edges.into_iter().collect(),
    })
}

impl Graph {
    /// The part of the graph within `depth` steps of `id`, following edges both ways.
    pub fn around(&self, id: &str, depth: usize) -> Option<Graph> {
        if !self.nodes.iter().any(|n| n.id == id) {
            return None;
        }
        let mut neighbours: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for edge in &self.edges {
            neighbours.entry(&edge.from).or_default().push(&edge.to);
            neighbours.entry(&edge.to).or_default().push(&edge.from);
        }
        let mut keep: BTreeSet<&str> = BTreeSet::from([id]);
        let mut queue = VecDeque::from([(id, 0)]);
        while let Some((current, distance)) = queue.pop_front() {
            if distance == depth {
                continue;
            }
            for next in neighbours.get(current).into_iter().flatten() {
                if keep.insert(next) {
                    queue.push_back((next, distance + 1));
                }
            }
        }
        Some(Graph {
            nodes: self
                .nodes
                .iter()
                .filter(|n| keep.contains(n.id.as_str()))
                .cloned()
                .collect(),
            edges: self
                .edges
                .iter()
                .filter(|e| keep.contains(e.from.as_str()) && keep.contains(e.to.as_str()))
                .cloned()
                .collect(),
        })
    }

    pub fn to_dot(&self) -> String {
        let quote = |s: &str| {
            format!(
                "\"{}\"",
                s.replace('\\', "\\\\")
                    .replace('"', "\\\"")
                    .replace('\n', " ")
            )
        };
        let mut out = String::from(
            "digraph opsgate {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n",
        );
        for node in &self.nodes {
            let kind = node.kind.as_deref().unwrap_or("missing");
            let style = if node.kind.is_none() {
                ", style=dashed, color=red"
            } else {
                ""
            };
            out.push_str(&format!(
                "  {} [label={}{style}];\n",
                quote(&node.id),
                quote(&format!("{}\\n{kind}", node.id)).replace("\\\\n", "\\n")
            ));
        }
        for edge in &self.edges {
            out.push_str(&format!(
                "  {} -> {} [label={}];\n",
                quote(&edge.from),
                quote(&edge.to),
                quote(short_field(&edge.field))
            ));
        }
        out.push_str("}\n");
        out
    }

    pub fn to_mermaid(&self) -> String {
        let index: BTreeMap<&str, usize> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.as_str(), i))
            .collect();
        let text = |s: &str| s.replace(['"', '<', '>', '|', '[', ']'], "_");
        let mut out = String::from("flowchart LR\n");
        for (i, node) in self.nodes.iter().enumerate() {
            let kind = node.kind.as_deref().unwrap_or("missing");
            out.push_str(&format!("  n{i}[\"{}<br/>{kind}\"]\n", text(&node.id)));
            if node.kind.is_none() {
                out.push_str(&format!("  style n{i} stroke:#d00,stroke-dasharray: 4\n"));
            }
        }
        for edge in &self.edges {
            if let (Some(from), Some(to)) =
                (index.get(edge.from.as_str()), index.get(edge.to.as_str()))
            {
                out.push_str(&format!(
                    "  n{from} -->|{}| n{to}\n",
                    text(short_field(&edge.field))
                ));
            }
        }
        out
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// `/spec/approvals/0/approver` → `approvals/0/approver`: a shorter edge label.
fn short_field(pointer: &str) -> &str {
    pointer
        .strip_prefix("/spec/")
        .or_else(|| pointer.strip_prefix('/'))
        .unwrap_or(pointer)
}
