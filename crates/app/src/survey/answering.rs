//! Answering a survey: finding the campaign from an invitation code or the open link,
//! the person's draft, and sending the finished answers so that nothing stored says whose
//! they were or when they came.

use super::{load, pending};
use crate::identity::{CurrentSession, OrgUnit, Organisation};
use crate::{Context, Error};
use dignity_crypto::survey::{InvitationCode, ParticipationKey};
use dignity_domain::identity::Role;
use dignity_domain::speakup::Day;
use dignity_domain::survey::answering::Answers;
use dignity_domain::survey::{Participation, Survey};
use dignity_store::identity;
use dignity_store::survey::{self, AnswerWrite, Draft, NewResponse};
use std::sync::Arc;
use zeroize::Zeroizing;

pub use dignity_store::survey::Campaign;

/// Who is answering: the digest their drafts are saved under and that is used up on
/// sending, the key their draft is sealed with, and their draft as stored.
pub struct Answerer {
    pub holder: String,
    pub draft_key: Zeroizing<[u8; 32]>,
    /// Answering with an invitation code, rather than signed in through the open link.
    pub by_code: bool,
    /// The sealed draft read with the campaign, so a page costs one read.
    saved: Option<Vec<u8>>,
}

/// Everyone in an organisation can answer its open-link surveys.
pub const TAKERS: &[Role] = &[
    Role::Staff,
    Role::Guardian,
    Role::ErLead,
    Role::UnionPartner,
    Role::Executive,
    Role::OrgAdmin,
];

/// Why a campaign does not take answers today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotOpen {
    #[error("This survey opens on {}", .0.long())]
    OpensOn(Day),
    #[error("This survey closed on {}", .0.long())]
    ClosedOn(Day),
}

/// Whether `campaign` takes answers today (from its opening day to its closing day, both
/// included). The writer checks again as it writes, so a send that passed this just
/// before the close is still refused.
pub fn open_today(ctx: &Context, campaign: &Campaign) -> Result<(), NotOpen> {
    let today = ctx.clock.today();
    if !campaign.has_opened(today) {
        Err(NotOpen::OpensOn(campaign.opens_on))
    } else if campaign.has_closed(today) {
        Err(NotOpen::ClosedOn(campaign.closes_on))
    } else {
        Ok(())
    }
}

/// Why an invitation code does not open a survey.
#[derive(Debug, thiserror::Error)]
pub enum CodeRefused {
    /// No campaign has this code, or it has been used.
    #[error(
        "We could not find a survey with that code. It may have been used already. Check it and try again"
    )]
    Unknown,
    #[error(transparent)]
    NotOpen(#[from] NotOpen),
    #[error(transparent)]
    Failed(#[from] Error),
}

/// The campaign an invitation code belongs to, while the code is unused and the campaign
/// takes answers, with the code's draft. Codes are stored under a keyed digest; codes
/// made before that, under a plain one.
pub async fn by_code(
    ctx: &Context,
    code: &InvitationCode,
) -> Result<(Campaign, Answerer), CodeRefused> {
    let mut holder = code.keyed_digest(&ctx.secret);
    let mut found = survey::campaign_and_draft_for_token(&ctx.db, &holder)
        .await
        .map_err(Error::from)?;
    if found.is_none() {
        holder = code.digest();
        found = survey::campaign_and_draft_for_token(&ctx.db, &holder)
            .await
            .map_err(Error::from)?;
    }
    let Some((campaign, saved)) = found else {
        return Err(CodeRefused::Unknown);
    };
    open_today(ctx, &campaign)?;
    let answerer = Answerer {
        holder,
        draft_key: pending::code_draft_key(&ctx.secret, code)?,
        by_code: true,
        saved,
    };
    Ok((campaign, answerer))
}

/// Why a signed-in person may not answer a campaign through its open link.
#[derive(Debug, thiserror::Error)]
pub enum OpenLinkRefused {
    /// Another organisation's campaign, or one answered with invitation codes: the link
    /// leads nowhere, so it cannot be used to learn of either.
    #[error(
        "There is no survey at this address. If you were sent an invitation code, enter it on the survey page."
    )]
    NoSuchSurvey,
    /// Without the participation key nothing can say who has answered, so no one may.
    #[error("open-link surveys are turned off (survey_participation_key is not set)")]
    TurnedOff,
    #[error(transparent)]
    NotOpen(#[from] NotOpen),
    #[error("You have already answered this survey. Thank you for taking part.")]
    AlreadyAnswered,
    /// Not one of the organisation's [`TAKERS`] (`Forbidden`), no such campaign, or a
    /// fault.
    #[error(transparent)]
    Failed(#[from] Error),
}

/// A signed-in member of staff answering their organisation's open-link campaign
/// `campaign_id` while it is open, once each. Who has answered is kept only as a digest
/// under `key`, which is not in the database (`None`: the installation has none).
pub async fn by_open_link(
    ctx: &Context,
    key: Option<&ParticipationKey>,
    session: &CurrentSession,
    organisation: &Organisation,
    campaign_id: i64,
) -> Result<(Campaign, Answerer), OpenLinkRefused> {
    if !session.has_org_role(&organisation.ods_code, TAKERS) {
        return Err(Error::Forbidden.into());
    }
    let campaign = survey::get_campaign(&ctx.db, campaign_id)
        .await
        .map_err(Error::from)?;
    if campaign.organisation_id != organisation.id
        || campaign.participation != Participation::OpenLink
    {
        return Err(OpenLinkRefused::NoSuchSurvey);
    }
    let key = key.ok_or(OpenLinkRefused::TurnedOff)?;
    open_today(ctx, &campaign)?;
    let holder = key.digest(campaign.id, session.person.id);
    let (answered, saved) = survey::participation_and_draft(&ctx.db, campaign.id, &holder)
        .await
        .map_err(Error::from)?;
    if answered {
        return Err(OpenLinkRefused::AlreadyAnswered);
    }
    let answerer = Answerer {
        draft_key: pending::person_draft_key(&ctx.secret, &holder)?,
        holder,
        by_code: false,
        saved,
    };
    Ok((campaign, answerer))
}

/// What a campaign asks. Stored surveys never change, so each is read once per server.
pub async fn questions(ctx: &Context, campaign: &Campaign) -> Result<Arc<Survey>, Error> {
    ctx.surveys.definition_of(&ctx.db, campaign.survey_id).await
}

/// Whether the pages `sections` (0 = the first) ask where someone works, so need the
/// organisation's places.
pub fn asks_for_place(definition: &Survey, sections: &[usize]) -> bool {
    sections.iter().any(|&i| {
        definition.sections.get(i).is_some_and(|s| {
            s.questions
                .iter()
                .any(|q| q.kind == dignity_domain::survey::QuestionKind::OrgUnit)
        })
    })
}

/// The places people choose from, in tree order.
pub async fn places(ctx: &Context, campaign: &Campaign) -> Result<Vec<OrgUnit>, Error> {
    Ok(load::units_in_order(
        identity::list_org_units(&ctx.db, campaign.organisation_id).await?,
    ))
}

/// The person's answers so far, from their draft, or none yet.
pub fn answers_so_far(
    campaign: &Campaign,
    definition: &Survey,
    answerer: &Answerer,
) -> Result<Answers, Error> {
    let saved = match &answerer.saved {
        Some(stored) => {
            pending::open_draft(&answerer.draft_key, campaign.id, &answerer.holder, stored)?
        }
        None => None,
    };
    Ok(match saved {
        Some(d) => Answers::restore(
            definition,
            d.answers,
            load::decode_groupings(&d.groupings),
            d.comments,
        ),
        None => Answers::empty(definition),
    })
}

/// Saves the answers so far, sealed under the person's key and padded to one size, written
/// together with everyone else's writes of the moment. False, and nothing saved, when the
/// answers were sent meanwhile (from another page).
pub async fn save_draft(
    ctx: &Context,
    campaign: &Campaign,
    definition: &Survey,
    answerer: &Answerer,
    answers: &Answers,
) -> Result<bool, Error> {
    let draft = Draft {
        answers: answers.codes.clone(),
        groupings: load::encode_groupings(&answers.groupings),
        comments: answers.comments.clone(),
    };
    let sealed = pending::seal_draft(
        &answerer.draft_key,
        campaign.id,
        &answerer.holder,
        &draft,
        pending::record_size(definition),
    )?;
    let write = AnswerWrite::Draft {
        campaign_id: campaign.id,
        holder: answerer.holder.clone(),
        sealed,
        by_code: answerer.by_code,
    };
    ctx.answer_writer.write(ctx, write).await
}

/// Sends the finished answers: sealed to wait for their batch, with the code (or the
/// person's digest) used up in the same transaction. False when they were sent already.
/// The writer writes whole batches and empties SQLite's log after (`writer`).
pub async fn send(
    ctx: &Context,
    campaign: &Campaign,
    definition: &Survey,
    answerer: &Answerer,
    answers: &Answers,
) -> Result<bool, Error> {
    let response = NewResponse {
        id: dignity_crypto::token::random_token(),
        answers: answers.codes.clone(),
        groupings: load::encode_groupings(&answers.groupings),
        comments: answers.comments.clone(),
    };
    let sealed = pending::seal_response(
        &ctx.secret,
        campaign.id,
        &response,
        pending::record_size(definition),
    )?;
    let write = if answerer.by_code {
        AnswerWrite::WithToken {
            campaign_id: campaign.id,
            token: answerer.holder.clone(),
            sealed,
        }
    } else {
        AnswerWrite::AsPerson {
            campaign_id: campaign.id,
            person: answerer.holder.clone(),
            sealed,
        }
    };
    ctx.answer_writer.write(ctx, write).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::Operator;
    use crate::clock::Clock;
    use crate::data::Backend;
    use crate::survey::campaigns::{self, NewCampaign};
    use crate::test_fixtures::{holding, stored_organisation};
    use dignity_domain::survey::{DEFAULT_BANK, parse};
    use dignity_store::scratch::ScratchDb;

    type Outcome = Result<(), Box<dyn std::error::Error>>;

    /// A campaign of the shared survey open from `opens` to `closes` days from today.
    async fn campaign(
        operator: &Operator,
        organisation: &Organisation,
        participation: Participation,
        (opens, closes): (i64, i64),
    ) -> Result<Campaign, Box<dyn std::error::Error>> {
        let key = parse(DEFAULT_BANK)?.key;
        let survey_id = match survey::survey_id_by_key(operator.db(), &key).await? {
            Some(id) => id,
            None => {
                operator
                    .save_survey(&parse(DEFAULT_BANK)?, DEFAULT_BANK)
                    .await?
            }
        };
        let today = operator.clock().today();
        Ok(operator
            .create_campaign(
                organisation,
                &NewCampaign::new(
                    survey_id,
                    "Pulse survey",
                    today.plus_days(opens),
                    today.plus_days(closes),
                    participation,
                )?,
            )
            .await?)
    }

    fn context(test_db: &ScratchDb) -> Result<Context, Box<dyn std::error::Error>> {
        Ok(Context::new(
            test_db.db.clone(),
            crate::Settings {
                clock: Clock::fixed(1_800_000_000),
                ..crate::Settings::default()
            },
        )?)
    }

    async fn the_open_link_admits_staff_of_its_organisation_while_it_is_open(
        backend: Backend,
    ) -> Outcome {
        let test_db = ScratchDb::new(backend).await?;
        let ctx = context(&test_db)?;
        let operator = Operator::new(ctx.db.clone(), ctx.clock.clone(), "cli");
        let (rj1, rx1) = (
            stored_organisation(&operator, "RJ1").await?,
            stored_organisation(&operator, "RX1").await?,
        );
        let key = ParticipationKey::from_hex(&ParticipationKey::generate_hex());
        let key = key.as_ref();
        let staff = holding(&[(Role::Staff, &rj1)]);
        let open = campaign(&operator, &rj1, Participation::OpenLink, (-1, 10)).await?;
        let refused = |outcome: Result<(Campaign, Answerer), OpenLinkRefused>| outcome.err();

        let codes_only = campaign(&operator, &rj1, Participation::Tokens, (-1, 10)).await?;
        let elsewhere = campaign(&operator, &rx1, Participation::OpenLink, (-1, 10)).await?;
        for other in [&codes_only, &elsewhere] {
            let outcome = by_open_link(&ctx, key, &staff, &rj1, other.id).await;
            assert!(
                matches!(refused(outcome), Some(OpenLinkRefused::NoSuchSurvey)),
                "campaign {}",
                other.title
            );
        }
        let missing = by_open_link(&ctx, key, &staff, &rj1, 9_999).await;
        assert!(matches!(
            refused(missing),
            Some(OpenLinkRefused::Failed(Error::NotFound(_)))
        ));

        let not_yet = campaign(&operator, &rj1, Participation::OpenLink, (2, 10)).await?;
        let closed = campaign(&operator, &rj1, Participation::OpenLink, (-10, -1)).await?;
        let today = ctx.clock.today();
        for (shut, why) in [
            (&not_yet, NotOpen::OpensOn(today.plus_days(2))),
            (&closed, NotOpen::ClosedOn(today.plus_days(-1))),
        ] {
            match refused(by_open_link(&ctx, key, &staff, &rj1, shut.id).await) {
                Some(OpenLinkRefused::NotOpen(said)) => assert_eq!(said, why),
                other => panic!("{other:?}"),
            }
        }
        let last_day = campaign(&operator, &rj1, Participation::OpenLink, (-5, 0)).await?;
        assert!(
            by_open_link(&ctx, key, &staff, &rj1, last_day.id)
                .await
                .is_ok(),
            "the closing day takes answers"
        );

        let turned_off = by_open_link(&ctx, None, &staff, &rj1, open.id).await;
        assert!(matches!(
            refused(turned_off),
            Some(OpenLinkRefused::TurnedOff)
        ));
        let outsider = holding(&[(Role::Staff, &rx1)]);
        let not_staff_here = by_open_link(&ctx, key, &outsider, &rj1, open.id).await;
        assert!(matches!(
            refused(not_staff_here),
            Some(OpenLinkRefused::Failed(Error::Forbidden))
        ));

        let Ok((found, answerer)) = by_open_link(&ctx, key, &staff, &rj1, open.id).await else {
            panic!("staff of RJ1 answer its open campaign");
        };
        assert_eq!(found.id, open.id);
        let definition = questions(&ctx, &found).await?;
        let answers = answers_so_far(&found, &definition, &answerer)?;
        assert!(send(&ctx, &found, &definition, &answerer, &answers).await?);
        let again = by_open_link(&ctx, key, &staff, &rj1, open.id).await;
        assert!(matches!(
            refused(again),
            Some(OpenLinkRefused::AlreadyAnswered)
        ));
        test_db.finish().await;
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_open_link_admits_staff_of_its_organisation_while_it_is_open_on_sqlite() -> Outcome
    {
        the_open_link_admits_staff_of_its_organisation_while_it_is_open(Backend::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_open_link_admits_staff_of_its_organisation_while_it_is_open_on_postgres() -> Outcome
    {
        the_open_link_admits_staff_of_its_organisation_while_it_is_open(Backend::Postgres).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_code_opens_its_survey_only_while_it_is_open() -> Outcome {
        let test_db = ScratchDb::new(Backend::Sqlite).await?;
        let ctx = context(&test_db)?;
        let operator = Operator::new(ctx.db.clone(), ctx.clock.clone(), "cli");
        let rj1 = stored_organisation(&operator, "RJ1").await?;
        let open = campaign(&operator, &rj1, Participation::Tokens, (-1, 10)).await?;
        let not_yet = campaign(&operator, &rj1, Participation::Tokens, (3, 10)).await?;
        let mut codes = Vec::new();
        for campaign in [&open, &not_yet] {
            let issued = campaigns::issue_codes(&ctx, "cli", &rj1, campaign, 1).await?;
            codes.push(issued.into_iter().next().ok_or("no code issued")?);
        }
        let [open_code, later_code] = &codes[..] else {
            panic!("two codes");
        };

        let Ok((found, _)) = by_code(&ctx, open_code).await else {
            panic!("an unused code of an open campaign opens it");
        };
        assert_eq!(found.id, open.id);
        match by_code(&ctx, later_code).await.err() {
            Some(CodeRefused::NotOpen(NotOpen::OpensOn(day))) => {
                assert_eq!(day, not_yet.opens_on);
            }
            other => panic!("{other:?}"),
        }
        let stray = InvitationCode::generate();
        assert!(matches!(
            by_code(&ctx, &stray).await.err(),
            Some(CodeRefused::Unknown)
        ));
        test_db.finish().await;
        Ok(())
    }
}
