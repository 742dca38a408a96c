//! A hostile contributor's repository, rendered in every format and handed to what really reads
//! each one: a terminal emulator (pyte), GitHub's markdown renderer (cmark-gfm), a parser that
//! follows the Actions runner's command rules, junitparser. Nothing the repository wrote may be
//! interpreted: no retitled window or cleared screen, no workflow command, no image, link or
//! mention, no raw bidirectional control. The peers are installed by `scripts/peers.sh`.

mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};

use common::*;
use serde_json::Value;

fn peer(var: &str) -> PathBuf {
    let path = std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| {
        panic!("{var} is not set: run the tests with scripts/test.sh, which installs the real consumers of opsgate's outputs")
    });
    assert!(
        path.exists(),
        "{var}={} does not exist; rerun scripts/peers.sh",
        path.display()
    );
    path
}

/// Invisible characters that change how text reads ("Trojan Source") and terminal controls.
const HIDDEN: &[char] = &[
    '\u{1b}', '\u{7}', '\u{8}', '\r', '\u{85}', '\u{9b}', '\u{202e}', '\u{2066}', '\u{2067}',
    '\u{2068}', '\u{2069}', '\u{200f}', '\u{200e}', '\u{61c}', '\u{2028}', '\u{2029}', '\u{200b}',
];

/// What an attacker writes into a value: a forged annotation, a mask, a stop of command
/// processing, a retitled window, a cleared screen, tracker images, links and a mention.
const PAYLOAD: &str = "x\n::add-mask::p-alice\n  ::error file=changes/CHG-2026-031.yaml,line=1::forged\nthen ##[stop-commands]\u{1b}]0;opsgate: all checks passed\u{7}\u{1b}[2J\r\u{8} @alice https://t.example/a www.t.example <img src=\"https://t.example/i.png\"> ![t](https://t.example/m.png) | cell \u{202e}evil\u{202c} \u{2066}\u{2067}\u{2068}\u{2069}\u{200f}\u{61c}\u{2028}\u{2029}";

/// A file name with the same tricks (everything Linux allows in a name).
const FILE_NAME: &str =
    "p\u{1b}]0;opsgate: all checks passed\u{7}\u{1b}[2J\r\u{8}|x\n<img src=x>\u{202e}lmth.yaml";

const HOSTILE_POLICY: &str = r#"package opsgate.rules.team_hostile

import rego.v1

metadata := {"HOS-001": {
	"title": "People are named", "severity": "warning", "area": "information_security",
	"source": "Team convention", "rationale": "r", "remediation": "m",
}}

# Two answers for an id holding an escape character: a conflict, which fails the evaluation, and
# the error names the artifact.
weight(id) := 1 if contains(id, "\u001b")

weight(id) := 2 if contains(id, "\u001b")

deny contains {"code": "HOS-001", "pointer": "/spec/name", "message": "flagged"} if {
	input.artifact.kind == "Person"
	weight(input.artifact.metadata.id) > 0
}
"#;

fn yaml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// The repository: a person whose owner (an unresolved reference, quoted by REF-001) and an
/// unknown key (quoted by SCHEMA) carry the payload, a file with a hostile name, and a person
/// whose id makes a policy fail.
fn hostile_repo() -> (tempfile::TempDir, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let payload = yaml_string(PAYLOAD);
    write(
        dir.path(),
        "people/p-a.yaml",
        format!("apiVersion: opsgate/v1\nkind: Person\nmetadata:\n  id: p-a\n  title: {payload}\n  owner: {payload}\nspec:\n  name: Pat\n  title: Eng\n  {payload}: 1\n"),
    );
    write(
        dir.path(),
        FILE_NAME,
        "apiVersion: opsgate/v1\nkind: Person\nmetadata:\n  id: p-b\n  title: t\n  owner: p-b\nspec:\n  name: Pat\n  title: Eng\n  nickname: P\n",
    );
    write(
        dir.path(),
        "people/p-c.yaml",
        format!("apiVersion: opsgate/v1\nkind: Person\nmetadata:\n  id: \"p-\\e[2J\\a{}\"\n  title: t\n  owner: p-a\nspec:\n  name: Pat\n  title: Eng\n", "\\u202E"),
    );
    let policies = tempfile::tempdir().unwrap();
    write(policies.path(), "hostile.rego", HOSTILE_POLICY);
    (dir, policies)
}

fn render(dir: &Path, policies: &Path, format: &str) -> (i32, String) {
    let out = opsgate()
        .arg("check")
        .arg(dir)
        .args(["--as-of", AS_OF, "--format", format, "--policy"])
        .arg(policies)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
    (out.status.code().expect("exit code"), stdout)
}

fn assert_no_hidden(format: &str, text: &str) {
    let found: Vec<String> = text
        .chars()
        .filter(|c| HIDDEN.contains(c))
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    assert!(found.is_empty(), "{format} carries {found:?} raw:\n{text}");
}

/// The workflow commands a line holds for the Actions runner: a line whose trimmed start is
/// `::` (`ActionCommand.TryParseV2`), or that holds `##[` anywhere (the legacy parser).
/// (command, properties, data), unescaped as the runner does.
type Command = (String, Vec<(String, String)>, String);

fn runner_command(line: &str) -> Option<Command> {
    if line.contains("##[") {
        return Some(("legacy".into(), Vec::new(), line.to_owned()));
    }
    let rest = line.trim_start().strip_prefix("::")?;
    let (head, data) = rest.split_once("::").unwrap_or((rest, ""));
    let (name, props) = head.split_once(' ').unwrap_or((head, ""));
    let unescape = |s: &str| {
        s.replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    };
    let props = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_owned(), unescape(v))
        })
        .collect();
    Some((name.to_owned(), props, unescape(data)))
}

#[test]
fn no_output_format_lets_repository_content_be_interpreted() {
    let (dir, policies) = hostile_repo();
    let (code, json_text) = render(dir.path(), policies.path(), "json");
    assert_eq!(code, 4, "a policy error: {json_text}");
    let json: Value = serde_json::from_str(&json_text).unwrap();
    let findings = json["findings"].as_array().unwrap().len();
    assert!(findings >= 4, "{json:#}");
    // Machine output keeps the exact values, escaped.
    assert_no_hidden("json", &json_text);
    let owners: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "REF-001")
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(owners.iter().any(|m| m.contains(PAYLOAD)), "{owners:?}");
    assert!(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["file"] == FILE_NAME),
        "the hostile file has its finding: {json:#}"
    );
    let policy_error = json["policy_errors"][0]["message"].as_str().unwrap();
    assert!(
        policy_error.contains("p-\u{1b}[2J\u{7}\u{202e}"),
        "{policy_error}"
    );

    for format in ["text", "github", "markdown", "junit", "sarif", "json"] {
        let (code, out) = render(dir.path(), policies.path(), format);
        assert_eq!(code, 4, "{format}");
        assert_no_hidden(format, &out);
        if format != "github" {
            let commands: Vec<_> = out.lines().filter_map(runner_command).collect();
            assert!(
                commands.is_empty(),
                "{format} output holds workflow commands: {commands:#?}"
            );
        }
    }
    // The auditor's report (HTML and markdown) shows the same content.
    for format in ["html", "markdown"] {
        let out = opsgate()
            .arg("report")
            .arg(dir.path())
            .args(["--as-of", AS_OF, "--format", format, "--policy"])
            .arg(policies.path())
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.len() > 100,
            "report {format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_no_hidden(&format!("report {format}"), &text.replace("@\u{200b}", "@"));
        assert!(!text.contains("<img src=\"https://t.example"), "{text}");
    }
    github_lines_are_only_opsgate_s_own_commands(dir.path(), policies.path(), findings);
    text_reaches_a_terminal_as_plain_text(dir.path(), policies.path());
    markdown_renders_without_images_links_or_mentions(dir.path(), policies.path(), findings);
    junit_reads_back(dir.path(), policies.path());
}

fn github_lines_are_only_opsgate_s_own_commands(dir: &Path, policies: &Path, findings: usize) {
    let (_, out) = render(dir, policies, "github");
    let commands: Vec<_> = out.lines().filter_map(runner_command).collect();
    assert_eq!(
        commands.len(),
        findings + 1,
        "one per finding and policy error:\n{out}"
    );
    for (name, props, data) in &commands {
        assert!(
            ["error", "warning", "notice"].contains(&name.as_str()),
            "command `{name}` from:\n{out}"
        );
        for (key, _) in props {
            assert!(
                ["file", "line", "col", "endLine", "endColumn", "title"].contains(&key.as_str()),
                "property `{key}` of {props:?}"
            );
        }
        // The only line break in a message is opsgate's own, before its help.
        assert!(data.matches('\n').count() <= 1, "{data:?}");
        assert!(!data.contains("\n::") && !data.contains("##["), "{data:?}");
    }
    let payload_line = commands
        .iter()
        .find(|(_, _, data)| data.contains("add-mask"))
        .expect("the payload is reported");
    assert!(
        payload_line
            .2
            .contains("x\\n::add-mask::p-alice\\n  ::error file=changes/CHG-2026-031.yaml"),
        "line breaks are shown, not obeyed: {:?}",
        payload_line.2
    );
}

fn text_reaches_a_terminal_as_plain_text(dir: &Path, policies: &Path) {
    let (_, out) = render(dir, policies, "text");
    assert!(
        out.contains("\\u{1b}]0;opsgate: all checks passed\\u{7}"),
        "{out}"
    );
    screen_shows(&out, &out);
    // With colours, opsgate's own escape sequences are interpreted and nothing else: the screen
    // shows the same text as without them.
    let coloured = opsgate()
        .arg("check")
        .arg(dir)
        .args([
            "--as-of", AS_OF, "--format", "text", "--color", "always", "--policy",
        ])
        .arg(policies)
        .output()
        .unwrap();
    let coloured = String::from_utf8(coloured.stdout).unwrap();
    assert!(coloured.contains("\u{1b}["), "colours are on");
    screen_shows(&coloured, &out);
}

/// Feeds `printed` to a terminal emulator and checks the screen shows `expected`, line for line,
/// with the window's title untouched.
fn screen_shows(printed: &str, expected: &str) {
    let out = printed;
    let script = r#"
import json, sys, pyte
text = sys.stdin.read()
lines = text.split("\n")
screen = pyte.Screen(max(len(l) for l in lines) + 10, len(lines) + 5)
stream = pyte.Stream(screen)
stream.feed(text.replace("\n", "\r\n"))
print(json.dumps({"title": screen.title, "icon": screen.icon_name, "display": [l.rstrip() for l in screen.display]}))
"#;
    let mut child = Process::new(peer("OPSGATE_PEERS_PYTHON"))
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(out.as_bytes())
        .unwrap();
    let result = child.wait_with_output().unwrap();
    assert!(result.status.success(), "pyte failed");
    let screen: Value = serde_json::from_slice(&result.stdout).unwrap();
    assert_eq!(screen["title"], "", "the window was retitled");
    assert_eq!(screen["icon"], "");
    // Every line lands on the screen exactly as printed: nothing moved the cursor, cleared the
    // screen or overwrote a line.
    let display: Vec<&str> = screen["display"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    // The colour codes are zero-width. Two runs differ only in the summary's time.
    let untimed = |line: &str| match line.split_once(" ms: ") {
        Some((_, rest)) if line.starts_with("checked ") => rest.to_owned(),
        _ => line.trim_end().to_owned(),
    };
    for (i, line) in expected.split('\n').enumerate() {
        assert_eq!(
            untimed(display[i]),
            untimed(line),
            "line {i} of:\n{expected}"
        );
    }
}

fn markdown_renders_without_images_links_or_mentions(dir: &Path, policies: &Path, findings: usize) {
    let (_, markdown) = render(dir, policies, "markdown");
    let mut child = Process::new(peer("OPSGATE_CMARK_GFM"))
        .args([
            "--unsafe",
            "-e",
            "table",
            "-e",
            "autolink",
            "-e",
            "tagfilter",
            "-e",
            "strikethrough",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(markdown.as_bytes())
        .unwrap();
    let result = child.wait_with_output().unwrap();
    assert!(result.status.success());
    let html = String::from_utf8(result.stdout).unwrap();
    for element in ["<img", "<a ", "<script", "<iframe", "<h1", "<h3", "<del"] {
        assert!(!html.contains(element), "{element} in:\n{html}");
    }
    // The table keeps its shape: a row per finding and policy error, four cells each.
    let rows: Vec<&str> = html.split("<tr>").skip(2).collect();
    assert_eq!(rows.len(), findings + 1, "{html}");
    for row in &rows {
        assert_eq!(row.matches("<td").count(), 4, "{row}");
    }
    // GitHub would notify @alice and link URLs found in the text; a zero-width space after `@`
    // and escaped `:`/`.` leave plain text.
    assert!(
        !html.contains("@alice") && html.contains("@\u{200b}alice"),
        "{html}"
    );
    assert!(
        html.contains("https://t.example/a"),
        "the URL is shown as text"
    );
    assert_no_hidden("markdown HTML", &html.replace("@\u{200b}", "@"));
}

fn junit_reads_back(dir: &Path, policies: &Path) {
    let (_, xml) = render(dir, policies, "junit");
    let out_dir = tempfile::tempdir().unwrap();
    let file = out_dir.path().join("report.xml");
    std::fs::write(&file, &xml).unwrap();
    let script = "import sys, junitparser\nxml = junitparser.JUnitXml.fromfile(sys.argv[1])\nprint(sum(1 for s in xml for c in s))";
    let out = Process::new(peer("OPSGATE_PEERS_PYTHON"))
        .args(["-c", script])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse::<usize>()
            .unwrap()
            > 0,
        "test cases read back"
    );
}

/// The auditor's machine formats keep the values, escaped as `check --format json` is: no raw
/// bidirectional or control character, no `##[` for a CI log that shows the file.
#[test]
fn report_json_and_oscal_escape_what_the_repository_hides() {
    let (dir, policies) = hostile_repo();
    for format in ["json", "oscal"] {
        let out = opsgate()
            .arg("report")
            .arg(dir.path())
            .args(["--as-of", AS_OF, "--format", format, "--policy"])
            .arg(policies.path())
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).expect("UTF-8 output");
        let parsed: Value = serde_json::from_str(&text).expect("valid JSON");
        assert!(
            text.contains("\\u202e"),
            "{format} keeps the value, escaped"
        );
        assert!(parsed.to_string().contains('\u{202e}'), "{format}");
        assert_no_hidden(format, &text);
        assert!(!text.contains("##["), "{format}");
    }
}
