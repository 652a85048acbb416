//! Issue 13, item 12: sign-in failures kept an unsalted, truncated SHA-256 of the client's
//! address with a precise time, so a copy of the table was reversed by hashing every IPv4
//! address (seconds of work) and said when someone was at a keyboard. This test takes
//! such a copy and tries.

use crate::support::{TestApp, TestResult};
use sha2::{Digest, Sha256};

dignity_store::on_both_backends!(
    crate::support::run;
    sign_in_failures_keep_keyed_digests_and_window_starts,);

/// What hashing every address gives without the key: the full SHA-256 and the truncated
/// one the table used to hold, for each address in the client's /24 (the search over all
/// 2^32 addresses finds nothing more for these).
fn unkeyed_digests(prefix: &str) -> Vec<String> {
    (0..=255)
        .flat_map(|i| {
            let digest = Sha256::digest(format!("{prefix}.{i}").as_bytes());
            [hex::encode(digest), hex::encode(&digest[..16])]
        })
        .collect()
}

async fn sign_in_failures_keep_keyed_digests_and_window_starts(app: &TestApp) -> TestResult {
    let settings = &app.state.settings;
    let window = settings.sign_in.throttle_window_seconds;
    // A failure from long ago, as a server that was down would have left behind.
    sqlx::query("INSERT INTO login_failures (throttle_key, at) VALUES ('client:old', $1)")
        .bind(dignity_web::now() - 3 * window)
        .execute(app.db.pool())
        .await?;

    let mut browser = app.browser();
    browser.peer = "203.0.113.77:1".parse().ok();
    let before = dignity_web::now();
    browser
        .sign_in("nobody@trust.nhs.uk", "wrong wrong wrong")
        .await?;
    let after = dignity_web::now();

    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT throttle_key, at FROM login_failures ORDER BY throttle_key")
            .fetch_all(app.db.pool())
            .await?;
    let keys: Vec<&str> = rows.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        rows.len(),
        2,
        "the expired failure was not deleted: {keys:?}"
    );

    // The attack on a copy of the table, without the installation secret: nothing matches.
    let unkeyed = unkeyed_digests("203.0.113");
    for key in &keys {
        let digest = key.split_once(':').map(|(_, d)| d).unwrap_or(key);
        assert!(
            !unkeyed.iter().any(|u| u == digest),
            "{key} is an unkeyed hash"
        );
        assert!(
            !key.contains("203.0.113") && !key.contains("nobody"),
            "{key}"
        );
    }
    // With the secret the stored value is the address's digest: the row does its job.
    let client = format!(
        "client:{}",
        settings
            .secret
            .keyed_digest("sign-in throttle: client address", b"203.0.113.77")
    );
    assert!(keys.contains(&client.as_str()), "{keys:?}");

    // No moment is kept: only the start of the throttle window it fell in.
    for (_, at) in &rows {
        assert_eq!(at % window, 0, "a precise time is stored: {at}");
        assert!(
            *at <= before && after < at + window,
            "{at} is not this window"
        );
    }
    Ok(())
}
