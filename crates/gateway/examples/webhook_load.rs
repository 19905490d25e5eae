//! Load benchmark (not a test) for the real `hardclaw` binary:
//!
//! * start-to-ready: spawn → `listening on` line on stderr, and → first `GET /health` 200;
//! * idle RSS of the gateway process (VmRSS) after ready, and after the load;
//! * accepted messages/second through `POST /channels/webhook/<account>` → signature check →
//!   replay cache → channel access control → session store (SQLite), counting only 202
//!   `delivered` answers.
//!
//! Run (release build first):
//!
//! ```text
//! cargo build --release -p hardclaw
//! cargo run --release -p hardclaw-gateway --example webhook_load -- \
//!     [--bin target/release/hardclaw] [--secs 10] [--conns 64] [--senders 100]
//! ```
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::Sha256;

const SECRET: &str = "bench-webhook-secret-0123456789";

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_string())
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn sign(ts: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(ts.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

fn main() {
    let bin = arg("--bin", "target/release/hardclaw");
    let secs: u64 = arg("--secs", "10").parse().unwrap();
    let conns: usize = arg("--conns", "64").parse().unwrap();
    let senders: usize = arg("--senders", "100").parse().unwrap();

    let home = tempfile::tempdir().unwrap();
    let state = home.path().join(".hardclaw");
    std::fs::create_dir(&state).unwrap();
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700)).unwrap();
    let config = serde_json::json!({
        "channels": {"webhook": {"accounts": {"bench": {
            "webhookSecret": SECRET, "dmPolicy": "open", "allowFrom": ["*"]
        }}}}
    });
    std::fs::write(state.join("hardclaw.json"), config.to_string()).unwrap();

    let started = Instant::now();
    let mut child = Command::new(&bin)
        .args(["gateway", "--port", "0"])
        .env_clear()
        .env("HOME", home.path())
        .env("HARDCLAW_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn hardclaw (build it with --release first)");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let port: u16 = loop {
        let line = lines.next().expect("gateway exited").unwrap();
        if let Some(p) = line.strip_prefix("hardclaw: listening on 127.0.0.1:") {
            break p.trim().parse().unwrap();
        }
    };
    let listening = started.elapsed();
    std::thread::spawn(move || for _ in lines {});
    let token = std::fs::read_to_string(state.join("gateway.token")).unwrap();
    let token = token.lines().next().unwrap().to_string();
    let pid = child.id();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let client = reqwest::Client::builder().no_proxy().pool_max_idle_per_host(conns).build().unwrap();
        let health = format!("http://127.0.0.1:{port}/health");
        let ready = loop {
            if let Ok(r) = client.get(&health).bearer_auth(&token).send().await
                && r.status() == 200
            {
                break started.elapsed();
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        };
        tokio::time::sleep(Duration::from_secs(1)).await;
        let idle_rss = rss_kib(pid);

        let url = format!("http://127.0.0.1:{port}/channels/webhook/bench");
        let delivered = Arc::new(AtomicU64::new(0));
        let other = Arc::new(AtomicU64::new(0));
        let deadline = Instant::now() + Duration::from_secs(secs);
        let load_start = Instant::now();
        let mut tasks = Vec::new();
        for c in 0..conns {
            let client = client.clone();
            let url = url.clone();
            let delivered = delivered.clone();
            let other = other.clone();
            tasks.push(tokio::spawn(async move {
                let mut n: u64 = 0;
                while Instant::now() < deadline {
                    n += 1;
                    let sender = format!("user{}", (c + n as usize) % senders);
                    let body = format!(r#"{{"sender":"{sender}","text":"message {c}-{n}"}}"#);
                    let ts = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
                    let sig = sign(ts, body.as_bytes());
                    let r = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .header("x-hardclaw-timestamp", ts.to_string())
                        .header("x-hardclaw-signature", sig)
                        .body(body)
                        .send()
                        .await;
                    match r {
                        Ok(r) if r.status() == 202 => {
                            let text = r.text().await.unwrap_or_default();
                            if text.contains("delivered") {
                                delivered.fetch_add(1, Ordering::Relaxed);
                            } else {
                                other.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        _ => {
                            other.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let elapsed = load_start.elapsed().as_secs_f64();
        let ok = delivered.load(Ordering::Relaxed);
        let bad = other.load(Ordering::Relaxed);
        let loaded_rss = rss_kib(pid);
        let db = std::fs::metadata(state.join("hardclaw.db")).map(|m| m.len()).unwrap_or(0);
        println!("start → listening line : {:.1} ms", listening.as_secs_f64() * 1e3);
        println!("start → /health 200    : {:.1} ms", ready.as_secs_f64() * 1e3);
        println!("idle RSS               : {:.1} MiB", idle_rss as f64 / 1024.0);
        println!(
            "webhook → access → store: {ok} delivered in {elapsed:.1} s = {:.0} msg/s ({bad} not delivered; {conns} connections, {senders} senders)",
            ok as f64 / elapsed
        );
        println!("RSS after load         : {:.1} MiB; hardclaw.db {:.1} MiB", loaded_rss as f64 / 1024.0, db as f64 / 1048576.0);
    });
    let _ = child.kill();
    let _ = child.wait();
}
