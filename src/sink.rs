//! The findings sink: the one place where the gate can be weakened, in a fixed order.
//!
//! 1. **Waivers** — a risk acceptance that has an error of its own waives nothing. Validity is
//!    judged on the rules' own severities, *before* any configuration applies, so a setting such
//!    as `severity."RSK-005" = "warning"` cannot turn an invalid acceptance into a valid one.
//! 2. **Rule settings** from the trusted configuration: a disabled rule's findings are kept with
//!    status `disabled` (audit reports say so instead of "met"), overridden severities applied.
//! 3. **Gate selection** (git gates only): findings the change did not cause are dropped, or kept
//!    as `pre-existing` with `--all`.
//!
//! Every finding leaves with one [`Status`]; renderers read it and never re-derive it.

use std::collections::BTreeSet;

use crate::config::RuleSettings;
use crate::finding::{Finding, Status};
use crate::model::Workspace;
use crate::rules::Registry;

/// Steps 1 and 2 for one state of the repository.
pub fn settle(
    workspace: &Workspace,
    registry: &Registry,
    settings: &RuleSettings,
    findings: &mut [Finding],
) {
    crate::waive::apply(workspace, registry, findings);
    mark_waived(findings);
    apply_settings(settings, findings, &[]);
}

/// Step 1 for findings emitted after evaluation (the gate's own), with the acceptances already
/// judged invalid on the whole state.
pub fn waive_late(workspace: &Workspace, invalid: &BTreeSet<String>, findings: &mut [Finding]) {
    crate::waive::apply_valid(workspace, invalid, findings);
    mark_waived(findings);
}

fn mark_waived(findings: &mut [Finding]) {
    for finding in findings.iter_mut() {
        if finding.waiver.is_some() {
            finding.status = Status::Waived;
        }
    }
}

/// Step 2: the configuration's switches. Codes in `exempt` keep their rule's own severity and
/// cannot be disabled (the gate's own warnings when the change edits the configuration itself).
pub fn apply_settings(settings: &RuleSettings, findings: &mut [Finding], exempt: &[&str]) {
    for finding in findings.iter_mut() {
        if exempt.contains(&finding.code.as_str()) {
            continue;
        }
        if settings.disabled.contains(&finding.code) {
            finding.status = Status::Disabled;
        }
        if let Some(severity) = settings.severity.get(&finding.code) {
            finding.severity = *severity;
        }
    }
}

/// Step 3: keeps the findings `in_change` says the change caused; the others are dropped, or
/// marked pre-existing when `all` asks for every finding.
pub fn select(
    findings: Vec<Finding>,
    all: bool,
    in_change: impl Fn(&Finding) -> bool,
) -> Vec<Finding> {
    findings
        .into_iter()
        .filter_map(|mut finding| {
            if in_change(&finding) {
                Some(finding)
            } else if all {
                if finding.status == Status::Failing {
                    finding.status = Status::PreExisting;
                }
                Some(finding)
            } else {
                None
            }
        })
        .collect()
}

/// Steps 1 and 2 for findings emitted after the state's own were settled (the auditor's report's
/// backdating findings), with the acceptances already judged invalid on the whole state.
pub fn settle_late(
    workspace: &Workspace,
    invalid: &BTreeSet<String>,
    settings: &RuleSettings,
    findings: &mut [Finding],
) {
    waive_late(workspace, invalid, findings);
    apply_settings(settings, findings, &[]);
}
