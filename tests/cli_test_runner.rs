//! `opsgate test`: a team's own rules with their cases, as conftest's `verify` runs them.

mod common;

use std::path::PathBuf;
use std::process::Command as Process;

use common::*;

const TEAM_POLICY: &str = r#"package opsgate.rules.team_people

import rego.v1

metadata := {
	"TEAM-001": {"title": "People have an e-mail address", "severity": "warning", "area": "information_security", "source": "Team convention", "rationale": "We page people by e-mail.", "remediation": "Add spec.email."},
	"TEAM-002": {"title": "People have a phone number", "severity": "warning", "area": "information_security", "source": "Team convention", "rationale": "We call people.", "remediation": "Add spec.phone."},
}

deny contains {"code": "TEAM-001", "pointer": "/spec/email", "message": "no e-mail address"} if {
	input.artifact.kind == "Person"
	not input.artifact.spec.email
}

deny contains {"code": "TEAM-002", "pointer": "/spec/phone", "message": "no phone"} if {
	input.artifact.kind == "Person"
	input.artifact.spec.phone == "none"
}
"#;

const PERSON: &str = "{apiVersion: opsgate/v1, kind: Person, metadata: {id: p-a, title: A, owner: p-a}, spec: {name: A, title: Engineer}}";
const PERSON_WITH_MAIL: &str = "{apiVersion: opsgate/v1, kind: Person, metadata: {id: p-a, title: A, owner: p-a}, spec: {name: A, title: Engineer, email: a@example.com}}";

fn cases(want_for_missing_mail: &str) -> String {
    format!(
        "cases:\n  - name: a person without e-mail\n    rules: [TEAM-001, TEAM-002]\n    artifacts:\n      - {PERSON}\n    want:\n{want_for_missing_mail}\n  - name: a person with e-mail\n    rules: [TEAM-001, TEAM-002]\n    artifacts:\n      - {PERSON_WITH_MAIL}\n    want: []\n"
    )
}

fn team(cases_text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "people.rego", TEAM_POLICY);
    write(dir.path(), "people_test.yaml", cases_text);
    dir
}

#[test]
fn passing_cases_pass_and_untested_rules_are_named() {
    let dir = team(&cases(
        "      - {code: TEAM-001, artifact: p-a, pointer: /spec/email}",
    ));
    let output = opsgate().arg("test").arg(dir.path()).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.contains("PASS people_test.yaml: a person without e-mail"),
        "{text}"
    );
    assert!(
        text.contains("no case makes these rules fail: TEAM-002"),
        "{text}"
    );
    assert!(text.ends_with("2 passed, 0 failed\n"), "{text}");
}

#[test]
fn a_failing_case_shows_what_differs_and_fails_the_run() {
    let dir = team(&cases(
        "      - {code: TEAM-001, artifact: p-a, pointer: /spec/mail}",
    ));
    let output = opsgate().arg("test").arg(dir.path()).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("FAIL people_test.yaml: a person without e-mail"),
        "{text}"
    );
    assert!(
        text.contains("- expected TEAM-001 on p-a at /spec/mail"),
        "{text}"
    );
    assert!(
        text.contains("+ unexpected TEAM-001 on p-a at /spec/email"),
        "{text}"
    );
    assert!(text.ends_with("1 passed, 1 failed\n"), "{text}");
}

#[test]
fn junit_output_reads_in_junitparser() {
    let python = std::env::var_os("OPSGATE_PEERS_PYTHON").map(PathBuf::from).unwrap_or_else(|| {
        panic!("OPSGATE_PEERS_PYTHON is not set: run the tests with scripts/test.sh, which installs junitparser")
    });
    let dir = team(&cases(
        "      - {code: TEAM-001, artifact: p-a, pointer: /spec/mail}",
    ));
    let output = opsgate()
        .arg("test")
        .arg(dir.path())
        .args(["--format", "junit"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let file = dir.path().join("out.xml");
    std::fs::write(&file, &output.stdout).unwrap();
    let script = "import sys\nfrom junitparser import JUnitXml, Failure\nxml = JUnitXml.fromfile(sys.argv[1])\nfor s in xml:\n  for c in s:\n    print(c.name, '|', 'failed' if any(isinstance(r, Failure) for r in c.result) else 'passed')\n";
    let out = Process::new(python)
        .arg("-c")
        .arg(script)
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "a person without e-mail | failed\na person with e-mail | passed\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_directory_without_cases_or_with_a_broken_case_file_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "people.rego", TEAM_POLICY);
    opsgate().arg("test").arg(dir.path()).assert().code(2);
    write(
        dir.path(),
        "broken_test.yaml",
        "cases:\n  - name: x\n    rule: [TEAM-001]\n",
    );
    let output = opsgate().arg("test").arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("broken_test.yaml"));
}
