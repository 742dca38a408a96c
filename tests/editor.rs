//! Editors: `opsgate schema --all --out DIR` writes schemas that resolve from their folder, and
//! the editor mapping `opsgate init` writes works in the real yaml-language-server (npm), driven
//! over its stdio LSP protocol: a broken artifact gets diagnostics, a valid one none.
//! Needs OPSGATE_YAML_LANGUAGE_SERVER (scripts/peers.sh installs it and exports the path).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

fn language_server() -> PathBuf {
    let path = std::env::var_os("OPSGATE_YAML_LANGUAGE_SERVER").unwrap_or_else(|| {
        panic!(
            "OPSGATE_YAML_LANGUAGE_SERVER is not set: run `eval \"$(scripts/peers.sh)\"` (or scripts/test.sh), \
             which installs yaml-language-server from npm under target/peers/"
        )
    });
    let path = PathBuf::from(path);
    assert!(
        path.exists(),
        "OPSGATE_YAML_LANGUAGE_SERVER={} does not exist: rerun scripts/peers.sh",
        path.display()
    );
    path
}

/// A language client over the server's stdin/stdout, with a reader thread that frames messages.
struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: u64,
}

impl Client {
    fn start(root: &Path) -> Client {
        let mut child = Command::new(language_server())
            .arg("--stdio")
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("yaml-language-server starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, messages) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(value) = line.strip_prefix("Content-Length: ") {
                        length = value.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("Content-Length header")];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let message: Value = serde_json::from_slice(&body).expect("JSON-RPC message");
                if sender.send(message).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            messages,
            next_id: 1,
        }
    }

    fn send(&mut self, message: Value) {
        let body = serde_json::to_vec(&message).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(&body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Reads messages until `wanted` returns a value, answering the server's own requests
    /// (`workspace/configuration` with `settings`, anything else with null) on the way.
    fn until<T>(&mut self, settings: &Value, mut wanted: impl FnMut(&Value) -> Option<T>) -> T {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = match self.messages.recv_timeout(left) {
                Ok(message) => message,
                Err(RecvTimeoutError::Timeout) => panic!("yaml-language-server: no answer in 60 s"),
                Err(RecvTimeoutError::Disconnected) => panic!("yaml-language-server exited"),
            };
            if let (Some(id), Some(method)) = (message.get("id"), message["method"].as_str()) {
                let result = if method == "workspace/configuration" {
                    let items = message["params"]["items"].as_array().map_or(0, Vec::len);
                    let mut answer = vec![json!({}); items];
                    if let Some(first) = answer.first_mut() {
                        *first = settings.clone();
                    }
                    Value::Array(answer)
                } else {
                    Value::Null
                };
                self.send(json!({"jsonrpc": "2.0", "id": id, "result": result}));
                continue;
            }
            if let Some(found) = wanted(&message) {
                return found;
            }
        }
    }

    /// Opens `path` and returns the first diagnostics the server publishes for it.
    fn diagnostics(&mut self, settings: &Value, path: &Path) -> Vec<Value> {
        let uri = file_uri(path);
        let text = std::fs::read_to_string(path).unwrap();
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
        self.until(settings, |message| {
            (message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri.as_str())
            .then(|| {
                message["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
        })
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// Starts the server on `root` with the `yaml.schemas` mapping of its `.vscode/settings.json`.
fn start_with_editor_settings(root: &Path) -> (Client, Value) {
    let settings: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join(".vscode/settings.json"))
            .expect("init wrote .vscode/settings.json"),
    )
    .expect("settings.json is JSON");
    // What VS Code hands the server as the `yaml` section; no schema store, so nothing is fetched.
    let yaml = json!({
        "schemas": settings["yaml.schemas"],
        "validate": true,
        "schemaStore": {"enable": false},
    });
    let mut client = Client::start(root);
    let init = client.request(
        "initialize",
        json!({
            "processId": std::process::id(),
            "rootUri": file_uri(root),
            "workspaceFolders": [{"uri": file_uri(root), "name": "repo"}],
            "capabilities": {"workspace": {"configuration": true}, "textDocument": {"publishDiagnostics": {}}},
        }),
    );
    client.until(&yaml, |m| (m["id"] == init).then_some(()));
    client.notify("initialized", json!({}));
    client.notify("workspace/didChangeConfiguration", json!({"settings": {}}));
    // The server pulls the settings; wait for that pull to be answered before opening files.
    let mut asked = false;
    let settings_for_loop = yaml.clone();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !asked && Instant::now() < deadline {
        match client.messages.recv_timeout(Duration::from_secs(60)) {
            Ok(message) if message["method"] == "workspace/configuration" => {
                let items = message["params"]["items"].as_array().map_or(0, Vec::len);
                let mut answer = vec![json!({}); items];
                answer[0] = settings_for_loop.clone();
                client.send(json!({"jsonrpc": "2.0", "id": message["id"], "result": answer}));
                asked = true;
            }
            Ok(message) if message.get("id").is_some() && message.get("method").is_some() => {
                client.send(json!({"jsonrpc": "2.0", "id": message["id"], "result": null}));
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    assert!(asked, "yaml-language-server never asked for its settings");
    (client, yaml)
}

#[test]
fn the_real_yaml_language_server_flags_a_broken_artifact_and_not_a_valid_one() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    opsgate()
        .args(["init", "--example"])
        .arg(&root)
        .assert()
        .success();
    let broken = root.join("ops/changes/CHG-BROKEN.yaml");
    let valid = root.join("ops/changes/CHG-2026-031.yaml");
    let text = std::fs::read_to_string(&valid).unwrap();
    assert!(text.contains("status: closed"), "{text}");
    std::fs::write(
        &broken,
        text.replacen("status: closed", "status: authorised", 1),
    )
    .unwrap();

    let (mut client, settings) = start_with_editor_settings(&root);
    // The broken file first: once its diagnostics arrive, the schemas are loaded.
    let problems = client.diagnostics(&settings, &broken);
    let status_line = text
        .lines()
        .position(|l| l.trim_start().starts_with("status: closed"))
        .unwrap() as u64;
    assert!(
        problems
            .iter()
            .any(|d| d["range"]["start"]["line"] == status_line),
        "no diagnostic on line {status_line}: {problems:#?}"
    );
    assert_eq!(
        client.diagnostics(&settings, &valid),
        Vec::<Value>::new(),
        "a valid starter artifact got diagnostics"
    );
}

#[test]
fn schema_all_writes_every_schema_and_the_shared_definitions() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("schemas");
    opsgate()
        .args(["schema", "--all", "--out"])
        .arg(&out)
        .assert()
        .success();
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 21, "{names:?}");
    for name in [
        "common.schema.json",
        "artifact.schema.json",
        "change-record.schema.json",
    ] {
        assert!(
            names.contains(&name.to_owned()),
            "{name} missing: {names:?}"
        );
    }
    // Every relative `$ref` names a file that was written next to it.
    for name in &names {
        let text = std::fs::read_to_string(out.join(name)).unwrap();
        let schema: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            schema["$id"],
            format!("https://github.com/opsgate/opsgate/schemas/v1/{name}")
        );
        for target in refs(&schema) {
            let file = target.split('#').next().unwrap();
            assert!(
                file.is_empty() || out.join(file).is_file(),
                "{name}: $ref {target} dangles"
            );
        }
    }
    let common = opsgate().args(["schema", "common"]).output().unwrap();
    assert!(common.status.success());
    assert_eq!(
        String::from_utf8(common.stdout).unwrap(),
        std::fs::read_to_string(out.join("common.schema.json")).unwrap()
    );
}

fn refs(value: &Value) -> Vec<String> {
    match value {
        Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| match (k.as_str(), v) {
                ("$ref", Value::String(target)) => vec![target.clone()],
                _ => refs(v),
            })
            .collect(),
        Value::Array(items) => items.iter().flat_map(refs).collect(),
        _ => Vec::new(),
    }
}
