//! Staff voice's store: challenges, chosen names, ideas held or shown, support once per
//! person (under concurrency), comments one level deep, and official answers.

use crate::{TestResult, demo_org};
use dignity_domain::identity::{Email, Name};
use dignity_domain::speakup::Day;
use dignity_domain::voice::{IdeaOrder, IdeaState, Moderation};
use dignity_store::voice::follow::About;
use dignity_store::voice::{self, Actor, NewChallenge, NewComment, NewIdea, On};
use dignity_store::{Db, StoreError, audit, identity};

async fn person(db: &Db, n: usize) -> Result<i64, Box<dyn std::error::Error>> {
    Ok(identity::create_person(
        db,
        "cli",
        1,
        &Email::parse(&format!("person{n}@trust.nhs.uk"))?,
        &Name::parse(&format!("Person {n}"), "name")?,
        "hash",
    )
    .await?
    .id)
}

fn challenge(organisation_id: Option<i64>, question: &str) -> NewChallenge {
    NewChallenge {
        organisation_id,
        question: question.into(),
        description: "Tell us what would help.".into(),
        topics: "bullying".into(),
        opens_on: Day::from_unix_seconds(0),
        closes_on: Day::from_unix_seconds(400 * 86_400),
        support_threshold: 3,
        answer_within_days: 30,
    }
}

fn idea(challenge_id: i64, author_id: i64, title: &str) -> NewIdea {
    NewIdea {
        challenge_id,
        author_id,
        title: title.into(),
        body: "Because it would help.".into(),
        held_because: None,
        topic: None,
    }
}

pub(crate) async fn voice_keeps_ideas_support_once_and_comments_one_deep(db: Db) -> TestResult {
    let (rj1, rj2) = (demo_org(&db, "RJ1").await?, demo_org(&db, "RJ2").await?);
    let actor = Actor {
        email: "admin@trust.nhs.uk",
        ods_code: Some("RJ1"),
    };
    let national = voice::create_challenge(&db, actor, 10, &challenge(None, "National")).await?;
    let ours = voice::create_challenge(&db, actor, 20, &challenge(Some(rj1.id), "Ours")).await?;
    voice::create_challenge(&db, actor, 30, &challenge(Some(rj2.id), "Theirs")).await?;
    let seen: Vec<i64> = voice::challenges_for(&db, &[rj1.id])
        .await?
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(
        seen,
        vec![ours, national],
        "newest first, never another trust's"
    );
    assert_eq!(voice::challenge(&db, ours).await?.fields.question, "Ours");
    assert!(matches!(
        voice::challenge(&db, 9_999).await,
        Err(StoreError::NotFound(_))
    ));

    // Chosen names are unique whatever their case.
    let (ann, bob) = (person(&db, 1).await?, person(&db, 2).await?);
    voice::set_display_name(&db, ann, "Night Owl").await?;
    assert!(matches!(
        voice::set_display_name(&db, bob, "night owl").await,
        Err(StoreError::Conflict(_))
    ));
    voice::set_display_name(&db, ann, "Early Bird").await?;
    voice::set_display_name(&db, bob, "Night Owl").await?;
    assert_eq!(
        voice::display_name(&db, ann).await?.as_deref(),
        Some("Early Bird")
    );

    // A held idea is seen by its author alone until a moderator acts.
    let shown = voice::post_idea(&db, 100, &idea(ours, ann, "Quiet rooms")).await?;
    let held = voice::post_idea(
        &db,
        200,
        &NewIdea {
            held_because: Some("a phone number".into()),
            ..idea(ours, bob, "Call me")
        },
    )
    .await?;
    let titles = |ideas: Vec<voice::Idea>| ideas.into_iter().map(|i| i.title).collect::<Vec<_>>();
    let everyone = voice::ideas(&db, ours, IdeaOrder::Newest, Some(ann), (0, 20)).await?;
    assert_eq!(titles(everyone), vec!["Quiet rooms"]);
    let author = voice::ideas(&db, ours, IdeaOrder::Newest, Some(bob), (0, 20)).await?;
    assert_eq!(titles(author.clone()), vec!["Call me", "Quiet rooms"]);
    assert_eq!(author[0].moderation, Moderation::Held);
    assert_eq!(author[1].author_name.as_deref(), Some("Early Bird"));
    assert!(matches!(
        voice::support(&db, held, ann, 300).await,
        Err(StoreError::NotFound(_))
    ));

    // Support counts once however often it is asked; the threshold of 3 sets the day the
    // idea must be answered by, 30 days on.
    let first = voice::support(&db, shown, ann, 86_400).await?;
    assert!(first.added && first.supporters == 1 && first.answer_by.is_none());
    let again = voice::support(&db, shown, ann, 86_400).await?;
    assert!(!again.added && again.supporters == 1);
    voice::support(&db, shown, bob, 86_400).await?;
    let third = voice::support(&db, shown, person(&db, 3).await?, 86_400).await?;
    assert_eq!(third.supporters, 3);
    assert_eq!(third.answer_by, Some(Day::from_unix_seconds(31 * 86_400)));
    assert!(voice::withdraw_support(&db, shown, bob).await?);
    assert!(!voice::withdraw_support(&db, shown, bob).await?);
    assert!(!voice::supports(&db, shown, bob).await?);
    let after = voice::idea(&db, shown).await?;
    assert_eq!(after.supporters, 2);
    assert_eq!(after.answer_by, third.answer_by, "an answer-by date stays");

    // Comments, and replies one level deep on the same idea only.
    let top = voice::comment(
        &db,
        400,
        &NewComment {
            on: On::Idea(shown),
            reply_to: None,
            author_id: bob,
            body: "Yes please".into(),
            held_because: None,
        },
    )
    .await?;
    let reply = NewComment {
        on: On::Idea(shown),
        reply_to: Some(top),
        author_id: ann,
        body: "Thank you".into(),
        held_because: None,
    };
    let answer = voice::comment(&db, 500, &reply).await?;
    for bad in [
        NewComment {
            reply_to: Some(answer),
            ..reply.clone()
        },
        NewComment {
            on: On::Idea(held),
            ..reply.clone()
        },
        NewComment {
            reply_to: Some(9_999),
            ..reply.clone()
        },
    ] {
        assert!(
            matches!(
                voice::comment(&db, 600, &bad).await,
                Err(StoreError::NotFound(_))
            ),
            "{bad:?}"
        );
    }
    voice::comment(
        &db,
        700,
        &NewComment {
            held_because: Some("an NHS number".into()),
            ..reply.clone()
        },
    )
    .await?;
    let read = voice::comments(&db, On::Idea(shown), Some(bob)).await?;
    assert_eq!(
        read.iter()
            .map(|c| (c.reply_to, c.body.as_str()))
            .collect::<Vec<_>>(),
        vec![(None, "Yes please"), (Some(top), "Thank you")]
    );
    assert_eq!(
        voice::comments(&db, On::Idea(shown), Some(ann))
            .await?
            .len(),
        3
    );
    assert_eq!(
        voice::idea(&db, shown).await?.comments,
        2,
        "held ones uncounted"
    );

    // The orders: most discussed puts the commented idea first, newest the newer one.
    let newer = voice::post_idea(&db, 800, &idea(ours, bob, "Later")).await?;
    let order = |o| voice::ideas(&db, ours, o, None, (0, 20));
    assert_eq!(order(IdeaOrder::Newest).await?[0].id, newer);
    assert_eq!(order(IdeaOrder::MostDiscussed).await?[0].id, shown);
    assert_eq!(order(IdeaOrder::MostSupported).await?[0].id, shown);
    // Trending, read in order from its stored key: support and a comment outweigh a few
    // minutes of age.
    assert_eq!(order(IdeaOrder::Trending).await?[0].id, shown);
    assert_eq!(
        voice::ideas(&db, ours, IdeaOrder::Newest, None, (1, 1)).await?[0].id,
        shown
    );

    // An official answer moves the state, dated, and is audited.
    voice::answer(
        &db,
        actor,
        86_400 * 2,
        shown,
        IdeaState::Accepted,
        "We will do it",
    )
    .await?;
    let answered = voice::idea(&db, shown).await?;
    assert_eq!(answered.state, IdeaState::Accepted);
    assert_eq!(
        answered.answered_on,
        Some(Day::from_unix_seconds(2 * 86_400))
    );
    assert!(matches!(
        voice::answer(&db, actor, 1, held, IdeaState::Done, "no").await,
        Err(StoreError::NotFound(_))
    ));
    let logged = audit::list_for_organisation(&db, "RJ1", None, 20).await?;
    assert!(logged.iter().any(|e| e.action == "voice.answered"));
    assert!(logged.iter().any(|e| e.action == "voice.challenge_created"));
    Ok(())
}

/// Sixteen supports at once from one person count once; from sixteen people, sixteen.
pub(crate) async fn support_is_once_per_person_under_concurrency(db: Db) -> TestResult {
    let org = demo_org(&db, "RJ1").await?;
    let actor = Actor {
        email: "admin@trust.nhs.uk",
        ods_code: Some("RJ1"),
    };
    let ours = voice::create_challenge(&db, actor, 1, &challenge(Some(org.id), "Ours")).await?;
    let author = person(&db, 0).await?;
    let target = voice::post_idea(&db, 1, &idea(ours, author, "Rotas")).await?;
    // Each on its own task, so the two cores race them.
    let at_once = |people: Vec<i64>| {
        let tasks: Vec<_> = people
            .into_iter()
            .map(|p| {
                let db = db.clone();
                tokio::spawn(async move { voice::support(&db, target, p, 2).await })
            })
            .collect();
        async move {
            let mut done = Vec::new();
            for task in tasks {
                done.push(task.await);
            }
            done
        }
    };
    let mut added = 0;
    for outcome in at_once(vec![author; 16]).await {
        added += usize::from(outcome??.added);
    }
    assert_eq!(added, 1);
    assert_eq!(voice::idea(&db, target).await?.supporters, 1);

    let mut people = Vec::new();
    for n in 1..=16 {
        people.push(person(&db, n).await?);
    }
    for outcome in at_once(people).await {
        assert!(outcome??.added);
    }
    let idea = voice::idea(&db, target).await?;
    assert_eq!(idea.supporters, 17);
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM voice_supports WHERE idea_id = $1")
        .bind(target)
        .fetch_one(db.pool())
        .await?;
    assert_eq!(rows, 17, "the count and the rows agree");
    assert!(idea.answer_by.is_some());
    Ok(())
}

/// Reports, the queue by organisation, decisions shown on the post, appeals once, blocks,
/// and the audited way to see who wrote a post.
pub(crate) async fn moderation_decides_once_and_keeps_its_reasons(db: Db) -> TestResult {
    use dignity_store::voice::moderation::{self, Action, Post};
    let (rj1, rj2) = (demo_org(&db, "RJ1").await?, demo_org(&db, "RJ2").await?);
    let actor = Actor {
        email: "moderator@trust.nhs.uk",
        ods_code: Some("RJ1"),
    };
    let ours = voice::create_challenge(&db, actor, 1, &challenge(Some(rj1.id), "Ours")).await?;
    let theirs = voice::create_challenge(&db, actor, 1, &challenge(Some(rj2.id), "Theirs")).await?;
    let (ann, bob) = (person(&db, 1).await?, person(&db, 2).await?);
    let idea_id = voice::post_idea(&db, 10, &idea(ours, ann, "Rotas")).await?;
    let elsewhere = voice::post_idea(&db, 10, &idea(theirs, ann, "Parking")).await?;
    let held = voice::comment(
        &db,
        20,
        &NewComment {
            on: On::Idea(idea_id),
            reply_to: None,
            author_id: bob,
            body: "Ring 07700 900123".into(),
            held_because: Some("a phone number".into()),
        },
    )
    .await?;

    assert!(moderation::report(&db, Post::Idea(idea_id), bob, "Names a ward", 30).await?);
    assert!(!moderation::report(&db, Post::Idea(idea_id), bob, "Again", 31).await?);
    moderation::report(&db, Post::Idea(elsewhere), bob, "Off topic", 32).await?;
    let waiting = moderation::queue(&db, Some(rj1.id)).await?;
    assert_eq!(
        waiting.iter().map(|w| w.post).collect::<Vec<_>>(),
        vec![Post::Idea(idea_id), Post::Comment(held)],
        "oldest first, only this organisation's"
    );
    assert_eq!(waiting[0].reports, vec!["Names a ward"]);
    assert_eq!(waiting[1].held_because.as_deref(), Some("a phone number"));
    assert!(moderation::queue(&db, None).await?.is_empty());

    // Hiding keeps the rule and reason on the post and settles its reports; a second
    // moderator deciding the same gets a conflict, not a second decision.
    moderation::decide(
        &db,
        actor,
        Post::Idea(idea_id),
        Action::Hide,
        Some(3),
        "Names a ward",
        40,
    )
    .await?;
    let hidden = voice::idea(&db, idea_id).await?;
    assert_eq!(hidden.moderation, Moderation::Hidden);
    assert_eq!(
        hidden.moderation_reason.as_deref(),
        Some("breaks rule 3: Names a ward")
    );
    assert!(matches!(
        moderation::decide(
            &db,
            actor,
            Post::Idea(idea_id),
            Action::Hide,
            Some(3),
            "again",
            41
        )
        .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        moderation::decide(
            &db,
            actor,
            Post::Comment(held),
            Action::Restore,
            None,
            "no",
            41
        )
        .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(moderation::queue(&db, Some(rj1.id)).await?.len(), 1);

    // The author appeals once; the appeal puts the post back in the queue.
    assert!(matches!(
        moderation::appeal(&db, Post::Idea(idea_id), bob, "Not mine", 50).await,
        Err(StoreError::NotFound(_))
    ));
    moderation::appeal(&db, Post::Idea(idea_id), ann, "The ward is public", 50).await?;
    assert!(matches!(
        moderation::appeal(&db, Post::Idea(idea_id), ann, "Again", 51).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(moderation::queue(&db, Some(rj1.id)).await?.len(), 2);
    moderation::decide(
        &db,
        actor,
        Post::Idea(idea_id),
        Action::Restore,
        None,
        "Fair point",
        60,
    )
    .await?;
    assert_eq!(
        voice::idea(&db, idea_id).await?.moderation,
        Moderation::Shown
    );
    let decided = moderation::decisions(&db, Post::Idea(idea_id)).await?;
    assert_eq!(
        decided
            .iter()
            .map(|d| (d.action, d.rule))
            .collect::<Vec<_>>(),
        vec![(Action::Hide, Some(3)), (Action::Restore, None)]
    );

    // Releasing a held comment shows it and counts it on its idea.
    assert_eq!(voice::idea(&db, idea_id).await?.comments, 0);
    moderation::decide(
        &db,
        actor,
        Post::Comment(held),
        Action::Release,
        None,
        "A ward phone",
        70,
    )
    .await?;
    assert_eq!(voice::idea(&db, idea_id).await?.comments, 1);
    moderation::decide(
        &db,
        actor,
        Post::Comment(held),
        Action::Hide,
        Some(2),
        "A number",
        71,
    )
    .await?;
    assert_eq!(voice::idea(&db, idea_id).await?.comments, 0);
    assert!(moderation::queue(&db, Some(rj1.id)).await?.is_empty());

    moderation::block(&db, actor, bob, "Repeated personal details", 80).await?;
    assert!(moderation::is_blocked(&db, bob).await?);
    assert!(!moderation::is_blocked(&db, ann).await?);
    assert!(matches!(
        moderation::block(&db, actor, bob, "again", 81).await,
        Err(StoreError::Conflict(_))
    ));

    let email =
        moderation::author_of(&db, actor, Post::Comment(held), "Police request", 90).await?;
    assert_eq!(email, "person2@trust.nhs.uk");
    let logged = audit::list_for_organisation(&db, "RJ1", None, 50).await?;
    for action in ["voice.moderated", "voice.blocked", "voice.author_revealed"] {
        assert!(logged.iter().any(|e| e.action == action), "{action}");
    }
    assert!(matches!(
        moderation::report(&db, Post::Idea(9_999), ann, "x", 1).await,
        Err(StoreError::NotFound(_))
    ));
    Ok(())
}

/// The outside attack of 2026-12-06: forty ideas and a hundred comments sent at once by one
/// person slipped past the hourly limits, which were counted before the write. Counted in
/// the writing transaction, exactly the limit goes in.
pub(crate) async fn posting_limits_hold_under_concurrency(db: Db) -> TestResult {
    use voice::Limit;
    let org = demo_org(&db, "RJ1").await?;
    let actor = Actor {
        email: "admin@trust.nhs.uk",
        ods_code: Some("RJ1"),
    };
    let ours = voice::create_challenge(&db, actor, 1, &challenge(Some(org.id), "Ours")).await?;
    let author = person(&db, 0).await?;
    let limit = Some(Limit { since: 0, most: 10 });
    let tasks: Vec<_> = (0..30)
        .map(|n| {
            let db = db.clone();
            tokio::spawn(async move {
                voice::post_idea_within(&db, 5, &idea(ours, author, &format!("Idea {n}")), limit)
                    .await
            })
        })
        .collect();
    let mut kept = 0;
    for task in tasks {
        kept += usize::from(task.await??.is_some());
    }
    assert_eq!(kept, 10);
    let target = voice::post_idea(&db, 5, &idea(ours, author, "Open to comments")).await?;
    let tasks: Vec<_> = (0..30)
        .map(|n| {
            let db = db.clone();
            tokio::spawn(async move {
                let comment = NewComment {
                    on: On::Idea(target),
                    reply_to: None,
                    author_id: author,
                    body: format!("Comment {n}"),
                    held_because: None,
                };
                voice::comment_within(&db, 5, &comment, Some(Limit { since: 0, most: 12 })).await
            })
        })
        .collect();
    let mut kept = 0;
    for task in tasks {
        kept += usize::from(task.await??.is_some());
    }
    assert_eq!(kept, 12);
    assert_eq!(voice::idea(&db, target).await?.comments, 12);

    // A reply may point only at a shown comment: one to a held comment is refused, so it
    // cannot say the held one exists.
    let held = voice::comment(
        &db,
        6,
        &NewComment {
            on: On::Idea(target),
            reply_to: None,
            author_id: author,
            body: "Ring 07700 900123".into(),
            held_because: Some("a phone number".into()),
        },
    )
    .await?;
    let other = person(&db, 1).await?;
    let reply = voice::comment(
        &db,
        7,
        &NewComment {
            on: On::Idea(target),
            reply_to: Some(held),
            author_id: other,
            body: "Probe".into(),
            held_because: None,
        },
    )
    .await;
    assert!(matches!(reply, Err(StoreError::NotFound(_))), "{reply:?}");
    Ok(())
}

/// Following is once per person however often it is asked (two tabs at once), and of two
/// servers writing the same follower's digest at once, one writes it and one does nothing.
pub(crate) async fn followers_are_told_once_under_concurrency(db: Db) -> TestResult {
    use voice::follow::{self, Target};
    let org = demo_org(&db, "RJ1").await?;
    let actor = Actor {
        email: "admin@trust.nhs.uk",
        ods_code: Some("RJ1"),
    };
    let ours = voice::create_challenge(&db, actor, 1, &challenge(Some(org.id), "Ours")).await?;
    let (author, follower) = (person(&db, 0).await?, person(&db, 1).await?);
    // Both work there: news of an organisation's challenge goes only to its people.
    for id in [author, follower] {
        let someone = identity::get_person(&db, id).await?;
        identity::grant_role(
            &db,
            "cli",
            1,
            &someone,
            dignity_domain::identity::Role::Staff,
            Some(&org),
        )
        .await?;
    }
    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(
                async move { follow::follow(&db, follower, Target::Challenge(ours), 10).await },
            )
        })
        .collect();
    let mut added = 0;
    for task in tasks {
        added += usize::from(task.await??);
    }
    assert_eq!(added, 1);
    assert!(follow::follows(&db, follower, Target::Challenge(ours)).await?);

    // A held idea is no news; a shown one, and its answer, are.
    voice::post_idea(
        &db,
        20,
        &NewIdea {
            held_because: Some("a phone number".into()),
            ..idea(ours, author, "Call me")
        },
    )
    .await?;
    let shown = voice::post_idea(&db, 30, &idea(ours, author, "Rotas")).await?;
    voice::answer(&db, actor, 40, shown, IdeaState::Accepted, "Yes").await?;
    let (due, _) = follow::due_digests(&db, 500, 86_400).await?;
    assert!(due.is_empty(), "not a day since following: {due:?}");
    let (due, newest) = follow::due_digests(&db, 10 + 86_400, 86_400).await?;
    let mut people: Vec<i64> = due.iter().map(|d| d.person_id).collect();
    people.sort_unstable();
    assert_eq!(
        people,
        vec![follower],
        "the author hears nothing of posting"
    );
    let place = due[0].told_through;
    let told = follow::events_for(&db, follower, (place, newest), 10).await?;
    let kinds: Vec<_> = told.iter().map(|e| (e.kind, e.about)).collect();
    assert_eq!(
        kinds,
        vec![
            (follow::EventKind::Idea, About::Idea(shown)),
            (follow::EventKind::Answer, About::Idea(shown))
        ]
    );
    let mail = dignity_store::mail::NewMail {
        purpose: "voice-digest".into(),
        to: "person1@trust.nhs.uk".into(),
        subject: "News".into(),
        body: "News".into(),
        attachment: None,
    };
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let (db, mail) = (db.clone(), mail.clone());
            tokio::spawn(async move {
                follow::deliver_digest(&db, follower, (place, newest), Some(&mail), 10 + 86_400)
                    .await
            })
        })
        .collect();
    let mut delivered = 0;
    for task in tasks {
        delivered += usize::from(task.await??);
    }
    assert_eq!(delivered, 1);
    assert_eq!(
        dignity_store::mail::waiting(&db, "voice-digest").await?,
        1,
        "one email"
    );
    // Later, the follower has nothing new; the author, who follows their idea, hears of
    // its answer (a day after they posted it).
    let (due, _) = follow::due_digests(&db, 10 + 3 * 86_400, 86_400).await?;
    let people: Vec<i64> = due.iter().map(|d| d.person_id).collect();
    assert_eq!(people, vec![author], "{due:?}");
    assert!(follow::unfollow(&db, follower, Target::Challenge(ours)).await?);
    assert!(!follow::unfollow(&db, follower, Target::Challenge(ours)).await?);

    // Following something new later tells only what happens after: news from before
    // (here, answers given while they followed something else) is not told, however old
    // their place (an outside attack, 2026-12-06).
    let national =
        voice::create_challenge(&db, actor, 100, &challenge(None, "For everyone")).await?;
    let old_news = voice::post_idea(&db, 200, &idea(national, author, "Earlier")).await?;
    voice::answer(&db, actor, 300, old_news, IdeaState::Considering, "Maybe").await?;
    assert!(follow::follow(&db, follower, Target::Challenge(ours), 400).await?);
    assert!(follow::follow(&db, follower, Target::Challenge(national), 400).await?);
    let later = 10 + 5 * 86_400;
    let (due, _) = follow::due_digests(&db, later, 86_400).await?;
    assert!(
        !due.iter().any(|d| d.person_id == follower),
        "old news is not news: {due:?}"
    );

    // Someone who leaves an organisation hears no more of its challenges, and the news
    // they may still read is not lost behind what they may not.
    for n in 0..60 {
        voice::answer(&db, actor, 500 + n, shown, IdeaState::Accepted, "Still yes").await?;
    }
    voice::answer(&db, actor, 600, old_news, IdeaState::Accepted, "Yes").await?;
    let (due, newest) = follow::due_digests(&db, later, 86_400).await?;
    let place = due
        .iter()
        .find(|d| d.person_id == follower)
        .ok_or("the follower has news")?
        .told_through;
    sqlx::query("DELETE FROM memberships WHERE person_id = $1")
        .bind(follower)
        .execute(db.pool())
        .await?;
    let told = follow::events_for(&db, follower, (place, newest), 51).await?;
    let ideas: Vec<About> = told.iter().map(|e| e.about).collect();
    assert_eq!(
        ideas,
        vec![About::Idea(old_news)],
        "only the national answer: {told:?}"
    );
    Ok(())
}

/// A leader's update on a challenge: listed newest first under their real name, told to
/// the challenge's followers, and open to comments that are counted, held and moderated
/// as comments on ideas are, never crossing to another post.
pub(crate) async fn leaders_updates_take_moderated_comments_and_tell_followers(
    db: Db,
) -> TestResult {
    use dignity_store::voice::follow::{self, EventKind, Target};
    use dignity_store::voice::moderation::{self, Action, Post};
    use dignity_store::voice::updates::{self, NewUpdate};

    let org = demo_org(&db, "RJ1").await?;
    let actor = Actor {
        email: "leader@trust.nhs.uk",
        ods_code: Some("RJ1"),
    };
    let ours = voice::create_challenge(&db, actor, 1, &challenge(Some(org.id), "Ours")).await?;
    let (leader, staff, follower) = (
        person(&db, 0).await?,
        person(&db, 1).await?,
        person(&db, 2).await?,
    );
    let someone = identity::get_person(&db, follower).await?;
    identity::grant_role(
        &db,
        "cli",
        1,
        &someone,
        dignity_domain::identity::Role::Staff,
        Some(&org),
    )
    .await?;
    follow::follow(&db, follower, Target::Challenge(ours), 5).await?;
    let idea_id = voice::post_idea(&db, 8, &idea(ours, staff, "Rotas")).await?;

    let write = |title: &str| NewUpdate {
        challenge_id: ours,
        author_id: leader,
        title: title.into(),
        body: "Here is what we did.".into(),
    };
    let first = updates::post_update(&db, actor, 10, &write("First")).await?;
    let second = updates::post_update(&db, actor, 20, &write("Second")).await?;
    let listed = updates::updates(&db, ours, 10).await?;
    assert_eq!(
        listed.iter().map(|u| u.id).collect::<Vec<_>>(),
        vec![second, first],
        "newest first"
    );
    assert_eq!(listed[0].author_name, "Person 0", "a leader is named");
    assert!(matches!(
        updates::update(&db, 9_999).await,
        Err(StoreError::NotFound(_))
    ));

    // Comments and replies on the update; a reply cannot point at a comment elsewhere.
    let on_update = |reply_to, body: &str, held: Option<&str>| NewComment {
        on: On::Update(first),
        reply_to,
        author_id: staff,
        body: body.into(),
        held_because: held.map(Into::into),
    };
    let top = voice::comment(&db, 30, &on_update(None, "Thank you", None)).await?;
    voice::comment(&db, 31, &on_update(Some(top), "Agreed", None)).await?;
    let on_idea = voice::comment(
        &db,
        32,
        &NewComment {
            on: On::Idea(idea_id),
            ..on_update(None, "On the idea", None)
        },
    )
    .await?;
    for (bad, why) in [
        (
            on_update(Some(on_idea), "Cross", None),
            "a reply to another post",
        ),
        (
            NewComment {
                on: On::Update(9_999),
                ..on_update(None, "Nowhere", None)
            },
            "no such update",
        ),
    ] {
        assert!(
            matches!(
                voice::comment(&db, 33, &bad).await,
                Err(StoreError::NotFound(_))
            ),
            "{why}"
        );
    }
    let held = voice::comment(
        &db,
        34,
        &on_update(None, "Ring 07700 900123", Some("a phone number")),
    )
    .await?;
    assert_eq!(
        updates::update(&db, first).await?.comments,
        2,
        "held ones uncounted"
    );
    assert_eq!(
        voice::idea(&db, idea_id).await?.comments,
        1,
        "the idea counts its own"
    );
    assert_eq!(
        voice::comments(&db, On::Update(first), Some(follower))
            .await?
            .len(),
        2,
        "another reader sees no held comment"
    );
    assert!(
        voice::comments(&db, On::Update(second), Some(staff))
            .await?
            .is_empty()
    );

    // The held comment waits in the organisation's queue, named as on the update; letting
    // it through counts it, hiding it uncounts it.
    let waiting = moderation::queue(&db, Some(org.id)).await?;
    assert_eq!(
        waiting.iter().map(|w| (w.post, w.on)).collect::<Vec<_>>(),
        vec![(Post::Comment(held), On::Update(first))]
    );
    assert_eq!(
        moderation::organisation_of(&db, Post::Comment(held)).await?,
        Some(org.id)
    );
    moderation::decide(
        &db,
        actor,
        Post::Comment(held),
        Action::Release,
        None,
        "Fine",
        40,
    )
    .await?;
    assert_eq!(updates::update(&db, first).await?.comments, 3);
    moderation::decide(
        &db,
        actor,
        Post::Comment(top),
        Action::Hide,
        Some(2),
        "Rude",
        41,
    )
    .await?;
    assert_eq!(updates::update(&db, first).await?.comments, 2);
    assert_eq!(voice::idea(&db, idea_id).await?.comments, 1);

    // The challenge's follower hears of both updates, after the idea.
    let (due, newest) = follow::due_digests(&db, 5 + 86_400, 86_400).await?;
    assert_eq!(
        due.iter().map(|d| d.person_id).collect::<Vec<_>>(),
        vec![follower]
    );
    let told = follow::events_for(&db, follower, (due[0].told_through, newest), 10).await?;
    assert_eq!(
        told.iter().map(|e| (e.kind, e.about)).collect::<Vec<_>>(),
        vec![
            (EventKind::Idea, About::Idea(idea_id)),
            (EventKind::Update, About::Update(first)),
            (EventKind::Update, About::Update(second)),
        ]
    );
    assert_eq!(told[1].title, "First");
    let audited = audit::list_for_organisation(&db, "RJ1", None, 50).await?;
    assert!(
        audited.iter().any(|e| e.action == "voice.update_posted"),
        "posting an update is audited"
    );
    Ok(())
}
