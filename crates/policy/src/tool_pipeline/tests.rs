//! Reference vectors: every row of `openclaw-runtime-security.md` §1.10 (named `row_NN_…`), the
//! guide's §2.4 semantics (`guide_…`), and the guide's recommended topology.

use hardclaw_config::schema::Config;
use serde_json::json;

use super::*;
use crate::tool_groups::{expand_tool_groups, profile_allow};

fn cfg(v: serde_json::Value) -> Config {
    Config::from_value(&v).expect("valid config")
}

fn run(config: &Config, ctx: &PolicyContext) -> EffectiveTools {
    resolve(config, ctx).expect("context resolves")
}

fn main_of(v: serde_json::Value) -> EffectiveTools {
    run(&cfg(v), &PolicyContext::new("main"))
}

/// `(layer, entry)` of a removed tool; panics when it is allowed.
fn removed_by(eff: &EffectiveTools, tool: &str) -> (String, String) {
    let t = eff.get(tool).expect("tool listed");
    assert!(!t.allowed, "{tool} should be removed: {eff:#?}");
    (
        t.layer.clone().expect("layer"),
        t.entry.clone().expect("entry"),
    )
}

fn recommended() -> Config {
    let text = include_str!("../../../../examples/guide/recommended.json5");
    let env = [
        (
            "OPENCLAW_GATEWAY_TOKEN",
            "a-long-random-token-for-the-gateway-0123456789",
        ),
        ("BRAVE_API_KEY", "k"),
        ("GOOGLE_CHAT_SERVICE_ACCOUNT_FILE", "/x.json"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let opts = hardclaw_config::LoadOptions {
        env,
        ..hardclaw_config::LoadOptions::default()
    };
    hardclaw_config::load_str(text, std::path::Path::new("/r.json5"), &opts)
        .expect("recommended config loads")
        .config
}

// ---- §1.10 rows -------------------------------------------------------------------------------

#[test]
fn row_01_expand_groups_with_aliases() {
    let out = expand_tool_groups(&["group:runtime", "BASH", "apply-patch", "group:fs"]);
    for t in ["exec", "process", "apply_patch", "read", "write", "edit"] {
        assert!(out.contains(&t.to_string()), "{t} in {out:?}");
    }
    assert!(!out.contains(&"bash".to_string()));
}

#[test]
fn row_02_unknown_profile_is_no_policy() {
    // hardclaw's schema refuses an unknown profile at load; the catalogue has no policy for it.
    assert_eq!(profile_allow("nope"), None);
    assert!(Config::from_value(&json!({"tools": {"profile": "nope"}})).is_err());
}

#[test]
fn row_03_coding_profile_contains_group_fs() {
    assert!(
        profile_allow("coding")
            .expect("coding")
            .contains(&"group:fs")
    );
    let eff = main_of(json!({"tools": {"profile": "coding"}}));
    assert!(eff.is_allowed("read") && eff.is_allowed("exec"));
    assert_eq!(
        removed_by(&eff, "web_fetch"),
        ("tools.profile".into(), "not in profile `coding`".into())
    );
}

#[test]
fn row_04_allow_glob() {
    let eff = main_of(json!({"tools": {"allow": ["web_*"]}}));
    assert!(eff.is_allowed("web_fetch"));
    assert!(eff.is_allowed("web_search"));
    assert_eq!(
        removed_by(&eff, "read"),
        ("tools".into(), "not in allow list".into())
    );
}

#[test]
fn row_05_deny_glob() {
    let eff = main_of(json!({"tools": {"deny": ["web_*"]}}));
    assert_eq!(
        removed_by(&eff, "web_search"),
        ("tools".into(), "deny `web_*`".into())
    );
}

#[test]
fn row_06_deny_all() {
    let eff = main_of(json!({"tools": {"deny": ["*"]}}));
    assert!(eff.allowed().is_empty());
    assert_eq!(removed_by(&eff, "read").1, "deny `*`");
}

#[test]
fn row_07_apply_patch_rides_on_exec() {
    let eff = main_of(json!({"tools": {"allow": ["exec"]}}));
    assert!(eff.is_allowed("apply_patch"));
    assert!(!eff.is_allowed("write"));
}

#[test]
fn row_08_apply_patch_does_not_ride_on_write_in_e2() {
    let eff = main_of(json!({"tools": {"allow": ["write"]}}));
    assert!(!eff.is_allowed("apply_patch"));
}

#[test]
fn row_09_deny_list_leaves_the_rest() {
    let eff = main_of(json!({"tools": {"deny": ["browser", "exec", "write", "canvas"]}}));
    for t in ["browser", "exec", "write", "canvas"] {
        assert!(!eff.is_allowed(t), "{t}");
    }
    assert!(eff.is_allowed("sessions_spawn") && eff.is_allowed("read"));
}

#[test]
fn row_10_global_deny_beats_agent_allow() {
    let eff = main_of(json!({
        "tools": {"deny": ["exec"]},
        "agents": {"list": [{"id": "main", "tools": {"allow": ["exec"]}}]}
    }));
    assert_eq!(
        removed_by(&eff, "exec"),
        ("tools".into(), "deny `exec`".into())
    );
}

#[test]
fn row_11_plugin_only_allowlist_is_stripped_with_a_warning() {
    let c =
        cfg(json!({"agents": {"list": [{"id": "main", "tools": {"allow": ["my_plugin_tool"]}}]}}));
    let ctx = PolicyContext::new("main").plugin_tool(PluginTool::new("mine", "my_plugin_tool"));
    let eff = run(&c, &ctx);
    assert_eq!(eff.allowed().len(), crate::BUILTIN_TOOLS.len() + 1);
    assert!(eff.is_allowed("my_plugin_tool"));
    assert_eq!(
        eff.warnings,
        vec![
            "tools: agents.list[0].tools allowlist contains only plugin entries (my_plugin_tool). \
             Ignoring allowlist so core tools remain available. Use tools.alsoAllow for additive \
             plugin tool enablement."
                .to_string()
        ]
    );
}

#[test]
fn row_11_unknown_only_allowlist_is_stripped_too() {
    let eff = main_of(json!({"tools": {"allow": ["no_such_tool"]}}));
    assert!(eff.is_allowed("exec"));
    assert!(eff.warnings[0].starts_with(
        "tools: tools allowlist contains unknown entries (no_such_tool). Ignoring allowlist"
    ));
}

#[test]
fn row_12_optional_plugin_tool_needs_an_allow_list() {
    let ctx = PolicyContext::new("main").plugin_tool(PluginTool::new("p", "t").optional());
    let eff = run(&cfg(json!({})), &ctx);
    let t = eff.get("t").expect("listed");
    assert!(!t.allowed);
    assert_eq!(t.layer.as_deref(), Some("plugins"));
    assert_eq!(
        t.entry.as_deref(),
        Some("optional tool not named in any allow list")
    );
    assert_eq!(t.source, ToolSource::Plugin("p".into()));
    // `*` does not name it either.
    let eff = run(&cfg(json!({"tools": {"allow": ["*"]}})), &ctx);
    assert!(!eff.is_allowed("t"));
}

#[test]
fn row_13_optional_plugin_tool_exposed_by_group_plugins() {
    let ctx = PolicyContext::new("main").plugin_tool(PluginTool::new("p", "t").optional());
    let eff = run(
        &cfg(json!({"tools": {"allow": ["group:plugins", "read"]}})),
        &ctx,
    );
    assert!(eff.is_allowed("t") && eff.is_allowed("read"));
    assert!(!eff.is_allowed("exec"));
    // Named by plugin id.
    let eff = run(&cfg(json!({"tools": {"allow": ["p", "read"]}})), &ctx);
    assert!(eff.is_allowed("t"));
}

#[test]
fn row_14_deny_bash_denies_exec() {
    let eff = main_of(json!({"tools": {"deny": ["bash"]}}));
    assert_eq!(
        removed_by(&eff, "exec"),
        ("tools".into(), "deny `bash`".into())
    );
}

#[test]
fn row_15_sandbox_default_allow_drops_message() {
    let c = cfg(json!({"agents": {"list": [{
        "id": "main", "sandbox": {"mode": "all"}, "tools": {"allow": ["message", "exec"]}
    }]}}));
    let eff = run(&c, &PolicyContext::new("main"));
    assert_eq!(
        removed_by(&eff, "message"),
        (
            "tools.sandbox.tools".into(),
            "not in the default sandbox allow list".into()
        )
    );
    assert!(eff.is_allowed("exec"));
}

#[test]
fn row_16_sandbox_allow_gets_image_appended() {
    let c = cfg(json!({
        "agents": {"defaults": {"sandbox": {"mode": "all"}}},
        "tools": {"sandbox": {"tools": {"allow": ["read"]}}}
    }));
    let eff = run(&c, &PolicyContext::new("main"));
    assert_eq!(eff.allowed(), vec!["read", "image"]);
    // Unless image is denied.
    let c = cfg(json!({
        "agents": {"defaults": {"sandbox": {"mode": "all"}}},
        "tools": {"sandbox": {"tools": {"allow": ["read"], "deny": ["image"]}}}
    }));
    assert_eq!(run(&c, &PolicyContext::new("main")).allowed(), vec!["read"]);
}

#[test]
fn row_17_leaf_subagent_loses_sessions_spawn() {
    let eff = run(
        &cfg(json!({})),
        &PolicyContext::new("main").session("agent:main:subagent:abc"),
    );
    assert_eq!(
        removed_by(&eff, "sessions_spawn"),
        (
            "tools.subagents.tools".into(),
            "default deny `sessions_spawn` (leaf subagent: depth 1 ≥ \
             agents.defaults.subagents.maxSpawnDepth 1)"
                .into()
        )
    );
    assert_eq!(
        removed_by(&eff, "gateway").1,
        "default deny `gateway` (every subagent)"
    );
}

#[test]
fn row_18_orchestrator_subagent_keeps_sessions_spawn() {
    let c = cfg(json!({"agents": {"defaults": {"subagents": {"maxSpawnDepth": 2}}}}));
    let eff = run(
        &c,
        &PolicyContext::new("main").session("agent:main:subagent:abc"),
    );
    assert!(eff.is_allowed("sessions_spawn"));
    assert!(!eff.is_allowed("sessions_send"));
    // Deeper is stricter: depth 2 is a leaf.
    let mut ctx = PolicyContext::new("main").session("agent:main:subagent:abc");
    ctx.subagent_depth = Some(2);
    assert!(!run(&c, &ctx).is_allowed("sessions_spawn"));
}

#[test]
fn row_19_subagent_allow_does_not_lift_builtin_deny_in_e2() {
    let c = cfg(
        json!({"tools": {"subagents": {"tools": {"allow": ["memory_search", "memory_get", "read"]}}}}),
    );
    let eff = run(
        &c,
        &PolicyContext::new("main").session("agent:main:subagent:x"),
    );
    assert!(!eff.is_allowed("memory_search") && !eff.is_allowed("memory_get"));
    assert!(eff.is_allowed("read"));
    assert_eq!(
        removed_by(&eff, "exec"),
        ("tools.subagents.tools".into(), "not in allow list".into())
    );
}

#[test]
fn row_20_non_owner_loses_owner_only_tools() {
    let c = cfg(json!({"commands": {"ownerAllowFrom": ["+15550001"]}}));
    let mut ctx = PolicyContext::new("main").sender("whatsapp", "+15559999");
    let eff = run(&c, &ctx);
    for t in ["gateway", "cron"] {
        assert_eq!(
            removed_by(&eff, t),
            (
                "owner-only".into(),
                "owner-only tool; the sender is not an owner".into()
            )
        );
    }
    assert!(
        eff.is_allowed("nodes"),
        "E2 catalogue: nodes is not owner-only"
    );
    ctx.sender = Some("+15550001".into());
    assert!(run(&c, &ctx).is_allowed("gateway"));
    // whatsapp_login (a channel plugin tool) is owner-only too.
    let ctx = PolicyContext::new("main")
        .sender("whatsapp", "+15559999")
        .plugin_tool(PluginTool::new("whatsapp", "whatsapp_login"));
    assert_eq!(removed_by(&run(&c, &ctx), "whatsapp_login").0, "owner-only");
}

#[test]
fn row_21_elevated_disabled_names_the_enabled_gate() {
    let c =
        cfg(json!({"tools": {"elevated": {"enabled": false, "allowFrom": {"whatsapp": ["*"]}}}}));
    let eff = run(&c, &PolicyContext::new("main").sender("whatsapp", "+1555"));
    assert!(!eff.elevated.available);
    assert_eq!(
        eff.elevated.failing_gates,
        vec![ElevatedGate {
            gate: "enabled",
            key: "tools.elevated.enabled".into()
        }]
    );
    assert!(
        eff.elevated
            .error_message()
            .expect("message")
            .starts_with("elevated is not available right now (runtime=direct)")
    );
}

#[test]
fn row_22_elevated_allow_from_star() {
    let c =
        cfg(json!({"tools": {"elevated": {"enabled": true, "allowFrom": {"whatsapp": ["*"]}}}}));
    for sender in ["+1555", "+46700000000"] {
        let eff = run(&c, &PolicyContext::new("main").sender("whatsapp", sender));
        assert!(eff.elevated.available, "{sender}");
    }
    // Another channel is not covered by the whatsapp key, and the fallback list is empty.
    let eff = run(&c, &PolicyContext::new("main").sender("telegram", "1"));
    assert!(!eff.elevated.available);
    assert_eq!(eff.elevated.failing_gates[0].gate, "allowFrom");
}

// ---- Guide §2.4 semantics ---------------------------------------------------------------------

#[test]
fn guide_deny_beats_allow_at_the_same_level() {
    let eff = main_of(json!({"tools": {"allow": ["exec", "read"], "deny": ["exec"]}}));
    assert_eq!(removed_by(&eff, "exec").1, "deny `exec`");
    // OpenClaw gotcha kept on purpose (E2/M): `apply_patch` rides on `exec` being in the allow
    // list, even when `exec` itself is denied. Deny `apply_patch` (or `group:fs`) explicitly.
    assert_eq!(eff.allowed(), vec!["read", "apply_patch"]);
}

#[test]
fn guide_empty_allow_means_all_not_denied() {
    let eff = main_of(json!({"tools": {"allow": [], "deny": ["exec"]}}));
    assert_eq!(eff.allowed().len(), crate::BUILTIN_TOOLS.len() - 1);
}

#[test]
fn guide_profile_full_is_no_restriction() {
    let eff = main_of(json!({"tools": {"profile": "full"}}));
    assert_eq!(eff.allowed().len(), crate::BUILTIN_TOOLS.len());
    assert!(eff.layers.is_empty());
}

#[test]
fn guide_deny_group_ui_silently_removes_browser() {
    let eff = main_of(json!({"tools": {"deny": ["group:ui"]}}));
    assert_eq!(
        removed_by(&eff, "browser"),
        ("tools".into(), "deny `group:ui`".into())
    );
}

#[test]
fn guide_plugin_tools_allowed_unless_an_allow_list_excludes_them() {
    let ctx = PolicyContext::new("main").plugin_tool(PluginTool::new("acme", "acme_lookup"));
    assert!(run(&cfg(json!({"tools": {"deny": ["exec"]}})), &ctx).is_allowed("acme_lookup"));
    let eff = run(&cfg(json!({"tools": {"allow": ["read"]}})), &ctx);
    assert_eq!(
        removed_by(&eff, "acme_lookup"),
        ("tools".into(), "not in allow list".into())
    );
    // Deny by plugin id.
    let eff = run(&cfg(json!({"tools": {"deny": ["acme"]}})), &ctx);
    assert_eq!(removed_by(&eff, "acme_lookup").1, "deny `acme`");
}

#[test]
fn guide_http_api_denies_session_and_gateway_tools() {
    let mut ctx = PolicyContext::new("main");
    ctx.http = true;
    let eff = run(&cfg(json!({})), &ctx);
    for t in ["sessions_spawn", "sessions_send", "gateway"] {
        let (layer, entry) = removed_by(&eff, t);
        assert_eq!(layer, "gateway.http");
        assert!(entry.starts_with(&format!("default deny `{t}`")), "{entry}");
    }
    assert!(eff.is_allowed("sessions_list"));
    // gateway.tools.allow re-allows; gateway.tools.deny adds.
    let c = cfg(json!({"gateway": {"tools": {"allow": ["sessions_send"], "deny": ["exec"]}}}));
    let eff = run(&c, &ctx);
    assert!(eff.is_allowed("sessions_send"));
    assert!(!eff.is_allowed("sessions_spawn"));
    assert_eq!(
        removed_by(&eff, "exec"),
        (
            "gateway.http".into(),
            "deny `exec` (gateway.tools.deny)".into()
        )
    );
}

#[test]
fn guide_non_main_sandboxes_everything_but_the_main_key() {
    let c = cfg(json!({"agents": {"list": [{"id": "main", "sandbox": {"mode": "non-main"}}]}}));
    for (key, sandboxed) in [
        ("agent:main:main", false),
        ("agent:main:whatsapp:direct:+1555", true),
        ("agent:main:dm:+1555", true),
        ("agent:main:whatsapp:group:123@g.us", true),
        ("agent:main:cron:job:run:1", true),
        ("agent:main:subagent:1", true),
        ("hook:x", true),
    ] {
        let eff = run(&c, &PolicyContext::new("main").session(key));
        assert_eq!(eff.session.sandboxed, sandboxed, "{key}");
        assert_eq!(eff.is_allowed("web_fetch"), !sandboxed, "{key}");
    }
}

#[test]
fn guide_sandbox_layer_is_closed_and_ignores_also_allow() {
    let c = cfg(json!({
        "agents": {"defaults": {"sandbox": {"mode": "all"}}},
        "tools": {"sandbox": {"tools": {"alsoAllow": ["web_fetch"]}}}
    }));
    assert!(!run(&c, &PolicyContext::new("main")).is_allowed("web_fetch"));
}

// ---- Other layers -----------------------------------------------------------------------------

#[test]
fn provider_layers_use_model_then_provider_keys() {
    let c = cfg(json!({
        "tools": {"byProvider": {
            "OpenAI/GPT-5": {"deny": ["exec"]},
            "openai": {"profile": "minimal"}
        }},
        "agents": {"list": [{"id": "main", "model": "openai/gpt-5"}]}
    }));
    let eff = run(&c, &PolicyContext::new("main"));
    assert_eq!(
        removed_by(&eff, "exec"),
        (
            "tools.byProvider[\"OpenAI/GPT-5\"]".into(),
            "deny `exec`".into()
        )
    );
    assert!(eff.is_allowed("read"), "model key wins over provider key");
    let mut ctx = PolicyContext::new("main");
    ctx.provider = Some("openai".into());
    let eff = run(&c, &ctx);
    assert_eq!(eff.allowed(), vec!["session_status"]);
    assert_eq!(
        removed_by(&eff, "read").0,
        "tools.byProvider.openai.profile"
    );
}

#[test]
fn group_layer_by_sender_then_group_then_wildcard() {
    let c = cfg(json!({"channels": {"whatsapp": {
        "groups": {
            "123@g.us": {
                "tools": {"deny": ["exec"]},
                "toolsBySender": {"+1555": {"allow": ["read"]}}
            },
            "*": {"tools": {"deny": ["browser"]}}
        }
    }}}));
    let key = "agent:main:whatsapp:group:123@g.us";
    let eff = run(&c, &PolicyContext::new("main").session(key));
    assert_eq!(
        removed_by(&eff, "exec"),
        (
            "channels.whatsapp.groups[\"123@g.us\"].tools".into(),
            "deny `exec`".into()
        )
    );
    let mut ctx = PolicyContext::new("main").session(key);
    ctx.sender = Some("whatsapp:+1555".into());
    let eff = run(&c, &ctx);
    assert_eq!(eff.allowed(), vec!["read"]);
    let eff = run(
        &c,
        &PolicyContext::new("main").session("agent:main:whatsapp:group:999@g.us"),
    );
    assert_eq!(
        removed_by(&eff, "browser").0,
        "channels.whatsapp.groups[\"*\"].tools"
    );
}

#[test]
fn plugin_id_colliding_with_a_core_tool_is_refused() {
    let ctx = PolicyContext::new("main")
        .plugin_tool(PluginTool::new("exec", "run_anything"))
        .plugin_tool(PluginTool::new("evil", "read"))
        .plugin_tool(PluginTool::new("evil", "Bash"))
        .plugin_tool(PluginTool::new("a", "dup"))
        .plugin_tool(PluginTool::new("b", "dup"));
    let eff = run(&cfg(json!({})), &ctx);
    let plugin_entries: Vec<(&str, &str, String)> = eff
        .tools
        .iter()
        .filter(|t| t.source != ToolSource::Core)
        .map(|t| {
            (
                t.name.as_str(),
                t.entry.as_deref().unwrap_or("allowed"),
                t.source.to_string(),
            )
        })
        .collect();
    assert_eq!(
        plugin_entries,
        vec![
            ("dup", "allowed", "plugin:a".to_string()),
            (
                "run_anything",
                "plugin id `exec` conflicts with core tool name",
                "plugin:exec".to_string()
            ),
            (
                "read",
                "name conflicts with core tool `read`",
                "plugin:evil".to_string()
            ),
            (
                "bash",
                "name conflicts with core tool `exec`",
                "plugin:evil".to_string()
            ),
            (
                "dup",
                "name conflicts with plugin `a`",
                "plugin:b".to_string()
            ),
        ]
    );
    // The core `read` is untouched.
    assert!(eff.is_allowed("read"));
    assert_eq!(eff.warnings.len(), 4);
    assert_eq!(
        eff.warnings[0],
        "plugin `exec` blocked: plugin id conflicts with core tool name"
    );
}

#[test]
fn plugins_disabled_means_no_plugin_tools() {
    let ctx = PolicyContext::new("main").plugin_tool(PluginTool::new("p", "t"));
    let eff = run(&cfg(json!({"plugins": {"enabled": false}})), &ctx);
    assert_eq!(
        removed_by(&eff, "t"),
        ("plugins".into(), "plugins.enabled is false".into())
    );
}

#[test]
fn mixed_allowlist_is_kept_and_unknown_entries_warned() {
    let eff = main_of(json!({"tools": {"allow": ["read", "nope"]}}));
    assert_eq!(eff.allowed(), vec!["read"]);
    assert_eq!(
        eff.warnings,
        vec![
            "tools: tools allowlist contains unknown entries (nope). These entries won't match \
             any tool unless the plugin is enabled."
                .to_string()
        ]
    );
}

#[test]
fn unknown_agent_suggests_the_closest_id() {
    let c = recommended();
    let err = resolve(&c, &PolicyContext::new("serch")).expect_err("unknown");
    assert_eq!(
        err.to_string(),
        "unknown agent `serch` (did you mean `search`?); known agents: main, search"
    );
    let err = resolve(&c, &PolicyContext::new("main").session("agent:search:main"))
        .expect_err("mismatch");
    assert!(matches!(err, ContextError::SessionAgentMismatch { .. }));
}

#[test]
fn removed_tool_becomes_a_tool_policy_block() {
    let eff = main_of(json!({"tools": {"deny": ["exec"]}}));
    let d = eff.decision("exec");
    assert!(d.is_block());
    assert_eq!(d.guard, "tool-policy");
    assert_eq!(d.rule, "tools");
    assert_eq!(d.reason, "tool `exec` removed by tools: deny `exec`");
    assert!(!eff.decision("read").is_block());
    assert_eq!(eff.decision("nope").rule, "unknown-tool");
}

// ---- The guide's recommended topology ---------------------------------------------------------

#[test]
fn recommended_main_has_no_web_tools_and_names_its_deny() {
    let c = recommended();
    let eff = run(&c, &PolicyContext::new("main"));
    for t in ["web_search", "web_fetch"] {
        assert_eq!(
            removed_by(&eff, t),
            ("agents.list[0].tools".into(), format!("deny `{t}`"))
        );
    }
    assert_eq!(
        removed_by(&eff, "canvas"),
        ("tools".into(), "deny `canvas`".into())
    );
    assert_eq!(removed_by(&eff, "cron").1, "deny `group:automation`");
    assert_eq!(
        eff.allowed(),
        vec![
            "read",
            "write",
            "edit",
            "apply_patch",
            "exec",
            "process",
            "browser",
            "message",
            "sessions_list",
            "sessions_history",
            "sessions_send",
            "sessions_spawn",
            "subagents",
            "session_status",
            "memory_search",
            "memory_get",
        ]
    );
    assert!(!eff.elevated.available);
}

#[test]
fn recommended_main_dm_session_is_sandboxed() {
    let c = recommended();
    let eff = run(
        &c,
        &PolicyContext::new("main").session("agent:main:whatsapp:direct:+46700000000"),
    );
    assert!(eff.session.sandboxed);
    // The configured sandbox allow list re-admits message and memory; the default sandbox deny
    // list (not replaced) still removes browser.
    assert!(eff.is_allowed("message") && eff.is_allowed("memory_get"));
    assert_eq!(
        removed_by(&eff, "browser"),
        (
            "tools.sandbox.tools".into(),
            "default deny `browser`".into()
        )
    );
}

#[test]
fn recommended_search_has_only_web_and_two_session_tools() {
    let c = recommended();
    let eff = run(&c, &PolicyContext::new("search"));
    assert_eq!(
        eff.allowed(),
        vec!["web_search", "web_fetch", "sessions_send", "session_status"]
    );
    assert_eq!(
        removed_by(&eff, "exec"),
        ("agents.list[1].tools".into(), "deny `exec`".into())
    );
    assert_eq!(
        removed_by(&eff, "memory_get"),
        ("agents.list[1].tools".into(), "not in allow list".into())
    );
    assert!(!eff.session.sandboxed);
}

#[test]
fn owner_falls_back_to_the_channel_allow_from() {
    // §5.6: no commands.ownerAllowFrom → the channel's allowFrom (non-empty, no `*`) lists owners.
    let c = cfg(json!({"channels": {"whatsapp": {"allowFrom": ["+46700000000"]}}}));
    let owner = run(
        &c,
        &PolicyContext::new("main").sender("whatsapp", "+46700000000"),
    );
    assert!(owner.is_allowed("gateway"));
    let stranger = run(&c, &PolicyContext::new("main").sender("whatsapp", "+1555"));
    assert_eq!(removed_by(&stranger, "cron").0, "owner-only");
    // `*` in ownerAllowFrom makes everyone an owner.
    let c = cfg(json!({"commands": {"ownerAllowFrom": ["*"]}}));
    assert!(run(&c, &PolicyContext::new("main").sender("telegram", "9")).is_allowed("cron"));
}

#[test]
fn elevated_agent_allow_from_must_match_too() {
    let c = cfg(json!({
        "tools": {"elevated": {"enabled": true, "allowFrom": {"whatsapp": ["+1555", "+1666"]}}},
        "agents": {"list": [{"id": "main", "tools": {"elevated": {"allowFrom": {"whatsapp": ["+1555"]}}}}]}
    }));
    let ok = run(
        &c,
        &PolicyContext::new("main").sender("whatsapp", "whatsapp:+1555"),
    );
    assert!(ok.elevated.available);
    assert!(ok.warnings[0].starts_with("elevated mode is available"));
    let no = run(&c, &PolicyContext::new("main").sender("whatsapp", "+1666"));
    assert_eq!(
        no.elevated.failing_gates,
        vec![ElevatedGate {
            gate: "allowFrom",
            key: "agents.list[0].tools.elevated.allowFrom.whatsapp".into()
        }]
    );
}

#[test]
fn profile_also_allow_joins_the_profile_layer_only() {
    let c = cfg(
        json!({"agents": {"list": [{"id": "main", "tools": {"profile": "minimal", "alsoAllow": ["read"]}}]}}),
    );
    let eff = run(&c, &PolicyContext::new("main"));
    assert_eq!(eff.allowed(), vec!["read", "session_status"]);
    assert_eq!(
        removed_by(&eff, "exec"),
        (
            "agents.list[0].tools.profile".into(),
            "not in profile `minimal` or agents.list[0].tools.alsoAllow".into()
        )
    );
}

#[test]
fn elevated_is_off_unless_enabled_true() {
    // hardclaw's secure default (OpenClaw defaults `tools.elevated.enabled` on).
    let c = cfg(json!({"tools": {"elevated": {"allowFrom": {"whatsapp": ["*"]}}}}));
    let eff = run(&c, &PolicyContext::new("main").sender("whatsapp", "+1555"));
    assert!(!eff.elevated.available);
    assert_eq!(eff.elevated.failing_gates[0].gate, "enabled");
}
