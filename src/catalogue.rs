//! The control catalogue: every framework control the rules may cite, with its standard short
//! title, defined once (`src/catalogue.tsv`, one `framework<TAB>id<TAB>title` a line) and read by
//! the framework views. A test fails when a rule cites a control the catalogue does not know.
//!
//! Coverage is judged per *unit*: an ISO/IEC 27001 Annex A control and an ITIL 4 practice are
//! their own unit; a CIS Safeguard (`17.4`) counts for its Control (`17`), a NIST SP 800-53
//! control or enhancement (`CM-3(2)`) for its family (`CM`). The catalogue holds every unit of
//! each framework, so the units no rule covers can be listed.

use std::collections::BTreeSet;

const TABLE: &str = include_str!("catalogue.tsv");

/// One control of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Control {
    pub framework: &'static str,
    pub id: &'static str,
    pub title: &'static str,
}

/// Every control, in the table's order.
pub fn controls() -> impl Iterator<Item = Control> {
    TABLE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|line| {
            let mut fields = line.splitn(3, '\t');
            Some(Control {
                framework: fields.next()?,
                id: fields.next()?,
                title: fields.next()?,
            })
        })
}

/// The title of `id` in `framework` (a key of [`crate::audit::FRAMEWORKS`]).
pub fn title(framework: &str, id: &str) -> Option<&'static str> {
    controls()
        .find(|c| c.framework == framework && c.id == id)
        .map(|c| c.title)
}

/// The unit a cited control counts for (see the module docs).
pub fn unit<'a>(framework: &str, id: &'a str) -> &'a str {
    match framework {
        "cis" => id.split('.').next().unwrap_or(id),
        "nist" => id.split('-').next().unwrap_or(id),
        _ => id,
    }
}

/// The units of `framework` that none of `cited` falls under, in catalogue order.
pub fn uncovered<'a>(framework: &str, cited: impl IntoIterator<Item = &'a str>) -> Vec<Control> {
    let covered: BTreeSet<&str> = cited.into_iter().map(|id| unit(framework, id)).collect();
    controls()
        .filter(|c| c.framework == framework && unit(framework, c.id) == c.id)
        .filter(|c| !covered.contains(c.id))
        .collect()
}

/// What no rule over the repository's artifacts can establish, said beside the uncovered list.
pub const LIMITS: &str = "Automation checks that the records exist, are complete, consistent and current; it cannot \
    prove that what they describe happened (that a person was screened, a door was locked, a test was really \
    run), so the controls below, and the operation of those above, still need the auditor's sampling, \
    observation and interviews.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_has_three_fields_and_ids_are_unique_per_framework() {
        let lines = TABLE
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .count();
        assert_eq!(controls().count(), lines);
        let mut seen = BTreeSet::new();
        for c in controls() {
            assert!(!c.title.is_empty() && !c.title.contains('\t'), "{c:?}");
            assert!(seen.insert((c.framework, c.id)), "duplicate {c:?}");
        }
        let count = |f: &str| controls().filter(|c| c.framework == f).count();
        assert_eq!(count("iso27001"), 93);
        assert_eq!(count("itil"), 34);
        assert_eq!(
            controls()
                .filter(|c| c.framework == "cis" && !c.id.contains('.'))
                .count(),
            18
        );
        assert_eq!(
            controls()
                .filter(|c| c.framework == "nist" && !c.id.contains('-'))
                .count(),
            20
        );
    }

    #[test]
    fn a_safeguard_covers_its_control_and_an_enhancement_its_family() {
        assert_eq!(unit("cis", "17.4"), "17");
        assert_eq!(unit("nist", "CM-3(2)"), "CM");
        assert_eq!(unit("iso27001", "A.5.2"), "A.5.2");
        let cis: Vec<&str> = uncovered("cis", ["1.1", "17.4"])
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(cis.len(), 16);
        assert!(!cis.contains(&"1") && !cis.contains(&"17") && cis.contains(&"18"));
        assert_eq!(title("iso27001", "A.8.32"), Some("Change management"));
        assert_eq!(title("iso27001", "A.9.1"), None);
    }
}

#[cfg(test)]
mod cited {
    /// Every control a rule cites is in the catalogue (a typo or an unknown control fails here).
    #[test]
    fn every_cited_control_is_in_the_catalogue() {
        let policies = crate::evaluate::PolicySet::load(&[], std::time::Duration::from_secs(10));
        let Ok(policies) = policies else {
            panic!("the built-in policies load");
        };
        let mut unknown = Vec::new();
        for rule in policies.registry.iter() {
            for (framework, _) in crate::audit::FRAMEWORKS {
                for id in crate::audit::controls_of(rule, framework) {
                    if super::title(framework, id).is_none() {
                        unknown.push(format!("{} cites {framework} {id}", rule.code));
                    }
                }
            }
        }
        assert!(unknown.is_empty(), "{unknown:#?}");
    }
}
