//! What opsgate reads from git (git2, never the `git` program): the commit being checked, the last
//! commit that touched each file (evidence for auditors), the content of the index (pre-commit)
//! and of other revisions (pull-request mode).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use git2::{Repository, Sort};

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{0} is not inside a git repository")]
    NotARepository(PathBuf),
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
