//! The rules' parameters, defined once. The defaults handed to the policies (`data.params`), the
//! keys `[params]` of opsgate.toml accepts, the configuration schema, opsgate.example.toml, the
//! README's table and the benchmark's OPA run all derive from this table or are checked against it
//! (tests/params.rs), and every parameter a policy reads must be in it.

use serde_json::{Map, Value};

/// One parameter: a positive integer a team may set under `[params]`.
pub struct Param {
    pub name: &'static str,
    pub default: u64,
    /// What it bounds, for the configuration schema and the README.
    pub description: &'static str,
}

pub const PARAMS: &[Param] = &[
    Param {
        name: "test_interval_days",
        default: 365,
        description: "Plans (incident, continuity, failover, CSC 2 metrics) must have been tested \
                      within this many days.",
    },
    Param {
        name: "review_interval_days",
        default: 365,
        description:
            "Documents (plans, baselines, BIAs, compliance checks) must have been reviewed \
                      within this many days.",
    },
    Param {
        name: "analysis_interval_days",
        default: 180,
        description: "Improvement metrics must have been analysed within this many days.",
    },
    Param {
        name: "incident_recurrence_threshold",
        default: 3,
        description: "This many similar incidents within the window need a problem record.",
    },
    Param {
        name: "incident_recurrence_window_days",
        default: 30,
        description: "The window for incident recurrence, in days.",
    },
    Param {
        name: "waiver_warning_days",
        default: 30,
        description: "Warn this many days before a risk acceptance expires.",
    },
    Param {
        name: "waiver_max_days",
        default: 365,
        description: "A risk acceptance may run at most this many days after its approval.",
    },
    Param {
        name: "record_retention_days",
        default: 2555,
        description: "A closed change, incident or problem record may be deleted this many days \
                      after the last date it holds (GIT-006); seven years by default.",
    },
    Param {
        name: "emergency_approval_window_hours",
        default: 72,
        description: "An emergency change's written approval must follow its emergency \
                      authorization within this many hours (CHG-020).",
    },
    Param {
        name: "evidence_grace_days",
        default: 14,
        description: "Tests, reviews, evaluations, legal reviews, security tests and document \
                      approvals must be committed within this many days of their own date, or \
                      the auditor's report flags them as written after the fact (EVD-002).",
    },
];

/// Every parameter at its default, as the policies read them (`data.params`).
pub fn defaults() -> Value {
    let map: Map<String, Value> = PARAMS
        .iter()
        .map(|p| (p.name.to_owned(), Value::from(p.default)))
        .collect();
    Value::Object(map)
}

/// The default of `name`; `None` for a name the table does not hold.
pub fn default_of(name: &str) -> Option<u64> {
    PARAMS.iter().find(|p| p.name == name).map(|p| p.default)
}
