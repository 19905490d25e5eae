//! The one place the binary writes to the terminal. Library crates never print.

use std::io::{IsTerminal, Write};

/// Writes `text` to stdout as is (machine output, reports). A closed pipe is not an error.
pub fn stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Writes one diagnostic line to stderr.
pub fn diag(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// Writes `hardclaw: error: ...` to stderr.
pub fn error(message: &str) {
    diag(&format!("hardclaw: error: {message}"));
}

/// Whether stdout is a colour-capable terminal (and `NO_COLOR` is not set).
pub fn stdout_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Writes raw bytes to stdout (a sandboxed command's output).
pub fn stdout_bytes(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes);
    let _ = out.flush();
}

/// Writes raw bytes to stderr (a sandboxed command's diagnostics).
pub fn stderr_bytes(bytes: &[u8]) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(bytes);
    let _ = err.flush();
}
