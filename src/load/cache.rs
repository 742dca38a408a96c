//! The parse cache: what loading a file produced, kept on disk under the user's cache directory and
//! keyed by the SHA-256 of the file's bytes, so that a pre-commit hook, a `--staged` or `--base` run
//! and a period report parse only what changed since the last run.
//!
//! Only clean files are cached (artifacts, or nothing, and no load finding): a file with a problem
//! is parsed again every run, so every load finding is produced by the parser itself, never replayed.
//! An entry names its content hash, path and limits inside, so a colliding or stale file name is a
//! miss; an entry that does not decode is a miss and is written again. Entries are written to a
//! temporary file and renamed into place, so concurrent runs see whole entries or none.
//!
//! The cache directory is trusted input (README "Trust model"): whoever can write it decides what a
//! file parses to. It is therefore refused when another user owns it or others may write to it,
//! and it is off by default in CI (`CI` set), where caches are often restored from runs of other
//! branches.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::position::{PositionIndex, TextRange};
use super::LoadLimits;

/// The parser build: entries written by another build (another loader, another kind table) live in
/// another directory and are never read.
const PARSER_ID: &str = env!("OPSGATE_PARSER_ID");

/// What an entry file starts with (then the payload's SHA-256, then the payload).
const MAGIC: &[u8; 8] = b"OGPC\x00\x00\x00\x03";

/// What an entry of [`ParseCache::put_bytes`] starts with (then its digest, the payload's SHA-256
/// and the payload).
const BYTES_MAGIC: &[u8; 8] = b"OGPB\x00\x00\x00\x01";

/// Default bound on the cache's size on disk.
pub const DEFAULT_MAX_BYTES: u64 = 256 * 1024 * 1024;

/// Why a cache directory is not used (reported once as a warning; the run goes on without it).
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("cannot create the parse cache directory {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the parse cache directory {path} is {why}; it is not used (whoever can write it decides \
         what a file parses to)"
    )]
    Unsafe { path: PathBuf, why: String },
    #[error(
        "the parse cache directory {path} is inside the checked repository ({repository}); it is \
         not used (the change under review could write what its files parse to and what the \
         policies compile to)"
    )]
    Inside { path: PathBuf, repository: PathBuf },
}

/// An open cache directory for this parser build.
#[derive(Debug)]
pub struct ParseCache {
    dir: PathBuf,
    max_bytes: u64,
    wrote: AtomicBool,
    /// The entries this run read or wrote: pruning never removes them. Pruning the oldest written
    /// would otherwise remove what every run reads (a read does not make an entry newer) whenever
    /// one repository's entries exceed the bound, and each run would parse and write a quarter of
    /// them again (100k artifacts: ~10 s of system time per run).
    used: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
}

/// One artifact of a cached file: everything [`crate::model::Artifact`] holds except its file index.
#[derive(Serialize, Deserialize)]
pub struct CachedArtifact {
    pub id: String,
    pub has_id: bool,
    pub kind: String,
    pub document: usize,
    /// The document as JSON text: the value type cannot be rebuilt by a non-self-describing
    /// format, and JSON keeps the key order the findings' pointers follow.
    pub value: String,
    pub positions: PositionIndex,
    pub start: TextRange,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    content: [u8; 32],
    display: String,
    limits: String,
    artifacts: Vec<CachedArtifact>,
}

/// What identifies one parse: the bytes, the path (ids of artifacts without one name it) and limits.
pub struct Key {
    content: [u8; 32],
    display: String,
    limits: String,
}

impl Key {
    pub fn new(bytes: &[u8], display: &str, limits: &LoadLimits) -> Key {
        Key {
            content: Sha256::digest(bytes).into(),
            display: display.to_owned(),
            limits: Key::limits_of(limits),
        }
    }

    fn limits_of(limits: &LoadLimits) -> String {
        format!("{}:{:?}", limits.max_file_bytes, limits.yaml)
    }

    fn file_name(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.content);
        hasher.update(self.display.as_bytes());
        hasher.update([0]);
        hasher.update(self.limits.as_bytes());
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// What identifies the parse of one git blob, read without reading the blob: its object id, the
/// path and the limits. git checked, when the entry was written, that the blob's content hashes to
/// that id (libgit2 verifies every object it reads), so the id stands for the content the way
/// [`Key`]'s SHA-256 does; the entry carries the text too, for the diagnostics that quote it.
pub struct BlobKey {
    oid: Vec<u8>,
    display: String,
    limits: String,
}

impl BlobKey {
    pub fn new(oid: &[u8], display: &str, limits: &LoadLimits) -> BlobKey {
        BlobKey {
            oid: oid.to_vec(),
            display: display.to_owned(),
            limits: Key::limits_of(limits),
        }
    }

    /// Domain-separated from every other entry's name (parse entries, kept programs).
    fn digest(&self) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(b"opsgate blob parse\0");
        for part in [
            self.oid.as_slice(),
            self.display.as_bytes(),
            self.limits.as_bytes(),
        ] {
            hasher.update(part.len().to_le_bytes());
            hasher.update(part);
        }
        hasher.finalize().into()
    }
}

#[derive(Serialize, Deserialize)]
struct BlobEntry {
    oid: Vec<u8>,
    display: String,
    limits: String,
    text: String,
    artifacts: Vec<CachedArtifact>,
}

impl ParseCache {
    /// [`ParseCache::open`], refusing (before creating anything) a directory inside any of
    /// `repository` — the checked path, the repository's work tree and git directories — or one
    /// that holds them: a cache there is written by whoever writes the repository.
    pub fn open_outside(
        root: &Path,
        max_bytes: u64,
        repository: &[PathBuf],
    ) -> Result<ParseCache, CacheError> {
        let at = resolved(root);
        for place in repository {
            let place = resolved(place);
            if at.starts_with(&place) || place.starts_with(&at) {
                return Err(CacheError::Inside {
                    path: root.to_owned(),
                    repository: place,
                });
            }
        }
        ParseCache::open(root, max_bytes)
    }

    /// Opens (creating) `root/<parser build>/`, refusing a directory others can write.
    pub fn open(root: &Path, max_bytes: u64) -> Result<ParseCache, CacheError> {
        let dir = root.join(PARSER_ID);
        private_dirs(&dir).map_err(|source| CacheError::Create {
            path: dir.clone(),
            source,
        })?;
        for path in [root, dir.as_path()] {
            if let Some(why) = unsafe_because(path) {
                return Err(CacheError::Unsafe {
                    path: path.to_owned(),
                    why,
                });
            }
        }
        Ok(ParseCache {
            dir,
            max_bytes,
            wrote: AtomicBool::new(false),
            used: Default::default(),
        })
    }

    fn path_of(&self, key: &Key) -> PathBuf {
        let name = key.file_name();
        self.dir.join(&name[..2]).join(&name[2..])
    }

    /// The cached parse of `key`, or `None` (absent, unreadable, corrupt or another key's).
    pub fn get(&self, key: &Key) -> Option<Vec<CachedArtifact>> {
        let path = self.path_of(key);
        let bytes = std::fs::read(&path).ok()?;
        let payload = checked(bytes.strip_prefix(MAGIC)?)?;
        let entry: Entry = postcard::from_bytes(payload).ok()?;
        let hit = entry.content == key.content
            && entry.display == key.display
            && entry.limits == key.limits;
        hit.then(|| {
            self.mark_used(path);
            entry.artifacts
        })
    }

    fn mark_used(&self, path: PathBuf) {
        // A poisoned lock still holds a usable set (an insert cannot leave it half-done).
        let mut used = self
            .used
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        used.insert(path);
    }

    /// Records the parse of `key`. Failures are ignored: the cache only ever saves time.
    pub fn put(&self, key: &Key, artifacts: Vec<CachedArtifact>) {
        let entry = Entry {
            content: key.content,
            display: key.display.clone(),
            limits: key.limits.clone(),
            artifacts,
        };
        let Ok(payload) = postcard::to_stdvec(&entry) else {
            return;
        };
        self.write(&self.path_of(key), &[MAGIC], &payload);
    }

    /// Writes `header`, the payload's SHA-256 and `payload` to `path`: to a temporary file renamed
    /// into place, so concurrent runs see whole entries or none. Failures are ignored.
    fn write(&self, path: &Path, header: &[&[u8]], payload: &[u8]) {
        let Some(parent) = path.parent() else { return };
        if std::fs::create_dir_all(parent).is_err() {
            return;
        }
        let written = tempfile::NamedTempFile::new_in(parent).and_then(|mut file| {
            for part in header {
                file.write_all(part)?;
            }
            file.write_all(&Sha256::digest(payload))?;
            file.write_all(payload)?;
            file.persist(path).map_err(|e| e.error)?;
            Ok(())
        });
        if written.is_ok() {
            self.wrote.store(true, Ordering::Relaxed);
            self.mark_used(path.to_owned());
        }
    }

    /// The bytes kept under `digest` by [`ParseCache::put_bytes`] (the compiled policy program:
    /// src/evaluate/compiled.rs), or `None` (absent, unreadable, or another digest's).
    pub fn get_bytes(&self, digest: &[u8; 32]) -> Option<Vec<u8>> {
        let path = self.path_of_digest(digest);
        let bytes = std::fs::read(&path).ok()?;
        let rest = bytes.strip_prefix(BYTES_MAGIC)?;
        let rest = rest.strip_prefix(digest.as_slice())?;
        let payload = checked(rest).map(<[u8]>::to_vec)?;
        self.mark_used(path);
        Some(payload)
    }

    /// Keeps `payload` under `digest`, a hash its reader computes from everything the bytes were
    /// made from. Failures are ignored, as for [`ParseCache::put`].
    pub fn put_bytes(&self, digest: &[u8; 32], payload: &[u8]) {
        self.write(
            &self.path_of_digest(digest),
            &[BYTES_MAGIC, digest],
            payload,
        );
    }

    /// The text and parse of the blob of `key`, or `None` (absent, damaged or another key's).
    pub fn get_blob(&self, key: &BlobKey) -> Option<(String, Vec<CachedArtifact>)> {
        let payload = self.get_bytes(&key.digest())?;
        let entry: BlobEntry = postcard::from_bytes(&payload).ok()?;
        (entry.oid == key.oid && entry.display == key.display && entry.limits == key.limits)
            .then_some((entry.text, entry.artifacts))
    }

    /// Records the text and parse of the blob of `key`. Failures are ignored.
    pub fn put_blob(&self, key: &BlobKey, text: &str, artifacts: Vec<CachedArtifact>) {
        let entry = BlobEntry {
            oid: key.oid.clone(),
            display: key.display.clone(),
            limits: key.limits.clone(),
            text: text.to_owned(),
            artifacts,
        };
        if let Ok(payload) = postcard::to_stdvec(&entry) {
            self.put_bytes(&key.digest(), &payload);
        }
    }

    fn path_of_digest(&self, digest: &[u8; 32]) -> PathBuf {
        let name: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(&name[..2]).join(&name[2..])
    }

    /// Keeps the cache under its bound after a run that wrote to it: the oldest entries go first,
    /// down to three quarters of the bound, so that the next few runs do not prune again; what this
    /// run read or wrote stays (the cache may then exceed its bound by one run's entries).
    pub fn prune(&self) {
        if !self.wrote.load(Ordering::Relaxed) {
            return;
        }
        let mut entries = entries_under(&self.dir);
        let mut total: u64 = entries.iter().map(|e| e.1).sum();
        if total <= self.max_bytes {
            return;
        }
        entries.sort_by_key(|e| e.2);
        let used = std::mem::take(
            &mut *self
                .used
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for (path, size, _) in entries {
            if total <= self.max_bytes / 4 * 3 {
                break;
            }
            if used.contains(&path) {
                continue;
            }
            if std::fs::remove_file(&path).is_ok() {
                total = total.saturating_sub(size);
            }
        }
    }
}

/// The payload of `bytes` (its SHA-256, then the payload) when the two agree. Damage that still
/// decodes (a flipped bit in an artifact's value, or in a program's literal) would otherwise be
/// read as another file or another policy: the entry's own hash tells it from a whole one.
fn checked(bytes: &[u8]) -> Option<&[u8]> {
    let (sum, payload) = bytes.split_at_checked(32)?;
    (sum == Sha256::digest(payload).as_slice()).then_some(payload)
}

/// `path` absolute, through the real path of its nearest existing ancestor (symlinks resolved),
/// the rest appended as written with `.` and `..` applied: a directory that does not exist yet is
/// placed where creating it would put it.
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    while std::fs::metadata(existing).is_err() {
        let (Some(parent), Some(name)) = (existing.parent(), existing.file_name()) else {
            break;
        };
        rest.push(name.to_owned());
        existing = parent;
    }
    let mut out = std::fs::canonicalize(existing).unwrap_or_else(|_| existing.to_owned());
    for name in rest.iter().rev() {
        match name.to_str() {
            Some(".") => {}
            Some("..") => {
                out.pop();
            }
            _ => out.push(name),
        }
    }
    out
}

/// Creates `dir` and its missing parents readable by this user only (a umask of 002 would
/// otherwise leave them group-writable, and then refused).
fn private_dirs(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// (path, size, modified) of every entry.
fn entries_under(dir: &Path) -> Vec<(PathBuf, u64, std::time::SystemTime)> {
    let shards = std::fs::read_dir(dir).into_iter().flatten().flatten();
    shards
        .filter_map(|shard| std::fs::read_dir(shard.path()).ok())
        .flat_map(|files| files.flatten())
        .filter_map(|file| {
            let meta = file.metadata().ok()?;
            let modified = meta.modified().ok()?;
            meta.is_file().then(|| (file.path(), meta.len(), modified))
        })
        .collect()
}

/// Why `path` must not be trusted: a symlink, owned by another user, or writable by others.
#[cfg(unix)]
fn unsafe_because(path: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt as _;
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(error) => return Some(format!("unreadable ({error})")),
    };
    if meta.file_type().is_symlink() {
        return Some("a symbolic link".into());
    }
    // Who this process is, without unsafe code: the owner of a file it has just created there.
    let me = match tempfile::tempfile_in(path).and_then(|f| f.metadata()) {
        Ok(created) => created.uid(),
        Err(error) => return Some(format!("not writable ({error})")),
    };
    if meta.uid() != me {
        return Some(format!("owned by user {} (this is user {me})", meta.uid()));
    }
    if meta.mode() & 0o022 != 0 {
        return Some(format!(
            "writable by its group or others (mode {:o})",
            meta.mode() & 0o777
        ));
    }
    None
}

#[cfg(not(unix))]
fn unsafe_because(_path: &Path) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(id: &str) -> CachedArtifact {
        CachedArtifact {
            id: id.into(),
            has_id: true,
            kind: "Service".into(),
            document: 0,
            value: format!("{{\"metadata\":{{\"id\":\"{id}\"}}}}"),
            positions: PositionIndex::default(),
            start: TextRange::default(),
        }
    }

    #[test]
    fn an_entry_round_trips_and_answers_only_its_own_key() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ParseCache::open(dir.path(), DEFAULT_MAX_BYTES).unwrap();
        let limits = LoadLimits::default();
        let key = Key::new(b"a", "a.yaml", &limits);
        cache.put(&key, vec![artifact("svc-a")]);
        let got = cache.get(&key).expect("a hit");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].id, "svc-a");
        assert!(cache.get(&Key::new(b"b", "a.yaml", &limits)).is_none());
        // Another key's entry in this key's place is a miss, not its artifacts.
        let other = Key::new(b"b", "b.yaml", &limits);
        std::fs::create_dir_all(cache.path_of(&other).parent().unwrap()).unwrap();
        std::fs::copy(cache.path_of(&key), cache.path_of(&other)).unwrap();
        assert!(cache.get(&other).is_none());
    }

    /// Eight entries written 20 ms apart (oldest first), read through `probe` (no bound), and the
    /// same directory opened with a bound of four entries.
    fn eight_entries_over_a_bound_of_four() -> (tempfile::TempDir, ParseCache, Vec<Key>, ParseCache)
    {
        let dir = tempfile::tempdir().unwrap();
        let limits = LoadLimits::default();
        let probe = ParseCache::open(dir.path(), u64::MAX).unwrap();
        let keys: Vec<Key> = (0..8)
            .map(|i| Key::new(&[i], &format!("{i}.yaml"), &limits))
            .collect();
        for key in &keys {
            probe.put(key, vec![artifact("svc-a")]);
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let size = std::fs::metadata(probe.path_of(&keys[0])).unwrap().len();
        let cache = ParseCache::open(dir.path(), size * 4).unwrap();
        (dir, probe, keys, cache)
    }

    #[test]
    fn pruning_removes_the_oldest_entries_down_to_three_quarters_of_the_bound() {
        let (_dir, _probe, keys, cache) = eight_entries_over_a_bound_of_four();
        cache.prune();
        assert_eq!(
            entries_under(&cache.dir).len(),
            8,
            "a run that wrote nothing prunes nothing"
        );
        cache.put(&keys[7], vec![artifact("svc-a")]);
        cache.prune();
        let left: Vec<bool> = keys.iter().map(|k| cache.get(k).is_some()).collect();
        assert_eq!(left, [false, false, false, false, false, true, true, true]);
    }

    /// What a run read stays, however old: pruning the oldest-written first would remove what every
    /// run reads once a repository's entries exceed the bound.
    #[test]
    fn pruning_keeps_what_this_run_read() {
        let (_dir, probe, keys, cache) = eight_entries_over_a_bound_of_four();
        assert!(cache.get(&keys[0]).is_some() && cache.get(&keys[1]).is_some());
        cache.put(&keys[7], vec![artifact("svc-a")]);
        cache.prune();
        let left: Vec<bool> = keys.iter().map(|k| probe.get(k).is_some()).collect();
        assert_eq!(left, [true, true, false, false, false, false, false, true]);
    }
}
