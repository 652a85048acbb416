//! Counting failed sign-ins, per account and per client, in the database so that every
//! server process sees the same counts.
//!
//! A failure keeps only its key (a keyed digest, made by the caller) and the start of the
//! throttle window it fell in, never the moment: a table of precise times would say when
//! someone was at a keyboard. A failure counts for the window it fell in and the next
//! one, so between one and two windows, and is deleted once it no longer counts.

use crate::{Db, StoreError};

/// The start of the throttle window `at` falls in.
pub fn window_start(at: i64, window: i64) -> i64 {
    at - at.rem_euclid(window.max(1))
}

/// Failures stored before this no longer count, and are deleted.
fn oldest_counted(now: i64, window: i64) -> i64 {
    window_start(now - window, window)
}

/// Records a failure against each key, and deletes failures that no longer count.
pub async fn record_failure(
    db: &Db,
    keys: &[&str],
    now: i64,
    window: i64,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM login_failures WHERE at < $1")
        .bind(oldest_counted(now, window))
        .execute(&mut *tx)
        .await?;
    for key in keys {
        sqlx::query("INSERT INTO login_failures (throttle_key, at) VALUES ($1, $2)")
            .bind(*key)
            .bind(window_start(now, window))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Failures for `key` that still count at `now`.
pub async fn recent_failures(db: &Db, key: &str, now: i64, window: i64) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_failures WHERE throttle_key = $1 AND at >= $2",
    )
    .bind(key)
    .bind(oldest_counted(now, window))
    .fetch_one(db.pool())
    .await?)
}

/// Forgets an account's failures after it signs in successfully.
pub async fn clear(db: &Db, key: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM login_failures WHERE throttle_key = $1")
        .bind(key)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Deletes every failure that no longer counts at `now`.
pub async fn purge_expired(db: &Db, now: i64, window: i64) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM login_failures WHERE at < $1")
        .bind(oldest_counted(now, window))
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}
