//! Policy loading and users' own policies, through the real binary.

mod common;

use common::*;
use predicates::str::contains;

const TEAM_POLICY: &str = r#"package opsgate.rules.team_naming

import rego.v1

metadata := {"TEAM-001": {
	"title": "People have an e-mail address",
	"severity": "warning",
	"area": "information_security",
	"source": "Team convention",
	"rationale": "We page people by e-mail.",
	"remediation": "Add spec.email.",
}}

deny contains {"code": "TEAM-001", "pointer": "/spec/email", "message": "no e-mail address"} if {
	input.artifact.kind == "Person"
	not input.artifact.spec.email
}
"#;

#[test]
fn a_team_policy_adds_rules_everywhere() {
    let repo = tempfile::tempdir().unwrap();
    let policies = tempfile::tempdir().unwrap();
    write(repo.path(), "p.yaml", person("p-a"));
    write(policies.path(), "team.rego", TEAM_POLICY);
    let dir = policies.path().to_str().unwrap();

    let (code, json) = check_json(repo.path(), &["--policy", dir]);
    assert_eq!(code, 0);
    assert_eq!(codes(&json), vec!["TEAM-001"]);
    assert_eq!(json["findings"][0]["severity"], "warning");
    let (code, _) = check_json(repo.path(), &["--policy", dir, "--fail-on", "warning"]);
    assert_eq!(code, 1);

    opsgate()
        .args(["rules", "--policy", dir])
        .assert()
        .success()
        .stdout(contains("TEAM-001"));
    opsgate()
        .args(["explain", "team-001", "--policy", dir])
        .assert()
        .success()
        .stdout(contains("We page people by e-mail."));
}

#[test]
fn a_broken_policy_is_located_in_its_file() {
    let repo = tempfile::tempdir().unwrap();
    let policies = tempfile::tempdir().unwrap();
    write(repo.path(), "p.yaml", person("p-a"));
    write(
        policies.path(),
        "broken.rego",
        "package opsgate.rules.broken\n\nimport rego.v1\n\ndeny contains x if {\n  x := [1,\n}\n",
    );
    opsgate()
        .arg("check")
        .arg(repo.path())
        .arg("--policy")
        .arg(policies.path())
        .assert()
        .code(4)
        .stderr(contains("broken.rego:6:5: expecting `}`"));
}

#[test]
fn a_policy_cannot_replace_a_built_in_package() {
    let repo = tempfile::tempdir().unwrap();
    let policies = tempfile::tempdir().unwrap();
    write(repo.path(), "p.yaml", person("p-a"));
    write(
        policies.path(),
        "shadow.rego",
        "package opsgate.rules.change\n\nimport rego.v1\n\ndeny := set()\n",
    );
    opsgate()
        .arg("check")
        .arg(repo.path())
        .arg("--policy")
        .arg(policies.path())
        .assert()
        .code(4)
        .stderr(contains("built-in"));
}

#[test]
fn a_runaway_policy_is_stopped_by_the_time_limit() {
    let repo = tempfile::tempdir().unwrap();
    let policies = tempfile::tempdir().unwrap();
    write(repo.path(), "p.yaml", person("p-a"));
    let slow = TEAM_POLICY
        .replace("team_naming", "team_slow")
        .replace("TEAM-001", "SLOW-001")
        .replace(
            "not input.artifact.spec.email",
            "some x in numbers.range(1, 100000)\n\tsome y in numbers.range(1, 100000)\n\tx * y == -1",
        );
    write(policies.path(), "slow.rego", slow);
    opsgate()
        .arg("check")
        .arg(repo.path())
        .arg("--policy")
        .arg(policies.path())
        .args(["--policy-timeout", "200"])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(4)
        .stdout(contains("team_slow"));
}

#[test]
fn rules_and_explain_list_the_built_in_rules() {
    opsgate()
        .arg("rules")
        .assert()
        .success()
        .stdout(contains("CHG-001"))
        .stdout(contains("XP-001"));
    opsgate()
        .args(["rules", "--format", "json"])
        .assert()
        .success()
        .stdout(contains("\"code\": \"REF-001\""));
    opsgate()
        .args(["explain", "XP-001"])
        .assert()
        .success()
        .stdout(contains("Why it matters"));
    opsgate().args(["explain", "NOPE-999"]).assert().code(2);
}
