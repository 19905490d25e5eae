//! Effective tool set of the guide's recommended config's `main` agent (main session and a
//! sandboxed WhatsApp DM): context resolution, all layers, plugin registration and the decision
//! for every tool. Config loading is outside the measured loop.
// Bench setup fails loudly on errors, like a test.
#![allow(clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hardclaw_config::{EnvMap, LoadOptions, load_str};
use hardclaw_policy::{PluginTool, PolicyContext, resolve};

fn bench_resolve(c: &mut Criterion) {
    let env: EnvMap = [
        (
            "OPENCLAW_GATEWAY_TOKEN",
            "a-long-random-token-for-the-gateway-0123456789",
        ),
        ("BRAVE_API_KEY", "brave"),
        ("GOOGLE_CHAT_SERVICE_ACCOUNT_FILE", "/etc/x.json"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let text = include_str!("../../../examples/guide/recommended.json5");
    let opts = LoadOptions {
        env,
        ..LoadOptions::default()
    };
    let config = load_str(text, std::path::Path::new("/bench/hardclaw.json"), &opts)
        .expect("recommended config loads")
        .config;

    let main = PolicyContext::new("main");
    c.bench_function("tool_policy/recommended_main", |b| {
        b.iter(|| resolve(black_box(&config), black_box(&main)).expect("resolves"))
    });

    let dm = PolicyContext::new("main")
        .session("agent:main:whatsapp:direct:+46700000000")
        .sender("whatsapp", "+46700000000")
        .plugin_tool(PluginTool::new("image-gen", "image_generate"));
    c.bench_function("tool_policy/recommended_main_dm_sandboxed", |b| {
        b.iter(|| resolve(black_box(&config), black_box(&dm)).expect("resolves"))
    });
}

criterion_group!(benches, bench_resolve);
criterion_main!(benches);
