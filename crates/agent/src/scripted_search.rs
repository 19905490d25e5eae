//! A scripted Brave Search server for tests: axum on `127.0.0.1:0` answering
//! `GET /res/v1/web/search` in Brave's format (`{type, query, web: {results: [...]}}`), honouring
//! `count`, replaying scripted replies in order and recording every request. A request whose
//! `X-Subscription-Token` is not the server's key gets Brave's 401 (`SUBSCRIPTION_TOKEN_INVALID`)
//! without using a scripted reply; an empty script answers 500 `script exhausted`.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

/// One result in a scripted reply.
#[derive(Debug, Clone)]
pub struct BraveResult {
    /// Title.
    pub title: String,
    /// URL.
    pub url: String,
    /// Description (Brave puts `<strong>` around matches).
    pub description: String,
    /// Age ("2 days ago").
    pub age: Option<String>,
}

impl BraveResult {
    /// A result without age.
    pub fn new(title: &str, url: &str, description: &str) -> BraveResult {
        BraveResult {
            title: title.into(),
            url: url.into(),
            description: description.into(),
            age: None,
        }
    }
}

/// One scripted reply.
#[derive(Debug, Clone)]
pub enum BraveReply {
    /// 200 with these results (cut to the request's `count`).
    Results(Vec<BraveResult>),
    /// An error status with a body.
    Status(u16, String),
    /// 200 with this exact body.
    Raw(String),
    /// Waits, then answers the inner reply.
    Slow(Duration, Box<BraveReply>),
}

/// A request the server received.
#[derive(Debug, Clone)]
pub struct BraveRequest {
    /// Path.
    pub path: String,
    /// Query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// Headers (lower-case names).
    pub headers: Vec<(String, String)>,
}

impl BraveRequest {
    /// A query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Default)]
struct Shared {
    key: String,
    replies: VecDeque<BraveReply>,
    requests: Vec<BraveRequest>,
}

/// The running server (stopped on drop).
#[derive(Debug)]
pub struct ScriptedBrave {
    addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    _task: crate::scripted::LocalServer,
}

impl ScriptedBrave {
    /// Starts on `127.0.0.1:0`, accepting `key` as the subscription token.
    pub async fn start(key: &str) -> std::io::Result<ScriptedBrave> {
        let shared = Arc::new(Mutex::new(Shared {
            key: key.to_string(),
            ..Shared::default()
        }));
        let app = Router::new()
            .route("/res/v1/web/search", get(handle))
            .with_state(Arc::clone(&shared));
        let (addr, task) = crate::scripted::serve_local(app).await?;
        Ok(ScriptedBrave {
            addr,
            shared,
            _task: task,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `tools.web.search.baseUrl` for this server.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Appends a reply.
    pub fn push(&self, reply: BraveReply) {
        self.lock().replies.push_back(reply);
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<BraveRequest> {
        self.lock().requests.clone()
    }
}

fn brave_error(status: StatusCode, code: &str, detail: &str) -> Response {
    (
        status,
        [("content-type", "application/json")],
        json!({"type": "ErrorResponse",
               "error": {"id": "00000000-0000-0000-0000-000000000000", "status": status.as_u16(),
                         "code": code, "detail": detail}})
        .to_string(),
    )
        .into_response()
}

async fn handle(
    State(shared): State<Arc<Mutex<Shared>>>,
    uri: Uri,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    let req = BraveRequest {
        path: uri.path().to_string(),
        query,
        headers: headers
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect(),
    };
    let reply = {
        let mut s = shared.lock().unwrap_or_else(|p| p.into_inner());
        s.requests.push(req.clone());
        if req.header("x-subscription-token") != Some(s.key.as_str()) {
            return brave_error(
                StatusCode::UNAUTHORIZED,
                "SUBSCRIPTION_TOKEN_INVALID",
                "The provided subscription token is invalid.",
            );
        }
        s.replies.pop_front()
    };
    let mut reply = reply.unwrap_or(BraveReply::Status(500, "script exhausted".into()));
    while let BraveReply::Slow(wait, inner) = reply {
        tokio::time::sleep(wait).await;
        reply = *inner;
    }
    match reply {
        BraveReply::Results(results) => {
            let count = req
                .param("count")
                .and_then(|c| c.parse::<usize>().ok())
                .unwrap_or(20);
            let results: Vec<Value> = results
                .into_iter()
                .take(count)
                .map(|r| {
                    let host = url::Url::parse(&r.url)
                        .ok()
                        .and_then(|u| u.host_str().map(str::to_string))
                        .unwrap_or_default();
                    let mut v = json!({"type": "search_result", "title": r.title, "url": r.url,
                                       "description": r.description, "is_source_local": false,
                                       "profile": {"name": host, "url": r.url},
                                       "meta_url": {"scheme": "https", "hostname": host}});
                    if let Some(age) = r.age {
                        v["age"] = json!(age);
                    }
                    v
                })
                .collect();
            let body = json!({"type": "search",
                              "query": {"original": req.param("q").unwrap_or(""), "more_results_available": false},
                              "mixed": {"type": "mixed", "main": []},
                              "web": {"type": "search", "results": results, "family_friendly": true}});
            (
                StatusCode::OK,
                [("content-type", "application/json")],
                body.to_string(),
            )
                .into_response()
        }
        BraveReply::Status(code, detail) => brave_error(
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "SCRIPTED",
            &detail,
        ),
        BraveReply::Raw(body) => {
            (StatusCode::OK, [("content-type", "application/json")], body).into_response()
        }
        BraveReply::Slow(..) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
