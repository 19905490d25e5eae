//! Check family `models` (reference §1.11): legacy models, models below the recommended tier,
//! and small (≤300B) models that can still reach web/browser tools.
//!
//! Claude tier: OpenClaw's `isClaude45OrHigher` regex accepts `claude-3-5-*` and
//! `claude-3-7-*` (its "5.x+ major" branch matches the `-5-`/`-7-` minor). hardclaw **fixes
//! this knowingly**: it parses `major[-.]minor` after `claude-` and flags everything below
//! 4.5, so Claude 3.5/3.7 are reported as `models.weak_tier` (a superset of OpenClaw's
//! findings). Date suffixes (`-20250514`) are not minors.

use std::sync::LazyLock;

use hardclaw_config::schema::{Config, ModelRef};
use regex::Regex;

use super::exposure::{sandbox_label, tool_allowed};
use crate::context::AuditContext;
use crate::finding::{Finding, Severity};

const SMALL_MODEL_PARAM_B_MAX: f64 = 300.0;

#[expect(clippy::expect_used, reason = "constant patterns, covered by tests")]
fn re(p: &str) -> Regex {
    Regex::new(p).expect("valid regex")
}

static LEGACY: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    vec![
        (re(r"(?i)\bgpt-3\.5\b"), "GPT-3.5 family"),
        (re(r"(?i)\bclaude-(instant|2)\b"), "Claude 2/Instant family"),
        (re(r"(?i)\bgpt-4-(0314|0613)\b"), "Legacy GPT-4 snapshots"),
    ]
});
static HAIKU: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\bhaiku\b"));
static GPT: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\bgpt-"));
// `(?:\b|[.-])` after `5`: JS `\b` between `5` and a letter is not a boundary, same in Rust.
static GPT5: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\bgpt-5(?:\b|[.-])"));
static CLAUDE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\bclaude-"));
static PARAM_B: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:^|[^a-z0-9])[a-z]?(\d+(?:\.\d+)?)b(?:[^a-z0-9]|$)"));

/// A configured model id and where it came from.
struct Model {
    id: String,
    /// OpenClaw's label (`agents.list.<id>.model.primary`).
    source: String,
    /// JSON path.
    path: String,
    /// Agent index (`None` for defaults).
    agent: Option<usize>,
    image: bool,
}

fn push_ref(
    out: &mut Vec<Model>,
    r: &ModelRef,
    label: &str,
    path: &str,
    agent: Option<usize>,
    image: bool,
) {
    let mut add = |id: &str, source: String, path: String| {
        let id = id.trim();
        if !id.is_empty() {
            out.push(Model {
                id: id.to_string(),
                source,
                path,
                agent,
                image,
            });
        }
    };
    match r {
        ModelRef::Name(n) if agent.is_some() => add(n, label.to_string(), path.to_string()),
        ModelRef::Name(n) => add(n, format!("{label}.primary"), path.to_string()),
        ModelRef::Chain(c) => {
            if let Some(p) = &c.primary {
                add(p, format!("{label}.primary"), format!("{path}.primary"));
            }
            for (i, f) in c.fallbacks.iter().flatten().enumerate() {
                add(
                    f,
                    format!("{label}.fallbacks"),
                    format!("{path}.fallbacks[{i}]"),
                );
            }
        }
    }
}

fn collect_models(config: &Config) -> Vec<Model> {
    let mut out = Vec::new();
    if let Some(d) = config.agent_defaults() {
        if let Some(m) = &d.model {
            push_ref(
                &mut out,
                m,
                "agents.defaults.model",
                "agents.defaults.model",
                None,
                false,
            );
        }
        if let Some(m) = &d.image_model {
            push_ref(
                &mut out,
                m,
                "agents.defaults.imageModel",
                "agents.defaults.imageModel",
                None,
                true,
            );
        }
    }
    for (i, a) in config.agent_list().iter().enumerate() {
        if let Some(m) = &a.model {
            push_ref(
                &mut out,
                m,
                &format!("agents.list.{}.model", a.id),
                &format!("agents.list[{i}].model"),
                Some(i),
                false,
            );
        }
    }
    out
}

/// Claude ≥ 4.5 (see the module docs: the OpenClaw regex quirk is fixed here).
fn is_claude_45_or_higher(id: &str) -> bool {
    let Some(m) = CLAUDE.find(id) else {
        return false;
    };
    let rest = &id[m.end()..];
    let rest = rest.split(['/', ' ']).next().unwrap_or("");
    let tokens: Vec<&str> = rest.split(['-', '.', ':', '@']).collect();
    let Some(pos) = tokens
        .iter()
        .position(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()))
    else {
        return false;
    };
    let major: u32 = tokens[pos].parse().unwrap_or(0);
    if tokens[pos].len() > 2 {
        return false; // a date, not a version
    }
    let minor: u32 = tokens
        .get(pos + 1)
        .filter(|t| !t.is_empty() && t.len() <= 2 && t.chars().all(|c| c.is_ascii_digit()))
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    major > 4 || (major == 4 && minor >= 5)
}

/// Largest `<n>b` parameter count in the id (OpenClaw `inferParamBFromIdOrName`).
fn infer_param_b(id: &str) -> Option<f64> {
    let lower = id.to_ascii_lowercase();
    PARAM_B
        .captures_iter(&lower)
        .filter_map(|c| c.get(1)?.as_str().parse::<f64>().ok())
        .filter(|v| *v > 0.0)
        .fold(None, |best: Option<f64>, v| {
            Some(best.map_or(v, |b| b.max(v)))
        })
}

fn lines<T>(items: &[T], f: impl Fn(&T) -> String) -> String {
    let mut s = items.iter().take(12).map(f).collect::<Vec<_>>().join("\n");
    if items.len() > 12 {
        s.push_str(&format!("\n…{} more", items.len() - 12));
    }
    s
}

/// Appends this family's findings.
pub(super) fn collect(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let config = ctx.config();
    let models = collect_models(config);
    hygiene(&models, out);
    small(ctx, config, &models, out);
}

fn hygiene(models: &[Model], out: &mut Vec<Finding>) {
    let legacy: Vec<(&Model, &str)> = models
        .iter()
        .filter_map(|m| {
            LEGACY
                .iter()
                .find(|(r, _)| r.is_match(&m.id))
                .map(|(_, l)| (m, *l))
        })
        .collect();
    if let Some((first, _)) = legacy.first() {
        out.push(
            Finding::new(
                "models.legacy",
                Severity::Warn,
                "Some configured models look legacy",
                format!(
                    "Older/legacy models can be less robust against prompt injection and tool misuse.\n{}",
                    lines(&legacy, |(m, l)| format!("- {} ({l}) @ {}", m.id, m.source))
                ),
            )
            .remediation("Prefer modern, instruction-hardened models for any bot that can run tools.")
            .at(first.path.clone()),
        );
    }
    let mut weak: Vec<(&Model, Vec<&str>)> = Vec::new();
    for m in models {
        let mut reasons = Vec::new();
        if HAIKU.is_match(&m.id) {
            reasons.push("Haiku tier (smaller model)");
        }
        if GPT.is_match(&m.id) && !GPT5.is_match(&m.id) {
            reasons.push("Below GPT-5 family");
        }
        if CLAUDE.is_match(&m.id) && !is_claude_45_or_higher(&m.id) {
            reasons.push("Below Claude 4.5");
        }
        if reasons.is_empty() {
            continue;
        }
        match weak
            .iter_mut()
            .find(|(w, _)| w.id == m.id && w.source == m.source)
        {
            Some((_, r)) => r.extend(
                reasons
                    .into_iter()
                    .filter(|x| !r.contains(x))
                    .collect::<Vec<_>>(),
            ),
            None => weak.push((m, reasons)),
        }
    }
    if let Some((first, _)) = weak.first() {
        out.push(
            Finding::new(
                "models.weak_tier",
                Severity::Warn,
                "Some configured models are below recommended tiers",
                format!(
                    "Smaller/older models are generally more susceptible to prompt injection and tool misuse.\n{}",
                    lines(&weak, |(m, r)| format!("- {} ({}) @ {}", m.id, r.join("; "), m.source))
                ),
            )
            .remediation("Use the latest, top-tier model for any bot with tools or untrusted inboxes. Avoid Haiku tiers; prefer GPT-5+ and Claude 4.5+.")
            .at(first.path.clone()),
        );
    }
}

fn web_search_enabled(ctx: &AuditContext<'_>, config: &Config) -> bool {
    let search = config
        .tools
        .as_ref()
        .and_then(|t| t.web.as_ref())
        .and_then(|w| w.search.as_ref());
    match search.and_then(|s| s.enabled) {
        Some(b) => b,
        None => {
            search
                .and_then(|s| s.api_key.as_ref())
                .is_some_and(|k| k.is_configured())
                || search
                    .and_then(|s| s.perplexity.as_ref())
                    .and_then(|p| p.get("apiKey"))
                    .and_then(serde_json::Value::as_str)
                    .is_some_and(|k| !k.trim().is_empty())
                || ["BRAVE_API_KEY", "PERPLEXITY_API_KEY", "OPENROUTER_API_KEY"]
                    .iter()
                    .any(|v| ctx.env_var(v).is_some())
        }
    }
}

fn small(ctx: &AuditContext<'_>, config: &Config, models: &[Model], out: &mut Vec<Finding>) {
    let small: Vec<(&Model, f64)> = models
        .iter()
        .filter(|m| !m.image)
        .filter_map(|m| {
            infer_param_b(&m.id)
                .filter(|b| *b <= SMALL_MODEL_PARAM_B_MAX)
                .map(|b| (m, b))
        })
        .collect();
    let Some((first, _)) = small.first() else {
        return;
    };
    let search_on = web_search_enabled(ctx, config);
    let fetch_on = config
        .tools
        .as_ref()
        .and_then(|t| t.web.as_ref())
        .and_then(|w| w.fetch.as_ref())
        .and_then(|f| f.enabled)
        != Some(false);
    // OpenClaw: browser control is on unless `browser.enabled === false`.
    let browser_on = config.browser.as_ref().and_then(|b| b.enabled) != Some(false);
    let mut unsafe_any = false;
    let mut exposure_all: Vec<&str> = Vec::new();
    let mut model_lines = Vec::new();
    for (m, b) in &small {
        let mode = sandbox_label(config, m.agent);
        let mut exposed = Vec::new();
        for (on, tool) in [
            (search_on, "web_search"),
            (fetch_on, "web_fetch"),
            (browser_on, "browser"),
        ] {
            if on && tool_allowed(config, m.agent, tool) {
                exposed.push(tool);
                if !exposure_all.contains(&tool) {
                    exposure_all.push(tool);
                }
            }
        }
        let safe = mode == "all" && exposed.is_empty();
        unsafe_any |= !safe;
        let web = if exposed.is_empty() {
            "off".to_string()
        } else {
            exposed.join(", ")
        };
        model_lines.push(format!(
            "- {} ({b}B) @ {} ({}; sandbox={mode}; web=[{web}])",
            m.id,
            m.source,
            if safe { "ok" } else { "unsafe" }
        ));
    }
    let exposure = if exposure_all.is_empty() {
        "No web/browser tools detected for these models.".to_string()
    } else {
        format!(
            "Uncontrolled input tools allowed: {}.",
            exposure_all.join(", ")
        )
    };
    out.push(
        Finding::new(
            "models.small_params",
            if unsafe_any { Severity::Critical } else { Severity::Info },
            "Small models require sandboxing and web tools disabled",
            format!(
                "Small models (<=300B params) detected:\n{}\n{exposure}\nSmall models are not recommended for untrusted inputs.",
                model_lines.join("\n")
            ),
        )
        .remediation("If you must use small models, enable sandboxing for all sessions (agents.defaults.sandbox.mode=\"all\") and disable web_search/web_fetch/browser (tools.deny=[\"group:web\",\"browser\"]).")
        .at(first.path.clone()),
    );
}

#[cfg(test)]
#[path = "models_tests.rs"]
mod tests;
