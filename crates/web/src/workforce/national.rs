//! The national view of the equality standards' workforce measures, for analysts: one row
//! per organisation, sortable by any measure without JavaScript (the column headings are
//! links), and a CSV of every measure.

use super::standards::{YearQuery, chosen_year};
use crate::access::{Access, CurrentUser};
use crate::error::AppError;
use crate::forms::QueryData;
use crate::pages::{Chrome, render};
use crate::routes::Routes;
use crate::state::AppState;
use crate::table::{Cell, Download, Table};
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use dignity_app::identity::ANALYSTS;
use dignity_app::workforce::national::{self, Measure, National, Reading, Row, Value};
use dignity_app::workforce::standards::ReportingYear;
use serde::Deserialize;
use std::cmp::Ordering;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/national/workforce", Access::Platform(ANALYSTS), page)
        .get("/national/workforce.csv", Access::Platform(ANALYSTS), csv)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NationalQuery {
    year: Option<String>,
    /// "wres" (the default) or "wdes".
    standard: Option<String>,
    /// A measure's code to sort by; by name if not given.
    sort: Option<String>,
    /// "desc" for largest first.
    order: Option<String>,
}

fn year(query: &NationalQuery) -> Result<Option<ReportingYear>, AppError> {
    chosen_year(&YearQuery {
        year: query.year.clone(),
    })
}

/// A figure in words: a likelihood with its interval and flag, a share, or points.
fn words(reading: Reading) -> String {
    match reading {
        None => "Not imported".into(),
        Some(figure) => match figure.into_value() {
            None => "Hidden (small numbers)".into(),
            Some(Value::Likelihood(l)) => format!(
                "{:.2} ({:.2} to {:.2}){}",
                l.value,
                l.low,
                l.high,
                if l.flagged { ", flagged" } else { "" }
            ),
            Some(Value::Share(s)) => format!("{:.1}%", s * 100.0),
            Some(Value::Points(p)) => format!("{p:+.1}"),
        },
    }
}

fn change_words(measure: Measure, change: Option<f64>) -> String {
    match (change, measure) {
        (None, _) => String::new(),
        (Some(c), Measure::BmeShare | Measure::DisabledShare) => {
            format!("{} points", change_number(measure, c))
        }
        (Some(c), _) => change_number(measure, c),
    }
}

/// The change as a signed number, to the places its measure is shown with.
/// A figure in the download, as precise as the organisations' own: a median finer than
/// the figures would give a group of one organisation its figure more exactly than the
/// organisation's own row (an outside review read 18.667 beside 18.7).
fn csv_number(measure: Measure, value: f64) -> String {
    match measure {
        Measure::BmeShare
        | Measure::DisabledShare
        | Measure::BmeBoardGap
        | Measure::DisabledBoardGap => format!("{value:.1}"),
        _ => format!("{value:.3}"),
    }
}

fn change_number(measure: Measure, change: f64) -> String {
    match measure {
        Measure::BmeShare
        | Measure::DisabledShare
        | Measure::BmeBoardGap
        | Measure::DisabledBoardGap => format!("{change:+.1}"),
        _ => format!("{change:+.2}"),
    }
}

/// One organisation's cell for one measure.
struct ShownCell {
    figure: String,
    change: String,
    /// Outside the expected range and not by chance.
    flagged: bool,
}

struct ShownRow {
    ods_code: String,
    name: String,
    benchmark_group: String,
    cells: Vec<ShownCell>,
}

struct Column {
    label: &'static str,
    /// Where its heading's link sorts to, and the heading's sort state for screen readers.
    href: String,
    aria_sort: &'static str,
}

#[derive(Template)]
#[template(path = "workforce/national.html")]
struct NationalPage {
    chrome: Chrome,
    national: Option<National>,
    standard: &'static str,
    columns: Vec<Column>,
    rows: Vec<ShownRow>,
    medians: Vec<(String, Vec<String>)>,
    year_param: i64,
}

fn sort_rows(rows: &mut [&Row], sort: Option<Measure>, descending: bool) {
    if let Some(measure) = sort {
        let number = |r: &Row| {
            r.reading(measure)
                .and_then(|d| d.into_value())
                .map(Value::number)
        };
        rows.sort_by(|a, b| match (number(a), number(b)) {
            // Organisations without a figure go last whichever way the column sorts.
            (Some(x), Some(y)) => {
                let order = x.total_cmp(&y);
                if descending { order.reverse() } else { order }
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => a.name.cmp(&b.name),
        });
    }
}

async fn page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    QueryData(query): QueryData<NationalQuery>,
) -> Result<Response, AppError> {
    let national = national::national(&state.app, &user, year(&query)?).await?;
    let (standard, measures): (&'static str, &[Measure]) = match query.standard.as_deref() {
        Some("wdes") => ("wdes", &Measure::WDES),
        None | Some("") | Some("wres") => ("wres", &Measure::WRES),
        Some(_) => {
            return Err(AppError::BadRequest(
                "Choose the race (wres) or disability (wdes) standard".into(),
            ));
        }
    };
    let sort = match query.sort.as_deref() {
        None | Some("") | Some("name") => None,
        Some(code) => Some(
            Measure::from_code(code)
                .filter(|m| measures.contains(m))
                .ok_or_else(|| AppError::BadRequest("Choose a column to sort by".into()))?,
        ),
    };
    let descending = match query.order.as_deref() {
        None | Some("") | Some("asc") => false,
        Some("desc") => true,
        Some(_) => {
            return Err(AppError::BadRequest(
                "Choose ascending (asc) or descending (desc) order".into(),
            ));
        }
    };
    let year_param = national.as_ref().map_or(0, |n| n.year.end_year());
    let columns = measures
        .iter()
        .map(|&m| {
            let (order, aria_sort) = match (sort == Some(m), descending) {
                (true, false) => ("desc", "ascending"),
                (true, true) => ("asc", "descending"),
                (false, _) => ("asc", "none"),
            };
            Column {
                label: m.label(),
                href: format!(
                    "/national/workforce?year={year_param}&standard={standard}&sort={}&order={order}",
                    m.code()
                ),
                aria_sort,
            }
        })
        .collect();
    let (rows, medians) = match &national {
        None => (Vec::new(), Vec::new()),
        Some(n) => {
            let mut ordered: Vec<&Row> = n.rows.iter().collect();
            sort_rows(&mut ordered, sort, descending);
            let rows = ordered
                .into_iter()
                .map(|r| ShownRow {
                    ods_code: r.ods_code.clone(),
                    name: r.name.clone(),
                    benchmark_group: r.benchmark_group.clone(),
                    cells: measures
                        .iter()
                        .map(|&m| ShownCell {
                            figure: words(r.reading(m)),
                            change: change_words(m, r.change(m)),
                            flagged: matches!(
                                r.reading(m).and_then(|d| d.into_value()),
                                Some(Value::Likelihood(l)) if l.flagged
                            ),
                        })
                        .collect(),
                })
                .collect();
            let medians = n
                .medians
                .keys()
                .map(|group| {
                    (
                        group.clone(),
                        measures
                            .iter()
                            .map(|&m| match n.median(group, m) {
                                None => "No figure".to_owned(),
                                Some(v) => match m {
                                    Measure::BmeShare | Measure::DisabledShare => {
                                        format!("{v:.1}%")
                                    }
                                    Measure::BmeBoardGap | Measure::DisabledBoardGap => {
                                        format!("{v:+.1}")
                                    }
                                    _ => format!("{v:.2}"),
                                },
                            })
                            .collect(),
                    )
                })
                .collect();
            (rows, medians)
        }
    };
    let chrome = chrome.titled("Workforce equality across organisations");
    Ok(render(&NationalPage {
        chrome,
        national,
        standard,
        columns,
        rows,
        medians,
        year_param,
    })?
    .into_response())
}

/// Every measure of every organisation: figure, interval, flag and change, one row per
/// organisation and measure. Figures about organisations, each already decided by its
/// organisation's disclosure decision, so they are words here.
async fn csv(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    QueryData(query): QueryData<NationalQuery>,
) -> Result<Response, AppError> {
    let national = national::national(&state.app, &user, year(&query)?)
        .await?
        .ok_or_else(|| AppError::NotFound("No organisation has workforce figures yet".into()))?;
    let header = [
        "organisation",
        "name",
        "benchmark group",
        "year",
        "measure",
        "figure",
        "interval low",
        "interval high",
        "flagged",
        "year before",
        "change",
        "benchmark group median",
    ]
    .map(str::to_owned)
    .to_vec();
    let mut rows = Vec::new();
    for r in &national.rows {
        for m in Measure::all() {
            let reading = r.reading(m);
            let (figure, low, high, flagged) = match reading.and_then(|d| d.into_value()) {
                Some(Value::Likelihood(l)) => (
                    format!("{:.3}", l.value),
                    format!("{:.3}", l.low),
                    format!("{:.3}", l.high),
                    if l.flagged { "yes" } else { "no" }.to_owned(),
                ),
                Some(v) => (
                    csv_number(m, v.number()),
                    String::new(),
                    String::new(),
                    String::new(),
                ),
                None => (words(reading), String::new(), String::new(), String::new()),
            };
            rows.push(vec![
                Cell::words(r.ods_code.clone()),
                Cell::words(r.name.clone()),
                Cell::words(r.benchmark_group.clone()),
                Cell::words(national.year.label()),
                Cell::words(m.label()),
                Cell::words(figure),
                Cell::words(low),
                Cell::words(high),
                Cell::words(flagged),
                Cell::words(words(r.before(m))),
                // A number alone, so a spreadsheet can use it: the measure says its unit.
                Cell::words(
                    r.change(m)
                        .map_or_else(String::new, |c| change_number(m, c)),
                ),
                Cell::words(
                    national
                        .median(&r.benchmark_group, m)
                        .map_or_else(String::new, |v| csv_number(m, v)),
                ),
            ]);
        }
    }
    Ok(Table {
        name: format!("workforce-equality-{}", national.year.end_year()),
        header,
        rows,
    }
    .csv_response())
}
