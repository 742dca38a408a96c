//! The one-line summary a check ends with (the text and GitHub formats print it).

use std::fmt::Write as _;

use super::model::Report;

static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Records when the process started: the summary's time is then the whole run's, up to the
/// summary itself (the checking stages' own time left out rendering and the evidence walk, and a
/// 26 s run said "in 2707 ms").
pub fn mark_start() {
    let _ = STARTED.set(std::time::Instant::now());
}

/// `checked 12 files (57 artifacts) in 8 ms: 3 errors, 1 warning, 0 info`
pub fn line(report: &Report<'_>) -> String {
    let elapsed = STARTED
        .get()
        .map_or(report.stats.elapsed, |started| started.elapsed());
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let t = &report.tally;
    let mut line = String::new();
    let _ = write!(
        line,
        "checked {} ({} with artifacts, {}) in {} ms: {}, {}, {} info",
        plural(report.stats.yaml_files, "YAML file"),
        report.stats.artifact_files,
        plural(report.stats.artifacts, "artifact"),
        elapsed.as_millis(),
        plural(t.errors, "error"),
        plural(t.warnings, "warning"),
        t.infos,
    );
    if t.waived > 0 {
        let _ = write!(line, ", {} waived", t.waived);
    }
    if !report.policy_errors.is_empty() {
        let _ = write!(
            line,
            "; {}",
            plural(report.policy_errors.len(), "policy error")
        );
    }
    line
}
