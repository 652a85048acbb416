//! Keeping staff voice safe: reports, the moderators' queue, decisions with their reason
//! and rule (shown on the post), appeals, blocks, and the one audited way to see whose
//! account wrote a post. Every decision is audited in the transaction that makes it.

use super::{Actor, On};
use crate::audit::{self, NewEntry};
use crate::{Db, StoreError};
use dignity_domain::voice::Moderation;

/// One post: an idea, or a comment (on an idea or on a leader's update).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Post {
    Idea(i64),
    Comment(i64),
}

impl Post {
    /// The two columns that name it: its kind and id.
    fn columns(self) -> (&'static str, i64) {
        match self {
            Post::Idea(id) => ("idea", id),
            Post::Comment(id) => ("comment", id),
        }
    }

    fn table(self) -> &'static str {
        match self {
            Post::Idea(_) => "voice_ideas",
            Post::Comment(_) => "voice_comments",
        }
    }

    fn id(self) -> i64 {
        match self {
            Post::Idea(id) | Post::Comment(id) => id,
        }
    }

    fn words(self) -> String {
        match self {
            Post::Idea(id) => format!("idea {id}"),
            Post::Comment(id) => format!("comment {id}"),
        }
    }
}

/// What a moderator may do to a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Take a shown or held post down.
    Hide,
    /// Put a hidden post back up.
    Restore,
    /// Let a post the check held go up.
    Release,
    /// Leave a shown or hidden post as it is, settling its reports or its author's appeal.
    Keep,
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Action::Hide => "hide",
            Action::Restore => "restore",
            Action::Release => "release",
            Action::Keep => "keep",
        }
    }

    /// The state a post may be in for this action, and the state it goes to.
    fn applies_to(self) -> (&'static [Moderation], Moderation) {
        match self {
            Action::Hide => (&[Moderation::Shown, Moderation::Held], Moderation::Hidden),
            Action::Restore => (&[Moderation::Hidden], Moderation::Shown),
            Action::Release => (&[Moderation::Held], Moderation::Shown),
            // The state it goes to is its own: `decide` leaves it alone.
            Action::Keep => (&[Moderation::Shown, Moderation::Hidden], Moderation::Shown),
        }
    }
}

/// The post's current state and author, the organisation of its challenge (`None` for a
/// national one), and the idea or update it is (or is on).
async fn post_facts(
    conn: &mut sqlx::AnyConnection,
    post: Post,
    lock: &str,
) -> Result<(Moderation, i64, Option<i64>, On), StoreError> {
    let sql = match post {
        Post::Idea(_) => format!(
            "SELECT i.moderation, i.author_id, c.organisation_id, i.id, NULL FROM voice_ideas i \
             JOIN voice_challenges c ON c.id = i.challenge_id WHERE i.id = $1{lock}"
        ),
        // PostgreSQL cannot lock the empty side of an outer join: the comment's row is
        // the one decisions change.
        Post::Comment(_) => format!(
            "SELECT m.moderation, m.author_id, c.organisation_id, m.idea_id, m.update_id \
             FROM voice_comments m \
             LEFT JOIN voice_ideas i ON i.id = m.idea_id \
             LEFT JOIN voice_updates u ON u.id = m.update_id \
             JOIN voice_challenges c ON c.id = COALESCE(i.challenge_id, u.challenge_id) \
             WHERE m.id = $1{lock}{}",
            if lock.is_empty() { "" } else { " OF m" }
        ),
    };
    type Facts = (String, i64, Option<i64>, Option<i64>, Option<i64>);
    let found: Option<Facts> = sqlx::query_as(&sql)
        .bind(post.id())
        .fetch_optional(&mut *conn)
        .await?;
    let (state, author, organisation, idea, update) =
        found.ok_or_else(|| StoreError::NotFound("There is no such post".into()))?;
    let on = match (idea, update) {
        (Some(idea), _) => On::Idea(idea),
        (None, Some(update)) => On::Update(update),
        (None, None) => {
            return Err(StoreError::Corrupt(format!(
                "{} is on nothing",
                post.words()
            )));
        }
    };
    Ok((state.parse()?, author, organisation, on))
}

/// The organisation whose moderators look after a post (`None`: the platform's), or not
/// found.
pub async fn organisation_of(db: &Db, post: Post) -> Result<Option<i64>, StoreError> {
    let mut conn = db.pool().acquire().await?;
    Ok(post_facts(&mut conn, post, "").await?.2)
}

/// Reports a post with a reason; false if this person reported it already.
pub async fn report(
    db: &Db,
    post: Post,
    reporter_id: i64,
    reason: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let (kind, id) = post.columns();
    let mut tx = db.begin_write().await?;
    post_facts(&mut tx, post, "").await?;
    let added = sqlx::query(
        "INSERT INTO voice_reports (post_kind, post_id, reporter_id, reason, reported_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(kind)
    .bind(id)
    .bind(reporter_id)
    .bind(reason)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    tx.commit().await?;
    Ok(added)
}

/// A post waiting for a moderator: held by the check, or reported and not yet decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub post: Post,
    /// The idea or update it is (or is on).
    pub on: On,
    pub moderation: Moderation,
    /// Why the check held it, if it did.
    pub held_because: Option<String>,
    /// Each open report's reason, oldest first.
    pub reports: Vec<String>,
    pub body: String,
}

/// What waits for the moderators of `organisation_id` (`None`: national challenges),
/// oldest first.
pub async fn queue(db: &Db, organisation_id: Option<i64>) -> Result<Vec<Waiting>, StoreError> {
    // Organisation -1 matches no challenge: `None` asks for the national ones instead.
    let scope = "((c.organisation_id IS NULL AND $1 = -1) OR c.organisation_id = $1)";
    let ideas: Vec<(i64, String, Option<String>, String, i64)> = sqlx::query_as(&format!(
        "SELECT i.id, i.moderation, i.moderation_reason, i.title || ': ' || i.body, i.posted_at \
         FROM voice_ideas i JOIN voice_challenges c ON c.id = i.challenge_id \
         WHERE {scope} AND (i.moderation = 'held' OR EXISTS (SELECT 1 FROM voice_reports r \
         WHERE r.post_kind = 'idea' AND r.post_id = i.id AND r.settled_at IS NULL))"
    ))
    .bind(organisation_id.unwrap_or(-1))
    .fetch_all(db.pool())
    .await?;
    type CommentRow = (
        i64,
        Option<i64>,
        Option<i64>,
        String,
        Option<String>,
        String,
        i64,
    );
    let comments: Vec<CommentRow> = sqlx::query_as(&format!(
        "SELECT m.id, m.idea_id, m.update_id, m.moderation, m.moderation_reason, m.body, \
         m.posted_at FROM voice_comments m \
         LEFT JOIN voice_ideas i ON i.id = m.idea_id \
         LEFT JOIN voice_updates u ON u.id = m.update_id \
         JOIN voice_challenges c ON c.id = COALESCE(i.challenge_id, u.challenge_id) \
         WHERE {scope} AND (m.moderation = 'held' OR EXISTS (SELECT 1 FROM voice_reports r \
         WHERE r.post_kind = 'comment' AND r.post_id = m.id AND r.settled_at IS NULL))"
    ))
    .bind(organisation_id.unwrap_or(-1))
    .fetch_all(db.pool())
    .await?;
    let mut waiting = Vec::new();
    for (id, state, held, body, at) in ideas {
        waiting.push((at, Post::Idea(id), On::Idea(id), state, held, body));
    }
    for (id, idea, update, state, held, body, at) in comments {
        let on = match (idea, update) {
            (Some(idea), _) => On::Idea(idea),
            (None, Some(update)) => On::Update(update),
            (None, None) => {
                return Err(StoreError::Corrupt(format!("comment {id} is on nothing")));
            }
        };
        waiting.push((at, Post::Comment(id), on, state, held, body));
    }
    waiting.sort_by_key(|w| (w.0, w.1.id()));
    let mut out = Vec::with_capacity(waiting.len());
    for (_, post, on, state, held, body) in waiting {
        let (kind, id) = post.columns();
        let reports: Vec<String> = sqlx::query_scalar(
            "SELECT reason FROM voice_reports WHERE settled_at IS NULL \
             AND post_kind = $1 AND post_id = $2 ORDER BY reported_at, id",
        )
        .bind(kind)
        .bind(id)
        .fetch_all(db.pool())
        .await?;
        let moderation: Moderation = state.parse()?;
        out.push(Waiting {
            post,
            on,
            moderation,
            held_because: (moderation == Moderation::Held).then_some(held).flatten(),
            reports,
            body,
        });
    }
    Ok(out)
}

/// A moderator's decision, as kept and shown on the post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub action: Action,
    pub rule: Option<i64>,
    pub reason: String,
    pub decided_at: i64,
}

/// Hides, restores or releases a post with a reason (and the community rule it breaks,
/// for hiding), settles its open reports, keeps the decision and audits it, in one
/// transaction. A post not in a state the action applies to is a conflict: two
/// moderators deciding at once get one decision.
pub async fn decide(
    db: &Db,
    actor: Actor<'_>,
    post: Post,
    action: Action,
    rule: Option<i64>,
    reason: &str,
    now: i64,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    let (state, _, _, on) = post_facts(&mut tx, post, db.lock_rows()).await?;
    let (from, to) = action.applies_to();
    if !from.contains(&state) {
        return Err(StoreError::Conflict(format!(
            "This post is {} now, so it cannot be {}",
            state.label().to_lowercase(),
            match action {
                Action::Hide => "hidden",
                Action::Restore => "restored",
                Action::Release => "released",
                Action::Keep => "kept as it is",
            }
        )));
    }
    let shown_reason = match (action, rule) {
        (Action::Hide, Some(rule)) => Some(format!("breaks rule {rule}: {reason}")),
        (Action::Hide, None) => Some(reason.to_owned()),
        _ => None,
    };
    if action != Action::Keep {
        sqlx::query(&format!(
            "UPDATE {} SET moderation = $1, moderation_reason = $2, \
             was_shown = CASE WHEN $1 = 'shown' THEN 1 ELSE was_shown END WHERE id = $3",
            post.table()
        ))
        .bind(to.code())
        .bind(&shown_reason)
        .bind(post.id())
        .execute(&mut *tx)
        .await?;
    }
    if let (Post::Idea(id), false) = (post, action == Action::Keep) {
        super::log_idea_change(&mut tx, id).await?;
    }
    // A held idea let through is new to the challenge's followers.
    if let (Post::Idea(id), Action::Release) = (post, action) {
        super::follow::record(&mut tx, id, super::follow::EventKind::Idea, "", now).await?;
    }
    // A comment's idea or update counts its shown comments.
    if let (Post::Comment(_), false) = (post, action == Action::Keep) {
        let change = match (state == Moderation::Shown, to == Moderation::Shown) {
            (false, true) => 1,
            (true, false) => -1,
            _ => 0,
        };
        if change != 0 {
            on.count_comments(&mut tx, change).await?;
        }
    }
    let (kind, id) = post.columns();
    sqlx::query(
        "UPDATE voice_reports SET settled_at = $1 WHERE settled_at IS NULL \
         AND post_kind = $2 AND post_id = $3",
    )
    .bind(now)
    .bind(kind)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO voice_decisions (post_kind, post_id, moderator, action, rule, reason, \
         decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(kind)
    .bind(id)
    .bind(actor.email)
    .bind(action.code())
    .bind(rule)
    .bind(reason)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor: actor.email,
            organisation: actor.ods_code,
            action: "voice.moderated",
            detail: &format!("{} {}: {reason}", action.code(), post.words()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A post's decisions, oldest first.
pub async fn decisions(db: &Db, post: Post) -> Result<Vec<Decision>, StoreError> {
    let (kind, id) = post.columns();
    let rows: Vec<(String, Option<i64>, String, i64)> = sqlx::query_as(
        "SELECT action, rule, reason, decided_at FROM voice_decisions \
         WHERE post_kind = $1 AND post_id = $2 ORDER BY decided_at, id",
    )
    .bind(kind)
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(action, rule, reason, decided_at)| {
            let action = match action.as_str() {
                "hide" => Action::Hide,
                "keep" => Action::Keep,
                "restore" => Action::Restore,
                "release" => Action::Release,
                other => {
                    return Err(StoreError::Corrupt(format!(
                        "a moderation decision says {other}"
                    )));
                }
            };
            Ok(Decision {
                action,
                rule,
                reason,
                decided_at,
            })
        })
        .collect()
}

/// The author's appeal against a hidden or held post of theirs, once a post.
pub async fn appeal(
    db: &Db,
    post: Post,
    author_id: i64,
    words: &str,
    now: i64,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    let (state, author, _, _) = post_facts(&mut tx, post, "").await?;
    if author != author_id {
        return Err(StoreError::NotFound("There is no such post".into()));
    }
    if state == Moderation::Shown {
        return Err(StoreError::Conflict(
            "This post is shown, so there is nothing to appeal".into(),
        ));
    }
    let (kind, id) = post.columns();
    sqlx::query(
        "INSERT INTO voice_appeals (post_kind, post_id, author_id, words, made_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(kind)
    .bind(id)
    .bind(author_id)
    .bind(words)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(|e| crate::error::conflict_or(e, "You have appealed about this post already"))?;
    // An appeal puts the post back in the moderators' queue as a report would.
    sqlx::query(
        "INSERT INTO voice_reports (post_kind, post_id, reporter_id, reason, reported_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(kind)
    .bind(id)
    .bind(author_id)
    .bind(format!("The author appeals: {words}"))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Stops someone posting, audited; their posts stay as they are.
pub async fn block(
    db: &Db,
    actor: Actor<'_>,
    person_id: i64,
    reason: &str,
    now: i64,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO voice_blocks (person_id, blocked_by, reason, blocked_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(person_id)
    .bind(actor.email)
    .bind(reason)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(|e| crate::error::conflict_or(e, "This person is stopped from posting already"))?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor: actor.email,
            organisation: actor.ods_code,
            action: "voice.blocked",
            detail: &format!("Stopped an account from posting: {reason}"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Stops the author of `post` posting, without telling the moderator who they are.
pub async fn block_author(
    db: &Db,
    actor: Actor<'_>,
    post: Post,
    reason: &str,
    now: i64,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    let (_, author, _, _) = post_facts(&mut tx, post, "").await?;
    // Blocking someone stopped already changes nothing and says nothing: a "stopped
    // already" answer would tell the moderator two posts share an author (outside attack,
    // 2026-12-06). Each step is audited, naming the post.
    sqlx::query(
        "INSERT INTO voice_blocks (person_id, blocked_by, reason, blocked_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (person_id) DO NOTHING",
    )
    .bind(author)
    .bind(actor.email)
    .bind(reason)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor: actor.email,
            organisation: actor.ods_code,
            action: "voice.blocked",
            detail: &format!(
                "Stopped the author of {} from posting: {reason}",
                post.words()
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn is_blocked(db: &Db, person_id: i64) -> Result<bool, StoreError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT person_id FROM voice_blocks WHERE person_id = $1")
            .bind(person_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(found.is_some())
}

/// The email of the account that wrote a post: the one way to link a post to a person,
/// for a moderator or the platform with a reason, audited before it is given.
pub async fn author_of(
    db: &Db,
    actor: Actor<'_>,
    post: Post,
    reason: &str,
    now: i64,
) -> Result<String, StoreError> {
    let mut tx = db.begin_write().await?;
    let (_, author, _, _) = post_facts(&mut tx, post, "").await?;
    let email: String = sqlx::query_scalar("SELECT email FROM people WHERE id = $1")
        .bind(author)
        .fetch_one(&mut *tx)
        .await?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor: actor.email,
            organisation: actor.ods_code,
            action: "voice.author_revealed",
            detail: &format!("Saw who wrote {}: {reason}", post.words()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(email)
}
