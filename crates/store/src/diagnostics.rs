//! Self-assessment frameworks (issue 19): each version of a framework file as loaded.

use crate::audit::{self, NewEntry};
use crate::error::conflict_or;
use crate::identity::Organisation;
use crate::mail::{self, NewMail};
use crate::{Db, StoreError};
use dignity_domain::speakup::Day;

/// One version of a framework, as loaded.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredFramework {
    pub id: i64,
    pub key: String,
    pub version: i64,
    pub title: String,
    pub definition: String,
    pub added_at: i64,
}

/// What loading a framework file did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// A new version, with its id.
    New(i64),
    /// This exact file was loaded already, as this id: nothing changed.
    Already(i64),
}

/// Loads one version of a framework, audited. The same file loaded again changes nothing;
/// a different file under a version already loaded, or a version older than the newest,
/// is refused, so no round's framework ever changes under it.
pub async fn add_framework(
    db: &Db,
    actor: &str,
    now: i64,
    key: &str,
    version: i64,
    title: &str,
    definition: &str,
) -> Result<Added, StoreError> {
    let mut tx = db.begin_write().await?;
    let loaded: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT id, version, definition FROM diagnostic_frameworks WHERE key = $1 ORDER BY version DESC",
    )
    .bind(key)
    .fetch_all(&mut *tx)
    .await?;
    if let Some((id, _, text)) = loaded.iter().find(|(_, v, _)| *v == version) {
        if text == definition {
            return Ok(Added::Already(*id));
        }
        return Err(StoreError::Conflict(format!(
            "Version {version} of the framework {key} is loaded already, and this file differs from it. Raise the file's version to load the change: rounds keep the version they started with."
        )));
    }
    if let Some((_, newest, _)) = loaded.first()
        && *newest > version
    {
        return Err(StoreError::Conflict(format!(
            "The framework {key} is at version {newest} already, newer than this file's {version}."
        )));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO diagnostic_frameworks (key, version, title, definition, added_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(key)
    .bind(version)
    .bind(title)
    .bind(definition)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| conflict_or(e, format!("Version {version} of the framework {key} is loaded already")))?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: None,
            action: "diagnostic.framework_added",
            detail: &format!("Loaded version {version} of the framework {key} ({title})"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Added::New(id))
}

/// The newest version of every framework, by title.
pub async fn newest_frameworks(db: &Db) -> Result<Vec<StoredFramework>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT f.id, f.key, f.version, f.title, f.definition, f.added_at FROM diagnostic_frameworks f \
         WHERE f.version = (SELECT MAX(g.version) FROM diagnostic_frameworks g WHERE g.key = f.key) \
         ORDER BY f.title, f.id",
    )
    .fetch_all(db.pool())
    .await?)
}

/// One version of a framework, by id.
pub async fn framework(db: &Db, id: i64) -> Result<StoredFramework, StoreError> {
    sqlx::query_as(
        "SELECT id, key, version, title, definition, added_at FROM diagnostic_frameworks WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("framework {id}")))
}

/// A round of a self-assessment.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Round {
    pub id: i64,
    pub organisation_id: i64,
    pub framework_id: i64,
    pub title: String,
    pub lead_id: i64,
    pub lead_name: String,
    pub opened_on: String,
    /// Counts changes to the agreed ratings; a sign-off holds for the version it saw.
    pub version: i64,
}

const ROUND_COLUMNS: &str = "r.id, r.organisation_id, r.framework_id, r.title, r.lead_id, \
    p.display_name AS lead_name, r.opened_on, r.version";

pub struct NewRound<'a> {
    pub framework_id: i64,
    pub title: &'a str,
    pub lead_id: i64,
    pub opened_by: i64,
    pub opened_on: Day,
}

/// Opens a round for `organisation`, audited.
pub async fn open_round(
    db: &Db,
    actor: &str,
    now: i64,
    organisation: &Organisation,
    round: &NewRound<'_>,
) -> Result<i64, StoreError> {
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO diagnostic_rounds (organisation_id, framework_id, title, lead_id, opened_by, opened_on) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(organisation.id)
    .bind(round.framework_id)
    .bind(round.title)
    .bind(round.lead_id)
    .bind(round.opened_by)
    .bind(round.opened_on.to_string())
    .fetch_one(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: Some(&organisation.ods_code),
            action: "diagnostic.round_opened",
            detail: &format!(
                "Opened self-assessment round {id} on framework {}",
                round.framework_id
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The organisation's rounds, newest first.
pub async fn rounds_of(db: &Db, organisation_id: i64) -> Result<Vec<Round>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ROUND_COLUMNS} FROM diagnostic_rounds r JOIN people p ON p.id = r.lead_id \
         WHERE r.organisation_id = $1 ORDER BY r.id DESC"
    ))
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?)
}

/// The round to compare `round` with: the organisation's newest round on the same
/// framework (any version of it) opened before it, that both sides signed off as it
/// stands. Opened on the same day, the one made first counts as earlier.
pub async fn previous_signed_round(db: &Db, round: &Round) -> Result<Option<Round>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ROUND_COLUMNS} FROM diagnostic_rounds r JOIN people p ON p.id = r.lead_id \
         JOIN diagnostic_frameworks f ON f.id = r.framework_id \
         WHERE r.organisation_id = $1 \
         AND f.key = (SELECT g.key FROM diagnostic_frameworks g WHERE g.id = $2) \
         AND (r.opened_on < $3 OR (r.opened_on = $3 AND r.id < $4)) \
         AND (SELECT COUNT(*) FROM diagnostic_signoffs s WHERE s.round_id = r.id AND s.version = r.version) >= 2 \
         ORDER BY r.opened_on DESC, r.id DESC LIMIT 1"
    ))
    .bind(round.organisation_id)
    .bind(round.framework_id)
    .bind(&round.opened_on)
    .bind(round.id)
    .fetch_optional(db.pool())
    .await?)
}

/// One of the organisation's rounds; another organisation's round is not found, as a
/// round that does not exist is.
pub async fn round(db: &Db, organisation_id: i64, id: i64) -> Result<Round, StoreError> {
    sqlx::query_as(&format!(
        "SELECT {ROUND_COLUMNS} FROM diagnostic_rounds r JOIN people p ON p.id = r.lead_id \
         WHERE r.organisation_id = $1 AND r.id = $2"
    ))
    .bind(organisation_id)
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("self-assessment round {id}")))
}

/// Someone asked to rate a round.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Assessor {
    pub person_id: i64,
    pub name: String,
    pub email: String,
    pub assessor_role: String,
    pub invited_on: String,
    pub sent_on: Option<String>,
}

pub async fn assessors(db: &Db, round_id: i64) -> Result<Vec<Assessor>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT a.person_id, p.display_name AS name, p.email, a.assessor_role, a.invited_on, a.sent_on \
         FROM diagnostic_assessors a JOIN people p ON p.id = a.person_id \
         WHERE a.round_id = $1 ORDER BY p.display_name, a.person_id",
    )
    .bind(round_id)
    .fetch_all(db.pool())
    .await?)
}

/// Whether both sides have signed the round's current version: it is then closed.
/// Locks the round's row until the write ends, so every change to one round (asking,
/// taking off, sending, agreeing, signing) waits for the one before: checks such as
/// "everyone has sent" then hold until the change is kept. SQLite's write lock already
/// does this; PostgreSQL needs the row lock.
async fn lock_round(
    db: &Db,
    conn: &mut sqlx::AnyConnection,
    round_id: i64,
) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "SELECT id FROM diagnostic_rounds WHERE id = $1{}",
        db.lock_rows()
    ))
    .bind(round_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(())
}

async fn signed_off(conn: &mut sqlx::AnyConnection, round_id: i64) -> Result<bool, StoreError> {
    let signed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM diagnostic_signoffs s JOIN diagnostic_rounds r ON r.id = s.round_id \
         WHERE s.round_id = $1 AND s.version = r.version",
    )
    .bind(round_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(signed >= 2)
}

/// Whether everyone asked to rate the round has sent (and someone was asked): only then are
/// its figures shown. Shown while some are still to send, each send would move them, and
/// the difference would give away that person's ratings.
pub async fn figures_out(
    conn: &mut sqlx::AnyConnection,
    round_id: i64,
) -> Result<bool, StoreError> {
    let (asked, waiting): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(*) - COUNT(sent_on) FROM diagnostic_assessors WHERE round_id = $1",
    )
    .bind(round_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(asked > 0 && waiting == 0)
}

fn closed() -> StoreError {
    StoreError::Conflict(
        "This round has been signed off, so it cannot change. Open a new round to rate again."
            .into(),
    )
}

/// Asks `person_id` to rate the round as `assessor_role`, with the invitation mail, in
/// one write; audited. Asking someone twice is a conflict.
#[allow(clippy::too_many_arguments)]
pub async fn invite(
    db: &Db,
    actor: &str,
    now: i64,
    organisation: &Organisation,
    round_id: i64,
    person_id: i64,
    assessor_role: &str,
    invited_by: i64,
    on: Day,
    mail: &NewMail,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    lock_round(db, &mut tx, round_id).await?;
    if signed_off(&mut tx, round_id).await? {
        return Err(closed());
    }
    if figures_out(&mut tx, round_id).await? {
        return Err(StoreError::Conflict(
            "Everyone asked has sent their ratings, so the figures are out. Someone asked now could have their ratings worked out from the change. Open a new round to ask more people."
                .into(),
        ));
    }
    sqlx::query(
        "INSERT INTO diagnostic_assessors (round_id, person_id, assessor_role, invited_by, invited_on) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(round_id)
    .bind(person_id)
    .bind(assessor_role)
    .bind(invited_by)
    .bind(on.to_string())
    .execute(&mut *tx)
    .await
    .map_err(|e| conflict_or(e, "They have been asked to rate this round already"))?;
    mail::enqueue(&mut tx, now, std::slice::from_ref(mail)).await?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: Some(&organisation.ods_code),
            action: "diagnostic.assessor_invited",
            detail: &format!(
                "Asked person {person_id} to rate round {round_id} as {assessor_role}"
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Takes someone who has not sent their ratings off the round, with what they saved, in
/// one write; audited. Someone who has sent stays: their ratings are counted.
pub async fn remove_assessor(
    db: &Db,
    actor: &str,
    now: i64,
    organisation: &Organisation,
    round_id: i64,
    person_id: i64,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    lock_round(db, &mut tx, round_id).await?;
    if signed_off(&mut tx, round_id).await? {
        return Err(closed());
    }
    let sent: Option<Option<String>> = sqlx::query_scalar(
        "SELECT sent_on FROM diagnostic_assessors WHERE round_id = $1 AND person_id = $2",
    )
    .bind(round_id)
    .bind(person_id)
    .fetch_optional(&mut *tx)
    .await?;
    match sent {
        None => {
            return Err(StoreError::NotFound(
                "That person is not asked to rate this round".into(),
            ));
        }
        Some(Some(_)) => {
            return Err(StoreError::Conflict(
                "They have sent their ratings, which are counted, so they stay in the round."
                    .into(),
            ));
        }
        Some(None) => {}
    }
    for table in ["diagnostic_ratings", "diagnostic_assessors"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE round_id = $1 AND person_id = $2"
        ))
        .bind(round_id)
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
    }
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: Some(&organisation.ods_code),
            action: "diagnostic.assessor_removed",
            detail: &format!("Took person {person_id} off round {round_id} before they sent"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One assessor's rating of one statement.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Rating {
    pub person_id: i64,
    pub statement: String,
    pub rating: Option<i64>,
    pub evidence: String,
    /// One web address to a line.
    pub links: String,
}

/// Every rating of the round.
pub async fn ratings(db: &Db, round_id: i64) -> Result<Vec<Rating>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT person_id, statement, rating, evidence, links FROM diagnostic_ratings \
         WHERE round_id = $1 ORDER BY person_id, statement",
    )
    .bind(round_id)
    .fetch_all(db.pool())
    .await?)
}

/// Saves an assessor's ratings as they stand (each replaces what they saved before), and
/// marks them sent when `send`. Refused once the round is signed off, or if they are not
/// one of its assessors.
pub async fn save_ratings(
    db: &Db,
    round_id: i64,
    person_id: i64,
    ratings: &[Rating],
    on: Day,
    send: bool,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    lock_round(db, &mut tx, round_id).await?;
    if signed_off(&mut tx, round_id).await? {
        return Err(closed());
    }
    let sent: Option<Option<String>> = sqlx::query_scalar(
        "SELECT sent_on FROM diagnostic_assessors WHERE round_id = $1 AND person_id = $2",
    )
    .bind(round_id)
    .bind(person_id)
    .fetch_optional(&mut *tx)
    .await?;
    match sent {
        None => {
            return Err(StoreError::NotFound(format!(
                "self-assessment round {round_id}"
            )));
        }
        // Once sent, ratings stay as sent: the assessor has seen everyone's since, and
        // a rating changed after that would be swayed by them.
        Some(Some(_)) => {
            return Err(StoreError::Conflict(
                "You have sent your ratings, so they cannot change now.".into(),
            ));
        }
        Some(None) => {}
    }
    for rating in ratings {
        sqlx::query(
            "DELETE FROM diagnostic_ratings WHERE round_id = $1 AND person_id = $2 AND statement = $3",
        )
        .bind(round_id)
        .bind(person_id)
        .bind(&rating.statement)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO diagnostic_ratings (round_id, person_id, statement, rating, evidence, links, saved_on) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(round_id)
        .bind(person_id)
        .bind(&rating.statement)
        .bind(rating.rating)
        .bind(&rating.evidence)
        .bind(&rating.links)
        .bind(on.to_string())
        .execute(&mut *tx)
        .await?;
    }
    if send {
        sqlx::query(
            "UPDATE diagnostic_assessors SET sent_on = $1 WHERE round_id = $2 AND person_id = $3",
        )
        .bind(on.to_string())
        .bind(round_id)
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A rating the round agreed for a statement.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Agreed {
    pub statement: String,
    pub rating: i64,
    pub reason: String,
    pub agreed_by_name: String,
    pub agreed_on: String,
}

pub async fn agreed(db: &Db, round_id: i64) -> Result<Vec<Agreed>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT a.statement, a.rating, a.reason, p.display_name AS agreed_by_name, a.agreed_on \
         FROM diagnostic_agreed a JOIN people p ON p.id = a.agreed_by \
         WHERE a.round_id = $1 ORDER BY a.statement",
    )
    .bind(round_id)
    .fetch_all(db.pool())
    .await?)
}

/// Records the agreed rating of a statement, as of the round's `seen_version`: a round
/// changed since is a conflict, so nobody overwrites a rating they have not seen. Each
/// change moves the round to a new version, which needs signing again. Audited.
#[allow(clippy::too_many_arguments)]
pub async fn agree(
    db: &Db,
    actor: &str,
    now: i64,
    organisation: &Organisation,
    round_id: i64,
    seen_version: i64,
    statement: &str,
    rating: i64,
    reason: &str,
    agreed_by: i64,
    on: Day,
) -> Result<i64, StoreError> {
    let mut tx = db.begin_write().await?;
    lock_round(db, &mut tx, round_id).await?;
    if signed_off(&mut tx, round_id).await? {
        return Err(closed());
    }
    if !figures_out(&mut tx, round_id).await? {
        return Err(StoreError::Conflict(
            "Everyone asked must send their ratings before ratings are agreed. Remove anyone who will not."
                .into(),
        ));
    }
    let moved = sqlx::query(
        "UPDATE diagnostic_rounds SET version = version + 1 WHERE id = $1 AND version = $2",
    )
    .bind(round_id)
    .bind(seen_version)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if moved == 0 {
        return Err(StoreError::Conflict(
            "Someone changed the agreed ratings while you were reading them. Read them again, then agree this one."
                .into(),
        ));
    }
    sqlx::query("DELETE FROM diagnostic_agreed WHERE round_id = $1 AND statement = $2")
        .bind(round_id)
        .bind(statement)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO diagnostic_agreed (round_id, statement, rating, reason, agreed_by, agreed_on) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(round_id)
    .bind(statement)
    .bind(rating)
    .bind(reason)
    .bind(agreed_by)
    .bind(on.to_string())
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: Some(&organisation.ods_code),
            action: "diagnostic.rating_agreed",
            detail: &format!("Agreed {statement} at level {rating} in round {round_id}"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(seen_version + 1)
}

/// A side's sign-off of a round.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SignOff {
    pub side: String,
    pub name: String,
    pub signed_on: String,
    pub version: i64,
}

pub async fn signoffs(db: &Db, round_id: i64) -> Result<Vec<SignOff>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT s.side, p.display_name AS name, s.signed_on, s.version \
         FROM diagnostic_signoffs s JOIN people p ON p.id = s.person_id \
         WHERE s.round_id = $1 ORDER BY s.side",
    )
    .bind(round_id)
    .fetch_all(db.pool())
    .await?)
}

/// Signs the round for `side` as it was at `seen_version`; a conflict if the agreed
/// ratings changed since. Signing again replaces the side's earlier sign-off. Audited.
#[allow(clippy::too_many_arguments)]
pub async fn sign(
    db: &Db,
    actor: &str,
    now: i64,
    organisation: &Organisation,
    round_id: i64,
    seen_version: i64,
    side: &str,
    person_id: i64,
    on: Day,
    levels: &[(String, f64)],
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    lock_round(db, &mut tx, round_id).await?;
    if signed_off(&mut tx, round_id).await? {
        return Err(closed());
    }
    let version: i64 = sqlx::query_scalar("SELECT version FROM diagnostic_rounds WHERE id = $1")
        .bind(round_id)
        .fetch_one(&mut *tx)
        .await?;
    if version != seen_version {
        return Err(StoreError::Conflict(
            "The agreed ratings changed while you were reading them. Read them again before you sign."
                .into(),
        ));
    }
    // Each side is signed by a different person, even one who holds both roles.
    let other_side: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM diagnostic_signoffs WHERE round_id = $1 AND side <> $2 AND person_id = $3 AND version = $4",
    )
    .bind(round_id)
    .bind(side)
    .bind(person_id)
    .bind(version)
    .fetch_one(&mut *tx)
    .await?;
    if other_side > 0 {
        return Err(StoreError::Conflict(
            "You have signed for the other side. Someone else must sign for this one.".into(),
        ));
    }
    sqlx::query("DELETE FROM diagnostic_signoffs WHERE round_id = $1 AND side = $2")
        .bind(round_id)
        .bind(side)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO diagnostic_signoffs (round_id, side, person_id, signed_on, version) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(round_id)
    .bind(side)
    .bind(person_id)
    .bind(on.to_string())
    .bind(version)
    .execute(&mut *tx)
    .await?;
    // Signed by both now, the round is closed for good: its parts' levels are kept.
    if signed_off(&mut tx, round_id).await? && !levels.is_empty() {
        sqlx::query("DELETE FROM diagnostic_levels WHERE round_id = $1")
            .bind(round_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO diagnostic_levels (round_id, levels) VALUES ($1, $2)")
            .bind(round_id)
            .bind(write_levels(levels))
            .execute(&mut *tx)
            .await?;
    }
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: Some(&organisation.ods_code),
            action: "diagnostic.signed",
            detail: &format!("Signed round {round_id} version {version} for the {side} side"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A signed-off round as the system view counts it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SignedRound {
    pub id: i64,
    pub organisation_id: i64,
    pub framework_id: i64,
    pub title: String,
    pub opened_on: String,
    /// The later of the two sides' signatures.
    pub signed_on: String,
    /// Its parts' levels as kept when it closed (see [`read_levels`]); `None` for a round
    /// closed before levels were kept.
    pub levels: Option<String>,
}

/// Parts' levels as one text, a line a part: "key<TAB>level".
pub fn write_levels(levels: &[(String, f64)]) -> String {
    levels
        .iter()
        .map(|(key, level)| format!("{key}\t{level}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Kept levels read back; a line that does not read is left out.
pub fn read_levels(text: &str) -> Vec<(String, f64)> {
    text.lines()
        .filter_map(|line| {
            let (key, level) = line.split_once('\t')?;
            Some((key.to_owned(), level.parse::<f64>().ok()?))
        })
        .collect()
}

/// Every organisation's newest round on framework `key` (any version) that both sides
/// signed off as it stands, with its kept levels: one row an organisation.
pub async fn newest_signed_rounds(db: &Db, key: &str) -> Result<Vec<SignedRound>, StoreError> {
    // Signed off: both sides' signatures are for the round's current version. No newer
    // signed-off round of the same organisation on the framework: the newest, one a row.
    Ok(sqlx::query_as(
        "SELECT r.id, r.organisation_id, r.framework_id, r.title, r.opened_on, \
         (SELECT MAX(s.signed_on) FROM diagnostic_signoffs s WHERE s.round_id = r.id) AS signed_on, \
         l.levels \
         FROM diagnostic_rounds r JOIN diagnostic_frameworks f ON f.id = r.framework_id \
         LEFT JOIN diagnostic_levels l ON l.round_id = r.id \
         WHERE f.key = $1 \
         AND (SELECT COUNT(*) FROM diagnostic_signoffs s \
              WHERE s.round_id = r.id AND s.version = r.version) >= 2 \
         AND NOT EXISTS (SELECT 1 FROM diagnostic_rounds n \
              JOIN diagnostic_frameworks g ON g.id = n.framework_id \
              WHERE n.organisation_id = r.organisation_id AND g.key = f.key \
              AND (n.opened_on > r.opened_on OR (n.opened_on = r.opened_on AND n.id > r.id)) \
              AND (SELECT COUNT(*) FROM diagnostic_signoffs t \
                   WHERE t.round_id = n.id AND t.version = n.version) >= 2) \
         ORDER BY r.organisation_id",
    )
    .bind(key)
    .fetch_all(db.pool())
    .await?)
}

/// The agreed ratings of `round_ids`: round, statement, rating.
pub async fn agreed_of(db: &Db, round_ids: &[i64]) -> Result<Vec<(i64, String, i64)>, StoreError> {
    if round_ids.is_empty() {
        return Ok(Vec::new());
    }
    // The ids are numbers read from the database, so writing them into the query is safe;
    // a list of binds would differ between SQLite and PostgreSQL.
    let ids = round_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    Ok(sqlx::query_as(&format!(
        "SELECT round_id, statement, rating FROM diagnostic_agreed WHERE round_id IN ({ids})"
    ))
    .fetch_all(db.pool())
    .await?)
}
