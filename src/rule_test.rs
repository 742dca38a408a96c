//! `opsgate test`: data-driven rule tests, for the built-in rules (`tests/rules/`) and a team's own
//! (conftest's `verify`, kyverno's `test`). A case file holds cases, each a set of artifacts, the
//! rules under test and exactly the findings of those rules it must produce; with `base`, the
//! case runs as a change (`input.change`), like `check --base`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use crate::check::default_params;
use crate::diff::ChangeSet;
use crate::evaluate::{Context, PolicySet};
use crate::load::{load_sources, yaml, LoadLimits, Source};
use crate::rules::Registry;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    pub cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub name: String,
    pub rules: Vec<String>,
    #[serde(default = "default_as_of")]
    pub as_of: String,
    #[serde(default)]
    pub params: BTreeMap<String, Value>,
    pub artifacts: Vec<Value>,
    /// The artifacts before the change: the case runs in diff mode.
    #[serde(default)]
    pub base: Option<Vec<Value>>,
    pub want: Vec<Want>,
}

/// One expected (or produced) finding.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
pub struct Want {
    pub code: String,
    pub artifact: String,
    pub pointer: String,
}

impl std::fmt::Display for Want {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} on {} at {}", self.code, self.artifact, self.pointer)
    }
}

/// The date cases are written for unless they say otherwise.
pub const DEFAULT_AS_OF: &str = "2026-11-24";

fn default_as_of() -> String {
    DEFAULT_AS_OF.into()
}

/// A case file that cannot be read, with where.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct CaseFileError {
    pub file: PathBuf,
    pub message: String,
}

/// Every case file (`*.yaml`/`*.yml` whose top level has `cases:`) under `dir`, sorted.
pub fn case_files(dir: &Path) -> Result<Vec<(PathBuf, CaseFile)>, CaseFileError> {
    let mut files = Vec::new();
    for item in crate::load::discover::discover(dir) {
        let path = item.path().to_path_buf();
        let text = std::fs::read_to_string(&path).map_err(|e| CaseFileError {
            file: path.clone(),
            message: e.to_string(),
        })?;
        let parsed = yaml::parse(&text, 0, yaml::YamlLimits::default());
        if let Some(fatal) = parsed.fatal {
            return Err(CaseFileError {
                file: path,
                message: format!("line {}: {}", fatal.range.start.line, fatal.message),
            });
        }
        let Some(value) = parsed.documents.into_iter().next().map(|d| d.value) else {
            continue;
        };
        if value.get("cases").is_none() {
            continue;
        }
        let file: CaseFile = serde_json::from_value(value).map_err(|e| CaseFileError {
            file: path.clone(),
            message: e.to_string(),
        })?;
        files.push((path, file));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}

fn load(artifacts: &[Value]) -> crate::load::Loaded {
    let sources = artifacts
        .iter()
        .enumerate()
        .map(|(i, artifact)| Source {
            display: format!("case/{i}.yaml"),
            path: PathBuf::from(format!("case/{i}.yaml")),
            content: Ok(serde_json::to_vec_pretty(artifact).unwrap_or_default()),
        })
        .collect();
    load_sources(sources, LoadLimits::default())
}

/// The findings of the case's rules, sorted; `Err` when its artifacts do not load or a policy fails.
pub fn run_case(policies: &PolicySet, case: &Case) -> Result<Vec<Want>, String> {
    let loaded = load(&case.artifacts);
    if let Some(problem) = loaded.findings.first() {
        return Err(format!(
            "its artifacts do not load: {} {}",
            problem.code, problem.message
        ));
    }
    let changes = case.base.as_ref().map(|base| {
        Arc::new(ChangeSet::classify(
            &load(base).workspace,
            &loaded.workspace,
        ))
    });
    let mut params = default_params();
    for (key, value) in &case.params {
        params[key] = value.clone();
    }
    let context = Context::new(case.as_of.clone(), params, changes);
    let evaluation = policies.evaluate(&loaded.workspace, &context);
    if let Some(error) = evaluation.errors.first() {
        return Err(format!("policy error: {}", error.message));
    }
    let mut got: Vec<Want> = evaluation
        .findings
        .into_iter()
        .filter(|f| case.rules.contains(&f.code))
        .map(|f| Want {
            code: f.code,
            artifact: f.artifact.unwrap_or_default(),
            pointer: f.pointer.unwrap_or_default(),
        })
        .collect();
    got.sort();
    Ok(got)
}

/// What one case did.
#[derive(Debug)]
pub struct Outcome {
    pub file: String,
    pub name: String,
    pub want: Vec<Want>,
    pub got: Result<Vec<Want>, String>,
}

impl Outcome {
    pub fn passed(&self) -> bool {
        self.got.as_ref().is_ok_and(|got| *got == self.want)
    }

    /// What differs, one line each: `- ` expected but missing, `+ ` produced but not expected.
    pub fn diff(&self) -> Vec<String> {
        match &self.got {
            Err(error) => vec![error.clone()],
            Ok(got) => {
                let want: BTreeSet<&Want> = self.want.iter().collect();
                let got: BTreeSet<&Want> = got.iter().collect();
                let missing = want.difference(&got).map(|w| format!("- expected {w}"));
                let extra = got.difference(&want).map(|w| format!("+ unexpected {w}"));
                missing.chain(extra).collect()
            }
        }
    }
}

/// Runs every case of `files`.
pub fn run_all(policies: &PolicySet, files: &[(PathBuf, CaseFile)], root: &Path) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for (path, file) in files {
        let shown = path
            .strip_prefix(root)
            .unwrap_or(path)
            .display()
            .to_string();
        for case in &file.cases {
            let mut want = case.want.clone();
            want.sort();
            outcomes.push(Outcome {
                file: shown.clone(),
                name: case.name.clone(),
                want,
                got: run_case(policies, case),
            });
        }
    }
    outcomes
}

/// Rules (of `registry` that `wanted` selects) without a failing case, and without a passing one.
pub fn uncovered(
    registry: &Registry,
    files: &[(PathBuf, CaseFile)],
    wanted: impl Fn(&crate::rules::Rule) -> bool,
) -> (Vec<String>, Vec<String>) {
    let mut failing = BTreeSet::new();
    let mut passing = BTreeSet::new();
    for case in files.iter().flat_map(|(_, f)| &f.cases) {
        for rule in &case.rules {
            if case.want.iter().any(|w| &w.code == rule) {
                failing.insert(rule.as_str());
            } else {
                passing.insert(rule.as_str());
            }
        }
    }
    let rules: Vec<&str> = registry
        .iter()
        .filter(|r| wanted(r))
        .map(|r| r.code.as_str())
        .collect();
    (
        rules
            .iter()
            .filter(|c| !failing.contains(*c))
            .map(|c| (*c).to_owned())
            .collect(),
        rules
            .iter()
            .filter(|c| !passing.contains(*c))
            .map(|c| (*c).to_owned())
            .collect(),
    )
}
