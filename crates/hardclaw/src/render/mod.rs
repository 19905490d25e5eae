//! Renderers for what a person or a tool reads: the human audit report and SARIF.

pub mod human;
pub mod sarif;
