//! Reading one config file safely: regular files only (a FIFO would block the loader), a size
//! limit enforced while reading (the file may grow after `stat`), UTF-8 only, a leading BOM
//! dropped, and optionally no hard links (a hard link passes every path-containment check).

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Why a file was not read.
#[derive(Debug)]
pub(crate) enum ReadError {
    Io(std::io::Error),
    NotRegular,
    HardLinked(u64),
    TooLarge { limit: u64 },
    NotUtf8,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::NotRegular => write!(f, "is not a regular file"),
            ReadError::HardLinked(n) => write!(
                f,
                "is hard-linked ({n} names point to the same file), so its real location cannot be \
                 trusted; copy it instead of linking"
            ),
            ReadError::TooLarge { limit } => {
                write!(f, "is larger than the limit of {limit} bytes")
            }
            ReadError::NotUtf8 => write!(f, "is not valid UTF-8 text"),
        }
    }
}

impl ReadError {
    /// As an `io::Error` (for [`crate::ConfigError::Io`]).
    pub fn into_io(self) -> std::io::Error {
        match self {
            ReadError::Io(e) => e,
            ReadError::NotUtf8 => {
                std::io::Error::new(std::io::ErrorKind::InvalidData, self.to_string())
            }
            other => std::io::Error::other(other.to_string()),
        }
    }
}

/// Reads `path` as UTF-8 text of at most `max_bytes` bytes.
pub(crate) fn read_config_file(
    path: &Path,
    max_bytes: u64,
    reject_hard_links: bool,
) -> Result<String, ReadError> {
    // Check before opening: opening a FIFO for reading blocks.
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    check(&meta, max_bytes, reject_hard_links)?;
    let file = File::open(path).map_err(ReadError::Io)?;
    // And again on the handle actually read, in case the path was swapped in between.
    check(
        &file.metadata().map_err(ReadError::Io)?,
        max_bytes,
        reject_hard_links,
    )?;
    let mut bytes = Vec::new();
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if u64::try_from(bytes.len()).map_or(true, |n| n > max_bytes) {
        return Err(ReadError::TooLarge { limit: max_bytes });
    }
    let text = String::from_utf8(bytes).map_err(|_| ReadError::NotUtf8)?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

fn check(
    meta: &std::fs::Metadata,
    max_bytes: u64,
    reject_hard_links: bool,
) -> Result<(), ReadError> {
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    if reject_hard_links {
        let links = link_count(meta);
        if links > 1 {
            return Err(ReadError::HardLinked(links));
        }
    }
    if meta.len() > max_bytes {
        return Err(ReadError::TooLarge { limit: max_bytes });
    }
    Ok(())
}

#[cfg(unix)]
fn link_count(meta: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.nlink()
}

#[cfg(not(unix))]
fn link_count(_meta: &std::fs::Metadata) -> u64 {
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_kinds() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.json5");
        std::fs::write(&file, "\u{feff}{a: 1}").unwrap();
        assert_eq!(read_config_file(&file, 100, true).unwrap(), "{a: 1}");
        assert!(matches!(
            read_config_file(&file, 3, true),
            Err(ReadError::TooLarge { limit: 3 })
        ));
        assert!(matches!(
            read_config_file(dir.path(), 100, true),
            Err(ReadError::NotRegular)
        ));
        std::fs::write(&file, [0xff, 0xfe]).unwrap();
        assert!(matches!(
            read_config_file(&file, 100, true),
            Err(ReadError::NotUtf8)
        ));
        #[cfg(unix)]
        {
            std::fs::write(&file, "{}").unwrap();
            std::fs::hard_link(&file, dir.path().join("b.json5")).unwrap();
            assert!(matches!(
                read_config_file(&file, 100, true),
                Err(ReadError::HardLinked(2))
            ));
            assert!(read_config_file(&file, 100, false).is_ok());
        }
    }
}
