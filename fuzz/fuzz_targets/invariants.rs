//! What must hold for any input, shared by the fuzz targets.
//!
//! Every location opsgate reports ends up in miette (which slices the file text by byte offset), in
//! SARIF and in editor annotations, so a position outside the input, or one whose line and column
//! disagree with its offset, is a bug whatever the input was.

use opsgate::finding::Finding;
use opsgate::load::position::{escape_token, Position, TextRange};
use opsgate::load::{LoadLimits, Loaded, Source};
use opsgate::model::{Artifact, Workspace};

/// The name the single fuzzed file is loaded under.
pub const DISPLAY: &str = "fuzz.yaml";

/// Loads `bytes` as one file, exactly as the CLI loads a file read from disk.
pub fn load(bytes: &[u8]) -> Loaded {
    opsgate::load::load_sources(
        vec![Source {
            display: DISPLAY.into(),
            path: DISPLAY.into(),
            content: Ok(bytes.to_vec()),
        }],
        LoadLimits::default(),
    )
}

/// The fuzzed input, with what positions are checked against.
pub struct Input<'a> {
    bytes: &'a [u8],
    text: Option<&'a str>,
}

impl<'a> Input<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        let text = std::str::from_utf8(bytes).ok();
        Input { bytes, text }
    }

    /// A position lies in the input, on a character boundary, and its line and column name the
    /// same place as its byte offset.
    pub fn check_position(&self, what: &str, pos: Position) {
        let len = self.bytes.len();
        assert!(
            pos.offset <= len,
            "{what}: offset {} past the end ({len} bytes): {pos:?}",
            pos.offset
        );
        assert!(pos.line >= 1, "{what}: line 0: {pos:?}");
        assert!(pos.column >= 1, "{what}: column 0: {pos:?}");
        let Some(text) = self.text else {
            // Only the encoding finding is located in a file that is not UTF-8.
            return;
        };
        assert!(
            text.is_char_boundary(pos.offset),
            "{what}: offset {} is inside a UTF-8 character: {pos:?}",
            pos.offset
        );
        let (line, columns) = line_column(text, pos.offset);
        assert_eq!(
            pos.line, line,
            "{what}: line {} but offset {} is on line {line}: {pos:?}",
            pos.line, pos.offset
        );
        assert!(
            columns.contains(&pos.column),
            "{what}: column {} but offset {} is at column {columns:?}: {pos:?}",
            pos.column,
            pos.offset
        );
    }

    pub fn check_range(&self, what: &str, range: TextRange) {
        self.check_position(&format!("{what} (start)"), range.start);
        self.check_position(&format!("{what} (end)"), range.end);
        assert!(
            range.start.offset <= range.end.offset,
            "{what}: range ends before it starts: {range:?}"
        );
    }

    pub fn check_findings(&self, findings: &[Finding]) {
        for finding in findings {
            let what = format!("finding {} `{}`", finding.code, finding.message);
            if let Some(file) = &finding.file {
                assert_eq!(file, DISPLAY, "{what}: names a file that was not loaded");
            }
            if let Some(range) = finding.range {
                assert!(finding.file.is_some(), "{what}: has a range but no file");
                self.check_range(&what, range);
            }
            if let Some((range, _)) = &finding.secondary {
                self.check_range(&format!("{what} (secondary)"), *range);
            }
            for related in &finding.related {
                if let Some(line) = related.line {
                    assert!(line >= 1, "{what}: related line 0");
                }
            }
        }
    }

    /// The workspace holds at most the one file, with the input as its text, and every artifact's
    /// positions lie inside it.
    pub fn check_workspace(&self, workspace: &Workspace) {
        assert!(
            workspace.files.len() <= 1,
            "one input, {} files",
            workspace.files.len()
        );
        if let Some(file) = workspace.files.first() {
            assert_eq!(file.display, DISPLAY);
            assert_eq!(
                Some(&*file.text),
                self.text,
                "file text differs from the input"
            );
        }
        for (id, &at) in &workspace.by_id {
            assert_eq!(
                &workspace.artifacts[at].id, id,
                "id index points at another artifact"
            );
        }
        for artifact in &workspace.artifacts {
            assert!(
                artifact.file < workspace.files.len(),
                "artifact {} has no file",
                artifact.id
            );
            self.check_artifact(artifact);
        }
    }

    fn check_artifact(&self, artifact: &Artifact) {
        let what = format!("artifact {} (document {})", artifact.id, artifact.document);
        self.check_range(&format!("{what} start"), artifact.start);
        // `PositionIndex` cannot be iterated, so every pointer of the value is looked up instead,
        // plus the `/?` entries the loader records for collection keys.
        let mut pointers = Vec::new();
        collect_pointers(&artifact.value, String::new(), &mut pointers);
        for pointer in &pointers {
            if let Some(spans) = artifact.positions.get(pointer) {
                if let Some(key) = spans.key {
                    self.check_range(&format!("{what} key of `{pointer}`"), key);
                }
                self.check_range(&format!("{what} value of `{pointer}`"), spans.value);
            }
            let complex = format!("{pointer}/?");
            if let Some(spans) = artifact.positions.get(&complex) {
                self.check_range(&format!("{what} `{complex}`"), spans.value);
            }
            let (_, range) = artifact.locate(pointer);
            self.check_range(&format!("{what} located `{pointer}`"), range);
        }
        // The root of a document is always recorded.
        assert!(
            artifact.positions.get("").is_some(),
            "{what}: no position for the document root"
        );
    }
}

/// Line (1-based) of a byte offset, with YAML's line breaks (`\n`, `\r\n`, `\r`), and the columns
/// (1-based, in characters) that may name it. A byte-order mark at the start of a line is a column
/// or not depending on how saphyr read it (skipped as a document prefix, or part of a scalar), so
/// the columns range from not counting such marks to counting them.
fn line_column(text: &str, offset: usize) -> (usize, std::ops::RangeInclusive<usize>) {
    let before = &text[..offset];
    let mut line = 1;
    let mut column = 1;
    let mut leading_marks = 0;
    let mut line_start = true;
    for (at, c) in before.char_indices() {
        match c {
            '\n' => {
                line += 1;
                column = 1;
                leading_marks = 0;
                line_start = true;
                continue;
            }
            '\r' => {
                // `\r\n` is one break, counted at its `\n` (which may lie past `offset`).
                if !text[at + 1..].starts_with('\n') {
                    line += 1;
                    column = 1;
                    leading_marks = 0;
                    line_start = true;
                }
                continue;
            }
            '\u{feff}' if line_start => leading_marks += 1,
            _ => line_start = false,
        }
        column += 1;
    }
    (line, column - leading_marks..=column)
}

fn collect_pointers(value: &serde_json::Value, pointer: String, out: &mut Vec<String>) {
    if let Some(map) = value.as_object() {
        for (key, child) in map {
            collect_pointers(child, format!("{pointer}/{}", escape_token(key)), out);
        }
    } else if let Some(items) = value.as_array() {
        for (index, child) in items.iter().enumerate() {
            collect_pointers(child, format!("{pointer}/{index}"), out);
        }
    }
    out.push(pointer);
}
