//! `opsgate init` and `opsgate new` write only new files, and what they write passes the check.

mod common;

use common::*;
use predicates::str::contains;

fn check_today(dir: &std::path::Path) -> (i32, serde_json::Value) {
    let output = opsgate()
        .arg("check")
        .arg(dir)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let json = serde_json::from_slice(&output.stdout).expect("JSON");
    (output.status.code().unwrap(), json)
}

#[test]
fn init_scaffolds_a_repository_that_passes_today() {
    let dir = tempfile::tempdir().unwrap();
    opsgate()
        .arg("init")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("0 skipped"));
    for file in [
        "opsgate.toml",
        ".pre-commit-config.yaml",
        ".github/workflows/opsgate.yml",
        "ops/changes/CHG-2026-031.yaml",
    ] {
        assert!(dir.path().join(file).is_file(), "{file} not written");
    }
    let (code, json) = check_today(dir.path());
    assert_eq!(
        json["findings"],
        serde_json::json!([]),
        "{:#}",
        json["findings"]
    );
    assert_eq!(code, 0);
    assert!(json["summary"]["artifacts"].as_u64().unwrap() >= 19);
}

#[test]
fn init_never_overwrites_and_says_what_it_skipped() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "opsgate.toml", "# ours\n");
    opsgate()
        .arg("init")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("skipped"))
        .stdout(contains("opsgate.toml (already exists)"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("opsgate.toml")).unwrap(),
        "# ours\n"
    );
}

#[test]
fn new_writes_the_next_free_id_next_to_its_kind() {
    let dir = tempfile::tempdir().unwrap();
    opsgate().arg("init").arg(dir.path()).assert().success();
    let output = opsgate()
        .args(["new", "IncidentRecord", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    let path = String::from_utf8(output.stdout).unwrap();
    assert!(
        path.trim().ends_with("ops/incidents/INC-2026-103.yaml"),
        "{path}"
    );
    let text = std::fs::read_to_string(path.trim()).unwrap();
    assert!(text.contains("id: INC-2026-103"));
    assert!(text.contains("  # "), "fields are explained by comments");
    let (code, json) = check_today(dir.path());
    assert_eq!(code, 0, "{:#}", json["findings"]);
}

#[test]
fn new_refuses_a_taken_id_and_an_unknown_kind() {
    let dir = tempfile::tempdir().unwrap();
    opsgate().arg("init").arg(dir.path()).assert().success();
    opsgate()
        .args(["new", "ChangeRecord", "--id", "CHG-2026-031", "--dir"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains("already exists"));
    opsgate()
        .args(["new", "Incidnt"])
        .assert()
        .code(2)
        .stderr(contains("did you mean `IncidentRecord`?"));
}
