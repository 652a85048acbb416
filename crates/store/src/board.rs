//! Outcomes: published figures about organisations, kept by organisation, measure and
//! period. An import replaces the figures it gives and leaves the rest.

use crate::audit::{self, NewEntry};
use crate::{Db, StoreError};

/// One kept figure. `period` is `2026` or `2026-Q3`; `rated_on` is a day for a rating.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct StoredOutcome {
    pub organisation_id: i64,
    pub measure: String,
    pub period: String,
    pub value: f64,
    pub rated_on: Option<String>,
}

/// What an import gives for one organisation.
#[derive(Debug, Clone)]
pub struct OrganisationOutcomes<'a> {
    pub organisation_id: i64,
    pub ods_code: &'a str,
    pub outcomes: Vec<StoredOutcome>,
}

/// Keeps every figure in one transaction (all or none), replacing any kept for the same
/// organisation, measure and period, with an audit entry in each organisation's log.
/// Returns how many figures replaced earlier ones.
pub async fn keep(
    db: &Db,
    actor: &str,
    now: i64,
    organisations: &[OrganisationOutcomes<'_>],
) -> Result<u64, StoreError> {
    let mut tx = db.begin_write().await?;
    let mut replaced = 0;
    for organisation in organisations {
        let mut replaced_here = 0;
        for o in &organisation.outcomes {
            let before: Option<(i64,)> = sqlx::query_as(
                "SELECT 1 FROM outcomes WHERE organisation_id = $1 AND measure = $2 AND period = $3",
            )
            .bind(organisation.organisation_id)
            .bind(&o.measure)
            .bind(&o.period)
            .fetch_optional(&mut *tx)
            .await?;
            if before.is_some() {
                replaced_here += 1;
            }
            sqlx::query(
                "INSERT INTO outcomes (organisation_id, measure, period, value, rated_on, imported_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (organisation_id, measure, period) \
                 DO UPDATE SET value = $4, rated_on = $5, imported_at = $6",
            )
            .bind(organisation.organisation_id)
            .bind(&o.measure)
            .bind(&o.period)
            .bind(o.value)
            .bind(&o.rated_on)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let detail = format!(
            "Imported {} outcome {} ({} replacing earlier ones)",
            organisation.outcomes.len(),
            if organisation.outcomes.len() == 1 {
                "figure"
            } else {
                "figures"
            },
            replaced_here
        );
        audit::append(
            &mut tx,
            now,
            &NewEntry {
                actor,
                organisation: Some(organisation.ods_code),
                action: "outcomes.import",
                detail: &detail,
            },
        )
        .await?;
        replaced += replaced_here;
    }
    tx.commit().await?;
    Ok(replaced)
}

const COLUMNS: &str = "organisation_id, measure, period, value, rated_on";

/// Every figure kept for every organisation.
pub async fn every(db: &Db) -> Result<Vec<StoredOutcome>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM outcomes ORDER BY organisation_id, measure, period"
    ))
    .fetch_all(db.pool())
    .await?)
}

/// Every figure kept for one organisation.
pub async fn of_organisation(
    db: &Db,
    organisation_id: i64,
) -> Result<Vec<StoredOutcome>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM outcomes WHERE organisation_id = $1 ORDER BY measure, period"
    ))
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?)
}
