//! Every organisation's WRES and WDES workforce measures side by side, for national
//! analysts: each with its interval and flag, the median of its benchmark group, and the
//! change since the year before. Every figure is one the organisation's own pages show:
//! each organisation's year is decided by its own disclosure decision, and a median is
//! taken only over figures that decision let out.

use super::standards::{self, ReportingYear, YearFigures};
use crate::Error;
use crate::context::Context;
use crate::identity::{ANALYSTS, CurrentSession};
use dignity_engine::disclosure::Disclosed;
use dignity_engine::workforce::{
    BoardGap, Comparison, Disability, Ethnicity, Group, Indicators, Likelihood, StaffTable,
};
use dignity_store::identity as orgs;
use std::collections::BTreeMap;

/// One measure of the national view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measure {
    /// WRES 1: Black and minority ethnic staff's share of the workforce.
    BmeShare,
    WresAppointment,
    WresDisciplinary,
    WresTraining,
    /// WRES 9: the voting board's BME share less the workforce's, in points.
    BmeBoardGap,
    /// WDES 1: disabled staff's share of the workforce.
    DisabledShare,
    WdesAppointment,
    WdesCapability,
    /// WDES 10: the voting board's disabled share less the workforce's, in points.
    DisabledBoardGap,
}

impl Measure {
    pub const WRES: [Measure; 5] = [
        Measure::BmeShare,
        Measure::WresAppointment,
        Measure::WresDisciplinary,
        Measure::WresTraining,
        Measure::BmeBoardGap,
    ];
    pub const WDES: [Measure; 4] = [
        Measure::DisabledShare,
        Measure::WdesAppointment,
        Measure::WdesCapability,
        Measure::DisabledBoardGap,
    ];

    pub fn all() -> impl Iterator<Item = Measure> {
        Measure::WRES.into_iter().chain(Measure::WDES)
    }

    /// The code in addresses and downloads.
    pub fn code(self) -> &'static str {
        match self {
            Measure::BmeShare => "wres1",
            Measure::WresAppointment => "wres2",
            Measure::WresDisciplinary => "wres3",
            Measure::WresTraining => "wres4",
            Measure::BmeBoardGap => "wres9",
            Measure::DisabledShare => "wdes1",
            Measure::WdesAppointment => "wdes2",
            Measure::WdesCapability => "wdes3",
            Measure::DisabledBoardGap => "wdes10",
        }
    }

    pub fn from_code(code: &str) -> Option<Measure> {
        Measure::all().find(|m| m.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Measure::BmeShare => "WRES 1: BME share of staff",
            Measure::WresAppointment => "WRES 2: white applicants appointed (likelihood)",
            Measure::WresDisciplinary => "WRES 3: BME staff into disciplinary (likelihood)",
            Measure::WresTraining => "WRES 4: white staff taking up training (likelihood)",
            Measure::BmeBoardGap => "WRES 9: voting board BME share less staff (points)",
            Measure::DisabledShare => "WDES 1: disabled share of staff",
            Measure::WdesAppointment => "WDES 2: non-disabled applicants appointed (likelihood)",
            Measure::WdesCapability => "WDES 3: disabled staff into capability (likelihood)",
            Measure::DisabledBoardGap => "WDES 10: voting board disabled share less staff (points)",
        }
    }
}

/// One organisation's figure for one measure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Likelihood(Likelihood),
    /// 0 to 1.
    Share(f64),
    /// Percentage points.
    Points(f64),
}

impl Value {
    /// The number a median and a change are taken over (a share in percent).
    pub fn number(self) -> f64 {
        match self {
            Value::Likelihood(l) => l.value,
            Value::Share(s) => s * 100.0,
            Value::Points(p) => p,
        }
    }
}

/// A measure for one organisation: `None` where its extracts do not give it (no
/// recruitment file, say); hidden where its counts are too small.
pub type Reading = Option<Disclosed<Value>>;

#[derive(Debug, Clone)]
pub struct Row {
    pub ods_code: String,
    pub name: String,
    pub benchmark_group: String,
    /// In [`Measure::all`] order.
    pub this_year: Vec<Reading>,
    pub year_before: Vec<Reading>,
}

impl Row {
    pub fn reading(&self, measure: Measure) -> Reading {
        position(measure).and_then(|i| self.this_year.get(i).copied().flatten())
    }

    pub fn before(&self, measure: Measure) -> Reading {
        position(measure).and_then(|i| self.year_before.get(i).copied().flatten())
    }

    /// This year's figure less the year before's, when both are shown.
    pub fn change(&self, measure: Measure) -> Option<f64> {
        let now = self.reading(measure)?.into_value()?;
        let then = self.before(measure)?.into_value()?;
        Some(now.number() - then.number())
    }
}

fn position(measure: Measure) -> Option<usize> {
    Measure::all().position(|m| m == measure)
}

#[derive(Debug, Clone)]
pub struct National {
    pub year: ReportingYear,
    /// Every year any organisation has staff in post for, newest first.
    pub years: Vec<ReportingYear>,
    /// By name.
    pub rows: Vec<Row>,
    /// Each benchmark group's median of the shown figures, per measure.
    pub medians: BTreeMap<String, Vec<Option<f64>>>,
}

impl National {
    pub fn median(&self, group: &str, measure: Measure) -> Option<f64> {
        position(measure).and_then(|i| self.medians.get(group)?.get(i).copied().flatten())
    }
}

pub fn may_read(session: &CurrentSession) -> bool {
    session.has_platform_role(ANALYSTS)
}

/// Every organisation's measures for `year` (the newest year any organisation has, if
/// not given). `None` when no organisation has imported staff in post.
pub async fn national(
    ctx: &Context,
    session: &CurrentSession,
    year: Option<ReportingYear>,
) -> Result<Option<National>, Error> {
    if !may_read(session) {
        return Err(Error::Forbidden);
    }
    every_organisation(ctx, year).await
}

/// [`national`] without asking who reads: for use-cases that publish less than the table
/// (an organisation's place among the rest, with no other names), and check their own
/// readers.
pub(crate) async fn every_organisation(
    ctx: &Context,
    year: Option<ReportingYear>,
) -> Result<Option<National>, Error> {
    let organisations = orgs::list_organisations(&ctx.db).await?;
    // Every organisation's records read with a few queries, not a handful each.
    let ids: Vec<i64> = organisations.iter().map(|o| o.id).collect();
    let counted =
        standards::every_year_counted_all(&ctx.db, &ctx.secret, &ids, ctx.clock.today()).await?;
    let decided = standards::decide_all(counted, ctx.minimums.workforce()).await?;
    let every: Vec<(orgs::Organisation, Vec<YearFigures>)> =
        organisations.into_iter().zip(decided).collect();
    let mut years: Vec<ReportingYear> = every
        .iter()
        .flat_map(|(_, ys)| ys.iter().map(|y| y.year))
        .collect();
    years.sort_by(|a, b| b.cmp(a));
    years.dedup();
    let chosen = match year {
        Some(y) if years.contains(&y) => y,
        Some(y) => {
            return Err(Error::NotFound(format!(
                "No organisation has figures for {}",
                y.label()
            )));
        }
        None => match years.first() {
            Some(&y) => y,
            None => return Ok(None),
        },
    };
    let readings = |figures: &[YearFigures], year: ReportingYear| -> Vec<Reading> {
        let found = figures.iter().find(|f| f.year == year);
        Measure::all()
            .map(|m| found.and_then(|f| reading(&f.indicators, m)))
            .collect()
    };
    let mut rows: Vec<Row> = every
        .iter()
        .filter(|(_, figures)| figures.iter().any(|f| f.year == chosen))
        .map(|(organisation, figures)| Row {
            ods_code: organisation.ods_code.clone(),
            name: organisation.name.clone(),
            benchmark_group: organisation.benchmark_group.clone(),
            this_year: readings(figures, chosen),
            year_before: readings(figures, chosen.before()),
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    let medians = medians(&rows);
    Ok(Some(National {
        year: chosen,
        years,
        rows,
        medians,
    }))
}

fn medians(rows: &[Row]) -> BTreeMap<String, Vec<Option<f64>>> {
    let mut by_group: BTreeMap<String, Vec<&Row>> = BTreeMap::new();
    for row in rows {
        by_group
            .entry(row.benchmark_group.clone())
            .or_default()
            .push(row);
    }
    by_group
        .into_iter()
        .map(|(group, rows)| {
            let per_measure = Measure::all()
                .map(|m| {
                    let mut shown: Vec<f64> = rows
                        .iter()
                        .filter_map(|r| r.reading(m)?.into_value())
                        .map(Value::number)
                        .collect();
                    median(&mut shown)
                })
                .collect();
            (group, per_measure)
        })
        .collect()
}

/// The middle value, or the mean of the middle two.
fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => values.get(n / 2).copied(),
        _ => Some((values.get(n / 2 - 1)? + values.get(n / 2)?) / 2.0),
    }
}

fn reading(indicators: &Indicators, measure: Measure) -> Reading {
    match measure {
        Measure::BmeShare => Some(share_of(&indicators.wres.staff, Ethnicity::Bme)),
        Measure::WresAppointment => likelihood_of(&indicators.wres.appointment),
        Measure::WresDisciplinary => likelihood_of(&indicators.wres.disciplinary),
        Measure::WresTraining => likelihood_of(&indicators.wres.training),
        Measure::BmeBoardGap => gap(indicators.wres.board.as_ref(), Ethnicity::Bme),
        Measure::DisabledShare => Some(share_of(&indicators.wdes.staff, Disability::Disabled)),
        Measure::WdesAppointment => likelihood_of(&indicators.wdes.appointment),
        Measure::WdesCapability => likelihood_of(&indicators.wdes.capability),
        Measure::DisabledBoardGap => gap(indicators.wdes.board.as_ref(), Disability::Disabled),
    }
}

fn likelihood_of<G: Group>(c: &Option<Comparison<G>>) -> Reading {
    c.as_ref().map(|c| c.likelihood.map(Value::Likelihood))
}

fn share_of<K, G: Group>(table: &StaffTable<K, G>, group: G) -> Disclosed<Value> {
    table
        .workforce
        .get(group)
        .map_or_else(Disclosed::hidden, |g| g.share.map(Value::Share))
}

fn gap<G: Group>(board: Option<&BoardGap<G>>, group: G) -> Reading {
    let board = board?;
    Some(
        board
            .voting
            .get(group)
            .map_or_else(Disclosed::hidden, |g| g.gap_points.map(Value::Points)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_median_is_the_middle_or_the_mean_of_the_middle_two() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }

    #[test]
    fn every_measure_has_a_code_of_its_own() {
        for m in Measure::all() {
            assert_eq!(Measure::from_code(m.code()), Some(m));
        }
        assert_eq!(Measure::all().count(), 9);
    }
}
