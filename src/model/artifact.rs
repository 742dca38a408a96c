//! A loaded artifact and the set of them: what every later stage reads.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

use super::Kind;
use crate::position::{PositionIndex, TextRange};

/// A file that holds at least one artifact (or a problem worth reporting).
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path as shown to users: relative to the checked root, `/`-separated.
    pub display: String,
    /// Path on disk.
    pub path: PathBuf,
    /// The text, read once and shared by every diagnostic that quotes it.
    pub text: Arc<str>,
}

/// One opsgate document.
#[derive(Debug, Clone)]
pub struct Artifact {
    /// `metadata.id`, or a placeholder naming the file and document when it is missing (the schema
    /// reports the missing id).
    pub id: String,
    pub has_id: bool,
    pub kind: &'static Kind,
    /// Index into [`Workspace::files`].
    pub file: usize,
    /// 0-based position of the document in its file.
    pub document: usize,
    /// Shared, so that the git gates' base state copies the unchanged artifacts of the head for
    /// the price of a reference count, and can tell them unchanged by identity.
    pub value: Arc<Value>,
    pub positions: Arc<PositionIndex>,
    pub start: TextRange,
}

impl Artifact {
    /// The span a diagnostic about `pointer` should underline, and the pointer actually located
    /// (the nearest existing parent of a missing field).
    pub fn locate(&self, pointer: &str) -> (String, TextRange) {
        match self.positions.nearest(pointer) {
            Some((found, spans)) => {
                let is_collection = matches!(
                    self.value.pointer(found),
                    Some(Value::Object(_) | Value::Array(_))
                );
                (found.to_owned(), spans.label(is_collection))
            }
            None => (String::new(), self.start),
        }
    }
}

/// Everything loaded from one repository (or staged tree): files, artifacts and the id index.
#[derive(Debug, Default)]
pub struct Workspace {
    pub files: Vec<SourceFile>,
    pub artifacts: Vec<Artifact>,
    /// `metadata.id` → index into `artifacts`.
    pub by_id: HashMap<String, usize>,
    /// YAML files looked at, including the ones without artifacts.
    pub yaml_files_seen: usize,
}

impl Workspace {
    pub fn artifact(&self, id: &str) -> Option<&Artifact> {
        self.by_id.get(id).and_then(|&at| self.artifacts.get(at))
    }

    pub fn file_of(&self, artifact: &Artifact) -> &SourceFile {
        &self.files[artifact.file]
    }
}
