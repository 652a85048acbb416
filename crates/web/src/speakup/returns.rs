//! The quarterly return, trends for boards and union partners, and the national view.
//! The figures are decided in `dignity_app::speakup::returns`; these pages choose the
//! quarter, draw the charts and render.

use crate::access::CurrentUser;
use crate::charts::{Bar, bar_chart};
use crate::error::AppError;
use crate::forms::{FormData, QueryData};
use crate::pages::{Chrome, FieldError, render};
use crate::state::AppState;
use crate::table::Download;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::identity::Organisation;
use dignity_app::speakup::returns::{self, National, NationalRow, Trend, Trends};
use dignity_app::speakup::signoff::{self, Stage, Standing};
use dignity_domain::speakup::Day;
use dignity_domain::speakup_returns::{PublishedReturn, Quarter};
use serde::Deserialize;

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct QuarterQuery {
    /// A quarter that has ended, such as 2026-Q2; the last to end if not given.
    #[param(pattern = "^(20[0-9]{2}|2100)-Q[1-4]$")]
    pub quarter: Option<String>,
}

/// The quarter asked for (blank from a page's form asks for the default), or the last to
/// end; a quarter that has not ended is refused.
pub(crate) fn chosen_quarter(state: &AppState, query: &QuarterQuery) -> Result<Quarter, AppError> {
    let asked = match query.quarter.as_deref().filter(|q| !q.is_empty()) {
        Some(text) => Some(Quarter::parse(text).map_err(|e| AppError::BadRequest(e.to_string()))?),
        None => None,
    };
    Ok(returns::chosen_quarter(&state.app, asked)?)
}

pub(crate) async fn organisation(state: &AppState, ods: &str) -> Result<Organisation, AppError> {
    Ok(dignity_app::identity::organisations::organisation(&state.app, ods).await?)
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
    /// Whether the return is signed off and sent, and what this person may do next.
    standing: Standing,
    /// What was just done, for the banner.
    done: Option<&'static str>,
}

impl ReturnPage {
    fn long(&self, day: &Day) -> String {
        day.long()
    }
}

/// The return page's address: the quarter, and what was just done.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReturnQuery {
    quarter: Option<String>,
    done: String,
}

/// What a guardian just did to the return, said in the banner of the page they come back
/// to. The address carries only this code, so reloading the page repeats nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Done {
    SignedOff,
    Sent,
    Withdrawn,
}

impl Done {
    const ALL: [Done; 3] = [Done::SignedOff, Done::Sent, Done::Withdrawn];

    fn code(self) -> &'static str {
        match self {
            Done::SignedOff => "signed-off",
            Done::Sent => "sent",
            Done::Withdrawn => "withdrawn",
        }
    }

    fn said(self) -> &'static str {
        match self {
            Done::SignedOff => {
                "Return signed off. Send it to the National Guardian's Office, then mark it as sent here."
            }
            Done::Sent => "Return marked as sent to the National Guardian's Office",
            Done::Withdrawn => {
                "Sign-off withdrawn. Sign off the return again when the figures are right."
            }
        }
    }

    fn parse(raw: &str) -> Option<Done> {
        Done::ALL.into_iter().find(|d| d.code() == raw)
    }
}

async fn return_page(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    organisation: Organisation,
    quarter: Quarter,
    done: Option<Done>,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let figures = returns::quarterly_return(&state.app, &organisation, quarter).await?;
    let standing = signoff::standing(&state.app, user, &organisation, quarter, &figures).await?;
    let chrome = chrome
        .titled(format!("Speak Up return: {}", organisation.name))
        .with_errors(errors);
    let today = state.app.clock.today();
    let page = ReturnPage {
        chrome,
        organisation,
        quarter,
        quarters: returns::recent_quarters(today),
        figures,
        threshold_plus_one: state.app.minimums.speakup().people(),
        current: Quarter::of(today),
        standing,
        done: done.map(Done::said),
    };
    Ok(render(&page)?.into_response())
}

pub async fn page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
    QueryData(query): QueryData<ReturnQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let quarter = chosen_quarter(
        &state,
        &QuarterQuery {
            quarter: query.quarter,
        },
    )?;
    let done = Done::parse(&query.done);
    return_page(
        &state,
        chrome,
        &user,
        organisation,
        quarter,
        done,
        Vec::new(),
    )
    .await
}

/// The quarter a sign-off form is about.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignOffForm {
    quarter: String,
}

/// One step of signing off, then back to the return with a banner; a step the return's
/// state refuses (already signed off, not signed off yet, sent) is shown on the return.
async fn step(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    ods: &str,
    form: SignOffForm,
    done: Done,
) -> Result<Response, AppError> {
    let organisation = organisation(state, ods).await?;
    let quarter = Quarter::parse(&form.quarter).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let app = &state.app;
    // A quarter under way has no return to act on, nor a page to come back to.
    returns::chosen_quarter(app, Some(quarter))?;
    let outcome = match done {
        Done::SignedOff => signoff::sign_off(app, user, &organisation, quarter).await,
        Done::Sent => signoff::mark_sent(app, user, &organisation, quarter).await,
        Done::Withdrawn => signoff::withdraw(app, user, &organisation, quarter).await,
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!(
            "/orgs/{}/speak-up/return?quarter={quarter}&done={}",
            organisation.ods_code,
            done.code()
        ))
        .into_response()),
        Err(dignity_app::Error::Conflict(message)) => {
            let errors = vec![FieldError {
                field: "sign-off".into(),
                message,
            }];
            return_page(state, chrome, user, organisation, quarter, None, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A handler for one step of signing off.
macro_rules! step_handler {
    ($name:ident, $done:expr) => {
        pub async fn $name(
            State(state): State<AppState>,
            chrome: Chrome,
            Extension(user): Extension<CurrentUser>,
            Path(ods): Path<String>,
            FormData(form): FormData<SignOffForm>,
        ) -> Result<Response, AppError> {
            step(&state, chrome, &user, &ods, form, $done).await
        }
    };
}

step_handler!(sign_off, Done::SignedOff);
step_handler!(mark_sent, Done::Sent);
step_handler!(withdraw, Done::Withdrawn);

pub async fn csv(
    State(state): State<AppState>,
    Path(ods): Path<String>,
    QueryData(query): QueryData<QuarterQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let quarter = chosen_quarter(&state, &query)?;
    Ok(returns::return_download(&state.app, &organisation, quarter)
        .await?
        .csv_response())
}

/// A chart and the table it draws. The chart shows the last column.
pub struct Figure {
    pub svg: String,
    pub caption: String,
    /// The heading of the rows' own column (quarter, place, what it was about).
    pub rows_are: String,
    pub columns: Vec<String>,
    /// Each row's label and figures, made only by the disclosure module.
    pub rows: Vec<(String, Vec<dignity_engine::disclosure::Figure>)>,
}

/// Draws one of the trends: a bar per row, the length of its last column (none for a
/// hidden figure), beside the table.
fn figure(trend: Trend) -> Figure {
    let bars: Vec<Bar> = trend
        .rows
        .iter()
        .map(|row| Bar {
            label: row.label.clone(),
            value: row.value(),
            shown: row.cells.last().map(|c| c.to_string()).unwrap_or_default(),
        })
        .collect();
    let summary = format!(
        "{}. The table after this chart gives the figures.",
        trend.caption
    );
    Figure {
        svg: bar_chart(trend.id, trend.caption, &summary, &bars),
        caption: trend.caption.to_owned(),
        rows_are: trend.rows_are.to_owned(),
        columns: trend.columns,
        rows: trend
            .rows
            .into_iter()
            .map(|row| (row.label, row.cells))
            .collect(),
    }
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

pub async fn trends(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(ods): Path<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let Trends {
        first,
        last,
        trends,
    } = returns::organisation_trends(&state.app, &organisation).await?;
    let chrome = chrome.titled(format!("Speaking up trends: {}", organisation.name));
    Ok(render(&TrendsPage {
        chrome,
        organisation,
        first,
        last,
        figures: trends.into_iter().map(figure).collect(),
    })?
    .into_response())
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

pub async fn national(
    State(state): State<AppState>,
    chrome: Chrome,
    QueryData(query): QueryData<QuarterQuery>,
) -> Result<Response, AppError> {
    let quarter = chosen_quarter(&state, &query)?;
    let National {
        rows,
        total,
        trends,
    } = returns::national(&state.app, quarter).await?;
    let page = NationalPage {
        chrome: chrome.titled("Speaking up across organisations"),
        quarter,
        quarters: returns::recent_quarters(state.app.clock.today()),
        rows,
        total,
        figures: trends.into_iter().map(figure).collect(),
    };
    Ok(render(&page)?.into_response())
}

pub async fn national_csv(
    State(state): State<AppState>,
    QueryData(query): QueryData<QuarterQuery>,
) -> Result<Response, AppError> {
    let quarter = chosen_quarter(&state, &query)?;
    Ok(returns::national_download(&state.app, quarter)
        .await?
        .csv_response())
}
