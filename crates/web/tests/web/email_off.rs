//! An installation without a mail relay (issue 16): every form that would send email says
//! so before anyone fills it in and says what to do instead, and none is accepted only to
//! leave mail that never goes.

use crate::support::{TestApp, TestResult};
use axum::http::StatusCode;
use dignity_domain::identity::Role;
use dignity_store::events::{self as store, Place};

dignity_store::on_both_backends!(
    crate::support::run_with [crate::email_off::without_mail()];
    every_form_that_mails_says_email_is_not_set_up_first,
    events_are_booked_without_email_and_have_no_waiting_list,
);

/// The test settings with no mail relay, as `smtp_url` left empty gives.
pub(crate) fn without_mail() -> dignity_web::Settings {
    dignity_web::Settings {
        mail: None,
        ..crate::support::settings()
    }
}

const NOTICE: &str = "This site cannot send email at the moment";

async fn mail_waiting(app: &TestApp) -> Result<i64, Box<dyn std::error::Error>> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM mail_outbox")
        .fetch_one(app.db.pool())
        .await?)
}

async fn every_form_that_mails_says_email_is_not_set_up_first(app: &TestApp) -> TestResult {
    // News: no subscription form, and the feed instead.
    let news = app.browser().get("/news").await?;
    assert!(news.body.contains(NOTICE), "{}", news.body);
    assert!(news.body.contains("cannot get news by email"));
    assert!(!news.body.contains("action=\"/news/subscribe\""));
    assert!(news.body.contains("href=\"/news/feed.atom\""));

    // A published plan: no follow form, and the feed instead.
    crate::plans::signed_plan(app).await?;
    let plan = app.browser().get("/plans/RJ1").await?;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.body);
    assert!(plan.body.contains(NOTICE), "{}", plan.body);
    assert!(plan.body.contains("cannot get emails about this plan"));
    assert!(!plan.body.contains("action=\"/plans/RJ1/follow\""));
    assert!(plan.body.contains("href=\"/plans/RJ1/feed.atom\""));
    // Sent anyway (an old page, a script): refused, nothing written.
    let sent = app
        .browser()
        .post("/plans/RJ1/follow", &[("email", "fan@example.com")])
        .await?;
    assert!(
        sent.body.contains("Email is not set up here"),
        "{}",
        sent.body
    );
    let mistyped = app
        .browser()
        .post("/plans/RJ1/follow", &[("email", "not an address")])
        .await?;
    assert!(
        mistyped.body.contains("Email is not set up here"),
        "a mistyped address gets the same answer, not an error beside a form that is not there: {}",
        mistyped.body
    );
    // An address with a mistake too: no form to send it back to, so the same answer.
    let sent = app
        .browser()
        .post("/news/subscribe", &[("email", "not an address")])
        .await?;
    assert!(
        sent.body.contains("Email is not set up here"),
        "{}",
        sent.body
    );
    let sent = app
        .browser()
        .post("/news/subscribe", &[("email", "fan@example.com")])
        .await?;
    assert!(
        sent.body.contains("Email is not set up here"),
        "{}",
        sent.body
    );

    // Survey invitations: no upload form, and the codes file instead.
    let (campaign, _) = crate::survey::open_campaign(app, 0).await?;
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut ada = app.signed_in_browser(&admin).await?;
    let manage = ada
        .get(&format!("/orgs/RJ1/surveys/{}/manage", campaign.id))
        .await?;
    assert_eq!(manage.status, StatusCode::OK, "{}", manage.body);
    assert!(
        manage
            .body
            .contains("Email is not set up on this installation")
    );
    assert!(!manage.body.contains("Send invitations"));
    let sent =
        crate::survey::upload_invitations(&mut ada, campaign.id, "email\nann@trust.nhs.uk\n")
            .await?;
    assert_eq!(
        sent.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        sent.body
    );

    assert_eq!(mail_waiting(app).await?, 0, "no mail is left waiting");
    Ok(())
}

async fn events_are_booked_without_email_and_have_no_waiting_list(app: &TestApp) -> TestResult {
    let id = crate::events::webinar(app, "1").await?;
    let path = format!("/events/{id}");

    // Before booking: the page says no email will come, and what the next page gives.
    let page = app.browser().get(&path).await?;
    assert!(page.body.contains(NOTICE), "{}", page.body);
    assert!(page.body.contains("the next page shows how to join"));
    assert!(!page.body.contains("We send your booking here"));
    assert!(
        page.body
            .contains("Online. You get how to join when you book a place, on the next page.")
    );

    // Booking: the page gives everything, and no mail is written that would never go.
    let mut ann = app.browser();
    let booked = ann
        .post(
            &format!("{path}/book"),
            &[("name", "Ann"), ("email", "ann@example.com")],
        )
        .await?;
    let booked = ann.follow(booked).await?;
    assert!(booked.body.contains("You have a place"), "{}", booked.body);
    assert!(booked.body.contains("https://meet.example.nhs.uk/xyz"));
    assert!(booked.body.contains("calendar.ics?key="));
    assert!(booked.body.contains("cannot send email at the moment"));
    assert!(!booked.body.contains("We have also sent"));
    assert_eq!(mail_waiting(app).await?, 0);

    // Full: no waiting list, since no one could be told of a place.
    let full = app.browser().get(&path).await?;
    assert!(
        full.body.contains("there is no waiting list"),
        "{}",
        full.body
    );
    assert!(!full.body.contains(&format!("action=\"{path}/book\"")));
    let refused = app
        .browser()
        .post(
            &format!("{path}/book"),
            &[("name", "Bob"), ("email", "bob@example.com")],
        )
        .await?;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("cannot email you if a place comes up")
    );
    let people = store::attendees(&app.db, id).await?;
    assert_eq!(people.len(), 1);
    assert_eq!(people[0].place, Place::Booked);
    assert_eq!(mail_waiting(app).await?, 0);
    Ok(())
}
