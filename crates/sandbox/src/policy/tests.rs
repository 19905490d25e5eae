use std::collections::BTreeMap;

use hardclaw_config::schema::Config;

use super::*;
use crate::mounts::HostKind;

fn config(json: &str) -> Config {
    serde_json::from_str(json).unwrap()
}

fn inputs() -> SandboxInputs {
    SandboxInputs {
        state_dir: "/home/u/.hardclaw".into(),
        config_path: "/home/u/.hardclaw/hardclaw.json".into(),
        home: "/home/u".into(),
    }
}

#[test]
fn defaults_are_off_none_and_the_state_workspace() {
    let eff = resolve(&config("{}"), "main", None, &inputs());
    assert_eq!(eff.mode, "off");
    assert!(!eff.session_sandboxed);
    assert_eq!(eff.workspace_access, WorkspaceMode::None);
    assert_eq!(eff.workspace, PathBuf::from("/home/u/.hardclaw/workspace"));
    assert_eq!(eff.scope, "agent");
}

#[test]
fn agent_overrides_defaults_field_by_field() {
    let c = config(
        r#"{"agents":{"defaults":{"sandbox":{"mode":"non-main","workspaceAccess":"ro"}},
            "list":[{"id":"main"},{"id":"ops","workspace":"~/ops","sandbox":{"mode":"all"}}]}}"#,
    );
    let main = resolve(&c, "main", None, &inputs());
    assert_eq!(main.mode, "non-main");
    assert!(!main.session_sandboxed);
    let dm = resolve(
        &c,
        "main",
        Some("agent:main:whatsapp:direct:+1555"),
        &inputs(),
    );
    assert!(dm.session_sandboxed);
    let ops = resolve(&c, "ops", None, &inputs());
    assert_eq!(ops.mode, "all");
    assert_eq!(ops.mode_source, "agents.list[1].sandbox.mode");
    assert_eq!(ops.workspace_access, WorkspaceMode::Ro);
    assert_eq!(ops.workspace, PathBuf::from("/home/u/ops"));
}

#[test]
fn non_default_agents_get_their_own_workspace() {
    let c = config(r#"{"agents":{"list":[{"id":"main","default":true},{"id":"b"}]}}"#);
    let b = resolve(&c, "b", None, &inputs());
    assert_eq!(b.workspace, PathBuf::from("/home/u/.hardclaw/workspace-b"));
}

struct Fake(BTreeMap<&'static str, HostKind>);
impl HostView for Fake {
    fn kind(&self, path: &Path) -> Option<HostKind> {
        self.0.get(path.to_str()?).cloned()
    }
    fn is_dir(&self, path: &Path) -> bool {
        matches!(self.kind(path), Some(HostKind::Dir))
    }
}

fn eff(ws: &str, access: WorkspaceMode) -> EffectiveSandbox {
    let mut e = resolve(&config("{}"), "main", None, &inputs());
    e.workspace = ws.into();
    e.workspace_access = access;
    e
}

#[test]
fn unsafe_workspaces_are_refused() {
    let host = Fake(BTreeMap::from([
        ("/", HostKind::Dir),
        ("/home/u/.hardclaw", HostKind::Dir),
        ("/home/u/ws", HostKind::Dir),
    ]));
    let build = |ws: &str| {
        build_spec(
            &eff(ws, WorkspaceMode::Rw),
            &inputs(),
            vec!["true".into()],
            &[],
            &Limits::default(),
            None,
            &host,
        )
    };
    assert!(matches!(build("/"), Err(Refusal::Plan(_))));
    assert!(matches!(build("/home/u/.hardclaw"), Err(Refusal::Plan(_))));
    assert!(matches!(build("relative"), Err(Refusal::Plan(_))));
    assert!(matches!(build("/home/u/missing"), Err(Refusal::Plan(_))));
    let spec = build("/home/u/ws").unwrap();
    assert_eq!(spec.cwd, "/workspace");
    assert_eq!(spec.pid_max, 256);
    assert!(spec.proxy_socket.is_none());
}

#[test]
fn empty_command_is_refused() {
    let host = Fake(BTreeMap::new());
    let r = build_spec(
        &eff("/x", WorkspaceMode::None),
        &inputs(),
        vec![],
        &[],
        &Limits::default(),
        None,
        &host,
    );
    assert_eq!(r, Err(Refusal::Plan("no command given".into())));
}

#[test]
fn spec_round_trips_through_the_trampoline_argument() {
    let host = Fake(BTreeMap::from([
        ("/usr", HostKind::Dir),
        ("/w", HostKind::Dir),
    ]));
    let spec = build_spec(
        &eff("/w", WorkspaceMode::Ro),
        &inputs(),
        vec!["ls".into(), "-la".into()],
        &[("LANG".into(), "C".into())],
        &Limits::default(),
        Some("/run/p.sock".into()),
        &host,
    )
    .unwrap();
    assert_eq!(SandboxSpec::decode(&spec.encode().unwrap()).unwrap(), spec);
}
