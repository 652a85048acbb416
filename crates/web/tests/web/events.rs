//! Events on both databases: booking, the last place taken from two browsers at once,
//! the waiting list, cancelling by link, the calendar file and the day-before reminder,
//! with mail captured by a local SMTP server.

use crate::support::{SmtpSink, TestApp, TestResult, token_after};
use axum::http::StatusCode;
use dignity_domain::identity::Role;
use dignity_store::events::{self as store, Place};
use dignity_web::mail::{MailSettings, Mailer, send_due};

dignity_store::on_both_backends!(
    crate::support::run;
    an_event_is_booked_waited_for_cancelled_and_reminded,
    booking_with_a_booked_address_answers_as_a_new_booking,
    a_place_shows_how_to_join_and_a_calendar_file_that_opens,
);

/// Outbox rows for an event: (to, subject, body, attachment name, attachment).
async fn event_mail(
    app: &TestApp,
    event: i64,
) -> Result<Vec<(String, String, String, String, String)>, Box<dyn std::error::Error>> {
    Ok(sqlx::query_as(
        "SELECT to_address, subject, body, attachment_name, attachment FROM mail_outbox WHERE purpose = $1 ORDER BY id",
    )
    .bind(format!("event:{event}"))
    .fetch_all(app.db.pool())
    .await?)
}

async fn an_event_is_booked_waited_for_cancelled_and_reminded(app: &TestApp) -> TestResult {
    let admin = app.person("pat@nhs.uk", Some(Role::PlatformAdmin)).await?;
    let mut pat = app.signed_in_browser(&admin).await?;
    let page = pat
        .post(
            "/events/new",
            &[
                ("title", "Webinar"),
                ("date-day", "1"),
                ("date-month", "1"),
                ("date-year", "2020"),
                ("starts", "10:00"),
                ("ends", "09:00"),
            ],
        )
        .await?;
    // Every mistake at once, each linked to its field.
    let summary = crate::support::error_summary(&page.body);
    for (link, message) in [
        ("description", "Say what the event is about"),
        ("format", "Choose a webinar or an event in person"),
        ("date-day", "The date of the event must be in the future"),
        ("ends", "The event must end after it starts"),
        ("capacity", "Enter how many places there are"),
    ] {
        assert!(
            summary.contains(&format!("<a href=\"#{link}\">{message}")),
            "{message}: {summary}"
        );
    }
    // A date that is not real and times left out are named together, with the rest.
    let page = pat
        .post(
            "/events/new",
            &[
                ("title", ""),
                ("date-day", "31"),
                ("date-month", "4"),
                ("date-year", "2099"),
            ],
        )
        .await?;
    let summary = crate::support::error_summary(&page.body);
    for (link, message) in [
        ("title", "Enter a title"),
        ("date-day", "The date of the event must be a real date"),
        ("starts", "Enter the start time, like 10:30"),
        ("ends", "Enter the end time, like 12:00"),
    ] {
        assert!(
            summary.contains(&format!("<a href=\"#{link}\">{message}")),
            "{message}: {summary}"
        );
    }
    assert!(
        page.body
            .contains(r#"name="date-day" type="text" inputmode="numeric" value="31""#)
    );
    // Two days from now, in UK time.
    let day = jiff::Timestamp::from_second(dignity_web::now() + 2 * 86_400)?
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let (year, month, day) = (
        day.year().to_string(),
        day.month().to_string(),
        day.day().to_string(),
    );
    let page = pat
        .post(
            "/events/new",
            &[
                ("title", "Line managers and bullying"),
                ("description", "How managers can **prevent** bullying."),
                ("format", "webinar"),
                ("date-day", &day),
                ("date-month", &month),
                ("date-year", &year),
                ("starts", "10:30"),
                ("ends", "12:00"),
                ("joining", "https://meet.example.nhs.uk/abc-123"),
                ("capacity", "1"),
            ],
        )
        .await?;
    let location = page.location.clone().ok_or("to the event")?;
    let id: i64 = location.trim_start_matches("/events/").parse()?;
    let public = app.browser().get(&location).await?;
    assert!(public.body.contains("Places available"), "{}", public.body);
    assert!(public.body.contains("(UK time)"));
    assert!(
        !public.body.contains("meet.example"),
        "joining details only go to people with a place"
    );

    // The last place, from two browsers at once: one place and one waiting-list place.
    let mut ann = app.browser();
    let mut bob = app.browser_on_another_server()?;
    let book = format!("/events/{id}/book");
    let (a, b) = tokio::join!(
        ann.post(&book, &[("name", "Ann"), ("email", "ann@example.com")]),
        bob.post(&book, &[("name", "Bob"), ("email", "bob@example.com")]),
    );
    let (a, b) = (a?, b?);
    // Post-redirect-get: the page after booking is a plain page, so reloading it books
    // nothing; its address shows how to join only with the event's calendar key.
    let with_place = [&a, &b]
        .into_iter()
        .find_map(|p| p.location.clone().filter(|l| l.contains("?key=")))
        .ok_or("a redirect to the page of a place")?;
    let (a, b) = (ann.follow(a).await?, bob.follow(b).await?);
    let people = store::attendees(&app.db, id).await?;
    assert_eq!(people.len(), 2);
    let places: Vec<Place> = people.iter().map(|p| p.place).collect();
    assert!(
        places.contains(&Place::Booked) && places.contains(&Place::Waiting),
        "{places:?}"
    );
    assert!(
        (a.body.contains("You have a place") && b.body.contains("You are on the waiting list"))
            || (b.body.contains("You have a place")
                && a.body.contains("You are on the waiting list"))
    );
    let first = people
        .iter()
        .find(|p| p.place == Place::Booked)
        .ok_or("a place")?
        .clone();
    let second = people
        .iter()
        .find(|p| p.place == Place::Waiting)
        .ok_or("waiting")?
        .clone();

    // The place's email has the calendar file and how to join; the waiting one has neither.
    let mail = event_mail(app, id).await?;
    assert_eq!(mail.len(), 2);
    let placed = mail
        .iter()
        .find(|m| m.0 == first.email)
        .ok_or("mail for the place")?;
    assert_eq!(placed.3, "event.ics");
    assert!(
        placed.4.contains("BEGIN:VCALENDAR")
            && placed.4.contains("SUMMARY:Line managers and bullying")
    );
    assert!(placed.2.contains("https://meet.example.nhs.uk/abc-123"));
    assert_eq!(
        token_after(&placed.2, "/events/booking?token=")?,
        first.token
    );
    let waiting = mail
        .iter()
        .find(|m| m.0 == second.email)
        .ok_or("mail for waiting")?;
    assert!(waiting.3.is_empty() && !waiting.2.contains("meet.example"));

    // Booking again changes nothing.
    let again = ann
        .post(&book, &[("name", "Ann"), ("email", &first.email)])
        .await?;
    assert_eq!(store::attendees(&app.db, id).await?.len(), 2);
    // The event is full, so the answer is the page a new booking would get: waiting.
    assert!(
        again.redirects_to(&format!("/events/{id}/booked?waiting=true")),
        "{again:?}"
    );
    for _reload in 0..2 {
        let page = ann.get(&with_place).await?;
        assert!(
            page.body.contains("meet.example.nhs.uk/abc-123"),
            "{}",
            page.body
        );
    }
    assert_eq!(store::attendees(&app.db, id).await?.len(), 2);
    let guessed = ann.get(&format!("/events/{id}/booked?key=guess")).await?;
    assert_eq!(guessed.status, StatusCode::NOT_FOUND);
    let waiting = ann
        .get(&format!("/events/{id}/booked?waiting=true"))
        .await?;
    assert!(!waiting.body.contains("meet.example"), "{}", waiting.body);

    // Each booking's own page; only the place shows how to join.
    let own = app
        .browser()
        .get(&format!("/events/booking?token={}", first.token))
        .await?;
    assert!(
        own.body.contains("meet.example.nhs.uk/abc-123") && own.body.contains("Cancel my place")
    );
    let theirs = app
        .browser()
        .get(&format!("/events/booking?token={}", second.token))
        .await?;
    assert!(
        !theirs.body.contains("meet.example") && theirs.body.contains("Leave the waiting list")
    );
    let junk = app.browser().get("/events/booking?token=nope").await?;
    assert!(junk.body.contains("This link does not work"));

    // The organiser's attendee list; another administrator cannot have it.
    let csv = pat.get(&format!("/events/{id}/attendees.csv")).await?;
    assert!(
        csv.body.contains("place") && csv.body.contains("waiting list"),
        "{}",
        csv.body
    );
    let other = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let page = app
        .signed_in_browser(&other)
        .await?
        .get(&format!("/events/{id}/attendees.csv"))
        .await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    // Cancelling by link gives the place to the person waiting, by email with the file.
    let mut canceller = app.browser();
    let page = canceller
        .post("/events/booking/cancel", &[("token", &first.token)])
        .await?;
    assert!(
        page.redirects_to("/events/booking?cancelled=true"),
        "{page:?}"
    );
    let page = canceller.follow(page).await?;
    assert!(
        page.body.contains("Your booking is cancelled"),
        "{}",
        page.body
    );
    let people = store::attendees(&app.db, id).await?;
    assert_eq!(people.len(), 1);
    assert_eq!(
        (people[0].email.as_str(), people[0].place),
        (second.email.as_str(), Place::Booked)
    );
    let mail = event_mail(app, id).await?;
    let promoted = mail.last().ok_or("the promotion")?;
    assert!(promoted.1.starts_with("A place for you") && promoted.3 == "event.ics");
    let stale = app
        .browser()
        .post("/events/booking/cancel", &[("token", &first.token)])
        .await?;
    assert!(stale.body.contains("This link does not work"));

    // The day before, one reminder per place, once.
    let event = store::get_event(&app.db, id).await?;
    let eve = event.fields.starts_at - 86_400 + 60;
    assert_eq!(
        dignity_web::events::send_reminders(&app.state.app, "https://dignity.test", eve).await?,
        1
    );
    assert_eq!(
        dignity_web::events::send_reminders(&app.state.app, "https://dignity.test", eve + 60)
            .await?,
        0
    );
    let mail = event_mail(app, id).await?;
    assert!(
        mail.last()
            .is_some_and(|m| m.1.starts_with("Tomorrow") && m.2.contains("meet.example"))
    );

    // The relay is down: mail waits in the outbox, nothing is lost.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let closed_port = closed.local_addr()?.port();
    drop(closed);
    let down = Mailer::new(&MailSettings {
        host: "127.0.0.1".into(),
        port: closed_port,
        from: "Dignity <no-reply@dignity.test>".into(),
    })?;
    assert_eq!(
        send_due(&app.state.app, &down, dignity_web::now()).await?,
        (0, 4)
    );

    // Back up: mail reaches the relay, the calendar file attached.
    let sink = SmtpSink::start().await?;
    let mailer = Mailer::new(&MailSettings {
        host: "127.0.0.1".into(),
        port: sink.port,
        from: "Dignity <no-reply@dignity.test>".into(),
    })?;
    let (sent, failed) = send_due(&app.state.app, &mailer, dignity_web::now() + 120).await?;
    assert_eq!(failed, 0);
    // Two bookings, one sent again and one promotion; the reminder was written "tomorrow".
    assert_eq!(sent, 4);
    let received = sink.received();
    assert!(
        received
            .iter()
            .any(|m| m.contains("text/calendar") && m.contains("event.ics"))
    );
    Ok(())
}

/// A webinar two days from now with `capacity` places, made by a platform admin.
pub(crate) async fn webinar(
    app: &TestApp,
    capacity: &str,
) -> Result<i64, Box<dyn std::error::Error>> {
    let admin = app.person("pat@nhs.uk", Some(Role::PlatformAdmin)).await?;
    let mut pat = app.signed_in_browser(&admin).await?;
    webinar_by(&mut pat, capacity).await
}

/// A webinar two days from now with `capacity` places, made by whoever `organiser` is
/// signed in as (they may then see who booked).
pub(crate) async fn webinar_by(
    organiser: &mut crate::support::Browser,
    capacity: &str,
) -> Result<i64, Box<dyn std::error::Error>> {
    let day = jiff::Timestamp::from_second(dignity_web::now() + 2 * 86_400)?
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let (year, month, day) = (
        day.year().to_string(),
        day.month().to_string(),
        day.day().to_string(),
    );
    let page = organiser
        .post(
            "/events/new",
            &[
                ("title", "Speaking up for managers"),
                ("description", "What to do when someone speaks up to you."),
                ("format", "webinar"),
                ("date-day", &day),
                ("date-month", &month),
                ("date-year", &year),
                ("starts", "10:30"),
                ("ends", "12:00"),
                ("joining", "https://meet.example.nhs.uk/xyz"),
                ("capacity", capacity),
            ],
        )
        .await?;
    let location = page.location.ok_or(page.body)?;
    Ok(location.trim_start_matches("/events/").parse()?)
}

/// Issue 13, item 10: someone types another person's address into the booking form to
/// learn whether they booked and whether they have a place. The answer is the page a
/// new booking gets at that moment, byte for byte; the address's owner gets their own
/// booking's email again at most once a day.
async fn booking_with_a_booked_address_answers_as_a_new_booking(app: &TestApp) -> TestResult {
    let id = webinar(app, "2").await?;
    let book = format!("/events/{id}/book");
    let victim = "vic@example.com";
    app.browser()
        .post(&book, &[("name", "Vic"), ("email", victim)])
        .await?;
    let mut prober = app.browser();

    // A place is free: the booked address and a new one get the same page.
    let probed = prober
        .post(&book, &[("name", "Eve"), ("email", victim)])
        .await?;
    let fresh = prober
        .post(&book, &[("name", "Eve"), ("email", "new1@example.com")])
        .await?;
    assert_eq!(probed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        (probed.status, &probed.location, &probed.body),
        (fresh.status, &fresh.location, &fresh.body)
    );
    let fresh = prober.follow(fresh).await?;
    assert!(fresh.body.contains("You have a place"), "{}", fresh.body);
    assert!(
        !fresh.body.contains("token="),
        "the page links to no booking"
    );

    // Now full: a new booking would wait, so the page says so, although Vic has a place.
    let probed = prober
        .post(&book, &[("name", "Eve"), ("email", victim)])
        .await?;
    let fresh = prober
        .post(&book, &[("name", "Eve"), ("email", "new2@example.com")])
        .await?;
    assert_eq!(
        (probed.status, &probed.location, &probed.body),
        (fresh.status, &fresh.location, &fresh.body)
    );
    let fresh = prober.follow(fresh).await?;
    assert!(fresh.body.contains("You are on the waiting list"));
    let vic = store::attendees(&app.db, id)
        .await?
        .into_iter()
        .find(|b| b.email == victim)
        .ok_or("Vic's booking")?;
    assert_eq!(vic.place, Place::Booked, "probing changed Vic's booking");
    assert_eq!(vic.name, "Vic");

    // Vic's mail: the booking's own email, and the same again once today, not per probe.
    let to_vic: Vec<_> = event_mail(app, id)
        .await?
        .into_iter()
        .filter(|m| m.0 == victim)
        .collect();
    assert_eq!(to_vic.len(), 2, "{to_vic:?}");
    assert_eq!(
        to_vic[0], to_vic[1],
        "the mail sent again is the booking's own"
    );
    // Tomorrow, once more.
    let tomorrow = dignity_web::now() + 86_400;
    let no_mail = |_: &store::Event, _: &store::Booking| {
        Some(dignity_store::mail::NewMail {
            purpose: format!("event:{id}"),
            to: victim.into(),
            subject: "again".into(),
            body: String::new(),
            attachment: None,
        })
    };
    for _ in 0..3 {
        store::book(&app.db, id, "Eve", victim, tomorrow, &no_mail).await?;
    }
    let to_vic = event_mail(app, id)
        .await?
        .into_iter()
        .filter(|m| m.0 == victim)
        .count();
    assert_eq!(to_vic, 3);
    Ok(())
}

/// The address after `from` in `body`, up to the closing quote, with `&amp;` read back.
fn link_from(body: &str, from: &str) -> Result<String, Box<dyn std::error::Error>> {
    let start = body
        .find(from)
        .ok_or_else(|| format!("no {from} in {body}"))?;
    let end = body[start..].find('"').ok_or("an end quote")?;
    Ok(body[start..start + end].replace("&amp;", "&"))
}

/// Issue 16: the page after booking a place gives the joining details and the calendar
/// file itself, not only by email, and the file opens in calendar programs: CR LF line
/// ends, lines folded at 75 octets, UTC times, text escaped (a textarea's CR LF included).
async fn a_place_shows_how_to_join_and_a_calendar_file_that_opens(app: &TestApp) -> TestResult {
    let admin = app.person("pat@nhs.uk", Some(Role::PlatformAdmin)).await?;
    let mut pat = app.signed_in_browser(&admin).await?;
    // In summer, so UK time (BST) is an hour ahead of UTC.
    let page = pat
        .post(
            "/events/new",
            &[
                ("title", "Civility, respect; and you"),
                ("description", "A morning on civility."),
                ("format", "in_person"),
                ("date-day", "1"),
                ("date-month", "7"),
                ("date-year", "2099"),
                ("starts", "09:30"),
                ("ends", "12:00"),
                ("location", "Education Centre, Northfield Hospital"),
                (
                    "joining",
                    "Room 4, second floor.\r\nAsk at the front desk; bring your badge.",
                ),
                ("capacity", "1"),
            ],
        )
        .await?;
    let location = page.location.clone().ok_or(page.body)?;
    let id: i64 = location.trim_start_matches("/events/").parse()?;

    let mut ann = app.browser();
    let booked = ann
        .post(
            &format!("/events/{id}/book"),
            &[("name", "Ann"), ("email", "ann@example.com")],
        )
        .await?;
    let booked = ann.follow(booked).await?;
    assert!(booked.body.contains("You have a place"), "{}", booked.body);
    for shown in [
        "Wednesday 1 July 2099, 9:30am to 12pm (UK time)",
        "Education Centre, Northfield Hospital",
        "Room 4, second floor.",
        "bring your badge",
        "We have also sent these details",
    ] {
        assert!(booked.body.contains(shown), "{shown}: {}", booked.body);
    }
    let calendar = link_from(&booked.body, &format!("/events/{id}/calendar.ics?key="))?;

    let file = app.browser().get(&calendar).await?;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    assert!(file.content_type.starts_with("text/calendar"));
    let disposition = file
        .headers
        .get("content-disposition")
        .ok_or("a download")?
        .to_str()?;
    assert_eq!(
        disposition,
        format!("attachment; filename=\"event-{id}.ics\"")
    );
    let ics = &file.body;
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"), "{ics}");
    assert!(ics.trim_end().ends_with("END:VCALENDAR"), "{ics}");
    for line in ics.split("\r\n") {
        assert!(
            !line.contains('\r') && !line.contains('\n'),
            "a bare line end: {line:?}"
        );
        assert!(line.len() <= 75, "not folded: {line:?}");
    }
    let unfolded = ics.replace("\r\n ", "");
    for property in [
        "VERSION:2.0",
        "BEGIN:VEVENT",
        &format!("UID:event-{id}@"),
        // 09:30 in London in July is 08:30 UTC.
        "DTSTART:20990701T083000Z",
        "DTEND:20990701T110000Z",
        "SUMMARY:Civility\\, respect\\; and you",
        "LOCATION:Education Centre\\, Northfield Hospital",
        "Room 4\\, second floor.\\nAsk at the front desk\\; bring your badge.",
        "END:VEVENT",
    ] {
        assert!(unfolded.contains(property), "{property}: {unfolded}");
    }

    // The booking's own page links to the same file.
    let ann = store::attendees(&app.db, id)
        .await?
        .into_iter()
        .next()
        .ok_or("Ann's booking")?;
    let own = app
        .browser()
        .get(&format!("/events/booking?token={}", ann.token))
        .await?;
    assert_eq!(link_from(&own.body, "/events/")?, format!("/events/{id}"));
    assert!(own.body.contains(&calendar.replace('&', "&amp;")));

    // Without the key, or with another event's, there is no file: it says how to join.
    let other = webinar_by(&mut pat, "5").await?;
    for wrong in [
        format!("/events/{id}/calendar.ics"),
        format!("/events/{id}/calendar.ics?key=00000000000000000000000000000000"),
        calendar.replace(&format!("/events/{id}/"), &format!("/events/{other}/")),
    ] {
        let page = app.browser().get(&wrong).await?;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{wrong}");
        assert!(!page.body.contains("Room 4"));
    }

    // Waiting: no joining details and no file.
    let mut bob = app.browser();
    let waiting = bob
        .post(
            &format!("/events/{id}/book"),
            &[("name", "Bob"), ("email", "bob@example.com")],
        )
        .await?;
    let waiting = bob.follow(waiting).await?;
    assert!(waiting.body.contains("You are on the waiting list"));
    assert!(!waiting.body.contains("Room 4") && !waiting.body.contains("calendar.ics"));
    Ok(())
}
