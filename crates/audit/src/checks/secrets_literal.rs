//! Check family `secrets_literal` (hardclaw beyond OpenClaw, reference
//! `openclaw-audit-checks.md` §7): secrets written literally in the config, i.e. neither a
//! `${VAR}` template nor a SecretRef object. OpenClaw only reports `gateway.auth.password` and
//! `hooks.token` (family `secrets`); this family covers the gateway token, remote-gateway
//! credentials, model provider keys and credential headers, channel tokens (channel and account
//! level), web tool keys, skill keys, the Gmail push token and secret-named variables in the
//! `env` block.
//!
//! Checks read `loaded.raw` (the document as written). A finding names the JSON path and the
//! length of the value, never the value. When the file holding the key (the config or the
//! `$include` it came from) is readable by group or others, the finding is critical: the secret is
//! already exposed to other local users. That escalation needs the filesystem and is skipped
//! when the run excludes it.

use std::path::PathBuf;

use serde_json::{Map, Value};

use super::fs_perms::inspect;
use crate::context::AuditContext;
use crate::finding::{Finding, Severity};

/// Channel keys that hold credentials (channel and account level).
const CHANNEL_SECRET_KEYS: &[&str] = &[
    "botToken",
    "token",
    "appToken",
    "userToken",
    "signingSecret",
    "webhookSecret",
    "serviceAccount",
];

/// Header names (lower-case) that carry credentials.
const CREDENTIAL_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
    "api-key",
    "apikey",
    "x-goog-api-key",
    "x-auth-token",
    "x-access-token",
];

/// Fragments of header or variable names that mark a credential.
const CREDENTIAL_NAME_PARTS: &[&str] = &[
    "token",
    "secret",
    "password",
    "passwd",
    "apikey",
    "api-key",
    "api_key",
    "credential",
    "private-key",
    "private_key",
];

/// Value prefixes of well-known credential formats.
const CREDENTIAL_VALUE_PREFIXES: &[&str] = &[
    "bearer ",
    "basic ",
    "token ",
    "sk-",
    "xoxb-",
    "xoxp-",
    "xapp-",
    "ghp_",
    "github_pat_",
    "glpat-",
    "akia",
    "aiza",
];

/// What kind of secret, for the check id, title and remediation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    GatewayToken,
    RemoteToken,
    RemotePassword,
    ModelKey,
    ChannelToken,
    WebSearchKey,
    WebFetchKey,
    GmailPushToken,
    SkillKey,
    EnvSecret,
    /// Anywhere else: a value shaped like a well-known token, or a URL with a password.
    TokenShaped,
}

impl Kind {
    fn check_id(self) -> &'static str {
        match self {
            Kind::GatewayToken => "config.secrets.gateway_token_in_config",
            Kind::RemoteToken => "config.secrets.gateway_remote_token_in_config",
            Kind::RemotePassword => "config.secrets.gateway_remote_password_in_config",
            Kind::ModelKey => "config.secrets.model_api_key_in_config",
            Kind::ChannelToken => "config.secrets.channel_token_in_config",
            Kind::WebSearchKey => "config.secrets.web_search_key_in_config",
            Kind::WebFetchKey => "config.secrets.web_fetch_key_in_config",
            Kind::GmailPushToken => "config.secrets.gmail_push_token_in_config",
            Kind::SkillKey => "config.secrets.skill_api_key_in_config",
            Kind::EnvSecret => "config.secrets.env_secret_in_config",
            Kind::TokenShaped => "config.secrets.token_shaped_value",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Kind::GatewayToken => "Gateway token is written in the config",
            Kind::RemoteToken => "Remote gateway token is written in the config",
            Kind::RemotePassword => "Remote gateway password is written in the config",
            Kind::ModelKey => "Model provider credential is written in the config",
            Kind::ChannelToken => "Channel credential is written in the config",
            Kind::WebSearchKey => "Web search API key is written in the config",
            Kind::WebFetchKey => "Web fetch API key is written in the config",
            Kind::GmailPushToken => "Gmail push token is written in the config",
            Kind::SkillKey => "Skill API key is written in the config",
            Kind::EnvSecret => "Secret-named variable is written in the config env block",
            Kind::TokenShaped => "A credential-shaped value is written in the config",
        }
    }
}

/// One literal secret found.
struct Site {
    kind: Kind,
    json_path: String,
    /// Characters of the value (objects: of their JSON text).
    len: usize,
    /// Suggested environment variable name for the remediation.
    var: String,
}

/// Appends this family's findings.
pub(super) fn collect(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let mut sites = Vec::new();
    scan(ctx, &ctx.loaded.raw, &mut sites);
    let mut generic = Vec::new();
    scan_shapes(&ctx.loaded.raw, "", &mut generic);
    for site in generic {
        if !sites.iter().any(|s| s.json_path == site.json_path) {
            sites.push(site);
        }
    }
    for site in sites {
        out.push(finding(ctx, &site));
    }
}

fn scan(ctx: &AuditContext<'_>, raw: &Value, sites: &mut Vec<Site>) {
    let token_var = ctx
        .locations
        .gateway_token_vars()
        .first()
        .copied()
        .unwrap_or("HARDCLAW_GATEWAY_TOKEN");
    check(
        sites,
        Kind::GatewayToken,
        "gateway.auth.token",
        get(raw, &["gateway", "auth", "token"]),
        token_var,
    );
    check(
        sites,
        Kind::RemoteToken,
        "gateway.remote.token",
        get(raw, &["gateway", "remote", "token"]),
        "HARDCLAW_REMOTE_TOKEN",
    );
    check(
        sites,
        Kind::RemotePassword,
        "gateway.remote.password",
        get(raw, &["gateway", "remote", "password"]),
        "HARDCLAW_REMOTE_PASSWORD",
    );

    for (id, provider) in entries(get(raw, &["models", "providers"])) {
        // A key for a server on this machine (Ollama's `"ollama-local"`) is a placeholder.
        if provider
            .get("baseUrl")
            .and_then(Value::as_str)
            .is_some_and(is_loopback_url)
        {
            continue;
        }
        let base = format!("models.providers.{id}");
        check(
            sites,
            Kind::ModelKey,
            &format!("{base}.apiKey"),
            provider.get("apiKey"),
            &var_name(&[id, "API_KEY"]),
        );
        for (name, value) in entries(provider.get("headers")) {
            if header_is_credential(name, value) {
                check(
                    sites,
                    Kind::ModelKey,
                    &format!("{base}.headers.{name}"),
                    Some(value),
                    &var_name(&[id, name]),
                );
            }
        }
    }

    for (name, channel) in entries(get(raw, &["channels"])) {
        let base = format!("channels.{name}");
        channel_keys(sites, &base, &[name], channel);
        for (acct, account) in entries(channel.get("accounts")) {
            channel_keys(
                sites,
                &format!("{base}.accounts.{acct}"),
                &[name, acct],
                account,
            );
        }
    }

    tools_keys(sites, "tools", get(raw, &["tools"]));
    tools_keys(
        sites,
        "agents.defaults.tools",
        get(raw, &["agents", "defaults", "tools"]),
    );
    if let Some(list) = get(raw, &["agents", "list"]).and_then(Value::as_array) {
        for (i, agent) in list.iter().enumerate() {
            tools_keys(
                sites,
                &format!("agents.list[{i}].tools"),
                agent.get("tools"),
            );
        }
    }

    check(
        sites,
        Kind::GmailPushToken,
        "hooks.gmail.pushToken",
        get(raw, &["hooks", "gmail", "pushToken"]),
        "GMAIL_PUSH_TOKEN",
    );

    for (id, skill) in entries(get(raw, &["skills", "entries"])) {
        check(
            sites,
            Kind::SkillKey,
            &format!("skills.entries.{id}.apiKey"),
            skill.get("apiKey"),
            &var_name(&[id, "API_KEY"]),
        );
        for (var, value) in entries(skill.get("env")) {
            if name_is_credential(var) {
                check(
                    sites,
                    Kind::SkillKey,
                    &format!("skills.entries.{id}.env.{var}"),
                    Some(value),
                    var,
                );
            }
        }
    }

    if let Some(env) = get(raw, &["env"]).and_then(Value::as_object) {
        for (var, value) in env {
            if var == "vars" || var == "shellEnv" {
                continue;
            }
            if name_is_credential(var) {
                check(
                    sites,
                    Kind::EnvSecret,
                    &format!("env.{var}"),
                    Some(value),
                    var,
                );
            }
        }
        for (var, value) in entries(env.get("vars")) {
            if name_is_credential(var) {
                check(
                    sites,
                    Kind::EnvSecret,
                    &format!("env.vars.{var}"),
                    Some(value),
                    var,
                );
            }
        }
    }
}

/// The generic pass: every string anywhere in the document that holds a well-known token
/// shape (`sk-…`, `ghp_…`, `xoxb-…`, `AKIA…`, `glpat-…`, a JWT) or a URL with a userinfo
/// password, whatever its key.
fn scan_shapes(value: &Value, path: &str, sites: &mut Vec<Site>) {
    match value {
        Value::String(s)
            if !has_env_ref(s)
                && (hardclaw_config::redact::looks_like_token(s)
                    || hardclaw_config::redact::url_has_password(s)) =>
        {
            let last = path.rsplit(['.', '[']).next().unwrap_or("SECRET");
            sites.push(Site {
                kind: Kind::TokenShaped,
                json_path: path.to_string(),
                len: s.chars().count(),
                var: var_name(&[last.trim_end_matches(']')]),
            });
        }
        Value::Object(map) => {
            for (k, v) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                scan_shapes(v, &p, sites);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                scan_shapes(v, &format!("{path}[{i}]"), sites);
            }
        }
        _ => {}
    }
}

fn channel_keys(sites: &mut Vec<Site>, base: &str, names: &[&str], channel: &Value) {
    for key in CHANNEL_SECRET_KEYS {
        let mut parts = names.to_vec();
        parts.push(key);
        check(
            sites,
            Kind::ChannelToken,
            &format!("{base}.{key}"),
            channel.get(*key),
            &var_name(&parts),
        );
    }
}

fn tools_keys(sites: &mut Vec<Site>, base: &str, tools: Option<&Value>) {
    let Some(tools) = tools else { return };
    let search = get(tools, &["web", "search"]);
    check(
        sites,
        Kind::WebSearchKey,
        &format!("{base}.web.search.apiKey"),
        search.and_then(|s| s.get("apiKey")),
        "BRAVE_API_KEY",
    );
    for sub in ["perplexity", "grok"] {
        check(
            sites,
            Kind::WebSearchKey,
            &format!("{base}.web.search.{sub}.apiKey"),
            search
                .and_then(|s| s.get(sub))
                .and_then(|s| s.get("apiKey")),
            &var_name(&[sub, "API_KEY"]),
        );
    }
    check(
        sites,
        Kind::WebFetchKey,
        &format!("{base}.web.fetch.firecrawl.apiKey"),
        get(tools, &["web", "fetch", "firecrawl", "apiKey"]),
        "FIRECRAWL_API_KEY",
    );
}

fn get<'v>(value: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(value, |v, k| v.get(*k))
}

fn entries(value: Option<&Value>) -> impl Iterator<Item = (&String, &Value)> {
    value
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(Map::iter)
}

fn check(sites: &mut Vec<Site>, kind: Kind, json_path: &str, value: Option<&Value>, var: &str) {
    if let Some(len) = value.and_then(literal_len) {
        sites.push(Site {
            kind,
            json_path: json_path.to_string(),
            len,
            var: var.to_string(),
        });
    }
}

/// The length of `value` when it is a secret written literally: a non-empty string without a
/// `${VAR}` reference, or an object that is not a SecretRef (an inline service-account JSON).
fn literal_len(value: &Value) -> Option<usize> {
    match value {
        Value::String(s) if !s.trim().is_empty() && !has_env_ref(s) => Some(s.chars().count()),
        Value::Object(map) if !map.is_empty() && !is_secret_ref(map) => {
            Some(value.to_string().chars().count())
        }
        _ => None,
    }
}

fn is_secret_ref(map: &Map<String, Value>) -> bool {
    matches!(
        map.get("source").and_then(Value::as_str),
        Some("env" | "file" | "exec")
    ) && map.get("id").is_some_and(Value::is_string)
}

/// True when `s` holds an unescaped `${NAME}` reference (`NAME` = `[A-Z_][A-Z0-9_]*`); `$${X}`
/// is a literal.
pub(super) fn has_env_ref(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'$' && bytes[i + 1] == b'$' {
            // `$$` escapes the next `${`; skip both dollars.
            i += 2;
            continue;
        }
        if bytes[i] == b'$' && bytes[i + 1] == b'{' {
            let rest = &s[i + 2..];
            if let Some(end) = rest.find('}') {
                let name = &rest[..end];
                let mut chars = name.chars();
                let valid = chars
                    .next()
                    .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
                    && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
                if valid {
                    return true;
                }
            }
        }
        i += 1;
    }
    false
}

/// `http://localhost:11434/v1`, `http://127.0.0.1:1234`, `http://[::1]:8080`.
fn is_loopback_url(url: &str) -> bool {
    let rest = url.trim().split_once("://").map_or(url.trim(), |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn name_is_credential(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    CREDENTIAL_NAME_PARTS.iter().any(|p| lower.contains(p))
        || lower.ends_with("_key")
        || lower.ends_with("-key")
        || lower == "key"
}

fn header_is_credential(name: &str, value: &Value) -> bool {
    let lower = name.to_ascii_lowercase();
    if CREDENTIAL_HEADERS.contains(&lower.as_str()) || name_is_credential(&lower) {
        return true;
    }
    value.as_str().is_some_and(|v| {
        let v = v.trim().to_ascii_lowercase();
        CREDENTIAL_VALUE_PREFIXES.iter().any(|p| v.starts_with(p))
    })
}

/// `OPENAI_API_KEY` from `["openai", "API_KEY"]`.
fn var_name(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts {
        let mut prev_lower = false;
        let mut piece = String::new();
        for c in part.chars() {
            if c.is_ascii_uppercase() && prev_lower {
                piece.push('_');
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            if c.is_ascii_alphanumeric() {
                piece.push(c.to_ascii_uppercase());
            } else {
                piece.push('_');
            }
        }
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(&piece);
    }
    let out = out.trim_matches('_').to_string();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{out}")
    } else {
        out
    }
}

/// The file the key at `json_path` was written in.
fn holding_file(ctx: &AuditContext<'_>, json_path: &str) -> PathBuf {
    ctx.loaded
        .origins
        .get(json_path)
        .map(|l| l.origin.file.clone())
        .unwrap_or_else(|| ctx.loaded.origin(json_path).file)
}

fn finding(ctx: &AuditContext<'_>, site: &Site) -> Finding {
    let file = holding_file(ctx, &site.json_path);
    let shown = ctx.locations.display(&file);
    let exposed = if ctx.options.include_filesystem {
        inspect(&file).filter(|p| p.readable_by_others())
    } else {
        None
    };
    let mut detail = format!(
        "`{}` in {shown} is a literal value ({} characters), not a `${{VAR}}` reference or a \
         SecretRef: it ends up in backups, diffs, screenshots and `config get` output.",
        site.json_path, site.len
    );
    let severity = match &exposed {
        Some(p) => {
            let who = if p.world_readable() {
                "every local user"
            } else {
                "members of the file's group"
            };
            detail.push_str(&format!(
                " {shown} has mode {}, so {who} can read it now.",
                p.mode_text()
            ));
            Severity::Critical
        }
        None => Severity::Warn,
    };
    let var = &site.var;
    let mut remediation = if site.kind == Kind::EnvSecret {
        format!(
            "Remove `{}` from the config and set {var} in the service environment or a 0600 \
             {}/.env file.",
            site.json_path,
            ctx.locations.display(&ctx.locations.state_dir)
        )
    } else {
        format!(
            "Set {var} in the environment and write \"${{{var}}}\" at `{}`, or use a SecretRef \
             {{\"source\": \"env\", \"id\": \"{var}\"}}; then rotate the old value.",
            site.json_path
        )
    };
    if exposed.is_some() {
        remediation.push_str(&format!(
            " Also run chmod 600 {}.",
            super::fs_perms::shell_path(ctx, &file)
        ));
    }
    Finding::new(site.kind.check_id(), severity, site.kind.title(), detail)
        .remediation(remediation)
        .at(site.json_path.clone())
}

#[cfg(test)]
mod tests;
