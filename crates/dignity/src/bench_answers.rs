//! `dignity bench survey-answers`: staff answering the shared culture survey with their
//! invitation codes, many at once, page by page through the real router, as a browser
//! would: the emailed link opens the first page (which sets the form-token cookie), each
//! page posts its answers with the token and the code from the page's hidden fields, and
//! the last page sends. A response counts only when the "Your answers have been sent" page
//! comes back, which the app shows only after the transaction that uses up the code and
//! stores the sealed answers is on disk (`dignity_app::survey::answering::send`).
//!
//! The clients run in the same process as the app and share its cores, and requests go
//! to the router without TCP or HTTP parsing, as in `bench speakup`: a real server would do
//! a little more work per page, and its clients none.
//!
//! Afterwards it checks what was stored: every acknowledged response exactly once (written
//! in batches, or sealed and waiting), nothing of the used codes, no draft, no number that
//! is a second of the runs, and how far the order rows come back in follows the order
//! people finished in.

use crate::bench::{ms, percentile};
use anyhow::{Context as _, anyhow, ensure};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use dignity_app::Db;
use dignity_app::admin::Operator;
use dignity_app::assure::{self, Cell, ScratchDb};
use dignity_app::clock::{Clock, system_now};
use dignity_app::data::{Backend, DbOptions};
use dignity_app::survey::campaigns::{self, Campaign, NewCampaign};
use dignity_crypto::survey::InvitationCode;
use dignity_domain::identity::{Name, OrgUnitKind};
use dignity_domain::speakup::Day;
use dignity_domain::survey::answering::Answers;
use dignity_domain::survey::{DEFAULT_BANK, Participation, QuestionKind, Survey};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// The national NHS staff survey's collection, for the capacity sum: about this many
/// responses over a fieldwork window of at least this many weeks (it runs from autumn
/// into late November; the shorter the window, the harder the sum).
const NATIONAL_RESPONSES: f64 = 700_000.0;
const NATIONAL_WEEKS: f64 = 8.0;
/// A pessimistic busiest hour: this share of the whole collection in one hour, as if a
/// reminder to every trust's staff went out at once.
const PEAK_HOUR_SHARE: f64 = 0.01;

pub async fn run(
    clients: usize,
    responses: usize,
    runs: usize,
    sqlite_only: bool,
) -> anyhow::Result<()> {
    ensure!(
        clients > 0 && runs > 0 && responses >= runs,
        "--clients and --runs must be at least 1, and --responses at least --runs"
    );
    let survey =
        dignity_domain::survey::parse(DEFAULT_BANK).map_err(|e| anyhow!("default survey: {e}"))?;
    let pages = survey.sections.len();
    println!(
        "Survey answers: the shared culture survey ({} questions on {pages} pages), {responses} complete responses per backend in {runs} runs, by {clients} clients at once.",
        survey.questions().count()
    );
    println!(
        "Each response: the emailed link (GET page 1), {pages} pages posted with a saved draft each (the last leads to the check page), and the answers sent from the check page; the server's pool has {} connections, as `dignity serve` by default.",
        DbOptions::default().max_connections
    );
    let mut backends = vec![Backend::Sqlite];
    if !sqlite_only {
        backends.push(Backend::Postgres);
    }
    let mut measured = Vec::new();
    for backend in backends {
        let scratch = ScratchDb::new(backend)
            .await
            .with_context(|| format!("could not make a {backend:?} database for the benchmark"))?;
        let outcome = on_backend(&scratch, &survey, clients, responses, runs).await;
        scratch.finish().await;
        measured.push((backend, outcome?));
    }
    println!();
    for (backend, result) in &measured {
        if *backend == Backend::Sqlite {
            let met = result.per_second >= 2_000.0 && ms(result.p99) < 100.0;
            println!(
                "Goal on SQLite (at least 2,000 complete responses a second, p99 under 100 ms): {} ({:.0} a second, p99 {:.1} ms).",
                if met { "met" } else { "NOT met" },
                result.per_second,
                ms(result.p99)
            );
        }
    }
    national(&measured);
    Ok(())
}

/// What one backend's runs came to, for the goal and the capacity sum.
struct Measured {
    per_second: f64,
    p99: Duration,
}

/// The busiest plausible load of the national collection, against what was measured.
fn national(measured: &[(Backend, Measured)]) {
    let window = NATIONAL_WEEKS * 7.0 * 86_400.0;
    let average = NATIONAL_RESPONSES / window;
    let peak = NATIONAL_RESPONSES * PEAK_HOUR_SHARE / 3_600.0;
    println!(
        "National staff survey: {NATIONAL_RESPONSES:.0} responses over {NATIONAL_WEEKS:.0} weeks = {NATIONAL_RESPONSES:.0} / ({NATIONAL_WEEKS:.0} x 7 x 86,400 s) = {average:.2} a second on average."
    );
    println!(
        "A pessimistic busiest hour, {:.0}% of the whole collection at once ({:.0} responses): {:.2} a second.",
        PEAK_HOUR_SHARE * 100.0,
        NATIONAL_RESPONSES * PEAK_HOUR_SHARE,
        peak
    );
    for (backend, result) in measured {
        println!(
            "{backend:?}: {:.0} a second measured = {:.0} times that busiest hour and {:.0} times the average; the whole collection would take {:.1} minutes of answering at full speed.",
            result.per_second,
            result.per_second / peak,
            result.per_second / average,
            NATIONAL_RESPONSES / result.per_second.max(1e-9) / 60.0
        );
    }
}

/// The machine's load averages (1, 5 and 15 minutes).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into())
}

/// The survey as the clients answer it: its questions and how many places the
/// organisation has for "where do you work".
struct Questionnaire {
    survey: Survey,
    units: usize,
}

/// One complete response, as its client saw it.
struct Answered {
    /// From asking for the first page to the acknowledgement of the last.
    whole: Duration,
    /// The send from the check page alone: sealing, the durable write and the reply.
    submit: Duration,
    /// Each page's post (a draft saved each time).
    saves: Vec<Duration>,
    /// The code it was answered with, as printed.
    code: String,
    /// What the app should store: its answer codes and its comments, worked out from
    /// the pages sent by the same rule the app reads pages with.
    codes: Vec<u8>,
    comments: usize,
    /// Its place among all acknowledgements on this backend.
    acknowledged: usize,
}

async fn on_backend(
    scratch: &ScratchDb,
    survey: &Survey,
    clients: usize,
    responses: usize,
    runs: usize,
) -> anyhow::Result<Measured> {
    let backend = scratch.db.backend();
    let name = format!("{backend:?}");
    // The server's own pool, as `dignity serve` opens it (the scratch pool is smaller).
    let db = Db::connect(&scratch.url, &DbOptions::default()).await?;
    let outcome = measure(&db, &name, survey, clients, responses, runs).await;
    db.close().await;
    outcome
}

async fn measure(
    db: &Db,
    name: &str,
    survey: &Survey,
    clients: usize,
    responses: usize,
    runs: usize,
) -> anyhow::Result<Measured> {
    let set_up = Instant::now();
    let (state, campaign, codes, units) = campaign_with_codes(db, responses).await?;
    let (router, _) = dignity_web::build_app(state.clone());
    let questionnaire = Arc::new(Questionnaire {
        survey: survey.clone(),
        units,
    });
    println!(
        "{name}: set up one trust ({units} places), an open campaign and {} invitation codes in {:.1} s",
        codes.len(),
        set_up.elapsed().as_secs_f64()
    );
    // Times are kept to the second: let the set-up's second pass, so that any stored
    // number within the runs' seconds could only have come from answering.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let from = system_now();

    println!(
        "{:<9} {:>4} {:>9} {:>6} {:>8} {:>10} {:>8} {:>8}  {:<16} {:<16}",
        "backend",
        "run",
        "complete",
        "failed",
        "seconds",
        "per second",
        "p50 ms",
        "p99 ms",
        "load before",
        "load after"
    );
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let mut rates = Vec::with_capacity(runs);
    let mut all: Vec<Answered> = Vec::with_capacity(responses);
    let mut failures: Vec<String> = Vec::new();
    let codes: Vec<String> = codes.iter().map(InvitationCode::display).collect();
    for (run, batch) in codes.chunks(responses.div_ceil(runs)).enumerate() {
        let before = load_average();
        let started = Instant::now();
        let (done, failed) = one_run(
            &router,
            &questionnaire,
            batch,
            clients,
            run as u64,
            &acknowledged,
        )
        .await?;
        let elapsed = started.elapsed();
        let after = load_average();
        let mut whole: Vec<Duration> = done.iter().map(|a| a.whole).collect();
        whole.sort();
        let rate = done.len() as f64 / elapsed.as_secs_f64();
        println!(
            "{:<9} {:>4} {:>9} {:>6} {:>8.2} {:>10.1} {:>8.1} {:>8.1}  {:<16} {:<16}",
            name,
            run + 1,
            done.len(),
            failed.len(),
            elapsed.as_secs_f64(),
            rate,
            ms(percentile(&whole, 0.5)),
            ms(percentile(&whole, 0.99)),
            before,
            after
        );
        rates.push(rate);
        all.extend(done);
        failures.extend(failed);
    }
    let until = system_now();

    rates.sort_by(f64::total_cmp);
    let median = rates.get(rates.len() / 2).copied().unwrap_or_default();
    let (lowest, highest) = (
        rates.first().copied().unwrap_or_default(),
        rates.last().copied().unwrap_or_default(),
    );
    println!(
        "{name}: {median:.1} complete responses a second, the median of {} runs (range {lowest:.1} to {highest:.1}); {:.0} page requests a second",
        rates.len(),
        median * (questionnaire.survey.sections.len() + 2) as f64
    );
    let writer = state.app.answer_writer.counts();
    let busy = writer.writing + writer.batches + writer.checkpoints;
    println!(
        "{name}: the server's answer writer made {} writes (saved pages and sent responses) in {} transactions, {:.1} a transaction on average; it was busy {:.1} s: {:.0} % writing them, {:.0} % writing whole batches, {:.0} % emptying the log",
        writer.writes,
        writer.transactions,
        writer.writes as f64 / writer.transactions.max(1) as f64,
        busy.as_secs_f64(),
        100.0 * writer.writing.as_secs_f64() / busy.as_secs_f64().max(1e-9),
        100.0 * writer.batches.as_secs_f64() / busy.as_secs_f64().max(1e-9),
        100.0 * writer.checkpoints.as_secs_f64() / busy.as_secs_f64().max(1e-9),
    );
    let mut whole: Vec<Duration> = all.iter().map(|a| a.whole).collect();
    let mut submit: Vec<Duration> = all.iter().map(|a| a.submit).collect();
    let mut saves: Vec<Duration> = all.iter().flat_map(|a| a.saves.iter().copied()).collect();
    println!(
        "{:<9} {:<52} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "", "latency over every run", "count", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    for (label, times) in [
        ("whole response (first page to acknowledgement)", &mut whole),
        ("send from the check page alone", &mut submit),
        ("each page of questions (its draft saved)", &mut saves),
    ] {
        times.sort();
        println!(
            "{:<9} {:<52} {:>8} {:>8.1} {:>8.1} {:>8.1} {:>8.1}",
            name,
            label,
            times.len(),
            ms(percentile(times, 0.5)),
            ms(percentile(times, 0.95)),
            ms(percentile(times, 0.99)),
            ms(percentile(times, 1.0))
        );
    }
    if let Some(first) = failures.first() {
        println!(
            "{name}: {} responses failed and were not counted; the first: {first}",
            failures.len()
        );
    }

    check_stored(db, &state, &campaign, &all, from, until).await?;
    Ok(Measured {
        per_second: median,
        p99: percentile(&whole, 0.99),
    })
}

/// One trust with a structure of places, the shared survey, a campaign open today that
/// takes part by invitation code, and `codes` codes, made as the campaign's page makes
/// them (kept as digests keyed with the installation secret).
async fn campaign_with_codes(
    db: &Db,
    codes: usize,
) -> anyhow::Result<(dignity_web::AppState, Campaign, Vec<InvitationCode>, usize)> {
    let now = system_now();
    let operator = Operator::new(db.clone(), Clock::fixed(now), "bench");
    let org = crate::bench::bench_trust(&operator).await?;
    let mut units = 0;
    for d in 1..=2 {
        let name = Name::parse(&format!("Division {d}"), "name")?;
        let division = operator
            .add_unit(&org, None, OrgUnitKind::Division, &name)
            .await?;
        units += 1;
        for r in 1..=2 {
            let name = Name::parse(&format!("Directorate {d}.{r}"), "name")?;
            let directorate = operator
                .add_unit(&org, Some(division.id), OrgUnitKind::Directorate, &name)
                .await?;
            units += 1;
            for t in 1..=3 {
                let name = Name::parse(&format!("Team {d}.{r}.{t}"), "name")?;
                operator
                    .add_unit(&org, Some(directorate.id), OrgUnitKind::Team, &name)
                    .await?;
                units += 1;
            }
        }
    }
    let state = dignity_web::AppState::new(db.clone(), dignity_web::Settings::default())?;
    let ctx = &state.app;
    campaigns::surveys_with_default(ctx, "bench").await?;
    let survey_id = campaigns::shared_survey(ctx)
        .await?
        .context("the shared survey was not saved")?;
    let today = Day::from_unix_seconds(now);
    let campaign = campaigns::create(
        ctx,
        "bench",
        &org,
        &NewCampaign::new(
            survey_id,
            "Staff survey",
            today.plus_days(-1),
            today.plus_days(56),
            Participation::Tokens,
        )?,
    )
    .await?;
    let codes =
        campaigns::issue_codes(ctx, "bench", &org, &campaign, u32::try_from(codes)?).await?;
    Ok((state, campaign, codes, units))
}

/// `clients` people at once, each answering with the next unused code of `codes` until
/// none is left. Returns the complete responses and why the others failed.
async fn one_run(
    router: &Router,
    questionnaire: &Arc<Questionnaire>,
    codes: &[String],
    clients: usize,
    run: u64,
    acknowledged: &Arc<AtomicUsize>,
) -> anyhow::Result<(Vec<Answered>, Vec<String>)> {
    let codes = Arc::new(codes.to_vec());
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::with_capacity(clients);
    for client in 0..clients {
        let (router, questionnaire, codes, next, acknowledged) = (
            router.clone(),
            questionnaire.clone(),
            codes.clone(),
            next.clone(),
            acknowledged.clone(),
        );
        let mut rng = StdRng::seed_from_u64(run * 1_000_003 + client as u64);
        tasks.push(tokio::spawn(async move {
            let mut done = Vec::new();
            let mut failed = Vec::new();
            while let Some(code) = codes.get(next.fetch_add(1, Ordering::Relaxed)) {
                match respond(&router, &questionnaire, code, &mut rng).await {
                    Ok(mut answered) => {
                        answered.acknowledged = acknowledged.fetch_add(1, Ordering::Relaxed);
                        done.push(answered);
                    }
                    Err(e) => failed.push(format!("{e:#}")),
                }
            }
            (done, failed)
        }));
    }
    let mut done = Vec::with_capacity(codes.len());
    let mut failed = Vec::new();
    for task in tasks {
        let (d, f) = task.await?;
        done.extend(d);
        failed.extend(f);
    }
    Ok((done, failed))
}

/// A response as the server sent it.
struct Reply {
    status: StatusCode,
    /// The form-token cookie, if this response set one.
    cookie: Option<String>,
    /// Where a redirect points.
    location: Option<String>,
    body: String,
}

async fn fetch(router: &Router, request: Request<Body>) -> anyhow::Result<Reply> {
    let response = router.clone().oneshot(request).await?;
    let status = response.status();
    let cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|pair| pair.starts_with("dignity_csrf="))
        .map(str::to_owned);
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = axum::body::to_bytes(response.into_body(), 4 * 1024 * 1024).await?;
    Ok(Reply {
        status,
        cookie,
        location,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

/// The value of a page's hidden field, as a browser would send it back.
fn hidden(page: &str, name: &str) -> Option<String> {
    let needle = format!("name=\"{name}\" value=\"");
    let at = page.find(&needle)? + needle.len();
    Some(page.get(at..)?.chars().take_while(|c| *c != '"').collect())
}

fn expect_page(reply: &Reply, shows: &str, what: &str) -> anyhow::Result<()> {
    ensure!(
        reply.status == StatusCode::OK && reply.body.contains(shows),
        "{what}: {} without \"{shows}\": {}",
        reply.status,
        reply.body.chars().take(300).collect::<String>()
    );
    Ok(())
}

/// One person answering every page with `code`, from the emailed link to the sent page.
async fn respond(
    router: &Router,
    questionnaire: &Questionnaire,
    code: &str,
    rng: &mut StdRng,
) -> anyhow::Result<Answered> {
    let survey = &questionnaire.survey;
    let total = survey.sections.len();
    let began = Instant::now();
    let first = fetch(
        router,
        Request::get(format!("/survey?code={code}")).body(Body::empty())?,
    )
    .await?;
    expect_page(&first, &format!("page 1 of {total}"), "the emailed link")?;
    let cookie = first
        .cookie
        .clone()
        .context("the first page set no form-token cookie")?;
    let token = hidden(&first.body, "csrf_token").context("no form token on the page")?;
    let code_field = hidden(&first.body, "code").context("no code on the page")?;
    let mut expected = Answers::empty(survey);
    let mut saves = Vec::with_capacity(total);
    let post = |form: &[(String, String)]| -> anyhow::Result<Request<Body>> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        Ok(Request::post("/survey")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, &cookie)
            .body(Body::from(body))?)
    };
    for page in 1..=total {
        let mut form = vec![
            ("csrf_token".to_owned(), token.clone()),
            ("code".to_owned(), code_field.clone()),
            ("page".to_owned(), page.to_string()),
        ];
        answer_section(questionnaire, page - 1, rng, &mut form);
        form.push(("go".into(), "next".into()));
        let fields: HashMap<String, String> = form.iter().cloned().collect();
        expected
            .apply(survey, page - 1, &fields, questionnaire.units)
            .map_err(|e| anyhow!("the client's own answers were refused: {e:?}"))?;
        let posted = Instant::now();
        let reply = fetch(router, post(&form)?).await?;
        let took = posted.elapsed();
        if page == total {
            expect_page(&reply, "Check your answers before sending", "the last page")?;
        } else {
            expect_page(
                &reply,
                &format!("page {} of {total}", page + 1),
                &format!("page {page}"),
            )?;
        }
        saves.push(took);
    }
    // Sent from the check page, as a person does.
    let form = vec![
        ("csrf_token".to_owned(), token.clone()),
        ("code".to_owned(), code_field.clone()),
        ("page".to_owned(), "0".to_owned()),
        ("go".to_owned(), "send".to_owned()),
    ];
    let posted = Instant::now();
    let reply = fetch(router, post(&form)?).await?;
    let submit = posted.elapsed();
    ensure!(
        reply.status == StatusCode::SEE_OTHER && reply.location.as_deref() == Some("/survey/sent"),
        "sending: {} to {:?} instead of the thank-you page: {}",
        reply.status,
        reply.location,
        reply.body.chars().take(300).collect::<String>()
    );
    let thanks = fetch(router, Request::get("/survey/sent").body(Body::empty())?).await?;
    expect_page(&thanks, "Your answers have been sent", "the thank-you page")?;
    Ok(Answered {
        whole: began.elapsed(),
        submit,
        saves,
        code: code.to_owned(),
        comments: expected.comments.len(),
        codes: expected.codes,
        acknowledged: 0,
    })
}

/// What a person ticks on one page. Answers lean the way staff surveys' answers do
/// (most agree, most never saw harassment); a few questions are skipped, and about one
/// person in three writes a comment. A skipped radio or checkbox sends nothing, an
/// unchosen list sends an empty value, an empty text box sends empty words.
fn answer_section(
    questionnaire: &Questionnaire,
    section: usize,
    rng: &mut StdRng,
    form: &mut Vec<(String, String)>,
) {
    let Some(section) = questionnaire.survey.sections.get(section) else {
        return;
    };
    for question in &section.questions {
        let field = format!("q-{}", question.key);
        let skip = rng.gen_bool(0.03);
        match question.kind {
            QuestionKind::FreeText => {
                let words = if rng.gen_bool(0.3) {
                    comment(rng)
                } else {
                    String::new()
                };
                form.push((field, words));
            }
            QuestionKind::OrgUnit => {
                let place = if skip || questionnaire.units == 0 {
                    String::new()
                } else {
                    rng.gen_range(1..=questionnaire.units).to_string()
                };
                form.push((field, place));
            }
            QuestionKind::MultipleChoice => {
                for n in 1..=question.choices.len() {
                    if !skip && rng.gen_bool(0.3) {
                        form.push((format!("{field}-{n}"), "1".into()));
                    }
                }
            }
            kind => {
                if let Some(choice) = choose(rng, kind, question.choices.len())
                    && !skip
                {
                    form.push((field, choice.to_string()));
                }
            }
        }
    }
}

/// A choice from 1 to `n`, weighted as staff tend to answer.
fn choose(rng: &mut StdRng, kind: QuestionKind, n: usize) -> Option<usize> {
    if n == 0 {
        return None;
    }
    let weights: &[u32] = match (kind, n) {
        (QuestionKind::Agreement, 5) => &[4, 9, 17, 45, 25],
        (QuestionKind::Frequency, 5) => &[72, 14, 7, 4, 3],
        (QuestionKind::YesNo, 3) => &[35, 55, 10],
        (QuestionKind::Scale, 11) => &[1, 1, 1, 2, 3, 6, 9, 17, 25, 18, 17],
        _ => return Some(rng.gen_range(1..=n)),
    };
    let mut left = rng.gen_range(0..weights.iter().sum::<u32>());
    for (i, w) in weights.iter().enumerate() {
        if left < *w {
            return Some(i + 1);
        }
        left -= w;
    }
    Some(n)
}

/// A comment of a few sentences, of the kind people write, naming no one.
fn comment(rng: &mut StdRng) -> String {
    const SENTENCES: [&str; 10] = [
        "Staffing on nights has been short for months and it shows at handover.",
        "My manager is supportive, but the rota is published too late to plan around.",
        "I would like protected time for training rather than doing it on my days off.",
        "Some senior staff raise their voices when the ward is busy and nobody says anything.",
        "The team works well together despite the pressure.",
        "Breaks are often missed because there is no one to cover.",
        "Flexible working was agreed quickly when I asked, which made a real difference.",
        "Concerns raised at team meetings are listened to but rarely acted on.",
        "Parking and travel between sites take a lot of time out of the day.",
        "It would help to hear back about what changed after last year's survey.",
    ];
    let count = rng.gen_range(1..=4);
    (0..count)
        .filter_map(|_| SENTENCES.get(rng.gen_range(0..SENTENCES.len())).copied())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Checks what was stored against what was acknowledged, then writes the waiting
/// responses as the server does once the campaign has closed and checks again, and
/// searches every table for anything that links a response to its code, its time or
/// the order it came in.
async fn check_stored(
    db: &Db,
    state: &dignity_web::AppState,
    campaign: &Campaign,
    answered: &[Answered],
    from: i64,
    until: i64,
) -> anyhow::Result<()> {
    let name = format!("{:?}", db.backend());
    let acknowledged = answered.len();
    let (written, waiting) = assure::responses_stored(db, campaign.id).await?;
    let counted = assure::responses_counted(db, campaign.id).await?;
    let unused = assure::codes_unused(db, campaign.id).await?;
    println!(
        "{name}: {acknowledged} acknowledged; stored {} = {written} written in shuffled batches + {waiting} sealed and waiting for a batch; the campaign counts {counted}; {unused} codes left unused",
        written + waiting
    );
    ensure!(
        usize::try_from(written + waiting)? == acknowledged && u64::try_from(written)? == counted,
        "{acknowledged} responses were acknowledged but {written} are written (counted {counted}) and {waiting} wait"
    );

    // As after the campaign closes: the last, smaller batch is written too.
    let after_close = campaign.closes_on.plus_days(1);
    dignity_app::survey::pending::flush_all(&state.app, after_close).await?;
    let (written, waiting) = assure::responses_stored(db, campaign.id).await?;
    let counted = assure::responses_counted(db, campaign.id).await?;
    ensure!(
        usize::try_from(written)? == acknowledged
            && waiting == 0
            && u64::try_from(written)? == counted,
        "after the close {written} are written (counted {counted}) and {waiting} wait, for {acknowledged} acknowledged"
    );

    // What links a response to its person: the code as printed, and what the database
    // could have kept of it (its keyed and its plain digest).
    let mut links: HashSet<String> = HashSet::with_capacity(3 * acknowledged);
    for a in answered {
        let code = InvitationCode::parse(&a.code).context("a code did not read back")?;
        links.insert(a.code.clone());
        links.insert(code.keyed_digest(&state.app.secret));
        links.insert(code.digest());
    }
    let mut found: Vec<String> = Vec::new();
    let mut timed = 0usize;
    let mut drafts = 0usize;
    let mut comments = 0usize;
    let mut stored: Vec<Vec<u8>> = Vec::with_capacity(acknowledged);
    let tables = assure::every_cell(db, |table, column, cell| match cell {
        Cell::Number(n) => {
            if (from..=until).contains(&n) {
                timed += 1;
                if timed <= 3 {
                    found.push(format!("{table}.{column} holds {n}, a second of the runs"));
                }
            }
        }
        Cell::Text(text) => {
            if links.contains(&text) {
                found.push(format!("{table}.{column} holds a used code or its digest"));
            }
            match (table, column) {
                ("survey_drafts", "holder_digest") => drafts += 1,
                ("survey_comments", "id") => comments += 1,
                ("survey_responses", "answers") => stored.push(text.into_bytes()),
                _ => {}
            }
        }
    })
    .await?;
    ensure!(
        found.is_empty(),
        "stored values link responses to codes or times: {}",
        found.join("; ")
    );
    ensure!(drafts == 0, "{drafts} drafts are left after sending");
    let expected_comments: usize = answered.iter().map(|a| a.comments).sum();
    ensure!(
        comments == expected_comments,
        "{expected_comments} comments were sent but {comments} are stored"
    );
    let mut sent: Vec<&[u8]> = answered.iter().map(|a| a.codes.as_slice()).collect();
    let mut kept: Vec<&[u8]> = stored.iter().map(Vec::as_slice).collect();
    sent.sort_unstable();
    kept.sort_unstable();
    ensure!(
        sent == kept,
        "the stored answers are not the acknowledged ones, each once"
    );
    println!(
        "{name}: after the close all {written} are written and counted; each acknowledged response's answers stored exactly once, its {comments} comments apart; searched {tables} tables: no used code or digest, no draft, no number within the runs' seconds"
    );
    println!(
        "{name}: rows in the order the database returns them against the order people finished: rank correlation {:+.3}",
        order_correlation(answered, &stored)
    );
    if db.backend() == Backend::Postgres {
        Operator::new(db.clone(), Clock::system(), "bench")
            .shuffle_survey_storage()
            .await?;
        let mut stored = Vec::with_capacity(acknowledged);
        assure::every_cell(db, |table, column, cell| {
            if let (("survey_responses", "answers"), Cell::Text(text)) = ((table, column), cell) {
                stored.push(text.into_bytes());
            }
        })
        .await?;
        println!(
            "{name}: the same after `dignity admin survey-shuffle` (CLUSTER by the random key): {:+.3}",
            order_correlation(answered, &stored)
        );
    }
    Ok(())
}

/// Spearman's rank correlation between where each response sits in `stored` (the
/// answers as the database returns its rows) and when it was acknowledged, over the
/// responses whose answers are unique: near 0 when storage says nothing of the order,
/// near 1 when rows sit in the order they came.
fn order_correlation(answered: &[Answered], stored: &[Vec<u8>]) -> f64 {
    let mut when: HashMap<&[u8], Option<usize>> = HashMap::with_capacity(answered.len());
    for a in answered {
        when.entry(a.codes.as_slice())
            .and_modify(|seen| *seen = None)
            .or_insert(Some(a.acknowledged));
    }
    let order: Vec<usize> = stored
        .iter()
        .filter_map(|s| when.get(s.as_slice()).copied().flatten())
        .collect();
    // Rank the acknowledgement places among the matched rows.
    let mut sorted = order.clone();
    sorted.sort_unstable();
    let rank: HashMap<usize, usize> = sorted.iter().enumerate().map(|(r, v)| (*v, r)).collect();
    let n = order.len() as f64;
    if n < 2.0 {
        return 0.0;
    }
    let squares: f64 = order
        .iter()
        .enumerate()
        .map(|(position, v)| {
            let d = position as f64 - rank.get(v).copied().unwrap_or_default() as f64;
            d * d
        })
        .sum();
    1.0 - 6.0 * squares / (n * (n * n - 1.0))
}
