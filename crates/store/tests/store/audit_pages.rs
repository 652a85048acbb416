//! The organisation administrator's audit log: filtered by kind of action and by time,
//! counted, and read a page at a time.

use crate::TestResult;
use dignity_store::Db;
use dignity_store::audit::{self, Filter, NewEntry};

pub(crate) async fn audit_log_filters_counts_and_pages(db: Db) -> TestResult {
    // 120 entries for RJ1 an hour apart, alternating two kinds; some for another
    // organisation and some for none, which are never counted.
    for i in 0..120i64 {
        let action = if i % 2 == 0 {
            "role.grant"
        } else {
            "org_unit.create"
        };
        let detail = format!("entry {i}");
        let entry = NewEntry {
            actor: "ann@trust.nhs.uk",
            organisation: Some("RJ1"),
            action,
            detail: &detail,
        };
        audit::record(&db, 1_000_000 + i * 3_600, &entry).await?;
    }
    for organisation in [Some("RJ2"), None] {
        let entry = NewEntry {
            actor: "bob@trust.nhs.uk",
            organisation,
            action: "role.grant",
            detail: "elsewhere",
        };
        audit::record(&db, 1_000_000, &entry).await?;
    }

    let all = Filter::default();
    assert_eq!(audit::count_for_organisation(&db, "RJ1", &all).await?, 120);
    let first = audit::page_for_organisation(&db, "RJ1", &all, 0, 50).await?;
    assert_eq!(first.len(), 50);
    assert_eq!(first[0].entry.detail, "entry 119", "newest first");
    let third = audit::page_for_organisation(&db, "RJ1", &all, 100, 50).await?;
    assert_eq!(third.len(), 20);
    assert_eq!(third[19].entry.detail, "entry 0");

    let roles = Filter {
        kind: Some("role"),
        ..Filter::default()
    };
    assert_eq!(audit::count_for_organisation(&db, "RJ1", &roles).await?, 60);
    let page = audit::page_for_organisation(&db, "RJ1", &roles, 0, 100).await?;
    assert!(page.iter().all(|e| e.entry.action == "role.grant"));

    // From inclusive, until exclusive: entries 10 to 19.
    let hours = Filter {
        kind: None,
        from: Some(1_000_000 + 10 * 3_600),
        until: Some(1_000_000 + 20 * 3_600),
    };
    assert_eq!(audit::count_for_organisation(&db, "RJ1", &hours).await?, 10);
    let page = audit::page_for_organisation(&db, "RJ1", &hours, 0, 50).await?;
    assert_eq!(
        page.first().map(|e| e.entry.detail.as_str()),
        Some("entry 19")
    );
    assert_eq!(
        page.last().map(|e| e.entry.detail.as_str()),
        Some("entry 10")
    );
    let both = Filter {
        kind: Some("org_unit"),
        ..hours
    };
    assert_eq!(audit::count_for_organisation(&db, "RJ1", &both).await?, 5);

    // People by name where the actor is an account's address; others as recorded.
    let ann = dignity_store::identity::create_person(
        &db,
        "cli",
        1,
        &dignity_domain::identity::Email::parse("ann@trust.nhs.uk")?,
        &dignity_domain::identity::Name::parse("Ann Example", "name")?,
        "h",
    )
    .await?;
    let named = audit::page_for_organisation(&db, "RJ1", &all, 0, 1).await?;
    assert_eq!(named[0].who(), ann.display_name);
    assert_eq!(
        named[0].entry.actor, "ann@trust.nhs.uk",
        "the log itself is unchanged"
    );
    let elsewhere = audit::page_for_organisation(&db, "RJ2", &all, 0, 5).await?;
    assert_eq!(elsewhere[0].who(), "bob@trust.nhs.uk");

    assert_eq!(
        audit::kinds_for_organisation(&db, "RJ1").await?,
        vec!["org_unit".to_owned(), "role".to_owned()]
    );
    assert!(audit::kinds_for_organisation(&db, "RJ9").await?.is_empty());
    Ok(())
}
