//! `hardclaw doctor`: quick health checks, and `--generate-gateway-token`.

use anyhow::{Context, Result};
use base64::Engine;

use crate::cli::{DoctorArgs, GlobalArgs};
use crate::{EXIT_ERROR, env, output};

/// A new random gateway token: 32 bytes from the OS CSPRNG, base64url without padding (43 chars).
pub fn generate_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("the OS random source failed")?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// `doctor`.
pub fn run(global: &GlobalArgs, args: &DoctorArgs) -> Result<u8> {
    if args.generate_gateway_token {
        output::stdout(&(generate_token()? + "\n"));
        return Ok(0);
    }
    let process = env::process_env();
    let locations = env::locations(global, &process);
    let env = env::with_dotenv(process, &locations);
    let product = locations.product();
    output::stdout(&format!(
        "state dir: {}\nconfig:    {}\n",
        locations.display(&locations.state_dir),
        locations.display(&locations.config_path)
    ));
    match super::config::load_strict(&locations, env) {
        Ok(l) if !l.exists => output::stdout("config:    not present (secure defaults apply)\n"),
        Ok(_) => output::stdout("config:    valid\n"),
        Err(e) => {
            super::config::report_config_error(&e);
            return Ok(EXIT_ERROR);
        }
    }
    output::stdout(&format!(
        "next:      run `{product} security audit` for the full security posture\n"
    ));
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_43_url_safe_chars_and_distinct() {
        let a = generate_token().expect("token");
        let b = generate_token().expect("token");
        assert_eq!(a.len(), 43);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(a, b);
    }
}
