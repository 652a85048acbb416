//! Partnership action plans: drafted by the organisation's people, signed by both sides of
//! the partnership, and published for staff, patients and the public to follow.

mod editor;
mod public;

use crate::access::Access;
use crate::routes::Routes;
use dignity_domain::identity::Role;
use dignity_domain::plans::{ActionStatus, ChildProgress, Percent, derived_progress};
use dignity_store::plans::Action;

/// People who draft and report on a plan: both sides of the partnership and the
/// organisation's administrators.
const EDITORS: &[Role] = &[Role::Executive, Role::UnionPartner, Role::OrgAdmin];
/// People who sign a plan: executives for the employer, union partners for the unions.
const SIGNERS: &[Role] = &[Role::Executive, Role::UnionPartner];

pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/plans", Access::Public, public::index)
        .get("/plans/{ods}", Access::Public, public::plan)
        .get("/plans/{ods}/feed.atom", Access::Public, public::feed)
        .get(
            "/orgs/{ods}/plans",
            Access::InOrganisation(EDITORS),
            editor::list,
        )
        .post(
            "/orgs/{ods}/plans",
            Access::InOrganisation(EDITORS),
            editor::create,
        )
        .get(
            "/orgs/{ods}/plans/{plan}",
            Access::InOrganisation(EDITORS),
            editor::show,
        )
        .post(
            "/orgs/{ods}/plans/{plan}/actions",
            Access::InOrganisation(EDITORS),
            editor::add_action,
        )
        .post(
            "/orgs/{ods}/plans/{plan}/actions/{action}/progress",
            Access::InOrganisation(EDITORS),
            editor::report,
        )
        .post(
            "/orgs/{ods}/plans/{plan}/actions/{action}/updates",
            Access::InOrganisation(EDITORS),
            editor::add_update,
        )
        .post(
            "/orgs/{ods}/plans/{plan}/approve",
            Access::InOrganisation(SIGNERS),
            editor::approve,
        )
}

/// One action as pages show it, with its progress (derived from its children when it has
/// any) and how deep it sits.
pub struct ActionRow {
    pub action: Action,
    pub progress: Percent,
    pub derived: bool,
    pub depth: usize,
}

/// A plan's actions under one group, parents before their children.
pub fn rows(actions: &[Action], group_id: i64) -> Vec<ActionRow> {
    fn walk(actions: &[Action], parent: Option<i64>, depth: usize, out: &mut Vec<ActionRow>) {
        for action in actions.iter().filter(|a| a.parent_id == parent) {
            let children: Vec<ChildProgress> = actions
                .iter()
                .filter(|c| c.parent_id == Some(action.id))
                .map(|c| ChildProgress {
                    progress: c.progress,
                    status: c.status,
                    weight: c.weight,
                })
                .collect();
            let derived = derived_progress(&children);
            out.push(ActionRow {
                action: action.clone(),
                progress: derived.unwrap_or(if action.status == ActionStatus::Done {
                    Percent::new(100).unwrap_or(action.progress)
                } else {
                    action.progress
                }),
                derived: derived.is_some(),
                depth,
            });
            walk(actions, Some(action.id), depth + 1, out);
        }
    }
    let in_group: Vec<Action> = actions
        .iter()
        .filter(|a| a.group_id == group_id)
        .cloned()
        .collect();
    let mut out = Vec::new();
    walk(&in_group, None, 0, &mut out);
    out
}
