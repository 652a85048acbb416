//! What results pages show while a campaign is open: no figures, only the number of
//! responses written so far, which moves in batches of at least the survey minimum. Two looks at
//! the page either side of one person's answers are the same.

use super::admin::campaign_in;
use super::dashboard::organisation;
use crate::error::AppError;
use crate::pages::{Chrome, render};
use crate::state::AppState;
use askama::Template;
use axum::response::{IntoResponse, Response};
use dignity_app::identity::Organisation;
use dignity_app::survey::campaigns::{self, Campaign, Results};
use dignity_engine::disclosure::Disclosed;

#[derive(Template)]
#[template(path = "survey/waiting.html")]
pub(super) struct WaitingPage {
    chrome: Chrome,
    organisation: Organisation,
    campaign: Campaign,
    opened: bool,
    /// Responses written so far: none, or at least one batch.
    counted: Disclosed<u64>,
    minimum: u64,
}

impl WaitingPage {
    pub(super) fn page(mut self, chrome: Chrome) -> Result<Response, AppError> {
        self.chrome = chrome
            .titled(format!("{}: results", self.campaign.title))
            .naming("Survey", self.campaign.title.clone());
        Ok(render(&self)?.into_response())
    }

    /// For downloads: there is nothing to download until the campaign closes.
    pub(super) fn refusal(&self) -> AppError {
        AppError::NotFound(format!(
            "There are no results to download yet. Results will be shown when the survey closes on {}.",
            self.campaign.closes_on.long()
        ))
    }
}

/// The waiting page when the campaign has not closed; None once it has
/// (`campaigns::results` decides).
pub(super) async fn unless_closed(
    state: &AppState,
    ods: &str,
    campaign_id: i64,
) -> Result<Option<WaitingPage>, AppError> {
    let organisation = organisation(state, ods).await?;
    let campaign = campaign_in(state, &organisation, campaign_id).await?;
    Ok(match campaigns::results(&state.app, &campaign).await? {
        Results::Shown => None,
        Results::Waiting { opened, counted } => Some(WaitingPage {
            chrome: Chrome::default(),
            opened,
            counted,
            minimum: state.settings.minimums.survey().people(),
            organisation,
            campaign,
        }),
    })
}
