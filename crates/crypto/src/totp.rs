//! Time-based one-time codes (RFC 6238) for the second sign-in step.

use crate::CryptoError;
use rand::RngCore;
use rand::rngs::OsRng;
use totp_rs::{Algorithm, Secret, TOTP};

/// 30-second steps, 6 digits, SHA-1: what every authenticator app understands.
const STEP_SECONDS: u64 = 30;
const DIGITS: usize = 6;

/// A new random secret (160 bits, as RFC 4226 recommends), base32-encoded for people to type.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    OsRng.fill_bytes(&mut bytes);
    Secret::Raw(bytes.to_vec()).to_encoded().to_string()
}

fn totp(secret_base32: &str) -> Result<TOTP, CryptoError> {
    let bytes = Secret::Encoded(secret_base32.to_owned())
        .to_bytes()
        .map_err(|e| CryptoError::BadTotpSecret(format!("{e:?}")))?;
    // Skew 1 accepts the code either side of now, for phones whose clocks drift.
    TOTP::new(Algorithm::SHA1, DIGITS, 1, STEP_SECONDS, bytes)
        .map_err(|e| CryptoError::BadTotpSecret(e.to_string()))
}

/// The code for a moment (Unix seconds). Used by tests and by the demo helper.
pub fn code_at(secret_base32: &str, unix_seconds: u64) -> Result<String, CryptoError> {
    Ok(totp(secret_base32)?.generate(unix_seconds))
}

/// Checks a code typed at `unix_seconds`. On success returns the time step it matched, so
/// the caller can refuse the same code twice (a replayed code is not a second factor).
pub fn verify(
    secret_base32: &str,
    code: &str,
    unix_seconds: u64,
    last_used_step: Option<i64>,
) -> Result<Option<i64>, CryptoError> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.chars().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    let totp = totp(secret_base32)?;
    let now_step = unix_seconds / STEP_SECONDS;
    for step in [now_step.saturating_sub(1), now_step, now_step + 1] {
        let step_i64 = i64::try_from(step).unwrap_or(i64::MAX);
        if last_used_step.is_some_and(|last| step_i64 <= last) {
            continue;
        }
        if crate::token::same_secret(&totp.generate(step * STEP_SECONDS), &code) {
            return Ok(Some(step_i64));
        }
    }
    Ok(None)
}

/// The `otpauth://` address an authenticator app reads from a QR code.
pub fn provisioning_uri(secret_base32: &str, issuer: &str, account: &str) -> String {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        enc(issuer),
        enc(account),
        secret_base32,
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_current_code_verifies_once() -> Result<(), CryptoError> {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = code_at(&secret, now)?;
        let step = verify(&secret, &code, now, None)?;
        assert_eq!(step, Some(60_000_000));
        assert_eq!(verify(&secret, &code, now, step)?, None, "replay must fail");
        Ok(())
    }

    #[test]
    fn codes_from_far_away_times_fail() -> Result<(), CryptoError> {
        let secret = new_secret();
        let code = code_at(&secret, 1_800_000_000)?;
        assert_eq!(verify(&secret, &code, 1_800_000_000 + 600, None)?, None);
        assert_eq!(verify(&secret, "12345", 1_800_000_000, None)?, None);
        assert_eq!(verify(&secret, "abcdef", 1_800_000_000, None)?, None);
        Ok(())
    }

    #[test]
    fn rfc6238_vector_matches() -> Result<(), CryptoError> {
        // RFC 6238 appendix B, SHA-1 seed "12345678901234567890", T = 59 -> 94287082 (8 digits);
        // the last 6 digits are what a 6-digit authenticator shows.
        let secret = Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        assert_eq!(code_at(&secret, 59)?, "287082");
        Ok(())
    }

    #[test]
    fn provisioning_uri_escapes_the_account() {
        let uri = provisioning_uri("ABC", "Dignity", "ann@x.nhs.uk");
        assert!(uri.starts_with("otpauth://totp/Dignity:ann%40x.nhs.uk?secret=ABC&issuer=Dignity"));
    }
}
