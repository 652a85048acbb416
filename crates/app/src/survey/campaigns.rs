//! Running survey campaigns: the shared survey, setting a campaign up, handing out
//! invitation codes, what an organisation's administrators see of its progress, and
//! the mapping from questions to the staff pledges.

use crate::identity::{CurrentSession, Organisation};
use crate::{Context, Error};
use dignity_crypto::survey::InvitationCode;
use dignity_domain::identity::{Email, Role};
use dignity_domain::survey::DEFAULT_BANK;
use dignity_engine::disclosure::{self, Disclosed};
use dignity_store::StoreError;
use dignity_store::mail::NewMail;
use dignity_store::survey;

mod check;

pub use check::{CampaignDraft, CampaignProblem, NewCampaign, check};
pub use dignity_store::mail::NewMail as Mail;
pub use dignity_store::survey::Campaign;

/// Who sets up an organisation's campaigns, issues their codes and maps their questions
/// to the staff pledges: its administrators.
pub const RUNNERS: &[Role] = &[Role::OrgAdmin];

/// Whether this person runs the organisation's campaigns.
pub fn may_run(session: &CurrentSession, organisation: &Organisation) -> bool {
    session.has_org_role(&organisation.ods_code, RUNNERS)
}

/// Every survey (id, key, title), with the shared culture survey saved the first time
/// anyone sets up a campaign, so every organisation answers the same questions and can
/// be compared.
pub async fn surveys_with_default(
    ctx: &Context,
    actor: &str,
) -> Result<Vec<(i64, String, String)>, Error> {
    let default = dignity_domain::survey::parse(DEFAULT_BANK)
        .map_err(|e| Error::Internal(format!("default survey: {e}")))?;
    if survey::survey_id_by_key(&ctx.db, &default.key)
        .await?
        .is_none()
    {
        let saved = survey::save_survey(
            &ctx.db,
            actor,
            ctx.clock.now(),
            &default.key,
            &default.title,
            DEFAULT_BANK,
        )
        .await;
        // Two people setting up at once: the other one saved it.
        if let Err(e) = saved
            && !matches!(e, StoreError::Conflict(_))
        {
            return Err(e.into());
        }
    }
    Ok(survey::list_surveys(&ctx.db).await?)
}

/// The id of the shared culture survey, once anyone has saved it.
pub async fn shared_survey(ctx: &Context) -> Result<Option<i64>, Error> {
    let key = dignity_domain::survey::parse(DEFAULT_BANK)
        .map_err(|e| Error::Internal(format!("default survey: {e}")))?
        .key;
    Ok(survey::survey_id_by_key(&ctx.db, &key).await?)
}

/// The years a survey has results in: those with a campaign that has closed by today.
pub async fn years_of(ctx: &Context, survey_id: i64) -> Result<Vec<i64>, Error> {
    Ok(survey::years_of(&ctx.db, survey_id, ctx.clock.today()).await?)
}

/// Sets up a campaign, audited.
pub async fn create(
    ctx: &Context,
    actor: &str,
    organisation: &Organisation,
    campaign: &NewCampaign,
) -> Result<Campaign, Error> {
    Ok(survey::create_campaign(
        &ctx.db,
        actor,
        ctx.clock.now(),
        organisation,
        &campaign.for_organisation(organisation),
    )
    .await?)
}

/// The organisation's campaigns.
pub async fn of(ctx: &Context, organisation: &Organisation) -> Result<Vec<Campaign>, Error> {
    Ok(survey::campaigns_for(&ctx.db, organisation.id).await?)
}

/// A campaign of this organisation; `NotFound` for another's.
pub async fn campaign_in(
    ctx: &Context,
    organisation: &Organisation,
    campaign_id: i64,
) -> Result<Campaign, Error> {
    let campaign = survey::get_campaign(&ctx.db, campaign_id).await?;
    if campaign.organisation_id != organisation.id {
        return Err(Error::NotFound(
            "There is no such survey in this organisation.".into(),
        ));
    }
    Ok(campaign)
}

/// What a campaign's results pages may show today: nothing but progress until it closes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Results {
    /// Not closed: no figures, only whether it has opened and how many responses are
    /// written, which moves in whole batches of at least the survey minimum (none, or a
    /// batch or more), so two looks either side of one person's answers are the same.
    Waiting {
        opened: bool,
        counted: Disclosed<u64>,
    },
    /// Closed: its results are shown (each figure as the disclosure rules decide).
    Shown,
}

/// Whether the campaign's results are shown yet, and if not, what its pages may say.
pub async fn results(ctx: &Context, campaign: &Campaign) -> Result<Results, Error> {
    let today = ctx.clock.today();
    if campaign.has_closed(today) {
        return Ok(Results::Shown);
    }
    let written = survey::response_count(&ctx.db, campaign.id).await?;
    Ok(Results::Waiting {
        opened: campaign.has_opened(today),
        counted: disclosure::population(written, ctx.minimums.survey()),
    })
}

/// How many answers are counted, as the campaign's page may show it: a total over
/// everyone who answered, so shown only from the survey minimum (once a campaign closes,
/// its last few answers are written, and "3" would tell an administrator what the
/// results page hides).
pub async fn answers_counted(ctx: &Context, campaign: &Campaign) -> Result<Disclosed<u64>, Error> {
    let counted = survey::response_count(&ctx.db, campaign.id).await?;
    Ok(disclosure::population(counted, ctx.minimums.survey()))
}

/// Codes not used yet. Codes used by answers still waiting for their batch count as
/// unused, so this moves only when a batch is written, never with one person's answers.
/// Hidden whenever the number of answers is: the codes issued less these would be it.
pub async fn codes_not_used_yet(
    ctx: &Context,
    campaign: &Campaign,
) -> Result<Disclosed<u64>, Error> {
    let answers = answers_counted(ctx, campaign).await?;
    let unused = survey::codes_not_used_yet(&ctx.db, campaign.id).await?;
    Ok(answers.map(|_| unused))
}

/// Invitation emails for this campaign still in the outbox.
pub async fn invitations_waiting(ctx: &Context, campaign: &Campaign) -> Result<u64, Error> {
    Ok(dignity_store::mail::waiting(&ctx.db, &invitation_purpose(campaign)).await?)
}

/// What the outbox calls a campaign's invitation emails.
pub fn invitation_purpose(campaign: &Campaign) -> String {
    format!("survey:{}", campaign.id)
}

/// Makes `count` new invitation codes for the campaign, keeps only their keyed digests,
/// audited, and returns the codes to hand out (shown once).
pub async fn issue_codes(
    ctx: &Context,
    actor: &str,
    organisation: &Organisation,
    campaign: &Campaign,
    count: u32,
) -> Result<Vec<InvitationCode>, Error> {
    let codes: Vec<InvitationCode> = (0..count).map(|_| InvitationCode::generate()).collect();
    let digests: Vec<String> = codes.iter().map(|c| c.keyed_digest(&ctx.secret)).collect();
    survey::add_tokens(
        &ctx.db,
        actor,
        ctx.clock.now(),
        campaign,
        &organisation.ods_code,
        &digests,
    )
    .await?;
    Ok(codes)
}

/// Emails each address its own new code: the codes' digests and the emails are written
/// in one transaction, so no code exists without its email or the other way round.
/// `letter` writes the email for one address and its code.
pub async fn invite_by_email(
    ctx: &Context,
    actor: &str,
    organisation: &Organisation,
    campaign: &Campaign,
    addresses: &[Email],
    letter: impl Fn(&Email, &InvitationCode) -> NewMail,
) -> Result<u64, Error> {
    let invitations: Vec<(String, NewMail)> = addresses
        .iter()
        .map(|to| {
            let code = InvitationCode::generate();
            (code.keyed_digest(&ctx.secret), letter(to, &code))
        })
        .collect();
    Ok(survey::invite_by_email(
        &ctx.db,
        actor,
        ctx.clock.now(),
        campaign,
        &organisation.ods_code,
        &invitations,
    )
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_fixtures::{holding, organisation};

    #[test]
    fn only_the_organisations_administrators_run_its_campaigns() {
        let (rj1, rx1) = (organisation(1, "RJ1"), organisation(2, "RX1"));
        assert!(may_run(&holding(&[(Role::OrgAdmin, &rj1)]), &rj1));
        assert!(!may_run(&holding(&[(Role::OrgAdmin, &rx1)]), &rj1));
        for role in [Role::Executive, Role::UnionPartner, Role::Staff] {
            assert!(!may_run(&holding(&[(role, &rj1)]), &rj1), "{role:?}");
        }
    }
}
