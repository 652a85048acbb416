//! The price of fear: an estimate of what bullying and harassment by other staff cost an
//! organisation in a year, after Kline and Lewis's national estimate for the NHS in England
//! ("The price of fear", Public Money & Management, 2018). Our own arithmetic, because the
//! model is a handful of products whose every step the page must show; no library does
//! this, and a library would hide the working.
//!
//! The share of staff bullied comes from the organisation's own staff survey, with its 95 %
//! interval: the estimate is a range from the interval's low end to its high end, never one
//! number. The cases come from the organisation's employee relations records. Every other
//! number is an [`Assumption`] with its published source, which an organisation may change.

use crate::stats::Proportion;

/// The paper's national base: NHS staff in England, and the share bullied by managers or
/// colleagues in the 2017 staff survey. The per-person defaults below divide the paper's
/// national costs by the staff it counted as bullied.
pub const PAPER_STAFF: f64 = 1_046_000.0;
pub const PAPER_SHARE_BULLIED: f64 = 0.24;
const PAPER_BULLIED: f64 = PAPER_STAFF * PAPER_SHARE_BULLIED;

const KLINE_LEWIS: &str = "Kline R and Lewis D (2018), The price of fear: estimating the \
financial cost of bullying and harassment to the NHS in England, Public Money & Management \
39(3), doi:10.1080/09540962.2018.1535044";

/// A number the estimate takes from published work, not from the organisation's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Assumption {
    /// How much more sickness absence a bullied person has than the average (0.71 = 71 %).
    ExtraSickness,
    /// Days of sickness absence a year per person, used only when the staff extract has no
    /// sickness column.
    SicknessDays,
    /// Pay for one working day.
    DailyPay,
    /// What cover for an absent person costs on top of their pay (0.625 = 62.5 %).
    Cover,
    /// Staff turnover, per bullied person a year.
    Turnover,
    /// Work lost while new staff learn the job, per bullied person a year.
    Productivity,
    /// Work lost by bullied staff who keep coming to work, per bullied person a year.
    Presenteeism,
    /// Compensation, tribunals and legal costs, per bullied person a year.
    Litigation,
    /// Managers' time on one formal bullying complaint or grievance.
    CaseHandling,
}

/// How an assumption's value reads and is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A share, typed as a percentage.
    Percent,
    Days,
    Pounds,
}

impl Assumption {
    pub const ALL: [Assumption; 9] = [
        Assumption::ExtraSickness,
        Assumption::SicknessDays,
        Assumption::DailyPay,
        Assumption::Cover,
        Assumption::Turnover,
        Assumption::Productivity,
        Assumption::Presenteeism,
        Assumption::Litigation,
        Assumption::CaseHandling,
    ];

    pub const fn key(self) -> &'static str {
        match self {
            Assumption::ExtraSickness => "extra_sickness",
            Assumption::SicknessDays => "sickness_days",
            Assumption::DailyPay => "daily_pay",
            Assumption::Cover => "cover",
            Assumption::Turnover => "turnover",
            Assumption::Productivity => "productivity",
            Assumption::Presenteeism => "presenteeism",
            Assumption::Litigation => "litigation",
            Assumption::CaseHandling => "case_handling",
        }
    }

    pub fn from_key(key: &str) -> Option<Assumption> {
        Assumption::ALL.into_iter().find(|a| a.key() == key)
    }

    pub const fn label(self) -> &'static str {
        match self {
            Assumption::ExtraSickness => "Extra sickness absence of a bullied person",
            Assumption::SicknessDays => "Days off sick a year per person, if not in the extract",
            Assumption::DailyPay => "Pay for one working day",
            Assumption::Cover => "Cost of cover on top of pay",
            Assumption::Turnover => "Staff leaving, per bullied person a year",
            Assumption::Productivity => "New staff learning the job, per bullied person a year",
            Assumption::Presenteeism => {
                "Less work done by bullied staff at work, per bullied person a year"
            }
            Assumption::Litigation => "Compensation and legal costs, per bullied person a year",
            Assumption::CaseHandling => "Managers' time on one formal complaint or grievance",
        }
    }

    pub const fn unit(self) -> Unit {
        match self {
            Assumption::ExtraSickness | Assumption::Cover => Unit::Percent,
            Assumption::SicknessDays => Unit::Days,
            _ => Unit::Pounds,
        }
    }

    /// The published value, as a share (not a percentage), days or pounds.
    pub fn published(self) -> f64 {
        match self {
            Assumption::ExtraSickness => 0.71,
            Assumption::SicknessDays => 9.36,
            Assumption::DailyPay => 140.12,
            Assumption::Cover => 0.625,
            Assumption::Turnover => 231_900_000.0 / PAPER_BULLIED,
            Assumption::Productivity => 575_700_000.0 / PAPER_BULLIED,
            Assumption::Presenteeism => 604_400_000.0 / PAPER_BULLIED,
            Assumption::Litigation => 83_500_000.0 / PAPER_BULLIED,
            Assumption::CaseHandling => 951.0,
        }
    }

    /// Where the published value comes from, and how it was worked out when it is not the
    /// source's own number.
    pub fn source(self) -> String {
        let per_bullied = |total: &str| {
            format!(
                "{total} a year for the NHS in England, divided by the 251,040 staff the paper \
                 counted as bullied (24 % of 1,046,000). {KLINE_LEWIS}, as reported in BMJ \
                 2018;363:k4463 and the paper's published table of costs"
            )
        };
        match self {
            Assumption::ExtraSickness => format!(
                "Bullied staff take 71 % more sickness absence than the average. {KLINE_LEWIS}, \
                 as reported in BMJ 2018;363:k4463"
            ),
            Assumption::SicknessDays => format!(
                "The average of 9.36 days off sick a year the paper used. {KLINE_LEWIS}, as \
                 reported in BMJ 2018;363:k4463"
            ),
            Assumption::DailyPay => format!(
                "The average daily pay of NHS staff the paper used, at 2017 prices: put in \
                 your own. {KLINE_LEWIS}, as reported in BMJ 2018;363:k4463"
            ),
            Assumption::Cover => format!(
                "Cover for absent staff (agency staff and overtime) costs 62.5 % on top of \
                 their pay. {KLINE_LEWIS}, as reported in BMJ 2018;363:k4463"
            ),
            Assumption::Turnover => per_bullied("£231.9 million"),
            Assumption::Productivity => per_bullied("£575.7 million"),
            Assumption::Presenteeism => per_bullied("£604.4 million"),
            Assumption::Litigation => per_bullied("£83.5 million"),
            Assumption::CaseHandling => "Managers' time on one formal grievance, £951. \
                 Saundry R and Urwin P (2021), Estimating the costs of workplace conflict, \
                 Acas"
                .to_owned(),
        }
    }

    /// The values an organisation may set, in the assumption's own terms (a share, not a
    /// percentage): beyond these the estimate would be nonsense, not an opinion.
    pub const fn allowed(self) -> (f64, f64) {
        match self {
            Assumption::ExtraSickness => (0.0, 5.0),
            Assumption::Cover => (0.0, 3.0),
            Assumption::SicknessDays => (0.0, 260.0),
            Assumption::DailyPay => (1.0, 2_000.0),
            // Ten times the published values and more: beyond any organisation's own
            // figure, and enough to swamp a national sum.
            Assumption::CaseHandling => (0.0, 20_000.0),
            _ => (0.0, 25_000.0),
        }
    }
}

/// An organisation's value for every assumption.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Assumptions([f64; 9]);

impl Default for Assumptions {
    fn default() -> Assumptions {
        Assumptions(Assumption::ALL.map(Assumption::published))
    }
}

impl Assumptions {
    pub fn get(&self, assumption: Assumption) -> f64 {
        self.0
            .get(Self::slot(assumption))
            .copied()
            .unwrap_or_else(|| assumption.published())
    }

    pub fn set(&mut self, assumption: Assumption, value: f64) {
        if let Some(slot) = self.0.get_mut(Self::slot(assumption)) {
            *slot = value;
        }
    }

    fn slot(assumption: Assumption) -> usize {
        Assumption::ALL
            .iter()
            .position(|a| *a == assumption)
            .unwrap_or(0)
    }
}

/// What the organisation's own records say about the year. Each figure is one its pages
/// already show; `None` where the disclosure rules withheld it or there is no record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Inputs {
    /// Staff in post at the year's staff-in-post extract.
    pub staff: u64,
    /// The share of survey respondents bullied, harassed or abused by managers or
    /// colleagues, with its 95 % interval.
    pub bullied: Proportion,
    /// Average days lost to sickness a year per person, from the staff extract.
    pub sickness_days: Option<f64>,
    /// Working days people spent suspended or excluded in the year.
    pub suspended_days: Option<u64>,
    /// Formal bullying complaints and grievances opened in the year.
    pub complaints: Option<u64>,
}

/// One part of the cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Component {
    Sickness,
    Cover,
    Turnover,
    Productivity,
    Presenteeism,
    Litigation,
    CaseHandling,
    SuspensionPay,
}

impl Component {
    pub const fn label(self) -> &'static str {
        match self {
            Component::Sickness => "Pay for extra days off sick",
            Component::Cover => "Cover for those days",
            Component::Turnover => "Staff leaving",
            Component::Productivity => "New staff learning the job",
            Component::Presenteeism => "Less work done by bullied staff at work",
            Component::Litigation => "Compensation and legal costs",
            Component::CaseHandling => "Managers' time on formal complaints and grievances",
            Component::SuspensionPay => "Pay and cover while people are suspended",
        }
    }
}

/// A range of pounds, low end first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub low: f64,
    pub high: f64,
}

impl Range {
    fn of(f: impl Fn(f64) -> f64, share: Proportion) -> Range {
        Range {
            low: f(share.low),
            high: f(share.high),
        }
    }

    fn fixed(value: f64) -> Range {
        Range {
            low: value,
            high: value,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Bullied people: staff times the share's interval.
    pub bullied_people: Range,
    /// The sickness days a year the estimate used, and whether they came from the extract.
    pub sickness_days: (f64, bool),
    /// Each part, or `None` when its count was withheld (it is then left out of the total).
    pub components: Vec<(Component, Option<Range>)>,
    pub total: Range,
}

/// The estimate for one organisation-year.
pub fn estimate(inputs: &Inputs, assumptions: &Assumptions) -> Estimate {
    let a = |assumption| assumptions.get(assumption);
    let staff = inputs.staff as f64;
    let bullied = |share: f64| staff * share;
    let (days, from_extract) = match inputs.sickness_days {
        Some(days) => (days, true),
        None => (a(Assumption::SicknessDays), false),
    };
    let sickness =
        |share| bullied(share) * days * a(Assumption::ExtraSickness) * a(Assumption::DailyPay);
    let per_bullied = |assumption| move |share| bullied(share) * a(assumption);
    let share = inputs.bullied;
    let components = vec![
        (Component::Sickness, Some(Range::of(sickness, share))),
        (
            Component::Cover,
            Some(Range::of(|s| sickness(s) * a(Assumption::Cover), share)),
        ),
        (
            Component::Turnover,
            Some(Range::of(per_bullied(Assumption::Turnover), share)),
        ),
        (
            Component::Productivity,
            Some(Range::of(per_bullied(Assumption::Productivity), share)),
        ),
        (
            Component::Presenteeism,
            Some(Range::of(per_bullied(Assumption::Presenteeism), share)),
        ),
        (
            Component::Litigation,
            Some(Range::of(per_bullied(Assumption::Litigation), share)),
        ),
        (
            Component::CaseHandling,
            inputs
                .complaints
                .map(|n| Range::fixed(n as f64 * a(Assumption::CaseHandling))),
        ),
        (
            Component::SuspensionPay,
            inputs.suspended_days.map(|days| {
                Range::fixed(days as f64 * a(Assumption::DailyPay) * (1.0 + a(Assumption::Cover)))
            }),
        ),
    ];
    let total =
        components
            .iter()
            .filter_map(|(_, range)| *range)
            .fold(Range::fixed(0.0), |sum, r| Range {
                low: sum.low + r.low,
                high: sum.high + r.high,
            });
    Estimate {
        bullied_people: Range::of(bullied, share),
        sickness_days: (days, from_extract),
        components,
        total,
    }
}

/// Pounds as a page shows an estimate: two significant figures, so no one reads more
/// precision into it than it has ("£1.2 million", "£45,000", "£0").
pub fn pounds(amount: f64) -> String {
    if !amount.is_finite() || amount < 0.5 {
        return "£0".into();
    }
    let magnitude = amount.log10().floor() as i32;
    let step = 10f64.powi((magnitude - 1).max(0));
    let rounded = (amount / step).round() * step;
    if rounded >= 1_000_000_000.0 {
        format!("£{:.1} billion", rounded / 1_000_000_000.0)
    } else if rounded >= 1_000_000.0 {
        format!("£{:.1} million", rounded / 1_000_000.0)
    } else {
        format!("£{}", grouped(rounded as u64))
    }
}

/// A whole number to two significant figures (494 reads as 490), for counts that need no
/// more precision than the pounds beside them.
pub fn two_figures(whole: u64) -> u64 {
    if whole < 100 {
        return whole;
    }
    let step = 10u64.pow(whole.ilog10() - 1);
    (whole + step / 2) / step * step
}

/// A whole number with commas between thousands ("12,345").
pub fn grouped(whole: u64) -> String {
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Pounds and pence as an assumption reads ("£2,293.26").
pub fn pounds_and_pence(amount: f64) -> String {
    let pence = (amount * 100.0).round().max(0.0) as u64;
    format!("£{}.{:02}", grouped(pence / 100), pence % 100)
}

/// A range as a page says it.
pub fn pounds_between(range: Range) -> String {
    let (low, high) = (pounds(range.low), pounds(range.high));
    if low == high {
        low
    } else {
        format!("{low} to {high}")
    }
}

#[cfg(test)]
mod tests;
