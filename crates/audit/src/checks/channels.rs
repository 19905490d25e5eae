//! Check family `channels` (reference §1.13): DM policy, DM session sharing, name matching,
//! group-policy warnings, and the Discord / Slack / Telegram command checks.
//!
//! Which accounts are audited: every enabled channel (`enabled != false`, the `defaults` key is
//! `channels.defaults`, not a channel). When `accounts` is non-empty each enabled account is
//! audited (and the root is not audited on its own); otherwise the channel root is the single
//! `default` account. Unlike OpenClaw, an account is audited even when it is not "configured"
//! (no token yet): an enabled block is what will run once a token is added.
//!
//! Inheritance: an account inherits every key it leaves unset from the channel root, key by
//! key (`dmPolicy`, `dm.*`, `allowFrom`, `groupPolicy`, `groupAllowFrom`, `groups`, `guilds`,
//! `channels`, `commands.*`, `slashCommand`, `dangerouslyAllowNameMatching`, tokens). Lists and
//! maps are taken whole from the level that sets them, never merged. `groupPolicy` then falls
//! back to `channels.defaults.groupPolicy`, then `allowlist`; `dmPolicy` to `dm.policy`, then
//! `pairing`.
//!
//! Defaults that depend on the product: `session.dmScope` unset means `main` for an OpenClaw
//! install and `per-channel-peer` for hardclaw. Native commands `"auto"`/unset mean on for
//! Discord and Telegram and off elsewhere (OpenClaw semantics).
//!
//! Check ids carry no per-account suffix (OpenClaw E2/E3); identical findings from several
//! accounts are de-duplicated (E3 `dedupeFindings`). Not implemented: Zalo / Feishu specifics.

use std::collections::BTreeMap;
use std::path::Path;

use hardclaw_config::Flavor;
use hardclaw_config::schema::{
    Channel, Config, DmPolicy, DmScope, Group, GroupPolicy, Guild, Id, SecretInput, SecretSource,
};
use serde_json::Value;

use super::exposure::id_text;
use crate::context::AuditContext;
use crate::finding::{Finding, Severity};

/// Display name of a channel id.
fn label(id: &str) -> String {
    match id {
        "telegram" => "Telegram".into(),
        "discord" => "Discord".into(),
        "slack" => "Slack".into(),
        "whatsapp" => "WhatsApp".into(),
        "signal" => "Signal".into(),
        "googlechat" => "Google Chat".into(),
        "imessage" => "iMessage".into(),
        "msteams" => "Microsoft Teams".into(),
        "irc" => "IRC".into(),
        other => {
            let mut c = other.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect(),
                None => String::new(),
            }
        }
    }
}

/// One audited account: the root and (for `accounts.<a>`) the account block.
struct Account<'a> {
    channel: &'a str,
    id: String,
    root: &'a Channel,
    acct: Option<&'a Channel>,
    root_path: String,
    acct_path: Option<String>,
}

impl<'a> Account<'a> {
    /// The effective value of a key and the path of the block it came from.
    fn pick<T>(&self, f: impl Fn(&'a Channel) -> Option<T>) -> (Option<T>, &str) {
        if let (Some(a), Some(p)) = (self.acct, &self.acct_path)
            && let Some(v) = f(a)
        {
            return (Some(v), p);
        }
        (f(self.root), &self.root_path)
    }

    /// The path a key would be reported at when unset anywhere.
    fn base(&self) -> &str {
        self.acct_path.as_deref().unwrap_or(&self.root_path)
    }
}

fn ids_of(list: Option<&Vec<Id>>) -> Vec<String> {
    list.into_iter()
        .flatten()
        .map(|i| i.as_str().trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Entries of a pairing-store file: `{"version":1,"allowFrom":[...]}` or a plain array.
fn read_store(credentials: &Path, channel: &str, account: &str) -> Vec<String> {
    let safe = |s: &str| {
        s.to_ascii_lowercase()
            .replace("..", "_")
            .chars()
            .map(|c| if "\\/:*?\"<>|".contains(c) { '_' } else { c })
            .collect::<String>()
    };
    let name = if account == "default" {
        format!("{}-allowFrom.json", safe(channel))
    } else {
        format!("{}-{}-allowFrom.json", safe(channel), safe(account))
    };
    let Ok(text) = std::fs::read_to_string(credentials.join(name)) else {
        return Vec::new();
    };
    let Ok(v) = serde_json::from_str::<Value>(&text) else {
        return Vec::new();
    };
    let list = match &v {
        Value::Array(a) => Some(a),
        other => other.get("allowFrom").and_then(Value::as_array),
    };
    list.into_iter()
        .flatten()
        .map(|e| id_text(e).trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// `true` / `false` / `"auto"` for a native-command setting.
fn native_on(channel: &str, provider: Option<&Value>, global: Option<&Value>) -> bool {
    match provider.or(global) {
        Some(Value::Bool(b)) => *b,
        _ => matches!(channel, "discord" | "telegram"),
    }
}

/// OpenClaw `classifyChannelWarningSeverity`.
pub(super) fn classify_warning(text: &str) -> Severity {
    let s = text.to_lowercase();
    if [
        "dms: open",
        "grouppolicy=\"open\"",
        "dmpolicy=\"open\"",
        "allows any",
        "anyone can dm",
        "public",
    ]
    .iter()
    .any(|k| s.contains(k))
    {
        Severity::Critical
    } else if s.contains("locked") || s.contains("disabled") {
        Severity::Info
    } else {
        Severity::Warn
    }
}

/// Whether native skill commands are on for any enabled channel (used by `plugins`).
pub(super) fn any_native_skills_enabled(config: &Config) -> bool {
    let global = config
        .commands
        .as_ref()
        .and_then(|c| c.native_skills.as_ref());
    config.channels.iter().flatten().any(|(id, ch)| {
        id != "defaults"
            && ch.enabled != Some(false)
            && native_on(
                id,
                ch.commands.as_ref().and_then(|c| c.native_skills.as_ref()),
                global,
            )
    })
}

/// Appends this family's findings.
pub(super) fn collect(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let config = ctx.config();
    let mut found: Vec<Finding> = Vec::new();
    let channels = config.channels.as_ref();
    let default_group = channels
        .and_then(|c| c.get("defaults"))
        .and_then(|d| d.group_policy);
    for (id, root) in channels.into_iter().flatten() {
        if id == "defaults" || root.enabled == Some(false) {
            continue;
        }
        let root_path = format!("channels.{id}");
        let accounts: Vec<Account<'_>> = match root.accounts.as_ref().filter(|a| !a.is_empty()) {
            Some(map) => map
                .iter()
                .filter(|(_, a)| a.enabled != Some(false))
                .map(|(name, a)| Account {
                    channel: id,
                    id: name.clone(),
                    root,
                    acct: Some(a),
                    root_path: root_path.clone(),
                    acct_path: Some(format!("{root_path}.accounts.{name}")),
                })
                .collect(),
            None => vec![Account {
                channel: id,
                id: "default".into(),
                root,
                acct: None,
                root_path: root_path.clone(),
                acct_path: None,
            }],
        };
        for account in &accounts {
            audit_account(ctx, config, account, default_group, &mut found);
        }
    }
    // De-duplicate (checkId, severity, title, detail, remediation), first wins.
    let mut seen = Vec::new();
    for f in found {
        let key = (
            f.check_id.clone(),
            f.severity,
            f.title.clone(),
            f.detail.clone(),
            f.remediation.clone(),
        );
        if !seen.contains(&key) {
            seen.push(key);
            out.push(f);
        }
    }
}

fn audit_account(
    ctx: &AuditContext<'_>,
    config: &Config,
    a: &Account<'_>,
    default_group: Option<GroupPolicy>,
    out: &mut Vec<Finding>,
) {
    let ch = a.channel;
    let name = label(ch);
    let store = read_store(&ctx.locations.credentials_dir, ch, &a.id);
    read_only_resolution(ctx, a, &name, out);
    let (group_policy, gp_path) = match a.pick(|c| c.group_policy) {
        (Some(p), path) => (p, format!("{path}.groupPolicy")),
        (None, _) => (
            default_group.unwrap_or(GroupPolicy::Allowlist),
            if default_group.is_some() {
                "channels.defaults.groupPolicy".to_string()
            } else {
                format!("{}.groupPolicy", a.base())
            },
        ),
    };
    let commands = config.commands.as_ref();
    let use_access_groups = commands.and_then(|c| c.use_access_groups) != Some(false);
    let native = native_on(
        ch,
        a.pick(|c| c.commands.as_ref().and_then(|x| x.native.as_ref()))
            .0,
        commands.and_then(|c| c.native.as_ref()),
    );
    let native_skills = native_on(
        ch,
        a.pick(|c| c.commands.as_ref().and_then(|x| x.native_skills.as_ref()))
            .0,
        commands.and_then(|c| c.native_skills.as_ref()),
    );
    let (allow_from, af_path) = a.pick(|c| c.allow_from.as_ref());
    let (dm_allow_from, dm_af_path) = a.pick(|c| c.dm.as_ref().and_then(|d| d.allow_from.as_ref()));
    let owner: Vec<String> = ids_of(allow_from)
        .into_iter()
        .chain(ids_of(dm_allow_from))
        .chain(store.iter().cloned())
        .collect();

    if ch == "discord" {
        discord(
            a,
            native || native_skills,
            group_policy,
            &gp_path,
            use_access_groups,
            &owner,
            out,
        );
        discord_names(a, &store, out);
    }
    if ch == "slack" {
        let slash = native
            || native_skills
            || a.pick(|c| c.slash_command.as_ref())
                .0
                .and_then(|v| v.get("enabled"))
                == Some(&Value::Bool(true));
        if slash {
            slack(a, use_access_groups, &owner, out);
        }
    }

    // DM policy.
    let (policy, policy_path) = match a.pick(|c| c.dm_policy) {
        (Some(p), path) => (p, format!("{path}.dmPolicy")),
        (None, _) => match a.pick(|c| c.dm.as_ref().and_then(|d| d.policy)) {
            (Some(p), path) => (p, format!("{path}.dm.policy")),
            (None, _) => (DmPolicy::Pairing, format!("{}.dmPolicy", a.base())),
        },
    };
    let (effective_allow, allow_key) = match (allow_from, dm_allow_from) {
        (Some(l), _) => (ids_of(Some(l)), format!("{af_path}.allowFrom")),
        (None, Some(l)) => (ids_of(Some(l)), format!("{dm_af_path}.dm.allowFrom")),
        (None, None) => (Vec::new(), format!("{}.allowFrom", a.base())),
    };
    if policy == DmPolicy::Open {
        out.push(
            Finding::new(
                format!("channels.{ch}.dm.open"),
                Severity::Critical,
                format!("{name} DMs are open"),
                format!("{policy_path}=\"open\" allows anyone to DM the bot."),
            )
            .remediation(format!("Use pairing/allowlist; if you really need open DMs, ensure {allow_key} includes \"*\"."))
            .at(policy_path.clone()),
        );
        if !effective_allow.iter().any(|e| e == "*") {
            out.push(
                Finding::new(
                    format!("channels.{ch}.dm.open_invalid"),
                    Severity::Warn,
                    format!("{name} DM config looks inconsistent"),
                    format!("\"open\" requires {allow_key} to include \"*\"."),
                )
                .at(allow_key.clone()),
            );
        }
    }
    if policy == DmPolicy::Disabled {
        out.push(
            Finding::new(
                format!("channels.{ch}.dm.disabled"),
                Severity::Info,
                format!("{name} DMs are disabled"),
                format!("{policy_path}=\"disabled\" ignores inbound DMs."),
            )
            .at(policy_path.clone()),
        );
    } else {
        let scope = config.session.as_ref().and_then(|s| s.dm_scope).unwrap_or(
            if ctx.locations.flavor == Flavor::OpenClaw {
                DmScope::Main
            } else {
                DmScope::PerChannelPeer
            },
        );
        let mut entries: Vec<String> = effective_allow
            .iter()
            .cloned()
            .chain(store.iter().cloned())
            .collect();
        if ch == "telegram" {
            entries = entries.iter().map(|e| normalize_telegram(e)).collect();
        }
        let wildcard = entries.iter().any(|e| e == "*");
        let distinct: std::collections::BTreeSet<&String> =
            entries.iter().filter(|e| *e != "*").collect();
        if scope == DmScope::Main && (wildcard || distinct.len() > 1) {
            out.push(
                Finding::new(
                    format!("channels.{ch}.dm.scope_main_multiuser"),
                    Severity::Warn,
                    format!("{name} DMs share the main session"),
                    "Multiple DM senders currently share the main session, which can leak context across users.",
                )
                .remediation("Set session.dmScope=\"per-channel-peer\" (or \"per-account-channel-peer\" for multi-account channels) to isolate DM sessions per sender.")
                .at("session.dmScope"),
            );
        }
    }

    let (name_matching, nm_path) = a.pick(|c| c.dangerously_allow_name_matching);
    if name_matching == Some(true) {
        out.push(
            Finding::new(
                format!("channels.{ch}.allowFrom.dangerous_name_matching_enabled"),
                Severity::Info,
                format!("{name} allowlists match mutable names"),
                format!("{nm_path}.dangerouslyAllowNameMatching=true lets display names and tags satisfy allowlists; anyone who renames themselves to a listed name is let in."),
            )
            .remediation("Use stable user ids in allowlists and remove dangerouslyAllowNameMatching.")
            .at(format!("{nm_path}.dangerouslyAllowNameMatching")),
        );
    }

    // Plugin warnings (`collectWarnings`): the standard group-policy warning.
    if group_policy == GroupPolicy::Open {
        let base = a.base();
        let text = format!(
            "- {name} groups: groupPolicy=\"open\" allows any member in allowed groups to trigger (mention-gated). Set {base}.groupPolicy=\"allowlist\" + {base}.groupAllowFrom to restrict senders."
        );
        out.push(
            Finding::new(
                format!("channels.{ch}.warning.{}", out.len() + 1),
                classify_warning(&text),
                format!("{name} security warning"),
                text.trim_start_matches("- ").to_string(),
            )
            .at(gp_path.clone()),
        );
    }

    if ch == "telegram" && commands.and_then(|c| c.text) != Some(false) {
        telegram(a, group_policy, native_skills, &store, out);
    }
}

/// Reads one secret field of a channel block.
type SecretField = fn(&Channel) -> Option<&SecretInput>;

fn read_only_resolution(
    ctx: &AuditContext<'_>,
    a: &Account<'_>,
    name: &str,
    out: &mut Vec<Finding>,
) {
    let fields: [(&str, SecretField); 7] = [
        ("botToken", |c| c.bot_token.as_ref()),
        ("token", |c| c.token.as_ref()),
        ("appToken", |c| c.app_token.as_ref()),
        ("userToken", |c| c.user_token.as_ref()),
        ("signingSecret", |c| c.signing_secret.as_ref()),
        ("webhookSecret", |c| c.webhook_secret.as_ref()),
        ("serviceAccount", |c| c.service_account.as_ref()),
    ];
    for (key, get) in fields {
        let (value, path) = a.pick(get);
        if let Some(SecretInput::Ref(r)) = value
            && r.source == SecretSource::Env
            && ctx.env_var(&r.id).is_none()
        {
            out.push(
                Finding::new(
                    format!("channels.{}.account.read_only_resolution", a.channel),
                    Severity::Warn,
                    format!("{name} account could not be fully resolved"),
                    format!("{path}.{key} is a SecretRef to environment variable {} which is not set; the account's security settings were audited without it.", r.id),
                )
                .remediation(format!("Set {} in the gateway's environment (or fix the SecretRef), then re-run the audit.", r.id))
                .at(format!("{path}.{key}")),
            );
        }
    }
}

fn has_users(list: Option<&Vec<Id>>) -> bool {
    !ids_of(list).is_empty()
}

fn discord(
    a: &Account<'_>,
    slash: bool,
    group_policy: GroupPolicy,
    gp_path: &str,
    use_access_groups: bool,
    owner: &[String],
    out: &mut Vec<Finding>,
) {
    let (guilds, guilds_path) = a.pick(|c| c.guilds.as_ref());
    let guilds: &BTreeMap<String, Guild> = match guilds {
        Some(g) if !g.is_empty() => g,
        _ => return,
    };
    let any_users = guilds.values().any(|g| {
        has_users(g.users.as_ref())
            || g.channels
                .iter()
                .flatten()
                .any(|(_, c)| has_users(c.users.as_ref()))
    });
    if slash && group_policy != GroupPolicy::Disabled && !any_users {
        if !use_access_groups {
            out.push(
                Finding::new(
                    "channels.discord.commands.native.unrestricted",
                    Severity::Critical,
                    "Discord slash commands are unrestricted",
                    "commands.useAccessGroups=false disables sender allowlists for Discord slash commands unless a per-guild/channel users allowlist is configured; with no users allowlist, any user in allowed guild channels can invoke /… commands.",
                )
                .remediation("Set commands.useAccessGroups=true (recommended), or configure channels.discord.guilds.<id>.users (or channels.discord.guilds.<id>.channels.<channel>.users).")
                .at("commands.useAccessGroups"),
            );
        } else if owner.is_empty() {
            out.push(
                Finding::new(
                    "channels.discord.commands.native.no_allowlists",
                    Severity::Warn,
                    "Discord slash commands have no allowlists",
                    "Discord slash commands are enabled, but neither an owner allowFrom list nor any per-guild/channel users allowlist is configured; /… commands will be rejected for everyone.",
                )
                .remediation("Add your user id to channels.discord.allowFrom (or approve yourself via pairing), or configure channels.discord.guilds.<id>.users.")
                .at(format!("{guilds_path}.guilds")),
            );
        }
    }
    if group_policy == GroupPolicy::Allowlist {
        let broad: Vec<String> = guilds
            .iter()
            .filter(|(_, g)| {
                !has_users(g.users.as_ref())
                    && !has_users(g.roles.as_ref())
                    && g.channels.as_ref().is_none_or(|cs| {
                        cs.is_empty() || cs.values().any(|c: &Group| !has_users(c.users.as_ref()))
                    })
            })
            .map(|(k, _)| k.clone())
            .collect();
        if let Some(first) = broad.first() {
            out.push(
                Finding::new(
                    "channels.discord.allowlisted_groups.broad_members",
                    Severity::Warn,
                    "Allowlisted Discord guilds accept every member",
                    format!(
                        "{gp_path}=\"allowlist\" but these allowlisted guilds (or some of their channels) restrict neither users nor roles: {}. Every member of them can talk to the agent.",
                        broad.join(", ")
                    ),
                )
                .remediation("Add users or roles to channels.discord.guilds.<id> (or .channels.<channel>.users) to restrict who can trigger the agent.")
                .at(format!("{guilds_path}.guilds.{first}")),
            );
        }
    }
}

/// A Discord user id: digits, optionally written `<@id>`, `<@!id>`, `user:id`, `discord:id`.
fn is_discord_id(entry: &str) -> bool {
    let e = entry.trim().to_ascii_lowercase();
    let e = e.strip_prefix("discord:").unwrap_or(&e);
    let e = e.strip_prefix("user:").unwrap_or(e);
    let e = e
        .strip_prefix("<@")
        .map(|r| r.trim_start_matches('!').trim_end_matches('>'))
        .unwrap_or(e);
    !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
}

fn discord_names(a: &Account<'_>, store: &[String], out: &mut Vec<Finding>) {
    let mut names: Vec<(String, String)> = Vec::new();
    let (af, af_path) = a.pick(|c| c.allow_from.as_ref());
    for (i, e) in ids_of(af).into_iter().enumerate() {
        names.push((e, format!("{af_path}.allowFrom[{i}]")));
    }
    let (dm, dm_path) = a.pick(|c| c.dm.as_ref().and_then(|d| d.allow_from.as_ref()));
    for (i, e) in ids_of(dm).into_iter().enumerate() {
        names.push((e, format!("{dm_path}.dm.allowFrom[{i}]")));
    }
    for e in store {
        names.push((e.clone(), format!("{}.allowFrom", a.base())));
    }
    let (guilds, g_path) = a.pick(|c| c.guilds.as_ref());
    for (gid, g) in guilds.into_iter().flatten() {
        for (i, e) in ids_of(g.users.as_ref()).into_iter().enumerate() {
            names.push((e, format!("{g_path}.guilds.{gid}.users[{i}]")));
        }
        for (cid, c) in g.channels.iter().flatten() {
            for (i, e) in ids_of(c.users.as_ref()).into_iter().enumerate() {
                names.push((
                    e,
                    format!("{g_path}.guilds.{gid}.channels.{cid}.users[{i}]"),
                ));
            }
        }
    }
    names.retain(|(e, _)| e != "*" && !is_discord_id(e));
    let Some((_, first)) = names.first() else {
        return;
    };
    let matching = a.pick(|c| c.dangerously_allow_name_matching).0 == Some(true);
    let examples: Vec<&str> = names.iter().take(5).map(|(e, _)| e.as_str()).collect();
    let more = if names.len() > 5 {
        format!(" (+{} more)", names.len() - 5)
    } else {
        String::new()
    };
    out.push(
        Finding::new(
            "channels.discord.allowFrom.name_based_entries",
            if matching { Severity::Info } else { Severity::Warn },
            "Discord allowlist contains name-based entries",
            format!(
                "Discord allowlists should use numeric user ids; names and tags are mutable. Found: {}{more}.{}",
                examples.join(", "),
                if matching { " Name matching is enabled, so these entries are honoured (and spoofable)." } else { " Without name matching these entries never match." }
            ),
        )
        .remediation("Replace names/tags with numeric Discord user ids (enable Developer Mode → Copy User ID).")
        .at(first.clone()),
    );
}

fn slack(a: &Account<'_>, use_access_groups: bool, owner: &[String], out: &mut Vec<Finding>) {
    if !use_access_groups {
        out.push(
            Finding::new(
                "channels.slack.commands.slash.useAccessGroups_off",
                Severity::Critical,
                "Slack slash commands bypass access groups",
                "Slack slash/native commands are enabled while commands.useAccessGroups=false; this can allow unrestricted /… command execution from channels/users you didn't explicitly authorize.",
            )
            .remediation("Set commands.useAccessGroups=true (recommended).")
            .at("commands.useAccessGroups"),
        );
        return;
    }
    let (channels, _) = a.pick(|c| c.channels.as_ref());
    let any_users = channels
        .into_iter()
        .flatten()
        .any(|(_, c)| has_users(c.users.as_ref()));
    if owner.is_empty() && !any_users {
        out.push(
            Finding::new(
                "channels.slack.commands.slash.no_allowlists",
                Severity::Warn,
                "Slack slash commands have no allowlists",
                "Slack slash/native commands are enabled, but neither an owner allowFrom list nor any channels.<id>.users allowlist is configured; /… commands will be rejected for everyone.",
            )
            .remediation("Approve yourself via pairing (recommended), or set channels.slack.allowFrom and/or channels.slack.channels.<id>.users.")
            .at(format!("{}.allowFrom", a.base())),
        );
    }
}

fn normalize_telegram(entry: &str) -> String {
    let e = entry.trim().to_ascii_lowercase();
    let e = e
        .strip_prefix("telegram:")
        .or_else(|| e.strip_prefix("tg:"))
        .unwrap_or(&e);
    e.trim().to_string()
}

fn is_telegram_id(e: &str) -> bool {
    let d = e.strip_prefix('-').unwrap_or(e);
    !d.is_empty() && d.chars().all(|c| c.is_ascii_digit())
}

fn telegram(
    a: &Account<'_>,
    group_policy: GroupPolicy,
    native_skills: bool,
    store: &[String],
    out: &mut Vec<Finding>,
) {
    let (groups, _) = a.pick(|c| c.groups.as_ref());
    let groups_configured = groups.is_some_and(|g| !g.is_empty());
    let possible = group_policy == GroupPolicy::Open
        || (group_policy == GroupPolicy::Allowlist && groups_configured);
    if !possible {
        return;
    }
    let mut invalid: Vec<String> = Vec::new();
    let mut note = |e: &str| {
        let n = normalize_telegram(e);
        if !n.is_empty() && n != "*" && !is_telegram_id(&n) && !invalid.contains(&n) {
            invalid.push(n);
        }
    };
    store.iter().for_each(|e| note(e));
    let (gaf, gaf_path) = a.pick(|c| c.group_allow_from.as_ref());
    let group_allow = ids_of(gaf);
    group_allow.iter().for_each(|e| note(e));
    ids_of(a.pick(|c| c.allow_from.as_ref()).0)
        .iter()
        .for_each(|e| note(e));
    let mut any_override = false;
    for g in groups.into_iter().flatten().map(|(_, g)| g) {
        let list = ids_of(g.allow_from.as_ref());
        list.iter().for_each(|e| note(e));
        if !list.is_empty() {
            any_override = true;
            continue;
        }
        for t in g.topics.iter().flatten().map(|(_, t)| t) {
            let tl = ids_of(t.allow_from.as_ref());
            tl.iter().for_each(|e| note(e));
            any_override |= !tl.is_empty();
        }
    }
    if !invalid.is_empty() {
        let examples: Vec<&str> = invalid.iter().take(5).map(String::as_str).collect();
        let more = if invalid.len() > 5 {
            format!(" (+{} more)", invalid.len() - 5)
        } else {
            String::new()
        };
        out.push(
            Finding::new(
                "channels.telegram.allowFrom.invalid_entries",
                Severity::Warn,
                "Telegram allowlist contains non-numeric entries",
                format!("Telegram sender authorization requires numeric Telegram user IDs. Found non-numeric allowFrom entries: {}{more}.", examples.join(", ")),
            )
            .remediation("Replace @username entries with numeric Telegram user IDs (use onboarding to resolve), then re-run the audit.")
            .at(format!("{}.allowFrom", a.base())),
        );
    }
    let store_star = store.iter().any(|e| e == "*");
    if store_star || group_allow.iter().any(|e| e == "*") {
        out.push(
            Finding::new(
                "channels.telegram.groups.allowFrom.wildcard",
                Severity::Critical,
                "Telegram group allowlist contains wildcard",
                "Telegram group sender allowlist contains \"*\", which allows any group member to run /… commands and control directives.",
            )
            .remediation("Remove \"*\" from channels.telegram.groupAllowFrom and pairing store; prefer explicit numeric Telegram user IDs.")
            .at(format!("{gaf_path}.groupAllowFrom")),
        );
        return;
    }
    if store.is_empty() && group_allow.is_empty() && !any_override {
        out.push(
            Finding::new(
                "channels.telegram.groups.allowFrom.missing",
                Severity::Critical,
                "Telegram group commands have no sender allowlist",
                format!(
                    "Telegram group access is enabled but no sender allowlist is configured; this allows any group member to invoke /… commands{}",
                    if native_skills { " (including skill commands)." } else { "." }
                ),
            )
            .remediation("Approve yourself via pairing (recommended), or set channels.telegram.groupAllowFrom (or per-group groups.<id>.allowFrom).")
            .at(format!("{}.groupAllowFrom", a.base())),
        );
    }
}

#[cfg(test)]
#[path = "channels_tests.rs"]
mod tests;
