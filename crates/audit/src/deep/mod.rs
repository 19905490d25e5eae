//! `--deep`: the plugin/skill code-safety scanner and the live gateway probe.
//!
//! * [`rules`]: the scanner rules (code, skill text, SKILL.md credential lines).
//! * [`scanner`]: the directory walk ([`scanner::scan_dir`]).
//! * [`plugins`]: `plugins.code_safety*` over `<state>/extensions/<dir>`.
//! * [`skills`]: `skills.code_safety*` and `skills.markdown_sensitive_network` over
//!   `<workspace>/skills/<dir>`.
//! * [`probe`]: the live `GET /health` probe.
//!
//! The library never prints; a CLI wanting progress output calls [`plugins::scan_plugins`] /
//! [`skills::scan_skills`] with its own callback.

pub mod plugins;
pub mod probe;
pub mod rules;
pub mod scanner;
pub mod skills;

use serde::{Deserialize, Serialize};

use std::path::PathBuf;

use crate::context::AuditContext;
use crate::finding::{Finding, Severity};

/// `deep` section of the JSON report: `{"gateway": {attempted, url, ok, error, close}}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DeepReport {
    /// The live probe.
    pub gateway: GatewayProbe,
}

/// Result of the live gateway probe.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GatewayProbe {
    /// Whether a probe was attempted.
    pub attempted: bool,
    /// The URL probed (secrets redacted).
    pub url: String,
    /// Whether it succeeded.
    pub ok: bool,
    /// Why it failed.
    pub error: Option<String>,
    /// WebSocket close frame, when there was one.
    pub close: Option<serde_json::Value>,
}

/// Probes the running gateway.
pub fn probe_gateway(ctx: &AuditContext<'_>) -> DeepReport {
    DeepReport {
        gateway: probe::probe_http(&probe::probe_target(ctx)),
    }
}

/// Turns the probe result into findings (`gateway.probe_failed`).
pub fn probe_findings(report: &DeepReport, out: &mut Vec<Finding>) {
    let g = &report.gateway;
    if g.attempted && !g.ok {
        out.push(
            Finding::new(
                "gateway.probe_failed",
                Severity::Warn,
                "Gateway probe failed (deep)",
                g.error
                    .clone()
                    .unwrap_or_else(|| format!("probe of {} failed", g.url)),
            )
            .remediation("Start the gateway with `hardclaw gateway`, or check the token"),
        );
    }
}

/// `<state>/extensions`.
pub fn extensions_dir(ctx: &AuditContext<'_>) -> PathBuf {
    ctx.locations.state_dir.join("extensions")
}

/// Code-safety findings for installed plugins (`plugins.code_safety*`). Only with `--deep`.
pub(crate) fn collect_plugins_code_safety(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    if !ctx.options.deep {
        return;
    }
    let mut progress = |m: &str| ctx.options.progress.into_iter().for_each(|p| p(m));
    out.extend(plugins::scan_plugins(&extensions_dir(ctx), &mut progress));
}

/// Code-safety findings for workspace skills (`skills.code_safety*`, `skills.markdown_sensitive_network`).
/// Only with `--deep`.
pub(crate) fn collect_skills_code_safety(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    if !ctx.options.deep {
        return;
    }
    let workspaces = skills::agent_workspaces(&ctx.loaded.resolved, ctx.locations);
    let mut progress = |m: &str| ctx.options.progress.into_iter().for_each(|p| p(m));
    out.extend(skills::scan_skills(
        &workspaces,
        &extensions_dir(ctx),
        &mut progress,
    ));
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use hardclaw_config::{Config, EnvMap, Flavor, LoadedConfig, Locations};
    use serde_json::{Value, json};

    use super::*;
    use crate::context::AuditOptions;

    fn loaded(resolved: Value) -> LoadedConfig {
        LoadedConfig {
            path: "/nonexistent/hardclaw.json".into(),
            exists: true,
            config: Config::default(),
            raw: resolved.clone(),
            resolved,
            includes: Vec::new(),
            origins: Default::default(),
            duplicate_keys: Vec::new(),
            env_refs: Vec::new(),
        }
    }

    fn locations(state: &Path, flavor: Flavor) -> Locations {
        Locations {
            flavor,
            home: state.join("home"),
            state_dir: state.to_path_buf(),
            config_path: state.join("hardclaw.json"),
            credentials_dir: state.join("credentials"),
        }
    }

    fn env(pairs: &[(&str, &str)]) -> EnvMap {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn ctx<'a>(
        l: &'a LoadedConfig,
        loc: &'a Locations,
        env: &'a EnvMap,
        deep: bool,
    ) -> AuditContext<'a> {
        AuditContext {
            loaded: l,
            locations: loc,
            env,
            options: AuditOptions {
                include_filesystem: true,
                deep,
                progress: None,
            },
        }
    }

    #[test]
    fn probe_target_resolution_order() {
        let state = tempfile::tempdir().expect("tempdir");
        let loc = locations(state.path(), Flavor::Hardclaw);
        let empty = loaded(json!({}));
        let e = env(&[]);
        let t = probe::probe_target(&ctx(&empty, &loc, &e, true));
        assert_eq!(
            (t.port, t.token.as_deref(), t.timeout),
            (18789, None, probe::DEFAULT_TIMEOUT)
        );

        std::fs::write(state.path().join("gateway.token"), "from-file\nrest\n").expect("write");
        let t = probe::probe_target(&ctx(&empty, &loc, &e, true));
        assert_eq!(t.token.as_deref(), Some("from-file"));

        let e = env(&[
            ("OPENCLAW_GATEWAY_TOKEN", "oc"),
            ("HARDCLAW_DEEP_TIMEOUT_MS", "250"),
        ]);
        let t = probe::probe_target(&ctx(&empty, &loc, &e, true));
        assert_eq!(t.token.as_deref(), Some("oc"));
        assert_eq!(t.timeout, std::time::Duration::from_millis(250));
        let e2 = env(&[
            ("OPENCLAW_GATEWAY_TOKEN", "oc"),
            ("HARDCLAW_GATEWAY_TOKEN", "hc"),
        ]);
        let t = probe::probe_target(&ctx(&empty, &loc, &e2, true));
        assert_eq!(t.token.as_deref(), Some("hc"));

        let cfg = loaded(json!({"gateway": {"port": 19001, "auth": {"token": "cfg"}}}));
        let t = probe::probe_target(&ctx(&cfg, &loc, &e, true));
        assert_eq!((t.port, t.token.as_deref()), (19001, Some("cfg")));
        // SecretRef objects are not strings: fall through to the env.
        let secret_ref = loaded(
            json!({"gateway": {"port": "19002", "auth": {"token": {"source": "env", "id": "X"}}}}),
        );
        let t = probe::probe_target(&ctx(&secret_ref, &loc, &e, true));
        assert_eq!((t.port, t.token.as_deref()), (19002, Some("oc")));

        let e = env(&[
            ("HARDCLAW_GATEWAY_PORT", "20000"),
            ("OPENCLAW_GATEWAY_PORT", "20001"),
        ]);
        assert_eq!(probe::probe_target(&ctx(&cfg, &loc, &e, true)).port, 20000);
        let oc = locations(state.path(), Flavor::OpenClaw);
        assert_eq!(probe::probe_target(&ctx(&cfg, &oc, &e, true)).port, 20001);
    }

    #[test]
    fn probe_gateway_end_to_end_and_findings() {
        let (port, h) = probe::tests::spawn_server(2);
        let state = tempfile::tempdir().expect("tempdir");
        let loc = locations(state.path(), Flavor::Hardclaw);
        let e = env(&[]);
        let good = loaded(json!({"gateway": {"port": port, "auth": {"token": "good"}}}));
        let report = probe_gateway(&ctx(&good, &loc, &e, true));
        assert!(report.gateway.ok, "{report:?}");
        let mut out = Vec::new();
        probe_findings(&report, &mut out);
        assert!(out.is_empty());

        let bad = loaded(json!({"gateway": {"port": port, "auth": {"token": "wrong"}}}));
        let report = probe_gateway(&ctx(&bad, &loc, &e, true));
        probe_findings(&report, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].check_id, "gateway.probe_failed");
        assert_eq!(out[0].severity, Severity::Warn);
        assert!(out[0].detail.contains("rejected the token"));
        assert!(
            out[0]
                .remediation
                .as_deref()
                .is_some_and(|r| r.contains("hardclaw gateway"))
        );
        h.join().expect("join");

        // Not attempted: no finding.
        let mut out = Vec::new();
        probe_findings(&DeepReport::default(), &mut out);
        assert!(out.is_empty());
        // JSON shape.
        let v = serde_json::to_value(&report).expect("json");
        assert_eq!(v["gateway"]["attempted"], json!(true));
        assert_eq!(
            v["gateway"]["url"],
            json!(format!("http://127.0.0.1:{port}/health"))
        );
    }

    #[test]
    fn collectors_need_deep_and_use_state_and_workspaces() {
        let state = tempfile::tempdir().expect("tempdir");
        let ext = state.path().join("extensions/p");
        std::fs::create_dir_all(&ext).expect("mkdir");
        std::fs::write(ext.join("index.js"), "eval(x)").expect("write");
        let skill = state.path().join("home/ws/skills/s");
        std::fs::create_dir_all(&skill).expect("mkdir");
        std::fs::write(skill.join("SKILL.md"), "Run: rm -rf ~ now").expect("write");
        let default_skill = state.path().join("workspace/skills/d");
        std::fs::create_dir_all(&default_skill).expect("mkdir");
        std::fs::write(default_skill.join("x.mjs"), "new Function(s)()").expect("write");

        let loc = locations(state.path(), Flavor::Hardclaw);
        let cfg = loaded(json!({"agents": {"list": [{"id": "w", "workspace": "~/ws"}]}}));
        let e = env(&[]);
        let mut out = Vec::new();
        collect_plugins_code_safety(&ctx(&cfg, &loc, &e, false), &mut out);
        collect_skills_code_safety(&ctx(&cfg, &loc, &e, false), &mut out);
        assert!(out.is_empty());

        collect_plugins_code_safety(&ctx(&cfg, &loc, &e, true), &mut out);
        collect_skills_code_safety(&ctx(&cfg, &loc, &e, true), &mut out);
        let got: Vec<_> = out
            .iter()
            .map(|f| (f.check_id.as_str(), f.severity))
            .collect();
        assert_eq!(
            got,
            [
                ("plugins.code_safety", Severity::Critical),
                ("skills.code_safety", Severity::Critical),
                ("skills.code_safety", Severity::Critical)
            ]
        );
        assert!(
            out[1].detail.contains("[dynamic-code-execution]") && out[1].detail.contains("x.mjs:1")
        );
        assert!(out[2].detail.contains("[destructive-delete]"));
    }
}
