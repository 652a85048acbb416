//! People and roles on the pages (issue 22): organisation administrators look after their
//! own people, platform administrators after everyone; every change has a reason and is
//! audited, and each promise below is tried the way someone would try to break it.

use crate::support::{TestApp, TestResult};
use axum::http::StatusCode;
use dignity_domain::identity::{Region, Role};
use dignity_store::identity;

dignity_store::on_both_backends!(
    crate::support::run;
    an_organisation_administrator_gives_and_takes_roles_with_a_reason,
    an_administrator_sees_only_their_own_organisations_people,
    nobody_changes_their_own_roles_and_the_last_administrator_stays,
    signing_someone_out_ends_every_session_and_drops_their_key,
    a_platform_administrator_places_roles_and_turns_accounts_off,
    search_finds_by_name_or_address_and_treats_wildcards_as_text,
);

async fn roles_of(
    app: &TestApp,
    person_id: i64,
) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    Ok(identity::memberships(&app.db, person_id)
        .await?
        .into_iter()
        .map(|m| {
            format!(
                "{}@{}",
                m.role.code(),
                m.organisation
                    .map(|o| o.ods_code)
                    .or(m.region.map(|r| r.code().to_owned()))
                    .unwrap_or_else(|| "all".into())
            )
        })
        .collect())
}

async fn mail_to(
    app: &TestApp,
    to: &str,
) -> Result<Vec<(String, String)>, Box<dyn std::error::Error>> {
    Ok(
        sqlx::query_as("SELECT subject, body FROM mail_outbox WHERE to_address = $1 ORDER BY id")
            .bind(to)
            .fetch_all(app.db.pool())
            .await?,
    )
}

async fn an_organisation_administrator_gives_and_takes_roles_with_a_reason(
    app: &TestApp,
) -> TestResult {
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let other_admin = app
        .person("otto@trust.nhs.uk", Some(Role::OrgAdmin))
        .await?;
    let ann = app.person("ann@trust.nhs.uk", Some(Role::Staff)).await?;
    let mut browser = app.signed_in_browser(&admin).await?;
    let path = format!("/orgs/RJ1/people/{}", ann.id);

    let page = browser.get(&path).await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("ann@trust.nhs.uk"));
    assert!(page.body.contains("Give a role"));

    // No reason: refused, saying so, nothing given.
    let refused = browser
        .post(
            &format!("{path}/roles"),
            &[
                ("role", "guardian"),
                ("organisation", ""),
                ("region", ""),
                ("reason", "  "),
            ],
        )
        .await?;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Say why you are making this change"));
    assert!(refused.body.contains("href=\"#give-reason\""));
    assert_eq!(roles_of(app, ann.id).await?, vec!["staff@RJ1"]);

    let given = browser
        .post(
            &format!("{path}/roles"),
            &[
                ("role", "guardian"),
                ("organisation", ""),
                ("region", ""),
                ("reason", "Appointed by the board\r\nin May"),
            ],
        )
        .await?;
    assert!(
        given.redirects_to(&format!("{path}?done=given")),
        "{given:?}"
    );
    let mut roles = roles_of(app, ann.id).await?;
    roles.sort();
    assert_eq!(roles, vec!["guardian@RJ1", "staff@RJ1"]);
    let log = dignity_store::audit::list_for_organisation(&app.db, "RJ1", None, 1_000).await?;
    assert!(
        log.iter().any(|e| e.action == "role.grant"
            && e.actor == "ada@trust.nhs.uk"
            && e.detail
                == "Gave ann@trust.nhs.uk the role Freedom to Speak Up Guardian. Reason: Appointed by the board in May"),
        "{log:?}"
    );
    // Ann is told, and so is the other administrator (a guardian reads cases); the one
    // who made the change is not mailed about it.
    let to_ann = mail_to(app, "ann@trust.nhs.uk").await?;
    assert_eq!(to_ann.len(), 1);
    assert!(
        to_ann[0]
            .1
            .contains("You now have the role Freedom to Speak Up Guardian in Trust RJ1")
    );
    let to_otto = mail_to(app, &other_admin.email).await?;
    assert_eq!(to_otto.len(), 1, "{to_otto:?}");
    assert!(to_otto[0].1.contains("Appointed by the board in May"));
    assert!(mail_to(app, "ada@trust.nhs.uk").await?.is_empty());

    // Given twice: a clear problem, not an error page.
    let twice = browser
        .post(
            &format!("{path}/roles"),
            &[
                ("role", "guardian"),
                ("organisation", ""),
                ("region", ""),
                ("reason", "Again"),
            ],
        )
        .await?;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        twice.body.contains("already has the role"),
        "{}",
        twice.body
    );

    // A role from outside the organisation's list, or another organisation's role:
    // refused before anything changes.
    let platform = browser
        .post(
            &format!("{path}/roles"),
            &[
                ("role", "platform_admin"),
                ("organisation", ""),
                ("region", ""),
                ("reason", "Why not"),
            ],
        )
        .await?;
    assert_eq!(platform.status, StatusCode::BAD_REQUEST);
    let elsewhere = browser
        .post(
            &format!("{path}/roles/remove"),
            &[("held", "staff@org:RJ2"), ("reason", "Tidy")],
        )
        .await?;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);

    let taken = browser
        .post(
            &format!("{path}/roles/remove"),
            &[("held", "guardian@org:RJ1"), ("reason", "Stepped down")],
        )
        .await?;
    assert!(
        taken.redirects_to(&format!("{path}?done=taken")),
        "{taken:?}"
    );
    assert_eq!(roles_of(app, ann.id).await?, vec!["staff@RJ1"]);
    let log = dignity_store::audit::list_for_organisation(&app.db, "RJ1", None, 1_000).await?;
    assert!(log.iter().any(|e| e.action == "role.revoke"
        && e.detail == "Took the role Freedom to Speak Up Guardian from ann@trust.nhs.uk. Reason: Stepped down"));
    let again = browser
        .post(
            &format!("{path}/roles/remove"),
            &[("held", "guardian@org:RJ1"), ("reason", "Stepped down")],
        )
        .await?;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("does not have the role"));

    // Someone from another organisation joins by their address.
    let bob = app
        .person_in("bob@other.nhs.uk", Some(Role::Staff), &app.other_org)
        .await?;
    let added = browser
        .post(
            "/orgs/RJ1/people",
            &[
                ("email", "bob@other.nhs.uk"),
                ("role", "union_partner"),
                ("reason", "Union rep for both trusts"),
            ],
        )
        .await?;
    assert!(
        added.redirects_to(&format!("/orgs/RJ1/people/{}?done=given", bob.id)),
        "{added:?}"
    );
    let unknown = browser
        .post(
            "/orgs/RJ1/people",
            &[
                ("email", "nobody@trust.nhs.uk"),
                ("role", "staff"),
                ("reason", "New starter"),
            ],
        )
        .await?;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown
            .body
            .contains("There is no account with that address yet")
    );
    Ok(())
}

async fn an_administrator_sees_only_their_own_organisations_people(app: &TestApp) -> TestResult {
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let bob = app
        .person_in("bob@other.nhs.uk", Some(Role::Guardian), &app.other_org)
        .await?;
    let mut browser = app.signed_in_browser(&admin).await?;
    let list = browser.get("/orgs/RJ1/people").await?;
    assert!(list.body.contains("ada@trust.nhs.uk"));
    assert!(!list.body.contains("bob@other.nhs.uk"), "{}", list.body);
    // Outside the organisation: not found, the same as nobody at all, and nothing changes.
    for path in [
        format!("/orgs/RJ1/people/{}", bob.id),
        "/orgs/RJ1/people/999999".to_owned(),
    ] {
        assert_eq!(browser.get(&path).await?.status, StatusCode::NOT_FOUND);
    }
    let ended = browser
        .post(
            &format!("/orgs/RJ1/people/{}/sessions/end", bob.id),
            &[("reason", "Probing")],
        )
        .await?;
    assert_eq!(ended.status, StatusCode::NOT_FOUND);
    // Another organisation's pages: refused.
    assert_eq!(
        browser.get("/orgs/RJ2/people").await?.status,
        StatusCode::FORBIDDEN
    );
    // Once Bob holds a role here too, his page shows only the roles held here.
    identity::grant_role(&app.db, "test", 1, &bob, Role::Staff, Some(&app.org)).await?;
    let page = browser.get(&format!("/orgs/RJ1/people/{}", bob.id)).await?;
    assert_eq!(page.status, StatusCode::OK);
    let roles_table = page
        .body
        .split("<table")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .ok_or("a table of roles")?;
    assert!(roles_table.contains("Staff member"));
    assert!(
        !roles_table.contains("Freedom to Speak Up Guardian"),
        "{roles_table}"
    );
    assert!(!page.body.contains("Trust RJ2"));
    Ok(())
}

async fn nobody_changes_their_own_roles_and_the_last_administrator_stays(
    app: &TestApp,
) -> TestResult {
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut browser = app.signed_in_browser(&admin).await?;
    let own = format!("/orgs/RJ1/people/{}", admin.id);
    let page = browser.get(&own).await?;
    assert!(page.body.contains("This is you"));
    assert!(!page.body.contains("Give the role"));
    let sneaky = browser
        .post(
            &format!("{own}/roles"),
            &[
                ("role", "guardian"),
                ("organisation", ""),
                ("region", ""),
                ("reason", "Just me"),
            ],
        )
        .await?;
    assert_eq!(sneaky.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(sneaky.body.contains("cannot change your own roles"));
    assert_eq!(roles_of(app, admin.id).await?, vec!["org_admin@RJ1"]);
    let by_address = browser
        .post(
            "/orgs/RJ1/people",
            &[
                ("email", "ada@trust.nhs.uk"),
                ("role", "guardian"),
                ("reason", "Just me"),
            ],
        )
        .await?;
    assert_eq!(by_address.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(roles_of(app, admin.id).await?, vec!["org_admin@RJ1"]);

    // The platform's administrator cannot take away the only administrator's role.
    let platform = app
        .person("pat@dignity.nhs.uk", Some(Role::PlatformAdmin))
        .await?;
    let mut platform_browser = app.signed_in_browser(&platform).await?;
    let last = platform_browser
        .post(
            &format!("/admin/people/{}/roles/remove", admin.id),
            &[("held", "org_admin@org:RJ1"), ("reason", "Leaving")],
        )
        .await?;
    assert_eq!(last.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        last.body.contains("the only organisation administrator"),
        "{}",
        last.body
    );
    assert_eq!(roles_of(app, admin.id).await?, vec!["org_admin@RJ1"]);
    Ok(())
}

async fn signing_someone_out_ends_every_session_and_drops_their_key(app: &TestApp) -> TestResult {
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let gwen = app
        .person("gwen@trust.nhs.uk", Some(Role::Guardian))
        .await?;
    let mut gwen_phone = app.signed_in_browser(&gwen).await?;
    let mut gwen_desk = app.signed_in_browser(&gwen).await?;
    assert_eq!(gwen_phone.get("/home").await?.status, StatusCode::OK);
    // Her unlocked case key, as the unlock page leaves it.
    let digests: Vec<(String,)> =
        sqlx::query_as("SELECT token_digest FROM sessions WHERE person_id = $1")
            .bind(gwen.id)
            .fetch_all(app.db.pool())
            .await?;
    let now = dignity_web::now();
    for (digest,) in &digests {
        app.state.app.keys.insert(
            digest,
            dignity_crypto::speakup::SecretKey::generate(),
            now + 3600,
            now,
        );
    }
    let mut browser = app.signed_in_browser(&admin).await?;
    let ended = browser
        .post(
            &format!("/orgs/RJ1/people/{}/sessions/end", gwen.id),
            &[("reason", "Phone lost on the ward")],
        )
        .await?;
    assert!(ended.redirects_to(&format!("/orgs/RJ1/people/{}?done=signed-out", gwen.id)));
    for browser in [&mut gwen_phone, &mut gwen_desk] {
        assert!(browser.get("/home").await?.redirects_to("/sign-in"));
    }
    for (digest,) in &digests {
        assert!(app.state.app.keys.get(digest, now).is_none());
    }
    let log = dignity_store::audit::list_for_organisation(&app.db, "RJ1", None, 1_000).await?;
    let entry = log
        .iter()
        .find(|e| e.action == "person.sessions_end")
        .ok_or("audited")?;
    // The log says why, and not how many sessions there were: that would say when she
    // was using Dignity.
    assert_eq!(
        entry.detail,
        "Signed gwen@trust.nhs.uk out everywhere. Reason: Phone lost on the ward"
    );
    Ok(())
}

async fn a_platform_administrator_places_roles_and_turns_accounts_off(app: &TestApp) -> TestResult {
    let platform = app
        .person("pat@dignity.nhs.uk", Some(Role::PlatformAdmin))
        .await?;
    let ann = app.person("ann@trust.nhs.uk", Some(Role::Staff)).await?;
    let mut browser = app.signed_in_browser(&platform).await?;
    let list = browser.get("/admin/people").await?;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("ann@trust.nhs.uk"));
    let path = format!("/admin/people/{}", ann.id);

    // A regional director needs a region; an organisation's role needs a real code.
    let no_region = browser
        .post(
            &format!("{path}/roles"),
            &[
                ("role", "regional_director"),
                ("organisation", ""),
                ("region", ""),
                ("reason", "New director"),
            ],
        )
        .await?;
    assert_eq!(no_region.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_region.body.contains("href=\"#region\""));
    let bad_code = browser
        .post(
            &format!("{path}/roles"),
            &[
                ("role", "executive"),
                ("organisation", "ZZZ9"),
                ("region", ""),
                ("reason", "Board"),
            ],
        )
        .await?;
    assert_eq!(bad_code.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad_code
            .body
            .contains("There is no organisation with that ODS code")
    );
    for (role, organisation, region) in [
        ("regional_director", "", "london"),
        ("executive", "rj2", ""),
        ("national_analyst", "", ""),
    ] {
        let given = browser
            .post(
                &format!("{path}/roles"),
                &[
                    ("role", role),
                    ("organisation", organisation),
                    ("region", region),
                    ("reason", "Appointed"),
                ],
            )
            .await?;
        assert!(
            given.redirects_to(&format!("{path}?done=given")),
            "{role}: {given:?}"
        );
    }
    let mut roles = roles_of(app, ann.id).await?;
    roles.sort();
    assert_eq!(
        roles,
        vec![
            "executive@RJ2",
            "national_analyst@all",
            "regional_director@london",
            "staff@RJ1"
        ]
    );
    let taken = browser
        .post(
            &format!("{path}/roles/remove"),
            &[
                ("held", "regional_director@region:london"),
                ("reason", "Moved on"),
            ],
        )
        .await?;
    assert!(taken.redirects_to(&format!("{path}?done=taken")));
    assert!(
        !identity::memberships(&app.db, ann.id)
            .await?
            .iter()
            .any(|m| m.region == Some(Region::London))
    );

    // Turned off: signed out, cannot sign in; on again: the same roles.
    let mut ann_browser = app.signed_in_browser(&ann).await?;
    let off = browser
        .post(
            &format!("{path}/account"),
            &[("on", "no"), ("reason", "Suspended pending inquiry")],
        )
        .await?;
    assert!(
        off.redirects_to(&format!("{path}?done=turned-off")),
        "{off:?}"
    );
    assert!(ann_browser.get("/home").await?.redirects_to("/sign-in"));
    let mut fresh = app.browser();
    let tried = fresh
        .sign_in("ann@trust.nhs.uk", crate::support::PASSPHRASE)
        .await?;
    assert!(!tried.redirects_to("/home"), "{tried:?}");
    let on = browser
        .post(
            &format!("{path}/account"),
            &[("on", "yes"), ("reason", "Cleared")],
        )
        .await?;
    assert!(on.redirects_to(&format!("{path}?done=turned-on")));
    assert_eq!(roles_of(app, ann.id).await?.len(), 3);

    // An organisation administrator cannot reach these pages.
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut org_browser = app.signed_in_browser(&admin).await?;
    assert_eq!(
        org_browser.get("/admin/people").await?.status,
        StatusCode::FORBIDDEN
    );
    Ok(())
}

async fn search_finds_by_name_or_address_and_treats_wildcards_as_text(app: &TestApp) -> TestResult {
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    app.person("ann.lee@trust.nhs.uk", Some(Role::Staff))
        .await?;
    app.person("bo_b@trust.nhs.uk", Some(Role::Staff)).await?;
    let mut browser = app.signed_in_browser(&admin).await?;
    let found = browser.get("/orgs/RJ1/people?q=ANN.LEE").await?;
    assert!(found.body.contains("ann.lee@trust.nhs.uk"));
    assert!(!found.body.contains("bo_b@trust.nhs.uk"));
    assert!(found.body.contains("1 person"));
    // "_" and "%" are letters to look for, not patterns.
    let underscore = browser.get("/orgs/RJ1/people?q=_").await?;
    assert!(underscore.body.contains("bo_b@trust.nhs.uk"));
    assert!(!underscore.body.contains("ann.lee@trust.nhs.uk"));
    let percent = browser.get("/orgs/RJ1/people?q=%25").await?;
    assert!(percent.body.contains("Nobody matches"));
    let long = "a".repeat(201);
    assert_eq!(
        browser
            .get(&format!("/orgs/RJ1/people?q={long}"))
            .await?
            .status,
        StatusCode::BAD_REQUEST
    );
    Ok(())
}
