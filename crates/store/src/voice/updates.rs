//! Leaders' updates on a challenge: what they have heard and what they are doing about it.
//! A leader speaks for the organisation, so an update shows their real name; staff
//! comment on it as they do on ideas, under the names they chose.

use super::Actor;
use crate::audit::{self, NewEntry};
use crate::{Db, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUpdate {
    pub challenge_id: i64,
    pub author_id: i64,
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Update {
    pub id: i64,
    pub challenge_id: i64,
    pub author_id: i64,
    /// The leader's name on their account.
    pub author_name: String,
    pub title: String,
    pub body: String,
    pub posted_at: i64,
    /// Shown comments.
    pub comments: i64,
}

const COLUMNS: &str = "u.id, u.challenge_id, u.author_id, p.display_name AS author_name, \
     u.title, u.body, u.posted_at, u.comments FROM voice_updates u \
     JOIN people p ON p.id = u.author_id";

/// Keeps a leader's update, tells the challenge's followers and audits it, in one
/// transaction.
pub async fn post_update(
    db: &Db,
    actor: Actor<'_>,
    now: i64,
    update: &NewUpdate,
) -> Result<i64, StoreError> {
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO voice_updates (challenge_id, author_id, title, body, posted_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(update.challenge_id)
    .bind(update.author_id)
    .bind(&update.title)
    .bind(&update.body)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    super::follow::record_update(&mut tx, id, now).await?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor: actor.email,
            organisation: actor.ods_code,
            action: "voice.update_posted",
            detail: &format!(
                "Posted update {id} on challenge {}: {}",
                update.challenge_id, update.title
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update(db: &Db, id: i64) -> Result<Update, StoreError> {
    sqlx::query_as(&format!("SELECT {COLUMNS} WHERE u.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound("There is no such update".into()))
}

/// A challenge's newest updates first, at most `most`.
pub async fn updates(db: &Db, challenge_id: i64, most: i64) -> Result<Vec<Update>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} WHERE u.challenge_id = $1 \
         ORDER BY u.posted_at DESC, u.id DESC LIMIT $2"
    ))
    .bind(challenge_id)
    .bind(most)
    .fetch_all(db.pool())
    .await?)
}
