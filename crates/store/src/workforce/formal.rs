//! Staff entering formal processes (WRES indicator 3, WDES metric 3), kept as counts for
//! an organisation and the last day of the period they cover. Importing the same day again
//! replaces that day's counts, in one transaction with its audit entry.
//!
//! Counts only: a row per person would keep who was disciplined. And sealed by the caller,
//! a record an organisation and day: a count of one is one person (their organisation,
//! year, process, ethnicity and disability). Once employee-relations cases are kept in
//! Dignity, the figures come from them instead.

use super::{Checked, Importer, Stored, TooClose, ask, check_remembered};
use crate::audit::{self, NewEntry};
use crate::{Db, StoreError};
use dignity_domain::speakup::Day;

/// How many staff of one ethnicity and disability entered one formal process in the
/// period ending on `as_at`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct FormalCount {
    #[sqlx(try_from = "String")]
    #[serde(with = "day_text")]
    pub as_at: Day,
    /// `disciplinary` or `capability` (on grounds of performance).
    pub process: String,
    pub ethnicity: String,
    pub disability: String,
    pub entered: i64,
}

/// A day as its `YYYY-MM-DD` text in a sealed record.
mod day_text {
    use dignity_domain::speakup::Day;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(day: &Day, to: S) -> Result<S::Ok, S::Error> {
        to.serialize_str(&day.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(from: D) -> Result<Day, D::Error> {
        let text = String::deserialize(from)?;
        Day::parse(&text).map_err(|_| serde::de::Error::custom(format!("{text} is not a day")))
    }
}

/// Stores `sealed` (the caller's sealed counts) as the organisation's counts for `as_at`,
/// replacing any kept for that day, and audits it, all in one transaction.
/// `Stored::replaced` says whether counts were there before; there is no snapshot, so
/// `Stored::snapshot_id` is `None`. The audit entry says no count: a small one would be
/// one person.
pub async fn replace_formal(
    db: &Db,
    importer: Importer<'_>,
    organisation_id: i64,
    as_at: Day,
    now: i64,
    sealed: &[u8],
    too_close: &TooClose<'_>,
) -> Result<Stored, StoreError> {
    let day = as_at.to_string();
    let imported_on = Day::from_unix_seconds(now).to_string();
    // As snapshots are ([`super::replace`]): compared before the write lock, and again
    // inside it with whatever was kept meanwhile.
    let mut checked = Checked::new(as_at);
    {
        let mut conn = db.pool().acquire().await?;
        check_seen(&mut conn, organisation_id, too_close, &mut checked).await?;
    }
    let mut tx = db.begin_write().await?;
    sqlx::query(&format!(
        "SELECT id FROM organisations WHERE id = $1{}",
        db.lock_rows()
    ))
    .bind(organisation_id)
    .fetch_optional(&mut *tx)
    .await?;
    check_seen(&mut tx, organisation_id, too_close, &mut checked).await?;
    let held_beside = checked.too_close;
    super::refuse_a_held_correction(&importer, held_beside)?;
    let old_was_shown: Option<Option<String>> = sqlx::query_scalar(
        "SELECT held_beside FROM workforce_formal_sealed WHERE organisation_id = $1 AND as_at = $2",
    )
    .bind(organisation_id)
    .bind(day.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    let same_day = as_at.days_since(Day::from_unix_seconds(0));
    if old_was_shown == Some(None) && !checked.same_as.contains(&same_day) {
        sqlx::query(
            "INSERT INTO workforce_remembered \
             (version, organisation_id, kind, as_at, sealed_tables, sealed_rows) \
             SELECT $1, organisation_id, 'formal', as_at, NULL, sealed \
             FROM workforce_formal_sealed WHERE organisation_id = $2 AND as_at = $3",
        )
        .bind(crate::ids::random_key())
        .bind(organisation_id)
        .bind(day.as_str())
        .execute(&mut *tx)
        .await?;
    }
    let replaced = sqlx::query(
        "DELETE FROM workforce_formal_sealed WHERE organisation_id = $1 AND as_at = $2",
    )
    .bind(organisation_id)
    .bind(day.as_str())
    .execute(&mut *tx)
    .await?
    .rows_affected()
        > 0;
    insert_sealed(&mut tx, organisation_id, &day, &imported_on, sealed).await?;
    if let Some(beside) = held_beside {
        sqlx::query(
            "UPDATE workforce_formal_sealed SET held_beside = $1 \
             WHERE organisation_id = $2 AND as_at = $3",
        )
        .bind(beside.to_string())
        .bind(organisation_id)
        .bind(day.as_str())
        .execute(&mut *tx)
        .await?;
    }
    let detail = format!(
        "Imported counts of staff entering formal processes as at {}{}{}",
        as_at.long(),
        if replaced {
            ", replacing the earlier import for that day"
        } else {
            ""
        },
        match held_beside {
            Some(beside) => format!(
                "; held, not shown: its figures moved by too few people from the counts as at {}",
                beside.long()
            ),
            None => String::new(),
        }
    );
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor: importer.actor,
            organisation: Some(importer.ods_code),
            action: if importer.correcting_settled_year {
                "workforce.settled_year_corrected"
            } else {
                "workforce.import"
            },
            detail: &detail,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Stored {
        snapshot_id: None,
        replaced,
        held_beside,
    })
}

/// [`super::check_seen`] for counts of staff entering formal processes: every shown day's
/// record (whose sealed counts are their tables' source), then the remembered ones.
/// `Checked::same_as` holds the days (counted from 1970) whose counts match the new ones.
async fn check_seen(
    conn: &mut sqlx::AnyConnection,
    organisation_id: i64,
    too_close: &TooClose<'_>,
    checked: &mut Checked,
) -> Result<(), StoreError> {
    let shown: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT as_at, version FROM workforce_formal_sealed WHERE organisation_id = $1 \
         AND held_beside IS NULL ORDER BY as_at",
    )
    .bind(organisation_id)
    .fetch_all(&mut *conn)
    .await?;
    let remembered: Vec<(String, String)> = sqlx::query_as(
        "SELECT version, as_at FROM workforce_remembered WHERE organisation_id = $1 \
         AND kind = 'formal' ORDER BY as_at, version",
    )
    .bind(organisation_id)
    .fetch_all(&mut *conn)
    .await?;
    for (day, version) in shown {
        if !checked
            .done
            .insert(format!("formal {day} {}", version.unwrap_or_default()))
        {
            continue;
        }
        let sealed: Vec<u8> = sqlx::query_scalar(
            "SELECT sealed FROM workforce_formal_sealed WHERE organisation_id = $1 AND as_at = $2",
        )
        .bind(organisation_id)
        .bind(day.as_str())
        .fetch_one(&mut *conn)
        .await?;
        let as_at = stored_day(&day)?;
        let verdict = ask(too_close, as_at, None, Some(sealed))?;
        if verdict.same {
            checked
                .same_as
                .push(as_at.days_since(Day::from_unix_seconds(0)));
        }
        if verdict.too_close {
            checked.found_too_close(as_at);
        }
    }
    check_remembered(conn, remembered, too_close, checked).await
}

async fn insert_sealed(
    conn: &mut sqlx::AnyConnection,
    organisation_id: i64,
    day: &str,
    imported_on: &str,
    sealed: &[u8],
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO workforce_formal_sealed \
         (organisation_id, as_at, imported_on, sealed, version) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(organisation_id)
    .bind(day)
    .bind(imported_on)
    .bind(sealed)
    .bind(crate::ids::random_key())
    .execute(conn)
    .await?;
    Ok(())
}

/// The organisation's sealed counts, a record a day, newest day first.
pub async fn formal_sealed(
    db: &Db,
    organisation_id: i64,
) -> Result<Vec<(Day, Vec<u8>)>, StoreError> {
    let rows: Vec<(String, Vec<u8>)> = sqlx::query_as(
        "SELECT as_at, sealed FROM workforce_formal_sealed WHERE organisation_id = $1 AND held_beside IS NULL \
         ORDER BY as_at DESC",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(day, sealed)| Ok((stored_day(&day)?, sealed)))
        .collect()
}

/// Every organisation's sealed days of counts, by organisation, newest day first: the
/// national view reads them all at once.
pub async fn every_formal_sealed(db: &Db) -> Result<Vec<(i64, Day, Vec<u8>)>, StoreError> {
    let rows: Vec<(i64, String, Vec<u8>)> = sqlx::query_as(
        "SELECT organisation_id, as_at, sealed FROM workforce_formal_sealed \
         WHERE held_beside IS NULL ORDER BY organisation_id, as_at DESC",
    )
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(organisation, day, sealed)| Ok((organisation, stored_day(&day)?, sealed)))
        .collect()
}

/// Each day of the organisation's sealed counts with its version (see the snapshots'
/// `version`), newest day first, without reading the sealed records.
pub async fn formal_versions(
    db: &Db,
    organisation_id: i64,
) -> Result<Vec<(String, Option<String>)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT as_at, version FROM workforce_formal_sealed WHERE organisation_id = $1 AND held_beside IS NULL \
         ORDER BY as_at DESC",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?)
}

/// The days the organisation has counts for, newest first.
pub async fn formal_days(db: &Db, organisation_id: i64) -> Result<Vec<Day>, StoreError> {
    let days: Vec<String> = sqlx::query_scalar(
        "SELECT as_at FROM workforce_formal_sealed WHERE organisation_id = $1 AND held_beside IS NULL ORDER BY as_at DESC",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?;
    days.iter().map(|day| stored_day(day)).collect()
}

fn stored_day(day: &str) -> Result<Day, StoreError> {
    Day::parse(day).map_err(|_| {
        StoreError::Corrupt(format!(
            "workforce formal counts hold the day {day}, not a date"
        ))
    })
}

/// Organisations and days whose counts were imported before counts were sealed
/// (migration 0023), still in the clear.
pub async fn formal_unsealed(db: &Db) -> Result<Vec<(i64, Day)>, StoreError> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT DISTINCT organisation_id, as_at FROM workforce_formal \
         ORDER BY organisation_id, as_at",
    )
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(organisation, day)| Ok((organisation, stored_day(&day)?)))
        .collect()
}

/// The counts in the clear of one organisation and day, for sealing them.
pub async fn formal_plain(
    db: &Db,
    organisation_id: i64,
    as_at: Day,
) -> Result<Vec<FormalCount>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT as_at, process, ethnicity, disability, entered FROM workforce_formal \
         WHERE organisation_id = $1 AND as_at = $2 ORDER BY process, ethnicity, disability",
    )
    .bind(organisation_id)
    .bind(as_at.to_string())
    .fetch_all(db.pool())
    .await?)
}

/// Keeps `sealed` for counts imported before counts were sealed, on the day they were
/// imported, and deletes them in the clear, in one transaction.
pub async fn seal_formal_in_place(
    db: &Db,
    organisation_id: i64,
    as_at: Day,
    sealed: &[u8],
) -> Result<(), StoreError> {
    let day = as_at.to_string();
    let mut tx = db.begin_write().await?;
    let imported_on: Option<String> = sqlx::query_scalar(
        "SELECT MAX(imported_on) FROM workforce_formal WHERE organisation_id = $1 AND as_at = $2",
    )
    .bind(organisation_id)
    .bind(day.as_str())
    .fetch_one(&mut *tx)
    .await?;
    let imported_on = imported_on.unwrap_or_else(|| day.clone());
    sqlx::query("DELETE FROM workforce_formal WHERE organisation_id = $1 AND as_at = $2")
        .bind(organisation_id)
        .bind(day.as_str())
        .execute(&mut *tx)
        .await?;
    insert_sealed(&mut tx, organisation_id, &day, &imported_on, sealed).await?;
    tx.commit().await?;
    Ok(())
}
