//! The JSON Schemas as files an editor can use: every kind's schema, the shared definitions they
//! refer to (`common.schema.json`), and `artifact.schema.json`, which picks the kind's schema by
//! the document's `kind`, so one editor mapping covers a folder (or a file) of mixed kinds.
//! The kind schemas refer to `common.schema.json` by a relative `$ref`, so written side by side
//! they resolve from the folder, offline.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::{write_new, ScaffoldError, Written};
use crate::model::{COMMON_SCHEMA, COMMON_SCHEMA_FILE, KINDS};

/// The schema that validates any artifact against the schema of its `kind`.
pub const ARTIFACT_SCHEMA_FILE: &str = "artifact.schema.json";

/// Where `init` writes the schemas inside the repository (the editor settings point here).
pub const SCHEMA_DIR: &str = ".opsgate/schemas";

/// The base of every schema's `$id`; the version is the `apiVersion` the schemas describe.
const ID_BASE: &str = "https://github.com/opsgate/opsgate/schemas/v1/";

/// The `artifact.schema.json` text: `kind` must be a known kind, and the kind's schema applies.
fn artifact_schema() -> String {
    let branches: Vec<Value> = KINDS
        .iter()
        .map(|kind| {
            json!({
                "if": {"properties": {"kind": {"const": kind.name}}, "required": ["kind"]},
                "then": {"$ref": kind.schema_file}
            })
        })
        .collect();
    let names: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{ID_BASE}{ARTIFACT_SCHEMA_FILE}"),
        "title": "opsgate artifact",
        "description": "Any opsgate artifact: the schema of its `kind` applies.",
        "type": "object",
        "required": ["apiVersion", "kind"],
        "properties": {"kind": {"description": "The artifact kind (`opsgate kinds` lists them).", "enum": names}},
        "allOf": branches
    });
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// The schema `opsgate schema NAME` prints: a kind, `common` (the shared definitions) or
/// `artifact` (any kind).
pub fn schema_text(name: &str) -> Option<String> {
    match name {
        "common" | "common.schema.json" => Some(COMMON_SCHEMA.to_owned()),
        "artifact" | "artifact.schema.json" => Some(artifact_schema()),
        _ => crate::model::Kind::find(name)
            .or_else(|| KINDS.iter().find(|k| k.schema_file == name))
            .map(|k| k.schema_source.to_owned()),
    }
}

/// Every schema file: (file name, text), in a stable order.
pub fn schema_files() -> Vec<(&'static str, String)> {
    let mut files: Vec<(&'static str, String)> = KINDS
        .iter()
        .map(|k| (k.schema_file, k.schema_source.to_owned()))
        .collect();
    files.push((COMMON_SCHEMA_FILE, COMMON_SCHEMA.to_owned()));
    files.push((ARTIFACT_SCHEMA_FILE, artifact_schema()));
    files
}

/// `opsgate schema --all --out DIR`: writes every schema into `dir`, replacing older copies (the
/// files are opsgate's own, and a stale one would mislead the editor after an upgrade).
pub fn write_all(dir: &Path) -> Result<Vec<PathBuf>, ScaffoldError> {
    let mut written = Vec::new();
    for (name, text) in schema_files() {
        let path = dir.join(name);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(ScaffoldError::Invalid(format!(
                "refusing to write {}: it is a symbolic link",
                path.display()
            )));
        }
        crate::write::write_atomically(&path, text.as_bytes(), true).map_err(|source| {
            ScaffoldError::Write {
                path: path.clone(),
                source,
            }
        })?;
        written.push(path);
    }
    Ok(written)
}

/// `init`: the schemas under [`SCHEMA_DIR`] and a `.vscode/settings.json` that maps the
/// artifact folder to `artifact.schema.json` for yaml-language-server (never overwriting).
pub fn init_editor(
    root: &Path,
    artifact_dir: &str,
    written: &mut Written,
) -> Result<(), ScaffoldError> {
    for (name, text) in schema_files() {
        write_new(root, &root.join(SCHEMA_DIR).join(name), &text, written)?;
    }
    let settings = json!({
        "yaml.schemas": {
            format!("./{SCHEMA_DIR}/{ARTIFACT_SCHEMA_FILE}"): [format!("{artifact_dir}/**/*.yaml"), format!("{artifact_dir}/**/*.yml")]
        }
    });
    let mut text = serde_json::to_string_pretty(&settings).unwrap_or_default();
    text.push('\n');
    write_new(root, &root.join(".vscode/settings.json"), &text, written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_has_a_stable_id_named_after_its_file() {
        for (name, text) in schema_files() {
            let schema: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(schema["$id"], format!("{ID_BASE}{name}"), "{name}");
        }
    }
}
