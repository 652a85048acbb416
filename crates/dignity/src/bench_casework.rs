//! `dignity bench casework`: made-up employee relations cases across many organisations,
//! and one busy organisation's case list, filtered, sorted and paged, asked for through
//! the full router by a lead signed in with both steps, as a browser would.

use crate::bench::{ms, percentile};
use anyhow::{Context, bail};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use dignity_app::admin::{NewOrganisation, Operator};
use dignity_app::assure::ScratchDb;
use dignity_app::data::Backend;
use dignity_app::er_cases::SyntheticCase;
use dignity_app::{Clock, Db};
use dignity_domain::er_cases::{CaseType, Stage};
use dignity_domain::identity::{Email, Name, OdsCode, OrgType, Region, Role};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// The busy organisation's share of the cases, as the issue sets it.
const BUSIEST: usize = 5_000;
pub(crate) const PASSPHRASE: &str = "benchmark casework passphrase";
pub(crate) const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// The list as leads ask for it: each filter and order, and pages deep into the list.
const QUERIES: [&str; 8] = [
    "",
    "?state=all&order=newest",
    "?state=all&order=newest&page=50",
    "?state=all&order=oldest&page=100",
    "?state=all&type=conduct&order=newest",
    "?state=closed&type=grievance&page=5",
    "?state=open&stage=investigation&order=oldest",
    "?state=all&type=sickness_absence&stage=closed&order=newest&page=3",
];

pub async fn run(
    cases: usize,
    orgs: usize,
    requests: usize,
    runs: usize,
    seed: u64,
) -> anyhow::Result<()> {
    if orgs == 0 || cases < BUSIEST {
        bail!("the benchmark needs at least one organisation and {BUSIEST} cases");
    }
    let scratch = ScratchDb::new(Backend::Sqlite)
        .await
        .context("could not make a SQLite database for the benchmark")?;
    let outcome = on(&scratch.db, cases, orgs, requests, runs, seed).await;
    scratch.finish().await;
    outcome?;
    fairness(cases, orgs, runs, seed).await
}

/// Staff in post of the organisation `n`: the busiest is a large trust; the rest are
/// 3,000 to 8,000 strong, about 1.4 million people in all for 260.
fn staff_of(n: usize) -> usize {
    if n == 0 {
        20_000
    } else {
        3_000 + (n * 7_919) % 5_000
    }
}

/// The fairness half: every organisation's fairness figures for its latest settled year,
/// from made-up staff in post and a fifth of its cases (the cases span five years), as
/// the page works them out after reading them: digests matched, people counted, every
/// count decided.
async fn fairness(cases: usize, orgs: usize, runs: usize, seed: u64) -> anyhow::Result<()> {
    use dignity_app::workforce::fairness::{self, CaseEvent, CaseEventKind, Staff, SyntheticYear};
    use dignity_domain::er_cases::Outcome;
    use dignity_domain::speakup::Day;
    use dignity_domain::workforce::{AgeBand, Disability, Ethnicity, PayGrade, Sex, StaffGroup};
    let secret = dignity_crypto::secret::InstallationSecret::generate();
    let minimum = dignity_engine::disclosure::Minimums::default().workforce();
    let as_at = Day::from_ymd(2026, 3, 31).context("a day")?;
    let year_start = Day::from_ymd(2025, 4, 1).context("a day")?;
    let today = Day::from_ymd(2026, 12, 5).context("a day")?;
    let mut rng = StdRng::seed_from_u64(seed ^ 0x00fa_1e55);
    let others = orgs.saturating_sub(1).max(1);
    let (rest, extra) = ((cases - BUSIEST) / others, (cases - BUSIEST) % others);
    let began = Instant::now();
    let mut years = Vec::with_capacity(orgs);
    let (mut people_in_all, mut events_in_all) = (0usize, 0usize);
    for n in 0..orgs {
        let organisation_id = n as i64 + 1;
        let pick = |rng: &mut StdRng, all: &[&'static str]| -> &'static str {
            all.get(rng.gen_range(0..all.len())).copied().unwrap_or("")
        };
        let ethnicities: Vec<&str> = Ethnicity::ALL.iter().map(|e| e.code()).collect();
        let disabilities: Vec<&str> = Disability::ALL.iter().map(|e| e.code()).collect();
        let sexes: Vec<&str> = Sex::ALL.iter().map(|e| e.code()).collect();
        let ages: Vec<&str> = AgeBand::ALL.iter().map(|e| e.code()).collect();
        let groups: Vec<&str> = StaffGroup::ALL.iter().map(|e| e.code()).collect();
        let grades: Vec<&str> = PayGrade::ALL.iter().map(|e| e.code()).collect();
        let people: Vec<Staff> = (0..staff_of(n))
            .map(|i| Staff {
                person: format!("w{n}-{i}"),
                unit_id: None,
                staff_group: pick(&mut rng, &groups).into(),
                pay_grade: pick(&mut rng, &grades).into(),
                clinical: rng.gen_bool(0.7),
                // Two in three White British, the rest spread over every code.
                ethnicity: if rng.gen_bool(0.66) {
                    Ethnicity::WhiteBritish.code().into()
                } else {
                    pick(&mut rng, &ethnicities).into()
                },
                disability: pick(&mut rng, &disabilities).into(),
                sex: pick(&mut rng, &sexes).into(),
                age_band: pick(&mut rng, &ages).into(),
                started_on: None,
                wte: None,
                days_lost: None,
                left_on: None,
                leaving_reason: None,
            })
            .collect();
        let count = match n {
            0 => BUSIEST,
            n if n <= extra => rest + 1,
            _ => rest,
        } / 5;
        let mut events = Vec::new();
        for case_id in 0..count {
            let person = rng.gen_range(0..people.len());
            let digest = fairness::synthetic_case_digest(
                &secret,
                organisation_id,
                &format!("w{n}-{person}"),
            );
            let case_type = match rng.gen_range(0..100) {
                0..35 => CaseType::Conduct,
                35..50 => CaseType::CapabilityPerformance,
                50..70 => CaseType::Grievance,
                70..85 => CaseType::SicknessAbsence,
                _ => CaseType::BullyingComplaint,
            };
            let opened = year_start.plus_days(rng.gen_range(0..300));
            let mut event = |kind, on: Day| {
                events.push(CaseEvent {
                    case_id: case_id as i64,
                    case_type,
                    person_digest: digest.clone(),
                    kind,
                    on,
                    recorded_on: on,
                })
            };
            if matches!(
                case_type,
                CaseType::Conduct | CaseType::CapabilityPerformance
            ) {
                event(CaseEventKind::Investigation, opened);
            }
            if case_type == CaseType::Conduct && rng.gen_bool(0.8) {
                let outcome = match rng.gen_range(0..10) {
                    0..4 => Outcome::NoCaseToAnswer,
                    4..6 => Outcome::InformalAction,
                    6..8 => Outcome::FirstWrittenWarning,
                    8 => Outcome::FinalWrittenWarning,
                    _ => Outcome::Dismissal,
                };
                event(
                    CaseEventKind::Outcome(Some(outcome)),
                    opened.plus_days(rng.gen_range(20..60)),
                );
            }
            if rng.gen_bool(0.1) {
                event(CaseEventKind::Suspension, opened.plus_days(1));
            }
        }
        people_in_all += people.len();
        events_in_all += events.len();
        years.push(SyntheticYear {
            organisation_id,
            as_at,
            people,
            events,
        });
    }
    let prepared = std::sync::Arc::new(fairness::prepare(years, minimum)?);
    println!(
        "Fairness: {orgs} organisations, {people_in_all} staff in post, {events_in_all} events of \
         the year 2025/26 from a fifth of the cases, made and the equality measures decided in {:.1} s (untimed); \
         {runs} runs.",
        began.elapsed().as_secs_f64()
    );
    println!(
        "{:<5} {:>12} {:>12} {:>12} {:>12}",
        "run", "decided ms", "kept ms", "shown", "load average"
    );
    // Decided afresh each run: what the first page after a year settles (or after its
    // data changes) costs, and what every page cost before figures were kept.
    let mut decided = Vec::with_capacity(runs);
    // Read through the fingerprint from what the first run kept: every later page.
    let mut kept_times = Vec::with_capacity(runs);
    for run in 0..runs {
        let kept = std::sync::Arc::new(fairness::kept::KeptFairness::default());
        let started = Instant::now();
        let shown =
            fairness::decide_prepared(prepared.clone(), kept.clone(), &secret, today, minimum)
                .await?;
        let took = started.elapsed();
        decided.push(took);
        let started = Instant::now();
        let shown_kept =
            fairness::decide_prepared(prepared.clone(), kept, &secret, today, minimum).await?;
        let took_kept = started.elapsed();
        kept_times.push(took_kept);
        if shown_kept != shown {
            bail!("kept figures show {shown_kept} likelihoods, decided ones {shown}");
        }
        println!(
            "{:<5} {:>12.1} {:>12.1} {:>12} {:>12}",
            run + 1,
            ms(took),
            ms(took_kept),
            shown,
            crate::bench::load_average()
        );
    }
    decided.sort();
    kept_times.sort();
    let summary = |times: &[Duration]| {
        format!(
            "{:.1} ms, the median of {runs} runs (range {:.1} to {:.1})",
            ms(percentile(times, 0.5)),
            ms(times.first().copied().unwrap_or_default()),
            ms(times.last().copied().unwrap_or_default())
        )
    };
    println!(
        "every organisation's fairness figures decided afresh: {}",
        summary(&decided)
    );
    println!(
        "every organisation's fairness figures as pages read them once kept: {}; the goal is under 200 ms",
        summary(&kept_times)
    );
    Ok(())
}

async fn on(
    db: &Db,
    cases: usize,
    orgs: usize,
    requests: usize,
    runs: usize,
    seed: u64,
) -> anyhow::Result<()> {
    let operator = Operator::new(db.clone(), Clock::system(), "bench");
    let today = operator.clock().today();
    let mut rng = StdRng::seed_from_u64(seed);
    let lead = operator
        .create_person(
            &Email::parse("lead@bench.nhs.uk")?,
            &Name::parse("Bench Lead", "name")?,
            &operator.hash_passphrase(PASSPHRASE)?,
        )
        .await?;
    operator.set_second_step(&lead, Some(TOTP_SECRET)).await?;

    let began = Instant::now();
    let mut busy = None;
    let others = orgs.saturating_sub(1).max(1);
    let (rest, extra) = ((cases - BUSIEST) / others, (cases - BUSIEST) % others);
    for n in 0..orgs {
        let organisation = operator
            .create_organisation(&NewOrganisation {
                ods_code: OdsCode::parse(&format!("C{n:04}"))?,
                name: Name::parse(&format!("Casework Trust {n}"), "name")?,
                org_type: OrgType::Acute,
                region: Region::London,
                benchmark_group: Name::parse("Acute", "group")?,
            })
            .await?;
        let count = match n {
            0 => BUSIEST,
            n if n <= extra => rest + 1,
            _ => rest,
        };
        let made: Vec<SyntheticCase> = (0..count).map(|_| synthetic(&mut rng, today)).collect();
        dignity_app::er_cases::store_synthetic_cases(&operator, &organisation, lead.id, &made)
            .await?;
        if n == 0 {
            operator
                .grant_role(&lead, Role::ErLead, Some(&organisation))
                .await?;
            busy = Some(organisation);
        }
    }
    let busy = busy.context("no organisation was made")?;
    let stored = if orgs > 1 { cases } else { BUSIEST };
    println!(
        "Casework: {stored} made-up cases in {orgs} organisations ({BUSIEST} in {}) stored in {:.1} s; \
         SQLite; {requests} list requests a run, {runs} runs, through the full router.",
        busy.ods_code,
        began.elapsed().as_secs_f64()
    );

    let (router, _) = dignity_web::build_app(dignity_web::AppState::new(
        db.clone(),
        dignity_web::Settings::default(),
    )?);
    let cookie = sign_in(&router, "lead@bench.nhs.uk").await?;
    // Each query answers, with the count the filters should give.
    for query in QUERIES {
        let (status, _, body) = get(&router, &cookie, &busy.ods_code, query).await?;
        if status != StatusCode::OK
            || !body.contains("nhsuk-table__caption") && !body.contains("No cases match")
        {
            bail!("the list{query} answered {status}");
        }
    }
    let (_, _, all) = get(&router, &cookie, &busy.ods_code, "?state=all").await?;
    if !all.contains(&format!("{BUSIEST} cases, 1 to 50 shown")) {
        bail!("the list of every case does not count {BUSIEST}");
    }

    println!(
        "{:<5} {:>9} {:>9} {:>9} {:>9} {:>12}",
        "run", "p50 ms", "p95 ms", "p99 ms", "max ms", "load average"
    );
    let mut p95s = Vec::with_capacity(runs);
    let mut by_query: Vec<Vec<Duration>> = vec![Vec::new(); QUERIES.len()];
    for run in 0..runs {
        let mut times = Vec::with_capacity(requests);
        for i in 0..requests {
            let query = QUERIES.get(i % QUERIES.len()).copied().unwrap_or_default();
            let (status, took, _) = get(&router, &cookie, &busy.ods_code, query).await?;
            if status != StatusCode::OK {
                bail!("the list{query} answered {status}");
            }
            times.push(took);
            if let Some(each) = by_query.get_mut(i % QUERIES.len()) {
                each.push(took);
            }
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
    println!(
        "{:<66} {:>9} {:>9}",
        "query (every run)", "p50 ms", "p95 ms"
    );
    for (query, times) in QUERIES.iter().zip(&mut by_query) {
        times.sort();
        println!(
            "{:<66} {:>9.1} {:>9.1}",
            if query.is_empty() {
                "(open cases, longest at their stage)"
            } else {
                query
            },
            ms(percentile(times, 0.5)),
            ms(percentile(times, 0.95))
        );
    }
    p95s.sort();
    println!(
        "case list p95: {:.1} ms, the median of {runs} runs (range {:.1} to {:.1}); the goal is under 20 ms",
        ms(percentile(&p95s, 0.5)),
        ms(p95s.first().copied().unwrap_or_default()),
        ms(p95s.last().copied().unwrap_or_default())
    );
    Ok(())
}

/// A case of any type opened in the last five years; four in five are closed, the rest
/// at any open stage, and one in five is on the fast-track.
fn synthetic(rng: &mut StdRng, today: dignity_domain::speakup::Day) -> SyntheticCase {
    let case_type = CaseType::ALL
        .get(rng.gen_range(0..CaseType::ALL.len()))
        .copied()
        .unwrap_or(CaseType::Grievance);
    let opened_on = today.plus_days(-rng.gen_range(0..5 * 365));
    let stage = if rng.gen_bool(0.8) {
        Stage::Closed
    } else {
        Stage::ALL
            .get(rng.gen_range(0..6))
            .copied()
            .unwrap_or(Stage::Informal)
    };
    let since = rng.gen_range(0..=today.days_since(opened_on));
    SyntheticCase {
        case_type,
        opened_on,
        stage,
        stage_since: opened_on.plus_days(since),
        fast_track: rng.gen_bool(0.2),
    }
}

/// Signs `email` in with both steps through the router (their passphrase [`PASSPHRASE`],
/// their second step [`TOTP_SECRET`]); returns the cookies to send.
pub(crate) async fn sign_in(router: &axum::Router, email: &str) -> anyhow::Result<String> {
    let csrf = dignity_crypto::token::random_token();
    let form = |pairs: &[(&str, &str)]| {
        let mut url = form_urlencoded::Serializer::new(String::new());
        url.append_pair("csrf_token", &csrf);
        for (k, v) in pairs {
            url.append_pair(k, v);
        }
        url.finish()
    };
    let post = |path: &str, body: String, cookie: String| {
        Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookie)
            .body(Body::from(body))
    };
    let first = router
        .clone()
        .oneshot(post(
            "/sign-in",
            form(&[
                ("email", email),
                ("passphrase", PASSPHRASE),
                ("next", "/home"),
            ]),
            format!("dignity_csrf={csrf}"),
        )?)
        .await?;
    let session = session_in(first.headers()).context("signing in set no session")?;
    let code = dignity_crypto::totp::code_at(TOTP_SECRET, dignity_app::clock::system_now() as u64)?;
    let cookie = format!("dignity_csrf={csrf}; dignity_session={session}");
    let second = router
        .clone()
        .oneshot(post(
            "/sign-in/two-factor",
            form(&[("code", &code), ("next", "/home")]),
            cookie.clone(),
        )?)
        .await?;
    if !second.status().is_redirection() {
        bail!("the second step answered {}", second.status());
    }
    Ok(match session_in(second.headers()) {
        Some(renewed) => format!("dignity_csrf={csrf}; dignity_session={renewed}"),
        None => cookie,
    })
}

fn session_in(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("dignity_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

async fn get(
    router: &axum::Router,
    cookie: &str,
    ods: &str,
    query: &str,
) -> anyhow::Result<(StatusCode, Duration, String)> {
    router_get(router, cookie, &format!("/orgs/{ods}/er-cases{query}")).await
}

/// A page asked for through the full router with the session's cookies: its status, the
/// time to the last byte of the page, and the page.
pub(crate) async fn router_get(
    router: &axum::Router,
    cookie: &str,
    path: &str,
) -> anyhow::Result<(StatusCode, Duration, String)> {
    let request = Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())?;
    let began = Instant::now();
    let response = router.clone().oneshot(request).await?;
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 16 * 1024 * 1024).await?;
    let took = began.elapsed();
    Ok((status, took, String::from_utf8_lossy(&bytes).into_owned()))
}
