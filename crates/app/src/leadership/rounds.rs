//! The yearly fit and proper round (docs/leadership.md): the company secretary opens it
//! and every member holding a seat is asked for their declaration; the chair concludes
//! for each member and signs the organisation's annual return, which freezes what the
//! public register shows.

use super::{
    Listed, RecordError, day_field, listed, may_keep, open_json, problem, record_key, seal_json,
    text,
};
use crate::identity::{CurrentSession, Organisation};
use crate::{Context, Error};
use dignity_domain::identity::Role;
use dignity_domain::leadership::{self as domain, Conclusion};
use dignity_domain::speakup::Day;
use dignity_store::leadership::rounds::{self as rounds_store, NewConclusion};
pub use dignity_store::leadership::rounds::{Assessment, Round};
use dignity_store::mail::NewMail;
use serde::{Deserialize, Serialize};

/// Who signs the annual return: the organisation's chairs.
pub const CHAIRS: &[Role] = &[Role::Chair];

/// Who concludes: the chair for every member but themself, and the senior independent
/// director for the chair, as the framework asks.
pub const CONCLUDERS: &[Role] = &[Role::Chair, Role::SeniorIndependentDirector];

pub fn may_conclude(session: &CurrentSession, org: &Organisation) -> bool {
    session.has_org_role(&org.ods_code, CHAIRS)
}

/// Whether this person may conclude about this member of the board.
async fn concludes_about(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    member_person: i64,
) -> Result<bool, Error> {
    if member_person == session.person.id {
        return Ok(false);
    }
    if session.has_org_role(&org.ods_code, CHAIRS) {
        return Ok(true);
    }
    if !session.has_org_role(&org.ods_code, &[Role::SeniorIndependentDirector]) {
        return Ok(false);
    }
    Ok(dignity_store::identity::memberships(&ctx.db, member_person)
        .await?
        .iter()
        .any(|m| m.role == Role::Chair && m.organisation.as_ref().is_some_and(|o| o.id == org.id)))
}

/// The members of a round this person may conclude about: everyone but themself for a
/// chair, the chair for the senior independent director.
pub async fn concludable(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    members: &[InRound],
) -> Result<Vec<i64>, Error> {
    let mut ids = Vec::new();
    for m in members {
        if concludes_about(ctx, session, org, m.listed.member.person_id).await? {
            ids.push(m.listed.member.id);
        }
    }
    Ok(ids)
}

/// The organisation's rounds, newest first, for its chairs and company secretaries.
pub async fn rounds(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
) -> Result<Vec<Round>, Error> {
    if !session.has_org_role(&org.ods_code, super::VIEWERS) {
        return Err(Error::Forbidden);
    }
    Ok(rounds_store::rounds(&ctx.db, org.id).await?)
}

/// Opens this year's round: each member holding a seat today is in it, and each is sent
/// a reminder to make their declaration by `due_on`, linking to their record under
/// `link_base`.
pub async fn open_round(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    due_on: Option<Day>,
    link_base: &str,
) -> Result<i64, RecordError> {
    if !may_keep(session, org) {
        return Err(Error::Forbidden.into());
    }
    let today = ctx.clock.today();
    let mut problems = Vec::new();
    match due_on {
        None => problems.push(problem(
            &day_field("due_on"),
            "Enter the day the round is due",
        )),
        Some(due) if due < today => problems.push(problem(
            &day_field("due_on"),
            "The day the round is due must be today or later",
        )),
        Some(due) if due > today.plus_days(366) => problems.push(problem(
            &day_field("due_on"),
            "The day the round is due must be within a year",
        )),
        Some(_) => {}
    }
    let sitting: Vec<Listed> = listed(ctx, org)
        .await?
        .into_iter()
        .filter(|m| m.sits_on(today))
        .collect();
    if sitting.is_empty() {
        problems.push(problem(
            &day_field("due_on"),
            "No one holds a seat on the board today. Record the seats first",
        ));
    }
    let (Some(due_on), true) = (due_on, problems.is_empty()) else {
        return Err(RecordError::Form(problems));
    };
    let mut reminders = Vec::new();
    for member in &sitting {
        let person = dignity_store::identity::get_person(&ctx.db, member.member.person_id).await?;
        reminders.push(NewMail {
            purpose: format!("board-round:{}", org.id),
            to: person.email.to_string(),
            subject: format!("Your yearly board declaration is due by {}", due_on.long()),
            body: format!(
                "{} has started this year's fit and proper person round for its board.\n\n\
                 Please read your record and make your declaration by {}:\n{}/orgs/{}/board/members/{}#declare\n",
                org.name,
                due_on.long(),
                link_base.trim_end_matches('/'),
                org.ods_code,
                member.member.id
            ),
            attachment: None,
        });
    }
    let round = rounds_store::NewRound {
        year: today.ymd().0,
        opened_on: today,
        due_on,
        opened_by: session.person.id,
        member_ids: sitting.iter().map(|m| m.member.id).collect(),
        reminders,
    };
    match rounds_store::open_round(&ctx.db, &session.person.email, ctx.clock.now(), org, &round)
        .await
    {
        Ok(id) => Ok(id),
        Err(dignity_store::StoreError::Conflict(why)) => {
            Err(RecordError::Form(vec![problem(&day_field("due_on"), why)]))
        }
        Err(e) => Err(e.into()),
    }
}

/// One member in a round: where their checks stand and what the chair concluded.
#[derive(Debug, Clone)]
pub struct InRound {
    pub listed: Listed,
    pub assessment: Assessment,
}

/// A round with its members, for its organisation's chairs and company secretaries.
pub async fn round(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    id: i64,
) -> Result<(Round, Vec<InRound>), Error> {
    if !session.has_org_role(&org.ods_code, super::VIEWERS) {
        return Err(Error::Forbidden);
    }
    let round = rounds_store::round_in_organisation(&ctx.db, org.id, id).await?;
    let board = listed(ctx, org).await?;
    let mut members = Vec::new();
    for assessment in rounds_store::assessments(&ctx.db, round.id).await? {
        if let Some(listed) = board.iter().find(|m| m.member.id == assessment.member_id) {
            members.push(InRound {
                listed: listed.clone(),
                assessment,
            });
        }
    }
    Ok((round, members))
}

/// The chair's words with a conclusion, sealed to the member's record.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Notes {
    /// Why the chair concluded with a check or the declaration missing or out of date.
    pub why_without: String,
    /// The action taken, for a member found not fit and proper or with a finding of
    /// serious misconduct.
    pub action: String,
    /// Whether the member disputes the finding, and where the dispute has got to.
    pub dispute: String,
}

/// What a chair sent to conclude for one member.
#[derive(Debug, Clone, Default)]
pub struct ConcludeForm {
    pub conclusion: String,
    pub serious_misconduct: bool,
    pub why_without: String,
    pub action: String,
    pub dispute: String,
}

/// Records the chair's conclusion for a member of an unsigned round.
pub async fn conclude(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    round_id: i64,
    member_id: i64,
    form: &ConcludeForm,
) -> Result<(), RecordError> {
    if !session.has_org_role(&org.ods_code, CONCLUDERS) {
        return Err(Error::Forbidden.into());
    }
    let (round, members) = round(ctx, session, org, round_id).await?;
    let Some(member) = members.iter().find(|m| m.listed.member.id == member_id) else {
        return Err(Error::NotFound("That board member is not in this round".into()).into());
    };
    if round.signed_on.is_some() {
        return Err(RecordError::Form(vec![problem(
            "conclusion",
            "This round's return is signed. Its conclusions cannot change",
        )]));
    }
    if member.listed.member.person_id == session.person.id {
        return Err(RecordError::Form(vec![problem(
            "conclusion",
            "You cannot conclude about yourself. Your senior independent director concludes about the chair",
        )]));
    }
    if !concludes_about(ctx, session, org, member.listed.member.person_id).await? {
        return Err(Error::Forbidden.into());
    }
    let mut problems = Vec::new();
    let conclusion = form.conclusion.parse::<Conclusion>().ok();
    if conclusion.is_none() {
        problems.push(problem(
            "conclusion",
            "Choose whether they are fit and proper",
        ));
    }
    let why_without = text(&mut problems, "why_without", &form.why_without, None);
    let action = text(&mut problems, "action", &form.action, None);
    let dispute = text(&mut problems, "dispute", &form.dispute, None);
    let today = ctx.clock.today();
    let everything_current = member.listed.everything_current(today);
    if let Some(conclusion) = conclusion {
        let needs_action = conclusion == Conclusion::NotFit || form.serious_misconduct;
        match domain::may_conclude(
            if needs_action {
                Conclusion::NotFit
            } else {
                conclusion
            },
            everything_current,
            !why_without.is_empty(),
            !action.is_empty(),
        ) {
            Ok(()) => {}
            Err(refused @ domain::ConclusionRefused::ChecksMissing) => {
                problems.push(problem("why_without", refused.to_string()));
            }
            Err(refused @ domain::ConclusionRefused::NoAction) => {
                problems.push(problem("action", refused.to_string()));
            }
        }
    }
    let (Some(conclusion), true) = (conclusion, problems.is_empty()) else {
        return Err(RecordError::Form(problems));
    };
    let notes = seal_json(
        &member.listed.member.public_key,
        &Notes {
            why_without,
            action,
            dispute,
        },
    )?;
    match rounds_store::conclude(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        &NewConclusion {
            round_id,
            member_id,
            conclusion,
            serious_misconduct: form.serious_misconduct,
            without_everything: !everything_current,
            concluded_on: today,
            concluded_by: session.person.id,
            notes: &notes,
        },
    )
    .await
    {
        Ok(()) => Ok(()),
        Err(dignity_store::StoreError::Conflict(why)) => {
            Err(RecordError::Form(vec![problem("conclusion", why)]))
        }
        Err(e) => Err(e.into()),
    }
}

/// A line of the public register: what a signed return says about one member.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PublicLine {
    pub name: String,
    /// Each seat held on the day the return was signed: its job, kind and first day.
    pub seats: Vec<(String, String, Day)>,
    /// The day of their last assessment found fit and proper; `None` shows "assessment
    /// due" (never the words "not fit": that finding is the organisation's to act on,
    /// not the public's to read, and a member found so does not stay on the board).
    pub fit_on: Option<Day>,
}

/// What a signed return publishes about each member of the round, on the day it is signed.
pub(crate) fn public_lines(members: &[InRound], on: Day) -> Vec<PublicLine> {
    members
        .iter()
        // Someone whose seat ended before the day is no longer on the board.
        .filter(|m| m.listed.sits_on(on))
        .map(|m| PublicLine {
            name: m.listed.member.name.clone(),
            seats: m
                .listed
                .seats
                .iter()
                .filter(|s| s.seat.held_on(on))
                .map(|s| {
                    (
                        s.seat.title.clone(),
                        s.seat.kind.label().to_owned(),
                        s.seat.starts_on,
                    )
                })
                .collect(),
            fit_on: match (m.assessment.conclusion, m.assessment.concluded_on) {
                (Some(Conclusion::Fit), Some(on)) => Some(on),
                _ => None,
            },
        })
        .collect()
}

/// Signs the round's annual return once every member is concluded.
pub async fn sign(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    round_id: i64,
) -> Result<(), RecordError> {
    if !may_conclude(session, org) {
        return Err(Error::Forbidden.into());
    }
    let (round, members) = round(ctx, session, org, round_id).await?;
    if round.signed_on.is_some() {
        return Err(RecordError::Form(vec![problem(
            "sign",
            "This return is signed already",
        )]));
    }
    let waiting = members
        .iter()
        .filter(|m| m.assessment.conclusion.is_none())
        .count();
    if waiting > 0 {
        return Err(RecordError::Form(vec![problem(
            "sign",
            format!(
                "Conclude for every member first: {waiting} {} still to do",
                if waiting == 1 { "is" } else { "are" }
            ),
        )]));
    }
    let today = ctx.clock.today();
    let lines = public_lines(&members, today);
    let published =
        serde_json::to_string(&lines).map_err(|e| Error::Internal(format!("register: {e}")))?;
    let kept = serde_json::to_string(&return_rows(org, round.year, &members, today))
        .map_err(|e| Error::Internal(format!("return: {e}")))?;
    match rounds_store::sign(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        org,
        &rounds_store::Signing {
            round_id,
            signed_on: today,
            signed_by: session.person.id,
            published: &published,
            return_rows: &kept,
            version: round.version,
        },
    )
    .await
    {
        Ok(()) => Ok(()),
        Err(dignity_store::StoreError::Conflict(why)) => {
            Err(RecordError::Form(vec![problem("sign", why)]))
        }
        Err(e) => Err(e.into()),
    }
}

/// The annual return's rows as they stand on the day it is signed: a row a member, no
/// count of anyone. Kept with the signed round, so the return never changes afterwards.
pub(crate) fn return_rows(
    org: &Organisation,
    year: i64,
    members: &[InRound],
    signed_on: Day,
) -> Vec<Vec<String>> {
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
    members
        .iter()
        .map(|m| {
            let seats: Vec<String> = m
                .listed
                .seats
                .iter()
                .filter(|s| s.seat.held_on(signed_on))
                .map(|s| format!("{} ({})", s.seat.title, s.seat.kind.label()))
                .collect();
            vec![
                org.ods_code.to_string(),
                year.to_string(),
                m.listed.member.name.clone(),
                seats.join("; "),
                m.assessment
                    .conclusion
                    .map_or("not concluded", |c| c.label())
                    .to_owned(),
                m.assessment
                    .concluded_on
                    .map_or_else(String::new, |d| d.to_string()),
                yes_no(m.assessment.without_everything),
                yes_no(m.assessment.serious_misconduct),
                m.listed
                    .declared_on
                    .map_or_else(String::new, |d| d.to_string()),
                signed_on.to_string(),
            ]
        })
        .collect()
}

/// The annual return's columns, in the order its kept rows hold them.
pub const RETURN_HEADER: [&str; 10] = [
    "Organisation",
    "Year",
    "Board member",
    "Seats",
    "Conclusion",
    "Concluded on",
    "Concluded without every check",
    "Finding of serious misconduct",
    "Declaration made on",
    "Return signed on",
];

/// A signed annual return, exactly as it was signed.
#[derive(Debug, Clone)]
pub struct SignedReturn {
    pub organisation: Organisation,
    pub year: i64,
    pub signed_on: Day,
    /// A row a member, in [`RETURN_HEADER`]'s order.
    pub rows: Vec<Vec<String>>,
}

/// What a return says, counted. These are counts of named office holders whose names are
/// on the same return, not of anonymous people, so they are shown as they are rather
/// than through the disclosure module (docs/leadership.md).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub members: usize,
    pub fit: usize,
    pub not_fit: usize,
    pub without_every_check: usize,
    pub serious_misconduct: usize,
}

impl SignedReturn {
    /// The signed return of `round`, or `None` while it is not signed.
    pub(crate) fn of(organisation: &Organisation, round: &Round) -> Result<Option<Self>, Error> {
        let (Some(signed_on), Some(kept)) = (round.signed_on, round.return_rows.as_deref()) else {
            return Ok(None);
        };
        let rows: Vec<Vec<String>> =
            serde_json::from_str(kept).map_err(|e| Error::Internal(format!("kept return: {e}")))?;
        Ok(Some(Self {
            organisation: organisation.clone(),
            year: round.year,
            signed_on,
            rows,
        }))
    }

    pub fn tally(&self) -> Tally {
        let said = |row: &[String], column: usize, words: &str| {
            row.get(column).is_some_and(|cell| cell == words)
        };
        let mut tally = Tally::default();
        for row in &self.rows {
            tally.members += 1;
            tally.fit += usize::from(said(row, 4, Conclusion::Fit.label()));
            tally.not_fit += usize::from(said(row, 4, Conclusion::NotFit.label()));
            tally.without_every_check += usize::from(said(row, 6, "yes"));
            tally.serious_misconduct += usize::from(said(row, 7, "yes"));
        }
        tally
    }

    pub fn file_name(&self) -> String {
        format!(
            "fit-and-proper-return-{}-{}",
            self.organisation.ods_code, self.year
        )
    }

    /// The return as a download.
    pub fn table(&self) -> crate::table::Table {
        use crate::table::{Cell, Table};
        Table {
            name: self.file_name(),
            header: RETURN_HEADER.map(String::from).to_vec(),
            rows: self
                .rows
                .iter()
                .map(|row| row.iter().cloned().map(Cell::words).collect())
                .collect(),
        }
    }
}

/// The signed annual return of one of the organisation's rounds, for its chairs and
/// company secretaries.
pub async fn annual_return(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    round_id: i64,
) -> Result<SignedReturn, Error> {
    if !session.has_org_role(&org.ods_code, super::READERS) {
        return Err(Error::Forbidden);
    }
    let round = rounds_store::round_in_organisation(&ctx.db, org.id, round_id).await?;
    SignedReturn::of(org, &round)?.ok_or_else(|| {
        Error::NotFound("The return is not signed yet, so there is nothing to download".into())
    })
}

/// The chair's notes on a member's concluded assessments, opened with the reader's key
/// (for the record's page), newest first: (year, assessment, notes).
pub async fn opened_assessments(
    ctx: &Context,
    session: &CurrentSession,
    member_id: i64,
) -> Result<Vec<(i64, Assessment, Option<Notes>)>, Error> {
    let key = record_key(ctx, session, member_id).await?.ok();
    let mut found = Vec::new();
    for (year, assessment) in rounds_store::member_assessments(&ctx.db, member_id).await? {
        let notes = match (&key, &assessment.notes) {
            (Some(key), Some(cipher)) => Some(open_json(key, cipher)?),
            _ => None,
        };
        found.push((year, assessment, notes));
    }
    Ok(found)
}
