//! The library on both databases: search with stemming, corrections, highlights and facets;
//! curation kept current on every server; case study pages; organisations' pinned items.

use crate::support::{TestApp, TestResult};
use axum::http::StatusCode;
use dignity_domain::identity::Role;
use dignity_domain::library::{Audience, Kind, Published, Topic};
use dignity_domain::speakup::Day;
use dignity_store::library::{self as store, CaseStudy, NewResource};

dignity_store::on_both_backends!(
    crate::support::run;
    the_library_is_searched_filtered_and_kept_current_on_every_server,
    curators_add_change_check_and_retire_resources,
    organisations_pin_their_own_policies_above_the_library,
    each_resource_links_to_where_it_can_be_read,
);

fn resource(kind: Kind, title: &str, summary: &str, year: i64) -> NewResource {
    NewResource {
        kind,
        title: title.into(),
        summary: summary.into(),
        publisher: "NHS Employers".into(),
        link: String::new(),
        audiences: vec![Audience::Staff],
        topics: vec![Topic::Civility],
        published: Some(Published {
            year,
            month: None,
            day: None,
        }),
        review_on: Day::parse("2030-01-01").unwrap_or(Day::from_unix_seconds(0)),
        case: CaseStudy::default(),
    }
}

pub(crate) async fn seed(app: &TestApp) -> Result<Vec<i64>, Box<dyn std::error::Error>> {
    let mut case = resource(
        Kind::CaseStudy,
        "A fast-track disciplinary process",
        "Managers and unions made discipline quicker and fairer.",
        2017,
    );
    case.case = CaseStudy {
        organisation: "University Hospital Birmingham NHS Foundation Trust".into(),
        problem: "Long processes left staff stressed.".into(),
        approach: "A fast-track process designed in partnership.".into(),
        results: "Fewer cases went to formal hearings.".into(),
        contacts: String::new(),
    };
    Ok(store::add_resources(
        &app.db,
        "test",
        None,
        1,
        &[
            resource(
                Kind::Guide,
                "Tackling bullying at work <script>alert(1)</script>",
                "A guide for representatives on bullying.",
                2018,
            ),
            resource(
                Kind::Video,
                "Civility saves lives",
                "How rudeness harms care.",
                2019,
            ),
            case,
        ],
    )
    .await?)
}

async fn the_library_is_searched_filtered_and_kept_current_on_every_server(
    app: &TestApp,
) -> TestResult {
    let ids = seed(app).await?;
    let mut visitor = app.browser();
    let all = visitor.get("/library").await?;
    assert_eq!(all.status, StatusCode::OK);
    assert!(all.body.contains("3 resources"), "{}", all.body);
    // Newest first with no words; titles are text, never markup.
    let civility = all.body.find("Civility saves lives").ok_or("listed")?;
    let tackling = all.body.find("Tackling bullying").ok_or("listed")?;
    assert!(civility < tackling);
    assert!(!all.body.contains("<script>alert"));

    let typo = visitor.get("/library?q=bulying").await?;
    assert!(
        typo.body
            .contains("we searched for: <strong>bullying</strong>"),
        "{}",
        typo.body
    );
    assert!(typo.body.contains("<mark>bullying</mark>"), "{}", typo.body);
    assert!(typo.body.contains("1 resource for"));

    let filtered = visitor.get("/library?kind=video").await?;
    assert!(filtered.body.contains("1 resource"), "{}", filtered.body);
    assert!(filtered.body.contains("Civility saves lives"));
    assert!(filtered.body.contains("Clear all filters"));
    let none = visitor
        .get("/library?kind=sculpture&year=abc&page=-4")
        .await?;
    assert_eq!(none.status, StatusCode::OK);
    assert!(none.body.contains("0 resources"));

    // A case study reads as one.
    let case = visitor.get(&format!("/library/{}", ids[2])).await?;
    for part in [
        "What was wrong",
        "What they did together",
        "Fewer cases went to formal hearings.",
    ] {
        assert!(case.body.contains(part), "{part}");
    }
    let missing = visitor.get("/library/999999").await?;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // A change made through one server is found through another at once.
    let mut elsewhere = app.browser_on_another_server()?;
    assert!(
        elsewhere
            .get("/library?q=kindness")
            .await?
            .body
            .contains("0 resources")
    );
    store::add_resources(
        &app.db,
        "test",
        None,
        2,
        &[resource(
            Kind::Podcast,
            "Kindness on the wards",
            "A podcast.",
            2020,
        )],
    )
    .await?;
    assert!(
        elsewhere
            .get("/library?q=kindness")
            .await?
            .body
            .contains("1 resource")
    );
    store::retire_resource(&app.db, "test", None, 3, ids[1]).await?;
    assert!(
        elsewhere
            .get("/library?q=rudeness")
            .await?
            .body
            .contains("0 resources")
    );
    let retired = elsewhere.get(&format!("/library/{}", ids[1])).await?;
    assert!(
        retired
            .body
            .contains("This resource has been taken out of the library")
    );
    Ok(())
}

async fn curators_add_change_check_and_retire_resources(app: &TestApp) -> TestResult {
    let ids = seed(app).await?;
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut ada = app.signed_in_browser(&admin).await?;
    let page = ada
        .post(
            "/library/new",
            &[
                ("kind", "case_study"),
                ("link", "javascript:alert(1)"),
                ("review-day", "31"),
                ("review-month", "2"),
                ("review-year", "2027"),
            ],
        )
        .await?;
    // Every mistake at once, each linked to its field; the date's names the date.
    let summary = crate::support::error_summary(&page.body);
    for (link, message) in [
        ("title", "Enter the title"),
        ("summary", "Enter a summary in your own words"),
        ("audiences", "Choose who it is for"),
        (
            "link",
            "The web address must start with https:// or http://",
        ),
        (
            "review-day",
            "The date to check it again must be a real date",
        ),
        (
            "case_organisation",
            "For a case study, enter the organisation",
        ),
    ] {
        assert!(
            summary.contains(&format!("<a href=\"#{link}\">{message}")),
            "{message}: {summary}"
        );
    }
    let page = ada
        .post(
            "/library/new",
            &[("kind", "toolkit"), ("review-month", "6")],
        )
        .await?;
    assert!(
        crate::support::error_summary(&page.body)
            .contains("The date to check it again must include a day and year")
    );
    let fields = [
        ("kind", "toolkit"),
        ("title", "Respect champions toolkit"),
        ("summary", "How to train staff as respect champions."),
        ("publisher", "Demo trust"),
        ("link", "https://example.nhs.uk/respect"),
        ("audiences", "staff"),
        ("audiences", "managers"),
        ("topics", "civility"),
        ("published-month", "5"),
        ("published-year", "2026"),
        ("review-day", "1"),
        ("review-month", "1"),
        ("review-year", "2020"),
    ];
    let page = ada.post("/library/new", &fields).await?;
    assert!(page.status.is_redirection(), "{}", page.body);
    let found = ada.get("/library?q=champions").await?;
    assert!(found.body.contains("1 resource"), "{}", found.body);
    let id = store::all_resources(&app.db)
        .await?
        .into_iter()
        .find(|r| r.fields.title == "Respect champions toolkit")
        .ok_or("saved")?
        .id;
    let saved = store::get_resource(&app.db, id).await?;
    assert_eq!(
        saved.fields.audiences,
        [Audience::Managers, Audience::Staff]
    );

    // Its review date has passed, so it is due for a check.
    let manage = ada.get("/library/manage").await?;
    assert!(
        manage.body.contains("Respect champions toolkit"),
        "{}",
        manage.body
    );
    // A next check that is not a real date, or not after today, is named beside that
    // resource's date, which keeps what was typed.
    let reviewed = format!("/library/{id}/reviewed");
    let page = ada
        .post(
            &reviewed,
            &[
                ("next-day", "1"),
                ("next-month", "1"),
                ("next-year", "2000"),
            ],
        )
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        crate::support::error_summary(&page.body).contains(&format!(
            "<a href=\"#next-{id}-day\">The date of the next check must be after today"
        )),
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!(
        r#"id="next-{id}-year" name="next-year" type="text" inputmode="numeric" value="2000""#
    )));
    let page = ada
        .post(
            &reviewed,
            &[
                ("next-day", "30"),
                ("next-month", "2"),
                ("next-year", "2099"),
            ],
        )
        .await?;
    assert!(
        crate::support::error_summary(&page.body)
            .contains("The date of the next check must be a real date")
    );
    let page = ada
        .post(
            &reviewed,
            &[
                ("next-day", "1"),
                ("next-month", "1"),
                ("next-year", "2099"),
            ],
        )
        .await?;
    assert!(page.redirects_to("/library/manage"), "{}", page.body);
    assert!(
        !ada.get("/library/manage")
            .await?
            .body
            .contains("Respect champions toolkit")
    );

    // Changed, then retired: search follows.
    let mut changed = fields.to_vec();
    changed[1] = ("title", "Respect ambassadors toolkit");
    let review_year = changed
        .iter()
        .position(|(k, _)| *k == "review-year")
        .ok_or("a review year")?;
    changed[review_year] = ("review-year", "2099");
    ada.post(&format!("/library/{id}/edit"), &changed).await?;
    assert!(
        ada.get("/library?q=ambassadors")
            .await?
            .body
            .contains("1 resource")
    );
    ada.post(&format!("/library/{}/retire", ids[0]), &[])
        .await?;
    assert!(
        ada.get("/library?q=bullying")
            .await?
            .body
            .contains("0 resources")
    );
    let again = ada.get(&format!("/library/{}/edit", ids[0])).await?;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'library.%'")
            .fetch_one(app.db.pool())
            .await?;
    assert!(audited >= 5, "{audited}");

    // Staff cannot curate.
    let staff = app.person("sam@trust.nhs.uk", Some(Role::Staff)).await?;
    let page = app
        .signed_in_browser(&staff)
        .await?
        .get("/library/new")
        .await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    Ok(())
}

async fn organisations_pin_their_own_policies_above_the_library(app: &TestApp) -> TestResult {
    seed(app).await?;
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut ada = app.signed_in_browser(&admin).await?;
    let page = ada
        .post(
            "/orgs/RJ1/library",
            &[("title", "Our guardians"), ("link", "javascript:alert(1)")],
        )
        .await?;
    assert!(
        page.body
            .contains("The web address must start with https:// or http://")
    );
    ada.post(
        "/orgs/RJ1/library",
        &[
            ("title", "Our guardians"),
            ("body", "Gina Guardian, extension 1234."),
        ],
    )
    .await?;
    let page = app.browser().get("/library?org=RJ1").await?;
    let pin = page
        .body
        .find("Gina Guardian, extension 1234.")
        .ok_or("pinned")?;
    let results = page.body.find("3 resources").ok_or("the catalogue too")?;
    assert!(pin < results, "the organisation's items come first");
    let other = app.browser().get("/library?org=RJ2").await?;
    assert!(!other.body.contains("Gina Guardian"));
    let pins = store::pins(&app.db, app.org.id).await?;
    ada.post(&format!("/orgs/RJ1/library/{}/remove", pins[0].id), &[])
        .await?;
    assert!(store::pins(&app.db, app.org.id).await?.is_empty());
    // Another organisation's administrator cannot remove them.
    let outsider = app
        .person_in("olly@other.nhs.uk", Some(Role::OrgAdmin), &app.other_org)
        .await?;
    let page = app
        .signed_in_browser(&outsider)
        .await?
        .post("/orgs/RJ1/library", &[("title", "Hijack")])
        .await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    Ok(())
}

/// Issue 16: each resource links to where it can be read; curators add or change the
/// address, with a message for each mistake; a resource without one says where to get it,
/// and the manage page lists those so curators can add them.
async fn each_resource_links_to_where_it_can_be_read(app: &TestApp) -> TestResult {
    let ids = seed(app).await?;
    let id = ids[1];
    let public = app.browser().get(&format!("/library/{id}")).await?;
    assert!(
        public
            .body
            .contains("We do not have a web address for it yet")
            && public
                .body
                .contains("Search for “Civility saves lives” on the NHS Employers website"),
        "{}",
        public.body
    );
    assert!(
        !public.body.contains("/edit"),
        "no curator links for the public"
    );

    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut ada = app.signed_in_browser(&admin).await?;
    let manage = ada.get("/library/manage").await?;
    assert!(
        manage.body.contains("3 resources have no web address"),
        "{}",
        manage.body
    );
    assert!(
        manage
            .body
            .contains(&format!("href=\"/library/{id}/edit\""))
    );
    let own = ada.get(&format!("/library/{id}")).await?;
    assert!(own.body.contains("Add its web address"));

    let with_link = |link: &'static str| {
        vec![
            ("kind", "video"),
            ("title", "Civility saves lives"),
            ("summary", "How rudeness harms care."),
            ("publisher", "NHS Employers"),
            ("link", link),
            ("audiences", "staff"),
            ("topics", "civility"),
            ("published-year", "2019"),
            ("review-day", "1"),
            ("review-month", "1"),
            ("review-year", "2030"),
        ]
    };
    for (bad, says) in [
        (
            "www.civilitysaveslives.com",
            "Enter the web address in full, starting with https://",
        ),
        (
            "javascript:alert(1)",
            "The web address must start with https:// or http://",
        ),
        (
            "https://civility saves lives.com",
            "The web address must not have spaces in it",
        ),
        ("https://civilitysaveslives", "Enter a real web address"),
    ] {
        let page = ada
            .post(&format!("/library/{id}/edit"), &with_link(bad))
            .await?;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(page.body.contains(says), "{bad}: {}", page.body);
        assert!(
            page.body.contains("href=\"#link\""),
            "the summary leads to the field"
        );
    }
    assert!(
        store::get_resource(&app.db, id)
            .await?
            .fields
            .link
            .is_empty()
    );

    let address = "https://www.civilitysaveslives.com/about?from=nhs&lang=en";
    let page = ada
        .post(&format!("/library/{id}/edit"), &with_link(address))
        .await?;
    assert!(page.status.is_redirection(), "{}", page.body);
    let escaped = address.replace('&', "&#38;");
    let read = app.browser().get(&format!("/library/{id}")).await?;
    assert!(
        read.body.contains(&format!("href=\"{escaped}\"")),
        "{}",
        read.body
    );
    assert!(
        read.body
            .contains("Read “Civility saves lives” on www.civilitysaveslives.com")
    );
    let found = app.browser().get("/library?q=civility").await?;
    assert!(
        found.body.contains(&format!("href=\"{escaped}\"")),
        "{}",
        found.body
    );
    let form = ada.get(&format!("/library/{id}/edit")).await?;
    assert!(
        form.body.contains(&format!("value=\"{escaped}\"")),
        "the address can be changed"
    );
    let manage = ada.get("/library/manage").await?;
    assert!(manage.body.contains("2 resources have no web address"));
    assert!(
        !manage
            .body
            .contains(&format!("href=\"/library/{id}/edit\""))
    );

    // Only a website's home page: people are told to look for it there, not to read it,
    // and curators are asked for its own address.
    let page = ada
        .post(
            &format!("/library/{id}/edit"),
            &with_link("https://www.civilitysaveslives.com/"),
        )
        .await?;
    assert!(page.status.is_redirection(), "{}", page.body);
    let look = app.browser().get(&format!("/library/{id}")).await?;
    assert!(
        look.body
            .contains("We do not have the address of “Civility saves lives” itself")
            && look
                .body
                .contains("Look for it on www.civilitysaveslives.com")
            && !look.body.contains("Read “Civility saves lives”"),
        "{}",
        look.body
    );
    let found = app.browser().get("/library?q=civility").await?;
    assert!(
        found
            .body
            .contains("Look for it on www.civilitysaveslives.com"),
        "{}",
        found.body
    );
    let manage = ada.get("/library/manage").await?;
    assert!(
        manage
            .body
            .contains("3 resources have no web address of their own")
            && manage
                .body
                .contains(&format!("href=\"/library/{id}/edit\"")),
        "{}",
        manage.body
    );
    Ok(())
}
