//! Board members' fit and proper person records: kept by the company secretary, read by
//! the chair and the member, sealed from everyone else and from a stolen database.

use crate::speakup::{sign_in_guardian, speak_up_on};
use crate::support::{Browser, PASSPHRASE, Page, TestApp, TestResult};
use axum::http::StatusCode;
use dignity_domain::identity::{Region, Role};
use dignity_domain::speakup::Day;

dignity_store::on_both_backends!(
    crate::support::run;
    a_board_record_is_sealed_to_the_chair_the_secretary_and_the_member,
    bad_record_input_is_named_and_nothing_is_kept,
    the_outside_attack_s_findings_stay_fixed,
    a_yearly_round_is_concluded_signed_and_published,
    the_region_sees_its_boards_returns_and_no_other_region_does,
    a_reference_goes_only_to_the_board_that_asked_and_every_step_is_audited,
);

const EVIDENCE: &str = "Enhanced certificate 001122334455, seen by the company secretary";
const DECLARED: &str = "A tribunal found against a company I ran in 2014";
const GAP_REASON: &str = "Caring for a parent full time";
const QUALIFICATIONS: &str = "Master of Business Administration, Kestrel University";
const EMPLOYER: &str = "Harbourside Shipping Limited";
const TO_DEVELOP: &str = "Chairing difficult conversations with regulators";

fn date(pairs: &mut Vec<(String, String)>, id: &str, day: Day) {
    let (y, m, d) = day.ymd();
    for (part, value) in [("day", d), ("month", m), ("year", y)] {
        pairs.push((format!("{id}-{part}"), value.to_string()));
    }
}

async fn post(
    browser: &mut Browser,
    path: &str,
    pairs: &[(String, String)],
) -> Result<Page, Box<dyn std::error::Error>> {
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    browser.post(path, &pairs).await
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Signs in through the real forms, so the person's key is made and unlocked.
async fn sign_in(app: &TestApp, email: &str) -> Result<Browser, Box<dyn std::error::Error>> {
    let mut browser = app.browser();
    let page = browser.sign_in(email, PASSPHRASE).await?;
    assert!(page.redirects_to("/home"), "{page:?}");
    Ok(browser)
}

/// The one member's id on the board.
async fn only_member(app: &TestApp) -> Result<i64, Box<dyn std::error::Error>> {
    let members = dignity_store::leadership::members(&app.db, app.org.id).await?;
    let [member] = members.as_slice() else {
        return Err(format!("one member, not {}", members.len()).into());
    };
    Ok(member.id)
}

async fn a_board_record_is_sealed_to_the_chair_the_secretary_and_the_member(
    app: &TestApp,
) -> TestResult {
    speak_up_on(app).await?;
    app.person("cass@trust.nhs.uk", Some(Role::CompanySecretary))
        .await?;
    app.person("chris@trust.nhs.uk", Some(Role::Chair)).await?;
    app.person("mel@trust.nhs.uk", Some(Role::Executive))
        .await?;
    app.person("ollie@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let mut cass = sign_in_guardian(app, "cass@trust.nhs.uk").await?;
    let mut chris = sign_in_guardian(app, "chris@trust.nhs.uk").await?;
    let today = app.state.app.clock.today();

    let page = post(
        &mut cass,
        "/orgs/RJ1/board/members",
        &owned(&[("email", "mel@trust.nhs.uk")]),
    )
    .await?;
    assert!(page.status.is_redirection(), "{}", page.body);
    let id = only_member(app).await?;
    let record = format!("/orgs/RJ1/board/members/{id}");

    let mut seat = owned(&[
        ("title", "Chief finance officer"),
        ("seat_kind", "executive"),
        ("voting", "yes"),
    ]);
    date(&mut seat, "starts_on", today.plus_days(-400));
    let page = post(&mut cass, &format!("{record}/seats"), &seat).await?;
    assert!(page.status.is_redirection(), "{}", page.body);

    let mut check = owned(&[
        ("kind", "criminal_records"),
        ("result", "satisfactory"),
        ("evidence", EVIDENCE),
    ]);
    date(&mut check, "done_on", today.plus_days(-30));
    let page = post(&mut cass, &format!("{record}/checks"), &check).await?;
    assert!(page.status.is_redirection(), "{}", page.body);
    // The insolvency search was made over a year ago: it is due again.
    let mut old = owned(&[
        ("kind", "insolvency"),
        ("result", "satisfactory"),
        ("evidence", "Searched the Insolvency Service register"),
    ]);
    date(&mut old, "done_on", today.plus_days(-400));
    assert!(
        post(&mut cass, &format!("{record}/checks"), &old)
            .await?
            .status
            .is_redirection()
    );

    let page = post(
        &mut cass,
        &format!("{record}/qualifications"),
        &owned(&[
            ("qualifications", QUALIFICATIONS),
            ("registration", "Not registered"),
        ]),
    )
    .await?;
    assert!(page.status.is_redirection(), "{}", page.body);
    let first = Day::parse("2010-01-01")?;
    let mut job = owned(&[("employer", EMPLOYER), ("role", "Finance director")]);
    date(&mut job, "from", first);
    date(&mut job, "to", Day::parse("2020-01-31")?);
    assert!(
        post(&mut cass, &format!("{record}/jobs"), &job)
            .await?
            .status
            .is_redirection()
    );
    let mut job = owned(&[
        ("employer", "Northshore Trust"),
        ("role", "Deputy director"),
    ]);
    date(&mut job, "from", Day::parse("2021-01-01")?);
    assert!(
        post(&mut cass, &format!("{record}/jobs"), &job)
            .await?
            .status
            .is_redirection()
    );
    let page = cass.get(&record).await?;
    assert!(
        page.body
            .contains("A gap from 31 January 2020 to 1 January 2021")
    );
    assert!(page.body.contains("Needs a reason"), "{}", page.body);
    let page = post(
        &mut cass,
        &format!("{record}/gaps"),
        &owned(&[
            ("gap_from", "2020-01-31"),
            ("gap_to", "2021-01-01"),
            ("reason", GAP_REASON),
        ]),
    )
    .await?;
    assert!(page.status.is_redirection(), "{}", page.body);

    // The member was added before they had a key: they can declare, but not yet read.
    let mut mel = sign_in(app, "mel@trust.nhs.uk").await?;
    let page = mel.get("/board-record").await?;
    assert!(page.body.contains(&record), "{}", page.body);
    let page = mel.get(&record).await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("You cannot read this record yet"));
    assert!(!page.body.contains(EVIDENCE));
    let page = post(
        &mut mel,
        &format!("{record}/declaration"),
        &owned(&[("good_character", "yes"), ("no_serious_misconduct", "no")]),
    )
    .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Tell us what happened"), "{}", page.body);
    let page = post(
        &mut mel,
        &format!("{record}/declaration"),
        &owned(&[
            ("good_character", "yes"),
            ("no_serious_misconduct", "no"),
            ("details", DECLARED),
        ]),
    )
    .await?;
    assert!(page.status.is_redirection(), "{}", page.body);
    // The member rates themself in all six areas, or is told which are missing.
    let page = post(
        &mut mel,
        &format!("{record}/self-assessment"),
        &owned(&[("rating-quality", "strength")]),
    )
    .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body
            .contains("Choose how you rate yourself on: Leading a kind, fair and open culture")
    );
    let mut ratings: Vec<(String, String)> = dignity_domain::leadership::Competency::ALL
        .iter()
        .map(|a| (format!("rating-{}", a.code()), "developing".to_owned()))
        .collect();
    ratings.push(("to_develop".into(), TO_DEVELOP.into()));
    assert!(
        post(&mut mel, &format!("{record}/self-assessment"), &ratings)
            .await?
            .status
            .is_redirection()
    );
    let mut appraisal = Vec::new();
    date(&mut appraisal, "appraised_on", today.plus_days(-7));
    assert_eq!(
        post(&mut mel, &format!("{record}/appraisal"), &appraisal)
            .await?
            .status,
        StatusCode::FORBIDDEN
    );
    assert!(
        post(&mut cass, &format!("{record}/appraisal"), &appraisal)
            .await?
            .status
            .is_redirection()
    );
    // A member cannot change their own record.
    assert_eq!(
        post(&mut mel, &format!("{record}/checks"), &check)
            .await?
            .status,
        StatusCode::FORBIDDEN
    );

    // The chair reads everything; opening it gives the member their copy.
    let page = chris.get(&record).await?;
    assert_eq!(page.status, StatusCode::OK);
    for words in [
        EVIDENCE,
        DECLARED,
        GAP_REASON,
        QUALIFICATIONS,
        EMPLOYER,
        TO_DEVELOP,
    ] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }
    assert!(page.body.contains("Last appraised on"));
    assert!(!page.body.contains("Needs a reason"));
    assert!(
        !page.body.contains("Record a check"),
        "the chair only reads"
    );
    let page = chris.get("/orgs/RJ1/board").await?;
    assert!(page.body.contains("mel@trust.nhs.uk"), "{}", page.body);
    assert!(page.body.contains("Chief finance officer"));
    // Five checks never made, one lapsed; the declaration is made.
    assert!(page.body.contains("6 due"), "{}", page.body);
    assert_eq!(
        post(&mut chris, &format!("{record}/checks"), &check)
            .await?
            .status,
        StatusCode::FORBIDDEN
    );

    let page = mel.get(&record).await?;
    for words in [EVIDENCE, DECLARED, GAP_REASON] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }

    // Anyone else reaches nothing, and cannot tell a record from a missing one.
    let mut ollie = sign_in(app, "ollie@trust.nhs.uk").await?;
    assert_eq!(ollie.get(&record).await?.status, StatusCode::FORBIDDEN);
    assert_eq!(
        ollie.get("/orgs/RJ1/board/members/999999").await?.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(
            &mut ollie,
            &format!("{record}/declaration"),
            &owned(&[("good_character", "yes"), ("no_serious_misconduct", "yes")])
        )
        .await?
        .status,
        StatusCode::FORBIDDEN
    );
    let other = app
        .person_in(
            "olga@other.nhs.uk",
            Some(Role::CompanySecretary),
            &app.other_org,
        )
        .await?;
    let mut olga = app.signed_in_browser(&other).await?;
    assert_eq!(olga.get(&record).await?.status, StatusCode::FORBIDDEN);
    assert_eq!(
        olga.get(&format!("/orgs/RJ2/board/members/{id}"))
            .await?
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        olga.get("/orgs/RJ1/board").await?.status,
        StatusCode::FORBIDDEN
    );

    // Every read and change is audited, without the words.
    let log = dignity_store::audit::list_for_organisation(&app.db, "RJ1", None, 1_000).await?;
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    for wanted in [
        "board.member_added",
        "board.seat_added",
        "board.check_recorded",
        "board.profile_changed",
        "board.declaration_made",
        "board.access_changed",
        "board.record_read",
    ] {
        assert!(actions.contains(&wanted), "{wanted} in {actions:?}");
    }
    let reads = log
        .iter()
        .filter(|e| e.action == "board.record_read")
        .count();
    assert!(reads >= 3, "each read is audited: {reads}");

    // A stolen copy of the database holds none of the words.
    let dump = crate::support::everything_stored(app).await?;
    for secret in [
        EVIDENCE,
        "001122334455",
        DECLARED,
        GAP_REASON,
        QUALIFICATIONS,
        EMPLOYER,
        "Insolvency Service",
        "satisfactory",
        TO_DEVELOP,
        "developing",
    ] {
        assert!(!dump.contains(secret), "{secret} is stored in the clear");
    }
    Ok(())
}

async fn bad_record_input_is_named_and_nothing_is_kept(app: &TestApp) -> TestResult {
    speak_up_on(app).await?;
    app.person("cass@trust.nhs.uk", Some(Role::CompanySecretary))
        .await?;
    app.person("mel@trust.nhs.uk", Some(Role::Executive))
        .await?;
    app.person_in("stranger@other.nhs.uk", Some(Role::Staff), &app.other_org)
        .await?;
    let mut cass = sign_in_guardian(app, "cass@trust.nhs.uk").await?;
    let today = app.state.app.clock.today();

    for (email, message) in [
        ("", "Enter an email address"),
        ("nobody@trust.nhs.uk", "No one with that email address"),
        ("stranger@other.nhs.uk", "No one with that email address"),
    ] {
        let page = post(
            &mut cass,
            "/orgs/RJ1/board/members",
            &owned(&[("email", email)]),
        )
        .await?;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{email}");
        assert!(page.body.contains(message), "{email}: {}", page.body);
    }
    assert!(
        dignity_store::leadership::members(&app.db, app.org.id)
            .await?
            .is_empty()
    );
    let add = owned(&[("email", "mel@trust.nhs.uk")]);
    assert!(
        post(&mut cass, "/orgs/RJ1/board/members", &add)
            .await?
            .status
            .is_redirection()
    );
    let page = post(&mut cass, "/orgs/RJ1/board/members", &add).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("already on the board"));
    let id = only_member(app).await?;
    let record = format!("/orgs/RJ1/board/members/{id}");

    // Every gap in a form is named at once, and what was typed is kept.
    let page = post(
        &mut cass,
        &format!("{record}/seats"),
        &owned(&[("title", "")]),
    )
    .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "Choose whether this is an executive or non-executive seat",
        "Enter the job",
        "Enter the start date",
    ] {
        assert!(page.body.contains(message), "{message}: {}", page.body);
    }
    // A mark that turns the text round would make the register read other than typed.
    let mut turned = owned(&[
        ("title", "Chair of \u{202e}tidua"),
        ("seat_kind", "non_executive"),
    ]);
    date(&mut turned, "starts_on", today.plus_days(-10));
    let page = post(&mut cass, &format!("{record}/seats"), &turned).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("Take out the hidden characters"),
        "{}",
        page.body
    );
    // A made-up second line, and accents piled on one letter (outside attack, 2026-12-06).
    for (title, message) in [
        (
            "Chief nurse\n\nFit and proper: yes",
            "Keep this to one line",
        ),
        (
            "Chief nurse\u{301}\u{301}\u{301}\u{301}\u{301}",
            "accents piled on one letter",
        ),
        // Marks from another script's block count too (the second look, 2026-12-06).
        (
            "Chief nurse\u{301}\u{301}\u{483}\u{483}\u{591}",
            "accents piled on one letter",
        ),
        (
            "Chief nurse 1900",
            "A seat cannot begin before the NHS began",
        ),
    ] {
        let starts = if title.ends_with("1900") {
            Day::parse("1900-01-01")?
        } else {
            today.plus_days(-10)
        };
        let mut seat = owned(&[("title", title), ("seat_kind", "executive")]);
        date(&mut seat, "starts_on", starts);
        let page = post(&mut cass, &format!("{record}/seats"), &seat).await?;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{title}");
        assert!(page.body.contains(message), "{message}: {}", page.body);
    }
    let mut backwards = owned(&[("title", "Chair of audit"), ("seat_kind", "non_executive")]);
    date(&mut backwards, "starts_on", today.plus_days(-10));
    date(&mut backwards, "ends_on", today.plus_days(-20));
    let page = post(&mut cass, &format!("{record}/seats"), &backwards).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body
            .contains("The end date must be the same as or after")
    );
    assert!(
        page.body.contains("Chair of audit"),
        "what was typed is kept"
    );

    let page = post(
        &mut cass,
        &format!("{record}/checks"),
        &owned(&[("kind", "not_a_check"), ("result", "concern")]),
    )
    .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "Choose which check this is",
        "Enter the day of the check",
        "Say what the check found and what was seen",
    ] {
        assert!(page.body.contains(message), "{message}: {}", page.body);
    }
    let mut future = owned(&[
        ("kind", "social_media"),
        ("result", "satisfactory"),
        ("evidence", "Looked at three sites"),
    ]);
    date(&mut future, "done_on", today.plus_days(3));
    let page = post(&mut cass, &format!("{record}/checks"), &future).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("cannot be in the future"));

    let mut job = owned(&[("employer", "A trust"), ("role", "Director")]);
    date(&mut job, "from", Day::parse("2020-01-01")?);
    date(&mut job, "to", Day::parse("2019-01-01")?);
    let page = post(&mut cass, &format!("{record}/jobs"), &job).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body
            .contains("The end date must be the same as or after")
    );
    // A reason for a gap that is not in the history is refused.
    let page = post(
        &mut cass,
        &format!("{record}/gaps"),
        &owned(&[
            ("gap_from", "2001-01-01"),
            ("gap_to", "2002-01-01"),
            ("reason", "Travelling"),
        ]),
    )
    .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("no longer in the history"));
    // Ending a seat that does not exist is refused with its reason.
    let mut end = Vec::new();
    date(&mut end, "ended_on", today);
    let page = post(&mut cass, &format!("{record}/seats/424242/end"), &end).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("There is no open seat like that"));

    assert!(
        dignity_store::leadership::seats(&app.db, app.org.id)
            .await?
            .is_empty()
    );
    assert!(
        dignity_store::leadership::checks(&app.db, id)
            .await?
            .is_empty()
    );
    Ok(())
}

/// The outside attack of 2026-12-06, each finding performed again.
async fn the_outside_attack_s_findings_stay_fixed(app: &TestApp) -> TestResult {
    // Without a recovery key no record can be made, and the page says why.
    app.person("cass@trust.nhs.uk", Some(Role::CompanySecretary))
        .await?;
    app.person("mel@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let mut cass = sign_in_guardian(app, "cass@trust.nhs.uk").await?;
    let page = cass.get("/orgs/RJ1/board").await?;
    assert!(
        page.body.contains("Records cannot be made yet"),
        "{}",
        page.body
    );
    let add = |email: &str| owned(&[("email", email)]);
    let page = post(
        &mut cass,
        "/orgs/RJ1/board/members",
        &add("mel@trust.nhs.uk"),
    )
    .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("recovery key"), "{}", page.body);
    let recovery = speak_up_on(app).await?;

    // A company secretary cannot put themselves on the board, and once another has, they
    // are a member of their own record: they may declare, and may not keep it.
    let page = post(
        &mut cass,
        "/orgs/RJ1/board/members",
        &add("cass@trust.nhs.uk"),
    )
    .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("You cannot add yourself"));
    app.person("cy@trust.nhs.uk", Some(Role::CompanySecretary))
        .await?;
    let mut cy = sign_in_guardian(app, "cy@trust.nhs.uk").await?;
    assert!(
        post(
            &mut cy,
            "/orgs/RJ1/board/members",
            &add("cass@trust.nhs.uk")
        )
        .await?
        .status
        .is_redirection()
    );
    let own = only_member(app).await?;
    let record = format!("/orgs/RJ1/board/members/{own}");
    let mut check = owned(&[
        ("kind", "criminal_records"),
        ("result", "satisfactory"),
        ("evidence", "Seen"),
    ]);
    date(&mut check, "done_on", app.state.app.clock.today());
    assert_eq!(
        post(&mut cass, &format!("{record}/checks"), &check)
            .await?
            .status,
        StatusCode::FORBIDDEN
    );
    let page = cass.get(&record).await?;
    assert!(page.body.contains("Your board record"), "{}", page.body);
    assert!(page.body.contains("Make your declaration"));
    assert!(!page.body.contains("Record a check"));
    let declare = owned(&[("good_character", "yes"), ("no_serious_misconduct", "yes")]);
    assert!(
        post(&mut cass, &format!("{record}/declaration"), &declare)
            .await?
            .status
            .is_redirection()
    );
    // A field sent twice is refused, not read as its first copy.
    let mut twice = declare.clone();
    twice.push(("good_character".into(), "no".into()));
    assert_eq!(
        post(&mut cass, &format!("{record}/declaration"), &twice)
            .await?
            .status,
        StatusCode::BAD_REQUEST
    );

    // A record no current reader can open: the recovery key opens it for a new chair.
    assert!(
        post(&mut cy, "/orgs/RJ1/board/members", &add("mel@trust.nhs.uk"))
            .await?
            .status
            .is_redirection()
    );
    let mel_record = dignity_store::leadership::members(&app.db, app.org.id)
        .await?
        .into_iter()
        .find(|m| m.name == "mel@trust.nhs.uk")
        .ok_or("mel's record")?
        .id;
    let chair = app.person("chris@trust.nhs.uk", Some(Role::Chair)).await?;
    let mut chris = sign_in_guardian(app, "chris@trust.nhs.uk").await?;
    let path = format!("/orgs/RJ1/board/members/{mel_record}");
    assert!(
        chris
            .get(&path)
            .await?
            .body
            .contains("You cannot read this record yet")
    );
    let operator =
        dignity_app::admin::Operator::new(app.db.clone(), dignity_app::Clock::system(), "cli");
    let wrong = dignity_crypto::speakup::SecretKey::generate();
    assert!(
        dignity_app::leadership::recover(&operator, &app.org, &chair, &wrong)
            .await
            .is_err()
    );
    let gained = dignity_app::leadership::recover(&operator, &app.org, &chair, &recovery).await?;
    assert_eq!(gained, 2, "both records");
    assert!(
        chris
            .get(&path)
            .await?
            .body
            .contains("What the checks found")
    );

    // A company secretary who loses the role loses their copies of every record's key
    // the next time the board is opened, read since or not.
    let cy_id = dignity_store::identity::get_person_by_email(
        &app.db,
        &dignity_domain::identity::Email::parse("cy@trust.nhs.uk")?,
    )
    .await?
    .id;
    let holder = format!("person:{cy_id}");
    let held = |id: i64| {
        let holder = holder.clone();
        async move {
            Ok::<bool, Box<dyn std::error::Error>>(
                dignity_store::leadership::seal_holders(&app.db, id)
                    .await?
                    .contains(&holder),
            )
        }
    };
    assert!(held(mel_record).await? && held(own).await?);
    sqlx::query("DELETE FROM memberships WHERE person_id = $1 AND role = 'company_secretary'")
        .bind(cy_id)
        .execute(app.db.pool())
        .await?;
    assert_eq!(chris.get("/orgs/RJ1/board").await?.status, StatusCode::OK);
    assert!(!held(mel_record).await? && !held(own).await?);
    Ok(())
}

const WHY_WITHOUT: &str = "The social media search result is late from the agency";
const ACTION: &str = "Removed from the board on 1 March; the regional director is told";

async fn a_yearly_round_is_concluded_signed_and_published(app: &TestApp) -> TestResult {
    speak_up_on(app).await?;
    app.person("cass@trust.nhs.uk", Some(Role::CompanySecretary))
        .await?;
    app.person("chris@trust.nhs.uk", Some(Role::Chair)).await?;
    app.person("mel@trust.nhs.uk", Some(Role::Executive))
        .await?;
    app.person("nat@trust.nhs.uk", Some(Role::Staff)).await?;
    app.person("lee@trust.nhs.uk", Some(Role::Staff)).await?;
    let analyst = app
        .person("ana@nhs.net", Some(Role::NationalAnalyst))
        .await?;
    let mut cass = sign_in_guardian(app, "cass@trust.nhs.uk").await?;
    let mut chris = sign_in_guardian(app, "chris@trust.nhs.uk").await?;
    let today = app.state.app.clock.today();

    // Three members; two hold a seat today, one's seat has ended.
    let mut ids = Vec::new();
    for (email, title, ended) in [
        ("mel@trust.nhs.uk", "Chief executive", false),
        ("nat@trust.nhs.uk", "Non-executive director", false),
        ("lee@trust.nhs.uk", "Director of estates", true),
    ] {
        let page = post(
            &mut cass,
            "/orgs/RJ1/board/members",
            &owned(&[("email", email)]),
        )
        .await?;
        assert!(page.status.is_redirection(), "{}", page.body);
        let id: i64 = page
            .location
            .as_deref()
            .and_then(|l| l.split('/').nth(5))
            .and_then(|l| l.split('?').next())
            .ok_or("a record's address")?
            .parse()?;
        let mut seat = owned(&[("title", title), ("seat_kind", "executive")]);
        date(&mut seat, "starts_on", today.plus_days(-500));
        if ended {
            date(&mut seat, "ends_on", today.plus_days(-10));
        }
        assert!(
            post(
                &mut cass,
                &format!("/orgs/RJ1/board/members/{id}/seats"),
                &seat
            )
            .await?
            .status
            .is_redirection()
        );
        ids.push(id);
    }

    // Opening the round asks each member holding a seat for their declaration.
    let mut open = Vec::new();
    date(&mut open, "due_on", today.plus_days(30));
    let page = post(&mut cass, "/orgs/RJ1/board/rounds", &open).await?;
    assert!(page.status.is_redirection(), "{}", page.body);
    let round = page
        .location
        .as_deref()
        .and_then(|l| l.rsplit('/').next())
        .and_then(|l| l.split('?').next())
        .ok_or("the round's address")?
        .to_owned();
    let mails: Vec<(String, String)> = sqlx::query_as(
        "SELECT to_address, body FROM mail_outbox WHERE purpose LIKE 'board-round:%' ORDER BY to_address",
    )
    .fetch_all(app.db.pool())
    .await?;
    let to: Vec<&str> = mails.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(to, ["mel@trust.nhs.uk", "nat@trust.nhs.uk"]);
    assert!(
        mails[0]
            .1
            .contains(&format!("/orgs/RJ1/board/members/{}#declare", ids[0]))
    );
    let page = post(&mut cass, "/orgs/RJ1/board/rounds", &open).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("round is already open"), "{}", page.body);

    let base = format!("/orgs/RJ1/board/rounds/{round}");
    let conclude = |member: i64| format!("{base}/members/{member}/conclude");
    // No check is done: concluding needs the chair's reason.
    let page = post(
        &mut chris,
        &conclude(ids[0]),
        &owned(&[("conclusion", "fit")]),
    )
    .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body
            .contains("Say why you are concluding without them")
    );
    assert!(
        page.body
            .contains(&format!("id=\"why_without-{}\"", ids[0]))
    );
    assert!(
        post(
            &mut chris,
            &conclude(ids[0]),
            &owned(&[("conclusion", "fit"), ("why_without", WHY_WITHOUT)])
        )
        .await?
        .status
        .is_redirection()
    );
    // Not fit needs the action taken.
    let not_fit = owned(&[("conclusion", "not_fit"), ("why_without", WHY_WITHOUT)]);
    let page = post(&mut chris, &conclude(ids[1]), &not_fit).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Say what action was taken"));
    // The company secretary cannot conclude, and no one signs before everyone is done.
    assert_eq!(
        post(&mut cass, &conclude(ids[1]), &not_fit).await?.status,
        StatusCode::FORBIDDEN
    );
    let page = post(&mut chris, &format!("{base}/sign"), &[]).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("1 is still to do"), "{}", page.body);
    let mut with_action = not_fit.clone();
    with_action.push(("action".into(), ACTION.into()));
    with_action.push(("serious_misconduct".into(), "yes".into()));
    assert!(
        post(&mut chris, &conclude(ids[1]), &with_action)
            .await?
            .status
            .is_redirection()
    );
    // The member whose seat ended is not in the round.
    assert_eq!(
        post(&mut chris, &conclude(ids[2]), &not_fit).await?.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        cass.get(&format!("{base}/return.csv")).await?.status,
        StatusCode::NOT_FOUND,
        "no return before it is signed"
    );
    assert!(
        chris
            .get("/boards")
            .await?
            .body
            .contains("No organisation has signed a return yet")
    );

    // A draft conclusion is no one else's business: not the national register's, and not
    // the audit log's (outside attack, 2026-12-06).
    let mut ana = app.signed_in_browser(&analyst).await?;
    assert!(
        !ana.get("/national/boards")
            .await?
            .body
            .contains("Not fit and proper")
    );
    let log = dignity_store::audit::list_for_organisation(&app.db, "RJ1", None, 1_000).await?;
    assert!(
        log.iter()
            .filter(|e| e.action == "board.concluded")
            .all(|e| !e.detail.contains("fit"))
    );
    // A signature made from a view a conclusion has since changed is refused, so the
    // public register cannot say other than the return.
    let stale = dignity_store::leadership::rounds::round_in_organisation(
        &app.db,
        app.org.id,
        round.parse()?,
    )
    .await?;
    assert!(
        post(&mut chris, &conclude(ids[0]), &with_action)
            .await?
            .status
            .is_redirection()
    );
    let refused = dignity_store::leadership::rounds::sign(
        &app.db,
        "test",
        1,
        &app.org,
        &dignity_store::leadership::rounds::Signing {
            round_id: stale.id,
            signed_on: today,
            signed_by: 1,
            published: "[]",
            return_rows: "[]",
            version: stale.version,
        },
    )
    .await;
    assert!(
        matches!(refused, Err(dignity_store::StoreError::Conflict(_))),
        "{refused:?}"
    );
    assert!(
        post(
            &mut chris,
            &conclude(ids[0]),
            &owned(&[("conclusion", "fit"), ("why_without", WHY_WITHOUT)])
        )
        .await?
        .status
        .is_redirection()
    );

    let page = post(&mut chris, &format!("{base}/sign"), &[]).await?;
    assert!(page.status.is_redirection(), "{}", page.body);
    // Signed: the conclusions stand.
    let page = post(&mut chris, &conclude(ids[0]), &with_action).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("signed"));

    // The return: a row a member, with the chair's words left out.
    let csv = cass.get(&format!("{base}/return.csv")).await?;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("mel@trust.nhs.uk"), "{}", csv.body);
    assert!(csv.body.contains("Not fit and proper"));
    assert!(!csv.body.contains(WHY_WITHOUT) && !csv.body.contains(ACTION));
    assert_eq!(csv.body.lines().count(), 3, "{}", csv.body);
    // The return is kept as signed: a seat recorded afterwards does not change it.
    let mut later = owned(&[("title", "Vice chair"), ("seat_kind", "non_executive")]);
    date(&mut later, "starts_on", today);
    assert!(
        post(
            &mut cass,
            &format!("/orgs/RJ1/board/members/{}/seats", ids[0]),
            &later
        )
        .await?
        .status
        .is_redirection()
    );
    assert_eq!(
        cass.get(&format!("{base}/return.csv")).await?.body,
        csv.body
    );

    // The public register shows names, seats and "fit and proper" or "assessment due":
    // never "not fit", never the chair's words.
    let mut public = app.browser();
    let page = public.get("/boards").await?;
    assert!(page.body.contains("/boards/RJ1"), "{}", page.body);
    let page = public.get("/boards/RJ1").await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("mel@trust.nhs.uk") && page.body.contains("Chief executive"));
    assert!(page.body.contains("Yes, assessed on"));
    assert!(page.body.contains("Assessment due"));
    for hidden in [
        "Not fit",
        WHY_WITHOUT,
        ACTION,
        "lee@trust.nhs.uk",
        "misconduct",
    ] {
        assert!(!page.body.contains(hidden), "{hidden} is public");
    }
    assert_eq!(
        public.get("/boards/RJ2").await?.status,
        StatusCode::NOT_FOUND
    );

    // The chair's words are on the record for those who read it, and sealed from a thief.
    let page = chris
        .get(&format!("/orgs/RJ1/board/members/{}", ids[1]))
        .await?;
    assert!(page.body.contains(ACTION), "{}", page.body);
    let dump = crate::support::everything_stored(app).await?;
    assert!(!dump.contains(WHY_WITHOUT) && !dump.contains(ACTION));

    // The national register: every member, searchable, with a download, for analysts.
    let page = ana.get("/national/boards").await?;
    assert_eq!(page.status, StatusCode::OK);
    for email in ["mel@trust.nhs.uk", "nat@trust.nhs.uk", "lee@trust.nhs.uk"] {
        assert!(page.body.contains(email), "{email}");
    }
    assert!(page.body.contains("Not fit and proper"));
    assert!(!page.body.contains(ACTION));
    let page = ana.get("/national/boards?q=NAT").await?;
    assert!(page.body.contains("nat@trust.nhs.uk") && !page.body.contains("mel@trust.nhs.uk"));
    // Search words are taken literally, and pages past the end are empty.
    assert!(
        ana.get("/national/boards?q=%25")
            .await?
            .body
            .contains("No board member matches")
    );
    let page = ana.get("/national/boards?page=2").await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("No board member matches"));
    let csv = ana.get("/national/boards.csv?q=rj1").await?;
    assert_eq!(csv.body.lines().count(), 4, "{}", csv.body);
    assert_eq!(
        chris.get("/national/boards").await?.status,
        StatusCode::FORBIDDEN
    );

    let log = dignity_store::audit::list_for_organisation(&app.db, "RJ1", None, 1_000).await?;
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    for wanted in [
        "board.round_opened",
        "board.concluded",
        "board.return_signed",
    ] {
        assert!(actions.contains(&wanted), "{wanted}");
    }
    Ok(())
}

/// A board with one member, concluded fit and signed this year, through the pages.
async fn signed_board(app: &TestApp) -> Result<i64, Box<dyn std::error::Error>> {
    speak_up_on(app).await?;
    app.person("cass@trust.nhs.uk", Some(Role::CompanySecretary))
        .await?;
    app.person("chris@trust.nhs.uk", Some(Role::Chair)).await?;
    app.person("mel@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let mut cass = sign_in_guardian(app, "cass@trust.nhs.uk").await?;
    let mut chris = sign_in_guardian(app, "chris@trust.nhs.uk").await?;
    let today = app.state.app.clock.today();
    let page = post(
        &mut cass,
        "/orgs/RJ1/board/members",
        &owned(&[("email", "mel@trust.nhs.uk")]),
    )
    .await?;
    let id: i64 = page
        .location
        .as_deref()
        .and_then(|l| l.split('/').nth(5))
        .and_then(|l| l.split('?').next())
        .ok_or("a record's address")?
        .parse()?;
    let mut seat = owned(&[("title", "Chief executive"), ("seat_kind", "executive")]);
    date(&mut seat, "starts_on", today.plus_days(-500));
    post(
        &mut cass,
        &format!("/orgs/RJ1/board/members/{id}/seats"),
        &seat,
    )
    .await?;
    let mut open = Vec::new();
    date(&mut open, "due_on", today.plus_days(30));
    let page = post(&mut cass, "/orgs/RJ1/board/rounds", &open).await?;
    let round: i64 = page
        .location
        .as_deref()
        .and_then(|l| l.rsplit('/').next())
        .and_then(|l| l.split('?').next())
        .ok_or("the round's address")?
        .parse()?;
    let base = format!("/orgs/RJ1/board/rounds/{round}");
    let page = post(
        &mut chris,
        &format!("{base}/members/{id}/conclude"),
        &owned(&[
            ("conclusion", "fit"),
            ("why_without", WHY_WITHOUT),
            ("serious_misconduct", "yes"),
            ("action", ACTION),
        ]),
    )
    .await?;
    assert!(page.status.is_redirection(), "{}", page.body);
    let page = post(&mut chris, &format!("{base}/sign"), &[]).await?;
    assert!(page.status.is_redirection(), "{}", page.body);
    Ok(round)
}

async fn the_region_sees_its_boards_returns_and_no_other_region_does(app: &TestApp) -> TestResult {
    let round = signed_board(app).await?;
    let year = app.state.app.clock.today().ymd().0;
    let london = app
        .person("rd@england.nhs.uk", Some(Role::RegionalDirector))
        .await?;
    let north_west = app
        .person_in_region(
            "nw@england.nhs.uk",
            Role::RegionalDirector,
            Region::NorthWest,
        )
        .await?;
    let analyst = app
        .person("ana@nhs.net", Some(Role::NationalAnalyst))
        .await?;
    let mut london = app.signed_in_browser(&london).await?;
    let mut north_west = app.signed_in_browser(&north_west).await?;
    let mut analyst = app.signed_in_browser(&analyst).await?;

    // London's director sees both London boards: one signed, one not started.
    let page = london.get("/regions/london/boards").await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(&format!("Fit and proper returns for {year}"))
    );
    assert!(
        page.body.contains("1 of 2 boards have signed a return"),
        "{}",
        page.body
    );
    assert!(page.body.contains("1 member: 1 fit and proper, 1 concluded without every check, 1 with a finding of serious misconduct"), "{}", page.body);
    assert!(page.body.contains("Round not opened"));
    // It says nothing of the chair's words.
    assert!(!page.body.contains(WHY_WITHOUT));
    let summary = london.get("/regions/london/boards.csv").await?;
    assert_eq!(summary.status, StatusCode::OK);
    assert!(
        summary
            .body
            .contains(r#""RJ1","Trust RJ1","Acute trust","signed","#),
        "{}",
        summary.body
    );
    assert!(
        summary
            .body
            .contains(r#""RJ2","Trust RJ2","Acute trust","not opened","#),
        "{}",
        summary.body
    );

    // Each board's return, exactly as its own readers download it.
    let mut cass = sign_in_guardian(app, "cass@trust.nhs.uk").await?;
    let own = cass
        .get(&format!("/orgs/RJ1/board/rounds/{round}/return.csv"))
        .await?;
    let regional = format!("/regions/london/boards/RJ1/{year}/return");
    let csv = london.get(&format!("{regional}.csv")).await?;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.body, own.body);
    assert!(csv.body.contains("mel@trust.nhs.uk"));
    let pdf = london.get(&format!("{regional}.pdf")).await?;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(
        pdf.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    let pdf = cass
        .get(&format!("/orgs/RJ1/board/rounds/{round}/return.pdf"))
        .await?;
    assert_eq!(pdf.status, StatusCode::OK);
    // A year without a signed return, a board in another region and a region that does
    // not exist are not found.
    for missing in [
        format!("/regions/london/boards/RJ1/{}/return.csv", year - 1),
        format!("/regions/london/boards/RJ2/{year}/return.pdf"),
        "/regions/atlantis/boards".to_owned(),
    ] {
        assert_eq!(
            london.get(&missing).await?.status,
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
    assert_eq!(
        analyst
            .get(&format!("/regions/north_west/boards/RJ1/{year}/return.csv"))
            .await?
            .status,
        StatusCode::NOT_FOUND,
        "RJ1 is not in the North West"
    );

    // Another region's director reaches none of it, even naming their own region.
    for path in [
        "/regions/london/boards".to_owned(),
        "/regions/london/boards.csv".to_owned(),
        format!("{regional}.csv"),
        format!("{regional}.pdf"),
        format!("/orgs/RJ1/board/rounds/{round}/return.csv"),
    ] {
        assert_eq!(
            north_west.get(&path).await?.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let page = north_west.get("/regions/north_west/boards").await?;
    assert!(
        page.body.contains("no organisations in this region"),
        "{}",
        page.body
    );
    assert_eq!(
        london.get("/regions/north_west/boards").await?.status,
        StatusCode::FORBIDDEN
    );

    // National analysts see every region.
    let page = analyst.get("/regions/london/boards").await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("1 of 2 boards"));
    assert_eq!(
        analyst.get(&format!("{regional}.pdf")).await?.status,
        StatusCode::OK
    );
    Ok(())
}

const CONCERN: &str = "Two complaints about how she chaired the audit committee in 2025";

/// The id at the end of a record's address in a redirect.
fn record_in(page: &Page) -> Result<i64, Box<dyn std::error::Error>> {
    Ok(page
        .location
        .as_deref()
        .and_then(|l| l.split('/').nth(5))
        .and_then(|l| l.split('?').next())
        .ok_or("a record's address")?
        .parse()?)
}

async fn a_reference_goes_only_to_the_board_that_asked_and_every_step_is_audited(
    app: &TestApp,
) -> TestResult {
    speak_up_on(app).await?;
    let other_recovery = dignity_crypto::speakup::SecretKey::generate();
    dignity_store::speakup::init(
        &app.db,
        "test",
        1,
        &app.other_org,
        &dignity_crypto::speakup::public_key(&other_recovery),
        2,
    )
    .await?;
    app.person("cass@trust.nhs.uk", Some(Role::CompanySecretary))
        .await?;
    app.person("chris@trust.nhs.uk", Some(Role::Chair)).await?;
    app.person_in(
        "rita@other.nhs.uk",
        Some(Role::CompanySecretary),
        &app.other_org,
    )
    .await?;
    let mel_person = app
        .person("mel@trust.nhs.uk", Some(Role::Executive))
        .await?;
    dignity_store::identity::grant_role(
        &app.db,
        "test",
        1,
        &mel_person,
        Role::Staff,
        Some(&app.other_org),
    )
    .await?;
    let mut mel = sign_in(app, "mel@trust.nhs.uk").await?;
    let mut cass = sign_in_guardian(app, "cass@trust.nhs.uk").await?;
    let mut chris = sign_in_guardian(app, "chris@trust.nhs.uk").await?;
    let mut rita = sign_in_guardian(app, "rita@other.nhs.uk").await?;
    let today = app.state.app.clock.today();
    let add = owned(&[("email", "mel@trust.nhs.uk")]);

    // RJ1's record: a seat that ended ten days ago. RJ2's: a seat held now.
    let left = record_in(&post(&mut cass, "/orgs/RJ1/board/members", &add).await?)?;
    let mut seat = owned(&[("title", "Chair of audit"), ("seat_kind", "non_executive")]);
    date(&mut seat, "starts_on", today.plus_days(-800));
    date(&mut seat, "ends_on", today.plus_days(-10));
    post(
        &mut cass,
        &format!("/orgs/RJ1/board/members/{left}/seats"),
        &seat,
    )
    .await?;
    let joined = record_in(&post(&mut rita, "/orgs/RJ2/board/members", &add).await?)?;
    let mut seat = owned(&[
        ("title", "Non-executive director"),
        ("seat_kind", "non_executive"),
    ]);
    date(&mut seat, "starts_on", today.plus_days(-5));
    post(
        &mut rita,
        &format!("/orgs/RJ2/board/members/{joined}/seats"),
        &seat,
    )
    .await?;
    let old = format!("/orgs/RJ1/board/members/{left}");
    let new = format!("/orgs/RJ2/board/members/{joined}");

    // No reference while a seat is held; every gap named; written once.
    let clean = owned(&[
        ("concerns", "no"),
        ("investigations", "no"),
        ("misconduct", "no"),
    ]);
    let page = post(&mut rita, &format!("{new}/reference"), &clean).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("once they have left the board"),
        "{}",
        page.body
    );
    let page = post(
        &mut cass,
        &format!("{old}/reference"),
        &owned(&[("concerns", "yes")]),
    )
    .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "Say what the concerns were",
        "Say whether they were investigated",
        "Say whether there was a finding of serious misconduct or mismanagement",
    ] {
        assert!(page.body.contains(message), "{message}");
    }
    let written = owned(&[
        ("concerns", "yes"),
        ("concerns_detail", CONCERN),
        ("investigations", "no"),
        ("misconduct", "no"),
    ]);
    let page = post(&mut cass, &format!("{old}/reference"), &written).await?;
    assert!(page.status.is_redirection(), "{}", page.body);
    let page = post(&mut cass, &format!("{old}/reference"), &written).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("written already"));

    // RJ2 sees RJ1's board and asks; only a board the person sat on can be asked.
    let page = rita.get(&new).await?;
    assert!(
        page.body.contains("Ask Trust RJ1 for its reference"),
        "{}",
        page.body
    );
    assert!(!page.body.contains(CONCERN));
    for from in [joined.to_string(), "999999".to_owned()] {
        let page = post(
            &mut rita,
            &format!("{new}/reference-requests"),
            &owned(&[("from", &from)]),
        )
        .await?;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "from {from}");
    }
    let ask = owned(&[("from", &left.to_string())]);
    let page = post(&mut rita, &format!("{new}/reference-requests"), &ask).await?;
    assert!(page.status.is_redirection(), "{}", page.body);
    let page = post(&mut rita, &format!("{new}/reference-requests"), &ask).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("already asked for"));
    assert!(
        rita.get(&new)
            .await?
            .body
            .contains("has not released it yet")
    );
    let request: i64 = sqlx::query_scalar("SELECT id FROM board_reference_requests")
        .fetch_one(app.db.pool())
        .await?;

    // RJ1's chair sees the request, and only RJ1's chairs and company secretaries release
    // it: not RJ2, not the member, and not by naming another record's request.
    let page = chris.get("/orgs/RJ1/board").await?;
    assert!(
        page.body.contains("Trust RJ2 asked for the reference of"),
        "{}",
        page.body
    );
    let release = format!("{old}/reference-requests/{request}/release");
    assert_eq!(
        post(&mut rita, &release, &[]).await?.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(&mut mel, &release, &[]).await?.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(
            &mut chris,
            &format!("{old}/reference-requests/999999/release"),
            &[]
        )
        .await?
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(rita.get(&old).await?.status, StatusCode::FORBIDDEN);
    let page = post(&mut chris, &release, &[]).await?;
    assert!(page.status.is_redirection(), "{}", page.body);
    let page = post(&mut chris, &release, &[]).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("released already"));

    // RJ2 reads it on its own record; the member reads both copies.
    let page = rita.get(&new).await?;
    assert!(page.body.contains(CONCERN), "{}", page.body);
    assert!(
        page.body.contains("Trust RJ1&#x27;s reference")
            || page.body.contains("Trust RJ1's reference")
    );
    // The member gets their key when they next sign in as a board member, and each
    // record is sealed to it when its board next opens it.
    let mut mel = sign_in(app, "mel@trust.nhs.uk").await?;
    cass.get(&old).await?;
    rita.get(&new).await?;
    let page = mel.get(&old).await?;
    assert!(page.body.contains(CONCERN), "{}", page.body);
    assert!(mel.get(&new).await?.body.contains(CONCERN));

    // Outside attack, 2026-12-06. A member who has left gives the old board nothing more.
    let page = post(
        &mut mel,
        &format!("{old}/declaration"),
        &owned(&[("good_character", "yes"), ("no_serious_misconduct", "yes")]),
    )
    .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("You have left the board of Trust RJ1"),
        "{}",
        page.body
    );
    // An appraisal is not before the first seat, and not older than the one recorded.
    let appraisal = |on: Day| {
        let mut form = Vec::new();
        date(&mut form, "appraised_on", on);
        form
    };
    let page = post(
        &mut rita,
        &format!("{new}/appraisal"),
        &appraisal(today.plus_days(-30)),
    )
    .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body
            .contains("on or after the day their first seat began")
    );
    let page = post(&mut rita, &format!("{new}/appraisal"), &appraisal(today)).await?;
    assert!(page.status.is_redirection(), "{}", page.body);
    let page = post(
        &mut rita,
        &format!("{new}/appraisal"),
        &appraisal(today.plus_days(-1)),
    )
    .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Enter a later one"));
    // Two readers sealing the same copy at once: only the one that made it is audited.
    let changes = |log: &[dignity_store::audit::Entry]| {
        log.iter()
            .filter(|e| e.action == "board.access_changed")
            .count()
    };
    let before =
        changes(&dignity_store::audit::list_for_organisation(&app.db, "RJ1", None, 1_000).await?);
    dignity_store::leadership::change_seals(
        &app.db,
        "test",
        1,
        &app.org,
        left,
        &[(
            dignity_store::speakup::person_holder(mel_person.id),
            b"again".to_vec(),
        )],
        &[],
    )
    .await?;
    let after =
        changes(&dignity_store::audit::list_for_organisation(&app.db, "RJ1", None, 1_000).await?);
    assert_eq!(before, after);

    // Each step is in both boards' logs, and no log holds the words.
    for (ods, wanted) in [
        (
            "RJ1",
            &[
                "board.reference_written",
                "board.reference_requested",
                "board.reference_released",
                "board.reference_read",
            ][..],
        ),
        (
            "RJ2",
            &[
                "board.reference_requested",
                "board.reference_released",
                "board.reference_read",
            ][..],
        ),
    ] {
        let log = dignity_store::audit::list_for_organisation(&app.db, ods, None, 1_000).await?;
        for action in wanted {
            assert!(log.iter().any(|e| e.action == *action), "{ods}: {action}");
        }
        assert!(log.iter().all(|e| !e.detail.contains(CONCERN)));
    }
    // A thief with a copy of the database finds neither copy's words.
    let dump = crate::support::everything_stored(app).await?;
    assert!(!dump.contains(CONCERN) && !dump.contains("audit committee"));
    Ok(())
}
