//! Leavers from the workforce extract (issue 22): when a staff-in-post or leavers extract
//! carries work email addresses, the people it says have left lose their roles in the
//! organisation and every session the day they leave; those leaving later are kept until
//! that day, which the server's housekeeping looks for.
//!
//! The addresses are used only to find accounts. The extract's own records never hold
//! them, so the sealed workforce rows stay unlinked to anyone's account.

use crate::clock::Clock;
use crate::{Context, Error};
use dignity_domain::identity::Email;
use dignity_domain::speakup::Day;
use dignity_domain::workforce::LeavingAccount;
use dignity_store::Db;
use dignity_store::identity::{self as people, Organisation};
use dignity_store::roles;

/// The actor the server's own leaving-day work is audited under.
const ON_THE_DAY: &str = "workforce extract (leaving day)";

/// What an extract's addresses did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Leavers {
    /// Left on or before today: their roles here went and their sessions ended now.
    pub ended: usize,
    /// Leaving later: kept until that day.
    pub kept_for_later: usize,
    /// A leaving day kept before, called off because the extract lists them staying.
    pub called_off: usize,
    /// A leaver was the organisation's last administrator whose account is on.
    pub no_administrator_left: bool,
}

/// Acts on an extract's addresses for `organisation` as at `as_at`: ends the access of
/// those who have left by today, keeps the day of those leaving later, and calls off a
/// kept day for those listed as staying. Only people holding a role in the organisation
/// are touched; an address without an account is passed over.
pub async fn act_on_extract(
    db: &Db,
    clock: &Clock,
    actor: &str,
    organisation: &Organisation,
    as_at: Day,
    accounts: &[LeavingAccount],
) -> Result<Leavers, Error> {
    let today = clock.today();
    let mut done = Leavers::default();
    for account in accounts {
        let Ok(email) = Email::parse(&account.email) else {
            continue;
        };
        let Some(person) = people::find_person_by_email(db, &email).await? else {
            continue;
        };
        if !roles::holds_role_in(db, organisation.id, person.id).await? {
            continue;
        }
        match account.leaves_on {
            Some(day) if day <= today => {
                let left = roles::leave_organisation(
                    db,
                    actor,
                    clock.now(),
                    organisation,
                    &person,
                    &format!("the workforce extract as at {} says so", as_at.long()),
                )
                .await?;
                done.no_administrator_left |= left.no_administrator_left;
                done.ended += 1;
            }
            Some(day) => {
                roles::set_leaving_day(db, actor, clock.now(), organisation, &person, Some(day))
                    .await?;
                done.kept_for_later += 1;
            }
            None => {
                if roles::set_leaving_day(db, actor, clock.now(), organisation, &person, None)
                    .await?
                {
                    done.called_off += 1;
                }
            }
        }
    }
    Ok(done)
}

/// Ends the access of everyone whose leaving day has come, and drops the case keys their
/// sessions had unlocked. Returns how many.
pub async fn end_due(ctx: &Context) -> Result<usize, Error> {
    let due = roles::due_leavers(&ctx.db, ctx.clock.today()).await?;
    let mut ended = 0;
    for (organisation_id, person_id, day) in due {
        let (Some(organisation), Ok(person)) = (
            people::organisation_by_id(&ctx.db, organisation_id).await?,
            people::get_person(&ctx.db, person_id).await,
        ) else {
            continue;
        };
        let left = Day::parse(&day).map(|d| d.long()).unwrap_or(day);
        let gone = roles::leave_organisation(
            &ctx.db,
            ON_THE_DAY,
            ctx.clock.now(),
            &organisation,
            &person,
            &format!("their leaving day, {left}, has come"),
        )
        .await?;
        if gone.no_administrator_left {
            // The organisation's code only: who left is in its audit log.
            tracing::warn!(
                organisation = %organisation.ods_code,
                "a leaver was the organisation's last administrator; a platform administrator must give someone the role"
            );
        }
        for digest in gone.sessions {
            ctx.keys.remove(&digest);
        }
        ended += 1;
    }
    Ok(ended)
}
