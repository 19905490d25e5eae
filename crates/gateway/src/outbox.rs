//! Messages the agent starts (the `message` tool), as opposed to replies: delivered on the
//! channel the tool names, to recipients the channel's access rules allow (the caller checks
//! [`crate::ports::ChannelAccess::may_message`] first).
//!
//! * `webchat`: the operator (`to` = `operator`); published to the operator sockets.
//! * `webhook`: a signed `POST` `{kind: "message", account, to, text}` to the account's
//!   `webhookUrl` (the account named, else the only account).
//!
//! Other channels are not connected in this build; sending to them is an error.

use crate::ports::{Role, StoredMessage};
use crate::state::{AppState, now_ms};
use crate::webhook::outbound;
use crate::ws::protocol::ServerFrame;

/// The operator's recipient id on webchat.
pub const OPERATOR: &str = "operator";

/// Where a message to `channel`/`account`/`to` would go; `Err` when it cannot be delivered.
pub fn route(
    gw: &AppState,
    channel: &str,
    account: Option<&str>,
    to: &str,
) -> Result<Route, String> {
    match channel {
        "webchat" if to == OPERATOR => Ok(Route::Operator),
        "webchat" => Err(format!("webchat has one recipient, `{OPERATOR}`")),
        "webhook" => {
            let settings = gw.settings();
            let accounts = &settings.webhook_accounts;
            let (name, acct) = match account {
                Some(a) => (
                    a.to_string(),
                    accounts.get(a).ok_or(format!("no webhook account `{a}`"))?,
                ),
                None if accounts.len() == 1 => accounts
                    .iter()
                    .next()
                    .map(|(n, a)| (n.clone(), a))
                    .ok_or("no webhook account")?,
                None => return Err("several webhook accounts: name one with accountId".into()),
            };
            let url = acct
                .url
                .clone()
                .ok_or(format!("webhook account `{name}` has no webhookUrl"))?;
            Ok(Route::Webhook {
                account: name,
                url,
                secret: acct.secret.clone(),
            })
        }
        other => Err(format!(
            "channel `{other}` is not connected to this gateway"
        )),
    }
}

/// A resolved destination.
#[derive(Debug, Clone)]
pub enum Route {
    /// The operator sockets.
    Operator,
    /// A webhook account's `webhookUrl`.
    Webhook {
        /// Account id.
        account: String,
        /// Where.
        url: url::Url,
        /// Signing key.
        secret: crate::secret::Secret,
    },
}

/// Sends `text` to `to` (fire-and-forget for webhooks; failures are counted and logged).
pub fn send(gw: &AppState, route: Route, to: &str, text: &str, from_session: &str) -> String {
    match route {
        Route::Operator => {
            gw.publish(ServerFrame::message(&StoredMessage {
                session: from_session.to_string(),
                channel: "webchat".into(),
                sender: "agent".into(),
                role: Role::Assistant,
                text: text.to_string(),
                ts_ms: now_ms(),
            }));
            "sent to the operator".to_string()
        }
        Route::Webhook {
            account,
            url,
            secret,
        } => {
            outbound::send(
                gw.clone(),
                url,
                secret,
                outbound::Reply {
                    account: account.clone(),
                    to: to.to_string(),
                    group: None,
                    kind: "message",
                    text: text.to_string(),
                    seq: None,
                },
            );
            format!("queued for webhook:{account}:{to}")
        }
    }
}
