//! The JSON API. Errors come back as JSON too.

use crate::access::{Access, CurrentUser};
use crate::error::ApiError;
use crate::routes::Routes;
use crate::state::AppState;
use axum::extract::State;
use axum::{Extension, Json};
use dignity_store::identity;
use serde::Serialize;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/api/v1/organisations", Access::Public, organisations)
        .get("/api/v1/me", Access::SignedIn, me)
}

#[derive(Serialize)]
struct OrganisationJson {
    ods_code: String,
    name: String,
    org_type: &'static str,
    region: &'static str,
    benchmark_group: String,
}

/// Organisations using Dignity. Public facts only.
async fn organisations(
    State(state): State<AppState>,
) -> Result<Json<Vec<OrganisationJson>>, ApiError> {
    let list = identity::list_organisations(&state.db).await?;
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

#[derive(Serialize)]
struct RoleJson {
    role: &'static str,
    organisation: Option<String>,
}

#[derive(Serialize)]
struct MeJson {
    email: String,
    display_name: String,
    roles: Vec<RoleJson>,
}

/// The signed-in person and their roles.
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
