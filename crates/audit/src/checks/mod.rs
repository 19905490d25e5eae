//! The check families, one per file, called in OpenClaw's collector order (reference
//! `openclaw-audit-checks.md` §5.3), hardclaw's own checks after them.

mod browser;
mod channels;
mod elevated;
mod exec_runtime;
mod exposure;
mod fs_perms;
mod gateway;
mod gateway_auth;
mod hardclaw;
mod hooks;
mod http;
mod injection;
mod logging;
mod models;
mod nodes;
mod plugins;
mod roster;
mod sandbox;
mod sandbox_kernel;
mod secrets;
mod secrets_literal;
mod skills;
mod summary;
mod synced;
#[cfg(test)]
mod test_assert;
mod tools_profile;

use crate::context::AuditContext;
use crate::finding::Finding;

/// Runs every family in order.
pub(crate) fn collect_all(ctx: &AuditContext<'_>, out: &mut Vec<Finding>) {
    summary::collect(ctx, out);
    synced::collect(ctx, out);
    gateway::collect(ctx, out);
    browser::collect(ctx, out);
    logging::collect(ctx, out);
    elevated::collect(ctx, out);
    exec_runtime::collect(ctx, out);
    hooks::collect(ctx, out);
    http::collect(ctx, out);
    sandbox::collect(ctx, out);
    sandbox_kernel::collect(ctx, out);
    nodes::collect(ctx, out);
    tools_profile::collect(ctx, out);
    secrets::collect(ctx, out);
    models::collect(ctx, out);
    exposure::collect(ctx, out);
    if ctx.options.include_filesystem {
        fs_perms::collect(ctx, out);
        skills::collect(ctx, out);
        plugins::collect(ctx, out);
        if ctx.options.deep {
            crate::deep::collect_plugins_code_safety(ctx, out);
            crate::deep::collect_skills_code_safety(ctx, out);
        }
    }
    channels::collect(ctx, out);
    roster::collect(ctx, out);
    // hardclaw's checks beyond OpenClaw.
    secrets_literal::collect(ctx, out);
    hardclaw::collect(ctx, out);
    injection::collect(ctx, out);
}
