//! Atomic, backed-up writes of config files.
//!
//! [`write_atomic`] never leaves a half-written config behind: the new text goes to a temporary
//! file in the same directory (created 0600), is flushed to disk, gets the original file's mode,
//! and is renamed over the original; then the directory is flushed. Before that, the previous
//! content is kept as `<file>.bak` and older backups rotate (`.bak` → `.bak.1` → … → `.bak.N`,
//! the oldest dropped), all of them 0600 — OpenClaw's backup ring, without the window in which a
//! copy is world-readable.
//!
//! A symlinked config is never replaced by a regular file: the write goes to the resolved
//! target (and its backups sit next to the target); [`WriteOutcome::via_symlink`] says so.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::ConfigError;

/// Mode of backups and of a newly created file.
const PRIVATE_MODE: u32 = 0o600;

/// What [`write_atomic`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOutcome {
    /// The file that was (or would have been) written: the path given, or the resolved target
    /// when the path given is a symlink.
    pub path: PathBuf,
    /// True when the path given is a symlink and the write went to its target instead.
    pub via_symlink: bool,
    /// False when the file already had exactly this content (nothing written, no backup made).
    pub written: bool,
    /// False when the file did not exist before.
    pub existed: bool,
    /// The backup files present after the write (`.bak`, `.bak.1`, …), newest first.
    pub backups: Vec<PathBuf>,
}

fn io_err(path: &Path, action: &'static str, source: std::io::Error) -> ConfigError {
    ConfigError::Io {
        path: path.to_path_buf(),
        action,
        source,
    }
}

/// `<file>.bak` (n = 0) or `<file>.bak.<n>`.
pub(crate) fn backup_path(file: &Path, n: usize) -> PathBuf {
    let mut name: OsString = file
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    if n == 0 {
        name.push(".bak");
    } else {
        name.push(format!(".bak.{n}"));
    }
    file.with_file_name(name)
}

/// Sets `mode` on `path` without ever following a symlink, even one swapped in after the
/// caller's `lstat`: the path is opened `O_PATH|O_NOFOLLOW` (a symlink yields an fd to the
/// link itself, refused with `ELOOP`), the fd is checked to be a directory (`expect_dir =
/// Some(true)`), a regular file (`Some(false)`) or either (`None`), and the mode is set through
/// `/proc/self/fd/<n>`, which names exactly that inode.
pub fn chmod_nofollow(path: &Path, mode: u32, expect_dir: Option<bool>) -> std::io::Result<()> {
    use rustix::fs::{FileType, Mode, OFlags};
    use std::os::fd::AsRawFd;
    let fd = rustix::fs::open(
        path,
        OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    let st = rustix::fs::fstat(&fd)?;
    let ty = FileType::from_raw_mode(st.st_mode);
    let wrong = match (ty, expect_dir) {
        (FileType::Symlink, _) => Some(rustix::io::Errno::LOOP),
        (FileType::Directory, Some(false)) => Some(rustix::io::Errno::ISDIR),
        (FileType::RegularFile, Some(true)) => Some(rustix::io::Errno::NOTDIR),
        (FileType::Directory | FileType::RegularFile, _) => None,
        _ => Some(rustix::io::Errno::OPNOTSUPP),
    };
    if let Some(errno) = wrong {
        return Err(errno.into());
    }
    let via = format!("/proc/self/fd/{}", fd.as_raw_fd());
    rustix::fs::chmod(via.as_str(), Mode::from_raw_mode(mode))?;
    Ok(())
}

fn exists_nofollow(path: &Path) -> Result<bool, ConfigError> {
    match fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io_err(path, "cannot stat", e)),
    }
}

/// Writes `contents` to `path` atomically, keeping backups.
///
/// * Unchanged content: nothing is written and no backup is made (`written == false`).
/// * `backups` is the number of numbered backups kept: the previous content goes to
///   `<file>.bak`, and `.bak` … `.bak.{backups-1}` shift one up, `.bak.{backups}` is dropped
///   (OpenClaw: 4, i.e. `.bak`, `.bak.1` … `.bak.4`). `0` keeps no backup at all. Every backup
///   is chmod-ed 0600 (symlinks among them are left alone).
/// * The new file keeps the original's permission bits (a new file gets 0600) and, when the
///   process may, its owner.
/// * A symlink at `path` is written through: the resolved target is replaced, not the link.
pub fn write_atomic(
    path: &Path,
    contents: &str,
    backups: usize,
) -> Result<WriteOutcome, ConfigError> {
    let (target, via_symlink) = match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => (
            fs::canonicalize(path).map_err(|e| io_err(path, "cannot resolve symlink", e))?,
            true,
        ),
        Ok(_) => (path.to_path_buf(), false),
        Err(e) if e.kind() == ErrorKind::NotFound => (path.to_path_buf(), false),
        Err(e) => return Err(io_err(path, "cannot stat", e)),
    };

    let existing = match fs::symlink_metadata(&target) {
        Ok(meta) if meta.file_type().is_file() => {
            let bytes = fs::read(&target).map_err(|e| io_err(&target, "cannot read", e))?;
            Some((meta, bytes))
        }
        Ok(_) => {
            return Err(io_err(
                &target,
                "cannot write",
                std::io::Error::other("not a regular file"),
            ));
        }
        Err(e) if e.kind() == ErrorKind::NotFound => None,
        Err(e) => return Err(io_err(&target, "cannot stat", e)),
    };

    let mut outcome = WriteOutcome {
        path: target.clone(),
        via_symlink,
        written: false,
        existed: existing.is_some(),
        backups: Vec::new(),
    };
    if let Some((_, bytes)) = &existing
        && bytes.as_slice() == contents.as_bytes()
    {
        outcome.backups = present_backups(&target, backups)?;
        return Ok(outcome);
    }

    if let Some((_, bytes)) = &existing
        && backups > 0
    {
        rotate_backups(&target, bytes, backups)?;
    }

    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let prefix = format!(
        ".{}.",
        target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    );
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .permissions(Permissions::from_mode(PRIVATE_MODE))
        .tempfile_in(&dir)
        .map_err(|e| io_err(&dir, "cannot create temporary file", e))?;
    tmp.write_all(contents.as_bytes())
        .map_err(|e| io_err(tmp.path(), "cannot write temporary file", e))?;
    let mode = existing
        .as_ref()
        .map(|(m, _)| m.mode() & 0o777)
        .unwrap_or(PRIVATE_MODE);
    if let Some((meta, _)) = &existing {
        // Best effort: keep the owner when running as another user (e.g. root fixing a user's
        // config). Fails harmlessly for unprivileged processes, whose files are theirs anyway.
        if let Ok(tmp_meta) = tmp.as_file().metadata()
            && (tmp_meta.uid() != meta.uid() || tmp_meta.gid() != meta.gid())
        {
            let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(meta.uid()), Some(meta.gid()));
        }
    }
    tmp.as_file()
        .set_permissions(Permissions::from_mode(mode))
        .map_err(|e| io_err(tmp.path(), "cannot set mode of temporary file", e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| io_err(tmp.path(), "cannot flush temporary file", e))?;
    tmp.persist(&target)
        .map_err(|e| io_err(&target, "cannot replace", e.error))?;
    File::open(&dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_err(&dir, "cannot flush directory", e))?;

    outcome.written = true;
    outcome.backups = present_backups(&target, backups)?;
    Ok(outcome)
}

/// Drops the oldest backup, shifts the others up, saves `previous` as `.bak`, chmods all 0600.
fn rotate_backups(target: &Path, previous: &[u8], backups: usize) -> Result<(), ConfigError> {
    let oldest = backup_path(target, backups);
    match fs::remove_file(&oldest) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(&oldest, "cannot remove old backup", e)),
    }
    for n in (0..backups).rev() {
        let from = backup_path(target, n);
        if exists_nofollow(&from)? {
            let to = backup_path(target, n + 1);
            fs::rename(&from, &to).map_err(|e| io_err(&from, "cannot rotate backup", e))?;
        }
    }
    let bak = backup_path(target, 0);
    // `create_new` never follows a symlink planted at `.bak` (it was just renamed away, so
    // anything there now is hostile or a race) and creates the copy 0600 from the start.
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(PRIVATE_MODE)
        .open(&bak)
        .map_err(|e| io_err(&bak, "cannot create backup", e))?;
    file.write_all(previous)
        .map_err(|e| io_err(&bak, "cannot write backup", e))?;
    file.sync_all()
        .map_err(|e| io_err(&bak, "cannot flush backup", e))?;
    for n in 0..=backups {
        let p = backup_path(target, n);
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_file() && m.mode() & 0o777 != PRIVATE_MODE => {
                chmod_nofollow(&p, PRIVATE_MODE, Some(false))
                    .map_err(|e| io_err(&p, "cannot chmod backup", e))?;
            }
            _ => {}
        }
    }
    Ok(())
}

fn present_backups(target: &Path, backups: usize) -> Result<Vec<PathBuf>, ConfigError> {
    if backups == 0 {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for n in 0..=backups {
        let p = backup_path(target, n);
        if exists_nofollow(&p)? {
            out.push(p);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod chmod_tests {
    use super::chmod_nofollow;
    use std::fs;
    use std::os::unix::fs::{PermissionsExt, symlink};

    #[test]
    fn bypass_chmod_follows_swapped_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "x").unwrap();
        fs::set_permissions(&victim, fs::Permissions::from_mode(0o644)).unwrap();
        let link = dir.path().join("link");
        symlink(&victim, &link).unwrap();
        assert!(chmod_nofollow(&link, 0o600, None).is_err());
        assert!(chmod_nofollow(&link, 0o600, Some(false)).is_err());
        let mode = fs::metadata(&victim).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "the symlink target was chmod-ed");
        // Regular files and directories are chmod-ed, with the expected type only.
        chmod_nofollow(&victim, 0o600, Some(false)).unwrap();
        assert_eq!(
            fs::metadata(&victim).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert!(chmod_nofollow(&victim, 0o700, Some(true)).is_err());
        let sub = dir.path().join("sub");
        fs::create_dir(&sub).unwrap();
        chmod_nofollow(&sub, 0o700, Some(true)).unwrap();
        assert_eq!(
            fs::metadata(&sub).unwrap().permissions().mode() & 0o777,
            0o700
        );
        // A file with no permissions at all (O_RDONLY would fail) is still handled.
        fs::set_permissions(&victim, fs::Permissions::from_mode(0o000)).unwrap();
        chmod_nofollow(&victim, 0o600, Some(false)).unwrap();
        assert_eq!(
            fs::metadata(&victim).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode_of(p: &Path) -> u32 {
        fs::symlink_metadata(p).expect("stat").mode() & 0o777
    }

    #[test]
    fn unchanged_content_writes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = dir.path().join("openclaw.json");
        fs::write(&cfg, "{}\n").expect("write");
        let before = fs::symlink_metadata(&cfg).expect("stat");
        let out = write_atomic(&cfg, "{}\n", 4).expect("write_atomic");
        assert!(!out.written);
        assert!(out.backups.is_empty());
        assert!(!backup_path(&cfg, 0).exists());
        let after = fs::symlink_metadata(&cfg).expect("stat");
        assert_eq!(before.ino(), after.ino(), "file must not be replaced");
        // only the config in the directory: no temp file left behind
        assert_eq!(fs::read_dir(dir.path()).expect("ls").count(), 1);
    }

    #[test]
    fn backups_rotate_oldest_dropped_all_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = dir.path().join("openclaw.json");
        fs::write(&cfg, "v0").expect("write");
        fs::set_permissions(&cfg, Permissions::from_mode(0o644)).expect("chmod");
        for i in 1..=7 {
            let out = write_atomic(&cfg, &format!("v{i}"), 4).expect("write_atomic");
            assert!(out.written);
        }
        assert_eq!(fs::read_to_string(&cfg).expect("read"), "v7");
        assert_eq!(fs::read_to_string(backup_path(&cfg, 0)).expect("bak"), "v6");
        for n in 1..=4 {
            let p = backup_path(&cfg, n);
            assert_eq!(
                fs::read_to_string(&p).expect("bak.n"),
                format!("v{}", 6 - n)
            );
            assert_eq!(mode_of(&p), 0o600, "{}", p.display());
        }
        assert_eq!(mode_of(&backup_path(&cfg, 0)), 0o600);
        assert!(!backup_path(&cfg, 5).exists(), "oldest must be dropped");
        // the original mode is kept
        assert_eq!(mode_of(&cfg), 0o644);
        // config + .bak + .bak.1..4, no temp files
        assert_eq!(fs::read_dir(dir.path()).expect("ls").count(), 6);
    }

    #[test]
    fn pre_existing_backup_modes_are_tightened() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = dir.path().join("c.json");
        fs::write(&cfg, "old").expect("write");
        let bak = backup_path(&cfg, 0);
        fs::write(&bak, "older").expect("write");
        fs::set_permissions(&bak, Permissions::from_mode(0o644)).expect("chmod");
        let out = write_atomic(&cfg, "new", 4).expect("write_atomic");
        assert_eq!(
            out.backups,
            vec![backup_path(&cfg, 0), backup_path(&cfg, 1)]
        );
        assert_eq!(mode_of(&backup_path(&cfg, 1)), 0o600);
        assert_eq!(
            fs::read_to_string(backup_path(&cfg, 1)).expect("read"),
            "older"
        );
    }

    #[test]
    fn mode_0640_is_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = dir.path().join("c.json");
        fs::write(&cfg, "a").expect("write");
        fs::set_permissions(&cfg, Permissions::from_mode(0o640)).expect("chmod");
        write_atomic(&cfg, "b", 4).expect("write_atomic");
        assert_eq!(mode_of(&cfg), 0o640);
        assert_eq!(fs::read_to_string(&cfg).expect("read"), "b");
    }

    #[test]
    fn new_file_is_private_and_has_no_backup() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = dir.path().join("new.json");
        let out = write_atomic(&cfg, "{}", 4).expect("write_atomic");
        assert!(out.written && !out.existed);
        assert!(out.backups.is_empty());
        assert_eq!(mode_of(&cfg), 0o600);
    }

    #[test]
    fn zero_backups_keeps_none() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = dir.path().join("c.json");
        fs::write(&cfg, "a").expect("write");
        write_atomic(&cfg, "b", 0).expect("write_atomic");
        assert!(!backup_path(&cfg, 0).exists());
    }

    #[test]
    fn symlink_is_written_through_not_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real_dir = dir.path().join("real");
        fs::create_dir(&real_dir).expect("mkdir");
        let real = real_dir.join("openclaw.json");
        fs::write(&real, "old").expect("write");
        let link = dir.path().join("openclaw.json");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        let out = write_atomic(&link, "new", 4).expect("write_atomic");
        assert!(out.via_symlink && out.written);
        assert_eq!(out.path, fs::canonicalize(&real).expect("canon"));
        assert!(
            fs::symlink_metadata(&link)
                .expect("lstat")
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).expect("read"), "new");
        assert_eq!(
            fs::read_to_string(backup_path(&real, 0)).expect("bak"),
            "old"
        );
        assert!(!backup_path(&link, 0).exists());
    }

    #[test]
    fn directory_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = write_atomic(dir.path(), "x", 4).expect_err("dir");
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }
}
