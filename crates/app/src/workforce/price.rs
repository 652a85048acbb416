//! The price of fear: what bullying and harassment by other staff cost an organisation in
//! a settled reporting year, worked out by `dignity_engine::price` from figures its own
//! pages already show: staff in post and their sickness absence (the staff-in-post
//! extract), the share bullied (the staff survey that closed in the year), and the
//! suspensions and formal complaints in its employee relations cases. Every figure is
//! one the disclosure rules let out; a part whose count they withhold is left out of the
//! total, and the page says so.
//!
//! Only settled years are shown (a month after the year ends, as WRES 3 is), counting
//! only what was written into Dignity before then, so the figure never moves as cases
//! are entered: two pages a month apart say nothing about a new suspension.

use super::overview;
use super::standards::{self, ReportingYear, StaffYear};
use crate::Error;
use crate::context::Context;
use crate::identity::{CurrentSession, Organisation};
use crate::justculture::Problem;
use dignity_domain::identity::Role;
use dignity_domain::speakup::Day;
use dignity_engine::Bitmap;
use dignity_engine::disclosure::{self, Disclosed, Figure};
use dignity_engine::equality;
use dignity_engine::price::{
    self as engine, Assumption, Assumptions, Component, Estimate, Inputs, Unit, pounds_between,
};
use dignity_engine::stats::Proportion;
use dignity_store::price::{self as store, AssumptionChange, Changer};

/// Who reads an organisation's estimate: both sides of the partnership and its leaders,
/// who read the survey results it draws on. (Employee relations leads do not: the page
/// would show them survey figures their role is not given.)
pub const READERS: &[Role] = &[Role::OrgAdmin, Role::Executive, Role::UnionPartner];

/// Who may change its assumptions: those who answer for its money.
pub const EDITORS: &[Role] = &[Role::OrgAdmin, Role::Executive];

pub fn may_read(session: &CurrentSession, organisation: &Organisation) -> bool {
    session.has_org_role(&organisation.ods_code, READERS)
}

pub fn may_change(session: &CurrentSession, organisation: &Organisation) -> bool {
    session.has_org_role(&organisation.ods_code, EDITORS)
}

/// One assumption as the page lists it.
#[derive(Debug, Clone)]
pub struct AssumptionView {
    pub assumption: Assumption,
    /// The value in use, as it reads ("71 %", "£140.12", "9.36 days").
    pub value: String,
    /// The value as a form box holds it (a percentage for a share).
    pub typed: String,
    pub published: String,
    /// Whether the organisation set its own.
    pub own: bool,
    pub source: String,
}

/// One change to one assumption, for the list of changes.
#[derive(Debug, Clone)]
pub struct ChangeView {
    pub label: &'static str,
    pub value: String,
    pub reason: String,
    pub changed_by: String,
    pub changed_on: Day,
}

#[derive(Debug, Clone)]
pub struct PricePage {
    /// Settled years with a staff-in-post extract, newest first.
    pub years: Vec<ReportingYear>,
    /// The newest year with a staff in post that has not settled yet, and the day it will.
    pub waiting: Option<(ReportingYear, Day)>,
    pub shown: Option<YearCost>,
    pub assumptions: Vec<AssumptionView>,
    pub changes: Vec<ChangeView>,
    pub may_change: bool,
}

/// One part of the cost as the page shows it.
#[derive(Debug, Clone)]
pub struct ComponentView {
    pub label: &'static str,
    /// "£12,000 to £15,000", or why it is left out.
    pub amount: String,
    pub left_out: bool,
    pub how: String,
}

#[derive(Debug, Clone)]
pub struct YearCost {
    pub year: ReportingYear,
    pub staff_on: Day,
    pub staff: Figure,
    /// The survey the share comes from.
    pub survey: Option<String>,
    /// "24 % (21 % to 27 %)".
    pub bullied: Figure,
    /// The estimate, or why there is none.
    pub estimate: Result<Costed, &'static str>,
}

#[derive(Debug, Clone)]
pub struct Costed {
    pub bullied_people: String,
    pub sickness: String,
    pub components: Vec<ComponentView>,
    pub total: String,
    pub per_person: String,
    /// Low and high, in pounds, for the national sum.
    pub range: engine::Range,
    /// The same with every published value, for a national sum on one footing.
    pub published_range: engine::Range,
    /// Whether the organisation put in any value of its own.
    pub own_assumptions: bool,
}

/// An organisation's assumptions: the published values with its own changes on top.
fn assumptions_from(changes: &[AssumptionChange]) -> Assumptions {
    let mut assumptions = Assumptions::default();
    for change in changes {
        if let Some(a) = Assumption::from_key(&change.assumption) {
            assumptions.set(a, change.value);
        }
    }
    assumptions
}

fn reads(assumption: Assumption, value: f64) -> String {
    match assumption.unit() {
        Unit::Percent => format!("{}%", trimmed(value * 100.0)),
        Unit::Days => format!("{} days", trimmed(value)),
        Unit::Pounds => engine::pounds_and_pence(value),
    }
}

/// The value as a form box holds it: a share as a percentage.
fn typed(assumption: Assumption, value: f64) -> String {
    match assumption.unit() {
        Unit::Percent => trimmed(value * 100.0),
        Unit::Days => trimmed(value),
        Unit::Pounds => format!("{value:.2}"),
    }
}

/// A number with no more than two decimals and no trailing zeros.
fn trimmed(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn assumption_views(changes: &[AssumptionChange]) -> Vec<AssumptionView> {
    let current = assumptions_from(changes);
    Assumption::ALL
        .into_iter()
        .map(|a| AssumptionView {
            assumption: a,
            value: reads(a, current.get(a)),
            typed: typed(a, current.get(a)),
            published: reads(a, a.published()),
            own: typed(a, current.get(a)) != typed(a, a.published()),
            source: a.source(),
        })
        .collect()
}

fn change_views(changes: &[AssumptionChange]) -> Vec<ChangeView> {
    changes
        .iter()
        .rev()
        .filter_map(|c| {
            let a = Assumption::from_key(&c.assumption)?;
            Some(ChangeView {
                label: a.label(),
                value: reads(a, c.value),
                reason: c.reason.clone(),
                changed_by: c.changed_by.clone(),
                changed_on: c.changed_on,
            })
        })
        .collect()
}

/// The estimate page for `year`, or for the newest settled year.
pub async fn page(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    year: Option<ReportingYear>,
) -> Result<PricePage, Error> {
    if !may_read(session, organisation) {
        return Err(Error::Forbidden);
    }
    Ok(PricePage {
        may_change: may_change(session, organisation),
        ..page_of(ctx, organisation, year).await?
    })
}

/// [`page`] without asking who reads, for the board pack, which is made without a session
/// (on a schedule, or for a reader it has already let in). Nobody changes assumptions
/// there, so `may_change` is false.
pub(crate) async fn page_of(
    ctx: &Context,
    organisation: &Organisation,
    year: Option<ReportingYear>,
) -> Result<PricePage, Error> {
    let today = ctx.clock.today();
    let changes = store::assumption_changes(&ctx.db, organisation.id).await?;
    let years = standards::years_with_staff(&ctx.db, &ctx.secret, organisation.id, today).await?;
    let settled: Vec<ReportingYear> = years
        .iter()
        .copied()
        .filter(|&y| is_settled(y, today))
        .collect();
    let waiting = years
        .iter()
        .rev()
        .find(|&&y| !is_settled(y, today))
        .and_then(|&y| Some((y, y.cases_counted_from()?)));
    let chosen = match year {
        Some(year) if settled.contains(&year) => Some(year),
        Some(year) => {
            return Err(Error::NotFound(format!(
                "There is no settled estimate for {}",
                year.label()
            )));
        }
        None => settled.last().copied(),
    };
    let staff_year = match chosen {
        Some(year) => {
            standards::staff_year(
                &ctx.db,
                &ctx.secret,
                organisation.id,
                today,
                ctx.minimums.workforce(),
                year,
            )
            .await?
        }
        None => None,
    };
    let shown = match staff_year {
        Some(staff_year) => Some(
            year_cost(
                ctx,
                organisation.id,
                &staff_year,
                &assumptions_from(&changes),
            )
            .await?,
        ),
        None => None,
    };
    Ok(PricePage {
        years: settled.iter().rev().copied().collect(),
        waiting,
        shown,
        assumptions: assumption_views(&changes),
        changes: change_views(&changes),
        may_change: false,
    })
}

fn is_settled(year: ReportingYear, today: Day) -> bool {
    year.cases_counted_from().is_some_and(|day| day <= today)
}

/// The share bullied by managers or colleagues in the newest survey that closed in the
/// year and asked about it, with that survey's title.
async fn bullied_share(
    ctx: &Context,
    organisation_id: i64,
    year: ReportingYear,
) -> Result<Option<(String, Disclosed<Proportion>)>, Error> {
    let today = ctx.clock.today();
    let campaigns = dignity_store::survey::campaigns_for(&ctx.db, organisation_id).await?;
    let mut hidden = None;
    for campaign in campaigns
        .iter()
        .filter(|c| c.has_closed(today) && ReportingYear::of(c.closes_on) == year)
    {
        let loaded = ctx.surveys.campaign(ctx, campaign).await?;
        let columns = &loaded.columns;
        let all = Bitmap::full(columns.rows());
        let definition = equality::WRES
            .iter()
            .find(|d| d.key == "wres_harassment_staff")
            .ok_or_else(|| Error::Internal("WRES indicator 6 is not defined".into()))?;
        let Some(share) = equality::everyone(columns, &all, definition, ctx.minimums.survey())
            .map_err(|e| Error::Internal(e.to_string()))?
        else {
            continue;
        };
        // A survey too small to show its share is passed over for an earlier one of the
        // year, so a small survey dated into a settled year cannot blank its estimate.
        if share.is_shown() {
            return Ok(Some((campaign.title.clone(), share)));
        }
        hidden = hidden.or(Some((campaign.title.clone(), share)));
    }
    Ok(hidden)
}

/// Working days (Monday to Friday) from `from` to `to`, both included.
fn working_days(from: Day, to: Day) -> u64 {
    let mut day = from;
    let mut count = 0;
    while day <= to {
        if day.weekday() < 5 {
            count += 1;
        }
        day = day.plus_days(1);
    }
    count
}

/// The suspensions and complaints of a settled year: what was written into Dignity
/// before the year settled, so nothing entered later moves it.
pub(crate) struct CaseCounts {
    /// People (or cases naming no one) suspended or excluded in the year: a case may
    /// hold several suspensions in turn, and the rule is about people.
    pub(crate) suspended_people: u64,
    pub(crate) suspended_days: u64,
    pub(crate) complaints: u64,
}

pub(crate) fn case_counts(
    year: ReportingYear,
    spans: &[store::SuspensionSpan],
    opened: &[store::Opened],
) -> Option<CaseCounts> {
    let last = year.last_day()?;
    // 1 April of the year before; years begun before any date Dignity keeps start then.
    let first = Day::from_ymd(year.end_year() - 1, 4, 1).or_else(|| Day::from_ymd(1900, 1, 1))?;
    let settle = year.cases_counted_from()?;
    let mut people = std::collections::HashSet::new();
    let mut suspended_days = 0;
    for span in spans.iter().filter(|s| s.recorded_on < settle) {
        // An end written after the year settled is not known to it: the suspension runs
        // to the year's end, as it did when the year settled.
        let ended = span
            .ended_on
            .filter(|_| span.end_recorded_on.is_some_and(|written| written < settle));
        let end = ended.unwrap_or(last).min(last);
        let start = span.started_on.max(first);
        let days = if start <= end {
            working_days(start, end)
        } else {
            0
        };
        // Only someone kept from work for at least a working day is counted: a weekend
        // alone costs nothing and must not make up the numbers.
        if days > 0 {
            people.insert(span.whose.as_str());
            suspended_days += days;
        }
    }
    let complaints = opened
        .iter()
        .filter(|o| o.recorded_on < settle && first <= o.on && o.on <= last)
        .count() as u64;
    Some(CaseCounts {
        suspended_people: people.len() as u64,
        suspended_days,
        complaints,
    })
}

async fn year_cost(
    ctx: &Context,
    organisation_id: i64,
    staff_year: &StaffYear,
    assumptions: &Assumptions,
) -> Result<YearCost, Error> {
    let minimum = ctx.minimums.workforce();
    let year = staff_year.figures.year;
    let whole = overview::whole_of(&staff_year.figures.indicators, minimum);
    let survey = bullied_share(ctx, organisation_id, year).await?;
    let spans = store::suspension_spans(&ctx.db, organisation_id).await?;
    let opened = store::complaints_opened(&ctx.db, organisation_id).await?;
    let counts = case_counts(year, &spans, &opened)
        .ok_or_else(|| Error::Internal(format!("no days for {}", year.label())))?;
    // The average days lost, decided as the workforce page decides a mean (none under a
    // hidden headcount or for fewer than the minimum), over the same people as the workforce page's sickness rate (those with both days
    // lost and contracted WTE): over a different set, the two figures together gave
    // back the days of the people in one and not the other.
    let with_days: Vec<f64> = staff_year
        .people
        .iter()
        .filter(|p| p.wte.is_some())
        .filter_map(|p| p.days_lost)
        .collect();
    let sickness = disclosure::mean(
        with_days.iter().sum(),
        with_days.len() as u64,
        &whole,
        minimum,
    )
    .map(|days| (days * 10.0).round() / 10.0);
    let sickness_days = sickness.into_value();
    let sickness_missing = if with_days.is_empty() {
        "the extract has no sickness figures"
    } else {
        "too few people in the extract have a sickness figure to show an average"
    };
    let bullied = survey
        .as_ref()
        .map(|(_, share)| *share)
        .unwrap_or_else(Disclosed::hidden);
    let suspended =
        disclosure::happenings(counts.suspended_people, minimum).map(|_| counts.suspended_days);
    let complaints = disclosure::happenings(counts.complaints, minimum);
    let estimate = match (whole.into_value(), bullied.into_value()) {
        (_, None) if survey.is_none() => Err(
            "There was no staff survey that closed in this year and asked about bullying by managers or colleagues.",
        ),
        (_, None) => Err(
            "Too few people answered the survey's questions on bullying to show the share bullied.",
        ),
        (None, _) => Err(
            "The number of staff in post is hidden on the workforce pages this year, to protect people in small groups.",
        ),
        (Some(staff), Some(share)) => {
            let inputs = Inputs {
                staff,
                bullied: share,
                sickness_days,
                suspended_days: suspended.into_value(),
                complaints: complaints.into_value(),
            };
            let mut costed = costed(
                &engine::estimate(&inputs, assumptions),
                &inputs,
                assumptions,
                minimum.people(),
                sickness_missing,
            );
            costed.published_range = engine::estimate(&inputs, &Assumptions::default()).total;
            costed.own_assumptions = *assumptions != Assumptions::default();
            Ok(costed)
        }
    };
    Ok(YearCost {
        year,
        staff_on: staff_year.as_at,
        staff: Figure::amount(whole, |n| n.to_string(), "hidden"),
        survey: survey.map(|(title, _)| title),
        bullied: Figure::of(
            bullied,
            |p| {
                format!(
                    "{}% ({}% to {}%)",
                    trimmed((p.value * 100.0 * 10.0).round() / 10.0),
                    trimmed((p.low * 100.0 * 10.0).round() / 10.0),
                    trimmed((p.high * 100.0 * 10.0).round() / 10.0)
                )
            },
            "hidden",
        ),
        estimate,
    })
}

fn costed(
    estimate: &Estimate,
    inputs: &Inputs,
    a: &Assumptions,
    minimum: u64,
    sickness_missing: &str,
) -> Costed {
    let (days, from_extract) = estimate.sickness_days;
    let days_text = trimmed((days * 100.0).round() / 100.0);
    let withheld = |what: &str| {
        format!(
            "Left out: fewer than {minimum} {what} this year. To protect them, this part is not shown or added to the total."
        )
    };
    let components = estimate
        .components
        .iter()
        .map(|(component, range)| {
            let how = match component {
                Component::Sickness => format!(
                    "Bullied staff times {days_text} days off sick times {} more, times {} a day.",
                    reads(Assumption::ExtraSickness, a.get(Assumption::ExtraSickness)),
                    reads(Assumption::DailyPay, a.get(Assumption::DailyPay))
                ),
                Component::Cover => format!(
                    "{} of the pay for those days.",
                    reads(Assumption::Cover, a.get(Assumption::Cover))
                ),
                Component::Turnover => per_bullied(Assumption::Turnover, a),
                Component::Productivity => per_bullied(Assumption::Productivity, a),
                Component::Presenteeism => per_bullied(Assumption::Presenteeism, a),
                Component::Litigation => per_bullied(Assumption::Litigation, a),
                Component::CaseHandling => match inputs.complaints {
                    Some(n) => format!(
                        "{n} formal bullying complaints and grievances opened in the year, times {}.",
                        reads(Assumption::CaseHandling, a.get(Assumption::CaseHandling))
                    ),
                    None => withheld("formal complaints and grievances were opened"),
                },
                Component::SuspensionPay => match inputs.suspended_days {
                    Some(days) => format!(
                        "About {} working days spent suspended or excluded in the year, times {} a day, plus {} for cover.",
                        engine::grouped(engine::two_figures(days)),
                        reads(Assumption::DailyPay, a.get(Assumption::DailyPay)),
                        reads(Assumption::Cover, a.get(Assumption::Cover))
                    ),
                    None => withheld("people were suspended or excluded"),
                },
            };
            ComponentView {
                label: component.label(),
                amount: range.map_or_else(|| "Left out".to_owned(), pounds_between),
                left_out: range.is_none(),
                how,
            }
        })
        .collect();
    let staff = inputs.staff.max(1) as f64;
    Costed {
        bullied_people: format!(
            "{} to {}",
            estimate.bullied_people.low.round(),
            estimate.bullied_people.high.round()
        ),
        sickness: if from_extract {
            format!("{days_text} days a year per person, from the staff-in-post extract")
        } else {
            format!("{days_text} days a year per person, the published average: {sickness_missing}")
        },
        components,
        total: pounds_between(estimate.total),
        per_person: pounds_between(engine::Range {
            low: estimate.total.low / staff,
            high: estimate.total.high / staff,
        }),
        range: estimate.total,
        published_range: estimate.total,
        own_assumptions: false,
    }
}

fn per_bullied(assumption: Assumption, a: &Assumptions) -> String {
    format!(
        "Bullied staff times {} each.",
        reads(assumption, a.get(assumption))
    )
}

/// The assumptions form as sent: each box by its assumption's key, what the page showed
/// (so a change made meanwhile is caught) and the reason.
#[derive(Debug, Clone, Default)]
pub struct AssumptionsForm {
    pub values: Vec<(Assumption, String)>,
    pub was: Vec<(Assumption, String)>,
    pub reason: String,
    /// After a refusal: each box this person changed that someone else changed too, with
    /// the value saved meanwhile as it reads, so they see what they would overwrite.
    pub saved_meanwhile: Vec<(Assumption, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("Some answers need changing")]
    Form(Vec<Problem>),
    #[error(
        "Someone else changed these assumptions while you were working. Nothing was saved: check them as they are now and save again"
    )]
    Changed,
    #[error(transparent)]
    App(#[from] Error),
}

/// The longest reason accepted, in characters (the shortest is 10: a reason says why).
const REASON_LIMIT: usize = 1_000;

/// The form's boxes as the organisation's values stand now.
pub async fn form_now(
    ctx: &Context,
    organisation: &Organisation,
) -> Result<AssumptionsForm, Error> {
    let changes = store::assumption_changes(&ctx.db, organisation.id).await?;
    let current = assumptions_from(&changes);
    let values: Vec<(Assumption, String)> = Assumption::ALL
        .into_iter()
        .map(|a| (a, typed(a, current.get(a))))
        .collect();
    Ok(AssumptionsForm {
        was: values.clone(),
        values,
        reason: String::new(),
        saved_meanwhile: Vec::new(),
    })
}

/// A number as typed in one box: a share's box in percent, pounds with an optional £
/// and commas between thousands, days as they are. `None` when it is not one.
fn number_in(assumption: Assumption, text: &str) -> Option<f64> {
    let mut text = text.trim();
    match assumption.unit() {
        Unit::Percent => text = text.strip_suffix('%').unwrap_or(text).trim_end(),
        Unit::Pounds => text = text.strip_prefix('£').unwrap_or(text).trim_start(),
        Unit::Days => {}
    }
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    // After the point only digits: "1.234,56" is the European way of writing 1,234.56,
    // and read as £1.23 it would silently shrink the estimate.
    if !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    // Commas only between thousands ("1,234.50"): "923,76" is a decimal comma, not
    // ninety-two thousand.
    if whole.contains(',') {
        let groups: Vec<&str> = whole.split(',').collect();
        let first_ok = groups.first().is_some_and(|g| (1..=3).contains(&g.len()));
        let rest_ok = groups.iter().skip(1).all(|g| g.len() == 3);
        if !first_ok || !rest_ok {
            return None;
        }
    }
    let plain = text.replace(',', "");
    if plain.is_empty() || !plain.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let n: f64 = plain.parse().ok()?;
    // Kept as the page shows it: pence, or two decimals.
    Some((n * 100.0).round() / 100.0)
}

/// Saves the boxes changed on the page (where what was sent differs from what the page
/// showed), with the reason, audited. Boxes left as they were are not written, so a
/// change someone else saved meanwhile to another box stands.
pub async fn change_assumptions(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    form: &AssumptionsForm,
) -> Result<usize, ChangeError> {
    if !may_change(session, organisation) {
        return Err(Error::Forbidden.into());
    }
    let shown = |assumption: Assumption| {
        form.was
            .iter()
            .find(|(a, _)| *a == assumption)
            .map(|(_, w)| w.trim().to_owned())
    };
    let mut problems = Vec::new();
    let mut wanted = Vec::new();
    for (assumption, text) in &form.values {
        let (low, high) = assumption.allowed();
        let scale = if assumption.unit() == Unit::Percent {
            100.0
        } else {
            1.0
        };
        match number_in(*assumption, text) {
            Some(n) if (low * scale..=high * scale).contains(&n) => {
                // Unchanged when it reads as the same number ("£140.12" for "140.12").
                let was = shown(*assumption).and_then(|w| number_in(*assumption, &w));
                if was != Some(n) {
                    let value = n / scale;
                    // The published value typed back (to the pence) is the published
                    // value itself, not a rounding of it.
                    let published = assumption.published();
                    let value = if typed(*assumption, value) == typed(*assumption, published) {
                        published
                    } else {
                        value
                    };
                    wanted.push((*assumption, value));
                }
            }
            _ => problems.push(Problem {
                field: assumption.key().to_owned(),
                message: if text.trim().is_empty() {
                    format!("Enter a value for {}", assumption.label().to_lowercase())
                } else {
                    format!(
                        "{} must be a number from {} to {}",
                        assumption.label(),
                        grouped_number(low * scale),
                        grouped_number(high * scale)
                    )
                },
            }),
        }
    }
    let reason = form.reason.trim();
    if reason.chars().count() < 10 {
        problems.push(Problem {
            field: "reason".into(),
            message: "Say why in a sentence or two, so readers can judge the change".into(),
        });
    } else if reason.chars().count() > REASON_LIMIT {
        problems.push(Problem {
            field: "reason".into(),
            message: format!("The reason must be {REASON_LIMIT} characters or fewer"),
        });
    }
    if !problems.is_empty() {
        return Err(ChangeError::Form(problems));
    }
    let changes_now = store::assumption_changes(&ctx.db, organisation.id)
        .await
        .map_err(Error::from)?;
    let current = assumptions_from(&changes_now);
    // A box changed here must still hold what the page showed.
    for (assumption, _) in &wanted {
        let was = shown(*assumption).and_then(|w| number_in(*assumption, &w));
        let now = number_in(*assumption, &typed(*assumption, current.get(*assumption)));
        if was != now {
            return Err(ChangeError::Changed);
        }
    }
    let changed: Vec<(String, f64)> = wanted
        .into_iter()
        .filter(|(a, value)| typed(*a, *value) != typed(*a, current.get(*a)))
        .map(|(a, value)| (a.key().to_owned(), value))
        .collect();
    if changed.is_empty() {
        return Ok(0);
    }
    // The store checks again under a lock that the changed boxes are as read above.
    let newest: std::collections::HashMap<&str, f64> = changes_now
        .iter()
        .map(|c| (c.assumption.as_str(), c.value))
        .collect();
    let expected: Vec<(String, Option<f64>)> = changed
        .iter()
        .map(|(key, _)| (key.clone(), newest.get(key.as_str()).copied()))
        .collect();
    let who = Changer {
        person_id: session.person.id,
        email: &session.person.email,
        now: ctx.clock.now(),
        today: ctx.clock.today(),
    };
    if !store::change_assumptions(&ctx.db, &who, organisation, &expected, &changed, reason)
        .await
        .map_err(Error::from)?
    {
        return Err(ChangeError::Changed);
    }
    Ok(changed.len())
}

/// The form after a refusal because someone else saved meanwhile: boxes this person
/// changed keep what they typed, the rest show today's values, and every box's "was"
/// is today's, so sending it again changes only what they meant to.
pub async fn form_after_conflict(
    ctx: &Context,
    organisation: &Organisation,
    sent: AssumptionsForm,
) -> Result<AssumptionsForm, Error> {
    let changes = store::assumption_changes(&ctx.db, organisation.id).await?;
    let current = assumptions_from(&changes);
    let text_of = |list: &[(Assumption, String)], assumption: Assumption| {
        list.iter()
            .find(|(a, _)| *a == assumption)
            .map(|(_, v)| v.trim().to_owned())
    };
    let mut values = Vec::new();
    let mut saved_meanwhile = Vec::new();
    for assumption in Assumption::ALL {
        let today = typed(assumption, current.get(assumption));
        let typed_here = text_of(&sent.values, assumption);
        let was = text_of(&sent.was, assumption).and_then(|w| number_in(assumption, &w));
        let changed_here = typed_here
            .as_deref()
            .is_some_and(|t| number_in(assumption, t) != was || number_in(assumption, t).is_none());
        match typed_here {
            Some(text) if changed_here => {
                if number_in(assumption, &today) != was {
                    saved_meanwhile.push((assumption, reads(assumption, current.get(assumption))));
                }
                values.push((assumption, text));
            }
            _ => values.push((assumption, today.clone())),
        }
    }
    Ok(AssumptionsForm {
        values,
        was: Assumption::ALL
            .into_iter()
            .map(|a| (a, typed(a, current.get(a))))
            .collect(),
        reason: sent.reason,
        saved_meanwhile,
    })
}

/// A limit as the error message says it ("1,000,000").
fn grouped_number(value: f64) -> String {
    if value.fract() == 0.0 && value >= 0.0 {
        engine::grouped(value as u64)
    } else {
        trimmed(value)
    }
}

/// Every organisation's estimate for one settled year, with the national sum of those
/// shown, for national analysts. Each organisation's figure is the one its own page shows,
/// so the sum holds nothing a page withheld.
#[derive(Debug, Clone)]
pub struct National {
    pub year: ReportingYear,
    pub years: Vec<ReportingYear>,
    pub rows: Vec<NationalRow>,
    pub total: String,
    /// The sum with every organisation on the published values.
    pub total_published: String,
    pub counted: usize,
}

#[derive(Debug, Clone)]
pub struct NationalRow {
    pub ods_code: String,
    pub name: String,
    pub staff: Figure,
    pub bullied: Figure,
    pub total: String,
    pub per_person: String,
    /// The organisation put in values of its own.
    pub own_assumptions: bool,
}

pub async fn national(
    ctx: &Context,
    session: &CurrentSession,
    year: Option<ReportingYear>,
) -> Result<Option<National>, Error> {
    if !session.has_platform_role(crate::identity::ANALYSTS) {
        return Err(Error::Forbidden);
    }
    let today = ctx.clock.today();
    let organisations = dignity_store::identity::list_organisations(&ctx.db).await?;
    let mut every = Vec::new();
    let mut years = std::collections::BTreeSet::new();
    for organisation in organisations {
        let with_staff =
            standards::years_with_staff(&ctx.db, &ctx.secret, organisation.id, today).await?;
        years.extend(with_staff.iter().copied().filter(|&y| is_settled(y, today)));
        every.push((organisation, with_staff));
    }
    let Some(chosen) = year.or_else(|| years.iter().next_back().copied()) else {
        return Ok(None);
    };
    if !years.contains(&chosen) {
        return Err(Error::NotFound(format!(
            "No organisation has a settled estimate for {}",
            chosen.label()
        )));
    }
    let mut rows = Vec::new();
    let mut sum = engine::Range {
        low: 0.0,
        high: 0.0,
    };
    let mut sum_published = sum;
    let mut counted = 0;
    for (organisation, with_staff) in &every {
        if !with_staff.contains(&chosen) {
            continue;
        }
        let Some(staff_year) = standards::staff_year(
            &ctx.db,
            &ctx.secret,
            organisation.id,
            today,
            ctx.minimums.workforce(),
            chosen,
        )
        .await?
        else {
            continue;
        };
        let changes = store::assumption_changes(&ctx.db, organisation.id).await?;
        let cost = year_cost(
            ctx,
            organisation.id,
            &staff_year,
            &assumptions_from(&changes),
        )
        .await?;
        let (total, per_person, own_assumptions) = match &cost.estimate {
            Ok(c) => {
                sum.low += c.range.low;
                sum.high += c.range.high;
                sum_published.low += c.published_range.low;
                sum_published.high += c.published_range.high;
                counted += 1;
                (c.total.clone(), c.per_person.clone(), c.own_assumptions)
            }
            Err(why) => ((*why).to_owned(), String::new(), false),
        };
        rows.push(NationalRow {
            ods_code: organisation.ods_code.clone(),
            name: organisation.name.clone(),
            staff: cost.staff,
            bullied: cost.bullied,
            total,
            per_person,
            own_assumptions,
        });
    }
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Some(National {
        year: chosen,
        years: years.into_iter().rev().collect(),
        rows,
        total: pounds_between(sum),
        total_published: pounds_between(sum_published),
        counted,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    #[test]
    fn a_years_cases_are_those_written_before_it_settled() {
        let year = ReportingYear::ending(2026).unwrap();
        let spans = [
            // Monday 2 March to Friday 13 March 2026: ten working days.
            store::SuspensionSpan {
                whose: "a".into(),
                end_recorded_on: Some(day("2026-03-13")),
                started_on: day("2026-03-02"),
                ended_on: Some(day("2026-03-13")),
                recorded_on: day("2026-03-02"),
            },
            // The same person again, later: one person, two spans.
            store::SuspensionSpan {
                whose: "a".into(),
                started_on: day("2026-03-16"),
                ended_on: Some(day("2026-03-20")),
                recorded_on: day("2026-03-16"),
                end_recorded_on: Some(day("2026-03-20")),
            },
            // Ended on a back-dated day written after the year settled: to the year it
            // is still running at 31 March (Monday 23 to Tuesday 31 March: 7 days).
            store::SuspensionSpan {
                whose: "c".into(),
                started_on: day("2026-03-23"),
                ended_on: Some(day("2026-03-24")),
                recorded_on: day("2026-03-23"),
                end_recorded_on: Some(day("2026-06-01")),
            },
            // Started before the year and still running: counted from 1 April 2025 to the
            // year's end, 31 March 2026 (261 working days).
            store::SuspensionSpan {
                whose: "b".into(),
                end_recorded_on: None,
                started_on: day("2025-01-06"),
                ended_on: None,
                recorded_on: day("2025-01-06"),
            },
            // Written after the year settled on 1 May 2026: left out, so the figure
            // never moves.
            store::SuspensionSpan {
                whose: "d".into(),
                end_recorded_on: Some(day("2026-05-01")),
                started_on: day("2026-02-02"),
                ended_on: Some(day("2026-02-06")),
                recorded_on: day("2026-05-01"),
            },
            // Ended before the year began.
            store::SuspensionSpan {
                whose: "e".into(),
                end_recorded_on: Some(day("2024-06-01")),
                started_on: day("2024-05-01"),
                ended_on: Some(day("2024-06-01")),
                recorded_on: day("2024-05-01"),
            },
        ];
        let opened = [
            store::Opened {
                on: day("2025-04-01"),
                recorded_on: day("2025-04-01"),
            },
            store::Opened {
                on: day("2026-03-31"),
                recorded_on: day("2026-04-30"),
            },
            store::Opened {
                on: day("2026-03-30"),
                recorded_on: day("2026-05-01"),
            },
            store::Opened {
                on: day("2026-04-01"),
                recorded_on: day("2026-04-01"),
            },
        ];
        let counts = case_counts(year, &spans, &opened).unwrap();
        assert_eq!(counts.suspended_people, 3);
        assert_eq!(counts.suspended_days, 10 + 5 + 7 + 261);
        assert_eq!(counts.complaints, 2);
    }

    #[test]
    fn the_first_years_dignity_keeps_have_a_first_day() {
        let year = ReportingYear::ending(1900).unwrap();
        assert!(case_counts(year, &[], &[]).is_some());
    }

    #[test]
    fn numbers_are_read_as_people_type_them() {
        let pay = Assumption::DailyPay;
        assert_eq!(number_in(pay, " £1,234.56 "), Some(1234.56));
        assert_eq!(number_in(pay, "199.004"), Some(199.0));
        for nonsense in [
            "923,76",
            ",,,1,,0,,",
            "1000%",
            "-0",
            "1e3",
            "",
            "£",
            "1.234,56",
            "12.3,4",
            "1.2.3",
        ] {
            assert_eq!(number_in(pay, nonsense), None, "{nonsense}");
        }
        assert_eq!(number_in(Assumption::Cover, "62.5 %"), Some(62.5));
        assert_eq!(number_in(Assumption::Cover, "£62"), None);
    }

    #[test]
    fn working_days_skip_weekends() {
        // Friday 6 March to Monday 9 March 2026.
        assert_eq!(working_days(day("2026-03-06"), day("2026-03-09")), 2);
        assert_eq!(working_days(day("2026-03-07"), day("2026-03-08")), 0);
    }
}
