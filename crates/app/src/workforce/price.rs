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

/// Who reads an organisation's estimate: both sides of the partnership, its leaders and
/// its employee relations leads, as for the fairness figures.
pub const READERS: &[Role] = super::fairness::READERS;

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
        Unit::Percent => format!("{} %", trimmed(value * 100.0)),
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
            own: changes.iter().any(|c| c.assumption == a.key()),
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
        may_change: may_change(session, organisation),
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
        if let Some(share) = equality::everyone(columns, &all, definition, ctx.minimums.survey())
            .map_err(|e| Error::Internal(e.to_string()))?
        {
            return Ok(Some((campaign.title.clone(), share)));
        }
    }
    Ok(None)
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

/// The suspensions and complaints of a settled year, as counts the rules let out: each
/// `None` when fewer than the minimum people are in it (none at all is no one, and costs
/// nothing).
pub(crate) struct CaseCounts {
    pub(crate) suspensions: u64,
    pub(crate) suspended_days: u64,
    pub(crate) complaints: u64,
}

pub(crate) fn case_counts(
    year: ReportingYear,
    spans: &[store::SuspensionSpan],
    opened: &[store::Opened],
) -> Option<CaseCounts> {
    let first = ReportingYear::ending(year.end_year() - 1)?
        .last_day()?
        .plus_days(1);
    let last = year.last_day()?;
    let settle = year.cases_counted_from()?;
    let mut counts = CaseCounts {
        suspensions: 0,
        suspended_days: 0,
        complaints: 0,
    };
    for span in spans.iter().filter(|s| s.recorded_on < settle) {
        // Still running when the year settled: its days in the year run to the year's end.
        let end = span.ended_on.unwrap_or(last).min(last);
        let start = span.started_on.max(first);
        if start <= end {
            counts.suspensions += 1;
            counts.suspended_days += working_days(start, end);
        }
    }
    counts.complaints = opened
        .iter()
        .filter(|o| o.recorded_on < settle && first <= o.on && o.on <= last)
        .count() as u64;
    Some(counts)
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
    let people = &staff_year.people;
    // Days lost per person with a sickness figure; none when the extract has no column.
    let with_days: Vec<f64> = people.iter().filter_map(|p| p.days_lost).collect();
    let sickness_days = whole
        .map(|_| {
            (!with_days.is_empty()).then(|| with_days.iter().sum::<f64>() / with_days.len() as f64)
        })
        .into_value()
        .flatten();
    let bullied = survey
        .as_ref()
        .map(|(_, share)| *share)
        .unwrap_or_else(Disclosed::hidden);
    let suspended =
        disclosure::happenings(counts.suspensions, minimum).map(|_| counts.suspended_days);
    let complaints = disclosure::happenings(counts.complaints, minimum);
    let estimate = match (whole.into_value(), bullied.into_value()) {
        (_, None) if survey.is_none() => Err(
            "There was no staff survey that closed in this year and asked about bullying by managers or colleagues.",
        ),
        (_, None) => Err(
            "Too few people answered the survey's questions on bullying to show the share bullied.",
        ),
        (None, _) => Err("There are too few staff in post to show an estimate."),
        (Some(staff), Some(share)) => {
            let inputs = Inputs {
                staff,
                bullied: share,
                sickness_days,
                suspended_days: suspended.into_value(),
                complaints: complaints.into_value(),
            };
            Ok(costed(
                &engine::estimate(&inputs, assumptions),
                &inputs,
                assumptions,
                minimum.people(),
            ))
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
                    "{} % ({} % to {} %)",
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

fn costed(estimate: &Estimate, inputs: &Inputs, a: &Assumptions, minimum: u64) -> Costed {
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
                        "{days} working days spent suspended or excluded in the year, times {} a day, plus {} for cover.",
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
            format!(
                "{days_text} days a year per person: the extract has no sickness column, so the published average is used"
            )
        },
        components,
        total: pounds_between(estimate.total),
        per_person: pounds_between(engine::Range {
            low: estimate.total.low / staff,
            high: estimate.total.high / staff,
        }),
        range: estimate.total,
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

/// The smallest and largest reason accepted, in characters.
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
    })
}

/// Saves the values that differ from what the page showed, with the reason, audited.
pub async fn change_assumptions(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    form: &AssumptionsForm,
) -> Result<usize, ChangeError> {
    if !may_change(session, organisation) {
        return Err(Error::Forbidden.into());
    }
    let mut problems = Vec::new();
    let mut wanted = Vec::new();
    for (assumption, text) in &form.values {
        let field = assumption.key();
        let number = text
            .trim()
            .trim_start_matches('£')
            .trim_end_matches('%')
            .trim()
            .replace(',', "");
        let (low, high) = assumption.allowed();
        let scale = if assumption.unit() == Unit::Percent {
            100.0
        } else {
            1.0
        };
        match number.parse::<f64>() {
            Ok(n) if n.is_finite() && (low * scale..=high * scale).contains(&n) => {
                wanted.push((*assumption, n / scale));
            }
            _ => problems.push(Problem {
                field: field.to_owned(),
                message: if number.is_empty() {
                    format!("Enter a value for {}", assumption.label().to_lowercase())
                } else {
                    format!(
                        "{} must be a number from {} to {}",
                        assumption.label(),
                        trimmed(low * scale),
                        trimmed(high * scale)
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
    // What the page showed must be what stands now, for every box.
    for (assumption, shown) in &form.was {
        if typed(*assumption, current.get(*assumption)) != shown.trim() {
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
    // The store checks again under a lock that nothing changed since the check above.
    let newest: std::collections::HashMap<&str, f64> = changes_now
        .iter()
        .map(|c| (c.assumption.as_str(), c.value))
        .collect();
    let expected: Vec<(String, Option<f64>)> = Assumption::ALL
        .into_iter()
        .map(|a| (a.key().to_owned(), newest.get(a.key()).copied()))
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

/// Every organisation's estimate for one settled year, with the national sum of those
/// shown, for national analysts. Each organisation's figure is the one its own page shows,
/// so the sum holds nothing a page withheld.
#[derive(Debug, Clone)]
pub struct National {
    pub year: ReportingYear,
    pub years: Vec<ReportingYear>,
    pub rows: Vec<NationalRow>,
    pub total: String,
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
        let (total, per_person) = match &cost.estimate {
            Ok(c) => {
                sum.low += c.range.low;
                sum.high += c.range.high;
                counted += 1;
                (c.total.clone(), c.per_person.clone())
            }
            Err(why) => ((*why).to_owned(), String::new()),
        };
        rows.push(NationalRow {
            ods_code: organisation.ods_code.clone(),
            name: organisation.name.clone(),
            staff: cost.staff,
            bullied: cost.bullied,
            total,
            per_person,
        });
    }
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Some(National {
        year: chosen,
        years: years.into_iter().rev().collect(),
        rows,
        total: pounds_between(sum),
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
                started_on: day("2026-03-02"),
                ended_on: Some(day("2026-03-13")),
                recorded_on: day("2026-03-02"),
            },
            // Started before the year and still running: counted from 1 April 2025 to the
            // year's end, 31 March 2026 (261 working days).
            store::SuspensionSpan {
                started_on: day("2025-01-06"),
                ended_on: None,
                recorded_on: day("2025-01-06"),
            },
            // Written after the year settled on 1 May 2026: left out, so the figure
            // never moves.
            store::SuspensionSpan {
                started_on: day("2026-02-02"),
                ended_on: Some(day("2026-02-06")),
                recorded_on: day("2026-05-01"),
            },
            // Ended before the year began.
            store::SuspensionSpan {
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
        assert_eq!(counts.suspensions, 2);
        assert_eq!(counts.suspended_days, 10 + 261);
        assert_eq!(counts.complaints, 2);
    }

    #[test]
    fn working_days_skip_weekends() {
        // Friday 6 March to Monday 9 March 2026.
        assert_eq!(working_days(day("2026-03-06"), day("2026-03-09")), 2);
        assert_eq!(working_days(day("2026-03-07"), day("2026-03-08")), 0);
    }
}
