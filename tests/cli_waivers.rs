//! Risk acceptances waive findings visibly: the finding stays in every output, marked with the
//! acceptance, and stops failing the run only while the acceptance itself is valid.

mod common;

use common::*;
use predicates::str::contains;

const CHANGE: &str = "apiVersion: opsgate/v1\nkind: ChangeRecord\nmetadata: {id: CHG-7, title: Tweak, owner: p-a}\nspec: {type: normal, status: submitted}\n";

fn acceptance(expires: &str, approver: &str) -> String {
    format!(
        "apiVersion: opsgate/v1\nkind: RiskAcceptance\nmetadata: {{id: RA-1, title: Accepted, owner: p-b}}\nspec:\n  rules: [CHG-009]\n  artifacts: [\"CHG-*\"]\n  justification: The CIs are listed in the linked ticket.\n  risk_owner: p-b\n  approval: {{approver: {approver}, role: CISO, date: 2026-11-01, decision: approved}}\n  expires: {expires}\n"
    )
}

fn repo_with(acceptance: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for id in ["p-a", "p-b", "p-c"] {
        write(dir.path(), &format!("people/{id}.yaml"), person(id));
    }
    write(dir.path(), "change.yaml", CHANGE);
    write(dir.path(), "ra.yaml", acceptance);
    dir
}

#[test]
fn a_valid_acceptance_waives_a_finding_without_hiding_it() {
    let dir = repo_with(&acceptance("2027-01-31", "p-c"));
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(codes(&json), vec!["CHG-009"]);
    let waiver = &json["findings"][0]["waiver"];
    assert_eq!(waiver["id"], "RA-1");
    assert_eq!(waiver["approver"], "p-c");
    assert_eq!(waiver["expires"], "2027-01-31");
    assert_eq!(json["summary"]["waived"], 1);
    assert_eq!(json["summary"]["errors"], 0);

    opsgate()
        .arg("check")
        .arg(dir.path())
        .args(["--as-of", AS_OF])
        .assert()
        .success()
        .stdout(contains("[waived by RA-1]"))
        .stdout(contains("1 waived"));
}

#[test]
fn an_expired_acceptance_waives_nothing_and_is_itself_reported() {
    let dir = repo_with(&acceptance("2026-11-20", "p-c"));
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let mut got = codes(&json);
    got.sort();
    assert_eq!(got, vec!["CHG-009", "RSK-001"]);
    assert!(json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["waiver"].is_null()));
}

#[test]
fn a_self_approved_acceptance_waives_nothing() {
    let dir = repo_with(&acceptance("2027-01-31", "p-b"));
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let mut got = codes(&json);
    got.sort();
    assert_eq!(got, vec!["CHG-009", "RSK-004"]);
    assert_eq!(json["summary"]["waived"], 0);
}

#[test]
fn an_acceptance_about_to_expire_still_waives_but_warns() {
    let dir = repo_with(&acceptance("2026-12-10", "p-c"));
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 0, "warnings do not fail by default: {json:#}");
    let mut got = codes(&json);
    got.sort();
    assert_eq!(got, vec!["CHG-009", "RSK-002"]);
    assert_eq!(json["summary"]["waived"], 1);
    assert_eq!(json["summary"]["warnings"], 1);
}
