//! The quarterly return, trends for boards and union partners, and the national view.
//! Built from cases' plain-text facts only, with small counts hidden.

use crate::charts::{Bar, bar_chart};
use crate::error::AppError;
use crate::pages::{Chrome, render};
use crate::state::AppState;
use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use dignity_domain::identity::OdsCode;
use dignity_domain::speakup::{Day, Element, PublishedCount, protect_partition, publish_count};
use dignity_domain::speakup_returns::{
    CaseFacts, PublishedReturn, Quarter, QuarterlyReturn, median_days,
};
use dignity_store::identity::{self, Organisation};
use dignity_store::speakup;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct QuarterQuery {
    quarter: Option<String>,
}

/// The quarter asked for, or the last complete one.
fn chosen_quarter(query: &QuarterQuery) -> Result<Quarter, AppError> {
    match query.quarter.as_deref().filter(|q| !q.is_empty()) {
        Some(text) => Quarter::parse(text).map_err(|e| AppError::BadRequest(e.to_string())),
        None => Ok(Quarter::of(Day::from_unix_seconds(crate::now())).previous()),
    }
}

fn recent_quarters() -> Vec<Quarter> {
    let mut quarters = Quarter::of(Day::from_unix_seconds(crate::now())).last(8);
    quarters.reverse();
    quarters
}

async fn organisation(state: &AppState, ods: &str) -> Result<Organisation, AppError> {
    let code = OdsCode::parse(ods).map_err(|e| AppError::NotFound(e.to_string()))?;
    Ok(identity::get_organisation(&state.db, &code).await?)
}

async fn published(
    state: &AppState,
    org: &Organisation,
    quarter: Quarter,
) -> Result<PublishedReturn, AppError> {
    let facts = speakup::case_facts(&state.db, org.id).await?;
    Ok(QuarterlyReturn::compute(&facts, quarter)
        .publish(quarter, state.settings.small_number_threshold))
}

#[derive(Template)]
#[template(path = "speakup/return.html")]
struct ReturnPage {
    chrome: Chrome,
    organisation: Organisation,
    quarter: Quarter,
    quarters: Vec<Quarter>,
    figures: PublishedReturn,
    threshold_plus_one: u64,
}

pub async fn page(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(ods): Path<String>,
    Query(query): Query<QuarterQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let quarter = chosen_quarter(&query)?;
    let figures = published(&state, &organisation, quarter).await?;
    let chrome = chrome.titled(format!("Speak Up return: {}", organisation.name));
    let page = ReturnPage {
        chrome,
        organisation,
        quarter,
        quarters: recent_quarters(),
        figures,
        threshold_plus_one: state.settings.small_number_threshold + 1,
    };
    Ok(render(&page)?.into_response())
}

fn csv_field(value: &str) -> String {
    // Quote every field; double inner quotes; stop a spreadsheet reading a formula.
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    format!("\"{}\"", value.replace('"', "\"\""))
}

fn csv_response(filename: &str, rows: &[[String; 5]]) -> Response {
    let mut body =
        String::from("\"organisation\",\"quarter\",\"measure\",\"category\",\"count\"\r\n");
    for row in rows {
        body.push_str(
            &row.iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        body.push_str("\r\n");
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

pub async fn csv(
    State(state): State<AppState>,
    Path(ods): Path<String>,
    Query(query): Query<QuarterQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let quarter = chosen_quarter(&query)?;
    let figures = published(&state, &organisation, quarter).await?;
    Ok(csv_response(
        &format!("speak-up-return-{}-{quarter}.csv", organisation.ods_code),
        &figures.csv_rows(&organisation.ods_code),
    ))
}

pub async fn json(
    State(state): State<AppState>,
    Path(ods): Path<String>,
    Query(query): Query<QuarterQuery>,
) -> Result<Json<PublishedReturn>, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let quarter = chosen_quarter(&query)?;
    Ok(Json(published(&state, &organisation, quarter).await?))
}

/// A chart and the table it draws.
pub struct Figure {
    pub svg: String,
    pub caption: String,
    pub rows: Vec<(String, String)>,
    pub column: &'static str,
}

fn figure(
    id: &str,
    caption: &str,
    column: &'static str,
    rows: Vec<(String, Option<u64>, String)>,
) -> Figure {
    let bars: Vec<Bar> = rows
        .iter()
        .map(|(label, value, shown)| Bar {
            label: label.clone(),
            value: *value,
            shown: shown.clone(),
        })
        .collect();
    let summary = format!("{caption}. The table after this chart gives the same figures.");
    Figure {
        svg: bar_chart(id, caption, &summary, &bars),
        caption: caption.to_owned(),
        rows: rows.into_iter().map(|(l, _, s)| (l, s)).collect(),
        column,
    }
}

/// Counts ready for a chart: small ones hidden, hidden ones have no bar. When the counts
/// split one total (`partition`), a lone hidden count gets a partner hidden too.
fn counted(
    counts: Vec<(String, u64)>,
    threshold: u64,
    partition: bool,
) -> Vec<(String, Option<u64>, String)> {
    let mut shown: Vec<PublishedCount> = counts
        .iter()
        .map(|(_, n)| publish_count(*n, threshold))
        .collect();
    if partition {
        protect_partition(&mut shown);
    }
    counts
        .into_iter()
        .zip(shown)
        .map(|((label, n), shown)| (label, (!shown.is_hidden()).then_some(n), shown.to_string()))
        .collect()
}

#[derive(Template)]
#[template(path = "speakup/trends.html")]
struct TrendsPage {
    chrome: Chrome,
    organisation: Organisation,
    first: Quarter,
    last: Quarter,
    figures: Vec<Figure>,
}

pub fn trend_figures(facts: &[CaseFacts], quarters: &[Quarter], threshold: u64) -> Vec<Figure> {
    let in_period = |d: Day| quarters.iter().any(|q| q.contains(d));
    let per_quarter = counted(
        quarters
            .iter()
            .map(|q| {
                (
                    format!("{} ({q})", q.months()),
                    facts.iter().filter(|f| q.contains(f.received_on)).count() as u64,
                )
            })
            .collect(),
        threshold,
        true,
    );
    // A concern can be about several things, so elements do not split a total.
    let by_element = counted(
        Element::ALL
            .iter()
            .map(|e| {
                (
                    e.label().to_owned(),
                    facts
                        .iter()
                        .filter(|f| in_period(f.received_on) && f.elements.contains(e))
                        .count() as u64,
                )
            })
            .collect(),
        threshold,
        false,
    );
    let mut units: BTreeMap<String, u64> = BTreeMap::new();
    for f in facts.iter().filter(|f| in_period(f.received_on)) {
        *units
            .entry(f.org_unit.clone().unwrap_or_else(|| "Not given".into()))
            .or_default() += 1;
    }
    let by_unit = counted(units.into_iter().collect(), threshold, true);
    let timing = |pick: fn(&CaseFacts) -> Option<Day>| -> Vec<(String, Option<u64>, String)> {
        quarters
            .iter()
            .map(|q| {
                let days = facts
                    .iter()
                    .filter(|f| q.contains(f.received_on))
                    .filter_map(|f| pick(f).map(|d| d.days_since(f.received_on)))
                    .collect();
                match median_days(days, threshold) {
                    Some(m) => (q.to_string(), Some(m.max(0) as u64), format!("{m} days")),
                    None => (q.to_string(), None, "too few cases to show".into()),
                }
            })
            .collect()
    };
    vec![
        figure(
            "per-quarter",
            "Concerns received each quarter",
            "Concerns",
            per_quarter,
        ),
        figure(
            "by-element",
            "Concerns by what they were about",
            "Concerns",
            by_element,
        ),
        figure(
            "by-unit",
            "Concerns by where they happened",
            "Concerns",
            by_unit,
        ),
        figure(
            "to-acknowledge",
            "Middle time to acknowledge a concern",
            "Days",
            timing(|f| f.acknowledged_on),
        ),
        figure(
            "to-close",
            "Middle time to close a concern",
            "Days",
            timing(|f| f.closed_on),
        ),
    ]
}

pub async fn trends(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(ods): Path<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let facts = speakup::case_facts(&state.db, organisation.id).await?;
    let quarters = Quarter::of(Day::from_unix_seconds(crate::now())).last(8);
    let (first, last) = (quarters[0], quarters[quarters.len() - 1]);
    let figures = trend_figures(&facts, &quarters, state.settings.small_number_threshold);
    let chrome = chrome.titled(format!("Speaking up trends: {}", organisation.name));
    Ok(render(&TrendsPage {
        chrome,
        organisation,
        first,
        last,
        figures,
    })?
    .into_response())
}

/// One organisation's line in the national view.
pub struct NationalRow {
    pub organisation: Organisation,
    pub figures: PublishedReturn,
}

#[derive(Template)]
#[template(path = "speakup/national.html")]
struct NationalPage {
    chrome: Chrome,
    quarter: Quarter,
    quarters: Vec<Quarter>,
    rows: Vec<NationalRow>,
    total: PublishedReturn,
}

async fn national_rows(
    state: &AppState,
    quarter: Quarter,
) -> Result<(Vec<NationalRow>, PublishedReturn), AppError> {
    let threshold = state.settings.small_number_threshold;
    let mut by_org: BTreeMap<i64, Vec<CaseFacts>> = BTreeMap::new();
    let mut all = Vec::new();
    for (org_id, facts) in speakup::all_case_facts(&state.db).await? {
        all.push(facts.clone());
        by_org.entry(org_id).or_default().push(facts);
    }
    let mut rows = Vec::new();
    for organisation in identity::list_organisations(&state.db).await? {
        if speakup::settings(&state.db, organisation.id)
            .await?
            .is_none()
        {
            continue;
        }
        let facts = by_org.remove(&organisation.id).unwrap_or_default();
        rows.push(NationalRow {
            figures: QuarterlyReturn::compute(&facts, quarter).publish(quarter, threshold),
            organisation,
        });
    }
    let mut total = QuarterlyReturn::compute(&all, quarter).publish(quarter, threshold);
    let parts: Vec<PublishedReturn> = rows.iter().map(|r| r.figures.clone()).collect();
    total.guard_total(&parts);
    Ok((rows, total))
}

pub async fn national(
    State(state): State<AppState>,
    chrome: Chrome,
    Query(query): Query<QuarterQuery>,
) -> Result<Response, AppError> {
    let quarter = chosen_quarter(&query)?;
    let (rows, total) = national_rows(&state, quarter).await?;
    let page = NationalPage {
        chrome: chrome.titled("Speaking up across organisations"),
        quarter,
        quarters: recent_quarters(),
        rows,
        total,
    };
    Ok(render(&page)?.into_response())
}

pub async fn national_csv(
    State(state): State<AppState>,
    Query(query): Query<QuarterQuery>,
) -> Result<Response, AppError> {
    let quarter = chosen_quarter(&query)?;
    let (rows, total) = national_rows(&state, quarter).await?;
    let mut lines: Vec<[String; 5]> = rows
        .iter()
        .flat_map(|r| r.figures.csv_rows(&r.organisation.ods_code))
        .collect();
    lines.extend(total.csv_rows("ALL"));
    Ok(csv_response(
        &format!("speak-up-national-{quarter}.csv"),
        &lines,
    ))
}

#[derive(serde::Serialize)]
pub struct NationalJson {
    organisations: Vec<(String, PublishedReturn)>,
    all: PublishedReturn,
}

pub async fn national_json(
    State(state): State<AppState>,
    Query(query): Query<QuarterQuery>,
) -> Result<Json<NationalJson>, AppError> {
    let quarter = chosen_quarter(&query)?;
    let (rows, all) = national_rows(&state, quarter).await?;
    Ok(Json(NationalJson {
        organisations: rows
            .into_iter()
            .map(|r| (r.organisation.ods_code, r.figures))
            .collect(),
        all,
    }))
}
