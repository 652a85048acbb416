//! The second sign-in step: a 6-digit code from an authenticator app.

use super::{CurrentSession, account_throttle_key, record};
use crate::{Context, Error};
use dignity_store::{identity, sessions, throttle};

/// Why a code was refused, in words for the person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeRefused {
    #[error("You have tried to sign in too many times. Wait {minutes} minutes, then try again")]
    TooMany { minutes: i64 },
    #[error("Enter the 6-digit code from your authenticator app")]
    Empty,
    #[error("The code must be 6 numbers, like 123456")]
    NotSixDigits,
    #[error("That code is not right or has been used. Wait for a new code and try again")]
    Wrong,
}

/// Checks a typed code against `secret`, counting wrong codes like wrong passphrases so
/// six digits cannot be guessed by trying them all. Returns the code's time step.
async fn check_code(
    ctx: &Context,
    session: &CurrentSession,
    secret: &str,
    code: &str,
) -> Result<Result<i64, CodeRefused>, Error> {
    let now = ctx.clock.now();
    let window = ctx.sign_in.throttle_window_seconds;
    let key = account_throttle_key(ctx, &session.person.email);
    if throttle::recent_failures(&ctx.db, &key, now, window).await?
        >= ctx.sign_in.max_failures_per_account
    {
        return Ok(Err(CodeRefused::TooMany {
            minutes: ctx.sign_in.wait_minutes(),
        }));
    }
    let trimmed: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if trimmed.is_empty() {
        return Ok(Err(CodeRefused::Empty));
    }
    if trimmed.len() != 6 || !trimmed.chars().all(|c| c.is_ascii_digit()) {
        return Ok(Err(CodeRefused::NotSixDigits));
    }
    let step = dignity_crypto::totp::verify(
        secret,
        &trimmed,
        u64::try_from(now).unwrap_or_default(),
        session.person.totp_last_step,
    )?;
    match step {
        Some(step) => Ok(Ok(step)),
        None => {
            throttle::record_failure(&ctx.db, &[&key], now, window).await?;
            Ok(Err(CodeRefused::Wrong))
        }
    }
}

/// Passes the second step with the authenticator app already set up. A code is good
/// once: one used a moment ago on another server is refused as a conflict.
pub async fn pass_second_step(
    ctx: &Context,
    session: &CurrentSession,
    secret: &str,
    code: &str,
) -> Result<Result<(), CodeRefused>, Error> {
    let step = match check_code(ctx, session, secret, code).await? {
        Ok(step) => step,
        Err(refused) => return Ok(Err(refused)),
    };
    if !identity::use_totp_step(&ctx.db, session.person.id, step).await? {
        return Err(Error::Conflict(
            "That code has just been used. Wait for a new code and try again".into(),
        ));
    }
    sessions::mark_second_factor_done(&ctx.db, &session.session_digest).await?;
    record(
        ctx,
        &session.person.email,
        None,
        "session.second_factor",
        "Passed the second sign-in step",
    )
    .await?;
    Ok(Ok(()))
}

/// Sets up an authenticator app: keeps `secret` once a code from it is right, and counts
/// this session's second step as passed.
pub async fn set_up_second_step(
    ctx: &Context,
    session: &CurrentSession,
    secret: &str,
    code: &str,
) -> Result<Result<(), CodeRefused>, Error> {
    let step = match check_code(ctx, session, secret, code).await? {
        Ok(step) => step,
        Err(refused) => return Ok(Err(refused)),
    };
    identity::set_totp(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        &session.person,
        Some(secret),
        Some(step),
    )
    .await?;
    sessions::mark_second_factor_done(&ctx.db, &session.session_digest).await?;
    Ok(Ok(()))
}
