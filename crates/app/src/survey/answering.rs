//! Answering a survey: finding the campaign from an invitation code or the open link,
//! the person's draft, and sending the finished answers so that nothing stored says whose
//! they were or when they came.

use super::{load, pending};
use crate::identity::OrgUnit;
use crate::{Context, Error};
use dignity_crypto::survey::{InvitationCode, ParticipationKey};
use dignity_domain::speakup::Day;
use dignity_domain::survey::Survey;
use dignity_domain::survey::answering::Answers;
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

/// The campaign an invitation code belongs to, while the code is unused, with the code's
/// draft. Codes are stored under a keyed digest; codes made before that, under a plain one.
pub async fn by_code(
    ctx: &Context,
    code: &InvitationCode,
) -> Result<Option<(Campaign, Answerer)>, Error> {
    let mut holder = code.keyed_digest(&ctx.secret);
    let mut found = survey::campaign_and_draft_for_token(&ctx.db, &holder).await?;
    if found.is_none() {
        holder = code.digest();
        found = survey::campaign_and_draft_for_token(&ctx.db, &holder).await?;
    }
    let Some((campaign, saved)) = found else {
        return Ok(None);
    };
    let answerer = Answerer {
        holder,
        draft_key: pending::code_draft_key(&ctx.secret, code)?,
        by_code: true,
        saved,
    };
    Ok(Some((campaign, answerer)))
}

/// A signed-in member of staff answering an open-link campaign. Who has answered is kept
/// only as a digest under a key that is not in the database. `None` once they have sent
/// their answers.
pub async fn by_open_link(
    ctx: &Context,
    key: &ParticipationKey,
    campaign: &Campaign,
    person_id: i64,
) -> Result<Option<Answerer>, Error> {
    let holder = key.digest(campaign.id, person_id);
    let (answered, saved) = survey::participation_and_draft(&ctx.db, campaign.id, &holder).await?;
    if answered {
        return Ok(None);
    }
    Ok(Some(Answerer {
        draft_key: pending::person_draft_key(&ctx.secret, &holder)?,
        holder,
        by_code: false,
        saved,
    }))
}

/// Whether a campaign takes answers today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Open,
    OpensOn(Day),
    ClosedOn(Day),
}

/// Whether `campaign` takes answers today (from its opening day to its closing day, both
/// included). The writer checks again as it writes, so a send that passed this just
/// before the close is still refused.
pub fn window(ctx: &Context, campaign: &Campaign) -> Window {
    let today = ctx.clock.today();
    if today < campaign.opens_on {
        Window::OpensOn(campaign.opens_on)
    } else if campaign.closes_on < today {
        Window::ClosedOn(campaign.closes_on)
    } else {
        Window::Open
    }
}

pub async fn campaign(ctx: &Context, campaign_id: i64) -> Result<Campaign, Error> {
    Ok(survey::get_campaign(&ctx.db, campaign_id).await?)
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
