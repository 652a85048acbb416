//! Interoperability with a real age client: what Dignity encrypts, the `age` command
//! decrypts, and the reverse. (scripts/test installs Debian's `age` package.)

// Tests stop at the first surprise: they may unwrap, expect, panic and index.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use dignity_crypto::speakup::{SecretKey, decrypt_with, encrypt_to, identity_text, public_key};
use std::io::Write;
use std::process::{Command, Stdio};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn age(args: &[&str], input: &[u8]) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut child = Command::new("age")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!("the `age` command is needed for this test (apt-get install age): {e}")
        })?;
    child.stdin.take().ok_or("no stdin")?.write_all(input)?;
    let output = child.wait_with_output()?;
    if !output.status.success() {
        return Err(format!(
            "age {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(output.stdout)
}

#[test]
fn dignity_ciphertext_opens_with_the_age_command_and_back() -> TestResult {
    let identity = SecretKey::generate();
    let key_file = std::env::temp_dir().join(format!("dignity-age-{}.txt", std::process::id()));
    std::fs::write(
        &key_file,
        format!("{}\n", identity_text(&identity).as_str()),
    )?;
    let key_path = key_file.to_str().ok_or("path")?;

    let outcome = (|| {
        let ours = encrypt_to(
            &public_key(&identity),
            "A concern raised through Dignity".as_bytes(),
        )?;
        assert_eq!(
            age(&["-d", "-i", key_path], &ours)?,
            b"A concern raised through Dignity"
        );

        let theirs = age(&["-r", &public_key(&identity)], b"A reply written with age")?;
        assert_eq!(
            decrypt_with(&identity, &theirs)?.as_slice(),
            b"A reply written with age"
        );
        Ok::<_, Box<dyn std::error::Error>>(())
    })();
    let _ = std::fs::remove_file(&key_file);
    outcome
}
