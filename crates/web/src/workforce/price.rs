//! The price of fear: an organisation's estimate of what bullying and harassment cost it
//! in a settled year, the assumptions behind it and their changes, and the national view.
//! Worked out in `dignity_app::workforce::price`; this module only puts it on the page.

use super::standards::{YearQuery, chosen_year};
use crate::access::{Access, CurrentUser};
use crate::error::AppError;
use crate::forms::{FormData, QueryData};
use crate::identity::orgs::organisation;
use crate::pages::{Chrome, FieldError, form_again, render};
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::identity::Organisation;
use dignity_app::workforce::price::{
    self, AssumptionsForm, ChangeError, EDITORS, PricePage, READERS,
};
use dignity_engine::price::Assumption;
use serde::Deserialize;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/orgs/{ods}/workforce/price-of-fear",
            Access::InOrganisation(READERS),
            page,
        )
        .get(
            "/orgs/{ods}/workforce/price-of-fear/assumptions",
            Access::InOrganisation(EDITORS),
            assumptions_page,
        )
        .post(
            "/orgs/{ods}/workforce/price-of-fear/assumptions",
            Access::InOrganisation(EDITORS),
            change_assumptions,
        )
        .get(
            "/national/price-of-fear",
            Access::Platform(dignity_app::identity::ANALYSTS),
            national,
        )
}

fn base(organisation: &Organisation) -> String {
    format!("/orgs/{}/workforce/price-of-fear", organisation.ods_code)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PriceQuery {
    year: Option<String>,
    /// Set after a change is saved, to say so.
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "workforce/price.html")]
struct Page {
    chrome: Chrome,
    organisation: Organisation,
    figures: PricePage,
    saved: bool,
}

async fn page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
    QueryData(query): QueryData<PriceQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let year = chosen_year(&YearQuery { year: query.year })?;
    let figures = price::page(&state.app, &user, &organisation, year).await?;
    let chrome = chrome
        .titled(format!(
            "The cost of bullying and harassment: {}",
            organisation.name
        ))
        .under(
            format!("/home#org-{}", organisation.ods_code),
            organisation.name.clone(),
        );
    Ok(render(&Page {
        chrome,
        organisation,
        figures,
        saved: query.done.as_deref() == Some("assumptions"),
    })?
    .into_response())
}

/// One box of the assumptions form.
struct Row {
    assumption: Assumption,
    typed: String,
    was: String,
    /// What someone else saved in this box while it was being changed here.
    saved_meanwhile: Option<String>,
}

#[derive(Template)]
#[template(path = "workforce/price_assumptions.html")]
struct AssumptionsPage {
    chrome: Chrome,
    organisation: Organisation,
    rows: Vec<Row>,
    reason: String,
    changed: bool,
}

impl AssumptionsPage {
    fn suffix(&self, assumption: &Assumption) -> &'static str {
        match assumption.unit() {
            dignity_engine::price::Unit::Percent => "%",
            dignity_engine::price::Unit::Days => "days",
            dignity_engine::price::Unit::Pounds => "",
        }
    }

    fn is_pounds(&self, assumption: &Assumption) -> bool {
        assumption.unit() == dignity_engine::price::Unit::Pounds
    }
}

fn show_assumptions(
    chrome: Chrome,
    organisation: Organisation,
    form: AssumptionsForm,
    changed: bool,
) -> Result<Response, AppError> {
    let rows = form
        .values
        .iter()
        .map(|(assumption, typed)| Row {
            assumption: *assumption,
            typed: typed.clone(),
            was: form
                .was
                .iter()
                .find(|(a, _)| a == assumption)
                .map(|(_, w)| w.clone())
                .unwrap_or_default(),
            saved_meanwhile: form
                .saved_meanwhile
                .iter()
                .find(|(a, _)| a == assumption)
                .map(|(_, v)| v.clone()),
        })
        .collect();
    let chrome = chrome
        .titled(format!(
            "Change the assumptions of the cost of bullying: {}",
            organisation.name
        ))
        .under(base(&organisation), "The cost of bullying and harassment");
    form_again(
        &AssumptionsPage {
            chrome,
            organisation,
            rows,
            reason: form.reason,
            changed,
        },
        changed,
    )
}

async fn assumptions_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(ods): Path<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let form = price::form_now(&state.app, &organisation).await?;
    show_assumptions(chrome, organisation, form, false)
}

async fn change_assumptions(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let sent = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let form = AssumptionsForm {
        values: Assumption::ALL
            .into_iter()
            .map(|a| (a, sent(a.key())))
            .collect(),
        was: Assumption::ALL
            .into_iter()
            .map(|a| (a, sent(&format!("was-{}", a.key()))))
            .collect(),
        reason: sent("reason"),
        saved_meanwhile: Vec::new(),
    };
    match price::change_assumptions(&state.app, &user, &organisation, &form).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("{}?done=assumptions", base(&organisation))).into_response())
        }
        Err(ChangeError::Form(problems)) => show_assumptions(
            chrome.with_errors(
                problems
                    .into_iter()
                    .map(|p| FieldError {
                        field: p.field.into(),
                        message: p.message,
                    })
                    .collect(),
            ),
            organisation,
            form,
            false,
        ),
        Err(ChangeError::Changed) => {
            // What they changed stays; the rest and every "was" are today's values.
            let form = price::form_after_conflict(&state.app, &organisation, form).await?;
            show_assumptions(chrome, organisation, form, true)
        }
        Err(ChangeError::App(e)) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "workforce/national_price.html")]
struct NationalPage {
    chrome: Chrome,
    national: Option<price::National>,
}

async fn national(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    QueryData(query): QueryData<PriceQuery>,
) -> Result<Response, AppError> {
    let year = chosen_year(&YearQuery { year: query.year })?;
    let national = price::national(&state.app, &user, year).await?;
    let chrome = chrome.titled("The cost of bullying and harassment: every organisation");
    Ok(render(&NationalPage { chrome, national })?.into_response())
}
