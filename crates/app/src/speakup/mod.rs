//! Speak Up use-cases: checking and sending a concern and following it up (`check`,
//! `report`), the flood limit with its proof of work (`flood`, `pow`), caseworkers'
//! cases, the returns, and the keys that let caseworkers open cases.

pub mod attachment;
pub mod casework;
pub mod check;
pub mod flood;
/// The one-time marks, first made for the concern form.
pub use crate::once;
pub mod pow;
pub mod report;
pub mod returns;
pub mod signoff;

pub use dignity_store::speakup::{Case, CaseChange};

use crate::identity::{CurrentSession, Membership, Person};
use crate::{Context, Error};
use dignity_crypto::CryptoError;
use dignity_crypto::speakup::{ConcernKey, SecretKey, public_key, unwrap_identity, wrap_identity};
use dignity_domain::identity::InvalidValue;
use dignity_domain::speakup::CaseType;
use dignity_store::Db;
use dignity_store::speakup::{self, person_holder};
use zeroize::Zeroizing;

/// The working days guardians may be given to acknowledge a new concern: at least one,
/// and no more than four weeks.
pub const ACKNOWLEDGE_DAYS: std::ops::RangeInclusive<u32> = 1..=20;

/// Checks the working days guardians have to acknowledge a new concern.
pub fn acknowledge_days(days: u32) -> Result<u32, Error> {
    if ACKNOWLEDGE_DAYS.contains(&days) {
        Ok(days)
    } else {
        Err(Error::Invalid(InvalidValue::Message(
            "The days to acknowledge a concern must be from 1 to 20 working days",
        )))
    }
}

/// Someone who can already open cases: their seal's holder name and their key.
pub(crate) struct Opener<'a> {
    pub holder: &'a str,
    pub key: &'a SecretKey,
}

/// Someone to give cases to: their seal's holder name and their public key.
pub(crate) struct Recipient<'a> {
    pub holder: &'a str,
    pub public_key: &'a str,
}

/// Seals each of `cases` to `to`, opening each with `from`'s key: a guardian giving past
/// cases to a new colleague, or the operator using an organisation's recovery key. Cases
/// `from` holds no seal for are left alone. Returns how many were sealed. Callers choose
/// `cases` by the reading rule (`casework::reads`).
pub(crate) async fn reseal(
    db: &Db,
    cases: &[i64],
    from: &Opener<'_>,
    to: &Recipient<'_>,
) -> Result<usize, Error> {
    let mut sealed_count = 0;
    for &case_id in cases {
        let Some(sealed) = speakup::seal_for(db, case_id, from.holder).await? else {
            continue;
        };
        let case_key = ConcernKey::unseal(&sealed, from.key)?;
        speakup::add_seals(
            db,
            case_id,
            &[(to.holder.to_owned(), case_key.seal_to(to.public_key)?)],
        )
        .await?;
        sealed_count += 1;
    }
    Ok(sealed_count)
}

/// Whether someone reads any kind of case somewhere (Speak Up, or employee relations
/// cases as an investigating officer), and so needs a case key.
pub fn reads_cases(memberships: &[Membership]) -> bool {
    memberships.iter().any(|m| {
        m.organisation.is_some()
            && (casework::reads_some_case(&[m.role])
                || m.role == dignity_domain::identity::Role::Investigator)
    })
}

/// The people of an organisation with a case key who read this kind of case, by the one
/// rule ([`casework::reads`]), with their public keys: whom a new case is sealed to, and
/// who may be given past ones. Disabled accounts are not among them.
pub(crate) async fn readers_with_keys(
    db: &Db,
    organisation_id: i64,
    case_type: CaseType,
) -> Result<Vec<(i64, String)>, Error> {
    Ok(speakup::key_holders(db, organisation_id)
        .await?
        .into_iter()
        .filter(|holder| casework::reads(&holder.roles, case_type))
        .map(|holder| (holder.person_id, holder.public_key))
        .collect())
}

/// At sign-in (or unlock): makes sure a caseworker has a case key, creating one the first
/// time, and keeps it unlocked for this session. People who read no cases are untouched.
pub(crate) async fn unlock_for_session(
    ctx: &Context,
    person: &Person,
    memberships: &[Membership],
    passphrase: &str,
    session_digest: &str,
    expires_at: i64,
) -> Result<(), Error> {
    // Chairs, company secretaries and board members read fit and proper person records
    // sealed as cases are.
    let reads_board_records = memberships
        .iter()
        .any(|m| m.organisation.is_some() && crate::leadership::READERS.contains(&m.role))
        || crate::leadership::is_board_member(ctx, person.id).await?;
    if !reads_cases(memberships) && !reads_board_records {
        return Ok(());
    }
    let cost = ctx.passphrase_cost;
    let passphrase = Zeroizing::new(passphrase.to_owned());
    let key = match speakup::caseworker_key(&ctx.db, person.id).await? {
        Some(stored) => {
            let wrapped = stored.wrapped_secret;
            let most = cost.most_allowed();
            let unwrapped = ctx
                .derivations
                .run(move || unwrap_identity(&wrapped, &passphrase, most))
                .await?;
            match unwrapped {
                Ok(key) => key,
                Err(CryptoError::WrongPassphrase) => {
                    // Their passphrase was set some other way than a reset: the key stays
                    // locked rather than being replaced, so no case silently loses a reader.
                    tracing::warn!(
                        person = person.id,
                        "case key did not open with the current passphrase"
                    );
                    return Ok(());
                }
                Err(e) => return Err(e.into()),
            }
        }
        None => {
            let key = SecretKey::generate();
            let to_wrap = key.clone();
            let wrapped = ctx
                .derivations
                .run(move || wrap_identity(&to_wrap, &passphrase, cost))
                .await??;
            speakup::save_caseworker_key(
                &ctx.db,
                &person.email,
                ctx.clock.now(),
                person.id,
                &public_key(&key),
                &wrapped,
            )
            .await?;
            key
        }
    };
    ctx.keys
        .insert(session_digest, key, expires_at, ctx.clock.now());
    Ok(())
}

/// A colleague with a case key who cannot read some past cases that this caseworker can.
pub struct Waiting {
    pub person_id: i64,
    public_key: String,
    cases: Vec<(CaseType, Vec<i64>)>,
}

/// Colleagues (with a case key) who cannot read past cases this caseworker holds. Reading
/// this changes nothing: giving access is a decision a guardian takes.
pub async fn colleagues_waiting(
    ctx: &Context,
    session: &CurrentSession,
    organisation_id: i64,
) -> Result<Vec<Waiting>, Error> {
    let mine = person_holder(session.person.id);
    let mut waiting: Vec<Waiting> = Vec::new();
    for case_type in CaseType::ALL {
        for (colleague, public_key) in
            readers_with_keys(&ctx.db, organisation_id, *case_type).await?
        {
            if colleague == session.person.id {
                continue;
            }
            let holder = person_holder(colleague);
            let cases =
                speakup::cases_to_reseal(&ctx.db, organisation_id, &mine, &holder, *case_type)
                    .await?;
            if cases.is_empty() {
                continue;
            }
            match waiting.iter_mut().find(|w| w.person_id == colleague) {
                Some(w) => w.cases.push((*case_type, cases)),
                None => waiting.push(Waiting {
                    person_id: colleague,
                    public_key,
                    cases: vec![(*case_type, cases)],
                }),
            }
        }
    }
    Ok(waiting)
}

/// Seals to every waiting colleague the past cases this caseworker can open, when the
/// guardian presses the button on the case list, and writes one audit entry saying who
/// was given how many. Returns how many colleagues were given access; None when this
/// caseworker's key is locked.
pub async fn reseal_for_colleagues(
    ctx: &Context,
    session: &CurrentSession,
    organisation_id: i64,
    ods: &str,
) -> Result<Option<usize>, Error> {
    let Some(my_key) = ctx.keys.get(&session.session_digest, ctx.clock.now()) else {
        return Ok(None);
    };
    let mine = person_holder(session.person.id);
    let waiting = colleagues_waiting(ctx, session, organisation_id).await?;
    let mut given = Vec::new();
    for colleague in &waiting {
        let holder = person_holder(colleague.person_id);
        for (case_type, cases) in &colleague.cases {
            reseal(
                &ctx.db,
                cases,
                &Opener {
                    holder: &mine,
                    key: &my_key,
                },
                &Recipient {
                    holder: &holder,
                    public_key: &colleague.public_key,
                },
            )
            .await?;
            given.push(format!(
                "person {} {} {}s",
                colleague.person_id,
                cases.len(),
                case_type.code()
            ));
        }
    }
    if !given.is_empty() {
        let detail = format!("Gave access to past cases: {}", given.join(", "));
        crate::identity::record(
            ctx,
            &session.person.email,
            Some(ods),
            "speakup.reseal",
            &detail,
        )
        .await?;
    }
    Ok(Some(waiting.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guardians_have_one_to_twenty_working_days_to_acknowledge() {
        assert_eq!(acknowledge_days(1).ok(), Some(1));
        assert_eq!(acknowledge_days(20).ok(), Some(20));
        for refused in [0, 21, u32::MAX] {
            assert!(
                matches!(acknowledge_days(refused), Err(Error::Invalid(_))),
                "{refused}"
            );
        }
    }
}
