//! Running the audit and the report it produces.

use serde::{Deserialize, Serialize};

use crate::context::AuditContext;
use crate::deep::DeepReport;
use crate::finding::{Finding, Summary};

/// The audit report, serialised as OpenClaw's `--json` shape: `{ts, summary, findings, deep?}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// Milliseconds since the Unix epoch when the audit ran.
    pub ts: u64,
    /// Counts per severity.
    pub summary: Summary,
    /// Findings in collector order.
    pub findings: Vec<Finding>,
    /// `--deep` results.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub deep: Option<DeepReport>,
    /// Findings moved out by `security.audit.suppressions` (OpenClaw E3 shape: the finding plus
    /// `suppression: {reason?}`); not counted in `summary`.
    #[serde(
        rename = "suppressedFindings",
        skip_serializing_if = "Vec::is_empty",
        default
    )]
    pub suppressed_findings: Vec<SuppressedFinding>,
}

/// A suppressed finding as serialised.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SuppressedFinding {
    /// The finding.
    #[serde(flatten)]
    pub finding: Finding,
    /// Why it was accepted.
    pub suppression: SuppressionInfo,
}

/// `{reason?}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SuppressionInfo {
    /// The rule's reason.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
}

/// Runs every check family in OpenClaw's collector order and returns the report.
pub fn run_audit(ctx: &AuditContext<'_>, ts: u64) -> Report {
    let mut findings = Vec::new();
    crate::checks::collect_all(ctx, &mut findings);
    let deep = if ctx.options.deep {
        let deep = crate::deep::probe_gateway(ctx);
        crate::deep::probe_findings(&deep, &mut findings);
        Some(deep)
    } else {
        None
    };
    let (findings, suppressed) = crate::suppress::apply_suppressions(ctx.config(), findings);
    let suppressed_findings = suppressed
        .into_iter()
        .map(|s| SuppressedFinding {
            finding: s.finding,
            suppression: SuppressionInfo { reason: s.reason },
        })
        .collect();
    Report {
        ts,
        summary: Summary::of(&findings),
        findings,
        deep,
        suppressed_findings,
    }
}
