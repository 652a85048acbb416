//! Following an organisation's published plan by email: confirmed opt-in, a link in every
//! email to stop, and changes gathered into one email per follower.

use super::percent;
use crate::mail::{self, NewMail};
use crate::{Db, StoreError};
use dignity_domain::plans::{ActionStatus, Percent};

/// What asking to follow led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Followed {
    /// A confirmation email is on its way (new, or not yet confirmed).
    ConfirmationSent,
    /// Already following: nothing is sent.
    AlreadyFollowing,
}

/// A fresh token for a follower's links: 256 random bits (the one token maker, in `dignity_crypto`).
fn token() -> String {
    dignity_crypto::token::random_token()
}

/// Asks to follow an organisation's plan. The confirmation email (made by `confirm_mail`
/// from the follower's token) is written in the same transaction.
pub async fn follow(
    db: &Db,
    organisation_id: i64,
    email: &str,
    now: i64,
    confirm_mail: &(dyn Fn(&str) -> NewMail + Sync),
) -> Result<Followed, StoreError> {
    let mut tx = db.begin_write().await?;
    let existing: Option<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, confirmed_at FROM plan_followers WHERE organisation_id = $1 AND email = $2",
    )
    .bind(organisation_id)
    .bind(email)
    .fetch_optional(&mut *tx)
    .await?;
    let token = token();
    match existing {
        Some((_, Some(_confirmed_at))) => return Ok(Followed::AlreadyFollowing),
        Some((id, None)) => {
            sqlx::query("UPDATE plan_followers SET token = $1 WHERE id = $2")
                .bind(&token)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        None => {
            sqlx::query(
                "INSERT INTO plan_followers (organisation_id, email, token, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(organisation_id)
            .bind(email)
            .bind(&token)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
    }
    mail::enqueue(&mut tx, now, &[confirm_mail(&token)]).await?;
    tx.commit().await?;
    Ok(Followed::ConfirmationSent)
}

/// The organisation a token follows, if the token is known.
pub async fn follower_organisation(db: &Db, token: &str) -> Result<Option<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT organisation_id FROM plan_followers WHERE token = $1")
            .bind(token)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Confirms a follower. Returns the organisation, or None for an unknown token.
pub async fn confirm_follower(db: &Db, token: &str, now: i64) -> Result<Option<i64>, StoreError> {
    let mut tx = db.begin_write().await?;
    let organisation: Option<i64> =
        sqlx::query_scalar("SELECT organisation_id FROM plan_followers WHERE token = $1")
            .bind(token)
            .fetch_optional(&mut *tx)
            .await?;
    if organisation.is_some() {
        sqlx::query(
            "UPDATE plan_followers SET confirmed_at = $1 WHERE token = $2 AND confirmed_at IS NULL",
        )
        .bind(now)
        .bind(token)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(organisation)
}

/// Stops following: the address is deleted. Returns the organisation, or None for an
/// unknown (or already used) token.
pub async fn unfollow(db: &Db, token: &str) -> Result<Option<i64>, StoreError> {
    let mut tx = db.begin_write().await?;
    let organisation: Option<i64> =
        sqlx::query_scalar("SELECT organisation_id FROM plan_followers WHERE token = $1")
            .bind(token)
            .fetch_optional(&mut *tx)
            .await?;
    sqlx::query("DELETE FROM plan_followers WHERE token = $1")
        .bind(token)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(organisation)
}

/// Confirmed followers of an organisation's plan: (email, token).
pub async fn followers(db: &Db, organisation_id: i64) -> Result<Vec<(String, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT email, token FROM plan_followers WHERE organisation_id = $1 AND confirmed_at IS NOT NULL ORDER BY id",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?)
}

/// Records a change of status or progress for followers, inside the caller's transaction,
/// if the plan is published and anyone follows it.
pub(super) async fn note_change(
    conn: &mut sqlx::AnyConnection,
    action_id: i64,
    now: i64,
    before: (ActionStatus, Percent),
    after: (ActionStatus, Percent),
) -> Result<(), StoreError> {
    if before == after {
        return Ok(());
    }
    let published: Option<(i64, i64)> = sqlx::query_as(
        "SELECT p.id, p.organisation_id FROM plan_actions a JOIN plans p ON p.id = a.plan_id WHERE a.id = $1 AND p.published_version IS NOT NULL",
    )
    .bind(action_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((plan_id, organisation_id)) = published else {
        return Ok(());
    };
    let following: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM plan_followers WHERE organisation_id = $1 AND confirmed_at IS NOT NULL",
    )
    .bind(organisation_id)
    .fetch_one(&mut *conn)
    .await?;
    if following == 0 {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO plan_notices (organisation_id, plan_id, action_id, old_status, old_progress, new_status, new_progress, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(organisation_id)
    .bind(plan_id)
    .bind(action_id)
    .bind(before.0.code())
    .bind(i64::from(before.1.value()))
    .bind(after.0.code())
    .bind(i64::from(after.1.value()))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A change waiting to be told to followers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub id: i64,
    pub organisation_id: i64,
    pub plan_id: i64,
    pub action_id: i64,
    pub before: (ActionStatus, Percent),
    pub after: (ActionStatus, Percent),
    pub at: i64,
}

/// A notice as stored: each side's status and progress in columns of their own.
#[derive(sqlx::FromRow)]
struct NoticeRow {
    id: i64,
    organisation_id: i64,
    plan_id: i64,
    action_id: i64,
    #[sqlx(try_from = "String")]
    old_status: ActionStatus,
    old_progress: i64,
    #[sqlx(try_from = "String")]
    new_status: ActionStatus,
    new_progress: i64,
    at: i64,
}

impl TryFrom<NoticeRow> for Notice {
    type Error = StoreError;
    fn try_from(row: NoticeRow) -> Result<Notice, StoreError> {
        Ok(Notice {
            id: row.id,
            organisation_id: row.organisation_id,
            plan_id: row.plan_id,
            action_id: row.action_id,
            before: (row.old_status, percent(row.old_progress)?),
            after: (row.new_status, percent(row.new_progress)?),
            at: row.at,
        })
    }
}

/// Every waiting notice of organisations whose oldest notice is at least `gather_seconds`
/// old, oldest first: a burst of edits is told in one email.
pub async fn due_notices(
    db: &Db,
    now: i64,
    gather_seconds: i64,
) -> Result<Vec<Notice>, StoreError> {
    sqlx::query_as::<_, NoticeRow>(
        "SELECT id, organisation_id, plan_id, action_id, old_status, old_progress, new_status, new_progress, at FROM plan_notices \
         WHERE organisation_id IN (SELECT organisation_id FROM plan_notices GROUP BY organisation_id HAVING MIN(at) <= $1) ORDER BY id",
    )
    .bind(now - gather_seconds)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(Notice::try_from)
    .collect()
}

/// Replaces told notices with the emails that tell them, in one transaction. Returns false
/// (and changes nothing) if another server told some of them first.
pub async fn deliver_notices(
    db: &Db,
    notice_ids: &[i64],
    mails: &[NewMail],
    now: i64,
) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let mut deleted = 0;
    for id in notice_ids {
        deleted += sqlx::query("DELETE FROM plan_notices WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    }
    if deleted != notice_ids.len() as u64 {
        tx.rollback().await?;
        return Ok(false);
    }
    mail::enqueue(&mut tx, now, mails).await?;
    tx.commit().await?;
    Ok(true)
}
