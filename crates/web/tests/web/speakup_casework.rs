//! A caseworker's pages (issue 16): the case is a summary with the conversation first, and
//! each other piece of work has a page of its own; every change comes back to the case
//! with a banner saying what happened, through a redirect, so a reload repeats nothing.

use crate::speakup::{WHAT, guardian, only_case_id, report, speak_up_on};
use crate::support::{Browser, TestApp, TestResult};
use axum::http::StatusCode;
use dignity_domain::identity::Role;
use dignity_store::speakup;

dignity_store::on_both_backends!(
    crate::support::run;
    a_case_is_a_summary_with_its_work_on_pages_of_its_own,
    every_change_comes_back_to_the_case_saying_what_happened,
    a_form_with_a_problem_stays_on_its_own_page,
);

async fn entries(app: &TestApp, id: i64) -> Result<i64, Box<dyn std::error::Error>> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM case_entries WHERE case_id = $1")
            .bind(id)
            .fetch_one(app.db.pool())
            .await?,
    )
}

/// The text of `<main>`, without the header's sign-out form.
fn main_of(body: &str) -> &str {
    let start = body.find("<main").unwrap_or(0);
    let end = body.find("</main>").unwrap_or(body.len());
    &body[start..end]
}

/// A walk in a browser found seven forms stacked on the case page, about 4,500 px tall,
/// with the only way back at the bottom.
async fn a_case_is_a_summary_with_its_work_on_pages_of_its_own(app: &TestApp) -> TestResult {
    speak_up_on(app).await?;
    let (_, mut gina) = guardian(app, "gina@trust.nhs.uk").await?;
    report(app, WHAT).await?;
    let id = only_case_id(app).await?;
    let case = format!("/orgs/RJ1/speak-up/{id}");
    let page = gina.get(&case).await?;
    assert_eq!(page.status, StatusCode::OK);
    let main = main_of(&page.body);
    // One form on the case itself: writing to the person, below the conversation.
    assert_eq!(main.matches("<form").count(), 1, "{main}");
    let conversation = main
        .find("<h2>Conversation</h2>")
        .ok_or("no conversation")?;
    let summary = main.find(">Summary</h2>").ok_or("no summary")?;
    assert!(conversation < summary, "the conversation comes first");
    assert!(main.find(WHAT).is_some_and(|at| at < summary));
    // The way back is at the top, above the heading.
    let back = page
        .body
        .find("href=\"/orgs/RJ1/speak-up\"")
        .ok_or("no way back")?;
    assert!(back < page.body.find("<h1>").ok_or("no heading")?);

    for (tab, heading) in [
        ("status", "Change the status"),
        ("assign", "Choose who looks after it"),
        ("record", "Record what it is about"),
        ("note", "Add a note"),
        ("referral", "Record a referral"),
        ("close", "Close the case"),
    ] {
        let href = format!("{case}/{tab}");
        assert!(
            main.contains(&format!("href=\"{href}\"")),
            "the case links to {tab}"
        );
        let page = gina.get(&href).await?;
        assert_eq!(page.status, StatusCode::OK, "{href}");
        let main = main_of(&page.body);
        assert!(
            main.contains(&format!("<h1>{heading}</h1>")),
            "{href}: {main}"
        );
        assert_eq!(main.matches("<form").count(), 1, "{href}: one form");
        assert!(
            main.contains(&format!(
                "<span class=\"nhsuk-contents-list__current\">{heading}</span>"
            )),
            "{href} marks itself in the case's pages"
        );
        // Back to the case, above the heading and below the form.
        let up = page
            .body
            .find(&format!("href=\"{case}\""))
            .ok_or("no way back")?;
        assert!(up < page.body.find("<h1>").ok_or("no heading")?, "{href}");
        assert!(main.contains(&format!("Back to Concern {id}")), "{href}");
        // Nothing of the concern's content is needed, or shown, to change its record.
        assert!(!page.body.contains(WHAT), "{href}");
    }
    // A grievance stage and a detriment check belong to other cases: the pages say so.
    let page = gina.get(&format!("{case}/detriment")).await?;
    assert!(
        page.body
            .contains("The detriment check is made after the case is closed")
    );
    assert!(!main_of(&page.body).contains("<form"));
    Ok(())
}

/// What each change does, what it posts, and the banner it ends with.
async fn change(
    gina: &mut Browser,
    case: &str,
    action: &str,
    fields: &[(&str, &str)],
    banner: &str,
) -> TestResult {
    let page = gina.post(&format!("{case}/{action}"), fields).await?;
    let done = page.location.clone().unwrap_or_default();
    assert!(
        page.status == StatusCode::SEE_OTHER || page.status.is_redirection(),
        "{action}: {} {}",
        page.status,
        page.body
    );
    assert!(
        done.starts_with(&format!("{case}?done=")),
        "{action}: {done}"
    );
    let page = gina.get(&done).await?;
    assert_eq!(page.status, StatusCode::OK, "{action}");
    assert!(
        page.body.contains("nhsuk-notification-banner--success"),
        "{action}: {}",
        page.body
    );
    assert!(page.body.contains(banner), "{action}: wanted {banner:?}");
    Ok(())
}

/// An action's address, its fields, and the banner it ends with.
type Step<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);

/// Every change ends on the case with a banner, through a redirect: reloading the page
/// the browser ends on shows the banner again and changes nothing.
async fn every_change_comes_back_to_the_case_saying_what_happened(app: &TestApp) -> TestResult {
    speak_up_on(app).await?;
    let (gina_person, mut gina) = guardian(app, "gina@trust.nhs.uk").await?;
    report(app, WHAT).await?;
    let id = only_case_id(app).await?;
    let case = format!("/orgs/RJ1/speak-up/{id}");
    let gina_id = gina_person.id.to_string();
    let steps: [Step; 8] = [
        (
            "message",
            vec![("text", "Thank you for telling us.")],
            "Message sent",
        ),
        ("note", vec![("text", "Spoke to HR.")], "Note added"),
        (
            "referral",
            vec![("to_whom", "Ward manager"), ("text", "Sent on Monday.")],
            "Referral recorded",
        ),
        (
            "status",
            vec![("status", "in_progress")],
            "Status changed to in progress",
        ),
        (
            "assign",
            vec![("guardian", gina_id.as_str())],
            "Case assigned to ",
        ),
        (
            "record",
            vec![("elements", "bullying"), ("group", "Doctors")],
            "Elements and professional group saved",
        ),
        (
            "close",
            vec![("text", "Training was arranged.")],
            "Case closed",
        ),
        ("detriment", vec![("found", "no")], "Detriment check saved"),
    ];
    for (action, fields, banner) in &steps {
        let before = (
            entries(app, id).await?,
            speakup::case_in_organisation(&app.db, app.org.id, id).await?,
        );
        change(&mut gina, &case, action, fields, banner).await?;
        let after = (
            entries(app, id).await?,
            speakup::case_in_organisation(&app.db, app.org.id, id).await?,
        );
        assert_ne!(before, after, "{action} changed the case");
        // The reload: the same address again, and nothing more happens.
        let again = gina.get(&format!("{case}?done={action}")).await?;
        assert_eq!(again.status, StatusCode::OK);
        let reloaded = (
            entries(app, id).await?,
            speakup::case_in_organisation(&app.db, app.org.id, id).await?,
        );
        assert_eq!(after, reloaded, "reloading after {action} repeats nothing");
    }
    // Only the codes the pages send make a banner: nothing typed into the address is shown.
    let page = gina.get(&format!("{case}?done=%3Cscript%3E")).await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("nhsuk-notification-banner"));
    assert!(!page.body.contains("<script>"));
    let case_now = speakup::case_in_organisation(&app.db, app.org.id, id).await?;
    assert_eq!(case_now.assigned_to, Some(gina_person.id));
    assert_eq!(case_now.professional_group.as_deref(), Some("Doctors"));
    Ok(())
}

/// A mistake is explained on the page it was made on, with what was typed kept.
async fn a_form_with_a_problem_stays_on_its_own_page(app: &TestApp) -> TestResult {
    speak_up_on(app).await?;
    let (_, mut gina) = guardian(app, "gina@trust.nhs.uk").await?;
    report(app, WHAT).await?;
    let id = only_case_id(app).await?;
    let case = format!("/orgs/RJ1/speak-up/{id}");
    for (action, fields, heading, message) in [
        ("note", vec![("text", "  ")], "Add a note", "Write a note"),
        (
            "referral",
            vec![("to_whom", "Occupational health"), ("text", "")],
            "Record a referral",
            "Say who you referred the case to",
        ),
        ("status", vec![], "Change the status", "Choose a new status"),
        (
            "assign",
            vec![("guardian", "12345")],
            "Choose who looks after it",
            "Choose a guardian from the list",
        ),
        (
            "record",
            vec![("group", "Astronauts")],
            "Record what it is about",
            "Choose a professional group from the list",
        ),
        (
            "close",
            vec![],
            "Close the case",
            "Write a short summary of the outcome",
        ),
    ] {
        let page = gina.post(&format!("{case}/{action}"), &fields).await?;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{action}");
        assert!(
            page.body.contains(&format!("<h1>{heading}</h1>")),
            "{action}"
        );
        assert!(page.body.contains("nhsuk-error-summary"), "{action}");
        assert!(page.body.contains(message), "{action}: {}", page.body);
        assert!(page.body.contains("<title>Error: "), "{action}");
    }
    let page = gina
        .post(
            &format!("{case}/referral"),
            &[("to_whom", "Occupational health")],
        )
        .await?;
    assert!(
        page.body.contains("value=\"Occupational health\""),
        "what was typed is kept"
    );
    // A message with a problem stays on the case, with the conversation.
    let page = gina
        .post(&format!("{case}/message"), &[("text", "")])
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains(&format!("<h1>Concern {id}</h1>")));
    assert!(page.body.contains(WHAT));
    assert_eq!(entries(app, id).await?, 1, "nothing was written");
    // Employee relations do not handle concerns, on any of its pages.
    let erin = app.person("erin@trust.nhs.uk", Some(Role::ErLead)).await?;
    let mut erin = app.signed_in_browser(&erin).await?;
    for tab in [
        "status",
        "assign",
        "record",
        "note",
        "referral",
        "close",
        "detriment",
    ] {
        let page = erin.get(&format!("{case}/{tab}")).await?;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{tab}");
    }
    Ok(())
}
