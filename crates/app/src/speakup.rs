//! Speak Up use-cases shared by the pages and the command line.

use crate::Error;
use dignity_crypto::speakup::{ConcernKey, SecretKey};
use dignity_store::Db;
use dignity_store::speakup;

/// Someone who can already open cases: their seal's holder name and their key.
pub struct Opener<'a> {
    pub holder: &'a str,
    pub key: &'a SecretKey,
}

/// Someone to give cases to: their seal's holder name and their public key.
pub struct Recipient<'a> {
    pub holder: &'a str,
    pub public_key: &'a str,
}

/// Seals each of `cases` to `to`, opening each with `from`'s key: a guardian giving past
/// cases to a new colleague, or the operator using an organisation's recovery key. Cases
/// `from` holds no seal for are left alone. Returns how many were sealed.
pub async fn reseal(
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
