//! The artifact model: which kinds exist and what a loaded artifact is.

mod artifact;
mod kind;
mod source;
mod text;

pub use artifact::{Artifact, SourceFile, Workspace};
pub use kind::{Kind, API_VERSION, COMMON_SCHEMA, COMMON_SCHEMA_FILE, KINDS};
pub use source::{is_yaml, Source, Unread};
pub use text::is_hidden;
