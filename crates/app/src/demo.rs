//! What seeding the demo installation (`dignity demo`) writes beyond the operator's
//! use-cases: an organisation's pinned items, news and events under the operator's name
//! rather than a signed-in person's, and a partnership plan drafted, signed and reported
//! on. Each is audited under the operator's name and dated by its clock.

use crate::Error;
use crate::admin::Operator;
use crate::events::NewEvent;
use crate::identity::Organisation;
use crate::mail::NewMail;
use crate::news::NewPost;
use crate::plans::{Action, Group, NewAction, NewIndicator, NewPlan, Plan, Report};
use dignity_domain::plans::Side;
use dignity_store::plans::{self as store, Editor};
use dignity_store::{events, library, news};

/// Pins an item with no link to the organisation's library page.
pub async fn pin(
    operator: &Operator,
    organisation: &Organisation,
    title: &str,
    body: &str,
) -> Result<(), Error> {
    library::add_pin(
        operator.db(),
        operator.actor(),
        organisation,
        operator.clock().now(),
        title,
        body,
        "",
    )
    .await?;
    Ok(())
}

/// Publishes a news post. A new installation has no subscribers, so no email is written.
pub async fn publish(operator: &Operator, post: &NewPost) -> Result<i64, Error> {
    let no_mail = |_: i64, _: &str, _: &str| NewMail {
        purpose: String::new(),
        to: String::new(),
        subject: String::new(),
        body: String::new(),
        attachment: None,
    };
    let (id, _) = news::publish(
        operator.db(),
        operator.actor(),
        operator.clock().now(),
        post,
        &no_mail,
    )
    .await?;
    Ok(id)
}

/// Adds an event to book, organised by the operator; returns its id.
pub async fn add_event(operator: &Operator, event: &NewEvent) -> Result<i64, Error> {
    Ok(events::create_event(
        operator.db(),
        operator.actor(),
        operator.clock().now(),
        event,
    )
    .await?)
}

/// The operator changing an organisation's plans, as [`crate::plans::Desk`] is for a
/// person.
pub struct PlanDesk<'a> {
    operator: &'a Operator,
    organisation: &'a Organisation,
}

/// The desk the operator changes `organisation`'s plans at.
pub fn plans<'a>(operator: &'a Operator, organisation: &'a Organisation) -> PlanDesk<'a> {
    PlanDesk {
        operator,
        organisation,
    }
}

impl<'a> PlanDesk<'a> {
    fn editor(&self) -> Editor<'a> {
        Editor {
            actor: self.operator.actor(),
            now: self.operator.clock().now(),
            organisation: self.organisation,
        }
    }

    fn db(&self) -> &crate::Db {
        self.operator.db()
    }

    pub async fn create_plan(&self, plan: &NewPlan) -> Result<Plan, Error> {
        Ok(store::create_plan(self.db(), self.editor(), plan).await?)
    }

    pub async fn plan(&self, plan_id: i64) -> Result<Plan, Error> {
        Ok(store::get_plan(self.db(), plan_id).await?)
    }

    /// The plan's groups of actions (its commitments), in order.
    pub async fn groups(&self, plan_id: i64) -> Result<Vec<Group>, Error> {
        Ok(store::groups(self.db(), plan_id).await?)
    }

    pub async fn add_action(&self, plan_id: i64, action: &NewAction) -> Result<Action, Error> {
        Ok(store::add_action(self.db(), self.editor(), plan_id, action).await?)
    }

    pub async fn add_indicator(
        &self,
        action_id: i64,
        indicator: &NewIndicator,
    ) -> Result<(), Error> {
        Ok(store::add_indicator(self.db(), self.editor(), action_id, indicator).await?)
    }

    /// Signs `seen_version` of the plan for one side, as the person `person_id`.
    pub async fn approve(
        &self,
        plan_id: i64,
        person_id: i64,
        side: Side,
        seen_version: i64,
    ) -> Result<(), Error> {
        store::approve(
            self.db(),
            self.editor(),
            plan_id,
            person_id,
            side,
            seen_version,
        )
        .await?;
        Ok(())
    }

    pub async fn report_progress(&self, action_id: i64, report: &Report) -> Result<(), Error> {
        Ok(store::report_progress(self.db(), self.editor(), action_id, report).await?)
    }

    /// Adds an update on an action's progress, written by `author`, with no links.
    pub async fn add_update(&self, action_id: i64, author: &str, body: &str) -> Result<(), Error> {
        Ok(store::add_update(self.db(), self.editor(), action_id, author, body, &[]).await?)
    }
}
