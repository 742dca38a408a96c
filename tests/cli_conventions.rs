//! What users of ruff, ripgrep or cargo expect from a command line: completions, a manual page, a
//! version that names its commit, and colour that follows `--color` and no-color.org.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn stdout(args: &[&str]) -> String {
    let output = opsgate().args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn completions_for_every_shell_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = stdout(&["completions", shell]);
        for subcommand in ["check", "report", "pre-commit", "explain"] {
            assert!(
                script.contains(subcommand),
                "{shell} completion lacks {subcommand}"
            );
        }
    }
    // bash reads the script without error.
    let script = stdout(&["completions", "bash"]);
    let status = Command::new("bash")
        .args(["-c", &format!("{script}\ncomplete -p opsgate")])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn the_manual_page_is_roff_and_lists_the_commands() {
    let page = stdout(&["man"]);
    assert!(page.contains(".TH opsgate 1"), "{page}");
    assert!(
        page.contains("pre\\-commit") || page.contains("pre-commit"),
        "{page}"
    );
}

#[test]
fn the_version_names_the_commit() {
    let version = stdout(&["--version"]);
    assert!(
        version.starts_with(&format!("opsgate {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
}

fn dir_with_a_gap() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "p.yaml", person("p-a"));
    write(
        dir.path(),
        "c.yaml",
        "apiVersion: opsgate/v1\nkind: ChangeRecord\nmetadata: {id: CHG-1, title: T, owner: p-a}\nspec: {type: normal, status: closed}\n",
    );
    dir
}

/// The text output of `check DIR ARGS` run under a pseudo-terminal (`script`), with `no_color`.
fn at_a_terminal(dir: &Path, args: &str, no_color: Option<&str>) -> String {
    let binary = env!("CARGO_BIN_EXE_opsgate");
    let command = format!("{binary} check {} --as-of {AS_OF} {args}", dir.display());
    let mut script = Command::new("script");
    script.args(["-qec", &command, "/dev/null"]);
    script.env_remove("NO_COLOR");
    if let Some(value) = no_color {
        script.env("NO_COLOR", value);
    }
    String::from_utf8_lossy(&script.output().unwrap().stdout).into_owned()
}

#[test]
fn colour_follows_color_and_no_color_org() {
    let dir = dir_with_a_gap();
    let ansi = |text: &str| text.contains("\u{1b}[");
    assert!(
        ansi(&at_a_terminal(dir.path(), "", None)),
        "a terminal gets colour"
    );
    assert!(
        !ansi(&at_a_terminal(dir.path(), "", Some("1"))),
        "NO_COLOR=1 disables it"
    );
    assert!(
        ansi(&at_a_terminal(dir.path(), "", Some(""))),
        "an empty NO_COLOR does not"
    );
    assert!(!ansi(&at_a_terminal(dir.path(), "--color never", None)));
    assert!(!ansi(&at_a_terminal(dir.path(), "--no-color", None)));
    let piped = opsgate()
        .arg("check")
        .arg(dir.path())
        .args(["--as-of", AS_OF, "--color", "always"])
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(
        ansi(&String::from_utf8_lossy(&piped.stdout)),
        "--color always, even in a pipe"
    );
    let piped = opsgate()
        .arg("check")
        .arg(dir.path())
        .args(["--as-of", AS_OF])
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(
        !ansi(&String::from_utf8_lossy(&piped.stdout)),
        "a pipe gets none by default"
    );
}
