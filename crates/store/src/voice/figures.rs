//! Who took part under a challenge, for its participation figures: the people who shared
//! a shown idea, wrote a shown comment (on an idea or a leaders' update) or supported an
//! idea before a moment, with the organisations they are in; and each week's counts as
//! worked out, so a week is decided once and every server shows the same.

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
/// Who supported one of its ideas before `$2`.
const SUPPORTERS: &str = "SELECT s.person_id FROM voice_supports s \
     JOIN voice_ideas i ON i.id = s.idea_id \
     WHERE i.challenge_id = $1 AND s.supported_at < $2";

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
    Ok(TookPart {
        ideas,
        comments,
        support,
        organisations,
    })
}

/// One week's counts as worked out: `tables` is the JSON the app wrote.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Week {
    pub as_of: i64,
    pub tables: String,
    pub published: bool,
}

#[derive(sqlx::FromRow)]
struct WeekRow {
    as_of: i64,
    tables: String,
    published: i32,
}

impl From<WeekRow> for Week {
    fn from(r: WeekRow) -> Week {
        Week {
            as_of: r.as_of,
            tables: r.tables,
            published: r.published == 1,
        }
    }
}

/// The week worked out for `as_of`, if it has been.
pub async fn week(db: &Db, challenge_id: i64, as_of: i64) -> Result<Option<Week>, StoreError> {
    let row: Option<WeekRow> = sqlx::query_as(
        "SELECT as_of, tables, published FROM voice_figures WHERE challenge_id = $1 AND as_of = $2",
    )
    .bind(challenge_id)
    .bind(as_of)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(Week::from))
}

/// The newest shown week at or before `as_of`.
pub async fn last_published(
    db: &Db,
    challenge_id: i64,
    as_of: i64,
) -> Result<Option<Week>, StoreError> {
    let row: Option<WeekRow> = sqlx::query_as(
        "SELECT as_of, tables, published FROM voice_figures WHERE challenge_id = $1 \
         AND as_of <= $2 AND published = 1 ORDER BY as_of DESC LIMIT 1",
    )
    .bind(challenge_id)
    .bind(as_of)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(Week::from))
}

/// Keeps a week as worked out; the first server to keep it wins, and every server then
/// reads that one.
pub async fn keep_week(db: &Db, challenge_id: i64, week: &Week) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO voice_figures (challenge_id, as_of, tables, published) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (challenge_id, as_of) DO NOTHING",
    )
    .bind(challenge_id)
    .bind(week.as_of)
    .bind(&week.tables)
    .bind(i32::from(week.published))
    .execute(db.pool())
    .await?;
    Ok(())
}
