//! Git evidence: where the checked files stand in git — the repository's remote, branch and HEAD,
//! the last commit that changed each file, and the forge page that shows a file at a commit. Reports
//! trace findings and evidence artifacts to commits through this module; a check run itself never
//! walks the history.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::git::{CommitInfo, Git};

/// How far back the walk for last commits goes before it gives up on a file.
pub const HISTORY_LIMIT: usize = 20_000;

/// The repository a checked directory lies in, as reports name it.
pub struct Provenance {
    pub git: Git,
    /// The repository's work tree.
    pub workdir: PathBuf,
    /// The `origin` remote's URL, credentials removed.
    pub remote: Option<String>,
    pub branch: Option<String>,
}

impl Provenance {
    /// The repository `root` lies in; `None` outside git.
    pub fn of(root: &Path) -> Option<Provenance> {
        let git = Git::discover(root).ok()?;
        Some(Provenance {
            workdir: git.workdir.clone(),
            remote: git.remote_url(),
            branch: git.branch(),
            git,
        })
    }

    /// The forge that shows the repository's files, when the remote is a known one.
    pub fn forge(&self) -> Option<Forge> {
        self.remote.as_deref().and_then(Forge::of)
    }
}

/// The last commit that changed each of `files` (display paths, relative to `root`), found in one
/// walk of the history from HEAD; files never committed, and every file outside git, are absent.
/// The walk stops as soon as every file is found, so a clean run pays nothing.
pub fn last_commits<'f>(
    root: &Path,
    files: impl IntoIterator<Item = &'f str>,
) -> HashMap<String, CommitInfo> {
    let mut by_path = HashMap::new();
    let Ok(git) = Git::discover(root) else {
        return by_path;
    };
    let mut displays: HashMap<String, String> = HashMap::new();
    for display in files {
        if let Some(relative) = git.relative(&root.join(display)) {
            displays.insert(relative, display.to_owned());
        }
    }
    if displays.is_empty() {
        return by_path;
    }
    let paths: Vec<String> = displays.keys().cloned().collect();
    if let Ok(found) = git.last_commits(&paths, HISTORY_LIMIT) {
        for (relative, commit) in found {
            if let Some(display) = displays.remove(&relative) {
                by_path.insert(display, commit);
            }
        }
    }
    by_path
}

/// A known forge's web address for a repository, to link evidence files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forge {
    /// `https://host/owner/name`
    pub base: String,
    host: String,
}

impl Forge {
    /// The forge of a remote URL (`https://…`, `ssh://git@…`, `git@host:owner/name.git`), if it
    /// is GitHub, GitLab, Bitbucket or Codeberg.
    pub fn of(url: &str) -> Option<Forge> {
        let rest = match url.split_once("://") {
            Some((_, rest)) => rest.to_owned(),
            None => url.replacen(':', "/", 1),
        };
        let rest = rest.rsplit_once('@').map_or(rest.as_str(), |(_, r)| r);
        let (host, path) = rest.split_once('/')?;
        let host = host.split(':').next()?.to_ascii_lowercase();
        if !["github.com", "gitlab.com", "bitbucket.org", "codeberg.org"].contains(&host.as_str()) {
            return None;
        }
        let path = path.trim_end_matches('/').trim_end_matches(".git");
        if path.split('/').filter(|p| !p.is_empty()).count() < 2
            || !path
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
        {
            return None;
        }
        Some(Forge {
            base: format!("https://{host}/{path}"),
            host,
        })
    }

    /// The web page of `path` (repository-relative) at `sha`.
    pub fn file_link(&self, sha: &str, path: &str) -> String {
        let encoded: String = path
            .split('/')
            .map(|segment| {
                segment
                    .bytes()
                    .map(|b| {
                        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                            (b as char).to_string()
                        } else {
                            format!("%{b:02X}")
                        }
                    })
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("/");
        match self.host.as_str() {
            "gitlab.com" => format!("{}/-/blob/{sha}/{encoded}", self.base),
            "bitbucket.org" => format!("{}/src/{sha}/{encoded}", self.base),
            "codeberg.org" => format!("{}/src/commit/{sha}/{encoded}", self.base),
            _ => format!("{}/blob/{sha}/{encoded}", self.base),
        }
    }
}
