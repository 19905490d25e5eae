//! Webhook signatures: `X-Hardclaw-Timestamp: <unix seconds>` and
//! `X-Hardclaw-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`.
//! The same scheme signs outbound replies.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Timestamp header.
pub const TIMESTAMP_HEADER: &str = "x-hardclaw-timestamp";
/// Signature header.
pub const SIGNATURE_HEADER: &str = "x-hardclaw-signature";
/// Accepted clock skew either way, in seconds.
pub const REPLAY_WINDOW_SECS: i64 = 300;

/// Why a signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// A header is missing or malformed.
    Missing,
    /// The timestamp is outside the window.
    Stale,
    /// The MAC does not match.
    Mismatch,
}

fn mac(secret: &[u8], timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
    #[expect(
        clippy::expect_used,
        reason = "HMAC takes keys of every length (RFC 2104); new_from_slice never fails for it"
    )]
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts any key length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// `sha256=<hex>` for a body.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let tag = mac(secret, &timestamp.to_string(), body)
        .finalize()
        .into_bytes();
    format!("sha256={}", hex::encode(tag))
}

/// Verifies headers and body at time `now` (unix seconds). Constant-time MAC comparison.
pub fn verify(
    secret: &[u8],
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), SignatureError> {
    let (Some(ts_text), Some(sig)) = (timestamp, signature) else {
        return Err(SignatureError::Missing);
    };
    let ts_text = ts_text.trim();
    if ts_text.is_empty() || ts_text.len() > 12 || !ts_text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SignatureError::Missing);
    }
    let ts: i64 = ts_text.parse().map_err(|_| SignatureError::Missing)?;
    let hex_sig = sig
        .trim()
        .strip_prefix("sha256=")
        .ok_or(SignatureError::Missing)?;
    let tag = hex::decode(hex_sig).map_err(|_| SignatureError::Missing)?;
    if tag.len() != 32 {
        return Err(SignatureError::Missing);
    }
    if (now - ts).abs() > REPLAY_WINDOW_SECS {
        return Err(SignatureError::Stale);
    }
    mac(secret, ts_text, body)
        .verify_slice(&tag)
        .map_err(|_| SignatureError::Mismatch)
}

/// The raw 32-byte tag of a well-formed `sha256=<hex>` header (for the replay cache).
pub fn tag_of(signature: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(signature.trim().strip_prefix("sha256=")?).ok()?;
    bytes.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123";

    #[test]
    fn round_trip_and_tampering() {
        let body = br#"{"sender":"alice","text":"hi"}"#;
        let sig = sign(KEY, 1_700_000_000, body);
        assert!(sig.starts_with("sha256=") && sig.len() == 7 + 64);
        assert_eq!(
            verify(KEY, Some("1700000000"), Some(&sig), body, 1_700_000_100),
            Ok(())
        );
        let tampered = br#"{"sender":"mallory","text":"hi"}"#;
        assert_eq!(
            verify(KEY, Some("1700000000"), Some(&sig), tampered, 1_700_000_100),
            Err(SignatureError::Mismatch)
        );
        // The timestamp is covered by the MAC.
        assert_eq!(
            verify(KEY, Some("1700000001"), Some(&sig), body, 1_700_000_100),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(
                b"another-secret-000000",
                Some("1700000000"),
                Some(&sig),
                body,
                1_700_000_000
            ),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn window_and_malformed_headers() {
        let body = b"{}";
        let sig = sign(KEY, 1_000_000, body);
        assert_eq!(
            verify(KEY, Some("1000000"), Some(&sig), body, 1_000_301),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(KEY, Some("1000000"), Some(&sig), body, 999_699),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(KEY, Some("1000000"), Some(&sig), body, 1_000_300),
            Ok(())
        );
        assert_eq!(
            verify(KEY, None, Some(&sig), body, 1_000_000),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(KEY, Some("1000000"), None, body, 1_000_000),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(KEY, Some("-5"), Some(&sig), body, 1_000_000),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(KEY, Some("1000000"), Some("md5=00"), body, 1_000_000),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(KEY, Some("1000000"), Some("sha256=zz"), body, 1_000_000),
            Err(SignatureError::Missing)
        );
    }
}
