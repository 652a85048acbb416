//! What the assurance checks (`dignity assure`, docs/assurance.md) and the benchmarks
//! (`dignity bench`) read back from a database to judge what a real server did: whether an
//! acknowledged concern or survey answer is there, whether anything is half written, and
//! every table's rows, to compare a restored copy with its original or to search for
//! anything that could identify a sender. Nothing here changes anything.
//!
//! The fresh databases they run on are [`ScratchDb`]s, the store's test databases.
//!
//! The table-wide reads (`SELECT *` over every table) learn their columns only when they
//! run, so they ask each value for its type with `try_get`; `query_as` needs the types up
//! front. The other reads are typed.

use crate::data::SqlError;
use crate::identity::Organisation;
use crate::{Db, Error};
use dignity_store::{speakup, survey, transfer};
use sha2::{Digest, Sha256};
use sqlx::{Column, Connection, Row};

pub use dignity_store::scratch::ScratchDb;

/// Whether a concern with this receipt lookup (`ReceiptCode::lookup`) is stored.
pub async fn concern_stored(db: &Db, receipt_lookup: &str) -> Result<bool, SqlError> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM cases WHERE receipt_lookup = $1")
        .bind(receipt_lookup)
        .fetch_optional(db.pool())
        .await?;
    Ok(found.is_some())
}

/// How many concerns are stored, in every organisation.
pub async fn concerns(db: &Db) -> Result<i64, SqlError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM cases")
        .fetch_one(db.pool())
        .await?)
}

/// How many of an organisation's concerns are stored.
pub async fn concerns_of(db: &Db, organisation: &Organisation) -> Result<usize, Error> {
    Ok(speakup::list_cases(db, organisation.id).await?.len())
}

/// Concerns not wholly written: without `seals` seals (the receipt's, the recovery key's
/// and one for each guardian) or without their text.
pub async fn half_written_concerns(db: &Db, seals: i64) -> Result<i64, SqlError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM cases c WHERE (SELECT COUNT(*) FROM case_seals s WHERE s.case_id = c.id) <> $1 \
         OR NOT EXISTS (SELECT 1 FROM case_entries e WHERE e.case_id = c.id)",
    )
    .bind(seals)
    .fetch_one(db.pool())
    .await?)
}

/// Whether the invitation code with this digest is still unused.
pub async fn code_unused(db: &Db, digest: &str) -> Result<bool, SqlError> {
    let unused: Option<i64> =
        sqlx::query_scalar("SELECT campaign_id FROM survey_tokens WHERE token_digest = $1")
            .bind(digest)
            .fetch_optional(db.pool())
            .await?;
    Ok(unused.is_some())
}

/// The campaign's codes not used yet, those of answers waiting for their batch included.
pub async fn codes_unused(db: &Db, campaign_id: i64) -> Result<u64, Error> {
    Ok(survey::unused_tokens(db, campaign_id).await?)
}

/// The campaign's response counter: how many responses it says are written.
pub async fn responses_counted(db: &Db, campaign_id: i64) -> Result<u64, Error> {
    Ok(survey::response_count(db, campaign_id).await?)
}

/// The campaign's responses as rows: (written, sealed and waiting for their batch).
pub async fn responses_stored(db: &Db, campaign_id: i64) -> Result<(i64, i64), SqlError> {
    let count = |table: &'static str| async move {
        sqlx::query_scalar::<_, i64>(&format!(
            "SELECT COUNT(*) FROM {table} WHERE campaign_id = $1"
        ))
        .bind(campaign_id)
        .fetch_one(db.pool())
        .await
    };
    Ok((
        count("survey_responses").await?,
        count("survey_pending").await?,
    ))
}

/// Each table's name, row count and a SHA-256 of all its values. Rows are hashed one by
/// one and the row hashes sorted, so the order rows come back in does not matter.
pub type Fingerprint = Vec<(String, i64, String)>;

/// The database's [`Fingerprint`].
pub async fn fingerprint(db: &Db) -> Result<Fingerprint, SqlError> {
    fingerprint_on(&mut *db.pool().acquire().await?).await
}

async fn fingerprint_on(connection: &mut sqlx::AnyConnection) -> Result<Fingerprint, SqlError> {
    let mut out = Vec::new();
    for table in transfer::table_names() {
        let rows = sqlx::query(&format!("SELECT * FROM {table}"))
            .fetch_all(&mut *connection)
            .await?;
        let mut row_hashes: Vec<String> = rows
            .iter()
            .map(|row| {
                let mut hash = Sha256::new();
                for column in row.columns() {
                    let i = column.ordinal();
                    let value = if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
                        format!("{v:?}")
                    } else if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
                        format!("{v:?}")
                    } else if let Ok(v) = row.try_get::<Option<String>, _>(i) {
                        format!("{v:?}")
                    } else if let Ok(v) = row.try_get::<Option<Vec<u8>>, _>(i) {
                        format!("{v:?}")
                    } else {
                        "?".to_owned()
                    };
                    hash.update(format!("{}={value}|", column.name()));
                }
                hex::encode(hash.finalize())
            })
            .collect();
        row_hashes.sort_unstable();
        let mut table_hash = Sha256::new();
        for h in &row_hashes {
            table_hash.update(h.as_bytes());
        }
        out.push((
            table.to_owned(),
            rows.len() as i64,
            hex::encode(table_hash.finalize()),
        ));
    }
    Ok(out)
}

/// A PostgreSQL snapshot held open on a connection of its own, exported so that `pg_dump
/// --snapshot` reads the same rows while the server keeps writing.
pub struct Snapshot {
    connection: sqlx::AnyConnection,
    name: String,
}

impl Snapshot {
    /// Opens a repeatable-read transaction on the database at `url` and exports its
    /// snapshot.
    pub async fn export(url: &str) -> Result<Snapshot, SqlError> {
        let mut connection = sqlx::AnyConnection::connect(url).await?;
        sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ")
            .execute(&mut connection)
            .await?;
        let name: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
            .fetch_one(&mut connection)
            .await?;
        Ok(Snapshot { connection, name })
    }

    /// The name `pg_dump --snapshot` takes.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The database's [`Fingerprint`] as the snapshot sees it.
    pub async fn fingerprint(&mut self) -> Result<Fingerprint, SqlError> {
        fingerprint_on(&mut self.connection).await
    }

    /// Ends the transaction and closes the connection.
    pub async fn finish(mut self) -> Result<(), SqlError> {
        sqlx::query("COMMIT").execute(&mut self.connection).await?;
        self.connection.close().await?;
        Ok(())
    }
}

/// A value in a table, as the anonymity check searches it: a whole number, or anything
/// else as text (binary values read as UTF-8, lossily; nulls and unreadable values as
/// empty text).
pub enum Cell {
    Number(i64),
    Text(String),
}

/// Shows `visit` every value in every table, with its table and column. Returns how many
/// tables were read.
pub async fn every_cell(
    db: &Db,
    mut visit: impl FnMut(&str, &str, Cell),
) -> Result<usize, SqlError> {
    let mut tables = 0;
    for table in transfer::table_names() {
        tables += 1;
        let rows = sqlx::query(&format!("SELECT * FROM {table}"))
            .fetch_all(db.pool())
            .await?;
        for row in &rows {
            for column in row.columns() {
                let i = column.ordinal();
                if let Ok(Some(n)) = row.try_get::<Option<i64>, _>(i) {
                    visit(table, column.name(), Cell::Number(n));
                    continue;
                }
                let text = row
                    .try_get::<Option<String>, _>(i)
                    .ok()
                    .flatten()
                    .or_else(|| {
                        row.try_get::<Option<Vec<u8>>, _>(i)
                            .ok()
                            .flatten()
                            .map(|b| String::from_utf8_lossy(&b).into_owned())
                    })
                    .unwrap_or_default();
                visit(table, column.name(), Cell::Text(text));
            }
        }
    }
    Ok(tables)
}
