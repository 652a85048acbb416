//! An organisation's own privacy notice (issue 22): its administrators write it, anyone
//! reads it, and what it holds stays text.

use crate::support::{TestApp, TestResult};
use axum::http::StatusCode;
use dignity_domain::identity::Role;

dignity_store::on_both_backends!(
    crate::support::run;
    an_administrator_writes_the_notice_and_anyone_reads_it,
);

async fn an_administrator_writes_the_notice_and_anyone_reads_it(app: &TestApp) -> TestResult {
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut browser = app.signed_in_browser(&admin).await?;
    let before = app.browser().get("/orgs/RJ1/privacy").await?;
    assert_eq!(before.status, StatusCode::OK);
    assert!(
        before
            .body
            .contains("has not written its privacy notice here yet")
    );

    let saved = browser
        .post(
            "/orgs/RJ1/privacy/edit",
            &[(
                "body",
                "## Who we are\r\n\r\nTrust RJ1 is responsible.\r\n\r\n<img src=x onerror=alert(1)>",
            )],
        )
        .await?;
    assert!(saved.redirects_to("/orgs/RJ1/privacy"), "{saved:?}");
    let page = app.browser().get("/orgs/RJ1/privacy").await?;
    assert!(page.body.contains("<h2>Who we are</h2>"), "{}", page.body);
    assert!(page.body.contains("Trust RJ1 is responsible."));
    assert!(!page.body.contains("onerror"), "{}", page.body);
    let list = app.browser().get("/privacy").await?;
    assert!(list.body.contains("href=\"/orgs/RJ1/privacy\""));

    // Too long: refused, saying why, what was typed kept.
    let long = "a".repeat(20_001);
    let refused = browser
        .post("/orgs/RJ1/privacy/edit", &[("body", long.as_str())])
        .await?;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("20,000 characters or fewer"));

    // Emptied: removed, and audited each time.
    let removed = browser
        .post("/orgs/RJ1/privacy/edit", &[("body", "  ")])
        .await?;
    assert!(removed.redirects_to("/privacy"));
    assert!(
        !app.browser()
            .get("/privacy")
            .await?
            .body
            .contains("/orgs/RJ1/privacy")
    );
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'privacy.notice'")
            .fetch_one(app.db.pool())
            .await?;
    assert_eq!(audited, 2);
    Ok(())
}
