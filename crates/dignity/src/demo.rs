//! A demo installation: three made-up organisations, a structure, and one account for each
//! role, so a person can try every part of Dignity in a minute.

use crate::config::Config;
use dignity_crypto::passphrase::{self, HashCost};
use dignity_domain::identity::{Email, Name, OdsCode, OrgType, OrgUnitKind, Region, Role};
use dignity_store::identity::{self, NewOrganisation, Organisation};
use dignity_store::{Db, StoreError};

/// Every demo account shares this passphrase. It is printed at start; never use the demo
/// for real people.
pub const DEMO_PASSPHRASE: &str = "demo respect at work";

/// Fixed second-step secrets for the demo accounts that need one, so the browser tests and
/// anyone trying the demo can add them to an authenticator app.
const DEMO_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

pub struct DemoAccount {
    pub email: &'static str,
    pub role: Role,
}

/// What seeding produced: the accounts, and the recovery key when it was just made (it is
/// not stored, so it can only be shown once).
pub struct Seeded {
    pub accounts: Vec<DemoAccount>,
    pub recovery_key: Option<String>,
}

const ACCOUNTS: &[(&str, &str, Role)] = &[
    ("staff@demo.nhs.uk", "Sam Staff", Role::Staff),
    ("guardian@demo.nhs.uk", "Gina Guardian", Role::Guardian),
    ("er@demo.nhs.uk", "Erin Relations", Role::ErLead),
    ("union@demo.nhs.uk", "Uma Union", Role::UnionPartner),
    ("exec@demo.nhs.uk", "Ezra Executive", Role::Executive),
    ("admin@demo.nhs.uk", "Ada Admin", Role::OrgAdmin),
    ("analyst@demo.nhs.uk", "Nia Analyst", Role::NationalAnalyst),
    ("platform@demo.nhs.uk", "Pat Platform", Role::PlatformAdmin),
];

const ACTOR: &str = "demo";

async fn org(
    db: &Db,
    now: i64,
    code: &str,
    name: &str,
    org_type: OrgType,
    region: Region,
    group: &str,
) -> Result<Organisation, StoreError> {
    identity::create_organisation(
        db,
        ACTOR,
        now,
        &NewOrganisation {
            ods_code: OdsCode::parse(code)?,
            name: Name::parse(name, "name")?,
            org_type,
            region,
            benchmark_group: Name::parse(group, "group")?,
        },
    )
    .await
}

/// Seeds an empty database. A database that already has organisations is left alone.
pub async fn seed(db: &Db) -> anyhow::Result<Seeded> {
    let accounts = ACCOUNTS
        .iter()
        .map(|(email, _, role)| DemoAccount { email, role: *role })
        .collect();
    if !identity::list_organisations(db).await?.is_empty() {
        return Ok(Seeded {
            accounts,
            recovery_key: None,
        });
    }
    let now = dignity_web::now();
    let main = org(
        db,
        now,
        "DEMO1",
        "Northfield Hospitals NHS Foundation Trust (demo)",
        OrgType::Acute,
        Region::NorthWest,
        "Acute and acute & community trusts",
    )
    .await?;
    org(
        db,
        now,
        "DEMO2",
        "Riverside Mental Health NHS Trust (demo)",
        OrgType::MentalHealth,
        Region::Midlands,
        "Mental health and learning disability trusts",
    )
    .await?;
    org(
        db,
        now,
        "DEMO3",
        "Moorland Ambulance Service NHS Trust (demo)",
        OrgType::Ambulance,
        Region::SouthWest,
        "Ambulance trusts",
    )
    .await?;

    let name = |s: &str| Name::parse(s, "name");
    for (division, directorate, teams) in [
        (
            "Medicine",
            "Emergency care",
            ["Emergency department nurses", "Acute medical unit"],
        ),
        ("Surgery", "Theatres", ["Recovery", "Day surgery"]),
    ] {
        let d = identity::create_org_unit(
            db,
            ACTOR,
            now,
            &main,
            None,
            OrgUnitKind::Division,
            &name(division)?,
        )
        .await?;
        let dir = identity::create_org_unit(
            db,
            ACTOR,
            now,
            &main,
            Some(d.id),
            OrgUnitKind::Directorate,
            &name(directorate)?,
        )
        .await?;
        for team in teams {
            identity::create_org_unit(
                db,
                ACTOR,
                now,
                &main,
                Some(dir.id),
                OrgUnitKind::Team,
                &name(team)?,
            )
            .await?;
        }
    }

    let hash = passphrase::hash(DEMO_PASSPHRASE, HashCost::RECOMMENDED)?;
    for (email, display_name, role) in ACCOUNTS {
        let person = identity::create_person(
            db,
            ACTOR,
            now,
            &Email::parse(email)?,
            &name(display_name)?,
            &hash,
        )
        .await?;
        let organisation = match role.scope() {
            dignity_domain::identity::RoleScope::Organisation => Some(&main),
            dignity_domain::identity::RoleScope::Platform => None,
        };
        identity::grant_role(db, ACTOR, now, &person, *role, organisation).await?;
        if *role != Role::Staff {
            identity::grant_role(db, ACTOR, now, &person, Role::Staff, Some(&main))
                .await
                .or_else(|e| match e {
                    StoreError::Conflict(_) => Ok(()),
                    other => Err(other),
                })?;
        }
        if matches!(role, Role::Guardian | Role::ErLead) {
            // Made now, under the demo passphrase, so that concerns sent before the guardian
            // first signs in are sealed to them too.
            let key = crate::speakup::SecretKey::generate();
            let wrapped = dignity_crypto::speakup::wrap_identity(
                &key,
                DEMO_PASSPHRASE,
                HashCost::RECOMMENDED,
            )?;
            dignity_store::speakup::save_caseworker_key(
                db,
                ACTOR,
                now,
                person.id,
                &crate::speakup::public_key(&key),
                &wrapped,
            )
            .await?;
        }
        if role.needs_second_factor() {
            identity::set_totp(db, ACTOR, now, &person, Some(DEMO_TOTP_SECRET), None).await?;
        }
    }
    seed_survey(db, &main, now).await?;
    let recovery = crate::speakup::SecretKey::generate();
    crate::speakup::init_store(db, &main, &crate::speakup::public_key(&recovery), 2).await?;
    Ok(Seeded {
        accounts,
        recovery_key: Some(crate::speakup::identity_text(&recovery).to_string()),
    })
}

pub fn print_welcome(config: &Config, seeded: &Seeded) {
    let accounts = &seeded.accounts;
    println!();
    println!(
        "Dignity demo. Open {} in your browser.",
        config.public_url()
    );
    println!();
    println!("Every demo account's passphrase is: {DEMO_PASSPHRASE}");
    for account in accounts {
        println!("  {:<24} {}", account.email, account.role.label());
    }
    println!();
    println!("Accounts with sensitive roles also need a 6-digit code. Add this set-up key to any");
    println!("authenticator app (or run `oathtool --totp -b {DEMO_TOTP_SECRET}`):");
    println!("  {DEMO_TOTP_SECRET}");
    println!();
    println!(
        "Speak Up is on for DEMO1: {}/speak-up/DEMO1",
        config.public_url()
    );
    if let Some(key) = &seeded.recovery_key {
        println!("DEMO1's Speak Up recovery key (shown only on this first start):");
        println!("  {key}");
        println!();
    }
}

/// A closed culture survey for the main demo organisation, with made-up answers that hang
/// together (people who feel supported report less harassment), so every dashboard has
/// something to show.
async fn seed_survey(db: &Db, org: &Organisation, now: i64) -> anyhow::Result<()> {
    use dignity_domain::speakup::Day;
    use dignity_domain::survey::{DEFAULT_BANK, Participation, QuestionKind, parse};
    use dignity_engine::rng::Rng;
    use dignity_store::survey::{self, Campaign, NewResponse};

    let definition = parse(DEFAULT_BANK)?;
    let survey_id = survey::save_survey(
        db,
        ACTOR,
        now,
        &definition.key,
        &definition.title,
        DEFAULT_BANK,
    )
    .await?;
    let template = Campaign {
        id: 0,
        survey_id,
        organisation_id: org.id,
        title: "Culture survey 2026".into(),
        opens_on: Day::parse("2026-09-01")?,
        closes_on: Day::parse("2026-10-31")?,
        year: 2026,
        participation: Participation::Tokens,
    };
    let campaign = survey::create_campaign(db, ACTOR, now, org, &template).await?;
    let units = identity::list_org_units(db, org.id).await?.len() as u64;
    let mut rng = Rng::new(2026);
    let mut responses = Vec::new();
    for _ in 0..1_200 {
        let wellbeing = rng.normal();
        let bme = rng.unit() < 0.25;
        let disabled = rng.unit() < 0.2;
        let answers: Vec<u8> = definition
            .counted_questions()
            .map(|q| {
                if rng.unit() < 0.03 {
                    return 0;
                }
                let lean = wellbeing + if q.reverse { 0.0 } else { 0.3 };
                match q.kind {
                    QuestionKind::Agreement => (3.4 + 1.1 * lean + rng.normal() * 0.8)
                        .round()
                        .clamp(1.0, 5.0) as u8,
                    QuestionKind::Frequency => {
                        let risk =
                            0.22 + if bme { 0.05 } else { 0.0 } + if disabled { 0.08 } else { 0.0 }
                                - 0.1 * wellbeing;
                        if rng.unit() < risk.clamp(0.02, 0.9) {
                            2 + rng.below(4) as u8
                        } else {
                            1
                        }
                    }
                    QuestionKind::YesNo => {
                        if rng.unit() < (0.55 + 0.15 * lean).clamp(0.05, 0.95) {
                            1
                        } else if rng.unit() < 0.8 {
                            2
                        } else {
                            3
                        }
                    }
                    QuestionKind::Scale => {
                        (6.0 + 1.8 * lean + rng.normal()).round().clamp(0.0, 10.0) as u8 + 1
                    }
                    _ => 1 + rng.below(q.choices.len().max(1) as u64) as u8,
                }
            })
            .collect();
        let mut values: Vec<u16> = definition
            .demographic_questions()
            .map(|q| match q.demographic.as_deref() {
                Some("ethnicity") => {
                    if bme {
                        2
                    } else {
                        1
                    }
                }
                Some("disability") => {
                    if disabled {
                        1
                    } else {
                        2
                    }
                }
                Some("staff_group") => {
                    1 + rng.weighted(&[0.3, 0.1, 0.12, 0.12, 0.2, 0.06, 0.02, 0.05, 0.03]) as u16
                }
                _ => {
                    let options = dignity_domain::survey::DEMOGRAPHICS
                        .iter()
                        .find(|(k, _)| Some(*k) == q.demographic.as_deref())
                        .map_or(1, |(_, l)| l.len());
                    1 + rng.below(options as u64) as u16
                }
            })
            .collect();
        values.push(if units == 0 {
            0
        } else {
            1 + rng.below(units) as u16
        });
        responses.push(NewResponse {
            id: dignity_crypto::token::random_token(),
            answers,
            groupings: dignity_web::survey::load::encode_groupings(&values),
            comments: Vec::new(),
        });
    }
    survey::insert_responses(db, campaign.id, &responses).await?;
    Ok(())
}
