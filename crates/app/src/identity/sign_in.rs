//! Signing in with an email address and a passphrase.

use super::{
    CurrentSession, account_throttle_key, client_throttle_key, passphrase_matches, record,
};
use crate::{Context, Error};
use dignity_crypto::token::{random_token, token_digest};
use dignity_domain::identity::Email;
use dignity_store::{identity, sessions, throttle};
use zeroize::Zeroizing;

/// What someone typed to sign in, already parsed.
pub struct SignIn<'a> {
    pub email: &'a Email,
    pub passphrase: &'a str,
    /// The address the request came from, used only as a keyed digest for throttling.
    pub client: &'a str,
    /// A session token the browser already held, ended so a token planted before sign-in
    /// is worthless.
    pub previous_token: Option<&'a str>,
}

/// A new session.
pub struct SignedIn {
    /// For the cookie; the server keeps only its digest.
    pub token: Zeroizing<String>,
    pub session: CurrentSession,
}

impl SignedIn {
    /// Whether their roles ask for a second step before anything else.
    pub fn needs_second_factor(&self) -> bool {
        self.session.needs_second_factor()
    }

    /// Whether they have already set up an authenticator app.
    pub fn has_second_factor(&self) -> bool {
        self.session.person.totp_secret.is_some()
    }
}

pub enum SignInOutcome {
    SignedIn(Box<SignedIn>),
    /// Too many wrong attempts for this account or from this client: wait this long.
    Throttled {
        minutes: i64,
    },
    /// The same answer whether the account exists, is disabled or the passphrase is
    /// wrong, so it reveals nothing.
    WrongDetails,
    /// The passphrase was right, but this person signs in through their organisation's
    /// identity provider (their passphrase only opens cases).
    UseProvider,
}

/// Checks the passphrase (against a dummy hash when there is no such account, so the
/// time taken does not say which addresses have accounts), counts failures per account
/// and per client, starts a session and unlocks a caseworker's case key.
pub async fn sign_in(ctx: &Context, attempt: &SignIn<'_>) -> Result<SignInOutcome, Error> {
    let rules = ctx.sign_in;
    let now = ctx.clock.now();
    let window = rules.throttle_window_seconds;
    let account_key = account_throttle_key(ctx, attempt.email.as_str());
    let client_key = client_throttle_key(ctx, attempt.client);
    if throttle::recent_failures(&ctx.db, &account_key, now, window).await?
        >= rules.max_failures_per_account
        || throttle::recent_failures(&ctx.db, &client_key, now, window).await?
            >= rules.max_failures_per_client
    {
        return Ok(SignInOutcome::Throttled {
            minutes: rules.wait_minutes(),
        });
    }

    let person = identity::find_person_by_email(&ctx.db, attempt.email).await?;
    let stored = person
        .as_ref()
        .map_or(ctx.dummy_hash(), |p| p.passphrase_hash.as_str());
    let matches = passphrase_matches(ctx, attempt.passphrase, stored).await?;
    let person = match person {
        Some(person) if matches && !person.disabled => person,
        known => {
            throttle::record_failure(&ctx.db, &[&account_key, &client_key], now, window).await?;
            if throttle::recent_failures(&ctx.db, &account_key, now, window).await?
                == rules.max_failures_per_account
            {
                // An address typed by someone guessing is kept nowhere, the audit log
                // included: the entry names only an account that exists.
                let (actor, detail) = match &known {
                    Some(person) => (
                        person.email.clone(),
                        format!(
                            "Sign-in paused for {} after {} wrong passphrases",
                            person.email, rules.max_failures_per_account
                        ),
                    ),
                    None => (
                        "an address with no account".to_owned(),
                        format!(
                            "Sign-in paused for an address with no account after {} wrong passphrases",
                            rules.max_failures_per_account
                        ),
                    ),
                };
                record(ctx, &actor, None, "session.locked_out", &detail).await?;
            }
            return Ok(SignInOutcome::WrongDetails);
        }
    };
    throttle::clear(&ctx.db, &account_key).await?;
    if super::provider::passphrase_closed(ctx, &person).await? {
        return Ok(SignInOutcome::UseProvider);
    }

    if let Some(old) = attempt.previous_token {
        sessions::delete(&ctx.db, &token_digest(old)).await?;
    }
    let token = Zeroizing::new(random_token());
    let digest = token_digest(&token);
    let expires_at = now + rules.session_max_seconds;
    sessions::create(&ctx.db, &digest, person.id, now, expires_at).await?;
    record(
        ctx,
        &person.email,
        None,
        "session.sign_in",
        "Signed in with a passphrase",
    )
    .await?;

    let memberships = identity::memberships(&ctx.db, person.id).await?;
    crate::speakup::unlock_for_session(
        ctx,
        &person,
        &memberships,
        attempt.passphrase,
        &digest,
        expires_at,
    )
    .await?;
    let session = CurrentSession {
        second_factor_done: false,
        person,
        memberships,
        session_digest: digest,
        expires_at,
    };
    Ok(SignInOutcome::SignedIn(Box::new(SignedIn {
        token,
        session,
    })))
}
