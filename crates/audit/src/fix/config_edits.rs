//! The safe config edits of `--fix` (OpenClaw parity, reference §2.3), applied without losing
//! comments: each edit goes to the file where the key is written (the main config or an
//! `$include`), through [`hardclaw_config::apply_edits_in`] and [`hardclaw_config::write_atomic`].
//!
//! * `logging.redactSensitive: "off"` → `"tools"`.
//! * `groupPolicy: "open"` → `"allowlist"` at `channels.<ch>` and `channels.<ch>.accounts.<acct>`,
//!   for every key under `channels`.
//! * WhatsApp: each flipped scope whose `allowFrom` and `groupAllowFrom` are both empty gets
//!   `groupAllowFrom` seeded from the pairing store `<credentials>/whatsapp-allowFrom.json`.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use hardclaw_config::{EditOp, JsonPath, LoadedConfig, Locations, Segment};

use super::{FixOptions, FixResult};

/// Number of numbered backups kept by a config write (`.bak`, `.bak.1` … `.bak.4`).
pub(crate) const CONFIG_BACKUPS: usize = 4;

/// Largest pairing store read (it is a short list of phone numbers).
const MAX_STORE_BYTES: u64 = 1024 * 1024;

/// One edit of the merged document, before it is mapped to a file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PlannedEdit {
    /// Path in the merged document.
    pub path: JsonPath,
    /// New value.
    pub value: Value,
    /// OpenClaw's change string.
    pub change: String,
    /// For a key that does not exist yet: an existing sibling whose file should receive it.
    pub sibling: Option<JsonPath>,
}

/// Computes the edits from the merged, unsubstituted document.
pub(crate) fn plan_edits(raw: &Value, credentials_dir: &Path) -> Vec<PlannedEdit> {
    let mut edits = Vec::new();
    let root = JsonPath::root();

    if raw
        .pointer("/logging/redactSensitive")
        .and_then(Value::as_str)
        == Some("off")
    {
        edits.push(PlannedEdit {
            path: root.key("logging").key("redactSensitive"),
            value: Value::String("tools".to_string()),
            change: "logging.redactSensitive=off -> \"tools\"".to_string(),
            sibling: None,
        });
    }

    // Scopes flipped to allowlist: (channel, scope path, scope object).
    let mut flipped: Vec<(&str, JsonPath, &serde_json::Map<String, Value>)> = Vec::new();
    if let Some(channels) = raw.get("channels").and_then(Value::as_object) {
        for (ch, ch_value) in channels {
            let Some(ch_obj) = ch_value.as_object() else {
                continue;
            };
            let ch_path = root.key("channels").key(ch.as_str());
            let mut scopes = vec![(ch_path.clone(), ch_obj)];
            if let Some(accounts) = ch_obj.get("accounts").and_then(Value::as_object) {
                for (acct, acct_value) in accounts {
                    if let Some(acct_obj) = acct_value.as_object() {
                        scopes.push((ch_path.key("accounts").key(acct.as_str()), acct_obj));
                    }
                }
            }
            for (scope_path, scope) in scopes {
                if scope.get("groupPolicy").and_then(Value::as_str) == Some("open") {
                    edits.push(PlannedEdit {
                        path: scope_path.key("groupPolicy"),
                        value: Value::String("allowlist".to_string()),
                        change: format!("{scope_path}.groupPolicy=open -> allowlist"),
                        sibling: None,
                    });
                    flipped.push((ch.as_str(), scope_path, scope));
                }
            }
        }
    }

    let whatsapp_scopes: Vec<_> = flipped
        .into_iter()
        .filter(|(ch, _, scope)| {
            *ch == "whatsapp"
                && is_empty_list(scope.get("allowFrom"))
                && is_empty_list(scope.get("groupAllowFrom"))
        })
        .collect();
    if !whatsapp_scopes.is_empty() {
        let store = read_pairing_store(&credentials_dir.join("whatsapp-allowFrom.json"));
        if !store.is_empty() {
            for (_, scope_path, _) in whatsapp_scopes {
                edits.push(PlannedEdit {
                    path: scope_path.key("groupAllowFrom"),
                    value: Value::Array(store.iter().cloned().map(Value::String).collect()),
                    change: format!("{scope_path}.groupAllowFrom=pairing-store"),
                    sibling: Some(scope_path.key("groupPolicy")),
                });
            }
        }
    }
    edits
}

/// Missing, `null`, or a list without a non-blank entry.
fn is_empty_list(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::Array(items)) => items.iter().all(|v| entry_text(v).is_none()),
        Some(_) => false,
    }
}

fn entry_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Entries of a pairing store: `{"version":1,"allowFrom":[...]}` or a plain array. A missing,
/// unreadable or malformed store yields no entries (the seeding is then skipped).
pub(crate) fn read_pairing_store(path: &Path) -> Vec<String> {
    let Ok(file) = fs::File::open(path) else {
        return Vec::new();
    };
    let mut text = String::new();
    if file
        .take(MAX_STORE_BYTES)
        .read_to_string(&mut text)
        .is_err()
    {
        return Vec::new();
    }
    let Ok(value) = serde_json::from_str::<Value>(&text) else {
        return Vec::new();
    };
    let list = match &value {
        Value::Array(items) => items,
        Value::Object(obj) => match obj.get("allowFrom") {
            Some(Value::Array(items)) => items,
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    let mut out: Vec<String> = Vec::new();
    for entry in list.iter().filter_map(entry_text) {
        if !out.contains(&entry) {
            out.push(entry);
        }
    }
    out
}

/// Where an edit is written: the file and the path inside it.
fn locate(loaded: &LoadedConfig, edit: &PlannedEdit) -> Result<(PathBuf, JsonPath), String> {
    let (file, local) = if let Some(loc) = loaded.origins.get(&edit.path.to_string()) {
        (loc.origin.file.clone(), loc.local_path.clone())
    } else if let Some(loc) = edit
        .sibling
        .as_ref()
        .and_then(|s| loaded.origins.get(&s.to_string()))
    {
        let mut local = loc.local_path.clone();
        local.0.pop();
        let Some(Segment::Key(last)) = edit.path.0.last() else {
            return Err(format!("{}: cannot locate the key to insert", edit.path));
        };
        (loc.origin.file.clone(), local.key(last.as_str()))
    } else if loaded.includes.is_empty() {
        (loaded.path.clone(), edit.path.clone())
    } else {
        return Err(format!(
            "{}: {}: cannot tell which file defines this key; not changed",
            loaded.path.display(),
            edit.path
        ));
    };
    // Only ever edit files the loader read.
    if file != loaded.path && !loaded.includes.contains(&file) {
        return Err(format!(
            "{}: {}: is not the config or one of its includes; not changed",
            file.display(),
            edit.path
        ));
    }
    Ok((file, local))
}

/// Plans, applies and (unless dry-run) writes the config edits; fills `changes`, `diff`,
/// `config_written` and `errors` of `result`.
pub(crate) fn apply_config_edits(
    loaded: &LoadedConfig,
    locations: &Locations,
    options: FixOptions,
    result: &mut FixResult,
) {
    if !loaded.exists {
        return;
    }
    let planned = plan_edits(&loaded.raw, &locations.credentials_dir);
    if planned.is_empty() {
        return;
    }

    // Group per file, keeping the order in which files are first touched.
    let mut files: Vec<(PathBuf, Vec<EditOp>, Vec<String>)> = Vec::new();
    for edit in &planned {
        let (file, local) = match locate(loaded, edit) {
            Ok(found) => found,
            Err(e) => {
                result.errors.push(e);
                continue;
            }
        };
        let op = EditOp::Set {
            path: local,
            value: edit.value.clone(),
        };
        match files.iter_mut().find(|(f, _, _)| *f == file) {
            Some((_, ops, changes)) => {
                ops.push(op);
                changes.push(edit.change.clone());
            }
            None => files.push((file, vec![op], vec![edit.change.clone()])),
        }
    }

    let mut diff = String::new();
    for (file, ops, changes) in files {
        let text = match fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) => {
                result
                    .errors
                    .push(format!("{}: cannot read: {e}", file.display()));
                continue;
            }
        };
        let new_text = match hardclaw_config::apply_edits_in(&file, &text, &ops) {
            Ok(t) => t,
            Err(e) => {
                result.errors.push(e.to_string());
                continue;
            }
        };
        if new_text == text {
            continue;
        }
        let name = file.display().to_string();
        diff.push_str(&redact_diff(
            &similar::TextDiff::from_lines(&text, &new_text)
                .unified_diff()
                .context_radius(3)
                .header(&name, &name)
                .to_string(),
        ));
        if !options.dry_run {
            match hardclaw_config::write_atomic(&file, &new_text, CONFIG_BACKUPS) {
                Ok(outcome) => {
                    result.config_written |= outcome.written;
                    if outcome.via_symlink {
                        result.notes.push(format!(
                            "{} is a symlink; wrote its target {}",
                            file.display(),
                            outcome.path.display()
                        ));
                    }
                }
                Err(e) => {
                    result.errors.push(e.to_string());
                    continue;
                }
            }
        }
        result.changes.extend(changes);
    }
    if !diff.is_empty() {
        result.diff = Some(diff);
    }
}

/// Masks secrets in a unified diff of a config file: every added, removed or context line
/// whose `key: value` has a secret-named key, or whose value holds a credential-shaped string
/// (token shapes, URL passwords), gets `<redacted>` for its value.
pub(crate) fn redact_diff(diff: &str) -> String {
    let mut out = String::with_capacity(diff.len());
    for line in diff.split_inclusive('\n') {
        let is_header =
            line.starts_with("---") || line.starts_with("+++") || line.starts_with("@@");
        match line.chars().next() {
            Some(c @ (' ' | '+' | '-')) if !is_header => {
                out.push(c);
                out.push_str(&redact_line(&line[1..]));
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// One config line (JSON5 / JSONC): `"key": value,` or `key: value`.
fn redact_line(line: &str) -> String {
    let (body, nl) = match line.strip_suffix('\n') {
        Some(b) => (b, "\n"),
        None => (line, ""),
    };
    let Some((key_part, value_part)) = split_key_value(body) else {
        let unquoted = body.trim().trim_end_matches(',').trim_matches(['"', '\'']);
        if hardclaw_config::redact::looks_like_token(unquoted)
            || hardclaw_config::redact::url_has_password(unquoted)
        {
            let indent: String = body.chars().take_while(|c| c.is_whitespace()).collect();
            return format!(
                "{indent}\"{MASK}\",{nl}",
                MASK = hardclaw_config::redact::MASK
            );
        }
        return line.to_string();
    };
    let key = key_part.trim().trim_matches(['"', '\'']);
    let value = value_part.trim();
    let trailing_comma = value.ends_with(',');
    let bare = value.trim_end_matches(',').trim();
    let opens_container = bare.starts_with('{') || bare.starts_with('[') || bare.is_empty();
    let unquoted = bare.trim_matches(['"', '\'']);
    let secret = (hardclaw_config::redact::is_secret_key(key) && !opens_container)
        || hardclaw_config::redact::looks_like_token(unquoted)
        || hardclaw_config::redact::url_has_password(unquoted);
    let env_ref = hardclaw_config::redact::is_env_reference(unquoted);
    if !secret || env_ref {
        return line.to_string();
    }
    format!(
        "{key_part}: \"{}\"{}{nl}",
        hardclaw_config::redact::MASK,
        if trailing_comma { "," } else { "" }
    )
}

/// Splits `"key": value` at the colon after the key (quoted or bare).
fn split_key_value(body: &str) -> Option<(&str, &str)> {
    let trimmed = body.trim_start();
    let indent = body.len() - trimmed.len();
    let key_end = if let Some(q) = trimmed.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let close = trimmed[1..].find(q)? + 1;
        close + 1
    } else {
        trimmed.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$' || c == '-'))?
    };
    if key_end == 0 {
        return None;
    }
    let after = &trimmed[key_end..];
    let colon = after.find(':')?;
    if !after[..colon].trim().is_empty() {
        return None;
    }
    Some((
        &body[..indent + key_end],
        &body[indent + key_end + colon + 1..],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bypass_fix_dry_run_diff_prints_secrets() {
        let old = "{\n  channels: {\n    telegram: {\n      botToken: \"123456:ABCSECRETdef\",\n      \"apiKey\": 'sk-proj-abcdefghijklmnopqrstu',\n      webhookUrl: \"https://u:PASSWORD1@hook.example.com/x\",\n      groupPolicy: \"open\",\n      token: \"${TG_TOKEN}\",\n    },\n  },\n}\n";
        let new = old.replace("\"open\"", "\"allowlist\"");
        let diff = similar::TextDiff::from_lines(old, &new)
            .unified_diff()
            .context_radius(3)
            .header("c", "c")
            .to_string();
        assert!(diff.contains("ABCSECRET"), "fixture: {diff}");
        let red = redact_diff(&diff);
        for secret in ["ABCSECRET", "sk-proj", "PASSWORD1"] {
            assert!(!red.contains(secret), "{secret} leaked: {red}");
        }
        assert!(red.contains(" botToken: \"<redacted>\","), "{red}");
        assert!(red.contains("-      groupPolicy: \"open\","), "{red}");
        assert!(red.contains("+      groupPolicy: \"allowlist\","), "{red}");
        assert!(red.contains("token: \"${TG_TOKEN}\""), "{red}");
        assert!(red.starts_with("--- c"), "{red}");
    }

    #[test]
    fn plans_parity_edits_for_every_channel_and_account() {
        let dir = tempfile::tempdir().expect("tempdir");
        let raw = json!({
            "logging": {"redactSensitive": "off"},
            "channels": {
                "telegram": {"groupPolicy": "open", "accounts": {
                    "a": {"groupPolicy": "open"}, "b": {"groupPolicy": "allowlist"}}},
                "mattermost": {"groupPolicy": "open"},
                "slack": {"groupPolicy": "disabled"}
            }
        });
        let changes: Vec<String> = plan_edits(&raw, dir.path())
            .into_iter()
            .map(|e| e.change)
            .collect();
        assert_eq!(
            changes,
            vec![
                "logging.redactSensitive=off -> \"tools\"",
                "channels.telegram.groupPolicy=open -> allowlist",
                "channels.telegram.accounts.a.groupPolicy=open -> allowlist",
                "channels.mattermost.groupPolicy=open -> allowlist",
            ]
        );
        assert!(
            plan_edits(&json!({"logging": {"redactSensitive": "${R}"}}), dir.path()).is_empty()
        );
    }

    #[test]
    fn whatsapp_seeding_needs_empty_lists_and_a_store() {
        let dir = tempfile::tempdir().expect("tempdir");
        let raw = json!({"channels": {"whatsapp": {
            "groupPolicy": "open",
            "accounts": {
                "biz": {"groupPolicy": "open", "allowFrom": ["+1"]},
                "home": {"groupPolicy": "open", "groupAllowFrom": []}
            }
        }}});
        // no store: only the flips
        assert_eq!(plan_edits(&raw, dir.path()).len(), 3);

        fs::write(
            dir.path().join("whatsapp-allowFrom.json"),
            r#"["+1555", " +1555 ", "+1666"]"#,
        )
        .expect("write");
        let edits = plan_edits(&raw, dir.path());
        let seeds: Vec<_> = edits
            .iter()
            .filter(|e| e.change.ends_with("pairing-store"))
            .collect();
        assert_eq!(seeds.len(), 2);
        assert_eq!(
            seeds[0].change,
            "channels.whatsapp.groupAllowFrom=pairing-store"
        );
        assert_eq!(
            seeds[1].change,
            "channels.whatsapp.accounts.home.groupAllowFrom=pairing-store"
        );
        assert_eq!(seeds[0].value, json!(["+1555", "+1666"]));
    }

    #[test]
    fn pairing_store_formats() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("s.json");
        fs::write(&p, r#"{"version":1,"allowFrom":["+1", "", 42]}"#).expect("write");
        assert_eq!(read_pairing_store(&p), vec!["+1", "42"]);
        fs::write(&p, r#"["+2"]"#).expect("write");
        assert_eq!(read_pairing_store(&p), vec!["+2"]);
        fs::write(&p, "not json").expect("write");
        assert!(read_pairing_store(&p).is_empty());
        assert!(read_pairing_store(&dir.path().join("missing.json")).is_empty());
    }
}
