//! The layout of the built-in policies, held by tests (the engines do not care; people and the period
//! report's text analysis do):
//!
//! - one rule, one place: each rule's metadata is its own block, `metadata["CODE"] := {…}`, directly
//!   above its `deny` bodies, and every body of a code sits between its metadata and the next rule's;
//! - a rule's kinds are stated once, in its metadata: a package's `kinds` (opsgate's filter and the
//!   package's guard, `lib.subject(kinds)`) is exactly the union of its rules' kinds;
//! - lines of at most 120 characters.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

const MAX_LINE: usize = 120;

fn policy_files() -> Vec<(PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut files: Vec<(PathBuf, String)> = std::fs::read_dir(&dir)
        .expect("policies/")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "rego"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("reads");
            (path, text)
        })
        .collect();
    files.sort();
    files
}

fn package_of(text: &str) -> &str {
    text.lines()
        .find_map(|l| l.strip_prefix("package "))
        .map_or("", str::trim)
}

/// The literal code of a top-level `metadata["CODE"]` or `deny contains lib.finding("CODE"` line.
fn code_after<'t>(line: &'t str, prefix: &str) -> Option<&'t str> {
    line.strip_prefix(prefix)?.split('"').next()
}

fn metadata_code(line: &str) -> Option<&str> {
    code_after(line, "metadata[\"")
}

fn deny_code(line: &str) -> Option<&str> {
    code_after(line, "deny contains lib.finding(\"")
        .or_else(|| code_after(line, "deny contains lib.finding_with(\""))
}

/// The top-level blocks of a Rego text: (first line index, every line up to the next block).
fn blocks(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            out.push((index, String::new()));
        }
        if let Some((_, block)) = out.last_mut() {
            block.push_str(line);
            block.push('\n');
        }
    }
    out
}

/// Layout problems of one rules package's text (see the module docs).
fn layout_problems(name: &str, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut section: Option<&str> = None;
    let mut declared = BTreeSet::new();
    // Metadata blocks not yet followed by their rule: a literal code's body, or, for codes a rule
    // computes (`lib.finding(code, …)`), the table or helper that names them.
    let mut pending: Vec<&str> = Vec::new();
    let all = blocks(text);
    for (index, block) in &all {
        let at = format!("{name}:{}", index + 1);
        let first = block.lines().next().unwrap_or_default();
        if first.starts_with("metadata :=") || first.starts_with("metadata =") {
            problems.push(format!(
                "{at}: one `metadata` object; write `metadata[\"CODE\"] := {{…}}` per rule"
            ));
        }
        if let Some(code) = metadata_code(first) {
            if !declared.insert(code) {
                problems.push(format!("{at}: {code} has metadata twice"));
            }
            section = Some(code);
            pending.push(code);
            continue;
        }
        let body_of = deny_code(first);
        for code in pending.drain(..) {
            let named = block.contains(&format!("\"{code}\""));
            // A rule opsgate decides itself (EVD-*, DOC-001, GIT-005…007) has no body to sit above.
            let bodiless = !all
                .iter()
                .any(|(_, b)| metadata_code(b).is_none() && b.contains(&format!("\"{code}\"")));
            if !bodiless && (body_of.is_some_and(|c| c != code) || (body_of.is_none() && !named)) {
                problems.push(format!(
                    "{at}: {code}'s metadata is not directly above its rule"
                ));
            }
        }
        if let Some(code) = body_of {
            if section != Some(code) {
                problems.push(format!(
                    "{at}: a body of {code} under the metadata of {}",
                    section.unwrap_or("no rule")
                ));
            }
        }
    }
    problems
}

#[test]
fn each_rules_metadata_is_directly_above_its_bodies() {
    let mut problems = Vec::new();
    for (path, text) in policy_files() {
        if !package_of(&text).starts_with("opsgate.rules.") {
            continue;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        problems.extend(layout_problems(&name, &text));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The check above catches a body moved away from its rule and the one-object form.
#[test]
fn the_layout_check_fails_on_a_misplaced_body() {
    let good = "package opsgate.rules.demo\n\nmetadata[\"DEM-001\"] := {}\n\n\
        deny contains lib.finding(\"DEM-001\", \"\", \"x\") if true\n\n\
        metadata[\"DEM-002\"] := {}\n\ndeny contains lib.finding_with(\"DEM-002\", \"\", \"y\", []) if true\n";
    assert_eq!(layout_problems("demo", good), Vec::<String>::new());
    let moved = format!("{good}\ndeny contains lib.finding(\"DEM-001\", \"\", \"z\") if true\n");
    assert_eq!(layout_problems("demo", &moved).len(), 1, "{moved}");
    let far = good.replace(
        "metadata[\"DEM-002\"] := {}\n\n",
        "metadata[\"DEM-002\"] := {}\n\n_helper := 1\n\n",
    );
    assert_eq!(layout_problems("demo", &far).len(), 1, "{far}");
    let one_object = "package opsgate.rules.demo\n\nmetadata := {\"DEM-001\": {}}\n";
    assert_eq!(layout_problems("demo", one_object).len(), 1);
}

fn evaluate(engine: &mut regorus::Engine, path: &str) -> Option<Value> {
    let results = engine
        .eval_query(path.to_owned(), false)
        .expect("evaluates");
    let value = results
        .result
        .into_iter()
        .next()?
        .expressions
        .into_iter()
        .next()?
        .value;
    serde_json::to_value(&value).ok()
}

fn strings(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// Each rule's `"kinds"` is the one statement of the kinds it inspects: a package that filters by
/// kind (`kinds := {…}`) filters by exactly the union of its rules' kinds, and every rule of it
/// states its own. (A package with `kinds := set()` is evaluated on nothing: metadata only.)
#[test]
fn a_packages_kinds_are_the_union_of_its_rules_kinds() {
    let mut engine = regorus::Engine::new();
    let mut packages = Vec::new();
    for (path, text) in policy_files() {
        engine
            .add_policy(path.display().to_string(), text.clone())
            .expect("the policy parses");
        if package_of(&text).starts_with("opsgate.rules.") {
            packages.push(format!("data.{}", package_of(&text)));
        }
    }
    let mut problems = Vec::new();
    let mut checked = 0;
    for package in &packages {
        let Some(kinds) = evaluate(&mut engine, &format!("{package}.kinds")) else {
            continue;
        };
        let kinds = strings(&kinds);
        if kinds.is_empty() {
            continue;
        }
        let metadata = evaluate(&mut engine, &format!("{package}.metadata")).expect("metadata");
        let metadata: BTreeMap<String, Value> =
            serde_json::from_value(metadata).expect("an object of rules");
        let mut union = BTreeSet::new();
        for (code, rule) in &metadata {
            match rule.get("kinds") {
                Some(own) => union.extend(strings(own)),
                None => problems.push(format!("{package}: {code} does not state its kinds")),
            }
        }
        if union != kinds {
            problems.push(format!(
                "{package}: `kinds` is {kinds:?}, its rules' kinds are {union:?}"
            ));
        }
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} packages filter by kind");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Long lines in every `.rego` file (the library and the indexes too): at most 120 characters (a
/// tab counts as one). Long texts are cut at spaces into `concat(" ", [...])`, which the metadata
/// evaluates once when the policies load; docs/rules.md stays byte-identical (tests/rule_docs.rs).
fn long_lines(name: &str, text: &str) -> Vec<String> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| line.chars().count() > MAX_LINE)
        .map(|(index, line)| format!("{name}:{}: {} characters", index + 1, line.chars().count()))
        .collect()
}

#[test]
fn rego_lines_are_at_most_120_characters() {
    let mut problems = Vec::new();
    for (path, text) in policy_files() {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        problems.extend(long_lines(&name, &text));
    }
    assert!(
        problems.is_empty(),
        "lines over {MAX_LINE} characters:\n{}",
        problems.join("\n")
    );
    assert_eq!(
        long_lines("x.rego", &format!("a\n{}\n", "é".repeat(121))).len(),
        1
    );
    assert!(long_lines("x.rego", &format!("{}\n", "é".repeat(120))).is_empty());
}
