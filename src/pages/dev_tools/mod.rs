//! Dev Tools console: type Elasticsearch requests as `METHOD path` lines with an optional JSON
//! body, send the one under the cursor (button or Ctrl+Enter) through Kibana's console proxy,
//! read the real status and the pretty-printed answer, and pick earlier requests from a history.
//!
//! The parsing is plain functions ([`parse_buffer`], [`request_at`]) so it is tested on its own.

use leptos::html::Textarea;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::expect_api;
use crate::components::{AppGate, AppPage};
use crate::state::console_storage::{self, ConsoleItem};
use crate::state::Session;

/// The methods the console proxy accepts.
pub const CONSOLE_METHODS: [&str; 6] = ["HEAD", "GET", "POST", "PUT", "DELETE", "PATCH"];
pub const HISTORY_LIMIT: usize = 20;

/// The lead-generation test plan (docs/privileges.md), with the password Elasticsearch needs for a user.
pub const TEST_PLAN: &str = r#"# Lead generation test plan: put the cursor in a request and press Ctrl+Enter.
GET /_security/_authenticate

POST /_security/role/leads_full_access
{"indices":[{"names":[".entity_analytics.entity-leads-*"],"privileges":["read","write","create_index"]}]}

POST /_security/user/leads_full_user
{"password":"changeme-1","roles":["kibana_admin","leads_full_access"]}

POST /_security/role/leads_read_only
{"indices":[{"names":[".entity_analytics.entity-leads-*"],"privileges":["read"]}]}

POST /_security/user/leads_read_user
{"password":"changeme-1","roles":["kibana_admin","leads_read_only"]}

POST /_security/user/leads_no_access_user
{"password":"changeme-1","roles":["kibana_admin"]}

# Check what a user may do
POST /_security/user/_has_privileges
{
  "index": [
    {"names": [".entity_analytics.entity-leads-*"], "privileges": ["read", "write"]}
  ]
}
"#;

/// One request of the buffer, ready to send.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConsoleRequest {
    /// Upper case, one of [`CONSOLE_METHODS`].
    pub method: String,
    /// As typed, with a leading `/` added when missing (`kbn:` paths are left alone).
    pub path: String,
    /// The body text, trimmed; `None` when the request has none.
    pub body: Option<String>,
}

impl ConsoleRequest {
    pub fn to_text(&self) -> String {
        match &self.body {
            Some(body) => format!("{} {}\n{}", self.method, self.path, body),
            None => format!("{} {}", self.method, self.path),
        }
    }
}

/// A block of the buffer: its byte range, its first line (0-based) and what it parses to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleBlock {
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub request: Result<ConsoleRequest, String>,
}

/// Parses a `METHOD path` line; the method is case-insensitive.
pub fn parse_request_line(line: &str) -> Result<(String, String), String> {
    let mut parts = line.trim().splitn(2, char::is_whitespace);
    let word = parts.next().unwrap_or_default();
    let method = word.to_ascii_uppercase();
    if !CONSOLE_METHODS.contains(&method.as_str()) {
        return Err(format!(
            "Unknown method '{word}'. Use one of {}.",
            CONSOLE_METHODS.join(", ")
        ));
    }
    let path = parts.next().unwrap_or_default().trim();
    if path.is_empty() {
        return Err(format!(
            "Add a path after {method}, for example: {method} /_security/_authenticate"
        ));
    }
    let path = if path.starts_with('/') || path.starts_with("kbn:") {
        path.to_string()
    } else {
        format!("/{path}")
    };
    Ok((method, path))
}

/// Checks a body is JSON (one document, or several on their own lines); on failure says where,
/// counting lines from `first_line` (1-based) of the editor.
pub fn check_json(body: &str, first_line: usize) -> Result<(), String> {
    if serde_json::from_str::<serde_json::Value>(body).is_ok() {
        return Ok(());
    }
    let mut stream = serde_json::Deserializer::from_str(body).into_iter::<serde_json::Value>();
    loop {
        match stream.next() {
            None => return Ok(()),
            Some(Ok(_)) => continue,
            Some(Err(err)) => {
                return Err(format!(
                    "The request body is not valid JSON: {} (line {}, column {}).",
                    strip_position(&err.to_string()),
                    first_line + err.line().saturating_sub(1),
                    err.column()
                ))
            }
        }
    }
}

/// serde_json ends its messages with " at line L column C"; we say it our own way.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(index) => &message[..index],
        None => message,
    }
}

/// Tracks brace and bracket depth through JSON text, ignoring those inside strings.
#[derive(Default)]
struct Depth {
    depth: i32,
    in_string: bool,
    escaped: bool,
}

impl Depth {
    fn feed(&mut self, text: &str) {
        for c in text.chars() {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if c == '\\' {
                    self.escaped = true;
                } else if c == '"' {
                    self.in_string = false;
                }
                continue;
            }
            match c {
                '"' => self.in_string = true,
                '{' | '[' => self.depth += 1,
                '}' | ']' => self.depth -= 1,
                _ => {}
            }
        }
    }

    fn open(&self) -> bool {
        self.depth > 0 || self.in_string
    }
}

struct Pending {
    start: usize,
    end: usize,
    line: usize,
    head: Result<(String, String), String>,
    body: Vec<(usize, String)>,
    depth: Depth,
}

impl Pending {
    fn finish(self) -> ConsoleBlock {
        let request = self.head.and_then(|(method, path)| {
            let body = self
                .body
                .iter()
                .map(|(_, text)| text.as_str())
                .collect::<Vec<_>>()
                .join("\n");
            let body = body.trim();
            if body.is_empty() {
                return Ok(ConsoleRequest {
                    method,
                    path,
                    body: None,
                });
            }
            let first_line = self.body.first().map(|(line, _)| line + 1).unwrap_or(1);
            check_json(body, first_line)?;
            Ok(ConsoleRequest {
                method,
                path,
                body: Some(body.to_string()),
            })
        });
        ConsoleBlock {
            start: self.start,
            end: self.end,
            line: self.line,
            request,
        }
    }
}

fn is_comment(trimmed: &str) -> bool {
    trimmed.starts_with('#') || trimmed.starts_with("//")
}

/// Splits the buffer into requests. A request starts at a line that begins with a letter and ends
/// at a blank line or the next such line, unless a JSON body is still open (so bodies may contain
/// blank lines). Comment lines (`#`, `//`) outside bodies are skipped.
pub fn parse_buffer(buffer: &str) -> Vec<ConsoleBlock> {
    let mut blocks = Vec::new();
    let mut current: Option<Pending> = None;
    let mut offset = 0;
    for (index, raw) in buffer.split('\n').enumerate() {
        let line_start = offset;
        offset += raw.len() + 1;
        let text = raw.strip_suffix('\r').unwrap_or(raw);
        let line_end = line_start + text.len();
        let trimmed = text.trim();
        if let Some(pending) = current.as_mut() {
            if pending.depth.open() {
                pending.depth.feed(text);
                pending.body.push((index, text.to_string()));
                pending.end = line_end;
                continue;
            }
        }
        if trimmed.is_empty() {
            if let Some(pending) = current.take() {
                blocks.push(pending.finish());
            }
            continue;
        }
        if is_comment(trimmed) {
            continue;
        }
        if trimmed.starts_with(|c: char| c.is_ascii_alphabetic()) {
            if let Some(pending) = current.take() {
                blocks.push(pending.finish());
            }
            current = Some(Pending {
                start: line_start,
                end: line_end,
                line: index,
                head: parse_request_line(trimmed),
                body: Vec::new(),
                depth: Depth::default(),
            });
            continue;
        }
        let pending = current.get_or_insert_with(|| Pending {
            start: line_start,
            end: line_end,
            line: index,
            head: Err(
                "A request starts with a method and a path, for example: GET /_security/_authenticate"
                    .into(),
            ),
            body: Vec::new(),
            depth: Depth::default(),
        });
        pending.depth.feed(text);
        pending.body.push((index, text.to_string()));
        pending.end = line_end;
    }
    if let Some(pending) = current.take() {
        blocks.push(pending.finish());
    }
    blocks
}

/// The block under the cursor (a byte offset): the one that contains it, else the nearest one
/// above it, else the first one.
pub fn block_at(buffer: &str, cursor: usize) -> Option<ConsoleBlock> {
    let blocks = parse_buffer(buffer);
    let above = blocks.iter().rposition(|block| block.start <= cursor);
    match above {
        Some(index) => blocks.into_iter().nth(index),
        None => blocks.into_iter().next(),
    }
}

/// The request under the cursor, or why there is none to send.
pub fn request_at(buffer: &str, cursor: usize) -> Result<ConsoleRequest, String> {
    match block_at(buffer, cursor) {
        Some(block) => block.request,
        None => Err("Type a request first, for example: GET /_security/_authenticate".into()),
    }
}

/// Pretty-prints a JSON answer; anything else is shown as it came.
pub fn pretty_body(body: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(value) => serde_json::to_string_pretty(&value).unwrap_or_else(|_| body.to_string()),
        Err(_) => body.to_string(),
    }
}

/// The reason phrase shown next to a status.
pub fn status_text(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        other => gatehouse_api::error::status_reason(other),
    }
}

/// A UTF-16 index (what the browser's `selectionStart` counts) as a byte offset into `text`.
pub fn byte_offset(text: &str, utf16_index: u32) -> usize {
    let mut units = 0u32;
    for (byte, c) in text.char_indices() {
        if units >= utf16_index {
            return byte;
        }
        units += c.len_utf16() as u32;
    }
    text.len()
}

fn utf16_len(text: &str) -> u32 {
    text.encode_utf16().count() as u32
}

#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub request: ConsoleRequest,
    pub status: Option<u16>,
    pub at: f64,
}

/// The signed-in user's history on this server (none without a user: nothing is kept then).
fn load_history(user: Option<&str>) -> Vec<HistoryEntry> {
    let Some(text) = user.and_then(|user| console_storage::load(ConsoleItem::History, user)) else {
        return Vec::new();
    };
    let Ok(serde_json::Value::Array(items)) = serde_json::from_str(&text) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            Some(HistoryEntry {
                request: ConsoleRequest {
                    method: item.get("method")?.as_str()?.to_string(),
                    path: item.get("path")?.as_str()?.to_string(),
                    body: item
                        .get("body")
                        .and_then(|b| b.as_str())
                        .map(str::to_string),
                },
                status: item
                    .get("status")
                    .and_then(serde_json::Value::as_u64)
                    .and_then(|s| u16::try_from(s).ok()),
                at: item
                    .get("at")
                    .and_then(serde_json::Value::as_f64)
                    .unwrap_or(0.0),
            })
        })
        .take(HISTORY_LIMIT)
        .collect()
}

fn save_history(user: Option<&str>, history: &[HistoryEntry]) {
    let Some(user) = user else { return };
    let items: Vec<serde_json::Value> = history
        .iter()
        .map(|entry| {
            serde_json::json!({
                "method": entry.request.method,
                "path": entry.request.path,
                "body": entry.request.body,
                "status": entry.status,
                "at": entry.at,
            })
        })
        .collect();
    console_storage::save(
        ConsoleItem::History,
        user,
        &serde_json::Value::Array(items).to_string(),
    );
}

/// Newest first, no two identical requests in a row, at most [`HISTORY_LIMIT`].
pub fn push_history(history: &mut Vec<HistoryEntry>, entry: HistoryEntry) {
    history.retain(|old| old.request != entry.request);
    history.insert(0, entry);
    history.truncate(HISTORY_LIMIT);
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Answer {
        request: String,
        status: u16,
        body: String,
        millis: u32,
    },
    Failed {
        request: String,
        message: String,
    },
}

#[component]
pub fn DevToolsPage() -> impl IntoView {
    view! {
        <AppPage title="Dev Tools" subtitle="Send Elasticsearch security requests as you would in Kibana's console. Put the cursor in a request and press Ctrl+Enter.">
            <AppGate nav_link="dev_tools" app="Dev Tools" reason="Your roles do not grant the Dev Tools feature privilege (dev_tools) in this space." feature="dev_tools">
                <Console />
            </AppGate>
        </AppPage>
    }
}

/// The console itself: editor, answer and history.
#[component]
pub fn Console() -> impl IntoView {
    let api = expect_api();
    // Whose console this is: what is kept is theirs alone (`state::console_storage`).
    let user = StoredValue::new(use_context::<Session>().and_then(|s| s.username_untracked()));
    let save_buffer = move |text: &str| {
        user.with_value(|user| {
            if let Some(user) = user {
                console_storage::save(ConsoleItem::Buffer, user, text);
            }
        })
    };
    let initial = user
        .with_value(|user| {
            user.as_deref()
                .and_then(|user| console_storage::load(ConsoleItem::Buffer, user))
        })
        .filter(|text| !text.trim().is_empty())
        .unwrap_or_else(|| TEST_PLAN.to_string());
    let buffer = RwSignal::new(initial);
    // Byte offset of the cursor in the buffer.
    let cursor = RwSignal::new(0usize);
    let sending = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Outcome>);
    let history = RwSignal::new(user.with_value(|user| load_history(user.as_deref())));
    let editor = NodeRef::<Textarea>::new();

    let current = Memo::new(move |_| buffer.with(|text| block_at(text, cursor.get())));

    let track_cursor = move || {
        if let Some(element) = editor.get_untracked() {
            let text = buffer.get_untracked();
            let index = element.selection_start().ok().flatten().unwrap_or(0);
            let offset = byte_offset(&text, index);
            if cursor.get_untracked() != offset {
                cursor.set(offset);
            }
        }
    };

    let send = move || {
        if sending.get_untracked() {
            return;
        }
        track_cursor();
        let text = buffer.get_untracked();
        let request = match request_at(&text, cursor.get_untracked()) {
            Ok(request) => request,
            Err(message) => {
                outcome.set(Some(Outcome::Failed {
                    request: String::new(),
                    message,
                }));
                return;
            }
        };
        sending.set(true);
        spawn_local(async move {
            let started = js_sys::Date::now();
            let answer = api
                .console_proxy(&request.method, &request.path, request.body.clone())
                .await;
            let millis = (js_sys::Date::now() - started).max(0.0) as u32;
            let label = format!("{} {}", request.method, request.path);
            let status = match answer {
                Ok(answer) => {
                    let status = answer.status;
                    outcome.set(Some(Outcome::Answer {
                        request: label,
                        status,
                        body: pretty_body(&answer.body),
                        millis,
                    }));
                    Some(status)
                }
                Err(error) => {
                    outcome.set(Some(Outcome::Failed {
                        request: label,
                        message: error.toast_text(),
                    }));
                    (error.status != 0).then_some(error.status)
                }
            };
            history.update(|list| {
                push_history(
                    list,
                    HistoryEntry {
                        request,
                        status,
                        at: js_sys::Date::now(),
                    },
                );
                user.with_value(|user| save_history(user.as_deref(), list));
            });
            sending.set(false);
        });
    };

    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
            ev.prevent_default();
            send();
        }
    };

    let restore = move |request: ConsoleRequest| {
        let mut text = buffer.get_untracked();
        let trimmed_len = text.trim_end().len();
        text.truncate(trimmed_len);
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        let start = text.len();
        text.push_str(&request.to_text());
        text.push('\n');
        let start_utf16 = utf16_len(&text[..start]);
        buffer.set(text.clone());
        save_buffer(&text);
        cursor.set(start);
        if let Some(element) = editor.get_untracked() {
            element.set_value(&text);
            let _ = element.focus();
            let _ = element.set_selection_range(start_utf16, start_utf16);
            element.set_scroll_top(element.scroll_height());
        }
    };

    let reset = move |_| {
        buffer.set(TEST_PLAN.to_string());
        cursor.set(0);
        user.with_value(|user| {
            if let Some(user) = user {
                console_storage::remove(ConsoleItem::Buffer, user);
            }
        });
    };

    view! {
        <div class="console-layout">
            <section class="panel console-editor-panel" aria-labelledby="console-editor-title">
                <div class="console-toolbar">
                    <h2 id="console-editor-title">"Console"</h2>
                    <span class="muted small console-current" data-testid="console-current">
                        {move || match current.get() {
                            Some(block) => match block.request {
                                Ok(request) => format!("Line {}: {} {}", block.line + 1, request.method, request.path),
                                Err(_) => format!("Line {}: not a valid request", block.line + 1),
                            },
                            None => "No request".to_string(),
                        }}
                    </span>
                    <button type="button" class="btn btn-ghost btn-small" on:click=reset title="Replace the editor's text with the lead-generation test plan">
                        "Load test plan"
                    </button>
                    <button
                        type="button"
                        class="btn btn-primary"
                        data-testid="console-send"
                        aria-keyshortcuts="Control+Enter"
                        disabled=move || sending.get()
                        aria-busy=move || sending.get().then_some("true")
                        on:click=move |_| send()
                    >
                        <span class="btn-icon" aria-hidden="true">"▶"</span>
                        "Send request"
                    </button>
                </div>
                <textarea
                    node_ref=editor
                    class="console-editor"
                    data-testid="console-editor"
                    aria-label="Console requests"
                    spellcheck="false"
                    autocomplete="off"
                    rows="22"
                    prop:value=move || buffer.get()
                    on:input:target=move |ev| {
                        let text = ev.target().value();
                        save_buffer(&text);
                        buffer.set(text);
                        track_cursor();
                    }
                    on:keydown=on_keydown
                    on:keyup=move |_| track_cursor()
                    on:click=move |_| track_cursor()
                    on:select=move |_| track_cursor()
                ></textarea>
                <p class="muted small">"Requests are " <code>"METHOD path"</code> " followed by an optional JSON body; separate them with a blank line. Lines starting with " <code>"#"</code> " are comments."</p>
            </section>
            <section class="panel console-output-panel" aria-labelledby="console-output-title" aria-live="polite">
                <div class="console-toolbar">
                    <h2 id="console-output-title">"Response"</h2>
                    {move || match outcome.get() {
                        Some(Outcome::Answer { status, millis, .. }) => {
                            let class = if (200..300).contains(&status) { "status-badge status-ok" } else { "status-badge status-error" };
                            view! {
                                <span class=class data-testid="console-status">{format!("{status} {}", status_text(status))}</span>
                                <span class="muted small">{format!("{millis} ms")}</span>
                            }.into_any()
                        }
                        Some(Outcome::Failed { .. }) => view! { <span class="status-badge status-error" data-testid="console-status">"Not sent"</span> }.into_any(),
                        None => ().into_any(),
                    }}
                </div>
                {move || match outcome.get() {
                    None => view! {
                        <div class="empty-state console-empty">
                            <p class="muted">"The answer of the request you send appears here."</p>
                        </div>
                    }.into_any(),
                    Some(Outcome::Answer { request, body, .. }) => view! {
                        <p class="muted small console-request-label">{request}</p>
                        <pre class="code-block console-output" data-testid="console-output">{body}</pre>
                    }.into_any(),
                    Some(Outcome::Failed { request, message }) => view! {
                        <div class="callout callout-danger" role="alert" data-testid="console-error">
                            <p class="callout-title">{if request.is_empty() { "Cannot send this request".to_string() } else { format!("{request} failed") }}</p>
                            <p>{message}</p>
                        </div>
                    }.into_any(),
                }}
            </section>
            <section class="panel console-history" aria-labelledby="console-history-title">
                <div class="console-toolbar">
                    <h2 id="console-history-title">"History"</h2>
                    <Show when=move || history.with(|h| !h.is_empty())>
                        <button type="button" class="btn btn-ghost btn-small" on:click=move |_| {
                            history.set(Vec::new());
                            user.with_value(|user| save_history(user.as_deref(), &[]));
                        }>"Clear"</button>
                    </Show>
                </div>
                <Show
                    when=move || history.with(|h| !h.is_empty())
                    fallback=|| view! { <p class="muted small">"Requests you send are listed here (the last 20). Click one to add it to the editor again."</p> }
                >
                    <ol class="history-list" data-testid="console-history">
                        <For
                            each=move || history.get()
                            key=|entry| (entry.request.clone(), entry.at.to_bits())
                            children=move |entry| {
                                let request = entry.request.clone();
                                let status_class = match entry.status {
                                    Some(s) if (200..300).contains(&s) => "status-badge status-ok",
                                    _ => "status-badge status-error",
                                };
                                let status = entry.status.map(|s| s.to_string()).unwrap_or_else(|| "—".into());
                                let when = crate::format::relative_time(&String::from(
                                    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(entry.at)).to_iso_string(),
                                ));
                                view! {
                                    <li>
                                        <button
                                            type="button"
                                            class="history-item"
                                            data-testid="console-history-item"
                                            title="Add this request to the editor"
                                            on:click=move |_| restore(request.clone())
                                        >
                                            <span class="history-method">{entry.request.method.clone()}</span>
                                            <span class="history-path">{entry.request.path.clone()}</span>
                                            <span class=status_class>{status}</span>
                                            <span class="muted small history-when">{when}</span>
                                        </button>
                                    </li>
                                }
                            }
                        />
                    </ol>
                </Show>
            </section>
        </div>
    }
}
