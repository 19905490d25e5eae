//! The guide's Phase 3 verification checklist as one automated test, against a running
//! gateway (the real binary, real sockets, real state dir):
//!
//! 1. `security audit` reports 0 critical;
//! 2. `!echo test` is rejected (webhook and webchat);
//! 3. an unknown sender cannot reach the agent without pairing — and can after the operator
//!    approves the code;
//! 4. denied tools (`gateway`, `exec`, `process`) are not offered and are refused;
//! 5. files are 600 / 700;
//! 6. the gateway listens on loopback only.

use std::time::Duration;

use futures_util::SinkExt;
use hardclaw_agent::scripted::ScriptedTurn;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use super::common::mode;
use super::gateway::{next_frame, operator, webhook};
use super::gateway_agent::{KEY, Wire, world};

/// Local addresses listening on `port` (from `/proc/net/tcp` and `/proc/net/tcp6`).
fn listeners(port: u16) -> Vec<String> {
    let mut out = Vec::new();
    for (file, v6) in [("/proc/net/tcp", false), ("/proc/net/tcp6", true)] {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(state)) = (cols.get(1), cols.get(3)) else {
                continue;
            };
            let Some((addr, p)) = local.split_once(':') else {
                continue;
            };
            // 0A = LISTEN.
            if *state != "0A" || u16::from_str_radix(p, 16).ok() != Some(port) {
                continue;
            }
            out.push(if v6 {
                match addr {
                    "00000000000000000000000001000000" => "::1".to_string(),
                    "00000000000000000000000000000000" => "::".to_string(),
                    other => other.to_string(),
                }
            } else {
                let n = u32::from_str_radix(addr, 16).unwrap_or(0);
                std::net::Ipv4Addr::from(n.to_le_bytes()).to_string()
            });
        }
    }
    out
}

fn tool_names(body: &Value) -> Vec<String> {
    body["tools"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|t| t["function"]["name"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn the_guides_phase_3_checklist() {
    // The guide's Phase 3 posture: pairing DMs (the default), exec/process/gateway denied.
    let mut w = world(
        Wire::OpenAi,
        vec![],
        json!({}),
        json!({"tools": {"deny": ["gateway", "exec", "process"]}}),
    )
    .await;
    let state = w.home.state();

    // 1. The audit of this running install: no critical finding (exit 0 with --fail-on).
    let audit = w
        .home
        .cmd()
        .env("TEST_KEY", KEY)
        .args(["security", "audit", "--json", "--fail-on", "critical"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&audit.stdout).unwrap();
    assert_eq!(report["summary"]["critical"], 0, "{report:#}");
    assert_eq!(audit.status.code(), Some(0), "{report:#}");

    // 3. An unknown sender gets a pairing code, never the agent.
    let (_, b) = webhook(
        &w.gw,
        "acme",
        &json!({"sender": "mallory", "text": "hi, run ls for me"}),
    )
    .await;
    assert_eq!(b["status"], "pairing", "{b}");
    let (_, pairing) = w.receiver.next().await;
    assert_eq!(pairing["kind"], "pairing");
    let code = w
        .home
        .cmd()
        .args(["pairing", "list", "webhook", "--json"])
        .output()
        .unwrap();
    let pending: Value = serde_json::from_slice(&code.stdout).unwrap();
    let code = pending[0]["code"].as_str().unwrap().to_string();
    assert!(pairing["text"].as_str().unwrap().contains(&code));
    // A second message from the stranger is still not delivered.
    let (_, b) = webhook(
        &w.gw,
        "acme",
        &json!({"sender": "mallory", "text": "hello?"}),
    )
    .await;
    assert_eq!(b["status"], "pairing");
    assert!(w.server.requests().is_empty(), "the model was asked");
    // The operator approves; now the sender reaches the agent.
    let approved = w
        .home
        .cmd()
        .args(["pairing", "approve", "webhook", &code])
        .output()
        .unwrap();
    assert!(approved.status.success(), "{approved:?}");
    w.server.push(ScriptedTurn::Text("hello mallory".into()));
    let (_, b) = webhook(
        &w.gw,
        "acme",
        &json!({"sender": "mallory", "text": "hello again"}),
    )
    .await;
    assert_eq!(b["status"], "delivered", "{b}");
    let (_, reply) = w.receiver.next().await;
    assert_eq!(reply["text"], "hello mallory");

    // 2. `!echo test` is rejected, even from the now-paired sender, and on webchat.
    let (_, b) = webhook(
        &w.gw,
        "acme",
        &json!({"sender": "mallory", "text": "!echo test"}),
    )
    .await;
    assert_eq!(b["status"], "rejected", "{b}");
    let (_, rejected) = w.receiver.next().await;
    assert_eq!(rejected["kind"], "rejected");
    let (mut ws, _) = operator(&w.gw).await;
    ws.send(Message::text(
        json!({"v": 1, "type": "send", "id": "b1", "text": "!echo test"}).to_string(),
    ))
    .await
    .unwrap();
    let ack = loop {
        let f = next_frame(&mut ws).await;
        if f["type"] == "ack" {
            break f;
        }
    };
    assert_eq!(ack["status"], "rejected", "{ack}");
    assert_eq!(
        w.server.requests().len(),
        1,
        "no model call for the commands"
    );

    // 4. Denied tools: not offered, and refused when the model calls them anyway.
    w.server.push(ScriptedTurn::ToolCalls {
        text: String::new(),
        calls: vec![
            ("exec".into(), json!({"command": "ls"})),
            ("process".into(), json!({"action": "list"})),
            ("gateway".into(), json!({"action": "restart"})),
        ],
    });
    w.server
        .push(ScriptedTurn::Text("I may not do that".into()));
    let (_, b) = webhook(
        &w.gw,
        "acme",
        &json!({"sender": "mallory", "text": "run ls"}),
    )
    .await;
    assert_eq!(b["status"], "delivered");
    let (_, reply) = w.receiver.next().await;
    assert_eq!(reply["text"], "I may not do that");
    let reqs = w.server.requests();
    let offered = tool_names(&reqs[1].body);
    for denied in ["exec", "process", "gateway"] {
        assert!(
            !offered.iter().any(|t| t == denied),
            "{denied} offered: {offered:?}"
        );
    }
    assert!(offered.iter().any(|t| t == "read"), "{offered:?}");
    let results: Vec<String> = reqs[2].body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "tool")
        .map(|m| m["content"].as_str().unwrap().to_string())
        .collect();
    // exec and process: the global deny; gateway: hardclaw has no such tool at all.
    assert_eq!(
        results,
        [
            "blocked by policy: tool-policy/tools",
            "blocked by policy: tool-policy/tools",
            "blocked by policy: tool-policy/unknown-tool",
        ]
    );

    // 5. Files are 600 / 700.
    assert_eq!(mode(&state), 0o700);
    for f in ["hardclaw.json", "hardclaw.db", "gateway.token"] {
        assert_eq!(mode(&state.join(f)), 0o600, "{f}");
    }
    for f in ["hardclaw.db-wal", "hardclaw.db-shm"] {
        if state.join(f).exists() {
            assert_eq!(mode(&state.join(f)), 0o600, "{f}");
        }
    }
    let creds = state.join("credentials");
    assert_eq!(mode(&creds), 0o700);
    for entry in std::fs::read_dir(&creds).unwrap() {
        let p = entry.unwrap().path();
        assert_eq!(mode(&p), 0o600, "{}", p.display());
    }
    assert!(
        creds.join("webhook-allowFrom.json").exists()
            || creds.join("webhook-acme-allowFrom.json").exists()
    );

    // 6. Loopback only.
    let addrs = listeners(w.gw.port);
    assert!(
        !addrs.is_empty(),
        "no listener found for port {}",
        w.gw.port
    );
    for a in &addrs {
        assert!(
            a == "127.0.0.1" || a == "::1",
            "listening on {a}: {addrs:?}"
        );
    }

    // And nothing else was sent anywhere.
    assert!(w.receiver.nothing_for(Duration::from_millis(200)).await);
}
