//! `opsgate test DIR`: the user-facing rule test runner (see [`crate::rule_test`]).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::args::TestFormat;
use super::print;
use crate::check::exit;
use crate::evaluate::{read_policy_dir, PolicySet};
use crate::report::escape::xml::text as escape;
use crate::rule_test::{case_files, run_all, uncovered, Outcome};

pub fn run(dir: &Path, policy_dirs: &[PathBuf], format: TestFormat) -> u8 {
    if !dir.is_dir() {
        eprintln!("error: {} is not a directory", dir.display());
        return exit::USAGE;
    }
    let mut files = Vec::new();
    for policy_dir in std::iter::once(dir).chain(policy_dirs.iter().map(PathBuf::as_path)) {
        match read_policy_dir(policy_dir) {
            Ok(read) => files.extend(read),
            Err(error) => {
                eprintln!("error: {error}");
                return exit::POLICY_ERROR;
            }
        }
    }
    let policies = match PolicySet::load(&files, Duration::from_secs(10)) {
        Ok(policies) => policies,
        Err(error) => {
            eprintln!("error: {error}");
            return exit::POLICY_ERROR;
        }
    };
    let cases = match case_files(dir) {
        Ok(cases) => cases,
        Err(error) => {
            eprintln!("error: {error}");
            return exit::USAGE;
        }
    };
    if cases.iter().all(|(_, file)| file.cases.is_empty()) {
        eprintln!(
            "error: no case file (YAML with `cases:`) under {}",
            dir.display()
        );
        return exit::USAGE;
    }
    let outcomes = run_all(&policies, &cases, dir);
    let (no_failing, _) = uncovered(&policies.registry, &cases, |rule| !rule.builtin);
    print(&match format {
        TestFormat::Text => text(&outcomes, &no_failing),
        TestFormat::Junit => junit(&outcomes),
    });
    if outcomes.iter().all(Outcome::passed) {
        exit::CLEAN
    } else {
        exit::FINDINGS
    }
}

fn text(outcomes: &[Outcome], no_failing: &[String]) -> String {
    let mut out = String::new();
    for outcome in outcomes {
        let verdict = if outcome.passed() { "PASS" } else { "FAIL" };
        let _ = writeln!(out, "{verdict} {}: {}", outcome.file, outcome.name);
        for line in outcome.diff() {
            let _ = writeln!(out, "     {line}");
        }
    }
    if !no_failing.is_empty() {
        let _ = writeln!(
            out,
            "\nwarning: no case makes these rules fail: {} (a rule without a failing case is untested)",
            no_failing.join(", ")
        );
    }
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    let _ = writeln!(out, "\n{} passed, {failed} failed", outcomes.len() - failed);
    out
}

fn junit(outcomes: &[Outcome]) -> String {
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"opsgate test\" tests=\"{}\" failures=\"{failed}\">\n",
        outcomes.len()
    );
    let mut files: Vec<&str> = outcomes.iter().map(|o| o.file.as_str()).collect();
    files.dedup();
    for file in files {
        let cases: Vec<&Outcome> = outcomes.iter().filter(|o| o.file == file).collect();
        let failures = cases.iter().filter(|o| !o.passed()).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\">",
            escape(file),
            cases.len()
        );
        for case in cases {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\"",
                escape(file),
                escape(&case.name)
            );
            if case.passed() {
                out.push_str("/>\n");
            } else {
                let diff = case.diff().join("\n");
                let _ = writeln!(
                    out,
                    ">\n      <failure message=\"findings differ\">{}</failure>\n    </testcase>",
                    escape(&diff)
                );
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
