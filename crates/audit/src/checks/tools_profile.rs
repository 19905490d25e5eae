//! Check family `tools_profile` (reference §1.7): a global `tools.profile = "minimal"` that
//! agent profiles silently override.

use hardclaw_config::schema::ToolProfile;

use crate::context::AuditContext;
use crate::finding::{Finding, Severity};

fn name(p: ToolProfile) -> &'static str {
    match p {
        ToolProfile::Minimal => "minimal",
        ToolProfile::Coding => "coding",
        ToolProfile::Messaging => "messaging",
        ToolProfile::Full => "full",
    }
}

/// Appends this family's findings.
pub(super) fn collect(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let config = ctx.config();
    if config.tools.as_ref().and_then(|t| t.profile) != Some(ToolProfile::Minimal) {
        return;
    }
    let overrides: Vec<(usize, String)> = config
        .agent_list()
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            let p = a.tools.as_ref().and_then(|t| t.profile)?;
            (p != ToolProfile::Minimal).then(|| (i, format!("{}={}", a.id, name(p))))
        })
        .collect();
    let Some((first, _)) = overrides.first() else {
        return;
    };
    out.push(
        Finding::new(
            "tools.profile_minimal_overridden",
            Severity::Warn,
            "Global tools.profile=minimal is overridden by agent profiles",
            format!(
                "Global minimal profile is set, but these agent profiles take precedence:\n{}",
                overrides
                    .iter()
                    .map(|(_, o)| format!("- agents.list.{o}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        )
        .remediation("Set those agents to `tools.profile=\"minimal\"` (or remove the agent override) if you want minimal tools enforced globally.")
        .at(format!("agents.list[{first}].tools.profile")),
    );
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::collect;
    use crate::finding::Severity;
    use crate::test_support::{Fixture, find, ids};

    #[test]
    fn agent_profile_overriding_global_minimal_is_reported() {
        let f = Fixture::new(json!({
            "tools": {"profile": "minimal"},
            "agents": {"list": [{"id": "a"}, {"id": "b", "tools": {"profile": "full"}}]}
        }))
        .run(collect);
        let x = find(&f, "tools.profile_minimal_overridden");
        assert_eq!(x.severity, Severity::Warn);
        assert_eq!(x.json_path.as_deref(), Some("agents.list[1].tools.profile"));
        assert!(x.detail.contains("- agents.list.b=full"));
    }

    #[test]
    fn agent_repeating_minimal_or_global_not_minimal_is_fine() {
        let a = Fixture::new(json!({
            "tools": {"profile": "minimal"},
            "agents": {"list": [{"id": "b", "tools": {"profile": "minimal"}}]}
        }))
        .run(collect);
        assert!(ids(&a).is_empty());
        let b = Fixture::new(json!({
            "tools": {"profile": "coding"},
            "agents": {"list": [{"id": "b", "tools": {"profile": "full"}}]}
        }))
        .run(collect);
        assert!(ids(&b).is_empty());
    }
}
