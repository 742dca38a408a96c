//! Data-driven rule tests: `tests/rules/<family>.yaml` holds cases, each a set of artifacts, the
//! rules under test and exactly the findings of those rules it must produce. A second test checks
//! that every rule of the registry has at least one failing and one passing case.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

use opsgate::check::default_params;
use opsgate::diff::ChangeSet;
use opsgate::evaluate::{Context, PolicySet};
use opsgate::load::{load_sources, yaml, LoadLimits, Source};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    rules: Vec<String>,
    #[serde(default = "default_as_of")]
    as_of: String,
    #[serde(default)]
    params: BTreeMap<String, Value>,
    artifacts: Vec<Value>,
    /// The artifacts before the change: the case runs in diff mode (`input.change`), like
    /// `check --base` and `check --staged`.
    #[serde(default)]
    base: Option<Vec<Value>>,
    want: Vec<Want>,
}

#[derive(Deserialize, Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
struct Want {
    code: String,
    artifact: String,
    pointer: String,
}

fn default_as_of() -> String {
    "2026-11-24".into()
}

fn case_files() -> Vec<(String, CaseFile)> {
    // Policy authors can point a built test binary at their working copy without rebuilding.
    let dir = std::env::var_os("OPSGATE_RULE_CASES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/rules"));
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/rules exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("readable case file");
            let parsed = yaml::parse(&text, 0, yaml::YamlLimits::default());
            assert!(
                parsed.fatal.is_none(),
                "{}: {:?}",
                path.display(),
                parsed.fatal
            );
            let value = parsed
                .documents
                .into_iter()
                .next()
                .expect("one document")
                .value;
            let file: CaseFile =
                serde_json::from_value(value).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                file,
            )
        })
        .collect()
}

fn policies() -> PolicySet {
    PolicySet::load(&[], Duration::from_secs(10)).unwrap_or_else(|e| panic!("policies load: {e}"))
}

fn load(artifacts: &[Value]) -> opsgate::load::Loaded {
    let sources = artifacts
        .iter()
        .enumerate()
        .map(|(i, artifact)| Source {
            display: format!("case/{i}.yaml"),
            path: PathBuf::from(format!("case/{i}.yaml")),
            content: Ok(serde_json::to_vec_pretty(artifact).expect("serializable")),
        })
        .collect();
    load_sources(sources, LoadLimits::default())
}

fn run_case(policies: &PolicySet, case: &Case) -> Vec<Want> {
    let loaded = load(&case.artifacts);
    let changes = case.base.as_ref().map(|base| {
        std::sync::Arc::new(ChangeSet::classify(
            &load(base).workspace,
            &loaded.workspace,
        ))
    });
    assert!(
        loaded.findings.is_empty(),
        "case `{}` artifacts do not load: {:?}",
        case.name,
        loaded.findings
    );
    let mut params = default_params();
    for (key, value) in &case.params {
        params[key] = value.clone();
    }
    let context = Context {
        changes,
        only: None,
        ill_typed: Default::default(),
        converted: None,
        as_of: case.as_of.clone(),
        params,
    };
    let evaluation = policies.evaluate(&loaded.workspace, &context);
    assert!(
        evaluation.errors.is_empty(),
        "case `{}`: policy errors {:?}",
        case.name,
        evaluation.errors
    );
    let mut got: Vec<Want> = evaluation
        .findings
        .into_iter()
        .filter(|f| case.rules.contains(&f.code))
        .map(|f| Want {
            code: f.code,
            artifact: f.artifact.unwrap_or_default(),
            pointer: f.pointer.unwrap_or_default(),
        })
        .collect();
    got.sort();
    got
}

#[test]
fn every_case_produces_exactly_its_expected_findings() {
    let policies = policies();
    let mut failures = Vec::new();
    let mut count = 0;
    for (file, cases) in case_files() {
        for case in &cases.cases {
            count += 1;
            let got = run_case(&policies, case);
            let mut want = case.want.clone();
            want.sort();
            if got != want {
                failures.push(format!(
                    "{file} / {}:\n  want {want:?}\n  got  {got:?}",
                    case.name
                ));
            }
        }
    }
    assert!(count > 0, "no rule cases found");
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_rule_has_a_failing_and_a_passing_case() {
    let policies = policies();
    let mut failing = BTreeSet::new();
    let mut passing = BTreeSet::new();
    for (_, cases) in case_files() {
        for case in &cases.cases {
            for rule in &case.rules {
                if case.want.iter().any(|w| &w.code == rule) {
                    failing.insert(rule.clone());
                } else {
                    passing.insert(rule.clone());
                }
            }
        }
    }
    let mut missing = Vec::new();
    for rule in policies.registry.iter() {
        // Rules opsgate itself emits (from git, not from one artifact) are tested in tests/git_modes.rs.
        if !rule.builtin || opsgate::gate::ENGINE_RULES.contains(&rule.code.as_str()) {
            continue;
        }
        if !failing.contains(&rule.code) {
            missing.push(format!("{} has no failing case", rule.code));
        }
        if !passing.contains(&rule.code) {
            missing.push(format!("{} has no passing case", rule.code));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
