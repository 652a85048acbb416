//! Organisations' own privacy notices.

use crate::audit::{self, NewEntry};
use crate::identity::Organisation;
use crate::{Db, StoreError};

/// An organisation's notice and when it last changed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Notice {
    pub body: String,
    pub updated_at: i64,
}

pub async fn notice(db: &Db, organisation_id: i64) -> Result<Option<Notice>, StoreError> {
    Ok(
        sqlx::query_as("SELECT body, updated_at FROM privacy_notices WHERE organisation_id = $1")
            .bind(organisation_id)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// The organisations that have written a notice, by name: (ODS code, name).
pub async fn organisations_with_notices(db: &Db) -> Result<Vec<(String, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT o.ods_code, o.name FROM privacy_notices n \
         JOIN organisations o ON o.id = n.organisation_id ORDER BY o.name",
    )
    .fetch_all(db.pool())
    .await?)
}

/// Writes (or replaces) an organisation's notice, audited. An empty body removes it.
pub async fn save(
    db: &Db,
    actor: &str,
    now: i64,
    organisation: &Organisation,
    body: &str,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    if body.is_empty() {
        sqlx::query("DELETE FROM privacy_notices WHERE organisation_id = $1")
            .bind(organisation.id)
            .execute(&mut *tx)
            .await?;
    } else {
        sqlx::query(
            "INSERT INTO privacy_notices (organisation_id, body, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (organisation_id) DO UPDATE SET body = $2, updated_at = $3",
        )
        .bind(organisation.id)
        .bind(body)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: Some(organisation.ods_code.as_str()),
            action: "privacy.notice",
            detail: if body.is_empty() {
                "Removed the organisation's privacy notice"
            } else {
                "Changed the organisation's privacy notice"
            },
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
