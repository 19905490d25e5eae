//! `--deep`: the plugin/skill code-safety scanner and the live gateway probe.
//!
//! OWNER: deep helper. Stub with the agreed interface.

use serde::{Deserialize, Serialize};

use crate::context::AuditContext;
use crate::finding::Finding;

/// `deep` section of the JSON report: `{"gateway": {attempted, url, ok, error, close}}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DeepReport {
    /// The live probe.
    pub gateway: GatewayProbe,
}

/// Result of the live gateway probe.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GatewayProbe {
    /// Whether a probe was attempted.
    pub attempted: bool,
    /// The URL probed (secrets redacted).
    pub url: String,
    /// Whether it succeeded.
    pub ok: bool,
    /// Why it failed.
    pub error: Option<String>,
    /// WebSocket close frame, when there was one.
    pub close: Option<serde_json::Value>,
}

/// Probes the running gateway.
pub fn probe_gateway(ctx: &AuditContext<'_>) -> DeepReport {
    let _ = ctx;
    DeepReport::default()
}

/// Turns the probe result into findings (`gateway.probe_failed`).
pub fn probe_findings(report: &DeepReport, out: &mut Vec<Finding>) {
    let _ = (report, out);
}

/// Code-safety findings for installed plugins (`plugins.code_safety*`).
pub(crate) fn collect_plugins_code_safety(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let _ = (ctx, out);
}

/// Code-safety findings for workspace skills (`skills.code_safety*`, `skills.markdown_sensitive_network`).
pub(crate) fn collect_skills_code_safety(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let _ = (ctx, out);
}
