//! Culture survey results: an organisation's campaigns and each campaign's dashboard,
//! computed by the engine from the stored responses, with small groups hidden.

mod answer;
pub mod cache;
mod dashboard;
pub mod load;

use crate::access::Access;
use crate::routes::Routes;
use dignity_domain::identity::Role;

/// Aggregates only: no role sees a single response.
const RESULT_READERS: &[Role] = &[Role::Executive, Role::UnionPartner, Role::OrgAdmin];

pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/survey", Access::Anonymous, answer::start)
        .post("/survey", Access::Anonymous, answer::page)
        .get(
            "/orgs/{ods}/surveys",
            Access::InOrganisation(RESULT_READERS),
            dashboard::list,
        )
        .get(
            "/orgs/{ods}/surveys/{campaign}",
            Access::InOrganisation(RESULT_READERS),
            dashboard::show,
        )
        .get(
            "/orgs/{ods}/surveys/{campaign}/results.csv",
            Access::InOrganisation(RESULT_READERS),
            dashboard::csv,
        )
}
