//! The check families, one per file, called in OpenClaw's collector order (reference
//! `openclaw-audit-checks.md` §5.3), hardclaw's own checks after them.

use crate::context::AuditContext;
use crate::finding::Finding;

/// Runs every family in order.
pub(crate) fn collect_all(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let _ = ctx;
    let _ = out;
}
