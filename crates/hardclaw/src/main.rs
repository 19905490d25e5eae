//! The `hardclaw` binary: parses the command line, runs the command, maps the outcome to an
//! exit code (0 ok, 1 invalid config or runtime error, 2 usage, 3 findings at or above
//! `--fail-on`).
#![forbid(unsafe_code)]

mod cli;
mod clock;
mod commands;
mod env;
mod output;
mod render;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{
    Cli, Command, ConfigCommand, GuardCommand, PairingCommand, PolicyCommand, SandboxCommand,
    SecurityCommand,
};

/// Exit code: invalid config or runtime error.
pub const EXIT_ERROR: u8 = 1;
/// Exit code: the sandbox refused to run a command (it could not be fully applied).
pub const EXIT_SANDBOX_REFUSED: u8 = 126;
/// Exit code: findings at or above `--fail-on`.
pub const EXIT_FINDINGS: u8 = 3;

fn main() -> ExitCode {
    // The sandbox trampoline: dispatched before clap, threads or any runtime exist.
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == hardclaw_sandbox::TRAMPOLINE_ARG)
    {
        hardclaw_sandbox::trampoline::main();
    }
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Security(SecurityCommand::Audit(args)) => commands::audit::run(&cli.global, args),
        Command::Config(ConfigCommand::Validate(args)) => {
            commands::config::validate(&cli.global, args)
        }
        Command::Config(ConfigCommand::Get(args)) => commands::config::get(&cli.global, args),
        Command::Doctor(args) => commands::doctor::run(&cli.global, args),
        Command::Guard(GuardCommand::Check(args)) => commands::guard::check(&cli.global, args),
        Command::Policy(PolicyCommand::Tools(args)) => commands::policy::tools(&cli.global, args),
        Command::Gateway(args) => commands::gateway::run(&cli.global, args),
        Command::Pairing(PairingCommand::List(args)) => commands::pairing::list(&cli.global, args),
        Command::Pairing(PairingCommand::Approve(args)) => {
            commands::pairing::approve(&cli.global, args)
        }
        Command::Pairing(PairingCommand::Reject(args)) => {
            commands::pairing::reject(&cli.global, args)
        }
        Command::Sandbox(SandboxCommand::Run(args)) => commands::sandbox::run(&cli.global, args),
        Command::Sandbox(SandboxCommand::Explain(args)) => {
            commands::sandbox::explain(&cli.global, args)
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            output::error(&format!("{err:#}"));
            ExitCode::from(EXIT_ERROR)
        }
    }
}
