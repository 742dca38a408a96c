//! The shipped example repositories: `fixtures/acme` is compliant, `fixtures/gaps` has planted
//! problems listed in `fixtures/gaps/expected.txt`, each of which must be reported at its place.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

#[test]
fn acme_is_clean() {
    let (code, json) = check_json(&fixture("acme"), &[]);
    assert_eq!(
        json["findings"],
        serde_json::json!([]),
        "{:#}",
        json["findings"]
    );
    assert_eq!(code, 0);
    assert!(json["summary"]["artifacts"].as_u64().unwrap() >= 19);
}

#[test]
fn acme_has_an_artifact_of_every_kind() {
    let out = opsgate()
        .arg("graph")
        .arg(fixture("acme"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    let graph: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds: BTreeSet<&str> = graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["kind"].as_str())
        .collect();
    for kind in opsgate::model::KINDS {
        assert!(
            kinds.contains(kind.name),
            "fixtures/acme has no {}",
            kind.name
        );
    }
    assert!(
        graph["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| !n["kind"].is_null()),
        "acme has dangling references"
    );
}

/// `CODE file:line` per line of `expected.txt`; `#` starts a comment.
fn expected_gaps() -> BTreeSet<(String, String, u64)> {
    let text = std::fs::read_to_string(fixture("gaps").join("expected.txt")).expect("expected.txt");
    text.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (code, place) = line
                .split_once(char::is_whitespace)
                .expect("CODE file:line");
            let (file, number) = place.trim().rsplit_once(':').expect("file:line");
            (
                code.to_owned(),
                file.to_owned(),
                number.parse().expect("line number"),
            )
        })
        .collect()
}

#[test]
fn gaps_reports_exactly_the_planted_problems_at_their_lines() {
    let (code, json) = check_json(&fixture("gaps"), &[]);
    assert_eq!(code, 1, "gaps must fail with findings (not load errors)");
    let got: BTreeSet<(String, String, u64)> = findings(&json).into_iter().collect();
    let want = expected_gaps();
    let missing: Vec<_> = want.difference(&got).collect();
    let unexpected: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "planted but not reported: {missing:#?}\nreported but not planted: {unexpected:#?}"
    );
}

/// The three ways a package is evaluated give the same report: compiled where proven (the
/// default), on the interpreter alone, and compiled but with every result handed back to the
/// interpreter over all the modules (what happens when the VM errs, in a run whose own engine holds
/// only the packages that are not compiled).
#[test]
fn every_engine_path_reports_the_same_findings() {
    for fixture_name in ["gaps", "acme"] {
        let run = |engine: Option<&str>| {
            let mut cmd = opsgate();
            if let Some(engine) = engine {
                cmd.env("OPSGATE_ENGINE", engine);
            }
            let out = cmd
                .args([
                    "check",
                    "--format",
                    "json",
                    "--no-config",
                    "--as-of",
                    "2026-11-24",
                ])
                .arg(fixture(fixture_name))
                .output()
                .expect("runs");
            String::from_utf8(out.stdout).expect("utf-8")
        };
        let compiled = run(None);
        assert!(compiled.contains("\"findings\""), "{compiled}");
        assert_eq!(
            run(Some("interpreter")),
            compiled,
            "{fixture_name}: interpreter"
        );
        assert_eq!(run(Some("fallback")), compiled, "{fixture_name}: fallback");
    }
}

#[test]
fn gaps_plants_a_problem_for_every_rule_family() {
    let families: BTreeSet<String> = expected_gaps()
        .into_iter()
        .map(|(code, _, _)| code.split('-').next().unwrap_or_default().to_owned())
        .collect();
    let policies = opsgate::evaluate::PolicySet::load(&[], std::time::Duration::from_secs(10))
        .expect("built-in policies");
    let mut wanted: BTreeSet<String> = policies
        .registry
        .iter()
        .map(|rule| rule.code.split('-').next().unwrap_or_default().to_owned())
        .collect();
    wanted.insert("SCHEMA".into());
    // Change-control rules only fire on a git diff; tests/git_modes.rs plants those.
    wanted.remove("GIT");
    // Placeholders come from `opsgate init` and `opsgate new`; tests/cli_scaffold.rs plants those.
    wanted.remove("DOC");
    // Backdating is read from the history; tests/backdating.rs crafts those histories.
    wanted.remove("EVD");
    for family in &wanted {
        assert!(
            families.contains(family.as_str()),
            "fixtures/gaps plants nothing for {family}"
        );
    }
}
