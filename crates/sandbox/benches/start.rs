//! Sandbox start-to-exit overhead for `/bin/true` (a small timing harness; `cargo bench -p
//! hardclaw-sandbox`). The bench binary is its own trampoline: it dispatches
//! `__hardclaw-sandbox-trampoline` exactly like `hardclaw` does.
//!
//! Reported: the median and p95 wall time of a whole sandboxed run (spawn trampoline, unshare,
//! build the root, pivot, Landlock, seccomp, exec `/bin/true`, exit, reap), the same for a
//! plain `fork+exec` of `/bin/true`, and their difference (the sandbox's overhead).
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use hardclaw_sandbox::mounts::RealHost;
use hardclaw_sandbox::policy::build_spec;
use hardclaw_sandbox::{Limits, RunOptions, SandboxInputs, WorkspaceMode, resolve};

fn stats(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    (v[v.len() / 2], v[v.len() * 95 / 100])
}

fn main() {
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == hardclaw_sandbox::TRAMPOLINE_ARG)
    {
        hardclaw_sandbox::trampoline::main();
    }
    let inputs = SandboxInputs {
        state_dir: "/nonexistent/state".into(),
        config_path: "/nonexistent/state/hardclaw.json".into(),
        home: "/nonexistent".into(),
    };
    let config = hardclaw_config::schema::Config::default();
    let mut eff = resolve(&config, "main", None, &inputs);
    eff.workspace_access = WorkspaceMode::None;
    let limits = Limits::default();
    let spec = build_spec(
        &eff,
        &inputs,
        vec!["/bin/true".into()],
        &[],
        &limits,
        None,
        &RealHost,
    )
    .expect("spec");
    let opts = RunOptions {
        trampoline: std::env::current_exe().expect("exe"),
        timeout: Duration::from_secs(10),
        output_cap: 1 << 20,
        cancel: None,
        on_output: None,
        stdin: false,
    };
    let n = 200;
    for _ in 0..10 {
        let o = hardclaw_sandbox::run(&spec, &opts).expect("sandbox");
        assert_eq!(o.code, 0, "{o:?}");
    }
    let mut sandboxed = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let o = hardclaw_sandbox::run(&spec, &opts).expect("sandbox");
        sandboxed.push(t.elapsed());
        assert_eq!(o.code, 0);
    }
    let mut plain = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let s = std::process::Command::new("/bin/true")
            .output()
            .expect("true");
        plain.push(t.elapsed());
        assert!(s.status.success());
    }
    let (sm, sp) = stats(sandboxed);
    let (pm, pp) = stats(plain);
    println!("sandbox start-to-exit /bin/true: median {sm:?}, p95 {sp:?} (n={n})");
    println!("plain fork+exec /bin/true:       median {pm:?}, p95 {pp:?}");
    println!(
        "sandbox overhead (median):       {:?} (target ≤ 10 ms)",
        sm.saturating_sub(pm)
    );
}
