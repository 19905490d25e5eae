//! Check family `nodes`: paired-device (node) command policy (reference §1.9), in OpenClaw's
//! order: `gateway.nodes.deny_commands_ineffective`, then `gateway.nodes.allow_commands_dangerous`.
//! Both key forms are read: E2 `gateway.nodes.allowCommands` / `denyCommands` and E3
//! `gateway.nodes.commands.allow` / `deny`; each finding names (and points at) the key it is about.

use crate::context::AuditContext;
use crate::finding::{Finding, Severity};

/// `DEFAULT_DANGEROUS_NODE_COMMANDS`: only enabled by an explicit allow entry.
const DANGEROUS_NODE_COMMANDS: &[&str] = &[
    "camera.snap",
    "camera.clip",
    "screen.record",
    "contacts.add",
    "calendar.add",
    "reminders.add",
    "sms.send",
];

const CANVAS: &[&str] = &[
    "canvas.present",
    "canvas.hide",
    "canvas.navigate",
    "canvas.eval",
    "canvas.snapshot",
    "canvas.a2ui.push",
    "canvas.a2ui.pushJSONL",
    "canvas.a2ui.reset",
];
const CAMERA: &[&str] = &["camera.list"];
const LOCATION: &[&str] = &["location.get"];
const DEVICE: &[&str] = &["device.info", "device.status"];
const PERSONAL: &[&str] = &[
    "contacts.search",
    "calendar.events",
    "reminders.list",
    "photos.latest",
    "motion.activity",
    "motion.pedometer",
];
const NOTIFY: &[&str] = &["system.notify"];
const ANDROID_NOTIFICATIONS: &[&str] = &["notifications.list"];
const SYSTEM: &[&str] = &[
    "system.run",
    "system.which",
    "system.notify",
    "system.execApprovals.get",
    "system.execApprovals.set",
    "browser.proxy",
];
const TALK: &[&str] = &[
    "talk.ptt.start",
    "talk.ptt.stop",
    "talk.ptt.cancel",
    "talk.ptt.once",
];

/// Per-platform default allowlists (`PLATFORM_DEFAULTS` in `node-command-policy.ts`), plus the
/// commands a node advertising the `talk` capability gets. Their union is what a deny entry can
/// meaningfully name.
const PLATFORM_DEFAULTS: &[(&str, &[&[&str]])] = &[
    ("ios", &[CANVAS, CAMERA, LOCATION, DEVICE, PERSONAL, NOTIFY]),
    (
        "android",
        &[
            CANVAS,
            CAMERA,
            LOCATION,
            ANDROID_NOTIFICATIONS,
            NOTIFY,
            DEVICE,
            PERSONAL,
        ],
    ),
    (
        "macos",
        &[CANVAS, CAMERA, LOCATION, DEVICE, PERSONAL, SYSTEM],
    ),
    ("linux", &[SYSTEM]),
    ("windows", &[SYSTEM]),
    ("unknown", &[CANVAS, CAMERA, LOCATION, NOTIFY]),
    ("talk", &[TALK]),
];

/// One allow or deny list and the key it was written under.
struct NodeList<'a> {
    path: &'static str,
    entries: Vec<&'a str>,
}

fn clean(v: Option<&Vec<String>>) -> Vec<&str> {
    v.into_iter()
        .flatten()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect()
}

fn lists<'a>(ctx: &AuditContext<'a>) -> (Vec<NodeList<'a>>, Vec<NodeList<'a>>) {
    let nodes = ctx.config().gateway.as_ref().and_then(|g| g.nodes.as_ref());
    let e3 = nodes.and_then(|n| n.commands.as_ref());
    let allow = vec![
        NodeList {
            path: "gateway.nodes.allowCommands",
            entries: clean(nodes.and_then(|n| n.allow_commands.as_ref())),
        },
        NodeList {
            path: "gateway.nodes.commands.allow",
            entries: clean(e3.and_then(|c| c.allow.as_ref())),
        },
    ];
    let deny = vec![
        NodeList {
            path: "gateway.nodes.denyCommands",
            entries: clean(nodes.and_then(|n| n.deny_commands.as_ref())),
        },
        NodeList {
            path: "gateway.nodes.commands.deny",
            entries: clean(e3.and_then(|c| c.deny.as_ref())),
        },
    ];
    (allow, deny)
}

/// Appends this family's findings.
pub(super) fn collect(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let (allow, deny) = lists(ctx);
    deny_ineffective(&allow, &deny, out);
    allow_dangerous(ctx, &allow, &deny, out);
}

/// Every command name a deny entry can match: platform defaults, the dangerous list and every
/// allow entry, in first-seen order.
fn known_commands<'a>(allow: &[NodeList<'a>]) -> Vec<&'a str> {
    let mut known: Vec<&str> = Vec::new();
    let defaults = PLATFORM_DEFAULTS
        .iter()
        .flat_map(|(_, groups)| groups.iter().flat_map(|g| g.iter().copied()));
    let extra = allow.iter().flat_map(|l| l.entries.iter().copied());
    for cmd in defaults
        .chain(DANGEROUS_NODE_COMMANDS.iter().copied())
        .chain(extra)
    {
        if !known.contains(&cmd) {
            known.push(cmd);
        }
    }
    known
}

fn looks_like_pattern(entry: &str) -> bool {
    entry.contains(['?', '*', '[', ']', '{', '}', '(', ')', ',', '|'])
        || entry.starts_with('/')
        || entry.ends_with('/')
        || entry.starts_with('^')
        || entry.ends_with('$')
        || entry.chars().any(char::is_whitespace)
        || entry.contains("group:")
}

/// Up to three known commands close to `needle`: prefix matches first, else Levenshtein within
/// max(2, min(4, best distance)).
fn suggest<'a>(needle: &str, known: &[&'a str]) -> Vec<&'a str> {
    let prefix = if needle.contains('.') {
        needle.split('.').take(2).collect::<Vec<_>>().join(".")
    } else {
        needle.to_string()
    };
    let hits: Vec<&str> = known
        .iter()
        .copied()
        .filter(|c| c.starts_with(&prefix))
        .take(3)
        .collect();
    if !hits.is_empty() {
        return hits;
    }
    let mut ranked: Vec<(usize, &str)> = known
        .iter()
        .map(|c| (strsim::levenshtein(needle, c), *c))
        .collect();
    ranked.sort();
    let Some(best) = ranked.first().map(|r| r.0) else {
        return Vec::new();
    };
    let threshold = best.clamp(2, 4);
    ranked
        .into_iter()
        .filter(|(d, _)| *d <= threshold)
        .take(3)
        .map(|(_, c)| c)
        .collect()
}

fn deny_ineffective(allow: &[NodeList<'_>], deny: &[NodeList<'_>], out: &mut Vec<Finding>) {
    let known = known_commands(allow);
    for list in deny {
        let patterns: Vec<&str> = list
            .entries
            .iter()
            .copied()
            .filter(|e| looks_like_pattern(e))
            .collect();
        let unknown: Vec<String> = list
            .entries
            .iter()
            .copied()
            .filter(|e| !looks_like_pattern(e) && !known.contains(e))
            .map(|e| {
                let s = suggest(e, &known);
                if s.is_empty() {
                    e.to_string()
                } else {
                    format!("{e} (did you mean: {})", s.join(", "))
                }
            })
            .collect();
        if patterns.is_empty() && unknown.is_empty() {
            continue;
        }
        let allow_key = if list.path.ends_with("denyCommands") {
            "gateway.nodes.allowCommands"
        } else {
            "gateway.nodes.commands.allow"
        };
        let mut parts = Vec::new();
        if !patterns.is_empty() {
            parts.push(format!(
                "- Pattern-like entries (not supported by exact matching): {}",
                patterns.join(", ")
            ));
        }
        if !unknown.is_empty() {
            parts.push(format!(
                "- Unknown command names (not in defaults/{allow_key}): {}",
                unknown.join(", ")
            ));
        }
        let examples: Vec<&str> = known.iter().copied().take(8).collect();
        out.push(
            Finding::new(
                "gateway.nodes.deny_commands_ineffective",
                Severity::Warn,
                format!("Some {} entries are ineffective", list.path),
                format!(
                    "{} uses exact node command-name matching only (for example `system.run`), not \
                     shell-text filtering inside a command payload.\n{}",
                    list.path,
                    parts.join("\n")
                ),
            )
            .remediation(format!(
                "Use exact command names (for example: {}). If you need broader restrictions, remove risky \
                 command IDs from {allow_key}/default workflows and tighten tools.exec policy.",
                examples.join(", ")
            ))
            .at(list.path),
        );
    }
}

fn allow_dangerous(
    ctx: &AuditContext<'_>,
    allow: &[NodeList<'_>],
    deny: &[NodeList<'_>],
    out: &mut Vec<Finding>,
) {
    let denied = |c: &str| deny.iter().any(|l| l.entries.contains(&c));
    let severity = if super::gateway_auth::is_remotely_exposed(ctx) {
        Severity::Critical
    } else {
        Severity::Warn
    };
    for list in allow {
        let dangerous: Vec<&str> = DANGEROUS_NODE_COMMANDS
            .iter()
            .copied()
            .filter(|c| list.entries.contains(c) && !denied(c))
            .collect();
        if dangerous.is_empty() {
            continue;
        }
        out.push(
            Finding::new(
                "gateway.nodes.allow_commands_dangerous",
                severity,
                "Dangerous node commands explicitly enabled",
                format!(
                    "{} includes: {}. These commands can trigger high-impact device actions or read \
                     sensitive data (camera/screen/contacts/calendar/reminders/SMS).",
                    list.path,
                    dangerous.join(", ")
                ),
            )
            .remediation(format!(
                "Remove these entries from {} (recommended). If you keep them, treat gateway auth as full \
                 operator access and keep gateway exposure local/tailnet-only.",
                list.path
            ))
            .at(list.path),
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{collect, suggest};
    use crate::checks::test_assert::{absent, expect};
    use crate::finding::Severity;
    use crate::test_support::Fixture;

    #[test]
    fn dangerous_allow_both_key_forms_and_escalation() {
        let f = Fixture::new(
            json!({"gateway": {"nodes": {"allowCommands": ["camera.snap", "camera.list"]}}}),
        )
        .run(collect);
        let x = expect(
            &f,
            "gateway.nodes.allow_commands_dangerous",
            Severity::Warn,
            "gateway.nodes.allowCommands",
        );
        assert!(
            x.detail
                .starts_with("gateway.nodes.allowCommands includes: camera.snap.")
        );
        let f = Fixture::new(json!({"gateway": {"bind": "lan",
            "nodes": {"commands": {"allow": ["sms.send"]}}}}))
        .run(collect);
        expect(
            &f,
            "gateway.nodes.allow_commands_dangerous",
            Severity::Critical,
            "gateway.nodes.commands.allow",
        );
        // Denied again (in either key form): not reported.
        let f = Fixture::new(json!({"gateway": {"nodes": {"allowCommands": ["sms.send"],
            "commands": {"deny": ["sms.send"]}}}}))
        .run(collect);
        assert!(f.is_empty(), "{f:?}");
        let f = Fixture::new(json!({"gateway": {"nodes": {"allowCommands": ["camera.list"]}}}))
            .run(collect);
        absent(&f, "gateway.nodes.allow_commands_dangerous");
    }

    #[test]
    fn deny_patterns_and_unknown_names() {
        let f = Fixture::new(json!({"gateway": {"nodes": {"commands": {"deny": [
            "system.*", "rm -rf", "system.runn", "system.run", "totally.unknown.thing"]}}}}))
        .run(collect);
        let x = expect(
            &f,
            "gateway.nodes.deny_commands_ineffective",
            Severity::Warn,
            "gateway.nodes.commands.deny",
        );
        assert!(
            x.detail.contains(
                "Pattern-like entries (not supported by exact matching): system.*, rm -rf"
            )
        );
        assert!(
            x.detail.contains("system.runn (did you mean: system.run)"),
            "{}",
            x.detail
        );
        assert!(x.detail.contains("totally.unknown.thing"));
        assert!(
            !x.detail.contains("system.run,"),
            "exact known entry must not be listed"
        );
        let f = Fixture::new(json!({"gateway": {"nodes": {"denyCommands": ["group:danger"]}}}))
            .run(collect);
        expect(
            &f,
            "gateway.nodes.deny_commands_ineffective",
            Severity::Warn,
            "gateway.nodes.denyCommands",
        );
    }

    #[test]
    fn exact_known_denies_are_clean() {
        let f = Fixture::new(json!({"gateway": {"nodes": {
            "allowCommands": ["custom.cmd"],
            "denyCommands": ["system.run", "camera.snap", "custom.cmd", "talk.ptt.once"]}}}))
        .run(collect);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn fuzzy_suggestions() {
        let known = ["camera.snap", "camera.clip", "sms.send"];
        assert_eq!(suggest("sms.sned", &known), ["sms.send"]);
        assert_eq!(suggest("smsx", &known), Vec::<&str>::new());
    }
}
