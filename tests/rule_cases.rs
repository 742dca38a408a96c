//! Data-driven rule tests: `tests/rules/<family>.yaml` holds cases, each a set of artifacts, the
//! rules under test and exactly the findings of those rules it must produce. They run through the
//! same code as the user-facing `opsgate test` ([`opsgate::rule_test`]), one test per case file
//! (as regorus does), and a last test checks that every built-in rule has a failing and a passing
//! case.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use opsgate::evaluate::PolicySet;
use opsgate::rule_test::{case_files, run_all, uncovered, CaseFile};

fn cases_dir() -> PathBuf {
    // Policy authors can point a built test binary at their working copy without rebuilding.
    std::env::var_os("OPSGATE_RULE_CASES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/rules"))
}

fn policies() -> PolicySet {
    PolicySet::load(&[], Duration::from_secs(10)).unwrap_or_else(|e| panic!("policies load: {e}"))
}

fn all() -> Vec<(PathBuf, CaseFile)> {
    case_files(&cases_dir()).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs the cases of one file; every difference is listed.
fn run_file(name: &str) {
    let dir = cases_dir();
    let files: Vec<(PathBuf, CaseFile)> = all()
        .into_iter()
        .filter(|(path, _)| path.file_name().is_some_and(|n| n == name))
        .collect();
    assert_eq!(
        files.len(),
        1,
        "{name} is not a case file of {}",
        dir.display()
    );
    let outcomes = run_all(&policies(), &files, &dir);
    let failures: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.passed())
        .map(|o| format!("{}:\n  {}", o.name, o.diff().join("\n  ")))
        .collect();
    assert!(!outcomes.is_empty(), "{name} holds no case");
    assert!(
        failures.is_empty(),
        "{} of {} cases in {name} failed:\n{}",
        failures.len(),
        outcomes.len(),
        failures.join("\n")
    );
}

macro_rules! case_file_tests {
    ($($test:ident => $file:literal),* $(,)?) => {
        $(#[test] fn $test() { run_file($file); })*

        /// A case file added without a test above would never run.
        #[test]
        fn every_case_file_has_its_test() {
            let known = [$($file),*];
            for (path, _) in all() {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                assert!(known.contains(&name.as_str()), "add `{name}` to case_file_tests! in tests/rule_cases.rs");
            }
        }
    };
}

case_file_tests! {
    availability => "availability.yaml",
    capacity => "capacity.yaml",
    change => "change.yaml",
    change_control => "change_control.yaml",
    configuration => "configuration.yaml",
    continuity => "continuity.yaml",
    control_csc2 => "control_csc2.yaml",
    cross_process => "cross_process.yaml",
    improvement => "improvement.yaml",
    incident => "incident.yaml",
    information_security => "information_security.yaml",
    problem => "problem.yaml",
    references => "references.yaml",
    release => "release.yaml",
    risk_acceptance => "risk_acceptance.yaml",
    service_level => "service_level.yaml",
}

#[test]
fn every_rule_has_a_failing_and_a_passing_case() {
    let policies = policies();
    // Rules opsgate itself emits (from git, not from one artifact) are tested on real repositories
    // (the EVD rules in tests/backdating.rs),
    // and DOC-001 (decided in Rust, not by a policy) in tests/cli_scaffold.rs.
    let (no_failing, no_passing) = uncovered(&policies.registry, &all(), |rule| {
        rule.builtin
            && !opsgate::gate::ENGINE_RULES.contains(&rule.code.as_str())
            && !opsgate::evidence::CODES.contains(&rule.code.as_str())
            && rule.code != opsgate::placeholders::CODE
    });
    let mut missing: Vec<String> = no_failing
        .iter()
        .map(|c| format!("{c} has no failing case"))
        .collect();
    missing.extend(
        no_passing
            .iter()
            .map(|c| format!("{c} has no passing case")),
    );
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn the_built_in_cases_pass_through_opsgate_test() {
    let output = common::opsgate()
        .arg("test")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.lines()
            .last()
            .unwrap_or_default()
            .ends_with(" passed, 0 failed"),
        "{text}"
    );
}
