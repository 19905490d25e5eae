use std::collections::BTreeMap;

use super::*;

struct Fake(BTreeMap<&'static str, HostKind>);

impl HostView for Fake {
    fn kind(&self, path: &Path) -> Option<HostKind> {
        self.0.get(path.to_str()?).cloned()
    }
    fn is_dir(&self, path: &Path) -> bool {
        matches!(self.kind(path), Some(HostKind::Dir))
    }
}

fn debian() -> Fake {
    Fake(BTreeMap::from([
        ("/usr", HostKind::Dir),
        ("/bin", HostKind::Symlink("usr/bin".into())),
        ("/lib", HostKind::Symlink("usr/lib".into())),
        ("/lib64", HostKind::Symlink("usr/lib64".into())),
        ("/etc", HostKind::Dir),
        ("/etc/shadow", HostKind::File),
        ("/etc/ssh", HostKind::Dir),
        ("/home/u/ws", HostKind::Dir),
        ("/home/u/.ssh", HostKind::Dir),
        ("/home/u/.hardclaw", HostKind::Dir),
        ("/home/u/.hardclaw/hardclaw.json", HostKind::File),
        (
            "/home/u/ws/.env-link",
            HostKind::Symlink("/etc/passwd".into()),
        ),
    ]))
}

fn inputs(ws: &str, access: WorkspaceMode) -> MountInputs {
    MountInputs {
        workspace: Some(PathBuf::from(ws)),
        access,
        protected: vec![
            PathBuf::from("/home/u/.hardclaw"),
            PathBuf::from("/home/u/.hardclaw/hardclaw.json"),
            PathBuf::from("/home/u/.ssh"),
        ],
        proxy_socket: Some(PathBuf::from("/run/user/p.sock")),
        tmpfs_size: 1 << 20,
    }
}

#[test]
fn system_dirs_read_only_symlinks_recreated_secrets_masked() {
    let plan = mount_plan(&inputs("/home/u/ws", WorkspaceMode::Rw), &debian());
    assert_eq!(
        plan[..5].to_vec(),
        vec![
            Mount::Bind {
                source: "/usr".into(),
                target: "/usr".into(),
                writable: false
            },
            Mount::Symlink {
                target: "/bin".into(),
                to: "usr/bin".into()
            },
            Mount::Symlink {
                target: "/lib".into(),
                to: "usr/lib".into()
            },
            Mount::Symlink {
                target: "/lib64".into(),
                to: "usr/lib64".into()
            },
            Mount::Bind {
                source: "/etc".into(),
                target: "/etc".into(),
                writable: false
            },
        ]
    );
    assert!(plan.contains(&Mount::MaskFile {
        target: "/etc/shadow".into()
    }));
    assert!(plan.contains(&Mount::MaskDir {
        target: "/etc/ssh".into()
    }));
    assert!(plan.contains(&Mount::Proc {
        target: "/proc".into()
    }));
    assert!(plan.contains(&Mount::Device {
        target: "/dev/null".into()
    }));
    assert_eq!(plan.last(), Some(&Mount::ReadOnly { target: "/".into() }));
    // Nothing of the home or state dir is mounted when the workspace is elsewhere.
    assert!(!plan.iter().any(|m| m.target().starts_with("/home")));
}

#[test]
fn workspace_per_access() {
    let rw = mount_plan(&inputs("/home/u/ws", WorkspaceMode::Rw), &debian());
    assert!(rw.contains(&Mount::Bind {
        source: "/home/u/ws".into(),
        target: "/workspace".into(),
        writable: true
    }));
    let ro = mount_plan(&inputs("/home/u/ws", WorkspaceMode::Ro), &debian());
    assert!(ro.contains(&Mount::Bind {
        source: "/home/u/ws".into(),
        target: "/workspace".into(),
        writable: false
    }));
    let mut none_in = inputs("/home/u/ws", WorkspaceMode::None);
    none_in.workspace = None;
    let none = mount_plan(&none_in, &debian());
    assert!(none.contains(&Mount::Tmpfs {
        target: "/workspace".into(),
        size: 1 << 20,
        mode: 0o755
    }));
    assert!(
        !none
            .iter()
            .any(|m| matches!(m, Mount::Bind { target, .. } if target == "/workspace"))
    );
}

#[test]
fn protected_paths_inside_the_workspace_are_masked_once() {
    let plan = mount_plan(&inputs("/home/u", WorkspaceMode::Rw), &debian());
    assert!(plan.contains(&Mount::MaskDir {
        target: "/workspace/.hardclaw".into()
    }));
    assert!(plan.contains(&Mount::MaskDir {
        target: "/workspace/.ssh".into()
    }));
    // The config lies under the masked state dir: no second mask (its mount point is gone).
    assert!(
        !plan
            .iter()
            .any(|m| m.target() == "/workspace/.hardclaw/hardclaw.json")
    );
}

#[test]
fn proxy_socket_is_bound_at_the_fixed_path() {
    let plan = mount_plan(&inputs("/home/u/ws", WorkspaceMode::Rw), &debian());
    assert!(plan.contains(&Mount::Bind {
        source: "/run/user/p.sock".into(),
        target: PROXY_SOCKET.into(),
        writable: true
    }));
}
