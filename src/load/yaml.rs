//! YAML text → JSON values with a position index, one pass over saphyr's event stream.
//!
//! Building the value ourselves (rather than through a generic YAML tree) is what lets opsgate keep
//! positions for every pointer, apply YAML 1.2 core-schema scalars (`no` stays a string), refuse
//! what has no place in an artifact (tags, merge keys, duplicate keys), and bound alias expansion and
//! nesting so hostile input cannot exhaust memory or stack.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use serde_json::{Map, Number, Value};

use super::position::{
    child_hash, escape_token, NodeSpans, OffsetMap, PositionBuilder, PositionIndex, TextRange,
    ROOT_HASH,
};

/// Bounds that keep a hostile document from costing more than a legitimate one ever would.
#[derive(Debug, Clone, Copy)]
pub struct YamlLimits {
    /// Nodes that alias expansion may produce in one file (billion-laughs defence).
    pub alias_nodes: usize,
    /// Bytes of text that alias expansion may copy in one file: a few nodes can be huge (one
    /// 1 MiB string aliased 1,600 times took 3.2 GiB).
    pub alias_bytes: usize,
    /// Deepest nesting of collections.
    pub max_depth: usize,
    /// Most documents in one file.
    pub max_documents: usize,
}

impl Default for YamlLimits {
    fn default() -> Self {
        YamlLimits {
            alias_nodes: 10_000,
            alias_bytes: 4 * 1024 * 1024,
            max_depth: 64,
            max_documents: 10_000,
        }
    }
}

/// A problem that makes one document unusable; reported only if the document is an artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentProblem {
    pub kind: ProblemKind,
    pub message: String,
    pub range: TextRange,
    /// A second place involved (e.g. the first occurrence of a duplicated key).
    pub related: Option<TextRange>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    DuplicateKey,
    Tag,
    MergeKey,
    ComplexKey,
}

/// One parsed YAML document.
#[derive(Debug)]
pub struct YamlDocument {
    pub value: Value,
    pub positions: PositionIndex,
    /// Where the document starts (its first node).
    pub start: TextRange,
    pub problems: Vec<DocumentProblem>,
    /// Decided foreign from its top-level scalars and never built (`value` is null).
    pub skipped: bool,
}

impl YamlDocument {
    /// A document decided foreign before it was built.
    fn skipped() -> YamlDocument {
        YamlDocument {
            value: Value::Null,
            positions: PositionIndex::default(),
            start: TextRange::default(),
            problems: Vec::new(),
            skipped: true,
        }
    }
}

/// A failure that stops reading the rest of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FatalYamlError {
    pub kind: FatalKind,
    pub message: String,
    pub range: TextRange,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FatalKind {
    Syntax,
    AliasBudget,
    TooDeep,
    TooManyDocuments,
}

/// The documents of a file read before any fatal error, and that error if one occurred.
#[derive(Debug)]
pub struct ParsedYaml {
    pub documents: Vec<YamlDocument>,
    pub fatal: Option<FatalYamlError>,
}

/// Parses every document of `text`. `shift` is the number of bytes stripped before `text` (a BOM).
pub fn parse(text: &str, shift: usize, limits: YamlLimits) -> ParsedYaml {
    parse_filtered(text, shift, limits, |_| true)
}

/// Files larger than this are read twice when they might hold another tool's documents: first
/// only their top-level scalars, so a foreign document is skipped before it is built (one with a
/// million keys cost 1.4 GiB to build and throw away). Smaller files cost little either way.
const SCREEN_ABOVE_BYTES: usize = 64 * 1024;

/// [`parse`], building only the documents whose top-level scalars (`{key: scalar}` of the root
/// mapping, a cheap first read) `wanted` accepts; the others come back as
/// [`YamlDocument::skipped`]. Files under [`SCREEN_ABOVE_BYTES`] are built whole.
pub fn parse_filtered(
    text: &str,
    shift: usize,
    limits: YamlLimits,
    wanted: fn(&Value) -> bool,
) -> ParsedYaml {
    let skip: Vec<bool> = if text.len() > SCREEN_ABOVE_BYTES {
        let (roots, complete) = top_level_scalars(text);
        let skip: Vec<bool> = roots.iter().map(|root| !wanted(root)).collect();
        if complete && skip.iter().all(|s| *s) && skip.len() <= limits.max_documents {
            // Nothing in the file is wanted and it all read: no second pass.
            return ParsedYaml {
                documents: skip.iter().map(|_| YamlDocument::skipped()).collect(),
                fatal: None,
            };
        }
        skip
    } else {
        Vec::new()
    };
    let parsed = parse_with(text, &OffsetMap::new(text, shift), limits, &skip);
    // saphyr-parser 0.3 refuses a UTF-16 surrogate pair (`"\uD83D\uDE00"`, valid JSON and YAML);
    // the same character as one `\U` escape reads, and positions are mapped back.
    let surrogates = parsed.fatal.as_ref().is_some_and(|f| {
        f.kind == FatalKind::Syntax && f.message.contains("invalid Unicode character escape")
    });
    if surrogates {
        if let Some((rewritten, rewrites)) = join_surrogate_escapes(text) {
            let offsets = OffsetMap::with_rewrites(text, shift, rewrites);
            return parse_with(&rewritten, &offsets, limits, &skip);
        }
    }
    parsed
}

fn parse_with(text: &str, offsets: &OffsetMap, limits: YamlLimits, skip: &[bool]) -> ParsedYaml {
    let mut builder = Builder::new(offsets, limits, skip);
    let mut fatal = None;
    for event in Parser::new_from_str(text) {
        let step = match event {
            Ok((event, span)) => builder.on_event(event, span),
            Err(error) => {
                let pos = offsets.position(error.marker());
                // The parser's own guard against deep flow nesting can fire before our depth limit.
                let kind = if error.info().contains("recursion limit") {
                    FatalKind::TooDeep
                } else {
                    FatalKind::Syntax
                };
                Err(FatalYamlError {
                    kind,
                    message: error.info().to_owned(),
                    range: TextRange {
                        start: pos,
                        end: pos,
                    },
                })
            }
        };
        if let Err(error) = step {
            fatal = Some(error);
            break;
        }
    }
    ParsedYaml {
        documents: builder.documents,
        fatal,
    }
}

/// For each document, the scalar entries of its root mapping (an empty object for any other
/// root), read from the event stream without building anything else; and whether the whole text
/// read (false when it stopped at a syntax error).
fn top_level_scalars(text: &str) -> (Vec<Value>, bool) {
    let mut roots = Vec::new();
    let mut depth = 0usize;
    let mut root_is_mapping = false;
    let mut key: Option<String> = None;
    let mut expect_key = true;
    for event in Parser::new_from_str(text) {
        let Ok((event, _)) = event else {
            return (roots, false);
        };
        match event {
            Event::DocumentStart(_) => {
                roots.push(Value::Object(Map::new()));
                depth = 0;
                root_is_mapping = false;
                expect_key = true;
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if depth == 0 {
                    root_is_mapping = matches!(event, Event::MappingStart(..));
                } else if depth == 1 && root_is_mapping {
                    // A collection value (or key) at the top level: the entry is done.
                    expect_key = !expect_key;
                    key = None;
                }
                depth += 1;
            }
            Event::MappingEnd | Event::SequenceEnd => depth = depth.saturating_sub(1),
            Event::Scalar(value, style, ..) if depth == 1 && root_is_mapping => {
                if expect_key {
                    key = Some(value.into_owned());
                } else if let (Some(k), Some(Value::Object(map))) = (key.take(), roots.last_mut()) {
                    map.entry(k).or_insert(resolve_scalar(&value, style));
                }
                expect_key = !expect_key;
            }
            Event::Alias(_) if depth == 1 && root_is_mapping => {
                expect_key = !expect_key;
                key = None;
            }
            _ => {}
        }
    }
    (roots, true)
}

/// `text` with each escaped UTF-16 surrogate pair (`\uD83D\uDE00`) written as one `\U0001F600`
/// escape, and where that shortened which lines; `None` when there is none. A backslash that is
/// itself escaped (`\\uD83D`) starts no escape and is left alone.
/// (line, column in the rewritten text, characters removed): see `OffsetMap::with_rewrites`.
type Rewrite = (usize, usize, usize);

fn join_surrogate_escapes(text: &str) -> Option<(String, Vec<Rewrite>)> {
    let bytes = text.as_bytes();
    let hex4 = |at: usize| -> Option<u32> {
        let digits = text.get(at..at + 4)?;
        digits
            .bytes()
            .all(|b| b.is_ascii_hexdigit())
            .then(|| u32::from_str_radix(digits, 16).ok())
            .flatten()
    };
    let mut out = String::with_capacity(text.len());
    let mut rewrites = Vec::new();
    let (mut line, mut column, mut copied, mut at) = (1usize, 0usize, 0usize, 0usize);
    while at < bytes.len() {
        let b = bytes[at];
        if b == b'\\' {
            let high = (bytes.get(at + 1) == Some(&b'u'))
                .then(|| hex4(at + 2))
                .flatten();
            let low = (bytes.get(at + 6) == Some(&b'\\') && bytes.get(at + 7) == Some(&b'u'))
                .then(|| hex4(at + 8))
                .flatten();
            if let (Some(high @ 0xD800..=0xDBFF), Some(low @ 0xDC00..=0xDFFF)) = (high, low) {
                let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                out.push_str(&text[copied..at]);
                let escape = format!("\\U{code:08X}");
                rewrites.push((line, column, 12 - escape.len()));
                column += escape.chars().count();
                out.push_str(&escape);
                at += 12;
                copied = at;
                continue;
            }
            // An escaped backslash: the next one starts nothing.
            if bytes.get(at + 1) == Some(&b'\\') {
                column += 2;
                at += 2;
                continue;
            }
        }
        if b == b'\n' {
            line += 1;
            column = 0;
        } else if b & 0xC0 != 0x80 {
            column += 1;
        }
        at += 1;
    }
    if rewrites.is_empty() {
        return None;
    }
    out.push_str(&text[copied..]);
    Some((out, rewrites))
}

/// `key` appended to a JSON pointer, escaped only when it must be (most keys need no copy).
fn push_token(path: &mut String, key: &str) {
    if key.contains(['~', '/']) {
        path.push_str(&escape_token(key));
    } else {
        path.push_str(key);
    }
}

/// The problem of a collection used as a mapping key.
fn complex_key(range: TextRange) -> DocumentProblem {
    DocumentProblem {
        kind: ProblemKind::ComplexKey,
        message: "mapping keys must be plain strings, not collections".into(),
        range,
        related: None,
    }
}

enum Frame {
    Sequence {
        items: Vec<Value>,
        /// The frame's pointer is `Builder::path[..pointer_len]`; `hash` is its hash.
        pointer_len: usize,
        hash: u64,
        anchor: usize,
        shadowed: bool,
    },
    Mapping {
        entries: Map<String, Value>,
        /// The frame's pointer is `Builder::path[..pointer_len]`; `hash` is its hash.
        pointer_len: usize,
        hash: u64,
        anchor: usize,
        /// The key read, waiting for its value.
        pending_key: Option<(String, TextRange)>,
        /// Inside the value of a duplicate key (dropped; the position index holds the first
        /// value's nodes), so this mapping's keys are remembered here for its own duplicates.
        shadowed: bool,
        own_keys: Vec<(String, TextRange)>,
    },
}

impl Frame {
    fn shadowed(&self) -> bool {
        match self {
            Frame::Sequence { shadowed, .. } | Frame::Mapping { shadowed, .. } => *shadowed,
        }
    }
}

struct Anchored {
    value: Value,
    nodes: usize,
    bytes: usize,
}

struct Builder<'o> {
    offsets: &'o OffsetMap,
    limits: YamlLimits,
    documents: Vec<YamlDocument>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    alias_budget: usize,
    alias_bytes: usize,
    positions: PositionBuilder,
    /// The pointer of the node being built: each frame owns a prefix, children extend it. One
    /// buffer instead of a string per node (there are ~60 nodes per artifact).
    path: String,
    problems: Vec<DocumentProblem>,
    doc_start: Option<TextRange>,
    root: Option<Value>,
    /// Documents (by index) decided foreign before they were built: their events are ignored.
    skip: &'o [bool],
    skipping: bool,
}

impl<'o> Builder<'o> {
    fn new(offsets: &'o OffsetMap, limits: YamlLimits, skip: &'o [bool]) -> Self {
        Builder {
            offsets,
            limits,
            documents: Vec::new(),
            stack: Vec::new(),
            anchors: HashMap::new(),
            alias_budget: limits.alias_nodes,
            alias_bytes: limits.alias_bytes,
            positions: PositionBuilder::default(),
            path: String::new(),
            problems: Vec::new(),
            doc_start: None,
            root: None,
            skip,
            skipping: false,
        }
    }

    /// One event of saphyr's stream. A dispatch table: each kind of event has its own method.
    fn on_event(&mut self, event: Event<'_>, span: Span) -> Result<(), FatalYamlError> {
        let range = self.offsets.range(&span);
        match event {
            Event::DocumentStart(_) => self.start_document(range)?,
            Event::DocumentEnd => self.finish_document(range),
            _ if self.skipping => {}
            Event::Scalar(text, style, anchor, tag) => {
                self.refuse_tag(tag.as_deref(), range);
                self.push_scalar(&text, style, range, anchor)?;
            }
            Event::SequenceStart(anchor, tag) => {
                self.refuse_tag(tag.as_deref(), range);
                self.open_collection(anchor, false, range)?;
            }
            Event::MappingStart(anchor, tag) => {
                self.refuse_tag(tag.as_deref(), range);
                self.open_collection(anchor, true, range)?;
            }
            Event::SequenceEnd | Event::MappingEnd => self.close_collection(),
            Event::Alias(anchor) => self.push_alias(anchor, range)?,
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }

    /// A new document: fresh per-document state, unless the file already holds too many.
    fn start_document(&mut self, range: TextRange) -> Result<(), FatalYamlError> {
        if self.documents.len() >= self.limits.max_documents {
            return Err(FatalYamlError {
                kind: FatalKind::TooManyDocuments,
                message: format!(
                    "more than {} documents in one file; the rest were not read",
                    self.limits.max_documents
                ),
                range,
            });
        }
        self.positions = PositionBuilder::default();
        self.problems.clear();
        self.doc_start = None;
        self.root = None;
        self.skipping = self.skip.get(self.documents.len()) == Some(&true);
        Ok(())
    }

    /// A tag on a node is a problem of the document (the node itself is still read).
    fn refuse_tag(&mut self, tag: Option<&saphyr_parser::Tag>, range: TextRange) {
        if let Some(tag) = tag {
            self.problem(
                ProblemKind::Tag,
                format!(
                    "YAML tags are not supported in artifacts (found `{}{}`)",
                    tag.handle, tag.suffix
                ),
                range,
            );
        }
    }

    /// A sequence or mapping starts: a frame is pushed, within the nesting limit.
    fn open_collection(
        &mut self,
        anchor: usize,
        is_mapping: bool,
        range: TextRange,
    ) -> Result<(), FatalYamlError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(FatalYamlError {
                kind: FatalKind::TooDeep,
                message: format!(
                    "nesting deeper than {} levels; artifacts never need this much",
                    self.limits.max_depth
                ),
                range,
            });
        }
        let (fresh, hash) = self.open_child(range, true)?;
        let shadowed = !fresh || self.stack.last().is_some_and(Frame::shadowed);
        let pointer_len = self.path.len();
        self.stack.push(if is_mapping {
            Frame::Mapping {
                entries: Map::new(),
                pointer_len,
                hash,
                anchor,
                pending_key: None,
                shadowed,
                own_keys: Vec::new(),
            }
        } else {
            Frame::Sequence {
                items: Vec::new(),
                pointer_len,
                hash,
                anchor,
                shadowed,
            }
        });
        Ok(())
    }

    /// A sequence or mapping ends: its frame becomes a value of its parent.
    fn close_collection(&mut self) {
        let (value, anchor) = match self.stack.pop() {
            Some(Frame::Sequence { items, anchor, .. }) => (Value::Array(items), anchor),
            Some(Frame::Mapping {
                entries, anchor, ..
            }) => (Value::Object(entries), anchor),
            None => return,
        };
        self.remember_anchor(anchor, &value);
        self.attach(value);
    }

    /// An alias: a copy of its anchored value, paid for from the alias budgets (an unknown anchor
    /// is ignored: the parser has already refused it).
    fn push_alias(&mut self, anchor: usize, range: TextRange) -> Result<(), FatalYamlError> {
        let Some(anchored) = self.anchors.get(&anchor) else {
            return Ok(());
        };
        if anchored.nodes > self.alias_budget {
            return Err(FatalYamlError {
                kind: FatalKind::AliasBudget,
                message: format!(
                    "aliases expand to more than {} nodes (a \"billion laughs\" document?)",
                    self.limits.alias_nodes
                ),
                range,
            });
        }
        if anchored.bytes > self.alias_bytes {
            return Err(FatalYamlError {
                kind: FatalKind::AliasBudget,
                message: format!(
                    "aliases expand to more than {} bytes of text; write the values out",
                    self.limits.alias_bytes
                ),
                range,
            });
        }
        self.alias_budget -= anchored.nodes;
        self.alias_bytes -= anchored.bytes;
        let value = anchored.value.clone();
        if self.awaits_key() {
            self.push_alias_key(value, range);
            return Ok(());
        }
        self.open_child(range, false)?;
        self.attach(value);
        Ok(())
    }

    /// An alias in a key's place: a string names the key, another scalar its text, a collection
    /// is refused.
    fn push_alias_key(&mut self, value: Value, range: TextRange) {
        let key = match value {
            Value::String(key) => key,
            Value::Array(_) | Value::Object(_) => {
                self.problem(
                    ProblemKind::ComplexKey,
                    "mapping keys must be plain strings, not collections".into(),
                    range,
                );
                "?".to_owned()
            }
            scalar => scalar.to_string(),
        };
        self.push_key(key, range);
    }

    fn problem(&mut self, kind: ProblemKind, message: String, range: TextRange) {
        self.problems.push(DocumentProblem {
            kind,
            message,
            range,
            related: None,
        });
    }

    /// Whether the next node is a mapping key.
    fn awaits_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame::Mapping {
                pending_key: None,
                ..
            })
        )
    }

    /// A scalar arrives: it is either a mapping key or a value.
    fn push_scalar(
        &mut self,
        raw: &str,
        style: ScalarStyle,
        range: TextRange,
        anchor: usize,
    ) -> Result<(), FatalYamlError> {
        if self.awaits_key() {
            let key = raw.to_owned();
            if anchor != 0 {
                // An alias may name a key (`&k name: …` then `*k : …`).
                self.remember_anchor(anchor, &Value::String(key.clone()));
            }
            self.push_key(key, range);
            return Ok(());
        }
        let value = resolve_scalar(raw, style);
        self.open_child(range, false)?;
        self.remember_anchor(anchor, &value);
        self.attach(value);
        Ok(())
    }

    /// A mapping key arrives: checked for merge keys and duplicates, then waits for its value.
    fn push_key(&mut self, key: String, range: TextRange) {
        let Some(Frame::Mapping {
            pending_key,
            entries,
            pointer_len,
            shadowed,
            own_keys,
            ..
        }) = self.stack.last_mut()
        else {
            return;
        };
        if key == "<<" {
            self.problems.push(DocumentProblem {
                kind: ProblemKind::MergeKey,
                message: "merge keys (`<<`) are not supported: write the fields out".to_owned(),
                range,
                related: None,
            });
        } else if entries.contains_key(&key) {
            let parent = &self.path[..*pointer_len];
            // Every earlier key of this mapping is in `entries` by now; its span is in the position
            // index, or, inside a duplicate's dropped value, in the frame's own list.
            let first = if *shadowed {
                own_keys.iter().find(|(k, _)| *k == key).map(|(_, r)| *r)
            } else {
                self.positions
                    .get(&format!("{parent}/{}", escape_token(&key)))
                    .and_then(|spans| spans.key)
            }
            .unwrap_or(range);
            let message = format!(
                "duplicate key `{key}` in {} (first defined on line {})",
                if parent.is_empty() { "/" } else { parent },
                first.start.line
            );
            self.problems.push(DocumentProblem {
                kind: ProblemKind::DuplicateKey,
                message,
                range,
                related: Some(first),
            });
        } else if *shadowed {
            own_keys.push((key.clone(), range));
        }
        *pending_key = Some((key, range));
    }

    /// Records the position of a node about to be added; `path` is then its pointer. False when
    /// an earlier node holds that pointer (the node is inside a duplicate key's dropped value).
    fn open_child(
        &mut self,
        range: TextRange,
        is_collection: bool,
    ) -> Result<(bool, u64), FatalYamlError> {
        use std::fmt::Write as _;
        let (key, hash) = match self.stack.last() {
            None => {
                self.doc_start.get_or_insert(range);
                self.path.clear();
                (None, ROOT_HASH)
            }
            Some(Frame::Sequence {
                items,
                pointer_len,
                hash,
                ..
            }) => {
                self.path.truncate(*pointer_len);
                let _ = write!(self.path, "/{}", items.len());
                (None, child_hash(*hash, &self.path[*pointer_len + 1..]))
            }
            Some(Frame::Mapping {
                pointer_len,
                pending_key,
                hash,
                ..
            }) => {
                self.path.truncate(*pointer_len);
                self.path.push('/');
                let key = match pending_key {
                    Some((key, key_range)) => {
                        push_token(&mut self.path, key);
                        Some(*key_range)
                    }
                    None => {
                        // A collection in a key's place (`? [a, b]`): refused, its nodes
                        // indexed under `?`.
                        if is_collection {
                            self.problems.push(complex_key(range));
                        }
                        self.path.push('?');
                        None
                    }
                };
                (key, child_hash(*hash, &self.path[*pointer_len + 1..]))
            }
        };
        let fresh = self
            .positions
            .insert_hashed(hash, NodeSpans { key, value: range });
        Ok((fresh, hash))
    }

    fn remember_anchor(&mut self, anchor: usize, value: &Value) {
        if anchor != 0 {
            self.anchors.insert(
                anchor,
                Anchored {
                    value: value.clone(),
                    nodes: count_nodes(value),
                    bytes: count_bytes(value),
                },
            );
        }
    }

    /// Adds a finished node to its parent (or makes it the document root).
    fn attach(&mut self, value: Value) {
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame::Sequence { items, .. }) => items.push(value),
            Some(Frame::Mapping {
                entries,
                pending_key,
                ..
            }) => match pending_key.take() {
                Some((key, _)) => {
                    // A duplicate keeps its first value; the duplicate itself is a reported problem.
                    entries.entry(key).or_insert(value);
                }
                // A collection used as a key: already reported, its value is dropped.
                None => *pending_key = Some((String::from("?"), TextRange::default())),
            },
        }
    }

    fn finish_document(&mut self, end: TextRange) {
        let value = self.root.take().unwrap_or(Value::Null);
        let start = self.doc_start.take().unwrap_or(end);
        self.documents.push(YamlDocument {
            value,
            positions: std::mem::take(&mut self.positions).seal(),
            start,
            problems: std::mem::take(&mut self.problems),
            skipped: std::mem::take(&mut self.skipping),
        });
    }
}

fn count_nodes(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(count_nodes).sum::<usize>(),
        _ => 1,
    }
}

/// The text an expansion of `value` copies: its strings and keys, and a few bytes per node.
fn count_bytes(value: &Value) -> usize {
    const NODE: usize = 8;
    match value {
        Value::String(text) => NODE + text.len(),
        Value::Array(items) => NODE + items.iter().map(count_bytes).sum::<usize>(),
        Value::Object(map) => {
            NODE + map
                .iter()
                .map(|(k, v)| k.len() + count_bytes(v))
                .sum::<usize>()
        }
        _ => NODE,
    }
}

/// YAML 1.2 core schema: only plain scalars are typed, and only by these exact spellings.
fn resolve_scalar(text: &str, style: ScalarStyle) -> Value {
    if style != ScalarStyle::Plain {
        return Value::String(text.to_owned());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(number) = resolve_number(text) {
        return Value::Number(number);
    }
    Value::String(text.to_owned())
}

fn resolve_number(text: &str) -> Option<Number> {
    let first = text.as_bytes().first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    if let Some(octal) = text.strip_prefix("0o") {
        return i64::from_str_radix(octal, 8).ok().map(Number::from);
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok().map(Number::from);
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(int) = text.parse::<i64>() {
            return Some(Number::from(int));
        }
        if let Ok(int) = text.parse::<u64>() {
            return Some(Number::from(int));
        }
    }
    if is_core_float(unsigned) {
        // Infinity and NaN have no JSON form; they stay strings and fail type checks visibly.
        return text.parse::<f64>().ok().and_then(Number::from_f64);
    }
    None
}

/// `[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?` or `\.[0-9]+…`, as in the YAML 1.2 core schema.
fn is_core_float(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let (whole, fraction) = match mantissa.find('.') {
        Some(at) => (&mantissa[..at], Some(&mantissa[at + 1..])),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match fraction {
        Some(fraction) => {
            digits(whole) && digits(fraction) && !(whole.is_empty() && fraction.is_empty())
        }
        None => !whole.is_empty() && digits(whole),
    };
    let exponent_ok = match exponent {
        None => true,
        Some(exp) => {
            let exp = exp.strip_prefix(['-', '+']).unwrap_or(exp);
            !exp.is_empty() && digits(exp)
        }
    };
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(text: &str) -> YamlDocument {
        let mut parsed = parse(text, 0, YamlLimits::default());
        assert!(parsed.fatal.is_none(), "{:?}", parsed.fatal);
        parsed.documents.remove(0)
    }

    #[test]
    fn core_schema_keeps_norway_a_string() {
        let doc =
            one("a: no\nb: yes\nc: true\nd: 2026-01-15\ne: 1.5\nf: 0x1F\ng: ~\nh: '12'\ni: 1e3\n");
        assert_eq!(
            doc.value,
            json!({"a":"no","b":"yes","c":true,"d":"2026-01-15","e":1.5,"f":31,"g":null,"h":"12","i":1000.0})
        );
    }

    #[test]
    fn positions_are_recorded_for_keys_and_values() {
        let doc = one("spec:\n  approvals:\n    - approver: p-bob\n      date: 2026-01-02\n");
        let date = doc.positions.get("/spec/approvals/0/date").unwrap();
        assert_eq!(date.value.start.line, 4);
        assert_eq!(date.value.start.column, 13);
        assert_eq!(date.key.unwrap().start.column, 7);
        let approvals = doc.positions.get("/spec/approvals").unwrap();
        assert_eq!(approvals.key.unwrap().start.line, 2);
    }

    #[test]
    fn duplicate_keys_are_problems_naming_the_first() {
        let doc = one("a: 1\nb: 2\na: 3\n");
        assert_eq!(doc.problems.len(), 1);
        assert_eq!(doc.problems[0].kind, ProblemKind::DuplicateKey);
        assert_eq!(doc.problems[0].range.start.line, 3);
        assert!(doc.problems[0].message.contains("line 1"));
        assert_eq!(doc.value["a"], json!(1));
    }

    #[test]
    fn duplicates_inside_a_duplicate_name_their_own_first() {
        let doc = one("a: {x: 1}\na: {x: 2,\n  x: 3}\n");
        let messages: Vec<_> = doc.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages[1].contains("`x`") && messages[1].contains("line 2"),
            "{messages:?}"
        );
        assert_eq!(doc.problems[1].related.unwrap().start.line, 2);
        // The first value stays, and so do its positions.
        assert_eq!(doc.value["a"], json!({"x": 1}));
        assert_eq!(doc.positions.get("/a/x").unwrap().value.start.line, 1);
    }

    #[test]
    fn an_alias_may_name_a_key() {
        let doc = one("&k a: 1\nb: *k\n*k : 2\nc: 3\n");
        assert_eq!(doc.value["b"], json!("a"));
        assert_eq!(doc.value["c"], json!(3));
        // `*k` as a key is `a` again: a duplicate.
        assert_eq!(doc.problems.len(), 1, "{:?}", doc.problems);
        assert_eq!(doc.problems[0].kind, ProblemKind::DuplicateKey);
        let doc = one("x: &c [1]\n*c : 2\n");
        assert_eq!(doc.problems[0].kind, ProblemKind::ComplexKey);
    }

    #[test]
    fn tags_and_merge_keys_are_problems() {
        let doc = one("a: !!binary aGk=\nb: &x {c: 1}\nd:\n  <<: *x\n");
        let kinds: Vec<_> = doc.problems.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, vec![ProblemKind::Tag, ProblemKind::MergeKey]);
    }

    #[test]
    fn aliases_expand_within_budget_and_bombs_stop() {
        let doc = one("a: &x [1, 2]\nb: *x\n");
        assert_eq!(doc.value["b"], json!([1, 2]));

        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..10 {
            let prev = (b'a' + level - 1) as char;
            let name = (b'a' + level) as char;
            bomb.push_str(&format!(
                "{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let parsed = parse(&bomb, 0, YamlLimits::default());
        assert_eq!(parsed.fatal.unwrap().kind, FatalKind::AliasBudget);
    }

    #[test]
    fn deep_nesting_stops_cleanly() {
        let text = format!("{}1{}", "[".repeat(100), "]".repeat(100));
        let parsed = parse(&text, 0, YamlLimits::default());
        assert_eq!(parsed.fatal.unwrap().kind, FatalKind::TooDeep);
        // Far deeper input is refused by the parser's own recursion guard, still without a panic.
        let parsed = parse(&"[".repeat(10_000), 0, YamlLimits::default());
        assert_eq!(parsed.fatal.unwrap().kind, FatalKind::TooDeep);
    }

    #[test]
    fn multiple_documents_and_syntax_errors() {
        let parsed = parse("a: 1\n---\nb: 2\n---\nc: [\n", 0, YamlLimits::default());
        assert_eq!(parsed.documents.len(), 2);
        let fatal = parsed.fatal.unwrap();
        assert_eq!(fatal.kind, FatalKind::Syntax);
        assert!(fatal.range.start.line >= 5);
    }

    #[test]
    fn crlf_lines_are_counted_once() {
        let doc = one("a: 1\r\nb:\r\n  c: 2\r\n");
        assert_eq!(doc.positions.get("/b/c").unwrap().value.start.line, 3);
    }
}
