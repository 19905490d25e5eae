//! The Control UI in headless Chromium, driven over the Chrome DevTools protocol: log in with the
//! token, send a message, approve a pairing request; with a (scripted) model, watch a reply
//! stream in and approve or deny the agent's tool calls. Needs `chromium` (`.ci/run` installs it);
//! outside CI the test is skipped when the browser is missing.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use super::common::Home;
use super::gateway::{Receiver, Ws, start, webhook, webhook_config};
use super::gateway_agent::{Wire, world};
use hardclaw_agent::scripted::ScriptedTurn;

struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn chromium() -> Option<String> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH")?
                .to_str()?
                .split(':')
                .map(|d| std::path::Path::new(d).join(name))
                .find(|p| p.is_file())
                .map(|p| p.display().to_string())
        })
}

/// Starts headless Chromium; returns it and its DevTools browser WebSocket URL.
fn launch(bin: &str) -> (Browser, String) {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--remote-debugging-port=0",
            "--remote-debugging-address=127.0.0.1",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("about:blank")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn chromium");
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let url = loop {
        let line = lines.next().expect("chromium exited").expect("read");
        if let Some(i) = line.find("ws://") {
            break line[i..].trim().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (
        Browser {
            child,
            _profile: profile,
        },
        url,
    )
}

/// A CDP connection attached to one page (flat session mode).
struct Cdp {
    ws: Ws,
    next_id: u64,
    session: Option<String>,
}

impl Cdp {
    async fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = &self.session {
            msg["sessionId"] = json!(s);
        }
        self.ws.send(Message::text(msg.to_string())).await.unwrap();
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(20), self.ws.next())
                .await
                .expect("CDP reply in time")
                .expect("CDP open")
                .expect("CDP frame");
            if let Message::Text(t) = frame {
                let v: Value = serde_json::from_str(t.as_str()).unwrap();
                if v["id"] == id {
                    assert!(v.get("error").is_none(), "{method}: {v}");
                    return v["result"].clone();
                }
            }
        }
    }

    /// Evaluates an expression in the page and returns its value.
    async fn eval(&mut self, expr: &str) -> Value {
        let r = self
            .call(
                "Runtime.evaluate",
                json!({"expression": expr, "returnByValue": true, "awaitPromise": true}),
            )
            .await;
        r["result"]["value"].clone()
    }

    /// Polls `expr` until it is `true`.
    async fn wait_for(&mut self, expr: &str, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if self.eval(expr).await == json!(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let body = self.eval("document.body.innerText").await;
        panic!("timed out waiting for {what}; page text: {body}");
    }
}

/// Headless Chromium with one page at `url`, attached over CDP.
async fn open_page(bin: &str, url: &str) -> (Browser, Cdp) {
    let (browser, devtools) = launch(bin);
    let (ws, _) = tokio_tungstenite::connect_async(&devtools)
        .await
        .expect("devtools");
    let mut cdp = Cdp {
        ws,
        next_id: 0,
        session: None,
    };
    let target = cdp.call("Target.createTarget", json!({"url": url})).await;
    let attached = cdp
        .call(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        )
        .await;
    cdp.session = Some(attached["sessionId"].as_str().unwrap().to_string());
    cdp.call("Runtime.enable", json!({})).await;
    cdp.wait_for(
        "document.readyState === 'complete' && !!document.getElementById('login-form')",
        "the login page",
    )
    .await;
    (browser, cdp)
}

/// Logs in with the token and waits for the app.
async fn login(cdp: &mut Cdp, token: &str) {
    cdp.eval(&format!(
        "document.getElementById('token').value = {}; document.getElementById('login-button').click(); true",
        json!(token)
    ))
    .await;
    cdp.wait_for("document.getElementById('status').textContent === 'connected' && !document.getElementById('app').hidden", "login").await;
}

/// The chromium binary, or `None` (then the test is skipped; never in CI).
fn chromium_or_skip() -> Option<String> {
    let bin = chromium();
    if bin.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is required in CI"
        );
    }
    bin
}

#[tokio::test]
async fn control_ui_login_send_and_approve_pairing() {
    let Some(bin) = chromium_or_skip() else {
        eprintln!("skipping: chromium not installed");
        return;
    };
    let home = Home::new();
    let mut receiver = Receiver::start().await;
    home.write_config(&webhook_config(receiver.port, json!({})));
    let gw = start(&home);
    // A stranger writes on the webhook channel: a pairing request for the operator.
    let (status, body) = webhook(&gw, "acme", &json!({"sender": "stranger", "text": "hi"})).await;
    assert_eq!((status, body["status"].as_str()), (202, Some("pairing")));
    let (_, reply) = receiver.next().await;
    let code = reply["text"]
        .as_str()
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Pairing code: "))
        .unwrap()
        .to_string();

    let (_browser, mut cdp) = open_page(&bin, &gw.url("/")).await;
    login(&mut cdp, &gw.token).await;
    // The token is in memory only.
    assert_eq!(
        cdp.eval("localStorage.length + sessionStorage.length + document.cookie.length")
            .await,
        json!(0)
    );
    assert_eq!(
        cdp.eval("document.getElementById('token').value").await,
        json!("")
    );
    // Scripts and styles loaded under the CSP (the stylesheet applies).
    assert_eq!(
        cdp.eval("getComputedStyle(document.querySelector('header')).display")
            .await,
        json!("flex")
    );

    // Send a message.
    cdp.eval("document.getElementById('message').value = 'hello from the browser'; document.getElementById('send-button').click(); true").await;
    cdp.wait_for(
        "document.getElementById('messages').innerText.includes('hello from the browser')",
        "the sent message",
    )
    .await;
    cdp.wait_for(
        "document.getElementById('messages').innerText.includes('No agent is configured')",
        "the no-agent notice",
    )
    .await;

    // The latest audit, on demand: a default install has no critical finding.
    cdp.eval("document.getElementById('run-audit').click(); true")
        .await;
    cdp.wait_for(
        "document.getElementById('audit-summary').textContent.startsWith('0 critical')",
        "the audit summary",
    )
    .await;

    // Approve the pending pairing request.
    cdp.wait_for(
        &format!("!!document.querySelector('#pairing li[data-code=\"{code}\"] button.approve')"),
        "the pairing request",
    )
    .await;
    cdp.eval(&format!(
        "document.querySelector('#pairing li[data-code=\"{code}\"] button.approve').click(); true"
    ))
    .await;
    cdp.wait_for(
        &format!(
            "document.getElementById('messages').innerText.includes('pairing {code}: approved')"
        ),
        "the approval",
    )
    .await;
    cdp.wait_for(
        "document.querySelectorAll('#pairing li').length === 0",
        "the emptied pairing list",
    )
    .await;

    // The approved sender's next message is delivered.
    let (status, body) = webhook(
        &gw,
        "acme",
        &json!({"sender": "stranger", "text": "hello again"}),
    )
    .await;
    assert_eq!((status, body["status"].as_str()), (202, Some("delivered")));
    cdp.wait_for(
        "document.getElementById('messages').innerText.includes('hello again')",
        "the delivered message event",
    )
    .await;
}

/// Sends a webchat message from the page.
async fn send_from_page(cdp: &mut Cdp, text: &str) {
    cdp.eval(&format!(
        "document.getElementById('message').value = {}; document.getElementById('send-button').click(); true",
        json!(text)
    ))
    .await;
}

const PAGE_TOKEN: &str = "sk-live-0123456789abcdefghij";

#[tokio::test]
async fn control_ui_streams_replies_and_answers_tool_call_approvals() {
    let Some(bin) = chromium_or_skip() else {
        eprintln!("skipping: chromium not installed");
        return;
    };
    let w = world(
        Wire::OpenAi,
        vec![
            ScriptedTurn::tool(
                "exec",
                json!({"command": format!("touch browser-approved && echo ok {PAGE_TOKEN}")}),
            ),
            ScriptedTurn::Text("approved and done, streamed to the page".into()),
            ScriptedTurn::tool("exec", json!({"command": "touch browser-denied"})),
            ScriptedTurn::Text("denied, so nothing ran".into()),
        ],
        json!({}),
        json!({
            "agents": {"defaults": {"sandbox": {"mode": "off"}}},
            "tools": {"exec": {"security": "allowlist", "ask": "always"}}
        }),
    )
    .await;
    let workspace = w.home.dir.path().join("ws");
    let (_browser, mut cdp) = open_page(&bin, &w.gw.url("/")).await;
    login(&mut cdp, &w.gw.token).await;
    cdp.wait_for(
        "!document.getElementById('approvals-empty').hidden",
        "the empty approvals list",
    )
    .await;
    // Record whether a reply was ever shown while it streamed.
    cdp.eval(
        "window.sawStreaming = false; new MutationObserver(() => { \
           if (document.querySelector('#messages li.streaming')) window.sawStreaming = true; \
         }).observe(document.getElementById('messages'), {childList: true, subtree: true}); true",
    )
    .await;

    // Approve.
    send_from_page(&mut cdp, "run the first command").await;
    cdp.wait_for(
        "!!document.querySelector('#approvals li button.approve')",
        "the approval request",
    )
    .await;
    let shown = cdp
        .eval("document.querySelector('#approvals li').innerText")
        .await;
    let shown = shown.as_str().unwrap();
    assert!(shown.contains("exec"), "{shown}");
    assert!(shown.contains("exec needs approval"), "{shown}");
    assert!(
        shown.contains("touch browser-approved && echo ok <redacted>"),
        "{shown}"
    );
    assert!(!shown.contains(PAGE_TOKEN), "{shown}");
    assert!(!workspace.join("browser-approved").exists());
    cdp.eval("document.querySelector('#approvals li button.approve').click(); true")
        .await;
    cdp.wait_for(
        "document.getElementById('messages').innerText.includes('approval exec: approved')",
        "the approval outcome",
    )
    .await;
    cdp.wait_for(
        "document.getElementById('messages').innerText.includes('approved and done, streamed to the page')",
        "the final reply",
    )
    .await;
    assert!(
        workspace.join("browser-approved").exists(),
        "the approved command ran"
    );
    assert_eq!(cdp.eval("window.sawStreaming").await, json!(true));
    assert_eq!(
        cdp.eval("document.querySelectorAll('#messages li.streaming').length")
            .await,
        json!(0),
        "the streamed text is replaced by the final message"
    );
    assert_eq!(
        cdp.eval("document.querySelectorAll('#approvals li').length")
            .await,
        json!(0)
    );

    // Deny.
    send_from_page(&mut cdp, "run the second command").await;
    cdp.wait_for(
        "!!document.querySelector('#approvals li button.deny')",
        "the second approval request",
    )
    .await;
    cdp.eval("document.querySelector('#approvals li button.deny').click(); true")
        .await;
    cdp.wait_for(
        "document.getElementById('messages').innerText.includes('approval exec: denied')",
        "the denial",
    )
    .await;
    cdp.wait_for(
        "document.getElementById('messages').innerText.includes('denied, so nothing ran')",
        "the reply after the denial",
    )
    .await;
    assert!(
        !workspace.join("browser-denied").exists(),
        "a denied command ran"
    );
    // The page still runs under the strict CSP: no inline code was needed.
    assert_eq!(
        cdp.eval("getComputedStyle(document.querySelector('#approvals-empty')).display")
            .await,
        json!("block")
    );
}
