//! Partnership action plans in the pages, on both databases: drafting, both sides signing
//! the same version, a stale approval refused, and the public pages showing only what was
//! signed.

use crate::support::{Browser, TestApp, TestResult, token_after};
use axum::http::StatusCode;
use dignity_domain::identity::Role;
use dignity_store::plans;

dignity_store::on_both_backends!(
    crate::support::run;
    a_plan_is_drafted_signed_by_both_sides_and_published,
    measures_show_baseline_latest_and_target,
    changes_wait_for_both_signatures_and_the_history_shows_them,
    actions_come_in_from_a_spreadsheet_all_or_none_and_plans_are_copied,
    followers_confirm_get_one_email_per_burst_and_stop_in_one_click,
    staff_comments_are_read_by_an_administrator_before_they_show,
    another_organisations_union_partner_cannot_see_a_draft,
    a_plans_address_reaches_only_its_own_actions,
    signatories_read_what_changed_then_approve_it,
    a_plan_never_published_is_reviewed_as_all_new,
    each_save_on_a_plan_says_what_was_saved,
    each_signed_version_in_the_feed_leads_to_its_own_page,
);

async fn a_plan_is_drafted_signed_by_both_sides_and_published(app: &TestApp) -> TestResult {
    let exec = app
        .person("ezra@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let union = app
        .person("uma@trust.nhs.uk", Some(Role::UnionPartner))
        .await?;
    let mut ezra = app.signed_in_browser(&exec).await?;
    let mut uma = app.signed_in_browser(&union).await?;

    // Every mistake at once, each date's naming its date; nothing is saved.
    let page = ezra
        .post(
            "/orgs/RJ1/plans",
            &[
                ("title", ""),
                ("period_start-day", "31"),
                ("period_start-month", "3"),
                ("period_start-year", "2027"),
                ("period_end-day", "1"),
                ("period_end-month", "4"),
                ("period_end-year", "2026"),
            ],
        )
        .await?;
    let summary = crate::support::error_summary(&page.body);
    assert!(
        summary.contains("<a href=\"#title\">Enter a title"),
        "{summary}"
    );
    assert!(
        summary.contains(
            "<a href=\"#period_end-day\">The end date must be the same as or after the start date"
        ),
        "{summary}"
    );
    let page = ezra
        .post(
            "/orgs/RJ1/plans",
            &[
                ("title", ""),
                ("period_start-day", "31"),
                ("period_start-month", "2"),
                ("period_start-year", "2027"),
                ("period_end-year", "2028"),
            ],
        )
        .await?;
    let summary = crate::support::error_summary(&page.body);
    for (link, message) in [
        ("title", "Enter a title"),
        ("period_start-day", "The start date must be a real date"),
        (
            "period_end-day",
            "The end date must include a day and month",
        ),
    ] {
        assert!(
            summary.contains(&format!("<a href=\"#{link}\">{message}")),
            "{message}: {summary}"
        );
    }
    assert!(
        page.body
            .contains(r#"name="period_start-day" type="text" inputmode="numeric" value="31""#)
    );
    assert!(plans::plans_for(&app.db, app.org.id).await?.is_empty());

    let page = ezra
        .post(
            "/orgs/RJ1/plans",
            &[
                ("title", "Respect at work 2026 to 2027"),
                ("period_start-day", "1"),
                ("period_start-month", "4"),
                ("period_start-year", "2026"),
                ("period_end-day", "31"),
                ("period_end-month", "3"),
                ("period_end-year", "2027"),
                ("summary", "What we will do together."),
            ],
        )
        .await?;
    let plan = plans::plans_for(&app.db, app.org.id)
        .await?
        .pop()
        .ok_or("the plan was saved")?;
    assert!(page.redirects_to(&format!("/orgs/RJ1/plans/{}", plan.id)));
    let path = format!("/orgs/RJ1/plans/{}", plan.id);
    let groups = plans::groups(&app.db, plan.id).await?;
    let group = groups[0].id.to_string();

    let add = |title: &'static str, due: &'static str| {
        let due: Vec<&str> = due.split('-').collect();
        vec![
            ("group", group.clone()),
            ("title", title.to_owned()),
            ("owner", "Director of People".to_owned()),
            ("starts-day", "1".to_owned()),
            ("starts-month", "5".to_owned()),
            ("starts-year", "2026".to_owned()),
            ("due-day", due.get(2).copied().unwrap_or("").to_owned()),
            ("due-month", due.get(1).copied().unwrap_or("").to_owned()),
            ("due-year", due.first().copied().unwrap_or("").to_owned()),
        ]
    };
    let bad: Vec<(&str, String)> = add("Civility training", "2026-01-01");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = ezra.post(&format!("{path}/actions"), &bad).await?;
    assert!(
        crate::support::error_summary(&page.body).contains(
            "<a href=\"#due-day\">The due date must be the same as or after the start date"
        ),
        "{}",
        page.body
    );
    // An action with no owner and a start date missing its month: both at once, and
    // what was typed stays.
    let mut bad: Vec<(&str, String)> = add("Civility training", "2026-09-30");
    bad.retain(|(k, _)| !matches!(*k, "owner" | "starts-month"));
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = ezra.post(&format!("{path}/actions"), &bad).await?;
    let summary = crate::support::error_summary(&page.body);
    for (link, message) in [
        ("owner", "Enter who owns the action"),
        ("starts-day", "The start date must include a month"),
    ] {
        assert!(
            summary.contains(&format!("<a href=\"#{link}\">{message}")),
            "{message}: {summary}"
        );
    }
    assert!(
        page.body
            .contains(r#"name="due-day" type="text" inputmode="numeric" value="30""#)
    );
    let good = add("Civility training", "2026-09-30");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = ezra.post(&format!("{path}/actions"), &good).await?;
    assert!(page.redirects_to(&path), "{}", page.body);
    let version = plans::get_plan(&app.db, plan.id).await?.version.to_string();

    // Uma opens the plan at this version; Ezra then adds another action.
    let seen_by_uma = version.clone();
    let second = add("Exit interviews", "2026-12-31");
    let second: Vec<(&str, &str)> = second.iter().map(|(k, v)| (*k, v.as_str())).collect();
    ezra.post(&format!("{path}/actions"), &second).await?;
    let page = uma
        .post(
            &format!("{path}/approve"),
            &[("side", "union"), ("version", &seen_by_uma)],
        )
        .await?;
    assert!(
        page.body
            .contains("The plan has changed since you opened it"),
        "{}",
        page.body
    );
    assert_eq!(
        plans::get_plan(&app.db, plan.id).await?.published_version,
        None
    );

    // A union partner cannot sign for the employer.
    let now = plans::get_plan(&app.db, plan.id).await?.version.to_string();
    let page = uma
        .post(
            &format!("{path}/approve"),
            &[("side", "employer"), ("version", &now)],
        )
        .await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    // Both sign the current version: published.
    ezra.post(
        &format!("{path}/approve"),
        &[("side", "employer"), ("version", &now)],
    )
    .await?;
    let page = app.browser().get("/plans/RJ1").await?;
    assert_eq!(
        page.status,
        StatusCode::NOT_FOUND,
        "not public until both sign"
    );
    uma.post(
        &format!("{path}/approve"),
        &[("side", "union"), ("version", &now)],
    )
    .await?;
    let published = plans::get_plan(&app.db, plan.id).await?;
    assert_eq!(published.published_version, Some(published.version));

    // Progress is reported and shows publicly; an action added later does not until signed.
    let actions = plans::actions(&app.db, plan.id).await?;
    let page = ezra
        .post(
            &format!("{path}/actions/{}/progress", actions[0].id),
            &[("status", "on_track"), ("progress", "140")],
        )
        .await?;
    assert!(
        page.body
            .contains("Progress must be a whole number from 0 to 100")
    );
    ezra.post(
        &format!("{path}/actions/{}/progress", actions[0].id),
        &[("status", "on_track"), ("progress", "40")],
    )
    .await?;
    // Progress updates: only web links as evidence; shown publicly and in the feed.
    let update_path = format!("{path}/actions/{}/updates", actions[0].id);
    let page = ezra
        .post(
            &update_path,
            &[
                ("body", "Forty managers trained."),
                ("links", "javascript:alert(1)"),
            ],
        )
        .await?;
    assert!(
        page.body.contains("Each link must be a full web address"),
        "{}",
        page.body
    );
    assert!(plans::updates(&app.db, plan.id).await?.is_empty());
    ezra.post(
        &update_path,
        &[
            ("body", "Forty managers trained <b>so far</b>."),
            ("links", "https://example.nhs.uk/report"),
        ],
    )
    .await?;
    let later = add("Not yet signed", "2026-12-31");
    let later: Vec<(&str, &str)> = later.iter().map(|(k, v)| (*k, v.as_str())).collect();
    ezra.post(&format!("{path}/actions"), &later).await?;
    let public = app.browser().get("/plans/RJ1").await?;
    assert_eq!(public.status, StatusCode::OK, "{}", public.body);
    assert!(public.body.contains("Civility training") && public.body.contains("40% done"));
    assert!(!public.body.contains("Not yet signed"));
    assert!(
        public
            .body
            .contains("approved by both the employer and the trade unions")
    );
    assert!(public.body.contains("Forty managers trained"));
    assert!(
        !public.body.contains("<b>so far"),
        "words are shown as text, not markup"
    );
    assert!(
        public
            .body
            .contains("href=\"https://example.nhs.uk/report\"")
    );
    let feed = app.browser().get("/plans/RJ1/feed.atom").await?;
    assert!(feed.content_type.starts_with("application/atom+xml"));
    let parsed: atom_syndication::Feed = feed.body.parse()?;
    // The progress update and the version both sides signed are each an entry, and the
    // feed is as new as its newest entry.
    assert_eq!(parsed.entries.len(), 2, "{}", feed.body);
    assert_eq!(parsed.authors[0].name, "Trust RJ1");
    let titles: Vec<&str> = parsed
        .entries
        .iter()
        .map(|e| e.title.value.as_str())
        .collect();
    assert!(
        titles.iter().any(|t| t.starts_with("Civility training")),
        "{titles:?}"
    );
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("Version 3 of the plan signed by both sides")),
        "{titles:?}"
    );
    let newest = parsed.entries.iter().map(|e| e.updated).max();
    assert_eq!(Some(parsed.updated), newest);
    // The plan's page tells feed readers where its feed is.
    assert!(public.body.contains(
        "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"/plans/RJ1/feed.atom\""
    ));
    // The poster: a PDF and an A4 picture with the blue header and the plan's bars.
    let png = app.browser().get("/plans/RJ1/poster.png").await?.bytes;
    let image = image::load_from_memory(&png)?.to_rgba8();
    assert_eq!((image.width(), image.height()), (1190, 1684));
    let blue = image
        .pixels()
        .filter(|p| p.0[..3] == [0x00, 0x5e, 0xb8])
        .count();
    let green = image
        .pixels()
        .filter(|p| p.0[..3] == [0x00, 0x7f, 0x3b])
        .count();
    assert!(blue > 100_000 && green > 100, "{blue} blue, {green} green");
    let pdf = app.browser().get("/plans/RJ1/poster.pdf").await?.bytes;
    assert!(pdf.starts_with(b"%PDF-"));
    let missing = app.browser().get("/plans/RJ2/poster.png").await?;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let index = app.browser().get("/plans").await?;
    assert!(
        index.body.contains("1 of 2 organisations have published"),
        "{}",
        index.body
    );
    assert!(index.body.contains("Trust RJ1"));
    let london = app
        .browser()
        .get("/plans?region=london&org_type=acute")
        .await?;
    assert!(
        london.body.contains("1 of 2 organisations have published"),
        "{}",
        london.body
    );
    let elsewhere = app.browser().get("/plans?region=south_west").await?;
    assert!(
        elsewhere.body.contains("0 of 0 organisations"),
        "{}",
        elsewhere.body
    );
    assert!(!elsewhere.body.contains("Trust RJ1"));
    let junk = app.browser().get("/plans?region=atlantis").await?;
    assert_eq!(junk.status, StatusCode::OK);

    let csv = ezra.get(&format!("{path}/actions.csv")).await?;
    assert!(csv.content_type.starts_with("text/csv"));
    assert!(
        csv.body.starts_with("\"commitment\",\"action\""),
        "{}",
        csv.body
    );
    assert!(csv.body.contains("\"Civility training\""));
    assert_eq!(csv.body.lines().count(), 4, "a header and three actions");

    // The signers of another organisation (its executive and its union partner) cannot
    // open the draft, by its own address or by putting it under their organisation's.
    for (email, role) in [
        ("olly@other.nhs.uk", Role::Executive),
        ("una@other.nhs.uk", Role::UnionPartner),
    ] {
        let other = app.person_in(email, Some(role), &app.other_org).await?;
        let page = app.signed_in_browser(&other).await?.get(&path).await?;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{role:?}");
        let page = app
            .signed_in_browser(&other)
            .await?
            .get(&format!("/orgs/RJ2/plans/{}", plan.id))
            .await?;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{role:?}");
    }
    Ok(())
}

async fn measures_show_baseline_latest_and_target(app: &TestApp) -> TestResult {
    use dignity_domain::speakup::Day;
    use dignity_domain::survey::{DEFAULT_BANK, Participation, parse};
    use dignity_store::survey::{self, Campaign, NewResponse};

    let plan = draft_plan(app, "Plan", "2026-04-01", "2027-03-31").await?;
    let action = first_action(app, &plan, "Team talks", "2026-05-01", "2026-06-01").await?;
    let exec = app
        .person("ezra@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let mut ezra = app.signed_in_browser(&exec).await?;
    let path = format!(
        "/orgs/RJ1/plans/{}/actions/{}/indicators",
        plan.id, action.id
    );
    let page = ezra
        .post(
            &path,
            &[("code", "shoe_size"), ("baseline", "150"), ("target", "20")],
        )
        .await?;
    assert!(
        page.body.contains("That measure is not one Dignity knows"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("The starting figure must be a per cent from 0 to 100")
    );
    let page = ezra
        .post(
            &path,
            &[
                ("code", "harassment_colleagues"),
                ("baseline", "26"),
                ("target", "20"),
                ("latest", "24"),
            ],
        )
        .await?;
    assert!(page.body.contains("Say where the latest figure comes from"));
    assert!(plans::indicators(&app.db, plan.id).await?.is_empty());
    ezra.post(
        &path,
        &[
            ("code", "harassment_colleagues"),
            ("baseline", "26"),
            ("target", "20"),
            ("latest", "24.5"),
            ("source", "Paper survey, spring"),
        ],
    )
    .await?;
    let page = ezra.get(&format!("/orgs/RJ1/plans/{}", plan.id)).await?;
    assert!(
        page.body
            .contains("started at 26%, latest 24.5% (Paper survey, spring), target 20%"),
        "{}",
        page.body
    );
    // The history names the measure in words, never by its key.
    let history = ezra
        .get(&format!("/orgs/RJ1/plans/{}/history", plan.id))
        .await?;
    assert!(
        history.body.contains(
            "Linked the measure “In the last 12 months, how often have other colleagues harassed"
        ),
        "{}",
        history.body
    );
    assert!(!history.body.contains("harassment_colleagues"));

    // Milestones: a bad date is named; reached ones say so.
    let milestones = format!(
        "/orgs/RJ1/plans/{}/actions/{}/milestones",
        plan.id, action.id
    );
    let page = ezra
        .post(
            &milestones,
            &[
                ("milestone", ""),
                ("milestone_due-day", "31"),
                ("milestone_due-month", "June"),
                ("milestone_due-year", "2026"),
            ],
        )
        .await?;
    // Both mistakes at once, at that action's own fields, and the form stays open with
    // what was typed.
    let summary = crate::support::error_summary(&page.body);
    for (link, message) in [
        (format!("milestone-{}", action.id), "Enter the milestone"),
        (
            format!("milestone-due-{}-day", action.id),
            "The milestone&#39;s due date must be a real date",
        ),
    ] {
        assert!(
            summary.contains(&format!("<a href=\"#{link}\">{message}")),
            "{message}: {summary}"
        );
    }
    assert!(page.body.contains(&format!(
        r#"id="milestone-due-{}-month" name="milestone_due-month" type="text" inputmode="numeric" value="June""#,
        action.id
    )));
    let page = ezra
        .post(
            &milestones,
            &[
                ("milestone", "Pilot on two wards"),
                ("milestone_due-day", "30"),
                ("milestone_due-month", "6"),
                ("milestone_due-year", "2026"),
            ],
        )
        .await?;
    assert!(page.status.is_redirection(), "{}", page.body);
    let step = plans::milestones(&app.db, plan.id).await?;
    assert_eq!(step.len(), 1);
    ezra.post(
        &format!("/orgs/RJ1/plans/{}/milestones/{}", plan.id, step[0].id),
        &[("done", "yes")],
    )
    .await?;
    let page = ezra.get(&format!("/orgs/RJ1/plans/{}", plan.id)).await?;
    assert!(
        page.body
            .contains("Pilot on two wards, due 30 June 2026. <strong>Reached.</strong>"),
        "{}",
        page.body
    );
    let junk = ezra
        .post(
            &format!("/orgs/RJ1/plans/{}/milestones/{}", plan.id, step[0].id),
            &[("done", "maybe")],
        )
        .await?;
    assert_eq!(junk.status, StatusCode::BAD_REQUEST);

    // Once the organisation has closed survey results, the latest figure comes from them.
    let survey_id = survey::save_survey(
        &app.db,
        "test",
        1,
        &parse(DEFAULT_BANK)?.key,
        "Culture",
        DEFAULT_BANK,
    )
    .await?;
    let campaign = survey::create_campaign(
        &app.db,
        "test",
        1,
        &app.org,
        &Campaign {
            id: 0,
            survey_id,
            organisation_id: app.org.id,
            title: "Culture survey 2026".into(),
            opens_on: Day::parse("2026-01-01")?,
            closes_on: Day::parse("2026-02-01")?,
            year: 2026,
            participation: Participation::Tokens,
        },
    )
    .await?;
    let definition = parse(DEFAULT_BANK)?;
    let items = definition.items().len();
    let groupings = definition.demographic_questions().count() + 1;
    let responses: Vec<NewResponse> = (0..20)
        .map(|_| NewResponse {
            id: dignity_crypto::token::random_token(),
            answers: vec![1; items],
            groupings: vec![0; groupings * 2],
            comments: Vec::new(),
        })
        .collect();
    survey::insert_responses(&app.db, campaign.id, &responses).await?;
    let page = ezra.get(&format!("/orgs/RJ1/plans/{}", plan.id)).await?;
    assert!(
        page.body
            .contains("latest 0% (Culture survey 2026), target 20%"),
        "{}",
        page.body
    );
    Ok(())
}

/// A plan with two actions (one part of the other), a measure and a milestone, signed by
/// both sides through the pages. Returns the plan's page path and the two browsers.
pub(crate) async fn signed_plan(
    app: &TestApp,
) -> Result<(String, plans::Plan, Browser, Browser), Box<dyn std::error::Error>> {
    use dignity_domain::plans::Dates;
    use dignity_domain::speakup::Day;
    use dignity_store::plans::{Editor, NewAction, NewIndicator};
    let editor = Editor {
        actor: "test",
        now: 1,
        organisation: &app.org,
    };
    let plan = draft_plan(app, "Respect at work", "2026-04-01", "2027-03-31").await?;
    let groups = plans::groups(&app.db, plan.id).await?;
    let action = |title: &str, parent: Option<i64>| NewAction {
        group_id: groups[0].id,
        parent_id: parent,
        title: title.into(),
        description: String::new(),
        owner: "HR".into(),
        employer_lead: String::new(),
        union_lead: String::new(),
        dates: Dates {
            starts_on: Day::from_unix_seconds(1_780_000_000),
            due_on: Day::from_unix_seconds(1_790_000_000),
        },
        weight: None,
    };
    let parent =
        plans::add_action(&app.db, editor, plan.id, &action("Civility training", None)).await?;
    let part = plans::add_action(
        &app.db,
        editor,
        plan.id,
        &action("Train the trainers", Some(parent.id)),
    )
    .await?;
    plans::add_indicator(
        &app.db,
        editor,
        part.id,
        &NewIndicator {
            code: "harassment_colleagues".into(),
            baseline: 26.0,
            target: 20.0,
            latest: None,
            source: String::new(),
        },
        "Harassment from colleagues",
    )
    .await?;
    plans::add_milestone(
        &app.db,
        editor,
        part.id,
        "Ten trainers ready",
        Day::parse("2026-07-01")?,
    )
    .await?;
    let exec = app
        .person("ezra@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let union = app
        .person("uma@trust.nhs.uk", Some(Role::UnionPartner))
        .await?;
    let mut ezra = app.signed_in_browser(&exec).await?;
    let mut uma = app.signed_in_browser(&union).await?;
    let path = format!("/orgs/RJ1/plans/{}", plan.id);
    sign(app, &path, plan.id, &mut ezra, &mut uma).await?;
    Ok((path, plan, ezra, uma))
}

/// Both sides approve the plan's current version.
async fn sign(
    app: &TestApp,
    path: &str,
    plan_id: i64,
    ezra: &mut Browser,
    uma: &mut Browser,
) -> TestResult {
    let version = plans::get_plan(&app.db, plan_id).await?.version.to_string();
    for (browser, side) in [(ezra, "employer"), (uma, "union")] {
        let page = browser
            .post(
                &format!("{path}/approve"),
                &[("side", side), ("version", version.as_str())],
            )
            .await?;
        assert!(page.redirects_to(path), "{}", page.body);
    }
    let plan = plans::get_plan(&app.db, plan_id).await?;
    assert_eq!(plan.published_version, Some(plan.version));
    Ok(())
}

async fn changes_wait_for_both_signatures_and_the_history_shows_them(app: &TestApp) -> TestResult {
    let (path, plan, mut ezra, mut uma) = signed_plan(app).await?;
    let actions = plans::actions(&app.db, plan.id).await?;
    let (parent, part) = (&actions[0], &actions[1]);
    let signed_version = plans::get_plan(&app.db, plan.id).await?.version;
    let form = |title: &str, parent: &str| {
        vec![
            ("group", part.group_id.to_string()),
            ("parent", parent.to_owned()),
            ("title", title.to_owned()),
            ("owner", "HR".to_owned()),
            ("starts-day", part.dates.starts_on.ymd().2.to_string()),
            ("starts-month", part.dates.starts_on.ymd().1.to_string()),
            ("starts-year", part.dates.starts_on.ymd().0.to_string()),
            ("due-day", part.dates.due_on.ymd().2.to_string()),
            ("due-month", part.dates.due_on.ymd().1.to_string()),
            ("due-year", part.dates.due_on.ymd().0.to_string()),
        ]
    };
    let action_path = format!("{path}/actions/{}", part.id);

    // Saving the action unchanged moves nothing.
    let same = form("Train the trainers", &parent.id.to_string());
    let same: Vec<(&str, &str)> = same.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = ezra.post(&action_path, &same).await?;
    assert!(
        page.redirects_to(&format!("{path}?done=action-changed&action={}", part.id)),
        "{}",
        page.body
    );
    assert_eq!(
        plans::get_plan(&app.db, plan.id).await?.version,
        signed_version
    );

    // An action cannot become part of one of its own parts.
    let loop_form = form("Civility training", &part.id.to_string());
    let loop_form: Vec<(&str, &str)> = loop_form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = ezra
        .post(&format!("{path}/actions/{}", parent.id), &loop_form)
        .await?;
    assert!(
        page.body.contains("cannot be part of itself"),
        "{}",
        page.body
    );
    // Bad dates are named on the action's page, which still shows what was typed.
    let mut bad = form("Train more trainers", "");
    assert_eq!(bad[9].0, "due-year");
    bad[9].1 = "2020".into();
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = ezra.post(&action_path, &bad).await?;
    assert!(
        crate::support::error_summary(&page.body).contains(
            "<a href=\"#due-day\">The due date must be the same as or after the start date"
        ),
        "{}",
        page.body
    );
    assert!(page.body.contains("value=\"Train more trainers\""));
    assert!(
        page.body
            .contains(r#"name="due-year" type="text" inputmode="numeric" value="2020""#)
    );

    // A real change: a new version, and the public still sees what was signed.
    let renamed = form("Train twenty trainers", &parent.id.to_string());
    let renamed: Vec<(&str, &str)> = renamed.iter().map(|(k, v)| (*k, v.as_str())).collect();
    ezra.post(&action_path, &renamed).await?;
    ezra.post(
        &format!("{path}/details"),
        &[
            ("title", "Respect at work, refreshed"),
            ("period_start-day", "1"),
            ("period_start-month", "4"),
            ("period_start-year", "2026"),
            ("period_end-day", "31"),
            ("period_end-month", "3"),
            ("period_end-year", "2027"),
        ],
    )
    .await?;
    let group = plans::groups(&app.db, plan.id).await?[0].clone();
    ezra.post(
        &format!("{path}/groups/{}", group.id),
        &[("commitment", "Leading by example")],
    )
    .await?;
    let measure = plans::indicators(&app.db, plan.id).await?[0].id;
    let step = plans::milestones(&app.db, plan.id).await?[0].id;
    ezra.post(&format!("{path}/indicators/{measure}/remove"), &[])
        .await?;
    ezra.post(&format!("{path}/milestones/{step}/remove"), &[])
        .await?;
    assert!(plans::indicators(&app.db, plan.id).await?.is_empty());
    assert!(plans::milestones(&app.db, plan.id).await?.is_empty());
    // Progress still shows publicly at once.
    ezra.post(
        &format!("{action_path}/progress"),
        &[("status", "at_risk"), ("progress", "30")],
    )
    .await?;
    // Updates too, under the action's signed name.
    ezra.post(
        &format!("{action_path}/updates"),
        &[("body", "Trainers booked."), ("links", "")],
    )
    .await?;
    let changed = plans::get_plan(&app.db, plan.id).await?;
    assert!(changed.version > signed_version);
    let public = app.browser().get("/plans/RJ1").await?;
    for signed in [
        "Train the trainers",
        "<h1>Respect at work</h1>",
        group.title.as_str(),
        "Ten trainers ready",
        "started at 26%",
        "At risk. 30% done",
        "Trainers booked.",
    ] {
        assert!(public.body.contains(signed), "{signed}: {}", public.body);
    }
    for draft in ["Train twenty trainers", "refreshed", "Leading by example"] {
        assert!(!public.body.contains(draft), "{draft}");
    }

    // A commitment with actions, or an action with parts, cannot be removed.
    let page = ezra
        .post(&format!("{path}/groups/{}/remove", group.id), &[])
        .await?;
    assert!(page.body.contains("still has actions"), "{}", page.body);
    let page = ezra
        .post(&format!("{path}/actions/{}/remove", parent.id), &[])
        .await?;
    assert!(page.body.contains("has actions under it"), "{}", page.body);
    // An empty commitment and a part can.
    let page = ezra
        .post(&format!("{path}/groups"), &[("commitment", "Extra")])
        .await?;
    assert!(page.redirects_to(&path));
    let extra = plans::groups(&app.db, plan.id)
        .await?
        .into_iter()
        .find(|g| g.title == "Extra")
        .ok_or("the commitment was added")?;
    ezra.post(&format!("{path}/groups/{}/remove", extra.id), &[])
        .await?;
    assert!(
        !plans::groups(&app.db, plan.id)
            .await?
            .iter()
            .any(|g| g.id == extra.id)
    );
    ezra.post(&format!("{action_path}/remove"), &[]).await?;
    assert_eq!(plans::actions(&app.db, plan.id).await?.len(), 1);
    let gone = ezra.get(&action_path).await?;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);

    // The history names every change and approval; each action's page has its own.
    let history = ezra.get(&format!("{path}/history")).await?;
    for entry in [
        "Changed the action Train twenty trainers",
        "Renamed the commitment",
        "Removed a measure",
        "Removed a milestone",
        "Removed the action Train twenty trainers",
        "Approved version",
        "for the trade union side",
    ] {
        assert!(history.body.contains(entry), "{entry}: {}", history.body);
    }
    let own = ezra.get(&format!("{path}/actions/{}", parent.id)).await?;
    assert!(
        own.body.contains("Added the action Civility training"),
        "{}",
        own.body
    );

    // Once both sign again, the public sees the new version.
    sign(app, &path, plan.id, &mut ezra, &mut uma).await?;
    let public = app.browser().get("/plans/RJ1").await?;
    assert!(public.body.contains("Respect at work, refreshed"));
    assert!(public.body.contains("Leading by example"));
    assert!(!public.body.contains("Train the trainers"));
    assert!(!public.body.contains("Ten trainers ready"));

    // Another organisation's people cannot change this plan.
    let other = app
        .person_in("olly@other.nhs.uk", Some(Role::OrgAdmin), &app.other_org)
        .await?;
    let mut olly = app.signed_in_browser(&other).await?;
    let page = olly
        .post(
            &format!("/orgs/RJ2/plans/{}/groups/{}", plan.id, group.id),
            &[("commitment", "Hijacked")],
        )
        .await?;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        !plans::groups(&app.db, plan.id)
            .await?
            .iter()
            .any(|g| g.title == "Hijacked")
    );
    Ok(())
}

async fn actions_come_in_from_a_spreadsheet_all_or_none_and_plans_are_copied(
    app: &TestApp,
) -> TestResult {
    use crate::support::multipart;
    let (path, plan, mut ezra, _) = signed_plan(app).await?;
    let before = plans::get_plan(&app.db, plan.id).await?.version;
    let token = ezra.csrf().await?;
    let import = format!("{path}/import?csrf_token={token}");
    let upload = |text: &str| {
        let (content_type, body) = multipart(
            &[("csrf_token", &token)],
            "file",
            &[("plan.csv", text.as_bytes())],
        );
        axum::http::Request::post(import.as_str())
            .header(axum::http::header::CONTENT_TYPE, content_type)
            .body(axum::body::Body::from(body))
    };
    let header = "commitment,action,part of,owner,starts on,due on,status,reason,progress\n";

    // A mistake on line 3: nothing is added, and the line is named.
    let bad = format!(
        "{header}Listening,Staff listening events,,Chief Nurse,2026-06-01,2026-12-31,,,\n\
         Listening,Broken dates,,Chief Nurse,2026-12-31,2026-06-01,,,\n"
    );
    let page = ezra.send(upload(&bad)?).await?;
    assert!(page.body.contains("Nothing was added"), "{}", page.body);
    assert!(
        page.body.contains("Line 3: The due date must be"),
        "{}",
        page.body
    );
    assert_eq!(plans::actions(&app.db, plan.id).await?.len(), 2);
    assert_eq!(plans::get_plan(&app.db, plan.id).await?.version, before);

    // A good file: a new commitment, an action, and a part of an existing action.
    let good = format!(
        "{header}Listening,Staff listening events,,Chief Nurse,2026-06-01,2026-12-31,on track,,25\n\
         Listening,Report back to staff,Staff listening events,Chief Nurse,2026-07-01,2026-12-31,,,\n\
         Anything,Trainer handbook,Civility training,HR,2026-05-01,2026-08-31,Not started,,\n"
    );
    let page = ezra.send(upload(&good)?).await?;
    assert!(page.redirects_to(&path), "{}", page.body);
    let actions = plans::actions(&app.db, plan.id).await?;
    assert_eq!(actions.len(), 5);
    let listening = plans::groups(&app.db, plan.id)
        .await?
        .into_iter()
        .find(|g| g.title == "Listening")
        .ok_or("the new commitment")?;
    let events = actions
        .iter()
        .find(|a| a.title == "Staff listening events")
        .ok_or("imported")?;
    assert_eq!(
        (events.group_id, events.progress.value()),
        (listening.id, 25)
    );
    let handbook = actions
        .iter()
        .find(|a| a.title == "Trainer handbook")
        .ok_or("imported")?;
    assert_eq!(handbook.parent_id, Some(actions[0].id));
    assert_eq!(
        handbook.group_id, actions[0].group_id,
        "a part sits under its parent's commitment"
    );
    assert_eq!(
        plans::get_plan(&app.db, plan.id).await?.version,
        before + 1,
        "one new version for the whole file"
    );

    // The download comes back in: its columns are the import's.
    let csv = ezra.get(&format!("{path}/actions.csv")).await?;
    assert!(
        csv.body
            .starts_with("\"commitment\",\"action\",\"part of\""),
        "{}",
        csv.body
    );

    // Copying into the next year: dates move on a year, progress starts again, unsigned.
    let page = ezra
        .post(
            &format!("{path}/copy"),
            &[
                ("title", ""),
                ("period_start-day", "1"),
                ("period_start-month", "4"),
                ("period_start-year", "2027"),
                ("period_end-day", "31"),
                ("period_end-month", "3"),
                ("period_end-year", "2027"),
            ],
        )
        .await?;
    let summary = crate::support::error_summary(&page.body);
    assert!(
        summary.contains("<a href=\"#copy_title\">Enter a title"),
        "{summary}"
    );
    assert!(
        summary.contains(
            "<a href=\"#copy_end-day\">The end date must be the same as or after the start date"
        ),
        "{summary}"
    );
    ezra.post(
        &format!("{path}/copy"),
        &[
            ("title", "Respect at work 2027 to 2028"),
            ("period_start-day", "1"),
            ("period_start-month", "4"),
            ("period_start-year", "2027"),
            ("period_end-day", "31"),
            ("period_end-month", "3"),
            ("period_end-year", "2028"),
        ],
    )
    .await?;
    let copy = plans::plans_for(&app.db, app.org.id)
        .await?
        .into_iter()
        .find(|p| p.title == "Respect at work 2027 to 2028")
        .ok_or("the copy")?;
    assert_eq!((copy.version, copy.published_version), (1, None));
    let copied = plans::actions(&app.db, copy.id).await?;
    assert_eq!(copied.len(), 5);
    assert!(copied.iter().all(|a| a.progress.value() == 0));
    let moved = copied
        .iter()
        .find(|a| a.title == "Staff listening events")
        .ok_or("copied")?;
    assert_eq!(moved.dates.starts_on.to_string(), "2027-06-01");
    let part = copied
        .iter()
        .find(|a| a.title == "Report back to staff")
        .ok_or("copied")?;
    assert_eq!(part.parent_id, Some(moved.id));
    assert_eq!(plans::indicators(&app.db, copy.id).await?.len(), 1);
    assert_eq!(
        plans::milestones(&app.db, copy.id).await?[0]
            .due_on
            .to_string(),
        "2027-07-01"
    );
    // The published plan is untouched by its copy.
    assert_eq!(plans::actions(&app.db, plan.id).await?.len(), 5);
    Ok(())
}

/// The bodies of plan-follow emails waiting in the outbox, oldest first.
async fn follow_mail(app: &TestApp) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    Ok(
        sqlx::query_scalar(
            "SELECT body FROM mail_outbox WHERE purpose = 'plan-follow' ORDER BY id",
        )
        .fetch_all(app.db.pool())
        .await?,
    )
}

async fn followers_confirm_get_one_email_per_burst_and_stop_in_one_click(
    app: &TestApp,
) -> TestResult {
    use dignity_web::plans::follow::{GATHER_SECONDS, send_notices};
    let (path, plan, mut ezra, _) = signed_plan(app).await?;
    let mut public = app.browser();
    let page = public
        .post("/plans/RJ1/follow", &[("email", "not an address")])
        .await?;
    assert!(
        page.body.contains("Enter an email address"),
        "{}",
        page.body
    );
    assert!(follow_mail(app).await?.is_empty());
    let page = public
        .post("/plans/RJ1/follow", &[("email", "fan@example.com")])
        .await?;
    // Post-redirect-get: reloading the page sends no second email.
    assert!(page.redirects_to("/plans/RJ1/follow"), "{page:?}");
    let page = public.follow(page).await?;
    assert!(page.body.contains("Check your email"), "{}", page.body);
    public.get("/plans/RJ1/follow").await?;
    let mail = follow_mail(app).await?;
    assert_eq!(mail.len(), 1);
    let token = token_after(&mail[0], "/follow/confirm?token=")?;
    assert_eq!(token.len(), 43, "256 bits, URL-safe base64");

    // Until confirmed, changes are not gathered for anyone.
    let actions = plans::actions(&app.db, plan.id).await?;
    let part = &actions[1];
    let progress = format!("{path}/actions/{}/progress", part.id);
    ezra.post(&progress, &[("status", "on_track"), ("progress", "10")])
        .await?;
    let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plan_notices")
        .fetch_one(app.db.pool())
        .await?;
    assert_eq!(waiting, 0);

    // Opening the link shows a button; only pressing it confirms.
    let page = public
        .get(&format!("/follow/confirm?token={token}"))
        .await?;
    assert!(page.body.contains("Yes, email me"), "{}", page.body);
    assert!(plans::followers(&app.db, app.org.id).await?.is_empty());
    let page = public.post("/follow/confirm", &[("token", &token)]).await?;
    assert!(
        page.body.contains("You are following this plan"),
        "{}",
        page.body
    );
    assert_eq!(plans::followers(&app.db, app.org.id).await?.len(), 1);
    // Asking again sends nothing, and the page says the same as before.
    let page = public
        .post("/plans/RJ1/follow", &[("email", "fan@example.com")])
        .await?;
    let page = public.follow(page).await?;
    assert!(page.body.contains("Check your email"));
    assert_eq!(follow_mail(app).await?.len(), 1);

    // A burst of changes: one email, from the first state to the last. An action added
    // since signing is not told.
    ezra.post(&progress, &[("status", "on_track"), ("progress", "20")])
        .await?;
    ezra.post(&progress, &[("status", "at_risk"), ("progress", "30")])
        .await?;
    let now = dignity_web::now();
    assert_eq!(
        send_notices(&app.state.app, "https://dignity.test", now).await?,
        0
    );
    assert_eq!(
        send_notices(
            &app.state.app,
            "https://dignity.test",
            now + GATHER_SECONDS + 1
        )
        .await?,
        1
    );
    let mail = follow_mail(app).await?;
    assert_eq!(mail.len(), 2);
    assert!(
        mail[1]
            .contains("- Train the trainers: now at risk, 30% done (it was on track, 10% done)."),
        "{}",
        mail[1]
    );
    assert!(mail[1].contains("https://dignity.test/plans/RJ1"));
    let stop = token_after(&mail[1], "/follow/stop?token=")?;
    assert_eq!(stop, token);
    let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plan_notices")
        .fetch_one(app.db.pool())
        .await?;
    assert_eq!(waiting, 0, "told notices are gone");

    // One click stops the emails and deletes the address.
    let page = app
        .browser()
        .get(&format!("/follow/stop?token={token}"))
        .await?;
    assert!(
        page.body.contains("You will not get any more emails"),
        "{}",
        page.body
    );
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plan_followers")
        .fetch_one(app.db.pool())
        .await?;
    assert_eq!(kept, 0);
    let again = app
        .browser()
        .get(&format!("/follow/stop?token={token}"))
        .await?;
    assert!(again.body.contains("This link does not work"));
    let junk = app.browser().get("/follow/confirm?token=nope").await?;
    assert!(junk.body.contains("This link does not work"));
    Ok(())
}

async fn staff_comments_are_read_by_an_administrator_before_they_show(app: &TestApp) -> TestResult {
    let (_, plan, _, _) = signed_plan(app).await?;
    let actions = plans::actions(&app.db, plan.id).await?;
    let path = format!(
        "/orgs/RJ1/plans/{}/actions/{}/comment",
        plan.id, actions[0].id
    );
    let staff = app.person("sam@trust.nhs.uk", Some(Role::Staff)).await?;
    let mut sam = app.signed_in_browser(&staff).await?;
    let page = sam.get(&path).await?;
    assert!(
        page.body.contains("An administrator reads every comment"),
        "{}",
        page.body
    );
    let page = sam.post(&path, &[("comment", "  ")]).await?;
    assert!(page.body.contains("Enter your comment"));
    let page = sam.post(&path, &[("comment", &"x".repeat(1_001))]).await?;
    assert!(
        page.body.contains("1,000 characters or fewer")
            || page.body.contains("1000 characters or fewer"),
        "{}",
        page.body
    );
    let page = sam
        .post(
            &path,
            &[("comment", "The training <i>helped</i> our ward.")],
        )
        .await?;
    // Post-redirect-get: the thank-you page is a plain page, so a reload sends nothing.
    assert!(page.redirects_to(&format!("{path}?sent=true")), "{page:?}");
    let page = sam.follow(page).await?;
    assert!(
        page.body.contains("Your comment has been sent"),
        "{}",
        page.body
    );
    sam.get(&format!("{path}?sent=true")).await?;
    assert_eq!(
        plans::comments(&app.db, app.org.id, plans::CommentState::Waiting)
            .await?
            .len(),
        1
    );
    sam.post(&path, &[("comment", "Name and shame Dr X.")])
        .await?;

    // Nothing shows until an administrator decides; the writer is not shown to them.
    let public = app.browser().get("/plans/RJ1").await?;
    assert!(!public.body.contains("helped"));
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut ada = app.signed_in_browser(&admin).await?;
    let queue = ada.get("/orgs/RJ1/plan-comments").await?;
    assert!(
        queue
            .body
            .contains("The training &#60;i&#62;helped&#60;/i&#62; our ward."),
        "{}",
        queue.body
    );
    assert!(!queue.body.contains("sam@trust.nhs.uk"));
    let waiting = plans::comments(&app.db, app.org.id, plans::CommentState::Waiting).await?;
    assert_eq!(waiting.len(), 2);
    ada.post(
        &format!("/orgs/RJ1/plan-comments/{}", waiting[0].id),
        &[("decision", "publish")],
    )
    .await?;
    ada.post(
        &format!("/orgs/RJ1/plan-comments/{}", waiting[1].id),
        &[("decision", "decline")],
    )
    .await?;
    let again = ada
        .post(
            &format!("/orgs/RJ1/plan-comments/{}", waiting[1].id),
            &[("decision", "publish")],
        )
        .await?;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "a decision is final");
    let public = app.browser().get("/plans/RJ1").await?;
    assert!(
        public
            .body
            .contains("The training &#60;i&#62;helped&#60;/i&#62; our ward.")
    );
    assert!(!public.body.contains("Dr X"));
    // The writer is never named. (This once looked for "Sam", which a random form token on
    // the page can contain by chance.)
    assert!(!public.body.contains("sam@trust.nhs.uk"));
    let decided: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'plan.comment'")
            .fetch_one(app.db.pool())
            .await?;
    assert_eq!(decided, 2);
    // Once decided, a comment no longer says who wrote it, and no comment keeps a time of
    // day: only what the "five waiting" rule needs, while it waits.
    let stored: Vec<(Option<i64>, i64, Option<i64>)> =
        sqlx::query_as("SELECT person_id, written_at, moderated_at FROM plan_comments ORDER BY id")
            .fetch_all(app.db.pool())
            .await?;
    assert_eq!(stored.len(), 2);
    for (person, written, moderated) in &stored {
        assert_eq!(*person, None, "a decided comment keeps its writer");
        assert_eq!(written % 86_400, 0, "a comment keeps its time of writing");
        assert_eq!(moderated.map(|m| m % 86_400), Some(0));
    }
    sam.post(&path, &[("comment", "Waiting")]).await?;
    let waiting: Vec<(Option<i64>, i64)> =
        sqlx::query_as("SELECT person_id, written_at FROM plan_comments WHERE state = 'waiting'")
            .fetch_all(app.db.pool())
            .await?;
    assert_eq!(waiting.len(), 1);
    assert_eq!(
        waiting[0].0,
        Some(staff.id),
        "the writer is kept while waiting"
    );
    assert_eq!(waiting[0].1 % 86_400, 0);

    // One person cannot flood the queue; an unsigned action cannot be commented on.
    for _ in 1..plans::MOST_WAITING {
        sam.post(&path, &[("comment", "More")]).await?;
    }
    let page = sam.post(&path, &[("comment", "Too many")]).await?;
    assert!(
        page.body.contains("comments waiting to be read"),
        "{}",
        page.body
    );
    let later = plans::add_action(
        &app.db,
        dignity_store::plans::Editor {
            actor: "test",
            now: 2,
            organisation: &app.org,
        },
        plan.id,
        &dignity_store::plans::NewAction {
            title: "Draft only".into(),
            parent_id: None,
            ..new_action_like(&actions[0])
        },
    )
    .await?;
    let page = sam
        .get(&format!(
            "/orgs/RJ1/plans/{}/actions/{}/comment",
            plan.id, later.id
        ))
        .await?;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    // Staff of another organisation cannot comment here.
    let other = app
        .person_in("olly@other.nhs.uk", Some(Role::Staff), &app.other_org)
        .await?;
    let page = app.signed_in_browser(&other).await?.get(&path).await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    Ok(())
}

/// A new action with the same content as an existing one.
fn new_action_like(a: &plans::Action) -> dignity_store::plans::NewAction {
    dignity_store::plans::NewAction {
        group_id: a.group_id,
        parent_id: a.parent_id,
        title: a.title.clone(),
        description: a.description.clone(),
        owner: a.owner.clone(),
        employer_lead: a.employer_lead.clone(),
        union_lead: a.union_lead.clone(),
        dates: a.dates,
        weight: a.weight,
    }
}

async fn another_organisations_union_partner_cannot_see_a_draft(app: &TestApp) -> TestResult {
    let draft = draft_plan(app, "Draft plan for civility", "2027-04-01", "2028-03-31").await?;
    let partner = app
        .person_in("una@other.nhs.uk", Some(Role::UnionPartner), &app.other_org)
        .await?;
    let mut una = app.signed_in_browser(&partner).await?;
    for path in [
        format!("/orgs/RJ1/plans/{}", draft.id),
        format!("/orgs/RJ1/plans/{}/history", draft.id),
        format!("/orgs/RJ1/plans/{}/actions.csv", draft.id),
    ] {
        let page = una.get(&path).await?;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(!page.body.contains("Draft plan for civility"), "{path}");
    }
    // Under their own organisation's address it is not found; and nothing public shows it.
    let page = una.get(&format!("/orgs/RJ2/plans/{}", draft.id)).await?;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    for path in ["/plans", "/plans/RJ1", "/plans/RJ1/feed.atom"] {
        let page = una.get(path).await?;
        assert!(!page.body.contains("Draft plan for civility"), "{path}");
    }
    Ok(())
}

/// A new, unsigned plan of RJ1 for the given period, made through the store.
async fn draft_plan(
    app: &TestApp,
    title: &str,
    starts_on: &str,
    ends_on: &str,
) -> Result<plans::Plan, Box<dyn std::error::Error>> {
    use dignity_domain::plans::Dates;
    use dignity_domain::speakup::Day;
    let editor = dignity_store::plans::Editor {
        actor: "test",
        now: 1,
        organisation: &app.org,
    };
    Ok(plans::create_plan(
        &app.db,
        editor,
        &dignity_store::plans::NewPlan {
            title: title.into(),
            period: Dates::new(Day::parse(starts_on)?, Day::parse(ends_on)?)?,
            summary: String::new(),
        },
    )
    .await?)
}

/// An outside review reported progress on plan 1's action through plan 3's address.
/// What an address names must belong to the plan it names.
async fn a_plans_address_reaches_only_its_own_actions(app: &TestApp) -> TestResult {
    let first = draft_plan(app, "First plan", "2027-04-01", "2028-03-31").await?;
    let second = draft_plan(app, "Second plan", "2027-04-01", "2028-03-31").await?;
    let action = first_action(
        app,
        &first,
        "Listening sessions",
        "2027-04-01",
        "2027-09-30",
    )
    .await?;
    let exec = app
        .person("ezra@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let mut ezra = app.signed_in_browser(&exec).await?;
    let wrong = format!(
        "/orgs/RJ1/plans/{}/actions/{}/progress",
        second.id, action.id
    );
    let page = ezra
        .post(
            &wrong,
            &[("status", "on_track"), ("progress", "40"), ("reason", "")],
        )
        .await?;
    assert_eq!(page.status, StatusCode::NOT_FOUND, "{wrong}");
    let page = ezra
        .post(
            &format!(
                "/orgs/RJ1/plans/{}/actions/{}/updates",
                second.id, action.id
            ),
            &[("body", "Through the wrong plan"), ("links", "")],
        )
        .await?;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let unchanged = plans::actions(&app.db, first.id).await?;
    assert_eq!(unchanged.first().map(|a| a.progress.value()), Some(0));
    assert!(plans::updates(&app.db, first.id).await?.is_empty());
    // Through its own plan's address the same report is taken.
    let right = format!(
        "/orgs/RJ1/plans/{}/actions/{}/progress",
        first.id, action.id
    );
    let page = ezra
        .post(
            &right,
            &[("status", "on_track"), ("progress", "40"), ("reason", "")],
        )
        .await?;
    assert!(page.status.is_redirection(), "{page:?}");
    Ok(())
}

/// An action under the plan's first commitment, made through the store.
async fn first_action(
    app: &TestApp,
    plan: &plans::Plan,
    title: &str,
    starts_on: &str,
    due_on: &str,
) -> Result<plans::Action, Box<dyn std::error::Error>> {
    use dignity_domain::plans::Dates;
    use dignity_domain::speakup::Day;
    let group = plans::groups(&app.db, plan.id)
        .await?
        .first()
        .map(|g| g.id)
        .ok_or("the plan has a commitment")?;
    let editor = dignity_store::plans::Editor {
        actor: "test",
        now: 1,
        organisation: &app.org,
    };
    Ok(plans::add_action(
        &app.db,
        editor,
        plan.id,
        &plans::NewAction {
            group_id: group,
            parent_id: None,
            title: title.into(),
            description: String::new(),
            owner: "HR".into(),
            employer_lead: String::new(),
            union_lead: String::new(),
            dates: Dates::new(Day::parse(starts_on)?, Day::parse(due_on)?)?,
            weight: None,
        },
    )
    .await?)
}

/// The version the review page's approve form for `side` carries, if it has one.
fn approve_form(body: &str, side: &str) -> Option<String> {
    let at = body.find(&format!("name=\"side\" value=\"{side}\""))?;
    let rest = &body[at..];
    let form_end = rest.find("</form>")?;
    let marker = "name=\"version\" value=\"";
    let start = rest[..form_end].find(marker)? + marker.len();
    let len = rest[start..].find('"')?;
    Some(rest[start..start + len].to_owned())
}

/// A signed plan is changed (an action added with a milestone, an action's owner and due
/// date changed, a measure and a milestone removed). Each signatory reads every difference
/// before the approve button, and approving from that page publishes the version once
/// both sides have; an approval of a version changed meanwhile is refused.
async fn signatories_read_what_changed_then_approve_it(app: &TestApp) -> TestResult {
    use dignity_domain::speakup::Day;
    let (path, plan, mut ezra, mut uma) = signed_plan(app).await?;
    let published = plans::get_plan(&app.db, plan.id).await?.version;
    let review = format!("{path}/review");
    // Nothing waits: the page says so and offers no approval.
    let page = uma.get(&review).await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains(&format!("Version {published} is published"))
    );
    assert!(!page.body.contains(&format!("{path}/approve")));

    let editor = plans::Editor {
        actor: "test",
        now: 2,
        organisation: &app.org,
    };
    let actions = plans::actions(&app.db, plan.id).await?;
    let part = actions
        .iter()
        .find(|a| a.title == "Train the trainers")
        .ok_or("the part")?;
    let mut changed = new_action_like(part);
    changed.owner = "People team".into();
    changed.dates.due_on = Day::parse("2027-01-29")?;
    plans::edit_action(&app.db, editor, part.id, &changed).await?;
    let measure = plans::indicators(&app.db, plan.id).await?[0].id;
    plans::remove_indicator(&app.db, editor, measure).await?;
    let step = plans::milestones(&app.db, plan.id).await?[0].id;
    plans::remove_milestone(&app.db, editor, step).await?;
    let added = first_action(
        app,
        &plan,
        "Listening sessions on every ward",
        "2026-06-01",
        "2026-11-30",
    )
    .await?;
    plans::add_milestone(
        &app.db,
        editor,
        added.id,
        "First ten wards",
        Day::parse("2026-08-14")?,
    )
    .await?;
    let version = plans::get_plan(&app.db, plan.id).await?.version;
    assert!(version > published);

    // The plan's page no longer has the approve button at the top: it points to the review.
    let page = uma.get(&path).await?;
    assert!(
        page.body
            .contains(&format!("Version {version} is waiting for your approval")),
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!("href=\"{review}\"")));
    assert!(!page.body.contains(&format!("action=\"{path}/approve\"")));

    let page = uma.get(&review).await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    assert!(body.contains(&format!(
        "Check the changes before you approve version {version}"
    )));
    assert!(body.contains(&format!("These are the changes since version {published}")));
    let differences = [
        "New action: Listening sessions on every ward",
        "1 June 2026",
        "30 November 2026",
        "New milestone",
        "First ten wards",
        "Due on: 14 August 2026",
        "Changed action: Train the trainers",
        "Now: People team",
        "Was: HR",
        "Now: 29 January 2027",
        "Removed milestone",
        "Ten trainers ready",
        "Removed measure",
    ];
    let button = body
        .find(&format!(
            "Approve version {version} for the trade union side"
        ))
        .ok_or("the approve button")?;
    for difference in differences {
        let at = body
            .find(difference)
            .ok_or_else(|| format!("{difference} is not listed: {body}"))?;
        assert!(at < button, "{difference} comes before the approve button");
    }
    assert!(
        !body.contains("Civility training"),
        "an action that did not change is not listed"
    );
    assert_eq!(
        approve_form(body, "union"),
        Some(version.to_string()),
        "the form carries the version read"
    );
    assert_eq!(approve_form(body, "employer"), None, "only the union side");

    // Ezra changes the plan again while Uma reads: her approval is refused, and the review
    // page shows the plan as it is now.
    let seen = approve_form(body, "union").ok_or("the union form")?;
    plans::add_milestone(
        &app.db,
        editor,
        added.id,
        "Every ward",
        Day::parse("2026-11-30")?,
    )
    .await?;
    let page = uma
        .post(
            &format!("{path}/approve"),
            &[("side", "union"), ("version", &seen)],
        )
        .await?;
    assert!(
        page.body
            .contains("The plan has changed since you opened it"),
        "{}",
        page.body
    );
    let version = plans::get_plan(&app.db, plan.id).await?.version;
    assert!(page.body.contains(&format!(
        "Check the changes before you approve version {version}"
    )));
    assert!(page.body.contains("Every ward"));
    assert_eq!(
        plans::get_plan(&app.db, plan.id).await?.published_version,
        Some(published)
    );

    // Both approve from the review page: published.
    for (browser, side) in [(&mut uma, "union"), (&mut ezra, "employer")] {
        let page = browser.get(&review).await?;
        let seen = approve_form(&page.body, side).ok_or("the approve form")?;
        assert_eq!(seen, version.to_string());
        let page = browser
            .post(
                &format!("{path}/approve"),
                &[("side", side), ("version", &seen)],
            )
            .await?;
        assert!(page.redirects_to(&path), "{}", page.body);
        if side == "union" {
            // Approved for her side, waiting for the other: no second approval offered.
            let page = browser.get(&review).await?;
            assert!(page.body.contains(&format!(
                "You have approved version {version} for the trade union side"
            )));
            assert_eq!(approve_form(&page.body, "union"), None);
            let plan_page = browser.get(&path).await?;
            assert!(plan_page.body.contains("waiting for the other side"));
        }
    }
    let now = plans::get_plan(&app.db, plan.id).await?;
    assert_eq!(now.published_version, Some(version));
    let public = app.browser().get("/plans/RJ1").await?;
    assert!(public.body.contains("Listening sessions on every ward"));
    Ok(())
}

async fn a_plan_never_published_is_reviewed_as_all_new(app: &TestApp) -> TestResult {
    let plan = draft_plan(app, "Our first plan", "2027-04-01", "2028-03-31").await?;
    first_action(app, &plan, "Listening sessions", "2027-04-01", "2027-09-30").await?;
    let exec = app
        .person("ezra@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let mut ezra = app.signed_in_browser(&exec).await?;
    let page = ezra
        .get(&format!("/orgs/RJ1/plans/{}/review", plan.id))
        .await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for said in [
        "This plan has not been published yet, so everything in it is new",
        "Our first plan",
        "1 April 2027",
        "New action: Listening sessions",
        "30 September 2027",
    ] {
        assert!(page.body.contains(said), "{said}: {}", page.body);
    }
    assert!(approve_form(&page.body, "employer").is_some());
    // Someone who drafts but does not sign cannot open it.
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let page = app
        .signed_in_browser(&admin)
        .await?
        .get(&format!("/orgs/RJ1/plans/{}/review", plan.id))
        .await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    Ok(())
}

/// The fields of an action's form: `action`'s commitment, dates and owner, with this title
/// and parent.
fn action_fields(action: &plans::Action, title: &str, parent: &str) -> Vec<(String, String)> {
    let (starts, due) = (action.dates.starts_on.ymd(), action.dates.due_on.ymd());
    vec![
        ("group".into(), action.group_id.to_string()),
        ("parent".into(), parent.to_owned()),
        ("title".into(), title.to_owned()),
        ("owner".into(), "HR".into()),
        ("starts-day".into(), starts.2.to_string()),
        ("starts-month".into(), starts.1.to_string()),
        ("starts-year".into(), starts.0.to_string()),
        ("due-day".into(), due.2.to_string()),
        ("due-month".into(), due.1.to_string()),
        ("due-year".into(), due.0.to_string()),
    ]
}

fn borrowed(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// Posts a form on the plan, expects 303 to the plan page, follows it and returns the
/// success banner's words.
async fn saved_banner(
    browser: &mut Browser,
    to: &str,
    fields: &[(&str, &str)],
    plan_path: &str,
) -> Result<String, Box<dyn std::error::Error>> {
    let page = browser.post(to, fields).await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{to}: {}", page.body);
    let location = page.location.clone().unwrap_or_default();
    assert!(
        location.starts_with(&format!("{plan_path}?done=")),
        "{to} went to {location}"
    );
    let shown = browser.get(&location).await?;
    assert_eq!(shown.status, StatusCode::OK);
    let banner = shown
        .body
        .split("nhsuk-notification-banner--success")
        .nth(1)
        .and_then(|rest| rest.split("nhsuk-notification-banner__heading\">").nth(1))
        .and_then(|rest| rest.split("</p>").next())
        .map(str::to_owned);
    Ok(banner.unwrap_or_else(|| panic!("no success banner after {to}: {}", shown.body)))
}

async fn each_save_on_a_plan_says_what_was_saved(app: &TestApp) -> TestResult {
    let (path, plan, mut ezra, _uma) = signed_plan(app).await?;
    let actions = plans::actions(&app.db, plan.id).await?;
    let (parent, part) = (&actions[0], &actions[1]);

    // The plan page on its own has no banner, nor with a word it does not know.
    for address in [path.clone(), format!("{path}?done=nonsense&action=x")] {
        let page = ezra.get(&address).await?;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("nhsuk-notification-banner--success"));
    }

    // Adding an action.
    let added = action_fields(part, "Listening sessions", "");
    let said = saved_banner(
        &mut ezra,
        &format!("{path}/actions"),
        &borrowed(&added),
        &path,
    )
    .await?;
    assert_eq!(said, "Action added: Listening sessions");
    let new = plans::actions(&app.db, plan.id)
        .await?
        .into_iter()
        .find(|a| a.title == "Listening sessions")
        .ok_or("the action was not added")?;

    // Changing an action, on its own page.
    let changed = action_fields(part, "Train more trainers", &parent.id.to_string());
    let said = saved_banner(
        &mut ezra,
        &format!("{path}/actions/{}", part.id),
        &borrowed(&changed),
        &path,
    )
    .await?;
    assert_eq!(said, "Action changed: Train more trainers");

    // A milestone and a progress update have their own forms, and say so too.
    let said = saved_banner(
        &mut ezra,
        &format!("{path}/actions/{}/milestones", new.id),
        &[
            ("milestone", "First session held"),
            ("milestone_due-day", "1"),
            ("milestone_due-month", "9"),
            ("milestone_due-year", "2026"),
        ],
        &path,
    )
    .await?;
    assert_eq!(said, "Milestone added to Listening sessions");
    let said = saved_banner(
        &mut ezra,
        &format!("{path}/actions/{}/updates", new.id),
        &[("body", "Dates agreed"), ("links", "")],
        &path,
    )
    .await?;
    assert_eq!(said, "Progress update added to Listening sessions");

    // Removing an action.
    let said = saved_banner(
        &mut ezra,
        &format!("{path}/actions/{}/remove", new.id),
        &[],
        &path,
    )
    .await?;
    assert_eq!(said, "Action removed");
    Ok(())
}

async fn each_signed_version_in_the_feed_leads_to_its_own_page(app: &TestApp) -> TestResult {
    let (path, plan, mut ezra, mut uma) = signed_plan(app).await?;
    let first = plans::get_plan(&app.db, plan.id).await?.version;
    let actions = plans::actions(&app.db, plan.id).await?;
    let (parent, part) = (&actions[0], &actions[1]);
    let changed = action_fields(part, "Train more trainers", &parent.id.to_string());
    let page = ezra
        .post(&format!("{path}/actions/{}", part.id), &borrowed(&changed))
        .await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    sign(app, &path, plan.id, &mut ezra, &mut uma).await?;
    let second = plans::get_plan(&app.db, plan.id).await?.version;
    assert!(second > first);

    let feed = app.browser().get("/plans/RJ1/feed.atom").await?;
    let parsed: atom_syndication::Feed = feed.body.parse()?;
    for (version, other) in [(first, second), (second, first)] {
        let entry = parsed
            .entries
            .iter()
            .find(|e| {
                e.title
                    .value
                    .starts_with(&format!("Version {version} of the plan"))
            })
            .ok_or_else(|| format!("no entry for version {version}: {}", feed.body))?;
        let href = &entry.links[0].href;
        assert!(
            href.ends_with(&format!("/plans/RJ1/versions/{version}")),
            "version {version} links to {href}"
        );
        assert!(!href.ends_with(&format!("/versions/{other}")));
    }

    // Each version's page shows what it promised, and the older one says what replaced it.
    let old = app
        .browser()
        .get(&format!("/plans/RJ1/versions/{first}"))
        .await?;
    assert_eq!(old.status, StatusCode::OK);
    assert!(old.body.contains("Train the trainers"), "{}", old.body);
    assert!(!old.body.contains("Train more trainers"), "{}", old.body);
    assert!(
        old.body
            .contains(&format!("Version {second} replaced it on")),
        "{}",
        old.body
    );
    let now = app
        .browser()
        .get(&format!("/plans/RJ1/versions/{second}"))
        .await?;
    assert_eq!(now.status, StatusCode::OK);
    assert!(now.body.contains("Train more trainers"), "{}", now.body);
    assert!(now.body.contains("This is the version the public sees now"));
    // The public page lists both; a version never signed is not found.
    let public = app.browser().get("/plans/RJ1").await?;
    for version in [first, second] {
        assert!(
            public
                .body
                .contains(&format!("href=\"/plans/RJ1/versions/{version}\"")),
            "{}",
            public.body
        );
    }
    let missing = app
        .browser()
        .get(&format!("/plans/RJ1/versions/{}", second + 10))
        .await?;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    Ok(())
}
