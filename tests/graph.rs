//! `opsgate graph` draws every reference of the reference table, and a reference to an id that
//! does not exist as a dashed "missing" node.

mod common;

use common::*;
use serde_json::{json, Value};

fn graph_json(path: &str, extra: &[&str]) -> Value {
    let output = opsgate()
        .args(["graph", path, "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn edge(from: &str, to: &str, field: &str) -> Value {
    json!({"from": from, "to": to, "field": field})
}

#[test]
fn the_acme_graph_has_every_reference_and_nothing_missing() {
    let graph = graph_json("fixtures/acme", &[]);
    let nodes = graph["nodes"].as_array().unwrap();
    let edges = graph["edges"].as_array().unwrap();
    assert_eq!(nodes.len(), 38);
    assert!(
        nodes.iter().all(|n| n["kind"].is_string()),
        "acme refers to an id that does not exist: {nodes:#?}"
    );
    for expected in [
        edge("p-ana", "p-ana", "/metadata/owner"),
        edge("CHG-2026-031", "p-chloe", "/metadata/owner"),
        edge(
            "ci-db-01",
            "ci-backup-vault",
            "/spec/relationships/0/target",
        ),
        edge("ci-db-01", "svc-portal", "/spec/service"),
        edge("ci-db-01", "CHG-2026-031", "/spec/last_change"),
    ] {
        assert!(edges.contains(&expected), "missing {expected}");
    }
    // Every artifact names its owner, so there are far more edges than nodes.
    assert_eq!(edges.len(), EXPECTED_ACME_EDGES, "{edges:#?}");
}

/// The number of references in fixtures/acme (a change to the fixtures changes it).
const EXPECTED_ACME_EDGES: usize = 193;

#[test]
fn a_dangling_reference_is_drawn_as_a_missing_node() {
    let graph = graph_json("fixtures/gaps", &[]);
    let nodes = graph["nodes"].as_array().unwrap();
    let missing: Vec<&Value> = nodes.iter().filter(|n| n["kind"].is_null()).collect();
    assert!(
        missing.contains(
            &&json!({"id": "ci-backup-vualt", "kind": null, "title": null, "file": null})
        ),
        "{missing:#?}"
    );
    assert!(graph["edges"].as_array().unwrap().contains(&edge(
        "ci-db-01",
        "ci-backup-vualt",
        "/spec/relationships/0/target"
    )));

    let dot = opsgate()
        .args(["graph", "fixtures/gaps", "--around", "ci-db-01"])
        .output()
        .unwrap();
    let dot = String::from_utf8(dot.stdout).unwrap();
    assert!(
        dot.contains(
            "\"ci-backup-vualt\" [label=\"ci-backup-vualt\\nmissing\", style=dashed, color=red];"
        ),
        "{dot}"
    );
    assert!(
        dot.contains("\"ci-db-01\" -> \"ci-backup-vualt\" [label=\"relationships/0/target\"];"),
        "{dot}"
    );
}

#[test]
fn around_keeps_the_neighbours_within_depth() {
    let graph = graph_json(
        "fixtures/acme",
        &["--around", "ci-backup-vault", "--depth", "1"],
    );
    let ids: Vec<&str> = graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"ci-db-01"), "{ids:?}");
    assert!(ids.contains(&"ci-backup-vault"), "{ids:?}");
    assert!(!ids.contains(&"CHG-2026-004"), "beyond depth 1: {ids:?}");
    for e in graph["edges"].as_array().unwrap() {
        for end in [&e["from"], &e["to"]] {
            assert!(
                ids.contains(&end.as_str().unwrap()),
                "an edge to a node not drawn: {e}"
            );
        }
    }
}
