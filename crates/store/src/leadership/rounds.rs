//! The yearly fit and proper round and the annual return (migration 0045).

use super::{audit_entry, day, flag};
use crate::audit;
use crate::error::conflict_or;
use crate::identity::Organisation;
use crate::mail::{self, NewMail};
use crate::{Db, StoreError};
use dignity_domain::leadership::Conclusion;
use dignity_domain::speakup::Day;

/// A round as the application hands it over: who is in it, and the reminders to send.
#[derive(Debug, Clone)]
pub struct NewRound {
    pub year: i64,
    pub opened_on: Day,
    pub due_on: Day,
    pub opened_by: i64,
    pub member_ids: Vec<i64>,
    pub reminders: Vec<NewMail>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    pub id: i64,
    pub organisation_id: i64,
    pub year: i64,
    pub opened_on: Day,
    pub due_on: Day,
    pub opened_by: i64,
    pub signed_on: Option<Day>,
    pub signed_by: Option<i64>,
    /// What the public register shows for the organisation, as JSON, once signed.
    pub published: Option<String>,
    /// The annual return's rows, as JSON, once signed.
    pub return_rows: Option<String>,
    pub version: i64,
}

type RoundRow = (
    i64,
    i64,
    i64,
    String,
    String,
    i64,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    i64,
);

const ROUND_COLUMNS: &str = "id, organisation_id, year, opened_on, due_on, opened_by, signed_on, \
    signed_by, published, return_rows, version";

fn round_from(row: RoundRow) -> Result<Round, StoreError> {
    let (
        id,
        organisation_id,
        year,
        opened_on,
        due_on,
        opened_by,
        signed_on,
        signed_by,
        published,
        return_rows,
        version,
    ) = row;
    Ok(Round {
        id,
        organisation_id,
        year,
        opened_on: day(&opened_on)?,
        due_on: day(&due_on)?,
        opened_by,
        signed_on: signed_on.as_deref().map(day).transpose()?,
        signed_by,
        published,
        return_rows,
        version,
    })
}

/// Opens a round with an assessment for each member and their reminders, audited, in one
/// transaction. A second round in the same year is a conflict.
pub async fn open_round(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    round: &NewRound,
) -> Result<i64, StoreError> {
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO board_rounds (organisation_id, year, opened_on, due_on, opened_by) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(org.id)
    .bind(round.year)
    .bind(round.opened_on.to_string())
    .bind(round.due_on.to_string())
    .bind(round.opened_by)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| conflict_or(e, format!("The {} round is already open", round.year)))?;
    for member in &round.member_ids {
        sqlx::query("INSERT INTO board_assessments (round_id, member_id) VALUES ($1, $2)")
            .bind(id)
            .bind(member)
            .execute(&mut *tx)
            .await?;
    }
    mail::enqueue(&mut tx, now, &round.reminders).await?;
    audit::append(
        &mut tx,
        now,
        &audit_entry(
            actor,
            org,
            "board.round_opened",
            &format!(
                "Opened the {} round {id}, due {}, with {} members",
                round.year,
                round.due_on,
                round.member_ids.len()
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// An organisation's rounds, newest first.
pub async fn rounds(db: &Db, organisation_id: i64) -> Result<Vec<Round>, StoreError> {
    let rows: Vec<RoundRow> = sqlx::query_as(&format!(
        "SELECT {ROUND_COLUMNS} FROM board_rounds WHERE organisation_id = $1 ORDER BY year DESC"
    ))
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(round_from).collect()
}

pub async fn round_in_organisation(
    db: &Db,
    organisation_id: i64,
    id: i64,
) -> Result<Round, StoreError> {
    let row: Option<RoundRow> = sqlx::query_as(&format!(
        "SELECT {ROUND_COLUMNS} FROM board_rounds WHERE organisation_id = $1 AND id = $2"
    ))
    .bind(organisation_id)
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.map(round_from)
        .transpose()?
        .ok_or_else(|| StoreError::NotFound("There is no such round".into()))
}

/// The rounds of every organisation in a region, all years, newest year first: what a
/// regional director's view is made of.
pub async fn rounds_in_region(db: &Db, region: &str) -> Result<Vec<Round>, StoreError> {
    let rows: Vec<RoundRow> = sqlx::query_as(&format!(
        "SELECT {ROUND_COLUMNS} FROM board_rounds WHERE organisation_id IN \
         (SELECT id FROM organisations WHERE region = $1) ORDER BY year DESC, organisation_id"
    ))
    .bind(region)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(round_from).collect()
}

/// An organisation's round for a year, if it opened one.
pub async fn round_of_year(
    db: &Db,
    organisation_id: i64,
    year: i64,
) -> Result<Option<Round>, StoreError> {
    let row: Option<RoundRow> = sqlx::query_as(&format!(
        "SELECT {ROUND_COLUMNS} FROM board_rounds WHERE organisation_id = $1 AND year = $2"
    ))
    .bind(organisation_id)
    .bind(year)
    .fetch_optional(db.pool())
    .await?;
    row.map(round_from).transpose()
}

/// A member's assessment in a round. `notes` is ciphertext under their record's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub round_id: i64,
    pub member_id: i64,
    pub conclusion: Option<Conclusion>,
    pub serious_misconduct: bool,
    pub without_everything: bool,
    pub concluded_on: Option<Day>,
    pub concluded_by: Option<i64>,
    pub notes: Option<Vec<u8>>,
}

type AssessmentRow = (
    i64,
    i64,
    Option<String>,
    i64,
    i64,
    Option<String>,
    Option<i64>,
    Option<Vec<u8>>,
);

fn assessment_from(row: AssessmentRow) -> Result<Assessment, StoreError> {
    let (round_id, member_id, conclusion, serious, without, on, by, notes) = row;
    Ok(Assessment {
        round_id,
        member_id,
        conclusion: conclusion
            .as_deref()
            .map(|c| {
                c.parse()
                    .map_err(|_| StoreError::Corrupt(format!("conclusion '{c}'")))
            })
            .transpose()?,
        serious_misconduct: flag(serious)?,
        without_everything: flag(without)?,
        concluded_on: on.as_deref().map(day).transpose()?,
        concluded_by: by,
        notes,
    })
}

const ASSESSMENT_COLUMNS: &str = "round_id, member_id, conclusion, serious_misconduct, \
    without_everything, concluded_on, concluded_by, notes";

pub async fn assessments(db: &Db, round_id: i64) -> Result<Vec<Assessment>, StoreError> {
    let rows: Vec<AssessmentRow> = sqlx::query_as(&format!(
        "SELECT {ASSESSMENT_COLUMNS} FROM board_assessments WHERE round_id = $1 ORDER BY member_id"
    ))
    .bind(round_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(assessment_from).collect()
}

/// A round's year, then an assessment's columns.
type YearAssessmentRow = (
    i64,
    i64,
    i64,
    Option<String>,
    i64,
    i64,
    Option<String>,
    Option<i64>,
    Option<Vec<u8>>,
);

/// Every concluded assessment of a member, newest first, with its round's year.
pub async fn member_assessments(
    db: &Db,
    member_id: i64,
) -> Result<Vec<(i64, Assessment)>, StoreError> {
    let rows: Vec<YearAssessmentRow> = sqlx::query_as(
        "SELECT r.year, a.round_id, a.member_id, a.conclusion, a.serious_misconduct, \
             a.without_everything, a.concluded_on, a.concluded_by, a.notes \
             FROM board_assessments a JOIN board_rounds r ON r.id = a.round_id \
             WHERE a.member_id = $1 AND a.conclusion IS NOT NULL ORDER BY r.year DESC",
    )
    .bind(member_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(year, a, b, c, d, e, f, g, h)| {
            Ok((year, assessment_from((a, b, c, d, e, f, g, h))?))
        })
        .collect()
}

/// The chair's conclusion for one member, as the application hands it over.
#[derive(Debug, Clone)]
pub struct NewConclusion<'a> {
    pub round_id: i64,
    pub member_id: i64,
    pub conclusion: Conclusion,
    pub serious_misconduct: bool,
    pub without_everything: bool,
    pub concluded_on: Day,
    pub concluded_by: i64,
    pub notes: &'a [u8],
}

/// Records a conclusion, audited, while the round is not signed. Concluding again before
/// signing replaces the earlier conclusion.
pub async fn conclude(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    c: &NewConclusion<'_>,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE board_assessments SET conclusion = $1, serious_misconduct = $2, \
         without_everything = $3, concluded_on = $4, concluded_by = $5, notes = $6 \
         WHERE round_id = $7 AND member_id = $8 AND EXISTS (SELECT 1 FROM board_rounds r \
         WHERE r.id = $7 AND r.organisation_id = $9 AND r.signed_on IS NULL)",
    )
    .bind(c.conclusion.code())
    .bind(i64::from(c.serious_misconduct))
    .bind(i64::from(c.without_everything))
    .bind(c.concluded_on.to_string())
    .bind(c.concluded_by)
    .bind(c.notes)
    .bind(c.round_id)
    .bind(c.member_id)
    .bind(org.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(StoreError::Conflict(
            "This round is signed, or the member is not in it. Nothing was changed".into(),
        ));
    }
    sqlx::query("UPDATE board_rounds SET version = version + 1 WHERE id = $1")
        .bind(c.round_id)
        .execute(&mut *tx)
        .await?;
    audit::append(
        &mut tx,
        now,
        &audit_entry(
            actor,
            org,
            "board.concluded",
            // Never the outcome: the audit log's readers may not read board records.
            &format!(
                "Round {}: the conclusion about board member {} is recorded",
                c.round_id, c.member_id
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The chair's signature on a round's annual return.
#[derive(Debug, Clone, Copy)]
pub struct Signing<'a> {
    pub round_id: i64,
    pub signed_on: Day,
    pub signed_by: i64,
    /// The public register's lines, as JSON.
    pub published: &'a str,
    /// The annual return's rows, as JSON.
    pub return_rows: &'a str,
    /// The round's version the published lines were made from.
    pub version: i64,
}

/// Signs the annual return, freezing what the public register shows, audited. Refused
/// while any member is not concluded, and once signed.
pub async fn sign(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    signing: &Signing<'_>,
) -> Result<(), StoreError> {
    let Signing {
        round_id,
        signed_on,
        signed_by,
        published,
        return_rows,
        version,
    } = *signing;
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE board_rounds SET signed_on = $1, signed_by = $2, published = $3, \
         return_rows = $4 WHERE id = $5 AND organisation_id = $6 AND signed_on IS NULL \
         AND version = $7 AND NOT EXISTS \
         (SELECT 1 FROM board_assessments a WHERE a.round_id = $5 AND a.conclusion IS NULL)",
    )
    .bind(signed_on.to_string())
    .bind(signed_by)
    .bind(published)
    .bind(return_rows)
    .bind(round_id)
    .bind(org.id)
    .bind(version)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(StoreError::Conflict(
            "The return cannot be signed: it is signed already, someone is not concluded yet, or a conclusion changed while you were signing. Check the round as it is now"
                .into(),
        ));
    }
    audit::append(
        &mut tx,
        now,
        &audit_entry(
            actor,
            org,
            "board.return_signed",
            &format!("Signed the annual return of round {round_id}"),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Each organisation's latest signed round: what the public register is made of.
pub async fn latest_signed(db: &Db) -> Result<Vec<Round>, StoreError> {
    let rows: Vec<RoundRow> = sqlx::query_as(&format!(
        "SELECT {ROUND_COLUMNS} FROM board_rounds r WHERE signed_on IS NOT NULL AND year = \
         (SELECT MAX(year) FROM board_rounds s WHERE s.organisation_id = r.organisation_id \
         AND s.signed_on IS NOT NULL) ORDER BY organisation_id"
    ))
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(round_from).collect()
}

/// These members' latest conclusions in signed returns: (member, year, conclusion, day).
/// A conclusion in a round not yet signed is a draft the chair may still change.
pub async fn latest_conclusions(
    db: &Db,
    member_ids: &[i64],
) -> Result<Vec<(i64, i64, Conclusion, Day)>, StoreError> {
    if member_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = (1..=member_ids.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT a.member_id, r.year, a.conclusion, a.concluded_on FROM board_assessments a \
         JOIN board_rounds r ON r.id = a.round_id WHERE a.member_id IN ({list}) \
         AND a.conclusion IS NOT NULL AND r.signed_on IS NOT NULL ORDER BY a.member_id, r.year DESC"
    );
    let mut query = sqlx::query_as::<_, (i64, i64, String, String)>(&sql);
    for id in member_ids {
        query = query.bind(id);
    }
    let mut latest: Vec<(i64, i64, Conclusion, Day)> = Vec::new();
    for (member, year, conclusion, on) in query.fetch_all(db.pool()).await? {
        // Newest first for each member: keep the first.
        if latest.last().is_some_and(|(m, ..)| *m == member) {
            continue;
        }
        latest.push((
            member,
            year,
            conclusion
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("conclusion '{conclusion}'")))?,
            day(&on)?,
        ));
    }
    Ok(latest)
}
