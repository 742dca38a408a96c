//! Loader edge cases, end to end through the real binary: each gets its located finding and exit code.

mod common;

use common::*;
use predicates::str::contains;

fn repo() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

#[test]
fn multi_document_files_load_every_artifact() {
    let dir = repo();
    write(
        dir.path(),
        "people.yaml",
        format!("{}---\n{}", person("p-a"), person("p-b")),
    );
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["summary"]["artifacts"], 2);
}

#[test]
fn duplicate_keys_are_located_at_the_second_key() {
    let dir = repo();
    write(
        dir.path(),
        "p.yaml",
        person("p-a").replace("  title: Engineer\n", "  title: Engineer\n  title: Boss\n"),
    );
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 3);
    assert_eq!(
        findings(&json),
        vec![("LOAD-DUPLICATE-KEY".into(), "p.yaml".into(), 10)]
    );
}

#[test]
fn aliases_expand_but_an_alias_bomb_is_stopped() {
    let dir = repo();
    let with_alias = "apiVersion: opsgate/v1\nkind: Person\nmetadata: &m\n  id: p-a\n  title: p-a\n  owner: p-a\nspec:\n  name: Pat\n  title: Eng\n";
    write(dir.path(), "ok.yaml", with_alias);
    let (code, _) = check_json(dir.path(), &[]);
    assert_eq!(code, 0);

    let mut bomb = String::from(
        "apiVersion: opsgate/v1\nkind: Person\na: &a [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for level in 1u8..9 {
        let (prev, name) = ((b'a' + level - 1) as char, (b'a' + level) as char);
        bomb.push_str(&format!("{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
    }
    write(dir.path(), "bomb.yaml", bomb);
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 3);
    assert!(
        codes(&json).contains(&"LOAD-ALIAS-LIMIT".to_owned()),
        "{json:#}"
    );
}

#[test]
fn tags_are_rejected_in_artifacts_but_not_in_other_yaml() {
    let dir = repo();
    write(
        dir.path(),
        "p.yaml",
        person("p-a").replace("name: Pat Doe", "name: !!binary UGF0"),
    );
    write(dir.path(), "cloudformation.yaml", "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref Name\n");
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 3);
    assert_eq!(
        findings(&json),
        vec![("LOAD-TAG".into(), "p.yaml".into(), 8)]
    );
}

#[test]
fn non_utf8_and_binary_files_get_an_encoding_error() {
    let dir = repo();
    write(
        dir.path(),
        "bin.yaml",
        [0x61u8, 0x3a, 0x20, 0xff, 0xfe, 0x00, 0x0a],
    );
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 3);
    assert_eq!(
        findings(&json),
        vec![("LOAD-ENCODING".into(), "bin.yaml".into(), 1)]
    );
}

/// An empty or comment-only file is another tool's business (a Helm chart's commented
/// `values.yaml`) unless it names opsgate's apiVersion: only then is it a warning, and only then
/// does it count as a file "with artifacts".
#[test]
fn an_empty_file_is_a_warning_only_when_it_claims_to_be_an_artifact() {
    let dir = repo();
    write(dir.path(), "people/p-a.yaml", person("p-a"));
    write(dir.path(), "empty.yaml", "");
    write(dir.path(), "comments.yml", "# nothing here yet\n");
    write(
        dir.path(),
        "values.yaml",
        "# replicaCount: 1\n# image: nginx\n---\n",
    );
    let (code, json) = check_json(dir.path(), &["--fail-on", "warning"]);
    assert_eq!((code, codes(&json)), (0, vec![]), "{json:#}");
    assert_eq!(json["summary"]["artifact_files"], 1);
    write(
        dir.path(),
        "changes/CHG-1.yaml",
        "# apiVersion: opsgate/v1\n# kind: ChangeRecord (to be written)\n",
    );
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(
        findings(&json),
        vec![("LOAD-EMPTY".into(), "changes/CHG-1.yaml".into(), 0)]
    );
    let (code, _) = check_json(dir.path(), &["--fail-on", "warning"]);
    assert_eq!(code, 1);
}

#[test]
fn other_tools_yaml_is_skipped_even_when_it_does_not_parse() {
    let dir = repo();
    write(
        dir.path(),
        "k8s.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n",
    );
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n",
    );
    write(
        dir.path(),
        "chart/templates/svc.yaml",
        "metadata:\n  name: {{ .Release.Name }}\n  labels: {{- include \"x\" . | nindent 4 }}\n",
    );
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 2, "nothing was checked: {json:#}");
    assert_eq!(json["summary"]["artifacts"], 0);
    assert_eq!(json["summary"]["yaml_files"], 3);
    write(dir.path(), "people/p-a.yaml", person("p-a"));
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["summary"]["artifacts"], 1);
    assert_eq!(json["summary"]["yaml_files"], 4);
}

#[test]
fn a_run_that_checks_no_artifact_fails_unless_the_configuration_expects_it() {
    let dir = repo();
    write(dir.path(), "notes/readme.yaml", "title: not an artifact\n");
    let output = opsgate()
        .arg("check")
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no opsgate artifact found"), "{stderr}");
    assert!(stderr.contains("allow_empty"), "{stderr}");
    // The starter configuration's `ops/**` in a repository laid out otherwise checks nothing.
    write(dir.path(), "people/p-a.yaml", person("p-a"));
    write(
        dir.path(),
        "opsgate.toml",
        "[check]\ninclude = [\"ops/**\"]\n",
    );
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!((code, json["summary"]["artifacts"].as_u64()), (2, Some(0)));
    write(
        dir.path(),
        "opsgate.toml",
        "[check]\ninclude = [\"ops/**\"]\nallow_empty = true\n",
    );
    let (code, _) = check_json(dir.path(), &[]);
    assert_eq!(code, 0);
}

#[test]
fn unknown_kinds_are_errors_with_a_suggestion() {
    let dir = repo();
    write(dir.path(), "c.yaml", "apiVersion: opsgate/v1\nkind: ChangeRecrod\nmetadata: {id: CHG-1, title: t, owner: p}\nspec: {}\n");
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 3);
    assert_eq!(
        findings(&json),
        vec![("LOAD-UNKNOWN-KIND".into(), "c.yaml".into(), 2)]
    );
    assert!(json["findings"][0]["help"]
        .as_str()
        .unwrap()
        .contains("ChangeRecord"));
}

#[test]
fn unsupported_api_versions_are_errors() {
    let dir = repo();
    write(
        dir.path(),
        "c.yaml",
        person("p-a").replace("opsgate/v1", "opsgate/v9"),
    );
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 3);
    assert_eq!(
        findings(&json),
        vec![("LOAD-API-VERSION".into(), "c.yaml".into(), 1)]
    );
}

#[test]
fn duplicate_ids_name_both_places() {
    let dir = repo();
    write(dir.path(), "a.yaml", person("p-a"));
    write(
        dir.path(),
        "b/b.yaml",
        format!("{}---\n{}", person("p-b"), person("p-a")),
    );
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 3);
    assert_eq!(
        findings(&json),
        vec![("LOAD-DUPLICATE-ID".into(), "b/b.yaml".into(), 14)]
    );
    assert!(json["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("a.yaml:4"));
}

#[test]
fn a_syntax_error_is_located_and_other_files_are_still_checked() {
    let dir = repo();
    write(
        dir.path(),
        "broken.yaml",
        "apiVersion: opsgate/v1\nkind: Person\nmetadata: {id: p-x, title: x\nspec: {}\n",
    );
    write(dir.path(), "good.yaml", person("p-a"));
    write(
        dir.path(),
        "bad-ref.yaml",
        person("p-b").replace("owner: p-b", "owner: p-missing"),
    );
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 3);
    let found = findings(&json);
    assert!(
        found
            .iter()
            .any(|(c, f, l)| c == "LOAD-SYNTAX" && f == "broken.yaml" && *l >= 3),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(c, f, _)| c == "REF-001" && f == "bad-ref.yaml"),
        "{found:?}"
    );
}

#[test]
fn bom_and_crlf_keep_positions_right() {
    let dir = repo();
    let text = person("p-a")
        .replace("owner: p-a", "owner: p-zz")
        .replace('\n', "\r\n");
    write(
        dir.path(),
        "p.yaml",
        [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
    );
    let (_, json) = check_json(dir.path(), &[]);
    let finding = &json["findings"][0];
    assert_eq!(finding["code"], "REF-001");
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(6), Some(10))
    );
}

#[test]
fn a_missing_path_is_a_usage_error() {
    opsgate()
        .args(["check", "/definitely/not/here"])
        .assert()
        .code(2)
        .stderr(contains("does not exist"));
}

#[test]
fn a_bad_as_of_date_is_a_usage_error() {
    let dir = repo();
    opsgate()
        .arg("check")
        .arg(dir.path())
        .args(["--as-of", "2026-13-45"])
        .assert()
        .code(2)
        .stderr(contains("--as-of"));
}
