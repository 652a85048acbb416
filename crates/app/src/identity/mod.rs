//! Identity use-cases: signing in with a passphrase and a second step, the session that
//! follows, signing out, and unlocking a caseworker's key again. The pages only parse
//! the form, call these and say what happened.

pub mod keyring;
pub mod leavers;
pub mod organisations;
pub mod people;
pub mod provider;
pub mod scim;
mod second_step;
mod sign_in;

pub use dignity_store::identity::{Member, Membership, OrgUnit, Organisation, Person};
pub use second_step::{CodeRefused, new_second_step_secret, pass_second_step, set_up_second_step};
pub use sign_in::{SignIn, SignInOutcome, SignedIn, sign_in};

use crate::{Context, Error};
use dignity_crypto::token::token_digest;
use dignity_domain::identity::{Region, Role};
use dignity_store::audit::{self, NewEntry};
use dignity_store::{sessions, throttle};

/// Who may read across every organisation (the national views); one list, so every
/// capability's national pages admit the same people.
pub const ANALYSTS: &[Role] = &[Role::NationalAnalyst];

/// How long sessions last and how many wrong guesses are allowed.
#[derive(Debug, Clone, Copy)]
pub struct SignInRules {
    /// Sessions end this long after sign-in, whatever happens.
    pub session_max_seconds: i64,
    /// Sessions end after this long without a request.
    pub session_idle_seconds: i64,
    /// Failed sign-ins allowed per account, and per client, in `throttle_window_seconds`.
    pub max_failures_per_account: i64,
    pub max_failures_per_client: i64,
    pub throttle_window_seconds: i64,
}

impl Default for SignInRules {
    fn default() -> Self {
        SignInRules {
            session_max_seconds: 12 * 3600,
            session_idle_seconds: 30 * 60,
            max_failures_per_account: 5,
            max_failures_per_client: 30,
            throttle_window_seconds: 15 * 60,
        }
    }
}

impl SignInRules {
    /// Whole minutes someone is asked to wait once throttled.
    pub fn wait_minutes(&self) -> i64 {
        self.throttle_window_seconds / 60
    }
}

/// A signed-in person as every request sees them.
#[derive(Debug, Clone)]
pub struct CurrentSession {
    pub person: Person,
    pub memberships: Vec<Membership>,
    /// The SHA-256 of the session token: the only form the server keeps.
    pub session_digest: String,
    pub second_factor_done: bool,
    pub expires_at: i64,
}

impl CurrentSession {
    /// Whether any of their roles asks for a second sign-in step.
    pub fn needs_second_factor(&self) -> bool {
        needs_second_factor(&self.memberships)
    }

    /// Signed in with both steps, or with the only step their roles need.
    pub fn fully_signed_in(&self) -> bool {
        self.second_factor_done || !self.needs_second_factor()
    }

    /// Whether they hold one of `roles` in the organisation with this ODS code.
    pub fn has_org_role(&self, ods: &str, roles: &[Role]) -> bool {
        self.memberships.iter().any(|m| {
            roles.contains(&m.role)
                && m.organisation
                    .as_ref()
                    .is_some_and(|o| o.ods_code.eq_ignore_ascii_case(ods))
        })
    }

    /// Whether they hold one of `roles` in `region` (a regional director's, say).
    pub fn has_region_role(&self, region: Region, roles: &[Role]) -> bool {
        self.memberships
            .iter()
            .any(|m| m.region == Some(region) && roles.contains(&m.role))
    }

    /// Whether they hold one of these installation-wide roles.
    pub fn has_platform_role(&self, roles: &[Role]) -> bool {
        self.memberships
            .iter()
            .any(|m| m.organisation.is_none() && m.region.is_none() && roles.contains(&m.role))
    }
}

pub(crate) fn needs_second_factor(memberships: &[Membership]) -> bool {
    memberships.iter().any(|m| m.role.needs_second_factor())
}

/// The live session a token belongs to, if any.
pub async fn current_session(ctx: &Context, token: &str) -> Result<Option<CurrentSession>, Error> {
    let digest = token_digest(token);
    let now = ctx.clock.now();
    let Some((session, person)) =
        sessions::find_live_with_person(&ctx.db, &digest, now, ctx.sign_in.session_idle_seconds)
            .await?
    else {
        return Ok(None);
    };
    let memberships = dignity_store::identity::memberships(&ctx.db, person.id).await?;
    Ok(Some(CurrentSession {
        person,
        memberships,
        session_digest: digest,
        second_factor_done: session.second_factor_done,
        expires_at: session.expires_at,
    }))
}

/// Ends a session here and on every server, and forgets its unlocked key.
pub async fn sign_out(ctx: &Context, session: &CurrentSession) -> Result<(), Error> {
    sessions::delete(&ctx.db, &session.session_digest).await?;
    ctx.keys.remove(&session.session_digest);
    record(
        ctx,
        &session.person.email,
        None,
        "session.sign_out",
        "Signed out",
    )
    .await
}

/// Why an unlock was refused, in words for the person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnlockRefused {
    #[error("You have tried too many times. Wait {minutes} minutes, then try again")]
    TooMany { minutes: i64 },
    #[error("Enter your passphrase")]
    Empty,
    #[error("That passphrase is not right")]
    Wrong,
    #[error("{0}")]
    Weak(String),
    #[error("The two passphrases are not the same. Type the same one twice")]
    NotTheSame,
}

/// Whether this person has yet to choose the passphrase that locks their case key: they
/// sign in through a provider and have never had one.
pub fn needs_case_passphrase(session: &CurrentSession) -> bool {
    session.person.passphrase_hash.is_empty()
}

/// Someone who signs in through their organisation's provider, and reads cases, chooses a
/// passphrase that only locks their case key (docs/threat-model.md, "Case keys for people
/// who sign in through a provider"). It cannot be used to sign in. The key is made and
/// opened for this session.
pub async fn choose_case_passphrase(
    ctx: &Context,
    session: &CurrentSession,
    passphrase: &str,
    again: &str,
) -> Result<Result<(), UnlockRefused>, Error> {
    if !needs_case_passphrase(session) {
        return Ok(Err(UnlockRefused::Wrong));
    }
    if passphrase.is_empty() {
        return Ok(Err(UnlockRefused::Empty));
    }
    if let Err(weak) = dignity_domain::identity::check_new_passphrase(passphrase) {
        return Ok(Err(UnlockRefused::Weak(weak.to_string())));
    }
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        passphrase.as_bytes(),
        again.as_bytes(),
    )) {
        return Ok(Err(UnlockRefused::NotTheSame));
    }
    let cost = ctx.passphrase_cost;
    let owned = zeroize::Zeroizing::new(passphrase.to_owned());
    let hash = ctx
        .derivations
        .run(move || dignity_crypto::passphrase::hash(&owned, cost))
        .await??;
    let now = ctx.clock.now();
    if !dignity_store::single_sign_on::set_first_passphrase(&ctx.db, now, &session.person, &hash)
        .await?
    {
        return Ok(Err(UnlockRefused::Wrong));
    }
    open_case_key(ctx, session, passphrase).await
}

/// Makes or opens the case key for this session with a passphrase already checked.
async fn open_case_key(
    ctx: &Context,
    session: &CurrentSession,
    passphrase: &str,
) -> Result<Result<(), UnlockRefused>, Error> {
    crate::speakup::unlock_for_session(
        ctx,
        &session.person,
        &session.memberships,
        passphrase,
        &session.session_digest,
        session.expires_at,
    )
    .await?;
    Ok(Ok(()))
}

/// Opens a signed-in caseworker's case key again with their passphrase, after a restart
/// or on another server. Wrong passphrases count against the account like sign-ins.
pub async fn unlock_case_key(
    ctx: &Context,
    session: &CurrentSession,
    passphrase: &str,
) -> Result<Result<(), UnlockRefused>, Error> {
    let key = account_throttle_key(ctx, &session.person.email);
    let now = ctx.clock.now();
    let window = ctx.sign_in.throttle_window_seconds;
    if throttle::recent_failures(&ctx.db, &key, now, window).await?
        >= ctx.sign_in.max_failures_per_account
    {
        return Ok(Err(UnlockRefused::TooMany {
            minutes: ctx.sign_in.wait_minutes(),
        }));
    }
    if passphrase.is_empty() {
        return Ok(Err(UnlockRefused::Empty));
    }
    if !passphrase_matches(ctx, passphrase, &session.person.passphrase_hash).await? {
        throttle::record_failure(&ctx.db, &[&key], now, window).await?;
        return Ok(Err(UnlockRefused::Wrong));
    }
    open_case_key(ctx, session, passphrase).await
}

/// Drops the keys of sessions that have ended without signing out (idle, too old, or
/// removed on another server). Reading a key already refuses them, but a key must not
/// stay in memory, where a dump of the process would find it, for longer than its session.
pub async fn forget_ended_sessions(ctx: &Context) -> Result<(), Error> {
    let now = ctx.clock.now();
    for session in ctx.keys.sessions() {
        let live =
            sessions::find_live(&ctx.db, &session, now, ctx.sign_in.session_idle_seconds).await?;
        if live.is_none() {
            ctx.keys.remove(&session);
        }
    }
    Ok(())
}

/// Removes ended sessions and sign-in failures past their window, from the database.
pub async fn purge_ended(ctx: &Context) -> Result<(), Error> {
    let now = ctx.clock.now();
    sessions::purge_expired(&ctx.db, now, ctx.sign_in.session_idle_seconds).await?;
    throttle::purge_expired(&ctx.db, now, ctx.sign_in.throttle_window_seconds).await?;
    dignity_store::single_sign_on::purge_requests(&ctx.db, now).await?;
    Ok(())
}

/// Runs [`forget_ended_sessions`] every minute, for as long as the server runs.
pub async fn forget_ended_sessions_every_minute(ctx: Context) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        if let Err(e) = forget_ended_sessions(&ctx).await {
            tracing::warn!(cause = %e, "could not check unlocked keys against sessions");
        }
    }
}

/// Whether `passphrase` matches the stored hash: argon2id, slow and memory-hungry by
/// design, so run a few at a time off the async threads, and never at more than the
/// configured cost allows.
pub async fn passphrase_matches(
    ctx: &Context,
    passphrase: &str,
    stored: &str,
) -> Result<bool, Error> {
    let most = ctx.passphrase_cost.most_allowed();
    let passphrase = zeroize::Zeroizing::new(passphrase.to_owned());
    // An account made at a first sign-in through a provider has no passphrase: none
    // matches, after the same work as a real check.
    let none_set = stored.is_empty();
    let stored = if none_set { ctx.dummy_hash() } else { stored }.to_owned();
    Ok(!none_set
        && ctx
            .derivations
            .run(move || dignity_crypto::passphrase::verify(&passphrase, &stored, most))
            .await??)
}

/// A key for throttling sign-ins from one client, given as the address the request came
/// from. The address is kept only as a keyed digest under the installation secret, which
/// is never in the database: a copy of the table cannot be reversed by hashing every IPv4
/// address.
pub fn client_throttle_key(ctx: &Context, client: &str) -> String {
    format!(
        "client:{}",
        ctx.secret.keyed_digest(CLIENT_PURPOSE, client.as_bytes())
    )
}

/// A key for throttling sign-ins to one account: the address typed, as a keyed digest, so
/// addresses typed by someone guessing are not kept either.
pub fn account_throttle_key(ctx: &Context, email: &str) -> String {
    format!(
        "account:{}",
        ctx.secret.keyed_digest(ACCOUNT_PURPOSE, email.as_bytes())
    )
}

/// A key for counting wrong second-step codes for one account, apart from wrong
/// passphrases so that a right passphrase does not clear it.
pub(crate) fn second_step_throttle_key(ctx: &Context, email: &str) -> String {
    format!(
        "second-step:{}",
        ctx.secret
            .keyed_digest(SECOND_STEP_PURPOSE, email.as_bytes())
    )
}

const SECOND_STEP_PURPOSE: &str = "sign-in throttle: second step";
const CLIENT_PURPOSE: &str = "sign-in throttle: client address";
const ACCOUNT_PURPOSE: &str = "sign-in throttle: account";

/// Writes one entry to the audit log, dated by the context's clock.
pub(crate) async fn record(
    ctx: &Context,
    actor: &str,
    organisation: Option<&str>,
    action: &str,
    detail: &str,
) -> Result<(), Error> {
    let entry = NewEntry {
        actor,
        organisation,
        action,
        detail,
    };
    audit::record(&ctx.db, ctx.clock.now(), &entry).await?;
    Ok(())
}
