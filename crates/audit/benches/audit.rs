//! Full audit on the guide's recommended config: config load (JSON5, includes, `${VAR}`,
//! schema) + every non-deep check + the filesystem pass over a real state dir.
//! Target (issue): under 5 ms per audit.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;
use std::os::unix::fs::PermissionsExt;

use criterion::{Criterion, criterion_group, criterion_main};
use hardclaw_audit::{AuditContext, AuditOptions, run_audit};
use hardclaw_config::{EnvMap, Flavor, LoadOptions, Locations, load};

fn bench_full_audit(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join(".hardclaw");
    std::fs::create_dir_all(state.join("agents/main/agent")).expect("mkdir");
    std::fs::create_dir_all(state.join("credentials")).expect("mkdir");
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let config_path = state.join("hardclaw.json");
    let text = include_str!("../../../examples/guide/recommended.json5");
    std::fs::write(&config_path, text).expect("write");
    std::fs::set_permissions(&config_path, std::fs::Permissions::from_mode(0o600)).expect("chmod");

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
    let locations = Locations {
        flavor: Flavor::Hardclaw,
        home: dir.path().to_path_buf(),
        state_dir: state.clone(),
        config_path: config_path.clone(),
        credentials_dir: state.join("credentials"),
    };
    let opts = LoadOptions {
        env: env.clone(),
        ..LoadOptions::default()
    };

    c.bench_function("full_audit_recommended", |b| {
        b.iter(|| {
            let loaded = load(&config_path, &opts).expect("valid config");
            let ctx = AuditContext {
                loaded: &loaded,
                locations: &locations,
                env: &env,
                options: AuditOptions {
                    include_filesystem: true,
                    deep: false,
                    progress: None,
                },
            };
            black_box(run_audit(&ctx, 0))
        })
    });
    c.bench_function("config_load_recommended", |b| {
        b.iter(|| black_box(load(&config_path, &opts).expect("valid config")))
    });
}

criterion_group!(benches, bench_full_audit);
criterion_main!(benches);
