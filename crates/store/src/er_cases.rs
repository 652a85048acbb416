//! Employee relations cases (migration 0025). Words are ciphertext made by the application;
//! this module stores them, keeps each case's stages in order and audits every change.

use crate::audit::{self, NewEntry};
use crate::identity::Organisation;
use crate::mail::{self, NewMail};
use crate::{Db, StoreError};
use dignity_domain::er_cases::{
    AppealOutcome, CaseType, EntryKind, Outcome, Stage, StageTargets, SuspensionKind, Timescales,
};
use dignity_domain::speakup::Day;

/// A case as the application hands it over: details encrypted, key sealed to each holder.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub org_unit_id: Option<i64>,
    pub case_type: CaseType,
    pub person_digest: Option<String>,
    pub guide_id: Option<i64>,
    pub fast_track: bool,
    pub opened_by: i64,
    pub opened_on: Day,
    pub stage: Stage,
    pub stage_since: Day,
    pub investigator_id: Option<i64>,
    pub public_key: String,
    pub details: Vec<u8>,
    pub seals: Vec<(String, Vec<u8>)>,
    /// The allegation or complaint, encrypted, kept as the case's first entry.
    pub first_entry: Option<(EntryKind, Vec<u8>)>,
    /// The keyed digest of the Speak Up grievance the case is opened from, if any.
    pub grievance_link: Option<String>,
}

/// A stored case. `details` is ciphertext.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ErCase {
    pub id: i64,
    pub organisation_id: i64,
    pub org_unit_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub case_type: CaseType,
    pub person_digest: Option<String>,
    pub guide_id: Option<i64>,
    #[sqlx(try_from = "i64")]
    pub fast_track: Flag,
    pub opened_by: i64,
    #[sqlx(try_from = "String")]
    pub opened_on: Day,
    #[sqlx(try_from = "String")]
    pub stage: Stage,
    #[sqlx(try_from = "String")]
    pub stage_since: Day,
    pub investigator_id: Option<i64>,
    pub outcome: Option<String>,
    pub appeal_outcome: Option<String>,
    pub closed_on: Option<String>,
    pub version: i64,
    pub public_key: String,
    pub details: Vec<u8>,
}

/// A 0 or 1 column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl TryFrom<i64> for Flag {
    type Error = StoreError;
    fn try_from(value: i64) -> Result<Flag, StoreError> {
        match value {
            0 => Ok(Flag(false)),
            1 => Ok(Flag(true)),
            other => Err(StoreError::Corrupt(format!("flag {other}"))),
        }
    }
}

impl ErCase {
    pub fn outcome(&self) -> Result<Option<Outcome>, StoreError> {
        Ok(self.outcome.as_deref().map(str::parse).transpose()?)
    }
    pub fn appeal_outcome(&self) -> Result<Option<AppealOutcome>, StoreError> {
        Ok(self.appeal_outcome.as_deref().map(str::parse).transpose()?)
    }
    pub fn is_closed(&self) -> bool {
        self.stage == Stage::Closed
    }
}

const COLUMNS: &str = "id, organisation_id, org_unit_id, case_type, person_digest, guide_id, fast_track, \
    opened_by, opened_on, stage, stage_since, investigator_id, outcome, appeal_outcome, closed_on, version, \
    public_key, details";

fn audit_entry<'a>(
    actor: &'a str,
    org: &'a Organisation,
    action: &'a str,
    detail: &'a str,
) -> NewEntry<'a> {
    NewEntry {
        actor,
        organisation: Some(&org.ods_code),
        action,
        detail,
    }
}

/// Stores a new case with its first stage, seals and first entry, audited, in one
/// transaction. The audit entry names the case, its type and stage, never the person.
pub async fn open_case(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    case: &NewCase,
) -> Result<i64, StoreError> {
    let mut tx = db.begin_write().await?;
    // One decision guide record starts one case: checked under the record's lock, so two
    // leads sending at once cannot both use it.
    if let Some(guide) = case.guide_id {
        sqlx::query(&format!(
            "SELECT id FROM jc_guides WHERE id = $1{}",
            db.lock_rows()
        ))
        .bind(guide)
        .fetch_optional(&mut *tx)
        .await?;
        let started: Option<(i64,)> =
            sqlx::query_as("SELECT MIN(id) FROM er_cases WHERE guide_id = $1 HAVING COUNT(*) > 0")
                .bind(guide)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some((started,)) = started {
            return Err(StoreError::Conflict(format!(
                "Decision guide record {guide} has already started case {started}. A new incident needs its own record and check."
            )));
        }
    }
    // One case for each Speak Up grievance, checked inside the write (the unique index
    // stands behind it).
    if let Some(link) = &case.grievance_link {
        let started: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM er_cases WHERE grievance_link = $1")
                .bind(link)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some((started,)) = started {
            return Err(StoreError::Conflict(format!(
                "This grievance already has an employee relations case: case {started}."
            )));
        }
    }
    let id = insert_case(&mut tx, org.id, case, Day::from_unix_seconds(now)).await?;
    for (holder, sealed) in &case.seals {
        sqlx::query("INSERT INTO er_case_seals (case_id, holder, sealed) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(holder)
            .bind(sealed)
            .execute(&mut *tx)
            .await?;
    }
    if let Some((kind, record)) = &case.first_entry {
        insert_entry(&mut tx, id, *kind, case.opened_on, case.opened_by, record).await?;
    }
    let detail = format!(
        "Opened case {id}: {}, at the {} stage{}{}",
        case.case_type.code(),
        case.stage.code(),
        case.guide_id
            .map(|g| format!(", from decision guide {g}"))
            .unwrap_or_default(),
        case.investigator_id
            .map(|p| format!(", investigated by person {p}, who holds its key"))
            .unwrap_or_default()
    );
    audit::append(
        &mut tx,
        now,
        &audit_entry(actor, org, "er.case_opened", &detail),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn insert_entry(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    case_id: i64,
    kind: EntryKind,
    on: Day,
    by: i64,
    record: &[u8],
) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO er_case_entries (case_id, kind, written_on, written_by, record) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(case_id)
    .bind(kind.code())
    .bind(on.to_string())
    .bind(by)
    .bind(record)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn case_in_organisation(
    db: &Db,
    organisation_id: i64,
    id: i64,
) -> Result<ErCase, StoreError> {
    sqlx::query_as::<_, ErCase>(&format!(
        "SELECT {COLUMNS} FROM er_cases WHERE organisation_id = $1 AND id = $2"
    ))
    .bind(organisation_id)
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("case {id}")))
}

/// Which cases a list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only open cases (`Some(true)`), only closed (`Some(false)`), or all.
    pub open: Option<bool>,
    pub case_type: Option<CaseType>,
    pub stage: Option<Stage>,
    /// Only the cases this person is the investigating officer of.
    pub investigator: Option<i64>,
}

/// How a list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    /// The stage that started longest ago first: the cases most likely to be late.
    #[default]
    LongestInStage,
    Newest,
    Oldest,
}

/// A case in a list: its plain parts, no words.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Listed {
    pub id: i64,
    pub org_unit_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub case_type: CaseType,
    #[sqlx(try_from = "i64")]
    pub fast_track: Flag,
    #[sqlx(try_from = "String")]
    pub opened_on: Day,
    #[sqlx(try_from = "String")]
    pub stage: Stage,
    #[sqlx(try_from = "String")]
    pub stage_since: Day,
    pub investigator_id: Option<i64>,
    /// Whether a suspension or exclusion is running.
    #[sqlx(try_from = "i64")]
    pub suspended: Flag,
}

/// An organisation's cases, filtered and ordered in the database.
pub async fn list_cases(
    db: &Db,
    organisation_id: i64,
    filter: Filter,
    order: Order,
) -> Result<Vec<Listed>, StoreError> {
    Ok(sqlx::query_as::<_, Listed>(&listing(filter, order, None))
        .bind(organisation_id)
        .fetch_all(db.pool())
        .await?)
}

/// One page of the cases `filter` picks, `limit` from `offset`, and how many it picks in
/// all: an organisation may hold thousands, and a page shows a few dozen.
pub async fn list_cases_page(
    db: &Db,
    organisation_id: i64,
    filter: Filter,
    order: Order,
    offset: u32,
    limit: u32,
) -> Result<(u64, Vec<Listed>), StoreError> {
    let (total,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM er_cases c WHERE c.organisation_id = $1{}",
        conditions(filter)
    ))
    .bind(organisation_id)
    .fetch_one(db.pool())
    .await?;
    let cases = sqlx::query_as::<_, Listed>(&listing(filter, order, Some((offset, limit))))
        .bind(organisation_id)
        .fetch_all(db.pool())
        .await?;
    Ok((u64::try_from(total).unwrap_or(0), cases))
}

/// The `AND ...` conditions of a filter. Both codes come from fixed lists, never from
/// what was typed.
fn conditions(filter: Filter) -> String {
    let mut sql = String::new();
    match filter.open {
        Some(true) => sql.push_str(" AND c.stage <> 'closed'"),
        Some(false) => sql.push_str(" AND c.stage = 'closed'"),
        None => {}
    }
    if let Some(t) = filter.case_type {
        sql.push_str(&format!(" AND c.case_type = '{}'", t.code()));
    }
    if let Some(s) = filter.stage {
        sql.push_str(&format!(" AND c.stage = '{}'", s.code()));
    }
    // A number from the session, never typed.
    if let Some(person) = filter.investigator {
        sql.push_str(&format!(" AND c.investigator_id = {person}"));
    }
    sql
}

fn listing(filter: Filter, order: Order, page: Option<(u32, u32)>) -> String {
    let mut sql = String::from(
        "SELECT c.id, c.org_unit_id, c.case_type, c.fast_track, c.opened_on, c.stage, c.stage_since, \
         c.investigator_id, CASE WHEN EXISTS (SELECT 1 FROM er_suspensions s WHERE s.case_id = c.id \
         AND s.ended_on IS NULL) THEN 1 ELSE 0 END AS suspended \
         FROM er_cases c WHERE c.organisation_id = $1",
    );
    sql.push_str(&conditions(filter));
    sql.push_str(match order {
        Order::LongestInStage => " ORDER BY c.stage_since, c.id",
        Order::Newest => " ORDER BY c.opened_on DESC, c.id DESC",
        Order::Oldest => " ORDER BY c.opened_on, c.id",
    });
    // Numbers, not what was typed.
    if let Some((offset, limit)) = page {
        sql.push_str(&format!(" LIMIT {limit} OFFSET {offset}"));
    }
    sql
}

/// Every stage a case entered, in order.
pub async fn stages(db: &Db, case_id: i64) -> Result<Vec<(Stage, Day)>, StoreError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT stage, started_on FROM er_case_stages WHERE case_id = $1 ORDER BY position",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(s, d)| Ok((s.parse()?, Day::parse(&d)?)))
        .collect()
}

/// A stage move already allowed by the domain's rules.
#[derive(Debug, Clone)]
pub struct StageMove {
    pub to: Stage,
    pub on: Day,
    pub outcome: Option<Outcome>,
    pub appeal_outcome: Option<AppealOutcome>,
    /// An investigator named when the investigation starts.
    pub investigator_id: Option<i64>,
}

/// Moves a case on, audited, only if nobody changed it since `version` was read. Returns
/// false when someone did: the caller tells the person and keeps what they typed.
pub async fn move_stage(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    case_id: i64,
    version: i64,
    step: &StageMove,
) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let on = step.on.to_string();
    let closed_on = (step.to == Stage::Closed).then(|| on.clone());
    let changed = sqlx::query(
        "UPDATE er_cases SET stage = $1, stage_since = $2, version = version + 1, \
         outcome = COALESCE($3, outcome), appeal_outcome = COALESCE($4, appeal_outcome), \
         investigator_id = COALESCE($5, investigator_id), closed_on = $6 \
         WHERE organisation_id = $7 AND id = $8 AND version = $9",
    )
    .bind(step.to.code())
    .bind(&on)
    .bind(step.outcome.map(Outcome::code))
    .bind(step.appeal_outcome.map(AppealOutcome::code))
    .bind(step.investigator_id)
    .bind(closed_on)
    .bind(org.id)
    .bind(case_id)
    .bind(version)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Ok(false);
    }
    if step.to == Stage::Closed {
        // A closed case keeps nobody from their work: its running suspension ends with it.
        sqlx::query(
            "UPDATE er_suspensions SET ended_on = $1, end_recorded_on = $2 \
             WHERE case_id = $3 AND ended_on IS NULL",
        )
        .bind(&on)
        .bind(Day::from_unix_seconds(now).to_string())
        .bind(case_id)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "INSERT INTO er_case_stages (case_id, position, stage, started_on, recorded_on) \
         SELECT $1, COALESCE(MAX(position), -1) + 1, $2, $3, $4 FROM er_case_stages \
         WHERE case_id = $5",
    )
    .bind(case_id)
    .bind(step.to.code())
    .bind(&on)
    .bind(Day::from_unix_seconds(now).to_string())
    .bind(case_id)
    .execute(&mut *tx)
    .await?;
    let mut detail = format!("Moved case {case_id} to {}", step.to.code());
    if let Some(outcome) = step.outcome {
        detail.push_str(&format!(" with outcome {}", outcome.code()));
    }
    if let Some(outcome) = step.appeal_outcome {
        detail.push_str(&format!(" with appeal outcome {}", outcome.code()));
    }
    audit::append(
        &mut tx,
        now,
        &audit_entry(actor, org, "er.case_moved", &detail),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// New details for a case: re-encrypted words, and the plain parts a lead may change.
#[derive(Debug, Clone)]
pub struct DetailsChange {
    pub details: Vec<u8>,
    pub fast_track: bool,
    pub investigator_id: Option<i64>,
    pub org_unit_id: Option<i64>,
    /// Why a closed case changed, encrypted, kept as a correction entry.
    pub correction: Option<(Day, i64, Vec<u8>)>,
}

/// Changes a case's details, audited, only if nobody changed it since `version`.
pub async fn change_details(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    case_id: i64,
    version: i64,
    change: &DetailsChange,
) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE er_cases SET details = $1, fast_track = $2, investigator_id = $3, org_unit_id = $4, \
         version = version + 1 WHERE organisation_id = $5 AND id = $6 AND version = $7",
    )
    .bind(&change.details)
    .bind(i64::from(change.fast_track))
    .bind(change.investigator_id)
    .bind(change.org_unit_id)
    .bind(org.id)
    .bind(case_id)
    .bind(version)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Ok(false);
    }
    let mut detail = format!("Changed the details of case {case_id}");
    if let Some((on, by, record)) = &change.correction {
        let entry = insert_entry(&mut tx, case_id, EntryKind::Correction, *on, *by, record).await?;
        detail.push_str(&format!(" after it closed; the reason is entry {entry}"));
    }
    audit::append(
        &mut tx,
        now,
        &audit_entry(actor, org, "er.case_changed", &detail),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// An entry in a case's file. `record` is ciphertext.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Entry {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: EntryKind,
    #[sqlx(try_from = "String")]
    pub written_on: Day,
    pub written_by: i64,
    pub record: Vec<u8>,
}

/// Adds an entry, audited. A closed case needs a correction entry with it, saying why:
/// the entry is kept only if the case is still closed (with a reason) or still open
/// (without one), checked under the row's lock, so a case closed a moment before is not
/// changed without a reason. `None` when that no longer holds.
pub async fn add_entry(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    case_id: i64,
    entry: (EntryKind, Day, i64, &[u8]),
    correction: Option<&[u8]>,
) -> Result<Option<i64>, StoreError> {
    let (kind, on, by, record) = entry;
    let mut tx = db.begin_write().await?;
    // An update takes the row's lock on PostgreSQL, so a close committing meanwhile is seen.
    let as_expected = sqlx::query(
        "UPDATE er_cases SET version = version WHERE organisation_id = $1 AND id = $2 \
         AND (CASE WHEN stage = 'closed' THEN 1 ELSE 0 END) = $3",
    )
    .bind(org.id)
    .bind(case_id)
    .bind(i64::from(correction.is_some()))
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !as_expected {
        return Ok(None);
    }
    let id = insert_entry(&mut tx, case_id, kind, on, by, record).await?;
    let mut detail = format!("Added a {} to case {case_id}", kind.code());
    if let Some(reason) = correction {
        let why = insert_entry(&mut tx, case_id, EntryKind::Correction, on, by, reason).await?;
        detail.push_str(&format!(" after it closed; the reason is entry {why}"));
    }
    audit::append(
        &mut tx,
        now,
        &audit_entry(actor, org, "er.entry_added", &detail),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(id))
}

pub async fn entries(db: &Db, case_id: i64) -> Result<Vec<Entry>, StoreError> {
    Ok(sqlx::query_as::<_, Entry>(
        "SELECT id, kind, written_on, written_by, record FROM er_case_entries WHERE case_id = $1 ORDER BY id",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?)
}

/// The case's key sealed to one holder, if it is.
pub async fn seal_for(db: &Db, case_id: i64, holder: &str) -> Result<Option<Vec<u8>>, StoreError> {
    let row: Option<(Vec<u8>,)> =
        sqlx::query_as("SELECT sealed FROM er_case_seals WHERE case_id = $1 AND holder = $2")
            .bind(case_id)
            .bind(holder)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map(|(s,)| s))
}

/// Writes "this person read this case's words" to the audit log.
pub async fn record_read(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    case_id: i64,
) -> Result<(), StoreError> {
    audit::record(
        db,
        now,
        &audit_entry(actor, org, "er.case_read", &format!("Read case {case_id}")),
    )
    .await?;
    Ok(())
}

/// A suspension, exclusion or restriction. `reason` is ciphertext.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Suspension {
    pub id: i64,
    pub case_id: i64,
    #[sqlx(try_from = "String")]
    pub kind: SuspensionKind,
    #[sqlx(try_from = "String")]
    pub started_on: Day,
    pub review_due: Option<String>,
    pub ended_on: Option<String>,
    pub reason: Vec<u8>,
}

impl Suspension {
    pub fn review_due(&self) -> Result<Option<Day>, StoreError> {
        Ok(self.review_due.as_deref().map(Day::parse).transpose()?)
    }
    pub fn ended_on(&self) -> Result<Option<Day>, StoreError> {
        Ok(self.ended_on.as_deref().map(Day::parse).transpose()?)
    }
}

/// A review of a suspension. `note` is ciphertext.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Review {
    pub id: i64,
    pub suspension_id: i64,
    #[sqlx(try_from = "String")]
    pub reviewed_on: Day,
    #[sqlx(try_from = "i64")]
    pub wellbeing_checked: Flag,
    #[sqlx(try_from = "i64")]
    pub continues: Flag,
    pub note: Vec<u8>,
}

const SUSPENSION_COLUMNS: &str = "id, case_id, kind, started_on, review_due, ended_on, reason";

pub async fn suspensions(db: &Db, case_id: i64) -> Result<Vec<Suspension>, StoreError> {
    Ok(sqlx::query_as::<_, Suspension>(&format!(
        "SELECT {SUSPENSION_COLUMNS} FROM er_suspensions WHERE case_id = $1 ORDER BY id"
    ))
    .bind(case_id)
    .fetch_all(db.pool())
    .await?)
}

pub async fn reviews(db: &Db, case_id: i64) -> Result<Vec<Review>, StoreError> {
    Ok(sqlx::query_as::<_, Review>(
        "SELECT r.id, r.suspension_id, r.reviewed_on, r.wellbeing_checked, r.continues, r.note \
         FROM er_suspension_reviews r JOIN er_suspensions s ON s.id = r.suspension_id \
         WHERE s.case_id = $1 ORDER BY r.id",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?)
}

/// A suspension as the application hands it over.
#[derive(Debug, Clone)]
pub struct NewSuspension {
    pub kind: SuspensionKind,
    pub started_on: Day,
    pub review_due: Day,
    pub reason: Vec<u8>,
}

/// Starts a suspension on a case, audited, only if nobody changed the case since `version`
/// and none is running. Returns false when either is not so.
pub async fn start_suspension(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    case_id: i64,
    version: i64,
    suspension: &NewSuspension,
) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    if !bump(&mut tx, org, case_id, version).await? {
        return Ok(false);
    }
    let (running,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM er_suspensions WHERE case_id = $1 AND ended_on IS NULL",
    )
    .bind(case_id)
    .fetch_one(&mut *tx)
    .await?;
    if running > 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO er_suspensions (case_id, kind, started_on, review_due, reason, recorded_on) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(case_id)
    .bind(suspension.kind.code())
    .bind(suspension.started_on.to_string())
    .bind(suspension.review_due.to_string())
    .bind(&suspension.reason)
    .bind(Day::from_unix_seconds(now).to_string())
    .execute(&mut *tx)
    .await?;
    let detail = format!(
        "Started a {} on case {case_id}, first review due {}",
        suspension.kind.code(),
        suspension.review_due
    );
    audit::append(
        &mut tx,
        now,
        &audit_entry(actor, org, "er.suspension_started", &detail),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Adds one to a case's version if it is still `version`.
async fn bump(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    org: &Organisation,
    case_id: i64,
    version: i64,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE er_cases SET version = version + 1 WHERE organisation_id = $1 AND id = $2 AND version = $3",
    )
    .bind(org.id)
    .bind(case_id)
    .bind(version)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// A review as the application hands it over: the next review's day, or `None` when the
/// suspension ends on the review's day.
#[derive(Debug, Clone)]
pub struct NewReview {
    /// The running suspension reviewed.
    pub suspension_id: i64,
    pub reviewed_on: Day,
    pub wellbeing_checked: bool,
    pub next_due: Option<Day>,
    pub note: Vec<u8>,
}

/// Records a review of a running suspension, audited, only if nobody changed the case
/// since `version`.
pub async fn record_review(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    case_id: i64,
    version: i64,
    review: &NewReview,
) -> Result<bool, StoreError> {
    let suspension_id = review.suspension_id;
    let mut tx = db.begin_write().await?;
    if !bump(&mut tx, org, case_id, version).await? {
        return Ok(false);
    }
    let ended_on = review
        .next_due
        .is_none()
        .then(|| review.reviewed_on.to_string());
    let end_recorded_on = ended_on
        .is_some()
        .then(|| Day::from_unix_seconds(now).to_string());
    let changed = sqlx::query(
        "UPDATE er_suspensions SET review_due = $1, ended_on = $2, end_recorded_on = $3 \
         WHERE id = $4 AND case_id = $5 AND ended_on IS NULL",
    )
    .bind(review.next_due.map(|d| d.to_string()))
    .bind(ended_on)
    .bind(end_recorded_on)
    .bind(suspension_id)
    .bind(case_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO er_suspension_reviews (suspension_id, reviewed_on, wellbeing_checked, continues, note) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(suspension_id)
    .bind(review.reviewed_on.to_string())
    .bind(i64::from(review.wellbeing_checked))
    .bind(i64::from(review.next_due.is_some()))
    .bind(&review.note)
    .execute(&mut *tx)
    .await?;
    let detail = match review.next_due {
        Some(next) => format!(
            "Reviewed the suspension on case {case_id}: it continues, next review due {next}"
        ),
        None => format!("Reviewed the suspension on case {case_id}: it ended"),
    };
    audit::append(
        &mut tx,
        now,
        &audit_entry(actor, org, "er.suspension_reviewed", &detail),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// A running suspension's review that is due by a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewDue {
    pub case_id: i64,
    pub due: Day,
}

/// Running suspensions whose review is due on or before `by`, soonest first.
pub async fn reviews_due(
    db: &Db,
    organisation_id: i64,
    by: Day,
) -> Result<Vec<ReviewDue>, StoreError> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT s.case_id, s.review_due FROM er_suspensions s JOIN er_cases c ON c.id = s.case_id \
         WHERE c.organisation_id = $1 AND c.stage <> 'closed' AND s.ended_on IS NULL AND s.review_due <= $2 ORDER BY s.review_due, s.case_id",
    )
    .bind(organisation_id)
    .bind(by.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(case_id, due)| {
            Ok(ReviewDue {
                case_id,
                due: Day::parse(&due)?,
            })
        })
        .collect()
}

/// Organisations with a suspension review due on or before `today` that no reminder has
/// been written for yet: the reminder job reads their leads only when there is one.
pub async fn organisations_to_remind(db: &Db, today: Day) -> Result<Vec<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT c.organisation_id FROM er_suspensions s JOIN er_cases c ON c.id = s.case_id \
         WHERE c.stage <> 'closed' AND s.ended_on IS NULL AND s.review_due <= $1 \
         AND (s.reminded_for IS NULL OR s.reminded_for <> s.review_due)",
    )
    .bind(today.to_string())
    .fetch_all(db.pool())
    .await?)
}

/// Writes one reminder to each of an organisation's leads for every suspension review due
/// on or before `today` not yet reminded for that day, each once even with several servers.
/// `letters` makes the mails for one case's review; they name the case, never the person.
pub async fn send_review_reminders(
    db: &Db,
    now: i64,
    today: Day,
    letters: &(dyn Fn(i64, i64, Day) -> Vec<NewMail> + Sync),
) -> Result<usize, StoreError> {
    let due: Vec<(i64, i64, i64, String)> = sqlx::query_as(
        "SELECT s.id, c.organisation_id, s.case_id, s.review_due FROM er_suspensions s \
         JOIN er_cases c ON c.id = s.case_id WHERE c.stage <> 'closed' AND s.ended_on IS NULL AND s.review_due <= $1 \
         AND (s.reminded_for IS NULL OR s.reminded_for <> s.review_due)",
    )
    .bind(today.to_string())
    .fetch_all(db.pool())
    .await?;
    let mut written = 0;
    for (suspension_id, organisation_id, case_id, due) in due {
        let mut tx = db.begin_write().await?;
        let marked = sqlx::query(
            "UPDATE er_suspensions SET reminded_for = review_due WHERE id = $1 AND review_due = $2 \
             AND ended_on IS NULL AND (reminded_for IS NULL OR reminded_for <> review_due)",
        )
        .bind(suspension_id)
        .bind(&due)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if marked == 1 {
            let mails = letters(organisation_id, case_id, Day::parse(&due)?);
            mail::enqueue(&mut tx, now, &mails).await?;
            written += mails.len();
        }
        tx.commit().await?;
    }
    Ok(written)
}

/// An organisation's own time limits, or the defaults.
pub async fn timescales(db: &Db, organisation_id: i64) -> Result<Timescales, StoreError> {
    let row: Option<(String, String, i64)> = sqlx::query_as(
        "SELECT standard_days, fast_track_days, review_every_days FROM er_settings WHERE organisation_id = $1",
    )
    .bind(organisation_id)
    .fetch_optional(db.pool())
    .await?;
    let Some((standard, fast, every)) = row else {
        return Ok(Timescales::default());
    };
    Ok(Timescales {
        standard: targets_from(&standard)?,
        fast_track: targets_from(&fast)?,
        review_every_days: u16::try_from(every)
            .map_err(|_| StoreError::Corrupt(format!("review interval {every}")))?,
    })
}

/// The case each decision guide record of an organisation started, by record.
pub async fn cases_by_guide(db: &Db, organisation_id: i64) -> Result<Vec<(i64, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT guide_id, MIN(id) FROM er_cases WHERE organisation_id = $1 AND guide_id IS NOT NULL \
         GROUP BY guide_id",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?)
}

/// A case's row and its first stage, written into Dignity on `recorded_on`. A case
/// opened closed (only made-up ones are) closes on its first stage's day.
async fn insert_case(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    organisation_id: i64,
    case: &NewCase,
    recorded_on: Day,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO er_cases (organisation_id, org_unit_id, case_type, person_digest, guide_id, \
         fast_track, opened_by, opened_on, stage, stage_since, investigator_id, version, public_key, \
         details, closed_on, grievance_link) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $13, $14, $15) \
         RETURNING id",
    )
    .bind(organisation_id)
    .bind(case.org_unit_id)
    .bind(case.case_type.code())
    .bind(case.person_digest.as_deref())
    .bind(case.guide_id)
    .bind(i64::from(case.fast_track))
    .bind(case.opened_by)
    .bind(case.opened_on.to_string())
    .bind(case.stage.code())
    .bind(case.stage_since.to_string())
    .bind(case.investigator_id)
    .bind(&case.public_key)
    .bind(&case.details)
    .bind((case.stage == Stage::Closed).then(|| case.stage_since.to_string()))
    .bind(case.grievance_link.as_deref())
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO er_case_stages (case_id, position, stage, started_on, recorded_on) \
         VALUES ($1, 0, $2, $3, $4)",
    )
    .bind(id)
    .bind(case.stage.code())
    .bind(case.stage_since.to_string())
    .bind(recorded_on.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Many made-up cases in one transaction, for `dignity bench casework` only: its own
/// scratch database needs 200,000 cases in seconds, not one audited transaction each.
/// Each case gets its first stage as `open_case` stores it; seals and entries are left
/// out, as the list and the figures never read them.
/// The organisation's case opened from the Speak Up grievance with this keyed digest.
pub async fn case_for_grievance(
    db: &Db,
    organisation_id: i64,
    link: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM er_cases WHERE organisation_id = $1 AND grievance_link = $2",
    )
    .bind(organisation_id)
    .bind(link)
    .fetch_optional(db.pool())
    .await?)
}

/// The keyed digest of the Speak Up grievance case `case_id` was opened from, if any.
pub async fn grievance_link_of(db: &Db, case_id: i64) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar::<_, Option<String>>(
            "SELECT grievance_link FROM er_cases WHERE id = $1",
        )
        .bind(case_id)
        .fetch_optional(db.pool())
        .await?
        .flatten(),
    )
}

pub async fn insert_cases_for_benchmark(
    db: &Db,
    organisation_id: i64,
    cases: &[NewCase],
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    for case in cases {
        insert_case(&mut tx, organisation_id, case, case.stage_since).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Replaces an organisation's time limits with `timescales`, audited with the old and the
/// new, if they are still `expected`: false, and nothing changed, if someone changed them
/// since. The check and the change are one locked step, so two saves from pages showing
/// the same limits cannot both land.
pub async fn save_timescales(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    expected: &Timescales,
    timescales: &Timescales,
) -> Result<bool, StoreError> {
    let list = |targets: &StageTargets| {
        targets
            .0
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    let (standard, fast) = (list(&timescales.standard), list(&timescales.fast_track));
    let mut tx = db.begin_write().await?;
    // The organisation's row is the lock, as its settings row may not exist yet.
    sqlx::query(&format!(
        "SELECT id FROM organisations WHERE id = $1{}",
        db.lock_rows()
    ))
    .bind(org.id)
    .fetch_optional(&mut *tx)
    .await?;
    let row: Option<(String, String, i64)> = sqlx::query_as(
        "SELECT standard_days, fast_track_days, review_every_days FROM er_settings WHERE organisation_id = $1",
    )
    .bind(org.id)
    .fetch_optional(&mut *tx)
    .await?;
    let before = match row {
        None => Timescales::default(),
        Some((standard, fast, every)) => Timescales {
            standard: targets_from(&standard)?,
            fast_track: targets_from(&fast)?,
            review_every_days: u16::try_from(every)
                .map_err(|_| StoreError::Corrupt(format!("review interval {every}")))?,
        },
    };
    if before != *expected {
        return Ok(false);
    }
    if before == *timescales {
        // Nothing to change, and nothing to audit.
        return Ok(true);
    }
    sqlx::query(
        "INSERT INTO er_settings (organisation_id, standard_days, fast_track_days, review_every_days) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (organisation_id) DO UPDATE SET \
         standard_days = excluded.standard_days, fast_track_days = excluded.fast_track_days, \
         review_every_days = excluded.review_every_days",
    )
    .bind(org.id)
    .bind(&standard)
    .bind(&fast)
    .bind(i64::from(timescales.review_every_days))
    .execute(&mut *tx)
    .await?;
    let detail = format!(
        "Time limits: usual {standard}; fast-track {fast}; suspension review every {} days \
         (were usual {}; fast-track {}; review every {} days)",
        timescales.review_every_days,
        list(&before.standard),
        list(&before.fast_track),
        before.review_every_days
    );
    audit::append(
        &mut tx,
        now,
        &audit_entry(actor, org, "er.time_limits_changed", &detail),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

fn targets_from(text: &str) -> Result<StageTargets, StoreError> {
    let days: Vec<u16> = text
        .split(',')
        .map(|d| d.trim().parse::<u16>())
        .collect::<Result<_, _>>()
        .map_err(|_| StoreError::Corrupt(format!("stage targets '{text}'")))?;
    let days: [u16; 6] = days
        .try_into()
        .map_err(|_| StoreError::Corrupt(format!("stage targets '{text}'")))?;
    Ok(StageTargets(days))
}

/// Every case's plain parts in one organisation, for the fairness figures (no words).
pub async fn all_cases(db: &Db, organisation_id: i64) -> Result<Vec<ErCase>, StoreError> {
    Ok(sqlx::query_as::<_, ErCase>(&format!(
        "SELECT {COLUMNS} FROM er_cases WHERE organisation_id = $1 ORDER BY id"
    ))
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?)
}

/// A person entering a formal process: a conduct or performance capability case whose
/// investigation started on `entered_on`, about the person with this digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormalEntry {
    pub case_type: CaseType,
    pub person_digest: String,
    pub entered_on: Day,
    /// The day the stage was written into Dignity.
    pub recorded_on: Day,
}

const FORMAL_ENTRIES: &str = "SELECT c.organisation_id, c.case_type, c.person_digest, s.started_on, \
    COALESCE(s.recorded_on, s.started_on) \
    FROM er_cases c JOIN er_case_stages s ON s.case_id = c.id \
    WHERE c.person_digest IS NOT NULL AND s.stage = 'investigation' \
    AND c.case_type IN ('conduct', 'capability_performance')";

type FormalRow = (i64, String, String, String, String);

fn formal_entry(
    (organisation_id, case_type, person_digest, entered_on, recorded_on): FormalRow,
) -> Result<(i64, FormalEntry), StoreError> {
    Ok((
        organisation_id,
        FormalEntry {
            case_type: case_type.parse()?,
            person_digest,
            entered_on: Day::parse(&entered_on)?,
            recorded_on: Day::parse(&recorded_on)?,
        },
    ))
}

/// Every formal process entered in one organisation's cases (WRES 3 and WDES 3).
pub async fn formal_entries(db: &Db, organisation_id: i64) -> Result<Vec<FormalEntry>, StoreError> {
    let rows: Vec<FormalRow> =
        sqlx::query_as(&format!("{FORMAL_ENTRIES} AND c.organisation_id = $1"))
            .bind(organisation_id)
            .fetch_all(db.pool())
            .await?;
    rows.into_iter()
        .map(|row| formal_entry(row).map(|(_, e)| e))
        .collect()
}

/// Every formal process entered in every organisation's cases, by organisation.
pub async fn every_formal_entry(db: &Db) -> Result<Vec<(i64, FormalEntry)>, StoreError> {
    let rows: Vec<FormalRow> = sqlx::query_as(FORMAL_ENTRIES).fetch_all(db.pool()).await?;
    rows.into_iter().map(formal_entry).collect()
}

/// Cases of an organisation whose key is sealed to `mine` but not to `theirs`: what one
/// employee relations lead can share with a colleague who joined later.
pub async fn cases_to_share(
    db: &Db,
    organisation_id: i64,
    mine: &str,
    theirs: &str,
) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT c.id FROM er_cases c JOIN er_case_seals m ON m.case_id = c.id AND m.holder = $2 \
         WHERE c.organisation_id = $1 AND NOT EXISTS \
         (SELECT 1 FROM er_case_seals t WHERE t.case_id = c.id AND t.holder = $3) ORDER BY c.id",
    )
    .bind(organisation_id)
    .bind(mine)
    .bind(theirs)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Everyone a case's key is sealed to.
pub async fn seal_holders(db: &Db, case_id: i64) -> Result<Vec<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT holder FROM er_case_seals WHERE case_id = $1 ORDER BY holder")
            .bind(case_id)
            .fetch_all(db.pool())
            .await?,
    )
}

/// Gives a case's investigating officer their copy of its key and takes copies from
/// officers who no longer investigate it, in one audited transaction.
pub async fn change_investigator_seals(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    case_id: i64,
    add: Option<(&str, &[u8])>,
    remove: &[String],
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    for holder in remove {
        sqlx::query("DELETE FROM er_case_seals WHERE case_id = $1 AND holder = $2")
            .bind(case_id)
            .bind(holder)
            .execute(&mut *tx)
            .await?;
    }
    if let Some((holder, sealed)) = add {
        insert_seal(&mut tx, case_id, holder, sealed).await?;
    }
    let detail = format!(
        "Case {case_id}: {}{}{}",
        add.map(|(h, _)| format!("shared with investigating officer {h}"))
            .unwrap_or_default(),
        if add.is_some() && !remove.is_empty() {
            "; "
        } else {
            ""
        },
        if remove.is_empty() {
            String::new()
        } else {
            format!("taken from {}", remove.join(", "))
        }
    );
    audit::append(
        &mut tx,
        now,
        &audit_entry(actor, org, "er.investigator_access", &detail),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds copies of cases' keys for new holders, with one audit entry saying who was given
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
    for (case_id, holder, sealed) in seals {
        insert_seal(&mut tx, *case_id, holder, sealed).await?;
    }
    audit::append(&mut tx, now, &audit_entry(actor, org, "er.shared", detail)).await?;
    tx.commit().await?;
    Ok(())
}

/// A copy of a case's key for `holder`; one already there is left as it is.
async fn insert_seal(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    case_id: i64,
    holder: &str,
    sealed: &[u8],
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO er_case_seals (case_id, holder, sealed) VALUES ($1, $2, $3) \
         ON CONFLICT (case_id, holder) DO NOTHING",
    )
    .bind(case_id)
    .bind(holder)
    .bind(sealed)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What happened on a case that the fairness figures count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseEventKind {
    /// A formal investigation started.
    Investigation,
    /// The case reached its outcome, with the outcome the case records.
    Outcome(Option<Outcome>),
    /// A suspension or exclusion started (restricted duties keep the person at work).
    Suspension,
}

/// One event of a case about a known person: its day, and the day it was written into
/// Dignity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEvent {
    pub case_id: i64,
    pub case_type: CaseType,
    pub person_digest: String,
    pub kind: CaseEventKind,
    pub on: Day,
    pub recorded_on: Day,
}

type EventRow = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
);

/// Every counted event of every case about a known person, by organisation; of one
/// organisation when `organisation_id` is given. No words: only the plain parts.
pub async fn case_events(
    db: &Db,
    organisation_id: Option<i64>,
) -> Result<Vec<(i64, CaseEvent)>, StoreError> {
    let only = if organisation_id.is_some() {
        "AND c.organisation_id = $1"
    } else {
        ""
    };
    let sql = format!(
        "SELECT c.organisation_id, c.id, c.case_type, c.person_digest, s.stage, s.started_on, \
         COALESCE(s.recorded_on, s.started_on), c.outcome \
         FROM er_cases c JOIN er_case_stages s ON s.case_id = c.id \
         WHERE c.person_digest IS NOT NULL AND s.stage IN ('investigation', 'outcome') {only} \
         UNION ALL \
         SELECT c.organisation_id, c.id, c.case_type, c.person_digest, 'suspension', u.started_on, \
         COALESCE(u.recorded_on, u.started_on), NULL \
         FROM er_cases c JOIN er_suspensions u ON u.case_id = c.id \
         WHERE c.person_digest IS NOT NULL AND u.kind IN ('suspension', 'exclusion') {only}"
    );
    let mut query = sqlx::query_as::<_, EventRow>(&sql);
    if let Some(id) = organisation_id {
        query = query.bind(id);
    }
    let rows = query.fetch_all(db.pool()).await?;
    rows.into_iter()
        .map(
            |(
                organisation_id,
                case_id,
                case_type,
                person_digest,
                what,
                on,
                recorded_on,
                outcome,
            )| {
                let kind = match what.as_str() {
                    "investigation" => CaseEventKind::Investigation,
                    "outcome" => {
                        CaseEventKind::Outcome(outcome.as_deref().map(str::parse).transpose()?)
                    }
                    "suspension" => CaseEventKind::Suspension,
                    other => return Err(StoreError::Corrupt(format!("case event '{other}'"))),
                };
                Ok((
                    organisation_id,
                    CaseEvent {
                        case_id,
                        case_type: case_type.parse()?,
                        person_digest,
                        kind,
                        on: Day::parse(&on)?,
                        recorded_on: Day::parse(&recorded_on)?,
                    },
                ))
            },
        )
        .collect()
}
