//! Check family `logging`: `logging.redact_off` (reference §1.5; fixed by `--fix`).

use hardclaw_config::schema::RedactSensitive;

use crate::context::AuditContext;
use crate::finding::{Finding, Severity};

/// Appends this family's findings.
pub(super) fn collect(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let redact = ctx
        .config()
        .logging
        .as_ref()
        .and_then(|l| l.redact_sensitive);
    if redact == Some(RedactSensitive::Off) {
        out.push(
            Finding::new(
                "logging.redact_off",
                Severity::Warn,
                "Tool summary redaction is disabled",
                "logging.redactSensitive=\"off\" can leak secrets into logs and status output.",
            )
            .remediation(format!(
                "Set logging.redactSensitive=\"tools\" (or run \"{} security audit --fix\").",
                ctx.locations.cli()
            ))
            .at("logging.redactSensitive"),
        );
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
    fn redact_off() {
        let f = Fixture::new(json!({"logging": {"redactSensitive": "off"}})).run(collect);
        expect(
            &f,
            "logging.redact_off",
            Severity::Warn,
            "logging.redactSensitive",
        );
        assert!(
            Fixture::new(json!({"logging": {"redactSensitive": "tools"}}))
                .run(collect)
                .is_empty()
        );
        assert!(Fixture::new(json!({})).run(collect).is_empty());
    }
}
