//! `dignity bench board`: culture and care at national scale. Many organisations, each
//! with its workforce extracts (as `dignity synth workforce` makes them, imported through
//! `dignity import workforce`'s path), a closed campaign of the shared survey with made-up
//! answers, and a year of outcomes (through `dignity import outcomes`'s path), all untimed;
//! then the national culture-and-care page and an organisation's own page asked for
//! through the full router by people signed in with both steps.
//!
//! Each run first imports one changed outcome (so the kept figures are worked out
//! afresh), then times the first request of the national page (the whole working: every
//! organisation's survey and workforce figures and every pair's bootstrap) and then the
//! requests after it, which read the kept figures. Then the board pack: the first
//! organisation's as a PDF through the router, and the demo's largest organisation's,
//! gathered and typeset, against the goal of 2 seconds.

use crate::bench::{ms, percentile};
use crate::bench_casework::{PASSPHRASE, TOTP_SECRET, router_get as get, sign_in};
use crate::synth_workforce::{self, DEFAULT_AS_AT};
use anyhow::{Context, bail, ensure};
use axum::http::StatusCode;
use dignity_app::admin::{IntoClosed, Operator};
use dignity_app::assure::ScratchDb;
use dignity_app::data::Backend;
use dignity_app::survey::campaigns::NewCampaign;
use dignity_app::{Clock, Db};
use dignity_crypto::secret::InstallationSecret;
use dignity_domain::identity::{Email, Name, Role};
use dignity_domain::speakup::Day;
use dignity_domain::survey::{DEFAULT_BANK, Participation, parse};
use dignity_engine::rng::Rng;
use std::time::{Duration, Instant};

/// The goal on two cores for the national page.
const GOAL_NATIONAL: Duration = Duration::from_millis(200);

pub async fn run(
    orgs: usize,
    people: usize,
    respondents: usize,
    requests: usize,
    runs: usize,
) -> anyhow::Result<()> {
    ensure!(
        (5..=synth_workforce::MAX_ORGANISATIONS).contains(&orgs)
            && people >= orgs
            && respondents >= 1
            && requests >= 1
            && runs >= 1,
        "--orgs must be from 5 to {}, --people at least --orgs, and the rest at least 1",
        synth_workforce::MAX_ORGANISATIONS
    );
    let scratch = ScratchDb::new(Backend::Sqlite)
        .await
        .context("could not make a SQLite database for the benchmark")?;
    let outcome = on(&scratch.db, orgs, people, respondents, requests, runs).await;
    scratch.finish().await;
    outcome
}

async fn on(
    db: &Db,
    orgs: usize,
    people: usize,
    respondents: usize,
    requests: usize,
    runs: usize,
) -> anyhow::Result<()> {
    let operator = Operator::new(db.clone(), Clock::system(), "bench");
    let secret = InstallationSecret::generate();
    let (y, m, d) = DEFAULT_AS_AT;
    let as_at = Day::from_ymd(y, m, d).context("the benchmark's day")?;
    let organisations = synth_workforce::organisations(orgs, people, 2026);
    let definition = parse(DEFAULT_BANK)?;
    let survey_id = operator.save_survey(&definition, DEFAULT_BANK).await?;
    let began = Instant::now();
    let mut rng = Rng::new(23);
    let mut codes = Vec::with_capacity(orgs);
    for org in &organisations {
        let ods = crate::bench_workforce::create(&operator, org).await?;
        for extract in org.workforce(as_at).extracts() {
            crate::import::import_extract(
                &crate::import::importer_a_week_after(
                    db,
                    extract.as_at,
                    Clock::system().today(),
                    "bench",
                ),
                &secret,
                &ods,
                extract.kind,
                extract.as_at,
                &extract.csv,
                &mut |_| {},
            )
            .await
            .with_context(|| format!("importing {}'s {}", org.ods, extract.file_name()))?;
        }
        let organisation = operator
            .organisations()
            .await?
            .into_iter()
            .find(|o| o.ods_code == ods.as_str())
            .context("the organisation just made")?;
        let campaign = operator
            .create_campaign(
                &organisation,
                &NewCampaign::new(
                    survey_id,
                    "Culture survey",
                    Day::from_ymd(y, 1, 5).context("a day")?,
                    Day::from_ymd(y, 2, 28).context("a day")?,
                    Participation::Tokens,
                )?,
            )
            .await?;
        let culture = rng.normal() * 0.3;
        let units = operator.units(organisation.id).await?.len() as u64;
        let responses: Vec<_> = (0..respondents)
            .map(|_| crate::demo_survey::made_up_response(&definition, units, culture, &mut rng))
            .collect();
        operator
            .import_responses(&campaign, &responses, IntoClosed::Allow, |_| {})
            .await?;
        codes.push(ods.as_str().to_owned());
    }
    let outcomes = crate::demo_board::outcomes_file(&codes, &[y]);
    dignity_app::board::import_outcomes(&operator, outcomes.as_bytes())
        .await
        .map_err(|e| anyhow::anyhow!("outcomes: {e}"))?;
    println!(
        "Culture and care: {orgs} organisations, {people} staff in post and every other \
         workforce extract, {respondents} survey responses each, a year of outcomes; made in \
         {:.1} s, untimed; SQLite; {runs} runs of {requests} requests of each page, through \
         the full router.",
        began.elapsed().as_secs_f64()
    );

    let hash = operator.hash_passphrase(PASSPHRASE)?;
    let first = operator
        .organisations()
        .await?
        .into_iter()
        .find(|o| codes.first() == Some(&o.ods_code))
        .context("the first organisation")?;
    for (email, role, place) in [
        ("analyst@bench.nhs.uk", Role::NationalAnalyst, None),
        ("exec@bench.nhs.uk", Role::Executive, Some(&first)),
    ] {
        let person = operator
            .create_person(&Email::parse(email)?, &Name::parse("Bench", "name")?, &hash)
            .await?;
        operator.grant_role(&person, role, place).await?;
        operator.set_second_step(&person, Some(TOTP_SECRET)).await?;
    }
    // The servers' secret is the one the extracts were sealed with.
    let settings = dignity_web::Settings {
        app: dignity_app::Settings {
            secret,
            ..dignity_app::Settings::default()
        },
        ..dignity_web::Settings::default()
    };
    let state = dignity_web::AppState::new(db.clone(), settings)?;
    let (router, _) = dignity_web::build_app(state.clone());
    let analyst = sign_in(&router, "analyst@bench.nhs.uk").await?;
    let executive = sign_in(&router, "exec@bench.nhs.uk").await?;
    let national = "/national/culture-and-care";
    let own = format!("/orgs/{}/culture-and-care", first.ods_code);

    println!(
        "{:<5} {:>12} {:>14} {:>14} {:>14} {:>14}  load average",
        "run", "first ms", "national p50", "national p95", "own page p50", "own page p95"
    );
    let (mut firsts, mut national_p95s, mut own_p95s) = (Vec::new(), Vec::new(), Vec::new());
    for run in 1..=runs {
        // A changed outcome, so the kept figures are worked out again on the next request.
        let changed = format!(
            "ODS code,Period,Measure,Value\n{},{y},never_events,{run}\n",
            first.ods_code
        );
        dignity_app::board::import_outcomes(&operator, changed.as_bytes())
            .await
            .map_err(|e| anyhow::anyhow!("outcomes: {e}"))?;
        let (status, cold, body) = get(&router, &analyst, national).await?;
        if status != StatusCode::OK || !body.contains(&format!("across {orgs} organisations")) {
            bail!("the national page answered {status} without every organisation");
        }
        firsts.push(cold);
        let times = |cookie: &str, path: &str| {
            let (router, cookie, path) = (router.clone(), cookie.to_owned(), path.to_owned());
            async move {
                let mut times = Vec::with_capacity(requests);
                for _ in 0..requests {
                    let (status, took, _) = get(&router, &cookie, &path).await?;
                    if status != StatusCode::OK {
                        bail!("{path} answered {status}");
                    }
                    times.push(took);
                }
                times.sort();
                Ok::<_, anyhow::Error>(times)
            }
        };
        let warm = times(&analyst, national).await?;
        let mine = times(&executive, &own).await?;
        national_p95s.push(percentile(&warm, 0.95));
        own_p95s.push(percentile(&mine, 0.95));
        println!(
            "{:<5} {:>12.1} {:>14.1} {:>14.1} {:>14.1} {:>14.1}  {}",
            run,
            ms(cold),
            ms(percentile(&warm, 0.5)),
            ms(percentile(&warm, 0.95)),
            ms(percentile(&mine, 0.5)),
            ms(percentile(&mine, 0.95)),
            crate::bench::load_average()
        );
    }
    for list in [&mut firsts, &mut national_p95s, &mut own_p95s] {
        list.sort();
    }
    let summary = |what: &str, list: &[Duration]| {
        println!(
            "{what}: {:.1} ms, the median of {runs} runs (range {:.1} to {:.1})",
            ms(percentile(list, 0.5)),
            ms(list.first().copied().unwrap_or_default()),
            ms(list.last().copied().unwrap_or_default())
        );
    };
    summary(
        "The national page's first request, working everything out",
        &firsts,
    );
    summary("The national page's p95 after it", &national_p95s);
    summary("An organisation's own page's p95", &own_p95s);
    let median = percentile(&national_p95s, 0.5);
    println!(
        "Goal for the national page, under {:.0} ms: {} after the first request; the first took {:.1} ms.",
        ms(GOAL_NATIONAL),
        if median < GOAL_NATIONAL {
            "met"
        } else {
            "NOT met"
        },
        ms(percentile(&firsts, 0.5))
    );

    // The first organisation's board pack as a PDF, through the full router.
    let pdf = format!("/orgs/{}/board-pack.pdf", first.ods_code);
    let mut packs = Vec::new();
    for _ in 0..runs {
        let (status, took, _) = get(&router, &executive, &pdf).await?;
        if status != StatusCode::OK {
            bail!("{pdf} answered {status}");
        }
        packs.push(took);
    }
    packs.sort();
    summary(
        &format!("A board pack as a PDF, among {orgs} organisations, through the router"),
        &packs,
    );
    demo_pack(runs).await
}

/// The goal for the pack of the largest demo organisation.
const GOAL_PACK: Duration = Duration::from_secs(2);

/// The demo's largest organisation's pack, made from the demo's own data (Speak Up cases,
/// surveys, workforce, plans, self-assessments, staff voice and outcomes): gathered,
/// written and typeset as a PDF, `runs` times.
async fn demo_pack(runs: usize) -> anyhow::Result<()> {
    use dignity_app::board::pack;
    let scratch = ScratchDb::new(Backend::Sqlite)
        .await
        .context("could not make a SQLite database for the demo")?;
    let secret = InstallationSecret::generate();
    let outcome = async {
        crate::demo::seed(&scratch.db, &secret).await?;
        let settings = dignity_web::Settings {
            app: dignity_app::Settings {
                secret: secret.clone(),
                ..dignity_app::Settings::default()
            },
            ..dignity_web::Settings::default()
        };
        let state = dignity_web::AppState::new(scratch.db.clone(), settings)?;
        let ctx = &state.app;
        let operator = Operator::new(scratch.db.clone(), Clock::system(), "bench");
        let organisation = operator
            .organisations()
            .await?
            .into_iter()
            .find(|o| o.ods_code == "DEMO1")
            .context("the demo's largest organisation")?;
        let quarter = *pack::quarters(ctx).first().context("a quarter")?;
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..runs {
            let began = Instant::now();
            let made = pack::make(ctx, &organisation, quarter).await?;
            let bytes = pack::pdf(ctx, pack::document(&made)).await?;
            times.push(began.elapsed());
            size = bytes.len();
        }
        times.sort();
        let median = percentile(&times, 0.5);
        println!(
            "The demo's largest organisation's pack for {}, gathered and typeset ({} KB PDF): \
             {:.1} ms, the median of {runs} runs (range {:.1} to {:.1}); the first run works \
             out the culture-and-care figures it keeps.",
            quarter.months(),
            size / 1024,
            ms(median),
            ms(times.first().copied().unwrap_or_default()),
            ms(times.last().copied().unwrap_or_default())
        );
        println!(
            "Goal for a pack, under {:.0} ms: {}.",
            ms(GOAL_PACK),
            if median < GOAL_PACK { "met" } else { "NOT met" }
        );
        Ok::<(), anyhow::Error>(())
    }
    .await;
    scratch.finish().await;
    outcome
}
