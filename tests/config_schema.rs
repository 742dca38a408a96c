//! The shipped configuration schema, the example file and the README stay in sync with the parser.

use std::collections::BTreeSet;
use std::path::Path;

use opsgate::check::default_params;
use opsgate::config::{Config, Known, CHECK_KEYS, RULES_KEYS, TOP_KEYS};
use opsgate::report::format_names;
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn schema() -> Value {
    let text =
        std::fs::read_to_string(root().join("schemas/config/opsgate.schema.json")).expect("schema");
    serde_json::from_str(&text).expect("schema is JSON")
}

fn keys(value: &Value) -> BTreeSet<String> {
    value["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .cloned()
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_schema_lists_exactly_the_keys_the_parser_accepts() {
    let schema = schema();
    assert_eq!(keys(&schema), set(TOP_KEYS));
    assert_eq!(keys(&schema["properties"]["check"]), set(CHECK_KEYS));
    assert_eq!(keys(&schema["properties"]["rules"]), set(RULES_KEYS));
    let params: BTreeSet<String> = default_params()
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(keys(&schema["properties"]["params"]), params);
    let formats: BTreeSet<String> = schema["properties"]["check"]["properties"]["format"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    // The renderer table is the one list of formats: the schema must offer exactly its names.
    assert_eq!(formats, set(&format_names()));
}

#[test]
fn the_example_configuration_is_valid_for_both_the_parser_and_the_schema() {
    let file = root().join("opsgate.example.toml");
    let defaults = default_params();
    let formats = format_names();
    let known = Known {
        params: defaults.as_object().unwrap(),
        formats: &formats,
    };
    let config = Config::load(&file, known).unwrap_or_else(|e| panic!("{:?}", e.problems));
    assert!(!config.rules.disabled.is_empty());
    let text = std::fs::read_to_string(&file).unwrap();
    let as_json: Value = toml::from_str(&text).expect("TOML");
    let validator = jsonschema::validator_for(&schema()).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&as_json)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn the_readme_shows_the_complete_example() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let example = std::fs::read_to_string(root().join("opsgate.example.toml")).unwrap();
    assert!(
        readme.contains(example.trim()),
        "README.md must embed opsgate.example.toml verbatim"
    );
}

/// The README's command table names exactly the formats of the renderer table, in its order.
#[test]
fn the_readme_names_every_format_of_the_table() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let check = format!("--format {}`", format_names().join("\\|"));
    assert!(readme.contains(&check), "README.md must say `{check}`");
    let names: Vec<&str> = opsgate::report::AUDIT_FORMATS
        .iter()
        .map(|f| f.name)
        .collect();
    let report = format!("--format {} [", names.join("\\|"));
    assert!(readme.contains(&report), "README.md must say `{report}`");
}
