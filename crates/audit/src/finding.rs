//! The finding model: `{checkId, severity, title, detail, remediation?}` as in OpenClaw's report,
//! plus the JSON path of the offending key when there is one (used by SARIF and the human report).

use serde::{Deserialize, Serialize};

/// How bad a finding is. Ordered: `Info < Warn < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Should be fixed.
    Warn,
    /// Must be fixed: the setup is exploitable as configured.
    Critical,
}

impl Severity {
    /// `info` / `warn` / `critical`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Critical => "critical",
        }
    }
}

/// One audit finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Stable identifier (`gateway.bind_no_auth`); OpenClaw's id where one exists.
    pub check_id: String,
    /// Severity.
    pub severity: Severity,
    /// One-line title.
    pub title: String,
    /// What was found, with the facts.
    pub detail: String,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub remediation: Option<String>,
    /// JSON path of the offending key, when the finding is about one key.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub json_path: Option<String>,
}

impl Finding {
    /// A finding without remediation or location.
    pub fn new(
        check_id: impl Into<String>,
        severity: Severity,
        title: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Finding {
            check_id: check_id.into(),
            severity,
            title: title.into(),
            detail: detail.into(),
            remediation: None,
            json_path: None,
        }
    }

    /// Adds the remediation text.
    #[must_use]
    pub fn remediation(mut self, text: impl Into<String>) -> Self {
        self.remediation = Some(text.into());
        self
    }

    /// Adds the JSON path of the offending key.
    #[must_use]
    pub fn at(mut self, json_path: impl Into<String>) -> Self {
        self.json_path = Some(json_path.into());
        self
    }
}

/// Counts per severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Critical findings.
    pub critical: usize,
    /// Warnings.
    pub warn: usize,
    /// Informational findings.
    pub info: usize,
}

impl Summary {
    /// Counts `findings`.
    pub fn of(findings: &[Finding]) -> Summary {
        let mut s = Summary::default();
        for f in findings {
            match f.severity {
                Severity::Critical => s.critical += 1,
                Severity::Warn => s.warn += 1,
                Severity::Info => s.info += 1,
            }
        }
        s
    }
}
