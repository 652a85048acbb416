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
use dignity_app::identity::ANALYSTS;
use dignity_app::survey::{answering, campaigns, results};

pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/survey", Access::Anonymous, answer::start)
        .post("/survey", Access::Anonymous, answer::page)
        .get(answer::SENT_PAGE, Access::Anonymous, answer::sent)
        .get(
            "/orgs/{ods}/surveys",
            Access::InOrganisation(results::READERS),
            dashboard::list,
        )
        .get(
            "/orgs/{ods}/surveys/new",
            Access::InOrganisation(campaigns::RUNNERS),
            admin::new_form,
        )
        .post(
            "/orgs/{ods}/surveys/new",
            Access::InOrganisation(campaigns::RUNNERS),
            admin::create,
        )
        .get(
            "/orgs/{ods}/surveys/pledges",
            Access::InOrganisation(campaigns::RUNNERS),
            pledges::edit_mapping,
        )
        .post(
            "/orgs/{ods}/surveys/pledges",
            Access::InOrganisation(campaigns::RUNNERS),
            pledges::save_mapping,
        )
        .get(
            "/orgs/{ods}/surveys/{campaign}/pledges",
            Access::InOrganisation(results::READERS),
            pledges::scorecard,
        )
        .get(
            "/orgs/{ods}/surveys/{campaign}/pledges.csv",
            Access::InOrganisation(results::READERS),
            pledges::csv,
        )
        .get(
            "/orgs/{ods}/surveys/{campaign}/pledges.xlsx",
            Access::InOrganisation(results::READERS),
            pledges::xlsx,
        )
        .get(
            "/orgs/{ods}/surveys/{campaign}/benchmark",
            Access::InOrganisation(results::READERS),
            compare::benchmark,
        )
        .get(
            "/national/surveys",
            Access::Platform(ANALYSTS),
            compare::oversight,
        )
        .get(
            "/national/surveys.csv",
            Access::Platform(ANALYSTS),
            compare::oversight_csv,
        )
        .get(
            "/orgs/{ods}/surveys/{campaign}/manage",
            Access::InOrganisation(campaigns::RUNNERS),
            admin::manage,
        )
        .post(
            "/orgs/{ods}/surveys/{campaign}/codes",
            Access::InOrganisation(campaigns::RUNNERS),
            admin::issue_codes,
        )
        .post_upload(
            "/orgs/{ods}/surveys/{campaign}/invitations",
            Access::InOrganisation(campaigns::RUNNERS),
            invite::email_invitations,
        )
        .get(
            "/orgs/{ods}/surveys/{campaign}/answer",
            Access::InOrganisation(answering::TAKERS),
            answer::open_link_start,
        )
        .post(
            "/orgs/{ods}/surveys/{campaign}/answer",
            Access::InOrganisation(answering::TAKERS),
            answer::open_link_page,
        )
        .get(
            "/orgs/{ods}/surveys/{campaign}",
            Access::InOrganisation(results::READERS),
            dashboard::show,
        )
        .get(
            "/orgs/{ods}/surveys/{campaign}/results.csv",
            Access::InOrganisation(results::READERS),
            dashboard::csv,
        )
        .get(
            "/orgs/{ods}/surveys/{campaign}/results.xlsx",
            Access::InOrganisation(results::READERS),
            dashboard::xlsx,
        )
        .get(
            "/orgs/{ods}/surveys/{campaign}/benchmark.csv",
            Access::InOrganisation(results::READERS),
            compare::benchmark_csv,
        )
        .get(
            "/orgs/{ods}/surveys/{campaign}/benchmark.xlsx",
            Access::InOrganisation(results::READERS),
            compare::benchmark_xlsx,
        )
        .get(
            "/national/surveys.xlsx",
            Access::Platform(ANALYSTS),
            compare::oversight_xlsx,
        )
}
