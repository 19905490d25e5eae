//! Streamed replies to a webhook account (`streamReplies: true`): the agent's text is POSTed
//! to `webhookUrl` while it is written, as signed `reply_delta` posts, before the final
//! `message` post that carries the whole reply.
//!
//! Coalesced: the first piece goes out at once, later pieces wait until [`INTERVAL`] has
//! passed since the previous post or [`MAX_CHARS`] characters have gathered. Strictly in
//! order: one post at a time, each awaited, each numbered (`seq` 1, 2, …). After a post fails
//! no more deltas are sent for that reply (the receiver would see a gap); the final message
//! still carries the whole text.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::Instant;

use super::outbound::{self, Reply};
use crate::secret::Secret;
use crate::state::Gateway;

/// Least time between two delta posts.
pub const INTERVAL: Duration = Duration::from_millis(250);
/// Characters that trigger a post before [`INTERVAL`] has passed.
pub const MAX_CHARS: usize = 400;

/// Where a streamed reply goes.
#[derive(Debug, Clone)]
pub struct Target {
    /// `webhookUrl`.
    pub url: url::Url,
    /// The account's signing secret.
    pub secret: Secret,
    /// Account id.
    pub account: String,
    /// The sender being answered.
    pub to: String,
    /// Group, for group messages.
    pub group: Option<String>,
}

impl Target {
    /// A reply post of `kind` to this target.
    pub fn reply(&self, kind: &'static str, text: String, seq: Option<u64>) -> Reply {
        Reply {
            account: self.account.clone(),
            to: self.to.clone(),
            group: self.group.clone(),
            kind,
            text,
            seq,
        }
    }
}

/// Posts the deltas from `rx` until it closes; returns the last sequence number used.
pub async fn post_deltas(
    gateway: Arc<Gateway>,
    target: Target,
    mut rx: UnboundedReceiver<String>,
) -> u64 {
    let mut seq = 0u64;
    let mut buf = String::new();
    let mut chars = 0usize;
    let mut last_post: Option<Instant> = None;
    let mut broken = false;
    loop {
        let due = last_post.map_or_else(Instant::now, |t| t + INTERVAL);
        tokio::select! {
            biased;
            piece = rx.recv() => match piece {
                Some(t) => {
                    chars += t.chars().count();
                    buf.push_str(&t);
                }
                None => break,
            },
            _ = tokio::time::sleep_until(due), if !buf.is_empty() => {}
        }
        if buf.is_empty() || (Instant::now() < due && chars < MAX_CHARS) {
            continue;
        }
        let text = std::mem::take(&mut buf);
        chars = 0;
        if broken {
            continue;
        }
        seq += 1;
        last_post = Some(Instant::now());
        let reply = target.reply("reply_delta", text, Some(seq));
        if !outbound::deliver(&gateway, &target.url, &target.secret, &reply).await {
            tracing::warn!(account = %target.account, seq, "streamed reply interrupted; the final message follows");
            broken = true;
        }
    }
    if !buf.is_empty() && !broken {
        seq += 1;
        let reply = target.reply("reply_delta", buf, Some(seq));
        outbound::deliver(&gateway, &target.url, &target.secret, &reply).await;
    }
    seq
}
