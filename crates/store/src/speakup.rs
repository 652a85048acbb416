//! Speak Up cases: settings, caseworker keys, cases, sealed keys and encrypted entries.
//! Nothing here sees plain text: the web layer encrypts before it stores.

use crate::audit::{self, NewEntry};
use crate::error::conflict_or;
use crate::identity::Organisation;
use crate::ids::insert_with_random_id;
use crate::{Db, StoreError};
use dignity_domain::identity::{InvalidValue, Role};
use dignity_domain::speakup::{
    CaseStatus, CaseType, DETRIMENT_CHECK_DAYS, Day, Element, EntryKind, Feedback, GrievanceStage,
    IdentityLevel, PatientSafety,
};
use dignity_domain::speakup_returns::CaseFacts;
use sqlx::AnyConnection;

fn parse<T: std::str::FromStr>(raw: &str) -> Result<T, StoreError> {
    raw.parse()
        .map_err(|_| StoreError::Corrupt(format!("unknown stored code '{raw}'")))
}

/// A nullable stored code or date: `#[sqlx(try_from = "Nullable")]` reads an `Option<Day>`
/// or `Option<Feedback>` through the domain's `TryFrom<String>`.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
struct Nullable(Option<String>);

impl<T: TryFrom<String>> TryFrom<Nullable> for Option<T> {
    type Error = T::Error;
    fn try_from(raw: Nullable) -> Result<Option<T>, T::Error> {
        raw.0.map(T::try_from).transpose()
    }
}

/// A yes/no/not yet stored as INTEGER 0/1 or NULL.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
struct NullableFlag(Option<i64>);

impl From<NullableFlag> for Option<bool> {
    fn from(flag: NullableFlag) -> Option<bool> {
        flag.0.map(|v| v != 0)
    }
}

/// A case's elements, stored as a comma list of codes.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
struct Elements(String);

impl TryFrom<Elements> for Vec<Element> {
    type Error = InvalidValue;
    fn try_from(list: Elements) -> Result<Vec<Element>, InvalidValue> {
        Element::parse_list(&list.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Settings {
    pub organisation_id: i64,
    pub recovery_public_key: String,
    #[sqlx(try_from = "i64")]
    pub acknowledge_working_days: u32,
}

pub async fn settings(db: &Db, organisation_id: i64) -> Result<Option<Settings>, StoreError> {
    Ok(sqlx::query_as("SELECT organisation_id, recovery_public_key, acknowledge_working_days FROM speakup_settings WHERE organisation_id = $1")
        .bind(organisation_id)
        .fetch_optional(db.pool())
        .await?)
}

/// Turns Speak Up on for an organisation with its recovery key's public half.
pub async fn init(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    recovery_public_key: &str,
    acknowledge_working_days: u32,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("INSERT INTO speakup_settings (organisation_id, recovery_public_key, acknowledge_working_days, created_at) VALUES ($1, $2, $3, $4)")
        .bind(org.id)
        .bind(recovery_public_key)
        .bind(i64::from(acknowledge_working_days))
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict_or(e, format!("Speak Up is already set up for {}. Its recovery key cannot be replaced", org.name)))?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: Some(&org.ods_code),
            action: "speakup.init",
            detail: &format!("Set up Speak Up with recovery key {recovery_public_key}"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CaseworkerKey {
    pub person_id: i64,
    pub public_key: String,
    pub wrapped_secret: Vec<u8>,
}

pub async fn caseworker_key(db: &Db, person_id: i64) -> Result<Option<CaseworkerKey>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT person_id, public_key, wrapped_secret FROM caseworker_keys WHERE person_id = $1",
    )
    .bind(person_id)
    .fetch_optional(db.pool())
    .await?)
}

pub async fn save_caseworker_key(
    db: &Db,
    actor: &str,
    now: i64,
    person_id: i64,
    public_key: &str,
    wrapped_secret: &[u8],
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("INSERT INTO caseworker_keys (person_id, public_key, wrapped_secret, created_at) VALUES ($1, $2, $3, $4)")
        .bind(person_id)
        .bind(public_key)
        .bind(wrapped_secret)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict_or(e, "This person already has a case key"))?;
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: None,
            action: "speakup.key_created",
            detail: &format!("Created a case key for person {person_id}: {public_key}"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Someone in an organisation who holds a case key, with the roles they hold there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyHolder {
    pub person_id: i64,
    pub public_key: String,
    pub roles: Vec<Role>,
}

/// People of an organisation who hold a case key, with their public keys and their roles
/// there. Which of them read which kind of case is the application's one rule
/// (`dignity_app::speakup::casework::reads`), not decided here. Disabled accounts are
/// left out, as sign-in and sessions leave them out: nobody could use their seal.
pub async fn key_holders(db: &Db, organisation_id: i64) -> Result<Vec<KeyHolder>, StoreError> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT k.person_id, k.public_key, m.role FROM caseworker_keys k \
         JOIN memberships m ON m.person_id = k.person_id \
         JOIN people p ON p.id = k.person_id \
         WHERE m.organisation_id = $1 AND p.disabled = 0 ORDER BY k.person_id, m.role",
    )
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?;
    let mut holders: Vec<KeyHolder> = Vec::new();
    for (person_id, public_key, role) in rows {
        let role: Role = role
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("unknown stored code '{role}'")))?;
        match holders.last_mut() {
            Some(last) if last.person_id == person_id => last.roles.push(role),
            _ => holders.push(KeyHolder {
                person_id,
                public_key,
                roles: vec![role],
            }),
        }
    }
    Ok(holders)
}

/// The holder name for a person's sealed copy of a case key.
pub fn person_holder(person_id: i64) -> String {
    format!("person:{person_id}")
}

pub const RECOVERY_HOLDER: &str = "recovery";
pub const RECEIPT_HOLDER: &str = "receipt";

/// A new case as the web layer hands it over: everything already encrypted and sealed.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub organisation_id: i64,
    pub case_type: CaseType,
    pub identity_level: IdentityLevel,
    pub public_key: String,
    pub receipt_lookup: String,
    pub receipt_salt: Vec<u8>,
    pub receipt_verifier: Vec<u8>,
    pub org_unit_id: Option<i64>,
    pub patient_safety: PatientSafety,
    pub received_on: Day,
    pub acknowledge_by: Day,
    pub seals: Vec<(String, Vec<u8>)>,
    pub report: Vec<u8>,
    /// Grievances only: the first stage and when it is due.
    pub stage: Option<(GrievanceStage, Day)>,
    /// Encrypted attached files, stored with the report in the same transaction.
    pub attachments: Vec<Vec<u8>>,
}

/// Stores a case, its seals and its report in one transaction. When this returns the case
/// is on disk (SQLite runs with synchronous = FULL), so the receipt can be shown.
pub async fn create_case(db: &Db, case: &NewCase) -> Result<i64, StoreError> {
    let mut tx = db.begin_write().await?;
    // A random id, and nothing else in this transaction that orders it (no audit entry).
    let id = insert_with_random_id(
        &mut tx,
        "a case",
        "INSERT INTO cases (id, organisation_id, case_type, identity_level, public_key, receipt_lookup, receipt_salt, receipt_verifier, \
         status, org_unit_id, patient_safety, received_on, acknowledge_by, stage, stage_due) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'new', $9, $10, $11, $12, $13, $14) ON CONFLICT (id) DO NOTHING RETURNING id",
        |query| {
            query
                .bind(case.organisation_id)
                .bind(case.case_type.code())
                .bind(case.identity_level.code())
                .bind(&case.public_key)
                .bind(&case.receipt_lookup)
                .bind(&case.receipt_salt)
                .bind(&case.receipt_verifier)
                .bind(case.org_unit_id)
                .bind(case.patient_safety.code())
                .bind(case.received_on.to_string())
                .bind(case.acknowledge_by.to_string())
                .bind(case.stage.map(|(stage, _)| stage.code()))
                .bind(case.stage.map(|(_, due)| due.to_string()))
        },
        |e| conflict_or(e, "receipt code clash"),
    )
    .await?;
    for (holder, sealed) in &case.seals {
        sqlx::query("INSERT INTO case_seals (case_id, holder, sealed) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(holder)
            .bind(sealed)
            .execute(&mut *tx)
            .await?;
    }
    insert_entry(
        &mut tx,
        id,
        EntryKind::Report,
        None,
        case.received_on,
        &case.report,
    )
    .await?;
    for attachment in &case.attachments {
        insert_entry(
            &mut tx,
            id,
            EntryKind::Attachment,
            None,
            case.received_on,
            attachment,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Case {
    pub id: i64,
    pub organisation_id: i64,
    #[sqlx(try_from = "String")]
    pub case_type: CaseType,
    #[sqlx(try_from = "String")]
    pub identity_level: IdentityLevel,
    pub public_key: String,
    pub receipt_lookup: String,
    pub receipt_salt: Vec<u8>,
    pub receipt_verifier: Vec<u8>,
    #[sqlx(try_from = "String")]
    pub status: CaseStatus,
    pub org_unit_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub patient_safety: PatientSafety,
    pub assigned_to: Option<i64>,
    #[sqlx(try_from = "String")]
    pub received_on: Day,
    #[sqlx(try_from = "String")]
    pub acknowledge_by: Day,
    #[sqlx(try_from = "Nullable")]
    pub acknowledged_on: Option<Day>,
    #[sqlx(try_from = "Nullable")]
    pub closed_on: Option<Day>,
    #[sqlx(try_from = "Elements")]
    pub elements: Vec<Element>,
    pub professional_group: Option<String>,
    #[sqlx(try_from = "Nullable")]
    pub feedback: Option<Feedback>,
    #[sqlx(try_from = "Nullable")]
    pub detriment_check_due: Option<Day>,
    #[sqlx(try_from = "Nullable")]
    pub detriment_checked_on: Option<Day>,
    #[sqlx(try_from = "NullableFlag")]
    pub detriment_found: Option<bool>,
    #[sqlx(try_from = "Nullable")]
    pub stage: Option<GrievanceStage>,
    #[sqlx(try_from = "Nullable")]
    pub stage_due: Option<Day>,
    /// The day a caseworker last wrote something the person who spoke up reads.
    #[sqlx(try_from = "Nullable")]
    pub last_reply_on: Option<Day>,
    /// The day the person first opened their conversation after that; cleared by the next
    /// reply. A day, never a time: it is caused by an anonymous visit.
    #[sqlx(try_from = "Nullable")]
    pub reporter_read_on: Option<Day>,
}

const CASE_COLUMNS: &str = "id, organisation_id, case_type, identity_level, public_key, receipt_lookup, receipt_salt, receipt_verifier, \
    status, org_unit_id, patient_safety, assigned_to, received_on, acknowledge_by, acknowledged_on, closed_on, elements, \
    professional_group, feedback, detriment_check_due, detriment_checked_on, detriment_found, stage, stage_due, \
    last_reply_on, reporter_read_on";

pub async fn case_by_lookup(db: &Db, lookup: &str) -> Result<Option<Case>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE receipt_lookup = $1"
    ))
    .bind(lookup)
    .fetch_optional(db.pool())
    .await?)
}

pub async fn case_in_organisation(
    db: &Db,
    organisation_id: i64,
    case_id: i64,
) -> Result<Case, StoreError> {
    sqlx::query_as(&format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE organisation_id = $1 AND id = $2"
    ))
    .bind(organisation_id)
    .bind(case_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("There is no case {case_id} in this organisation")))
}

/// An organisation's cases, open ones first, oldest first within each.
pub async fn list_cases(db: &Db, organisation_id: i64) -> Result<Vec<Case>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE organisation_id = $1 \
         ORDER BY CASE WHEN status = 'closed' THEN 1 ELSE 0 END, received_on, id"
    ))
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?)
}

pub async fn seal_for(db: &Db, case_id: i64, holder: &str) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT sealed FROM case_seals WHERE case_id = $1 AND holder = $2")
            .bind(case_id)
            .bind(holder)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Adds sealed copies; a copy that already exists is left as it is.
pub async fn add_seals(
    db: &Db,
    case_id: i64,
    seals: &[(String, Vec<u8>)],
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    for (holder, sealed) in seals {
        sqlx::query("INSERT INTO case_seals (case_id, holder, sealed) VALUES ($1, $2, $3) ON CONFLICT (case_id, holder) DO NOTHING")
            .bind(case_id)
            .bind(holder)
            .bind(sealed)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Cases of an organisation that have no sealed copy for `holder`, of one type if given.
pub async fn cases_without_holder(
    db: &Db,
    organisation_id: i64,
    holder: &str,
    case_type: Option<CaseType>,
) -> Result<Vec<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT c.id FROM cases c WHERE c.organisation_id = $1 AND ($3 = '' OR c.case_type = $3) \
         AND NOT EXISTS (SELECT 1 FROM case_seals s WHERE s.case_id = c.id AND s.holder = $2) ORDER BY c.received_on, c.id",
    )
    .bind(organisation_id)
    .bind(holder)
    .bind(case_type.map(|t| t.code()).unwrap_or(""))
    .fetch_all(db.pool())
    .await?)
}

/// Cases of one type that `from` holds a sealed copy of and `to` does not: what `from`
/// can re-seal to `to`.
pub async fn cases_to_reseal(
    db: &Db,
    organisation_id: i64,
    from: &str,
    to: &str,
    case_type: CaseType,
) -> Result<Vec<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT c.id FROM cases c JOIN case_seals f ON f.case_id = c.id AND f.holder = $2 \
         WHERE c.organisation_id = $1 AND c.case_type = $4 \
         AND NOT EXISTS (SELECT 1 FROM case_seals s WHERE s.case_id = c.id AND s.holder = $3) \
         ORDER BY c.received_on, c.id",
    )
    .bind(organisation_id)
    .bind(from)
    .bind(to)
    .bind(case_type.code())
    .fetch_all(db.pool())
    .await?)
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Entry {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: EntryKind,
    pub author_person_id: Option<i64>,
    pub author_name: Option<String>,
    #[sqlx(try_from = "String")]
    pub written_on: Day,
    pub ciphertext: Vec<u8>,
}

pub async fn entries(db: &Db, case_id: i64) -> Result<Vec<Entry>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT e.id, e.kind, e.author_person_id, p.display_name AS author_name, e.written_on, e.ciphertext \
         FROM case_entries e LEFT JOIN people p ON p.id = e.author_person_id WHERE e.case_id = $1 ORDER BY e.position, e.id",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?)
}

/// Adds an encrypted entry. Entries from the person who spoke up carry no author and only
/// a date.
pub async fn add_entry(
    db: &Db,
    case_id: i64,
    kind: EntryKind,
    author_person_id: Option<i64>,
    on: Day,
    ciphertext: &[u8],
) -> Result<i64, StoreError> {
    let mut tx = db.begin_write().await?;
    let id = insert_entry(&mut tx, case_id, kind, author_person_id, on, ciphertext).await?;
    if matches!(kind, EntryKind::ToReporter | EntryKind::Closure) {
        // Something new for the person to read: not read yet.
        sqlx::query("UPDATE cases SET last_reply_on = $1, reporter_read_on = NULL WHERE id = $2")
            .bind(on.to_string())
            .bind(case_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Notes that the person who spoke up has opened their conversation since the latest
/// reply. Only the first visit after a reply writes (the day, nothing else, and nothing
/// beside it in the transaction); later visits, and visits with no reply to read, write
/// nothing at all.
pub async fn note_read_by_reporter(db: &Db, case_id: i64, on: Day) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE cases SET reporter_read_on = $1 \
         WHERE id = $2 AND last_reply_on IS NOT NULL AND reporter_read_on IS NULL",
    )
    .bind(on.to_string())
    .bind(case_id)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Stores an entry with a random id, at the next place in its case's conversation. The
/// place orders entries within their case only, which everyone reading the case sees
/// anyway; it says nothing about other cases or other activity.
async fn insert_entry(
    conn: &mut AnyConnection,
    case_id: i64,
    kind: EntryKind,
    author_person_id: Option<i64>,
    on: Day,
    ciphertext: &[u8],
) -> Result<i64, StoreError> {
    insert_with_random_id(
        conn,
        "a case entry",
        "INSERT INTO case_entries (id, case_id, kind, author_person_id, written_on, position, ciphertext) \
         VALUES ($1, $2, $3, $4, $5, (SELECT COALESCE(MAX(position), 0) + 1 FROM case_entries WHERE case_id = $2), $6) \
         ON CONFLICT (id) DO NOTHING RETURNING id",
        |query| {
            query
                .bind(case_id)
                .bind(kind.code())
                .bind(author_person_id)
                .bind(on.to_string())
                .bind(ciphertext)
        },
        StoreError::from,
    )
    .await
}

/// A change a guardian makes to a case's plain-text record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseChange {
    Status(CaseStatus),
    Assign(Option<i64>),
    Record {
        elements: Vec<Element>,
        professional_group: Option<String>,
    },
    DetrimentChecked {
        found: bool,
    },
    /// Grievances only.
    Stage(GrievanceStage),
}

/// Applies a guardian's change and audits it, in one transaction. Status moves are
/// checked against the case's current status inside the transaction.
pub async fn change_case(
    db: &Db,
    actor: &str,
    now: i64,
    org: &Organisation,
    case_id: i64,
    change: &CaseChange,
) -> Result<(), StoreError> {
    let today = Day::from_unix_seconds(now);
    let mut tx = db.begin_write().await?;
    // Locked until the change is written: two guardians closing a case at once must not
    // both see it open.
    let (status, stage): (String, Option<String>) = sqlx::query_as(&format!(
        "SELECT status, stage FROM cases WHERE id = $1 AND organisation_id = $2{}",
        db.lock_rows()
    ))
    .bind(case_id)
    .bind(org.id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| {
        StoreError::NotFound(format!("There is no case {case_id} in this organisation"))
    })?;
    let current: CaseStatus = parse(&status)?;
    let current_stage: Option<GrievanceStage> = stage.as_deref().map(parse).transpose()?;
    let detail = match change {
        CaseChange::Status(next) => {
            if !current.can_move_to(*next) {
                return Err(StoreError::Invalid(
                    dignity_domain::identity::InvalidValue::Message(
                        "A case cannot move to that status from where it is now",
                    ),
                ));
            }
            // Any move out of "new" means a guardian has read it: the first such day is
            // the day it was acknowledged (kept once set).
            let acknowledged = Some(today.to_string());
            let (closed, check_due) = match next {
                CaseStatus::Closed => (
                    Some(today.to_string()),
                    Some(today.plus_days(DETRIMENT_CHECK_DAYS).to_string()),
                ),
                _ => (None, None),
            };
            sqlx::query(
                "UPDATE cases SET status = $1, acknowledged_on = COALESCE(acknowledged_on, $2), \
                 closed_on = CASE WHEN $1 = 'closed' THEN $3 ELSE NULL END, \
                 detriment_check_due = CASE WHEN $1 = 'closed' THEN $4 ELSE detriment_check_due END WHERE id = $5",
            )
            .bind(next.code())
            .bind(acknowledged)
            .bind(closed)
            .bind(check_due)
            .bind(case_id)
            .execute(&mut *tx)
            .await?;
            format!(
                "Moved case {case_id} from {} to {}",
                current.label(),
                next.label()
            )
        }
        CaseChange::Assign(person) => {
            sqlx::query("UPDATE cases SET assigned_to = $1 WHERE id = $2")
                .bind(*person)
                .bind(case_id)
                .execute(&mut *tx)
                .await?;
            match person {
                Some(p) => {
                    // The log says who, by name, as it was when assigned.
                    let name: Option<String> =
                        sqlx::query_scalar("SELECT display_name FROM people WHERE id = $1")
                            .bind(*p)
                            .fetch_optional(&mut *tx)
                            .await?;
                    let name = name.unwrap_or_else(|| format!("person {p}"));
                    format!("Assigned case {case_id} to {name}")
                }
                None => format!("Unassigned case {case_id}"),
            }
        }
        CaseChange::Record {
            elements,
            professional_group,
        } => {
            sqlx::query("UPDATE cases SET elements = $1, professional_group = $2 WHERE id = $3")
                .bind(Element::store_list(elements))
                .bind(professional_group.as_deref())
                .bind(case_id)
                .execute(&mut *tx)
                .await?;
            format!("Recorded the elements and professional group of case {case_id}")
        }
        CaseChange::DetrimentChecked { found } => {
            sqlx::query(
                "UPDATE cases SET detriment_checked_on = $1, detriment_found = $2 WHERE id = $3",
            )
            .bind(today.to_string())
            .bind(i64::from(*found))
            .bind(case_id)
            .execute(&mut *tx)
            .await?;
            format!("Checked case {case_id} for detriment")
        }
        CaseChange::Stage(next) => {
            let Some(stage) = current_stage.filter(|s| s.can_move_to(*next)) else {
                return Err(StoreError::Invalid(
                    dignity_domain::identity::InvalidValue::Message(
                        "A grievance cannot move to that stage from where it is now",
                    ),
                ));
            };
            let due = next
                .working_days_allowed()
                .map(|days| today.plus_working_days(days).to_string());
            sqlx::query("UPDATE cases SET stage = $1, stage_due = $2 WHERE id = $3")
                .bind(next.code())
                .bind(due)
                .bind(case_id)
                .execute(&mut *tx)
                .await?;
            format!(
                "Moved grievance {case_id} from {} to {}",
                stage.label(),
                next.label()
            )
        }
    };
    audit::append(
        &mut tx,
        now,
        &NewEntry {
            actor,
            organisation: Some(&org.ods_code),
            action: "speakup.case_change",
            detail: &detail,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The reporter's answer to "would you speak up again?". Not audited: the audit log keeps
/// precise times, and this comes from the anonymous side.
pub async fn record_feedback(db: &Db, case_id: i64, feedback: Feedback) -> Result<(), StoreError> {
    sqlx::query("UPDATE cases SET feedback = $1 WHERE id = $2")
        .bind(feedback.code())
        .bind(case_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Writes "this person read this case" to the audit log.
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
        &NewEntry {
            actor,
            organisation: Some(&org.ods_code),
            action: "speakup.case_read",
            detail: &format!("Read case {case_id}"),
        },
    )
    .await?;
    Ok(())
}

/// The plain-text facts of every case of an organisation, for returns and trends.
pub async fn case_facts(db: &Db, organisation_id: i64) -> Result<Vec<CaseFacts>, StoreError> {
    let rows: Vec<FactsRow> = sqlx::query_as(FACTS_QUERY_BY_ORG)
        .bind(organisation_id)
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().map(|row| row.facts).collect())
}

/// The facts of every case in the installation, by organisation id, for national views.
pub async fn all_case_facts(db: &Db) -> Result<Vec<(i64, CaseFacts)>, StoreError> {
    let rows: Vec<FactsRow> = sqlx::query_as(FACTS_QUERY_ALL).fetch_all(db.pool()).await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.organisation_id, row.facts))
        .collect())
}

const FACTS_QUERY_BY_ORG: &str = "SELECT c.organisation_id, c.received_on, c.acknowledged_on, c.closed_on, c.identity_level, c.elements, \
    c.professional_group, c.feedback, u.name AS unit_name, c.detriment_found FROM cases c \
    LEFT JOIN org_units u ON u.id = c.org_unit_id WHERE c.organisation_id = $1 AND c.case_type = 'concern'";
const FACTS_QUERY_ALL: &str = "SELECT c.organisation_id, c.received_on, c.acknowledged_on, c.closed_on, c.identity_level, c.elements, \
    c.professional_group, c.feedback, u.name AS unit_name, c.detriment_found FROM cases c \
    LEFT JOIN org_units u ON u.id = c.org_unit_id WHERE c.case_type = 'concern'";

/// A row of the facts queries: `CaseFacts` lives in the domain, which knows no rows, so its
/// columns are read by [`StoredFacts`].
#[derive(sqlx::FromRow)]
struct FactsRow {
    organisation_id: i64,
    #[sqlx(flatten, try_from = "StoredFacts")]
    facts: CaseFacts,
}

#[derive(sqlx::FromRow)]
struct StoredFacts {
    #[sqlx(try_from = "String")]
    received_on: Day,
    #[sqlx(try_from = "Nullable")]
    acknowledged_on: Option<Day>,
    #[sqlx(try_from = "Nullable")]
    closed_on: Option<Day>,
    #[sqlx(try_from = "String")]
    identity_level: IdentityLevel,
    #[sqlx(try_from = "Elements")]
    elements: Vec<Element>,
    professional_group: Option<String>,
    #[sqlx(try_from = "Nullable")]
    feedback: Option<Feedback>,
    unit_name: Option<String>,
    #[sqlx(try_from = "NullableFlag")]
    detriment_found: Option<bool>,
}

impl From<StoredFacts> for CaseFacts {
    fn from(row: StoredFacts) -> CaseFacts {
        CaseFacts {
            received_on: row.received_on,
            acknowledged_on: row.acknowledged_on,
            closed_on: row.closed_on,
            identity_level: row.identity_level,
            elements: row.elements,
            professional_group: row.professional_group,
            feedback: row.feedback,
            org_unit: row.unit_name,
            detriment_found: row.detriment_found,
        }
    }
}
