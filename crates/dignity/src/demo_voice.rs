//! The demo's staff voice (issue 20): a national challenge on working without fear of
//! bullying, as the first real one was, and one of the demo trust's own, with made-up
//! ideas, support, comments and an answer, in made-up words.

use dignity_app::Db;
use dignity_app::demo::voice::{self, Actor, NewChallenge, NewComment, NewIdea, On};
use dignity_app::identity::Organisation;
use dignity_domain::identity::Role;
use dignity_domain::speakup::Day;
use dignity_domain::voice::IdeaState;

/// Chosen names for some demo accounts, and the staff groups they gave (some gave none;
/// staff@demo.nhs.uk chooses their own).
const NAMES: &[(Role, &str, Option<&str>)] = &[
    (
        Role::UnionPartner,
        "Tea Break",
        Some("Nursing and midwifery"),
    ),
    (
        Role::ErLead,
        "Night Owl 7",
        Some("Administrative and clerical"),
    ),
    (Role::Investigator, "Ward Walker", None),
    (
        Role::OrgAdmin,
        "Rota Fixer",
        Some("Administrative and clerical"),
    ),
    (
        Role::Guardian,
        "Open Door",
        Some("Allied health professionals"),
    ),
];

/// The challenges' topics, as library topic codes.
const NATIONAL_TOPICS: &str = "civility,line_management,speaking_up";
const LOCAL_TOPICS: &str = "civility,wellbeing";

pub async fn seed(
    db: &Db,
    main: &Organisation,
    people: &[(i64, Role)],
    now: i64,
) -> anyhow::Result<()> {
    let today = Day::from_unix_seconds(now);
    let person = |role: Role| people.iter().find(|(_, r)| *r == role).map(|(id, _)| *id);
    for (role, name, group) in NAMES {
        if let Some(id) = person(*role) {
            voice::set_display_name(db, id, name).await?;
            voice::set_staff_group(db, id, *group, now - 30 * 86_400).await?;
        }
    }
    let platform = Actor {
        email: "platform@demo.nhs.uk",
        ods_code: None,
    };
    let national = voice::create_challenge(
        db,
        platform,
        now - 20 * 86_400,
        &NewChallenge {
            organisation_id: None,
            question: "How can we make sure nobody works in fear of bullying?".into(),
            description: "Bullying harms the people it happens to and the patients they care for. \
                Tell us one change that would help where you work. Leaders across the NHS will \
                read every idea and answer the ones with most support."
                .into(),
            topics: NATIONAL_TOPICS.into(),
            opens_on: today.plus_days(-20),
            closes_on: today.plus_days(60),
            support_threshold: 3,
            answer_within_days: 30,
        },
    )
    .await?;
    let local = voice::create_challenge(
        db,
        Actor {
            email: "admin@demo.nhs.uk",
            ods_code: Some(&main.ods_code),
        },
        now - 5 * 86_400,
        &NewChallenge {
            organisation_id: Some(main.id),
            question: "What would make shift handovers kinder?".into(),
            description:
                "Handovers are where tired people meet busy people. What would help them go well?"
                    .into(),
            topics: LOCAL_TOPICS.into(),
            opens_on: today.plus_days(-5),
            closes_on: today.plus_days(40),
            support_threshold: 5,
            answer_within_days: 21,
        },
    )
    .await?;
    let ideas = [
        (
            national,
            Role::UnionPartner,
            "Teach every new manager how to handle conflict",
            "Most managers are never shown how to step in early. A half-day course in the first month would help them act before things get worse.",
            Some("line_management"),
            10,
        ),
        (
            national,
            Role::ErLead,
            "A named person to talk to on every night shift",
            "At night there is often nobody senior to ask. A named, trained person on each night shift would give people somewhere to go.",
            Some("speaking_up"),
            7,
        ),
        (
            national,
            Role::Investigator,
            "Say thank you in team meetings",
            "Start each team meeting with one thank you. It costs nothing and sets the tone.",
            Some("civility"),
            2,
        ),
        (
            local,
            Role::OrgAdmin,
            "A quiet five minutes before handover",
            "Let the team coming on read the notes for five minutes before anyone speaks.",
            None,
            3,
        ),
    ];
    let mut posted = Vec::new();
    for (challenge, role, title, body, topic, days_ago) in ideas {
        let Some(author) = person(role) else { continue };
        let id = voice::post_idea(
            db,
            now - days_ago * 86_400,
            &NewIdea {
                challenge_id: challenge,
                author_id: author,
                title: title.into(),
                body: body.into(),
                held_because: None,
                topic: topic.map(str::to_owned),
            },
        )
        .await?;
        posted.push(id);
    }
    // One the check held, waiting for the demo trust's moderator.
    if let Some(author) = person(Role::Guardian) {
        voice::post_idea(
            db,
            now - 86_400,
            &NewIdea {
                challenge_id: local,
                author_id: author,
                title: "Call the ward first".into(),
                body: "Ring the ward on 01632 960001 before handover so we know who is coming."
                    .into(),
                held_because: Some("a phone number".into()),
                topic: None,
            },
        )
        .await?;
    }
    // Support from the other named accounts, and a comment with a reply.
    if let Some(&first) = posted.first() {
        for (role, _, _) in NAMES.iter().skip(1) {
            if let Some(id) = person(*role) {
                voice::support(db, first, id, now - 5 * 86_400).await?;
            }
        }
        if let (Some(er), Some(union)) = (person(Role::ErLead), person(Role::UnionPartner)) {
            let comment = voice::comment(
                db,
                now - 4 * 86_400,
                &NewComment {
                    on: On::Idea(first),
                    reply_to: None,
                    author_id: er,
                    body: "Yes. And give them someone to ask afterwards.".into(),
                    held_because: None,
                },
            )
            .await?;
            voice::comment(
                db,
                now - 3 * 86_400,
                &NewComment {
                    on: On::Idea(first),
                    reply_to: Some(comment),
                    author_id: union,
                    body: "Our union reps could help run it.".into(),
                    held_because: None,
                },
            )
            .await?;
        }
        voice::answer(
            db,
            platform,
            now - 86_400,
            first,
            IdeaState::Accepted,
            "We will add a conflict session to the new managers' programme from April. We will report back here on how it goes.",
        )
        .await?;
    }
    // A leaders' update, with a comment from staff.
    if let Some(admin) = person(Role::PlatformAdmin) {
        let update = voice::updates::post_update(
            db,
            platform,
            now - 2 * 86_400,
            &voice::updates::NewUpdate {
                challenge_id: national,
                author_id: admin,
                title: "What you have told us so far".into(),
                body: "Thank you for every idea so far. Three things come up again and again:\n\n\
                    - managers who have never been shown how to handle a conflict\n\
                    - not knowing who to talk to after a hard shift\n\
                    - rotas that leave no time to talk as a team\n\n\
                    We have accepted the idea with most support. Keep the ideas coming."
                    .into(),
            },
        )
        .await?;
        if let Some(er) = person(Role::ErLead) {
            voice::comment(
                db,
                now - 86_400,
                &NewComment {
                    on: On::Update(update),
                    reply_to: None,
                    author_id: er,
                    body: "Good to see this written down. The rota point matters most on nights."
                        .into(),
                    held_because: None,
                },
            )
            .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use dignity_domain::library::{Topic, parse_codes};

    #[test]
    fn the_demo_challenges_topics_are_known_codes() {
        for topics in [NATIONAL_TOPICS, LOCAL_TOPICS] {
            assert!(
                parse_codes::<Topic>(topics).is_ok_and(|t| t.len() >= 2),
                "{topics}"
            );
        }
    }
}
