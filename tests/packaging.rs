//! What users install: the minimum Rust version the README and Cargo.toml state is the one the
//! locked dependencies need, and the published package holds what opsgate needs and nothing else.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn version(text: &str) -> Vec<u64> {
    text.split('.')
        .filter_map(|part| part.parse().ok())
        .collect()
}

#[test]
fn the_stated_msrv_is_what_the_locked_dependencies_need() {
    let output = Command::new(env!("CARGO"))
        .current_dir(root())
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let packages = metadata["packages"].as_array().unwrap();
    let ours = packages.iter().find(|p| p["name"] == "opsgate").unwrap();
    let stated = ours["rust_version"]
        .as_str()
        .expect("Cargo.toml sets rust-version");
    let (needed, by) = packages
        .iter()
        .filter(|p| p["name"] != "opsgate")
        .filter_map(|p| Some((version(p["rust_version"].as_str()?), p["name"].as_str()?)))
        .max()
        .unwrap();
    assert!(
        version(stated) >= needed,
        "rust-version {stated} is older than {by}'s {needed:?}"
    );
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("Needs Rust {stated} or newer")),
        "the README must state the MSRV {stated}"
    );
}

#[test]
fn the_package_holds_what_opsgate_needs_and_nothing_else() {
    let output = Command::new(env!("CARGO"))
        .current_dir(root())
        .args([
            "package",
            "--list",
            "--allow-dirty",
            "--locked",
            "--offline",
        ])
        .output()
        .expect("cargo package runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let listed = String::from_utf8_lossy(&output.stdout);
    let files: Vec<&str> = listed.lines().collect();
    for needed in [
        "LICENSE",
        "README.md",
        "CHANGELOG.md",
        "build.rs",
        "src/main.rs",
        "schemas/common.schema.json",
        "schemas/config/opsgate.schema.json",
        "policies/lib.rego",
        "templates/opsgate.toml",
        "fixtures/acme/risk/RA-2026-001.yaml",
    ] {
        assert!(files.contains(&needed), "the package lacks {needed}");
    }
    for path in &files {
        assert!(
            ![
                "bench/",
                "fuzz/",
                "tests/",
                "fixtures/gaps/",
                "target/",
                ".ci/",
                "scripts/"
            ]
            .iter()
            .any(|prefix| path.starts_with(prefix)),
            "the package should not hold {path}"
        );
    }
    // Everything the code embeds at build time is packaged.
    for source in files.iter().filter(|f| f.ends_with(".rs")) {
        let Ok(text) = std::fs::read_to_string(root().join(source)) else {
            continue;
        };
        for embedded in text.split("include_str!(\"").skip(1) {
            let relative = embedded.split('"').next().unwrap_or_default();
            let target = root()
                .join(Path::new(source).parent().unwrap())
                .join(relative);
            let target = target.canonicalize().unwrap();
            let inside = target.strip_prefix(root().canonicalize().unwrap()).unwrap();
            assert!(
                files.contains(&inside.to_str().unwrap()),
                "{source} embeds {} which is not packaged",
                inside.display()
            );
        }
    }
}
