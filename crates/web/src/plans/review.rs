//! The page a signatory reads before approving: what changed since the published version,
//! action by action, and only then the approve button, which posts to the plan's approve
//! address with the version read, so a change made meanwhile is refused.

use crate::access::CurrentUser;
use crate::error::AppError;
use crate::forms::PathData;
use crate::identity::orgs::organisation;
use crate::pages::{Chrome, render};
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use dignity_app::identity::Organisation;
use dignity_app::plans::review::{ActionChange, Changes, Field, Kind, Part};
use dignity_app::plans::{self, Plan, signing};
use dignity_domain::plans::Side;

#[derive(Template)]
#[template(path = "plans/review.html")]
struct ReviewPage {
    chrome: Chrome,
    organisation: Organisation,
    plan: Plan,
    changes: Changes,
    /// The sides this person may approve this version for and has not yet.
    to_approve: Vec<Side>,
    /// The sides this person has approved this version for already.
    approved: Vec<Side>,
}

impl ReviewPage {
    /// Whether this version is the one the public sees (nothing waits for approval).
    fn is_published(&self) -> bool {
        self.plan.published_version == Some(self.plan.version)
    }

    /// The NHS tag colour for a kind; the tag's text says the kind too.
    fn tag(&self, kind: &Kind) -> &'static str {
        match kind {
            Kind::Added => "nhsuk-tag--green",
            Kind::Removed => "nhsuk-tag--red",
            Kind::Changed => "nhsuk-tag--blue",
        }
    }

    /// An action's heading, saying what happened to it in words.
    fn action_heading(&self, action: &ActionChange) -> String {
        let what = match action.kind {
            Some(Kind::Added) => "New action",
            Some(Kind::Removed) => "Removed action",
            Some(Kind::Changed) => "Changed action",
            None => "Changed milestones or measures",
        };
        format!("{what}: {}", action.title)
    }

    /// The tag for an action (its word and colour), when the action itself changed.
    fn action_tag(&self, action: &ActionChange) -> Option<(&'static str, &'static str)> {
        action.kind.map(|kind| (kind.label(), self.tag(&kind)))
    }

    /// The part's kind in words, for the row's key: "New milestone", "Removed measure".
    fn part_key(&self, part: &Part, what: &str) -> String {
        match part.kind {
            Kind::Added => format!("New {what}"),
            Kind::Removed => format!("Removed {what}"),
            Kind::Changed => format!("Changed {what}"),
        }
    }

    /// A field of something changed, in one line: "Due on: was 1 July 2026, now 1 August 2026".
    fn line(&self, field: &Field) -> String {
        match (&field.before, &field.after) {
            (Some(before), Some(after)) => format!("{}: was {before}, now {after}", field.name),
            (None, Some(after)) => format!("{}: {after}", field.name),
            (Some(before), None) => format!("{}: {before} (removed)", field.name),
            (None, None) => field.name.to_owned(),
        }
    }
}

/// The review page for `plan`, as `user` may approve it. Who may approve for which side is
/// `signing::sides_for`'s to decide, as for the approval itself.
pub(super) async fn review_page(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    organisation: Organisation,
    plan: Plan,
) -> Result<Response, AppError> {
    let sides = signing::sides_for(user, &organisation);
    if sides.is_empty() {
        return Err(AppError::Forbidden);
    }
    let approvals = plans::approvals(&state.app, plan.id).await?;
    let (approved, to_approve): (Vec<Side>, Vec<Side>) = sides.into_iter().partition(|side| {
        approvals
            .iter()
            .any(|(version, s, _, _)| *version == plan.version && s == side)
    });
    let changes = plans::review::since_published(&state.app, &plan).await?;
    Ok(render(&ReviewPage {
        chrome: chrome
            .titled(format!(
                "Check the changes before you approve version {}",
                plan.version
            ))
            .naming("Plan", plan.title.clone()),
        organisation,
        plan,
        changes,
        to_approve,
        approved,
    })?
    .into_response())
}

pub async fn review(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id)): PathData<(String, i64)>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let plan = plans::plan_in(&state.app, &organisation, id).await?;
    review_page(&state, chrome, &user, organisation, plan).await
}
