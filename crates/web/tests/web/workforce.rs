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

/// The page from `marker` to the next heading.
fn section<'a>(body: &'a str, marker: &str) -> &'a str {
    let start = body.find(marker).unwrap_or(0);
    let rest = &body[start..];
    let end = rest[1..].find("<h2").map_or(rest.len(), |e| e + 1);
    &rest[..end]
}
