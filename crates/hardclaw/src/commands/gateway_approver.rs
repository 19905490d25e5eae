//! The agent runtime's [`Approver`] inside the gateway: an `ask` decision of a tool call is put
//! to the operator through the gateway's [`ApprovalHub`] (an `approval_request` frame on the
//! operator WebSockets, answered by `approval_approve` / `approval_deny`). The hub denies
//! when no operator is connected, on expiry and at shutdown; the tool executor's own
//! approval timeout denies as well.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use hardclaw_agent::{ApprovalRequest, Approver};
use hardclaw_gateway::{ApprovalAsk, ApprovalHub};

/// Asks the gateway's operators.
#[derive(Debug, Clone)]
pub struct OperatorApprover {
    hub: Arc<ApprovalHub>,
}

impl OperatorApprover {
    /// An approver over the gateway's hub.
    pub fn new(hub: Arc<ApprovalHub>) -> OperatorApprover {
        OperatorApprover { hub }
    }
}

impl Approver for OperatorApprover {
    fn approve<'a>(
        &'a self,
        request: &'a ApprovalRequest,
    ) -> Pin<Box<dyn Future<Output = bool> + Send + 'a>> {
        let ask = ApprovalAsk {
            agent: request.agent_id.clone(),
            session: request.session_key.clone(),
            tool: request.tool.clone(),
            params: request.params.clone(),
            guard: request.decision.guard.clone(),
            rule: request.decision.rule.clone(),
            reason: request.decision.reason.clone(),
        };
        Box::pin(self.hub.ask(ask))
    }
}
