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

/// The desk the operator changes `organisation`'s plans at.
pub fn plans<'a>(operator: &'a Operator, organisation: &'a Organisation) -> crate::plans::Desk<'a> {
    crate::plans::Desk::for_operator(operator, organisation)
}

/// Records a decision guide as the demo's manager, dated by the operator's clock.
pub async fn decision_guide(
    operator: &Operator,
    secret: &dignity_crypto::secret::InstallationSecret,
    organisation: &Organisation,
    manager_id: i64,
    manager_email: &str,
    form: &crate::justculture::GuideForm,
) -> Result<i64, Error> {
    let manager = crate::justculture::Manager {
        id: manager_id,
        email: manager_email,
    };
    crate::justculture::keep_guide(
        operator.db(),
        secret,
        operator.clock(),
        manager,
        organisation,
        form,
    )
    .await
    .map_err(|e| match e {
        crate::justculture::RecordError::App(e) => e,
        crate::justculture::RecordError::Form(problems) => Error::Internal(format!(
            "the demo's decision guide record is not complete: {problems:?}"
        )),
    })
}
