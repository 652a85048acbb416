//! The file that keeps the installation secret when the settings do not hold it.
//!
//! It sits beside a SQLite database by default so a single-organisation installation needs
//! no set-up, but it is a separate file on purpose: `dignity backup` copies the database
//! and not this file, so a stolen backup or database copy does not carry the secret.

use crate::config::ConfigError;
use dignity_crypto::secret::InstallationSecret;
use std::io::Write;
use std::path::{Path, PathBuf};

pub enum SqliteFile {
    InMemory,
    Path(PathBuf),
}

/// The file a SQLite URL names, or None for other databases.
pub fn sqlite_file(url: &str) -> Option<SqliteFile> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path.contains(":memory:") || url.contains("mode=memory") {
        return Some(SqliteFile::InMemory);
    }
    Some(SqliteFile::Path(PathBuf::from(path)))
}

/// Reads the secret from `path`, or makes a new one there (readable by its owner only)
/// when the file does not exist yet.
pub fn read_or_create(path: &Path) -> Result<InstallationSecret, ConfigError> {
    let unreadable = |e: std::io::Error| ConfigError::Unreadable {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    match std::fs::read_to_string(path) {
        Ok(text) => InstallationSecret::from_hex(&text).ok_or_else(|| ConfigError::BadFile {
            path: path.display().to_string(),
            reason: "must hold the installation secret: 64 hexadecimal characters".into(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let secret = InstallationSecret::generate();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            match options.open(path) {
                Ok(mut file) => {
                    file.write_all(secret.to_hex().as_bytes())
                        .and_then(|()| file.sync_all())
                        .map_err(unreadable)?;
                    Ok(secret)
                }
                // Another process made it first: use theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_or_create(path),
                Err(e) => Err(unreadable(e)),
            }
        }
        Err(e) => Err(unreadable(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_secret_is_made_once_then_read_back() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        let path = dir.path().join("dignity.db.secret");
        let first = read_or_create(&path).unwrap_or_else(|e| panic!("{e}"));
        let second = read_or_create(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(*first.derive("x"), *second.derive("x"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .unwrap_or_else(|e| panic!("{e}"))
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "nobody but the owner may read it");
        }
        std::fs::write(&path, "not a secret").unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            read_or_create(&path),
            Err(ConfigError::BadFile { .. })
        ));
    }

    #[test]
    fn sqlite_urls_name_their_file() {
        let file = |url: &str| match sqlite_file(url) {
            Some(SqliteFile::Path(p)) => Some(p),
            _ => None,
        };
        assert_eq!(
            file("sqlite://dignity.db"),
            Some(PathBuf::from("dignity.db"))
        );
        assert_eq!(
            file("sqlite:///var/lib/dignity/d.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/dignity/d.db"))
        );
        assert!(matches!(
            sqlite_file("sqlite::memory:"),
            Some(SqliteFile::InMemory)
        ));
        assert!(sqlite_file("postgres://postgres@127.0.0.1/x").is_none());
    }
}
