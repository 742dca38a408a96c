//! Shared helpers for CLI tests: temporary repositories and runs of the real binary.
#![allow(dead_code)]

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

pub const AS_OF: &str = "2026-11-24";

/// A minimal valid Person document (its own owner, so references resolve).
pub fn person(id: &str) -> String {
    format!("apiVersion: opsgate/v1\nkind: Person\nmetadata:\n  id: {id}\n  title: {id}\n  owner: {id}\nspec:\n  name: Pat Doe\n  title: Engineer\n")
}

pub fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create dirs");
    }
    std::fs::write(path, content).expect("write file");
}

pub fn opsgate() -> Command {
    let mut cmd = Command::cargo_bin("opsgate").expect("binary built");
    cmd.env_remove("OPSGATE_BUILTIN_POLICIES")
        .env_remove("OPSGATE_NO_CACHE")
        .env("NO_COLOR", "1")
        // One parse cache shared by every test run of the binary: it stays out of the user's own
        // cache, and every test's later runs read what earlier ones wrote, which the cache must
        // never change the outcome of.
        .env("OPSGATE_CACHE_DIR", shared_cache_dir());
    cmd
}

/// Outside this repository (opsgate refuses a cache inside the repository it checks, and the
/// tests check fixtures/ in place), one per checkout.
pub fn shared_cache_dir() -> std::path::PathBuf {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    env!("CARGO_MANIFEST_DIR").hash(&mut hasher);
    std::env::temp_dir().join(format!("opsgate-test-cache-{:016x}", hasher.finish()))
}

/// Runs `opsgate check DIR --format json` and returns the exit code and the parsed document.
pub fn check_json(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let output = opsgate()
        .arg("check")
        .arg(dir)
        .args(["--format", "json", "--as-of", AS_OF])
        .args(extra)
        .output()
        .expect("runs");
    let code = output.status.code().expect("exit code");
    let json = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (code, json)
}

/// (code, file, line) of every finding.
pub fn findings(json: &Value) -> Vec<(String, String, u64)> {
    json["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_owned(),
                f["file"].as_str().unwrap_or_default().to_owned(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

pub fn codes(json: &Value) -> Vec<String> {
    findings(json)
        .into_iter()
        .map(|(code, _, _)| code)
        .collect()
}

/// Copies a directory tree (the fixtures into a temporary repository).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Runs the `git` program in `dir` as a fixed test identity; returns its trimmed stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=Dev", "-c", "user.email=dev@example.com"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// The compliant example set (fixtures/acme).
pub fn acme() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/acme")
}

/// A repository holding the example plus `extra` files, committed on `main`; with `branch`, that
/// branch is then checked out (a pull request's head).
pub fn acme_repo(extra: &[(&str, &str)], branch: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    copy_dir(&acme(), dir.path());
    for (name, text) in extra {
        write(dir.path(), name, text);
    }
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "acme"]);
    if let Some(branch) = branch {
        git(dir.path(), &["checkout", "-q", "-b", branch]);
    }
    dir
}

/// Replaces the first `from` in `file` (which must hold it) with `to`.
pub fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).expect("readable file");
    assert!(text.contains(from), "{file} has no `{from}`");
    std::fs::write(path, text.replacen(from, to, 1)).expect("write file");
}

/// Commits everything in the work tree.
pub fn commit_all(dir: &Path) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "change"]);
}

/// Runs git as `author`, dated `date` (author and committer): a day (`YYYY-MM-DD`, at noon UTC)
/// or a whole RFC 3339 time.
pub fn git_at(dir: &Path, author: &str, date: &str, args: &[&str]) -> String {
    let at = if date.contains('T') {
        date.to_owned()
    } else {
        format!("{date}T12:00:00Z")
    };
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            &format!("user.name={author}"),
            "-c",
            "user.email=dev@example.com",
        ])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .env("GIT_AUTHOR_DATE", &at)
        .env("GIT_COMMITTER_DATE", &at)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}
