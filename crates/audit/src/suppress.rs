//! `security.audit.suppressions`: accepted findings moved out of the main list (reference §1.14,
//! E3). Post-processing over the collected findings; the report wires it in.
//!
//! A rule `{checkId, titleIncludes?, detailIncludes?, reason?}` matches a finding whose check id
//! equals `checkId` (trimmed) and whose title / detail contain the given substrings (case
//! sensitive, as OpenClaw's `includes`). While any rule is configured, an info finding
//! `security.audit.suppressions.active` says so, so an accepted risk is never invisible; that
//! finding itself cannot be suppressed.

use hardclaw_config::Config;
use hardclaw_config::schema::Suppression;

use crate::finding::{Finding, Severity};

/// The id of the "suppressions are active" finding.
pub(crate) const ACTIVE_ID: &str = "security.audit.suppressions.active";

/// A finding moved out of the report by a suppression rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Suppressed {
    /// The finding.
    pub finding: Finding,
    /// The rule's `reason`, if it gave one.
    pub reason: Option<String>,
}

fn matches(rule: &Suppression, f: &Finding) -> bool {
    rule.check_id.trim() == f.check_id
        && rule
            .title_includes
            .as_deref()
            .is_none_or(|t| f.title.contains(t))
        && rule
            .detail_includes
            .as_deref()
            .is_none_or(|d| f.detail.contains(d))
}

/// Splits `findings` into kept and suppressed (first matching rule wins) and, when rules are
/// configured, appends the `security.audit.suppressions.active` finding to the kept list.
pub(crate) fn apply_suppressions(
    config: &Config,
    findings: Vec<Finding>,
) -> (Vec<Finding>, Vec<Suppressed>) {
    let rules: &[Suppression] = config
        .security
        .as_ref()
        .and_then(|s| s.audit.as_ref())
        .and_then(|a| a.suppressions.as_deref())
        .unwrap_or(&[]);
    if rules.is_empty() {
        return (findings, Vec::new());
    }
    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    for f in findings {
        match rules
            .iter()
            .find(|r| f.check_id != ACTIVE_ID && matches(r, &f))
        {
            Some(rule) => suppressed.push(Suppressed {
                finding: f,
                reason: rule.reason.clone(),
            }),
            None => kept.push(f),
        }
    }
    let mut ids: Vec<&str> = suppressed
        .iter()
        .map(|s| s.finding.check_id.as_str())
        .collect();
    ids.dedup();
    let listed = if ids.is_empty() {
        "none matched this run".to_string()
    } else {
        ids.join(", ")
    };
    let active = Finding::new(
        ACTIVE_ID,
        Severity::Info,
        "Audit suppressions are active",
        format!(
            "security.audit.suppressions has {} rule(s); {} finding(s) suppressed ({listed}). Suppressed \
             findings are listed separately and still exist.",
            rules.len(),
            suppressed.len()
        ),
    )
    .remediation(
        "Review security.audit.suppressions regularly; remove rules whose risk is no longer accepted.",
    )
    .at("security.audit.suppressions");
    kept.push(active);
    (kept, suppressed)
}

#[cfg(test)]
mod tests {
    use hardclaw_config::Config;
    use serde_json::json;

    use super::{ACTIVE_ID, apply_suppressions};
    use crate::finding::{Finding, Severity};

    fn cfg(v: serde_json::Value) -> Config {
        match Config::from_value(&v) {
            Ok(c) => c,
            Err(e) => panic!("{}: {}", e.json_path, e.message),
        }
    }

    fn sample() -> Vec<Finding> {
        vec![
            Finding::new(
                "summary.attack_surface",
                Severity::Info,
                "Attack surface summary",
                "x",
            ),
            Finding::new(
                "gateway.trusted_proxies_missing",
                Severity::Warn,
                "Reverse proxy headers are not trusted",
                "gateway.bind is loopback",
            ),
            Finding::new(
                "gateway.tailscale_serve",
                Severity::Info,
                "Tailscale Serve exposure enabled",
                "tailnet",
            ),
        ]
    }

    #[test]
    fn no_rules_keeps_everything_without_active_finding() {
        let (kept, sup) = apply_suppressions(&cfg(json!({})), sample());
        assert_eq!(kept, sample());
        assert!(sup.is_empty());
        let (kept, _) = apply_suppressions(
            &cfg(json!({"security": {"audit": {"suppressions": []}}})),
            sample(),
        );
        assert_eq!(kept, sample());
    }

    #[test]
    fn matching_rule_moves_finding_with_reason() {
        let c = cfg(json!({"security": {"audit": {"suppressions": [
            {"checkId": "gateway.trusted_proxies_missing", "detailIncludes": "loopback", "reason": "no proxy"}
        ]}}}));
        let (kept, sup) = apply_suppressions(&c, sample());
        assert_eq!(sup.len(), 1);
        assert_eq!(sup[0].finding.check_id, "gateway.trusted_proxies_missing");
        assert_eq!(sup[0].reason.as_deref(), Some("no proxy"));
        let ids: Vec<_> = kept.iter().map(|f| f.check_id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "summary.attack_surface",
                "gateway.tailscale_serve",
                ACTIVE_ID
            ]
        );
        let active = &kept[2];
        assert_eq!(active.severity, Severity::Info);
        assert_eq!(
            active.json_path.as_deref(),
            Some("security.audit.suppressions")
        );
        assert!(
            active
                .detail
                .contains("1 rule(s); 1 finding(s) suppressed (gateway.trusted_proxies_missing)")
        );
    }

    #[test]
    fn non_matching_filters_keep_the_finding() {
        let c = cfg(json!({"security": {"audit": {"suppressions": [
            {"checkId": "gateway.trusted_proxies_missing", "titleIncludes": "nope"},
            {"checkId": "gateway.tailscale_serve", "detailIncludes": "TAILNET"},
            {"checkId": ACTIVE_ID}
        ]}}}));
        let (kept, sup) = apply_suppressions(&c, sample());
        assert!(sup.is_empty());
        assert_eq!(kept.len(), 4);
        assert!(
            kept[3]
                .detail
                .contains("3 rule(s); 0 finding(s) suppressed (none matched this run)")
        );
    }
}
