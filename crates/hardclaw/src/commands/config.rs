//! `hardclaw config validate` and `hardclaw config get`.

use anyhow::{Context, Result, bail};
use hardclaw_config::redact::redact;
use hardclaw_config::{
    ConfigError, EnvMode, JsonPath, LoadOptions, LoadedConfig, Locations, Segment, load,
};
use serde_json::{Value, json};

use crate::cli::{GetArgs, GlobalArgs, ValidateArgs};
use crate::{EXIT_ERROR, env, output};

/// Loads the config the way every runtime command does: `${VAR}` required, duplicates refused.
pub fn load_strict(
    locations: &Locations,
    env: hardclaw_config::EnvMap,
) -> Result<LoadedConfig, ConfigError> {
    let opts = LoadOptions {
        env,
        ..LoadOptions::default()
    };
    let loaded = load(&locations.config_path, &opts)?;
    loaded.ensure_no_duplicates()?;
    Ok(loaded)
}

/// Prints a config error the same way everywhere.
pub fn report_config_error(err: &ConfigError) {
    output::error(&format!("invalid config: {err}"));
}

/// `config validate`.
pub fn validate(global: &GlobalArgs, args: &ValidateArgs) -> Result<u8> {
    let process = env::process_env();
    let locations = env::locations(global, &process);
    let env = env::with_dotenv(process, &locations);
    let result = load_strict(&locations, env);
    if args.json {
        let value = match &result {
            Ok(loaded) => json!({
                "valid": true,
                "path": locations.config_path,
                "exists": loaded.exists,
                "includes": loaded.includes,
            }),
            Err(e) => json!({
                "valid": false,
                "path": locations.config_path,
                "error": error_json(e),
            }),
        };
        output::stdout(&(serde_json::to_string_pretty(&value)? + "\n"));
    } else {
        match &result {
            Ok(loaded) if !loaded.exists => output::stdout(&format!(
                "{}: no config file; hardclaw's secure defaults apply\n",
                locations.display(&locations.config_path)
            )),
            Ok(loaded) => {
                let n = loaded.includes.len();
                let includes = if n == 0 {
                    String::new()
                } else {
                    format!(" ({n} include file(s))")
                };
                output::stdout(&format!(
                    "{}: valid{includes}\n",
                    locations.display(&locations.config_path)
                ));
            }
            Err(e) => report_config_error(e),
        }
    }
    Ok(if result.is_ok() { 0 } else { EXIT_ERROR })
}

/// The structured form of a config error (for `--json`).
pub fn error_json(e: &ConfigError) -> Value {
    let origin = e.origin();
    json!({
        "message": e.to_string(),
        "file": origin.map(|o| o.file.display().to_string()),
        "line": origin.map(|o| o.line),
        "column": origin.map(|o| o.column),
        "jsonPath": e.json_path(),
    })
}

/// `config get [PATH]`: the document as written (references kept), secrets masked.
pub fn get(global: &GlobalArgs, args: &GetArgs) -> Result<u8> {
    let process = env::process_env();
    let locations = env::locations(global, &process);
    let env = env::with_dotenv(process, &locations);
    let opts = LoadOptions {
        env,
        env_mode: EnvMode::LeaveUnresolved,
        ..LoadOptions::default()
    };
    let loaded = match load(&locations.config_path, &opts) {
        Ok(l) => l,
        Err(e) => {
            report_config_error(&e);
            return Ok(EXIT_ERROR);
        }
    };
    let redacted = redact(&loaded.raw);
    let value = match &args.path {
        None => &redacted,
        Some(path) => lookup(&redacted, &JsonPath::parse(path)).with_context(|| {
            format!(
                "no value at `{path}` in {}",
                locations.display(&loaded.path)
            )
        })?,
    };
    output::stdout(&(serde_json::to_string_pretty(value)? + "\n"));
    Ok(0)
}

fn lookup<'a>(value: &'a Value, path: &JsonPath) -> Result<&'a Value> {
    let mut cur = value;
    for seg in &path.0 {
        cur = match (seg, cur) {
            (Segment::Key(k), Value::Object(m)) => match m.get(k) {
                Some(v) => v,
                None => bail!("key `{k}` not found"),
            },
            (Segment::Index(i), Value::Array(a)) => match a.get(*i) {
                Some(v) => v,
                None => bail!("index {i} out of range (length {})", a.len()),
            },
            (seg, _) => bail!("cannot descend into a non-container at {seg:?}"),
        };
    }
    Ok(cur)
}
