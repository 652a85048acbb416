//! Board member references between organisations (migration 0048). The words are
//! ciphertext here: sealed to the writing record's key, and once released, to the asking
//! record's key.

use super::{audit_entry, day};
use crate::audit;
use crate::error::conflict_or;
use crate::identity::Organisation;
use crate::{Db, StoreError};
use dignity_domain::speakup::Day;

/// A written reference. `words` is ciphertext under the record's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub member_id: i64,
    pub written_on: Day,
    pub written_by: i64,
    pub words: Vec<u8>,
}

/// A request for a reference, from the asking record (`for_member_id`) to the record
/// whose reference it wants (`of_member_id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub id: i64,
    pub for_member_id: i64,
    pub of_member_id: i64,
    pub requested_on: Day,
    pub requested_by: i64,
    pub released_on: Option<Day>,
    pub released_by: Option<i64>,
    /// The reference sealed to the asking record's key, once released.
    pub words: Option<Vec<u8>>,
}

type RequestRow = (
    i64,
    i64,
    i64,
    String,
    i64,
    Option<String>,
    Option<i64>,
    Option<Vec<u8>>,
);

const REQUEST_COLUMNS: &str = "id, for_member_id, of_member_id, requested_on, requested_by, \
    released_on, released_by, words";

fn request_from(row: RequestRow) -> Result<Request, StoreError> {
    let (
        id,
        for_member_id,
        of_member_id,
        requested_on,
        requested_by,
        released_on,
        released_by,
        words,
    ) = row;
    Ok(Request {
        id,
        for_member_id,
        of_member_id,
        requested_on: day(&requested_on)?,
        requested_by,
        released_on: released_on.as_deref().map(day).transpose()?,
        released_by,
        words,
    })
}

/// Keeps the reference an organisation wrote about a member who left its board, audited
/// (the audit says it was written, never what it says). A second is a conflict: a
/// reference stands as written.
pub async fn write(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    written: &Written,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO board_references (member_id, written_on, written_by, words) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(written.member_id)
    .bind(written.written_on.to_string())
    .bind(written.written_by)
    .bind(&written.words)
    .execute(&mut *tx)
    .await
    .map_err(|e| conflict_or(e, "The reference is written already. It stands as written"))?;
    audit::append(
        &mut tx,
        now,
        &audit_entry(
            actor,
            org,
            "board.reference_written",
            &format!("Wrote the reference for board member {}", written.member_id),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The reference written about this record, if there is one.
pub async fn written(db: &Db, member_id: i64) -> Result<Option<Written>, StoreError> {
    let row: Option<(i64, String, i64, Vec<u8>)> = sqlx::query_as(
        "SELECT member_id, written_on, written_by, words FROM board_references \
         WHERE member_id = $1",
    )
    .bind(member_id)
    .fetch_optional(db.pool())
    .await?;
    row.map(|(member_id, on, written_by, words)| {
        Ok(Written {
            member_id,
            written_on: day(&on)?,
            written_by,
            words,
        })
    })
    .transpose()
}

/// Records a request, audited in both organisations' logs. A second request between the
/// same two records is a conflict.
pub async fn request(
    db: &Db,
    actor: &str,
    now: i64,
    (asking, asked): (&Organisation, &Organisation),
    (for_member_id, of_member_id): (i64, i64),
    (requested_on, requested_by): (Day, i64),
) -> Result<i64, StoreError> {
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO board_reference_requests (for_member_id, of_member_id, requested_on, \
         requested_by) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(for_member_id)
    .bind(of_member_id)
    .bind(requested_on.to_string())
    .bind(requested_by)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| {
        conflict_or(
            e,
            format!("A reference is already asked for from {}", asked.name),
        )
    })?;
    for (org, detail) in [
        (
            asking,
            format!(
                "Asked {} for the reference of board member {for_member_id} (request {id})",
                asked.name
            ),
        ),
        (
            asked,
            format!(
                "{} asked for the reference of board member {of_member_id} (request {id})",
                asking.name
            ),
        ),
    ] {
        audit::append(
            &mut tx,
            now,
            &audit_entry(actor, org, "board.reference_requested", &detail),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Requests made from this record, or for this record's reference.
pub async fn requests_of(db: &Db, member_id: i64) -> Result<Vec<Request>, StoreError> {
    let rows: Vec<RequestRow> = sqlx::query_as(&format!(
        "SELECT {REQUEST_COLUMNS} FROM board_reference_requests \
         WHERE for_member_id = $1 OR of_member_id = $1 ORDER BY id"
    ))
    .bind(member_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(request_from).collect()
}

/// The requests waiting for an organisation to release a reference, oldest first.
pub async fn waiting_for(db: &Db, organisation_id: i64) -> Result<Vec<Request>, StoreError> {
    let rows: Vec<RequestRow> = sqlx::query_as(&format!(
        "SELECT {REQUEST_COLUMNS} FROM board_reference_requests WHERE released_on IS NULL \
         AND of_member_id IN (SELECT id FROM board_members WHERE organisation_id = $1) \
         ORDER BY id"
    ))
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(request_from).collect()
}

/// Releases a reference to the record that asked for it: the words sealed to that
/// record's key, audited in both organisations' logs. Only a request not yet released,
/// for this record's reference, is released.
pub async fn release(
    db: &Db,
    actor: &str,
    now: i64,
    (asked, asking): (&Organisation, &Organisation),
    request: &Request,
    (released_on, released_by): (Day, i64),
    words: &[u8],
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE board_reference_requests SET released_on = $1, released_by = $2, words = $3 \
         WHERE id = $4 AND of_member_id = $5 AND released_on IS NULL",
    )
    .bind(released_on.to_string())
    .bind(released_by)
    .bind(words)
    .bind(request.id)
    .bind(request.of_member_id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict(
            "The reference is released already".into(),
        ));
    }
    for (org, detail) in [
        (
            asked,
            format!(
                "Released the reference of board member {} to {} (request {})",
                request.of_member_id, asking.name, request.id
            ),
        ),
        (
            asking,
            format!(
                "{} released the reference for board member {} (request {})",
                asked.name, request.for_member_id, request.id
            ),
        ),
    ] {
        audit::append(
            &mut tx,
            now,
            &audit_entry(actor, org, "board.reference_released", &detail),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Records that a released reference was read, in the reader's log and in the log of the
/// organisation that wrote it.
pub async fn released_read(
    db: &Db,
    actor: &str,
    now: i64,
    (reader, writer): (&Organisation, &Organisation),
    request: &Request,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    for (org, detail) in [
        (
            reader,
            format!(
                "Read the reference from {} for board member {} (request {})",
                writer.name, request.for_member_id, request.id
            ),
        ),
        (
            writer,
            format!(
                "{} read the reference it released about board member {} (request {})",
                reader.name, request.of_member_id, request.id
            ),
        ),
    ] {
        audit::append(
            &mut tx,
            now,
            &audit_entry(actor, org, "board.reference_read", &detail),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
