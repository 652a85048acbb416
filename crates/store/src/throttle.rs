//! Counting failed sign-ins, per account and per client, in the database so that every
//! server process sees the same counts.

use crate::{Db, StoreError};
use sqlx::Row;

pub async fn record_failure(db: &Db, keys: &[&str], now: i64) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    for key in keys {
        sqlx::query("INSERT INTO login_failures (throttle_key, at) VALUES ($1, $2)")
            .bind(*key)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Failures for `key` at or after `since`.
pub async fn failures_since(db: &Db, key: &str, since: i64) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM login_failures WHERE throttle_key = $1 AND at >= $2",
    )
    .bind(key)
    .bind(since)
    .fetch_one(db.pool())
    .await?;
    Ok(row.try_get("n")?)
}

/// Forgets an account's failures after it signs in successfully.
pub async fn clear(db: &Db, key: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM login_failures WHERE throttle_key = $1")
        .bind(key)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn purge_before(db: &Db, before: i64) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM login_failures WHERE at < $1")
        .bind(before)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}
