//! Organisations compared, from closed campaigns only: one organisation against its
//! benchmark group on every question where one way is better, and the national oversight
//! view of every organisation on the oversight indicators, with the year before beside it.
//!
//! Which way is better always comes from the survey's own definition of the question
//! ([`Direction`]); a question where neither way is better is never ranked or flagged.
//! Figures are standardised to each group's staff mix; standings come from the funnel
//! plot's limits (`dignity_engine::benchmark`).

use super::cache::National;
use crate::{Context, Error};
use dignity_domain::survey::{Direction, Survey};
use dignity_engine::Bitmap;
use dignity_engine::benchmark::{OVERSIGHT, Position, positions};
use dignity_engine::stats::standardised_differ;
use dignity_store::identity::Organisation;
use dignity_store::survey::Campaign;
use std::sync::Arc;

fn engine_error(e: dignity_engine::columns::EngineError) -> Error {
    Error::Internal(e.to_string())
}

/// The direction of an item in a survey, when one way is better; `None` when the survey
/// does not have the item, or neither way is better, or it has no headline share.
pub fn direction_of(definition: &Survey, item_key: &str) -> Option<Direction> {
    definition
        .items()
        .into_iter()
        .find(|i| i.key == item_key)
        .filter(|i| !i.question.positive.is_empty() || i.choice.is_some())
        .map(|i| i.question.better)
        .filter(|d| *d != Direction::Neither)
}

/// The organisation's value in the national set, if it is there.
fn value_of(national: &National, organisation_id: i64) -> Option<u16> {
    national
        .organisations
        .iter()
        .position(|o| o.id == organisation_id)
        .and_then(|p| u16::try_from(p + 1).ok())
}

/// One question: where the organisation stands in its group.
#[derive(Debug, Clone)]
pub struct BenchmarkQuestion {
    pub key: String,
    pub text: String,
    pub better: Direction,
    /// `None` when the organisation's figure is hidden (too few people answered).
    pub position: Option<Position>,
}

#[derive(Debug, Clone)]
pub struct Benchmark {
    /// How many organisations are in the benchmark group this year.
    pub organisations: usize,
    /// The campaign the organisation's figures in the national comparison come from: the
    /// first of its campaigns of this survey to close this year, if any has closed.
    pub counted: Option<Campaign>,
    /// Empty unless the campaign asked about is the counted one: figures from another
    /// campaign are never shown under this one's name.
    pub questions: Vec<BenchmarkQuestion>,
}

/// An organisation against its benchmark group on every ranked question of a campaign's
/// survey, among every closed campaign of that survey in the same year.
pub async fn benchmark(
    ctx: &Context,
    organisation: &Organisation,
    campaign: &Campaign,
) -> Result<Benchmark, Error> {
    let today = ctx.clock.today();
    let national = ctx
        .surveys
        .national(ctx, campaign.survey_id, campaign.year, today)
        .await?;
    let mine = value_of(&national, organisation.id);
    let counted = national
        .campaigns
        .iter()
        .find(|c| c.organisation_id == organisation.id)
        .cloned();
    let organisations = national
        .organisations
        .iter()
        .filter(|o| o.benchmark_group == organisation.benchmark_group)
        .count();
    if counted.as_ref().is_none_or(|c| c.id != campaign.id) {
        return Ok(Benchmark {
            organisations,
            counted,
            questions: Vec::new(),
        });
    }
    let all = Bitmap::full(national.columns.rows());
    let minimum = ctx.minimums.survey();
    let mut questions = Vec::new();
    for item in national.definition.items() {
        let Some(better) = direction_of(&national.definition, &item.key) else {
            continue;
        };
        let position = match mine {
            Some(v) => positions(
                &national.columns,
                &all,
                &item.key,
                better == Direction::HigherIsBetter,
                minimum,
            )
            .map_err(engine_error)?
            .organisations
            .into_iter()
            .find(|p| p.organisation == v),
            None => None,
        };
        questions.push(BenchmarkQuestion {
            key: item.key.clone(),
            text: item.text.clone(),
            better,
            position,
        });
    }
    Ok(Benchmark {
        organisations,
        counted,
        questions,
    })
}

/// A place as people say it: "1st", "2nd", "3rd", "11th", "22nd".
pub fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// How an organisation's figure moved since last year, judged on the standardised
/// figures the page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Too small to be more than chance, or nothing to compare.
    None,
    Better,
    Worse,
}

impl Change {
    fn between(now: &Position, then: &Position, better: Direction) -> Change {
        if !standardised_differ(&now.standardised, &then.standardised) {
            return Change::None;
        }
        match better.is_better(now.standardised.value, then.standardised.value) {
            Some(true) => Change::Better,
            Some(false) => Change::Worse,
            None => Change::None,
        }
    }
}

/// One organisation on one indicator, this year and last.
#[derive(Debug, Clone)]
pub struct OversightCell {
    pub now: Option<Position>,
    pub last_year: Option<Position>,
    pub change: Change,
}

impl OversightCell {
    pub fn flagged(&self) -> bool {
        self.now.as_ref().is_some_and(Position::flagged)
    }
}

#[derive(Debug, Clone)]
pub struct OversightRow {
    pub organisation: Organisation,
    pub cells: Vec<OversightCell>,
}

impl OversightRow {
    pub fn flags(&self) -> usize {
        self.cells.iter().filter(|c| c.flagged()).count()
    }
}

/// One oversight indicator as this year's survey defines it.
#[derive(Debug, Clone)]
pub struct Indicator {
    pub item: &'static str,
    pub title: &'static str,
    pub better: Direction,
    /// The spread between organisations the funnel limits allow for (tau squared).
    pub spread: f64,
    /// False when too few organisations were shown to estimate the spread.
    pub spread_estimated: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Oversight {
    /// Years with campaigns of the shared survey, newest first.
    pub years: Vec<i64>,
    pub year: i64,
    pub indicators: Vec<Indicator>,
    /// Organisations with the most flags first, then by name.
    pub rows: Vec<OversightRow>,
}

/// Every organisation that ran the shared survey in `year` (or the latest year), on the
/// oversight indicators the survey has a direction for.
pub async fn oversight(ctx: &Context, year: Option<i64>) -> Result<Oversight, Error> {
    let Some(survey_id) = super::campaigns::shared_survey(ctx).await? else {
        return Ok(Oversight::default());
    };
    let years = super::campaigns::years_of(ctx, survey_id).await?;
    let year = year
        .filter(|y| years.contains(y))
        .or_else(|| years.first().copied())
        .unwrap_or(0);
    let today = ctx.clock.today();
    let national = ctx.surveys.national(ctx, survey_id, year, today).await?;
    let before: Option<Arc<National>> = if years.contains(&(year - 1)) {
        Some(
            ctx.surveys
                .national(ctx, survey_id, year - 1, today)
                .await?,
        )
    } else {
        None
    };
    let minimum = ctx.minimums.survey();
    let mut indicators = Vec::new();
    let mut now_positions = Vec::new();
    let mut then_positions = Vec::new();
    for o in OVERSIGHT {
        let Some(better) = direction_of(&national.definition, o.item) else {
            continue;
        };
        let higher = better == Direction::HigherIsBetter;
        let all = Bitmap::full(national.columns.rows());
        let now =
            positions(&national.columns, &all, o.item, higher, minimum).map_err(engine_error)?;
        let then = match &before {
            Some(b) => {
                let all = Bitmap::full(b.columns.rows());
                positions(&b.columns, &all, o.item, higher, minimum)
                    .map_err(engine_error)?
                    .organisations
            }
            None => Vec::new(),
        };
        indicators.push(Indicator {
            item: o.item,
            title: o.title,
            better,
            spread: now.spread,
            spread_estimated: now.spread_estimated,
        });
        now_positions.push(now.organisations);
        then_positions.push(then);
    }
    let mut rows: Vec<OversightRow> = national
        .organisations
        .iter()
        .enumerate()
        .map(|(i, org)| {
            let v = u16::try_from(i + 1).unwrap_or(u16::MAX);
            let last_value = before.as_ref().and_then(|b| value_of(b, org.id));
            let cells = indicators
                .iter()
                .zip(now_positions.iter().zip(&then_positions))
                .map(|(indicator, (now_all, then_all))| {
                    let now = now_all.iter().find(|p| p.organisation == v).cloned();
                    let last_year = last_value
                        .and_then(|lv| then_all.iter().find(|p| p.organisation == lv))
                        .cloned();
                    let change = match (&now, &last_year) {
                        (Some(a), Some(b)) => Change::between(a, b, indicator.better),
                        _ => Change::None,
                    };
                    OversightCell {
                        now,
                        last_year,
                        change,
                    }
                })
                .collect();
            OversightRow {
                organisation: org.clone(),
                cells,
            }
        })
        .collect();
    // Organisations that may need support first.
    rows.sort_by(|a, b| {
        b.flags()
            .cmp(&a.flags())
            .then_with(|| a.organisation.name.cmp(&b.organisation.name))
    });
    Ok(Oversight {
        years,
        year,
        indicators,
        rows,
    })
}
