//! Rule documentation generated from the registry: `opsgate explain` and `docs/rules.md`.

use std::fmt::Write as _;

use crate::rules::{area_title, Registry, Rule, AREAS};

/// One rule's full documentation, as `opsgate explain` prints it.
pub fn explain(rule: &Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}\n", rule.code, rule.title);
    let _ = writeln!(out, "Severity:   {}", rule.severity);
    let _ = writeln!(out, "Area:       {}", area_title(&rule.area));
    let _ = writeln!(
        out,
        "Applies to: {}",
        rule.kinds
            .as_ref()
            .map_or_else(|| "every kind".to_owned(), |kinds| kinds.join(", "))
    );
    let _ = writeln!(out, "Source:     {}", rule.source);
    if rule.package.is_empty() {
        let _ = writeln!(out, "Checked by: opsgate itself (no policy)");
    } else {
        let _ = writeln!(
            out,
            "Policy:     {} ({})",
            rule.policy_file,
            rule.package.trim_start_matches("data.")
        );
    }
    let _ = writeln!(out, "\nWhy it matters:\n  {}", rule.rationale);
    let _ = writeln!(out, "\nHow to fix:\n  {}", rule.remediation);
    let frameworks = framework_lines(rule);
    if !frameworks.is_empty() {
        let _ = writeln!(out, "\nFrameworks:");
        for (name, controls) in frameworks {
            let _ = writeln!(out, "  {name}: {controls}");
        }
    }
    out
}

/// Each framework a rule maps to, with its controls in natural order and their titles
/// (`A.5.24 Information security incident management planning and preparation; A.5.26 …`).
fn framework_lines(rule: &Rule) -> Vec<(&'static str, String)> {
    let f = &rule.frameworks;
    [
        ("ISO/IEC 27001:2022 Annex A", "iso27001", &f.iso27001),
        ("NIST SP 800-53 rev. 5", "nist", &f.nist_800_53),
        ("CIS Controls v8", "cis", &f.cis_v8),
        ("ITIL 4", "itil", &f.itil4),
    ]
    .into_iter()
    .filter(|(_, _, controls)| !controls.is_empty())
    .map(|(name, key, controls)| {
        let labels: Vec<String> = crate::catalogue::sorted(controls.iter())
            .into_iter()
            .map(|id| crate::catalogue::label(key, id))
            .collect();
        (name, labels.join("; "))
    })
    .collect()
}

/// `docs/rules.md`: every rule, grouped by management area. A test keeps the file in sync.
pub fn rules_markdown(registry: &Registry) -> String {
    let mut out = String::from(
        "# opsgate rules\n\n<!-- Generated from the policies' metadata by `cargo test` (tests/rule_docs.rs); do not edit. -->\n\n",
    );
    let engine = crate::engine_rules::all();
    let _ = writeln!(
        out,
        "{} rules, and {} checks opsgate makes itself ([{}](#{})).\n",
        registry.len(),
        engine.len(),
        crate::engine_rules::AREA_TITLE,
        crate::engine_rules::AREA_TITLE
            .to_lowercase()
            .replace(' ', "-")
    );
    let areas = AREAS
        .iter()
        .copied()
        .chain([(crate::engine_rules::AREA, crate::engine_rules::AREA_TITLE)]);
    for (area, title) in areas {
        let rules: Vec<&Rule> = registry
            .iter()
            .chain(&engine)
            .filter(|r| r.area == area)
            .collect();
        if rules.is_empty() {
            continue;
        }
        let _ = writeln!(out, "## {title}\n");
        let _ = writeln!(out, "| code | severity | title |\n|---|---|---|");
        for rule in &rules {
            let _ = writeln!(
                out,
                "| [{0}](#{1}) | {2} | {3} |",
                rule.code,
                rule.code.to_lowercase(),
                rule.severity,
                rule.title
            );
        }
        out.push('\n');
        for rule in rules {
            rule_section(&mut out, rule);
        }
    }
    out
}

/// One rule's section of docs/rules.md.
fn rule_section(out: &mut String, rule: &Rule) {
    let _ = writeln!(
        out,
        "### {}\n\n**{}** — {}\n",
        rule.code, rule.title, rule.severity
    );
    let _ = writeln!(out, "- **Source:** {}", rule.source);
    let _ = writeln!(out, "- **Why it matters:** {}", rule.rationale);
    let _ = writeln!(out, "- **How to fix:** {}", rule.remediation);
    for (name, controls) in framework_lines(rule) {
        let _ = writeln!(out, "- **{name}:** {controls}");
    }
    if rule.package.is_empty() {
        let _ = writeln!(out, "- **Checked by:** opsgate itself\n");
    } else {
        let _ = writeln!(out, "- **Policy:** `{}`\n", rule.policy_file);
    }
}
