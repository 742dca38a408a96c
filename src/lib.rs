//! opsgate — policy-as-code compliance checks for IT and cloud security operations artifacts.
//!
//! A run is a pipeline; each stage reads only what the previous ones produced:
//!
//! 1. [`load`] — discover YAML files, parse them (in parallel, each read once) into JSON values
//!    with a JSON-pointer → line:column index, keep the `opsgate/v1` documents as [`model::Artifact`]s.
//! 2. [`validate`] — check each artifact against the JSON Schema of its kind (`schemas/`).
//! 3. [`evaluate`] — run the Rego policies (`policies/`) with regorus over each artifact, with the
//!    whole artifact set available as `data.inventory`.
//! 4. [`report`] — render the [`finding::Finding`]s for people (miette) or machines (JSON).
//!
//! [`check`] ties the stages together and decides the exit code; [`rules`] is the registry of rule
//! metadata read from the policies; [`cli`] is the thin command-line layer.
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::panic)]
// Tests state their expectations with unwrap and panic; the library itself never does.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::panic))]

pub mod audit;
pub mod catalogue;
pub mod change_rules;
pub mod check;
pub mod cli;
pub mod config;
pub mod diff;
pub mod docs;
pub mod engine_rules;
pub mod evaluate;
pub mod evidence;
pub mod finding;
pub mod gate;
pub mod git;
pub mod graph;
pub mod history;
pub mod hook;
pub mod limit;
pub mod load;
pub mod model;
pub mod params;
pub mod period;
pub mod placeholders;
pub mod position;
pub mod progress;
pub mod provenance;
pub mod report;
pub mod rule_test;
pub mod rules;
pub mod scaffold;
pub mod sink;
pub mod timing;
pub mod trust;
pub mod validate;
pub mod waive;
pub mod write;
