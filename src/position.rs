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
/// The nodes are a vector sorted by hash, not a hash table: a table of 60 entries takes 128
/// slots, and every artifact keeps its index for the whole run (and the cache stores it). The
/// loader fills a [`PositionBuilder`] and seals it.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(
    try_from = "Vec<(u64, CompactSpans)>",
    into = "Vec<(u64, CompactSpans)>"
)]
pub struct PositionIndex {
    /// Sorted by hash, each hash once.
    nodes: Vec<(u64, CompactSpans)>,
}

impl TryFrom<Vec<(u64, CompactSpans)>> for PositionIndex {
    type Error = &'static str;

    /// Read back (the parse cache): only in the order a sealed index has, so a lookup cannot miss
    /// a node that is there.
    fn try_from(nodes: Vec<(u64, CompactSpans)>) -> Result<Self, Self::Error> {
        match nodes.windows(2).all(|pair| pair[0].0 < pair[1].0) {
            true => Ok(PositionIndex { nodes }),
            false => Err("position index out of order"),
        }
    }
}

impl From<PositionIndex> for Vec<(u64, CompactSpans)> {
    fn from(index: PositionIndex) -> Self {
        index.nodes
    }
}

/// A [`PositionIndex`] while its document is read: a hash table, since the loader asks whether a
/// key was seen as it goes.
#[derive(Debug, Default)]
pub struct PositionBuilder {
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

impl PositionBuilder {
    /// Records where `pointer` is written. The first record stays: a duplicate key keeps its
    /// first value, so it keeps its first position too.
    /// Whether it was recorded (false when the pointer already was).
    pub fn insert(&mut self, pointer: &str, spans: NodeSpans) -> bool {
        self.insert_hashed(pointer_hash(pointer), spans)
    }

    /// [`PositionBuilder::insert`] with the pointer given by its hash ([`child_hash`]).
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
        self.nodes.get(&pointer_hash(pointer)).map(|s| s.spans())
    }

    /// The index of the document read.
    pub fn seal(self) -> PositionIndex {
        let mut nodes: Vec<(u64, CompactSpans)> = self.nodes.into_iter().collect();
        nodes.sort_unstable_by_key(|(hash, _)| *hash);
        PositionIndex { nodes }
    }
}

impl CompactSpans {
    fn spans(&self) -> NodeSpans {
        NodeSpans {
            key: self.key.map(Into::into),
            value: self.value.into(),
        }
    }
}

impl PositionIndex {
    pub fn get(&self, pointer: &str) -> Option<NodeSpans> {
        let hash = pointer_hash(pointer);
        let at = self.nodes.binary_search_by_key(&hash, |(h, _)| *h).ok()?;
        self.nodes.get(at).map(|(_, s)| s.spans())
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

/// For tests: a node at `line` (offset `line * 10`, column 1), with no key.
#[cfg(test)]
pub(crate) fn node_at(line: usize) -> NodeSpans {
    let pos = Position {
        offset: line * 10,
        line,
        column: 1,
    };
    NodeSpans {
        key: None,
        value: TextRange {
            start: pos,
            end: pos,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::node_at as at;
    use super::*;

    /// The sealed index finds every node the builder took (the first record of a pointer), and
    /// reads back from the cache's format only in sealed order.
    #[test]
    fn a_sealed_index_finds_every_node_and_reads_back_only_sorted() {
        let mut builder = PositionBuilder::default();
        let pointers: Vec<String> = (0..200).map(|i| format!("/spec/items/{i}")).collect();
        for (line, pointer) in pointers.iter().enumerate() {
            assert!(builder.insert(pointer, at(line + 1)));
        }
        assert!(
            !builder.insert("/spec/items/7", at(999)),
            "the first record stays"
        );
        let index = builder.seal();
        for (line, pointer) in pointers.iter().enumerate() {
            assert_eq!(
                index.get(pointer).map(|s| s.value.start.line),
                Some(line + 1)
            );
        }
        assert_eq!(index.get("/spec/items/200"), None);
        let bytes = postcard::to_stdvec(&index).unwrap();
        let back: PositionIndex = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(
            back.get("/spec/items/150").map(|s| s.value.start.line),
            Some(151)
        );
        let mut nodes: Vec<(u64, CompactSpans)> = index.into();
        nodes.swap(0, 1);
        let unsorted = postcard::to_stdvec(&nodes).unwrap();
        assert!(postcard::from_bytes::<PositionIndex>(&unsorted).is_err());
    }
}
