//! Small records sealed with a symmetric key: survey answers waiting to be written in a
//! batch, and unfinished survey drafts. XChaCha20-Poly1305 with a random 24-byte nonce (so
//! random nonces never repeat in practice), and the plain text padded to a whole number of
//! buckets, so a record's length does not give away how long its free-text comments are.

use crate::CryptoError;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand::RngCore;
use rand::rngs::OsRng;
use zeroize::Zeroizing;

/// Plain text is padded to a multiple of this many bytes.
pub const BUCKET: usize = 1024;
const NONCE_LEN: usize = 24;
const LENGTH_LEN: usize = 4;

/// Seals `plain` under `key`. `context` (such as the campaign) is bound to the record, so
/// a record copied to another context fails to open.
pub fn seal(key: &[u8; 32], context: &[u8], plain: &[u8]) -> Result<Vec<u8>, CryptoError> {
    seal_padded(key, context, plain, 0)
}

/// Seals `plain` padded to at least `at_least` bytes. Given the longest a record of its
/// kind can be, every record of that kind is the same length, so not even the bucket its
/// length falls in can tie it to a comment written out later.
pub fn seal_padded(
    key: &[u8; 32],
    context: &[u8],
    plain: &[u8],
    at_least: usize,
) -> Result<Vec<u8>, CryptoError> {
    let length = u32::try_from(plain.len())
        .map_err(|_| CryptoError::Encryption("record too long to seal".into()))?;
    let padded_len = (LENGTH_LEN + plain.len()).max(at_least).div_ceil(BUCKET) * BUCKET;
    let mut padded = Zeroizing::new(Vec::with_capacity(padded_len));
    padded.extend_from_slice(&length.to_le_bytes());
    padded.extend_from_slice(plain);
    padded.resize(padded_len, 0);
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut nonce);
    let cipher = XChaCha20Poly1305::new(Key::from_slice(key));
    let sealed = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &padded,
                aad: context,
            },
        )
        .map_err(|e| CryptoError::Encryption(e.to_string()))?;
    Ok([&nonce[..], &sealed].concat())
}

/// Opens a record made by [`seal`] with the same key and context.
pub fn open(
    key: &[u8; 32],
    context: &[u8],
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let (nonce, body) = sealed
        .split_at_checked(NONCE_LEN)
        .ok_or_else(|| CryptoError::Tampered("sealed record too short".into()))?;
    let cipher = XChaCha20Poly1305::new(Key::from_slice(key));
    let padded = Zeroizing::new(
        cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: context,
                },
            )
            .map_err(|_| CryptoError::Tampered("sealed record failed its check".into()))?,
    );
    let bad = || CryptoError::Tampered("sealed record has a bad length".into());
    let length: [u8; LENGTH_LEN] = padded
        .get(..LENGTH_LEN)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(bad)?;
    let end = LENGTH_LEN + u32::from_le_bytes(length) as usize;
    let plain = padded.get(LENGTH_LEN..end).ok_or_else(bad)?;
    Ok(Zeroizing::new(plain.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_open_only_with_their_key_and_context() {
        let key = [7u8; 32];
        let plain = b"answers 3 3 5 and a comment".to_vec();
        let sealed = seal(&key, b"campaign 1", &plain).unwrap();
        assert_eq!(*open(&key, b"campaign 1", &sealed).unwrap(), plain);
        assert!(open(&[8u8; 32], b"campaign 1", &sealed).is_err());
        assert!(open(&key, b"campaign 2", &sealed).is_err());
        let mut altered = sealed.clone();
        altered[30] ^= 1;
        assert!(open(&key, b"campaign 1", &altered).is_err());
        assert!(open(&key, b"campaign 1", &sealed[..10]).is_err());
        assert_ne!(
            sealed,
            seal(&key, b"campaign 1", &plain).unwrap(),
            "fresh nonce"
        );
        assert!(!sealed.windows(7).any(|w| w == b"comment"), "no plain text");
    }

    #[test]
    fn lengths_hide_within_a_bucket() {
        let key = [1u8; 32];
        let short = seal(&key, b"", b"a").unwrap();
        let long = seal(&key, b"", &[b'x'; BUCKET - LENGTH_LEN]).unwrap();
        let longer = seal(&key, b"", &[b'x'; BUCKET - LENGTH_LEN + 1]).unwrap();
        assert_eq!(short.len(), long.len());
        assert_eq!(longer.len(), short.len() + BUCKET);
        assert_eq!(*open(&key, b"", &short).unwrap(), b"a");
        assert!(
            open(&key, b"", &seal(&key, b"", b"").unwrap())
                .unwrap()
                .is_empty()
        );
    }

    /// Seals `padded` as it is, length prefix and all, as only a forger with the key could.
    fn seal_raw(key: &[u8; 32], padded: &[u8]) -> Vec<u8> {
        let nonce = [3u8; NONCE_LEN];
        let body = XChaCha20Poly1305::new(Key::from_slice(key))
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: padded,
                    aad: b"",
                },
            )
            .unwrap();
        [&nonce[..], &body].concat()
    }

    #[test]
    fn a_length_prefix_is_read_exactly_and_never_past_the_record() {
        let key = [2u8; 32];
        let room = BUCKET - LENGTH_LEN;
        let with_length = |length: u32| {
            let mut padded = length.to_le_bytes().to_vec();
            padded.resize(BUCKET, b'p');
            seal_raw(&key, &padded)
        };
        assert_eq!(open(&key, b"", &with_length(0)).unwrap().len(), 0);
        assert_eq!(*open(&key, b"", &with_length(3)).unwrap(), b"ppp");
        assert_eq!(
            open(&key, b"", &with_length(room as u32)).unwrap().len(),
            room
        );
        for past in [room as u32 + 1, u32::MAX] {
            assert!(open(&key, b"", &with_length(past)).is_err(), "{past}");
        }
        // Too short to hold a length at all.
        assert!(open(&key, b"", &seal_raw(&key, &[1, 0])).is_err());
    }

    #[test]
    fn records_padded_to_their_longest_are_all_one_length() {
        let key = [1u8; 32];
        let longest = 5 * BUCKET + 17;
        let empty = seal_padded(&key, b"", b"", longest).unwrap();
        let full = seal_padded(&key, b"", &vec![b'x'; longest - LENGTH_LEN], longest).unwrap();
        assert_eq!(empty.len(), full.len());
        assert_eq!(*open(&key, b"", &empty).unwrap(), b"");
    }
}
