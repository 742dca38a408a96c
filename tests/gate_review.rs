//! Holes an attacker's review of the git gates found, each pinned by the attempt that exposed it:
//! symlinks that moved configuration, policies or artifacts out of view, records erased by a
//! change of kind, a finding three references from the change, artifacts without an id, and
//! acceptances that became valid through the change they waive.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

/// The example plus `extra` committed on `main`, branch `pr` checked out.
fn repo(extra: &[(&str, &str)]) -> tempfile::TempDir {
    acme_repo(extra, Some("pr"))
}

fn commit(dir: &Path) {
    commit_all(dir);
}

fn failing(json: &Value) -> Vec<String> {
    let mut codes: Vec<String> = json["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("{json:#}"))
        .iter()
        .filter(|f| f["status"] == "failing")
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

const TEAM_POLICY: &str = "package opsgate.rules.team_naming\n\nimport rego.v1\n\nmetadata := {\"TEAM-001\": {\"title\": \"No YOLO services\", \"severity\": \"error\", \"area\": \"cross_process\", \"source\": \"s\", \"rationale\": \"r\", \"remediation\": \"m\"}}\n\ndeny contains {\"code\": \"TEAM-001\", \"pointer\": \"/metadata/title\", \"message\": \"YOLO\"} if {\n\tcontains(input.artifact.metadata.title, \"YOLO\")\n}\n";

fn yolo(dir: &Path) {
    edit(
        dir,
        "services/services.yaml",
        "title: Customer portal",
        "title: Customer portal YOLO",
    );
}

#[cfg(unix)]
#[test]
fn a_policy_directory_replaced_by_a_symlink_is_still_read_from_the_base() {
    for target in ["/mnt", "changes"] {
        let dir = repo(&[
            ("opsgate.toml", "[check]\npolicies = [\"team-policies\"]\n"),
            ("team-policies/team.rego", TEAM_POLICY),
        ]);
        yolo(dir.path());
        std::fs::remove_dir_all(dir.path().join("team-policies")).unwrap();
        std::os::unix::fs::symlink(target, dir.path().join("team-policies")).unwrap();
        commit(dir.path());
        let (code, json) = check_json(dir.path(), &["--base", "main"]);
        assert_eq!(code, 1, "{target}: {json:#}");
        assert_eq!(failing(&json), vec!["GIT-005", "TEAM-001"], "{target}");
    }
}

#[cfg(unix)]
#[test]
fn a_configuration_replaced_by_a_symlink_is_read_from_the_base() {
    let dir = repo(&[
        (
            "ci/opsgate.toml",
            "[check]\npolicies = [\"../team-policies\"]\n",
        ),
        ("team-policies/team.rego", TEAM_POLICY),
    ]);
    yolo(dir.path());
    std::fs::remove_file(dir.path().join("ci/opsgate.toml")).unwrap();
    std::os::unix::fs::symlink("/dev/null", dir.path().join("ci/opsgate.toml")).unwrap();
    commit(dir.path());
    let config = dir.path().join("ci/opsgate.toml");
    let (code, json) = check_json(
        dir.path(),
        &["--base", "main", "--config", config.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(failing(&json), vec!["GIT-005", "TEAM-001"]);
}

#[cfg(unix)]
#[test]
fn an_artifact_replaced_by_a_symlink_does_not_vanish_under_include_globs() {
    let dir = repo(&[("opsgate.toml", "[check]\ninclude = [\"**/*.yaml\"]\n")]);
    std::fs::remove_file(dir.path().join("changes/CHG-2026-004.yaml")).unwrap();
    std::os::unix::fs::symlink(
        "/etc/hostname",
        dir.path().join("changes/CHG-2026-004.yaml"),
    )
    .unwrap();
    commit(dir.path());
    let (code, json) = check_json(dir.path(), &["--base", "main"]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(
        failing(&json),
        vec!["GIT-006", "LOAD-NOT-A-FILE", "REF-001"]
    );
}

#[cfg(unix)]
#[test]
fn a_staged_blob_is_checked_whatever_the_work_tree_holds_at_its_path() {
    let dir = repo(&[("opsgate.toml", "[check]\ninclude = [\"**/*.yaml\"]\n")]);
    edit(
        dir.path(),
        "releases/REL-2026-014.yaml",
        "tested: true",
        "tested: false",
    );
    git(dir.path(), &["add", "releases/REL-2026-014.yaml"]);
    std::fs::remove_file(dir.path().join("releases/REL-2026-014.yaml")).unwrap();
    std::os::unix::fs::symlink(
        "/etc/hostname",
        dir.path().join("releases/REL-2026-014.yaml"),
    )
    .unwrap();
    let (code, json) = check_json(dir.path(), &["--staged"]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(failing(&json), vec!["REL-004"]);
}

#[test]
fn a_closed_record_turned_into_another_kind_is_erased_evidence() {
    let text = std::fs::read_to_string(acme().join("changes/CHG-2026-004.yaml")).unwrap();
    let copy = text.replace("CHG-2026-004", "CHG-2026-003");
    let dir = repo(&[("changes/CHG-2026-003.yaml", &copy)]);
    write(
        dir.path(),
        "changes/CHG-2026-003.yaml",
        "apiVersion: opsgate/v1\nkind: Person\nmetadata: {id: CHG-2026-003, title: Nobody, owner: p-ana}\nspec: {name: Nobody, title: X, email: n@acme.example, team: Security}\n",
    );
    commit(dir.path());
    let (code, json) = check_json(dir.path(), &["--base", "main"]);
    assert_eq!(code, 1, "{json:#}");
    assert!(failing(&json).contains(&"GIT-006".to_owned()), "{json:#}");
}

#[test]
fn a_finding_three_references_from_the_change_is_found() {
    let release = std::fs::read_to_string(acme().join("releases/REL-2026-014.yaml")).unwrap();
    let release: String = release
        .replace("REL-2026-014", "REL-2026-020")
        .replace(
            "affected_cis: [ci-portal-app]",
            "affected_cis: [ci-report-job]",
        )
        .lines()
        .filter(|l| !l.contains("affected_services:"))
        .take_while(|l| !l.starts_with("  post_release_monitoring:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let ci = std::fs::read_to_string(acme().join("cmdb/ci-report-job.yaml")).unwrap();
    let at = ci
        .find("  last_change:")
        .expect("the CI names its last change");
    let ci = format!("{}  last_release: REL-2026-020\n{}", &ci[..at], &ci[at..]);
    let dir = repo(&[
        ("releases/REL-2026-020.yaml", &release),
        ("cmdb/ci-report-job.yaml", &ci),
    ]);
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 0, "the base is compliant: {json:#}");
    let sla: String = std::fs::read_to_string(dir.path().join("agreements/sla-portal.yaml"))
        .unwrap()
        .replace("id: sla-portal", "id: sla-reporting")
        .replace("owner: p-eva", "owner: p-farid")
        .replace("svc-portal", "svc-reporting")
        .replace("availability_percent: 99.9, ", "")
        .lines()
        .filter(|l| !l.contains("underpinned_by"))
        .map(|l| format!("{l}\n"))
        .collect();
    write(dir.path(), "agreements/sla-reporting.yaml", sla);
    commit(dir.path());
    let (_, whole) = check_json(dir.path(), &[]);
    let (_, gate) = check_json(dir.path(), &["--base", "main"]);
    assert!(failing(&whole).contains(&"XP-006".to_owned()), "{whole:#}");
    assert!(
        failing(&gate).contains(&"XP-006".to_owned()),
        "the gate missed XP-006: {gate:#}"
    );
}

#[test]
fn an_artifact_without_an_id_is_checked_by_the_git_gates() {
    let dir = repo(&[]);
    write(
        dir.path(),
        "releases/REL-X.yaml",
        "apiVersion: opsgate/v1\nkind: ReleaseRecord\nmetadata: {title: Untested, owner: p-dev}\nspec:\n  change: CHG-2026-031\n  status: deployed\n  environment: production\n  release_date: 2026-10-14\n  packages:\n    - {name: portal, version: \"9.9\", tested: false}\n",
    );
    commit(dir.path());
    let (code, json) = check_json(dir.path(), &["--base", "main"]);
    assert_eq!(code, 1, "{json:#}");
    let codes = failing(&json);
    assert!(
        codes.contains(&"SCHEMA".to_owned()) && codes.contains(&"REL-004".to_owned()),
        "{codes:?}"
    );
}

#[test]
fn a_closed_record_past_its_retention_period_may_be_deleted() {
    let dir = repo(&[]);
    git(dir.path(), &["rm", "-q", "changes/CHG-2026-004.yaml"]);
    commit(dir.path());
    let (_, json) = check_json(dir.path(), &["--base", "main"]);
    assert!(failing(&json).contains(&"GIT-006".to_owned()), "{json:#}");
    // Seven years after its last date (2026-02-15), the record may go.
    let output = opsgate()
        .arg("check")
        .arg(dir.path())
        .args([
            "--base",
            "main",
            "--format",
            "json",
            "--as-of",
            "2033-03-01",
        ])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(!failing(&json).contains(&"GIT-006".to_owned()), "{json:#}");
}

/// Waives REL-004 on the quarter's releases; approved by `approver`.
fn acceptance(approver: &str) -> String {
    format!("apiVersion: opsgate/v1\nkind: RiskAcceptance\nmetadata: {{id: RA-2026-090, title: Releases, owner: p-ben}}\nspec:\n  rules: [REL-004]\n  artifacts: [\"REL-2026-01?\"]\n  scope: Releases of the quarter.\n  justification: Test rig rebuilt.\n  risk_owner: p-ben\n  approval: {{approver: {approver}, role: Lead, date: 2026-11-01, decision: approved}}\n  expires: 2027-01-31\n")
}

#[test]
fn an_acceptance_made_valid_by_the_change_it_waives_fails_the_gate() {
    // On main the acceptance is invalid: its approver owns the waived release (RSK-005).
    let dir = repo(&[("risk/RA-2026-090.yaml", &acceptance("p-dev"))]);
    edit(
        dir.path(),
        "releases/REL-2026-014.yaml",
        "owner: p-dev",
        "owner: p-chloe",
    );
    edit(
        dir.path(),
        "releases/REL-2026-014.yaml",
        "tested: true",
        "tested: false",
    );
    commit(dir.path());
    let (code, json) = check_json(dir.path(), &["--base", "main"]);
    assert_eq!(code, 1, "{json:#}");
    assert!(failing(&json).contains(&"GIT-007".to_owned()), "{json:#}");
}

#[test]
fn pre_commit_inside_git_commit_checks_the_commit_whatever_refs_a_shell_left_exported() {
    let dir = repo(&[]);
    edit(
        dir.path(),
        "releases/REL-2026-014.yaml",
        "tested: true",
        "tested: false",
    );
    git(dir.path(), &["add", "releases/REL-2026-014.yaml"]);
    let output = opsgate()
        .current_dir(dir.path())
        .args(["pre-commit", "--format", "json", "--as-of", AS_OF])
        .env("GIT_INDEX_FILE", dir.path().join(".git/index"))
        .env("PRE_COMMIT_FROM_REF", "HEAD")
        .env("PRE_COMMIT_TO_REF", "HEAD")
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["mode"], "staged");
    assert_eq!(failing(&json), vec!["REL-004"]);
}

/// XP-021 joins an availability plan to a capacity plan through the service both name: moving a
/// peak window onto a planned maintenance window must surface the finding on the availability plan,
/// which the change does not touch.
#[test]
fn a_peak_moved_onto_planned_maintenance_is_found_on_the_untouched_availability_plan() {
    let dir = repo(&[]);
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 0, "the base is compliant: {json:#}");
    let plan = std::fs::read_to_string(dir.path().join("capacity/capacity-plan.yaml")).unwrap();
    assert!(plan.contains("end: 2026-11-30}"), "{plan}");
    write(
        dir.path(),
        "capacity/capacity-plan.yaml",
        plan.replace("end: 2026-11-30}", "end: 2026-12-07}"),
    );
    commit(dir.path());
    let (_, gate) = check_json(dir.path(), &["--base", "main"]);
    assert_eq!(failing(&gate), ["XP-021"], "{gate:#}");
}
