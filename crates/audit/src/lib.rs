//! `hardclaw security audit`: every OpenClaw audit check and more, `--fix`, `--deep`.
//!
//! Main types: [`AuditContext`] (what checks read), [`Finding`] / [`Severity`], [`Report`], and
//! [`fix::FixResult`]. Each check family lives in its own file under `checks/`.
#![forbid(unsafe_code)]

mod checks;
mod context;
pub mod deep;
mod finding;
pub mod fix;
mod report;
mod suppress;
#[cfg(test)]
mod test_support;

pub use context::{AuditContext, AuditOptions};
pub use finding::{Finding, Severity, Summary};
pub use report::{Report, SuppressedFinding, SuppressionInfo, run_audit};
