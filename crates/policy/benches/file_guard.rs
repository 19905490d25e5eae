//! One file-guard path check without I/O (`NoFilesystem`): target ≤ 2 µs.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use hardclaw_config::schema::Config;
use hardclaw_policy::file_guard::{FileGuard, Op};
use hardclaw_policy::{GuardEnv, GuardRequest, NoFilesystem};

fn env() -> GuardEnv {
    GuardEnv {
        home: "/Users/test".into(),
        state_dir: "/Users/test/.hardclaw".into(),
        config_path: "/Users/test/.hardclaw/hardclaw.json".into(),
        includes: vec!["/Users/test/.hardclaw/agents.json5".into()],
        workspace: Some("/Users/test/.hardclaw/workspace".into()),
    }
}

fn bench(c: &mut Criterion) {
    let guard = FileGuard::from_config(&Config::default(), &env(), None);
    let cwd = Path::new("/Users/test/project");
    c.bench_function("file_guard/check_path allowed", |b| {
        b.iter(|| {
            guard.check_path(
                black_box("src/components/button.tsx"),
                Op::Write,
                "write",
                cwd,
                None,
                &NoFilesystem,
            )
        })
    });
    c.bench_function("file_guard/check_path blocked", |b| {
        b.iter(|| {
            guard.check_path(
                black_box("../.ssh/id_rsa"),
                Op::Read,
                "read",
                cwd,
                None,
                &NoFilesystem,
            )
        })
    });
    let params = serde_json::json!({"file_path": "src/components/button.tsx"});
    c.bench_function("file_guard/check read request", |b| {
        b.iter(|| {
            let req = GuardRequest {
                tool: "read",
                params: black_box(&params),
                agent_id: None,
                session_key: None,
                cwd,
            };
            guard.check(&req, None, &NoFilesystem)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
