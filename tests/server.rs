//! `dockfix server` spoken to over stdio, as an editor does: initialize,
//! open, diagnostics, code actions (quick fix, ignore, fix all),
//! formatting, incremental change, cancellation, shutdown and exit.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{Value, json};

struct Client {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: i64,
    /// Notifications read while waiting for a response.
    notifications: Vec<Value>,
}

impl Client {
    fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dockfix"))
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Self {
            child,
            stdin,
            stdout,
            next_id: 1,
            notifications: Vec::new(),
        }
    }

    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn read(&mut self) -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.stdout.read_line(&mut line).unwrap();
            let line = line.trim();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length: ") {
                length = value.parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.stdout.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(id)
    }

    fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    fn response(&mut self, id: i64) -> Value {
        loop {
            let message = self.read();
            if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                return message;
            }
            self.notifications.push(message);
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        loop {
            let message = match self
                .notifications
                .iter()
                .position(|message| message["method"] == "textDocument/publishDiagnostics")
            {
                Some(index) => self.notifications.remove(index),
                None => self.read(),
            };
            if message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
            {
                return message["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }
}

/// Applies LSP text edits (line/character, UTF-16; ASCII here) to `text`.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |position: &Value| -> usize {
        let line = position["line"].as_u64().unwrap() as usize;
        let character = position["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        (start + character).min(text.len())
    };
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|edit| {
            (
                offset(&edit["range"]["start"]),
                offset(&edit["range"]["end"]),
                edit["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort();
    let mut out = text.to_string();
    for (start, end, new_text) in spans.into_iter().rev() {
        out.replace_range(start..end, &new_text);
    }
    out
}

const TEXT: &str = "FROM debian:bookworm-slim\nRUN apt-get update\nRUN apt-get install -y curl\nCMD [\"curl\", \"--version\"]\n";

/// What the command line makes of TEXT.
fn fixed_by_cli(text: &str) -> String {
    String::from_utf8(common::run_stdin(&["-"], text.as_bytes()).stdout).unwrap()
}

#[test]
fn speaks_lsp_over_stdio() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Dockerfile");
    std::fs::write(&path, TEXT).unwrap();
    let uri = format!("file://{}", path.display());
    let mut client = Client::start();

    let initialize = client.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    let capabilities = &initialize["result"]["capabilities"];
    assert_eq!(capabilities["documentFormattingProvider"], true);
    assert_eq!(capabilities["textDocumentSync"], 2, "incremental sync");
    client.notify("initialized", json!({}));

    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": TEXT}}),
    );
    let diagnostics = client.diagnostics(&uri);
    let codes: Vec<&str> = diagnostics
        .iter()
        .filter_map(|diagnostic| diagnostic["code"].as_str())
        .collect();
    assert!(codes.contains(&"cleanup-same-layer"), "{diagnostics:#?}");
    assert!(diagnostics.iter().all(|d| d["source"] == "dockfix"));

    // Fix all: the same text as the command line.
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": [], "only": ["source.fixAll.dockfix"]},
        }),
    );
    let actions = actions["result"].as_array().unwrap().clone();
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.dockfix");
    let edits = actions[0]["edit"]["changes"][&uri].as_array().unwrap();
    assert_eq!(apply(TEXT, edits), fixed_by_cli(TEXT));

    // Quick fixes at a diagnostic: the fix itself and an ignore comment.
    let diagnostic = diagnostics
        .iter()
        .find(|d| d["code"] == "cleanup-same-layer")
        .unwrap();
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": diagnostic["range"],
            "context": {"diagnostics": [diagnostic], "only": ["quickfix"]},
        }),
    );
    let actions = actions["result"].as_array().unwrap().clone();
    let titles: Vec<&str> = actions.iter().filter_map(|a| a["title"].as_str()).collect();
    assert!(
        titles.iter().any(|t| t.starts_with("dockfix: ")),
        "{titles:?}"
    );
    let ignore = actions
        .iter()
        .find(|a| a["title"] == "dockfix: ignore cleanup-same-layer here")
        .unwrap();
    let ignored = apply(TEXT, ignore["edit"]["changes"][&uri].as_array().unwrap());
    assert!(
        ignored.contains("# dockfix: ignore=cleanup-same-layer\nRUN apt-get"),
        "{ignored}"
    );

    // Formatting gives the same minimal edits.
    let formatting = client.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    let edits = formatting["result"].as_array().unwrap();
    assert_eq!(apply(TEXT, edits), fixed_by_cli(TEXT));

    // An incremental change that makes the document clean: no diagnostics,
    // and formatting has nothing to do.
    let clean = "FROM scratch\nCMD [\"x\"]\n";
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 4, "character": 0}},
                "text": clean,
            }],
        }),
    );
    assert!(client.diagnostics(&uri).is_empty());
    let formatting = client.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    assert_eq!(formatting["result"], json!([]));

    // A request cancelled before it is handled.
    let id = client.send_request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    client.notify("$/cancelRequest", json!({"id": id}));
    let response = client.response(id);
    assert!(
        response.get("result").is_some() || response["error"]["code"] == -32800,
        "{response}"
    );

    let shutdown = client.request("shutdown", Value::Null);
    assert!(shutdown.get("error").is_none());
    client.notify("exit", Value::Null);
    let status = client.child.wait().unwrap();
    assert!(status.success());
}

#[test]
fn a_bad_settings_file_is_one_diagnostic_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("dockfix.toml"), "selekt = 1\n").unwrap();
    let path = dir.path().join("Dockerfile");
    let uri = format!("file://{}", path.display());
    let mut client = Client::start();
    client.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}, "initializationOptions": {"unsafe": true}}),
    );
    client.notify("initialized", json!({}));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": TEXT}}),
    );
    let diagnostics = client.diagnostics(&uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `selekt`")
    );
    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    assert!(client.child.wait().unwrap().success());
}
