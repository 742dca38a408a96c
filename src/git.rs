//! What opsgate reads from git (git2, never the `git` program): the commit being checked, the last
//! commit that touched each file (evidence for auditors), the content of the index (pre-commit)
//! and of other revisions (pull-request mode).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use git2::{ObjectType, Oid, Repository, Sort};

use crate::model::{is_yaml, Source, Unread};

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{0} is not inside a git repository")]
    NotARepository(PathBuf),
    #[error("revision `{0}` does not exist in this repository")]
    UnknownRevision(String),
    /// CI checkouts are shallow by default: the base is simply not there.
    #[error("revision `{rev}` (or its merge base with HEAD) is not in this shallow clone")]
    Shallow { rev: String },
    /// A merge is in progress: the index holds several versions of these paths.
    #[error("unmerged paths in the index: {}; resolve the conflicts (and `git add` the result) first", .0.join(", "))]
    Unmerged(Vec<String>),
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

/// The variables git sets for the commands it runs (hooks among them) that change which
/// repository, work tree or index is meant.
pub const GIT_ENVIRONMENT: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_INDEX_FILE",
];

/// Why a repository could not be opened, in words a user can act on.
fn open_error(path: &Path, error: &git2::Error) -> GitError {
    let message = error.message();
    if message.contains("object format")
        || message.contains("objectformat")
        || message.contains("extension")
    {
        GitError::Other(format!(
            "{}: this repository uses a git extension opsgate cannot read yet ({message}); \
             SHA-256 object-format repositories are not supported",
            path.display()
        ))
    } else if error.code() == git2::ErrorCode::NotFound {
        GitError::NotARepository(path.to_path_buf())
    } else {
        GitError::Other(format!(
            "{}: cannot open the git repository: {message}",
            path.display()
        ))
    }
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
    /// The repository `path` belongs to. Inside a git hook (or any command git runs) the
    /// environment says which repository, work tree and index git is working on: `git commit -a`
    /// and `git commit PATH` hand the hook a temporary index in `GIT_INDEX_FILE`, so the commit
    /// being made is only visible there. Those variables are honoured as git does.
    pub fn discover(path: &Path) -> Result<Git, GitError> {
        let from_env = GIT_ENVIRONMENT
            .iter()
            .any(|name| std::env::var_os(name).is_some());
        let opened = if from_env {
            Repository::open_ext(
                path,
                git2::RepositoryOpenFlags::FROM_ENV,
                &[] as &[&std::ffi::OsStr],
            )
        } else {
            Repository::discover(path)
        };
        let repo = opened.map_err(|error| open_error(path, &error))?;
        let workdir = repo
            .workdir()
            .ok_or_else(|| GitError::Other("bare repositories have no work tree to check".into()))?
            .canonicalize()
            .map_err(|e| GitError::Other(e.to_string()))?;
        Ok(Git { repo, workdir })
    }

    /// The commits of a shallow clone's boundary (`.git/shallow`): none in a full clone.
    pub fn shallow_boundary(&self) -> std::collections::HashSet<Oid> {
        if !self.repo.is_shallow() {
            return Default::default();
        }
        std::fs::read_to_string(self.repo.path().join("shallow"))
            .unwrap_or_default()
            .lines()
            .filter_map(|line| Oid::from_str(line.trim()).ok())
            .collect()
    }

    /// Another handle on the same repository, for another thread (a handle is not shared).
    pub fn reopen(&self) -> Result<Git, GitError> {
        let repo = Repository::open(self.repo.path()).map_err(|e| open_error(&self.workdir, &e))?;
        Ok(Git {
            repo,
            workdir: self.workdir.clone(),
        })
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
        repo_path(relative)
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
    /// A commit as evidence, if it exists.
    pub fn info(&self, oid: Oid) -> Option<CommitInfo> {
        self.repo.find_commit(oid).ok().map(|c| info(&c))
    }

    /// Every path in the tree of `commit` (a root commit's change from nothing).
    pub fn changed_paths_from_empty(&self, commit: Oid) -> Result<Vec<Vec<u8>>, GitError> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        let mut entries = Vec::new();
        self.walk_tree(&tree, &mut Vec::new(), &mut entries)?;
        Ok(entries.into_iter().map(|(path, _, _)| path).collect())
    }

    /// The URL of the `origin` remote (else of the first remote), for reports: a reader elsewhere
    /// cannot use a local path. Credentials embedded in the URL are removed.
    pub fn remote_url(&self) -> Option<String> {
        let remote = self.repo.find_remote("origin").ok().or_else(|| {
            let names = self.repo.remotes().ok()?;
            let first = names.iter().flatten().flatten().next()?.to_owned();
            self.repo.find_remote(&first).ok()
        })?;
        let url = remote.url().ok()?;
        Some(strip_credentials(url))
    }
}

/// `https://user:token@host/x` → `https://host/x`; other forms unchanged.
pub fn strip_credentials(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            if path.is_empty() && !rest.contains('/') {
                format!("{scheme}://{host}")
            } else {
                format!("{scheme}://{host}/{path}")
            }
        }
        None => url.to_owned(),
    }
}

impl Git {
    /// How to get the missing history, for the shallow-clone error.
    pub const SHALLOW_HELP: &'static str = "fetch enough history for the merge base: in GitHub Actions set `fetch-depth: 0` on actions/checkout; in GitLab CI set `GIT_DEPTH: 0`; by hand run `git fetch --unshallow` (or `git fetch --deepen=200 origin <base>`)";

    /// The merge base of `rev` and `head`: what a pull request is compared with.
    pub fn merge_base(&self, rev: &str, head: Oid) -> Result<Oid, GitError> {
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

    /// A revision's commit (`rev` as `git rev-parse` reads it).
    pub fn commit_of(&self, rev: &str) -> Result<Oid, GitError> {
        self.repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map(|c| c.id())
            .map_err(|_| GitError::UnknownRevision(rev.to_owned()))
    }

    /// `prefix` (work-tree relative, `/`-separated, empty for the root) as a path prefix filter:
    /// `path` relative to `prefix`, when it lies under it.
    pub fn under<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
        if prefix.is_empty() {
            Some(path)
        } else {
            path.strip_prefix(prefix)?.strip_prefix('/')
        }
    }

    /// The source of one index or tree entry, if it is a YAML file by name, and the blob to read
    /// into it. Entries that are not regular files (symlinks, submodules) and paths that are not
    /// UTF-8 become sources that cannot be read, so each is reported instead of silently skipped
    /// or misread.
    fn planned_source(&self, path: &[u8], mode: u32, id: Oid) -> Option<(Source, Option<Oid>)> {
        if !is_yaml_bytes(path) {
            return None;
        }
        let Ok(text) = std::str::from_utf8(path) else {
            let display = escape_path(path);
            let source = Source {
                path: self.workdir.join(&display),
                display,
                content: Err(Unread::bad_path()),
            };
            return Some((source, None));
        };
        let (content, blob) = match EntryKind::of(mode) {
            EntryKind::File => (Ok(Vec::new()), Some(id)),
            EntryKind::Symlink => (Err(Unread::not_a_file("a symbolic link")), None),
            EntryKind::Submodule => (Err(Unread::not_a_file("a submodule (gitlink)")), None),
            EntryKind::Tree => return None,
        };
        let source = Source {
            display: text.to_owned(),
            path: self.workdir.join(text),
            content,
        };
        Some((source, blob))
    }

    /// The sources of `entries` (path, mode, blob id), their blobs read.
    fn entry_sources(&self, entries: &[(Vec<u8>, u32, Oid)], max_bytes: u64) -> Vec<Source> {
        let none = |_: &str, _: &[u8]| None::<()>;
        self.entry_files(entries, max_bytes, &none)
            .into_iter()
            .map(|file| file.source)
            .collect()
    }

    /// The files of `entries` (path, mode, blob id): each blob is read unless `known` gives the
    /// file's parse for its path and blob id (the parse cache); then its content stays empty and
    /// the parse comes back beside it. Asked in parallel, like the reading.
    fn entry_files<T: Send>(
        &self,
        entries: &[(Vec<u8>, u32, Oid)],
        max_bytes: u64,
        known: &Known<'_, T>,
    ) -> Vec<GitFile<T>> {
        use rayon::prelude::*;
        let planned: Vec<(Source, Option<Oid>)> = entries
            .iter()
            .filter_map(|(path, mode, id)| self.planned_source(path, *mode, *id))
            .collect();
        let found: Vec<Option<T>> = planned
            .par_iter()
            .map(|(source, id)| id.and_then(|id| known(&source.display, id.as_bytes())))
            .collect();
        let ids: Vec<Oid> = planned
            .iter()
            .zip(&found)
            .filter_map(|((_, id), found)| id.filter(|_| found.is_none()))
            .collect();
        let mut contents = self.blobs(&ids, max_bytes).into_iter();
        planned
            .into_iter()
            .zip(found)
            .map(|((mut source, id), known)| {
                if id.is_some() && known.is_none() {
                    source.content = contents
                        .next()
                        .unwrap_or_else(|| Err(Unread::io("blob not read")));
                }
                GitFile {
                    source,
                    blob: id.map(|id| id.as_bytes().to_vec()),
                    known,
                }
            })
            .collect()
    }

    /// The contents of the blobs `ids`, in order. Reading them is most of a git gate's load on a
    /// large repository, so they are read in parallel, each thread with its own handle (a handle
    /// is not shared across threads); what a thread could not read is read again on this one, so
    /// a handle opened differently never turns a readable blob into a load error.
    fn blobs(&self, ids: &[Oid], max_bytes: u64) -> Vec<Result<Vec<u8>, Unread>> {
        use rayon::prelude::*;
        let path = self.repo.path().to_owned();
        let read: Vec<Option<Vec<u8>>> = ids
            .par_iter()
            .map_init(
                || Repository::open(&path).ok(),
                |repo, id| {
                    repo.as_ref()
                        .and_then(|r| read_blob(r, *id, max_bytes).ok())
                },
            )
            .collect();
        read.into_iter()
            .zip(ids)
            .map(|(bytes, id)| match bytes {
                Some(bytes) => Ok(bytes),
                None => read_blob(&self.repo, *id, max_bytes),
            })
            .collect()
    }

    /// Every YAML file of the index: what the next commit will contain. The index is the one
    /// git is committing from (`GIT_INDEX_FILE` when git set it).
    pub fn index_sources(&self, max_bytes: u64) -> Result<Vec<Source>, GitError> {
        let none = |_: &str, _: &[u8]| None::<()>;
        let files = self.index_files(max_bytes, &none)?;
        Ok(files.into_iter().map(|file| file.source).collect())
    }

    /// [`Git::index_sources`], each blob `known` has a parse for left unread (see
    /// [`Git::entry_files`]).
    pub fn index_files<T: Send>(
        &self,
        max_bytes: u64,
        known: &Known<'_, T>,
    ) -> Result<Vec<GitFile<T>>, GitError> {
        let index = self.repo.index()?;
        let mut unmerged: Vec<String> = index
            .iter()
            .filter(|entry| (entry.flags >> 12) & 0x3 != 0)
            .map(|entry| escape_path(&entry.path))
            .collect();
        if !unmerged.is_empty() {
            unmerged.dedup();
            return Err(GitError::Unmerged(unmerged));
        }
        let mut entries = Vec::new();
        for entry in index.iter() {
            // `git add -N`: the path is announced, its content is not part of the commit.
            if u32::from(entry.flags_extended) & INTENT_TO_ADD != 0 {
                continue;
            }
            if entry.mode == TREE_MODE {
                return Err(GitError::Other(format!(
                    "the index is sparse (`{}` is a directory entry); run `git sparse-checkout disable` \
                     or set `index.sparse=false` so every file of the commit can be read",
                    escape_path(&entry.path)
                )));
            }
            entries.push((entry.path, entry.mode, entry.id));
        }
        let mut files = self.entry_files(&entries, max_bytes, known);
        files.sort_by(|a, b| a.source.display.cmp(&b.source.display));
        Ok(files)
    }

    /// The YAML files among `paths` (repository-relative, as git stores them) in the tree of
    /// `commit`; paths the tree does not have are skipped.
    pub fn commit_sources_at(
        &self,
        commit: Oid,
        paths: &[Vec<u8>],
        max_bytes: u64,
    ) -> Result<Vec<Source>, GitError> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        let mut entries = Vec::new();
        for path in paths {
            let Ok(entry) = tree.get_path(&bytes_path(path)) else {
                continue;
            };
            let mode = u32::try_from(entry.filemode()).unwrap_or_default();
            entries.push((path.clone(), mode, entry.id()));
        }
        Ok(self.entry_sources(&entries, max_bytes))
    }

    /// Every YAML file in the tree of `commit`.
    pub fn commit_sources(&self, commit: Oid, max_bytes: u64) -> Result<Vec<Source>, GitError> {
        let none = |_: &str, _: &[u8]| None::<()>;
        let files = self.commit_files(commit, max_bytes, &none)?;
        Ok(files.into_iter().map(|file| file.source).collect())
    }

    /// [`Git::commit_sources`], each blob `known` has a parse for left unread (see
    /// [`Git::entry_files`]).
    pub fn commit_files<T: Send>(
        &self,
        commit: Oid,
        max_bytes: u64,
        known: &Known<'_, T>,
    ) -> Result<Vec<GitFile<T>>, GitError> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        let mut entries = Vec::new();
        self.walk_tree(&tree, &mut Vec::new(), &mut entries)?;
        let mut files = self.entry_files(&entries, max_bytes, known);
        files.sort_by(|a, b| a.source.display.cmp(&b.source.display));
        Ok(files)
    }

    /// (path, mode, id) of every non-tree entry, paths as raw bytes (git's `walk` gives up on
    /// names that are not UTF-8, which would hide them).
    fn walk_tree(
        &self,
        tree: &git2::Tree<'_>,
        prefix: &mut Vec<u8>,
        out: &mut Vec<(Vec<u8>, u32, Oid)>,
    ) -> Result<(), GitError> {
        for entry in tree.iter() {
            let length = prefix.len();
            prefix.extend_from_slice(entry.name_bytes());
            if entry.kind() == Some(ObjectType::Tree) {
                prefix.push(b'/');
                let subtree = self.repo.find_tree(entry.id())?;
                self.walk_tree(&subtree, prefix, out)?;
            } else {
                let mode = u32::try_from(entry.filemode()).unwrap_or_default();
                out.push((prefix.clone(), mode, entry.id()));
            }
            prefix.truncate(length);
        }
        Ok(())
    }

    /// The content of `path` (repository-relative) on `side`, if it is a file there. A symlink
    /// or submodule at that path is an error: a configuration is never followed elsewhere.
    pub fn read(&self, side: Side, path: &str) -> Result<Option<Vec<u8>>, GitError> {
        let not_a_file = || {
            GitError::Other(format!(
                "`{path}` is a symbolic link or a submodule; opsgate reads its configuration only from a regular file"
            ))
        };
        let (id, mode) = match side {
            Side::WorkTree => {
                let file = self.workdir.join(path);
                return match std::fs::symlink_metadata(&file) {
                    Err(_) => Ok(None),
                    Ok(meta) if meta.file_type().is_symlink() => Err(not_a_file()),
                    Ok(meta) if !meta.is_file() => Ok(None),
                    Ok(_) => std::fs::read(&file)
                        .map(Some)
                        .map_err(|e| GitError::Other(format!("cannot read {path}: {e}"))),
                };
            }
            Side::Index => {
                let index = self.repo.index()?;
                match index.get_path(Path::new(path), 0) {
                    Some(entry) => (entry.id, entry.mode),
                    None => return Ok(None),
                }
            }
            Side::Commit(commit) => {
                let tree = self.repo.find_commit(commit)?.tree()?;
                match tree.get_path(Path::new(path)) {
                    Ok(entry) => (
                        entry.id(),
                        u32::try_from(entry.filemode()).unwrap_or_default(),
                    ),
                    Err(_) => return Ok(None),
                }
            }
        };
        match EntryKind::of(mode) {
            EntryKind::File => Ok(Some(self.repo.find_blob(id)?.content().to_vec())),
            EntryKind::Tree => Ok(None),
            EntryKind::Symlink | EntryKind::Submodule => Err(not_a_file()),
        }
    }

    /// Every regular file under `dir` (repository-relative, no trailing `/`) on `side` whose
    /// name ends with `extension`, as (path, content), sorted by path.
    pub fn files_under(
        &self,
        side: Side,
        dir: &str,
        extension: &str,
    ) -> Result<Vec<(String, Vec<u8>)>, GitError> {
        let entries: Vec<(Vec<u8>, u32, Oid)> = match side {
            Side::WorkTree => return Ok(Vec::new()),
            Side::Index => self
                .repo
                .index()?
                .iter()
                .map(|e| (e.path, e.mode, e.id))
                .collect(),
            Side::Commit(commit) => {
                let tree = self.repo.find_commit(commit)?.tree()?;
                let mut entries = Vec::new();
                self.walk_tree(&tree, &mut Vec::new(), &mut entries)?;
                entries
            }
        };
        let mut files = Vec::new();
        for (path, mode, id) in entries {
            let Ok(text) = std::str::from_utf8(&path) else {
                continue;
            };
            let inside = dir.is_empty() || Git::under(text, dir).is_some();
            if inside && text.ends_with(extension) && EntryKind::of(mode) == EntryKind::File {
                files.push((text.to_owned(), self.repo.find_blob(id)?.content().to_vec()));
            }
        }
        files.sort();
        Ok(files)
    }

    /// Repository-relative paths (as git stores them) that differ between `base` and the index
    /// (`staged`), another commit, or the work tree.
    pub fn changed_paths(&self, base: Oid, against: Against) -> Result<Vec<Vec<u8>>, GitError> {
        let base_tree = self.repo.find_commit(base)?.tree()?;
        let mut options = git2::DiffOptions::new();
        options.include_untracked(true).recurse_untracked_dirs(true);
        let diff = match against {
            Against::Index => {
                self.repo
                    .diff_tree_to_index(Some(&base_tree), None, Some(&mut options))?
            }
            Against::Commit(head) => {
                let head = self.repo.find_commit(head)?.tree()?;
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
                if let Some(path) = file.path_bytes() {
                    paths.push(path.to_vec());
                }
            }
        }
        paths.sort();
        paths.dedup();
        Ok(paths)
    }
}

/// Where a run reads a file from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    WorkTree,
    /// The index git commits from.
    Index,
    Commit(Oid),
}

/// What a caller already has for a file of a git state, asked by its display path and blob id.
pub type Known<'a, T> = dyn Fn(&str, &[u8]) -> Option<T> + Sync + 'a;

/// A YAML file of a git state: its source (content empty when `known` is set), the id of its
/// blob (none for what cannot be read), and what the caller already had for it.
pub struct GitFile<T> {
    pub source: Source,
    pub blob: Option<Vec<u8>>,
    pub known: Option<T>,
}

const INTENT_TO_ADD: u32 = 1 << 13;
const TREE_MODE: u32 = 0o040000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EntryKind {
    File,
    Symlink,
    Submodule,
    Tree,
}

impl EntryKind {
    fn of(mode: u32) -> EntryKind {
        match mode & 0o170000 {
            0o120000 => EntryKind::Symlink,
            0o160000 => EntryKind::Submodule,
            0o040000 => EntryKind::Tree,
            _ => EntryKind::File,
        }
    }
}

fn is_yaml_bytes(path: &[u8]) -> bool {
    let name = path.rsplit(|b| *b == b'/').next().unwrap_or(path);
    // The extension test is the loader's; a name that is not UTF-8 is tested on its bytes.
    match std::str::from_utf8(name) {
        Ok(name) => is_yaml(Path::new(name)),
        Err(_) => {
            let lower = name.to_ascii_lowercase();
            lower.ends_with(b".yaml") || lower.ends_with(b".yml")
        }
    }
}

/// A path as git stores it, for git2's path arguments.
fn bytes_path(path: &[u8]) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        PathBuf::from(std::ffi::OsStr::from_bytes(path))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(path).into_owned())
    }
}

/// A path that is not UTF-8, shown with its invalid bytes escaped (`\xff`): a name for people,
/// never used to open anything.
pub fn escape_path(path: &[u8]) -> String {
    let mut out = String::new();
    for chunk in path.utf8_chunks() {
        out.push_str(chunk.valid());
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
    out
}

/// A work-tree-relative path as git names it (`/`-separated), or `None` when it is not UTF-8.
/// Nothing is rewritten: on Unix a backslash is part of a file name, not a separator.
pub fn repo_path(relative: &Path) -> Option<String> {
    let mut parts = Vec::new();
    for component in relative.components() {
        parts.push(component.as_os_str().to_str()?);
    }
    Some(parts.join("/"))
}

/// What a base revision is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Against {
    Index,
    Commit(Oid),
    WorkTree,
}

/// The content of blob `id`, unless it is over `max_bytes`.
fn read_blob(repo: &Repository, id: Oid, max_bytes: u64) -> Result<Vec<u8>, Unread> {
    match repo.find_blob(id) {
        Ok(blob) if blob.size() as u64 > max_bytes => Err(Unread::io(format!(
            "file is {} bytes, over the {max_bytes}-byte limit (raise it with --max-file-size)",
            blob.size()
        ))),
        Ok(blob) => Ok(blob.content().to_vec()),
        Err(error) => Err(Unread::io(error.to_string())),
    }
}
