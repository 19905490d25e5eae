//! Guide vectors (`openclaw-guide-spec.md` §1.3), the §6 fixes, containment examples
//! (`openclaw-runtime-security.md` §4.6), settings and pattern-file handling, normalisation
//! properties.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::json;

use super::paths::{ContainError, PathContext, absolutize, contain, forms};
use super::testutil::*;
use super::*;
use crate::guard::{NoFilesystem, Verdict};
use crate::shell::RedirectOp;

fn level_of(g: &FileGuard, p: &str) -> Option<Level> {
    g.protection_of(p, Path::new(CWD), None, false, &NoFilesystem)
        .map(|p| p.level)
}

fn assert_block(d: &crate::Decision, rule: &str, needle: &str) {
    assert_eq!(d.decision, Verdict::Block, "{d:?}");
    assert_eq!(d.guard, "file-guard");
    assert_eq!(d.rule, rule, "{d:?}");
    assert!(d.reason.contains(needle), "{:?} lacks {needle:?}", d.reason);
}

fn assert_allow(d: &crate::Decision) {
    assert_eq!(d.decision, Verdict::Allow, "{d:?}");
}

// ---- guide §1.3 "normalizePath" -------------------------------------------------------------

#[test]
fn guide_normalize_relative_resolves_against_cwd() {
    assert_eq!(
        absolutize("src/index.ts", Path::new(CWD), Path::new(HOME)),
        PathBuf::from("/Users/test/project/src/index.ts")
    );
}

#[test]
fn guide_normalize_dotdot_removed() {
    let p = absolutize("../other/file.ts", Path::new(CWD), Path::new(HOME));
    assert_eq!(p, PathBuf::from("/Users/test/other/file.ts"));
    assert!(!p.to_string_lossy().contains(".."));
}

#[test]
fn guide_normalize_tilde_to_home() {
    assert_eq!(
        absolutize("~/documents/file.txt", Path::new(CWD), Path::new(HOME)),
        PathBuf::from("/Users/test/documents/file.txt")
    );
}

#[test]
fn guide_normalize_absolute_unchanged() {
    assert_eq!(
        absolutize("/etc/hosts", Path::new(CWD), Path::new(HOME)),
        PathBuf::from("/etc/hosts")
    );
}

// ---- guide §1.3 "checkPath" -----------------------------------------------------------------

#[test]
fn guide_checkpath_vectors() {
    let g = guard();
    let cases: &[(&str, Option<Level>)] = &[
        ("/Users/test/project/.env", Some(Level::NoAccess)),
        (".env.production", Some(Level::NoAccess)),
        ("package-lock.json", Some(Level::ReadOnly)),
        (".git/config", Some(Level::NoDelete)),
        ("src/index.ts", None),
        (".env", Some(Level::NoAccess)),
        ("config/.env", Some(Level::NoAccess)),
        ("credentials.json", Some(Level::NoAccess)),
        ("certs/server.key", Some(Level::NoAccess)),
    ];
    for (path, want) in cases {
        assert_eq!(level_of(&g, path), *want, "checkPath {path}");
    }
}

// ---- guide §1.3 "Command parsing" (facts built by hand, judged by the guard) ---------------

#[test]
fn guide_command_vectors() {
    let g = guard();
    let block = Verdict::Block;
    let allow = Verdict::Allow;
    let cases: Vec<(&str, crate::shell::CommandFacts, Verdict)> = vec![
        (
            "cat .env",
            facts(vec![prog("cat", &[l(".env")], &[], &[])]),
            block,
        ),
        (
            "grep secret .env",
            facts(vec![prog("grep", &[l(".env")], &[], &[])]),
            block,
        ),
        (
            // Guide: deletes [.git/]; not blocked by the guide's `**/.git/*` (§6 item 5), blocked here.
            "rm -rf .git/",
            facts(vec![prog("rm", &[], &[], &[l(".git/")])]),
            block,
        ),
        (
            "sed -i 's/a/b/' config.yaml",
            facts(vec![prog("sed", &[], &[l("config.yaml")], &[])]),
            allow,
        ),
        (
            "cat file1 | grep pattern",
            facts(vec![
                prog("cat", &[l("file1")], &[], &[]),
                prog("grep", &[], &[], &[]),
            ]),
            allow,
        ),
        (
            "cp .env .env.bak",
            facts(vec![prog("cp", &[l(".env")], &[l(".env.bak")], &[])]),
            block,
        ),
        (
            "mv .env .env.bak",
            facts(vec![prog("mv", &[l(".env")], &[l(".env.bak")], &[])]),
            block,
        ),
        (
            "cat -n .env",
            facts(vec![prog("cat", &[l(".env")], &[], &[])]),
            block,
        ),
        (
            "cat \"my .env\"",
            facts(vec![prog("cat", &[l("my .env")], &[], &[])]),
            allow,
        ),
        (
            "echo data > .env",
            facts(vec![redirect(
                prog("echo", &[], &[], &[]),
                RedirectOp::Write,
                l(".env"),
            )]),
            block,
        ),
        (
            "cat < .env",
            facts(vec![redirect(
                prog("cat", &[], &[], &[]),
                RedirectOp::Read,
                l(".env"),
            )]),
            block,
        ),
        (
            "cat .env && rm secret.key",
            facts(vec![
                prog("cat", &[l(".env")], &[], &[]),
                prog("rm", &[], &[], &[l("secret.key")]),
            ]),
            block,
        ),
        (
            "cat .env; rm secret.key",
            facts(vec![
                prog("cat", &[l(".env")], &[], &[]),
                prog("rm", &[], &[], &[l("secret.key")]),
            ]),
            block,
        ),
        (
            "cat .env || echo fallback",
            facts(vec![
                prog("cat", &[l(".env")], &[], &[]),
                prog("echo", &[], &[], &[]),
            ]),
            block,
        ),
        (
            "echo data | tee output.log",
            facts(vec![
                prog("echo", &[], &[], &[]),
                prog("tee", &[], &[l("output.log")], &[]),
            ]),
            allow,
        ),
        (
            "sed -i 's/old/new/' /etc/hosts",
            facts(vec![prog("sed", &[], &[l("/etc/hosts")], &[])]),
            allow,
        ),
        (
            "sed -i 's/foo/bar/g' ./config.yaml",
            facts(vec![prog("sed", &[], &[l("./config.yaml")], &[])]),
            allow,
        ),
    ];
    for (name, f, want) in cases {
        assert_eq!(shell(&g, &f).decision, want, "command vector `{name}`");
    }
}

// ---- guide §1.3 "Hook" ----------------------------------------------------------------------

#[test]
fn guide_hook_non_file_tools_allowed() {
    let g = guard();
    assert_allow(&tool(&g, "web_fetch", json!({"url": "https://x/.env"})));
    // hardclaw deviation: `message` uploads the local file its path parameters name, so it
    // is judged as a read (the guide let it through); its text is not a path.
    assert_allow(&tool(&g, "message", json!({"text": ".env"})));
    assert_allow(&tool(&g, "sessions_list", json!({"file_path": ".env"})));
}

#[test]
fn guide_hook_read_home_env_blocked() {
    let d = tool(&guard(), "read", json!({"file_path": "/Users/test/.env"}));
    assert_block(&d, "no_access", "no_access");
    assert_eq!(
        d.reason,
        "File guard blocked access: /Users/test/.env is protected (no_access). read access denied."
    );
}

#[test]
fn guide_hook_write_package_lock_blocked_read_allowed() {
    let g = guard();
    let d = tool(
        &g,
        "write",
        json!({"file_path": "package-lock.json", "content": "{}"}),
    );
    assert_block(&d, "read_only", "read_only");
    assert_allow(&tool(&g, "read", json!({"file_path": "package-lock.json"})));
}

#[test]
fn guide_hook_bash_cat_env_blocked() {
    let f = facts(vec![prog("cat", &[l(".env")], &[], &[])]);
    assert_block(&shell(&guard(), &f), "no_access", "no_access");
}

#[test]
fn guide_hook_bash_rm_license_blocked_edit_allowed() {
    let g = guard();
    let f = facts(vec![prog("rm", &[], &[], &[l("LICENSE")])]);
    assert_block(&shell(&g, &f), "no_delete", "no_delete");
    assert_allow(&tool(&g, "edit", json!({"file_path": "LICENSE"})));
}

#[test]
fn guide_hook_plugin_files_self_protected() {
    // The plugin directory is `<state>/plugins/file-guard`, inside the state directory.
    let g = guard();
    let index = "/Users/test/.hardclaw/plugins/file-guard/index.ts";
    assert_block(
        &tool(&g, "edit", json!({"file_path": index})),
        "self-protection",
        "(self-protection)",
    );
    let f = facts(vec![redirect(
        prog("echo", &[], &[], &[]),
        RedirectOp::Write,
        l(index),
    )]);
    assert_block(&shell(&g, &f), "self-protection", "self-protection");
    // Deviation: the guide allows `read` of the plugin's own files; hardclaw's state
    // directory is no_access for every tool (it holds tokens and transcripts).
    assert_block(
        &tool(&g, "read", json!({"file_path": index})),
        "self-protection",
        "self-protection",
    );
}

#[test]
fn guide_hook_bash_traversal_env_blocked() {
    let f = facts(vec![prog("cat", &[l("../../.env")], &[], &[])]);
    assert_block(&shell(&guard(), &f), "no_access", "../../.env");
}

#[test]
fn guide_hook_exec_cat_env_blocked() {
    let f = facts(vec![prog("cat", &[l(".env")], &[], &[])]);
    let d = check_in(
        &guard(),
        "exec",
        json!({"command": "cat .env"}),
        CWD,
        None,
        Some(&f),
        &NoFilesystem,
    );
    assert_block(&d, "no_access", "exec access denied");
}

#[test]
fn guide_hook_apply_patch_env_blocked() {
    let patch = "--- a/.env\n+++ b/.env\n@@ -1 +1 @@\n-A=1\n+A=2\n";
    let d = tool(&guard(), "apply_patch", json!({"patch": patch}));
    assert_block(&d, "no_access", "no_access");
}

#[test]
fn guide_hook_nonexistent_config_uses_defaults() {
    // Missing at the default location: the defaults.
    let g = FileGuard::from_config(&Config::default(), &env(), None);
    assert!(g.config_error().is_none());
    assert_allow(&tool(&g, "read", json!({"file_path": "src/app.ts"})));
    // hardclaw deviation (the guide used the defaults here too): an explicitly configured
    // `configPath` that does not exist is a config error, unless failOpen.
    let c = with_fg(json!({"configPath": "/nope/file-guard.json"}));
    let g = FileGuard::from_config(&c, &env(), None);
    assert!(g.config_error().is_some());
    assert_eq!(
        tool(&g, "read", json!({"file_path": "src/app.ts"})).rule,
        "config-error"
    );
    let c = with_fg(json!({"configPath": "/nope/file-guard.json", "failOpen": true}));
    let g = FileGuard::from_config(&c, &env(), None);
    assert!(g.config_error().is_none());
    assert!(!g.warnings().is_empty());
    assert_allow(&tool(&g, "read", json!({"file_path": "src/app.ts"})));
    assert_block(
        &tool(&g, "read", json!({"file_path": ".env"})),
        "no_access",
        "",
    );
}

#[test]
fn guide_hook_git_config_write_read_edit_allowed() {
    let g = guard();
    for t in ["write", "read", "edit"] {
        assert_allow(&tool(&g, t, json!({"file_path": ".git/config"})));
    }
}

#[test]
fn guide_hook_malformed_fail_closed_blocks_everything() {
    let g = FileGuard::from_config(&Config::default(), &env(), Some(Ok("{nope".into())));
    assert!(g.config_error().is_some());
    let d = tool(&g, "read", json!({"file_path": "src/app.ts"}));
    assert_block(&d, "config-error", "config error");
    assert_eq!(d.reason, CONFIG_ERROR_REASON);
    let f = facts(vec![prog("ls", &[], &[], &[])]);
    assert_block(&shell(&g, &f), "config-error", "config error");
    // Non-guarded tools are untouched.
    assert_allow(&tool(&g, "web_search", json!({"query": "x"})));
}

#[test]
fn guide_hook_malformed_fail_open_uses_defaults() {
    let c = with_fg(json!({"failOpen": true}));
    let g = FileGuard::from_config(&c, &env(), Some(Ok("[1,2]".into())));
    assert!(g.config_error().is_none());
    assert!(!g.warnings().is_empty());
    assert_allow(&tool(&g, "write", json!({"file_path": "src/app.ts"})));
    assert_block(
        &tool(&g, "read", json!({"file_path": ".env"})),
        "no_access",
        "",
    );
}

#[test]
fn guide_hook_agent_overrides_additive() {
    let c = with_fg(json!({"agentOverrides": {"search": {"configPath": "./search.json"}}}));
    let over = r#"{"protection_levels": {"no_access": {"patterns": ["**/internal-docs/**"]}}}"#;
    let g = FileGuard::from_config(&c, &env(), None)
        .with_agent_override("search", Some(Ok(over.into())));
    let read = |agent: Option<&str>, p: &str| {
        check_in(
            &g,
            "read",
            json!({"file_path": p}),
            CWD,
            agent,
            None,
            &NoFilesystem,
        )
    };
    assert_block(
        &read(Some("search"), "internal-docs/secret.md"),
        "no_access",
        "",
    );
    assert_allow(&read(None, "internal-docs/secret.md"));
    assert_allow(&read(Some("main"), "internal-docs/secret.md"));
    assert_block(&read(Some("search"), ".env"), "no_access", "");
}

// ---- §6 items 5–6: fixes ------------------------------------------------------------------

#[test]
fn fix_git_dir_itself_and_nested_are_no_delete() {
    let g = guard();
    for p in [
        ".git",
        ".git/",
        ".git/objects/ab/cdef",
        "sub/repo/.git/HEAD",
    ] {
        assert_eq!(level_of(&g, p), Some(Level::NoDelete), "{p}");
    }
    let f = facts(vec![prog("rm", &[], &[], &[l(".git")])]);
    assert_block(&shell(&g, &f), "no_delete", "(no_delete)");
}

#[test]
fn fix_nested_ssh_is_no_access() {
    let g = guard();
    assert_eq!(
        level_of(&g, "/srv/u/.ssh/keys/id_rsa"),
        Some(Level::NoAccess)
    );
    assert_eq!(
        level_of(&g, "deploy/.ssh/old/id_rsa"),
        Some(Level::NoAccess)
    );
}

#[test]
fn fix_flat_pattern_file_shape_accepted() {
    let text =
        r#"{"no_access": ["**/vault/**"], "read_only": ["**/*.lock"], "no_delete": ["**/KEEP"]}"#;
    let g = FileGuard::from_config(&Config::default(), &env(), Some(Ok(text.into())));
    assert!(g.config_error().is_none(), "{:?}", g.config_error());
    assert_eq!(level_of(&g, "vault/a.txt"), Some(Level::NoAccess));
    assert_eq!(level_of(&g, "x.lock"), Some(Level::ReadOnly));
    assert_eq!(level_of(&g, "KEEP"), Some(Level::NoDelete));
    // The file replaces the defaults (as in the guide) ...
    assert_eq!(level_of(&g, ".env"), None);
    // ... but never the built-ins.
    assert_eq!(level_of(&g, "~/.ssh/id_rsa"), Some(Level::NoAccess));
}

#[test]
fn fix_protection_levels_shape_with_bare_arrays() {
    let text = r#"{"protection_levels": {"no_access": ["**/x"], "read_only": {"description": "d", "patterns": []}}}"#;
    let set = PatternSet::parse(text).unwrap();
    assert_eq!(set.patterns(Level::NoAccess), ["**/x".to_string()]);
    assert_eq!(
        set.descriptions.get(&Level::ReadOnly).map(String::as_str),
        Some("d")
    );
}

#[test]
fn pattern_file_malformed_variants() {
    for bad in [
        "",
        "{}",
        "[]",
        r#"{"protection_levels": []}"#,
        r#"{"protection_levels": {"no_acess": []}}"#,
        r#"{"no_access": "**/.env"}"#,
        r#"{"no_access": [1]}"#,
        r#"{"patterns": ["x"]}"#,
    ] {
        assert!(PatternSet::parse(bad).is_err(), "{bad:?}");
        let g = FileGuard::from_config(&Config::default(), &env(), Some(Ok(bad.into())));
        assert!(g.config_error().is_some(), "{bad:?}");
    }
}

#[test]
fn unreadable_pattern_file_is_a_config_error() {
    let g = FileGuard::from_config(&Config::default(), &env(), Some(Err("EACCES".into())));
    assert_block(
        &tool(&g, "read", json!({"file_path": "a"})),
        "config-error",
        "",
    );
}

#[test]
fn invalid_glob_in_pattern_file_is_a_config_error() {
    let text = r#"{"no_access": ["**/[unclosed"]}"#;
    let g = FileGuard::from_config(&Config::default(), &env(), Some(Ok(text.into())));
    assert!(g.config_error().is_some());
    let c = with_fg(json!({"failOpen": true}));
    let g = FileGuard::from_config(&c, &env(), Some(Ok(text.into())));
    assert!(g.config_error().is_none());
    assert_block(
        &tool(&g, "read", json!({"file_path": ".env"})),
        "no_access",
        "",
    );
}

#[test]
fn settings_errors_fail_closed_unless_fail_open() {
    let g = FileGuard::from_config(&with_fg(json!({"failopen": true})), &env(), None);
    assert!(g.config_error().is_some());
    let g = FileGuard::from_config(
        &with_fg(json!({"failOpen": true, "logBlocks": "yes"})),
        &env(),
        None,
    );
    assert!(g.config_error().is_none());
    let g = FileGuard::from_config(&with_fg(json!({"configPath": 3})), &env(), None);
    assert!(g.config_error().is_some());
}

#[test]
fn settings_defaults_and_values() {
    let s = Settings::from_config(&Config::default()).unwrap();
    assert_eq!(s.config_path, "./file-guard.json");
    assert!(!s.fail_open && s.log_blocks && s.enabled);
    let s = Settings::from_config(&with_fg(json!({
        "configPath": "~/fg.json", "failOpen": true, "logBlocks": false,
        "caseInsensitive": true, "agentOverrides": {"a": {"configPath": "/x.json"}}
    })))
    .unwrap();
    assert!(s.fail_open && !s.log_blocks && s.case_insensitive);
    assert_eq!(
        s.agent_overrides.get("a").map(String::as_str),
        Some("/x.json")
    );
}

#[test]
fn pattern_file_paths_resolve() {
    let base = Path::new("/opt/plugins/file-guard");
    let home = Path::new(HOME);
    assert_eq!(
        FileGuard::pattern_file_path(&Config::default(), base, home),
        PathBuf::from("/opt/plugins/file-guard/./file-guard.json")
    );
    let c = with_fg(json!({"configPath": "~/.hardclaw/fg.json",
        "agentOverrides": {"search": {"configPath": "search.json"}}}));
    assert_eq!(
        FileGuard::pattern_file_path(&c, base, home),
        PathBuf::from("/Users/test/.hardclaw/fg.json")
    );
    assert_eq!(
        FileGuard::agent_override_paths(&c, base, home),
        vec![(
            "search".to_string(),
            PathBuf::from("/opt/plugins/file-guard/search.json")
        )]
    );
}

#[test]
fn pattern_file_itself_is_self_protected() {
    let c = with_fg(json!({"configPath": "/etc/hardclaw/file-guard.json"}));
    let g = FileGuard::from_config(&c, &env(), Some(Ok(r#"{"no_access": []}"#.into())));
    assert_block(
        &tool(
            &g,
            "write",
            json!({"file_path": "/etc/hardclaw/file-guard.json"}),
        ),
        "self-protection",
        "",
    );
    let g = guard().with_protected_path(Path::new("/opt/fg/rules.json"));
    assert_block(
        &tool(&g, "read", json!({"file_path": "/opt/fg/rules.json"})),
        "self-protection",
        "",
    );
}

#[test]
fn disabled_plugin_keeps_builtins_only() {
    let c = config(json!({"plugins": {"entries": {"file-guard": {"enabled": false}}}}));
    let g = FileGuard::from_config(&c, &env(), Some(Ok("{bad".into())));
    assert!(g.config_error().is_none());
    assert_allow(&tool(&g, "read", json!({"file_path": ".env"})));
    assert_block(
        &tool(&g, "read", json!({"file_path": "~/.ssh/id_rsa"})),
        "credentials",
        "",
    );
    assert_block(
        &tool(&g, "read", json!({"file_path": CONFIG})),
        "self-protection",
        "",
    );
}

#[test]
fn case_insensitive_option() {
    let c = with_fg(json!({"caseInsensitive": true}));
    let g = FileGuard::from_config(&c, &env(), None);
    assert_eq!(level_of(&g, "PACKAGE-LOCK.JSON"), Some(Level::ReadOnly));
    let c = with_fg(json!({"caseInsensitive": false}));
    let g = FileGuard::from_config(&c, &env(), None);
    assert_eq!(level_of(&g, "PACKAGE-LOCK.JSON"), None);
}

#[test]
fn configured_workspaces_get_identity_protection_and_state_exemption() {
    let c = config(json!({"agents": {"list": [
        {"id": "main", "workspace": "~/ws-main"},
        {"id": "search"}
    ]}}));
    let g = FileGuard::from_config(&c, &env(), None);
    assert_block(
        &tool(
            &g,
            "write",
            json!({"file_path": "/Users/test/ws-main/SOUL.md"}),
        ),
        "identity-files",
        "(read_only)",
    );
    // OpenClaw's default per-agent workspace inside the state dir stays usable ...
    assert_allow(&tool(
        &g,
        "write",
        json!({"file_path": "/Users/test/.hardclaw/workspace-search/notes.md"}),
    ));
    // ... but its identity files are read-only, and the rest of the state dir is closed.
    assert_block(
        &tool(
            &g,
            "edit",
            json!({"file_path": "/Users/test/.hardclaw/workspace-search/AGENTS.md"}),
        ),
        "identity-files",
        "",
    );
    assert_block(
        &tool(
            &g,
            "read",
            json!({"file_path": "/Users/test/.hardclaw/workspace-x/notes.md"}),
        ),
        "self-protection",
        "",
    );
}

#[test]
fn commands_without_facts_or_with_parse_errors_fail_closed() {
    let g = guard();
    let d = check_in(
        &g,
        "exec",
        json!({"command": "cat x"}),
        CWD,
        None,
        None,
        &NoFilesystem,
    );
    assert_block(&d, "parse-error", "precaution");
    let mut f = facts(vec![]);
    f.parse_error = Some("too deep".into());
    assert_block(&shell(&g, &f), "parse-error", "too deep");
    // `process` without a command (list/poll) has nothing to judge.
    assert_allow(&check_in(
        &g,
        "process",
        json!({"action": "list"}),
        CWD,
        None,
        None,
        &NoFilesystem,
    ));
}

#[test]
fn apply_patch_headers_parsed() {
    let patch = "*** Begin Patch\n*** Add File: a.txt\n+x\n*** Update File: src/b.rs\n*** Move to: src/c.rs\n@@\n-x\n+y\n*** Delete File: d.txt\n*** End Patch\n";
    let paths = patch_paths(patch);
    assert!(paths.contains(&("a.txt".into(), Op::Write)));
    assert!(paths.contains(&("src/b.rs".into(), Op::Write)));
    assert!(paths.contains(&("src/b.rs".into(), Op::Delete)));
    assert!(paths.contains(&("src/c.rs".into(), Op::Write)));
    assert!(paths.contains(&("d.txt".into(), Op::Delete)));
    let unified = "--- a/old.txt\t2024-01-01\n+++ /dev/null\n";
    let paths = patch_paths(unified);
    assert!(paths.contains(&("old.txt".into(), Op::Delete)));
    assert!(paths.contains(&("a/old.txt".into(), Op::Delete)));
    // The patch may come as `input` (OpenClaw's apply_patch).
    let d = tool(
        &guard(),
        "apply_patch",
        json!({"input": "*** Delete File: LICENSE\n"}),
    );
    assert_block(&d, "no_delete", "LICENSE");
}

#[test]
fn dynamic_paths() {
    let g = guard();
    let rm_var = facts(vec![prog("rm", &[], &[], &[d("$X")])]);
    let dd = shell(&g, &rm_var);
    assert_eq!(dd.decision, Verdict::Ask);
    assert_eq!(dd.rule, "dynamic-path");
    let rm_glob = facts(vec![prog("rm", &[], &[], &[d("*.o")])]);
    assert_eq!(shell(&g, &rm_glob).decision, Verdict::Ask);
    let rm_all = facts(vec![prog("rm", &[], &[], &[d("*")])]);
    assert_eq!(
        shell(&g, &rm_all).decision,
        Verdict::Block,
        "`rm *` can delete LICENSE"
    );
    let cat_glob = facts(vec![prog("cat", &[d("src/*.rs")], &[], &[])]);
    assert_allow(&shell(&g, &cat_glob));
    let cat_keys = facts(vec![prog("cat", &[d("~/.ssh/id_*")], &[], &[])]);
    assert_block(&shell(&g, &cat_keys), "credentials", "can expand to");
    let cat_env = facts(vec![prog("cat", &[d(".e?v")], &[], &[])]);
    assert_block(&shell(&g, &cat_env), "no_access", "");
    let cat_var = facts(vec![prog("cat", &[d("$F")], &[], &[])]);
    assert_eq!(shell(&g, &cat_var).decision, Verdict::Ask);
}

// ---- §4.6 containment examples (root /ws, cwd /ws) -------------------------------------------

fn ws_contain(raw: &str, fs: &dyn crate::PathResolver) -> Result<PathBuf, ContainError> {
    contain(
        raw,
        Path::new("/ws"),
        Path::new("/ws"),
        Path::new("/home/u"),
        fs,
    )
}

#[test]
fn containment_4_6_row_1_dotdot_escapes() {
    let e = ws_contain("../etc/passwd", &NoFilesystem).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Path escapes sandbox root (/ws): ../etc/passwd"
    );
}

#[test]
fn containment_4_6_row_2_absolute_escapes() {
    assert!(matches!(
        ws_contain("/etc/passwd", &NoFilesystem),
        Err(ContainError::Escapes { .. })
    ));
}

#[test]
fn containment_4_6_row_3_at_stripped_then_escapes() {
    assert!(matches!(
        ws_contain("@/etc/passwd", &NoFilesystem),
        Err(ContainError::Escapes { .. })
    ));
}

#[test]
fn containment_4_6_row_4_at_relative_allowed() {
    assert_eq!(
        ws_contain("@notes/a.md", &NoFilesystem).unwrap(),
        PathBuf::from("/ws/notes/a.md")
    );
}

#[test]
fn containment_4_6_row_5_unicode_space_mapped() {
    assert_eq!(
        ws_contain("notes\u{00A0}a.md", &NoFilesystem).unwrap(),
        PathBuf::from("/ws/notes a.md")
    );
}

#[test]
fn containment_4_6_row_6_workspace_alias_mapped() {
    assert_eq!(
        ws_contain("/workspace/src/x.ts", &NoFilesystem).unwrap(),
        PathBuf::from("/ws/src/x.ts")
    );
}

#[test]
fn containment_4_6_row_7_root_itself_allowed() {
    assert_eq!(
        ws_contain("/ws", &NoFilesystem).unwrap(),
        PathBuf::from("/ws")
    );
}

#[test]
fn containment_4_6_row_8_symlinked_dir_escapes() {
    let fs = FakeFs::new()
        .file("/ws/a")
        .file("/etc/passwd")
        .link("/ws/link", "/etc");
    assert!(matches!(
        ws_contain("link/passwd", &fs),
        Err(ContainError::AliasEscape { .. })
    ));
}

#[test]
fn containment_4_6_row_9_symlinked_parent_missing_leaf_escapes() {
    let fs = FakeFs::new()
        .file("/ws/a")
        .file("/tmp/outside/x")
        .link("/ws/linkdir", "/tmp/outside");
    assert!(matches!(
        ws_contain("/ws/linkdir/new.txt", &fs),
        Err(ContainError::AliasEscape { .. })
    ));
}

#[test]
fn containment_4_6_row_10_hardlink_not_visible_to_path_policy() {
    // Hardlinks pass every path check (rust-stack.md gotcha 3): the policy crate has no
    // `lstat`; the fs layer refuses `st_nlink > 1` after opening. Here: lexically fine.
    let fs = FakeFs::new().file("/ws/h.txt");
    assert_eq!(
        ws_contain("/ws/h.txt", &fs).unwrap(),
        PathBuf::from("/ws/h.txt")
    );
}

#[test]
fn containment_4_6_row_11_unlink_of_symlink_inside_ws() {
    // The file guard judges a delete of a link by its target too (conservative): a link to an
    // unprotected place may be removed ...
    let fs = FakeFs::new()
        .file("/ws/a")
        .file("/etc/hosts")
        .link("/ws/link", "/etc/hosts");
    let g = guard();
    let f = facts(vec![prog("rm", &[], &[], &[l("link")])]);
    let d = check_in(
        &g,
        "bash",
        json!({"command": "rm link"}),
        "/ws",
        None,
        Some(&f),
        &fs,
    );
    assert_allow(&d);
    // ... a link to a protected one may not (OpenClaw would allow unlinking it).
    let fs = fs
        .file("/Users/test/.ssh/id_rsa")
        .link("/ws/k", "/Users/test/.ssh/id_rsa");
    let f = facts(vec![prog("rm", &[], &[], &[l("k")])]);
    let d = check_in(
        &g,
        "bash",
        json!({"command": "rm k"}),
        "/ws",
        None,
        Some(&f),
        &fs,
    );
    assert_block(&d, "credentials", "");
}

#[test]
fn containment_4_6_row_12_legacy_container_alias_mapped() {
    let root = Path::new("/Users/chris/.openclaw");
    let got = contain(
        "/home/node/.openclaw/workspace/mail/trigger.txt",
        root,
        root,
        Path::new("/Users/chris"),
        &NoFilesystem,
    )
    .unwrap();
    assert_eq!(
        got,
        PathBuf::from("/Users/chris/.openclaw/workspace/mail/trigger.txt")
    );
}

#[test]
fn containment_4_6_row_13_other_container_path_escapes() {
    let root = Path::new("/Users/chris/.openclaw");
    let e = contain(
        "/home/node/secrets.txt",
        root,
        root,
        Path::new("/Users/chris"),
        &NoFilesystem,
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("Path escapes sandbox root"));
}

#[test]
fn containment_4_6_row_14_write_outside_escapes() {
    assert!(matches!(
        ws_contain("../escape.txt", &NoFilesystem),
        Err(ContainError::Escapes { .. })
    ));
}

#[test]
fn containment_4_6_row_15_denied_env_write() {
    let d = check_in(
        &guard(),
        "write",
        json!({"file_path": ".env", "content": "x"}),
        "/srv/workspace",
        None,
        None,
        &NoFilesystem,
    );
    assert_block(&d, "no_access", ".env");
}

#[test]
fn containment_4_6_row_16_symlink_file_judged_by_target() {
    // fs-safe refuses to open a symlink (O_NOFOLLOW) at open time; the policy resolves it: a
    // link inside the root to a file inside the root is contained, one leaving it is not.
    let fs = FakeFs::new()
        .file("/ws/real.txt")
        .file("/etc/passwd")
        .link("/ws/s.txt", "/ws/real.txt")
        .link("/ws/out.txt", "/etc/passwd");
    assert!(ws_contain("s.txt", &fs).is_ok());
    assert!(matches!(
        ws_contain("out.txt", &fs),
        Err(ContainError::AliasEscape { .. })
    ));
}

// ---- normalisation details ------------------------------------------------------------------

#[test]
fn forms_include_at_stripped_and_canonical() {
    let fs = FakeFs::new()
        .file("/Users/test/.ssh/id_rsa")
        .file("/Users/test/project/x")
        .link("/Users/test/project/k", "/Users/test/.ssh");
    let ctx = PathContext {
        cwd: Path::new(CWD),
        home: Path::new(HOME),
        workspace: None,
    };
    let f = forms("@k/id_rsa", &ctx, &fs);
    assert!(f.contains(&PathBuf::from("/Users/test/project/@k/id_rsa")));
    assert!(f.contains(&PathBuf::from("/Users/test/project/k/id_rsa")));
    assert!(f.contains(&PathBuf::from("/Users/test/.ssh/id_rsa")));
}

#[test]
fn dotdot_never_escapes_root() {
    assert_eq!(
        absolutize("/../../../etc/passwd", Path::new("/"), Path::new(HOME)),
        PathBuf::from("/etc/passwd")
    );
    assert_eq!(
        absolutize("../../../../../../.ssh/x", Path::new(CWD), Path::new(HOME)),
        PathBuf::from("/.ssh/x")
    );
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("..".to_string()),
        Just(".".to_string()),
        Just(String::new()),
        Just("~".to_string()),
        Just("@x".to_string()),
        Just(".ssh".to_string()),
        "[a-z.]{1,4}",
    ]
}

proptest! {
    #[test]
    fn normalised_paths_are_absolute_and_dot_free(
        lead in prop_oneof![Just(""), Just("/"), Just("~/"), Just("@")],
        segs in proptest::collection::vec(segment(), 0..10),
    ) {
        let raw = format!("{lead}{}", segs.join("/"));
        let ctx = PathContext { cwd: Path::new(CWD), home: Path::new(HOME), workspace: None };
        for p in forms(&raw, &ctx, &NoFilesystem) {
            prop_assert!(p.is_absolute(), "{raw} -> {p:?}");
            for c in p.components() {
                prop_assert!(
                    !matches!(c, std::path::Component::ParentDir | std::path::Component::CurDir),
                    "{raw} -> {p:?}"
                );
            }
            prop_assert!(!p.to_string_lossy().contains("/../"));
        }
    }

    #[test]
    fn anything_inside_an_ssh_dir_is_unreadable(
        segs in proptest::collection::vec("[a-z]{1,4}", 0..5),
        leaf in "[a-z_]{1,8}",
    ) {
        let raw = format!("/{}/.ssh/{leaf}", segs.join("/"));
        let d = tool(&guard(), "read", json!({"file_path": raw}));
        prop_assert_eq!(d.decision, Verdict::Block);
    }
}

#[test]
fn config_include_and_state_dir_are_self_protected() {
    let g = guard();
    for p in [
        CONFIG,
        INCLUDE,
        "/Users/test/.hardclaw/agents/main/sessions/s.jsonl",
        STATE,
    ] {
        assert_block(
            &tool(&g, "read", json!({"file_path": p})),
            "self-protection",
            "(self-protection)",
        );
    }
}

use hardclaw_config::schema::Config;

#[test]
fn relative_patterns_match_the_cwd_relative_form() {
    let text = r#"{"no_access": ["secrets/*", "*.env"], "read_only": ["/etc/app/**"]}"#;
    let g = FileGuard::from_config(&Config::default(), &env(), Some(Ok(text.into())));
    assert_eq!(level_of(&g, "secrets/a.txt"), Some(Level::NoAccess));
    assert_eq!(
        level_of(&g, "/Users/test/project/secrets/a.txt"),
        Some(Level::NoAccess)
    );
    assert_eq!(level_of(&g, "other/secrets/a.txt"), None);
    assert_eq!(level_of(&g, "prod.env"), Some(Level::NoAccess));
    assert_eq!(level_of(&g, "/etc/app/x.conf"), Some(Level::ReadOnly));
}
