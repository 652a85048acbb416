//! Outcomes: published figures about organisations, kept by organisation, measure and
//! period. An import replaces the figures it gives and leaves the rest.

use crate::audit::{self, NewEntry};
use crate::{Db, StoreError};

/// One kept figure. `period` is `2026` or `2026-Q3`; `rated_on` is a day for a rating.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct StoredOutcome {
    pub organisation_id: i64,
    pub measure: String,
    pub period: String,
    pub value: f64,
    pub rated_on: Option<String>,
}

/// What an import gives for one organisation.
#[derive(Debug, Clone)]
pub struct OrganisationOutcomes<'a> {
    pub organisation_id: i64,
    pub ods_code: &'a str,
    pub outcomes: Vec<StoredOutcome>,
}

/// Keeps every figure in one transaction (all or none), replacing any kept for the same
/// organisation, measure and period, with an audit entry in each organisation's log.
/// Returns how many figures replaced earlier ones.
pub async fn keep(
    db: &Db,
    actor: &str,
    now: i64,
    organisations: &[OrganisationOutcomes<'_>],
) -> Result<u64, StoreError> {
    let mut tx = db.begin_write().await?;
    let mut replaced = 0;
    for organisation in organisations {
        let mut replaced_here = 0;
        for o in &organisation.outcomes {
            let before: Option<(i64,)> = sqlx::query_as(
                "SELECT 1 FROM outcomes WHERE organisation_id = $1 AND measure = $2 AND period = $3",
            )
            .bind(organisation.organisation_id)
            .bind(&o.measure)
            .bind(&o.period)
            .fetch_optional(&mut *tx)
            .await?;
            if before.is_some() {
                replaced_here += 1;
            }
            sqlx::query(
                "INSERT INTO outcomes (organisation_id, measure, period, value, rated_on, imported_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (organisation_id, measure, period) \
                 DO UPDATE SET value = $4, rated_on = $5, imported_at = $6",
            )
            .bind(organisation.organisation_id)
            .bind(&o.measure)
            .bind(&o.period)
            .bind(o.value)
            .bind(&o.rated_on)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let detail = format!(
            "Imported {} outcome {} ({} replacing earlier ones)",
            organisation.outcomes.len(),
            if organisation.outcomes.len() == 1 {
                "figure"
            } else {
                "figures"
            },
            replaced_here
        );
        audit::append(
            &mut tx,
            now,
            &NewEntry {
                actor,
                organisation: Some(organisation.ods_code),
                action: "outcomes.import",
                detail: &detail,
            },
        )
        .await?;
        replaced += replaced_here;
    }
    tx.commit().await?;
    Ok(replaced)
}

const COLUMNS: &str = "organisation_id, measure, period, value, rated_on";

/// Every figure kept for every organisation.
pub async fn every(db: &Db) -> Result<Vec<StoredOutcome>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM outcomes ORDER BY organisation_id, measure, period"
    ))
    .fetch_all(db.pool())
    .await?)
}

/// Every figure kept for one organisation.
pub async fn of_organisation(
    db: &Db,
    organisation_id: i64,
) -> Result<Vec<StoredOutcome>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM outcomes WHERE organisation_id = $1 ORDER BY measure, period"
    ))
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?)
}

/// A board pack to keep as issued.
#[derive(Debug, Clone)]
pub struct NewPack<'a> {
    pub organisation_id: i64,
    pub ods_code: &'a str,
    /// `2026-Q3`.
    pub quarter: &'a str,
    /// In words for the audit log: "July to September 2026".
    pub quarter_words: &'a str,
    pub scheduled: bool,
    pub issued_at: i64,
    pub issued_by: &'a str,
    /// The PDF's SHA-256, in hex.
    pub digest: &'a str,
    /// The PDF and the words, each sealed by the caller.
    pub pdf: &'a [u8],
    pub content: &'a [u8],
    /// For a pack people issue: at most this many issued by people since this moment.
    pub limit: Option<(i64, i64)>,
}

/// What [`issue`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issue {
    /// Kept as this number, its digest audited and its mails queued.
    Issued(i64),
    /// The quarter's newest pack, this number, is the same PDF: nothing was written.
    Same(i64),
    /// The limit was reached: nothing was written.
    AtLimit,
    /// The schedule had already issued this quarter's pack: nothing was written.
    AlreadyScheduled,
}

/// An issued pack as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IssuedPack {
    pub id: i64,
    pub quarter: String,
    pub scheduled: i64,
    pub issued_at: i64,
    pub issued_by: String,
    pub digest: String,
}

/// An issued pack with what was issued.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredPack {
    #[sqlx(flatten)]
    pub issued: IssuedPack,
    /// Sealed, as kept.
    pub pdf: Vec<u8>,
    pub content: Vec<u8>,
}

/// Keeps an issued pack, writes its digest to the organisation's audit log and puts its
/// mails in the outbox, all in one transaction; each mail's body is `body` of the pack's
/// number. Nothing is written when the schedule already issued this organisation's pack
/// for the quarter (another server got there first), or, for a pack people issue, when the
/// quarter's newest pack is the same PDF or the limit is reached. Those two are checked
/// again here, with the organisation locked, because the caller checked them before
/// typesetting: two presses of the issue button at once (a double click) would otherwise
/// both issue and mail every reader twice.
pub async fn issue(
    db: &Db,
    pack: &NewPack<'_>,
    mails: &[crate::mail::NewMail],
    body: impl Fn(i64) -> String,
) -> Result<Issue, StoreError> {
    let mut tx = db.begin_write().await?;
    if let Some((since, most)) = pack.limit {
        // PostgreSQL: one issuer an organisation at a time (SQLite's write lock already is).
        sqlx::query(&format!(
            "SELECT id FROM organisations WHERE id = $1{}",
            db.lock_rows()
        ))
        .bind(pack.organisation_id)
        .fetch_optional(&mut *tx)
        .await?;
        let newest: Option<(i64, String)> = sqlx::query_as(
            "SELECT id, digest FROM board_packs WHERE organisation_id = $1 AND quarter = $2 \
             ORDER BY id DESC LIMIT 1",
        )
        .bind(pack.organisation_id)
        .bind(pack.quarter)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((id, digest)) = newest
            && digest == pack.digest
        {
            return Ok(Issue::Same(id));
        }
        let (issued,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM board_packs WHERE organisation_id = $1 AND scheduled = 0 \
             AND issued_at >= $2",
        )
        .bind(pack.organisation_id)
        .bind(since)
        .fetch_one(&mut *tx)
        .await?;
        if issued >= most {
            return Ok(Issue::AtLimit);
        }
    }
    let id: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO board_packs (organisation_id, quarter, scheduled, issued_at, issued_by, digest, pdf, content) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(pack.organisation_id)
    .bind(pack.quarter)
    .bind(i64::from(pack.scheduled))
    .bind(pack.issued_at)
    .bind(pack.issued_by)
    .bind(pack.digest)
    .bind(pack.pdf)
    .bind(pack.content)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((id,)) = id else {
        return Ok(Issue::AlreadyScheduled);
    };
    let detail = format!(
        "Issued board pack {id} for {}{}; its PDF's SHA-256 is {}",
        pack.quarter_words,
        if pack.scheduled {
            " on the schedule"
        } else {
            ""
        },
        pack.digest
    );
    audit::append(
        &mut tx,
        pack.issued_at,
        &NewEntry {
            actor: pack.issued_by,
            organisation: Some(pack.ods_code),
            action: "board_pack.issue",
            detail: &detail,
        },
    )
    .await?;
    let text = body(id);
    let mails: Vec<crate::mail::NewMail> = mails
        .iter()
        .map(|m| crate::mail::NewMail {
            body: text.clone(),
            ..m.clone()
        })
        .collect();
    crate::mail::enqueue(&mut tx, pack.issued_at, &mails).await?;
    tx.commit().await?;
    Ok(Issue::Issued(id))
}

const PACK_COLUMNS: &str = "id, quarter, scheduled, issued_at, issued_by, digest";

/// An organisation's issued packs, newest first.
pub async fn packs_of(db: &Db, organisation_id: i64) -> Result<Vec<IssuedPack>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {PACK_COLUMNS} FROM board_packs WHERE organisation_id = $1 ORDER BY id DESC"
    ))
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?)
}

/// One issued pack of an organisation.
pub async fn pack(
    db: &Db,
    organisation_id: i64,
    id: i64,
) -> Result<Option<StoredPack>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {PACK_COLUMNS}, pdf, content FROM board_packs WHERE organisation_id = $1 AND id = $2"
    ))
    .bind(organisation_id)
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}

/// Whether the schedule has issued the organisation's pack for the quarter.
pub async fn scheduled_pack_issued(
    db: &Db,
    organisation_id: i64,
    quarter: &str,
) -> Result<bool, StoreError> {
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT 1 FROM board_packs WHERE organisation_id = $1 AND quarter = $2 AND scheduled = 1",
    )
    .bind(organisation_id)
    .bind(quarter)
    .fetch_optional(db.pool())
    .await?;
    Ok(found.is_some())
}

/// The newest pack issued for the organisation and quarter.
pub async fn newest_pack(
    db: &Db,
    organisation_id: i64,
    quarter: &str,
) -> Result<Option<StoredPack>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {PACK_COLUMNS}, pdf, content FROM board_packs \
         WHERE organisation_id = $1 AND quarter = $2 ORDER BY id DESC LIMIT 1"
    ))
    .bind(organisation_id)
    .bind(quarter)
    .fetch_optional(db.pool())
    .await?)
}

/// How many packs people (not the schedule) issued for the organisation since `since`.
pub async fn packs_issued_since(
    db: &Db,
    organisation_id: i64,
    since: i64,
) -> Result<i64, StoreError> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM board_packs WHERE organisation_id = $1 AND scheduled = 0 AND issued_at >= $2",
    )
    .bind(organisation_id)
    .bind(since)
    .fetch_one(db.pool())
    .await?;
    Ok(count)
}
