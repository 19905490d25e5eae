//! Analyse + check of a typical ~150-byte command (target ≤ 20 µs).

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use hardclaw_policy::GuardRequest;
use hardclaw_policy::command_guard::CommandGuard;
use hardclaw_policy::shell::{Limits, analyze};

const COMMAND: &str = "cd /work/project && git status --short | head -20; cargo test -p core --no-fail-fast 2>&1 | tail -n 40 && grep -rn \"TODO\" src/ | wc -l > /tmp/todo.txt";

fn bench(c: &mut Criterion) {
    let guard = CommandGuard::default();
    let params = serde_json::json!({ "command": COMMAND });
    let req = GuardRequest {
        tool: "exec",
        params: &params,
        agent_id: None,
        session_key: None,
        cwd: Path::new("/work/project"),
    };
    c.bench_function("analyze+check 150B", |b| {
        b.iter(|| {
            let facts = analyze(black_box(COMMAND), &Limits::default());
            black_box(guard.check(&req, &facts))
        })
    });
    let facts = analyze(COMMAND, &Limits::default());
    c.bench_function("check only", |b| {
        b.iter(|| black_box(guard.check(&req, black_box(&facts))))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
