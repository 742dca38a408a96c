//! The vendored regorus (vendor/regorus) is regorus 0.14.1 from crates.io plus
//! vendor/regorus.patch, and nothing else: the patch taken back out of a copy must give exactly
//! the files cargo unpacked from the published crate, whose SHA-256 sums
//! vendor/regorus.upstream.sha256 records (taken from the checksum-verified registry copy).
//! A change to the vendored code that the patch does not show fails here, so the patch stays
//! the one place that says what opsgate changed in its engine. Where cargo's download of the
//! published crate is on the machine, the recorded sums are checked against it too, and it
//! against the checksum crates.io gave Cargo.lock before the crate was vendored.

/// The SHA-256 of regorus-0.14.1.crate as crates.io publishes it (Cargo.lock's `checksum`).
const CRATE_SHA256: &str = "ec9c3ac0d614c8f87448b86c8ddef36c8affce3d2c5deea81b7c28c812e4bfb8";

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

/// `git apply [--reverse] patch` in `dir`.
fn git_apply(dir: &Path, patch: &Path, reverse: bool) -> std::process::Output {
    let mut cmd = Command::new("git");
    cmd.args(["apply", "--whitespace=nowarn"]);
    if reverse {
        cmd.arg("--reverse");
    }
    cmd.arg(patch)
        .current_dir(dir)
        .output()
        .expect("git runs (the tests need git)")
}

#[test]
fn the_vendored_regorus_is_upstream_plus_the_patch() {
    let vendored = root().join("vendor/regorus");
    let copy = tempfile::tempdir().expect("temp dir");
    copy_tree(&vendored, copy.path());
    let patch = root().join("vendor/regorus.patch");
    let undone = git_apply(copy.path(), &patch, true);
    assert!(
        undone.status.success(),
        "vendor/regorus.patch does not come back out of vendor/regorus: {}",
        String::from_utf8_lossy(&undone.stderr)
    );
    let upstream = recorded();
    let found = hashes(copy.path());
    let redone = git_apply(copy.path(), &patch, false);
    assert!(
        redone.status.success(),
        "the patch does not apply forward again"
    );
    assert_eq!(
        hashes(copy.path()),
        hashes(&vendored),
        "upstream plus the patch is not the vendored tree (a hunk applied elsewhere?)"
    );
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

/// cargo's download of the published crate, when this machine has one.
fn downloaded_crate() -> Option<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    let registries = std::fs::read_dir(home.join("registry/cache")).ok()?;
    registries
        .flatten()
        .map(|r| r.path().join("regorus-0.14.1.crate"))
        .find(|p| p.is_file())
}

#[test]
fn the_recorded_sums_are_the_published_crates() {
    let Some(crate_file) = downloaded_crate() else {
        eprintln!("no download of regorus-0.14.1.crate here: the recorded sums are taken as given");
        return;
    };
    let bytes = std::fs::read(&crate_file).expect("readable crate");
    assert_eq!(
        format!("{:x}", Sha256::digest(&bytes)),
        CRATE_SHA256,
        "{} is not the published crate",
        crate_file.display()
    );
    let unpacked = tempfile::tempdir().expect("temp dir");
    let status = Command::new("tar")
        .arg("-xzf")
        .arg(&crate_file)
        .arg("-C")
        .arg(unpacked.path())
        .status()
        .expect("tar runs");
    assert!(status.success());
    let published = hashes(&unpacked.path().join("regorus-0.14.1"));
    for (name, sum) in recorded() {
        assert_eq!(
            published.get(&name),
            Some(&sum),
            "vendor/regorus.upstream.sha256 is wrong about {name}"
        );
    }
}
