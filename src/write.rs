//! Writing files without ever leaving half of one: a temporary file in the same directory, synced,
//! then renamed into place.
//!
//! The temporary file is registered before it exists, so an interrupted run (SIGINT, SIGTERM,
//! SIGHUP: the binary's signal thread calls [`remove_pending`]) removes it instead of leaving tens
//! of megabytes of half-written report behind.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Temporary files being written right now.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes every temporary file being written (on a signal, just before the process exits).
pub fn remove_pending() {
    let pending = match PENDING.lock() {
        Ok(pending) => pending,
        Err(poisoned) => poisoned.into_inner(),
    };
    for path in pending.iter() {
        let _ = std::fs::remove_file(path);
    }
}

/// A registered temporary path: unregistered (and removed, unless persisted) when dropped.
struct Pending(PathBuf);

impl Pending {
    fn new(path: PathBuf) -> Pending {
        if let Ok(mut pending) = PENDING.lock() {
            pending.push(path.clone());
        }
        Pending(path)
    }

    /// Unregisters the path without removing the file (it is not ours).
    fn release(self) {
        if let Ok(mut pending) = PENDING.lock() {
            pending.retain(|p| *p != self.0);
        }
        std::mem::forget(self);
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        if let Ok(mut pending) = PENDING.lock() {
            pending.retain(|p| *p != self.0);
        }
    }
}

/// Writes `content` to `path` atomically; with `replace` false an existing file is never touched.
pub fn write_atomically(path: &Path, content: &[u8], replace: bool) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let (temp, mut file) = create_temp(dir, path)?;
    file.write_all(content)?;
    // A report or a scaffolded file should be as readable as one the user's editor would create,
    // or keep the mode of the file it replaces.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_or(0o644, |m| m.permissions().mode() & 0o7777);
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    file.sync_all()?;
    drop(file);
    if replace {
        std::fs::rename(&temp.0, path)?;
    } else {
        // A hard link fails if `path` exists: no race with another writer.
        std::fs::hard_link(&temp.0, path)?;
    }
    Ok(())
}

/// A new, private temporary file next to `path`, registered before it is created.
fn create_temp(dir: &Path, path: &Path) -> std::io::Result<(Pending, std::fs::File)> {
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let mut attempt = 0u32;
    loop {
        let temp = Pending::new(dir.join(format!(".{name}.{}.{attempt}.tmp", std::process::id())));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&temp.0) {
            Ok(file) => return Ok((temp, file)),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                // Left by another process: not ours to remove.
                temp.release();
                attempt += 1;
            }
            Err(error) => {
                temp.release();
                return Err(error);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replace_or_refuse_and_leave_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_atomically(&path, b"one", true).unwrap();
        write_atomically(&path, b"two", true).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert!(write_atomically(&path, b"three", false).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out.json")]);
        assert!(PENDING.lock().unwrap().is_empty());
    }
}
