//! Staff voice: challenges, ideas, support and comments (issue 20). One support per person
//! per idea is the table's primary key, so two at once (two tabs, a double click, two
//! servers) cannot count twice; an idea's counts move in the same transaction as the row
//! they count.

use crate::audit::{self, NewEntry};
use crate::{Db, StoreError};
use dignity_domain::speakup::Day;
use dignity_domain::voice::{IdeaOrder, IdeaState, Moderation, trend_key};

pub mod figures;
pub mod follow;
pub mod moderation;
pub mod updates;

/// A challenge as its setter wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChallenge {
    /// `None` for a national challenge, for all staff.
    pub organisation_id: Option<i64>,
    pub question: String,
    pub description: String,
    /// Topic codes, comma separated.
    pub topics: String,
    pub opens_on: Day,
    pub closes_on: Day,
    pub support_threshold: i64,
    pub answer_within_days: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub id: i64,
    pub fields: NewChallenge,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
struct ChallengeRow {
    id: i64,
    organisation_id: Option<i64>,
    question: String,
    description: String,
    topics: String,
    opens_on: String,
    closes_on: String,
    support_threshold: i64,
    answer_within_days: i64,
    created_by: String,
    created_at: i64,
}

impl TryFrom<ChallengeRow> for Challenge {
    type Error = StoreError;
    fn try_from(r: ChallengeRow) -> Result<Challenge, StoreError> {
        Ok(Challenge {
            id: r.id,
            fields: NewChallenge {
                organisation_id: r.organisation_id,
                question: r.question,
                description: r.description,
                topics: r.topics,
                opens_on: Day::try_from(r.opens_on)?,
                closes_on: Day::try_from(r.closes_on)?,
                support_threshold: r.support_threshold,
                answer_within_days: r.answer_within_days,
            },
            created_by: r.created_by,
            created_at: r.created_at,
        })
    }
}

const CHALLENGE_COLUMNS: &str = "id, organisation_id, question, description, topics, opens_on, \
     closes_on, support_threshold, answer_within_days, created_by, created_at";

/// Who did something, for the audit log.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub email: &'a str,
    /// The organisation the change belongs to; `None` for a national challenge.
    pub ods_code: Option<&'a str>,
}

/// Keeps a challenge, audited; returns its id.
pub async fn create_challenge(
    db: &Db,
    actor: Actor<'_>,
    now: i64,
    challenge: &NewChallenge,
) -> Result<i64, StoreError> {
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO voice_challenges (organisation_id, question, description, topics, \
         opens_on, closes_on, support_threshold, answer_within_days, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(challenge.organisation_id)
    .bind(&challenge.question)
    .bind(&challenge.description)
    .bind(&challenge.topics)
    .bind(challenge.opens_on.to_string())
    .bind(challenge.closes_on.to_string())
    .bind(challenge.support_threshold)
    .bind(challenge.answer_within_days)
    .bind(actor.email)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor: actor.email,
            organisation: actor.ods_code,
            action: "voice.challenge_created",
            detail: &format!("Set challenge {id}: {}", challenge.question),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn challenge(db: &Db, id: i64) -> Result<Challenge, StoreError> {
    let row: Option<ChallengeRow> = sqlx::query_as(&format!(
        "SELECT {CHALLENGE_COLUMNS} FROM voice_challenges WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.ok_or_else(|| StoreError::NotFound("There is no such challenge".into()))?
        .try_into()
}

/// National challenges and those of `organisation_ids`, newest first.
pub async fn challenges_for(
    db: &Db,
    organisation_ids: &[i64],
) -> Result<Vec<Challenge>, StoreError> {
    let rows: Vec<ChallengeRow> = sqlx::query_as(&format!(
        "SELECT {CHALLENGE_COLUMNS} FROM voice_challenges ORDER BY created_at DESC, id DESC"
    ))
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .filter(|r| {
            r.organisation_id
                .is_none_or(|org| organisation_ids.contains(&org))
        })
        .map(Challenge::try_from)
        .collect()
}

/// The name someone is shown by, chosen by them.
pub async fn display_name(db: &Db, person_id: i64) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT display_name FROM voice_names WHERE person_id = $1")
            .bind(person_id)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// The name `person_id` is shown by, and whether they follow `challenge_id`, in one
/// query: a challenge's page needs both on every view.
pub async fn viewer_of(
    db: &Db,
    person_id: i64,
    challenge_id: i64,
) -> Result<(Option<String>, bool), StoreError> {
    let (name, following): (Option<String>, i64) = sqlx::query_as(
        "SELECT (SELECT display_name FROM voice_names WHERE person_id = $1), \
         (SELECT COUNT(*) FROM voice_follows WHERE person_id = $1 AND challenge_id = $2)",
    )
    .bind(person_id)
    .bind(challenge_id)
    .fetch_one(db.pool())
    .await?;
    Ok((name, following > 0))
}

/// Sets or changes the name someone is shown by. Names are unique however they are
/// written (`screen::name_key`): [`StoreError::Conflict`] if someone else has it.
pub async fn set_display_name(db: &Db, person_id: i64, name: &str) -> Result<(), StoreError> {
    let folded = dignity_domain::voice::screen::name_key(name);
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM voice_names WHERE person_id = $1")
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO voice_names (person_id, display_name, folded) VALUES ($1, $2, $3)")
        .bind(person_id)
        .bind(name)
        .bind(&folded)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            crate::error::conflict_or(e, "Someone else uses that name. Choose another.")
        })?;
    tx.commit().await?;
    Ok(())
}

/// The staff group someone gave for the participation figures, if they gave one.
pub async fn staff_group(db: &Db, person_id: i64) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT staff_group FROM voice_staff_groups WHERE person_id = $1")
            .bind(person_id)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Sets the staff group someone gives at `now`, or forgets it (`None`). Giving the same
/// group again keeps when it was first given.
pub async fn set_staff_group(
    db: &Db,
    person_id: i64,
    group: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    let kept: Option<String> = sqlx::query_scalar(&format!(
        "SELECT staff_group FROM voice_staff_groups WHERE person_id = $1{}",
        db.lock_rows()
    ))
    .bind(person_id)
    .fetch_optional(&mut *tx)
    .await?;
    if kept.as_deref() == group {
        return Ok(());
    }
    sqlx::query("DELETE FROM voice_staff_groups WHERE person_id = $1")
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
    if let Some(group) = group {
        sqlx::query(
            "INSERT INTO voice_staff_groups (person_id, staff_group, given_at) VALUES ($1, $2, $3)",
        )
        .bind(person_id)
        .bind(group)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// An idea as its author sent it, and whether the check held it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIdea {
    pub challenge_id: i64,
    pub author_id: i64,
    pub title: String,
    /// Markdown, sanitised when shown.
    pub body: String,
    /// Why the check held it for a moderator, if it did.
    pub held_because: Option<String>,
    /// One of its challenge's topic codes, if the author chose one.
    pub topic: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Idea {
    pub id: i64,
    pub challenge_id: i64,
    pub author_id: i64,
    /// The author's chosen name, if they have one yet.
    pub author_name: Option<String>,
    pub title: String,
    pub body: String,
    pub posted_at: i64,
    pub moderation: Moderation,
    pub moderation_reason: Option<String>,
    /// Whether everyone has ever been shown it: one hidden while held was its author's only.
    pub was_shown: bool,
    pub state: IdeaState,
    pub answer: Option<String>,
    pub answered_on: Option<Day>,
    pub answer_by: Option<Day>,
    pub supporters: i64,
    pub comments: i64,
    /// The plan action it is linked to: (plan, action).
    pub plan_action: Option<(i64, i64)>,
    /// One of its challenge's topic codes, if the author chose one.
    pub topic: Option<String>,
}

#[derive(sqlx::FromRow)]
struct IdeaRow {
    id: i64,
    challenge_id: i64,
    author_id: i64,
    author_name: Option<String>,
    title: String,
    body: String,
    posted_at: i64,
    moderation: String,
    moderation_reason: Option<String>,
    was_shown: i32,
    state: String,
    answer: Option<String>,
    answered_on: Option<String>,
    answer_by: Option<String>,
    supporters: i64,
    comments: i64,
    plan_id: Option<i64>,
    plan_action_id: Option<i64>,
    topic: Option<String>,
}

impl TryFrom<IdeaRow> for Idea {
    type Error = StoreError;
    fn try_from(r: IdeaRow) -> Result<Idea, StoreError> {
        let day = |d: Option<String>| d.map(Day::try_from).transpose();
        Ok(Idea {
            id: r.id,
            challenge_id: r.challenge_id,
            author_id: r.author_id,
            author_name: r.author_name,
            title: r.title,
            body: r.body,
            posted_at: r.posted_at,
            moderation: r.moderation.parse()?,
            moderation_reason: r.moderation_reason,
            was_shown: r.was_shown == 1,
            state: r.state.parse()?,
            answer: r.answer,
            answered_on: day(r.answered_on)?,
            answer_by: day(r.answer_by)?,
            supporters: r.supporters,
            comments: r.comments,
            plan_action: r.plan_id.zip(r.plan_action_id),
            topic: r.topic,
        })
    }
}

const IDEA_COLUMNS: &str = "i.id, i.challenge_id, i.author_id, n.display_name AS author_name, \
     i.title, i.body, i.posted_at, i.moderation, i.moderation_reason, i.was_shown, i.state, \
     i.answer, \
     i.answered_on, i.answer_by, i.supporters, i.comments, i.plan_id, i.plan_action_id, i.topic";

/// Keeps an idea: shown, or held for a moderator. Returns its id.
pub async fn post_idea(db: &Db, now: i64, idea: &NewIdea) -> Result<i64, StoreError> {
    post_idea_within(db, now, idea, None)
        .await?
        .ok_or_else(|| StoreError::Conflict("Too many ideas".into()))
}

/// How many posts of a kind one person may make since a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub since: i64,
    pub most: i64,
}

/// Takes the author's lock and says whether they are under `limit` for `table`, in the
/// transaction that will write the post, so parallel posts cannot all slip under it
/// (outside attack, 2026-12-06: 40 at once gave 17 ideas against a limit of 10).
async fn under_limit(
    db: &Db,
    conn: &mut sqlx::AnyConnection,
    table: &str,
    author: i64,
    limit: Option<Limit>,
) -> Result<bool, StoreError> {
    let Some(limit) = limit else {
        return Ok(true);
    };
    // SQLite's write transaction already holds the only write lock.
    sqlx::query(&format!(
        "SELECT id FROM people WHERE id = $1{}",
        db.lock_rows()
    ))
    .bind(author)
    .fetch_optional(&mut *conn)
    .await?;
    let made: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM {table} WHERE author_id = $1 AND posted_at > $2"
    ))
    .bind(author)
    .bind(limit.since)
    .fetch_one(&mut *conn)
    .await?;
    Ok(made < limit.most)
}

/// Keeps an idea unless its author has reached `limit`: its id, or `None`.
pub async fn post_idea_within(
    db: &Db,
    now: i64,
    idea: &NewIdea,
    limit: Option<Limit>,
) -> Result<Option<i64>, StoreError> {
    let moderation = match idea.held_because {
        Some(_) => Moderation::Held,
        None => Moderation::Shown,
    };
    let mut tx = db.begin_write().await?;
    if !under_limit(db, &mut tx, "voice_ideas", idea.author_id, limit).await? {
        return Ok(None);
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO voice_ideas (challenge_id, author_id, title, body, posted_at, moderation, \
         moderation_reason, state, topic, trend_key, was_shown) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(idea.challenge_id)
    .bind(idea.author_id)
    .bind(&idea.title)
    .bind(&idea.body)
    .bind(now)
    .bind(moderation.code())
    .bind(&idea.held_because)
    .bind(IdeaState::Open.code())
    .bind(&idea.topic)
    .bind(trend_key(0, 0, now))
    .bind(i32::from(moderation == Moderation::Shown))
    .fetch_one(&mut *tx)
    .await?;
    log_idea_change(&mut tx, id).await?;
    if moderation == Moderation::Shown {
        follow::record(&mut tx, id, follow::EventKind::Idea, "", now).await?;
    }
    // Authors hear what becomes of their idea.
    follow::follow_in(&mut tx, idea.author_id, follow::Target::Idea(id), now).await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// Keeps an idea's place in the trending order in step with its counts, inside the
/// caller's transaction.
pub(crate) async fn refresh_trend(
    conn: &mut sqlx::AnyConnection,
    idea_id: i64,
) -> Result<(), StoreError> {
    let counts: Option<(i64, i64, i64)> =
        sqlx::query_as("SELECT supporters, comments, posted_at FROM voice_ideas WHERE id = $1")
            .bind(idea_id)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some((supporters, comments, posted_at)) = counts {
        sqlx::query("UPDATE voice_ideas SET trend_key = $1 WHERE id = $2")
            .bind(trend_key(supporters, comments, posted_at))
            .bind(idea_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Notes that which ideas are shown may have changed, for the similar-idea indexes.
pub(crate) async fn log_idea_change(
    conn: &mut sqlx::AnyConnection,
    idea_id: i64,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO voice_idea_changes (idea_id) VALUES ($1)")
        .bind(idea_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The newest change to which ideas are shown (0 for none).
pub async fn last_idea_change(db: &Db) -> Result<i64, StoreError> {
    let seq: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM voice_idea_changes")
        .fetch_one(db.pool())
        .await?;
    Ok(seq.unwrap_or(0))
}

/// An idea as the similar-idea index sees it: its challenge, title and words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indexed {
    pub id: i64,
    pub challenge_id: i64,
    pub title: String,
    pub body: String,
}

/// Every shown idea, for building an index, and the newest change it reflects.
pub async fn shown_ideas(db: &Db) -> Result<(i64, Vec<Indexed>), StoreError> {
    let newest = last_idea_change(db).await?;
    let rows: Vec<(i64, i64, String, String)> = sqlx::query_as(
        "SELECT id, challenge_id, title, body FROM voice_ideas WHERE moderation = 'shown'",
    )
    .fetch_all(db.pool())
    .await?;
    Ok((newest, rows.into_iter().map(indexed).collect()))
}

fn indexed((id, challenge_id, title, body): (i64, i64, String, String)) -> Indexed {
    Indexed {
        id,
        challenge_id,
        title,
        body,
    }
}

/// Ideas changed after change `after`: those shown now, those not (to drop), and the
/// newest change's number.
pub async fn ideas_changed_since(
    db: &Db,
    after: i64,
) -> Result<(i64, Vec<Indexed>, Vec<i64>), StoreError> {
    let ids: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, idea_id FROM voice_idea_changes WHERE id > $1 ORDER BY id")
            .bind(after)
            .fetch_all(db.pool())
            .await?;
    let newest = ids.last().map_or(after, |(seq, _)| *seq);
    let mut wanted: Vec<i64> = ids.into_iter().map(|(_, id)| id).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let (mut shown, mut gone) = (Vec::new(), Vec::new());
    for id in wanted {
        let row: Option<(i64, i64, String, String, String)> = sqlx::query_as(
            "SELECT id, challenge_id, title, body, moderation FROM voice_ideas WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
        match row {
            Some((id, c, t, b, m)) if m == Moderation::Shown.code() => {
                shown.push(indexed((id, c, t, b)))
            }
            _ => gone.push(id),
        }
    }
    Ok((newest, shown, gone))
}

pub async fn idea(db: &Db, id: i64) -> Result<Idea, StoreError> {
    let row: Option<IdeaRow> = sqlx::query_as(&format!(
        "SELECT {IDEA_COLUMNS} FROM voice_ideas i \
         LEFT JOIN voice_names n ON n.person_id = i.author_id WHERE i.id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.ok_or_else(|| StoreError::NotFound("There is no such idea".into()))?
        .try_into()
}

/// A challenge's shown ideas in `order`, with `viewer`'s own held ones among them (so
/// an author sees what waits for a moderator), `limit` from `offset`.
pub async fn ideas(
    db: &Db,
    challenge_id: i64,
    order: IdeaOrder,
    viewer: Option<i64>,
    page: (usize, usize),
) -> Result<Vec<Idea>, StoreError> {
    ideas_where(
        db,
        challenge_id,
        order,
        &IdeaFilter::default(),
        viewer,
        page,
    )
    .await
}

/// Which of a challenge's ideas a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdeaFilter {
    /// Only those in this state.
    pub state: Option<IdeaState>,
    /// Only those under this topic code.
    pub topic: Option<String>,
    /// Only these, best match first (a search's results): the list keeps their order.
    pub found: Option<Vec<i64>>,
}

/// As [`ideas`], only those `filter` lets through.
pub async fn ideas_where(
    db: &Db,
    challenge_id: i64,
    order: IdeaOrder,
    filter: &IdeaFilter,
    viewer: Option<i64>,
    (offset, limit): (usize, usize),
) -> Result<Vec<Idea>, StoreError> {
    let found = match &filter.found {
        Some(ids) if ids.is_empty() => return Ok(Vec::new()),
        // Ids are numbers, so writing them into the query is safe.
        Some(ids) => format!(
            "AND i.id IN ({})",
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        ),
        None => String::new(),
    };
    let sort = match order {
        IdeaOrder::Newest => "i.posted_at DESC, i.id DESC",
        IdeaOrder::Trending => "i.trend_key DESC, i.id DESC",
        IdeaOrder::MostSupported => "i.supporters DESC, i.posted_at DESC, i.id DESC",
        IdeaOrder::MostDiscussed => "i.comments DESC, i.posted_at DESC, i.id DESC",
    };
    // A page is read from the database in order; search results (at most a hundred) are
    // put in their order here.
    let (offset, limit) = (
        i64::try_from(offset).unwrap_or(i64::MAX),
        i64::try_from(limit).unwrap_or(i64::MAX),
    );
    let window = if filter.found.is_some() {
        String::new()
    } else {
        format!("LIMIT {limit} OFFSET {offset}")
    };
    let rows: Vec<IdeaRow> = sqlx::query_as(&format!(
        "SELECT {IDEA_COLUMNS} FROM voice_ideas i \
         LEFT JOIN voice_names n ON n.person_id = i.author_id \
         WHERE i.challenge_id = $1 AND (i.moderation = 'shown' OR (i.moderation = 'held' AND i.author_id = $2)) \
         AND ($3 = '' OR i.state = $3) AND ($4 = '' OR i.topic = $4) {found} \
         ORDER BY {sort} {window}"
    ))
    .bind(challenge_id)
    .bind(viewer.unwrap_or(-1))
    .bind(filter.state.map_or("", |s| s.code()))
    .bind(filter.topic.as_deref().unwrap_or(""))
    .fetch_all(db.pool())
    .await?;
    let ideas = rows
        .into_iter()
        .map(Idea::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    let Some(ids) = &filter.found else {
        return Ok(ideas);
    };
    let mut ideas = ideas;
    let rank = |i: &Idea| ids.iter().position(|id| *id == i.id);
    ideas.sort_by_key(rank);
    Ok(ideas
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .collect())
}

/// Shown ideas past their answer-by date with no answer yet, under the challenges of
/// `organisation_ids` (and the national ones, if `national`), longest overdue first.
pub async fn overdue(
    db: &Db,
    organisation_ids: &[i64],
    national: bool,
    today: Day,
) -> Result<Vec<Idea>, StoreError> {
    if organisation_ids.is_empty() && !national {
        return Ok(Vec::new());
    }
    let places: Vec<String> = (0..organisation_ids.len())
        .map(|n| format!("${}", n + 3))
        .collect();
    let mut scope = Vec::new();
    if !places.is_empty() {
        scope.push(format!("c.organisation_id IN ({})", places.join(", ")));
    }
    if national {
        scope.push("c.organisation_id IS NULL".to_owned());
    }
    let sql = format!(
        "SELECT {IDEA_COLUMNS} FROM voice_ideas i \
         JOIN voice_challenges c ON c.id = i.challenge_id \
         LEFT JOIN voice_names n ON n.person_id = i.author_id \
         WHERE i.moderation = 'shown' AND i.state = $1 AND i.answer_by IS NOT NULL \
         AND i.answer_by < $2 AND ({}) ORDER BY i.answer_by, i.id",
        scope.join(" OR ")
    );
    let mut query = sqlx::query_as::<_, IdeaRow>(&sql)
        .bind(IdeaState::Open.code())
        .bind(today.to_string());
    for id in organisation_ids {
        query = query.bind(*id);
    }
    query
        .fetch_all(db.pool())
        .await?
        .into_iter()
        .map(Idea::try_from)
        .collect()
}

/// Links a shown idea to an action of a plan (or unlinks it, with `None`), audited.
pub async fn link_action(
    db: &Db,
    actor: Actor<'_>,
    now: i64,
    idea_id: i64,
    plan_action: Option<(i64, i64)>,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE voice_ideas SET plan_id = $1, plan_action_id = $2 \
         WHERE id = $3 AND moderation = 'shown'",
    )
    .bind(plan_action.map(|(plan, _)| plan))
    .bind(plan_action.map(|(_, action)| action))
    .bind(idea_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(StoreError::NotFound("There is no such idea".into()));
    }
    let detail = match plan_action {
        Some((plan, action)) => format!("Linked idea {idea_id} to action {action} of plan {plan}"),
        None => format!("Unlinked idea {idea_id} from its plan action"),
    };
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor: actor.email,
            organisation: actor.ods_code,
            action: "voice.action_linked",
            detail: &detail,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What supporting did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Supported {
    /// False when this person supported the idea already.
    pub added: bool,
    pub supporters: i64,
    /// The day the idea must be answered by, once its support reached the challenge's
    /// threshold.
    pub answer_by: Option<Day>,
}

/// Adds `person_id`'s support to a shown idea, once however often it is asked. Crossing
/// the challenge's threshold sets the day the idea must be answered by.
pub async fn support(
    db: &Db,
    idea_id: i64,
    person_id: i64,
    now: i64,
) -> Result<Supported, StoreError> {
    let mut tx = db.begin_write().await?;
    let added = sqlx::query(
        "INSERT INTO voice_supports (idea_id, person_id, supported_at) \
         SELECT $1, $2, $3 WHERE EXISTS \
         (SELECT 1 FROM voice_ideas WHERE id = $1 AND moderation = 'shown') \
         ON CONFLICT (idea_id, person_id) DO NOTHING",
    )
    .bind(idea_id)
    .bind(person_id)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if added {
        sqlx::query("UPDATE voice_ideas SET supporters = supporters + 1 WHERE id = $1")
            .bind(idea_id)
            .execute(&mut *tx)
            .await?;
        refresh_trend(&mut tx, idea_id).await?;
    }
    let found: Option<(i64, Option<String>, i64, i64)> = sqlx::query_as(
        "SELECT i.supporters, i.answer_by, c.support_threshold, c.answer_within_days \
         FROM voice_ideas i JOIN voice_challenges c ON c.id = i.challenge_id \
         WHERE i.id = $1 AND i.moderation = 'shown'",
    )
    .bind(idea_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((supporters, answer_by, threshold, within)) = found else {
        return Err(StoreError::NotFound("There is no such idea".into()));
    };
    let mut answer_by = answer_by.map(Day::try_from).transpose()?;
    if answer_by.is_none() && supporters >= threshold {
        let by = Day::from_unix_seconds(now).plus_days(within);
        sqlx::query("UPDATE voice_ideas SET answer_by = $1 WHERE id = $2")
            .bind(by.to_string())
            .bind(idea_id)
            .execute(&mut *tx)
            .await?;
        answer_by = Some(by);
    }
    tx.commit().await?;
    Ok(Supported {
        added,
        supporters,
        answer_by,
    })
}

/// Takes `person_id`'s support back; false if they had given none. An answer-by date
/// once set stays: the organisation was told to answer.
pub async fn withdraw_support(db: &Db, idea_id: i64, person_id: i64) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let removed = sqlx::query("DELETE FROM voice_supports WHERE idea_id = $1 AND person_id = $2")
        .bind(idea_id)
        .bind(person_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
        == 1;
    if removed {
        sqlx::query("UPDATE voice_ideas SET supporters = supporters - 1 WHERE id = $1")
            .bind(idea_id)
            .execute(&mut *tx)
            .await?;
        refresh_trend(&mut tx, idea_id).await?;
    }
    tx.commit().await?;
    Ok(removed)
}

/// Whether `person_id` supports the idea.
pub async fn supports(db: &Db, idea_id: i64, person_id: i64) -> Result<bool, StoreError> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT idea_id FROM voice_supports WHERE idea_id = $1 AND person_id = $2",
    )
    .bind(idea_id)
    .bind(person_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(found.is_some())
}

/// What a comment is on: an idea, or a leader's update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum On {
    Idea(i64),
    Update(i64),
}

impl On {
    pub fn id(self) -> i64 {
        match self {
            On::Idea(id) | On::Update(id) => id,
        }
    }

    /// Its column in `voice_comments`.
    fn column(self) -> &'static str {
        match self {
            On::Idea(_) => "idea_id",
            On::Update(_) => "update_id",
        }
    }

    /// The table that counts its shown comments.
    fn table(self) -> &'static str {
        match self {
            On::Idea(_) => "voice_ideas",
            On::Update(_) => "voice_updates",
        }
    }

    /// Moves its count of shown comments by `change`, inside the caller's transaction;
    /// an idea's trending place moves with it.
    pub(crate) async fn count_comments(
        self,
        conn: &mut sqlx::AnyConnection,
        change: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "UPDATE {} SET comments = comments + $1 WHERE id = $2",
            self.table()
        ))
        .bind(change)
        .bind(self.id())
        .execute(&mut *conn)
        .await?;
        if let On::Idea(id) = self {
            refresh_trend(conn, id).await?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComment {
    pub on: On,
    /// The comment this replies to: a comment on the same post that is not itself a reply.
    pub reply_to: Option<i64>,
    pub author_id: i64,
    pub body: String,
    pub held_because: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub id: i64,
    pub reply_to: Option<i64>,
    pub author_id: i64,
    pub author_name: Option<String>,
    pub body: String,
    pub posted_at: i64,
    pub moderation: Moderation,
    pub moderation_reason: Option<String>,
}

#[derive(sqlx::FromRow)]
struct CommentRow {
    id: i64,
    reply_to: Option<i64>,
    author_id: i64,
    author_name: Option<String>,
    body: String,
    posted_at: i64,
    moderation: String,
    moderation_reason: Option<String>,
}

/// Keeps a comment on a shown idea or an update, counted on it if shown. A reply must
/// answer a top-level comment on the same post: replies go one level deep.
pub async fn comment(db: &Db, now: i64, comment: &NewComment) -> Result<i64, StoreError> {
    comment_within(db, now, comment, None)
        .await?
        .ok_or_else(|| StoreError::Conflict("Too many comments".into()))
}

/// Keeps a comment unless its author has reached `limit`: its id, or `None`.
pub async fn comment_within(
    db: &Db,
    now: i64,
    comment: &NewComment,
    limit: Option<Limit>,
) -> Result<Option<i64>, StoreError> {
    let mut tx = db.begin_write().await?;
    if !under_limit(db, &mut tx, "voice_comments", comment.author_id, limit).await? {
        return Ok(None);
    }
    let on = comment.on;
    let shown: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT id FROM {} WHERE id = $1{}{}",
        on.table(),
        match on {
            On::Idea(_) => " AND moderation = 'shown'",
            On::Update(_) => "",
        },
        db.lock_rows()
    ))
    .bind(on.id())
    .fetch_optional(&mut *tx)
    .await?;
    if shown.is_none() {
        return Err(StoreError::NotFound(match on {
            On::Idea(_) => "There is no such idea".into(),
            On::Update(_) => "There is no such update".into(),
        }));
    }
    if let Some(parent) = comment.reply_to {
        let top_level: Option<Option<i64>> = sqlx::query_scalar(&format!(
            "SELECT reply_to FROM voice_comments WHERE id = $1 AND {} = $2 \
             AND moderation = 'shown'",
            on.column()
        ))
        .bind(parent)
        .bind(on.id())
        .fetch_optional(&mut *tx)
        .await?;
        // Only a shown comment: a reply would say a held one exists (outside attack,
        // 2026-12-06).
        if top_level != Some(None) {
            return Err(StoreError::NotFound(
                "There is no such comment to reply to here".into(),
            ));
        }
    }
    let moderation = match comment.held_because {
        Some(_) => Moderation::Held,
        None => Moderation::Shown,
    };
    let id: i64 = sqlx::query_scalar(&format!(
        "INSERT INTO voice_comments ({}, reply_to, author_id, body, posted_at, moderation, \
         moderation_reason, was_shown) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        on.column()
    ))
    .bind(on.id())
    .bind(comment.reply_to)
    .bind(comment.author_id)
    .bind(&comment.body)
    .bind(now)
    .bind(moderation.code())
    .bind(&comment.held_because)
    .bind(i32::from(moderation == Moderation::Shown))
    .fetch_one(&mut *tx)
    .await?;
    if moderation == Moderation::Shown {
        on.count_comments(&mut tx, 1).await?;
    }
    tx.commit().await?;
    Ok(Some(id))
}

/// A post's shown comments, `viewer`'s own held ones, and hidden ones that were once shown
/// (so the page can say a moderator hid them and why; their words only to their author),
/// oldest first. One hidden while held was only ever its author's, so only they see it.
pub async fn comments(db: &Db, on: On, viewer: Option<i64>) -> Result<Vec<Comment>, StoreError> {
    let rows: Vec<CommentRow> = sqlx::query_as(&format!(
        "SELECT c.id, c.reply_to, c.author_id, n.display_name AS author_name, \
         CASE WHEN c.moderation = 'hidden' AND c.author_id <> $2 THEN '' ELSE c.body END AS body, \
         c.posted_at, c.moderation, c.moderation_reason FROM voice_comments c \
         LEFT JOIN voice_names n ON n.person_id = c.author_id \
         WHERE c.{} = $1 AND (c.moderation = 'shown' OR (c.moderation = 'hidden' AND c.was_shown = 1) \
         OR (c.moderation IN ('held', 'hidden') AND c.author_id = $2)) \
         ORDER BY c.posted_at, c.id",
        on.column()
    ))
    .bind(on.id())
    .bind(viewer.unwrap_or(-1))
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Comment {
                id: r.id,
                reply_to: r.reply_to,
                author_id: r.author_id,
                author_name: r.author_name,
                body: r.body,
                posted_at: r.posted_at,
                moderation: r.moderation.parse()?,
                moderation_reason: r.moderation_reason,
            })
        })
        .collect()
}

/// An official answer: the idea's new state, what was said and the day, audited.
pub async fn answer(
    db: &Db,
    actor: Actor<'_>,
    now: i64,
    idea_id: i64,
    state: IdeaState,
    words: &str,
) -> Result<(), StoreError> {
    let day = Day::from_unix_seconds(now);
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE voice_ideas SET state = $1, answer = $2, answered_on = $3 \
         WHERE id = $4 AND moderation = 'shown'",
    )
    .bind(state.code())
    .bind(words)
    .bind(day.to_string())
    .bind(idea_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(StoreError::NotFound("There is no such idea".into()));
    }
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor: actor.email,
            organisation: actor.ods_code,
            action: "voice.answered",
            detail: &format!("Answered idea {idea_id}: {}", state.label()),
        },
    )
    .await?;
    follow::record(
        &mut tx,
        idea_id,
        follow::EventKind::Answer,
        state.label(),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The real names of people who could be named in a post: those with a role in
/// `organisation_id`, or everyone with an account (`None`, for a national challenge).
pub async fn real_names(db: &Db, organisation_id: Option<i64>) -> Result<Vec<String>, StoreError> {
    Ok(match organisation_id {
        Some(org) => {
            sqlx::query_scalar(
                "SELECT DISTINCT p.display_name FROM people p \
                 JOIN memberships m ON m.person_id = p.id WHERE m.organisation_id = $1",
            )
            .bind(org)
            .fetch_all(db.pool())
            .await?
        }
        None => {
            sqlx::query_scalar("SELECT display_name FROM people")
                .fetch_all(db.pool())
                .await?
        }
    })
}

/// How many ideas `person_id` has sent since `since`, held ones too.
pub async fn ideas_since(db: &Db, person_id: i64, since: i64) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM voice_ideas WHERE author_id = $1 AND posted_at > $2",
    )
    .bind(person_id)
    .bind(since)
    .fetch_one(db.pool())
    .await?)
}

/// How many comments `person_id` has sent since `since`, held ones too.
pub async fn comments_since(db: &Db, person_id: i64, since: i64) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM voice_comments WHERE author_id = $1 AND posted_at > $2",
    )
    .bind(person_id)
    .bind(since)
    .fetch_one(db.pool())
    .await?)
}

/// A made-up idea for `dignity bench voice`, written as it would be after its life so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntheticIdea {
    pub author_id: i64,
    pub title: String,
    pub body: String,
    pub posted_at: i64,
    /// Support as a count only: the benchmark reads pages, it does not take support back.
    pub supporters: i64,
    /// Comments to write under it, an hour apart.
    pub comments: i64,
    pub state: IdeaState,
}

/// Writes made-up shown ideas under a challenge, each with its comments (by `commenter`),
/// in one transaction, for the benchmark, which needs a million posts in minutes rather
/// than a transaction for each. Returns the ideas' ids in order.
pub async fn insert_ideas_for_benchmark(
    db: &Db,
    challenge_id: i64,
    commenter: i64,
    ideas: &[SyntheticIdea],
) -> Result<Vec<i64>, StoreError> {
    let mut tx = db.begin_write().await?;
    let mut ids = Vec::with_capacity(ideas.len());
    for idea in ideas {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO voice_ideas (challenge_id, author_id, title, body, posted_at, \
             moderation, state, supporters, comments, trend_key) \
             VALUES ($1, $2, $3, $4, $5, 'shown', $6, $7, $8, $9) RETURNING id",
        )
        .bind(challenge_id)
        .bind(idea.author_id)
        .bind(&idea.title)
        .bind(&idea.body)
        .bind(idea.posted_at)
        .bind(idea.state.code())
        .bind(idea.supporters)
        .bind(idea.comments)
        .bind(trend_key(idea.supporters, idea.comments, idea.posted_at))
        .fetch_one(&mut *tx)
        .await?;
        for n in 0..idea.comments {
            sqlx::query(
                "INSERT INTO voice_comments (idea_id, author_id, body, posted_at, moderation) \
                 VALUES ($1, $2, $3, $4, 'shown')",
            )
            .bind(id)
            .bind(commenter)
            .bind(format!("A made-up comment, number {}.", n + 1))
            .bind(idea.posted_at + (n + 1) * 3_600)
            .execute(&mut *tx)
            .await?;
        }
        ids.push(id);
    }
    tx.commit().await?;
    Ok(ids)
}
