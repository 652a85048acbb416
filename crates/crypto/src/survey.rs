//! Survey invitation codes: single use, typed from a letter or followed from an email.

use crate::speakup::{random_code, read_code};
use sha2::{Digest, Sha256};

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

    /// What the database keeps.
    pub fn digest(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(InvitationCode::parse("too short").is_none());
        assert!(InvitationCode::parse(&format!("{shown}X")).is_none());
        assert!(
            InvitationCode::parse("UUUU-UUUU-UUUU-UUUU").is_none(),
            "U is not in the alphabet"
        );
        assert!(!format!("{code:?}").contains(&code.0));
    }
}
