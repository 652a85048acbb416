//! Who took part under a challenge, for its participation figures: the people who shared
//! a shown idea, wrote a shown comment (on an idea or a leaders' update) or supported a
//! shown idea before a moment, with the organisations they are in and the staff groups they
//! gave; and a challenge's final counts, worked out once and kept.

use crate::{Db, StoreError};
use std::collections::BTreeMap;

/// The people who did each thing under a challenge before a moment, each listed once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TookPart {
    pub ideas: Vec<i64>,
    pub comments: Vec<i64>,
    pub support: Vec<i64>,
    /// Each of those people's organisations (none for someone in none).
    pub organisations: BTreeMap<i64, Vec<i64>>,
    /// The staff group each of those people gave before the moment, for those who did.
    pub staff_groups: BTreeMap<i64, String>,
}

/// Who shared a shown idea under challenge `$1` before `$2`.
const IDEA_WRITERS: &str = "SELECT author_id FROM voice_ideas WHERE challenge_id = $1 \
     AND moderation = 'shown' AND posted_at < $2";
/// Who wrote a shown comment on one of its ideas or updates before `$2`.
const COMMENT_WRITERS: &str = "SELECT m.author_id FROM voice_comments m \
     LEFT JOIN voice_ideas i ON i.id = m.idea_id \
     LEFT JOIN voice_updates u ON u.id = m.update_id \
     WHERE COALESCE(i.challenge_id, u.challenge_id) = $1 \
     AND m.moderation = 'shown' AND m.posted_at < $2";
/// Who supported one of its shown ideas before `$2`: support for a hidden idea is not
/// counted, as the idea is not.
const SUPPORTERS: &str = "SELECT s.person_id FROM voice_supports s \
     JOIN voice_ideas i ON i.id = s.idea_id \
     WHERE i.challenge_id = $1 AND i.moderation = 'shown' AND s.supported_at < $2";

pub async fn took_part(db: &Db, challenge_id: i64, before: i64) -> Result<TookPart, StoreError> {
    let ideas: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT DISTINCT author_id FROM ({IDEA_WRITERS}) t ORDER BY author_id"
    ))
    .bind(challenge_id)
    .bind(before)
    .fetch_all(db.pool())
    .await?;
    let comments: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT DISTINCT author_id FROM ({COMMENT_WRITERS}) t ORDER BY author_id"
    ))
    .bind(challenge_id)
    .bind(before)
    .fetch_all(db.pool())
    .await?;
    let support: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT DISTINCT person_id FROM ({SUPPORTERS}) t ORDER BY person_id"
    ))
    .bind(challenge_id)
    .bind(before)
    .fetch_all(db.pool())
    .await?;
    let mut organisations: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for person in ideas.iter().chain(&comments).chain(&support) {
        organisations.entry(*person).or_default();
    }
    // Only the memberships of those who took part, not everyone's.
    let memberships: Vec<(i64, i64)> = sqlx::query_as(&format!(
        "SELECT DISTINCT person_id, organisation_id FROM memberships \
         WHERE organisation_id IS NOT NULL AND person_id IN \
         ({IDEA_WRITERS} UNION {COMMENT_WRITERS} UNION {SUPPORTERS}) \
         ORDER BY person_id, organisation_id"
    ))
    .bind(challenge_id)
    .bind(before)
    .fetch_all(db.pool())
    .await?;
    for (person, organisation) in memberships {
        if let Some(list) = organisations.get_mut(&person) {
            list.push(organisation);
        }
    }
    let staff_groups: BTreeMap<i64, String> = sqlx::query_as::<_, (i64, String)>(&format!(
        "SELECT person_id, staff_group FROM voice_staff_groups WHERE given_at < $2 \
         AND person_id IN ({IDEA_WRITERS} UNION {COMMENT_WRITERS} UNION {SUPPORTERS})"
    ))
    .bind(challenge_id)
    .bind(before)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .collect();
    Ok(TookPart {
        ideas,
        comments,
        support,
        organisations,
        staff_groups,
    })
}

/// A national challenge's counts by organisation as worked out once it closed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Final {
    /// The moment the counts stop at.
    pub counted_before: i64,
    /// The counts as JSON, as the app wrote them.
    pub tables: String,
}

/// The challenges that closed before `today` (a date, `2026-12-07`) whose final figures
/// have not been worked out yet.
pub async fn unsettled(db: &Db, today: &str) -> Result<Vec<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT c.id FROM voice_challenges c WHERE c.closes_on < $1 AND NOT EXISTS \
         (SELECT 1 FROM voice_final_figures f WHERE f.challenge_id = c.id) ORDER BY c.id",
    )
    .bind(today)
    .fetch_all(db.pool())
    .await?)
}

pub async fn final_figures(db: &Db, challenge_id: i64) -> Result<Option<Final>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT counted_before, tables FROM voice_final_figures WHERE challenge_id = $1",
    )
    .bind(challenge_id)
    .fetch_optional(db.pool())
    .await?)
}

/// Keeps a challenge's final counts; the first server to keep them wins, and every reader
/// then reads those.
pub async fn keep_final(db: &Db, challenge_id: i64, counts: &Final) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO voice_final_figures (challenge_id, counted_before, tables) \
         VALUES ($1, $2, $3) ON CONFLICT (challenge_id) DO NOTHING",
    )
    .bind(challenge_id)
    .bind(counts.counted_before)
    .bind(&counts.tables)
    .execute(db.pool())
    .await?;
    Ok(())
}
