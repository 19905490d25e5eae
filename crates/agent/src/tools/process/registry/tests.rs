use std::collections::BTreeMap;

use super::super::host::spawn_on_host;
use super::super::io::Exit;
use super::*;
use crate::tools::exec::ExecRequest;

fn owner(session: &str) -> Owner {
    Owner {
        agent_id: "main".into(),
        session_key: session.into(),
    }
}

fn limits(per_session: usize, total: usize) -> ProcessLimits {
    ProcessLimits {
        per_session,
        total,
        ring_bytes: 1024,
        ..ProcessLimits::default()
    }
}

/// Registers a command without starting anything (the io is finished by hand).
fn add(reg: &ProcessRegistry, who: &Owner, cleanup: Duration) -> Arc<Entry> {
    let r = reg.reserve(who).unwrap();
    r.commit(Started {
        command: "sleep 1".into(),
        io: BackgroundIo::new(1024),
        spawned: Spawned {
            stdin: None,
            pgid: None,
        },
        stdin_verdict: Ok(()),
        cleanup,
    })
}

#[test]
fn ids_are_random_and_unique() {
    let reg = ProcessRegistry::new(limits(100, 100));
    let a = owner("agent:main:main");
    let ids: std::collections::BTreeSet<String> = (0..50)
        .map(|_| add(&reg, &a, Duration::from_secs(60)).id.clone())
        .collect();
    assert_eq!(ids.len(), 50);
    for id in &ids {
        let hex = id.strip_prefix("proc-").unwrap();
        assert_eq!(hex.len(), 16, "{id}");
        assert!(hex.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
    }
}

#[test]
fn the_session_cap_counts_running_and_starting_commands() {
    let reg = ProcessRegistry::new(limits(2, 10));
    let a = owner("agent:main:main");
    let first = add(&reg, &a, Duration::from_secs(60));
    let starting = reg.reserve(&a).unwrap();
    assert_eq!(reg.reserve(&a).unwrap_err(), CapError::Session { limit: 2 });
    // Another session is not affected.
    assert!(reg.reserve(&owner("agent:main:other")).is_ok());
    // A reservation that is given up frees its slot.
    drop(starting);
    let again = reg.reserve(&a).unwrap();
    drop(again);
    // A finished command no longer counts.
    first.io.finish(Exit::default());
    add(&reg, &a, Duration::from_secs(60));
    assert!(reg.reserve(&a).is_ok());
}

#[test]
fn the_total_cap_spans_sessions() {
    let reg = ProcessRegistry::new(limits(4, 3));
    add(&reg, &owner("s1"), Duration::from_secs(60));
    add(&reg, &owner("s2"), Duration::from_secs(60));
    add(&reg, &owner("s3"), Duration::from_secs(60));
    assert_eq!(
        reg.reserve(&owner("s4")).unwrap_err(),
        CapError::Total { limit: 3 }
    );
    assert_eq!(
        reg.reserve(&owner("s4")).unwrap_err().to_string(),
        "too many background processes on this gateway (3 running): try again later"
    );
}

#[test]
fn a_session_sees_only_its_own_commands() {
    let reg = ProcessRegistry::new(limits(4, 16));
    let (a, b) = (owner("agent:main:main"), owner("agent:main:peer"));
    let mine = add(&reg, &a, Duration::from_secs(60));
    let theirs = add(&reg, &b, Duration::from_secs(60));
    assert!(reg.get(&a, &mine.id).is_some());
    assert!(reg.get(&a, &theirs.id).is_none());
    assert!(reg.remove(&a, &theirs.id).is_none());
    assert!(reg.get(&b, &theirs.id).is_some(), "not removed by a");
    let ids: Vec<String> = reg.list(&a).iter().map(|e| e.id.clone()).collect();
    assert_eq!(ids, vec![mine.id.clone()]);
    // Same session key, other agent: still not its own.
    let other_agent = Owner {
        agent_id: "work".into(),
        session_key: "agent:main:main".into(),
    };
    assert!(reg.get(&other_agent, &mine.id).is_none());
}

#[test]
fn finished_commands_are_kept_for_their_cleanup_time() {
    let reg = ProcessRegistry::new(limits(4, 16));
    let a = owner("s");
    let kept = add(&reg, &a, Duration::from_secs(600));
    let gone = add(&reg, &a, Duration::ZERO);
    let running = add(&reg, &a, Duration::ZERO);
    kept.io.finish(Exit::default());
    gone.io.finish(Exit::default());
    assert!(reg.get(&a, &kept.id).is_some());
    assert!(reg.get(&a, &gone.id).is_none());
    assert!(reg.get(&a, &running.id).is_some(), "running: never swept");
    assert_eq!(reg.len(), 2);
}

#[test]
fn only_so_many_finished_commands_are_kept_oldest_first() {
    let reg = ProcessRegistry::new(ProcessLimits {
        per_session: 10,
        total: 100,
        ring_bytes: 16,
        kept_per_session: 2,
        kept_total: 3,
    });
    let (a, b) = (owner("a"), owner("b"));
    let long = Duration::from_secs(600);
    let a_ids: Vec<Arc<Entry>> = (0..3).map(|_| add(&reg, &a, long)).collect();
    for e in &a_ids {
        e.io.finish(Exit::default());
        std::thread::sleep(Duration::from_millis(2));
    }
    // a: three finished, two kept — the oldest went.
    let kept: Vec<String> = reg.list(&a).iter().map(|e| e.id.clone()).collect();
    assert_eq!(kept, vec![a_ids[1].id.clone(), a_ids[2].id.clone()]);
    // b finishes two more: five over the total of three, oldest first again.
    let b_ids: Vec<Arc<Entry>> = (0..2).map(|_| add(&reg, &b, long)).collect();
    for e in &b_ids {
        e.io.finish(Exit::default());
        std::thread::sleep(Duration::from_millis(2));
    }
    let running = add(&reg, &b, long);
    assert_eq!(reg.list(&a).len(), 1, "a's oldest kept one went");
    assert_eq!(
        reg.list(&b).len(),
        3,
        "b's two finished and its running one"
    );
    assert!(
        reg.get(&b, &running.id).is_some(),
        "running commands are never evicted"
    );
}

#[tokio::test]
async fn a_finished_command_is_removed_on_time_without_further_calls() {
    let reg = ProcessRegistry::new(limits(4, 16));
    let entry = add(&reg, &owner("s"), Duration::from_millis(50));
    let io = Arc::clone(&entry.io);
    drop(entry);
    io.finish(Exit::default());
    // The registry's entry holds the io until the cleanup task removes it.
    let deadline = Instant::now() + Duration::from_secs(10);
    while Arc::strong_count(&io) > 1 {
        assert!(Instant::now() < deadline, "never removed");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(reg.is_empty());
}

fn processes_with(marker: &str) -> Vec<String> {
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(cmd) = std::fs::read(e.path().join("cmdline"))
            && String::from_utf8_lossy(&cmd).contains(marker)
        {
            found.push(e.file_name().to_string_lossy().into_owned());
        }
    }
    found
}

#[tokio::test]
async fn dropping_the_registry_kills_every_process_group() {
    let dir = tempfile::tempdir().unwrap();
    let reg = ProcessRegistry::new(limits(4, 16));
    let who = owner("s");
    let r = reg.reserve(&who).unwrap();
    let io = BackgroundIo::new(1024);
    // A shell with a child in the background and one in the foreground.
    let spawned = spawn_on_host(
        ExecRequest {
            command: "sleep 987601 & sleep 987602; echo never".into(),
            cwd: dir.path().to_path_buf(),
            env: BTreeMap::new(),
            timeout: Duration::from_secs(60),
            output_cap: 0,
        },
        Arc::clone(&io),
    )
    .await
    .unwrap();
    r.commit(Started {
        command: "sleep".into(),
        io: Arc::clone(&io),
        spawned,
        stdin_verdict: Ok(()),
        cleanup: Duration::from_secs(60),
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while processes_with("98760").len() < 2 {
        assert!(Instant::now() < deadline, "the sleeps never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(reg);
    let exit = io.wait(Duration::from_secs(10)).await.unwrap();
    assert!(exit.cancelled, "{exit:?}");
    // SIGKILL went to the group at drop time: nothing of it is left.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !processes_with("98760").is_empty() {
        assert!(Instant::now() < deadline, "{:?}", processes_with("98760"));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(io.with_ring(super::super::io::Stream::Stdout, |r| r.total()) == 0);
}
