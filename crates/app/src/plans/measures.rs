//! A plan's measures: each one's latest figure comes from the organisation's newest
//! closed culture survey when it has one, through the disclosure rule, else from the
//! figure typed in.

use super::Indicator;
use crate::{Context, Error};
use dignity_domain::survey::{DEFAULT_BANK, parse};
use dignity_engine::aggregate::{indicator, reports};
use dignity_engine::disclosure::{self, Answers};
use dignity_store::survey;

/// Where a measure's latest figure comes from.
pub enum Latest {
    /// Worked out from a closed survey, to one decimal place.
    Surveyed {
        percent: f64,
        campaign: String,
    },
    /// Typed in by the plan's editors, with where they say it comes from.
    Typed {
        percent: f64,
        source: String,
    },
    NotKnown,
}

/// A measure with its latest figure.
pub struct Measured<'a> {
    pub indicator: &'a Indicator,
    pub latest: Latest,
}

/// The shared culture survey's questions that can be measures: (key, text).
pub fn measures() -> Vec<(String, String)> {
    parse(DEFAULT_BANK)
        .map(|survey| {
            survey
                .items()
                .iter()
                .filter(|i| i.choice.is_none() && !i.question.positive.is_empty())
                .map(|i| (i.key.clone(), i.text.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// Each stored measure with its latest figure. A surveyed figure is hidden (and the typed
/// one used) when the survey minimum does not allow it to be shown.
pub async fn latest<'a>(
    ctx: &Context,
    organisation_id: i64,
    stored: &'a [Indicator],
) -> Result<Vec<Measured<'a>>, Error> {
    if stored.is_empty() {
        return Ok(Vec::new());
    }
    let today = ctx.clock.today();
    let survey_key = parse(DEFAULT_BANK).map(|s| s.key).unwrap_or_default();
    let shared = survey::survey_id_by_key(&ctx.db, &survey_key).await?;
    let newest = survey::campaigns_for(&ctx.db, organisation_id)
        .await?
        .into_iter()
        .find(|c| Some(c.survey_id) == shared && c.has_closed(today));
    let live = match &newest {
        Some(campaign) => Some((campaign, ctx.surveys.campaign(ctx, campaign).await?)),
        None => None,
    };
    let minimum = ctx.minimums.survey();
    let mut measured = Vec::new();
    for m in stored {
        let surveyed = live.as_ref().and_then(|(campaign, loaded)| {
            let columns = &loaded.columns;
            let j = columns.item_index(&m.code)?;
            let all = dignity_engine::Bitmap::full(columns.rows());
            let report = reports(columns, &all, &[j], &[None], 1).ok()?;
            let i = indicator(columns.items().get(j)?, report.first()?.histogram(0, 0));
            let whole = disclosure::population(columns.rows() as u64, minimum);
            let answers = Answers {
                positive: i.positive,
                answered: i.answered,
            };
            disclosure::overall(answers, &whole, minimum)
                .into_value()
                .map(|a| Latest::Surveyed {
                    percent: (a.positive as f64 * 1000.0 / a.answered as f64).round() / 10.0,
                    campaign: campaign.title.clone(),
                })
        });
        let latest = match (surveyed, m.latest) {
            (Some(surveyed), _) => surveyed,
            (None, Some(percent)) => Latest::Typed {
                percent,
                source: m.source.clone(),
            },
            (None, None) => Latest::NotKnown,
        };
        measured.push(Measured {
            indicator: m,
            latest,
        });
    }
    Ok(measured)
}
