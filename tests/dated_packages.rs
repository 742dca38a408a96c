//! Pins how the period report classifies the built-in rules packages (src/evaluate/dated.rs): which
//! `deny` bodies it leaves undated, so that a new date does not evaluate them again. The analysis
//! reads the policy text, so a change of layout (metadata beside each rule, helpers moved into lib,
//! a folded line) can date a body, or a whole package, without changing a finding, and the period
//! report slows down. The pin counts each code's undated bodies: a new rule needs no entry here, a
//! body that becomes undated (more precise) is welcome, one that becomes dated fails.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use opsgate::evaluate::{Context, PolicySet};
use opsgate::load::{load_path, LoadLimits, PathFilter};
use opsgate::validate::SchemaSet;

/// (package, code, undated bodies) as the policies had them before the layout changed (measured on
/// them with this analysis); a body whose code is computed counts under `computed`.
const UNDATED: &[(&str, &str, usize)] = &[
    ("availability", "AVL-001", 1),
    ("availability", "AVL-002", 1),
    ("availability", "AVL-003", 1),
    ("availability", "AVL-004", 1),
    ("availability", "AVL-005", 1),
    ("availability", "AVL-006", 1),
    ("availability", "AVL-007", 1),
    ("availability", "AVL-008", 1),
    ("availability", "AVL-009", 2),
    ("availability", "AVL-010", 1),
    ("availability", "AVL-011", 1),
    ("business_cycles", "XP-020", 1),
    ("business_cycles", "XP-021", 1),
    ("capacity", "CAP-001", 1),
    ("capacity", "CAP-002", 1),
    ("capacity", "CAP-003", 2),
    ("capacity", "CAP-004", 1),
    ("capacity", "CAP-005", 1),
    ("capacity", "CAP-006", 3),
    ("capacity", "CAP-007", 1),
    ("capacity", "CAP-008", 1),
    ("capacity", "CAP-009", 1),
    ("capacity", "CAP-010", 1),
    ("capacity", "CAP-011", 1),
    ("change", "CHG-001", 1),
    ("change", "CHG-002", 2),
    ("change", "CHG-003", 4),
    ("change", "CHG-004", 1),
    ("change", "CHG-005", 1),
    ("change", "CHG-006", 2),
    ("change", "CHG-007", 1),
    ("change", "CHG-008", 1),
    ("change", "CHG-009", 1),
    ("change", "CHG-010", 1),
    ("change", "CHG-011", 1),
    ("change", "CHG-012", 1),
    ("change", "CHG-013", 1),
    ("change", "CHG-014", 1),
    ("change", "CHG-015", 1),
    ("change", "CHG-016", 1),
    ("change", "CHG-017", 1),
    ("change", "CHG-018", 1),
    ("change", "CHG-019", 1),
    ("change", "CHG-020", 1),
    ("change", "CHG-021", 5),
    ("change_control", "GIT-001", 3),
    ("change_control", "GIT-002", 2),
    ("change_control", "GIT-003", 1),
    ("change_control", "GIT-004", 2),
    ("configuration", "CFG-001", 1),
    ("configuration", "CFG-002", 1),
    ("configuration", "CFG-003", 1),
    ("configuration", "CFG-004", 1),
    ("configuration", "CFG-005", 1),
    ("configuration", "CFG-006", 1),
    ("configuration", "CFG-007", 2),
    ("configuration", "CFG-008", 1),
    ("configuration", "CFG-009", 1),
    ("configuration", "CFG-010", 1),
    ("configuration", "CFG-011", 1),
    ("configuration", "CFG-012", 2),
    ("configuration", "CFG-013", 1),
    ("configuration", "computed", 1),
    ("continuity", "BCM-001", 2),
    ("continuity", "BCM-002", 1),
    ("continuity", "BCM-003", 1),
    ("continuity", "BCM-004", 1),
    ("continuity", "BCM-005", 2),
    ("continuity", "BCM-006", 1),
    ("continuity", "BCM-007", 1),
    ("continuity", "BCM-008", 1),
    ("continuity", "BCM-009", 1),
    ("continuity", "BCM-010", 1),
    ("continuity", "BCM-011", 1),
    ("continuity", "BCM-012", 3),
    ("continuity", "BCM-013", 1),
    ("continuity", "BCM-014", 2),
    ("continuity", "BCM-017", 1),
    ("continuity", "BCM-020", 3),
    ("control_csc2", "CSC-001", 1),
    ("control_csc2", "CSC-002", 2),
    ("control_csc2", "CSC-003", 1),
    ("control_csc2", "CSC-004", 1),
    ("control_csc2", "CSC-005", 1),
    ("control_csc2", "CSC-006", 1),
    ("control_csc2", "CSC-007", 2),
    ("control_csc2", "CSC-008", 1),
    ("control_csc2", "CSC-018", 2),
    ("control_csc2", "CSC-020", 2),
    ("control_csc2", "CSC-021", 1),
    ("control_csc2", "CSC-022", 1),
    ("control_csc2", "CSC-023", 1),
    ("control_csc2", "computed", 2),
    ("cross_process", "XP-001", 3),
    ("cross_process", "XP-002", 1),
    ("cross_process", "XP-003", 1),
    ("cross_process", "XP-004", 1),
    ("cross_process", "XP-005", 1),
    ("cross_process", "XP-006", 1),
    ("cross_process", "XP-007", 2),
    ("cross_process", "XP-008", 1),
    ("cross_process", "XP-009", 2),
    ("cross_process", "XP-010", 1),
    ("cross_process", "XP-011", 3),
    ("cross_process", "XP-012", 2),
    ("cross_process", "XP-013", 2),
    ("cross_process", "XP-014", 1),
    ("cross_process", "XP-015", 1),
    ("cross_process", "XP-016", 2),
    ("cross_process", "XP-017", 1),
    ("cross_process", "XP-018", 1),
    ("cross_process", "XP-019", 1),
    ("improvement", "CSI-001", 1),
    ("improvement", "CSI-002", 1),
    ("improvement", "CSI-003", 1),
    ("improvement", "CSI-004", 1),
    ("improvement", "CSI-005", 1),
    ("improvement", "CSI-006", 2),
    ("improvement", "CSI-007", 2),
    ("improvement", "CSI-008", 1),
    ("improvement", "CSI-009", 1),
    ("improvement", "CSI-010", 1),
    ("improvement", "CSI-012", 1),
    ("improvement", "CSI-013", 2),
    ("incident", "INC-001", 2),
    ("incident", "INC-002", 2),
    ("incident", "INC-003", 1),
    ("incident", "INC-004", 2),
    ("incident", "INC-005", 1),
    ("incident", "INC-006", 1),
    ("incident", "INC-007", 2),
    ("incident", "INC-008", 1),
    ("incident", "INC-009", 1),
    ("incident", "INC-011", 1),
    ("incident", "INC-012", 2),
    ("incident", "INC-013", 4),
    ("incident", "INC-014", 1),
    ("incident", "INC-015", 1),
    ("incident", "INC-016", 1),
    ("incident", "INC-017", 1),
    ("incident", "INC-018", 1),
    ("incident", "INC-019", 1),
    ("incident", "INC-020", 1),
    ("incident", "INC-021", 1),
    ("incident", "INC-022", 1),
    ("incident", "INC-023", 1),
    ("incident", "INC-024", 1),
    ("incident", "INC-025", 1),
    ("incident", "INC-028", 1),
    ("incident", "INC-029", 1),
    ("incident", "INC-030", 1),
    ("information_security", "ISP-011", 1),
    ("information_security", "ISP-012", 1),
    ("information_security", "ISP-013", 2),
    ("information_security", "ISP-014", 1),
    ("information_security", "computed", 2),
    ("management_system", "INC-027", 2),
    ("management_system", "ISP-017", 1),
    ("management_system", "computed", 1),
    ("problem", "PRB-001", 1),
    ("problem", "PRB-002", 1),
    ("problem", "PRB-003", 1),
    ("problem", "PRB-004", 1),
    ("problem", "PRB-005", 1),
    ("problem", "PRB-006", 1),
    ("problem", "PRB-007", 1),
    ("problem", "PRB-008", 1),
    ("problem", "PRB-009", 1),
    ("problem", "PRB-010", 1),
    ("problem", "PRB-011", 1),
    ("problem_management", "PRB-012", 1),
    ("problem_management", "PRB-013", 1),
    ("references", "REF-001", 1),
    ("references", "REF-002", 1),
    ("references", "REF-003", 1),
    ("references", "REF-004", 1),
    ("release", "REL-001", 1),
    ("release", "REL-002", 1),
    ("release", "REL-003", 1),
    ("release", "REL-004", 1),
    ("release", "REL-005", 1),
    ("release", "REL-006", 1),
    ("release", "REL-007", 2),
    ("release", "REL-008", 1),
    ("release", "REL-009", 1),
    ("release", "REL-010", 1),
    ("release", "REL-011", 2),
    ("release", "REL-012", 2),
    ("release", "REL-013", 1),
    ("release", "REL-014", 1),
    ("release", "REL-015", 1),
    ("release", "REL-016", 1),
    ("risk_acceptance", "RSK-003", 1),
    ("risk_acceptance", "RSK-004", 1),
    ("risk_acceptance", "RSK-005", 1),
    ("risk_acceptance", "RSK-006", 1),
    ("risk_acceptance", "RSK-007", 1),
    ("service_level", "SLM-001", 2),
    ("service_level", "SLM-002", 1),
    ("service_level", "SLM-003", 1),
    ("service_level", "SLM-004", 1),
    ("service_level", "SLM-005", 1),
    ("service_level", "SLM-006", 1),
    ("service_level", "SLM-007", 2),
    ("service_level", "SLM-008", 1),
    ("service_level", "SLM-009", 2),
    ("service_level", "SLM-011", 1),
    ("service_level", "SLM-012", 1),
    ("service_level", "SLM-013", 1),
    ("service_level", "SLM-014", 1),
];

/// The undated `deny` bodies of each rules package as the period report loads it, by code.
fn undated_bodies() -> BTreeMap<(String, String), usize> {
    let policies = PolicySet::load_for_period(&[], Duration::ZERO).expect("built-in policies load");
    let schemas = SchemaSet::compile().expect("schemas compile");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/acme");
    let loaded = load_path(&dir, LoadLimits::default(), &PathFilter::default());
    let validation = schemas.validate(&loaded.workspace, None);
    let context = Context {
        ill_typed: Arc::new(validation.ill_typed),
        ..Context::new(
            common::AS_OF.to_owned(),
            opsgate::check::default_params(),
            None,
        )
    };
    let (engine, _) = policies.probe(&loaded.workspace, &context).expect("probes");
    let sources: serde_json::Value =
        serde_json::from_str(&engine.get_policies_as_json().expect("sources")).expect("JSON");
    let mut out = BTreeMap::new();
    for source in sources.as_array().into_iter().flatten() {
        let text = source["contents"].as_str().unwrap_or_default();
        let Some(package) = text
            .lines()
            .find_map(|l| l.strip_prefix("package opsgate.rules."))
        else {
            continue;
        };
        for line in text.lines() {
            // Undated: `deny` (reads only the artifact) or `deny_cross` (other artifacts too).
            let Some(rest) = ["deny", "deny_cross"]
                .iter()
                .find_map(|head| line.strip_prefix(&format!("{head} contains lib.finding")))
            else {
                continue;
            };
            let rest = rest.strip_prefix("_with").unwrap_or(rest);
            let code = rest
                .strip_prefix("(\"")
                .and_then(|r| r.split_once('"'))
                .map_or("computed", |(code, _)| code);
            *out.entry((package.trim().to_owned(), code.to_owned()))
                .or_default() += 1;
        }
    }
    out
}

#[test]
fn pinned_undated_bodies_stay_undated() {
    let now = undated_bodies();
    let table: String = now
        .iter()
        .map(|((package, code), n)| format!("    (\"{package}\", \"{code}\", {n}),\n"))
        .collect();
    println!("the undated bodies now:\n{table}");
    let mut problems = Vec::new();
    for (package, code, pinned) in UNDATED {
        let found = now
            .get(&((*package).to_owned(), (*code).to_owned()))
            .copied()
            .unwrap_or_default();
        if found < *pinned {
            problems.push(format!(
                "{package} {code}: {found} undated bodies, {pinned} before"
            ));
        }
    }
    assert!(
        problems.is_empty() && !now.is_empty(),
        "{}\nthe undated bodies now:\n{table}",
        problems.join("\n")
    );
    assert!(UNDATED.len() > 100, "the pin is the whole table");
}
