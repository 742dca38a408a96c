//! Every machine format is read back by the program that consumes it in real life: the JSON
//! Schema we ship, Microsoft's SARIF Multitool with GitHub's upload rules, junitparser. The peers
//! are installed by `scripts/peers.sh` (run by `scripts/test.sh`, the project's test command).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use common::*;
use serde_json::Value;

fn gaps() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/gaps")
}

fn peer(var: &str) -> PathBuf {
    let path = std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| {
        panic!("{var} is not set: run the tests with scripts/test.sh, which installs the real consumers of opsgate's outputs")
    });
    assert!(
        path.exists(),
        "{var}={} does not exist; rerun scripts/peers.sh",
        path.display()
    );
    path
}

fn render(dir: &Path, format: &str) -> String {
    let out = opsgate()
        .arg("check")
        .arg(dir)
        .args(["--as-of", AS_OF, "--format", format])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn validate(schema: &Value, instance: &Value) -> Vec<String> {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("schema compiles");
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn json_output_matches_the_shipped_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/output/findings.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let document: Value = serde_json::from_str(&render(&gaps(), "json")).unwrap();
    let errors = validate(&schema, &document);
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn sarif_output_is_valid_for_the_official_schema_and_github_upload_rules() {
    let sarif = render(&gaps(), "sarif");
    let document: Value = serde_json::from_str(&sarif).unwrap();
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(peer("OPSGATE_SARIF_SCHEMA")).unwrap())
            .unwrap();
    let errors = validate(&schema, &document);
    assert!(errors.is_empty(), "{errors:#?}");

    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("gaps.sarif");
    let report = dir.path().join("validation.sarif");
    std::fs::write(&input, &sarif).unwrap();
    let status = Process::new(peer("OPSGATE_SARIF_MULTITOOL"))
        .arg("validate")
        .arg(&input)
        .arg("-o")
        .arg(&report)
        .args(["--log", "ForceOverwrite", "--rule-kind", "Gh;Sarif"])
        .status()
        .expect("multitool runs");
    assert!(status.success());
    // The multitool exits 0 even when it finds problems: its verdict is in its own SARIF log.
    let verdict: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let problems: Vec<String> = verdict["runs"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        // A result without `level` is a warning (SARIF's default).
        .filter(|r| matches!(r["level"].as_str(), None | Some("error") | Some("warning")))
        .map(|r| format!("{} {}: {}", r["level"], r["ruleId"], r["message"]))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Rule descriptors keep framework tags as bare ids (code scanning filters on them) and carry
/// each control's title in `properties.controls` and the help text; the validated document above
/// is the same one.
#[test]
fn sarif_rules_name_their_controls_with_titles() {
    let document: Value = serde_json::from_str(&render(&gaps(), "sarif")).unwrap();
    let rules = document["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let rule = rules.iter().find(|r| r["id"] == "AVL-001").unwrap();
    let tags: Vec<&str> = rule["properties"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    // AVL-001 cites ["A.8.14", "A.5.20"]: natural order.
    assert_eq!(
        tags,
        [
            "Availability management",
            "compliance",
            "ISO27001:A.5.20",
            "ISO27001:A.8.14",
            "NIST-800-53:CP-2",
            "ITIL4:Availability management",
            "ITIL4:Service level management"
        ]
    );
    assert_eq!(
        rule["properties"]["controls"][0],
        serde_json::json!({"framework": "ISO27001", "id": "A.5.20", "title": "Addressing information security within supplier agreements"})
    );
    assert_eq!(
        rule["properties"]["controls"][2],
        serde_json::json!({"framework": "NIST-800-53", "id": "CP-2", "title": "Contingency Plan"})
    );
    let help = rule["help"]["text"].as_str().unwrap();
    assert!(
        help.ends_with("Controls: ISO27001: A.5.20 Addressing information security within supplier agreements; A.8.14 Redundancy of information processing facilities | NIST-800-53: CP-2 Contingency Plan | ITIL4: Availability management; Service level management"),
        "{help}"
    );
    let markdown = rule["help"]["markdown"].as_str().unwrap();
    assert!(
        markdown.contains("NIST SP 800-53 rev. 5: CP-2 Contingency Plan"),
        "{markdown}"
    );
}

#[test]
fn sarif_fingerprints_survive_moved_lines() {
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&gaps(), copy.path());
    let fingerprints = |dir: &Path| -> Vec<(String, u64)> {
        let document: Value = serde_json::from_str(&render(dir, "sarif")).unwrap();
        document["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["partialFingerprints"]["opsgateFindingId/v2"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap(),
                )
            })
            .collect()
    };
    let before = fingerprints(copy.path());
    let file = copy.path().join("releases/REL-2026-014.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("# moved down by three lines\n#\n#\n{text}")).unwrap();
    let after = fingerprints(copy.path());
    let ids = |v: &[(String, u64)]| {
        v.iter()
            .map(|(f, _)| f.clone())
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert_eq!(ids(&before), ids(&after));
    assert_ne!(before, after, "the lines did move");
}

#[test]
fn junit_output_reads_in_junitparser() {
    let xml = render(&gaps(), "junit");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gaps.xml");
    std::fs::write(&file, &xml).unwrap();
    let script = "import sys\nfrom junitparser import JUnitXml, Failure, Skipped\nxml = JUnitXml.fromfile(sys.argv[1])\nfailed = [(s.name, c.name) for s in xml for c in s if any(isinstance(r, Failure) for r in c.result)]\nprint(len(list(xml)), sum(s.tests for s in xml), len(failed))\nfor s, c in sorted(failed): print(s, '|', c)\n";
    let out = Process::new(peer("OPSGATE_PEERS_PYTHON"))
        .arg("-c")
        .arg(script)
        .arg(&file)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let mut lines = stdout.lines();
    let counts: Vec<usize> = lines
        .next()
        .unwrap()
        .split(' ')
        .map(|n| n.parse().unwrap())
        .collect();
    assert!(
        counts[0] >= 12,
        "a suite per area plus the input suite: {counts:?}"
    );
    // One failing case per planted problem of fixtures/gaps/expected.txt (31 lines); the two
    // CSC-019 findings on csc2-allowlisting share a case.
    assert_eq!(
        counts[2], 30,
        "one failing case per planted problem:\n{stdout}"
    );
    assert!(
        stdout.contains("Release and deployment management | REL-004 REL-2026-014"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "Artifacts load and match their schemas | load and schema people/people.yaml"
        ),
        "{stdout}"
    );
}

/// A CI whose deviation text tries to end the annotation early and inject commands.
fn hostile_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "p.yaml", person("p-a"));
    write(
        dir.path(),
        "ci.yaml",
        "apiVersion: opsgate/v1\nkind: ConfigurationItem\nmetadata: {id: ci-1, title: Box, owner: p-a}\nspec:\n  type: storage\n  environment: test\n  service: svc-x\n  version: \"1\"\n  baseline_compliance: {checked_on: 2026-11-01, result: non_compliant, deviations: [\"ok\\n::error file=evil::pwned 100% | <script>alert(1)</script> ]]>\"]}\n",
    );
    dir
}

#[test]
fn github_annotations_cannot_be_injected() {
    let out = opsgate()
        .arg("check")
        .arg(hostile_repo().path())
        .args(["--as-of", AS_OF, "--format", "github"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    for line in stdout.lines() {
        assert!(
            line.starts_with("::") || line.starts_with("checked "),
            "a message broke out of its command: {line:?}"
        );
    }
    assert!(!stdout.contains("\n::error file=evil"), "{stdout}");
    // The line break in the value is shown (`\n`), not turned into one in the annotation.
    assert!(
        stdout.contains("\\n::error file=evil::pwned 100%25"),
        "{stdout}"
    );
}

#[test]
fn markdown_and_junit_escape_user_content() {
    let dir = hostile_repo();
    let markdown = String::from_utf8(
        opsgate()
            .arg("check")
            .arg(dir.path())
            .args(["--as-of", AS_OF, "--format", "markdown"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(!markdown.contains("<script>"), "{markdown}");
    assert!(markdown.contains("&lt;script&gt;"), "{markdown}");
    let rows: Vec<&str> = markdown
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("CFG-007"))
        .collect();
    assert_eq!(rows.len(), 1, "{markdown}");
    assert_eq!(
        rows[0].matches(" | ").count(),
        3,
        "a pipe in user content split the row: {}",
        rows[0]
    );

    let junit = String::from_utf8(
        opsgate()
            .arg("check")
            .arg(dir.path())
            .args(["--as-of", AS_OF, "--format", "junit"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(
        !junit.contains("<script>") && !junit.contains("]]>"),
        "{junit}"
    );
}

#[test]
fn output_files_are_written_whole_and_nothing_else_is_left_behind() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("reports/gaps.sarif");
    opsgate()
        .arg("check")
        .arg(gaps())
        .args(["--as-of", AS_OF, "--format", "sarif", "--output"])
        .arg(&target)
        .assert()
        .code(1)
        .stdout("");
    let document: Value = serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(document["version"], "2.1.0");
    let names: Vec<_> = std::fs::read_dir(dir.path().join("reports"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "temporary files left behind: {names:?}");
}
