//! Writing files without ever leaving half of one: a temporary file in the same directory, synced,
//! then renamed into place.

use std::io::Write as _;
use std::path::Path;

/// Writes `content` to `path` atomically; with `replace` false an existing file is never touched.
pub fn write_atomically(path: &Path, content: &[u8], replace: bool) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    temp.write_all(content)?;
    temp.as_file().sync_all()?;
    if replace {
        temp.persist(path).map_err(|e| e.error)?;
    } else {
        temp.persist_noclobber(path).map_err(|e| e.error)?;
    }
    Ok(())
}
