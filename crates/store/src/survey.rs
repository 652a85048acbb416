//! Surveys, campaigns, invitations and responses. A response is stored with a random key,
//! its answers and its grouping values, and nothing else: no person, no token, no time.

use crate::audit::{self, NewEntry};
use crate::error::conflict_or;
use crate::identity::Organisation;
use crate::ids::random_key;
use crate::{Backend, Db, StoreError};
use dignity_domain::speakup::Day;
use dignity_domain::survey::Participation;

pub async fn save_survey(
    db: &Db,
    actor: &str,
    now: i64,
    key: &str,
    title: &str,
    definition: &str,
) -> Result<i64, StoreError> {
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar("INSERT INTO surveys (key, title, definition, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(key)
        .bind(title)
        .bind(definition)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| conflict_or(e, format!("A survey with the key {key} already exists")))?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: None,
            action: "survey.create",
            detail: &format!("Added the survey {key} ({title})"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Every survey: id, key and title, in title order.
pub async fn list_surveys(db: &Db) -> Result<Vec<(i64, String, String)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT id, key, title FROM surveys ORDER BY title, id")
            .fetch_all(db.pool())
            .await?,
    )
}

/// The id of the survey with this key, if there is one.
pub async fn survey_id_by_key(db: &Db, key: &str) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar("SELECT id FROM surveys WHERE key = $1")
        .bind(key)
        .fetch_optional(db.pool())
        .await?)
}

/// How many invitation codes of a campaign have not been used.
pub async fn unused_tokens(db: &Db, campaign_id: i64) -> Result<u64, StoreError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM survey_tokens WHERE campaign_id = $1")
        .bind(campaign_id)
        .fetch_one(db.pool())
        .await?;
    Ok(n.max(0) as u64)
}

/// A survey's key, title and definition text.
pub async fn get_survey(db: &Db, id: i64) -> Result<(String, String, String), StoreError> {
    sqlx::query_as("SELECT key, title, definition FROM surveys WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("There is no survey {id}")))
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Campaign {
    pub id: i64,
    pub survey_id: i64,
    pub organisation_id: i64,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub opens_on: Day,
    #[sqlx(try_from = "String")]
    pub closes_on: Day,
    pub year: i64,
    #[sqlx(try_from = "String")]
    pub participation: Participation,
}

impl Campaign {
    /// Whether it takes answers on `today`: from its opening day to its closing day, both
    /// included.
    pub fn is_open(&self, today: Day) -> bool {
        self.has_opened(today) && !self.has_closed(today)
    }

    /// Whether its opening day has come by `today`.
    pub fn has_opened(&self, today: Day) -> bool {
        self.opens_on <= today
    }

    /// Whether its closing day has passed by `today`: no more answers, and its results
    /// may be shown.
    pub fn has_closed(&self, today: Day) -> bool {
        self.closes_on < today
    }
}

pub async fn create_campaign(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    campaign: &Campaign,
) -> Result<Campaign, StoreError> {
    if campaign.closes_on < campaign.opens_on {
        return Err(StoreError::Invalid(
            dignity_domain::identity::InvalidValue::Message(
                "A campaign must close on or after the day it opens",
            ),
        ));
    }
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO survey_campaigns (survey_id, organisation_id, title, opens_on, closes_on, year, participation, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(campaign.survey_id)
    .bind(org.id)
    .bind(&campaign.title)
    .bind(campaign.opens_on.to_string())
    .bind(campaign.closes_on.to_string())
    .bind(campaign.year)
    .bind(campaign.participation.code())
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let detail = format!(
        "Set up the survey campaign {} from {} to {}",
        campaign.title, campaign.opens_on, campaign.closes_on
    );
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: Some(&org.ods_code),
            action: "survey.campaign_create",
            detail: &detail,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Campaign {
        id,
        organisation_id: org.id,
        ..campaign.clone()
    })
}

const CAMPAIGN_COLUMNS: &str =
    "id, survey_id, organisation_id, title, opens_on, closes_on, year, participation, responses";

/// A campaign with its response counter.
#[derive(sqlx::FromRow)]
struct CampaignRow {
    #[sqlx(flatten)]
    campaign: Campaign,
    responses: i64,
}

pub async fn get_campaign(db: &Db, id: i64) -> Result<Campaign, StoreError> {
    sqlx::query_as(&format!(
        "SELECT {CAMPAIGN_COLUMNS} FROM survey_campaigns WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("There is no survey campaign {id}")))
}

/// Every organisation's campaigns of one survey in one year, with how many responses each
/// holds.
pub async fn campaigns_of(
    db: &Db,
    survey_id: i64,
    year: i64,
) -> Result<Vec<(Campaign, u64)>, StoreError> {
    let rows: Vec<CampaignRow> = sqlx::query_as(&format!(
        "SELECT {CAMPAIGN_COLUMNS} FROM survey_campaigns WHERE survey_id = $1 AND year = $2 ORDER BY id"
    ))
    .bind(survey_id)
    .bind(year)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.campaign, r.responses.max(0) as u64))
        .collect())
}

/// Stores invitation token digests and an audit entry in one transaction: all or none.
pub async fn add_tokens(
    db: &Db,
    actor: &str,
    now: i64,
    campaign: &Campaign,
    organisation: &str,
    digests: &[String],
) -> Result<u64, StoreError> {
    let mut tx = db.begin_write().await?;
    insert_tokens(&mut tx, campaign.id, digests.iter()).await?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: Some(organisation),
            action: "survey.codes_issue",
            detail: &format!(
                "Issued {} invitation codes for {}",
                digests.len(),
                campaign.title
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(digests.len() as u64)
}

async fn insert_tokens(
    conn: &mut sqlx::AnyConnection,
    campaign_id: i64,
    digests: impl Iterator<Item = &String>,
) -> Result<(), StoreError> {
    for digest in digests {
        sqlx::query("INSERT INTO survey_tokens (token_digest, campaign_id) VALUES ($1, $2)")
            .bind(digest)
            .bind(campaign_id)
            .execute(&mut *conn)
            .await
            .map_err(|e| conflict_or(e, "An invitation code was issued twice"))?;
    }
    Ok(())
}

/// The campaign an unused invitation token belongs to.
pub async fn campaign_for_token(db: &Db, digest: &str) -> Result<Option<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT campaign_id FROM survey_tokens WHERE token_digest = $1")
            .bind(digest)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// A campaign with the sealed draft of someone answering it, if they saved one.
#[derive(sqlx::FromRow)]
struct CampaignAndDraft {
    #[sqlx(flatten)]
    campaign: Campaign,
    sealed: Option<Vec<u8>>,
}

/// What every page answered with an invitation code needs, in one read: the campaign the
/// unused code belongs to, and the code's sealed draft if it has one. `None` when the
/// code is unknown or used.
pub async fn campaign_and_draft_for_token(
    db: &Db,
    digest: &str,
) -> Result<Option<(Campaign, Option<Vec<u8>>)>, StoreError> {
    let row: Option<CampaignAndDraft> = sqlx::query_as(
        "SELECT c.id, c.survey_id, c.organisation_id, c.title, c.opens_on, c.closes_on, c.year, \
         c.participation, d.sealed FROM survey_tokens t \
         JOIN survey_campaigns c ON c.id = t.campaign_id \
         LEFT JOIN survey_drafts d ON d.holder_digest = t.token_digest AND d.campaign_id = t.campaign_id \
         WHERE t.token_digest = $1",
    )
    .bind(digest)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| (r.campaign, r.sealed)))
}

/// For a signed-in person (as their keyed digest) answering an open-link campaign, in one
/// read: whether they have answered it already, and their sealed draft if they saved one.
pub async fn participation_and_draft(
    db: &Db,
    campaign_id: i64,
    person_digest: &str,
) -> Result<(bool, Option<Vec<u8>>), StoreError> {
    let (answered, sealed): (i64, Option<Vec<u8>>) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM survey_participants WHERE campaign_id = $1 AND person_digest = $2) AS answered, \
         (SELECT sealed FROM survey_drafts WHERE campaign_id = $1 AND holder_digest = $2) AS sealed",
    )
    .bind(campaign_id)
    .bind(person_digest)
    .fetch_one(db.pool())
    .await?;
    Ok((answered > 0, sealed))
}

/// Whether a signed-in person (as their keyed digest) has already answered a campaign.
pub async fn has_participated(
    db: &Db,
    campaign_id: i64,
    person_digest: &str,
) -> Result<bool, StoreError> {
    let row = sqlx::query(
        "SELECT 1 AS found FROM survey_participants WHERE campaign_id = $1 AND person_digest = $2",
    )
    .bind(campaign_id)
    .bind(person_digest)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.is_some())
}

/// Whether a token can still be used for this campaign.
pub async fn token_is_valid(db: &Db, campaign_id: i64, digest: &str) -> Result<bool, StoreError> {
    let row = sqlx::query(
        "SELECT 1 AS found FROM survey_tokens WHERE token_digest = $1 AND campaign_id = $2",
    )
    .bind(digest)
    .bind(campaign_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.is_some())
}

pub mod pending;

pub use pending::{
    AnswerWrite, Draft, NewResponse, codes_not_used_yet, flush, forget_after_close,
    forget_written_records, get_draft, longest_record, pending_count, save_draft, submit_as_person,
    submit_with_token, write_together,
};

/// Writes a response and its comments, each comment under its own random key so nothing
/// joins it to the response. The caller bumps the campaign's counter.
async fn insert_response(
    conn: &mut sqlx::AnyConnection,
    campaign_id: i64,
    response: &NewResponse,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO survey_responses (id, campaign_id, answers, groupings) VALUES ($1, $2, $3, $4)")
        .bind(&response.id)
        .bind(campaign_id)
        .bind(&response.answers)
        .bind(&response.groupings)
        .execute(&mut *conn)
        .await?;
    insert_comments(conn, campaign_id, &response.comments).await
}

async fn insert_comments(
    conn: &mut sqlx::AnyConnection,
    campaign_id: i64,
    comments: &[(String, String)],
) -> Result<(), StoreError> {
    for (question, body) in comments {
        sqlx::query(
            "INSERT INTO survey_comments (id, campaign_id, question_key, body) VALUES ($1, $2, $3, $4)",
        )
        .bind(random_key())
        .bind(campaign_id)
        .bind(question)
        .bind(body)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn count_responses(
    conn: &mut sqlx::AnyConnection,
    campaign_id: i64,
    added: usize,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE survey_campaigns SET responses = responses + $1 WHERE id = $2")
        .bind(added as i64)
        .bind(campaign_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// How many responses a campaign holds, from its counter: cheap enough to ask on every
/// results page, so each server knows when its loaded copy is out of date.
pub async fn response_count(db: &Db, campaign_id: i64) -> Result<u64, StoreError> {
    let n: i64 = sqlx::query_scalar("SELECT responses FROM survey_campaigns WHERE id = $1")
        .bind(campaign_id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| {
            StoreError::NotFound(format!("There is no survey campaign {campaign_id}"))
        })?;
    Ok(n.max(0) as u64)
}

/// A campaign's free-text comments for one question, in key order (which is random).
pub async fn comments(
    db: &Db,
    campaign_id: i64,
    question_key: &str,
) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT body FROM survey_comments WHERE campaign_id = $1 AND question_key = $2 ORDER BY id",
    )
    .bind(campaign_id)
    .bind(question_key)
    .fetch_all(db.pool())
    .await?)
}

/// A campaign's responses (answers, groupings), in key order, for loading into the engine.
pub async fn responses(db: &Db, campaign_id: i64) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT answers, groupings FROM survey_responses WHERE campaign_id = $1 ORDER BY id",
    )
    .bind(campaign_id)
    .fetch_all(db.pool())
    .await?)
}

/// On PostgreSQL, rewrites the response and participant tables in key order, so that the
/// order rows sit on disk no longer follows the order people answered in. SQLite keeps
/// these tables in key order already.
pub async fn shuffle_storage(db: &Db) -> Result<(), StoreError> {
    if db.backend() == Backend::Postgres {
        sqlx::query("CLUSTER survey_responses USING survey_responses_pkey")
            .execute(db.pool())
            .await?;
        sqlx::query("CLUSTER survey_participants USING survey_participants_pkey")
            .execute(db.pool())
            .await?;
        sqlx::query("CLUSTER survey_comments USING survey_comments_pkey")
            .execute(db.pool())
            .await?;
    }
    Ok(())
}

/// An organisation's campaigns, newest first.
pub async fn campaigns_for(db: &Db, organisation_id: i64) -> Result<Vec<Campaign>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {CAMPAIGN_COLUMNS} FROM survey_campaigns WHERE organisation_id = $1 ORDER BY closes_on DESC, id DESC"
    ))
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?)
}

/// Stores many responses in one transaction (imports and the demo): all or none.
pub async fn insert_responses(
    db: &Db,
    campaign_id: i64,
    responses: &[NewResponse],
) -> Result<u64, StoreError> {
    insert_responses_showing(db, campaign_id, responses, |_| {}).await
}

/// As [`insert_responses`], telling `progress` how many are written every thousand.
pub async fn insert_responses_showing(
    db: &Db,
    campaign_id: i64,
    responses: &[NewResponse],
    progress: impl FnMut(usize),
) -> Result<u64, StoreError> {
    write_responses(db, campaign_id, responses, None, progress).await
}

/// As [`insert_responses_showing`], with an audit entry in the same transaction: the
/// responses and the record of who added them are stored together or not at all.
pub async fn insert_responses_audited(
    db: &Db,
    campaign_id: i64,
    responses: &[NewResponse],
    now: i64,
    entry: &NewEntry<'_>,
    progress: impl FnMut(usize),
) -> Result<u64, StoreError> {
    write_responses(db, campaign_id, responses, Some((now, entry)), progress).await
}

async fn write_responses(
    db: &Db,
    campaign_id: i64,
    responses: &[NewResponse],
    audited: Option<(i64, &NewEntry<'_>)>,
    mut progress: impl FnMut(usize),
) -> Result<u64, StoreError> {
    let mut tx = db.begin_write().await?;
    if let Some((now, entry)) = audited {
        audit::append(&mut tx, now, entry).await?;
    }
    for (i, response) in responses.iter().enumerate() {
        insert_response(&mut tx, campaign_id, response).await?;
        if (i + 1) % 1000 == 0 {
            progress(i + 1);
        }
    }
    count_responses(&mut tx, campaign_id, responses.len()).await?;
    tx.commit().await?;
    progress(responses.len());
    Ok(responses.len() as u64)
}

/// An organisation's own pledge mapping, if it has changed Dignity's default.
pub async fn pledge_mapping(db: &Db, organisation_id: i64) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT mapping FROM survey_pledge_maps WHERE organisation_id = $1")
            .bind(organisation_id)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Saves an organisation's pledge mapping (already checked by the caller), audited.
pub async fn save_pledge_mapping(
    db: &Db,
    actor: &str,
    now: i64,
    organisation: &Organisation,
    mapping: &str,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO survey_pledge_maps (organisation_id, mapping) VALUES ($1, $2) \
         ON CONFLICT (organisation_id) DO UPDATE SET mapping = excluded.mapping",
    )
    .bind(organisation.id)
    .bind(mapping)
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: Some(&organisation.ods_code),
            action: "survey.pledges_map",
            detail: "Changed which survey questions evidence the staff pledges",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The years in which a survey has a campaign that has closed (and so has results), newest
/// first.
pub async fn years_of(db: &Db, survey_id: i64, today: Day) -> Result<Vec<i64>, StoreError> {
    // Days are stored as YYYY-MM-DD, so text order is day order.
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT year FROM survey_campaigns WHERE survey_id = $1 AND closes_on < $2 \
         ORDER BY year DESC",
    )
    .bind(survey_id)
    .bind(today.to_string())
    .fetch_all(db.pool())
    .await?)
}

/// Issues invitation codes and writes the mails that carry them, in one transaction with
/// an audit entry: every address gets its mail, or nothing happens. The outbox forgets each
/// address once its mail is sent.
pub async fn invite_by_email(
    db: &Db,
    actor: &str,
    now: i64,
    campaign: &Campaign,
    organisation: &str,
    invitations: &[(String, crate::mail::NewMail)],
) -> Result<u64, StoreError> {
    let mut tx = db.begin_write().await?;
    insert_tokens(&mut tx, campaign.id, invitations.iter().map(|(d, _)| d)).await?;
    let mails: Vec<crate::mail::NewMail> = invitations.iter().map(|(_, m)| m.clone()).collect();
    crate::mail::enqueue(&mut tx, now, &mails).await?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: Some(organisation),
            action: "survey.invitations_email",
            detail: &format!(
                "Queued {} invitation emails for {}",
                invitations.len(),
                campaign.title
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(invitations.len() as u64)
}
