//! Action plans: drafting and signing them in partnership, reporting progress, comments
//! from staff, following a plan by email, and what the public reads.
//!
//! Each change is made through a [`Desk`]: who is changing which organisation's plans,
//! dated by the context's clock. The store keeps every change as a new version with its
//! history and audit entry in one transaction.

pub mod comment;
pub mod follow;
pub mod measures;
pub mod progress;
pub mod review;
pub mod signing;

use crate::identity::Organisation;
use crate::{Context, Error};
use dignity_domain::identity::Role;
use dignity_domain::plans::Side;
use dignity_domain::speakup::Day;
use dignity_store::plans::{self as store, Editor};

pub use comment::{CheckedComment, CommentProblem};
pub use dignity_store::mail::NewMail;
pub use dignity_store::plans::{
    Action, Comment, CommentState, Followed, Group, HistoryEntry, ImportedAction, Indicator,
    Milestone, NewAction, NewIndicator, NewPlan, Plan, Report, Signed, SignedPlan, Update,
};
pub use follow::send_notices;
pub use signing::SIGNERS;

/// Who drafts and reports on an organisation's plans: both sides of the partnership and
/// its administrators.
pub const EDITORS: &[Role] = &[Role::Executive, Role::UnionPartner, Role::OrgAdmin];

/// Everyone in the organisation may comment on its published plan.
pub const COMMENTERS: &[Role] = &[
    Role::Staff,
    Role::Guardian,
    Role::ErLead,
    Role::UnionPartner,
    Role::Executive,
    Role::OrgAdmin,
];

/// Who reads staff comments first and publishes or hides them: the administrators.
pub const MODERATORS: &[Role] = &[Role::OrgAdmin];

/// Someone changing an organisation's plans: a person on the pages, or the operator
/// (`dignity demo`).
pub struct Desk<'a> {
    db: &'a crate::Db,
    clock: &'a crate::Clock,
    actor: &'a str,
    organisation: &'a Organisation,
}

/// The desk `actor` changes `organisation`'s plans at.
pub fn desk<'a>(ctx: &'a Context, actor: &'a str, organisation: &'a Organisation) -> Desk<'a> {
    Desk {
        db: &ctx.db,
        clock: &ctx.clock,
        actor,
        organisation,
    }
}

impl<'a> Desk<'a> {
    /// The desk for the operator's commands, which have no [`Context`].
    pub fn for_operator(
        operator: &'a crate::admin::Operator,
        organisation: &'a Organisation,
    ) -> Desk<'a> {
        Desk {
            db: operator.db(),
            clock: operator.clock(),
            actor: operator.actor(),
            organisation,
        }
    }

    fn editor(&self) -> Editor<'a> {
        Editor {
            actor: self.actor,
            now: self.clock.now(),
            organisation: self.organisation,
        }
    }

    fn db(&self) -> &crate::Db {
        self.db
    }

    /// The plan as it is now.
    pub async fn plan(&self, plan_id: i64) -> Result<Plan, Error> {
        Ok(store::get_plan(self.db(), plan_id).await?)
    }

    /// The plan's groups of actions (its commitments), in order.
    pub async fn groups(&self, plan_id: i64) -> Result<Vec<Group>, Error> {
        Ok(store::groups(self.db(), plan_id).await?)
    }

    pub async fn create_plan(&self, plan: &NewPlan) -> Result<Plan, Error> {
        Ok(store::create_plan(self.db(), self.editor(), plan).await?)
    }

    /// Whether anything changed.
    pub async fn edit_plan(&self, plan_id: i64, plan: &NewPlan) -> Result<bool, Error> {
        Ok(store::edit_plan(self.db(), self.editor(), plan_id, plan).await?)
    }

    pub async fn add_group(&self, plan_id: i64, title: &str) -> Result<i64, Error> {
        Ok(store::add_group(self.db(), self.editor(), plan_id, title).await?)
    }

    pub async fn rename_group(&self, group_id: i64, title: &str) -> Result<bool, Error> {
        Ok(store::rename_group(self.db(), self.editor(), group_id, title).await?)
    }

    /// Refused as a conflict while the commitment still holds actions.
    pub async fn remove_group(&self, group_id: i64) -> Result<(), Error> {
        Ok(store::remove_group(self.db(), self.editor(), group_id).await?)
    }

    pub async fn add_action(&self, plan_id: i64, action: &NewAction) -> Result<Action, Error> {
        Ok(store::add_action(self.db(), self.editor(), plan_id, action).await?)
    }

    /// Adds an action answering part `element` of self-assessment round `round_id`, and
    /// links them, in one write.
    pub async fn add_action_for_round(
        &self,
        plan_id: i64,
        action: &NewAction,
        round_id: i64,
        element: &str,
    ) -> Result<Action, Error> {
        Ok(store::add_action_for_round(
            self.db(),
            self.editor(),
            plan_id,
            action,
            round_id,
            element,
        )
        .await?)
    }

    pub async fn edit_action(&self, action_id: i64, change: &NewAction) -> Result<bool, Error> {
        Ok(store::edit_action(self.db(), self.editor(), action_id, change).await?)
    }

    pub async fn remove_action(&self, action_id: i64) -> Result<(), Error> {
        Ok(store::remove_action(self.db(), self.editor(), action_id).await?)
    }

    pub async fn report_progress(&self, action_id: i64, report: &Report) -> Result<(), Error> {
        Ok(store::report_progress(self.db(), self.editor(), action_id, report).await?)
    }

    /// Signs the plan for one side of the partnership, as it was when they read it. Who
    /// may sign for which side is `signing::sign`'s to decide; the operator's demo signs
    /// here directly.
    pub async fn approve(
        &self,
        plan_id: i64,
        person_id: i64,
        side: Side,
        seen_version: i64,
    ) -> Result<Signed, Error> {
        Ok(store::approve(
            self.db(),
            self.editor(),
            plan_id,
            person_id,
            side,
            seen_version,
        )
        .await?)
    }

    pub async fn add_update(
        &self,
        action_id: i64,
        author: &str,
        body: &str,
        links: &[String],
    ) -> Result<(), Error> {
        Ok(store::add_update(self.db(), self.editor(), action_id, author, body, links).await?)
    }

    pub async fn add_indicator(
        &self,
        action_id: i64,
        indicator: &NewIndicator,
    ) -> Result<(), Error> {
        // The history is read by people: it names the measure by its question.
        let named = measures::measures()
            .into_iter()
            .find(|(key, _)| *key == indicator.code)
            .map_or_else(|| indicator.code.clone(), |(_, text)| text);
        Ok(store::add_indicator(self.db(), self.editor(), action_id, indicator, &named).await?)
    }

    pub async fn remove_indicator(&self, id: i64) -> Result<(), Error> {
        Ok(store::remove_indicator(self.db(), self.editor(), id).await?)
    }

    pub async fn add_milestone(
        &self,
        action_id: i64,
        title: &str,
        due_on: Day,
    ) -> Result<(), Error> {
        Ok(store::add_milestone(self.db(), self.editor(), action_id, title, due_on).await?)
    }

    pub async fn set_milestone_done(&self, milestone_id: i64, done: bool) -> Result<(), Error> {
        Ok(store::set_milestone_done(self.db(), self.editor(), milestone_id, done).await?)
    }

    pub async fn remove_milestone(&self, id: i64) -> Result<(), Error> {
        Ok(store::remove_milestone(self.db(), self.editor(), id).await?)
    }

    /// Adds every row or none. Returns how many actions were added.
    pub async fn import_actions(
        &self,
        plan_id: i64,
        rows: &[ImportedAction],
    ) -> Result<usize, Error> {
        Ok(store::import_actions(self.db(), self.editor(), plan_id, rows).await?)
    }

    /// A new draft plan with another plan's commitments and actions.
    pub async fn copy_plan(&self, from: i64, to: &NewPlan) -> Result<Plan, Error> {
        Ok(store::copy_plan(self.db(), self.editor(), from, to).await?)
    }

    /// Publishes or hides a comment from staff.
    pub async fn moderate(&self, comment_id: i64, publish: bool) -> Result<(), Error> {
        Ok(store::moderate(self.db(), self.editor(), comment_id, publish).await?)
    }
}

/// The live action `action_id` of plan `plan_id`; `NotFound` for one of another plan.
/// The store keeps every change inside the organisation; this keeps a page's change
/// inside the plan its address names (an outside review changed plan 1's action
/// through plan 3's address).
pub async fn action_on(ctx: &Context, plan_id: i64, action_id: i64) -> Result<Action, Error> {
    store::actions(&ctx.db, plan_id)
        .await?
        .into_iter()
        .find(|a| a.id == action_id)
        .ok_or_else(|| Error::NotFound("There is no such action in this plan.".into()))
}

/// The live commitment `group_id` of plan `plan_id`; `NotFound` for one of another plan.
pub async fn group_on(ctx: &Context, plan_id: i64, group_id: i64) -> Result<Group, Error> {
    store::groups(&ctx.db, plan_id)
        .await?
        .into_iter()
        .find(|g| g.id == group_id)
        .ok_or_else(|| Error::NotFound("There is no such commitment in this plan.".into()))
}

/// The live milestone `milestone_id` of plan `plan_id`; `NotFound` for one of another plan.
pub async fn milestone_on(
    ctx: &Context,
    plan_id: i64,
    milestone_id: i64,
) -> Result<Milestone, Error> {
    store::milestones(&ctx.db, plan_id)
        .await?
        .into_iter()
        .find(|m| m.id == milestone_id)
        .ok_or_else(|| Error::NotFound("There is no such milestone in this plan.".into()))
}

/// A comment from a member of staff on an action, waiting for moderation; only a
/// checked one ([`comment::check`]).
pub async fn add_comment(
    ctx: &Context,
    organisation_id: i64,
    action_id: i64,
    person_id: i64,
    comment: &CheckedComment,
) -> Result<(), Error> {
    Ok(store::add_comment(
        &ctx.db,
        organisation_id,
        action_id,
        person_id,
        comment.text(),
        ctx.clock.now(),
    )
    .await?)
}

pub async fn comments(
    ctx: &Context,
    organisation_id: i64,
    state: CommentState,
) -> Result<Vec<Comment>, Error> {
    Ok(store::comments(&ctx.db, organisation_id, state).await?)
}

/// A plan of this organisation; `NotFound` for another's, so an address naming one
/// organisation never reaches another's plan.
pub async fn plan_in(
    ctx: &Context,
    organisation: &Organisation,
    plan_id: i64,
) -> Result<Plan, Error> {
    let plan = store::get_plan(&ctx.db, plan_id).await?;
    if plan.organisation_id != organisation.id {
        return Err(Error::NotFound(
            "There is no such plan in this organisation.".into(),
        ));
    }
    Ok(plan)
}

/// An action of the organisation's published plan, as both sides signed it; `NotFound`
/// for an action not in it, or a plan of another organisation.
pub async fn published_action(
    ctx: &Context,
    organisation: &Organisation,
    plan_id: i64,
    action_id: i64,
) -> Result<Action, Error> {
    let missing = || Error::NotFound("There is no such published action.".into());
    let plan = match plan_in(ctx, organisation, plan_id).await {
        Ok(plan) => plan,
        Err(Error::NotFound(_)) => return Err(missing()),
        Err(e) => return Err(e),
    };
    signed(ctx, &plan)
        .await?
        .and_then(|signed| signed.actions.into_iter().find(|a| a.id == action_id))
        .ok_or_else(missing)
}

/// The plan as both sides last signed it, if they have.
pub async fn signed(ctx: &Context, plan: &Plan) -> Result<Option<SignedPlan>, Error> {
    Ok(store::signed_plan(&ctx.db, plan).await?)
}

pub async fn plans_for(ctx: &Context, organisation_id: i64) -> Result<Vec<Plan>, Error> {
    Ok(store::plans_for(&ctx.db, organisation_id).await?)
}

pub async fn published(ctx: &Context) -> Result<Vec<Plan>, Error> {
    Ok(store::published_plans(&ctx.db).await?)
}

pub async fn groups(ctx: &Context, plan_id: i64) -> Result<Vec<Group>, Error> {
    Ok(store::groups(&ctx.db, plan_id).await?)
}

pub async fn actions(ctx: &Context, plan_id: i64) -> Result<Vec<Action>, Error> {
    Ok(store::actions(&ctx.db, plan_id).await?)
}

pub async fn history(
    ctx: &Context,
    plan_id: i64,
    action_id: Option<i64>,
) -> Result<Vec<HistoryEntry>, Error> {
    Ok(store::history(&ctx.db, plan_id, action_id).await?)
}

/// Who signed, for which side, by name, at which version.
pub async fn approvals(
    ctx: &Context,
    plan_id: i64,
) -> Result<Vec<(i64, Side, String, i64)>, Error> {
    Ok(store::approvals(&ctx.db, plan_id).await?)
}

/// A version of a plan both sides signed: when the second signature made it public, and
/// who signed for each side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedVersion {
    pub version: i64,
    pub at: i64,
    pub signatories: Vec<(Side, String)>,
}

/// Every version of a plan that was published (signed by both sides), oldest first.
pub async fn published_versions(
    ctx: &Context,
    plan_id: i64,
) -> Result<Vec<PublishedVersion>, Error> {
    let mut versions: Vec<PublishedVersion> = Vec::new();
    for (version, side, name, at) in store::approvals(&ctx.db, plan_id).await? {
        match versions.last_mut() {
            Some(v) if v.version == version => {
                v.at = v.at.max(at);
                v.signatories.push((side, name));
            }
            _ => versions.push(PublishedVersion {
                version,
                at,
                signatories: vec![(side, name)],
            }),
        }
    }
    versions.retain(|v| {
        [Side::Employer, Side::Union]
            .iter()
            .all(|side| v.signatories.iter().any(|(s, _)| s == side))
    });
    Ok(versions)
}

pub async fn updates(ctx: &Context, plan_id: i64) -> Result<Vec<Update>, Error> {
    Ok(store::updates(&ctx.db, plan_id).await?)
}

pub async fn indicators(ctx: &Context, plan_id: i64) -> Result<Vec<Indicator>, Error> {
    Ok(store::indicators(&ctx.db, plan_id).await?)
}

pub async fn milestones(ctx: &Context, plan_id: i64) -> Result<Vec<Milestone>, Error> {
    Ok(store::milestones(&ctx.db, plan_id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::Operator;
    use crate::data::Backend;
    use crate::test_fixtures::stored_organisation;
    use dignity_domain::identity::{Email, Name};
    use dignity_domain::plans::Dates;
    use dignity_store::scratch::ScratchDb;

    type Outcome = Result<(), Box<dyn std::error::Error>>;

    /// A plan of `organisation` with one action, signed by both sides when `sign`.
    async fn plan_with_action(
        operator: &Operator,
        organisation: &Organisation,
        signer: i64,
        sign: bool,
    ) -> Result<(Plan, Action), Box<dyn std::error::Error>> {
        let desk = Desk::for_operator(operator, organisation);
        let period = Dates::new(Day::parse("2026-04-01")?, Day::parse("2027-03-31")?)?;
        let plan = desk
            .create_plan(&NewPlan {
                title: "Respect at work".into(),
                period,
                summary: "Together.".into(),
            })
            .await?;
        let group = desk.groups(plan.id).await?.remove(0);
        let action = desk
            .add_action(
                plan.id,
                &NewAction {
                    group_id: group.id,
                    parent_id: None,
                    title: "Civility training".into(),
                    description: String::new(),
                    owner: "HR".into(),
                    employer_lead: String::new(),
                    union_lead: String::new(),
                    dates: period,
                    weight: None,
                },
            )
            .await?;
        if sign {
            let version = desk.plan(plan.id).await?.version;
            for side in Side::ALL {
                desk.approve(plan.id, signer, *side, version).await?;
            }
        }
        Ok((desk.plan(plan.id).await?, action))
    }

    async fn a_plan_is_reached_only_through_its_own_organisation(backend: Backend) -> Outcome {
        let test_db = ScratchDb::new(backend).await?;
        let ctx = Context::new(test_db.db.clone(), crate::Settings::default())?;
        let operator = Operator::new(ctx.db.clone(), ctx.clock.clone(), "cli");
        let (rj1, rx1) = (
            stored_organisation(&operator, "RJ1").await?,
            stored_organisation(&operator, "RX1").await?,
        );
        let signer = operator
            .create_person(
                &Email::parse("signer@example.nhs.uk")?,
                &Name::parse("Sam", "name")?,
                "x",
            )
            .await?
            .id;
        let (published, action) = plan_with_action(&operator, &rj1, signer, true).await?;
        let (draft, unsigned) = plan_with_action(&operator, &rj1, signer, false).await?;

        assert_eq!(plan_in(&ctx, &rj1, published.id).await?.id, published.id);
        match plan_in(&ctx, &rx1, published.id).await {
            Err(Error::NotFound(said)) => {
                assert_eq!(said, "There is no such plan in this organisation.");
            }
            other => panic!("{other:?}"),
        }

        let found = published_action(&ctx, &rj1, published.id, action.id).await?;
        assert_eq!(found.title, "Civility training");
        for (organisation, plan_id, action_id) in [
            (&rx1, published.id, action.id),
            (&rj1, draft.id, unsigned.id),
            (&rj1, published.id, unsigned.id),
        ] {
            match published_action(&ctx, organisation, plan_id, action_id).await {
                Err(Error::NotFound(said)) => {
                    assert_eq!(said, "There is no such published action.");
                }
                other => panic!("{}: {other:?}", organisation.ods_code),
            }
        }
        test_db.finish().await;
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_plan_is_reached_only_through_its_own_organisation_on_sqlite() -> Outcome {
        a_plan_is_reached_only_through_its_own_organisation(Backend::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_plan_is_reached_only_through_its_own_organisation_on_postgres() -> Outcome {
        a_plan_is_reached_only_through_its_own_organisation(Backend::Postgres).await
    }
}
