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

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;
    use crate::webhook::signature;

    const SECRET: &str = "stream-test-secret-0123456789";

    /// A webhook receiver on 127.0.0.1: records each POST body (signature checked) and answers
    /// 500 to the posts whose 1-based number is in `fail`.
    async fn receiver(fail: &'static [usize]) -> (url::Url, Arc<Mutex<Vec<serde_json::Value>>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let out = seen.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let (head, body) = loop {
                    let n = sock.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        break (String::new(), Vec::new());
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let head = text[..end].to_ascii_lowercase();
                        let len: usize = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + len {
                            break (head, buf[end + 4..end + 4 + len].to_vec());
                        }
                    }
                };
                let header = |name: &str| {
                    head.lines()
                        .find_map(|l| l.strip_prefix(&format!("{name}:")))
                        .map(str::trim)
                };
                let now = (crate::state::now_ms() / 1000) as i64;
                signature::verify(
                    SECRET.as_bytes(),
                    header(signature::TIMESTAMP_HEADER),
                    header(signature::SIGNATURE_HEADER),
                    &body,
                    now,
                )
                .unwrap();
                let number = {
                    let mut s = seen.lock().unwrap();
                    s.push(serde_json::from_slice(&body).unwrap());
                    s.len()
                };
                let status = if fail.contains(&number) {
                    "500 Internal Server Error"
                } else {
                    "200 OK"
                };
                let _ = sock
                    .write_all(
                        format!(
                            "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                        )
                        .as_bytes(),
                    )
                    .await;
            }
        });
        (
            format!("http://127.0.0.1:{port}/hook").parse().unwrap(),
            out,
        )
    }

    fn target(url: url::Url) -> Target {
        Target {
            url,
            secret: Secret::new(SECRET),
            account: "acme".into(),
            to: "alice".into(),
            group: None,
        }
    }

    // The tests run on one thread: every piece is queued before the poster runs, so what it
    // does depends on the coalescing rules only, not on timing.

    #[tokio::test]
    async fn small_pieces_are_coalesced_in_order_with_sequence_numbers() {
        let (_tmp, gw) = crate::state::test_gateway(serde_json::json!({}));
        let (url, seen) = receiver(&[]).await;
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let task = tokio::spawn(post_deltas(Arc::new(gw), target(url), rx));
        let pieces: Vec<String> = (0..40).map(|i| format!("p{i} ")).collect();
        for p in &pieces {
            tx.send(p.clone()).unwrap();
        }
        drop(tx);
        let last = task.await.unwrap();
        let posts = seen.lock().unwrap().clone();
        assert_eq!(last as usize, posts.len());
        assert_eq!(posts[0]["text"], "p0 ", "the first piece goes out at once");
        assert!(
            posts.len() >= 2 && posts.len() < pieces.len(),
            "coalesced: {} posts",
            posts.len()
        );
        let mut joined = String::new();
        for (i, p) in posts.iter().enumerate() {
            assert_eq!(p["kind"], "reply_delta");
            assert_eq!(p["account"], "acme");
            assert_eq!(p["seq"], i as u64 + 1, "strictly in order");
            joined.push_str(p["text"].as_str().unwrap());
        }
        assert_eq!(joined, pieces.concat());
    }

    #[tokio::test]
    async fn after_a_failed_post_no_more_deltas_are_sent() {
        let (_tmp, gw) = crate::state::test_gateway(serde_json::json!({}));
        let (url, seen) = receiver(&[1]).await;
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let task = tokio::spawn(post_deltas(Arc::new(gw), target(url), rx));
        tx.send("first ".into()).unwrap();
        tx.send("x".repeat(MAX_CHARS)).unwrap();
        tx.send("third".into()).unwrap();
        drop(tx);
        assert_eq!(task.await.unwrap(), 1);
        let posts = seen.lock().unwrap().clone();
        assert_eq!(posts.len(), 1, "{posts:?}");
        assert_eq!(posts[0]["text"], "first ");
    }
}
