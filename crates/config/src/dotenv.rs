//! `.env` files: `KEY=VALUE` lines, `#` comments, optional `export `, single or double quotes.
//! Values never override the process environment (OpenClaw's precedence).

use std::path::Path;

use crate::load::EnvMap;

/// Parses `.env` text. Lines that are not `KEY=VALUE` with a valid name are skipped.
pub fn parse_dotenv(text: &str) -> EnvMap {
    let mut out = EnvMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        let valid = !key.is_empty()
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !key.starts_with(|c: char| c.is_ascii_digit());
        if !valid {
            continue;
        }
        let value = value.trim();
        let value = if value.len() >= 2
            && ((value.starts_with('"') && value.ends_with('"'))
                || (value.starts_with('\'') && value.ends_with('\'')))
        {
            &value[1..value.len() - 1]
        } else {
            value.split(" #").next().unwrap_or(value).trim_end()
        };
        out.insert(key.to_string(), value.to_string());
    }
    out
}

/// Adds the variables of the `.env` file at `path` (if it exists and is readable) to `env`
/// without overriding existing entries.
pub fn merge_dotenv(env: &mut EnvMap, path: &Path) {
    if let Ok(text) = std::fs::read_to_string(path) {
        for (k, v) in parse_dotenv(&text) {
            env.entry(k).or_insert(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_forms() {
        let env = parse_dotenv(
            "# c\nA=1\nexport B=\"two words\"\nC='x#y'\nD=val # comment\n1X=bad\nnoeq\nE=\n",
        );
        let got: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            got,
            vec![
                ("A", "1"),
                ("B", "two words"),
                ("C", "x#y"),
                ("D", "val"),
                ("E", "")
            ]
        );
    }

    #[test]
    fn never_overrides() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join(".env");
        std::fs::write(&p, "A=file\nB=file\n").expect("write");
        let mut env = EnvMap::new();
        env.insert("A".into(), "process".into());
        merge_dotenv(&mut env, &p);
        assert_eq!(env["A"], "process");
        assert_eq!(env["B"], "file");
    }
}
