//! The git gates evaluate only the neighbourhood of a change (src/diff.rs, NEIGHBOURHOOD_DEPTH). A
//! rule that joins further than the gate looks would make the pull-request gate pass a change that
//! a whole-repository check fails: the worst kind of miss, a finding that disappears without a
//! reason. This test makes one change at a time to the compliant example — each artifact file
//! deleted, each active artifact retired, each id renamed (its referrers then point nowhere) — and
//! checks that `check --base main` fails on exactly the findings a whole check of the changed
//! repository reports (the base has none), plus the gate's own GIT-* findings.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

/// (what the mutation is, file, new content or `None` to delete it).
type Mutation = (String, String, Option<String>);

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn mutations() -> Vec<Mutation> {
    let root = acme();
    let mut all = Vec::new();
    for path in files(&root) {
        let file = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if file == "people/people.yaml" {
            continue; // every artifact's owner: deleting it is every finding at once.
        }
        let text = std::fs::read_to_string(&path).unwrap();
        all.push((format!("delete {file}"), file.clone(), None));
        if text.contains("status: active") {
            let retired = text.replacen("status: active", "status: retired", 1);
            all.push((format!("retire {file}"), file.clone(), Some(retired)));
        }
        if let Some(id) = first_id(&text) {
            let renamed = text.replacen(&format!("id: {id}"), &format!("id: {id}-gone"), 1);
            all.push((format!("rename {id} in {file}"), file, Some(renamed)));
        }
    }
    all
}

/// The id of the file's first artifact (`metadata: {id: X, …}`).
fn first_id(text: &str) -> Option<String> {
    let at = text.find("metadata: {id: ")? + "metadata: {id: ".len();
    let id: String = text[at..]
        .chars()
        .take_while(|c| !matches!(c, ',' | '}'))
        .collect();
    Some(id.trim().to_owned())
}

/// The failing findings of a JSON report, as (code, artifact, pointer, message).
fn failing(json: &Value) -> BTreeSet<(String, String, String, String)> {
    let text = |f: &Value, key: &str| f[key].as_str().unwrap_or_default().to_owned();
    json["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("{json:#}"))
        .iter()
        .filter(|f| f["status"] == "failing")
        .map(|f| {
            (
                text(f, "code"),
                text(f, "artifact"),
                text(f, "pointer"),
                text(f, "message"),
            )
        })
        .collect()
}

/// What the gate got wrong for one mutation, if anything.
fn judge(mutation: &Mutation) -> Option<String> {
    let (name, file, content) = mutation;
    let dir = acme_repo(&[], Some("pr"));
    match content {
        Some(text) => write(dir.path(), file, text),
        None => std::fs::remove_file(dir.path().join(file)).unwrap(),
    }
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", name]);
    let (_, whole) = check_json(dir.path(), &[]);
    let (_, gate) = check_json(dir.path(), &["--base", "main"]);
    let expected = failing(&whole);
    let got: BTreeSet<_> = failing(&gate)
        .into_iter()
        .filter(|f| !f.0.starts_with("GIT-"))
        .collect();
    let missed: Vec<_> = expected.difference(&got).collect();
    let extra: Vec<_> = got.difference(&expected).collect();
    (!missed.is_empty() || !extra.is_empty()).then(|| {
        format!("{name}:\n  missed by the gate: {missed:#?}\n  only in the gate: {extra:#?}")
    })
}

#[test]
fn the_gate_fails_on_everything_a_whole_check_of_the_change_fails_on() {
    let (code, base) = check_json(&acme(), &[]);
    assert_eq!(
        (code, failing(&base).len()),
        (0, 0),
        "the example is compliant: {base:#}"
    );
    let every = mutations();
    assert!(every.len() > 50, "{} mutations", every.len());
    // Every second one in the suite (about a minute); OPSGATE_GATE_MUTATIONS=all for all of them.
    let step = if std::env::var_os("OPSGATE_GATE_MUTATIONS").is_some_and(|v| v == "all") {
        1
    } else {
        2
    };
    let all: Vec<Mutation> = every.into_iter().step_by(step).collect();
    // Two workers: each mutation is its own repository and two runs of the binary.
    let chunks: Vec<&[Mutation]> = all.chunks(all.len().div_ceil(2)).collect();
    let problems: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = chunks
            .iter()
            .map(|chunk| scope.spawn(move || chunk.iter().filter_map(judge).collect::<Vec<_>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    assert!(
        problems.is_empty(),
        "{} of {} changes judged differently:\n{}",
        problems.len(),
        all.len(),
        problems.join("\n")
    );
}

/// The reference table (`policies/references.rego`, which `opsgate graph` and the dangling-
/// reference rules read) is the one definition of a reference; the neighbourhood of a change
/// deliberately follows more (any string equal to a known id), never less. So every edge of the
/// table must be a neighbourhood edge, both ways: changing either end of a reference puts the other
/// end in the neighbourhood at depth 1. A reference kind the neighbourhood cannot see (an id built
/// from parts, say) fails here.
#[test]
fn every_reference_of_the_table_is_an_edge_of_the_neighbourhood() {
    use opsgate::diff::{ChangeSet, StringCache};
    use opsgate::evaluate::{Context, PolicySet};
    use opsgate::load::{load_path, LoadLimits, PathFilter};
    use std::sync::Arc;

    let load = || load_path(&acme(), LoadLimits::default(), &PathFilter::default()).workspace;
    let base = load();
    let mut head = load();
    let policies = PolicySet::load(&[], std::time::Duration::ZERO).expect("policies load");
    let context = Context::new(AS_OF.to_owned(), opsgate::check::default_params(), None);
    let graph = opsgate::graph::build(&base, &policies, &context).expect("the graph builds");
    let index_of = |id: &str| base.artifacts.iter().position(|a| a.id == id);
    let mut checked = 0;
    let mut missed = Vec::new();
    for edge in &graph.edges {
        let (Some(from), Some(to)) = (index_of(&edge.from), index_of(&edge.to)) else {
            continue; // a dangling reference: no artifact at the other end to evaluate
        };
        for (changed, other) in [(from, &edge.to), (to, &edge.from)] {
            let original = head.artifacts[changed].value.clone();
            let mut value = (*original).clone();
            value["x-probe"] = Value::Bool(true);
            head.artifacts[changed].value = Arc::new(value);
            let changes = ChangeSet::classify(&base, &head);
            let near = changes.neighbourhood(&base, &head, 1, &mut StringCache::default());
            head.artifacts[changed].value = original;
            if !near.contains(other.as_str()) {
                missed.push(format!("{} -> {} ({})", edge.from, edge.to, edge.field));
            }
            checked += 1;
        }
    }
    assert!(
        checked > 100,
        "acme has its references ({checked} ends checked)"
    );
    assert!(
        missed.is_empty(),
        "references the neighbourhood does not follow: {missed:#?}"
    );
}
