//! Check family `hardclaw` (stub: not written yet).

use crate::context::AuditContext;
use crate::finding::Finding;

/// Appends this family's findings.
pub(super) fn collect(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let _ = (ctx, out);
}
