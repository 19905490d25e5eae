//! Why the sandbox refused to run a command. A refusal is never a fallback to the host.

/// The sandbox could not be fully applied, so the command did not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The kernel lacks a feature the sandbox needs.
    #[error("the kernel cannot provide {feature}: {detail}")]
    KernelUnsupported {
        /// The feature (`user namespaces`, `Landlock ABI ≥ 4`, `seccomp`).
        feature: String,
        /// What the probe saw.
        detail: String,
    },
    /// The plan cannot be built from the config (workspace missing, unsafe workspace).
    #[error("sandbox plan rejected: {0}")]
    Plan(String),
    /// A setup step failed inside the trampoline.
    #[error("sandbox setup failed: {0}")]
    Setup(String),
    /// The trampoline could not be started.
    #[error("cannot start the sandbox trampoline: {0}")]
    Spawn(String),
}

impl Refusal {
    /// A setup failure with the step and the OS error.
    pub fn setup(step: &str, err: impl std::fmt::Display) -> Refusal {
        Refusal::Setup(format!("{step}: {err}"))
    }
}
