//! The installation secret: 32 random bytes kept in the settings or a file beside the
//! database, never in the database itself. Anything a database thief must not be able to
//! read or reverse (sealed survey answers waiting to be mixed, digests of client addresses,
//! proof-of-work challenges) is keyed by a key derived from it, one key per purpose, so a
//! key leaked for one purpose opens nothing else.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

#[derive(Clone)]
pub struct InstallationSecret(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for InstallationSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InstallationSecret(****)")
    }
}

impl InstallationSecret {
    /// From 64 hexadecimal characters (32 bytes); surrounding white space is ignored.
    pub fn from_hex(text: &str) -> Option<InstallationSecret> {
        let bytes = Zeroizing::new(hex::decode(text.trim()).ok()?);
        let array: [u8; 32] = bytes.as_slice().try_into().ok()?;
        Some(InstallationSecret(Zeroizing::new(array)))
    }

    /// A fresh random secret.
    pub fn generate() -> InstallationSecret {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes[..]);
        InstallationSecret(bytes)
    }

    /// As 64 hexadecimal characters, for writing the secret's file.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(&self.0[..]))
    }

    /// The key for one purpose, such as `"survey-pending"`. Different purposes give
    /// unrelated keys.
    pub fn derive(&self, purpose: &str) -> Zeroizing<[u8; 32]> {
        let mut out = Zeroizing::new([0u8; 32]);
        // HMAC takes keys of any length, so this cannot fail for our 32 bytes.
        if let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.0[..]) {
            mac.update(b"dignity-derive:");
            mac.update(purpose.as_bytes());
            out.copy_from_slice(&mac.finalize().into_bytes());
        }
        out
    }

    /// A digester for many values of one purpose, its key derived once.
    pub fn digester(&self, purpose: &str) -> Digester {
        let key = self.derive(purpose);
        Digester(Hmac::<Sha256>::new_from_slice(&key[..]).ok())
    }

    /// A keyed digest of `data` for one purpose, as hexadecimal. Without the secret it
    /// cannot be checked against guesses (every IPv4 address, say).
    pub fn keyed_digest(&self, purpose: &str, data: &[u8]) -> String {
        let key = self.derive(purpose);
        match Hmac::<Sha256>::new_from_slice(&key[..]) {
            Ok(mut mac) => {
                mac.update(data);
                hex::encode(mac.finalize().into_bytes())
            }
            Err(_) => String::new(),
        }
    }
}

/// Keyed digests of one purpose, such as employee numbers: the same value always gives
/// the same digest, and without the secret a digest cannot be checked against guesses.
#[derive(Clone)]
pub struct Digester(Option<Hmac<Sha256>>);

impl std::fmt::Debug for Digester {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Digester(****)")
    }
}

impl Digester {
    /// The first 128 bits of the HMAC-SHA-256 of `data`, as 32 hexadecimal characters:
    /// enough that two of millions of people never share one, and half the space of the
    /// whole digest in every row that holds it.
    pub fn digest(&self, data: &[u8]) -> String {
        let Some(mac) = &self.0 else {
            return String::new();
        };
        let mut mac = mac.clone();
        mac.update(data);
        let whole = mac.finalize().into_bytes();
        hex::encode(whole.get(..16).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest;

    #[test]
    fn purposes_get_unrelated_keys_and_digests() {
        let secret = InstallationSecret::generate();
        assert_ne!(*secret.derive("a"), *secret.derive("b"));
        assert_eq!(*secret.derive("a"), *secret.derive("a"));
        assert_ne!(
            secret.keyed_digest("a", b"10.0.0.1"),
            secret.keyed_digest("b", b"10.0.0.1")
        );
        let other = InstallationSecret::generate();
        assert_ne!(
            secret.keyed_digest("a", b"10.0.0.1"),
            other.keyed_digest("a", b"10.0.0.1"),
            "a digest depends on the secret"
        );
        let unkeyed = hex::encode(sha2::Sha256::digest(b"10.0.0.1"));
        assert_ne!(secret.keyed_digest("a", b"10.0.0.1"), unkeyed);
    }

    #[test]
    fn a_digester_is_the_keyed_digest_cut_to_128_bits() {
        let secret = InstallationSecret::generate();
        let people = secret.digester("workforce-person");
        let whole = secret.keyed_digest("workforce-person", b"12345678");
        assert_eq!(people.digest(b"12345678"), whole[..32]);
        assert_eq!(people.digest(b"12345678"), people.digest(b"12345678"));
        assert_ne!(people.digest(b"12345678"), people.digest(b"12345679"));
        let other = InstallationSecret::generate().digester("workforce-person");
        assert_ne!(people.digest(b"12345678"), other.digest(b"12345678"));
        assert_eq!(format!("{people:?}"), "Digester(****)");
    }

    #[test]
    fn hex_round_trips_and_bad_text_is_refused() {
        let secret = InstallationSecret::generate();
        let again = InstallationSecret::from_hex(&secret.to_hex());
        assert_eq!(
            again.map(|s| *s.derive("x")),
            Some(*secret.derive("x")),
            "the same secret after writing and reading"
        );
        assert!(InstallationSecret::from_hex("abc").is_none());
        assert!(InstallationSecret::from_hex(&"zz".repeat(32)).is_none());
        assert!(InstallationSecret::from_hex(&"ab".repeat(33)).is_none());
        assert_eq!(format!("{secret:?}"), "InstallationSecret(****)");
    }
}
