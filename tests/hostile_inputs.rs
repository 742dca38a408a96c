//! Edge cases of input a hostile or careless contributor produces: near-miss artifacts that used to
//! be skipped silently, file names and encodings other tools accept, dates the policies cannot
//! compute with, a failing index, and fingerprints that must tell findings apart.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

fn repo() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

const CHANGE_BODY: &str = "kind: ChangeRecord\nmetadata: {id: CHG-1, title: Tweak, owner: p-a}\nspec: {type: normal, status: submitted}\n";

/// Each of these looks like an artifact and was skipped without a word; each now warns why. A
/// Kubernetes `Service` (`apiVersion: v1`) and a CI file stay silent.
#[test]
fn near_miss_artifacts_are_warned_about_and_other_tools_files_are_not() {
    let dir = repo();
    write(dir.path(), "p.yaml", person("p-a"));
    let variants = [
        ("capital.yaml", "apiVersion: Opsgate/v1\n"),
        ("domain.yaml", "apiVersion: opsgate.io/v1\n"),
        ("cyrillic.yaml", "apiVersion: \"\u{43e}psgate/v1\"\n"),
        ("zero-width.yaml", "apiVersion: \"ops\u{200b}gate/v1\"\n"),
        ("lower-key.yaml", "apiversion: opsgate/v1\n"),
        ("missing.yaml", ""),
        ("number.yaml", "apiVersion: 1\n"),
    ];
    for (name, head) in variants {
        write(dir.path(), name, format!("{head}{CHANGE_BODY}"));
    }
    write(
        dir.path(),
        "k8s.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n",
    );
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "name: ci\non: [push]\njobs: {}\n",
    );
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 0, "{json:#}");
    let mut warned: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["file"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    warned.sort();
    let mut expected: Vec<(String, String)> = variants
        .iter()
        .map(|(name, _)| ("LOAD-NOT-AN-ARTIFACT".to_owned(), (*name).to_owned()))
        .collect();
    expected.sort();
    assert_eq!(warned, expected);
    let message = json["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("looks like an opsgate artifact"),
        "{message}"
    );
    assert_eq!(json["findings"][0]["severity"], "warning");
}

#[test]
fn upper_case_yaml_extensions_are_artifact_files() {
    let dir = repo();
    write(dir.path(), "A.YAML", person("p-a"));
    write(dir.path(), "b.Yml", person("p-b"));
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["summary"]["artifacts"], 2);
}

/// `opsgate\/v1` is the same string in a double-quoted YAML scalar: after a syntax error, such a
/// file is still reported.
#[test]
fn an_escaped_api_version_after_a_syntax_error_is_still_reported() {
    let dir = repo();
    write(dir.path(), "p.yaml", person("p-a"));
    write(
        dir.path(),
        "broken.yaml",
        "kind: Person\nname: [unclosed\n---\napiVersion: \"opsgate\\/v1\"\nkind: Person\n",
    );
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 3, "{json:#}");
    assert_eq!(
        findings(&json),
        vec![("LOAD-SYNTAX".into(), "broken.yaml".into(), 3)]
    );
}

#[test]
fn a_json_surrogate_pair_is_one_character() {
    let dir = repo();
    write(
        dir.path(),
        "p.json.yaml",
        "{\"apiVersion\": \"opsgate/v1\", \"kind\": \"Person\", \"metadata\": {\"id\": \"p-a\", \"title\": \"smile \\uD83D\\uDE00\", \"owner\": \"p-a\"}, \"spec\": {\"name\": \"P\", \"title\": \"E\", \"bogus\": 1}}\n",
    );
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 1, "{json:#}");
    // Positions after the escape on the same line are where the file has them.
    let text = std::fs::read_to_string(dir.path().join("p.json.yaml")).unwrap();
    let column = text.find(": 1}").unwrap() as u64 + 3;
    let finding = &json["findings"][0];
    assert_eq!(
        (finding["code"].as_str(), finding["column"].as_u64()),
        (Some("SCHEMA"), Some(column))
    );
    // A lone surrogate is still an error.
    write(dir.path(), "p.json.yaml", text.replace("\\uDE00", ""));
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!((code, codes(&json)), (3, vec!["LOAD-SYNTAX".to_owned()]));
}

#[test]
fn standard_input_is_read_as_one_file() {
    let output = opsgate()
        .args(["check", "/dev/stdin", "--format", "json", "--as-of", AS_OF])
        .write_stdin(person("p-a").replace("owner: p-a", "owner: p-nobody"))
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1), "{json:#}");
    assert_eq!(json["summary"]["yaml_files"], 1);
    assert_eq!(
        findings(&json),
        vec![("REF-001".into(), "/dev/stdin".into(), 6)]
    );
}

/// Past 2262-04-11 Rego's nanosecond time overflows and time-based rules silently stop applying:
/// a risk acceptance expiring in 9999 waived everything forever.
#[test]
fn dates_the_policies_cannot_compute_with_are_errors() {
    let dir = repo();
    write(
        dir.path(),
        "p.yaml",
        format!("{}---\n{}", person("p-a"), person("p-c")),
    );
    write(dir.path(), "c.yaml", "apiVersion: opsgate/v1\nkind: ChangeRecord\nmetadata: {id: CHG-7, title: Tweak, owner: p-a}\nspec: {type: normal, status: submitted}\n");
    write(dir.path(), "ra.yaml", "apiVersion: opsgate/v1\nkind: RiskAcceptance\nmetadata: {id: RA-1, title: A, owner: p-a}\nspec:\n  rules: [CHG-009]\n  artifacts: [CHG-7]\n  justification: Tracked elsewhere.\n  risk_owner: p-a\n  approval: {approver: p-c, role: CISO, date: 2026-11-01, decision: approved}\n  expires: 9999-12-31\n");
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 3, "{json:#}");
    let range: Vec<_> = findings(&json)
        .into_iter()
        .filter(|(code, _, _)| code == "LOAD-DATE-RANGE")
        .collect();
    assert_eq!(
        range,
        vec![("LOAD-DATE-RANGE".into(), "ra.yaml".into(), 10)]
    );

    for (as_of, ok) in [
        ("2261-12-31", true),
        ("2262-04-12", false),
        ("1600-01-01", false),
    ] {
        let output = opsgate()
            .arg("check")
            .arg(dir.path())
            .args(["--format", "json", "--as-of", as_of])
            .output()
            .unwrap();
        let code = output.status.code();
        if ok {
            assert_ne!(code, Some(2), "{as_of}");
        } else {
            assert_eq!(code, Some(2), "{as_of}");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(stderr.contains("outside the years 1678–2261"), "{stderr}");
        }
    }
}

/// The index timing out reported no finding at all (exit 4) and did not say what timed out.
#[test]
fn a_failing_index_names_itself_and_keeps_the_other_findings() {
    let policies = repo();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    copy_dir(&source, policies.path());
    let index = policies.path().join("index.rego");
    let text = std::fs::read_to_string(&index).unwrap();
    let slow = text.replace(
        "all := {\n",
        "_slow := count([x | some x in numbers.range(1, 100000000)])\n\nall := {\n\t\"slow\": _slow,\n",
    );
    assert_ne!(slow, text);
    std::fs::write(&index, slow).unwrap();
    let dir = repo();
    write(
        dir.path(),
        "p.yaml",
        person("p-a").replace("owner: p-a", "owner: p-nobody"),
    );
    write(dir.path(), "c.yaml", "apiVersion: opsgate/v1\nkind: ChangeRecord\nmetadata: {id: CHG-7, title: Tweak, owner: p-a}\nspec: {type: normal, status: submitted, bogus: 1}\n");
    let output = opsgate()
        .env("OPSGATE_BUILTIN_POLICIES", policies.path())
        .arg("check")
        .arg(dir.path())
        .args([
            "--format",
            "json",
            "--as-of",
            AS_OF,
            "--policy-timeout",
            "300",
        ])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(4), "{json:#}");
    let message = json["policy_errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("opsgate.index.all"), "{message}");
    let codes = codes(&json);
    // The schema and the packages that do not read the index still report; `references` reads
    // it and is skipped (its REF-001 is absent, said in the error's help).
    assert!(codes.contains(&"SCHEMA".to_owned()), "{codes:?}");
    assert!(codes.iter().any(|c| c.starts_with("CHG-")), "{codes:?}");
    assert!(!codes.contains(&"REF-001".to_owned()), "{codes:?}");
}

/// SARIF fingerprints told load problems of one file apart only by file: 21 distinct findings
/// shared one value, and code scanning kept one of them.
#[test]
fn sarif_fingerprints_are_unique_per_finding() {
    let dir = repo();
    let mut text = person("p-a");
    for i in 0..21 {
        text.push_str(&format!("  k{i}: !!str x\n"));
    }
    write(dir.path(), "tags.yaml", text);
    let output = opsgate()
        .arg("check")
        .arg(dir.path())
        .args(["--format", "sarif", "--as-of", AS_OF])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let prints: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["partialFingerprints"]["opsgateFindingId/v2"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(prints.len(), 21, "{sarif:#}");
    let unique: std::collections::BTreeSet<&&str> = prints.iter().collect();
    assert_eq!(unique.len(), 21, "{prints:?}");
}

/// The engine's own codes are rules like the policies' ones: `opsgate explain LOAD-EMPTY` exited 2.
#[test]
fn engine_codes_are_first_class_rules() {
    for code in [
        "LOAD-EMPTY",
        "load-syntax",
        "SCHEMA",
        "POLICY-ERROR",
        "CONFIG",
        "FINDING-LIMIT",
        "GIT-001",
    ] {
        let output = opsgate().args(["explain", code]).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "explain {code}");
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(text.starts_with(&code.to_uppercase()), "{text}");
        assert!(text.contains("How to fix:"), "{text}");
    }
    let output = opsgate()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let rules: Value = serde_json::from_slice(&output.stdout).unwrap();
    let codes: Vec<&str> = rules
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["code"].as_str())
        .collect();
    for code in [
        "LOAD-IO",
        "LOAD-DATE-RANGE",
        "LOAD-NOT-AN-ARTIFACT",
        "SCHEMA",
        "POLICY-ERROR",
        "CONFIG",
        "GIT-005",
        "CHG-001",
    ] {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }
    let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md"))
        .unwrap();
    for code in ["LOAD-EMPTY", "SCHEMA", "POLICY-ERROR", "CONFIG"] {
        assert!(
            docs.contains(&format!("### {code}\n")),
            "docs/rules.md documents {code}"
        );
    }
    // SARIF describes a load problem with the rule's own texts.
    let dir = repo();
    write(
        dir.path(),
        "p.yaml",
        person("p-a").replace("name: Pat Doe", "name: !!str Pat"),
    );
    let output = opsgate()
        .arg("check")
        .arg(dir.path())
        .args(["--format", "sarif", "--as-of", AS_OF])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let descriptor = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "LOAD-TAG")
        .cloned()
        .expect("a LOAD-TAG descriptor");
    assert_eq!(descriptor["shortDescription"]["text"], "No YAML tags");
    assert!(descriptor["help"]["markdown"]
        .as_str()
        .unwrap()
        .contains("Remove the tag."));
}
