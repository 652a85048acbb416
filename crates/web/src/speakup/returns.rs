//! The quarterly return, trends for boards and union partners, and the national view.
//! Built from cases' plain-text facts only, with small counts hidden.

use crate::charts::{Bar, bar_chart};
use crate::error::AppError;
use crate::pages::{Chrome, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use dignity_domain::identity::OdsCode;
use dignity_domain::speakup::{
    Day, Element, PublishedCount, protect_partition, protect_table, publish_count,
};
use dignity_domain::speakup_returns::{
    CaseFacts, PublishedReturn, Quarter, QuarterlyReturn, median_days,
};
use dignity_store::identity::{self, Organisation};
use dignity_store::speakup;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct QuarterQuery {
    /// A quarter such as 2026-Q2; the last complete quarter if not given.
    #[param(pattern = "^(20[0-9]{2}|2100)-Q[1-4]$")]
    pub quarter: Option<String>,
}

/// The quarter asked for, or the last complete one.
pub(crate) fn chosen_quarter(query: &QuarterQuery) -> Result<Quarter, AppError> {
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

pub(crate) async fn organisation(state: &AppState, ods: &str) -> Result<Organisation, AppError> {
    let code = OdsCode::parse(ods).map_err(|e| AppError::NotFound(e.to_string()))?;
    Ok(identity::get_organisation(&state.db, &code).await?)
}

pub(crate) async fn published(
    state: &AppState,
    org: &Organisation,
    quarter: Quarter,
) -> Result<PublishedReturn, AppError> {
    let facts = speakup::case_facts(&state.db, org.id).await?;
    Ok(QuarterlyReturn::compute(&facts, quarter).publish(
        quarter,
        state.settings.small_number_threshold,
        &state.settings.professional_groups,
    ))
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

/// A chart and the table it draws. The chart shows the last column.
pub struct Figure {
    pub svg: String,
    pub caption: String,
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<String>)>,
}

/// Builds a figure from rows of published counts (or other values), charting the last
/// column. `values` gives each row's bar length, `None` for a hidden value.
fn figure(
    id: &str,
    caption: &str,
    columns: Vec<String>,
    rows: Vec<(String, Vec<String>, Option<u64>)>,
) -> Figure {
    let bars: Vec<Bar> = rows
        .iter()
        .map(|(label, cells, value)| Bar {
            label: label.clone(),
            value: *value,
            shown: cells.last().cloned().unwrap_or_default(),
        })
        .collect();
    let summary = format!("{caption}. The table after this chart gives the figures.");
    Figure {
        svg: bar_chart(id, caption, &summary, &bars),
        caption: caption.to_owned(),
        columns,
        rows: rows.into_iter().map(|(l, c, _)| (l, c)).collect(),
    }
}

/// Rows of counts (one per quarter, then the period total) published with small numbers
/// hidden and the table protected against subtraction. `column_totals` are the published
/// per-quarter totals when the rows split them.
fn counted_table(
    rows: Vec<(String, Vec<u64>)>,
    threshold: u64,
    column_totals: Option<&[PublishedCount]>,
) -> Vec<(String, Vec<String>, Option<u64>)> {
    let mut published: Vec<Vec<PublishedCount>> = rows
        .iter()
        .map(|(_, counts)| {
            let total: u64 = counts.iter().sum();
            counts
                .iter()
                .chain(std::iter::once(&total))
                .map(|n| publish_count(*n, threshold))
                .collect()
        })
        .collect();
    protect_table(&mut published, column_totals);
    rows.into_iter()
        .zip(published)
        .map(|((label, counts), cells)| {
            let total: u64 = counts.iter().sum();
            let bar = cells.last().filter(|c| !c.is_hidden()).map(|_| total);
            (label, cells.iter().map(|c| c.to_string()).collect(), bar)
        })
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
    let count_in = |q: &Quarter, keep: &dyn Fn(&CaseFacts) -> bool| {
        facts
            .iter()
            .filter(|f| q.contains(f.received_on) && keep(f))
            .count() as u64
    };
    // Quarters split the period's total, so they are protected as one row.
    let per_quarter_counts: Vec<u64> = quarters.iter().map(|q| count_in(q, &|_| true)).collect();
    let mut per_quarter: Vec<PublishedCount> = per_quarter_counts
        .iter()
        .map(|n| publish_count(*n, threshold))
        .collect();
    let total: u64 = per_quarter_counts.iter().sum();
    per_quarter.push(publish_count(total, threshold));
    protect_partition(&mut per_quarter);
    let quarter_rows = quarters
        .iter()
        .zip(&per_quarter)
        .zip(&per_quarter_counts)
        .map(|((q, shown), n)| {
            (
                q.months(),
                vec![shown.to_string()],
                (!shown.is_hidden()).then_some(*n),
            )
        })
        .collect();
    let quarter_totals = &per_quarter[..quarters.len()];

    let mut columns: Vec<String> = quarters.iter().map(|q| q.to_string()).collect();
    columns.push("All".into());
    // A concern can be about several things: elements do not split the quarter totals.
    let by_element = counted_table(
        Element::ALL
            .iter()
            .map(|e| {
                (
                    e.label().to_owned(),
                    quarters
                        .iter()
                        .map(|q| count_in(q, &|f| f.elements.contains(e)))
                        .collect(),
                )
            })
            .collect(),
        threshold,
        None,
    );
    let mut units: Vec<String> = facts
        .iter()
        .map(|f| f.org_unit.clone().unwrap_or_else(|| "Not given".into()))
        .collect();
    units.sort();
    units.dedup();
    let by_unit = counted_table(
        units
            .iter()
            .map(|u| {
                (
                    u.clone(),
                    quarters
                        .iter()
                        .map(|q| {
                            count_in(q, &|f| f.org_unit.as_deref().unwrap_or("Not given") == u)
                        })
                        .collect(),
                )
            })
            .collect(),
        threshold,
        Some(quarter_totals),
    );
    let timing = |pick: fn(&CaseFacts) -> Option<Day>| -> Vec<(String, Vec<String>, Option<u64>)> {
        quarters
            .iter()
            .map(|q| {
                let days = facts
                    .iter()
                    .filter(|f| q.contains(f.received_on))
                    .filter_map(|f| pick(f).map(|d| d.days_since(f.received_on)))
                    .collect();
                match median_days(days, threshold) {
                    Some(m) => (q.months(), vec![format!("{m} days")], Some(m.max(0) as u64)),
                    None => (q.months(), vec!["too few cases to show".into()], None),
                }
            })
            .collect()
    };
    vec![
        figure(
            "per-quarter",
            "Concerns received each quarter",
            vec!["Concerns".into()],
            quarter_rows,
        ),
        figure(
            "by-element",
            "Concerns by what they were about, each quarter (chart: all quarters)",
            columns.clone(),
            by_element,
        ),
        figure(
            "by-unit",
            "Concerns by where they happened, each quarter (chart: all quarters)",
            columns,
            by_unit,
        ),
        figure(
            "to-acknowledge",
            "Middle time to acknowledge a concern",
            vec!["Days".into()],
            timing(|f| f.acknowledged_on),
        ),
        figure(
            "to-close",
            "Middle time to close a concern",
            vec!["Days".into()],
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
    figures: Vec<Figure>,
}

pub(crate) async fn national_rows(
    state: &AppState,
    quarter: Quarter,
) -> Result<(Vec<NationalRow>, PublishedReturn), AppError> {
    let threshold = state.settings.small_number_threshold;
    let groups = &state.settings.professional_groups;
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
            figures: QuarterlyReturn::compute(&facts, quarter).publish(quarter, threshold, groups),
            organisation,
        });
    }
    let mut total = QuarterlyReturn::compute(&all, quarter).publish(quarter, threshold, groups);
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
    let facts: Vec<CaseFacts> = speakup::all_case_facts(&state.db)
        .await?
        .into_iter()
        .map(|(_, f)| f)
        .collect();
    let quarters = Quarter::of(Day::from_unix_seconds(crate::now())).last(8);
    let figures = trend_figures(&facts, &quarters, state.settings.small_number_threshold);
    let page = NationalPage {
        chrome: chrome.titled("Speaking up across organisations"),
        quarter,
        quarters: recent_quarters(),
        rows,
        total,
        figures,
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
