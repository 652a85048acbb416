//! Staff voice's use-cases on both databases: setting a challenge, chosen names, the check
//! that holds posts, support, answers and who may give them, rate limits and blocks. (The
//! pages come later; these call the use-cases the pages will call.)

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
