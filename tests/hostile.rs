//! Hostile input, faults and limits: every case gets a located finding and a documented exit code,
//! never a panic, and nothing outside the checked repository is read.

mod common;

use std::path::Path;

use common::*;
use opsgate::load::{load_sources, LoadLimits, Source};

fn repo() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn person_with(id: &str, title: &str, owner: &str) -> String {
    format!("apiVersion: opsgate/v1\nkind: Person\nmetadata:\n  id: {id}\n  title: {title}\n  owner: {owner}\nspec:\n  name: Pat Doe\n  title: Engineer\n")
}

#[test]
fn a_file_of_too_many_documents_is_read_up_to_the_limit() {
    let dir = repo();
    let many: Vec<String> = (0..20).map(|i| person(&format!("p-{i}"))).collect();
    write(dir.path(), "many.yaml", many.join("---\n"));
    let (code, json) = check_json(dir.path(), &["--max-documents", "5"]);
    assert_eq!(code, 3, "{json:#}");
    assert_eq!(codes(&json), vec!["LOAD-TOO-MANY-DOCUMENTS"]);
    assert_eq!(json["summary"]["artifacts"], 5);
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!((code, json["summary"]["artifacts"].as_u64()), (0, Some(20)));
}

#[test]
fn a_huge_file_is_refused_without_being_read_and_the_rest_is_checked() {
    let dir = repo();
    write(dir.path(), "ok.yaml", person("p-a"));
    // Sparse: 100 MB on paper, nothing on disk; reading it would take the whole budget.
    let huge = std::fs::File::create(dir.path().join("huge.yaml")).expect("create");
    huge.set_len(100 * 1024 * 1024).expect("set_len");
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 3);
    assert_eq!(
        findings(&json),
        vec![("LOAD-IO".into(), "huge.yaml".into(), 0)]
    );
    let message = json["findings"][0]["message"].as_str().expect("message");
    assert!(message.contains("--max-file-size"), "{message}");
    assert_eq!(json["summary"]["artifacts"], 1);
}

#[test]
fn nesting_ten_thousand_levels_deep_is_stopped_cleanly() {
    let dir = repo();
    let flow = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let block = "\n    ".to_owned() + &"- ".repeat(10_000) + "x";
    let mapping: String =
        (0..10_000).map(|_| "{a: ").collect::<String>() + "1" + &"}".repeat(10_000);
    for (name, deep) in [("flow", flow), ("block", block), ("mapping", mapping)] {
        write(
            dir.path(),
            &format!("{name}.yaml"),
            format!("apiVersion: opsgate/v1\nkind: Person\nmetadata:\n  id: p-{name}\n  title: x\n  owner: p-{name}\nspec:\n  name: {deep}\n"),
        );
    }
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 3, "{json:#}");
    assert_eq!(
        codes(&json),
        vec!["LOAD-TOO-DEEP", "LOAD-TOO-DEEP", "LOAD-TOO-DEEP"]
    );
}

/// Every prefix of real artifacts (a file cut short by a crash or a bad copy) loads without a
/// panic, and every finding it gives is located inside what was read.
#[test]
fn truncated_files_never_panic_and_stay_located() {
    let acme = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/acme");
    let mut files: Vec<_> = walk_yaml(&acme);
    files.sort();
    for path in files.iter().take(6) {
        let text = std::fs::read_to_string(path).expect("fixture");
        for cut in (0..text.len()).filter(|&i| text.is_char_boundary(i)) {
            let prefix = &text[..cut];
            let loaded = load_sources(
                vec![Source {
                    display: "t.yaml".into(),
                    path: "t.yaml".into(),
                    content: Ok(prefix.as_bytes().to_vec()),
                }],
                LoadLimits::default(),
            );
            let lines = prefix.lines().count().max(1) + 1;
            for finding in &loaded.findings {
                if let Some(range) = &finding.range {
                    assert!(
                        range.start.offset <= prefix.len() && range.end.offset <= prefix.len(),
                        "{} cut at {cut}: {finding:?}",
                        path.display()
                    );
                    assert!(range.start.line >= 1 && range.start.line <= lines);
                    assert!(range.start.column >= 1);
                }
            }
        }
    }
}

fn walk_yaml(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(walk_yaml(&path));
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
    out
}

#[cfg(unix)]
#[test]
fn symlinks_are_never_followed_out_of_the_repository_and_loops_end() {
    use std::os::unix::fs::symlink;
    let outside = repo();
    write(outside.path(), "secret.yaml", person("p-secret"));
    let dir = repo();
    write(dir.path(), "ok.yaml", person("p-a"));
    symlink(
        outside.path().join("secret.yaml"),
        dir.path().join("link.yaml"),
    )
    .expect("symlink");
    symlink(outside.path(), dir.path().join("outside")).expect("symlink");
    std::fs::create_dir(dir.path().join("loop")).expect("mkdir");
    symlink("..", dir.path().join("loop/up")).expect("symlink");
    symlink("/etc/passwd", dir.path().join("passwd.yaml")).expect("symlink");
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["summary"]["artifacts"], 1);
    // A link named like an artifact is reported, never read.
    assert_eq!(
        findings(&json),
        vec![
            ("LOAD-NOT-A-FILE".into(), "link.yaml".into(), 0),
            ("LOAD-NOT-A-FILE".into(), "passwd.yaml".into(), 0)
        ]
    );
}

#[test]
fn odd_ids_and_very_long_strings_are_findings_not_crashes() {
    let dir = repo();
    let long = "x".repeat(1 << 20);
    write(
        dir.path(),
        "a.yaml",
        person_with("\"../../etc/passwd\"", "x", "p-b"),
    );
    write(dir.path(), "b.yaml", person_with("p-b", &long, "p-b"));
    write(
        dir.path(),
        "c.yaml",
        person_with("\"p c\u{202e}\\0\"", "x", "\"\u{1f600}\""),
    );
    write(
        dir.path(),
        "d.yaml",
        person_with(&"p".repeat(10_000), "x", "p-b"),
    );
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 1, "{json:#}");
    let found = findings(&json);
    for file in ["a.yaml", "c.yaml", "d.yaml"] {
        assert!(
            found
                .iter()
                .any(|(c, f, l)| c == "SCHEMA" && f == file && *l == 4),
            "{file}: {found:?}"
        );
    }
    assert!(!found.iter().any(|(_, f, _)| f == "b.yaml"), "{found:?}");
}

/// Raw escape sequences in an artifact reach no terminal and no CI log: not in the text output's
/// messages, not in its source snippets, not in any other format.
#[test]
fn terminal_control_sequences_never_reach_the_output() {
    let dir = repo();
    write(
        dir.path(),
        "ctl.yaml",
        "apiVersion: opsgate/v1\nkind: Person\nmetadata:\n  id: p-a\n  title: \"t\u{1b}]0;pwned\u{7}\"\n  owner: \"p-\u{1b}[31mred\u{1b}[2J\"\nspec:\n  name: Pat\n  title: Eng\n",
    );
    write(
        dir.path(),
        "broken.yaml",
        "apiVersion: opsgate/v1\nkind: Person\nmetadata:\n  id: p-b\n  title: x\u{1b}[2J\n  owner: p-b\nspec:\n  name: [Pat\n",
    );
    for format in ["text", "github", "markdown", "junit", "sarif", "json"] {
        let output = opsgate()
            .arg("check")
            .arg(dir.path())
            .args(["--format", format, "--as-of", AS_OF])
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(3), "{format}");
        for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            assert!(
                !bytes.iter().any(|b| matches!(b, 0x1b | 0x07 | b'\r')),
                "{format} {stream} carries a control character:\n{}",
                String::from_utf8_lossy(bytes)
            );
        }
        if format == "text" {
            let text = String::from_utf8_lossy(&output.stdout);
            assert!(
                text.contains("REF-001") && text.contains("LOAD-SYNTAX"),
                "{text}"
            );
        }
    }
}

const FRAGILE_POLICY: &str = r#"package opsgate.rules.team_fragile

import rego.v1

metadata := {"FRAG-001": {
	"title": "People have names", "severity": "warning", "area": "information_security",
	"source": "Team convention", "rationale": "r", "remediation": "m",
}}

# Two bodies give two answers for an id of three characters, and only for that one: a conflict,
# which fails the evaluation (unlike a failing built-in, which is undefined as in OPA).
weight(id) := 1 if count(id) > 3

weight(id) := 1 if count(id) == 3

weight(id) := 2 if count(id) == 3

deny contains {"code": "FRAG-001", "pointer": "/spec/name", "message": "flagged"} if {
	input.artifact.kind == "Person"
	weight(input.artifact.metadata.id) > 0
}
"#;

#[test]
fn a_policy_failing_on_one_artifact_hides_nothing_about_the_others() {
    let dir = repo();
    let policies = repo();
    write(policies.path(), "fragile.rego", FRAGILE_POLICY);
    for id in ["p-a", "p-bb", "p-cc"] {
        write(dir.path(), &format!("{id}.yaml"), person(id));
    }
    let policy_dir = policies.path().to_string_lossy().into_owned();
    let (code, json) = check_json(dir.path(), &["--policy", &policy_dir]);
    assert_eq!(code, 4, "{json:#}");
    assert_eq!(
        findings(&json),
        vec![
            ("FRAG-001".into(), "p-bb.yaml".into(), 8),
            ("FRAG-001".into(), "p-cc.yaml".into(), 8)
        ]
    );
    let errors = json["policy_errors"].as_array().expect("policy errors");
    assert_eq!(errors.len(), 1, "{errors:?}");
    let message = errors[0]["message"].as_str().expect("message");
    assert!(
        message.contains("team_fragile")
            && message.contains("p-a")
            && message.contains("functions must not produce multiple outputs"),
        "{message}"
    );
}

/// Root reads everything, so the test can only show the behaviour when run unprivileged.
#[cfg(unix)]
#[test]
fn unreadable_files_and_folders_are_reported_and_the_rest_is_checked() {
    use std::os::unix::fs::PermissionsExt;
    let dir = repo();
    write(dir.path(), "ok.yaml", person("p-a"));
    write(dir.path(), "locked.yaml", person("p-b"));
    write(dir.path(), "closed/in.yaml", person("p-c"));
    let lock = |path: &Path, mode| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod")
    };
    lock(&dir.path().join("locked.yaml"), 0o000);
    lock(&dir.path().join("closed"), 0o000);
    let privileged = std::fs::read(dir.path().join("locked.yaml")).is_ok();
    let result = (!privileged).then(|| check_json(dir.path(), &[]));
    lock(&dir.path().join("closed"), 0o755);
    lock(&dir.path().join("locked.yaml"), 0o644);
    let Some((code, json)) = result else {
        eprintln!("running with privileges that read anything: nothing to show");
        return;
    };
    assert_eq!(code, 3, "{json:#}");
    let found = findings(&json);
    assert!(
        found
            .iter()
            .any(|(c, f, _)| c == "LOAD-IO" && f == "locked.yaml"),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(c, f, _)| c == "LOAD-IO" && f.starts_with("closed")),
        "{found:?}"
    );
    assert_eq!(json["summary"]["artifacts"], 1);
}

/// Every input the fuzzers found a bug with (tests/fuzz_regressions/, exact bytes) is checked end
/// to end: no crash, and every finding lies inside the file, on a line the file has.
#[test]
fn fuzz_regressions_stay_fixed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .expect("regressions folder")
        .map(|e| e.expect("entry").path())
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty());
    for input in inputs {
        let bytes = std::fs::read(&input).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        let breaks =
            text.matches('\n').count() + text.matches('\r').count() - text.matches("\r\n").count();
        let repo = repo();
        write(repo.path(), "input.yaml", &bytes);
        let (code, json) = check_json(repo.path(), &[]);
        assert!(
            matches!(code, 0 | 1 | 3),
            "{}: exit {code}",
            input.display()
        );
        for finding in json["findings"].as_array().expect("findings") {
            let line = finding["line"].as_u64().unwrap_or(1) as usize;
            assert!(
                (1..=breaks + 1).contains(&line),
                "{}: line {line} of a file with {} lines: {finding}",
                input.display(),
                breaks + 1
            );
        }
    }
}

/// Line and column (1-based, column in characters) of a byte offset, counting YAML's line breaks.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut line = 1;
    let mut column = 1;
    let mut chars = text[..offset].chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                line += 1;
                column = 1;
            }
            _ => column += 1,
        }
    }
    if text[offset..].starts_with('\n') && text[..offset].ends_with('\r') {
        // Between the two bytes of a CRLF: still the line the break ends.
        return (line - 1, column);
    }
    (line, column)
}

/// The byte offset miette slices by and the line:column printed beside it name the same place, for
/// every fuzz regression and for text after a `%` directive with non-ASCII characters (saphyr
/// counts such a directive in bytes, which once made every later offset drift).
#[test]
fn offsets_and_line_columns_agree_on_fuzz_regressions() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut inputs: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .expect("regressions folder")
        .map(|e| std::fs::read(e.expect("entry").path()).expect("read"))
        .collect();
    inputs.push(
        "%YAML 1.2 # é\n---\napiVersion: opsgate/v1\nkind: Person\nmetadata: {id: PER-1, title: é}\nspec: [x]\n"
            .as_bytes()
            .to_vec(),
    );
    // A byte-order mark at the start of a later line, which saphyr skips without counting.
    inputs.push(
        "apiVersion: opsgate/v1\nkind: Person\n\u{feff}metadata: {id: PER-2, title: t}\nspec: {name: n}\n"
            .as_bytes()
            .to_vec(),
    );
    for bytes in inputs {
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        let loaded = load_sources(
            vec![Source {
                display: "t.yaml".into(),
                path: "t.yaml".into(),
                content: Ok(bytes.clone()),
            }],
            LoadLimits::default(),
        );
        let mut ranges: Vec<_> = loaded.findings.iter().flat_map(|f| f.range).collect();
        for artifact in &loaded.workspace.artifacts {
            ranges.push(artifact.start);
            if let Some(spans) = artifact.positions.get("/metadata") {
                let key = spans.key.expect("a mapping value has a key");
                assert_eq!(
                    &text[key.start.offset..key.end.offset],
                    "metadata",
                    "{text:?}"
                );
            }
            let mut pointers = Vec::new();
            pointers_of(&artifact.value, String::new(), &mut pointers);
            ranges.extend(pointers.iter().map(|p| artifact.locate(p).1));
        }
        for range in ranges {
            for pos in [range.start, range.end] {
                assert!(pos.offset <= text.len(), "{text:?}: {pos:?}");
                assert_eq!(
                    (pos.line, pos.column),
                    line_column(text, pos.offset),
                    "{text:?}: {pos:?}"
                );
            }
        }
    }
}

fn pointers_of(value: &serde_json::Value, at: String, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, child) in map {
                pointers_of(
                    child,
                    format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        serde_json::Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers_of(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}
