//! The workforce page: figures from an imported extract, small groups hidden so none can
//! be had by subtraction, down the unit tree too.

use crate::support::{TestApp, TestResult};
use dignity_app::admin::Operator;
use dignity_app::workforce::{self, Kind};
use dignity_domain::identity::{Name, OdsCode, OrgUnitKind, Role};
use dignity_domain::speakup::Day;
use dignity_store::identity;

dignity_store::on_both_backends!(
    crate::support::run;
    workforce_page_shows_figures_and_hides_small_groups,
    workforce_figures_cannot_be_had_from_each_other,
);

const HEADER: &str = "Employee Number,Organisation,Staff Group,Pay Band,Ethnic Origin,Disability Flag,Gender,Age Band,Contracted WTE,FTE Days Lost";

/// One line of a staff-in-post extract.
fn line(n: usize, unit: &str, ethnicity: &str, disability: &str, days_lost: &str) -> String {
    format!(
        "{},{unit},Nursing and Midwifery Registered,Band 5,{ethnicity},{disability},Female,26-30,1,{days_lost}",
        50_000_000 + n
    )
}

async fn workforce_page_shows_figures_and_hides_small_groups(app: &TestApp) -> TestResult {
    let operator = Operator::new(app.db.clone(), dignity_app::Clock::system(), "cli");
    for unit in ["Surgery", "Medicine"] {
        identity::create_org_unit(
            &app.db,
            "cli",
            1,
            &app.org,
            None,
            OrgUnitKind::Division,
            &Name::parse(unit, "name")?,
        )
        .await?;
    }
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut browser = app.signed_in_browser(&admin).await?;

    // Before any import, the page says where the figures come from.
    let page = browser.get("/orgs/RJ1/workforce").await?;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    assert!(
        page.body.contains("There are no workforce figures yet"),
        "{}",
        page.body
    );

    // 40 people: 36 White British and 4 Black African; 3 disabled. Surgery has 30 and
    // Medicine 10; nobody is placed above them.
    let mut lines = vec![HEADER.to_owned()];
    for n in 0..40 {
        let unit = if n < 30 { "Surgery" } else { "Medicine" };
        let ethnicity = if n < 36 { "A" } else { "N" };
        let disability = if n < 3 { "Yes" } else { "No" };
        lines.push(line(n, unit, ethnicity, disability, "3.65"));
    }
    let file = lines.join("\n");
    let secret = app.state.app.secret.clone();
    let imported = workforce::import(
        &operator,
        &secret,
        &OdsCode::parse("RJ1")?,
        Kind::Staff,
        Day::parse("2026-03-31")?,
        file.as_bytes(),
        &mut |_| {},
    )
    .await?;
    assert_eq!(imported.rows, 40);

    let page = browser.get("/orgs/RJ1/workforce").await?;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    let body = &page.body;
    assert!(body.contains("staff in post on 31 March 2026"), "{body}");
    assert!(body.contains(">40<"), "the headcount: {body}");
    // 3.65 days of 365 contracted: 1%.
    assert!(body.contains("1.00%"), "the sickness absence rate: {body}");
    // Four Black and minority ethnic staff are fewer than 10, and with the total shown
    // the other groups must hide too, or 40 - 36 would give them away.
    let ethnicity = section(body, "id=\"ethnicity\"");
    assert!(
        !ethnicity.contains(">4<") && !ethnicity.contains(">36<"),
        "{ethnicity}"
    );
    assert!(ethnicity.contains("hidden"), "{ethnicity}");
    let disability = section(body, "id=\"disability\"");
    assert!(
        !disability.contains(">3<") && !disability.contains(">37<"),
        "{disability}"
    );
    // The unit tree: Surgery's 30 and Medicine's 10 are both big enough and nobody sits
    // directly in the organisation, so both show.
    assert!(body.contains(">30<") && body.contains(">10<"), "{body}");

    // A day with no extract is a clear not-found; junk is a clear bad request.
    let page = browser.get("/orgs/RJ1/workforce?day=2020-01-01").await?;
    assert_eq!(page.status.as_u16(), 404, "{}", page.body);
    let page = browser.get("/orgs/RJ1/workforce?day=junk").await?;
    assert_eq!(page.status.as_u16(), 400, "{}", page.body);
    Ok(())
}

/// The outside attacks on the page: a hidden staff group had by subtracting the medical
/// grades from the medical staff group, a medical grade had the same way, and a hidden
/// year-start headcount had back from the turnover rate.
async fn workforce_figures_cannot_be_had_from_each_other(app: &TestApp) -> TestResult {
    let operator = Operator::new(app.db.clone(), dignity_app::Clock::system(), "cli");
    identity::create_org_unit(
        &app.db,
        "cli",
        1,
        &app.org,
        None,
        OrgUnitKind::Division,
        &Name::parse("Surgery", "name")?,
    )
    .await?;
    let secret = app.state.app.secret.clone();
    let ods = OdsCode::parse("RJ1")?;
    let import = |kind: Kind, day: &'static str, lines: Vec<String>| {
        let operator = &operator;
        let secret = &secret;
        let ods = &ods;
        async move {
            workforce::import(
                operator,
                secret,
                ods,
                kind,
                Day::parse(day)?,
                lines.join("\n").as_bytes(),
                &mut |_| {},
            )
            .await
            .map_err(|e| Box::<dyn std::error::Error>::from(e.to_string()))
        }
    };
    let person = |n: usize, group: &str, grade: &str| {
        format!(
            "{},Surgery,{group},{grade},A,No,Female,26-30,1,0",
            60_000_000 + n
        )
    };
    // A year before: 8 people, a headcount the page hides.
    let mut early = vec![HEADER.to_owned()];
    early.extend((0..8).map(|n| person(n, "Nursing and Midwifery Registered", "Band 5")));
    import(Kind::Staff, "2025-03-31", early).await?;
    // Now: 15 medical staff (12 consultants, 3 trainees), 3 in estates, 42 nurses.
    let mut now = vec![HEADER.to_owned()];
    now.extend((0..12).map(|n| person(100 + n, "Medical and Dental", "Consultant")));
    now.extend((0..3).map(|n| person(200 + n, "Medical and Dental", "Trainee Grade")));
    now.extend((0..3).map(|n| person(300 + n, "Estates and Ancillary", "Band 2")));
    now.extend((0..42).map(|n| person(400 + n, "Nursing and Midwifery Registered", "Band 5")));
    import(Kind::Staff, "2026-03-31", now).await?;
    let mut left = vec![format!("{HEADER},Termination Date,Reason for Leaving")];
    left.extend((0..10).map(|n| {
        format!(
            "{},2025-10-01,Voluntary Resignation - Relocation",
            person(900 + n, "Nursing and Midwifery Registered", "Band 5")
        )
    }));
    import(Kind::Leavers, "2026-03-31", left).await?;

    let exec = app
        .person("eve@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let mut browser = app.signed_in_browser(&exec).await?;
    let page = browser.get("/orgs/RJ1/workforce").await?;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    let body = &page.body;
    let groups = section(body, "id=\"staff-group\"");
    let pay = section(body, "id=\"pay-grade\"");
    // Estates (3) is hidden, so the medical staff group is hidden with it; the pay grades
    // hold the same 15 people in one row, hidden alike, with no grade split inside it.
    assert!(
        groups.contains("hidden") && !groups.contains(">3<"),
        "{groups}"
    );
    assert_eq!(
        groups.contains(">15<"),
        pay.contains(">15<"),
        "the medical staff are shown in both breakdowns or in neither: {groups} {pay}"
    );
    assert!(
        !pay.contains("Consultant") && !pay.contains("Trainee"),
        "{pay}"
    );
    assert!(!pay.contains(">12<"), "{pay}");
    assert!(
        !body.contains("Clinical or not"),
        "whether someone is clinical follows from their group"
    );
    // 10 leavers are shown, but the rate would give back the hidden 8 of a year before.
    assert!(body.contains("Leavers in the year to this day"), "{body}");
    let turnover = section(body, "Turnover (leavers");
    let rate = &turnover[..turnover.find("</dd>").unwrap_or(turnover.len())];
    assert!(rate.ends_with("hidden"), "{rate}");
    Ok(())
}

/// The page from `marker` to the next heading.
fn section<'a>(body: &'a str, marker: &str) -> &'a str {
    let start = body.find(marker).unwrap_or(0);
    let rest = &body[start..];
    let end = rest[1..].find("<h2").map_or(rest.len(), |e| e + 1);
    &rest[..end]
}
