//! Secret fields: a plain string (ideally a `${VAR}` reference) or a SecretRef object
//! `{ source: "env" | "file" | "exec", provider?, id }`.

use std::fmt;

use serde::{Deserialize, Deserializer};

/// Where a SecretRef points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretSource {
    /// An environment variable named `id`.
    Env,
    /// A key `id` in a secrets file.
    File,
    /// The output of a command.
    Exec,
}

/// A reference to a secret kept outside the config.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretRef {
    /// Kind of store.
    pub source: SecretSource,
    /// Provider name (for `file`/`exec`).
    #[serde(default)]
    pub provider: Option<String>,
    /// Key, variable name or command id.
    pub id: String,
}

/// A secret-valued field. `Debug` never prints the value.
#[derive(Clone, PartialEq, Eq)]
pub enum SecretInput {
    /// Written as a string (after `${VAR}` substitution when the loader substitutes).
    Plain(String),
    /// A SecretRef object.
    Ref(SecretRef),
}

impl SecretInput {
    /// The plain value, if written as a string.
    pub fn plain(&self) -> Option<&str> {
        match self {
            SecretInput::Plain(s) => Some(s),
            SecretInput::Ref(_) => None,
        }
    }

    /// A non-empty plain value or any SecretRef counts as configured.
    pub fn is_configured(&self) -> bool {
        match self {
            SecretInput::Plain(s) => !s.trim().is_empty(),
            SecretInput::Ref(_) => true,
        }
    }
}

impl fmt::Debug for SecretInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretInput::Plain(_) => f.write_str("SecretInput::Plain(<redacted>)"),
            SecretInput::Ref(r) => write!(f, "SecretInput::Ref({:?}:{})", r.source, r.id),
        }
    }
}

impl<'de> Deserialize<'de> for SecretInput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Plain(String),
            Ref(SecretRef),
        }
        match Raw::deserialize(d) {
            Ok(Raw::Plain(s)) => Ok(SecretInput::Plain(s)),
            Ok(Raw::Ref(r)) => Ok(SecretInput::Ref(r)),
            Err(_) => Err(serde::de::Error::custom(
                "expected a string or a SecretRef object {source: \"env\"|\"file\"|\"exec\", provider?, id}",
            )),
        }
    }
}

/// An identifier written as a string or a number (Telegram user ids, phone numbers).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(pub String);

impl Id {
    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            S(String),
            I(i64),
            U(u64),
        }
        match Raw::deserialize(d) {
            Ok(Raw::S(s)) => Ok(Id(s)),
            Ok(Raw::I(i)) => Ok(Id(i.to_string())),
            Ok(Raw::U(u)) => Ok(Id(u.to_string())),
            Err(_) => Err(serde::de::Error::custom("expected a string or a number")),
        }
    }
}
