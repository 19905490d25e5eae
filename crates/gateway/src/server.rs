//! The router and the listeners.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use std::sync::Arc;

use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{HeaderValue, Request, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::settings::Settings;
use crate::state::AppState;
use crate::{openai, ui, webhook, ws};

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
        .route("/v1/chat/completions", post(openai::chat_completions))
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
        "agent": crate::turns::responder_for(
            &gw,
            &settings,
            &format!("agent:{}:main", crate::webchat::default_agent(&settings.config)),
        )
        .is_some(),
        "webhook": gw.webhook.snapshot(),
    }))
    .into_response()
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

/// Most connections served at once (all listeners together); more are closed on accept.
pub const MAX_CONNECTIONS: u32 = 1024;
/// Time a client gets to send a complete request head (slow-loris defence).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves until `shutdown` resolves, then denies every pending approval and drains for at
/// most 5 s.
///
/// Each connection is HTTP/1.1 (with upgrades for `/ws`) under a header-read timeout, and the
/// number of open connections is capped at [`MAX_CONNECTIONS`].
pub async fn serve(
    gw: AppState,
    listeners: Vec<TcpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let approvals = gw.approvals.clone();
    let app = router(gw);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS as usize));
    let mut accept_loops = Vec::new();
    for listener in listeners {
        accept_loops.push(tokio::spawn(accept_loop(
            listener,
            app.clone(),
            slots.clone(),
            stop_rx.clone(),
        )));
    }
    shutdown.await;
    // Tool calls waiting for the operator are denied now, not after their expiry.
    approvals.shutdown();
    let _ = stop_tx.send(true);
    for l in accept_loops {
        let _ = l.await;
    }
    // Every connection holds a slot; all slots back means all connections closed.
    let drained =
        tokio::time::timeout(Duration::from_secs(5), slots.acquire_many(MAX_CONNECTIONS)).await;
    if drained.is_err() {
        tracing::warn!("connections still open after 5 s; closing them");
    }
}

/// Resolves once shutdown was requested.
async fn stopped(rx: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}

async fn accept_loop(
    listener: TcpListener,
    app: Router,
    slots: Arc<Semaphore>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stopped(&mut stop) => return,
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            tracing::warn!(%peer, "connection limit reached; closing new connection");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                let mut req = req.map(axum::body::Body::new);
                req.extensions_mut().insert(ConnectInfo(peer));
                let mut app = app.clone();
                async move { tower_service::Service::call(&mut app, req).await }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .max_buf_size(64 * 1024)
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = stopped(&mut stop) => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
            drop(permit);
        });
    }
}
