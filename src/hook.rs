//! `opsgate hook install|uninstall`: a plain git pre-commit hook that runs `opsgate check --staged`,
//! for teams that do not use the pre-commit framework. It never replaces a hook it did not write
//! unless told to, and uninstall removes only its own.

use std::path::{Path, PathBuf};

use crate::git::{Git, GitError};

/// Marks a hook as ours.
pub const MARKER: &str = "# opsgate-managed-hook";

#[derive(Debug, thiserror::Error)]
pub enum HookError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error("{0} already exists and was not written by opsgate; use --force to replace it")]
    Foreign(PathBuf),
    #[error("{0} was not written by opsgate; remove it yourself if you mean to")]
    NotOurs(PathBuf),
    #[error("no pre-commit hook installed at {0}")]
    Missing(PathBuf),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Where git looks for the pre-commit hook: `core.hooksPath`, else the `hooks` folder of the
/// repository's common directory — shared by every linked worktree (git never runs hooks from
/// `.git/worktrees/<name>/hooks`).
pub fn hook_path(git: &Git) -> PathBuf {
    let repo = git.repository();
    let configured = repo
        .config()
        .ok()
        .and_then(|config| config.get_path("core.hooksPath").ok());
    let dir = match configured {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => git.workdir.join(dir),
        None => repo.commondir().join("hooks"),
    };
    dir.join("pre-commit")
}

fn script(binary: &Path) -> String {
    let quoted = binary.display().to_string().replace('\'', "'\\''");
    format!(
        "#!/bin/sh\n{MARKER}\n# Installed by `opsgate hook install`; remove with `opsgate hook uninstall`.\n\
         # Checks exactly what is staged; bypass once with `git commit --no-verify`.\n\
         opsgate='{quoted}'\n\
         [ -x \"$opsgate\" ] || opsgate=opsgate\n\
         exec \"$opsgate\" check --staged\n"
    )
}

pub fn install(start: &Path, force: bool) -> Result<PathBuf, HookError> {
    let git = Git::discover(start)?;
    let path = hook_path(&git);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        if !existing.contains(MARKER) && !force {
            return Err(HookError::Foreign(path));
        }
    } else if path.exists() && !force {
        return Err(HookError::Foreign(path));
    }
    let binary = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("opsgate"));
    let io = |source| HookError::Io {
        path: path.clone(),
        source,
    };
    crate::write::write_atomically(&path, script(&binary).as_bytes(), true).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).map_err(io)?;
    }
    Ok(path)
}

pub fn uninstall(start: &Path) -> Result<PathBuf, HookError> {
    let git = Git::discover(start)?;
    let path = hook_path(&git);
    match std::fs::read_to_string(&path) {
        Ok(text) if text.contains(MARKER) => {
            std::fs::remove_file(&path).map_err(|source| HookError::Io {
                path: path.clone(),
                source,
            })?;
            Ok(path)
        }
        Ok(_) => Err(HookError::NotOurs(path)),
        Err(_) => Err(HookError::Missing(path)),
    }
}
