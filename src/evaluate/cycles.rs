//! The relationships of the CI graph that lead back to where they start, in linear time.
//!
//! An edge `a → b` is on a cycle exactly when `a` and `b` are in the same strongly connected
//! component (or `a == b`). `policies/index.rego` states the rule with `graph.reachable`, which a
//! Rego engine evaluates once per CI; opsgate computes it here with Tarjan's algorithm instead
//! (100 CIs all related to each other took the index past the policy timeout, and a long chain
//! costs the square of its length), and hands the result to the policies as
//! `ci_cycle_edges` of the precomputed index.

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// `"a|b"` for every edge of `graph` (id → targets) that lies on a cycle.
pub fn cycle_edges(graph: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<String> {
    let component = components(graph);
    let mut edges = BTreeSet::new();
    for (from, targets) in graph {
        for to in targets {
            let same = from == to
                || matches!((component.get(from.as_str()), component.get(to.as_str())), (Some(a), Some(b)) if a == b);
            if same {
                edges.insert(format!("{from}|{to}"));
            }
        }
    }
    edges
}

/// The strongly connected component of every node, by number (iterative Tarjan: no recursion,
/// so a chain of any length cannot exhaust the stack).
fn components(graph: &BTreeMap<String, BTreeSet<String>>) -> HashMap<&str, usize> {
    let ids: Vec<&str> = graph.keys().map(String::as_str).collect();
    let number: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let successors: Vec<Vec<usize>> = ids
        .iter()
        .map(|id| {
            graph[*id]
                .iter()
                .filter_map(|t| number.get(t.as_str()).copied())
                .collect()
        })
        .collect();
    let mut tarjan = Tarjan::new(successors);
    for root in 0..ids.len() {
        if tarjan.index[root] == usize::MAX {
            tarjan.search(root);
        }
    }
    ids.into_iter().zip(tarjan.component).collect()
}

/// The state of Tarjan's algorithm over nodes `0..n`; `usize::MAX` is "not yet".
struct Tarjan {
    successors: Vec<Vec<usize>>,
    /// The order in which each node was reached.
    index: Vec<usize>,
    /// The lowest index reachable from the node through its search subtree.
    low: Vec<usize>,
    on_stack: Vec<bool>,
    stack: Vec<usize>,
    component: Vec<usize>,
    next_index: usize,
    next_component: usize,
}

impl Tarjan {
    fn new(successors: Vec<Vec<usize>>) -> Tarjan {
        let n = successors.len();
        Tarjan {
            successors,
            index: vec![usize::MAX; n],
            low: vec![0; n],
            on_stack: vec![false; n],
            stack: Vec::new(),
            component: vec![usize::MAX; n],
            next_index: 0,
            next_component: 0,
        }
    }

    /// Numbers `node` and puts it on the stack.
    fn reach(&mut self, node: usize) {
        self.index[node] = self.next_index;
        self.low[node] = self.next_index;
        self.next_index += 1;
        self.stack.push(node);
        self.on_stack[node] = true;
    }

    /// The depth-first search from `root`, with an explicit work list of (node, position in its
    /// successor list) instead of recursion.
    fn search(&mut self, root: usize) {
        let mut work = vec![(root, 0usize)];
        self.reach(root);
        while let Some(&mut (node, ref mut at)) = work.last_mut() {
            if let Some(&next) = self.successors[node].get(*at) {
                *at += 1;
                if self.index[next] == usize::MAX {
                    self.reach(next);
                    work.push((next, 0));
                } else if self.on_stack[next] {
                    self.low[node] = self.low[node].min(self.index[next]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                self.low[parent] = self.low[parent].min(self.low[node]);
            }
            if self.low[node] == self.index[node] {
                self.close(node);
            }
        }
    }

    /// `node` is the root of a component: its members are the stack down to it.
    fn close(&mut self, node: usize) {
        while let Some(member) = self.stack.pop() {
            self.on_stack[member] = false;
            self.component[member] = self.next_component;
            if member == node {
                break;
            }
        }
        self.next_component += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &[&str])]) -> BTreeMap<String, BTreeSet<String>> {
        edges
            .iter()
            .map(|(from, to)| (from.to_string(), to.iter().map(|t| t.to_string()).collect()))
            .collect()
    }

    #[test]
    fn only_edges_that_lead_back_are_cycle_edges() {
        let g = graph(&[
            ("a", &["b"]),
            ("b", &["c", "x"]),
            ("c", &["a"]),
            ("d", &["d", "a"]),
            ("x", &[]),
        ]);
        let edges: Vec<String> = cycle_edges(&g).into_iter().collect();
        assert_eq!(edges, vec!["a|b", "b|c", "c|a", "d|d"]);
    }

    #[test]
    fn a_long_chain_closed_into_a_ring_is_one_cycle() {
        let names: Vec<String> = (0..50_000).map(|i| format!("ci-{i}")).collect();
        let g: BTreeMap<String, BTreeSet<String>> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), [names[(i + 1) % names.len()].clone()].into()))
            .collect();
        assert_eq!(cycle_edges(&g).len(), 50_000);
    }
}
