//! The control catalogue: every control of the frameworks the rules map to, with its standard short
//! title, defined once (`src/catalogue.tsv`, one `framework<TAB>id<TAB>title` a line; the header
//! names the sources, `scripts/catalogue.py` regenerates the CIS and NIST rows) and read by the
//! framework views and every output that names a control. A test fails when a rule cites a control
//! the catalogue does not know.
//!
//! Besides controls the table holds their *groups* — ISO/IEC 27001 Annex A themes (`A.5`), CIS
//! Controls (`17`, whose Safeguards are `17.1`…), NIST SP 800-53 families (`CM`) — to list the
//! uncovered controls under their group. Coverage is judged per control: an Annex A control, an
//! ITIL 4 practice, a CIS Safeguard, a NIST base control. A cited NIST enhancement (`CM-3(2)`)
//! counts for its base control (`CM-3`); a cited group covers none of its controls, so citing a
//! whole family can never hide the controls no rule checks.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::sync::OnceLock;

const TABLE: &str = include_str!("catalogue.tsv");

/// One line of the catalogue: a control, an enhancement or a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Control {
    pub framework: &'static str,
    pub id: &'static str,
    pub title: &'static str,
}

impl Control {
    /// Whether coverage is judged on it (not a group, not a NIST enhancement).
    pub fn is_unit(&self) -> bool {
        !is_group(self.framework, self.id) && unit(self.framework, self.id) == self.id
    }
}

/// Every line, in the table's order.
pub fn controls() -> impl Iterator<Item = Control> {
    static ALL: OnceLock<Vec<Control>> = OnceLock::new();
    ALL.get_or_init(|| {
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
            .collect()
    })
    .iter()
    .copied()
}

/// The title of `id` in `framework` (a key of [`crate::audit::FRAMEWORKS`]).
pub fn title(framework: &str, id: &str) -> Option<&'static str> {
    controls()
        .find(|c| c.framework == framework && c.id == id)
        .map(|c| c.title)
}

/// `A.5.24 Information security incident management planning and preparation`; the id alone when
/// the catalogue does not know it or the title is the id (ITIL practices).
pub fn label(framework: &str, id: &str) -> String {
    title(framework, id).map_or_else(|| id.to_owned(), |title| label_of(id, title))
}

/// `id title`, or the id alone when the title is the id.
pub fn label_of(id: &str, title: &str) -> String {
    if title == id {
        id.to_owned()
    } else {
        format!("{id} {title}")
    }
}

/// Whether `id` names a group: an Annex A theme, a CIS Control, a NIST family.
pub fn is_group(framework: &str, id: &str) -> bool {
    match framework {
        "iso27001" => id.matches('.').count() == 1,
        "cis" => !id.contains('.'),
        "nist" => !id.contains('-'),
        _ => false,
    }
}

/// The group a control belongs to (`A.5.24` → `A.5`, `17.4` → `17`, `CM-3(2)` → `CM`); none for
/// a group itself and for ITIL practices.
pub fn group_of<'a>(framework: &str, id: &'a str) -> Option<&'a str> {
    if is_group(framework, id) {
        return None;
    }
    match framework {
        "iso27001" => id.rsplit_once('.').map(|(theme, _)| theme),
        "cis" => id.split_once('.').map(|(control, _)| control),
        "nist" => id.split_once('-').map(|(family, _)| family),
        _ => None,
    }
}

/// The control a citation counts for: a NIST enhancement's base control, else the id itself.
pub fn unit<'a>(framework: &str, id: &'a str) -> &'a str {
    match framework {
        "nist" => id.split_once('(').map_or(id, |(base, _)| base),
        _ => id,
    }
}

/// How many controls of `framework` coverage is judged on.
pub fn unit_count(framework: &str) -> usize {
    controls()
        .filter(|c| c.framework == framework && c.is_unit())
        .count()
}

/// How many controls coverage is judged on belong to `group` of `framework`.
pub fn group_size(framework: &str, group: &str) -> usize {
    controls()
        .filter(|c| c.framework == framework && c.is_unit())
        .filter(|c| group_of(framework, c.id) == Some(group))
        .count()
}

/// The controls of `framework` that none of `cited` counts for, sorted naturally.
pub fn uncovered<'a>(framework: &str, cited: impl IntoIterator<Item = &'a str>) -> Vec<Control> {
    let covered: BTreeSet<&str> = cited
        .into_iter()
        .filter(|id| !is_group(framework, id))
        .map(|id| unit(framework, id))
        .collect();
    let mut out: Vec<Control> = controls()
        .filter(|c| c.framework == framework && c.is_unit() && !covered.contains(c.id))
        .collect();
    out.sort_by(|a, b| natural_cmp(a.id, b.id));
    out
}

/// Orders control ids as people read them: runs of digits compare as numbers, so A.5.2 comes
/// before A.5.10, CIS 1.1 before 11.5 and AC-2 before AC-10 (and before AC-2(1)).
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    fn chunks(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let bytes = s.as_bytes();
        for i in 1..=bytes.len() {
            if i == bytes.len() || bytes[i].is_ascii_digit() != bytes[start].is_ascii_digit() {
                out.push((bytes[start].is_ascii_digit(), &s[start..i]));
                start = i;
            }
        }
        out
    }
    let (x, y) = (chunks(a), chunks(b));
    for ((dx, cx), (dy, cy)) in x.iter().zip(&y) {
        let order = if *dx && *dy {
            let (tx, ty) = (cx.trim_start_matches('0'), cy.trim_start_matches('0'));
            tx.len().cmp(&ty.len()).then_with(|| tx.cmp(ty))
        } else {
            cx.cmp(cy)
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    x.len().cmp(&y.len()).then_with(|| a.cmp(b))
}

/// `ids` sorted naturally, without duplicates.
pub fn sorted<'a>(ids: impl IntoIterator<Item = &'a String>) -> Vec<&'a str> {
    let mut out: Vec<&str> = ids.into_iter().map(String::as_str).collect();
    out.sort_by(|a, b| natural_cmp(a, b));
    out.dedup();
    out
}

/// What no rule over the repository's artifacts can establish, said beside the uncovered list.
pub const LIMITS: &str = "Automation checks that the records exist, are complete, consistent and current; it cannot \
    prove that what they describe happened (that a person was screened, a door was locked, a test was really \
    run), so the controls below, and the operation of those above, still need the auditor's sampling, \
    observation and interviews.";

#[cfg(test)]
mod tests {
    use super::*;

    fn count(framework: &str, keep: impl Fn(&Control) -> bool) -> usize {
        controls()
            .filter(|c| c.framework == framework && keep(c))
            .count()
    }

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
            assert_eq!(c.title.trim(), c.title, "{c:?}");
            assert!(seen.insert((c.framework, c.id)), "duplicate {c:?}");
            let known = crate::audit::FRAMEWORKS
                .iter()
                .any(|(k, _)| *k == c.framework);
            assert!(known, "{c:?}");
        }
    }

    /// The counts the sources publish: ISO/IEC 27001:2022 Annex A has 4 themes and 93 controls,
    /// ITIL 4 34 practices, CIS Controls v8 18 Controls and 153 Safeguards, NIST SP 800-53 rev. 5
    /// (release 5.1.1) 20 families and 299 base controls that are not withdrawn.
    #[test]
    fn the_catalogue_is_complete_for_every_framework() {
        assert_eq!(count("iso27001", |c| c.is_unit()), 93);
        assert_eq!(count("iso27001", |c| !c.is_unit()), 4);
        assert_eq!(count("itil", |c| c.is_unit()), 34);
        assert_eq!(count("itil", |c| !c.is_unit()), 0);
        assert_eq!(count("cis", |c| is_group("cis", c.id)), 18);
        assert_eq!(count("cis", |c| c.is_unit()), 153);
        // Safeguards per Control, 1 to 18.
        let per_control = [5, 7, 14, 12, 6, 8, 7, 12, 7, 7, 5, 8, 11, 9, 7, 14, 9, 5];
        for (n, expected) in per_control.iter().enumerate() {
            let control = (n + 1).to_string();
            let got = count("cis", |c| group_of("cis", c.id) == Some(&control));
            assert_eq!(got, *expected, "CIS Control {control}");
            // Numbered 1…k without gaps.
            for k in 1..=*expected {
                assert!(
                    title("cis", &format!("{control}.{k}")).is_some(),
                    "{control}.{k}"
                );
            }
        }
        assert_eq!(count("nist", |c| is_group("nist", c.id)), 20);
        assert_eq!(count("nist", |c| c.is_unit()), 299);
        // Every family opens with its policy control, except Program Management.
        for family in controls().filter(|c| c.framework == "nist" && is_group("nist", c.id)) {
            let first = format!("{}-1", family.id);
            let expected = match family.id {
                "PM" => "Information Security Program Plan",
                _ => "Policy and Procedures",
            };
            assert_eq!(title("nist", &first), Some(expected), "{first}");
        }
        assert_eq!(title("nist", "SR-12"), Some("Component Disposal"));
        assert_eq!(
            title("nist", "IA-13"),
            Some("Identity Providers and Authorization Servers")
        );
        // Withdrawn controls are left out: AC-13 was incorporated into AC-2 and AU-6.
        assert_eq!(title("nist", "AC-13"), None);
        assert_eq!(title("cis", "18.6"), None);
        assert_eq!(unit_count("nist"), 299);
    }

    #[test]
    fn every_control_belongs_to_a_group_the_catalogue_holds() {
        for c in controls() {
            match group_of(c.framework, c.id) {
                Some(group) => assert!(title(c.framework, group).is_some(), "{c:?}"),
                None => assert!(
                    c.framework == "itil" || is_group(c.framework, c.id),
                    "{c:?}"
                ),
            }
        }
    }

    #[test]
    fn a_citation_covers_its_control_an_enhancement_its_base_and_a_group_nothing() {
        assert_eq!(unit("nist", "CM-3(2)"), "CM-3");
        assert_eq!(unit("nist", "CM-3"), "CM-3");
        assert_eq!(unit("cis", "17.4"), "17.4");
        assert_eq!(group_of("nist", "CM-3(2)"), Some("CM"));
        assert_eq!(group_of("iso27001", "A.5.24"), Some("A.5"));
        assert_eq!(group_of("cis", "17"), None);
        assert_eq!(group_of("itil", "Change enablement"), None);
        let ids = |v: Vec<Control>| v.into_iter().map(|c| c.id).collect::<Vec<_>>();
        let nist = ids(uncovered("nist", ["CM-3(2)", "AC-2"]));
        assert_eq!(nist.len(), 297);
        assert!(!nist.contains(&"CM-3") && !nist.contains(&"AC-2"));
        assert!(nist.contains(&"CM-2") && nist.contains(&"AC-3"));
        assert!(nist.iter().all(|id| !id.contains('(') && id.contains('-')));
        // A cited family or Control covers none of its controls.
        assert_eq!(uncovered("nist", ["CM"]).len(), 299);
        let cis = ids(uncovered("cis", ["17", "1.1", "17.4"]));
        assert_eq!(cis.len(), 151);
        assert!(cis.contains(&"17.1") && !cis.contains(&"17.4") && !cis.contains(&"1.1"));
        assert_eq!(uncovered("iso27001", ["A.5"]).len(), 93);
        assert_eq!(uncovered("itil", ["Change enablement"]).len(), 33);
    }

    #[test]
    fn uncovered_controls_come_in_natural_order() {
        let cis = uncovered("cis", []);
        let at = |id: &str| cis.iter().position(|c| c.id == id).unwrap();
        assert!(at("1.1") < at("1.2") && at("1.5") < at("2.1") && at("3.9") < at("3.10"));
        assert!(at("10.1") < at("11.5") && at("2.1") < at("10.1"));
        let nist = uncovered("nist", []);
        let at = |id: &str| nist.iter().position(|c| c.id == id).unwrap();
        assert!(at("AC-2") < at("AC-10") && at("AC-25") < at("AT-1"));
    }

    #[test]
    fn natural_order_compares_numbers_as_numbers() {
        let mut ids = [
            "A.5.10", "A.8.2", "A.5.2", "AC-10", "AC-2(1)", "AC-2", "11.5", "1.1", "2.1",
        ];
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            ids,
            ["1.1", "2.1", "11.5", "A.5.2", "A.5.10", "A.8.2", "AC-2", "AC-2(1)", "AC-10"]
        );
        assert_eq!(natural_cmp("A.05.2", "A.5.2"), Ordering::Less);
    }

    #[test]
    fn a_label_is_the_id_and_its_title() {
        assert_eq!(
            label("iso27001", "A.5.24"),
            "A.5.24 Information security incident management planning and preparation"
        );
        assert_eq!(label("itil", "Change enablement"), "Change enablement");
        assert_eq!(label("nist", "XX-99"), "XX-99");
        assert_eq!(title("iso27001", "A.8.32"), Some("Change management"));
        assert_eq!(title("iso27001", "A.9.1"), None);
    }
}

#[cfg(test)]
mod cited {
    use std::collections::BTreeSet;

    fn citations() -> Vec<(String, &'static str, String)> {
        let policies = crate::evaluate::PolicySet::load(&[], std::time::Duration::from_secs(10));
        let Ok(policies) = policies else {
            panic!("the built-in policies load");
        };
        let mut out = Vec::new();
        for rule in policies.registry.iter() {
            for (framework, _) in crate::audit::FRAMEWORKS {
                for id in crate::audit::controls_of(rule, framework) {
                    out.push((rule.code.clone(), *framework, id.clone()));
                }
            }
        }
        out
    }

    /// Every control a rule cites is in the catalogue (a typo, an unknown or a withdrawn control
    /// fails here), and is a control, not a whole group.
    #[test]
    fn every_cited_control_is_in_the_catalogue() {
        let citations = citations();
        assert!(citations.len() > 100, "{}", citations.len());
        let unknown: Vec<String> = citations
            .iter()
            .filter(|(_, framework, id)| super::title(framework, id).is_none())
            .map(|(code, framework, id)| format!("{code} cites {framework} {id}"))
            .collect();
        assert!(unknown.is_empty(), "{unknown:#?}");
        let groups: Vec<String> = citations
            .iter()
            .filter(|(_, framework, id)| super::is_group(framework, id))
            .map(|(code, framework, id)| format!("{code} cites the whole {framework} {id}"))
            .collect();
        assert!(groups.is_empty(), "{groups:#?}");
    }

    /// The catalogue holds the NIST enhancements the rules cite and no others (as its header says).
    #[test]
    fn the_nist_enhancements_listed_are_the_cited_ones() {
        let cited: BTreeSet<String> = citations()
            .into_iter()
            .filter(|(_, framework, id)| *framework == "nist" && id.contains('('))
            .map(|(_, _, id)| id)
            .collect();
        let listed: BTreeSet<String> = super::controls()
            .filter(|c| c.framework == "nist" && c.id.contains('('))
            .map(|c| c.id.to_owned())
            .collect();
        assert_eq!(listed, cited);
    }
}
