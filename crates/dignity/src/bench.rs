//! `dignity bench`: measured speed, never guessed. Results go in docs/benchmarks.md.

#![expect(
    clippy::indexing_slicing,
    reason = "the benchmark walks the engine's columns by the positions it built them with, as the engine itself does"
)]

use anyhow::Context;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use clap::Subcommand;
use dignity_app::admin::{NewOrganisation, Operator};
use dignity_app::assure::ScratchDb;
use dignity_app::data::Backend;
use dignity_app::{Clock, Db};
use dignity_domain::identity::{Name, OdsCode, OrgType, Region};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Anonymous Speak Up submissions, each acknowledged only after its commit is durable:
    /// validation, a new case key, the receipt's argon2id hash, sealing and the database
    /// write, through the full router (CSRF, the flood limit at its default, handler).
    /// Beyond the limit the client solves the proof of work, as a browser would. Runs on a
    /// fresh SQLite file and a fresh PostgreSQL database.
    Speakup {
        /// Submissions per backend.
        #[arg(long, default_value_t = 400)]
        count: usize,
        /// Submissions in flight at once.
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// Skip PostgreSQL (for machines without it).
        #[arg(long)]
        sqlite_only: bool,
    },
    /// Staff answering the shared survey with invitation codes, every page as a browser
    /// would, through the full router; a response counts once its "sent" page is back,
    /// which comes only after its durable write. Prints complete responses a second
    /// (median and range of the runs), latencies, the load average, checks what was
    /// stored, and the national survey's capacity sum. SQLite and PostgreSQL.
    SurveyAnswers {
        /// People answering at once.
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// Complete responses per backend, shared evenly between the runs.
        #[arg(long, default_value_t = 4000)]
        responses: usize,
        /// Runs per backend.
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Skip PostgreSQL (for machines without it).
        #[arg(long)]
        sqlite_only: bool,
    },
    /// The survey engine on a synthetic national dataset: ingest, memory, a full
    /// organisation report, a national benchmark of every organisation, and random
    /// filtered crosstabs.
    Survey {
        #[arg(long, default_value_t = 1_500_000)]
        respondents: usize,
        #[arg(long, default_value_t = 260)]
        orgs: usize,
        /// Random filtered crosstabs to time.
        #[arg(long, default_value_t = 200)]
        crosstabs: usize,
        /// Load this CSV (written by `dignity synth`) instead of generating data; the
        /// ingest time then includes reading and checking the file.
        #[arg(long, value_name = "FILE")]
        from_csv: Option<std::path::PathBuf>,
        /// Write every query, its answer and its time to this JSON file, for
        /// scripts/compare-engines.py to check against DuckDB and Polars.
        #[arg(long, value_name = "FILE")]
        answers: Option<std::path::PathBuf>,
    },
    /// Workforce extracts: every organisation's made-up staff in post (as `dignity synth
    /// workforce` writes it) imported into a fresh SQLite database through the same path
    /// as `dignity import workforce`, then its other extracts (untimed), then every WRES
    /// and WDES measure of every organisation for both years. Prints rows a second,
    /// parsing and storing apart, and the time the measures took, reading and deciding
    /// apart (each the median and range of the runs), the load average and the peak
    /// memory.
    Workforce {
        #[arg(long, default_value_t = 260)]
        orgs: usize,
        /// Staff in post across all the organisations.
        #[arg(long, default_value_t = 1_500_000)]
        people: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Employee relations cases: made-up cases across many organisations stored in a
    /// fresh SQLite database (untimed), then the busiest organisation's case list,
    /// filtered, sorted and paged, asked for through the full router by a lead signed in
    /// with both steps. Prints each run's latencies and the median and range of the p95s.
    Casework {
        #[arg(long, default_value_t = 200_000)]
        cases: usize,
        #[arg(long, default_value_t = 260)]
        orgs: usize,
        /// List requests a run.
        #[arg(long, default_value_t = 400)]
        requests: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Self-assessments: made-up organisations each with rounds over several years, every
    /// assessor's ratings sent, every statement agreed and both sides signed (untimed),
    /// then a round's page (compared with the year before) and the national system view
    /// asked for through the full router. Prints each run's latencies and the median and
    /// range of the p95s, against the goals.
    Diagnostics {
        #[arg(long, default_value_t = 260)]
        orgs: usize,
        #[arg(long, default_value_t = 10)]
        assessors: usize,
        #[arg(long, default_value_t = 3)]
        years: usize,
        /// Requests of each page a run.
        #[arg(long, default_value_t = 200)]
        requests: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Culture and care: organisations with workforce extracts, a closed survey campaign
    /// and a year of outcomes each (untimed), then the national culture-and-care page (its
    /// first request after an import, which works everything out, and the requests after
    /// it) and an organisation's own page, through the full router.
    Board {
        #[arg(long, default_value_t = 260)]
        orgs: usize,
        /// Staff in post across all the organisations.
        #[arg(long, default_value_t = 260_000)]
        people: usize,
        /// Survey responses for each organisation.
        #[arg(long, default_value_t = 150)]
        respondents: usize,
        /// Requests of each page a run.
        #[arg(long, default_value_t = 50)]
        requests: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Staff voice: made-up ideas and comments under a challenge for each organisation and
    /// a national one (a tenth of the ideas), written straight to a fresh SQLite database
    /// (untimed); then a challenge's page read by many people at once, similar-idea
    /// suggestions, and supporting an idea (durable before it answers), all through the
    /// full router. Prints each run's latencies and the median and range against the
    /// issue's goals.
    Voice {
        #[arg(long, default_value_t = 260)]
        orgs: usize,
        /// Ideas and comments together (a quarter of them ideas).
        #[arg(long, default_value_t = 1_000_000)]
        posts: usize,
        /// People reading the challenge's page at once.
        #[arg(long, default_value_t = 64)]
        readers: usize,
        /// Requests of each kind a run.
        #[arg(long, default_value_t = 2_000)]
        requests: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Board members' records: made-up boards across organisations with five years of
    /// seats, checks, declarations and signed rounds, written straight to a fresh SQLite
    /// database (untimed); then searches of the national register and a board's page,
    /// through the full router. Prints each run's latencies and the median and range
    /// against the goal.
    Leadership {
        #[arg(long, default_value_t = 260)]
        orgs: usize,
        #[arg(long, default_value_t = 10_000)]
        members: usize,
        /// Searches a run.
        #[arg(long, default_value_t = 500)]
        requests: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// The decision behind a unit's staff by group on made-up organisations of several
    /// sizes: the staff groups decided over every division and directorate at once. Prints the median and range of 7 runs for each size.
    UnitTables {
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// The workforce page's staff groups, sexes and age bands decided beside the equality
    /// tables, on made-up organisations of several sizes. Prints the median and range of 7
    /// runs for each size.
    StaffGroups {
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// The library's search index on a generated catalogue: building it, changing one
    /// resource, and searches of each kind (words, mistyped words, filters, browsing).
    Library {
        #[arg(long, default_value_t = 100_000)]
        count: usize,
        /// Searches to time.
        #[arg(long, default_value_t = 1_000)]
        queries: usize,
    },
}

pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Library { count, queries } => crate::bench_library::run(count, queries),
        BenchCommand::UnitTables { seed } => crate::bench_unit_tables::run(seed),
        BenchCommand::StaffGroups { seed } => crate::bench_staff_groups::run(seed),
        BenchCommand::Leadership {
            orgs,
            members,
            requests,
            runs,
        } => crate::bench_leadership::run(orgs, members, requests, runs).await,
        BenchCommand::Voice {
            orgs,
            posts,
            readers,
            requests,
            runs,
            seed,
        } => crate::bench_voice::run(orgs, posts, readers, requests, runs, seed).await,
        BenchCommand::Board {
            orgs,
            people,
            respondents,
            requests,
            runs,
        } => crate::bench_board::run(orgs, people, respondents, requests, runs).await,
        BenchCommand::Diagnostics {
            orgs,
            assessors,
            years,
            requests,
            runs,
        } => crate::bench_diagnostics::run(orgs, assessors, years, requests, runs).await,
        BenchCommand::Casework {
            cases,
            orgs,
            requests,
            runs,
            seed,
        } => crate::bench_casework::run(cases, orgs, requests, runs, seed).await,
        BenchCommand::Workforce {
            orgs,
            people,
            runs,
            seed,
        } => crate::bench_workforce::run(orgs, people, runs, seed).await,
        BenchCommand::SurveyAnswers {
            clients,
            responses,
            runs,
            sqlite_only,
        } => crate::bench_answers::run(clients, responses, runs, sqlite_only).await,
        BenchCommand::Survey {
            respondents,
            orgs,
            crosstabs,
            from_csv,
            answers,
        } => survey(
            respondents,
            orgs,
            crosstabs,
            from_csv.as_deref(),
            answers.as_deref(),
        ),
        BenchCommand::Speakup {
            count,
            concurrency,
            sqlite_only,
        } => {
            println!(
                "Speak Up submissions: {count} per backend to one trust, {concurrency} at a time, argon2id at the production cost, the flood limit at its default."
            );
            println!(
                "{:<11} {:<15} {:>6} {:>9} {:>9} {:>9} {:>9} {:>13}",
                "backend", "path", "count", "p50 ms", "p90 ms", "p99 ms", "max ms", "solve p50 ms"
            );
            let mut backends = vec![Backend::Sqlite];
            if !sqlite_only {
                backends.push(Backend::Postgres);
            }
            for backend in backends {
                let db = ScratchDb::new(backend).await.with_context(|| {
                    format!("could not make a {backend:?} database for the benchmark")
                })?;
                let outcome = speakup_on(&db, count, concurrency).await;
                db.finish().await;
                let (elapsed, outcomes) = outcome?;
                let mut free: Vec<Duration> = Vec::new();
                let mut worked: Vec<Duration> = Vec::new();
                let mut solving: Vec<Duration> = Vec::new();
                for outcome in &outcomes {
                    match outcome.solve {
                        None => free.push(outcome.server),
                        Some(solve) => {
                            worked.push(outcome.server);
                            solving.push(solve);
                        }
                    }
                }
                for (path, latencies, solves) in [
                    ("within limit", &mut free, &mut Vec::new()),
                    ("proof of work", &mut worked, &mut solving),
                ] {
                    latencies.sort();
                    solves.sort();
                    let solve = if solves.is_empty() {
                        "-".to_owned()
                    } else {
                        format!("{:.1}", ms(percentile(solves, 0.5)))
                    };
                    println!(
                        "{:<11} {:<15} {:>6} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>13}",
                        format!("{backend:?}"),
                        path,
                        latencies.len(),
                        ms(percentile(latencies, 0.5)),
                        ms(percentile(latencies, 0.9)),
                        ms(percentile(latencies, 0.99)),
                        ms(percentile(latencies, 1.0)),
                        solve
                    );
                }
                println!(
                    "{:<11} all {} stored in {:.1} s: {:.1} per second, the client's proof-of-work solving included",
                    format!("{backend:?}"),
                    outcomes.len(),
                    elapsed.as_secs_f64(),
                    outcomes.len() as f64 / elapsed.as_secs_f64()
                );
            }
            Ok(())
        }
    }
}

/// The one acute trust every benchmark works in.
pub(crate) async fn bench_trust(
    operator: &Operator,
) -> anyhow::Result<dignity_app::identity::Organisation> {
    Ok(operator
        .create_organisation(&NewOrganisation {
            ods_code: OdsCode::parse("BENCH")?,
            name: Name::parse("Benchmark Trust", "name")?,
            org_type: OrgType::Acute,
            region: Region::London,
            benchmark_group: Name::parse("Acute", "group")?,
        })
        .await?)
}

/// A trust ready to take concerns, as a typical trust is set up: its recovery key and two
/// guardians with keys, so each case is sealed four times. Returns its ODS code.
pub(crate) async fn speakup_trust(db: &Db) -> anyhow::Result<String> {
    let now = dignity_app::clock::system_now();
    let operator = Operator::new(db.clone(), Clock::fixed(now), "bench");
    let org = bench_trust(&operator).await?;
    // The recovery key is not needed again.
    operator.turn_on_speakup(&org, 2).await?;
    // Two guardians with keys, as a typical trust has, so each case is sealed four times.
    for i in 0..2 {
        let key = dignity_crypto::speakup::SecretKey::generate();
        let person = operator
            .create_person(
                &dignity_domain::identity::Email::parse(&format!("g{i}@bench.nhs.uk"))?,
                &Name::parse("Guardian", "n")?,
                "x",
            )
            .await?;
        operator
            .grant_role(
                &person,
                dignity_domain::identity::Role::Guardian,
                Some(&org),
            )
            .await?;
        operator
            .save_case_key(
                person.id,
                &dignity_crypto::speakup::public_key(&key),
                b"unused",
            )
            .await?;
    }
    Ok(org.ods_code.clone())
}

/// One submission: the server's time (both requests when it was asked for work) and the
/// client's time solving the proof of work, if it was asked.
struct Outcome {
    server: Duration,
    solve: Option<Duration>,
}

/// The challenge a busy form asks for, as `init.js` reads it.
fn challenge_in(page: &str) -> Option<dignity_app::speakup::pow::Challenge> {
    let after = |needle: &str| page.find(needle).map(|at| at + needle.len());
    let at = after("name=\"pow_challenge\" value=\"")?;
    let text = page[at..].chars().take_while(|c| *c != '"').collect();
    let at = after("data-pow-bits=\"")?;
    let bits = page[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()?;
    Some(dignity_app::speakup::pow::Challenge { text, bits })
}

async fn post_concern(
    router: &axum::Router,
    cookie: &str,
    body: String,
) -> anyhow::Result<(StatusCode, Duration, String)> {
    let request = Request::post("/speak-up/BENCH")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(Body::from(body))?;
    let began = Instant::now();
    let response = router.clone().oneshot(request).await?;
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1024 * 1024).await?;
    Ok((
        status,
        began.elapsed(),
        String::from_utf8_lossy(&bytes).into_owned(),
    ))
}

/// Sends `count` concerns as browsers would: when the form asks for a proof of work
/// (beyond the flood limit), the client solves it, as `init.js` does, and sends again.
async fn speakup_on(
    test_db: &ScratchDb,
    count: usize,
    concurrency: usize,
) -> anyhow::Result<(Duration, Vec<Outcome>)> {
    let db = &test_db.db;
    let ods = speakup_trust(db).await?;
    let org = Operator::new(db.clone(), Clock::system(), "bench")
        .organisation(&OdsCode::parse(&ods)?)
        .await?;
    let settings = dignity_web::Settings {
        app: dignity_app::Settings {
            passphrase_cost: dignity_app::context::PASSPHRASE_COST,
            ..Default::default()
        },
        ..Default::default()
    };
    let (router, _) = dignity_web::build_app(dignity_web::AppState::new(db.clone(), settings)?);
    let token = dignity_crypto::token::random_token();
    let body = Arc::new(format!(
        "csrf_token={token}&identity=anonymous&patient_safety=not_sure&what_happened=Benchmark+concern+text+of+a+typical+length%2C+describing+what+happened+on+a+ward+over+several+sentences."
    ));
    let cookie = Arc::new(format!("dignity_csrf={token}"));
    let semaphore = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(count);
    for _ in 0..count {
        let permit = semaphore.clone().acquire_owned().await?;
        let (router, body, cookie) = (router.clone(), body.clone(), cookie.clone());
        tasks.push(tokio::spawn(async move {
            let (status, first, page) =
                post_concern(&router, &cookie, body.as_str().to_owned()).await?;
            let outcome = if status == StatusCode::SERVICE_UNAVAILABLE {
                // As init.js does: solve what the busy form asks and send again. If the
                // load rose meanwhile, the form asks for a harder proof: solve that too.
                let (mut server, mut solve, mut page) = (first, Duration::ZERO, page);
                let mut tries = 0;
                loop {
                    tries += 1;
                    anyhow::ensure!(tries <= 8, "still busy after {tries} proofs of work");
                    let challenge = challenge_in(&page)
                        .ok_or_else(|| anyhow::anyhow!("a busy form without a challenge"))?;
                    let solving = Instant::now();
                    let solution = tokio::task::spawn_blocking(move || {
                        let n = dignity_app::speakup::pow::solve(&challenge);
                        (challenge, n)
                    })
                    .await?;
                    solve += solving.elapsed();
                    let (challenge, n) = solution;
                    let again = format!("{body}&pow_challenge={}&pow_solution={n}", challenge.text);
                    let (status, took, next) = post_concern(&router, &cookie, again).await?;
                    server += took;
                    match status {
                        StatusCode::OK => break,
                        StatusCode::SERVICE_UNAVAILABLE => page = next,
                        other => anyhow::bail!("a solved submission got {other}"),
                    }
                }
                Outcome {
                    server,
                    solve: Some(solve),
                }
            } else {
                anyhow::ensure!(
                    status == StatusCode::OK,
                    "a submission failed with {status}"
                );
                Outcome {
                    server: first,
                    solve: None,
                }
            };
            drop(permit);
            Ok::<_, anyhow::Error>(outcome)
        }));
    }
    let mut outcomes = Vec::with_capacity(count);
    for task in tasks {
        outcomes.push(task.await??);
    }
    let elapsed = started.elapsed();
    let stored = dignity_app::assure::concerns_of(db, &org).await?;
    anyhow::ensure!(
        stored == count,
        "{count} submissions were acknowledged but {stored} are stored"
    );
    Ok((elapsed, outcomes))
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted
        .get(((sorted.len() as f64 - 1.0) * p).round() as usize)
        .copied()
        .unwrap_or_default()
}

pub(crate) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// How many times each timed query runs; the median and the range are printed.
const RUNS: usize = 7;

/// Runs `work` [`RUNS`] times: the median time, the fastest and the slowest, and the last
/// result.
pub(crate) fn timed<T>(mut work: impl FnMut() -> anyhow::Result<T>) -> anyhow::Result<(Spread, T)> {
    let mut times = Vec::with_capacity(RUNS);
    let mut last = None;
    for _ in 0..RUNS {
        let started = Instant::now();
        last = Some(work()?);
        times.push(started.elapsed());
    }
    times.sort();
    let spread = Spread {
        median: percentile(&times, 0.5),
        fastest: times.first().copied().unwrap_or_default(),
        slowest: times.last().copied().unwrap_or_default(),
    };
    last.map(|l| (spread, l))
        .ok_or_else(|| anyhow::anyhow!("nothing was timed"))
}

pub(crate) struct Spread {
    median: Duration,
    fastest: Duration,
    slowest: Duration,
}

impl std::fmt::Display for Spread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:>9.1} ms  (median of {RUNS}, {:.1} to {:.1})",
            ms(self.median),
            ms(self.fastest),
            ms(self.slowest)
        )
    }
}

/// The machine's load average over the last minute, so a busy machine shows in the output.
pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

fn survey(
    respondents: usize,
    orgs: usize,
    crosstabs: usize,
    from_csv: Option<&std::path::Path>,
    answers_path: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    use dignity_engine::aggregate::{indicator, reports};
    use dignity_engine::columns::Columns;
    use dignity_engine::disclosure::{self, Kind, Minimum};
    use serde_json::json;
    let minimum = Minimum::default_for(Kind::SurveyResults);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);

    let (columns, ingest) = match from_csv {
        Some(path) => {
            let started = Instant::now();
            let columns = crate::synth::read_csv(path, orgs)?;
            (columns, started.elapsed())
        }
        None => {
            let started = Instant::now();
            let generated = dignity_engine::synth::generate(respondents, orgs, 2026);
            println!(
                "{:<44} {:>10.0} ms",
                "generate synthetic data",
                ms(started.elapsed())
            );
            // Ingest: every response checked and appended, as when loading from the database.
            let item_cols: Vec<&[u8]> = (0..generated.items().len())
                .map(|i| generated.item(i))
                .collect::<Result<_, _>>()?;
            let dim_cols: Vec<&[u16]> = (0..generated.dims().len())
                .map(|d| generated.dim(d))
                .collect::<Result<_, _>>()?;
            let started = Instant::now();
            let mut columns = Columns::new(generated.items().to_vec(), generated.dims().to_vec());
            columns.reserve(generated.rows());
            let mut answers = vec![0u8; item_cols.len()];
            let mut values = vec![0u16; dim_cols.len()];
            for row in 0..generated.rows() {
                for (slot, col) in answers.iter_mut().zip(&item_cols) {
                    *slot = col[row];
                }
                for (slot, col) in values.iter_mut().zip(&dim_cols) {
                    *slot = col[row];
                }
                columns.push(&answers, &values)?;
            }
            (columns, started.elapsed())
        }
    };
    let items = columns.items().to_vec();
    let dims = columns.dims().to_vec();
    println!(
        "Survey engine: {} respondents, {} organisations, {} items, {threads} threads.",
        columns.rows(),
        dims[0].labels.len(),
        items.len()
    );
    let ingest_label = if from_csv.is_some() {
        "ingest (read, check, append the CSV)"
    } else {
        "ingest (check and append every response)"
    };
    println!("{:<44} {:>10.0} ms", ingest_label, ms(ingest));
    println!(
        "{:<44} {:>10.1} MB",
        "memory held by the columns",
        columns.memory_bytes() as f64 / 1e6
    );

    let all_items: Vec<usize> = (0..items.len()).collect();
    let dim = |key: &str| {
        columns
            .dim_index(key)
            .ok_or_else(|| anyhow::anyhow!("no {key}"))
    };
    let (org, staff, ethnicity, disability, year, unit, benchmark) = (
        dim("organisation")?,
        dim("staff_group")?,
        dim("ethnicity")?,
        dim("disability")?,
        dim("year")?,
        dim("org_unit")?,
        dim("benchmark_group")?,
    );

    // The engine's share of the largest organisation's report: every answer of every item
    // counted by every standard breakdown, with group-size suppression. The page also works
    // out intervals, theme scores, equality ratios and per-question suppression; those are
    // not timed here (the load check times whole dashboard pages).
    let mut sizes = vec![0usize; dims[org].labels.len() + 1];
    for &o in columns.dim(org)? {
        sizes[usize::from(o)] += 1;
    }
    let biggest = sizes
        .iter()
        .enumerate()
        .max_by_key(|(_, n)| **n)
        .map(|(i, _)| i as u16)
        .unwrap_or(1);
    let org_breakdowns = [
        None,
        Some(staff),
        Some(ethnicity),
        Some(disability),
        Some(year),
        Some(unit),
    ];
    println!("load average before timing: {}", load_average());
    // The floor: reading every answer byte once, summed so the reads cannot be skipped.
    let (plain, _) = timed(|| {
        let mut sum = 0u64;
        for &i in &all_items {
            sum += columns.item(i)?.iter().map(|&b| u64::from(b)).sum::<u64>();
        }
        Ok(std::hint::black_box(sum))
    })?;
    println!("{:<44} {plain}", "plain scan of every answer byte");
    let mut shown_cells = 0;
    let (org_report, org_out) = timed(|| {
        let chosen = columns.select(&[(org, vec![biggest])])?;
        let out = reports(&columns, &chosen, &all_items, &org_breakdowns, threads)?;
        shown_cells = 0;
        for report in &out[1..] {
            let group_sizes: Vec<u64> = (0..report.groups).map(|g| report.group_size(g)).collect();
            let whole = disclosure::population(group_sizes.iter().sum(), minimum);
            shown_cells += disclosure::groups(&group_sizes, &whole, minimum)
                .iter()
                .filter(|s| s.is_shown())
                .count();
        }
        Ok(out)
    })?;
    println!(
        "{:<44} {org_report}  ({} respondents, {} items x 6 breakdowns, {} groups shown)",
        "largest organisation's counts, engine only",
        sizes[usize::from(biggest)],
        all_items.len(),
        shown_cells
    );
    let org_report_time = org_report.median;

    // National: every answer of every item for every organisation, then with the
    // benchmark grouping too.
    let everyone = dignity_engine::Bitmap::full(columns.rows());
    let (national, national_out) = timed(|| {
        Ok(reports(
            &columns,
            &everyone,
            &all_items,
            &[Some(org)],
            threads,
        )?)
    })?;
    let times_plain = |t: &Spread| ms(t.median) / ms(plain.median).max(1e-9);
    println!(
        "{:<44} {national}  {:.1}x the plain scan",
        "national, every organisation",
        times_plain(&national)
    );
    let (with_groups, _) = timed(|| {
        Ok(reports(
            &columns,
            &everyone,
            &all_items,
            &[Some(org), Some(benchmark)],
            threads,
        )?)
    })?;
    println!(
        "{:<44} {with_groups}  {:.1}x the plain scan",
        "national, with benchmark groups",
        times_plain(&with_groups)
    );
    let national_time = national.median;

    // How many organisations the oversight funnel plots single out, on the latest year:
    // not a speed, but the check that a flag stays rare on national-sized data.
    let bank = dignity_domain::survey::parse(dignity_domain::survey::DEFAULT_BANK)
        .map_err(|e| anyhow::anyhow!("default survey: {e}"))?;
    let latest = dims[year].labels.len() as u16;
    let this_year = columns.select(&[(year, vec![latest])])?;
    for o in dignity_engine::benchmark::OVERSIGHT {
        let Some(better) = bank.questions().find(|q| q.key == o.item).map(|q| q.better) else {
            continue;
        };
        let found = dignity_engine::benchmark::positions(
            &columns,
            &this_year,
            o.item,
            better == dignity_domain::survey::Direction::HigherIsBetter,
            minimum,
        )?;
        let beyond = |worse: &[dignity_engine::benchmark::Standing]| {
            found
                .organisations
                .iter()
                .filter(|p| worse.contains(&p.standing))
                .count()
        };
        use dignity_engine::benchmark::Standing::{FarWorse, Worse};
        println!(
            "funnel, {}: {} organisations, {} beyond 95% on the worse side, {} beyond 99.8% (flagged), spread sd {:.1} points",
            o.item,
            found.organisations.len(),
            beyond(&[Worse, FarWorse]),
            beyond(&[FarWorse]),
            found.spread.sqrt() * 100.0
        );
    }

    // Random filtered crosstabs: one item, one breakdown, one or two filter conditions.
    let mut rng = dignity_engine::rng::Rng::new(99);
    let filterable = [staff, ethnicity, disability, year, benchmark];
    let breakdowns = [staff, ethnicity, disability, year, org];
    let mut times = Vec::with_capacity(crosstabs);
    let mut crosstab_out = Vec::with_capacity(crosstabs);
    for _ in 0..crosstabs {
        let mut conditions: Vec<(usize, Vec<u16>)> = Vec::new();
        for _ in 0..1 + rng.below(2) {
            let d = filterable[rng.below(filterable.len() as u64) as usize];
            let value = 1 + rng.below(dims[d].labels.len() as u64) as u16;
            conditions.push((d, vec![value]));
        }
        let item = rng.below(items.len() as u64) as usize;
        let by = breakdowns[rng.below(breakdowns.len() as u64) as usize];
        let started = Instant::now();
        let chosen = columns.select(&conditions)?;
        let out = reports(&columns, &chosen, &[item], &[Some(by)], threads)?;
        let group_sizes: Vec<u64> = (0..out[0].groups).map(|g| out[0].group_size(g)).collect();
        let whole = disclosure::population(group_sizes.iter().sum(), minimum);
        std::hint::black_box(disclosure::groups(&group_sizes, &whole, minimum));
        let took = started.elapsed();
        times.push(took);
        if answers_path.is_some() {
            let groups: Vec<_> = (0..out[0].groups)
                .filter_map(|g| {
                    let i = indicator(&items[item], out[0].histogram(g, 0));
                    (i.answered > 0).then(|| json!([g, i.answered, i.positive]))
                })
                .collect();
            let filter: Vec<_> = conditions
                .iter()
                .map(|(d, v)| json!([dims[*d].key, v[0]]))
                .collect();
            crosstab_out.push(json!({"filter": filter, "item": items[item].key, "by": dims[by].key, "ms": ms(took), "groups": groups}));
        }
    }
    times.sort();
    let (p50, p95) = (percentile(&times, 0.5), percentile(&times, 0.95));
    println!(
        "{:<44} {:>10.1} ms p50, {:.1} ms p95",
        format!("{crosstabs} random filtered crosstabs"),
        ms(p50),
        ms(p95)
    );
    println!("load average after timing: {}", load_average());

    if let Some(path) = answers_path {
        let positive_codes = |meta: &dignity_engine::ItemMeta| -> Vec<u8> {
            (1..=meta.codes)
                .filter(|c| meta.positive & (1 << c) != 0)
                .collect()
        };
        let org_report: Vec<_> = org_out
            .iter()
            .map(|report| {
                let mut counts = Vec::new();
                for g in 0..report.groups {
                    for (j, item) in items.iter().enumerate() {
                        for (code, &n) in report.histogram(g, j).iter().enumerate() {
                            if n > 0 {
                                counts.push(json!([g, item.key, code, n]));
                            }
                        }
                    }
                }
                json!({"by": report.breakdown.map(|d| dims[d].key.clone()), "counts": counts})
            })
            .collect();
        let national: Vec<_> = (1..national_out[0].groups)
            .flat_map(|g| {
                let (report, items) = (&national_out[0], &items);
                (0..all_items.len()).map(move |j| {
                    let i = indicator(&items[j], report.histogram(g, j));
                    json!([g, items[j].key, i.answered, i.positive])
                })
            })
            .collect();
        let document = json!({
            "threads": threads,
            "timings_ms": {"ingest": ms(ingest), "plain_scan": ms(plain.median), "org_report": ms(org_report_time), "national": ms(national_time), "national_with_benchmark": ms(with_groups.median), "crosstab_p50": ms(p50), "crosstab_p95": ms(p95)},
            "items": items.iter().map(|i| json!({"key": i.key, "positive": positive_codes(i)})).collect::<Vec<_>>(),
            "org": biggest,
            "org_report": org_report,
            "national": national,
            "crosstabs": crosstab_out,
        });
        std::fs::write(path, serde_json::to_vec(&document)?)?;
        println!("Wrote every answer to {}", path.display());
    }
    Ok(())
}
