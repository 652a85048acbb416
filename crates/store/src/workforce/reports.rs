//! WRES and WDES reports: versions of an organisation's report on one standard for one
//! reporting year, and the signatures that publish a version (an executive for the
//! employer and a union partner for the union side, as for plans). A version's figures
//! are frozen when it is written, so what was signed is what is published.

use crate::audit::{self, NewEntry};
use crate::{Db, StoreError};
use dignity_domain::identity::InvalidValue;
use dignity_domain::speakup::Day;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Report {
    pub id: i64,
    pub organisation_id: i64,
    /// `wres` or `wdes`.
    pub standard: String,
    /// The calendar year the reporting year ends in.
    pub year: i64,
    pub version: i64,
    pub summary: String,
    /// The return as it read when the version was written: JSON, one array of words
    /// (indicator, row, measure, value) a line.
    pub figures: String,
    /// Ids of partnership plan actions, comma separated.
    pub plan_actions: String,
    pub written_by: i64,
    #[sqlx(try_from = "String")]
    pub written_on: Day,
    pub published_on: Option<String>,
}

impl Report {
    pub fn published_day(&self) -> Option<Day> {
        self.published_on
            .as_deref()
            .and_then(|d| Day::parse(d).ok())
    }

    pub fn plan_action_ids(&self) -> Vec<i64> {
        self.plan_actions
            .split(',')
            .filter_map(|id| id.trim().parse().ok())
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Signature {
    /// `employer` or `union`.
    pub side: String,
    pub person_id: i64,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub signed_on: Day,
}

/// A new version's content.
#[derive(Debug, Clone)]
pub struct NewReport<'a> {
    pub organisation_id: i64,
    pub standard: &'a str,
    pub year: i64,
    pub summary: &'a str,
    pub figures: &'a str,
    pub plan_actions: &'a [i64],
    pub written_by: i64,
}

/// Who acts, for the audit log.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub email: &'a str,
    pub ods_code: &'a str,
}

const COLUMNS: &str = "id, organisation_id, standard, year, version, summary, figures, \
                       plan_actions, written_by, written_on, published_on";

/// Keeps a new version, numbered one after the newest, and audits it.
pub async fn write_version(
    db: &Db,
    actor: Actor<'_>,
    new: &NewReport<'_>,
    now: i64,
) -> Result<Report, StoreError> {
    let mut tx = db.begin_write().await?;
    let newest: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(version) FROM equality_reports \
         WHERE organisation_id = $1 AND standard = $2 AND year = $3",
    )
    .bind(new.organisation_id)
    .bind(new.standard)
    .bind(new.year)
    .fetch_one(&mut *tx)
    .await?;
    let version = newest.unwrap_or(0) + 1;
    let actions = new
        .plan_actions
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let report: Report = sqlx::query_as(&format!(
        "INSERT INTO equality_reports (organisation_id, standard, year, version, summary, \
         figures, plan_actions, written_by, written_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLUMNS}"
    ))
    .bind(new.organisation_id)
    .bind(new.standard)
    .bind(new.year)
    .bind(version)
    .bind(new.summary)
    .bind(new.figures)
    .bind(actions)
    .bind(new.written_by)
    .bind(Day::from_unix_seconds(now).to_string())
    .fetch_one(&mut *tx)
    .await?;
    let detail = format!(
        "Wrote version {version} of the {} report for the year ending March {}",
        new.standard.to_uppercase(),
        new.year
    );
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor: actor.email,
            organisation: Some(actor.ods_code),
            action: "equality_report.write",
            detail: &detail,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// Every version of one report, newest first.
pub async fn versions(
    db: &Db,
    organisation_id: i64,
    standard: &str,
    year: i64,
) -> Result<Vec<Report>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM equality_reports \
         WHERE organisation_id = $1 AND standard = $2 AND year = $3 ORDER BY version DESC"
    ))
    .bind(organisation_id)
    .bind(standard)
    .bind(year)
    .fetch_all(db.pool())
    .await?)
}

/// Every published version of an organisation's reports on a standard: newest year
/// first, and within a year the newest version first.
pub async fn published(
    db: &Db,
    organisation_id: i64,
    standard: &str,
) -> Result<Vec<Report>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM equality_reports \
         WHERE organisation_id = $1 AND standard = $2 AND published_on IS NOT NULL \
         ORDER BY year DESC, version DESC"
    ))
    .bind(organisation_id)
    .bind(standard)
    .fetch_all(db.pool())
    .await?)
}

pub async fn signatures(db: &Db, report_id: i64) -> Result<Vec<Signature>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT s.side, s.person_id, p.display_name AS name, s.signed_on \
         FROM equality_report_signatures s JOIN people p ON p.id = s.person_id \
         WHERE s.report_id = $1 ORDER BY s.side",
    )
    .bind(report_id)
    .fetch_all(db.pool())
    .await?)
}

/// Signs `report_id` for `side`. Signing a side that is signed already changes nothing.
/// Once both sides have signed, the version is published today. Returns whether it is
/// published.
pub async fn sign(
    db: &Db,
    actor: Actor<'_>,
    report_id: i64,
    side: &str,
    person_id: i64,
    now: i64,
) -> Result<bool, StoreError> {
    if !["employer", "union"].contains(&side) {
        return Err(StoreError::Invalid(InvalidValue::Message(
            "A report is signed for the employer or the union side",
        )));
    }
    let today = Day::from_unix_seconds(now).to_string();
    let mut tx = db.begin_write().await?;
    let report: Report = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM equality_reports WHERE id = $1"
    ))
    .bind(report_id)
    .fetch_one(&mut *tx)
    .await?;
    let signed_already: Option<i64> = sqlx::query_scalar(
        "SELECT person_id FROM equality_report_signatures WHERE report_id = $1 AND side = $2",
    )
    .bind(report_id)
    .bind(side)
    .fetch_optional(&mut *tx)
    .await?;
    if signed_already.is_none() {
        sqlx::query(
            "INSERT INTO equality_report_signatures (report_id, side, person_id, signed_on) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(report_id)
        .bind(side)
        .bind(person_id)
        .bind(today.as_str())
        .execute(&mut *tx)
        .await?;
    }
    let sides: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM equality_report_signatures WHERE report_id = $1")
            .bind(report_id)
            .fetch_one(&mut *tx)
            .await?;
    let published = sides >= 2;
    if published && report.published_on.is_none() {
        sqlx::query("UPDATE equality_reports SET published_on = $1 WHERE id = $2")
            .bind(today.as_str())
            .bind(report_id)
            .execute(&mut *tx)
            .await?;
    }
    if signed_already.is_none() {
        let detail = format!(
            "Signed version {} of the {} report for the year ending March {} for the {} side{}",
            report.version,
            report.standard.to_uppercase(),
            report.year,
            side,
            if published {
                "; it is now published"
            } else {
                ""
            }
        );
        audit::append(
            &mut tx,
            now,
            &NewEntry {
                actor: actor.email,
                organisation: Some(actor.ods_code),
                action: "equality_report.sign",
                detail: &detail,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(published)
}
