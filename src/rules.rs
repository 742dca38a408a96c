//! The rule registry: every rule's metadata, read from the policies themselves.
//!
//! Each policy package declares `metadata["CODE"] := {...}` directly above the rule's `deny`
//! bodies (one object per package to the engine), so a rule's code, severity, kinds, rationale and
//! framework mappings live in exactly one place, which `opsgate rules`, `opsgate explain`,
//! `docs/rules.md` and every output read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::finding::Severity;

/// The eleven management areas of the source text, plus the rules that tie them together.
pub const AREAS: &[(&str, &str)] = &[
    ("information_security", "Information security management"),
    ("configuration", "Configuration management"),
    ("change", "Change management"),
    ("incident", "Incident management"),
    ("problem", "Problem management"),
    ("release", "Release and deployment management"),
    ("service_level", "Service-level management"),
    ("availability", "Availability management"),
    ("capacity", "Capacity management"),
    ("continuity", "Business continuity management"),
    ("improvement", "Continual service improvement management"),
    ("cross_process", "How management processes relate"),
];

/// The area engine rules (src/engine_rules.rs) are listed under: not one of the policies'
/// management areas.
pub const ENGINE_AREA: &str = "engine";
pub const ENGINE_AREA_TITLE: &str = "Input and engine checks";

pub fn area_title(area: &str) -> &str {
    if area == ENGINE_AREA {
        return ENGINE_AREA_TITLE;
    }
    AREAS
        .iter()
        .find(|(key, _)| *key == area)
        .map_or(area, |(_, title)| title)
}

/// Controls of well-known frameworks a rule supports.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Frameworks {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub iso27001: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nist_800_53: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cis_v8: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub itil4: Vec<String>,
}

/// Metadata as written in a policy's `metadata` object.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMetadata {
    pub title: String,
    pub severity: String,
    pub area: String,
    /// The section of the source text the rule comes from.
    pub source: String,
    pub rationale: String,
    pub remediation: String,
    #[serde(default)]
    pub frameworks: Frameworks,
    /// The kinds this rule inspects (reports use it to list evidence and applicable artifacts);
    /// defaults to the package's `kinds`. Every built-in rule states its own, and a built-in
    /// package's `kinds` is their union (tests/policy_layout.rs).
    #[serde(default)]
    pub kinds: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub code: String,
    pub title: String,
    pub severity: Severity,
    pub area: String,
    pub source: String,
    pub rationale: String,
    pub remediation: String,
    pub frameworks: Frameworks,
    /// The Rego package that implements it.
    pub package: String,
    pub policy_file: String,
    pub builtin: bool,
    /// The kinds of artifact the rule inspects; `None` means every kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<String>>,
}

impl Rule {
    pub fn applies_to(&self, kind: &str) -> bool {
        self.kinds
            .as_ref()
            .is_none_or(|kinds| kinds.iter().any(|k| k == kind))
    }
}

/// All rules, ordered by code.
#[derive(Debug, Default)]
pub struct Registry {
    rules: BTreeMap<String, Rule>,
}

impl Registry {
    pub fn insert(&mut self, rule: Rule) -> Result<(), Box<Rule>> {
        if let Some(existing) = self.rules.get(&rule.code) {
            return Err(Box::new(existing.clone()));
        }
        self.rules.insert(rule.code.clone(), rule);
        Ok(())
    }

    pub fn get(&self, code: &str) -> Option<&Rule> {
        self.rules.get(code)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Rule> {
        self.rules.values()
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

/// Checks one metadata entry and turns it into a rule, or says what is wrong with it.
pub fn rule_from_metadata(
    code: &str,
    metadata: RuleMetadata,
    package: &str,
    policy_file: &str,
    builtin: bool,
) -> Result<Rule, String> {
    let severity = Severity::parse(&metadata.severity).ok_or_else(|| {
        format!(
            "rule {code}: severity `{}` is not error, warning or info",
            metadata.severity
        )
    })?;
    if !AREAS.iter().any(|(key, _)| *key == metadata.area) {
        let known: Vec<_> = AREAS.iter().map(|(key, _)| *key).collect();
        return Err(format!(
            "rule {code}: area `{}` is not one of {}",
            metadata.area,
            known.join(", ")
        ));
    }
    if !is_valid_code(code) {
        return Err(format!(
            "rule code `{code}` must look like ABC-001 (letters, a dash, three digits)"
        ));
    }
    Ok(Rule {
        code: code.to_owned(),
        title: metadata.title,
        severity,
        area: metadata.area,
        source: metadata.source,
        rationale: metadata.rationale,
        remediation: metadata.remediation,
        frameworks: metadata.frameworks,
        package: package.to_owned(),
        policy_file: policy_file.to_owned(),
        builtin,
        kinds: metadata.kinds,
    })
}

fn is_valid_code(code: &str) -> bool {
    match code.split_once('-') {
        Some((prefix, number)) => {
            (2..=6).contains(&prefix.len())
                && prefix.bytes().all(|b| b.is_ascii_uppercase())
                && number.len() == 3
                && number.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_a_fixed_shape() {
        assert!(is_valid_code("CHG-001"));
        assert!(is_valid_code("XPROC-012"));
        assert!(!is_valid_code("chg-001"));
        assert!(!is_valid_code("CHG-1"));
        assert!(!is_valid_code("CHG001"));
    }
}
