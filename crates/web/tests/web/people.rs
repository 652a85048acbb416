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
    leavers_in_the_workforce_extract_lose_access_on_their_day,
    the_last_administrators_whose_accounts_are_on_stay_even_when_racing,
    one_organisation_does_not_sign_out_anothers_people,
    a_sensitive_role_ends_sessions_without_the_second_step,
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

    // Someone with an account and no role anywhere joins by their address.
    let new = app.person_in("new@trust.nhs.uk", None, &app.org).await?;
    let added = browser
        .post(
            "/orgs/RJ1/people",
            &[
                ("email", "NEW@trust.nhs.uk "),
                ("role", "staff"),
                ("reason", "New starter"),
            ],
        )
        .await?;
    assert!(
        added.redirects_to(&format!("/orgs/RJ1/people/{}?done=given", new.id)),
        "{added:?}"
    );
    // Another organisation's people are for a platform administrator to add, and the
    // answer is the same as for an address with no account, so the form does not say
    // who has one elsewhere.
    app.person_in("bob@other.nhs.uk", Some(Role::Executive), &app.other_org)
        .await?;
    let mut answers = Vec::new();
    for email in ["bob@other.nhs.uk", "nobody@trust.nhs.uk"] {
        let refused = browser
            .post(
                "/orgs/RJ1/people",
                &[("email", email), ("role", "staff"), ("reason", "Joining")],
            )
            .await?;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        answers.push(crate::support::error_summary(&refused.body).to_owned());
    }
    assert!(
        answers[0].contains("We could not find an account with that address that you can add here"),
        "{answers:?}"
    );
    assert_eq!(answers[0], answers[1]);

    // A reason left out of the form altogether is a problem with the form, not a dead end.
    let missing = browser
        .post(&format!("{path}/roles"), &[("role", "executive")])
        .await?;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("href=\"#give-reason\""));

    // Taking away someone's last role here sends the administrator back to the list,
    // where the person no longer is.
    let last = browser
        .post(
            &format!("/orgs/RJ1/people/{}/roles/remove", new.id),
            &[("held", "staff@org:RJ1"), ("reason", "Did not start")],
        )
        .await?;
    assert!(
        last.redirects_to("/orgs/RJ1/people?done=taken-last"),
        "{last:?}"
    );
    let list = browser.get("/orgs/RJ1/people?done=taken-last").await?;
    assert!(list.body.contains("no longer on this list"));
    assert!(!list.body.contains("new@trust.nhs.uk"));

    // A form's address opened as a link: an NHS page saying so.
    let wrong = browser.get(&format!("{path}/roles")).await?;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        wrong.body.contains("cannot be opened that way"),
        "{}",
        wrong.body
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
    // Too long: the list again, with the problem by the search box.
    let long = "a".repeat(201);
    let too_long = browser.get(&format!("/orgs/RJ1/people?q={long}")).await?;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_long.body.contains("href=\"#q\""));
    // Past the last page: says so, and how many there are.
    let past = browser.get("/orgs/RJ1/people?q=trust&page=9").await?;
    assert!(
        past.body.contains("page 9 is past the end"),
        "{}",
        past.body
    );
    Ok(())
}

/// Noon on `day`, as a fixed clock.
fn noon(day: &str) -> Result<dignity_app::Clock, Box<dyn std::error::Error>> {
    let day = dignity_domain::speakup::Day::parse(day)?;
    let since = day.days_since(dignity_domain::speakup::Day::from_unix_seconds(0));
    Ok(dignity_app::Clock::fixed(since * 86_400 + 43_200))
}

/// Imports RJ1's staff in post as at `as_at`, on the day `on`, from `(address, leaving
/// date)` lines.
async fn staff_with_addresses(
    app: &TestApp,
    as_at: &str,
    on: &str,
    people: &[(&str, &str)],
) -> Result<dignity_app::workforce::Imported, Box<dyn std::error::Error>> {
    let mut lines = vec![
        "Employee Number,Organisation,Staff Group,Pay Band,Ethnic Origin,Disability Flag,Email Address,Termination Date"
            .to_owned(),
    ];
    for (n, (email, leaves)) in people.iter().enumerate() {
        lines.push(format!(
            "{},Surgery,Nursing and Midwifery Registered,Band 5,A,N,{email},{leaves}",
            60_000_000 + n
        ));
    }
    let operator = dignity_app::admin::Operator::new(app.db.clone(), noon(on)?, "cli");
    Ok(dignity_app::workforce::import(
        &operator,
        &app.state.app.secret,
        &dignity_domain::identity::OdsCode::parse("RJ1")?,
        dignity_app::workforce::Kind::Staff,
        dignity_domain::speakup::Day::parse(as_at)?,
        lines.join("\n").as_bytes(),
        &mut |_| {},
    )
    .await
    .map_err(|e| e.to_string())?)
}

async fn leavers_in_the_workforce_extract_lose_access_on_their_day(app: &TestApp) -> TestResult {
    identity::create_org_unit(
        &app.db,
        "cli",
        1,
        &app.org,
        None,
        dignity_domain::identity::OrgUnitKind::Division,
        &dignity_domain::identity::Name::parse("Surgery", "name")?,
    )
    .await?;
    let ann = app.person("ann@trust.nhs.uk", Some(Role::Staff)).await?;
    let bob = app.person("bob@trust.nhs.uk", Some(Role::Guardian)).await?;
    identity::grant_role(&app.db, "test", 1, &bob, Role::Staff, Some(&app.other_org)).await?;
    let cy = app.person("cy@trust.nhs.uk", Some(Role::Staff)).await?;
    let dee = app.person("dee@trust.nhs.uk", Some(Role::Staff)).await?;
    let ada = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut ann_browser = app.signed_in_browser(&ann).await?;
    let mut bob_browser = app.signed_in_browser(&bob).await?;

    // A wrong address stops the whole import, saying where.
    let refused = staff_with_addresses(
        app,
        "2026-11-30",
        "2026-11-30",
        &[("ann@trust.nhs.uk", "28/11/2026"), ("not an address", "")],
    )
    .await;
    let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("not a plain email address"), "{message}");
    assert_eq!(roles_of(app, ann.id).await?, vec!["staff@RJ1"]);

    let imported = staff_with_addresses(
        app,
        "2026-11-30",
        "2026-11-30",
        &[
            ("ann@trust.nhs.uk", "28/11/2026"),
            ("BOB@trust.nhs.uk", "30/11/2026"),
            ("cy@trust.nhs.uk", "15/12/2026"),
            ("dee@trust.nhs.uk", "20/12/2026"),
            ("", ""),
            ("nobody@trust.nhs.uk", "01/11/2026"),
            ("ada@trust.nhs.uk", "29/11/2026"),
        ],
    )
    .await?;
    assert_eq!(imported.leavers.ended, 3);
    // Ada was RJ1's only administrator: she goes (her access ends the day she leaves),
    // and whoever imported the file, and the log, are told plainly.
    assert!(roles_of(app, ada.id).await?.is_empty());
    assert!(imported.leavers.no_administrator_left);
    assert_eq!(imported.leavers.kept_for_later, 2);
    // Left: roles here gone, signed out; Ann's account is off, Bob keeps RJ2's role.
    assert!(roles_of(app, ann.id).await?.is_empty());
    assert!(identity::get_person(&app.db, ann.id).await?.disabled);
    assert_eq!(roles_of(app, bob.id).await?, vec!["staff@RJ2"]);
    assert!(!identity::get_person(&app.db, bob.id).await?.disabled);
    for browser in [&mut ann_browser, &mut bob_browser] {
        assert!(browser.get("/home").await?.redirects_to("/sign-in"));
    }
    assert_eq!(roles_of(app, cy.id).await?, vec!["staff@RJ1"]);

    // A later extract lists Dee staying: her leaving day is called off.
    let later = staff_with_addresses(
        app,
        "2026-12-01",
        "2026-12-01",
        &[("cy@trust.nhs.uk", "15/12/2026"), ("dee@trust.nhs.uk", "")],
    )
    .await?;
    assert_eq!(later.leavers.called_off, 1);
    assert_eq!(later.leavers.kept_for_later, 1, "Cy, still leaving");

    // The server's housekeeping on the day before Cy leaves changes nothing; on the day, it
    // ends Cy's access and drops the key her session had unlocked.
    let mut cy_browser = app.signed_in_browser(&cy).await?;
    let (digest,): (String,) =
        sqlx::query_as("SELECT token_digest FROM sessions WHERE person_id = $1")
            .bind(cy.id)
            .fetch_one(app.db.pool())
            .await?;
    let mut ctx = app.state.app.clone();
    ctx.keys.insert(
        &digest,
        dignity_crypto::speakup::SecretKey::generate(),
        i64::MAX,
        0,
    );
    ctx.clock = noon("2026-12-14")?;
    assert_eq!(dignity_app::identity::leavers::end_due(&ctx).await?, 0);
    assert_eq!(roles_of(app, cy.id).await?, vec!["staff@RJ1"]);
    ctx.clock = noon("2026-12-15")?;
    assert_eq!(dignity_app::identity::leavers::end_due(&ctx).await?, 1);
    assert!(roles_of(app, cy.id).await?.is_empty());
    assert!(ctx.keys.get(&digest, 1).is_none());
    assert!(cy_browser.get("/home").await?.redirects_to("/sign-in"));
    ctx.clock = noon("2026-12-21")?;
    assert_eq!(
        dignity_app::identity::leavers::end_due(&ctx).await?,
        0,
        "Dee stays"
    );
    assert_eq!(roles_of(app, dee.id).await?, vec!["staff@RJ1"]);

    let log = dignity_store::audit::list_for_organisation(&app.db, "RJ1", None, 1_000).await?;
    let left: Vec<&str> = log
        .iter()
        .filter(|e| e.action == "person.left")
        .map(|e| e.detail.as_str())
        .collect();
    assert_eq!(left.len(), 4, "{left:?}");
    assert!(
        left.iter().any(|d| d.starts_with("ada@trust.nhs.uk")
            && d.contains("no administrator whose account is on")),
        "{left:?}"
    );
    assert!(
        left.iter().any(|d| d
            .starts_with("cy@trust.nhs.uk left: their leaving day, 15 December 2026, has come")),
        "{left:?}"
    );
    // Once done, no leaving day is kept: nothing links an account to the extract.
    let kept: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM leaving_accounts")
        .fetch_one(app.db.pool())
        .await?;
    assert_eq!(kept.0, 0);
    Ok(())
}

async fn the_last_administrators_whose_accounts_are_on_stay_even_when_racing(
    app: &TestApp,
) -> TestResult {
    use dignity_store::roles;
    let pat = app
        .person("pat@dignity.nhs.uk", Some(Role::PlatformAdmin))
        .await?;
    let pam = app
        .person("pam@dignity.nhs.uk", Some(Role::PlatformAdmin))
        .await?;
    // Each turns the other off at the same moment: one goes through, one is refused.
    let (a, b) = tokio::join!(
        roles::set_account_on(&app.db, "pat", 2, &pam, false, "race"),
        roles::set_account_on(&app.db, "pam", 2, &pat, false, "race"),
    );
    assert!(a.is_ok() != b.is_ok(), "{a:?} {b:?}");
    let on: (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM platform_roles r JOIN people p ON p.id = r.person_id WHERE p.disabled = 0",
    )
    .fetch_one(app.db.pool())
    .await?;
    assert_eq!(on.0, 1);

    // The same for two platform administrators taking the role from each other.
    let (left_on, off) = if a.is_ok() {
        (&pat, &pam)
    } else {
        (&pam, &pat)
    };
    roles::set_account_on(&app.db, "cli", 3, off, true, "back").await?;
    let take = |person| roles::Change {
        person,
        role: Role::PlatformAdmin,
        place: roles::Place::Installation,
        reason: Some("race"),
    };
    let (first, second) = (take(left_on), take(off));
    let (a, b) = tokio::join!(
        roles::revoke(&app.db, "x", 4, &first, &[]),
        roles::revoke(&app.db, "y", 4, &second, &[]),
    );
    assert!(a.is_ok() != b.is_ok(), "{a:?} {b:?}");

    // An organisation's: with one of two administrators turned off, the other keeps the
    // role and stays on.
    let ada = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let otto = app
        .person("otto@trust.nhs.uk", Some(Role::OrgAdmin))
        .await?;
    let platform = if a.is_ok() { off } else { left_on };
    let mut browser = app.signed_in_browser(platform).await?;
    let turned_off = browser
        .post(
            &format!("/admin/people/{}/account", otto.id),
            &[("on", "no"), ("reason", "Suspended")],
        )
        .await?;
    assert!(turned_off.redirects_to(&format!("/admin/people/{}?done=turned-off", otto.id)));
    let log = dignity_store::audit::list_for_organisation(&app.db, "RJ1", None, 1_000).await?;
    assert!(
        log.iter()
            .any(|e| e.action == "person.disable" && e.detail.contains("otto@trust.nhs.uk")),
        "the organisation's own log says why its administrator went"
    );
    let removed = browser
        .post(
            &format!("/admin/people/{}/roles/remove", ada.id),
            &[("held", "org_admin@org:RJ1"), ("reason", "Leaving")],
        )
        .await?;
    assert_eq!(removed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        removed.body.contains("whose account is on"),
        "{}",
        removed.body
    );
    let off_too = browser
        .post(
            &format!("/admin/people/{}/account", ada.id),
            &[("on", "no"), ("reason", "Leaving")],
        )
        .await?;
    assert_eq!(off_too.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!identity::get_person(&app.db, ada.id).await?.disabled);
    Ok(())
}

async fn one_organisation_does_not_sign_out_anothers_people(app: &TestApp) -> TestResult {
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let uma = app
        .person("uma@union.org.uk", Some(Role::UnionPartner))
        .await?;
    identity::grant_role(
        &app.db,
        "test",
        1,
        &uma,
        Role::UnionPartner,
        Some(&app.other_org),
    )
    .await?;
    let mut uma_browser = app.signed_in_browser(&uma).await?;
    let mut browser = app.signed_in_browser(&admin).await?;
    let refused = browser
        .post(
            &format!("/orgs/RJ1/people/{}/sessions/end", uma.id),
            &[("reason", "Annoyed")],
        )
        .await?;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("only a platform administrator can sign them out")
    );
    assert_eq!(uma_browser.get("/home").await?.status, StatusCode::OK);
    Ok(())
}

async fn a_sensitive_role_ends_sessions_without_the_second_step(app: &TestApp) -> TestResult {
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let tom = app.person("tom@trust.nhs.uk", Some(Role::Staff)).await?;
    // Tom signed in with his passphrase only, as staff do.
    let mut tom_browser = app.browser();
    let signed_in = tom_browser
        .sign_in("tom@trust.nhs.uk", crate::support::PASSPHRASE)
        .await?;
    assert!(signed_in.redirects_to("/home"), "{signed_in:?}");
    let mut browser = app.signed_in_browser(&admin).await?;
    let given = browser
        .post(
            &format!("/orgs/RJ1/people/{}/roles", tom.id),
            &[
                ("role", "investigator"),
                ("reason", "Investigating a grievance"),
            ],
        )
        .await?;
    assert!(given.redirects_to(&format!("/orgs/RJ1/people/{}?done=given", tom.id)));
    // That cookie cannot go on to set up a second step of its own choosing: it must sign
    // in again with the passphrase first.
    let next = tom_browser.get("/home").await?;
    assert!(next.redirects_to("/sign-in"), "{next:?}");
    assert_eq!(
        tom_browser.get("/sign-in/two-factor/set-up").await?.status,
        StatusCode::SEE_OTHER
    );
    Ok(())
}
