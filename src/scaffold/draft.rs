//! Drafts for `opsgate new KIND`, made from the kind's schema rather than from an example
//! record: the envelope, every required `spec` field (a status field starts at `draft`), and the
//! optional fields as comments with their descriptions. What only the author knows is a
//! `<fill in: …>` placeholder, which DOC-001 reports until it is replaced, so a draft is
//! never taken for a real record.

use serde_json::Value;

use crate::model::{Kind, COMMON_SCHEMA};

/// A placeholder: what to write, in a few words.
pub fn placeholder(what: &str) -> String {
    format!("<fill in: {what}>")
}

/// The draft document of `kind` with id `id`; dates are `today`.
pub fn draft(kind: &Kind, id: &str, today: &str) -> Option<String> {
    draft_owned_by(kind, id, today, None)
}

/// [`draft`] with the owner filled in (the minimal starter's documents are owned by its Person).
pub fn draft_owned_by(kind: &Kind, id: &str, today: &str, owner: Option<&str>) -> Option<String> {
    let schema: Value = serde_json::from_str(kind.schema_source).ok()?;
    let common: Value = serde_json::from_str(COMMON_SCHEMA).ok()?;
    let spec = &schema["properties"]["spec"];
    let mut out = format!(
        "# A new {name} (a draft). Replace every `<fill in: …>`: until then `opsgate check` reports it\n\
         # (DOC-001). Optional fields are commented out. Fields: `opsgate schema {name}`.\n\
         apiVersion: opsgate/v1\nkind: {name}\nmetadata:\n  id: {id}\n  title: {title}\n",
        name = kind.name,
        title = quote(&placeholder("a short title")),
    );
    if kind.name != "Person" {
        let owner = owner.map_or_else(
            || quote(&placeholder("id of the Person accountable for it")),
            str::to_owned,
        );
        out.push_str(&format!("  owner: {owner}\n"));
    }
    let required = names(&spec["required"]);
    // With no required field the mapping must still be one (`spec:` alone would be null).
    out.push_str(if required.is_empty() {
        "spec: {}\n"
    } else {
        "spec:\n"
    });
    for (key, property) in spec["properties"].as_object().into_iter().flatten() {
        let description = property["description"].as_str().unwrap_or_default();
        if !description.is_empty() {
            out.push_str(&format!("  # {description}\n"));
        }
        if required.contains(&key.as_str()) {
            let value = value_for(property, &common, today, key);
            out.push_str(&format!("  {key}: {value}\n"));
        } else {
            out.push_str(&format!("  # {key}:\n"));
        }
    }
    Some(out)
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// A flow-style YAML value for a required field.
fn value_for(property: &Value, common: &Value, today: &str, key: &str) -> String {
    let property = resolve(property, common);
    if let Some(options) = property["enum"].as_array() {
        if options.iter().any(|o| o == "draft") {
            return "draft".to_owned();
        }
        let listed: Vec<String> = options
            .iter()
            .map(|o| o.to_string().replace('"', ""))
            .collect();
        return quote(&placeholder(&format!("one of {}", listed.join(", "))));
    }
    if let Some(constant) = property.get("const") {
        return constant.to_string();
    }
    if property["format"] == "date" {
        return today.to_owned();
    }
    match property["type"].as_str() {
        Some("array") => "[]".to_owned(),
        Some("object") => {
            let required = names(&property["required"]);
            let members: Vec<String> = required
                .iter()
                .map(|name| {
                    let inner = &property["properties"][*name];
                    format!("{name}: {}", value_for(inner, common, today, name))
                })
                .collect();
            format!("{{{}}}", members.join(", "))
        }
        _ => quote(&placeholder(&key.replace('_', " "))),
    }
}

/// The property with a `$ref` into the shared definitions merged in (one level is enough: the
/// shared definitions refer to each other only for ids and dates).
fn resolve(property: &Value, common: &Value) -> Value {
    let Some(reference) = property["$ref"].as_str() else {
        return property.clone();
    };
    let pointer = reference.split_once('#').map_or("", |(_, p)| p);
    let mut merged = common.pointer(pointer).cloned().unwrap_or(Value::Null);
    if let (Value::Object(target), Value::Object(own)) = (&mut merged, property) {
        for (k, v) in own {
            if k != "$ref" {
                target.insert(k.clone(), v.clone());
            }
        }
    }
    if merged["$ref"].is_string() {
        return resolve(&merged, common);
    }
    merged
}

/// A double-quoted YAML scalar (JSON string syntax is valid YAML).
fn quote(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}
