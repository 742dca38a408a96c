//! What opsgate reads from git (git2, never the `git` program): the commit being checked, the last
//! commit that touched each file (evidence for auditors), the content of the index (pre-commit)
//! and of other revisions (pull-request mode).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use git2::{ObjectType, Oid, Repository, Sort, TreeWalkMode, TreeWalkResult};

use crate::load::{discover::is_yaml, Source};

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{0} is not inside a git repository")]
    NotARepository(PathBuf),
    #[error("revision `{0}` does not exist in this repository")]
    UnknownRevision(String),
    /// CI checkouts are shallow by default: the base is simply not there.
    #[error("revision `{rev}` (or its merge base with HEAD) is not in this shallow clone")]
    Shallow { rev: String },
    #[error("git: {0}")]
    Git(#[from] git2::Error),
    #[error("{0}")]
    Other(String),
}

/// A commit, as evidence.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CommitInfo {
    pub sha: String,
    /// Commit date, YYYY-MM-DD (UTC).
    pub date: String,
    pub author: String,
    pub summary: String,
}

pub struct Git {
    repo: Repository,
    /// The work tree's root.
    pub workdir: PathBuf,
}

fn date_of(time: git2::Time) -> String {
    jiff::Timestamp::from_second(time.seconds())
        .map(|t| {
            t.to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .date()
                .to_string()
        })
        .unwrap_or_default()
}

fn info(commit: &git2::Commit<'_>) -> CommitInfo {
    CommitInfo {
        sha: commit.id().to_string(),
        date: date_of(commit.time()),
        author: commit.author().name().ok().unwrap_or_default().to_owned(),
        summary: commit
            .summary()
            .ok()
            .flatten()
            .unwrap_or_default()
            .to_owned(),
    }
}

impl Git {
    /// The repository `path` belongs to.
    pub fn discover(path: &Path) -> Result<Git, GitError> {
        let repo =
            Repository::discover(path).map_err(|_| GitError::NotARepository(path.to_path_buf()))?;
        let workdir = repo
            .workdir()
            .ok_or_else(|| GitError::Other("bare repositories have no work tree to check".into()))?
            .canonicalize()
            .map_err(|e| GitError::Other(e.to_string()))?;
        Ok(Git { repo, workdir })
    }

    pub fn repository(&self) -> &Repository {
        &self.repo
    }

    /// HEAD's commit, or `None` in a repository without commits yet.
    pub fn head(&self) -> Option<CommitInfo> {
        let commit = self.repo.head().ok()?.peel_to_commit().ok()?;
        Some(info(&commit))
    }

    /// The checked-out branch, if HEAD is on one.
    pub fn branch(&self) -> Option<String> {
        let head = self.repo.head().ok()?;
        if head.is_branch() {
            head.shorthand().ok().map(str::to_owned)
        } else {
            None
        }
    }

    /// `path` relative to the work tree, `/`-separated, as git names it.
    pub fn relative(&self, path: &Path) -> Option<String> {
        let absolute = path.canonicalize().ok()?;
        let relative = absolute.strip_prefix(&self.workdir).ok()?;
        Some(relative.to_string_lossy().replace('\\', "/"))
    }

    /// For each of `paths` (work-tree relative), the last commit that changed it, found in one walk
    /// of at most `limit` commits from HEAD. Paths never committed are absent.
    pub fn last_commits(
        &self,
        paths: &[String],
        limit: usize,
    ) -> Result<HashMap<String, CommitInfo>, GitError> {
        let mut wanted: std::collections::HashSet<&str> =
            paths.iter().map(String::as_str).collect();
        let mut found = HashMap::new();
        let Ok(head) = self.repo.head() else {
            return Ok(found);
        };
        let Ok(head) = head.peel_to_commit() else {
            return Ok(found);
        };
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
        walk.push(head.id())?;
        for oid in walk.take(limit) {
            if wanted.is_empty() {
                break;
            }
            let commit = self.repo.find_commit(oid?)?;
            let tree = commit.tree()?;
            let parent_tree = match commit.parents().next() {
                Some(parent) => Some(parent.tree()?),
                None => None,
            };
            let diff = self
                .repo
                .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), None)?;
            for delta in diff.deltas() {
                let Some(path) = delta.new_file().path().and_then(Path::to_str) else {
                    continue;
                };
                if wanted.remove(path) {
                    found.insert(path.to_owned(), info(&commit));
                }
            }
        }
        Ok(found)
    }
}

impl Git {
    /// How to get the missing history, for the shallow-clone error.
    pub const SHALLOW_HELP: &'static str = "fetch enough history for the merge base: in GitHub Actions set `fetch-depth: 0` on actions/checkout; in GitLab CI set `GIT_DEPTH: 0`; by hand run `git fetch --unshallow` (or `git fetch --deepen=200 origin <base>`)";

    /// The merge base of `rev` and HEAD: what a pull request is compared with.
    pub fn merge_base(&self, rev: &str) -> Result<Oid, GitError> {
        let shallow = self.repo.is_shallow();
        let base = match self
            .repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
        {
            Ok(commit) => commit.id(),
            Err(_) if shallow => {
                return Err(GitError::Shallow {
                    rev: rev.to_owned(),
                })
            }
            Err(_) => return Err(GitError::UnknownRevision(rev.to_owned())),
        };
        let head = self.repo.head()?.peel_to_commit()?.id();
        match self.repo.merge_base(base, head) {
            Ok(oid) => Ok(oid),
            Err(_) if shallow => Err(GitError::Shallow {
                rev: rev.to_owned(),
            }),
            Err(error) => Err(GitError::Git(error)),
        }
    }

    pub fn head_oid(&self) -> Result<Oid, GitError> {
        Ok(self.repo.head()?.peel_to_commit()?.id())
    }

    /// `prefix` (work-tree relative, `/`-separated, empty for the root) as a path prefix filter.
    /// `path` (repository-relative) relative to `prefix`, when it lies under it.
    pub fn under<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
        if prefix.is_empty() {
            Some(path)
        } else {
            path.strip_prefix(prefix)?.strip_prefix('/')
        }
    }

    fn source(&self, relative: &str, display: &str, content: Result<Vec<u8>, String>) -> Source {
        Source {
            display: display.to_owned(),
            path: self.workdir.join(relative),
            content,
        }
    }

    /// Every YAML file of the index under `prefix`: what the next commit will contain.
    pub fn index_sources(&self, prefix: &str, max_bytes: u64) -> Result<Vec<Source>, GitError> {
        let index = self.repo.index()?;
        let mut sources = Vec::new();
        for entry in index.iter() {
            let Ok(path) = std::str::from_utf8(&entry.path) else {
                continue;
            };
            let Some(display) = Self::under(path, prefix) else {
                continue;
            };
            if !is_yaml(Path::new(path)) {
                continue;
            }
            let content = if u64::from(entry.file_size) > max_bytes {
                Err(format!("file is {} bytes, over the {max_bytes}-byte limit (raise it with --max-file-size)", entry.file_size))
            } else {
                self.repo
                    .find_blob(entry.id)
                    .map(|b| b.content().to_vec())
                    .map_err(|e| e.to_string())
            };
            sources.push(self.source(path, display, content));
        }
        sources.sort_by(|a, b| a.display.cmp(&b.display));
        Ok(sources)
    }

    /// The YAML files among `paths` (repository-relative) under `prefix` in the tree of `commit`;
    /// paths the tree does not have are skipped.
    pub fn commit_sources_at(
        &self,
        commit: Oid,
        prefix: &str,
        paths: &[String],
        max_bytes: u64,
    ) -> Result<Vec<Source>, GitError> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        let mut sources = Vec::new();
        for path in paths {
            let Some(display) = Self::under(path, prefix) else {
                continue;
            };
            if !is_yaml(Path::new(path)) {
                continue;
            }
            let Ok(entry) = tree.get_path(Path::new(path)) else {
                continue;
            };
            if entry.kind() != Some(ObjectType::Blob) {
                continue;
            }
            let content = self.blob_content(entry.id(), max_bytes);
            sources.push(self.source(path, display, content));
        }
        Ok(sources)
    }

    fn blob_content(&self, id: Oid, max_bytes: u64) -> Result<Vec<u8>, String> {
        match self.repo.find_blob(id) {
            Ok(blob) if blob.size() as u64 > max_bytes => Err(format!(
                "file is {} bytes, over the {max_bytes}-byte limit (raise it with --max-file-size)",
                blob.size()
            )),
            Ok(blob) => Ok(blob.content().to_vec()),
            Err(error) => Err(error.to_string()),
        }
    }

    /// Every YAML file under `prefix` in the tree of `commit`.
    pub fn commit_sources(
        &self,
        commit: Oid,
        prefix: &str,
        max_bytes: u64,
    ) -> Result<Vec<Source>, GitError> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        let mut entries = Vec::new();
        tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() == Some(ObjectType::Blob) {
                if let Ok(name) = entry.name() {
                    entries.push((format!("{dir}{name}"), entry.id()));
                }
            }
            TreeWalkResult::Ok
        })?;
        let mut sources = Vec::new();
        for (path, id) in entries {
            let Some(display) = Self::under(&path, prefix) else {
                continue;
            };
            if !is_yaml(Path::new(&path)) {
                continue;
            }
            let content = self.blob_content(id, max_bytes);
            sources.push(self.source(&path, display, content));
        }
        sources.sort_by(|a, b| a.display.cmp(&b.display));
        Ok(sources)
    }

    /// Work-tree-relative paths that differ between `base` and the index (`staged`), HEAD, or the
    /// work tree.
    pub fn changed_paths(&self, base: Oid, against: Against) -> Result<Vec<String>, GitError> {
        let base_tree = self.repo.find_commit(base)?.tree()?;
        let mut options = git2::DiffOptions::new();
        options.include_untracked(true).recurse_untracked_dirs(true);
        let diff = match against {
            Against::Index => {
                self.repo
                    .diff_tree_to_index(Some(&base_tree), None, Some(&mut options))?
            }
            Against::Head => {
                let head = self.repo.head()?.peel_to_commit()?.tree()?;
                self.repo
                    .diff_tree_to_tree(Some(&base_tree), Some(&head), Some(&mut options))?
            }
            Against::WorkTree => self
                .repo
                .diff_tree_to_workdir_with_index(Some(&base_tree), Some(&mut options))?,
        };
        let mut paths = Vec::new();
        for delta in diff.deltas() {
            for file in [delta.old_file(), delta.new_file()] {
                if let Some(path) = file.path().and_then(Path::to_str) {
                    paths.push(path.to_owned());
                }
            }
        }
        paths.sort();
        paths.dedup();
        Ok(paths)
    }
}

/// What a base revision is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Against {
    Index,
    Head,
    WorkTree,
}
