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
    let n = ids.len();
    let (mut index, mut low) = (vec![usize::MAX; n], vec![0; n]);
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut component = vec![usize::MAX; n];
    let (mut next_index, mut next_component) = (0, 0);
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        // (node, position in its successor list)
        let mut work = vec![(root, 0usize)];
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (node, ref mut at)) = work.last_mut() {
            if let Some(&next) = successors[node].get(*at) {
                *at += 1;
                if index[next] == usize::MAX {
                    index[next] = next_index;
                    low[next] = next_index;
                    next_index += 1;
                    stack.push(next);
                    on_stack[next] = true;
                    work.push((next, 0));
                } else if on_stack[next] {
                    low[node] = low[node].min(index[next]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == index[node] {
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component[member] = next_component;
                    if member == node {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    ids.into_iter().zip(component).collect()
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
