//! What the price-of-fear estimate reads: an organisation's own values for its assumptions
//! (each change kept, audited), and the dates of its suspensions and formal complaints.

use crate::audit::{self, NewEntry};
use crate::identity::Organisation;
use crate::{Db, StoreError};
use dignity_domain::speakup::Day;

/// One change to one assumption.
#[derive(Debug, Clone, PartialEq)]
pub struct AssumptionChange {
    pub assumption: String,
    pub value: f64,
    pub reason: String,
    pub changed_by: String,
    pub changed_on: Day,
}

/// Every change to the organisation's assumptions, oldest first.
pub async fn assumption_changes(
    db: &Db,
    organisation_id: i64,
) -> Result<Vec<AssumptionChange>, StoreError> {
    let rows: Vec<(String, f64, String, String, String)> = sqlx::query_as(
        "SELECT a.assumption, a.value, a.reason, p.display_name, a.changed_on \
         FROM price_assumptions a JOIN people p ON p.id = a.changed_by \
         WHERE a.organisation_id = $1 ORDER BY a.id",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(assumption, value, reason, changed_by, on)| {
            Ok(AssumptionChange {
                assumption,
                value,
                reason,
                changed_by,
                changed_on: Day::parse(&on)
                    .map_err(|_| StoreError::Corrupt(format!("assumption change day '{on}'")))?,
            })
        })
        .collect()
}

/// The newest value of each assumption that has one, by key.
fn current(changes: &[(String, f64)]) -> std::collections::HashMap<&str, f64> {
    changes.iter().map(|(k, v)| (k.as_str(), *v)).collect()
}

/// Who changes the assumptions and when.
pub struct Changer<'a> {
    pub person_id: i64,
    pub email: &'a str,
    pub now: i64,
    pub today: Day,
}

/// Writes new values, all or none, if the values changed are still what `expected` says
/// (the page the change was made on): `false` when someone else changed one meanwhile.
/// Each change and its reason goes into the audit log too.
pub async fn change_assumptions(
    db: &Db,
    who: &Changer<'_>,
    org: &Organisation,
    expected: &[(String, Option<f64>)],
    changes: &[(String, f64)],
    reason: &str,
) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    // The organisation's row is the lock, as its first change has no row to lock.
    sqlx::query(&format!(
        "SELECT id FROM organisations WHERE id = $1{}",
        db.lock_rows()
    ))
    .bind(org.id)
    .fetch_optional(&mut *tx)
    .await?;
    let rows: Vec<(String, f64)> = sqlx::query_as(
        "SELECT assumption, value FROM price_assumptions WHERE organisation_id = $1 ORDER BY id",
    )
    .bind(org.id)
    .fetch_all(&mut *tx)
    .await?;
    let now_values = current(&rows);
    if expected
        .iter()
        .any(|(key, was)| now_values.get(key.as_str()).copied() != *was)
    {
        return Ok(false);
    }
    for (key, value) in changes {
        sqlx::query(
            "INSERT INTO price_assumptions \
             (organisation_id, assumption, value, reason, changed_by, changed_on) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(org.id)
        .bind(key)
        .bind(*value)
        .bind(reason)
        .bind(who.person_id)
        .bind(who.today.to_string())
        .execute(&mut *tx)
        .await?;
    }
    if !changes.is_empty() {
        let list = changes
            .iter()
            .map(|(key, value)| format!("{key} = {value}"))
            .collect::<Vec<_>>()
            .join("; ");
        let detail = format!("Price of fear assumptions: {list}. Reason: {reason}");
        audit::append(
            &mut tx,
            who.now,
            &NewEntry {
                actor: who.email,
                organisation: Some(&org.ods_code),
                action: "price.assumptions_changed",
                detail: &detail,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// A suspension or exclusion as the estimate counts it: its days, the days they were
/// written, and whose it is (a case may hold several in turn).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuspensionSpan {
    /// The person's keyed digest, or the case's number when it names no one.
    pub whose: String,
    pub started_on: Day,
    pub ended_on: Option<Day>,
    pub recorded_on: Day,
    pub end_recorded_on: Option<Day>,
}

/// A formal bullying complaint or grievance: the day it opened and the day that was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub on: Day,
    pub recorded_on: Day,
}

fn day(text: &str) -> Result<Day, StoreError> {
    Day::parse(text).map_err(|_| StoreError::Corrupt(format!("day '{text}'")))
}

/// Every suspension or exclusion of the organisation (restricted duties keep people at
/// work, so cost no cover).
pub async fn suspension_spans(
    db: &Db,
    organisation_id: i64,
) -> Result<Vec<SuspensionSpan>, StoreError> {
    type Row = (
        i64,
        Option<String>,
        String,
        Option<String>,
        String,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT c.id, c.person_digest, u.started_on, u.ended_on, \
         COALESCE(u.recorded_on, u.started_on), COALESCE(u.end_recorded_on, u.ended_on) \
         FROM er_suspensions u JOIN er_cases c ON c.id = u.case_id \
         WHERE c.organisation_id = $1 AND u.kind IN ('suspension', 'exclusion')",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(
            |(case_id, person, started, ended, recorded, end_recorded)| {
                Ok(SuspensionSpan {
                    whose: person.unwrap_or_else(|| format!("case {case_id}")),
                    started_on: day(&started)?,
                    ended_on: ended.as_deref().map(day).transpose()?,
                    recorded_on: day(&recorded)?,
                    end_recorded_on: end_recorded.as_deref().map(day).transpose()?,
                })
            },
        )
        .collect()
}

/// Every formal bullying complaint and grievance of the organisation, by its first stage.
pub async fn complaints_opened(db: &Db, organisation_id: i64) -> Result<Vec<Opened>, StoreError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT s.started_on, COALESCE(s.recorded_on, s.started_on) \
         FROM er_cases c JOIN er_case_stages s ON s.case_id = c.id AND s.position = 0 \
         WHERE c.organisation_id = $1 AND c.case_type IN ('bullying_complaint', 'grievance')",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(on, recorded)| {
            Ok(Opened {
                on: day(&on)?,
                recorded_on: day(&recorded)?,
            })
        })
        .collect()
}
