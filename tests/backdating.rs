//! Paperwork written after the fact (EVD-001…005), on real temporary git repositories whose
//! histories are crafted with dated commits (GIT_AUTHOR_DATE / GIT_COMMITTER_DATE). Every test
//! asserts the exact set of EVD findings; the false-alarm side (normal practice) is tested as
//! hard as the detection side.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

const AS_OF: &str = "2026-11-24";

/// A repository that starts, as adoption does, with an import commit (a Person: nothing dated),
/// so that later commits are judged.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git_at(
        dir.path(),
        "Init",
        "2026-01-01",
        &["init", "-q", "-b", "main"],
    );
    write(dir.path(), "people/p-ann.yaml", person("p-ann"));
    commit(dir.path(), "2026-01-01T09:00:00Z", "Import");
    dir
}

/// Commits everything at `at` (RFC 3339), committer and author dates alike.
fn commit(dir: &Path, at: &str, message: &str) -> String {
    git_at(dir, "Dev", at, &["add", "-A"]);
    git_at(
        dir,
        "Dev",
        at,
        &["commit", "-q", "--allow-empty", "-m", message],
    );
    git(dir, &["rev-parse", "HEAD"])
}

fn report(dir: &Path, format: &str, extra: &[&str]) -> std::process::Output {
    // --period conflicts with --as-of: the period's end is the date.
    let as_of: &[&str] = if extra.contains(&"--period") {
        &[]
    } else {
        &["--as-of", AS_OF]
    };
    opsgate()
        .arg("report")
        .arg(dir)
        .args(as_of)
        .args(["--format", format])
        .args(extra)
        .output()
        .unwrap()
}

fn report_json(dir: &Path, extra: &[&str]) -> Value {
    let out = report(dir, "json", extra);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// (code, artifact, line) of every EVD finding, sorted.
fn evd(report: &Value) -> Vec<(String, String, u64)> {
    let mut out: Vec<(String, String, u64)> = report["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["code"].as_str().unwrap().starts_with("EVD-"))
        .flat_map(|r| {
            r["findings"].as_array().unwrap().iter().map(move |f| {
                (
                    r["code"].as_str().unwrap().to_owned(),
                    f["artifact"].as_str().unwrap_or_default().to_owned(),
                    f["line"].as_u64().unwrap_or(0),
                )
            })
        })
        .collect();
    out.sort();
    out
}

fn messages(report: &Value, code: &str) -> Vec<String> {
    let requirement = report["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .unwrap();
    requirement["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_owned())
        .collect()
}

fn status(report: &Value, code: &str) -> String {
    let requirement = report["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .unwrap();
    requirement["status"].as_str().unwrap().to_owned()
}

fn found(code: &str, artifact: &str, line: u64) -> (String, String, u64) {
    (code.to_owned(), artifact.to_owned(), line)
}

const CHANGE: &str = "changes/CHG-1.yaml";

/// A normal change: approval `approval` (date), and when given, implementation started `started`.
fn change(approval: &str, started: Option<&str>) -> String {
    let mut text = format!(
        "apiVersion: opsgate/v1\nkind: ChangeRecord\nmetadata: {{id: CHG-1, title: Patch, owner: p-ann}}\nspec:\n  type: normal\n  status: authorized\n  requested_by: p-ann\n  requested_on: 2026-02-27\n  affected_cis: [CI-1]\n  approvals:\n    - {{approver: p-ann, role: CAB chair, date: {approval}, decision: approved}}\n"
    );
    if let Some(started) = started {
        text.push_str(&format!(
            "  implementation: {{implemented_by: p-ann, started: \"{started}\"}}\n"
        ));
    }
    text
}

// ---- EVD-001: approvals before implementation ----

#[test]
fn approval_recorded_then_implemented_the_same_day_is_normal_practice() {
    let dir = repo();
    write(dir.path(), CHANGE, change("2026-03-01", None));
    commit(dir.path(), "2026-03-01T09:00:00Z", "CHG-1 approved");
    write(
        dir.path(),
        CHANGE,
        change("2026-03-01", Some("2026-03-01T14:00:00Z")),
    );
    commit(dir.path(), "2026-03-01T15:00:00Z", "CHG-1 implemented");
    let json = report_json(dir.path(), &[]);
    assert_eq!(evd(&json), vec![]);
    assert_eq!(status(&json, "EVD-001"), "met");
}

#[test]
fn an_approval_squashed_into_the_implementation_commit_is_flagged() {
    let dir = repo();
    write(
        dir.path(),
        CHANGE,
        change("2026-03-01", Some("2026-03-02T10:00:00Z")),
    );
    commit(
        dir.path(),
        "2026-03-05T12:00:00Z",
        "CHG-1 approved and implemented",
    );
    let json = report_json(dir.path(), &[]);
    assert_eq!(evd(&json), vec![found("EVD-001", "CHG-1", 11)]);
    let message = &messages(&json, "EVD-001")[0];
    assert!(
        message.contains("dated 2026-03-01 was first committed in commit"),
        "{message}"
    );
    assert!(message.contains("2026-03-05 12:00 UTC"), "{message}");
    assert!(
        message.contains("after implementation started (2026-03-02T10:00:00Z)"),
        "{message}"
    );
    assert_eq!(status(&json, "EVD-001"), "failed");
}

#[test]
fn an_approval_added_after_the_implementation_was_recorded_is_flagged() {
    let dir = repo();
    let implemented = change("2026-03-01", Some("2026-03-02T10:00:00Z")).replace("  approvals:\n    - {approver: p-ann, role: CAB chair, date: 2026-03-01, decision: approved}\n", "");
    write(dir.path(), CHANGE, implemented);
    commit(dir.path(), "2026-03-02T11:00:00Z", "CHG-1 implemented");
    write(
        dir.path(),
        CHANGE,
        change("2026-03-01", Some("2026-03-02T10:00:00Z")),
    );
    commit(
        dir.path(),
        "2026-03-03T09:00:00Z",
        "Add the missing approval",
    );
    assert_eq!(
        evd(&report_json(dir.path(), &[])),
        vec![found("EVD-001", "CHG-1", 11)]
    );
}

#[test]
fn a_commit_dated_before_its_parent_counts_from_its_parent() {
    // The approval's commit claims 2026-03-01, but it follows the implementation's commit of
    // 2026-03-02: it cannot have been made before it.
    let dir = repo();
    let implemented = change("2026-03-01", Some("2026-03-02T10:00:00Z")).replace(
        "  approvals:\n    - {approver: p-ann, role: CAB chair, date: 2026-03-01, decision: approved}\n",
        "",
    );
    write(dir.path(), CHANGE, implemented);
    commit(dir.path(), "2026-03-02T11:00:00Z", "CHG-1 implemented");
    write(
        dir.path(),
        CHANGE,
        change("2026-03-01", Some("2026-03-02T10:00:00Z")),
    );
    commit(
        dir.path(),
        "2026-03-01T08:00:00Z",
        "Approval, with a forged date",
    );
    let json = report_json(dir.path(), &[]);
    assert_eq!(evd(&json), vec![found("EVD-001", "CHG-1", 11)]);
    let message = &messages(&json, "EVD-001")[0];
    assert!(
        message.contains("(2026-03-02 11:00 UTC, Dev; dated 2026-03-01 08:00 UTC by its committer, before its parent)"),
        "{message}"
    );
}

#[test]
fn a_rejection_and_an_unimplemented_change_need_no_timely_record() {
    let dir = repo();
    let rejected = change("2026-03-01", Some("2026-03-02T10:00:00Z"))
        .replace("decision: approved", "decision: rejected");
    write(dir.path(), CHANGE, rejected);
    write(
        dir.path(),
        "changes/CHG-2.yaml",
        change("2026-03-01", None).replace("CHG-1", "CHG-2"),
    );
    commit(
        dir.path(),
        "2026-06-01T12:00:00Z",
        "Late, but nothing was implemented on them",
    );
    assert_eq!(evd(&report_json(dir.path(), &[])), vec![]);
}

fn emergency(approval: &str) -> String {
    change(approval, Some("2026-03-01T02:00:00Z")).replace("type: normal", "type: emergency").replace(
        "  affected_cis",
        "  emergency: {authority: ECAB, authorized_by: p-ann, authorized_at: \"2026-03-01T01:00:00Z\", reason: Outage}\n  affected_cis",
    )
}

#[test]
fn an_emergency_change_may_record_its_written_approval_within_the_window() {
    let dir = repo();
    write(dir.path(), CHANGE, emergency("2026-03-02"));
    // 71 hours after the authorization: within the 72-hour window.
    commit(
        dir.path(),
        "2026-03-04T00:00:00Z",
        "Emergency change written up",
    );
    assert_eq!(evd(&report_json(dir.path(), &[])), vec![]);

    let late = repo();
    write(late.path(), CHANGE, emergency("2026-03-02"));
    commit(
        late.path(),
        "2026-03-04T02:00:00Z",
        "Emergency change written up, 73 hours on",
    );
    assert_eq!(
        evd(&report_json(late.path(), &[])),
        vec![found("EVD-001", "CHG-1", 12)]
    );
}

fn release(status: &str) -> String {
    format!("apiVersion: opsgate/v1\nkind: ReleaseRecord\nmetadata: {{id: REL-1, title: Release, owner: p-ann}}\nspec:\n  change: CHG-1\n  status: {status}\n  environment: production\n  release_date: 2026-04-10\n")
}

#[test]
fn a_release_deployed_before_its_change_was_approved_on_record_is_flagged() {
    let dir = repo();
    write(dir.path(), "releases/REL-1.yaml", release("deployed"));
    write(dir.path(), CHANGE, change("2026-04-09", None).replace("  approvals:\n    - {approver: p-ann, role: CAB chair, date: 2026-04-09, decision: approved}\n", ""));
    commit(dir.path(), "2026-04-10T18:00:00Z", "Deployed");
    write(dir.path(), CHANGE, change("2026-04-09", None));
    commit(dir.path(), "2026-04-12T09:00:00Z", "Approval written up");
    assert_eq!(
        evd(&report_json(dir.path(), &[])),
        vec![found("EVD-001", "REL-1", 5)]
    );

    // Approved on record the day it was deployed: normal practice.
    let ok = repo();
    write(ok.path(), CHANGE, change("2026-04-09", None));
    commit(ok.path(), "2026-04-10T08:00:00Z", "Approved");
    write(ok.path(), "releases/REL-1.yaml", release("deployed"));
    commit(ok.path(), "2026-04-10T18:00:00Z", "Deployed");
    assert_eq!(evd(&report_json(ok.path(), &[])), vec![]);
}

// ---- EVD-002: tests, reviews, evaluations within the grace period ----

const PLAN: &str = "continuity/BCP-1.yaml";

fn plan(tests: &[&str]) -> String {
    let mut text = "apiVersion: opsgate/v1\nkind: ContinuityPlan\nmetadata: {id: BCP-1, title: Continuity, owner: p-ann}\nspec:\n  tests:\n".to_owned();
    for date in tests {
        text.push_str(&format!(
            "    - {{date: {date}, type: tabletop, result: passed}}\n"
        ));
    }
    text
}

#[test]
fn a_test_committed_within_the_grace_period_passes_and_months_later_fails() {
    let dir = repo();
    write(dir.path(), PLAN, plan(&["2026-01-10"]));
    commit(
        dir.path(),
        "2026-01-24T18:00:00Z",
        "Tabletop exercise, 14 days on",
    );
    write(dir.path(), PLAN, plan(&["2026-01-10", "2026-02-01"]));
    commit(
        dir.path(),
        "2026-05-01T12:00:00Z",
        "February exercise, written up in May",
    );
    let json = report_json(dir.path(), &[]);
    assert_eq!(evd(&json), vec![found("EVD-002", "BCP-1", 7)]);
    let message = &messages(&json, "EVD-002")[0];
    assert!(
        message.starts_with("test of BCP-1 dated 2026-02-01 was first committed in commit"),
        "{message}"
    );
    assert!(
        message.ends_with("more than 14 days after its date"),
        "{message}"
    );
}

#[test]
fn a_failover_test_recorded_months_after_it_ran_is_flagged() {
    let dir = repo();
    let plan = |tested_on: &str| {
        format!(
            "apiVersion: opsgate/v1\nkind: AvailabilityPlan\nmetadata: {{id: AVP-1, title: Availability, owner: p-ann}}\n\
             spec:\n  services:\n    - service: svc-a\n      failover: {{mechanism: multi-zone, tested_on: {tested_on}}}\n"
        )
    };
    write(dir.path(), "availability/AVP-1.yaml", plan("2026-01-05"));
    commit(
        dir.path(),
        "2026-01-10T12:00:00Z",
        "Failover test, five days on",
    );
    write(dir.path(), "availability/AVP-1.yaml", plan("2026-02-01"));
    commit(
        dir.path(),
        "2026-06-01T12:00:00Z",
        "February failover test, recorded in June",
    );
    let json = report_json(dir.path(), &[]);
    assert_eq!(evd(&json), vec![found("EVD-002", "AVP-1", 7)]);
    assert!(messages(&json, "EVD-002")[0].starts_with("test of AVP-1 dated 2026-02-01"));
}

#[test]
fn the_grace_period_is_a_parameter_and_the_rule_is_configurable() {
    let dir = repo();
    write(dir.path(), PLAN, plan(&["2026-02-01"]));
    commit(dir.path(), "2026-05-01T12:00:00Z", "Written up in May");
    write(
        dir.path(),
        "opsgate.toml",
        "[params]\nevidence_grace_days = 120\n",
    );
    assert_eq!(evd(&report_json(dir.path(), &[])), vec![]);
    write(
        dir.path(),
        "opsgate.toml",
        "[rules.severity]\n\"EVD-002\" = \"error\"\n",
    );
    let json = report_json(dir.path(), &[]);
    assert_eq!(evd(&json), vec![found("EVD-002", "BCP-1", 6)]);
    let requirement = json["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "EVD-002")
        .unwrap();
    assert_eq!(requirement["findings"][0]["severity"], "error");
    write(
        dir.path(),
        "opsgate.toml",
        "[rules]\ndisable = [\"EVD-002\"]\n",
    );
    assert_eq!(status(&report_json(dir.path(), &[]), "EVD-002"), "disabled");
}

#[test]
fn a_risk_acceptance_waives_a_late_record_through_the_sink() {
    let dir = repo();
    write(dir.path(), PLAN, plan(&["2026-02-01"]));
    commit(dir.path(), "2026-05-01T12:00:00Z", "Written up in May");
    write(dir.path(), "people/p-bob.yaml", person("p-bob"));
    write(dir.path(), "waivers/RA-1.yaml", "apiVersion: opsgate/v1\nkind: RiskAcceptance\nmetadata: {id: RA-1, title: Late write-up, owner: p-ann}\nspec:\n  rules: [EVD-002]\n  artifacts: [BCP-1]\n  scope: The February exercise was written up late.\n  justification: Minutes kept in the meeting tool at the time.\n  risk_owner: p-ann\n  approval: {approver: p-bob, role: CISO, date: 2026-11-01, decision: approved}\n  expires: 2027-01-31\n");
    commit(
        dir.path(),
        "2026-11-01T12:00:00Z",
        "Accept the late write-up",
    );
    let json = report_json(dir.path(), &[]);
    assert_eq!(
        status(&json, "EVD-002"),
        "waived",
        "{:#}",
        json["requirements"]
    );
    let requirement = json["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "EVD-002")
        .unwrap();
    assert_eq!(requirement["findings"][0]["waiver"]["id"], "RA-1");
}

#[test]
fn a_moved_record_keeps_its_first_commit() {
    let dir = repo();
    write(dir.path(), PLAN, plan(&["2026-02-01"]));
    commit(dir.path(), "2026-02-02T12:00:00Z", "Exercise");
    std::fs::create_dir_all(dir.path().join("plans")).unwrap();
    git(dir.path(), &["mv", PLAN, "plans/continuity.yaml"]);
    commit(dir.path(), "2026-09-01T12:00:00Z", "Reorganise the folders");
    assert_eq!(evd(&report_json(dir.path(), &[])), vec![]);
}

#[test]
fn a_record_removed_and_added_again_counts_from_its_first_commit() {
    let dir = repo();
    write(dir.path(), PLAN, plan(&["2026-02-01"]));
    commit(dir.path(), "2026-02-02T12:00:00Z", "Exercise");
    write(dir.path(), PLAN, plan(&[]));
    commit(dir.path(), "2026-03-01T12:00:00Z", "Oops");
    write(dir.path(), PLAN, plan(&["2026-02-01"]));
    commit(dir.path(), "2026-07-01T12:00:00Z", "Restore");
    assert_eq!(evd(&report_json(dir.path(), &[])), vec![]);
}

#[test]
fn redating_a_record_makes_it_a_new_one() {
    // Changing the date of a timely record to an older one is a backdated record.
    let dir = repo();
    write(dir.path(), PLAN, plan(&["2026-06-01"]));
    commit(dir.path(), "2026-06-02T12:00:00Z", "June exercise");
    write(dir.path(), PLAN, plan(&["2026-03-01"]));
    commit(
        dir.path(),
        "2026-06-20T12:00:00Z",
        "It was in March, really",
    );
    assert_eq!(
        evd(&report_json(dir.path(), &[])),
        vec![found("EVD-002", "BCP-1", 6)]
    );
}

#[test]
fn a_record_in_the_work_tree_only_is_not_in_the_history() {
    let dir = repo();
    write(dir.path(), PLAN, plan(&["2026-02-01"]));
    let json = report_json(dir.path(), &[]);
    assert_eq!(evd(&json), vec![found("EVD-002", "BCP-1", 6)]);
    assert!(messages(&json, "EVD-002")[0].contains("not committed to the history at all"));
}

#[test]
fn the_records_of_the_first_commit_are_counted_not_judged() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    write(dir.path(), PLAN, plan(&["2025-01-10", "2025-06-10"]));
    commit(
        dir.path(),
        "2026-09-01T12:00:00Z",
        "Import the records kept on the wiki",
    );
    let json = report_json(dir.path(), &[]);
    assert_eq!(evd(&json), vec![found("EVD-005", "", 0)]);
    let message = &messages(&json, "EVD-005")[0];
    assert!(message.contains("(2026-09-01, Dev)"), "{message}");
    assert!(
        message.contains("the 2 dated record(s) it imported"),
        "{message}"
    );
    assert_eq!(status(&json, "EVD-002"), "met");
}

// ---- EVD-003: change records before the configuration they authorize ----

const CI: &str = "cis/CI-1.yaml";

fn ci(version: &str, last_change: Option<&str>) -> String {
    let mut text = format!("apiVersion: opsgate/v1\nkind: ConfigurationItem\nmetadata: {{id: CI-1, title: Web, owner: p-ann}}\nspec:\n  type: server\n  environment: production\n  version: \"{version}\"\n");
    if let Some(change) = last_change {
        text.push_str(&format!("  last_change: {change}\n"));
    }
    text
}

fn planned_change() -> String {
    change("2026-03-09", None).replace("  approvals", "  plan: {scheduled_start: \"2026-03-10T08:00:00Z\", scheduled_end: \"2026-03-10T18:00:00Z\"}\n  approvals")
}

#[test]
fn a_change_record_written_after_its_ci_was_modified_is_flagged() {
    let dir = repo();
    write(dir.path(), CI, ci("1.0", None));
    commit(dir.path(), "2026-02-01T12:00:00Z", "CI");
    write(dir.path(), CI, ci("1.1", Some("CHG-1")));
    commit(dir.path(), "2026-03-10T12:00:00Z", "Upgrade the web server");
    write(dir.path(), CHANGE, planned_change());
    commit(
        dir.path(),
        "2026-03-12T12:00:00Z",
        "The change record for the upgrade",
    );
    let json = report_json(dir.path(), &[]);
    assert_eq!(evd(&json), vec![found("EVD-003", "CHG-1", 9)]);
    let message = &messages(&json, "EVD-003")[0];
    assert!(
        message.starts_with("configuration item CI-1 was modified in commit"),
        "{message}"
    );
    assert!(message.contains("2026-03-10 12:00 UTC"), "{message}");
    assert!(
        message.contains(
            "before change record CHG-1 existed in the history (first committed in commit"
        ),
        "{message}"
    );
}

#[test]
fn a_modification_in_the_window_that_names_no_change_is_flagged_too() {
    let dir = repo();
    write(dir.path(), CI, ci("1.0", None));
    commit(dir.path(), "2026-02-01T12:00:00Z", "CI");
    write(dir.path(), CI, ci("1.1", None));
    commit(dir.path(), "2026-03-10T12:00:00Z", "Upgrade the web server");
    write(dir.path(), CHANGE, planned_change());
    commit(
        dir.path(),
        "2026-03-12T12:00:00Z",
        "The change record for the upgrade",
    );
    assert_eq!(
        evd(&report_json(dir.path(), &[])),
        vec![found("EVD-003", "CHG-1", 9)]
    );
}

#[test]
fn change_first_then_ci_or_both_in_one_commit_is_normal_practice() {
    let dir = repo();
    write(dir.path(), CI, ci("1.0", None));
    commit(dir.path(), "2026-02-01T12:00:00Z", "CI");
    write(dir.path(), CHANGE, planned_change());
    commit(dir.path(), "2026-03-09T12:00:00Z", "Change approved");
    write(dir.path(), CI, ci("1.1", Some("CHG-1")));
    commit(dir.path(), "2026-03-10T12:00:00Z", "Upgrade");
    assert_eq!(evd(&report_json(dir.path(), &[])), vec![]);

    let together = repo();
    write(together.path(), CI, ci("1.0", None));
    commit(together.path(), "2026-02-01T12:00:00Z", "CI");
    write(together.path(), CHANGE, planned_change());
    write(together.path(), CI, ci("1.1", Some("CHG-1")));
    commit(
        together.path(),
        "2026-03-09T12:00:00Z",
        "Change and its configuration in one pull request",
    );
    assert_eq!(evd(&report_json(together.path(), &[])), vec![]);
}

#[test]
fn an_earlier_change_or_a_record_keeping_edit_is_not_this_change() {
    let dir = repo();
    write(dir.path(), CI, ci("1.0", None));
    commit(dir.path(), "2026-02-01T12:00:00Z", "CI");
    // Before the window: another change's doing.
    write(dir.path(), CI, ci("1.1", None));
    commit(dir.path(), "2026-03-01T12:00:00Z", "Earlier upgrade");
    // In the window but only record-keeping fields move (GIT-001's distinction).
    write(
        dir.path(),
        CI,
        format!(
            "{}  baseline_compliance: {{checked_on: 2026-03-10, compliant: true}}\n",
            ci("1.1", None)
        ),
    );
    commit(dir.path(), "2026-03-10T12:00:00Z", "Baseline re-checked");
    write(dir.path(), CHANGE, planned_change());
    commit(dir.path(), "2026-03-12T12:00:00Z", "Change record");
    assert_eq!(evd(&report_json(dir.path(), &[])), vec![]);
}

// ---- EVD-004: the history must be there ----

#[test]
fn a_shallow_clone_is_reported_never_taken_as_the_first_record() {
    let origin = repo();
    write(origin.path(), PLAN, plan(&["2026-02-01"]));
    commit(
        origin.path(),
        "2026-05-01T12:00:00Z",
        "Late exercise write-up",
    );
    write(origin.path(), "notes.md", "x\n");
    commit(origin.path(), "2026-05-02T12:00:00Z", "Notes");
    // The full clone flags it ...
    assert_eq!(
        evd(&report_json(origin.path(), &[])),
        vec![found("EVD-002", "BCP-1", 6)]
    );
    // ... a shallow one cannot date it and says so.
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    git(clone.path(), &["clone", "-q", "--depth", "1", &url, "."]);
    let json = report_json(clone.path(), &[]);
    assert_eq!(evd(&json), vec![found("EVD-004", "", 0)]);
    let message = &messages(&json, "EVD-004")[0];
    assert!(
        message.starts_with("this clone is shallow: its history stops at commit"),
        "{message}"
    );
    assert!(
        message.contains("the 1 dated record(s) it already holds"),
        "{message}"
    );
    assert_eq!(status(&json, "EVD-004"), "failed");
    // Deepened far enough, the finding is back.
    git(clone.path(), &["fetch", "-q", "--unshallow"]);
    assert_eq!(
        evd(&report_json(clone.path(), &[])),
        vec![found("EVD-002", "BCP-1", 6)]
    );
}

#[test]
fn outside_git_the_report_says_backdating_was_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), PLAN, plan(&["2026-02-01"]));
    let json = report_json(dir.path(), &[]);
    assert_eq!(evd(&json), vec![found("EVD-004", "", 0)]);
    assert!(messages(&json, "EVD-004")[0].starts_with("not in a git repository"));
}

// ---- where the findings appear ----

#[test]
fn every_report_format_lists_them_and_check_does_not_run_them() {
    let dir = repo();
    write(dir.path(), PLAN, plan(&["2026-02-01"]));
    commit(dir.path(), "2026-05-01T12:00:00Z", "Late");
    for format in ["html", "markdown", "csv", "oscal"] {
        let out = report(dir.path(), format, &[]);
        assert_eq!(out.status.code(), Some(0), "{format}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("EVD-002"), "{format}");
        // OSCAL's findings are the requirements' status (and their count), not the messages.
        if format != "oscal" {
            assert!(text.contains("test of BCP-1 dated 2026-02-01"), "{format}");
        }
    }
    let (_, json) = check_json(dir.path(), &[]);
    assert!(
        !codes(&json).iter().any(|c| c.starts_with("EVD-")),
        "{json:#}"
    );
}

#[test]
fn the_period_report_opens_the_interval_at_the_late_commit() {
    let dir = repo();
    write(dir.path(), PLAN, plan(&["2026-02-01"]));
    let late = commit(dir.path(), "2026-05-01T12:00:00Z", "Late");
    write(dir.path(), "notes.md", "x\n");
    commit(dir.path(), "2026-06-01T12:00:00Z", "Notes");
    let json = report_json(dir.path(), &["--period", "2026-04-01..2026-06-30"]);
    let requirement = json["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "EVD-002")
        .unwrap();
    assert_eq!(requirement["status"], "failed");
    let intervals = requirement["intervals"].as_array().unwrap();
    assert_eq!(intervals.len(), 1, "{requirement:#}");
    assert_eq!(intervals[0]["opened"]["commit"]["sha"], late.as_str());
    assert_eq!(intervals[0]["artifacts"], serde_json::json!(["BCP-1"]));
    assert!(intervals[0].get("closed").is_none());
}
