//! What seeding the demo installation (`dignity demo`) writes beyond the operator's
//! use-cases: an organisation's pinned items, news and events under the operator's name
//! rather than a signed-in person's, and a partnership plan drafted, signed and reported
//! on. Each is audited under the operator's name and dated by its clock.

use crate::Error;
use crate::admin::Operator;
use crate::events::NewEvent;
use crate::identity::Organisation;
use crate::mail::NewMail;
use crate::news::NewPost;
use dignity_domain::speakup::Day;
use dignity_store::{events, library, news};

/// The self-assessment store, for seeding made-up rounds as they would be written.
pub use dignity_store::diagnostics as self_assessments;
/// The board records store, for writing made-up boards straight to the tables.
pub use dignity_store::leadership as board_store;
/// The staff voice store, for seeding made-up challenges, ideas and answers as they would
/// be written, dated in the past.
pub use dignity_store::voice;

/// Pins an item with no link to the organisation's library page.
pub async fn pin(
    operator: &Operator,
    organisation: &Organisation,
    title: &str,
    body: &str,
) -> Result<(), Error> {
    library::add_pin(
        operator.db(),
        operator.actor(),
        organisation,
        operator.clock().now(),
        title,
        body,
        "",
    )
    .await?;
    Ok(())
}

/// Publishes a news post. A new installation has no subscribers, so no email is written.
pub async fn publish(operator: &Operator, post: &NewPost) -> Result<i64, Error> {
    let no_mail = |_: i64, _: &str, _: &str| NewMail {
        purpose: String::new(),
        to: String::new(),
        subject: String::new(),
        body: String::new(),
        attachment: None,
    };
    let (id, _) = news::publish(
        operator.db(),
        operator.actor(),
        operator.clock().now(),
        post,
        &no_mail,
    )
    .await?;
    Ok(id)
}

/// Adds an event to book, organised by the operator; returns its id.
pub async fn add_event(operator: &Operator, event: &NewEvent) -> Result<i64, Error> {
    Ok(events::create_event(
        operator.db(),
        operator.actor(),
        operator.clock().now(),
        event,
    )
    .await?)
}

/// The desk the operator changes `organisation`'s plans at.
pub fn plans<'a>(operator: &'a Operator, organisation: &'a Organisation) -> crate::plans::Desk<'a> {
    crate::plans::Desk::for_operator(operator, organisation)
}

/// Records a decision guide as the demo's manager, dated by the operator's clock.
pub async fn decision_guide(
    operator: &Operator,
    secret: &dignity_crypto::secret::InstallationSecret,
    organisation: &Organisation,
    manager_id: i64,
    manager_email: &str,
    form: &crate::justculture::GuideForm,
) -> Result<i64, Error> {
    let manager = crate::justculture::Manager {
        id: manager_id,
        email: manager_email,
    };
    crate::justculture::keep_guide(
        operator.db(),
        secret,
        operator.clock(),
        manager,
        organisation,
        form,
    )
    .await
    .map_err(|e| match e {
        crate::justculture::RecordError::App(e) => e,
        crate::justculture::RecordError::Form(problems) => Error::Internal(format!(
            "the demo's decision guide record is not complete: {problems:?}"
        )),
    })
}

/// A step of a made-up case's history: the stage, how many days after the case opened,
/// and the outcome where the stage takes one.
pub struct DemoStep {
    pub to: dignity_domain::er_cases::Stage,
    pub after_days: i64,
    pub outcome: Option<dignity_domain::er_cases::Outcome>,
    pub appeal_outcome: Option<dignity_domain::er_cases::AppealOutcome>,
}

/// A made-up running suspension: its kind, the days after opening it started and its
/// first review is due, and the reason.
pub struct DemoSuspension<'a> {
    pub kind: dignity_domain::er_cases::SuspensionKind,
    pub after_days: i64,
    pub review_after_days: i64,
    pub reason: &'a str,
}

/// Opens a made-up employee relations case by a lead and walks it through `steps`, each
/// checked by the same rules as the pages, with a suspension if given.
#[expect(
    clippy::too_many_arguments,
    reason = "the demo's case, its opener and its history, each named"
)]
pub async fn er_case(
    operator: &Operator,
    secret: &dignity_crypto::secret::InstallationSecret,
    organisation: &Organisation,
    lead_id: i64,
    lead_email: &str,
    form: &crate::er_cases::OpenForm,
    steps: &[DemoStep],
    suspension: Option<DemoSuspension<'_>>,
) -> Result<i64, Error> {
    use dignity_domain::er_cases::{Move, may_move};
    use dignity_store::er_cases as store;
    let opener = crate::justculture::Manager {
        id: lead_id,
        email: lead_email,
    };
    let id = crate::er_cases::keep_case(
        operator.db(),
        secret,
        operator.clock(),
        opener,
        organisation,
        form,
    )
    .await
    .map_err(|e| match e {
        crate::er_cases::CaseError::App(e) => e,
        other => Error::Internal(format!("the demo's case is not complete: {other:?}")),
    })?;
    let opened = form
        .opened_on
        .ok_or_else(|| Error::Internal("a demo case needs its date".into()))?;
    // Started before the steps, so a case closed by them ends its suspension as the
    // pages would.
    if let Some(suspension) = suspension {
        let case = store::case_in_organisation(operator.db(), organisation.id, id).await?;
        let reason = dignity_crypto::speakup::encrypt_to(
            &case.public_key,
            &crate::er_cases::padded(suspension.reason.as_bytes().to_vec()),
        )?;
        store::start_suspension(
            operator.db(),
            lead_email,
            written_at(operator, opened.plus_days(suspension.after_days)),
            organisation,
            id,
            case.version,
            &store::NewSuspension {
                kind: suspension.kind,
                started_on: opened.plus_days(suspension.after_days),
                review_due: opened.plus_days(suspension.review_after_days),
                reason,
            },
        )
        .await?;
    }
    for step in steps {
        let case = store::case_in_organisation(operator.db(), organisation.id, id).await?;
        let on = opened.plus_days(step.after_days);
        let now = written_at(operator, on);
        let today = Day::from_unix_seconds(now);
        let wanted = Move {
            to: step.to,
            on,
            outcome: step.outcome,
            appeal_outcome: step.appeal_outcome,
        };
        may_move(
            case.case_type,
            case.stage,
            case.stage_since,
            &wanted,
            today,
            check_agreed(operator, organisation, case.guide_id).await?,
        )
        .map_err(|e| Error::Internal(format!("the demo's case cannot move: {e}")))?;
        store::move_stage(
            operator.db(),
            lead_email,
            now,
            organisation,
            id,
            case.version,
            &store::StageMove {
                to: step.to,
                on,
                outcome: step.outcome,
                appeal_outcome: step.appeal_outcome,
                investigator_id: None,
            },
        )
        .await?;
    }
    Ok(id)
}

/// When a made-up step is written: now, or at noon on its day when the operator's clock
/// stands before it (a history written as it happened, each stage on its own day).
fn written_at(operator: &Operator, on: Day) -> i64 {
    let noon = on.days_since(Day::from_unix_seconds(0)) * 86_400 + 43_200;
    operator.clock().now().max(noon)
}

/// Records a made-up decision guide record and an employee relations lead's check that
/// agreed to it, each on its own day, for the demo's history of cases.
#[expect(
    clippy::too_many_arguments,
    reason = "the record, its manager, its checker and their days, each named"
)]
pub async fn agreed_guide(
    db: &dignity_store::Db,
    secret: &dignity_crypto::secret::InstallationSecret,
    organisation: &Organisation,
    (manager_id, manager_email): (i64, &str),
    (checker_id, checker_email): (i64, &str),
    form: &crate::justculture::GuideForm,
    started: Day,
    checked: Day,
) -> Result<i64, Error> {
    let at = |day: Day| day.days_since(Day::from_unix_seconds(0)) * 86_400 + 43_200;
    let then = Operator::new(db.clone(), crate::Clock::fixed(at(started)), "demo");
    let id = decision_guide(&then, secret, organisation, manager_id, manager_email, form).await?;
    if form.decided != "formal" {
        return Ok(id);
    }
    let guide = dignity_store::justculture::guide_in_organisation(db, organisation.id, id).await?;
    let reason = dignity_crypto::speakup::encrypt_to(
        &guide.public_key,
        &crate::er_cases::padded(b"The guide was followed and a formal process is fair.".to_vec()),
    )?;
    dignity_store::justculture::record_check(
        db,
        checker_email,
        at(checked),
        organisation,
        id,
        &dignity_store::justculture::Check {
            reviewer_id: checker_id,
            agreed: true,
            on: checked,
            reason,
        },
    )
    .await?;
    Ok(id)
}

async fn check_agreed(
    operator: &Operator,
    organisation: &Organisation,
    guide: Option<i64>,
) -> Result<bool, Error> {
    Ok(match guide {
        Some(id) => {
            dignity_store::justculture::guide_in_organisation(operator.db(), organisation.id, id)
                .await?
                .check_state
                == dignity_domain::justculture::CheckState::Agreed
        }
        None => false,
    })
}

/// A made-up board member's record, as a company secretary would keep it.
pub struct DemoBoardMember<'a> {
    pub person_id: i64,
    pub added_on: Day,
    pub seats: &'a [dignity_domain::leadership::Seat],
    pub qualifications: &'a str,
    pub registration: &'a str,
    pub jobs: &'a [dignity_domain::leadership::Job],
    /// A reason for each gap, by the gap's two days.
    pub gap_reasons: &'a [(Day, Day, &'a str)],
    pub checks: &'a [(
        dignity_domain::leadership::CheckKind,
        Day,
        dignity_domain::leadership::CheckResult,
        &'a str,
    )],
    /// The day of their declaration, its two answers and what they told.
    pub declaration: Option<(Day, bool, bool, &'a str)>,
    pub recorded_by: i64,
}

/// Keeps a made-up board member's record, sealed as the pages seal one, under the
/// operator's name.
pub async fn board_member(
    operator: &Operator,
    organisation: &Organisation,
    member: &DemoBoardMember<'_>,
) -> Result<i64, Error> {
    use crate::leadership::{Declaration, Finding, GapReason, Profile, seal_json};
    use dignity_store::leadership as store;
    let (db, actor, now) = (operator.db(), operator.actor(), operator.clock().now());
    let record =
        crate::leadership::new_record(db, organisation, member.person_id, member.added_on).await?;
    let public_key = record.public_key.clone();
    let id = store::add_member(db, actor, now, organisation, &record).await?;
    for seat in member.seats {
        store::add_seat(db, actor, now, organisation, id, seat).await?;
    }
    let profile = Profile {
        qualifications: member.qualifications.into(),
        registration: member.registration.into(),
        jobs: member.jobs.to_vec(),
        gap_reasons: member
            .gap_reasons
            .iter()
            .map(|(from, to, reason)| GapReason {
                from: *from,
                to: *to,
                reason: (*reason).into(),
            })
            .collect(),
    };
    let sealed = seal_json(&public_key, &profile)?;
    store::change_profile(
        db,
        actor,
        now,
        organisation,
        &store::ProfileChange {
            member_id: id,
            version: 1,
            profile: &sealed,
            what: "the demo's history",
        },
    )
    .await?;
    for (kind, done_on, result, evidence) in member.checks {
        let finding = seal_json(
            &public_key,
            &Finding {
                result: *result,
                evidence: (*evidence).into(),
            },
        )?;
        store::add_check(
            db,
            actor,
            now,
            organisation,
            &store::NewCheck {
                member_id: id,
                kind: *kind,
                done_on: *done_on,
                finding: &finding,
                recorded_by: member.recorded_by,
            },
        )
        .await?;
    }
    if let Some((made_on, good_character, no_serious_misconduct, details)) = member.declaration {
        let words = seal_json(
            &public_key,
            &Declaration {
                good_character,
                no_serious_misconduct,
                details: details.into(),
            },
        )?;
        store::add_declaration(db, actor, now, organisation, id, made_on, &words).await?;
    }
    Ok(id)
}

/// A made-up reference, written by `organisation` about its record `member_id` (whose
/// seats have ended) and sealed to that record's key, as the pages write one.
pub async fn board_reference(
    operator: &Operator,
    organisation: &Organisation,
    (member_id, written_on, written_by): (i64, Day, i64),
    reference: &crate::leadership::references::Reference,
) -> Result<(), Error> {
    use dignity_store::leadership as store;
    let db = operator.db();
    let Some(member) = store::member_by_id(db, member_id).await? else {
        return Err(Error::NotFound("There is no such board member".into()));
    };
    let words = crate::leadership::seal_json(&member.public_key, reference)?;
    store::references::write(
        db,
        operator.actor(),
        operator.clock().now(),
        organisation,
        &store::references::Written {
            member_id,
            written_on,
            written_by,
            words,
        },
    )
    .await?;
    Ok(())
}

/// A made-up yearly round: opened on `opened_on` with the members holding a seat that
/// day, each of `conclusions` recorded, and signed on `signed` if given, published as the
/// pages publish a signed return.
pub async fn board_round(
    operator: &Operator,
    organisation: &Organisation,
    (opened_on, due_on, opened_by): (Day, Day, i64),
    conclusions: &[(i64, dignity_domain::leadership::Conclusion, i64)],
    signed: Option<(Day, i64)>,
) -> Result<i64, Error> {
    use crate::leadership::rounds::{InRound, public_lines, return_rows};
    use dignity_store::leadership::rounds as store;
    let (db, actor, now) = (operator.db(), operator.actor(), operator.clock().now());
    let board = crate::leadership::listed_on(db, organisation, opened_on).await?;
    let sitting: Vec<i64> = board
        .iter()
        .filter(|m| m.sits_on(opened_on))
        .map(|m| m.member.id)
        .collect();
    let id = store::open_round(
        db,
        actor,
        now,
        organisation,
        &store::NewRound {
            year: opened_on.ymd().0,
            opened_on,
            due_on,
            opened_by,
            member_ids: sitting,
            reminders: Vec::new(),
        },
    )
    .await?;
    for (member_id, conclusion, by) in conclusions {
        let Some(member) = board.iter().find(|m| m.member.id == *member_id) else {
            continue;
        };
        let notes = crate::leadership::seal_json(
            &member.member.public_key,
            &crate::leadership::rounds::Notes::default(),
        )?;
        store::conclude(
            db,
            actor,
            now,
            organisation,
            &store::NewConclusion {
                round_id: id,
                member_id: *member_id,
                conclusion: *conclusion,
                serious_misconduct: false,
                without_everything: false,
                concluded_on: due_on,
                concluded_by: *by,
                notes: &notes,
            },
        )
        .await?;
    }
    if let Some((signed_on, signed_by)) = signed {
        let assessments = store::assessments(db, id).await?;
        let members: Vec<InRound> = assessments
            .into_iter()
            .filter_map(|assessment| {
                board
                    .iter()
                    .find(|m| m.member.id == assessment.member_id)
                    .map(|listed| InRound {
                        listed: listed.clone(),
                        assessment,
                    })
            })
            .collect();
        let published = serde_json::to_string(&public_lines(&members, signed_on))
            .map_err(|e| Error::Internal(e.to_string()))?;
        let year = opened_on.ymd().0;
        let kept = serde_json::to_string(&return_rows(organisation, year, &members, signed_on))
            .map_err(|e| Error::Internal(e.to_string()))?;
        let version = store::round_in_organisation(db, organisation.id, id)
            .await?
            .version;
        store::sign(
            db,
            actor,
            now,
            organisation,
            &store::Signing {
                round_id: id,
                signed_on,
                signed_by,
                published: &published,
                return_rows: &kept,
                version,
            },
        )
        .await?;
    }
    Ok(id)
}
