//! Answering a survey: finding the campaign from an invitation code or the open link,
//! the person's draft, and sending the finished answers so that nothing stored says whose
//! they were or when they came.

use super::{load, pending};
use crate::identity::OrgUnit;
use crate::{Context, Error};
use dignity_crypto::survey::{InvitationCode, ParticipationKey};
use dignity_domain::survey::Survey;
use dignity_domain::survey::answering::Answers;
use dignity_store::identity;
use dignity_store::survey::{self, Draft, NewResponse};
use zeroize::Zeroizing;

pub use dignity_store::survey::Campaign;

/// Who is answering: the digest their drafts are saved under and that is used up on
/// sending, and the key their draft is sealed with.
pub struct Answerer {
    pub holder: String,
    pub draft_key: Zeroizing<[u8; 32]>,
    /// Answering with an invitation code, rather than signed in through the open link.
    pub by_code: bool,
}

/// The campaign an invitation code belongs to, while the code is unused. Codes are stored
/// under a keyed digest; codes made before that, under a plain one.
pub async fn by_code(
    ctx: &Context,
    code: &InvitationCode,
) -> Result<Option<(Campaign, Answerer)>, Error> {
    let mut holder = code.keyed_digest(&ctx.secret);
    let mut found = survey::campaign_for_token(&ctx.db, &holder).await?;
    if found.is_none() {
        holder = code.digest();
        found = survey::campaign_for_token(&ctx.db, &holder).await?;
    }
    let Some(campaign_id) = found else {
        return Ok(None);
    };
    let campaign = survey::get_campaign(&ctx.db, campaign_id).await?;
    let answerer = Answerer {
        holder,
        draft_key: pending::code_draft_key(&ctx.secret, code)?,
        by_code: true,
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
    if survey::has_participated(&ctx.db, campaign.id, &holder).await? {
        return Ok(None);
    }
    Ok(Some(Answerer {
        draft_key: pending::person_draft_key(&ctx.secret, &holder)?,
        holder,
        by_code: false,
    }))
}

pub async fn campaign(ctx: &Context, campaign_id: i64) -> Result<Campaign, Error> {
    Ok(survey::get_campaign(&ctx.db, campaign_id).await?)
}

/// What a campaign asks, and the places people choose from, in tree order.
pub async fn questionnaire(
    ctx: &Context,
    campaign: &Campaign,
) -> Result<(Survey, Vec<OrgUnit>), Error> {
    let (_, _, text) = survey::get_survey(&ctx.db, campaign.survey_id).await?;
    let definition = ctx.surveys.definition(campaign.survey_id, &text)?.1.clone();
    let units =
        load::units_in_order(identity::list_org_units(&ctx.db, campaign.organisation_id).await?);
    Ok((definition, units))
}

/// The person's answers so far, from their draft, or none yet.
pub async fn answers_so_far(
    ctx: &Context,
    campaign: &Campaign,
    definition: &Survey,
    answerer: &Answerer,
) -> Result<Answers, Error> {
    let saved =
        pending::get_draft(&ctx.db, &answerer.draft_key, campaign.id, &answerer.holder).await?;
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

/// Saves the answers so far, sealed under the person's key and padded to one size.
pub async fn save_draft(
    ctx: &Context,
    campaign: &Campaign,
    definition: &Survey,
    answerer: &Answerer,
    answers: &Answers,
) -> Result<(), Error> {
    let draft = Draft {
        answers: answers.codes.clone(),
        groupings: load::encode_groupings(&answers.groupings),
        comments: answers.comments.clone(),
    };
    pending::save_draft(
        &ctx.db,
        &answerer.draft_key,
        campaign.id,
        &answerer.holder,
        &draft,
        pending::record_size(definition),
    )
    .await?;
    // Older copies of the draft's page would show when each save was made.
    let _ = ctx.db.checkpoint().await;
    Ok(())
}

/// Sends the finished answers: sealed to wait for their batch, with the code (or the
/// person's digest) used up in the same transaction. False when they were sent already.
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
    let stored = if answerer.by_code {
        survey::submit_with_token(&ctx.db, campaign.id, &answerer.holder, &sealed).await?
    } else {
        survey::submit_as_person(&ctx.db, campaign.id, &answerer.holder, &sealed).await?
    };
    if !stored {
        return Ok(false);
    }
    // The answers are safely stored (sealed) before this: writing a batch is extra. A
    // failure is not logged here, as a log line would date this person's answers; the
    // next submission or the periodic flush tries again and logs.
    let _ = pending::flush(ctx, campaign, ctx.clock.today()).await;
    // The used code's row and the deleted draft are zeroed in the database file, but
    // older copies of their pages stay in SQLite's log until a checkpoint.
    let _ = ctx.db.checkpoint().await;
    Ok(true)
}
