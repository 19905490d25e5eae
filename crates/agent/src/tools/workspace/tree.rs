//! Directory-level operations on the workspace, for `apply_patch` and the memory tools: each
//! resolves a parent directory relative to the workspace dirfd with `openat2(RESOLVE_BENEATH |
//! RESOLVE_NO_SYMLINKS)` and then acts on one name inside it (`unlinkat`, `renameat`,
//! `readdir`), so no pathname is ever re-resolved between the check and the act.
//!
//! * [`Workspace::remove`] unlinks a regular file (one link) or a symlink itself — never its
//!   target, never a directory.
//! * [`Workspace::rename`] moves a regular file (one link); the destination's parents are
//!   created without following symlinks; an existing destination entry is replaced, not
//!   written through.
//! * [`Workspace::list_files`] walks a directory without following symlinks (symlinks and
//!   special files are skipped), with depth and count caps.
//! * `probe_*` answer "would this succeed now?" without changing anything, so that a
//!   multi-file change can be validated completely before its first write.

use std::ffi::OsStr;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Mode, OFlags};

use super::{FsError, RESOLVE, RESOLVE_NO_SYMLINKS, Workspace, verify_file};

/// What [`Workspace::list_files`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// Regular files, relative to the root, sorted.
    pub files: Vec<PathBuf>,
    /// The count cap was reached (more files exist).
    pub truncated: bool,
}

impl Workspace {
    /// Opens directory `rel` (the root when empty) with no symlink anywhere on the path.
    fn open_dir_no_symlinks(&self, rel: &Path) -> Result<OwnedFd, FsError> {
        let rel = if rel.as_os_str().is_empty() {
            Path::new(".")
        } else {
            rel
        };
        rustix::fs::openat2(
            &self.dir,
            rel,
            OFlags::DIRECTORY | OFlags::RDONLY | OFlags::CLOEXEC,
            Mode::empty(),
            RESOLVE_NO_SYMLINKS,
        )
        .map_err(|e| match e {
            rustix::io::Errno::LOOP => FsError::Symlink,
            e => FsError::from_errno(e),
        })
    }

    /// The parent directory of `rel` (opened as in [`Self::open_dir_no_symlinks`]; a
    /// symlinked parent counts as leaving the workspace, as for `write`) and the last name.
    fn open_parent<'a>(&self, rel: &'a Path) -> Result<(OwnedFd, &'a OsStr), FsError> {
        let name = rel.file_name().ok_or(FsError::OutsideWorkspace)?;
        let parent = rel.parent().unwrap_or(Path::new(""));
        let dir = self.open_dir_no_symlinks(parent).map_err(|e| match e {
            FsError::Symlink => FsError::OutsideWorkspace,
            e => e,
        })?;
        Ok((dir, name))
    }

    /// Reads the file at `rel` (already normalised by [`Workspace::relative`]) refusing a
    /// symlink anywhere on the path ([`FsError::Symlink`]), at most `limit` bytes.
    pub fn read_no_symlinks(&self, rel: &Path, limit: u64) -> Result<Vec<u8>, FsError> {
        let fd = self
            .open_file_with(rel, OFlags::RDONLY, Mode::empty(), RESOLVE_NO_SYMLINKS)
            .map_err(|e| match e {
                rustix::io::Errno::LOOP => FsError::Symlink,
                e => FsError::from_errno(e),
            })?;
        super::read_capped(verify_file(fd)?, limit)
    }

    /// Regular files below directory `rel` (recursively, at most `max_depth` levels below it,
    /// at most `max_files`), never following a symlink. A missing directory is empty.
    pub fn list_files(
        &self,
        rel: &Path,
        max_depth: usize,
        max_files: usize,
    ) -> Result<Listing, FsError> {
        let mut out = Listing::default();
        let mut pending = vec![(rel.to_path_buf(), 0usize)];
        while let Some((dir_rel, depth)) = pending.pop() {
            let fd = match self.open_dir_no_symlinks(&dir_rel) {
                Ok(fd) => fd,
                Err(FsError::NotFound) if dir_rel == rel => return Ok(out),
                Err(e) => return Err(e),
            };
            let dir = rustix::fs::Dir::new(fd).map_err(FsError::from_errno)?;
            let mut names = Vec::new();
            for entry in dir {
                let entry = entry.map_err(FsError::from_errno)?;
                let name = OsStr::from_bytes(entry.file_name().to_bytes()).to_os_string();
                if name == "." || name == ".." {
                    continue;
                }
                let mut kind = entry.file_type();
                if kind == FileType::Unknown {
                    // Some filesystems do not fill d_type.
                    kind = rustix::fs::statat(
                        &self.dir,
                        dir_rel.join(&name),
                        AtFlags::SYMLINK_NOFOLLOW,
                    )
                    .map(|st| FileType::from_raw_mode(st.st_mode))
                    .unwrap_or(FileType::Unknown);
                }
                names.push((name, kind));
            }
            names.sort_by(|a, b| a.0.cmp(&b.0));
            for (name, kind) in names {
                let path = dir_rel.join(&name);
                match kind {
                    FileType::RegularFile => {
                        if out.files.len() >= max_files {
                            out.truncated = true;
                            break;
                        }
                        out.files.push(path);
                    }
                    FileType::Directory if depth < max_depth => pending.push((path, depth + 1)),
                    _ => {}
                }
            }
            if out.truncated {
                break;
            }
        }
        out.files.sort();
        Ok(out)
    }

    /// Checks (`commit: false`) or performs the removal of `rel`.
    fn removal(&self, rel: &Path, commit: bool) -> Result<(), FsError> {
        let (parent, name) = self.open_parent(rel)?;
        let st = rustix::fs::statat(&parent, name, AtFlags::SYMLINK_NOFOLLOW)
            .map_err(FsError::from_errno)?;
        match FileType::from_raw_mode(st.st_mode) {
            FileType::RegularFile if st.st_nlink > 1 => return Err(FsError::Hardlinked),
            FileType::RegularFile | FileType::Symlink => {}
            _ => return Err(FsError::NotRegular),
        }
        if commit {
            // A directory swapped in meanwhile fails with EISDIR: unlinkat without
            // AT_REMOVEDIR removes files and links only.
            rustix::fs::unlinkat(&parent, name, AtFlags::empty()).map_err(FsError::from_errno)?;
        }
        Ok(())
    }

    /// Removes a file (or a symlink itself, never its target).
    pub fn remove(&self, raw: &str) -> Result<(), FsError> {
        let rel = self.relative(raw).ok_or(FsError::OutsideWorkspace)?;
        self.removal(&rel, true)
    }

    /// Whether [`Workspace::remove`] of `raw` would succeed now.
    pub fn probe_remove(&self, raw: &str) -> Result<(), FsError> {
        let rel = self.relative(raw).ok_or(FsError::OutsideWorkspace)?;
        self.removal(&rel, false)
    }

    /// The parent and name of a file that may be renamed: a regular file with one link, no
    /// symlink on the path.
    fn rename_source<'a>(&self, from: &'a Path) -> Result<(OwnedFd, &'a OsStr), FsError> {
        let (dir, name) = self.open_parent(from)?;
        let st = rustix::fs::statat(&dir, name, AtFlags::SYMLINK_NOFOLLOW)
            .map_err(FsError::from_errno)?;
        if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile {
            return Err(FsError::NotRegular);
        }
        if st.st_nlink > 1 {
            return Err(FsError::Hardlinked);
        }
        Ok((dir, name))
    }

    /// Whether [`Workspace::rename`] could move `raw` away now. Together with
    /// [`Workspace::probe_write`] of the destination (stricter than the rename needs: a link
    /// there would be replaced, not followed) a passing probe means the rename will pass.
    pub fn probe_rename_source(&self, raw: &str) -> Result<(), FsError> {
        let from = self.relative(raw).ok_or(FsError::OutsideWorkspace)?;
        self.rename_source(&from).map(drop)
    }

    /// Moves the regular file `from` to `to`, creating `to`'s parents.
    pub fn rename(&self, from: &str, to: &str) -> Result<(), FsError> {
        let from = self.relative(from).ok_or(FsError::OutsideWorkspace)?;
        let to = self.relative(to).ok_or(FsError::OutsideWorkspace)?;
        let (src_dir, src_name) = self.rename_source(&from)?;
        self.make_parents(&to)?;
        let (dst_dir, dst_name) = self.open_parent(&to)?;
        if let Ok(st) = rustix::fs::statat(&dst_dir, dst_name, AtFlags::SYMLINK_NOFOLLOW)
            && FileType::from_raw_mode(st.st_mode) == FileType::Directory
        {
            return Err(FsError::NotRegular);
        }
        rustix::fs::renameat(&src_dir, src_name, &dst_dir, dst_name).map_err(FsError::from_errno)
    }

    /// Whether [`Workspace::write`] of `raw` would succeed now (as far as containment and
    /// file type go): every existing parent a real directory, the file absent or a regular
    /// file with one link. Creates nothing.
    pub fn probe_write(&self, raw: &str) -> Result<(), FsError> {
        let rel = self.relative(raw).ok_or(FsError::OutsideWorkspace)?;
        let mut prefix = PathBuf::new();
        for c in rel.parent().into_iter().flat_map(Path::components) {
            prefix.push(c);
            match rustix::fs::openat2(
                &self.dir,
                &prefix,
                OFlags::DIRECTORY | OFlags::RDONLY | OFlags::CLOEXEC,
                Mode::empty(),
                RESOLVE_NO_SYMLINKS,
            ) {
                Ok(_) => {}
                // Created by the write; nothing below it exists yet.
                Err(rustix::io::Errno::NOENT) => return Ok(()),
                Err(rustix::io::Errno::NOTDIR | rustix::io::Errno::LOOP)
                    if self.is_symlink(&prefix) =>
                {
                    return Err(FsError::OutsideWorkspace);
                }
                Err(e) => return Err(FsError::from_errno(e)),
            }
        }
        // openat2 refuses O_PATH with any flag but O_CLOEXEC/O_DIRECTORY/O_NOFOLLOW.
        match rustix::fs::openat2(
            &self.dir,
            &rel,
            OFlags::PATH | OFlags::CLOEXEC,
            Mode::empty(),
            RESOLVE,
        ) {
            Ok(fd) => verify_file(fd).map(drop),
            Err(rustix::io::Errno::NOENT) => Ok(()),
            Err(e) => Err(FsError::from_errno(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::ws;
    use super::*;

    #[test]
    fn remove_unlinks_files_and_links_but_never_targets_or_directories() {
        let (d, w) = ws();
        let outside = d.path().join("outside.txt");
        std::fs::write(&outside, "keep").unwrap_or_else(|e| panic!("{e}"));
        w.write("a/b.txt", b"x").unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::symlink(&outside, w.root().join("link"))
            .unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::symlink(d.path(), w.root().join("dirlink"))
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::hard_link(&outside, w.root().join("hard")).unwrap_or_else(|e| panic!("{e}"));

        assert_eq!(w.probe_remove("a/b.txt"), Ok(()));
        assert_eq!(w.remove("a/b.txt"), Ok(()));
        assert!(!w.root().join("a/b.txt").exists());
        assert_eq!(w.remove("a/b.txt"), Err(FsError::NotFound));
        assert_eq!(w.remove("link"), Ok(()), "the link itself");
        assert_eq!(w.remove("a"), Err(FsError::NotRegular));
        assert_eq!(
            w.remove("dirlink/outside.txt"),
            Err(FsError::OutsideWorkspace)
        );
        assert_eq!(w.remove("hard"), Err(FsError::Hardlinked));
        assert_eq!(w.remove("../outside.txt"), Err(FsError::OutsideWorkspace));
        assert_eq!(
            std::fs::read_to_string(&outside).unwrap_or_default(),
            "keep"
        );
    }

    #[test]
    fn rename_stays_inside_and_refuses_links() {
        let (d, w) = ws();
        w.write("a.txt", b"a").unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::symlink(d.path(), w.root().join("out"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(w.probe_rename_source("a.txt"), Ok(()));
        assert_eq!(w.probe_write("x/y/b.txt"), Ok(()));
        assert!(!w.root().join("x").exists(), "the probe creates nothing");
        assert_eq!(w.rename("a.txt", "x/y/b.txt"), Ok(()));
        assert_eq!(
            std::fs::read_to_string(w.root().join("x/y/b.txt")).unwrap_or_default(),
            "a"
        );
        assert_eq!(
            w.rename("x/y/b.txt", "out/stolen.txt"),
            Err(FsError::OutsideWorkspace)
        );
        assert_eq!(
            w.rename("x/y/b.txt", "../stolen.txt"),
            Err(FsError::OutsideWorkspace)
        );
        assert!(!d.path().join("stolen.txt").exists());
        std::fs::hard_link(w.root().join("x/y/b.txt"), d.path().join("h"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(w.rename("x/y/b.txt", "c.txt"), Err(FsError::Hardlinked));
        std::os::unix::fs::symlink("c.txt", w.root().join("l")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(w.probe_rename_source("l"), Err(FsError::NotRegular));
    }

    #[test]
    fn probe_write_sees_what_write_would_refuse() {
        let (d, w) = ws();
        std::os::unix::fs::symlink(d.path(), w.root().join("out"))
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(d.path().join("o.txt"), "o").unwrap_or_else(|e| panic!("{e}"));
        std::fs::hard_link(d.path().join("o.txt"), w.root().join("h"))
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir(w.root().join("dir")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(w.probe_write("new/deep/file.txt"), Ok(()));
        assert!(!w.root().join("new").exists(), "nothing created");
        assert_eq!(w.probe_write("out/x.txt"), Err(FsError::OutsideWorkspace));
        assert_eq!(w.probe_write("h"), Err(FsError::Hardlinked));
        assert_eq!(w.probe_write("dir"), Err(FsError::NotRegular));
        assert_eq!(w.probe_write("../x"), Err(FsError::OutsideWorkspace));
    }

    #[test]
    fn listing_skips_symlinks_and_specials_and_caps() {
        let (d, w) = ws();
        w.write("memory/a.md", b"a")
            .unwrap_or_else(|e| panic!("{e}"));
        w.write("memory/sub/b.md", b"b")
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(d.path().join("secret.md"), "s").unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::symlink(d.path().join("secret.md"), w.root().join("memory/link.md"))
            .unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::symlink(d.path(), w.root().join("memory/outdir"))
            .unwrap_or_else(|e| panic!("{e}"));
        let l = w
            .list_files(Path::new("memory"), 4, 100)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            l.files,
            vec![
                PathBuf::from("memory/a.md"),
                PathBuf::from("memory/sub/b.md")
            ]
        );
        assert!(!l.truncated);
        let l = w
            .list_files(Path::new("memory"), 4, 1)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(l.files.len(), 1);
        assert!(l.truncated);
        let l = w
            .list_files(Path::new("memory"), 0, 100)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(l.files, vec![PathBuf::from("memory/a.md")]);
        assert_eq!(
            w.list_files(Path::new("nothing"), 4, 100),
            Ok(Listing::default())
        );
        std::os::unix::fs::symlink(d.path(), w.root().join("mem2"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            w.list_files(Path::new("mem2"), 4, 100),
            Err(FsError::Symlink)
        );
        assert_eq!(
            w.read_no_symlinks(Path::new("memory/link.md"), 100),
            Err(FsError::Symlink)
        );
        assert_eq!(
            w.read_no_symlinks(Path::new("memory/a.md"), 100),
            Ok(b"a".to_vec())
        );
    }
}
