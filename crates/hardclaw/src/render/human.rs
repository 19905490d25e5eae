//! The human audit report: summary line, then CRITICAL → WARN → INFO sections in collector
//! order, each finding with its detail and a `Fix:` line. Colour only on a terminal.

use hardclaw_audit::fix::FixResult;
use hardclaw_audit::{Finding, Report, Severity};
use hardclaw_config::Locations;

/// ANSI styling, or none.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    color: bool,
}

impl Style {
    /// Colour when `color` is true.
    pub fn new(color: bool) -> Style {
        Style { color }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// Renders the report (and the fix result, when `--fix` ran).
pub fn render(
    report: &Report,
    fix: Option<&FixResult>,
    suppressed: usize,
    locations: &Locations,
    deep: bool,
    style: Style,
) -> String {
    let product = locations.cli();
    let s = &report.summary;
    let mut out = String::new();
    let heading = match locations.flavor {
        hardclaw_config::Flavor::Hardclaw => "hardclaw security audit",
        hardclaw_config::Flavor::OpenClaw => "hardclaw security audit (OpenClaw install)",
    };
    out.push_str(&style.paint("1", heading));
    out.push('\n');
    out.push_str(&format!(
        "Summary: {} · {} · {}",
        style.paint(
            if s.critical > 0 { "1;31" } else { "32" },
            &format!("{} critical", s.critical)
        ),
        style.paint(
            if s.warn > 0 { "33" } else { "32" },
            &format!("{} warn", s.warn)
        ),
        format_args!("{} info", s.info),
    ));
    if suppressed > 0 {
        out.push_str(&format!(" · {suppressed} suppressed"));
    }
    out.push('\n');
    out.push_str(&format!(
        "Config: {}\n",
        locations.display(&locations.config_path)
    ));
    if !deep {
        out.push_str(&format!("Run deeper: {product} security audit --deep\n"));
    }
    if let Some(fix) = fix {
        render_fix(&mut out, fix, locations);
    } else if s.critical + s.warn > 0 {
        out.push_str(&format!("Fix: {product} security audit --fix\n"));
    }
    for (severity, label, code) in [
        (Severity::Critical, "CRITICAL", "1;31"),
        (Severity::Warn, "WARN", "1;33"),
        (Severity::Info, "INFO", "1;36"),
    ] {
        let findings: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.severity == severity)
            .collect();
        if findings.is_empty() {
            continue;
        }
        out.push('\n');
        out.push_str(&style.paint(code, label));
        out.push('\n');
        for f in findings {
            out.push_str(&format!("{} {}\n", style.paint("1", &f.check_id), f.title));
            for line in f.detail.lines() {
                out.push_str(&format!("  {line}\n"));
            }
            if let Some(path) = &f.json_path {
                out.push_str(&format!("  Key: {path}\n"));
            }
            if let Some(r) = &f.remediation {
                out.push_str(&format!("  {} {r}\n", style.paint("32", "Fix:")));
            }
        }
    }
    out
}

fn render_fix(out: &mut String, fix: &FixResult, locations: &Locations) {
    let show = |p: &str| locations.display(std::path::Path::new(p));
    let changed = !fix.changes.is_empty()
        || fix.actions.iter().any(|a| a.skipped.is_none())
        || !fix.errors.is_empty();
    if !changed {
        out.push_str("Fixes: no changes applied\n");
        return;
    }
    out.push_str("\nFIX\n");
    for c in &fix.changes {
        out.push_str(&format!("  {c}\n"));
    }
    for a in &fix.actions {
        let mode = format!("{:o}", a.mode);
        match (&a.skipped, &a.error) {
            (_, Some(err)) => {
                out.push_str(&format!("  chmod {mode} {} failed: {err}\n", show(&a.path)))
            }
            (Some(reason), None) if reason == "missing" || reason == "already" => {}
            (Some(reason), None) => out.push_str(&format!(
                "  skip chmod {mode} {} ({reason})\n",
                show(&a.path)
            )),
            (None, None) => out.push_str(&format!("  chmod {mode} {}\n", show(&a.path))),
        }
    }
    for e in &fix.errors {
        out.push_str(&format!("  error: {e}\n"));
    }
}
