//! The change under review cannot configure its own gate: configuration, policies and waivers
//! come from the trusted side, and the findings sink applies them in one documented order. Each
//! test is an attempt, as the author of a pull request, to make a real problem pass.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

/// The compliant example committed on `main`, plus `extra` files, with a `pr` branch checked out.
fn repo(extra: &[(&str, &str)]) -> tempfile::TempDir {
    acme_repo(extra, Some("pr"))
}

fn commit(dir: &Path) {
    commit_all(dir);
}

/// REL-004: a release component deployed untested.
fn untested_release(dir: &Path) {
    edit(
        dir,
        "releases/REL-2026-014.yaml",
        "tested: true",
        "tested: false",
    );
}

/// GIT-003: the review of a closed change rewritten.
fn tamper(dir: &Path) {
    edit(
        dir,
        "changes/CHG-2026-004.yaml",
        "outcome: Agreements published and acknowledged by customers.",
        "outcome: Everything went perfectly.",
    );
}

/// (code, severity) of every finding that fails the run, sorted.
fn failing(json: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings: {json:#}"))
        .iter()
        .filter(|f| f["status"] == "failing")
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

const WEAKENING: &str = "[check]\nexclude = [\"changes/**\", \"releases/**\"]\n\n[rules]\ndisable = [\"GIT-003\", \"REL-004\"]\n\n[rules.severity]\n\"GIT-005\" = \"info\"\n";

#[test]
fn a_pull_requests_own_configuration_does_not_apply_to_it() {
    let dir = repo(&[]);
    tamper(dir.path());
    untested_release(dir.path());
    write(dir.path(), "opsgate.toml", WEAKENING);
    commit(dir.path());
    let (code, json) = check_json(dir.path(), &["--base", "main"]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(
        failing(&json),
        pairs(&[
            ("GIT-003", "error"),
            ("GIT-005", "warning"),
            ("REL-004", "error")
        ])
    );
}

#[test]
fn a_configuration_named_on_the_command_line_is_read_from_the_base() {
    let dir = repo(&[("ci/gate.toml", "[check]\nfail_on = \"error\"\n")]);
    tamper(dir.path());
    write(dir.path(), "ci/gate.toml", WEAKENING);
    commit(dir.path());
    let config = dir.path().join("ci/gate.toml");
    let (code, json) = check_json(
        dir.path(),
        &["--base", "main", "--config", config.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(
        failing(&json),
        pairs(&[("GIT-003", "error"), ("GIT-005", "warning")])
    );
    let gate = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "GIT-005")
        .unwrap();
    assert_eq!(gate["file"], "ci/gate.toml");
}

#[test]
fn the_pre_commit_gate_uses_the_staged_configuration_not_the_work_tree() {
    let dir = repo(&[]);
    tamper(dir.path());
    git(dir.path(), &["add", "changes/CHG-2026-004.yaml"]);
    write(
        dir.path(),
        "opsgate.toml",
        "[rules]\ndisable = [\"GIT-003\"]\n",
    );
    let (code, json) = check_json(dir.path(), &["--staged"]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(failing(&json), pairs(&[("GIT-003", "error")]));
    // Staged with the change, the configuration is part of the commit and reported.
    git(dir.path(), &["add", "opsgate.toml"]);
    let (_, json) = check_json(dir.path(), &["--staged"]);
    assert!(
        failing(&json).contains(&("GIT-005".into(), "warning".into())),
        "{json:#}"
    );
}

#[test]
fn a_nested_configuration_is_refused_not_silently_used() {
    let dir = repo(&[("opsgate.toml", "[params]\ntest_interval_days = 365\n")]);
    write(
        dir.path(),
        "changes/opsgate.toml",
        "[rules]\ndisable = [\"GIT-003\"]\n",
    );
    let output = opsgate()
        .arg("check")
        .arg(dir.path().join("changes"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("changes/opsgate.toml"), "{stderr}");
    // Added by a pull request, it is reported and has no effect.
    tamper(dir.path());
    commit(dir.path());
    let (code, json) = check_json(dir.path(), &["--base", "main"]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(
        failing(&json),
        pairs(&[("GIT-003", "error"), ("GIT-005", "warning")])
    );
}

/// An acceptance of REL-004 on every release, approved by `approver` with `decision`.
fn acceptance(approver: &str, decision: &str, expires: &str) -> String {
    format!("apiVersion: opsgate/v1\nkind: RiskAcceptance\nmetadata: {{id: RA-2026-090, title: Releases, owner: p-ben}}\nspec:\n  rules: [REL-004]\n  artifacts: [\"REL-2026-01?\"]\n  scope: Releases of the quarter.\n  justification: Test rig rebuilt.\n  risk_owner: p-ben\n  approval: {{approver: {approver}, role: Lead, date: 2026-11-01, decision: {decision}}}\n  expires: {expires}\n")
}

#[test]
fn rule_settings_never_decide_whether_a_waiver_is_valid() {
    // Approved by the owner of the waived release (RSK-005) or rejected (RSK-003).
    for (approver, decision, setting) in [
        (
            "p-dev",
            "approved",
            "[rules.severity]\n\"RSK-005\" = \"warning\"\n",
        ),
        ("p-dev", "approved", "[rules]\ndisable = [\"RSK-005\"]\n"),
        (
            "p-gwen",
            "rejected",
            "[rules.severity]\n\"RSK-003\" = \"info\"\n",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&acme(), dir.path());
        untested_release(dir.path());
        write(
            dir.path(),
            "risk/RA-2026-090.yaml",
            acceptance(approver, decision, "2027-01-31"),
        );
        write(dir.path(), "opsgate.toml", setting);
        let (code, json) = check_json(dir.path(), &[]);
        assert_eq!(code, 1, "{setting}: {json:#}");
        assert!(
            failing(&json).contains(&("REL-004".into(), "error".into())),
            "{setting} made an invalid acceptance waive: {json:#}"
        );
    }
}

#[test]
fn an_invalid_acceptance_outside_the_neighbourhood_cannot_waive_a_pull_request() {
    let dir = repo(&[(
        "risk/RA-2026-090.yaml",
        &acceptance("p-gwen", "approved", "2026-11-01"),
    )]);
    untested_release(dir.path());
    commit(dir.path());
    let (code, json) = check_json(dir.path(), &["--base", "main"]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(failing(&json), pairs(&[("REL-004", "error")]));
    assert_eq!(json["summary"]["waived"], 0);
}

#[test]
fn an_acceptance_added_by_the_change_it_waives_fails_the_gate() {
    let dir = repo(&[]);
    untested_release(dir.path());
    write(
        dir.path(),
        "risk/RA-2026-090.yaml",
        acceptance("p-gwen", "approved", "2027-01-31"),
    );
    commit(dir.path());
    let (code, json) = check_json(dir.path(), &["--base", "main"]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(
        failing(&json),
        pairs(&[("GIT-004", "warning"), ("GIT-007", "error")])
    );
    // Landed on its own first, the same acceptance waives the later change.
    let dir = repo(&[(
        "risk/RA-2026-090.yaml",
        &acceptance("p-gwen", "approved", "2027-01-31"),
    )]);
    untested_release(dir.path());
    commit(dir.path());
    let (code, json) = check_json(dir.path(), &["--base", "main"]);
    assert_eq!((code, failing(&json)), (0, vec![]), "{json:#}");
    assert_eq!(json["summary"]["waived"], 1);
}

const TEAM_POLICY: &str = "package opsgate.rules.team_release\n\nimport rego.v1\n\nmetadata := {\"TEAM-001\": {\"title\": \"Releases name a change\", \"severity\": \"error\", \"area\": \"release\", \"source\": \"Team\", \"rationale\": \"Traceability.\", \"remediation\": \"Name it.\"}}\n\ndeny contains {\"code\": \"TEAM-001\", \"pointer\": \"/spec\", \"message\": \"a release\"} if {\n\tinput.artifact.kind == \"ReleaseRecord\"\n}\n";

#[test]
fn the_teams_policies_come_from_the_base_and_their_edits_are_reported() {
    let config = "[check]\npolicies = [\"team-policies\"]\n";
    let dir = repo(&[
        ("opsgate.toml", config),
        ("team-policies/release.rego", TEAM_POLICY),
    ]);
    // The pull request neuters the team rule and breaks a release.
    write(
        dir.path(),
        "team-policies/release.rego",
        TEAM_POLICY.replace("input.artifact.kind == \"ReleaseRecord\"", "false"),
    );
    untested_release(dir.path());
    commit(dir.path());
    let (code, json) = check_json(dir.path(), &["--base", "main"]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(
        failing(&json),
        pairs(&[
            ("GIT-005", "warning"),
            ("REL-004", "error"),
            ("TEAM-001", "error")
        ])
    );
}

#[test]
fn gate_file_warnings_follow_the_configured_policy_directories() {
    let dir = repo(&[]);
    write(
        dir.path(),
        "policies/README.md",
        "Our own notes, not opsgate's.\n",
    );
    git(dir.path(), &["add", "policies/README.md"]);
    let (code, json) = check_json(dir.path(), &["--staged"]);
    assert_eq!((code, failing(&json)), (0, vec![]), "{json:#}");
}

#[test]
fn pre_existing_and_waived_findings_never_show_as_failures_in_any_format() {
    let dir = repo(&[]);
    untested_release(dir.path());
    git(dir.path(), &["commit", "-q", "-am", "a gap on the branch"]);
    git(dir.path(), &["branch", "-f", "main", "HEAD"]);
    tamper(dir.path());
    commit(dir.path());
    let render = |format: &str| {
        let output = opsgate()
            .arg("check")
            .arg(dir.path())
            .args([
                "--base", "main", "--all", "--as-of", AS_OF, "--format", format,
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let github = render("github");
    let rel = github
        .lines()
        .find(|l| l.contains("REL-004"))
        .unwrap_or_default();
    assert!(rel.starts_with("::notice"), "{github}");
    assert!(github
        .lines()
        .any(|l| l.starts_with("::error") && l.contains("GIT-003")));
    let junit = render("junit");
    assert!(
        !junit.contains("<failure message=\"component `portal`"),
        "{junit}"
    );
    let markdown = render("markdown");
    let row = markdown
        .lines()
        .find(|l| l.contains("REL-004"))
        .unwrap_or_default();
    assert!(
        row.contains("pre-existing") && !row.contains("🔴"),
        "{markdown}"
    );
}

#[test]
fn the_audit_report_shows_a_disabled_rule_as_disabled_not_met() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&acme(), dir.path());
    write(
        dir.path(),
        "opsgate.toml",
        "[rules]\ndisable = [\"REL-004\"]\n",
    );
    untested_release(dir.path());
    let output = opsgate()
        .args(["report", "--format", "json", "--as-of", AS_OF])
        .arg(dir.path())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let rel004 = report["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "REL-004")
        .unwrap();
    assert_eq!(rel004["status"], "disabled");
}

#[test]
fn deleting_a_closed_record_cannot_be_excused_by_an_acceptance_added_alongside() {
    let dir = repo(&[]);
    git(dir.path(), &["rm", "-q", "changes/CHG-2026-004.yaml"]);
    write(
        dir.path(),
        "risk/RA-2026-091.yaml",
        "apiVersion: opsgate/v1\nkind: RiskAcceptance\nmetadata: {id: RA-2026-091, title: Disposal, owner: p-ben}\nspec:\n  rules: [GIT-006]\n  artifacts: [CHG-2026-004]\n  scope: Past its retention period.\n  justification: Retention ended.\n  risk_owner: p-ben\n  approval: {approver: p-gwen, role: COO, date: 2026-11-01, decision: approved}\n  expires: 2027-01-31\n",
    );
    commit(dir.path());
    let (code, json) = check_json(dir.path(), &["--base", "main"]);
    assert_eq!(code, 1, "{json:#}");
    // The acceptance names a record that no longer exists (REF-001), so it waives nothing; were
    // it valid, waiving what its own change introduces would be GIT-007.
    assert!(
        failing(&json).contains(&("GIT-006".into(), "error".into())),
        "{json:#}"
    );
    assert_eq!(json["summary"]["waived"], 0);
}

#[cfg(unix)]
#[test]
fn a_symlinked_configuration_is_refused_not_ignored() {
    let dir = repo(&[("ci/real.toml", "[check]\npolicies = [\"team\"]\n")]);
    std::os::unix::fs::symlink("ci/real.toml", dir.path().join("opsgate.toml")).unwrap();
    let output = opsgate().arg("check").arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("symbolic link"));
}
