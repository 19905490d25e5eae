//! SARIF 2.1.0 output for code-scanning UIs: one rule per check id, one result per finding,
//! located at the config file (or include) line of the offending key, with its JSON path as a
//! logical location.

use std::collections::BTreeMap;

use hardclaw_audit::{Report, Severity};
use hardclaw_config::LoadedConfig;
use serde_json::{Value, json};

/// Builds the SARIF log.
pub fn render(report: &Report, loaded: &LoadedConfig) -> Value {
    let mut rules: BTreeMap<&str, Value> = BTreeMap::new();
    let mut results = Vec::new();
    for f in &report.findings {
        let level = level(f.severity);
        rules.entry(f.check_id.as_str()).or_insert_with(|| {
            json!({
                "id": f.check_id,
                "name": f.check_id,
                "shortDescription": {"text": f.title},
                "defaultConfiguration": {"level": level},
                "properties": {"security-severity": security_severity(f.severity)},
            })
        });
        let origin = loaded.origin(f.json_path.as_deref().unwrap_or(""));
        let mut physical = json!({
            "artifactLocation": {"uri": file_uri(&origin.file)},
        });
        if f.json_path.is_some() {
            physical["region"] = json!({"startLine": origin.line, "startColumn": origin.column});
        }
        let mut location = json!({"physicalLocation": physical});
        if let Some(path) = &f.json_path {
            location["logicalLocations"] = json!([{"fullyQualifiedName": path, "kind": "member"}]);
        }
        let mut text = format!("{}: {}", f.title, f.detail);
        if let Some(r) = &f.remediation {
            text.push_str(&format!("\nFix: {r}"));
        }
        results.push(json!({
            "ruleId": f.check_id,
            "level": level,
            "message": {"text": text},
            "locations": [location],
        }));
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "hardclaw",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/hardclaw/hardclaw",
                "rules": rules.into_values().collect::<Vec<_>>(),
            }},
            "results": results,
        }],
    })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "error",
        Severity::Warn => "warning",
        Severity::Info => "note",
    }
}

fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.0",
        Severity::Warn => "5.0",
        Severity::Info => "1.0",
    }
}

fn file_uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}
