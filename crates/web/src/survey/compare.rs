//! Organisations compared: one organisation against its benchmark group on every question,
//! and the national oversight view of every organisation on the oversight indicators, with
//! those significantly worse than their group's median flagged and the year before beside
//! them. Both use closed surveys only, and standardise each organisation's figures to its
//! group's staff mix.

use super::admin::campaign_in;
use super::cache::National;
use super::dashboard::organisation;
use crate::error::AppError;
use crate::forms::PathData;
use crate::pages::{Chrome, render};
use crate::state::AppState;
use crate::table::Table;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use dignity_app::identity::Organisation;
use dignity_app::survey::campaigns::{self, Campaign};
use dignity_domain::speakup::Day;
use dignity_engine::Bitmap;
use dignity_engine::benchmark::{OVERSIGHT, Position, positions};
use dignity_engine::disclosure::Minimum;
use dignity_engine::stats::differs;
use serde::Deserialize;
use std::sync::Arc;

fn pct(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn engine_error(e: dignity_engine::columns::EngineError) -> AppError {
    AppError::Internal(e.to_string())
}

/// One question: an organisation against its group.
pub struct BenchmarkRow {
    pub text: String,
    pub better: &'static str,
    pub value: String,
    pub interval: String,
    pub median: String,
    pub best: String,
    pub worst: String,
    pub position: String,
    pub flagged: bool,
}

#[derive(Template)]
#[template(path = "survey/benchmark.html")]
struct BenchmarkPage {
    /// The smallest group whose results are shown.
    minimum: u64,
    chrome: Chrome,
    organisation: Organisation,
    campaign: Campaign,
    closed: bool,
    organisations: usize,
    rows: Vec<BenchmarkRow>,
}

/// The organisation's value in the national set, if it is there.
fn value_of(national: &National, organisation_id: i64) -> Option<u16> {
    national
        .organisations
        .iter()
        .position(|o| o.id == organisation_id)
        .map(|p| p as u16 + 1)
}

struct Benchmark {
    organisation: Organisation,
    campaign: Campaign,
    closed: bool,
    organisations: usize,
    rows: Vec<BenchmarkRow>,
}

async fn benchmark_rows(
    state: &AppState,
    ods: &str,
    campaign_id: i64,
) -> Result<Benchmark, AppError> {
    let organisation = organisation(state, ods).await?;
    let campaign = campaign_in(state, &organisation, campaign_id).await?;
    let today = Day::from_unix_seconds(state.app.clock.now());
    let closed = campaign.closes_on < today;
    let national = state
        .app
        .surveys
        .national(&state.app, campaign.survey_id, campaign.year, today)
        .await?;
    let mine = value_of(&national, organisation.id);
    let all = Bitmap::full(national.columns.rows());
    let organisations = national
        .organisations
        .iter()
        .filter(|o| o.benchmark_group == organisation.benchmark_group)
        .count();
    let mut rows = Vec::new();
    for item in national.definition.items() {
        let question = item.question;
        if question.positive.is_empty() && item.choice.is_none() {
            continue;
        }
        let higher_is_better = !question.reverse;
        let found = match mine {
            Some(v) => positions(
                &national.columns,
                &all,
                &item.key,
                higher_is_better,
                state.settings.minimums.survey(),
            )
            .map_err(engine_error)?
            .into_iter()
            .find(|p| p.organisation == v),
            None => None,
        };
        let better = if higher_is_better { "higher" } else { "lower" };
        rows.push(match found {
            Some(p) => BenchmarkRow {
                text: item.text.clone(),
                better,
                value: pct(p.standardised),
                interval: format!("{} to {}", pct(p.low), pct(p.high)),
                median: pct(p.group_median),
                best: pct(p.group_best),
                worst: pct(p.group_worst),
                position: format!("{} of {}", ordinal(p.rank), p.group_size),
                flagged: p.flagged,
            },
            None => BenchmarkRow {
                text: item.text.clone(),
                better,
                value: "hidden".into(),
                interval: String::new(),
                median: String::new(),
                best: String::new(),
                worst: String::new(),
                position: String::new(),
                flagged: false,
            },
        });
    }
    Ok(Benchmark {
        organisation,
        campaign,
        closed,
        organisations,
        rows,
    })
}

pub async fn benchmark(
    State(state): State<AppState>,
    chrome: Chrome,
    PathData((ods, campaign_id)): PathData<(String, i64)>,
) -> Result<Response, AppError> {
    let b = benchmark_rows(&state, &ods, campaign_id).await?;
    let chrome = chrome.titled(format!(
        "{}: compared with similar organisations",
        b.campaign.title
    ));
    Ok(render(&BenchmarkPage {
        minimum: state.settings.minimums.survey().people(),
        chrome,
        organisation: b.organisation,
        campaign: b.campaign,
        closed: b.closed,
        organisations: b.organisations,
        rows: b.rows,
    })?
    .into_response())
}

async fn benchmark_table(state: &AppState, ods: &str, campaign_id: i64) -> Result<Table, AppError> {
    let b = benchmark_rows(state, ods, campaign_id).await?;
    Ok(Table {
        name: format!(
            "survey-{}-{}-benchmark",
            b.organisation.ods_code, b.campaign.id
        ),
        header: [
            "question",
            "better when",
            "your organisation (standardised)",
            "95% interval",
            "group median",
            "best in group",
            "worst in group",
            "position",
            "significantly worse than median",
        ]
        .map(String::from)
        .to_vec(),
        rows: b
            .rows
            .into_iter()
            .map(|r| {
                vec![
                    r.text,
                    r.better.to_owned(),
                    r.value,
                    r.interval,
                    r.median,
                    r.best,
                    r.worst,
                    r.position,
                    if r.flagged { "yes" } else { "no" }.to_owned(),
                ]
            })
            .collect(),
    })
}

pub async fn benchmark_csv(
    State(state): State<AppState>,
    PathData((ods, campaign_id)): PathData<(String, i64)>,
) -> Result<Response, AppError> {
    Ok(benchmark_table(&state, &ods, campaign_id)
        .await?
        .csv_response())
}

pub async fn benchmark_xlsx(
    State(state): State<AppState>,
    PathData((ods, campaign_id)): PathData<(String, i64)>,
) -> Result<Response, AppError> {
    benchmark_table(&state, &ods, campaign_id)
        .await?
        .xlsx_response()
}

/// One organisation on one oversight indicator, this year and last.
pub struct OversightCell {
    pub value: String,
    pub median: String,
    pub flagged: bool,
    pub last_year: String,
    /// "better", "worse", or "" when the change from last year is not significant.
    pub change: &'static str,
}

pub struct OversightRow {
    pub name: String,
    pub ods_code: String,
    pub group: String,
    pub cells: Vec<OversightCell>,
    pub flags: usize,
}

#[derive(Template)]
#[template(path = "survey/oversight.html")]
struct OversightPage {
    /// The smallest group whose results are shown.
    minimum: u64,
    chrome: Chrome,
    years: Vec<i64>,
    year: i64,
    indicators: Vec<(&'static str, &'static str)>,
    rows: Vec<OversightRow>,
    flagged: usize,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OversightQuery {
    year: Option<i64>,
}

/// Each organisation's positions on the oversight indicators: (indicator, positions).
fn oversight_positions(
    national: &National,
    minimum: Minimum,
) -> Result<Vec<Vec<Position>>, AppError> {
    let all = Bitmap::full(national.columns.rows());
    OVERSIGHT
        .iter()
        .map(|o| {
            positions(&national.columns, &all, o.item, o.higher_is_better, minimum)
                .map_err(engine_error)
        })
        .collect()
}

async fn oversight_table(
    state: &AppState,
    query: &OversightQuery,
) -> Result<(Vec<i64>, i64, Vec<OversightRow>), AppError> {
    let Some(survey_id) = campaigns::shared_survey(&state.app).await? else {
        return Ok((Vec::new(), 0, Vec::new()));
    };
    let years = campaigns::years_of(&state.app, survey_id).await?;
    let year = query
        .year
        .filter(|y| years.contains(y))
        .or_else(|| years.first().copied())
        .unwrap_or(0);
    let today = Day::from_unix_seconds(state.app.clock.now());
    let national = state
        .app
        .surveys
        .national(&state.app, survey_id, year, today)
        .await?;
    let before: Option<Arc<National>> = if years.contains(&(year - 1)) {
        Some(
            state
                .app
                .surveys
                .national(&state.app, survey_id, year - 1, today)
                .await?,
        )
    } else {
        None
    };
    let minimum = state.settings.minimums.survey();
    let now_positions = oversight_positions(&national, minimum)?;
    let then_positions = match &before {
        Some(b) => oversight_positions(b, minimum)?,
        None => vec![Vec::new(); OVERSIGHT.len()],
    };
    let mut rows: Vec<OversightRow> = national
        .organisations
        .iter()
        .enumerate()
        .map(|(i, org)| {
            let v = i as u16 + 1;
            let last_value = before.as_ref().and_then(|b| value_of(b, org.id));
            let cells = OVERSIGHT
                .iter()
                .enumerate()
                .map(|(k, indicator)| {
                    let now = now_positions
                        .get(k)
                        .and_then(|all| all.iter().find(|p| p.organisation == v));
                    let then = last_value.and_then(|lv| {
                        then_positions
                            .get(k)
                            .and_then(|all| all.iter().find(|p| p.organisation == lv))
                    });
                    let change = match (now, then) {
                        (Some(a), Some(b)) => {
                            let count = |p: &Position| (p.raw * p.answered as f64).round() as u64;
                            if differs(count(a), a.answered, count(b), b.answered) {
                                let up = a.raw > b.raw;
                                match (up, indicator.higher_is_better) {
                                    (true, true) | (false, false) => "better",
                                    _ => "worse",
                                }
                            } else {
                                ""
                            }
                        }
                        _ => "",
                    };
                    OversightCell {
                        value: now.map_or("hidden".into(), |p| pct(p.standardised)),
                        median: now.map_or(String::new(), |p| pct(p.group_median)),
                        flagged: now.is_some_and(|p| p.flagged),
                        last_year: then.map_or(String::new(), |p| pct(p.standardised)),
                        change,
                    }
                })
                .collect::<Vec<_>>();
            OversightRow {
                name: org.name.clone(),
                ods_code: org.ods_code.clone(),
                group: org.benchmark_group.clone(),
                flags: cells.iter().filter(|c| c.flagged).count(),
                cells,
            }
        })
        .collect();
    // Organisations that may need support first.
    rows.sort_by(|a, b| b.flags.cmp(&a.flags).then_with(|| a.name.cmp(&b.name)));
    Ok((years, year, rows))
}

pub async fn oversight(
    State(state): State<AppState>,
    chrome: Chrome,
    Query(query): Query<OversightQuery>,
) -> Result<Response, AppError> {
    let (years, year, rows) = oversight_table(&state, &query).await?;
    Ok(render(&OversightPage {
        minimum: state.settings.minimums.survey().people(),
        chrome: chrome.titled("Staff survey oversight"),
        flagged: rows.iter().filter(|r| r.flags > 0).count(),
        indicators: OVERSIGHT.iter().map(|o| (o.item, o.title)).collect(),
        years,
        year,
        rows,
    })?
    .into_response())
}

/// The oversight table to download, with the same hidden figures as the page.
async fn oversight_download(state: &AppState, query: &OversightQuery) -> Result<Table, AppError> {
    let (_, year, rows) = oversight_table(state, query).await?;
    let mut header = vec![
        "organisation".to_owned(),
        "ods_code".into(),
        "benchmark_group".into(),
    ];
    for o in OVERSIGHT {
        header.push(format!("{} (standardised)", o.title));
        header.push(format!("{}: group median", o.title));
        header.push(format!("{}: significantly worse than median", o.title));
        header.push(format!("{}: last year", o.title));
        header.push(format!("{}: change", o.title));
    }
    let rows = rows
        .into_iter()
        .map(|row| {
            let mut line = vec![row.name, row.ods_code, row.group];
            for c in row.cells {
                line.extend([
                    c.value,
                    c.median,
                    if c.flagged { "yes" } else { "no" }.to_owned(),
                    c.last_year,
                    c.change.to_owned(),
                ]);
            }
            line
        })
        .collect();
    Ok(Table {
        name: format!("survey-oversight-{year}"),
        header,
        rows,
    })
}

pub async fn oversight_csv(
    State(state): State<AppState>,
    Query(query): Query<OversightQuery>,
) -> Result<Response, AppError> {
    Ok(oversight_download(&state, &query).await?.csv_response())
}

pub async fn oversight_xlsx(
    State(state): State<AppState>,
    Query(query): Query<OversightQuery>,
) -> Result<Response, AppError> {
    oversight_download(&state, &query).await?.xlsx_response()
}
