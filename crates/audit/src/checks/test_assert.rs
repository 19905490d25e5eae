//! Assertions shared by the check families' tests.

use crate::finding::{Finding, Severity};
use crate::test_support::{find, ids};

/// Asserts that `check_id` was found with `severity` at `json_path` and returns it.
pub(crate) fn expect<'a>(
    findings: &'a [Finding],
    check_id: &str,
    severity: Severity,
    json_path: &str,
) -> &'a Finding {
    let f = find(findings, check_id);
    assert_eq!(f.severity, severity, "severity of {check_id}");
    assert_eq!(
        f.json_path.as_deref(),
        Some(json_path),
        "json path of {check_id}"
    );
    f
}

/// Asserts that `check_id` was not found.
pub(crate) fn absent(findings: &[Finding], check_id: &str) {
    assert!(
        findings.iter().all(|f| f.check_id != check_id),
        "unexpected {check_id}; found {:?}",
        ids(findings)
    );
}
