//! The pack's race and disability equality: the workforce measures of the Workforce Race
//! Equality Standard (WRES) and the Workforce Disability Equality Standard (WDES) for the
//! newest reporting year that had ended by the end of the quarter, with the year before
//! beside each. Every figure is one the organisation's equality pages show, decided by the
//! same disclosure decision (`workforce::standards`); a figure they hide is hidden here in
//! the words they use.

use super::{PackTable, Section};
use crate::identity::Organisation;
use crate::table::{Cell, Table};
use crate::workforce::national::{Measure, Value};
use crate::workforce::standards::{self, ReportingYear, Standards, YearFigures};
use crate::{Context, Error};
use dignity_domain::speakup_returns::Quarter;
use dignity_engine::disclosure::{Disclosed, Figure};
use dignity_engine::workforce::{
    BoardGap, Comparison, Disability, Ethnicity, Group, Hidden, Indicators, StaffTable,
};

const KEY: &str = "equality";
const TITLE: &str = "Race and disability equality";

/// What a cell says where the year's extracts do not give a measure at all.
const NO_FIGURE: &str = "No figure";

pub(super) async fn section(
    ctx: &Context,
    organisation: &Organisation,
    quarter: Quarter,
) -> Result<Section, Error> {
    let mut section = Section::new(KEY, TITLE);
    // Every quarter of a calendar year ends after 31 March of that year, and none ends
    // after the next: the newest reporting year ended by the quarter's end is that one.
    let year = ReportingYear::ending(quarter.year)
        .ok_or_else(|| Error::Internal(format!("no reporting year ends in {}", quarter.year)))?;
    if !year.settled_by(ctx.clock.today()) {
        section.reading = format!(
            "The {} measures are shown once the year has settled, on {}.",
            year.label(),
            year.cases_counted_from()
                .map(|d| d.long())
                .unwrap_or_default()
        );
        return Ok(section);
    }
    let Some(found) = standards_for(ctx, organisation, year).await? else {
        section.reading = format!(
            "No staff-in-post extract for {} has been imported, so there are no race or \
             disability measures to show for that year.",
            year.label()
        );
        return Ok(section);
    };
    let this = &found.this_year;
    let before = found.year_before.as_ref();
    let race = rows(&Measure::WRES, this, before);
    let disability = rows(&Measure::WDES, this, before);
    let compared: Vec<Compared> = race.iter().chain(&disability).map(Row::compared).collect();
    section.reading = reading(year, &compared);
    let before_year = year.before();
    section.tables.push(PackTable {
        caption: format!(
            "Workforce Race Equality Standard (WRES), {} and {}. BME means Black and minority \
             ethnic. A likelihood of 1.00 means equal; above 1.00, the first group named was \
             more likely.",
            year.label(),
            before_year.label()
        ),
        table: table("equality-race", year, &race),
    });
    section.tables.push(PackTable {
        caption: format!(
            "Workforce Disability Equality Standard (WDES), {} and {}. A likelihood of 1.00 \
             means equal; above 1.00, the first group named was more likely.",
            year.label(),
            before_year.label()
        ),
        table: table("equality-disability", year, &disability),
    });
    section.notes = notes(this, before, before_year);
    Ok(section)
}

/// The measures of `year` with the year before, as the equality pages decide them; `None`
/// when `year` has no staff-in-post extract. One read when `year` is the newest.
async fn standards_for(
    ctx: &Context,
    organisation: &Organisation,
    year: ReportingYear,
) -> Result<Option<Standards>, Error> {
    let Some(newest) = standards::standards_of(ctx, organisation, None).await? else {
        return Ok(None);
    };
    if newest.this_year.year == year {
        return Ok(Some(newest));
    }
    if !newest.years.contains(&year) {
        return Ok(None);
    }
    standards::standards_of(ctx, organisation, Some(year)).await
}

/// How a measure is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A group's share of the staff, in per cent: neither way is better.
    Share,
    /// A relative likelihood: 1 is equal.
    Likelihood,
    /// A group's share of the voting board less its share of the staff, in percentage
    /// points: 0 is equal.
    Points,
}

fn kind(measure: Measure) -> Kind {
    match measure {
        Measure::BmeShare | Measure::DisabledShare => Kind::Share,
        Measure::BmeBoardGap | Measure::DisabledBoardGap => Kind::Points,
        Measure::WresAppointment
        | Measure::WresDisciplinary
        | Measure::WresTraining
        | Measure::WdesAppointment
        | Measure::WdesCapability => Kind::Likelihood,
    }
}

/// The standard's own name for the measure, as readings name it.
fn code(measure: Measure) -> &'static str {
    match measure {
        Measure::BmeShare => "WRES 1",
        Measure::WresAppointment => "WRES 2",
        Measure::WresDisciplinary => "WRES 3",
        Measure::WresTraining => "WRES 4",
        Measure::BmeBoardGap => "WRES 9",
        Measure::DisabledShare => "WDES 1",
        Measure::WdesAppointment => "WDES 2",
        Measure::WdesCapability => "WDES 3",
        Measure::DisabledBoardGap => "WDES 10",
    }
}

/// What the measure is, in a table's first column.
fn label(measure: Measure) -> &'static str {
    match measure {
        Measure::BmeShare => "WRES 1: share of staff who are BME",
        Measure::WresAppointment => {
            "WRES 2: how likely white applicants were to be appointed from a shortlist, \
             against BME applicants"
        }
        Measure::WresDisciplinary => {
            "WRES 3: how likely BME staff were to enter the formal disciplinary process, \
             against white staff"
        }
        Measure::WresTraining => {
            "WRES 4: how likely white staff were to take up training that is not mandatory, \
             against BME staff"
        }
        Measure::BmeBoardGap => {
            "WRES 9: BME share of the voting board, less their share of staff (points)"
        }
        Measure::DisabledShare => "WDES 1: share of staff who are disabled",
        Measure::WdesAppointment => {
            "WDES 2: how likely applicants who are not disabled were to be appointed from a \
             shortlist, against disabled applicants"
        }
        Measure::WdesCapability => {
            "WDES 3: how likely disabled staff were to enter the formal capability process, \
             against staff who are not disabled"
        }
        Measure::DisabledBoardGap => {
            "WDES 10: disabled share of the voting board, less their share of staff (points)"
        }
    }
}

/// One year's figure for a measure: `None` where the year's extracts do not give it (no
/// recruitment extract, say), with the words the equality page shows when it is hidden.
#[derive(Debug, Clone, Copy)]
struct YearValue {
    value: Option<Disclosed<Value>>,
    hidden: &'static str,
}

/// The words the equality page shows in place of a hidden likelihood.
fn hidden_likelihood(why: Option<Hidden>) -> &'static str {
    match why {
        Some(Hidden::NoOneInAGroup) => "Not worked out: one of the two groups has nobody in it",
        Some(Hidden::NoneInEitherGroup) => "Not worked out: it happened to nobody in either group",
        Some(Hidden::MoreThanTheGroup) => {
            "Not worked out: more people are counted than the group has, because people who \
             left during the year are counted too"
        }
        Some(Hidden::SmallNumbers) | None => "Hidden: a count it is made from is too small to show",
    }
}

fn year_value(indicators: &Indicators, measure: Measure) -> YearValue {
    fn share<K, G: Group>(table: &StaffTable<K, G>, group: G) -> YearValue {
        YearValue {
            value: Some(
                table
                    .workforce
                    .get(group)
                    .map_or_else(Disclosed::hidden, |g| g.share.map(Value::Share)),
            ),
            hidden: "hidden",
        }
    }
    fn likelihood<G: Group>(comparison: Option<&Comparison<G>>) -> YearValue {
        YearValue {
            value: comparison.map(|c| c.likelihood.map(Value::Likelihood)),
            hidden: hidden_likelihood(comparison.and_then(|c| c.hidden_because)),
        }
    }
    fn gap<G: Group>(board: Option<&BoardGap<G>>, group: G) -> YearValue {
        YearValue {
            value: board.map(|b| {
                b.voting
                    .get(group)
                    .map_or_else(Disclosed::hidden, |g| g.gap_points.map(Value::Points))
            }),
            hidden: "hidden",
        }
    }
    let (wres, wdes) = (&indicators.wres, &indicators.wdes);
    match measure {
        Measure::BmeShare => share(&wres.staff, Ethnicity::Bme),
        Measure::WresAppointment => likelihood(wres.appointment.as_ref()),
        Measure::WresDisciplinary => likelihood(wres.disciplinary.as_ref()),
        Measure::WresTraining => likelihood(wres.training.as_ref()),
        Measure::BmeBoardGap => gap(wres.board.as_ref(), Ethnicity::Bme),
        Measure::DisabledShare => share(&wdes.staff, Disability::Disabled),
        Measure::WdesAppointment => likelihood(wdes.appointment.as_ref()),
        Measure::WdesCapability => likelihood(wdes.capability.as_ref()),
        Measure::DisabledBoardGap => gap(wdes.board.as_ref(), Disability::Disabled),
    }
}

/// The number as the table writes it, without its unit: a likelihood to two places, a
/// share (in per cent) and points to one, points with their sign.
fn number_text(value: Value) -> String {
    match value {
        Value::Likelihood(l) => format!("{:.2}", l.value),
        Value::Share(s) => format!("{:.1}", s * 100.0),
        Value::Points(p) => format!("{p:+.1}"),
    }
}

/// The figure as the table writes it: as [`number_text`], a share with a per cent sign.
fn written(value: Value) -> String {
    match value {
        Value::Share(_) => format!("{}%", number_text(value)),
        _ => number_text(value),
    }
}

/// One year's figure as the reading sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shown {
    /// The year's extracts do not give it.
    Missing,
    /// The disclosure decision holds it back, or it could not be worked out.
    Hidden,
    /// The number exactly as the table writes it (rounded as shown).
    Value(f64),
}

impl YearValue {
    fn cell(&self) -> Cell {
        match self.value {
            None => Cell::words(NO_FIGURE),
            Some(value) => Cell::from(Figure::of(value, written, self.hidden)),
        }
    }

    /// Only what the cell shows: the number is read back from the cell's own words, so
    /// the reading can never use more than the table gives.
    fn shown(&self) -> Shown {
        match self.value {
            None => Shown::Missing,
            Some(value) => match value.value() {
                None => Shown::Hidden,
                Some(&v) => number_text(v).parse().map_or(Shown::Hidden, Shown::Value),
            },
        }
    }
}

/// One measure's row: this year and the year before.
struct Row {
    measure: Measure,
    this_year: YearValue,
    year_before: YearValue,
}

impl Row {
    fn compared(&self) -> Compared {
        Compared {
            measure: self.measure,
            now: self.this_year.shown(),
            before: self.year_before.shown(),
        }
    }
}

fn rows(measures: &[Measure], this: &YearFigures, before: Option<&YearFigures>) -> Vec<Row> {
    let none = YearValue {
        value: None,
        hidden: "hidden",
    };
    measures
        .iter()
        .map(|&measure| Row {
            measure,
            this_year: year_value(&this.indicators, measure),
            year_before: before.map_or(none, |b| year_value(&b.indicators, measure)),
        })
        .collect()
}

fn table(name: &str, year: ReportingYear, rows: &[Row]) -> Table {
    Table {
        name: name.into(),
        header: vec![
            "Measure".into(),
            year.label(),
            year.before().label(),
            "Change".into(),
        ],
        rows: rows
            .iter()
            .map(|row| {
                let c = row.compared();
                vec![
                    Cell::words(label(row.measure)),
                    row.this_year.cell(),
                    row.year_before.cell(),
                    Cell::words(change(kind(c.measure), c.now, c.before)),
                ]
            })
            .collect(),
    }
}

/// This year's figure against last year's, from the two as the table writes them: "Up
/// 0.12", "Down 1.5 points" (a share or a board's difference moves in points), "No
/// change"; blank unless both are shown.
fn change(kind: Kind, now: Shown, before: Shown) -> String {
    let (Shown::Value(now), Shown::Value(before)) = (now, before) else {
        return String::new();
    };
    let by = now - before;
    let size = match kind {
        Kind::Likelihood => format!("{:.2}", by.abs()),
        Kind::Share | Kind::Points => format!("{:.1}", by.abs()),
    };
    if size.bytes().all(|b| b == b'0' || b == b'.') {
        return "No change".into();
    }
    let unit = match kind {
        Kind::Likelihood => "",
        Kind::Share | Kind::Points => " points",
    };
    let way = if by > 0.0 { "Up" } else { "Down" };
    format!("{way} {size}{unit}")
}

/// A measure as the reading sees it: which measure, and each year's figure only as the
/// table shows it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Compared {
    measure: Measure,
    now: Shown,
    before: Shown,
}

/// How far a shown figure is from equal: for a likelihood, how far it is from 1 as a
/// ratio (2.00 and 0.50 are as far as each other); for a board's difference, its size in
/// points. A likelihood of 0.00 is as far as can be. A share of staff has no equal
/// point, so it has none.
fn distance(kind: Kind, value: f64) -> Option<f64> {
    match kind {
        Kind::Likelihood if value > 0.0 => Some(value.ln().abs()),
        Kind::Likelihood => Some(f64::INFINITY),
        Kind::Share => None,
        Kind::Points => Some(value.abs()),
    }
}

/// The usual range of a likelihood treated as no real difference, inclusive, as written.
const USUAL_LIKELIHOOD: (f64, f64) = (0.80, 1.25);

/// A board's difference, in points, beyond which the reading names it.
const BOARD_GAP_POINTS: f64 = 10.0;

/// A likelihood in plain words, to go before and after "{n} times as likely as": the
/// group named first, the group it is set against, and what happened.
fn likelihood_words(measure: Measure) -> Option<(&'static str, &'static str, &'static str)> {
    match measure {
        Measure::WresAppointment => Some((
            "white applicants",
            "BME applicants",
            "to be appointed from a shortlist",
        )),
        Measure::WresDisciplinary => Some((
            "BME staff",
            "white staff",
            "to enter the formal disciplinary process",
        )),
        Measure::WresTraining => Some((
            "white staff",
            "BME staff",
            "to take up training that is not mandatory",
        )),
        Measure::WdesAppointment => Some((
            "applicants who are not disabled",
            "disabled applicants",
            "to be appointed from a shortlist",
        )),
        Measure::WdesCapability => Some((
            "disabled staff",
            "staff who are not disabled",
            "to enter the formal capability process",
        )),
        Measure::BmeShare
        | Measure::DisabledShare
        | Measure::BmeBoardGap
        | Measure::DisabledBoardGap => None,
    }
}

/// Whose share of the voting board a board's difference is.
fn board_words(measure: Measure) -> Option<&'static str> {
    match measure {
        Measure::BmeBoardGap => Some("BME"),
        Measure::DisabledBoardGap => Some("disabled"),
        _ => None,
    }
}

/// The reading: what this year's shown figures say, then how they stand against last
/// year's. One or two sentences.
///
/// Rules, using only the figures the tables show (a hidden figure is never looked at, only
/// known to be hidden); a figure is read as the table writes it:
/// - Only the likelihoods (WRES 2, 3 and 4, WDES 2 and 3) and the board's differences
///   (WRES 9, WDES 10) are read: a share of staff is neither better nor worse.
/// - This year: each shown likelihood outside 0.80 to 1.25 is named in plain words, the
///   furthest from 1.00 first (see [`distance`]; the table's order on a tie), at most two,
///   then how many more there are; then each shown board difference beyond 10 points,
///   the largest first. If none is, it says every one shown is inside those; if none is
///   shown, it says so. See [`this_year`].
/// - Against last year, a measure is compared when both years' figures are shown. It is
///   "further from equal" when this year's figure is further from equal than last year's;
///   a figure the same distance away is not. Some compared: name those further from
///   equal, or say none is, out of how many.
/// - None compared: say how many have no figure for a year (nothing was imported; last
///   year first) and how many are hidden, so they cannot be compared.
/// - No likelihood or board difference at all: say there is nothing to compare.
fn reading(year: ReportingYear, measures: &[Compared]) -> String {
    let comparable: Vec<&Compared> = measures
        .iter()
        .filter(|m| distance(kind(m.measure), 1.0).is_some())
        .collect();
    if comparable.is_empty() {
        return "No measure has figures for both this year and last year, so there is nothing \
                to compare yet."
            .into();
    }
    let now = this_year(year, &comparable);
    let against = against_last_year(year, &comparable);
    format!("{now} {against}")
}

/// The sentence on this year's shown figures (see [`reading`]).
fn this_year(year: ReportingYear, comparable: &[&Compared]) -> String {
    let year = year.label();
    let shown: Vec<(Measure, f64)> = comparable
        .iter()
        .filter_map(|m| match m.now {
            Shown::Value(v) => Some((m.measure, v)),
            Shown::Missing | Shown::Hidden => None,
        })
        .collect();
    let (low, high) = USUAL_LIKELIHOOD;
    let mut unusual: Vec<(Measure, f64, f64)> = shown
        .iter()
        .filter(|(m, v)| kind(*m) == Kind::Likelihood && !(low..=high).contains(v))
        .filter_map(|&(m, v)| Some((m, v, distance(Kind::Likelihood, v)?)))
        .collect();
    unusual.sort_by(|a, b| b.2.total_cmp(&a.2));
    let mut gaps: Vec<(Measure, f64)> = shown
        .iter()
        .filter(|(m, v)| kind(*m) == Kind::Points && v.abs() > BOARD_GAP_POINTS)
        .copied()
        .collect();
    gaps.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    let mut clauses: Vec<String> = Vec::new();
    for (i, (measure, value, _)) in unusual.iter().take(2).enumerate() {
        let Some((first, against, what)) = likelihood_words(*measure) else {
            continue;
        };
        let equal = if i == 0 { " (1.00 is equal)" } else { "" };
        clauses.push(format!(
            "{first} were {value:.2} times as likely as {against} {what}{equal}"
        ));
    }
    match unusual.len().saturating_sub(2) {
        0 => {}
        1 => clauses.push("1 more likelihood is also outside 0.80 to 1.25".into()),
        n => clauses.push(format!(
            "{n} more likelihoods are also outside 0.80 to 1.25"
        )),
    }
    for (measure, value) in &gaps {
        let Some(whose) = board_words(*measure) else {
            continue;
        };
        let way = if *value < 0.0 { "below" } else { "above" };
        clauses.push(format!(
            "the {whose} share of the voting board was {:.1} points {way} their share of staff",
            value.abs()
        ));
    }
    if !clauses.is_empty() {
        return format!("In {year}, {}.", joined(&clauses));
    }
    let likelihoods = shown.iter().any(|(m, _)| kind(*m) == Kind::Likelihood);
    let boards = shown.iter().any(|(m, _)| kind(*m) == Kind::Points);
    match (likelihoods, boards) {
        (true, true) => format!(
            "In {year}, every likelihood shown is between 0.80 and 1.25, and every share of \
             the voting board shown is within 10 points of the share of staff."
        ),
        (true, false) => format!("In {year}, every likelihood shown is between 0.80 and 1.25."),
        (false, true) => {
            format!(
                "In {year}, every share of the voting board shown is within 10 points of the \
                 share of staff."
            )
        }
        (false, false) => {
            format!("No likelihood or share of the voting board is shown for {year}.")
        }
    }
}

/// The sentence on this year against last year (see [`reading`]).
fn against_last_year(year: ReportingYear, comparable: &[&Compared]) -> String {
    let both: Vec<(&str, f64, f64)> = comparable
        .iter()
        .filter_map(|m| match (m.now, m.before) {
            (Shown::Value(now), Shown::Value(before)) => {
                let kind = kind(m.measure);
                Some((
                    code(m.measure),
                    distance(kind, now)?,
                    distance(kind, before)?,
                ))
            }
            _ => None,
        })
        .collect();
    if both.is_empty() {
        return not_compared(year, comparable);
    }
    let further: Vec<&str> = both
        .iter()
        .filter(|(_, now, before)| *now > *before + 1e-9)
        .map(|(code, _, _)| *code)
        .collect();
    let n = both.len();
    match (further.as_slice(), n) {
        ([], 1) => {
            "The one measure shown for both years is no further from equal than last year.".into()
        }
        ([], n) => format!(
            "None of the {n} measures shown for both years is further from equal than last \
             year."
        ),
        ([one], 1) => format!("{one} is further from equal than last year."),
        ([one], n) => format!(
            "{one} is further from equal than last year, of the {n} measures shown for both \
             years."
        ),
        (many, n) => format!(
            "{} are further from equal than last year, of the {n} measures shown for both \
             years.",
            listed(many)
        ),
    }
}

/// Why no measure can be set beside last year: how many have no figure for last year, how
/// many none for this year, and how many are hidden (in that order).
fn not_compared(year: ReportingYear, comparable: &[&Compared]) -> String {
    let count = |f: fn(&Compared) -> bool| comparable.iter().filter(|m| f(m)).count();
    let no_before = count(|m| m.before == Shown::Missing);
    let no_now = count(|m| m.before != Shown::Missing && m.now == Shown::Missing);
    let hidden = count(|m| {
        m.now != Shown::Missing
            && m.before != Shown::Missing
            && (m.now == Shown::Hidden || m.before == Shown::Hidden)
    });
    let total = no_before + no_now + hidden;
    let mut parts: Vec<String> = Vec::new();
    for (n, label) in [(no_before, year.before().label()), (no_now, year.label())] {
        if n == 0 {
            continue;
        }
        let has = if parts.is_empty() {
            let measures = if n == 1 {
                "measure has"
            } else {
                "measures have"
            };
            format!("{n} {measures}")
        } else {
            format!("{n} {}", if n == 1 { "has" } else { "have" })
        };
        parts.push(format!("{has} no figure for {label}"));
    }
    if hidden > 0 {
        let verb = match (parts.is_empty(), hidden) {
            (true, 1) => "measure is",
            (true, _) => "measures are",
            (false, 1) => "is",
            (false, _) => "are",
        };
        parts.push(format!("{hidden} {verb} hidden"));
    }
    if parts.is_empty() {
        return "No measure can be set beside last year.".into();
    }
    let them = if total == 1 { "it" } else { "they" };
    format!(
        "{}, so {them} cannot be compared with last year.",
        listed(&parts.iter().map(String::as_str).collect::<Vec<_>>())
    )
}

/// "a", "a and b", "a, b and c".
fn listed(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Clauses that are whole sentences in themselves: "a", "a, and b", "a, b, and c".
fn joined(clauses: &[String]) -> String {
    match clauses {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

/// What the figures rest on, and why any are missing.
fn notes(
    this: &YearFigures,
    before: Option<&YearFigures>,
    before_year: ReportingYear,
) -> Vec<String> {
    let mut notes = vec![
        "A change is given only where both years have a figure to show. \"No figure\" means \
         the extract the measure needs was not imported for that year."
            .to_owned(),
    ];
    if before.is_none() {
        notes.push(format!(
            "There is no staff-in-post extract for {}, so there is nothing to set beside this \
             year's figures.",
            before_year.label()
        ));
    }
    let two_years = [
        this.indicators.wres.disciplinary.as_ref().map(|c| c.years),
        this.indicators.wdes.capability.as_ref().map(|c| c.years),
    ]
    .contains(&Some(2));
    if two_years {
        notes.push(
            "As the standards ask, WRES 3 and WDES 3 cover two years where two are known."
                .to_owned(),
        );
    }
    if let Some(from) = this.sources.cases_counted_from {
        notes.push(format!(
            "No counts of staff entering formal processes were imported for {}. Its WRES 3 and \
             WDES 3 will be counted from employee relations cases on {}, a month after the \
             year ends.",
            this.year.label(),
            from.long()
        ));
    }
    if this.indicators.withheld_everything {
        notes.push(format!(
            "Every count for {} is held back, to protect people in small groups.",
            this.year.label()
        ));
    }
    for problem in &this.problems {
        notes.push(format!("Left out of {}: {problem}.", this.year.label()));
    }
    notes.push(
        "The standards' measures from the staff survey (WRES 5 to 8 and WDES 4 to 9) are not \
         in these tables."
            .to_owned(),
    );
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    use Measure::*;

    fn m(measure: Measure, now: Shown, before: Shown) -> Compared {
        Compared {
            measure,
            now,
            before,
        }
    }

    fn year() -> ReportingYear {
        ReportingYear::ending(2026).unwrap()
    }

    const V: fn(f64) -> Shown = Shown::Value;
    const HIDDEN: Shown = Shown::Hidden;
    const MISSING: Shown = Shown::Missing;

    #[test]
    fn the_reading_names_what_moved_further_from_equal() {
        let measures = [
            m(WresDisciplinary, V(1.80), V(1.50)),
            // 0.50 is as far from equal as 2.00: closer than 0.40 was.
            m(WresAppointment, V(0.50), V(0.40)),
            m(BmeBoardGap, V(-6.0), V(4.0)),
            // A share is never read, however far it moves.
            m(BmeShare, V(30.0), V(10.0)),
            // Hidden last year: not compared, but this year's is read.
            m(WdesCapability, V(3.0), HIDDEN),
        ];
        assert_eq!(
            reading(year(), &measures),
            "In 2025/26, disabled staff were 3.00 times as likely as staff who are not \
             disabled to enter the formal capability process (1.00 is equal), white \
             applicants were 0.50 times as likely as BME applicants to be appointed from a \
             shortlist, and 1 more likelihood is also outside 0.80 to 1.25. WRES 3 and WRES 9 \
             are further from equal than last year, of the 3 measures shown for both years."
        );
        let some: Vec<&Compared> = measures.iter().collect();
        assert_eq!(
            against_last_year(year(), &some[..2]),
            "WRES 3 is further from equal than last year, of the 2 measures shown for both years."
        );
        assert_eq!(
            against_last_year(year(), &some[..1]),
            "WRES 3 is further from equal than last year."
        );
    }

    #[test]
    fn the_reading_says_when_nothing_moved_further() {
        let same_distance = [
            // 0.80 and 1.25 are as far from equal as each other, and inside the usual range.
            m(WdesAppointment, V(1.25), V(0.80)),
            m(WresTraining, V(1.00), V(1.10)),
        ];
        assert_eq!(
            reading(year(), &same_distance),
            "In 2025/26, every likelihood shown is between 0.80 and 1.25. None of the 2 \
             measures shown for both years is further from equal than last year."
        );
        assert_eq!(
            reading(year(), &same_distance[..1]),
            "In 2025/26, every likelihood shown is between 0.80 and 1.25. The one measure \
             shown for both years is no further from equal than last year."
        );
    }

    #[test]
    fn the_reading_tells_a_missing_year_from_a_hidden_figure() {
        // The demonstration's shape: last year's extracts mostly not imported, one figure
        // hidden, and this year's own figures far from equal.
        let measures = [
            m(BmeShare, V(20.0), MISSING),
            m(WresAppointment, V(1.60), MISSING),
            m(WresDisciplinary, V(1.10), HIDDEN),
            m(WresTraining, V(0.90), MISSING),
            m(BmeBoardGap, V(-20.7), MISSING),
        ];
        assert_eq!(
            reading(year(), &measures),
            "In 2025/26, white applicants were 1.60 times as likely as BME applicants to be \
             appointed from a shortlist (1.00 is equal), and the BME share of the voting board \
             was 20.7 points below their share of staff. 3 measures have no figure for 2024/25 \
             and 1 is hidden, so they cannot be compared with last year."
        );
        let all = |ms: &[Compared]| not_compared(year(), &ms.iter().collect::<Vec<_>>());
        assert_eq!(
            all(&[m(WdesAppointment, MISSING, V(1.0))]),
            "1 measure has no figure for 2025/26, so it cannot be compared with last year."
        );
        assert_eq!(
            all(&[m(WdesAppointment, V(1.0), HIDDEN)]),
            "1 measure is hidden, so it cannot be compared with last year."
        );
        assert_eq!(
            all(&[
                // Missing last year and hidden this year: it has no figure for last year.
                m(WresAppointment, HIDDEN, MISSING),
                m(WresTraining, MISSING, MISSING),
                m(WdesAppointment, MISSING, V(1.0)),
                m(WresDisciplinary, HIDDEN, V(1.0)),
                m(WdesCapability, V(1.0), HIDDEN),
            ]),
            "2 measures have no figure for 2024/25, 1 has no figure for 2025/26 and 2 are \
             hidden, so they cannot be compared with last year."
        );
        assert_eq!(
            all(&[
                m(BmeBoardGap, MISSING, MISSING),
                m(WdesCapability, MISSING, V(1.0))
            ]),
            "1 measure has no figure for 2024/25 and 1 has no figure for 2025/26, so they \
             cannot be compared with last year."
        );
        assert_eq!(all(&[]), "No measure can be set beside last year.");
    }

    #[test]
    fn this_years_figures_far_from_equal_are_named_furthest_first() {
        let now = |ms: &[Compared]| this_year(year(), &ms.iter().collect::<Vec<_>>());
        let measures = [
            m(WresAppointment, V(1.30), MISSING),
            m(WresDisciplinary, V(0.40), MISSING),
            // Inside 0.80 to 1.25 at its edges: not named.
            m(WresTraining, V(0.80), MISSING),
            m(WdesAppointment, V(1.25), MISSING),
            m(WdesCapability, V(2.00), MISSING),
            // Beyond 10 points, the larger first; 10.0 itself is not beyond.
            m(BmeBoardGap, V(-11.0), MISSING),
            m(DisabledBoardGap, V(12.5), MISSING),
        ];
        assert_eq!(
            now(&measures),
            "In 2025/26, BME staff were 0.40 times as likely as white staff to enter the \
             formal disciplinary process (1.00 is equal), disabled staff were 2.00 times as \
             likely as staff who are not disabled to enter the formal capability process, 1 \
             more likelihood is also outside 0.80 to 1.25, the disabled share of the voting \
             board was 12.5 points above their share of staff, and the BME share of the \
             voting board was 11.0 points below their share of staff."
        );
        let more = [
            m(WresAppointment, V(1.30), MISSING),
            m(WresDisciplinary, V(1.40), MISSING),
            m(WresTraining, V(1.50), MISSING),
            m(WdesAppointment, V(1.60), MISSING),
            m(BmeBoardGap, V(10.0), MISSING),
        ];
        assert_eq!(
            now(&more),
            "In 2025/26, applicants who are not disabled were 1.60 times as likely as disabled \
             applicants to be appointed from a shortlist (1.00 is equal), white staff were 1.50 \
             times as likely as BME staff to take up training that is not mandatory, and 2 \
             more likelihoods are also outside 0.80 to 1.25."
        );
        assert_eq!(
            now(&[m(BmeBoardGap, V(-30.0), V(1.0))]),
            "In 2025/26, the BME share of the voting board was 30.0 points below their share \
             of staff."
        );
        // A likelihood of 0.00 is as far from equal as can be.
        assert_eq!(
            now(&[
                m(WdesCapability, V(5.0), MISSING),
                m(WresTraining, V(0.0), MISSING)
            ]),
            "In 2025/26, white staff were 0.00 times as likely as BME staff to take up \
             training that is not mandatory (1.00 is equal), and disabled staff were 5.00 \
             times as likely as staff who are not disabled to enter the formal capability \
             process."
        );
    }

    #[test]
    fn this_years_figures_close_to_equal_are_said_to_be() {
        let now = |ms: &[Compared]| this_year(year(), &ms.iter().collect::<Vec<_>>());
        assert_eq!(
            now(&[
                m(WresTraining, V(1.1), MISSING),
                m(BmeBoardGap, V(-10.0), MISSING)
            ]),
            "In 2025/26, every likelihood shown is between 0.80 and 1.25, and every share of \
             the voting board shown is within 10 points of the share of staff."
        );
        assert_eq!(
            now(&[
                m(BmeBoardGap, V(9.9), MISSING),
                m(WresTraining, HIDDEN, V(3.0))
            ]),
            "In 2025/26, every share of the voting board shown is within 10 points of the \
             share of staff."
        );
    }

    #[test]
    fn the_reading_never_looks_behind_a_hidden_figure() {
        let hidden = [
            m(WresDisciplinary, HIDDEN, V(1.5)),
            m(WdesCapability, HIDDEN, HIDDEN),
        ];
        assert_eq!(
            reading(year(), &hidden),
            "No likelihood or share of the voting board is shown for 2025/26. 2 measures are \
             hidden, so they cannot be compared with last year."
        );
        // A share is not one the reading reads.
        let shares = [
            m(BmeShare, HIDDEN, HIDDEN),
            m(DisabledShare, V(5.0), V(4.0)),
        ];
        assert!(reading(year(), &shares).starts_with("No measure has figures for both"));
        assert!(reading(year(), &[]).starts_with("No measure has figures for both"));
    }

    #[test]
    fn clauses_and_names_are_listed_in_plain_words() {
        assert_eq!(listed(&["a", "b", "c"]), "a, b and c");
        assert_eq!(listed(&["a"]), "a");
        assert_eq!(joined(&["a".into(), "b".into()]), "a, and b");
        assert_eq!(joined(&[]), "");
        for measure in Measure::WRES.into_iter().chain(Measure::WDES) {
            assert_eq!(
                likelihood_words(measure).is_some(),
                kind(measure) == Kind::Likelihood
            );
            assert_eq!(
                board_words(measure).is_some(),
                kind(measure) == Kind::Points
            );
        }
    }

    #[test]
    fn a_change_is_worked_out_from_the_figures_as_written() {
        let v = Shown::Value;
        assert_eq!(change(Kind::Likelihood, v(1.8), v(1.5)), "Up 0.30");
        assert_eq!(change(Kind::Share, v(12.3), v(13.8)), "Down 1.5 points");
        assert_eq!(change(Kind::Points, v(-2.0), v(-2.0)), "No change");
        assert_eq!(change(Kind::Points, v(-2.0), Shown::Hidden), "");
        assert_eq!(change(Kind::Likelihood, Shown::Missing, v(1.0)), "");
    }

    #[test]
    fn a_figure_is_read_back_as_the_table_writes_it() {
        use dignity_engine::disclosure::{Kind as Of, Minimum, population};
        let shown = |value: Value| YearValue {
            value: Some(population(40, Minimum::default_for(Of::Workforce)).map(|_| value)),
            hidden: "hidden",
        };
        let share = shown(Value::Share(0.12345));
        assert_eq!(share.cell().text(), "12.3%");
        assert_eq!(share.shown(), Shown::Value(12.3));
        let gap = shown(Value::Points(-4.04));
        assert_eq!(
            (gap.cell().text(), gap.shown()),
            ("-4.0", Shown::Value(-4.0))
        );
        let hidden = YearValue {
            value: Some(Disclosed::hidden()),
            hidden: hidden_likelihood(Some(Hidden::SmallNumbers)),
        };
        assert_eq!(hidden.shown(), Shown::Hidden);
        assert_eq!(
            hidden.cell().text(),
            "Hidden: a count it is made from is too small to show"
        );
        let missing = YearValue {
            value: None,
            hidden: "hidden",
        };
        assert_eq!(
            (missing.cell().text(), missing.shown()),
            (NO_FIGURE, Shown::Missing)
        );
    }

    #[test]
    fn every_measure_is_in_a_table_once() {
        let all: Vec<Measure> = Measure::WRES.into_iter().chain(Measure::WDES).collect();
        assert_eq!(all.len(), 9);
        for m in &all {
            assert!(label(*m).starts_with(code(*m)));
        }
    }
}
