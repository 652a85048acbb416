//! A demo installation: three made-up organisations, a structure, and one account for each
//! role, so a person can try every part of Dignity in a minute.

use dignity::config::Config;
use dignity_app::admin::{NewOrganisation, Operator};
use dignity_app::identity::Organisation;
use dignity_app::{Clock, Db};
use dignity_domain::identity::{Email, Name, OdsCode, OrgType, OrgUnitKind, Region, Role};

/// Every demo account shares this passphrase. It is printed at start; never use the demo
/// for real people.
pub const DEMO_PASSPHRASE: &str = "demo respect at work";

/// Fixed second-step secrets for the demo accounts that need one, so the browser tests and
/// anyone trying the demo can add them to an authenticator app.
pub(crate) const DEMO_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

pub struct DemoAccount {
    pub email: &'static str,
    pub role: Role,
}

/// What seeding produced: the accounts, and the recovery key when it was just made (it is
/// not stored, so it can only be shown once).
pub struct Seeded {
    pub accounts: Vec<DemoAccount>,
    pub recovery_key: Option<String>,
    /// Invitation codes for the open demo survey (shown only on the first start).
    pub survey_codes: Vec<String>,
}

const ACCOUNTS: &[(&str, &str, Role)] = &[
    ("staff@demo.nhs.uk", "Sam Staff", Role::Staff),
    ("guardian@demo.nhs.uk", "Gina Guardian", Role::Guardian),
    ("er@demo.nhs.uk", "Erin Relations", Role::ErLead),
    (
        "investigator@demo.nhs.uk",
        "Ian Investigator",
        Role::Investigator,
    ),
    ("union@demo.nhs.uk", "Uma Union", Role::UnionPartner),
    ("exec@demo.nhs.uk", "Ezra Executive", Role::Executive),
    ("admin@demo.nhs.uk", "Ada Admin", Role::OrgAdmin),
    ("moderator@demo.nhs.uk", "Mo Moderator", Role::Moderator),
    (
        crate::demo_leadership::CHAIR_EMAIL,
        "Cleo Chair",
        Role::Chair,
    ),
    (
        "secretary@demo.nhs.uk",
        "Cy Secretary",
        Role::CompanySecretary,
    ),
    ("system@demo.nhs.uk", "Sol System", Role::SystemLead),
    ("region@demo.nhs.uk", "Rhea Region", Role::RegionalDirector),
    ("analyst@demo.nhs.uk", "Nia Analyst", Role::NationalAnalyst),
    ("platform@demo.nhs.uk", "Pat Platform", Role::PlatformAdmin),
];

pub(crate) const ACTOR: &str = "demo";

/// Makes a person's key now, under the demo passphrase, so that concerns and board
/// records kept before they first sign in are sealed to them too.
pub(crate) async fn give_key(operator: &Operator, person_id: i64) -> anyhow::Result<()> {
    let key = dignity_crypto::speakup::SecretKey::generate();
    let wrapped = dignity_crypto::speakup::wrap_identity(
        &key,
        DEMO_PASSPHRASE,
        dignity_app::context::PASSPHRASE_COST,
    )?;
    operator
        .save_case_key(
            person_id,
            &dignity_crypto::speakup::public_key(&key),
            &wrapped,
        )
        .await?;
    Ok(())
}

pub(crate) async fn org(
    operator: &Operator,
    code: &str,
    name: &str,
    org_type: OrgType,
    region: Region,
    group: &str,
) -> anyhow::Result<Organisation> {
    Ok(operator
        .create_organisation(&NewOrganisation {
            ods_code: OdsCode::parse(code)?,
            name: Name::parse(name, "name")?,
            org_type,
            region,
            benchmark_group: Name::parse(group, "group")?,
        })
        .await?)
}

/// Seeds an empty database. A database that already has organisations is left alone.
pub async fn seed(
    db: &Db,
    secret: &dignity_crypto::secret::InstallationSecret,
) -> anyhow::Result<Seeded> {
    let accounts = ACCOUNTS
        .iter()
        .map(|(email, _, role)| DemoAccount { email, role: *role })
        .collect();
    let now = dignity_app::clock::system_now();
    let operator = Operator::new(db.clone(), Clock::fixed(now), ACTOR);
    if !operator.organisations().await?.is_empty() {
        return Ok(Seeded {
            accounts,
            recovery_key: None,
            survey_codes: Vec::new(),
        });
    }
    let main = org(
        &operator,
        "DEMO1",
        "Northfield Hospitals NHS Foundation Trust (demo)",
        OrgType::Acute,
        Region::NorthWest,
        "Acute and acute & community trusts",
    )
    .await?;
    org(
        &operator,
        "DEMO2",
        "Riverside Mental Health NHS Trust (demo)",
        OrgType::MentalHealth,
        Region::Midlands,
        "Mental health and learning disability trusts",
    )
    .await?;
    // The ambulance trust: the demo chair also sits on its board. The mental health trust
    // stays without Speak Up, to show what a page says then.
    let second = org(
        &operator,
        "DEMO3",
        "Moorland Ambulance Service NHS Trust (demo)",
        OrgType::Ambulance,
        Region::SouthWest,
        "Ambulance trusts",
    )
    .await?;

    // An integrated care board, whose system lead looks across the trusts in its area.
    let board = org(
        &operator,
        "DEMOI",
        "Northfield and Millbrook Integrated Care Board (demo)",
        OrgType::Icb,
        Region::NorthWest,
        "Integrated care boards",
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
        let d = operator
            .add_unit(&main, None, OrgUnitKind::Division, &name(division)?)
            .await?;
        let dir = operator
            .add_unit(
                &main,
                Some(d.id),
                OrgUnitKind::Directorate,
                &name(directorate)?,
            )
            .await?;
        for team in teams {
            operator
                .add_unit(&main, Some(dir.id), OrgUnitKind::Team, &name(team)?)
                .await?;
        }
    }

    let hash = operator.hash_passphrase(DEMO_PASSPHRASE)?;
    let mut signers = (None, None);
    let mut manager = None;
    let mut er_lead = None;
    let mut investigator = None;
    let mut trust_board = crate::demo_leadership::Board {
        chair: 0,
        secretary: 0,
        executive: 0,
    };
    let mut in_main = Vec::new();
    for (email, display_name, role) in ACCOUNTS {
        let person = operator
            .create_person(&Email::parse(email)?, &name(display_name)?, &hash)
            .await?;
        in_main.push((person.id, *role));
        match role {
            Role::Executive => {
                signers.0 = Some(person.id);
                trust_board.executive = person.id;
            }
            Role::Chair => trust_board.chair = person.id,
            Role::CompanySecretary => trust_board.secretary = person.id,
            Role::UnionPartner => signers.1 = Some(person.id),
            Role::Staff => manager = Some((person.id, *email)),
            Role::ErLead => er_lead = Some((person.id, *email)),
            Role::Investigator => investigator = Some(person.id),
            _ => {}
        }
        let organisation = match role.scope() {
            _ if role.held_only_in() == Some(OrgType::Icb) => Some(&board),
            dignity_domain::identity::RoleScope::Organisation => Some(&main),
            dignity_domain::identity::RoleScope::Region
            | dignity_domain::identity::RoleScope::Platform => None,
        };
        if role.scope() == dignity_domain::identity::RoleScope::Region {
            // The regional director of the demo trust's region.
            operator
                .grant_region_role(&person, *role, main.region)
                .await?;
        } else {
            operator.grant_role(&person, *role, organisation).await?;
        }
        // Everyone but the board's system lead and the region's director also works at
        // the demo trust.
        if !matches!(
            role,
            Role::Staff | Role::SystemLead | Role::RegionalDirector
        ) {
            operator
                .grant_role(&person, Role::Staff, Some(&main))
                .await
                .or_else(|e| match e {
                    dignity_app::Error::Conflict(_) => Ok(()),
                    other => Err(other),
                })?;
        }
        if matches!(
            role,
            Role::Guardian
                | Role::ErLead
                | Role::Investigator
                | Role::Chair
                | Role::CompanySecretary
                | Role::Executive
        ) {
            give_key(&operator, person.id).await?;
        }
        if role.needs_second_factor() {
            operator
                .set_second_step(&person, Some(DEMO_TOTP_SECRET))
                .await?;
        }
    }
    let survey_codes = crate::demo_survey::seed(&operator, &main, secret).await?;
    // The shipped self-assessment frameworks, loaded as `dignity admin diagnostic-add` does,
    // and the rounds before the plan, which answers last year's weakest part.
    for text in dignity_domain::diagnostics::SHIPPED {
        let framework = dignity_domain::diagnostics::parse(text)?;
        operator.save_framework(&framework, text).await?;
    }
    let weakest = crate::demo_diagnostics::seed(db, &main, &in_main).await?;
    crate::demo_diagnostics::seed_others(&operator, &hash, &main, &board).await?;
    if let (Some(executive), Some(union)) = signers {
        crate::demo_plans::seed(&operator, &main, executive, union, weakest).await?;
    }
    let workforce = crate::demo_workforce::seed(&operator, secret, &main.ods_code).await?;
    crate::demo_voice::seed(db, &main, &in_main, now).await?;
    crate::demo_board::seed(&operator).await?;
    // The demo trust's own policies and contacts, above the national library.
    for (title, body) in [
        (
            "Our dignity at work policy",
            "How we expect everyone to treat each other, what to do if you are bullied or harassed, and how we will help. Agreed with our trade unions in 2026.",
        ),
        (
            "Our Freedom to Speak Up Guardian",
            "Gina Guardian. You can speak up in confidence through this site, or ask the switchboard for the guardian.",
        ),
        (
            "Trade union contacts",
            "Uma Union, staff side chair. Your union representative can come with you to any meeting about a concern.",
        ),
    ] {
        dignity_app::demo::pin(&operator, &main, title, body).await?;
    }
    // Two news posts, so the news page and its feed have something in them.
    for (days_ago, title, body, topics) in [
        (
            20,
            "Free learning on a just and learning culture",
            "Mersey Care NHS Foundation Trust has made four online learning modules on building a **just and learning culture**.\n\nThey are free for anyone in the NHS. They help teams learn from what goes wrong instead of looking for someone to blame.\n\nFind them in the [library](/library?topic=just_culture).",
            vec![dignity_domain::library::Topic::JustCulture],
        ),
        (
            5,
            "An updated picture of what bullying does",
            "The NHS Staff Council's health, safety and wellbeing group has updated its **infographic** on bullying and harassment.\n\n- what bullying does to people and to care\n- what organisations can do\n- what managers and each of us can do\n\nIt works well on a staff notice board.",
            vec![
                dignity_domain::library::Topic::Impact,
                dignity_domain::library::Topic::Prevention,
            ],
        ),
    ] {
        let post = dignity_app::news::NewPost {
            title: title.into(),
            body: body.into(),
            audiences: vec![
                dignity_domain::library::Audience::Employers,
                dignity_domain::library::Audience::Staff,
            ],
            topics,
        };
        let then = Operator::new(db.clone(), Clock::fixed(now - days_ago * 86_400), ACTOR);
        dignity_app::demo::publish(&then, &post).await?;
    }
    // Two events to book: a webinar and a day in person.
    for (days_ahead, title, description, format, location, joining, capacity) in [
        (
            10,
            "Webinar: line managers and tackling bullying",
            "A short webinar on what line managers can do to stop bullying early, with time for questions.\n\n- spotting the signs\n- having the first conversation\n- working with trade union representatives",
            dignity_domain::library::EventFormat::Webinar,
            "",
            "Join on the day with this link: https://meet.example.nhs.uk/demo-webinar",
            100,
        ),
        (
            24,
            "Partnership day: sharing what works",
            "Employers and trade unions from across the region share their projects to tackle bullying. Bring a poster of your work.",
            dignity_domain::library::EventFormat::InPerson,
            "Northfield Education Centre, Northfield",
            "Go to the main reception and ask for the education centre. Lunch is provided.",
            40,
        ),
    ] {
        // Whole hours, 10am UK time in winter.
        let day_start = (now / 86_400 + days_ahead) * 86_400;
        dignity_app::demo::add_event(
            &operator,
            &dignity_app::events::NewEvent {
                title: title.into(),
                description: description.into(),
                format,
                starts_at: day_start + 10 * 3_600,
                ends_at: day_start + 11 * 3_600 + 1_800,
                location: location.into(),
                joining: joining.into(),
                capacity,
            },
        )
        .await?;
    }
    // Turned on as `dignity admin speakup-init` does, under its name and at its time.
    let recovery = Operator::new(db.clone(), Clock::system(), crate::admin::ACTOR)
        .turn_on_speakup(&main, 2)
        .await?;
    // The board's fit and proper person records, which need the recovery key above.
    crate::demo_leadership::seed(
        &operator,
        &hash,
        &main,
        &second,
        &trust_board,
        dignity_domain::speakup::Day::from_unix_seconds(now),
    )
    .await?;
    // Two decision guide records by the demo's manager, so the employee relations lead's
    // list has one waiting for its check and one that needed none.
    if let Some((id, email)) = manager {
        crate::demo_justculture::seed(&operator, secret, &main, id, email).await?;
    }
    // Employee relations cases at every stage, so the lead's list, the time limits and a
    // suspension review all show.
    if let Some((id, email)) = er_lead {
        crate::demo_justculture::seed_cases(&operator, secret, &main, id, email, investigator)
            .await?;
        // A year of cases about staff in post, so the fairness figures and the panel at
        // the check show something.
        if let Some((manager_id, manager_email)) = manager {
            crate::demo_justculture::seed_history(
                db,
                secret,
                &main,
                (id, email),
                (manager_id, manager_email),
                &workforce,
            )
            .await?;
        }
    }
    Ok(Seeded {
        accounts,
        recovery_key: Some(dignity_crypto::speakup::identity_text(&recovery).to_string()),
        survey_codes,
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
    if !seeded.survey_codes.is_empty() {
        println!(
            "DEMO1's pulse survey is open. Answer it at {}/survey with one of these codes",
            config.public_url()
        );
        println!("(shown only on this first start):");
        for code in &seeded.survey_codes {
            println!("  {code}");
        }
        println!();
    }
}
