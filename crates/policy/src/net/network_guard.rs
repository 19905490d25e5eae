//! network-guard: the application-level egress allowlist (`openclaw-guide-spec.md` §1.4),
//! hardened (§6 item 4):
//!
//! * `web_fetch` and `browser` URLs go through the guide's `checkDomain` order and the SSRF
//!   rules (scheme, credentials, hostname rules, IP classification, DNS answers);
//! * `exec` / `bash` / `process` are judged on the shell analyser's [`CommandFacts`]: every
//!   network destination of every program, whether or not a "network command" was
//!   recognised; the blocked patterns run on each program's argv (after quote removal, with
//!   its pipe neighbours), always; data-sending destinations must be allowlisted; URLs in the
//!   argv of unknown programs are destinations too; `/dev/tcp` redirects and proxy variables
//!   count;
//! * DNS is asked once per host through the [`DnsResolver`]; [`NetworkGuard::check_fetch`]
//!   returns the checked addresses for the fetch to connect to (pinning).
//!
//! Reasons keep the guide's wording (`domain not in allowlist: <host>`, ...).

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::LazyLock;
use std::time::Duration;

use hardclaw_config::Config;
use regex::{Regex, RegexBuilder};
use serde_json::Value;

use crate::guard::{Decision, DnsResolver, GuardRequest};
use crate::net::host::{Host, ParsedUrl, parse_bare_host, parse_url};
use crate::net::ip_class::classify;
use crate::net::settings::{NETWORK_GUARD_ID, NetworkGuardSettings};
use crate::net::ssrf::{self, PinnedTarget, SsrfPolicy, blocked_hostname, is_metadata_hostname};
use crate::shell::{CommandFacts, ExecFact, RedirectOp};

/// The guard name on decisions.
pub const GUARD: &str = NETWORK_GUARD_ID;

/// Tools this guard judges.
pub const GUARDED_TOOLS: &[&str] = &["web_fetch", "browser", "exec", "bash", "process"];

/// URLs in command text: the guide's `https?://…` extended to the other schemes curl, git,
/// ssh and friends dial.
static URL_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b(?:https?|wss?|ftps?|sftp|scp|ssh|git|rsync|telnet|gopher|dict|ldaps?|tftp|smb|smtps?|imaps?|mqtts?)://[^\s"'`,;)}\]>]+"#,
    )
    .ok()
});

static DEV_TCP_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"/dev/(?:tcp|udp)/([^/\s]+)/(\d+)").ok());

/// A compiled domain glob (picomatch `nocase`: `*` matches anything but `/`, dots included).
#[derive(Debug, Clone, PartialEq, Eq)]
struct DomainGlob(Vec<u8>);

impl DomainGlob {
    fn new(pattern: &str) -> DomainGlob {
        DomainGlob(pattern.trim().to_ascii_lowercase().into_bytes())
    }

    fn matches(&self, host: &str) -> bool {
        glob_match(&self.0, host.to_ascii_lowercase().as_bytes())
    }
}

fn glob_match(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, si));
                pi += 1;
            }
            Some(&c) if (c == b'?' && s[si] != b'/') || c == s[si] => {
                pi += 1;
                si += 1;
            }
            _ => match star {
                Some((sp, ss)) if s[ss] != b'/' => {
                    pi = sp + 1;
                    si = ss + 1;
                    star = Some((sp, ss + 1));
                }
                _ => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

#[derive(Debug)]
struct Compiled {
    settings: NetworkGuardSettings,
    base: Vec<DomainGlob>,
    overrides: BTreeMap<String, Vec<DomainGlob>>,
    patterns: Vec<(String, Regex)>,
    ssrf: SsrfPolicy,
}

#[derive(Debug)]
enum State {
    Off,
    Broken {
        errors: Vec<String>,
        fail_open: bool,
    },
    On(Box<Compiled>),
}

/// The network guard, built once from the configuration.
#[derive(Debug)]
pub struct NetworkGuard {
    state: State,
}

/// Why a host was refused: rule id and the guide-worded reason.
type HostRefusal = (&'static str, String);

/// One destination of a command.
#[derive(Debug)]
struct Dest {
    raw: String,
    host: Option<String>,
    sends_data: bool,
}

impl NetworkGuard {
    /// Reads `plugins.entries["network-guard"]`; on with the guide's defaults when absent.
    pub fn from_config(config: &Config) -> NetworkGuard {
        let entry = config
            .plugins
            .as_ref()
            .and_then(|p| p.entries.as_ref())
            .and_then(|e| e.get(NETWORK_GUARD_ID));
        NetworkGuard::from_entry(
            entry.and_then(|e| e.enabled),
            entry.and_then(|e| e.config.as_ref()),
        )
    }

    /// Builds the guard from the entry's `enabled` and `config` values.
    pub fn from_entry(enabled: Option<bool>, config: Option<&Value>) -> NetworkGuard {
        let state = match NetworkGuardSettings::parse(enabled, config) {
            Err((errors, fail_open)) => State::Broken { errors, fail_open },
            Ok(settings) if !settings.enabled => State::Off,
            Ok(settings) => match Compiled::new(settings) {
                Ok(c) => State::On(Box::new(c)),
                Err((errors, fail_open)) => State::Broken { errors, fail_open },
            },
        };
        NetworkGuard { state }
    }

    /// The effective settings (`None` when off or misconfigured).
    pub fn settings(&self) -> Option<&NetworkGuardSettings> {
        match &self.state {
            State::On(c) => Some(&c.settings),
            _ => None,
        }
    }

    /// Configuration errors (the guard then blocks every guarded call unless `failOpen`).
    pub fn config_errors(&self) -> &[String] {
        match &self.state {
            State::Broken { errors, .. } => errors,
            _ => &[],
        }
    }

    /// The timeout the caller's resolver must apply (`dnsTimeoutMs`; a timeout is a block).
    pub fn dns_timeout(&self) -> Duration {
        Duration::from_millis(
            self.settings()
                .map_or(crate::net::settings::DEFAULT_DNS_TIMEOUT_MS, |s| {
                    s.dns_timeout_ms
                }),
        )
    }

    /// The SSRF policy this guard applies (strict unless `allowPrivateNetwork`).
    pub fn ssrf_policy(&self) -> SsrfPolicy {
        match &self.state {
            State::On(c) => c.ssrf.clone(),
            _ => SsrfPolicy::default(),
        }
    }

    fn broken(&self, tool: &str) -> Option<Decision> {
        match &self.state {
            State::Broken { errors, fail_open } if !fail_open => Some(Decision::block(
                GUARD,
                "config-error",
                format!(
                    "Network guard error — blocking as a precaution: invalid configuration ({}) [{tool}]",
                    errors.join("; ")
                ),
            )),
            _ => None,
        }
    }

    /// Judges one tool call. `facts` are the shell analyser's facts for `exec`/`bash`/
    /// `process` (without them the raw command text is judged, as the guide does, but with
    /// the blocked patterns applied regardless).
    pub fn check(
        &self,
        req: &GuardRequest<'_>,
        facts: Option<&CommandFacts>,
        dns: &dyn DnsResolver,
    ) -> Decision {
        if !GUARDED_TOOLS.contains(&req.tool) {
            return Decision::allow(GUARD);
        }
        if let Some(d) = self.broken(req.tool) {
            return d;
        }
        let State::On(c) = &self.state else {
            return Decision::allow(GUARD);
        };
        let result = match req.tool {
            "web_fetch" => c.check_web_fetch(req, dns),
            "browser" => c.check_browser(req, dns),
            _ => c.check_command(req, facts, dns),
        };
        match result {
            Ok(d) => d,
            Err(()) if c.settings.fail_open => Decision::allow(GUARD),
            Err(()) => Decision::block(
                GUARD,
                "guard-error",
                "Network guard error — blocking as a precaution.",
            ),
        }
    }

    /// The check `web_fetch` runs before connecting: the guard's rules, then the SSRF check,
    /// which resolves once; connect only to the returned addresses.
    pub fn check_fetch(
        &self,
        url: &str,
        agent_id: Option<&str>,
        dns: &dyn DnsResolver,
    ) -> Result<PinnedTarget, Decision> {
        if let Some(d) = self.broken("web_fetch") {
            return Err(d);
        }
        let policy = self.ssrf_policy();
        let parsed = parse_url(url).map_err(|_| invalid_url("web_fetch"))?;
        if let State::On(c) = &self.state {
            let d = c.check_url(&parsed, "web_fetch", agent_id, dns, false);
            if d.is_block() {
                return Err(d);
            }
        }
        ssrf::check_parsed(&parsed, &policy, dns).map_err(|d| Decision {
            guard: GUARD.to_string(),
            reason: format!("Network guard blocked web_fetch: {}", d.reason),
            ..d
        })
    }

    /// `checkDomain` for one host (as written: bare host, `user@host:port` or URL).
    pub fn check_host(
        &self,
        host: &str,
        agent_id: Option<&str>,
        dns: &dyn DnsResolver,
    ) -> Decision {
        if let Some(d) = self.broken("host") {
            return d;
        }
        let State::On(c) = &self.state else {
            return Decision::allow(GUARD);
        };
        let dest = Dest {
            raw: host.to_string(),
            host: Some(host.to_string()),
            sends_data: false,
        };
        let mut cache = DnsCache::default();
        match c.check_dest(&dest, agent_id, dns, &mut cache) {
            Ok(()) => Decision::allow(GUARD),
            Err((rule, reason)) => Decision::block(GUARD, rule, reason),
        }
    }
}

/// Malformed tool input (params not an object, the URL missing, null or not a string): refused
/// whatever `failOpen` says, since the tool would otherwise run on input the guard never saw.
fn invalid_input(tool: &str, what: &str) -> Decision {
    Decision::block(
        GUARD,
        "invalid-input",
        format!("Network guard blocked {tool}: invalid input ({what})."),
    )
}

fn invalid_url(tool: &str) -> Decision {
    Decision::block(
        GUARD,
        "invalid-url",
        format!("Network guard blocked {tool}: invalid URL."),
    )
}

#[derive(Debug, Default)]
struct DnsCache(Vec<(String, Result<(), HostRefusal>)>);

impl Compiled {
    fn new(settings: NetworkGuardSettings) -> Result<Compiled, (Vec<String>, bool)> {
        let mut errors = Vec::new();
        let mut patterns = Vec::new();
        for src in &settings.blocked_patterns {
            match RegexBuilder::new(src)
                .case_insensitive(true)
                .dot_matches_new_line(true)
                .size_limit(1 << 22)
                .build()
            {
                Ok(re) => patterns.push((src.clone(), re)),
                Err(e) => errors.push(format!("blockedPatterns: `{src}` does not compile: {e}")),
            }
        }
        if !errors.is_empty() {
            return Err((errors, settings.fail_open));
        }
        let base: Vec<DomainGlob> = settings
            .allowed_domains
            .iter()
            .map(|d| DomainGlob::new(d))
            .collect();
        let overrides = settings
            .agent_overrides
            .iter()
            .map(|(agent, extra)| {
                let mut globs = base.clone();
                globs.extend(extra.iter().map(|d| DomainGlob::new(d)));
                (agent.clone(), globs)
            })
            .collect();
        let ssrf = SsrfPolicy {
            allow_private_network: settings.allow_private_network,
            ..SsrfPolicy::default()
        };
        Ok(Compiled {
            settings,
            base,
            overrides,
            patterns,
            ssrf,
        })
    }

    fn allowlisted(&self, host: &str, agent_id: Option<&str>) -> bool {
        let globs = agent_id
            .and_then(|a| self.overrides.get(a))
            .unwrap_or(&self.base);
        globs.iter().any(|g| g.matches(host))
    }

    /// The guide's `checkDomain` order, hardened: metadata → direct IP → hostname rules →
    /// allowlist → IP classification → DNS answers.
    fn check_domain(
        &self,
        host: &Host,
        obfuscated_ip: bool,
        agent_id: Option<&str>,
        dns: Option<&dyn DnsResolver>,
        cache: &mut DnsCache,
    ) -> Result<(), HostRefusal> {
        let text = host.to_string();
        let s = &self.settings;
        let ip_class = host.ip().map(classify);
        // 0. Cloud metadata: always, whatever the allowlist says.
        if let Host::Domain(d) = host
            && is_metadata_hostname(d)
        {
            return Err((
                "cloud-metadata",
                format!("hostname blocked: {text} (cloud metadata service)"),
            ));
        }
        if let Some(class) = &ip_class
            && class.is_metadata()
        {
            return Err((
                "cloud-metadata",
                if s.block_direct_ip {
                    format!("direct IP access blocked: {text} (cloud metadata endpoint)")
                } else {
                    format!("cloud metadata endpoint blocked: {text}")
                },
            ));
        }
        // 1. Direct IP.
        if ip_class.is_some() && s.block_direct_ip {
            return Err(("direct-ip", format!("direct IP access blocked: {text}")));
        }
        // 2. Hostname rules (`localhost` always; the others unless private networks allowed).
        if let Host::Domain(d) = host {
            let localhost = d == "localhost" || d.ends_with(".localhost");
            let rule = blocked_hostname(d);
            if localhost || rule == Some(true) || (rule == Some(false) && !s.allow_private_network)
            {
                return Err(("blocked-hostname", format!("hostname blocked: {text}")));
            }
        }
        // 3. Allowlist.
        if !self.allowlisted(&text, agent_id) {
            return Err((
                "domain-not-allowlisted",
                format!("domain not in allowlist: {text}"),
            ));
        }
        // 4. IP literals (blockDirectIp off): still classified.
        if let Some(class) = &ip_class {
            if self.ssrf.refuses(class, false) {
                return Err((
                    "private-address",
                    format!("private/reserved IP blocked: {text} ({class})"),
                ));
            }
            if obfuscated_ip {
                return Err((
                    "obfuscated-ip",
                    format!(
                        "obfuscated IP literal blocked: {text} (written in a non-canonical form)"
                    ),
                ));
            }
            return Ok(());
        }
        // 5. DNS.
        match (host, dns) {
            (Host::Domain(d), Some(dns)) if s.resolve_dns => {
                if let Some((_, r)) = cache.0.iter().find(|(h, _)| h == d) {
                    return r.clone();
                }
                let r = self.dns_check(d, dns);
                cache.0.push((d.clone(), r.clone()));
                r
            }
            _ => Ok(()),
        }
    }

    fn dns_check(&self, name: &str, dns: &dyn DnsResolver) -> Result<(), HostRefusal> {
        let answers = dns.resolve(name).map_err(|e| {
            (
                "dns-blocked",
                format!("DNS resolution blocked: {name} could not be resolved ({e})"),
            )
        })?;
        if answers.is_empty() {
            return Err((
                "dns-blocked",
                format!("DNS resolution blocked: {name} has no A/AAAA records"),
            ));
        }
        for ip in answers {
            let class = classify(ip);
            if self.ssrf.refuses(&class, false) {
                let rule = if class.is_metadata() {
                    "cloud-metadata"
                } else {
                    "dns-blocked"
                };
                return Err((
                    rule,
                    format!(
                        "DNS resolution blocked: {name} resolves to private/reserved IP ({ip}: {class})"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Scheme, credentials and `check_domain` for a URL-based tool.
    fn check_url(
        &self,
        parsed: &ParsedUrl,
        tool: &str,
        agent_id: Option<&str>,
        dns: &dyn DnsResolver,
        with_dns: bool,
    ) -> Decision {
        if parsed.scheme != "http" && parsed.scheme != "https" {
            return Decision::block(
                GUARD,
                "scheme",
                format!(
                    "Network guard blocked {tool}: unsupported URL scheme {}: (only http and https)",
                    parsed.scheme
                ),
            );
        }
        if parsed.has_credentials {
            return Decision::block(
                GUARD,
                "url-credentials",
                format!("Network guard blocked {tool}: credentials in URL are not allowed"),
            );
        }
        let mut cache = DnsCache::default();
        let dns = with_dns.then_some(dns);
        match self.check_domain(
            &parsed.host,
            parsed.obfuscated_ip,
            agent_id,
            dns,
            &mut cache,
        ) {
            Ok(()) => Decision::allow(GUARD),
            Err((rule, reason)) => Decision::block(
                GUARD,
                rule,
                format!("Network guard blocked {tool}: {reason}"),
            ),
        }
    }

    fn check_web_fetch(
        &self,
        req: &GuardRequest<'_>,
        dns: &dyn DnsResolver,
    ) -> Result<Decision, ()> {
        let Some(params) = req.params.as_object() else {
            return Ok(invalid_input(req.tool, "params must be an object"));
        };
        let Some(url) = params.get("url").and_then(Value::as_str) else {
            return Ok(invalid_input(req.tool, "`url` must be a string"));
        };
        Ok(match parse_url(url) {
            Err(_) => invalid_url(req.tool),
            Ok(parsed) => self.check_url(&parsed, req.tool, req.agent_id, dns, true),
        })
    }

    fn check_browser(&self, req: &GuardRequest<'_>, dns: &dyn DnsResolver) -> Result<Decision, ()> {
        let Some(params) = req.params.as_object() else {
            return Ok(invalid_input(req.tool, "params must be an object"));
        };
        for key in ["targetUrl", "url"] {
            let Some(v) = params.get(key) else { continue };
            let Some(url) = v.as_str() else {
                return Ok(invalid_input(req.tool, "the URL must be a string"));
            };
            if url.trim().eq_ignore_ascii_case("about:blank") {
                continue;
            }
            let d = match parse_url(url) {
                Err(_) => invalid_url(req.tool),
                Ok(parsed) => self.check_url(&parsed, req.tool, req.agent_id, dns, true),
            };
            if d.is_block() {
                return Ok(d);
            }
        }
        Ok(Decision::allow(GUARD))
    }

    fn pattern_block(&self, tool: &str, text: &str) -> Option<Decision> {
        self.patterns.iter().find(|(_, re)| re.is_match(text)).map(|(src, _)| {
            Decision::block(
                GUARD,
                "blocked-pattern",
                format!(
                    "Network guard blocked {tool}: matches blocked pattern (potential data exfiltration). [pattern `{src}`]"
                ),
            )
        })
    }

    fn check_command(
        &self,
        req: &GuardRequest<'_>,
        facts: Option<&CommandFacts>,
        dns: &dyn DnsResolver,
    ) -> Result<Decision, ()> {
        let tool = req.tool;
        let Some(facts) = facts else {
            return self.check_raw_command(req, dns);
        };
        if let Some(e) = &facts.parse_error {
            return Ok(Decision::block(
                GUARD,
                "unanalysable-command",
                format!("Network guard blocked {tool}: command could not be analysed ({e})"),
            ));
        }
        for i in 0..facts.commands.len() {
            if let Some(d) = self.pattern_block(tool, &program_text(facts, i)) {
                return Ok(d);
            }
        }
        let mut cache = DnsCache::default();
        for cmd in &facts.commands {
            for dest in destinations(cmd) {
                if let Err((rule, reason)) = self.check_dest(&dest, req.agent_id, dns, &mut cache) {
                    return Ok(Decision::block(
                        GUARD,
                        rule,
                        format!("Network guard blocked {tool}: {reason}"),
                    ));
                }
            }
        }
        Ok(Decision::allow(GUARD))
    }

    /// Without facts: the guide's raw-text checks, with the patterns applied regardless.
    fn check_raw_command(
        &self,
        req: &GuardRequest<'_>,
        dns: &dyn DnsResolver,
    ) -> Result<Decision, ()> {
        let tool = req.tool;
        let params = req.params.as_object().ok_or(())?;
        let Some(v) = ["command", "data", "text"]
            .iter()
            .find_map(|k| params.get(*k))
        else {
            return Ok(Decision::allow(GUARD));
        };
        let text = v.as_str().ok_or(())?;
        if let Some(d) = self.pattern_block(tool, text) {
            return Ok(d);
        }
        let mut cache = DnsCache::default();
        let dests = urls_in(text, false).into_iter().chain(dev_tcp_in(text));
        for dest in dests {
            if let Err((rule, reason)) = self.check_dest(&dest, req.agent_id, dns, &mut cache) {
                return Ok(Decision::block(
                    GUARD,
                    rule,
                    format!("Network guard blocked {tool}: {reason}"),
                ));
            }
        }
        Ok(Decision::allow(GUARD))
    }

    fn check_dest(
        &self,
        dest: &Dest,
        agent_id: Option<&str>,
        dns: &dyn DnsResolver,
        cache: &mut DnsCache,
    ) -> Result<(), HostRefusal> {
        let written = dest.host.as_deref().unwrap_or(&dest.raw);
        let parsed = if written.contains("://") {
            parse_url(written).map(|u| (u.host, u.obfuscated_ip))
        } else {
            parse_bare_host(written).map(|b| (b.host, b.obfuscated_ip))
        };
        let (host, obfuscated) = match parsed {
            Ok(p) => p,
            Err(_) if dest.host.is_none() => {
                return Err((
                    "unknown-destination",
                    format!("network destination could not be determined: {}", dest.raw),
                ));
            }
            Err(e) => {
                return Err((
                    "invalid-host",
                    format!("invalid host: {} ({})", e.input, e.message),
                ));
            }
        };
        let text = host.to_string();
        if dest.sends_data && !self.allowlisted(&text, agent_id) {
            return Err((
                "exfiltration",
                format!(
                    "data upload to non-allowlisted destination: {text} (domain not in allowlist: {text})"
                ),
            ));
        }
        self.check_domain(&host, obfuscated, agent_id, Some(dns), cache)
    }
}

/// A program's argv as text (program base name first), with what pipes into it and what it
/// pipes to, so the guide's pipe patterns (`curl … | sh`, `echo … | base64`) still apply.
fn program_text(facts: &CommandFacts, i: usize) -> String {
    let Some(cmd) = facts.commands.get(i) else {
        return String::new();
    };
    let mut s = String::new();
    if let Some(name) = &cmd.program
        && let Some(up) = facts.commands[..i]
            .iter()
            .rev()
            .find(|u| u.segment == cmd.segment && u.pipes_to.iter().any(|p| p == name))
    {
        s.push_str(&argv_text(up));
        s.push_str(" | ");
    }
    s.push_str(&argv_text(cmd));
    for p in &cmd.pipes_to {
        s.push_str(" | ");
        s.push_str(p);
    }
    s
}

fn argv_text(cmd: &ExecFact) -> String {
    let mut out = String::new();
    for (i, a) in cmd.argv.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        match (i, &cmd.program) {
            (0, Some(p)) => out.push_str(p),
            _ => out.push_str(a.text()),
        }
    }
    out
}

fn urls_in(text: &str, sends_data: bool) -> Vec<Dest> {
    let Some(re) = URL_RE.as_ref() else {
        return Vec::new();
    };
    re.find_iter(text)
        .map(|m| Dest {
            raw: m.as_str().to_string(),
            host: None,
            sends_data,
        })
        .collect()
}

fn dev_tcp_in(text: &str) -> Vec<Dest> {
    let Some(re) = DEV_TCP_RE.as_ref() else {
        return Vec::new();
    };
    re.captures_iter(text)
        .filter_map(|c| {
            let host = c.get(1)?.as_str();
            Some(Dest {
                raw: c.get(0)?.as_str().to_string(),
                host: Some(host.to_string()),
                sends_data: true,
            })
        })
        .collect()
}

const PROXY_VARS: &[&str] = &["http_proxy", "https_proxy", "all_proxy", "ftp_proxy"];

/// Every destination of one program: the analyser's, `/dev/tcp` redirects, proxy variables,
/// and (for unknown programs) URLs anywhere in argv.
fn destinations(cmd: &ExecFact) -> Vec<Dest> {
    let mut out: Vec<Dest> = cmd
        .network
        .iter()
        .map(|n| Dest {
            raw: n.raw.clone(),
            host: n.host.clone(),
            sends_data: n.sends_data,
        })
        .collect();
    for r in &cmd.redirects {
        if matches!(
            r.op,
            RedirectOp::Read | RedirectOp::Write | RedirectOp::Append | RedirectOp::ReadWrite
        ) {
            out.extend(dev_tcp_in(r.target.text()));
        }
    }
    for (name, value) in &cmd.env {
        if PROXY_VARS.iter().any(|p| p.eq_ignore_ascii_case(name)) {
            // Everything the program sends goes through the proxy.
            let v = value.text();
            out.push(Dest {
                raw: v.to_string(),
                host: Some(strip_scheme_and_path(v).to_string()),
                sends_data: true,
            });
        }
    }
    if !cmd.known_program {
        for a in cmd.argv.iter().skip(1) {
            out.extend(urls_in(a.text(), false));
        }
    }
    out
}

fn strip_scheme_and_path(v: &str) -> &str {
    let rest = v.split_once("://").map_or(v, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

/// Whether `ip` would be refused by the default SSRF policy (a helper for callers that get
/// addresses from elsewhere).
pub fn is_blocked_ip(ip: IpAddr) -> bool {
    SsrfPolicy::default().refuses(&classify(ip), false)
}

/// The guide's `extractUrls` (extended to the other network schemes).
pub fn extract_urls(text: &str) -> Vec<String> {
    urls_in(text, false).into_iter().map(|d| d.raw).collect()
}

/// The guide's `isDomainAllowed` for one glob (picomatch `nocase`).
pub fn domain_matches(pattern: &str, host: &str) -> bool {
    DomainGlob::new(pattern).matches(host)
}

static NETWORK_COMMAND_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"^\s*(?:(?:curl|wget|fetch|nc|ncat|socat|http|ssh|scp|rsync|telnet|openssl)\b|git\s+(?:clone|fetch|pull|push)|pip\s+install|npm\s+install|docker\s+pull|openssl\s+s_client)",
    )
    .ok()
});

/// The guide's `detectNetworkCommand` heuristic, kept for comparison and reporting only:
/// hardclaw's decisions never depend on it (its patterns and destinations apply to every
/// command, closing the guide's `base64 -d` gap).
pub fn detect_network_command(command: &str) -> bool {
    let Some(re) = NETWORK_COMMAND_RE.as_ref() else {
        return false;
    };
    let Ok(quotes) = Regex::new(r"'[^']*'") else {
        return false;
    };
    let stripped = quotes.replace_all(command, "''");
    stripped
        .split(['&', '|', ';'])
        .any(|segment| re.is_match(segment))
}

impl NetworkGuard {
    /// The first configured blocked pattern `text` matches (its source).
    pub fn matches_blocked_pattern(&self, text: &str) -> Option<&str> {
        match &self.state {
            State::On(c) => c
                .patterns
                .iter()
                .find(|(_, re)| re.is_match(text))
                .map(|(src, _)| src.as_str()),
            _ => None,
        }
    }
}
