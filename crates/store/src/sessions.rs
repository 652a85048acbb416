//! Server-side sessions, kept in the database so several server processes can share them.
//! Only a digest of each session token is stored.

use crate::column::Flag;
use crate::{Db, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Session {
    pub token_digest: String,
    pub person_id: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    #[sqlx(try_from = "Flag")]
    pub second_factor_done: bool,
}

pub async fn create(
    db: &Db,
    token_digest: &str,
    person_id: i64,
    now: i64,
    expires_at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (token_digest, person_id, created_at, last_seen_at, expires_at, second_factor_done) \
         VALUES ($1, $2, $3, $3, $4, 0)",
    )
    .bind(token_digest)
    .bind(person_id)
    .bind(now)
    .bind(expires_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Finds a live session: not past its absolute expiry, and used within `idle_seconds`.
/// A found session's last-seen time is moved on, at most once a minute to spare writes.
pub async fn find_live(
    db: &Db,
    token_digest: &str,
    now: i64,
    idle_seconds: i64,
) -> Result<Option<Session>, StoreError> {
    Ok(find_live_with_person(db, token_digest, now, idle_seconds)
        .await?
        .map(|(session, _)| session))
}

#[derive(sqlx::FromRow)]
struct LiveRow {
    #[sqlx(flatten)]
    session: Session,
    #[sqlx(flatten)]
    person: crate::identity::Person,
}

/// A live session with its person, in one query: every signed-in request asks for both,
/// and on SQLite each query is a round trip to a connection's own thread.
pub async fn find_live_with_person(
    db: &Db,
    token_digest: &str,
    now: i64,
    idle_seconds: i64,
) -> Result<Option<(Session, crate::identity::Person)>, StoreError> {
    let found: Option<LiveRow> = sqlx::query_as(
        "SELECT s.token_digest, s.person_id, s.created_at, s.last_seen_at, s.expires_at, \
         s.second_factor_done, p.id, p.email, p.display_name, p.passphrase_hash, \
         p.totp_secret, p.totp_last_step, p.disabled \
         FROM sessions s JOIN people p ON p.id = s.person_id \
         WHERE s.token_digest = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND p.disabled = 0",
    )
    .bind(token_digest)
    .bind(now)
    .bind(now - idle_seconds)
    .fetch_optional(db.pool())
    .await?;
    let Some(LiveRow { session, person }) = found else {
        return Ok(None);
    };
    if now - session.last_seen_at >= 60 {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_digest = $2")
            .bind(now)
            .bind(token_digest)
            .execute(db.pool())
            .await?;
    }
    Ok(Some((session, person)))
}

pub async fn mark_second_factor_done(db: &Db, token_digest: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET second_factor_done = 1 WHERE token_digest = $1")
        .bind(token_digest)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn delete(db: &Db, token_digest: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE token_digest = $1")
        .bind(token_digest)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Removes sessions that can no longer be used. Returns how many went.
pub async fn purge_expired(db: &Db, now: i64, idle_seconds: i64) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(now)
        .bind(now - idle_seconds)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}
