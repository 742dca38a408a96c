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

/// Findings by (code, artifact) so each test case finds its own in one lookup; the rest (load
/// and schema problems) by file.
type ByCase<'r> = BTreeMap<(&'r str, &'r str), Vec<&'r Shown<'r>>>;
type ByFile<'r> = BTreeMap<&'r str, Vec<&'r Shown<'r>>>;

pub fn render(run: &Report<'_>) -> String {
    let mut by_case: ByCase = BTreeMap::new();
    let mut input_problems: ByFile = BTreeMap::new();
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
    let suites = rule_cases(run, &by_case);
    let mut suite_writer = Suites {
        as_of: run.as_of,
        body: String::new(),
        total: 0,
        failed: 0,
        skipped: 0,
    };
    let input_cases = input_cases(run, &input_problems);
    suite_writer.write("Artifacts load and match their schemas", &input_cases);
    for (area, _) in AREAS {
        if let Some(cases) = suites.get(area) {
            suite_writer.write(area_title(area), cases);
        }
    }
    for (area, cases) in &suites {
        if !AREAS.iter().any(|(a, _)| a == area) {
            suite_writer.write(area, cases);
        }
    }
    let Suites {
        mut body,
        total,
        failed,
        skipped,
        ..
    } = suite_writer;
    let errors = run.policy_errors.len();
    policy_errors(&mut body, run);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"opsgate\" tests=\"{total}\" failures=\"{failed}\" errors=\"{errors}\" skipped=\"{skipped}\">\n{body}</testsuites>\n"
    )
}

/// One case per rule × artifact it applies to, by management area.
fn rule_cases<'r>(run: &'r Report<'_>, by_case: &ByCase<'r>) -> BTreeMap<&'r str, Vec<Case<'r>>> {
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
    suites
}

/// One case per file read (and per file a problem names).
fn input_cases<'r>(run: &'r Report<'_>, input_problems: &ByFile<'r>) -> Vec<Case<'r>> {
    run.workspace
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
        .collect()
}

/// The suites written so far, and the totals of the `<testsuites>` element.
struct Suites<'a> {
    as_of: &'a str,
    body: String,
    total: usize,
    failed: usize,
    skipped: usize,
}

impl Suites<'_> {
    fn write(&mut self, name: &str, cases: &[Case]) {
        let failures = cases
            .iter()
            .filter(|c| c.failures.iter().any(|f| f.fails))
            .count();
        let skips = cases
            .iter()
            .filter(|c| !c.failures.is_empty() && c.failures.iter().all(|f| !f.fails))
            .count();
        self.total += cases.len();
        self.failed += failures;
        self.skipped += skips;
        let _ = writeln!(
            self.body,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skips}\" timestamp=\"{}T00:00:00\">",
            escape(name),
            cases.len(),
            self.as_of
        );
        for case in cases {
            case.write(&mut self.body);
        }
        self.body.push_str("  </testsuite>\n");
    }
}

/// A suite of the policy errors, when there are any.
fn policy_errors(body: &mut String, run: &Report<'_>) {
    let errors = run.policy_errors.len();
    if errors == 0 {
        return;
    }
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
