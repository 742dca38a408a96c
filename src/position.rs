//! Source positions: where a value of a document sits in its file. The lowest layer: findings,
//! the model and the loader all speak in these types, and this module depends on none of them.
//!
//! Every diagnostic opsgate prints lands on a line and column, so the loader records, for each JSON
//! pointer of a document, the span of its key (for mapping entries) and of its value. Schema errors
//! and policy findings then only name a pointer and are located here.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// A position in a file: byte offset (for miette), 1-based line and 1-based column in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub struct Position {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

/// A half-open range of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub struct TextRange {
    pub start: Position,
    pub end: Position,
}

impl TextRange {
    pub fn len(&self) -> usize {
        self.end.offset.saturating_sub(self.start.offset)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Where one node of a document is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeSpans {
    /// The mapping key that introduces the node, when the node is a mapping value.
    pub key: Option<TextRange>,
    /// The node itself (for collections: where it starts).
    pub value: TextRange,
}

impl NodeSpans {
    /// The span a diagnostic about this node should underline: scalars by their value, collections by
    /// the key that names them (a whole block mapping is too large to label usefully).
    pub fn label(&self, is_collection: bool) -> TextRange {
        match (is_collection, self.key) {
            (true, Some(key)) => key,
            _ => self.value,
        }
    }
}

/// JSON pointer → spans, for one document.
///
/// Kept compact because there is one entry per node of every artifact (a 10,000-artifact
/// repository has ~600,000): pointers are stored as 64-bit hashes (a collision among one
/// document's nodes is vanishingly unlikely and would only misplace a diagnostic) and positions as
/// 32-bit numbers (files are far below 4 GiB: the loader refuses anything over its size limit).
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct PositionIndex {
    nodes: HashMap<u64, CompactSpans>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct CompactPosition {
    offset: u32,
    line: u32,
    column: u32,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct CompactRange {
    start: CompactPosition,
    end: CompactPosition,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct CompactSpans {
    key: Option<CompactRange>,
    value: CompactRange,
}

fn narrow(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl From<Position> for CompactPosition {
    fn from(p: Position) -> Self {
        CompactPosition {
            offset: narrow(p.offset),
            line: narrow(p.line),
            column: narrow(p.column),
        }
    }
}

impl From<CompactPosition> for Position {
    fn from(p: CompactPosition) -> Self {
        Position {
            offset: p.offset as usize,
            line: p.line as usize,
            column: p.column as usize,
        }
    }
}

impl From<TextRange> for CompactRange {
    fn from(r: TextRange) -> Self {
        CompactRange {
            start: r.start.into(),
            end: r.end.into(),
        }
    }
}

impl From<CompactRange> for TextRange {
    fn from(r: CompactRange) -> Self {
        TextRange {
            start: r.start.into(),
            end: r.end.into(),
        }
    }
}

/// The hash of the empty pointer (the document root).
pub const ROOT_HASH: u64 = 0x6f70_7367_6174_652f;

/// The hash of the pointer `parent` + `/` + `token` (an escaped reference token), from the hash of
/// `parent`: the loader extends a parent's hash by one token per node, so indexing costs the
/// length of the keys, not of the pointers (100 KB keys nested 58 levels made every leaf's pointer
/// 5.8 MB, and hashing each one whole took a minute).
pub fn child_hash(parent: u64, token: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    parent.hash(&mut hasher);
    token.hash(&mut hasher);
    hasher.finish()
}

fn pointer_hash(pointer: &str) -> u64 {
    match pointer.strip_prefix('/') {
        None if pointer.is_empty() => ROOT_HASH,
        None => child_hash(ROOT_HASH, pointer),
        Some(rest) => rest.split('/').fold(ROOT_HASH, child_hash),
    }
}

impl PositionIndex {
    /// Records where `pointer` is written. The first record stays: a duplicate key keeps its
    /// first value, so it keeps its first position too.
    /// Whether it was recorded (false when the pointer already was).
    pub fn insert(&mut self, pointer: &str, spans: NodeSpans) -> bool {
        self.insert_hashed(pointer_hash(pointer), spans)
    }

    /// [`PositionIndex::insert`] with the pointer given by its hash ([`child_hash`]).
    pub fn insert_hashed(&mut self, hash: u64, spans: NodeSpans) -> bool {
        match self.nodes.entry(hash) {
            std::collections::hash_map::Entry::Occupied(_) => false,
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(CompactSpans {
                    key: spans.key.map(Into::into),
                    value: spans.value.into(),
                });
                true
            }
        }
    }

    pub fn get(&self, pointer: &str) -> Option<NodeSpans> {
        self.nodes
            .get(&pointer_hash(pointer))
            .map(|spans| NodeSpans {
                key: spans.key.map(Into::into),
                value: spans.value.into(),
            })
    }

    /// The spans of `pointer`, or of its nearest ancestor that exists (a missing field is reported
    /// where its parent is written). Returns the pointer actually found.
    pub fn nearest<'p>(&self, pointer: &'p str) -> Option<(&'p str, NodeSpans)> {
        let mut current = pointer;
        loop {
            if let Some(spans) = self.get(current) {
                return Some((current, spans));
            }
            if current.is_empty() {
                return None;
            }
            current = match current.rfind('/') {
                Some(cut) => &current[..cut],
                None => "",
            };
        }
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

/// Escapes one reference token of a JSON pointer (RFC 6901).
pub fn escape_token(token: &str) -> String {
    if token.contains(['~', '/']) {
        token.replace('~', "~0").replace('/', "~1")
    } else {
        token.to_owned()
    }
}
