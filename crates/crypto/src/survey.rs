//! Survey invitation codes: single use, typed from a letter or followed from an email.

use crate::speakup::{random_code, read_code};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// The secret that turns "this person took part in this campaign" into a digest. It lives
/// in the server's settings, never in the database, so a copy of the database cannot be
/// checked against a staff list to learn who answered.
#[derive(Clone)]
pub struct ParticipationKey(Zeroizing<Vec<u8>>);

impl std::fmt::Debug for ParticipationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ParticipationKey(****)")
    }
}

impl ParticipationKey {
    /// From 64 hexadecimal characters (32 bytes).
    pub fn from_hex(text: &str) -> Option<ParticipationKey> {
        let bytes = hex::decode(text.trim()).ok()?;
        (bytes.len() == 32).then(|| ParticipationKey(Zeroizing::new(bytes)))
    }

    /// A fresh random key, as hexadecimal (for set-up and the demo).
    pub fn generate_hex() -> String {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes[..]);
        hex::encode(&bytes[..])
    }

    /// What is stored to say that `person` has answered (or saved a draft of) `campaign`.
    pub fn digest(&self, campaign: i64, person: i64) -> String {
        // HMAC accepts keys of any length, so this cannot fail for our 32-byte keys.
        match Hmac::<Sha256>::new_from_slice(&self.0) {
            Ok(mut mac) => {
                mac.update(format!("survey-participation:{campaign}:{person}").as_bytes());
                hex::encode(mac.finalize().into_bytes())
            }
            Err(_) => String::new(),
        }
    }
}

const CHARS: usize = 16;

/// An invitation code: 16 characters (80 bits), shown as four groups of four. Only its
/// digest is stored; a fast hash is enough because 80 random bits cannot be guessed.
#[derive(Clone, PartialEq, Eq)]
pub struct InvitationCode(String);

impl std::fmt::Debug for InvitationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InvitationCode(****)")
    }
}

impl InvitationCode {
    pub fn generate() -> InvitationCode {
        InvitationCode(random_code(CHARS))
    }

    /// Reads a code as typed (any case, spaces or dashes anywhere); None if it cannot be one.
    pub fn parse(typed: &str) -> Option<InvitationCode> {
        read_code(typed, CHARS).map(InvitationCode)
    }

    /// As printed: `7K2P-9QXM-4H8T-WZ3N`.
    pub fn display(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }

    /// What the database kept for codes made before keyed digests: a plain SHA-256, which
    /// anyone holding the invitation letters can work out and look for in a copy of the
    /// database. Still accepted for those codes; new ones use [`Self::keyed_digest`].
    pub fn digest(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }

    /// What the database keeps: a digest under the installation secret, so a copy of the
    /// database and the invitation letters together do not tell who has answered.
    pub fn keyed_digest(&self, secret: &crate::secret::InstallationSecret) -> String {
        secret.keyed_digest("survey-code", self.0.as_bytes())
    }

    /// The key an unfinished response is sealed under. It comes from the code itself, which
    /// only the respondent holds, so a copy of the database cannot read their draft.
    pub fn draft_key(&self) -> Zeroizing<[u8; 32]> {
        let mut key = Zeroizing::new([0u8; 32]);
        // HMAC accepts keys of any length, so this cannot fail.
        if let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(self.0.as_bytes()) {
            mac.update(b"survey-draft");
            key.copy_from_slice(&mac.finalize().into_bytes());
        }
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn participation_digests_need_the_key() {
        let key = ParticipationKey::from_hex(&ParticipationKey::generate_hex()).unwrap();
        let other = ParticipationKey::from_hex(&ParticipationKey::generate_hex()).unwrap();
        assert_eq!(key.digest(1, 2), key.digest(1, 2));
        assert_ne!(key.digest(1, 2), key.digest(1, 3));
        assert_ne!(key.digest(1, 2), key.digest(2, 2));
        assert_ne!(key.digest(1, 2), other.digest(1, 2));
        assert!(ParticipationKey::from_hex("abcd").is_none());
        assert!(!format!("{key:?}").contains(&hex::encode(&key.0[..4])));
    }

    #[test]
    fn codes_read_back_however_they_are_typed() {
        let code = InvitationCode::generate();
        let shown = code.display();
        assert_eq!(shown.len(), 19);
        let typed = shown.to_lowercase().replace('-', " ");
        assert_eq!(InvitationCode::parse(&typed), Some(code.clone()));
        assert_eq!(
            InvitationCode::parse(&typed).map(|c| c.digest()),
            Some(code.digest())
        );
        assert_ne!(InvitationCode::generate(), code);
        assert_eq!(
            *InvitationCode::parse(&typed).unwrap().draft_key(),
            *code.draft_key()
        );
        assert_ne!(*InvitationCode::generate().draft_key(), *code.draft_key());
        assert_ne!(hex::encode(*code.draft_key()), code.digest());
        assert!(InvitationCode::parse("too short").is_none());
        assert!(InvitationCode::parse(&format!("{shown}X")).is_none());
        assert!(
            InvitationCode::parse("UUUU-UUUU-UUUU-UUUU").is_none(),
            "U is not in the alphabet"
        );
        assert!(!format!("{code:?}").contains(&code.0));
    }
}
