//! Keeping people in step with an organisation's identity provider through SCIM 2.0
//! `/Users` (RFC 7643 and 7644): the provider makes, changes, turns off and removes
//! accounts; a leaver's roles and sessions go the moment it says so.

use super::provider::ProviderSettings;
use crate::{Context, Error};
use dignity_domain::identity::{Email, Name};
use dignity_store::StoreError;
use dignity_store::identity::Organisation;
use dignity_store::provisioning as store;
pub use dignity_store::provisioning::Provisioned;
use subtle::ConstantTimeEq;

/// The organisation a provisioning token belongs to.
pub struct ScimCaller {
    pub organisation: Organisation,
    provider: ProviderSettings,
}

/// Why a SCIM request was refused, with the SCIM error type it is sent as.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScimRefused {
    #[error("No such user")]
    NotFound,
    /// `uniqueness`: the address has an account.
    #[error("{0}")]
    Taken(String),
    /// `mutability`: not this provider's to change.
    #[error("{0}")]
    NotYours(String),
    /// `invalidValue`, `invalidFilter` or `invalidSyntax`.
    #[error("{1}")]
    Invalid(&'static str, String),
}

/// The organisation whose token this is, compared by digest in constant time.
pub async fn caller(ctx: &Context, bearer: &str) -> Result<Option<ScimCaller>, Error> {
    use sha2::Digest as _;
    let sent: [u8; 32] = sha2::Sha256::digest(bearer.as_bytes()).into();
    let mut found = None;
    for provider in &ctx.single_sign_on.providers {
        if let Some(expected) = provider.scim_token_digest
            && bool::from(expected.ct_eq(&sent))
        {
            found = Some(provider.clone());
        }
    }
    let Some(provider) = found else {
        return Ok(None);
    };
    let Ok(code) = dignity_domain::identity::OdsCode::parse(&provider.organisation) else {
        return Ok(None);
    };
    let Some(organisation) = dignity_store::identity::find_organisation(&ctx.db, &code).await?
    else {
        return Ok(None);
    };
    Ok(Some(ScimCaller {
        organisation,
        provider,
    }))
}

/// A user as the provider sends it, already read from its JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserInput {
    pub user_name: String,
    pub display_name: Option<String>,
    pub external_id: Option<String>,
    pub active: Option<bool>,
}

fn checked(caller: &ScimCaller, input: &UserInput) -> Result<(Email, Name), ScimRefused> {
    // Plain ASCII only, as at sign-in: look-alike letters and hidden characters make
    // look-alike accounts.
    if !input.user_name.is_ascii() || input.user_name.chars().any(|c| c.is_ascii_control()) {
        return Err(ScimRefused::Invalid(
            "invalidValue",
            "userName must be a plain email address, with no accents or hidden characters".into(),
        ));
    }
    let email = Email::parse(&input.user_name).map_err(|_| {
        ScimRefused::Invalid("invalidValue", "userName must be an email address".into())
    })?;
    if !caller.provider.speaks_for(&email) {
        return Err(ScimRefused::Invalid(
            "invalidValue",
            format!(
                "userName must be in one of this organisation's domains: {}",
                caller.provider.email_domains.join(", ")
            ),
        ));
    }
    let fallback = email
        .as_str()
        .split('@')
        .next()
        .unwrap_or_default()
        .to_owned();
    let name = Name::parse(input.display_name.as_deref().unwrap_or(&fallback), "name")
        .map_err(|e| ScimRefused::Invalid("invalidValue", e.to_string()))?;
    if input
        .external_id
        .as_ref()
        .is_some_and(|id| id.chars().count() > 200)
    {
        return Err(ScimRefused::Invalid(
            "invalidValue",
            "externalId must be 200 characters or fewer".into(),
        ));
    }
    Ok((email, name))
}

pub async fn list(
    ctx: &Context,
    caller: &ScimCaller,
    filter: Option<&str>,
    start_index: i64,
    count: i64,
) -> Result<Result<(i64, Vec<Provisioned>), ScimRefused>, Error> {
    // The one filter providers send to find a user before making them.
    let email = match filter.map(str::trim).filter(|f| !f.is_empty()) {
        None => None,
        Some(filter) => match parse_user_name_filter(filter) {
            Some(value) => Some(value),
            None => {
                return Ok(Err(ScimRefused::Invalid(
                    "invalidFilter",
                    "Only the filter userName eq \"...\" is supported".into(),
                )));
            }
        },
    };
    let email = email.map(|e| e.to_lowercase());
    let offset = start_index.max(1) - 1;
    let count = count.clamp(0, 200);
    Ok(Ok(store::list(
        &ctx.db,
        caller.organisation.id,
        email.as_deref(),
        offset,
        count,
    )
    .await?))
}

/// `userName eq "value"`, the attribute name in any case (RFC 7644 3.4.2.2).
fn parse_user_name_filter(filter: &str) -> Option<String> {
    let mut words = filter.splitn(3, ' ');
    let attribute = words.next()?;
    let op = words.next()?;
    let value = words.next()?.trim();
    if !attribute.eq_ignore_ascii_case("userName") || !op.eq_ignore_ascii_case("eq") {
        return None;
    }
    serde_json::from_str::<String>(value).ok()
}

pub async fn get(
    ctx: &Context,
    caller: &ScimCaller,
    id: i64,
) -> Result<Result<Provisioned, ScimRefused>, Error> {
    Ok(store::find(&ctx.db, caller.organisation.id, id)
        .await?
        .ok_or(ScimRefused::NotFound))
}

pub async fn create(
    ctx: &Context,
    caller: &ScimCaller,
    input: &UserInput,
) -> Result<Result<Provisioned, ScimRefused>, Error> {
    let (email, name) = match checked(caller, input) {
        Ok(checked) => checked,
        Err(refused) => return Ok(Err(refused)),
    };
    let made = store::create(
        &ctx.db,
        ctx.clock.now(),
        &caller.organisation,
        &email,
        &name,
        input.external_id.as_deref(),
        input.active.unwrap_or(true),
    )
    .await;
    match made {
        Ok(person) => get(ctx, caller, person.id).await,
        Err(StoreError::Conflict(message)) => {
            // A leaver the provider removed, now back: their old account is taken on again.
            let Some(person) = store::adoptable(&ctx.db, &email).await? else {
                return Ok(Err(ScimRefused::Taken(message)));
            };
            let now = ctx.clock.now();
            store::update(
                &ctx.db,
                now,
                &caller.organisation,
                &person,
                &email,
                &name,
                input.external_id.as_deref(),
            )
            .await?;
            if input.active.unwrap_or(true) {
                store::reactivate(&ctx.db, now, &caller.organisation, &person).await?;
            }
            get(ctx, caller, person.id).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Replaces a user: address, name, the provider's id, and whether they are active.
pub async fn replace(
    ctx: &Context,
    caller: &ScimCaller,
    id: i64,
    input: &UserInput,
) -> Result<Result<Provisioned, ScimRefused>, Error> {
    let Some(current) = store::find(&ctx.db, caller.organisation.id, id).await? else {
        return Ok(Err(ScimRefused::NotFound));
    };
    let (email, name) = match checked(caller, input) {
        Ok(checked) => checked,
        Err(refused) => return Ok(Err(refused)),
    };
    let person = &current.person;
    let now = ctx.clock.now();
    if email.as_str() != person.email
        && !dignity_store::single_sign_on::roles_only_in(&ctx.db, person.id, caller.organisation.id)
            .await?
    {
        // A new address is how a provider's account is first joined to a Dignity one:
        // it must not be able to move someone with roles elsewhere.
        return Ok(Err(ScimRefused::NotYours(
            "This person holds roles outside this organisation; their address is not this provider's to change".into(),
        )));
    }
    match store::update(
        &ctx.db,
        now,
        &caller.organisation,
        person,
        &email,
        &name,
        input
            .external_id
            .as_deref()
            .or(current.external_id.as_deref()),
    )
    .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(message)) => return Ok(Err(ScimRefused::Taken(message))),
        Err(e) => return Err(e.into()),
    }
    match input.active {
        Some(active) => set_active(ctx, caller, id, active).await,
        None => get(ctx, caller, id).await,
    }
}

/// Turns a user off (their roles in the organisation go, every session ends) or on.
pub async fn set_active(
    ctx: &Context,
    caller: &ScimCaller,
    id: i64,
    active: bool,
) -> Result<Result<Provisioned, ScimRefused>, Error> {
    let Some(current) = store::find(&ctx.db, caller.organisation.id, id).await? else {
        return Ok(Err(ScimRefused::NotFound));
    };
    let now = ctx.clock.now();
    // Only a change does anything: asking again to turn off someone already off here
    // ends no session of theirs (they may be signed in for another organisation).
    if active && !current.active_here {
        store::reactivate(&ctx.db, now, &caller.organisation, &current.person).await?;
    } else if !active && current.active_here {
        let ended = store::deactivate(
            &ctx.db,
            now,
            &caller.organisation,
            &caller.provider.issuer,
            &current.person,
            false,
        )
        .await?;
        for session in ended {
            ctx.keys.remove(&session);
        }
    }
    get(ctx, caller, id).await
}

/// Removes a user from the organisation: as turning them off, and the provider no
/// longer sees them. The account stays (the audit log names it), turned off unless they
/// hold roles elsewhere.
pub async fn delete(
    ctx: &Context,
    caller: &ScimCaller,
    id: i64,
) -> Result<Result<(), ScimRefused>, Error> {
    let Some(current) = store::find(&ctx.db, caller.organisation.id, id).await? else {
        return Ok(Err(ScimRefused::NotFound));
    };
    let ended = store::deactivate(
        &ctx.db,
        ctx.clock.now(),
        &caller.organisation,
        &caller.provider.issuer,
        &current.person,
        true,
    )
    .await?;
    for session in ended {
        ctx.keys.remove(&session);
    }
    Ok(Ok(()))
}
