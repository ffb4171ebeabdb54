//! `dockfix server`: a language server over stdio.
//!
//! - Diagnostics: one per fix dockfix would make (the transform id as code;
//!   safe fixes as information, unsafe ones as hints), published after the
//!   document has been quiet for [`DEBOUNCE`].
//! - Code actions: a quick fix per diagnostic, "fix all" as
//!   `source.fixAll.dockfix`, and "ignore this transform here" (a
//!   `# dockfix: ignore=ID` comment above the instruction).
//! - Formatting (and range formatting): the fixes as minimal line edits, the
//!   format-on-save path. An unchanged document gets no edits.
//! - Settings: `dockfix.toml` is resolved per document as on the command
//!   line; initialization options `{"unsafe": bool, "select": [ids]}` are
//!   laid over it like the command-line flags.
//!
//! Built on `lsp-server` and `lsp-types` (rust-analyzer's): a synchronous
//! loop on a channel is all a formatter needs, with no async runtime to
//! build or ship.

mod text;

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::time::Duration;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    Cancel, DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, Formatting, RangeFormatting, Request as _};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, Diagnostic, DiagnosticSeverity, DidChangeTextDocumentParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DocumentFormattingParams,
    DocumentRangeFormattingParams, NumberOrString, OneOf, PublishDiagnosticsParams,
    ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Uri,
    WorkspaceEdit,
};
use serde::Deserialize;

use crate::config::{self, Overrides, Settings};
use crate::engine::{AppliedFix, Outcome, Safety};
use crate::syntax::Dockerfile;

pub use text::{apply_edits, minimal_edits};

/// How long a document must be quiet before its diagnostics are computed:
/// typing does not run the transforms on every key.
pub const DEBOUNCE: Duration = Duration::from_millis(75);

/// The code action kind of "fix all".
pub const FIX_ALL_KIND: &str = "source.fixAll.dockfix";

/// Initialization options.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Options {
    /// Apply unsafe fixes too (formatting, fix all).
    #[serde(rename = "unsafe")]
    pub allow_unsafe: bool,
    /// Run only these transforms (naming one opts in to its unsafe fixes,
    /// as `--select` does).
    pub select: Option<Vec<String>>,
}

/// Runs the server on standard input and output until the client exits.
pub fn run() -> Result<u8, String> {
    let (connection, io_threads) = Connection::stdio();
    serve(connection).map_err(|error| format!("language server: {error}"))?;
    io_threads
        .join()
        .map_err(|error| format!("language server: {error}"))?;
    Ok(0)
}

/// Serves one client on `connection`.
pub fn serve(connection: Connection) -> Result<(), String> {
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(
            TextDocumentSyncKind::INCREMENTAL,
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::new(FIX_ALL_KIND),
            ]),
            ..CodeActionOptions::default()
        })),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_range_formatting_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    };
    let capabilities = serde_json::to_value(capabilities).map_err(|error| error.to_string())?;
    let initialize = connection
        .initialize(capabilities)
        .map_err(|error| error.to_string())?;
    let options = initialize
        .get("initializationOptions")
        .cloned()
        .and_then(|value| serde_json::from_value(value).ok())
        .unwrap_or_default();
    Server {
        connection,
        options,
        documents: HashMap::new(),
        dirty: BTreeSet::new(),
        pending: VecDeque::new(),
        cancelled: HashSet::new(),
    }
    .main_loop()
}

struct Server {
    connection: Connection,
    options: Options,
    documents: HashMap<Uri, String>,
    /// Documents changed since their diagnostics were last published.
    dirty: BTreeSet<Uri>,
    /// Messages read ahead (to see cancellations) and not handled yet.
    pending: VecDeque<Message>,
    cancelled: HashSet<RequestId>,
}

impl Server {
    fn main_loop(mut self) -> Result<(), String> {
        loop {
            let message = match self.pending.pop_front() {
                Some(message) => message,
                None if self.dirty.is_empty() => match self.connection.receiver.recv() {
                    Ok(message) => message,
                    Err(_) => return Ok(()),
                },
                None => match self.connection.receiver.recv_timeout(DEBOUNCE) {
                    Ok(message) => message,
                    Err(crossbeam_timeout) if crossbeam_timeout.is_timeout() => {
                        self.publish_dirty();
                        continue;
                    }
                    Err(_) => return Ok(()),
                },
            };
            match message {
                Message::Request(request) => {
                    if request.method == lsp_types::request::Shutdown::METHOD {
                        self.send(Response::new_ok(request.id, ()).into());
                        // Wait for `exit`; a client that just closes the
                        // pipe (Neovim quitting) is as good as one.
                        let _ = self
                            .connection
                            .receiver
                            .recv_timeout(Duration::from_secs(30));
                        return Ok(());
                    }
                    self.read_ahead();
                    let response = if self.cancelled.remove(&request.id) {
                        Response::new_err(
                            request.id,
                            ErrorCode::RequestCanceled as i32,
                            "cancelled".into(),
                        )
                    } else {
                        self.respond(request)
                    };
                    self.send(response.into());
                }
                Message::Notification(notification) => self.notify(notification),
                Message::Response(_) => {}
            }
        }
    }

    /// Reads the messages already waiting, noting cancellations, so a
    /// request cancelled before it is handled gets `RequestCanceled`.
    fn read_ahead(&mut self) {
        while let Ok(message) = self.connection.receiver.try_recv() {
            match message {
                Message::Notification(notification) if notification.method == Cancel::METHOD => {
                    if let Ok(params) =
                        serde_json::from_value::<lsp_types::CancelParams>(notification.params)
                    {
                        self.cancelled.insert(match params.id {
                            NumberOrString::Number(id) => RequestId::from(id),
                            NumberOrString::String(id) => RequestId::from(id),
                        });
                    }
                }
                other => self.pending.push_back(other),
            }
        }
    }

    fn send(&self, message: Message) {
        let _ = self.connection.sender.send(message);
    }

    fn notify(&mut self, notification: Notification) {
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(params) =
                    serde_json::from_value::<DidOpenTextDocumentParams>(notification.params)
                {
                    let uri = params.text_document.uri;
                    self.documents
                        .insert(uri.clone(), params.text_document.text);
                    self.dirty.insert(uri);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(params) =
                    serde_json::from_value::<DidChangeTextDocumentParams>(notification.params)
                {
                    let uri = params.text_document.uri;
                    let document = self.documents.entry(uri.clone()).or_default();
                    for change in params.content_changes {
                        match change.range {
                            Some(range) => {
                                let start = text::offset(document, range.start);
                                let end = text::offset(document, range.end).max(start);
                                document.replace_range(start..end, &change.text);
                            }
                            None => *document = change.text,
                        }
                    }
                    self.dirty.insert(uri);
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(params) =
                    serde_json::from_value::<DidCloseTextDocumentParams>(notification.params)
                {
                    let uri = params.text_document.uri;
                    self.documents.remove(&uri);
                    self.dirty.remove(&uri);
                    self.publish(uri, Vec::new());
                }
            }
            Cancel::METHOD => {
                if let Ok(params) =
                    serde_json::from_value::<lsp_types::CancelParams>(notification.params)
                {
                    self.cancelled.insert(match params.id {
                        NumberOrString::Number(id) => RequestId::from(id),
                        NumberOrString::String(id) => RequestId::from(id),
                    });
                }
            }
            _ => {}
        }
    }

    fn respond(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        let result = match request.method.as_str() {
            CodeActionRequest::METHOD => serde_json::from_value::<CodeActionParams>(request.params)
                .map(|params| serde_json::to_value(self.code_actions(&params))),
            Formatting::METHOD => {
                serde_json::from_value::<DocumentFormattingParams>(request.params).map(|params| {
                    serde_json::to_value(self.format(&params.text_document.uri, None))
                })
            }
            RangeFormatting::METHOD => serde_json::from_value::<DocumentRangeFormattingParams>(
                request.params,
            )
            .map(|params| {
                serde_json::to_value(self.format(&params.text_document.uri, Some(params.range)))
            }),
            _ => {
                return Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("dockfix does not handle {}", request.method),
                );
            }
        };
        match result {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err(error)) | Err(error) => {
                Response::new_err(id, ErrorCode::InvalidParams as i32, error.to_string())
            }
        }
    }

    fn publish_dirty(&mut self) {
        for uri in std::mem::take(&mut self.dirty) {
            let Some(text) = self.documents.get(&uri) else {
                continue;
            };
            let diagnostics = diagnostics(&analyse(&uri, text, &self.options), text);
            self.publish(uri, diagnostics);
        }
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<Diagnostic>) {
        let params = PublishDiagnosticsParams::new(uri, diagnostics, None);
        self.send(Message::Notification(Notification::new(
            PublishDiagnostics::METHOD.to_string(),
            params,
        )));
    }

    /// Formatting: the fixes as minimal edits (within `range` when given).
    fn format(&self, uri: &Uri, range: Option<lsp_types::Range>) -> Vec<TextEdit> {
        let Some(text) = self.documents.get(uri) else {
            return Vec::new();
        };
        format_edits(&analyse(uri, text, &self.options), text, range)
    }

    fn code_actions(&self, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        let uri = &params.text_document.uri;
        let Some(text) = self.documents.get(uri) else {
            return Vec::new();
        };
        let analysis = analyse(uri, text, &self.options);
        let wanted = |kind: &CodeActionKind| {
            params.context.only.as_ref().is_none_or(|only| {
                only.iter()
                    .any(|asked| kind.as_str().starts_with(asked.as_str()))
            })
        };
        let mut actions = Vec::new();
        if wanted(&CodeActionKind::QUICKFIX) {
            for finding in findings(&analysis, text) {
                let overlaps = finding.range.start <= params.range.end
                    && params.range.start <= finding.range.end;
                if !overlaps {
                    continue;
                }
                if let Some(edits) = &finding.edits {
                    let title = match finding.fix.safety {
                        Safety::Safe => format!("dockfix: {}", finding.fix.message),
                        Safety::Unsafe => format!("dockfix (unsafe): {}", finding.fix.message),
                    };
                    actions.push(action(title, CodeActionKind::QUICKFIX, uri, edits.clone()));
                }
                if let Some(edit) = ignore_comment(text, finding.offset, finding.fix.transform) {
                    actions.push(action(
                        format!("dockfix: ignore {} here", finding.fix.transform),
                        CodeActionKind::QUICKFIX,
                        uri,
                        vec![edit],
                    ));
                }
            }
        }
        let fix_all = CodeActionKind::new(FIX_ALL_KIND);
        if wanted(&fix_all) {
            let edits = format_edits(&analysis, text, None);
            if !edits.is_empty() {
                actions.push(action("dockfix: fix all".into(), fix_all, uri, edits));
            }
        }
        actions
    }
}

fn action(
    title: String,
    kind: CodeActionKind,
    uri: &Uri,
    edits: Vec<TextEdit>,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(kind),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..WorkspaceEdit::default()
        }),
        ..CodeAction::default()
    })
}

/// What dockfix makes of one document.
pub struct Analysis {
    outcome: Result<Outcome, String>,
}

/// Runs the engine on `text` as the command line would on the file `uri`
/// names (its `dockfix.toml`, its directory as build context).
pub fn analyse(uri: &Uri, text: &str, options: &Options) -> Analysis {
    let path = file_path(uri);
    let outcome = std::panic::catch_unwind(|| {
        let settings = settings_for(path.as_deref(), options)?;
        let directory = path
            .as_deref()
            .and_then(|path| path.parent())
            .map(PathBuf::from);
        crate::cli::fix_text(text, path.as_deref(), directory.as_deref(), &settings)
    })
    .unwrap_or_else(|_| Err("internal error while fixing this file (please report it)".into()));
    Analysis { outcome }
}

/// The minimal edits that apply the fixes (only those inside `range`).
pub fn format_edits(
    analysis: &Analysis,
    text: &str,
    range: Option<lsp_types::Range>,
) -> Vec<TextEdit> {
    let Ok(outcome) = &analysis.outcome else {
        return Vec::new();
    };
    let edits = text::minimal_edits(text, &outcome.text);
    match range {
        None => edits,
        Some(range) => edits
            .into_iter()
            .filter(|edit| edit.range.start <= range.end && range.start <= edit.range.end)
            .collect(),
    }
}

fn settings_for(path: Option<&std::path::Path>, options: &Options) -> Result<Settings, String> {
    let base = match path.and_then(|path| path.parent()).and_then(config::find) {
        Some(file) => config::load(&file)?,
        None => Settings::default(),
    };
    let settings = Overrides {
        select: options.select.clone(),
        ignore: Vec::new(),
        allow_unsafe: options.allow_unsafe,
    }
    .apply(base);
    crate::cli::plan(&settings)?;
    Ok(settings)
}

/// The local path of a `file:` URI.
fn file_path(uri: &Uri) -> Option<PathBuf> {
    if uri.scheme().map(|scheme| scheme.as_str()) != Some("file") {
        return None;
    }
    let path = uri.path().as_estr().decode().into_string().ok()?;
    Some(PathBuf::from(path.into_owned()))
}

/// One fix as the editor sees it.
struct Finding<'a> {
    fix: &'a AppliedFix,
    range: lsp_types::Range,
    /// Byte offset in the document where it acts.
    offset: usize,
    /// The fix's own edits, when its offsets are in the document (its pass
    /// started from it); later-pass fixes are reached through "fix all".
    edits: Option<Vec<TextEdit>>,
}

fn findings<'a>(analysis: &'a Analysis, text: &str) -> Vec<Finding<'a>> {
    let Ok(outcome) = &analysis.outcome else {
        return Vec::new();
    };
    let unchanged = outcome.text == text;
    let positions = text::Positions::new(text);
    let applied = outcome.applied.iter().map(|fix| (fix, fix.pass == 1));
    let offered = outcome.unsafe_available.iter().map(|fix| (fix, unchanged));
    applied
        .chain(offered)
        .filter(|(fix, _)| fix.line > 0)
        .map(|(fix, in_document)| {
            if in_document && fix.span.bytes.end <= text.len() {
                let edits = fix
                    .edits
                    .iter()
                    .map(|edit| TextEdit {
                        range: positions.range(edit.range.start, edit.range.end),
                        new_text: edit.replacement.clone(),
                    })
                    .collect();
                Finding {
                    fix,
                    range: positions.range(fix.span.bytes.start, fix.span.bytes.end),
                    offset: fix.span.bytes.start,
                    edits: Some(edits),
                }
            } else {
                // An earlier fix moved things: the line is the best place.
                let line = (fix.line - 1) as u32;
                let offset = text::offset(text, lsp_types::Position::new(line, 0));
                Finding {
                    fix,
                    range: lsp_types::Range::new(
                        lsp_types::Position::new(line, 0),
                        lsp_types::Position::new(line + 1, 0),
                    ),
                    offset,
                    edits: None,
                }
            }
        })
        .collect()
}

/// The diagnostics of a document: one per fix; one at the top when the
/// document cannot be fixed at all (bad `dockfix.toml`, …).
pub fn diagnostics(analysis: &Analysis, text: &str) -> Vec<Diagnostic> {
    if let Err(message) = &analysis.outcome {
        return vec![Diagnostic {
            range: lsp_types::Range::default(),
            severity: Some(DiagnosticSeverity::ERROR),
            source: Some("dockfix".into()),
            message: message.clone(),
            ..Diagnostic::default()
        }];
    }
    findings(analysis, text)
        .into_iter()
        .map(|finding| Diagnostic {
            range: finding.range,
            severity: Some(match finding.fix.safety {
                Safety::Safe => DiagnosticSeverity::INFORMATION,
                Safety::Unsafe => DiagnosticSeverity::HINT,
            }),
            code: Some(NumberOrString::String(finding.fix.transform.to_string())),
            source: Some("dockfix".into()),
            message: match finding.fix.safety {
                Safety::Safe => finding.fix.message.clone(),
                Safety::Unsafe => format!("{} (unsafe fix)", finding.fix.message),
            },
            ..Diagnostic::default()
        })
        .collect()
}

/// `# dockfix: ignore=ID` on a new line above the instruction at `offset`,
/// indented like it.
fn ignore_comment(text: &str, offset: usize, transform: &str) -> Option<TextEdit> {
    let file = Dockerfile::parse(text);
    let instruction = file.instructions().find(|instruction| {
        let range = instruction.text_range();
        range.start <= offset && offset <= range.end
    })?;
    let start = instruction.text_range().start;
    let line_start = text[..start].rfind('\n').map_or(0, |at| at + 1);
    let indent = &text[line_start..start];
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let position = text::position(text, line_start);
    Some(TextEdit {
        range: lsp_types::Range::new(position, position),
        new_text: format!("{indent}# dockfix: ignore={transform}{newline}"),
    })
}
