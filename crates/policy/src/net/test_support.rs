//! Test helpers: a table-driven DNS resolver (never real DNS) and hand-built shell facts.

use std::cell::RefCell;
use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;

use serde_json::{Value, json};

use crate::guard::{Decision, DnsResolver, GuardRequest};
use crate::net::network_guard::NetworkGuard;
use crate::shell::{Arg, CommandFacts, ExecFact, Nesting, NetDest, RedirectFact, RedirectOp};

/// Answers from a table; unknown names → NXDOMAIN. Records every query.
#[derive(Debug, Default)]
pub struct FakeDns {
    table: HashMap<String, Result<Vec<IpAddr>, String>>,
    pub calls: RefCell<Vec<String>>,
}

impl FakeDns {
    pub fn new() -> FakeDns {
        FakeDns::default()
    }

    pub fn with(mut self, host: &str, addrs: &[&str]) -> FakeDns {
        let addrs = addrs.iter().map(|a| a.parse().unwrap()).collect();
        self.table.insert(host.to_string(), Ok(addrs));
        self
    }

    pub fn failing(mut self, host: &str, err: &str) -> FakeDns {
        self.table.insert(host.to_string(), Err(err.to_string()));
        self
    }

    /// The world the corpus and vectors live in.
    pub fn world() -> FakeDns {
        FakeDns::new()
            .with(
                "example.com",
                &["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
            )
            .with("github.com", &["140.82.112.3"])
            .with("api.github.com", &["140.82.112.6"])
            .with("raw.github.com", &["185.199.108.133"])
            .with("registry.npmjs.org", &["104.16.0.35"])
            .with("npmjs.org", &["104.16.0.34"])
            .with("pypi.org", &["151.101.0.223"])
            .with("api.anthropic.com", &["160.79.104.10"])
            .with("evil.com", &["6.6.6.6"])
            .with("evil.example", &["6.6.6.7"])
            .with("attacker.net", &["6.6.6.8"])
            .with("rebind.github.com", &["127.0.0.1"])
            .with("127.0.0.1.nip.io", &["127.0.0.1"])
            .with("gw.github.com", &["::1"])
            .with("meta.github.com", &["169.254.169.254"])
            .with("mixed.github.com", &["93.184.216.34", "10.0.0.5"])
            .with("ula.github.com", &["fd00::1"])
            .with("mapped.github.com", &["::ffff:10.0.0.1"])
            .with("nat64.github.com", &["64:ff9b::a9fe:a9fe"])
            .with("empty.github.com", &[])
            .with(
                "v4v6.example.com",
                &["2606:4700::1", "93.184.216.35", "93.184.216.35"],
            )
            .with("gateway.example.com", &["93.184.216.40"])
            .with("metadata.google.com", &["142.250.0.1"])
            .with("www.google.com", &["142.250.0.2"])
            .with("db.example.com", &["93.184.216.41"])
            .with("printer.example.com", &["93.184.216.42"])
            .with("github.com.evil.com", &["6.6.6.9"])
            .failing("slow.github.com", "timeout after 2000 ms")
    }

    pub fn call_count(&self) -> usize {
        self.calls.borrow().len()
    }
}

impl DnsResolver for FakeDns {
    fn resolve(&self, host: &str) -> Result<Vec<IpAddr>, String> {
        self.calls.borrow_mut().push(host.to_string());
        self.table
            .get(host)
            .cloned()
            .unwrap_or_else(|| Err(format!("NXDOMAIN {host}")))
    }
}

/// A literal argv word.
pub fn lit(s: &str) -> Arg {
    Arg::Literal(s.to_string())
}

/// One program, known to the analyser, in segment 0.
pub fn prog(argv: &[&str]) -> ExecFact {
    let program = argv
        .first()
        .map(|a| a.rsplit('/').next().unwrap_or(a).to_string());
    ExecFact {
        argv: argv.iter().map(|a| lit(a)).collect(),
        program,
        env: Vec::new(),
        redirects: Vec::new(),
        segment: 0,
        pipes_to: Vec::new(),
        nesting: Nesting::Top,
        reads: Vec::new(),
        writes: Vec::new(),
        deletes: Vec::new(),
        network: Vec::new(),
        known_program: true,
    }
}

/// Builder sugar over [`ExecFact`].
pub trait ExecFactExt {
    fn net(self, raw: &str, host: Option<&str>, port: Option<u16>, sends_data: bool) -> ExecFact;
    fn to_url(self, url: &str) -> ExecFact;
    fn upload_to(self, url: &str) -> ExecFact;
    fn pipes(self, to: &[&str]) -> ExecFact;
    fn seg(self, n: usize) -> ExecFact;
    fn unknown(self) -> ExecFact;
    fn env(self, k: &str, v: &str) -> ExecFact;
    fn redirect(self, op: RedirectOp, target: &str) -> ExecFact;
}

fn host_of_url(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let auth = rest.split(['/', '?', '#']).next()?;
    let hostport = auth.rsplit('@').next()?;
    if hostport.starts_with('[') {
        return hostport.split(']').next().map(|h| format!("{h}]"));
    }
    Some(hostport.split(':').next()?.to_string())
}

impl ExecFactExt for ExecFact {
    fn net(
        mut self,
        raw: &str,
        host: Option<&str>,
        port: Option<u16>,
        sends_data: bool,
    ) -> ExecFact {
        self.network.push(NetDest {
            raw: raw.to_string(),
            host: host.map(str::to_string),
            port,
            sends_data,
        });
        self
    }
    fn to_url(self, url: &str) -> ExecFact {
        let host = host_of_url(url);
        self.net(url, host.as_deref(), None, false)
    }
    fn upload_to(self, url: &str) -> ExecFact {
        let host = host_of_url(url);
        self.net(url, host.as_deref(), None, true)
    }
    fn pipes(mut self, to: &[&str]) -> ExecFact {
        self.pipes_to = to.iter().map(|s| s.to_string()).collect();
        self
    }
    fn seg(mut self, n: usize) -> ExecFact {
        self.segment = n;
        self
    }
    fn unknown(mut self) -> ExecFact {
        self.known_program = false;
        self
    }
    fn env(mut self, k: &str, v: &str) -> ExecFact {
        self.env.push((k.to_string(), lit(v)));
        self
    }
    fn redirect(mut self, op: RedirectOp, target: &str) -> ExecFact {
        self.redirects.push(RedirectFact {
            op,
            target: lit(target),
        });
        self
    }
}

/// Facts for a list of programs.
pub fn facts(commands: Vec<ExecFact>) -> CommandFacts {
    let segments = commands.iter().map(|c| c.segment + 1).max().unwrap_or(0);
    CommandFacts {
        commands,
        segments,
        ..CommandFacts::default()
    }
}

/// A guard from a JSON config value (`None` = plugin entry absent).
pub fn guard(config: Option<Value>) -> NetworkGuard {
    NetworkGuard::from_entry(None, config.as_ref())
}

/// Runs one call.
pub fn run(
    g: &NetworkGuard,
    tool: &str,
    params: Value,
    agent: Option<&str>,
    facts: Option<&CommandFacts>,
    dns: &dyn DnsResolver,
) -> Decision {
    let req = GuardRequest {
        tool,
        params: &params,
        agent_id: agent,
        session_key: None,
        cwd: Path::new("/work"),
    };
    g.check(&req, facts, dns)
}

/// `web_fetch` of `url`.
pub fn fetch(g: &NetworkGuard, url: &str, dns: &dyn DnsResolver) -> Decision {
    run(g, "web_fetch", json!({ "url": url }), None, None, dns)
}

/// `exec` of `command` without facts (raw fallback).
pub fn exec_raw(g: &NetworkGuard, command: &str, dns: &dyn DnsResolver) -> Decision {
    run(g, "exec", json!({ "command": command }), None, None, dns)
}

/// `exec` of `command` with facts.
pub fn exec_facts(
    g: &NetworkGuard,
    command: &str,
    f: &CommandFacts,
    dns: &dyn DnsResolver,
) -> Decision {
    run(g, "exec", json!({ "command": command }), None, Some(f), dns)
}

/// Asserts a block whose reason contains `needle`.
#[track_caller]
pub fn assert_block(d: &Decision, needle: &str) {
    assert!(
        d.is_block(),
        "expected a block containing {needle:?}, got {d:?}"
    );
    assert!(
        d.reason.contains(needle),
        "expected reason containing {needle:?}, got {d:?}"
    );
}

/// Asserts an allow.
#[track_caller]
pub fn assert_allow(d: &Decision) {
    assert!(!d.is_block(), "expected allow, got {d:?}");
}
