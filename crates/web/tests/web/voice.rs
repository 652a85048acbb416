//! Staff voice on both databases: the use-cases (setting a challenge, chosen names, the
//! check that holds posts, support, answers and who may give them, rate limits and
//! blocks), and the pages people use, request by request.

use crate::support::{TestApp, TestResult};
use dignity_app::identity::CurrentSession;
use dignity_app::voice::{self, ChallengeForm, Problem, Refused};
use dignity_domain::identity::Role;
use dignity_domain::speakup::Day;
use dignity_domain::voice::IdeaState;
use dignity_domain::voice::screen::Finding;
use dignity_store::identity::{self, Person};

dignity_store::on_both_backends!(
    crate::support::run;
    voice_checks_holds_and_authorises,
    voice_pages_from_challenge_to_answer,
    voice_moderation_pages,
    voice_follows_digests_feeds_and_search,
    voice_leaders_updates_and_their_comments,
    voice_participation_is_counted_weekly_and_protected,
    voice_participation_by_staff_group,
);

async fn session(
    app: &TestApp,
    person: Person,
) -> Result<CurrentSession, Box<dyn std::error::Error>> {
    Ok(CurrentSession {
        memberships: identity::memberships(&app.db, person.id).await?,
        person,
        session_digest: String::new(),
        second_factor_done: true,
        expires_at: i64::MAX,
    })
}

fn problems<T: std::fmt::Debug>(outcome: Result<T, Refused>) -> Vec<Problem> {
    match outcome {
        Err(Refused::Problems(problems)) => problems,
        other => panic!("expected problems, got {other:?}"),
    }
}

async fn voice_checks_holds_and_authorises(app: &TestApp) -> TestResult {
    let ctx = &app.state.app;
    let admin = session(
        app,
        app.person("admin@trust.nhs.uk", Some(Role::OrgAdmin))
            .await?,
    )
    .await?;
    let exec = session(
        app,
        app.person("exec@trust.nhs.uk", Some(Role::Executive))
            .await?,
    )
    .await?;
    let staff = session(
        app,
        app.person("staff@trust.nhs.uk", Some(Role::Staff)).await?,
    )
    .await?;
    let asha = app.person("asha@trust.nhs.uk", Some(Role::Staff)).await?;
    sqlx::query("UPDATE people SET display_name = 'Asha Patel' WHERE id = $1")
        .bind(asha.id)
        .execute(app.db.pool())
        .await?;
    let elsewhere = session(
        app,
        app.person_in("other@trust.nhs.uk", Some(Role::Staff), &app.other_org)
            .await?,
    )
    .await?;
    let platform = session(
        app,
        app.person("platform@nhs.net", Some(Role::PlatformAdmin))
            .await?,
    )
    .await?;

    // Setting a challenge: every mistake named; staff may not; a good one is kept.
    let empty = problems(
        voice::set_challenge(ctx, &admin, Some(app.org.id), &ChallengeForm::default()).await,
    );
    for wanted in [
        Problem::Question,
        Problem::Description,
        Problem::Topics,
        Problem::Dates,
        Problem::Threshold,
        Problem::Days,
    ] {
        assert!(empty.contains(&wanted), "{wanted:?} in {empty:?}");
    }
    let today = ctx.clock.today();
    let form = ChallengeForm {
        question: "How can we work without fear of bullying?".into(),
        description: "Tell us what would make a difference on your ward.".into(),
        topics: "prevention,civility".into(),
        opens_on: Some(today),
        closes_on: Some(today.plus_days(30)),
        support_threshold: "3".into(),
        answer_within_days: "30".into(),
    };
    assert!(matches!(
        voice::set_challenge(ctx, &staff, Some(app.org.id), &form).await,
        Err(Refused::App(dignity_app::Error::Forbidden))
    ));
    let ours = voice::set_challenge(ctx, &admin, Some(app.org.id), &form).await?;
    let national = voice::set_challenge(ctx, &platform, None, &form).await?;
    assert!(matches!(
        voice::set_challenge(ctx, &admin, None, &form).await,
        Err(Refused::App(dignity_app::Error::Forbidden))
    ));

    // Another organisation's staff see the national challenge, not ours.
    let theirs: Vec<i64> = voice::challenges(ctx, &elsewhere)
        .await?
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(theirs, vec![national]);
    assert!(matches!(
        voice::challenge(ctx, &elsewhere, ours).await,
        Err(dignity_app::Error::NotFound(_))
    ));

    // A name first, and nobody's real name.
    assert_eq!(
        problems(voice::post_idea(ctx, &staff, ours, "Quiet rooms", "Somewhere to breathe").await),
        vec![Problem::NoName]
    );
    assert_eq!(
        problems(voice::set_display_name(ctx, &staff, "asha  patel").await),
        vec![Problem::RealName]
    );
    assert_eq!(
        problems(voice::set_display_name(ctx, &staff, "<b>x</b>").await),
        vec![Problem::Name]
    );
    assert_eq!(
        voice::set_display_name(ctx, &staff, " Night   Owl ").await?,
        "Night Owl"
    );

    // The check: an NHS number with its check digit holds a post; a wrong one does not.
    let shown = voice::post_idea(ctx, &staff, ours, "Quiet rooms", "Somewhere to breathe").await?;
    assert!(shown.held_for.is_empty());
    let held = voice::post_idea(
        ctx,
        &staff,
        ours,
        "Waiting lists",
        "Patient 943 476 5919 waited",
    )
    .await?;
    assert_eq!(held.held_for, vec![Finding::NhsNumber]);
    let not_a_number = voice::post_idea(
        ctx,
        &staff,
        ours,
        "Rota codes",
        "Our rota code 943 476 5918 is long",
    )
    .await?;
    assert!(not_a_number.held_for.is_empty());
    // Held ideas are seen by their author alone.
    let listed = |session: &CurrentSession| {
        let session = session.clone();
        async move {
            let challenge = voice::challenge(ctx, &session, ours).await?;
            Ok::<_, dignity_app::Error>(
                voice::ideas(
                    ctx,
                    &session,
                    &challenge,
                    dignity_domain::voice::IdeaOrder::Newest,
                    0,
                )
                .await?
                .into_iter()
                .map(|i| i.id)
                .collect::<Vec<_>>(),
            )
        }
    };
    assert!(listed(&staff).await?.contains(&held.id));
    assert!(!listed(&exec).await?.contains(&held.id));
    assert!(matches!(
        voice::idea(ctx, &exec, held.id).await,
        Err(dignity_app::Error::NotFound(_))
    ));

    // A colleague's full name in a comment holds it too.
    let comment = voice::comment(
        ctx,
        &staff,
        shown.id,
        None,
        "Ask asha patel, she set one up",
    )
    .await?;
    assert_eq!(
        comment.held_for,
        vec![Finding::StaffName("Asha Patel".into())]
    );

    // Support once; answers only by those who answer for the organisation, with words.
    assert!(voice::support(ctx, &exec, shown.id).await?);
    assert!(!voice::support(ctx, &exec, shown.id).await?);
    assert!(matches!(
        voice::answer(ctx, &staff, shown.id, Some(IdeaState::Accepted), "Yes").await,
        Err(Refused::App(dignity_app::Error::Forbidden))
    ));
    assert_eq!(
        problems(voice::answer(ctx, &exec, shown.id, Some(IdeaState::NotTaken), " ").await),
        vec![Problem::Answer]
    );
    assert_eq!(
        problems(voice::answer(ctx, &exec, shown.id, None, "Soon").await),
        vec![Problem::State]
    );
    voice::answer(
        ctx,
        &exec,
        shown.id,
        Some(IdeaState::Accepted),
        "We will open two rooms",
    )
    .await?;
    let (answered, _) = voice::idea(ctx, &staff, shown.id).await?;
    assert_eq!(answered.state, IdeaState::Accepted);
    assert_eq!(answered.answered_on, Some(today));

    // Ten ideas an hour, then a pause.
    for n in 0..7 {
        voice::post_idea(ctx, &staff, ours, &format!("Idea {n}"), "More").await?;
    }
    assert_eq!(
        problems(voice::post_idea(ctx, &staff, ours, "One more", "More").await),
        vec![Problem::TooMany]
    );

    // A blocked account cannot post.
    let other = session(
        app,
        app.person("other-staff@trust.nhs.uk", Some(Role::Staff))
            .await?,
    )
    .await?;
    voice::set_display_name(ctx, &other, "Tea Lover").await?;
    dignity_store::voice::moderation::block(
        &app.db,
        dignity_store::voice::Actor {
            email: "admin@trust.nhs.uk",
            ods_code: Some("RJ1"),
        },
        other.person.id,
        "Personal details again",
        ctx.clock.now(),
    )
    .await?;
    assert_eq!(
        problems(voice::post_idea(ctx, &other, ours, "Hello", "There").await),
        vec![Problem::Blocked]
    );

    // A closed challenge takes no more ideas.
    let closed = voice::set_challenge(
        ctx,
        &admin,
        Some(app.org.id),
        &ChallengeForm {
            opens_on: Some(Day::parse("2020-01-01")?),
            closes_on: Some(Day::parse("2020-02-01")?),
            ..form.clone()
        },
    )
    .await?;
    let late = problems(voice::post_idea(ctx, &exec, closed, "Late", "Too late").await);
    assert!(late.contains(&Problem::Closed), "{late:?}");
    Ok(())
}

/// The id at the end of a redirect's address, before any query.
fn id_in(location: &Option<String>, prefix: &str) -> Result<i64, Box<dyn std::error::Error>> {
    let location = location.as_deref().ok_or("a redirect")?;
    let rest = location.strip_prefix(prefix).ok_or(location.to_string())?;
    Ok(rest.split(['?', '#']).next().unwrap_or_default().parse()?)
}

async fn voice_pages_from_challenge_to_answer(app: &TestApp) -> TestResult {
    use dignity_store::voice::moderation::{self, Action, Post};
    let admin = app
        .person("olive@trust.nhs.uk", Some(Role::OrgAdmin))
        .await?;
    let exec = app
        .person("eve@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let ann = app.person("ann@trust.nhs.uk", Some(Role::Staff)).await?;
    let bob = app.person("bob@trust.nhs.uk", Some(Role::Staff)).await?;
    let far = app
        .person_in("far@other.nhs.uk", Some(Role::Staff), &app.other_org)
        .await?;
    let mut olive = app.signed_in_browser(&admin).await?;
    let mut eve = app.signed_in_browser(&exec).await?;
    let mut ann_b = app.signed_in_browser(&ann).await?;
    let mut bob_b = app.signed_in_browser(&bob).await?;
    let mut far_b = app.signed_in_browser(&far).await?;

    // Setting a challenge: what is missing is named beside its field, with a 422.
    let page = olive
        .post("/orgs/RJ1/voice/new", &[("question", "")])
        .await?;
    assert_eq!(page.status, 422, "{}", page.body);
    for message in [
        "Enter a question",
        "Describe the challenge",
        "Enter the closing date",
    ] {
        assert!(page.body.contains(message), "{message}: {}", page.body);
    }
    let today = app.state.app.clock.today();
    let closes = today.plus_days(30);
    let (y, m, d) = closes.ymd();
    let page = olive
        .post(
            "/orgs/RJ1/voice/new",
            &[
                ("question", "How can we make it easier to take a break?"),
                ("description", "Tell us what *gets in the way*."),
                ("topics", "wellbeing"),
                ("closes_on-day", &d.to_string()),
                ("closes_on-month", &m.to_string()),
                ("closes_on-year", &y.to_string()),
                ("support_threshold", "2"),
                ("answer_within_days", "14"),
            ],
        )
        .await?;
    let challenge = id_in(&page.location, "/voice/challenges/")?;
    let at = format!("/voice/challenges/{challenge}");

    // Staff see it; another trust's staff do not know it exists.
    let list = ann_b.get("/voice").await?;
    assert!(
        list.body
            .contains("How can we make it easier to take a break?")
    );
    assert_eq!(far_b.get(&at).await?.status, 404);
    assert!(
        !far_b
            .get("/voice")
            .await?
            .body
            .contains("easier to take a break")
    );
    let page = ann_b.get(&at).await?;
    assert!(
        page.body.contains("<em>gets in the way</em>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("choose the name you are shown by"));

    // Posting needs a chosen name, which cannot be a real name.
    let page = ann_b
        .post(
            &format!("{at}/ideas"),
            &[("title", "Cover"), ("body", "More cover")],
        )
        .await?;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Choose the name you will be shown by"));
    sqlx::query("UPDATE people SET display_name = 'Ann Smith' WHERE id = $1")
        .bind(ann.id)
        .execute(app.db.pool())
        .await?;
    let page = ann_b
        .post(
            "/voice/name",
            &[("display_name", "ann smith"), ("next", &at)],
        )
        .await?;
    assert_eq!(page.status, 422);
    let page = ann_b
        .post(
            "/voice/name",
            &[("display_name", "Night Owl"), ("next", &at)],
        )
        .await?;
    assert!(page.redirects_to(&at), "{page:?}");
    // A name is checked as a post is, and compared as it reads (outside attack,
    // 2026-12-06): a real name with more after it, a phone number, a look-alike of a
    // real name or of a name in use are all refused beside the field.
    for (name, message) in [
        ("Ann Smith 2", "real name"),
        ("ＡＮＮ ＳＭＩＴＨ", "real name"),
        ("\u{410}nn Smith", "real name"),
        ("Call 07700900123", "without a phone number"),
        ("N\u{456}ght Owl", "Someone else uses that name"),
        ("Night 0wl", "Someone else uses that name"),
        ("Ni\u{261}ht Owl", "letters from A to Z"),
        ("Ann Smith\u{345}", "real name"),
        (
            "\u{660}\u{667}\u{667}\u{660}\u{660}\u{669}\u{660}\u{660}\u{661}\u{662}\u{663}",
            "without a phone number",
        ),
    ] {
        let page = bob_b.post("/voice/name", &[("display_name", name)]).await?;
        assert_eq!(page.status, 422, "{name}");
        assert!(page.body.contains(message), "{name}: {message}");
    }
    // A way back to somewhere other than staff voice is not followed.
    let page = bob_b
        .post(
            "/voice/name",
            &[("display_name", "Tea Break"), ("next", "//evil.example")],
        )
        .await?;
    assert!(page.redirects_to("/voice"), "{page:?}");

    // An idea goes up under the chosen name; markup in it stays text.
    let page = ann_b
        .post(
            &format!("{at}/ideas"),
            &[
                ("title", "Protected break cover"),
                (
                    "body",
                    "A float nurse `<script>alert(1)</script>` each shift",
                ),
            ],
        )
        .await?;
    let idea = id_in(&page.location, "/voice/ideas/")?;
    let idea_at = format!("/voice/ideas/{idea}");
    let page = bob_b.get(&idea_at).await?;
    assert!(page.body.contains("Protected break cover"));
    assert!(page.body.contains("Night Owl"));
    assert!(!page.body.contains("Ann Smith") && !page.body.contains("ann@trust"));
    assert!(!page.body.contains("<script>alert"), "{}", page.body);

    // One with an email address waits for a moderator; its writer is told why and
    // offered Speak Up, and nobody else can open it.
    let page = ann_b
        .post(
            &format!("{at}/ideas"),
            &[
                ("title", "Ask me"),
                ("body", "Write to ann.smith@trust.nhs.uk about cover"),
            ],
        )
        .await?;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("waiting for a moderator"));
    assert!(page.body.contains("an email address"));
    assert!(page.body.contains("href=\"/speak-up\""));
    let held = dignity_store::voice::ideas(
        &app.db,
        challenge,
        dignity_domain::voice::IdeaOrder::Newest,
        Some(ann.id),
        (0, 20),
    )
    .await?
    .into_iter()
    .find(|i| i.title == "Ask me")
    .ok_or("the held idea")?;
    assert_eq!(
        bob_b
            .get(&format!("/voice/ideas/{}", held.id))
            .await?
            .status,
        404
    );
    assert!(
        ann_b
            .get(&format!("/voice/ideas/{}", held.id))
            .await?
            .body
            .contains("Only you can see this idea")
    );
    assert!(!bob_b.get(&at).await?.body.contains("Ask me"));

    // Support once; the button turns into one to stop.
    let page = bob_b.post(&format!("{idea_at}/support"), &[]).await?;
    assert!(page.redirects_to(&format!("{idea_at}?done=supported")));
    bob_b.post(&format!("{idea_at}/support"), &[]).await?;
    let page = bob_b.get(&idea_at).await?;
    assert!(
        page.body.contains("1 person supports this idea"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Stop supporting it"));
    let page = ann_b.post(&format!("{idea_at}/support"), &[]).await?;
    assert!(page.status.is_redirection());
    // The threshold of 2 is crossed: an answer is due.
    let page = ann_b.get(&idea_at).await?;
    assert!(
        page.body.contains("Leaders will answer it by"),
        "{}",
        page.body
    );
    ann_b
        .post(&format!("{idea_at}/support/withdraw"), &[])
        .await?;
    assert!(
        ann_b
            .get(&idea_at)
            .await?
            .body
            .contains("1 person supports")
    );

    // Comments and one level of replies.
    let page = bob_b
        .post(&format!("{idea_at}/comments"), &[("comment", "")])
        .await?;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Enter a comment"));
    let page = bob_b
        .post(
            &format!("{idea_at}/comments"),
            &[("comment", "Yes, nights too")],
        )
        .await?;
    assert!(
        page.redirects_to(&format!("{idea_at}?done=comment#comment-")),
        "{page:?}"
    );
    let comment: i64 = page
        .location
        .as_deref()
        .and_then(|l| l.rsplit("comment-").next())
        .ok_or("a comment")?
        .parse()?;
    let page = ann_b
        .post(
            &format!("{idea_at}/comments"),
            &[("comment", "Agreed"), ("reply_to", &comment.to_string())],
        )
        .await?;
    assert!(page.status.is_redirection(), "{page:?}");
    let page = eve.get(&idea_at).await?;
    assert!(page.body.contains("Yes, nights too") && page.body.contains("Agreed"));
    assert!(page.body.contains("dignity-replies"));

    // Reporting needs a reason.
    let page = eve
        .post(&format!("{idea_at}/report"), &[("reason", "")])
        .await?;
    assert_eq!(page.status, 422);
    let page = eve
        .post(
            &format!("{idea_at}/report"),
            &[("reason", "Rule 5"), ("comment", &comment.to_string())],
        )
        .await?;
    assert!(page.redirects_to(&format!("{idea_at}?done=reported")));
    let page = eve
        .post(
            &format!("{idea_at}/report"),
            &[("reason", "x"), ("comment", "999999")],
        )
        .await?;
    assert_eq!(page.status, 404);

    // A hidden comment keeps its place with the reason; its words go only to its writer.
    moderation::decide(
        &app.db,
        dignity_store::voice::Actor {
            email: "mod@trust.nhs.uk",
            ods_code: Some("RJ1"),
        },
        Post::Comment(comment),
        Action::Hide,
        Some(5),
        "Off the question",
        app.state.app.clock.now(),
    )
    .await?;
    let page = eve.get(&idea_at).await?;
    assert!(!page.body.contains("Yes, nights too"));
    assert!(
        page.body.contains("breaks rule 5: Off the question"),
        "{}",
        page.body
    );
    assert!(bob_b.get(&idea_at).await?.body.contains("Yes, nights too"));

    // Answers: staff may not; an executive must choose a state and say something.
    assert_eq!(
        ann_b
            .post(
                &format!("{idea_at}/answer"),
                &[("state", "accepted"), ("answer", "Yes")]
            )
            .await?
            .status,
        403
    );
    assert_eq!(
        far_b
            .post(
                &format!("{idea_at}/answer"),
                &[("state", "accepted"), ("answer", "Yes")]
            )
            .await?
            .status,
        403
    );
    let page = eve
        .post(&format!("{idea_at}/answer"), &[("answer", "")])
        .await?;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Choose what the answer is"));
    let page = eve
        .post(
            &format!("{idea_at}/answer"),
            &[
                ("state", "accepted"),
                ("answer", "We will trial it on two wards"),
            ],
        )
        .await?;
    assert!(page.redirects_to(&format!("{idea_at}?done=answered")));
    let page = ann_b.get(&idea_at).await?;
    assert!(page.body.contains("We will trial it on two wards"));
    assert!(page.body.contains(&today.long()));

    // An accepted idea is linked to an action of the published plan, whose status and
    // progress it then shows; staff cannot link, and an idea not accepted cannot be.
    let (_, plan, _, _) = crate::plans::signed_plan(app).await?;
    let action = dignity_store::plans::actions(&app.db, plan.id)
        .await?
        .into_iter()
        .next()
        .ok_or("an action")?;
    let choice = format!("{}-{}", plan.id, action.id);
    assert_eq!(
        ann_b
            .post(&format!("{idea_at}/action"), &[("plan_action", &choice)])
            .await?
            .status,
        403
    );
    let page = eve
        .post(&format!("{idea_at}/action"), &[("plan_action", "999-999")])
        .await?;
    assert_eq!(page.status, 422);
    let page = eve
        .post(&format!("{idea_at}/action"), &[("plan_action", &choice)])
        .await?;
    assert!(
        page.redirects_to(&format!("{idea_at}?done=linked")),
        "{page:?}"
    );
    let page = ann_b.get(&idea_at).await?;
    assert!(
        page.body.contains("In the partnership plan"),
        "{}",
        page.body
    );
    assert!(page.body.contains(&action.title));
    assert!(page.body.contains(action.status.label()));

    // Filtered by state, the list keeps to it.
    let page = ann_b.get(&format!("{at}?state=accepted")).await?;
    assert!(page.body.contains("Protected break cover"));
    let page = ann_b.get(&format!("{at}?state=done")).await?;
    assert!(!page.body.contains("Protected break cover"));

    // An idea past its answer-by date with no answer is listed for those who answer.
    let page = bob_b
        .post(
            &format!("{at}/ideas"),
            &[
                ("title", "Water fountains on each ward"),
                ("confirm", "yes"),
                ("body", "Keep people drinking"),
            ],
        )
        .await?;
    let thirsty = id_in(&page.location, "/voice/ideas/")?;
    let page = eve
        .post(
            &format!("/voice/ideas/{thirsty}/action"),
            &[("plan_action", &choice)],
        )
        .await?;
    assert_eq!(page.status, 422, "an idea not accepted is not linked");
    assert!(page.body.contains("Only an accepted idea"));
    for b in [&mut ann_b, &mut bob_b] {
        b.post(&format!("/voice/ideas/{thirsty}/support"), &[])
            .await?;
    }
    assert!(!eve.get("/voice").await?.body.contains("Water fountains"));
    // Fifteen days on (its answer-by date moved back, as the clock cannot be).
    sqlx::query("UPDATE voice_ideas SET answer_by = $1 WHERE id = $2")
        .bind(today.plus_days(-1).to_string())
        .bind(thirsty)
        .execute(app.db.pool())
        .await?;
    let page = eve.get("/voice").await?;
    assert!(page.body.contains("Ideas waiting too long for an answer"));
    assert!(page.body.contains("Water fountains"));
    assert!(!ann_b.get("/voice").await?.body.contains("waiting too long"));

    // Trying names one by one to learn who has an account is cut short: after eight
    // refusals, even a good name waits.
    let cal = app.person("cal@trust.nhs.uk", Some(Role::Staff)).await?;
    let mut cal_b = app.signed_in_browser(&cal).await?;
    for n in 0..8 {
        let page = cal_b
            .post(
                "/voice/name",
                &[("display_name", &format!("Ann Smith {n}"))],
            )
            .await?;
        assert!(page.body.contains("real name"), "{n}");
    }
    let page = cal_b
        .post("/voice/name", &[("display_name", "Quiet Heron")])
        .await?;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Wait a few minutes"));

    // The list's orders and pages.
    for order in ["newest", "supported", "discussed", "trending", "nonsense"] {
        let page = ann_b.get(&format!("{at}?order={order}&page=3")).await?;
        assert_eq!(page.status, 200, "{order}");
        assert!(page.body.contains("There are no more ideas"));
    }
    Ok(())
}

async fn voice_moderation_pages(app: &TestApp) -> TestResult {
    let ctx = &app.state.app;
    let admin = session(
        app,
        app.person("olive@trust.nhs.uk", Some(Role::OrgAdmin))
            .await?,
    )
    .await?;
    let ann = app.person("ann@trust.nhs.uk", Some(Role::Staff)).await?;
    let bob = app.person("bob@trust.nhs.uk", Some(Role::Staff)).await?;
    let mod_person = app.person("mo@trust.nhs.uk", Some(Role::Moderator)).await?;
    let far_mod = app
        .person_in("fay@other.nhs.uk", Some(Role::Moderator), &app.other_org)
        .await?;
    let today = app.state.app.clock.today();
    let challenge = voice::set_challenge(
        ctx,
        &admin,
        Some(app.org.id),
        &ChallengeForm {
            question: "What would help at handover?".into(),
            description: "Ideas welcome.".into(),
            topics: "civility".into(),
            opens_on: Some(today),
            closes_on: Some(today.plus_days(10)),
            support_threshold: "5".into(),
            answer_within_days: "10".into(),
        },
    )
    .await?;
    let mut ann_b = app.signed_in_browser(&ann).await?;
    let mut bob_b = app.signed_in_browser(&bob).await?;
    let mut mo = app.signed_in_browser(&mod_person).await?;
    let mut fay = app.signed_in_browser(&far_mod).await?;
    for (b, name) in [(&mut ann_b, "Blue Kettle"), (&mut bob_b, "Green Mug")] {
        let page = b.post("/voice/name", &[("display_name", name)]).await?;
        assert!(page.status.is_redirection(), "{page:?}");
    }
    // A held idea and a shown one with a reported comment.
    let page = ann_b
        .post(
            &format!("/voice/challenges/{challenge}/ideas"),
            &[
                ("title", "Call me"),
                ("body", "Ring 07700 900123 to talk about cover"),
            ],
        )
        .await?;
    assert!(page.body.contains("waiting for a moderator"));
    let page = ann_b
        .post(
            &format!("/voice/challenges/{challenge}/ideas"),
            &[("title", "Written handovers"), ("body", "Use a short form")],
        )
        .await?;
    let shown = id_in(&page.location, "/voice/ideas/")?;
    let page = bob_b
        .post(
            &format!("/voice/ideas/{shown}/comments"),
            &[("comment", "Buy my pens")],
        )
        .await?;
    let comment: i64 = page
        .location
        .as_deref()
        .and_then(|l| l.rsplit("comment-").next())
        .ok_or("a comment")?
        .parse()?;
    ann_b
        .post(
            &format!("/voice/ideas/{shown}/report"),
            &[
                ("reason", "Rule 6, an advert"),
                ("comment", &comment.to_string()),
            ],
        )
        .await?;

    // Staff cannot reach the queue; another trust's moderator sees none of it.
    assert_eq!(ann_b.get("/voice/moderation").await?.status, 403);
    let theirs = fay.get("/voice/moderation").await?;
    assert!(!theirs.body.contains("07700 900123") && !theirs.body.contains("Buy my pens"));
    let queue = mo.get("/voice/moderation").await?;
    assert!(queue.body.contains("Ring 07700 900123"), "{}", queue.body);
    assert!(queue.body.contains("a phone number"));
    assert!(queue.body.contains("Buy my pens") && queue.body.contains("Rule 6, an advert"));
    let held = sqlx::query_scalar::<_, i64>("SELECT id FROM voice_ideas WHERE title = 'Call me'")
        .fetch_one(app.db.pool())
        .await?;

    // Every decision needs a choice and a reason; hiding names a rule.
    let page = mo
        .post(
            "/voice/moderation/decide",
            &[("post", &format!("idea-{held}")), ("reason", "x")],
        )
        .await?;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Choose what to do with the post"));
    let page = mo
        .post(
            "/voice/moderation/decide",
            &[
                ("post", &format!("comment-{comment}")),
                ("action", "hide"),
                ("reason", "Advert"),
            ],
        )
        .await?;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Choose the community rule it breaks"));
    let other = fay
        .post(
            "/voice/moderation/decide",
            &[
                ("post", &format!("idea-{held}")),
                ("action", "release"),
                ("reason", "Fine"),
            ],
        )
        .await?;
    assert_eq!(other.status, 404, "another trust's moderator cannot decide");
    assert_eq!(
        mo.post(
            "/voice/moderation/decide",
            &[("post", "nonsense"), ("action", "hide")]
        )
        .await?
        .status,
        400
    );
    let page = mo
        .post(
            "/voice/moderation/decide",
            &[
                ("post", &format!("comment-{comment}")),
                ("action", "hide"),
                ("rule", "6"),
                ("reason", "An advert"),
            ],
        )
        .await?;
    assert!(
        page.redirects_to("/voice/moderation?done=decided"),
        "{page:?}"
    );
    let page = ann_b.get(&format!("/voice/ideas/{shown}")).await?;
    assert!(page.body.contains("breaks rule 6: An advert"));
    assert!(!page.body.contains("Buy my pens"));
    // A second decision on the same state is a conflict, not a second hide.
    let again = mo
        .post(
            "/voice/moderation/decide",
            &[
                ("post", &format!("comment-{comment}")),
                ("action", "hide"),
                ("rule", "6"),
                ("reason", "An advert"),
            ],
        )
        .await?;
    assert_eq!(again.status, 409);

    // The author appeals; the comment is back in the queue; the moderator keeps it hidden.
    let page = bob_b
        .post(
            &format!("/voice/ideas/{shown}/appeal"),
            &[("comment", &comment.to_string()), ("words", "")],
        )
        .await?;
    assert_eq!(page.status, 422);
    let page = bob_b
        .post(
            &format!("/voice/ideas/{shown}/appeal"),
            &[
                ("comment", &comment.to_string()),
                ("words", "It was a joke"),
            ],
        )
        .await?;
    assert!(
        page.redirects_to(&format!("/voice/ideas/{shown}?done=appealed")),
        "{page:?}"
    );
    // Only the author may appeal.
    assert_eq!(
        ann_b
            .post(
                &format!("/voice/ideas/{shown}/appeal"),
                &[("comment", &comment.to_string()), ("words", "Me too")],
            )
            .await?
            .status,
        404
    );
    assert!(
        mo.get("/voice/moderation")
            .await?
            .body
            .contains("The author appeals: It was a joke")
    );
    let page = mo
        .post(
            "/voice/moderation/decide",
            &[
                ("post", &format!("comment-{comment}")),
                ("action", "keep"),
                ("reason", "Still an advert"),
            ],
        )
        .await?;
    assert!(page.status.is_redirection(), "{page:?}");
    assert!(
        !mo.get("/voice/moderation")
            .await?
            .body
            .contains("It was a joke")
    );

    // Releasing the held idea puts it up for everyone.
    let page = mo
        .post(
            "/voice/moderation/decide",
            &[
                ("post", &format!("idea-{held}")),
                ("action", "release"),
                ("reason", "A work phone"),
            ],
        )
        .await?;
    assert!(page.status.is_redirection());
    assert_eq!(
        bob_b.get(&format!("/voice/ideas/{held}")).await?.status,
        200
    );

    // Who wrote a post: only with a reason, audited first, never in an address.
    let page = mo
        .post(
            "/voice/moderation/reveal",
            &[("post", &format!("idea-{held}")), ("reason", "")],
        )
        .await?;
    assert_eq!(page.status, 422);
    assert!(
        page.body
            .contains("Give a reason for finding out who wrote it")
    );
    let page = mo
        .post(
            "/voice/moderation/reveal",
            &[
                ("post", &format!("idea-{held}")),
                ("reason", "A threat to a colleague"),
            ],
        )
        .await?;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("ann@trust.nhs.uk"));
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'voice.author_revealed' \
         AND detail LIKE '%A threat to a colleague%'",
    )
    .fetch_one(app.db.pool())
    .await?;
    assert_eq!(audited, 1);
    assert_eq!(
        fay.post(
            "/voice/moderation/reveal",
            &[("post", &format!("idea-{held}")), ("reason", "Curious")],
        )
        .await?
        .status,
        404
    );

    // Stopping someone posting: they are told when they next try.
    let page = mo
        .post(
            "/voice/moderation/block",
            &[
                ("post", &format!("comment-{comment}")),
                ("reason", "Spam again and again"),
            ],
        )
        .await?;
    assert!(
        page.redirects_to("/voice/moderation?done=blocked"),
        "{page:?}"
    );
    // Blocking through another of their posts answers the same: the answer does not say
    // the two posts share an author (outside attack, 2026-12-06).
    let again = mo
        .post(
            "/voice/moderation/block",
            &[
                ("post", &format!("comment-{comment}")),
                ("reason", "Once more"),
            ],
        )
        .await?;
    assert!(
        again.redirects_to("/voice/moderation?done=blocked"),
        "{again:?}"
    );
    let page = bob_b
        .post(
            &format!("/voice/ideas/{shown}/comments"),
            &[("comment", "Hello")],
        )
        .await?;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("A moderator has stopped you posting"));
    Ok(())
}

/// The digests written so far: (to, body), oldest first.
async fn digests(app: &TestApp) -> Result<Vec<(String, String)>, Box<dyn std::error::Error>> {
    Ok(sqlx::query_as(
        "SELECT to_address, body FROM mail_outbox WHERE purpose = 'voice-digest' ORDER BY id",
    )
    .fetch_all(app.db.pool())
    .await?)
}

/// The feed key in a page of feed addresses.
fn feed_key(body: &str) -> Result<String, Box<dyn std::error::Error>> {
    let at = body.find("/voice/feeds/").ok_or("a feed address")? + "/voice/feeds/".len();
    Ok(body.get(at..at + 43).ok_or("a whole key")?.to_owned())
}

async fn voice_follows_digests_feeds_and_search(app: &TestApp) -> TestResult {
    use dignity_app::voice::digest::{EVERY_SECONDS, send_digests};
    use dignity_store::voice::moderation::{self, Action, Post};
    let ctx = &app.state.app;
    let base = "https://dignity.test";
    let admin = app
        .person("olive@trust.nhs.uk", Some(Role::OrgAdmin))
        .await?;
    let exec = app
        .person("eve@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let ann = app.person("ann@trust.nhs.uk", Some(Role::Staff)).await?;
    let bob = app.person("bob@trust.nhs.uk", Some(Role::Staff)).await?;
    let far = app
        .person_in("far@other.nhs.uk", Some(Role::Staff), &app.other_org)
        .await?;
    let admin_s = session(app, admin).await?;
    let today = ctx.clock.today();
    let form = ChallengeForm {
        question: "How can we make breaks happen?".into(),
        description: "Tell us what gets in the way.".into(),
        topics: "wellbeing,civility".into(),
        opens_on: Some(today),
        closes_on: Some(today.plus_days(30)),
        support_threshold: "3".into(),
        answer_within_days: "30".into(),
    };
    let ours = voice::set_challenge(ctx, &admin_s, Some(app.org.id), &form).await?;
    let theirs = dignity_store::voice::create_challenge(
        &app.db,
        dignity_store::voice::Actor {
            email: "admin@other.nhs.uk",
            ods_code: None,
        },
        ctx.clock.now(),
        &dignity_store::voice::NewChallenge {
            organisation_id: Some(app.other_org.id),
            question: "Their own question".into(),
            description: "Not for RJ1".into(),
            topics: "wellbeing".into(),
            opens_on: today,
            closes_on: today.plus_days(30),
            support_threshold: 3,
            answer_within_days: 30,
        },
    )
    .await?;
    let at = format!("/voice/challenges/{ours}");
    let mut ann_b = app.signed_in_browser(&ann).await?;
    let mut bob_b = app.signed_in_browser(&bob).await?;
    let mut far_b = app.signed_in_browser(&far).await?;
    let mut eve = app.signed_in_browser(&exec).await?;
    for (b, name) in [(&mut ann_b, "Quiet Heron"), (&mut bob_b, "Tea Break")] {
        b.post("/voice/name", &[("display_name", name)]).await?;
    }

    // Following a challenge; a value no form sends is refused; another trust's staff
    // cannot follow it (it does not exist for them).
    let page = bob_b
        .post(&format!("{at}/follow"), &[("following", "yes")])
        .await?;
    assert!(
        page.redirects_to(&format!("{at}?done=following")),
        "{page:?}"
    );
    let page = bob_b.get(&format!("{at}?done=following")).await?;
    assert!(page.body.contains("You follow this challenge"));
    assert!(page.body.contains("Stop following this challenge"));
    let page = bob_b
        .post(&format!("{at}/follow"), &[("following", "maybe")])
        .await?;
    assert_eq!(page.status, 400);
    let page = far_b
        .post(&format!("{at}/follow"), &[("following", "yes")])
        .await?;
    assert_eq!(page.status, 404);

    // Ideas under a topic; a topic the challenge does not have is named as a problem.
    let page = ann_b
        .post(
            &format!("{at}/ideas"),
            &[
                ("title", "A kind word at handover"),
                ("body", "Start with thanks"),
                ("topic", "finance"),
                ("confirm", "yes"),
            ],
        )
        .await?;
    assert_eq!(page.status, 422);
    assert!(
        page.body.contains("Choose one of the challenge"),
        "{}",
        page.body
    );
    let page = ann_b
        .post(
            &format!("{at}/ideas"),
            &[
                ("title", "A kind word at handover"),
                ("body", "Start with thanks"),
                ("topic", "civility"),
                ("confirm", "yes"),
            ],
        )
        .await?;
    let kind = id_in(&page.location, "/voice/ideas/")?;
    let page = ann_b
        .post(
            &format!("{at}/ideas"),
            &[
                ("title", "A quiet room for breaks"),
                ("body", "Somewhere to sit down"),
                ("topic", "wellbeing"),
                ("confirm", "yes"),
            ],
        )
        .await?;
    let quiet = id_in(&page.location, "/voice/ideas/")?;
    let page = ann_b
        .post(
            &format!("{at}/ideas"),
            &[
                ("title", "Cover for lunch"),
                ("body", "Ring me on 07700 900123 to arrange it"),
                ("confirm", "yes"),
            ],
        )
        .await?;
    assert!(
        page.body.contains("waiting for a moderator"),
        "{}",
        page.body
    );
    let page = bob_b
        .post(
            &format!("{at}/ideas"),
            &[
                ("title", "Rotas out six weeks ahead"),
                ("body", "So people can plan their lives"),
                ("confirm", "yes"),
            ],
        )
        .await?;
    let rotas = id_in(&page.location, "/voice/ideas/")?;
    // A title cannot start lines of its own in the digest, where they would read as the
    // service's words (an outside attack, 2026-12-06).
    let page = bob_b
        .post(
            &format!("{at}/ideas"),
            &[
                (
                    "title",
                    "Tea at handover\r\n\n- Action needed: sign in again today",
                ),
                ("body", "A cup of tea"),
                ("confirm", "yes"),
            ],
        )
        .await?;
    let tea = id_in(&page.location, "/voice/ideas/")?;
    let stored = dignity_store::voice::idea(&app.db, tea).await?;
    assert_eq!(
        stored.title,
        "Tea at handover - Action needed: sign in again today"
    );
    // Nor can it end our sentence and start its own, or carry a link in our words.
    let page = bob_b
        .post(
            &format!("{at}/ideas"),
            &[
                (
                    "title",
                    "Rota\" has an answer. Confirm at https://phish.example",
                ),
                ("body", "A cup of tea"),
                ("confirm", "yes"),
            ],
        )
        .await?;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Leave web addresses out of the title"));
    let page = bob_b
        .post(
            &format!("{at}/ideas"),
            &[
                (
                    "title",
                    "Night rota\" is accepted. All staff must re-confirm their login",
                ),
                ("body", "A cup of tea"),
                ("confirm", "yes"),
            ],
        )
        .await?;
    assert!(page.redirects_to("/voice/ideas/"), "{page:?}");

    // Search and the topic filter.
    let page = bob_b.get(&format!("{at}?search=handover")).await?;
    assert!(
        page.body.contains("A kind word at handover"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("A quiet room for breaks"));
    assert!(page.body.contains("best match first"));
    let page = bob_b.get(&format!("{at}?search=zebra")).await?;
    assert!(page.body.contains("No ideas match your search"));
    let page = bob_b.get(&format!("{at}?topic=wellbeing")).await?;
    assert!(page.body.contains("A quiet room for breaks"));
    assert!(!page.body.contains("A kind word at handover"));
    assert!(
        page.body.contains("Topic: Health and wellbeing"),
        "{}",
        page.body
    );
    let page = bob_b.get(&format!("{at}?topic=nonsense")).await?;
    assert!(page.body.contains("A kind word at handover"));
    assert!(page.body.contains("A quiet room for breaks"));
    // A held idea is found only by its author.
    let page = bob_b.get(&format!("{at}?search=lunch")).await?;
    assert!(!page.body.contains("Cover for lunch"));

    // A moderator hides one idea before the digest goes: its news is not told.
    moderation::decide(
        &app.db,
        dignity_store::voice::Actor {
            email: "mod@trust.nhs.uk",
            ods_code: Some("RJ1"),
        },
        Post::Idea(quiet),
        Action::Hide,
        Some(5),
        "Off the question",
        ctx.clock.now(),
    )
    .await?;

    // No digest within a day of following; then one, telling each new shown idea once.
    let now = ctx.clock.now();
    assert_eq!(send_digests(ctx, base, now).await?, 0);
    let day_on = now + EVERY_SECONDS + 1;
    assert_eq!(send_digests(ctx, base, day_on).await?, 1);
    assert_eq!(send_digests(ctx, base, day_on).await?, 0, "sent once");
    let sent = digests(app).await?;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let (to, body) = &sent[0];
    assert_eq!(to, "bob@trust.nhs.uk");
    assert!(body.contains("A kind word at handover"), "{body}");
    assert!(body.contains("Rotas out six weeks ahead"), "{body}");
    assert!(
        body.contains(&format!("{base}/voice/ideas/{kind}")),
        "{body}"
    );
    assert!(!body.contains("A quiet room"), "hidden: {body}");
    assert!(!body.contains("Cover for lunch"), "held: {body}");
    // Whatever staff typed sits on a line of its own after a label.
    for typed in ["Action needed", "All staff must"] {
        assert!(
            body.lines()
                .filter(|l| l.contains(typed))
                .all(|l| l.starts_with("  Idea: ")),
            "{body}"
        );
    }
    assert!(body.contains("All staff must"), "{body}");

    // Someone else's hidden idea cannot be followed (the page offers no button).
    let page = bob_b
        .post(
            &format!("/voice/ideas/{quiet}/follow"),
            &[("following", "yes")],
        )
        .await?;
    assert_eq!(page.status, 404);

    // An answer and a plan action's progress reach the idea's author (who follows their
    // idea) and the challenge's followers, but not within the day.
    let page = eve
        .post(
            &format!("/voice/ideas/{kind}/answer"),
            &[("state", "accepted"), ("answer", "We will try it")],
        )
        .await?;
    assert!(page.redirects_to(&format!("/voice/ideas/{kind}?done=answered")));
    let (_, plan, mut ezra, _) = crate::plans::signed_plan(app).await?;
    let action = dignity_store::plans::actions(&app.db, plan.id)
        .await?
        .into_iter()
        .next()
        .ok_or("an action")?;
    let page = eve
        .post(
            &format!("/voice/ideas/{kind}/action"),
            &[("plan_action", &format!("{}-{}", plan.id, action.id))],
        )
        .await?;
    assert!(
        page.redirects_to(&format!("/voice/ideas/{kind}?done=linked")),
        "{page:?}"
    );
    let page = ezra
        .post(
            &format!("/orgs/RJ1/plans/{}/actions/{}/progress", plan.id, action.id),
            &[("status", "on_track"), ("progress", "40")],
        )
        .await?;
    assert!(page.status.is_redirection(), "{page:?}");
    assert_eq!(
        send_digests(ctx, base, day_on + 60).await?,
        1,
        "ann's first"
    );
    let two_days_on = day_on + EVERY_SECONDS + 1;
    assert_eq!(
        send_digests(ctx, base, two_days_on).await?,
        1,
        "bob's second"
    );
    let sent = digests(app).await?;
    assert_eq!(sent.len(), 3, "{sent:?}");
    for (to, body) in &sent[1..] {
        assert!(body.contains("A new answer: Accepted."), "{to}: {body}");
        assert!(body.contains("40% done"), "{to}: {body}");
        assert!(!body.contains("A new idea."), "{to}: {body}");
    }
    let to: Vec<&str> = sent.iter().map(|(to, _)| to.as_str()).collect();
    assert_eq!(
        to,
        ["bob@trust.nhs.uk", "ann@trust.nhs.uk", "bob@trust.nhs.uk"]
    );

    // Stopping: no more news.
    let page = bob_b
        .post(&format!("{at}/follow"), &[("following", "no")])
        .await?;
    assert!(page.redirects_to(&format!("{at}?done=unfollowed")));
    let page = bob_b
        .post(
            &format!("/voice/ideas/{rotas}/follow"),
            &[("following", "no")],
        )
        .await?;
    assert!(page.redirects_to(&format!("/voice/ideas/{rotas}?done=unfollowed")));
    eve.post(
        &format!("/voice/ideas/{rotas}/answer"),
        &[("state", "considering"), ("answer", "We are looking at it")],
    )
    .await?;
    assert_eq!(
        send_digests(ctx, base, two_days_on + 3 * EVERY_SECONDS).await?,
        0
    );

    // A feed reader: the key is shown once, opens only what its holder may read, shows
    // no held idea, and stops when asked.
    let page = ann_b.get("/voice/feeds").await?;
    assert!(page.body.contains("Make my feed addresses"));
    let page = ann_b.post("/voice/feeds", &[("change", "make")]).await?;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.headers
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let key = feed_key(&page.body)?;
    assert!(
        page.body.contains(&format!("/voice/feeds/{key}/{ours}")),
        "{}",
        page.body
    );
    assert!(
        !ann_b.get("/voice/feeds").await?.body.contains(&key),
        "shown once"
    );
    let stored: Vec<String> = sqlx::query_scalar("SELECT digest FROM voice_feed_keys")
        .fetch_all(app.db.pool())
        .await?;
    assert!(
        stored.iter().all(|d| !d.contains(&key)),
        "only its digest is kept"
    );
    let mut reader = app.browser();
    let feed = reader.get(&format!("/voice/feeds/{key}/{ours}")).await?;
    assert_eq!(feed.status, 200);
    assert!(feed.content_type.starts_with("application/atom+xml"));
    assert!(
        feed.body.contains("A kind word at handover"),
        "{}",
        feed.body
    );
    assert!(feed.body.contains("We will try it"));
    assert!(!feed.body.contains("Cover for lunch"), "held");
    assert!(!feed.body.contains("A quiet room"), "hidden");
    assert!(!feed.body.contains(&key), "the key is not in the feed");
    for wrong in [
        format!("/voice/feeds/{key}/{theirs}"),
        format!("/voice/feeds/{}/{ours}", "A".repeat(43)),
        format!("/voice/feeds/{key}x/{ours}"),
    ] {
        assert_eq!(reader.get(&wrong).await?.status, 404, "{wrong}");
    }
    let page = ann_b
        .post("/voice/feeds", &[("change", "nonsense")])
        .await?;
    assert_eq!(page.status, 400);
    // A new passphrase (after the account was taken over, say) stops the key too.
    let page = ann_b.post("/voice/feeds", &[("change", "make")]).await?;
    let taken = feed_key(&page.body)?;
    assert_eq!(
        reader
            .get(&format!("/voice/feeds/{taken}/{ours}"))
            .await?
            .status,
        200
    );
    dignity_store::identity::set_passphrase(&app.db, "test", 1, &ann, "new hash").await?;
    assert_eq!(
        reader
            .get(&format!("/voice/feeds/{taken}/{ours}"))
            .await?
            .status,
        404
    );
    let mut ann_b = app.signed_in_browser(&ann).await?;
    let page = ann_b.post("/voice/feeds", &[("change", "make")]).await?;
    let newer = feed_key(&page.body)?;
    assert_ne!(newer, key);
    let old = reader.get(&format!("/voice/feeds/{key}/{ours}")).await?;
    assert_eq!(old.status, 404, "a new key stops the old one");
    ann_b.post("/voice/feeds", &[("change", "stop")]).await?;
    let stopped = reader.get(&format!("/voice/feeds/{newer}/{ours}")).await?;
    assert_eq!(stopped.status, 404);
    // Clearing the second step (how a taken account is recovered) stops it too; setting
    // one up does not.
    let page = ann_b.post("/voice/feeds", &[("change", "make")]).await?;
    let kept = feed_key(&page.body)?;
    let ann = dignity_store::identity::get_person(&app.db, ann.id).await?;
    dignity_store::identity::set_totp(&app.db, "test", 1, &ann, Some("SECRET"), Some(1)).await?;
    let feed = format!("/voice/feeds/{kept}/{ours}");
    assert_eq!(reader.get(&feed).await?.status, 200);
    dignity_store::identity::set_totp(&app.db, "test", 1, &ann, None, None).await?;
    assert_eq!(reader.get(&feed).await?.status, 404);
    Ok(())
}

/// The comment id a post redirected to (`...#comment-N`).
fn comment_in(location: &Option<String>) -> Result<i64, Box<dyn std::error::Error>> {
    Ok(location
        .as_deref()
        .and_then(|l| l.rsplit_once("#comment-"))
        .ok_or("a comment")?
        .1
        .parse()?)
}

async fn voice_leaders_updates_and_their_comments(app: &TestApp) -> TestResult {
    let ctx = &app.state.app;
    let admin = session(
        app,
        app.person("olive@trust.nhs.uk", Some(Role::OrgAdmin))
            .await?,
    )
    .await?;
    let exec = app
        .person("eve@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let ann = app.person("ann@trust.nhs.uk", Some(Role::Staff)).await?;
    let bob = app.person("bob@trust.nhs.uk", Some(Role::Staff)).await?;
    let unnamed = app.person("una@trust.nhs.uk", Some(Role::Staff)).await?;
    let mod_person = app.person("mo@trust.nhs.uk", Some(Role::Moderator)).await?;
    let far = app
        .person_in("far@other.nhs.uk", Some(Role::Executive), &app.other_org)
        .await?;
    let today = ctx.clock.today();
    let challenge = voice::set_challenge(
        ctx,
        &admin,
        Some(app.org.id),
        &ChallengeForm {
            question: "What would make handover kinder?".into(),
            description: "Ideas welcome.".into(),
            topics: "civility".into(),
            opens_on: Some(today),
            closes_on: Some(today.plus_days(10)),
            support_threshold: "5".into(),
            answer_within_days: "10".into(),
        },
    )
    .await?;
    let at = format!("/voice/challenges/{challenge}");
    let mut eve = app.signed_in_browser(&exec).await?;
    let mut ann_b = app.signed_in_browser(&ann).await?;
    let mut bob_b = app.signed_in_browser(&bob).await?;
    let mut una = app.signed_in_browser(&unnamed).await?;
    let mut mo = app.signed_in_browser(&mod_person).await?;
    let mut far_b = app.signed_in_browser(&far).await?;
    for (b, name) in [(&mut ann_b, "Blue Kettle"), (&mut bob_b, "Green Mug")] {
        b.post("/voice/name", &[("display_name", name)]).await?;
    }

    // Only the challenge's own leaders write updates: staff are refused, another trust's
    // executive cannot find the challenge.
    assert_eq!(eve.get(&format!("{at}/updates/new")).await?.status, 200);
    assert_eq!(ann_b.get(&format!("{at}/updates/new")).await?.status, 403);
    assert_eq!(far_b.get(&format!("{at}/updates/new")).await?.status, 404);
    let page = far_b
        .post(
            &format!("{at}/updates"),
            &[("title", "Sneaky"), ("body", "Not mine to say")],
        )
        .await?;
    assert_eq!(page.status, 404);
    assert!(
        !eve.get(&at).await?.body.contains("Sneaky"),
        "nothing was posted"
    );
    // Every mistake is named beside its field, and what was typed stays.
    let page = eve
        .post(
            &format!("{at}/updates"),
            &[("title", "See https://example.com"), ("body", "   ")],
        )
        .await?;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Leave web addresses out of the title"));
    assert!(page.body.contains("Write the update in"));
    assert!(page.body.contains("See https://example.com"));
    let page = eve
        .post(
            &format!("{at}/updates"),
            &[
                ("title", "What we heard <script>alert(1)</script>"),
                ("body", "We are *changing* handover.\n\n- shorter\n- kinder"),
            ],
        )
        .await?;
    let update = id_in(&page.location, "/voice/updates/")?;
    let page = eve.follow(page).await?;
    assert!(page.body.contains("Your update is posted"), "{}", page.body);
    assert!(page.body.contains("<em>changing</em>"), "Markdown is shown");
    assert!(
        !page.body.contains("<script>alert(1)</script>") && page.body.contains("&#60;script&#62;"),
        "a title is text: {}",
        page.body
            .lines()
            .filter(|l| l.contains("alert"))
            .collect::<Vec<_>>()
            .join("\n")
    );

    // Staff read it from the challenge, under the leader's name; the form's link is only
    // for leaders.
    let listed = ann_b.get(&at).await?;
    assert!(listed.body.contains("Updates from leaders"));
    assert!(listed.body.contains(&format!("/voice/updates/{update}")));
    assert!(!listed.body.contains("Post an update for staff"));
    assert!(
        eve.get(&at)
            .await?
            .body
            .contains("Post an update for staff")
    );
    assert_eq!(
        ann_b.get(&format!("/voice/updates/{update}")).await?.status,
        200
    );
    assert_eq!(
        far_b.get(&format!("/voice/updates/{update}")).await?.status,
        404
    );
    assert_eq!(ann_b.get("/voice/updates/99999").await?.status, 404);

    // Comments: a name is needed first; a reply goes one level; what the check finds is
    // held, and the writer is offered Speak Up and a way back to the update.
    let page = una
        .post(
            &format!("/voice/updates/{update}/comments"),
            &[("comment", "Thank you")],
        )
        .await?;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Choose the name you will be shown by"));
    let page = ann_b
        .post(
            &format!("/voice/updates/{update}/comments"),
            &[("comment", "Thank you for listening")],
        )
        .await?;
    let top = comment_in(&page.location)?;
    let page = bob_b
        .post(
            &format!("/voice/updates/{update}/comments"),
            &[("comment", "Agreed"), ("reply_to", &top.to_string())],
        )
        .await?;
    let reply = comment_in(&page.location)?;
    let page = bob_b
        .post(
            &format!("/voice/updates/{update}/comments"),
            &[("comment", "Deeper"), ("reply_to", &reply.to_string())],
        )
        .await?;
    assert_eq!(page.status, 404, "replies go one level deep");
    let page = ann_b
        .post(
            &format!("/voice/updates/{update}/comments"),
            &[("comment", "Ring me on 07700 900123")],
        )
        .await?;
    assert!(
        page.body.contains("waiting for a moderator"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains(&format!("href=\"/voice/updates/{update}\""))
    );
    let held: i64 = sqlx::query_scalar(
        "SELECT id FROM voice_comments WHERE update_id = $1 AND moderation = 'held'",
    )
    .bind(update)
    .fetch_one(app.db.pool())
    .await?;
    let seen = bob_b.get(&format!("/voice/updates/{update}")).await?;
    assert!(seen.body.contains("Thank you for listening") && seen.body.contains("Agreed"));
    assert!(
        !seen.body.contains("07700 900123"),
        "a held comment is the writer's only"
    );
    assert!(
        ann_b
            .get(&format!("/voice/updates/{update}"))
            .await?
            .body
            .contains("07700 900123")
    );
    assert!(eve.get(&at).await?.body.contains("2 comments"));

    // Reports name a comment on this update only; a blank one is a bad request.
    let page = bob_b
        .post(
            &format!("/voice/updates/{update}/report"),
            &[("comment", ""), ("reason", "Rule 1")],
        )
        .await?;
    assert_eq!(page.status, 400);
    let page = bob_b
        .post(
            &format!("/voice/updates/{update}/report"),
            &[("comment", &held.to_string()), ("reason", "Rule 1")],
        )
        .await?;
    assert_eq!(page.status, 404, "a held comment cannot be found by others");
    let page = bob_b
        .post(
            &format!("/voice/updates/{update}/report"),
            &[("comment", &top.to_string()), ("reason", "")],
        )
        .await?;
    assert_eq!(page.status, 422);
    let page = bob_b
        .post(
            &format!("/voice/updates/{update}/report"),
            &[
                ("comment", &top.to_string()),
                ("reason", "Rule 6, off topic"),
            ],
        )
        .await?;
    assert!(page.redirects_to(&format!("/voice/updates/{update}?done=reported")));

    // The writer of the held comment may appeal; nobody else may.
    let page = bob_b
        .post(
            &format!("/voice/updates/{update}/appeal"),
            &[("comment", &held.to_string()), ("words", "Not mine")],
        )
        .await?;
    assert_eq!(page.status, 404);
    let page = ann_b
        .post(
            &format!("/voice/updates/{update}/appeal"),
            &[
                ("comment", &held.to_string()),
                ("words", "It is the ward phone"),
            ],
        )
        .await?;
    assert!(page.redirects_to(&format!("/voice/updates/{update}?done=appealed")));

    // Both wait in the moderators' queue, named as on the update; releasing the held one
    // shows it to everyone and counts it.
    let queue = mo.get("/voice/moderation").await?;
    assert!(queue.body.contains("Rule 6, off topic"), "{}", queue.body);
    assert!(
        queue
            .body
            .contains(&format!("href=\"/voice/updates/{update}\""))
    );
    let page = mo
        .post(
            "/voice/moderation/decide",
            &[
                ("post", &format!("comment-{held}")),
                ("action", "release"),
                ("reason", "A ward phone"),
            ],
        )
        .await?;
    assert!(page.status.is_redirection(), "{}", page.body);
    assert!(
        bob_b
            .get(&format!("/voice/updates/{update}"))
            .await?
            .body
            .contains("07700 900123")
    );
    assert!(eve.get(&at).await?.body.contains("3 comments"));

    // A hidden comment has been decided: reporting it again is refused rather than
    // putting it back in the queue (outside attack, 2026-12-06).
    let page = mo
        .post(
            "/voice/moderation/decide",
            &[
                ("post", &format!("comment-{reply}")),
                ("action", "hide"),
                ("rule", "2"),
                ("reason", "Off topic"),
            ],
        )
        .await?;
    assert!(page.status.is_redirection(), "{}", page.body);
    let page = ann_b
        .post(
            &format!("/voice/updates/{update}/report"),
            &[("comment", &reply.to_string()), ("reason", "Again")],
        )
        .await?;
    assert_eq!(page.status, 404);

    // A comment hidden while it was held was only ever its writer's: nobody else learns
    // it existed. One hidden after it was shown says so in its place.
    let page = ann_b
        .post(
            &format!("/voice/updates/{update}/comments"),
            &[("comment", "Ring 07700 900456")],
        )
        .await?;
    assert!(page.body.contains("waiting for a moderator"));
    let never: i64 =
        sqlx::query_scalar("SELECT id FROM voice_comments WHERE body = 'Ring 07700 900456'")
            .fetch_one(app.db.pool())
            .await?;
    mo.post(
        "/voice/moderation/decide",
        &[
            ("post", &format!("comment-{never}")),
            ("action", "hide"),
            ("rule", "2"),
            ("reason", "A phone number"),
        ],
    )
    .await?;
    let others = bob_b.get(&format!("/voice/updates/{update}")).await?;
    assert!(
        !others.body.contains(&format!("comment-{never}")),
        "{}",
        others.body
    );
    assert!(others.body.contains(&format!("comment-{reply}")));
    let own = ann_b.get(&format!("/voice/updates/{update}")).await?;
    assert!(own.body.contains("Ring 07700 900456"));

    // The same for an idea: hidden while held, its page is its author's alone.
    let page = ann_b
        .post(
            &format!("{at}/ideas"),
            &[
                ("title", "Call the ward"),
                ("body", "Ring 07700 900789"),
                ("confirm", "yes"),
            ],
        )
        .await?;
    assert!(page.body.contains("waiting for a moderator"));
    let idea: i64 = sqlx::query_scalar("SELECT id FROM voice_ideas WHERE title = 'Call the ward'")
        .fetch_one(app.db.pool())
        .await?;
    mo.post(
        "/voice/moderation/decide",
        &[
            ("post", &format!("idea-{idea}")),
            ("action", "hide"),
            ("rule", "2"),
            ("reason", "A phone number"),
        ],
    )
    .await?;
    assert_eq!(
        bob_b.get(&format!("/voice/ideas/{idea}")).await?.status,
        404
    );
    assert_eq!(
        ann_b.get(&format!("/voice/ideas/{idea}")).await?.status,
        200
    );
    Ok(())
}

/// Participation figures: totals only while a challenge is open, counted up to Monday;
/// a national challenge's figures by organisation once, when it has closed, and kept; an
/// organisation hidden in "took part" hidden in every column and not listed. Each attack
/// here is one an outside tester made (2026-12-06).
async fn voice_participation_is_counted_weekly_and_protected(app: &TestApp) -> TestResult {
    use dignity_app::voice::figures::{participation_at, week_start};
    use dignity_store::voice::{self as store, Actor, NewChallenge, NewComment, NewIdea, On};
    let ctx = &app.state.app;
    // A Monday, and a national challenge open around it, closing ten days later.
    let monday = 1_796_601_600;
    assert_eq!(week_start(monday + 3_600), monday);
    let closed_at = monday + 11 * 86_400;
    let new_challenge = |organisation_id| NewChallenge {
        organisation_id,
        question: "How can we make breaks happen?".into(),
        description: "Tell us.".into(),
        topics: "wellbeing".into(),
        opens_on: Day::from_unix_seconds(monday - 30 * 86_400),
        closes_on: Day::from_unix_seconds(monday + 10 * 86_400),
        support_threshold: 5,
        answer_within_days: 30,
    };
    let platform = Actor {
        email: "platform@nhs.net",
        ods_code: None,
    };
    let national = store::create_challenge(
        &app.db,
        platform,
        monday - 30 * 86_400,
        &new_challenge(None),
    )
    .await?;
    let challenge = store::challenge(&app.db, national).await?;
    let before = monday - 3 * 86_400;
    let idea_by = |author: i64, at: i64, held: bool| {
        let db = app.db.clone();
        async move {
            store::post_idea(
                &db,
                at,
                &NewIdea {
                    challenge_id: national,
                    author_id: author,
                    title: format!("Idea {author}"),
                    body: "Because.".into(),
                    held_because: held.then(|| "a phone number".into()),
                    topic: None,
                },
            )
            .await
        }
    };
    let comment_by = |author: i64, idea: i64| {
        let db = app.db.clone();
        async move {
            store::comment(
                &db,
                before,
                &NewComment {
                    on: On::Idea(idea),
                    reply_to: None,
                    author_id: author,
                    body: "Yes.".into(),
                    held_because: None,
                },
            )
            .await
        }
    };
    // The attack's shape: ten in no organisation each share an idea and comment; ten in
    // RJ1 and twelve in the other trust only support; one person in the care board
    // ("Quiet Heron") comments once. Anyone whose post is held is not counted.
    let mut ideas = Vec::new();
    for n in 0..10 {
        let p = app.person(&format!("loose{n}@nhs.net"), None).await?;
        let idea = idea_by(p.id, before, false).await?;
        comment_by(p.id, idea).await?;
        ideas.push(idea);
    }
    for (n, idea) in ideas.iter().enumerate() {
        let p = app
            .person(&format!("ours{n}@trust.nhs.uk"), Some(Role::Staff))
            .await?;
        store::support(&app.db, *idea, p.id, before).await?;
    }
    for n in 0..12 {
        let p = app
            .person_in(
                &format!("far{n}@other.nhs.uk"),
                Some(Role::Staff),
                &app.other_org,
            )
            .await?;
        store::support(&app.db, ideas[n % 10], p.id, before).await?;
    }
    let heron = app
        .person("heron@trust.nhs.uk", Some(Role::SystemLead))
        .await?;
    comment_by(heron.id, ideas[0]).await?;
    let board = app.icb_of(&app.org).await?;
    let held = app.person("held@trust.nhs.uk", Some(Role::Staff)).await?;
    idea_by(held.id, before, true).await?;
    let shown = |d: &dignity_engine::disclosure::Disclosed<u64>| d.value().copied();

    // While it is open: totals only, up to Monday, the same however often it is asked.
    let open = participation_at(ctx, &challenge, monday + 3_600).await?;
    assert!(!open.is_final && open.groups.is_empty());
    assert_eq!(open.up_to, Day::from_unix_seconds(monday));
    // No "took part" while open: it merges private support with public posts, so hiding
    // someone's only post would say whether they had supported an idea too.
    assert_eq!(shown(&open.total.counts[0]), None);
    assert_eq!(
        shown(&open.total.counts[1]),
        Some(10),
        "held ones uncounted"
    );
    assert_eq!(shown(&open.total.counts[2]), Some(11));
    assert_eq!(shown(&open.total.counts[3]), Some(22));
    let newcomer = app
        .person("newcomer@trust.nhs.uk", Some(Role::Staff))
        .await?;
    idea_by(newcomer.id, monday + 1_800, false).await?;
    assert_eq!(
        participation_at(ctx, &challenge, monday + 7_200).await?,
        open
    );

    // Once closed, by organisation. The board's one commenter is hidden, and so is a
    // second group so the one cannot be had by subtraction; a group hidden in "took part"
    // is hidden in every column and not listed, so the columns cannot be set against
    // each other to find where Quiet Heron works.
    let closed = participation_at(ctx, &challenge, closed_at + 60).await?;
    assert!(closed.is_final);
    assert_eq!(shown(&closed.total.counts[0]), Some(34));
    let listed: Vec<&str> = closed.groups.iter().map(|r| r.name.as_str()).collect();
    assert!(!listed.contains(&board.name.as_str()), "{closed:?}");
    assert!(listed.len() <= 2, "a second group is hidden: {closed:?}");
    // Counts are adjusted by up to two and decided as adjusted, so which of the others
    // shows depends on the installation's keys; what shows leaves ten unplaced.
    let mut placed = 0;
    for row in &closed.groups {
        let count = shown(&row.took_part).ok_or("only shown groups are listed")?;
        assert!(
            count >= 10,
            "only organisations with a shown count are listed: {closed:?}"
        );
        placed += count;
    }
    assert!(34 - placed >= 10, "{closed:?}");
    // Kept: a membership changed or a post hidden later changes nothing.
    dignity_store::identity::grant_role(
        &app.db,
        "test",
        1,
        &heron,
        Role::Staff,
        Some(&app.other_org),
    )
    .await?;
    sqlx::query("UPDATE voice_comments SET moderation = 'hidden' WHERE author_id = $1")
        .bind(heron.id)
        .execute(app.db.pool())
        .await?;
    assert_eq!(
        participation_at(ctx, &challenge, closed_at + 30 * 86_400).await?,
        closed
    );

    // An organisation's challenge shows totals only, even once closed; another trust's
    // staff cannot see it.
    let local = store::create_challenge(
        &app.db,
        platform,
        monday - 30 * 86_400,
        &new_challenge(Some(app.org.id)),
    )
    .await?;
    let mut ours = Vec::new();
    for n in 0..11 {
        let p = app
            .person(&format!("local{n}@trust.nhs.uk"), Some(Role::Staff))
            .await?;
        local_idea(app, local, p.id, before).await?;
        ours.push(p);
    }
    let local_challenge = store::challenge(&app.db, local).await?;
    let figures = participation_at(ctx, &local_challenge, closed_at + 60).await?;
    assert!(figures.is_final && figures.groups.is_empty());
    assert_eq!(shown(&figures.total.counts[1]), Some(11));
    let mut mine = app.signed_in_browser(&ours[0]).await?;
    let page = mine
        .get(&format!("/voice/challenges/{local}/figures"))
        .await?;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Who has taken part"), "{}", page.body);
    let far = app
        .person_in("farther@other.nhs.uk", Some(Role::Staff), &app.other_org)
        .await?;
    let mut theirs = app.signed_in_browser(&far).await?;
    assert_eq!(
        theirs
            .get(&format!("/voice/challenges/{local}/figures"))
            .await?
            .status,
        404
    );

    // Once a challenge has closed its support stands as its final figures count it: it
    // cannot be withdrawn (outside attack, 2026-12-06).
    let today = ctx.clock.today();
    let ended = store::create_challenge(
        &app.db,
        platform,
        1,
        &NewChallenge {
            organisation_id: Some(app.org.id),
            opens_on: today.plus_days(-20),
            closes_on: today.plus_days(-1),
            ..new_challenge(None)
        },
    )
    .await?;
    let idea = local_idea(app, ended, ours[1].id, 1).await?;
    store::support(&app.db, idea, ours[0].id, 2).await?;
    let page = mine
        .post(&format!("/voice/ideas/{idea}/support/withdraw"), &[])
        .await?;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("not open"), "{}", page.body);
    assert!(store::supports(&app.db, idea, ours[0].id).await?);
    Ok(())
}

/// Participation by the staff group people gave: asked with the chosen name (optional,
/// from the staff survey's list, junk refused with nothing changed), counted only in the
/// final figures, small groups hidden with a second one so they cannot be had by
/// subtraction, and nothing by group for figures kept before groups were asked.
async fn voice_participation_by_staff_group(app: &TestApp) -> TestResult {
    use dignity_app::voice::figures::participation_at;
    use dignity_store::voice::{self as store, Actor, NewChallenge};
    let ctx = &app.state.app;
    let platform = Actor {
        email: "platform@nhs.net",
        ods_code: None,
    };
    let today = ctx.clock.today();
    let challenge_closing = |closes_on: Day| NewChallenge {
        organisation_id: Some(app.org.id),
        question: "How can we make breaks happen?".into(),
        description: "Tell us.".into(),
        topics: "wellbeing".into(),
        opens_on: today.plus_days(-40),
        closes_on,
        support_threshold: 5,
        answer_within_days: 30,
    };
    let closed_at = (today.days_since(Day::from_unix_seconds(0))) * 86_400;

    // The form: a group on the list is kept with the name; junk is refused and changes
    // nothing; "rather not say" forgets it.
    let first = app.person("group0@trust.nhs.uk", Some(Role::Staff)).await?;
    let mut browser = app.signed_in_browser(&first).await?;
    let page = browser.get("/voice/name").await?;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("I would rather not say"),
        "{}",
        page.body
    );
    let page = browser
        .post(
            "/voice/name",
            &[("display_name", "Blue Kettle"), ("staff_group", "Surgeons")],
        )
        .await?;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(
        page.body.contains("Choose a staff group from the list"),
        "{}",
        page.body
    );
    assert_eq!(store::display_name(&app.db, first.id).await?, None);
    let page = browser
        .post(
            "/voice/name",
            &[("display_name", "Blue Kettle"), ("staff_group", "")],
        )
        .await?;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(store::staff_group(&app.db, first.id).await?, None);
    let page = browser
        .post(
            "/voice/name",
            &[
                ("display_name", "Blue Kettle"),
                ("staff_group", "Nursing and midwifery"),
            ],
        )
        .await?;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(
        store::staff_group(&app.db, first.id).await?.as_deref(),
        Some("Nursing and midwifery")
    );
    let page = browser.get("/voice/name").await?;
    assert!(
        page.body
            .contains(r#"value="Nursing and midwifery" checked"#),
        "{}",
        page.body
    );
    // A form without the question (an older page, another client) leaves the group; a
    // refused name shows the kept group again, so sending the page again keeps it too.
    let page = browser
        .post("/voice/name", &[("display_name", "Blue Kettle")])
        .await?;
    assert_eq!(page.status, 303, "{}", page.body);
    let page = browser
        .post(
            "/voice/name",
            &[("display_name", "B"), ("staff_group", "Surgeons")],
        )
        .await?;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(
        page.body
            .contains(r#"value="Nursing and midwifery" checked"#),
        "{}",
        page.body
    );
    assert!(page.body.contains("Change my name"), "{}", page.body);
    assert_eq!(
        store::staff_group(&app.db, first.id).await?.as_deref(),
        Some("Nursing and midwifery")
    );
    // The form gave it today, after the challenge below closed; it stands for a group
    // given long before.
    sqlx::query("UPDATE voice_staff_groups SET given_at = 5 WHERE person_id = $1")
        .bind(first.id)
        .execute(app.db.pool())
        .await?;

    // (Made after the form: changing a group settles closed challenges' figures, and
    // these posts stand for ones made before the close.)
    let id = store::create_challenge(
        &app.db,
        platform,
        1,
        &challenge_closing(today.plus_days(-1)),
    )
    .await?;
    let challenge = store::challenge(&app.db, id).await?;
    // Twelve nurses (one of them through the form above), three doctors and eleven who
    // gave no group each share an idea before the challenge closed.
    local_idea(app, id, first.id, 10).await?;
    let mut people = Vec::new();
    for (n, group) in std::iter::repeat_n(Some("Nursing and midwifery"), 11)
        .chain(std::iter::repeat_n(Some("Medical and dental"), 3))
        .chain(std::iter::repeat_n(None, 11))
        .enumerate()
    {
        let p = app
            .person(&format!("group{}@trust.nhs.uk", n + 1), Some(Role::Staff))
            .await?;
        store::set_staff_group(&app.db, p.id, group, 5).await?;
        local_idea(app, id, p.id, 10).await?;
        people.push(p);
    }
    let shown = |d: &dignity_engine::disclosure::Disclosed<u64>| d.value().copied();

    // While open nothing is counted by group: the same challenge, a day before it closed.
    let open = participation_at(ctx, &challenge, closed_at - 86_400).await?;
    assert!(!open.is_final && open.staff_groups.is_none(), "{open:?}");

    // Once closed: the three doctors are hidden, and so is a second group (the eleven
    // not given), so the three cannot be had from the total; only shown groups are listed,
    // leaving at least ten unplaced.
    let closed = participation_at(ctx, &challenge, closed_at + 60).await?;
    assert!(closed.is_final);
    assert_eq!(shown(&closed.total.counts[0]), Some(26));
    let rows = closed.staff_groups.clone().unwrap_or_default();
    let listed: Vec<(&str, Option<u64>)> = rows
        .iter()
        .map(|r| (r.name.as_str(), shown(&r.took_part)))
        .collect();
    // Shown adjusted by up to two (the cell key method) and decided on the adjusted
    // counts: the three doctors never show; what shows is at least the minimum and
    // leaves at least the minimum unplaced.
    let mut placed = 0;
    for (group, count) in &listed {
        let count = count.ok_or("only shown groups are listed")?;
        let truth = match *group {
            "Nursing and midwifery" => 12,
            "Not given" => 11,
            other => return Err(format!("{other} shown: {closed:?}").into()),
        };
        assert!(count >= 10 && count.abs_diff(truth) <= 2, "{closed:?}");
        placed += count;
    }
    assert!(26 - placed >= 10, "{closed:?}");
    // What is kept is the release: no count of a hidden group, nothing before hiding.
    let (kept,): (String,) =
        sqlx::query_as("SELECT tables FROM voice_final_figures WHERE challenge_id = $1")
            .bind(id)
            .fetch_one(app.db.pool())
            .await?;
    assert!(
        !kept.contains("Medical") && !kept.contains("ideas by"),
        "{kept}"
    );
    assert!(
        closed.groups.is_empty(),
        "an organisation's own: no rows by organisation"
    );

    // Kept: a group changed afterwards changes nothing.
    store::set_staff_group(
        &app.db,
        people[11].id,
        Some("Nursing and midwifery"),
        closed_at + 100,
    )
    .await?;
    assert_eq!(
        participation_at(ctx, &challenge, closed_at + 30 * 86_400).await?,
        closed
    );
    // The breakdowns are for those who answer for the challenge: a member of staff sees
    // the totals and is told so (outside attack, 2026-12-07).
    let page = browser
        .get(&format!("/voice/challenges/{id}/figures"))
        .await?;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("By staff group"), "{}", page.body);
    assert!(
        page.body
            .contains("only for the people who answer this challenge"),
        "{}",
        page.body
    );
    let executive = app
        .person("answers@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let mut answerer = app.signed_in_browser(&executive).await?;
    let page = answerer
        .get(&format!("/voice/challenges/{id}/figures"))
        .await?;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("By staff group"), "{}", page.body);
    if let Some((group, _)) = listed.first() {
        assert!(
            page.body.contains(&format!(r#"<th role="rowheader" scope="row" class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">Staff group </span>{group}</th>"#)),
            "{}",
            page.body
        );
    }
    assert!(!page.body.contains("Medical and dental"), "{}", page.body);
    // Only how many took part, by group: a group's ideas, comments and support set
    // against its "took part" gave a hidden count away (outside attack, 2026-12-07).
    assert_eq!(
        page.body.matches(r#"scope="col">Shared an idea"#).count(),
        1,
        "{}",
        page.body
    );

    // Everyone in one group: showing it would say every name on the challenge is in it
    // (outside attack, 2026-12-07). And a group given after the close counts as not given,
    // so changing it then cannot shape figures not yet worked out.
    let one_group = store::create_challenge(
        &app.db,
        platform,
        1,
        &challenge_closing(today.plus_days(-1)),
    )
    .await?;
    for p in people.iter().take(11).chain([&first]) {
        local_idea(app, one_group, p.id, 10).await?;
    }
    let figures = participation_at(
        ctx,
        &store::challenge(&app.db, one_group).await?,
        closed_at + 60,
    )
    .await?;
    assert_eq!(shown(&figures.total.counts[0]), Some(12));
    assert_eq!(figures.staff_groups, Some(Vec::new()), "{figures:?}");
    let page = answerer
        .get(&format!("/voice/challenges/{one_group}/figures"))
        .await?;
    assert!(
        page.body.contains("No staff group can be shown"),
        "{}",
        page.body
    );
    // Changing a group after a close settles every closed challenge's figures first, so
    // the change cannot shape them however late they are first read (outside attack,
    // 2026-12-07): the figures of a challenge nobody has read yet are kept as it stood.
    let unread = store::create_challenge(
        &app.db,
        platform,
        1,
        &challenge_closing(today.plus_days(-1)),
    )
    .await?;
    // Twelve nurses (Blue Kettle among them) and eleven who gave no group.
    for p in people
        .iter()
        .take(11)
        .chain(people.iter().skip(14))
        .chain([&first])
    {
        local_idea(app, unread, p.id, 10).await?;
    }
    let settled = |id: i64| {
        let db = app.db.clone();
        async move { dignity_store::voice::figures::final_figures(&db, id).await }
    };
    assert_eq!(settled(unread).await?, None);
    let page = browser
        .post(
            "/voice/name",
            &[
                ("display_name", "Blue Kettle"),
                ("staff_group", "Ambulance"),
            ],
        )
        .await?;
    assert_eq!(page.status, 303, "{}", page.body);
    // Nobody had read them, and the housekeeping does not run here: only the change
    // itself can have settled them, before it was made.
    settled(unread).await?.ok_or("settled before the change")?;
    let late = &people[24];
    store::set_staff_group(&app.db, late.id, Some("Ambulance"), closed_at).await?;
    let took = dignity_store::voice::figures::took_part(&app.db, id, closed_at).await?;
    assert_eq!(took.staff_groups.get(&late.id), None, "given at the close");
    assert_eq!(
        took.staff_groups.get(&people[0].id).map(String::as_str),
        Some("Nursing and midwifery")
    );

    // Final figures kept before groups were asked have none by group, and say so.
    let older = store::create_challenge(
        &app.db,
        platform,
        1,
        &challenge_closing(today.plus_days(-2)),
    )
    .await?;
    local_idea(app, older, first.id, 10).await?;
    sqlx::query(
        "INSERT INTO voice_final_figures (challenge_id, counted_before, tables) VALUES ($1, $2, $3)",
    )
    .bind(older)
    .bind(closed_at - 86_400)
    .bind(r#"{"people":{"org-1":1},"ideas":{"org-1":1},"comments":{},"support":{}}"#)
    .execute(app.db.pool())
    .await?;
    let kept = participation_at(
        ctx,
        &store::challenge(&app.db, older).await?,
        closed_at + 60,
    )
    .await?;
    assert!(kept.is_final && kept.staff_groups.is_none(), "{kept:?}");
    let page = answerer
        .get(&format!("/voice/challenges/{older}/figures"))
        .await?;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("before we asked people for their staff group"),
        "{}",
        page.body
    );
    Ok(())
}

async fn local_idea(
    app: &TestApp,
    challenge_id: i64,
    author: i64,
    at: i64,
) -> Result<i64, Box<dyn std::error::Error>> {
    Ok(dignity_store::voice::post_idea(
        &app.db,
        at,
        &dignity_store::voice::NewIdea {
            challenge_id,
            author_id: author,
            title: format!("Local {author}"),
            body: "Because.".into(),
            held_because: None,
            topic: None,
        },
    )
    .await?)
}
