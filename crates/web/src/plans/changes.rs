//! Changing a plan after it was written: its details, its commitments, and each action
//! with its measures and milestones; and reading the history of every change.

use super::editor::{
    ActionForm, Kept, PlanForm, Saved, back_to, editor, field, problems, problems_kept, saved, text,
};
use crate::access::CurrentUser;
use crate::error::AppError;
use crate::forms::{FormData, PathData};
use crate::identity::orgs::organisation;
use crate::pages::{Chrome, FieldError, render};
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use dignity_app::identity::Organisation;
use dignity_app::plans::{self, Action, Group, HistoryEntry, Plan};
use dignity_domain::speakup::Day;
use serde::Deserialize;

/// Back to the plan, which says in a banner what was saved.
fn to_plan(organisation: &Organisation, plan: &Plan, what: Saved) -> Response {
    saved(organisation, plan, what, None)
}

/// Changes the plan's title, period and summary.
pub async fn edit_details(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id)): PathData<(String, i64)>,
    FormData(form): FormData<PlanForm>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let plan = plans::plan_in(&state.app, &organisation, id).await?;
    match form.read(["plan_title", "plan_start", "plan_end"]) {
        Ok(change) => {
            editor(&state, &user, &organisation)
                .edit_plan(plan.id, &change)
                .await?;
            Ok(to_plan(&organisation, &plan, Saved::Details))
        }
        Err(errors) => {
            let kept = Kept {
                details: Some(form),
                ..Kept::default()
            };
            problems_kept(&state, chrome, errors, &user, organisation, plan, kept).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct GroupForm {
    commitment: String,
}

/// Adds a commitment to group actions under.
pub async fn add_group(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id)): PathData<(String, i64)>,
    FormData(form): FormData<GroupForm>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let plan = plans::plan_in(&state.app, &organisation, id).await?;
    let mut errors = Vec::new();
    text(
        &form.commitment,
        "commitment",
        "the commitment",
        200,
        &mut errors,
    );
    if errors.is_empty() {
        let editor = editor(&state, &user, &organisation);
        editor.add_group(plan.id, form.commitment.trim()).await?;
        return Ok(to_plan(&organisation, &plan, Saved::CommitmentAdded));
    }
    problems(&state, chrome, errors, &user, organisation, plan).await
}

/// Renames a commitment.
pub async fn rename_group(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id, group)): PathData<(String, i64, i64)>,
    FormData(form): FormData<GroupForm>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let plan = plans::plan_in(&state.app, &organisation, id).await?;
    plans::group_on(&state.app, plan.id, group).await?;
    let mut errors = Vec::new();
    text(
        &form.commitment,
        "commitment",
        "the commitment",
        200,
        &mut errors,
    );
    if errors.is_empty() {
        let editor = editor(&state, &user, &organisation);
        editor.rename_group(group, form.commitment.trim()).await?;
        return Ok(to_plan(&organisation, &plan, Saved::CommitmentRenamed));
    }
    problems(&state, chrome, errors, &user, organisation, plan).await
}

/// Removes a commitment that has no actions left.
pub async fn remove_group(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id, group)): PathData<(String, i64, i64)>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let plan = plans::plan_in(&state.app, &organisation, id).await?;
    plans::group_on(&state.app, plan.id, group).await?;
    match editor(&state, &user, &organisation)
        .remove_group(group)
        .await
    {
        Ok(()) => Ok(to_plan(&organisation, &plan, Saved::CommitmentRemoved)),
        Err(dignity_app::Error::Conflict(m)) => {
            let errors = vec![field("commitment", m)];
            problems(&state, chrome, errors, &user, organisation, plan).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "plans/action.html")]
struct ActionPage {
    chrome: Chrome,
    organisation: Organisation,
    plan: Plan,
    action: Action,
    groups: Vec<Group>,
    /// Actions this one could be part of: not itself, nor one of its own parts.
    parents: Vec<Action>,
    has_parts: bool,
    indicators: Vec<super::IndicatorView>,
    milestones: Vec<plans::Milestone>,
    history: Vec<(String, HistoryEntry)>,
    form: ActionForm,
}

/// When a history entry was made, for people to read.
fn when(at: i64) -> String {
    Day::from_unix_seconds(at).long()
}

async fn action_page(
    state: &AppState,
    chrome: Chrome,
    organisation: Organisation,
    plan: Plan,
    action: Action,
    form: Option<ActionForm>,
) -> Result<Response, AppError> {
    let actions = plans::actions(&state.app, plan.id).await?;
    // Its own parts, at any depth, cannot be its parent.
    let mut own = vec![action.id];
    let mut i = 0;
    while let Some(&id) = own.get(i) {
        own.extend(
            actions
                .iter()
                .filter(|a| a.parent_id == Some(id))
                .map(|a| a.id),
        );
        i += 1;
    }
    let parents = actions
        .iter()
        .filter(|a| !own.contains(&a.id))
        .cloned()
        .collect();
    let indicators = super::indicator_views(
        state,
        &organisation,
        &plans::indicators(&state.app, plan.id).await?,
    )
    .await?
    .into_iter()
    .filter(|m| m.action_id == action.id)
    .collect();
    let milestones = plans::milestones(&state.app, plan.id)
        .await?
        .into_iter()
        .filter(|m| m.action_id == action.id)
        .collect();
    let history = plans::history(&state.app, plan.id, Some(action.id))
        .await?
        .into_iter()
        .rev()
        .map(|h| (when(h.at), h))
        .collect();
    let mut chrome = chrome
        .titled(format!("Change the action: {}", action.title))
        .naming("Plan", plan.title.clone());
    // Shown again after a refused removal, whose address is below this page: the
    // breadcrumbs stop at the plan.
    chrome.breadcrumbs.retain(|c| c.text != "Action");
    Ok(render(&ActionPage {
        chrome,
        groups: plans::groups(&state.app, plan.id).await?,
        has_parts: own.len() > 1,
        form: form.unwrap_or_else(|| ActionForm::from_action(&action)),
        parents,
        indicators,
        milestones,
        history,
        organisation,
        plan,
        action,
    })?
    .into_response())
}

/// The page to change or remove an action, with its history.
pub async fn show_action(
    State(state): State<AppState>,
    chrome: Chrome,
    PathData((ods, id, action)): PathData<(String, i64, i64)>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let plan = plans::plan_in(&state.app, &organisation, id).await?;
    let action = plans::action_on(&state.app, plan.id, action).await?;
    action_page(&state, chrome, organisation, plan, action, None).await
}

/// Saves a changed action.
pub async fn edit_action(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id, action)): PathData<(String, i64, i64)>,
    FormData(form): FormData<ActionForm>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let plan = plans::plan_in(&state.app, &organisation, id).await?;
    let current = plans::action_on(&state.app, plan.id, action).await?;
    let mut errors: Vec<FieldError> = Vec::new();
    if let Some(change) = form.read(&mut errors) {
        let editor = editor(&state, &user, &organisation);
        match editor.edit_action(current.id, &change).await {
            Ok(_) => {
                return Ok(back_to(
                    &organisation,
                    &plan,
                    current.id,
                    Saved::ActionChanged,
                ));
            }
            Err(dignity_app::Error::NotFound(m) | dignity_app::Error::Conflict(m)) => {
                errors.push(field("parent", m));
            }
            Err(e) => return Err(e.into()),
        }
    }
    action_page(
        &state,
        chrome.with_errors(errors),
        organisation,
        plan,
        current,
        Some(form),
    )
    .await
}

/// Removes an action that has no parts left.
pub async fn remove_action(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id, action)): PathData<(String, i64, i64)>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let plan = plans::plan_in(&state.app, &organisation, id).await?;
    let current = plans::action_on(&state.app, plan.id, action).await?;
    match editor(&state, &user, &organisation)
        .remove_action(current.id)
        .await
    {
        Ok(()) => Ok(to_plan(&organisation, &plan, Saved::ActionRemoved)),
        Err(dignity_app::Error::Conflict(m)) => {
            action_page(
                &state,
                chrome.with_errors(vec![field("remove", m)]),
                organisation,
                plan,
                current,
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Removes a measure from an action.
pub async fn remove_indicator(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id, indicator)): PathData<(String, i64, i64)>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let plan = plans::plan_in(&state.app, &organisation, id).await?;
    let owner = plans::indicators(&state.app, plan.id)
        .await?
        .into_iter()
        .find(|i| i.id == indicator)
        .ok_or_else(|| AppError::NotFound("There is no such measure in this plan.".into()))?;
    editor(&state, &user, &organisation)
        .remove_indicator(indicator)
        .await?;
    Ok(back_to(
        &organisation,
        &plan,
        owner.action_id,
        Saved::MeasureRemoved,
    ))
}

/// Removes a milestone from an action.
pub async fn remove_milestone(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id, milestone)): PathData<(String, i64, i64)>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let plan = plans::plan_in(&state.app, &organisation, id).await?;
    let owner = plans::milestones(&state.app, plan.id)
        .await?
        .into_iter()
        .find(|m| m.id == milestone)
        .ok_or_else(|| AppError::NotFound("There is no such milestone in this plan.".into()))?;
    editor(&state, &user, &organisation)
        .remove_milestone(milestone)
        .await?;
    Ok(back_to(
        &organisation,
        &plan,
        owner.action_id,
        Saved::MilestoneRemoved,
    ))
}

#[derive(Template)]
#[template(path = "plans/history.html")]
struct HistoryPage {
    chrome: Chrome,
    organisation: Organisation,
    plan: Plan,
    history: Vec<(String, HistoryEntry)>,
    /// Actions still in the plan, which can be opened.
    live: Vec<i64>,
}

impl HistoryPage {
    /// The action an entry can link to, if it is still in the plan.
    fn opens(&self, entry: &HistoryEntry) -> Option<i64> {
        entry.action_id.filter(|a| self.live.contains(a))
    }
}

/// Every change and approval of a plan, newest first.
pub async fn history(
    State(state): State<AppState>,
    chrome: Chrome,
    PathData((ods, id)): PathData<(String, i64)>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let plan = plans::plan_in(&state.app, &organisation, id).await?;
    let history = plans::history(&state.app, plan.id, None)
        .await?
        .into_iter()
        .rev()
        .map(|h| (when(h.at), h))
        .collect();
    let live = plans::actions(&state.app, plan.id)
        .await?
        .iter()
        .map(|a| a.id)
        .collect();
    Ok(render(&HistoryPage {
        live,
        chrome: chrome
            .titled(format!("History: {}", plan.title))
            .naming("Plan", plan.title.clone()),
        organisation,
        plan,
        history,
    })?
    .into_response())
}
