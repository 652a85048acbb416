//! Databases as a whole, for the operator: which kind a URL names, opening one (with
//! [`Db`]), copying every row from one database to another (`dignity migrate-data`), and a
//! consistent copy of a live SQLite database (`dignity backup`).

use crate::{Db, Error};
use dignity_store::transfer;

pub use dignity_store::transfer::TableCount;
pub use dignity_store::{Backend, DbOptions, redact_url};

/// The database driver's own error, shown as it is: what a backup or a check that talks to
/// the database directly ran into.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct SqlError(#[from] sqlx::Error);

/// Copies every row from `from` to `to`, both migrated, `to` holding no organisations or
/// people, in one transaction on the target, then checks each table's row count.
/// `progress` is told each table as it finishes.
pub async fn copy_all(
    from: &Db,
    to: &Db,
    progress: impl FnMut(&TableCount),
) -> Result<Vec<TableCount>, Error> {
    Ok(transfer::copy_all(from, to, progress).await?)
}

/// Writes a copy of a SQLite database to the file `target`, with `VACUUM INTO`: it reads
/// one consistent snapshot while the server keeps running.
pub async fn copy_sqlite(db: &Db, target: &str) -> Result<(), SqlError> {
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// SQLite's own check of a database file: `ok`, or what is wrong with it.
pub async fn integrity_check(db: &Db) -> Result<String, SqlError> {
    Ok(sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(db.pool())
        .await?)
}
