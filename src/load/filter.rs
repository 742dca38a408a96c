//! Include/exclude globs from `opsgate.toml`, matched against paths relative to the directory of
//! the configuration file (so a rule means the same whichever sub-folder is checked).

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

#[derive(Debug, Clone, Default)]
pub struct PathFilter {
    base: Option<PathBuf>,
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
}

impl PathFilter {
    /// Patterns must already be valid (the config parser checks them and reports bad ones).
    pub fn new(base: &Path, include: &[String], exclude: &[String]) -> PathFilter {
        let set = |patterns: &[String]| {
            if patterns.is_empty() {
                return None;
            }
            let mut builder = GlobSetBuilder::new();
            for pattern in patterns {
                if let Ok(glob) = Glob::new(pattern) {
                    builder.add(glob);
                }
            }
            builder.build().ok()
        };
        PathFilter {
            base: Some(base.canonicalize().unwrap_or_else(|_| base.to_path_buf())),
            include: set(include),
            exclude: set(exclude),
        }
    }

    /// Whether `path` is checked. `path` must be lexical under a canonical directory (what the
    /// loader and the git gates produce): it is never resolved through the file system, so a
    /// symlink in the work tree cannot move a file — or its version in git — out of the globs.
    pub fn allows(&self, path: &Path) -> bool {
        let Some(base) = &self.base else { return true };
        let relative = path.strip_prefix(base).unwrap_or(path);
        self.include
            .as_ref()
            .is_none_or(|set| set.is_match(relative))
            && !self
                .exclude
                .as_ref()
                .is_some_and(|set| set.is_match(relative))
    }
}
