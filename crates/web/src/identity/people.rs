//! People and their roles (issue 22): an organisation's administrators look after its
//! people at `/orgs/{ods}/people`, the platform's administrators after everyone at
//! `/admin/people`. The two share these pages; the app decides what each may change.

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
use dignity_app::Error;
use dignity_app::identity::Organisation;
use dignity_app::identity::people::{self, PeoplePage, PersonView, RolePlace, Scope};
use dignity_domain::identity::{Region, Role, RoleScope};
use serde::Deserialize;

const ORG_ADMINS: &[Role] = &[Role::OrgAdmin];
const PLATFORM_ADMINS: &[Role] = &[Role::PlatformAdmin];

pub fn routes(routes: Routes) -> Routes {
    let here = Access::InOrganisation(ORG_ADMINS);
    let everywhere = Access::Platform(PLATFORM_ADMINS);
    routes
        .get("/orgs/{ods}/people", here, org_list)
        .post("/orgs/{ods}/people", here, org_add)
        .get("/orgs/{ods}/people/{id}", here, org_person)
        .post("/orgs/{ods}/people/{id}/roles", here, org_give)
        .post("/orgs/{ods}/people/{id}/roles/remove", here, org_take)
        .post("/orgs/{ods}/people/{id}/sessions/end", here, org_end)
        .get("/admin/people", everywhere, all_list)
        .get("/admin/people/{id}", everywhere, all_person)
        .post("/admin/people/{id}/roles", everywhere, all_give)
        .post("/admin/people/{id}/roles/remove", everywhere, all_take)
        .post("/admin/people/{id}/sessions/end", everywhere, all_end)
        .post("/admin/people/{id}/account", everywhere, all_account)
}

/// Whose people a page is about, and where its pages are.
struct Place {
    scope: Scope,
    /// `/orgs/RJ1/people` or `/admin/people`.
    base: String,
    /// The organisation's name, or "All of Dignity".
    caption: String,
}

async fn organisation_place(state: &AppState, ods: &str) -> Result<Place, AppError> {
    let organisation = crate::identity::orgs::organisation(state, ods).await?;
    Ok(Place {
        base: format!("/orgs/{}/people", organisation.ods_code),
        caption: organisation.name.clone(),
        scope: Scope::Organisation(organisation),
    })
}

fn everyone() -> Place {
    Place {
        scope: Scope::Everyone,
        base: "/admin/people".into(),
        caption: "All of Dignity".into(),
    }
}

impl Place {
    fn organisation(&self) -> Option<&Organisation> {
        match &self.scope {
            Scope::Organisation(org) => Some(org),
            Scope::Everyone => None,
        }
    }

    fn platform(&self) -> bool {
        matches!(self.scope, Scope::Everyone)
    }

    /// The roles its administrators may give: an organisation's, those held in an
    /// organisation of its kind; the platform's, every role.
    fn grantable(&self) -> Vec<Role> {
        Role::ALL
            .iter()
            .copied()
            .filter(|role| match self.organisation() {
                Some(org) => {
                    role.scope() == RoleScope::Organisation
                        && role.held_only_in().is_none_or(|kind| kind == org.org_type)
                }
                None => true,
            })
            .collect()
    }

    fn chrome(&self, chrome: Chrome, title: String) -> Chrome {
        let chrome = chrome.titled(title);
        match self.organisation() {
            Some(org) => chrome.under(format!("/home#org-{}", org.ods_code), org.name.clone()),
            None => chrome.under("/home", "Home"),
        }
    }
}

fn person_id(raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AppError::NotFound("There is nobody with that number here".into()))
}

// ---- Lists ----

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    q: String,
    page: String,
    done: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct AddForm {
    email: Option<String>,
    role: Option<String>,
    reason: Option<String>,
}

#[derive(Template)]
#[template(path = "people/list.html")]
struct ListPage {
    chrome: Chrome,
    caption: String,
    base: String,
    platform: bool,
    query: String,
    found: PeoplePage,
    done: Option<&'static str>,
    grantable: Vec<Role>,
    email: String,
    role: String,
    reason: String,
    most_reason: usize,
}

impl ListPage {
    fn page_href(&self, page: i64) -> String {
        let mut url = form_urlencoded::Serializer::new(String::new());
        if !self.query.trim().is_empty() {
            url.append_pair("q", self.query.trim());
        }
        url.append_pair("page", &page.to_string());
        format!("{}?{}", self.base, url.finish())
    }

    /// A listed person's roles, in words: with where they are held on the platform's list.
    fn roles_of(&self, listed: &people::Listed) -> String {
        if listed.roles.is_empty() {
            return "None".into();
        }
        listed
            .roles
            .iter()
            .map(|m| match (&m.organisation, m.region, self.platform) {
                (Some(org), _, true) => format!("{} ({})", m.role.label(), org.ods_code),
                (None, Some(region), _) => format!("{} ({})", m.role.label(), region.label()),
                _ => m.role.label().to_owned(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

async fn list(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    place: Place,
    query: ListQuery,
    form: AddForm,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let page = query
        .page
        .trim()
        .parse::<i64>()
        .unwrap_or(1)
        .clamp(1, 100_000);
    let mut errors = errors;
    let found = match people::search(&state.app, user, &place.scope, &query.q, page).await {
        Ok(found) => found,
        Err(Error::Invalid(e)) => {
            errors.push(FieldError {
                field: "q".into(),
                message: e.to_string(),
            });
            PeoplePage {
                people: Vec::new(),
                total: 0,
                page: 1,
            }
        }
        Err(e) => return Err(e.into()),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let title = if place.platform() {
        "People, roles and accounts".to_owned()
    } else {
        format!("People and roles: {}", place.caption)
    };
    let page = ListPage {
        chrome: place.chrome(chrome, title).with_errors(errors),
        grantable: place.grantable(),
        caption: place.caption,
        base: place.base,
        platform: matches!(place.scope, Scope::Everyone),
        query: query.q,
        found,
        done: (query.done == "taken-last").then_some(
            "The role was taken away. They have no role here now, so they are no longer on this list.",
        ),
        email: form.email.unwrap_or_default(),
        role: form.role.unwrap_or_default(),
        reason: form.reason.unwrap_or_default(),
        most_reason: people::MOST_REASON_CHARS,
    };
    Ok((status, render(&page)?).into_response())
}

async fn org_list(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let place = organisation_place(&state, &ods).await?;
    list(
        &state,
        chrome,
        &user,
        place,
        query,
        AddForm::default(),
        Vec::new(),
    )
    .await
}

async fn all_list(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    list(
        &state,
        chrome,
        &user,
        everyone(),
        query,
        AddForm::default(),
        Vec::new(),
    )
    .await
}

fn field_error(field: &'static str, message: String) -> Vec<FieldError> {
    vec![FieldError {
        field: field.into(),
        message,
    }]
}

/// Gives a role to someone by their address: how someone joins an organisation's people.
async fn org_add(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
    FormData(form): FormData<AddForm>,
) -> Result<Response, AppError> {
    let place = organisation_place(&state, &ods).await?;
    // A field left out is read as one left empty, and shown as a problem with the form.
    let (email, role, reason) = (
        form.email.clone().unwrap_or_default(),
        form.role.clone().unwrap_or_default(),
        form.reason.clone().unwrap_or_default(),
    );
    let Some(organisation) = place.organisation().cloned() else {
        return Err(AppError::Forbidden);
    };
    let problem = if email.trim().is_empty() {
        Some(("email", "Enter their email address".to_owned()))
    } else if let Some(role) = chosen_role(&role, &place)? {
        match people::check_reason(&reason) {
            Err(e) => Some(("reason", e.to_string())),
            Ok(_) => {
                let admin = people::Admin {
                    session: &user,
                    mail_on: state.settings.mail.is_some(),
                };
                match people::give_role_by_email(
                    &state.app,
                    admin,
                    &organisation,
                    &email,
                    role,
                    &reason,
                )
                .await
                {
                    Ok(id) => {
                        return Ok(Redirect::to(&format!("{}/{id}?done=given", place.base))
                            .into_response());
                    }
                    Err(Error::Invalid(e)) => Some(("email", e.to_string())),
                    Err(Error::NotFound(m) | Error::Conflict(m)) => Some(("email", m)),
                    Err(e) => return Err(e.into()),
                }
            }
        }
    } else {
        Some(("role", "Choose a role".to_owned()))
    };
    let errors = problem
        .map(|(field, message)| field_error(field, message))
        .unwrap_or_default();
    list(
        &state,
        chrome,
        &user,
        place,
        ListQuery::default(),
        form,
        errors,
    )
    .await
}

/// The role a form chose, if it is one this place's administrators may give; `Ok(None)`
/// when none was chosen.
fn chosen_role(code: &str, place: &Place) -> Result<Option<Role>, AppError> {
    if code.trim().is_empty() {
        return Ok(None);
    }
    let role: Role = code
        .parse()
        .map_err(|_| AppError::BadRequest("That is not a role Dignity knows".into()))?;
    if !place.grantable().contains(&role) {
        return Err(AppError::BadRequest(
            "That role cannot be given from this page".into(),
        ));
    }
    Ok(Some(role))
}

// ---- One person ----

/// A role as the person page lists it, with the value its "take away" choice sends.
struct RoleRow {
    value: String,
    label: String,
    place: String,
    from_provider: bool,
}

/// What was typed into the person page's forms, to show again with a problem.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ChangeForm {
    role: Option<String>,
    held: Option<String>,
    organisation: Option<String>,
    region: Option<String>,
    on: Option<String>,
    reason: Option<String>,
}

#[derive(Template)]
#[template(path = "people/person.html")]
struct PersonPage {
    chrome: Chrome,
    caption: String,
    base: String,
    platform: bool,
    view: PersonView,
    roles: Vec<RoleRow>,
    grantable: Vec<Role>,
    regions: &'static [Region],
    done: Option<&'static str>,
    /// Which form the typed values and any problem belong to.
    form_name: &'static str,
    form: ChangeForm,
    most_reason: usize,
}

impl PersonPage {
    /// The typed value of a field, for the form it belongs to only.
    fn typed(&self, form_name: &str, field: &str) -> String {
        if self.form_name != form_name {
            return String::new();
        }
        let value = match field {
            "role" => &self.form.role,
            "organisation" => &self.form.organisation,
            "region" => &self.form.region,
            "held" => &self.form.held,
            _ => &self.form.reason,
        };
        value.clone().unwrap_or_default()
    }

    /// The hint under a reason box: where the reason goes, and how long it may be.
    fn reason_hint(&self, mailed: bool) -> String {
        let mail = if mailed && self.chrome.email_on {
            " and in an email to them"
        } else {
            ""
        };
        format!(
            "This goes in the audit log{mail}. Up to {} characters.",
            self.most_reason
        )
    }

    fn signs_in_with(&self) -> String {
        let mut ways: Vec<String> = self
            .view
            .providers
            .iter()
            .map(|p| format!("their {p} account"))
            .collect();
        if self.view.has_passphrase {
            ways.push("a Dignity passphrase".into());
        }
        if ways.is_empty() {
            "Nothing yet: they have not signed in".into()
        } else {
            let mut words = ways.join(" or ");
            if let Some(first) = words.get(..1) {
                words = format!("{}{}", first.to_uppercase(), words.get(1..).unwrap_or(""));
            }
            words
        }
    }
}

/// Encodes where a role is held for the "take away" choice: `guardian@org:RJ1`,
/// `regional_director@region:london`, `platform_admin@all`.
fn held_value(membership: &dignity_app::identity::Membership) -> String {
    let place = match (&membership.organisation, membership.region) {
        (Some(org), _) => format!("org:{}", org.ods_code),
        (None, Some(region)) => format!("region:{}", region.code()),
        (None, None) => "all".into(),
    };
    format!("{}@{place}", membership.role.code())
}

async fn held_place(state: &AppState, raw: &str) -> Result<(Role, RolePlace), AppError> {
    let refused = || AppError::BadRequest("Choose one of the roles they hold".into());
    let (role, place) = raw.split_once('@').ok_or_else(refused)?;
    let role: Role = role.parse().map_err(|_| refused())?;
    let place = match place.split_once(':') {
        Some(("org", ods)) => RolePlace::Organisation(
            people::organisation_for_role(&state.app, ods)
                .await
                .map_err(|_| refused())?,
        ),
        Some(("region", code)) => RolePlace::Region(code.parse().map_err(|_| refused())?),
        None if place == "all" => RolePlace::Installation,
        _ => return Err(refused()),
    };
    Ok((role, place))
}

const DONE: &[(&str, &str)] = &[
    ("given", "The role was given."),
    ("taken", "The role was taken away."),
    (
        "signed-out",
        "They were signed out everywhere. They must sign in again to use Dignity.",
    ),
    (
        "turned-off",
        "Their account is turned off and they were signed out everywhere.",
    ),
    ("turned-on", "Their account is turned on again."),
];

#[derive(Deserialize, Default)]
#[serde(default)]
struct PersonQuery {
    done: String,
}

#[allow(clippy::too_many_arguments)]
async fn person_page(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    place: Place,
    id: i64,
    done: &str,
    form_name: &'static str,
    form: ChangeForm,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let view = people::person(&state.app, user, &place.scope, id).await?;
    let roles = view
        .roles
        .iter()
        .map(|held| {
            let m = &held.membership;
            RoleRow {
                value: held_value(m),
                label: m.role.label().to_owned(),
                place: match (&m.organisation, m.region) {
                    (Some(org), _) => org.name.clone(),
                    (None, Some(region)) => format!("{} region", region.label()),
                    (None, None) => "All of Dignity".into(),
                },
                from_provider: held.from_provider,
            }
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let title = view.person.display_name.clone();
    let chrome = place
        .chrome(chrome, title)
        .under(
            place.base.clone(),
            if place.platform() {
                "People"
            } else {
                "People and roles"
            },
        )
        .with_errors(errors);
    let page = PersonPage {
        chrome,
        grantable: place.grantable(),
        platform: place.platform(),
        caption: place.caption,
        base: place.base,
        view,
        roles,
        regions: Region::ALL,
        done: DONE.iter().find(|(k, _)| *k == done).map(|(_, text)| *text),
        form_name,
        form,
        most_reason: people::MOST_REASON_CHARS,
    };
    Ok((status, render(&page)?).into_response())
}

async fn org_person(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, String)>,
    Query(query): Query<PersonQuery>,
) -> Result<Response, AppError> {
    let place = organisation_place(&state, &ods).await?;
    let id = person_id(&id)?;
    person_page(
        &state,
        chrome,
        &user,
        place,
        id,
        &query.done,
        "",
        ChangeForm::default(),
        Vec::new(),
    )
    .await
}

async fn all_person(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    Query(query): Query<PersonQuery>,
) -> Result<Response, AppError> {
    let id = person_id(&id)?;
    person_page(
        &state,
        chrome,
        &user,
        everyone(),
        id,
        &query.done,
        "",
        ChangeForm::default(),
        Vec::new(),
    )
    .await
}

/// What a person-page form asks for.
enum Ask {
    Give,
    Take,
    End,
    Account,
}

impl Ask {
    fn form_name(&self) -> &'static str {
        match self {
            Ask::Give => "give",
            Ask::Take => "take",
            Ask::End => "end",
            Ask::Account => "account",
        }
    }

    /// The id of the form's reason box, for the error summary's link.
    fn reason_field(&self) -> &'static str {
        match self {
            Ask::Give => "give-reason",
            Ask::Take => "take-reason",
            Ask::End => "end-reason",
            Ask::Account => "account-reason",
        }
    }

    /// Where a problem that is not the reason's is shown.
    fn main_field(&self) -> &'static str {
        match self {
            Ask::Give => "role",
            Ask::Take => "held",
            Ask::End => "end-reason",
            Ask::Account => "account-reason",
        }
    }
}

/// Carries out one person-page form and sends the administrator back to the page, or
/// shows it again with the problem.
async fn change(
    state: AppState,
    chrome: Chrome,
    user: CurrentUser,
    place: Place,
    id: i64,
    ask: Ask,
    form: ChangeForm,
) -> Result<Response, AppError> {
    // A reason left out is read as one left empty, and shown as a problem with the form.
    let reason = form.reason.clone().unwrap_or_default();
    let app = &state.app;
    let scope = &place.scope;
    let admin = people::Admin {
        session: &user,
        mail_on: state.settings.mail.is_some(),
    };
    let outcome: Result<&str, (&'static str, String)> = if let Err(e) =
        people::check_reason(&reason)
    {
        Err((ask.reason_field(), e.to_string()))
    } else {
        let done = match &ask {
            Ask::Give => {
                let role = chosen_role(form.role.as_deref().unwrap_or_default(), &place)?;
                let Some(role) = role else {
                    return again(state, chrome, user, place, id, ask, form, "Choose a role").await;
                };
                let role_place = match (place.organisation(), role.scope()) {
                    (Some(org), _) => RolePlace::Organisation(org.clone()),
                    (None, RoleScope::Organisation) => {
                        let typed = form.organisation.as_deref().unwrap_or_default();
                        match people::organisation_for_role(app, typed).await {
                            Ok(org) => RolePlace::Organisation(org),
                            Err(e) => {
                                return again_at(
                                    state,
                                    chrome,
                                    user,
                                    place,
                                    id,
                                    ask,
                                    form,
                                    "organisation",
                                    e.to_string(),
                                )
                                .await;
                            }
                        }
                    }
                    (None, RoleScope::Region) => {
                        match form.region.as_deref().unwrap_or_default().parse::<Region>() {
                            Ok(region) => RolePlace::Region(region),
                            Err(_) => {
                                return again_at(
                                    state,
                                    chrome,
                                    user,
                                    place,
                                    id,
                                    ask,
                                    form,
                                    "region",
                                    "Choose the region this role is held in".into(),
                                )
                                .await;
                            }
                        }
                    }
                    (None, RoleScope::Platform) => RolePlace::Installation,
                };
                people::give_role(app, admin, scope, id, role, role_place, &reason)
                    .await
                    .map(|()| "given")
            }
            Ask::Take => {
                let Some(held) = form.held.as_deref().filter(|h| !h.is_empty()) else {
                    return again(
                        state,
                        chrome,
                        user,
                        place,
                        id,
                        ask,
                        form,
                        "Choose the role to take away",
                    )
                    .await;
                };
                let (role, role_place) = held_place(&state, held).await?;
                people::take_role(app, admin, scope, id, role, role_place, &reason)
                    .await
                    .map(|()| "taken")
            }
            Ask::End => people::end_sessions(app, &user, scope, id, &reason)
                .await
                .map(|()| "signed-out"),
            Ask::Account => {
                let on = match form.on.as_deref() {
                    Some("yes") => true,
                    Some("no") => false,
                    _ => {
                        return Err(AppError::BadRequest(
                            "Part of the form was missing. Go back and try again".into(),
                        ));
                    }
                };
                people::set_account_on(app, &user, id, on, &reason)
                    .await
                    .map(|()| if on { "turned-on" } else { "turned-off" })
            }
        };
        match done {
            Ok(done) => Ok(done),
            Err(Error::Invalid(e)) => Err((ask.main_field(), e.to_string())),
            Err(Error::Conflict(m)) => Err((ask.main_field(), m)),
            Err(Error::NotFound(m)) if matches!(ask, Ask::Take) => Err((ask.main_field(), m)),
            Err(e) => return Err(e.into()),
        }
    };
    match outcome {
        // Someone with no role here any more is not on the organisation's list: back to it.
        Ok("taken")
            if !place.platform()
                && matches!(
                    people::person(&state.app, &user, &place.scope, id).await,
                    Err(Error::NotFound(_))
                ) =>
        {
            Ok(Redirect::to(&format!("{}?done=taken-last", place.base)).into_response())
        }
        Ok(done) => Ok(Redirect::to(&format!("{}/{id}?done={done}", place.base)).into_response()),
        Err((field, message)) => {
            again_at(state, chrome, user, place, id, ask, form, field, message).await
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn again(
    state: AppState,
    chrome: Chrome,
    user: CurrentUser,
    place: Place,
    id: i64,
    ask: Ask,
    form: ChangeForm,
    message: &str,
) -> Result<Response, AppError> {
    let field = ask.main_field();
    again_at(
        state,
        chrome,
        user,
        place,
        id,
        ask,
        form,
        field,
        message.into(),
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn again_at(
    state: AppState,
    chrome: Chrome,
    user: CurrentUser,
    place: Place,
    id: i64,
    ask: Ask,
    form: ChangeForm,
    field: &'static str,
    message: String,
) -> Result<Response, AppError> {
    person_page(
        &state,
        chrome,
        &user,
        place,
        id,
        "",
        ask.form_name(),
        form,
        field_error(field, message),
    )
    .await
}

macro_rules! org_change {
    ($name:ident, $ask:expr) => {
        async fn $name(
            State(state): State<AppState>,
            chrome: Chrome,
            Extension(user): Extension<CurrentUser>,
            Path((ods, id)): Path<(String, String)>,
            FormData(form): FormData<ChangeForm>,
        ) -> Result<Response, AppError> {
            let place = organisation_place(&state, &ods).await?;
            let id = person_id(&id)?;
            change(state, chrome, user, place, id, $ask, form).await
        }
    };
}

macro_rules! all_change {
    ($name:ident, $ask:expr) => {
        async fn $name(
            State(state): State<AppState>,
            chrome: Chrome,
            Extension(user): Extension<CurrentUser>,
            Path(id): Path<String>,
            FormData(form): FormData<ChangeForm>,
        ) -> Result<Response, AppError> {
            let id = person_id(&id)?;
            change(state, chrome, user, everyone(), id, $ask, form).await
        }
    };
}

org_change!(org_give, Ask::Give);
org_change!(org_take, Ask::Take);
org_change!(org_end, Ask::End);
all_change!(all_give, Ask::Give);
all_change!(all_take, Ask::Take);
all_change!(all_end, Ask::End);
all_change!(all_account, Ask::Account);
