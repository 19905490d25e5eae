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

/// The implicit allow list of a profile (`None` for `full` or an unknown profile).
pub fn profile_allow(profile: &str) -> Option<&'static [&'static str]> {
    PROFILES
        .iter()
        .find(|(p, _)| *p == profile)
        .map(|(_, m)| *m)
}
