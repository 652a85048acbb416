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
    equality_standards_from_the_extracts,
    equality_report_is_public_once_both_sides_sign,
    a_day_too_close_to_one_seen_is_held,
    a_units_groups_are_not_had_down_the_tree,
    a_units_doctors_are_not_had_from_the_wres_grades,
    the_organisations_students_are_not_had_from_the_band_rows,
    a_hidden_group_is_not_had_by_adding_up_the_units,
    a_units_ethnicity_does_not_give_back_a_band_cell,
    a_units_leavers_are_not_had_from_its_starters,
);

pub const HEADER: &str = "Employee Number,Organisation,Staff Group,Pay Band,Ethnic Origin,Disability Flag,Gender,Age Band,Contracted WTE,FTE Days Lost";

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
    // A year before, 46 were in post: the first 36 of these and 10 who have left since. So
    // 4 have started: too few to show.
    let mut year_before = lines[..37].to_vec();
    year_before.extend((100..110).map(|n| line(n, "Surgery", "A", "No", "3.65")));
    workforce::import(
        &Operator::new(app.db.clone(), noon_of("2025-04-07")?, "cli"),
        &secret,
        &OdsCode::parse("RJ1")?,
        Kind::Staff,
        Day::parse("2025-03-31")?,
        year_before.join("\n").as_bytes(),
        &mut |_| {},
    )
    .await?;
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
    // 26 left in the year: 12 resigned, 11 retired and 3 were dismissed.
    let mut left = vec![format!("{HEADER},Termination Date,Reason for Leaving")];
    for n in 0..26 {
        let reason = match n {
            0..12 => "Voluntary Resignation - Relocation",
            12..23 => "Retirement Age",
            _ => "Dismissal - Conduct",
        };
        left.push(format!(
            "{},2025-10-01,{reason}",
            line(500 + n, "Surgery", "A", "No", "0")
        ));
    }
    workforce::import(
        &operator,
        &secret,
        &OdsCode::parse("RJ1")?,
        Kind::Leavers,
        Day::parse("2026-03-31")?,
        left.join("\n").as_bytes(),
        &mut |_| {},
    )
    .await?;

    let page = browser.get("/orgs/RJ1/workforce").await?;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    let body = &page.body;
    assert!(body.contains("staff in post on 31 March 2026"), "{body}");
    assert!(body.contains(">40<"), "the headcount: {body}");
    // The 4 starters are hidden. Staff now are those of a year before, less the leavers,
    // plus the starters, and the page shows 40 and (for the earlier day) 46: so the 26
    // leavers hide too, or 40 - 46 + 26 would give the starters (an outside review did
    // this), and with them the rate and why they left.
    let starters = section(body, "Starters since 31 March 2025");
    let starters = &starters[..starters.find("</dd>").unwrap_or(starters.len())];
    assert!(starters.ends_with(">hidden"), "{starters}");
    let leavers = section(body, "Leavers in the year to this day");
    let leavers = &leavers[..leavers.find("</dd>").unwrap_or(leavers.len())];
    assert!(leavers.ends_with(">hidden"), "{leavers}");
    let reasons = section(body, "id=\"leaving-reason\"");
    assert!(
        !reasons.contains(">12<") && !reasons.contains(">3<") && !reasons.contains(">11<"),
        "{reasons}"
    );
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
    // Each unit's level is said in words, not only by its indent.
    assert!(
        body.contains("Division: </span><a href=")
            && body.contains("#unit\">Surgery</a>")
            && body.contains("Whole organisation: </span>"),
        "{body}"
    );

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
    // Estates (3) is hidden. The WRES table hides the 3 trainee doctors, so the medical
    // staff group (the same people as the medical grades) is hidden too: shown, it would
    // give the trainees back as 15 less the 12 consultants there.
    assert!(
        groups.contains("hidden") && !groups.contains(">3<"),
        "{groups}"
    );
    assert!(!groups.contains(">15<"), "{groups}");
    assert!(
        !body.contains("id=\"pay-grade\""),
        "pay bands are on the equality pages alone"
    );
    let wres = browser.get("/orgs/RJ1/workforce/wres").await?;
    assert_eq!(wres.status.as_u16(), 200, "{}", wres.body);
    let trainees = section(&wres.body, "Clinical: trainee grade");
    let trainees = &trainees[..trainees.find("</tr>").unwrap_or(trainees.len())];
    assert!(
        trainees.contains("Clinical: trainee grade") && !trainees.contains("</span>3</td>"),
        "{trainees}"
    );
    assert!(
        !body.contains("Clinical or not"),
        "whether someone is clinical follows from their group"
    );
    // 10 leavers are shown, but the rate would give back the hidden 8 of a year before.
    assert!(body.contains("Leavers in the year to this day"), "{body}");
    let turnover = section(body, "Turnover (leavers");
    let rate = &turnover[..turnover.find("</dd>").unwrap_or(turnover.len())];
    assert!(rate.ends_with("hidden"), "{rate}");
    // So would the starters (60, everyone): staff now less starters plus leavers.
    let starters = section(body, "Starters since 31 March 2025");
    let starters = &starters[..starters.find("</dd>").unwrap_or(starters.len())];
    assert!(starters.ends_with(">hidden"), "{starters}");
    // Why they left: all 10 resigned, a group as big as the leavers shown.
    let reasons = section(body, "id=\"leaving-reason\"");
    assert!(
        reasons.contains("Resigned</th>") && reasons.contains(">10<"),
        "{reasons}"
    );
    Ok(())
}

/// WRES 2 and WDES 2 worked by hand (docs/workforce-indicators.md), on the pages and in
/// the returns, with the sources named and the year before compared.
async fn equality_standards_from_the_extracts(app: &TestApp) -> TestResult {
    // The year's files are imported a week after it ends, before it settles, as a trust
    // would; what is tried later is tried today.
    let operator = Operator::new(app.db.clone(), noon_of("2026-04-07")?, "cli");
    let today = Operator::new(app.db.clone(), dignity_app::Clock::system(), "cli");
    let last_year = Operator::new(app.db.clone(), noon_of("2025-04-07")?, "cli");
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
    let import_by = |operator: &Operator, kind: Kind, day: &'static str, lines: Vec<String>| {
        let (operator, secret, ods) = (operator.clone(), &secret, &ods);
        async move {
            workforce::import(
                &operator,
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
    let import_now =
        |kind: Kind, day: &'static str, lines: Vec<String>| import_by(&today, kind, day, lines);
    let import = |kind: Kind, day: &'static str, lines: Vec<String>| {
        let (operator, secret, ods) = (&operator, &secret, &ods);
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
    let union = app
        .person("una@trust.nhs.uk", Some(Role::UnionPartner))
        .await?;
    let mut browser = app.signed_in_browser(&union).await?;
    let page = browser.get("/orgs/RJ1/workforce/wres").await?;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    assert!(
        page.body.contains("There are no figures yet"),
        "{}",
        page.body
    );
    let none = browser.get("/orgs/RJ1/workforce/wres.csv").await?;
    assert_eq!(none.status.as_u16(), 404, "{}", none.body);

    // 120 staff in post: 80 White and 40 Black and minority ethnic nurses on band 5.
    let staff = || {
        let mut lines = vec![HEADER.to_owned()];
        lines.extend((0..120).map(|n| {
            let ethnicity = if n < 80 { "A" } else { "N" };
            format!(
                "{},Surgery,Nursing and Midwifery Registered,Band 5,{ethnicity},No,Female,26-30,1,0",
                70_000_000 + n
            )
        }));
        lines
    };
    import_by(&last_year, Kind::Staff, "2025-03-31", staff()).await?;
    import(Kind::Staff, "2026-03-31", staff()).await?;
    // Shortlisted: White 60 of 200 appointed, BME 30 of 150; by disability, disabled
    // 4 of 20 and not disabled 86 of 330.
    let mut applicants = vec!["Ethnic Origin,Disability Flag,Appointed".to_owned()];
    for n in 0..350 {
        let (ethnicity, appointed) = if n < 200 {
            ("A", n < 60)
        } else {
            ("N", n < 230)
        };
        // 4 of the appointed White applicants and 16 of the others are disabled.
        let disabled = n < 4 || (100..116).contains(&n);
        applicants.push(format!(
            "{ethnicity},{},{}",
            if disabled { "Yes" } else { "No" },
            if appointed { "Yes" } else { "No" }
        ));
    }
    import(Kind::Recruitment, "2026-03-31", applicants).await?;
    // This year's board alone: 10 members, all voting, 4 of them executives; 8 White and 2
    // BME. The year before has none to compare with.
    let mut board = vec!["Ethnic Origin,Disability Flag,Voting,Executive".to_owned()];
    board.extend((0..10).map(|n| {
        let ethnicity = if n < 8 { "A" } else { "N" };
        let executive = if n < 4 { "Yes" } else { "No" };
        format!("{ethnicity},No,Yes,{executive}")
    }));
    import(Kind::Board, "2026-03-31", board).await?;

    // Entering the disciplinary process: in 2025/26 12 of the 80 White staff and 12 of
    // the 40 BME staff; in 2024/25 8 and 10. Over the two years BME 22 of 80 (0.275)
    // against White 20 of 160 (0.125): 2.20. SE = sqrt(1/22 - 1/80 + 1/20 - 1/160)
    // = 0.27696, so the interval is exp(ln 2.2 -+ 1.96 x 0.27696) = 1.28 to 3.79.
    let formal = |white: usize, bme: usize| {
        let mut lines = vec!["Ethnic Origin,Disability Flag,Formal Process".to_owned()];
        lines.extend((0..white).map(|_| "A,No,Disciplinary".to_owned()));
        lines.extend((0..bme).map(|_| "N,No,Disciplinary".to_owned()));
        lines.join("\n")
    };
    for (day, white, bme) in [("2025-03-31", 8, 10), ("2026-03-31", 12, 12)] {
        workforce::import_formal(
            if day.starts_with("2025") {
                &last_year
            } else {
                &operator
            },
            &app.state.app.secret,
            &ods,
            Day::parse(day)?,
            formal(white, bme).as_bytes(),
            &mut |_| {},
        )
        .await
        .map_err(|e| e.to_string())?;
    }

    let page = browser.get("/orgs/RJ1/workforce/wres").await?;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    let body = &page.body;
    assert!(body.contains("2025/26"), "{body}");
    // Year on year: WRES 1's shares of the whole workforce, with row headers.
    let compared = section(body, "Compared with the year before");
    assert!(
        compared.contains("scope=\"row\"")
            && compared.contains("1. Share of the whole workforce: White")
            && compared.contains("%"),
        "{compared}"
    );
    // WRES 9 too: the board's voting members are 80% White against 66.7% of the staff.
    assert!(
        compared.contains("9. Board voting members against the workforce: White")
            && compared.contains("+13.3 points")
            && compared.contains("No figure"),
        "{compared}"
    );
    let wres3 = section(body, "id=\"indicator-3\"");
    assert!(wres3.contains("2.20"), "{wres3}");
    assert!(wres3.contains("1.28 to 3.79"), "{wres3}");
    assert!(
        wres3.contains("This year and the year before, added together"),
        "{wres3}"
    );
    assert!(
        wres3.contains(
            "From the counts of staff entering formal processes imported for 31 March 2026"
        ),
        "{wres3}"
    );
    // The year's own counts are never shown apart: 8 is below the minimum.
    assert!(!wres3.contains("</span>8</td>"), "{wres3}");
    // No member of staff is disabled: WDES 3 says why there is no likelihood rather than
    // dividing by nothing.
    let wdes = browser.get("/orgs/RJ1/workforce/wdes").await?;
    let wdes3 = section(&wdes.body, "id=\"indicator-3\"");
    assert!(
        wdes3.contains("one of the two groups has nobody in it"),
        "{wdes3}"
    );
    let wres2 = section(body, "id=\"indicator-2\"");
    // (60 / 200) / (30 / 150) = 1.50; Katz interval 1.02 to 2.20 (worked in the doc).
    assert!(wres2.contains("1.50"), "{wres2}");
    assert!(wres2.contains("1.02 to 2.20"), "{wres2}");
    assert!(wres2.contains("A real difference"), "{wres2}");
    let wres4 = section(body, "id=\"indicator-4\"");
    assert!(wres4.contains("No training extract"), "{wres4}");
    // 2025/26 has settled, so its shortlisting can no longer be replaced, for the same day
    // or a later one of the year, without saying it is a correction: WRES 2 stays as read.
    let appointed_all = |n: usize| format!("N,No,{}", if n < 150 { "Yes" } else { "No" });
    for day in ["2026-03-31", "2026-03-30"] {
        let mut lines = vec!["Ethnic Origin,Disability Flag,Appointed".to_owned()];
        lines.extend((0..350).map(appointed_all));
        let refused = import_now(Kind::Recruitment, day, lines)
            .await
            .expect_err("a settled year's shortlisting is not replaced");
        assert!(
            refused.to_string().contains("--correct-settled-year"),
            "{refused}"
        );
    }
    let again = browser.get("/orgs/RJ1/workforce/wres").await?;
    assert!(
        section(&again.body, "id=\"indicator-2\"").contains("1.02 to 2.20"),
        "{}",
        again.body
    );
    // A first file for 2023/24 would become "the year before" of 2024/25, settled with
    // staff in post and counts of its own, and move its two-year WRES 3: refused too.
    let refused = import_now(Kind::Staff, "2024-03-31", staff())
        .await
        .expect_err("the year before a settled year is not filled in quietly");
    assert!(
        refused
            .to_string()
            .contains("would be the first of 2023/24")
            && refused.to_string().contains("--correct-settled-year"),
        "{refused}"
    );
    let refused = workforce::import_formal(
        &today,
        &secret,
        &ods,
        Day::parse("2024-03-31")?,
        formal(1, 1).as_bytes(),
        &mut |_| {},
    )
    .await;
    assert!(
        matches!(
            refused,
            Err(workforce::ImportError::FeedsSettledYear { .. })
        ),
        "{refused:?}"
    );
    // A year with no settled year after it is free to fill in.
    import_now(Kind::Staff, "2023-03-31", staff()).await?;
    // Putting a settled year's formal-process counts right is written to the audit log as
    // a correction, as staff in post is.
    let corrected = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'workforce.settled_year_corrected'",
        )
        .fetch_one(app.db.pool())
        .await
    };
    let before = corrected().await?;
    workforce::import_formal_correcting_settled_year(
        &today,
        &secret,
        &ods,
        Day::parse("2026-03-31")?,
        formal(12, 22).as_bytes(),
        &mut |_| {},
    )
    .await
    .map_err(|e| e.to_string())?;
    assert_eq!(corrected().await?, before + 1);
    // A day not yet come is a mistake, named as one, and nothing is kept.
    let tomorrow = dignity_app::Clock::system().today().plus_days(1);
    let refused = workforce::import(
        &today,
        &secret,
        &ods,
        Kind::Staff,
        tomorrow,
        staff().join("\n").as_bytes(),
        &mut |_| {},
    )
    .await;
    assert!(
        matches!(refused, Err(workforce::ImportError::FutureDay { .. })),
        "{refused:?}"
    );
    assert!(
        !dignity_store::workforce::every_day_of(&app.db, app.org.id, Kind::Staff)
            .await?
            .contains(&tomorrow)
    );
    // WRES 1: 40 of 120 are BME, a third.
    let wres1 = section(body, "id=\"indicator-1\"");
    assert!(wres1.contains("33.3%"), "{wres1}");

    let page = browser.get("/orgs/RJ1/workforce/wdes").await?;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    let wdes2 = section(&page.body, "id=\"indicator-2\"");
    // 4 disabled applicants appointed are too few to show, and the likelihood made from
    // them is hidden with them.
    assert!(!wdes2.contains("</span>4</td>"), "{wdes2}");
    assert!(wdes2.contains("Hidden: a count it is made from"), "{wdes2}");
    assert!(!wdes2.contains("1.30"), "{wdes2}");

    // The return holds what the page shows, one figure a line.
    let csv = browser
        .get("/orgs/RJ1/workforce/wres.csv?year=2026")
        .await?;
    assert_eq!(csv.status.as_u16(), 200, "{}", csv.body);
    // The return says how many years WRES 3 adds together.
    assert!(
        csv.body.contains("\"WRES 3\",\"Black and minority ethnic staff compared with white staff\",\"years counted\",\"2\""),
        "{}",
        csv.body
    );
    assert!(
        csv.body.contains("\"RJ1\",\"2025/26\",\"WRES 2\",\"White applicants compared with Black and minority ethnic applicants\",\"relative likelihood\",\"1.50\""),
        "{}",
        csv.body
    );
    let xlsx = browser
        .get("/orgs/RJ1/workforce/wdes.xlsx?year=2026")
        .await?;
    assert_eq!(xlsx.status.as_u16(), 200);
    // The year before has no recruitment extract: nothing to compare WRES 2 with.
    let before = browser.get("/orgs/RJ1/workforce/wres?year=2025").await?;
    assert_eq!(before.status.as_u16(), 200, "{}", before.body);
    assert!(
        before.body.contains("No recruitment extract"),
        "{}",
        before.body
    );
    let junk = browser.get("/orgs/RJ1/workforce/wres?year=soon").await?;
    assert_eq!(junk.status.as_u16(), 400, "{}", junk.body);
    let missing = browser.get("/orgs/RJ1/workforce/wres?year=2019").await?;
    assert_eq!(missing.status.as_u16(), 404, "{}", missing.body);
    // A repeated field is our page, in words, not the framework's plain text.
    let twice = browser
        .get("/orgs/RJ1/workforce/wres?year=2025&year=2026")
        .await?;
    assert_eq!(twice.status.as_u16(), 400, "{}", twice.body);
    assert!(
        twice.body.contains("We could not read the web address") && twice.body.contains("<h1"),
        "{}",
        twice.body
    );
    // A correction by one person would have to be held, taking the settled year's WRES 3
    // away from every page: it is refused whole, and the page does not move.
    let before = browser.get("/orgs/RJ1/workforce/wres?year=2026").await?;
    let refused = workforce::import_formal_correcting_settled_year(
        &today,
        &secret,
        &ods,
        Day::parse("2026-03-31")?,
        formal(12, 23).as_bytes(),
        &mut |_| {},
    )
    .await;
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.to_string().contains("Nothing was stored")),
        "{refused:?}"
    );
    let after = browser.get("/orgs/RJ1/workforce/wres?year=2026").await?;
    assert_eq!(after.body, before.body);
    // So is a staff correction whose renumbered people count in full person by person
    // while the counts move by one joiner (an outside attack): five people given new
    // numbers, each with two details changed, and one starter (Black African, disabled,
    // unlike anyone who left).
    let mut renumbered = staff();
    for n in 1..=5 {
        if let Some(line) = renumbered.get_mut(n) {
            *line = format!(
                "{},Surgery,Nursing and Midwifery Registered,Band 6,A,No,Female,26-30,1,3",
                71_000_000 + n
            );
        }
    }
    renumbered.push(
        "71000099,Surgery,Allied Health Professionals,Band 7,N,Yes,Female,26-30,1,0".to_owned(),
    );
    let refused = workforce::import_correcting_settled_year(
        &today,
        &secret,
        &ods,
        Kind::Staff,
        Day::parse("2026-03-31")?,
        renumbered.join("\n").as_bytes(),
        &mut |_| {},
    )
    .await;
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.to_string().contains("Nothing was stored")),
        "{refused:?}"
    );
    assert_eq!(
        browser
            .get("/orgs/RJ1/workforce/wres?year=2026")
            .await?
            .body,
        before.body
    );
    Ok(())
}

/// A WRES report: written by an executive with a plan action, signed by both sides, then
/// public. A new version needs both signatures again while the public page keeps the
/// signed one, and a signature for a version that has changed since it was read is
/// refused.
async fn equality_report_is_public_once_both_sides_sign(app: &TestApp) -> TestResult {
    import_some_staff(app).await?;
    let (_, plan, mut ezra, mut uma) = crate::plans::signed_plan(app).await?;
    let actions = dignity_store::plans::actions(&app.db, plan.id).await?;
    let action = actions.first().ok_or("an action")?;
    let action_id = action.id.to_string();
    let public = app.browser().get("/equality/RJ1/wres").await?;
    assert_eq!(public.status.as_u16(), 200, "{}", public.body);
    assert!(public.body.contains("has not published"), "{}", public.body);

    let write = "/orgs/RJ1/workforce/report/wres";
    let sign = "/orgs/RJ1/workforce/report/wres/sign";
    // A union partner reads and signs, but does not write.
    let page = uma
        .post(write, &[("year", "2026"), ("summary", "Ours")])
        .await?;
    assert_eq!(page.status.as_u16(), 403, "{}", page.body);
    let page = ezra
        .post(write, &[("year", "2026"), ("summary", "  ")])
        .await?;
    assert_eq!(page.status.as_u16(), 422, "{}", page.body);
    assert!(
        page.body.contains("Write what the figures show"),
        "{}",
        page.body
    );
    let page = ezra
        .post(
            write,
            &[
                ("year", "2026"),
                ("summary", "Words"),
                ("actions", "999999"),
            ],
        )
        .await?;
    assert_eq!(page.status.as_u16(), 422, "{}", page.body);
    assert!(
        page.body.contains("Choose actions from your organisation"),
        "{}",
        page.body
    );
    let page = ezra
        .post(write, &[("year", "2019"), ("summary", "Words")])
        .await?;
    assert_eq!(page.status.as_u16(), 404, "{}", page.body);

    let words = "Our board is less diverse than our staff. We will change how we appoint.";
    let page = ezra
        .post(
            write,
            &[
                ("year", "2026"),
                ("summary", words),
                ("actions", &action_id),
            ],
        )
        .await?;
    assert_eq!(page.status.as_u16(), 303, "{}", page.body);
    let page = ezra.follow(page).await?;
    assert!(
        page.body.contains("A new version is saved"),
        "{}",
        page.body
    );
    assert!(page.body.contains(&action.title), "{}", page.body);

    // The year's staff in post is put right after the version was written: ten more
    // people. The live page moves; the version keeps what it froze, and the report page
    // shows the signers those frozen figures, not the live ones.
    let forty: Vec<String> = (0..40)
        .map(|n| line(n, "Matrix ward", "A", "No", "0"))
        .collect();
    let day = Day::parse("2026-03-31")?;
    import_extract(app, Kind::Staff, HEADER, &forty, day, None, true).await?;
    let live = uma.get("/orgs/RJ1/workforce/wres?year=2026").await?;
    assert!(live.body.contains(">40<"), "{}", live.body);
    let report = uma.get("/orgs/RJ1/workforce/report/wres?year=2026").await?;
    let frozen = section(&report.body, "The figures in version 1");
    assert!(
        frozen.contains("Figure </span>30</td>") && !frozen.contains("Figure </span>40</td>"),
        "{frozen}"
    );

    // An executive signs for the employer only.
    let page = ezra
        .post(
            sign,
            &[("year", "2026"), ("side", "union"), ("version", "1")],
        )
        .await?;
    assert_eq!(page.status.as_u16(), 403, "{}", page.body);
    let page = ezra
        .post(
            sign,
            &[("year", "2026"), ("side", "employer"), ("version", "1")],
        )
        .await?;
    assert_eq!(page.status.as_u16(), 303, "{}", page.body);
    let public = app.browser().get("/equality/RJ1/wres").await?;
    assert!(
        public.body.contains("has not published"),
        "one side is not enough"
    );

    let page = uma
        .post(
            sign,
            &[("year", "2026"), ("side", "union"), ("version", "1")],
        )
        .await?;
    assert_eq!(page.status.as_u16(), 303, "{}", page.body);
    let page = uma.follow(page).await?;
    assert!(
        page.body.contains("The report is now public"),
        "{}",
        page.body
    );
    let public = app.browser().get("/equality/RJ1/wres").await?;
    assert!(public.body.contains(words), "{}", public.body);
    assert!(public.body.contains(&action.title), "{}", public.body);
    assert!(public.body.contains("WRES 1"), "{}", public.body);

    // A second version is written; the public page keeps the first until both sign.
    let page = ezra
        .post(write, &[("year", "2026"), ("summary", "Second thoughts")])
        .await?;
    assert_eq!(page.status.as_u16(), 303, "{}", page.body);
    let page = uma
        .post(
            sign,
            &[("year", "2026"), ("side", "union"), ("version", "1")],
        )
        .await?;
    assert_eq!(page.status.as_u16(), 409, "{}", page.body);
    assert!(
        page.body.contains("has changed since you opened it"),
        "{}",
        page.body
    );
    let public = app.browser().get("/equality/RJ1/wres").await?;
    assert!(public.body.contains(words) && !public.body.contains("Second thoughts"));
    let missing = app.browser().get("/equality/RJ1/nope").await?;
    assert_eq!(missing.status.as_u16(), 404);
    Ok(())
}

/// Staff in post for the organisation under test on 31 March 2026, so every workforce page
/// and download has figures: 30 people in a unit of their own.
pub async fn import_some_staff(app: &TestApp) -> TestResult {
    identity::create_org_unit(
        &app.db,
        "cli",
        1,
        &app.org,
        None,
        OrgUnitKind::Division,
        &Name::parse("Matrix ward", "name")?,
    )
    .await?;
    let mut lines = vec![HEADER.to_owned()];
    lines.extend((0..30).map(|n| line(n, "Matrix ward", "A", "No", "0")));
    let operator = Operator::new(app.db.clone(), dignity_app::Clock::system(), "cli");
    workforce::import(
        &operator,
        &app.state.app.secret,
        &OdsCode::parse("RJ1")?,
        Kind::Staff,
        Day::parse("2026-03-31")?,
        lines.join("\n").as_bytes(),
        &mut |_| {},
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(())
}

/// Makes the unit "Surgery" in RJ1 and imports `lines` (each a staff-in-post line after
/// [`HEADER`], with "Surgery" as the unit) as its staff in post on each of `days`.
pub async fn staff_in_surgery(app: &TestApp, lines: &[String], days: &[Day]) -> TestResult {
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
    for day in days {
        import_staff(app, lines, *day).await?;
    }
    Ok(())
}

/// Imports `lines` (each after [`HEADER`]) as RJ1's staff in post on `day`.
pub async fn import_staff(app: &TestApp, lines: &[String], day: Day) -> TestResult {
    import_extract(app, Kind::Staff, HEADER, lines, day, None, false).await
}

/// Imports `lines` as RJ1's staff in post on `day` in place of an extract of a settled
/// year, on purpose (`--correct-settled-year`).
pub async fn correct_staff(app: &TestApp, lines: &[String], day: Day) -> TestResult {
    import_extract(app, Kind::Staff, HEADER, lines, day, None, true).await
}

/// Puts right RJ1's leavers extract for `day` in a settled year, on purpose.
pub async fn correct_leavers(app: &TestApp, lines: &[String], day: Day) -> TestResult {
    let header = format!("{HEADER},Termination Date,Reason for Leaving");
    import_extract(app, Kind::Leavers, &header, lines, day, None, true).await
}

/// Imports `lines` (each after [`HEADER`], then a leaving date and reason) as RJ1's
/// leavers in the period to `day`, on the day `imported_on` (today if `None`).
pub async fn import_leavers(
    app: &TestApp,
    lines: &[String],
    day: Day,
    imported_on: Option<Day>,
) -> TestResult {
    let header = format!("{HEADER},Termination Date,Reason for Leaving");
    import_extract(app, Kind::Leavers, &header, lines, day, imported_on, false).await
}

async fn import_extract(
    app: &TestApp,
    kind: Kind,
    header: &str,
    lines: &[String],
    day: Day,
    imported_on: Option<Day>,
    correcting: bool,
) -> TestResult {
    let clock = match imported_on {
        Some(on) => {
            dignity_app::Clock::fixed(on.days_since(Day::from_unix_seconds(0)) * 86_400 + 43_200)
        }
        None => dignity_app::Clock::system(),
    };
    let operator = Operator::new(app.db.clone(), clock, "cli");
    let extract = std::iter::once(header.to_owned())
        .chain(lines.iter().cloned())
        .collect::<Vec<_>>()
        .join("\n");
    let (secret, ods) = (&app.state.app.secret, OdsCode::parse("RJ1")?);
    let bytes = extract.as_bytes();
    let imported = if correcting {
        workforce::import_correcting_settled_year(
            &operator,
            secret,
            &ods,
            kind,
            day,
            bytes,
            &mut |_| {},
        )
        .await
    } else {
        workforce::import(&operator, secret, &ods, kind, day, bytes, &mut |_| {}).await
    };
    imported.map_err(|e| e.to_string())?;
    Ok(())
}

/// The differencing attack: a reader who sets two days' pages side by side, or the pages
/// before and after a corrected extract, learns what changed. With one starter that is the
/// starter's own groups. Each extract here would give a person away that way, and each is
/// kept but held; one far enough from every extract seen is shown.
async fn a_day_too_close_to_one_seen_is_held(app: &TestApp) -> TestResult {
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
    let executive = app
        .person("exec@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let mut browser = app.signed_in_browser(&executive).await?;
    let forty = |changed: &dyn Fn(usize) -> Option<String>| -> Vec<String> {
        (0..40)
            .map(|n| {
                changed(n).unwrap_or_else(|| {
                    line(
                        n,
                        if n < 30 { "Surgery" } else { "Medicine" },
                        "A",
                        "No",
                        "1",
                    )
                })
            })
            .collect()
    };
    let first = Day::parse("2026-05-31")?;
    let seen_in_first = forty(&|_| None);
    import_staff(app, &seen_in_first, first).await?;
    let page = browser.get("/orgs/RJ1/workforce").await?;
    assert!(page.body.contains(">40<"), "{}", page.body);

    // One Black African starter in Medicine a month later: the page would move by one in
    // Medicine and in Black African.
    let mut one_starter = forty(&|_| None);
    one_starter.push(line(99, "Medicine", "N", "No", "1"));
    import_staff(app, &one_starter, Day::parse("2026-06-30")?).await?;
    // The same starter, hidden among fifteen people whose sickness absence changed.
    let mut among_absences = forty(&|n| {
        (n < 15).then(|| {
            line(
                n,
                if n < 30 { "Surgery" } else { "Medicine" },
                "A",
                "No",
                "4",
            )
        })
    });
    among_absences.push(line(99, "Medicine", "N", "No", "1"));
    import_staff(app, &among_absences, Day::parse("2026-07-31")?).await?;

    let page = browser.get("/orgs/RJ1/workforce").await?;
    let body = &page.body;
    assert_eq!(page.status.as_u16(), 200, "{body}");
    assert!(body.contains("staff in post on 31 May 2026"), "{body}");
    assert!(body.contains(">40<") && !body.contains(">41<"), "{body}");
    assert!(body.contains("2 files are kept but not shown"), "{body}");
    assert!(
        body.contains(
            "Staff in post as at 30 June 2026: its figures moved by fewer than 10 people from the file as at 31 May 2026"
        ),
        "{body}"
    );
    for held in ["2026-06-30", "2026-07-31"] {
        let page = browser
            .get(&format!("/orgs/RJ1/workforce?day={held}"))
            .await?;
        assert_eq!(page.status.as_u16(), 404, "{held}: {}", page.body);
    }

    // The first day put right for one person: the pages before and after would show that
    // person's old and new groups, so the correction is held and that day is no longer
    // shown either.
    let corrected = forty(&|n| (n == 7).then(|| line(7, "Surgery", "H", "No", "1")));
    import_staff(app, &corrected, first).await?;
    let page = browser.get("/orgs/RJ1/workforce").await?;
    assert!(
        page.body.contains("There are no workforce figures yet")
            && page.body.contains(
                "Staff in post as at 31 May 2026, imported again: its figures moved by fewer than 10 people from the file for that day shown before"
            ),
        "{}",
        page.body
    );
    // The first page readers saw is remembered: an August extract one person from it is
    // held beside it, though no extract is shown now.
    let august = Day::parse("2026-08-31")?;
    let near_the_first = forty(&|n| (n == 8).then(|| line(8, "Surgery", "A", "Yes", "1")));
    import_staff(app, &near_the_first, august).await?;
    let held = dignity_store::workforce::held(&app.db, app.org.id).await?;
    assert!(
        held.iter().any(|h| h.as_at == august && h.beside == first),
        "{held:?}"
    );

    // Twenty starters since every extract seen: shown.
    let mut twenty_starters = seen_in_first.clone();
    twenty_starters.extend((100..120).map(|n| line(n, "Medicine", "A", "No", "1")));
    import_staff(app, &twenty_starters, Day::parse("2026-09-30")?).await?;
    let page = browser.get("/orgs/RJ1/workforce").await?;
    assert!(
        page.body.contains("staff in post on 30 September 2026") && page.body.contains(">60<"),
        "{}",
        page.body
    );
    // Ten more a month on are far enough from every extract seen too. Only the shown days
    // are offered to choose from.
    let mut ten_more = twenty_starters.clone();
    ten_more.extend((120..130).map(|n| line(n, "Surgery", "A", "No", "1")));
    import_staff(app, &ten_more, Day::parse("2026-10-31")?).await?;
    let page = browser.get("/orgs/RJ1/workforce").await?;
    assert!(page.body.contains(">70<"), "{}", page.body);
    assert!(
        page.body.contains("value=\"2026-09-30\"")
            && !page.body.contains("value=\"2026-08-31\"")
            && !page.body.contains("value=\"2026-05-31\""),
        "{}",
        page.body
    );

    // The outside reviews' ways round: the one starter among everyone renumbered (a new
    // payroll, so the digests link nobody and the counts are compared, which move by
    // one), and among four leavers replaced by four joiners in the same groups (nine
    // people moved, though the counts move by one).
    let renumbered: Vec<String> = ten_more
        .iter()
        .map(|l| l.replacen("5", "6", 1))
        .chain(std::iter::once(line(200, "Surgery", "H", "Yes", "1")))
        .collect();
    import_staff(app, &renumbered, Day::parse("2026-11-15")?).await?;
    let mut like_for_like = ten_more.clone();
    for (n, leaver) in like_for_like.iter_mut().take(4).enumerate() {
        *leaver = line(300 + n, "Surgery", "A", "No", "1");
    }
    like_for_like.push(line(201, "Medicine", "N", "No", "1"));
    import_staff(app, &like_for_like, Day::parse("2026-11-30")?).await?;
    // And among five (a later outside attack): eleven people moved in every table, yet the
    // counts, and so the page, moved by the starter alone.
    let mut five_for_five = ten_more.clone();
    for (n, leaver) in five_for_five.iter_mut().take(5).enumerate() {
        *leaver = line(400 + n, "Surgery", "A", "No", "1");
    }
    five_for_five.push(line(202, "Medicine", "N", "No", "1"));
    import_staff(app, &five_for_five, Day::parse("2026-11-20")?).await?;
    let held = dignity_store::workforce::held(&app.db, app.org.id).await?;
    for day in ["2026-11-15", "2026-11-20", "2026-11-30"] {
        let day = Day::parse(day)?;
        assert!(held.iter().any(|h| h.as_at == day), "{day}: {held:?}");
    }

    // Shortlisting moves WRES 2 as staff in post moves the pages: one more Black African
    // applicant appointed is held too.
    let applicants = |extra: bool| -> Vec<String> {
        let mut lines: Vec<String> = (0..60)
            .map(|n| format!("A,No,{}", if n < 20 { "Yes" } else { "No" }))
            .chain((0..40).map(|n| format!("N,No,{}", if n < 10 { "Yes" } else { "No" })))
            .collect();
        if extra {
            lines.push("N,Yes,Yes".into());
        }
        lines
    };
    let recruitment = |lines: Vec<String>, day: &'static str| async move {
        import_extract(
            app,
            Kind::Recruitment,
            "Ethnic Origin,Disability Flag,Appointed",
            &lines,
            Day::parse(day)?,
            None,
            false,
        )
        .await
    };
    recruitment(applicants(false), "2026-06-30").await?;
    recruitment(applicants(true), "2026-07-31").await?;
    let held = dignity_store::workforce::held(&app.db, app.org.id).await?;
    assert!(
        held.iter().any(|h| h.kind == Some(Kind::Recruitment)
            && h.as_at == Day::parse("2026-07-31").unwrap_or(h.as_at)
            && h.beside == Day::parse("2026-06-30").unwrap_or(h.beside)),
        "{held:?}"
    );
    // So do counts of staff entering the disciplinary process (WRES 3): the year's
    // counts a month on with one more Black African member of staff are held. A count of
    // another year is a year of its own, never compared.
    let operator = Operator::new(app.db.clone(), dignity_app::Clock::system(), "cli");
    let formal = |bme: usize| {
        let mut lines = vec!["Ethnic Origin,Disability Flag,Formal Process".to_owned()];
        lines.extend((0..13).map(|_| "A,No,Disciplinary".to_owned()));
        lines.extend((0..bme).map(|_| "N,No,Disciplinary".to_owned()));
        lines.join("\n")
    };
    for (day, bme) in [("2025-12-31", 2), ("2026-06-30", 13), ("2026-07-31", 14)] {
        workforce::import_formal(
            &operator,
            &app.state.app.secret,
            &OdsCode::parse("RJ1")?,
            Day::parse(day)?,
            formal(bme).as_bytes(),
            &mut |_| {},
        )
        .await
        .map_err(|e| e.to_string())?;
    }
    let held = dignity_store::workforce::held(&app.db, app.org.id).await?;
    let formal_held: Vec<Day> = held
        .iter()
        .filter(|h| h.kind.is_none())
        .map(|h| h.as_at)
        .collect();
    assert_eq!(formal_held, vec![Day::parse("2026-07-31")?], "{held:?}");

    let page = browser.get("/orgs/RJ1/workforce").await?;
    assert!(
        page.body.contains(
            "Staff entering formal processes as at 31 July 2026: its figures moved by fewer than 10 people"
        ),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(
            "Shortlisted applicants as at 31 July 2026: its figures moved by fewer than 10 people"
        ),
        "{}",
        page.body
    );
    Ok(())
}

/// A unit's own figures, and the attack they must stand: each unit's groups are safe on
/// their own, but Medicine's 2 students are the organisation's 12 less Surgery's 10.
async fn a_units_groups_are_not_had_down_the_tree(app: &TestApp) -> TestResult {
    let ids = divisions_with_staff(
        app,
        &[
            ("Surgery", "Nursing and Midwifery Registered", "Band 5", 28),
            ("Surgery", "Administrative and Clerical", "Band 5", 12),
            ("Surgery", "Students", "Band 5", 10),
            ("Medicine", "Nursing and Midwifery Registered", "Band 5", 15),
            ("Medicine", "Administrative and Clerical", "Band 5", 8),
            ("Medicine", "Students", "Band 5", 2),
        ],
    )
    .await?;
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut browser = app.signed_in_browser(&admin).await?;

    let whole = browser.get("/orgs/RJ1/workforce").await?;
    assert_eq!(whole.status.as_u16(), 200, "{}", whole.body);
    let link = format!(
        "/orgs/RJ1/workforce?day=2026-03-31&amp;unit={}#unit",
        ids[1]
    );
    assert!(
        whole.body.contains(&link),
        "each shown unit links to its figures: {}",
        whole.body
    );
    let [surgery, medicine] = [ids[0], ids[1]];
    let surgery = browser
        .get(&format!("/orgs/RJ1/workforce?unit={surgery}"))
        .await?;
    assert_eq!(surgery.status.as_u16(), 200, "{}", surgery.body);
    let medicine = browser
        .get(&format!("/orgs/RJ1/workforce?unit={medicine}"))
        .await?;
    assert_eq!(medicine.status.as_u16(), 200, "{}", medicine.body);
    assert!(
        medicine
            .body
            .contains("staff in post in Medicine on 31 March 2026"),
        "{}",
        medicine.body
    );
    let students = |body: &str| cell(section(body, "id=\"staff-group\""), "Students").to_owned();
    let (all, in_surgery, in_medicine) = (
        students(&whole.body),
        students(&surgery.body),
        students(&medicine.body),
    );
    assert!(
        in_medicine != "2",
        "Medicine's 2 students are hidden: {}",
        medicine.body
    );
    assert!(
        !(all == "12" && in_surgery == "10"),
        "12 less 10 would give Medicine's students away: {all} and {in_surgery}"
    );
    // The big groups still show, on the unit's page as on the organisation's.
    assert_eq!(
        cell(
            section(&surgery.body, "id=\"staff-group\""),
            "Nursing and Midwifery Registered"
        ),
        "28"
    );

    // A unit of no organisation's, or of another one, is not found; junk is refused.
    let page = browser.get("/orgs/RJ1/workforce?unit=999999").await?;
    assert_eq!(page.status.as_u16(), 404, "{}", page.body);
    let page = browser.get("/orgs/RJ1/workforce?unit=junk").await?;
    assert_eq!(page.status.as_u16(), 400, "{}", page.body);
    Ok(())
}

/// The outside attack on unit pages of December 2026: the organisation's page hides its
/// 15 doctors, but the WRES table's consultant row shows them, and with Surgery's 10 shown
/// Medicine's 5 would be 15 less 10 (and its 3 students then its headcount less the rest).
async fn a_units_doctors_are_not_had_from_the_wres_grades(app: &TestApp) -> TestResult {
    let ids = divisions_with_staff(
        app,
        &[
            ("Medicine", "Administrative and Clerical", "Band 3", 30),
            ("Medicine", "Medical and Dental", "Consultant", 5),
            ("Medicine", "Nursing and Midwifery Registered", "Band 5", 30),
            ("Medicine", "Students", "Band 5", 3),
            ("Surgery", "Administrative and Clerical", "Band 3", 30),
            ("Surgery", "Medical and Dental", "Consultant", 10),
            ("Surgery", "Nursing and Midwifery Registered", "Band 5", 30),
        ],
    )
    .await?;
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut browser = app.signed_in_browser(&admin).await?;
    let wres = browser.get("/orgs/RJ1/workforce/wres").await?;
    assert!(
        wres.body.contains("onsultant"),
        "the consultant row the attack reads: {}",
        wres.body
    );
    let surgery = browser
        .get(&format!("/orgs/RJ1/workforce?unit={}", ids[1]))
        .await?;
    assert_eq!(surgery.status.as_u16(), 200, "{}", surgery.body);
    let doctors = cell(
        section(&surgery.body, "id=\"staff-group\""),
        "Medical and Dental",
    );
    assert_ne!(
        doctors, "10",
        "15 less 10 would give Medicine's 5 doctors away"
    );
    Ok(())
}

/// The outside attack on the organisation's own page: clinical band 5 holds 60 nurses and
/// 3 students, and the equality table shows the band's 63. With the nurses shown, the
/// students were 63 less 60. Allied health professionals keep to band 6 and the
/// administrators to non-clinical band 3, so hiding one of those beside the students did
/// not help: their rows give them back.
async fn the_organisations_students_are_not_had_from_the_band_rows(app: &TestApp) -> TestResult {
    divisions_with_staff(
        app,
        &[
            ("Medicine", "Administrative and Clerical", "Band 3", 30),
            ("Medicine", "Nursing and Midwifery Registered", "Band 5", 60),
            ("Medicine", "Students", "Band 5", 3),
            ("Medicine", "Allied Health Professionals", "Band 6", 30),
        ],
    )
    .await?;
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut browser = app.signed_in_browser(&admin).await?;
    let wres = browser.get("/orgs/RJ1/workforce/wres").await?;
    assert!(
        wres.body.contains(">63<"),
        "band 5's total, which the attack reads: {}",
        wres.body
    );
    let page = browser.get("/orgs/RJ1/workforce").await?;
    let groups = section(&page.body, "id=\"staff-group\"");
    assert_eq!(cell(groups, "Students"), "hidden", "{groups}");
    assert_ne!(
        cell(groups, "Nursing and Midwifery Registered"),
        "60",
        "63 less 60 would give the 3 students away: {groups}"
    );
    // What the band rows give back anyway is shown.
    assert_eq!(
        cell(groups, "Administrative and Clerical"),
        "30",
        "{groups}"
    );
    Ok(())
}

/// The outside attack through the unit pages: the organisation's page hides its nurses
/// (band 5 holds them and 3 students, and shows 63), but each division's page showed its
/// 30 nurses, so the organisation had 60 and the students were 63 less 60. No unit shows
/// its count of a group the organisation's page hides.
async fn a_hidden_group_is_not_had_by_adding_up_the_units(app: &TestApp) -> TestResult {
    let ids = divisions_with_staff(
        app,
        &[
            ("Medicine", "Nursing and Midwifery Registered", "Band 5", 30),
            ("Medicine", "Students", "Band 5", 2),
            ("Medicine", "Healthcare Scientists", "Band 6", 2),
            ("Medicine", "Allied Health Professionals", "Band 6", 25),
            ("Medicine", "Administrative and Clerical", "Band 3", 12),
            ("Surgery", "Nursing and Midwifery Registered", "Band 5", 30),
            ("Surgery", "Students", "Band 5", 1),
            ("Surgery", "Healthcare Scientists", "Band 6", 2),
            ("Surgery", "Allied Health Professionals", "Band 6", 25),
            ("Surgery", "Administrative and Clerical", "Band 3", 12),
        ],
    )
    .await?;
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut browser = app.signed_in_browser(&admin).await?;
    let page = browser.get("/orgs/RJ1/workforce").await?;
    let groups = section(&page.body, "id=\"staff-group\"");
    let nurses = "Nursing and Midwifery Registered";
    assert_eq!(cell(groups, nurses), "hidden", "63 less 60: {groups}");
    for id in ids {
        let unit = browser
            .get(&format!("/orgs/RJ1/workforce?unit={id}"))
            .await?;
        assert_eq!(unit.status.as_u16(), 200, "{}", unit.body);
        let unit_groups = section(&unit.body, "id=\"staff-group\"");
        for label in [
            nurses,
            "Students",
            "Healthcare Scientists",
            "Allied Health Professionals",
            "Administrative and Clerical",
        ] {
            if cell(groups, label) == "hidden" {
                assert!(
                    !cell(unit_groups, label).chars().all(|c| c.is_ascii_digit()),
                    "{label} of unit {id} would add up to the organisation's hidden count: {unit_groups}"
                );
            }
        }
    }
    Ok(())
}

/// The outside attack through a unit's ethnicity: band 5 holds 40 White, 3 BME and 12
/// nurses of unknown ethnicity, and the race equality table shows the 3 as "fewer than".
/// Medicine holds every nurse and every administrator (band 3: 20 BME, shown), so its BME
/// count, 23, less band 3's 20 gave the 3 back. Units show their staff by staff group
/// alone: by ethnicity (or disability, sex or age band) is for the whole organisation.
async fn a_units_ethnicity_does_not_give_back_a_band_cell(app: &TestApp) -> TestResult {
    let ids = divisions_with_staff_by_ethnicity(
        app,
        &[
            (
                "Medicine",
                "Nursing and Midwifery Registered",
                "Band 5",
                "A",
                40,
            ),
            (
                "Medicine",
                "Nursing and Midwifery Registered",
                "Band 5",
                "H",
                3,
            ),
            (
                "Medicine",
                "Nursing and Midwifery Registered",
                "Band 5",
                "Z",
                12,
            ),
            ("Medicine", "Administrative and Clerical", "Band 3", "A", 30),
            ("Medicine", "Administrative and Clerical", "Band 3", "H", 20),
            ("Medicine", "Administrative and Clerical", "Band 3", "Z", 10),
            ("Surgery", "Allied Health Professionals", "Band 6", "A", 40),
            ("Surgery", "Allied Health Professionals", "Band 6", "H", 15),
            ("Surgery", "Allied Health Professionals", "Band 6", "Z", 15),
        ],
    )
    .await?;
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut browser = app.signed_in_browser(&admin).await?;
    let wres = browser.get("/orgs/RJ1/workforce/wres").await?;
    assert!(
        wres.body.contains("fewer than 10"),
        "band 5's 3: {}",
        wres.body
    );
    let medicine = browser
        .get(&format!("/orgs/RJ1/workforce?unit={}", ids[0]))
        .await?;
    assert_eq!(medicine.status.as_u16(), 200, "{}", medicine.body);
    assert!(
        !medicine.body.contains("id=\"ethnicity\"")
            && !medicine.body.contains(">Black and minority ethnic<"),
        "23 less band 3's 20 would give band 5's 3: {}",
        medicine.body
    );
    assert!(
        medicine.body.contains(
            "Staff by ethnicity, disability, sex and age band are for the whole organisation only"
        ),
        "{}",
        medicine.body
    );
    assert_ne!(
        cell(
            section(&medicine.body, "id=\"staff-group\""),
            "Administrative and Clerical"
        ),
        "",
        "staff groups are still shown: {}",
        medicine.body
    );
    Ok(())
}

/// A unit's starters, leavers, turnover and sickness absence, and the attack they must
/// stand: Surgery's 3 leavers are its 40 staff a year before, plus its 15 starters, less
/// its 52 now; and with the organisation's leavers shown, Medicine's and Oncology's would
/// give Surgery's by subtraction.
async fn a_units_leavers_are_not_had_from_its_starters(app: &TestApp) -> TestResult {
    let ids = divisions(app, &["Surgery", "Medicine", "Oncology"]).await?;
    let person = |n: usize, unit: &str| {
        format!(
            "{},{unit},Nursing and Midwifery Registered,Band 5,A,No,Female,26-30,1,3.65",
            70_000_000 + n
        )
    };
    let people = |unit: &str, from: usize, to: usize| -> Vec<String> {
        (from..to).map(|n| person(n, unit)).collect()
    };
    // Each division's staff a year before, leavers, and stayers and starters now.
    let divisions = [
        ("Surgery", 0, 40, 3, 15),
        ("Medicine", 1_000, 55, 15, 20),
        ("Oncology", 2_000, 100, 20, 25),
    ];
    let (mut before, mut left, mut now) = (Vec::new(), Vec::new(), Vec::new());
    for (unit, first, had, leaving, starting) in divisions {
        before.extend(people(unit, first, first + had));
        left.extend(
            people(unit, first, first + leaving)
                .into_iter()
                .map(|l| format!("{l},2025-10-01,Voluntary Resignation - Relocation")),
        );
        now.extend(people(unit, first + leaving, first + had));
        now.extend(people(unit, first + 500, first + 500 + starting));
    }
    import_extract(
        app,
        Kind::Staff,
        HEADER,
        &before,
        Day::parse("2025-03-31")?,
        Some(Day::parse("2025-04-07")?),
        false,
    )
    .await?;
    import_leavers(
        app,
        &left,
        Day::parse("2026-03-31")?,
        Some(Day::parse("2026-04-07")?),
    )
    .await?;
    import_extract(
        app,
        Kind::Staff,
        HEADER,
        &now,
        Day::parse("2026-03-31")?,
        Some(Day::parse("2026-04-08")?),
        false,
    )
    .await?;

    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut browser = app.signed_in_browser(&admin).await?;
    let mut pages = Vec::new();
    for id in &ids {
        let page = browser
            .get(&format!("/orgs/RJ1/workforce?unit={id}"))
            .await?;
        assert_eq!(page.status.as_u16(), 200, "{}", page.body);
        pages.push(page.body);
    }
    let whole = browser.get("/orgs/RJ1/workforce").await?;
    // The organisation's 60 starters and 38 leavers are shown.
    let figure = |body: &str, key: &str| -> String {
        let from = section(body, key);
        let to = from.find("</dd>").unwrap_or(from.len());
        from[..to]
            .rsplit('>')
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    assert_eq!(
        figure(&whole.body, "Starters since 31 March 2025"),
        "60",
        "{}",
        whole.body
    );
    assert_eq!(
        figure(&whole.body, "Leavers in the year to this day"),
        "38",
        "{}",
        whole.body
    );
    let [surgery, medicine, oncology] = [&pages[0], &pages[1], &pages[2]];
    let starters = |body: &str| figure(body, "Starters since 31 March 2025");
    let leavers = |body: &str| figure(body, "Leavers in the year to this day");
    assert_eq!(leavers(surgery), "fewer than 10", "{surgery}");
    assert_ne!(starters(surgery), "15", "{surgery}");
    // Each way of getting Surgery's 3 back is closed: Surgery's own starters, or the
    // others' starters or leavers beside the organisation's.
    assert!(
        !(starters(medicine) == "20" && starters(oncology) == "25"),
        "60 less 20 and 25 would give Surgery's 15 starters, and so its 3 leavers"
    );
    assert!(
        !(leavers(medicine) == "15" && leavers(oncology) == "20"),
        "38 less 15 and 20 would give Surgery's 3 leavers"
    );
    // What can be shown is: Oncology's flows are large, and hiding them gains nothing
    // once Medicine's are hidden. (A count the others give away anyway is shown.)
    assert_eq!(starters(oncology), "25", "{oncology}");
    assert_eq!(leavers(oncology), "20", "{oncology}");
    // 20 leavers over the average of 100 and 105 staff.
    assert_eq!(figure(oncology, "Turnover (leavers"), "19.5%", "{oncology}");
    // 3.65 days lost of 365 contracted, for every unit whose headcount shows.
    assert_eq!(figure(surgery, "Sickness absence"), "1.00%", "{surgery}");
    Ok(())
}

/// Makes a division of RJ1 for each unit named in `staff` (in the order first named;
/// their ids are returned in that order) and imports, as the staff in post on 31 March
/// 2026, the given number of people of each unit, staff group and pay band.
async fn divisions_with_staff(
    app: &TestApp,
    staff: &[(&str, &str, &str, usize)],
) -> Result<Vec<i64>, Box<dyn std::error::Error>> {
    let white: Vec<_> = staff
        .iter()
        .map(|&(unit, group, band, people)| (unit, group, band, "A", people))
        .collect();
    divisions_with_staff_by_ethnicity(app, &white).await
}

/// As [`divisions_with_staff`], with each line's ESR ethnicity code as well.
async fn divisions_with_staff_by_ethnicity(
    app: &TestApp,
    staff: &[(&str, &str, &str, &str, usize)],
) -> Result<Vec<i64>, Box<dyn std::error::Error>> {
    let mut names: Vec<&str> = Vec::new();
    for (unit, ..) in staff {
        if !names.contains(unit) {
            names.push(unit);
        }
    }
    let ids = divisions(app, &names).await?;
    let mut lines = Vec::new();
    for (unit, group, band, ethnicity, people) in staff {
        for _ in 0..*people {
            lines.push(format!(
                "{},{unit},{group},{band},{ethnicity},No,Female,26-30,1,0",
                60_000_000 + lines.len()
            ));
        }
    }
    import_staff(app, &lines, Day::parse("2026-03-31")?).await?;
    Ok(ids)
}

/// Makes a division of RJ1 for each of `names`; returns their ids in that order.
async fn divisions(app: &TestApp, names: &[&str]) -> Result<Vec<i64>, Box<dyn std::error::Error>> {
    let mut ids = Vec::new();
    for unit in names {
        let made = identity::create_org_unit(
            &app.db,
            "cli",
            1,
            &app.org,
            None,
            OrgUnitKind::Division,
            &Name::parse(unit, "name")?,
        )
        .await?;
        ids.push(made.id);
    }
    Ok(ids)
}

/// The text of the first cell after the row header `label` in `html`.
fn cell<'a>(html: &'a str, label: &str) -> &'a str {
    let Some(at) = html.find(&format!(">{label}</th>")) else {
        return "";
    };
    let rest = &html[at..];
    let Some(open) = rest.find("<td") else {
        return "";
    };
    let rest = &rest[open..];
    let start = rest.find('>').map_or(0, |i| i + 1);
    let end = rest.find("</td>").unwrap_or(rest.len());
    rest[start..end].trim()
}

/// A clock stopped at noon (UTC) on `day`.
fn noon_of(day: &str) -> Result<dignity_app::Clock, Box<dyn std::error::Error>> {
    let day = Day::parse(day)?;
    Ok(dignity_app::Clock::fixed(
        day.days_since(Day::from_unix_seconds(0)) * 86_400 + 43_200,
    ))
}

/// The page from `marker` to the next heading.
fn section<'a>(body: &'a str, marker: &str) -> &'a str {
    let start = body.find(marker).unwrap_or(0);
    let rest = &body[start..];
    let end = rest[1..].find("<h2").map_or(rest.len(), |e| e + 1);
    &rest[..end]
}
