//! `dignity bench leadership`: board records at national scale. Made-up board members
//! (10,000 by default) across organisations, each with five years of seats, checks,
//! declarations and signed yearly rounds, written straight to a fresh SQLite database
//! (untimed); then, through the full router as an analyst's browser would ask, searches
//! of the national register (by a name, an organisation or its code, and pages of
//! everyone), and one organisation's board page as its chair sees it.

use crate::bench::{ms, percentile};
use crate::bench_casework::{PASSPHRASE, TOTP_SECRET, router_get as get, sign_in};
use anyhow::{Context, ensure};
use axum::http::StatusCode;
use dignity_app::admin::{NewOrganisation, Operator};
use dignity_app::assure::ScratchDb;
use dignity_app::data::Backend;
use dignity_app::demo::board_store::{BenchmarkRound, SyntheticMember, insert_board_for_benchmark};
use dignity_app::{Clock, Db};
use dignity_domain::identity::{Email, Name, OdsCode, OrgType, Region, Role};
use dignity_domain::leadership::{CheckKind, Seat, SeatKind};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};

/// The goal for a search of the national register.
const GOAL_SEARCH: Duration = Duration::from_millis(10);
/// The goal for a region's annual summary.
const GOAL_REGION: Duration = Duration::from_millis(100);

const FIRST: &[&str] = &[
    "Alex", "Sam", "Jo", "Priya", "Tom", "Amara", "Chen", "Fatima", "Owen", "Grace", "Ravi", "Nia",
    "Liam", "Zara", "Kwame", "Ellen",
];
const LAST: &[&str] = &[
    "Morgan", "Patel", "Okafor", "Hughes", "Khan", "Davies", "Nowak", "Reid", "Singh", "Evans",
    "Byrne", "Ahmed", "Clarke", "Mensah", "Lewis", "Ward",
];
const TITLES: &[(&str, SeatKind)] = &[
    ("Chief executive", SeatKind::Executive),
    ("Chief finance officer", SeatKind::Executive),
    ("Chief nurse", SeatKind::Executive),
    ("Medical director", SeatKind::Executive),
    ("Chief people officer", SeatKind::Executive),
    ("Chair", SeatKind::NonExecutive),
    ("Non-executive director", SeatKind::NonExecutive),
];

fn pick<'a>(rng: &mut StdRng, words: &[&'a str]) -> &'a str {
    words
        .get(rng.gen_range(0..words.len()))
        .copied()
        .unwrap_or("")
}

pub async fn run(orgs: usize, members: usize, requests: usize, runs: usize) -> anyhow::Result<()> {
    ensure!(
        orgs >= 1 && members >= orgs && requests >= 1 && runs >= 1,
        "--orgs, --requests and --runs must be at least 1, and --members at least --orgs"
    );
    let scratch = ScratchDb::new(Backend::Sqlite)
        .await
        .context("could not make a SQLite database for the benchmark")?;
    let outcome = on(&scratch.db, orgs, members, requests, runs).await;
    scratch.finish().await;
    outcome
}

async fn on(
    db: &Db,
    orgs: usize,
    members: usize,
    requests: usize,
    runs: usize,
) -> anyhow::Result<()> {
    let operator = Operator::new(db.clone(), Clock::system(), "bench");
    let today = operator.clock().today();
    let mut rng = StdRng::seed_from_u64(21);
    let began = Instant::now();
    let mut first = None;
    let mut written = 0;
    for n in 0..orgs {
        let organisation = operator
            .create_organisation(&NewOrganisation {
                ods_code: OdsCode::parse(&format!("B{n:04}"))?,
                name: Name::parse(&format!("Board Trust {n}"), "name")?,
                org_type: OrgType::Acute,
                region: Region::ALL
                    .get(n % Region::ALL.len())
                    .copied()
                    .unwrap_or(Region::London),
                benchmark_group: Name::parse("Acute", "group")?,
            })
            .await?;
        let here = members / orgs + usize::from(n < members % orgs);
        let mut made = Vec::with_capacity(here);
        for m in 0..here {
            // Five years: some joined lately, some left; checks each year, the criminal
            // records check every three, references once.
            let joined = today.plus_days(-rng.gen_range(30..5 * 365));
            let left = rng
                .gen_bool(0.2)
                .then(|| joined.plus_days(rng.gen_range(1..today.days_since(joined).max(2))));
            let (title, kind) = TITLES
                .get(rng.gen_range(0..TITLES.len()))
                .copied()
                .unwrap_or(("Non-executive director", SeatKind::NonExecutive));
            let seats = vec![Seat {
                kind,
                title: title.into(),
                voting: true,
                interim: rng.gen_bool(0.05),
                starts_on: joined,
                ends_on: left,
            }];
            let mut checks = vec![(CheckKind::References, joined)];
            let mut declarations = Vec::new();
            let mut year = 0;
            while joined.plus_days(365 * year) <= left.unwrap_or(today) {
                let on = joined
                    .plus_days(365 * year + rng.gen_range(0..30))
                    .min(today);
                for check in CheckKind::ALL {
                    let due = match check.lasts_months() {
                        None => false,
                        Some(36) => year % 3 == 0,
                        Some(_) => true,
                    };
                    if due && rng.gen_bool(0.95) {
                        checks.push((*check, on));
                    }
                }
                declarations.push(on);
                year += 1;
            }
            made.push(SyntheticMember {
                email: format!("member{m}@b{n}.bench.nhs.uk"),
                name: format!("{} {} {n}-{m}", pick(&mut rng, FIRST), pick(&mut rng, LAST)),
                seats,
                checks,
                declarations,
            });
        }
        written += made.len();
        // Each signed round keeps its return as the app does: a row a member sitting
        // that day, so the regional summary reads returns of the right size.
        let mut rounds = Vec::with_capacity(5);
        for y in 1..=5 {
            let (opened, signed) = (today.plus_days(-365 * y), today.plus_days(-365 * y + 60));
            let rows: Vec<Vec<String>> =
                made.iter()
                    .filter(|m| m.seats.iter().any(|s| s.held_on(opened)))
                    .map(|m| {
                        let seat = m.seats.first().map_or_else(String::new, |s| {
                            format!("{} ({})", s.title, s.kind.label())
                        });
                        vec![
                            format!("B{n:04}"),
                            opened.ymd().0.to_string(),
                            m.name.clone(),
                            seat,
                            "Fit and proper".into(),
                            signed.to_string(),
                            "no".into(),
                            "no".into(),
                            opened.to_string(),
                            signed.to_string(),
                        ]
                    })
                    .collect();
            rounds.push(BenchmarkRound {
                opened,
                signed,
                return_rows: serde_json::to_string(&rows)?,
            });
        }
        insert_board_for_benchmark(db, organisation.id, &made, &rounds).await?;
        if n == 0 {
            first = Some(organisation);
        }
    }
    let first = first.context("no organisation was made")?;
    println!(
        "Leadership: {written} board members of {orgs} organisations, with five years of seats, \
         checks, declarations and signed rounds, written in {:.1} s; SQLite; through the full router.",
        began.elapsed().as_secs_f64()
    );

    let hash = operator.hash_passphrase(PASSPHRASE)?;
    let (router, _) = dignity_web::build_app(dignity_web::AppState::new(
        db.clone(),
        dignity_web::Settings::default(),
    )?);
    let analyst = operator
        .create_person(
            &Email::parse("analyst@bench.nhs.uk")?,
            &Name::parse("Analyst", "name")?,
            &hash,
        )
        .await?;
    operator
        .grant_role(&analyst, Role::NationalAnalyst, None)
        .await?;
    operator
        .set_second_step(&analyst, Some(TOTP_SECRET))
        .await?;
    let analyst = sign_in(&router, "analyst@bench.nhs.uk").await?;
    let chair = operator
        .create_person(
            &Email::parse("chair@bench.nhs.uk")?,
            &Name::parse("Chair", "name")?,
            &hash,
        )
        .await?;
    operator
        .grant_role(&chair, Role::Chair, Some(&first))
        .await?;
    operator.set_second_step(&chair, Some(TOTP_SECRET)).await?;
    let chair = sign_in(&router, "chair@bench.nhs.uk").await?;
    // The director of the first organisation's region, which holds a seventh of them.
    let director = operator
        .create_person(
            &Email::parse("director@bench.nhs.uk")?,
            &Name::parse("Director", "name")?,
            &hash,
        )
        .await?;
    operator
        .grant_region_role(&director, Role::RegionalDirector, first.region)
        .await?;
    operator
        .set_second_step(&director, Some(TOTP_SECRET))
        .await?;
    let director = sign_in(&router, "director@bench.nhs.uk").await?;
    let last_year = today.ymd().0 - 1;
    let region_path = format!("/regions/{}/boards?year={last_year}", first.region.code());
    let (status, _, body) = get(&router, &director, &region_path).await?;
    ensure!(
        status == StatusCode::OK && body.contains("signed a return"),
        "the region's summary answered {status}"
    );

    // What an analyst types: a surname, a first and last name, an organisation's name or
    // code, or nothing (a page of everyone).
    let pages = (members as i64 / 50).max(1);
    let searches: Vec<String> = (0..requests)
        .map(|i| match i % 5 {
            0 => format!("/national/boards?q={}", pick(&mut rng, LAST)),
            1 => format!(
                "/national/boards?q={}+{}",
                pick(&mut rng, FIRST),
                pick(&mut rng, LAST)
            ),
            2 => format!("/national/boards?q=Board+Trust+{}", rng.gen_range(0..orgs)),
            3 => format!("/national/boards?q=B{:04}", rng.gen_range(0..orgs)),
            _ => format!("/national/boards?page={}", rng.gen_range(1..=pages)),
        })
        .collect();
    let (status, _, body) = get(&router, &analyst, "/national/boards?q=Patel").await?;
    ensure!(
        status == StatusCode::OK && body.contains("board members"),
        "the national register answered {status}"
    );
    let board_path = format!("/orgs/{}/board", first.ods_code);
    let (status, _, _) = get(&router, &chair, &board_path).await?;
    ensure!(status == StatusCode::OK, "the board page answered {status}");

    println!(
        "{:<5} {:>22} {:>9} {:>9} {:>24} {:>20} {:>12}",
        "run",
        "search p50 ms",
        "p95 ms",
        "max ms",
        "board page p95 ms",
        "region p95 ms",
        "load average"
    );
    let (mut search_p95s, mut board_p95s, mut region_p95s) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs {
        let mut times = Vec::with_capacity(searches.len());
        for path in &searches {
            let started = Instant::now();
            let (status, _, _) = get(&router, &analyst, path).await?;
            times.push(started.elapsed());
            ensure!(status == StatusCode::OK, "{path} answered {status}");
        }
        times.sort();
        let mut board = Vec::with_capacity(100);
        for _ in 0..100 {
            let started = Instant::now();
            let (status, _, _) = get(&router, &chair, &board_path).await?;
            board.push(started.elapsed());
            ensure!(status == StatusCode::OK, "the board page answered {status}");
        }
        board.sort();
        let mut region = Vec::with_capacity(100);
        for _ in 0..100 {
            let started = Instant::now();
            let (status, _, _) = get(&router, &director, &region_path).await?;
            region.push(started.elapsed());
            ensure!(
                status == StatusCode::OK,
                "the region's summary answered {status}"
            );
        }
        region.sort();
        let (p95, board_p95, region_p95) = (
            percentile(&times, 0.95),
            percentile(&board, 0.95),
            percentile(&region, 0.95),
        );
        println!(
            "{:<5} {:>22.1} {:>9.1} {:>9.1} {:>24.1} {:>20.1} {:>12}",
            run + 1,
            ms(percentile(&times, 0.5)),
            ms(p95),
            ms(percentile(&times, 1.0)),
            ms(board_p95),
            ms(region_p95),
            crate::bench::load_average()
        );
        search_p95s.push(p95);
        board_p95s.push(board_p95);
        region_p95s.push(region_p95);
    }
    search_p95s.sort();
    board_p95s.sort();
    region_p95s.sort();
    let median = percentile(&search_p95s, 0.5);
    println!(
        "national register search p95: {:.1} ms, the median of {runs} runs (range {:.1} to {:.1}); goal under {:.0} ms: {}",
        ms(median),
        ms(search_p95s.first().copied().unwrap_or_default()),
        ms(search_p95s.last().copied().unwrap_or_default()),
        ms(GOAL_SEARCH),
        if median < GOAL_SEARCH {
            "met"
        } else {
            "NOT met"
        }
    );
    println!(
        "an organisation's board page (about {} members) p95: {:.1} ms, the median of {runs} runs (range {:.1} to {:.1}); no goal set",
        members / orgs,
        ms(percentile(&board_p95s, 0.5)),
        ms(board_p95s.first().copied().unwrap_or_default()),
        ms(board_p95s.last().copied().unwrap_or_default()),
    );
    let region_median = percentile(&region_p95s, 0.5);
    println!(
        "a region's annual summary ({} of {orgs} organisations) p95: {:.1} ms, the median of {runs} runs (range {:.1} to {:.1}); goal under {:.0} ms: {}",
        orgs.div_ceil(Region::ALL.len()),
        ms(region_median),
        ms(region_p95s.first().copied().unwrap_or_default()),
        ms(region_p95s.last().copied().unwrap_or_default()),
        ms(GOAL_REGION),
        if region_median < GOAL_REGION {
            "met"
        } else {
            "NOT met"
        }
    );
    Ok(())
}
