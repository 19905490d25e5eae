//! The agent's `exec` backend in the real kernel sandbox.
//!
//! `harness = false`: the sandbox re-executes its own binary as a trampoline, so this test
//! binary dispatches the trampoline argument first, exactly as `hardclaw`'s `main` does, then
//! runs its cases and prints the standard `N passed, N failed` line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use hardclaw_agent::{ExecBackend, ExecError, ExecRequest, SandboxBackend};
use hardclaw_config::Config;
use hardclaw_sandbox::SandboxInputs;
use serde_json::json;

struct World {
    _dir: tempfile::TempDir,
    home: std::path::PathBuf,
    workspace: std::path::PathBuf,
    backend: SandboxBackend,
}

fn world(access: &str) -> World {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let state = home.join(".hardclaw");
    let workspace = home.join("ws");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::create_dir_all(&workspace).unwrap();
    std::fs::create_dir_all(home.join(".ssh")).unwrap();
    std::fs::write(home.join(".ssh/id_rsa"), "PRIVATE-KEY-MATERIAL").unwrap();
    std::fs::write(state.join("gateway.token"), "STATE-DIR-TOKEN").unwrap();
    let config = Config::from_value(&json!({
        "agents": {"defaults": {"sandbox": {"mode": "all", "workspaceAccess": access}}}
    }))
    .unwrap();
    let inputs = SandboxInputs {
        state_dir: state.clone(),
        config_path: state.join("hardclaw.json"),
        home: home.clone(),
    };
    let env = vec![(
        "PATH".to_string(),
        "/usr/local/bin:/usr/bin:/bin".to_string(),
    )];
    let backend = SandboxBackend::new(
        Arc::new(config),
        "main",
        Some("agent:main:whatsapp:dm:+1555".to_string()),
        inputs,
        std::env::current_exe().unwrap(),
        env,
    );
    World {
        _dir: dir,
        home,
        workspace,
        backend,
    }
}

fn request(w: &World, command: &str) -> ExecRequest {
    ExecRequest {
        command: command.to_string(),
        cwd: w.workspace.clone(),
        env: BTreeMap::new(),
        timeout: Duration::from_secs(30),
        output_cap: 64 * 1024,
    }
}

async fn runs_in_the_workspace_as_an_unprivileged_user() {
    let w = world("rw");
    let out = w
        .backend
        .run(request(
            &w,
            "echo hello > out.txt && cat out.txt && id -u && pwd",
        ))
        .await
        .unwrap();
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(out.stdout, "hello\n1000\n/workspace\n", "{out:?}");
    // rw: the file is in the agent's workspace on the host.
    assert_eq!(
        std::fs::read_to_string(w.workspace.join("out.txt")).unwrap(),
        "hello\n"
    );
}

async fn cannot_read_home_or_state_dir() {
    let w = world("rw");
    let home = w.home.display().to_string();
    let cmd =
        format!("cat {home}/.ssh/id_rsa; cat {home}/.hardclaw/gateway.token; ls {home}; echo done");
    let out = w.backend.run(request(&w, &cmd)).await.unwrap();
    assert!(out.stdout.ends_with("done\n"), "{out:?}");
    assert!(!out.stdout.contains("PRIVATE-KEY-MATERIAL"), "{out:?}");
    assert!(!out.stdout.contains("STATE-DIR-TOKEN"), "{out:?}");
}

async fn read_only_workspace_refuses_writes() {
    let w = world("ro");
    std::fs::write(w.workspace.join("input.txt"), "data").unwrap();
    let out = w
        .backend
        .run(request(&w, "cat input.txt; echo x > new.txt; echo rc=$?"))
        .await
        .unwrap();
    assert!(out.stdout.starts_with("data"), "{out:?}");
    assert!(
        out.stdout.contains("rc=1") || out.stdout.contains("rc=2"),
        "{out:?}"
    );
    assert!(!w.workspace.join("new.txt").exists());
}

async fn no_network_but_the_proxy() {
    let w = world("rw");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let cmd = format!(
        "(exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null && echo connected || echo refused"
    );
    let out = w.backend.run(request(&w, &cmd)).await.unwrap();
    assert_eq!(out.stdout, "refused\n", "{out:?}");
    assert!(
        listener.accept().is_err(),
        "the host listener must see no connection"
    );
}

async fn a_missing_workspace_is_a_refusal_not_a_host_run() {
    let w = world("rw");
    let mut req = request(&w, "echo should-not-run");
    req.cwd = w.home.join("does-not-exist");
    match w.backend.run(req).await {
        Err(ExecError::Refused(reason)) => assert!(reason.contains("workspace"), "{reason}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn main() -> ExitCode {
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == hardclaw_sandbox::TRAMPOLINE_ARG)
    {
        hardclaw_sandbox::trampoline::main();
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    type Case = (
        &'static str,
        fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>,
    );
    let cases: Vec<Case> = vec![
        ("runs_in_the_workspace_as_an_unprivileged_user", || {
            Box::pin(runs_in_the_workspace_as_an_unprivileged_user())
        }),
        ("cannot_read_home_or_state_dir", || {
            Box::pin(cannot_read_home_or_state_dir())
        }),
        ("read_only_workspace_refuses_writes", || {
            Box::pin(read_only_workspace_refuses_writes())
        }),
        ("no_network_but_the_proxy", || {
            Box::pin(no_network_but_the_proxy())
        }),
        ("a_missing_workspace_is_a_refusal_not_a_host_run", || {
            Box::pin(a_missing_workspace_is_a_refusal_not_a_host_run())
        }),
    ];
    let (mut passed, mut failed) = (0, 0);
    for (name, case) in cases {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rt.block_on(case())));
        match result {
            Ok(()) => {
                passed += 1;
                println!("test sandbox_exec::{name} ... ok");
            }
            Err(_) => {
                failed += 1;
                println!("test sandbox_exec::{name} ... FAILED");
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
