//! Self-assessment frameworks: each version is kept as loaded, and never changes under a
//! round.

use dignity_store::diagnostics::{self, Added};
use dignity_store::{Db, StoreError};

pub(crate) async fn framework_versions_are_kept_and_never_change(db: Db) -> super::TestResult {
    let add = |version: i64, text: &'static str| {
        let db = db.clone();
        async move { diagnostics::add_framework(&db, "cli", 10, "hw", version, "Health", text).await }
    };
    let first = add(1, "one").await?;
    let Added::New(first_id) = first else {
        return Err(format!("{first:?}").into());
    };
    // The same file again changes nothing and writes no audit entry.
    assert_eq!(add(1, "one").await?, Added::Already(first_id));
    // A changed file under the same version is refused, and the stored one stays.
    match add(1, "one, changed").await {
        Err(StoreError::Conflict(message)) => {
            assert!(message.contains("Raise the file's version"), "{message}")
        }
        other => return Err(format!("a changed file was {other:?}").into()),
    }
    assert_eq!(
        diagnostics::framework(&db, first_id).await?.definition,
        "one"
    );
    let Added::New(second_id) = add(2, "two").await? else {
        return Err("version 2".into());
    };
    // An older version than the newest is refused.
    assert!(matches!(add(0, "zero").await, Err(StoreError::Conflict(_))));
    let newest = diagnostics::newest_frameworks(&db).await?;
    assert_eq!(
        newest.iter().map(|f| (f.id, f.version)).collect::<Vec<_>>(),
        vec![(second_id, 2)]
    );
    // Version 1 is still there for the rounds that use it.
    assert_eq!(diagnostics::framework(&db, first_id).await?.version, 1);
    let added: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'diagnostic.framework_added'",
    )
    .fetch_one(db.pool())
    .await?;
    assert_eq!(added, 2, "one audit entry per version loaded");
    Ok(())
}
