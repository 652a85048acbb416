//! Culture survey results: an organisation's campaigns and each campaign's dashboard,
//! computed by the engine from the stored responses, with small groups hidden.

mod admin;
mod answer;
pub mod compare;
mod dashboard;
pub(crate) mod invite;
mod pledges;
mod waiting;

use crate::access::Access;
use crate::routes::Routes;
use dignity_domain::identity::Role;

/// Everyone in an organisation can answer its open-link surveys.
const TAKERS: &[Role] = &[
    Role::Staff,
    Role::Guardian,
    Role::ErLead,
    Role::UnionPartner,
    Role::Executive,
    Role::OrgAdmin,
];

/// Aggregates only: no role sees a single response.
const RESULT_READERS: &[Role] = &[Role::Executive, Role::UnionPartner, Role::OrgAdmin];

pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/survey", Access::Anonymous, answer::start)
        .post("/survey", Access::Anonymous, answer::page)
        .get(answer::SENT_PAGE, Access::Anonymous, answer::sent)
        .get(
            "/orgs/{ods}/surveys",
            Access::InOrganisation(RESULT_READERS),
            dashboard::list,
        )
        .get(
            "/orgs/{ods}/surveys/new",
            Access::InOrganisation(&[Role::OrgAdmin]),
            admin::new_form,
        )
        .post(
            "/orgs/{ods}/surveys/new",
            Access::InOrganisation(&[Role::OrgAdmin]),
            admin::create,
        )
        .get(
            "/orgs/{ods}/surveys/pledges",
            Access::InOrganisation(&[Role::OrgAdmin]),
            pledges::edit_mapping,
        )
        .post(
            "/orgs/{ods}/surveys/pledges",
            Access::InOrganisation(&[Role::OrgAdmin]),
            pledges::save_mapping,
        )
        .get(
            "/orgs/{ods}/surveys/{campaign}/pledges",
            Access::InOrganisation(RESULT_READERS),
            pledges::scorecard,
        )
        .get(
            "/orgs/{ods}/surveys/{campaign}/pledges.csv",
            Access::InOrganisation(RESULT_READERS),
            pledges::csv,
        )
        .get(
            "/orgs/{ods}/surveys/{campaign}/pledges.xlsx",
            Access::InOrganisation(RESULT_READERS),
            pledges::xlsx,
        )
        .get(
            "/orgs/{ods}/surveys/{campaign}/benchmark",
            Access::InOrganisation(RESULT_READERS),
            compare::benchmark,
        )
        .get(
            "/national/surveys",
            Access::Platform(&[Role::NationalAnalyst]),
            compare::oversight,
        )
        .get(
            "/national/surveys.csv",
            Access::Platform(&[Role::NationalAnalyst]),
            compare::oversight_csv,
        )
        .get(
            "/orgs/{ods}/surveys/{campaign}/manage",
            Access::InOrganisation(&[Role::OrgAdmin]),
            admin::manage,
        )
        .post(
            "/orgs/{ods}/surveys/{campaign}/codes",
            Access::InOrganisation(&[Role::OrgAdmin]),
            admin::issue_codes,
        )
        .post_upload(
            "/orgs/{ods}/surveys/{campaign}/invitations",
            Access::InOrganisation(&[Role::OrgAdmin]),
            invite::email_invitations,
        )
        .get(
            "/orgs/{ods}/surveys/{campaign}/answer",
            Access::InOrganisation(TAKERS),
            answer::open_link_start,
        )
        .post(
            "/orgs/{ods}/surveys/{campaign}/answer",
            Access::InOrganisation(TAKERS),
            answer::open_link_page,
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
        .get(
            "/orgs/{ods}/surveys/{campaign}/results.xlsx",
            Access::InOrganisation(RESULT_READERS),
            dashboard::xlsx,
        )
        .get(
            "/orgs/{ods}/surveys/{campaign}/benchmark.csv",
            Access::InOrganisation(RESULT_READERS),
            compare::benchmark_csv,
        )
        .get(
            "/orgs/{ods}/surveys/{campaign}/benchmark.xlsx",
            Access::InOrganisation(RESULT_READERS),
            compare::benchmark_xlsx,
        )
        .get(
            "/national/surveys.xlsx",
            Access::Platform(&[Role::NationalAnalyst]),
            compare::oversight_xlsx,
        )
}
