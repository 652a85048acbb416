//! The workforce measures of the Workforce Race Equality Standard (WRES 1 to 4 and 9) and
//! the Workforce Disability Equality Standard (WDES 1 to 3 and 10), from counts of staff
//! taken from the staff record. The survey measures (WRES 5 to 8, WDES 4 to 9) are in
//! `equality`. docs/workforce-indicators.md defines each one with a worked example.
//!
//! Every count goes into one disclosure decision (`disclosure::Ledger`) over all the tables
//! of one organisation's year, with the sums that tie them together: a band's total is the
//! sum of its groups, a cluster's total the sum of its bands' totals, the people shortlisted
//! by ethnicity are the people shortlisted by disability. So a hidden count cannot be had
//! from another table's totals. A share or a likelihood is shown only when every count it is
//! made from is shown exactly. Counts of board members are the one exception
//! (`disclosure::board_members`, which says why).

use crate::disclosure::{self, Disclosed, Ledger, Minimum, PublishedCount};
use crate::stats::Z95;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// The groups of one standard: three, in the order tables show them.
pub trait Group: Copy + Eq + fmt::Debug + 'static {
    const ALL: [Self; 3];
    /// Where the group is in [`Group::ALL`].
    fn index(self) -> usize;
    fn label(self) -> &'static str;
}

/// The WRES's groups. "Unknown" is everyone whose ethnicity is not recorded or who chose
/// not to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ethnicity {
    White,
    /// Black and minority ethnic.
    Bme,
    Unknown,
}

impl Group for Ethnicity {
    const ALL: [Ethnicity; 3] = [Ethnicity::White, Ethnicity::Bme, Ethnicity::Unknown];

    fn index(self) -> usize {
        self as usize
    }

    fn label(self) -> &'static str {
        match self {
            Ethnicity::White => "White",
            Ethnicity::Bme => "Black and minority ethnic",
            Ethnicity::Unknown => "Not known",
        }
    }
}

/// The WDES's groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Disability {
    Disabled,
    NotDisabled,
    Unknown,
}

impl Group for Disability {
    const ALL: [Disability; 3] = [
        Disability::Disabled,
        Disability::NotDisabled,
        Disability::Unknown,
    ];

    fn index(self) -> usize {
        self as usize
    }

    fn label(self) -> &'static str {
        match self {
            Disability::Disabled => "Disabled",
            Disability::NotDisabled => "Not disabled",
            Disability::Unknown => "Not known",
        }
    }
}

/// One count for each group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts<G> {
    values: [u64; 3],
    groups: PhantomData<G>,
}

impl<G> Default for Counts<G> {
    fn default() -> Counts<G> {
        Counts {
            values: [0; 3],
            groups: PhantomData,
        }
    }
}

impl<G: Group> Counts<G> {
    pub fn from_fn(count: impl FnMut(G) -> u64) -> Counts<G> {
        Counts {
            values: G::ALL.map(count),
            groups: PhantomData,
        }
    }

    pub fn get(&self, group: G) -> u64 {
        self.values.get(group.index()).copied().unwrap_or(0)
    }

    pub fn total(&self) -> u64 {
        self.values.iter().fold(0, |sum, n| sum.saturating_add(*n))
    }

    fn plus(&self, other: &Counts<G>) -> Counts<G> {
        Counts::from_fn(|g| self.get(g).saturating_add(other.get(g)))
    }
}

impl Counts<Ethnicity> {
    pub const fn ethnicity(white: u64, bme: u64, unknown: u64) -> Counts<Ethnicity> {
        Counts {
            values: [white, bme, unknown],
            groups: PhantomData,
        }
    }
}

impl Counts<Disability> {
    pub const fn disability(disabled: u64, not_disabled: u64, unknown: u64) -> Counts<Disability> {
        Counts {
            values: [disabled, not_disabled, unknown],
            groups: PhantomData,
        }
    }
}

/// A pay band: Agenda for Change bands, very senior managers, and the medical grades.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Band {
    UnderBand1,
    Afc1,
    Afc2,
    Afc3,
    Afc4,
    Afc5,
    Afc6,
    Afc7,
    Afc8a,
    Afc8b,
    Afc8c,
    Afc8d,
    Afc9,
    VerySeniorManager,
    Consultant,
    /// Doctors and dentists in career grades below consultant.
    CareerGrade,
    /// Doctors and dentists in training.
    Trainee,
    /// Other medical and dental grades (trust grade doctors, clinical fellows): WRES 1 lists
    /// them in a row of their own; WDES 1 counts them with the non-consultant career
    /// grades, so that the clusters still hold every member of staff.
    OtherMedical,
}

impl Band {
    pub const ALL: [Band; 18] = [
        Band::UnderBand1,
        Band::Afc1,
        Band::Afc2,
        Band::Afc3,
        Band::Afc4,
        Band::Afc5,
        Band::Afc6,
        Band::Afc7,
        Band::Afc8a,
        Band::Afc8b,
        Band::Afc8c,
        Band::Afc8d,
        Band::Afc9,
        Band::VerySeniorManager,
        Band::Consultant,
        Band::CareerGrade,
        Band::Trainee,
        Band::OtherMedical,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Band::UnderBand1 => "Under band 1",
            Band::Afc1 => "Band 1",
            Band::Afc2 => "Band 2",
            Band::Afc3 => "Band 3",
            Band::Afc4 => "Band 4",
            Band::Afc5 => "Band 5",
            Band::Afc6 => "Band 6",
            Band::Afc7 => "Band 7",
            Band::Afc8a => "Band 8a",
            Band::Afc8b => "Band 8b",
            Band::Afc8c => "Band 8c",
            Band::Afc8d => "Band 8d",
            Band::Afc9 => "Band 9",
            Band::VerySeniorManager => "Very senior manager",
            Band::Consultant => "Consultant",
            Band::CareerGrade => "Non-consultant career grade",
            Band::Trainee => "Trainee grade",
            Band::OtherMedical => "Other medical and dental grade",
        }
    }

    /// A medical and dental grade.
    pub fn is_medical(self) -> bool {
        matches!(
            self,
            Band::Consultant | Band::CareerGrade | Band::Trainee | Band::OtherMedical
        )
    }

    /// The WDES cluster the band is counted in.
    pub fn cluster(self) -> Cluster {
        match self {
            Band::UnderBand1 | Band::Afc1 | Band::Afc2 | Band::Afc3 | Band::Afc4 => {
                Cluster::Bands1To4
            }
            Band::Afc5 | Band::Afc6 | Band::Afc7 => Cluster::Bands5To7,
            Band::Afc8a | Band::Afc8b => Cluster::Bands8aTo8b,
            Band::Afc8c | Band::Afc8d | Band::Afc9 | Band::VerySeniorManager => {
                Cluster::Bands8cToVsm
            }
            Band::Consultant => Cluster::Consultants,
            Band::CareerGrade | Band::OtherMedical => Cluster::CareerGrades,
            Band::Trainee => Cluster::Trainees,
        }
    }
}

/// The WDES's groups of pay bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cluster {
    Bands1To4,
    Bands5To7,
    Bands8aTo8b,
    /// Bands 8c, 8d and 9 and very senior managers.
    Bands8cToVsm,
    Consultants,
    CareerGrades,
    Trainees,
}

impl Cluster {
    /// The standard's own number for it.
    pub fn number(self) -> u8 {
        self as u8 + 1
    }

    pub fn label(self) -> &'static str {
        match self {
            Cluster::Bands1To4 => "Cluster 1 (bands 1 to 4)",
            Cluster::Bands5To7 => "Cluster 2 (bands 5 to 7)",
            Cluster::Bands8aTo8b => "Cluster 3 (bands 8a and 8b)",
            Cluster::Bands8cToVsm => "Cluster 4 (bands 8c to 9 and very senior managers)",
            Cluster::Consultants => "Cluster 5 (consultants)",
            Cluster::CareerGrades => "Cluster 6 (non-consultant career grades)",
            Cluster::Trainees => "Cluster 7 (trainee grades)",
        }
    }
}

/// Whether staff work in clinical or non-clinical roles. Non-clinical first, as the
/// standards' tables list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    NonClinical,
    Clinical,
}

impl Side {
    pub fn label(self) -> &'static str {
        match self {
            Side::NonClinical => "Non-clinical",
            Side::Clinical => "Clinical",
        }
    }
}

/// Staff in post in one band on one side, counted once by ethnicity and once by disability
/// (the same people, so the two add up to the same number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaffInPost {
    pub band: Band,
    pub side: Side,
    pub ethnicity: Counts<Ethnicity>,
    pub disability: Counts<Disability>,
}

/// Applicants shortlisted and, of them, appointed, in one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recruitment<G> {
    pub shortlisted: Counts<G>,
    pub appointed: Counts<G>,
}

/// Staff who entered a formal process (disciplinary, or capability on performance) in one
/// year, and the headcount they came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormalProcess<G> {
    pub entered: Counts<G>,
    pub headcount: Counts<G>,
}

/// A formal process over the two years the standards average it over. Without last year's
/// figures the measure covers this year alone, and says so ([`Comparison::years`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TwoYears<G> {
    pub this_year: FormalProcess<G>,
    pub last_year: Option<FormalProcess<G>>,
}

/// Staff who took up training that was not mandatory, and the headcount they came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Training {
    pub accessed: Counts<Ethnicity>,
    pub headcount: Counts<Ethnicity>,
}

/// The board's members: those with a vote, and the executive members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Board<G> {
    pub voting: Counts<G>,
    pub executive: Counts<G>,
}

/// Everything the workforce measures need for one organisation and year. A measure whose
/// counts are missing is left out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorkforceYear {
    pub staff: Vec<StaffInPost>,
    pub recruitment_by_ethnicity: Option<Recruitment<Ethnicity>>,
    pub recruitment_by_disability: Option<Recruitment<Disability>>,
    pub disciplinary: Option<TwoYears<Ethnicity>>,
    pub capability: Option<TwoYears<Disability>>,
    pub training: Option<Training>,
    pub board_by_ethnicity: Option<Board<Ethnicity>>,
    pub board_by_disability: Option<Board<Disability>>,
}

/// A measure whose counts are of something happening to some of a group of people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    AppointmentsByEthnicity,
    AppointmentsByDisability,
    Disciplinary,
    Capability,
    Training,
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Measure::AppointmentsByEthnicity => "appointments by ethnicity (WRES 2)",
            Measure::AppointmentsByDisability => "appointments by disability (WDES 2)",
            Measure::Disciplinary => "formal disciplinary process (WRES 3)",
            Measure::Capability => "formal capability process (WDES 3)",
            Measure::Training => "non-mandatory training (WRES 4)",
        })
    }
}

/// Counts that cannot be right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkforceError {
    /// A band's staff by ethnicity and by disability are different numbers of people.
    StaffDisagree {
        band: Band,
        side: Side,
        by_ethnicity: u64,
        by_disability: u64,
    },
    /// More people had something happen to them than there were (more appointed than
    /// shortlisted, say).
    MoreThanThereWere {
        measure: Measure,
        group: &'static str,
        happened: u64,
        people: u64,
    },
}

impl fmt::Display for WorkforceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkforceError::StaffDisagree {
                band,
                side,
                by_ethnicity,
                by_disability,
            } => write!(
                f,
                "{} {}: {by_ethnicity} staff by ethnicity but {by_disability} by disability",
                side.label(),
                band.label().to_lowercase()
            ),
            // The counts stay out of the words: the page shows this message, and one of
            // them may be a count the decision hides.
            WorkforceError::MoreThanThereWere { measure, group, .. } => write!(
                f,
                "{measure}, {group}: more people are counted in it than there were"
            ),
        }
    }
}

impl std::error::Error for WorkforceError {}

/// One group's count in a breakdown, and its share of the breakdown's total (0 to 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupFigure<G> {
    pub group: G,
    pub count: PublishedCount,
    pub share: Disclosed<f64>,
}

/// Some people broken down by group, in [`Group::ALL`] order.
#[derive(Debug, Clone, PartialEq)]
pub struct Breakdown<G> {
    pub groups: Vec<GroupFigure<G>>,
    pub total: PublishedCount,
}

impl<G: Group> Breakdown<G> {
    pub fn get(&self, group: G) -> Option<&GroupFigure<G>> {
        self.groups.iter().find(|g| g.group == group)
    }
}

/// One row of a staff table: a band (WRES 1) or a cluster (WDES 1) on one side.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffRow<K, G> {
    pub key: K,
    pub side: Side,
    pub staff: Breakdown<G>,
}

/// WRES 1 or WDES 1: staff in post by band or cluster, against the whole workforce.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffTable<K, G> {
    pub rows: Vec<StaffRow<K, G>>,
    pub workforce: Breakdown<G>,
}

/// A ratio of two groups' rates with its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Likelihood {
    pub value: f64,
    pub low: f64,
    pub high: f64,
    /// A group had none: 0.5 was added to each count of the two-by-two table (the
    /// Haldane-Anscombe correction), so the figure is an estimate.
    pub corrected: bool,
    /// Outside 0.80 to 1.25 and its interval leaves out 1 ([`flagged`]).
    pub flagged: bool,
}

/// Why a likelihood is not shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hidden {
    /// A count it is made from is not shown exactly: too few people.
    SmallNumbers,
    /// A group has nobody in it (no one shortlisted, no staff).
    NoOneInAGroup,
    /// It happened to nobody in either group, so there is nothing to compare.
    NoneInEitherGroup,
    /// More people are counted than the group has: people who left during the year are
    /// counted in what happened to them, over the staff in post at its end, so a rate
    /// would be over 100 % and its interval wrong.
    MoreThanTheGroup,
}

/// One group's counts for a likelihood: the people, and those it happened to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupRate<G> {
    pub group: G,
    pub people: PublishedCount,
    pub happened: PublishedCount,
    /// Happened over people (0 to 1).
    pub rate: Disclosed<f64>,
}

/// A relative likelihood between two groups (WRES 2 to 4, WDES 2 and 3).
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison<G> {
    /// The group whose rate is on top of the ratio.
    pub compared: G,
    /// The group whose rate is underneath.
    pub against: G,
    /// Every group's counts, in [`Group::ALL`] order. For a two-year measure, the two
    /// years added together.
    pub groups: Vec<GroupRate<G>>,
    pub likelihood: Disclosed<Likelihood>,
    /// Set exactly when the likelihood is hidden.
    pub hidden_because: Option<Hidden>,
    /// How many years the counts cover.
    pub years: u8,
}

/// One group on the board against the workforce.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoardGroup<G> {
    pub group: G,
    pub members: Disclosed<u64>,
    /// The group's share of the board (0 to 1).
    pub share: Disclosed<f64>,
    /// The group's share of the whole workforce (0 to 1), as WRES 1 or WDES 1 shows it.
    pub workforce_share: Disclosed<f64>,
    /// The board's share minus the workforce's, in percentage points.
    pub gap_points: Disclosed<f64>,
}

/// The board's members (voting or executive) by group.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardRow<G> {
    pub members: Disclosed<u64>,
    pub groups: Vec<BoardGroup<G>>,
}

impl<G: Group> BoardRow<G> {
    pub fn get(&self, group: G) -> Option<&BoardGroup<G>> {
        self.groups.iter().find(|g| g.group == group)
    }
}

/// WRES 9 or WDES 10: the board against the workforce.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardGap<G> {
    pub voting: BoardRow<G>,
    pub executive: BoardRow<G>,
}

/// The WRES workforce measures.
#[derive(Debug, Clone, PartialEq)]
pub struct Wres {
    /// 1: staff in post by band, clinical and non-clinical.
    pub staff: StaffTable<Band, Ethnicity>,
    /// 2: white applicants appointed from shortlisting, against BME applicants.
    pub appointment: Option<Comparison<Ethnicity>>,
    /// 3: BME staff entering the formal disciplinary process, against white staff.
    pub disciplinary: Option<Comparison<Ethnicity>>,
    /// 4: white staff taking up non-mandatory training, against BME staff.
    pub training: Option<Comparison<Ethnicity>>,
    /// 9: the board against the workforce.
    pub board: Option<BoardGap<Ethnicity>>,
}

/// The WDES workforce measures.
#[derive(Debug, Clone, PartialEq)]
pub struct Wdes {
    /// 1: staff in post by cluster, clinical and non-clinical.
    pub staff: StaffTable<Cluster, Disability>,
    /// 2: non-disabled applicants appointed from shortlisting, against disabled applicants.
    pub appointment: Option<Comparison<Disability>>,
    /// 3: disabled staff entering the formal capability process, against non-disabled staff.
    pub capability: Option<Comparison<Disability>>,
    /// 10: the board against the workforce.
    pub board: Option<BoardGap<Disability>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Indicators {
    pub wres: Wres,
    pub wdes: Wdes,
    /// Nothing could protect every small count, so every count is withheld (board counts
    /// aside). Rare: it takes a year where nearly everything is small.
    pub withheld_everything: bool,
    /// Every count of the year and how it was published, for the breakdowns decided
    /// beside these tables ([`Indicators::staff_breakdowns`]).
    decision: beside::Decision,
}

/// Whether a likelihood is flagged: outside 0.80 to 1.25 (both ends count as inside)
/// and its interval leaves out 1 (an interval that only touches 1 does not).
pub fn flagged(value: f64, low: f64, high: f64) -> bool {
    !(0.8..=1.25).contains(&value) && (low > 1.0 || high < 1.0)
}

/// The ratio of two rates, `happened` of `people` in each group, with the 95 % interval
/// of Katz et al. (1978) on the log scale: ln r +- 1.96 sqrt(1/a - 1/n1 + 1/c - 1/n2).
/// When either group has none, 0.5 is added to each cell of the two-by-two table (so
/// a + 0.5 of n1 + 1), which keeps an adverse finding (some in one group, none in the
/// other) from vanishing as "cannot be worked out".
pub fn relative_likelihood((a, n1): (u64, u64), (c, n2): (u64, u64)) -> Result<Likelihood, Hidden> {
    if n1 == 0 || n2 == 0 {
        return Err(Hidden::NoOneInAGroup);
    }
    if a > n1 || c > n2 {
        return Err(Hidden::MoreThanTheGroup);
    }
    if a == 0 && c == 0 {
        return Err(Hidden::NoneInEitherGroup);
    }
    let corrected = a == 0 || c == 0;
    let shift = if corrected { 0.5 } else { 0.0 };
    let (a, c) = (a as f64 + shift, c as f64 + shift);
    let (n1, n2) = (n1 as f64 + 2.0 * shift, n2 as f64 + 2.0 * shift);
    // Cross products, one division: a ratio of exactly 4/5 or 5/4 lands exactly on the
    // flag's edges.
    let value = (a * n2) / (c * n1);
    let se = (1.0 / a - 1.0 / n1 + 1.0 / c - 1.0 / n2).max(0.0).sqrt();
    let (low, high) = ((value.ln() - Z95 * se).exp(), (value.ln() + Z95 * se).exp());
    Ok(Likelihood {
        value,
        low,
        high,
        corrected,
        flagged: flagged(value, low, high),
    })
}

/// Works out every measure and decides what may be shown, with `minimum` the smallest
/// count shown exactly (smaller ones read "fewer than").
pub fn indicators(year: &WorkforceYear, minimum: Minimum) -> Result<Indicators, WorkforceError> {
    check(year)?;
    let (used, layout, published) = decided(year, minimum);
    Ok(layout.publish(&published, &used))
}

/// The year as decided, the layout and the decision. Last year's counts are known, so a
/// two-year sum can pin this year's small count with nothing left to hide (last year 4 of
/// a "fewer than 6" pair); rather than withhold the whole year, the formal processes are
/// then this year's alone.
fn decided(year: &WorkforceYear, minimum: Minimum) -> (WorkforceYear, Layout, Published) {
    let layout = Layout::new(year);
    let published = layout.sheet.decide(minimum);
    let two_years = year.disciplinary.is_some_and(|p| p.last_year.is_some())
        || year.capability.is_some_and(|p| p.last_year.is_some());
    if !(published.stuck && two_years) {
        return (year.clone(), layout, published);
    }
    let mut this_year_only = year.clone();
    if let Some(p) = &mut this_year_only.disciplinary {
        p.last_year = None;
    }
    if let Some(p) = &mut this_year_only.capability {
        p.last_year = None;
    }
    let layout = Layout::new(&this_year_only);
    let published = layout.sheet.decide(minimum);
    (this_year_only, layout, published)
}

/// Where every count of one organisation's year sits in the disclosure decision.
#[derive(Debug, Clone)]
struct Layout {
    sheet: Sheet,
    staff: StaffCells,
    recruitment_by_ethnicity: Option<RateCells>,
    recruitment_by_disability: Option<RateCells>,
    disciplinary: Option<TwoYearCells>,
    capability: Option<TwoYearCells>,
    training: Option<RateCells>,
}

impl Layout {
    fn new(year: &WorkforceYear) -> Layout {
        let mut sheet = Sheet::default();
        let staff = StaffCells::lay_out(&mut sheet, &year.staff);

        let recruitment_by_ethnicity = year
            .recruitment_by_ethnicity
            .map(|r| RateCells::lay_out(&mut sheet, &r.appointed, &r.shortlisted));
        let recruitment_by_disability = year
            .recruitment_by_disability
            .map(|r| RateCells::lay_out(&mut sheet, &r.appointed, &r.shortlisted));
        if let (Some(e), Some(d)) = (&recruitment_by_ethnicity, &recruitment_by_disability) {
            // The same applicants by two groupings: with every group of one shown, their
            // total is known, and it is the other grouping's total too.
            sheet.same_people(&e.people, &d.people);
            sheet.same_people(&e.happened, &d.happened);
        }

        let disciplinary = year
            .disciplinary
            .map(|p| TwoYearCells::lay_out(&mut sheet, &p, &staff.ethnicity_columns));
        let capability = year
            .capability
            .map(|p| TwoYearCells::lay_out(&mut sheet, &p, &staff.disability_columns));
        if let (Some(e), Some(d)) = (&disciplinary, &capability) {
            // Both headcounts are the staff over the same two years.
            sheet.same_people(&e.rates.people, &d.rates.people);
        }

        let training = year.training.map(|t| {
            let cells = RateCells::lay_out(&mut sheet, &t.accessed, &t.headcount);
            for (&people, &column) in cells.people.iter().zip(&staff.ethnicity_columns) {
                sheet.same_if_equal(column, people);
            }
            cells
        });
        Layout {
            sheet,
            staff,
            recruitment_by_ethnicity,
            recruitment_by_disability,
            disciplinary,
            capability,
            training,
        }
    }

    fn publish(&self, published: &Published, year: &WorkforceYear) -> Indicators {
        let wres_staff = self.staff.wres(published);
        let wdes_staff = self.staff.wdes(published);
        let wres = Wres {
            appointment: self
                .recruitment_by_ethnicity
                .map(|c| c.compare(published, Ethnicity::White, Ethnicity::Bme, 1)),
            disciplinary: self
                .disciplinary
                .map(|c| c.compare(published, Ethnicity::Bme, Ethnicity::White)),
            training: self
                .training
                .map(|c| c.compare(published, Ethnicity::White, Ethnicity::Bme, 1)),
            board: year
                .board_by_ethnicity
                .map(|b| board_gap(&b, &wres_staff.workforce)),
            staff: wres_staff,
        };
        let wdes = Wdes {
            appointment: self
                .recruitment_by_disability
                .map(|c| c.compare(published, Disability::NotDisabled, Disability::Disabled, 1)),
            capability: self
                .capability
                .map(|c| c.compare(published, Disability::Disabled, Disability::NotDisabled)),
            board: year
                .board_by_disability
                .map(|b| board_gap(&b, &wdes_staff.workforce)),
            staff: wdes_staff,
        };
        Indicators {
            wres,
            wdes,
            withheld_everything: published.stuck,
            decision: beside::Decision {
                sheet: self.sheet.clone(),
                published: published.clone(),
                bands: self
                    .staff
                    .bands
                    .iter()
                    .map(|&(key, cells)| (key, cells.total))
                    .collect(),
                grand: self.staff.ethnicity_whole.total,
            },
        }
    }
}

/// Refuses counts that cannot be right before anything is worked out from them.
fn check(year: &WorkforceYear) -> Result<(), WorkforceError> {
    for row in &year.staff {
        if row.ethnicity.total() != row.disability.total() {
            return Err(WorkforceError::StaffDisagree {
                band: row.band,
                side: row.side,
                by_ethnicity: row.ethnicity.total(),
                by_disability: row.disability.total(),
            });
        }
    }
    fn within<G: Group>(
        measure: Measure,
        happened: &Counts<G>,
        people: &Counts<G>,
    ) -> Result<(), WorkforceError> {
        match G::ALL
            .into_iter()
            .find(|&g| happened.get(g) > people.get(g))
        {
            Some(g) => Err(WorkforceError::MoreThanThereWere {
                measure,
                group: g.label(),
                happened: happened.get(g),
                people: people.get(g),
            }),
            None => Ok(()),
        }
    }
    if let Some(r) = &year.recruitment_by_ethnicity {
        within(
            Measure::AppointmentsByEthnicity,
            &r.appointed,
            &r.shortlisted,
        )?;
    }
    if let Some(r) = &year.recruitment_by_disability {
        within(
            Measure::AppointmentsByDisability,
            &r.appointed,
            &r.shortlisted,
        )?;
    }
    // Formal processes are not checked so: they count people who left in the year too,
    // over the staff in post at its end, so a small group's count may be more than it
    // has (its rate and likelihood are then not shown: [`Hidden::MoreThanTheGroup`]).
    if let Some(t) = &year.training {
        within(Measure::Training, &t.accessed, &t.headcount)?;
    }
    Ok(())
}

/// What a page may do with a count of the sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    /// Shown if the decision lets it.
    Shown,
    /// Never shown, but people all the same (the applicants not appointed).
    Never,
    /// Shown on another page the decision does not make (last year's), so taken as known.
    Known,
}

/// Every count of one organisation's year, published or not, and the sums between them,
/// before the disclosure decision.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Sheet {
    values: Vec<u64>,
    /// Whether a page may show the count (if the decision lets it); the others are never
    /// shown but are people all the same (the applicants not appointed).
    published: Vec<Cell>,
    sums: Vec<(usize, Vec<usize>)>,
}

impl Sheet {
    fn shown(&mut self, value: u64) -> usize {
        self.push(value, Cell::Shown)
    }

    fn never(&mut self, value: u64) -> usize {
        self.push(value, Cell::Never)
    }

    /// A count the reader may know from another page (last year's): see `Ledger::known`.
    fn known(&mut self, value: u64) -> usize {
        self.push(value, Cell::Known)
    }

    fn push(&mut self, value: u64, kind: Cell) -> usize {
        self.values.push(value);
        self.published.push(kind);
        self.values.len() - 1
    }

    fn value(&self, cell: usize) -> u64 {
        self.values.get(cell).copied().unwrap_or(0)
    }

    fn sum(&mut self, total: usize, parts: Vec<usize>) {
        if !parts.is_empty() {
            self.sums.push((total, parts));
        }
    }

    /// Two counts of the same people (training's headcount and the staff in post): tied
    /// when they agree, as then anyone may take one for the other.
    fn same_if_equal(&mut self, a: usize, b: usize) {
        if self.value(a) == self.value(b) {
            self.sum(a, vec![b]);
        }
    }

    /// Two breakdowns of the same people by different groupings: their totals are one
    /// unpublished count, when they agree.
    fn same_people(&mut self, one: &[usize], other: &[usize]) {
        let total = |cells: &[usize]| cells.iter().map(|&c| self.value(c)).sum::<u64>();
        let value = total(one);
        if value == total(other) {
            let whole = self.never(value);
            self.sum(whole, one.to_vec());
            self.sum(whole, other.to_vec());
        }
    }

    /// The disclosure decision over every count at once.
    fn decide(&self, minimum: Minimum) -> Published {
        let mut ledger = Ledger::new(minimum);
        let cells: Vec<usize> = self
            .values
            .iter()
            .zip(&self.published)
            .map(|(&value, &kind)| match kind {
                Cell::Shown => ledger.shown(value),
                Cell::Never => ledger.never(value),
                Cell::Known => ledger.known(value),
            })
            .collect();
        let at = |cell: usize| cells.get(cell).copied().unwrap_or(usize::MAX);
        for (total, parts) in &self.sums {
            ledger.sum(at(*total), parts.iter().map(|&p| at(p)).collect());
        }
        // Rows, columns and linked tables cross, so narrowing sum by sum is not enough:
        // see `Ledger::decide_exactly`.
        let decided = ledger.decide_exactly();
        // Where nothing can free a small count (a year where nearly everything is small),
        // nothing is shown.
        let stuck = !decided.stuck().is_empty();
        let counts = if !stuck {
            cells
                .iter()
                .zip(&self.published)
                .map(|(&c, &kind)| {
                    if kind == Cell::Shown {
                        decided.published(c)
                    } else {
                        PublishedCount::WITHHELD
                    }
                })
                .collect()
        } else {
            vec![PublishedCount::WITHHELD; cells.len()]
        };
        Published { counts, stuck }
    }
}

/// How each count of a [`Sheet`] is published.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Published {
    counts: Vec<PublishedCount>,
    /// Nothing could free every small count, so nothing is shown.
    stuck: bool,
}

impl Published {
    fn get(&self, cell: usize) -> PublishedCount {
        self.counts
            .get(cell)
            .copied()
            .unwrap_or(PublishedCount::WITHHELD)
    }
}

/// A share of a total, from published counts; none when the count is more than the total
/// (people who left, counted over those still in post).
fn share(count: PublishedCount, total: PublishedCount) -> Disclosed<f64> {
    count
        .disclosed()
        .zip(total.disclosed())
        .map(|(n, total)| (total > 0 && n <= total).then(|| n as f64 / total as f64))
        .flatten()
}

/// A breakdown's cells: a count for each group and their total.
#[derive(Debug, Clone, Copy)]
struct BreakdownCells {
    groups: [usize; 3],
    total: usize,
}

impl BreakdownCells {
    fn publish<G: Group>(&self, published: &Published) -> Breakdown<G> {
        let total = published.get(self.total);
        Breakdown {
            groups: G::ALL
                .into_iter()
                .zip(self.groups)
                .map(|(group, cell)| {
                    let count = published.get(cell);
                    GroupFigure {
                        group,
                        count,
                        share: share(count, total),
                    }
                })
                .collect(),
            total,
        }
    }
}

/// The cells of WRES 1 and WDES 1, laid out together: they count the same staff, and each
/// cluster's total is the sum of its bands' totals.
#[derive(Debug, Clone)]
struct StaffCells {
    bands: Vec<((Side, Band), BreakdownCells)>,
    clusters: Vec<((Side, Cluster), BreakdownCells)>,
    ethnicity_columns: [usize; 3],
    disability_columns: [usize; 3],
    ethnicity_whole: BreakdownCells,
    disability_whole: BreakdownCells,
}

impl StaffCells {
    fn lay_out(sheet: &mut Sheet, staff: &[StaffInPost]) -> StaffCells {
        // Rows for the same band and side are added together.
        let mut bands: BTreeMap<(Side, Band), (Counts<Ethnicity>, Counts<Disability>)> =
            BTreeMap::new();
        for row in staff {
            let entry = bands.entry((row.side, row.band)).or_default();
            *entry = (entry.0.plus(&row.ethnicity), entry.1.plus(&row.disability));
        }
        let mut band_cells = Vec::new();
        // Each cluster's disability counts and its bands' total cells.
        let mut clusters: BTreeMap<(Side, Cluster), (Counts<Disability>, Vec<usize>)> =
            BTreeMap::new();
        for (&(side, band), (ethnicity, disability)) in &bands {
            let cells = breakdown(sheet, ethnicity);
            band_cells.push(((side, band), cells));
            let cluster = clusters.entry((side, band.cluster())).or_default();
            cluster.0 = cluster.0.plus(disability);
            cluster.1.push(cells.total);
        }
        let mut cluster_cells = Vec::new();
        for (&key, (disability, band_totals)) in &clusters {
            let cells = breakdown(sheet, disability);
            sheet.sum(cells.total, band_totals.clone());
            cluster_cells.push((key, cells));
        }
        let everyone: u64 = bands.values().map(|(e, _)| e.total()).sum();
        let grand = sheet.shown(everyone);
        let ethnicity_columns = columns::<Ethnicity>(sheet, grand, &band_cells);
        let disability_columns = columns::<Disability>(sheet, grand, &cluster_cells);
        // The grand total over the clusters, not the bands: where one cluster holds every
        // band, the two are then one count, not two sums of the same parts (which the
        // decision's narrowing could not tell are equal).
        sheet.sum(grand, cluster_cells.iter().map(|(_, c)| c.total).collect());
        StaffCells {
            bands: band_cells,
            clusters: cluster_cells,
            ethnicity_columns,
            disability_columns,
            ethnicity_whole: BreakdownCells {
                groups: ethnicity_columns,
                total: grand,
            },
            disability_whole: BreakdownCells {
                groups: disability_columns,
                total: grand,
            },
        }
    }

    fn wres(&self, published: &Published) -> StaffTable<Band, Ethnicity> {
        StaffTable {
            rows: self
                .bands
                .iter()
                .map(|&((side, key), cells)| StaffRow {
                    key,
                    side,
                    staff: cells.publish(published),
                })
                .collect(),
            workforce: self.ethnicity_whole.publish(published),
        }
    }

    fn wdes(&self, published: &Published) -> StaffTable<Cluster, Disability> {
        StaffTable {
            rows: self
                .clusters
                .iter()
                .map(|&((side, key), cells)| StaffRow {
                    key,
                    side,
                    staff: cells.publish(published),
                })
                .collect(),
            workforce: self.disability_whole.publish(published),
        }
    }
}

/// A row of a table: a cell for each group, and their total.
fn breakdown<G: Group>(sheet: &mut Sheet, counts: &Counts<G>) -> BreakdownCells {
    let groups = G::ALL.map(|g| sheet.shown(counts.get(g)));
    let total = sheet.shown(counts.total());
    sheet.sum(total, groups.to_vec());
    BreakdownCells { groups, total }
}

/// The whole workforce's count of each group: the sum of the group's cells in every row,
/// and together the grand total.
fn columns<G: Group>(
    sheet: &mut Sheet,
    grand: usize,
    rows: &[(impl Sized, BreakdownCells)],
) -> [usize; 3] {
    let columns = G::ALL.map(|g| {
        let cells: Vec<usize> = rows
            .iter()
            .filter_map(|(_, r)| r.groups.get(g.index()).copied())
            .collect();
        let value = cells.iter().map(|&c| sheet.value(c)).sum();
        let column = sheet.shown(value);
        sheet.sum(column, cells);
        column
    });
    sheet.sum(grand, columns.to_vec());
    columns
}

/// The cells of a likelihood's counts: for each group, the people, those it happened to,
/// and (never shown) those it did not.
#[derive(Debug, Clone, Copy)]
struct RateCells {
    people: [usize; 3],
    happened: [usize; 3],
}

impl RateCells {
    fn lay_out<G: Group>(sheet: &mut Sheet, happened: &Counts<G>, people: &Counts<G>) -> Self {
        let mut cells = RateCells {
            people: [0; 3],
            happened: [0; 3],
        };
        for ((g, p), h) in G::ALL
            .into_iter()
            .zip(&mut cells.people)
            .zip(&mut cells.happened)
        {
            (*p, *h) = sheet.rate(happened.get(g), people.get(g));
        }
        cells
    }

    fn compare<G: Group>(
        &self,
        published: &Published,
        compared: G,
        against: G,
        years: u8,
    ) -> Comparison<G> {
        let groups: Vec<GroupRate<G>> = G::ALL
            .into_iter()
            .zip(self.people.iter().zip(&self.happened))
            .map(|(group, (&p, &h))| {
                let (people, happened) = (published.get(p), published.get(h));
                GroupRate {
                    group,
                    people,
                    happened,
                    rate: share(happened, people),
                }
            })
            .collect();
        let counts = |g: G| {
            groups
                .iter()
                .find(|r| r.group == g)
                .map_or(Disclosed::hidden(), |r| {
                    r.happened.disclosed().zip(r.people.disclosed())
                })
        };
        let worked_out = counts(compared)
            .zip(counts(against))
            .map(|(top, bottom)| relative_likelihood(top, bottom));
        let hidden_because = match worked_out.value() {
            None => Some(Hidden::SmallNumbers),
            Some(Err(why)) => Some(*why),
            Some(Ok(_)) => None,
        };
        Comparison {
            compared,
            against,
            groups,
            likelihood: worked_out.map(Result::ok).flatten(),
            hidden_because,
            years,
        }
    }
}

impl Sheet {
    /// One group's rate: the people and those it happened to are published, those it did
    /// not happen to are not (but a page showing the other two gives them away, so they
    /// are in the decision).
    ///
    /// A formal process counts people who left during the year over the staff in post at
    /// its end, so in a small group more can have entered one than there are now: the
    /// count is then the people plus those beyond them (never shown), which is as true a
    /// sum, so the decision still holds every tie a reader could use.
    fn rate(&mut self, happened: u64, people: u64) -> (usize, usize) {
        let people_cell = self.shown(people);
        let happened_cell = self.shown(happened);
        self.tie_rate((people_cell, people), (happened_cell, happened));
        (people_cell, happened_cell)
    }

    /// Ties a count to the people it is out of, each a (cell, value): the people are the
    /// count plus the rest, or the count is the people plus those beyond them.
    fn tie_rate(
        &mut self,
        (people_cell, people): (usize, u64),
        (happened_cell, happened): (usize, u64),
    ) {
        if happened <= people {
            let rest = self.never(people - happened);
            self.sum(people_cell, vec![happened_cell, rest]);
        } else {
            let beyond = self.never(happened - people);
            self.sum(happened_cell, vec![people_cell, beyond]);
        }
    }
}

/// A formal process over two years: the published rates are the two years added together;
/// each year's counts are never shown, but they are people, and this year's headcount may
/// be the staff in post shown in WRES 1 or WDES 1.
#[derive(Debug, Clone, Copy)]
struct TwoYearCells {
    rates: RateCells,
    years: u8,
    /// Each group where a year's count was more than that year's headcount (people who
    /// left, counted over those in post): its two-year rate would mislead, so no
    /// likelihood is shown with it.
    over: [bool; 3],
}

impl TwoYearCells {
    fn compare<G: Group>(&self, published: &Published, compared: G, against: G) -> Comparison<G> {
        let mut comparison = self.rates.compare(published, compared, against, self.years);
        let over = |g: G| {
            G::ALL
                .into_iter()
                .position(|x| x == g)
                .and_then(|i| self.over.get(i))
                .copied()
                .unwrap_or(false)
        };
        if over(compared) || over(against) {
            comparison.likelihood = Disclosed::hidden();
            comparison.hidden_because = Some(Hidden::MoreThanTheGroup);
        }
        comparison
    }
}

impl TwoYearCells {
    fn lay_out<G: Group>(
        sheet: &mut Sheet,
        process: &TwoYears<G>,
        staff_columns: &[usize; 3],
    ) -> TwoYearCells {
        let last = process.last_year.unwrap_or(FormalProcess {
            entered: Counts::default(),
            headcount: Counts::default(),
        });
        let entered = process.this_year.entered.plus(&last.entered);
        let headcount = process.this_year.headcount.plus(&last.headcount);
        let rates = RateCells::lay_out(sheet, &entered, &headcount);
        for (g, ((&people, &happened), &column)) in G::ALL
            .into_iter()
            .zip(rates.people.iter().zip(&rates.happened).zip(staff_columns))
        {
            let this_year = &process.this_year;
            let headcount_now = if process.last_year.is_some() {
                // Last year's counts are on last year's page (as its own figures or inside
                // its two-year sums), so they are taken as known: the two-year sum less
                // them gives this year's, which must then be a count this year may show.
                // (The outside attack of December 2026 took a hidden BME headcount and a
                // small number of disciplinary cases this way.)
                let now = sheet.never(this_year.headcount.get(g));
                let then = sheet.known(last.headcount.get(g));
                sheet.sum(people, vec![now, then]);
                let entered_now = sheet.shown(this_year.entered.get(g));
                let entered_then = sheet.known(last.entered.get(g));
                sheet.sum(happened, vec![entered_now, entered_then]);
                // This year's count and headcount tie as any rate's do (an outside review
                // had this year's beyond the headcount from the two years less the last).
                sheet.tie_rate(
                    (now, this_year.headcount.get(g)),
                    (entered_now, this_year.entered.get(g)),
                );
                now
            } else {
                people
            };
            sheet.same_if_equal(column, headcount_now);
        }
        let mut over = [false; 3];
        for (slot, g) in over.iter_mut().zip(G::ALL) {
            *slot = std::iter::once(&process.this_year)
                .chain(process.last_year.as_ref())
                .any(|y| y.entered.get(g) > y.headcount.get(g));
        }
        TwoYearCells {
            rates,
            years: if process.last_year.is_some() { 2 } else { 1 },
            over,
        }
    }
}

/// WRES 9 or WDES 10 from the board's counts and the whole workforce as published.
fn board_gap<G: Group>(board: &Board<G>, workforce: &Breakdown<G>) -> BoardGap<G> {
    let row = |counts: &Counts<G>| {
        let members = disclosure::board_members(counts.total());
        BoardRow {
            members,
            groups: G::ALL
                .into_iter()
                .map(|group| {
                    let in_group = disclosure::board_members(counts.get(group));
                    let share = in_group
                        .zip(members)
                        .map(|(n, total)| (total > 0).then(|| n as f64 / total as f64))
                        .flatten();
                    let workforce_share = workforce
                        .get(group)
                        .map_or(Disclosed::hidden(), |g| g.share);
                    BoardGroup {
                        group,
                        members: in_group,
                        share,
                        workforce_share,
                        gap_points: share
                            .zip(workforce_share)
                            .map(|(board, staff)| 100.0 * (board - staff)),
                    }
                })
                .collect(),
        }
    };
    BoardGap {
        voting: row(&board.voting),
        executive: row(&board.executive),
    }
}

mod beside;
pub use beside::GroupByBand;

#[cfg(test)]
mod tests;
