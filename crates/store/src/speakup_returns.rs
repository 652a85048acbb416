//! Sign-offs of the quarterly Speak Up return: who signed off an organisation's return for
//! a quarter and when, a digest of the figures as they were, and who marked it as sent to
//! the National Guardian's Office and when. Each change is audited in its own transaction,
//! and each checks the sign-off's state inside that transaction, so two guardians acting
//! at once cannot both sign off, or send a return that was withdrawn meanwhile.

use crate::audit::{self, NewEntry};
use crate::error::conflict_or;
use crate::identity::Organisation;
use crate::{Db, StoreError};
use dignity_domain::speakup::Day;
use dignity_domain::speakup_returns::Quarter;

/// A return's sign-off, with the names of the people (never their addresses), looked up as
/// the audit log looks up its actors.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SignOff {
    pub signed_off_by: i64,
    /// `None` only if the person's account has gone.
    pub signed_off_by_name: Option<String>,
    #[sqlx(try_from = "String")]
    pub signed_off_on: Day,
    /// The SHA-256 (hex) of the return's CSV on the day it was signed off.
    pub figures_digest: String,
    pub sent_by: Option<i64>,
    pub sent_by_name: Option<String>,
    #[sqlx(try_from = "Nullable")]
    pub sent_on: Option<Day>,
}

/// A nullable stored day.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
struct Nullable(Option<String>);

impl TryFrom<Nullable> for Option<Day> {
    type Error = dignity_domain::identity::InvalidValue;
    fn try_from(raw: Nullable) -> Result<Option<Day>, Self::Error> {
        raw.0.map(Day::try_from).transpose()
    }
}

/// The organisation's sign-off of its return for `quarter`, if there is one.
pub async fn sign_off(
    db: &Db,
    organisation_id: i64,
    quarter: Quarter,
) -> Result<Option<SignOff>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT s.signed_off_by, p.display_name AS signed_off_by_name, s.signed_off_on, \
         s.figures_digest, s.sent_by, q.display_name AS sent_by_name, s.sent_on \
         FROM speakup_return_signoffs s \
         LEFT JOIN people p ON p.id = s.signed_off_by \
         LEFT JOIN people q ON q.id = s.sent_by \
         WHERE s.organisation_id = $1 AND s.year = $2 AND s.quarter = $3",
    )
    .bind(organisation_id)
    .bind(quarter.year)
    .bind(quarter.number)
    .fetch_optional(db.pool())
    .await?)
}

/// Who does a change, for the row and for the audit log.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub person_id: i64,
    /// Their address, as the audit log records people.
    pub email: &'a str,
}

const ALREADY: &str = "This return has already been signed off";
const NOT_SIGNED: &str = "This return has not been signed off";
const ALREADY_SENT: &str = "This return has already been marked as sent";

/// Records that `by` signed off the return for `quarter` on the day of `now`, with the
/// digest of its figures. A return already signed off is a `Conflict`.
pub async fn record_sign_off(
    db: &Db,
    by: Actor<'_>,
    now: i64,
    org: &Organisation,
    quarter: Quarter,
    figures_digest: &str,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO speakup_return_signoffs \
         (organisation_id, year, quarter, signed_off_by, signed_off_on, figures_digest) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(org.id)
    .bind(quarter.year)
    .bind(quarter.number)
    .bind(by.person_id)
    .bind(Day::from_unix_seconds(now).to_string())
    .bind(figures_digest)
    .execute(&mut *tx)
    .await
    .map_err(|e| conflict_or(e, ALREADY))?;
    commit_audited(
        tx,
        by,
        now,
        org,
        "speakup.return_signed_off",
        &format!("Signed off the Speak Up return for {}", quarter.months()),
    )
    .await
}

/// Records that `by` marked the signed-off return for `quarter` as sent, on the day of
/// `now`. Only `expected_digest`'s sign-off can be marked: the caller has checked that the
/// figures are still the ones signed off. Not signed off is `NotFound`; already sent, or
/// signed off again meanwhile over other figures, is a `Conflict`.
pub async fn record_sent(
    db: &Db,
    by: Actor<'_>,
    now: i64,
    org: &Organisation,
    quarter: Quarter,
    expected_digest: &str,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE speakup_return_signoffs SET sent_by = $1, sent_on = $2 \
         WHERE organisation_id = $3 AND year = $4 AND quarter = $5 \
         AND sent_on IS NULL AND figures_digest = $6",
    )
    .bind(by.person_id)
    .bind(Day::from_unix_seconds(now).to_string())
    .bind(org.id)
    .bind(quarter.year)
    .bind(quarter.number)
    .bind(expected_digest)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done != 1 {
        return Err(why_not(&mut tx, org, quarter).await?);
    }
    commit_audited(
        tx,
        by,
        now,
        org,
        "speakup.return_sent",
        &format!(
            "Marked the Speak Up return for {} as sent to the National Guardian's Office",
            quarter.months()
        ),
    )
    .await
}

/// Withdraws the sign-off of the return for `quarter`, which must not have been sent. Not
/// signed off is `NotFound`; already sent is a `Conflict`.
pub async fn withdraw_sign_off(
    db: &Db,
    by: Actor<'_>,
    now: i64,
    org: &Organisation,
    quarter: Quarter,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "DELETE FROM speakup_return_signoffs \
         WHERE organisation_id = $1 AND year = $2 AND quarter = $3 AND sent_on IS NULL",
    )
    .bind(org.id)
    .bind(quarter.year)
    .bind(quarter.number)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done != 1 {
        return Err(why_not(&mut tx, org, quarter).await?);
    }
    commit_audited(
        tx,
        by,
        now,
        org,
        "speakup.return_sign_off_withdrawn",
        &format!(
            "Withdrew the sign-off of the Speak Up return for {}",
            quarter.months()
        ),
    )
    .await
}

/// Why a change to a sign-off found nothing to change, read in the same transaction.
async fn why_not(
    conn: &mut sqlx::AnyConnection,
    org: &Organisation,
    quarter: Quarter,
) -> Result<StoreError, StoreError> {
    let sent: Option<Option<String>> = sqlx::query_scalar(
        "SELECT sent_on FROM speakup_return_signoffs \
         WHERE organisation_id = $1 AND year = $2 AND quarter = $3",
    )
    .bind(org.id)
    .bind(quarter.year)
    .bind(quarter.number)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match sent {
        None => StoreError::NotFound(NOT_SIGNED.into()),
        Some(Some(_)) => StoreError::Conflict(ALREADY_SENT.into()),
        Some(None) => StoreError::Conflict(
            "This return was signed off again over other figures: check them before you mark it as sent".into(),
        ),
    })
}

/// Records the change in the audit log and commits it with the change.
async fn commit_audited(
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    by: Actor<'_>,
    now: i64,
    org: &Organisation,
    action: &str,
    detail: &str,
) -> Result<(), StoreError> {
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor: by.email,
            organisation: Some(&org.ods_code),
            action,
            detail,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
