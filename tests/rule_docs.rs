//! `docs/rules.md` is generated from the policies' metadata; this test fails when it is stale and
//! rewrites it when run with `OPSGATE_BLESS=1`.

use std::time::Duration;

use opsgate::docs::rules_markdown;
use opsgate::evaluate::PolicySet;

#[test]
fn docs_rules_md_is_up_to_date() {
    let policies = PolicySet::load(&[], Duration::from_secs(10)).expect("built-in policies load");
    let expected = rules_markdown(&policies.registry);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    if std::env::var_os("OPSGATE_BLESS").is_some() {
        std::fs::write(&path, &expected).expect("write docs/rules.md");
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/rules.md is stale: regenerate it with `OPSGATE_BLESS=1 cargo test --test rule_docs`"
    );
}

#[test]
fn every_rule_cites_its_source_and_explains_itself() {
    let policies = PolicySet::load(&[], Duration::from_secs(10)).expect("built-in policies load");
    assert!(
        policies.registry.len() >= 50,
        "only {} rules",
        policies.registry.len()
    );
    for rule in policies.registry.iter() {
        assert!(
            rule.source.len() > 10,
            "{} cites no source section",
            rule.code
        );
        assert!(rule.rationale.len() > 20, "{} has no rationale", rule.code);
        assert!(
            rule.remediation.len() > 10,
            "{} has no remediation",
            rule.code
        );
    }
}

/// docs/rules.md names each mapped control with its catalogue title, in natural order:
/// AVL-001 cites `["A.8.14", "A.5.20"]` and the page lists A.5.20 first.
#[test]
fn rule_docs_name_controls_with_their_titles_in_natural_order() {
    let policies = PolicySet::load(&[], Duration::from_secs(10)).expect("built-in policies load");
    let docs = rules_markdown(&policies.registry);
    let section = docs
        .split("### AVL-001\n")
        .nth(1)
        .and_then(|s| s.split("### ").next())
        .expect("AVL-001 is documented");
    assert!(
        section.contains(
            "- **ISO/IEC 27001:2022 Annex A:** A.5.20 Addressing information security within supplier agreements; A.8.14 Redundancy of information processing facilities\n"
        ),
        "{section}"
    );
    assert!(
        section.contains("- **NIST SP 800-53 rev. 5:** CP-2 Contingency Plan\n"),
        "{section}"
    );
    // Enhancements and CIS Safeguards too; an ITIL practice is its own title.
    assert!(docs.contains("CP-2(2) Capacity Planning; SC-5(2) Capacity, Bandwidth, and Redundancy"));
    assert!(docs.contains(
        "- **CIS Controls v8:** 17.4 Establish and Maintain an Incident Response Process"
    ));
    assert!(docs.contains("- **ITIL 4:** Information security management\n"));
}
