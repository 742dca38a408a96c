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
        let mut walker = Walker::default();
        walker.walk(document, &mut |walker, id| {
            for table in &tables {
                let Some(kinds) = table.get(walker.pattern.as_str()) else {
                    continue;
                };
                let resolved = kinds_of.get(id).map(Vec::as_slice).unwrap_or_default();
                let accepted = kinds.iter().any(|k| k == "*")
                    || resolved.iter().any(|r| kinds.iter().any(|k| k == r));
                if resolved.is_empty() || !accepted {
                    found.push(serde_json::json!([walker.pointer(), id, kinds, resolved]));
                }
            }
        });
        Value::Array(found)
    }
}

/// One step of the path to a value: an object key or a list index.
#[derive(Clone, Copy)]
enum Step<'v> {
    Key(&'v str),
    Index(usize),
}

/// A depth-first walk to every string of a document, keeping the path and its table pattern
/// (`spec/affected_cis/*`: list indices, and the keys of the plan's areas and the policy's topics,
/// as `*`, as `_pattern_of` in policies/references.rego does) without allocating per string.
#[derive(Default)]
struct Walker<'v> {
    steps: Vec<Step<'v>>,
    pattern: String,
    /// The pattern's length before each step.
    marks: Vec<usize>,
}

impl<'v> Walker<'v> {
    fn walk(&mut self, value: &'v Value, visit: &mut dyn FnMut(&Walker<'v>, &'v str)) {
        match value {
            Value::String(text) => visit(self, text),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.descend(Step::Index(i), item, visit);
                }
            }
            Value::Object(map) => {
                for (key, item) in map {
                    self.descend(Step::Key(key), item, visit);
                }
            }
            _ => {}
        }
    }

    fn descend(
        &mut self,
        step: Step<'v>,
        value: &'v Value,
        visit: &mut dyn FnMut(&Walker<'v>, &'v str),
    ) {
        self.marks.push(self.pattern.len());
        if !self.steps.is_empty() {
            self.pattern.push('/');
        }
        match step {
            Step::Key(key) if !self.keyed() => self.pattern.push_str(key),
            _ => self.pattern.push('*'),
        }
        self.steps.push(step);
        self.walk(value, visit);
        self.steps.pop();
        let mark = self.marks.pop().unwrap_or_default();
        self.pattern.truncate(mark);
    }

    /// The step about to be pushed is a key of the plan's areas or the policy's topics.
    fn keyed(&self) -> bool {
        self.steps.len() == 2 && matches!(self.steps[1], Step::Key("areas" | "topics"))
    }

    /// The JSON pointer of the current path.
    fn pointer(&self) -> String {
        let mut pointer = String::new();
        for step in &self.steps {
            pointer.push('/');
            match step {
                Step::Key(key) => pointer.push_str(&key.replace('~', "~0").replace('/', "~1")),
                Step::Index(i) => pointer.push_str(&i.to_string()),
            }
        }
        pointer
    }
}
