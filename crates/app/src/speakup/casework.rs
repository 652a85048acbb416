//! A caseworker's work on cases: who may read which case, the case list, reading a case
//! and writing to it. Every read and change is audited.

use super::attachment;
use super::report::Report;
use super::{Opened, open_case};
use crate::identity::{CurrentSession, Member, Organisation, record};
use crate::{Context, Error};
use dignity_crypto::speakup::{ConcernKey, encrypt_to};
use dignity_domain::identity::{OdsCode, Role};
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
    /// Not acknowledged in time, or a grievance stage past its date.
    pub overdue: bool,
    /// The guardian it is assigned to.
    pub assigned: Option<String>,
    /// Closed, and the check that the person suffered no detriment is due.
    pub detriment_due: bool,
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
        let overdue =
            (case.status == CaseStatus::New && today > case.acknowledge_by) || stage_overdue;
        let detriment_due = case.status == CaseStatus::Closed
            && case.detriment_checked_on.is_none()
            && case.detriment_check_due.is_some_and(|d| d <= today);
        listed.push(Listed {
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
/// state does not allow comes back as `Error::Invalid`, for the page to explain.
pub async fn change(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    case: &InHand,
    change: &CaseChange,
) -> Result<(), Error> {
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
