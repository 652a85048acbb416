//! The second sign-in step: a 6-digit code from an authenticator app.

use super::{CurrentSession, record, second_step_throttle_key};
use crate::{Context, Error};
use dignity_domain::identity::InvalidValue;
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

/// Checks a typed code against `secret`. Wrong codes are counted on a key of their own,
/// which only a passed second step clears: counted only with wrong passphrases, they were
/// cleared by every right one, and someone holding a stolen passphrase could guess
/// without end by signing in again every few codes (an outside review made 580 guesses in
/// 8 seconds). Now a few wrong codes in a window stop the second step for that window,
/// and the first stop goes in the audit log. Returns the code's time step.
async fn check_code(
    ctx: &Context,
    session: &CurrentSession,
    secret: &str,
    code: &str,
) -> Result<Result<i64, CodeRefused>, Error> {
    let now = ctx.clock.now();
    let window = ctx.sign_in.throttle_window_seconds;
    let key = second_step_throttle_key(ctx, &session.person.email);
    let most = ctx.sign_in.max_failures_per_account;
    if throttle::recent_failures(&ctx.db, &key, now, window).await? >= most {
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
            if throttle::recent_failures(&ctx.db, &key, now, window).await? == most {
                let detail = format!("Second sign-in step paused after {most} wrong codes");
                record(
                    ctx,
                    &session.person.email,
                    None,
                    "session.locked_out",
                    &detail,
                )
                .await?;
            }
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
    passed(ctx, session).await?;
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

/// A new authenticator secret for the set-up page. It is shown as a QR code and comes back
/// with the first code from the app; it is kept only once that code is right.
pub fn new_second_step_secret() -> String {
    dignity_crypto::totp::new_secret()
}

/// Whether `secret` is one [`new_second_step_secret`] could have made: 32 base32
/// characters. The set-up page sends it back, so it may have been changed on the way.
fn is_second_step_secret(secret: &str) -> bool {
    secret.len() == 32
        && secret
            .chars()
            .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c))
}

/// Sets up an authenticator app: keeps `secret` once a code from it is right, and counts
/// this session's second step as passed. A secret that is not one this server could have
/// made is refused as invalid.
pub async fn set_up_second_step(
    ctx: &Context,
    session: &CurrentSession,
    secret: &str,
    code: &str,
) -> Result<Result<(), CodeRefused>, Error> {
    if !is_second_step_secret(secret) {
        return Err(Error::Invalid(InvalidValue::Message(
            "The set-up page was changed. Go back and start again.",
        )));
    }
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
    passed(ctx, session).await?;
    Ok(Ok(()))
}

/// Counts this session's second step as passed and forgets its wrong codes.
async fn passed(ctx: &Context, session: &CurrentSession) -> Result<(), Error> {
    sessions::mark_second_factor_done(&ctx.db, &session.session_digest).await?;
    throttle::clear(
        &ctx.db,
        &second_step_throttle_key(ctx, &session.person.email),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_secrets_this_server_could_make_are_taken_back() {
        for _ in 0..20 {
            assert!(is_second_step_secret(&new_second_step_secret()));
        }
        let good = new_second_step_secret();
        assert!(!is_second_step_secret(&good[1..]), "too short");
        assert!(!is_second_step_secret(&good.to_lowercase()), "lower case");
        assert!(
            !is_second_step_secret(&format!("{}1", &good[1..])),
            "1 is not base32"
        );
        assert!(!is_second_step_secret(""));
    }
}
