//! Partnership action plans: drafted by the organisation's people, signed by both sides of
//! the partnership, and published for staff, patients and the public to follow.

mod changes;
mod comments;
mod editor;
pub mod follow;
pub(crate) mod import;
mod public;
mod review;

use crate::access::Access;
use crate::error::AppError;
use crate::routes::Routes;
use crate::state::AppState;
use dignity_app::identity::Organisation;
use dignity_app::plans as store;
use dignity_app::plans::measures::{Latest, latest};
use dignity_app::plans::{COMMENTERS, EDITORS, MODERATORS, SIGNERS};

pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/plans", Access::Public, public::index)
        .get("/plans/{ods}", Access::Public, public::plan)
        .get("/plans/{ods}/feed.atom", Access::Public, public::feed)
        .get(
            "/plans/{ods}/versions/{version}",
            Access::Public,
            public::version,
        )
        .get(
            "/plans/{ods}/poster.pdf",
            Access::Public,
            public::poster_pdf,
        )
        .get(
            "/plans/{ods}/poster.png",
            Access::Public,
            public::poster_png,
        )
        .get("/plans/{ods}/follow", Access::Public, follow::asked)
        .post("/plans/{ods}/follow", Access::Public, follow::follow)
        .get("/follow/confirm", Access::Public, follow::confirm_page)
        .post("/follow/confirm", Access::Public, follow::confirm)
        .get("/follow/stop", Access::Public, follow::stop)
        .get(
            "/orgs/{ods}/plans",
            Access::InOrganisation(EDITORS),
            editor::list,
        )
        .post(
            "/orgs/{ods}/plans",
            Access::InOrganisation(EDITORS),
            editor::create,
        )
        .get(
            "/orgs/{ods}/plans/{plan}",
            Access::InOrganisation(EDITORS),
            editor::show,
        )
        .get(
            "/orgs/{ods}/plans/{plan}/actions.csv",
            Access::InOrganisation(EDITORS),
            editor::export_csv,
        )
        .post(
            "/orgs/{ods}/plans/{plan}/actions",
            Access::InOrganisation(EDITORS),
            editor::add_action,
        )
        .post(
            "/orgs/{ods}/plans/{plan}/actions/{action}/progress",
            Access::InOrganisation(EDITORS),
            editor::report,
        )
        .post(
            "/orgs/{ods}/plans/{plan}/actions/{action}/updates",
            Access::InOrganisation(EDITORS),
            editor::add_update,
        )
        .post(
            "/orgs/{ods}/plans/{plan}/actions/{action}/indicators",
            Access::InOrganisation(EDITORS),
            editor::add_indicator,
        )
        .post(
            "/orgs/{ods}/plans/{plan}/actions/{action}/milestones",
            Access::InOrganisation(EDITORS),
            editor::add_milestone,
        )
        .post(
            "/orgs/{ods}/plans/{plan}/milestones/{milestone}",
            Access::InOrganisation(EDITORS),
            editor::mark_milestone,
        )
        .get(
            "/orgs/{ods}/plans/{plan}/actions/{action}/comment",
            Access::InOrganisation(COMMENTERS),
            comments::comment_page,
        )
        .post(
            "/orgs/{ods}/plans/{plan}/actions/{action}/comment",
            Access::InOrganisation(COMMENTERS),
            comments::add_comment,
        )
        .get(
            "/orgs/{ods}/plan-comments",
            Access::InOrganisation(MODERATORS),
            comments::moderation,
        )
        .post(
            "/orgs/{ods}/plan-comments/{comment}",
            Access::InOrganisation(MODERATORS),
            comments::moderate,
        )
        .post(
            "/orgs/{ods}/plans/{plan}/import",
            Access::InOrganisation(EDITORS),
            import::import,
        )
        .post(
            "/orgs/{ods}/plans/{plan}/copy",
            Access::InOrganisation(EDITORS),
            import::copy,
        )
        .get(
            "/orgs/{ods}/plans/{plan}/history",
            Access::InOrganisation(EDITORS),
            changes::history,
        )
        .post(
            "/orgs/{ods}/plans/{plan}/details",
            Access::InOrganisation(EDITORS),
            changes::edit_details,
        )
        .post(
            "/orgs/{ods}/plans/{plan}/groups",
            Access::InOrganisation(EDITORS),
            changes::add_group,
        )
        .post(
            "/orgs/{ods}/plans/{plan}/groups/{group}",
            Access::InOrganisation(EDITORS),
            changes::rename_group,
        )
        .post(
            "/orgs/{ods}/plans/{plan}/groups/{group}/remove",
            Access::InOrganisation(EDITORS),
            changes::remove_group,
        )
        .get(
            "/orgs/{ods}/plans/{plan}/actions/{action}",
            Access::InOrganisation(EDITORS),
            changes::show_action,
        )
        .post(
            "/orgs/{ods}/plans/{plan}/actions/{action}",
            Access::InOrganisation(EDITORS),
            changes::edit_action,
        )
        .post(
            "/orgs/{ods}/plans/{plan}/actions/{action}/remove",
            Access::InOrganisation(EDITORS),
            changes::remove_action,
        )
        .post(
            "/orgs/{ods}/plans/{plan}/indicators/{indicator}/remove",
            Access::InOrganisation(EDITORS),
            changes::remove_indicator,
        )
        .post(
            "/orgs/{ods}/plans/{plan}/milestones/{milestone}/remove",
            Access::InOrganisation(EDITORS),
            changes::remove_milestone,
        )
        .get(
            "/orgs/{ods}/plans/{plan}/review",
            Access::InOrganisation(SIGNERS),
            review::review,
        )
        .post(
            "/orgs/{ods}/plans/{plan}/approve",
            Access::InOrganisation(SIGNERS),
            editor::approve,
        )
}

pub use dignity_app::plans::progress::{ActionRow, rows};

/// A measure as pages show it: baseline, latest and target side by side.
pub struct IndicatorView {
    pub id: i64,
    pub action_id: i64,
    pub title: String,
    pub baseline: String,
    pub latest: String,
    /// Where the latest figure comes from.
    pub source: String,
    pub target: String,
}

pub use dignity_app::plans::measures::measures;

fn pct(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}%")
    } else {
        format!("{v:.1}%")
    }
}

/// A plan's measures, with the latest figure from the organisation's newest closed
/// culture survey when it has one (hidden below the survey minimum), else the figure typed in.
pub async fn indicator_views(
    state: &AppState,
    organisation: &Organisation,
    stored: &[store::Indicator],
) -> Result<Vec<IndicatorView>, AppError> {
    if stored.is_empty() {
        return Ok(Vec::new());
    }
    let titles = measures();
    let mut views = Vec::new();
    for measured in latest(&state.app, organisation.id, stored).await? {
        let m = measured.indicator;
        let (latest, source) = match measured.latest {
            Latest::Surveyed { percent, campaign } => (pct(percent), campaign),
            Latest::Typed { percent, source } => (pct(percent), source),
            Latest::NotKnown => ("not known yet".into(), String::new()),
        };
        views.push(IndicatorView {
            id: m.id,
            action_id: m.action_id,
            title: titles
                .iter()
                .find(|(k, _)| *k == m.code)
                .map_or(m.code.clone(), |(_, t)| t.clone()),
            baseline: pct(m.baseline),
            latest,
            source,
            target: pct(m.target),
        });
    }
    Ok(views)
}
