//! Speak Up end to end: anonymous reporting, the guardian's casework, the follow-up
//! conversation, and the promises in docs/threat-model.md.

use crate::support::multipart;
use crate::support::{Browser, PASSPHRASE, Page, TestApp, TestResult, current_code};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use dignity_crypto::speakup::{SecretKey, public_key};
use dignity_domain::identity::Role;
use dignity_domain::speakup::Day;
use dignity_domain::speakup_returns::Quarter;
use dignity_store::identity::Person;
use dignity_store::speakup;

dignity_store::on_both_backends!(
    crate::support::run;
    a_concern_travels_from_reporter_to_guardian_and_back,
    wrong_receipt_codes_get_one_message_and_never_lock_the_case,
    a_reset_guardian_is_locked_out_until_a_colleague_reseals,
    tampered_entries_are_reported_not_shown,
    the_report_form_explains_its_mistakes,
    a_concern_sent_again_by_a_reload_makes_no_second_case,
    attached_files_are_cleaned_encrypted_and_downloadable,
    a_guardian_elsewhere_cannot_reach_a_case_by_its_number,
    two_guardians_closing_at_once_write_one_outcome,
    a_first_reply_tells_the_person_their_concern_was_read,
    a_name_typed_while_anonymous_is_never_kept,
);

dignity_store::on_both_backends!(
    crate::support::run_with [super::on_a_set_clock()];
    nothing_identifying_is_stored_and_content_is_ciphertext,
    returns_and_trends_show_counts_with_small_numbers_hidden,
    grievances_reach_employee_relations_and_move_through_stages,
    no_figure_moves_while_a_quarter_is_under_way,
    a_guardian_signs_off_the_return_and_marks_it_sent,
    only_guardians_sign_off_and_only_in_turn,
);

/// An app whose clock the test sets and moves on, instead of sleeping.
fn on_a_set_clock() -> dignity_web::Settings {
    let mut settings = crate::support::settings();
    settings.app.clock = dignity_app::Clock::fixed(dignity_app::clock::system_now());
    settings
}

/// Turns Speak Up on for RJ1 and returns the recovery key.
pub(crate) async fn speak_up_on(app: &TestApp) -> Result<SecretKey, Box<dyn std::error::Error>> {
    let recovery = SecretKey::generate();
    speakup::init(&app.db, "test", 1, &app.org, &public_key(&recovery), 2).await?;
    Ok(recovery)
}

/// A guardian signed in through the real forms, so their case key is made and unlocked.
pub(crate) async fn guardian(
    app: &TestApp,
    email: &str,
) -> Result<(Person, Browser), Box<dyn std::error::Error>> {
    let person = app.person(email, Some(Role::Guardian)).await?;
    let browser = sign_in_guardian(app, email).await?;
    Ok((person, browser))
}

pub(crate) async fn sign_in_guardian(
    app: &TestApp,
    email: &str,
) -> Result<Browser, Box<dyn std::error::Error>> {
    let mut browser = app.browser();
    let page = browser.sign_in(email, PASSPHRASE).await?;
    assert!(page.redirects_to("/sign-in/two-factor"), "{page:?}");
    // Each sign-in needs a code not used before: step forward a window when needed.
    let mut page = browser
        .post(
            "/sign-in/two-factor",
            &[("code", &current_code()?), ("next", "/home")],
        )
        .await?;
    if !page.redirects_to("/home") {
        let next = dignity_crypto::totp::code_at(
            crate::support::TOTP_SECRET,
            dignity_web::now() as u64 + 30,
        )?;
        page = browser
            .post("/sign-in/two-factor", &[("code", &next), ("next", "/home")])
            .await?;
    }
    assert!(page.redirects_to("/home"), "{page:?}");
    Ok(browser)
}

/// Sam Staff raises a confidential grievance about their rota, as a browser would.
pub(crate) async fn raise_grievance(app: &TestApp) -> Result<Page, Box<dyn std::error::Error>> {
    app.browser()
        .post(
            "/speak-up/RJ1",
            &[
                ("kind", "grievance"),
                ("identity", "confidential"),
                ("name", "Sam Staff"),
                ("what_happened", "My rota is changed without notice."),
                ("patient_safety", "no"),
            ],
        )
        .await
}

pub(crate) const WHAT: &str =
    "The night manager on ward 7 shouts at junior staff in front of patients.";

/// Sends an anonymous concern as a reporter's browser would, and returns the receipt code.
pub(crate) async fn report(
    app: &TestApp,
    what: &str,
) -> Result<(Browser, String), Box<dyn std::error::Error>> {
    let mut reporter = app.browser();
    let page = reporter.get("/speak-up/RJ1").await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let page = reporter
        .post(
            "/speak-up/RJ1",
            &[
                ("identity", "anonymous"),
                ("what_happened", what),
                ("patient_safety", "not_sure"),
                ("when_month", "10"),
                ("when_year", "2026"),
            ],
        )
        .await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let code = receipt_code(&page).ok_or("no receipt code on the page")?;
    Ok((reporter, code))
}

fn receipt_code(page: &Page) -> Option<String> {
    let start = page.body.find("class=\"dignity-receipt\">")? + "class=\"dignity-receipt\">".len();
    let end = page.body[start..].find('<')?;
    Some(page.body[start..start + end].to_owned())
}

pub(crate) async fn only_case_id(app: &TestApp) -> Result<i64, Box<dyn std::error::Error>> {
    let cases = speakup::list_cases(&app.db, app.org.id).await?;
    Ok(cases.first().ok_or("no case")?.id)
}

/// A walk through the pages found the person who spoke up still told "A guardian will
/// read your concern soon" after the guardian had replied.
async fn a_first_reply_tells_the_person_their_concern_was_read(app: &TestApp) -> TestResult {
    speak_up_on(app).await?;
    let (_, mut gina) = guardian(app, "gina@trust.nhs.uk").await?;
    let (mut reporter, code) = report(app, WHAT).await?;
    let id = only_case_id(app).await?;
    let page = gina.get(&format!("/orgs/RJ1/speak-up/{id}")).await?;
    assert!(
        page.body.contains(&format!("<title>Concern {id}")),
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!("<h1>Concern {id}</h1>")));
    // A new case can go straight to work, not only to "acknowledged".
    let page = gina.get(&format!("/orgs/RJ1/speak-up/{id}/status")).await?;
    for status in ["acknowledged", "in_progress", "referred"] {
        assert!(
            page.body.contains(&format!("value=\"{status}\"")),
            "{status}: {}",
            page.body
        );
    }
    assert!(
        gina.post(
            &format!("/orgs/RJ1/speak-up/{id}/message"),
            &[("text", "Thank you for telling us.")]
        )
        .await?
        .redirects_to("/orgs/RJ1/speak-up/")
    );
    let case = speakup::case_in_organisation(&app.db, app.org.id, id).await?;
    assert_eq!(
        case.status,
        dignity_domain::speakup::CaseStatus::Acknowledged
    );
    assert!(case.acknowledged_on.is_some());
    let page = reporter
        .post("/speak-up/follow-up", &[("code", &code)])
        .await?;
    assert!(
        page.body.contains("A guardian has read your concern."),
        "{}",
        page.body
    );
    assert!(!page.body.contains("will read your concern soon"));
    Ok(())
}

async fn a_concern_travels_from_reporter_to_guardian_and_back(app: &TestApp) -> TestResult {
    speak_up_on(app).await?;
    let (_, mut gina) = guardian(app, "gina@trust.nhs.uk").await?;
    let (mut reporter, code) = report(app, WHAT).await?;
    assert_eq!(code.len(), 29);
    assert_eq!(
        reporter.cookies.keys().collect::<Vec<_>>(),
        ["dignity_csrf"],
        "the only cookie is the CSRF token"
    );

    // The receipt downloads as a text file.
    let page = reporter
        .post("/speak-up/receipt", &[("code", &code)])
        .await?;
    assert!(
        page.headers
            .get(header::CONTENT_DISPOSITION)
            .is_some_and(|v| v.to_str().unwrap_or_default().contains("attachment"))
    );
    assert!(page.body.contains(&code));

    // The guardian sees it, reads it, and writes back.
    let page = gina.get("/orgs/RJ1/speak-up").await?;
    let id = only_case_id(app).await?;
    // One name for a case: the list says "Concern 1", as the case's own page does.
    assert!(
        page.body.contains(&format!(">Concern {id}</a>")),
        "{}",
        page.body
    );
    // Dates read as people write them ("4 December 2026"), never as stored (issue 16).
    let listed = speakup::case_in_organisation(&app.db, app.org.id, id).await?;
    for day in [listed.received_on, listed.acknowledge_by] {
        assert!(page.body.contains(&day.long()), "{day}: {}", page.body);
        assert!(
            !page.body.contains(&day.to_string()),
            "{day}: {}",
            page.body
        );
    }
    let page = gina.get(&format!("/orgs/RJ1/speak-up/{id}")).await?;
    assert_eq!(page.status, StatusCode::OK);
    // The month it happened, in words.
    assert!(page.body.contains("October 2026"), "{}", page.body);
    assert!(!page.body.contains("2026-10"), "{}", page.body);
    assert!(
        page.body.contains("The night manager on ward 7"),
        "{}",
        page.body
    );
    let reads: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'speakup.case_read'")
            .fetch_one(app.db.pool())
            .await?;
    assert_eq!(reads, 1, "every read is audited");
    assert!(
        gina.post(
            &format!("/orgs/RJ1/speak-up/{id}/status"),
            &[("status", "acknowledged")]
        )
        .await?
        .redirects_to("/orgs/RJ1/speak-up/")
    );
    assert!(
        gina.post(
            &format!("/orgs/RJ1/speak-up/{id}/message"),
            &[("text", "Thank you. Which shifts does this happen on?")]
        )
        .await?
        .redirects_to("/orgs/RJ1/speak-up/")
    );
    assert!(
        gina.post(
            &format!("/orgs/RJ1/speak-up/{id}/note"),
            &[("text", "Guardian-only note")]
        )
        .await?
        .redirects_to("/orgs/RJ1/speak-up/")
    );

    // The reporter reads the reply with the code, and answers.
    let page = reporter
        .post("/speak-up/follow-up", &[("code", &code.to_lowercase())])
        .await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Which shifts does this happen on?"));
    assert!(page.body.contains("A guardian has read your concern."));
    assert!(
        !page.body.contains("Guardian-only note"),
        "notes stay with the guardians"
    );
    let page = reporter
        .post(
            "/speak-up/follow-up/reply",
            &[("code", &code), ("message", "Mostly weekend nights.")],
        )
        .await?;
    // Sent, then redirected: reloading the page cannot send the message again.
    assert!(page.redirects_to("/speak-up/follow-up?sent=message"));
    let page = reporter.get("/speak-up/follow-up?sent=message").await?;
    assert!(page.body.contains("Your message has been sent"));
    assert!(
        !page.body.contains(&code),
        "the code is never in the page or address"
    );

    // The guardian records, closes; the reporter sees the outcome and gives feedback.
    let page = gina.get(&format!("/orgs/RJ1/speak-up/{id}")).await?;
    assert!(page.body.contains("Mostly weekend nights."));
    let record = "csrf_token=".to_owned()
        + &gina.csrf().await?
        + "&elements=bullying&elements=behaviour&group=Doctors";
    assert!(
        gina.post_raw(&format!("/orgs/RJ1/speak-up/{id}/record"), &record)
            .await?
            .redirects_to("/orgs/RJ1/speak-up/")
    );
    assert!(
        gina.post(
            &format!("/orgs/RJ1/speak-up/{id}/close"),
            &[(
                "text",
                "The manager has had training and is being supported to change."
            )]
        )
        .await?
        .redirects_to("/orgs/RJ1/speak-up/")
    );
    let page = reporter
        .post("/speak-up/follow-up", &[("code", &code)])
        .await?;
    assert!(page.body.contains("The manager has had training"));
    assert!(page.body.contains("would you speak up again?"));
    let page = reporter
        .post(
            "/speak-up/follow-up/feedback",
            &[
                ("code", &code),
                ("answer", "yes"),
                ("comment", "I felt listened to."),
            ],
        )
        .await?;
    assert!(page.redirects_to("/speak-up/follow-up?sent=feedback"));
    let page = reporter.get("/speak-up/follow-up?sent=feedback").await?;
    assert!(page.body.contains("Thank you for your feedback"));
    let case = speakup::case_in_organisation(&app.db, app.org.id, id).await?;
    assert_eq!(case.feedback.map(|f| f.code()), Some("yes"));
    assert_eq!(case.elements.len(), 2);
    assert_eq!(case.professional_group.as_deref(), Some("Doctors"));
    assert!(case.detriment_check_due.is_some());
    assert!(
        gina.post(
            &format!("/orgs/RJ1/speak-up/{id}/detriment"),
            &[("found", "no")]
        )
        .await?
        .redirects_to("/orgs/RJ1/speak-up/")
    );
    Ok(())
}

async fn nothing_identifying_is_stored_and_content_is_ciphertext(app: &TestApp) -> TestResult {
    speak_up_on(app).await?;
    guardian(app, "gina@trust.nhs.uk").await?;
    let mut reporter = app.browser();
    reporter.peer = "203.0.113.77:4444".parse().ok();
    reporter.get("/speak-up/RJ1").await?;
    let token = reporter.csrf().await?;
    // Times are kept to the second: move the clock past the set-up's second, so that any
    // time of the submission's second can only be the submission's.
    let clock = &app.state.app.clock;
    clock.advance(2);
    let sent_from = clock.now();
    let body = crate::support::encode(&[
        ("csrf_token", &token),
        ("identity", "confidential"),
        ("name", "Ruth Reporter"),
        ("what_happened", WHAT),
        ("patient_safety", "yes"),
    ]);
    let page = reporter
        .send(
            Request::post("/speak-up/RJ1")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::USER_AGENT, "DignityTestAgent/9.9")
                .header(
                    header::REFERER,
                    "https://intranet.example.nhs.uk/staff/ruth",
                )
                .header("x-forwarded-for", "198.51.100.23")
                .body(Body::from(body))?,
        )
        .await?;
    assert_eq!(page.status, StatusCode::OK);
    let sent_until = clock.now();
    let needles = [
        "203.0.113.77",
        "198.51.100.23",
        "DignityTestAgent",
        "intranet.example",
        "Ruth Reporter",
        "night manager",
    ];
    // Every text and binary value in every table.
    for table in dignity_store::transfer::table_names() {
        let rows = sqlx::query(&format!("SELECT * FROM {table}"))
            .fetch_all(app.db.pool())
            .await?;
        for row in &rows {
            use sqlx::{Column, Row};
            for column in row.columns() {
                let text = row
                    .try_get::<Option<String>, _>(column.ordinal())
                    .ok()
                    .flatten()
                    .or_else(|| {
                        row.try_get::<Option<Vec<u8>>, _>(column.ordinal())
                            .ok()
                            .flatten()
                            .map(|b| String::from_utf8_lossy(&b).into_owned())
                    })
                    .unwrap_or_default();
                for needle in needles {
                    assert!(
                        !text.contains(needle),
                        "{table}.{} holds {needle}",
                        column.name()
                    );
                }
                // No time of the submission, to the second, anywhere.
                if let Ok(Some(n)) = row.try_get::<Option<i64>, _>(column.ordinal()) {
                    assert!(
                        !(sent_from..=sent_until).contains(&n),
                        "{table}.{} holds the time of the anonymous submission",
                        column.name()
                    );
                }
            }
        }
    }
    // PostgreSQL: a dump, as a thief would take it, holds none of it either.
    if app.db.backend() == dignity_store::Backend::Postgres {
        let dump = std::process::Command::new("pg_dump")
            .arg("--dbname")
            .arg(app.test_db_url())
            .output()?;
        assert!(dump.status.success(), "pg_dump failed");
        let text = String::from_utf8_lossy(&dump.stdout);
        assert!(text.contains("CREATE TABLE public.cases"), "a real dump");
        for needle in needles {
            assert!(!text.contains(needle), "the dump holds {needle}");
        }
    }
    // The received date is a day, not a time.
    let received: String = sqlx::query_scalar("SELECT received_on FROM cases")
        .fetch_one(app.db.pool())
        .await?;
    assert_eq!(received.len(), 10, "{received}");
    // The anonymous routes are not counted in the metrics.
    let metrics = app.browser().get("/metrics").await?.body;
    assert!(!metrics.contains("route=\"/speak-up"), "{metrics}");

    // SQLite: the file on disk, as a thief would copy it, holds no plain text.
    if app.db.backend() == dignity_store::Backend::Sqlite {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(app.db.pool())
            .await?;
        let path = crate::support::sqlite_path(app).ok_or("no sqlite path")?;
        let copy = std::env::temp_dir().join(format!("dignity-copy-{}.db", std::process::id()));
        std::fs::copy(&path, &copy)?;
        let bytes = std::fs::read(&copy)?;
        let _ = std::fs::remove_file(&copy);
        let haystack = String::from_utf8_lossy(&bytes);
        assert!(
            haystack.contains("age-encryption.org"),
            "the copy holds age ciphertext"
        );
        for needle in needles {
            assert!(
                !haystack.contains(needle),
                "the database file holds {needle}"
            );
        }
    }
    Ok(())
}

async fn wrong_receipt_codes_get_one_message_and_never_lock_the_case(app: &TestApp) -> TestResult {
    speak_up_on(app).await?;
    let (mut reporter, code) = report(app, WHAT).await?;
    let lookup = &code[..9];
    let generic = "We could not find a concern with that code";
    for typed in [
        "nonsense",
        "0000-0000-0000-0000-0000-0000",
        &format!("{lookup}0000-0000-0000-0000"),
    ] {
        let page = reporter
            .post("/speak-up/follow-up", &[("code", typed)])
            .await?;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains(generic), "{typed}: {}", page.body);
    }
    for _ in 0..10 {
        reporter
            .post(
                "/speak-up/follow-up",
                &[("code", &format!("{lookup}0000-0000-0000-0000"))],
            )
            .await?;
    }
    // Wrong tries on this case never lock out the person holding the right code
    // (the flood of 1,000 is in speakup_limits).
    let page = reporter
        .post("/speak-up/follow-up", &[("code", &code)])
        .await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(WHAT), "{}", page.body);
    Ok(())
}

async fn a_reset_guardian_is_locked_out_until_a_colleague_reseals(app: &TestApp) -> TestResult {
    speak_up_on(app).await?;
    let (_, mut gina) = guardian(app, "gina@trust.nhs.uk").await?;
    let (hal, _) = guardian(app, "hal@trust.nhs.uk").await?;
    report(app, WHAT).await?;
    let id = only_case_id(app).await?;

    // Hal's passphrase is reset: his key and seals go. He signs in again and gets a new key.
    let hash = dignity_crypto::passphrase::hash(
        PASSPHRASE,
        dignity_crypto::passphrase::HashCost::FAST_FOR_TESTS,
    )?;
    dignity_store::identity::set_passphrase(&app.db, "test", 1, &hal, &hash).await?;
    let mut hal_browser = sign_in_guardian(app, "hal@trust.nhs.uk").await?;
    let page = hal_browser.get(&format!("/orgs/RJ1/speak-up/{id}")).await?;
    assert!(
        page.body.contains("You cannot read this case yet"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("night manager"));

    // Gina opens the case list: nothing is shared by that alone (issue 13), and nothing
    // is audited; the list tells her Hal is waiting.
    let reseals = |app: &TestApp| {
        let pool = app.db.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'speakup.reseal'",
            )
            .fetch_one(&pool)
            .await
        }
    };
    let hal_holder = speakup::person_holder(hal.id);
    let list = gina.get("/orgs/RJ1/speak-up").await?;
    assert!(
        list.body.contains("1 colleague cannot read past cases yet"),
        "{}",
        list.body
    );
    assert_eq!(speakup::seal_for(&app.db, id, &hal_holder).await?, None);
    assert_eq!(reseals(app).await?, 0);
    let page = hal_browser.get(&format!("/orgs/RJ1/speak-up/{id}")).await?;
    assert!(page.body.contains("You cannot read this case yet"));

    // Without the form's token the button does nothing.
    let forged = gina.post_raw("/orgs/RJ1/speak-up/past-cases", "").await?;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(speakup::seal_for(&app.db, id, &hal_holder).await?, None);

    // Gina decides to share: Hal can read again, and one audit entry says so.
    let done = gina.post("/orgs/RJ1/speak-up/past-cases", &[]).await?;
    assert_eq!(done.location.as_deref(), Some("/orgs/RJ1/speak-up"));
    assert_eq!(reseals(app).await?, 1);
    let page = hal_browser.get(&format!("/orgs/RJ1/speak-up/{id}")).await?;
    assert!(page.body.contains("night manager"), "{}", page.body);
    let list = gina.get("/orgs/RJ1/speak-up").await?;
    assert!(!list.body.contains("cannot read past cases"));
    Ok(())
}

async fn tampered_entries_are_reported_not_shown(app: &TestApp) -> TestResult {
    speak_up_on(app).await?;
    let (_, mut gina) = guardian(app, "gina@trust.nhs.uk").await?;
    let (mut reporter, code) = report(app, WHAT).await?;
    reporter
        .post(
            "/speak-up/follow-up/reply",
            &[("code", &code), ("message", "More detail here.")],
        )
        .await?;
    let id = only_case_id(app).await?;
    let entries = speakup::entries(&app.db, id).await?;
    let reply = entries.last().ok_or("no reply")?;
    let mut bent = reply.ciphertext.clone();
    let middle = bent.len() / 2;
    bent[middle] ^= 0x55;
    sqlx::query("UPDATE case_entries SET ciphertext = $1 WHERE id = $2")
        .bind(bent)
        .bind(reply.id)
        .execute(app.db.pool())
        .await?;
    let page = gina.get(&format!("/orgs/RJ1/speak-up/{id}")).await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("could not be opened because it appears to have been changed")
    );
    assert!(
        page.body.contains("night manager"),
        "the untouched report still shows"
    );
    let flagged: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'speakup.tampered'")
            .fetch_one(app.db.pool())
            .await?;
    assert_eq!(flagged, 1, "tampering is written to the audit log");
    let page = reporter
        .post("/speak-up/follow-up", &[("code", &code)])
        .await?;
    assert!(
        page.body
            .contains("could not be opened because it appears to have been changed")
    );
    Ok(())
}

/// Reloading the receipt page makes the browser send the same form again: it must make no
/// second case and no second receipt code (outside review, issue 16).
async fn a_concern_sent_again_by_a_reload_makes_no_second_case(app: &TestApp) -> TestResult {
    speak_up_on(app).await?;
    let mut reporter = app.browser();
    let form = reporter.get("/speak-up/RJ1").await?;
    let marker = "name=\"once\" value=\"";
    let start = form
        .body
        .find(marker)
        .ok_or("the form has a one-time mark")?
        + marker.len();
    let end = form.body[start..].find('"').ok_or("the mark ends")?;
    let once = form.body[start..start + end].to_owned();
    assert!(once.len() >= 20, "a random mark: {once}");
    let fields = [
        ("identity", "anonymous"),
        ("what_happened", "Shouted at during the handover again"),
        ("patient_safety", "not_sure"),
        ("once", once.as_str()),
    ];
    let sent = reporter.post("/speak-up/RJ1", &fields).await?;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(receipt_code(&sent).is_some());
    let again = reporter.post("/speak-up/RJ1", &fields).await?;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(again.body.contains("already been sent"), "{}", again.body);
    assert!(receipt_code(&again).is_none());
    assert_eq!(speakup::list_cases(&app.db, app.org.id).await?.len(), 1);
    // A new form (a new mark) sends a new concern.
    report(app, "A different concern about the rota").await?;
    assert_eq!(speakup::list_cases(&app.db, app.org.id).await?.len(), 2);
    Ok(())
}

async fn the_report_form_explains_its_mistakes(app: &TestApp) -> TestResult {
    let mut reporter = app.browser();
    assert_eq!(
        reporter.get("/speak-up/RJ1").await?.status,
        StatusCode::NOT_FOUND,
        "not set up yet"
    );
    speak_up_on(app).await?;
    let page = reporter
        .post(
            "/speak-up/RJ1",
            &[
                ("identity", "confidential"),
                ("when_month", "13"),
                ("when_year", "2026"),
                ("org_unit", "999"),
            ],
        )
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "Enter your name",
        "Tell us what happened",
        "Tell us whether patients could be at risk",
        "The date it happened must be a real month and year",
        "Choose a place from the list",
    ] {
        assert!(page.body.contains(message), "{message}");
    }
    assert!(
        page.body.contains(
            "value=\"confidential\" aria-describedby=\"identity-confidential-hint\" checked"
        ),
        "choices are kept"
    );
    assert_eq!(speakup::list_cases(&app.db, app.org.id).await?.len(), 0);
    let page = reporter.get("/speak-up").await?;
    assert!(page.body.contains("/speak-up/RJ1"));
    Ok(())
}

async fn returns_and_trends_show_counts_with_small_numbers_hidden(app: &TestApp) -> TestResult {
    speak_up_on(app).await?;
    let (_, mut gina) = guardian(app, "gina@trust.nhs.uk").await?;
    // Figures exist only for quarters that have ended.
    for i in 0..7 {
        report_in_last_quarter(
            app,
            &format!("Concern number {i} about rudeness at handover"),
        )
        .await?;
    }
    let ids: Vec<i64> = speakup::list_cases(&app.db, app.org.id)
        .await?
        .iter()
        .map(|c| c.id)
        .collect();
    let record = format!("csrf_token={}&elements=bullying", gina.csrf().await?);
    for id in &ids[..2] {
        assert!(
            gina.post_raw(&format!("/orgs/RJ1/speak-up/{id}/record"), &record)
                .await?
                .redirects_to("/orgs/RJ1/speak-up/")
        );
    }
    let quarter = Quarter::of(app.state.app.clock.today()).previous();

    // An executive sees counts, never content.
    let exec = app
        .person("ezra@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let mut board = app.signed_in_browser(&exec).await?;
    let page = board
        .get(&format!(
            "/api/v1/orgs/RJ1/speak-up/return?quarter={quarter}"
        ))
        .await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let figures: serde_json::Value = serde_json::from_str(&page.body)?;
    assert_eq!(figures["cases"], 7);
    assert_eq!(figures["anonymous"], 7);
    let count_of = |code: &str| {
        figures["elements"]
            .as_array()
            .and_then(|a| a.iter().find(|l| l["code"] == code))
            .map(|l| l["count"].clone())
    };
    assert_eq!(
        count_of("bullying"),
        Some(serde_json::json!("fewer than 6"))
    );
    assert_eq!(count_of("other"), Some(serde_json::json!(0)));

    let page = board
        .get(&format!("/orgs/RJ1/speak-up/return.csv?quarter={quarter}"))
        .await?;
    assert!(page.content_type.starts_with("text/csv"));
    assert!(
        page.body
            .starts_with("\"organisation\",\"quarter\",\"measure\",\"category\",\"count\"")
    );
    assert!(
        page.body
            .contains("\"element\",\"bullying\",\"fewer than 6\""),
        "{}",
        page.body
    );
    for n in 1..=5 {
        assert!(
            !page.body.contains(&format!(",\"{n}\"\r\n")),
            "a count of {n} leaked: {}",
            page.body
        );
    }
    let page = board.get("/orgs/RJ1/speak-up/return").await?;
    assert_eq!(page.status, StatusCode::OK);
    // It opens on the last quarter to end, and says so.
    assert!(
        page.body.contains("That is the last quarter to end"),
        "{}",
        page.body
    );
    let page = board.get("/orgs/RJ1/speak-up/trends").await?;
    assert!(page.body.contains("<svg class=\"dignity-chart\""));
    assert!(page.body.contains("Concerns received each quarter"));
    // Each table's first column says what its rows are: quarters, not "Group".
    assert!(page.body.contains("scope=\"col\">Quarter</th>"));
    assert!(page.body.contains("scope=\"col\">What it was about</th>"));
    assert!(!page.body.contains("scope=\"col\">Group</th>"));
    // Quarters are headed in words, never as keys like "2026-Q3" (issue 16).
    assert!(
        page.body
            .contains(&format!("scope=\"col\">{}</th>", quarter.short())),
        "{}",
        page.body
    );
    // A year and a quarter key ("2026-Q3"); random tokens on the page may hold "-Q".
    let keyed = page.body.as_bytes().windows(7).any(|w| {
        w[..4].iter().all(u8::is_ascii_digit) && &w[4..6] == b"-Q" && w[6].is_ascii_digit()
    });
    assert!(!keyed, "{}", page.body);
    assert!(
        !page.body.contains("rudeness"),
        "no content on the trends page"
    );
    assert_eq!(
        board
            .get(&format!("/orgs/RJ1/speak-up/{}", ids[0]))
            .await?
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        board
            .get("/api/v1/orgs/RJ1/speak-up/return?quarter=2026-Q9")
            .await?
            .status,
        StatusCode::BAD_REQUEST
    );

    // A national analyst sees every organisation's figures.
    let analyst = app
        .person("nia@trust.nhs.uk", Some(Role::NationalAnalyst))
        .await?;
    let mut national = app.signed_in_browser(&analyst).await?;
    let page = national
        .get(&format!("/api/v1/national/speak-up?quarter={quarter}"))
        .await?;
    let all: serde_json::Value = serde_json::from_str(&page.body)?;
    // Every number an analyst receives is a count; none may be small enough to point at
    // a person (counts of 1 to 5 are hidden).
    fn small_counts(value: &serde_json::Value, found: &mut Vec<u64>) {
        match value {
            serde_json::Value::Number(n) => {
                if let Some(n) = n.as_u64().filter(|n| (1..6).contains(n)) {
                    found.push(n);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| small_counts(v, found)),
            serde_json::Value::Object(map) => map.values().for_each(|v| small_counts(v, found)),
            _ => {}
        }
    }
    let mut small = Vec::new();
    small_counts(&all, &mut small);
    assert!(
        small.is_empty(),
        "small counts reached an analyst: {small:?}"
    );
    assert_eq!(all["organisations"][0]["ods_code"], "RJ1");
    assert_eq!(all["organisations"][0]["figures"]["cases"], 7);
    assert_eq!(all["all"]["cases"], 7);
    assert_eq!(
        national.get("/national/speak-up").await?.status,
        StatusCode::OK
    );
    Ok(())
}

/// What every page, download and API answer says of a quarter that has not ended.
const NOT_ENDED: &str = "Figures for a quarter appear once it has ended";

/// The attack from an outside review: an executive polling the figures saw the count of
/// concerns go up, and the anonymous count become "not shown", the second a confidential
/// concern was sent in the quarter under way. Nothing published may move with a
/// reporter's act, so the quarter under way has no figures anywhere until it ends.
async fn no_figure_moves_while_a_quarter_is_under_way(app: &TestApp) -> TestResult {
    speak_up_on(app).await?;
    for i in 0..7 {
        report_in_last_quarter(
            app,
            &format!("Concern number {i} about rudeness at handover"),
        )
        .await?;
    }
    let exec = app
        .person("ezra@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let mut board = app.signed_in_browser(&exec).await?;
    let analyst = app
        .person("nia@trust.nhs.uk", Some(Role::NationalAnalyst))
        .await?;
    let mut national = app.signed_in_browser(&analyst).await?;
    let today = app.state.app.clock.today();
    let (current, last) = (Quarter::of(today), Quarter::of(today).previous());

    let org_pages = [
        "/orgs/RJ1/speak-up/return".to_owned(),
        format!("/orgs/RJ1/speak-up/return?quarter={last}"),
        "/orgs/RJ1/speak-up/return.csv".to_owned(),
        "/orgs/RJ1/speak-up/trends".to_owned(),
        "/api/v1/orgs/RJ1/speak-up/return".to_owned(),
    ];
    let national_pages = [
        "/national/speak-up".to_owned(),
        "/national/speak-up.csv".to_owned(),
        "/api/v1/national/speak-up".to_owned(),
    ];
    async fn read(
        browser: &mut Browser,
        paths: &[String],
    ) -> Result<Vec<String>, Box<dyn std::error::Error>> {
        let mut bodies = Vec::new();
        for path in paths {
            let page = browser.get(path).await?;
            assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
            bodies.push(page.body);
        }
        Ok(bodies)
    }
    let before = (
        read(&mut board, &org_pages).await?,
        read(&mut national, &national_pages).await?,
    );
    let figures: serde_json::Value = serde_json::from_str(&before.0[4])?;
    assert_eq!(figures["cases"], 7, "{figures}");
    assert_eq!(figures["anonymous"], 7, "{figures}");
    // The pickers offer only quarters that have ended, and the trends end with the last.
    assert!(!before.0[0].contains(&format!("value=\"{current}\"")));
    assert!(before.0[0].contains(&format!("value=\"{last}\" selected")));
    assert!(!before.1[0].contains(&format!("value=\"{current}\"")));
    assert!(!before.0[3].contains(&current.months()), "{}", before.0[3]);
    assert!(before.0[3].contains(&last.months()), "{}", before.0[3]);

    // A concern sent now, a second later, changes nothing anyone can read.
    app.state.app.clock.advance(1);
    let mut reporter = app.browser();
    let page = reporter
        .post(
            "/speak-up/RJ1",
            &[
                ("identity", "confidential"),
                ("name", "Sam Staff"),
                (
                    "what_happened",
                    "Rudeness at handover again, and I can say who I am.",
                ),
                ("patient_safety", "not_sure"),
            ],
        )
        .await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(speakup::list_cases(&app.db, app.org.id).await?.len(), 8);
    let after = (
        read(&mut board, &org_pages).await?,
        read(&mut national, &national_pages).await?,
    );
    for (path, (was, is)) in org_pages.iter().chain(&national_pages).zip(
        before
            .0
            .iter()
            .chain(&before.1)
            .zip(after.0.iter().chain(&after.1)),
    ) {
        assert_eq!(
            was, is,
            "{path} moved with a concern sent in the quarter under way"
        );
    }

    // The quarter under way, and any to come, is refused everywhere, never computed.
    for quarter in [current.to_string(), "2100-Q4".to_owned()] {
        for (national_role, path) in [
            (false, "/orgs/RJ1/speak-up/return"),
            (false, "/orgs/RJ1/speak-up/return.csv"),
            (false, "/api/v1/orgs/RJ1/speak-up/return"),
            (true, "/national/speak-up"),
            (true, "/national/speak-up.csv"),
            (true, "/api/v1/national/speak-up"),
        ] {
            let browser = if national_role {
                &mut national
            } else {
                &mut board
            };
            let page = browser.get(&format!("{path}?quarter={quarter}")).await?;
            assert_eq!(
                page.status,
                StatusCode::NOT_FOUND,
                "{path}?quarter={quarter}"
            );
            assert!(page.body.contains(NOT_ENDED), "{path}: {}", page.body);
        }
    }
    Ok(())
}

async fn grievances_reach_employee_relations_and_move_through_stages(app: &TestApp) -> TestResult {
    speak_up_on(app).await?;
    let (_, mut gina) = guardian(app, "gina@trust.nhs.uk").await?;
    app.person("erin@trust.nhs.uk", Some(Role::ErLead)).await?;
    let mut erin = sign_in_guardian(app, "erin@trust.nhs.uk").await?;
    // Both sent in the last quarter to end, the newest with figures.
    let back = back_to_last_quarter(app)?;
    report(app, WHAT).await?;

    let mut staff = app.browser();
    let page = staff
        .post(
            "/speak-up/RJ1",
            &[
                ("kind", "grievance"),
                ("identity", "anonymous"),
                ("what_happened", "My rota is changed without notice."),
                ("patient_safety", "no"),
            ],
        )
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("A grievance needs your name"));
    let page = raise_grievance(app).await?;
    app.state.app.clock.advance(back);
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let cases = speakup::list_cases(&app.db, app.org.id).await?;
    let concern = cases
        .iter()
        .find(|c| c.case_type == dignity_domain::speakup::CaseType::Concern)
        .ok_or("no concern")?
        .id;
    let grievance = cases
        .iter()
        .find(|c| c.case_type == dignity_domain::speakup::CaseType::Grievance)
        .ok_or("no grievance")?;
    assert_eq!(
        grievance.stage,
        Some(dignity_domain::speakup::GrievanceStage::Informal)
    );
    assert!(grievance.stage_due.is_some());

    // Employee relations sees the grievance, not the concern.
    let page = erin.get("/orgs/RJ1/speak-up").await?;
    assert!(
        page.body.contains(&format!("Grievance {}", grievance.id)),
        "{}",
        page.body
    );
    assert!(!page.body.contains(&format!("Concern {concern}")));
    assert_eq!(
        erin.get(&format!("/orgs/RJ1/speak-up/{concern}"))
            .await?
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        erin.post(
            &format!("/orgs/RJ1/speak-up/{concern}/note"),
            &[("text", "x")]
        )
        .await?
        .status,
        StatusCode::FORBIDDEN
    );
    let page = erin
        .get(&format!("/orgs/RJ1/speak-up/{}", grievance.id))
        .await?;
    assert!(
        page.body.contains("My rota is changed without notice."),
        "{}",
        page.body
    );
    assert!(page.body.contains("Sam Staff"));

    // Stages move one way, with a new due date each time.
    let page = erin
        .post(
            &format!("/orgs/RJ1/speak-up/{}/stage", grievance.id),
            &[("stage", "appeal")],
        )
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("cannot move to that stage"));
    assert!(
        erin.post(
            &format!("/orgs/RJ1/speak-up/{}/stage", grievance.id),
            &[("stage", "formal_hearing")]
        )
        .await?
        .redirects_to("/orgs/RJ1/speak-up/")
    );
    let moved = speakup::case_in_organisation(&app.db, app.org.id, grievance.id).await?;
    assert_eq!(
        moved.stage,
        Some(dignity_domain::speakup::GrievanceStage::FormalHearing)
    );
    assert_ne!(moved.stage_due, grievance.stage_due);
    assert_eq!(
        erin.post(
            &format!("/orgs/RJ1/speak-up/{concern}/stage"),
            &[("stage", "formal_hearing")]
        )
        .await?
        .status,
        StatusCode::FORBIDDEN
    );

    // Guardians see both; grievances stay out of the Speak Up return.
    let page = gina.get("/orgs/RJ1/speak-up").await?;
    assert!(
        page.body.contains(&format!("Grievance {}", grievance.id))
            && page.body.contains(&format!("Concern {concern}"))
    );
    let quarter = Quarter::of(app.state.app.clock.today()).previous();
    let figures: serde_json::Value = serde_json::from_str(
        &gina
            .get(&format!(
                "/api/v1/orgs/RJ1/speak-up/return?quarter={quarter}"
            ))
            .await?
            .body,
    )?;
    assert_eq!(figures["cases"], "fewer than 6");
    Ok(())
}

fn jpeg_with_comment(comment: &[u8]) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut jpeg = Vec::new();
    image::DynamicImage::new_rgb8(8, 6).write_to(
        &mut std::io::Cursor::new(&mut jpeg),
        image::ImageFormat::Jpeg,
    )?;
    let mut segment = vec![0xFF, 0xFE, 0, (comment.len() + 2) as u8];
    segment.extend_from_slice(comment);
    jpeg.splice(2..2, segment);
    Ok(jpeg)
}

async fn attached_files_are_cleaned_encrypted_and_downloadable(app: &TestApp) -> TestResult {
    speak_up_on(app).await?;
    let (_, mut gina) = guardian(app, "gina@trust.nhs.uk").await?;
    let mut reporter = app.browser();
    let token = reporter.csrf().await?;
    let fields = [
        ("identity", "anonymous"),
        ("what_happened", WHAT),
        ("patient_safety", "no"),
    ];
    let photo = jpeg_with_comment(b"Camera owner Ruth Reporter")?;
    let send = |content_type: String, body: Vec<u8>, query: String| {
        Request::post(format!("/speak-up/RJ1{query}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
    };

    // Without the token in the address, the upload form is refused.
    let (content_type, body) = multipart(&fields, "attachments", &[("ruth-smith.jpg", &photo)]);
    assert_eq!(
        reporter
            .send(send(content_type, body, String::new())?)
            .await?
            .status,
        StatusCode::FORBIDDEN
    );
    // A program is not accepted, and nothing is stored.
    let (content_type, body) = multipart(
        &fields,
        "attachments",
        &[("notes.exe", &[0x4D, 0x5A, 0, 1, 0xFF])],
    );
    let page = reporter
        .send(send(content_type, body, format!("?csrf_token={token}"))?)
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body
            .contains("must be a photo (JPG or PNG), a PDF or a text file"),
        "{}",
        page.body
    );
    assert_eq!(speakup::list_cases(&app.db, app.org.id).await?.len(), 0);

    let (content_type, body) = multipart(
        &fields,
        "attachments",
        &[
            ("ruth-smith.jpg", &photo),
            ("shift-notes.txt", b"Night of the 3rd: shouting again."),
        ],
    );
    let page = reporter
        .send(send(content_type, body, format!("?csrf_token={token}"))?)
        .await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let id = only_case_id(app).await?;
    let files: Vec<_> = speakup::entries(&app.db, id)
        .await?
        .into_iter()
        .filter(|e| e.kind == dignity_domain::speakup::EntryKind::Attachment)
        .collect();
    assert_eq!(files.len(), 2);
    for file in &files {
        let stored = String::from_utf8_lossy(&file.ciphertext);
        assert!(stored.starts_with("age-encryption.org"), "stored encrypted");
        assert!(!stored.contains("shouting") && !stored.contains("ruth-smith"));
    }

    let page = gina.get(&format!("/orgs/RJ1/speak-up/{id}")).await?;
    assert!(
        page.body.contains("Download attachment-1.jpg")
            && page.body.contains("Download attachment-2.txt"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("ruth-smith"),
        "the original file name is not kept"
    );
    let photo_back = gina
        .get(&format!(
            "/orgs/RJ1/speak-up/{id}/attachments/{}",
            files[0].id
        ))
        .await?;
    assert_eq!(photo_back.content_type, "image/jpeg");
    assert!(
        !photo_back.body.contains("Ruth Reporter"),
        "hidden text is removed from photos"
    );
    let notes = gina
        .get(&format!(
            "/orgs/RJ1/speak-up/{id}/attachments/{}",
            files[1].id
        ))
        .await?;
    assert_eq!(notes.body, "Night of the 3rd: shouting again.");
    assert!(
        notes
            .headers
            .get(header::CONTENT_DISPOSITION)
            .is_some_and(|v| v.to_str().unwrap_or_default().contains("attachment-2.txt"))
    );
    let reads: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'speakup.attachment_read'",
    )
    .fetch_one(app.db.pool())
    .await?;
    assert_eq!(reads, 2);
    Ok(())
}

/// An installation's own list of professional groups is what guardians choose from and
/// what the return lists.
#[tokio::test]
async fn professional_groups_come_from_the_settings() -> TestResult {
    let mut settings = crate::support::settings();
    settings.app.professional_groups = vec!["Porters".into(), "Not known".into()];
    settings.app.clock = on_a_set_clock().app.clock;
    let app = TestApp::start_with(dignity_store::Backend::Sqlite, settings).await?;
    let outcome = async {
        speak_up_on(&app).await?;
        let (_, mut gina) = guardian(&app, "gina@trust.nhs.uk").await?;
        report_in_last_quarter(&app, WHAT).await?;
        let id = only_case_id(&app).await?;
        let page = gina.get(&format!("/orgs/RJ1/speak-up/{id}/record")).await?;
        assert!(page.body.contains("<option value=\"Porters\""));
        assert!(!page.body.contains("Nurses and midwives"));
        let doctors = format!("csrf_token={}&group=Doctors", gina.csrf().await?);
        assert_eq!(
            gina.post_raw(&format!("/orgs/RJ1/speak-up/{id}/record"), &doctors)
                .await?
                .status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let porters = format!("csrf_token={}&group=Porters", gina.csrf().await?);
        assert!(
            gina.post_raw(&format!("/orgs/RJ1/speak-up/{id}/record"), &porters)
                .await?
                .redirects_to("/orgs/RJ1/speak-up/")
        );
        let quarter = Quarter::of(app.state.app.clock.today()).previous();
        let figures: serde_json::Value = serde_json::from_str(
            &gina
                .get(&format!(
                    "/api/v1/orgs/RJ1/speak-up/return?quarter={quarter}"
                ))
                .await?
                .body,
        )?;
        let groups: Vec<String> = figures["professional_groups"]
            .as_array()
            .ok_or("no groups")?
            .iter()
            .map(|g| g["code"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(groups, ["Porters", "Not known"]);
        Ok::<_, Box<dyn std::error::Error>>(())
    }
    .await;
    app.finish().await;
    outcome
}

/// Object-level authorisation: a guardian of another organisation who changes the number in
/// an address reaches nothing, reads nothing and changes nothing.
async fn a_guardian_elsewhere_cannot_reach_a_case_by_its_number(app: &TestApp) -> TestResult {
    speak_up_on(app).await?;
    report(app, WHAT).await?;
    let case = only_case_id(app).await?;
    let before = speakup::list_cases(&app.db, app.org.id).await?;
    let entries = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM case_entries")
            .fetch_one(app.db.pool())
            .await
    };
    let entries_before = entries().await?;
    let recovery = SecretKey::generate();
    speakup::init(
        &app.db,
        "test",
        1,
        &app.other_org,
        &public_key(&recovery),
        2,
    )
    .await?;
    app.person_in("olga@other.nhs.uk", Some(Role::Guardian), &app.other_org)
        .await?;
    let mut olga = sign_in_guardian(app, "olga@other.nhs.uk").await?;
    let mut paths = vec![
        format!("/orgs/RJ2/speak-up/{case}"),
        format!("/orgs/RJ1/speak-up/{case}"),
    ];
    // Each of the case's own pages, too.
    for page in ["status", "assign", "record", "note", "referral", "close"] {
        paths.push(format!("/orgs/RJ2/speak-up/{case}/{page}"));
        paths.push(format!("/orgs/RJ1/speak-up/{case}/{page}"));
    }
    for path in paths {
        let page = olga.get(&path).await?;
        assert!(
            [StatusCode::NOT_FOUND, StatusCode::FORBIDDEN].contains(&page.status),
            "{path}: {}",
            page.status
        );
        assert!(
            !page.body.contains("night manager"),
            "{path} shows the concern"
        );
    }
    for (action, fields) in [
        ("note", vec![("note", "Seen it.")]),
        ("message", vec![("message", "Hello")]),
        ("status", vec![("status", "closed")]),
    ] {
        let page = olga
            .post(&format!("/orgs/RJ2/speak-up/{case}/{action}"), &fields)
            .await?;
        assert!(
            [
                StatusCode::NOT_FOUND,
                StatusCode::FORBIDDEN,
                StatusCode::BAD_REQUEST
            ]
            .contains(&page.status),
            "{action}: {}",
            page.status
        );
    }
    assert_eq!(
        speakup::list_cases(&app.db, app.org.id).await?,
        before,
        "the case is unchanged"
    );
    assert_eq!(entries().await?, entries_before, "nothing was added to it");
    Ok(())
}

/// An outside review closed one case eight times at once and the person who spoke up
/// read "How your concern ended" eight times. Now the case is closed first, checked
/// inside the store's transaction, and only the close that did it writes the outcome.
async fn two_guardians_closing_at_once_write_one_outcome(app: &TestApp) -> TestResult {
    speak_up_on(app).await?;
    let (_, mut gina) = guardian(app, "gina@trust.nhs.uk").await?;
    report(app, WHAT).await?;
    let id = only_case_id(app).await?;
    gina.csrf().await?;
    let mut closes = Vec::new();
    for i in 0..8 {
        let mut browser = gina.clone();
        closes.push(tokio::spawn(async move {
            browser
                .post(
                    &format!("/orgs/RJ1/speak-up/{id}/close"),
                    &[("text", format!("Outcome number {i}").as_str())],
                )
                .await
                .map(|page| page.status)
                .map_err(|e| e.to_string())
        }));
    }
    let mut closed = 0;
    for close in closes {
        if close.await??.is_redirection() {
            closed += 1;
        }
    }
    assert_eq!(
        closed, 1,
        "one close closes the case; the others are told it is closed"
    );
    let outcomes: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM case_entries WHERE case_id = $1 AND kind = 'closure'",
    )
    .bind(id)
    .fetch_one(app.db.pool())
    .await?;
    assert_eq!(
        outcomes, 1,
        "one outcome for the person who spoke up to read"
    );
    Ok(())
}

/// The first day of `quarter`.
fn first_day(quarter: Quarter) -> Result<Day, Box<dyn std::error::Error>> {
    Ok(Day::parse(&format!(
        "{}-{:02}-01",
        quarter.year,
        (quarter.number - 1) * 3 + 1
    ))?)
}

/// Moves the clock back to the last day of the quarter before today's, and says how far,
/// to move it on again after. Figures exist only for quarters that have ended, so a test
/// that reads them sends its concerns then.
fn back_to_last_quarter(app: &TestApp) -> Result<i64, Box<dyn std::error::Error>> {
    let clock = &app.state.app.clock;
    let today = clock.today();
    let back = (today.days_since(first_day(Quarter::of(today))?) + 1) * 86_400;
    clock.advance(-back);
    Ok(back)
}

/// A concern sent on the last day of the quarter before today's, as if it had come in
/// then: the clock goes back for it and forward again after.
async fn report_in_last_quarter(
    app: &TestApp,
    what: &str,
) -> Result<(Browser, String), Box<dyn std::error::Error>> {
    let back = back_to_last_quarter(app)?;
    let sent = report(app, what).await;
    app.state.app.clock.advance(back);
    sent
}

/// The sign-off's entries in the audit log, oldest first: (who, what, detail).
async fn sign_off_entries(
    app: &TestApp,
) -> Result<Vec<(String, String, String)>, Box<dyn std::error::Error>> {
    Ok(sqlx::query_as(
        "SELECT actor, action, detail FROM audit_log \
         WHERE action LIKE 'speakup.return%' AND organisation = 'RJ1' ORDER BY seq",
    )
    .fetch_all(app.db.pool())
    .await?)
}

/// The sign-off part of the return page.
fn sign_off_part(page: &Page) -> &str {
    page.body
        .split_once("id=\"sign-off\"")
        .map_or("", |(_, rest)| rest)
}

async fn a_guardian_signs_off_the_return_and_marks_it_sent(app: &TestApp) -> TestResult {
    speak_up_on(app).await?;
    let (gina_person, mut gina) = guardian(app, "gina@trust.nhs.uk").await?;
    // People are shown by name, never by address.
    sqlx::query("UPDATE people SET display_name = 'Gina Guardian' WHERE id = $1")
        .bind(gina_person.id)
        .execute(app.db.pool())
        .await?;
    let today = app.state.app.clock.today();
    let quarter = Quarter::of(today).previous();
    let months = quarter.months();
    let on = today.long();
    let page_path = format!("/orgs/RJ1/speak-up/return?quarter={quarter}");

    // The home card says where the last quarter's return is.
    let home = gina.get("/home").await?;
    assert!(
        home.body.contains(&format!(
            "Return for {months}</a>: <strong>not signed off</strong>"
        )),
        "{}",
        home.body
    );

    // The return opens on the last quarter to end, offering to sign it off.
    let page = gina.get("/orgs/RJ1/speak-up/return").await?;
    let part = sign_off_part(&page);
    assert!(
        part.contains("<h2>Sign off this return</h2>"),
        "{}",
        page.body
    );
    assert!(part.contains("action=\"/orgs/RJ1/speak-up/return/sign-off\""));
    assert!(part.contains(&format!("name=\"quarter\" value=\"{quarter}\"")));
    assert!(part.contains("name=\"csrf_token\""));
    assert!(!part.contains("/return/sent\""), "not before a sign-off");

    let page = gina
        .post(
            "/orgs/RJ1/speak-up/return/sign-off",
            &[("quarter", &quarter.to_string())],
        )
        .await?;
    let back = format!("{page_path}&done=signed-off");
    assert!(page.redirects_to(&back), "{page:?}");
    // Post, redirect, get: the banner comes from the address, and reloading repeats nothing.
    let page = gina.get(&back).await?;
    assert!(
        page.body
            .contains("nhsuk-notification-banner__heading\">Return signed off."),
        "{}",
        page.body
    );
    let part = sign_off_part(&page);
    assert!(
        part.contains(&format!("Signed off by Gina Guardian on {on}.")),
        "{part}"
    );
    assert!(!part.contains("gina@trust.nhs.uk"));
    assert!(
        part.contains("Mark as sent to the National Guardian&#39;s Office")
            || part.contains("Mark as sent to the National Guardian's Office")
    );
    assert!(part.contains("Withdraw sign-off"));
    assert!(!part.contains("Figures have changed"));
    let home = gina.get("/home").await?;
    assert!(
        home.body
            .contains("<strong>signed off, not sent yet</strong>")
    );
    // What is kept is the digest of the return exactly as it downloads, not the figures.
    let csv = gina
        .get(&format!("/orgs/RJ1/speak-up/return.csv?quarter={quarter}"))
        .await?;
    let kept: String = sqlx::query_scalar("SELECT figures_digest FROM speakup_return_signoffs")
        .fetch_one(app.db.pool())
        .await?;
    assert_eq!(
        kept,
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&csv.bytes))
    );

    // A concern recorded late in that quarter changes its figures: the page says so, and
    // the return cannot be marked as sent over figures nobody signed off.
    report_in_last_quarter(app, "Concern recorded late about rudeness at handover").await?;
    let page = gina.get(&page_path).await?;
    let part = sign_off_part(&page);
    assert!(
        part.contains(&format!(
            "Figures have changed since this return was signed off on {on}."
        )),
        "{part}"
    );
    assert!(!part.contains("/return/sent\""), "{part}");
    let page = gina
        .post(
            "/orgs/RJ1/speak-up/return/sent",
            &[("quarter", &quarter.to_string())],
        )
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body
            .contains("The figures have changed since this return was signed off")
    );

    // Withdrawn, signed off again over the figures as they are now, then sent.
    let page = gina
        .post(
            "/orgs/RJ1/speak-up/return/withdraw",
            &[("quarter", &quarter.to_string())],
        )
        .await?;
    let back = format!("{page_path}&done=withdrawn");
    assert!(page.redirects_to(&back), "{page:?}");
    let page = gina.get(&back).await?;
    assert!(page.body.contains("Sign-off withdrawn."));
    assert!(sign_off_part(&page).contains("/return/sign-off\""));
    gina.post(
        "/orgs/RJ1/speak-up/return/sign-off",
        &[("quarter", &quarter.to_string())],
    )
    .await?;
    let page = gina
        .post(
            "/orgs/RJ1/speak-up/return/sent",
            &[("quarter", &quarter.to_string())],
        )
        .await?;
    let back = format!("{page_path}&done=sent");
    assert!(page.redirects_to(&back), "{page:?}");
    let page = gina.get(&back).await?;
    assert!(
        page.body
            .contains("Return marked as sent to the National Guardian"),
        "{}",
        page.body
    );
    let part = sign_off_part(&page);
    assert!(part.contains(&format!("Signed off by Gina Guardian on {on}.")));
    assert!(
        part.contains(&format!("Sent on {on} by Gina Guardian.")),
        "{part}"
    );
    assert!(!part.contains("<form"), "nothing more to do: {part}");
    let home = gina.get("/home").await?;
    assert!(
        home.body.contains(&format!(
            "Return for {months}</a>: sent to the National Guardian"
        )),
        "{}",
        home.body
    );

    // Every step is in the audit log, under the guardian's account.
    let gina_email = gina_person.email.clone();
    let detail = |what: &str| what.replace("QUARTER", &quarter.months());
    assert_eq!(
        sign_off_entries(app).await?,
        vec![
            (
                gina_email.clone(),
                "speakup.return_signed_off".to_owned(),
                detail("Signed off the Speak Up return for QUARTER")
            ),
            (
                gina_email.clone(),
                "speakup.return_sign_off_withdrawn".to_owned(),
                detail("Withdrew the sign-off of the Speak Up return for QUARTER")
            ),
            (
                gina_email.clone(),
                "speakup.return_signed_off".to_owned(),
                detail("Signed off the Speak Up return for QUARTER")
            ),
            (
                gina_email,
                "speakup.return_sent".to_owned(),
                detail(
                    "Marked the Speak Up return for QUARTER as sent to the National Guardian's Office"
                )
            ),
        ]
    );
    Ok(())
}

async fn only_guardians_sign_off_and_only_in_turn(app: &TestApp) -> TestResult {
    speak_up_on(app).await?;
    let (_, mut gina) = guardian(app, "gina@trust.nhs.uk").await?;
    let today = app.state.app.clock.today();
    let quarter = Quarter::of(today).previous().to_string();
    let current = Quarter::of(today);
    let fields = [("quarter", quarter.as_str())];

    // Nothing to mark as sent or withdraw before a sign-off: said on the return, and
    // nothing written.
    for step in ["sent", "withdraw"] {
        let page = gina
            .post(&format!("/orgs/RJ1/speak-up/return/{step}"), &fields)
            .await?;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{step}");
        assert!(
            page.body.contains(
                "<a href=\"#sign-off\">Sign off this return before you mark it as sent</a>"
            ),
            "{step}: {}",
            page.body
        );
    }
    // The quarter under way has no return, so nothing to sign off yet.
    let page = gina
        .get(&format!("/orgs/RJ1/speak-up/return?quarter={current}"))
        .await?;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains(NOT_ENDED), "{}", page.body);
    let page = gina
        .post(
            "/orgs/RJ1/speak-up/return/sign-off",
            &[("quarter", &current.to_string())],
        )
        .await?;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains(NOT_ENDED), "{}", page.body);
    let page = gina
        .post(
            "/orgs/RJ1/speak-up/return/sign-off",
            &[("quarter", "2026-Q9")],
        )
        .await?;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(sign_off_entries(app).await?.is_empty());

    // Executives and union partners read the return and its sign-off, but do not sign.
    let exec = app
        .person("ezra@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let mut board = app.signed_in_browser(&exec).await?;
    let page = board.get("/orgs/RJ1/speak-up/return").await?;
    let part = sign_off_part(&page);
    assert!(part.contains("has not been signed off yet"), "{part}");
    assert!(!part.contains("<form"));
    let page = board
        .post("/orgs/RJ1/speak-up/return/sign-off", &fields)
        .await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    // Nor does a guardian of another organisation.
    let elsewhere = app
        .person_in("gail@other.nhs.uk", Some(Role::Guardian), &app.other_org)
        .await?;
    let mut gail = app.signed_in_browser(&elsewhere).await?;
    let page = gail
        .post("/orgs/RJ1/speak-up/return/sign-off", &fields)
        .await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(sign_off_entries(app).await?.is_empty());

    // Signed off once; a second sign-off is refused on the page.
    let page = gina
        .post("/orgs/RJ1/speak-up/return/sign-off", &fields)
        .await?;
    assert!(page.redirects_to("/orgs/RJ1/speak-up/return?"), "{page:?}");
    let page = gina
        .post("/orgs/RJ1/speak-up/return/sign-off", &fields)
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body
            .contains("This return has already been signed off")
    );
    // The board reads who signed off, and cannot mark it as sent.
    let page = board.get("/orgs/RJ1/speak-up/return").await?;
    let part = sign_off_part(&page);
    assert!(
        part.contains("Signed off by gina@trust.nhs.uk on"),
        "{part}"
    );
    assert!(part.contains("It has not been marked as sent"));
    assert!(!part.contains("<form"));
    let page = board
        .post("/orgs/RJ1/speak-up/return/sent", &fields)
        .await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    // Sent once; then it stands: not sent again, not withdrawn.
    let page = gina.post("/orgs/RJ1/speak-up/return/sent", &fields).await?;
    assert!(page.redirects_to("/orgs/RJ1/speak-up/return?"), "{page:?}");
    for (step, refusal) in [
        ("sent", "This return has already been marked as sent"),
        ("withdraw", "This return has already been marked as sent"),
    ] {
        let page = gina
            .post(&format!("/orgs/RJ1/speak-up/return/{step}"), &fields)
            .await?;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{step}");
        assert!(page.body.contains(refusal), "{step}: {}", page.body);
    }
    let actions: Vec<String> = sign_off_entries(app)
        .await?
        .into_iter()
        .map(|(_, action, _)| action)
        .collect();
    assert_eq!(
        actions,
        ["speakup.return_signed_off", "speakup.return_sent"],
        "refusals write nothing"
    );
    Ok(())
}

/// An outside review typed a name while choosing anonymous: the name and contact fields
/// showed whatever the choice, and the name was dropped without a word. Now the form comes
/// back saying so, with the name taken out, and nothing is kept until it is sent again; the
/// guardian reads the choice in their own words, and "Not given" for what was not given.
async fn a_name_typed_while_anonymous_is_never_kept(app: &TestApp) -> TestResult {
    speak_up_on(app).await?;
    let (_, mut gina) = guardian(app, "gina@trust.nhs.uk").await?;
    let mut reporter = app.browser();
    let page = reporter.get("/speak-up/RJ1").await?;
    // The fields are under the choices that keep them, with the design system's reveal.
    assert!(
        page.body
            .contains("data-aria-controls=\"conditional-identity-open\"")
    );
    assert!(
        page.body
            .contains("data-aria-controls=\"conditional-identity-confidential\"")
    );
    assert!(page.body.contains("id=\"confidential_name\""));
    let secret = "Ruth Reporter";
    // Typed under either choice, or sent by an older page as a plain name or contact.
    for (field, value) in [
        ("open_name", secret),
        ("confidential_name", secret),
        ("confidential_contact", "ruth@example.org"),
        ("name", secret),
        ("contact", "ruth@example.org"),
    ] {
        let page = reporter
            .post(
                "/speak-up/RJ1",
                &[
                    ("identity", "anonymous"),
                    (field, value),
                    ("what_happened", WHAT),
                    ("patient_safety", "no"),
                ],
            )
            .await?;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(
            page.body
                .contains("we have taken out the name and contact details you typed"),
            "{field}: {}",
            page.body
        );
        assert!(page.body.contains("Nothing has been sent yet"), "{field}");
        assert!(
            !page.body.contains(value),
            "{field}: the form no longer holds it"
        );
        assert!(page.body.contains("The night manager on ward 7"), "{field}");
        assert!(speakup::list_cases(&app.db, app.org.id).await?.is_empty());
    }
    // Sent again as the form now stands, it goes anonymously.
    let (_, _code) = report(app, WHAT).await?;
    let anonymous = only_case_id(app).await?;
    let page = gina.get(&format!("/orgs/RJ1/speak-up/{anonymous}")).await?;
    assert!(
        page.body
            .contains("Anonymous: they did not give their name")
    );
    assert!(!page.body.contains("nobody knows who you are"));
    assert!(!page.body.contains(secret));
    for (key, class) in [
        ("Name and contact", ""),
        ("Who was affected", " dignity-text"),
        ("What they would like", " dignity-text"),
    ] {
        assert!(
            page.body.contains(&format!(
                "<dt class=\"nhsuk-summary-list__key\">{key}</dt><dd class=\"nhsuk-summary-list__value{class}\">Not given</dd>"
            )),
            "{key}"
        );
    }
    // A confidential concern keeps the name typed under its own choice, not one typed
    // under another.
    let page = reporter
        .post(
            "/speak-up/RJ1",
            &[
                ("identity", "confidential"),
                ("open_name", "Someone Else"),
                ("confidential_name", secret),
                (
                    "what_happened",
                    "Rotas are changed to punish people who complain.",
                ),
                ("patient_safety", "no"),
            ],
        )
        .await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let confidential = speakup::list_cases(&app.db, app.org.id)
        .await?
        .iter()
        .map(|c| c.id)
        .find(|id| *id != anonymous)
        .ok_or("no confidential case")?;
    let page = gina
        .get(&format!("/orgs/RJ1/speak-up/{confidential}"))
        .await?;
    assert!(page.body.contains(secret));
    assert!(!page.body.contains("Someone Else"));
    assert!(
        page.body
            .contains("Confidential: do not share their name without asking them")
    );
    assert!(
        page.body
            .contains("<dt class=\"nhsuk-summary-list__key\">Contact</dt><dd class=\"nhsuk-summary-list__value\">Not given</dd>")
    );
    // Choosing open with the name typed under confidential asks for it beside open.
    let page = reporter
        .post(
            "/speak-up/RJ1",
            &[
                ("identity", "open"),
                ("confidential_name", secret),
                ("what_happened", WHAT),
                ("patient_safety", "no"),
            ],
        )
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("<a href=\"#open_name\">Enter your name"));
    assert!(page.body.contains("id=\"open_name-error\""));
    Ok(())
}
