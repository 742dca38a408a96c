//! Stage 2 — validate: every artifact against the JSON Schema of its kind.
//!
//! Schemas are compiled once per run; validation errors become findings located at the offending
//! value (or, for a missing field, at the key of the object that lacks it).

mod hint;

use std::collections::HashMap;

use jsonschema::error::ValidationErrorKind;
use jsonschema::{Draft, Retrieve, Uri, Validator};
use rayon::prelude::*;
use serde_json::Value;

use crate::finding::{Finding, Severity, Stage};
use crate::load::position::escape_token;
use crate::model::{Artifact, Workspace, COMMON_SCHEMA, COMMON_SCHEMA_FILE, KINDS};

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("schema {file} is not valid JSON: {reason}")]
    Parse { file: String, reason: String },
    #[error("schema {file} does not compile: {reason}")]
    Compile { file: String, reason: String },
}

/// The compiled schemas of every kind.
pub struct SchemaSet {
    validators: HashMap<&'static str, (Validator, Value)>,
    /// The shared definitions, to follow a schema path through `$ref`s for help texts.
    common: Value,
}

/// Serves the shared definitions; nothing is ever fetched from the network.
struct CommonOnly {
    common: Value,
}

impl Retrieve for CommonOnly {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        if uri.path().as_str().ends_with(COMMON_SCHEMA_FILE) {
            Ok(self.common.clone())
        } else {
            Err(format!("opsgate schemas may only refer to {COMMON_SCHEMA_FILE}, not {uri}").into())
        }
    }
}

/// What schema validation found.
#[derive(Debug, Default)]
pub struct Validation {
    pub findings: Vec<Finding>,
    /// Artifact index → pointers of values whose JSON type the schema rejects. The policies never
    /// see these values (see [`IllTyped`]).
    pub ill_typed: IllTyped,
}

/// Values of the wrong JSON type, per artifact index.
///
/// Policies are written against the schema: a rule that iterates a list fails on a string in
/// regorus (`some x in "text"`), where OPA would quietly yield nothing. The schema has already
/// reported such a value, so the policies get the artifact without it: a mapping member is left
/// out, a list item becomes `null` (list indices, and so every other pointer, stay right).
pub type IllTyped = std::collections::HashMap<usize, Vec<String>>;

/// `value` without its ill-typed members.
pub fn without_ill_typed(value: &Value, pointers: &[String]) -> Value {
    let mut pruned = value.clone();
    for pointer in pointers {
        let Some((parent, token)) = pointer.rsplit_once('/') else {
            continue;
        };
        let token = token.replace("~1", "/").replace("~0", "~");
        match pruned.pointer_mut(parent) {
            Some(Value::Object(members)) => {
                members.remove(&token);
            }
            Some(Value::Array(items)) => {
                if let Some(item) = token.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                    *item = Value::Null;
                }
            }
            _ => {}
        }
    }
    pruned
}

impl SchemaSet {
    pub fn compile() -> Result<SchemaSet, SchemaError> {
        let common: Value =
            serde_json::from_str(COMMON_SCHEMA).map_err(|e| SchemaError::Parse {
                file: COMMON_SCHEMA_FILE.into(),
                reason: e.to_string(),
            })?;
        let validators = KINDS
            .par_iter()
            .map(|kind| {
                let schema: Value =
                    serde_json::from_str(kind.schema_source).map_err(|e| SchemaError::Parse {
                        file: kind.schema_file.into(),
                        reason: e.to_string(),
                    })?;
                let validator = jsonschema::options()
                    .with_draft(Draft::Draft202012)
                    .should_validate_formats(true)
                    .with_retriever(CommonOnly {
                        common: common.clone(),
                    })
                    .build(&schema)
                    .map_err(|e| SchemaError::Compile {
                        file: kind.schema_file.into(),
                        reason: e.to_string(),
                    })?;
                Ok((kind.name, (validator, schema)))
            })
            .collect::<Result<HashMap<_, _>, SchemaError>>()?;
        Ok(SchemaSet { validators, common })
    }

    /// Validates every artifact in parallel; with `only` (the git gates' neighbourhood), reports
    /// findings for those artifacts only.
    pub fn validate(
        &self,
        workspace: &Workspace,
        only: Option<&std::collections::HashSet<String>>,
    ) -> Validation {
        // Every artifact is validated, in scope or not: the policies of the artifacts in scope read
        // the others through `data.inventory`, so ill-typed values must be kept from them too.
        let per_artifact: Vec<(usize, Vec<Finding>, Vec<String>)> = workspace
            .artifacts
            .par_iter()
            .enumerate()
            .map(|(index, artifact)| {
                let (mut findings, ill_typed) = self.validate_one(workspace, artifact);
                if only.is_some_and(|only| !only.contains(&artifact.id)) {
                    findings.clear();
                }
                (index, findings, ill_typed)
            })
            .collect();
        let mut validation = Validation::default();
        for (index, findings, ill_typed) in per_artifact {
            validation.findings.extend(findings);
            if !ill_typed.is_empty() {
                validation.ill_typed.insert(index, ill_typed);
            }
        }
        validation
    }

    /// The findings of one artifact, and the pointers of its values of the wrong JSON type.
    pub fn validate_one(
        &self,
        workspace: &Workspace,
        artifact: &Artifact,
    ) -> (Vec<Finding>, Vec<String>) {
        let Some((validator, schema)) = self.validators.get(artifact.kind.name) else {
            return (Vec::new(), Vec::new());
        };
        // Most artifacts are valid, and asking only that is several times cheaper than collecting
        // the errors of a valid document (jsonschema's own fast path).
        if validator.is_valid(&artifact.value) {
            return (Vec::new(), Vec::new());
        }
        let at = At {
            artifact,
            file: &workspace.file_of(artifact).display,
            text: &workspace.file_of(artifact).text,
            schema,
            common: &self.common,
        };
        let mut findings = Vec::new();
        let mut ill_typed = Vec::new();
        // Past the cap, findings are only counted (see `limit`): building a million of them for
        // a million unknown fields is what the cap is there to prevent.
        let mut omitted = 0usize;
        for error in validator.iter_errors(&artifact.value) {
            if matches!(error.kind(), ValidationErrorKind::Type { .. }) {
                ill_typed.push(error.instance_path().as_str().to_owned());
            }
            let room = crate::limit::PER_ARTIFACT.saturating_sub(findings.len());
            if room == 0 {
                omitted += match error.kind() {
                    ValidationErrorKind::AdditionalProperties { unexpected } => unexpected.len(),
                    _ => 1,
                };
                continue;
            }
            if let ValidationErrorKind::AdditionalProperties { unexpected } = error.kind() {
                omitted += unexpected.len().saturating_sub(room);
            }
            findings.extend(at.findings(&error, room));
        }
        if omitted > 0 {
            if let Some(last) = findings.last() {
                let limit = omitted_finding(last, omitted);
                findings.push(limit);
            }
        }
        (findings, ill_typed)
    }
}

/// What a schema error is located and explained with.
struct At<'a> {
    artifact: &'a Artifact,
    file: &'a str,
    text: &'a str,
    schema: &'a Value,
    common: &'a Value,
}

impl At<'_> {
    /// The findings of one schema error, at most `room` of them.
    fn findings(&self, error: &jsonschema::ValidationError<'_>, room: usize) -> Vec<Finding> {
        let parent = error.instance_path().as_str();
        let schema_path = error.schema_path().as_str();
        match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let known = sibling_properties(self.schema, self.common, schema_path);
                unexpected
                    .iter()
                    .take(room)
                    .map(|name| self.unknown_field(parent, &known, name))
                    .collect()
            }
            ValidationErrorKind::Required { property } => {
                let name = property
                    .as_str()
                    .map_or_else(|| property.to_string(), str::to_owned);
                let help = property_description(self.schema, self.common, schema_path, &name)
                    .map_or_else(|| format!("add `{name}`"), |d| format!("add `{name}`: {d}"));
                let message = format!("missing required field `{name}`");
                vec![self.finding(parent, message, help)]
            }
            ValidationErrorKind::Enum { options } => {
                let (message, help) = enum_message(error.instance(), options);
                vec![self.finding(parent, message, help)]
            }
            kind => {
                let help =
                    hint::for_value(self.text, self.artifact, parent, kind).unwrap_or_else(|| {
                        format!(
                            "see `opsgate schema {}` ({schema_path})",
                            self.artifact.kind.name
                        )
                    });
                vec![self.finding(parent, error.to_string(), help)]
            }
        }
    }

    /// `unknown field`, with the closest allowed name (or a missing comma of a flow mapping).
    fn unknown_field(&self, parent: &str, known: &[String], name: &str) -> Finding {
        let pointer = format!("{parent}/{}", escape_token(name));
        let help = match hint::flow_comma(self.text, self.artifact, &pointer) {
            Some(flow) => flow,
            None => match closest(name, known) {
                Some(close) => format!("did you mean `{close}`?"),
                None if known.is_empty() => "remove this field".to_owned(),
                None => format!("allowed fields here: {}", known.join(", ")),
            },
        };
        self.finding(&pointer, format!("unknown field `{name}`"), help)
    }

    fn finding(&self, pointer: &str, message: String, help: String) -> Finding {
        schema_finding(self.artifact, self.file, pointer, message, help)
    }
}

/// The finding that says how many schema findings of an artifact the cap left out.
fn omitted_finding(last: &Finding, omitted: usize) -> Finding {
    let mut limit = crate::limit::omitted(last, &[last], "for this artifact");
    limit.severity = Severity::Error;
    limit.message = format!(
        "{omitted} more schema finding{} for this artifact {} left out (at most {} per artifact are reported)",
        if omitted == 1 { "" } else { "s" },
        if omitted == 1 { "was" } else { "were" },
        crate::limit::PER_ARTIFACT
    );
    limit
}

fn schema_finding(
    artifact: &Artifact,
    file: &str,
    pointer: &str,
    message: String,
    help: String,
) -> Finding {
    let (_, range) = artifact.locate(pointer);
    let mut finding = Finding::new("SCHEMA", Severity::Error, Stage::Schema, message)
        .in_file(file, Some(range))
        .with_help(help);
    finding.artifact = artifact.has_id.then(|| artifact.id.clone());
    finding.kind = Some(artifact.kind.name.to_owned());
    finding.pointer = Some(pointer.to_owned());
    finding
}

/// The schema object that holds the keyword at `schema_path`. The path is where the keyword is
/// written: in the kind's schema, or (`/$defs/…`, the metadata of every kind) in the shared
/// definitions.
fn parent_schema<'s>(schema: &'s Value, common: &'s Value, schema_path: &str) -> Option<&'s Value> {
    let parent = schema_path.rsplit_once('/').map_or("", |(head, _)| head);
    schema.pointer(parent).or_else(|| common.pointer(parent))
}

/// The property names declared next to the keyword at `schema_path` (for "did you mean").
fn sibling_properties(schema: &Value, common: &Value, schema_path: &str) -> Vec<String> {
    parent_schema(schema, common, schema_path)
        .and_then(|parent| parent.get("properties"))
        .and_then(Value::as_object)
        .map(|props| props.keys().cloned().collect())
        .unwrap_or_default()
}

fn property_description(
    schema: &Value,
    common: &Value,
    schema_path: &str,
    name: &str,
) -> Option<String> {
    parent_schema(schema, common, schema_path)?
        .get("properties")?
        .get(name)?
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// `"authorised" is not one of "draft", "submitted", …` with every allowed value (the library
/// shows five and "N other candidates", which leaves the user guessing), and a did-you-mean.
fn enum_message(instance: &Value, options: &Value) -> (String, String) {
    let allowed: Vec<String> = options
        .as_array()
        .into_iter()
        .flatten()
        .map(Value::to_string)
        .collect();
    let listed = match allowed.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    };
    let message = format!("{instance} is not one of {listed}");
    let close = instance.as_str().and_then(|text| {
        let names: Vec<String> = options
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        closest(&text.to_lowercase(), &names).map(str::to_owned)
    });
    let help = match close {
        Some(close) => format!("did you mean \"{close}\"?"),
        None => format!("use one of {listed}"),
    };
    (message, help)
}

fn closest<'a>(name: &str, known: &'a [String]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(name, k), k))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `validate_one` trusts `is_valid` to say there are no errors (the fast path): the two must
    /// agree, or a schema finding would be skipped silently. Checked on every artifact of the
    /// examples, and on each of them with its `spec` emptied and retyped.
    #[test]
    fn is_valid_agrees_with_the_error_list() {
        let schemas = SchemaSet::compile().expect("schemas compile");
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut checked = 0;
        for example in ["fixtures/acme", "fixtures/gaps"] {
            let loaded = crate::load::load_path(
                &root.join(example),
                crate::load::LoadLimits::default(),
                &crate::load::PathFilter::default(),
            );
            for artifact in &loaded.workspace.artifacts {
                let (validator, _) = &schemas.validators[artifact.kind.name];
                let mut variants = vec![(*artifact.value).clone()];
                for spec in [
                    serde_json::json!({}),
                    serde_json::json!("text"),
                    Value::Null,
                ] {
                    let mut value = (*artifact.value).clone();
                    value["spec"] = spec;
                    variants.push(value);
                }
                for value in &variants {
                    let errors = validator.iter_errors(value).next().is_some();
                    assert_eq!(
                        validator.is_valid(value),
                        !errors,
                        "{}: {value}",
                        artifact.id
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 200, "{checked} documents checked");
    }
}
