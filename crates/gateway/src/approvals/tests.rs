use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::*;

fn ask(tool: &str) -> ApprovalAsk {
    ApprovalAsk {
        agent: "main".into(),
        session: "agent:main:main".into(),
        tool: tool.into(),
        params: json!({"command": "echo hi sk-live-0123456789abcdefghij"}),
        guard: "exec-policy".into(),
        rule: "approval-required".into(),
        reason: "exec needs approval".into(),
    }
}

async fn next_request(rx: &mut broadcast::Receiver<ServerFrame>) -> ApprovalView {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
            Ok(Ok(ServerFrame::ApprovalRequest(v))) => return v,
            Ok(Ok(_)) => continue,
            other => panic!("no approval request: {other:?}"),
        }
    }
}

async fn next_resolved(rx: &mut broadcast::Receiver<ServerFrame>) -> (String, Outcome) {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
            Ok(Ok(ServerFrame::ApprovalResolved { id, outcome })) => return (id, outcome),
            Ok(Ok(_)) => continue,
            other => panic!("no resolution: {other:?}"),
        }
    }
}

#[tokio::test]
async fn nobody_connected_is_an_immediate_no_and_nothing_is_published() {
    let hub = ApprovalHub::new(Duration::from_secs(60));
    let mut rx = hub.events().subscribe();
    // Answered without waiting for the 60 s expiry.
    let answer = tokio::time::timeout(Duration::from_secs(5), hub.ask(ask("exec"))).await;
    assert_eq!(answer, Ok(false));
    assert!(rx.try_recv().is_err());
    assert!(hub.pending().is_empty());
}

#[tokio::test]
async fn approve_and_deny_by_id_with_redacted_params() {
    let hub = Arc::new(ApprovalHub::new(Duration::from_secs(60)));
    let _op = hub.operator_connected();
    let mut rx = hub.events().subscribe();
    for approve in [true, false] {
        let waiter = tokio::spawn({
            let hub = hub.clone();
            async move { hub.ask(ask("exec")).await }
        });
        let view = next_request(&mut rx).await;
        assert_eq!(view.id.len(), 32);
        assert_eq!(
            view.params["command"], "echo hi <redacted>",
            "secrets never reach the operator frame"
        );
        assert_eq!(hub.pending(), vec![view.clone()]);
        assert_eq!(hub.decide("not-an-id", true), Err(UnknownApproval));
        let want = if approve {
            Outcome::Approved
        } else {
            Outcome::Denied
        };
        assert_eq!(hub.decide(&view.id, approve), Ok(want));
        assert_eq!(waiter.await.unwrap(), approve);
        assert_eq!(next_resolved(&mut rx).await, (view.id.clone(), want));
        // Answered once: a second answer is refused.
        assert_eq!(hub.decide(&view.id, true), Err(UnknownApproval));
        assert!(hub.pending().is_empty());
    }
}

#[tokio::test]
async fn silence_expires_into_a_denial() {
    let hub = Arc::new(ApprovalHub::new(Duration::from_millis(100)));
    let _op = hub.operator_connected();
    let mut rx = hub.events().subscribe();
    let waiter = tokio::spawn({
        let hub = hub.clone();
        async move { hub.ask(ask("exec")).await }
    });
    let view = next_request(&mut rx).await;
    assert!(!waiter.await.unwrap());
    assert_eq!(
        next_resolved(&mut rx).await,
        (view.id.clone(), Outcome::Expired)
    );
    assert_eq!(hub.decide(&view.id, true), Err(UnknownApproval));
}

#[tokio::test]
async fn a_waiter_that_gives_up_leaves_nothing_pending() {
    let hub = Arc::new(ApprovalHub::new(Duration::from_secs(60)));
    let _op = hub.operator_connected();
    let mut rx = hub.events().subscribe();
    // The tool executor's own timeout drops the future.
    let gave_up = tokio::time::timeout(Duration::from_millis(50), hub.ask(ask("exec"))).await;
    assert!(gave_up.is_err());
    let view = next_request(&mut rx).await;
    assert_eq!(
        next_resolved(&mut rx).await,
        (view.id.clone(), Outcome::Cancelled)
    );
    assert!(hub.pending().is_empty());
    assert_eq!(hub.decide(&view.id, true), Err(UnknownApproval));
}

#[tokio::test]
async fn shutdown_denies_pending_and_later_requests() {
    let hub = Arc::new(ApprovalHub::new(Duration::from_secs(60)));
    let _op = hub.operator_connected();
    let mut rx = hub.events().subscribe();
    let waiter = tokio::spawn({
        let hub = hub.clone();
        async move { hub.ask(ask("write")).await }
    });
    let view = next_request(&mut rx).await;
    hub.shutdown();
    assert!(!waiter.await.unwrap());
    assert_eq!(next_resolved(&mut rx).await, (view.id, Outcome::Cancelled));
    assert!(!hub.ask(ask("exec")).await);
}

#[tokio::test]
async fn operators_are_counted_while_their_sockets_live() {
    let hub = ApprovalHub::new(Duration::from_secs(60));
    assert_eq!(hub.operators(), 0);
    let a = hub.operator_connected();
    let b = hub.operator_connected();
    assert_eq!(hub.operators(), 2);
    drop(a);
    assert_eq!(hub.operators(), 1);
    drop(b);
    assert_eq!(hub.operators(), 0);
    assert!(!hub.ask(ask("exec")).await);
}
