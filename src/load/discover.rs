//! Finding the YAML files of a repository, in a stable order, symlinks never followed.
//!
//! Inside a git repository the files are git's: every tracked file is checked whatever an ignore
//! file says (a change that adds `broken.yaml` to `.gitignore` must not hide it), and untracked
//! files are checked unless git itself ignores them — by the repository's own ignore files and
//! git's configuration, never by a `.gitignore` above the repository. Outside git nothing is
//! ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ignore::WalkBuilder;

use super::Unread;
use crate::git::Git;

/// A file to load, or a path that cannot be read (reported, the rest still checked).
#[derive(Debug)]
pub enum Discovered {
    File(PathBuf),
    /// Tracked but absent from a sparse work tree: its content comes from the index.
    Blob {
        path: PathBuf,
        content: Vec<u8>,
    },
    Unreadable {
        path: PathBuf,
        reason: Unread,
    },
}

impl Discovered {
    pub fn path(&self) -> &Path {
        match self {
            Discovered::File(path)
            | Discovered::Blob { path, .. }
            | Discovered::Unreadable { path, .. } => path,
        }
    }
}

pub use crate::model::is_yaml;

/// Every `*.yaml`/`*.yml` under `root`, sorted by path. `root` itself may be a file.
pub fn discover(root: &Path) -> Vec<Discovered> {
    if !root.is_dir() {
        return vec![classify(root.to_path_buf())];
    }
    if let Ok(git) = Git::discover(root) {
        if let Some(found) = in_repository(&git, root) {
            return found;
        }
    }
    walk(root)
}

/// A path found on disk: a regular file, or why it is not read.
fn classify(path: PathBuf) -> Discovered {
    let metadata = std::fs::symlink_metadata(&path);
    if metadata.as_ref().is_ok_and(|m| m.file_type().is_symlink()) {
        return Discovered::Unreadable {
            path,
            reason: Unread::not_a_file("a symbolic link"),
        };
    }
    if path.to_str().is_none() {
        return Discovered::Unreadable {
            path,
            reason: Unread::bad_path(),
        };
    }
    if metadata.is_ok_and(|m| m.is_dir()) {
        return Discovered::Unreadable {
            path,
            reason: Unread::not_a_file("a directory (a submodule?)"),
        };
    }
    Discovered::File(path)
}

/// Every file under `root` with no ignore rule applied (outside git).
fn walk(root: &Path) -> Vec<Discovered> {
    let mut found = Vec::new();
    let walker = WalkBuilder::new(root)
        .standard_filters(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .follow_links(false)
        .sort_by_file_path(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                if !is_dir && is_yaml(entry.path()) {
                    found.push(classify(entry.into_path()));
                }
            }
            Err(error) => {
                let path = error_path(&error).unwrap_or_else(|| root.to_path_buf());
                found.push(Discovered::Unreadable {
                    path,
                    reason: Unread::io(error.to_string()),
                });
            }
        }
    }
    found
}

/// The tracked files under `root` and the untracked ones git does not ignore; `None` when git
/// ignores `root` itself (a folder a user names explicitly is checked whole, like outside git).
fn in_repository(git: &Git, root: &Path) -> Option<Vec<Discovered>> {
    let prefix = git.relative(root)?;
    let repo = git.repository();
    if !prefix.is_empty() && repo.is_path_ignored(Path::new(&prefix)).unwrap_or(false) {
        return None;
    }
    let inside = |path: &str| Git::under(path, &prefix).is_some();
    let mut found: BTreeMap<PathBuf, Discovered> = BTreeMap::new();
    let index = repo.index().ok()?;
    for entry in index.iter() {
        let Ok(path) = std::str::from_utf8(&entry.path) else {
            let shown = crate::git::escape_path(&entry.path);
            if inside(&shown) && is_yaml(Path::new(&shown)) {
                let path = git.workdir.join(&shown);
                found.insert(path.clone(), bad_path(path));
            }
            continue;
        };
        if !inside(path) || !is_yaml(Path::new(path)) {
            continue;
        }
        let absolute = git.workdir.join(path);
        if let Some(item) = tracked(git, &entry, absolute.clone()) {
            found.insert(absolute, item);
        }
    }
    for (path, utf8) in untracked(git, &prefix) {
        let absolute = git.workdir.join(&path);
        if inside(&path) && is_yaml(&absolute) && !found.contains_key(&absolute) {
            let item = match utf8 {
                true => classify(absolute.clone()),
                false => bad_path(absolute.clone()),
            };
            found.insert(absolute, item);
        }
    }
    Some(found.into_values().collect())
}

/// A file whose name is not UTF-8: reported, never read under a rewritten name.
fn bad_path(path: PathBuf) -> Discovered {
    Discovered::Unreadable {
        path,
        reason: Unread::bad_path(),
    }
}

/// A tracked file at `absolute`: its content from the index when git keeps it out of the work
/// tree (skip-worktree, sparse checkout), else the work tree's file; `None` when deleted there.
fn tracked(git: &Git, entry: &git2::IndexEntry, absolute: PathBuf) -> Option<Discovered> {
    let skip_worktree = u32::from(entry.flags_extended) & SKIP_WORKTREE != 0;
    if skip_worktree {
        return Some(match git.repository().find_blob(entry.id) {
            Ok(blob) => Discovered::Blob {
                path: absolute,
                content: blob.content().to_vec(),
            },
            Err(error) => Discovered::Unreadable {
                path: absolute,
                reason: Unread::io(error.to_string()),
            },
        });
    }
    // Deleted in the work tree: the work tree is what this mode checks.
    std::fs::symlink_metadata(&absolute).ok()?;
    Some(classify(absolute))
}

const SKIP_WORKTREE: u32 = 1 << 14;

/// Untracked files under `prefix` that git does not ignore, and whether each path is UTF-8 (an
/// escaped name otherwise).
fn untracked(git: &Git, prefix: &str) -> Vec<(String, bool)> {
    let mut options = git2::StatusOptions::new();
    // The work tree against the index only: an untracked file is a work-tree status, and comparing
    // HEAD's tree with the index (the other half of a status) reads every tree object for nothing.
    options
        .show(git2::StatusShow::Workdir)
        .include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .exclude_submodules(true)
        .include_unmodified(false);
    // A pathspec is a pattern to libgit2, which also trims and cuts names (`ops[prod]`, `!ops`,
    // `ops ` with a trailing space): such a folder's new files would match nothing and go
    // unchecked. Only a name libgit2 reads back unchanged narrows the status; the caller keeps
    // what is under the folder either way.
    if plain_pathspec(prefix) {
        options.pathspec(prefix);
    }
    let Ok(statuses) = git.repository().statuses(Some(&mut options)) else {
        return Vec::new();
    };
    statuses
        .iter()
        .filter(|entry| entry.status().contains(git2::Status::WT_NEW))
        .map(|entry| {
            let path = entry.path_bytes();
            match std::str::from_utf8(path) {
                Ok(text) => (text.to_owned(), true),
                Err(_) => (crate::git::escape_path(path), false),
            }
        })
        .collect()
}

/// A folder path libgit2's pathspec parser takes literally: ASCII letters, digits, `-_./`, inner
/// spaces and non-ASCII characters (no pattern characters, no leading `!` or `#`, nothing it trims).
fn plain_pathspec(prefix: &str) -> bool {
    !prefix.is_empty()
        && !prefix.starts_with(' ')
        && !prefix.ends_with(' ')
        && prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./ ".contains(c) || !c.is_ascii())
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
