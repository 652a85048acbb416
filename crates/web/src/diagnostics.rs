//! Self-assessment rounds' pages (`dignity_app::diagnostics`): the list and opening a
//! round, a round's figures, asking people to rate, rating one part at a time, agreeing
//! each statement's rating and signing the round off.

use crate::access::{Access, CurrentUser};
use crate::error::AppError;
use crate::forms::{FormData, PathData, QueryData};
use crate::identity::orgs::organisation;
use crate::pages::{Chrome, FieldError, form_again, render};
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::diagnostics::system::{self, Area, SYSTEM_LEADS, SystemView};
use dignity_app::diagnostics::{
    self, AgreeForm, FormError, InviteForm, MEMBERS, OPENERS, OpenForm, Problem, RatingPage,
    RatingsForm, RoundView, RoundsPage, Saved, Typed,
};
use dignity_app::identity::Organisation;
use dignity_app::plans::signing::SIGNERS;
use dignity_domain::diagnostics::rounds::{AssessorRole, Summary, median_words};
use dignity_domain::plans::Side;
use serde::Deserialize;
use std::collections::HashMap;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/orgs/{ods}/self-assessments",
            Access::InOrganisation(MEMBERS),
            list,
        )
        .post(
            "/orgs/{ods}/self-assessments",
            Access::InOrganisation(OPENERS),
            open,
        )
        .get(
            "/orgs/{ods}/self-assessments/{id}",
            Access::InOrganisation(MEMBERS),
            round_page,
        )
        .post(
            "/orgs/{ods}/self-assessments/{id}/assessors",
            Access::InOrganisation(MEMBERS),
            invite,
        )
        .post(
            "/orgs/{ods}/self-assessments/{id}/assessors/remove",
            Access::InOrganisation(MEMBERS),
            remove_assessor,
        )
        .get(
            "/orgs/{ods}/self-assessments/{id}/rate",
            Access::InOrganisation(MEMBERS),
            rate_page,
        )
        .post(
            "/orgs/{ods}/self-assessments/{id}/rate",
            Access::InOrganisation(MEMBERS),
            rate,
        )
        .post(
            "/orgs/{ods}/self-assessments/{id}/agree",
            Access::InOrganisation(MEMBERS),
            agree,
        )
        .post(
            "/orgs/{ods}/self-assessments/{id}/sign",
            Access::InOrganisation(SIGNERS),
            sign,
        )
        .post(
            "/orgs/{ods}/self-assessments/{id}/plan",
            Access::InOrganisation(dignity_app::plans::EDITORS),
            add_to_plan,
        )
        .get(
            "/orgs/{ods}/self-assessments/{id}/download.csv",
            Access::InOrganisation(MEMBERS),
            download_csv,
        )
        .get(
            "/orgs/{ods}/self-assessments/{id}/download.xlsx",
            Access::InOrganisation(MEMBERS),
            download_xlsx,
        )
        .get(
            "/orgs/{ods}/self-assessments/{id}/summary.pdf",
            Access::InOrganisation(MEMBERS),
            summary_pdf,
        )
        .get(
            "/orgs/{ods}/system/self-assessments",
            Access::InOrganisation(SYSTEM_LEADS),
            icb_view,
        )
        .get(
            "/orgs/{ods}/system/self-assessments.csv",
            Access::InOrganisation(SYSTEM_LEADS),
            icb_csv,
        )
        .get(
            "/national/self-assessments",
            Access::Platform(system::ANALYSTS),
            national_view,
        )
        .get(
            "/national/self-assessments.csv",
            Access::Platform(system::ANALYSTS),
            national_csv,
        )
}

fn base(organisation: &Organisation) -> String {
    format!("/orgs/{}/self-assessments", organisation.ods_code)
}

fn field_errors(problems: Vec<Problem>) -> Vec<FieldError> {
    problems
        .into_iter()
        .map(|p| FieldError {
            field: p.field.into(),
            message: p.message,
        })
        .collect()
}

/// The page's chrome, under the organisation's list of rounds.
fn chrome_for(chrome: Chrome, organisation: &Organisation, title: &str) -> Chrome {
    chrome
        .titled(format!("{title}: {}", organisation.name))
        .under(base(organisation), "Self-assessments")
}

// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "diagnostics/list.html")]
struct ListPage {
    chrome: Chrome,
    organisation: Organisation,
    page: RoundsPage,
    form: OpenFields,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct OpenFields {
    framework: String,
    title: String,
    lead: String,
}

async fn list(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    show_list(
        &state,
        chrome,
        &user,
        organisation,
        OpenFields::default(),
        Vec::new(),
    )
    .await
}

async fn show_list(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    organisation: Organisation,
    form: OpenFields,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let page = diagnostics::rounds_page(&state.app, user, &organisation).await?;
    let chrome = chrome
        .titled(format!("Self-assessments: {}", organisation.name))
        .under(
            format!("/home#org-{}", organisation.ods_code),
            organisation.name.clone(),
        )
        .with_errors(errors);
    Ok(render(&ListPage {
        chrome,
        organisation,
        page,
        form,
    })?
    .into_response())
}

async fn open(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
    FormData(form): FormData<OpenFields>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let typed = OpenForm {
        framework: form.framework.clone(),
        title: form.title.clone(),
        lead: form.lead.clone(),
    };
    match diagnostics::open_round(&state.app, &user, &organisation, &typed).await {
        Ok(id) => Ok(Redirect::to(&format!("{}/{id}", base(&organisation))).into_response()),
        Err(FormError::Problems(problems)) => {
            show_list(
                &state,
                chrome,
                &user,
                organisation,
                form,
                field_errors(problems),
            )
            .await
        }
        Err(FormError::Refused(e)) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "diagnostics/round.html")]
struct RoundPage {
    chrome: Chrome,
    organisation: Organisation,
    view: RoundView,
    invite: InviteFields,
    /// What was typed into an agree form shown again: statement, rating, reason.
    agreeing: Option<(String, String, String)>,
    planning: Option<PlanFields>,
    done: Option<&'static str>,
    roles: &'static [AssessorRole],
    /// The levels chart (SVG), empty when the figures are not shown.
    chart: String,
}

impl RoundPage {
    fn spread(&self, summary: &Summary) -> String {
        summary
            .spread
            .iter()
            .zip(&self.view.framework.levels)
            .map(|(n, level)| format!("{}: {n}", level.name))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn median(&self, median: &Option<f64>) -> String {
        median_words(*median)
    }

    fn level_name(&self, rating: &i64) -> String {
        u8::try_from(*rating)
            .ok()
            .and_then(|r| self.view.framework.level(r))
            .map_or_else(|| rating.to_string(), |l| l.name.clone())
    }

    fn role_name(&self, code: &str) -> &'static str {
        code.parse::<AssessorRole>().map_or("", |r| r.label())
    }

    fn side_name(&self, code: &str) -> &'static str {
        code.parse::<Side>().map_or("", |s| s.label())
    }

    fn side_of_role(&self, code: &str) -> &'static str {
        code.parse::<AssessorRole>().map_or("", |r| {
            if r.side() == Side::Union {
                "Union"
            } else {
                "Employer"
            }
        })
    }

    fn day(&self, stored: &str) -> String {
        dignity_domain::speakup::Day::parse(stored).map_or_else(|_| stored.to_owned(), |d| d.long())
    }

    fn typed_for(&self, statement: &str) -> (String, String) {
        match &self.agreeing {
            Some((key, rating, reason)) if key == statement => (rating.clone(), reason.clone()),
            _ => (String::new(), String::new()),
        }
    }

    fn standing(&self, indicator: &diagnostics::IndicatorView) -> &'static str {
        match &indicator.position {
            Some(p) => crate::survey::compare::standing_words(p.standing),
            None => "Not shown: not asked, or too few answered",
        }
    }

    fn share(&self, indicator: &diagnostics::IndicatorView) -> String {
        indicator.position.as_ref().map_or_else(
            || "Not shown".to_owned(),
            |p| format!("{:.0}%", p.raw * 100.0),
        )
    }

    fn group_median(&self, indicator: &diagnostics::IndicatorView) -> String {
        indicator.position.as_ref().map_or_else(
            || "Not shown".to_owned(),
            |p| format!("{:.0}%", p.group_median * 100.0),
        )
    }

    fn better_words(&self, indicator: &diagnostics::IndicatorView) -> &'static str {
        match indicator.better {
            dignity_domain::survey::Direction::HigherIsBetter => "Higher is better.",
            dignity_domain::survey::Direction::LowerIsBetter => "Lower is better.",
            _ => "",
        }
    }

    fn base(&self) -> String {
        format!("{}/{}", base(&self.organisation), self.view.round.id)
    }

    /// What the "add to our plan" form of `element` shows: place and title typed before,
    /// or a title drawn from the part.
    fn planned_for(&self, element: &dignity_domain::diagnostics::Element) -> (String, String) {
        match &self.planning {
            Some(typed) if typed.element == element.key => {
                (typed.place.clone(), typed.title.clone())
            }
            _ => (String::new(), format!("Improve: {}", element.title)),
        }
    }

    fn planning_open(&self, key: &str) -> bool {
        self.planning.as_ref().is_some_and(|p| p.element == key)
    }

    fn action_status(&self, linked: &diagnostics::RoundAction) -> String {
        diagnostics::action_words(linked)
    }

    fn sent(&self) -> usize {
        self.view
            .assessors
            .iter()
            .filter(|a| a.sent_on.is_some())
            .count()
    }

    fn total(&self) -> usize {
        self.view.framework.statements().count()
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct InviteFields {
    email: String,
    role: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RoundQuery {
    done: Option<String>,
}

fn done_words(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "invited" => Some("They have been asked to rate, and sent an email."),
        "sent" => Some(
            "Your ratings have been sent. You will see everyone's once all who are asked have sent.",
        ),
        "agreed" => Some("The agreed rating has been saved."),
        "signed" => Some("You have signed the round."),
        "removed" => Some("They have been taken off the round, with any ratings they saved."),
        "planned" => Some(
            "The action has been added to the plan as a draft. Both sides sign the plan again to publish it.",
        ),
        _ => None,
    }
}

async fn round_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id)): PathData<(String, i64)>,
    QueryData(query): QueryData<RoundQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let view = diagnostics::round_view(&state.app, &user, &organisation, id).await?;
    show_round(
        chrome,
        organisation,
        view,
        Again {
            done: done_words(query.done.as_deref()),
            ..Again::default()
        },
    )
}

/// What the round's page shows again after a form on it: what was typed, and why not.
#[derive(Default)]
struct Again {
    invite: InviteFields,
    /// An agree form: statement, rating, reason.
    agreeing: Option<(String, String, String)>,
    /// An "add to our plan" form.
    planning: Option<PlanFields>,
    done: Option<&'static str>,
    errors: Vec<FieldError>,
    conflict: bool,
}

fn show_round(
    chrome: Chrome,
    organisation: Organisation,
    view: RoundView,
    again: Again,
) -> Result<Response, AppError> {
    let chrome = chrome_for(chrome, &organisation, &view.round.title).with_errors(again.errors);
    let chart = level_chart(&view);
    form_again(
        &RoundPage {
            chrome,
            organisation,
            view,
            invite: again.invite,
            agreeing: again.agreeing,
            planning: again.planning,
            done: again.done,
            roles: AssessorRole::ALL,
            chart,
        },
        again.conflict,
    )
}

/// Each part's level as a bar, last round's marked, when the figures may be seen.
fn level_chart(view: &RoundView) -> String {
    if !view.may_see_figures {
        return String::new();
    }
    let bars: Vec<crate::charts::LevelBar> = view
        .elements
        .iter()
        .map(|part| crate::charts::LevelBar {
            label: part.element.title.clone(),
            level: part.level,
            last: part.last,
            shown: shown_level(part),
        })
        .collect();
    let summary = if view.previous.is_some() {
        "Each part's level, with a black line at its level in the last round. The table below gives the same figures."
    } else {
        "Each part's level. The table below gives the same figures."
    };
    crate::charts::level_chart(
        "levels",
        "How each part is rated",
        summary,
        view.framework.top(),
        &bars,
    )
}

/// A part's level in words, with last round's beside it.
fn shown_level(part: &diagnostics::ElementView) -> String {
    let now = median_words(part.level);
    match part.last {
        Some(last) => format!("{now} (last round {})", median_words(Some(last))),
        None => now,
    }
}

fn invitation(
    base_url: &str,
    organisation: &Organisation,
) -> impl Fn(&str, &diagnostics::Round, &str) -> dignity_app::mail::NewMail {
    let base_url = base_url.trim_end_matches('/').to_owned();
    let (name, ods) = (organisation.name.clone(), organisation.ods_code.clone());
    move |to, round, role| dignity_app::mail::NewMail {
        purpose: format!("self-assessment:{}", round.id),
        to: to.to_owned(),
        subject: format!("Please rate {}: {}", round.title, name),
        body: format!(
            "You are asked to rate \"{}\" at {name}, as the {}.\n\n\
             Rate each statement on your own, from what you see happen now. You can save and come back.\n\n\
             Start here:\n{base_url}/orgs/{ods}/self-assessments/{}/rate\n",
            round.title,
            role.to_lowercase(),
            round.id
        ),
        attachment: None,
    }
}

async fn invite(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id)): PathData<(String, i64)>,
    FormData(form): FormData<InviteFields>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let typed = InviteForm {
        email: form.email.clone(),
        role: form.role.clone(),
    };
    let letter = invitation(&state.settings.public_url, &organisation);
    match diagnostics::invite(&state.app, &user, &organisation, id, &typed, letter).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "{}/{id}?done=invited#assessors",
            base(&organisation)
        ))
        .into_response()),
        Err(FormError::Problems(problems)) => {
            let view = diagnostics::round_view(&state.app, &user, &organisation, id).await?;
            show_round(
                chrome,
                organisation,
                view,
                Again {
                    invite: form,
                    errors: field_errors(problems),
                    ..Again::default()
                },
            )
        }
        Err(FormError::Refused(e)) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RemoveFields {
    person: String,
}

async fn remove_assessor(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id)): PathData<(String, i64)>,
    FormData(form): FormData<RemoveFields>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    diagnostics::remove_assessor(&state.app, &user, &organisation, id, &form.person).await?;
    Ok(Redirect::to(&format!(
        "{}/{id}?done=removed#assessors",
        base(&organisation)
    ))
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AgreeFields {
    statement: String,
    rating: String,
    reason: String,
    version: String,
}

async fn agree(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id)): PathData<(String, i64)>,
    FormData(form): FormData<AgreeFields>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let typed = AgreeForm {
        statement: form.statement.clone(),
        rating: form.rating.clone(),
        reason: form.reason.clone(),
        version: form.version.clone(),
    };
    let (problems, conflict) =
        match diagnostics::agree(&state.app, &user, &organisation, id, &typed).await {
            Ok(()) => {
                return Ok(Redirect::to(&format!(
                    "{}/{id}?done=agreed#statement-{}",
                    base(&organisation),
                    typed.statement
                ))
                .into_response());
            }
            Err(FormError::Problems(problems)) => (field_errors(problems), false),
            Err(FormError::Refused(dignity_app::Error::Conflict(message))) => (
                vec![FieldError {
                    field: format!("agreed-{}", typed.statement).into(),
                    message,
                }],
                true,
            ),
            Err(FormError::Refused(e)) => return Err(e.into()),
        };
    let view = diagnostics::round_view(&state.app, &user, &organisation, id).await?;
    show_round(
        chrome,
        organisation,
        view,
        Again {
            agreeing: Some((form.statement, form.rating, form.reason)),
            errors: problems,
            conflict,
            ..Again::default()
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SignFields {
    side: String,
    version: String,
}

async fn sign(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id)): PathData<(String, i64)>,
    FormData(form): FormData<SignFields>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    diagnostics::sign(
        &state.app,
        &user,
        &organisation,
        id,
        &form.side,
        &form.version,
    )
    .await?;
    Ok(Redirect::to(&format!("{}/{id}?done=signed#sign", base(&organisation))).into_response())
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct PlanFields {
    element: String,
    place: String,
    title: String,
}

async fn add_to_plan(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id)): PathData<(String, i64)>,
    FormData(form): FormData<PlanFields>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let typed = diagnostics::PlanForm {
        element: form.element.clone(),
        place: form.place.clone(),
        title: form.title.clone(),
    };
    match diagnostics::add_to_plan(&state.app, &user, &organisation, id, &typed).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "{}/{id}?done=planned#part-{}",
            base(&organisation),
            typed.element
        ))
        .into_response()),
        Err(FormError::Problems(problems)) => {
            let view = diagnostics::round_view(&state.app, &user, &organisation, id).await?;
            show_round(
                chrome,
                organisation,
                view,
                Again {
                    planning: Some(form),
                    errors: field_errors(problems),
                    ..Again::default()
                },
            )
        }
        // Already in the plan (the form sent twice): said beside the form, typing kept.
        Err(FormError::Refused(dignity_app::Error::Conflict(message))) => {
            let view = diagnostics::round_view(&state.app, &user, &organisation, id).await?;
            let field = format!("action-{}", form.element);
            show_round(
                chrome,
                organisation,
                view,
                Again {
                    planning: Some(form),
                    errors: vec![FieldError {
                        field: field.into(),
                        message,
                    }],
                    conflict: true,
                    ..Again::default()
                },
            )
        }
        Err(FormError::Refused(e)) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------
// Downloads: the round's figures as a table, and a one-page summary.

async fn download_view(
    state: &AppState,
    user: &CurrentUser,
    ods: &str,
    id: i64,
) -> Result<(Organisation, RoundView), AppError> {
    let organisation = organisation(state, ods).await?;
    let view = diagnostics::round_view(&state.app, user, &organisation, id).await?;
    Ok((organisation, view))
}

async fn download_csv(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id)): PathData<(String, i64)>,
) -> Result<Response, AppError> {
    use crate::table::Download;
    let (organisation, view) = download_view(&state, &user, &ods, id).await?;
    Ok(diagnostics::round_table(&view, &organisation.ods_code)?.csv_response())
}

async fn download_xlsx(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id)): PathData<(String, i64)>,
) -> Result<Response, AppError> {
    use crate::table::Download;
    let (organisation, view) = download_view(&state, &user, &ods, id).await?;
    diagnostics::round_table(&view, &organisation.ods_code)?.xlsx_response()
}

async fn summary_pdf(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id)): PathData<(String, i64)>,
) -> Result<Response, AppError> {
    let (organisation, view) = download_view(&state, &user, &ods, id).await?;
    if !view.may_see_figures {
        return Err(dignity_app::Error::Forbidden.into());
    }
    let summary = one_page(&organisation, &view, state.app.clock.today());
    // Drawing a page takes a few milliseconds of CPU: kept off the request threads.
    let pdf = tokio::task::spawn_blocking(move || dignity_poster::summary::pdf(&summary))
        .await
        .map_err(|e| AppError::Internal(format!("summary: {e}")))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"self-assessment-{}-{id}.pdf\"",
                    organisation.ods_code
                ),
            ),
        ],
        pdf,
    )
        .into_response())
}

/// The round in words for its one-page summary: every part's level, then what to look
/// at, by fixed rules (flags first, then weak parts, sides apart and actions).
fn one_page(
    organisation: &Organisation,
    view: &RoundView,
    today: dignity_domain::speakup::Day,
) -> dignity_poster::summary::Summary {
    use dignity_poster::summary::{Part, Summary};
    let mut flagged = Vec::new();
    let mut weak = Vec::new();
    let mut apart = Vec::new();
    let mut actions = Vec::new();
    for part in &view.elements {
        let title = &part.element.title;
        if part.staff_say_otherwise {
            flagged.push(format!(
                "{title}: rated strong, but staff answered worse than at similar organisations."
            ));
        } else if part.weak {
            weak.push(format!(
                "{title}: rated weak, at level {}.",
                median_words(part.level)
            ));
        }
        if part.summary.sides_apart() {
            apart.push(format!(
                "{title}: the employer side and the union side are 2 levels or more apart."
            ));
        }
        for linked in &part.actions {
            actions.push(format!(
                "{title}: the action \"{}\" in {}: {}.",
                linked.action.title,
                linked.plan_title,
                diagnostics::action_words(linked)
            ));
        }
    }
    let signed = if view.signed_off {
        let names: Vec<String> = view
            .signoffs
            .iter()
            .map(|s| {
                format!(
                    "for the {} side by {}",
                    s.side
                        .parse::<Side>()
                        .map_or("", |side| side.label())
                        .to_lowercase(),
                    s.name
                )
            })
            .collect();
        format!("Signed off {}.", names.join(" and "))
    } else {
        "Not signed off yet: these figures may still change.".to_owned()
    };
    Summary {
        organisation: organisation.name.clone(),
        title: view.round.title.clone(),
        framework: format!(
            "{}, version {}",
            view.framework.title, view.framework.version
        ),
        as_of: match &view.previous {
            Some(previous) => format!(
                "Summary made on {}. Compared with {}.",
                today.long(),
                previous.title
            ),
            None => format!("Summary made on {}.", today.long()),
        },
        top: view.framework.top(),
        levels: view
            .framework
            .levels
            .iter()
            .map(|l| format!("{} {}", l.rating, l.name))
            .collect(),
        parts: view
            .elements
            .iter()
            .map(|part| Part {
                title: part.element.title.clone(),
                level: part.level,
                last: part.last,
                shown: shown_level(part),
            })
            .collect(),
        notes: [flagged, weak, apart, actions].concat(),
        signed,
    }
}

// ---------------------------------------------------------------------------------------
// Across organisations: an integrated care board's area for its system leads, and any
// region or the nation for national analysts.

#[derive(Template)]
#[template(path = "diagnostics/system.html")]
struct SystemPage {
    chrome: Chrome,
    view: SystemView,
    /// The page's own address, without a query.
    here: String,
    /// The chosen framework's key.
    chosen: String,
    /// For analysts: the areas to choose from (value, name) and the one chosen.
    areas: Vec<(String, String)>,
    area: String,
    chart: String,
}

impl SystemPage {
    fn median(&self, level: &Option<f64>) -> String {
        median_words(*level)
    }

    fn day(&self, stored: &str) -> String {
        dignity_domain::speakup::Day::parse(stored).map_or_else(|_| stored.to_owned(), |d| d.long())
    }

    fn csv_link(&self) -> String {
        let mut link = format!("{}.csv?framework={}", self.here, self.chosen);
        if !self.area.is_empty() {
            link.push_str(&format!("&area={}", self.area));
        }
        link
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SystemQuery {
    framework: String,
    /// For analysts: `region:CODE` or `icb:ODS`; blank for England.
    area: String,
}

fn system_chart(view: &SystemView) -> String {
    let Some(framework) = &view.framework else {
        return String::new();
    };
    if view.rows.is_empty() {
        return String::new();
    }
    let bars: Vec<crate::charts::LevelBar> = view
        .parts
        .iter()
        .map(|part| crate::charts::LevelBar {
            label: part.element.title.clone(),
            level: part.median,
            last: None,
            shown: median_words(part.median),
        })
        .collect();
    crate::charts::level_chart(
        "system-levels",
        "The middle level of each part across organisations",
        "Each part's middle level across the organisations counted. The tables below give the same figures and the spread.",
        framework.top(),
        &bars,
    )
}

fn show_system(
    chrome: Chrome,
    view: SystemView,
    here: String,
    chosen: String,
    areas: Vec<(String, String)>,
    area: String,
) -> Result<Response, AppError> {
    let chrome = chrome.titled(format!("Self-assessments across {}", view.area.name()));
    let chart = system_chart(&view);
    Ok(render(&SystemPage {
        chrome,
        view,
        here,
        chosen,
        areas,
        area,
        chart,
    })?
    .into_response())
}

fn chosen_key(view: &SystemView) -> String {
    view.framework
        .as_ref()
        .map(|f| f.key.clone())
        .unwrap_or_default()
}

async fn icb_system(
    state: &AppState,
    user: &CurrentUser,
    ods: &str,
    query: &SystemQuery,
) -> Result<SystemView, AppError> {
    let icb = organisation(state, ods).await?;
    Ok(system::system_view(&state.app, user, Area::Icb(icb), &query.framework).await?)
}

async fn icb_view(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(ods): PathData<String>,
    QueryData(query): QueryData<SystemQuery>,
) -> Result<Response, AppError> {
    let view = icb_system(&state, &user, &ods, &query).await?;
    let here = format!("/orgs/{ods}/system/self-assessments");
    let chosen = chosen_key(&view);
    show_system(chrome, view, here, chosen, Vec::new(), String::new())
}

async fn icb_csv(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    PathData(ods): PathData<String>,
    QueryData(query): QueryData<SystemQuery>,
) -> Result<Response, AppError> {
    use crate::table::Download;
    let view = icb_system(&state, &user, &ods, &query).await?;
    Ok(system::system_table(&view).csv_response())
}

/// Every area an analyst may choose: England, each region, each integrated care board.
async fn national_areas(state: &AppState) -> Result<Vec<(String, String)>, AppError> {
    use dignity_domain::identity::Region;
    let mut areas = vec![(String::new(), "All of England".to_owned())];
    areas.extend(
        Region::ALL
            .iter()
            .map(|r| (format!("region:{}", r.code()), r.label().to_owned())),
    );
    areas.extend(
        system::boards(&state.app)
            .await?
            .into_iter()
            .map(|o| (format!("icb:{}", o.ods_code), o.name)),
    );
    Ok(areas)
}

async fn national_system(
    state: &AppState,
    user: &CurrentUser,
    query: &SystemQuery,
) -> Result<(SystemView, String), AppError> {
    let area = query.area.trim();
    let (chosen, picked) =
        if let Some(code) = area.strip_prefix("region:") {
            let region = code
                .parse::<dignity_domain::identity::Region>()
                .map_err(|_| {
                    dignity_app::Error::Invalid(dignity_domain::identity::InvalidValue::Message(
                        "Choose an area from the list",
                    ))
                })?;
            (Area::Region(region), format!("region:{}", region.code()))
        } else if let Some(ods) = area.strip_prefix("icb:") {
            let board = organisation(state, ods).await?;
            let picked = format!("icb:{}", board.ods_code);
            (Area::Icb(board), picked)
        } else if area.is_empty() {
            (Area::Nation, String::new())
        } else {
            return Err(dignity_app::Error::Invalid(
                dignity_domain::identity::InvalidValue::Message("Choose an area from the list"),
            )
            .into());
        };
    let view = system::system_view(&state.app, user, chosen, &query.framework).await?;
    Ok((view, picked))
}

async fn national_view(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    QueryData(query): QueryData<SystemQuery>,
) -> Result<Response, AppError> {
    let (view, area) = national_system(&state, &user, &query).await?;
    let areas = national_areas(&state).await?;
    let chosen = chosen_key(&view);
    show_system(
        chrome,
        view,
        "/national/self-assessments".to_owned(),
        chosen,
        areas,
        area,
    )
}

async fn national_csv(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    QueryData(query): QueryData<SystemQuery>,
) -> Result<Response, AppError> {
    use crate::table::Download;
    let (view, _) = national_system(&state, &user, &query).await?;
    Ok(system::system_table(&view).csv_response())
}

// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "diagnostics/rate.html")]
struct RatePage {
    chrome: Chrome,
    organisation: Organisation,
    page: RatingPage,
    saved: bool,
}

impl RatePage {
    fn typed(&self, key: &str) -> Typed {
        self.page.typed(key)
    }

    fn is_last(&self) -> bool {
        self.page.at + 1 >= self.page.framework.elements.len()
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RateQuery {
    part: Option<String>,
    saved: Option<String>,
}

async fn rate_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id)): PathData<(String, i64)>,
    QueryData(query): QueryData<RateQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let page =
        diagnostics::rating_page(&state.app, &user, &organisation, id, query.part.as_deref())
            .await?;
    let title = page
        .element()
        .map_or_else(|| "Rate".to_owned(), |e| format!("Rate: {}", e.title));
    Ok(render(&RatePage {
        chrome: chrome_for(chrome, &organisation, &title),
        organisation,
        page,
        saved: query.saved.is_some(),
    })?
    .into_response())
}

/// The rating form: `part`, then `rating-KEY`, `evidence-KEY` and `links-KEY` for each
/// statement, and `action` (save, next or send).
async fn rate(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id)): PathData<(String, i64)>,
    FormData(fields): FormData<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let part = fields.get("part").cloned().unwrap_or_default();
    let action = fields.get("action").map(String::as_str).unwrap_or("save");
    let mut typed: HashMap<String, Typed> = HashMap::new();
    for (name, value) in &fields {
        let (slot, key) = match name.split_once('-') {
            Some(("rating" | "evidence" | "links", key)) => (name.as_str(), key),
            _ => continue,
        };
        let entry = typed.entry(key.to_owned()).or_default();
        if slot.starts_with("rating") {
            entry.rating = value.clone();
        } else if slot.starts_with("evidence") {
            entry.evidence = value.clone();
        } else {
            entry.links = value.clone();
        }
    }
    let form = RatingsForm {
        element: part.clone(),
        typed: typed.clone(),
        send: action == "send",
    };
    match diagnostics::save_ratings(&state.app, &user, &organisation, id, &form).await {
        Ok(Saved::Sent) => {
            Ok(Redirect::to(&format!("{}/{id}?done=sent", base(&organisation))).into_response())
        }
        Ok(Saved::Saved(next)) => {
            let target = match (action, next) {
                ("next", Some(next)) => format!("{}/{id}/rate?part={next}", base(&organisation)),
                _ => format!("{}/{id}/rate?part={part}&saved=1", base(&organisation)),
            };
            Ok(Redirect::to(&target).into_response())
        }
        Err(FormError::Problems(problems)) => {
            let part = Some(part.as_str()).filter(|p| !p.is_empty());
            let mut page =
                diagnostics::rating_page(&state.app, &user, &organisation, id, part).await?;
            page.typed.extend(typed);
            let title = page
                .element()
                .map_or_else(|| "Rate".to_owned(), |e| format!("Rate: {}", e.title));
            Ok(render(&RatePage {
                chrome: chrome_for(chrome, &organisation, &title)
                    .with_errors(field_errors(problems)),
                organisation,
                page,
                saved: false,
            })?
            .into_response())
        }
        Err(FormError::Refused(e)) => Err(e.into()),
    }
}
