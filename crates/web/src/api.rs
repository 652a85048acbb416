//! The JSON API, described by an OpenAPI document built from this code (utoipa) and served
//! at `/api/v1/openapi.json`. Errors come back as JSON too. The assurance campaign checks
//! the server against the document with schemathesis (docs/assurance.md, check 3).

use crate::access::{Access, CurrentUser};
use crate::error::{ApiError, AppError, ErrorJson};
use crate::routes::Routes;
use crate::speakup::returns::{self, QuarterQuery};
use crate::speakup::{AGGREGATE_READERS, ANALYSTS};
use crate::state::AppState;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::{Extension, Json};
use dignity_domain::speakup_returns::{PublishedReturn, Quarter};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/api/v1/openapi.json", Access::Public, description)
        .get("/api/v1/organisations", Access::Public, organisations)
        .get("/api/v1/me", Access::SignedIn, me)
        .get(
            "/api/v1/orgs/{ods}/speak-up/return",
            Access::InOrganisation(AGGREGATE_READERS),
            speak_up_return,
        )
        .get(
            "/api/v1/national/speak-up",
            Access::Platform(ANALYSTS),
            national_speak_up,
        )
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Dignity API",
        version = "1",
        description = "Read-only figures from Dignity. Sign in on the website first: the API uses the same session cookie. Counts small enough to point at a person are given as words, never as numbers."
    ),
    paths(organisations, me, speak_up_return, national_speak_up),
    components(schemas(ErrorJson)),
    modifiers(&SessionCookie),
    tags(
        (name = "public", description = "Open to anyone"),
        (name = "signed in", description = "For people signed in to Dignity")
    )
)]
struct ApiDescription;

/// The session cookie a browser gets on signing in. On HTTPS it is named
/// `__Host-dignity_session`.
struct SessionCookie;

impl utoipa::Modify for SessionCookie {
    fn modify(&self, description: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
        description
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "session",
                SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                    "dignity_session",
                    "The session cookie set on signing in (named __Host-dignity_session on HTTPS)",
                ))),
            );
    }
}

/// The OpenAPI document itself.
async fn description() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDescription::openapi())
}

#[derive(Serialize, ToSchema)]
struct OrganisationJson {
    /// The NHS Organisation Data Service code, such as RJ1.
    ods_code: String,
    name: String,
    org_type: &'static str,
    region: &'static str,
    benchmark_group: String,
}

/// Organisations using Dignity. Public facts only.
#[utoipa::path(
    get,
    path = "/api/v1/organisations",
    tag = "public",
    responses(
        (status = 200, description = "Every organisation", body = Vec<OrganisationJson>),
        (status = 500, description = "Something went wrong on the server", body = ErrorJson),
    )
)]
async fn organisations(
    State(state): State<AppState>,
) -> Result<Json<Vec<OrganisationJson>>, ApiError> {
    let list = dignity_app::identity::organisations::organisations(&state.app).await?;
    Ok(Json(
        list.into_iter()
            .map(|o| OrganisationJson {
                ods_code: o.ods_code,
                name: o.name,
                org_type: o.org_type.code(),
                region: o.region.code(),
                benchmark_group: o.benchmark_group,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
struct RoleJson {
    role: &'static str,
    /// The organisation's ODS code; none for national roles.
    organisation: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct MeJson {
    email: String,
    display_name: String,
    roles: Vec<RoleJson>,
}

/// The signed-in person and their roles.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "signed in",
    security(("session" = [])),
    responses(
        (status = 200, description = "Who is signed in", body = MeJson),
        (status = 401, description = "Not signed in", body = ErrorJson),
    )
)]
async fn me(Extension(user): Extension<CurrentUser>) -> Json<MeJson> {
    Json(MeJson {
        email: user.person.email.clone(),
        display_name: user.person.display_name.clone(),
        roles: user
            .memberships
            .iter()
            .map(|m| RoleJson {
                role: m.role.code(),
                organisation: m.organisation.as_ref().map(|o| o.ods_code.clone()),
            })
            .collect(),
    })
}

/// One organisation's Speak Up figures for a quarter, as published to its board and to
/// the National Guardian's Office. Counts only; never a concern's words.
#[utoipa::path(
    get,
    path = "/api/v1/orgs/{ods}/speak-up/return",
    tag = "signed in",
    security(("session" = [])),
    params(
        ("ods" = String, Path, description = "The organisation's ODS code"),
        QuarterQuery,
    ),
    responses(
        (status = 200, description = "The quarter's figures", body = PublishedReturn),
        (status = 400, description = "The quarter is not one Dignity can read", body = ErrorJson),
        (status = 401, description = "Not signed in", body = ErrorJson),
        (status = 403, description = "Signed in, but not a guardian, executive or union partner of this organisation", body = ErrorJson),
        (status = 404, description = "No such organisation, or the quarter has not ended (figures appear once it has)", body = ErrorJson),
    )
)]
async fn speak_up_return(
    State(state): State<AppState>,
    ApiInput(Path(ods)): ApiInput<Path<String>>,
    ApiInput(Query(query)): ApiInput<Query<QuarterQuery>>,
) -> Result<Json<PublishedReturn>, ApiError> {
    let organisation = returns::organisation(&state, &ods).await?;
    let quarter = asked_quarter(&state, &query)?;
    Ok(Json(
        dignity_app::speakup::returns::quarterly_return(&state.app, &organisation, quarter).await?,
    ))
}

#[derive(Serialize, ToSchema)]
struct OrganisationReturnJson {
    ods_code: String,
    figures: PublishedReturn,
}

#[derive(Serialize, ToSchema)]
struct NationalJson {
    organisations: Vec<OrganisationReturnJson>,
    /// Every organisation together. A total is hidden where it would let a hidden count
    /// be worked out.
    all: PublishedReturn,
}

/// Every organisation's Speak Up figures for a quarter. For national analysts.
#[utoipa::path(
    get,
    path = "/api/v1/national/speak-up",
    tag = "signed in",
    security(("session" = [])),
    params(QuarterQuery),
    responses(
        (status = 200, description = "The quarter's figures", body = NationalJson),
        (status = 400, description = "The quarter is not one Dignity can read", body = ErrorJson),
        (status = 401, description = "Not signed in", body = ErrorJson),
        (status = 403, description = "Signed in, but not a national analyst", body = ErrorJson),
        (status = 404, description = "The quarter has not ended (figures appear once it has)", body = ErrorJson),
    )
)]
async fn national_speak_up(
    State(state): State<AppState>,
    ApiInput(Query(query)): ApiInput<Query<QuarterQuery>>,
) -> Result<Json<NationalJson>, ApiError> {
    let quarter = asked_quarter(&state, &query)?;
    let national = dignity_app::speakup::returns::national(&state.app, quarter).await?;
    let (rows, all) = (national.rows, national.total);
    Ok(Json(NationalJson {
        organisations: rows
            .into_iter()
            .map(|r| OrganisationReturnJson {
                ods_code: r.organisation.ods_code,
                figures: r.figures,
            })
            .collect(),
        all,
    }))
}

/// The quarter asked for, read strictly: an empty value is a mistake here, not a request
/// for the default as it is from the pages' forms.
fn asked_quarter(state: &AppState, query: &QuarterQuery) -> Result<Quarter, AppError> {
    match query.quarter.as_deref() {
        Some(text) => {
            let asked = Quarter::parse(text).map_err(|e| AppError::BadRequest(e.to_string()))?;
            Ok(dignity_app::speakup::returns::chosen_quarter(
                &state.app,
                Some(asked),
            )?)
        }
        None => returns::chosen_quarter(state, query),
    }
}

/// Reads part of the address with `E`, refusing in JSON like the rest of the API (axum's
/// own refusals are plain text).
struct ApiInput<E>(E);

impl<S: Send + Sync, E> FromRequestParts<S> for ApiInput<E>
where
    E: FromRequestParts<S>,
    E::Rejection: std::fmt::Display,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        E::from_request_parts(parts, state)
            .await
            .map(ApiInput)
            .map_err(|e| {
                ApiError(AppError::BadRequest(format!(
                    "The address cannot be read: {e}"
                )))
            })
    }
}
