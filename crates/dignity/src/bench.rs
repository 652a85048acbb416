//! `dignity bench`: measured speed, never guessed. Results go in docs/benchmarks.md.

use anyhow::Context;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use clap::Subcommand;
use dignity_crypto::passphrase::HashCost;
use dignity_domain::identity::{Name, OdsCode, OrgType, Region};
use dignity_store::testing::TestDb;
use dignity_store::{Backend, identity, speakup};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Anonymous Speak Up submissions, each acknowledged only after its commit is durable:
    /// validation, a new case key, the receipt's argon2id hash, sealing and the database
    /// write, through the full router (CSRF, limits, handler). Runs on a fresh SQLite file
    /// and a fresh PostgreSQL database.
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
}

pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Speakup {
            count,
            concurrency,
            sqlite_only,
        } => {
            println!(
                "Speak Up submissions: {count} per backend, {concurrency} at a time, argon2id at the production cost."
            );
            println!(
                "{:<11} {:>9} {:>10} {:>9} {:>9} {:>9} {:>9}",
                "backend", "count", "per second", "p50 ms", "p90 ms", "p99 ms", "max ms"
            );
            let mut backends = vec![Backend::Sqlite];
            if !sqlite_only {
                backends.push(Backend::Postgres);
            }
            for backend in backends {
                let db = TestDb::new(backend).await.with_context(|| {
                    format!("could not make a {backend:?} database for the benchmark")
                })?;
                let outcome = speakup_on(&db, count, concurrency).await;
                db.finish().await;
                let (elapsed, mut latencies) = outcome?;
                latencies.sort();
                let pct = |p: f64| {
                    latencies
                        .get(((latencies.len() as f64 - 1.0) * p).round() as usize)
                        .copied()
                        .unwrap_or_default()
                };
                let ms = |d: Duration| d.as_secs_f64() * 1000.0;
                println!(
                    "{:<11} {:>9} {:>10.1} {:>9.1} {:>9.1} {:>9.1} {:>9.1}",
                    format!("{backend:?}"),
                    latencies.len(),
                    latencies.len() as f64 / elapsed.as_secs_f64(),
                    ms(pct(0.5)),
                    ms(pct(0.9)),
                    ms(pct(0.99)),
                    ms(pct(1.0))
                );
            }
            Ok(())
        }
    }
}

async fn speakup_on(
    test_db: &TestDb,
    count: usize,
    concurrency: usize,
) -> anyhow::Result<(Duration, Vec<Duration>)> {
    let db = &test_db.db;
    let now = dignity_web::now();
    let org = identity::create_organisation(
        db,
        "bench",
        now,
        &identity::NewOrganisation {
            ods_code: OdsCode::parse("BENCH")?,
            name: Name::parse("Benchmark Trust", "name")?,
            org_type: OrgType::Acute,
            region: Region::London,
            benchmark_group: Name::parse("Acute", "group")?,
        },
    )
    .await?;
    let recovery = dignity_crypto::speakup::SecretKey::generate();
    speakup::init(
        db,
        "bench",
        now,
        &org,
        &dignity_crypto::speakup::public_key(&recovery),
        2,
    )
    .await?;
    // Two guardians with keys, as a typical trust has, so each case is sealed four times.
    for i in 0..2 {
        let key = dignity_crypto::speakup::SecretKey::generate();
        let person = identity::create_person(
            db,
            "bench",
            now,
            &dignity_domain::identity::Email::parse(&format!("g{i}@bench.nhs.uk"))?,
            &Name::parse("Guardian", "n")?,
            "x",
        )
        .await?;
        identity::grant_role(
            db,
            "bench",
            now,
            &person,
            dignity_domain::identity::Role::Guardian,
            Some(&org),
        )
        .await?;
        speakup::save_caseworker_key(
            db,
            "bench",
            now,
            person.id,
            &dignity_crypto::speakup::public_key(&key),
            b"unused",
        )
        .await?;
    }
    let settings = dignity_web::Settings {
        passphrase_cost: HashCost::RECOMMENDED,
        speakup_max_per_hour: u32::MAX,
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
            let request = Request::post("/speak-up/BENCH")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, cookie.as_str())
                .body(Body::from(body.as_str().to_owned()))?;
            let began = Instant::now();
            let response = router.oneshot(request).await?;
            let took = began.elapsed();
            drop(permit);
            anyhow::ensure!(
                response.status() == StatusCode::OK,
                "a submission failed with {}",
                response.status()
            );
            Ok::<_, anyhow::Error>(took)
        }));
    }
    let mut latencies = Vec::with_capacity(count);
    for task in tasks {
        latencies.push(task.await??);
    }
    let elapsed = started.elapsed();
    let stored = speakup::list_cases(db, org.id).await?.len();
    anyhow::ensure!(
        stored == count,
        "{count} submissions were acknowledged but {stored} are stored"
    );
    Ok((elapsed, latencies))
}
