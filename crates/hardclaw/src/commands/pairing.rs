//! `hardclaw pairing list [CHANNEL] [--json]`, `hardclaw pairing approve CHANNEL CODE`,
//! `hardclaw pairing reject CHANNEL CODE`: the owner's side of DM pairing. The files live in
//! the credentials dir (`<state>/credentials`, or `$HARDCLAW_OAUTH_DIR` / `$OPENCLAW_OAUTH_DIR`).
//! No config is needed: pairing works on a fresh install.

use std::time::SystemTime;

use anyhow::Result;
use hardclaw_store::{PairingError, PairingStore, PendingRequest};

use crate::cli::{GlobalArgs, PairingCodeArgs, PairingListArgs};
use crate::{EXIT_ERROR, env, output};

fn store(global: &GlobalArgs) -> PairingStore {
    let process = env::process_env();
    let locations = env::locations(global, &process);
    PairingStore::new(locations.credentials_dir)
}

/// Prints the error and returns exit code 1.
fn fail(err: &PairingError) -> Result<u8> {
    output::error(&err.to_string());
    Ok(EXIT_ERROR)
}

/// Runs `pairing list`.
pub fn list(global: &GlobalArgs, args: &PairingListArgs) -> Result<u8> {
    let pending = match store(global).list(args.channel.as_deref(), SystemTime::now()) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    if args.json {
        output::stdout(&(serde_json::to_string_pretty(&pending)? + "\n"));
    } else {
        output::stdout(&render(&pending, args.channel.as_deref()));
    }
    Ok(0)
}

fn render(pending: &[PendingRequest], channel: Option<&str>) -> String {
    if pending.is_empty() {
        return match channel {
            Some(c) => format!(
                "No pending pairing requests on {}.\n",
                c.to_ascii_lowercase()
            ),
            None => "No pending pairing requests.\n".to_string(),
        };
    }
    let mut out = String::from("CHANNEL    ACCOUNT    SENDER                 CODE      EXPIRES\n");
    for p in pending {
        out.push_str(&format!(
            "{:<10} {:<10} {:<22} {:<9} {}\n",
            p.channel,
            p.account.as_deref().unwrap_or("default"),
            p.sender,
            p.code,
            p.expires_at
        ));
    }
    out.push_str("\nApprove with: hardclaw pairing approve <channel> <code>\n");
    out
}

/// Runs `pairing approve`.
pub fn approve(global: &GlobalArgs, args: &PairingCodeArgs) -> Result<u8> {
    let store = store(global);
    match store.approve(&args.channel, &args.code, SystemTime::now()) {
        Ok(a) => {
            let channel = args.channel.to_ascii_lowercase();
            let account = a
                .account
                .as_deref()
                .map(|acct| format!(" (account {acct})"))
                .unwrap_or_default();
            output::stdout(&format!(
                "Approved {} on {channel}{account}: they can now message the agent.\n",
                a.sender
            ));
            Ok(0)
        }
        Err(e) => fail(&e),
    }
}

/// Runs `pairing reject`.
pub fn reject(global: &GlobalArgs, args: &PairingCodeArgs) -> Result<u8> {
    match store(global).reject(&args.channel, &args.code) {
        Ok(sender) => {
            output::stdout(&format!(
                "Rejected the pairing request of {sender} on {}.\n",
                args.channel.to_ascii_lowercase()
            ));
            Ok(0)
        }
        Err(e) => fail(&e),
    }
}
