//! Outbound replies: `POST <webhookUrl>` with a JSON body signed like inbound requests.
//! With a timeout, a concurrency cap, no redirects and no system proxy; [`send`] is
//! fire-and-forget, [`deliver`] waits (streamed replies post in order).

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::Semaphore;

use super::signature::{SIGNATURE_HEADER, TIMESTAMP_HEADER, sign};
use crate::secret::Secret;
use crate::state::{Gateway, bump};

/// Concurrent outbound requests.
const MAX_IN_FLIGHT: usize = 32;

/// The reply body.
#[derive(Debug, Clone, Serialize)]
pub struct Reply {
    /// Account the reply belongs to.
    pub account: String,
    /// Recipient (the inbound sender).
    pub to: String,
    /// Group, when the inbound message came from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// `pairing`, `rejected`, `message`, `error` or `reply_delta`.
    pub kind: &'static str,
    /// Text.
    pub text: String,
    /// Position in a streamed reply (`reply_delta` posts count 1, 2, …; the final `message`
    /// or `error` takes the next number). Absent when the account does not stream.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
}

/// The HTTP client.
#[derive(Debug)]
pub struct Outbound {
    client: Option<reqwest::Client>,
    slots: Arc<Semaphore>,
}

impl Default for Outbound {
    fn default() -> Self {
        Self::new()
    }
}

impl Outbound {
    /// Builds the client (a build failure disables replies and is logged).
    pub fn new() -> Outbound {
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| tracing::error!(error = %e, "outbound HTTP client unavailable"))
            .ok();
        Outbound {
            client,
            slots: Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
        }
    }
}

/// Sends `reply` to `url` in the background.
pub fn send(gateway: Arc<Gateway>, url: url::Url, secret: Secret, reply: Reply) {
    tokio::spawn(async move {
        deliver(&gateway, &url, &secret, &reply).await;
    });
}

/// Sends `reply` to `url` and waits for the answer; `true` when the receiver took it (2xx).
pub async fn deliver(gateway: &Gateway, url: &url::Url, secret: &Secret, reply: &Reply) -> bool {
    let outbound = &gateway.outbound;
    let Some(client) = outbound.client.clone() else {
        bump(&gateway.webhook.replies_failed);
        return false;
    };
    let Ok(_permit) = outbound.slots.clone().acquire_owned().await else {
        return false;
    };
    let Ok(body) = serde_json::to_vec(reply) else {
        bump(&gateway.webhook.replies_failed);
        return false;
    };
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let signature = sign(secret.expose().as_bytes(), ts, &body);
    let result = client
        .post(url.clone())
        .header("content-type", "application/json")
        .header(TIMESTAMP_HEADER, ts.to_string())
        .header(SIGNATURE_HEADER, signature)
        .body(body)
        .send()
        .await;
    match result {
        Ok(r) if r.status().is_success() => {
            bump(&gateway.webhook.replies_sent);
            true
        }
        Ok(r) => {
            bump(&gateway.webhook.replies_failed);
            tracing::warn!(account = %reply.account, kind = reply.kind, status = %r.status(), "webhook reply refused");
            false
        }
        Err(e) => {
            bump(&gateway.webhook.replies_failed);
            tracing::warn!(account = %reply.account, kind = reply.kind, error = %e.without_url(), "webhook reply failed");
            false
        }
    }
}
