//! The rules' parameters are defined once (src/params.rs); every other place that states one is
//! checked against that table here: the configuration schema, opsgate.example.toml, the starter
//! configuration, the README's table, and the policies that read them.

use std::path::Path;

use opsgate::params::{default_of, PARAMS};

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

#[test]
fn the_configuration_schema_states_each_parameter_as_the_table_does() {
    let schema: serde_json::Value =
        serde_json::from_str(&read("schemas/config/opsgate.schema.json")).unwrap();
    let props = schema["properties"]["params"]["properties"]
        .as_object()
        .unwrap();
    let names: Vec<&str> = props.keys().map(String::as_str).collect();
    let table: Vec<&str> = PARAMS.iter().map(|p| p.name).collect();
    assert_eq!(
        names, table,
        "the schema lists the table's parameters, in its order"
    );
    for param in PARAMS {
        let prop = &props[param.name];
        assert_eq!(prop["default"], param.default, "{}", param.name);
        assert_eq!(prop["description"], param.description, "{}", param.name);
        assert_eq!(prop["type"], "integer");
    }
}

/// `name = N` lines under `[params]` (commented out or not) of a TOML file.
fn assignments(text: &str) -> Vec<(String, u64)> {
    let section = text.split("[params]").nth(1).unwrap_or_default();
    let section = section.split("\n[").next().unwrap_or_default();
    section
        .lines()
        .filter_map(|line| {
            let line = line.trim_start_matches(['#', ' ']);
            let (name, value) = line.split_once('=')?;
            Some((name.trim().to_owned(), value.trim().parse().ok()?))
        })
        .collect()
}

#[test]
fn the_example_configuration_shows_every_default_and_the_starter_no_other_value() {
    let example = assignments(&read("opsgate.example.toml"));
    let expected: Vec<(String, u64)> = PARAMS
        .iter()
        .map(|p| (p.name.to_owned(), p.default))
        .collect();
    assert_eq!(example, expected);
    let starter = assignments(&read("templates/opsgate.toml"));
    assert!(!starter.is_empty());
    for (name, value) in starter {
        assert_eq!(
            default_of(&name),
            Some(value),
            "templates/opsgate.toml: {name}"
        );
    }
}

#[test]
fn the_readme_table_is_the_table() {
    let readme = read("README.md");
    for param in PARAMS {
        let row = format!(
            "| `{}` | {} | {} |",
            param.name, param.default, param.description
        );
        assert!(readme.contains(&row), "README lacks the row: {row}");
    }
}

/// Every parameter a policy reads is in the table (an unknown one is undefined in Rego, and the
/// rule silently never fires), and every parameter in the table is read somewhere.
#[test]
fn the_policies_read_only_parameters_of_the_table_and_every_one_is_used() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut used = std::collections::BTreeSet::new();
    let mut texts = Vec::new();
    for dir in ["policies", "src"] {
        let mut pending = vec![root.join(dir)];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    pending.push(path);
                } else if path.extension().is_some_and(|e| e == "rego" || e == "rs") {
                    texts.push((
                        path.display().to_string(),
                        std::fs::read_to_string(&path).unwrap(),
                    ));
                }
            }
        }
    }
    for (file, text) in &texts {
        for opener in ["lib.param(\"", "data.params.", "params[\""] {
            for (at, _) in text.match_indices(opener) {
                let name: String = text[at + opener.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if name.is_empty() || file.ends_with("params.rs") {
                    continue;
                }
                assert!(
                    default_of(&name).is_some(),
                    "{file} reads the unknown parameter `{name}`"
                );
                used.insert(name);
            }
        }
    }
    for param in PARAMS {
        assert!(
            used.contains(param.name),
            "no policy or code reads `{}`",
            param.name
        );
    }
}
