//! Staff comments on a published plan's actions, read by an organisation administrator
//! before they are published.

use super::Editor;
use crate::audit::{self, NewEntry};
use crate::{Db, StoreError};

/// Most comments one person can have waiting at once, so the queue cannot be flooded.
pub const MOST_WAITING: i64 = 5;

/// The start of the day `now` falls in: comments keep days, never times.
fn day_of(now: i64) -> i64 {
    now - now.rem_euclid(86_400)
}

/// Where a comment is in moderation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentState {
    Waiting,
    Published,
    Declined,
}

impl CommentState {
    fn code(self) -> &'static str {
        match self {
            CommentState::Waiting => "waiting",
            CommentState::Published => "published",
            CommentState::Declined => "declined",
        }
    }
}

/// A stored state, as the row mapping reads it.
impl TryFrom<String> for CommentState {
    type Error = StoreError;
    fn try_from(code: String) -> Result<CommentState, StoreError> {
        match code.as_str() {
            "waiting" => Ok(CommentState::Waiting),
            "published" => Ok(CommentState::Published),
            "declined" => Ok(CommentState::Declined),
            other => Err(StoreError::Corrupt(format!("comment state '{other}'"))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Comment {
    pub id: i64,
    pub plan_id: i64,
    pub action_id: i64,
    pub body: String,
    #[sqlx(try_from = "String")]
    pub state: CommentState,
    /// The start of the day it was written (UTC seconds).
    pub written_at: i64,
}

/// Saves a comment to wait for an administrator. The action must be in a published plan
/// of the writer's organisation (checked by the caller against the signed content).
pub async fn add_comment(
    db: &Db,
    organisation_id: i64,
    action_id: i64,
    person_id: i64,
    body: &str,
    now: i64,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    let plan_id: i64 = sqlx::query_scalar(
        "SELECT p.id FROM plan_actions a JOIN plans p ON p.id = a.plan_id WHERE a.id = $1 AND p.organisation_id = $2 AND p.published_version IS NOT NULL",
    )
    .bind(action_id)
    .bind(organisation_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("There is no published action {action_id}")))?;
    let waiting: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM plan_comments WHERE person_id = $1 AND state = 'waiting'",
    )
    .bind(person_id)
    .fetch_one(&mut *tx)
    .await?;
    if waiting >= MOST_WAITING {
        return Err(StoreError::Conflict(format!(
            "You already have {MOST_WAITING} comments waiting to be read. Try again when they have been read"
        )));
    }
    sqlx::query(
        "INSERT INTO plan_comments (plan_id, action_id, person_id, body, state, written_at) VALUES ($1, $2, $3, $4, 'waiting', $5)",
    )
    .bind(plan_id)
    .bind(action_id)
    .bind(person_id)
    .bind(body)
    .bind(day_of(now))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An organisation's comments in one state, oldest first.
pub async fn comments(
    db: &Db,
    organisation_id: i64,
    state: CommentState,
) -> Result<Vec<Comment>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.plan_id, c.action_id, c.body, c.state, c.written_at FROM plan_comments c JOIN plans p ON p.id = c.plan_id WHERE p.organisation_id = $1 AND c.state = $2 ORDER BY c.id",
    )
    .bind(organisation_id)
    .bind(state.code())
    .fetch_all(db.pool())
    .await?)
}

/// Publishes or declines a waiting comment; the decision is audited (not the words). The
/// writer is forgotten here: they were kept only to count what they have waiting.
pub async fn moderate(
    db: &Db,
    editor: Editor<'_>,
    comment_id: i64,
    publish: bool,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    let state = if publish {
        CommentState::Published
    } else {
        CommentState::Declined
    };
    let changed = sqlx::query(
        "UPDATE plan_comments SET state = $1, moderated_at = $2, person_id = NULL WHERE id = $3 AND state = 'waiting' \
         AND plan_id IN (SELECT id FROM plans WHERE organisation_id = $4)",
    )
    .bind(state.code())
    .bind(day_of(editor.now))
    .bind(comment_id)
    .bind(editor.organisation.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(StoreError::NotFound(format!(
            "There is no comment {comment_id} waiting to be read"
        )));
    }
    audit::append(
        &mut tx,
        editor.now,
        &NewEntry {
            actor: editor.actor,
            organisation: Some(&editor.organisation.ods_code),
            action: "plan.comment",
            detail: &format!("Comment {comment_id} {}", state.code()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
