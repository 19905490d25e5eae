//! The environment the product sees: the process environment, then `<state>/.env` (never
//! overriding the process).

use hardclaw_config::{EnvMap, LocationInputs, Locations, merge_dotenv};

use crate::cli::GlobalArgs;

/// The process environment (UTF-8 entries only).
pub fn process_env() -> EnvMap {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect()
}

/// Resolves locations from the global flags and the process environment.
pub fn locations(global: &GlobalArgs, env: &EnvMap) -> Locations {
    let flavor = if global.openclaw {
        hardclaw_config::Flavor::OpenClaw
    } else {
        hardclaw_config::Flavor::Hardclaw
    };
    Locations::resolve(&LocationInputs {
        config_flag: global.config.clone(),
        state_dir_flag: global.state_dir.clone(),
        flavor,
        env: env.clone(),
        cwd: std::env::current_dir().unwrap_or_else(|_| "/".into()),
    })
}

/// Process environment plus `<state>/.env`.
pub fn with_dotenv(mut env: EnvMap, locations: &Locations) -> EnvMap {
    merge_dotenv(&mut env, &locations.state_dir.join(".env"));
    env
}
