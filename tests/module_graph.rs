//! The library's modules form a layered graph: no module reaches, through any chain of `crate::`
//! paths, back to itself. (A cycle is how "the gate imports the SARIF renderer" happened.) The test
//! reads the sources, so it fails on the commit that adds the edge, naming the edges of the cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// module → (module it names → first place it does), from every file under src/ except the binary
/// and the crate root; test modules and comments do not count.
fn edges() -> BTreeMap<String, BTreeMap<String, String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut pending = vec![src.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let top = rel
                .split('/')
                .next()
                .unwrap()
                .trim_end_matches(".rs")
                .to_owned();
            if !rel.ends_with(".rs") || top == "main" || top == "lib" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (n, line) in code.lines().enumerate() {
                let line = line.split("//").next().unwrap_or_default();
                for (at, _) in line.match_indices("crate::") {
                    let name: String = line[at + 7..]
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() && name != top {
                        graph
                            .entry(top.clone())
                            .or_default()
                            .entry(name)
                            .or_insert_with(|| format!("src/{rel}:{}", n + 1));
                    }
                }
            }
        }
    }
    graph
}

/// A path from `to` back to `from`, if there is one (depth-first).
fn path_back(
    graph: &BTreeMap<String, BTreeMap<String, String>>,
    from: &str,
    to: &str,
) -> Option<Vec<String>> {
    let mut stack = vec![(to.to_owned(), vec![to.to_owned()])];
    let mut seen = BTreeSet::new();
    while let Some((node, path)) = stack.pop() {
        if node == from {
            return Some(path);
        }
        if !seen.insert(node.clone()) {
            continue;
        }
        for next in graph.get(&node).into_iter().flat_map(|e| e.keys()) {
            let mut longer = path.clone();
            longer.push(next.clone());
            stack.push((next.clone(), longer));
        }
    }
    None
}

#[test]
fn the_module_graph_has_no_cycle() {
    let graph = edges();
    assert!(graph.len() > 20, "the sources were read: {graph:?}");
    let mut cycles = Vec::new();
    for (from, targets) in &graph {
        for (to, place) in targets {
            if let Some(back) = path_back(&graph, from, to) {
                let steps: Vec<String> = std::iter::once(from.clone())
                    .chain(back)
                    .collect::<Vec<_>>()
                    .windows(2)
                    .map(|w| format!("{} → {} ({})", w[0], w[1], graph[&w[0]][&w[1]]))
                    .collect();
                cycles.push(format!(
                    "{from} → {to} at {place}:\n    {}",
                    steps.join("\n    ")
                ));
            }
        }
    }
    assert!(cycles.is_empty(), "module cycles:\n{}", cycles.join("\n"));
}

/// The layers the architecture section of the README describes, bottom first: a module may name
/// only modules of its own layer or below. (Within a layer, the cycle test above keeps order.)
#[test]
fn the_core_layers_depend_only_downwards() {
    let layers: &[&[&str]] = &[
        &["position", "timing", "progress"],
        &["finding"],
        &["model", "rules", "engine_rules", "limit", "write"],
        &["git", "load"],
    ];
    let graph = edges();
    let layer_of = |m: &str| layers.iter().position(|l| l.contains(&m));
    let mut wrong = Vec::new();
    for (from, targets) in &graph {
        let Some(mine) = layer_of(from) else { continue };
        for (to, place) in targets {
            if layer_of(to).is_none_or(|theirs| theirs > mine) {
                wrong.push(format!("{from} (layer {mine}) → {to} at {place}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "upward dependencies:\n{}",
        wrong.join("\n")
    );
}

/// Renderers never call each other (ripgrep's printer split): a renderer named in the table of
/// formats (src/report/mod.rs) names no other renderer; what they share lives in shared modules.
#[test]
fn renderers_do_not_call_each_other() {
    let report = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/report");
    let table = std::fs::read_to_string(report.join("mod.rs")).unwrap();
    let renderers: BTreeSet<String> = table
        .match_indices("::render")
        .filter_map(|(at, _)| {
            let name: String = table[..at]
                .chars()
                .rev()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            (!name.is_empty()).then(|| name.chars().rev().collect())
        })
        .collect();
    assert!(renderers.len() >= 10, "the table was read: {renderers:?}");
    let mut calls = Vec::new();
    for renderer in &renderers {
        let text = std::fs::read_to_string(report.join(format!("{renderer}.rs"))).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (n, line) in code.lines().enumerate() {
            let line = line.split("//").next().unwrap_or_default();
            for other in renderers.iter().filter(|o| *o != renderer) {
                if line.contains(&format!("super::{other}"))
                    || line.contains(&format!("report::{other}"))
                {
                    calls.push(format!("src/report/{renderer}.rs:{} → {other}", n + 1));
                }
            }
        }
    }
    assert!(
        calls.is_empty(),
        "renderers calling renderers:\n{}",
        calls.join("\n")
    );
}
