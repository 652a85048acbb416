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
/// statements show the two sides apart.
fn made_up(statement: &str, person: i64, union_side: bool, top: u8) -> u8 {
    let h = statement.bytes().fold(person.unsigned_abs(), |h, b| {
        h.wrapping_mul(31).wrapping_add(u64::from(b))
    });
    let lean: u64 = if union_side { 0 } else { 1 };
    let top = u64::from(top);
    u8::try_from((h % 3 + lean + top / 3).clamp(1, top)).unwrap_or(1)
}

async fn framework_id(db: &dignity_app::Db, key: &str) -> anyhow::Result<i64> {
    store::newest_frameworks(db)
        .await?
        .into_iter()
        .find(|f| f.key == key)
        .map(|f| f.id)
        .ok_or_else(|| anyhow::anyhow!("the framework {key} is not loaded"))
}

/// Asks each of `assessors` (person, assessor role) to rate `round`; those in `sending`
/// rate every statement and send.
async fn rate(
    db: &dignity_app::Db,
    main: &Organisation,
    round: i64,
    framework: &Framework,
    assessors: &[(i64, &str)],
    sending: &[i64],
    on: Day,
) -> anyhow::Result<()> {
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
        if !sending.contains(&person) {
            continue;
        }
        let union_side = matches!(role, "union_partner" | "network_chair");
        let ratings: Vec<store::Rating> = framework
            .statements()
            .map(|(_, s)| store::Rating {
                person_id: person,
                statement: s.key.clone(),
                rating: Some(i64::from(made_up(
                    &s.key,
                    person,
                    union_side,
                    framework.top(),
                ))),
                evidence: String::new(),
                links: String::new(),
            })
            .collect();
        store::save_ratings(db, round, person, &ratings, on, true).await?;
    }
    Ok(())
}

pub async fn seed(
    db: &dignity_app::Db,
    main: &Organisation,
    people: &[(i64, Role)],
) -> anyhow::Result<()> {
    let who = |role: Role| people.iter().find(|(_, r)| *r == role).map(|(id, _)| *id);
    let (Some(admin), Some(executive), Some(union), Some(staff), Some(guardian), Some(er)) = (
        who(Role::OrgAdmin),
        who(Role::Executive),
        who(Role::UnionPartner),
        who(Role::Staff),
        who(Role::Guardian),
        who(Role::ErLead),
    ) else {
        return Ok(());
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

    // Last year's health and wellbeing round: everyone rated, every statement agreed (at
    // the median, rounded down), signed off by both sides.
    let health = diagnostics::parse(HEALTH_AND_WELLBEING)?;
    let opened = today.plus_days(-300);
    let round = store::open_round(
        db,
        ACTOR,
        0,
        main,
        &store::NewRound {
            framework_id: framework_id(db, &health.key).await?,
            title: "Health and wellbeing, last year",
            lead_id: admin,
            opened_by: admin,
            opened_on: opened,
        },
    )
    .await?;
    let everyone: Vec<i64> = assessors.iter().map(|(id, _)| *id).collect();
    rate(
        db,
        main,
        round,
        &health,
        &assessors,
        &everyone,
        opened.plus_days(14),
    )
    .await?;
    let mut version = 1;
    for (_, statement) in health.statements() {
        let mut values: Vec<u8> = assessors
            .iter()
            .map(|&(id, role)| {
                made_up(
                    &statement.key,
                    id,
                    matches!(role, "union_partner" | "network_chair"),
                    health.top(),
                )
            })
            .collect();
        values.sort_unstable();
        let agreed = values.get(values.len() / 2 - 1).copied().unwrap_or(1);
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
            admin,
            opened.plus_days(30),
        )
        .await?;
    }
    for (side, person) in [("employer", executive), ("union", union)] {
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
        )
        .await?;
    }

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
        &sending,
        opened.plus_days(3),
    )
    .await?;
    Ok(())
}
