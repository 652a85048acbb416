//! Passphrase hashing with argon2id.

use crate::CryptoError;
use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::rngs::OsRng;

/// Argon2id cost. The default is OWASP's recommended minimum (19 MiB, 2 passes); tests use
/// [`HashCost::FAST_FOR_TESTS`] so that a suite which signs in hundreds of times stays quick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashCost {
    pub memory_kib: u32,
    pub passes: u32,
}

impl HashCost {
    pub const RECOMMENDED: HashCost = HashCost {
        memory_kib: 19_456,
        passes: 2,
    };
    pub const FAST_FOR_TESTS: HashCost = HashCost {
        memory_kib: 1_024,
        passes: 1,
    };
}

impl HashCost {
    /// The most a stored record may ask for when this is the configured cost: the larger
    /// of it and the recommended cost, so records made before a change still open.
    pub fn most_allowed(self) -> HashCost {
        HashCost {
            memory_kib: self.memory_kib.max(HashCost::RECOMMENDED.memory_kib),
            passes: self.passes.max(HashCost::RECOMMENDED.passes),
        }
    }
}

impl Default for HashCost {
    fn default() -> Self {
        HashCost::RECOMMENDED
    }
}

fn hasher(cost: HashCost) -> Result<Argon2<'static>, CryptoError> {
    let params = Params::new(cost.memory_kib, cost.passes, 1, None)
        .map_err(|e| CryptoError::Hashing(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a passphrase into a PHC string (algorithm, parameters and salt included), so that
/// a later change of cost still verifies old hashes.
pub fn hash(passphrase: &str, cost: HashCost) -> Result<String, CryptoError> {
    let salt = SaltString::generate(&mut OsRng);
    hasher(cost)?
        .hash_password(passphrase.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CryptoError::Hashing(e.to_string()))
}

/// Checks a passphrase against a stored PHC string. The parameters come from the string,
/// up to `most`: a stored hash asking for more memory or passes is refused, so a changed
/// record cannot make every sign-in take gigabytes.
pub fn verify(passphrase: &str, stored: &str, most: HashCost) -> Result<bool, CryptoError> {
    let parsed =
        PasswordHash::new(stored).map_err(|e| CryptoError::BadStoredHash(e.to_string()))?;
    let params =
        Params::try_from(&parsed).map_err(|e| CryptoError::BadStoredHash(e.to_string()))?;
    if params.m_cost() > most.memory_kib || params.t_cost() > most.passes || params.p_cost() > 4 {
        return Err(CryptoError::BadStoredHash(format!(
            "the stored hash asks for {} KiB and {} passes, more than allowed",
            params.m_cost(),
            params.t_cost()
        )));
    }
    // Worked out as `verify_password` would, but in this thread's reused memory (see
    // `argon_memory`): sign-ins come in floods too.
    let bad = |e: &dyn std::fmt::Display| CryptoError::BadStoredHash(e.to_string());
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(|e| bad(&e))?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(|e| bad(&e))?
        .unwrap_or_default();
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Err(bad(&"the stored hash has no salt or no hash"));
    };
    let mut salt_bytes = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_bytes).map_err(|e| bad(&e))?;
    let expected = expected.as_bytes();
    let params = Params::new(
        params.m_cost(),
        params.t_cost(),
        params.p_cost(),
        Some(expected.len()),
    )
    .map_err(|e| bad(&e))?;
    let blocks = params.block_count();
    let argon = Argon2::new(algorithm, version, params);
    let mut out = zeroize::Zeroizing::new(vec![0u8; expected.len()]);
    crate::argon_memory::with_memory(blocks, |memory| {
        argon.hash_password_into_with_memory(passphrase.as_bytes(), salt, &mut out, memory)
    })
    .map_err(|e| bad(&e))?;
    Ok(crate::token::same_bytes(&out, expected))
}

/// A hash of a passphrase nobody has, checked when an account does not exist, so that
/// "no such account" takes as long as "wrong passphrase" and timing reveals nothing.
pub fn dummy_hash(cost: HashCost) -> Result<String, CryptoError> {
    hash("not a real passphrase, only used to even out timing", cost)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_passphrase_verifies_and_wrong_does_not() -> Result<(), CryptoError> {
        let stored = hash("correct horse battery", HashCost::FAST_FOR_TESTS)?;
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify(
            "correct horse battery",
            &stored,
            HashCost::FAST_FOR_TESTS
        )?);
        assert!(!verify(
            "correct horse batterY",
            &stored,
            HashCost::FAST_FOR_TESTS
        )?);
        Ok(())
    }

    #[test]
    fn each_hash_has_its_own_salt() -> Result<(), CryptoError> {
        let a = hash("same words here", HashCost::FAST_FOR_TESTS)?;
        let b = hash("same words here", HashCost::FAST_FOR_TESTS)?;
        assert_ne!(a, b);
        Ok(())
    }

    #[test]
    fn a_garbled_stored_hash_is_an_error_not_a_match() {
        assert!(verify("anything", "not a hash", HashCost::FAST_FOR_TESTS).is_err());
    }

    #[test]
    fn a_stored_hash_asking_for_too_much_is_refused_before_any_work() -> Result<(), CryptoError> {
        let greedy = hash(
            "correct horse battery",
            HashCost {
                memory_kib: 4_096,
                passes: 1,
            },
        )?;
        assert!(verify("correct horse battery", &greedy, HashCost::FAST_FOR_TESTS).is_err());
        assert!(verify(
            "correct horse battery",
            &greedy,
            HashCost {
                memory_kib: 4_096,
                passes: 1
            }
        )?);
        Ok(())
    }
}
