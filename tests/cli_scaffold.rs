//! `opsgate init` and `opsgate new` write only new files: the example set passes the check, the
//! minimal starter and new drafts fail with DOC-001 findings only, until filled in.

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
fn init_example_scaffolds_a_repository_that_passes_today() {
    let dir = tempfile::tempdir().unwrap();
    opsgate()
        .args(["init", "--example"])
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
fn new_writes_a_draft_with_the_next_free_id_next_to_its_kind() {
    let dir = tempfile::tempdir().unwrap();
    opsgate()
        .args(["init", "--example"])
        .arg(dir.path())
        .assert()
        .success();
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
    // A draft, not a copy of the example incidents: no example id, person or date in it.
    let values: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect();
    for example in [
        "INC-2026-101",
        "INC-2026-102",
        "p-",
        "svc-",
        "acme",
        "2026-0",
    ] {
        assert!(
            !values.contains(example),
            "`{example}` in the draft:\n{text}"
        );
    }
    // It fails: its placeholders (title, owner, status), and what the incident rules require of
    // a record, all in the draft, none anywhere else.
    let (code, json) = check_today(dir.path());
    assert_eq!(code, 1, "{:#}", json["findings"]);
    let findings = json["findings"].as_array().unwrap();
    let placeholders: Vec<&str> = findings
        .iter()
        .filter(|f| f["code"] == "DOC-001")
        .map(|f| f["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        placeholders,
        ["/metadata/title", "/metadata/owner", "/spec/status"]
    );
    for finding in findings {
        assert_eq!(
            finding["file"], "ops/incidents/INC-2026-103.yaml",
            "{finding:#}"
        );
        assert_ne!(
            finding["code"], "SCHEMA",
            "superseded by the placeholder: {finding:#}"
        );
        assert_ne!(
            finding["code"], "REF-001",
            "superseded by the placeholder: {finding:#}"
        );
    }
}

#[test]
fn a_change_record_draft_starts_as_a_draft_not_as_a_closed_example() {
    let dir = tempfile::tempdir().unwrap();
    opsgate()
        .args(["init", "--example"])
        .arg(dir.path())
        .assert()
        .success();
    let output = opsgate()
        .args(["new", "ChangeRecord", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let path = String::from_utf8(output.stdout).unwrap();
    let text = std::fs::read_to_string(path.trim()).unwrap();
    assert!(text.contains("\n  status: draft\n"), "{text}");
    let values: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect();
    assert!(!values.contains("closed"), "{text}");
    assert!(!values.contains("Portal"), "{text}");
}

/// Replaces every `<fill in: …>` with `value_for(what)`.
fn fill_in(text: &str, value_for: impl Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("\"<fill in: ") {
        out.push_str(&rest[..start]);
        let end = rest[start + 1..].find('"').unwrap() + start + 2;
        let what = &rest[start + 11..end - 2];
        out.push_str(&value_for(what));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn init_writes_a_neutral_minimal_starter_that_fails_until_filled_in() {
    let dir = tempfile::tempdir().unwrap();
    opsgate().arg("init").arg(dir.path()).assert().success();
    let starter = [
        "ops/people/owner.yaml",
        "ops/services/service.yaml",
        "ops/security/information-security-plan.yaml",
        "ops/processes/change-management-policy.yaml",
        "ops/processes/configuration-management-policy.yaml",
        "ops/incidents/incident-management-plan.yaml",
        "ops/continuity/business-impact-analysis.yaml",
        "ops/continuity/continuity-plan.yaml",
        "ops/controls/csc2-implementation.yaml",
        "ops/improvement/improvement-register.yaml",
    ];
    let mut texts = Vec::new();
    for file in starter {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert!(!text.to_lowercase().contains("acme"), "{file}:\n{text}");
        assert!(text.contains("<fill in: "), "{file}: no placeholder");
        texts.push((file, text));
    }
    assert!(
        !dir.path().join("ops/changes").exists(),
        "no example records"
    );
    let (code, json) = check_today(dir.path());
    assert_eq!(code, 1);
    let findings = json["findings"].as_array().unwrap();
    let titles: Vec<&str> = findings
        .iter()
        .filter(|f| f["code"] == "DOC-001" && f["pointer"] == "/metadata/title")
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), starter.len(), "{titles:?}");
    // Every required document is there (no completeness finding), every draft is valid against
    // its schema, and every finding is in a starter file: the findings are the to-do list.
    let completeness = [
        "BCM-018", "BCM-019", "CFG-018", "CHG-022", "CSC-024", "CSI-014", "INC-026", "ISP-016",
    ];
    for finding in findings {
        let code = finding["code"].as_str().unwrap();
        assert!(
            code != "SCHEMA" && !completeness.contains(&code),
            "{finding:#}"
        );
        assert!(
            starter.contains(&finding["file"].as_str().unwrap()),
            "{finding:#}"
        );
    }

    // Filled in, the placeholders are gone and nothing else appears in their place.
    for (file, text) in &texts {
        write(
            dir.path(),
            file,
            fill_in(text, |what| format!("\"Filled in: {what}\"")),
        );
    }
    let (_, after) = check_today(dir.path());
    let after = after["findings"].as_array().unwrap();
    assert!(after.iter().all(|f| f["code"] != "DOC-001"), "{after:#?}");
    assert_eq!(
        after.len(),
        findings.len() - findings.iter().filter(|f| f["code"] == "DOC-001").count()
    );
}

#[test]
fn new_refuses_a_taken_id_and_an_unknown_kind() {
    let dir = tempfile::tempdir().unwrap();
    opsgate()
        .args(["init", "--example"])
        .arg(dir.path())
        .assert()
        .success();
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

#[test]
fn a_person_may_leave_out_the_owner_and_other_kinds_may_not() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "people.yaml",
        "apiVersion: opsgate/v1\nkind: Person\nmetadata: {id: p-pat, title: Pat Doe}\nspec: {name: Pat Doe, title: Engineer}\n",
    );
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(json["findings"], serde_json::json!([]), "{json:#}");
    assert_eq!(code, 0);

    write(
        dir.path(),
        "service.yaml",
        "apiVersion: opsgate/v1\nkind: Service\nmetadata: {id: svc-x, title: X}\nspec: {}\n",
    );
    let (_, json) = check_json(dir.path(), &[]);
    assert!(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "SCHEMA"
                && f["message"] == "missing required field `owner`"
                && f["file"] == "service.yaml"),
        "{json:#}"
    );
}
