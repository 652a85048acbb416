//! Culture and care, on both databases: outcomes imported whole or not at all, the
//! relationship across organisations worked out from the figures the pages show, and an
//! organisation's board seeing where it sits without any other organisation being named.

use crate::support::{TestApp, TestResult};
use axum::http::StatusCode;
use dignity_app::admin::Operator;
use dignity_app::board::{ImportError, import_outcomes};
use dignity_domain::identity::Role;
use dignity_domain::survey::{DEFAULT_BANK, QuestionKind, parse};
use dignity_store::identity::Organisation;

dignity_store::on_both_backends!(
    crate::support::run;
    an_outcomes_file_with_a_mistake_keeps_nothing_and_a_new_one_replaces,
    culture_and_care_relates_shown_figures_and_names_no_other_trust_to_a_board,
);

fn operator(app: &TestApp) -> Operator {
    Operator::new(app.db.clone(), dignity_app::Clock::system(), "cli")
}

/// A year's sickness absence for both test organisations, so the pages have figures.
pub(crate) async fn import_some_outcomes(app: &TestApp) -> TestResult {
    let file = "ODS code,Period,Measure,Value\nRJ1,2026,sickness_absence,4.5\nRJ2,2026,sickness_absence,5.5\n";
    import_outcomes(&operator(app), file.as_bytes()).await?;
    Ok(())
}

async fn kept(app: &TestApp) -> Result<Vec<(String, String, f64)>, Box<dyn std::error::Error>> {
    Ok(dignity_store::board::every(&app.db)
        .await?
        .into_iter()
        .map(|o| (o.measure, o.period, o.value))
        .collect())
}

async fn an_outcomes_file_with_a_mistake_keeps_nothing_and_a_new_one_replaces(
    app: &TestApp,
) -> TestResult {
    let operator = operator(app);
    // The last line names an organisation this installation does not have.
    let file = "ODS code,Period,Measure,Value,Rated on\n\
        RJ1,2026,sickness_absence,4.5,\n\
        RJ2,2026,care_rating,Good,2026-02-01\n\
        RZZ,2026,sickness_absence,3.9,\n";
    match import_outcomes(&operator, file.as_bytes()).await {
        Err(ImportError::File(errors)) => {
            assert_eq!(errors.errors.len(), 1);
            assert_eq!(
                errors.errors[0].to_string(),
                "line 4, column \"ODS code\": no organisation here has the ODS code RZZ"
            );
        }
        other => panic!("expected the file refused: {other:?}"),
    }
    assert!(kept(app).await?.is_empty(), "nothing kept");

    let file = "ODS code,Period,Measure,Value,Rated on\n\
        RJ1,2026,sickness_absence,4.5,\n\
        RJ2,2026,care_rating,Good,2026-02-01\n";
    let imported = import_outcomes(&operator, file.as_bytes()).await?;
    assert_eq!(
        (imported.figures, imported.organisations, imported.replaced),
        (2, 2, 0)
    );
    // Again, with RJ1's figure put right: it replaces the one kept, RJ2's stays.
    let file = "ods_code,period,measure,value\nrj1,2026,sickness_absence,5.1%\n";
    let imported = import_outcomes(&operator, file.as_bytes()).await?;
    assert_eq!((imported.figures, imported.replaced), (1, 1));
    let mut now = kept(app).await?;
    now.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        now,
        vec![
            ("care_rating".to_owned(), "2026".to_owned(), 3.0),
            ("sickness_absence".to_owned(), "2026".to_owned(), 5.1),
        ]
    );
    // Each organisation's log says so.
    let entries = dignity_store::audit::list_for_organisation(&app.db, "RJ1", None, 50).await?;
    let imports: Vec<&str> = entries
        .iter()
        .filter(|e| e.action == "outcomes.import")
        .map(|e| e.detail.as_str())
        .collect();
    assert_eq!(
        imports,
        vec![
            "Imported 1 outcome figure (1 replacing earlier ones)",
            "Imported 1 outcome figure (0 replacing earlier ones)",
        ]
    );
    Ok(())
}

/// A closed 2026 campaign for `org` with `people` responses, `harassed` of them harassed by
/// managers (and everything else bad), the rest spared.
pub(crate) async fn survey_for(
    app: &TestApp,
    org: &Organisation,
    people: usize,
    harassed: usize,
) -> TestResult {
    let definition = parse(DEFAULT_BANK)?;
    let answers = |bad: bool| -> Vec<u8> {
        definition
            .items()
            .iter()
            .map(|item| match (item.question.kind, bad) {
                (QuestionKind::Frequency, true) => 4,
                (QuestionKind::Scale, true) => 5,
                (_, true) => 2,
                (QuestionKind::Frequency, false) => 1,
                (QuestionKind::Scale, false) => 9,
                (_, false) => 1,
            })
            .collect()
    };
    let everyone: Vec<(Vec<u16>, Vec<u8>)> = (0..people)
        .map(|i| (vec![1], answers(i < harassed)))
        .collect();
    crate::survey::campaign_of_values(app, org, &everyone).await?;
    Ok(())
}

async fn culture_and_care_relates_shown_figures_and_names_no_other_trust_to_a_board(
    app: &TestApp,
) -> TestResult {
    // Eleven trusts, each with more staff harassed than the one before and more sickness
    // (a board's view says nothing among fewer than ten); a twelfth whose survey had too
    // few answers to show, whose figure must not be used.
    let mut trusts = vec![app.org.clone(), app.other_org.clone()];
    for code in [
        "RJ3", "RJ4", "RJ5", "RJ6", "RJ8", "RJ9", "RJA", "RJB", "RJC", "RJ7",
    ] {
        trusts.push(crate::support::organisation(&app.db, code).await?);
    }
    let mut file = String::from("ODS code,Period,Measure,Value\n");
    for (i, t) in trusts.iter().enumerate() {
        let small = t.ods_code == "RJ7";
        survey_for(
            app,
            t,
            if small { 5 } else { 40 },
            if small { 5 } else { 4 * i },
        )
        .await?;
        // RJ7's sickness would break the perfect order if its hidden figure were used.
        let sickness = if small { 1.0 } else { 3.0 + i as f64 };
        file.push_str(&format!(
            "{},2026,sickness_absence,{sickness}\n",
            t.ods_code
        ));
    }
    import_outcomes(&operator(app), file.as_bytes()).await?;

    let analyst = app
        .person("nat@nhs.uk", Some(Role::NationalAnalyst))
        .await?;
    let mut national = app.signed_in_browser(&analyst).await?;
    let page = national.get("/national/culture-and-care").await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("They do not show that one causes the other")
    );
    assert!(
        page.body
            .contains("A strong link across 11 organisations: where the share of staff harassed by managers is higher, the sickness absence tends to be higher."),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("+1.00 (+1.00 to +1.00)"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<svg class=\"dignity-chart\""));
    assert!(page.body.contains("Trust RJ2 (RJ2)"));
    assert!(
        !page.body.contains("Trust RJ7 (RJ7)"),
        "a hidden figure is left out"
    );
    let csv = national.get("/national/culture-and-care.csv").await?;
    assert!(csv.content_type.starts_with("text/csv"));
    assert!(
        csv.body.contains(
            "\"2026\",\"Staff harassed, bullied or abused by managers (%)\",\"Sickness absence rate (%)\",\"11\",\"All organisations\",\"1.000\",\"1.000\",\"1.000\""
        ),
        "{}",
        csv.body
    );
    // A choice that is not on the list is refused plainly.
    let page = national
        .get("/national/culture-and-care?culture=nonsense")
        .await?;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    let page = national.get("/national/culture-and-care?year=1999").await?;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    // The figures are kept between readings, but not past an import: RJ1, with the fewest
    // harassed, now has the most sickness, and the link is no longer perfect.
    import_outcomes(
        &operator(app),
        b"ODS code,Period,Measure,Value\nRJ1,2026,sickness_absence,20\n",
    )
    .await?;
    let page = national.get("/national/culture-and-care").await?;
    assert!(
        !page.body.contains("+1.00 (+1.00 to +1.00)"),
        "{}",
        page.body
    );
    // By hand: rank differences -10 and ten of 1, so 1 - 6 x 110 / (11 x 120) = 0.50.
    assert!(page.body.contains("+0.50 ("), "{}", page.body);
    import_outcomes(
        &operator(app),
        b"ODS code,Period,Measure,Value\nRJ1,2026,sickness_absence,3\n",
    )
    .await?;

    // RJ1's board: the fewest harassed and the least sickness, and no other trust named.
    let chair = app.person("chair@trust.nhs.uk", Some(Role::Chair)).await?;
    let mut board = app.signed_in_browser(&chair).await?;
    let page = board.get("/orgs/RJ1/culture-and-care").await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for other in ["RJ2", "RJ3", "RJ4", "RJ5", "RJ6", "RJ7", "RJ8", "RJC"] {
        assert!(
            !page.body.contains(other),
            "{other} is named: {}",
            page.body
        );
    }
    assert!(
        page.body.contains("Your figures: 0.0 and 3.0%."),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("11 of 11, highest first"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("11 of 12, highest first"),
        "{}",
        page.body
    );
    // Readings in words only: the coefficients of many pairs, set against published
    // outcomes, named trusts on a small view.
    assert!(page.body.contains("A strong link across 11 organisations"));
    assert!(!page.body.contains("+1.00"), "{}", page.body);
    // No other organisation's point is drawn (a point's place on the chart gave its
    // figures back exactly), nor the count of each type of organisation.
    assert_eq!(page.body.matches("<circle").count(), 0);
    assert_eq!(page.body.matches("<rect").count(), 1);
    assert!(!page.body.contains("Within each type of organisation"));
    assert!(page.body.contains("Links found across organisations"));
    // Another trust's board sees nothing of RJ1's.
    let other_exec = app
        .person_in("exec@other.nhs.uk", Some(Role::Executive), &app.other_org)
        .await?;
    let mut other = app.signed_in_browser(&other_exec).await?;
    assert_eq!(
        other.get("/orgs/RJ1/culture-and-care").await?.status,
        StatusCode::FORBIDDEN
    );
    Ok(())
}
