//! Explicit, umask-independent modes: directories 0700, files 0600, set and then verified.

use std::fs;
use std::io::ErrorKind;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;

/// Mode of hardclaw's private directories.
pub const DIR_MODE: u32 = 0o700;
/// Mode of hardclaw's private files.
pub const FILE_MODE: u32 = 0o600;

/// Why a mode could not be set: the action and the OS error, or the mode found afterwards.
#[derive(Debug)]
pub enum ModeError {
    Io(&'static str, std::io::Error),
    Mismatch(u32),
}

/// Creates `dir` (and parents) if missing, then sets and verifies `DIR_MODE` on it.
pub fn ensure_private_dir(dir: &Path) -> Result<(), ModeError> {
    match fs::DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)
    {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
        Err(e) => return Err(ModeError::Io("cannot create", e)),
    }
    set_mode(dir, DIR_MODE)
}

/// Sets `mode` on `path` (not following a final symlink's target is not possible with std; the
/// callers create these paths themselves) and verifies it.
pub fn set_mode(path: &Path, mode: u32) -> Result<(), ModeError> {
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .map_err(|e| ModeError::Io("cannot chmod", e))?;
    let got = fs::metadata(path)
        .map_err(|e| ModeError::Io("cannot stat", e))?
        .permissions()
        .mode()
        & 0o7777;
    if got == mode {
        Ok(())
    } else {
        Err(ModeError::Mismatch(got))
    }
}
