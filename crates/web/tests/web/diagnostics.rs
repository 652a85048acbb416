//! Self-assessment rounds end to end: an org admin opens a round on the shipped health and
//! wellbeing framework and asks five people to rate; each rates alone and sends; the
//! figures match the hand-worked example in docs/diagnostics.md; the lead agrees every
//! statement; an executive and a union partner sign it off, and it then cannot change.

use crate::support::{Browser, Page, TestApp, TestResult};
use axum::http::StatusCode;
use dignity_app::admin::Operator;
use dignity_domain::diagnostics::{HEALTH_AND_WELLBEING, parse};
use dignity_domain::identity::Role;

dignity_store::on_both_backends!(
    crate::support::run;
    a_round_runs_from_invitation_to_sign_off,
    what_staff_say_is_set_beside_each_part,
    gaps_go_into_the_plan_and_rounds_compare_with_the_last,
    a_system_sees_its_own_organisations_side_by_side,
);

const LIST: &str = "/orgs/RJ1/self-assessments";

async fn post_ok(
    browser: &mut Browser,
    path: &str,
    fields: &[(&str, &str)],
) -> Result<Page, Box<dyn std::error::Error>> {
    let page = browser.post(path, fields).await?;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "POST {path} {fields:?}: {}",
        page.body
    );
    Ok(page)
}

/// Every part of the framework rated by one assessor: `first` for the first statement
/// (ph-1), 3 for every other; then sent.
async fn rate_everything(browser: &mut Browser, round: &str, first: &str) -> TestResult {
    rate_all(browser, round, first, "3").await
}

/// Every part rated: `first` for ph-1, `others` for every other statement; then sent.
async fn rate_all(browser: &mut Browser, round: &str, first: &str, others: &str) -> TestResult {
    let framework = parse(HEALTH_AND_WELLBEING)?;
    let mut last = None;
    for (at, element) in framework.elements.iter().enumerate() {
        let mut fields: Vec<(String, String)> = vec![("part".into(), element.key.clone())];
        for statement in &element.statements {
            let value = if statement.key == "ph-1" {
                first
            } else {
                others
            };
            fields.push((format!("rating-{}", statement.key), value.into()));
        }
        // The last part sends everything.
        let action = if at + 1 == framework.elements.len() {
            "send"
        } else {
            "next"
        };
        fields.push(("action".into(), action.into()));
        let borrowed: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        last = Some(post_ok(browser, &format!("{round}/rate"), &borrowed).await?);
    }
    let sent = last.ok_or("a framework with parts")?;
    assert!(sent.redirects_to(&format!("{round}?done=sent")), "{sent:?}");
    Ok(())
}

async fn a_round_runs_from_invitation_to_sign_off(app: &TestApp) -> TestResult {
    let operator = Operator::new(app.db.clone(), dignity_app::Clock::system(), "cli");
    operator
        .save_framework(&parse(HEALTH_AND_WELLBEING)?, HEALTH_AND_WELLBEING)
        .await?;
    let framework_id: i64 = sqlx::query_scalar("SELECT id FROM diagnostic_frameworks")
        .fetch_one(app.db.pool())
        .await?;

    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut ada = app.signed_in_browser(&admin).await?;
    // Nothing chosen: each field is named.
    let refused = ada.post(LIST, &[("title", " ")]).await?;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("Choose a framework"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("Enter a name for the round"));
    let opened = post_ok(
        &mut ada,
        LIST,
        &[
            ("framework", &framework_id.to_string()),
            ("title", "Health and wellbeing 2026"),
        ],
    )
    .await?;
    let round = opened.location.clone().ok_or("the round's address")?;
    assert!(round.starts_with("/orgs/RJ1/self-assessments/"), "{round}");

    // Five assessors: the employer side (wellbeing lead, executive, manager) and the union
    // side (union partner, network chair).
    let lead = app.person("wendy@trust.nhs.uk", Some(Role::Staff)).await?;
    let exec = app
        .person("eve@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let manager = app.person("max@trust.nhs.uk", Some(Role::Staff)).await?;
    let union = app
        .person("una@trust.nhs.uk", Some(Role::UnionPartner))
        .await?;
    let chair = app.person("nat@trust.nhs.uk", Some(Role::Staff)).await?;
    let bystander = app.person("bea@trust.nhs.uk", Some(Role::Staff)).await?;
    let elsewhere = app
        .person_in("oli@other.nhs.uk", Some(Role::Staff), &app.other_org)
        .await?;
    let assessors = [
        (&lead, "wellbeing_lead", "4"),
        (&exec, "executive", "5"),
        (&manager, "manager", "4"),
        (&union, "union_partner", "2"),
        (&chair, "network_chair", "1"),
    ];
    for (person, role, _) in &assessors {
        post_ok(
            &mut ada,
            &format!("{round}/assessors"),
            &[("email", &person.email), ("role", role)],
        )
        .await?;
    }
    let mails: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_outbox WHERE purpose LIKE 'self-assessment:%' AND body LIKE '%/rate%'",
    )
    .fetch_one(app.db.pool())
    .await?;
    assert_eq!(mails, 5, "each assessor is sent a link");
    let twice = ada
        .post(
            &format!("{round}/assessors"),
            &[("email", &lead.email), ("role", "manager")],
        )
        .await?;
    assert!(
        twice.body.contains("asked to rate this round already"),
        "{}",
        twice.body
    );
    let stranger = ada
        .post(
            &format!("{round}/assessors"),
            &[("email", &elsewhere.email), ("role", "manager")],
        )
        .await?;
    assert!(
        stranger
            .body
            .contains("Enter the email of someone who has an account in this organisation"),
        "{}",
        stranger.body
    );

    // Someone not asked sees nothing, as for a round that does not exist; so does
    // another organisation's admin.
    let mut bea = app.signed_in_browser(&bystander).await?;
    assert_eq!(bea.get(&round).await?.status, StatusCode::NOT_FOUND);
    assert_eq!(
        bea.get(&format!("{round}/rate")).await?.status,
        StatusCode::NOT_FOUND
    );
    let other_admin = app
        .person_in("oa@other.nhs.uk", Some(Role::OrgAdmin), &app.other_org)
        .await?;
    let mut oa = app.signed_in_browser(&other_admin).await?;
    assert_eq!(oa.get(&round).await?.status, StatusCode::FORBIDDEN);
    // Nor may an assessor ask others to rate.
    let mut wendy = app.signed_in_browser(&lead).await?;
    let invite = wendy
        .post(
            &format!("{round}/assessors"),
            &[("email", &bystander.email), ("role", "manager")],
        )
        .await?;
    assert_eq!(invite.status, StatusCode::FORBIDDEN);

    // An assessor sees nobody's ratings before sending their own.
    let before = wendy.get(&round).await?;
    assert!(
        before
            .body
            .contains("0 of 5 people asked have sent their ratings"),
        "{}",
        before.body
    );
    assert!(!before.body.contains("What everyone rated"));

    // Bad input is named and nothing is saved.
    let bad = wendy
        .post(
            &format!("{round}/rate"),
            &[
                ("part", "personal-health"),
                ("rating-ph-1", "9"),
                ("links-ph-2", "javascript:alert(1)"),
                ("action", "save"),
            ],
        )
        .await?;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("Choose one of the levels shown"),
        "{}",
        bad.body
    );
    assert!(
        bad.body.contains("must start with https://"),
        "{}",
        bad.body
    );
    let stray = wendy
        .post(
            &format!("{round}/rate"),
            &[("part", "personal-health"), ("rating-re-1", "3")],
        )
        .await?;
    assert!(
        stray.body.contains("is not in this part of the framework"),
        "{}",
        stray.body
    );
    let early = wendy
        .post(
            &format!("{round}/rate"),
            &[
                ("part", "personal-health"),
                ("rating-ph-1", "4"),
                ("action", "send"),
            ],
        )
        .await?;
    assert!(
        early.body.contains("Rate every statement before you send"),
        "{}",
        early.body
    );
    let saved: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM diagnostic_ratings")
        .fetch_one(app.db.pool())
        .await?;
    assert_eq!(saved, 0);
    // Saving part way keeps what was typed for later.
    post_ok(
        &mut wendy,
        &format!("{round}/rate"),
        &[
            ("part", "personal-health"),
            ("rating-ph-1", "4"),
            ("evidence-ph-1", "Staff intranet figures"),
            ("links-ph-1", "https://www.nhs.uk/"),
            ("action", "save"),
        ],
    )
    .await?;
    let again = wendy
        .get(&format!("{round}/rate?part=personal-health"))
        .await?;
    assert!(
        again.body.contains("Staff intranet figures"),
        "{}",
        again.body
    );
    assert!(again.body.contains("value=\"4\" checked"), "{}", again.body);

    // The union side is for union partners: someone else cannot be put there.
    let packed = ada
        .post(
            &format!("{round}/assessors"),
            &[("email", &bystander.email), ("role", "union_partner")],
        )
        .await?;
    assert_eq!(packed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        packed
            .body
            .contains("Only someone who is a trade union partner here can rate as one"),
        "{}",
        packed.body
    );

    // Nor may someone who speaks for the employer rate as a network chair.
    let er_lead = app.person("erl@trust.nhs.uk", Some(Role::ErLead)).await?;
    let packed = ada
        .post(
            &format!("{round}/assessors"),
            &[("email", &er_lead.email), ("role", "network_chair")],
        )
        .await?;
    assert!(
        packed
            .body
            .contains("Someone who speaks for the employer here cannot rate for the union side"),
        "{}",
        packed.body
    );
    // A second admin asked to rate may not agree anything before sending their own.
    let adam = app
        .person("adam@trust.nhs.uk", Some(Role::OrgAdmin))
        .await?;
    post_ok(
        &mut ada,
        &format!("{round}/assessors"),
        &[("email", &adam.email), ("role", "wellbeing_guardian")],
    )
    .await?;
    let mut adam_browser = app.signed_in_browser(&adam).await?;
    let blind = adam_browser
        .post(
            &format!("{round}/agree"),
            &[
                ("statement", "ph-1"),
                ("rating", "2"),
                ("reason", "Before rating"),
                ("version", "1"),
            ],
        )
        .await?;
    assert_eq!(blind.status, StatusCode::CONFLICT, "{}", blind.body);
    assert!(
        blind.body.contains("Send your own ratings first"),
        "{}",
        blind.body
    );

    let mut eve = app.signed_in_browser(&exec).await?;
    for (at, (person, _, first)) in assessors.iter().enumerate() {
        // The executive oversees the round but is also asked to rate it: until they send,
        // they see nobody's ratings (an outside review read them first).
        if at == 1 {
            let before = eve.get(&round).await?;
            assert!(
                !before.body.contains("What everyone rated"),
                "{}",
                before.body
            );
        }
        let mut browser = app.signed_in_browser(person).await?;
        rate_everything(&mut browser, &round, first).await?;
    }
    // Adam never sends, so nobody sees the figures, and nobody may agree, until he is
    // taken off the round: shown sooner, the change each send made would give that
    // person's ratings away.
    let waiting = ada.get(&round).await?;
    assert!(
        waiting
            .body
            .contains("5 of 6 people asked have sent their ratings"),
        "{}",
        waiting.body
    );
    assert!(!waiting.body.contains("What everyone rated"));
    let early_agree = ada
        .post(
            &format!("{round}/agree"),
            &[
                ("statement", "ph-1"),
                ("rating", "3"),
                ("reason", "Too soon"),
                ("version", "1"),
            ],
        )
        .await?;
    assert_eq!(
        early_agree.status,
        StatusCode::CONFLICT,
        "{}",
        early_agree.body
    );
    // Only the lead or an admin takes someone off, and never someone who has sent.
    let refused = wendy
        .post(
            &format!("{round}/assessors/remove"),
            &[("person", &adam.id.to_string())],
        )
        .await?;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let kept = ada
        .post(
            &format!("{round}/assessors/remove"),
            &[("person", &lead.id.to_string())],
        )
        .await?;
    assert_eq!(kept.status, StatusCode::CONFLICT, "{}", kept.body);
    post_ok(
        &mut ada,
        &format!("{round}/assessors/remove"),
        &[("person", &adam.id.to_string())],
    )
    .await?;
    // Everyone has sent now: asking someone else is refused, as their ratings could be
    // worked out from the change.
    let late_invite = ada
        .post(
            &format!("{round}/assessors"),
            &[("email", &bystander.email), ("role", "manager")],
        )
        .await?;
    assert_eq!(
        late_invite.status,
        StatusCode::CONFLICT,
        "{}",
        late_invite.body
    );

    // Sent ratings stay as sent: changing one after seeing everyone's is refused.
    let changed = wendy
        .post(
            &format!("{round}/rate"),
            &[
                ("part", "personal-health"),
                ("rating-ph-1", "1"),
                ("action", "save"),
            ],
        )
        .await?;
    assert_eq!(changed.status, StatusCode::CONFLICT, "{}", changed.body);
    assert!(
        changed.body.contains("cannot change now"),
        "{}",
        changed.body
    );

    // The hand-worked example: ratings 4, 5, 4 (employer) and 2, 1 (union) on ph-1.
    let figures = ada.get(&round).await?;
    assert_eq!(figures.status, StatusCode::OK);
    let card = figures
        .body
        .split("id=\"statement-ph-1\"")
        .nth(1)
        .and_then(|rest| rest.split("id=\"statement-ph-2\"").next())
        .ok_or("the statement's card")?;
    assert!(
        card.contains("Not started: 1, Planning: 1, Developing: 0, Embedded: 2, Leading: 1"),
        "{card}"
    );
    let values: Vec<&str> = card
        .split("nhsuk-summary-list__value\">")
        .skip(1)
        .filter_map(|v| v.split('<').next())
        .collect();
    assert_eq!(values.get(1..4), Some(&["4", "4", "1.5"][..]), "{values:?}");
    assert!(card.contains("Sides apart"), "{card}");
    // Every rater agreed on ph-2 (all 3): no flag.
    let second = figures
        .body
        .split("id=\"statement-ph-2\"")
        .nth(1)
        .and_then(|rest| rest.split("id=\"statement-ph-3\"").next())
        .ok_or("ph-2")?;
    assert!(!second.contains("Sides apart"), "{second}");

    // Agreeing: a reason is needed, and a stale form is refused without losing words.
    let version = |body: &str| -> Result<String, String> {
        body.split("name=\"version\" value=\"")
            .nth(1)
            .and_then(|v| v.split('"').next())
            .map(str::to_owned)
            .ok_or_else(|| format!("a version in {body}"))
    };
    let v = version(&figures.body)?;
    let no_reason = ada
        .post(
            &format!("{round}/agree"),
            &[
                ("statement", "ph-1"),
                ("rating", "3"),
                ("reason", ""),
                ("version", &v),
            ],
        )
        .await?;
    assert!(
        no_reason.body.contains("Say why this rating was agreed"),
        "{}",
        no_reason.body
    );
    post_ok(
        &mut ada,
        &format!("{round}/agree"),
        &[
            ("statement", "ph-1"),
            ("rating", "3"),
            (
                "reason",
                "The unions showed the offer does not reach night staff.",
            ),
            ("version", &v),
        ],
    )
    .await?;
    let stale = ada
        .post(
            &format!("{round}/agree"),
            &[
                ("statement", "ph-2"),
                ("rating", "3"),
                ("reason", "Typed on an old page"),
                ("version", &v),
            ],
        )
        .await?;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(
        stale.body.contains("Typed on an old page"),
        "what was typed stays"
    );

    // Signing before every statement is agreed is refused.
    let page = eve.get(&round).await?;
    assert!(!page.body.contains("Sign off for the"), "{}", page.body);
    let early_sign = eve
        .post(
            &format!("{round}/sign"),
            &[
                ("side", "employer"),
                ("version", &version(&ada.get(&round).await?.body)?),
            ],
        )
        .await?;
    assert_eq!(early_sign.status, StatusCode::CONFLICT);

    let framework = parse(HEALTH_AND_WELLBEING)?;
    for (_, statement) in framework.statements().skip(1) {
        let page = ada.get(&round).await?;
        post_ok(
            &mut ada,
            &format!("{round}/agree"),
            &[
                ("statement", &statement.key),
                ("rating", "3"),
                ("reason", "Both sides rated it 3."),
                ("version", &version(&page.body)?),
            ],
        )
        .await?;
    }
    let page = eve.get(&round).await?;
    assert!(
        page.body.contains("Sign off for the employer side"),
        "{}",
        page.body
    );
    post_ok(
        &mut eve,
        &format!("{round}/sign"),
        &[("side", "employer"), ("version", &version(&page.body)?)],
    )
    .await?;
    // The executive cannot sign for the unions.
    let wrong_side = eve
        .post(
            &format!("{round}/sign"),
            &[("side", "union"), ("version", &version(&page.body)?)],
        )
        .await?;
    assert_eq!(wrong_side.status, StatusCode::FORBIDDEN);
    // Someone who is both an executive and a union partner cannot sign for both sides.
    dignity_store::identity::grant_role(
        &app.db,
        "test",
        1,
        &exec,
        Role::UnionPartner,
        Some(&app.org),
    )
    .await?;
    let mut eve = app.signed_in_browser(&exec).await?;
    let page = eve.get(&round).await?;
    let both = eve
        .post(
            &format!("{round}/sign"),
            &[("side", "union"), ("version", &version(&page.body)?)],
        )
        .await?;
    assert_eq!(both.status, StatusCode::CONFLICT, "{}", both.body);
    assert!(both.body.contains("Someone else must sign for this one"));
    let mut una = app.signed_in_browser(&union).await?;
    let page = una.get(&round).await?;
    post_ok(
        &mut una,
        &format!("{round}/sign"),
        &[("side", "union"), ("version", &version(&page.body)?)],
    )
    .await?;
    let closed = una.get(&round).await?;
    assert!(
        closed.body.contains("Signed off by both sides"),
        "{}",
        closed.body
    );

    // Signed off, nothing changes: not a rating, not an agreed rating, not an assessor.
    let late = wendy
        .post(
            &format!("{round}/rate"),
            &[
                ("part", "personal-health"),
                ("rating-ph-1", "1"),
                ("action", "save"),
            ],
        )
        .await?;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    let late = ada
        .post(
            &format!("{round}/agree"),
            &[
                ("statement", "ph-1"),
                ("rating", "5"),
                ("reason", "After the sign-off"),
                ("version", "999"),
            ],
        )
        .await?;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    assert!(late.body.contains("has been signed off"), "{}", late.body);

    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'diagnostic.%' ORDER BY seq",
    )
    .fetch_all(app.db.pool())
    .await?;
    for action in [
        "diagnostic.framework_added",
        "diagnostic.round_opened",
        "diagnostic.assessor_invited",
        "diagnostic.assessor_removed",
        "diagnostic.rating_agreed",
        "diagnostic.signed",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
    Ok(())
}

/// Beside each part, its linked survey questions as the benchmark shows them; a part rated
/// strong while staff answered worse than similar organisations, beyond chance, is
/// flagged. Here every RJ1 respondent says managers and colleagues harassed them and
/// nobody at the other trust does, so "Relationships" (linked to those questions) is
/// flagged when rated 5, and not when rated 1.
async fn what_staff_say_is_set_beside_each_part(app: &TestApp) -> TestResult {
    use dignity_domain::survey::{Question, QuestionKind};
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
    crate::survey::campaign_for(app, &app.org, 40, harassed).await?;
    crate::survey::campaign_for(app, &app.other_org, 40, spared).await?;
    crate::library::seed(app).await?;
    Operator::new(app.db.clone(), dignity_app::Clock::system(), "cli")
        .save_framework(&parse(HEALTH_AND_WELLBEING)?, HEALTH_AND_WELLBEING)
        .await?;
    let framework_id: i64 = sqlx::query_scalar("SELECT id FROM diagnostic_frameworks")
        .fetch_one(app.db.pool())
        .await?;
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let rater = app.person("ray@trust.nhs.uk", Some(Role::Staff)).await?;
    let mut ada = app.signed_in_browser(&admin).await?;
    let mut ray = app.signed_in_browser(&rater).await?;
    let relationships = |body: &str| -> Result<String, String> {
        body.split("id=\"part-relationships\"")
            .nth(1)
            .and_then(|rest| rest.split("id=\"part-fulfilment\"").next())
            .map(str::to_owned)
            .ok_or_else(|| format!("the part in {body}"))
    };
    for (title, rating, flagged) in [("Strong", "5", true), ("Weak", "1", false)] {
        let opened = post_ok(
            &mut ada,
            LIST,
            &[("framework", &framework_id.to_string()), ("title", title)],
        )
        .await?;
        let round = opened.location.clone().ok_or("the round")?;
        post_ok(
            &mut ada,
            &format!("{round}/assessors"),
            &[("email", &rater.email), ("role", "manager")],
        )
        .await?;
        rate_all(&mut ray, &round, rating, rating).await?;
        let page = ada.get(&round).await?;
        let part = relationships(&page.body)?;
        assert!(part.contains("What staff say: Survey of 40"), "{part}");
        assert!(part.contains("Much worse than expected"), "{part}");
        assert_eq!(
            part.contains("Rated strong, but staff say otherwise"),
            flagged,
            "{title}: {part}"
        );
        // Weak (rated 1) or flagged, the part lists library resources on its topics
        // (civility here), titles as text.
        assert!(part.contains("Help from the library"), "{part}");
        assert!(part.contains("Civility saves lives"), "{part}");
        assert!(!part.contains("<script>alert"), "{part}");
        let fulfilment = page
            .body
            .split("id=\"part-managers-and-leaders\"")
            .next()
            .and_then(|b| b.split("id=\"part-fulfilment\"").nth(1))
            .ok_or("fulfilment")?;
        assert_eq!(
            fulfilment.contains("Help from the library"),
            !flagged || fulfilment.contains("Rated strong, but staff say otherwise"),
            "{title}: {fulfilment}"
        );
        // The rater may not read the survey's results, so sees the ratings only.
        let theirs = ray.get(&round).await?;
        assert!(theirs.body.contains("What everyone rated"));
        assert!(!theirs.body.contains("What staff say"), "{}", theirs.body);
    }
    Ok(())
}

/// Every statement agreed at `rating`, each on the page's current version.
async fn agree_all(browser: &mut Browser, round: &str, rating: &str) -> TestResult {
    let framework = parse(HEALTH_AND_WELLBEING)?;
    for (_, statement) in framework.statements() {
        let page = browser.get(round).await?;
        let version = page
            .body
            .split("name=\"version\" value=\"")
            .nth(1)
            .and_then(|v| v.split('"').next())
            .ok_or("a version")?
            .to_owned();
        post_ok(
            browser,
            &format!("{round}/agree"),
            &[
                ("statement", &statement.key),
                ("rating", rating),
                ("reason", "Agreed at the forum."),
                ("version", &version),
            ],
        )
        .await?;
    }
    Ok(())
}

/// The table row of one part in the round's summary table, as text.
fn part_row(body: &str, title: &str) -> Result<String, String> {
    let row = body
        .split("<tr role=\"row\" class=\"nhsuk-table__row\">")
        .find(|row| row.contains(&format!(">{title}</a>")))
        .ok_or_else(|| format!("{title} in {body}"))?;
    Ok(row
        .split('<')
        .filter_map(|tag| tag.split_once('>').map(|(_, text)| text.trim()))
        .filter(|text| !text.is_empty())
        .collect::<Vec<_>>()
        .join("|"))
}

/// Last year's round, signed off at level 2 everywhere, is set beside this year's, rated
/// 3: each part shows last round's level and the change. A weak part becomes a draft
/// action in the partnership plan, whose progress then shows on the round; only those
/// who draft plans may add one, only to a running plan of their own organisation.
async fn gaps_go_into_the_plan_and_rounds_compare_with_the_last(app: &TestApp) -> TestResult {
    use dignity_app::plans::{Desk, NewPlan, Report};
    use dignity_domain::plans::{ActionStatus, Dates, Percent};
    use dignity_domain::speakup::Day;
    let operator = Operator::new(app.db.clone(), dignity_app::Clock::system(), "cli");
    operator
        .save_framework(&parse(HEALTH_AND_WELLBEING)?, HEALTH_AND_WELLBEING)
        .await?;
    let framework_id: i64 = sqlx::query_scalar("SELECT id FROM diagnostic_frameworks")
        .fetch_one(app.db.pool())
        .await?;
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let exec = app
        .person("eve@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let union = app
        .person("una@trust.nhs.uk", Some(Role::UnionPartner))
        .await?;
    let rater = app.person("ray@trust.nhs.uk", Some(Role::Staff)).await?;
    let slow = app.person("sid@trust.nhs.uk", Some(Role::Staff)).await?;
    let mut ada = app.signed_in_browser(&admin).await?;
    let mut ray = app.signed_in_browser(&rater).await?;
    let mut rounds = Vec::new();
    for (title, rating) in [("Last year", "2"), ("This year", "3")] {
        let id = framework_id.to_string();
        let opened = post_ok(&mut ada, LIST, &[("framework", &id), ("title", title)]).await?;
        let round = opened.location.clone().ok_or("the round")?;
        post_ok(
            &mut ada,
            &format!("{round}/assessors"),
            &[("email", &rater.email), ("role", "manager")],
        )
        .await?;
        if title == "This year" {
            post_ok(
                &mut ada,
                &format!("{round}/assessors"),
                &[("email", &slow.email), ("role", "manager")],
            )
            .await?;
        }
        rate_all(&mut ray, &round, rating, rating).await?;
        rounds.push(round);
    }
    let (last, now) = (rounds[0].clone(), rounds[1].clone());
    // Sid has not sent this year's: until he does, or is taken off, nobody gets the figures
    // or the downloads.
    let mut sid = app.signed_in_browser(&slow).await?;
    for download in ["download.csv", "download.xlsx", "summary.pdf"] {
        for browser in [&mut sid, &mut ada] {
            let refused = browser.get(&format!("{now}/{download}")).await?;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{download}");
        }
    }
    post_ok(
        &mut ada,
        &format!("{now}/assessors/remove"),
        &[("person", &slow.id.to_string())],
    )
    .await?;
    // Not signed off yet, last year's round is no yardstick.
    let page = ada.get(&now).await?;
    assert!(!page.body.contains("Last round"), "{}", page.body);
    agree_all(&mut ada, &last, "2").await?;
    for (person, side) in [(&exec, "employer"), (&union, "union")] {
        let mut browser = app.signed_in_browser(person).await?;
        let page = browser.get(&last).await?;
        let version = page
            .body
            .split("name=\"version\" value=\"")
            .nth(1)
            .and_then(|v| v.split('"').next())
            .ok_or("a version")?
            .to_owned();
        post_ok(
            &mut browser,
            &format!("{last}/sign"),
            &[("side", side), ("version", &version)],
        )
        .await?;
    }
    let page = ada.get(&now).await?;
    assert!(
        page.body.contains("Last round is Last year"),
        "{}",
        page.body
    );
    assert_eq!(
        part_row(&page.body, "Relationships")?,
        "Part|Relationships|Ratings given|9|Middle|3|Employer side|3|Union side|None yet|Rated at|3|Last round|2|Change|up 1 level"
    );
    assert!(page.body.contains("role=\"img\""), "the chart is drawn");
    // Last year's own page has nothing to compare with.
    assert!(!ada.get(&last).await?.body.contains("Last round"));

    // Downloads hold the same figures; someone asked to rate who has not sent gets none.
    let csv = ada.get(&format!("{now}/download.csv")).await?;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body
            .contains("\"Relationships\",\"\",\"9\",\"3\",\"3\",\"None yet\",\"no\",\"3\",\"\",\"\",\"2\",\"up 1 level\""),
        "{}",
        csv.body
    );
    let pdf = ada.get(&format!("{now}/summary.pdf")).await?.bytes;
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    let xlsx = ada.get(&format!("{now}/download.xlsx")).await?.bytes;
    assert!(xlsx.starts_with(b"PK"), "a workbook");
    // Taken off the round, Sid sees nothing of it.
    assert_eq!(sid.get(&now).await?.status, StatusCode::NOT_FOUND);

    // No running plan: no form.
    assert!(!page.body.contains("Add to our plan"));
    let desk = Desk::for_operator(&operator, &app.org);
    let today = Day::from_unix_seconds(dignity_app::clock::system_now());
    let plan = desk
        .create_plan(&NewPlan {
            title: "Respect at work".into(),
            period: Dates::new(today.plus_days(-30), today.plus_days(300))?,
            summary: "Together.".into(),
        })
        .await?;
    let group = desk.groups(plan.id).await?.remove(0);
    let ended = desk
        .create_plan(&NewPlan {
            title: "Finished plan".into(),
            period: Dates::new(today.plus_days(-400), today.plus_days(-40))?,
            summary: "Done.".into(),
        })
        .await?;
    let ended_group = desk.groups(ended.id).await?.remove(0);
    let theirs = Desk::for_operator(&operator, &app.other_org)
        .create_plan(&NewPlan {
            title: "Another trust's plan".into(),
            period: Dates::new(today, today.plus_days(300))?,
            summary: "Theirs.".into(),
        })
        .await?;
    let their_group = Desk::for_operator(&operator, &app.other_org)
        .groups(theirs.id)
        .await?
        .remove(0);
    let page = ada.get(&now).await?;
    assert!(page.body.contains("Add to our plan"), "{}", page.body);
    assert!(
        !page.body.contains("Finished plan"),
        "an ended plan is not offered"
    );
    let place = format!("{}-{}", plan.id, group.id);
    let plan_path = format!("{now}/plan");
    for (fields, message) in [
        (
            vec![
                ("element", "relationships"),
                ("place", ""),
                ("title", "Listen"),
            ],
            "Choose a plan and commitment that is still running",
        ),
        (
            vec![
                ("element", "relationships"),
                ("place", &place),
                ("title", " "),
            ],
            "Enter what the action is",
        ),
        (
            vec![
                ("element", "relationships"),
                ("place", &place),
                ("title", "Hidden\u{202e}letters"),
            ],
            "in plain letters",
        ),
    ] {
        let refused = ada.post(&plan_path, &fields).await?;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused.body.contains(message),
            "{message}: {}",
            refused.body
        );
    }
    // A part that is not in the framework has no form to show again.
    let unknown = ada
        .post(
            &plan_path,
            &[
                ("element", "no-such-part"),
                ("place", &place),
                ("title", "x"),
            ],
        )
        .await?;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST, "{}", unknown.body);
    // What was typed stays when the form comes back.
    let kept = ada
        .post(
            &plan_path,
            &[
                ("element", "relationships"),
                ("place", ""),
                ("title", "Typed by Ada"),
            ],
        )
        .await?;
    assert!(
        kept.body.contains("value=\"Typed by Ada\""),
        "{}",
        kept.body
    );
    for foreign in [
        format!("{}-{}", ended.id, ended_group.id),
        format!("{}-{}", theirs.id, their_group.id),
        format!("{}-{}", plan.id, their_group.id),
    ] {
        let refused = ada
            .post(
                &plan_path,
                &[
                    ("element", "relationships"),
                    ("place", &foreign),
                    ("title", "Sneak in"),
                ],
            )
            .await?;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{foreign}"
        );
    }
    let version_before = desk.plan(plan.id).await?.version;
    let added = post_ok(
        &mut ada,
        &plan_path,
        &[
            ("element", "relationships"),
            ("place", &place),
            ("title", "Team talks about respect"),
        ],
    )
    .await?;
    assert!(added.redirects_to(&format!("{now}?done=planned#part-relationships")));
    let actions = dignity_store::plans::actions(&app.db, plan.id).await?;
    let action = actions
        .iter()
        .find(|a| a.title == "Team talks about respect")
        .ok_or("the action in the plan")?;
    assert_eq!(
        action.description,
        "From the self-assessment This year: Relationships."
    );
    assert!(
        desk.plan(plan.id).await?.version > version_before,
        "a draft change"
    );
    let shown = |body: &str| -> Result<String, String> {
        body.split("id=\"part-relationships\"")
            .nth(1)
            .and_then(|rest| rest.split("id=\"part-fulfilment\"").next())
            .map(str::to_owned)
            .ok_or_else(|| "the part".to_owned())
    };
    let part = shown(&ada.get(&now).await?.body)?;
    assert!(
        part.contains(
            "Team talks about respect</a> (Respect at work): a draft, not yet signed by both sides"
        ),
        "{part}"
    );
    // The same form sent twice adds one action, and says so beside the form.
    let twice = ada
        .post(
            &plan_path,
            &[
                ("element", "relationships"),
                ("place", &place),
                // Case, a no-break space and a doubled space do not make it another.
                ("title", "team\u{a0}talks  about RESPECT"),
            ],
        )
        .await?;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
    assert!(twice.body.contains("already in the plan for this part"));
    // A draft is not shown to those who do not draft plans: it is not agreed yet.
    let part = shown(&ray.get(&now).await?.body)?;
    assert!(!part.contains("Team talks about respect"), "{part}");
    // Both sides sign the plan: now everyone sees it, with its progress.
    let version = desk.plan(plan.id).await?.version;
    for side in dignity_domain::plans::Side::ALL {
        desk.approve(plan.id, exec.id, *side, version).await?;
    }
    desk.report_progress(
        action.id,
        &Report {
            status: ActionStatus::OnTrack,
            reason: String::new(),
            progress: Percent::parse("40")?,
        },
    )
    .await?;
    let part = shown(&ray.get(&now).await?.body)?;
    assert!(
        part.contains("Team talks about respect (Respect at work): On track, 40% done"),
        "an assessor who does not draft plans sees progress, not a link: {part}"
    );
    assert!(!part.contains("Add to our plan"), "{part}");
    desk.remove_action(action.id).await?;
    let part = shown(&ada.get(&now).await?.body)?;
    assert!(part.contains("taken out of the plan since"), "{part}");

    // Only those who draft plans may add to one: not a staff assessor, nor another
    // organisation's admin.
    let refused = ray
        .post(
            &plan_path,
            &[
                ("element", "relationships"),
                ("place", &place),
                ("title", "Mine"),
            ],
        )
        .await?;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let other_admin = app
        .person_in("oa@other.nhs.uk", Some(Role::OrgAdmin), &app.other_org)
        .await?;
    let mut oa = app.signed_in_browser(&other_admin).await?;
    let refused = oa
        .post(
            &plan_path,
            &[
                ("element", "relationships"),
                ("place", &place),
                ("title", "Theirs"),
            ],
        )
        .await?;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let linked: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM diagnostic_actions")
        .fetch_one(app.db.pool())
        .await?;
    assert_eq!(linked, 1);
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'diagnostic.action_added'",
    )
    .fetch_one(app.db.pool())
    .await?;
    assert_eq!(audited, 1);
    Ok(())
}

/// A round of `org` on `framework_id`, rated, agreed at `level` everywhere and signed off by
/// both sides, written through the store as the pages would.
async fn signed_round_in(
    app: &TestApp,
    org: &dignity_app::identity::Organisation,
    framework_id: i64,
    level: i64,
    keep_levels: bool,
) -> TestResult {
    use dignity_domain::speakup::Day;
    use dignity_store::diagnostics as rounds;
    let today = Day::from_unix_seconds(dignity_web::now());
    let code = org.ods_code.to_lowercase();
    let exec = app
        .person_in(&format!("exec@{code}.nhs.uk"), Some(Role::Executive), org)
        .await?;
    let union = app
        .person_in(
            &format!("union@{code}.nhs.uk"),
            Some(Role::UnionPartner),
            org,
        )
        .await?;
    let round = rounds::open_round(
        &app.db,
        "test",
        1,
        org,
        &rounds::NewRound {
            framework_id,
            title: "Signed round",
            lead_id: exec.id,
            opened_by: exec.id,
            opened_on: today,
        },
    )
    .await?;
    let framework = parse(HEALTH_AND_WELLBEING)?;
    // Both are asked, then rate and send: nothing is agreed before everyone asked has sent.
    let both = [(&exec, "executive"), (&union, "union_partner")];
    for (person, role) in both {
        rounds::invite(
            &app.db,
            "test",
            1,
            org,
            round,
            person.id,
            role,
            exec.id,
            today,
            &dignity_store::mail::NewMail {
                purpose: "test".into(),
                to: "x@trust.nhs.uk".into(),
                subject: "Rate".into(),
                body: "Rate".into(),
                attachment: None,
            },
        )
        .await?;
    }
    for (person, _) in both {
        let ratings: Vec<rounds::Rating> = framework
            .statements()
            .map(|(_, s)| rounds::Rating {
                person_id: person.id,
                statement: s.key.clone(),
                rating: Some(level),
                evidence: String::new(),
                links: String::new(),
            })
            .collect();
        rounds::save_ratings(&app.db, round, person.id, &ratings, today, true).await?;
    }
    let mut version = 1;
    for (_, statement) in framework.statements() {
        version = rounds::agree(
            &app.db,
            "test",
            1,
            org,
            round,
            version,
            &statement.key,
            level,
            "Agreed.",
            exec.id,
            today,
        )
        .await?;
    }
    // Parts' levels are kept when the round closes; a round closed before they were kept
    // has none, and the views work them out from the agreed ratings instead.
    let levels = if keep_levels {
        let agreed = framework
            .statements()
            .map(|(_, s)| (s.key.clone(), u8::try_from(level).unwrap_or(1)))
            .collect();
        dignity_domain::diagnostics::rounds::part_levels(&framework, &agreed)
    } else {
        Vec::new()
    };
    for (side, person) in [("employer", &exec), ("union", &union)] {
        rounds::sign(
            &app.db, "test", 1, org, round, version, side, person.id, today, &levels,
        )
        .await?;
    }
    Ok(())
}

/// An integrated care board's system lead sees the organisations in its area, each at its
/// newest signed-off round, and nobody else's; national analysts choose any area; nobody
/// else sees either view.
async fn a_system_sees_its_own_organisations_side_by_side(app: &TestApp) -> TestResult {
    use dignity_domain::identity::{Name, OdsCode, OrgType, Region};
    Operator::new(app.db.clone(), dignity_app::Clock::system(), "cli")
        .save_framework(&parse(HEALTH_AND_WELLBEING)?, HEALTH_AND_WELLBEING)
        .await?;
    let framework_id: i64 = sqlx::query_scalar("SELECT id FROM diagnostic_frameworks")
        .fetch_one(app.db.pool())
        .await?;
    // RJ1 and RJ3 are in board QJ1's area, RJ2 in board QJ2's.
    let lead = app
        .person("sol@board.nhs.uk", Some(Role::SystemLead))
        .await?;
    let board = app.icb_of(&app.org).await?;
    let other_board = app.icb_of(&app.other_org).await?;
    let rj3 = dignity_store::identity::create_organisation(
        &app.db,
        "test",
        1,
        &dignity_store::identity::NewOrganisation {
            ods_code: OdsCode::parse("RJ3")?,
            name: Name::parse("Trust RJ3", "n")?,
            org_type: OrgType::Acute,
            region: Region::London,
            benchmark_group: Name::parse("Acute", "g")?,
        },
    )
    .await?;
    dignity_store::identity::set_icb(&app.db, "test", 1, &rj3, Some(&board)).await?;
    signed_round_in(app, &app.org, framework_id, 2, true).await?;
    signed_round_in(app, &app.other_org, framework_id, 4, false).await?;

    let mut sol = app.signed_in_browser(&lead).await?;
    let page = sol
        .get(&format!("/orgs/{}/system/self-assessments", board.ods_code))
        .await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("both sides: 1 of 2."), "{}", page.body);
    assert!(
        page.body.contains("Trust RJ1 (Signed round)"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("Trust RJ2"),
        "another area's trust: {}",
        page.body
    );
    let not_yet = page
        .body
        .split("Not signed off yet")
        .nth(1)
        .ok_or("the organisations without one")?;
    assert!(not_yet.contains("Trust RJ3"), "{not_yet}");
    assert!(
        page.body
            .contains("Relationships: weak at 1 of 1 organisations"),
        "{}",
        page.body
    );
    assert!(page.body.contains("role=\"img\""), "the chart");
    let csv = sol
        .get(&format!(
            "/orgs/{}/system/self-assessments.csv",
            board.ods_code
        ))
        .await?;
    assert!(
        csv.body.contains("\"Trust RJ1\",\"RJ1\",\"Signed round\""),
        "{}",
        csv.body
    );
    assert!(!csv.body.contains("RJ2"), "{}", csv.body);
    // Not another board's area, nor the national view.
    for path in [
        format!("/orgs/{}/system/self-assessments", other_board.ods_code),
        "/national/self-assessments".to_owned(),
        "/national/self-assessments?area=icb:QJ2".to_owned(),
    ] {
        assert_eq!(
            sol.get(&path).await?.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    // RJ1's own administrator does not see across the area.
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut ada = app.signed_in_browser(&admin).await?;
    let refused = ada
        .get(&format!("/orgs/{}/system/self-assessments", board.ods_code))
        .await?;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // A system lead is held only in an integrated care board.
    let misplaced = dignity_store::identity::grant_role(
        &app.db,
        "test",
        1,
        &admin,
        Role::SystemLead,
        Some(&app.org),
    )
    .await;
    assert!(
        matches!(misplaced, Err(dignity_store::StoreError::Conflict(_))),
        "{misplaced:?}"
    );

    let analyst = app
        .person("nia@england.nhs.uk", Some(Role::NationalAnalyst))
        .await?;
    let mut nia = app.signed_in_browser(&analyst).await?;
    let all = nia.get("/national/self-assessments").await?;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert!(
        all.body
            .contains("in England with one signed off by both sides: 2 of 3."),
        "{}",
        all.body
    );
    assert!(!all.body.contains("Board QJ1 ("), "boards are not counted");
    let theirs = nia.get("/national/self-assessments?area=icb:QJ2").await?;
    assert!(
        theirs.body.contains("both sides: 1 of 1."),
        "{}",
        theirs.body
    );
    assert!(theirs.body.contains("Trust RJ2 (Signed round)"));
    // RJ2's round kept no levels (closed before levels were kept): they are worked out
    // from its agreed ratings, the same as RJ1's kept ones would be.
    let csv = nia
        .get("/national/self-assessments.csv?area=icb:QJ2")
        .await?;
    assert!(
        csv.body
            .contains("\"4\",\"4\",\"4\",\"4\",\"4\",\"4\",\"4\""),
        "{}",
        csv.body
    );
    let csv = nia
        .get("/national/self-assessments.csv?area=icb:QJ1")
        .await?;
    assert!(
        csv.body
            .contains("\"2\",\"2\",\"2\",\"2\",\"2\",\"2\",\"2\""),
        "{}",
        csv.body
    );
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM diagnostic_levels")
        .fetch_one(app.db.pool())
        .await?;
    assert_eq!(
        kept, 1,
        "RJ1's parts' levels were kept when its round closed"
    );
    assert!(!theirs.body.contains("Trust RJ1 ("));
    let london = nia
        .get("/national/self-assessments?area=region:london")
        .await?;
    assert!(
        london
            .body
            .contains("in the London region with one signed off by both sides: 2 of 3."),
        "{}",
        london.body
    );
    let bogus = nia.get("/national/self-assessments?area=moon").await?;
    assert!(bogus.status.is_client_error(), "{}", bogus.status);
    Ok(())
}
