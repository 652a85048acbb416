//! Board member references between organisations (docs/leadership.md). When a member
//! leaves a board, its company secretary writes the reference once, sealed to the
//! member's record. A board that appoints the same person asks for it from its own
//! record of them; a chair or company secretary of the leaving board releases it, which
//! seals the words to the asking record's key. A reference can only go to a record that
//! asked for it: the release names a request, never an organisation. The member reads
//! both copies, as they read their own records.

use super::{
    RecordError, RecordInHand, may_keep, may_read, open_json, problem, record_key, seal_json, text,
};
use crate::identity::{CurrentSession, Organisation};
use crate::{Context, Error};
use dignity_domain::speakup::Day;
use dignity_store::identity as identity_store;
pub use dignity_store::leadership::Member;
pub use dignity_store::leadership::references::Request;
use dignity_store::leadership::references::{self as store, Written};
use dignity_store::leadership::{self as board_store};
use serde::{Deserialize, Serialize};

/// The standard board member reference, in our words. Sealed; never in an audit entry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Reference {
    /// The organisation that wrote it, so a released copy says whose it is.
    pub organisation: String,
    pub written_on: Day,
    /// Each seat held, with its dates, as the record had them when it was written.
    pub seats: Vec<String>,
    /// Any concerns about their performance or conduct on the board.
    pub concerns: bool,
    pub concerns_detail: String,
    /// Any investigation into them, finished or not.
    pub investigations: bool,
    pub investigations_detail: String,
    /// Any finding of serious misconduct or mismanagement.
    pub misconduct: bool,
    pub misconduct_detail: String,
    /// Anything else the next board should know.
    pub other: String,
}

/// The reference as typed.
#[derive(Debug, Clone, Default)]
pub struct ReferenceForm {
    pub concerns: String,
    pub concerns_detail: String,
    pub investigations: String,
    pub investigations_detail: String,
    pub misconduct: String,
    pub misconduct_detail: String,
    pub other: String,
}

/// A yes or no question and its details, which a yes needs.
fn answer(
    problems: &mut Vec<super::Problem>,
    (field, raw): (&str, &str),
    (detail_field, detail): (&str, &str),
    (question, needs): (&str, &str),
) -> (bool, String) {
    let said = match raw {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            problems.push(problem(field, question));
            None
        }
    };
    let words = text(
        problems,
        detail_field,
        detail,
        (said == Some(true)).then_some(needs),
    );
    (
        said == Some(true),
        if said == Some(true) {
            words
        } else {
            String::new()
        },
    )
}

/// Writes the reference for a member who has left the board. Company secretaries only,
/// never about themselves, once, and only when no seat is held.
pub async fn write(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    record: &RecordInHand,
    form: &ReferenceForm,
) -> Result<(), RecordError> {
    if !may_keep(session, org) || record.own {
        return Err(Error::Forbidden.into());
    }
    let today = ctx.clock.today();
    let seats: Vec<_> = board_store::seats(&ctx.db, org.id)
        .await?
        .into_iter()
        .filter(|s| s.member_id == record.id)
        .collect();
    let mut problems = Vec::new();
    if seats.is_empty() {
        problems.push(problem(
            "concerns",
            "Record their seats on the board before you write their reference",
        ));
    } else if seats
        .iter()
        .any(|s| s.seat.ends_on.is_none_or(|end| end >= today))
    {
        problems.push(problem(
            "concerns",
            "Write the reference once they have left the board: record the day each seat ended first",
        ));
    }
    let (concerns, concerns_detail) = answer(
        &mut problems,
        ("concerns", &form.concerns),
        ("concerns_detail", &form.concerns_detail),
        (
            "Say whether there were concerns about them",
            "Say what the concerns were",
        ),
    );
    let (investigations, investigations_detail) = answer(
        &mut problems,
        ("investigations", &form.investigations),
        ("investigations_detail", &form.investigations_detail),
        (
            "Say whether they were investigated",
            "Say what was investigated and where it got to",
        ),
    );
    let (misconduct, misconduct_detail) = answer(
        &mut problems,
        ("misconduct", &form.misconduct),
        ("misconduct_detail", &form.misconduct_detail),
        (
            "Say whether there was a finding of serious misconduct or mismanagement",
            "Say what was found",
        ),
    );
    let other = text(&mut problems, "other", &form.other, None);
    if !problems.is_empty() {
        return Err(RecordError::Form(problems));
    }
    let reference = Reference {
        organisation: org.name.clone(),
        written_on: today,
        seats: seats
            .iter()
            .map(|s| {
                format!(
                    "{} ({}), {} to {}",
                    s.seat.title,
                    s.seat.kind.label(),
                    s.seat.starts_on.long(),
                    s.seat.ends_on.map_or_else(String::new, Day::long)
                )
            })
            .collect(),
        concerns,
        concerns_detail,
        investigations,
        investigations_detail,
        misconduct,
        misconduct_detail,
        other,
    };
    let written = Written {
        member_id: record.id,
        written_on: today,
        written_by: session.person.id,
        words: seal_json(&record.public_key, &reference)?,
    };
    match store::write(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        &written,
    )
    .await
    {
        Ok(()) => Ok(()),
        Err(dignity_store::StoreError::Conflict(why)) => {
            Err(RecordError::Form(vec![problem("concerns", why)]))
        }
        Err(e) => Err(e.into()),
    }
}

/// Another board's record of the same person, and what passed between the two.
#[derive(Debug, Clone)]
pub struct OtherBoard {
    pub organisation: Organisation,
    /// Their record there.
    pub member_id: i64,
    /// This record's request for that board's reference.
    pub asked: Option<Request>,
    /// The reference, once released and opened.
    pub reference: Option<Reference>,
}

/// What the record page shows of references.
#[derive(Debug, Clone, Default)]
pub struct References {
    /// Whether this board has written its reference.
    pub written: bool,
    /// The reference this board wrote, opened with the reader's key.
    pub reference: Option<Reference>,
    /// Requests from other boards for this board's reference, with who asked.
    pub asked_of_this: Vec<(Request, Organisation)>,
    /// The person's other boards: whether this board asked each for a reference, and
    /// what came back.
    pub other_boards: Vec<OtherBoard>,
    /// Whether the reader may write it now: a company secretary, the member gone.
    pub may_write: bool,
    /// Whether the reader may ask other boards.
    pub may_request: bool,
    /// Whether the reader may release this board's reference.
    pub may_release: bool,
}

/// The references on a record, opened with the reader's key. Each released reference
/// read is audited in the reader's log and the writer's.
pub async fn references(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    record: &RecordInHand,
) -> Result<References, Error> {
    let key = record_key(ctx, session, record.id).await?.ok();
    let written = store::written(&ctx.db, record.id).await?;
    let reference = match (&key, &written) {
        (Some(key), Some(w)) => Some(open_json::<Reference>(key, &w.words)?),
        _ => None,
    };
    let requests = store::requests_of(&ctx.db, record.id).await?;
    let mut asked_of_this = Vec::new();
    for request in requests.iter().filter(|r| r.of_member_id == record.id) {
        if let Some(asking) = organisation_of(ctx, request.for_member_id).await? {
            asked_of_this.push((request.clone(), asking));
        }
    }
    let mut other_boards = Vec::new();
    for other in board_store::records_of_person(&ctx.db, record.person_id).await? {
        if other.organisation_id == org.id {
            continue;
        }
        let Some(organisation) =
            identity_store::organisation_by_id(&ctx.db, other.organisation_id).await?
        else {
            continue;
        };
        let asked = requests
            .iter()
            .find(|r| r.for_member_id == record.id && r.of_member_id == other.id)
            .cloned();
        let reference = match (&key, asked.as_ref().and_then(|r| r.words.as_ref())) {
            (Some(key), Some(words)) => {
                let opened = open_json::<Reference>(key, words)?;
                if let Some(request) = &asked {
                    store::released_read(
                        &ctx.db,
                        &session.person.email,
                        ctx.clock.now(),
                        (org, &organisation),
                        request,
                    )
                    .await?;
                }
                Some(opened)
            }
            _ => None,
        };
        other_boards.push(OtherBoard {
            organisation,
            member_id: other.id,
            asked,
            reference,
        });
    }
    let keeper = may_keep(session, org) && !record.own;
    let today = ctx.clock.today();
    let seats: Vec<_> = board_store::seats(&ctx.db, org.id)
        .await?
        .into_iter()
        .filter(|s| s.member_id == record.id)
        .collect();
    let gone = !seats.is_empty()
        && seats
            .iter()
            .all(|s| s.seat.ends_on.is_some_and(|end| end < today));
    Ok(References {
        written: written.is_some(),
        reference,
        asked_of_this,
        other_boards,
        may_write: keeper && gone && written.is_none(),
        may_request: keeper,
        may_release: may_read(session, org) && !record.own,
    })
}

async fn organisation_of(ctx: &Context, member_id: i64) -> Result<Option<Organisation>, Error> {
    let Some(member) = board_store::member_by_id(&ctx.db, member_id).await? else {
        return Ok(None);
    };
    Ok(identity_store::organisation_by_id(&ctx.db, member.organisation_id).await?)
}

/// Asks another board the same person sat on for its reference. Company secretaries only.
pub async fn request(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    record: &RecordInHand,
    from_member: i64,
) -> Result<(), RecordError> {
    if !may_keep(session, org) || record.own {
        return Err(Error::Forbidden.into());
    }
    let other: Option<Member> = board_store::records_of_person(&ctx.db, record.person_id)
        .await?
        .into_iter()
        .find(|m| m.id == from_member && m.organisation_id != org.id);
    let Some(other) = other else {
        return Err(Error::NotFound("They have no record on such a board".into()).into());
    };
    let Some(asked) = identity_store::organisation_by_id(&ctx.db, other.organisation_id).await?
    else {
        return Err(Error::NotFound("There is no such organisation".into()).into());
    };
    match store::request(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        (org, &asked),
        (record.id, other.id),
        (ctx.clock.today(), session.person.id),
    )
    .await
    {
        Ok(_) => Ok(()),
        Err(dignity_store::StoreError::Conflict(why)) => {
            Err(RecordError::Form(vec![problem("request", why)]))
        }
        Err(e) => Err(e.into()),
    }
}

/// Releases this board's reference to the board that asked for it, by request. Chairs and
/// company secretaries of the leaving board, never the member.
pub async fn release(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    record: &RecordInHand,
    request_id: i64,
) -> Result<(), RecordError> {
    if !may_read(session, org) || record.own {
        return Err(Error::Forbidden.into());
    }
    let Some(request) = store::requests_of(&ctx.db, record.id)
        .await?
        .into_iter()
        .find(|r| r.id == request_id && r.of_member_id == record.id)
    else {
        return Err(Error::NotFound("There is no such request for this reference".into()).into());
    };
    if request.released_on.is_some() {
        return Err(RecordError::Form(vec![problem(
            "release",
            "The reference is released already",
        )]));
    }
    let Some(written) = store::written(&ctx.db, record.id).await? else {
        return Err(RecordError::Form(vec![problem(
            "release",
            "Write the reference before you release it",
        )]));
    };
    let key = record_key(ctx, session, record.id).await??;
    let reference: Reference = open_json(&key, &written.words)?;
    let Some(asking) = board_store::member_by_id(&ctx.db, request.for_member_id).await? else {
        return Err(Error::NotFound("The board that asked has no such record now".into()).into());
    };
    let Some(asking_org) =
        identity_store::organisation_by_id(&ctx.db, asking.organisation_id).await?
    else {
        return Err(Error::NotFound("There is no such organisation".into()).into());
    };
    let words = seal_json(&asking.public_key, &reference)?;
    match store::release(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        (org, &asking_org),
        &request,
        (ctx.clock.today(), session.person.id),
        &words,
    )
    .await
    {
        Ok(()) => Ok(()),
        Err(dignity_store::StoreError::Conflict(why)) => {
            Err(RecordError::Form(vec![problem("release", why)]))
        }
        Err(e) => Err(e.into()),
    }
}

/// The requests waiting on this board, for its chairs and company secretaries: each with
/// the asking organisation and the member's name.
pub async fn waiting(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
) -> Result<Vec<(Request, Organisation, Member)>, Error> {
    if !may_read(session, org) {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    for request in store::waiting_for(&ctx.db, org.id).await? {
        let (Some(asking), Some(member)) = (
            organisation_of(ctx, request.for_member_id).await?,
            board_store::member_by_id(&ctx.db, request.of_member_id).await?,
        ) else {
            continue;
        };
        found.push((request, asking, member));
    }
    Ok(found)
}
