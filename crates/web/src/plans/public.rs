//! The public face of plans: no sign-in, a stable address per organisation, and only what
//! both sides of the partnership signed, with the progress reported since.

use super::{ActionRow, rows};
use crate::error::AppError;
use crate::forms::PathData;
use crate::orgs::organisation;
use crate::pages::{Chrome, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use dignity_domain::plans::ActionStatus;
use dignity_domain::plans::Side;
use dignity_domain::speakup::Day;
use dignity_store::identity::{self, Organisation};
use dignity_store::plans::{self, Plan};

pub struct Listed {
    pub organisation: Organisation,
    pub plan: Plan,
    pub counts: Vec<(&'static str, usize)>,
}

#[derive(Template)]
#[template(path = "plans/index.html")]
struct IndexPage {
    chrome: Chrome,
    listed: Vec<Listed>,
    totals: Vec<(&'static str, usize)>,
    organisations: usize,
}

fn status_counts(actions: &[plans::Action]) -> Vec<(&'static str, usize)> {
    ActionStatus::ALL
        .iter()
        .map(|s| (s.label(), actions.iter().filter(|a| a.status == *s).count()))
        .collect()
}

/// Every organisation's signed plan, and how many actions nationally are on track, at risk
/// or off track.
pub async fn index(State(state): State<AppState>, chrome: Chrome) -> Result<Response, AppError> {
    let organisations = identity::list_organisations(&state.db).await?;
    let mut listed = Vec::new();
    let mut all_actions = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for plan in plans::published_plans(&state.db).await? {
        // The newest signed plan of each organisation.
        if !seen.insert(plan.organisation_id) {
            continue;
        }
        let Some(organisation) = organisations.iter().find(|o| o.id == plan.organisation_id) else {
            continue;
        };
        let signed = signed_actions(&state, &plan).await?;
        listed.push(Listed {
            organisation: organisation.clone(),
            counts: status_counts(&signed),
            plan,
        });
        all_actions.extend(signed);
    }
    listed.sort_by(|a, b| a.organisation.name.cmp(&b.organisation.name));
    Ok(render(&IndexPage {
        chrome: chrome.titled("Tackling bullying: organisations' plans"),
        totals: status_counts(&all_actions),
        organisations: organisations.len(),
        listed,
    })?
    .into_response())
}

/// The actions of the version both sides signed.
async fn signed_actions(state: &AppState, plan: &Plan) -> Result<Vec<plans::Action>, AppError> {
    let signed = plan.published_version.unwrap_or(0);
    Ok(plans::actions(&state.db, plan.id)
        .await?
        .into_iter()
        .filter(|a| a.added_in_version <= signed)
        .collect())
}

pub struct PublicGroup {
    pub title: String,
    pub rows: Vec<ActionRow>,
}

#[derive(Template)]
#[template(path = "plans/public.html")]
struct PublicPage {
    chrome: Chrome,
    organisation: Organisation,
    plan: Plan,
    signed_on: String,
    signatories: Vec<(Side, String)>,
    groups: Vec<PublicGroup>,
}

pub async fn plan(
    State(state): State<AppState>,
    chrome: Chrome,
    PathData(ods): PathData<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let Some(plan) = plans::plans_for(&state.db, organisation.id)
        .await?
        .into_iter()
        .find(|p| p.published_version.is_some())
    else {
        return Err(AppError::NotFound(format!(
            "{} has not published a plan yet.",
            organisation.name
        )));
    };
    let version = plan.published_version.unwrap_or(0);
    let signatories = plans::approvals(&state.db, plan.id)
        .await?
        .into_iter()
        .filter(|(v, ..)| *v == version)
        .map(|(_, side, name, _)| (side, name))
        .collect();
    let actions = signed_actions(&state, &plan).await?;
    let groups = plans::groups(&state.db, plan.id)
        .await?
        .into_iter()
        .map(|g| PublicGroup {
            rows: rows(&actions, g.id),
            title: g.title,
        })
        .filter(|g| !g.rows.is_empty())
        .collect();
    let signed_on = plan
        .published_at
        .map(|t| Day::from_unix_seconds(t).long())
        .unwrap_or_default();
    Ok(render(&PublicPage {
        chrome: chrome.titled(format!("{}: {}", organisation.name, plan.title)),
        organisation,
        plan,
        signed_on,
        signatories,
        groups,
    })?
    .into_response())
}
