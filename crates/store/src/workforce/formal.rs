//! Staff entering formal processes (WRES indicator 3, WDES metric 3), kept as counts for
//! an organisation and the last day of the period they cover. Importing the same day again
//! replaces that day's counts, in one transaction with its audit entry.
//!
//! Counts only: a row per person would keep who was disciplined. Once employee-relations
//! cases are kept in Dignity, the figures come from them instead.

use super::{Importer, Stored, insert_many};
use crate::audit::{self, NewEntry};
use crate::{Db, StoreError};
use dignity_domain::identity::InvalidValue;
use dignity_domain::speakup::Day;

/// How many staff of one ethnicity and disability entered one formal process in the
/// period ending on `as_at`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FormalCount {
    #[sqlx(try_from = "String")]
    pub as_at: Day,
    /// `disciplinary` or `capability` (on grounds of performance).
    pub process: String,
    pub ethnicity: String,
    pub disability: String,
    pub entered: i64,
}

/// Stores `counts` as the organisation's counts for `as_at`, replacing any kept for that
/// day, and audits it, all in one transaction. Every count must be for `as_at`.
/// `Stored::replaced` says whether counts were there before; there is no snapshot, so
/// `Stored::snapshot_id` is `None`.
pub async fn replace_formal(
    db: &Db,
    importer: Importer<'_>,
    organisation_id: i64,
    as_at: Day,
    now: i64,
    counts: &[FormalCount],
) -> Result<Stored, StoreError> {
    if counts.iter().any(|c| c.as_at != as_at) {
        return Err(StoreError::Invalid(InvalidValue::Message(
            "Every count must be for the day being imported",
        )));
    }
    let day = as_at.to_string();
    let imported_on = Day::from_unix_seconds(now).to_string();
    let mut tx = db.begin_write().await?;
    let replaced =
        sqlx::query("DELETE FROM workforce_formal WHERE organisation_id = $1 AND as_at = $2")
            .bind(organisation_id)
            .bind(day.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
    insert_many(
        &mut tx,
        db.backend(),
        "workforce_formal",
        &[
            "organisation_id",
            "as_at",
            "imported_on",
            "process",
            "ethnicity",
            "disability",
            "entered",
        ],
        counts,
        |q, c| {
            q.bind(organisation_id)
                .bind(c.as_at.to_string())
                .bind(imported_on.clone())
                .bind(c.process.as_str())
                .bind(c.ethnicity.as_str())
                .bind(c.disability.as_str())
                .bind(c.entered)
        },
    )
    .await?;
    let people: i64 = counts.iter().map(|c| c.entered).sum();
    let detail = format!(
        "Imported {} {} of staff entering formal processes ({people} {}) as at {}{}",
        counts.len(),
        if counts.len() == 1 { "row" } else { "rows" },
        if people == 1 { "person" } else { "people" },
        as_at.long(),
        if replaced {
            ", replacing the earlier import for that day"
        } else {
            ""
        }
    );
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor: importer.actor,
            organisation: Some(importer.ods_code),
            action: "workforce.import",
            detail: &detail,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Stored {
        snapshot_id: None,
        replaced,
    })
}

/// Every count the organisation has, newest day first, then by process, ethnicity and
/// disability.
pub async fn formal_counts(db: &Db, organisation_id: i64) -> Result<Vec<FormalCount>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT as_at, process, ethnicity, disability, entered FROM workforce_formal \
         WHERE organisation_id = $1 ORDER BY as_at DESC, process, ethnicity, disability",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?)
}

/// The days the organisation has counts for, newest first.
pub async fn formal_days(db: &Db, organisation_id: i64) -> Result<Vec<Day>, StoreError> {
    let days: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT as_at FROM workforce_formal WHERE organisation_id = $1 ORDER BY as_at DESC",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?;
    days.into_iter()
        .map(|day| {
            Day::parse(&day).map_err(|_| {
                StoreError::Corrupt(format!("workforce_formal holds the day {day}, not a date"))
            })
        })
        .collect()
}
