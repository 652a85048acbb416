//! An organisation's own policies and contacts, shown above the national catalogue when
//! its staff open the library from their home page. Its administrators add and remove
//! them; each change is audited under the organisation.

use super::Pin;
use crate::identity::{CurrentSession, Organisation};
use crate::{Context, Error};
use dignity_store::library as store;

/// An item to pin, already checked: a title, some text and a link (either may be empty).
pub struct NewPin<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub link: &'a str,
}

/// The organisation's pinned items, in the order they were added.
pub async fn pins(ctx: &Context, organisation: &Organisation) -> Result<Vec<Pin>, Error> {
    Ok(store::pins(&ctx.db, organisation.id).await?)
}

pub async fn add(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    pin: &NewPin<'_>,
) -> Result<(), Error> {
    store::add_pin(
        &ctx.db,
        &session.person.email,
        organisation,
        ctx.clock.now(),
        pin.title,
        pin.body,
        pin.link,
    )
    .await?;
    Ok(())
}

/// Removes one of the organisation's pinned items; another organisation's is `NotFound`.
pub async fn remove(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    pin: i64,
) -> Result<(), Error> {
    store::remove_pin(
        &ctx.db,
        &session.person.email,
        organisation,
        ctx.clock.now(),
        pin,
    )
    .await?;
    Ok(())
}
