//! Pre-commit integration on real repositories: opsgate's own git hook, and the pre-commit
//! framework running the hook definition of this repository.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command as Process, Output};

use common::*;
use predicates::str::contains;

fn git_in(dir: &Path, args: &[&str]) -> Output {
    Process::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Dev",
            "-c",
            "user.email=dev@example.com",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .env("PATH", path_with_opsgate())
        .output()
        .expect("git runs")
}

fn git(dir: &Path, args: &[&str]) {
    let out = git_in(dir, args);
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn path_with_opsgate() -> std::ffi::OsString {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_opsgate"));
    let mut paths = vec![bin.parent().unwrap().to_path_buf()];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).unwrap()
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "ops/people.yaml",
        format!("{}---\n{}", person("p-a"), person("p-b")),
    );
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "people"]);
    dir
}

const GAP: &str = "apiVersion: opsgate/v1\nkind: ChangeRecord\nmetadata: {id: CHG-1, title: Tweak, owner: p-a}\nspec: {type: normal, status: submitted}\n";
const FIXED: &str = "apiVersion: opsgate/v1\nkind: ChangeRecord\nmetadata: {id: CHG-1, title: Tweak, owner: p-a}\nspec: {type: normal, status: draft}\n";

#[test]
fn the_installed_hook_blocks_a_commit_with_a_gap_and_lets_the_fix_through() {
    let dir = repo();
    opsgate()
        .args(["hook", "install", "--dir"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains("installed"));
    write(dir.path(), "ops/change.yaml", GAP);
    git(dir.path(), &["add", "ops/change.yaml"]);
    let blocked = git_in(dir.path(), &["commit", "-q", "-m", "gap"]);
    assert!(!blocked.status.success(), "the commit went through");
    // git sends a hook's output to stderr.
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&blocked.stdout),
        String::from_utf8_lossy(&blocked.stderr)
    );
    assert!(said.contains("CHG-009"), "{said}");
    write(dir.path(), "ops/change.yaml", FIXED);
    git(dir.path(), &["add", "ops/change.yaml"]);
    git(dir.path(), &["commit", "-q", "-m", "fixed"]);
}

#[test]
fn install_refuses_a_foreign_hook_unless_forced_and_uninstall_removes_only_its_own() {
    let dir = repo();
    let hook = dir.path().join(".git/hooks/pre-commit");
    std::fs::write(&hook, "#!/bin/sh\necho mine\n").unwrap();
    opsgate()
        .args(["hook", "install", "--dir"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains("--force"));
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        "#!/bin/sh\necho mine\n"
    );
    opsgate()
        .args(["hook", "uninstall", "--dir"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains("not written by opsgate"));
    assert!(hook.exists());
    opsgate()
        .args(["hook", "install", "--force", "--dir"])
        .arg(dir.path())
        .assert()
        .success();
    assert!(std::fs::read_to_string(&hook)
        .unwrap()
        .contains("check --staged"));
    opsgate()
        .args(["hook", "install", "--dir"])
        .arg(dir.path())
        .assert()
        .success();
    opsgate()
        .args(["hook", "uninstall", "--dir"])
        .arg(dir.path())
        .assert()
        .success();
    assert!(!hook.exists());
    opsgate()
        .args(["hook", "uninstall", "--dir"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains("no pre-commit hook"));
}

#[test]
fn the_pre_commit_framework_runs_the_published_hook() {
    let pre_commit = std::env::var_os("OPSGATE_PRE_COMMIT").map(PathBuf::from).unwrap_or_else(|| {
        panic!("OPSGATE_PRE_COMMIT is not set: run the tests with scripts/test.sh, which installs the pre-commit framework")
    });
    let dir = repo();
    let this_repo = env!("CARGO_MANIFEST_DIR");
    let run = |dir: &Path| {
        Process::new(&pre_commit)
            .current_dir(dir)
            .args(["try-repo", this_repo, "opsgate-system"])
            .env("PATH", path_with_opsgate())
            .env("PRE_COMMIT_HOME", dir.join(".pre-commit-cache"))
            .env("GIT_AUTHOR_NAME", "Dev")
            .env("GIT_AUTHOR_EMAIL", "dev@example.com")
            .env("GIT_COMMITTER_NAME", "Dev")
            .env("GIT_COMMITTER_EMAIL", "dev@example.com")
            .output()
            .expect("pre-commit runs")
    };
    write(dir.path(), "ops/change.yaml", GAP);
    git(dir.path(), &["add", "ops/change.yaml"]);
    let blocked = run(dir.path());
    let text = String::from_utf8_lossy(&blocked.stdout);
    assert!(
        !blocked.status.success(),
        "pre-commit passed a gap:\n{text}"
    );
    assert!(text.contains("CHG-009"), "{text}");
    write(dir.path(), "ops/change.yaml", FIXED);
    git(dir.path(), &["add", "ops/change.yaml"]);
    let passed = run(dir.path());
    assert!(
        passed.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&passed.stdout),
        String::from_utf8_lossy(&passed.stderr)
    );
}

/// `pre-commit try-repo THIS opsgate-system ARGS` in `dir`: (passed, output).
fn pre_commit_try(dir: &Path, args: &[&str]) -> (bool, String) {
    let pre_commit = std::env::var_os("OPSGATE_PRE_COMMIT").map(PathBuf::from).unwrap_or_else(|| {
        panic!("OPSGATE_PRE_COMMIT is not set: run the tests with scripts/test.sh, which installs the pre-commit framework")
    });
    let out = Process::new(&pre_commit)
        .current_dir(dir)
        .args(["try-repo", env!("CARGO_MANIFEST_DIR"), "opsgate-system"])
        .args(args)
        .env("PATH", path_with_opsgate())
        .env("PRE_COMMIT_HOME", dir.join(".pre-commit-cache"))
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("pre-commit runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// A closed change record that nothing else refers to.
const CLOSED: &str = "apiVersion: opsgate/v1\nkind: ChangeRecord\nmetadata: {id: CHG-1, title: Old, owner: p-a}\nspec: {type: normal, status: closed}\n";

#[test]
fn the_pre_commit_framework_gates_a_commit_that_only_deletes_an_artifact() {
    let dir = repo();
    std::fs::write(dir.path().join(".gitignore"), ".pre-commit-cache/\n").unwrap();
    write(dir.path(), "ops/chg-1.yaml", CLOSED);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "closed change"]);
    git(dir.path(), &["rm", "-q", "ops/chg-1.yaml"]);
    let (passed, text) = pre_commit_try(dir.path(), &[]);
    assert!(!passed, "a deletion of a closed record passed:\n{text}");
    assert!(text.contains("GIT-006"), "{text}");
}

#[test]
fn pre_commit_all_files_and_ref_ranges_check_what_is_committed() {
    let dir = repo();
    std::fs::write(dir.path().join(".gitignore"), ".pre-commit-cache/\n").unwrap();
    git(dir.path(), &["add", ".gitignore"]);
    git(dir.path(), &["commit", "-q", "-m", "ignore the cache"]);
    let base = String::from_utf8_lossy(&git_in(dir.path(), &["rev-parse", "HEAD"]).stdout)
        .trim()
        .to_owned();
    // A schema error committed (with --no-verify, as a hurried colleague would).
    write(dir.path(), "ops/bad.yaml", "apiVersion: opsgate/v1\nkind: Person\nmetadata: {id: p-c, title: C, owner: p-c}\nspec: {name: 7}\n");
    git(dir.path(), &["add", "ops/bad.yaml"]);
    git(dir.path(), &["commit", "-q", "--no-verify", "-m", "bad"]);
    let (passed, text) = pre_commit_try(dir.path(), &[]);
    assert!(
        passed,
        "nothing staged: the commit gate has nothing to say:\n{text}"
    );
    let (passed, text) = pre_commit_try(dir.path(), &["--all-files"]);
    assert!(
        !passed,
        "--all-files passed a committed schema error:\n{text}"
    );
    assert!(text.contains("SCHEMA"), "{text}");
    let (passed, text) = pre_commit_try(dir.path(), &["--from-ref", &base, "--to-ref", "HEAD"]);
    assert!(
        !passed,
        "--from-ref/--to-ref passed a schema error in the range:\n{text}"
    );
    assert!(text.contains("SCHEMA"), "{text}");
}

#[test]
fn the_pre_commit_frameworks_installed_hook_gates_commit_all() {
    let pre_commit = std::env::var_os("OPSGATE_PRE_COMMIT").map(PathBuf::from).unwrap_or_else(|| {
        panic!("OPSGATE_PRE_COMMIT is not set: run the tests with scripts/test.sh, which installs the pre-commit framework")
    });
    let dir = repo();
    // The configuration `opsgate init` writes.
    let config = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/pre-commit-config.yaml"),
    )
    .unwrap();
    write(dir.path(), ".pre-commit-config.yaml", config);
    write(dir.path(), ".gitignore", ".pre-commit-cache/\n");
    write(dir.path(), "ops/chg-1.yaml", CLOSED);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "--no-verify", "-m", "config"]);
    let install = Process::new(&pre_commit)
        .current_dir(dir.path())
        .args(["install"])
        .env("PRE_COMMIT_HOME", dir.path().join(".pre-commit-cache"))
        .output()
        .unwrap();
    assert!(
        install.status.success(),
        "{}",
        String::from_utf8_lossy(&install.stderr)
    );
    // Rewriting the closed record, committed with -a (a temporary index in GIT_INDEX_FILE).
    write(
        dir.path(),
        "ops/chg-1.yaml",
        CLOSED.replace("title: Old", "title: Rewritten"),
    );
    let out = Process::new("git")
        .current_dir(dir.path())
        .args(["-c", "user.name=Dev", "-c", "user.email=dev@example.com"])
        .args(["commit", "-q", "-a", "-m", "rewrite"])
        .env("PATH", path_with_opsgate())
        .env("PRE_COMMIT_HOME", dir.path().join(".pre-commit-cache"))
        .env_remove("GIT_INDEX_FILE")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !out.status.success(),
        "git commit -a passed the pre-commit hook:\n{text}"
    );
    assert!(text.contains("GIT-003"), "{text}");
}
