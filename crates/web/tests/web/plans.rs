//! Partnership action plans in the pages, on both databases: drafting, both sides signing
//! the same version, a stale approval refused, and the public pages showing only what was
//! signed.

use crate::on_both_backends;
use crate::support::{TestApp, TestResult};
use axum::http::StatusCode;
use dignity_domain::identity::Role;
use dignity_store::plans;

on_both_backends!(
    a_plan_is_drafted_signed_by_both_sides_and_published,
    measures_show_baseline_latest_and_target,
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

    // Mistakes are named; nothing is saved.
    let page = ezra
        .post(
            "/orgs/RJ1/plans",
            &[
                ("title", ""),
                ("period_start", "2027-03-31"),
                ("period_end", "2026-04-01"),
            ],
        )
        .await?;
    assert!(page.body.contains("Enter a title"));
    assert!(
        page.body
            .contains("The due date must be the same as or after the start date")
    );
    assert!(plans::plans_for(&app.db, app.org.id).await?.is_empty());

    let page = ezra
        .post(
            "/orgs/RJ1/plans",
            &[
                ("title", "Respect at work 2026 to 2027"),
                ("period_start", "2026-04-01"),
                ("period_end", "2027-03-31"),
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
        vec![
            ("group", group.clone()),
            ("title", title.to_owned()),
            ("owner", "Director of People".to_owned()),
            ("starts_on", "2026-05-01".to_owned()),
            ("due_on", due.to_owned()),
        ]
    };
    let bad: Vec<(&str, String)> = add("Civility training", "2026-01-01");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = ezra.post(&format!("{path}/actions"), &bad).await?;
    assert!(
        page.body
            .contains("The due date must be the same as or after the start date")
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
    assert_eq!(parsed.entries.len(), 1);
    assert!(
        parsed.entries[0]
            .title
            .value
            .starts_with("Civility training")
    );
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

    // Someone from another organisation cannot open the draft.
    let other = app
        .person_in("olly@other.nhs.uk", Some(Role::Executive), &app.other_org)
        .await?;
    let page = app.signed_in_browser(&other).await?.get(&path).await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = app
        .signed_in_browser(&other)
        .await?
        .get(&format!("/orgs/RJ2/plans/{}", plan.id))
        .await?;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    Ok(())
}

async fn measures_show_baseline_latest_and_target(app: &TestApp) -> TestResult {
    use dignity_domain::plans::Dates;
    use dignity_domain::speakup::Day;
    use dignity_domain::survey::{DEFAULT_BANK, Participation, parse};
    use dignity_store::plans::{Editor, NewAction, NewPlan};
    use dignity_store::survey::{self, Campaign, NewResponse};

    let editor = Editor {
        actor: "test",
        now: 1,
        organisation: &app.org,
    };
    let plan = plans::create_plan(
        &app.db,
        editor,
        &NewPlan {
            title: "Plan".into(),
            period: Dates::new(Day::parse("2026-04-01")?, Day::parse("2027-03-31")?)?,
            summary: String::new(),
        },
    )
    .await?;
    let groups = plans::groups(&app.db, plan.id).await?;
    let action = plans::add_action(
        &app.db,
        editor,
        plan.id,
        &NewAction {
            group_id: groups[0].id,
            parent_id: None,
            title: "Team talks".into(),
            description: String::new(),
            owner: "HR".into(),
            employer_lead: String::new(),
            union_lead: String::new(),
            dates: Dates::new(Day::parse("2026-05-01")?, Day::parse("2026-06-01")?)?,
            weight: None,
        },
    )
    .await?;
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

    // Milestones: a bad date is named; reached ones say so.
    let milestones = format!(
        "/orgs/RJ1/plans/{}/actions/{}/milestones",
        plan.id, action.id
    );
    let page = ezra
        .post(
            &milestones,
            &[
                ("milestone", "Pilot on two wards"),
                ("milestone_due", "June"),
            ],
        )
        .await?;
    assert!(
        page.body.contains("Enter the milestone&#39;s date")
            || page.body.contains("Enter the milestone"),
        "{}",
        page.body
    );
    ezra.post(
        &milestones,
        &[
            ("milestone", "Pilot on two wards"),
            ("milestone_due", "2026-06-30"),
        ],
    )
    .await?;
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
            id: dignity_store::testing::random_id(),
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
