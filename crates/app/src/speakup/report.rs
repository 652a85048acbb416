//! Speaking up without an account: sending a concern, and following it up with the
//! receipt code. Nothing here records who sent it: no address, no session, no precise
//! time (docs/threat-model.md).

use super::attachment::{self, Cleaned};
use super::flood::Admitted;
use crate::identity::{OrgUnit, Organisation};
use crate::{Context, Error};
use dignity_crypto::speakup::{ConcernKey, ReceiptCode, encrypt_to, new_salt, public_key};
use dignity_domain::speakup::{
    CaseType, Day, EntryKind, Feedback, GrievanceStage, IdentityLevel, PatientSafety,
};
use dignity_store::identity;
use dignity_store::speakup::{self, NewCase, RECEIPT_HOLDER, RECOVERY_HOLDER, person_holder};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

pub use dignity_store::speakup::{Case, Settings};

/// What the person wrote, encrypted as one JSON document.
#[derive(Serialize, Deserialize, Default)]
pub struct Report {
    pub identity_level: String,
    pub name: Option<String>,
    pub contact: Option<String>,
    pub what_happened: String,
    pub place: Option<String>,
    pub when: Option<String>,
    pub who_affected: String,
    pub patient_safety: String,
    pub desired_outcome: String,
}

/// A concern as the form gave it, already checked.
pub struct Concern {
    pub case_type: CaseType,
    pub level: IdentityLevel,
    pub safety: PatientSafety,
    /// The place chosen from the organisation's own list, if any.
    pub unit: Option<OrgUnit>,
    pub report: Report,
}

/// An organisation whose Speak Up page is open, and where its staff work.
pub struct TakingConcerns {
    pub organisation: Organisation,
    pub settings: Settings,
    pub units: Vec<OrgUnit>,
}

/// Organisations with Speak Up turned on, for the list people choose from.
pub async fn organisations_taking_concerns(ctx: &Context) -> Result<Vec<Organisation>, Error> {
    let mut organisations = Vec::new();
    for org in identity::list_organisations(&ctx.db).await? {
        if speakup::settings(&ctx.db, org.id).await?.is_some() {
            organisations.push(org);
        }
    }
    Ok(organisations)
}

/// The organisation with this ODS code, if its Speak Up page is open: none for an unknown
/// code, and [`Error::NotSetUp`] for an organisation that has not turned Speak Up on.
pub async fn taking_concerns(
    ctx: &Context,
    code: &dignity_domain::identity::OdsCode,
) -> Result<Option<TakingConcerns>, Error> {
    let Some(organisation) = identity::find_organisation(&ctx.db, code).await? else {
        return Ok(None);
    };
    let Some(settings) = speakup::settings(&ctx.db, organisation.id).await? else {
        return Err(Error::NotSetUp {
            organisation: organisation.name,
            service: crate::error::Service::SpeakUp,
        });
    };
    let units = identity::list_org_units(&ctx.db, organisation.id).await?;
    Ok(Some(TakingConcerns {
        organisation,
        settings,
        units,
    }))
}

/// What the person is given once their concern is stored.
pub struct Receipt {
    /// Shown once; only a verifier derived from it is kept.
    pub code: Zeroizing<String>,
    pub acknowledge_by: Day,
}

/// Seals a concern so that only its receipt code, the organisation's recovery key and
/// the caseworkers who read this kind of case can open it, and stores it dated by the day
/// only. `attachments` are files made safe to keep (`attachment::clean`). The receipt key
/// costs one argon2id run, done in one of the bounded places for key derivations.
/// `admitted` is the concern's place under the flood limit (`flood::admit`): kept once
/// the concern is stored, given back if anything fails.
pub async fn send_concern(
    ctx: &Context,
    to: &TakingConcerns,
    concern: Concern,
    attachments: Vec<Cleaned>,
    admitted: Admitted<'_>,
) -> Result<Receipt, Error> {
    let organisation = &to.organisation;
    let readers = super::readers_with_keys(&ctx.db, organisation.id, concern.case_type).await?;
    let attachments: Vec<Vec<u8>> = attachments.iter().map(Cleaned::pack).collect();
    let cost = ctx.passphrase_cost;
    let report = Zeroizing::new(
        serde_json::to_vec(&concern.report).map_err(|e| Error::Internal(e.to_string()))?,
    );
    let recovery = to.settings.recovery_public_key.clone();
    let sealed = ctx
        .derivations
        .run(move || -> Result<_, dignity_crypto::CryptoError> {
            let case_key = ConcernKey::generate();
            let receipt = ReceiptCode::generate();
            let salt = new_salt();
            let receipt_keys = receipt.derive(&salt, cost)?;
            let mut seals = vec![
                (
                    RECEIPT_HOLDER.to_owned(),
                    case_key.seal_to(&public_key(&receipt_keys.identity))?,
                ),
                (RECOVERY_HOLDER.to_owned(), case_key.seal_to(&recovery)?),
            ];
            for (person_id, reader_public) in &readers {
                seals.push((person_holder(*person_id), case_key.seal_to(reader_public)?));
            }
            let report = case_key.encrypt(&report)?;
            let attachments = attachments
                .iter()
                .map(|plain| case_key.encrypt(plain))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((
                case_key.public_key(),
                receipt,
                salt,
                receipt_keys.verifier,
                seals,
                (report, attachments),
            ))
        })
        .await??;
    let (case_public, receipt, salt, verifier, seals, (report, attachments)) = sealed;

    let today = ctx.clock.today();
    let acknowledge_by = today.plus_working_days(to.settings.acknowledge_working_days);
    let new_case = NewCase {
        organisation_id: organisation.id,
        case_type: concern.case_type,
        identity_level: concern.level,
        public_key: case_public,
        receipt_lookup: receipt.lookup().to_owned(),
        receipt_salt: salt,
        receipt_verifier: verifier,
        org_unit_id: concern.unit.map(|u| u.id),
        patient_safety: concern.safety,
        received_on: today,
        acknowledge_by,
        seals,
        report,
        attachments,
        stage: (concern.case_type == CaseType::Grievance).then(|| {
            let first = GrievanceStage::Informal;
            (
                first,
                today.plus_working_days(first.working_days_allowed().unwrap_or(10)),
            )
        }),
    };
    speakup::create_case(&ctx.db, &new_case).await?;
    admitted.keep();
    Ok(Receipt {
        code: receipt.display(),
        acknowledge_by,
    })
}

/// A case opened with its receipt code.
pub struct OpenedByCode {
    pub case: Case,
    pub key: ConcernKey,
    pub code: ReceiptCode,
}

/// Opens a case from a receipt code; `None` for any code that does not open one, whatever
/// the reason. Every well-formed code costs one argon2id run, whether or not its lookup
/// part exists (an unknown one is checked against a salt of its own), so timing does not
/// tell a guesser which lookup parts are real. No count of wrong codes ever refuses a
/// right one: the 80 secret bits stop guessers, and the bound on derivations at once
/// stops floods (docs/threat-model.md).
pub async fn open_by_code(ctx: &Context, typed: &str) -> Result<Option<OpenedByCode>, Error> {
    let Ok(code) = ReceiptCode::parse(typed) else {
        return Ok(None);
    };
    let case = speakup::case_by_lookup(&ctx.db, code.lookup()).await?;
    let salt = case
        .as_ref()
        .map_or_else(new_salt, |c| c.receipt_salt.clone());
    let cost = ctx.passphrase_cost;
    let derive_code = code.clone();
    let keys = ctx
        .derivations
        .run(move || derive_code.derive(&salt, cost))
        .await??;
    let Some(case) = case else {
        return Ok(None);
    };
    if !dignity_crypto::token::same_bytes(&keys.verifier, &case.receipt_verifier) {
        return Ok(None);
    }
    let sealed = speakup::seal_for(&ctx.db, case.id, RECEIPT_HOLDER)
        .await?
        .ok_or_else(|| Error::Internal("a case has no receipt seal".into()))?;
    let key = ConcernKey::unseal(&sealed, &keys.identity)?;
    Ok(Some(OpenedByCode { case, key, code }))
}

/// One entry as the person who spoke up sees it.
pub struct Shown {
    pub kind: EntryKind,
    pub on: Day,
    pub text: String,
}

/// What the person who spoke up may read of their case: what they wrote, and the
/// conversation without the guardians' own notes.
pub struct Conversation {
    pub report: Report,
    pub entries: Vec<Shown>,
}

/// The plain text of an entry, or a notice that it was changed since it was written.
pub fn text_of(case_key: &ConcernKey, ciphertext: &[u8]) -> String {
    match case_key.decrypt(ciphertext) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => {
            tracing::error!(cause = %e, "a case entry failed its integrity check");
            "This message could not be opened because it appears to have been changed. The guardians have been told.".into()
        }
    }
}

pub async fn conversation(ctx: &Context, opened: &OpenedByCode) -> Result<Conversation, Error> {
    let mut report = Report::default();
    let mut entries = Vec::new();
    for entry in speakup::entries(&ctx.db, opened.case.id).await? {
        if !entry.kind.shown_to_reporter() {
            continue;
        }
        if entry.kind == EntryKind::Report {
            match opened
                .key
                .decrypt(&entry.ciphertext)
                .ok()
                .and_then(|b| serde_json::from_slice::<Report>(&b).ok())
            {
                Some(r) => report = r,
                None => tracing::error!("a report failed its integrity check"),
            }
            continue;
        }
        let text = if entry.kind == EntryKind::Attachment {
            // Its name only (files are stored under plain names such as attachment-1.png,
            // so a file's own name cannot say who sent it); the file is the guardian's to
            // open.
            let name = opened
                .key
                .decrypt(&entry.ciphertext)
                .ok()
                .and_then(|plain| attachment::unpack(&plain).map(|(name, ..)| name));
            match name {
                Some(name) => {
                    format!("You sent a file with your concern. The guardian sees it as {name}.")
                }
                None => "You sent a file with your concern.".into(),
            }
        } else {
            text_of(&opened.key, &entry.ciphertext)
        };
        entries.push(Shown {
            kind: entry.kind,
            on: entry.written_on,
            text,
        });
    }
    // They have now seen every reply so far. Only the day is kept, and caseworkers see it
    // from the next day (docs/threat-model.md). Reading must never fail for this.
    if let Err(e) = speakup::note_read_by_reporter(&ctx.db, opened.case.id, ctx.clock.today()).await
    {
        tracing::warn!(cause = %e, "could not note that a conversation was read");
    }
    Ok(Conversation { report, entries })
}

/// Adds a message from the person who spoke up, encrypted to the case, dated by the day.
pub async fn reply(ctx: &Context, case: &Case, message: &str) -> Result<(), Error> {
    let ciphertext = encrypt_to(&case.public_key, message.as_bytes())?;
    speakup::add_entry(
        &ctx.db,
        case.id,
        EntryKind::FromReporter,
        None,
        ctx.clock.today(),
        &ciphertext,
    )
    .await?;
    Ok(())
}

/// Records how the person felt it went, with an optional comment, and returns the case
/// as it now is.
pub async fn give_feedback(
    ctx: &Context,
    case: &Case,
    answer: Feedback,
    comment: &str,
) -> Result<Case, Error> {
    speakup::record_feedback(&ctx.db, case.id, answer).await?;
    if !comment.is_empty() {
        let ciphertext = encrypt_to(&case.public_key, comment.as_bytes())?;
        speakup::add_entry(
            &ctx.db,
            case.id,
            EntryKind::FeedbackComment,
            None,
            ctx.clock.today(),
            &ciphertext,
        )
        .await?;
    }
    Ok(speakup::case_in_organisation(&ctx.db, case.organisation_id, case.id).await?)
}
