//! `message`: send text to a recipient on a channel, through the same access rules as inbound
//! messages — only a recipient the channel would accept messages from (its `allowFrom`, a
//! paired sender, the operator on webchat) can be messaged; a stranger's number cannot. The
//! channels themselves live in the gateway: the binary plugs them in as a [`Messenger`].
//!
//! Params: `{channel?, to (or target), text (or message), accountId?}`; `channel` defaults to
//! the conversation's channel. A tainted session messaging a recipient it has not messaged
//! before needs approval (taint rule); credentials in the text are refused (leak guard).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use hardclaw_config::Config;
use hardclaw_policy::Decision;
use serde_json::Value;

use super::{Permit, ToolExecutor, ToolResult};

/// The guard name of `message` refusals.
pub const GUARD: &str = "message";

/// One outbound message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundMessage {
    /// Channel id (`webhook`, `webchat`, ...).
    pub channel: String,
    /// Account, for channels with accounts (`None`: the only / default account).
    pub account: Option<String>,
    /// Recipient id as the channel knows it.
    pub to: String,
    /// Text.
    pub text: String,
    /// The sending agent.
    pub from_agent: String,
    /// The sending session.
    pub from_session: String,
}

/// A boxed send future: `Ok(receipt)` or `Err(reason)`.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<String, String>> + Send + 'a>>;

/// The channels, as the agent sees them.
pub trait Messenger: Send + Sync + std::fmt::Debug {
    /// Whether `to` may be messaged on `channel` (`Err` says why not). Must not change any
    /// state (no pairing requests).
    fn check_recipient(
        &self,
        config: &Config,
        channel: &str,
        account: Option<&str>,
        to: &str,
    ) -> Result<(), String>;

    /// Delivers the message.
    fn send(&self, config: Arc<Config>, message: OutboundMessage) -> SendFuture<'_>;
}

/// The parts of a `message` call.
fn parts<'a>(params: &'a Value, default_channel: Option<&'a str>) -> Result<Parts<'a>, String> {
    let s = |k: &str| {
        params
            .get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    if let Some(action) = s("action")
        && action != "send"
    {
        return Err(format!(
            "message action `{action}` is not supported (only `send`)"
        ));
    }
    let channel = s("channel")
        .or(default_channel)
        .ok_or("no channel given and this conversation is not on a channel")?;
    let to = s("to")
        .or_else(|| s("target"))
        .ok_or("no recipient (`to`) given")?;
    let text = s("text").or_else(|| s("message")).ok_or("no text given")?;
    Ok(Parts {
        channel,
        account: s("accountId").or_else(|| s("account")),
        to,
        text,
    })
}

struct Parts<'a> {
    channel: &'a str,
    account: Option<&'a str>,
    to: &'a str,
    text: &'a str,
}

impl ToolExecutor {
    /// The recipient rule (in the policy step, so the refusal is a logged decision).
    pub(super) fn check_message(&self, params: &Value) -> Option<Decision> {
        let Some(messenger) = &self.messenger else {
            return Some(Decision::block(
                GUARD,
                "no-channels",
                "message: no channels are connected to this agent runtime",
            ));
        };
        let p = match parts(params, self.origin.channel()) {
            Ok(p) => p,
            Err(e) => return Some(Decision::block(GUARD, "invalid-message", e)),
        };
        messenger
            .check_recipient(&self.config, p.channel, p.account, p.to)
            .err()
            .map(|why| {
                Decision::block(
                    GUARD,
                    "recipient-not-allowed",
                    format!("message to {}:{} refused: {why}", p.channel, p.to),
                )
            })
    }

    pub(super) async fn message(&self, permit: &Permit) -> ToolResult {
        let (Some(messenger), Ok(p)) = (
            &self.messenger,
            parts(&permit.params, self.origin.channel()),
        ) else {
            return ToolResult::error("error: message could not be sent".into());
        };
        let out = OutboundMessage {
            channel: p.channel.to_string(),
            account: p.account.map(str::to_string),
            to: p.to.to_string(),
            text: p.text.to_string(),
            from_agent: self.agent_id.clone(),
            from_session: self.session_key.clone(),
        };
        match messenger.send(Arc::clone(&self.config), out).await {
            Ok(receipt) => ToolResult::ok(receipt),
            Err(e) => ToolResult::error(format!("error: message not sent: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parts_default_the_channel_and_accept_aliases() {
        let v = json!({"target": "bob", "message": "hi"});
        let p = parts(&v, Some("webhook")).unwrap();
        assert_eq!(
            (p.channel, p.to, p.text, p.account),
            ("webhook", "bob", "hi", None)
        );
        assert!(parts(&json!({"to": "bob", "text": "hi"}), None).is_err());
        assert!(parts(&json!({"to": "bob", "text": "  "}), Some("webhook")).is_err());
        assert!(
            parts(
                &json!({"action": "delete", "to": "b", "text": "x"}),
                Some("w")
            )
            .is_err()
        );
    }
}
