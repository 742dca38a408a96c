//! `--format junit`: JUnit XML for CI test dashboards. One `<testsuite>` per management area, one
//! `<testcase>` per rule × artifact it applies to; a finding is a `<failure>` (or `<skipped>` when
//! a risk acceptance waives it). Load and schema problems form their own suite, one case per file.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::escape::xml::text as escape;
use super::model::{Report, Shown};
use crate::finding::{Finding, Stage};
use crate::rules::{area_title, AREAS};

fn location(f: &Finding) -> String {
    match (&f.file, f.range) {
        (Some(file), Some(range)) => format!("{file}:{}:{}", range.start.line, range.start.column),
        (Some(file), None) => file.clone(),
        _ => String::new(),
    }
}

struct Case<'r> {
    name: String,
    classname: String,
    file: Option<String>,
    failures: Vec<&'r Shown<'r>>,
}

impl Case<'_> {
    fn write(&self, out: &mut String) {
        let _ = write!(
            out,
            "    <testcase name=\"{}\" classname=\"{}\"",
            escape(&self.name),
            escape(&self.classname)
        );
        if let Some(file) = &self.file {
            let _ = write!(out, " file=\"{}\"", escape(file));
        }
        let failing: Vec<&Shown> = self.failures.iter().copied().filter(|f| f.fails).collect();
        let waived: Vec<&Shown> = self.failures.iter().copied().filter(|f| !f.fails).collect();
        if failing.is_empty() && waived.is_empty() {
            out.push_str("/>\n");
            return;
        }
        out.push_str(">\n");
        for f in &failing {
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                escape(&f.message),
                f.severity,
                escape(&format!(
                    "{}: {} [{}]{}",
                    location(f),
                    f.message,
                    f.code,
                    f.help
                        .as_deref()
                        .map(|h| format!("\nhelp: {h}"))
                        .unwrap_or_default()
                ))
            );
        }
        if failing.is_empty() {
            let note = waived[0].note.clone().unwrap_or_default();
            let _ = writeln!(
                out,
                "      <skipped message=\"{}\"/>",
                escape(&format!("{note}: {}", waived[0].message))
            );
        }
        out.push_str("    </testcase>\n");
    }
}

pub fn render(run: &Report<'_>) -> String {
    // Findings by (code, artifact) so each test case finds its own in one lookup.
    let mut by_case: BTreeMap<(&str, &str), Vec<&Shown>> = BTreeMap::new();
    let mut input_problems: BTreeMap<&str, Vec<&Shown>> = BTreeMap::new();
    for f in &run.findings {
        match (f.stage, f.artifact.as_deref()) {
            (Stage::Policy, Some(artifact)) => by_case
                .entry((f.code.as_str(), artifact))
                .or_default()
                .push(f),
            _ => input_problems
                .entry(f.file.as_deref().unwrap_or(""))
                .or_default()
                .push(f),
        }
    }
    let mut suites: BTreeMap<&str, Vec<Case>> = BTreeMap::new();
    for rule in run.registry.iter() {
        let cases = suites.entry(rule.area.as_str()).or_default();
        for artifact in run
            .workspace
            .artifacts
            .iter()
            .filter(|a| a.has_id && rule.applies_to(a.kind.name))
        {
            let failures = by_case
                .get(&(rule.code.as_str(), artifact.id.as_str()))
                .cloned()
                .unwrap_or_default();
            cases.push(Case {
                name: format!("{} {}", rule.code, artifact.id),
                classname: format!("opsgate.{}.{}", rule.area, rule.code),
                file: Some(run.workspace.file_of(artifact).display.clone()),
                failures,
            });
        }
    }
    let input_cases: Vec<Case> = run
        .workspace
        .files
        .iter()
        .map(|file| file.display.as_str())
        .chain(input_problems.keys().copied())
        .collect::<std::collections::BTreeSet<&str>>()
        .into_iter()
        .map(|file| Case {
            name: format!("load and schema {file}"),
            classname: "opsgate.input".into(),
            file: Some(file.to_owned()),
            failures: input_problems.get(file).cloned().unwrap_or_default(),
        })
        .collect();

    let mut body = String::new();
    let (mut total, mut failed, mut skipped) = (0, 0, 0);
    let mut write_suite = |name: &str, cases: &[Case], body: &mut String| {
        let failures = cases
            .iter()
            .filter(|c| c.failures.iter().any(|f| f.fails))
            .count();
        let skips = cases
            .iter()
            .filter(|c| !c.failures.is_empty() && c.failures.iter().all(|f| !f.fails))
            .count();
        total += cases.len();
        failed += failures;
        skipped += skips;
        let _ = writeln!(
            body,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skips}\" timestamp=\"{}T00:00:00\">",
            escape(name),
            cases.len(),
            run.as_of
        );
        for case in cases {
            case.write(body);
        }
        body.push_str("  </testsuite>\n");
    };
    write_suite(
        "Artifacts load and match their schemas",
        &input_cases,
        &mut body,
    );
    for (area, _) in AREAS {
        if let Some(cases) = suites.get(area) {
            write_suite(area_title(area), cases, &mut body);
        }
    }
    for (area, cases) in &suites {
        if !AREAS.iter().any(|(a, _)| a == area) {
            write_suite(area, cases, &mut body);
        }
    }
    let errors = run.policy_errors.len();
    if errors > 0 {
        let _ = writeln!(body, "  <testsuite name=\"Policies evaluate\" tests=\"{errors}\" failures=\"0\" errors=\"{errors}\" skipped=\"0\">");
        for (i, error) in run.policy_errors.iter().enumerate() {
            let place = error.file.as_ref().map_or(String::new(), |f| {
                format!("{f}:{}:{}: ", error.line, error.column)
            });
            let _ = writeln!(
                body,
                "    <testcase name=\"policy error {}\" classname=\"opsgate.policies\">\n      <error message=\"{}\">{}</error>\n    </testcase>",
                i + 1,
                escape(&error.message),
                escape(&format!("{place}{}", error.message))
            );
        }
        body.push_str("  </testsuite>\n");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"opsgate\" tests=\"{total}\" failures=\"{failed}\" errors=\"{errors}\" skipped=\"{skipped}\">\n{body}</testsuites>\n"
    )
}
