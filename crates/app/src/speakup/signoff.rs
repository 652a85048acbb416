//! Signing off the quarterly return and marking it as sent to the National Guardian's
//! Office.
//!
//! The rules:
//! - Only the organisation's guardians sign off, mark as sent or withdraw ([`SIGNERS`]):
//!   the return is theirs to send. Everyone who may read the return (guardians,
//!   executives, union partners) sees whether it was signed off and sent, by whom and when.
//!   Organisation administrators do not read the return, so they do not see this on its
//!   page either; the audit log, which they do read, records every step.
//! - A return covers a whole quarter, so only a quarter that has ended can be signed off.
//! - A sign-off records who and on what day, and a digest of the return's CSV as it was
//!   that day. The figures are not copied: they are always decided afresh, the one way
//!   (`returns`). When they no longer match the digest (a case recorded late, say), the
//!   page says the figures have changed since the sign-off.
//! - Marking as sent needs a sign-off over the figures as they are now, and happens once.
//! - A sign-off can be withdrawn until the return is marked as sent; after that it stands.
//! - Each step is written with its audit entry in one transaction (`dignity_store`).

use super::returns;
use crate::identity::{CurrentSession, Organisation};
use crate::{Context, Error};
use dignity_domain::identity::Role;
use dignity_domain::speakup::Day;
use dignity_domain::speakup_returns::{PublishedReturn, Quarter};
use dignity_store::speakup_returns::{self as store, Actor};
use sha2::{Digest, Sha256};

/// Who signs off, marks as sent and withdraws: the organisation's guardians.
pub const SIGNERS: &[Role] = &[Role::Guardian];

/// Said in place of a name when the person's account has gone.
const NO_LONGER_HERE: &str = "someone who no longer has an account";

/// Where a return is: each later stage keeps what came before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// The quarter has not ended, so its return cannot be signed off yet.
    QuarterUnderWay,
    NotSignedOff,
    SignedOff(SignedOff),
}

/// A sign-off, as people read it: names, never addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedOff {
    pub by: String,
    pub on: Day,
    pub sent: Option<Sent>,
    /// The figures are not the ones signed off any more.
    pub figures_changed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub by: String,
    pub on: Day,
}

/// One quarter's return: where it is, and what the person looking may do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub quarter: Quarter,
    pub stage: Stage,
    /// Whether the person looking is one of the organisation's guardians.
    pub may_act: bool,
}

impl Standing {
    pub fn can_sign_off(&self) -> bool {
        self.may_act && self.stage == Stage::NotSignedOff
    }

    /// Signed off over today's figures, and not sent yet.
    pub fn can_mark_sent(&self) -> bool {
        self.may_act
            && matches!(&self.stage, Stage::SignedOff(s) if s.sent.is_none() && !s.figures_changed)
    }

    pub fn can_withdraw(&self) -> bool {
        self.may_act && matches!(&self.stage, Stage::SignedOff(s) if s.sent.is_none())
    }
}

/// Where a return is, in three words, for the guardian's home card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    NotSignedOff,
    SignedOff,
    Sent,
}

/// Whether this person may sign off the organisation's returns.
pub fn may_sign_off(session: &CurrentSession, org: &Organisation) -> bool {
    session.has_org_role(&org.ods_code, SIGNERS)
}

/// A quarter's return can be signed off once the quarter has ended.
pub fn has_ended(quarter: Quarter, today: Day) -> bool {
    quarter < Quarter::of(today)
}

/// The SHA-256 (hex) of the return's CSV, exactly as it downloads with these figures.
pub fn figures_digest(org: &Organisation, quarter: Quarter, figures: &PublishedReturn) -> String {
    let table = returns::download_of(org, quarter, figures);
    hex::encode(Sha256::digest(table.csv().as_bytes()))
}

/// The digest of the return's figures as they are decided today.
async fn todays_digest(
    ctx: &Context,
    org: &Organisation,
    quarter: Quarter,
) -> Result<String, Error> {
    let figures = returns::quarterly_return(ctx, org, quarter).await?;
    Ok(figures_digest(org, quarter, &figures))
}

/// Where the organisation's return for `quarter` is, as `session` may act on it.
/// `figures` are the return's as the page shows them, so a warning that they have changed
/// is about exactly those.
pub async fn standing(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    quarter: Quarter,
    figures: &PublishedReturn,
) -> Result<Standing, Error> {
    let stage = match store::sign_off(&ctx.db, org.id, quarter).await? {
        Some(stored) => {
            let changed = figures_digest(org, quarter, figures) != stored.figures_digest;
            Stage::SignedOff(shown(stored, changed))
        }
        None if has_ended(quarter, ctx.clock.today()) => Stage::NotSignedOff,
        None => Stage::QuarterUnderWay,
    };
    Ok(Standing {
        quarter,
        stage,
        may_act: may_sign_off(session, org),
    })
}

fn shown(stored: store::SignOff, figures_changed: bool) -> SignedOff {
    let name = |n: Option<String>| n.unwrap_or_else(|| NO_LONGER_HERE.to_owned());
    SignedOff {
        by: name(stored.signed_off_by_name),
        on: stored.signed_off_on,
        sent: stored.sent_on.map(|on| Sent {
            by: name(stored.sent_by_name),
            on,
        }),
        figures_changed,
    }
}

/// Where the last quarter to end has got to, for the home card: no figures are decided.
pub async fn last_return_progress(
    ctx: &Context,
    org: &Organisation,
) -> Result<(Quarter, Progress), Error> {
    let quarter = returns::last_ended(ctx.clock.today());
    let progress = match store::sign_off(&ctx.db, org.id, quarter).await? {
        None => Progress::NotSignedOff,
        Some(s) if s.sent_on.is_none() => Progress::SignedOff,
        Some(_) => Progress::Sent,
    };
    Ok((quarter, progress))
}

fn actor(session: &CurrentSession) -> Actor<'_> {
    Actor {
        person_id: session.person.id,
        email: &session.person.email,
    }
}

/// Checks the person and the quarter before any step.
fn check(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    quarter: Quarter,
) -> Result<(), Error> {
    if !may_sign_off(session, org) {
        return Err(Error::Forbidden);
    }
    if !has_ended(quarter, ctx.clock.today()) {
        return Err(Error::Conflict(format!(
            "The return for {} can be signed off once the quarter has ended",
            quarter.months()
        )));
    }
    Ok(())
}

/// Signs off the return for `quarter` as it is today. Refused (`Conflict`) if the quarter
/// has not ended or the return is already signed off.
pub async fn sign_off(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    quarter: Quarter,
) -> Result<(), Error> {
    check(ctx, session, org, quarter)?;
    let digest = todays_digest(ctx, org, quarter).await?;
    store::record_sign_off(
        &ctx.db,
        actor(session),
        ctx.clock.now(),
        org,
        quarter,
        &digest,
    )
    .await?;
    Ok(())
}

/// Marks the signed-off return for `quarter` as sent to the National Guardian's Office
/// today. Refused (`Conflict`) before a sign-off, a second time, or when the figures have
/// changed since the sign-off (withdraw it and sign off again).
pub async fn mark_sent(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    quarter: Quarter,
) -> Result<(), Error> {
    check(ctx, session, org, quarter)?;
    let Some(stored) = store::sign_off(&ctx.db, org.id, quarter).await? else {
        return Err(not_signed_off());
    };
    let digest = todays_digest(ctx, org, quarter).await?;
    if stored.sent_on.is_none() && stored.figures_digest != digest {
        return Err(Error::Conflict(
            "The figures have changed since this return was signed off. Withdraw the sign-off, check the figures and sign it off again before you mark it as sent".into(),
        ));
    }
    match store::record_sent(
        &ctx.db,
        actor(session),
        ctx.clock.now(),
        org,
        quarter,
        &digest,
    )
    .await
    {
        Err(dignity_store::StoreError::NotFound(_)) => Err(not_signed_off()),
        other => Ok(other?),
    }
}

/// Withdraws the sign-off of the return for `quarter`. Refused (`Conflict`) when there is
/// none, or once the return has been marked as sent.
pub async fn withdraw(
    ctx: &Context,
    session: &CurrentSession,
    org: &Organisation,
    quarter: Quarter,
) -> Result<(), Error> {
    check(ctx, session, org, quarter)?;
    match store::withdraw_sign_off(&ctx.db, actor(session), ctx.clock.now(), org, quarter).await {
        Err(dignity_store::StoreError::NotFound(_)) => Err(not_signed_off()),
        other => Ok(other?),
    }
}

/// Every refusal of a step is a `Conflict`, so the page shows it beside the return.
fn not_signed_off() -> Error {
    Error::Conflict("Sign off this return before you mark it as sent".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap_or_else(|_| Day::from_unix_seconds(0))
    }

    fn quarter(text: &str) -> Quarter {
        Quarter::parse(text).unwrap_or(Quarter {
            year: 2000,
            number: 1,
        })
    }

    #[test]
    fn only_a_quarter_that_has_ended_can_be_signed_off() {
        let today = day("2026-04-01");
        assert!(has_ended(quarter("2026-Q1"), today));
        assert!(has_ended(quarter("2025-Q4"), today));
        assert!(!has_ended(quarter("2026-Q2"), today), "under way");
        assert!(!has_ended(quarter("2026-Q3"), today), "to come");
        assert!(!has_ended(quarter("2026-Q1"), day("2026-03-31")));
    }

    #[test]
    fn each_step_is_offered_only_in_its_turn_and_only_to_guardians() {
        let signed = |sent: bool, figures_changed: bool| {
            Stage::SignedOff(SignedOff {
                by: "Gina".into(),
                on: day("2026-04-01"),
                sent: sent.then(|| Sent {
                    by: "Gina".into(),
                    on: day("2026-04-02"),
                }),
                figures_changed,
            })
        };
        let offered = |stage: Stage, may_act: bool| {
            let s = Standing {
                quarter: quarter("2026-Q1"),
                stage,
                may_act,
            };
            (s.can_sign_off(), s.can_mark_sent(), s.can_withdraw())
        };
        assert_eq!(offered(Stage::QuarterUnderWay, true), (false, false, false));
        assert_eq!(offered(Stage::NotSignedOff, true), (true, false, false));
        assert_eq!(offered(signed(false, false), true), (false, true, true));
        // Changed figures: withdraw and sign off again before sending.
        assert_eq!(offered(signed(false, true), true), (false, false, true));
        // Sent is final.
        assert_eq!(offered(signed(true, false), true), (false, false, false));
        assert_eq!(offered(signed(true, true), true), (false, false, false));
        // Readers who are not guardians are offered nothing.
        for stage in [
            Stage::NotSignedOff,
            signed(false, false),
            signed(true, false),
        ] {
            assert_eq!(offered(stage, false), (false, false, false));
        }
    }
}
