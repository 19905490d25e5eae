//! Check family `elevated`: `tools.elevated.allowFrom.<provider>.wildcard` and `.large`
//! (reference §1.5).
//!
//! The gate is OpenClaw's (`tools.elevated.enabled !== false`) in both flavours, although
//! hardclaw itself keeps elevated mode off unless `enabled: true`: the allowlist is what would
//! apply the moment elevated mode is switched on (or the same file is run by OpenClaw), so a
//! dormant `"*"` is still worth reporting.

use crate::context::AuditContext;
use crate::finding::{Finding, Severity};

/// More entries than this is a warning.
const LARGE_ALLOWLIST: usize = 25;

/// Appends this family's findings.
pub(super) fn collect(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let Some(elevated) = ctx
        .config()
        .tools
        .as_ref()
        .and_then(|t| t.elevated.as_ref())
    else {
        return;
    };
    if elevated.enabled == Some(false) {
        return;
    }
    for (provider, list) in elevated.allow_from.iter().flatten() {
        let entries: Vec<&str> = list
            .iter()
            .map(|id| id.as_str().trim())
            .filter(|s| !s.is_empty())
            .collect();
        let path = format!("tools.elevated.allowFrom.{provider}");
        if entries.contains(&"*") {
            out.push(
                Finding::new(
                    format!("tools.elevated.allowFrom.{provider}.wildcard"),
                    Severity::Critical,
                    "Elevated exec allowlist contains wildcard",
                    format!(
                        "{path} includes \"*\" which effectively approves everyone on that channel for \
                         elevated mode."
                    ),
                )
                .remediation(format!(
                    "Replace \"*\" in {path} with the exact sender ids that may use elevated mode, or set \
                     tools.elevated.enabled=false."
                ))
                .at(path),
            );
        } else if entries.len() > LARGE_ALLOWLIST {
            out.push(
                Finding::new(
                    format!("tools.elevated.allowFrom.{provider}.large"),
                    Severity::Warn,
                    "Elevated exec allowlist is large",
                    format!(
                        "{path} has {} entries; consider tightening elevated access.",
                        entries.len()
                    ),
                )
                .remediation(format!(
                    "Keep {path} to the few operators who need host execution (at most {LARGE_ALLOWLIST})."
                ))
                .at(path),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::collect;
    use crate::checks::test_assert::expect;
    use crate::finding::Severity;
    use crate::test_support::Fixture;

    #[test]
    fn wildcard_is_critical() {
        let f = Fixture::new(
            json!({"tools": {"elevated": {"allowFrom": {"whatsapp": ["+461", " * "]}}}}),
        )
        .run(collect);
        expect(
            &f,
            "tools.elevated.allowFrom.whatsapp.wildcard",
            Severity::Critical,
            "tools.elevated.allowFrom.whatsapp",
        );
        assert_eq!(f.len(), 1);
        // Disabled: nothing.
        let f = Fixture::new(
            json!({"tools": {"elevated": {"enabled": false, "allowFrom": {"whatsapp": ["*"]}}}}),
        )
        .run(collect);
        assert!(f.is_empty());
    }

    #[test]
    fn large_list_warns() {
        let many: Vec<i64> = (0..26).collect();
        let f = Fixture::new(
            json!({"tools": {"elevated": {"enabled": true, "allowFrom": {"telegram": many}}}}),
        )
        .run(collect);
        expect(
            &f,
            "tools.elevated.allowFrom.telegram.large",
            Severity::Warn,
            "tools.elevated.allowFrom.telegram",
        );
        let few: Vec<i64> = (0..25).collect();
        let f = Fixture::new(json!({"tools": {"elevated": {"allowFrom": {"telegram": few}}}}))
            .run(collect);
        assert!(f.is_empty());
    }
}
