//! Who configures the gate: the configuration and the team's policies are read from the side of a
//! change the gate trusts, never from the change under review.
//!
//! | mode | artifacts from | configuration and policies from |
//! |---|---|---|
//! | `check DIR` | the work tree | the work tree |
//! | `check --staged` | the index git commits from | that index (what is being committed) |
//! | `check --base REV` | HEAD (or `--head`, or the work tree with `--worktree`) | the merge base |
//!
//! A configuration or policy file the change edits is reported (GIT-005) and has no effect on
//! the run that reviews it. Inside a git repository the configuration is the repository root's
//! `opsgate.toml` (or `--config`); a nested `opsgate.toml` is refused rather than silently
//! replacing it.

use std::path::{Path, PathBuf};

use crate::config::{Config, ConfigError, ConfigProblem, FILE_NAME};
use crate::evaluate::{read_policy_dir, PolicyError, PolicyFile};
use crate::git::{Git, GitError, Side};

/// Repository paths whose change changes the gate itself: reported as GIT-005.
#[derive(Debug, Clone, Default)]
pub struct GatePaths {
    /// Exact files (the configuration in use).
    pub files: Vec<String>,
    /// Directories (the policy directories), no trailing `/`.
    pub dirs: Vec<String>,
}

impl GatePaths {
    /// Whether a change to `path` changes what opsgate checks against: the configuration in use,
    /// any `opsgate.toml` (a nested one is refused, and may be meant to take over), or a file of
    /// a policy directory.
    pub fn contains(&self, path: &str) -> bool {
        let name = path.rsplit('/').next().unwrap_or(path);
        name == FILE_NAME
            || self.files.iter().any(|file| file == path)
            || self
                .dirs
                .iter()
                .any(|dir| dir.is_empty() || dir == path || Git::under(path, dir).is_some())
    }
}

/// What the gate is configured by, read from the trusted side.
#[derive(Debug, Default)]
pub struct Setup {
    pub config: Config,
    pub policy_files: Vec<PolicyFile>,
    pub gate_paths: GatePaths,
    /// The directory include/exclude globs are relative to, on disk.
    pub filter_base: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error("configuration file {0} does not exist{1}")]
    MissingConfig(PathBuf, &'static str),
    #[error("two configurations apply to {checked}: the repository's {root} and the nested {nested}; opsgate uses one configuration per repository")]
    Nested {
        checked: PathBuf,
        root: String,
        nested: String,
    },
}

impl SetupError {
    pub fn help(&self) -> Option<&'static str> {
        match self {
            SetupError::Nested { .. } => Some("merge the nested file into the root opsgate.toml (its include/exclude globs can scope sub-folders), or pass --config to name the one to use"),
            _ => None,
        }
    }
}

/// The request, as the command line states it.
pub struct Request<'a> {
    pub path: &'a Path,
    pub config: Option<&'a Path>,
    pub no_config: bool,
    pub policy_dirs: &'a [PathBuf],
    /// What the configuration may name ([`crate::config::Known`]).
    pub known: crate::config::Known<'a>,
}

/// Reads the configuration and the team's policies from `side` of the repository `git` (the work
/// tree outside git).
pub fn resolve(request: &Request<'_>, git: Option<&Git>, side: Side) -> Result<Setup, SetupError> {
    let mut setup = Setup::default();
    let located = if request.no_config {
        None
    } else {
        locate(request, git, side)?
    };
    let mut problems = Vec::new();
    if let Some((file, bytes, relative)) = located {
        let (config, found) = Config::parse_all(&bytes, &file, request.known)?;
        setup.config = config;
        problems = found;
        setup.filter_base = file.parent().map(Path::to_path_buf);
        if let Some(relative) = relative {
            setup.gate_paths.files.push(relative);
        }
    }
    let config_dir = setup.filter_base.clone();
    let mut dirs: Vec<(PathBuf, Option<std::ops::Range<usize>>)> = Vec::new();
    for (dir, span) in &setup.config.policy_dirs {
        let base = config_dir.as_deref().unwrap_or(Path::new("."));
        dirs.push((base.join(dir), Some(span.clone())));
    }
    dirs.extend(request.policy_dirs.iter().map(|d| (d.clone(), None)));
    for (dir, span) in dirs {
        let read = read_policies(git, side, &dir, &mut setup.gate_paths);
        match (read, span) {
            (Ok(files), _) => setup.policy_files.extend(files),
            (Err(message), Some(span)) => problems.push(ConfigProblem {
                message,
                span,
                help: Some("paths are relative to the configuration file's directory".into()),
            }),
            (Err(message), None) => return Err(PolicyError::plain(message).into()),
        }
    }
    // Unknown rule codes are reported with every other problem, before anything is checked.
    if setup.config.names_rules() {
        let policies = crate::evaluate::PolicySet::load(
            &setup.policy_files,
            std::time::Duration::from_secs(5),
        )?;
        problems.extend(setup.config.code_problems(&policies.registry));
    }
    if problems.is_empty() {
        Ok(setup)
    } else {
        Err(setup.config.error(problems).into())
    }
}

/// A configuration file found: its path on disk, its content on the side read, and its
/// repository-relative path when it is inside the repository.
type Located = (PathBuf, Vec<u8>, Option<String>);

/// The configuration file that applies.
fn locate(
    request: &Request<'_>,
    git: Option<&Git>,
    side: Side,
) -> Result<Option<Located>, SetupError> {
    let on_side = |git: &Git, relative: &str| git.read(side, relative);
    if let Some(file) = request.config {
        let relative = git.and_then(|g| inside(g, file));
        let bytes = match (git, &relative) {
            (Some(git), Some(relative)) => on_side(git, relative)?,
            _ => std::fs::read(file).ok(),
        };
        return match bytes {
            Some(bytes) => Ok(Some((file.to_path_buf(), bytes, relative))),
            None => Err(SetupError::MissingConfig(
                file.to_path_buf(),
                side_words(side),
            )),
        };
    }
    let Some(git) = git else {
        return Ok(crate::config::find(request.path)
            .and_then(|file| std::fs::read(&file).ok().map(|bytes| (file, bytes, None))));
    };
    refuse_nested(request.path, git, side)?;
    let root = git.workdir.join(FILE_NAME);
    Ok(on_side(git, FILE_NAME)?.map(|bytes| (root, bytes, Some(FILE_NAME.to_owned()))))
}

fn side_words(side: Side) -> &'static str {
    match side {
        Side::WorkTree => "",
        Side::Index => " in the index (stage it, or pass a configuration outside the repository)",
        Side::Commit(_) => " in the base revision, which the gate takes its configuration from",
    }
}

/// A nested `opsgate.toml` between the checked path and the repository root is an error.
fn refuse_nested(path: &Path, git: &Git, side: Side) -> Result<(), SetupError> {
    let absolute = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let Some(mut relative) = git.relative(&absolute) else {
        return Ok(());
    };
    if absolute.is_file() {
        relative = relative
            .rsplit_once('/')
            .map_or(String::new(), |(dir, _)| dir.to_owned());
    }
    let mut dir = relative.as_str();
    while !dir.is_empty() {
        let candidate = format!("{dir}/{FILE_NAME}");
        if git.read(side, &candidate)?.is_some() {
            return Err(SetupError::Nested {
                checked: path.to_path_buf(),
                root: FILE_NAME.to_owned(),
                nested: candidate,
            });
        }
        dir = dir.rsplit_once('/').map_or("", |(parent, _)| parent);
    }
    Ok(())
}

/// `path` relative to the repository's work tree, when it lies inside it. The part inside the
/// repository is taken as written (`.` and `..` resolved lexically), never through the file
/// system: a symlink the change commits must not move a configuration or policy path out of the
/// repository, where it would be read from disk instead of the trusted side.
pub fn inside(git: &Git, path: &Path) -> Option<String> {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let normal = lexical(&absolute);
    // Directories above the repository may be symlinks of the machine's own (a `/tmp` link):
    // resolve ancestors until one is the work tree, and keep the rest as written.
    let shallow_first: Vec<&Path> = normal.ancestors().collect();
    for ancestor in shallow_first.into_iter().rev() {
        if ancestor.canonicalize().is_ok_and(|c| c == git.workdir) {
            let tail = normal.strip_prefix(ancestor).ok()?;
            return crate::git::repo_path(tail);
        }
    }
    None
}

/// `path` with `.` and `..` resolved without touching the file system.
fn lexical(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The `.rego` files of `dir`: from `side` when the directory is inside the repository (and
/// then a gate path), from disk otherwise.
fn read_policies(
    git: Option<&Git>,
    side: Side,
    dir: &Path,
    gate_paths: &mut GatePaths,
) -> Result<Vec<PolicyFile>, String> {
    let relative = git.and_then(|g| inside(g, dir));
    match (git, relative) {
        (Some(git), Some(relative)) if side != Side::WorkTree => {
            gate_paths.dirs.push(relative.clone());
            let files = git
                .files_under(side, &relative, ".rego")
                .map_err(|e| e.to_string())?;
            if files.is_empty() && !files_exist(git, side, &relative) {
                return Err(format!(
                    "policy directory `{relative}` does not exist{}",
                    side_words(side)
                ));
            }
            files
                .into_iter()
                .map(|(path, bytes)| match String::from_utf8(bytes) {
                    Ok(text) => Ok((path, text.into())),
                    Err(_) => Err(format!("policy file `{path}` is not valid UTF-8")),
                })
                .collect()
        }
        (git, relative) => {
            if let Some(relative) = relative.filter(|_| git.is_some()) {
                gate_paths.dirs.push(relative);
            }
            if !dir.is_dir() {
                return Err(format!(
                    "policy directory `{}` does not exist",
                    dir.display()
                ));
            }
            read_policy_dir(dir).map_err(|e| e.to_string())
        }
    }
}

/// Whether any file lies under `dir` on `side` (a policy folder may hold no `.rego` file yet).
fn files_exist(git: &Git, side: Side, dir: &str) -> bool {
    git.files_under(side, dir, "")
        .is_ok_and(|files| !files.is_empty())
}
