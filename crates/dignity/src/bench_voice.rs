//! `dignity bench voice`: staff voice at national scale. Made-up ideas and comments (a
//! million together by default) under a challenge for each organisation and a national
//! one, written straight to a fresh SQLite database (untimed); then, through the full
//! router as a browser would ask: a challenge's page (20 ideas, sorted, with counts) read
//! by many people at once, the similar-idea suggestions, and supporting an idea, which
//! answers only once its write is durable.

use crate::bench::{ms, percentile};
use crate::bench_casework::{PASSPHRASE, TOTP_SECRET, router_get as get, sign_in};
use anyhow::{Context, bail, ensure};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use dignity_app::admin::{NewOrganisation, Operator};
use dignity_app::assure::ScratchDb;
use dignity_app::data::{Backend, DbOptions};
use dignity_app::demo::voice::{self, Actor, NewChallenge, SyntheticIdea};
use dignity_app::{Clock, Db};
use dignity_domain::identity::{Email, Name, OdsCode, OrgType, Region, Role};
use dignity_domain::voice::{IdeaOrder, IdeaState};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// The goals on two cores.
const GOAL_PAGE: Duration = Duration::from_millis(20);
const GOAL_SIMILAR: Duration = Duration::from_millis(10);
const GOAL_SUPPORT: Duration = Duration::from_millis(20);

/// The national challenge's share of the ideas: the busiest list there is.
const NATIONAL_SHARE: f64 = 0.1;
/// Three comments for each idea, on average: a million posts are a quarter ideas.
const COMMENTS_PER_IDEA: i64 = 3;
/// Sessions the readers share: people signed in, not one cookie for everyone.
const SESSIONS: usize = 16;

const WHAT: &[&str] = &[
    "Protected",
    "Quiet",
    "Kind",
    "Fair",
    "Named",
    "Shorter",
    "Regular",
    "Open",
    "Shared",
    "Better",
    "Earlier",
    "Simple",
];
const THING: &[&str] = &[
    "breaks",
    "rotas",
    "handovers",
    "training",
    "rest rooms",
    "debriefs",
    "inductions",
    "team meetings",
    "check-ins",
    "mentoring",
    "supervision",
    "feedback",
];
const WHO: &[&str] = &[
    "night staff",
    "new managers",
    "students",
    "porters",
    "ward teams",
    "bank staff",
    "theatre teams",
    "community nurses",
    "doctors in training",
    "domestic staff",
];

fn pick<'a>(rng: &mut StdRng, words: &[&'a str]) -> &'a str {
    words
        .get(rng.gen_range(0..words.len()))
        .copied()
        .unwrap_or("")
}

fn title(rng: &mut StdRng) -> String {
    format!(
        "{} {} for {}",
        pick(rng, WHAT),
        pick(rng, THING),
        pick(rng, WHO)
    )
}

pub async fn run(
    orgs: usize,
    posts: usize,
    readers: usize,
    requests: usize,
    runs: usize,
    seed: u64,
) -> anyhow::Result<()> {
    ensure!(
        orgs >= 1 && posts >= 400 && readers >= 1 && requests >= readers && runs >= 1,
        "--orgs and --runs must be at least 1, --posts at least 400 and --requests at least --readers"
    );
    let scratch = ScratchDb::new(Backend::Sqlite)
        .await
        .context("could not make a SQLite database for the benchmark")?;
    // The pool `dignity serve` has by default, not the test database's smaller one: with
    // five connections the readers queued for a connection while the cores sat idle.
    let options = DbOptions::default();
    let db = Db::connect(&scratch.url, &options)
        .await
        .context("could not open the benchmark's database")?;
    println!(
        "The server's pool has {} connections, as `dignity serve` by default.",
        options.max_connections
    );
    let outcome = on(&db, orgs, posts, readers, requests, runs, seed).await;
    db.close().await;
    scratch.finish().await;
    outcome
}

/// Prints a line of latencies and returns the run's p95 and p99.
fn report(run: usize, times: &mut [Duration]) -> (Duration, Duration) {
    times.sort();
    let (p95, p99) = (percentile(times, 0.95), percentile(times, 0.99));
    println!(
        "{:<5} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>12}",
        run + 1,
        ms(percentile(times, 0.5)),
        ms(p95),
        ms(p99),
        ms(percentile(times, 1.0)),
        crate::bench::load_average()
    );
    (p95, p99)
}

fn header_line() {
    println!(
        "{:<5} {:>9} {:>9} {:>9} {:>9} {:>12}",
        "run", "p50 ms", "p95 ms", "p99 ms", "max ms", "load average"
    );
}

/// The median of `runs` figures and their range, against a goal.
fn verdict(what: &str, mut figures: Vec<Duration>, goal: Duration) {
    figures.sort();
    let median = percentile(&figures, 0.5);
    println!(
        "{what}: {:.1} ms, the median of {} runs (range {:.1} to {:.1}); goal under {:.0} ms: {}",
        ms(median),
        figures.len(),
        ms(figures.first().copied().unwrap_or_default()),
        ms(figures.last().copied().unwrap_or_default()),
        ms(goal),
        if median < goal { "met" } else { "NOT met" }
    );
}

async fn on(
    db: &Db,
    orgs: usize,
    posts: usize,
    readers: usize,
    requests: usize,
    runs: usize,
    seed: u64,
) -> anyhow::Result<()> {
    let operator = Operator::new(db.clone(), Clock::system(), "bench");
    let now = operator.clock().now();
    let today = operator.clock().today();
    let mut rng = StdRng::seed_from_u64(seed);
    let ideas_in_all = posts / (1 + COMMENTS_PER_IDEA as usize);
    let national_ideas = ((ideas_in_all as f64) * NATIONAL_SHARE) as usize;
    let per_org = (ideas_in_all - national_ideas) / orgs;
    let challenge = |organisation_id: Option<i64>, question: String| NewChallenge {
        organisation_id,
        question,
        description: "Tell us one change that would help.".into(),
        topics: "civility,wellbeing".into(),
        opens_on: today.plus_days(-200),
        closes_on: today.plus_days(200),
        support_threshold: 50,
        answer_within_days: 30,
    };
    let platform = Actor {
        email: "platform@bench.nhs.uk",
        ods_code: None,
    };
    let national = voice::create_challenge(
        db,
        platform,
        now,
        &challenge(None, "How can we make sure nobody works in fear?".into()),
    )
    .await?;
    let began = Instant::now();
    let (mut written_ideas, mut written_comments) = (0usize, 0usize);
    let mut first = None;
    let mut national_made = Vec::new();
    for n in 0..orgs {
        let organisation = operator
            .create_organisation(&NewOrganisation {
                ods_code: OdsCode::parse(&format!("V{n:04}"))?,
                name: Name::parse(&format!("Voice Trust {n}"), "name")?,
                org_type: OrgType::Acute,
                region: Region::ALL
                    .get(n % Region::ALL.len())
                    .copied()
                    .unwrap_or(Region::London),
                benchmark_group: Name::parse("Acute", "group")?,
            })
            .await?;
        let author = operator
            .create_person(
                &Email::parse(&format!("author@v{n}.bench.nhs.uk"))?,
                &Name::parse(&format!("Author {n}"), "name")?,
                "not a passphrase hash: nobody signs in as an author",
            )
            .await?;
        operator
            .grant_role(&author, Role::Staff, Some(&organisation))
            .await?;
        voice::set_display_name(db, author.id, &format!("Writer {n}")).await?;
        let local = voice::create_challenge(
            db,
            Actor {
                email: "admin@bench.nhs.uk",
                ods_code: Some(&organisation.ods_code),
            },
            now,
            &challenge(
                Some(organisation.id),
                format!("What would help at Voice Trust {n}?"),
            ),
        )
        .await?;
        let made = |count: usize, rng: &mut StdRng| -> Vec<SyntheticIdea> {
            (0..count)
                .map(|_| {
                    let comments = rng.gen_range(0..=2 * COMMENTS_PER_IDEA);
                    SyntheticIdea {
                        author_id: author.id,
                        title: title(rng),
                        body: format!(
                            "It would help {} to have {}.",
                            pick(rng, WHO),
                            pick(rng, THING)
                        ),
                        posted_at: now - rng.gen_range(0..180 * 86_400),
                        supporters: rng.gen_range(0..60),
                        comments,
                        state: if rng.gen_bool(0.8) {
                            IdeaState::Open
                        } else {
                            IdeaState::Considering
                        },
                    }
                })
                .collect()
        };
        let ours = made(per_org, &mut rng);
        written_ideas += ours.len();
        written_comments += ours.iter().map(|i| i.comments as usize).sum::<usize>();
        voice::insert_ideas_for_benchmark(db, local, author.id, &ours).await?;
        // The national challenge's ideas come from every organisation's staff.
        let share = national_ideas / orgs + usize::from(n < national_ideas % orgs);
        let theirs = made(share, &mut rng);
        written_ideas += theirs.len();
        written_comments += theirs.iter().map(|i| i.comments as usize).sum::<usize>();
        national_made
            .extend(voice::insert_ideas_for_benchmark(db, national, author.id, &theirs).await?);
        if n == 0 {
            first = Some(organisation);
        }
    }
    let first = first.context("no organisation was made")?;
    println!(
        "Staff voice: {written_ideas} ideas and {written_comments} comments ({} posts) under \
         {} challenges of {orgs} organisations ({} ideas under the national one), written in \
         {:.1} s; SQLite; through the full router.",
        written_ideas + written_comments,
        orgs + 1,
        national_made.len(),
        began.elapsed().as_secs_f64()
    );

    let hash = operator.hash_passphrase(PASSPHRASE)?;
    let (router, _) = dignity_web::build_app(dignity_web::AppState::new(
        db.clone(),
        dignity_web::Settings::default(),
    )?);
    let mut cookies = Vec::with_capacity(SESSIONS);
    for i in 0..SESSIONS {
        let email = format!("reader{i}@bench.nhs.uk");
        let person = operator
            .create_person(
                &Email::parse(&email)?,
                &Name::parse("Reader", "name")?,
                &hash,
            )
            .await?;
        operator
            .grant_role(&person, Role::Staff, Some(&first))
            .await?;
        operator.set_second_step(&person, Some(TOTP_SECRET)).await?;
        cookies.push(sign_in(&router, &email).await?);
    }
    let page_path = |order: IdeaOrder, page: usize| {
        format!(
            "/voice/challenges/{national}?order={}&page={page}",
            order.code()
        )
    };
    // The page answers with a full page of ideas before anything is timed.
    let cookie = cookies.first().context("a session")?;
    let (status, _, body) = get(&router, cookie, &page_path(IdeaOrder::Trending, 0)).await?;
    if status != StatusCode::OK || body.matches("nhsuk-card__heading").count() < 20 {
        bail!("the challenge page answered {status} without 20 ideas");
    }
    // The similar-idea index is built on first use: timed once, apart.
    let started = Instant::now();
    let (status, _, _) = get(
        &router,
        cookie,
        &format!("/voice/challenges/{national}/similar?title=Quiet+rest+rooms"),
    )
    .await?;
    ensure!(
        status == StatusCode::OK,
        "the similar ideas answered {status}"
    );
    println!(
        "the similar-idea index of {written_ideas} ideas built on first use in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    println!(
        "a challenge's page (the national one, {} ideas; each order; pages 1 to 5), {readers} readers at once, {requests} requests a run:",
        national_made.len()
    );
    header_line();
    let mut page_p95s = Vec::with_capacity(runs);
    for run in 0..runs {
        let mut tasks = Vec::with_capacity(readers);
        for reader in 0..readers {
            let router = router.clone();
            let cookie = cookies
                .get(reader % SESSIONS)
                .cloned()
                .context("a session")?;
            let mut rng = StdRng::seed_from_u64(seed ^ (run * readers + reader) as u64);
            let share = requests / readers + usize::from(reader < requests % readers);
            let paths: Vec<String> = (0..share)
                .map(|_| {
                    let order = IdeaOrder::ALL
                        .get(rng.gen_range(0..IdeaOrder::ALL.len()))
                        .copied()
                        .unwrap_or(IdeaOrder::Trending);
                    page_path(order, rng.gen_range(0..5))
                })
                .collect();
            tasks.push(tokio::spawn(async move {
                let mut times = Vec::with_capacity(paths.len());
                for path in paths {
                    let (status, took, _) = get(&router, &cookie, &path).await?;
                    ensure!(status == StatusCode::OK, "{path} answered {status}");
                    times.push(took);
                }
                anyhow::Ok(times)
            }));
        }
        let mut times = Vec::with_capacity(requests);
        for task in tasks {
            times.extend(task.await??);
        }
        page_p95s.push(report(run, &mut times).0);
    }
    verdict("a challenge's page at p95", page_p95s, GOAL_PAGE);

    println!("similar ideas for a typed title, one at a time, {requests} a run:");
    header_line();
    let mut similar_p95s = Vec::with_capacity(runs);
    for run in 0..runs {
        let mut times = Vec::with_capacity(requests);
        for _ in 0..requests {
            let typed = title(&mut rng);
            let mut query = form_urlencoded::Serializer::new(String::new());
            query.append_pair("title", &typed);
            let path = format!("/voice/challenges/{national}/similar?{}", query.finish());
            let (status, took, _) = get(&router, cookie, &path).await?;
            ensure!(status == StatusCode::OK, "{path} answered {status}");
            times.push(took);
        }
        similar_p95s.push(report(run, &mut times).0);
    }
    verdict("similar ideas at p95", similar_p95s, GOAL_SIMILAR);

    // Supporting: each a different idea, so every request writes.
    let csrf = cookie
        .split("; ")
        .find_map(|c| c.strip_prefix("dignity_csrf="))
        .context("the session's form token")?
        .to_owned();
    let per_run = requests.min(national_made.len() / runs.max(1));
    println!("supporting an idea, durable before the answer, one at a time, {per_run} a run:");
    header_line();
    let mut support_p99s = Vec::with_capacity(runs);
    let mut ideas = national_made.iter();
    for run in 0..runs {
        let mut times = Vec::with_capacity(per_run);
        for _ in 0..per_run {
            let idea = ideas.next().context("an idea to support")?;
            let request = Request::post(format!("/voice/ideas/{idea}/support"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, cookie.as_str())
                .body(Body::from(format!("csrf_token={csrf}")))?;
            let began = Instant::now();
            let response = router.clone().oneshot(request).await?;
            let status = response.status();
            axum::body::to_bytes(response.into_body(), 1024 * 1024).await?;
            times.push(began.elapsed());
            ensure!(
                status.is_redirection(),
                "supporting idea {idea} answered {status}"
            );
        }
        support_p99s.push(report(run, &mut times).1);
    }
    verdict("supporting an idea at p99", support_p99s, GOAL_SUPPORT);
    Ok(())
}
