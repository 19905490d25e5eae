//! hardclaw's exec sandbox: one command in fresh user, mount, pid, ipc, uts and network
//! namespaces, behind Landlock and a seccomp deny set, with every capability dropped, rlimits,
//! a sanitised environment, and egress only through the allowlisting proxy.
//!
//! * [`policy`]: the effective sandbox of an agent and session, resolved from the config.
//! * [`SandboxSpec`]: everything the trampoline applies, built by pure functions:
//!   [`mounts::mount_plan`], [`seccomp::deny_rules`], [`landlock_rules::rules`],
//!   [`env::sanitized_env`], [`rlimits::rlimits`].
//! * [`run`]: the parent side — spawns the trampoline, enforces the timeout and output caps,
//!   and reports a [`Refusal`] when anything could not be applied (fail closed); [`spawn`] /
//!   [`start`] return once the command runs, for background commands (output streamed to an
//!   [`OutputSink`], stdin piped, killed through the cancel flag).
//! * [`trampoline::main`]: the child side, entered from the re-executed binary before any
//!   async runtime starts; the only place with system calls that change the process.
//! * [`kernel_support`]: a cached probe of the kernel features the sandbox needs.
//! * [`proxy`]: the egress proxy, the sandbox's only way out: [`proxy::start_proxy`] serves a
//!   Unix socket on the host and judges every request with the network guard;
//!   [`proxy::run_forwarder`] relays the sandbox's loopback proxy port to that socket.

pub mod env;
pub mod error;
pub mod exec;
pub mod explain;
pub mod kernel;
pub mod landlock_rules;
pub mod mounts;
pub mod policy;
pub mod proxy;
pub mod rlimits;
pub mod run;
pub mod seccomp;
pub mod spec;
mod sys;
pub mod trampoline;

pub use error::Refusal;
pub use exec::{DecisionSink, ExecJob, Started, Streaming, exec, start};
pub use explain::Explanation;
pub use kernel::{KernelSupport, kernel_support};
pub use policy::{EffectiveSandbox, SandboxInputs, WorkspaceMode, resolve};
pub use run::{Outcome, OutputSink, OutputStream, RunOptions, Running, run, spawn};
pub use spec::{Limits, SandboxSpec};
pub use trampoline::TRAMPOLINE_ARG;
