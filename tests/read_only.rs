//! opsgate only reads: every command that exists to look (not `init`, `new`, `hook`, `--output`)
//! leaves the working tree, the index and the rest of `.git` byte-identical.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;

/// Every file under `root`, `.git` included, with its bytes.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("read");
                files.insert(
                    path.strip_prefix(root).expect("inside").to_path_buf(),
                    bytes,
                );
            }
        }
    }
    files
}

#[test]
fn read_only_commands_leave_the_worktree_and_the_index_byte_identical() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/acme"),
        repo,
    );
    git(repo, &["init", "-q", "-b", "main"]);
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", "base"]);
    // A change staged, then edited again; another file changed but not staged; one untracked.
    let mut files: Vec<PathBuf> = snapshot(repo)
        .into_keys()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml") && !p.starts_with(".git"))
        .collect();
    files.sort();
    let staged = repo.join(&files[0]);
    let text = std::fs::read_to_string(&staged).expect("read");
    std::fs::write(&staged, text.replacen("title: ", "title: Staged ", 1)).expect("write");
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", "second"]);
    std::fs::write(&staged, text.replacen("title: ", "title: Staged again ", 1)).expect("write");
    git(repo, &["add", &files[0].to_string_lossy()]);
    std::fs::write(
        &staged,
        text.replacen("title: ", "title: Edited after staging ", 1),
    )
    .expect("write");
    let unstaged = repo.join(&files[1]);
    let other = std::fs::read_to_string(&unstaged).expect("read");
    std::fs::write(&unstaged, other.replacen("title: ", "title: Unstaged ", 1)).expect("write");
    write(repo, "ops/untracked.yaml", person("p-untracked"));

    let before = snapshot(repo);
    let path = repo.to_string_lossy().into_owned();
    let commands: Vec<Vec<&str>> = vec![
        vec!["check", &path],
        vec!["check", &path, "--format", "json"],
        vec!["check", &path, "--format", "sarif"],
        vec!["check", &path, "--format", "junit"],
        vec!["check", &path, "--format", "github"],
        vec!["check", &path, "--format", "markdown"],
        vec!["check", &path, "--staged"],
        vec!["check", &path, "--base", "HEAD~1"],
        vec!["check", &path, "--base", "HEAD~1", "--worktree", "--all"],
        vec!["report", &path, "--format", "html"],
        vec!["report", &path, "--format", "markdown"],
        vec!["report", &path, "--format", "json"],
        vec!["graph", &path, "--format", "json"],
        vec!["graph", &path, "--format", "mermaid"],
        vec!["rules"],
        vec!["explain", "REL-001"],
        vec!["schema", "ChangeRecord"],
        vec!["kinds"],
    ];
    for args in &commands {
        let output = opsgate()
            .args(args)
            .args(if matches!(args[0], "check" | "report") {
                vec!["--as-of", AS_OF]
            } else {
                vec![]
            })
            .current_dir(repo)
            .env_remove("GITHUB_STEP_SUMMARY")
            .output()
            .expect("runs");
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let after = snapshot(repo);
        let changed: Vec<_> = before
            .keys()
            .chain(after.keys())
            .filter(|p| before.get(*p) != after.get(*p))
            .collect();
        assert!(changed.is_empty(), "{args:?} changed {changed:?}");
    }
}
