//! Check family `roster`: `config.agent_roster.invalid_default_count` (reference §1.14, E3):
//! an authored agent roster should mark exactly one agent `default: true`.

use crate::context::AuditContext;
use crate::finding::{Finding, Severity};

/// Appends this family's findings.
pub(super) fn collect(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let list = ctx.config().agent_list();
    if list.is_empty() {
        return;
    }
    let defaults: Vec<&str> = list
        .iter()
        .filter(|a| a.default == Some(true))
        .map(|a| a.id.as_str())
        .collect();
    if defaults.len() == 1 {
        return;
    }
    let detail = if defaults.is_empty() {
        format!(
            "agents.list has {} agent(s) and none is marked default: true; the first entry (\"{}\") \
             silently becomes the default agent, which receives every unbound channel.",
            list.len(),
            list[0].id
        )
    } else {
        format!(
            "agents.list marks {} agents default: true ({}); exactly one is expected, and which one \
             receives unbound channels depends on list order.",
            defaults.len(),
            defaults.join(", ")
        )
    };
    out.push(
        Finding::new(
            "config.agent_roster.invalid_default_count",
            Severity::Warn,
            "Agent roster does not have exactly one default agent",
            detail,
        )
        .remediation("Set default: true on exactly one entry of agents.list.")
        .at("agents.list"),
    );
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::collect;
    use crate::checks::test_assert::expect;
    use crate::finding::Severity;
    use crate::test_support::Fixture;

    #[test]
    fn zero_or_two_defaults_warn() {
        let f = Fixture::new(json!({"agents": {"list": [{"id": "main"}, {"id": "search"}]}}))
            .run(collect);
        let x = expect(
            &f,
            "config.agent_roster.invalid_default_count",
            Severity::Warn,
            "agents.list",
        );
        assert!(x.detail.contains("\"main\""));
        let f = Fixture::new(json!({"agents": {"list": [
            {"id": "a", "default": true}, {"id": "b", "default": true}]}}))
        .run(collect);
        let x = expect(
            &f,
            "config.agent_roster.invalid_default_count",
            Severity::Warn,
            "agents.list",
        );
        assert!(x.detail.contains("a, b"));
    }

    #[test]
    fn exactly_one_or_no_roster_is_clean() {
        assert!(Fixture::new(json!({})).run(collect).is_empty());
        assert!(
            Fixture::new(json!({"agents": {"list": []}}))
                .run(collect)
                .is_empty()
        );
        let f = Fixture::new(json!({"agents": {"list": [
            {"id": "main", "default": true}, {"id": "search", "default": false}]}}))
        .run(collect);
        assert!(f.is_empty());
    }
}
