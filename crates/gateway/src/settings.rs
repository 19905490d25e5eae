//! The gateway's effective settings, resolved once from the config, the environment and the
//! state dir — and refused when they are unsafe (reference `openclaw-runtime-security.md`
//! §7.1–§7.3). Startup and every reload go through [`Settings::resolve`]; a reload that fails
//! keeps the previous settings.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use hardclaw_config::schema::{AuthMode, Bind, Channel, SecretInput, SecretSource};
use hardclaw_config::{Config, EnvMap, Locations};

use crate::client_ip::TrustedProxies;
use crate::rate_limit::Limits;
use crate::secret::Secret;
use crate::token_file::{self, TokenFileError};

/// Default port.
pub const DEFAULT_PORT: u16 = 18789;

/// What [`Settings::resolve`] reads.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The typed config (after `${VAR}` substitution).
    pub config: Config,
    /// The environment (process + `<state>/.env`).
    pub env: EnvMap,
    /// State dir, config path.
    pub locations: Locations,
    /// `--port`.
    pub port_override: Option<u16>,
}

/// How clients authenticate.
#[derive(Debug, Clone)]
pub enum AuthSetting {
    /// `Authorization: Bearer <token>`.
    Token(Secret),
    /// `Authorization: Bearer <password>`.
    Password(Secret),
    /// Identity from a trusted reverse proxy.
    TrustedProxy {
        /// Header carrying the user.
        user_header: String,
        /// Users allowed (empty = any).
        allow_users: Vec<String>,
        /// Headers that must be present.
        required_headers: Vec<String>,
    },
    /// No authentication (explicit `gateway.auth.mode: "none"`, loopback only).
    None,
}

impl AuthSetting {
    /// `token`, `password`, `trusted-proxy`, `none`.
    pub fn mode_name(&self) -> &'static str {
        match self {
            AuthSetting::Token(_) => "token",
            AuthSetting::Password(_) => "password",
            AuthSetting::TrustedProxy { .. } => "trusted-proxy",
            AuthSetting::None => "none",
        }
    }

    /// Whether a reload keeps every credential as it was.
    pub fn same_credentials(&self, other: &AuthSetting) -> bool {
        match (self, other) {
            (AuthSetting::Token(a), AuthSetting::Token(b))
            | (AuthSetting::Password(a), AuthSetting::Password(b)) => a == b,
            (
                AuthSetting::TrustedProxy {
                    user_header: h1,
                    allow_users: u1,
                    required_headers: r1,
                },
                AuthSetting::TrustedProxy {
                    user_header: h2,
                    allow_users: u2,
                    required_headers: r2,
                },
            ) => h1 == h2 && u1 == u2 && r1 == r2,
            (AuthSetting::None, AuthSetting::None) => true,
            _ => false,
        }
    }

    fn shared_secret(&self) -> Option<&Secret> {
        match self {
            AuthSetting::Token(s) | AuthSetting::Password(s) => Some(s),
            _ => None,
        }
    }
}

/// Where the token came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// `gateway.auth.token`.
    Config,
    /// An environment variable (its name).
    Env(String),
    /// `<state>/gateway.token`; `generated` on the start that created it.
    File {
        /// Path of the file.
        path: std::path::PathBuf,
        /// Created by this resolution.
        generated: bool,
    },
}

/// One `channels.webhook.accounts.<id>`.
#[derive(Debug, Clone)]
pub struct WebhookAccount {
    /// HMAC key for inbound and outbound signatures.
    pub secret: Secret,
    /// Where replies go.
    pub url: Option<url::Url>,
    /// `streamReplies`: replies are posted as `reply_delta`s while the agent writes them.
    pub stream: bool,
}

/// Everything the server needs, resolved and checked.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Listening port (0 = pick one).
    pub port: u16,
    /// Addresses to listen on (the first must bind; later ones are best effort).
    pub bind: Vec<IpAddr>,
    /// Whether every bind address is loopback.
    pub loopback_only: bool,
    /// Client authentication.
    pub auth: AuthSetting,
    /// Where a token came from (token mode).
    pub token_source: Option<TokenSource>,
    /// Failed-auth limits.
    pub limits: Limits,
    /// `gateway.trustedProxies`.
    pub trusted_proxies: TrustedProxies,
    /// `gateway.allowRealIpFallback`.
    pub allow_real_ip_fallback: bool,
    /// `gateway.controlUi.allowedOrigins`.
    pub allowed_origins: Vec<String>,
    /// `gateway.controlUi.enabled` (default true).
    pub control_ui: bool,
    /// `gateway.http.endpoints.chatCompletions.enabled` (default false).
    pub chat_completions: bool,
    /// Webhook channel accounts.
    pub webhook_accounts: BTreeMap<String, WebhookAccount>,
    /// The config the access decisions read.
    pub config: Arc<Config>,
    /// channel-guard (prompt-injection screen on every inbound message), built once.
    pub channel_guard: Arc<hardclaw_policy::injection::ChannelGuard>,
    /// channel-guard's model classifier (`classifier: "model"`), when configured.
    pub classifier: Option<Arc<crate::classifier::ModelClassifier>>,
    /// The state dir.
    pub locations: Locations,
    /// The environment (for on-demand audits).
    pub env: EnvMap,
    /// Things the operator should hear about at startup (never containing secrets).
    pub warnings: Vec<String>,
}

/// Why the gateway refuses to start (or to apply a reload).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// Token and password configured, no explicit mode.
    #[error(
        "both a gateway token and a gateway password are configured; set gateway.auth.mode to \"token\" or \"password\""
    )]
    AmbiguousMode,
    /// Password mode without a password.
    #[error(
        "gateway.auth.mode is \"password\" but no password is configured (gateway.auth.password or {0})"
    )]
    MissingPassword(&'static str),
    /// Trusted-proxy mode misconfigured.
    #[error("gateway.auth.mode is \"trusted-proxy\" but {0}")]
    TrustedProxy(String),
    /// A secret uses a SecretRef source the gateway cannot read.
    #[error(
        "{path}: SecretRef source \"{source_name}\" is not supported by the gateway; use a string or {{source: \"env\"}}"
    )]
    UnsupportedSecretRef {
        /// JSON path.
        path: String,
        /// `file` or `exec`.
        source_name: &'static str,
    },
    /// A SecretRef names an unset variable.
    #[error("{path}: environment variable {var} is not set")]
    MissingEnv {
        /// JSON path.
        path: String,
        /// The variable.
        var: String,
    },
    /// `hooks.token` equals the gateway secret.
    #[error(
        "invalid config: hooks.token must not match gateway auth token. Set a distinct hooks.token for hook ingress."
    )]
    HooksTokenReused,
    /// Non-loopback bind without auth.
    #[error("refusing to bind gateway to {0} without auth")]
    ExposedWithoutAuth(String),
    /// Non-loopback Control UI without allowed origins.
    #[error(
        "refusing to serve the Control UI on a non-loopback bind without gateway.controlUi.allowedOrigins"
    )]
    MissingAllowedOrigins,
    /// Bind settings invalid.
    #[error("{0}")]
    Bind(String),
    /// A webhook account is misconfigured.
    #[error("channels.webhook.accounts.{account}: {message}")]
    Webhook {
        /// The account.
        account: String,
        /// What is wrong.
        message: String,
    },
    /// The token file could not be read or created.
    #[error(transparent)]
    TokenFile(#[from] TokenFileError),
    /// `gateway.trustedProxies` has a bad entry.
    #[error("gateway.trustedProxies: {0}")]
    TrustedProxies(String),
}

/// A secret field's value.
fn resolve_secret(
    input: Option<&SecretInput>,
    path: &str,
    env: &EnvMap,
) -> Result<Option<Secret>, SettingsError> {
    match input {
        None => Ok(None),
        Some(SecretInput::Plain(s)) => Ok((!s.trim().is_empty()).then(|| Secret::new(s.as_str()))),
        Some(SecretInput::Ref(r)) => match r.source {
            SecretSource::Env => env
                .get(&r.id)
                .filter(|v| !v.trim().is_empty())
                .map(|v| Some(Secret::new(v.as_str())))
                .ok_or_else(|| SettingsError::MissingEnv {
                    path: path.to_string(),
                    var: r.id.clone(),
                }),
            SecretSource::File => Err(SettingsError::UnsupportedSecretRef {
                path: path.to_string(),
                source_name: "file",
            }),
            SecretSource::Exec => Err(SettingsError::UnsupportedSecretRef {
                path: path.to_string(),
                source_name: "exec",
            }),
        },
    }
}

fn first_env(env: &EnvMap, names: &[&str]) -> Option<(String, Secret)> {
    names.iter().find_map(|n| {
        env.get(*n)
            .filter(|v| !v.trim().is_empty())
            .map(|v| (n.to_string(), Secret::new(v.as_str())))
    })
}

impl Settings {
    /// Resolves and checks the settings. Creates `<state>/gateway.token` when token mode has no
    /// token yet.
    pub fn resolve(inputs: &Inputs) -> Result<Settings, SettingsError> {
        let config = &inputs.config;
        let env = &inputs.env;
        let locations = &inputs.locations;
        let gateway = config.gateway.clone().unwrap_or_default();
        let auth_cfg = gateway.auth.clone().unwrap_or_default();
        let mut warnings = Vec::new();

        let port = inputs
            .port_override
            .or_else(|| {
                env.get(locations.gateway_port_var())
                    .and_then(|p| p.trim().parse::<u16>().ok())
            })
            .or(gateway.port)
            .unwrap_or(DEFAULT_PORT);

        // Auth (§7.1): explicit mode → password if one is resolvable → token.
        let cfg_token = resolve_secret(auth_cfg.token.as_ref(), "gateway.auth.token", env)?;
        let cfg_password =
            resolve_secret(auth_cfg.password.as_ref(), "gateway.auth.password", env)?;
        let env_token = first_env(env, locations.gateway_token_vars());
        let env_password = first_env(env, locations.gateway_password_vars());
        let have_token = cfg_token.is_some() || env_token.is_some();
        let have_password = cfg_password.is_some() || env_password.is_some();
        let mode = match auth_cfg.mode {
            Some(m) => m,
            None if have_token && have_password => return Err(SettingsError::AmbiguousMode),
            None if have_password => AuthMode::Password,
            None => AuthMode::Token,
        };
        let mut token_source = None;
        let auth = match mode {
            AuthMode::Token => {
                let token = if let Some(t) = cfg_token {
                    token_source = Some(TokenSource::Config);
                    t
                } else if let Some((var, t)) = env_token {
                    token_source = Some(TokenSource::Env(var));
                    t
                } else {
                    let file = token_file::load_or_create(&locations.state_dir)?;
                    token_source = Some(TokenSource::File {
                        path: file.path,
                        generated: file.generated,
                    });
                    file.token
                };
                AuthSetting::Token(token)
            }
            AuthMode::Password => {
                let password = cfg_password.or(env_password.map(|(_, p)| p)).ok_or(
                    SettingsError::MissingPassword(locations.gateway_password_vars()[0]),
                )?;
                AuthSetting::Password(password)
            }
            AuthMode::TrustedProxy => {
                let tp = auth_cfg.trusted_proxy.clone().unwrap_or_default();
                let user_header = tp
                    .user_header
                    .as_deref()
                    .map(str::trim)
                    .filter(|h| !h.is_empty())
                    .ok_or_else(|| {
                        SettingsError::TrustedProxy(
                            "gateway.auth.trustedProxy.userHeader is not set".into(),
                        )
                    })?
                    .to_ascii_lowercase();
                AuthSetting::TrustedProxy {
                    user_header,
                    allow_users: tp.allow_users.unwrap_or_default(),
                    required_headers: tp
                        .required_headers
                        .unwrap_or_default()
                        .iter()
                        .map(|h| h.trim().to_ascii_lowercase())
                        .collect(),
                }
            }
            AuthMode::None => {
                warnings.push(
                    "gateway.auth.mode is \"none\": ANY local process can drive the agent through the gateway. Use token auth."
                        .into(),
                );
                AuthSetting::None
            }
        };

        // Hooks token must differ from the gateway secret (§7.2; hardclaw checks whenever set).
        let hooks_token = resolve_secret(
            config.hooks.as_ref().and_then(|h| h.token.as_ref()),
            "hooks.token",
            env,
        )?;
        if let (Some(hooks), Some(secret)) = (&hooks_token, auth.shared_secret())
            && secret.matches(hooks.expose())
        {
            return Err(SettingsError::HooksTokenReused);
        }

        let trusted_proxies =
            TrustedProxies::parse(gateway.trusted_proxies.as_deref().unwrap_or(&[]))
                .map_err(SettingsError::TrustedProxies)?;

        // Bind (§7.3).
        let bind_mode = gateway.bind.unwrap_or(Bind::Loopback);
        let loopback = vec![
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(Ipv6Addr::LOCALHOST),
        ];
        let bind = match bind_mode {
            Bind::Loopback | Bind::Auto => loopback,
            Bind::Lan => vec![IpAddr::V4(Ipv4Addr::UNSPECIFIED)],
            Bind::Custom => {
                let host = gateway.custom_bind_host.as_deref().unwrap_or("").trim();
                let ip: Ipv4Addr = host.parse().map_err(|_| {
                    SettingsError::Bind(format!(
                        "gateway.bind is \"custom\" but gateway.customBindHost `{host}` is not a dotted IPv4 address"
                    ))
                })?;
                vec![IpAddr::V4(ip)]
            }
            Bind::Tailnet => {
                return Err(SettingsError::Bind(
                    "gateway.bind \"tailnet\" is not supported by hardclaw; bind to loopback and use `tailscale serve`".into(),
                ));
            }
        };
        let loopback_only = bind.iter().all(IpAddr::is_loopback);
        if !loopback_only {
            let has_auth = matches!(
                auth,
                AuthSetting::Token(_) | AuthSetting::Password(_) | AuthSetting::TrustedProxy { .. }
            );
            if !has_auth {
                return Err(SettingsError::ExposedWithoutAuth(format!(
                    "{}:{port}",
                    bind[0]
                )));
            }
        }
        if let AuthSetting::TrustedProxy { .. } = auth {
            if trusted_proxies.is_empty() {
                return Err(SettingsError::TrustedProxy(
                    "gateway.trustedProxies is empty".into(),
                ));
            }
            if loopback_only && !trusted_proxies.has_loopback() {
                return Err(SettingsError::TrustedProxy(
                    "the gateway binds to loopback and gateway.trustedProxies has no loopback entry".into(),
                ));
            }
        }

        // Serving plain HTTP when the operator asked for TLS would be a silent downgrade.
        if gateway.tls.as_ref().and_then(|t| t.enabled) == Some(true) {
            return Err(SettingsError::Bind(
                "gateway.tls is not supported by hardclaw yet; terminate TLS in a reverse proxy (listed in gateway.trustedProxies) and keep the gateway on loopback".into(),
            ));
        }

        let ui = gateway.control_ui.clone().unwrap_or_default();
        let control_ui = ui.enabled.unwrap_or(true);
        let allowed_origins = ui.allowed_origins.clone().unwrap_or_default();
        if control_ui
            && !loopback_only
            && allowed_origins.is_empty()
            && ui.dangerously_allow_host_header_origin_fallback != Some(true)
        {
            return Err(SettingsError::MissingAllowedOrigins);
        }

        let chat_completions = gateway
            .http
            .as_ref()
            .and_then(|h| h.endpoints.as_ref())
            .and_then(|e| e.chat_completions.as_ref())
            .and_then(|t| t.enabled)
            .unwrap_or(false);

        let webhook_accounts = webhook_accounts(config, env)?;
        let channel_guard = hardclaw_policy::injection::ChannelGuard::from_config(config);
        let classifier = model_classifier(&channel_guard, env);
        if let Some(problem) = classifier.as_ref().and_then(|c| c.problem()) {
            warnings.push(format!(
                "channel-guard model classifier unusable ({problem}); every inbound message is blocked unless failOpen"
            ));
        }
        if let Some(e) = channel_guard.config_error() {
            warnings.push(format!(
                "plugins.entries[\"channel-guard\"].config is invalid ({e}); every inbound message is blocked unless failOpen"
            ));
        }

        Ok(Settings {
            port,
            bind,
            loopback_only,
            auth,
            token_source,
            limits: Limits::from_config(auth_cfg.rate_limit.as_ref()),
            trusted_proxies,
            allow_real_ip_fallback: gateway.allow_real_ip_fallback.unwrap_or(false),
            allowed_origins,
            control_ui,
            chat_completions,
            webhook_accounts,
            config: Arc::new(config.clone()),
            channel_guard: Arc::new(channel_guard),
            classifier,
            locations: locations.clone(),
            env: env.clone(),
            warnings,
        })
    }
}

/// channel-guard's model classifier, when it is on with `classifier: "model"`.
fn model_classifier(
    guard: &hardclaw_policy::injection::ChannelGuard,
    env: &EnvMap,
) -> Option<Arc<crate::classifier::ModelClassifier>> {
    let c = guard.config();
    if !guard.enabled()
        || c.classifier != hardclaw_policy::injection::channel_guard::ClassifierKind::Model
    {
        return None;
    }
    let settings = c.model_classifier.as_ref()?;
    Some(Arc::new(crate::classifier::ModelClassifier::new(
        settings,
        |var| env.get(var).cloned(),
    )))
}

/// `channels.webhook.accounts.<id>` (and the channel block itself as account `default`).
fn webhook_accounts(
    config: &Config,
    env: &EnvMap,
) -> Result<BTreeMap<String, WebhookAccount>, SettingsError> {
    let mut out = BTreeMap::new();
    let Some(channel) = config.channels.as_ref().and_then(|c| c.get("webhook")) else {
        return Ok(out);
    };
    if channel.enabled == Some(false) {
        return Ok(out);
    }
    let mut accounts: Vec<(String, &Channel)> = channel
        .accounts
        .iter()
        .flatten()
        .map(|(id, a)| (id.clone(), a))
        .collect();
    if channel.webhook_secret.is_some() && !accounts.iter().any(|(id, _)| id == "default") {
        accounts.push(("default".into(), channel));
    }
    for (id, account) in accounts {
        if account.enabled == Some(false) {
            continue;
        }
        if !valid_account_id(&id) {
            return Err(SettingsError::Webhook {
                account: id,
                message: "account ids are 1-64 characters of a-z, 0-9, `-` and `_`".into(),
            });
        }
        let path = format!("channels.webhook.accounts.{id}.webhookSecret");
        let secret = resolve_secret(account.webhook_secret.as_ref(), &path, env)?;
        let Some(secret) = secret else {
            return Err(SettingsError::Webhook {
                account: id,
                message: "webhookSecret is required (inbound requests are verified with it)".into(),
            });
        };
        if secret.expose().len() < 16 {
            return Err(SettingsError::Webhook {
                account: id,
                message: "webhookSecret must be at least 16 characters".into(),
            });
        }
        let url = match account.webhook_url.as_deref() {
            None => None,
            Some(raw) => Some(outbound_url(raw).map_err(|message| SettingsError::Webhook {
                account: id.clone(),
                message,
            })?),
        };
        let stream = account.stream_replies.unwrap_or(false);
        out.insert(
            id,
            WebhookAccount {
                secret,
                url,
                stream,
            },
        );
    }
    Ok(out)
}

/// Account ids as they appear in URLs.
pub fn valid_account_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Reply URLs: `https://`, or `http://` to a loopback host only (the ws:// rule, §7.4).
fn outbound_url(raw: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(raw.trim()).map_err(|e| format!("webhookUrl: {e}"))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => {
                    ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v| v.is_loopback())
                }
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                None => false,
            };
            if loopback {
                Ok(url)
            } else {
                Err("webhookUrl must be https:// (plain http:// only to a loopback host)".into())
            }
        }
        other => Err(format!("webhookUrl scheme `{other}` is not http(s)")),
    }
}

#[cfg(test)]
mod tests;
