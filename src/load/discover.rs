//! Finding the YAML files of a repository: `.gitignore` honoured, symlinks not followed, stable order.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;

/// A file to load, or a path the walker could not read (reported, the rest still checked).
#[derive(Debug)]
pub enum Discovered {
    File(PathBuf),
    Unreadable { path: PathBuf, reason: String },
}

pub fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

/// Every `*.yaml`/`*.yml` under `root`, sorted by path. `root` itself may be a file.
pub fn discover(root: &Path) -> Vec<Discovered> {
    if root.is_file() {
        return vec![Discovered::File(root.to_path_buf())];
    }
    let mut found = Vec::new();
    let walker = WalkBuilder::new(root)
        // Hidden folders hold CI files and such, which are skipped as non-artifacts anyway, but a
        // team may keep artifacts under e.g. `.opsgate/`; `.git` itself is never descended.
        .hidden(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .follow_links(false)
        .require_git(false)
        .sort_by_file_path(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                if is_file && is_yaml(entry.path()) {
                    found.push(Discovered::File(entry.into_path()));
                }
            }
            Err(error) => {
                let path = error_path(&error).unwrap_or_else(|| root.to_path_buf());
                found.push(Discovered::Unreadable {
                    path,
                    reason: error.to_string(),
                });
            }
        }
    }
    found
}

fn error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}
