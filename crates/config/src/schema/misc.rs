//! The smaller top-level blocks: `logging`, `hooks`, `browser`, `plugins`, `skills`, `commands`,
//! `models`, `mcp`, `env`, `security`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::secret::{Id, SecretInput};

/// `logging.redactSensitive`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RedactSensitive {
    /// No redaction (reported by the audit).
    Off,
    /// Redact tool payloads (default).
    Tools,
}

/// `logging`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Logging {
    /// Level.
    pub level: Option<String>,
    /// Log file (`~` expanded).
    pub file: Option<String>,
    /// Console level.
    pub console_level: Option<String>,
    /// Console style.
    pub console_style: Option<String>,
    /// Redaction.
    pub redact_sensitive: Option<RedactSensitive>,
    /// Extra redaction regexes.
    pub redact_patterns: Option<Vec<String>>,
}

/// `hooks`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Hooks {
    /// Webhook ingress on or off.
    pub enabled: Option<bool>,
    /// Ingress token (must differ from the gateway token).
    pub token: Option<SecretInput>,
    /// URL path (not `/`).
    pub path: Option<String>,
    /// Session key for hook traffic.
    pub default_session_key: Option<String>,
    /// Agents hooks may target.
    pub allowed_agent_ids: Option<Vec<String>>,
    /// Let requests choose the session key.
    pub allow_request_session_key: Option<bool>,
    /// Prefixes allowed for request session keys.
    pub allowed_session_key_prefixes: Option<Vec<String>>,
    /// Body size cap.
    pub max_body_bytes: Option<u64>,
    /// Presets.
    pub presets: Option<Vec<String>>,
    /// Transform scripts.
    pub transforms_dir: Option<String>,
    /// Mappings.
    pub mappings: Option<Vec<HookMapping>>,
    /// Gmail integration.
    pub gmail: Option<HookGmail>,
    /// Internal hooks.
    pub internal: Option<InternalHooks>,
}

/// `hooks.mappings[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HookMapping {
    /// Id.
    pub id: Option<String>,
    /// Match rule.
    #[serde(rename = "match")]
    pub matcher: Option<serde_json::Value>,
    /// Action.
    pub action: Option<String>,
    /// Wake mode.
    pub wake_mode: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Target agent.
    pub agent_id: Option<String>,
    /// Session key.
    pub session_key: Option<String>,
    /// Message template.
    pub message_template: Option<String>,
    /// Text template.
    pub text_template: Option<String>,
    /// Deliver the reply.
    pub deliver: Option<bool>,
    /// Channel.
    pub channel: Option<String>,
    /// Recipient.
    pub to: Option<String>,
    /// Model override.
    pub model: Option<String>,
    /// Thinking level.
    pub thinking: Option<String>,
    /// Timeout.
    pub timeout_seconds: Option<u64>,
    /// Transform.
    pub transform: Option<serde_json::Value>,
    /// Skip the external-content safety wrapper (dangerous).
    pub allow_unsafe_external_content: Option<bool>,
}

/// `hooks.gmail`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HookGmail {
    /// Account.
    pub account: Option<String>,
    /// Label.
    pub label: Option<String>,
    /// Pub/Sub topic.
    pub topic: Option<String>,
    /// Subscription.
    pub subscription: Option<String>,
    /// Push token.
    pub push_token: Option<SecretInput>,
    /// Hook URL.
    pub hook_url: Option<String>,
    /// Include body.
    pub include_body: Option<bool>,
    /// Max bytes.
    pub max_bytes: Option<u64>,
    /// Renew interval.
    pub renew_every_minutes: Option<u64>,
    /// Model.
    pub model: Option<String>,
    /// Thinking.
    pub thinking: Option<String>,
    /// Serve settings.
    pub serve: Option<serde_json::Value>,
    /// Tailscale settings.
    pub tailscale: Option<serde_json::Value>,
    /// Skip the external-content safety wrapper (dangerous).
    pub allow_unsafe_external_content: Option<bool>,
}

/// `hooks.internal`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InternalHooks {
    /// On or off.
    pub enabled: Option<bool>,
    /// Hook entries.
    pub entries: Option<BTreeMap<String, serde_json::Value>>,
    /// Install records.
    pub installs: Option<BTreeMap<String, InstallRecord>>,
    /// Load settings.
    pub load: Option<serde_json::Value>,
    /// Handlers.
    pub handlers: Option<serde_json::Value>,
}

/// An npm/path install record (`plugins.installs.<id>`, `hooks.internal.installs.<id>`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InstallRecord {
    /// `npm`, `path`, `archive`.
    pub source: Option<String>,
    /// Spec as requested (`name@1.2.3`).
    pub spec: Option<String>,
    /// Spec as resolved.
    pub resolved_spec: Option<String>,
    /// Integrity hash.
    pub integrity: Option<String>,
    /// Installed version.
    pub version: Option<String>,
    /// Resolved version.
    pub resolved_version: Option<String>,
    /// Install path.
    pub install_path: Option<String>,
    /// Source path.
    pub source_path: Option<String>,
    /// Installed at.
    pub installed_at: Option<String>,
}

/// `browser`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Browser {
    /// On or off (OpenClaw default: on).
    pub enabled: Option<bool>,
    /// CDP URL.
    pub cdp_url: Option<String>,
    /// Default profile.
    pub default_profile: Option<String>,
    /// Headless.
    pub headless: Option<bool>,
    /// Allow `evaluate`.
    pub evaluate_enabled: Option<bool>,
    /// Chrome `--no-sandbox`.
    pub no_sandbox: Option<bool>,
    /// Attach only.
    pub attach_only: Option<bool>,
    /// Executable.
    pub executable_path: Option<String>,
    /// Accent colour.
    pub color: Option<String>,
    /// Remote CDP timeout.
    pub remote_cdp_timeout_ms: Option<u64>,
    /// Remote CDP handshake timeout.
    pub remote_cdp_handshake_timeout_ms: Option<u64>,
    /// Profiles.
    pub profiles: Option<BTreeMap<String, BrowserProfile>>,
    /// SSRF policy for navigation.
    pub ssrf_policy: Option<serde_json::Value>,
    /// Snapshot defaults.
    pub snapshot_defaults: Option<serde_json::Value>,
}

/// `browser.profiles.<name>`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BrowserProfile {
    /// Local CDP port.
    pub cdp_port: Option<u16>,
    /// Remote CDP URL.
    pub cdp_url: Option<String>,
    /// Colour.
    pub color: Option<String>,
    /// Driver.
    pub driver: Option<String>,
}

/// `plugins`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Plugins {
    /// Plugins on or off.
    pub enabled: Option<bool>,
    /// Plugin ids allowed to load.
    pub allow: Option<Vec<String>>,
    /// Plugin ids never loaded.
    pub deny: Option<Vec<String>>,
    /// Load paths.
    pub load: Option<serde_json::Value>,
    /// Per-plugin settings (guards read `entries.<id>.config`).
    pub entries: Option<BTreeMap<String, PluginEntry>>,
    /// Install records.
    pub installs: Option<BTreeMap<String, InstallRecord>>,
    /// Slots.
    pub slots: Option<serde_json::Value>,
}

/// `plugins.entries.<id>`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PluginEntry {
    /// On or off.
    pub enabled: Option<bool>,
    /// Plugin config (validated by the plugin).
    pub config: Option<serde_json::Value>,
}

/// `skills`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Skills {
    /// Bundled skills allowed.
    pub allow_bundled: Option<Vec<String>>,
    /// Load settings.
    pub load: Option<SkillsLoad>,
    /// Install settings.
    pub install: Option<serde_json::Value>,
    /// Per-skill settings.
    pub entries: Option<BTreeMap<String, serde_json::Value>>,
}

/// `skills.load`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SkillsLoad {
    /// Extra skill dirs.
    pub extra_dirs: Option<Vec<String>>,
    /// Watch for changes.
    pub watch: Option<bool>,
    /// Watch debounce.
    pub watch_debounce_ms: Option<u64>,
    /// Symlink targets allowed.
    pub allow_symlink_targets: Option<Vec<String>>,
}

/// `commands`: chat commands (`/restart`, `!bash`, ...). All off by default in hardclaw.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Commands {
    /// Native slash commands (`true`, `false`, `"auto"`).
    pub native: Option<serde_json::Value>,
    /// Native skill commands.
    pub native_skills: Option<serde_json::Value>,
    /// Text commands.
    pub text: Option<bool>,
    /// `!bash` / `/bash`.
    pub bash: Option<bool>,
    /// Foreground time for bash.
    pub bash_foreground_ms: Option<u64>,
    /// `/config`.
    pub config: Option<bool>,
    /// `/debug`.
    pub debug: Option<bool>,
    /// `/restart`.
    pub restart: Option<bool>,
    /// Enforce access groups for commands.
    pub use_access_groups: Option<bool>,
    /// Command owners.
    pub owner_allow_from: Option<Vec<Id>>,
}

/// `models`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Models {
    /// `merge` or `replace`.
    pub mode: Option<String>,
    /// Providers.
    pub providers: Option<BTreeMap<String, ModelProvider>>,
}

/// `models.providers.<id>`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ModelProvider {
    /// API base URL.
    pub base_url: Option<String>,
    /// API key (prefer `${VAR}` or a SecretRef).
    pub api_key: Option<SecretInput>,
    /// Wire format (`openai-completions`, `anthropic-messages`, ...).
    pub api: Option<String>,
    /// Auth style.
    pub auth: Option<String>,
    /// Send the key in an auth header.
    pub auth_header: Option<bool>,
    /// Extra headers.
    pub headers: Option<BTreeMap<String, SecretInput>>,
    /// Models offered.
    pub models: Option<Vec<serde_json::Value>>,
}

/// `mcp`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Mcp {
    /// MCP apps.
    pub apps: Option<super::gateway::Toggle>,
    /// MCP servers.
    pub servers: Option<serde_json::Value>,
}

/// `env`: variables for `${VAR}` substitution and child processes. `Debug` shows the variable
/// names, never their values.
#[derive(Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Env {
    /// Variables.
    pub vars: Option<BTreeMap<String, String>>,
    /// Login-shell import.
    pub shell_env: Option<serde_json::Value>,
    /// Inline variables (`env: { FOO: "bar" }`).
    #[serde(flatten)]
    pub inline: BTreeMap<String, String>,
}

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env")
            .field(
                "vars",
                &self.vars.as_ref().map(|v| v.keys().collect::<Vec<_>>()),
            )
            .field("shell_env", &self.shell_env.as_ref().map(|_| ".."))
            .field("inline", &self.inline.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// `security`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Security {
    /// Audit settings.
    pub audit: Option<SecurityAudit>,
}

/// `security.audit`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SecurityAudit {
    /// Accepted findings, moved out of the main list.
    pub suppressions: Option<Vec<Suppression>>,
}

/// `security.audit.suppressions[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Suppression {
    /// Check id to suppress.
    pub check_id: String,
    /// Only when the title contains this.
    pub title_includes: Option<String>,
    /// Only when the detail contains this.
    pub detail_includes: Option<String>,
    /// Why it is accepted.
    pub reason: Option<String>,
}

#[cfg(test)]
mod debug_redaction_tests {
    use super::Env;

    #[test]
    fn bypass_env_debug_prints_values() {
        let env: Env = serde_json::from_value(serde_json::json!({
            "vars": {"OPENAI_API_KEY": "sk-SECRETvalue"},
            "ANTHROPIC_API_KEY": "sk-ant-SECRET2"
        }))
        .expect("env");
        let text = format!("{env:?}");
        assert!(!text.contains("SECRET"), "{text}");
        assert!(text.contains("OPENAI_API_KEY") && text.contains("ANTHROPIC_API_KEY"));
    }
}
