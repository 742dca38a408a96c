//! Caps on how many findings one artifact and one run report, so a small hostile file cannot
//! flood the outputs (a million unknown fields gave a million findings, 411 MB of JSON).
//!
//! What is left out is never silent: each cap replaces the findings it drops with one
//! `FINDING-LIMIT` finding that says how many were dropped, with the highest severity among the
//! ones that counted, so the exit code is the same as without the cap.

use std::collections::HashMap;

use crate::finding::{Finding, Severity, Stage};

/// Findings reported for one artifact (or one file's load problems) at most.
pub const PER_ARTIFACT: usize = 200;
/// Findings reported for one run at most.
pub const PER_RUN: usize = 20_000;
/// The code of the finding that stands for those left out.
pub const CODE: &str = "FINDING-LIMIT";

/// The finding that stands for `dropped` (the findings a cap left out), located like `first`.
pub fn omitted(first: &Finding, dropped: &[&Finding], scope: &str) -> Finding {
    let counting = dropped.iter().filter(|f| f.counts());
    let severity = counting
        .clone()
        .map(|f| f.severity)
        .max()
        .unwrap_or(Severity::Info);
    // A dropped load error keeps the run's "invalid input" exit code.
    let stage = if counting
        .clone()
        .any(|f| f.stage == Stage::Load && f.severity == Severity::Error)
    {
        Stage::Load
    } else {
        first.stage
    };
    let mut finding = Finding::new(
        CODE,
        severity,
        stage,
        format!(
            "{} more finding{} {scope} {} left out (at most {} per artifact and {} per run are reported)",
            dropped.len(),
            if dropped.len() == 1 { "" } else { "s" },
            if dropped.len() == 1 { "was" } else { "were" },
            PER_ARTIFACT,
            PER_RUN,
        ),
    )
    .with_help("fix the findings shown, then run again to see the rest");
    finding.file = first.file.clone();
    finding.range = first.range;
    finding.artifact = first.artifact.clone();
    finding.kind = first.kind.clone();
    finding
}

/// Applies both caps to the sorted findings of a run. Findings of disabled rules are never
/// reported, so they take no place under a cap (they are kept, after the others).
pub fn apply(findings: &mut Vec<Finding>) {
    if findings.len() <= PER_ARTIFACT {
        return;
    }
    let disabled: Vec<Finding>;
    (disabled, *findings) = std::mem::take(findings)
        .into_iter()
        .partition(|f| f.status == crate::finding::Status::Disabled);
    cap(findings);
    if !disabled.is_empty() {
        findings.extend(disabled);
        crate::finding::sort_findings(findings);
    }
}

fn cap(findings: &mut Vec<Finding>) {
    let mut per_group: HashMap<(Option<&str>, Option<&str>), Vec<usize>> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        if f.code != CODE {
            per_group
                .entry((f.file.as_deref(), f.artifact.as_deref()))
                .or_default()
                .push(i);
        }
    }
    let mut drop = vec![false; findings.len()];
    let mut summaries: Vec<(usize, Finding)> = Vec::new();
    for indices in per_group.values().filter(|v| v.len() > PER_ARTIFACT) {
        let dropped: Vec<&Finding> = indices[PER_ARTIFACT..]
            .iter()
            .map(|&i| &findings[i])
            .collect();
        let first = &findings[indices[PER_ARTIFACT]];
        summaries.push((
            indices[PER_ARTIFACT],
            omitted(first, &dropped, "for this artifact"),
        ));
        for &i in &indices[PER_ARTIFACT..] {
            drop[i] = true;
        }
    }
    if summaries.is_empty() && findings.len() <= PER_RUN {
        return;
    }
    let mut kept: Vec<Finding> = Vec::with_capacity(findings.len().min(PER_RUN + 1));
    let mut summaries = summaries.into_iter().collect::<HashMap<usize, Finding>>();
    for (i, f) in std::mem::take(findings).into_iter().enumerate() {
        if let Some(summary) = summaries.remove(&i) {
            kept.push(summary);
        }
        if !drop[i] {
            kept.push(f);
        }
    }
    if kept.len() > PER_RUN {
        let rest = kept.split_off(PER_RUN);
        let dropped: Vec<&Finding> = rest.iter().collect();
        let summary = omitted(&rest[0], &dropped, "in this run");
        kept.push(summary);
    }
    *findings = kept;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(artifact: &str, severity: Severity) -> Finding {
        let mut f = Finding::new("SCHEMA", severity, Stage::Schema, "unknown field")
            .in_file(&format!("{artifact}.yaml"), None);
        f.artifact = Some(artifact.to_owned());
        f
    }

    #[test]
    fn one_artifact_keeps_its_first_findings_and_a_count_of_the_rest() {
        let mut findings: Vec<Finding> = (0..PER_ARTIFACT + 50)
            .map(|i| {
                finding(
                    "a",
                    if i == PER_ARTIFACT + 10 {
                        Severity::Error
                    } else {
                        Severity::Warning
                    },
                )
            })
            .chain([finding("b", Severity::Info)])
            .collect();
        apply(&mut findings);
        assert_eq!(findings.len(), PER_ARTIFACT + 2);
        let limit = &findings[PER_ARTIFACT];
        assert_eq!(limit.code, CODE);
        assert_eq!(
            limit.severity,
            Severity::Error,
            "the worst of those dropped"
        );
        assert!(
            limit
                .message
                .starts_with("50 more findings for this artifact"),
            "{}",
            limit.message
        );
        assert_eq!(findings[PER_ARTIFACT + 1].artifact.as_deref(), Some("b"));
    }

    #[test]
    fn a_run_keeps_its_first_findings_and_a_count_of_the_rest() {
        let mut findings: Vec<Finding> = (0..PER_RUN + 5)
            .map(|i| finding(&format!("a{i:06}"), Severity::Warning))
            .collect();
        apply(&mut findings);
        assert_eq!(findings.len(), PER_RUN + 1);
        assert!(findings[PER_RUN]
            .message
            .starts_with("5 more findings in this run"));
        assert_eq!(findings[PER_RUN].severity, Severity::Warning);
    }
}
