//! The price of fear: an organisation's estimate worked out from its own survey, staff
//! and cases, checked against a hand-worked figure; its assumptions changed with a reason
//! and audited; a withheld part left out; late cases that do not move it; the national
//! total.

use crate::support::{TestApp, TestResult};
use axum::http::StatusCode;
use dignity_domain::er_cases::CaseType;
use dignity_domain::identity::Role;
use dignity_domain::speakup::Day;
use dignity_domain::survey::{DEFAULT_BANK, parse};

dignity_store::on_both_backends!(
    crate::support::run;
    the_price_of_fear_is_worked_out_from_the_organisations_own_figures,
    a_suspension_ended_late_does_not_move_a_settled_year,
);

const PAGE: &str = "/orgs/RJ1/workforce/price-of-fear";
const ASSUMPTIONS: &str = "/orgs/RJ1/workforce/price-of-fear/assumptions";

/// A suspension of the `nth` case (by id), written straight into the tables: the
/// estimate reads only its days, whose it is and the days it was written. One with no end
/// is running, with a review due.
async fn suspend_case(
    app: &TestApp,
    nth: i64,
    started: &str,
    ended: Option<&str>,
    recorded: &str,
) -> TestResult {
    let ids: Vec<(i64,)> = sqlx::query_as("SELECT id FROM er_cases ORDER BY id")
        .fetch_all(app.db.pool())
        .await?;
    let case_id = ids.get(nth as usize).ok_or("no such case")?.0;
    sqlx::query(
        "INSERT INTO er_suspensions \
         (case_id, kind, started_on, review_due, ended_on, reason, recorded_on) \
         VALUES ($1, 'suspension', $2, $3, $4, $5, $6)",
    )
    .bind(case_id)
    .bind(started)
    .bind(ended.is_none().then_some("2025-07-15"))
    .bind(ended)
    .bind(vec![0u8; 16])
    .bind(recorded)
    .execute(app.db.pool())
    .await?;
    Ok(())
}

async fn suspend(app: &TestApp, started: &str, ended: &str, recorded: &str) -> TestResult {
    suspend_case(app, 0, started, Some(ended), recorded).await
}

/// RJ1's survey that closed on 1 February 2026, in 2025/26: 35 of 100 respondents
/// harassed, bullied or abused by managers or colleagues.
async fn survey_with_35_of_100_bullied(app: &TestApp) -> TestResult {
    let definition = parse(DEFAULT_BANK)?;
    let items = definition.items();
    let at = |key: &str| items.iter().position(|i| i.key == key);
    let (managers, colleagues) = (
        at("harassment_managers").ok_or("managers")?,
        at("harassment_colleagues").ok_or("colleagues")?,
    );
    let people: Vec<(Vec<u16>, Vec<u8>)> = (0..100)
        .map(|i| {
            let mut answers = vec![1u8; items.len()];
            let (m, c) = match i {
                0..20 => (2, 1),
                20..30 => (1, 3),
                30..35 => (2, 2),
                _ => (1, 1),
            };
            answers[managers] = m;
            answers[colleagues] = c;
            (vec![1], answers)
        })
        .collect();
    crate::survey::campaign_of_values(app, &app.org, &people).await?;
    Ok(())
}

/// Ten grievances opened on 2 June 2025, written then.
async fn ten_grievances_in_june_2025(app: &TestApp, lead_id: i64) -> TestResult {
    for _ in 0..10 {
        crate::er_cases::open_case_at(
            app,
            lead_id,
            CaseType::Grievance,
            None,
            Day::parse("2025-06-02")?,
            0,
        )
        .await?;
    }
    Ok(())
}

/// 200 staff in post on 31 March 2026, each 10 days off sick.
async fn two_hundred_staff(app: &TestApp) -> TestResult {
    let lines: Vec<String> = (0..200)
        .map(|n| {
            let ethnicity = if n < 150 { "A" } else { "N" };
            format!(
                "{},Surgery,Nursing and Midwifery Registered,Band 5,{ethnicity},No,Female,26-30,1,10",
                80_000_000 + n
            )
        })
        .collect();
    crate::workforce::staff_in_surgery(app, &lines, &[Day::parse("2026-03-31")?]).await
}

/// Worked by hand (docs/just-culture.md has the method): 200 staff in post on 31 March
/// 2026, each 10 days off sick; 35 of 100 survey respondents bullied by managers or
/// colleagues, Wilson interval 26.36 % to 44.75 %, so 52.7 to 89.5 people; 10 grievances
/// opened in 2025/26 at £951; 2 suspensions, fewer than 10, so that part is left out.
/// Low: 52.73 x 10 x 71 % x £140.12 x 1.625 (pay and cover) + 52.73 x £5,957.22 (turnover,
/// new staff, presenteeism and legal costs per bullied person) + £9,510 = £408,868.
/// High, with 89.49 people: £687,302. Read to two figures: £410,000 to £690,000.
async fn the_price_of_fear_is_worked_out_from_the_organisations_own_figures(
    app: &TestApp,
) -> TestResult {
    two_hundred_staff(app).await?;

    let executive = app
        .person("eve@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let mut eve = app.signed_in_browser(&executive).await?;
    let page = eve.get(PAGE).await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("There is no estimate for this year. There was no staff survey"),
        "{}",
        page.body
    );

    survey_with_35_of_100_bullied(app).await?;

    let lead = app.person("erin@trust.nhs.uk", Some(Role::ErLead)).await?;
    ten_grievances_in_june_2025(app, lead.id).await?;
    // A grievance opened after the year ended is not in it.
    crate::er_cases::open_case_at(
        app,
        lead.id,
        CaseType::Grievance,
        None,
        Day::parse("2026-04-02")?,
        0,
    )
    .await?;
    suspend(app, "2025-07-01", "2025-07-14", "2025-07-01").await?;
    suspend(app, "2025-08-01", "2025-08-14", "2025-08-01").await?;

    let page = eve.get(PAGE).await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let before = page.body.clone();
    for text in [
        "£410,000 to £690,000",
        "About £2,000 to £3,400 for each member of staff",
        "35% (26.4% to 44.7%)",
        "53 to 89",
        "10 days a year per person, from the staff-in-post extract",
        "10 formal bullying complaints and grievances opened in the year",
        "£9,500",
        "Left out: fewer than 10 people were suspended or excluded this year",
        "No one has changed the assumptions",
        "Change the assumptions",
    ] {
        assert!(page.body.contains(text), "{text}: {}", page.body);
    }

    // Eight more suspensions in the year, and a back-dated grievance, all written after
    // the year settled on 1 May 2026: the estimate does not move, so no one learns of them.
    for _ in 0..8 {
        suspend(app, "2025-09-01", "2025-09-30", "2026-06-01").await?;
    }
    crate::er_cases::open_case_at(
        app,
        lead.id,
        CaseType::Grievance,
        None,
        Day::parse("2025-10-01")?,
        dignity_web::now(),
    )
    .await?;
    let again = eve.get(PAGE).await?;
    assert_eq!(
        again.body, before,
        "cases written after the year settled change nothing"
    );

    // A union partner reads it but cannot change it.
    let union = app
        .person("una@trust.nhs.uk", Some(Role::UnionPartner))
        .await?;
    let mut una = app.signed_in_browser(&union).await?;
    let page = una.get(PAGE).await?;
    assert!(page.body.contains("£410,000 to £690,000"));
    assert!(!page.body.contains("Change the assumptions"));
    assert_eq!(una.get(ASSUMPTIONS).await?.status, StatusCode::FORBIDDEN);

    // Nonsense is refused, with what was typed kept and nothing saved.
    let form = eve.get(ASSUMPTIONS).await?;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("value=\"140.12\""), "{}", form.body);
    let mut fields: Vec<(String, String)> = dignity_engine::price::Assumption::ALL
        .iter()
        .flat_map(|a| {
            let now = match a.unit() {
                dignity_engine::price::Unit::Percent => {
                    format!("{}", (a.published() * 1000.0).round() / 10.0)
                }
                dignity_engine::price::Unit::Days => format!("{}", a.published()),
                dignity_engine::price::Unit::Pounds => format!("{:.2}", a.published()),
            };
            [
                (a.key().to_owned(), now.clone()),
                (format!("was-{}", a.key()), now),
            ]
        })
        .collect();
    let set = |fields: &mut Vec<(String, String)>, name: &str, value: &str| {
        fields.retain(|(k, _)| k != name);
        fields.push((name.to_owned(), value.to_owned()));
    };
    set(&mut fields, "daily_pay", "lots");
    set(&mut fields, "cover", "900");
    let pairs = |fields: &Vec<(String, String)>| {
        fields
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Vec<_>>()
    };
    let sent = pairs(&fields);
    let borrowed: Vec<(&str, &str)> = sent.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let page = eve.post(ASSUMPTIONS, &borrowed).await?;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    for message in [
        "Pay for one working day must be a number from 1 to 2,000",
        "Cost of cover on top of pay must be a number from 0 to 300",
        "Say why in a sentence or two",
    ] {
        assert!(page.body.contains(message), "{message}: {}", page.body);
    }
    assert!(page.body.contains("value=\"lots\""));
    assert!(eve.get(PAGE).await?.body.contains("£410,000 to £690,000"));

    // Their own daily pay, with a reason: the estimate uses it, and says who and why.
    set(&mut fields, "daily_pay", "£200");
    set(&mut fields, "cover", "62.5");
    set(
        &mut fields,
        "reason",
        "Our own average daily pay from the 2025/26 accounts.",
    );
    let sent = pairs(&fields);
    let borrowed: Vec<(&str, &str)> = sent.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let page = eve.post(ASSUMPTIONS, &borrowed).await?;
    assert!(page.status.is_redirection(), "{}", page.body);
    let page = eve.get(&format!("{PAGE}?done=assumptions")).await?;
    for text in [
        "Your changes are saved",
        "£450,000 to £750,000",
        "£200.00",
        "Your own",
        "Our own average daily pay from the 2025/26 accounts.",
    ] {
        assert!(page.body.contains(text), "{text}: {}", page.body);
    }
    let (audited,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'price.assumptions_changed' \
         AND detail LIKE '%daily_pay = 200%' AND actor = 'eve@trust.nhs.uk'",
    )
    .fetch_one(app.db.pool())
    .await?;
    assert_eq!(audited, 1, "one change, audited once");

    // Sent again from the page as it was before: someone changed it meanwhile.
    set(&mut fields, "daily_pay", "180");
    let sent = pairs(&fields);
    let borrowed: Vec<(&str, &str)> = sent.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let page = eve.post(ASSUMPTIONS, &borrowed).await?;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.body);
    assert!(
        page.body.contains("value=\"180\""),
        "what was typed is kept"
    );
    assert!(
        page.body
            .contains("Someone else saved £200.00 here while you were working."),
        "{}",
        page.body
    );
    assert!(eve.get(PAGE).await?.body.contains("£450,000 to £750,000"));

    // The national view adds up each organisation's own estimate.
    let analyst = app
        .person("ana@nhs.net", Some(Role::NationalAnalyst))
        .await?;
    let mut ana = app.signed_in_browser(&analyst).await?;
    let page = ana.get("/national/price-of-fear").await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("£450,000 to £750,000"), "{}", page.body);
    assert!(
        page.body.contains("The estimates of 1 of 1 organisations"),
        "{}",
        page.body
    );
    assert_eq!(
        ana.get("/national/price-of-fear?year=2020").await?.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        eve.get(&format!("{PAGE}?year=2021")).await?.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        eve.get(&format!("{PAGE}?year=soon")).await?.status,
        StatusCode::BAD_REQUEST
    );
    let national = ana.get("/national/price-of-fear").await?.body;
    assert!(national.contains("Own assumptions"), "{national}");
    assert!(
        national.contains("on the published assumptions: <span id=\"national-total-published\">£410,000 to £690,000"),
        "{national}"
    );

    // From the same out-of-date page, a change to another box only: it lands, and the
    // daily pay someone else saved stands (a stale page puts nothing back).
    set(&mut fields, "daily_pay", "140.12");
    set(&mut fields, "litigation", "300.00");
    set(
        &mut fields,
        "reason",
        "Our legal costs were lower than the national figure.",
    );
    let sent = pairs(&fields);
    let borrowed: Vec<(&str, &str)> = sent.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let page = eve.post(ASSUMPTIONS, &borrowed).await?;
    assert!(page.status.is_redirection(), "{}", page.body);
    let page = eve.get(PAGE).await?;
    assert!(
        page.body.contains("£200.00"),
        "the daily pay stands: {}",
        page.body
    );
    assert!(page.body.contains("£300.00"), "{}", page.body);

    // One person's sickness figure is never shown as the average: with only one row
    // carrying days lost, the published average is used and the page says why.
    let mut lines: Vec<String> = (0..200)
        .map(|n| {
            format!(
                "{},Surgery,Nursing and Midwifery Registered,Band 5,A,No,Female,26-30,1,",
                80_000_000 + n
            )
        })
        .collect();
    lines[0] = format!(
        "{},Surgery,Nursing and Midwifery Registered,Band 5,A,No,Female,26-30,1,123.5",
        80_000_000
    );
    crate::workforce::correct_staff(app, &lines, Day::parse("2026-03-31")?).await?;
    let page = eve.get(PAGE).await?;
    assert!(!page.body.contains("123.5"), "{}", page.body);
    assert!(
        page.body.contains(
            "the published average: too few people in the extract have a sickness figure"
        ),
        "{}",
        page.body
    );
    Ok(())
}

/// Ten people suspended in 2025/26, all written before the year settled; one still
/// running then. Ending that one later with a review back-dated into the year changes
/// nothing: the page read before and after is the same, so no one learns the day it
/// ended. A second suspension of one of the ten people counts no one new.
async fn a_suspension_ended_late_does_not_move_a_settled_year(app: &TestApp) -> TestResult {
    two_hundred_staff(app).await?;
    survey_with_35_of_100_bullied(app).await?;
    let lead = app.person("erin@trust.nhs.uk", Some(Role::ErLead)).await?;
    ten_grievances_in_june_2025(app, lead.id).await?;
    for nth in 0..9 {
        suspend_case(app, nth, "2025-07-01", Some("2025-07-14"), "2025-07-01").await?;
    }
    suspend_case(app, 9, "2025-07-01", None, "2025-07-01").await?;
    let executive = app
        .person("eve@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let mut eve = app.signed_in_browser(&executive).await?;
    let before = eve.get(PAGE).await?.body;
    // Nine people for ten working days, one from 1 July 2025 to 31 March 2026 (196).
    assert!(
        before.contains("About 290 working days spent suspended or excluded"),
        "{before}"
    );

    let ids: Vec<(i64,)> = sqlx::query_as("SELECT id FROM er_cases ORDER BY id")
        .fetch_all(app.db.pool())
        .await?;
    let case_id = ids.get(9).ok_or("case")?.0;
    let case = dignity_store::er_cases::case_in_organisation(&app.db, app.org.id, case_id).await?;
    let (suspension_id,): (i64,) =
        sqlx::query_as("SELECT id FROM er_suspensions WHERE case_id = $1")
            .bind(case_id)
            .fetch_one(app.db.pool())
            .await?;
    let ended = dignity_store::er_cases::record_review(
        &app.db,
        "erin@trust.nhs.uk",
        dignity_web::now(),
        &app.org,
        case_id,
        case.version,
        &dignity_store::er_cases::NewReview {
            suspension_id,
            reviewed_on: Day::parse("2025-07-10")?,
            wellbeing_checked: true,
            next_due: None,
            note: vec![0; 16],
        },
    )
    .await?;
    assert!(ended);
    assert_eq!(
        eve.get(PAGE).await?.body,
        before,
        "the settled year does not move"
    );

    // A second suspension of one of the ten, written before the year settled: still ten
    // people, so the part stays shown; its 45 working days are added (331, read as 330).
    suspend_case(app, 0, "2025-09-01", Some("2025-10-31"), "2025-09-01").await?;
    let page = eve.get(PAGE).await?.body;
    assert!(
        page.contains("About 330 working days spent suspended"),
        "{page}"
    );
    Ok(())
}
