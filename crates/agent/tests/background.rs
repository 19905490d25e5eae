//! Background `exec` and the `process` tool through the public [`ToolExecutor`], in the real
//! kernel sandbox (this test binary is the trampoline, as `hardclaw` is in the gateway) and on
//! the host (`sandbox.mode: "off"`): real processes, a real SQLite decision log, real guards.
//!
//! `harness = false`: the sandbox re-executes its own binary as a trampoline, so this binary
//! dispatches the trampoline argument first, then runs its cases and prints the standard
//! `N passed, N failed` line. Needs root-free user namespaces or root (as the sandbox does).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::panic
)]

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hardclaw_agent::{
    HostPaths, ProcessLimits, ProcessRegistry, SandboxBackend, ToolCall, ToolExecutor,
    ToolExecutorOptions, ToolLimits, ToolResult,
};
use hardclaw_config::Config;
use hardclaw_sandbox::SandboxInputs;
use hardclaw_store::Store;
use serde_json::{Value, json};

const MAIN: &str = "agent:main:main";
const PEER: &str = "agent:main:webchat:dm:peer";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Where {
    Sandbox,
    Host,
}

struct World {
    _dir: tempfile::TempDir,
    home: PathBuf,
    state: PathBuf,
    workspace: PathBuf,
    config: Arc<Config>,
    store: Arc<Mutex<Store>>,
    registry: Arc<ProcessRegistry>,
    trampoline: PathBuf,
}

fn merge(a: &mut Value, b: Value) {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k).or_insert(Value::Null), v);
            }
        }
        (a, b) => *a = b,
    }
}

fn world_with(at: Where, extra: Value, limits: ProcessLimits) -> World {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let state = home.join(".hardclaw");
    let workspace = home.join("ws");
    std::fs::create_dir_all(home.join(".ssh")).unwrap();
    std::fs::write(home.join(".ssh/id_rsa"), "PRIVATE-KEY-MATERIAL").unwrap();
    std::fs::create_dir_all(&state).unwrap();
    std::fs::create_dir_all(&workspace).unwrap();
    let workspace = std::fs::canonicalize(&workspace).unwrap();
    let mut cfg = match at {
        Where::Sandbox => json!({
            "agents": {"defaults": {"workspace": workspace.to_string_lossy(),
                                    "sandbox": {"mode": "all", "workspaceAccess": "rw"}},
                       "list": [{"id": "main", "default": true}]}
        }),
        Where::Host => json!({
            "agents": {"defaults": {"workspace": workspace.to_string_lossy(),
                                    "sandbox": {"mode": "off"}},
                       "list": [{"id": "main", "default": true}]},
            "tools": {"exec": {"security": "full", "ask": "off"}}
        }),
    };
    merge(&mut cfg, extra);
    let config = Arc::new(Config::from_value(&cfg).unwrap());
    let store = Arc::new(Mutex::new(Store::open(&state).unwrap()));
    World {
        _dir: dir,
        home,
        state,
        workspace,
        config,
        store,
        registry: Arc::new(ProcessRegistry::new(limits)),
        trampoline: std::env::current_exe().unwrap(),
    }
}

fn world(at: Where) -> World {
    world_with(at, json!({}), ProcessLimits::default())
}

impl World {
    fn executor(&self, session: &str) -> ToolExecutor {
        let backend = SandboxBackend::new(
            Arc::clone(&self.config),
            "main",
            Some(session.to_string()),
            SandboxInputs {
                state_dir: self.state.clone(),
                config_path: self.state.join("hardclaw.json"),
                home: self.home.clone(),
            },
            self.trampoline.clone(),
            vec![("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into())],
        );
        ToolExecutor::new(
            Arc::clone(&self.config),
            Arc::clone(&self.store),
            ToolExecutorOptions {
                agent_id: "main".into(),
                session_key: session.into(),
                paths: HostPaths {
                    home: self.home.clone(),
                    state_dir: self.state.clone(),
                    config_path: self.state.join("hardclaw.json"),
                    includes: vec![],
                },
                dns: None,
                approver: None,
                backend: Some(Arc::new(backend)),
                limits: ToolLimits {
                    exec_timeout: Duration::from_secs(20),
                    ..ToolLimits::default()
                },
                ..ToolExecutorOptions::default()
            },
        )
        .unwrap()
        .with_processes(Arc::clone(&self.registry))
    }

    /// `(decision, guard, rule)` of every logged decision for `tool`, oldest first.
    fn decisions(&self, tool: &str) -> Vec<(String, String, String)> {
        let s = self.store.lock().unwrap();
        let mut v: Vec<_> = s
            .decisions(10_000)
            .unwrap()
            .into_iter()
            .filter(|d| d.tool.as_deref() == Some(tool))
            .map(|d| (d.decision, d.guard, d.rule))
            .collect();
        v.reverse();
        v
    }
}

async fn call(ex: &ToolExecutor, tool: &str, args: Value) -> ToolResult {
    ex.run(&ToolCall {
        id: "c".into(),
        name: tool.into(),
        arguments: args,
    })
    .await
}

/// Starts `command` in the background and returns its id.
async fn start(ex: &ToolExecutor, command: &str) -> String {
    let r = call(ex, "exec", json!({"command": command, "background": true})).await;
    session_id(&r)
}

fn session_id(r: &ToolResult) -> String {
    assert!(!r.is_error, "{r:?}");
    assert!(r.content.starts_with("status: running\n"), "{r:?}");
    r.content
        .lines()
        .find_map(|l| l.strip_prefix("sessionId: "))
        .unwrap_or_else(|| panic!("no sessionId in {r:?}"))
        .to_string()
}

async fn process(ex: &ToolExecutor, args: Value) -> ToolResult {
    call(ex, "process", args).await
}

/// Polls until `done` holds for the text of all polls so far; returns that text.
async fn poll_until(ex: &ToolExecutor, id: &str, done: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut all = String::new();
    loop {
        let r = process(ex, json!({"action": "poll", "sessionId": id})).await;
        assert!(r.content.contains(&format!("sessionId: {id}")), "{r:?}");
        all.push_str(&r.content);
        if done(&all) {
            return all;
        }
        assert!(Instant::now() < deadline, "gave up polling; so far:\n{all}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Host pids whose command line contains `marker` (sandboxed processes are visible too).
fn processes_with(marker: &str) -> Vec<String> {
    let me = std::process::id().to_string();
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name == me {
            continue;
        }
        if let Ok(cmd) = std::fs::read(e.path().join("cmdline"))
            && String::from_utf8_lossy(&cmd).contains(marker)
        {
            found.push(name);
        }
    }
    found
}

async fn wait_for_processes(marker: &str, want_some: bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while processes_with(marker).is_empty() == want_some {
        assert!(
            Instant::now() < deadline,
            "{marker}: want running = {want_some}, found {:?}",
            processes_with(marker)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The stdout lines of a text of polls (everything under `[stdout]` headers).
fn polled_stdout(polls: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for l in polls.lines() {
        if l.starts_with('[') && l.ends_with(']') {
            inside = l == "[stdout]" || l == "[stdout so far]";
            continue;
        }
        if [
            "sessionId: ",
            "status: ",
            "runtime: ",
            "command: ",
            "Use the process tool",
        ]
        .iter()
        .any(|p| l.starts_with(p))
        {
            inside = false;
            continue;
        }
        if inside && !l.is_empty() {
            out.push(l.to_string());
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------

async fn output_is_polled_incrementally(at: Where) {
    let w = world(at);
    let ex = w.executor(MAIN);
    let started = call(
        &ex,
        "exec",
        json!({"command": "pwd; for i in 1 2 3 4 5; do echo tick$i; sleep 0.3; done; echo bye >&2",
               "background": true}),
    )
    .await;
    let id = session_id(&started);
    // Part of the output first, while it still runs (the start's preview may show some).
    let first = poll_until(&ex, &id, |t| t.contains("tick2")).await;
    assert!(first.contains("status: running"), "{first}");
    assert!(!first.contains("tick5"), "{first}");
    // Then only what is new, each line exactly once, to the end.
    let rest = poll_until(&ex, &id, |t| t.contains("status: exited 0")).await;
    let all = format!("{}\n{first}{rest}", started.content);
    // Where it ran: the sandbox's /workspace, or the workspace itself on the host.
    let here = match at {
        Where::Sandbox => "/workspace".to_string(),
        Where::Host => w.workspace.display().to_string(),
    };
    let ticks = polled_stdout(&all);
    assert_eq!(
        ticks,
        [here.as_str(), "tick1", "tick2", "tick3", "tick4", "tick5"],
        "{all}"
    );
    assert!(all.contains("[stderr]\nbye\n"), "{all}");
    // The whole output is still there for `log`.
    let log = process(
        &ex,
        json!({"action": "log", "sessionId": id, "stream": "stdout"}),
    )
    .await;
    let want = format!("[stdout] lines 0-6 of 6\n{here}\ntick1\ntick2\ntick3\ntick4\ntick5\n");
    assert!(log.content.contains(&want), "{log:?}");
    let listed = process(&ex, json!({"action": "list"})).await;
    assert!(
        listed.content.contains(&format!("{id}  exited 0")),
        "{listed:?}"
    );
    // Every process call went through the policy and is in the decision log.
    let logged = w.decisions("process");
    assert!(logged.len() >= 4, "{logged:?}");
    assert!(logged.iter().all(|(d, _, _)| d == "allow"), "{logged:?}");
}

async fn kill_ends_the_whole_process_group(at: Where) {
    let w = world(at);
    let ex = w.executor(MAIN);
    let marker = match at {
        Where::Sandbox => "987101",
        Where::Host => "987102",
    };
    let id = start(
        &ex,
        &format!("sleep {marker}1 & sleep {marker}2; echo never"),
    )
    .await;
    // (The sandbox's trampoline carries the command in its spec: its pid 1 is found too.)
    wait_for_processes(&format!("{marker}2"), true).await;
    let killed = process(&ex, json!({"action": "kill", "sessionId": id})).await;
    assert_eq!(
        killed.content,
        format!("killed {id} (killed)"),
        "{killed:?}"
    );
    // The background child is gone too: the group (sandbox: its pid namespace) was killed.
    wait_for_processes(marker, false).await;
    let polled = process(&ex, json!({"action": "poll", "sessionId": id})).await;
    assert!(polled.content.contains("status: killed"), "{polled:?}");
    assert!(!polled.content.contains("never"), "{polled:?}");
    // Kept for poll/log until cleared; clear forgets it.
    let cleared = process(&ex, json!({"action": "clear", "sessionId": id})).await;
    assert_eq!(cleared.content, format!("cleared {id}"));
    let gone = process(&ex, json!({"action": "poll", "sessionId": id})).await;
    assert_eq!(gone.content, format!("error: no such process: {id}"));
}

async fn the_wall_clock_limit_kills(at: Where) {
    let w = world(at);
    let ex = w.executor(MAIN);
    let marker = match at {
        Where::Sandbox => "987201",
        Where::Host => "987202",
    };
    let r = call(
        &ex,
        "exec",
        json!({"command": format!("sleep {marker}"), "background": true, "timeout": 1}),
    )
    .await;
    let id = session_id(&r);
    poll_until(&ex, &id, |t| {
        t.contains("status: killed (wall-clock limit reached)")
    })
    .await;
    wait_for_processes(marker, false).await;
}

async fn the_config_timeout_applies_to_background_commands(at: Where) {
    let w = world_with(
        at,
        json!({"tools": {"exec": {"timeoutSec": 1}}}),
        ProcessLimits::default(),
    );
    let ex = w.executor(MAIN);
    // A per-call timeout cannot raise the configured one.
    let r = call(
        &ex,
        "exec",
        json!({"command": "sleep 987301", "background": true, "timeout": 600}),
    )
    .await;
    let id = session_id(&r);
    poll_until(&ex, &id, |t| t.contains("wall-clock limit reached")).await;
    wait_for_processes("987301", false).await;
}

async fn yield_returns_the_result_when_done_in_time(at: Where) {
    let w = world(at);
    let ex = w.executor(MAIN);
    let r = call(
        &ex,
        "exec",
        json!({"command": "echo quick", "yieldMs": 10_000}),
    )
    .await;
    assert_eq!(r.content, "exit: 0\nquick\n", "{r:?}");
    assert!(!r.is_error);
    let failed = call(
        &ex,
        "exec",
        json!({"command": "echo oops >&2; exit 3", "yieldMs": 10_000}),
    )
    .await;
    assert_eq!(failed.content, "exit: 3\n\n[stderr]\noops\n", "{failed:?}");
    assert!(failed.is_error);
    // Finished within the yield: nothing left to manage.
    let listed = process(&ex, json!({"action": "list"})).await;
    assert_eq!(listed.content, "no background processes");
    // Still running after the yield: an id.
    let r = call(
        &ex,
        "exec",
        json!({"command": "echo started; sleep 987401", "yieldMs": 300}),
    )
    .await;
    let id = session_id(&r);
    assert!(r.content.contains("[stdout so far]\nstarted\n"), "{r:?}");
    // What the preview showed is not polled again.
    let p = process(&ex, json!({"action": "poll", "sessionId": id})).await;
    assert!(p.content.contains("(no new output)"), "{p:?}");
    process(&ex, json!({"action": "remove", "sessionId": id})).await;
    wait_for_processes("987401", false).await;
}

async fn a_plain_exec_is_backgrounded_after_background_ms(at: Where) {
    let w = world_with(
        at,
        json!({"tools": {"exec": {"backgroundMs": 300}}}),
        ProcessLimits::default(),
    );
    let ex = w.executor(MAIN);
    let quick = call(&ex, "exec", json!({"command": "echo fast"})).await;
    assert_eq!(quick.content, "exit: 0\nfast\n");
    let slow = call(&ex, "exec", json!({"command": "sleep 987501"})).await;
    let id = session_id(&slow);
    let removed = process(&ex, json!({"action": "remove", "sessionId": id})).await;
    assert_eq!(removed.content, format!("removed {id}"));
    wait_for_processes("987501", false).await;
}

async fn without_the_process_tool_exec_runs_in_the_foreground(at: Where) {
    let w = world_with(
        at,
        json!({"tools": {"deny": ["process"]}}),
        ProcessLimits::default(),
    );
    let ex = w.executor(MAIN);
    let r = call(
        &ex,
        "exec",
        json!({"command": "echo fg", "background": true}),
    )
    .await;
    assert_eq!(r.content, "exit: 0\nfg\n", "{r:?}");
    let p = process(&ex, json!({"action": "list"})).await;
    assert!(p.blocked, "{p:?}");
    assert_eq!(w.registry.len(), 0);
}

async fn caps_per_session_and_in_total(at: Where) {
    let w = world_with(
        at,
        json!({}),
        ProcessLimits {
            per_session: 2,
            total: 3,
            ..ProcessLimits::default()
        },
    );
    let (a, b) = (w.executor(MAIN), w.executor(PEER));
    let a1 = start(&a, "sleep 987601").await;
    start(&a, "sleep 987602").await;
    let third = call(
        &a,
        "exec",
        json!({"command": "sleep 987603", "background": true}),
    )
    .await;
    assert!(third.is_error);
    assert_eq!(
        third.content,
        "error: too many background processes in this session (2 running): kill or wait for one first"
    );
    start(&b, "sleep 987604").await;
    let over = call(
        &b,
        "exec",
        json!({"command": "sleep 987605", "background": true}),
    )
    .await;
    assert_eq!(
        over.content,
        "error: too many background processes on this gateway (3 running): try again later"
    );
    assert!(processes_with("987603").is_empty() && processes_with("987605").is_empty());
    // A finished command frees its slot.
    process(&a, json!({"action": "kill", "sessionId": a1})).await;
    start(&a, "sleep 987606").await;
    // A plain exec is not refused when the registry is full: it runs in the foreground.
    let fg = call(&a, "exec", json!({"command": "echo still-works"})).await;
    assert_eq!(fg.content, "exit: 0\nstill-works\n", "{fg:?}");
    drop((a, b));
    drop(w);
    wait_for_processes("98760", false).await;
}

async fn a_session_cannot_see_or_touch_another_sessions_processes(at: Where) {
    let w = world(at);
    let (a, b) = (w.executor(MAIN), w.executor(PEER));
    let id = start(&a, "while read l; do echo \"got:$l\"; done; sleep 987701").await;
    let nope = format!("error: no such process: {id}");
    for args in [
        json!({"action": "poll", "sessionId": id}),
        json!({"action": "log", "sessionId": id}),
        json!({"action": "write", "sessionId": id, "data": "from b\n"}),
        json!({"action": "kill", "sessionId": id}),
        json!({"action": "clear", "sessionId": id}),
        json!({"action": "remove", "sessionId": id}),
    ] {
        let r = process(&b, args.clone()).await;
        assert_eq!(r.content, nope, "{args}");
        assert!(r.is_error);
    }
    let listed = process(&b, json!({"action": "list"})).await;
    assert_eq!(listed.content, "no background processes");
    // Untouched: still running, and b's write never reached it.
    let p = process(&a, json!({"action": "poll", "sessionId": id})).await;
    assert!(p.content.contains("status: running"), "{p:?}");
    assert!(!p.content.contains("from b"), "{p:?}");
    // An id that never existed reads the same as another session's.
    let r = process(
        &b,
        json!({"action": "poll", "sessionId": "proc-0000000000000000"}),
    )
    .await;
    assert_eq!(r.content, "error: no such process: proc-0000000000000000");
    process(&a, json!({"action": "remove", "sessionId": id})).await;
}

async fn write_feeds_data_but_never_commands(at: Where) {
    let w = world(at);
    let ex = w.executor(MAIN);
    // Benign: a loop that echoes what it reads.
    let id = start(&ex, "while read l; do echo \"got:$l\"; done; echo done").await;
    let wrote = process(
        &ex,
        json!({"action": "write", "sessionId": id, "data": "hello world\n"}),
    )
    .await;
    assert_eq!(
        wrote.content,
        format!("wrote 12 bytes to {id}"),
        "{wrote:?}"
    );
    poll_until(&ex, &id, |t| t.contains("got:hello world")).await;

    // Attack: shell text that reads a credential, written to that same loop — the guards judge
    // `data` as shell text and block it before it is written.
    let attack = process(
        &ex,
        json!({"action": "write", "sessionId": id, "data": "cat ~/.ssh/id_rsa\n"}),
    )
    .await;
    assert!(attack.blocked, "{attack:?}");
    assert_eq!(attack.content, "blocked by policy: file-guard/credentials");
    // The benign neighbour after it goes through; the attack never reached the loop.
    process(
        &ex,
        json!({"action": "write", "sessionId": id, "data": "bye\n", "eof": true}),
    )
    .await;
    let rest = poll_until(&ex, &id, |t| t.contains("status: exited 0")).await;
    assert!(rest.contains("got:bye") && rest.contains("done"), "{rest}");
    assert!(
        !rest.contains("id_rsa") && !rest.contains("PRIVATE-KEY"),
        "{rest}"
    );

    // Attack: a shell that reads its script from stdin (`sh /dev/stdin`, like `sh -s`): the
    // command guard stops it before it starts (bypass_script_path_is_stdin).
    let sh = call(
        &ex,
        "exec",
        json!({"command": "sh /dev/stdin", "background": true}),
    )
    .await;
    assert_eq!(
        sh.content,
        "blocked by policy: command-guard/interactive-interpreter"
    );
    // `ed` runs `!cmd` lines: refused as well (not a program that reads plain data).
    let ed = start(&ex, "ed -s").await;
    let refused = process(
        &ex,
        json!({"action": "write", "sessionId": ed, "data": "!id\n"}),
    )
    .await;
    assert_eq!(refused.content, "blocked by policy: process/stdin-not-data");
    // A shell reading stdin directly is stopped by the command guard before it starts.
    let bare = call(&ex, "exec", json!({"command": "sh", "background": true})).await;
    assert_eq!(
        bare.content,
        "blocked by policy: command-guard/interactive-interpreter"
    );
    // Nothing ran.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!w.workspace.join("pwned.txt").exists());
    let decisions = w.decisions("process");
    assert!(
        decisions.contains(&("block".into(), "file-guard".into(), "credentials".into())),
        "{decisions:?}"
    );
    assert_eq!(
        decisions
            .iter()
            .filter(|d| d.1 == "process" && d.2 == "stdin-not-data" && d.0 == "block")
            .count(),
        1,
        "{decisions:?}"
    );
    for id in [ed] {
        process(&ex, json!({"action": "remove", "sessionId": id})).await;
    }
}

async fn dropping_the_registry_kills_everything(at: Where) {
    let w = world(at);
    let ex = w.executor(MAIN);
    let marker = match at {
        Where::Sandbox => "987801",
        Where::Host => "987802",
    };
    start(&ex, &format!("sleep {marker}1 & sleep {marker}2")).await;
    start(&ex, &format!("sleep {marker}3")).await;
    wait_for_processes(&format!("{marker}3"), true).await;
    wait_for_processes(&format!("{marker}1"), true).await;
    drop(ex);
    drop(w);
    wait_for_processes(marker, false).await;
}

async fn a_sandbox_that_cannot_start_refuses_and_never_runs_on_the_host() {
    let mut w = world(Where::Sandbox);
    w.trampoline = PathBuf::from("/nonexistent/hardclaw");
    let ex = w.executor(MAIN);
    let r = call(
        &ex,
        "exec",
        json!({"command": "touch ran.txt", "background": true}),
    )
    .await;
    assert!(r.is_error, "{r:?}");
    assert!(
        r.content
            .starts_with("error: sandbox refused: cannot start the sandbox trampoline"),
        "{r:?}"
    );
    // Also when the call would only have been auto-backgrounded: refused, not run elsewhere.
    let r = call(&ex, "exec", json!({"command": "touch ran.txt"})).await;
    assert!(r.content.starts_with("error: sandbox refused"), "{r:?}");
    assert!(!w.workspace.join("ran.txt").exists());
    assert_eq!(w.registry.len(), 0);
    let listed = process(&ex, json!({"action": "list"})).await;
    assert_eq!(listed.content, "no background processes");
}

async fn a_sandbox_plan_refusal_is_reported_before_anything_runs() {
    let w = world(Where::Sandbox);
    let ex = w.executor(MAIN);
    // The workspace disappears after the executor opened it: the sandbox cannot mount it.
    let moved = w.home.join("ws-moved");
    std::fs::rename(&w.workspace, &moved).unwrap();
    let r = call(
        &ex,
        "exec",
        json!({"command": "touch ran.txt", "background": true}),
    )
    .await;
    assert!(r.content.starts_with("error: sandbox refused"), "{r:?}");
    assert!(r.content.contains("workspace"), "{r:?}");
    assert!(!moved.join("ran.txt").exists() && !Path::new("ran.txt").exists());
    assert_eq!(w.registry.len(), 0);
}

// ---------------------------------------------------------------------------------------------

type Case = (String, Box<dyn Fn() -> Pin<Box<dyn Future<Output = ()>>>>);

fn both(name: &str, f: fn(Where) -> Pin<Box<dyn Future<Output = ()>>>) -> Vec<Case> {
    [Where::Sandbox, Where::Host]
        .into_iter()
        .map(|at| {
            let label = format!("{name}::{}", format!("{at:?}").to_lowercase());
            (label, Box::new(move || f(at)) as Box<dyn Fn() -> _>)
        })
        .collect()
}

fn main() -> ExitCode {
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == hardclaw_sandbox::TRAMPOLINE_ARG)
    {
        hardclaw_sandbox::trampoline::main();
    }
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut cases: Vec<Case> = Vec::new();
    cases.extend(both("output_is_polled_incrementally", |at| {
        Box::pin(output_is_polled_incrementally(at))
    }));
    cases.extend(both("kill_ends_the_whole_process_group", |at| {
        Box::pin(kill_ends_the_whole_process_group(at))
    }));
    cases.extend(both("the_wall_clock_limit_kills", |at| {
        Box::pin(the_wall_clock_limit_kills(at))
    }));
    cases.extend(both(
        "the_config_timeout_applies_to_background_commands",
        |at| Box::pin(the_config_timeout_applies_to_background_commands(at)),
    ));
    cases.extend(both("yield_returns_the_result_when_done_in_time", |at| {
        Box::pin(yield_returns_the_result_when_done_in_time(at))
    }));
    cases.extend(both(
        "a_plain_exec_is_backgrounded_after_background_ms",
        |at| Box::pin(a_plain_exec_is_backgrounded_after_background_ms(at)),
    ));
    cases.extend(both(
        "without_the_process_tool_exec_runs_in_the_foreground",
        |at| Box::pin(without_the_process_tool_exec_runs_in_the_foreground(at)),
    ));
    cases.extend(both("caps_per_session_and_in_total", |at| {
        Box::pin(caps_per_session_and_in_total(at))
    }));
    cases.extend(both(
        "a_session_cannot_see_or_touch_another_sessions_processes",
        |at| Box::pin(a_session_cannot_see_or_touch_another_sessions_processes(at)),
    ));
    cases.extend(both("write_feeds_data_but_never_commands", |at| {
        Box::pin(write_feeds_data_but_never_commands(at))
    }));
    cases.extend(both("dropping_the_registry_kills_everything", |at| {
        Box::pin(dropping_the_registry_kills_everything(at))
    }));
    cases.push((
        "a_sandbox_that_cannot_start_refuses_and_never_runs_on_the_host".into(),
        Box::new(|| Box::pin(a_sandbox_that_cannot_start_refuses_and_never_runs_on_the_host())),
    ));
    cases.push((
        "a_sandbox_plan_refusal_is_reported_before_anything_runs".into(),
        Box::new(|| Box::pin(a_sandbox_plan_refusal_is_reported_before_anything_runs())),
    ));
    let (mut passed, mut failed) = (0, 0);
    for (name, case) in cases {
        if filter.as_ref().is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rt.block_on(case())));
        match result {
            Ok(()) => {
                passed += 1;
                println!("test background::{name} ... ok");
            }
            Err(_) => {
                failed += 1;
                println!("test background::{name} ... FAILED");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
