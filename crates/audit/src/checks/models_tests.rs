use serde_json::json;

use super::{collect, infer_param_b, is_claude_45_or_higher};
use crate::finding::Severity;
use crate::test_support::{Fixture, find, ids};

fn run(v: serde_json::Value) -> Vec<crate::finding::Finding> {
    Fixture::new(v).run(collect)
}

#[test]
fn claude_tier_parsing_fixes_the_openclaw_quirk() {
    assert!(is_claude_45_or_higher("anthropic/claude-sonnet-4-5"));
    assert!(is_claude_45_or_higher("anthropic/claude-opus-4-6"));
    assert!(is_claude_45_or_higher("claude-opus-4.5"));
    assert!(is_claude_45_or_higher("claude-sonnet-5"));
    // OpenClaw accepts these two (regex quirk); hardclaw does not.
    assert!(!is_claude_45_or_higher("claude-3-5-sonnet-20241022"));
    assert!(!is_claude_45_or_higher("claude-3-7-sonnet"));
    assert!(!is_claude_45_or_higher("claude-sonnet-4-20250514"));
    assert!(!is_claude_45_or_higher("claude-3-opus-20240229"));
}

#[test]
fn param_inference() {
    assert_eq!(infer_param_b("ollama/llama3.1:8b"), Some(8.0));
    assert_eq!(infer_param_b("qwen2.5-72b-instruct"), Some(72.0));
    assert_eq!(infer_param_b("mixtral-8x7b"), None);
    assert_eq!(infer_param_b("anthropic/claude-opus-4-6"), None);
}

#[test]
fn legacy_models() {
    let f = run(
        json!({"agents": {"defaults": {"model": {"primary": "openai/gpt-5", "fallbacks": ["openai/gpt-3.5-turbo"]}}}}),
    );
    let x = find(&f, "models.legacy");
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(
        x.json_path.as_deref(),
        Some("agents.defaults.model.fallbacks[0]")
    );
    assert!(
        x.detail
            .contains("- openai/gpt-3.5-turbo (GPT-3.5 family) @ agents.defaults.model.fallbacks")
    );
    let ok = run(json!({"agents": {"defaults": {"model": "openai/gpt-5.1"}}}));
    assert!(ids(&ok).is_empty());
}

#[test]
fn weak_tier_models() {
    let f = run(json!({"agents": {"list": [
        {"id": "a", "model": "anthropic/claude-opus-4-6"},
        {"id": "b", "model": "anthropic/claude-3-5-sonnet"}
    ]}}));
    let x = find(&f, "models.weak_tier");
    assert_eq!(x.severity, Severity::Warn);
    assert_eq!(x.json_path.as_deref(), Some("agents.list[1].model"));
    assert!(
        x.detail
            .contains("- anthropic/claude-3-5-sonnet (Below Claude 4.5) @ agents.list.b.model")
    );
    let haiku = run(json!({"agents": {"defaults": {"model": "anthropic/claude-haiku-4-5"}}}));
    assert!(
        find(&haiku, "models.weak_tier")
            .detail
            .contains("Haiku tier")
    );
    let gpt4 = run(json!({"agents": {"defaults": {"model": "openai/gpt-4o"}}}));
    assert!(
        find(&gpt4, "models.weak_tier")
            .detail
            .contains("Below GPT-5 family")
    );
}

#[test]
fn small_models_critical_with_web_and_info_when_locked_down() {
    let f = run(json!({"agents": {"defaults": {"model": "ollama/llama3.1:8b"}}}));
    let x = find(&f, "models.small_params");
    assert_eq!(x.severity, Severity::Critical);
    assert_eq!(x.json_path.as_deref(), Some("agents.defaults.model"));
    assert!(x.detail.contains("web_fetch"));
    let locked = run(json!({
        "agents": {"defaults": {"model": "ollama/llama3.1:8b", "sandbox": {"mode": "all"}}},
        "tools": {"deny": ["group:web", "browser"]}
    }));
    let y = find(&locked, "models.small_params");
    assert_eq!(y.severity, Severity::Info);
    // Image models are ignored.
    let img = run(json!({"agents": {"defaults": {"imageModel": "ollama/llava:7b"}}}));
    assert!(!ids(&img).contains(&"models.small_params"));
}

#[test]
fn web_search_key_in_env_enables_search_exposure() {
    let cfg = json!({
        "agents": {"defaults": {"model": "ollama/qwen2.5:14b", "sandbox": {"mode": "all"}}},
        "tools": {"sandbox": {"tools": {"allow": ["web_search", "web_fetch", "read"]}}, "deny": ["web_fetch", "browser"]}
    });
    let quiet = Fixture::new(cfg.clone()).run(collect);
    assert_eq!(find(&quiet, "models.small_params").severity, Severity::Info);
    let keyed = Fixture::new(cfg).env("BRAVE_API_KEY", "k").run(collect);
    let x = find(&keyed, "models.small_params");
    assert_eq!(x.severity, Severity::Critical);
    assert!(x.detail.contains("web_search"));
}
