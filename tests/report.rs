//! `opsgate report`: the auditor's view, with evidence traced to real git commits and HTML that a
//! real browser renders without running anything from the repository.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use common::*;
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Process::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Auditor Test",
            "-c",
            "user.email=audit@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .env("GIT_AUTHOR_DATE", "2026-10-01T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-10-01T12:00:00Z")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn report_json(dir: &Path, extra: &[&str]) -> Value {
    let out = opsgate()
        .arg("report")
        .arg(dir)
        .args(["--as-of", AS_OF, "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn requirement<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .unwrap()
}

#[test]
fn evidence_is_traced_to_the_commits_that_last_changed_it() {
    let repo = tempfile::tempdir().unwrap();
    copy_dir(&fixture("acme"), repo.path());
    git(repo.path(), &["init", "-q", "-b", "main"]);
    git(repo.path(), &["add", "."]);
    git(
        repo.path(),
        &["commit", "-q", "-m", "Import the operations artifacts"],
    );
    std::fs::write(
        repo.path().join("releases/REL-2026-014.yaml"),
        std::fs::read_to_string(repo.path().join("releases/REL-2026-014.yaml")).unwrap()
            + "# reviewed\n",
    )
    .unwrap();
    git(
        repo.path(),
        &["commit", "-q", "-am", "Review the portal release"],
    );
    let head = git(repo.path(), &["rev-parse", "HEAD"]);
    let first = git(repo.path(), &["rev-parse", "HEAD~1"]);

    let report = report_json(repo.path(), &[]);
    assert_eq!(report["scope"]["commit"]["sha"], head.as_str());
    assert_eq!(report["scope"]["branch"], "main");
    assert!(report["scope"]["policy_digest"]
        .as_str()
        .unwrap()
        .starts_with("sha256:"));
    assert_eq!(
        report["totals"]["failed"], 0,
        "acme meets every requirement"
    );

    let release = requirement(&report, "REL-004");
    assert_eq!(release["status"], "met");
    assert_eq!(release["evidence"][0]["id"], "REL-2026-014");
    assert_eq!(release["evidence"][0]["commit"]["sha"], head.as_str());
    assert_eq!(release["evidence"][0]["commit"]["date"], "2026-10-01");
    let change = requirement(&report, "CHG-001");
    let evidence = change["evidence"].as_array().unwrap();
    assert!(
        evidence
            .iter()
            .all(|e| e["kind"] == "ChangeRecord" && e["commit"]["sha"] == first.as_str()),
        "{evidence:#?}"
    );
}

#[test]
fn statuses_per_requirement_and_area_and_framework() {
    let report = report_json(&fixture("gaps"), &["--framework", "iso27001"]);
    assert_eq!(requirement(&report, "REL-004")["status"], "failed");
    assert_eq!(
        requirement(&report, "REL-004")["findings"][0]["file"],
        "releases/REL-2026-014.yaml"
    );
    assert_eq!(requirement(&report, "REL-001")["status"], "met");
    // The EVD rules judge the history of the repository the fixture sits in (opsgate's own, where
    // fixture records were added long after their dates), not the fixture: tests/backdating.rs.
    let failed = report["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "failed" && !r["code"].as_str().unwrap().starts_with("EVD-"))
        .count();
    assert_eq!(failed, 29);
    let release_area = report["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["area"] == "release")
        .unwrap();
    assert_eq!(release_area["counts"]["failed"], 1);
    let views = report["frameworks"].as_array().unwrap();
    assert_eq!(views.len(), 1);
    assert_eq!(views[0]["framework"], "iso27001");
    assert!(views[0]["controls"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["control"] == "A.8.32" && c["status"] == "failed"));
    assert!(report["input_problems"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["file"] == "people/people.yaml"));
}

#[test]
fn waived_and_not_applicable_requirements() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "p.yaml",
        format!("{}---\n{}", person("p-a"), person("p-c")),
    );
    write(dir.path(), "c.yaml", "apiVersion: opsgate/v1\nkind: ChangeRecord\nmetadata: {id: CHG-7, title: Tweak, owner: p-a}\nspec: {type: normal, status: submitted}\n");
    write(dir.path(), "ra.yaml", "apiVersion: opsgate/v1\nkind: RiskAcceptance\nmetadata: {id: RA-1, title: A, owner: p-a}\nspec:\n  rules: [CHG-009]\n  artifacts: [CHG-7]\n  justification: Tracked elsewhere.\n  risk_owner: p-a\n  approval: {approver: p-c, role: CISO, date: 2026-11-01, decision: approved}\n  expires: 2027-02-01\n");
    let report = report_json(dir.path(), &[]);
    let waived = requirement(&report, "CHG-009");
    assert_eq!(waived["status"], "waived");
    assert_eq!(waived["waivers"][0]["id"], "RA-1");
    assert_eq!(requirement(&report, "REL-001")["status"], "not_applicable");
}

#[test]
fn the_html_report_renders_in_a_browser_and_runs_nothing_from_the_repository() {
    let chromium = std::env::var_os("OPSGATE_CHROMIUM").map(PathBuf::from).unwrap_or_else(|| {
        panic!("OPSGATE_CHROMIUM is not set: run the tests with scripts/test.sh, which installs headless Chromium")
    });
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "p.yaml", person("p-a"));
    write(
        dir.path(),
        "ci.yaml",
        "apiVersion: opsgate/v1\nkind: ConfigurationItem\nmetadata: {id: ci-1, title: Box, owner: p-a}\nspec:\n  type: storage\n  environment: test\n  service: svc-x\n  version: \"1\"\n  baseline_compliance: {checked_on: 2026-11-01, result: non_compliant, deviations: [\"<script>document.title='pwned'</script><img src=x onerror=alert(1)>\"]}\n",
    );
    let html = dir.path().join("out/report.html");
    opsgate()
        .arg("report")
        .arg(dir.path())
        .args(["--as-of", AS_OF, "--output"])
        .arg(&html)
        .assert()
        .success();
    let profile = tempfile::tempdir().unwrap();
    let out = Process::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("<title>opsgate compliance report"),
        "not rendered: {dom:.400}"
    );
    assert!(
        !dom.contains("pwned</title>") && !dom.contains("<img"),
        "repository content became markup"
    );
    assert!(
        dom.contains("&lt;script&gt;document.title="),
        "the deviation text is shown as text"
    );
    assert!(dom.contains("CFG-007"));
    // The uncovered controls are grouped and collapsed on screen (printing opens them:
    // tests/printed_report.rs).
    assert!(
        dom.contains("<details class=\"group\"><summary><strong>AC Access Control</strong> — 19 of 23 not covered</summary><ul class=\"cols\"><li>AC-3 Access Enforcement</li>"),
        "{dom}"
    );
    assert!(!dom.contains("<details class=\"group\" open"));
}
