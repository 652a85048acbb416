//! A cookie-less proof of work for the anonymous pages when they are flooded. The server
//! hands out a challenge it can check later without storing it (signed under a key from
//! the installation secret), the browser searches for a number that makes a SHA-256 of
//! the challenge start with enough zero bits (`init.js`, with Web Crypto), and each
//! solved challenge is taken once. The number of zero bits rises with the load, so a
//! flood slows itself while a person still gets through. Nothing here identifies anyone:
//! a challenge holds its expiry, its difficulty and random bytes, and used ones are kept
//! in memory only until they expire.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;

/// Zero bits asked for at the limit: about 65,000 hashes, a second or two in a browser.
pub const BASE_BITS: u32 = 16;
/// The most ever asked for: about 4 million hashes, under a minute in a slow browser.
pub const MAX_BITS: u32 = 22;
/// How long a challenge may be used, in seconds.
pub const LIFETIME: i64 = 600;
/// Used challenges held at most; beyond it, new solutions are refused until some expire.
const MAX_REMEMBERED: usize = 200_000;
const VERSION: &str = "p1";

/// Zero bits to ask for when `load` events have happened in a window allowing `limit`
/// freely: none below the limit, then two more for each doubling.
pub fn bits_for_load(load: u32, limit: u32) -> Option<u32> {
    if load < limit.max(1) {
        return None;
    }
    let doublings = (load / limit.max(1)).max(1).ilog2();
    Some((BASE_BITS + 2 * doublings).min(MAX_BITS))
}

/// A challenge as the page carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub text: String,
    pub bits: u32,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PowError {
    #[error("no challenge or no solution was sent")]
    Missing,
    #[error("the challenge is not one of ours")]
    Forged,
    #[error("the challenge has expired")]
    Expired,
    #[error("the challenge is easier than the load now needs")]
    TooEasy,
    #[error("the solution does not solve the challenge")]
    Unsolved,
    #[error("the challenge was used already")]
    Used,
}

/// Challenges already redeemed, until they expire.
#[derive(Debug, Default)]
pub struct Redeemed {
    used: Mutex<HashMap<String, i64>>,
}

impl Redeemed {
    /// A new challenge of `bits` zero bits. `sign` is a keyed digest under a key a database
    /// thief does not have (`InstallationSecret::keyed_digest`).
    pub fn issue(sign: impl Fn(&str) -> String, bits: u32, now: i64) -> Challenge {
        let nonce = dignity_crypto::token::random_token();
        let nonce = nonce.get(..16).unwrap_or(&nonce);
        let body = format!("{VERSION}.{}.{bits}.{nonce}", now + LIFETIME);
        let text = format!("{body}.{}", sign(&body));
        Challenge { text, bits }
    }

    /// Accepts a solved challenge of at least `min_bits`, once.
    pub fn redeem(
        &self,
        sign: impl Fn(&str) -> String,
        challenge: &str,
        solution: &str,
        min_bits: u32,
        now: i64,
    ) -> Result<(), PowError> {
        if challenge.is_empty() || solution.is_empty() {
            return Err(PowError::Missing);
        }
        let (body, mac) = challenge.rsplit_once('.').ok_or(PowError::Forged)?;
        if !dignity_crypto::token::same_bytes(sign(body).as_bytes(), mac.as_bytes()) {
            return Err(PowError::Forged);
        }
        let mut parts = body.split('.');
        let (Some(VERSION), Some(expires), Some(bits), Some(nonce), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(PowError::Forged);
        };
        let expires: i64 = expires.parse().map_err(|_| PowError::Forged)?;
        let bits: u32 = bits.parse().map_err(|_| PowError::Forged)?;
        if expires < now {
            return Err(PowError::Expired);
        }
        if bits < min_bits {
            return Err(PowError::TooEasy);
        }
        let counter: u64 = solution.trim().parse().map_err(|_| PowError::Unsolved)?;
        if zero_bits(challenge, counter) < bits {
            return Err(PowError::Unsolved);
        }
        let Ok(mut used) = self.used.lock() else {
            return Err(PowError::Used);
        };
        used.retain(|_, until| *until >= now);
        if used.len() >= MAX_REMEMBERED || used.contains_key(nonce) {
            return Err(PowError::Used);
        }
        used.insert(nonce.to_owned(), expires);
        Ok(())
    }
}

/// Leading zero bits of SHA-256("{challenge}:{counter}"), as `init.js` computes it.
pub fn zero_bits(challenge: &str, counter: u64) -> u32 {
    let digest = Sha256::digest(format!("{challenge}:{counter}").as_bytes());
    let mut bits = 0;
    for byte in digest {
        if byte == 0 {
            bits += 8;
        } else {
            bits += byte.leading_zeros();
            break;
        }
    }
    bits
}

/// Finds a solution, as a browser would (for tests, the benchmark and load checks).
pub fn solve(challenge: &Challenge) -> u64 {
    (0..u64::MAX)
        .find(|n| zero_bits(&challenge.text, *n) >= challenge.bits)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(body: &str) -> String {
        format!(
            "{:x}",
            Sha256::digest(format!("test key {body}").as_bytes())
        )
    }

    #[test]
    fn difficulty_rises_with_load() {
        assert_eq!(bits_for_load(59, 60), None);
        assert_eq!(bits_for_load(60, 60), Some(16));
        assert_eq!(bits_for_load(119, 60), Some(16));
        assert_eq!(bits_for_load(120, 60), Some(18));
        assert_eq!(bits_for_load(240, 60), Some(20));
        assert_eq!(bits_for_load(u32::MAX, 60), Some(MAX_BITS));
    }

    #[test]
    fn a_solved_challenge_is_taken_once_and_nothing_else_is() {
        let redeemed = Redeemed::default();
        let challenge = Redeemed::issue(sign, 8, 1000);
        let solution = solve(&challenge).to_string();
        let wrong = (0..)
            .find(|n| zero_bits(&challenge.text, *n) < 8)
            .unwrap_or(0)
            .to_string();
        let try_it =
            |text: &str, solution: &str, min, now| redeemed.redeem(sign, text, solution, min, now);
        assert_eq!(
            try_it(&challenge.text, &wrong, 8, 1001),
            Err(PowError::Unsolved)
        );
        assert_eq!(try_it(&challenge.text, "", 8, 1001), Err(PowError::Missing));
        assert_eq!(
            try_it(&challenge.text, &solution, 9, 1001),
            Err(PowError::TooEasy)
        );
        assert_eq!(
            try_it(&challenge.text, &solution, 8, 1000 + LIFETIME + 1),
            Err(PowError::Expired)
        );
        let easier = challenge.text.replacen(".8.", ".0.", 1);
        assert_eq!(try_it(&easier, "0", 0, 1001), Err(PowError::Forged));
        assert_eq!(try_it(&challenge.text, &solution, 8, 1001), Ok(()));
        assert_eq!(
            try_it(&challenge.text, &solution, 8, 1002),
            Err(PowError::Used)
        );
    }
}
