//! The mail outbox: mail is written in the same transaction as whatever it announces, then
//! sent by a worker. A server or SMTP relay that is down only delays mail. Rows are
//! deleted once sent, so addresses are not kept after that.

use crate::{Db, StoreError};

/// A file sent with a mail, such as an event's calendar entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub content: String,
}

/// Mail to write into the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    /// What the mail is for, such as `survey:12`, so a page can say how many are waiting.
    pub purpose: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub attachment: Option<Attachment>,
}

/// Mail taken from the outbox to send.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Mail {
    pub id: i64,
    #[sqlx(rename = "to_address")]
    pub to: String,
    pub subject: String,
    pub body: String,
    #[sqlx(flatten, try_from = "StoredAttachment")]
    pub attachment: Option<Attachment>,
    pub attempts: i64,
}

/// An attachment's three columns; an empty name means the mail has none.
#[derive(sqlx::FromRow)]
struct StoredAttachment {
    attachment_name: String,
    attachment_type: String,
    attachment: String,
}

impl From<StoredAttachment> for Option<Attachment> {
    fn from(stored: StoredAttachment) -> Option<Attachment> {
        (!stored.attachment_name.is_empty()).then_some(Attachment {
            name: stored.attachment_name,
            content_type: stored.attachment_type,
            content: stored.attachment,
        })
    }
}

/// Writes mail into the outbox inside the caller's transaction.
pub async fn enqueue(
    conn: &mut sqlx::AnyConnection,
    now: i64,
    mails: &[NewMail],
) -> Result<(), StoreError> {
    for mail in mails {
        sqlx::query(
            "INSERT INTO mail_outbox (purpose, to_address, subject, body, next_attempt_at, attachment_name, attachment_type, attachment) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&mail.purpose)
        .bind(&mail.to)
        .bind(&mail.subject)
        .bind(&mail.body)
        .bind(now)
        .bind(mail.attachment.as_ref().map_or("", |a| a.name.as_str()))
        .bind(mail.attachment.as_ref().map_or("", |a| a.content_type.as_str()))
        .bind(mail.attachment.as_ref().map_or("", |a| a.content.as_str()))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Takes up to `limit` mails that are due, each leased for `lease_seconds` so another
/// server does not send it at the same time.
pub async fn claim_due(
    db: &Db,
    now: i64,
    lease_seconds: i64,
    limit: i64,
) -> Result<Vec<Mail>, StoreError> {
    let due: Vec<Mail> = sqlx::query_as(
        "SELECT id, to_address, subject, body, attempts, attachment_name, attachment_type, attachment FROM mail_outbox WHERE next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    let mut claimed = Vec::with_capacity(due.len());
    for mail in due {
        let mut tx = db.begin_write().await?;
        let taken = sqlx::query(
            "UPDATE mail_outbox SET next_attempt_at = $1 WHERE id = $2 AND next_attempt_at <= $3",
        )
        .bind(now + lease_seconds)
        .bind(mail.id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        if taken.rows_affected() == 1 {
            claimed.push(mail);
        }
    }
    Ok(claimed)
}

/// The relay took the mail: forget it, address and all.
pub async fn sent(db: &Db, id: i64) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM mail_outbox WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The relay refused or could not be reached: try again later, waiting longer each time
/// (30 seconds doubling, at most an hour). Mail is never given up on.
pub async fn failed(db: &Db, mail: &Mail, now: i64, error: &str) -> Result<(), StoreError> {
    let wait = (30i64 << mail.attempts.clamp(0, 7)).min(3600);
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2 WHERE id = $3",
    )
    .bind(now + wait)
    .bind(error.chars().take(500).collect::<String>())
    .bind(mail.id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// How many mails for a purpose are still waiting to be sent.
pub async fn waiting(db: &Db, purpose: &str) -> Result<u64, StoreError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mail_outbox WHERE purpose = $1")
        .bind(purpose)
        .fetch_one(db.pool())
        .await?;
    Ok(n.max(0) as u64)
}
