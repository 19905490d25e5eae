use serde_json::json;

use super::*;

fn settings() -> ProcessSettings {
    ProcessSettings {
        timeout: Duration::from_secs(1800),
        background: Duration::from_millis(10_000),
        cleanup: Duration::from_secs(60),
    }
}

#[test]
fn exec_modes() {
    let s = settings();
    let bg = |yield_ms: u64, explicit: bool| Mode::Background {
        yield_for: Duration::from_millis(yield_ms),
        explicit,
    };
    let cases = [
        (json!({"command": "x"}), true, Ok(bg(10_000, false))),
        (
            json!({"command": "x", "background": true}),
            true,
            Ok(bg(0, true)),
        ),
        (
            json!({"command": "x", "background": false}),
            true,
            Ok(bg(10_000, false)),
        ),
        (
            json!({"command": "x", "yieldMs": 500}),
            true,
            Ok(bg(500, true)),
        ),
        // yieldMs is clamped like backgroundMs.
        (
            json!({"command": "x", "yieldMs": 1}),
            true,
            Ok(bg(10, true)),
        ),
        (
            json!({"command": "x", "yieldMs": 999_999}),
            true,
            Ok(bg(120_000, true)),
        ),
        // Without the process tool, exec runs in the foreground and ignores both.
        (
            json!({"command": "x", "background": true}),
            false,
            Ok(Mode::Foreground),
        ),
        (
            json!({"command": "x", "yieldMs": 5}),
            false,
            Ok(Mode::Foreground),
        ),
        // Wrong types are errors, not silently foreground.
        (
            json!({"command": "x", "background": "yes"}),
            true,
            Err("`background` must be true or false".to_string()),
        ),
        (
            json!({"command": "x", "yieldMs": -1}),
            true,
            Err("`yieldMs` must be a number of milliseconds".to_string()),
        ),
    ];
    for (params, allowed, want) in cases {
        assert_eq!(mode(&params, &s, allowed), want, "{params}");
    }
}

#[test]
fn process_calls_parse() {
    let call = ProcessCall::parse(
        &json!({"action": "write", "sessionId": "proc-1", "data": "hi\n", "eof": true}),
    )
    .unwrap();
    assert_eq!(
        call,
        ProcessCall {
            action: Action::Write,
            id: "proc-1".into(),
            data: "hi\n".into(),
            eof: true,
            offset: None,
            limit: None,
            stream: None,
        }
    );
    let call = ProcessCall::parse(
        &json!({"action": "log", "sessionId": "p", "offset": 3, "limit": 5, "stream": "stderr"}),
    )
    .unwrap();
    assert_eq!(
        (call.offset, call.limit, call.stream),
        (Some(3), Some(5), Some(Stream::Stderr))
    );
    assert_eq!(
        ProcessCall::parse(&json!({"action": "list"}))
            .unwrap()
            .action,
        Action::List
    );
}

/// Nothing a `process` call carries may be something the guards did not judge: the only text
/// it sends anywhere is `write`'s `data`. Each refused call next to an accepted neighbour.
#[test]
fn process_calls_carry_nothing_but_what_their_action_takes() {
    let refused = [
        // A new command through process: there is no action that starts one.
        (
            json!({"action": "start", "command": "rm -rf ~"}),
            "unknown action `start`",
        ),
        (
            json!({"action": "run", "command": "id"}),
            "unknown action `run`",
        ),
        // The guard lower-cases the action; the tool does not accept other spellings.
        (
            json!({"action": "WRITE", "sessionId": "p", "data": "x"}),
            "unknown action `WRITE`",
        ),
        // Text in keys the write action does not send.
        (
            json!({"action": "write", "sessionId": "p", "data": "ok", "command": "cat ~/.ssh/id_rsa"}),
            "`command` is not a parameter of process write",
        ),
        (
            json!({"action": "write", "sessionId": "p", "data": "ok", "keys": ["x"]}),
            "`keys` is not a parameter of process write",
        ),
        (
            json!({"action": "poll", "sessionId": "p", "data": "cat ~/.ssh/id_rsa"}),
            "`data` is not a parameter of process poll",
        ),
        (
            json!({"action": "kill", "sessionId": "p", "command": "id"}),
            "`command` is not a parameter of process kill",
        ),
        // Malformed.
        (
            json!({"action": "poll"}),
            "`sessionId` (a string) is required",
        ),
        (
            json!({"action": "write", "sessionId": "p", "data": 7}),
            "`data` must be a string",
        ),
        (
            json!({"action": "write", "sessionId": "p"}),
            "`data` is required",
        ),
        (json!({}), "`action` is required"),
    ];
    for (params, want) in refused {
        let err = ProcessCall::parse(&params).unwrap_err();
        assert!(err.starts_with(want), "{params}: {err}");
    }
    let accepted = [
        json!({"action": "write", "sessionId": "p", "data": "ok"}),
        json!({"action": "write", "sessionId": "p", "eof": true}),
        json!({"action": "poll", "sessionId": "p"}),
        json!({"action": "kill", "sessionId": "p"}),
        json!({"action": "list"}),
    ];
    for params in accepted {
        assert!(ProcessCall::parse(&params).is_ok(), "{params}");
    }
}

fn entry_with(out: &[u8], err: &[u8], ring: usize) -> Entry {
    let io = BackgroundIo::new(ring);
    io.push(Stream::Stdout, out);
    io.push(Stream::Stderr, err);
    Entry {
        id: "proc-0123456789abcdef".into(),
        owner: Owner {
            agent_id: "main".into(),
            session_key: "s".into(),
        },
        command: "x".into(),
        started: std::time::Instant::now(),
        io,
        stdin_verdict: Ok(()),
        stdin: tokio::sync::Mutex::new(None),
        pgid: None,
        cleanup: Duration::from_secs(60),
        cursors: std::sync::Mutex::new([0, 0]),
    }
}

#[test]
fn poll_returns_only_new_output_and_notes_drops() {
    let e = entry_with(b"one\n", b"", 16);
    let first = poll_result(&e).content;
    assert!(first.contains("status: running"), "{first}");
    assert!(first.contains("[stdout]\none\n"), "{first}");
    let second = poll_result(&e).content;
    assert!(second.contains("(no new output)"), "{second}");
    e.io.push(Stream::Stdout, b"two\n");
    let third = poll_result(&e).content;
    assert!(
        third.contains("[stdout]\ntwo\n") && !third.contains("one"),
        "{third}"
    );
    // More than the ring keeps arrives between polls.
    e.io.push(Stream::Stdout, b"0123456789abcdefXYZ");
    let fourth = poll_result(&e).content;
    assert!(
        fourth.contains(
            "[3 bytes of stdout were dropped before this: each stream keeps its last 16 bytes]"
        ),
        "{fourth}"
    );
    assert!(fourth.contains("3456789abcdefXYZ"), "{fourth}");
    e.io.finish(Exit {
        code: Some(3),
        ..Exit::default()
    });
    let last = poll_result(&e);
    assert!(
        last.content.contains("status: exited 3"),
        "{}",
        last.content
    );
    assert!(last.is_error);
}

#[test]
fn a_large_poll_is_split() {
    let big = vec![b'a'; POLL_BYTES + 10];
    let e = entry_with(&big, b"", 1 << 20);
    let first = poll_result(&e).content;
    assert!(first.contains("[more output pending: poll again]"));
    let second = poll_result(&e).content;
    assert!(
        second.contains(&format!("[stdout]\n{}\n", "a".repeat(10))),
        "{second}"
    );
    assert!(!second.contains("pending"));
}

#[test]
fn log_windows_lines() {
    let text: String = (0..10).map(|i| format!("line{i}\n")).collect();
    let e = entry_with(text.as_bytes(), b"warn\n", 1 << 20);
    let call = |offset: Option<usize>, limit: Option<usize>| ProcessCall {
        action: Action::Log,
        id: e.id.clone(),
        data: String::new(),
        eof: false,
        offset,
        limit,
        stream: Some(Stream::Stdout),
    };
    let tail = log_result(&e, &call(None, Some(2))).content;
    assert!(
        tail.contains("[stdout] lines 8-10 of 10\nline8\nline9\n"),
        "{tail}"
    );
    let window = log_result(&e, &call(Some(2), Some(3))).content;
    assert!(
        window.contains("lines 2-5 of 10\nline2\nline3\nline4\n"),
        "{window}"
    );
    let past = log_result(&e, &call(Some(50), None)).content;
    assert!(past.contains("lines 10-10 of 10"), "{past}");
    let both = log_result(
        &e,
        &ProcessCall {
            stream: None,
            ..call(None, None)
        },
    )
    .content;
    assert!(both.contains("[stderr] lines 0-1 of 1\nwarn\n"), "{both}");
}
