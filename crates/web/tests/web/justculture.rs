//! The just culture decision guide: a manager's walk, the record's words sealed for
//! employee relations leads, and the independent check before anything formal.

use crate::speakup::{sign_in_guardian, speak_up_on};
use crate::support::{TestApp, TestResult};
use axum::http::StatusCode;
use dignity_domain::identity::Role;
use dignity_domain::justculture::{CheckState, Route};
use dignity_store::justculture as store;

dignity_store::on_both_backends!(
    crate::support::run;
    a_formal_decision_waits_for_an_independent_check,
    the_guide_names_every_gap_and_keeps_nothing_until_complete,
);

const INCIDENT: &str = "Gave the wrong dose of a drug on the night shift of 3 March.";
const NAME: &str = "Robin Quartermaine";

/// Every answer of a walk that reaches "a formal process": harm was meant.
fn formal_walk<'a>(decided: &'a str, step: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("person_name", NAME),
        ("employee_number", "00012345"),
        ("unit", ""),
        ("incident", INCIDENT),
        ("q-harm_intended", "yes"),
        (
            "reason-harm_intended",
            "Said so to two colleagues beforehand.",
        ),
        ("decided", decided),
        ("decision_reason", ""),
        ("step", step),
    ]
}

async fn a_formal_decision_waits_for_an_independent_check(app: &TestApp) -> TestResult {
    speak_up_on(app).await?;
    let manager = app.person("mo@trust.nhs.uk", Some(Role::Staff)).await?;
    app.person("erin@trust.nhs.uk", Some(Role::ErLead)).await?;
    app.person("ed@trust.nhs.uk", Some(Role::ErLead)).await?;
    // Signing in makes and unlocks each lead's case key, so records are sealed to them.
    let mut erin = sign_in_guardian(app, "erin@trust.nhs.uk").await?;
    let mut ed = sign_in_guardian(app, "ed@trust.nhs.uk").await?;
    let mut mo = app.signed_in_browser(&manager).await?;

    // The first step shows what the guide suggests and keeps nothing.
    let page = mo
        .post(
            "/orgs/RJ1/just-culture/guide",
            &formal_walk("", "recommend"),
        )
        .await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("What the guide suggests"),
        "{}",
        page.body
    );
    assert!(page.body.contains(Route::Formal.label()));
    assert!(
        store::list_guides(&app.db, app.org.id, None)
            .await?
            .is_empty()
    );

    let page = mo
        .post(
            "/orgs/RJ1/just-culture/guide",
            &formal_walk("formal", "record"),
        )
        .await?;
    assert!(
        page.status.is_redirection(),
        "{}: {}",
        page.status,
        page.body
    );
    let guides = store::list_guides(&app.db, app.org.id, None).await?;
    let [guide] = guides.as_slice() else {
        return Err(format!("one record, not {}", guides.len()).into());
    };
    assert_eq!(guide.check_state, CheckState::Waiting);
    assert_eq!(guide.recommended, Route::Formal);
    assert_eq!(guide.answers.0, [Some(true), None, None, None, None]);
    // The person is kept by the same digest as the workforce extracts; the number typed
    // with leading zeros is the one payroll exports without them.
    let secret = &app.state.app.secret;
    let expected = dignity_app::justculture::person_in_organisation(secret, app.org.id, "12345");
    assert_eq!(guide.person_digest.as_deref(), Some(expected.as_str()));
    // Another trust's record of the same number would not share it.
    let elsewhere =
        dignity_app::justculture::person_in_organisation(secret, app.other_org.id, "12345");
    assert_ne!(guide.person_digest.as_deref(), Some(elsewhere.as_str()));
    // Words are padded, so the record's length says only roughly how much was written.
    assert!(guide.record.len() >= 4_096, "{}", guide.record.len());
    let path = format!("/orgs/RJ1/just-culture/guides/{}", guide.id);

    // The manager sees the decision and that it waits, never the words again.
    let page = mo.get(&path).await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Waiting for a check"), "{}", page.body);
    assert!(!page.body.contains(NAME) && !page.body.contains("wrong dose"));
    // Nor can they check it themselves.
    let page = mo
        .post(
            &format!("{path}/check"),
            &[("agreed", "yes"), ("check_reason", "Mine")],
        )
        .await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    // Their home page says one record waits for a check.
    let home = erin.get("/home").await?;
    assert!(
        home.body
            .contains("1 decision guide record waits for a check"),
        "{}",
        home.body
    );

    // A lead whose case key came after the record cannot read it, so cannot check it.
    app.person("nell@trust.nhs.uk", Some(Role::ErLead)).await?;
    let mut nell = sign_in_guardian(app, "nell@trust.nhs.uk").await?;
    let page = nell.get(&path).await?;
    assert!(
        page.body.contains("Not shared with you yet"),
        "{}",
        page.body
    );
    assert!(!page.body.contains(INCIDENT) && !page.body.contains("Your independent check"));
    let page = nell
        .post(
            &format!("{path}/check"),
            &[("agreed", "yes"), ("check_reason", "Not read")],
        )
        .await?;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    assert!(page.body.contains("cannot check a record you cannot read"));

    // An employee relations lead reads the words, audited, and checks it.
    let page = erin.get(&path).await?;
    assert!(
        page.body.contains(NAME) && page.body.contains(INCIDENT),
        "{}",
        page.body
    );
    assert!(page.body.contains("Your independent check"));
    let page = erin
        .post(&format!("{path}/check"), &[("check_reason", "Read it all")])
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Choose whether you agree"));
    let page = erin
        .post(
            &format!("{path}/check"),
            &[("agreed", "yes"), ("check_reason", " ")],
        )
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Give a reason for your check"));
    let page = erin
        .post(
            &format!("{path}/check"),
            &[
                ("agreed", "yes"),
                ("check_reason", "Intent is clear from two witnesses."),
            ],
        )
        .await?;
    assert!(
        page.status.is_redirection(),
        "{}: {}",
        page.status,
        page.body
    );
    let checked = store::guide_in_organisation(&app.db, app.org.id, guide.id).await?;
    let home = erin.get("/home").await?;
    assert!(
        home.body
            .contains("No decision guide records wait for a check")
    );
    assert_eq!(checked.check_state, CheckState::Agreed);
    assert!(dignity_domain::justculture::formal_may_start(
        checked.check_state
    ));

    // A second lead checking a moment later is told, and nothing of theirs is kept.
    let page = ed
        .post(
            &format!("{path}/check"),
            &[("agreed", "no"), ("check_reason", "I disagree.")],
        )
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("already been checked"), "{}", page.body);
    let page = ed.get(&path).await?;
    assert!(page.body.contains("Intent is clear from two witnesses."));
    assert!(page.body.contains("Agreed, by"), "{}", page.body);

    // The later lead reads it once a colleague shares it.
    let list = erin.get("/orgs/RJ1/just-culture").await?;
    assert!(
        list.body
            .contains("Colleagues who cannot read some records or cases yet")
    );
    let page = erin.post("/orgs/RJ1/just-culture/share", &[]).await?;
    assert!(
        page.status.is_redirection(),
        "{}: {}",
        page.status,
        page.body
    );
    let page = nell.get(&path).await?;
    assert!(page.body.contains(INCIDENT), "{}", page.body);
    let list = erin.get("/orgs/RJ1/just-culture").await?;
    assert!(
        !list
            .body
            .contains("Colleagues who cannot read some records or cases yet")
    );

    // Every read of the words and the check are in the audit log; the words are not.
    let log = dignity_store::audit::list_for_organisation(&app.db, "RJ1", None, 1_000).await?;
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    for wanted in [
        "justculture.guide_recorded",
        "justculture.guide_read",
        "justculture.guide_checked",
        "justculture.shared",
    ] {
        assert!(actions.contains(&wanted), "{wanted} in {actions:?}");
    }
    assert!(
        log.iter()
            .all(|e| !e.detail.contains(NAME) && !e.detail.contains("dose"))
    );

    // A stolen copy of the database holds neither the name nor what happened.
    let dump = crate::support::everything_stored(app).await?;
    for secret in [NAME, "wrong dose", "two witnesses", "00012345"] {
        assert!(!dump.contains(secret), "{secret} is stored in the clear");
    }

    // Another organisation's lead, and a staff member who did not start it, reach nothing.
    let other = app
        .person_in("olga@other.nhs.uk", Some(Role::ErLead), &app.other_org)
        .await?;
    let mut olga = app.signed_in_browser(&other).await?;
    assert_eq!(olga.get(&path).await?.status, StatusCode::FORBIDDEN);
    let bystander = app.person("bea@trust.nhs.uk", Some(Role::Staff)).await?;
    let mut bea = app.signed_in_browser(&bystander).await?;
    assert_eq!(bea.get(&path).await?.status, StatusCode::FORBIDDEN);
    let list = bea.get("/orgs/RJ1/just-culture").await?;
    assert!(!list.body.contains(&format!("Record {}", guide.id)));
    Ok(())
}

async fn the_guide_names_every_gap_and_keeps_nothing_until_complete(app: &TestApp) -> TestResult {
    let manager = app.person("mo@trust.nhs.uk", Some(Role::Staff)).await?;
    let mut mo = app.signed_in_browser(&manager).await?;
    // Without a recovery key nothing could be recovered, so the guide says it is not ready
    // before anyone types, and keeps nothing.
    let page = mo.get("/orgs/RJ1/just-culture/guide").await?;
    assert!(page.body.contains("Not ready yet"), "{}", page.body);
    assert!(!page.body.contains("See what the guide suggests"));
    let page = mo
        .post(
            "/orgs/RJ1/just-culture/guide",
            &formal_walk("formal", "record"),
        )
        .await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Not ready yet"));
    assert!(
        store::list_guides(&app.db, app.org.id, None)
            .await?
            .is_empty()
    );
    let recovery = speak_up_on(app).await?;
    let page = mo
        .post(
            "/orgs/RJ1/just-culture/guide",
            &[
                ("q-harm_intended", "no"),
                ("reason-harm_intended", "An honest mistake."),
                ("q-ill_health", "maybe"),
                ("step", "recommend"),
            ],
        )
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Choose yes or no"), "{}", page.body);
    assert!(page.body.contains("href=\"#reason-ill_health\""));

    // No knowing breach of a workable rule: the guide points at the system, and a
    // manager who still wants something formal must say why.
    let walk = [
        ("person_name", NAME),
        ("employee_number", "1.2E+07"),
        ("incident", INCIDENT),
        ("q-harm_intended", "no"),
        ("reason-harm_intended", "An honest mistake."),
        ("q-ill_health", "no"),
        ("reason-ill_health", "Well that week."),
        ("q-foresight", "no"),
        ("reason-foresight", "The chart layout changed that month."),
        ("decided", "formal"),
        ("step", "record"),
    ];
    let page = mo.post("/orgs/RJ1/just-culture/guide", &walk).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains(Route::SystemFix.label()),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("Say why you chose differently from the guide")
    );
    assert!(
        page.body
            .contains("Excel has turned it into a rounded number")
    );
    // What was typed comes back, so nothing is lost.
    assert!(page.body.contains("The chart layout changed that month."));
    assert!(
        store::list_guides(&app.db, app.org.id, None)
            .await?
            .is_empty()
    );

    let mut fixed = walk.to_vec();
    fixed.retain(|(k, _)| *k != "employee_number");
    fixed.push(("decision_reason", "Second time this month."));
    let page = mo.post("/orgs/RJ1/just-culture/guide", &fixed).await?;
    assert!(
        page.status.is_redirection(),
        "{}: {}",
        page.status,
        page.body
    );
    let guides = store::list_guides(&app.db, app.org.id, None).await?;
    assert_eq!(guides.len(), 1);
    assert_eq!(guides[0].recommended, Route::SystemFix);
    assert_eq!(guides[0].decided, Route::Formal);
    assert_eq!(guides[0].person_digest, None);

    // No lead had a case key when it was kept, so only the recovery key opens it: the
    // operator's recovery gives a lead access, audited.
    let person = app.person("lee@trust.nhs.uk", Some(Role::ErLead)).await?;
    let mut lee = sign_in_guardian(app, "lee@trust.nhs.uk").await?;
    let path = format!("/orgs/RJ1/just-culture/guides/{}", guides[0].id);
    assert!(
        lee.get(&path)
            .await?
            .body
            .contains("Not shared with you yet")
    );
    let operator =
        dignity_app::admin::Operator::new(app.db.clone(), dignity_app::Clock::system(), "cli");
    let recovered = operator
        .recover_guide_records(&app.org, &person, &recovery)
        .await?;
    assert_eq!(recovered, 1);
    let page = lee.get(&path).await?;
    assert!(page.body.contains(INCIDENT), "{}", page.body);
    let again = operator
        .recover_guide_records(&app.org, &person, &recovery)
        .await?;
    assert_eq!(again, 0, "nothing twice");
    Ok(())
}
