//! The organisation's own plan pages: start a plan, add actions, report progress and sign.

use super::{ActionRow, rows};
use crate::access::CurrentUser;
use crate::date_input::{self, Typed};
use crate::error::AppError;
use crate::forms::{FormData, PathData};
use crate::identity::orgs::organisation;
use crate::pages::{Chrome, FieldError, render};
use crate::state::AppState;
use crate::table::{Cell, Download};
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::identity::Organisation;
use dignity_app::plans::{self, Desk, Group, NewAction, NewPlan, Plan, Report, signing};
use dignity_domain::plans::{ActionStatus, Dates, Percent, Side};
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PlanForm {
    pub(super) title: String,
    #[serde(rename = "period_start-day")]
    pub(super) start_day: String,
    #[serde(rename = "period_start-month")]
    pub(super) start_month: String,
    #[serde(rename = "period_start-year")]
    pub(super) start_year: String,
    #[serde(rename = "period_end-day")]
    pub(super) end_day: String,
    #[serde(rename = "period_end-month")]
    pub(super) end_month: String,
    #[serde(rename = "period_end-year")]
    pub(super) end_year: String,
    pub(super) summary: String,
}

impl PlanForm {
    /// The form filled in with a plan as it stands.
    pub(super) fn from_plan(plan: &Plan) -> PlanForm {
        let (start, end) = (Typed::of(plan.period_start), Typed::of(plan.period_end));
        PlanForm {
            title: plan.title.clone(),
            start_day: start.day,
            start_month: start.month,
            start_year: start.year,
            end_day: end.day,
            end_month: end.month,
            end_year: end.year,
            summary: plan.summary.clone(),
        }
    }

    /// The plan the form describes. `names` are the ids of the fields on the page (title,
    /// start date, end date), so that each form's problems point at its own fields.
    pub(super) fn read(&self, names: [&'static str; 3]) -> Result<NewPlan, Vec<FieldError>> {
        let [title, start, end] = names;
        let mut errors = Vec::new();
        text(&self.title, title, "a title", 200, &mut errors);
        let period = dates(
            [
                (
                    &Typed::new(&self.start_day, &self.start_month, &self.start_year),
                    start,
                    "the start date",
                ),
                (
                    &Typed::new(&self.end_day, &self.end_month, &self.end_year),
                    end,
                    "the end date",
                ),
            ],
            &mut errors,
        );
        if self.summary.chars().count() > 5_000 {
            errors.push(field(
                "summary",
                "The summary must be 5,000 characters or fewer",
            ));
        }
        match (period, errors.is_empty()) {
            (Some(period), true) => Ok(NewPlan {
                title: self.title.trim().to_owned(),
                period,
                summary: self.summary.trim().to_owned(),
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Template)]
#[template(path = "plans/list.html")]
struct ListPage {
    chrome: Chrome,
    organisation: Organisation,
    plans: Vec<Plan>,
    form: PlanForm,
}

pub async fn list(
    State(state): State<AppState>,
    chrome: Chrome,
    PathData(ods): PathData<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let plans = plans::plans_for(&state.app, organisation.id).await?;
    Ok(render(&ListPage {
        chrome: chrome.titled(format!("Action plans: {}", organisation.name)),
        organisation,
        plans,
        form: PlanForm::default(),
    })?
    .into_response())
}

/// Who is changing the plan.
pub(super) fn editor<'a>(
    state: &'a AppState,
    user: &'a CurrentUser,
    organisation: &'a Organisation,
) -> Desk<'a> {
    plans::desk(&state.app, &user.person.email, organisation)
}

/// What was just saved on a plan, for the success banner its page shows after the save.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Saved {
    ActionAdded,
    ActionChanged,
    ActionRemoved,
    Progress,
    Update,
    MeasureAdded,
    MeasureRemoved,
    MilestoneAdded,
    MilestoneReached,
    MilestoneNotReached,
    MilestoneRemoved,
    Details,
    CommitmentAdded,
    CommitmentRenamed,
    CommitmentRemoved,
    Approved,
}

impl Saved {
    const ALL: &[Saved] = &[
        Saved::ActionAdded,
        Saved::ActionChanged,
        Saved::ActionRemoved,
        Saved::Progress,
        Saved::Update,
        Saved::MeasureAdded,
        Saved::MeasureRemoved,
        Saved::MilestoneAdded,
        Saved::MilestoneReached,
        Saved::MilestoneNotReached,
        Saved::MilestoneRemoved,
        Saved::Details,
        Saved::CommitmentAdded,
        Saved::CommitmentRenamed,
        Saved::CommitmentRemoved,
        Saved::Approved,
    ];

    /// Its word in the plan page's address (`?done=`).
    fn code(self) -> &'static str {
        match self {
            Saved::ActionAdded => "action-added",
            Saved::ActionChanged => "action-changed",
            Saved::ActionRemoved => "action-removed",
            Saved::Progress => "progress",
            Saved::Update => "update",
            Saved::MeasureAdded => "measure-added",
            Saved::MeasureRemoved => "measure-removed",
            Saved::MilestoneAdded => "milestone-added",
            Saved::MilestoneReached => "milestone-reached",
            Saved::MilestoneNotReached => "milestone-not-reached",
            Saved::MilestoneRemoved => "milestone-removed",
            Saved::Details => "details",
            Saved::CommitmentAdded => "commitment-added",
            Saved::CommitmentRenamed => "commitment-renamed",
            Saved::CommitmentRemoved => "commitment-removed",
            Saved::Approved => "approved",
        }
    }

    fn parse(raw: &str) -> Option<Saved> {
        Saved::ALL.iter().copied().find(|s| s.code() == raw)
    }

    /// What was saved, in words, naming the action where there is one.
    fn said(self, action: Option<&str>) -> String {
        // The words alone, and the words that go before the action's title.
        let on = |alone: &str, before: &str| match action {
            Some(title) => format!("{before} {title}"),
            None => alone.to_owned(),
        };
        match self {
            Saved::ActionAdded => on("Action added", "Action added:"),
            Saved::ActionChanged => on("Action changed", "Action changed:"),
            Saved::ActionRemoved => "Action removed".into(),
            Saved::Progress => on("Progress saved", "Progress saved for"),
            Saved::Update => on("Progress update added", "Progress update added to"),
            Saved::MeasureAdded => on("Measure added", "Measure added to"),
            Saved::MeasureRemoved => on("Measure removed", "Measure removed from"),
            Saved::MilestoneAdded => on("Milestone added", "Milestone added to"),
            Saved::MilestoneReached => on(
                "Milestone marked as reached",
                "Milestone marked as reached on",
            ),
            Saved::MilestoneNotReached => on(
                "Milestone marked as not reached",
                "Milestone marked as not reached on",
            ),
            Saved::MilestoneRemoved => on("Milestone removed", "Milestone removed from"),
            Saved::Details => "Plan details saved".into(),
            Saved::CommitmentAdded => "Commitment added".into(),
            Saved::CommitmentRenamed => "Commitment renamed".into(),
            Saved::CommitmentRemoved => "Commitment removed".into(),
            Saved::Approved => "Your approval is recorded".into(),
        }
    }
}

/// After a save: the plan's page, which says in a banner what was saved (and for which
/// action). A redirect, so reloading the page shows the plan and repeats nothing.
pub(super) fn saved(
    organisation: &Organisation,
    plan: &Plan,
    what: Saved,
    action: Option<i64>,
) -> Response {
    let action = action.map(|a| format!("&action={a}")).unwrap_or_default();
    Redirect::to(&format!(
        "/orgs/{}/plans/{}?done={}{action}",
        organisation.ods_code,
        plan.id,
        what.code()
    ))
    .into_response()
}

/// Back to the action just changed, on its plan's page, saying what was saved.
pub(super) fn back_to(
    organisation: &Organisation,
    plan: &Plan,
    action: i64,
    what: Saved,
) -> Response {
    saved(organisation, plan, what, Some(action))
}

/// The plan page's address query: what was just saved, and on which action.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PlanQuery {
    done: String,
    action: Option<i64>,
}

pub(super) fn field(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// Reads a start and an end date, each as (what was typed, its id on the page, its name
/// in messages); problems are added to `errors`, each naming its date.
pub(super) fn dates(
    [(start, start_id, start_name), (end, end_id, end_name)]: [(&Typed, &str, &str); 2],
    errors: &mut Vec<FieldError>,
) -> Option<Dates> {
    let a = date_input::required(start, start_id, start_name, errors);
    let b = date_input::required(end, end_id, end_name, errors);
    let (a, b) = (a?, b?);
    match Dates::new(a, b) {
        Ok(d) => Some(d),
        Err(_) => {
            let mut end_named = end_name.to_owned();
            if let Some(first) = end_named.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            errors.push(date_input::problem(
                end_id,
                format!("{end_named} must be the same as or after {start_name}"),
            ));
            None
        }
    }
}

pub(super) fn text(
    value: &str,
    name: &'static str,
    what: &str,
    max: usize,
    errors: &mut Vec<FieldError>,
) {
    let n = value.trim().chars().count();
    if n == 0 {
        errors.push(field(name, format!("Enter {what}")));
    } else if n > max {
        errors.push(field(
            name,
            format!("{what} must be {max} characters or fewer"),
        ));
    }
}

pub async fn create(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(ods): PathData<String>,
    FormData(form): FormData<PlanForm>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let new_plan = match form.read(["title", "period_start", "period_end"]) {
        Ok(p) => p,
        Err(errors) => {
            let plans = plans::plans_for(&state.app, organisation.id).await?;
            return Ok(render(&ListPage {
                chrome: chrome
                    .titled(format!("Action plans: {}", organisation.name))
                    .with_errors(errors),
                organisation,
                plans,
                form,
            })?
            .into_response());
        }
    };
    let editor = editor(&state, &user, &organisation);
    let plan = editor.create_plan(&new_plan).await?;
    Ok(Redirect::to(&format!(
        "/orgs/{}/plans/{}",
        organisation.ods_code, plan.id
    ))
    .into_response())
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ActionForm {
    pub(super) group: String,
    pub(super) parent: String,
    pub(super) title: String,
    pub(super) description: String,
    pub(super) owner: String,
    pub(super) employer_lead: String,
    pub(super) union_lead: String,
    #[serde(rename = "starts-day")]
    pub(super) starts_day: String,
    #[serde(rename = "starts-month")]
    pub(super) starts_month: String,
    #[serde(rename = "starts-year")]
    pub(super) starts_year: String,
    #[serde(rename = "due-day")]
    pub(super) due_day: String,
    #[serde(rename = "due-month")]
    pub(super) due_month: String,
    #[serde(rename = "due-year")]
    pub(super) due_year: String,
    pub(super) weight: String,
}

impl ActionForm {
    /// The form filled in with an action as it stands.
    pub(super) fn from_action(a: &plans::Action) -> ActionForm {
        let (starts, due) = (Typed::of(a.dates.starts_on), Typed::of(a.dates.due_on));
        ActionForm {
            group: a.group_id.to_string(),
            parent: a.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            title: a.title.clone(),
            description: a.description.clone(),
            owner: a.owner.clone(),
            employer_lead: a.employer_lead.clone(),
            union_lead: a.union_lead.clone(),
            starts_day: starts.day,
            starts_month: starts.month,
            starts_year: starts.year,
            due_day: due.day,
            due_month: due.month,
            due_year: due.year,
            weight: a.weight.map(|w| w.to_string()).unwrap_or_default(),
        }
    }

    /// The action the form describes; problems are added to `errors`.
    pub(super) fn read(&self, errors: &mut Vec<FieldError>) -> Option<NewAction> {
        let form = self;
        text(&form.title, "title", "what the action is", 300, errors);
        text(&form.owner, "owner", "who owns the action", 200, errors);
        for (value, name) in [
            (&form.description, "description"),
            (&form.employer_lead, "employer_lead"),
            (&form.union_lead, "union_lead"),
        ] {
            let max = if name == "description" { 5_000 } else { 200 };
            if value.chars().count() > max {
                errors.push(field(
                    name,
                    format!("This must be {max} characters or fewer"),
                ));
            }
        }
        let group_id = form.group.parse::<i64>().ok();
        if group_id.is_none() {
            errors.push(field(
                "group",
                "Choose which commitment the action is under",
            ));
        }
        let parent_id = match form.parent.trim() {
            "" => None,
            p => match p.parse::<i64>() {
                Ok(p) => Some(p),
                Err(_) => {
                    errors.push(field(
                        "parent",
                        "Choose the action this is part of, or none",
                    ));
                    None
                }
            },
        };
        let dates = dates(
            [
                (
                    &Typed::new(&form.starts_day, &form.starts_month, &form.starts_year),
                    "starts",
                    "the start date",
                ),
                (
                    &Typed::new(&form.due_day, &form.due_month, &form.due_year),
                    "due",
                    "the due date",
                ),
            ],
            errors,
        );
        let weight = match form.weight.trim() {
            "" => None,
            w => match w.parse::<u32>() {
                Ok(w) if (1..=100).contains(&w) => Some(w),
                _ => {
                    errors.push(field(
                        "weight",
                        "Weight must be a whole number from 1 to 100",
                    ));
                    None
                }
            },
        };
        let (Some(group_id), Some(dates), true) = (group_id, dates, errors.is_empty()) else {
            return None;
        };
        Some(NewAction {
            group_id,
            parent_id,
            title: form.title.trim().to_owned(),
            description: form.description.trim().to_owned(),
            owner: form.owner.trim().to_owned(),
            employer_lead: form.employer_lead.trim().to_owned(),
            union_lead: form.union_lead.trim().to_owned(),
            dates,
            weight,
        })
    }
}

pub struct GroupView {
    pub group: Group,
    pub rows: Vec<ActionRow>,
}

#[derive(Template)]
#[template(path = "plans/plan.html")]
struct PlanPage {
    chrome: Chrome,
    organisation: Organisation,
    plan: Plan,
    groups: Vec<GroupView>,
    approvals: Vec<(i64, Side, String, i64)>,
    statuses: &'static [ActionStatus],
    /// The sides this person can sign for.
    sides: Vec<Side>,
    form: ActionForm,
    /// The plan's details as its form shows them: as typed, when they had a mistake.
    details: PlanForm,
    /// The copy form as typed, when it had a mistake.
    copy: PlanForm,
    /// The action whose new milestone had a mistake, with what was typed.
    milestone: Option<(i64, MilestoneForm)>,
    indicators: Vec<super::IndicatorView>,
    measures: Vec<(String, String)>,
    milestones: Vec<plans::Milestone>,
    /// What was just saved, in words, and the action it was on (to go to it).
    done: Option<(String, Option<i64>)>,
}

/// What was typed into the plan page's forms, shown again beside its problems.
#[derive(Default)]
pub(super) struct Kept {
    pub(super) action: ActionForm,
    pub(super) details: Option<PlanForm>,
    pub(super) copy: Option<PlanForm>,
    pub(super) milestone: Option<(i64, MilestoneForm)>,
    /// What was just saved, and on which action, when the page follows a save.
    pub(super) done: Option<(Saved, Option<i64>)>,
}

impl PlanPage {
    /// Whether the form to change the plan's details has a problem, so it shows open.
    fn details_wrong(&self) -> bool {
        ["plan_title", "plan_start-day", "plan_end-day", "summary"]
            .iter()
            .any(|f| self.chrome.error_for(f).is_some())
    }

    /// The new milestone as typed for this action, if it had a mistake.
    fn milestone_for(&self, action: &i64) -> Option<&MilestoneForm> {
        self.milestone
            .as_ref()
            .filter(|(id, _)| id == action)
            .map(|(_, form)| form)
    }

    /// The new milestone's date as typed for this action (empty boxes for the others).
    fn milestone_due(&self, action: &i64) -> Typed {
        self.milestone_for(action)
            .map(MilestoneForm::due)
            .unwrap_or_default()
    }

    fn approved(&self, side: &Side) -> Option<&str> {
        self.approvals
            .iter()
            .find(|(v, s, _, _)| *v == self.plan.version && s == side)
            .map(|(_, _, name, _)| name.as_str())
    }

    /// Whether this version waits for this person's approval for a side they sign for.
    fn waiting_for_me(&self) -> bool {
        self.sides.iter().any(|side| self.approved(side).is_none())
    }

    /// Whether this person has approved this version for every side they sign for, and it
    /// waits for the other side.
    fn waiting_for_others(&self) -> bool {
        !self.sides.is_empty()
            && !self.waiting_for_me()
            && self.plan.published_version != Some(self.plan.version)
    }
}

async fn plan_page(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    organisation: Organisation,
    plan: Plan,
    kept: Kept,
) -> Result<Response, AppError> {
    let actions = plans::actions(&state.app, plan.id).await?;
    let groups = plans::groups(&state.app, plan.id)
        .await?
        .into_iter()
        .map(|group| GroupView {
            rows: rows(&actions, group.id),
            group,
        })
        .collect();
    let sides = signing::sides_for(user, &organisation);
    let indicators = super::indicator_views(
        state,
        &organisation,
        &plans::indicators(&state.app, plan.id).await?,
    )
    .await?;
    let milestones = plans::milestones(&state.app, plan.id).await?;
    let details = kept.details.unwrap_or_else(|| PlanForm::from_plan(&plan));
    let done = kept.done.map(|(what, action)| {
        let action = action.and_then(|id| actions.iter().find(|a| a.id == id));
        (
            what.said(action.map(|a| a.title.as_str())),
            action.map(|a| a.id),
        )
    });
    Ok(render(&PlanPage {
        done,
        milestones,
        indicators,
        measures: super::measures(),
        chrome: chrome.titled(plan.title.clone()),
        approvals: plans::approvals(&state.app, plan.id).await?,
        statuses: ActionStatus::ALL,
        organisation,
        details,
        copy: kept.copy.unwrap_or_default(),
        milestone: kept.milestone,
        plan,
        groups,
        sides,
        form: kept.action,
    })?
    .into_response())
}

/// The plan page again, with what was wrong with a form on it.
pub(super) async fn problems(
    state: &AppState,
    chrome: Chrome,
    errors: Vec<FieldError>,
    user: &CurrentUser,
    organisation: Organisation,
    plan: Plan,
) -> Result<Response, AppError> {
    problems_kept(
        state,
        chrome,
        errors,
        user,
        organisation,
        plan,
        Kept::default(),
    )
    .await
}

/// The plan page again, with what was wrong with a form on it and what was typed.
pub(super) async fn problems_kept(
    state: &AppState,
    chrome: Chrome,
    errors: Vec<FieldError>,
    user: &CurrentUser,
    organisation: Organisation,
    plan: Plan,
    kept: Kept,
) -> Result<Response, AppError> {
    plan_page(
        state,
        chrome.with_errors(errors),
        user,
        organisation,
        plan,
        kept,
    )
    .await
}

pub async fn show(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id)): PathData<(String, i64)>,
    query: Result<Query<PlanQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let plan = plans::plan_in(&state.app, &organisation, id).await?;
    // An address edited by hand shows the plan without a banner.
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let kept = Kept {
        done: Saved::parse(&query.done).map(|what| (what, query.action)),
        ..Kept::default()
    };
    plan_page(&state, chrome, &user, organisation, plan, kept).await
}

pub async fn add_action(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id)): PathData<(String, i64)>,
    FormData(form): FormData<ActionForm>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let plan = plans::plan_in(&state.app, &organisation, id).await?;
    let mut errors = Vec::new();
    if let Some(action) = form.read(&mut errors) {
        let editor = editor(&state, &user, &organisation);
        let added = editor.add_action(plan.id, &action).await;
        match added {
            Ok(added) => {
                return Ok(back_to(&organisation, &plan, added.id, Saved::ActionAdded));
            }
            Err(dignity_app::Error::NotFound(m)) => errors.push(field("group", m)),
            Err(e) => return Err(e.into()),
        }
    }
    let kept = Kept {
        action: form,
        ..Kept::default()
    };
    problems_kept(&state, chrome, errors, &user, organisation, plan, kept).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReportForm {
    status: String,
    reason: String,
    progress: String,
}

pub async fn report(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id, action)): PathData<(String, i64, i64)>,
    FormData(form): FormData<ReportForm>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let plan = plans::plan_in(&state.app, &organisation, id).await?;
    plans::action_on(&state.app, plan.id, action).await?;
    let mut errors = Vec::new();
    let status = form.status.parse::<ActionStatus>().ok();
    if status.is_none() {
        errors.push(field("status", "Choose where the action stands"));
    }
    let progress = match Percent::parse(&form.progress) {
        Ok(p) => Some(p),
        Err(e) => {
            errors.push(field("progress", e.to_string()));
            None
        }
    };
    if let (Some(status), Some(progress), true) = (status, progress, errors.is_empty()) {
        let editor = editor(&state, &user, &organisation);
        let report = Report {
            status,
            reason: form.reason.chars().take(1_000).collect(),
            progress,
        };
        match editor.report_progress(action, &report).await {
            Ok(()) => return Ok(back_to(&organisation, &plan, action, Saved::Progress)),
            Err(dignity_app::Error::Invalid(e)) => errors.push(field("reason", e.to_string())),
            Err(e) => return Err(e.into()),
        }
    }
    problems(&state, chrome, errors, &user, organisation, plan).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ApproveForm {
    side: String,
    version: String,
}

pub async fn approve(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id)): PathData<(String, i64)>,
    FormData(form): FormData<ApproveForm>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let plan = plans::plan_in(&state.app, &organisation, id).await?;
    let (Ok(side), Ok(seen)) = (form.side.parse::<Side>(), form.version.parse::<i64>()) else {
        return Err(AppError::BadRequest(
            "This approval did not come from the page that lists the changes. Go back to the plan, check the changes and try again."
                .into(),
        ));
    };
    match signing::sign(&state.app, &user, &organisation, plan.id, side, seen).await {
        Ok(_) => Ok(saved(&organisation, &plan, Saved::Approved, None)),
        // The plan changed since it was read: the review page again, with what changed
        // since the published version as it is now.
        Err(dignity_app::Error::Conflict(m)) => {
            let plan = plans::plan_in(&state.app, &organisation, id).await?;
            super::review::review_page(
                &state,
                chrome.with_errors(vec![field("approve", m)]),
                &user,
                organisation,
                plan,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UpdateForm {
    body: String,
    links: String,
}

/// A dated progress update on an action, with optional evidence links.
pub async fn add_update(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id, action)): PathData<(String, i64, i64)>,
    FormData(form): FormData<UpdateForm>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let plan = plans::plan_in(&state.app, &organisation, id).await?;
    plans::action_on(&state.app, plan.id, action).await?;
    let mut errors = Vec::new();
    text(&form.body, "body", "what has happened", 5_000, &mut errors);
    let links = match dignity_domain::plans::parse_links(&form.links) {
        Ok(l) => l,
        Err(e) => {
            errors.push(field("links", e.to_string()));
            Vec::new()
        }
    };
    if errors.is_empty() {
        let editor = editor(&state, &user, &organisation);
        editor
            .add_update(action, &user.person.display_name, form.body.trim(), &links)
            .await?;
        return Ok(back_to(&organisation, &plan, action, Saved::Update));
    }
    problems(&state, chrome, errors, &user, organisation, plan).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct IndicatorForm {
    code: String,
    baseline: String,
    target: String,
    latest: String,
    source: String,
}

/// Links a survey measure to an action, with where it started and where it should get to.
pub async fn add_indicator(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id, action)): PathData<(String, i64, i64)>,
    FormData(form): FormData<IndicatorForm>,
) -> Result<Response, AppError> {
    use dignity_domain::plans::parse_figure;
    let organisation = organisation(&state, &ods).await?;
    let plan = plans::plan_in(&state.app, &organisation, id).await?;
    plans::action_on(&state.app, plan.id, action).await?;
    let mut errors = Vec::new();
    let code = form.code.trim();
    if !super::measures().iter().any(|(k, _)| k == code) {
        errors.push(field(
            "code",
            "Choose a measure from the staff survey. That measure is not one Dignity knows",
        ));
    }
    let mut figure =
        |raw: &str, name: &'static str, what: &'static str| match parse_figure(raw, what) {
            Ok(v) => Some(v),
            Err(e) => {
                errors.push(field(name, e.to_string()));
                None
            }
        };
    let baseline = figure(
        &form.baseline,
        "baseline",
        "The starting figure must be a per cent from 0 to 100",
    );
    let target = figure(
        &form.target,
        "target",
        "The target must be a per cent from 0 to 100",
    );
    let latest = if form.latest.trim().is_empty() {
        None
    } else {
        figure(
            &form.latest,
            "latest",
            "The latest figure must be a per cent from 0 to 100",
        )
    };
    if latest.is_some() && form.source.trim().is_empty() {
        errors.push(field("source", "Say where the latest figure comes from"));
    }
    if let (Some(baseline), Some(target), true) = (baseline, target, errors.is_empty()) {
        let editor = editor(&state, &user, &organisation);
        editor
            .add_indicator(
                action,
                &plans::NewIndicator {
                    code: code.to_owned(),
                    baseline,
                    target,
                    latest,
                    source: form.source.trim().chars().take(200).collect(),
                },
            )
            .await?;
        return Ok(back_to(&organisation, &plan, action, Saved::MeasureAdded));
    }
    problems(&state, chrome, errors, &user, organisation, plan).await
}

/// The plan as a spreadsheet, one row per action, for working on outside Dignity.
pub async fn export_csv(
    State(state): State<AppState>,
    PathData((ods, id)): PathData<(String, i64)>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let plan = plans::plan_in(&state.app, &organisation, id).await?;
    let actions = plans::actions(&state.app, plan.id).await?;
    let groups = plans::groups(&state.app, plan.id).await?;
    let mut lines = Vec::new();
    for group in &groups {
        for row in rows(&actions, group.id) {
            let a = &row.action;
            let parent = a
                .parent_id
                .and_then(|p| actions.iter().find(|x| x.id == p))
                .map(|p| p.title.clone())
                .unwrap_or_default();
            lines.push(
                vec![
                    group.title.clone(),
                    a.title.clone(),
                    parent,
                    a.description.clone(),
                    a.owner.clone(),
                    a.employer_lead.clone(),
                    a.union_lead.clone(),
                    a.dates.starts_on.to_string(),
                    a.dates.due_on.to_string(),
                    a.status.code().to_owned(),
                    a.status_reason.clone(),
                    row.progress.value().to_string(),
                    a.weight.map(|w| w.to_string()).unwrap_or_default(),
                ]
                .into_iter()
                // A plan's own words and dates: nothing here counts people.
                .map(Cell::Words)
                .collect::<Vec<_>>(),
            );
        }
    }
    let table = crate::table::Table {
        name: format!("plan-{}-{}", organisation.ods_code, plan.id),
        header: [
            "commitment",
            "action",
            "part of",
            "description",
            "owner",
            "employer lead",
            "union lead",
            "starts on",
            "due on",
            "status",
            "reason",
            "progress",
            "weight",
        ]
        .map(String::from)
        .to_vec(),
        rows: lines,
    };
    Ok(table.csv_response())
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct MilestoneForm {
    milestone: String,
    #[serde(rename = "milestone_due-day")]
    due_day: String,
    #[serde(rename = "milestone_due-month")]
    due_month: String,
    #[serde(rename = "milestone_due-year")]
    due_year: String,
}

impl MilestoneForm {
    fn due(&self) -> Typed {
        Typed::new(&self.due_day, &self.due_month, &self.due_year)
    }
}

/// Adds a milestone to an action.
pub async fn add_milestone(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id, action)): PathData<(String, i64, i64)>,
    FormData(form): FormData<MilestoneForm>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let plan = plans::plan_in(&state.app, &organisation, id).await?;
    plans::action_on(&state.app, plan.id, action).await?;
    let mut errors = Vec::new();
    // Each action has its own milestone form: its fields' ids end with the action's.
    let mut title_errors = Vec::new();
    text(
        &form.milestone,
        "milestone",
        "the milestone",
        300,
        &mut title_errors,
    );
    errors.extend(title_errors.into_iter().map(|e| FieldError {
        field: format!("milestone-{action}").into(),
        message: e.message,
    }));
    let due = date_input::required(
        &form.due(),
        &format!("milestone-due-{action}"),
        "the milestone's due date",
        &mut errors,
    );
    if let (Some(due), true) = (due, errors.is_empty()) {
        let editor = editor(&state, &user, &organisation);
        editor
            .add_milestone(action, form.milestone.trim(), due)
            .await?;
        return Ok(back_to(&organisation, &plan, action, Saved::MilestoneAdded));
    }
    let kept = Kept {
        milestone: Some((action, form)),
        ..Kept::default()
    };
    problems_kept(&state, chrome, errors, &user, organisation, plan, kept).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MarkForm {
    done: String,
}

/// Marks a milestone reached (or not).
pub async fn mark_milestone(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id, milestone)): PathData<(String, i64, i64)>,
    FormData(form): FormData<MarkForm>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let plan = plans::plan_in(&state.app, &organisation, id).await?;
    let owner = plans::milestone_on(&state.app, plan.id, milestone).await?;
    let done = match form.done.as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            return Err(AppError::BadRequest(
                "Say whether the milestone was reached.".into(),
            ));
        }
    };
    let editor = editor(&state, &user, &organisation);
    editor.set_milestone_done(milestone, done).await?;
    let what = if done {
        Saved::MilestoneReached
    } else {
        Saved::MilestoneNotReached
    };
    Ok(back_to(&organisation, &plan, owner.action_id, what))
}
