//! Survey results in the browser-facing pages, on both databases: figures come from the
//! engine, small groups are hidden, and only the organisation's own people see them.

use crate::on_both_backends;
use crate::support::{TestApp, TestResult};
use axum::http::StatusCode;
use dignity_domain::identity::Role;
use dignity_domain::speakup::Day;
use dignity_domain::survey::{DEFAULT_BANK, Participation, parse};
use dignity_store::survey::{self, Campaign, NewResponse};

on_both_backends!(survey_results_show_with_small_groups_hidden);

/// A campaign for RJ1 with `n` responses: everyone agrees with everything, and the staff
/// groups are big (group 1), small (group 2: 4 people) and the rest.
async fn campaign_with(app: &TestApp, n: usize) -> Result<i64, Box<dyn std::error::Error>> {
    let definition = parse(DEFAULT_BANK)?;
    let survey_id = survey::save_survey(
        &app.db,
        "test",
        1,
        &format!("s{n}"),
        "Culture",
        DEFAULT_BANK,
    )
    .await?;
    let template = Campaign {
        id: 0,
        survey_id,
        organisation_id: app.org.id,
        title: format!("Survey of {n}"),
        opens_on: Day::parse("2026-01-01")?,
        closes_on: Day::parse("2026-02-01")?,
        year: 2026,
        participation: Participation::Tokens,
    };
    let campaign = survey::create_campaign(&app.db, "test", 1, &app.org, &template).await?;
    let counted = definition.counted_questions().count();
    let demographics = definition.demographic_questions().count();
    let responses: Vec<NewResponse> = (0..n)
        .map(|i| {
            let mut values = vec![0u16; demographics + 1];
            values[0] = if i < 4 {
                2
            } else if i % 2 == 0 {
                1
            } else {
                5
            };
            NewResponse {
                id: dignity_store::testing::random_id(),
                answers: definition
                    .counted_questions()
                    .map(|q| {
                        if q.kind == dignity_domain::survey::QuestionKind::Scale {
                            9
                        } else {
                            1 + (q.choices.len() as u8 - 1).min(4)
                        }
                    })
                    .collect::<Vec<u8>>()
                    .into_iter()
                    .take(counted)
                    .collect(),
                groupings: dignity_web::survey::load::encode_groupings(&values),
                comments: Vec::new(),
            }
        })
        .collect();
    survey::insert_responses(&app.db, campaign.id, &responses).await?;
    Ok(campaign.id)
}

async fn survey_results_show_with_small_groups_hidden(app: &TestApp) -> TestResult {
    let big = campaign_with(app, 60).await?;
    let tiny = campaign_with(app, 8).await?;
    let exec = app
        .person("ezra@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let mut board = app.signed_in_browser(&exec).await?;

    let page = board.get("/orgs/RJ1/surveys").await?;
    assert!(page.body.contains("Survey of 60") && page.body.contains("Survey of 8"));

    let page = board.get(&format!("/orgs/RJ1/surveys/{big}")).await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("60 people answered"));
    assert!(
        page.body
            .contains("I would feel safe raising a worry about anything at work.")
    );
    assert!(page.body.contains("Speaking-up index"));

    // By staff group: group 2 has 4 people, so it is hidden, and so is its smallest neighbour.
    let page = board
        .get(&format!("/orgs/RJ1/surveys/{big}?by=staff_group"))
        .await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("hidden"));

    // The spreadsheet holds the same suppressed figures.
    let csv = board
        .get(&format!(
            "/orgs/RJ1/surveys/{big}/results.csv?by=staff_group"
        ))
        .await?;
    assert!(csv.content_type.starts_with("text/csv"));
    assert!(
        csv.body
            .starts_with("\"question\",\"everyone\",\"Not given\""),
        "{}",
        csv.body
    );
    assert!(csv.body.contains("\"hidden\""));

    // Too few answers: nothing is shown.
    let page = board.get(&format!("/orgs/RJ1/surveys/{tiny}")).await?;
    assert!(page.body.contains("Fewer than 11 people have answered"));
    assert!(!page.body.contains(">100%<"), "no percentage from 8 people");

    // Another organisation's people cannot see it, and a wrong id is a clear 404.
    let other = app
        .person_in("olly@other.nhs.uk", Some(Role::Executive), &app.other_org)
        .await?;
    let mut outsider = app.signed_in_browser(&other).await?;
    assert_eq!(
        outsider
            .get(&format!("/orgs/RJ1/surveys/{big}"))
            .await?
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        outsider
            .get(&format!("/orgs/RJ2/surveys/{big}"))
            .await?
            .status,
        StatusCode::NOT_FOUND
    );
    Ok(())
}
