//! Client authentication. Handlers that need an operator take [`Authenticated`]: the extractor
//! runs origin checks, client-IP resolution, the rate limiter and the credential check, and its
//! rejection is already the HTTP response — a handler cannot forget any of them.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::client_ip::{self, ClientIp};
use crate::error::ApiError;
use crate::origin::origin_allowed;
use crate::rate_limit::Scope;
use crate::settings::{AuthSetting, Settings};
use crate::state::{AppState, Gateway};

/// Who passed authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// Holder of the gateway token or password: the operator.
    Operator,
    /// A user vouched for by a trusted proxy.
    ProxyUser(String),
    /// `gateway.auth.mode: "none"`.
    Anonymous,
}

/// Proof that the request passed authentication.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The client.
    pub client: ClientIp,
    /// Who.
    pub principal: Principal,
}

/// The peer address of a request (always present: the server runs with connect info).
pub fn peer(parts: &Parts) -> Result<SocketAddr, ApiError> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
        .ok_or(ApiError::Internal)
}

/// `Authorization: Bearer <credential>`.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, rest) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| rest.trim())
        .filter(|t| !t.is_empty())
}

/// Rejects browser requests from origins that may not drive the gateway.
pub fn check_origin(settings: &Settings, headers: &HeaderMap) -> Result<(), ApiError> {
    let get = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if origin_allowed(get("origin"), get("host"), &settings.allowed_origins) {
        Ok(())
    } else {
        Err(ApiError::OriginNotAllowed)
    }
}

impl Gateway {
    /// The shared credential check of HTTP and WebSocket clients.
    pub fn authenticate(
        &self,
        settings: &Settings,
        client: &ClientIp,
        presented: Option<&str>,
        headers: &HeaderMap,
    ) -> Result<Principal, ApiError> {
        let secret = match &settings.auth {
            AuthSetting::None => return Ok(Principal::Anonymous),
            AuthSetting::TrustedProxy {
                user_header,
                allow_users,
                required_headers,
            } => {
                if !client.via_trusted_proxy
                    || required_headers
                        .iter()
                        .any(|h| !headers.contains_key(h.as_str()))
                {
                    return Err(ApiError::UntrustedProxy);
                }
                let user = headers
                    .get(user_header.as_str())
                    .and_then(|v| v.to_str().ok())
                    .map(str::trim)
                    .filter(|u| !u.is_empty())
                    .ok_or(ApiError::UntrustedProxy)?;
                if !allow_users.is_empty()
                    && !allow_users
                        .iter()
                        .any(|a| a.trim().eq_ignore_ascii_case(user))
                {
                    return Err(ApiError::UntrustedProxy);
                }
                return Ok(Principal::ProxyUser(user.to_string()));
            }
            AuthSetting::Token(s) | AuthSetting::Password(s) => s,
        };
        let key = client.key();
        self.limiter
            .check(&settings.limits, Scope::SharedSecret, key)
            .map_err(|retry_after| ApiError::RateLimited { retry_after })?;
        let Some(presented) = presented else {
            return Err(ApiError::MissingCredential);
        };
        if secret.matches(presented) {
            self.limiter.record_success(Scope::SharedSecret, key);
            Ok(Principal::Operator)
        } else {
            tracing::warn!(client = %key, mode = settings.auth.mode_name(), "gateway auth failed");
            match self
                .limiter
                .record_failure(&settings.limits, Scope::SharedSecret, key)
            {
                Ok(()) => Err(ApiError::BadCredential),
                Err(retry_after) => {
                    tracing::warn!(client = %key, "client locked out after repeated auth failures");
                    Err(ApiError::RateLimited { retry_after })
                }
            }
        }
    }
}

/// Resolves the client of a request under the current settings.
pub fn client_of(settings: &Settings, parts: &Parts) -> Result<ClientIp, ApiError> {
    let peer = peer(parts)?;
    Ok(client_ip::resolve(
        peer.ip(),
        &parts.headers,
        &settings.trusted_proxies,
        settings.allow_real_ip_fallback,
    ))
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let settings = state.settings();
        check_origin(&settings, &parts.headers)?;
        let client = client_of(&settings, parts)?;
        let principal =
            state.authenticate(&settings, &client, bearer(&parts.headers), &parts.headers)?;
        Ok(Authenticated { client, principal })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn bearer_parsing() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h), None);
        h.insert("authorization", HeaderValue::from_static("Bearer abc"));
        assert_eq!(bearer(&h), Some("abc"));
        h.insert("authorization", HeaderValue::from_static("bearer  abc "));
        assert_eq!(bearer(&h), Some("abc"));
        h.insert("authorization", HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&h), None);
        h.insert("authorization", HeaderValue::from_static("Bearer "));
        assert_eq!(bearer(&h), None);
    }
}

#[cfg(test)]
mod proxy_tests {
    use axum::http::HeaderValue;

    use super::*;
    use crate::client_ip::resolve;

    fn gateway(config: serde_json::Value) -> (tempfile::TempDir, Gateway) {
        crate::state::test_gateway(config)
    }

    // Reference §7.9 #14: trusted-proxy mode, peer not in trustedProxies.
    #[tokio::test]
    async fn trusted_proxy_mode_needs_a_trusted_peer_and_the_user_header() {
        let (_t, gw) = gateway(serde_json::json!({"gateway": {
            "trustedProxies": ["127.0.0.1"],
            "auth": {"mode": "trusted-proxy", "trustedProxy": {"userHeader": "x-user", "allowUsers": ["ann"]}}
        }}));
        let s = gw.settings();
        let mut h = HeaderMap::new();
        h.insert("x-user", HeaderValue::from_static("ann"));
        let from =
            |ip: &str, h: &HeaderMap| resolve(ip.parse().unwrap(), h, &s.trusted_proxies, false);
        assert_eq!(
            gw.authenticate(&s, &from("203.0.113.1", &h), None, &h),
            Err(ApiError::UntrustedProxy)
        );
        assert_eq!(
            gw.authenticate(&s, &from("127.0.0.1", &h), None, &h),
            Ok(Principal::ProxyUser("ann".into()))
        );
        h.insert("x-user", HeaderValue::from_static("bob"));
        assert_eq!(
            gw.authenticate(&s, &from("127.0.0.1", &h), None, &h),
            Err(ApiError::UntrustedProxy)
        );
    }

    #[tokio::test]
    async fn forwarded_client_is_what_the_limiter_locks() {
        let (_t, gw) = gateway(serde_json::json!({"gateway": {
            "trustedProxies": ["127.0.0.1"], "auth": {"token": "the-right-token-0123"}
        }}));
        let s = gw.settings();
        let mut attacker = HeaderMap::new();
        attacker.insert("x-forwarded-for", HeaderValue::from_static("198.51.100.9"));
        let mut user = HeaderMap::new();
        user.insert("x-forwarded-for", HeaderValue::from_static("198.51.100.10"));
        let via =
            |h: &HeaderMap| resolve("127.0.0.1".parse().unwrap(), h, &s.trusted_proxies, false);
        for _ in 0..9 {
            assert_eq!(
                gw.authenticate(&s, &via(&attacker), Some("x"), &attacker),
                Err(ApiError::BadCredential)
            );
        }
        assert!(matches!(
            gw.authenticate(&s, &via(&attacker), Some("x"), &attacker),
            Err(ApiError::RateLimited { .. })
        ));
        assert_eq!(
            gw.authenticate(&s, &via(&user), Some("the-right-token-0123"), &user),
            Ok(Principal::Operator)
        );
        assert_eq!(
            gw.authenticate(&s, &via(&user), None, &user),
            Err(ApiError::MissingCredential)
        );
    }
}
