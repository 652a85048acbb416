//! Fairness in employee relations casework (issue 18): for each reporting year, how likely
//! the staff of each group were to enter a formal conduct or capability investigation, to
//! be suspended or excluded, to reach an outcome, and to be given a formal sanction, each
//! against everyone else, by ethnicity, disability, staff group, sex, age band and band.
//! docs/just-culture.md describes the method.
//!
//! A year is counted only once it settles (1 May after it ends, as WRES 3 from cases is),
//! from what was written into Dignity before that day: so the figures, once shown, never
//! move, and a reader comparing two days' pages learns nothing about who a new case is
//! about. People are found in the year's staff in post by the keyed digest of their
//! employee number; no name is read.

use super::overview;
use super::standards::{self, ReportingYear, StaffYear};
use crate::Error;
use crate::context::Context;
use crate::identity::{CurrentSession, Organisation};
use dignity_crypto::secret::Digester;
use dignity_domain::er_cases::{CaseType, Outcome};
use dignity_domain::identity::Role;
use dignity_domain::speakup::Day;
use dignity_domain::workforce::StaffGroup;
use dignity_engine::disclosure::{self, Disclosed, Figure, Minimum, PublishedCount};
use dignity_engine::fairness::{self as engine, Base, Counts, Elsewhere, GroupCounts};
use dignity_engine::workforce::{Band, Disability, Ethnicity, Group, Hidden, Indicators};
pub use dignity_store::er_cases::{CaseEvent, CaseEventKind};
pub use dignity_store::workforce::Staff;
use std::collections::HashMap;
use std::sync::Arc;

pub mod kept;

/// Who may read the fairness figures: the organisation's leaders, its employee relations
/// leads and its union partners, who agree the action they lead to.
pub const READERS: &[Role] = &[
    Role::OrgAdmin,
    Role::Executive,
    Role::UnionPartner,
    Role::ErLead,
];

pub fn may_read(session: &CurrentSession, organisation: &Organisation) -> bool {
    session.has_org_role(&organisation.ods_code, READERS)
}

/// What the figures count, in the order the engine takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Conduct,
    Capability,
    Suspension,
    Outcome,
    Sanction,
}

impl Measure {
    pub const ALL: [Measure; 5] = [
        Measure::Conduct,
        Measure::Capability,
        Measure::Suspension,
        Measure::Outcome,
        Measure::Sanction,
    ];

    fn index(self) -> usize {
        self as usize
    }

    pub fn key(self) -> &'static str {
        match self {
            Measure::Conduct => "conduct",
            Measure::Capability => "capability",
            Measure::Suspension => "suspension",
            Measure::Outcome => "outcome",
            Measure::Sanction => "sanction",
        }
    }

    pub fn from_key(key: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.key() == key)
    }

    /// The measure's name, for its tab and heading.
    pub fn title(self) -> &'static str {
        match self {
            Measure::Conduct => "Conduct investigations",
            Measure::Capability => "Capability investigations",
            Measure::Suspension => "Suspensions",
            Measure::Outcome => "Outcomes",
            Measure::Sanction => "Sanctions",
        }
    }

    /// What the count is, for a table's column.
    pub fn happened_words(self) -> &'static str {
        match self {
            Measure::Conduct => "Started a conduct investigation",
            Measure::Capability => "Started a capability investigation about performance",
            Measure::Suspension => "Suspended or excluded",
            Measure::Outcome => "Conduct case reached an outcome",
            Measure::Sanction => "Given a written warning or dismissed",
        }
    }

    /// Whether the rate is out of the staff in post (rather than another measure's count).
    pub fn over_staff(self) -> bool {
        matches!(self.base(), Base::Staff)
    }

    /// What the rate is out of, for a table's column.
    pub fn base_words(self) -> &'static str {
        match self {
            Measure::Sanction => "Conduct case reached an outcome",
            _ => "Staff in post",
        }
    }

    /// One sentence on what is counted.
    pub fn explained(self) -> &'static str {
        match self {
            Measure::Conduct => {
                "Staff who started a formal investigation into their conduct in the year. This is the count behind WRES indicator 3."
            }
            Measure::Capability => {
                "Staff who started a formal investigation into their performance in the year. This is the count behind WDES metric 3."
            }
            Measure::Suspension => {
                "Staff who were suspended or excluded from work in the year, in any kind of case. Restricted duties are not counted."
            }
            Measure::Outcome => {
                "Staff whose conduct case reached an outcome in the year, and how long it took from the start of the investigation."
            }
            Measure::Sanction => {
                "Of the staff whose conduct case reached an outcome in the year, those given a first or final written warning or dismissed."
            }
        }
    }

    fn base(self) -> Base {
        match self {
            Measure::Sanction => Base::Measure(Measure::Outcome.index()),
            _ => Base::Staff,
        }
    }
}

/// The groupings, in the order the engine takes them.
const ETHNICITY: usize = 0;
const DISABILITY: usize = 1;
/// Staff group, sex and age band follow, as the workforce page decides them.
const FIRST_OVERVIEW: usize = 2;
/// Band comes last.
const BANDS: usize = 5;

/// What happened to one member of staff in one year.
#[derive(Debug, Clone, Copy, Default)]
struct Person {
    happened: [bool; 5],
    /// Days from the investigation's start to the first outcome in the year.
    days_to_outcome: Option<i64>,
    /// That outcome's day and case, to find the first.
    first_outcome: Option<(Day, i64)>,
}

/// What happened to each member of `people` in `year`, from the events that count for it:
/// on a day in the year, written into Dignity before the year settled. Each measure counts
/// a person once.
fn tally(
    year: ReportingYear,
    people: &[Staff],
    digest_of: &dyn Fn(&str) -> String,
    events: &[CaseEvent],
) -> Vec<Person> {
    let Some(from) = year.cases_counted_from() else {
        return vec![Person::default(); people.len()];
    };
    let index: HashMap<String, usize> = people
        .iter()
        .enumerate()
        .map(|(i, p)| (digest_of(&p.person), i))
        .collect();
    // A case's investigation start, whenever it was, for how long its outcome took.
    let investigated: HashMap<i64, Day> = events
        .iter()
        .filter(|e| e.kind == CaseEventKind::Investigation)
        .map(|e| (e.case_id, e.on))
        .collect();
    let mut tallied = vec![Person::default(); people.len()];
    for event in events
        .iter()
        .filter(|e| ReportingYear::of(e.on) == year && e.recorded_on < from)
    {
        let Some(person) = index
            .get(&event.person_digest)
            .and_then(|&i| tallied.get_mut(i))
        else {
            continue;
        };
        let mut set = |m: Measure| {
            if let Some(flag) = person.happened.get_mut(m.index()) {
                *flag = true;
            }
        };
        match (event.kind, event.case_type) {
            (CaseEventKind::Investigation, CaseType::Conduct) => set(Measure::Conduct),
            (CaseEventKind::Investigation, CaseType::CapabilityPerformance) => {
                set(Measure::Capability)
            }
            (CaseEventKind::Suspension, _) => set(Measure::Suspension),
            (CaseEventKind::Outcome(outcome), CaseType::Conduct) => {
                set(Measure::Outcome);
                if outcome.is_some_and(is_sanction) {
                    set(Measure::Sanction);
                }
                let this = (event.on, event.case_id);
                if person.first_outcome.is_none_or(|first| this < first) {
                    person.first_outcome = Some(this);
                    person.days_to_outcome = investigated
                        .get(&event.case_id)
                        .map(|&started| event.on.days_since(started).max(0));
                }
            }
            _ => {}
        }
    }
    tallied
}

fn is_sanction(outcome: Outcome) -> bool {
    matches!(
        outcome,
        Outcome::FirstWrittenWarning | Outcome::FinalWrittenWarning | Outcome::Dismissal
    )
}

/// A grouping as the page lists it: its groups' labels, and each person's group.
struct Grouping {
    key: &'static str,
    title: &'static str,
    labels: Vec<&'static str>,
    of_person: Vec<usize>,
    staff_shown: Vec<Disclosed<u64>>,
}

/// The groupings of `people` (the staff in post, whose headcounts the workforce pages
/// publish), with each of `counted` (them and the year's leavers) placed in its group.
fn groupings(
    people: &[Staff],
    counted: &[Staff],
    measures: &Indicators,
    minimum: Minimum,
) -> Vec<Grouping> {
    let whole = overview::whole_of(measures, minimum);
    let mut all = vec![
        Grouping {
            key: "ethnicity",
            title: "Ethnicity (as the WRES groups it)",
            labels: Ethnicity::ALL.iter().map(|g| g.label()).collect(),
            of_person: counted
                .iter()
                .map(|p| standards::ethnicity_group(&p.ethnicity).index())
                .collect(),
            staff_shown: measures
                .wres
                .staff
                .workforce
                .groups
                .iter()
                .map(|g| g.count.disclosed())
                .collect(),
        },
        Grouping {
            key: "disability",
            title: "Disability",
            labels: Disability::ALL.iter().map(|g| g.label()).collect(),
            of_person: counted
                .iter()
                .map(|p| standards::disability_group(&p.disability).index())
                .collect(),
            staff_shown: measures
                .wdes
                .staff
                .workforce
                .groups
                .iter()
                .map(|g| g.count.disclosed())
                .collect(),
        },
    ];
    let (decided_groupings, _, decided) =
        overview::decided_groupings(people, measures, &whole, minimum);
    for (grouping, shown) in decided_groupings.into_iter().zip(decided) {
        all.push(Grouping {
            key: grouping.key,
            title: grouping.title,
            labels: grouping
                .groups
                .iter()
                .map(|(_, label)| *label)
                .chain(std::iter::once(overview::NOT_RECOGNISED))
                .collect(),
            of_person: counted.iter().map(|p| grouping.index_of(p)).collect(),
            staff_shown: shown,
        });
    }
    // A band's headcount is shown where WRES 1 shows each of its rows (clinical and
    // non-clinical): their sum then tells no more than they do.
    let band_shown = Band::ALL
        .iter()
        .map(|&band| {
            Disclosed::all(
                measures
                    .wres
                    .staff
                    .rows
                    .iter()
                    .filter(|row| row.key == band)
                    .map(|row| row.staff.total.disclosed()),
            )
            .map(|parts| parts.iter().sum::<u64>())
        })
        .collect();
    all.push(Grouping {
        key: "band",
        title: "Pay band or grade",
        labels: Band::ALL.iter().map(|b| b.label()).collect(),
        of_person: counted
            .iter()
            .map(|p| {
                let band = standards::band(&p.pay_grade);
                Band::ALL.iter().position(|&b| b == band).unwrap_or(0)
            })
            .collect(),
        staff_shown: band_shown,
    });
    all
}

/// One year's counts for the engine.
fn counts(
    people: &[Staff],
    tallied: &[Person],
    groupings: &[Grouping],
    places: &[overview::UnitPlace],
) -> Counts {
    let mut totals = vec![0u64; Measure::ALL.len()];
    for person in tallied {
        for (total, &flag) in totals.iter_mut().zip(&person.happened) {
            *total += u64::from(flag);
        }
    }
    let engine_groupings: Vec<Vec<GroupCounts>> = groupings
        .iter()
        .map(|grouping| {
            let mut groups: Vec<GroupCounts> = grouping
                .staff_shown
                .iter()
                .map(|&shown| GroupCounts {
                    staff: 0,
                    staff_shown: shown,
                    happened: vec![0; Measure::ALL.len()],
                })
                .collect();
            for (&at, person) in grouping.of_person.iter().zip(tallied) {
                if let Some(group) = groups.get_mut(at) {
                    group.staff += 1;
                    for (n, &flag) in group.happened.iter_mut().zip(&person.happened) {
                        *n += u64::from(flag);
                    }
                }
            }
            groups
        })
        .collect();
    // The medical staff group is nearly the medical grades' people: anyone may add the
    // grades up to get it, less whoever is in one and not the other (a medical director on
    // a very senior manager's grade), whom the decision takes as known. An outside review
    // had 3 as 15 less 12 when the tie was dropped for one such person.
    let medical_group = groupings.get(FIRST_OVERVIEW).and_then(|g| {
        g.labels
            .iter()
            .position(|&l| l == StaffGroup::MedicalDental.label())
    });
    let same_people = match (
        medical_group,
        groupings.get(FIRST_OVERVIEW),
        groupings.get(BANDS),
    ) {
        (Some(medical), Some(staff_group), Some(bands)) => {
            let mut differ = vec![(0u64, 0u64); Measure::ALL.len()];
            for ((&sg, &b), person) in staff_group
                .of_person
                .iter()
                .zip(&bands.of_person)
                .zip(tallied)
            {
                let in_group = sg == medical;
                let in_grades = Band::ALL.get(b).is_some_and(|b| b.is_medical());
                for (d, &flag) in differ.iter_mut().zip(&person.happened) {
                    match (in_group, in_grades) {
                        (true, false) => d.0 += u64::from(flag),
                        (false, true) => d.1 += u64::from(flag),
                        _ => {}
                    }
                }
            }
            let grades = Band::ALL
                .iter()
                .enumerate()
                .filter(|(_, b)| b.is_medical())
                .map(|(i, _)| (BANDS, i))
                .collect();
            vec![engine::SamePeople {
                whole: (FIRST_OVERVIEW, medical),
                parts: grades,
                differ,
            }]
        }
        _ => Vec::new(),
    };
    let mut direct = vec![vec![0u64; Measure::ALL.len()]; places.len().max(1)];
    for (person, tally) in people.iter().zip(tallied) {
        if let Some(place) = direct.get_mut(overview::UnitPlace::of(places, person)) {
            for (n, &flag) in place.iter_mut().zip(&tally.happened) {
                *n += u64::from(flag);
            }
        }
    }
    // The organisation itself is the total; its units follow.
    let units = places
        .iter()
        .enumerate()
        .skip(1)
        .map(|(at, place)| engine::PlacedUnit {
            places: (at..=at + place.below).collect(),
            staff_shown: place.count,
        })
        .collect();
    Counts {
        staff: people.len() as u64,
        staff_shown: Disclosed::hidden(),
        measures: Measure::ALL.iter().map(|m| m.base()).collect(),
        totals,
        groupings: engine_groupings,
        same_people,
        elsewhere: Vec::new(),
        placed: engine::Placed { direct, units },
    }
}

/// The counts WRES 3 (conduct, by ethnicity) and WDES 3 (capability, by disability) publish
/// from the same cases, as this year's decision published them: the next year's two-year
/// figures add them in.
#[derive(Debug, Clone, Default)]
struct Standard3 {
    conduct_by_ethnicity: Vec<(u64, PublishedCount)>,
    capability_by_disability: Vec<(u64, PublishedCount)>,
}

/// Ties this year's counts to WRES 3 and WDES 3 as the equality pages publish them, when
/// they come from these cases. The pages' own counts must be this year's, plus last
/// year's when they cover two: anything else is a fault, refused rather than shown.
fn tie_to_standards(
    counts: &mut Counts,
    year: &StaffYear,
    last_year: Option<&Standard3>,
) -> Result<(), Error> {
    if year.imported.is_some() {
        tie_to_imported(counts, year);
        return Ok(());
    }
    if !year.figures.sources.formal_from_cases {
        return Ok(());
    }
    let indicators = &year.figures.indicators;
    let tied = [
        (
            indicators
                .wres
                .disciplinary
                .as_ref()
                .map(|c| (c.years, c.groups.iter().map(|g| g.happened).collect())),
            ETHNICITY,
            Measure::Conduct,
            last_year.map(|l| &l.conduct_by_ethnicity),
        ),
        (
            indicators
                .wdes
                .capability
                .as_ref()
                .map(|c| (c.years, c.groups.iter().map(|g| g.happened).collect())),
            DISABILITY,
            Measure::Capability,
            last_year.map(|l| &l.capability_by_disability),
        ),
    ];
    for (comparison, grouping, measure, last) in tied {
        let Some((years, published)) = comparison else {
            continue;
        };
        let published: Vec<PublishedCount> = published;
        for (group, there) in published.into_iter().enumerate() {
            let here = counts
                .groupings
                .get(grouping)
                .and_then(|g| g.get(group))
                .and_then(|g| g.happened.get(measure.index()))
                .copied()
                .unwrap_or(0);
            let plus = if years == 2 {
                let before = last.and_then(|l| l.get(group)).copied().ok_or_else(|| {
                    Error::Internal(format!(
                        "{}: the standards add in a year the fairness figures do not have",
                        year.figures.year.label()
                    ))
                })?;
                Some(before)
            } else {
                None
            };
            let value = here + plus.map_or(0, |(n, _)| n);
            let plus = plus.map(|(n, published)| (n, Some(published)));
            if there.exact().is_some_and(|shown| shown != value) {
                return Err(Error::Internal(format!(
                    "{}: the standards and the fairness figures count {} differently",
                    year.figures.year.label(),
                    measure.key()
                )));
            }
            counts.elsewhere.push(Elsewhere {
                value,
                published: there,
                here: (grouping, group, measure.index()),
                plus,
            });
        }
    }
    Ok(())
}

/// Ties this year's counts to WRES 3 and WDES 3 where they use counts imported from the
/// organisation's records: a group whose imported count for the year is the same as the
/// cases' may be taken for it by anyone, so the standards' figure for it (with the year
/// before's imported count, taken as known) is tied here. An outside review had a
/// hidden 3 as the cases' 35 less the imported 20 and 12. Groups whose counts differ are
/// different sources and are left apart.
fn tie_to_imported(counts: &mut Counts, year: &StaffYear) {
    let Some(imported) = year.imported else {
        return;
    };
    let indicators = &year.figures.indicators;
    let mut tie = |grouping: usize,
                   measure: Measure,
                   published: Option<(u8, Vec<PublishedCount>)>,
                   this_year: [u64; 3],
                   year_before: Option<[u64; 3]>| {
        let Some((years, published)) = published else {
            return;
        };
        for (group, there) in published.into_iter().enumerate() {
            let here = counts
                .groupings
                .get(grouping)
                .and_then(|g| g.get(group))
                .and_then(|g| g.happened.get(measure.index()))
                .copied()
                .unwrap_or(0);
            if this_year.get(group) != Some(&here) {
                continue;
            }
            let plus = match (years, year_before) {
                (2, Some(before)) => Some((before.get(group).copied().unwrap_or(0), None)),
                _ => None,
            };
            counts.elsewhere.push(Elsewhere {
                value: here + plus.map_or(0, |(n, _)| n),
                published: there,
                here: (grouping, group, measure.index()),
                plus,
            });
        }
    };
    let ethnicity =
        |c: &dignity_engine::workforce::Counts<Ethnicity>| Ethnicity::ALL.map(|g| c.get(g));
    let disability =
        |c: &dignity_engine::workforce::Counts<Disability>| Disability::ALL.map(|g| c.get(g));
    tie(
        ETHNICITY,
        Measure::Conduct,
        indicators
            .wres
            .disciplinary
            .as_ref()
            .map(|c| (c.years, c.groups.iter().map(|g| g.happened).collect())),
        ethnicity(&imported.this_year.0),
        imported.year_before.map(|b| ethnicity(&b.0)),
    );
    tie(
        DISABILITY,
        Measure::Capability,
        indicators
            .wdes
            .capability
            .as_ref()
            .map(|c| (c.years, c.groups.iter().map(|g| g.happened).collect())),
        disability(&imported.this_year.1),
        imported.year_before.map(|b| disability(&b.1)),
    );
}

/// One year's figures, decided.
struct YearDecided {
    year: ReportingYear,
    staff_on: Day,
    /// The days of the leavers extracts whose people are counted, and of those imported
    /// after the year settled, which are not.
    leavers_counted: Vec<Day>,
    leavers_late: Vec<Day>,
    labels: Vec<(&'static str, &'static str, Vec<&'static str>)>,
    /// Each unit below the organisation: its depth and name.
    units: Vec<(usize, String)>,
    fairness: engine::Fairness,
    staff: Vec<Vec<Disclosed<u64>>>,
    /// Days to an outcome: overall, then by grouping and group.
    days_overall: Disclosed<i64>,
    days: Vec<Vec<Disclosed<i64>>>,
    standards_imported: bool,
}

/// Every settled year with a staff in post, oldest first: each year ties to the year
/// before's published counts, so they are decided in order.
fn decide_years(
    organisation_id: i64,
    units: &[dignity_store::identity::OrgUnit],
    digester: &Digester,
    years: &[StaffYear],
    events: &[CaseEvent],
    today: Day,
    minimum: Minimum,
) -> Result<Vec<YearDecided>, Error> {
    let digest_of =
        |workforce: &str| crate::justculture::in_organisation(digester, organisation_id, workforce);
    let mut decided = Vec::new();
    let mut last: Option<(ReportingYear, Standard3)> = None;
    for year in years {
        let reporting = year.figures.year;
        if reporting
            .cases_counted_from()
            .is_none_or(|from| from > today)
        {
            continue;
        }
        // Everyone in post at the year's end, and whoever left during it: a person
        // dismissed in the year is counted in what happened to them, as the standards
        // count them, while the rates stay over the published staff in post.
        let counted: Vec<Staff> = year
            .people
            .iter()
            .chain(&year.leavers.people)
            .cloned()
            .collect();
        let tallied = tally(reporting, &counted, &digest_of, events);
        let groupings = groupings(&year.people, &counted, &year.figures.indicators, minimum);
        let whole = overview::whole_of(&year.figures.indicators, minimum);
        let places = overview::unit_tree("", units, &year.people, &whole, minimum);
        let mut counts = counts(&counted, &tallied, &groupings, &places);
        counts.staff_shown = whole;
        let last_year = last
            .as_ref()
            .filter(|(y, _)| *y == reporting.before())
            .map(|(_, s)| s);
        tie_to_standards(&mut counts, year, last_year)?;
        let fairness = engine::fairness(&counts, minimum)
            .map_err(|e| Error::Internal(format!("fairness {}: {e}", reporting.label())))?;

        let kept = |grouping: usize, measure: Measure| -> Vec<(u64, PublishedCount)> {
            let truth = counts.groupings.get(grouping).into_iter().flatten();
            let shown = fairness
                .measures
                .get(measure.index())
                .and_then(|m| m.groupings.get(grouping))
                .into_iter()
                .flatten();
            truth
                .zip(shown)
                .map(|(t, s)| {
                    (
                        t.happened.get(measure.index()).copied().unwrap_or(0),
                        s.happened,
                    )
                })
                .collect()
        };
        last = Some((
            reporting,
            Standard3 {
                conduct_by_ethnicity: kept(ETHNICITY, Measure::Conduct),
                capability_by_disability: kept(DISABILITY, Measure::Capability),
            },
        ));

        // A median over at least the minimum people, as disclosure::median decides; one
        // value a person, so it stands on the same people the outcome count does.
        let days_of = |members: &dyn Fn(usize) -> bool| -> Disclosed<i64> {
            let values: Vec<i64> = tallied
                .iter()
                .enumerate()
                .filter(|(i, p)| {
                    members(*i) && p.happened.get(Measure::Outcome.index()) == Some(&true)
                })
                .filter_map(|(_, p)| p.days_to_outcome)
                .collect();
            disclosure::median(values, minimum)
        };
        let days = groupings
            .iter()
            .map(|g| {
                (0..g.labels.len())
                    .map(|group| days_of(&|i| g.of_person.get(i) == Some(&group)))
                    .collect()
            })
            .collect();
        decided.push(YearDecided {
            year: reporting,
            staff_on: year.as_at,
            leavers_counted: year.leavers.counted.clone(),
            leavers_late: year.leavers.late.clone(),
            labels: groupings
                .iter()
                .map(|g| (g.key, g.title, g.labels.clone()))
                .collect(),
            staff: groupings.iter().map(|g| g.staff_shown.clone()).collect(),
            units: places
                .iter()
                .skip(1)
                .map(|p| (p.depth, p.name.clone()))
                .collect(),
            days_overall: days_of(&|_| true),
            days,
            fairness,
            standards_imported: year.figures.sources.formal.is_some(),
        });
    }
    Ok(decided)
}

/// The fairness page for one year and measure.
#[derive(Debug, Clone)]
pub struct FairnessPage {
    /// Settled years with figures, newest first.
    pub years: Vec<ReportingYear>,
    /// The newest year with a staff in post that has not settled yet, and the day it will.
    pub waiting: Option<(ReportingYear, Day)>,
    pub measure: Measure,
    pub shown: Option<YearView>,
    pub minimum: u64,
}

#[derive(Debug, Clone)]
pub struct YearView {
    pub year: ReportingYear,
    pub staff_on: Day,
    pub leavers_counted: Vec<Day>,
    pub leavers_late: Vec<Day>,
    pub happened: Figure,
    pub base: Figure,
    pub rate: Figure,
    /// Median days to an outcome, for the outcomes measure.
    pub days: Option<Figure>,
    pub groupings: Vec<GroupingView>,
    /// The organisation's units, depth first, each with everything below it.
    pub units: Vec<UnitView>,
    pub withheld_everything: bool,
    /// WRES 3 and WDES 3 for the year come from imported counts, not these cases.
    pub standards_imported: bool,
}

#[derive(Debug, Clone)]
pub struct GroupingView {
    pub key: &'static str,
    pub title: &'static str,
    /// "By ethnicity", for the table's heading.
    pub heading: &'static str,
    pub rows: Vec<RowView>,
}

/// A grouping's heading, from its key.
fn heading(key: &str) -> &'static str {
    match key {
        "ethnicity" => "By ethnicity",
        "disability" => "By disability",
        "staff-group" => "By staff group",
        "sex" => "By sex",
        "age" => "By age band",
        "band" => "By pay band or grade",
        _ => "By group",
    }
}

#[derive(Debug, Clone)]
pub struct UnitView {
    /// 1 for a division, 2 for what is below it, and so on.
    pub depth: usize,
    pub name: String,
    pub row: RowView,
}

#[derive(Debug, Clone)]
pub struct RowView {
    pub label: String,
    pub base: Figure,
    pub happened: Figure,
    pub rate: Figure,
    pub likelihood: Figure,
    /// In words: more likely, less likely, no clear difference, or why it is not shown.
    pub reading: &'static str,
    pub flagged: bool,
    pub days: Option<Figure>,
}

fn percent(rate: Disclosed<f64>) -> Figure {
    Figure::of(rate, |r| format!("{:.1}%", r * 100.0), "not shown")
}

fn days_figure(days: Disclosed<i64>) -> Figure {
    Figure::of(days, |d| format!("{d} days"), "not shown")
}

/// One row as the page reads it.
fn row_view(label: String, group: &engine::GroupFigures, days: Option<Figure>) -> RowView {
    let likelihood = group.against_rest;
    let flagged = likelihood.value().is_some_and(|l| l.flagged);
    let reading = match (likelihood.value(), group.hidden_because) {
        (Some(l), _) if l.flagged && l.value > 1.0 => "More likely than the rest",
        (Some(l), _) if l.flagged => "Less likely than the rest",
        (Some(_), _) => "No clear difference",
        (None, Some(Hidden::NoneInEitherGroup)) => "Happened to no one",
        (None, Some(Hidden::NoOneInAGroup)) => "No one to compare with",
        (None, Some(Hidden::MoreThanTheGroup)) => "Not worked out: includes people who left",
        (None, _) => "Not shown, to keep small numbers private",
    };
    RowView {
        label,
        base: match group.base_count {
            Some(count) => Figure::count(count),
            None => Figure::amount(group.base, |n| n.to_string(), "not shown"),
        },
        happened: Figure::count(group.happened),
        rate: percent(group.rate),
        likelihood: Figure::detailed(
            likelihood,
            |l| {
                (
                    format!("{:.2}", l.value),
                    format!(
                        "95% interval {:.2} to {:.2}{}",
                        l.low,
                        l.high,
                        if l.corrected {
                            " (estimated: one side had none)"
                        } else {
                            ""
                        }
                    ),
                )
            },
            ("not shown", ""),
        ),
        reading,
        flagged,
        days,
    }
}

fn view(decided: &YearDecided, measure: Measure) -> Option<YearView> {
    let figures = decided.fairness.measures.get(measure.index())?;
    let with_days = measure == Measure::Outcome;
    let groupings = decided
        .labels
        .iter()
        .zip(&figures.groupings)
        .enumerate()
        .map(|(g, ((key, title, labels), groups))| {
            let rows = labels
                .iter()
                .zip(groups)
                .enumerate()
                .filter(|(i, (label, group))| {
                    // "Not recognised" is listed only when it holds someone.
                    **label != overview::NOT_RECOGNISED
                        || decided
                            .staff
                            .get(g)
                            .and_then(|s| s.get(*i))
                            .is_some_and(|s| s.value() != Some(&0))
                        || group.happened.exact() != Some(0)
                })
                .map(|(i, (label, group))| {
                    let days = with_days.then(|| {
                        days_figure(
                            decided
                                .days
                                .get(g)
                                .and_then(|d| d.get(i))
                                .copied()
                                .unwrap_or(Disclosed::hidden()),
                        )
                    });
                    row_view((*label).to_owned(), group, days)
                })
                .collect();
            GroupingView {
                key,
                title,
                heading: heading(key),
                rows,
            }
        })
        .collect();
    Some(YearView {
        year: decided.year,
        staff_on: decided.staff_on,
        leavers_counted: decided.leavers_counted.clone(),
        leavers_late: decided.leavers_late.clone(),
        happened: Figure::count(figures.happened),
        base: Figure::amount(figures.base, |n| n.to_string(), "not shown"),
        rate: percent(figures.rate),
        days: with_days.then(|| days_figure(decided.days_overall)),
        groupings,
        units: decided
            .units
            .iter()
            .zip(&figures.units)
            .map(|((depth, name), unit)| UnitView {
                depth: *depth,
                name: name.clone(),
                row: row_view(name.clone(), unit, None),
            })
            .collect(),
        withheld_everything: decided.fairness.withheld_everything,
        standards_imported: decided.standards_imported,
    })
}

/// Every settled year's figures of `organisation`, oldest first, and the newest year
/// with a staff in post that has not settled yet, with the day it will.
async fn decided_for(
    ctx: &Context,
    organisation: &Organisation,
) -> Result<(Arc<Vec<YearDecided>>, Option<(ReportingYear, Day)>), Error> {
    let events: Vec<CaseEvent> =
        dignity_store::er_cases::case_events(&ctx.db, Some(organisation.id))
            .await?
            .into_iter()
            .map(|(_, e)| e)
            .collect();
    kept_or_decided(ctx, organisation.id, events).await
}

/// The organisation's decided years as kept ([`kept`]) when nothing they come from has
/// changed, or else decided now and kept; with the year waiting to settle.
async fn kept_or_decided(
    ctx: &Context,
    organisation_id: i64,
    events: Vec<CaseEvent>,
) -> Result<(Arc<Vec<YearDecided>>, Option<(ReportingYear, Day)>), Error> {
    let today = ctx.clock.today();
    let minimum = ctx.minimums.workforce();
    let snapshots = dignity_store::workforce::snapshots(&ctx.db, organisation_id).await?;
    let formal = dignity_store::workforce::formal_versions(&ctx.db, organisation_id).await?;
    let units = dignity_store::identity::list_org_units(&ctx.db, organisation_id).await?;
    let waiting = waiting_year(
        snapshots
            .iter()
            .filter(|s| s.kind == dignity_store::workforce::Kind::Staff)
            .map(|s| ReportingYear::of(s.as_at)),
        today,
    );
    let print = kept::fingerprint(&kept::Inputs {
        organisation_id,
        minimum,
        today,
        snapshots: &snapshots,
        formal: &formal,
        events: &events,
        units: &units,
    });
    if let Some(print) = &print
        && let Some(hit) = ctx.fairness.get(organisation_id, print)
    {
        return Ok((hit, waiting));
    }
    let staff_years =
        standards::staff_years(&ctx.db, &ctx.secret, organisation_id, today, minimum).await?;
    let decided = Arc::new(in_pool(ctx, organisation_id, units, staff_years, events).await?);
    if let Some(print) = print {
        ctx.fairness.put(organisation_id, print, decided.clone());
    }
    Ok((decided, waiting))
}

/// [`decide_years`] in the bounded pool for figures, off the async threads.
async fn in_pool(
    ctx: &Context,
    organisation_id: i64,
    units: Vec<dignity_store::identity::OrgUnit>,
    staff_years: Vec<StaffYear>,
    events: Vec<CaseEvent>,
) -> Result<Vec<YearDecided>, Error> {
    let secret = ctx.secret.clone();
    let (today, minimum) = (ctx.clock.today(), ctx.minimums.workforce());
    ctx.figures
        .run(move || {
            let digester = crate::justculture::organisation_digester(&secret);
            decide_years(
                organisation_id,
                &units,
                &digester,
                &staff_years,
                &events,
                today,
                minimum,
            )
        })
        .await?
}

/// The newest year with a staff in post (of `staff_years`) that has not settled by
/// `today`, and the day it will.
fn waiting_year(
    staff_years: impl Iterator<Item = ReportingYear>,
    today: Day,
) -> Option<(ReportingYear, Day)> {
    staff_years
        .filter_map(|y| {
            y.cases_counted_from()
                .filter(|&from| from > today)
                .map(|from| (y, from))
        })
        .max_by_key(|(y, _)| *y)
}

/// The page for `year` (the newest settled one when not given) and `measure`.
pub async fn page(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    year: Option<ReportingYear>,
    measure: Measure,
) -> Result<FairnessPage, Error> {
    if !may_read(session, organisation) {
        return Err(Error::Forbidden);
    }
    page_of(ctx, organisation, year, measure).await
}

/// [`page`] without asking who reads: for the board pack, which is made without a session
/// (on a schedule, or for a reader it has already let in).
pub(crate) async fn page_of(
    ctx: &Context,
    organisation: &Organisation,
    year: Option<ReportingYear>,
    measure: Measure,
) -> Result<FairnessPage, Error> {
    let minimum = ctx.minimums.workforce();
    let (decided, waiting) = decided_for(ctx, organisation).await?;
    let chosen = match year {
        Some(year) => Some(decided.iter().find(|d| d.year == year).ok_or_else(|| {
            Error::NotFound(format!(
                "There are no fairness figures for {}",
                year.label()
            ))
        })?),
        None => decided.last(),
    };
    Ok(FairnessPage {
        years: decided.iter().rev().map(|d| d.year).collect(),
        waiting,
        measure,
        shown: chosen.and_then(|d| view(d, measure)),
        minimum: minimum.people(),
    })
}

/// Every organisation's fairness figures for one settled year and measure, side by side,
/// for national analysts. Each figure is one the organisation's own page shows, decided
/// by its own decision; nothing is added up across organisations, so no national total
/// can be set against the organisations' figures to give a hidden one back.
#[derive(Debug, Clone)]
pub struct National {
    pub year: ReportingYear,
    /// Settled years any organisation has figures for, newest first.
    pub years: Vec<ReportingYear>,
    pub measure: Measure,
    /// By name.
    pub rows: Vec<NationalRow>,
}

#[derive(Debug, Clone)]
pub struct NationalRow {
    pub ods_code: String,
    pub name: String,
    pub happened: Figure,
    pub rate: Figure,
    /// Black and minority ethnic staff against the rest.
    pub bme: RowView,
    /// Disabled staff against the rest.
    pub disabled: RowView,
    /// How many groups, of every grouping and unit, are flagged as more likely.
    pub flagged_more: usize,
}

pub fn may_read_national(session: &CurrentSession) -> bool {
    session.has_platform_role(crate::identity::ANALYSTS)
}

/// The national view for `year` (the newest settled year any organisation has, if not
/// given); `None` when no organisation has a settled year.
pub async fn national(
    ctx: &Context,
    session: &CurrentSession,
    year: Option<ReportingYear>,
    measure: Measure,
) -> Result<Option<National>, Error> {
    if !may_read_national(session) {
        return Err(Error::Forbidden);
    }
    let organisations = dignity_store::identity::list_organisations(&ctx.db).await?;
    let mut events_of: HashMap<i64, Vec<CaseEvent>> = HashMap::new();
    for (organisation_id, event) in dignity_store::er_cases::case_events(&ctx.db, None).await? {
        events_of.entry(organisation_id).or_default().push(event);
    }
    let mut every = Vec::new();
    for organisation in organisations {
        let events = events_of.remove(&organisation.id).unwrap_or_default();
        let (decided, _) = kept_or_decided(ctx, organisation.id, events).await?;
        if decided.is_empty() {
            continue;
        }
        every.push((organisation, decided));
    }
    let mut years: Vec<ReportingYear> = every
        .iter()
        .flat_map(|(_, ds)| ds.iter().map(|d| d.year))
        .collect();
    years.sort_by(|a, b| b.cmp(a));
    years.dedup();
    let chosen = match year {
        Some(y) if years.contains(&y) => y,
        Some(y) => {
            return Err(Error::NotFound(format!(
                "No organisation has fairness figures for {}",
                y.label()
            )));
        }
        None => match years.first() {
            Some(&y) => y,
            None => return Ok(None),
        },
    };
    let group_row = |figures: &engine::MeasureFigures, grouping: usize, group: usize| {
        figures
            .groupings
            .get(grouping)
            .and_then(|g| g.get(group))
            .map(|g| row_view(String::new(), g, None))
    };
    let mut rows: Vec<NationalRow> = every
        .iter()
        .filter_map(|(organisation, decided)| {
            let year = decided.iter().find(|d| d.year == chosen)?;
            let figures = year.fairness.measures.get(measure.index())?;
            let flagged_more = figures
                .groupings
                .iter()
                .flatten()
                .chain(&figures.units)
                .filter(|g| {
                    g.against_rest
                        .value()
                        .is_some_and(|l| l.flagged && l.value > 1.0)
                })
                .count();
            Some(NationalRow {
                ods_code: organisation.ods_code.clone(),
                name: organisation.name.clone(),
                happened: Figure::count(figures.happened),
                rate: percent(figures.rate),
                bme: group_row(figures, ETHNICITY, Ethnicity::Bme.index())?,
                disabled: group_row(figures, DISABILITY, Disability::Disabled.index())?,
                flagged_more,
            })
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Some(National {
        year: chosen,
        years,
        measure,
        rows,
    }))
}

/// One made-up organisation's year for `dignity bench casework`: its staff in post and
/// its cases' events.
pub struct SyntheticYear {
    pub organisation_id: i64,
    pub as_at: Day,
    pub people: Vec<Staff>,
    pub events: Vec<CaseEvent>,
}

/// Made-up years with their equality measures decided as the pages decide them (the
/// benchmark does not time that: it is the equality pages' work), each with the
/// snapshot's row as the database would hold it, for the fingerprint.
pub struct Prepared(Vec<PreparedOrganisation>);

struct PreparedOrganisation {
    organisation_id: i64,
    years: Vec<StaffYear>,
    events: Vec<CaseEvent>,
    snapshot: dignity_store::workforce::Snapshot,
}

/// The digest a case keeps for the person a staff row keeps as `workforce`, for made-up
/// cases about made-up staff.
pub fn synthetic_case_digest(
    secret: &dignity_crypto::secret::InstallationSecret,
    organisation_id: i64,
    workforce: &str,
) -> String {
    crate::justculture::in_organisation(
        &crate::justculture::organisation_digester(secret),
        organisation_id,
        workforce,
    )
}

pub fn prepare(years: Vec<SyntheticYear>, minimum: Minimum) -> Result<Prepared, Error> {
    years
        .into_iter()
        .map(|y| {
            let figures = standards::YearFigures {
                year: ReportingYear::of(y.as_at),
                sources: standards::Sources::default(),
                indicators: standards::staff_only(&y.people, minimum)?,
                problems: Vec::new(),
            };
            let snapshot = dignity_store::workforce::Snapshot {
                id: y.organisation_id,
                organisation_id: y.organisation_id,
                kind: dignity_store::workforce::Kind::Staff,
                as_at: y.as_at,
                imported_on: y.as_at,
                row_count: i64::try_from(y.people.len()).unwrap_or(i64::MAX),
                version: Some(format!("v{}", y.organisation_id)),
            };
            Ok(PreparedOrganisation {
                organisation_id: y.organisation_id,
                years: vec![StaffYear {
                    figures,
                    as_at: y.as_at,
                    people: y.people,
                    leavers: standards::Leavers::default(),
                    imported: None,
                }],
                events: y.events,
                snapshot,
            })
        })
        .collect::<Result<Vec<_>, Error>>()
        .map(Prepared)
}

/// Every prepared organisation's fairness figures, as the page works them out: each
/// organisation's fingerprint, then its figures as `kept` holds them, or else decided
/// (matching staff to cases by digest, counting, and the disclosure decision) and kept;
/// on every core. Returns how many likelihoods are shown, so the work cannot be skipped.
/// The database reads a page makes first (a few small rows an organisation) are not in it.
pub async fn decide_prepared(
    prepared: Arc<Prepared>,
    kept: Arc<kept::KeptFairness>,
    secret: &dignity_crypto::secret::InstallationSecret,
    today: Day,
    minimum: Minimum,
) -> Result<usize, Error> {
    let digester = Arc::new(crate::justculture::organisation_digester(secret));
    let indices: Vec<usize> = (0..prepared.0.len()).collect();
    let shown = standards::on_every_core(indices, move |i| {
        let Some(organisation) = prepared.0.get(i) else {
            return Ok(0);
        };
        let print = kept::fingerprint(&kept::Inputs {
            organisation_id: organisation.organisation_id,
            minimum,
            today,
            snapshots: std::slice::from_ref(&organisation.snapshot),
            formal: &[],
            events: &organisation.events,
            units: &[],
        });
        let held = print.and_then(|p| kept.get(organisation.organisation_id, &p));
        let decided = match held {
            Some(decided) => decided,
            None => {
                let decided = Arc::new(decide_years(
                    organisation.organisation_id,
                    &[],
                    &digester,
                    &organisation.years,
                    &organisation.events,
                    today,
                    minimum,
                )?);
                if let Some(print) = print {
                    kept.put(organisation.organisation_id, print, decided.clone());
                }
                decided
            }
        };
        Ok(decided
            .iter()
            .flat_map(|d| &d.fairness.measures)
            .flat_map(|m| m.groupings.iter().flatten())
            .filter(|g| g.against_rest.is_shown())
            .count())
    })
    .await?;
    Ok(shown.into_iter().sum())
}

/// The fairness panel beside an independent check: how often staff of each group, and of
/// the record's team, started a conduct investigation in the newest settled year, as the
/// fairness page shows it. Only settled, decided figures: live counts of records by group
/// would move with each new record, and a lead who writes a record about anyone would
/// learn that person's ethnicity and disability from the change (an outside review did).
#[derive(Debug, Clone)]
pub struct Panel {
    pub year: ReportingYear,
    pub groupings: Vec<GroupingView>,
    /// The record's team (with everything below it), when it has one the page lists.
    pub unit: Option<UnitView>,
    pub minimum: u64,
}

/// The panel for the record `guide`; `None` when there is no settled year yet.
pub async fn panel(
    ctx: &Context,
    organisation: &Organisation,
    guide: &dignity_store::justculture::Guide,
) -> Result<Option<Panel>, Error> {
    let (decided, _) = decided_for(ctx, organisation).await?;
    let Some(newest) = decided.last() else {
        return Ok(None);
    };
    let Some(view) = view(newest, Measure::Conduct) else {
        return Ok(None);
    };
    let unit_name = match guide.org_unit_id {
        Some(id) => dignity_store::identity::list_org_units(&ctx.db, organisation.id)
            .await?
            .into_iter()
            .find(|u| u.id == id)
            .map(|u| u.name),
        None => None,
    };
    Ok(Some(Panel {
        year: view.year,
        unit: unit_name.and_then(|name| view.units.iter().find(|u| u.name == name).cloned()),
        groupings: view
            .groupings
            .into_iter()
            .filter(|g| matches!(g.key, "ethnicity" | "disability"))
            .collect(),
        minimum: ctx.minimums.workforce().people(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staff(n: usize, ethnicity: &str) -> Staff {
        Staff {
            person: format!("p{n}"),
            unit_id: None,
            staff_group: "nursing_midwifery_registered".into(),
            pay_grade: "band_5".into(),
            clinical: true,
            ethnicity: ethnicity.into(),
            disability: "no".into(),
            sex: "female".into(),
            age_band: "35_39".into(),
            started_on: None,
            wte: None,
            days_lost: None,
            left_on: None,
            leaving_reason: None,
        }
    }

    fn event(
        case_id: i64,
        person: usize,
        kind: CaseEventKind,
        on: Day,
        recorded: Day,
    ) -> CaseEvent {
        CaseEvent {
            case_id,
            case_type: CaseType::Conduct,
            person_digest: format!("p{person}"),
            kind,
            on,
            recorded_on: recorded,
        }
    }

    /// Counted once a person, only in the year, only if written before the year settled;
    /// the days to an outcome run from the same case's investigation.
    #[test]
    fn what_counts_towards_a_year() -> Result<(), Box<dyn std::error::Error>> {
        let year = ReportingYear::ending(2026).ok_or("year")?;
        let people: Vec<Staff> = (0..3).map(|n| staff(n, "A")).collect();
        let day = |s: &str| Day::parse(s);
        let events = vec![
            event(
                1,
                0,
                CaseEventKind::Investigation,
                day("2025-05-01")?,
                day("2025-05-01")?,
            ),
            event(
                2,
                0,
                CaseEventKind::Investigation,
                day("2025-06-01")?,
                day("2025-06-01")?,
            ),
            event(
                1,
                0,
                CaseEventKind::Outcome(Some(Outcome::FinalWrittenWarning)),
                day("2025-07-11")?,
                day("2025-07-11")?,
            ),
            // Written after the year settled: left out.
            event(
                3,
                1,
                CaseEventKind::Investigation,
                day("2026-03-01")?,
                day("2026-05-01")?,
            ),
            // Before the year: left out.
            event(
                4,
                2,
                CaseEventKind::Suspension,
                day("2025-03-31")?,
                day("2025-03-31")?,
            ),
            event(
                5,
                2,
                CaseEventKind::Suspension,
                day("2026-03-31")?,
                day("2026-04-30")?,
            ),
        ];
        let tallied = tally(year, &people, &|p: &str| p.to_owned(), &events);
        let happened: Vec<[bool; 5]> = tallied.iter().map(|p| p.happened).collect();
        assert_eq!(
            happened,
            vec![
                [true, false, false, true, true],
                [false; 5],
                [false, false, true, false, false]
            ]
        );
        assert_eq!(tallied.first().and_then(|p| p.days_to_outcome), Some(71));
        Ok(())
    }
}
