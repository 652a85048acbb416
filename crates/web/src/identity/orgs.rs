//! An organisation's own administration pages: its people, its structure, its audit log.

use crate::access::{Access, CurrentUser};
use crate::error::AppError;
use crate::forms::FormData;
use crate::pages::{Chrome, FieldError, render};
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::identity::organisations::{self as orgs, AuditEntry};
use dignity_app::identity::{Member, OrgUnit, Organisation};
use dignity_domain::identity::{Name, OrgUnitKind, Role};
use serde::Deserialize;

const ADMINS: &[Role] = &[Role::OrgAdmin];

pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/orgs/{ods}/people", Access::InOrganisation(ADMINS), people)
        .get(
            "/orgs/{ods}/structure",
            Access::InOrganisation(ADMINS),
            structure,
        )
        .post(
            "/orgs/{ods}/structure",
            Access::InOrganisation(ADMINS),
            add_unit,
        )
        .get(
            "/orgs/{ods}/audit",
            Access::InOrganisation(ADMINS),
            audit_log,
        )
        .get(
            "/national/organisations/{ods}",
            Access::Platform(&[Role::NationalAnalyst]),
            national_organisation,
        )
}

pub(crate) async fn organisation(state: &AppState, ods: &str) -> Result<Organisation, AppError> {
    Ok(orgs::organisation(&state.app, ods).await?)
}

#[derive(Template)]
#[template(path = "orgs/people.html")]
struct PeoplePage {
    chrome: Chrome,
    organisation: Organisation,
    members: Vec<Member>,
}

async fn people(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(ods): Path<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let members = orgs::members(&state.app, &organisation).await?;
    let chrome = chrome.titled(format!("People and roles: {}", organisation.name));
    Ok(render(&PeoplePage {
        chrome,
        organisation,
        members,
    })?
    .into_response())
}

/// A unit with its depth in the tree, for indenting.
struct UnitRow {
    unit: OrgUnit,
    depth: usize,
}

#[derive(Template)]
#[template(path = "orgs/structure.html")]
struct StructurePage {
    chrome: Chrome,
    organisation: Organisation,
    units: Vec<UnitRow>,
    kinds: &'static [OrgUnitKind],
    form: UnitForm,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct UnitForm {
    name: String,
    kind: String,
    parent: String,
}

async fn structure_page(
    state: &AppState,
    chrome: Chrome,
    organisation: Organisation,
    form: UnitForm,
) -> Result<StructurePage, AppError> {
    let units = orgs::units(&state.app, &organisation).await?;
    let depth_of = |unit: &OrgUnit| match unit.kind {
        OrgUnitKind::Division => 0,
        OrgUnitKind::Directorate => 1,
        OrgUnitKind::Team => 2,
    };
    let units = units
        .into_iter()
        .map(|unit| UnitRow {
            depth: depth_of(&unit),
            unit,
        })
        .collect();
    let chrome = chrome.titled(format!("Structure: {}", organisation.name));
    Ok(StructurePage {
        chrome,
        organisation,
        units,
        kinds: OrgUnitKind::ALL,
        form,
    })
}

async fn structure(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(ods): Path<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    Ok(
        render(&structure_page(&state, chrome, organisation, UnitForm::default()).await?)?
            .into_response(),
    )
}

async fn add_unit(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
    FormData(form): FormData<UnitForm>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let mut errors = Vec::new();
    let name = Name::parse(&form.name, "Enter a name for the unit")
        .map_err(|e| {
            errors.push(FieldError {
                field: "name".into(),
                message: e.to_string(),
            })
        })
        .ok();
    let kind = form
        .kind
        .parse::<OrgUnitKind>()
        .map_err(|_| {
            errors.push(FieldError {
                field: "kind".into(),
                message: "Choose what kind of unit this is".into(),
            })
        })
        .ok();
    let parent = match form.parent.trim() {
        "" => None,
        raw => match raw.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldError {
                    field: "parent".into(),
                    message: "Choose where this unit sits".into(),
                });
                None
            }
        },
    };
    if let (Some(name), Some(kind), true) = (&name, kind, errors.is_empty()) {
        let created = orgs::add_unit(
            &state.app,
            &user.person.email,
            &organisation,
            parent,
            kind,
            name,
        )
        .await;
        match created {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/orgs/{}/structure", organisation.ods_code))
                        .into_response(),
                );
            }
            Err(dignity_app::Error::Invalid(e)) => errors.push(FieldError {
                field: "parent".into(),
                message: e.to_string(),
            }),
            Err(dignity_app::Error::Conflict(m)) => errors.push(FieldError {
                field: "name".into(),
                message: m,
            }),
            Err(dignity_app::Error::NotFound(_)) => errors.push(FieldError {
                field: "parent".into(),
                message: "Choose where this unit sits".into(),
            }),
            Err(other) => return Err(other.into()),
        }
    }
    let page = structure_page(&state, chrome, organisation, form).await?;
    let page = StructurePage {
        chrome: page.chrome.clone().with_errors(errors),
        ..page
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

#[derive(Template)]
#[template(path = "orgs/national.html")]
struct NationalOrganisationPage {
    chrome: Chrome,
    organisation: Organisation,
    speak_up: bool,
    published_plan: bool,
}

/// One organisation as a national analyst sees it, linked from the national tables: what
/// it is, what it has set up, and where its figures are.
async fn national_organisation(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(ods): Path<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let speak_up = dignity_app::speakup::report::organisations_taking_concerns(&state.app)
        .await?
        .iter()
        .any(|o| o.id == organisation.id);
    let published_plan = dignity_app::plans::plans_for(&state.app, organisation.id)
        .await?
        .iter()
        .any(|p| p.published_version.is_some());
    Ok(render(&NationalOrganisationPage {
        chrome: chrome.titled(organisation.name.clone()),
        organisation,
        speak_up,
        published_plan,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "orgs/audit.html")]
struct AuditPage {
    chrome: Chrome,
    organisation: Organisation,
    entries: Vec<(AuditEntry, String)>,
    older: Option<i64>,
}

#[derive(Deserialize, Default)]
struct AuditQuery {
    before: Option<i64>,
}

const AUDIT_PAGE_SIZE: i64 = 50;

async fn audit_log(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(ods): Path<String>,
    Query(query): Query<AuditQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let entries = orgs::audit_log(&state.app, &organisation, query.before, AUDIT_PAGE_SIZE).await?;
    let older = (entries.len() as i64 == AUDIT_PAGE_SIZE)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    let entries = entries
        .into_iter()
        .map(|e| {
            let when = format_time(e.at);
            (e, when)
        })
        .collect();
    let chrome = chrome.titled(format!("Audit log: {}", organisation.name));
    Ok(render(&AuditPage {
        chrome,
        organisation,
        entries,
        older,
    })?
    .into_response())
}

/// "24 Nov 2026, 18:27 UTC": unambiguous for every reader.
fn format_time(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|t| t.strftime("%-d %b %Y, %H:%M UTC").to_string())
        .unwrap_or_else(|_| unix.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_read_plainly() {
        assert_eq!(super::format_time(1_795_545_600), "24 Nov 2026, 18:40 UTC");
    }
}
