//! The operator's Speak Up commands: turning it on, and recovering access with the
//! organisation's recovery key.

use anyhow::bail;
use dignity_app::speakup::{Opener, Recipient};
pub use dignity_crypto::speakup::{SecretKey, identity_text, parse_identity, public_key};
use dignity_domain::identity::Role;
use dignity_store::Db;
use dignity_store::audit::{self, NewEntry};
use dignity_store::identity::{self, Organisation, Person};
use dignity_store::speakup::{self, RECOVERY_HOLDER, person_holder};

const ACTOR: &str = "cli";

pub async fn init_store(
    db: &Db,
    org: &Organisation,
    recovery_public: &str,
    acknowledge_days: u32,
) -> anyhow::Result<()> {
    speakup::init(
        db,
        ACTOR,
        dignity_app::clock::system_now(),
        org,
        recovery_public,
        acknowledge_days,
    )
    .await?;
    Ok(())
}

/// Seals every case the guardian cannot open yet to their key, opening each with the
/// recovery key. Returns how many cases they gained.
pub async fn recover(
    db: &Db,
    org: &Organisation,
    person: &Person,
    recovery: &SecretKey,
) -> anyhow::Result<usize> {
    let Some(settings) = speakup::settings(db, org.id).await? else {
        bail!("Speak Up is not set up for {}", org.name);
    };
    if settings.recovery_public_key != public_key(recovery) {
        bail!("that is not {}'s recovery key", org.name);
    }
    let is_guardian = identity::memberships(db, person.id).await?.iter().any(|m| {
        m.role == Role::Guardian && m.organisation.as_ref().is_some_and(|o| o.id == org.id)
    });
    if !is_guardian {
        bail!("{} is not a guardian of {}", person.email, org.name);
    }
    let Some(key) = speakup::caseworker_key(db, person.id).await? else {
        bail!(
            "{} has no case key yet: they must sign in once first",
            person.email
        );
    };
    let holder = person_holder(person.id);
    let cases = speakup::cases_without_holder(db, org.id, &holder, None).await?;
    let count = dignity_app::speakup::reseal(
        db,
        &cases,
        &Opener {
            holder: RECOVERY_HOLDER,
            key: recovery,
        },
        &Recipient {
            holder: &holder,
            public_key: &key.public_key,
        },
    )
    .await?;
    audit::record(
        db,
        dignity_app::clock::system_now(),
        &NewEntry {
            actor: ACTOR,
            organisation: Some(&org.ods_code),
            action: "speakup.recover",
            detail: &format!(
                "Used the recovery key to give {} access to {count} cases",
                person.email
            ),
        },
    )
    .await?;
    Ok(count)
}
