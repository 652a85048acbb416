//! Junk sent to every form by a caller the route lets in, with ids of things that exist
//! (issue 24), so the junk reaches the handler's own reading of its input rather than
//! stopping at the access check or at "not found".

use crate::support::{Browser, PASSPHRASE, TestApp, TestResult};
use crate::{MATRIX, Who};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use dignity_domain::identity::Role;
use dignity_domain::speakup::Day;
use dignity_domain::survey::Participation;
use dignity_store::plans;
use dignity_store::survey::{self, Campaign};
use std::collections::BTreeMap;

dignity_store::on_both_backends!(
    crate::support::run;
    junk_that_reaches_every_handler_is_refused_for_its_input,
    every_page_is_served_to_every_caller_allowed_it,
);

const JUNK: &[&[u8]] = &[
    b"",
    b"%%%%&&&===",
    &[0xff, 0xfe, 0x00, 0x80],
    b"email[]=a&email[]=b&passphrase=x&title[]=1&decision=maybe",
    b"kind=cathedral&parent=not-a-number&name=%00&day=31-02-2026&capacity=-4&status=lost",
    b"code=%F0%9F%92%A9%F0%9F%92%A9&secret=%00&page=999999999999999999999&go=send",
    b"guardian=nobody&elements=nothing&group=-1&side=both&version=new&decision=later",
];

/// Routes that take no input: the button is the whole request (junk alongside the form
/// token is ignored, as it should be), so they are not expected to refuse it.
const NO_INPUT: &[&str] = &[
    "/sign-out",
    "/orgs/{ods}/speak-up/past-cases",
    "/library/{id}/retire",
    "/library/{id}/reviewed",
    "/orgs/{ods}/library/{pin}/remove",
    "/orgs/{ods}/plans/{plan}/groups/{group}/remove",
    "/orgs/{ods}/plans/{plan}/actions/{action}/remove",
    "/orgs/{ods}/plans/{plan}/indicators/{indicator}/remove",
    "/orgs/{ods}/plans/{plan}/milestones/{milestone}/remove",
    "/orgs/{ods}/plans/{plan}/copy",
    "/orgs/{ods}/plans/{plan}/approve",
    "/news/subscribe/confirm",
    "/follow/confirm",
    "/events/booking/cancel",
    "/orgs/{ods}/just-culture/share",
    "/voice/ideas/{id}/support",
    "/voice/ideas/{id}/support/withdraw",
];

/// Routes whose input names what they act on (a token from an email, a receipt code):
/// junk names nothing, so "not found" is the right answer.
const NAMED_BY_INPUT: &[&str] = &[
    "/follow/confirm",
    "/news/subscribe/confirm",
    "/events/booking/cancel",
    // The organisation whose sign-in service to go to.
    "/sign-in/provider",
];

/// What exists, by the name of the path parameter it fills.
async fn things_that_exist(
    app: &TestApp,
    speak_up_ready: bool,
) -> Result<BTreeMap<&'static str, String>, Box<dyn std::error::Error>> {
    let mut ids = BTreeMap::new();
    ids.insert("{ods}", "RJ1".to_owned());
    ids.insert("{standard}", "wres".to_owned());

    let (_, plan, _, _) = crate::plans::signed_plan(app).await?;
    let actions = plans::actions(&app.db, plan.id).await?;
    let action = actions.last().ok_or("an action")?;
    let groups = plans::groups(&app.db, plan.id).await?;
    let milestones = plans::milestones(&app.db, plan.id).await?;
    let indicators = plans::indicators(&app.db, plan.id).await?;
    ids.insert("{plan}", plan.id.to_string());
    let published = plans::get_plan(&app.db, plan.id)
        .await?
        .published_version
        .ok_or("a signed version")?;
    ids.insert("{version}", published.to_string());
    ids.insert("{action}", action.id.to_string());
    ids.insert("{group}", groups.first().ok_or("a group")?.id.to_string());
    ids.insert(
        "{milestone}",
        milestones.first().ok_or("a milestone")?.id.to_string(),
    );
    ids.insert(
        "{indicator}",
        indicators.first().ok_or("an indicator")?.id.to_string(),
    );
    let staff = app.person("sam@trust.nhs.uk", Some(Role::Staff)).await?;
    ids.insert("person", staff.id.to_string());
    let mut sam = app.signed_in_browser(&staff).await?;
    sam.post(
        &format!("/orgs/RJ1/plans/{}/actions/{}/comment", plan.id, action.id),
        &[("comment", "The training helped.")],
    )
    .await?;
    let waiting = plans::comments(&app.db, app.org.id, plans::CommentState::Waiting).await?;
    ids.insert(
        "{comment}",
        waiting.first().ok_or("a comment")?.id.to_string(),
    );

    // A national challenge, open to everyone signed in, with an idea by RJ1's staff.
    let today = app.state.app.clock.today();
    let now = app.state.app.clock.now();
    let challenge = dignity_store::voice::create_challenge(
        &app.db,
        dignity_store::voice::Actor {
            email: "platform@nhs.net",
            ods_code: None,
        },
        now,
        &dignity_store::voice::NewChallenge {
            organisation_id: None,
            question: "How can we make breaks happen?".into(),
            description: "Tell us what gets in the way.".into(),
            topics: "wellbeing".into(),
            opens_on: today,
            closes_on: today.plus_days(60),
            support_threshold: 5,
            answer_within_days: 30,
        },
    )
    .await?;
    ids.insert("voice challenge", challenge.to_string());
    let idea = dignity_store::voice::post_idea(
        &app.db,
        now,
        &dignity_store::voice::NewIdea {
            challenge_id: challenge,
            author_id: staff.id,
            title: "A quiet room on every floor".into(),
            body: "Somewhere to sit for ten minutes.".into(),
            held_because: None,
            topic: Some("wellbeing".into()),
        },
    )
    .await?;
    ids.insert("voice idea", idea.to_string());
    // A leaders' update on it, by a platform administrator.
    let leader = app
        .person("voice.lead@nhs.net", Some(Role::PlatformAdmin))
        .await?;
    let update = dignity_store::voice::updates::post_update(
        &app.db,
        dignity_store::voice::Actor {
            email: "voice.lead@nhs.net",
            ods_code: None,
        },
        now,
        &dignity_store::voice::updates::NewUpdate {
            challenge_id: challenge,
            author_id: leader.id,
            title: "What you told us".into(),
            body: "Thank you for every idea.".into(),
        },
    )
    .await?;
    ids.insert("voice update", update.to_string());
    // A feed key of the staff member's, so their challenge's feed exists.
    let key = "feedkeyfeedkeyfeedkeyfeedkeyfeedkeyfeedkeyf";
    dignity_store::voice::follow::set_feed_key(
        &app.db,
        staff.id,
        &dignity_crypto::token::token_digest(key),
        now,
    )
    .await?;
    ids.insert("{key}", key.to_owned());

    // A board member with a seat: the record's words are sealed to a throwaway key, so
    // callers see it locked, as a chair whose key is not unlocked would.
    let board_member = app
        .person("board.member@trust.nhs.uk", Some(Role::Executive))
        .await?;
    let throwaway = dignity_crypto::speakup::ConcernKey::generate();
    let member = dignity_store::leadership::add_member(
        &app.db,
        "test",
        now,
        &app.org,
        &dignity_store::leadership::NewMember {
            person_id: board_member.id,
            added_on: Day::from_unix_seconds(now),
            public_key: throwaway.public_key(),
            profile: dignity_crypto::speakup::encrypt_to(&throwaway.public_key(), b"{}")?,
            seals: Vec::new(),
        },
    )
    .await?;
    ids.insert("board member", member.to_string());
    let seat = dignity_store::leadership::add_seat(
        &app.db,
        "test",
        now,
        &app.org,
        member,
        &dignity_domain::leadership::Seat {
            kind: dignity_domain::leadership::SeatKind::Executive,
            title: "Chief nurse".into(),
            voting: true,
            interim: false,
            starts_on: Day::from_unix_seconds(now),
            ends_on: None,
        },
    )
    .await?;
    ids.insert("{seat}", seat.to_string());
    // A round with the member concluded and its return signed, so the public register
    // has the organisation and the return downloads.
    let round = dignity_store::leadership::rounds::open_round(
        &app.db,
        "test",
        now,
        &app.org,
        &dignity_store::leadership::rounds::NewRound {
            year: Day::from_unix_seconds(now).ymd().0,
            opened_on: Day::from_unix_seconds(now),
            due_on: Day::from_unix_seconds(now),
            opened_by: board_member.id,
            member_ids: vec![member],
            reminders: Vec::new(),
        },
    )
    .await?;
    dignity_store::leadership::rounds::conclude(
        &app.db,
        "test",
        now,
        &app.org,
        &dignity_store::leadership::rounds::NewConclusion {
            round_id: round,
            member_id: member,
            conclusion: dignity_domain::leadership::Conclusion::Fit,
            serious_misconduct: false,
            without_everything: true,
            concluded_on: Day::from_unix_seconds(now),
            concluded_by: board_member.id,
            notes: b"sealed",
        },
    )
    .await?;
    dignity_store::leadership::rounds::sign(
        &app.db,
        "test",
        now,
        &app.org,
        &dignity_store::leadership::rounds::Signing {
            round_id: round,
            signed_on: Day::from_unix_seconds(now),
            signed_by: board_member.id,
            published: "[]",
            return_rows: "[]",
            version: 2,
        },
    )
    .await?;
    ids.insert("board round", round.to_string());
    // A board pack, issued by an executive.
    let executive = app.person("ed@trust.nhs.uk", Some(Role::Executive)).await?;
    let mut ed = app.signed_in_browser(&executive).await?;
    let quarter = dignity_app::board::pack::quarters(&app.state.app)
        .first()
        .ok_or("a quarter")?
        .to_string();
    let page = ed
        .post("/orgs/RJ1/board-pack/issue", &[("quarter", &quarter)])
        .await?;
    let location = page.location.ok_or(page.body)?;
    ids.insert(
        "board pack",
        location.rsplit('/').next().unwrap_or_default().to_owned(),
    );
    ids.insert("{member}", member.to_string());
    ids.insert("{region}", "london".to_owned());
    ids.insert("{year}", Day::from_unix_seconds(now).ymd().0.to_string());
    // The same person on RJ2's board, which asks for RJ1's reference.
    let throwaway = dignity_crypto::speakup::ConcernKey::generate();
    let elsewhere = dignity_store::leadership::add_member(
        &app.db,
        "test",
        now,
        &app.other_org,
        &dignity_store::leadership::NewMember {
            person_id: board_member.id,
            added_on: Day::from_unix_seconds(now),
            public_key: throwaway.public_key(),
            profile: dignity_crypto::speakup::encrypt_to(&throwaway.public_key(), b"{}")?,
            seals: Vec::new(),
        },
    )
    .await?;
    let request = dignity_store::leadership::references::request(
        &app.db,
        "test",
        now,
        (&app.other_org, &app.org),
        (elsewhere, member),
        (Day::from_unix_seconds(now), board_member.id),
    )
    .await?;
    ids.insert("{request}", request.to_string());

    let resources = crate::library::seed(app).await?;
    ids.insert("{id}", resources.first().ok_or("a resource")?.to_string());
    dignity_store::library::add_pin(&app.db, "test", &app.org, 1, "Our guardians", "Gina", "")
        .await?;
    let pins = dignity_store::library::pins(&app.db, app.org.id).await?;
    ids.insert("{pin}", pins.first().ok_or("a pin")?.id.to_string());

    // An event organised by RJ1's administrators, so they may see who booked.
    let admin = app
        .person("olive@trust.nhs.uk", Some(Role::OrgAdmin))
        .await?;
    let mut olive = app.signed_in_browser(&admin).await?;
    let event = crate::events::webinar_by(&mut olive, "20").await?;
    ids.insert("event", event.to_string());
    let page = olive
        .post(
            "/news/new",
            &[
                ("title", "Civility week"),
                ("body", "A week of talks on civility at work."),
                ("audiences", "staff"),
                ("topics", "civility"),
            ],
        )
        .await?;
    let location = page.location.ok_or(page.body)?;
    ids.insert("news", location.trim_start_matches("/news/").to_owned());

    // A concern with a file attached.
    if !speak_up_ready {
        crate::speakup::speak_up_on(app).await?;
    }
    let mut reporter = app.browser();
    let token = reporter.csrf().await?;
    let (content_type, body) = crate::support::multipart(
        &[
            ("identity", "anonymous"),
            ("what_happened", crate::speakup::WHAT),
            ("patient_safety", "no"),
        ],
        "attachments",
        &[("notes.txt", b"Night of the 3rd: shouting again.")],
    );
    let page = reporter
        .send(
            Request::post(format!("/speak-up/RJ1?csrf_token={token}"))
                .header(header::CONTENT_TYPE, content_type)
                .body(Body::from(body))?,
        )
        .await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let case = crate::speakup::only_case_id(app).await?;
    ids.insert("case", case.to_string());
    let file = dignity_store::speakup::entries(&app.db, case)
        .await?
        .into_iter()
        .find(|e| e.kind == dignity_domain::speakup::EntryKind::Attachment)
        .ok_or("an attachment")?;
    ids.insert("{entry}", file.id.to_string());

    // A decision guide record by a staff member, waiting for its check.
    let page = sam
        .post(
            "/orgs/RJ1/just-culture/guide",
            &[
                ("person_name", "Pat Example"),
                ("incident", "Left a ward door unlocked."),
                ("q-harm_intended", "yes"),
                ("reason-harm_intended", "Said they meant to."),
                ("decided", "formal"),
                ("step", "record"),
            ],
        )
        .await?;
    assert!(page.status.is_redirection(), "{}", page.body);
    let guides = dignity_store::justculture::list_guides(&app.db, app.org.id, None).await?;
    ids.insert(
        "guide",
        guides.first().ok_or("a guide record")?.id.to_string(),
    );

    // An employee relations case, opened by a lead with a case key.
    app.person("erl@trust.nhs.uk", Some(Role::ErLead)).await?;
    let mut erl = crate::speakup::sign_in_guardian(app, "erl@trust.nhs.uk").await?;
    let (y, m, d) = Day::from_unix_seconds(dignity_web::now()).ymd();
    let page = erl
        .post(
            "/orgs/RJ1/er-cases/new",
            &[
                ("case_type", "grievance"),
                ("person_name", "Pat Example"),
                ("first_stage", "investigation"),
                ("summary", "Says their rota is unfair."),
                ("opened_on-day", &d.to_string()),
                ("opened_on-month", &m.to_string()),
                ("opened_on-year", &y.to_string()),
            ],
        )
        .await?;
    assert!(page.status.is_redirection(), "{}", page.body);
    let location = page.location.ok_or("a case page")?;
    let case_id = location
        .trim_start_matches("/orgs/RJ1/er-cases/")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    ids.insert("er case", case_id);

    let (by_code, _) = crate::survey::open_campaign(app, 1).await?;
    ids.insert("{campaign}", by_code.id.to_string());
    let today = Day::from_unix_seconds(dignity_web::now());
    // Like the first, but by open link; and one that closed a month ago, as downloads are
    // for closed campaigns only (an open one shows no figures).
    let like = |participation, opens_on, closes_on| Campaign {
        participation,
        opens_on,
        closes_on,
        ..by_code.clone()
    };
    let open_link = survey::create_campaign(
        &app.db,
        "test",
        1,
        &app.org,
        &like(
            Participation::OpenLink,
            today.plus_days(-1),
            today.plus_days(14),
        ),
    )
    .await?;
    ids.insert("open-link campaign", open_link.id.to_string());
    let closed = survey::create_campaign(
        &app.db,
        "test",
        1,
        &app.org,
        &like(
            Participation::Tokens,
            today.plus_days(-60),
            today.plus_days(-30),
        ),
    )
    .await?;
    ids.insert("closed campaign", closed.id.to_string());

    // A self-assessment round that every kind of caller the two tests send is asked to
    // rate (a round is seen only by its overseers, its lead and those asked to rate it).
    let framework =
        dignity_domain::diagnostics::parse(dignity_domain::diagnostics::HEALTH_AND_WELLBEING)?;
    dignity_app::admin::Operator::new(app.db.clone(), dignity_app::Clock::system(), "cli")
        .save_framework(
            &framework,
            dignity_domain::diagnostics::HEALTH_AND_WELLBEING,
        )
        .await?;
    let framework_id: i64 = sqlx::query_scalar("SELECT id FROM diagnostic_frameworks")
        .fetch_one(app.db.pool())
        .await?;
    use dignity_store::diagnostics as rounds;
    let org_roles = [
        Role::Staff,
        Role::Guardian,
        Role::ErLead,
        Role::Investigator,
        Role::UnionPartner,
        Role::Executive,
        Role::OrgAdmin,
    ];
    let mut asked = Vec::new();
    for role in org_roles {
        for email in [
            format!("some{}@junk.nhs.uk", format!("{role:?}").to_lowercase()),
            format!("holder{}@pages.nhs.uk", format!("{role:?}").to_lowercase()),
        ] {
            let person = match dignity_store::identity::find_person_by_email(
                &app.db,
                &dignity_domain::identity::Email::parse(&email)?,
            )
            .await?
            {
                Some(p) => p,
                None => app.person(&email, Some(role)).await?,
            };
            asked.push(person);
        }
    }
    // The junk test sends a staff member to routes anyone in the organisation may reach:
    // they lead the round, so they may ask people to rate and agree ratings.
    let lead = asked.first().ok_or("a staff member")?.id;
    let round = rounds::open_round(
        &app.db,
        "test",
        1,
        &app.org,
        &rounds::NewRound {
            framework_id,
            title: "Health and wellbeing",
            lead_id: lead,
            opened_by: admin.id,
            opened_on: today,
        },
    )
    .await?;
    // A second round, for the page-serving test: only its callers are asked, and all have
    // sent, so its figures and downloads are out (a round's figures show only once
    // everyone asked has sent).
    let sent_round = rounds::open_round(
        &app.db,
        "test",
        1,
        &app.org,
        &rounds::NewRound {
            framework_id,
            title: "Health and wellbeing, everyone sent",
            lead_id: lead,
            opened_by: admin.id,
            opened_on: today,
        },
    )
    .await?;
    // Sends a caller's ratings in the second round.
    let send = |person: i64| {
        let ratings: Vec<rounds::Rating> = framework
            .statements()
            .map(|(_, s)| rounds::Rating {
                person_id: person,
                statement: s.key.clone(),
                rating: Some(3),
                evidence: String::new(),
                links: String::new(),
            })
            .collect();
        async move { rounds::save_ratings(&app.db, sent_round, person, &ratings, today, true).await }
    };
    let mut senders = Vec::new();
    for person in &asked {
        invite_to(app, round, person.id).await?;
        if person.email.as_str().ends_with("@pages.nhs.uk") {
            senders.push(person.id);
        }
    }
    if let Some(guardian) = dignity_store::identity::find_person_by_email(
        &app.db,
        &dignity_domain::identity::Email::parse("matrix.guardian@trust.nhs.uk")?,
    )
    .await?
    {
        invite_to(app, round, guardian.id).await?;
        senders.push(guardian.id);
    }
    for person in &senders {
        invite_to(app, sent_round, *person).await?;
    }
    for person in &senders {
        send(*person).await?;
    }
    ids.insert("round", round.to_string());
    ids.insert("sent round", sent_round.to_string());
    Ok(ids)
}

async fn invite_to(app: &TestApp, round: i64, person_id: i64) -> TestResult {
    dignity_store::diagnostics::invite(
        &app.db,
        "test",
        1,
        &app.org,
        round,
        person_id,
        "manager",
        person_id,
        Day::from_unix_seconds(dignity_web::now()),
        &dignity_store::mail::NewMail {
            purpose: "test".into(),
            to: "x@trust.nhs.uk".into(),
            subject: "Rate".into(),
            body: "Rate".into(),
            attachment: None,
        },
    )
    .await?;
    Ok(())
}

/// The route's path with real ids: `{id}` is a case under Speak Up, an event under
/// events, and a library resource elsewhere.
fn fill(pattern: &str, ids: &BTreeMap<&'static str, String>) -> String {
    let mut path = pattern.to_owned();
    let id = if pattern.contains("/speak-up/") {
        "case"
    } else if pattern.contains("/just-culture/guides/") {
        "guide"
    } else if pattern.contains("/er-cases/{id}") {
        "er case"
    } else if pattern.contains("/self-assessments/{id}") {
        "round"
    } else if pattern.starts_with("/events/") {
        "event"
    } else if pattern.starts_with("/news/") {
        "news"
    } else if pattern.starts_with("/voice/challenges/") || pattern.starts_with("/voice/feeds/") {
        "voice challenge"
    } else if pattern.starts_with("/voice/ideas/") {
        "voice idea"
    } else if pattern.starts_with("/voice/updates/") {
        "voice update"
    } else if pattern.contains("/board/members/{id}") {
        "board member"
    } else if pattern.contains("/board/rounds/{id}") {
        "board round"
    } else if pattern.contains("/board-packs/{id}") {
        "board pack"
    } else if pattern.contains("/people/{id}") {
        "person"
    } else {
        "{id}"
    };
    if pattern.ends_with("/answer") {
        path = path.replace("{campaign}", &ids["open-link campaign"]);
    }
    if pattern.ends_with(".csv") || pattern.ends_with(".xlsx") {
        path = path.replace("{campaign}", &ids["closed campaign"]);
    }
    path = path.replace("{id}", &ids[id]);
    // A system view's organisation is the integrated care board whose area holds RJ1.
    if pattern.contains("/system/") {
        path = path.replace("{ods}", "QJ1");
    }
    for (name, value) in ids {
        if name.starts_with('{') {
            path = path.replace(name, value);
        }
    }
    path
}

/// The caller to send as: anonymous if anyone may use the route, else the first role the
/// route lets in.
fn caller(allowed: &[Who]) -> Option<Role> {
    if allowed.contains(&Who::Anonymous) {
        return None;
    }
    allowed.iter().find_map(|w| match w {
        Who::Holder(role) => Some(*role),
        _ => None,
    })
}

async fn junk_that_reaches_every_handler_is_refused_for_its_input(app: &TestApp) -> TestResult {
    let ids = things_that_exist(app, false).await?;
    // One browser per role, kept: a guardian's signs in through the forms, so their case
    // key is unlocked as in real use.
    let mut browsers: BTreeMap<String, Browser> = BTreeMap::new();
    let (_, guardian) = crate::speakup::guardian(app, "gina@trust.nhs.uk").await?;
    browsers.insert(format!("{:?}", Some(Role::Guardian)), guardian);

    // Routes that remove or close things go last, so the others still find them.
    let mut posts: Vec<_> = MATRIX.iter().filter(|(m, ..)| *m == "POST").collect();
    posts.sort_by_key(|(_, pattern, ..)| NO_INPUT.contains(pattern));

    let (mut reached, mut summary, mut problems) = (0, Vec::new(), Vec::new());
    for (_, pattern, _, allowed) in posts {
        // Bearer routes take JSON from machines; scim.rs sends them junk.
        if allowed.is_empty() {
            continue;
        }
        let role = caller(allowed);
        let mut key = format!("{role:?}");
        if pattern.starts_with("/sign-in/two-factor") {
            // Someone between their passphrase and their second step: one who has set it
            // up, and one who must set it up now.
            key = pattern.to_string();
            let email = format!("{}@junk.nhs.uk", pattern.len());
            let person = app.person(&email, Some(Role::OrgAdmin)).await?;
            if pattern.ends_with("set-up") {
                dignity_store::identity::set_totp(&app.db, "test", 1, &person, None, None).await?;
            }
            let mut browser = app.browser();
            let page = browser.sign_in(&email, PASSPHRASE).await?;
            assert!(page.redirects_to(pattern), "{page:?}");
            browsers.insert(key.clone(), browser);
        } else if pattern.ends_with("/declaration") || pattern.ends_with("/self-assessment") {
            // Only the member declares and rates themself: the fixture's board member.
            key = pattern.to_string();
            let member = dignity_store::identity::get_person_by_email(
                &app.db,
                &dignity_domain::identity::Email::parse("board.member@trust.nhs.uk")?,
            )
            .await?;
            browsers.insert(key.clone(), app.signed_in_browser(&member).await?);
        } else if *pattern == "/sign-out" || !browsers.contains_key(&key) {
            let browser = match role {
                None => app.browser(),
                Some(role) => {
                    let email =
                        format!("{}@junk.nhs.uk", key.to_lowercase().replace(['(', ')'], ""));
                    let person = match dignity_store::identity::find_person_by_email(
                        &app.db,
                        &dignity_domain::identity::Email::parse(&email)?,
                    )
                    .await?
                    {
                        Some(p) => p,
                        None => app.person(&email, Some(role)).await?,
                    };
                    app.signed_in_browser(&person).await?
                }
            };
            browsers.insert(key.clone(), browser);
        }
        let browser = browsers.get_mut(&key).ok_or("a browser")?;
        let path = fill(pattern, &ids);
        let mut statuses = Vec::new();
        // And an answer no survey page offers, on a page that exists.
        let definition = dignity_domain::survey::parse(dignity_domain::survey::DEFAULT_BANK)?;
        let first = &definition.sections[0].questions[0].key;
        let answer = format!("page=1&go=next&q-{first}=99");
        for body in JUNK.iter().copied().chain([answer.as_bytes()]) {
            let token = browser.csrf().await?;
            let mut full = format!("csrf_token={token}&").into_bytes();
            full.extend_from_slice(body);
            let request = Request::post(path.as_str())
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(full))?;
            let page = browser.send(request).await?;
            let what = format!(
                "POST {path} as {role:?} with {:?}",
                String::from_utf8_lossy(body)
            );
            if page.status.is_server_error() {
                problems.push(format!("{what}: {}", page.status));
            }
            if page.status == StatusCode::FORBIDDEN || page.redirects_to("/sign-in") {
                problems.push(format!(
                    "{what}: an allowed caller was refused ({})",
                    page.status
                ));
            }
            // A button that removes something finds it gone the second time.
            if page.status == StatusCode::NOT_FOUND
                && !NAMED_BY_INPUT.contains(pattern)
                && !NO_INPUT.contains(pattern)
            {
                problems.push(format!("{what}: 404, but the fixture's ids exist"));
            }
            if page.status.is_client_error()
                && !(page.content_type.starts_with("text/html") && page.body.contains("nhsuk-"))
            {
                problems.push(format!("{what}: a 4xx that is not an NHS page"));
            }
            statuses.push(page.status.as_u16());
        }
        let refused = statuses
            .iter()
            .any(|s| matches!(s, 400 | 409 | 413 | 415 | 422 | 429))
            || (NAMED_BY_INPUT.contains(pattern) && statuses.contains(&404));
        if refused {
            reached += 1;
        } else if !NO_INPUT.contains(pattern) {
            problems.push(format!(
                "POST {path} as {role:?}: no junk was refused for its input: {statuses:?}"
            ));
        }
        summary.push(format!("{pattern} {statuses:?}"));
    }
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(reached > 30, "{reached}: {summary:#?}");
    println!(
        "junk to every form: {} post routes, {reached} refused junk for its input as a caller they let in, with ids that exist; {} take no input",
        summary.len(),
        summary.len() - reached
    );
    Ok(())
}

/// Every page (GET route), with ids of things that exist, for every kind of caller the
/// route matrix allows: each must be served (2xx or a redirect). The matrix itself asks
/// with made-up ids, where a 404 from the page passes as "allowed" (issue 24).
async fn every_page_is_served_to_every_caller_allowed_it(app: &TestApp) -> TestResult {
    // The guardian signs in through the real forms before the concern is sent, so the
    // concern is sealed to them and their key is unlocked, as in real use.
    crate::speakup::speak_up_on(app).await?;
    let guardian_email = "matrix.guardian@trust.nhs.uk";
    app.person(guardian_email, Some(Role::Guardian)).await?;
    let mut guardian = crate::speakup::sign_in_guardian(app, guardian_email).await?;
    let ids = things_that_exist(app, true).await?;
    crate::workforce::import_some_staff(app).await?;
    crate::board::import_some_outcomes(app).await?;

    let mut page_ids = ids.clone();
    page_ids.insert("round", ids["sent round"].clone());
    let mut browsers: BTreeMap<String, Browser> = BTreeMap::new();
    let (mut served, mut problems) = (0, Vec::new());
    for (method, pattern, _, allowed) in MATRIX {
        // The provider's way back answers only a sign-in that is waiting for it; with none
        // it says so with 400 (every way in is tried in dignity_app's provider tests).
        if *method != "GET" || *pattern == "/sign-in/callback" {
            continue;
        }
        // Rounds' pages and downloads are those of the round where everyone has sent.
        let mut path = fill(pattern, &page_ids);
        if pattern.ends_with("/booked") {
            // The page after booking says which place: a waiting-list place needs no key.
            path = format!("{path}?waiting=true");
        }
        if pattern.ends_with("/calendar.ics") {
            // The calendar file is served only with the key its booking page links with.
            let event: i64 = ids["event"].parse()?;
            path = format!(
                "{path}?key={}",
                dignity_app::events::calendar_key(&app.state.app, event)
            );
        }
        for who in *allowed {
            // Who the fixture's objects leave out, by design: the attendee list is the
            // organiser's (tested in events.rs) and platform administrators'; the case
            // is a Speak Up concern, which employee relations may not read.
            if (pattern.ends_with("attendees.csv") && *who != Who::Holder(Role::PlatformAdmin))
                || (pattern.contains("/speak-up/{id}") && *who == Who::Holder(Role::ErLead))
                // A decision guide record is its manager's and employee relations leads';
                // other managers are refused by design (tested in justculture.rs).
                || (pattern.contains("/just-culture/guides/")
                    && *who != Who::Holder(Role::ErLead))
                // The fixture's challenge is national, so only platform administrators
                // write its updates; an organisation's leaders write theirs (voice.rs).
                || (pattern.ends_with("/updates/new")
                    && *who != Who::Holder(Role::PlatformAdmin))
            {
                continue;
            }
            let page = match who {
                Who::Holder(Role::Guardian) => guardian.get(&path).await?,
                Who::Anonymous => app.browser().get(&path).await?,
                Who::Holder(role) | Who::OtherOrg(role) => {
                    let key = format!("{who:?}");
                    if !browsers.contains_key(&key) {
                        let org = match who {
                            Who::OtherOrg(_) => &app.other_org,
                            _ => &app.org,
                        };
                        let email = format!(
                            "{}@pages.nhs.uk",
                            key.to_lowercase().replace(['(', ')'], "")
                        );
                        let person = match dignity_store::identity::find_person_by_email(
                            &app.db,
                            &dignity_domain::identity::Email::parse(&email)?,
                        )
                        .await?
                        {
                            Some(p) => p,
                            None => app.person_in(&email, Some(*role), org).await?,
                        };
                        browsers.insert(key.clone(), app.signed_in_browser(&person).await?);
                    }
                    browsers
                        .get_mut(&key)
                        .ok_or("a browser")?
                        .get(&path)
                        .await?
                }
            };
            if page.status.is_success() || page.status.is_redirection() {
                served += 1;
            } else {
                problems.push(format!("GET {path} as {who:?}: {}", page.status));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(served > 100, "{served}");
    println!(
        "every page: {served} requests by callers the matrix allows, with ids that exist, all served"
    );
    Ok(())
}
