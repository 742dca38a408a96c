//! The vendored regorus (vendor/regorus) is regorus 0.14.1 from crates.io plus
//! vendor/regorus.patch, and nothing else: the patch taken back out of a copy must give exactly
//! the files cargo unpacked from the published crate, whose SHA-256 sums
//! vendor/regorus.upstream.sha256 records (taken from the checksum-verified registry copy).
//! A change to the vendored code that the patch does not show fails here, so the patch stays
//! the one place that says what opsgate changed in its engine.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir`, relative and `/`-separated, with its SHA-256 in hex.
fn hashes(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).expect("readable directory") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let relative = path.strip_prefix(dir).expect("under dir");
            let name = relative.to_string_lossy().replace('\\', "/");
            let bytes = std::fs::read(&path).expect("readable file");
            out.insert(name, format!("{:x}", Sha256::digest(&bytes)));
        }
    }
    out
}

fn recorded() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(root().join("vendor/regorus.upstream.sha256"))
        .expect("vendor/regorus.upstream.sha256");
    text.lines()
        .map(|line| {
            let (sum, name) = line.split_once("  ").expect("`<sha256>  <path>` lines");
            (name.to_owned(), sum.to_owned())
        })
        .collect()
}

fn copy_tree(from: &Path, to: &Path) {
    for (name, _) in hashes(from) {
        let target = to.join(&name);
        std::fs::create_dir_all(target.parent().expect("a parent")).expect("create dirs");
        std::fs::copy(from.join(&name), target).expect("copy");
    }
}

#[test]
fn the_vendored_regorus_is_upstream_plus_the_patch() {
    let vendored = root().join("vendor/regorus");
    let copy = tempfile::tempdir().expect("temp dir");
    copy_tree(&vendored, copy.path());
    let patch = root().join("vendor/regorus.patch");
    let undone = Command::new("git")
        .args(["apply", "--reverse", "--whitespace=nowarn"])
        .arg(&patch)
        .current_dir(copy.path())
        .output()
        .expect("git runs (the tests need git)");
    assert!(
        undone.status.success(),
        "vendor/regorus.patch does not come back out of vendor/regorus: {}",
        String::from_utf8_lossy(&undone.stderr)
    );
    let upstream = recorded();
    let found = hashes(copy.path());
    let differing: std::collections::BTreeSet<&String> = upstream
        .keys()
        .chain(found.keys())
        .filter(|name| upstream.get(*name) != found.get(*name))
        .collect();
    assert!(
        differing.is_empty(),
        "vendor/regorus without its patch differs from regorus 0.14.1 in {differing:?}: \
         record every change to the vendored code in vendor/regorus.patch"
    );
}
