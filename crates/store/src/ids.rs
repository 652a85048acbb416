//! Identifiers for rows an anonymous person causes. A counter would say which row came
//! before which, and so place a reporter's reply or a new case between two audited actions
//! or sign-ins; a random id says nothing about when its row was written.

use crate::StoreError;
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection};

/// How many ids to try before giving up. Two random 63-bit ids clash about once in 2^63
/// draws, so a second try is already astronomically rare.
const TRIES: usize = 8;

/// A random positive 63-bit id (never 0), so it fits INTEGER and BIGINT alike.
pub fn random_id() -> i64 {
    loop {
        let id = rand::random::<i64>() & i64::MAX;
        if id != 0 {
            return id;
        }
    }
}

/// A random 128-bit key in hex, for rows keyed by text (survey responses, comments and
/// waiting answers): such keys order rows by chance, never by arrival.
pub fn random_key() -> String {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    hex::encode(bytes)
}

type AnyQuery<'q> = Query<'q, Any, AnyArguments<'q>>;

/// Runs `sql` with a fresh random id bound as `$1` (then `bind_rest`) until one is free.
/// `sql` must end `ON CONFLICT (id) DO NOTHING RETURNING id`, so a clash returns no row
/// instead of an error (which would end the transaction on PostgreSQL). Other errors go
/// through `on_error`.
pub async fn insert_with_random_id<'q>(
    conn: &mut AnyConnection,
    what: &str,
    sql: &'q str,
    bind_rest: impl Fn(AnyQuery<'q>) -> AnyQuery<'q>,
    on_error: impl Fn(sqlx::Error) -> StoreError,
) -> Result<i64, StoreError> {
    for _ in 0..TRIES {
        let id = random_id();
        let row = bind_rest(sqlx::query(sql).bind(id))
            .fetch_optional(&mut *conn)
            .await
            .map_err(&on_error)?;
        if row.is_some() {
            return Ok(id);
        }
    }
    Err(StoreError::Conflict(format!(
        "could not find a free id for {what}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_positive_and_spread() {
        let ids: Vec<i64> = (0..1000).map(|_| random_id()).collect();
        assert!(ids.iter().all(|&id| id > 0));
        // Random ids fill the whole range: most are above 2^60.
        assert!(ids.iter().filter(|&&id| id > 1 << 60).count() > 800);
    }
}
