//! `hardclaw security audit [--json|--sarif] [--fix [--dry-run]] [--deep] [--fail-on SEVERITY]`.

use anyhow::Result;
use hardclaw_audit::fix::{FixOptions, apply_fixes};
use hardclaw_audit::{AuditContext, AuditOptions, Severity, run_audit};
use hardclaw_config::{LoadOptions, load};
use serde_json::json;

use crate::cli::{AuditArgs, FailOn, GlobalArgs};
use crate::render::{human, sarif};
use crate::{EXIT_ERROR, EXIT_FINDINGS, env, output};

/// Runs the audit command.
pub fn run(global: &GlobalArgs, args: &AuditArgs) -> Result<u8> {
    let process = env::process_env();
    let locations = env::locations(global, &process);
    let env = env::with_dotenv(process, &locations);
    let load_opts = LoadOptions {
        env: env.clone(),
        ..LoadOptions::default()
    };

    // --fix runs first; the report then reflects the fixed state.
    let fix = if args.fix {
        let before = load(&locations.config_path, &load_opts);
        let mut result = apply_fixes(
            before.as_ref().ok(),
            &locations,
            FixOptions {
                dry_run: args.dry_run,
            },
        );
        if let Err(e) = &before {
            result
                .errors
                .push(format!("config not edited because it is invalid: {e}"));
            result.ok = false;
        }
        Some(result)
    } else {
        None
    };
    if let Some(fix) = fix.as_ref().filter(|_| args.dry_run && !args.json) {
        output::stdout(&dry_run_text(fix, &locations));
    }

    let loaded = match load(&locations.config_path, &load_opts) {
        Ok(l) => l,
        Err(e) => {
            if let Some(fix) = fix.as_ref().filter(|_| args.json) {
                let v = json!({"fix": fix, "report": null, "error": super::config::error_json(&e)});
                output::stdout(&(serde_json::to_string_pretty(&v)? + "\n"));
            }
            super::config::report_config_error(&e);
            return Ok(EXIT_ERROR);
        }
    };

    let ctx = AuditContext {
        loaded: &loaded,
        locations: &locations,
        env: &env,
        options: AuditOptions {
            include_filesystem: true,
            deep: args.deep,
            progress: args.deep.then_some(deep_progress as fn(&str)),
        },
    };
    let ts = crate::clock::unix_ms();
    let report = run_audit(&ctx, ts);

    if args.sarif {
        output::stdout(&(serde_json::to_string_pretty(&sarif::render(&report, &loaded))? + "\n"));
    } else if args.json {
        let value = match &fix {
            Some(fix) => json!({"fix": fix, "report": report}),
            None => serde_json::to_value(&report)?,
        };
        output::stdout(&(serde_json::to_string_pretty(&value)? + "\n"));
    } else if !args.dry_run {
        let style = human::Style::new(output::stdout_color());
        output::stdout(&human::render(
            &report,
            fix.as_ref(),
            0,
            &locations,
            args.deep,
            style,
        ));
    }

    let threshold = args.fail_on.map(|f| match f {
        FailOn::Critical => Severity::Critical,
        FailOn::Warn => Severity::Warn,
        FailOn::Info => Severity::Info,
    });
    let failing = threshold.is_some_and(|t| report.findings.iter().any(|f| f.severity >= t));
    Ok(if failing { EXIT_FINDINGS } else { 0 })
}

/// What `--fix --dry-run` would do: the config diff, then the permission changes.
fn dry_run_text(
    fix: &hardclaw_audit::fix::FixResult,
    locations: &hardclaw_config::Locations,
) -> String {
    let mut out = String::new();
    match fix.diff.as_deref().filter(|d| !d.is_empty()) {
        Some(diff) => out.push_str(diff),
        None => out.push_str("config: no changes\n"),
    }
    let chmods: Vec<String> = fix
        .actions
        .iter()
        .filter(|a| a.skipped.is_none() && a.error.is_none())
        .map(|a| {
            format!(
                "would chmod {:o} {}\n",
                a.mode,
                locations.display(std::path::Path::new(&a.path))
            )
        })
        .collect();
    if chmods.is_empty() {
        out.push_str("permissions: no changes\n");
    } else {
        out.extend(chmods);
    }
    for e in &fix.errors {
        out.push_str(&format!("error: {e}\n"));
    }
    out
}

/// Progress of the deep scan, on stderr (one line per step; nothing on stdout).
fn deep_progress(message: &str) {
    output::diag(&format!("deep audit: {message}"));
}
