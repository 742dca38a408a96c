//! What a file holds before it is parsed: its bytes (from disk or from git), or why they were not
//! read. Shared by the loader and the git layer that reads blobs, below both.

use std::path::{Path, PathBuf};

use crate::finding::Severity;

/// The content of one file, from disk or from git.
pub struct Source {
    pub display: String,
    pub path: PathBuf,
    pub content: Result<Vec<u8>, Unread>,
}

/// Why a file that looks like an artifact by its name was not read: every such file is reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unread {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub help: Option<&'static str>,
}

impl Unread {
    pub fn io(reason: impl Into<String>) -> Unread {
        Unread {
            code: "LOAD-IO",
            severity: Severity::Error,
            message: format!("cannot read file: {}", reason.into()),
            help: None,
        }
    }

    /// A path opsgate cannot name without rewriting it (not UTF-8).
    pub fn bad_path() -> Unread {
        Unread {
            code: "LOAD-PATH",
            severity: Severity::Error,
            message:
                "the file's path is not valid UTF-8, so it cannot be reported faithfully; its \
                      content was not checked"
                    .into(),
            help: Some("rename the file to a UTF-8 name"),
        }
    }

    /// A symlink or submodule: never followed, in every mode.
    pub fn not_a_file(what: &str) -> Unread {
        Unread {
            code: "LOAD-NOT-A-FILE",
            severity: Severity::Warning,
            message: format!("this path is {what}, not a regular file; opsgate does not follow it"),
            help: Some(
                "keep artifacts in regular files; a link's target is checked where it lives",
            ),
        }
    }

    pub fn lfs_pointer() -> Unread {
        Unread {
            code: "LOAD-LFS-POINTER",
            severity: Severity::Error,
            message:
                "this file is a Git LFS pointer: the artifact's content is not in the repository \
                      and was not checked"
                    .into(),
            help: Some("keep artifacts out of Git LFS (remove their pattern from .gitattributes)"),
        }
    }
}

/// `.yaml` or `.yml` in any case: `CHANGE.YAML` written on a case-insensitive file system is an
/// artifact file too, not a file silently left out.
pub fn is_yaml(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}
