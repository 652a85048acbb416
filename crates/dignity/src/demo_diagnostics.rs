//! The demo's self-assessments (issue 19): last year's health and wellbeing round, rated by
//! both sides, agreed and signed off; and this year's culture and leadership round, open,
//! with the demo's staff member still to send their ratings.

use dignity_app::demo::self_assessments as store;
use dignity_app::identity::Organisation;
use dignity_app::mail::NewMail;
use dignity_domain::diagnostics::{self, CULTURE_AND_LEADERSHIP, Framework, HEALTH_AND_WELLBEING};
use dignity_domain::identity::Role;
use dignity_domain::speakup::Day;

const ACTOR: &str = "demo";

/// A made-up rating, the same on every start: each side leans its own way, so some
/// statements show the two sides apart, and each part has its own lift, so some parts are
/// weak and some strong.
fn made_up(statement: &str, person: i64, union_side: bool, top: u8) -> u8 {
    let h = statement.bytes().fold(person.unsigned_abs(), |h, b| {
        h.wrapping_mul(31).wrapping_add(u64::from(b))
    });
    let lean: u64 = if union_side { 0 } else { 1 };
    // Statements of one part share a key's first word, and a lift, so parts differ.
    let part = statement.split('-').next().unwrap_or(statement);
    let lift = part
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(17).wrapping_add(u64::from(b)))
        % 3;
    let top = u64::from(top);
    u8::try_from((h % 3 + lean + lift).clamp(1, top)).unwrap_or(1)
}

pub(crate) async fn framework_id(db: &dignity_app::Db, key: &str) -> anyhow::Result<i64> {
    store::newest_frameworks(db)
        .await?
        .into_iter()
        .find(|f| f.key == key)
        .map(|f| f.id)
        .ok_or_else(|| anyhow::anyhow!("the framework {key} is not loaded"))
}

/// Who sends their ratings, on which day, and how many levels below the usual made-up
/// ones they rate.
struct Sending<'a> {
    who: &'a [i64],
    on: Day,
    lower: u8,
}

/// Asks each of `assessors` (person, assessor role) to rate `round`; those sending rate
/// every statement and send.
async fn rate(
    db: &dignity_app::Db,
    main: &Organisation,
    round: i64,
    framework: &Framework,
    assessors: &[(i64, &str)],
    sending: Sending<'_>,
) -> anyhow::Result<()> {
    let Sending {
        who: sending,
        on,
        lower,
    } = sending;
    for &(person, role) in assessors {
        store::invite(
            db,
            ACTOR,
            0,
            main,
            round,
            person,
            role,
            person,
            on,
            &NewMail {
                purpose: format!("self-assessment:{round}"),
                to: "demo@demo.nhs.uk".into(),
                subject: "Please rate the self-assessment".into(),
                body: "Made up for the demo.".into(),
                attachment: None,
            },
        )
        .await?;
    }
    // Everyone is asked before anyone sends: once all have sent, nobody more may be asked.
    for &(person, role) in assessors {
        if !sending.contains(&person) {
            continue;
        }
        let union_side = matches!(role, "union_partner" | "network_chair");
        let ratings: Vec<store::Rating> = framework
            .statements()
            .map(|(_, s)| store::Rating {
                person_id: person,
                statement: s.key.clone(),
                rating: Some(i64::from(
                    made_up(&s.key, person, union_side, framework.top())
                        .saturating_sub(lower)
                        .max(1),
                )),
                evidence: String::new(),
                links: String::new(),
            })
            .collect();
        store::save_ratings(db, round, person, &ratings, on, true).await?;
    }
    Ok(())
}

/// Seeds the rounds; returns last year's round and its weakest part, for the demo plan
/// to answer.
pub async fn seed(
    db: &dignity_app::Db,
    main: &Organisation,
    people: &[(i64, Role)],
) -> anyhow::Result<Option<(i64, String)>> {
    let who = |role: Role| people.iter().find(|(_, r)| *r == role).map(|(id, _)| *id);
    let (Some(admin), Some(executive), Some(union), Some(staff), Some(guardian), Some(er)) = (
        who(Role::OrgAdmin),
        who(Role::Executive),
        who(Role::UnionPartner),
        who(Role::Staff),
        who(Role::Guardian),
        who(Role::ErLead),
    ) else {
        return Ok(None);
    };
    let today = Day::from_unix_seconds(dignity_app::clock::system_now());
    let assessors = [
        (admin, "wellbeing_lead"),
        (executive, "executive"),
        (er, "manager"),
        (guardian, "wellbeing_guardian"),
        (union, "union_partner"),
        (staff, "network_chair"),
    ];

    // The health and wellbeing round of two years ago, then last year's: everyone rated,
    // every statement agreed, signed off by both sides. Two years ago rated a level lower,
    // so last year's page shows the change.
    let health = diagnostics::parse(HEALTH_AND_WELLBEING)?;
    let signers = Signers {
        lead: admin,
        employer: executive,
        union,
    };
    let health_id = framework_id(db, &health.key).await?;
    signed_round(
        db,
        main,
        &health,
        health_id,
        "Health and wellbeing, two years ago",
        today.plus_days(-665),
        &assessors,
        signers,
        1,
    )
    .await?;
    let last_year = signed_round(
        db,
        main,
        &health,
        health_id,
        "Health and wellbeing, last year",
        today.plus_days(-300),
        &assessors,
        signers,
        0,
    )
    .await?;
    let everyone: Vec<i64> = assessors.iter().map(|(id, _)| *id).collect();

    // This year's culture and leadership round: open, and the staff member's ratings not
    // sent yet, so their list shows it waiting.
    let culture = diagnostics::parse(CULTURE_AND_LEADERSHIP)?;
    let opened = today.plus_days(-10);
    let round = store::open_round(
        db,
        ACTOR,
        0,
        main,
        &store::NewRound {
            framework_id: framework_id(db, &culture.key).await?,
            title: "Culture and leadership, this year",
            lead_id: admin,
            opened_by: admin,
            opened_on: opened,
        },
    )
    .await?;
    let sending: Vec<i64> = everyone.iter().copied().filter(|&id| id != staff).collect();
    rate(
        db,
        main,
        round,
        &culture,
        &assessors,
        Sending {
            who: &sending,
            on: opened.plus_days(3),
            lower: 0,
        },
    )
    .await?;
    // Last year's weakest part, which the demo plan answers with an action.
    let weakest = weakest_part(db, last_year, &health).await?;
    Ok(weakest.map(|key| (last_year, key)))
}

#[derive(Clone, Copy)]
pub(crate) struct Signers {
    pub(crate) lead: i64,
    pub(crate) employer: i64,
    pub(crate) union: i64,
}

/// A round everyone rated (each rating `lower` levels below the usual made-up one), every
/// statement agreed at the middle rating (the lower of the two middle ones for an even
/// count), signed off by both sides.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn signed_round(
    db: &dignity_app::Db,
    main: &Organisation,
    framework: &Framework,
    framework_id: i64,
    title: &str,
    opened: Day,
    assessors: &[(i64, &str)],
    signers: Signers,
    lower: u8,
) -> anyhow::Result<i64> {
    let round = store::open_round(
        db,
        ACTOR,
        0,
        main,
        &store::NewRound {
            framework_id,
            title,
            lead_id: signers.lead,
            opened_by: signers.lead,
            opened_on: opened,
        },
    )
    .await?;
    let everyone: Vec<i64> = assessors.iter().map(|(id, _)| *id).collect();
    rate(
        db,
        main,
        round,
        framework,
        assessors,
        Sending {
            who: &everyone,
            on: opened.plus_days(14),
            lower,
        },
    )
    .await?;
    let mut version = 1;
    let mut agreed_levels = std::collections::HashMap::new();
    for (_, statement) in framework.statements() {
        let mut values: Vec<u8> = assessors
            .iter()
            .map(|&(id, role)| {
                made_up(
                    &statement.key,
                    id,
                    matches!(role, "union_partner" | "network_chair"),
                    framework.top(),
                )
                .saturating_sub(lower)
                .max(1)
            })
            .collect();
        values.sort_unstable();
        let agreed = values.get((values.len() - 1) / 2).copied().unwrap_or(1);
        agreed_levels.insert(statement.key.clone(), agreed);
        version = store::agree(
            db,
            ACTOR,
            0,
            main,
            round,
            version,
            &statement.key,
            i64::from(agreed),
            "Agreed at the partnership forum after talking it through.",
            signers.lead,
            opened.plus_days(30),
        )
        .await?;
    }
    for (side, person) in [("employer", signers.employer), ("union", signers.union)] {
        store::sign(
            db,
            ACTOR,
            0,
            main,
            round,
            version,
            side,
            person,
            opened.plus_days(35),
            &diagnostics::rounds::part_levels(framework, &agreed_levels),
        )
        .await?;
    }
    Ok(round)
}

/// The part of `round` with the lowest median agreed rating (the first, on a tie).
async fn weakest_part(
    db: &dignity_app::Db,
    round: i64,
    framework: &Framework,
) -> anyhow::Result<Option<String>> {
    let agreed = store::agreed(db, round).await?;
    let level = |key: &str| {
        agreed
            .iter()
            .find(|a| a.statement == key)
            .map_or(0, |a| a.rating)
    };
    Ok(framework
        .elements
        .iter()
        .map(|e| {
            let mut levels: Vec<i64> = e.statements.iter().map(|s| level(&s.key)).collect();
            levels.sort_unstable();
            (
                levels.get(levels.len() / 2).copied().unwrap_or(0),
                e.key.clone(),
            )
        })
        .min_by_key(|(median, _)| *median)
        .map(|(_, key)| key))
}

/// Every other demo trust rates itself once on the health and wellbeing framework, signed
/// off by its own three made-up people (who sign in with the demo passphrase), so the
/// system views have something to compare. The demo trust and Millbrook are put in the
/// demo integrated care board's area.
pub async fn seed_others(
    operator: &dignity_app::admin::Operator,
    hash: &str,
    main: &Organisation,
    board: &Organisation,
) -> anyhow::Result<()> {
    use dignity_domain::identity::{Email, Name, OrgType};
    let db = operator.db();
    let health = diagnostics::parse(HEALTH_AND_WELLBEING)?;
    let health_id = framework_id(db, &health.key).await?;
    let today = Day::from_unix_seconds(dignity_app::clock::system_now());
    let others: Vec<Organisation> = operator
        .organisations()
        .await?
        .into_iter()
        .filter(|o| o.id != main.id && o.org_type != OrgType::Icb)
        .collect();
    for (at, trust) in others.iter().enumerate() {
        let code = trust.ods_code.to_lowercase();
        let mut people = Vec::new();
        for (who, name, role) in [
            ("lead", "Wellbeing Lead", Role::Staff),
            ("exec", "Executive", Role::Executive),
            ("union", "Union Partner", Role::UnionPartner),
        ] {
            let person = operator
                .create_person(
                    &Email::parse(&format!("{who}@{code}.demo.nhs.uk"))?,
                    &Name::parse(&format!("{name} ({})", trust.ods_code), "name")?,
                    hash,
                )
                .await?;
            operator.grant_role(&person, role, Some(trust)).await?;
            people.push(person.id);
        }
        let [lead, executive, union] = people[..] else {
            continue;
        };
        let assessors = [
            (lead, "wellbeing_lead"),
            (executive, "executive"),
            (union, "union_partner"),
        ];
        // Some trusts rate themselves a level lower than others.
        let lower = u8::try_from(at % 2).unwrap_or(0);
        signed_round(
            db,
            trust,
            &health,
            health_id,
            "Health and wellbeing self-assessment",
            today.plus_days(-120 - 20 * i64::try_from(at).unwrap_or(0)),
            &assessors,
            Signers {
                lead,
                employer: executive,
                union,
            },
            lower,
        )
        .await?;
    }
    operator.set_icb(main, Some(board)).await?;
    if let Some(millbrook) = others.iter().find(|o| o.ods_code == "DEMO9") {
        operator.set_icb(millbrook, Some(board)).await?;
    }
    Ok(())
}
