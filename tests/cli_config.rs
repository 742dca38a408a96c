//! `opsgate.toml`: found by walking up, applied to findings, and strict about its own contents.

mod common;

use common::*;
use predicates::str::contains;

const CHANGE: &str = "apiVersion: opsgate/v1\nkind: ChangeRecord\nmetadata: {id: CHG-7, title: Tweak, owner: p-a}\nspec: {type: normal, status: submitted}\n";

fn repo(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ops/people/p-a.yaml", person("p-a"));
    write(dir.path(), "ops/changes/chg-7.yaml", CHANGE);
    write(dir.path(), "opsgate.toml", config);
    dir
}

#[test]
fn the_nearest_configuration_above_the_checked_path_applies() {
    let dir = repo("[rules]\ndisable = [\"CHG-009\"]\n");
    let (code, json) = check_json(&dir.path().join("ops"), &[]);
    assert_eq!(code, 0, "{json:#}");
    assert!(codes(&json).is_empty());

    let (code, json) = check_json(&dir.path().join("ops"), &["--no-config"]);
    assert_eq!(code, 1);
    assert_eq!(codes(&json), vec!["CHG-009"]);
}

#[test]
fn severity_overrides_and_fail_level_come_from_the_file() {
    let dir = repo("[check]\nfail_on = \"warning\"\n\n[rules.severity]\nCHG-009 = \"warning\"\n");
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(json["findings"][0]["severity"], "warning");
    assert_eq!(code, 1, "fail_on = warning fails on the downgraded finding");
    let (code, _) = check_json(dir.path(), &["--fail-on", "error"]);
    assert_eq!(code, 0, "the command line wins over the file");
}

#[test]
fn excluded_paths_are_not_read() {
    let dir = repo("[check]\nexclude = [\"ops/changes/**\"]\n");
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["summary"]["artifacts"], 1);
}

#[test]
fn params_reach_the_policies() {
    let dir = repo("[params]\nwaiver_warning_days = 90\n");
    write(
        dir.path(),
        "ops/ra.yaml",
        "apiVersion: opsgate/v1\nkind: RiskAcceptance\nmetadata: {id: RA-1, title: A, owner: p-a}\nspec:\n  rules: [CHG-009]\n  artifacts: [CHG-7]\n  justification: Listed elsewhere.\n  risk_owner: p-a\n  approval: {approver: p-b, role: CISO, date: 2026-11-01, decision: approved}\n  expires: 2027-01-31\n",
    );
    write(dir.path(), "ops/people/p-b.yaml", person("p-b"));
    let (_, json) = check_json(dir.path(), &[]);
    assert!(
        codes(&json).contains(&"RSK-002".to_owned()),
        "68 days left is inside a 90-day lead time: {json:#}"
    );
}

#[test]
fn every_problem_of_a_bad_configuration_is_reported_at_its_line() {
    let dir = repo(
        "[check]\nfail_on = \"sometimes\"\nformt = \"json\"\n\n[params]\ntest_interval_days = -3\n",
    );
    opsgate()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains(
            "opsgate.toml:2:11: `fail_on` must be error, warning or info",
        ))
        .stderr(contains("opsgate.toml:3:1: unknown key `formt` in [check]"))
        .stderr(contains("did you mean `format`?"))
        .stderr(contains(
            "opsgate.toml:6:22: `test_interval_days` must be a positive integer",
        ));
}

#[test]
fn unknown_rule_codes_are_errors_with_a_suggestion() {
    let dir = repo("[rules]\ndisable = [\"CHG-0009\"]\n");
    opsgate()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains("opsgate.toml:2:12: no rule has code `CHG-0009`"))
        .stderr(contains("did you mean"));
}

#[test]
fn a_missing_explicit_configuration_is_a_usage_error() {
    let dir = repo("");
    opsgate()
        .arg("check")
        .arg(dir.path())
        .args(["--config", "nope.toml"])
        .assert()
        .code(2)
        .stderr(contains("nope.toml does not exist"));
}

#[test]
fn unknown_rule_codes_are_reported_with_the_other_problems_before_any_check() {
    let dir = repo("[check]\nformt = \"json\"\n\n[rules]\ndisable = [\"CHG-0009\"]\nseverity = { \"XP-9999\" = \"info\" }\n");
    let output = opsgate().arg("check").arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.matches("  × ").count(), 3, "{stderr}");
    assert!(stderr.contains("unknown key `formt`"), "{stderr}");
    assert!(stderr.contains("no rule has code `CHG-0009`"), "{stderr}");
    assert!(stderr.contains("no rule has code `XP-9999`"), "{stderr}");
    assert!(output.stdout.is_empty(), "nothing was checked");
}
