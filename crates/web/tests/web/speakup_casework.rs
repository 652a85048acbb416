//! A caseworker's pages (issue 16): the case is a summary with the conversation first, and
//! each other piece of work has a page of its own; every change comes back to the case
//! with a banner saying what happened, through a redirect, so a reload repeats nothing.

use crate::speakup::{WHAT, guardian, only_case_id, report, speak_up_on};
use crate::support::{Browser, Page, TestApp, TestResult};
use axum::http::StatusCode;
use dignity_domain::identity::Role;
use dignity_store::speakup;

dignity_store::on_both_backends!(
    crate::support::run;
    a_case_is_a_summary_with_its_work_on_pages_of_its_own,
    every_change_comes_back_to_the_case_saying_what_happened,
    a_form_with_a_problem_stays_on_its_own_page,
    the_case_list_filters_without_javascript_and_finds_a_case_by_number,
    the_home_page_counts_open_and_overdue_cases,
    guardians_see_whether_the_latest_reply_was_read_from_the_next_day,
    part_of_a_case_number_finds_it_among_the_guardians_own_cases,
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
    // Every entry a caseworker writes holds at most 10,000 characters; an outcome too long
    // to keep does not close the case.
    let long = "a".repeat(10_001);
    for (action, fields, heading) in [
        ("note", vec![("text", long.as_str())], "Add a note"),
        (
            "referral",
            vec![("to_whom", "Occupational health"), ("text", long.as_str())],
            "Record a referral",
        ),
        ("close", vec![("text", long.as_str())], "Close the case"),
    ] {
        let page = gina.post(&format!("{case}/{action}"), &fields).await?;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{action}");
        assert!(
            page.body.contains(&format!("<h1>{heading}</h1>")),
            "{action}"
        );
        assert!(
            page.body.contains("Write 10,000 characters or fewer"),
            "{action}"
        );
    }
    assert_eq!(entries(app, id).await?, 1, "nothing was written");
    let page = gina.get(&case).await?;
    assert!(
        page.body.contains(&format!("{case}/close\"")),
        "still open: it can be closed"
    );
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

/// Three concerns: one assigned to Gina, one overdue, one closed.
async fn three_cases(
    app: &TestApp,
    gina: &mut Browser,
    gina_id: i64,
) -> Result<[i64; 3], Box<dyn std::error::Error>> {
    for what in [
        "Rotas are changed to punish people who complain.",
        "A consultant belittles nurses on the ward round.",
        "Agency staff are shouted at in the handover.",
    ] {
        report(app, what).await?;
    }
    let mut ids: Vec<i64> = speakup::list_cases(&app.db, app.org.id)
        .await?
        .iter()
        .map(|c| c.id)
        .collect();
    ids.sort_unstable();
    let [mine, overdue, closed] = [ids[0], ids[1], ids[2]];
    let me = gina_id.to_string();
    gina.post(
        &format!("/orgs/RJ1/speak-up/{mine}/assign"),
        &[("guardian", &me)],
    )
    .await?;
    gina.post(
        &format!("/orgs/RJ1/speak-up/{mine}/status"),
        &[("status", "in_progress")],
    )
    .await?;
    gina.post(
        &format!("/orgs/RJ1/speak-up/{closed}/close"),
        &[("text", "Resolved with the ward manager.")],
    )
    .await?;
    // Past its reply-by day, still new.
    sqlx::query("UPDATE cases SET acknowledge_by = '2020-01-06' WHERE id = $1")
        .bind(overdue)
        .execute(app.db.pool())
        .await?;
    Ok([mine, overdue, closed])
}

/// The cases a list page links to, in the tables and lists of cases.
fn listed(page: &Page, ids: &[i64]) -> Vec<i64> {
    ids.iter()
        .copied()
        .filter(|id| page.body.contains(&format!(">Concern {id}</a>")))
        .collect()
}

/// A walk in a browser found no way to narrow the case list or find a case by number.
async fn the_case_list_filters_without_javascript_and_finds_a_case_by_number(
    app: &TestApp,
) -> TestResult {
    speak_up_on(app).await?;
    let (gina_person, mut gina) = guardian(app, "gina@trust.nhs.uk").await?;
    let ids = three_cases(app, &mut gina, gina_person.id).await?;
    let [mine, overdue, closed] = ids;
    let page = gina.get("/orgs/RJ1/speak-up").await?;
    assert_eq!(listed(&page, &ids), ids.to_vec());
    // The audit log names who a case went to, as people read names (issue 16).
    let assigned: Vec<String> = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = 'speakup.case_change' \
         AND detail LIKE 'Assigned%'",
    )
    .fetch_all(app.db.pool())
    .await?;
    assert_eq!(
        assigned,
        [format!(
            "Assigned case {mine} to {}",
            gina_person.display_name
        )]
    );
    let granted: Vec<String> =
        sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'role.grant'")
            .fetch_all(app.db.pool())
            .await?;
    assert!(
        granted.contains(&format!(
            "Gave {} the role Freedom to Speak Up Guardian",
            gina_person.email
        )),
        "{granted:?}"
    );
    // A GET form: no JavaScript, and the address can be kept or linked to.
    assert!(
        page.body
            .contains("action=\"/orgs/RJ1/speak-up\" method=\"get\"")
    );
    assert!(
        page.body.contains("id=\"type\""),
        "guardians read both kinds of case"
    );
    for (query, wanted) in [
        ("status=open", vec![mine, overdue]),
        ("status=closed", vec![closed]),
        ("status=new", vec![overdue]),
        ("overdue=yes", vec![overdue]),
        ("mine=yes", vec![mine]),
        ("mine=yes&overdue=yes", vec![]),
        ("type=grievance", vec![]),
        ("type=concern&status=open", vec![mine, overdue]),
        (&format!("number={overdue}"), vec![overdue]),
        (&format!("number=Concern+{closed}"), vec![closed]),
        ("number=12", vec![]),
    ] {
        let page = gina.get(&format!("/orgs/RJ1/speak-up?{query}")).await?;
        assert_eq!(page.status, StatusCode::OK, "{query}");
        assert_eq!(listed(&page, &ids), wanted, "{query}");
        assert!(
            page.body
                .contains(&format!("Showing {} of 3 cases", wanted.len())),
            "{query}"
        );
        assert!(page.body.contains("Clear the filters"), "{query}");
    }
    // What was chosen is shown back in the form.
    let page = gina
        .get("/orgs/RJ1/speak-up?status=closed&overdue=yes&mine=yes&number=7")
        .await?;
    assert!(page.body.contains("<option value=\"closed\" selected>"));
    assert!(
        page.body
            .contains("name=\"overdue\" type=\"checkbox\" value=\"yes\" checked")
    );
    assert!(
        page.body
            .contains("name=\"mine\" type=\"checkbox\" value=\"yes\" checked")
    );
    assert!(page.body.contains("value=\"7\""));
    // Words that are not a case number or a status are explained, not obeyed.
    for (query, message) in [
        ("number=seven", "Enter a case number using numbers only"),
        (
            "number=1%3B+DROP+TABLE+cases",
            "Enter a case number using numbers only",
        ),
        ("status=lost", "Choose a status from the list"),
        ("type=complaint", "Choose a type of case from the list"),
    ] {
        let page = gina.get(&format!("/orgs/RJ1/speak-up?{query}")).await?;
        assert!(page.body.contains("nhsuk-error-summary"), "{query}");
        assert!(page.body.contains("<title>Error: "), "{query}");
        assert!(page.body.contains(message), "{query}");
    }
    // Employee relations read grievances only: no choice of type, and no concerns.
    let erin = app.person("erin@trust.nhs.uk", Some(Role::ErLead)).await?;
    let mut erin = app.signed_in_browser(&erin).await?;
    let page = erin.get("/orgs/RJ1/speak-up?type=concern").await?;
    assert!(!page.body.contains("id=\"type\""));
    assert_eq!(listed(&page, &ids), Vec::<i64>::new());
    Ok(())
}

/// The home page now says how many cases are open and overdue, each linking to the list
/// filtered to them.
async fn the_home_page_counts_open_and_overdue_cases(app: &TestApp) -> TestResult {
    speak_up_on(app).await?;
    let (gina_person, mut gina) = guardian(app, "gina@trust.nhs.uk").await?;
    let ids = three_cases(app, &mut gina, gina_person.id).await?;
    let home = gina.get("/home").await?;
    assert!(
        home.body
            .contains("<a href=\"/orgs/RJ1/speak-up?status=open\">2 open cases</a>"),
        "{}",
        home.body
    );
    assert!(
        home.body
            .contains("<a href=\"/orgs/RJ1/speak-up?overdue=yes\"><strong>1 overdue</strong></a>")
    );
    // Each link leads to what it counts.
    let page = gina.get("/orgs/RJ1/speak-up?status=open").await?;
    assert_eq!(listed(&page, &ids).len(), 2);
    let page = gina.get("/orgs/RJ1/speak-up?overdue=yes").await?;
    assert_eq!(listed(&page, &ids), vec![ids[1]]);
    // Employee relations count grievances only.
    let erin = app.person("erin@trust.nhs.uk", Some(Role::ErLead)).await?;
    let mut erin = app.signed_in_browser(&erin).await?;
    let home = erin.get("/home").await?;
    assert!(
        home.body.contains("0 open Speak Up grievances"),
        "{}",
        home.body
    );
    assert!(home.body.contains("None overdue"));
    // Nobody else's home page counts cases.
    let sam = app.person("sam@trust.nhs.uk", Some(Role::Staff)).await?;
    let home = app.signed_in_browser(&sam).await?.get("/home").await?;
    assert!(!home.body.contains("open case"));
    Ok(())
}

/// Whether the person who spoke up has read the latest reply: a day is kept, not a time,
/// it is shown only from the next day, and the visit writes nothing else.
async fn guardians_see_whether_the_latest_reply_was_read_from_the_next_day(
    app: &TestApp,
) -> TestResult {
    speak_up_on(app).await?;
    let (_, mut gina) = guardian(app, "gina@trust.nhs.uk").await?;
    let (mut reporter, code) = report(app, WHAT).await?;
    let id = only_case_id(app).await?;
    let case = || speakup::case_in_organisation(&app.db, app.org.id, id);
    let read_cell = |page: &Page| -> String {
        let at = page
            .body
            .find("aria-hidden=\"true\">Latest reply read </span>")
            .map(|at| at + "aria-hidden=\"true\">Latest reply read </span>".len())
            .unwrap_or(0);
        let rest = &page.body[at..];
        rest[..rest.find("</td>").unwrap_or(0)].to_owned()
    };
    let audit = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log")
            .fetch_one(app.db.pool())
            .await
    };

    // Nothing written to them yet: a visit writes nothing at all.
    reporter
        .post("/speak-up/follow-up", &[("code", &code)])
        .await?;
    assert_eq!(case().await?.reporter_read_on, None);
    let page = gina.get("/orgs/RJ1/speak-up").await?;
    assert_eq!(read_cell(&page), "No reply yet");

    gina.post(
        &format!("/orgs/RJ1/speak-up/{id}/message"),
        &[("text", "Thank you. Can you tell us more?")],
    )
    .await?;
    let today = case().await?.last_reply_on.ok_or("no reply day")?;
    let page = gina.get("/orgs/RJ1/speak-up").await?;
    assert_eq!(read_cell(&page), "Not yet");

    // They read it today: the day is kept, and nothing else is written beside it.
    let before = audit().await?;
    let page = reporter
        .post("/speak-up/follow-up", &[("code", &code)])
        .await?;
    assert!(page.body.contains("Can you tell us more?"));
    assert_eq!(audit().await?, before, "the visit is not audited");
    assert_eq!(case().await?.reporter_read_on, Some(today));
    // Shown from the next day only, so refreshing the list cannot time the visit.
    let page = gina.get("/orgs/RJ1/speak-up").await?;
    assert_eq!(read_cell(&page), "Not yet");
    let page = gina.get(&format!("/orgs/RJ1/speak-up/{id}")).await?;
    assert!(
        page.body
            .contains("Not yet (a read shows from the day after)")
    );

    // As if the visit had been yesterday: now it shows.
    let yesterday = today.plus_days(-1).to_string();
    sqlx::query("UPDATE cases SET reporter_read_on = $1 WHERE id = $2")
        .bind(&yesterday)
        .bind(id)
        .execute(app.db.pool())
        .await?;
    let page = gina.get("/orgs/RJ1/speak-up").await?;
    assert!(read_cell(&page).contains("Read"), "{}", read_cell(&page));
    let page = gina.get(&format!("/orgs/RJ1/speak-up/{id}")).await?;
    assert!(
        page.body
            .contains("<dd class=\"nhsuk-u-margin-left-0 nhsuk-u-margin-bottom-2\">Read</dd>")
    );
    // Later visits do not move the day on.
    reporter
        .post("/speak-up/follow-up", &[("code", &code)])
        .await?;
    assert_eq!(
        case().await?.reporter_read_on.map(|d| d.to_string()),
        Some(yesterday)
    );
    // A new reply is unread again; so is the outcome.
    gina.post(
        &format!("/orgs/RJ1/speak-up/{id}/close"),
        &[("text", "We have spoken to the manager.")],
    )
    .await?;
    assert_eq!(case().await?.reporter_read_on, None);
    let page = gina.get(&format!("/orgs/RJ1/speak-up/{id}")).await?;
    assert!(page.body.contains("Not yet"));
    Ok(())
}

/// An outside review had to type all 19 digits of a case number to find a case. Now part
/// of it (4 digits or more, anywhere in the number) finds it, among the cases the guardian
/// can already see: never another organisation's, and the page says when nothing matches.
async fn part_of_a_case_number_finds_it_among_the_guardians_own_cases(app: &TestApp) -> TestResult {
    speak_up_on(app).await?;
    let (_, mut gina) = guardian(app, "gina@trust.nhs.uk").await?;
    report(app, WHAT).await?;
    let ours = only_case_id(app).await?;
    // A case at another organisation, sent through its own Speak Up page.
    let recovery = dignity_crypto::speakup::SecretKey::generate();
    speakup::init(
        &app.db,
        "test",
        1,
        &app.other_org,
        &dignity_crypto::speakup::public_key(&recovery),
        2,
    )
    .await?;
    let mut elsewhere = app.browser();
    elsewhere.get("/speak-up/RJ2").await?;
    let page = elsewhere
        .post(
            "/speak-up/RJ2",
            &[
                ("identity", "anonymous"),
                ("what_happened", "Somewhere else entirely."),
                ("patient_safety", "no"),
            ],
        )
        .await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let theirs = speakup::list_cases(&app.db, app.other_org.id)
        .await?
        .first()
        .ok_or("no case elsewhere")?
        .id;
    let ours_text = ours.to_string();
    let last = |n: usize| ours_text[ours_text.len() - n..].to_owned();
    for part in [
        last(4),
        last(7),
        ours_text[3..9].to_owned(),
        format!("Concern {}", last(5)),
    ] {
        let page = gina
            .get(&format!(
                "/orgs/RJ1/speak-up?number={}",
                part.replace(' ', "+")
            ))
            .await?;
        assert_eq!(page.status, StatusCode::OK, "{part}");
        assert_eq!(listed(&page, &[ours]), vec![ours], "{part}");
        assert!(page.body.contains("Showing 1 of 1 case."), "{part}");
    }
    // Another organisation's case, by its whole number or a part of it found only there.
    let theirs_text = theirs.to_string();
    let only_theirs = (0..theirs_text.len() - 6)
        .map(|i| theirs_text[i..i + 6].to_owned())
        .find(|part| !ours_text.contains(part.as_str()))
        .ok_or("no part of their number is only theirs")?;
    for part in [theirs_text.clone(), only_theirs] {
        let page = gina
            .get(&format!("/orgs/RJ1/speak-up?number={part}"))
            .await?;
        assert_eq!(page.status, StatusCode::OK, "{part}");
        assert_eq!(listed(&page, &[theirs]), Vec::<i64>::new(), "{part}");
        assert!(
            !page.body.contains(&format!("/speak-up/{theirs}\"")),
            "{part}: no link to their case"
        );
        assert!(!page.body.contains("Somewhere else"), "{part}");
        assert!(page.body.contains("Showing 0 of 1 case."), "{part}");
        assert!(
            page.body
                .contains(&format!("No case you can see has {part} in its number")),
            "{part}: {}",
            page.body
        );
    }
    // Fewer than 4 digits must be the whole number, and the page says how to search.
    let page = gina.get("/orgs/RJ1/speak-up?number=123").await?;
    assert!(page.body.contains("No case you can see has the number 123"));
    assert!(page.body.contains("type at least 4 numbers from it"));
    Ok(())
}
