//! `hardclaw sandbox run` through the real binary: an escape battery where every attempt
//! must fail, the neighbours that must keep working, and the refusals (exit 126 + reason).

use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Output;
use std::time::{Duration, Instant};

use crate::suite::common::Home;

const KEY: &str = "FAKE-PRIVATE-KEY-0123456789";

struct Sandbox {
    home: Home,
    ws: PathBuf,
}

impl Sandbox {
    /// A home with `~/.ssh/id_rsa`, a config with `mode: all` and `workspaceAccess`, and a
    /// workspace `<home>/ws`.
    fn new(access: &str) -> Sandbox {
        let home = Home::new();
        home.write_config(&format!(
            "{{ agents: {{ defaults: {{ sandbox: {{ mode: \"all\", workspaceAccess: \"{access}\" }} }} }} }}"
        ));
        let ssh = home.dir.path().join(".ssh");
        std::fs::create_dir(&ssh).unwrap();
        std::fs::write(ssh.join("id_rsa"), KEY).unwrap();
        std::fs::write(home.state().join("secret.txt"), KEY).unwrap();
        let ws = home.dir.path().join("ws");
        std::fs::create_dir(&ws).unwrap();
        Sandbox { home, ws }
    }

    fn run_in(&self, ws: &std::path::Path, timeout: u64, argv: &[&str]) -> Output {
        let mut cmd = self.home.cmd();
        cmd.env("LD_PRELOAD", "/nonexistent/evil.so")
            .env("OPENAI_API_KEY", "sk-host-secret")
            .arg("sandbox")
            .arg("run")
            .arg("--workspace")
            .arg(ws)
            .arg("--timeout")
            .arg(timeout.to_string())
            .arg("--")
            .args(argv);
        cmd.output().unwrap()
    }

    fn run(&self, argv: &[&str]) -> Output {
        self.run_in(&self.ws, 30, argv)
    }

    fn sh(&self, script: &str) -> Output {
        self.run(&["bash", "-c", script])
    }

    fn host(&self, rel: &str) -> String {
        self.home.dir.path().join(rel).display().to_string()
    }
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\n--stdout\n{}\n--stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn assert_no_key(o: &Output) {
    let t = text(o);
    assert!(!t.contains(KEY), "secret leaked:\n{t}");
}

// ---------------------------------------------------------------- escape battery

#[test]
fn escape_write_outside_the_workspace_fails() {
    let sb = Sandbox::new("rw");
    let target = sb.host("pwned");
    let state = format!("{}/pwned", sb.home.state().display());
    let o = sb.sh(&format!(
        "for f in /pwned /etc/pwned /usr/pwned /proc/pwned /dev/pwned {target} {state} /workspace/../pwned; do \
           if echo x > $f 2>/dev/null; then echo WROTE $f; fi; done; echo done"
    ));
    let t = text(&o);
    assert!(t.contains("done"), "{t}");
    assert!(!t.contains("WROTE"), "{t}");
    assert!(!std::path::Path::new(&target).exists());
    assert!(!std::path::Path::new(&state).exists());
}

#[test]
fn escape_read_ssh_key_and_state_dir_fails() {
    let sb = Sandbox::new("rw");
    let o = sb.sh(&format!(
        "cat {k} ~/.ssh/id_rsa {s}/secret.txt {s}/hardclaw.json /workspace/../.ssh/id_rsa; \
         ls -la / /workspace/.. ; find / -name id_rsa 2>/dev/null; echo done",
        k = sb.host(".ssh/id_rsa"),
        s = sb.home.state().display()
    ));
    assert!(text(&o).contains("done"));
    assert_no_key(&o);
}

#[test]
fn escape_workspace_that_contains_home_secrets_sees_them_masked() {
    let sb = Sandbox::new("rw");
    // The whole fake home as the workspace: ~/.ssh and the state dir lie inside it.
    let o = sb.run_in(
        sb.home.dir.path(),
        30,
        &["bash", "-c", "cat /workspace/.ssh/id_rsa /workspace/.hardclaw/secret.txt /workspace/.hardclaw/hardclaw.json; ls /workspace/.ssh /workspace/.hardclaw; echo done"],
    );
    assert!(text(&o).contains("done"), "{}", text(&o));
    assert_no_key(&o);
}

#[test]
fn escape_proc_root_tricks_fail() {
    let sb = Sandbox::new("rw");
    let k = sb.host(".ssh/id_rsa");
    let o = sb.sh(&format!(
        "cat /proc/1/root{k} /proc/self/root{k} /proc/1/cwd/.ssh/id_rsa; \
         ls /proc/1/root/ /proc/1/fd/; cat /proc/1/environ; cat /proc/1/mem; echo done"
    ));
    let t = text(&o);
    assert!(t.contains("done"), "{t}");
    assert_no_key(&o);
    assert!(t.contains("/proc/1/root/': Permission denied"), "{t}");
}

#[test]
fn escape_symlink_hardlink_and_dotdot_fail() {
    let sb = Sandbox::new("rw");
    let k = sb.host(".ssh/id_rsa");
    // Planted on the host before the run.
    std::os::unix::fs::symlink(&k, sb.ws.join("abs-link")).unwrap();
    std::os::unix::fs::symlink("../.ssh/id_rsa", sb.ws.join("rel-link")).unwrap();
    std::os::unix::fs::symlink("/", sb.ws.join("root-link")).unwrap();
    let o = sb.sh(&format!(
        "cat /workspace/abs-link /workspace/rel-link /workspace/root-link{k} \
             /workspace/../../..{k} /workspace/../.ssh/id_rsa; \
         ln /etc/passwd /workspace/hard 2>&1; ln /proc/1/exe /workspace/hard2 2>&1; \
         ln -s {k} /workspace/new-link; cat /workspace/new-link; echo done"
    ));
    let t = text(&o);
    assert!(t.contains("done"), "{t}");
    assert!(t.contains("Invalid cross-device link"), "{t}");
    assert_no_key(&o);
    assert!(!sb.ws.join("hard").exists());
}

#[test]
fn escape_network_to_the_host_loopback_gets_no_connection() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let sb = Sandbox::new("rw");
    let script = format!(
        r#"
        (exec 3<>/dev/tcp/127.0.0.1/{port}) 2>&1 && echo BASH-CONNECTED
        curl -sS -m 3 http://127.0.0.1:{port}/ ; echo "curl rc=$?"
        curl -sS -m 3 --noproxy '*' http://127.0.0.1:{port}/ ; echo "curl-noproxy rc=$?"
        wget -q -T 3 -t 1 -O- http://127.0.0.1:{port}/ ; echo "wget rc=$?"
        wget -q -T 3 -t 1 --no-proxy -O- http://127.0.0.1:{port}/ ; echo "wget-noproxy rc=$?"
        nc -z -w 3 127.0.0.1 {port} ; echo "nc rc=$?"
        ssh -o BatchMode=yes -o ConnectTimeout=3 -o StrictHostKeyChecking=no -p {port} x@127.0.0.1 true ; echo "ssh rc=$?"
        python3 - <<'EOF'
import socket
for fam, addr in ((socket.AF_INET, ("127.0.0.1", {port})), (socket.AF_INET6, ("::1", {port}))):
    try:
        s = socket.socket(fam, socket.SOCK_STREAM); s.settimeout(3); s.connect(addr); print("PY-CONNECTED")
    except Exception as e:
        print("python connect:", type(e).__name__, e)
try:
    print("dns:", socket.getaddrinfo("localhost.example", {port}))
except Exception as e:
    print("python dns:", type(e).__name__, e)
try:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.sendto(b"x", ("127.0.0.1", {port})); print("udp sent (stays in the sandbox)")
except Exception as e:
    print("python udp:", e)
EOF
        echo done
    "#
    );
    let o = sb.sh(&script);
    let t = text(&o);
    assert!(t.contains("done"), "{t}");
    assert!(!t.contains("CONNECTED"), "{t}");
    assert!(t.contains("python connect: PermissionError"), "{t}");
    // Nothing reached the host listener.
    std::thread::sleep(Duration::from_millis(200));
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("the host listener received a connection: {other:?}\n{t}"),
    }
}

#[test]
fn escape_raw_packet_netlink_sockets_fail() {
    let sb = Sandbox::new("rw");
    let o = sb.run(&[
        "python3",
        "-c",
        r#"
import socket
for name, args in [("raw", (socket.AF_INET, socket.SOCK_RAW, 1)),
                   ("raw6", (socket.AF_INET6, socket.SOCK_RAW, 58)),
                   ("packet", (socket.AF_PACKET, socket.SOCK_RAW, 0)),
                   ("netlink", (socket.AF_NETLINK, socket.SOCK_RAW, 0)),
                   ("vsock", (40, socket.SOCK_STREAM, 0))]:
    try:
        socket.socket(*args); print(name, "OPENED")
    except OSError as e:
        print(name, "denied", e.errno)
"#,
    ]);
    let t = text(&o);
    assert!(!t.contains("OPENED"), "{t}");
    for n in [
        "raw denied 1",
        "raw6 denied 1",
        "packet denied 1",
        "netlink denied 1",
        "vsock denied 1",
    ] {
        assert!(t.contains(n), "{n}: {t}");
    }
}

#[test]
fn escape_io_uring_fails() {
    let sb = Sandbox::new("rw");
    let o = sb.run(&[
        "python3",
        "-c",
        r#"
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
params = ctypes.create_string_buffer(120)
for nr, name in ((425, "io_uring_setup"), (426, "io_uring_enter"), (427, "io_uring_register")):
    r = libc.syscall(nr, 1, params, 0, 0)
    print(name, r, ctypes.get_errno())
"#,
    ]);
    let t = text(&o);
    assert!(t.contains("io_uring_setup -1 1"), "{t}");
    assert!(t.contains("io_uring_enter -1 1"), "{t}");
    assert!(t.contains("io_uring_register -1 1"), "{t}");
}

#[test]
fn escape_ptrace_and_kill_of_a_host_process_fail() {
    let mut victim = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .unwrap();
    let pid = victim.id();
    let sb = Sandbox::new("rw");
    let o = sb.run(&[
        "python3",
        "-c",
        &format!(
            r#"
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
print("attach", libc.ptrace(16, {pid}, 0, 0), ctypes.get_errno())
print("attach-init", libc.ptrace(16, 1, 0, 0), ctypes.get_errno())
try:
    os.kill({pid}, 9); print("KILLED")
except OSError as e:
    print("kill", e.errno)
"#
        ),
    ]);
    let t = text(&o);
    assert!(t.contains("attach -1 1"), "{t}");
    assert!(t.contains("attach-init -1 1"), "{t}");
    assert!(!t.contains("KILLED"), "{t}");
    assert!(
        victim.try_wait().unwrap().is_none(),
        "the host process died"
    );
    victim.kill().unwrap();
    let _ = victim.wait();
}

#[test]
fn escape_mount_and_unshare_fail() {
    let sb = Sandbox::new("rw");
    let o = sb.sh(
        "mount -t tmpfs none /tmp 2>&1; echo mount=$?; umount /proc 2>&1; echo umount=$?; \
         unshare -U true 2>&1; echo unshare-user=$?; unshare -r id 2>&1; echo unshare-r=$?; \
         unshare -m true 2>&1; echo unshare-m=$?; \
         python3 -c 'import ctypes; l=ctypes.CDLL(None, use_errno=True); \
           print(\"py-unshare\", l.unshare(0x10000000), ctypes.get_errno())'",
    );
    let t = text(&o);
    for want in [
        "mount=32",
        "umount=32",
        "unshare-user=1",
        "unshare-r=1",
        "unshare-m=1",
    ] {
        assert!(t.contains(want), "{want}: {t}");
    }
    assert!(t.contains("py-unshare -1 1"), "{t}");
}

#[test]
fn escape_setuid_binary_gains_nothing() {
    let sb = Sandbox::new("rw");
    let copy = sb.ws.join("suid-id");
    std::fs::copy("/usr/bin/id", &copy).unwrap();
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o4755)).unwrap();
    let o = sb.sh(
        "/workspace/suid-id; grep -E 'NoNewPrivs|CapEff|CapBnd' /proc/self/status; \
         su -c 'cat /etc/shadow' root </dev/null 2>&1; cat /etc/shadow; echo done",
    );
    let t = text(&o);
    assert!(t.contains("done"), "{t}");
    assert!(!t.contains("uid=0"), "{t}");
    assert!(t.contains("NoNewPrivs:\t1"), "{t}");
    assert!(t.contains("CapEff:\t0000000000000000"), "{t}");
    assert!(t.contains("CapBnd:\t0000000000000000"), "{t}");
    assert!(!t.contains("root:"), "shadow leaked: {t}");
}

#[test]
fn escape_memfd_exec_fails() {
    let sb = Sandbox::new("rw");
    let o = sb.run(&[
        "python3",
        "-c",
        r#"
import os
fd = os.memfd_create("x")
os.write(fd, open("/usr/bin/true", "rb").read())
try:
    os.execv("/proc/self/fd/%d" % fd, ["x"])
except OSError as e:
    print("memfd exec denied", e.errno)
"#,
    ]);
    let t = text(&o);
    assert!(t.contains("memfd exec denied"), "{t}");
}

#[test]
fn escape_fork_bomb_is_contained() {
    let sb = Sandbox::new("rw");
    let start = Instant::now();
    let o = sb.run_in(
        &sb.ws,
        8,
        &[
            "bash",
            "-c",
            "bomb(){ bomb|bomb& }; bomb; sleep 3; echo procs=$(ls /proc | grep -c '^[0-9]')",
        ],
    );
    let t = text(&o);
    // The run ends (the command's exit or the timeout kills the whole pid namespace).
    assert!(start.elapsed() < Duration::from_secs(60), "{t}");
    let out = String::from_utf8_lossy(&o.stdout);
    if let Some(n) = out
        .lines()
        .find_map(|l| l.strip_prefix("procs="))
        .and_then(|n| n.trim().parse::<u32>().ok())
    {
        assert!(n <= 301, "{n} processes: {t}");
    }
    // The host still forks.
    assert!(
        std::process::Command::new("true")
            .status()
            .unwrap()
            .success()
    );
}

#[test]
fn escape_process_limit_holds() {
    let sb = Sandbox::new("rw");
    let o = sb.sh(
        "for i in $(seq 1 400); do sleep 5 & done 2>&1 | tail -1; kill $(jobs -p) 2>/dev/null; echo done",
    );
    let t = text(&o);
    assert!(
        t.contains("fork") || t.contains("Resource temporarily unavailable"),
        "{t}"
    );
}

#[test]
fn escape_filling_the_disk_is_contained() {
    let sb = Sandbox::new("rw");
    let o = sb.sh(
        "dd if=/dev/zero of=/workspace/big bs=1M count=1024 2>/dev/null; echo ws=$?; \
         dd if=/dev/zero of=/tmp/big bs=1M count=1024 2>/dev/null; echo tmp=$?",
    );
    let t = text(&o);
    let size = std::fs::metadata(sb.ws.join("big"))
        .map(|m| m.len())
        .unwrap_or(0);
    assert!(size <= 256 << 20, "workspace file grew to {size}: {t}");
    assert!(!t.contains("ws=0"), "{t}");
    assert!(!t.contains("tmp=0"), "{t}");
}

#[test]
fn host_environment_does_not_cross() {
    let sb = Sandbox::new("rw");
    let o = sb.run(&["env"]);
    // stdout only: the host-side hardclaw itself sees LD_PRELOAD (and its loader complains).
    let t = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(!t.contains("LD_PRELOAD"), "{t}");
    assert!(!t.contains("sk-host-secret"), "{t}");
    assert!(
        !t.contains(&sb.home.dir.path().display().to_string()),
        "{t}"
    );
    assert!(t.contains("HOME=/tmp"), "{t}");
    assert!(t.contains("HTTPS_PROXY=http://127.0.0.1:"), "{t}");
}

// ---------------------------------------------------------------- neighbours that must work

#[test]
fn neighbour_build_and_test_a_small_project() {
    let sb = Sandbox::new("rw");
    std::fs::write(
        sb.ws.join("hello.c"),
        "#include <stdio.h>\nint main(void){puts(\"hello from the sandbox\");return 0;}\n",
    )
    .unwrap();
    std::fs::write(
        sb.ws.join("test_calc.py"),
        "import unittest\nclass T(unittest.TestCase):\n    def test_add(self):\n        self.assertEqual(1 + 1, 2)\n",
    )
    .unwrap();
    let o = sb.sh(
        "gcc -O1 -o hello hello.c && ./hello && python3 -m unittest -q 2>&1 \
         && head -c 300 /usr/include/stdio.h >/dev/null && echo headers-ok",
    );
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(t.contains("hello from the sandbox"), "{t}");
    assert!(t.contains("OK"), "{t}");
    assert!(t.contains("headers-ok"), "{t}");
    assert!(sb.ws.join("hello").exists());
}

#[test]
fn neighbour_rw_workspace_is_writable() {
    let sb = Sandbox::new("rw");
    let o = sb.sh(
        "mkdir -p /workspace/d && echo data > /workspace/d/f && mv /workspace/d/f /workspace/g",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(std::fs::read_to_string(sb.ws.join("g")).unwrap(), "data\n");
}

#[test]
fn neighbour_ro_workspace_reads_but_denies_writes() {
    let sb = Sandbox::new("ro");
    std::fs::write(sb.ws.join("readme"), "readable").unwrap();
    let o = sb.sh(
        "cat /workspace/readme; echo; echo x > /workspace/new; echo write=$?; \
         rm /workspace/readme; echo rm=$?",
    );
    let t = text(&o);
    assert!(t.contains("readable"), "{t}");
    assert!(t.contains("write=1"), "{t}");
    assert!(t.contains("rm=1"), "{t}");
    assert!(!sb.ws.join("new").exists());
    assert!(sb.ws.join("readme").exists());
}

#[test]
fn neighbour_none_gives_an_empty_scratch_workspace() {
    let sb = Sandbox::new("none");
    std::fs::write(sb.ws.join("hidden"), KEY).unwrap();
    let o = sb.sh("ls -A /workspace; echo scratch > /workspace/s && cat /workspace/s");
    let t = text(&o);
    assert!(t.contains("scratch"), "{t}");
    assert!(!t.contains("hidden"), "{t}");
    assert!(!sb.ws.join("s").exists());
}

// ---------------------------------------------------------------- exit status, caps, refusal

#[test]
fn exit_status_and_signals_pass_through() {
    let sb = Sandbox::new("rw");
    assert_eq!(sb.sh("exit 7").status.code(), Some(7));
    assert_eq!(sb.sh("kill -TERM $$").status.code(), Some(143));
    let o = sb.run(&["/no/such/command"]);
    assert_eq!(o.status.code(), Some(127), "{}", text(&o));
}

#[test]
fn output_is_capped_and_the_cut_is_noted() {
    let sb = Sandbox::new("rw");
    let o = sb.sh("head -c 3000000 /dev/zero");
    assert_eq!(o.stdout.len(), 1 << 20);
    assert!(String::from_utf8_lossy(&o.stderr).contains("stdout truncated at 1048576 bytes"));
}

#[test]
fn refuses_with_126_when_user_namespaces_are_unavailable() {
    let sb = Sandbox::new("rw");
    let bin = assert_cmd::cargo::cargo_bin("hardclaw");
    let marker = sb.home.dir.path().join("ran-on-host");
    // A real kernel limit: in a user namespace whose max_user_namespaces is 0, no sandbox can
    // be built; the command must not run on the host.
    let o = std::process::Command::new("unshare")
        .args(["--user", "--map-root-user", "sh", "-c"])
        .arg("echo 0 > /proc/sys/user/max_user_namespaces && exec \"$@\"")
        .arg("sh")
        .arg(&bin)
        .args(["sandbox", "run", "--workspace"])
        .arg(&sb.ws)
        .arg("--")
        .arg("touch")
        .arg(&marker)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", sb.home.dir.path())
        .output()
        .unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(126), "{t}");
    assert!(t.contains("sandbox refused"), "{t}");
    assert!(t.contains("user namespaces"), "{t}");
    assert!(!marker.exists());
}

#[test]
fn refuses_with_126_when_the_workspace_is_missing() {
    let sb = Sandbox::new("rw");
    let o = sb.run_in(&sb.ws.join("missing"), 10, &["true"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(126), "{t}");
    assert!(t.contains("sandbox refused"), "{t}");
}

#[test]
fn explain_prints_mounts_network_and_syscalls() {
    let sb = Sandbox::new("ro");
    let o = sb
        .home
        .cmd()
        .args(["sandbox", "explain", "--agent", "main", "--json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["network"]["egress"], "proxy-only");
    assert_eq!(v["sandbox"]["mode"], "all");
    assert_eq!(v["sandbox"]["workspace_access"], "ro");
    let syscalls: Vec<&str> = v["seccomp"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["syscall"].as_str().unwrap())
        .collect();
    for s in ["io_uring_setup", "ptrace", "bpf", "unshare", "mount"] {
        assert!(syscalls.contains(&s), "{s}");
    }
    let human = sb
        .home
        .cmd()
        .args(["sandbox", "explain", "--agent", "main"])
        .output()
        .unwrap();
    let h = String::from_utf8_lossy(&human.stdout);
    assert!(h.contains("network: proxy-only"), "{h}");
    assert!(h.contains("/workspace"), "{h}");
}
