//! The workforce page: an organisation's staff in post on a day, from its payroll extracts
//! (`dignity import workforce`), with small groups hidden by the disclosure rules.

use crate::access::{Access, CurrentUser};
use crate::charts::{Bar, bar_chart};
use crate::error::AppError;
use crate::forms::QueryData;
use crate::identity::orgs::organisation;
use crate::pages::{Chrome, render};
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use dignity_app::identity::Organisation;
use dignity_app::workforce::overview::{self, Breakdown, Held, Overview, READERS};
use dignity_domain::speakup::Day;
use serde::Deserialize;

pub mod fairness;
pub mod national;
pub mod price;
pub mod reports;
pub mod standards;

pub fn routes(routes: Routes) -> Routes {
    let routes = routes.get(
        "/orgs/{ods}/workforce",
        Access::InOrganisation(READERS),
        page,
    );
    price::routes(fairness::routes(reports::routes(national::routes(
        standards::routes(routes),
    ))))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DayQuery {
    /// A day with a staff-in-post extract, such as 2026-03-31; the newest if not given.
    day: Option<String>,
    /// A unit of the organisation, for its own figures.
    unit: Option<String>,
}

/// One breakdown as the page shows it: a chart, then the table it pictures.
struct Shown {
    breakdown: Breakdown,
    svg: String,
    /// Who the table counts: "Staff in post" or "Leavers".
    counted: &'static str,
    caption: String,
}

#[derive(Template)]
#[template(path = "workforce/overview.html")]
struct WorkforcePage {
    chrome: Chrome,
    organisation: Organisation,
    overview: Option<Overview>,
    shown: Vec<Shown>,
    held: Vec<Held>,
    minimum: u64,
    /// The deepest level whose units link to their staff by group.
    groups_down_to: usize,
}

/// Every breakdown of the staff in post, then the leavers by why they left; for a unit,
/// its own breakdowns.
fn shown(overview: &Overview) -> Vec<Shown> {
    let draw = |b: &Breakdown, counted: &'static str, caption: String| {
        let bars: Vec<Bar> = b
            .rows
            .iter()
            .map(|row| Bar {
                label: row.label.to_owned(),
                value: row.count.drawn(),
                shown: row.count.text().to_owned(),
            })
            .collect();
        let summary = format!("{caption}. The table after this chart gives the figures.");
        Shown {
            svg: bar_chart(&format!("chart-{}", b.key), b.title, &summary, &bars),
            breakdown: b.clone(),
            counted,
            caption,
        }
    };
    if let Some(unit) = &overview.unit {
        return unit
            .breakdowns
            .iter()
            .map(|b| {
                let caption = format!("Staff in post in {}: {}", unit.name, b.title);
                draw(b, "Staff in post", caption)
            })
            .collect();
    }
    overview
        .breakdowns
        .iter()
        .map(|b| draw(b, "Staff in post", format!("Staff in post: {}", b.title)))
        .chain(overview.turnover.iter().map(|t| {
            draw(
                &t.reasons,
                "Leavers",
                "Leavers in the year to this day, by why they left".to_owned(),
            )
        }))
        .collect()
}

async fn page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
    QueryData(query): QueryData<DayQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let day =
        match query.day.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(Day::parse(text).map_err(|_| {
                AppError::BadRequest("Choose a day from the list of extracts".into())
            })?),
        };
    let unit = match query.unit.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(text.parse::<i64>().map_err(|_| {
            AppError::BadRequest("Choose a part of the organisation from the list".into())
        })?),
    };
    let overview = overview::overview(&state.app, &user, &organisation, day, unit).await?;
    let shown = overview.as_ref().map(shown).unwrap_or_default();
    let held = overview::held(&state.app, &user, &organisation).await?;
    let title = match overview.as_ref().and_then(|o| o.unit.as_ref()) {
        Some(unit) => format!("Workforce: {}, {}", unit.name, organisation.name),
        None => format!("Workforce: {}", organisation.name),
    };
    let chrome = chrome.titled(title).under(
        format!("/home#org-{}", organisation.ods_code),
        organisation.name.clone(),
    );
    Ok(render(&WorkforcePage {
        chrome,
        organisation,
        overview,
        shown,
        held,
        minimum: state.app.minimums.workforce().people(),
        groups_down_to: overview::GROUPS_DOWN_TO,
    })?
    .into_response())
}
