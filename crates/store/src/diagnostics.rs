//! Self-assessment frameworks (issue 19): each version of a framework file as loaded.

use crate::audit::{self, NewEntry};
use crate::error::conflict_or;
use crate::{Db, StoreError};

/// One version of a framework, as loaded.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredFramework {
    pub id: i64,
    pub key: String,
    pub version: i64,
    pub title: String,
    pub definition: String,
    pub added_at: i64,
}

/// What loading a framework file did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// A new version, with its id.
    New(i64),
    /// This exact file was loaded already, as this id: nothing changed.
    Already(i64),
}

/// Loads one version of a framework, audited. The same file loaded again changes nothing;
/// a different file under a version already loaded, or a version older than the newest,
/// is refused, so no round's framework ever changes under it.
pub async fn add_framework(
    db: &Db,
    actor: &str,
    now: i64,
    key: &str,
    version: i64,
    title: &str,
    definition: &str,
) -> Result<Added, StoreError> {
    let mut tx = db.begin_write().await?;
    let loaded: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT id, version, definition FROM diagnostic_frameworks WHERE key = $1 ORDER BY version DESC",
    )
    .bind(key)
    .fetch_all(&mut *tx)
    .await?;
    if let Some((id, _, text)) = loaded.iter().find(|(_, v, _)| *v == version) {
        if text == definition {
            return Ok(Added::Already(*id));
        }
        return Err(StoreError::Conflict(format!(
            "Version {version} of the framework {key} is loaded already, and this file differs from it. Raise the file's version to load the change: rounds keep the version they started with."
        )));
    }
    if let Some((_, newest, _)) = loaded.first()
        && *newest > version
    {
        return Err(StoreError::Conflict(format!(
            "The framework {key} is at version {newest} already, newer than this file's {version}."
        )));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO diagnostic_frameworks (key, version, title, definition, added_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(key)
    .bind(version)
    .bind(title)
    .bind(definition)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| conflict_or(e, format!("Version {version} of the framework {key} is loaded already")))?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: None,
            action: "diagnostic.framework_added",
            detail: &format!("Loaded version {version} of the framework {key} ({title})"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Added::New(id))
}

/// The newest version of every framework, by title.
pub async fn newest_frameworks(db: &Db) -> Result<Vec<StoredFramework>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT f.id, f.key, f.version, f.title, f.definition, f.added_at FROM diagnostic_frameworks f \
         WHERE f.version = (SELECT MAX(g.version) FROM diagnostic_frameworks g WHERE g.key = f.key) \
         ORDER BY f.title, f.id",
    )
    .fetch_all(db.pool())
    .await?)
}

/// One version of a framework, by id.
pub async fn framework(db: &Db, id: i64) -> Result<StoredFramework, StoreError> {
    sqlx::query_as(
        "SELECT id, key, version, title, definition, added_at FROM diagnostic_frameworks WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("framework {id}")))
}
