//! Properties over many random artifacts: take a valid artifact from `fixtures/acme`, knock fields
//! out of it, write it back as YAML in a random style (indentation, flow or block collections,
//! quoting, comments, blank lines, CRLF) while recording where every node was written, then check:
//!
//! - every finding points inside the file, at the node its JSON pointer names (or the nearest node
//!   that exists, for a missing field) — as recorded by the writer, not by the loader's own index;
//! - the findings are the same, in the same order, whatever order the files are handed over in.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use opsgate::check::{findings_of, CheckOptions, Scope};
use opsgate::evaluate::PolicySet;
use opsgate::finding::Finding;
use opsgate::load::{load_sources, LoadLimits, Source};
use opsgate::validate::SchemaSet;
use proptest::prelude::*;
use serde_json::{Map, Value};

struct Compiled {
    schemas: SchemaSet,
    policies: PolicySet,
    /// (file name, text) of every fixture file.
    files: Vec<(String, String)>,
    /// (file name, artifact value) of the fixture files that hold exactly one artifact.
    singles: Vec<(String, Value)>,
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/acme");
        let mut files = Vec::new();
        collect(&root, &root, &mut files);
        files.sort();
        let loaded = load_sources(sources(&files), LoadLimits::default());
        let ws = &loaded.workspace;
        let mut per_file: HashMap<usize, Vec<&Value>> = HashMap::new();
        for artifact in &ws.artifacts {
            per_file
                .entry(artifact.file)
                .or_default()
                .push(&artifact.value);
        }
        let mut singles: Vec<(String, Value)> = per_file
            .into_iter()
            .filter(|(_, values)| values.len() == 1)
            .map(|(file, values)| (ws.files[file].display.clone(), values[0].clone()))
            .collect();
        singles.sort_by(|a, b| a.0.cmp(&b.0));
        Compiled {
            schemas: SchemaSet::compile().expect("schemas compile"),
            policies: PolicySet::load(&[], Duration::from_secs(10)).expect("policies compile"),
            files,
            singles,
        }
    })
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            collect(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            let name = path
                .strip_prefix(root)
                .expect("inside")
                .to_string_lossy()
                .into_owned();
            out.push((name, std::fs::read_to_string(&path).expect("read")));
        }
    }
}

fn sources(files: &[(String, String)]) -> Vec<Source> {
    files
        .iter()
        .map(|(name, text)| Source {
            display: name.clone(),
            path: name.into(),
            content: Ok(text.as_bytes().to_vec()),
        })
        .collect()
}

/// A YAML writer whose every style decision comes from a stream of random bytes, and which records
/// where it wrote each node: pointer → (line, column) of the span a diagnostic should label.
struct Writer<'c> {
    out: String,
    line: usize,
    column: usize,
    choices: &'c [u8],
    next: usize,
    indent_step: usize,
    newline: &'static str,
    labels: HashMap<String, (usize, usize)>,
}

impl<'c> Writer<'c> {
    fn new(choices: &'c [u8]) -> Self {
        let mut writer = Writer {
            out: String::new(),
            line: 1,
            column: 1,
            choices,
            next: 0,
            indent_step: 2,
            newline: "\n",
            labels: HashMap::new(),
        };
        writer.indent_step = if writer.choose(2) == 0 { 2 } else { 4 };
        writer.newline = if writer.choose(4) == 0 { "\r\n" } else { "\n" };
        writer
    }

    fn choose(&mut self, options: u8) -> u8 {
        let byte = self
            .choices
            .get(self.next % self.choices.len().max(1))
            .copied()
            .unwrap_or(0);
        self.next += 1;
        byte.wrapping_add(self.next as u8) % options
    }

    fn put(&mut self, text: &str) {
        self.column += text.chars().count();
        self.out.push_str(text);
    }

    fn end_line(&mut self) {
        if self.choose(8) == 0 {
            self.put("  # note");
        }
        self.out.push_str(self.newline);
        self.line += 1;
        self.column = 1;
        if self.choose(10) == 0 {
            self.out.push_str(self.newline);
            self.line += 1;
        }
    }

    fn here(&self) -> (usize, usize) {
        (self.line, self.column)
    }

    fn label(&mut self, pointer: &str, at: (usize, usize)) {
        self.labels.insert(pointer.to_owned(), at);
    }

    fn document(&mut self, value: &Value) {
        if self.choose(3) == 0 {
            self.put("---");
            self.end_line();
        }
        let Value::Object(map) = value else {
            unreachable!("artifacts are mappings")
        };
        self.label("", self.here());
        self.block_map(map, 0, "", false);
    }

    /// Entries of a block mapping; `inline_first` when the first key follows a `- ` already written.
    fn block_map(
        &mut self,
        map: &Map<String, Value>,
        indent: usize,
        pointer: &str,
        inline_first: bool,
    ) {
        for (i, (key, value)) in map.iter().enumerate() {
            if i > 0 || !inline_first {
                self.put(&" ".repeat(indent));
            }
            let child = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
            let key_at = self.here();
            self.scalar_text(&Value::String(key.clone()));
            self.put(":");
            match value {
                Value::Object(inner) if !inner.is_empty() && self.choose(4) != 0 => {
                    self.label(&child, key_at);
                    self.end_line();
                    self.block_map(inner, indent + self.indent_step, &child, false);
                }
                Value::Array(items) if !items.is_empty() && self.choose(4) != 0 => {
                    self.label(&child, key_at);
                    self.end_line();
                    // Block sequences may sit at their key's indentation or deeper.
                    let at = if self.choose(2) == 0 {
                        indent
                    } else {
                        indent + self.indent_step
                    };
                    self.block_seq(items, at, &child);
                }
                _ => {
                    self.put(" ");
                    let is_collection = value.is_object() || value.is_array();
                    self.label(&child, if is_collection { key_at } else { self.here() });
                    self.flow(value, &child);
                    self.end_line();
                }
            }
        }
    }

    fn block_seq(&mut self, items: &[Value], indent: usize, pointer: &str) {
        for (i, item) in items.iter().enumerate() {
            let child = format!("{pointer}/{i}");
            self.put(&" ".repeat(indent));
            self.put("- ");
            self.label(&child, self.here());
            match item {
                Value::Object(inner) if !inner.is_empty() && self.choose(3) != 0 => {
                    self.block_map(inner, indent + 2, &child, true);
                }
                _ => {
                    self.flow(item, &child);
                    self.end_line();
                }
            }
        }
    }

    fn flow(&mut self, value: &Value, pointer: &str) {
        match value {
            Value::Object(map) => {
                self.put("{");
                for (i, (key, inner)) in map.iter().enumerate() {
                    if i > 0 {
                        self.put(", ");
                    }
                    let child = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                    let key_at = self.here();
                    self.scalar_text(&Value::String(key.clone()));
                    self.put(": ");
                    let is_collection = inner.is_object() || inner.is_array();
                    self.label(&child, if is_collection { key_at } else { self.here() });
                    self.flow(inner, &child);
                }
                self.put("}");
            }
            Value::Array(items) => {
                self.put("[");
                for (i, inner) in items.iter().enumerate() {
                    if i > 0 {
                        self.put(", ");
                    }
                    let child = format!("{pointer}/{i}");
                    self.label(&child, self.here());
                    self.flow(inner, &child);
                }
                self.put("]");
            }
            scalar => self.scalar_text(scalar),
        }
    }

    fn scalar_text(&mut self, value: &Value) {
        let text = match value {
            Value::String(s) => {
                let style = self.choose(3);
                if style == 0 && is_plain_safe(s) {
                    s.clone()
                } else if style == 1 && !s.chars().any(|c| c.is_control()) {
                    format!("'{}'", s.replace('\'', "''"))
                } else {
                    serde_json::to_string(s).expect("string")
                }
            }
            Value::Null => if self.choose(2) == 0 { "null" } else { "~" }.to_owned(),
            other => other.to_string(),
        };
        self.put(&text);
    }
}

fn is_plain_safe(s: &str) -> bool {
    let first_ok = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    let lower = s.to_ascii_lowercase();
    first_ok
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || " _.-/()".contains(c))
        && !s.ends_with(' ')
        && !matches!(
            lower.as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        )
        && s.parse::<f64>().is_err()
}

/// Every pointer to a node of `value`, parents before children.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let child = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                out.push(child.clone());
                pointers(inner, child, out);
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                let child = format!("{at}/{i}");
                out.push(child.clone());
                pointers(inner, child, out);
            }
        }
        _ => {}
    }
}

fn remove(value: &mut Value, pointer: &str) {
    let (parent, last) = pointer.rsplit_once('/').expect("a child pointer");
    let last = last.replace("~1", "/").replace("~0", "~");
    match value.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.remove(&last);
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = last.parse::<usize>() {
                if i < items.len() {
                    items.remove(i);
                }
            }
        }
        _ => {}
    }
}

fn check(files: Vec<(String, String)>, only: &str) -> Vec<Finding> {
    let compiled = compiled();
    let loaded = load_sources(sources(&files), LoadLimits::default());
    let options = CheckOptions {
        policy_timeout: Duration::from_secs(10),
        ..CheckOptions::new(".", "2026-11-24")
    };
    let only = Arc::new(HashSet::from([only.to_owned()]));
    let (findings, errors) = findings_of(
        &loaded.workspace,
        loaded.findings,
        &compiled.schemas,
        &compiled.policies,
        &options,
        Scope {
            only: Some(only),
            ..Scope::default()
        },
    );
    assert!(
        errors.is_empty(),
        "policy errors: {:?}",
        errors.iter().map(|e| &e.message).collect::<Vec<_>>()
    );
    findings
}

fn summary(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            format!(
                "{} {:?} {:?} {:?} {}",
                f.code, f.file, f.range, f.pointer, f.message
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn findings_point_at_the_field_their_pointer_names(
        pick in any::<prop::sample::Index>(),
        knock_out in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
        choices in prop::collection::vec(any::<u8>(), 1..64),
    ) {
        let compiled = compiled();
        let (file, original) = &compiled.singles[pick.index(compiled.singles.len())];
        let mut value = original.clone();
        let mut candidates = Vec::new();
        pointers(&value, String::new(), &mut candidates);
        candidates.retain(|p| !matches!(p.as_str(), "/apiVersion" | "/kind" | "/metadata" | "/metadata/id"));
        for index in &knock_out {
            if !candidates.is_empty() {
                let victim = candidates[index.index(candidates.len())].clone();
                remove(&mut value, &victim);
                candidates.retain(|p| !p.starts_with(&victim));
            }
        }
        let mut writer = Writer::new(&choices);
        writer.document(&value);
        let text = writer.out.clone();
        let mut files = compiled.files.clone();
        for entry in files.iter_mut().filter(|(name, _)| name == file) {
            entry.1 = text.clone();
        }
        let id = value["metadata"]["id"].as_str().expect("id").to_owned();
        let started = Instant::now();
        let findings = check(files.clone(), &id);
        let line_count = text.lines().count();
        for finding in findings.iter().filter(|f| f.file.as_deref() == Some(file.as_str())) {
            let (Some(pointer), Some(range)) = (&finding.pointer, &finding.range) else { continue };
            prop_assert!(range.start.offset <= text.len() && range.end.offset <= text.len(), "{finding:?}");
            prop_assert!(range.start.line <= line_count, "{finding:?}");
            // The nearest node that exists, as the writer recorded it.
            let mut at = pointer.as_str();
            let expected = loop {
                if let Some(found) = writer.labels.get(at) { break *found; }
                match at.rsplit_once('/') {
                    Some((parent, _)) => at = parent,
                    None => break writer.labels[""],
                }
            };
            prop_assert_eq!(
                (range.start.line, range.start.column), expected,
                "{} at {} (nearest {}) in\n{}", finding.code, pointer, at, text
            );
        }
        // Same findings, same order, whatever order the files come in.
        files.reverse();
        prop_assert_eq!(summary(&findings), summary(&check(files, &id)));
        prop_assert!(started.elapsed() < Duration::from_secs(30));
    }
}
