//! The agent workspace as a directory handle: every file operation resolves relative to the
//! workspace's dirfd with `openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)`, so `..`,
//! absolute symlinks and symlinks leading out are refused by the kernel, atomically. After
//! opening, `fstat` must show a regular file with one link (a hardlink passes every path
//! check, so it is refused here). Files are never truncated before that check; opens are
//! non-blocking so a FIFO cannot hang them. Removal, rename, listing and the no-change probes
//! `apply_patch` validates with are in `tree`.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::OwnedFd;
use std::path::{Component, Path, PathBuf};

use rustix::fs::{FileType, Mode, OFlags, ResolveFlags};

mod tree;

pub use tree::Listing;

/// Why a file operation was refused or failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FsError {
    /// The path leaves the workspace (lexically, or through a symlink / `..`).
    #[error("path is outside the workspace")]
    OutsideWorkspace,
    /// The target has more than one hard link.
    #[error("hardlinked files are refused")]
    Hardlinked,
    /// A symlink where none is followed (memory files, the parents of a removal or rename).
    #[error("symlinks are refused here")]
    Symlink,
    /// Not a regular file.
    #[error("not a regular file")]
    NotRegular,
    /// Larger than the cap.
    #[error("file is larger than {limit} bytes")]
    TooLarge {
        /// The cap.
        limit: u64,
    },
    /// Does not exist.
    #[error("no such file")]
    NotFound,
    /// `edit`: the old text is missing or not unique.
    #[error("{0}")]
    Edit(String),
    /// Anything else (the OS error text).
    #[error("{0}")]
    Io(String),
}

impl FsError {
    fn from_errno(e: rustix::io::Errno) -> FsError {
        match e {
            // EXDEV: RESOLVE_BENEATH refused an escape; ELOOP: a magic link.
            rustix::io::Errno::XDEV | rustix::io::Errno::LOOP => FsError::OutsideWorkspace,
            rustix::io::Errno::NOENT => FsError::NotFound,
            other => FsError::Io(other.to_string()),
        }
    }

    /// Whether this is a containment refusal (logged as a decision).
    pub fn is_policy(&self) -> bool {
        matches!(
            self,
            FsError::OutsideWorkspace | FsError::Hardlinked | FsError::Symlink
        )
    }

    /// The rule id for the decision log.
    pub fn rule(&self) -> &'static str {
        match self {
            FsError::OutsideWorkspace => "outside-workspace",
            FsError::Hardlinked => "hardlink",
            FsError::Symlink => "symlink",
            _ => "io",
        }
    }
}

const RESOLVE: ResolveFlags = ResolveFlags::BENEATH.union(ResolveFlags::NO_MAGICLINKS);
/// Beneath the root and no symlink anywhere on the path.
const RESOLVE_NO_SYMLINKS: ResolveFlags = RESOLVE.union(ResolveFlags::NO_SYMLINKS);

/// At most `limit` bytes of `file`, else [`FsError::TooLarge`].
fn read_capped(file: File, limit: u64) -> Result<Vec<u8>, FsError> {
    let mut out = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| FsError::Io(e.to_string()))?;
    if out.len() as u64 > limit {
        return Err(FsError::TooLarge { limit });
    }
    Ok(out)
}

/// An opened file must be a regular file with one link.
fn verify_file(fd: OwnedFd) -> Result<File, FsError> {
    let st = rustix::fs::fstat(&fd).map_err(FsError::from_errno)?;
    if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile {
        return Err(FsError::NotRegular);
    }
    if st.st_nlink > 1 {
        return Err(FsError::Hardlinked);
    }
    Ok(File::from(fd))
}

/// An open workspace.
#[derive(Debug)]
pub struct Workspace {
    root: PathBuf,
    dir: OwnedFd,
    home: PathBuf,
}

impl Workspace {
    /// Opens (and creates when missing) the workspace directory. `home` expands `~`.
    pub fn open(root: &Path, home: &Path) -> Result<Workspace, FsError> {
        std::fs::create_dir_all(root).map_err(|e| FsError::Io(e.to_string()))?;
        let root = std::fs::canonicalize(root).map_err(|e| FsError::Io(e.to_string()))?;
        let dir = rustix::fs::open(
            &root,
            OFlags::DIRECTORY | OFlags::RDONLY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(FsError::from_errno)?;
        Ok(Workspace {
            root,
            dir,
            home: home.to_path_buf(),
        })
    }

    /// The canonical root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path relative to the root, as the model wrote it: a leading `@` is dropped,
    /// Unicode spaces become ASCII spaces, `~` is the home, absolute paths must be under
    /// the root, and `..` may not climb above it. `None` = outside (or the root itself).
    pub fn relative(&self, raw: &str) -> Option<PathBuf> {
        let raw = raw.strip_prefix('@').unwrap_or(raw);
        let raw: String = raw
            .chars()
            .map(|c| match c {
                '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => ' ',
                c => c,
            })
            .collect();
        let path = if raw == "~" {
            self.home.clone()
        } else if let Some(rest) = raw.strip_prefix("~/") {
            self.home.join(rest)
        } else {
            PathBuf::from(&raw)
        };
        let rel = if path.is_absolute() {
            path.strip_prefix(&self.root).ok()?.to_path_buf()
        } else {
            path
        };
        let mut out = PathBuf::new();
        for c in rel.components() {
            match c {
                Component::Normal(n) => out.push(n),
                Component::CurDir => {}
                Component::ParentDir => {
                    if !out.pop() {
                        return None;
                    }
                }
                Component::RootDir | Component::Prefix(_) => return None,
            }
        }
        if out.as_os_str().is_empty() {
            return None;
        }
        Some(out)
    }

    fn open_file(&self, rel: &Path, flags: OFlags, mode: Mode) -> Result<File, FsError> {
        self.open_file_with(rel, flags, mode, RESOLVE)
            .map_err(FsError::from_errno)
            .and_then(verify_file)
    }

    /// `openat2` under the root; `O_NONBLOCK` so that a FIFO planted in the workspace cannot
    /// hang the open (it is then refused as not regular).
    fn open_file_with(
        &self,
        rel: &Path,
        flags: OFlags,
        mode: Mode,
        resolve: ResolveFlags,
    ) -> rustix::io::Result<OwnedFd> {
        rustix::fs::openat2(
            &self.dir,
            rel,
            flags | OFlags::CLOEXEC | OFlags::NOCTTY | OFlags::NONBLOCK,
            mode,
            resolve,
        )
    }

    /// Reads a file (at most `limit` bytes, else [`FsError::TooLarge`]).
    pub fn read(&self, raw: &str, limit: u64) -> Result<Vec<u8>, FsError> {
        let rel = self.relative(raw).ok_or(FsError::OutsideWorkspace)?;
        read_capped(self.open_file(&rel, OFlags::RDONLY, Mode::empty())?, limit)
    }

    /// Creates the parent directories of `rel` one component at a time, never following a
    /// symlink.
    fn make_parents(&self, rel: &Path) -> Result<(), FsError> {
        let Some(parent) = rel.parent() else {
            return Ok(());
        };
        let mut prefix = PathBuf::new();
        for c in parent.components() {
            prefix.push(c);
            let open = |p: &Path| {
                rustix::fs::openat2(
                    &self.dir,
                    p,
                    OFlags::DIRECTORY | OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOFOLLOW,
                    Mode::empty(),
                    RESOLVE | ResolveFlags::NO_SYMLINKS,
                )
            };
            match open(&prefix) {
                Ok(_) => {}
                Err(rustix::io::Errno::NOENT) => {
                    // The parent of `prefix` was just opened without following symlinks,
                    // and `mkdirat` does not follow a final symlink.
                    match rustix::fs::mkdirat(&self.dir, &prefix, Mode::from_raw_mode(0o755)) {
                        Ok(()) | Err(rustix::io::Errno::EXIST) => {}
                        Err(e) => return Err(FsError::from_errno(e)),
                    }
                    open(&prefix).map_err(FsError::from_errno)?;
                }
                Err(rustix::io::Errno::NOTDIR | rustix::io::Errno::LOOP)
                    if self.is_symlink(&prefix) =>
                {
                    // Parents are never followed through symlinks.
                    return Err(FsError::OutsideWorkspace);
                }
                Err(e) => return Err(FsError::from_errno(e)),
            }
        }
        Ok(())
    }

    fn is_symlink(&self, rel: &Path) -> bool {
        rustix::fs::statat(&self.dir, rel, rustix::fs::AtFlags::SYMLINK_NOFOLLOW)
            .is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Symlink)
    }

    /// Writes (creates or replaces the content of) a file.
    pub fn write(&self, raw: &str, content: &[u8]) -> Result<(), FsError> {
        let rel = self.relative(raw).ok_or(FsError::OutsideWorkspace)?;
        self.make_parents(&rel)?;
        let mut file = self.open_file(
            &rel,
            OFlags::WRONLY | OFlags::CREATE,
            Mode::from_raw_mode(0o644),
        )?;
        file.set_len(0).map_err(|e| FsError::Io(e.to_string()))?;
        file.write_all(content)
            .map_err(|e| FsError::Io(e.to_string()))
    }

    /// Replaces the one occurrence of `old` by `new`.
    pub fn edit(&self, raw: &str, old: &str, new: &str, limit: u64) -> Result<(), FsError> {
        let rel = self.relative(raw).ok_or(FsError::OutsideWorkspace)?;
        let mut file = self.open_file(&rel, OFlags::RDWR, Mode::empty())?;
        let mut text = String::new();
        (&mut file)
            .take(limit + 1)
            .read_to_string(&mut text)
            .map_err(|e| FsError::Io(e.to_string()))?;
        if text.len() as u64 > limit {
            return Err(FsError::TooLarge { limit });
        }
        if old.is_empty() {
            return Err(FsError::Edit("oldText is empty".into()));
        }
        match text.matches(old).count() {
            0 => return Err(FsError::Edit("oldText not found".into())),
            1 => {}
            n => {
                return Err(FsError::Edit(format!(
                    "oldText occurs {n} times; make it unique"
                )));
            }
        }
        let updated = text.replacen(old, new, 1);
        file.seek(SeekFrom::Start(0))
            .and_then(|_| file.set_len(0))
            .and_then(|()| file.write_all(updated.as_bytes()))
            .map_err(|e| FsError::Io(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workspace in a temp dir (also used by `tree`'s tests).
    pub(super) fn ws() -> (tempfile::TempDir, Workspace) {
        let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let w = Workspace::open(&d.path().join("ws"), d.path()).unwrap_or_else(|e| panic!("{e}"));
        (d, w)
    }

    #[test]
    fn relative_paths() {
        let (_d, w) = ws();
        assert_eq!(w.relative("@notes/a.md"), Some(PathBuf::from("notes/a.md")));
        assert_eq!(
            w.relative("notes\u{00A0}a.md"),
            Some(PathBuf::from("notes a.md"))
        );
        assert_eq!(w.relative("../etc/passwd"), None);
        assert_eq!(w.relative("/etc/passwd"), None);
        assert_eq!(w.relative("@/etc/passwd"), None);
        assert_eq!(w.relative("~/.ssh/id_rsa"), None);
        let inside = w.root().join("x/y.txt");
        assert_eq!(
            w.relative(&inside.to_string_lossy()),
            Some(PathBuf::from("x/y.txt"))
        );
    }

    #[test]
    fn symlink_out_and_hardlink_are_refused() {
        let (d, w) = ws();
        let outside = d.path().join("secret.txt");
        std::fs::write(&outside, "s").unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::symlink(&outside, w.root().join("abs"))
            .unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::symlink("../secret.txt", w.root().join("rel"))
            .unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::symlink(d.path(), w.root().join("dirlink"))
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::hard_link(&outside, w.root().join("hard")).unwrap_or_else(|e| panic!("{e}"));
        for p in ["abs", "rel", "dirlink/secret.txt"] {
            assert_eq!(w.read(p, 100), Err(FsError::OutsideWorkspace), "{p}");
            assert_eq!(w.write(p, b"x"), Err(FsError::OutsideWorkspace), "{p}");
        }
        assert_eq!(
            w.write("dirlink/new.txt", b"x"),
            Err(FsError::OutsideWorkspace)
        );
        assert_eq!(w.read("hard", 100), Err(FsError::Hardlinked));
        assert_eq!(w.write("hard", b"pwned"), Err(FsError::Hardlinked));
        assert_eq!(
            std::fs::read_to_string(&outside).unwrap_or_default(),
            "s",
            "not truncated"
        );
    }

    #[test]
    fn write_read_edit_round_trip() {
        let (_d, w) = ws();
        w.write("a/b/c.txt", b"hello world")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(w.read("a/b/c.txt", 100).ok(), Some(b"hello world".to_vec()));
        w.edit("a/b/c.txt", "world", "there", 100)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(w.read("a/b/c.txt", 100).ok(), Some(b"hello there".to_vec()));
        assert_eq!(w.read("a/b/c.txt", 3), Err(FsError::TooLarge { limit: 3 }));
        assert!(matches!(
            w.edit("a/b/c.txt", "zzz", "y", 100),
            Err(FsError::Edit(_))
        ));
    }
}
