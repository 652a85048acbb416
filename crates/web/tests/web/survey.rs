//! Survey results in the browser-facing pages, on both databases: figures come from the
//! engine, small groups are hidden, and only the organisation's own people see them.

use crate::support::{Browser, TestApp, TestResult};
use axum::http::StatusCode;
use dignity_crypto::survey::InvitationCode;
use dignity_domain::identity::Role;
use dignity_domain::speakup::Day;
use dignity_domain::survey::{DEFAULT_BANK, Participation, Question, QuestionKind, parse};
use dignity_store::survey::{self, Campaign, NewResponse};

dignity_store::on_both_backends!(
    crate::support::run;
    survey_results_show_with_small_groups_hidden,
    a_question_few_of_a_group_answered_hides_its_complement_too,
    invited_staff_answer_page_by_page_and_come_back,
    admins_set_up_a_survey_and_issue_codes_shown_once,
    signed_in_staff_answer_an_open_link_once,
    pledges_scorecard_and_its_mapping,
    benchmarks_and_oversight_flag_the_worse_organisation,
    email_invitations_wait_out_a_relay_that_is_down_and_are_then_forgotten,
    multiple_choice_answers_count_each_choice,
    open_results_do_not_move_with_one_response,
    many_answer_at_once_and_each_is_stored_once,
    disability_equality_follows_the_standard,
);

/// A campaign for RJ1 with `n` responses: everyone agrees with everything, and the staff
/// groups are big (group 1), small (group 2: 4 people) and the rest.
async fn campaign_with(app: &TestApp, n: usize) -> Result<i64, Box<dyn std::error::Error>> {
    campaign_for(app, &app.org, n, |q| {
        if q.kind == QuestionKind::Scale {
            9
        } else {
            1 + (q.choices.len() as u8 - 1).min(4)
        }
    })
    .await
}

/// A closed 2026 campaign of the shared survey for `org` with `n` responses, each question
/// answered with `code(question)`: 4 people in staff group 2, then groups 1 and 5 in turn.
pub(crate) async fn campaign_for(
    app: &TestApp,
    org: &dignity_store::identity::Organisation,
    n: usize,
    code: impl Fn(&Question) -> u8,
) -> Result<i64, Box<dyn std::error::Error>> {
    let definition = parse(DEFAULT_BANK)?;
    let answers: Vec<u8> = definition
        .items()
        .iter()
        .map(|item| code(item.question))
        .collect();
    let people: Vec<(u16, Vec<u8>)> = (0..n)
        .map(|i| {
            let group = if i < 4 {
                2
            } else if i % 2 == 0 {
                1
            } else {
                5
            };
            (group, answers.clone())
        })
        .collect();
    campaign_of(app, org, &people).await
}

/// A closed 2026 campaign of the shared survey for `org`: one response per person, each a
/// staff group code and one answer code per item (0 for a skipped question).
async fn campaign_of(
    app: &TestApp,
    org: &dignity_store::identity::Organisation,
    people: &[(u16, Vec<u8>)],
) -> Result<i64, Box<dyn std::error::Error>> {
    let people: Vec<(Vec<u16>, Vec<u8>)> = people
        .iter()
        .map(|(group, answers)| (vec![*group], answers.clone()))
        .collect();
    campaign_of_values(app, org, &people).await
}

/// Like [`campaign_of`], with each person's demographic values in the survey's order
/// (staff group, ethnicity, disability, ...; missing ones are "not given").
pub(crate) async fn campaign_of_values(
    app: &TestApp,
    org: &dignity_store::identity::Organisation,
    people: &[(Vec<u16>, Vec<u8>)],
) -> Result<i64, Box<dyn std::error::Error>> {
    let definition = parse(DEFAULT_BANK)?;
    let survey_id = match survey::survey_id_by_key(&app.db, &definition.key).await? {
        Some(id) => id,
        None => {
            survey::save_survey(&app.db, "test", 1, &definition.key, "Culture", DEFAULT_BANK)
                .await?
        }
    };
    let template = Campaign {
        id: 0,
        survey_id,
        organisation_id: org.id,
        title: format!("Survey of {}", people.len()),
        opens_on: Day::parse("2026-01-01")?,
        closes_on: Day::parse("2026-02-01")?,
        year: 2026,
        participation: Participation::Tokens,
    };
    let campaign = survey::create_campaign(&app.db, "test", 1, org, &template).await?;
    let demographics = definition.demographic_questions().count();
    let responses: Vec<NewResponse> = people
        .iter()
        .map(|(given, answers)| {
            let mut values = vec![0u16; demographics + 1];
            for (slot, value) in values.iter_mut().zip(given) {
                *slot = *value;
            }
            NewResponse {
                id: dignity_crypto::token::random_token(),
                answers: answers.clone(),
                groupings: dignity_app::survey::load::encode_groupings(&values),
                comments: Vec::new(),
            }
        })
        .collect();
    survey::insert_responses(&app.db, campaign.id, &responses).await?;
    Ok(campaign.id)
}

/// The results table by staff group as downloaded: one row per item, its question, then
/// "everyone", then each group's figure (the comparison columns left out), in code order
/// from "Not given" (code 0).
fn group_cells(csv: &str) -> Vec<(String, String, Vec<String>)> {
    csv.lines()
        .skip(1)
        .map(|line| {
            let inner = line.strip_prefix('"').and_then(|l| l.strip_suffix('"'));
            let fields: Vec<String> = inner
                .unwrap_or_default()
                .split("\",\"")
                .map(str::to_owned)
                .collect();
            let groups = fields.iter().skip(2).step_by(2).cloned().collect();
            (fields[0].clone(), fields[1].clone(), groups)
        })
        .collect()
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
    // The breakdowns are named in words, not keys (issue 16).
    assert!(page.body.contains(">Team or department<"), "{}", page.body);
    assert!(!page.body.contains(">Org unit<"), "{}", page.body);

    // By staff group: group 2 has 4 people, so it is hidden, and so is its smallest neighbour.
    let page = board
        .get(&format!("/orgs/RJ1/surveys/{big}?by=staff_group"))
        .await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.body.contains("than everyone else"),
        "everyone answered alike, so no group differs"
    );

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
    // Exactly: group 2 (4 people) is hidden, and so is group 1 (28, the first of the two
    // smallest), so that neither can be had by subtraction; group 5 (28) is shown, and the
    // empty groups read "hidden" as they have no percentage.
    let rows = group_cells(&csv.body);
    assert!(rows.len() > 40, "{}", csv.body);
    for (question, everyone, groups) in &rows {
        if everyone == "hidden" {
            continue;
        }
        for (code, cell) in groups.iter().enumerate() {
            let expected = if code == 5 {
                everyone.as_str()
            } else {
                "hidden"
            };
            assert_eq!(cell, expected, "{question}: group {code}");
        }
    }
    let xlsx = board
        .get(&format!(
            "/orgs/RJ1/surveys/{big}/results.xlsx?by=staff_group"
        ))
        .await?;
    assert!(
        xlsx.content_type
            .starts_with("application/vnd.openxmlformats")
    );
    assert!(
        xlsx.body.starts_with("PK"),
        "an Excel workbook is a zip archive"
    );

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

/// Everyone agrees with everything: 24 people, 12 in staff group 1 and 12 in group 5.
fn two_groups_of_twelve(definition: &dignity_domain::survey::Survey) -> Vec<(u16, Vec<u8>)> {
    let answers: Vec<u8> = definition
        .items()
        .iter()
        .map(|i| if i.choice.is_some() { 1 } else { 2 })
        .collect();
    (0..24)
        .map(|i| (if i < 12 { 1 } else { 5 }, answers.clone()))
        .collect()
}

/// The executive's browser and the campaign's results by staff group, as CSV.
async fn results_by_staff_group(
    app: &TestApp,
    campaign: i64,
) -> Result<(Browser, crate::support::Page), Box<dyn std::error::Error>> {
    let exec = app
        .person("ezra@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let mut board = app.signed_in_browser(&exec).await?;
    let csv = board
        .get(&format!(
            "/orgs/RJ1/surveys/{campaign}/results.csv?by=staff_group"
        ))
        .await?;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    Ok((board, csv))
}

/// The reported attack: staff groups of 12 and 12, and 10 of the second group skip one
/// question. The second group's two answers are hidden; if the first group's were shown,
/// "everyone" (14 answers) minus the first group (12) would give them. Both must be hidden
/// for that question, and both shown for every other.
async fn a_question_few_of_a_group_answered_hides_its_complement_too(app: &TestApp) -> TestResult {
    let definition = parse(DEFAULT_BANK)?;
    let items = definition.items();
    let skipped = items
        .iter()
        .position(|i| i.choice.is_none() && i.question.kind == QuestionKind::Agreement)
        .ok_or("the shared survey has an agreement question")?;
    let mut people = two_groups_of_twelve(&definition);
    for person in people.iter_mut().skip(12).take(10) {
        person.1[skipped] = 0;
    }
    let campaign = campaign_of(app, &app.org, &people).await?;
    let (mut board, csv) = results_by_staff_group(app, campaign).await?;
    let rows = group_cells(&csv.body);
    assert_eq!(rows.len(), items.len(), "{}", csv.body);
    let mut shown_rows = 0;
    for (j, (question, everyone, groups)) in rows.iter().enumerate() {
        assert_eq!(*question, items[j].text);
        assert_ne!(everyone, "hidden", "{question}: 14 or 24 people answered");
        for (code, cell) in groups.iter().enumerate() {
            let expected = match code {
                1 | 5 if j != skipped => everyone.as_str(),
                _ => "hidden",
            };
            assert_eq!(cell, expected, "{question}: group {code}");
        }
        shown_rows += usize::from(j != skipped);
    }
    assert_eq!(shown_rows, items.len() - 1);
    // The page shows the same: the skipped question's row has every group hidden.
    let page = board
        .get(&format!("/orgs/RJ1/surveys/{campaign}?by=staff_group"))
        .await?;
    let text = items[skipped]
        .text
        .replace('&', "&amp;")
        .replace('\'', "&#x27;")
        .replace('"', "&quot;");
    let row = page
        .body
        .split("<tr role=\"row\" class=\"nhsuk-table__row\">")
        .find(|r| r.contains(text.as_str()))
        .ok_or("the skipped question's row is on the page")?;
    let cells = row.matches("</span>hidden</td>").count();
    let groups = rows[skipped].2.len();
    assert_eq!(cells, groups, "every group's cell is hidden: {row}");
    Ok(())
}

/// An open campaign for RJ1 taking part by invitation code, with `codes` codes issued.
pub(crate) async fn open_campaign(
    app: &TestApp,
    codes: usize,
) -> Result<(Campaign, Vec<InvitationCode>), Box<dyn std::error::Error>> {
    let survey_id =
        survey::save_survey(&app.db, "test", 1, "open", "Culture", DEFAULT_BANK).await?;
    let today = Day::from_unix_seconds(dignity_web::now());
    let template = Campaign {
        id: 0,
        survey_id,
        organisation_id: app.org.id,
        title: "Pulse survey".into(),
        opens_on: today.plus_days(-1),
        closes_on: today.plus_days(14),
        year: 2026,
        participation: Participation::Tokens,
    };
    let campaign = survey::create_campaign(&app.db, "test", 1, &app.org, &template).await?;
    let codes: Vec<InvitationCode> = (0..codes).map(|_| InvitationCode::generate()).collect();
    let digests: Vec<String> = codes.iter().map(InvitationCode::digest).collect();
    survey::add_tokens(&app.db, "test", 1, &campaign, "RJ1", &digests).await?;
    Ok((campaign, codes))
}

async fn invited_staff_answer_page_by_page_and_come_back(app: &TestApp) -> TestResult {
    let definition = parse(DEFAULT_BANK)?;
    let (campaign, codes) = open_campaign(app, 2).await?;
    let code = codes[0].display();
    let first = &definition.sections[0];
    let question = &first.questions[0];
    let field = format!("q-{}", question.key);
    let mut person = app.browser();

    // A mistyped code gets a clear message and keeps what was typed.
    let page = person
        .post("/survey", &[("code", "not a code"), ("page", "0")])
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("It has 16 letters and numbers"),
        "{}",
        page.body
    );
    let page = person
        .post("/survey", &[("code", "7K2P-9QXM-4H8T-WZ3N"), ("page", "0")])
        .await?;
    assert!(
        page.body
            .contains("We could not find a survey with that code")
    );

    // The emailed link opens the first page; lower case and spaces are fine when typed.
    let page = person.get(&format!("/survey?code={code}")).await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(&first.title) && page.body.contains("page 1 of"));
    let typed = code.to_lowercase().replace('-', " ");
    let page = person
        .post("/survey", &[("code", &typed), ("page", "0")])
        .await?;
    assert!(page.body.contains(&question.text));

    // A value no page offers is refused, beside the question, and nothing is saved.
    let page = person
        .post("/survey", &[("code", &code), ("page", "1"), (&field, "99")])
        .await?;
    assert!(page.body.contains("Choose one of the answers shown"));
    assert!(page.body.contains(&format!("href=\"#{field}\"")) || page.body.contains(&field));

    // Answer page 1, save and stop; coming back shows the answer again.
    let page = person
        .post(
            "/survey",
            &[
                ("code", &code),
                ("page", "1"),
                (&field, "2"),
                ("go", "save"),
            ],
        )
        .await?;
    assert!(
        page.body.contains("Your answers are saved"),
        "{}",
        page.body
    );
    // Coming back carries on after the last page answered; going back shows the answer.
    let mut later = app.browser();
    let page = later
        .post("/survey", &[("code", &code), ("page", "0")])
        .await?;
    assert!(
        page.body.contains(&definition.sections[1].title) && page.body.contains("page 2 of"),
        "coming back opens page 2: {}",
        page.body
    );
    let page = later
        .post("/survey", &[("code", &code), ("page", "2"), ("go", "back")])
        .await?;
    assert!(
        page.body.contains(&format!(
            "id=\"{field}-2\" name=\"{field}\" type=\"radio\" value=\"2\" checked"
        )),
        "the saved answer is chosen again"
    );

    // Walk to the last page and send. A browser sends back what a page shows as chosen.
    let total = definition.sections.len();
    for n in 1..total {
        let number = n.to_string();
        let mut fields = vec![
            ("code", code.as_str()),
            ("page", number.as_str()),
            ("go", "next"),
        ];
        if n == 1 {
            fields.push((field.as_str(), "2"));
        }
        let page = later.post("/survey", &fields).await?;
        assert!(
            page.body.contains(&definition.sections[n].title),
            "page {n}"
        );
    }
    let comment_key = definition
        .questions()
        .find(|q| q.kind == QuestionKind::FreeText)
        .map(|q| q.key.clone())
        .ok_or("the bank has a free-text question")?;
    let last_has_comment = definition.sections[total - 1]
        .questions
        .iter()
        .any(|q| q.key == comment_key);
    let comment_field = format!("q-{comment_key}");
    let last = total.to_string();
    let mut fields = vec![
        ("code", code.as_str()),
        ("page", last.as_str()),
        ("go", "next"),
    ];
    if last_has_comment {
        fields.push((
            comment_field.as_str(),
            "More time to talk <script>alert(1)</script>",
        ));
    }
    // The last page leads to every answer in words, to check before sending.
    let check = later.post("/survey", &fields).await?;
    assert!(
        check.body.contains("Check your answers before sending"),
        "{}",
        check.body
    );
    let first_choice = &question.choices[1];
    assert!(
        check.body.contains(first_choice.as_str()),
        "page 1's answer in words"
    );
    assert!(
        check.body.contains("Not answered"),
        "skipped questions say so"
    );
    if last_has_comment {
        assert!(
            check.body.contains("More time to talk &#60;script&#62;")
                || check.body.contains("More time to talk &lt;script&gt;")
        );
        assert!(!check.body.contains("<script>alert(1)"));
    }
    for page in &definition.sections {
        assert!(check.body.contains(&page.title));
    }
    // Changing a page opens it, and coming back to the survey now opens the check page.
    let page = later
        .post(
            "/survey",
            &[("code", &code), ("page", "0"), ("go", "change-2")],
        )
        .await?;
    assert!(page.body.contains(&definition.sections[1].title) && page.body.contains("page 2 of"));
    let page = app
        .browser()
        .post("/survey", &[("code", &code), ("page", "0")])
        .await?;
    assert!(page.body.contains("Check your answers before sending"));
    let page = later
        .post("/survey", &[("code", &code), ("page", "0"), ("go", "send")])
        .await?;
    // Post-redirect-get: reloading the page after sending shows the thank-you page again
    // instead of sending the form a second time.
    assert!(page.redirects_to("/survey/sent"), "{page:?}");
    for _reload in 0..2 {
        let thanks = later.get("/survey/sent").await?;
        assert_eq!(thanks.status, StatusCode::OK);
        assert!(thanks.body.contains("Your answers have been sent"));
    }

    // Stored sealed, waiting for a batch of 11: nothing written or counted yet, no draft;
    // the code no longer works.
    assert!(survey::responses(&app.db, campaign.id).await?.is_empty());
    assert_eq!(survey::response_count(&app.db, campaign.id).await?, 0);
    assert_eq!(survey::pending_count(&app.db, campaign.id).await?, 1);
    assert_eq!(
        survey::get_draft(&app.db, campaign.id, &codes[0].digest()).await?,
        None
    );
    let page = app
        .browser()
        .post("/survey", &[("code", &code), ("page", "0")])
        .await?;
    assert!(page.body.contains("It may have been used already"));

    // A closed survey says so.
    sqlx::query("UPDATE survey_campaigns SET closes_on = '2020-01-31', opens_on = '2020-01-01' WHERE id = $1")
        .bind(campaign.id)
        .execute(app.db.pool())
        .await?;
    let page = app
        .browser()
        .post("/survey", &[("code", &codes[1].display()), ("page", "0")])
        .await?;
    assert!(
        page.body.contains("This survey closed on 31 January 2020"),
        "{}",
        page.body
    );
    // Once closed, reading the results writes the waiting response, with the saved answer.
    let exec = app
        .person("ezra@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let page = app
        .signed_in_browser(&exec)
        .await?
        .get(&format!("/orgs/RJ1/surveys/{}", campaign.id))
        .await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let stored = survey::responses(&app.db, campaign.id).await?;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].0[0], 2);
    assert_eq!(survey::response_count(&app.db, campaign.id).await?, 1);
    assert_eq!(survey::pending_count(&app.db, campaign.id).await?, 0);
    if last_has_comment {
        assert_eq!(
            survey::comments(&app.db, campaign.id, &comment_key)
                .await?
                .len(),
            1
        );
    }
    Ok(())
}

async fn admins_set_up_a_survey_and_issue_codes_shown_once(app: &TestApp) -> TestResult {
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut browser = app.signed_in_browser(&admin).await?;
    let page = browser.get("/orgs/RJ1/surveys/new").await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("How it feels to work here") || page.body.contains("dignity-culture")
    );
    let survey_id = survey::survey_id_by_key(&app.db, "dignity-culture")
        .await?
        .ok_or("the shared survey is saved on first use")?
        .to_string();

    // Every mistake is named at once, in the error summary and beside its field, each
    // date's by its name, and nothing is saved. What was typed stays in the boxes.
    let page = browser
        .post(
            "/orgs/RJ1/surveys/new",
            &[
                ("title", ""),
                ("survey", "999"),
                ("opens-day", "31"),
                ("opens-month", "2"),
                ("opens-year", "2026"),
                ("closes-day", "1"),
                ("closes-month", ""),
                ("closes-year", "26"),
                ("participation", "tokens"),
            ],
        )
        .await?;
    let summary = crate::support::error_summary(&page.body);
    for (link, message) in [
        ("#title", "Enter a name for the survey"),
        ("#survey", "Choose which questions to ask"),
        ("#opens-day", "The opening date must be a real date"),
        ("#closes-day", "The closing date must include a month"),
    ] {
        assert!(
            summary.contains(&format!("<a href=\"{link}\">{message}")),
            "{link}: {summary}"
        );
    }
    assert!(
        page.body.contains(
            r#"id="opens-day" name="opens-day" type="text" inputmode="numeric" value="31""#
        )
    );
    assert!(
        page.body
            .contains(r#"name="closes-year" type="text" inputmode="numeric" value="26""#)
    );
    // Only the missing month is marked.
    assert!(
        page.body
            .contains(r#"nhsuk-input--error" id="closes-month""#)
    );
    assert!(!page.body.contains(r#"nhsuk-input--error" id="closes-day""#));
    assert!(survey::campaigns_for(&app.db, app.org.id).await?.is_empty());
    let page = browser
        .post(
            "/orgs/RJ1/surveys/new",
            &[
                ("title", "Culture survey"),
                ("survey", &survey_id),
                ("opens-day", "1"),
                ("opens-month", "10"),
                ("opens-year", "2026"),
                ("closes-day", "1"),
                ("closes-month", "9"),
                ("closes-year", "2026"),
                ("participation", "tokens"),
            ],
        )
        .await?;
    assert!(
        page.body
            .contains("The closing date must be the same as or after the opening date"),
        "{}",
        page.body
    );
    assert!(survey::campaigns_for(&app.db, app.org.id).await?.is_empty());

    let today = Day::from_unix_seconds(dignity_web::now());
    let (opens, closes) = (today, today.plus_days(10));
    let (o, c) = (opens.ymd(), closes.ymd());
    let page = browser
        .post(
            "/orgs/RJ1/surveys/new",
            &[
                ("title", "Culture survey"),
                ("survey", &survey_id),
                // Leading zeros and spaces are fine.
                ("opens-day", &format!("{:02}", o.2)),
                ("opens-month", &format!(" {:02} ", o.1)),
                ("opens-year", &o.0.to_string()),
                ("closes-day", &c.2.to_string()),
                ("closes-month", &c.1.to_string()),
                ("closes-year", &c.0.to_string()),
                ("participation", "tokens"),
            ],
        )
        .await?;
    let campaign = survey::campaigns_for(&app.db, app.org.id)
        .await?
        .pop()
        .ok_or("the campaign was saved")?;
    assert!(page.redirects_to(&format!("/orgs/RJ1/surveys/{}/manage", campaign.id)));
    let manage = format!("/orgs/RJ1/surveys/{}/manage", campaign.id);
    let page = browser.get(&manage).await?;
    assert!(page.body.contains("Codes not used yet"), "{}", page.body);

    // A closed campaign that few answered: its page gives no count the results hide.
    let few = campaign_with(app, 3).await?;
    let page = browser
        .get(&format!("/orgs/RJ1/surveys/{few}/manage"))
        .await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Fewer than 11"), "{}", page.body);
    assert!(!page.body.contains("value\">3<"), "{}", page.body);

    let codes_path = format!("/orgs/RJ1/surveys/{}/codes", campaign.id);
    let page = browser
        .post(&codes_path, &[("count", "0"), ("format", "sheet")])
        .await?;
    assert!(
        page.body
            .contains("Enter a number of codes from 1 to 20000")
    );
    let manage = browser
        .get(&format!("/orgs/RJ1/surveys/{}/manage", campaign.id))
        .await?;
    let once = crate::support::token_after(&manage.body, "name=\"once\" value=\"")?;
    let page = browser
        .post(
            &codes_path,
            &[("count", "3"), ("format", "sheet"), ("once", &once)],
        )
        .await?;
    assert!(page.body.contains("shown only once"));
    // A reload sends the same form again: refused, with no second batch of codes.
    let reload = browser
        .post(
            &codes_path,
            &[("count", "3"), ("format", "sheet"), ("once", &once)],
        )
        .await?;
    assert_eq!(reload.status, StatusCode::CONFLICT, "{}", reload.body);
    assert!(reload.body.contains("made already"), "{}", reload.body);
    assert_eq!(survey::unused_tokens(&app.db, campaign.id).await?, 3);
    let sheet_codes: Vec<&str> = page
        .body
        .lines()
        .filter_map(|l| l.trim().strip_prefix("<p class=\"nhsuk-heading-s\">"))
        .filter_map(|l| l.strip_suffix("</p>"))
        .collect();
    assert_eq!(sheet_codes.len(), 3);
    let csv = browser
        .post(&codes_path, &[("count", "2"), ("format", "csv")])
        .await?;
    assert!(csv.content_type.starts_with("text/csv"));
    assert_eq!(csv.body.lines().count(), 3, "{}", csv.body);
    assert_eq!(survey::unused_tokens(&app.db, campaign.id).await?, 5);
    // Only digests are kept.
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_digest FROM survey_tokens")
        .fetch_all(app.db.pool())
        .await?;
    assert!(
        stored
            .iter()
            .all(|d| !sheet_codes.iter().any(|c| d.contains(c)))
    );
    // A printed code opens the survey.
    let page = app
        .browser()
        .post("/survey", &[("code", sheet_codes[0]), ("page", "0")])
        .await?;
    assert!(page.body.contains("page 1 of"), "{}", page.body);
    Ok(())
}

async fn signed_in_staff_answer_an_open_link_once(app: &TestApp) -> TestResult {
    let definition = parse(DEFAULT_BANK)?;
    let survey_id =
        survey::save_survey(&app.db, "test", 1, "open", "Culture", DEFAULT_BANK).await?;
    let today = Day::from_unix_seconds(dignity_web::now());
    let template = Campaign {
        id: 0,
        survey_id,
        organisation_id: app.org.id,
        title: "Open pulse".into(),
        opens_on: today,
        closes_on: today.plus_days(3),
        year: 2026,
        participation: Participation::OpenLink,
    };
    let campaign = survey::create_campaign(&app.db, "test", 1, &app.org, &template).await?;
    let path = format!("/orgs/RJ1/surveys/{}/answer", campaign.id);
    let staff = app.person("sam@trust.nhs.uk", Some(Role::Staff)).await?;
    let mut browser = app.signed_in_browser(&staff).await?;
    let page = browser.get(&path).await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(&definition.sections[0].title));
    let total = definition.sections.len();
    for n in 1..=total {
        let number = n.to_string();
        let go = if n == total { "send" } else { "next" };
        let page = browser
            .post(&path, &[("page", &number), ("go", go)])
            .await?;
        if n == total {
            assert!(page.redirects_to("/survey/sent"), "{page:?}");
        } else {
            assert_eq!(page.status, StatusCode::OK, "page {n}: {}", page.body);
        }
    }
    // Sent and waiting, sealed, for a batch.
    assert_eq!(survey::pending_count(&app.db, campaign.id).await?, 1);
    assert_eq!(survey::response_count(&app.db, campaign.id).await?, 0);
    // Once only; nothing in the database names the person.
    let page = browser.get(&path).await?;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.body.contains("already answered"));
    let digests: Vec<String> = sqlx::query_scalar("SELECT person_digest FROM survey_participants")
        .fetch_all(app.db.pool())
        .await?;
    assert_eq!(digests.len(), 1);
    let key =
        dignity_crypto::survey::ParticipationKey::from_hex(&"ab".repeat(32)).ok_or("test key")?;
    assert_eq!(
        digests,
        [key.digest(campaign.id, staff.id)],
        "a keyed digest, nothing else"
    );
    // Someone from another organisation cannot answer it.
    let outsider = app
        .person_in("out@other.nhs.uk", Some(Role::Staff), &app.other_org)
        .await?;
    let page = app.signed_in_browser(&outsider).await?.get(&path).await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    Ok(())
}

/// Without the participation key, open links cannot be set up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_links_need_the_participation_key() -> TestResult {
    let settings = dignity_web::Settings {
        survey_key: None,
        ..crate::support::settings()
    };
    let app = TestApp::start_with(dignity_store::Backend::Sqlite, settings).await?;
    let outcome = async {
        let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
        let mut browser = app.signed_in_browser(&admin).await?;
        browser.get("/orgs/RJ1/surveys/new").await?;
        let survey_id = survey::survey_id_by_key(&app.db, "dignity-culture")
            .await?
            .ok_or("the shared survey is saved on first use")?
            .to_string();
        let page = browser
            .post(
                "/orgs/RJ1/surveys/new",
                &[
                    ("title", "Pulse"),
                    ("survey", &survey_id),
                    ("opens-day", "1"),
                    ("opens-month", "1"),
                    ("opens-year", "2026"),
                    ("closes-day", "31"),
                    ("closes-month", "12"),
                    ("closes-year", "2026"),
                    ("participation", "open_link"),
                ],
            )
            .await?;
        assert!(page.body.contains("Open links are turned off"));
        assert!(survey::campaigns_for(&app.db, app.org.id).await?.is_empty());
        Ok::<_, Box<dyn std::error::Error>>(())
    }
    .await;
    app.finish().await;
    outcome
}

async fn pledges_scorecard_and_its_mapping(app: &TestApp) -> TestResult {
    let big = campaign_with(app, 60).await?;
    let exec = app
        .person("ezra@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let mut board = app.signed_in_browser(&exec).await?;
    let page = board
        .get(&format!("/orgs/RJ1/surveys/{big}/pledges"))
        .await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("Pledge 7: Encouragement and support to raise concerns")
    );
    assert!(page.body.contains("standard choice of questions"));
    // Everyone strongly agrees that they feel safe to speak up: that question scores 10.
    assert!(page.body.contains("<td>10.0</td>"), "{}", page.body);
    let csv = board
        .get(&format!("/orgs/RJ1/surveys/{big}/pledges.csv"))
        .await?;
    assert!(
        csv.body.starts_with("\"pledge\",\"summary\""),
        "{}",
        csv.body
    );
    assert!(csv.body.contains("\"10.0\""));
    let xlsx = board
        .get(&format!("/orgs/RJ1/surveys/{big}/pledges.xlsx"))
        .await?;
    assert!(xlsx.body.starts_with("PK"));
    for table in ["headlines", "wres", "wdes"] {
        let csv = board
            .get(&format!(
                "/orgs/RJ1/surveys/{big}/results.csv?table={table}"
            ))
            .await?;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.body.lines().count() > 1, "{table}: {}", csv.body);
    }

    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut browser = app.signed_in_browser(&admin).await?;
    let page = browser.get("/orgs/RJ1/surveys/pledges").await?;
    assert!(page.body.contains("[[pledges]]"));
    // Admins read the questions in words (issue 16); a key shows only in the list being
    // edited and beside its question, as what to write there.
    let survey = dignity_domain::survey::parse(dignity_domain::survey::DEFAULT_BANK)?;
    let safe = survey
        .questions()
        .find(|q| q.key == "safe_to_speak_up")
        .ok_or("no safe_to_speak_up question")?;
    let escaped = safe.text.replace('\'', "&#x27;");
    assert!(
        page.body.contains(&format!("<li>{escaped}</li>")),
        "{}",
        page.body
    );
    assert!(page.body.contains("<code>safe_to_speak_up</code>"));
    assert!(!page.body.contains("for example <code>"));
    let broken = dignity_domain::survey::pledges::DEFAULT_MAPPING
        .replace("\"safe_to_speak_up\"", "\"shoe_size\"");
    let page = browser
        .post("/orgs/RJ1/surveys/pledges", &[("mapping", &broken)])
        .await?;
    assert!(page.body.contains("shoe_size"), "{}", page.body);
    assert!(page.body.contains("The mapping could not be used"));
    assert!(survey::pledge_mapping(&app.db, app.org.id).await?.is_none());
    let page = browser
        .post(
            "/orgs/RJ1/surveys/pledges",
            &[("mapping", "[[pledges]\nnumber = 1")],
        )
        .await?;
    assert!(page.body.contains("line 1"), "{}", page.body);
    let changed = dignity_domain::survey::pledges::DEFAULT_MAPPING
        .replace("A way to raise a grievance", "Ways to raise a grievance");
    let page = browser
        .post("/orgs/RJ1/surveys/pledges", &[("mapping", &changed)])
        .await?;
    assert!(page.redirects_to("/orgs/RJ1/surveys"));
    let page = board
        .get(&format!("/orgs/RJ1/surveys/{big}/pledges"))
        .await?;
    assert!(page.body.contains("Ways to raise a grievance"));
    assert!(page.body.contains("Your organisation has chosen"));
    Ok(())
}

async fn benchmarks_and_oversight_flag_the_worse_organisation(app: &TestApp) -> TestResult {
    // RJ1: everyone harassed by managers; RJ2: nobody. Both in the same benchmark group.
    let harassed = |q: &Question| match q.kind {
        QuestionKind::Frequency => 4,
        QuestionKind::Scale => 5,
        _ => 2,
    };
    let spared = |q: &Question| match q.kind {
        QuestionKind::Frequency => 1,
        QuestionKind::Scale => 9,
        _ => 1,
    };
    let mine = campaign_for(app, &app.org, 40, harassed).await?;
    campaign_for(app, &app.other_org, 40, spared).await?;

    let exec = app
        .person("ezra@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let mut board = app.signed_in_browser(&exec).await?;
    let page = board
        .get(&format!("/orgs/RJ1/surveys/{mine}/benchmark"))
        .await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("standardised by staff group"));
    // Harassment by managers: a lower figure is better, and everyone here was harassed.
    let row = table_row(&page.body, "how often have managers harassed");
    assert!(row.contains("A lower figure is better."), "{row}");
    assert!(
        row.contains("2nd of 2") && row.contains("Much worse than expected"),
        "{row}"
    );
    // Unfair treatment is counted as "yes", so fewer is better: nobody here said yes and
    // everyone at RJ2 did, so RJ1 is first. (Direction once came from a flag the
    // discrimination questions lacked, and the page called the most discrimination best.)
    for question in [
        "has a manager or colleague treated you unfairly",
        "has a patient or member of the public treated you unfairly",
    ] {
        let row = table_row(&page.body, question);
        assert!(row.contains("A lower figure is better."), "{row}");
        assert!(row.contains("1st of 2") && row.contains(">0%<"), "{row}");
        assert!(!row.contains("nhsuk-tag--red"), "{row}");
    }
    // A fair chance to progress: "yes" counts, and more is better; nobody here said yes.
    let row = table_row(&page.body, "give everyone a fair chance to progress");
    assert!(
        row.contains("A higher figure is better.") && row.contains("2nd of 2"),
        "{row}"
    );
    // Demographic questions are never ranked.
    assert!(!page.body.contains("A neither figure"));

    let analyst = app
        .person("nat@nhs.uk", Some(Role::NationalAnalyst))
        .await?;
    let mut national = app.signed_in_browser(&analyst).await?;
    let page = national.get("/national/surveys").await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("1 of 2 organisations are flagged"),
        "{}",
        page.body
    );
    // Flagged first.
    let (first, second) = (page.body.find("Trust RJ1"), page.body.find("Trust RJ2"));
    assert!(first.is_some() && second.is_some() && first < second);
    // With two organisations the usual spread cannot be measured: chance alone, said so.
    assert!(
        page.body.contains("too few to measure the usual spread"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Funnel plots: Acute"), "{}", page.body);
    assert_eq!(
        page.body.matches("<svg role=\"img\"").count(),
        4,
        "one plot per measure"
    );
    let plot = table_row(&page.body, "Trust RJ1</td>");
    assert!(plot.contains("Much worse than expected"), "{plot}");

    let csv = national.get("/national/surveys.csv?year=2026").await?;
    assert!(csv.content_type.starts_with("text/csv"));
    assert_eq!(csv.body.lines().count(), 3);
    assert!(csv.body.contains("\"Trust RJ1\",\"RJ1\""));
    let xlsx = national.get("/national/surveys.xlsx?year=2026").await?;
    assert!(xlsx.body.starts_with("PK"));
    let csv = board
        .get(&format!("/orgs/RJ1/surveys/{mine}/benchmark.csv"))
        .await?;
    assert!(
        csv.body
            .contains("\"lower\",\"100%\",\"91% to 100%\",\"50%\",\"0%\",\"100%\",\"2nd of 2\",\"Much worse than expected\",\"yes\""),
        "{}",
        csv.body
    );
    let xlsx = board
        .get(&format!("/orgs/RJ1/surveys/{mine}/benchmark.xlsx"))
        .await?;
    assert!(xlsx.body.starts_with("PK"));

    // Against last year's survey, only real changes are called out.
    let before = campaign_for(app, &app.org, 40, spared).await?;
    sqlx::query("UPDATE survey_campaigns SET year = 2025, title = 'Survey of 2025' WHERE id = $1")
        .bind(before)
        .execute(app.db.pool())
        .await?;
    let page = board.get(&format!("/orgs/RJ1/surveys/{mine}")).await?;
    assert!(page.body.contains("Survey of 2025"), "{}", page.body);
    assert!(page.body.contains("Higher this year"));
    let csv = board
        .get(&format!("/orgs/RJ1/surveys/{mine}/results.csv"))
        .await?;
    assert!(
        csv.body
            .contains("\"last year (Survey of 2025)\",\"change\"")
    );

    // A campaign that has not closed is left out until it does, and its page shows no
    // figures: not even the closed campaign's under its name.
    let open = campaign_for(app, &app.org, 30, spared).await?;
    sqlx::query("UPDATE survey_campaigns SET closes_on = '2999-01-01' WHERE id = $1")
        .bind(open)
        .execute(app.db.pool())
        .await?;
    let page = board
        .get(&format!("/orgs/RJ1/surveys/{open}/benchmark"))
        .await?;
    assert!(page.body.contains("has not closed yet"));
    assert!(!page.body.contains(" of 2</td>"), "{}", page.body);
    // Nor does its opening say it is compared with anyone: the year's first closed survey
    // is the one compared, and the page names it.
    assert!(
        !page.body.contains("Your organisation is compared with the"),
        "{}",
        page.body
    );
    assert!(page.body.contains("is not compared"), "{}", page.body);

    // A later survey of the same questions in the same year (a pulse) is not pooled with
    // the first: the published figures stay as they were, and its page says so.
    let national_before = national.get("/national/surveys.csv?year=2026").await?;
    let pulse = campaign_for(app, &app.org, 40, spared).await?;
    sqlx::query(
        "UPDATE survey_campaigns SET closes_on = '2026-03-01', title = 'Pulse' WHERE id = $1",
    )
    .bind(pulse)
    .execute(app.db.pool())
    .await?;
    let national_after = national.get("/national/surveys.csv?year=2026").await?;
    assert_eq!(national_after.body, national_before.body);
    let page = board
        .get(&format!("/orgs/RJ1/surveys/{pulse}/benchmark"))
        .await?;
    assert!(page.body.contains("is not compared"), "{}", page.body);
    assert!(!page.body.contains(" of 2</td>"), "{}", page.body);

    // A mistyped year shows the latest year, not an error.
    let page = national
        .get("/national/surveys?year=abc&group=%3Cb%3E")
        .await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(!page.body.contains("<b>"));
    Ok(())
}

/// WDES metric 8 asks disabled staff only; metric 9a compares engagement scores. 15
/// disabled staff agree with every engagement statement (7.5 out of 10) and 15 others
/// strongly agree (10).
async fn disability_equality_follows_the_standard(app: &TestApp) -> TestResult {
    let definition = parse(DEFAULT_BANK)?;
    let answers = |strongly: bool| -> Vec<u8> {
        definition
            .items()
            .iter()
            .map(|item| match item.question.kind {
                QuestionKind::Agreement if strongly => 5,
                QuestionKind::Agreement => 4,
                QuestionKind::Scale => 8,
                _ => 1,
            })
            .collect()
    };
    // Staff group 1 for everyone; disability (the third demographic) 1 = yes, 2 = no.
    let people: Vec<(Vec<u16>, Vec<u8>)> = (0..30)
        .map(|i| {
            let disabled = i < 15;
            (vec![1, 0, if disabled { 1 } else { 2 }], answers(!disabled))
        })
        .collect();
    let campaign = campaign_of_values(app, &app.org, &people).await?;
    let exec = app
        .person("ezra@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let mut board = app.signed_in_browser(&exec).await?;
    let page = board.get(&format!("/orgs/RJ1/surveys/{campaign}")).await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let row = table_row(&page.body, "8. Adjustments they need have been made");
    assert!(
        row.contains("100%") && row.contains("not asked") && row.contains("Not compared"),
        "{row}"
    );
    let row = table_row(&page.body, "9a. Staff engagement score");
    assert!(
        row.contains("7.5 out of 10") && row.contains("10.0 out of 10"),
        "{row}"
    );
    assert!(
        row.contains("gap -2.5 (-2.5 to -2.5)") && row.contains(">Yes<"),
        "{row}"
    );
    // The recommend question alone is no longer passed off as metric 9a.
    assert!(
        !page
            .body
            .contains("Would recommend the organisation as a place to work")
    );
    let csv = board
        .get(&format!(
            "/orgs/RJ1/surveys/{campaign}/results.csv?table=wdes"
        ))
        .await?;
    assert!(
        csv.body.contains("\"9a\",\"Staff engagement score (0 to 10)\",\"7.5 out of 10\",\"10.0 out of 10\",\"gap -2.5 (-2.5 to -2.5)\",\"yes\""),
        "{}",
        csv.body
    );
    assert!(csv.body.contains("\"8\",\"Adjustments they need have been made\",\"100%\",\"not asked\",\"only about disabled staff\",\"not compared\""), "{}", csv.body);
    Ok(())
}

/// The table row of a page that holds `text`.
fn table_row<'a>(body: &'a str, text: &str) -> &'a str {
    let at = body
        .find(text)
        .unwrap_or_else(|| panic!("no row with {text}"));
    let start = body[..at].rfind("<tr").unwrap_or(0);
    let end = body[at..].find("</tr>").map_or(body.len(), |e| at + e);
    &body[start..end]
}

/// Sends a list of addresses through the invitation upload form, as an administrator's
/// browser would.
pub(crate) async fn upload_invitations(
    browser: &mut crate::support::Browser,
    campaign_id: i64,
    list: &str,
) -> Result<crate::support::Page, Box<dyn std::error::Error>> {
    let token = browser.csrf().await?;
    let path = format!("/orgs/RJ1/surveys/{campaign_id}/invitations?csrf_token={token}");
    let (content_type, body) = crate::support::multipart(
        &[("csrf_token", &token)],
        "addresses",
        &[("staff.csv", list.as_bytes())],
    );
    browser
        .send(
            axum::http::Request::post(path.as_str())
                .header(axum::http::header::CONTENT_TYPE, content_type)
                .body(axum::body::Body::from(body))?,
        )
        .await
}

/// The code in an invitation email: the line after "enter this code:".
pub(crate) fn code_in(mail: &str) -> Option<String> {
    let lines: Vec<&str> = mail.lines().collect();
    lines
        .iter()
        .position(|l| l.trim().ends_with("enter this code:"))
        .and_then(|i| lines.get(i + 1))
        .map(|l| l.trim().to_owned())
}

async fn email_invitations_wait_out_a_relay_that_is_down_and_are_then_forgotten(
    app: &TestApp,
) -> TestResult {
    use crate::support::SmtpSink;
    use dignity_web::mail::{MailSettings, Mailer, send_due};

    let (campaign, _) = open_campaign(app, 0).await?;
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut browser = app.signed_in_browser(&admin).await?;

    // A wrong address on line 3: nothing is queued and the line is named.
    let page = upload_invitations(
        &mut browser,
        campaign.id,
        "email\nann@trust.nhs.uk\nnot-an-address\n",
    )
    .await?;
    assert!(page.body.contains("line 3"), "{}", page.body);
    assert!(page.body.contains("Nothing was sent"));
    assert_eq!(survey::unused_tokens(&app.db, campaign.id).await?, 0);

    let page = upload_invitations(
        &mut browser,
        campaign.id,
        "email\nann@trust.nhs.uk\nbob@trust.nhs.uk\nann@trust.nhs.uk\n",
    )
    .await?;
    // Post-redirect-get: the page after sending is the survey's own page with a banner,
    // so a reload emails nobody again.
    let manage = format!("/orgs/RJ1/surveys/{}/manage?invited=2", campaign.id);
    assert!(page.redirects_to(&manage), "{page:?}");
    for _reload in 0..2 {
        let page = browser.get(&manage).await?;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("2 invitations are being sent"));
        assert!(page.body.contains("Invitation emails waiting to be sent"));
    }
    let purpose = format!("survey:{}", campaign.id);
    assert_eq!(dignity_store::mail::waiting(&app.db, &purpose).await?, 2);
    assert_eq!(survey::unused_tokens(&app.db, campaign.id).await?, 2);

    // The relay is down: the mail waits, nothing is lost.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let closed_port = closed.local_addr()?.port();
    drop(closed);
    let from = "Dignity <no-reply@dignity.test>".to_owned();
    let down = Mailer::new(&MailSettings {
        host: "127.0.0.1".into(),
        port: closed_port,
        from: from.clone(),
    })?;
    let now = dignity_web::now();
    assert_eq!(send_due(&app.state.app, &down, now).await?, (0, 2));
    assert_eq!(dignity_store::mail::waiting(&app.db, &purpose).await?, 2);
    // Not due again straight away.
    assert_eq!(send_due(&app.state.app, &down, now + 1).await?, (0, 0));

    // The relay is back: each person gets their own code, and the addresses are gone.
    let sink = SmtpSink::start().await?;
    let up = Mailer::new(&MailSettings {
        host: "127.0.0.1".into(),
        port: sink.port,
        from,
    })?;
    assert_eq!(send_due(&app.state.app, &up, now + 120).await?, (2, 0));
    assert_eq!(dignity_store::mail::waiting(&app.db, &purpose).await?, 0);
    let mails = sink.received();
    assert_eq!(mails.len(), 2);
    // The line after "enter this code:" holds the code.
    let (a, b) = (
        code_in(&mails[0]).ok_or("a code in the mail")?,
        code_in(&mails[1]).ok_or("a code")?,
    );
    assert_ne!(a, b);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mail_outbox")
        .fetch_one(app.db.pool())
        .await?;
    assert_eq!(left, 0, "sent mail, and its address, is not kept");
    let page = app
        .browser()
        .post("/survey", &[("code", &a), ("page", "0")])
        .await?;
    assert!(page.body.contains("page 1 of"), "{}", page.body);
    Ok(())
}

const MULTIPLE_CHOICE: &str = r#"
key = "help"
title = "Getting help"

[[sections]]
title = "Help"

[[sections.questions]]
key = "help_from"
kind = "multiple_choice"
better = "neither"
text = "Who helped you?"
choices = ["My manager", "A union representative", "A Freedom to Speak Up Guardian"]
"#;

async fn multiple_choice_answers_count_each_choice(app: &TestApp) -> TestResult {
    let survey_id =
        survey::save_survey(&app.db, "test", 1, "help", "Help", MULTIPLE_CHOICE).await?;
    let today = Day::from_unix_seconds(dignity_web::now());
    let campaign = survey::create_campaign(
        &app.db,
        "test",
        1,
        &app.org,
        &Campaign {
            id: 0,
            survey_id,
            organisation_id: app.org.id,
            title: "Help check".into(),
            opens_on: today,
            closes_on: today.plus_days(5),
            year: 2026,
            participation: Participation::Tokens,
        },
    )
    .await?;
    let codes: Vec<InvitationCode> = (0..12).map(|_| InvitationCode::generate()).collect();
    let digests: Vec<String> = codes.iter().map(InvitationCode::digest).collect();
    survey::add_tokens(&app.db, "test", 1, &campaign, "RJ1", &digests).await?;

    let mut person = app.browser();
    let page = person
        .post("/survey", &[("code", &codes[0].display()), ("page", "0")])
        .await?;
    assert!(page.body.contains("type=\"checkbox\""), "{}", page.body);
    assert!(page.body.contains("Select all that apply"));
    // Two of three ticked, saved, and shown ticked again.
    let code = codes[0].display();
    person
        .post(
            "/survey",
            &[
                ("code", &code),
                ("page", "1"),
                ("q-help_from-1", "1"),
                ("q-help_from-3", "1"),
                ("go", "save"),
            ],
        )
        .await?;
    // Coming back after the only page opens the check page, the choices in words.
    let page = app
        .browser()
        .post("/survey", &[("code", &code), ("page", "0")])
        .await?;
    assert!(
        page.body
            .contains("My manager, A Freedom to Speak Up Guardian"),
        "{}",
        page.body
    );
    let page = app
        .browser()
        .post(
            "/survey",
            &[("code", &code), ("page", "0"), ("go", "change-1")],
        )
        .await?;
    assert_eq!(page.body.matches(" checked").count(), 2, "{}", page.body);
    // Everyone ticks "My manager"; the first person also the guardian.
    for (i, c) in codes.iter().enumerate() {
        let code = c.display();
        let mut fields = vec![
            ("code", code.as_str()),
            ("page", "1"),
            ("q-help_from-1", "1"),
            ("go", "send"),
        ];
        if i == 0 {
            fields.push(("q-help_from-3", "1"));
        }
        let page = app.browser().post("/survey", &fields).await?;
        assert!(page.redirects_to("/survey/sent"), "{page:?}");
    }
    // Eleven make a batch, written at once; the twelfth waits while the survey is open.
    assert_eq!(survey::responses(&app.db, campaign.id).await?.len(), 11);
    assert_eq!(survey::pending_count(&app.db, campaign.id).await?, 1);
    close(app, campaign.id).await?;

    let exec = app
        .person("ezra@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let mut board = app.signed_in_browser(&exec).await?;
    let page = board
        .get(&format!("/orgs/RJ1/surveys/{}", campaign.id))
        .await?;
    assert!(
        page.body.contains("Who helped you? My manager"),
        "{}",
        page.body
    );
    assert!(page.body.contains(">100%<") || page.body.contains("100%"));
    let stored = survey::responses(&app.db, campaign.id).await?;
    assert_eq!(stored.len(), 12, "closing wrote the last one");
    assert!(stored.iter().any(|(a, _)| a == &vec![1, 2, 1]));
    assert!(stored.iter().filter(|(a, _)| a == &vec![1, 2, 2]).count() == 11);
    Ok(())
}

/// Moves a campaign into the past, so it has closed.
async fn close(app: &TestApp, campaign_id: i64) -> TestResult {
    let today = Day::from_unix_seconds(dignity_web::now());
    sqlx::query("UPDATE survey_campaigns SET opens_on = $1, closes_on = $2 WHERE id = $3")
        .bind(today.plus_days(-20).to_string())
        .bind(today.plus_days(-1).to_string())
        .bind(campaign_id)
        .execute(app.db.pool())
        .await?;
    Ok(())
}

/// Sends one person's answers by invitation code: the first page answered with `answer`
/// (saved as a draft), then the last page sent.
async fn send(app: &TestApp, code: &InvitationCode, answer: &str) -> TestResult {
    let page = send_as(app.browser(), code.display(), answer.to_owned()).await?;
    assert!(page.contains("Your answers have been sent"), "{page}");
    Ok(())
}

/// As [`send`], by one browser of its own, returning the last page.
async fn send_as(
    mut person: crate::support::Browser,
    code: String,
    answer: String,
) -> Result<String, String> {
    let definition = parse(DEFAULT_BANK).map_err(|e| e.to_string())?;
    let field = format!("q-{}", definition.sections[0].questions[0].key);
    person
        .post(
            "/survey",
            &[
                ("code", &code),
                ("page", "1"),
                (&field, &answer),
                ("go", "next"),
            ],
        )
        .await
        .map_err(|e| e.to_string())?;
    let last = definition.sections.len().to_string();
    let page = person
        .post(
            "/survey",
            &[("code", &code), ("page", &last), ("go", "send")],
        )
        .await
        .map_err(|e| e.to_string())?;
    if !page.redirects_to("/survey/sent") {
        return Ok(page.body);
    }
    let thanks = person
        .get("/survey/sent")
        .await
        .map_err(|e| e.to_string())?;
    Ok(thanks.body)
}

/// Many people answering at the same moment: each is told their answers are sent only
/// once they are stored, exactly once each, with whole batches written as they fill, and
/// the server wrote them in fewer transactions than there were writes. A code sent from
/// two pages at once is taken once.
async fn many_answer_at_once_and_each_is_stored_once(app: &TestApp) -> TestResult {
    let (campaign, codes) = open_campaign(app, 40).await?;
    let mut sending = tokio::task::JoinSet::new();
    for (i, code) in codes.iter().enumerate() {
        let answer = (1 + i % 5).to_string();
        sending.spawn(send_as(app.browser(), code.display(), answer.clone()));
        if i == 0 {
            // The same code from a second page at the same moment.
            sending.spawn(send_as(app.browser(), code.display(), answer));
        }
    }
    let mut sent = 0;
    let mut refused = 0;
    while let Some(page) = sending.join_next().await {
        let page = page??;
        if page.contains("Your answers have been sent") {
            sent += 1;
        } else if page.contains("already been sent") || page.contains("used already") {
            refused += 1;
        } else {
            return Err(format!("neither sent nor refused: {page}").into());
        }
    }
    assert_eq!((sent, refused), (40, 1));
    assert_eq!(survey::unused_tokens(&app.db, campaign.id).await?, 0);
    let written = survey::response_count(&app.db, campaign.id).await?;
    let waiting = survey::pending_count(&app.db, campaign.id).await?;
    assert_eq!(written + waiting, 40);
    assert!(
        written >= 11 && waiting < 11,
        "batches of at least 11 are written as they fill: {written} written, {waiting} waiting"
    );
    let drafts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM survey_drafts")
        .fetch_one(app.db.pool())
        .await?;
    assert_eq!(
        drafts, 0,
        "no draft outlives its code, even one saved from a second page"
    );
    let counts = app.state.app.answer_writer.counts();
    let (writes, transactions) = (counts.writes, counts.transactions);
    assert!(writes >= 80, "a draft and a send each: {writes}");
    assert!(
        transactions < writes,
        "{writes} writes in {transactions} transactions"
    );
    Ok(())
}

/// Every results page of a campaign as the executive sees it, every download's answer,
/// and the campaign page as its administrator sees it.
async fn look(
    board: &mut Browser,
    office: &mut Browser,
    (views, downloads, manage): (&[String], &[String], &str),
) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let mut seen = Vec::new();
    for v in views {
        let page = board.get(v).await?;
        assert_eq!(page.status, StatusCode::OK, "{v}: {}", page.body);
        seen.push(page.body);
    }
    for d in downloads {
        let page = board.get(d).await?;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{d} while open");
        seen.push(page.body);
    }
    // The codes form's one-time mark is new on every load; it says nothing about answers.
    let page = office.get(manage).await?.body;
    let mark = crate::support::token_after(&page, "name=\"once\" value=\"")?;
    seen.push(page.replace(&mark, "(one-time mark)"));
    Ok(seen)
}

/// Fails naming the page that moved, rather than printing every page.
fn same(
    before: &[String],
    after: &[String],
    (views, downloads, manage): (&[String], &[String], &str),
) {
    let names: Vec<&str> = views
        .iter()
        .chain(downloads)
        .map(String::as_str)
        .chain([manage])
        .collect();
    assert_eq!(before.len(), after.len());
    for ((a, b), name) in before.iter().zip(after).zip(names) {
        assert!(a == b, "{name} moved with one response");
    }
}

/// The attack: look at an open campaign's results and its campaign page just before and
/// just after one person answers, and compare. Nothing may move.
async fn open_results_do_not_move_with_one_response(app: &TestApp) -> TestResult {
    let (campaign, codes) = open_campaign(app, 30).await?;
    let exec = app
        .person("ezra@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut board = app.signed_in_browser(&exec).await?;
    let mut office = app.signed_in_browser(&admin).await?;
    let base = format!("/orgs/RJ1/surveys/{}", campaign.id);
    let views = [
        base.clone(),
        format!("{base}?by=staff_group"),
        format!("{base}/pledges"),
    ];
    let downloads = [
        format!("{base}/results.csv"),
        format!("{base}/results.xlsx"),
        format!("{base}/pledges.csv"),
    ];
    let manage = format!("{base}/manage");
    let pages = (&views[..], &downloads[..], manage.as_str());
    let first = look(&mut board, &mut office, pages).await?;
    assert!(
        first[0].contains("No answers are counted yet"),
        "{}",
        first[0]
    );
    // Ten people answer "strongly agree"; each look is the same as the one before.
    let mut before = first;
    for code in &codes[..10] {
        send(app, code, "5").await?;
        let after = look(&mut board, &mut office, pages).await?;
        same(&before, &after, pages);
        before = after;
    }
    // The eleventh makes a batch: the count of responses moves by 11, still no figures.
    send(app, &codes[10], "5").await?;
    let batch = look(&mut board, &mut office, pages).await?;
    assert!(
        batch[0].contains("At least 11 people have answered so far"),
        "{}",
        batch[0]
    );
    assert!(batch[0].contains(&format!(
        "Results will be shown when the survey closes on {}",
        campaign.closes_on.long()
    )));
    assert!(
        !batch[0].contains("Break results down by") && !batch[0].contains("answered between"),
        "no figures while open"
    );
    // The twelfth answers differently: no page moves, nor the codes not used yet.
    let codes_left = |page: &str| {
        page.split("Codes not used yet</dt><dd class=\"nhsuk-summary-list__value\">")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .map(str::to_owned)
    };
    assert_eq!(codes_left(&batch[6]).as_deref(), Some("19"));
    send(app, &codes[11], "1").await?;
    let after = look(&mut board, &mut office, pages).await?;
    same(&batch, &after, pages);
    assert_eq!(codes_left(&after[6]).as_deref(), Some("19"));
    assert_eq!(survey::unused_tokens(&app.db, campaign.id).await?, 18);

    // Closed: the last answers are written and the figures are shown.
    close(app, campaign.id).await?;
    let page = board.get(&base).await?;
    assert!(page.body.contains("12 people answered"), "{}", page.body);
    assert_eq!(survey::response_count(&app.db, campaign.id).await?, 12);
    let csv = board.get(&downloads[0]).await?;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains('%'), "{}", csv.body);
    Ok(())
}

/// The survey minimum is a setting: at 13, two staff groups of 12 are hidden on every
/// question while everyone (24) is shown, and the page says the minimum it used.
#[tokio::test]
async fn a_larger_survey_minimum_hides_groups_below_it() -> TestResult {
    let mut settings = crate::support::settings();
    settings.app.minimums = dignity_engine::disclosure::Minimums::from_settings(13, 5, 10, 10)?;
    let app = TestApp::start_with(dignity_store::Backend::Sqlite, settings).await?;
    let outcome = async {
        let people = two_groups_of_twelve(&parse(DEFAULT_BANK)?);
        let campaign = campaign_of(&app, &app.org, &people).await?;
        let (mut board, csv) = results_by_staff_group(&app, campaign).await?;
        for (question, everyone, groups) in group_cells(&csv.body) {
            assert_ne!(everyone, "hidden", "{question}: 24 people answered");
            assert!(
                groups.iter().all(|cell| cell == "hidden"),
                "{question}: groups of 12 are under the minimum of 13: {groups:?}"
            );
        }
        let page = board
            .get(&format!("/orgs/RJ1/surveys/{campaign}?by=staff_group"))
            .await?;
        assert!(
            page.body
                .contains("Figures for groups of fewer than 13 people are hidden"),
            "the page names the minimum in use"
        );
        Ok::<_, Box<dyn std::error::Error>>(())
    }
    .await;
    app.finish().await;
    outcome
}
