//! Check family `summary`: `summary.attack_surface`, always the first finding (reference §1.14,
//! §4 for the detail's shape).

use hardclaw_config::Flavor;
use hardclaw_config::schema::GroupPolicy;

use super::browser::browser_enabled;
use crate::context::AuditContext;
use crate::finding::{Finding, Severity};

/// Appends this family's findings.
pub(super) fn collect(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let cfg = ctx.config();
    // Top-level `channels.<id>.groupPolicy` only, as OpenClaw counts.
    let (mut open, mut allowlist) = (0, 0);
    for channel in cfg.channels.iter().flat_map(|c| c.values()) {
        match channel.group_policy {
            Some(GroupPolicy::Open) => open += 1,
            Some(GroupPolicy::Allowlist) => allowlist += 1,
            _ => {}
        }
    }
    // Elevated mode: OpenClaw runs it unless `enabled: false`; hardclaw only when `enabled: true`.
    // The summary reports what the product being audited would do.
    let elevated_flag = cfg
        .tools
        .as_ref()
        .and_then(|t| t.elevated.as_ref())
        .and_then(|e| e.enabled);
    let elevated = match ctx.locations.flavor {
        Flavor::OpenClaw => elevated_flag != Some(false),
        Flavor::Hardclaw => elevated_flag == Some(true),
    };
    let hooks = cfg.hooks.as_ref();
    let webhooks = hooks.and_then(|h| h.enabled) == Some(true);
    let internal = hooks.and_then(|h| h.internal.as_ref()).is_some_and(|i| {
        let configured = i.entries.as_ref().is_some_and(|e| !e.is_empty())
            || i.installs.as_ref().is_some_and(|e| !e.is_empty())
            || i.handlers.as_ref().is_some_and(|h| !h.is_null());
        i.enabled == Some(true) || (i.enabled != Some(false) && configured)
    });
    let on = |b: bool| if b { "enabled" } else { "disabled" };
    let detail = format!(
        "groups: open={open}, allowlist={allowlist}\n\
         tools.elevated: {}\n\
         hooks.webhooks: {}\n\
         hooks.internal: {}\n\
         browser control: {}\n\
         trust model: personal assistant (one trusted operator boundary), not hostile multi-tenant on one shared gateway",
        on(elevated),
        on(webhooks),
        on(internal),
        on(browser_enabled(ctx)),
    );
    out.push(Finding::new(
        "summary.attack_surface",
        Severity::Info,
        "Attack surface summary",
        detail,
    ));
}

#[cfg(test)]
mod tests {
    use hardclaw_config::Flavor;
    use serde_json::json;

    use super::collect;
    use crate::finding::Severity;
    use crate::test_support::Fixture;

    #[test]
    fn openclaw_defaults_match_reference_example() {
        let mut f = Fixture::new(json!({}));
        f.locations.flavor = Flavor::OpenClaw;
        let out = f.run(collect);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].check_id, "summary.attack_surface");
        assert_eq!(out[0].severity, Severity::Info);
        assert_eq!(out[0].title, "Attack surface summary");
        // Reference §4, S1 (E2).
        assert_eq!(
            out[0].detail,
            "groups: open=0, allowlist=0\ntools.elevated: enabled\nhooks.webhooks: disabled\nhooks.internal: disabled\nbrowser control: enabled\ntrust model: personal assistant (one trusted operator boundary), not hostile multi-tenant on one shared gateway"
        );
    }

    #[test]
    fn hardclaw_defaults_and_counts() {
        let out = Fixture::new(json!({})).run(collect);
        assert!(out[0].detail.contains("tools.elevated: disabled"));
        assert!(out[0].detail.contains("browser control: disabled"));
        let out = Fixture::new(json!({
            "channels": {"a": {"groupPolicy": "open"}, "b": {"groupPolicy": "allowlist"},
                         "c": {"groupPolicy": "allowlist"}, "d": {}},
            "tools": {"elevated": {"enabled": true}},
            "hooks": {"enabled": true, "internal": {"entries": {"x": {}}}},
            "browser": {"enabled": true}
        }))
        .run(collect);
        assert!(out[0].detail.starts_with("groups: open=1, allowlist=2\ntools.elevated: enabled\nhooks.webhooks: enabled\nhooks.internal: enabled\nbrowser control: enabled\n"));
    }
}
