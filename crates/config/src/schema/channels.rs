//! `channels.<id>`: messaging channels and their access control. One shape serves every channel
//! (WhatsApp, Signal, Telegram, Discord, Slack, Google Chat, ...) and its `accounts.<id>`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::secret::{Id, SecretInput};
use super::tools::ToolPolicy;

/// `dmPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DmPolicy {
    /// Unknown senders get a pairing code (default).
    Pairing,
    /// Only `allowFrom`.
    Allowlist,
    /// Anyone (requires `"*"` in `allowFrom`).
    Open,
    /// No DMs.
    Disabled,
}

/// `groupPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupPolicy {
    /// Any group.
    Open,
    /// Only groups listed in `groups` (and senders in `groupAllowFrom`).
    Allowlist,
    /// No groups.
    Disabled,
}

/// `channels.<id>` and `channels.<id>.accounts.<acct>`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Channel {
    /// On or off.
    pub enabled: Option<bool>,
    /// Display name.
    pub name: Option<String>,
    /// DM access policy (default `pairing`).
    pub dm_policy: Option<DmPolicy>,
    /// Senders allowed to DM.
    pub allow_from: Option<Vec<Id>>,
    /// Legacy DM block (`dm.policy`, `dm.allowFrom`).
    pub dm: Option<ChannelDm>,
    /// Per-DM overrides.
    pub dms: Option<BTreeMap<String, serde_json::Value>>,
    /// Group access policy (default `allowlist`).
    pub group_policy: Option<GroupPolicy>,
    /// Senders allowed in groups.
    pub group_allow_from: Option<Vec<Id>>,
    /// Allowed groups (`"*"` = any) with per-group settings.
    pub groups: Option<BTreeMap<String, Group>>,
    /// Discord guilds.
    pub guilds: Option<BTreeMap<String, Guild>>,
    /// Slack/Mattermost channels.
    pub channels: Option<BTreeMap<String, Group>>,
    /// Matrix rooms.
    pub rooms: Option<BTreeMap<String, Group>>,
    /// Multiple accounts of this channel.
    pub accounts: Option<BTreeMap<String, Channel>>,
    /// Native command settings for this channel.
    pub commands: Option<ChannelCommands>,
    /// Slack slash command.
    pub slash_command: Option<serde_json::Value>,
    /// Match allowlists by display name (dangerous: names are mutable).
    pub dangerously_allow_name_matching: Option<bool>,
    /// Allow config writes from chat.
    pub config_writes: Option<bool>,
    /// Media size cap.
    pub media_max_mb: Option<f64>,
    /// Inbound debounce.
    pub debounce_ms: Option<u64>,
    /// WhatsApp: reply in the self chat.
    pub self_chat_mode: Option<bool>,
    /// Send read receipts.
    pub send_read_receipts: Option<bool>,
    /// Outbound chunk size.
    pub text_chunk_limit: Option<u64>,
    /// Chunking mode.
    pub chunk_mode: Option<String>,
    /// Group history kept.
    pub history_limit: Option<u32>,
    /// DM history kept.
    pub dm_history_limit: Option<u32>,
    /// Reply threading.
    pub reply_to_mode: Option<String>,
    /// Reaction notifications.
    pub reaction_notifications: Option<String>,
    /// Acknowledgement reaction.
    pub ack_reaction: Option<serde_json::Value>,
    /// Allowed actions.
    pub actions: Option<serde_json::Value>,
    /// Capabilities.
    pub capabilities: Option<serde_json::Value>,
    /// Streaming mode.
    pub stream_mode: Option<String>,
    /// Block streaming.
    pub block_streaming: Option<bool>,
    /// Block streaming coalescing.
    pub block_streaming_coalesce: Option<serde_json::Value>,
    /// Markdown settings.
    pub markdown: Option<serde_json::Value>,
    /// Heartbeat visibility.
    pub heartbeat: Option<serde_json::Value>,
    /// Reply prefix.
    pub response_prefix: Option<String>,
    /// Link previews.
    pub link_preview: Option<bool>,
    /// Retry policy.
    pub retry: Option<serde_json::Value>,
    /// HTTP proxy for the channel's API.
    pub proxy: Option<String>,
    /// Bot token (Telegram, Discord, Slack).
    pub bot_token: Option<SecretInput>,
    /// File holding the bot token.
    pub token_file: Option<String>,
    /// Generic token.
    pub token: Option<SecretInput>,
    /// Slack app token.
    pub app_token: Option<SecretInput>,
    /// Slack user token.
    pub user_token: Option<SecretInput>,
    /// Slack signing secret.
    pub signing_secret: Option<SecretInput>,
    /// Webhook secret.
    pub webhook_secret: Option<SecretInput>,
    /// Webhook URL.
    pub webhook_url: Option<String>,
    /// hardclaw (webhook channel): stream agent replies to `webhookUrl` as signed
    /// `reply_delta` posts before the final `message` (default false).
    pub stream_replies: Option<bool>,
    /// Webhook path.
    pub webhook_path: Option<String>,
    /// Slack mode (`socket`, `http`).
    pub mode: Option<String>,
    /// Signal account (phone number).
    pub account: Option<String>,
    /// signal-cli HTTP URL.
    pub http_url: Option<String>,
    /// signal-cli HTTP host.
    pub http_host: Option<String>,
    /// signal-cli HTTP port.
    pub http_port: Option<u16>,
    /// signal-cli path.
    pub cli_path: Option<String>,
    /// Start signal-cli automatically.
    pub auto_start: Option<bool>,
    /// Google Chat service account JSON.
    pub service_account: Option<SecretInput>,
    /// Google Chat service account file.
    pub service_account_file: Option<String>,
    /// Google Chat audience type.
    pub audience_type: Option<String>,
    /// Google Chat audience.
    pub audience: Option<String>,
    /// Google Chat bot user.
    pub bot_user: Option<String>,
    /// Custom commands.
    pub custom_commands: Option<serde_json::Value>,
}

/// `channels.<id>.dm` (legacy form).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChannelDm {
    /// DMs on or off.
    pub enabled: Option<bool>,
    /// Legacy `dm.policy`.
    pub policy: Option<DmPolicy>,
    /// Legacy `dm.allowFrom`.
    pub allow_from: Option<Vec<Id>>,
    /// Group DMs.
    pub group_enabled: Option<bool>,
    /// Group DM channels.
    pub group_channels: Option<Vec<Id>>,
}

/// `channels.<id>.groups.<group>` (and Slack `channels.<c>`, Matrix `rooms.<r>`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Group {
    /// Only answer when mentioned (default true).
    pub require_mention: Option<bool>,
    /// Senders allowed in this group.
    pub allow_from: Option<Vec<Id>>,
    /// Users allowed (Discord/Slack).
    pub users: Option<Vec<Id>>,
    /// Group on or off.
    pub enabled: Option<bool>,
    /// Legacy allow flag.
    pub allow: Option<bool>,
    /// Tool policy in this group.
    pub tools: Option<ToolPolicy>,
    /// Tool policy per sender.
    pub tools_by_sender: Option<BTreeMap<String, ToolPolicy>>,
    /// Skills in this group.
    pub skills: Option<Vec<String>>,
    /// Extra system prompt.
    pub system_prompt: Option<String>,
    /// Telegram forum topics.
    pub topics: Option<BTreeMap<String, Group>>,
    /// Auto-reply.
    pub auto_reply: Option<bool>,
}

/// `channels.discord.guilds.<id>`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Guild {
    /// Slug.
    pub slug: Option<String>,
    /// Only answer when mentioned.
    pub require_mention: Option<bool>,
    /// Users allowed.
    pub users: Option<Vec<Id>>,
    /// Roles allowed.
    pub roles: Option<Vec<Id>>,
    /// Reaction notifications.
    pub reaction_notifications: Option<String>,
    /// Tool policy.
    pub tools: Option<ToolPolicy>,
    /// Channels in the guild.
    pub channels: Option<BTreeMap<String, Group>>,
}

/// `channels.<id>.commands`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChannelCommands {
    /// Native commands (`true`, `false`, `"auto"`).
    pub native: Option<serde_json::Value>,
    /// Native skill commands.
    pub native_skills: Option<serde_json::Value>,
}
