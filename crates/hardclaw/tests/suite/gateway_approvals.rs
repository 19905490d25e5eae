//! Tool-call approvals over the operator WebSocket, end to end: the real binary, the scripted
//! model asking for `exec` under `tools.exec.ask: "always"` (host exec, `sandbox.mode: "off"`,
//! so the effect of an approved command is a file in the workspace), the operator answering
//! `approval_request` frames, and every decision in the store's decision log.

use futures_util::SinkExt;
use hardclaw_agent::scripted::ScriptedTurn;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::gateway::{Ws, next_frame, operator, request};
use super::gateway_agent::{ALICE_SESSION, Wire, World, alice_allowed, from_alice, world};

const TOKEN: &str = "sk-live-0123456789abcdefghij";
const OPERATOR_SESSION: &str = "agent:main:main";

/// Host exec that always asks.
fn asking_exec() -> Value {
    json!({
        "agents": {"defaults": {"sandbox": {"mode": "off"}}},
        "tools": {"exec": {"security": "allowlist", "ask": "always"}}
    })
}

fn workspace(w: &World) -> std::path::PathBuf {
    w.home.dir.path().join("ws")
}

/// The exec decisions of the log, as `decision rule` strings.
fn exec_decisions(w: &World, session: &str) -> Vec<String> {
    let store = hardclaw_store::Store::open(&w.home.state()).unwrap();
    store
        .decisions(1000)
        .unwrap()
        .into_iter()
        .filter(|d| d.tool.as_deref() == Some("exec") && d.session_key.as_deref() == Some(session))
        .map(|d| format!("{} {}", d.decision, d.rule))
        .collect()
}

async fn send_webchat(ws: &mut Ws, text: &str) {
    ws.send(Message::text(
        json!({"v": 1, "type": "send", "id": "m", "text": text}).to_string(),
    ))
    .await
    .unwrap();
}

/// Frames until one of `kind` (others are skipped).
async fn until(ws: &mut Ws, kind: &str) -> Value {
    loop {
        let f = next_frame(ws).await;
        if f["type"] == kind {
            return f;
        }
    }
}

/// Frames until the assistant's final message.
async fn final_reply(ws: &mut Ws) -> String {
    loop {
        let f = next_frame(ws).await;
        if f["type"] == "message" && f["role"] == "assistant" {
            return f["text"].as_str().unwrap().to_string();
        }
    }
}

#[tokio::test]
async fn the_operator_approves_one_call_and_denies_another() {
    let w = world(
        Wire::OpenAi,
        vec![
            ScriptedTurn::tool(
                "exec",
                json!({"command": format!("touch approved-marker && echo approved-ran {TOKEN}")}),
            ),
            ScriptedTurn::Text("done one".into()),
            ScriptedTurn::tool("exec", json!({"command": "touch denied-marker"})),
            ScriptedTurn::Text("done two".into()),
        ],
        json!({}),
        asking_exec(),
    )
    .await;
    let (mut ws, _) = operator(&w.gw).await;
    let (mut other, _) = operator(&w.gw).await;

    // Approve.
    send_webchat(&mut ws, "please run it").await;
    let asked = until(&mut ws, "approval_request").await;
    assert_eq!(asked["tool"], "exec", "{asked}");
    assert_eq!(asked["session"], OPERATOR_SESSION);
    assert_eq!(asked["agent"], "main");
    assert_eq!(asked["guard"], "exec-policy");
    assert_eq!(asked["rule"], "approval-required");
    assert_eq!(asked["reason"], "exec needs approval");
    assert!(asked["expires_at"].as_u64().unwrap() > 0);
    let id = asked["id"].as_str().unwrap().to_string();
    let command = asked["params"]["command"].as_str().unwrap();
    assert_eq!(
        command, "touch approved-marker && echo approved-ran <redacted>",
        "the operator sees the command with the secret masked"
    );
    assert!(!asked.to_string().contains(TOKEN));
    // Every operator socket sees the request, and the pending list has it.
    let seen = until(&mut other, "approval_request").await;
    assert_eq!(seen["id"], id.as_str());
    let listed = request(
        &mut other,
        json!({"v": 1, "type": "approvals_list"}),
        "approvals",
    )
    .await;
    assert_eq!(listed["requests"][0]["id"], id.as_str());
    // A socket that never authenticated cannot answer: it is closed on its first frame.
    let (mut stranger, _) = tokio_tungstenite::connect_async(w.gw.ws_url())
        .await
        .unwrap();
    stranger
        .send(Message::text(
            json!({"v": 1, "type": "approval_approve", "id": id}).to_string(),
        ))
        .await
        .unwrap();
    assert_eq!(
        super::gateway::next_close(&mut stranger).await,
        Some(CloseCode::Policy),
        "an unauthenticated socket is closed, not answered"
    );
    assert!(!workspace(&w).join("approved-marker").exists());
    // Unknown ids are errors.
    let err = request(
        &mut ws,
        json!({"v": 1, "type": "approval_approve", "id": "0123456789abcdef0123456789abcdef"}),
        "error",
    )
    .await;
    assert_eq!(err["code"], "approval_not_found");
    ws.send(Message::text(
        json!({"v": 1, "type": "approval_approve", "id": id}).to_string(),
    ))
    .await
    .unwrap();
    let resolved = until(&mut ws, "approval_resolved").await;
    assert_eq!(
        (resolved["id"].as_str(), resolved["outcome"].as_str()),
        (Some(id.as_str()), Some("approved"))
    );
    let resolved = until(&mut other, "approval_resolved").await;
    assert_eq!(
        resolved["outcome"], "approved",
        "broadcast to every operator"
    );
    assert_eq!(final_reply(&mut ws).await, "done one");
    assert!(
        workspace(&w).join("approved-marker").exists(),
        "the approved command ran"
    );
    let reqs = w.server.requests();
    assert!(
        reqs[1].body.to_string().contains("approved-ran"),
        "{}",
        reqs[1].body
    );
    // Answered already: a second answer is an error.
    let err = request(
        &mut ws,
        json!({"v": 1, "type": "approval_deny", "id": id}),
        "error",
    )
    .await;
    assert_eq!(err["code"], "approval_not_found");

    // Deny.
    send_webchat(&mut ws, "and this one").await;
    let asked = until(&mut ws, "approval_request").await;
    assert_eq!(asked["params"]["command"], "touch denied-marker");
    let id2 = asked["id"].as_str().unwrap().to_string();
    assert_ne!(id2, id);
    ws.send(Message::text(
        json!({"v": 1, "type": "approval_deny", "id": id2}).to_string(),
    ))
    .await
    .unwrap();
    let resolved = until(&mut ws, "approval_resolved").await;
    assert_eq!(resolved["outcome"], "denied");
    assert_eq!(final_reply(&mut ws).await, "done two");
    assert!(
        !workspace(&w).join("denied-marker").exists(),
        "a denied command ran"
    );
    let reqs = w.server.requests();
    assert!(
        reqs[3]
            .body
            .to_string()
            .contains("blocked by policy: exec-policy/approval-required:not-approved"),
        "{}",
        reqs[3].body
    );
    assert_eq!(
        exec_decisions(&w, OPERATOR_SESSION),
        [
            "ask approval-required",
            "allow approval-required:approved",
            "ask approval-required",
            "block approval-required:not-approved",
        ]
    );
    let listed = request(
        &mut ws,
        json!({"v": 1, "type": "approvals_list"}),
        "approvals",
    )
    .await;
    assert_eq!(listed["requests"], json!([]));
}

#[tokio::test]
async fn without_an_operator_the_call_is_denied_at_once() {
    let mut w = world(
        Wire::OpenAi,
        vec![
            ScriptedTurn::tool("exec", json!({"command": "touch unattended-marker"})),
            ScriptedTurn::Text("could not run it".into()),
        ],
        alice_allowed(),
        asking_exec(),
    )
    .await;
    from_alice(&w, "run something").await;
    // Denied at once: the reply comes within the receiver's 10 s wait, not after the
    // approval expiry (110 s).
    let (_, reply) = w.receiver.next().await;
    assert_eq!(reply["text"], "could not run it");
    assert!(!workspace(&w).join("unattended-marker").exists());
    assert_eq!(
        exec_decisions(&w, ALICE_SESSION),
        [
            "ask approval-required",
            "block approval-required:not-approved"
        ]
    );
}
