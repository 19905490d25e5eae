//! `plugins.entries["network-guard"].config`: the guide's keys and defaults
//! (`openclaw-guide-spec.md` §1.4), validated strictly (unknown keys and wrong types are
//! configuration errors, as the plugin manifest's `additionalProperties: false`).

use std::collections::BTreeMap;

use serde_json::Value;

/// The guard's plugin id.
pub const NETWORK_GUARD_ID: &str = "network-guard";

/// `DEFAULT_ALLOWED_DOMAINS`.
pub const DEFAULT_ALLOWED_DOMAINS: &[&str] = &[
    "github.com",
    "*.github.com",
    "npmjs.org",
    "registry.npmjs.org",
    "pypi.org",
    "*.pypi.org",
    "api.anthropic.com",
];

/// `DEFAULT_BLOCKED_PATTERNS` (regex sources, compiled case-insensitive and dot-all).
pub const DEFAULT_BLOCKED_PATTERNS: &[&str] = &[
    r"curl.*\|\s*sh",
    r"wget.*\|\s*sh",
    r"\|\s*curl\s+.*-X\s+POST",
    r"\|\s*curl\s+.*-XPOST",
    r"\|\s*curl\s+.*--request\s+POST",
    r"curl\s+.*-d\s+",
    r"curl\s+.*--data",
    r"curl\s+.*-F\s+",
    r"base64\s+-d",
    r"echo.*\|.*base64",
];

/// Default DNS timeout.
pub const DEFAULT_DNS_TIMEOUT_MS: u64 = 2000;

/// The validated settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkGuardSettings {
    /// The entry's `enabled` (an explicit `false` turns the guard off).
    pub enabled: bool,
    /// Domain globs (case-insensitive; `*` matches dots, not `/`).
    pub allowed_domains: Vec<String>,
    /// Regex sources.
    pub blocked_patterns: Vec<String>,
    /// Refuse every IP-literal host.
    pub block_direct_ip: bool,
    /// Allow on an unexpected error (including a configuration error).
    pub fail_open: bool,
    /// Log blocks.
    pub log_blocks: bool,
    /// agentId → extra domains (added to `allowed_domains`).
    pub agent_overrides: BTreeMap<String, Vec<String>>,
    /// Resolve allowed names and refuse private answers.
    pub resolve_dns: bool,
    /// DNS timeout for the resolver the caller provides.
    pub dns_timeout_ms: u64,
    /// hardclaw extension: skip private-range checks (cloud metadata stays blocked).
    pub allow_private_network: bool,
}

impl Default for NetworkGuardSettings {
    fn default() -> Self {
        NetworkGuardSettings {
            enabled: true,
            allowed_domains: DEFAULT_ALLOWED_DOMAINS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            blocked_patterns: DEFAULT_BLOCKED_PATTERNS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            block_direct_ip: true,
            fail_open: false,
            log_blocks: true,
            agent_overrides: BTreeMap::new(),
            resolve_dns: true,
            dns_timeout_ms: DEFAULT_DNS_TIMEOUT_MS,
            allow_private_network: false,
        }
    }
}

const KEYS: &[&str] = &[
    "allowedDomains",
    "blockedPatterns",
    "blockDirectIp",
    "failOpen",
    "logBlocks",
    "agentOverrides",
    "resolveDns",
    "dnsTimeoutMs",
    "allowPrivateNetwork",
];

fn string_list(v: &Value, key: &str, errors: &mut Vec<String>) -> Option<Vec<String>> {
    match v.as_array() {
        Some(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item.as_str() {
                    Some(s) => out.push(s.to_string()),
                    None => errors.push(format!("{key}[{i}]: expected a string")),
                }
            }
            Some(out)
        }
        None => {
            errors.push(format!("{key}: expected an array of strings"));
            None
        }
    }
}

fn boolean(v: &Value, key: &str, errors: &mut Vec<String>) -> Option<bool> {
    let b = v.as_bool();
    if b.is_none() {
        errors.push(format!("{key}: expected true or false"));
    }
    b
}

impl NetworkGuardSettings {
    /// Reads the plugin entry's `enabled` and `config`. Missing config → defaults.
    /// `Err` lists every problem; `fail_open` is still reported when it could be read.
    pub fn parse(
        enabled: Option<bool>,
        config: Option<&Value>,
    ) -> Result<NetworkGuardSettings, (Vec<String>, bool)> {
        let mut s = NetworkGuardSettings {
            enabled: enabled.unwrap_or(true),
            ..NetworkGuardSettings::default()
        };
        let Some(config) = config else {
            return Ok(s);
        };
        if config.is_null() {
            return Ok(s);
        }
        let Some(obj) = config.as_object() else {
            return Err((vec!["config: expected an object".into()], false));
        };
        let mut errors = Vec::new();
        for (key, v) in obj {
            match key.as_str() {
                "allowedDomains" => {
                    if let Some(l) = string_list(v, key, &mut errors) {
                        s.allowed_domains = l;
                    }
                }
                "blockedPatterns" => {
                    if let Some(l) = string_list(v, key, &mut errors) {
                        s.blocked_patterns = l;
                    }
                }
                "blockDirectIp" => s.block_direct_ip = boolean(v, key, &mut errors).unwrap_or(true),
                "failOpen" => s.fail_open = boolean(v, key, &mut errors).unwrap_or(false),
                "logBlocks" => s.log_blocks = boolean(v, key, &mut errors).unwrap_or(true),
                "resolveDns" => s.resolve_dns = boolean(v, key, &mut errors).unwrap_or(true),
                "allowPrivateNetwork" => {
                    s.allow_private_network = boolean(v, key, &mut errors).unwrap_or(false);
                }
                "dnsTimeoutMs" => match v.as_u64() {
                    Some(ms) => s.dns_timeout_ms = ms,
                    None => errors.push(format!("{key}: expected a non-negative integer")),
                },
                "agentOverrides" => match v.as_object() {
                    Some(map) => {
                        for (agent, list) in map {
                            if let Some(l) =
                                string_list(list, &format!("agentOverrides.{agent}"), &mut errors)
                            {
                                s.agent_overrides.insert(agent.clone(), l);
                            }
                        }
                    }
                    None => errors.push(format!("{key}: expected an object")),
                },
                other => {
                    let hint = KEYS
                        .iter()
                        .find(|k| {
                            edit_distance(&k.to_ascii_lowercase(), &other.to_ascii_lowercase()) <= 2
                        })
                        .map(|k| format!(" (did you mean `{k}`?)"))
                        .unwrap_or_default();
                    errors.push(format!("unknown key `{other}`{hint}"));
                }
            }
        }
        if errors.is_empty() {
            Ok(s)
        } else {
            Err((errors, s.fail_open))
        }
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
