//! Cost of the new built-ins' own work, excluding the model: `memory_search` over a memory
//! directory (list, read, chunk, BM25), `apply_patch` validation of a multi-hunk patch (parse,
//! contained read, apply in memory, probes — nothing written), and the `apply_patch` policy
//! step (`ToolExecutor::check`: parse, containment, tool policy, file guard).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use hardclaw_agent::tools::memory::{self, MemoryLimits};
use hardclaw_agent::tools::patch::{self, PatchLimits};
use hardclaw_agent::tools::workspace::Workspace;
use hardclaw_agent::{Checked, HostPaths, ToolCall, ToolExecutor, ToolExecutorOptions};
use hardclaw_config::{LoadOptions, load_str};
use hardclaw_store::Store;
use serde_json::json;

const WORDS: &[&str] = &[
    "billing",
    "postgres",
    "migration",
    "standup",
    "tea",
    "grace",
    "ada",
    "deploy",
    "review",
    "invoice",
    "backup",
    "kernel",
    "sandbox",
    "release",
    "meeting",
    "budget",
];

fn line(i: usize) -> String {
    (0..8)
        .map(|k| WORDS[(i * 7 + k * 3) % WORDS.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    let ws = Workspace::open(&root, dir.path()).unwrap();
    for f in 0..200 {
        let text: String = (0..50).map(|i| line(f * 50 + i) + "\n").collect();
        ws.write(&format!("memory/2024/{f:03}.md"), text.as_bytes())
            .unwrap();
    }
    let params = json!({"query": "postgres billing migration", "maxResults": 6});
    let limits = MemoryLimits::default();
    c.bench_function("memory_search/200_files_x_50_lines", |b| {
        b.iter(|| black_box(memory::search(&ws, black_box(&params), &limits).unwrap()))
    });

    let big: String = (0..2000).map(|i| format!("line {i}\n")).collect();
    ws.write("src/big.txt", big.as_bytes()).unwrap();
    let mut input = String::from("*** Begin Patch\n*** Update File: src/big.txt\n");
    for h in 0..10 {
        let at = h * 190 + 50;
        input.push_str(&format!(
            "@@\n line {}\n-line {}\n+LINE {}\n line {}\n",
            at - 1,
            at,
            at,
            at + 1
        ));
    }
    input.push_str("*** Add File: notes/new.md\n+hello\n*** End Patch\n");
    let plimits = PatchLimits {
        max_input_bytes: 1 << 20,
        max_file_bytes: 1 << 20,
    };
    c.bench_function("apply_patch/plan_2000_lines_10_hunks", |b| {
        b.iter(|| black_box(patch::plan(&ws, black_box(&input), plimits).unwrap()))
    });

    let text = json!({"tools": {"exec": {"applyPatch": {"enabled": true}}},
                      "agents": {"defaults": {"workspace": root.to_string_lossy(), "sandbox": {"mode": "off"}},
                                 "list": [{"id": "main", "default": true}]}})
    .to_string();
    let cfg = dir.path().join("hardclaw.json");
    let loaded = load_str(&text, &cfg, &LoadOptions::default()).unwrap();
    let store = Arc::new(Mutex::new(Store::open(dir.path()).unwrap()));
    let exec = ToolExecutor::new(
        Arc::new(loaded.config),
        store,
        ToolExecutorOptions {
            agent_id: "main".into(),
            session_key: "agent:main:main".into(),
            paths: HostPaths {
                home: dir.path().to_path_buf(),
                state_dir: dir.path().to_path_buf(),
                config_path: cfg,
                includes: vec![],
            },
            ..ToolExecutorOptions::default()
        },
    )
    .unwrap();
    let call = ToolCall {
        id: "c1".into(),
        name: "apply_patch".into(),
        arguments: json!({ "input": input }),
    };
    assert!(matches!(exec.check(&call), Checked::Allow(_)));
    c.bench_function("apply_patch/check_policy_step", |b| {
        b.iter(|| black_box(exec.check(black_box(&call))))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
