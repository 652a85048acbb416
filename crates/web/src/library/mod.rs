//! The knowledge hub: a searchable catalogue of tools, resources and case studies, and each
//! organisation's own pinned policies and contacts.

mod curate;
mod pins;
mod search;

use crate::access::Access;
use crate::routes::Routes;
use dignity_app::library::CURATORS;
use dignity_domain::identity::Role;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/library", Access::Public, search::search)
        .get(
            "/library/manage",
            Access::Anywhere(CURATORS),
            curate::manage,
        )
        .get("/library/new", Access::Anywhere(CURATORS), curate::new_form)
        .post("/library/new", Access::Anywhere(CURATORS), curate::create)
        .get("/library/{id}", Access::Public, search::resource)
        .get(
            "/library/{id}/edit",
            Access::Anywhere(CURATORS),
            curate::edit_form,
        )
        .post(
            "/library/{id}/edit",
            Access::Anywhere(CURATORS),
            curate::edit,
        )
        .post(
            "/library/{id}/retire",
            Access::Anywhere(CURATORS),
            curate::retire,
        )
        .post(
            "/library/{id}/reviewed",
            Access::Anywhere(CURATORS),
            curate::reviewed,
        )
        .get(
            "/orgs/{ods}/library",
            Access::InOrganisation(&[Role::OrgAdmin]),
            pins::manage,
        )
        .post(
            "/orgs/{ods}/library",
            Access::InOrganisation(&[Role::OrgAdmin]),
            pins::add,
        )
        .post(
            "/orgs/{ods}/library/{pin}/remove",
            Access::InOrganisation(&[Role::OrgAdmin]),
            pins::remove,
        )
}
