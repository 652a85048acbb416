//! The facts the quarterly return, the trends and the national view are decided from:
//! cases' plain-text facts and each organisation's places. The figures themselves are
//! decided by `dignity_domain::speakup_figures` under the Speak Up minimum.

use crate::identity::Organisation;
use crate::{Context, Error};
use dignity_domain::speakup_figures::Figures;
use dignity_domain::speakup_returns::{CaseFacts, Quarter};
use dignity_store::{identity, speakup};
use std::collections::BTreeMap;

/// One organisation's cases' facts.
pub async fn facts(ctx: &Context, organisation: &Organisation) -> Result<Vec<CaseFacts>, Error> {
    Ok(speakup::case_facts(&ctx.db, organisation.id).await?)
}

/// Each organisation's places, every one listed whether or not it had cases.
pub async fn places_of(
    ctx: &Context,
    organisations: &[i64],
) -> Result<BTreeMap<i64, Vec<String>>, Error> {
    let mut places = BTreeMap::new();
    for id in organisations {
        let names = identity::list_org_units(&ctx.db, *id)
            .await?
            .into_iter()
            .map(|u| u.name)
            .collect();
        places.insert(*id, names);
    }
    Ok(places)
}

/// One organisation's figures, decided as every page of its own shows them.
pub async fn organisation_figures(
    ctx: &Context,
    organisation: &Organisation,
    facts: &[CaseFacts],
    quarters: &[Quarter],
    professional_groups: &[String],
) -> Result<Figures, Error> {
    Ok(Figures::decide(
        &[(organisation.id, facts)],
        &places_of(ctx, &[organisation.id]).await?,
        false,
        quarters,
        ctx.minimums.speakup(),
        professional_groups,
    ))
}

/// Every organisation with Speak Up turned on, with its cases' facts.
pub async fn national_facts(ctx: &Context) -> Result<Vec<(Organisation, Vec<CaseFacts>)>, Error> {
    let mut by_org: BTreeMap<i64, Vec<CaseFacts>> = BTreeMap::new();
    for (org_id, facts) in speakup::all_case_facts(&ctx.db).await? {
        by_org.entry(org_id).or_default().push(facts);
    }
    let mut organisations = Vec::new();
    for organisation in identity::list_organisations(&ctx.db).await? {
        if speakup::settings(&ctx.db, organisation.id).await?.is_some() {
            let facts = by_org.remove(&organisation.id).unwrap_or_default();
            organisations.push((organisation, facts));
        }
    }
    Ok(organisations)
}
