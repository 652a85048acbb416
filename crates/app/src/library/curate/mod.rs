//! Curating the national catalogue: any organisation's administrators and the platform's
//! add, change and retire resources, and check them when their review date comes. Every
//! change is audited under the curator's name, and reaches every server's search index
//! through the catalogue's change log.

pub mod check;

pub use check::{CheckedResource, ResourceDraft, ResourceProblem, check};

use super::Resource;
use crate::identity::CurrentSession;
use crate::{Context, Error};
use dignity_domain::identity::{InvalidValue, Role};
use dignity_domain::speakup::Day;
use dignity_store::library as store;

/// Whose name goes in the audit log.
pub struct Curator {
    /// The curator's email address.
    pub actor: String,
    /// The organisation they curate for, when they curate as its administrator; `None`
    /// for a platform administrator.
    pub organisation: Option<String>,
}

/// The curator, and their organisation if they curate as an org admin.
pub fn curator(session: &CurrentSession) -> Curator {
    let organisation = if session.has_platform_role(&[Role::PlatformAdmin]) {
        None
    } else {
        session
            .memberships
            .iter()
            .find(|m| m.role == Role::OrgAdmin)
            .and_then(|m| m.organisation.as_ref())
            .map(|o| o.ods_code.clone())
    };
    Curator {
        actor: session.person.email.clone(),
        organisation,
    }
}

/// When a resource checked today is next checked, unless the curator says otherwise: a
/// year from today.
pub fn next_review(ctx: &Context) -> Day {
    ctx.clock.today().plus_days(365)
}

/// Resources whose review date has come.
pub async fn due_for_review(ctx: &Context) -> Result<Vec<Resource>, Error> {
    Ok(store::due_for_review(&ctx.db, ctx.clock.today()).await?)
}

/// Resources in the library (not retired) with no address of their own yet, by title: none
/// at all, or only a website's home page. A curator who finds where one can be read adds it.
pub async fn without_address(ctx: &Context) -> Result<Vec<Resource>, Error> {
    let mut found: Vec<Resource> = store::all_resources(&ctx.db)
        .await?
        .into_iter()
        .filter(|r| !r.retired && (r.fields.link.is_empty() || r.fields.link_is_site_home()))
        .collect();
    found.sort_by(|a, b| a.fields.title.cmp(&b.fields.title));
    Ok(found)
}

/// A resource to change; a retired one cannot be changed.
pub async fn to_change(ctx: &Context, id: i64) -> Result<Resource, Error> {
    let resource = store::get_resource(&ctx.db, id).await?;
    if resource.retired {
        return Err(Error::NotFound(
            "That resource has been retired, so it cannot be changed.".into(),
        ));
    }
    Ok(resource)
}

/// Adds a checked resource ([`check`]) to the catalogue; returns its id.
pub async fn add(
    ctx: &Context,
    session: &CurrentSession,
    resource: &CheckedResource,
) -> Result<i64, Error> {
    let Curator {
        actor,
        organisation,
    } = curator(session);
    let ids = store::add_resources(
        &ctx.db,
        &actor,
        organisation.as_deref(),
        ctx.clock.now(),
        std::slice::from_ref(resource.resource()),
    )
    .await?;
    Ok(ids.first().copied().unwrap_or_default())
}

/// Changes a resource that has not been retired to a checked one ([`check`]).
pub async fn change(
    ctx: &Context,
    session: &CurrentSession,
    id: i64,
    resource: &CheckedResource,
) -> Result<(), Error> {
    let Curator {
        actor,
        organisation,
    } = curator(session);
    store::update_resource(
        &ctx.db,
        &actor,
        organisation.as_deref(),
        ctx.clock.now(),
        id,
        resource.resource(),
    )
    .await?;
    Ok(())
}

/// Retires a resource: it leaves search, and its page says it was retired.
pub async fn retire(ctx: &Context, session: &CurrentSession, id: i64) -> Result<(), Error> {
    let Curator {
        actor,
        organisation,
    } = curator(session);
    store::retire_resource(
        &ctx.db,
        &actor,
        organisation.as_deref(),
        ctx.clock.now(),
        id,
    )
    .await?;
    Ok(())
}

/// What a curator is told when the next check is not a date after today.
pub const NEXT_CHECK_AFTER_TODAY: &str =
    "The next check must be a date after today, like 2027-06-01.";

/// Records that a resource was checked and still stands, with the date of its next check,
/// which must be after today.
pub async fn mark_reviewed(
    ctx: &Context,
    session: &CurrentSession,
    id: i64,
    next: Day,
) -> Result<(), Error> {
    if next <= ctx.clock.today() {
        return Err(Error::Invalid(InvalidValue::Message(
            NEXT_CHECK_AFTER_TODAY,
        )));
    }
    let Curator {
        actor,
        organisation,
    } = curator(session);
    store::mark_reviewed(
        &ctx.db,
        &actor,
        organisation.as_deref(),
        ctx.clock.now(),
        id,
        next,
    )
    .await?;
    Ok(())
}
