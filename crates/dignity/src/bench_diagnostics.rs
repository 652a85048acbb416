//! `dignity bench diagnostics`: many organisations' self-assessment rounds, years of them,
//! written through the same store calls as the pages (inviting, rating and sending,
//! agreeing every statement, signing both sides), then a round's page and the national
//! system view asked for through the full router by people signed in with both steps, as a
//! browser would.

use crate::bench::{ms, percentile};
use crate::bench_casework::{PASSPHRASE, TOTP_SECRET, router_get as get, sign_in};
use crate::demo_diagnostics::{Signers, framework_id, signed_round};
use anyhow::{Context, bail, ensure};
use axum::http::StatusCode;
use dignity_app::admin::{NewOrganisation, Operator};
use dignity_app::assure::ScratchDb;
use dignity_app::data::Backend;
use dignity_app::{Clock, Db};
use dignity_domain::diagnostics::{self, HEALTH_AND_WELLBEING};
use dignity_domain::identity::{Email, Name, OdsCode, OrgType, Region, Role};
use std::time::{Duration, Instant};

/// The goals on two cores, at the 95th percentile through the router.
const GOAL_ROUND: Duration = Duration::from_millis(20);
const GOAL_SYSTEM: Duration = Duration::from_millis(50);

pub async fn run(
    orgs: usize,
    assessors: usize,
    years: usize,
    requests: usize,
    runs: usize,
) -> anyhow::Result<()> {
    ensure!(
        orgs >= 1 && (2..=50).contains(&assessors) && years >= 1 && requests >= 1 && runs >= 1,
        "--orgs, --years, --requests and --runs must be at least 1, and --assessors from 2 to 50"
    );
    let scratch = ScratchDb::new(Backend::Sqlite)
        .await
        .context("could not make a SQLite database for the benchmark")?;
    let outcome = on(&scratch.db, orgs, assessors, years, requests, runs).await;
    scratch.finish().await;
    outcome
}

async fn on(
    db: &Db,
    orgs: usize,
    assessors: usize,
    years: usize,
    requests: usize,
    runs: usize,
) -> anyhow::Result<()> {
    let operator = Operator::new(db.clone(), Clock::system(), "bench");
    let today = operator.clock().today();
    let framework = diagnostics::parse(HEALTH_AND_WELLBEING)?;
    operator
        .save_framework(&framework, HEALTH_AND_WELLBEING)
        .await?;
    let framework_key = framework.key.clone();
    let health_id = framework_id(db, &framework_key).await?;
    let statements = framework.statements().count();
    let began = Instant::now();
    let mut first = None;
    for n in 0..orgs {
        let organisation = operator
            .create_organisation(&NewOrganisation {
                ods_code: OdsCode::parse(&format!("D{n:04}"))?,
                name: Name::parse(&format!("Self-assessing Trust {n}"), "name")?,
                org_type: OrgType::Acute,
                region: Region::ALL
                    .get(n % Region::ALL.len())
                    .copied()
                    .unwrap_or(Region::London),
                benchmark_group: Name::parse("Acute", "group")?,
            })
            .await?;
        // The first assessor speaks for the employer as an executive, the last for the
        // unions; the rest are managers and leads.
        let mut people = Vec::with_capacity(assessors);
        for i in 0..assessors {
            let person = operator
                .create_person(
                    &Email::parse(&format!("a{i}@d{n}.bench.nhs.uk"))?,
                    &Name::parse(&format!("Assessor {i}"), "name")?,
                    "not a passphrase hash: nobody signs in as an assessor",
                )
                .await?;
            let (role, rates_as) = match i {
                0 => (Role::Executive, "executive"),
                i if i + 1 == assessors => (Role::UnionPartner, "union_partner"),
                1 => (Role::Staff, "wellbeing_lead"),
                _ => (Role::Staff, "manager"),
            };
            operator
                .grant_role(&person, role, Some(&organisation))
                .await?;
            people.push((person.id, rates_as));
        }
        let (Some(&(executive, _)), Some(&(union, _))) = (people.first(), people.last()) else {
            bail!("an organisation without assessors");
        };
        for year in 0..years {
            let back = i64::try_from(365 * (years - year)).unwrap_or(365);
            signed_round(
                db,
                &organisation,
                &framework,
                health_id,
                &format!("Health and wellbeing, {year}"),
                today.plus_days(-back),
                &people,
                Signers {
                    lead: executive,
                    employer: executive,
                    union,
                },
                u8::try_from((n + year) % 2).unwrap_or(0),
            )
            .await?;
        }
        if n == 0 {
            first = Some(organisation);
        }
    }
    let first = first.context("no organisation was made")?;
    let rounds = orgs * years;
    println!(
        "Self-assessments: {orgs} organisations x {years} rounds x {assessors} assessors x \
         {statements} statements ({} ratings, {} agreed) written through the store's round \
         calls in {:.1} s; SQLite; {requests} requests a run, {runs} runs, through the full router.",
        rounds * assessors * statements,
        rounds * statements,
        began.elapsed().as_secs_f64()
    );

    let hash = operator.hash_passphrase(PASSPHRASE)?;
    for (email, role, place) in [
        ("admin@bench.nhs.uk", Role::OrgAdmin, Some(&first)),
        ("analyst@bench.nhs.uk", Role::NationalAnalyst, None),
    ] {
        let person = operator
            .create_person(&Email::parse(email)?, &Name::parse("Bench", "name")?, &hash)
            .await?;
        operator.grant_role(&person, role, place).await?;
        operator.set_second_step(&person, Some(TOTP_SECRET)).await?;
    }
    let newest = dignity_app::demo::self_assessments::rounds_of(db, first.id)
        .await?
        .into_iter()
        .next()
        .context("the first organisation has no round")?;
    let (router, _) = dignity_web::build_app(dignity_web::AppState::new(
        db.clone(),
        dignity_web::Settings::default(),
    )?);
    let admin = sign_in(&router, "admin@bench.nhs.uk").await?;
    let analyst = sign_in(&router, "analyst@bench.nhs.uk").await?;
    let round_path = format!("/orgs/{}/self-assessments/{}", first.ods_code, newest.id);
    let system_path = format!("/national/self-assessments?framework={framework_key}");
    // Each page answers with what it should show before anything is timed.
    let (status, _, body) = get(&router, &admin, &round_path).await?;
    if status != StatusCode::OK || (years > 1 && !body.contains("Last round is")) {
        bail!("the round's page answered {status} without its comparison");
    }
    let (status, _, body) = get(&router, &analyst, &system_path).await?;
    if status != StatusCode::OK || !body.contains(&format!("both sides: {orgs} of {orgs}.")) {
        bail!("the system view answered {status} without every organisation");
    }

    for (what, cookie, path, goal) in [
        ("a round's page", &admin, &round_path, GOAL_ROUND),
        (
            "the national system view",
            &analyst,
            &system_path,
            GOAL_SYSTEM,
        ),
    ] {
        println!("{what}: GET {path}");
        println!(
            "{:<5} {:>9} {:>9} {:>9} {:>9} {:>12}",
            "run", "p50 ms", "p95 ms", "p99 ms", "max ms", "load average"
        );
        let mut p95s = Vec::with_capacity(runs);
        for run in 0..runs {
            let mut times = Vec::with_capacity(requests);
            for _ in 0..requests {
                let (status, took, _) = get(&router, cookie, path).await?;
                if status != StatusCode::OK {
                    bail!("{path} answered {status}");
                }
                times.push(took);
            }
            times.sort();
            let p95 = percentile(&times, 0.95);
            p95s.push(p95);
            println!(
                "{:<5} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>12}",
                run + 1,
                ms(percentile(&times, 0.5)),
                ms(p95),
                ms(percentile(&times, 0.99)),
                ms(percentile(&times, 1.0)),
                crate::bench::load_average()
            );
        }
        p95s.sort();
        let median = percentile(&p95s, 0.5);
        println!(
            "{what} p95: {:.1} ms, the median of {runs} runs (range {:.1} to {:.1}); goal under {:.0} ms: {}",
            ms(median),
            ms(p95s.first().copied().unwrap_or_default()),
            ms(p95s.last().copied().unwrap_or_default()),
            ms(goal),
            if median < goal { "met" } else { "NOT met" }
        );
    }
    Ok(())
}
