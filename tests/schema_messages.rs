//! Schema errors a newcomer meets first say what to write instead: every allowed value of an
//! enum and a did-you-mean, a YAML 1.2 hint for `yes` where a boolean belongs, and a hint to quote
//! a title whose comma split a flow mapping.

mod common;

use common::*;
use serde_json::Value;

const CHANGE: &str = "fixtures/acme/changes/CHG-2026-031.yaml";

/// The acme fixtures with the change record edited by `edit`; the SCHEMA findings of the check.
fn schema_findings(edit: impl Fn(String) -> String) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(std::path::Path::new("fixtures/acme"), dir.path());
    let text = std::fs::read_to_string(CHANGE).unwrap();
    let edited = edit(text.clone());
    assert_ne!(edited, text, "the edit changed nothing");
    write(dir.path(), "changes/CHG-2026-031.yaml", edited);
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 1, "{json:#}");
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "SCHEMA")
        .cloned()
        .collect()
}

fn only(findings: &[Value]) -> (&str, &str, u64) {
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    (
        f["message"].as_str().unwrap(),
        f["help"].as_str().unwrap(),
        f["line"].as_u64().unwrap(),
    )
}

#[test]
fn an_enum_error_lists_every_allowed_value_and_suggests_the_closest() {
    let findings = schema_findings(|t| t.replacen("status: closed", "status: authorised", 1));
    let (message, help, line) = only(&findings);
    assert_eq!(
        message,
        r#""authorised" is not one of "draft", "submitted", "assessed", "authorized", "rejected", "scheduled", "implemented", "reviewed", "closed" or "cancelled""#
    );
    assert_eq!(help, r#"did you mean "authorized"?"#);
    assert_eq!(line, 6);
}

#[test]
fn an_enum_value_far_from_every_option_gets_the_list_to_choose_from() {
    let findings = schema_findings(|t| t.replacen("status: closed", "status: xyzzy", 1));
    let (_, help, _) = only(&findings);
    assert!(
        help.starts_with(r#"use one of "draft", "submitted""#),
        "{help}"
    );
}

#[test]
fn yes_for_a_boolean_gets_a_yaml_1_2_hint() {
    let findings =
        schema_findings(|t| t.replacen("baseline_compliance: true", "baseline_compliance: yes", 1));
    let (message, help, line) = only(&findings);
    assert_eq!(message, r#""yes" is not of type "boolean""#);
    assert_eq!(
        help,
        "opsgate reads YAML 1.2, where `yes` is the text \"yes\", not a boolean: write `true` or `false`"
    );
    assert_eq!(line, 23);
}

#[test]
fn a_quoted_yes_is_still_wrong_but_a_true_is_not() {
    // `"true"` (quoted) is text too; only the YAML 1.1 words get the YAML 1.2 hint.
    let findings = schema_findings(|t| {
        t.replacen(
            "baseline_compliance: true",
            "baseline_compliance: \"true\"",
            1,
        )
    });
    let (_, help, _) = only(&findings);
    assert!(
        help.starts_with("see `opsgate schema ChangeRecord`"),
        "{help}"
    );
}

#[test]
fn a_comma_in_an_unquoted_flow_title_gets_a_hint_to_quote_it() {
    let findings = schema_findings(|t| {
        t.replacen(
            "title: Portal 2.14 with hardened hosts and encrypted backups,",
            "title: Portal 2.14, hardened hosts,",
            1,
        )
    });
    let (message, help, line) = only(&findings);
    assert_eq!(message, "unknown field `hardened hosts`");
    assert_eq!(
        help,
        "inside `{…}` a comma ends the entry, so `hardened hosts` became a field of its own; quote a value that contains a comma: write `title: \"Portal 2.14, hardened hosts\"`"
    );
    assert_eq!(line, 3);
}

#[test]
fn a_real_unknown_field_in_a_flow_mapping_keeps_the_did_you_mean() {
    let findings =
        schema_findings(|t| t.replacen("owner: p-chloe}", "owner: p-chloe, titel: x}", 1));
    let (message, help, _) = only(&findings);
    assert_eq!(message, "unknown field `titel`");
    assert_eq!(help, "did you mean `title`?");
}
