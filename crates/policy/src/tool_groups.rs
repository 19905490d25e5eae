//! The tool catalogue: built-in tool names, aliases, `group:*` tables and profiles.
//!
//! Data-driven and versioned (reference `openclaw-runtime-security.md` §1.2–1.3, E2 = OpenClaw
//! 2026.2.19, the guide's pinned release). A later catalogue version is a new table, not an edit.

/// Version tag of the group table in use.
pub const TOOL_CATALOG_VERSION: &str = "openclaw-2026.2.19";

/// Every built-in tool hardclaw knows.
pub const BUILTIN_TOOLS: &[&str] = &[
    "read",
    "write",
    "edit",
    "apply_patch",
    "exec",
    "process",
    "web_search",
    "web_fetch",
    "browser",
    "canvas",
    "nodes",
    "cron",
    "gateway",
    "message",
    "agents_list",
    "sessions_list",
    "sessions_history",
    "sessions_send",
    "sessions_spawn",
    "subagents",
    "session_status",
    "memory_search",
    "memory_get",
    "image",
];

/// `group:*` membership (E2).
pub const TOOL_GROUPS: &[(&str, &[&str])] = &[
    ("group:memory", &["memory_search", "memory_get"]),
    ("group:web", &["web_search", "web_fetch"]),
    ("group:fs", &["read", "write", "edit", "apply_patch"]),
    ("group:runtime", &["exec", "process"]),
    (
        "group:sessions",
        &[
            "sessions_list",
            "sessions_history",
            "sessions_send",
            "sessions_spawn",
            "subagents",
            "session_status",
        ],
    ),
    ("group:ui", &["browser", "canvas"]),
    ("group:automation", &["cron", "gateway"]),
    ("group:messaging", &["message"]),
    ("group:nodes", &["nodes"]),
    (
        "group:openclaw",
        &[
            "browser",
            "canvas",
            "nodes",
            "cron",
            "message",
            "gateway",
            "agents_list",
            "sessions_list",
            "sessions_history",
            "sessions_send",
            "sessions_spawn",
            "subagents",
            "session_status",
            "memory_search",
            "memory_get",
            "web_search",
            "web_fetch",
            "image",
        ],
    ),
];

/// Profiles as implicit allow lists (`full` has none).
pub const PROFILES: &[(&str, &[&str])] = &[
    ("minimal", &["session_status"]),
    (
        "coding",
        &[
            "group:fs",
            "group:runtime",
            "group:sessions",
            "group:memory",
            "image",
        ],
    ),
    (
        "messaging",
        &[
            "group:messaging",
            "sessions_list",
            "sessions_history",
            "sessions_send",
            "session_status",
        ],
    ),
];

/// Tools non-owner senders never get (`OWNER_ONLY_TOOL_NAME_FALLBACKS`, E2; M adds `nodes`).
pub const OWNER_ONLY_TOOLS: &[&str] = &["whatsapp_login", "cron", "gateway"];

/// The sandbox layer's allow list when none is configured (E2; M adds `sessions_yield`).
pub const SANDBOX_DEFAULT_ALLOW: &[&str] = &[
    "exec",
    "process",
    "read",
    "write",
    "edit",
    "apply_patch",
    "image",
    "sessions_list",
    "sessions_history",
    "sessions_send",
    "sessions_spawn",
    "subagents",
    "session_status",
];

/// Built-in channel ids (`src/channels/registry.ts`, E2/M); each is also a default sandbox deny.
pub const CHANNEL_IDS: &[&str] = &[
    "telegram",
    "whatsapp",
    "discord",
    "irc",
    "googlechat",
    "slack",
    "signal",
    "imessage",
];

/// The sandbox layer's deny list when none is configured: these plus every [`CHANNEL_IDS`] entry.
pub const SANDBOX_DEFAULT_DENY: &[&str] = &["browser", "canvas", "nodes", "cron", "gateway"];

/// Denied in every subagent session (E2/M `resolveSubagentToolPolicy`).
pub const SUBAGENT_ALWAYS_DENY: &[&str] = &[
    "gateway",
    "agents_list",
    "whatsapp_login",
    "session_status",
    "cron",
    "memory_search",
    "memory_get",
    "sessions_send",
];

/// Also denied for leaf subagents (depth ≥ `agents.defaults.subagents.maxSpawnDepth`).
pub const SUBAGENT_LEAF_DENY: &[&str] = &["sessions_list", "sessions_history", "sessions_spawn"];

/// `agents.defaults.subagents.maxSpawnDepth` when unset.
pub const DEFAULT_MAX_SPAWN_DEPTH: u32 = 1;

/// Denied over the gateway's HTTP API (`/tools/invoke`) unless named in `gateway.tools.allow`.
pub const HTTP_DEFAULT_DENY: &[&str] = &[
    "sessions_spawn",
    "sessions_send",
    "gateway",
    "whatsapp_login",
];

/// Normalises a tool name: trim, lower-case, aliases (`bash` → `exec`, `apply-patch` → `apply_patch`).
pub fn normalize_tool_name(name: &str) -> String {
    let n = name.trim().to_ascii_lowercase();
    match n.as_str() {
        "bash" => "exec".to_string(),
        "apply-patch" => "apply_patch".to_string(),
        _ => n,
    }
}

/// Members of a group, if `name` is one.
pub fn group_members(name: &str) -> Option<&'static [&'static str]> {
    TOOL_GROUPS
        .iter()
        .find(|(g, _)| *g == name)
        .map(|(_, m)| *m)
}

/// Expands `group:*` entries (after normalising every entry); unknown groups stay as written.
pub fn expand_tool_groups<S: AsRef<str>>(entries: &[S]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in entries {
        let n = normalize_tool_name(e.as_ref());
        if n.is_empty() {
            continue;
        }
        let members: Vec<String> = match group_members(&n) {
            Some(m) => m.iter().map(|s| (*s).to_string()).collect(),
            None => vec![n],
        };
        for m in members {
            if !out.contains(&m) {
                out.push(m);
            }
        }
    }
    out
}

/// Whether `name` is a built-in (core) tool.
pub fn is_builtin(name: &str) -> bool {
    BUILTIN_TOOLS.contains(&name)
}

/// The implicit allow list of a profile (`None` for `full` or an unknown profile).
pub fn profile_allow(profile: &str) -> Option<&'static [&'static str]> {
    PROFILES
        .iter()
        .find(|(p, _)| *p == profile)
        .map(|(_, m)| *m)
}
