//! A caseworker's work on cases: who may read which case, the case list, reading a case
//! and writing to it. Every read and change is audited.

use super::attachment;
use super::report::Report;
use super::{Opened, open_case};
use crate::identity::{CurrentSession, Member, Organisation, record};
use crate::{Context, Error};
use dignity_crypto::speakup::{ConcernKey, encrypt_to};
use dignity_domain::identity::{InvalidValue, OdsCode, Role};
use dignity_domain::speakup::{CaseStatus, CaseType, Day, EntryKind, GrievanceStage};
use dignity_store::identity;
use dignity_store::speakup::{self, Case, CaseChange};
use zeroize::Zeroizing;

/// The organisation a caseworker's page is about.
pub async fn organisation(ctx: &Context, ods: &str) -> Result<Organisation, Error> {
    let code = OdsCode::parse(ods).map_err(|e| Error::NotFound(e.to_string()))?;
    Ok(identity::get_organisation(&ctx.db, &code).await?)
}

/// The organisation's guardians, for assigning cases and naming who holds one.
pub async fn guardians(ctx: &Context, org: &Organisation) -> Result<Vec<Member>, Error> {
    Ok(identity::list_members(&ctx.db, org.id)
        .await?
        .into_iter()
        .filter(|m| m.roles.contains(&Role::Guardian))
        .collect())
}

/// The one rule for who may read a case: someone holding one of the roles that read its
/// kind (`CaseType::readers`) in the case's organisation.
pub fn may_read(session: &CurrentSession, org: &Organisation, case_type: CaseType) -> bool {
    session.has_org_role(&org.ods_code, case_type.readers())
}

/// A case someone has been allowed to handle: only [`case_for`] makes one, after
/// [`may_read`], and every use-case that reads, writes or changes a case takes one. So no
/// caller can reach a case's content without the one rule having been asked.
#[derive(Debug, Clone)]
pub struct InHand(Case);

impl InHand {
    /// The case itself, to show. A `Case` cannot be made back into an `InHand`.
    pub fn into_case(self) -> Case {
        self.0
    }
}

impl std::ops::Deref for InHand {
    type Target = Case;
    fn deref(&self) -> &Case {
        &self.0
    }
}

/// A case this person may handle, or `Forbidden`.
pub async fn case_for(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    case_id: i64,
) -> Result<InHand, Error> {
    let case = speakup::case_in_organisation(&ctx.db, org.id, case_id).await?;
    if !may_read(session, org, case.case_type) {
        return Err(Error::Forbidden);
    }
    Ok(InHand(case))
}

/// A case as a row of the list.
#[derive(Clone)]
pub struct Listed {
    pub case: Case,
    /// Open, and not acknowledged in time or at a grievance stage past its date.
    pub overdue: bool,
    /// The guardian it is assigned to.
    pub assigned: Option<String>,
    /// Closed, and the check that the person suffered no detriment is due.
    pub detriment_due: bool,
    /// Whether the person who spoke up has seen the latest reply.
    pub reporter_read: ReporterRead,
}

/// Whether the person who spoke up has opened their conversation since the latest reply
/// (a message or the outcome), as caseworkers are shown it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReporterRead {
    /// Nothing has been written to them yet.
    NoReply,
    /// Not read, or read today.
    NotYet,
    Read,
}

impl ReporterRead {
    /// A read shows only from the day after it. The store keeps the day of the first
    /// visit after a reply, never a time; if pages showed it at once, a caseworker
    /// refreshing the list could time an anonymous person's visit to the minute
    /// (docs/threat-model.md).
    pub fn of(case: &Case, today: Day) -> ReporterRead {
        match (case.last_reply_on, case.reporter_read_on) {
            (None, _) => ReporterRead::NoReply,
            (Some(_), Some(read)) if read < today => ReporterRead::Read,
            _ => ReporterRead::NotYet,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReporterRead::NoReply => "No reply yet",
            ReporterRead::NotYet => "Not yet",
            ReporterRead::Read => "Read",
        }
    }
}

/// Which cases a caseworker's list shows. Every part is optional; together they narrow.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub status: StatusFilter,
    /// Only cases past a date (see [`Listed::overdue`]).
    pub overdue: bool,
    pub case_type: Option<CaseType>,
    /// Only cases assigned to the person looking.
    pub mine: bool,
    /// Cases by their number, or part of it.
    pub number: Option<CaseNumber>,
}

/// A status to filter by: any, any open one, or one in particular.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StatusFilter {
    #[default]
    Any,
    Open,
    Is(CaseStatus),
}

impl StatusFilter {
    /// From the list's form: "", "open" or a status's code.
    pub fn parse(raw: &str) -> Option<StatusFilter> {
        match raw.trim() {
            "" => Some(StatusFilter::Any),
            "open" => Some(StatusFilter::Open),
            code => code.parse().ok().map(StatusFilter::Is),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            StatusFilter::Any => "",
            StatusFilter::Open => "open",
            StatusFilter::Is(status) => status.code(),
        }
    }
}

impl Filter {
    /// Whether a row is kept, for the person with this id looking.
    pub fn keeps(&self, row: &Listed, me: i64) -> bool {
        let status = match self.status {
            StatusFilter::Any => true,
            StatusFilter::Open => row.case.status != CaseStatus::Closed,
            StatusFilter::Is(s) => row.case.status == s,
        };
        status
            && (!self.overdue || row.overdue)
            && self.case_type.is_none_or(|t| row.case.case_type == t)
            && (!self.mine || row.case.assigned_to == Some(me))
            && self.number.as_ref().is_none_or(|n| n.matches(row.case.id))
    }

    /// Whether anything narrows the list.
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }
}

/// The fewest digits that find cases by part of their number. A case number has up to 19
/// digits; fewer than this would match too many cases to be a search.
pub const PART_DIGITS: usize = 4;

/// A case number, or part of one, as someone types it ("1234", "Concern 1234", "12 34").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseNumber {
    digits: String,
}

impl CaseNumber {
    /// The digits typed, as shown back to the person.
    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// Whether the case with this number is meant: its number, or (with at least
    /// [`PART_DIGITS`] digits typed) any case whose number has them in a row anywhere.
    pub fn matches(&self, id: i64) -> bool {
        let number = id.to_string();
        if self.digits.len() >= PART_DIGITS {
            number.contains(&self.digits)
        } else {
            number == self.digits
        }
    }
}

/// A case number as someone types it: its digits, or nothing when it is not a number
/// (or is longer than any case number).
pub fn case_number(typed: &str) -> Option<CaseNumber> {
    let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
    let rest = typed
        .chars()
        .filter(|c| !c.is_ascii_digit() && !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    let named = rest.is_empty() || rest == "concern" || rest == "grievance" || rest == "case";
    let fits = !digits.is_empty() && digits.len() <= i64::MAX.to_string().len();
    (named && fits).then_some(CaseNumber { digits })
}

/// How many of the cases this person may read are open, and how many are overdue, for
/// their home page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub open: usize,
    pub overdue: usize,
}

pub async fn counts(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
) -> Result<Counts, Error> {
    let rows = list(ctx, session, org).await?;
    Ok(Counts {
        open: rows
            .iter()
            .filter(|r| r.case.status != CaseStatus::Closed)
            .count(),
        overdue: rows.iter().filter(|r| r.overdue).count(),
    })
}

/// The cases this person may read in the organisation, as of today.
pub async fn list(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
) -> Result<Vec<Listed>, Error> {
    let today = ctx.clock.today();
    let names = guardians(ctx, org).await?;
    let mut listed = Vec::new();
    for case in speakup::list_cases(&ctx.db, org.id).await? {
        if !may_read(session, org, case.case_type) {
            continue;
        }
        let assigned = case
            .assigned_to
            .and_then(|id| names.iter().find(|m| m.person_id == id))
            .map(|m| m.display_name.clone());
        let stage_overdue = case.stage.is_some_and(|s| s != GrievanceStage::Outcome)
            && case.stage_due.is_some_and(|due| today > due);
        let overdue = case.status != CaseStatus::Closed
            && ((case.status == CaseStatus::New && today > case.acknowledge_by) || stage_overdue);
        let detriment_due = case.status == CaseStatus::Closed
            && case.detriment_checked_on.is_none()
            && case.detriment_check_due.is_some_and(|d| d <= today);
        listed.push(Listed {
            reporter_read: ReporterRead::of(&case, today),
            case,
            overdue,
            assigned,
            detriment_due,
        });
    }
    Ok(listed)
}

/// Whether Speak Up is turned on for the organisation.
pub async fn is_set_up(ctx: &Context, org: &Organisation) -> Result<bool, Error> {
    Ok(speakup::settings(&ctx.db, org.id).await?.is_some())
}

/// Whether this session holds an unlocked case key on this server.
pub fn is_unlocked(ctx: &Context, session: &CurrentSession) -> bool {
    ctx.keys
        .get(&session.session_digest, ctx.clock.now())
        .is_some()
}

/// One entry as a caseworker reads it.
pub struct ReadEntry {
    pub id: i64,
    pub kind: EntryKind,
    pub author: Option<String>,
    pub written_on: Day,
    /// The text, or for a file its name; `None` when it failed its integrity check.
    pub text: Option<String>,
}

/// A case as its caseworker reads it.
pub enum Reading {
    Read {
        report: Box<Option<Report>>,
        entries: Vec<ReadEntry>,
    },
    /// Their key is not unlocked on this server: they must give their passphrase.
    Locked,
    /// The case has not been sealed to them yet.
    NotSealed,
}

/// Opens and reads a case, recording the read. Ciphertext that fails its integrity check
/// is a security event and goes in the audit log.
pub async fn read(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    case: &InHand,
) -> Result<Reading, Error> {
    let key = match open_case(ctx, session, case.id).await? {
        Opened::Key(key) => key,
        Opened::Locked => return Ok(Reading::Locked),
        Opened::NotSealed => return Ok(Reading::NotSealed),
    };
    speakup::record_read(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        case.id,
    )
    .await?;
    let (report, entries) = decrypt_all(ctx, &key, case.id).await?;
    if entries.iter().any(|e| e.text.is_none()) || report.is_none() {
        let detail = format!(
            "Case {} holds encrypted data that failed its integrity check",
            case.id
        );
        record(
            ctx,
            &session.person.email,
            Some(&org.ods_code),
            "speakup.tampered",
            &detail,
        )
        .await?;
    }
    Ok(Reading::Read {
        report: Box::new(report),
        entries,
    })
}

async fn decrypt_all(
    ctx: &Context,
    key: &ConcernKey,
    case_id: i64,
) -> Result<(Option<Report>, Vec<ReadEntry>), Error> {
    let mut report = None;
    let mut read = Vec::new();
    for entry in speakup::entries(&ctx.db, case_id).await? {
        let plain = key.decrypt(&entry.ciphertext);
        if let Err(e) = &plain {
            tracing::error!(case = case_id, entry = entry.id, cause = %e, "a case entry failed its integrity check");
        }
        if entry.kind == EntryKind::Report {
            report = plain
                .ok()
                .and_then(|bytes| serde_json::from_slice(&bytes).ok());
            continue;
        }
        let text = match (entry.kind, plain) {
            // For a file, its name; the file itself is downloaded on its own.
            (EntryKind::Attachment, Ok(bytes)) => attachment::unpack(&bytes).map(|(name, ..)| name),
            (_, Ok(bytes)) => Some(String::from_utf8_lossy(&bytes).into_owned()),
            (_, Err(_)) => None,
        };
        read.push(ReadEntry {
            id: entry.id,
            kind: entry.kind,
            author: entry.author_name,
            written_on: entry.written_on,
            text,
        });
    }
    Ok((report, read))
}

/// A file sent with a case, decrypted for its caseworker.
pub struct File {
    pub name: String,
    pub content_type: String,
    pub bytes: Zeroizing<Vec<u8>>,
}

/// A file on a case, for download; the download is audited.
pub async fn attachment(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    case: &InHand,
    entry_id: i64,
) -> Result<File, Error> {
    let Opened::Key(key) = open_case(ctx, session, case.id).await? else {
        return Err(Error::Forbidden);
    };
    let entry = speakup::entries(&ctx.db, case.id)
        .await?
        .into_iter()
        .find(|e| e.id == entry_id && e.kind == EntryKind::Attachment)
        .ok_or_else(|| Error::NotFound("There is no such file on this case.".into()))?;
    let plain = key.decrypt(&entry.ciphertext)?;
    let (name, content_type, bytes) = attachment::unpack(&plain)
        .ok_or_else(|| Error::Internal(format!("attachment {entry_id} has no header")))?;
    let detail = format!("Downloaded {name} from case {}", case.id);
    record(
        ctx,
        &session.person.email,
        Some(&org.ods_code),
        "speakup.attachment_read",
        &detail,
    )
    .await?;
    Ok(File {
        name,
        content_type,
        bytes: Zeroizing::new(bytes.to_vec()),
    })
}

/// Adds an entry written by a caseworker (a message, note, referral, outcome or
/// detriment check), encrypted to the case and dated by the day. An outcome closes it.
pub async fn write(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    case: &InHand,
    kind: EntryKind,
    text: &str,
) -> Result<(), Error> {
    if kind == EntryKind::Closure {
        // Closed first, checked against the case as it is now (in the store's
        // transaction), so of two guardians closing at once only one writes an outcome.
        let closed = change(
            ctx,
            session,
            org,
            case,
            &CaseChange::Status(CaseStatus::Closed),
        )
        .await;
        if let Err(Error::Invalid(_)) = closed {
            return Err(Error::Conflict("This case is already closed.".into()));
        }
        closed?;
    }
    if kind == EntryKind::ToReporter && case.status == CaseStatus::New {
        // A first reply shows the case has been read: the person who spoke up sees that,
        // and the return counts it as acknowledged. Another guardian may have moved it on
        // a moment ago; then there is nothing to do.
        match change(
            ctx,
            session,
            org,
            case,
            &CaseChange::Status(CaseStatus::Acknowledged),
        )
        .await
        {
            Ok(_) | Err(Error::Invalid(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let ciphertext = encrypt_to(&case.public_key, text.as_bytes())?;
    speakup::add_entry(
        &ctx.db,
        case.id,
        kind,
        Some(session.person.id),
        ctx.clock.today(),
        &ciphertext,
    )
    .await?;
    Ok(())
}

/// Notes the check, after a case is closed, that the person who spoke up suffered no
/// detriment for it; an empty note adds no entry. The finding itself is a [`change`].
pub async fn note_detriment_check(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    case: &InHand,
    note: &str,
) -> Result<(), Error> {
    if case.status != CaseStatus::Closed {
        return Err(Error::Conflict(
            "The detriment check is made after a case is closed.".into(),
        ));
    }
    if note.is_empty() {
        return Ok(());
    }
    write(ctx, session, org, case, EntryKind::DetrimentCheck, note).await
}

/// The name of the place a case is about, from the organisation's own list.
pub async fn place_of(
    ctx: &Context,
    org: &Organisation,
    case: &Case,
) -> Result<Option<String>, Error> {
    let Some(id) = case.org_unit_id else {
        return Ok(None);
    };
    Ok(identity::list_org_units(&ctx.db, org.id)
        .await?
        .into_iter()
        .find(|u| u.id == id)
        .map(|u| u.name))
}

/// Changes a case's status, stage, guardian or record, audited. A change the case's
/// state does not allow, or a professional group not in the installation's list, comes
/// back as `Error::Invalid`, for the page to explain.
pub async fn change(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    case: &InHand,
    change: &CaseChange,
) -> Result<(), Error> {
    if let CaseChange::Record {
        professional_group: Some(group),
        ..
    } = change
        && !ctx.professional_groups.iter().any(|g| g == group)
    {
        return Err(Error::Invalid(InvalidValue::Message(
            "Choose a professional group from the list",
        )));
    }
    speakup::change_case(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        case.id,
        change,
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap_or_else(|_| Day::from_unix_seconds(0))
    }

    #[test]
    fn a_read_shows_only_from_the_day_after() {
        let mut case = test_case();
        let today = day("2026-12-04");
        assert_eq!(ReporterRead::of(&case, today), ReporterRead::NoReply);
        case.last_reply_on = Some(day("2026-12-01"));
        assert_eq!(ReporterRead::of(&case, today), ReporterRead::NotYet);
        // Read today: not shown until tomorrow, so the visit cannot be timed.
        case.reporter_read_on = Some(today);
        assert_eq!(ReporterRead::of(&case, today), ReporterRead::NotYet);
        assert_eq!(
            ReporterRead::of(&case, day("2026-12-05")),
            ReporterRead::Read
        );
    }

    #[test]
    fn case_numbers_are_read_as_people_type_them() {
        let digits = |typed: &str| case_number(typed).map(|n| n.digits().to_owned());
        assert_eq!(digits("1234").as_deref(), Some("1234"));
        assert_eq!(digits(" Concern 12 34 ").as_deref(), Some("1234"));
        assert_eq!(digits("grievance 7").as_deref(), Some("7"));
        assert_eq!(digits("12a"), None);
        assert_eq!(digits("'; DROP TABLE cases"), None);
        assert_eq!(digits(""), None);
        assert_eq!(digits("concern"), None);
        assert_eq!(digits("99999999999999999999999"), None);
    }

    #[test]
    fn part_of_a_case_number_finds_it_from_four_digits() {
        let id = 4_611_686_018_427_387_903;
        let finds = |typed: &str| case_number(typed).is_some_and(|n| n.matches(id));
        assert!(finds("4611686018427387903"), "the whole number");
        assert!(finds("7903"), "its last digits");
        assert!(finds("Concern 6018 427"), "digits anywhere, as typed");
        assert!(!finds("7904"));
        assert!(!finds("903"), "three digits must be the whole number");
        assert!(case_number("7").is_some_and(|n| n.matches(7)));
    }

    #[test]
    fn filters_narrow_together() {
        let mut case = test_case();
        case.assigned_to = Some(7);
        let row = Listed {
            case,
            overdue: true,
            assigned: None,
            detriment_due: false,
            reporter_read: ReporterRead::NoReply,
        };
        assert!(Filter::default().keeps(&row, 1));
        let mine = Filter {
            mine: true,
            ..Filter::default()
        };
        assert!(mine.keeps(&row, 7));
        assert!(!mine.keeps(&row, 1));
        let closed = Filter {
            status: StatusFilter::Is(CaseStatus::Closed),
            ..Filter::default()
        };
        assert!(!closed.keeps(&row, 7));
        let open_overdue_concerns = Filter {
            status: StatusFilter::Open,
            overdue: true,
            case_type: Some(CaseType::Concern),
            number: case_number(&row.case.id.to_string()),
            ..Filter::default()
        };
        assert!(open_overdue_concerns.keeps(&row, 1));
        let grievances = Filter {
            case_type: Some(CaseType::Grievance),
            ..Filter::default()
        };
        assert!(!grievances.keeps(&row, 1));
        assert_eq!(StatusFilter::parse("open"), Some(StatusFilter::Open));
        assert_eq!(StatusFilter::parse("lost"), None);
    }

    fn test_case() -> Case {
        Case {
            id: 42,
            organisation_id: 1,
            case_type: CaseType::Concern,
            identity_level: dignity_domain::speakup::IdentityLevel::Anonymous,
            public_key: String::new(),
            receipt_lookup: String::new(),
            receipt_salt: Vec::new(),
            receipt_verifier: Vec::new(),
            status: CaseStatus::New,
            org_unit_id: None,
            patient_safety: dignity_domain::speakup::PatientSafety::No,
            assigned_to: None,
            received_on: day("2026-11-20"),
            acknowledge_by: day("2026-11-25"),
            acknowledged_on: None,
            closed_on: None,
            elements: Vec::new(),
            professional_group: None,
            feedback: None,
            detriment_check_due: None,
            detriment_checked_on: None,
            detriment_found: None,
            stage: None,
            stage_due: None,
            last_reply_on: None,
            reporter_read_on: None,
        }
    }
}
