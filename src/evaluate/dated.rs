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

use std::collections::{HashMap, HashSet};

/// The entry points of a split package: its `deny` bodies renamed by what they read besides the
/// artifact itself (index = [`entry`]). A body that reads neither the date nor another artifact
/// keeps its verdict on an artifact no commit touched, at any date.
pub const ENTRIES: [&str; 4] = ["deny", "deny_dated", "deny_cross", "deny_cross_dated"];

/// The entry of a body that reads the date (`dated`) and/or other artifacts (`cross`).
pub const fn entry(dated: bool, cross: bool) -> usize {
    dated as usize + 2 * cross as usize
}

/// Whether entry `index` of [`ENTRIES`] reads the date / other artifacts.
pub const fn reads(index: usize) -> (bool, bool) {
    (index & 1 != 0, index & 2 != 0)
}

/// How a rules package's `deny` is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dated {
    /// Not split (checks and gates, or what the analysis cannot read): `deny` alone, which may read
    /// the date and other artifacts.
    Whole,
    /// Split: bit `i` set when the package has entry [`ENTRIES`]`[i]`.
    Split(u8),
}

impl Dated {
    /// The entries of the package (indexes into [`ENTRIES`]).
    pub fn entries(self) -> impl Iterator<Item = usize> {
        (0..ENTRIES.len()).filter(move |i| match self {
            Dated::Whole => *i == 0,
            Dated::Split(bits) => bits & (1 << i) != 0,
        })
    }

    /// The bucket of the findings of entry `index`: [`Dated::Whole`]'s `deny` counts as reading
    /// both.
    pub fn bucket(self, index: usize) -> usize {
        match self {
            Dated::Whole => entry(true, true),
            Dated::Split(_) => index,
        }
    }
}

/// A rules package's text as the engine loads it, and how it depends on the date.
#[derive(Debug)]
pub struct Split {
    pub text: String,
    pub dated: Dated,
}

/// The dated and the cross-artifact names of the packages every rules package may call (`lib`,
/// the index package, which is cross-artifact as a whole).
#[derive(Debug, Default)]
pub struct Library {
    lib: HashSet<String>,
    index: HashSet<String>,
    cross_lib: HashSet<String>,
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

/// Reads other artifacts: the inventory, the indexes, the resolved references, the change, the
/// whole `input`.
fn reads_other(body: &str) -> bool {
    const OTHER: [&str; 5] = [
        "data.inventory",
        "data.precomputed_index",
        "data.opsgate.index",
        "input.unresolved_references",
        "input.change",
    ];
    OTHER.iter().any(|name| body.contains(name)) || reads_whole_input(body)
}

/// Mentions `input` other than its artifact fields (which is also how the date is read).
fn reads_whole_input(body: &str) -> bool {
    const FIELDS: [&str; 4] = [".artifact", ".unresolved_references", ".change", ".as_of"];
    body.match_indices("input").any(|(at, _)| {
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
            let before = library.cross_lib.len();
            for block in &lib_blocks {
                if library.cross(&block.body, &library.cross_lib) {
                    library.cross_lib.insert(block.name.to_owned());
                }
            }
            if library.cross_lib.len() == before {
                break;
            }
        }
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

    fn cross(&self, body: &str, local: &HashSet<String>) -> bool {
        reads_other(body)
            || local.iter().any(|name| mentions(body, name))
            || self
                .cross_lib
                .iter()
                .any(|name| body.contains(&format!("lib.{name}")))
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

/// The names of `all`'s non-`deny` rules that `reads` (given those found so far), to a fixpoint.
fn closure(all: &[Block<'_>], reads: impl Fn(&str, &HashSet<String>) -> bool) -> HashSet<String> {
    let mut local: HashSet<String> = HashSet::new();
    loop {
        let before = local.len();
        for block in all.iter().filter(|b| b.name != "deny") {
            if reads(&block.body, &local) {
                local.insert(block.name.to_owned());
            }
        }
        if local.len() == before {
            return local;
        }
    }
}

/// Splits a rules package's `deny` into its entries by body (see the module docs).
pub fn split(text: &str, library: &Library) -> Split {
    if foreign(text) {
        return Split {
            text: text.to_owned(),
            dated: Dated::Whole,
        };
    }
    let all = blocks(text);
    let dated = closure(&all, |body, local| library.dated(body, local));
    let cross = closure(&all, |body, local| library.cross(body, local));
    let renamed: HashMap<usize, usize> = all
        .iter()
        .filter(|b| b.name == "deny")
        .map(|b| {
            let e = entry(
                library.dated(&b.body, &dated),
                library.cross(&b.body, &cross),
            );
            (b.line, e)
        })
        .collect();
    let bits = renamed.values().fold(0u8, |bits, e| bits | 1 << e);
    let mut out = String::with_capacity(text.len() + 16 * renamed.len());
    for (index, line) in text.split_inclusive('\n').enumerate() {
        match renamed.get(&index) {
            Some(&e) if e != 0 => {
                out.push_str(ENTRIES[e]);
                out.push_str(&line["deny".len()..]);
            }
            _ => out.push_str(line),
        }
    }
    Split {
        text: out,
        dated: Dated::Split(bits),
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
        assert_eq!(split.dated, Dated::Split(0b11));
        assert_eq!(split.text.lines().count(), RULES.lines().count());
        // DEM-002's first body reads the date, its second does not: they split.
        assert_eq!(heads(&split.text), ["deny", "deny_dated", "deny", "deny"]);
    }

    #[test]
    fn a_package_that_never_reads_the_date_is_unchanged() {
        let text = RULES.replace("not lib.future(t.date)", "t.ok");
        let split = split(&text, &library());
        assert_eq!(split.dated, Dated::Split(0b1));
        assert_eq!(split.text, text);
    }

    #[test]
    fn the_whole_input_is_dated_and_foreign_references_date_the_package() {
        let whole_input = RULES
            .replace("t.date)]", "t.date)]\n\nwhole := input\n")
            .replace("not _spec.owner", "not _spec.owner\n\twhole");
        let split_input = split(&whole_input, &library());
        // The whole input holds the resolved references too: other artifacts.
        assert_eq!(
            heads(&split_input.text),
            ["deny_cross_dated", "deny_dated", "deny", "deny"]
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
        assert_eq!(split.dated, Dated::Split(0b11));
        assert_eq!(
            heads(&split.text),
            ["deny", "deny_dated", "deny", "deny", "deny", "deny_dated"]
        );
    }

    #[test]
    fn bodies_reading_other_artifacts_are_cross_directly_or_through_a_helper() {
        let text = format!(
            "{RULES}\n_owner := data.inventory.Person[_spec.owner]\n\n\
             deny contains lib.finding(\"DEM-4\", \"\", \"\") if not _owner\n\n\
             deny contains lib.finding(\"DEM-5\", \"\", \"\") if {{\n\
             \tsome r in input.unresolved_references\n\tlib.future(r)\n}}\n"
        );
        let split = split(&text, &library());
        assert_eq!(split.dated, Dated::Split(0b1111));
        assert_eq!(
            heads(&split.text),
            [
                "deny",
                "deny_dated",
                "deny",
                "deny",
                "deny_cross",
                "deny_cross_dated"
            ]
        );
        assert_eq!(Dated::Whole.entries().collect::<Vec<_>>(), [0]);
        assert_eq!(Dated::Whole.bucket(0), entry(true, true));
    }
}
