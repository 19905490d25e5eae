//! Check family `sandbox` (reference §1.8, config checks): docker settings that never take
//! effect, dangerous bind mounts, host/namespace networking, unconfined seccomp/AppArmor, and
//! the sandbox browser's CDP port on a shared bridge.
//!
//! The container checks (`sandbox.browser_container.*`) need a Docker engine; hardclaw does not
//! use Docker, so they are not implemented.
//!
//! Deliberate extension: a bind source that is an *ancestor* of a blocked path (`/var` covers
//! `/var/run`) is reported as "covers", not only `/`.

use hardclaw_config::schema::{Config, Docker, SandboxBrowser, SandboxMode};
use hardclaw_policy::sandbox_mode;
use serde_json::Value;

use super::exec_runtime::normalize_abs;
use crate::context::AuditContext;
use crate::finding::{Finding, Severity};

/// Host paths a sandbox must never see (`validate-sandbox-security.ts`).
const BLOCKED_HOST_PATHS: &[&str] = &[
    "/etc",
    "/private/etc",
    "/proc",
    "/sys",
    "/dev",
    "/boot",
    "/root",
    "/run",
    "/var/run",
    "/private/var/run",
    "/var/run/docker.sock",
    "/private/var/run/docker.sock",
    "/run/docker.sock",
];

/// Default network of the sandbox browser container.
const DEFAULT_BROWSER_NETWORK: &str = "openclaw-sandbox-browser";

/// Appends this family's findings.
pub(super) fn collect(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let config = ctx.config();
    docker_noop(config, &ctx.loaded.resolved, out);
    for (label, path, docker) in docker_blocks(config) {
        dangerous(&label, &path, docker, out);
    }
    browser_bridge(config, out);
}

/// `(OpenClaw label, JSON path, block)` for the defaults and every agent.
fn docker_blocks(config: &Config) -> Vec<(String, String, &Docker)> {
    let mut v = Vec::new();
    if let Some(d) = config
        .agent_defaults()
        .and_then(|d| d.sandbox.as_ref())
        .and_then(|s| s.docker.as_ref())
    {
        v.push((
            "agents.defaults.sandbox.docker".to_string(),
            "agents.defaults.sandbox.docker".to_string(),
            d,
        ));
    }
    for (i, a) in config.agent_list().iter().enumerate() {
        if let Some(d) = a.sandbox.as_ref().and_then(|s| s.docker.as_ref()) {
            v.push((
                format!("agents.list.{}.sandbox.docker", a.id),
                format!("agents.list[{i}].sandbox.docker"),
                d,
            ));
        }
    }
    v
}

/// Any key written in the docker block ("has any defined value").
fn docker_configured(resolved: &Value, pointer: &str) -> bool {
    resolved
        .pointer(pointer)
        .and_then(Value::as_object)
        .is_some_and(|o| !o.is_empty())
}

fn docker_noop(config: &Config, resolved: &Value, out: &mut Vec<Finding>) {
    let mut paths = Vec::new();
    let mut first = None;
    let agents = config.agent_list();
    let defaults = config.agent_defaults().and_then(|d| d.sandbox.as_ref());
    let default_mode = defaults.and_then(|s| s.mode).unwrap_or(SandboxMode::Off);
    let any_agent_sandboxed =
        (0..agents.len()).any(|i| sandbox_mode(config, Some(i)).0 != SandboxMode::Off);
    if docker_configured(resolved, "/agents/defaults/sandbox/docker")
        && default_mode == SandboxMode::Off
        && !any_agent_sandboxed
    {
        paths.push("agents.defaults.sandbox.docker".to_string());
        first.get_or_insert("agents.defaults.sandbox.docker".to_string());
    }
    for (i, a) in agents.iter().enumerate() {
        let configured = docker_configured(resolved, &format!("/agents/list/{i}/sandbox/docker"));
        if configured && sandbox_mode(config, Some(i)).0 == SandboxMode::Off {
            paths.push(format!("agents.list.{}.sandbox.docker", a.id));
            first.get_or_insert(format!("agents.list[{i}].sandbox.docker"));
        }
    }
    let Some(path) = first else {
        return;
    };
    out.push(
        Finding::new(
            "sandbox.docker_config_mode_off",
            Severity::Warn,
            "Sandbox docker settings configured while sandbox mode is off",
            format!(
                "These docker settings will not take effect until sandbox mode is enabled:\n{}",
                paths.iter().map(|p| format!("- {p}")).collect::<Vec<_>>().join("\n")
            ),
        )
        .remediation("Enable sandbox mode (`agents.defaults.sandbox.mode=\"non-main\"` or `\"all\"`) where needed, or remove unused docker settings.")
        .at(path),
    );
}

/// Why a bind is rejected.
#[derive(Debug, PartialEq, Eq)]
enum BlockedBind {
    NonAbsolute(String),
    /// The source covers (is an ancestor of, or is) a blocked path.
    Covers(String),
    /// The source is, or is under, a blocked path.
    Targets(String),
}

fn blocked_bind(bind: &str) -> Option<BlockedBind> {
    let source = bind.split(':').next().unwrap_or("").trim();
    if !source.starts_with('/') {
        return Some(BlockedBind::NonAbsolute(source.to_string()));
    }
    let n = normalize_abs(source);
    if n == "/" {
        return Some(BlockedBind::Covers("/".to_string()));
    }
    for blocked in BLOCKED_HOST_PATHS {
        if n == *blocked || n.starts_with(&format!("{blocked}/")) {
            return Some(BlockedBind::Targets((*blocked).to_string()));
        }
    }
    BLOCKED_HOST_PATHS
        .iter()
        .find(|b| b.starts_with(&format!("{n}/")))
        .map(|b| BlockedBind::Covers((*b).to_string()))
}

fn dangerous(label: &str, path: &str, docker: &Docker, out: &mut Vec<Finding>) {
    for (j, bind) in docker.binds.iter().flatten().enumerate() {
        match blocked_bind(bind) {
            None => {}
            Some(BlockedBind::NonAbsolute(source)) => out.push(
                Finding::new(
                    "sandbox.bind_mount_non_absolute",
                    Severity::Warn,
                    "Sandbox bind mount uses a non-absolute source path",
                    format!("{label}.binds contains \"{bind}\" which uses source path \"{source}\". Non-absolute bind sources are hard to validate safely and may resolve unexpectedly."),
                )
                .remediation(format!("Rewrite \"{bind}\" to use an absolute host path (for example: /home/user/project:/project:ro)."))
                .at(format!("{path}.binds[{j}]")),
            ),
            Some(BlockedBind::Covers(b) | BlockedBind::Targets(b)) => {
                let verb = if matches!(blocked_bind(bind), Some(BlockedBind::Covers(_))) { "covers" } else { "targets" };
                out.push(
                    Finding::new(
                        "sandbox.dangerous_bind_mount",
                        Severity::Critical,
                        "Dangerous bind mount in sandbox config",
                        format!("{label}.binds contains \"{bind}\" which {verb} blocked path \"{b}\". This can expose host system directories or the Docker socket to sandbox containers."),
                    )
                    .remediation(format!("Remove \"{bind}\" from {label}.binds. Use project-specific paths instead."))
                    .at(format!("{path}.binds[{j}]")),
                );
            }
        }
    }
    if let Some(network) = docker.network.as_deref() {
        let n = network.trim().to_ascii_lowercase();
        if n == "host" || n.starts_with("container:") {
            let detail = if n == "host" {
                format!(
                    "{label}.network is \"host\" which bypasses container network isolation entirely."
                )
            } else {
                format!(
                    "{label}.network is \"{network}\" which joins another container namespace and can bypass sandbox network isolation."
                )
            };
            out.push(
                Finding::new(
                    "sandbox.dangerous_network_mode",
                    Severity::Critical,
                    "Dangerous network mode in sandbox config",
                    detail,
                )
                .remediation(format!(
                    "Set {label}.network to \"bridge\", \"none\", or a custom bridge network name."
                ))
                .at(format!("{path}.network")),
            );
        }
    }
    if docker
        .seccomp_profile
        .as_deref()
        .is_some_and(|p| p.trim().eq_ignore_ascii_case("unconfined"))
    {
        out.push(
            Finding::new(
                "sandbox.dangerous_seccomp_profile",
                Severity::Critical,
                "Seccomp unconfined in sandbox config",
                format!(
                    "{label}.seccompProfile is \"unconfined\" which disables syscall filtering."
                ),
            )
            .remediation(format!(
                "Remove {label}.seccompProfile or use a custom seccomp profile file."
            ))
            .at(format!("{path}.seccompProfile")),
        );
    }
    if docker
        .apparmor_profile
        .as_deref()
        .is_some_and(|p| p.trim().eq_ignore_ascii_case("unconfined"))
    {
        out.push(
            Finding::new(
                "sandbox.dangerous_apparmor_profile",
                Severity::Critical,
                "AppArmor unconfined in sandbox config",
                format!(
                    "{label}.apparmorProfile is \"unconfined\" which disables AppArmor enforcement."
                ),
            )
            .remediation(format!(
                "Remove {label}.apparmorProfile or use a named AppArmor profile."
            ))
            .at(format!("{path}.apparmorProfile")),
        );
    }
}

/// The resolved sandbox browser of a context: agent keys over defaults.
fn browser_of(config: &Config, index: Option<usize>) -> (bool, String, Option<String>) {
    let d: Option<&SandboxBrowser> = config
        .agent_defaults()
        .and_then(|d| d.sandbox.as_ref())
        .and_then(|s| s.browser.as_ref());
    let a: Option<&SandboxBrowser> = index
        .and_then(|i| config.agent_list().get(i))
        .and_then(|a| a.sandbox.as_ref())
        .and_then(|s| s.browser.as_ref());
    let enabled = a
        .and_then(|b| b.enabled)
        .or(d.and_then(|b| b.enabled))
        .unwrap_or(false);
    let network = a
        .and_then(|b| b.network.clone())
        .or(d.and_then(|b| b.network.clone()))
        .unwrap_or_else(|| DEFAULT_BROWSER_NETWORK.to_string());
    let range = a
        .and_then(|b| b.cdp_source_range.clone())
        .or(d.and_then(|b| b.cdp_source_range.clone()))
        .filter(|r| !r.trim().is_empty());
    (enabled, network, range)
}

fn browser_bridge(config: &Config, out: &mut Vec<Finding>) {
    let mut labels = Vec::new();
    let mut first = None;
    let exposed = |i: Option<usize>| {
        let (enabled, network, range) = browser_of(config, i);
        enabled && network.trim().eq_ignore_ascii_case("bridge") && range.is_none()
    };
    if exposed(None) {
        labels.push("agents.defaults.sandbox.browser".to_string());
        first.get_or_insert("agents.defaults.sandbox.browser".to_string());
    }
    for (i, a) in config.agent_list().iter().enumerate() {
        if exposed(Some(i)) {
            labels.push(format!("agents.list.{}.sandbox.browser", a.id));
            let own = a
                .sandbox
                .as_ref()
                .and_then(|s| s.browser.as_ref())
                .is_some();
            first.get_or_insert(if own {
                format!("agents.list[{i}].sandbox.browser")
            } else {
                "agents.defaults.sandbox.browser".to_string()
            });
        }
    }
    let Some(path) = first else {
        return;
    };
    out.push(
        Finding::new(
            "sandbox.browser_cdp_bridge_unrestricted",
            Severity::Warn,
            "Sandbox browser CDP may be reachable by peer containers",
            format!(
                "These sandbox browser configs use Docker bridge networking with no CDP source restriction:\n{}",
                labels.iter().map(|p| format!("- {p}")).collect::<Vec<_>>().join("\n")
            ),
        )
        .remediation("Set sandbox.browser.network to a dedicated bridge network (recommended default: openclaw-sandbox-browser), or set sandbox.browser.cdpSourceRange (for example 172.21.0.1/32) to restrict container-edge CDP ingress.")
        .at(path),
    );
}

#[cfg(test)]
#[path = "sandbox_tests.rs"]
mod tests;
