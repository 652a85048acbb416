//! An organisation's own administration pages: its people, its structure, its audit log.

use crate::access::{Access, CurrentUser};
use crate::date_input::{self, Typed};
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
use dignity_app::identity::organisations as orgs;
use dignity_app::identity::{OrgUnit, Organisation};
use dignity_domain::identity::{Name, OrgUnitKind, Role};
use serde::Deserialize;

const ADMINS: &[Role] = &[Role::OrgAdmin];

pub fn routes(routes: Routes) -> Routes {
    routes
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
            Access::Platform(dignity_app::identity::ANALYSTS),
            national_organisation,
        )
}

/// Where an organisation's administration pages lead back up to: its part of the home
/// page, which lists what the person can do there.
fn organisation_home(organisation: &Organisation) -> String {
    format!("/home#org-{}", organisation.ods_code)
}

pub(crate) async fn organisation(state: &AppState, ods: &str) -> Result<Organisation, AppError> {
    Ok(orgs::organisation(&state.app, ods).await?)
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
    let chrome = chrome
        .titled(format!("Structure: {}", organisation.name))
        .under(organisation_home(&organisation), organisation.name.clone());
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

/// Which national table linked to an organisation's page: `surveys` for the survey
/// oversight table, else the Speak Up table.
#[derive(Deserialize, Default)]
#[serde(default)]
struct NationalFrom {
    from: String,
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
    from: Result<Query<NationalFrom>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    // Back up to the national table the person came from, at this organisation's row.
    let (table, table_name) = match from.map(|Query(f)| f.from).unwrap_or_default().as_str() {
        "surveys" => ("/national/surveys", "Staff survey oversight"),
        _ => ("/national/speak-up", "Speaking up across organisations"),
    };
    let chrome = chrome.under(format!("{table}#org-{}", organisation.ods_code), table_name);
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
    /// Each entry with its time in UK time and what was done in words, people named.
    entries: Vec<(orgs::ListedAuditEntry, String, String)>,
    /// The kinds to choose from, as (kind, words).
    kinds: Vec<(String, &'static str)>,
    query: AuditQuery,
    /// "Showing 51 to 100 of 312 entries", or nothing when none are shown.
    showing: String,
    newer: Option<String>,
    older: Option<String>,
    filtered: bool,
}

/// The audit log's filter and page, as a GET form sends them.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct AuditQuery {
    kind: String,
    #[serde(rename = "from-day")]
    from_day: String,
    #[serde(rename = "from-month")]
    from_month: String,
    #[serde(rename = "from-year")]
    from_year: String,
    #[serde(rename = "to-day")]
    to_day: String,
    #[serde(rename = "to-month")]
    to_month: String,
    #[serde(rename = "to-year")]
    to_year: String,
    page: Option<i64>,
}

impl AuditQuery {
    /// The filter as an address query, without the page, for the paging links.
    fn filter_query(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("kind", self.kind.as_str()),
                ("from-day", &self.from_day),
                ("from-month", &self.from_month),
                ("from-year", &self.from_year),
                ("to-day", &self.to_day),
                ("to-month", &self.to_month),
                ("to-year", &self.to_year),
            ])
            .finish()
    }
}

/// Kinds of action, in the words people read. A kind not listed here reads "Other".
const AUDIT_KINDS: &[(&str, &str)] = &[
    ("event", "Events"),
    ("library", "Library"),
    ("news", "News"),
    ("org_unit", "Divisions, directorates and teams"),
    ("organisation", "The organisation"),
    ("person", "People's accounts"),
    ("plan", "Action plans"),
    ("role", "Roles"),
    ("secret", "Keys"),
    ("session", "Signing in"),
    ("speakup", "Speak Up"),
    ("survey", "Surveys"),
];

fn kind_words(kind: &str) -> &'static str {
    AUDIT_KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, words)| *words)
        .unwrap_or("Other")
}

const AUDIT_PAGE_SIZE: i64 = 50;

async fn audit_log(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(ods): Path<String>,
    query: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    // An address someone has edited by hand is read as far as it makes sense.
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let mut errors = Vec::new();
    let from = date_input::optional(
        &Typed::new(&query.from_day, &query.from_month, &query.from_year),
        "from",
        "the from date",
        &mut errors,
    );
    let to = date_input::optional(
        &Typed::new(&query.to_day, &query.to_month, &query.to_year),
        "to",
        "the to date",
        &mut errors,
    );
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        errors.push(date_input::problem(
            "to",
            "The to date must be the same as or after the from date",
        ));
    }
    let kinds: Vec<(String, &'static str)> = orgs::audit_kinds(&state.app, &organisation)
        .await?
        .into_iter()
        .map(|k| {
            let words = kind_words(&k);
            (k, words)
        })
        .collect();
    let kind = kinds
        .iter()
        .find(|(k, _)| *k == query.kind)
        .map(|(k, _)| k.as_str());
    let filter = orgs::AuditFilter {
        kind,
        from: from.and_then(|d| crate::uk_time::start_of_day(d.civil())),
        // Up to the end of the day chosen.
        until: to.and_then(|d| crate::uk_time::start_of_day(d.plus_days(1).civil())),
    };
    let page = query.page.unwrap_or(1).max(1);
    let found = if errors.is_empty() {
        orgs::audit_page(&state.app, &organisation, &filter, page, AUDIT_PAGE_SIZE).await?
    } else {
        orgs::AuditPage {
            entries: Vec::new(),
            total: 0,
        }
    };
    let first = (page - 1).saturating_mul(AUDIT_PAGE_SIZE);
    let shown = found.entries.len() as i64;
    let showing = if shown == 0 {
        String::new()
    } else {
        format!(
            "Showing {} to {} of {} {}",
            first + 1,
            first + shown,
            found.total,
            if found.total == 1 { "entry" } else { "entries" }
        )
    };
    let base = format!(
        "/orgs/{}/audit?{}",
        organisation.ods_code,
        query.filter_query()
    );
    let newer = (page > 1).then(|| format!("{base}&page={}", page - 1));
    let older = (first + shown < found.total).then(|| format!("{base}&page={}", page + 1));
    let said = orgs::audit_in_words(&state.app, &found.entries).await?;
    let entries = found
        .entries
        .into_iter()
        .zip(said)
        .map(|(e, what)| {
            let when = crate::uk_time::moment(e.entry.at);
            (e, when, what)
        })
        .collect();
    let filtered = filter.kind.is_some() || filter.from.is_some() || filter.until.is_some();
    let chrome = chrome
        .titled(format!("Audit log: {}", organisation.name))
        .under(organisation_home(&organisation), organisation.name.clone())
        .with_errors(errors);
    Ok(render(&AuditPage {
        chrome,
        organisation,
        entries,
        kinds,
        query,
        showing,
        newer,
        older,
        filtered,
    })?
    .into_response())
}
