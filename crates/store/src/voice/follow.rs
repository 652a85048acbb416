//! Following staff voice: a challenge (its new ideas and every answer under it) or one idea
//! (its answers and its plan action's progress). What followers hear of is a log of
//! events written in the same transaction as the change; each follower has a place in it,
//! so a digest says each thing once, and two servers cannot both send it.

use crate::mail::{self, NewMail};
use crate::{Db, StoreError};

/// What someone follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Challenge(i64),
    Idea(i64),
}

impl Target {
    /// (challenge_id, idea_id): exactly one is set.
    fn columns(self) -> (Option<i64>, Option<i64>) {
        match self {
            Target::Challenge(id) => (Some(id), None),
            Target::Idea(id) => (None, Some(id)),
        }
    }
}

/// What a follower hears of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// An idea was shown for the first time.
    Idea,
    /// An idea was given an official answer.
    Answer,
    /// The plan action an idea is linked to changed.
    Action,
    /// A leader posted an update on the challenge.
    Update,
}

/// What an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum About {
    Idea(i64),
    Update(i64),
}

impl EventKind {
    fn code(self) -> &'static str {
        match self {
            EventKind::Idea => "idea",
            EventKind::Answer => "answer",
            EventKind::Action => "action",
            EventKind::Update => "update",
        }
    }

    fn parse(code: &str) -> Result<EventKind, StoreError> {
        match code {
            "idea" => Ok(EventKind::Idea),
            "answer" => Ok(EventKind::Answer),
            "action" => Ok(EventKind::Action),
            "update" => Ok(EventKind::Update),
            other => Err(StoreError::Corrupt(format!(
                "voice event kind {other:?} is unknown"
            ))),
        }
    }
}

/// Notes an event for followers, inside the caller's transaction.
pub(crate) async fn record(
    conn: &mut sqlx::AnyConnection,
    idea_id: i64,
    kind: EventKind,
    detail: &str,
    now: i64,
) -> Result<(), StoreError> {
    let event: Option<(i64, i64)> = sqlx::query_as(
        "INSERT INTO voice_events (challenge_id, idea_id, kind, detail, at) \
         SELECT challenge_id, id, $2, $3, $4 FROM voice_ideas WHERE id = $1 \
         RETURNING id, challenge_id",
    )
    .bind(idea_id)
    .bind(kind.code())
    .bind(detail)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((event, challenge_id)) = event else {
        return Ok(());
    };
    challenge_moved_to(conn, challenge_id, event).await?;
    // An idea's own followers hear of its answers and plan action, not that it was posted.
    if kind != EventKind::Idea {
        sqlx::query(
            "UPDATE voice_ideas SET last_event = CASE WHEN last_event < $1 THEN $1 \
             ELSE last_event END WHERE id = $2",
        )
        .bind(event)
        .bind(idea_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Moves a challenge's newest event forward to `event`. Only ever forward: on PostgreSQL
/// two changes can take their numbers in one order and reach this row in the other.
async fn challenge_moved_to(
    conn: &mut sqlx::AnyConnection,
    challenge_id: i64,
    event: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE voice_challenges SET last_event = CASE WHEN last_event < $1 THEN $1 \
         ELSE last_event END WHERE id = $2",
    )
    .bind(event)
    .bind(challenge_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Notes a leader's new update for the challenge's followers, inside the caller's
/// transaction.
pub(crate) async fn record_update(
    conn: &mut sqlx::AnyConnection,
    update_id: i64,
    now: i64,
) -> Result<(), StoreError> {
    let event: Option<(i64, i64)> = sqlx::query_as(
        "INSERT INTO voice_events (challenge_id, update_id, kind, detail, at) \
         SELECT challenge_id, id, 'update', '', $2 FROM voice_updates WHERE id = $1 \
         RETURNING id, challenge_id",
    )
    .bind(update_id)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((event, challenge_id)) = event {
        challenge_moved_to(conn, challenge_id, event).await?;
    }
    Ok(())
}

/// Notes, inside the caller's transaction, that a plan action changed, for the followers
/// of every shown idea linked to it.
pub(crate) async fn record_action_change(
    conn: &mut sqlx::AnyConnection,
    action_id: i64,
    detail: &str,
    now: i64,
) -> Result<(), StoreError> {
    let linked: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM voice_ideas WHERE plan_action_id = $1 AND moderation = 'shown' ORDER BY id",
    )
    .bind(action_id)
    .fetch_all(&mut *conn)
    .await?;
    for idea_id in linked {
        record(conn, idea_id, EventKind::Action, detail, now).await?;
    }
    Ok(())
}

/// Starts following, inside the caller's transaction; false if already following. They
/// hear only of what comes after (the follow keeps the newest event's number), and
/// someone following for the first time gets their first digest a day from now at the
/// soonest; someone who follows other things already keeps their day.
pub(crate) async fn follow_in(
    conn: &mut sqlx::AnyConnection,
    person_id: i64,
    target: Target,
    now: i64,
) -> Result<bool, StoreError> {
    let (challenge_id, idea_id) = target.columns();
    let exists: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM voice_follows WHERE person_id = $1 \
         AND (challenge_id = $2 OR idea_id = $3)",
    )
    .bind(person_id)
    .bind(challenge_id.unwrap_or(-1))
    .bind(idea_id.unwrap_or(-1))
    .fetch_optional(&mut *conn)
    .await?;
    if exists.is_some() {
        return Ok(false);
    }
    // The unique indexes settle two at once: the loser follows already.
    let added = sqlx::query(
        "INSERT INTO voice_follows (person_id, challenge_id, idea_id, since_event) \
         SELECT $1, $2, $3, COALESCE(MAX(id), 0) FROM voice_events WHERE 1 = 1 \
         ON CONFLICT DO NOTHING",
    )
    .bind(person_id)
    .bind(challenge_id)
    .bind(idea_id)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    sqlx::query(
        "INSERT INTO voice_digests (person_id, told_through, emailed_at) \
         SELECT $1, COALESCE(MAX(id), 0), $2 FROM voice_events WHERE 1 = 1 \
         ON CONFLICT (person_id) DO NOTHING",
    )
    .bind(person_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(added)
}

/// Starts following; false if already following.
pub async fn follow(db: &Db, person_id: i64, target: Target, now: i64) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let added = follow_in(&mut tx, person_id, target, now).await?;
    tx.commit().await?;
    Ok(added)
}

/// Stops following; false if not following.
pub async fn unfollow(db: &Db, person_id: i64, target: Target) -> Result<bool, StoreError> {
    let (challenge_id, idea_id) = target.columns();
    let mut tx = db.begin_write().await?;
    let removed = sqlx::query(
        "DELETE FROM voice_follows WHERE person_id = $1 AND (challenge_id = $2 OR idea_id = $3)",
    )
    .bind(person_id)
    .bind(challenge_id.unwrap_or(-1))
    .bind(idea_id.unwrap_or(-1))
    .execute(&mut *tx)
    .await?
    .rows_affected()
        > 0;
    tx.commit().await?;
    Ok(removed)
}

/// Whether `person_id` follows `target`.
pub async fn follows(db: &Db, person_id: i64, target: Target) -> Result<bool, StoreError> {
    let (challenge_id, idea_id) = target.columns();
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM voice_follows WHERE person_id = $1 \
         AND (challenge_id = $2 OR idea_id = $3)",
    )
    .bind(person_id)
    .bind(challenge_id.unwrap_or(-1))
    .bind(idea_id.unwrap_or(-1))
    .fetch_optional(db.pool())
    .await?;
    Ok(found.is_some())
}

/// A follower whose digest is due: they have news, and their last one went at least
/// `every` seconds ago.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct DueDigest {
    pub person_id: i64,
    pub told_through: i64,
}

/// How long an event waits before a digest may tell it. Event numbers are taken when a
/// change is written, so on PostgreSQL a slow transaction can show an older number after
/// a newer one; a place moved past it would skip it. No change's transaction is anywhere
/// near this long.
pub const SETTLE_SECONDS: i64 = 60;

/// Followers whose digest is due at `now`, and the newest settled event then: each
/// digest tells up to it. Who has news is read from each followed challenge's and idea's
/// newest event, so the cost follows the number of follows, not of events.
pub async fn due_digests(
    db: &Db,
    now: i64,
    every: i64,
) -> Result<(Vec<DueDigest>, i64), StoreError> {
    let newest: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM voice_events WHERE at <= $1")
        .bind(now - SETTLE_SECONDS)
        .fetch_one(db.pool())
        .await?;
    let newest = newest.unwrap_or(0);
    let due = sqlx::query_as(
        "SELECT d.person_id, d.told_through FROM voice_digests d \
         WHERE d.emailed_at <= $1 AND d.told_through < $2 AND EXISTS ( \
           SELECT 1 FROM voice_follows f \
           LEFT JOIN voice_challenges c ON c.id = f.challenge_id \
           LEFT JOIN voice_ideas i ON i.id = f.idea_id \
           WHERE f.person_id = d.person_id AND ( \
             (c.last_event > d.told_through AND c.last_event > f.since_event) \
             OR (i.last_event > d.told_through AND i.last_event > f.since_event))) \
         ORDER BY d.person_id",
    )
    .bind(now - every)
    .bind(newest)
    .fetch_all(db.pool())
    .await?;
    Ok((due, newest))
}

/// Joins an event `t` to its idea (if it is about one) and challenge, for [`MAY_READ`].
const TOLD: &str = "LEFT JOIN voice_ideas ti ON ti.id = t.idea_id \
     JOIN voice_challenges tc ON tc.id = t.challenge_id";

/// What a follower may be told of event `t`: a leader's update or a shown idea, under a
/// national challenge or one of an organisation they are in.
const MAY_READ: &str = "(t.update_id IS NOT NULL OR ti.moderation = 'shown') \
     AND (tc.organisation_id IS NULL \
     OR tc.organisation_id IN (SELECT organisation_id FROM memberships WHERE person_id = $1))";

/// One thing a follower hears of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: i64,
    pub challenge_id: i64,
    pub organisation_id: Option<i64>,
    pub question: String,
    pub about: About,
    pub title: String,
    pub kind: EventKind,
    pub detail: String,
    pub at: i64,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    challenge_id: i64,
    organisation_id: Option<i64>,
    question: String,
    idea_id: Option<i64>,
    update_id: Option<i64>,
    title: String,
    kind: String,
    detail: String,
    at: i64,
}

/// What `person_id` follows that happened after `after` up to `up_to` (and after they
/// started following it), oldest first, at most `most`: about shown ideas only (a hidden
/// idea's news is not told), and an organisation's challenges only while they are in it.
/// A challenge's followers hear of everything under it; an idea's, of its answers and its
/// plan action.
pub async fn events_for(
    db: &Db,
    person_id: i64,
    (after, up_to): (i64, i64),
    most: i64,
) -> Result<Vec<Event>, StoreError> {
    // Each follow is read from its own index in order and stops at `most`, with what may
    // be told decided as it goes: a busy challenge's thousands of changes are never all
    // gathered (an outside attack measured 40 ms a follower when they were), and nothing
    // allowed is lost behind what is not.
    let follows: Vec<(Option<i64>, Option<i64>, i64)> = sqlx::query_as(
        "SELECT challenge_id, idea_id, since_event FROM voice_follows WHERE person_id = $1",
    )
    .bind(person_id)
    .fetch_all(db.pool())
    .await?;
    let mut ids: Vec<i64> = Vec::new();
    for (challenge_id, idea_id, since) in follows {
        let (column, kinds, target) = match (challenge_id, idea_id) {
            (Some(challenge), _) => ("challenge_id", "", challenge),
            (None, Some(idea)) => ("idea_id", "AND t.kind <> 'idea'", idea),
            (None, None) => continue,
        };
        let found: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT t.id FROM voice_events t {TOLD} \
             WHERE t.{column} = $5 {kinds} AND t.id > $2 AND t.id <= $3 AND {MAY_READ} \
             ORDER BY t.id LIMIT $4"
        ))
        .bind(person_id)
        .bind(after.max(since))
        .bind(up_to)
        .bind(most)
        .bind(target)
        .fetch_all(db.pool())
        .await?;
        ids.extend(found);
    }
    ids.sort_unstable();
    ids.dedup();
    ids.truncate(usize::try_from(most).unwrap_or(0));
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Ids are numbers, so writing them into the query is safe.
    let listed = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let rows: Vec<EventRow> = sqlx::query_as(&format!(
        "SELECT e.id, e.challenge_id, c.organisation_id, c.question, e.idea_id, e.update_id, \
         COALESCE(i.title, u.title) AS title, e.kind, e.detail, e.at FROM voice_events e \
         LEFT JOIN voice_ideas i ON i.id = e.idea_id \
         LEFT JOIN voice_updates u ON u.id = e.update_id \
         JOIN voice_challenges c ON c.id = e.challenge_id \
         WHERE e.id IN ({listed}) ORDER BY e.id"
    ))
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Event {
                id: r.id,
                challenge_id: r.challenge_id,
                organisation_id: r.organisation_id,
                question: r.question,
                about: match (r.idea_id, r.update_id) {
                    (Some(idea), _) => About::Idea(idea),
                    (None, Some(update)) => About::Update(update),
                    (None, None) => {
                        return Err(StoreError::Corrupt(format!(
                            "voice event {} is about nothing",
                            r.id
                        )));
                    }
                },
                title: r.title,
                kind: EventKind::parse(&r.kind)?,
                detail: r.detail,
                at: r.at,
            })
        })
        .collect()
}

/// Moves a follower's place from `was` to `up_to` and writes their digest (if there is
/// one to send) in the same transaction. False, with nothing written, when another
/// server moved the place first.
pub async fn deliver_digest(
    db: &Db,
    person_id: i64,
    (was, up_to): (i64, i64),
    digest: Option<&NewMail>,
    now: i64,
) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    // A place moved past news that is no longer shown sends nothing, and keeps the day's
    // digest for real news.
    let moved = match digest {
        Some(_) => sqlx::query(
            "UPDATE voice_digests SET told_through = $1, emailed_at = $2 \
             WHERE person_id = $3 AND told_through = $4",
        )
        .bind(up_to)
        .bind(now)
        .bind(person_id)
        .bind(was),
        None => sqlx::query(
            "UPDATE voice_digests SET told_through = $1 WHERE person_id = $2 AND told_through = $3",
        )
        .bind(up_to)
        .bind(person_id)
        .bind(was),
    }
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !moved {
        return Ok(false);
    }
    if let Some(digest) = digest {
        mail::enqueue(&mut tx, now, std::slice::from_ref(digest)).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Keeps the SHA-256 of `person_id`'s new feed key, replacing any old one.
pub async fn set_feed_key(
    db: &Db,
    person_id: i64,
    digest: &str,
    now: i64,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM voice_feed_keys WHERE person_id = $1")
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO voice_feed_keys (person_id, digest, made_at) VALUES ($1, $2, $3)")
        .bind(person_id)
        .bind(digest)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Stops `person_id`'s feed key working; false if they had none.
pub async fn drop_feed_key(db: &Db, person_id: i64) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let dropped = sqlx::query("DELETE FROM voice_feed_keys WHERE person_id = $1")
        .bind(person_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
        > 0;
    tx.commit().await?;
    Ok(dropped)
}

/// When `person_id` made their feed key, if they have one.
pub async fn feed_key_made(db: &Db, person_id: i64) -> Result<Option<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT made_at FROM voice_feed_keys WHERE person_id = $1")
            .bind(person_id)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Whose feed key has this SHA-256, if anyone's.
pub async fn feed_key_owner(db: &Db, digest: &str) -> Result<Option<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT person_id FROM voice_feed_keys WHERE digest = $1")
            .bind(digest)
            .fetch_optional(db.pool())
            .await?,
    )
}
