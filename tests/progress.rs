//! The progress bar: on a terminal, for text output, once the run has taken long enough; never in
//! CI, never with machine formats, never into a pipe. A real pseudo-terminal comes from `script`.

use std::path::Path;
use std::process::Command;

fn on_a_terminal(args: &str, envs: &[(&str, &str)]) -> String {
    let binary = assert_cmd::cargo::cargo_bin("opsgate");
    let acme = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/acme");
    let command = format!(
        "{} check {} --as-of 2026-11-24 {args}",
        binary.display(),
        acme.display()
    );
    let output = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_remove("CI")
        .env("NO_COLOR", "1")
        .envs(envs.iter().copied())
        .output()
        .expect("script (util-linux) runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_person_at_a_terminal_sees_progress_once_the_run_takes_long_enough() {
    let shown = on_a_terminal("--quiet", &[("OPSGATE_PROGRESS_AFTER_MS", "0")]);
    assert!(shown.contains("checking artifacts"), "{shown}");
    assert!(shown.contains("/38"), "{shown}");
    // The bar is cleared before the summary is printed.
    assert!(shown.trim_end().ends_with("0 info"), "{shown}");
}

#[test]
fn quick_runs_ci_logs_machine_formats_and_pipes_get_no_progress() {
    let quick = on_a_terminal("--quiet", &[("OPSGATE_PROGRESS_AFTER_MS", "60000")]);
    assert!(!quick.contains("checking artifacts"), "{quick}");
    let ci = on_a_terminal(
        "--quiet",
        &[("OPSGATE_PROGRESS_AFTER_MS", "0"), ("CI", "true")],
    );
    assert!(!ci.contains("checking artifacts"), "{ci}");
    let json = on_a_terminal("--format json", &[("OPSGATE_PROGRESS_AFTER_MS", "0")]);
    assert!(!json.contains("checking artifacts"), "{json}");
    let piped = assert_cmd::Command::cargo_bin("opsgate")
        .expect("binary")
        .args(["check", "fixtures/acme", "--as-of", "2026-11-24", "--quiet"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("CI")
        .env("OPSGATE_PROGRESS_AFTER_MS", "0")
        .output()
        .expect("runs");
    assert!(
        piped.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&piped.stderr)
    );
}
