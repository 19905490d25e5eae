//! hardclaw's exec sandbox.
//!
//! * [`proxy`]: the egress proxy, the sandbox's only way out. [`proxy::start_proxy`] serves
//!   a Unix socket on the host and judges every request with the network guard;
//!   [`proxy::run_forwarder`] runs inside the sandbox's network namespace and relays its
//!   loopback proxy port to that socket.
//!
//! (The namespace / Landlock / seccomp trampoline lands separately.)

pub mod proxy;
