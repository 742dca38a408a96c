//! `opsgate report --period`: compliance over a period, read from crafted histories on real
//! temporary git repositories (commit dates set with GIT_AUTHOR_DATE / GIT_COMMITTER_DATE).

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn commit(dir: &Path, author: &str, date: &str, message: &str) -> String {
    git_at(dir, author, date, &["add", "-A"]);
    git_at(dir, author, date, &["commit", "-q", "-m", message]);
    git_at(dir, author, date, &["rev-parse", "HEAD"])
}

const PROBLEM: &str = "problems/PRB-2026-007.yaml";
const ROOT_CAUSE: &str = "  root_cause: Certificates on backend hosts were issued manually and not tracked by the renewal automation.\n";

/// acme committed on 2026-09-20; the problem's root cause removed on 2026-10-10 by Bea Breaker
/// and restored on 2026-10-24 by Fay Fixer; an unrelated commit in between.
struct History {
    dir: tempfile::TempDir,
    broke: String,
    fixed: String,
}

fn history() -> History {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("acme"), dir.path());
    git_at(
        dir.path(),
        "Init",
        "2026-09-20",
        &["init", "-q", "-b", "main"],
    );
    commit(
        dir.path(),
        "Ivy Importer",
        "2026-09-20",
        "Import the operations artifacts",
    );
    let path = dir.path().join(PROBLEM);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(ROOT_CAUSE));
    std::fs::write(&path, text.replace(ROOT_CAUSE, "")).unwrap();
    let broke = commit(
        dir.path(),
        "Bea Breaker",
        "2026-10-10",
        "Tidy the problem record",
    );
    write(dir.path(), "notes/readme.md", "not an artifact\n");
    commit(dir.path(), "Nora Notes", "2026-10-15", "Notes");
    std::fs::write(&path, &text).unwrap();
    let fixed = commit(
        dir.path(),
        "Fay Fixer",
        "2026-10-24",
        "Restore the root cause",
    );
    History { dir, broke, fixed }
}

fn period_report(dir: &Path, format: &str, extra: &[&str]) -> (i32, String, String) {
    let out = opsgate()
        .arg("report")
        .arg(dir)
        .args(["--period", "2026-10-01..2026-11-24", "--format", format])
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn period_json(dir: &Path, extra: &[&str]) -> Value {
    let (code, stdout, stderr) = period_report(dir, "json", extra);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

fn requirement<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .unwrap_or_else(|| panic!("{code} not in the report"))
}

#[test]
fn an_interval_names_the_commit_that_broke_it_and_the_one_that_fixed_it() {
    let h = history();
    let report = period_json(h.dir.path(), &[]);
    assert_eq!(report["kind"], "period");
    assert_eq!(report["scope"]["start"], "2026-10-01");
    assert_eq!(report["scope"]["commits_in_period"], 3);
    let prb = requirement(&report, "PRB-004");
    assert_eq!(prb["status"], "failed");
    let intervals = prb["intervals"].as_array().unwrap();
    assert_eq!(intervals.len(), 1, "{prb:#}");
    let i = &intervals[0];
    assert_eq!(i["opened"]["cause"], "commit");
    assert_eq!(i["opened"]["date"], "2026-10-10");
    assert_eq!(i["opened"]["commit"]["sha"], h.broke.as_str());
    assert_eq!(i["opened"]["commit"]["author"], "Bea Breaker");
    assert_eq!(i["closed"]["commit"]["sha"], h.fixed.as_str());
    assert_eq!(i["closed"]["commit"]["author"], "Fay Fixer");
    assert_eq!(i["closed"]["date"], "2026-10-24");
    assert_eq!(i["days"], 14);
    assert_eq!(i["artifacts"], serde_json::json!(["PRB-2026-007"]));
    assert_eq!(prb["days_non_compliant"], 14);
    // The state at the start is the import commit, before the period.
    assert_eq!(report["scope"]["baseline"]["author"], "Ivy Importer");
}

#[test]
fn a_requirement_that_held_throughout_is_met() {
    let h = history();
    let report = period_json(h.dir.path(), &[]);
    // The back-out plan of CHG-2026-004 was never removed.
    let chg = requirement(&report, "CHG-010");
    assert_eq!(chg["status"], "met", "{chg:#}");
    assert_eq!(chg["intervals"], serde_json::json!([]));
}

#[test]
fn a_failure_still_open_at_the_end_has_no_fix() {
    let h = history();
    let path = h.dir.path().join(PROBLEM);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace(ROOT_CAUSE, "")).unwrap();
    let again = commit(h.dir.path(), "Bea Breaker", "2026-11-02", "Tidy again");
    let report = period_json(h.dir.path(), &[]);
    let intervals = requirement(&report, "PRB-004")["intervals"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(intervals.len(), 2);
    assert_eq!(intervals[1]["opened"]["commit"]["sha"], again.as_str());
    assert!(intervals[1].get("closed").is_none());
    assert_eq!(intervals[1]["days"], 22); // to the period's end, 2026-11-24
}

#[test]
fn the_period_is_read_from_the_named_branch_first_parent_only() {
    let h = history();
    // A side branch that breaks the record again is not part of main's history.
    git_at(
        h.dir.path(),
        "X",
        "2026-11-01",
        &["checkout", "-q", "-b", "side"],
    );
    let path = h.dir.path().join(PROBLEM);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace(ROOT_CAUSE, "")).unwrap();
    commit(h.dir.path(), "Side", "2026-11-01", "side");
    let main = period_json(h.dir.path(), &["--branch", "main"]);
    assert_eq!(
        requirement(&main, "PRB-004")["intervals"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let side = period_json(h.dir.path(), &["--branch", "side"]);
    assert_eq!(
        requirement(&side, "PRB-004")["intervals"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn a_shallow_clone_that_does_not_reach_the_period_start_is_refused_with_what_to_fetch() {
    let h = history();
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", h.dir.path().display());
    git_at(
        clone.path(),
        "C",
        "2026-11-24",
        &["clone", "-q", "--depth", "1", &url, "."],
    );
    let (code, stdout, stderr) = period_report(clone.path(), "json", &[]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("shallow"), "{stderr}");
    assert!(
        stderr.contains("git fetch --shallow-since=2026-10-01"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&h.fixed),
        "names the boundary commit: {stderr}"
    );
    // Deep enough: the clone reaches the commit before the period, and the report is whole.
    git_at(
        clone.path(),
        "C",
        "2026-11-24",
        &["fetch", "-q", "--shallow-since=2026-09-01"],
    );
    let report = period_json(clone.path(), &[]);
    assert_eq!(
        requirement(&report, "PRB-004")["intervals"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_history_that_begins_inside_the_period_starts_from_nothing() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("acme"), dir.path());
    let path = dir.path().join(PROBLEM);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace(ROOT_CAUSE, "")).unwrap();
    git_at(dir.path(), "I", "2026-10-05", &["init", "-q", "-b", "main"]);
    let first = commit(dir.path(), "Ivy Importer", "2026-10-05", "Import");
    let report = period_json(dir.path(), &[]);
    assert!(report["scope"].get("baseline").is_none());
    let i = &requirement(&report, "PRB-004")["intervals"][0];
    assert_eq!(i["opened"]["commit"]["sha"], first.as_str());
    assert_eq!(i["opened"]["cause"], "commit");
}

#[test]
fn only_failed_leaves_out_what_held() {
    let h = history();
    let report = period_json(h.dir.path(), &["--only", "failed"]);
    assert_eq!(report["only"], "failed");
    let requirements = report["requirements"].as_array().unwrap();
    assert!(!requirements.is_empty());
    assert!(requirements.iter().all(|r| r["status"] == "failed"));
    assert!(requirements.iter().any(|r| r["code"] == "PRB-004"));
}

#[test]
fn markdown_html_and_csv_show_the_interval() {
    let h = history();
    let (code, md, stderr) = period_report(h.dir.path(), "markdown", &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(md.contains("### PRB-004"), "{md}");
    assert!(
        md.contains(&format!(
            "2026-10-10, commit {} by Bea Breaker",
            &h.broke[..12]
        )),
        "{md}"
    );
    assert!(
        md.contains(&format!(
            "fixed 2026-10-24, commit {} by Fay Fixer",
            &h.fixed[..12]
        )),
        "{md}"
    );
    let (_, html, _) = period_report(h.dir.path(), "html", &[]);
    assert!(html.contains("Bea Breaker") && html.contains("Fay Fixer"));
    let (_, csv, _) = period_report(h.dir.path(), "csv", &[]);
    let row = csv
        .lines()
        .find(|l| l.starts_with("PRB-004,") && l.contains("PRB-2026-007"))
        .unwrap_or_else(|| panic!("{csv}"));
    assert!(
        row.contains(&format!(
            "2026-10-10,{},Bea Breaker,2026-10-24,{},Fay Fixer,14,",
            h.broke, h.fixed
        )),
        "{row}"
    );
}

#[test]
fn period_conflicts_with_as_of_and_must_be_a_range() {
    let h = history();
    for (args, message) in [
        (vec!["--period", "2026-10-01"], "START..END"),
        (
            vec!["--period", "2026-11-01..2026-10-01"],
            "ends before it starts",
        ),
        (vec!["--period", "2026-10-01..2026-13-01"], "not a date"),
    ] {
        let out = opsgate()
            .arg("report")
            .arg(h.dir.path())
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(message),
            "{args:?}"
        );
    }
    let out = opsgate()
        .arg("report")
        .arg(h.dir.path())
        .args([
            "--period",
            "2026-10-01..2026-11-01",
            "--as-of",
            "2026-11-01",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// (code, artifact) of every counting policy finding of `opsgate check` at the work tree.
fn failing_now(dir: &Path, as_of: &str) -> std::collections::BTreeSet<(String, String)> {
    let out = opsgate()
        .arg("check")
        .arg(dir)
        .args(["--format", "json", "--as-of", as_of, "--no-config"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "failing" && f["severity"] != "info" && f["stage"] == "policy")
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["artifact"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_same_day_commit_evaluated_incrementally_opens_exactly_what_a_full_check_finds() {
    let h = history();
    let dir = h.dir.path();
    // Two commits on one day: the second is evaluated over its neighbourhood only.
    write(dir, "notes/day.md", "first of the day\n");
    commit(dir, "Nora Notes", "2026-11-03", "Notes");
    let before = failing_now(dir, "2026-11-03");
    std::fs::remove_file(dir.join("cmdb/ci-db-01.yaml")).unwrap();
    let deleted = commit(dir, "Del Deleter", "2026-11-03", "Remove the database CI");
    let after = failing_now(dir, "2026-11-03");
    let new: std::collections::BTreeSet<_> = after.difference(&before).cloned().collect();
    assert!(
        !new.is_empty(),
        "deleting a referenced CI breaks its neighbours"
    );
    let report = period_json(dir, &[]);
    let mut opened = std::collections::BTreeSet::new();
    for r in report["requirements"].as_array().unwrap() {
        for i in r["intervals"].as_array().unwrap() {
            if i["opened"]["commit"]["sha"] == deleted.as_str() {
                assert_eq!(i["opened"]["cause"], "commit");
                for a in i["artifacts"].as_array().unwrap() {
                    opened.insert((
                        r["code"].as_str().unwrap().to_owned(),
                        a.as_str().unwrap().to_owned(),
                    ));
                }
            }
        }
    }
    assert_eq!(
        opened, new,
        "the incremental evaluation opens what a full check finds"
    );
}

/// Framework views: each control with its catalogue title, sorted naturally (A.5.2 before
/// A.5.10, CIS 1.1 before 11.5), and the controls no rule covers with what automation cannot prove.
#[test]
fn framework_views_title_controls_sort_them_naturally_and_list_the_uncovered() {
    let h = history();
    let report = period_json(h.dir.path(), &[]);
    let view = |key: &str| -> Value {
        report["frameworks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["framework"] == key)
            .cloned()
            .unwrap_or_else(|| panic!("no {key} view"))
    };
    let iso = view("iso27001");
    let ids: Vec<&str> = iso["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["control"].as_str().unwrap())
        .collect();
    let at = |id: &str| {
        ids.iter()
            .position(|c| *c == id)
            .unwrap_or_else(|| panic!("{id} not in {ids:?}"))
    };
    assert!(at("A.5.2") < at("A.5.10") && at("A.5.10") < at("A.8.2"));
    let change = iso["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["control"] == "A.8.32")
        .unwrap();
    assert_eq!(change["title"], "Change management");
    let uncovered: Vec<&str> = iso["uncovered"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["control"].as_str().unwrap())
        .collect();
    assert!(
        uncovered.contains(&"A.7.7") && !uncovered.contains(&"A.8.32"),
        "{uncovered:?}"
    );
    assert_eq!(uncovered.len() + ids.len(), 93);
    assert!(iso["limits"].as_str().unwrap().contains("cannot prove"));
    let cis = view("cis");
    let ids: Vec<&str> = cis["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["control"].as_str().unwrap())
        .collect();
    let at = |id: &str| ids.iter().position(|c| *c == id).unwrap();
    assert!(at("1.1") < at("2.1") && at("2.1") < at("11.5"));
    let uncovered: Vec<&str> = cis["uncovered"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["control"].as_str().unwrap())
        .collect();
    // Coverage is per Safeguard: the 153 are either cited or listed, never both.
    assert_eq!(cis["catalogued"], 153);
    assert_eq!(uncovered.len(), 128, "{uncovered:?}");
    assert!(uncovered.iter().all(|u| !ids.contains(u)), "{uncovered:?}");
    assert_eq!(uncovered.len() + ids.len(), 153);
    let of = |group: &str| -> Vec<&str> {
        cis["uncovered"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["group"] == group)
            .map(|c| c["control"].as_str().unwrap())
            .collect()
    };
    assert_eq!(of("1"), ["1.2", "1.3", "1.4", "1.5"]);
    assert_eq!(of("3").len(), 14);
    assert!(
        of("17").is_empty(),
        "every Safeguard of Control 17 is cited"
    );
    assert_eq!(cis["uncovered"][0]["title"], "Address Unauthorized Assets");
    // NIST: per base control; an enhancement covers its base (CM-7 through CM-7(5), SC-5
    // through SC-5(2)); enhancements are never listed.
    let nist = view("nist");
    assert_eq!(nist["catalogued"], 299);
    let uncovered: Vec<&str> = nist["uncovered"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["control"].as_str().unwrap())
        .collect();
    // 236 since the backdating rules (EVD-*) cite AU-10.
    assert_eq!(uncovered.len(), 236, "{uncovered:?}");
    assert!(!uncovered.contains(&"AU-10"));
    for covered in ["CM-3", "CP-2", "CM-7", "SC-5"] {
        assert!(!uncovered.contains(&covered), "{covered} is covered");
    }
    assert!(uncovered.iter().all(|u| !u.contains('(')));
    let at = |id: &str| uncovered.iter().position(|c| *c == id).unwrap();
    assert!(at("AC-3") < at("AC-10") && at("AC-25") < at("AT-1") && at("SR-2") < at("SR-12"));
    let (code, markdown, _) = period_report(h.dir.path(), "markdown", &[]);
    assert_eq!(code, 0);
    assert!(
        markdown.contains("| A.8.32 Change management |"),
        "{markdown}"
    );
    assert!(markdown.contains("**Not covered by any rule: 128 of 153 controls.**"));
    assert!(
        markdown.contains("\n- **1 Inventory and Control of Enterprise Assets** (4 of 5): 1.2 Address Unauthorized Assets; 1.3 Utilize an Active Discovery Tool; "),
        "{markdown}"
    );
    assert!(markdown.contains("\n- **AC Access Control** (19 of 23): AC-3 Access Enforcement; "));
    assert!(!markdown.contains("**17 Incident Response Management**"));
}
