//! What must never outlive its use: a guardian's unlocked key after their session ends,
//! and a receipt code anywhere in storage.

use crate::speakup::{guardian, report, speak_up_on};
use crate::support::TestApp;
use crate::support::TestResult;
use dignity_store::Backend;

dignity_store::on_both_backends!(
    crate::support::run;
    an_unlocked_key_is_gone_at_sign_out_and_when_the_session_ends,
    no_copy_of_the_database_holds_a_receipt_code,
);

async fn an_unlocked_key_is_gone_at_sign_out_and_when_the_session_ends(
    app: &TestApp,
) -> TestResult {
    speak_up_on(app).await?;
    let (_, mut gina) = guardian(app, "gina@trust.nhs.uk").await?;
    let (_, _hal) = guardian(app, "hal@trust.nhs.uk").await?;
    assert_eq!(
        app.state.app.keys.len(),
        2,
        "both guardians' keys are unlocked"
    );

    // Signing out forgets the key at once.
    let token = gina.csrf().await?;
    let page = gina.post("/sign-out", &[("csrf_token", &token)]).await?;
    assert!(page.status.is_redirection(), "{page:?}");
    assert_eq!(
        app.state.app.keys.len(),
        1,
        "Gina's key went with her session"
    );

    // A session that ends by itself (idle too long) takes its key with it too, even though
    // nobody asks for the key again.
    sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - 100000")
        .execute(app.db.pool())
        .await?;
    dignity_app::identity::forget_ended_sessions(&app.state.app).await?;
    assert_eq!(
        app.state.app.keys.len(),
        0,
        "Hal's idle session left no key"
    );
    Ok(())
}

async fn no_copy_of_the_database_holds_a_receipt_code(app: &TestApp) -> TestResult {
    speak_up_on(app).await?;
    let (_, page_code) = report(app, "The rota is changed to punish people who complain.").await?;
    let code: String = page_code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    assert_eq!(code.len(), 24, "{page_code}");
    let secret_part = &code[8..];
    let needles = [
        page_code.clone(),
        code.clone(),
        code.to_lowercase(),
        secret_part.to_owned(),
        secret_part.to_lowercase(),
    ];
    // Check the needles are findable at all: the first eight characters (the lookup part)
    // are stored, on purpose, to find the case.
    let mut lookup_found = false;
    for (place, text) in stored_text(app).await? {
        lookup_found |= text.contains(&code[..8]) || text.contains(&code[..8].to_lowercase());
        for needle in &needles {
            assert!(
                !text.contains(needle.as_str()),
                "{place} holds the receipt code"
            );
        }
    }
    assert!(lookup_found, "the search reads the stored values");
    Ok(())
}

/// Every text and binary value in every table, then the database as a thief would copy it
/// (the SQLite file and its write-ahead log, or a pg_dump), each with where it came from.
async fn stored_text(app: &TestApp) -> Result<Vec<(String, String)>, Box<dyn std::error::Error>> {
    use sqlx::{Column, Row};
    let mut found = Vec::new();
    for table in dignity_store::transfer::table_names() {
        let rows = sqlx::query(&format!("SELECT * FROM {table}"))
            .fetch_all(app.db.pool())
            .await?;
        for row in &rows {
            for column in row.columns() {
                let i = column.ordinal();
                let text = row
                    .try_get::<Option<String>, _>(i)
                    .ok()
                    .flatten()
                    .or_else(|| {
                        row.try_get::<Option<Vec<u8>>, _>(i)
                            .ok()
                            .flatten()
                            .map(|b| String::from_utf8_lossy(&b).into_owned())
                    });
                if let Some(text) = text {
                    found.push((format!("{table}.{}", column.name()), text));
                }
            }
        }
    }
    match app.db.backend() {
        Backend::Sqlite => {
            let path = crate::support::sqlite_path(app).ok_or("no sqlite path")?;
            for file in [path.clone(), format!("{path}-wal")] {
                if let Ok(bytes) = std::fs::read(&file) {
                    found.push((file, String::from_utf8_lossy(&bytes).into_owned()));
                }
            }
        }
        Backend::Postgres => {
            let dump = std::process::Command::new("pg_dump")
                .arg("--dbname")
                .arg(app.test_db_url())
                .output()?;
            assert!(dump.status.success(), "pg_dump failed");
            found.push((
                "pg_dump".into(),
                String::from_utf8_lossy(&dump.stdout).into_owned(),
            ));
        }
    }
    Ok(found)
}
