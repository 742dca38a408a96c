//! `opsgate report --format oscal` read back by compliance-trestle's OSCAL models (PyPI
//! `compliance-trestle`, installed by scripts/peers.sh), and `--format csv` read back by Python's
//! csv module as a spreadsheet import would.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use common::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn python() -> PathBuf {
    std::env::var_os("OPSGATE_PEERS_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            panic!("OPSGATE_PEERS_PYTHON is not set: run the tests with scripts/test.sh, which installs compliance-trestle")
        })
}

fn repo(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(name), dir.path());
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(
        dir.path(),
        &[
            "remote",
            "add",
            "origin",
            "git@github.com:acme/ops-records.git",
        ],
    );
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "Import"]);
    dir
}

fn report(dir: &Path, format: &str, extra: &[&str]) -> String {
    let out = opsgate()
        .arg("report")
        .arg(dir)
        .args(["--format", format])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0) | Some(3)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Loads FILE with trestle's AssessmentResults model; prints "findings observations risks
/// oscal-version control-props" (the framework controls the findings name, as the model reads them).
const TRESTLE: &str = r#"
import pathlib, sys
from trestle.oscal.assessment_results import AssessmentResults
m = AssessmentResults.oscal_read(pathlib.Path(sys.argv[1]))
r = m.results[0]
v = m.metadata.oscal_version
while hasattr(v, "root"):
    v = v.root
controls = [p for f in r.findings or [] for p in f.props or [] if p.name == "control" and p.remarks]
print(len(r.findings or []), len(r.observations or []), len(r.risks or []), v, len(controls))
"#;

fn trestle(document: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("assessment-results.json");
    std::fs::write(&file, document).unwrap();
    let out = Process::new(python())
        .args(["-c", TRESTLE])
        .arg(&file)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "trestle rejects the document: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn oscal_assessment_results_validate_with_trestle_and_are_reproducible() {
    let dir = repo("gaps");
    let first = report(dir.path(), "oscal", &["--as-of", AS_OF]);
    let counts = trestle(&first);
    let parts: Vec<&str> = counts.split(' ').collect();
    let doc: serde_json::Value = serde_json::from_str(&first).unwrap();
    let result = &doc["assessment-results"]["results"][0];
    let rules = result["findings"].as_array().unwrap().len();
    assert_eq!(parts[0], rules.to_string());
    assert!(
        parts[1].parse::<usize>().unwrap() > 20,
        "one observation per evidence artifact"
    );
    assert_eq!(
        parts[2], "0",
        "the fixture's risk acceptance waives nothing: {counts}"
    );
    assert_eq!(parts[3], "1.1.2");
    // Each finding names the framework controls of its requirement, with their titles.
    let avl = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["target"]["target-id"] == "AVL-001")
        .unwrap();
    let controls: Vec<(&str, &str, &str)> = avl["props"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "control")
        .map(|p| {
            (
                p["class"].as_str().unwrap(),
                p["value"].as_str().unwrap(),
                p["remarks"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        controls,
        [
            (
                "iso27001",
                "A.5.20",
                "Addressing information security within supplier agreements"
            ),
            (
                "iso27001",
                "A.8.14",
                "Redundancy of information processing facilities"
            ),
            ("nist", "CP-2", "Contingency Plan"),
            ("itil", "Availability management", "Availability management"),
            (
                "itil",
                "Service level management",
                "Service level management"
            ),
        ]
    );
    let named: usize = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["props"].as_array().unwrap())
        .filter(|p| p["name"] == "control")
        .count();
    assert_eq!(
        parts[4],
        named.to_string(),
        "trestle reads every control prop"
    );
    // A failed requirement is not satisfied and points at its evidence.
    let prb = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["target"]["target-id"] == "PRB-004")
        .unwrap();
    assert_eq!(prb["target"]["status"]["state"], "not-satisfied");
    assert!(!prb["related-observations"].as_array().unwrap().is_empty());
    // Evidence links to the file at its commit on the forge.
    let href = result["observations"][0]["relevant-evidence"][0]["href"]
        .as_str()
        .unwrap();
    assert!(
        href.starts_with("https://github.com/acme/ops-records/blob/"),
        "{href}"
    );
    // Byte for byte the same on a second run, and in a second clone of the same commit.
    assert_eq!(first, report(dir.path(), "oscal", &["--as-of", AS_OF]));
    let clone = tempfile::tempdir().unwrap();
    git(
        clone.path(),
        &[
            "clone",
            "-q",
            &format!("file://{}", dir.path().display()),
            ".",
        ],
    );
    git(
        clone.path(),
        &[
            "remote",
            "set-url",
            "origin",
            "git@github.com:acme/ops-records.git",
        ],
    );
    assert_eq!(first, report(clone.path(), "oscal", &["--as-of", AS_OF]));
}

#[test]
fn a_waiver_becomes_a_deviation_approved_risk_of_the_finding() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "p.yaml",
        format!("{}---\n{}", person("p-a"), person("p-c")),
    );
    write(dir.path(), "c.yaml", "apiVersion: opsgate/v1\nkind: ChangeRecord\nmetadata: {id: CHG-7, title: Tweak, owner: p-a}\nspec: {type: normal, status: submitted}\n");
    write(dir.path(), "ra.yaml", "apiVersion: opsgate/v1\nkind: RiskAcceptance\nmetadata: {id: RA-1, title: A, owner: p-a}\nspec:\n  rules: [CHG-009]\n  artifacts: [CHG-7]\n  justification: Tracked elsewhere.\n  risk_owner: p-a\n  approval: {approver: p-c, role: CISO, date: 2026-11-01, decision: approved}\n  expires: 2027-02-01\n");
    let document = report(dir.path(), "oscal", &["--as-of", AS_OF]);
    assert!(trestle(&document).contains(" 1 "), "one risk");
    let doc: serde_json::Value = serde_json::from_str(&document).unwrap();
    let result = &doc["assessment-results"]["results"][0];
    let risk = &result["risks"][0];
    assert_eq!(risk["status"], "deviation-approved");
    let finding = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["target"]["target-id"] == "CHG-009")
        .unwrap();
    assert_eq!(finding["target"]["status"]["state"], "not-satisfied");
    assert_eq!(finding["target"]["status"]["reason"], "other");
    assert_eq!(finding["related-risks"][0]["risk-uuid"], risk["uuid"]);
}

#[test]
fn every_uuid_is_distinct_and_names_only_what_exists() {
    let dir = repo("gaps");
    let doc: serde_json::Value =
        serde_json::from_str(&report(dir.path(), "oscal", &["--as-of", AS_OF])).unwrap();
    let text = doc.to_string();
    let mut uuids = Vec::new();
    collect(&doc, &mut uuids);
    let mut unique = uuids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), uuids.len(), "duplicate uuid");
    for reference in ["observation-uuid", "risk-uuid"] {
        for target in references(&doc, reference) {
            assert!(
                uuids.contains(&target),
                "{reference} {target} dangles in {text}"
            );
        }
    }
}

fn collect(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if k == "uuid" {
                    out.push(v.as_str().unwrap().to_owned());
                } else {
                    collect(v, out);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
        _ => {}
    }
}

fn references(value: &serde_json::Value, key: &str) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(value: &serde_json::Value, key: &str, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    if k == key {
                        out.push(v.as_str().unwrap().to_owned());
                    } else {
                        walk(v, key, out);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, key, out)),
            _ => {}
        }
    }
    walk(value, key, &mut out);
    out
}

#[test]
fn the_period_report_in_oscal_validates_with_trestle() {
    let dir = repo("acme");
    let path = dir.path().join("problems/PRB-2026-007.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let broken: String = text
        .lines()
        .filter(|l| !l.contains("root_cause"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&path, broken).unwrap();
    git(dir.path(), &["commit", "-q", "-am", "Break"]);
    let document = report(dir.path(), "oscal", &["--period", "2026-01-01..2030-12-31"]);
    let counts = trestle(&document);
    assert!(!counts.starts_with("0 "), "{counts}");
    assert!(
        document.contains("PRB-004 not compliant from"),
        "{document}"
    );
}

/// Reads CSV with Python's csv module; prints one JSON array of rows.
const READ_CSV: &str = r#"
import csv, json, sys
with open(sys.argv[1], newline='') as f:
    print(json.dumps(list(csv.reader(f))))
"#;

fn read_csv(text: &str) -> Vec<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.csv");
    std::fs::write(&file, text).unwrap();
    let out = Process::new(python())
        .args(["-c", READ_CSV])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn csv_has_one_row_per_requirement_and_artifact() {
    let dir = repo("gaps");
    let rows = read_csv(&report(dir.path(), "csv", &["--as-of", AS_OF]));
    assert_eq!(rows[0][0], "requirement");
    assert!(rows.iter().all(|r| r.len() == rows[0].len()));
    let prb: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "PRB-004").collect();
    let failed = prb.iter().find(|r| r[5] == "PRB-2026-007").unwrap();
    assert_eq!(failed[4], "failed");
    assert_eq!(failed[8], "failed");
    assert_eq!(failed[11], "Dev", "the commit author");
    assert_eq!(failed[7], "problems/PRB-2026-007.yaml");
}

#[test]
fn csv_never_hands_a_spreadsheet_a_formula() {
    let dir = tempfile::tempdir().unwrap();
    // File names are repository content; these would be formulas in a spreadsheet cell.
    let names = ["=SUM(1,1).yaml", "+1.yaml", "-1.yaml", "@A1.yaml"];
    for (n, name) in names.iter().enumerate() {
        write(dir.path(), name, person(&format!("p-{n}")));
    }
    let text = report(dir.path(), "csv", &["--as-of", AS_OF]);
    let rows = read_csv(&text);
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "{cell:?} in {text}"
            );
        }
    }
    for name in names {
        let guarded = format!("'{name}");
        assert!(
            rows.iter().any(|r| r.contains(&guarded)),
            "{guarded} in {text}"
        );
    }
}

#[test]
fn only_failed_keeps_failed_requirements_in_every_format() {
    let dir = repo("gaps");
    let all = report(dir.path(), "json", &["--as-of", AS_OF]);
    let failed = report(dir.path(), "json", &["--as-of", AS_OF, "--only", "failed"]);
    let all: serde_json::Value = serde_json::from_str(&all).unwrap();
    let failed: serde_json::Value = serde_json::from_str(&failed).unwrap();
    assert_eq!(failed["only"], "failed");
    let statuses: Vec<&str> = failed["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert!(statuses.iter().all(|s| *s == "failed"));
    let expected = all["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "failed")
        .count();
    assert_eq!(statuses.len(), expected);
    assert_eq!(
        failed["totals"], all["totals"],
        "the totals still count everything"
    );
    let csv = report(dir.path(), "csv", &["--as-of", AS_OF, "--only", "failed"]);
    assert!(read_csv(&csv).iter().skip(1).all(|r| r[4] == "failed"));
}
