//! The router and the listeners.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, Request, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use tokio::net::TcpListener;

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::settings::Settings;
use crate::state::AppState;
use crate::{ui, webhook, ws};

/// Largest body of any other request.
const MAX_BODY: usize = 256 * 1024;

/// The whole HTTP surface.
pub fn router(gw: AppState) -> Router {
    Router::new()
        .route("/", get(ui_index))
        .route("/ui/app.js", get(ui_js))
        .route("/ui/app.css", get(ui_css))
        .route("/health", get(health))
        .route("/ws", get(ws::upgrade))
        .route("/v1/chat/completions", post(chat_completions))
        .route(
            "/channels/webhook/{account}",
            post(webhook::inbound).layer(DefaultBodyLimit::max(webhook::MAX_BODY_BYTES)),
        )
        .fallback(|| async { ApiError::NotFound })
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn(security_headers))
        .with_state(gw)
}

async fn security_headers(req: Request<axum::body::Body>, next: Next) -> Response {
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    h.entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    h.entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("no-referrer"));
    r
}

async fn ui_enabled(gw: &AppState, page: fn() -> Response) -> Response {
    if gw.settings().control_ui {
        page()
    } else {
        ApiError::NotFound.into_response()
    }
}

async fn ui_index(State(gw): State<AppState>) -> Response {
    ui_enabled(&gw, ui::index).await
}
async fn ui_js(State(gw): State<AppState>) -> Response {
    ui_enabled(&gw, ui::app_js).await
}
async fn ui_css(State(gw): State<AppState>) -> Response {
    ui_enabled(&gw, ui::app_css).await
}

/// `GET /health` (authenticated): liveness plus the operator's counters.
async fn health(State(gw): State<AppState>, auth: Authenticated) -> Response {
    let settings = gw.settings();
    let _ = auth;
    Json(json!({
        "ok": true,
        "server": "hardclaw",
        "version": env!("CARGO_PKG_VERSION"),
        "uptimeMs": gw.started.elapsed().as_millis() as u64,
        "auth": settings.auth.mode_name(),
        "agent": false,
        "webhook": gw.webhook.snapshot(),
    }))
    .into_response()
}

/// `POST /v1/chat/completions`: 404 unless enabled; then auth; then 503 until an agent exists.
async fn chat_completions(
    State(gw): State<AppState>,
    req: Request<axum::body::Body>,
) -> Result<Response, ApiError> {
    if !gw.settings().chat_completions {
        return Err(ApiError::NotFound);
    }
    let (mut parts, _body) = req.into_parts();
    let _auth = <Authenticated as axum::extract::FromRequestParts<AppState>>::from_request_parts(
        &mut parts, &gw,
    )
    .await?;
    Err(ApiError::NoAgentRuntime)
}

/// Why listening failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot listen on {addr}: {source}")]
pub struct BindError {
    /// The address.
    pub addr: SocketAddr,
    /// The error.
    pub source: std::io::Error,
}

/// Binds every address of the settings. The first must succeed; with port 0 the others reuse
/// the port it got. Later failures (no IPv6 loopback) are logged and skipped.
pub async fn bind(settings: &Settings) -> Result<Vec<TcpListener>, BindError> {
    let mut out = Vec::new();
    let mut port = settings.port;
    for (i, ip) in settings.bind.iter().enumerate() {
        let addr = SocketAddr::new(*ip, port);
        match TcpListener::bind(addr).await {
            Ok(l) => {
                if i == 0 {
                    port = l.local_addr().map_or(port, |a| a.port());
                }
                out.push(l);
            }
            Err(source) if i == 0 => return Err(BindError { addr, source }),
            Err(e) => tracing::warn!(%addr, error = %e, "skipping listener"),
        }
    }
    Ok(out)
}

/// Serves until `shutdown` resolves, then drains for at most 5 s.
pub async fn serve(
    gw: AppState,
    listeners: Vec<TcpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let app = router(gw);
    let (tx, rx) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();
    for listener in listeners {
        let mut rx = rx.clone();
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let service = app.into_make_service_with_connect_info::<SocketAddr>();
            let result = axum::serve(listener, service)
                .with_graceful_shutdown(async move {
                    let _ = rx.wait_for(|stop| *stop).await;
                })
                .await;
            if let Err(e) = result {
                tracing::error!(error = %e, "listener failed");
            }
        }));
    }
    shutdown.await;
    let _ = tx.send(true);
    let drain = async {
        for t in tasks {
            let _ = t.await;
        }
    };
    if tokio::time::timeout(Duration::from_secs(5), drain)
        .await
        .is_err()
    {
        tracing::warn!("connections still open after 5 s; closing them");
    }
}
