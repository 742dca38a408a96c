//! The references of an artifact, found natively: the table of which fields hold ids of which
//! kinds stays in Rego (`data.opsgate.rules.references.patterns`, part of the precomputed index);
//! opsgate walks each artifact once in Rust, resolves every match against the ids of the
//! repository, and hands the policies only the references that do not resolve to a kind they
//! expect, as `input.unresolved_references` (most artifacts: none), instead of every policy
//! evaluation walking the document and looking each id up in Rego. Without that input (plain
//! OPA, conftest) the policy walks the document itself, with the same findings.

use std::collections::HashMap;

use serde_json::Value;

/// kind (or `*`) → pattern (`spec/affected_cis/*`) → expected kinds.
#[derive(Debug, Default, Clone)]
pub struct ReferenceTable {
    by_kind: HashMap<String, HashMap<String, Vec<String>>>,
}

/// Object keys that the table matches with `*` (the plan's areas, the policy's topics), as
/// `_pattern_of` in policies/references.rego does.
fn keyed(path: &[String], index: usize) -> bool {
    index == 2 && matches!(path.get(1).map(String::as_str), Some("areas" | "topics"))
}

impl ReferenceTable {
    pub fn from_patterns(patterns: &Value) -> ReferenceTable {
        let mut by_kind = HashMap::new();
        for (kind, table) in patterns.as_object().into_iter().flatten() {
            let entries = table
                .as_object()
                .into_iter()
                .flatten()
                .map(|(pattern, kinds)| {
                    let kinds = kinds
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect();
                    (pattern.clone(), kinds)
                })
                .collect();
            by_kind.insert(kind.clone(), entries);
        }
        ReferenceTable { by_kind }
    }

    /// `[[pointer, id, [expected kinds], [kinds of the artifacts with that id]], …]`: the references
    /// of one artifact document that are dangling (no artifact has the id) or mistyped (none of
    /// the artifacts with the id is of an expected kind, and any kind is not accepted).
    pub fn unresolved(
        &self,
        kind: &str,
        document: &Value,
        kinds_of: &HashMap<&str, Vec<&str>>,
    ) -> Value {
        let tables: Vec<&HashMap<String, Vec<String>>> = ["*", kind]
            .iter()
            .filter_map(|k| self.by_kind.get(*k))
            .collect();
        let mut found = Vec::new();
        let mut path: Vec<String> = Vec::new();
        let mut numeric: Vec<bool> = Vec::new();
        walk(
            document,
            &mut path,
            &mut numeric,
            &mut |path, numeric, id| {
                let pattern: Vec<&str> = path
                    .iter()
                    .enumerate()
                    .map(|(i, step)| {
                        if numeric[i] || keyed(path, i) {
                            "*"
                        } else {
                            step.as_str()
                        }
                    })
                    .collect();
                let pattern = pattern.join("/");
                for table in &tables {
                    if let Some(kinds) = table.get(&pattern) {
                        let pointer: String = path
                            .iter()
                            .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
                            .collect();
                        let resolved = kinds_of.get(id).map(Vec::as_slice).unwrap_or_default();
                        let accepted = kinds.iter().any(|k| k == "*")
                            || resolved.iter().any(|r| kinds.iter().any(|k| k == r));
                        if resolved.is_empty() || !accepted {
                            found.push(serde_json::json!([pointer, id, kinds, resolved]));
                        }
                    }
                }
            },
        );
        Value::Array(found)
    }
}

/// Called with the path to a string, which of its steps are list indices, and the string.
type Visitor<'v> = dyn FnMut(&[String], &[bool], &str) + 'v;

fn walk(value: &Value, path: &mut Vec<String>, numeric: &mut Vec<bool>, visit: &mut Visitor<'_>) {
    match value {
        Value::String(text) => visit(path, numeric, text),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                numeric.push(true);
                walk(item, path, numeric, visit);
                path.pop();
                numeric.pop();
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                path.push(key.clone());
                numeric.push(false);
                walk(item, path, numeric, visit);
                path.pop();
                numeric.pop();
            }
        }
        _ => {}
    }
}
