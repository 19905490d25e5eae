//! Check family `sandbox_kernel` (hardclaw): what the kernel sandbox gives each agent whose
//! `sandbox.mode` is not `off` (`sandbox.effective`, info), and whether this kernel can provide
//! it at all (`sandbox.kernel_unsupported`, critical: exec is then unavailable for those
//! agents — hardclaw never falls back to the host).
//!
//! The kernel probe is `hardclaw_sandbox::kernel_support()`: cached, no fork.

use hardclaw_config::schema::Config;
use hardclaw_sandbox::{KernelSupport, SandboxInputs, kernel_support, resolve};

use crate::context::AuditContext;
use crate::finding::{Finding, Severity};

/// Appends this family's findings.
pub(super) fn collect(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    let inputs = SandboxInputs {
        state_dir: ctx.locations.state_dir.clone(),
        config_path: ctx.locations.config_path.clone(),
        home: ctx.locations.home.clone(),
    };
    collect_with(ctx.config(), &inputs, &kernel_support(), out);
}

/// The agents to report: every `agents.list[]` entry, or the implied `main`.
fn agents(config: &Config) -> Vec<(String, String)> {
    let list = config.agent_list();
    if list.is_empty() {
        return vec![("main".into(), "agents.defaults.sandbox".into())];
    }
    list.iter()
        .enumerate()
        .map(|(i, a)| (a.id.clone(), format!("agents.list[{i}].sandbox")))
        .collect()
}

fn collect_with(
    config: &Config,
    inputs: &SandboxInputs,
    kernel: &KernelSupport,
    out: &mut Vec<Finding>,
) {
    let mut sandboxed = Vec::new();
    for (id, path) in agents(config) {
        let eff = resolve(config, &id, None, inputs);
        if eff.mode == "off" {
            continue;
        }
        out.push(
            Finding::new(
                "sandbox.effective",
                Severity::Info,
                format!("Agent \"{}\" exec sandbox", eff.agent_id),
                format!(
                    "mode {} ({}), workspace {} at /workspace ({}), network proxy-only \
(own network namespace with loopback only; HTTP(S) through the allowlisting proxy), \
namespaces user/mount/pid/ipc/uts/net, Landlock, seccomp deny set, no capabilities. \
sandbox.docker settings are not used by hardclaw.",
                    eff.mode,
                    eff.mode_source,
                    match eff.workspace_access {
                        hardclaw_sandbox::WorkspaceMode::None => "not mounted (empty scratch)",
                        hardclaw_sandbox::WorkspaceMode::Ro => "read-only",
                        hardclaw_sandbox::WorkspaceMode::Rw => "read-write",
                    },
                    eff.workspace.display(),
                ),
            )
            .at(path),
        );
        sandboxed.push(eff.agent_id);
    }
    if let (false, Some((feature, detail))) = (sandboxed.is_empty(), kernel.missing()) {
        out.push(
            Finding::new(
                "sandbox.kernel_unsupported",
                Severity::Critical,
                format!("The kernel cannot provide {feature} for the exec sandbox"),
                format!(
                    "Agents {} run exec sandboxed, but {detail}. hardclaw refuses sandboxed exec \
instead of running it on the host, so exec is unavailable for them.",
                    sandboxed.join(", ")
                ),
            )
            .remediation(format!(
                "Enable {feature} on this host (see docs/sandbox.md), or run the gateway on a \
kernel that has it."
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::checks::test_assert::{absent, expect};

    fn inputs() -> SandboxInputs {
        SandboxInputs {
            state_dir: "/s".into(),
            config_path: "/s/hardclaw.json".into(),
            home: "/h".into(),
        }
    }

    fn full() -> KernelSupport {
        KernelSupport {
            landlock_abi: 7,
            userns_blocked: None,
            seccomp: true,
        }
    }

    fn run(raw: serde_json::Value, kernel: &KernelSupport) -> Vec<Finding> {
        let config = Config::from_value(&raw).unwrap();
        let mut out = Vec::new();
        collect_with(&config, &inputs(), kernel, &mut out);
        out
    }

    #[test]
    fn reports_each_sandboxed_agent() {
        let f = run(
            json!({"agents": {"defaults": {"sandbox": {"mode": "all", "workspaceAccess": "rw"}},
                "list": [{"id": "main"}, {"id": "ops", "sandbox": {"mode": "off"}}]}}),
            &full(),
        );
        let e = expect(
            &f,
            "sandbox.effective",
            Severity::Info,
            "agents.list[0].sandbox",
        );
        assert!(e.detail.contains("read-write"), "{}", e.detail);
        assert!(e.detail.contains("proxy-only"), "{}", e.detail);
        assert_eq!(f.len(), 1);
        absent(&f, "sandbox.kernel_unsupported");
    }

    #[test]
    fn off_everywhere_reports_nothing() {
        let f = run(json!({}), &full());
        assert!(f.is_empty());
        let f = run(
            json!({}),
            &KernelSupport {
                landlock_abi: 0,
                userns_blocked: None,
                seccomp: true,
            },
        );
        assert!(f.is_empty());
    }

    #[test]
    fn missing_kernel_feature_is_critical_and_named() {
        let kernel = KernelSupport {
            landlock_abi: 3,
            userns_blocked: None,
            seccomp: true,
        };
        let f = run(
            json!({"agents": {"defaults": {"sandbox": {"mode": "non-main"}}}}),
            &kernel,
        );
        let c = f
            .iter()
            .find(|x| x.check_id == "sandbox.kernel_unsupported")
            .unwrap();
        assert_eq!(c.severity, Severity::Critical);
        assert!(c.title.contains("Landlock ABI ≥ 4"), "{}", c.title);
        assert!(c.detail.contains("ABI 3"), "{}", c.detail);

        let userns = KernelSupport {
            landlock_abi: 7,
            userns_blocked: Some("user.max_user_namespaces is 0".into()),
            seccomp: true,
        };
        let f = run(
            json!({"agents": {"defaults": {"sandbox": {"mode": "all"}}}}),
            &userns,
        );
        let c = f
            .iter()
            .find(|x| x.check_id == "sandbox.kernel_unsupported")
            .unwrap();
        assert!(c.title.contains("user namespaces"));
    }
}
