//! Culture and care: for national analysts, how each culture figure relates to each
//! outcome across organisations (a chart with its table, and every pair's coefficient);
//! for an organisation's board, where it sits on those charts and its own figures over the
//! years. Worked out in `dignity_app::board::culture`; this module only puts it on pages.

use crate::access::{Access, CurrentUser};
use crate::charts::{Point, place_chart, scatter_chart};
use crate::error::AppError;
use crate::forms::QueryData;
use crate::identity::orgs::organisation;
use crate::pages::{Chrome, render};
use crate::routes::Routes;
use crate::state::AppState;
use crate::table::{Cell, Download, Table};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use dignity_app::board::READERS;
use dignity_app::board::culture::{
    self, CULTURE, Culture, CultureAndCare, Figures, ORG_VIEW_MINIMUM, Relationship, Spread,
    Standing,
};
use dignity_app::identity::{ANALYSTS, Organisation};
use dignity_domain::board::Measure;
use dignity_engine::correlation::Correlation;
use serde::Deserialize;

const NATIONAL: &str = "/national/culture-and-care";

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/national/culture-and-care",
            Access::Platform(ANALYSTS),
            national,
        )
        .get(
            "/national/culture-and-care.csv",
            Access::Platform(ANALYSTS),
            national_csv,
        )
        .get(
            "/orgs/{ods}/culture-and-care",
            Access::InOrganisation(READERS),
            standing,
        )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PairQuery {
    year: Option<String>,
    culture: Option<String>,
    outcome: Option<String>,
}

struct Chosen {
    culture: &'static Culture,
    outcome: Measure,
}

impl PairQuery {
    fn year(&self) -> Result<Option<i64>, AppError> {
        match self.year.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(y) => y
                .parse::<i64>()
                .ok()
                .filter(|y| (2000..=2100).contains(y))
                .map(Some)
                .ok_or_else(|| AppError::BadRequest("Choose a year such as 2026".into())),
        }
    }

    /// The pair to draw: harassment from managers beside sickness absence unless chosen.
    fn chosen(&self) -> Result<Chosen, AppError> {
        let culture = match self.culture.as_deref() {
            None | Some("") => Culture::from_code("harassment_managers"),
            Some(code) => Culture::from_code(code),
        }
        .ok_or_else(|| AppError::BadRequest("Choose a culture figure from the list".into()))?;
        let outcome = match self.outcome.as_deref() {
            None | Some("") => Some(Measure::SicknessAbsence),
            Some(code) => code.parse::<Measure>().ok(),
        }
        .ok_or_else(|| AppError::BadRequest("Choose an outcome from the list".into()))?;
        Ok(Chosen { culture, outcome })
    }
}

/// A coefficient in words: "0.45 (0.12 to 0.70)".
fn coefficient(correlation: Option<Correlation>) -> String {
    match correlation {
        None => "No figure".into(),
        Some(c) => format!("{:+.2} ({:+.2} to {:+.2})", c.rho, c.low, c.high),
    }
}

/// A choice in a list.
struct Choice {
    code: &'static str,
    label: &'static str,
    selected: bool,
}

fn choices(chosen: &Chosen) -> (Vec<Choice>, Vec<Choice>) {
    (
        CULTURE
            .iter()
            .map(|c| Choice {
                code: c.code,
                label: c.label,
                selected: c.code == chosen.culture.code,
            })
            .collect(),
        Measure::ALL
            .iter()
            .map(|m| Choice {
                code: m.code(),
                label: m.label(),
                selected: *m == chosen.outcome,
            })
            .collect(),
    )
}

/// One row of the chosen pair's table.
struct PointRow {
    name: String,
    culture: String,
    outcome: String,
}

/// The chosen pair, as the page shows it.
struct PairShown {
    culture_label: &'static str,
    outcome_label: &'static str,
    figure: String,
    organisations: usize,
    reading: String,
    by_type: Vec<(&'static str, usize, String)>,
    svg: String,
}

/// Who a page is for: analysts see every coefficient; a board sees readings in words,
/// and nothing about fewer than [`ORG_VIEW_MINIMUM`] organisations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    National,
    Board,
}

impl View {
    fn reading(
        self,
        culture: &Culture,
        outcome: Measure,
        organisations: usize,
        correlation: Option<Correlation>,
    ) -> String {
        match self {
            View::National => culture::reading(culture, outcome, organisations, correlation),
            View::Board => culture::board_reading(culture, outcome, organisations, correlation),
        }
    }
}

/// The chosen pair's figures and reading, with its chart drawn by `draw` from the chart's
/// title and one-line summary.
fn pair_shown(
    relationship: Option<&Relationship>,
    chosen: &Chosen,
    view: View,
    draw: impl FnOnce(&str, &str) -> String,
) -> PairShown {
    let (organisations, overall) = relationship.map_or((0, None), |r| (r.organisations, r.overall));
    let reading = view.reading(chosen.culture, chosen.outcome, organisations, overall);
    let title = format!("{} and {}", chosen.culture.label, chosen.outcome.label());
    PairShown {
        culture_label: chosen.culture.label,
        outcome_label: chosen.outcome.label(),
        figure: match view {
            View::National => coefficient(overall),
            View::Board => String::new(),
        },
        organisations,
        by_type: relationship
            .filter(|_| view == View::National)
            .map(|r| {
                r.by_type
                    .iter()
                    .map(|(t, n, c)| (t.label(), *n, coefficient(*c)))
                    .collect()
            })
            .unwrap_or_default(),
        svg: draw(&title, &reading),
        reading,
    }
}

/// Every pair, grouped by culture figure.
struct Group {
    label: &'static str,
    rows: Vec<GroupRow>,
}

struct GroupRow {
    outcome: &'static str,
    href: String,
    figure: String,
    organisations: usize,
    reading: String,
    /// The interval leaves out zero.
    linked: bool,
}

fn groups(data: &CultureAndCare, base: &str, view: View) -> Vec<Group> {
    CULTURE
        .iter()
        .map(|c| Group {
            label: c.label,
            rows: Measure::ALL
                .iter()
                .filter_map(|&m| data.relationship(c, m))
                .map(|r| GroupRow {
                    outcome: r.outcome.label(),
                    href: format!(
                        "{base}?year={}&culture={}&outcome={}#chosen",
                        data.year,
                        c.code,
                        r.outcome.code()
                    ),
                    figure: match view {
                        View::National => coefficient(r.overall),
                        View::Board => String::new(),
                    },
                    organisations: r.organisations,
                    reading: view.reading(c, r.outcome, r.organisations, r.overall),
                    linked: r.overall.is_some_and(|c| c.excludes_zero())
                        && (view == View::National || r.organisations >= ORG_VIEW_MINIMUM),
                })
                .collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "board/national.html")]
struct NationalPage {
    chrome: Chrome,
    /// Whether coefficients are shown as numbers (analysts) or only in words (a board).
    figures: bool,
    /// Where the choosing form goes.
    action: String,
    years: Vec<i64>,
    year: i64,
    cultures: Vec<Choice>,
    outcomes: Vec<Choice>,
    pair: Option<PairShown>,
    points: Vec<PointRow>,
    groups: Vec<Group>,
}

async fn national(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    QueryData(query): QueryData<PairQuery>,
) -> Result<Response, AppError> {
    let chosen = query.chosen()?;
    let data = culture::national(&state.app, &user, query.year()?).await?;
    let (cultures, outcomes) = choices(&chosen);
    let chrome = chrome.titled("Culture and care across organisations");
    let Some(data) = data else {
        return Ok(render(&NationalPage {
            chrome,
            figures: true,
            action: NATIONAL.into(),
            years: Vec::new(),
            year: 0,
            cultures,
            outcomes,
            pair: None,
            points: Vec::new(),
            groups: Vec::new(),
        })?
        .into_response());
    };
    let both: Vec<(&Figures, f64, f64)> = data
        .organisations
        .iter()
        .filter_map(|o| {
            Some((
                o,
                o.culture_of(chosen.culture)?,
                o.outcome_of(chosen.outcome)?,
            ))
        })
        .collect();
    let points: Vec<Point> = both
        .iter()
        .map(|(_, x, y)| Point { x: *x, y: *y })
        .collect();
    let pair = pair_shown(
        data.relationship(chosen.culture, chosen.outcome),
        &chosen,
        View::National,
        |title, reading| {
            scatter_chart(
                "pair",
                title,
                &format!(
                    "Each mark is an organisation: across is the {}, up is the {}. {reading}",
                    chosen.culture.short,
                    culture::short(chosen.outcome)
                ),
                (chosen.culture.label, chosen.outcome.label()),
                &points,
            )
        },
    );
    let rows = both
        .iter()
        .map(|(o, x, y)| PointRow {
            name: format!("{} ({})", o.name, o.ods_code),
            culture: chosen.culture.show(*x),
            outcome: chosen.outcome.show(*y),
        })
        .collect();
    let groups = groups(&data, NATIONAL, View::National);
    Ok(render(&NationalPage {
        chrome,
        figures: true,
        action: NATIONAL.into(),
        years: data.years,
        year: data.year,
        cultures,
        outcomes,
        pair: Some(pair),
        points: rows,
        groups,
    })?
    .into_response())
}

/// Every pair's coefficient, overall and by type of organisation, with its reading.
async fn national_csv(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    QueryData(query): QueryData<PairQuery>,
) -> Result<Response, AppError> {
    let data = culture::national(&state.app, &user, query.year()?)
        .await?
        .ok_or_else(|| AppError::NotFound("No outcomes are kept yet".into()))?;
    let header = [
        "year",
        "culture figure",
        "outcome",
        "organisations",
        "which organisations",
        "coefficient",
        "interval low",
        "interval high",
        "what this shows",
    ]
    .map(str::to_owned)
    .to_vec();
    let number = |c: Option<Correlation>, f: fn(&Correlation) -> f64| {
        c.map_or_else(String::new, |c| format!("{:.3}", f(&c)))
    };
    let mut rows = Vec::new();
    for r in &data.relationships {
        let mut add = |who: &str, n: usize, c: Option<Correlation>, reading: String| {
            rows.push(vec![
                Cell::words(data.year.to_string()),
                Cell::words(r.culture.label),
                Cell::words(r.outcome.label()),
                Cell::words(n.to_string()),
                Cell::words(who),
                Cell::words(number(c, |c| c.rho)),
                Cell::words(number(c, |c| c.low)),
                Cell::words(number(c, |c| c.high)),
                Cell::words(reading),
            ]);
        };
        add("All organisations", r.organisations, r.overall, r.reading());
        for (org_type, n, c) in &r.by_type {
            add(
                org_type.label(),
                *n,
                *c,
                culture::reading(r.culture, r.outcome, *n, *c),
            );
        }
    }
    Ok(Table {
        name: format!("culture-and-care-{}", data.year),
        header,
        rows,
    }
    .csv_response())
}

/// One of the organisation's own figures: its value and place among all.
struct PlaceRow {
    label: &'static str,
    value: String,
    place: String,
}

/// One figure over the years.
struct TrendRow {
    label: &'static str,
    values: Vec<String>,
}

#[derive(Template)]
#[template(path = "board/standing.html")]
struct StandingPage {
    chrome: Chrome,
    figures: bool,
    action: String,
    organisation: Organisation,
    years: Vec<i64>,
    year: i64,
    cultures: Vec<Choice>,
    outcomes: Vec<Choice>,
    pair: Option<PairShown>,
    mine_in_pair: Option<(String, String)>,
    places: Vec<PlaceRow>,
    trend_years: Vec<i64>,
    trend: Vec<TrendRow>,
    groups: Vec<Group>,
}

fn place_words(spread: Option<Spread>) -> String {
    match spread {
        None => {
            format!("Too few organisations to compare (at least {ORG_VIEW_MINIMUM} are needed)")
        }
        Some(s) => format!("{} of {}, highest first", s.place, s.of),
    }
}

async fn standing(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
    QueryData(query): QueryData<PairQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let chosen = query.chosen()?;
    let data = culture::standing(&state.app, &user, &organisation, query.year()?).await?;
    let (cultures, outcomes) = choices(&chosen);
    let chrome = chrome
        .titled(format!("Culture and care: {}", organisation.name))
        .under(
            format!("/home#org-{}", organisation.ods_code),
            organisation.name.clone(),
        );
    let Some(data) = data else {
        return Ok(render(&StandingPage {
            chrome,
            figures: false,
            action: format!("/orgs/{}/culture-and-care", organisation.ods_code),
            organisation,
            years: Vec::new(),
            year: 0,
            cultures,
            outcomes,
            pair: None,
            mine_in_pair: None,
            places: Vec::new(),
            trend_years: Vec::new(),
            trend: Vec::new(),
            groups: Vec::new(),
        })?
        .into_response());
    };
    let page = standing_page(chrome, organisation, &data, &chosen);
    Ok(render(&page)?.into_response())
}

fn standing_page(
    chrome: Chrome,
    organisation: Organisation,
    data: &Standing,
    chosen: &Chosen,
) -> StandingPage {
    let (cultures, outcomes) = choices(chosen);
    let mine = data.mine.as_ref();
    let own =
        mine.and_then(|m| Some((m.culture_of(chosen.culture)?, m.outcome_of(chosen.outcome)?)));
    let (across, up) = (data.culture(chosen.culture), data.outcome(chosen.outcome));
    let relationship = data
        .relationships
        .iter()
        .find(|r| r.culture.code == chosen.culture.code && r.outcome == chosen.outcome);
    // No other organisation's figure is drawn, not even the quarters' (among few
    // organisations those are single organisations' figures): only this organisation's
    // place on each figure, from lowest to highest.
    let pair = pair_shown(relationship, chosen, View::Board, |title, reading| {
        match (own, across, up) {
            (Some(_), Some(across), Some(up)) => place_chart(
                "pair",
                title,
                &format!(
                    "Your organisation is the red square: {} on the {} and {} on the {}. Across every organisation: {reading}",
                    place_words(Some(across)),
                    chosen.culture.short,
                    place_words(Some(up)),
                    culture::short(chosen.outcome)
                ),
                (chosen.culture.label, chosen.outcome.label()),
                (across.position, up.position),
            ),
            _ => String::new(),
        }
    });
    let mine_in_pair = own.map(|(x, y)| (chosen.culture.show(x), chosen.outcome.show(y)));
    let mut places = Vec::new();
    if let Some(m) = mine {
        for c in CULTURE {
            if let Some(v) = m.culture_of(c) {
                places.push(PlaceRow {
                    label: c.label,
                    value: c.show(v),
                    place: place_words(data.culture(c)),
                });
            }
        }
        for &o in Measure::ALL {
            if let Some(v) = m.outcome_of(o) {
                places.push(PlaceRow {
                    label: o.label(),
                    value: o.show(v),
                    place: place_words(data.outcome(o)),
                });
            }
        }
    }
    // Oldest first, as a trend reads.
    let mut trend_years: Vec<i64> = data.trend.iter().map(|(y, _)| *y).collect();
    trend_years.reverse();
    let for_year = |y: i64| data.trend.iter().find(|(t, _)| *t == y).map(|(_, f)| f);
    let mut trend = Vec::new();
    for c in CULTURE {
        let values: Vec<String> = trend_years
            .iter()
            .map(|&y| {
                for_year(y)
                    .and_then(|f| f.culture_of(c))
                    .map_or_else(|| "No figure".to_owned(), |v| c.show(v))
            })
            .collect();
        if values.iter().any(|v| v != "No figure") {
            trend.push(TrendRow {
                label: c.label,
                values,
            });
        }
    }
    for &o in Measure::ALL {
        let values: Vec<String> = trend_years
            .iter()
            .map(|&y| {
                for_year(y)
                    .and_then(|f| f.outcome_of(o))
                    .map_or_else(|| "No figure".to_owned(), |v| o.show(v))
            })
            .collect();
        if values.iter().any(|v| v != "No figure") {
            trend.push(TrendRow {
                label: o.label(),
                values,
            });
        }
    }
    let base = format!("/orgs/{}/culture-and-care", organisation.ods_code);
    let mut groups = groups(
        &CultureAndCare {
            years: data.years.clone(),
            year: data.year,
            organisations: Vec::new(),
            relationships: data.relationships.clone(),
        },
        &base,
        View::Board,
    );
    // A board reads the links; the national page lists every pair.
    for g in &mut groups {
        g.rows.retain(|r| r.linked);
    }
    StandingPage {
        chrome,
        figures: false,
        action: base.clone(),
        organisation,
        years: data.years.clone(),
        year: data.year,
        cultures,
        outcomes,
        pair: Some(pair),
        mine_in_pair,
        places,
        trend_years,
        trend,
        groups,
    }
}
