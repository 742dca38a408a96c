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
