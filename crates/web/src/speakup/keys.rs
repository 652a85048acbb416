//! Getting from a signed-in guardian to a case's plain text, and keeping every current
//! guardian able to do the same.

use super::keyring::KeyRing;
use crate::access::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;
use dignity_app::speakup::{Opener, Recipient};
use dignity_crypto::CryptoError;
use dignity_crypto::speakup::{ConcernKey, SecretKey, public_key, unwrap_identity, wrap_identity};
use dignity_domain::speakup::CASEWORKERS;
use dignity_domain::speakup::CaseType;
use dignity_store::identity::{Membership, Person};
use dignity_store::speakup::{self, Case, person_holder};

/// Whether someone reads any kind of case somewhere, and so needs a case key.
pub fn reads_cases(memberships: &[Membership]) -> bool {
    memberships.iter().any(|m| CASEWORKERS.contains(&m.role))
}

/// At sign-in (or unlock): makes sure a guardian has a case key, creating one the first
/// time, and keeps it unlocked for this session. People who read no cases are untouched.
pub async fn unlock_for_session(
    state: &AppState,
    person: &Person,
    memberships: &[Membership],
    passphrase: &str,
    session_digest: &str,
    expires_at: i64,
) -> Result<(), AppError> {
    if !reads_cases(memberships) {
        return Ok(());
    }
    let cost = state.settings.passphrase_cost;
    let passphrase = zeroize::Zeroizing::new(passphrase.to_owned());
    let key = match speakup::caseworker_key(&state.db, person.id).await? {
        Some(stored) => {
            let wrapped = stored.wrapped_secret;
            let most = cost.most_allowed();
            let unwrapped = state
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
            let wrapped = state
                .derivations
                .run(move || wrap_identity(&to_wrap, &passphrase, cost))
                .await??;
            speakup::save_caseworker_key(
                &state.db,
                &person.email,
                state.app.clock.now(),
                person.id,
                &public_key(&key),
                &wrapped,
            )
            .await?;
            key
        }
    };
    state
        .keys
        .insert(session_digest, key, expires_at, state.app.clock.now());
    Ok(())
}

/// What a guardian gets when they try to open a case.
pub enum Opened {
    Key(ConcernKey),
    /// Their key is not unlocked in this server: they must give their passphrase.
    Locked,
    /// The case has not been sealed to them yet.
    NotSealed,
}

pub async fn open_case(
    keys: &KeyRing,
    state: &AppState,
    user: &CurrentUser,
    case: &Case,
) -> Result<Opened, AppError> {
    let Some(key) = keys.get(&user.session_digest, state.app.clock.now()) else {
        return Ok(Opened::Locked);
    };
    let Some(sealed) =
        speakup::seal_for(&state.db, case.id, &person_holder(user.person.id)).await?
    else {
        return Ok(Opened::NotSealed);
    };
    Ok(Opened::Key(ConcernKey::unseal(&sealed, &key)?))
}

/// A colleague with a case key who cannot read some past cases that this guardian can.
pub struct Waiting {
    pub person_id: i64,
    public_key: String,
    cases: Vec<(CaseType, Vec<i64>)>,
}

/// Colleagues (with a case key) who cannot read past cases this guardian holds. Reading
/// this changes nothing: giving access is a decision a guardian takes (issue 13).
pub async fn colleagues_waiting(
    state: &AppState,
    user: &CurrentUser,
    organisation_id: i64,
) -> Result<Vec<Waiting>, AppError> {
    let mine = person_holder(user.person.id);
    let mut waiting: Vec<Waiting> = Vec::new();
    for case_type in CaseType::ALL {
        for (colleague, public_key) in
            speakup::reader_keys(&state.db, organisation_id, *case_type).await?
        {
            if colleague == user.person.id {
                continue;
            }
            let holder = person_holder(colleague);
            let cases =
                speakup::cases_to_reseal(&state.db, organisation_id, &mine, &holder, *case_type)
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

/// Seals to every waiting colleague the past cases this guardian can open, when the
/// guardian presses the button on the case list, and writes one audit entry saying who
/// was given how many. Returns how many colleagues were given access; None when this
/// guardian's key is locked.
pub async fn reseal_for_colleagues(
    state: &AppState,
    user: &CurrentUser,
    organisation_id: i64,
    ods: &str,
) -> Result<Option<usize>, AppError> {
    let Some(my_key) = state.keys.get(&user.session_digest, state.app.clock.now()) else {
        return Ok(None);
    };
    let mine = person_holder(user.person.id);
    let waiting = colleagues_waiting(state, user, organisation_id).await?;
    let mut given = Vec::new();
    for colleague in &waiting {
        let holder = person_holder(colleague.person_id);
        for (case_type, cases) in &colleague.cases {
            dignity_app::speakup::reseal(
                &state.db,
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
        let entry = dignity_store::audit::NewEntry {
            actor: &user.person.email,
            organisation: Some(ods),
            action: "speakup.reseal",
            detail: &detail,
        };
        dignity_store::audit::record(&state.db, state.app.clock.now(), &entry).await?;
    }
    Ok(Some(waiting.len()))
}
