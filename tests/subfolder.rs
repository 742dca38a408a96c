//! Checking a sub-folder or one file of a repository: references resolve against the whole
//! repository the configuration governs, only the named path is reported, and every machine
//! format names files from the repository root (so GitHub attaches annotations to the diff).

mod common;

use std::path::Path;

use common::*;

/// The example under `ops/`, with the root `opsgate.toml` that `init` writes, and one gap.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/acme"),
        &dir.path().join("ops"),
    );
    write(
        dir.path(),
        "opsgate.toml",
        "[check]\ninclude = [\"ops/**\"]\n",
    );
    let release = dir.path().join("ops/releases/REL-2026-014.yaml");
    let text = std::fs::read_to_string(&release).unwrap();
    std::fs::write(&release, text.replacen("tested: true", "tested: false", 1)).unwrap();
    dir
}

#[test]
fn a_sub_folder_resolves_references_against_the_repository() {
    let dir = repo();
    let (code, json) = check_json(&dir.path().join("ops/changes"), &[]);
    assert_eq!((code, codes(&json)), (0, vec![]), "{json:#}");
    let (code, json) = check_json(&dir.path().join("ops/releases"), &[]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(
        findings(&json),
        vec![(
            "REL-004".into(),
            "ops/releases/REL-2026-014.yaml".into(),
            18
        )]
    );
    let (_, json) = check_json(&dir.path().join("ops/releases/REL-2026-014.yaml"), &[]);
    assert_eq!(
        findings(&json),
        vec![(
            "REL-004".into(),
            "ops/releases/REL-2026-014.yaml".into(),
            18
        )]
    );
}

#[test]
fn machine_formats_name_files_from_the_repository_root() {
    let dir = repo();
    for (format, needle) in [
        ("github", "file=ops/releases/REL-2026-014.yaml"),
        ("sarif", "\"uri\": \"ops/releases/REL-2026-014.yaml\""),
        ("junit", "file=\"ops/releases/REL-2026-014.yaml\""),
    ] {
        let output = opsgate()
            .arg("check")
            .arg(dir.path().join("ops/releases"))
            .args(["--as-of", AS_OF, "--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains(needle), "{format}: {text}");
    }
}

#[test]
fn sarif_names_the_repository_and_revision_without_credentials() {
    let dir = repo();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "ops"]);
    git(
        dir.path(),
        &[
            "remote",
            "add",
            "origin",
            "https://ci-bot:s3cret@example.com/org/ops.git",
        ],
    );
    let head = git(dir.path(), &["rev-parse", "HEAD"]);
    let output = opsgate()
        .arg("check")
        .arg(dir.path())
        .args(["--as-of", AS_OF, "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let provenance = &sarif["runs"][0]["versionControlProvenance"][0];
    assert_eq!(
        provenance["repositoryUri"],
        "https://example.com/org/ops.git"
    );
    assert_eq!(provenance["revisionId"], head.as_str());
    assert_eq!(provenance["branch"], "main");
    assert!(!String::from_utf8_lossy(&output.stdout).contains("s3cret"));
}

/// A folder whose name git's pathspec parser would read as a pattern or trim (`ops[prod]`, `!ops`,
/// `ops ` with a trailing space): its new, untracked files are
/// checked like any folder's (the name was once handed to git's status as a pathspec, which
/// matched nothing, so the new file went unchecked).
#[test]
fn new_files_in_a_folder_named_like_a_pattern_are_checked() {
    for name in ["ops[prod]", "!ops", "ops*", "ops ", "ops\tx", "#ops", "a b"] {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/acme"),
            &dir.path().join(name),
        );
        git(dir.path(), &["init", "-q"]);
        git(dir.path(), &["add", "."]);
        git(dir.path(), &["commit", "-q", "-m", "acme"]);
        write(
            &dir.path().join(name),
            "services/new.yaml",
            "apiVersion: opsgate/v1\nkind: Service\nmetadata: {id: svc-new\n",
        );
        let (code, json) = check_json(&dir.path().join(name), &[]);
        let found = json["findings"].as_array().unwrap().iter().any(|f| {
            f["code"] == "LOAD-SYNTAX"
                && f["file"]
                    .as_str()
                    .is_some_and(|f| f.ends_with("services/new.yaml"))
        });
        assert!(code != 0 && found, "{name}: {json:#}");
    }
}
