//! Envelope encryption for concerns raised through Speak Up (see docs/threat-model.md).
//!
//! - Every concern has its own X25519 key pair ([`ConcernKey`]). Everything written to a
//!   concern is encrypted with age to the concern's public key, so anyone may add to a
//!   concern but only holders of the private key can read it.
//! - The concern's private key is stored only *sealed*: age-encrypted to each caseworker's
//!   public key, to the organisation's recovery key and to the key derived from the
//!   reporter's receipt code.
//! - A caseworker's private key is stored wrapped under their passphrase
//!   ([`wrap_identity`]): argon2id derives a key, ChaCha20-Poly1305 encrypts.
//!
//! The files age writes are standard: `age -d -i key.txt` reads them.

use crate::CryptoError;
use crate::passphrase::HashCost;
use age::secrecy::ExposeSecret;
use age::x25519::{Identity, Recipient};
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;
use rand::rngs::OsRng;
use std::str::FromStr;
use zeroize::{Zeroize, Zeroizing};

pub use age::x25519::Identity as SecretKey;

/// Parses a public key in age's `age1...` form.
pub fn parse_recipient(text: &str) -> Result<Recipient, CryptoError> {
    Recipient::from_str(text.trim()).map_err(|e| CryptoError::BadKey(e.to_string()))
}

/// Parses a private key in age's `AGE-SECRET-KEY-1...` form.
pub fn parse_identity(text: &str) -> Result<Identity, CryptoError> {
    Identity::from_str(text.trim()).map_err(|e| CryptoError::BadKey(e.to_string()))
}

/// The public key of a private key, in `age1...` form.
pub fn public_key(identity: &Identity) -> String {
    identity.to_public().to_string()
}

/// The private key in `AGE-SECRET-KEY-1...` form, wiped from memory when dropped.
pub fn identity_text(identity: &Identity) -> Zeroizing<String> {
    Zeroizing::new(identity.to_string().expose_secret().to_owned())
}

/// Encrypts to a public key in `age1...` form.
pub fn encrypt_to(recipient: &str, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let recipient = parse_recipient(recipient)?;
    age::encrypt(&recipient, plaintext).map_err(|e| CryptoError::Encryption(e.to_string()))
}

/// Decrypts with a private key. Anything that is not an intact age file for this key is
/// reported as tampered, never returned as garbled text.
pub fn decrypt_with(
    identity: &Identity,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    age::decrypt(identity, ciphertext)
        .map(Zeroizing::new)
        .map_err(|e| CryptoError::Tampered(e.to_string()))
}

/// A concern's own key pair.
pub struct ConcernKey(Identity);

impl ConcernKey {
    pub fn generate() -> ConcernKey {
        ConcernKey(Identity::generate())
    }

    /// The public half, stored in plain text so that anyone can add to the concern.
    pub fn public_key(&self) -> String {
        public_key(&self.0)
    }

    /// The private half, encrypted to one holder's public key.
    pub fn seal_to(&self, holder_public_key: &str) -> Result<Vec<u8>, CryptoError> {
        encrypt_to(holder_public_key, identity_text(&self.0).as_bytes())
    }

    /// Opens a sealed copy with the holder's private key.
    pub fn unseal(sealed: &[u8], holder: &Identity) -> Result<ConcernKey, CryptoError> {
        let text = decrypt_with(holder, sealed)?;
        let text = std::str::from_utf8(&text)
            .map_err(|_| CryptoError::Tampered("sealed key is not text".into()))?;
        Ok(ConcernKey(parse_identity(text)?))
    }

    pub fn decrypt(&self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        decrypt_with(&self.0, ciphertext)
    }

    pub fn encrypt(&self, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        age::encrypt(&self.0.to_public(), plaintext)
            .map_err(|e| CryptoError::Encryption(e.to_string()))
    }
}

const WRAP_VERSION: u8 = 1;
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 12;

fn argon2_bytes<const N: usize>(
    secret: &[u8],
    salt: &[u8],
    cost: HashCost,
) -> Result<Zeroizing<[u8; N]>, CryptoError> {
    let params = Params::new(cost.memory_kib, cost.passes, 1, Some(N))
        .map_err(|e| CryptoError::Hashing(e.to_string()))?;
    let mut out = Zeroizing::new([0u8; N]);
    let blocks = params.block_count();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    crate::argon_memory::with_memory(blocks, |memory| {
        argon.hash_password_into_with_memory(secret, salt, out.as_mut(), memory)
    })
    .map_err(|e| CryptoError::Hashing(e.to_string()))?;
    Ok(out)
}

/// Wraps a private key under a passphrase. The result carries its own version, cost, salt
/// and nonce, so it can be unwrapped later even if the default cost changes.
pub fn wrap_identity(
    identity: &Identity,
    passphrase: &str,
    cost: HashCost,
) -> Result<Vec<u8>, CryptoError> {
    let mut salt = [0u8; SALT_LEN];
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut salt);
    OsRng.fill_bytes(&mut nonce);
    let key = argon2_bytes::<32>(passphrase.as_bytes(), &salt, cost)?;
    let cipher = ChaCha20Poly1305::new(Key::from_slice(key.as_ref()));
    let header = header(cost, &salt, &nonce);
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            chacha20poly1305::aead::Payload {
                msg: identity_text(identity).as_bytes(),
                aad: &header,
            },
        )
        .map_err(|e| CryptoError::Encryption(e.to_string()))?;
    Ok([header, sealed].concat())
}

fn header(cost: HashCost, salt: &[u8], nonce: &[u8]) -> Vec<u8> {
    let mut header = vec![WRAP_VERSION];
    header.extend_from_slice(&cost.memory_kib.to_be_bytes());
    header.extend_from_slice(&cost.passes.to_be_bytes());
    header.extend_from_slice(salt);
    header.extend_from_slice(nonce);
    header
}

/// Unwraps a private key. A wrong passphrase and a damaged record are told apart only as
/// far as is safe: both fail, with different errors for the log. The record names its
/// own argon2id cost; anything above `most` is refused before any work is done.
pub fn unwrap_identity(
    wrapped: &[u8],
    passphrase: &str,
    most: HashCost,
) -> Result<Identity, CryptoError> {
    let header_len = 1 + 4 + 4 + SALT_LEN + NONCE_LEN;
    let unknown = || CryptoError::Tampered("wrapped key has an unknown format".into());
    let (header, sealed) = wrapped
        .split_at_checked(header_len)
        .filter(|(_, sealed)| !sealed.is_empty())
        .ok_or_else(unknown)?;
    let (&version, rest) = header.split_first().ok_or_else(unknown)?;
    let (memory_kib, rest) = rest.split_first_chunk::<4>().ok_or_else(unknown)?;
    let (passes, rest) = rest.split_first_chunk::<4>().ok_or_else(unknown)?;
    let (salt, nonce) = rest.split_at_checked(SALT_LEN).ok_or_else(unknown)?;
    if version != WRAP_VERSION {
        return Err(unknown());
    }
    let cost = HashCost {
        memory_kib: u32::from_be_bytes(*memory_kib),
        passes: u32::from_be_bytes(*passes),
    };
    if cost.memory_kib > most.memory_kib || cost.passes > most.passes {
        return Err(CryptoError::CostOutOfRange {
            memory_kib: cost.memory_kib,
            passes: cost.passes,
            allowed_kib: most.memory_kib,
            allowed_passes: most.passes,
        });
    }
    let key = argon2_bytes::<32>(passphrase.as_bytes(), salt, cost)?;
    let cipher = ChaCha20Poly1305::new(Key::from_slice(key.as_ref()));
    let mut text = cipher
        .decrypt(
            Nonce::from_slice(nonce),
            chacha20poly1305::aead::Payload {
                msg: sealed,
                aad: header,
            },
        )
        .map_err(|_| CryptoError::WrongPassphrase)?;
    let identity = std::str::from_utf8(&text)
        .map_err(|_| CryptoError::Tampered("unwrapped key is not text".into()))
        .and_then(parse_identity);
    text.zeroize();
    identity
}

/// Crockford's base32: no I, L, O or U, so codes survive being read aloud or written down.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const LOOKUP_CHARS: usize = 8;

/// `len` random characters of the alphabet (5 bits each).
pub(crate) fn random_code(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    OsRng.fill_bytes(&mut bytes);
    let chars = bytes
        .iter()
        .filter_map(|b| ALPHABET.get(usize::from(b % 32)).copied().map(char::from))
        .collect();
    bytes.zeroize();
    chars
}

/// Reads a code of `len` characters as a person typed it: any case, spaces or dashes
/// anywhere, and the letters people confuse with digits (I, L, O) read as the digits.
pub(crate) fn read_code(typed: &str, len: usize) -> Option<String> {
    let mut chars = String::with_capacity(len);
    for c in typed.chars() {
        let c = match c.to_ascii_uppercase() {
            ' ' | '-' | '\t' => continue,
            'I' | 'L' => '1',
            'O' => '0',
            c => c,
        };
        if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) || chars.len() == len {
            return None;
        }
        chars.push(c);
    }
    (chars.len() == len).then_some(chars)
}
const SECRET_CHARS: usize = 16;

/// A reporter's receipt code: 24 characters, shown as six groups of four.
/// The first 8 (40 bits) find the case; the last 16 (80 bits) are the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct ReceiptCode {
    lookup: String,
    secret: Zeroizing<String>,
}

impl std::fmt::Debug for ReceiptCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ReceiptCode({}-****)", self.lookup)
    }
}

/// What a receipt code yields: a value to check it against, and the key that opens the
/// concern. Neither can be worked out without the code.
pub struct ReceiptKeys {
    pub verifier: Vec<u8>,
    pub identity: Identity,
}

impl ReceiptCode {
    pub fn generate() -> ReceiptCode {
        let chars = random_code(LOOKUP_CHARS + SECRET_CHARS);
        ReceiptCode {
            lookup: chars[..LOOKUP_CHARS].to_owned(),
            secret: Zeroizing::new(chars[LOOKUP_CHARS..].to_owned()),
        }
    }

    /// Reads a code as a person typed it: any case, spaces or dashes anywhere, and the
    /// letters people confuse with digits (I, L, O) read as the digits.
    pub fn parse(typed: &str) -> Result<ReceiptCode, CryptoError> {
        let chars =
            read_code(typed, LOOKUP_CHARS + SECRET_CHARS).ok_or(CryptoError::MalformedReceipt)?;
        Ok(ReceiptCode {
            lookup: chars[..LOOKUP_CHARS].to_owned(),
            secret: Zeroizing::new(chars[LOOKUP_CHARS..].to_owned()),
        })
    }

    /// The part that finds the case. Stored in plain text; useless without the secret.
    pub fn lookup(&self) -> &str {
        &self.lookup
    }

    /// The whole code for showing once, in six groups of four.
    pub fn display(&self) -> Zeroizing<String> {
        let all = format!("{}{}", self.lookup, self.secret.as_str());
        let groups: Vec<&str> = (0..all.len())
            .step_by(4)
            .filter_map(|i| all.get(i..i + 4))
            .collect();
        Zeroizing::new(groups.join("-"))
    }

    /// One slow argon2id run gives both the verifier (stored) and the receipt key (never
    /// stored), so checking a code and opening the case cost one hash, not two.
    pub fn derive(&self, salt: &[u8], cost: HashCost) -> Result<ReceiptKeys, CryptoError> {
        let out = argon2_bytes::<64>(self.secret.as_bytes(), salt, cost)?;
        let (verifier, key) = out.split_at(32);
        let identity = identity_from_bytes(key)?;
        Ok(ReceiptKeys {
            verifier: verifier.to_vec(),
            identity,
        })
    }
}

/// A fresh random salt for a receipt.
pub fn new_salt() -> Vec<u8> {
    let mut salt = vec![0u8; SALT_LEN];
    OsRng.fill_bytes(&mut salt);
    salt
}

/// Builds an age identity from 32 secret bytes (X25519 clamps them as usual).
fn identity_from_bytes(bytes: &[u8]) -> Result<Identity, CryptoError> {
    let hrp =
        bech32::Hrp::parse("age-secret-key-").map_err(|e| CryptoError::BadKey(e.to_string()))?;
    let text = Zeroizing::new(
        bech32::encode::<bech32::Bech32>(hrp, bytes)
            .map_err(|e| CryptoError::BadKey(e.to_string()))?
            .to_uppercase(),
    );
    parse_identity(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COST: HashCost = HashCost::FAST_FOR_TESTS;

    #[test]
    fn a_concern_key_sealed_to_a_holder_opens_only_for_that_holder() -> Result<(), CryptoError> {
        let guardian = Identity::generate();
        let stranger = Identity::generate();
        let concern = ConcernKey::generate();
        let text = encrypt_to(&concern.public_key(), b"my manager shouts at the team")?;
        let sealed = concern.seal_to(&public_key(&guardian))?;
        let opened = ConcernKey::unseal(&sealed, &guardian)?;
        assert_eq!(
            opened.decrypt(&text)?.as_slice(),
            b"my manager shouts at the team"
        );
        assert!(matches!(
            ConcernKey::unseal(&sealed, &stranger),
            Err(CryptoError::Tampered(_))
        ));
        Ok(())
    }

    #[test]
    fn tampered_ciphertext_is_reported_not_shown() -> Result<(), CryptoError> {
        let concern = ConcernKey::generate();
        let mut text = concern.encrypt(b"details")?;
        let last = text.len() - 1;
        text[last] ^= 1;
        assert!(matches!(
            concern.decrypt(&text),
            Err(CryptoError::Tampered(_))
        ));
        assert!(matches!(
            concern.decrypt(b"not age at all"),
            Err(CryptoError::Tampered(_))
        ));
        Ok(())
    }

    #[test]
    fn wrapped_identities_need_the_passphrase() -> Result<(), CryptoError> {
        let identity = Identity::generate();
        let wrapped = wrap_identity(&identity, "guardian passphrase", COST)?;
        let back = unwrap_identity(&wrapped, "guardian passphrase", COST)?;
        assert_eq!(public_key(&back), public_key(&identity));
        assert!(matches!(
            unwrap_identity(&wrapped, "wrong passphrase", COST),
            Err(CryptoError::WrongPassphrase)
        ));
        let mut damaged = wrapped.clone();
        damaged[0] = 9;
        assert!(matches!(
            unwrap_identity(&damaged, "guardian passphrase", COST),
            Err(CryptoError::Tampered(_))
        ));
        assert!(!String::from_utf8_lossy(&wrapped).contains("AGE-SECRET-KEY"));
        Ok(())
    }

    #[test]
    fn a_wrapped_key_asking_for_gigabytes_is_refused_before_any_work() -> Result<(), CryptoError> {
        let identity = Identity::generate();
        let wrapped = wrap_identity(&identity, "guardian passphrase", COST)?;
        // A database writer raises the record's cost to 4 GiB and a million passes.
        let mut greedy = wrapped.clone();
        greedy[1..5].copy_from_slice(&(4 * 1024 * 1024u32).to_be_bytes());
        greedy[5..9].copy_from_slice(&1_000_000u32.to_be_bytes());
        let started = std::time::Instant::now();
        let refused = unwrap_identity(&greedy, "guardian passphrase", COST.most_allowed()).err();
        assert!(
            matches!(
                refused,
                Some(CryptoError::CostOutOfRange {
                    memory_kib: 4_194_304,
                    passes: 1_000_000,
                    ..
                })
            ),
            "{refused:?}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        // Records made at the recommended cost still open where tests run cheaper.
        let recommended = HashCost {
            memory_kib: HashCost::RECOMMENDED.memory_kib,
            passes: 1,
        };
        let made = wrap_identity(&identity, "guardian passphrase", recommended)?;
        assert!(unwrap_identity(&made, "guardian passphrase", COST.most_allowed()).is_ok());
        assert!(matches!(
            unwrap_identity(&made, "guardian passphrase", COST),
            Err(CryptoError::CostOutOfRange { .. })
        ));
        Ok(())
    }

    #[test]
    fn receipt_codes_are_long_readable_and_forgiving() -> Result<(), CryptoError> {
        let code = ReceiptCode::generate();
        let shown = code.display();
        assert_eq!(shown.len(), 29);
        assert_eq!(shown.matches('-').count(), 5);
        assert_ne!(ReceiptCode::generate(), code);
        let typed = shown.to_lowercase().replace('-', " ");
        assert_eq!(ReceiptCode::parse(&typed)?, code);
        let confusable = ReceiptCode::parse("OIL0-0000-0000-0000-0000-0000")?;
        assert_eq!(confusable.lookup(), "01100000");
        for bad in [
            "",
            "ABCD",
            "UUUU-0000-0000-0000-0000-0000",
            "0000-0000-0000-0000-0000-0000-0",
            "ÄBCD-0000-0000-0000-0000-000",
        ] {
            assert!(
                matches!(ReceiptCode::parse(bad), Err(CryptoError::MalformedReceipt)),
                "{bad}"
            );
        }
        assert!(!format!("{code:?}").contains(&shown[10..]));
        Ok(())
    }

    #[test]
    fn receipt_keys_are_stable_for_a_code_and_salt() -> Result<(), CryptoError> {
        let code = ReceiptCode::generate();
        let salt = new_salt();
        let a = code.derive(&salt, COST)?;
        let b = ReceiptCode::parse(&code.display())?.derive(&salt, COST)?;
        assert_eq!(a.verifier, b.verifier);
        assert_eq!(public_key(&a.identity), public_key(&b.identity));
        let other = code.derive(&new_salt(), COST)?;
        assert_ne!(a.verifier, other.verifier);
        Ok(())
    }
}
