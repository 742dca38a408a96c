//! The artifact model: which kinds exist and what a loaded artifact is.

mod artifact;
mod kind;

pub use artifact::{Artifact, SourceFile, Workspace};
pub use kind::{Kind, API_VERSION, COMMON_SCHEMA, COMMON_SCHEMA_FILE, KINDS};
