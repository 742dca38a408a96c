//! Pins how the period report classifies each built-in rules package (src/evaluate/dated.rs): the
//! codes it does NOT re-evaluate when only the evaluation date moves. The analysis reads the policy
//! text, so a change of layout (metadata beside each rule, helpers moved into lib, a folded line) can
//! date a code, or a whole package, without changing a finding, and the period report slows down.
//! The pin is on the undated codes, so a new rule needs no entry here and a code that becomes
//! undated (more precise) is welcome; a pinned code that becomes dated fails.
//! (The packages dated as a whole today, configuration, control_csc2 and information_security, have
//! computed codes: `lib.finding(code, …)`.)

use std::collections::BTreeMap;
use std::time::Duration;

use opsgate::evaluate::PolicySet;

/// Per package: the codes that must stay undated (as measured before the policy layout changed).
const UNDATED: &[(&str, &[&str])] = &[
    (
        "availability",
        &[
            "AVL-001", "AVL-002", "AVL-003", "AVL-004", "AVL-005", "AVL-006", "AVL-008", "AVL-009",
            "AVL-010",
        ],
    ),
    ("business_cycles", &["XP-020", "XP-021"]),
    (
        "capacity",
        &[
            "CAP-001", "CAP-002", "CAP-003", "CAP-004", "CAP-005", "CAP-006", "CAP-007", "CAP-008",
            "CAP-009", "CAP-010",
        ],
    ),
    (
        "change",
        &[
            "CHG-001", "CHG-002", "CHG-003", "CHG-004", "CHG-005", "CHG-007", "CHG-008", "CHG-009",
            "CHG-010", "CHG-011", "CHG-012", "CHG-013", "CHG-014", "CHG-015", "CHG-016", "CHG-017",
            "CHG-018", "CHG-019", "CHG-021",
        ],
    ),
    (
        "change_control",
        &[
            "GIT-001", "GIT-002", "GIT-003", "GIT-004", "GIT-005", "GIT-006", "GIT-007",
        ],
    ),
    ("configuration", &[]),
    (
        "continuity",
        &[
            "BCM-001", "BCM-003", "BCM-004", "BCM-005", "BCM-006", "BCM-007", "BCM-008", "BCM-009",
            "BCM-010", "BCM-011", "BCM-012", "BCM-013", "BCM-014", "BCM-017", "BCM-020",
        ],
    ),
    ("control_csc2", &[]),
    (
        "cross_process",
        &[
            "XP-001", "XP-002", "XP-003", "XP-004", "XP-005", "XP-006", "XP-007", "XP-008",
            "XP-009", "XP-010", "XP-011", "XP-012", "XP-013", "XP-014", "XP-015", "XP-016",
            "XP-017", "XP-018", "XP-019",
        ],
    ),
    ("document_control", &[]),
    (
        "evidence",
        &["EVD-001", "EVD-002", "EVD-003", "EVD-004", "EVD-005"],
    ),
    (
        "improvement",
        &[
            "CSI-001", "CSI-002", "CSI-003", "CSI-004", "CSI-005", "CSI-006", "CSI-009", "CSI-010",
            "CSI-012", "CSI-013",
        ],
    ),
    (
        "incident",
        &[
            "INC-001", "INC-002", "INC-003", "INC-004", "INC-005", "INC-006", "INC-007", "INC-008",
            "INC-009", "INC-011", "INC-012", "INC-013", "INC-014", "INC-015", "INC-016", "INC-017",
            "INC-018", "INC-019", "INC-020", "INC-021", "INC-022", "INC-023", "INC-025", "INC-028",
            "INC-029", "INC-030",
        ],
    ),
    ("information_security", &[]),
    (
        "management_system",
        &[
            "BCM-018", "BCM-019", "CFG-018", "CHG-022", "CSC-024", "CSI-014", "INC-026", "INC-027",
            "ISP-016", "ISP-017",
        ],
    ),
    ("placeholders", &["DOC-001"]),
    (
        "problem",
        &[
            "PRB-001", "PRB-002", "PRB-003", "PRB-004", "PRB-005", "PRB-006", "PRB-007", "PRB-008",
            "PRB-010", "PRB-011",
        ],
    ),
    ("problem_management", &["PRB-012", "PRB-013"]),
    ("references", &["REF-001", "REF-002", "REF-003", "REF-004"]),
    (
        "release",
        &[
            "REL-001", "REL-002", "REL-003", "REL-004", "REL-005", "REL-006", "REL-007", "REL-008",
            "REL-009", "REL-010", "REL-011", "REL-012", "REL-013", "REL-014", "REL-015", "REL-016",
        ],
    ),
    (
        "risk_acceptance",
        &["RSK-003", "RSK-004", "RSK-005", "RSK-006", "RSK-007"],
    ),
    (
        "service_level",
        &[
            "SLM-001", "SLM-002", "SLM-003", "SLM-004", "SLM-005", "SLM-006", "SLM-007", "SLM-008",
            "SLM-009", "SLM-011", "SLM-012", "SLM-013", "SLM-014",
        ],
    ),
];

#[test]
fn pinned_undated_codes_stay_undated() {
    let policies = PolicySet::load_for_period(&[], Duration::ZERO).expect("built-in policies load");
    let mut undated: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for rule in policies.registry.iter().filter(|r| r.builtin) {
        let package = rule
            .package
            .trim_start_matches("data.opsgate.rules.")
            .to_owned();
        let codes = undated.entry(package).or_default();
        if !policies.is_dated(&rule.code) {
            codes.push(rule.code.clone());
        }
    }
    let mut problems = Vec::new();
    for (package, pinned) in UNDATED {
        let now = undated.get(*package).cloned().unwrap_or_default();
        for code in *pinned {
            if !now.iter().any(|c| c == code) {
                problems.push(format!("{package}: {code} is now dated (or gone)"));
            }
        }
    }
    let table: String = undated
        .iter()
        .map(|(p, codes)| format!("    (\"{p}\", &{codes:?}),\n"))
        .collect();
    assert!(
        problems.is_empty(),
        "{}\nthe undated codes now:\n{table}",
        problems.join("\n")
    );
}
