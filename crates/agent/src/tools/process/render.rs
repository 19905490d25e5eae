//! What the model reads from background commands: the start, `list`, `poll` and `log`.

use std::fmt::Write as _;
use std::sync::Arc;

use super::ToolResult;
use super::io::{Exit, Stream};
use super::params::ProcessCall;
use super::registry::Entry;

/// Bytes of each stream one `poll` returns at most (the rest waits for the next poll).
pub const POLL_BYTES: usize = 24 * 1024;
/// Bytes of each stream shown when a command goes to the background.
pub const PREVIEW_BYTES: usize = 2 * 1024;
/// Lines `log` returns by default, and at most.
pub const LOG_LINES: (usize, usize) = (200, 2000);

pub(super) fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub(super) fn status_text(entry: &Entry) -> String {
    match entry.io.exit() {
        None => "running".into(),
        Some(e) => e.describe(),
    }
}

fn runtime(entry: &Entry) -> String {
    let end = entry.io.ended_at().unwrap_or_else(std::time::Instant::now);
    format!(
        "{:.1}s",
        end.saturating_duration_since(entry.started).as_secs_f64()
    )
}

pub(super) fn one_line(command: &str, max: usize) -> String {
    let flat: String = command
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() > max {
        flat.chars().take(max).collect::<String>() + "…"
    } else {
        flat
    }
}

pub(super) fn running_result(entry: &Entry) -> ToolResult {
    let mut text = format!(
        "status: running\nsessionId: {}\ncommand: {}\n",
        entry.id,
        one_line(&entry.command, 200)
    );
    let mut whole = true;
    let mut cursors = [0u64; 2];
    for (i, stream) in [Stream::Stdout, Stream::Stderr].into_iter().enumerate() {
        let (tail, from, end) = entry.io.with_ring(stream, |r| {
            let from = r.total().saturating_sub(PREVIEW_BYTES as u64);
            let s = r.read_from(from, PREVIEW_BYTES);
            (s.bytes, from, s.next)
        });
        whole &= from == 0;
        cursors[i] = end;
        if !tail.is_empty() {
            let _ = write!(text, "[{} so far]\n{}\n", stream.name(), lossy(&tail));
        }
    }
    if whole {
        // Everything so far was shown: the next poll starts after it.
        *entry.cursors.lock().unwrap_or_else(|p| p.into_inner()) = cursors;
    }
    text.push_str("Use the process tool with this sessionId: poll (new output), log, write, kill.");
    ToolResult::ok(text)
}

pub(super) fn list_result(entries: &[Arc<Entry>]) -> ToolResult {
    if entries.is_empty() {
        return ToolResult::ok("no background processes".into());
    }
    let mut text = String::new();
    for e in entries {
        let _ = writeln!(
            text,
            "{}  {}  {}  {}",
            e.id,
            status_text(e),
            runtime(e),
            one_line(&e.command, 80)
        );
    }
    ToolResult::ok(text)
}

pub(super) fn poll_result(entry: &Entry) -> ToolResult {
    // The exit is read before the output, so a command reported as ended has all its
    // output in the rings already.
    let exit = entry.io.exit();
    let mut text = format!(
        "sessionId: {}\nstatus: {}\nruntime: {}\n",
        entry.id,
        exit.as_ref().map_or("running".into(), Exit::describe),
        runtime(entry)
    );
    let mut cursors = entry.cursors.lock().unwrap_or_else(|p| p.into_inner());
    let (mut any, mut pending) = (false, false);
    for (i, stream) in [Stream::Stdout, Stream::Stderr].into_iter().enumerate() {
        let (slice, total) = entry
            .io
            .with_ring(stream, |r| (r.read_from(cursors[i], POLL_BYTES), r.total()));
        if slice.dropped > 0 {
            let _ = writeln!(
                text,
                "[{} bytes of {} were dropped before this: each stream keeps its last {} bytes]",
                slice.dropped,
                stream.name(),
                entry.io.with_ring(stream, |r| r.total() - r.start())
            );
        }
        if !slice.bytes.is_empty() {
            any = true;
            let _ = write!(text, "[{}]\n{}\n", stream.name(), lossy(&slice.bytes));
        }
        pending |= slice.next < total;
        cursors[i] = slice.next;
    }
    if !any {
        text.push_str("(no new output)\n");
    }
    if pending {
        text.push_str("[more output pending: poll again]\n");
    }
    ToolResult {
        content: text,
        is_error: exit.as_ref().is_some_and(|e| !e.success()),
        blocked: false,
    }
}

pub(super) fn log_result(entry: &Entry, call: &ProcessCall) -> ToolResult {
    let mut text = format!("sessionId: {}\nstatus: {}\n", entry.id, status_text(entry));
    let streams: Vec<Stream> = match call.stream {
        Some(s) => vec![s],
        None => vec![Stream::Stdout, Stream::Stderr],
    };
    for stream in streams {
        let (kept, dropped) = entry.io.with_ring(stream, |r| (r.contents(), r.start()));
        let kept = lossy(&kept);
        let lines: Vec<&str> = kept.lines().collect();
        let limit = call.limit.unwrap_or(LOG_LINES.0).clamp(1, LOG_LINES.1);
        let start = match call.offset {
            Some(o) => o.min(lines.len()),
            None => lines.len().saturating_sub(limit),
        };
        let end = (start + limit).min(lines.len());
        let _ = write!(
            text,
            "[{}] lines {}-{} of {}",
            stream.name(),
            start,
            end,
            lines.len()
        );
        if dropped > 0 {
            let _ = write!(text, " ({dropped} earlier bytes dropped)");
        }
        text.push('\n');
        for l in &lines[start..end] {
            text.push_str(l);
            text.push('\n');
        }
    }
    ToolResult::ok(text)
}
