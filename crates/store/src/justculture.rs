//! Just culture decision guide records and their independent checks (migration 0024).
//! Words are ciphertext made by the application; this module stores and audits them.

use crate::audit::{self, NewEntry};
use crate::identity::Organisation;
use crate::{Db, StoreError};
use dignity_domain::justculture::{Answers, CheckState, Route};
use dignity_domain::speakup::Day;

/// A record as the application hands it over: words already encrypted and the record's key
/// already sealed to each holder.
#[derive(Debug, Clone)]
pub struct NewGuide {
    pub organisation_id: i64,
    pub org_unit_id: Option<i64>,
    pub manager_id: i64,
    pub person_digest: Option<String>,
    pub started_on: Day,
    pub answers: Answers,
    pub recommended: Route,
    pub decided: Route,
    pub public_key: String,
    pub record: Vec<u8>,
    pub seals: Vec<(String, Vec<u8>)>,
}

/// A stored record. `record` and `check_reason` are ciphertext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guide {
    pub id: i64,
    pub organisation_id: i64,
    pub org_unit_id: Option<i64>,
    pub manager_id: i64,
    pub person_digest: Option<String>,
    pub started_on: Day,
    pub answers: Answers,
    pub recommended: Route,
    pub decided: Route,
    pub public_key: String,
    pub record: Vec<u8>,
    pub check_state: CheckState,
    pub checked_by: Option<i64>,
    pub checked_on: Option<Day>,
    pub check_reason: Option<Vec<u8>>,
}

/// Five characters, one a question: 'y', 'n', or '-' where the guide did not ask.
fn answers_code(answers: &Answers) -> String {
    answers
        .0
        .iter()
        .map(|a| match a {
            Some(true) => 'y',
            Some(false) => 'n',
            None => '-',
        })
        .collect()
}

fn answers_from(code: &str) -> Result<Answers, StoreError> {
    let mut answers = [None; 5];
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != answers.len() {
        return Err(StoreError::Corrupt(format!("answers '{code}'")));
    }
    for (slot, c) in answers.iter_mut().zip(chars) {
        *slot = match c {
            'y' => Some(true),
            'n' => Some(false),
            '-' => None,
            _ => return Err(StoreError::Corrupt(format!("answers '{code}'"))),
        };
    }
    Ok(Answers(answers))
}

type Row = (
    i64,
    i64,
    Option<i64>,
    i64,
    Option<String>,
    String,
    String,
    String,
    String,
    String,
    Vec<u8>,
    String,
    Option<i64>,
    Option<String>,
    Option<Vec<u8>>,
);

const COLUMNS: &str = "id, organisation_id, org_unit_id, manager_id, person_digest, started_on, answers, \
    recommended, decided, public_key, record, check_state, checked_by, checked_on, check_reason";

fn guide_from(row: Row) -> Result<Guide, StoreError> {
    let (
        id,
        organisation_id,
        org_unit_id,
        manager_id,
        person_digest,
        started_on,
        answers,
        recommended,
        decided,
        public_key,
        record,
        check_state,
        checked_by,
        checked_on,
        check_reason,
    ) = row;
    Ok(Guide {
        id,
        organisation_id,
        org_unit_id,
        manager_id,
        person_digest,
        started_on: Day::parse(&started_on)?,
        answers: answers_from(&answers)?,
        recommended: recommended.parse()?,
        decided: decided.parse()?,
        public_key,
        record,
        check_state: check_state.parse()?,
        checked_by,
        checked_on: checked_on.as_deref().map(Day::parse).transpose()?,
        check_reason,
    })
}

/// Stores a record and its seals, audited, in one transaction. The audit entry names the
/// record and the routes, never the person or any words.
pub async fn create_guide(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    guide: &NewGuide,
) -> Result<i64, StoreError> {
    let mut tx = db.begin_write().await?;
    let check_state = CheckState::for_decision(guide.decided);
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO jc_guides (organisation_id, org_unit_id, manager_id, person_digest, started_on, answers, \
         recommended, decided, public_key, record, check_state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(guide.organisation_id)
    .bind(guide.org_unit_id)
    .bind(guide.manager_id)
    .bind(guide.person_digest.as_deref())
    .bind(guide.started_on.to_string())
    .bind(answers_code(&guide.answers))
    .bind(guide.recommended.code())
    .bind(guide.decided.code())
    .bind(&guide.public_key)
    .bind(&guide.record)
    .bind(check_state.code())
    .fetch_one(&mut *tx)
    .await?;
    for (holder, sealed) in &guide.seals {
        sqlx::query("INSERT INTO jc_guide_seals (guide_id, holder, sealed) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(holder)
            .bind(sealed)
            .execute(&mut *tx)
            .await?;
    }
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: Some(&org.ods_code),
            action: "justculture.guide_recorded",
            detail: &format!(
                "Recorded decision guide {id}: the guide recommended {}, the manager decided {}",
                guide.recommended.code(),
                guide.decided.code()
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn guide_in_organisation(
    db: &Db,
    organisation_id: i64,
    id: i64,
) -> Result<Guide, StoreError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM jc_guides WHERE organisation_id = $1 AND id = $2"
    ))
    .bind(organisation_id)
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    match row {
        Some(row) => guide_from(row),
        None => Err(StoreError::NotFound(format!(
            "There is no decision guide record {id} in this organisation"
        ))),
    }
}

/// An organisation's records, newest first; `manager` narrows to one manager's.
pub async fn list_guides(
    db: &Db,
    organisation_id: i64,
    manager: Option<i64>,
) -> Result<Vec<Guide>, StoreError> {
    // Two statements, not `$2 IS NULL`: PostgreSQL cannot type a parameter used only so.
    let rows: Vec<Row> = match manager {
        Some(manager) => {
            sqlx::query_as(&format!(
                "SELECT {COLUMNS} FROM jc_guides WHERE organisation_id = $1 AND manager_id = $2 \
                 ORDER BY started_on DESC, id DESC"
            ))
            .bind(organisation_id)
            .bind(manager)
            .fetch_all(db.pool())
            .await?
        }
        None => {
            sqlx::query_as(&format!(
                "SELECT {COLUMNS} FROM jc_guides WHERE organisation_id = $1 ORDER BY started_on DESC, id DESC"
            ))
            .bind(organisation_id)
            .fetch_all(db.pool())
            .await?
        }
    };
    rows.into_iter().map(guide_from).collect()
}

/// How many of an organisation's records wait for their independent check.
pub async fn count_waiting(db: &Db, organisation_id: i64) -> Result<i64, StoreError> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM jc_guides WHERE organisation_id = $1 AND check_state = 'waiting'",
    )
    .bind(organisation_id)
    .fetch_one(db.pool())
    .await?;
    Ok(n)
}

/// A holder's sealed copy of a record's key.
pub async fn seal_for(db: &Db, guide_id: i64, holder: &str) -> Result<Option<Vec<u8>>, StoreError> {
    let row: Option<(Vec<u8>,)> =
        sqlx::query_as("SELECT sealed FROM jc_guide_seals WHERE guide_id = $1 AND holder = $2")
            .bind(guide_id)
            .bind(holder)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map(|(s,)| s))
}

/// Writes "this person read this record's words" to the audit log.
pub async fn record_read(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    guide_id: i64,
) -> Result<(), StoreError> {
    audit::record(
        db,
        now,
        &NewEntry {
            actor,
            organisation: Some(&org.ods_code),
            action: "justculture.guide_read",
            detail: &format!("Read decision guide {guide_id}"),
        },
    )
    .await?;
    Ok(())
}

/// A reviewer's check of a record that waits for one.
#[derive(Debug, Clone)]
pub struct Check {
    pub reviewer_id: i64,
    pub agreed: bool,
    pub on: Day,
    /// The reason, encrypted to the record's key.
    pub reason: Vec<u8>,
}

/// Records a check, audited. Only a record still waiting changes: when two reviewers
/// check at once, the second is told it has been checked and nothing of theirs is kept.
pub async fn record_check(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    guide_id: i64,
    check: &Check,
) -> Result<(), StoreError> {
    let state = if check.agreed {
        CheckState::Agreed
    } else {
        CheckState::NotAgreed
    };
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE jc_guides SET check_state = $1, checked_by = $2, checked_on = $3, check_reason = $4 \
         WHERE organisation_id = $5 AND id = $6 AND check_state = 'waiting'",
    )
    .bind(state.code())
    .bind(check.reviewer_id)
    .bind(check.on.to_string())
    .bind(&check.reason)
    .bind(org.id)
    .bind(guide_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(StoreError::Conflict(
            "Someone has already checked this record, or it does not need a check".into(),
        ));
    }
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: Some(&org.ods_code),
            action: "justculture.guide_checked",
            detail: &format!("Checked decision guide {guide_id}: {}", state.code()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records of an organisation whose key is sealed to `mine` but not to `theirs`: what one
/// employee relations lead can share with a colleague who joined later.
pub async fn guides_to_share(
    db: &Db,
    organisation_id: i64,
    mine: &str,
    theirs: &str,
) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT g.id FROM jc_guides g JOIN jc_guide_seals m ON m.guide_id = g.id AND m.holder = $2 \
         WHERE g.organisation_id = $1 AND NOT EXISTS \
         (SELECT 1 FROM jc_guide_seals t WHERE t.guide_id = g.id AND t.holder = $3) ORDER BY g.id",
    )
    .bind(organisation_id)
    .bind(mine)
    .bind(theirs)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Adds copies of records' keys for new holders, with one audit entry saying who was given
/// how many. A copy already there is left as it is.
pub async fn add_seals(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    seals: &[(i64, String, Vec<u8>)],
    detail: &str,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    for (guide_id, holder, sealed) in seals {
        sqlx::query(
            "INSERT INTO jc_guide_seals (guide_id, holder, sealed) VALUES ($1, $2, $3) \
             ON CONFLICT (guide_id, holder) DO NOTHING",
        )
        .bind(guide_id)
        .bind(holder)
        .bind(sealed)
        .execute(&mut *tx)
        .await?;
    }
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: Some(&org.ods_code),
            action: "justculture.shared",
            detail,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_keep_their_order_and_gaps() {
        let answers = Answers([Some(false), Some(true), None, None, None]);
        assert_eq!(answers_code(&answers), "ny---");
        assert_eq!(answers_from("ny---").ok(), Some(answers));
        assert!(answers_from("nyx--").is_err());
        assert!(answers_from("ny").is_err());
    }
}
