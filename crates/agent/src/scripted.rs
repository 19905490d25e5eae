//! A scripted model server for tests: axum on `127.0.0.1:0`, speaking OpenAI
//! `POST /v1/chat/completions` and Anthropic `POST /v1/messages` — JSON, or SSE when the
//! request says `"stream": true` — replaying scripted turns (text, tool calls, error
//! statuses) and recording every request for assertions.
//!
//! Turns come from a per-model queue when one was scripted for the request's `model`, else
//! from the shared queue; an empty queue answers 500 `script exhausted`.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::post;
use serde_json::{Value, json};

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum ScriptedTurn {
    /// Text only.
    Text(String),
    /// Tool calls `(name, arguments)` (with optional leading text).
    ToolCalls {
        /// Text before the calls.
        text: String,
        /// The calls.
        calls: Vec<(String, Value)>,
    },
    /// `turn`, answered only after `delay_ms` (a slow model: for cancellation and timeouts).
    Slow {
        /// Milliseconds before the answer starts.
        delay_ms: u64,
        /// The answer.
        turn: Box<ScriptedTurn>,
    },
    /// An error status with a body (and optional `Retry-After` seconds).
    Status {
        /// HTTP status.
        code: u16,
        /// Body text.
        body: String,
        /// `Retry-After`.
        retry_after: Option<u64>,
    },
}

impl ScriptedTurn {
    /// One tool call.
    pub fn tool(name: &str, args: Value) -> ScriptedTurn {
        ScriptedTurn::ToolCalls {
            text: String::new(),
            calls: vec![(name.to_string(), args)],
        }
    }

    /// An error status.
    pub fn status(code: u16, body: &str) -> ScriptedTurn {
        ScriptedTurn::Status {
            code,
            body: body.to_string(),
            retry_after: None,
        }
    }
}

/// A request the server received.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// Path.
    pub path: String,
    /// Headers (lower-case names).
    pub headers: Vec<(String, String)>,
    /// JSON body.
    pub body: Value,
}

impl RecordedRequest {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Default)]
struct Shared {
    queue: VecDeque<ScriptedTurn>,
    per_model: HashMap<String, VecDeque<ScriptedTurn>>,
    requests: Vec<RecordedRequest>,
    counter: u64,
}

/// The running server (stopped on drop).
#[derive(Debug)]
pub struct ScriptedServer {
    addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    _task: LocalServer,
}

impl ScriptedServer {
    /// Starts on `127.0.0.1:0` with `turns` in the shared queue.
    pub async fn start(turns: Vec<ScriptedTurn>) -> std::io::Result<ScriptedServer> {
        let shared = Arc::new(Mutex::new(Shared {
            queue: turns.into(),
            ..Shared::default()
        }));
        let app = Router::new()
            .route("/v1/chat/completions", post(handle))
            .route("/v1/messages", post(handle))
            .with_state(Arc::clone(&shared));
        let (addr, task) = serve_local(app).await?;
        Ok(ScriptedServer {
            addr,
            shared,
            _task: task,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `baseUrl` for an OpenAI-compatible provider (`http://127.0.0.1:PORT/v1`).
    pub fn openai_base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// `baseUrl` for an Anthropic provider (`http://127.0.0.1:PORT`).
    pub fn anthropic_base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Appends to the shared queue.
    pub fn push(&self, turn: ScriptedTurn) {
        self.lock().queue.push_back(turn);
    }

    /// Appends to `model`'s own queue.
    pub fn push_for(&self, model: &str, turn: ScriptedTurn) {
        self.lock()
            .per_model
            .entry(model.to_string())
            .or_default()
            .push_back(turn);
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }
}

/// A server task on 127.0.0.1, stopped when dropped.
#[derive(Debug)]
pub(crate) struct LocalServer(tokio::task::JoinHandle<()>);

impl Drop for LocalServer {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Serves `app` on `127.0.0.1:0` until the returned [`LocalServer`] is dropped.
pub(crate) async fn serve_local(app: Router) -> std::io::Result<(SocketAddr, LocalServer)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((addr, LocalServer(task)))
}

async fn handle(
    State(shared): State<Arc<Mutex<Shared>>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let anthropic = uri.path() == "/v1/messages";
    let stream = body["stream"].as_bool() == Some(true);
    let model = body["model"].as_str().unwrap_or("").to_string();
    let (turn, n) = {
        let mut s = shared.lock().unwrap_or_else(|p| p.into_inner());
        s.requests.push(RecordedRequest {
            path: uri.path().to_string(),
            headers: headers
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
                .collect(),
            body: body.clone(),
        });
        s.counter += 1;
        let n = s.counter;
        let turn = s
            .per_model
            .get_mut(&model)
            .and_then(VecDeque::pop_front)
            .or_else(|| s.queue.pop_front());
        (turn, n)
    };
    let mut turn = turn.unwrap_or(ScriptedTurn::status(500, "script exhausted"));
    while let ScriptedTurn::Slow {
        delay_ms,
        turn: inner,
    } = turn
    {
        tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
        turn = *inner;
    }
    let (text, calls) = match turn {
        ScriptedTurn::Status {
            code,
            body,
            retry_after,
        } => {
            let mut b = Response::builder()
                .status(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
                .header("content-type", "application/json");
            if let Some(s) = retry_after {
                b = b.header("retry-after", s.to_string());
            }
            let err = if anthropic {
                json!({"type": "error", "error": {"type": "api_error", "message": body}})
            } else {
                json!({"error": {"message": body, "type": "api_error"}})
            };
            return b
                .body(Body::from(err.to_string()))
                .unwrap_or_else(|_| Response::new(Body::empty()));
        }
        ScriptedTurn::Text(t) => (t, Vec::new()),
        ScriptedTurn::ToolCalls { text, calls } => (text, calls),
        ScriptedTurn::Slow { .. } => (String::new(), Vec::new()),
    };
    let calls: Vec<(String, String, Value)> = calls
        .into_iter()
        .enumerate()
        .map(|(i, (name, args))| (format!("call_{n}_{i}"), name, args))
        .collect();
    let (ctype, out) = match (anthropic, stream) {
        (false, false) => ("application/json", openai_json(&model, &text, &calls)),
        (false, true) => ("text/event-stream", openai_sse(&model, &text, &calls)),
        (true, false) => ("application/json", anthropic_json(&model, &text, &calls)),
        (true, true) => ("text/event-stream", anthropic_sse(&model, &text, &calls)),
    };
    // Send SSE in several body chunks so clients must reassemble across reads.
    let chunks: Vec<Result<Bytes, std::io::Error>> = out
        .as_bytes()
        .chunks(97)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", ctype)
        .body(Body::from_stream(futures_util::stream::iter(chunks)))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

const USAGE_IN: u64 = 11;
const USAGE_OUT: u64 = 7;

/// Splits text in two pieces (to exercise delta assembly).
fn halves(s: &str) -> Vec<&str> {
    let mid = s
        .char_indices()
        .nth(s.chars().count() / 2)
        .map_or(s.len(), |(i, _)| i);
    [&s[..mid], &s[mid..]]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect()
}

fn openai_json(model: &str, text: &str, calls: &[(String, String, Value)]) -> String {
    let mut msg = json!({"role": "assistant", "content": text});
    if !calls.is_empty() {
        msg["tool_calls"] = calls
            .iter()
            .map(|(id, name, args)| json!({"id": id, "type": "function", "function": {"name": name, "arguments": args.to_string()}}))
            .collect();
    }
    json!({"id": "chatcmpl-1", "object": "chat.completion", "model": model,
           "choices": [{"index": 0, "message": msg, "finish_reason": if calls.is_empty() {"stop"} else {"tool_calls"}}],
           "usage": {"prompt_tokens": USAGE_IN, "completion_tokens": USAGE_OUT, "total_tokens": USAGE_IN + USAGE_OUT}})
    .to_string()
}

fn openai_sse(model: &str, text: &str, calls: &[(String, String, Value)]) -> String {
    let chunk = |delta: Value, finish: Value| {
        format!(
            "data: {}\n\n",
            json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": model,
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
        )
    };
    let mut out = chunk(json!({"role": "assistant", "content": ""}), Value::Null);
    for piece in halves(text) {
        out.push_str(&chunk(json!({"content": piece}), Value::Null));
    }
    for (i, (id, name, args)) in calls.iter().enumerate() {
        out.push_str(&chunk(
            json!({"tool_calls": [{"index": i, "id": id, "type": "function", "function": {"name": name, "arguments": ""}}]}),
            Value::Null,
        ));
        for piece in halves(&args.to_string()) {
            out.push_str(&chunk(
                json!({"tool_calls": [{"index": i, "function": {"arguments": piece}}]}),
                Value::Null,
            ));
        }
    }
    out.push_str(&chunk(
        json!({}),
        json!(if calls.is_empty() {
            "stop"
        } else {
            "tool_calls"
        }),
    ));
    out.push_str(&format!(
        "data: {}\n\n",
        json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": model, "choices": [],
               "usage": {"prompt_tokens": USAGE_IN, "completion_tokens": USAGE_OUT, "total_tokens": USAGE_IN + USAGE_OUT}})
    ));
    out.push_str("data: [DONE]\n\n");
    out
}

fn anthropic_json(model: &str, text: &str, calls: &[(String, String, Value)]) -> String {
    let mut content = Vec::new();
    if !text.is_empty() {
        content.push(json!({"type": "text", "text": text}));
    }
    for (id, name, args) in calls {
        content.push(json!({"type": "tool_use", "id": id, "name": name, "input": args}));
    }
    json!({"id": "msg_1", "type": "message", "role": "assistant", "model": model, "content": content,
           "stop_reason": if calls.is_empty() {"end_turn"} else {"tool_use"},
           "usage": {"input_tokens": USAGE_IN, "output_tokens": USAGE_OUT}})
    .to_string()
}

fn anthropic_sse(model: &str, text: &str, calls: &[(String, String, Value)]) -> String {
    let ev = |name: &str, data: Value| format!("event: {name}\ndata: {data}\n\n");
    let mut out = ev(
        "message_start",
        json!({"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant",
               "model": model, "content": [], "stop_reason": null,
               "usage": {"input_tokens": USAGE_IN, "output_tokens": 1}}}),
    );
    out.push_str(&ev("ping", json!({"type": "ping"})));
    let mut index = 0;
    if !text.is_empty() {
        out.push_str(&ev("content_block_start", json!({"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}})));
        for piece in halves(text) {
            out.push_str(&ev("content_block_delta", json!({"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": piece}})));
        }
        out.push_str(&ev(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": index}),
        ));
        index += 1;
    }
    for (id, name, args) in calls {
        out.push_str(&ev("content_block_start", json!({"type": "content_block_start", "index": index, "content_block": {"type": "tool_use", "id": id, "name": name, "input": {}}})));
        for piece in halves(&args.to_string()) {
            out.push_str(&ev("content_block_delta", json!({"type": "content_block_delta", "index": index, "delta": {"type": "input_json_delta", "partial_json": piece}})));
        }
        out.push_str(&ev(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": index}),
        ));
        index += 1;
    }
    out.push_str(&ev(
        "message_delta",
        json!({"type": "message_delta", "delta": {"stop_reason": if calls.is_empty() {"end_turn"} else {"tool_use"}, "stop_sequence": null},
               "usage": {"output_tokens": USAGE_OUT}}),
    ));
    out.push_str(&ev("message_stop", json!({"type": "message_stop"})));
    out
}
