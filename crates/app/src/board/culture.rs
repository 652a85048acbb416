//! Culture and care: how each culture figure (the staff survey's oversight indicators, the
//! speaking-up index, the equality standards' relative likelihoods) relates to each outcome
//! across organisations, as a rank correlation with its bootstrap interval, for every
//! organisation and within each type of organisation.
//!
//! Every culture figure is one the organisation's own pages already show: a survey figure
//! hidden for small numbers, or a likelihood the workforce disclosure decision holds back,
//! is left out here too, never estimated. Outcomes are published figures about
//! organisations. So nothing here tells more about people than the pages it draws on.

use super::{Kept, every_kept, for_year, years_of};
use crate::Error;
use crate::context::Context;
use crate::identity::{ANALYSTS, CurrentSession, Organisation};
use crate::survey::campaigns;
use crate::workforce::national::{self as workforce, Measure as Workforce};
use crate::workforce::standards::ReportingYear;
use dignity_domain::board::Measure;
use dignity_domain::identity::OrgType;
use dignity_domain::survey::Direction;
use dignity_engine::correlation::{Correlation, MIN_ORGANISATIONS, correlate};
use dignity_engine::equality::speaking_up_index;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Where a culture figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// A staff survey oversight indicator's share, standardised to the staff mix.
    Survey(&'static str),
    SpeakingUp,
    Workforce(Workforce),
}

/// A figure of culture read beside the outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Culture {
    /// In addresses and downloads.
    pub code: &'static str,
    pub label: &'static str,
    /// As a sentence says it: "harassment from managers".
    pub short: &'static str,
    /// Which way is better; a likelihood is best at 1, so neither way is.
    pub better: Direction,
    source: Source,
}

/// Every culture figure, in the order pages show them.
pub const CULTURE: &[Culture] = &[
    Culture {
        code: "harassment_managers",
        label: "Staff harassed, bullied or abused by managers (%)",
        short: "share of staff harassed by managers",
        better: Direction::LowerIsBetter,
        source: Source::Survey("harassment_managers"),
    },
    Culture {
        code: "harassment_colleagues",
        label: "Staff harassed, bullied or abused by colleagues (%)",
        short: "share of staff harassed by colleagues",
        better: Direction::LowerIsBetter,
        source: Source::Survey("harassment_colleagues"),
    },
    Culture {
        code: "team_shared_objectives",
        label: "Staff whose team has shared aims (%)",
        short: "share of staff in teams with shared aims",
        better: Direction::HigherIsBetter,
        source: Source::Survey("team_shared_objectives"),
    },
    Culture {
        code: "equal_opportunities_progression",
        label: "Staff who say progression is fair (%)",
        short: "share of staff who say progression is fair",
        better: Direction::HigherIsBetter,
        source: Source::Survey("equal_opportunities_progression"),
    },
    Culture {
        code: "speaking_up",
        label: "Speaking-up index (0 to 100)",
        short: "speaking-up index",
        better: Direction::HigherIsBetter,
        source: Source::SpeakingUp,
    },
    Culture {
        code: "wres2",
        label: "WRES 2: white applicants appointed (likelihood)",
        short: "likelihood of white applicants being appointed",
        better: Direction::Neither,
        source: Source::Workforce(Workforce::WresAppointment),
    },
    Culture {
        code: "wres3",
        label: "WRES 3: BME staff into disciplinary (likelihood)",
        short: "likelihood of BME staff entering disciplinary action",
        better: Direction::Neither,
        source: Source::Workforce(Workforce::WresDisciplinary),
    },
    Culture {
        code: "wres4",
        label: "WRES 4: white staff taking up training (likelihood)",
        short: "likelihood of white staff taking up training",
        better: Direction::Neither,
        source: Source::Workforce(Workforce::WresTraining),
    },
    Culture {
        code: "wdes2",
        label: "WDES 2: non-disabled applicants appointed (likelihood)",
        short: "likelihood of non-disabled applicants being appointed",
        better: Direction::Neither,
        source: Source::Workforce(Workforce::WdesAppointment),
    },
    Culture {
        code: "wdes3",
        label: "WDES 3: disabled staff into capability (likelihood)",
        short: "likelihood of disabled staff entering capability action",
        better: Direction::Neither,
        source: Source::Workforce(Workforce::WdesCapability),
    },
];

impl Culture {
    pub fn from_code(code: &str) -> Option<&'static Culture> {
        CULTURE.iter().find(|c| c.code == code)
    }

    /// A value as a page shows it.
    pub fn show(&self, value: f64) -> String {
        match self.source {
            Source::Workforce(_) => format!("{value:.2}"),
            Source::Survey(_) | Source::SpeakingUp => format!("{value:.1}"),
        }
    }
}

/// An outcome as a sentence says it.
pub fn short(measure: Measure) -> &'static str {
    match measure {
        Measure::CareRating => "care rating",
        Measure::SicknessAbsence => "sickness absence",
        Measure::StaffTurnover => "staff leaving rate",
        Measure::VacancyRate => "vacancy rate",
        Measure::AgencySpend => "spend on agency staff",
        Measure::PatientExperience => "patient survey score",
        Measure::MortalityRatio => "mortality ratio",
        Measure::NeverEvents => "number of never events",
        Measure::Complaints => "complaints rate",
    }
}

/// One organisation's figures for a year: culture in [`CULTURE`] order, outcomes in
/// [`Measure::ALL`] order; `None` where there is no figure or it is hidden.
#[derive(Debug, Clone)]
pub struct Figures {
    pub organisation_id: i64,
    pub ods_code: String,
    pub name: String,
    pub org_type: OrgType,
    pub culture: Vec<Option<f64>>,
    pub outcomes: Vec<Option<f64>>,
}

impl Figures {
    pub fn culture_of(&self, culture: &Culture) -> Option<f64> {
        let i = CULTURE.iter().position(|c| c.code == culture.code)?;
        self.culture.get(i).copied().flatten()
    }

    pub fn outcome_of(&self, measure: Measure) -> Option<f64> {
        let i = Measure::ALL.iter().position(|m| *m == measure)?;
        self.outcomes.get(i).copied().flatten()
    }
}

/// How one culture figure and one outcome relate.
#[derive(Debug, Clone)]
pub struct Relationship {
    pub culture: &'static Culture,
    pub outcome: Measure,
    /// How many organisations have both figures.
    pub organisations: usize,
    /// `None` with fewer than [`MIN_ORGANISATIONS`], or when one side does not vary.
    pub overall: Option<Correlation>,
    /// Within each type of organisation that has both figures.
    pub by_type: Vec<(OrgType, usize, Option<Correlation>)>,
}

/// "weak", "moderate" or "strong", by the size of the coefficient.
pub fn strength(rho: f64) -> &'static str {
    match rho.abs() {
        r if r < 0.3 => "weak",
        r if r < 0.5 => "moderate",
        _ => "strong",
    }
}

impl Relationship {
    /// What this shows, in one line, by fixed rules: a link is named only when its
    /// interval leaves out zero, and is never called a cause.
    pub fn reading(&self) -> String {
        reading(self.culture, self.outcome, self.organisations, self.overall)
    }
}

/// The one-line reading of a coefficient (or of its absence).
pub fn reading(
    culture: &Culture,
    outcome: Measure,
    organisations: usize,
    correlation: Option<Correlation>,
) -> String {
    reading_from(
        culture,
        outcome,
        organisations,
        correlation,
        MIN_ORGANISATIONS,
    )
}

/// The reading an organisation's own view gives: nothing among fewer than
/// [`ORG_VIEW_MINIMUM`] organisations.
pub fn board_reading(
    culture: &Culture,
    outcome: Measure,
    organisations: usize,
    correlation: Option<Correlation>,
) -> String {
    let correlation = correlation.filter(|_| organisations >= ORG_VIEW_MINIMUM);
    reading_from(
        culture,
        outcome,
        organisations,
        correlation,
        ORG_VIEW_MINIMUM,
    )
}

fn reading_from(
    culture: &Culture,
    outcome: Measure,
    organisations: usize,
    correlation: Option<Correlation>,
    minimum: usize,
) -> String {
    match correlation {
        None if organisations < minimum => format!(
            "Too few organisations to say: {organisations} {} both figures and at least {minimum} are needed.",
            if organisations == 1 { "has" } else { "have" }
        ),
        None => "Nothing to say: the figures vary too little across these organisations.".into(),
        Some(c) if !c.excludes_zero() => format!(
            "No clear link across {} organisations: the {} and the {} do not rise and fall together beyond chance.",
            c.organisations,
            culture.short,
            short(outcome)
        ),
        Some(c) => format!(
            "A {} link across {} organisations: where the {} is higher, the {} tends to be {}. This is a link, not proof that one causes the other.",
            strength(c.rho),
            c.organisations,
            culture.short,
            short(outcome),
            if c.rho > 0.0 { "higher" } else { "lower" }
        ),
    }
}

/// Culture beside outcomes across organisations for one year.
#[derive(Debug, Clone)]
pub struct CultureAndCare {
    /// Years with outcomes, newest first.
    pub years: Vec<i64>,
    pub year: i64,
    /// Every organisation with any figure this year, by name.
    pub organisations: Vec<Figures>,
    /// For every culture figure and outcome, culture first.
    pub relationships: Vec<Relationship>,
}

impl CultureAndCare {
    pub fn relationship(&self, culture: &Culture, outcome: Measure) -> Option<&Relationship> {
        self.relationships
            .iter()
            .find(|r| r.culture.code == culture.code && r.outcome == outcome)
    }
}

pub fn may_read_national(session: &CurrentSession) -> bool {
    session.has_platform_role(ANALYSTS)
}

/// Every organisation's culture and outcomes for `year` (the newest year with outcomes if
/// not given), and how they relate. `None` when no outcomes are kept.
pub async fn national(
    ctx: &Context,
    session: &CurrentSession,
    year: Option<i64>,
) -> Result<Option<CultureAndCare>, Error> {
    if !may_read_national(session) {
        return Err(Error::Forbidden);
    }
    across_organisations(ctx, year).await
}

/// A year's figures and relationships, kept with what they were worked out from.
type Worked = (Vec<Figures>, Vec<Relationship>);

/// What a kept year was worked out under: every kept outcome (an import changes it at
/// once) and the day (which closes campaigns and settles years).
type Stamp = (
    Vec<(i64, String, String, u64)>,
    dignity_domain::speakup::Day,
);

/// How long a kept year is used for before it is worked out again, for the changes its
/// stamp does not see (a survey import into a closed campaign, a workforce extract, a
/// case reaching a formal stage). Working a year out reads every organisation's workforce
/// figures and draws every pair's bootstrap, over a second at national scale, so it is
/// not done for every page. (Stamping with the audit log's newest entry was tried: every
/// sign-in and case read moved it, so on a busy installation nothing was ever kept.)
pub const KEEP_SECONDS: i64 = 600;

/// A kept year: its stamp, when it was worked out (seconds) and what was worked out.
type Held = (Stamp, i64, Arc<Worked>);

/// The years worked out, each kept under its stamp for at most [`KEEP_SECONDS`]. A kept
/// year is what a fresh working gave then, so keeping it shows nobody anything new.
#[derive(Default)]
pub struct KeptCulture {
    years: std::sync::Mutex<BTreeMap<i64, Held>>,
}

impl KeptCulture {
    fn get(&self, year: i64, stamp: &Stamp, now: i64) -> Option<Arc<Worked>> {
        let held = crate::survey::cache::lock(&self.years);
        held.get(&year)
            .filter(|(s, at, _)| s == stamp && now - at < KEEP_SECONDS && now >= *at)
            .map(|(_, _, w)| w.clone())
    }

    fn put(&self, year: i64, stamp: Stamp, now: i64, worked: Arc<Worked>) {
        let mut held = crate::survey::cache::lock(&self.years);
        // Years with outcomes are few; any kept under another stamp go.
        held.retain(|_, (s, _, _)| *s == stamp);
        held.insert(year, (stamp, now, worked));
    }
}

/// Every kept outcome as a stamp: organisation, measure, period and the value's bits.
fn stamp_of(kept: &BTreeMap<i64, Vec<Kept>>, today: dignity_domain::speakup::Day) -> Stamp {
    let mut all: Vec<(i64, String, String, u64)> = kept
        .iter()
        .flat_map(|(id, ks)| {
            ks.iter().map(move |k| {
                (
                    *id,
                    k.measure.code().to_owned(),
                    k.period.to_string(),
                    k.value.to_bits(),
                )
            })
        })
        .collect();
    all.sort();
    (all, today)
}

/// [`national`] without asking who reads, for an organisation's own view, which shows no
/// other organisation's name.
async fn across_organisations(
    ctx: &Context,
    year: Option<i64>,
) -> Result<Option<CultureAndCare>, Error> {
    // Read before the figures, so a change while they are worked out is never kept
    // under the stamp from after it.
    let kept = every_kept(&ctx.db).await?;
    let stamp = stamp_of(&kept, ctx.clock.today());
    let now = ctx.clock.now();
    let years = years_of(&kept);
    let year = match year {
        Some(y) if years.contains(&y) => y,
        Some(y) => return Err(Error::NotFound(format!("No outcomes are kept for {y}"))),
        None => match years.first() {
            Some(&y) => y,
            None => return Ok(None),
        },
    };
    let worked = match ctx.culture.get(year, &stamp, now) {
        Some(worked) => worked,
        None => {
            let organisations = figures_for(ctx, &kept, year).await?;
            // Every pair's bootstrap is seconds of work at national scale: off the async
            // threads, in the bounded place for figures, so a reader asking again and
            // again cannot stall other pages.
            let worked = ctx
                .figures
                .run(move || relate(&organisations).map(|r| (organisations, r)))
                .await??;
            let worked = Arc::new(worked);
            ctx.culture.put(year, stamp, now, worked.clone());
            worked
        }
    };
    let (organisations, relationships) = (worked.0.clone(), worked.1.clone());
    Ok(Some(CultureAndCare {
        years,
        year,
        organisations,
        relationships,
    }))
}

/// Every pair's coefficient, overall and within each type of organisation, the culture
/// figures shared between the cores.
fn relate(organisations: &[Figures]) -> Result<Vec<Relationship>, Error> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let share = CULTURE.len().div_ceil(cores.max(1));
    std::thread::scope(|scope| {
        let handles: Vec<_> = CULTURE
            .chunks(share.max(1))
            .map(|cultures| scope.spawn(move || relate_some(organisations, cultures)))
            .collect();
        let mut all = Vec::new();
        for handle in handles {
            all.extend(
                handle
                    .join()
                    .map_err(|_| Error::Internal("working out a relationship failed".into()))?,
            );
        }
        Ok(all)
    })
}

fn relate_some(organisations: &[Figures], cultures: &'static [Culture]) -> Vec<Relationship> {
    let mut relationships = Vec::new();
    for culture in cultures {
        for &outcome in Measure::ALL {
            let pairs: Vec<(OrgType, f64, f64)> = organisations
                .iter()
                .filter_map(|o| Some((o.org_type, o.culture_of(culture)?, o.outcome_of(outcome)?)))
                .collect();
            let (x, y): (Vec<f64>, Vec<f64>) = pairs.iter().map(|p| (p.1, p.2)).unzip();
            let mut by_type = Vec::new();
            for &org_type in OrgType::ALL {
                let (tx, ty): (Vec<f64>, Vec<f64>) = pairs
                    .iter()
                    .filter(|p| p.0 == org_type)
                    .map(|p| (p.1, p.2))
                    .unzip();
                if !tx.is_empty() {
                    by_type.push((org_type, tx.len(), correlate(&tx, &ty)));
                }
            }
            relationships.push(Relationship {
                culture,
                outcome,
                organisations: x.len(),
                overall: correlate(&x, &y),
                by_type,
            });
        }
    }
    relationships
}

/// Every organisation's figures for a calendar year: the survey year that closed in it,
/// the equality standards' year ending in it, and its outcomes.
async fn figures_for(
    ctx: &Context,
    kept: &BTreeMap<i64, Vec<Kept>>,
    year: i64,
) -> Result<Vec<Figures>, Error> {
    let survey = survey_figures(ctx, year).await?;
    let workforce = match ReportingYear::ending(year) {
        Some(y) => match workforce::every_organisation(ctx, Some(y)).await {
            Ok(n) => n,
            // No organisation has staff in post for that year.
            Err(Error::NotFound(_)) => None,
            Err(e) => return Err(e),
        },
        None => None,
    };
    let none = Vec::new();
    let mut figures = Vec::new();
    for organisation in dignity_store::identity::list_organisations(&ctx.db).await? {
        let outcomes: Vec<Option<f64>> = Measure::ALL
            .iter()
            .map(|&m| for_year(kept.get(&organisation.id).unwrap_or(&none), m, year))
            .collect();
        let from_survey = survey.get(&organisation.id);
        let row = workforce
            .as_ref()
            .and_then(|n| n.rows.iter().find(|r| r.ods_code == organisation.ods_code));
        let culture: Vec<Option<f64>> = CULTURE
            .iter()
            .map(|c| match c.source {
                Source::Survey(_) | Source::SpeakingUp => {
                    from_survey.and_then(|s| s.get(c.code).copied())
                }
                Source::Workforce(m) => row
                    .and_then(|r| r.reading(m))
                    .and_then(|d| d.into_value())
                    .map(workforce::Value::number),
            })
            .collect();
        if culture.iter().chain(&outcomes).all(Option::is_none) {
            continue;
        }
        figures.push(Figures {
            organisation_id: organisation.id,
            ods_code: organisation.ods_code.clone(),
            name: organisation.name.clone(),
            org_type: organisation.org_type,
            culture,
            outcomes,
        });
    }
    figures.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(figures)
}

/// Each organisation's shown survey figures for the year, by organisation id and culture
/// code: the oversight indicators as the national oversight page shows them, and the
/// speaking-up index of the campaign counted for it.
async fn survey_figures(
    ctx: &Context,
    year: i64,
) -> Result<BTreeMap<i64, BTreeMap<&'static str, f64>>, Error> {
    let mut found: BTreeMap<i64, BTreeMap<&'static str, f64>> = BTreeMap::new();
    let Some(survey_id) = campaigns::shared_survey(ctx).await? else {
        return Ok(found);
    };
    if !campaigns::years_of(ctx, survey_id).await?.contains(&year) {
        return Ok(found);
    }
    let oversight = crate::survey::compare::oversight(ctx, Some(year)).await?;
    for row in &oversight.rows {
        for (indicator, cell) in oversight.indicators.iter().zip(&row.cells) {
            let Some(position) = &cell.now else { continue };
            let Some(culture) = CULTURE
                .iter()
                .find(|c| c.source == Source::Survey(indicator.item))
            else {
                continue;
            };
            found
                .entry(row.organisation.id)
                .or_default()
                .insert(culture.code, position.standardised.value * 100.0);
        }
    }
    let national = ctx
        .surveys
        .national(ctx, survey_id, year, ctx.clock.today())
        .await?;
    let engine = |e: dignity_engine::columns::EngineError| Error::Internal(e.to_string());
    if let Some(dimension) = national.columns.dim_index("organisation") {
        for (i, organisation) in national.organisations.iter().enumerate() {
            let Ok(value) = u16::try_from(i + 1) else {
                continue;
            };
            let chosen = national
                .columns
                .select(&[(dimension, vec![value])])
                .map_err(engine)?;
            if let Some(index) =
                speaking_up_index(&national.columns, &chosen, ctx.minimums.survey())
                    .map_err(engine)?
                    .into_value()
            {
                found
                    .entry(organisation.id)
                    .or_default()
                    .insert("speaking_up", index);
            }
        }
    }
    Ok(found)
}

/// Fewer organisations than this with a figure (or a pair of figures) and an
/// organisation's own view says nothing about where it sits among them or how they relate.
/// An outside review named other trusts on a view of nine: the quarters of so few are
/// single organisations' figures, and the coefficients of nine pairs, set against the
/// published outcomes, left one way to match them to names.
pub const ORG_VIEW_MINIMUM: usize = 10;

/// Where an organisation's figure comes among every organisation's: its place, and no
/// other organisation's figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// 1 is the highest.
    pub place: usize,
    pub of: usize,
    /// 0 for the lowest place, 1 for the highest.
    pub position: f64,
}

/// Where `own` comes among `values`; `None` with fewer than [`ORG_VIEW_MINIMUM`].
fn spread(values: &[f64], own: f64) -> Option<Spread> {
    let of = values.len();
    if of < ORG_VIEW_MINIMUM {
        return None;
    }
    let place = values.iter().filter(|v| **v > own).count() + 1;
    Some(Spread {
        place,
        of,
        position: (of - place.min(of)) as f64 / (of - 1) as f64,
    })
}

/// One organisation's view: its own figures and where they sit, with no other
/// organisation's figures at all.
#[derive(Debug, Clone)]
pub struct Standing {
    pub years: Vec<i64>,
    pub year: i64,
    pub mine: Option<Figures>,
    /// In [`CULTURE`] order: how each figure spreads across organisations, when this
    /// organisation has it.
    pub culture_spread: Vec<Option<Spread>>,
    /// In [`Measure::ALL`] order.
    pub outcome_spread: Vec<Option<Spread>>,
    pub relationships: Vec<Relationship>,
    /// This organisation's figures in the latest years (at most [`TREND_YEARS`]), newest
    /// first.
    pub trend: Vec<(i64, Figures)>,
}

/// How many years an organisation's own table goes back.
pub const TREND_YEARS: usize = 5;

impl Standing {
    pub fn culture(&self, culture: &Culture) -> Option<Spread> {
        let i = CULTURE.iter().position(|c| c.code == culture.code)?;
        self.culture_spread.get(i).copied().flatten()
    }

    pub fn outcome(&self, measure: Measure) -> Option<Spread> {
        let i = Measure::ALL.iter().position(|m| *m == measure)?;
        self.outcome_spread.get(i).copied().flatten()
    }
}

pub fn may_read(session: &CurrentSession, organisation: &Organisation) -> bool {
    session.has_org_role(&organisation.ods_code, super::READERS)
}

/// An organisation's culture and outcomes over the latest years, and where it sits among
/// every organisation in `year`, for its board and union side.
pub async fn standing(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    year: Option<i64>,
) -> Result<Option<Standing>, Error> {
    if !may_read(session, organisation) {
        return Err(Error::Forbidden);
    }
    standing_of(ctx, organisation, year, TREND_YEARS).await
}

/// [`standing`] without asking who reads it, over at most `trend_years` years: for the
/// board pack, which its own readers' rule guards.
pub(crate) async fn standing_of(
    ctx: &Context,
    organisation: &Organisation,
    year: Option<i64>,
    trend_years: usize,
) -> Result<Option<Standing>, Error> {
    let Some(all) = across_organisations(ctx, year).await? else {
        return Ok(None);
    };
    let mut trend = Vec::new();
    for &y in all
        .years
        .iter()
        .filter(|y| **y <= all.year)
        .take(trend_years)
    {
        let figures = if y == all.year {
            all.organisations.clone()
        } else {
            match across_organisations(ctx, Some(y)).await? {
                Some(other) => other.organisations,
                None => Vec::new(),
            }
        };
        if let Some(mine) = figures
            .into_iter()
            .find(|f| f.organisation_id == organisation.id)
        {
            trend.push((y, mine));
        }
    }
    let mine = all
        .organisations
        .iter()
        .find(|f| f.organisation_id == organisation.id)
        .cloned();
    let culture_spread = CULTURE
        .iter()
        .map(|c| {
            let own = mine.as_ref()?.culture_of(c)?;
            let values: Vec<f64> = all
                .organisations
                .iter()
                .filter_map(|f| f.culture_of(c))
                .collect();
            spread(&values, own)
        })
        .collect();
    let outcome_spread = Measure::ALL
        .iter()
        .map(|&m| {
            let own = mine.as_ref()?.outcome_of(m)?;
            let values: Vec<f64> = all
                .organisations
                .iter()
                .filter_map(|f| f.outcome_of(m))
                .collect();
            spread(&values, own)
        })
        .collect();
    Ok(Some(Standing {
        years: all.years,
        year: all.year,
        mine,
        culture_spread,
        outcome_spread,
        relationships: all.relationships,
        trend,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spread_gives_a_place_but_never_among_few_organisations() {
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        let s = spread(&ten, 8.0).unwrap();
        assert_eq!((s.place, s.of), (3, 10));
        assert!((s.position - 7.0 / 9.0).abs() < 1e-12);
        assert_eq!(spread(&ten, 10.0).unwrap().position, 1.0);
        assert_eq!(spread(&ten, 1.0).unwrap().position, 0.0);
        assert_eq!(spread(&ten[..9], 1.0), None);
    }

    #[test]
    fn every_culture_figure_has_its_own_code() {
        for c in CULTURE {
            assert_eq!(Culture::from_code(c.code).map(|x| x.code), Some(c.code));
        }
    }

    #[test]
    fn readings_name_a_link_only_when_its_interval_leaves_out_zero() {
        let culture = &CULTURE[0];
        let link = Correlation {
            rho: 0.62,
            low: 0.3,
            high: 0.8,
            organisations: 40,
        };
        assert_eq!(
            reading(culture, Measure::SicknessAbsence, 40, Some(link)),
            "A strong link across 40 organisations: where the share of staff harassed by managers is higher, the sickness absence tends to be higher. This is a link, not proof that one causes the other."
        );
        let unclear = Correlation {
            rho: -0.2,
            low: -0.5,
            high: 0.1,
            organisations: 12,
        };
        assert!(
            reading(culture, Measure::SicknessAbsence, 12, Some(unclear))
                .starts_with("No clear link across 12 organisations")
        );
        assert!(reading(culture, Measure::SicknessAbsence, 3, None).starts_with("Too few"));
        assert_eq!(strength(-0.35), "moderate");
        assert_eq!(strength(0.1), "weak");
    }
}
