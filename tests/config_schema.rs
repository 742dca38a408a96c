//! The shipped configuration schema, the example file and the README stay in sync with the parser.
//!
//! The lists of output formats in the schema (`check.format`'s enum) and in the README (the marked
//! `<!-- check-formats:begin -->` and `<!-- report-formats:begin -->` regions) are generated from
//! the renderer tables (`report::FORMATS`, `report::AUDIT_FORMATS`): these tests fail when they are
//! stale and rewrite them when run with `OPSGATE_BLESS=1`, as tests/rule_docs.rs does for
//! docs/rules.md.

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

/// How to bring a generated part up to date, in every failure message.
const BLESS: &str = "regenerate it with `OPSGATE_BLESS=1 cargo test --locked --test config_schema`";

/// Compares the file at `path` with `expected`, or writes `expected` there under `OPSGATE_BLESS`.
fn bless_or_compare(path: &str, expected: &str) {
    let file = root().join(path);
    if std::env::var_os("OPSGATE_BLESS").is_some() {
        // Renamed into place: the other tests of this file read these files at the same time.
        let temporary = file.with_extension("blessing");
        std::fs::write(&temporary, expected).unwrap_or_else(|e| panic!("write {path}: {e}"));
        std::fs::rename(&temporary, &file).unwrap_or_else(|e| panic!("rename {path}: {e}"));
        return;
    }
    let actual = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(actual == expected, "{path} is stale: {BLESS}");
}

/// `text` with the list inside `check.format`'s `"enum": [ … ]` replaced by `names`. Only that
/// list is rewritten, so the rest of the hand-formatted schema keeps its layout.
fn schema_with_formats(text: &str, names: &[&str]) -> String {
    let key = text
        .find("\"format\": {")
        .expect("the schema has a `format` property");
    let open = key
        + text[key..]
            .find("\"enum\": [")
            .expect("check.format has an enum")
        + 9;
    let close = open + text[open..].find(']').expect("the enum list is closed");
    let list: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    format!("{}{}{}", &text[..open], list.join(", "), &text[close..])
}

/// The check formats' names in table order, the schema offers exactly them, the first (the
/// default) first.
#[test]
fn the_schema_offers_exactly_the_formats_of_the_table() {
    let path = "schemas/config/opsgate.schema.json";
    let text = std::fs::read_to_string(root().join(path)).expect("schema");
    let expected = schema_with_formats(&text, &format_names());
    // The rewrite must land in check.format and nowhere else, or a bless would corrupt the schema.
    let parsed: Value = serde_json::from_str(&expected).expect("the rewritten schema is JSON");
    let offered: Vec<&str> = parsed["properties"]["check"]["properties"]["format"]["enum"]
        .as_array()
        .expect("check.format has an enum")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(offered, format_names());
    bless_or_compare(path, &expected);
}

/// `text` with the content of every `<!-- NAME:begin -->` … `<!-- NAME:end -->` region replaced by
/// `content`; there must be at least one.
fn with_region(text: &str, name: &str, content: &str) -> String {
    let (begin, end) = (
        format!("<!-- {name}:begin -->"),
        format!("<!-- {name}:end -->"),
    );
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(&begin) {
        let inner = &rest[at + begin.len()..];
        let stop = inner
            .find(&end)
            .unwrap_or_else(|| panic!("README.md: `{begin}` without `{end}`"));
        out.push_str(&rest[..at + begin.len()]);
        out.push_str(content);
        rest = &inner[stop..];
    }
    assert!(!out.is_empty(), "README.md has no `{begin}` region");
    out.push_str(rest);
    out
}

/// `--format a\|b\|c` as a code span in a table cell (where `|` must be escaped), the default first.
fn format_option(names: &[&str]) -> String {
    format!("`--format {}`", names.join("\\|"))
}

/// The README's command table names exactly the formats of the two tables, in their order.
#[test]
fn the_readme_names_every_format_of_the_tables() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let report: Vec<&str> = opsgate::report::AUDIT_FORMATS
        .iter()
        .map(|f| f.name)
        .collect();
    let expected = with_region(&readme, "check-formats", &format_option(&format_names()));
    let expected = with_region(&expected, "report-formats", &format_option(&report));
    bless_or_compare("README.md", &expected);
}

/// "Outputs for CI systems" describes every check format, in table order. Its rows are prose (who
/// reads the format, its shape), so they are checked rather than generated.
#[test]
fn the_readme_describes_every_check_format() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme
        .split("## Outputs for CI systems\n")
        .nth(1)
        .expect("README.md has `## Outputs for CI systems`");
    let described: Vec<&str> = section
        .lines()
        .skip_while(|l| !l.starts_with("| `--format` |"))
        .skip(2)
        .take_while(|l| l.starts_with("| `"))
        .filter_map(|l| l.strip_prefix("| `")?.split('`').next())
        .collect();
    assert_eq!(
        described,
        format_names(),
        "README.md, Outputs for CI systems: one row per check format, in the order of report::FORMATS"
    );
}
