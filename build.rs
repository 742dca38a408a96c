//! Embeds every built-in policy (`policies/*.rego`) into the binary, so the rule set that checks a
//! repository is the one that shipped with this opsgate, not whatever sits in the working tree.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    // Read at run time, not with env!: a build script binary reused from another checkout of the
    // same package would otherwise embed that checkout's policies.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let dir = Path::new(&manifest_dir).join("policies");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "rego"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from("pub static BUILTIN_POLICIES: &[(&str, &str)] = &[\n");
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    (\"policies/{name}\", include_str!({:?})),",
            file.display().to_string()
        );
    }
    out.push_str("];\n");
    let target =
        Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("builtin_policies.rs");
    if let Err(error) = std::fs::write(&target, out) {
        panic!("cannot write {}: {error}", target.display());
    }
    record_commit(Path::new(&manifest_dir));
    record_parser_id(Path::new(&manifest_dir));
    let mut starter = String::new();
    embed_starter(Path::new(&manifest_dir), &mut starter);
    let target =
        Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("starter_artifacts.rs");
    if let Err(error) = std::fs::write(&target, starter) {
        panic!("cannot write {}: {error}", target.display());
    }
}

/// `OPSGATE_PARSER_ID`: names the parse cache's directory (src/load/cache.rs). It changes whenever
/// the loader, the kind table, the policy compiling or a locked dependency does, so a build never
/// reads entries another build wrote (the commit alone would not tell an edited working tree
/// apart).
fn record_parser_id(manifest_dir: &Path) {
    use std::hash::{Hash, Hasher};
    let mut files = Vec::new();
    // src/evaluate: the compiled policy program is kept in the same directory, and its compiling
    // (what is blanked, which entries) lives there.
    for dir in ["src/load", "src/model", "src/evaluate"] {
        let dir = manifest_dir.join(dir);
        println!("cargo:rerun-if-changed={}", dir.display());
        if let Ok(entries) = std::fs::read_dir(&dir) {
            files.extend(entries.filter_map(|e| e.ok().map(|e| e.path())));
        }
    }
    // The position index is part of every cache entry; a blob entry stands in for what reading
    // the blob checks (src/git.rs: the size limit, regular files only).
    files.push(manifest_dir.join("src/position.rs"));
    files.push(manifest_dir.join("src/git.rs"));
    files.push(manifest_dir.join("Cargo.lock"));
    // The vendored regorus is a path dependency, absent from Cargo.lock's checksums: its patch
    // names what changed (a test holds the patch to the vendored tree).
    // Absent from the published package, which builds the upstream crate (cargo ignores
    // `[patch]` there).
    let patch = manifest_dir.join("vendor/regorus.patch");
    if patch.exists() {
        files.push(patch);
    }
    files.sort();
    // std's SipHash with its fixed keys: stable for one toolchain, which is all an id needs.
    let mut hasher = std::hash::DefaultHasher::new();
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        file.file_name().hash(&mut hasher);
        std::fs::read(file).unwrap_or_default().hash(&mut hasher);
    }
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!(
        "cargo:rustc-env=OPSGATE_PARSER_ID=v1-{version}-{:016x}",
        hasher.finish()
    );
}

/// `OPSGATE_COMMIT` for `--version`: the commit this binary was built from, or `unknown` outside git
/// (a build from the published package). Rebuilt when HEAD moves.
fn record_commit(manifest_dir: &Path) {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .current_dir(manifest_dir)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    if let Some(dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        println!("cargo:rerun-if-changed={dir}/HEAD");
        println!("cargo:rerun-if-changed={dir}/logs/HEAD");
    }
    println!("cargo:rustc-env=OPSGATE_COMMIT={commit}");
}

/// The artifacts of `fixtures/acme`, which `opsgate init` writes as a starter set (their dates
/// shifted to the day of `init`), so the starter is exactly the example the tests keep compliant.
fn embed_starter(manifest_dir: &Path, out: &mut String) {
    let root = manifest_dir.join("fixtures/acme");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect_yaml(&root, &mut files);
    files.sort();
    out.push_str("pub static STARTER_ARTIFACTS: &[(&str, &str)] = &[\n");
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        if !text.contains("apiVersion: opsgate/") {
            continue;
        }
        println!("cargo:rerun-if-changed={}", file.display());
        let relative = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/");
        let _ = writeln!(
            out,
            "    ({relative:?}, include_str!({:?})),",
            file.display().to_string()
        );
    }
    out.push_str("];\n");
}

fn collect_yaml(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_yaml(&path, files);
        } else if path.extension().is_some_and(|x| x == "yaml") {
            files.push(path);
        }
    }
}
