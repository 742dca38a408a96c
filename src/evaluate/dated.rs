//! Which `deny` rules can change their verdict when only the evaluation date (`input.as_of`)
//! moves. The period report evaluates a repository at hundreds of dates; an artifact that no
//! commit touched needs only these rules evaluated again at a new date, every other verdict is
//! the same as the day before.
//!
//! The analysis reads the policy text: a top-level rule (every line from one that starts at the
//! first column up to the next) is *dated* when it mentions `as_of`, `time.now_ns` or the whole
//! `input`, or names a dated rule or function of its package, of `lib` or of the index package.
//! It over-approximates (a mention is enough), never under: a package it cannot reason about
//! (another import, a reference into another package) is dated as a whole.
//!
//! A package with dated `deny` bodies is split by body: every dated body is renamed `deny_dated`
//! (same line, so error locations keep their line). The evaluator keeps the findings of the two
//! rules apart (`Context::separate_dated`), so at a new date it replaces those of `deny_dated`
//! and carries over those of `deny`. A rule code may have bodies in both, and a body whose code
//! is computed (a table of codes) splits like any other: which body found a finding, not its
//! code, says whether the date can move it.

use std::collections::HashSet;

/// How a rules package depends on the evaluation date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dated {
    /// No `deny` rule reads the date.
    None,
    /// The dated codes' bodies are `deny_dated`; `undated`: some `deny` bodies are left.
    Split { undated: bool },
    /// The analysis cannot separate it: the whole `deny` is dated.
    Whole,
}

/// A rules package's text as the engine loads it, and how it depends on the date.
#[derive(Debug)]
pub struct Split {
    pub text: String,
    pub dated: Dated,
}

/// The dated names of the packages every rules package may call (`lib`, the index package).
#[derive(Debug, Default)]
pub struct Library {
    lib: HashSet<String>,
    index: HashSet<String>,
}

struct Block<'a> {
    name: &'a str,
    /// Index of its first line in the text.
    line: usize,
    /// Its text after the name, without comment lines.
    body: String,
}

fn identifier_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn leading_name(line: &str) -> Option<&str> {
    let end = line
        .find(|c: char| !identifier_char(c))
        .unwrap_or(line.len());
    let name = &line[..end];
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        .then_some(name)
}

/// The top-level rules of a Rego text (package and import lines end a block, belong to none).
fn blocks(text: &str) -> Vec<Block<'_>> {
    let mut out: Vec<Block<'_>> = Vec::new();
    let mut open = false;
    for (index, line) in text.lines().enumerate() {
        if line.starts_with("package ") || line.starts_with("import ") {
            open = false;
            continue;
        }
        if let Some(name) = leading_name(line) {
            out.push(Block {
                name,
                line: index,
                body: line[name.len()..].to_owned(),
            });
            open = true;
        } else if open && !line.trim_start().starts_with('#') {
            if let Some(block) = out.last_mut() {
                block.body.push('\n');
                block.body.push_str(line);
            }
        }
    }
    out
}

/// Whether `text` mentions `word` as a whole word (not as part of a longer name or a field).
fn mentions(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        before.is_none_or(|c| !identifier_char(c) && c != '.')
            && after.is_none_or(|c| !identifier_char(c))
    })
}

/// Reads the date itself: `as_of`, the clock, or `input` other than its artifact fields.
fn reads_date(body: &str) -> bool {
    const FIELDS: [&str; 3] = [".artifact", ".unresolved_references", ".change"];
    mentions(body, "as_of")
        || body.contains("time.now_ns")
        || body.match_indices("input").any(|(at, _)| {
            let before = body[..at].chars().next_back();
            let rest = &body[at + "input".len()..];
            before.is_none_or(|c| !identifier_char(c) && c != '.')
                && !rest.starts_with(|c: char| identifier_char(c))
                && !FIELDS.iter().any(|f| {
                    rest.strip_prefix(f)
                        .is_some_and(|r| !r.starts_with(|c: char| identifier_char(c)))
                })
        })
}

impl Library {
    /// Analyses `lib` and the index package together (each may call the other).
    pub fn of(lib: &str, index: &str) -> Library {
        let (lib_blocks, index_blocks) = (blocks(lib), blocks(index));
        let mut library = Library::default();
        loop {
            let before = library.lib.len() + library.index.len();
            for block in &lib_blocks {
                if library.dated(&block.body, &library.lib) {
                    library.lib.insert(block.name.to_owned());
                }
            }
            for block in &index_blocks {
                if library.dated(&block.body, &library.index) {
                    library.index.insert(block.name.to_owned());
                }
            }
            if library.lib.len() + library.index.len() == before {
                return library;
            }
        }
    }

    fn dated(&self, body: &str, local: &HashSet<String>) -> bool {
        reads_date(body)
            || local.iter().any(|name| mentions(body, name))
            || self
                .lib
                .iter()
                .any(|name| body.contains(&format!("lib.{name}")))
            || self
                .index
                .iter()
                .any(|name| body.contains(&format!("opsgate.index.{name}")))
    }
}

/// A reference the analysis cannot follow: into another package than `lib` and the index.
fn foreign(text: &str) -> bool {
    let imports = text
        .lines()
        .filter(|l| l.starts_with("import "))
        .any(|l| !matches!(l.trim(), "import rego.v1" | "import data.opsgate.lib"));
    let references = text.match_indices("data.opsgate.").any(|(at, _)| {
        let rest = &text[at + "data.opsgate.".len()..];
        !rest.starts_with("lib") && !rest.starts_with("index.")
    });
    imports || references
}

/// Splits a rules package's `deny` into its undated and dated bodies (see the module docs).
pub fn split(text: &str, library: &Library) -> Split {
    let unchanged = |dated| Split {
        text: text.to_owned(),
        dated,
    };
    if foreign(text) {
        return unchanged(Dated::Whole);
    }
    let all = blocks(text);
    let mut local: HashSet<String> = HashSet::new();
    loop {
        let before = local.len();
        for block in all.iter().filter(|b| b.name != "deny") {
            if library.dated(&block.body, &local) {
                local.insert(block.name.to_owned());
            }
        }
        if local.len() == before {
            break;
        }
    }
    let denies = all.iter().filter(|b| b.name == "deny").count();
    let renamed: HashSet<usize> = all
        .iter()
        .filter(|b| b.name == "deny" && library.dated(&b.body, &local))
        .map(|b| b.line)
        .collect();
    if renamed.is_empty() {
        return unchanged(Dated::None);
    }
    let mut out = String::with_capacity(text.len() + 16 * renamed.len());
    for (index, line) in text.split_inclusive('\n').enumerate() {
        if renamed.contains(&index) {
            out.push_str("deny_dated");
            out.push_str(&line["deny".len()..]);
        } else {
            out.push_str(line);
        }
    }
    Split {
        text: out,
        dated: Dated::Split {
            undated: renamed.len() < denies,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIB: &str = "package opsgate.lib\n\nimport rego.v1\n\n\
        days_between(a, b) := b - a\n\nfuture(date) if days_between(input.as_of, date) > 0\n\n\
        items(obj, key) := object.get(obj, key, [])\n";
    const INDEX: &str = "package opsgate.index\n\nimport rego.v1\n\nall := {\"x\": 1}\n";

    fn library() -> Library {
        Library::of(LIB, INDEX)
    }

    #[test]
    fn lib_functions_reading_the_date_are_dated_and_others_are_not() {
        let library = library();
        assert!(library.lib.contains("future"));
        assert!(!library.lib.contains("days_between"));
        assert!(!library.lib.contains("items"));
        assert!(library.index.is_empty());
    }

    const RULES: &str =
        "package opsgate.rules.demo\n\nimport rego.v1\n\nimport data.opsgate.lib\n\n\
        _tests := [t | some t in input.artifact.spec.tests; not lib.future(t.date)]\n\n\
        # input.as_of in a comment line is no dependency\n\
        _spec := input.artifact.spec\n\n\
        deny contains lib.finding(\"DEM-001\", \"/spec\", \"no owner\") if {\n\
        \tnot _spec.owner\n}\n\n\
        deny contains lib.finding(\"DEM-002\", \"/spec/tests\", \"no past test\") if {\n\
        \tcount(_tests) == 0\n}\n\n\
        deny contains lib.finding_with(\"DEM-002\", \"/spec\", \"stale\", []) if {\n\
        \t_spec.stale\n}\n\n\
        deny contains lib.finding(\"DEM-003\", \"/spec/slas_of_release\", \"x\") if {\n\
        \t_spec._slas_of_release\n}\n";

    fn heads(text: &str) -> Vec<&str> {
        text.lines()
            .filter(|l| l.starts_with("deny"))
            .map(|l| l.split_once(" contains").map_or(l, |(h, _)| h))
            .collect()
    }

    #[test]
    fn dated_bodies_are_renamed_one_by_one_and_lines_are_kept() {
        let split = split(RULES, &library());
        assert_eq!(split.dated, Dated::Split { undated: true });
        assert_eq!(split.text.lines().count(), RULES.lines().count());
        // DEM-002's first body reads the date, its second does not: they split.
        assert_eq!(heads(&split.text), ["deny", "deny_dated", "deny", "deny"]);
    }

    #[test]
    fn a_package_that_never_reads_the_date_is_unchanged() {
        let text = RULES.replace("not lib.future(t.date)", "t.ok");
        let split = split(&text, &library());
        assert_eq!(split.dated, Dated::None);
        assert_eq!(split.text, text);
    }

    #[test]
    fn the_whole_input_is_dated_and_foreign_references_date_the_package() {
        let whole_input = RULES
            .replace("t.date)]", "t.date)]\n\nwhole := input\n")
            .replace("not _spec.owner", "not _spec.owner\n\twhole");
        let split_input = split(&whole_input, &library());
        assert_eq!(
            heads(&split_input.text),
            ["deny_dated", "deny_dated", "deny", "deny"]
        );
        let foreign = RULES.replace("not _spec.owner", "not data.opsgate.rules.other.x");
        assert_eq!(split(&foreign, &library()).dated, Dated::Whole);
    }

    #[test]
    fn a_computed_code_splits_by_whether_its_body_reads_the_date() {
        let computed = format!(
            "{RULES}\ndeny contains lib.finding(code, \"\", \"\") if code := \"DEM-9\"\n\n\
             deny contains lib.finding(code, \"\", \"\") if {{\n\tcode := \"DEM-8\"\n\tinput.as_of\n}}\n"
        );
        let split = split(&computed, &library());
        assert_eq!(split.dated, Dated::Split { undated: true });
        assert_eq!(
            heads(&split.text),
            ["deny", "deny_dated", "deny", "deny", "deny", "deny_dated"]
        );
    }
}
