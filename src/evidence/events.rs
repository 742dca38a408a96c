//! The dated events an artifact asserts, each with a stable key: the artifact's id, where in the
//! artifact the event sits (array indices replaced by `*`, so inserting an entry above it does
//! not make it a new event), its date and what tells two events of one list apart (a test's name,
//! an approval's approver). The key never holds the file path: a record moved to another file is
//! the same record.

use serde_json::Value;

/// What kind of paperwork an event is; decides which deadline applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// A change's approval: had to exist when implementation started (EVD-001).
    ChangeApproval,
    /// A document's approval (plan, policy, baseline, BIA, risk acceptance).
    Approval,
    Test,
    SecurityTest,
    Evaluation,
    Review,
    LegalReview,
}

impl Class {
    pub fn label(self) -> &'static str {
        match self {
            Class::ChangeApproval | Class::Approval => "approval",
            Class::Test => "test",
            Class::SecurityTest => "security test",
            Class::Evaluation => "evaluation",
            Class::Review => "review",
            Class::LegalReview => "legal review",
        }
    }
}

/// Where a kind records one sort of event.
struct Site {
    kinds: &'static [&'static str],
    /// The object (or, ending in `*`, each item of the list) that holds the event.
    at: &'static str,
    /// The date, relative to that object.
    date: &'static str,
    /// Fields (relative to that object) that tell events of one list apart.
    keyed_by: &'static [&'static str],
    class: Class,
}

const DOCUMENTS: &[&str] = &[
    "InformationSecurityPlan",
    "SecurityBaseline",
    "ProcessPolicy",
    "IncidentManagementPlan",
    "BusinessImpactAnalysis",
    "RiskAcceptance",
];

const SITES: &[Site] = &[
    Site {
        kinds: &["ChangeRecord"],
        at: "/spec/approvals/*",
        date: "/date",
        keyed_by: &["/approver", "/decision"],
        class: Class::ChangeApproval,
    },
    Site {
        kinds: &["ChangeRecord"],
        at: "/spec/evaluation",
        date: "/date",
        keyed_by: &[],
        class: Class::Evaluation,
    },
    Site {
        kinds: &["ChangeRecord"],
        at: "/spec/tests/*",
        date: "/date",
        keyed_by: &["/name"],
        class: Class::Test,
    },
    Site {
        kinds: &["ChangeRecord"],
        at: "/spec/review",
        date: "/date",
        keyed_by: &["/reviewer"],
        class: Class::Review,
    },
    Site {
        kinds: &["ContinuityPlan", "IncidentManagementPlan"],
        at: "/spec/tests/*",
        date: "/date",
        keyed_by: &["/type"],
        class: Class::Test,
    },
    Site {
        kinds: &["ControlImplementation"],
        at: "/spec/sampling/tests/*",
        date: "/date",
        keyed_by: &[],
        class: Class::Test,
    },
    Site {
        kinds: &["AvailabilityPlan"],
        at: "/spec/services/*",
        date: "/failover/tested_on",
        keyed_by: &["/service"],
        class: Class::Test,
    },
    Site {
        kinds: &["ReleaseRecord"],
        at: "/spec/security_testing",
        date: "/date",
        keyed_by: &["/type"],
        class: Class::SecurityTest,
    },
    Site {
        kinds: &["ServiceLevelAgreement"],
        at: "/spec/legal_review",
        date: "/date",
        keyed_by: &["/reviewer"],
        class: Class::LegalReview,
    },
    Site {
        kinds: &["ServiceLevelAgreement"],
        at: "/spec/revisions/*",
        date: "/legal_review/date",
        keyed_by: &["/version", "/legal_review/reviewer"],
        class: Class::LegalReview,
    },
    Site {
        kinds: DOCUMENTS,
        at: "/spec/approval",
        date: "/date",
        keyed_by: &["/approver"],
        class: Class::Approval,
    },
    Site {
        kinds: &["ControlImplementation"],
        at: "/spec/plan/approval",
        date: "/date",
        keyed_by: &["/approver"],
        class: Class::Approval,
    },
    Site {
        kinds: &["ProcessPolicy"],
        at: "/spec/change_models/*",
        date: "/approval/date",
        keyed_by: &["/id", "/approval/approver"],
        class: Class::Approval,
    },
    Site {
        kinds: &["BusinessImpactAnalysis"],
        at: "/spec",
        date: "/completed_on",
        keyed_by: &[],
        class: Class::Evaluation,
    },
    Site {
        kinds: &[
            "InformationSecurityPlan",
            "SecurityBaseline",
            "AvailabilityPlan",
            "CapacityPlan",
        ],
        at: "/spec",
        date: "/last_reviewed",
        keyed_by: &[],
        class: Class::Review,
    },
    Site {
        kinds: &["ConfigurationItem"],
        at: "/spec/baseline_compliance",
        date: "/checked_on",
        keyed_by: &[],
        class: Class::Review,
    },
];

/// One dated event of one artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Stable across files, moves and reordering (see the module docs).
    pub key: String,
    /// Where it is now, for the finding's location.
    pub pointer: String,
    pub class: Class,
    pub date: jiff::civil::Date,
    /// For change approvals: the decision (only `approved` authorizes).
    pub decision: Option<String>,
}

/// How an artifact's existence key ends.
pub const EXISTS: &str = "\u{0}exists";

/// The key of an artifact's own existence (when its record was first committed).
pub fn artifact_key(id: &str) -> String {
    format!("{id}{EXISTS}")
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A date field: `YYYY-MM-DD`, or the date of a date-time. Anything else holds no event (the
/// schema reports it).
fn date_of(value: Option<&Value>) -> Option<jiff::civil::Date> {
    value?.as_str()?.get(..10)?.parse().ok()
}

/// The objects at `at` (with their concrete pointers); `*` as the last segment walks a list.
fn objects<'v>(value: &'v Value, at: &str) -> Vec<(String, &'v Value)> {
    match at.strip_suffix("/*") {
        Some(list) => match value.pointer(list) {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| (format!("{list}/{i}"), item))
                .collect(),
            _ => Vec::new(),
        },
        None => value
            .pointer(at)
            .map(|v| vec![(at.to_owned(), v)])
            .unwrap_or_default(),
    }
}

/// Every dated event of an artifact of `kind` with `id` whose content is `value`.
pub fn of(id: &str, kind: &str, value: &Value) -> Vec<Event> {
    let mut out = Vec::new();
    for site in SITES.iter().filter(|s| s.kinds.contains(&kind)) {
        for (pointer, object) in objects(value, site.at) {
            let Some(date) = date_of(object.pointer(site.date)) else {
                continue;
            };
            let mut key = format!("{id}\u{0}{}{}\u{0}{date}", site.at, site.date);
            for field in site.keyed_by {
                key.push('\u{0}');
                key.push_str(&object.pointer(field).map(text).unwrap_or_default());
            }
            out.push(Event {
                key,
                pointer: format!("{pointer}{}", site.date),
                class: site.class,
                date,
                decision: object
                    .pointer("/decision")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_entry_keeps_its_key_when_another_is_inserted_above_it() {
        let one = serde_json::json!({"spec": {"tests": [{"name": "smoke", "date": "2026-03-01"}]}});
        let two = serde_json::json!({"spec": {"tests": [
            {"name": "load", "date": "2026-02-01"}, {"name": "smoke", "date": "2026-03-01"}]}});
        let before = of("CHG-1", "ChangeRecord", &one);
        let after = of("CHG-1", "ChangeRecord", &two);
        assert_eq!(before.len(), 1);
        assert_eq!(after.len(), 2);
        assert_eq!(after[1].key, before[0].key);
        assert_eq!(after[1].pointer, "/spec/tests/1/date");
        assert_ne!(after[0].key, before[0].key);
    }

    #[test]
    fn a_new_date_is_a_new_event_and_a_bad_date_is_none() {
        let a = of(
            "SB-1",
            "SecurityBaseline",
            &serde_json::json!({"spec": {"last_reviewed": "2026-01-01"}}),
        );
        let b = of(
            "SB-1",
            "SecurityBaseline",
            &serde_json::json!({"spec": {"last_reviewed": "2026-06-01"}}),
        );
        assert_ne!(a[0].key, b[0].key);
        assert!(of(
            "SB-1",
            "SecurityBaseline",
            &serde_json::json!({"spec": {"last_reviewed": 3}})
        )
        .is_empty());
    }
}
