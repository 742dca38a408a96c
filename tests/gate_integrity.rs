//! The git gates check exactly what git commits or merges. Each test is an attempt to get a real
//! problem past the pre-commit or pull-request gate, on a real repository made with `git`.

mod common;

use std::path::Path;
use std::process::Command as Process;

use common::*;
use serde_json::Value;

/// The compliant example, committed on `main`.
fn repo() -> tempfile::TempDir {
    acme_repo(&[], None)
}

/// Rewrites the review of a closed change: evidence tampering (GIT-003).
fn tamper_with_closed_change(dir: &Path) {
    edit(
        dir,
        "changes/CHG-2026-004.yaml",
        "outcome: Agreements published and acknowledged by customers.",
        "outcome: Everything went perfectly.",
    );
}

fn codes_of(json: &Value) -> Vec<String> {
    let mut codes: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "failing")
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect();
    codes.sort();
    codes
}

/// Runs `git` with extra environment, returning success and the combined output.
fn git_status(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Process::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=Dev", "-c", "user.email=dev@example.com"])
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("git runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn install_hook(dir: &Path) {
    opsgate()
        .args(["hook", "install", "--dir"])
        .arg(dir)
        .assert()
        .success();
}

#[test]
fn the_installed_hook_gates_commit_all_and_commit_path() {
    for form in [
        &["commit", "-q", "-a", "-m", "tamper"][..],
        &["commit", "-q", "-m", "tamper", "changes/CHG-2026-004.yaml"][..],
        &[
            "commit",
            "-q",
            "-m",
            "tamper",
            "--include",
            "changes/CHG-2026-004.yaml",
        ][..],
    ] {
        let dir = repo();
        install_hook(dir.path());
        tamper_with_closed_change(dir.path());
        let (ok, output) = git_status(dir.path(), form);
        assert!(!ok, "git {form:?} passed the hook:\n{output}");
        assert!(output.contains("GIT-003"), "{output}");
    }
}

#[test]
fn a_clean_partial_commit_is_not_blocked_by_an_unrelated_staged_change() {
    let dir = repo();
    install_hook(dir.path());
    // A gap staged but not part of this commit.
    edit(
        dir.path(),
        "releases/REL-2026-014.yaml",
        "tested: true",
        "tested: false",
    );
    git(dir.path(), &["add", "releases/REL-2026-014.yaml"]);
    write(dir.path(), "people/p-new.yaml", person("p-new"));
    git(dir.path(), &["add", "-N", "people/p-new.yaml"]);
    let (ok, output) = git_status(
        dir.path(),
        &["commit", "-q", "-m", "a person", "people/p-new.yaml"],
    );
    assert!(ok, "the commit of a clean file was blocked:\n{output}");
}

#[test]
fn staged_mode_from_a_subdirectory_resolves_against_the_whole_index() {
    let dir = repo();
    let output = opsgate()
        .current_dir(dir.path().join("changes"))
        .args(["check", "--staged", "--format", "json", "--as-of", AS_OF])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{json:#}");
    assert_eq!(codes_of(&json), Vec::<String>::new());
    // A problem in that subdirectory is still found, named from the repository root.
    tamper_with_closed_change(dir.path());
    git(dir.path(), &["add", "."]);
    let output = opsgate()
        .current_dir(dir.path().join("changes"))
        .args(["check", "--staged", "--format", "json", "--as-of", AS_OF])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(codes_of(&json), vec!["GIT-003"]);
    assert_eq!(json["findings"][0]["file"], "changes/CHG-2026-004.yaml");
}

#[test]
fn deleting_a_closed_record_or_re_creating_it_under_a_new_id_is_a_finding() {
    let dir = repo();
    git(dir.path(), &["rm", "-q", "incidents/INC-2026-101.yaml"]);
    let (code, json) = check_json(dir.path(), &["--staged"]);
    assert_eq!(code, 1, "{json:#}");
    // The problem record that names the incident loses its reference too.
    assert_eq!(codes_of(&json), vec!["GIT-006", "REF-001"]);
    assert_eq!(json["findings"][0]["artifact"], "INC-2026-101");
    assert_eq!(json["findings"][0]["file"], "incidents/INC-2026-101.yaml");

    let dir = repo();
    let text = std::fs::read_to_string(dir.path().join("incidents/INC-2026-101.yaml")).unwrap();
    std::fs::remove_file(dir.path().join("incidents/INC-2026-101.yaml")).unwrap();
    write(
        dir.path(),
        "incidents/INC-2026-101a.yaml",
        text.replace("INC-2026-101", "INC-2026-101a"),
    );
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["checkout", "-q", "-b", "rewrite"]);
    git(dir.path(), &["commit", "-q", "-m", "rewrite"]);
    let (code, json) = check_json(dir.path(), &["--base", "main"]);
    assert_eq!(code, 1, "{json:#}");
    assert!(codes_of(&json).contains(&"GIT-006".to_owned()), "{json:#}");
    let message = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "GIT-006")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("reappears as `INC-2026-101a`"),
        "{message}"
    );
}

#[test]
fn ignore_files_never_hide_a_tracked_artifact() {
    let dir = repo();
    edit(
        dir.path(),
        "releases/REL-2026-014.yaml",
        "tested: true",
        "tested: false",
    );
    git(dir.path(), &["commit", "-q", "-am", "gap"]);
    write(dir.path(), ".gitignore", "releases/\n");
    write(dir.path(), ".ignore", "releases/REL-2026-014.yaml\n");
    let (_, json) = check_json(dir.path(), &[]);
    assert_eq!(codes_of(&json), vec!["REL-004"], "directory mode");
    git(dir.path(), &["checkout", "-q", "-b", "hide"]);
    git(dir.path(), &["add", ".gitignore", ".ignore"]);
    git(dir.path(), &["commit", "-q", "-m", "hide"]);
    let (_, json) = check_json(dir.path(), &["--base", "main", "--worktree", "--all"]);
    let all: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(all.contains(&"REL-004"), "--worktree: {json:#}");
    let output = opsgate()
        .args(["report", "--format", "json", "--as-of", AS_OF])
        .arg(dir.path())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let rel004 = report["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "REL-004")
        .unwrap();
    assert_eq!(rel004["status"], "failed", "audit report");
}

#[test]
fn an_ignore_file_above_the_repository_does_not_empty_it() {
    let outer = tempfile::tempdir().unwrap();
    write(outer.path(), ".gitignore", "*.yaml\n");
    let dir = outer.path().join("repo");
    copy_dir(&acme(), &dir);
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    let (code, json) = check_json(&dir, &[]);
    assert_eq!(code, 0, "{json:#}");
    assert!(
        json["summary"]["artifacts"].as_u64().unwrap() > 30,
        "{json:#}"
    );
}

#[cfg(unix)]
#[test]
fn a_path_that_is_not_utf8_is_reported_in_every_git_mode() {
    use std::os::unix::ffi::OsStrExt;
    let dir = repo();
    let name = std::ffi::OsStr::from_bytes(b"changes/CHG-\xff.yaml");
    std::fs::write(dir.path().join(name), "not: checked\n").unwrap();
    git(dir.path(), &["add", "."]);
    let (code, json) = check_json(dir.path(), &["--staged"]);
    assert_eq!(code, 3, "{json:#}");
    assert_eq!(codes_of(&json), vec!["LOAD-PATH"]);
    assert_eq!(json["findings"][0]["file"], "changes/CHG-\\xff.yaml");
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!((code, codes_of(&json)), (3, vec!["LOAD-PATH".to_owned()]));
    git(dir.path(), &["checkout", "-q", "-b", "odd"]);
    git(dir.path(), &["commit", "-q", "-m", "odd"]);
    let (code, json) = check_json(dir.path(), &["--base", "main"]);
    assert_eq!((code, codes_of(&json)), (3, vec!["LOAD-PATH".to_owned()]));
}

#[cfg(unix)]
#[test]
fn a_backslash_in_a_file_name_is_part_of_the_name() {
    let dir = repo();
    git(dir.path(), &["checkout", "-q", "-b", "odd"]);
    let text = std::fs::read_to_string(dir.path().join("changes/CHG-2026-031.yaml")).unwrap();
    write(
        dir.path(),
        "changes\\CHG-2026-099.yaml",
        text.replace("CHG-2026-031", "CHG-2026-099")
            .replace("status: closed", "status: bogus"),
    );
    let (_, json) = check_json(dir.path(), &["--base", "main", "--worktree"]);
    let files: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["file"].as_str())
        .collect();
    assert!(
        !files.is_empty(),
        "the new record's findings pass: {json:#}"
    );
    assert!(
        files.iter().all(|f| *f == "changes\\CHG-2026-099.yaml"),
        "{files:?}"
    );
}

/// Stages `content` as a symlink (mode 120000) at `path`, whatever the file system allows.
fn stage_symlink(dir: &Path, path: &str, content: &str) {
    let file = dir.join(".link-target");
    std::fs::write(&file, content).unwrap();
    let sha = git(dir, &["hash-object", "-w", ".link-target"]);
    std::fs::remove_file(file).unwrap();
    git(
        dir,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("120000,{sha},{path}"),
        ],
    );
}

#[test]
fn a_symlink_in_the_index_is_never_read_as_an_artifact() {
    let dir = repo();
    edit(
        dir.path(),
        "releases/REL-2026-014.yaml",
        "tested: true",
        "tested: false",
    );
    git(dir.path(), &["add", "releases/REL-2026-014.yaml"]);
    // A symlink whose target text is a risk acceptance that would waive the gap.
    let acceptance = "apiVersion: opsgate/v1\nkind: RiskAcceptance\nmetadata: {id: RA-2026-050, title: x, owner: p-ben}\nspec:\n  rules: [REL-004]\n  artifacts: [\"REL-*\"]\n  scope: all\n  justification: none\n  risk_owner: p-ben\n  approval: {approver: p-gwen, role: COO, date: 2026-11-01, decision: approved}\n  expires: 2027-01-31\n";
    stage_symlink(dir.path(), "risk/RA-2026-050.yaml", acceptance);
    let (code, json) = check_json(dir.path(), &["--staged"]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(codes_of(&json), vec!["LOAD-NOT-A-FILE", "REL-004"]);
}

#[test]
fn re_using_an_approved_records_id_is_blamed_on_the_new_file() {
    let dir = repo();
    git(dir.path(), &["checkout", "-q", "-b", "copy"]);
    let text = std::fs::read_to_string(dir.path().join("changes/CHG-2026-031.yaml")).unwrap();
    write(
        dir.path(),
        "changes/A-copy.yaml",
        text.replace("status: closed", "status: submitted"),
    );
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "copy"]);
    let (code, json) = check_json(dir.path(), &["--base", "main"]);
    assert_eq!(code, 3, "{json:#}");
    let duplicate = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "LOAD-DUPLICATE-ID")
        .unwrap_or_else(|| panic!("no duplicate: {json:#}"));
    assert_eq!(duplicate["file"], "changes/A-copy.yaml");
}

#[test]
fn an_unmerged_index_is_refused() {
    let dir = repo();
    git(dir.path(), &["checkout", "-q", "-b", "a"]);
    edit(
        dir.path(),
        "releases/REL-2026-014.yaml",
        "tested: true",
        "tested: false",
    );
    git(dir.path(), &["commit", "-q", "-am", "a"]);
    git(dir.path(), &["checkout", "-q", "main"]);
    edit(
        dir.path(),
        "releases/REL-2026-014.yaml",
        "tested: true",
        "tested: yes",
    );
    git(dir.path(), &["commit", "-q", "-am", "b"]);
    let (ok, _) = git_status(dir.path(), &["merge", "-q", "a"]);
    assert!(!ok, "the merge should conflict");
    let output = opsgate()
        .args(["check", "--staged"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unmerged paths") && stderr.contains("releases/REL-2026-014.yaml"),
        "{stderr}"
    );
}

#[test]
fn an_intent_to_add_entry_is_not_part_of_the_commit() {
    let dir = repo();
    write(
        dir.path(),
        "notes/later.yaml",
        "apiVersion: opsgate/v1\nkind: ChangeRecord\n",
    );
    git(dir.path(), &["add", "-N", "notes/later.yaml"]);
    let (code, json) = check_json(dir.path(), &["--staged"]);
    assert_eq!((code, codes_of(&json)), (0, vec![]), "{json:#}");
}

#[test]
fn a_gitlink_and_an_lfs_pointer_named_yaml_are_reported() {
    let dir = repo();
    let head = git(dir.path(), &["rev-parse", "HEAD"]);
    git(
        dir.path(),
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{head},vendor/sub.yaml"),
        ],
    );
    write(
        dir.path(),
        "risk/RA-2026-060.yaml",
        "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n",
    );
    git(dir.path(), &["add", "risk/RA-2026-060.yaml"]);
    let (code, json) = check_json(dir.path(), &["--staged"]);
    assert_eq!(code, 3, "{json:#}");
    assert_eq!(codes_of(&json), vec!["LOAD-LFS-POINTER", "LOAD-NOT-A-FILE"]);
}

#[test]
fn a_sha256_repository_gets_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _) = git_status(dir.path(), &["init", "-q", "--object-format=sha256"]);
    if !ok {
        panic!("this git cannot make SHA-256 repositories");
    }
    write(dir.path(), "people/p-a.yaml", person("p-a"));
    git(dir.path(), &["add", "."]);
    let output = opsgate()
        .args(["check", "--staged"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("SHA-256"), "{stderr}");
}

#[test]
fn a_sparse_checkout_is_checked_whole() {
    let dir = repo();
    git(
        dir.path(),
        &["sparse-checkout", "set", "--no-cone", "/changes/"],
    );
    assert!(
        !dir.path().join("releases").exists(),
        "sparse checkout applied"
    );
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 0, "{json:#}");
    let (code, json) = check_json(dir.path(), &["--staged"]);
    assert_eq!(code, 0, "{json:#}");
    tamper_with_closed_change(dir.path());
    git(dir.path(), &["add", "changes/CHG-2026-004.yaml"]);
    let (_, json) = check_json(dir.path(), &["--staged"]);
    assert_eq!(codes_of(&json), vec!["GIT-003"]);
}

#[test]
fn a_submodule_bump_is_not_read_as_a_file() {
    let sub = repo();
    let dir = repo();
    let head = git(sub.path(), &["rev-parse", "HEAD"]);
    git(
        dir.path(),
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{head},vendor/acme"),
        ],
    );
    let (code, json) = check_json(dir.path(), &["--staged"]);
    assert_eq!((code, codes_of(&json)), (0, vec![]), "{json:#}");
}

#[test]
fn hook_install_in_a_linked_worktree_writes_where_git_runs_hooks() {
    let dir = repo();
    let linked = dir.path().join("../linked-wt");
    git(
        dir.path(),
        &["worktree", "add", "-q", linked.to_str().unwrap()],
    );
    install_hook(&linked);
    assert!(dir.path().join(".git/hooks/pre-commit").is_file());
    tamper_with_closed_change(&linked);
    let (ok, output) = git_status(&linked, &["commit", "-q", "-am", "tamper"]);
    assert!(!ok, "the worktree's commit passed:\n{output}");
    std::fs::remove_dir_all(&linked).ok();
}

#[cfg(unix)]
#[test]
fn init_never_writes_through_a_symlink() {
    let outside = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("ops")).unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join(".github")).unwrap();
    let output = opsgate().arg("init").arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("symbolic link"));
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
}

#[test]
fn init_scaffolds_the_git_gates() {
    let dir = tempfile::tempdir().unwrap();
    opsgate().arg("init").arg(dir.path()).assert().success();
    let pre_commit = std::fs::read_to_string(dir.path().join(".pre-commit-config.yaml")).unwrap();
    assert!(
        pre_commit.contains("entry: opsgate pre-commit"),
        "{pre_commit}"
    );
    assert!(pre_commit.contains("always_run: true"), "{pre_commit}");
    assert!(
        pre_commit.contains("toml"),
        "triggers on opsgate.toml edits too"
    );
    let workflow =
        std::fs::read_to_string(dir.path().join(".github/workflows/opsgate.yml")).unwrap();
    for needed in [
        "--base",
        "--format github",
        "--format sarif",
        "upload-sarif",
        "--format json",
        "continue-on-error: true",
        "fetch-depth: 0",
    ] {
        assert!(
            workflow.contains(needed),
            "workflow lacks {needed}:\n{workflow}"
        );
    }
}
