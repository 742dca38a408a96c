//! `opsgate.toml`: how a team tunes the gate. Parsed strictly — unknown keys, wrong types, bad
//! globs and unknown rule codes are errors located at their line — and every problem is reported
//! at once, so a broken configuration is fixed in one round.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::finding::Severity;
use crate::rules::Registry;

pub const FILE_NAME: &str = "opsgate.toml";

/// Every key the parser accepts, by table; `schemas/opsgate-config.schema.json` must list the same
/// (a test keeps them in sync).
pub const CHECK_KEYS: &[&str] = &[
    "include",
    "exclude",
    "policies",
    "format",
    "fail_on",
    "allow_empty",
];
pub const RULES_KEYS: &[&str] = &["disable", "severity"];
pub const TOP_KEYS: &[&str] = &["check", "rules", "params"];
/// What a configuration may name that the modules above this one define: the parameters (with
/// their defaults) and the output formats (`check.format`, the renderer table's names). Passed in
/// so that the configuration stays below the stages and renderers it configures.
#[derive(Debug, Clone, Copy)]
pub struct Known<'a> {
    pub params: &'a Map<String, Value>,
    pub formats: &'a [&'a str],
}

/// Rule switches a configuration applies to findings.
#[derive(Debug, Clone, Default)]
pub struct RuleSettings {
    pub disabled: BTreeSet<String>,
    pub severity: BTreeMap<String, Severity>,
}

#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file read, if any.
    pub file: Option<PathBuf>,
    pub text: Arc<str>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// Extra policy directories as written (relative to the configuration file's directory),
    /// with their place; where they are read from is the caller's business ([`crate::trust`]).
    pub policy_dirs: Vec<(String, Range<usize>)>,
    /// An empty artifact set is expected (a repository that has none yet).
    pub allow_empty: bool,
    pub format: Option<String>,
    pub fail_on: Option<Severity>,
    pub rules: RuleSettings,
    /// Parameter overrides, merged over the defaults.
    pub params: Map<String, Value>,
    /// Rule codes named in the file, with their place, checked once the policies are loaded.
    codes: Vec<(String, Range<usize>)>,
}

/// One problem in the configuration file.
#[derive(Debug, Clone)]
pub struct ConfigProblem {
    pub message: String,
    pub span: Range<usize>,
    pub help: Option<String>,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{} in {}", plural(problems.len()), file.display())]
pub struct ConfigError {
    pub file: PathBuf,
    pub text: Arc<str>,
    pub problems: Vec<ConfigProblem>,
}

impl ConfigError {
    /// A problem with the file as a whole.
    pub fn whole(file: &Path, message: String) -> ConfigError {
        ConfigError {
            file: file.to_path_buf(),
            text: "".into(),
            problems: vec![ConfigProblem {
                message,
                span: 0..0,
                help: None,
            }],
        }
    }
}

fn plural(n: usize) -> String {
    if n == 1 {
        "1 problem".into()
    } else {
        format!("{n} problems")
    }
}

/// The nearest `opsgate.toml` at or above `start`.
pub fn find(start: &Path) -> Option<PathBuf> {
    let absolute = start.canonicalize().ok()?;
    let first = if absolute.is_file() {
        absolute.parent()?
    } else {
        &absolute
    };
    first
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

impl Config {
    /// Reads and parses `file`. Rule codes are checked later, by [`Config::check_codes`].
    pub fn load(file: &Path, known: Known<'_>) -> Result<Config, ConfigError> {
        match std::fs::read(file) {
            Ok(bytes) => Config::parse_bytes(&bytes, file, known),
            Err(error) => Err(ConfigError::whole(
                file,
                format!("cannot read the configuration: {error}"),
            )),
        }
    }

    /// Parses a configuration read from anywhere (disk, the index, a commit); `file` names it.
    pub fn parse_bytes(bytes: &[u8], file: &Path, known: Known<'_>) -> Result<Config, ConfigError> {
        let (config, problems) = Config::parse_all(bytes, file, known)?;
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(config.error(problems))
        }
    }

    /// The configuration as far as it parses, and every problem met: rule codes are checked by
    /// the caller ([`Config::code_problems`]) so that all problems are reported together.
    pub fn parse_all(
        bytes: &[u8],
        file: &Path,
        known: Known<'_>,
    ) -> Result<(Config, Vec<ConfigProblem>), ConfigError> {
        let text: Arc<str> = match std::str::from_utf8(bytes) {
            Ok(text) => text.into(),
            Err(error) => {
                return Err(ConfigError::whole(
                    file,
                    format!("the configuration is not valid UTF-8: {error}"),
                ))
            }
        };
        let mut parser = Parser {
            problems: Vec::new(),
            known,
        };
        let mut config = parser.parse(&text);
        config.file = Some(file.to_path_buf());
        config.text = text;
        Ok((config, parser.problems))
    }

    /// An error of this file holding `problems`, in file order.
    pub fn error(&self, mut problems: Vec<ConfigProblem>) -> ConfigError {
        problems.sort_by_key(|p| (p.span.start, p.span.end));
        ConfigError {
            file: self.file.clone().unwrap_or_else(|| FILE_NAME.into()),
            text: self.text.clone(),
            problems,
        }
    }

    /// Whether the file names rule codes (which only the loaded policies can check).
    pub fn names_rules(&self) -> bool {
        !self.codes.is_empty()
    }

    /// Every rule code the file names must exist in the loaded rule set.
    pub fn check_codes(&self, registry: &Registry) -> Result<(), ConfigError> {
        let problems = self.code_problems(registry);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(self.error(problems))
        }
    }

    /// A problem for each rule code the file names that the registry does not have.
    pub fn code_problems(&self, registry: &Registry) -> Vec<ConfigProblem> {
        let known: Vec<&str> = registry.iter().map(|r| r.code.as_str()).collect();
        self.codes
            .iter()
            .filter(|(code, _)| registry.get(code).is_none())
            .map(|(code, span)| ConfigProblem {
                message: format!("no rule has code `{code}`"),
                span: span.clone(),
                help: Some(match closest(code, &known) {
                    Some(close) => {
                        format!("did you mean `{close}`? (`opsgate rules` lists every code)")
                    }
                    None => "`opsgate rules` lists every code".into(),
                }),
            })
            .collect()
    }
}

fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(k, name), *k))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

struct Parser<'a> {
    problems: Vec<ConfigProblem>,
    known: Known<'a>,
}

impl Parser<'_> {
    fn problem(&mut self, span: Range<usize>, message: impl Into<String>, help: Option<String>) {
        self.problems.push(ConfigProblem {
            message: message.into(),
            span,
            help,
        });
    }

    fn parse(&mut self, text: &str) -> Config {
        let mut config = Config::default();
        let (root, errors) = DeTable::parse_recoverable(text);
        for error in errors {
            self.problem(
                error.span().unwrap_or(0..0),
                error.message().to_owned(),
                None,
            );
        }
        let root = root.into_inner();
        for (key, value) in &root {
            match key.get_ref().as_ref() {
                "check" => {
                    if let Some(table) = self.table(value, "check") {
                        self.check_table(table, &mut config);
                    }
                }
                "rules" => {
                    if let Some(table) = self.table(value, "rules") {
                        self.rules_table(table, &mut config);
                    }
                }
                "params" => {
                    if let Some(table) = self.table(value, "params") {
                        self.params_table(table, self.known.params, &mut config);
                    }
                }
                other => self.unknown_key(key, other, TOP_KEYS, ""),
            }
        }
        // Tables iterate in key order, not file order; readers expect the file's order.
        self.problems.sort_by_key(|p| (p.span.start, p.span.end));
        config
    }

    fn unknown_key(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        name: &str,
        known: &[&str],
        table: &str,
    ) {
        let place = if table.is_empty() {
            "at the top level".to_owned()
        } else {
            format!("in [{table}]")
        };
        let help = match closest(name, known) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("known keys {place}: {}", known.join(", ")),
        };
        self.problem(
            key.span(),
            format!("unknown key `{name}` {place}"),
            Some(help),
        );
    }

    fn table<'a, 'i>(
        &mut self,
        value: &'a Spanned<DeValue<'i>>,
        name: &str,
    ) -> Option<&'a DeTable<'i>> {
        let table = value.get_ref().as_table();
        if table.is_none() {
            self.problem(
                value.span(),
                format!(
                    "`{name}` must be a table, not {}",
                    value.get_ref().type_str()
                ),
                None,
            );
        }
        table
    }

    fn string(&mut self, value: &Spanned<DeValue<'_>>, what: &str) -> Option<String> {
        let text = value.get_ref().as_str().map(str::to_owned);
        if text.is_none() {
            self.problem(
                value.span(),
                format!(
                    "{what} must be a string, not {}",
                    value.get_ref().type_str()
                ),
                None,
            );
        }
        text
    }

    fn strings(&mut self, value: &Spanned<DeValue<'_>>, what: &str) -> Vec<(String, Range<usize>)> {
        let Some(array) = value.get_ref().as_array() else {
            self.problem(
                value.span(),
                format!(
                    "{what} must be an array of strings, not {}",
                    value.get_ref().type_str()
                ),
                None,
            );
            return Vec::new();
        };
        array
            .iter()
            .filter_map(|item| {
                self.string(item, &format!("each entry of {what}"))
                    .map(|s| (s, item.span()))
            })
            .collect()
    }

    fn globs(&mut self, value: &Spanned<DeValue<'_>>, what: &str) -> Vec<String> {
        let mut valid = Vec::new();
        for (pattern, span) in self.strings(value, what) {
            match globset::Glob::new(&pattern) {
                Ok(_) => valid.push(pattern),
                Err(error) => self.problem(
                    span,
                    format!("`{pattern}` is not a valid glob: {}", error.kind()),
                    None,
                ),
            }
        }
        valid
    }

    fn severity(&mut self, value: &Spanned<DeValue<'_>>, what: &str) -> Option<Severity> {
        let text = self.string(value, what)?;
        let severity = Severity::parse(&text);
        if severity.is_none() {
            self.problem(
                value.span(),
                format!("{what} must be error, warning or info, not `{text}`"),
                None,
            );
        }
        severity
    }

    fn check_table(&mut self, table: &DeTable<'_>, config: &mut Config) {
        for (key, value) in table {
            match key.get_ref().as_ref() {
                "include" => config.include = self.globs(value, "`include`"),
                "exclude" => config.exclude = self.globs(value, "`exclude`"),
                "policies" => config.policy_dirs = self.strings(value, "`policies`"),
                "allow_empty" => match value.get_ref().as_bool() {
                    Some(allow) => config.allow_empty = allow,
                    None => self.problem(
                        value.span(),
                        format!(
                            "`allow_empty` must be true or false, not {}",
                            value.get_ref().type_str()
                        ),
                        None,
                    ),
                },
                "format" => {
                    if let Some(format) = self.string(value, "`format`") {
                        let formats = self.known.formats;
                        if formats.contains(&format.as_str()) {
                            config.format = Some(format);
                        } else {
                            self.problem(
                                value.span(),
                                format!("unknown format `{format}`"),
                                Some(format!("one of: {}", formats.join(", "))),
                            );
                        }
                    }
                }
                "fail_on" => config.fail_on = self.severity(value, "`fail_on`"),
                other => self.unknown_key(key, other, CHECK_KEYS, "check"),
            }
        }
    }

    fn rules_table(&mut self, table: &DeTable<'_>, config: &mut Config) {
        for (key, value) in table {
            match key.get_ref().as_ref() {
                "disable" => {
                    for (code, span) in self.strings(value, "`disable`") {
                        config.codes.push((code.clone(), span));
                        config.rules.disabled.insert(code);
                    }
                }
                "severity" => {
                    let Some(overrides) = self.table(value, "rules.severity") else {
                        continue;
                    };
                    for (code, level) in overrides {
                        let code_text = code.get_ref().to_string();
                        config.codes.push((code_text.clone(), code.span()));
                        if let Some(severity) =
                            self.severity(level, &format!("the severity of `{code_text}`"))
                        {
                            config.rules.severity.insert(code_text, severity);
                        }
                    }
                }
                other => self.unknown_key(key, other, RULES_KEYS, "rules"),
            }
        }
    }

    fn params_table(
        &mut self,
        table: &DeTable<'_>,
        defaults: &Map<String, Value>,
        config: &mut Config,
    ) {
        let known: Vec<&str> = defaults.keys().map(String::as_str).collect();
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            if !defaults.contains_key(name) {
                self.unknown_key(key, name, &known, "params");
                continue;
            }
            let number = value
                .get_ref()
                .as_integer()
                .and_then(|i| i64::from_str_radix(i.as_str(), i.radix()).ok());
            match number {
                Some(n) if n > 0 => {
                    config.params.insert(name.to_owned(), Value::from(n));
                }
                _ => self.problem(
                    value.span(),
                    format!("`{name}` must be a positive integer"),
                    None,
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::default_params;

    fn parse(text: &str) -> (Config, Vec<ConfigProblem>) {
        let defaults = default_params();
        let formats = crate::report::format_names();
        let mut parser = Parser {
            problems: Vec::new(),
            known: Known {
                params: defaults.as_object().expect("object"),
                formats: &formats,
            },
        };
        let config = parser.parse(text);
        (config, parser.problems)
    }

    fn line_of(text: &str, span: &Range<usize>) -> usize {
        text[..span.start].matches('\n').count() + 1
    }

    #[test]
    fn a_complete_configuration_parses() {
        let text = "[check]\ninclude = [\"ops/**\"]\nexclude = [\"ops/archive/**\"]\nformat = \"json\"\nfail_on = \"warning\"\n\n[rules]\ndisable = [\"CAP-009\"]\nseverity = { \"CSI-003\" = \"info\" }\n\n[params]\ntest_interval_days = 180\n";
        let (config, problems) = parse(text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(config.include, vec!["ops/**"]);
        assert_eq!(config.fail_on, Some(Severity::Warning));
        assert!(config.rules.disabled.contains("CAP-009"));
        assert_eq!(config.rules.severity["CSI-003"], Severity::Info);
        assert_eq!(config.params["test_interval_days"], 180);
    }

    #[test]
    fn every_problem_is_reported_at_its_line() {
        let text = "[check]\nfail_on = \"sometimes\"\nformt = \"json\"\n\n[params]\ntest_interval_days = \"soon\"\nreview_intervall_days = 3\n";
        let (_, problems) = parse(text);
        let lines: Vec<usize> = problems.iter().map(|p| line_of(text, &p.span)).collect();
        assert_eq!(lines, vec![2, 3, 6, 7], "{problems:?}");
        assert_eq!(problems[1].help.as_deref(), Some("did you mean `format`?"));
        assert_eq!(
            problems[3].help.as_deref(),
            Some("did you mean `review_interval_days`?")
        );
    }

    #[test]
    fn syntax_errors_are_located() {
        let text = "[check]\ninclude = [\"a\"\n";
        let (_, problems) = parse(text);
        assert!(!problems.is_empty());
        assert_eq!(line_of(text, &problems[0].span), 2);
    }
}
