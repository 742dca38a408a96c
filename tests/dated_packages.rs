//! Pins how the period report classifies each built-in rules package (src/evaluate/dated.rs): which
//! codes it re-evaluates when only the evaluation date moves. The analysis reads the policy text, so
//! a change of layout (metadata beside each rule, shared helpers in lib) can make a package "dated as
//! a whole" without changing a finding, and the period report slows down. A code leaving this table
//! (more precise) is welcome and updates it; a code joining it fails here first.

use std::collections::BTreeMap;
use std::time::Duration;

use opsgate::evaluate::PolicySet;

/// Per package: the codes dated (a split package lists some, a package dated whole lists all).
const DATED: &[(&str, &[&str])] = &[
    ("availability", &["AVL-007", "AVL-011"]),
    ("business_cycles", &[]),
    ("capacity", &["CAP-011"]),
    ("change", &["CHG-006", "CHG-020"]),
    ("change_control", &[]),
    (
        "configuration",
        &[
            "CFG-001", "CFG-002", "CFG-003", "CFG-004", "CFG-005", "CFG-006", "CFG-007", "CFG-008",
            "CFG-009", "CFG-010", "CFG-011", "CFG-012", "CFG-013", "CFG-014", "CFG-015", "CFG-016",
            "CFG-017",
        ],
    ),
    ("continuity", &["BCM-002", "BCM-015", "BCM-016"]),
    (
        "control_csc2",
        &[
            "CSC-001", "CSC-002", "CSC-003", "CSC-004", "CSC-005", "CSC-006", "CSC-007", "CSC-008",
            "CSC-009", "CSC-010", "CSC-011", "CSC-012", "CSC-013", "CSC-014", "CSC-015", "CSC-016",
            "CSC-017", "CSC-018", "CSC-019", "CSC-020", "CSC-021", "CSC-022", "CSC-023",
        ],
    ),
    ("cross_process", &[]),
    ("document_control", &["ISP-015"]),
    ("evidence", &[]),
    ("improvement", &["CSI-007", "CSI-008", "CSI-011"]),
    ("incident", &["INC-010", "INC-024"]),
    (
        "information_security",
        &[
            "ISP-001", "ISP-002", "ISP-003", "ISP-004", "ISP-005", "ISP-006", "ISP-007", "ISP-008",
            "ISP-009", "ISP-010", "ISP-011", "ISP-012", "ISP-013", "ISP-014",
        ],
    ),
    ("management_system", &[]),
    ("placeholders", &[]),
    ("problem", &["PRB-009"]),
    ("problem_management", &[]),
    ("references", &[]),
    ("release", &[]),
    ("risk_acceptance", &["RSK-001", "RSK-002"]),
    ("service_level", &["SLM-010"]),
];

#[test]
fn each_package_dates_exactly_the_codes_pinned_here() {
    let policies = PolicySet::load_for_period(&[], Duration::ZERO).expect("built-in policies load");
    let mut actual: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for rule in policies.registry.iter().filter(|r| r.builtin) {
        let package = rule
            .package
            .trim_start_matches("data.opsgate.rules.")
            .to_owned();
        let codes = actual.entry(package).or_default();
        if policies.is_dated(&rule.code) {
            codes.push(rule.code.clone());
        }
    }
    let expected: BTreeMap<String, Vec<String>> = DATED
        .iter()
        .map(|(p, codes)| {
            (
                (*p).to_owned(),
                codes.iter().map(|c| (*c).to_owned()).collect(),
            )
        })
        .collect();
    let table: String = actual
        .iter()
        .map(|(p, codes)| {
            format!(
                "    (\"{p}\", &[{}]),\n",
                codes
                    .iter()
                    .map(|c| format!("\"{c}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    assert_eq!(actual, expected, "the classification now is:\n{table}");
}
