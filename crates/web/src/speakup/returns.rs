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
use dignity_app::identity::Organisation;
use dignity_app::speakup::returns;
use dignity_domain::speakup::{Day, Element, PublishedCount};
use dignity_domain::speakup_figures::{Figures, Measure, Scope};
use dignity_domain::speakup_returns::{CaseFacts, PublishedReturn, Quarter};
use dignity_engine::disclosure::{Minimum, median};
use serde::Deserialize;

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct QuarterQuery {
    /// A quarter such as 2026-Q2; the last complete quarter if not given.
    #[param(pattern = "^(20[0-9]{2}|2100)-Q[1-4]$")]
    pub quarter: Option<String>,
}

/// The quarter asked for, or the last complete one.
pub(crate) fn chosen_quarter(query: &QuarterQuery, today: Day) -> Result<Quarter, AppError> {
    match query.quarter.as_deref().filter(|q| !q.is_empty()) {
        Some(text) => Quarter::parse(text).map_err(|e| AppError::BadRequest(e.to_string())),
        None => Ok(Quarter::of(today).previous()),
    }
}

fn recent_quarters(today: Day) -> Vec<Quarter> {
    let mut quarters = Quarter::of(today).last(8);
    quarters.reverse();
    quarters
}

pub(crate) async fn organisation(state: &AppState, ods: &str) -> Result<Organisation, AppError> {
    Ok(dignity_app::identity::organisations::organisation(&state.app, ods).await?)
}

/// The quarters decided together: the trends' last eight, and the one asked for. Every
/// page showing Speak Up figures decides over the same quarters, so each figure reads the
/// same wherever it is shown.
fn decided_quarters(asked: Option<Quarter>, today: Day) -> Vec<Quarter> {
    let mut quarters = trend_quarters(today);
    if let Some(q) = asked.filter(|q| !quarters.contains(q)) {
        quarters.push(q);
        quarters.sort();
    }
    quarters
}

fn trend_quarters(today: Day) -> Vec<Quarter> {
    Quarter::of(today).last(8)
}

/// One organisation's figures, decided as every page of its own shows them.
async fn organisation_figures(
    state: &AppState,
    org: &Organisation,
    facts: &[CaseFacts],
    quarters: &[Quarter],
) -> Result<Figures, AppError> {
    Ok(returns::organisation_figures(
        &state.app,
        org,
        facts,
        quarters,
        &state.settings.professional_groups,
    )
    .await?)
}

pub(crate) async fn published(
    state: &AppState,
    org: &Organisation,
    quarter: Quarter,
) -> Result<PublishedReturn, AppError> {
    let facts = returns::facts(&state.app, org).await?;
    let figures = organisation_figures(
        state,
        org,
        &facts,
        &decided_quarters(Some(quarter), state.app.clock.today()),
    )
    .await?;
    Ok(figures.quarterly_return(Scope::Organisation(org.id), quarter))
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
    /// The quarter under way, which has no return until it ends.
    current: Quarter,
}

pub async fn page(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(ods): Path<String>,
    Query(query): Query<QuarterQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let quarter = chosen_quarter(&query, state.app.clock.today())?;
    let figures = published(&state, &organisation, quarter).await?;
    let chrome = chrome.titled(format!("Speak Up return: {}", organisation.name));
    let page = ReturnPage {
        chrome,
        organisation,
        quarter,
        quarters: recent_quarters(state.app.clock.today()),
        figures,
        threshold_plus_one: state.settings.minimums.speakup().people(),
        current: Quarter::of(state.app.clock.today()),
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
    let quarter = chosen_quarter(&query, state.app.clock.today())?;
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

/// One row per label: each quarter's figure, then the period's, as decided.
fn counted_rows(
    figures: &Figures,
    scope: Scope,
    quarters: &[Quarter],
    rows: Vec<(String, Measure)>,
) -> Vec<(String, Vec<String>, Option<u64>)> {
    rows.into_iter()
        .map(|(label, measure)| {
            let mut cells: Vec<String> = quarters
                .iter()
                .map(|q| figures.count(scope, Some(*q), measure.clone()).to_string())
                .collect();
            // Over the quarters on the page, whatever quarters were decided.
            let total = figures.period_total(scope, quarters, measure);
            cells.push(total.to_string());
            (label, cells, exact(total))
        })
        .collect()
}

fn exact(count: PublishedCount) -> Option<u64> {
    count.exact()
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

/// The trends' charts and tables for `scope`, every count taken from `figures`; `facts`
/// (the same scope's) give only the middle times, which hide themselves when few.
pub fn trend_figures(
    figures: &Figures,
    scope: Scope,
    facts: &[CaseFacts],
    quarters: &[Quarter],
    minimum: Minimum,
) -> Vec<Figure> {
    let quarter_rows = quarters
        .iter()
        .map(|q| {
            let shown = figures.count(scope, Some(*q), Measure::Cases);
            (q.months(), vec![shown.to_string()], exact(shown))
        })
        .collect();
    let mut columns: Vec<String> = quarters.iter().map(|q| q.to_string()).collect();
    columns.push("All".into());
    let by_element = counted_rows(
        figures,
        scope,
        quarters,
        Element::ALL
            .iter()
            .map(|e| (e.label().to_owned(), Measure::Element(*e)))
            .collect(),
    );
    let by_unit = counted_rows(
        figures,
        scope,
        quarters,
        figures
            .units(scope)
            .iter()
            .map(|u| (u.clone(), Measure::Unit(u.clone())))
            .collect(),
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
                match median(days, minimum).into_value() {
                    Some(m) => (q.months(), vec![format!("{m} days")], Some(m.max(0) as u64)),
                    None => (q.months(), vec!["too few cases to show".into()], None),
                }
            })
            .collect()
    };
    let has_places = !figures.units(scope).is_empty();
    let mut shown = vec![
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
    ];
    // Places are an organisation's own; the national view has none.
    if has_places {
        shown.insert(
            2,
            figure(
                "by-unit",
                "Concerns by where they happened, each quarter (chart: all quarters)",
                columns,
                by_unit,
            ),
        );
    }
    shown
}

pub async fn trends(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(ods): Path<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let facts = returns::facts(&state.app, &organisation).await?;
    let quarters = trend_quarters(state.app.clock.today());
    let (Some(&first), Some(&last)) = (quarters.first(), quarters.last()) else {
        return Err(AppError::Internal("the trends have no quarters".into()));
    };
    let decided = organisation_figures(
        &state,
        &organisation,
        &facts,
        &decided_quarters(None, state.app.clock.today()),
    )
    .await?;
    let figures = trend_figures(
        &decided,
        Scope::Organisation(organisation.id),
        &facts,
        &quarters,
        state.settings.minimums.speakup(),
    );
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
    let (rows, total, _, _) = national_figures(state, quarter).await?;
    Ok((rows, total))
}

/// Every organisation's figures and the national ones, decided together (each
/// organisation's exactly as its own pages show them), with the national figures for the
/// trends and every case's facts for the middle times.
async fn national_figures(
    state: &AppState,
    quarter: Quarter,
) -> Result<(Vec<NationalRow>, PublishedReturn, Figures, Vec<CaseFacts>), AppError> {
    let organisations = returns::national_facts(&state.app).await?;
    let parts: Vec<(i64, &[CaseFacts])> = organisations
        .iter()
        .map(|(o, f)| (o.id, f.as_slice()))
        .collect();
    let ids: Vec<i64> = parts.iter().map(|(id, _)| *id).collect();
    let figures = Figures::decide(
        &parts,
        &returns::places_of(&state.app, &ids).await?,
        true,
        &decided_quarters(Some(quarter), state.app.clock.today()),
        state.settings.minimums.speakup(),
        &state.settings.professional_groups,
    );
    let total = figures.quarterly_return(Scope::All, quarter);
    let mut all = Vec::new();
    let rows = organisations
        .into_iter()
        .map(|(organisation, facts)| {
            all.extend(facts);
            NationalRow {
                figures: figures.quarterly_return(Scope::Organisation(organisation.id), quarter),
                organisation,
            }
        })
        .collect();
    Ok((rows, total, figures, all))
}

pub async fn national(
    State(state): State<AppState>,
    chrome: Chrome,
    Query(query): Query<QuarterQuery>,
) -> Result<Response, AppError> {
    let quarter = chosen_quarter(&query, state.app.clock.today())?;
    let (rows, total, decided, facts) = national_figures(&state, quarter).await?;
    let figures = trend_figures(
        &decided,
        Scope::All,
        &facts,
        &trend_quarters(state.app.clock.today()),
        state.settings.minimums.speakup(),
    );
    let page = NationalPage {
        chrome: chrome.titled("Speaking up across organisations"),
        quarter,
        quarters: recent_quarters(state.app.clock.today()),
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
    let quarter = chosen_quarter(&query, state.app.clock.today())?;
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
