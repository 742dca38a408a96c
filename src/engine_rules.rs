//! The codes opsgate reports itself, before or around the policies: load problems, schema
//! violations, policy and configuration errors, the findings cap. They are rules like the others
//! — `opsgate rules` lists them, `opsgate explain` explains them, `docs/rules.md` documents them and
//! SARIF describes them — but their metadata lives here, with the code that emits them.

use crate::finding::Severity;
use crate::rules::{Frameworks, Rule};

pub use crate::rules::{ENGINE_AREA as AREA, ENGINE_AREA_TITLE as AREA_TITLE};

/// (code, severity, title, why it matters, how to fix)
const RULES: &[(&str, Severity, &str, &str, &str)] = &[
    ("LOAD-IO", Severity::Error, "File can be read",
     "A file that cannot be read (permissions, a vanished file, over the size limit) is not checked at all; the run says so instead of passing without it.",
     "Make the file readable, or raise the limit with --max-file-size if it is legitimately large."),
    ("LOAD-PATH", Severity::Error, "File path is UTF-8",
     "A path that is not valid UTF-8 cannot be reported faithfully, so its content is not checked.",
     "Rename the file to a UTF-8 name."),
    ("LOAD-NOT-A-FILE", Severity::Warning, "Artifacts are regular files",
     "Symbolic links and submodules are never followed — their target could lie outside the repository or change what a reviewer sees — so what they point to is not checked through them.",
     "Keep artifacts in regular files; a link's target is checked where it lives."),
    ("LOAD-LFS-POINTER", Severity::Error, "Artifacts are not Git LFS pointers",
     "A Git LFS pointer holds no artifact: its content is not in the repository and could not be checked.",
     "Keep artifacts out of Git LFS (remove their pattern from .gitattributes)."),
    ("LOAD-ENCODING", Severity::Error, "File is UTF-8",
     "Artifacts are UTF-8 text; a file in another encoding or a binary file under a .yaml name cannot be read as YAML.",
     "Save the file as UTF-8."),
    ("LOAD-SYNTAX", Severity::Error, "File is valid YAML",
     "A syntax error stops the file being read: the documents after it are not checked.",
     "Fix the YAML syntax at the reported place."),
    ("LOAD-ALIAS-LIMIT", Severity::Error, "Aliases stay within the expansion budget",
     "YAML aliases can expand a small file into gigabytes (\"billion laughs\"); expansion is bounded in nodes and in bytes.",
     "Write the values out instead of nesting or repeating aliases of large values."),
    ("LOAD-TOO-DEEP", Severity::Error, "Nesting stays within the depth limit",
     "Collections nested deeper than any artifact needs would exhaust the stack of every tool that reads them.",
     "Flatten the document."),
    ("LOAD-TOO-MANY-DOCUMENTS", Severity::Error, "File holds a bounded number of documents",
     "A file of more documents than the limit is read only up to it; the rest would go unchecked.",
     "Split the file, or raise the limit with --max-documents."),
    ("LOAD-EMPTY", Severity::Warning, "Artifact file is not empty",
     "A file that names opsgate's apiVersion but holds no document (everything commented out) checks nothing.",
     "Delete the file or write the artifact into it."),
    ("LOAD-NOT-AN-ARTIFACT", Severity::Warning, "What looks like an artifact is one",
     "A document with an opsgate kind or an apiVersion close to `opsgate/v1` (another case, a look-alike letter, an invisible character, a misspelt key) is not an artifact and would be skipped unnoticed.",
     "Start the document with `apiVersion: opsgate/v1`, spelt exactly."),
    ("LOAD-API-VERSION", Severity::Error, "apiVersion is supported",
     "An artifact for another version of opsgate's model cannot be checked by this one.",
     "Use `apiVersion: opsgate/v1`, or upgrade opsgate."),
    ("LOAD-UNKNOWN-KIND", Severity::Error, "Kind is known",
     "An artifact of an unknown or missing kind has no schema and no rules: nothing about it could be checked.",
     "Use one of the kinds `opsgate kinds` lists."),
    ("LOAD-DUPLICATE-ID", Severity::Error, "Artifact ids are unique",
     "References name artifacts by id; two artifacts with one id make every reference to it ambiguous.",
     "Give one of the artifacts a new id."),
    ("LOAD-DUPLICATE-KEY", Severity::Error, "Mapping keys are unique",
     "YAML tools disagree on which of two equal keys wins, so a reviewer and the gate could read different values.",
     "Remove or rename one of the two keys."),
    ("LOAD-TAG", Severity::Error, "No YAML tags",
     "Tags (`!!binary`, `!Ref`) change how a value is read; artifacts are plain data.",
     "Remove the tag."),
    ("LOAD-MERGE-KEY", Severity::Error, "No merge keys",
     "Merge keys (`<<`) are not part of YAML 1.2 and tools apply them differently.",
     "Write the fields out instead of merging them."),
    ("LOAD-COMPLEX-KEY", Severity::Error, "Mapping keys are strings",
     "A collection used as a key has no JSON form; the value under it cannot be checked.",
     "Use a plain string as the key."),
    ("LOAD-DATE-RANGE", Severity::Error, "Dates are ones the policies can compute with",
     "Policies compute with time in nanoseconds, which ends at 2262-04-11: past it (or before 1678) a date makes every time-based rule on the artifact silently stop applying — a risk acceptance expiring in 9999 would waive its findings forever.",
     "Use a real date between 1678 and 2261."),
    ("SCHEMA", Severity::Error, "Artifact matches the JSON Schema of its kind",
     "Every artifact must have the shape its kind's JSON Schema defines — known fields, right types, valid dates and enums — or the policies would reason about data that is not there.",
     "Fix the field at the reported place (`opsgate schema KIND` shows the schema)."),
    ("POLICY-ERROR", Severity::Error, "Policies evaluate",
     "A policy that does not compile, conflicts or runs past its time limit checks nothing; the run fails (exit 4) and names the package and artifact.",
     "Fix the policy at the reported place, or raise --policy-timeout for a legitimately slow one."),
    ("CONFIG", Severity::Error, "Configuration is valid",
     "A configuration file with unknown keys or wrong values would change what the gate checks without anyone noticing; every problem is reported before anything runs.",
     "Fix the configuration file at the reported places."),
    ("FINDING-LIMIT", Severity::Error, "Findings stay within the reporting limit",
     "At most 200 findings per artifact and 20,000 per run are reported, so a small hostile file cannot flood the outputs; the findings left out are counted in this one, at the highest severity among them.",
     "Fix the findings shown and run again to see the rest."),
];

/// Every engine rule, in the order above.
pub fn all() -> Vec<Rule> {
    RULES
        .iter()
        .map(|(code, severity, title, rationale, remediation)| Rule {
            code: (*code).to_owned(),
            title: (*title).to_owned(),
            severity: *severity,
            area: AREA.to_owned(),
            source: "opsgate engine (checked by opsgate itself, not by a policy)".to_owned(),
            rationale: (*rationale).to_owned(),
            remediation: (*remediation).to_owned(),
            frameworks: Frameworks::default(),
            package: String::new(),
            policy_file: "(built into opsgate)".to_owned(),
            builtin: true,
            kinds: None,
        })
        .collect()
}

/// The engine rule of `code`, if it is one.
pub fn get(code: &str) -> Option<Rule> {
    all().into_iter().find(|r| r.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `"LOAD-…"` code the sources emit has its entry here.
    #[test]
    fn every_load_code_in_the_sources_is_a_rule() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut missing = Vec::new();
        let mut stack = vec![src];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for (at, _) in text.match_indices("\"LOAD-") {
                    let code: String = text[at + 1..]
                        .chars()
                        .take_while(|c| c.is_ascii_uppercase() || *c == '-')
                        .collect();
                    if code.len() > 5 && !code.ends_with('-') && get(&code).is_none() {
                        missing.push(format!("{code} ({})", path.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "codes without an engine rule: {missing:?}"
        );
    }
}
