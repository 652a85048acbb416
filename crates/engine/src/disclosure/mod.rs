//! The one place where counts about people become figures that may be published.
//!
//! Every published figure is a [`Disclosed`] value, and only the functions here can make
//! one that shows something: pages, downloads and the API take `Disclosed` values, so a
//! count that skipped the rules does not type-check. Hiding is always allowed
//! ([`Disclosed::hidden`]).
//!
//! The rule (in `rules`): a group of fewer than the minimum is hidden, and a hidden group
//! must not be had by subtraction. Under a shown total, the non-empty hidden groups must be
//! none, or at least two that together hold at least the minimum and more people than
//! groups. It holds for rows, for each question's answers within groups (people skip
//! questions), down an organisation's tree and between a filtered view and everyone it
//! leaves out. The tests in `tests` attack each with an exact solver (`audit`).
//!
//! The minimum is a setting per kind of data ([`Kind`]), never below the kind's floor.

mod board;
mod figure;
mod ledger;
mod rules;
mod tree_table;
mod tree_turnover;

#[cfg(any(test, feature = "audit"))]
pub mod audit;
#[cfg(test)]
mod tests;

pub use board::board_members;
pub use figure::Figure;
pub use ledger::{Decided, Ledger, PublishedCount, median};
pub use rules::Unit;
pub use tree_table::{ShownAbove, TreeTable, tree_table};
pub use tree_turnover::{Earlier, Flows, TreeTurnover, tree_turnover};

use std::fmt;

/// A kind of data about people, each with its own smallest group that may be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Staff survey results: every count of respondents or answers.
    SurveyResults,
    /// Speak Up returns: counts of concerns raised with guardians.
    SpeakUpReturns,
    /// Workforce figures: counts of staff from payroll extracts, by group and unit.
    Workforce,
    /// Staff voice participation: counts of staff who shared ideas, commented or supported
    /// under a challenge, by organisation.
    StaffVoice,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::SurveyResults,
        Kind::SpeakUpReturns,
        Kind::Workforce,
        Kind::StaffVoice,
    ];

    /// The setting that changes this kind's minimum.
    pub const fn setting(self) -> &'static str {
        match self {
            Kind::SurveyResults => "survey_minimum_group",
            Kind::SpeakUpReturns => "speakup_small_number_threshold",
            Kind::Workforce => "workforce_minimum_group",
            Kind::StaffVoice => "voice_minimum_group",
        }
    }

    /// The smallest minimum any installation may set. Surveys: 11, the NHS Staff Survey's
    /// own reporting rule, so no organisation publishes what the national survey would not.
    /// Speak Up: 4 (counts of 1 to 3 read "fewer than 4"); below that, "fewer than 3"
    /// says a count is 1 or 2 and the complementary rule has nothing to work with.
    /// Workforce: 5. These are pages for the organisation's own leaders about its own
    /// staff, who are known to it by name, so a group of 1 to 4 (say, the one disabled
    /// consultant in a unit) is hidden; a larger floor would hide most of a small unit.
    /// Staff voice: 10. The figures are read by every member of staff, beside posts
    /// that carry chosen names and dates, so a group must be big enough that knowing a
    /// name is in it says little.
    pub const fn floor(self) -> u64 {
        match self {
            Kind::SurveyResults => 11,
            Kind::SpeakUpReturns => 4,
            Kind::Workforce => 5,
            Kind::StaffVoice => 10,
        }
    }

    /// The largest minimum: beyond it nearly every figure would be hidden.
    pub const fn ceiling(self) -> u64 {
        match self {
            Kind::SurveyResults => 100,
            Kind::SpeakUpReturns => 51,
            Kind::Workforce => 100,
            Kind::StaffVoice => 100,
        }
    }

    /// The setting's value for a minimum of `people`: Speak Up's setting names the largest
    /// count that reads "fewer than", one below its minimum.
    pub const fn setting_value(self, people: u64) -> u64 {
        match self {
            Kind::SurveyResults | Kind::Workforce | Kind::StaffVoice => people,
            Kind::SpeakUpReturns => people.saturating_sub(1),
        }
    }

    pub const fn default_minimum(self) -> u64 {
        match self {
            Kind::SurveyResults => 11,
            Kind::SpeakUpReturns => 6,
            Kind::Workforce => 10,
            Kind::StaffVoice => 10,
        }
    }
}

/// A minimum group size that has been checked against its kind's floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Minimum {
    kind: Kind,
    people: u64,
}

/// A minimum outside what its kind allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfBounds {
    pub kind: Kind,
    /// The value as the setting gave it.
    pub given: u64,
}

impl fmt::Display for OutOfBounds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind;
        write!(
            f,
            "must be from {} to {}, not {}",
            kind.setting_value(kind.floor()),
            kind.setting_value(kind.ceiling()),
            self.given
        )
    }
}

impl std::error::Error for OutOfBounds {}

impl Minimum {
    pub fn new(kind: Kind, people: u64) -> Result<Minimum, OutOfBounds> {
        if (kind.floor()..=kind.ceiling()).contains(&people) {
            Ok(Minimum { kind, people })
        } else {
            Err(OutOfBounds {
                kind,
                given: people,
            })
        }
    }

    /// From the setting's own value (see [`Kind::setting_value`]).
    pub fn from_setting(kind: Kind, value: u64) -> Result<Minimum, OutOfBounds> {
        let people = match kind {
            Kind::SurveyResults | Kind::Workforce | Kind::StaffVoice => value,
            Kind::SpeakUpReturns => value.saturating_add(1),
        };
        Minimum::new(kind, people).map_err(|_| OutOfBounds { kind, given: value })
    }

    pub const fn default_for(kind: Kind) -> Minimum {
        Minimum {
            kind,
            people: kind.default_minimum(),
        }
    }

    pub const fn kind(self) -> Kind {
        self.kind
    }

    /// The smallest group that may be shown.
    pub const fn people(self) -> u64 {
        self.people
    }
}

/// Every kind's minimum, as one installation sets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Minimums {
    survey: Minimum,
    speakup: Minimum,
    workforce: Minimum,
    voice: Minimum,
}

impl Default for Minimums {
    fn default() -> Minimums {
        Minimums {
            survey: Minimum::default_for(Kind::SurveyResults),
            speakup: Minimum::default_for(Kind::SpeakUpReturns),
            workforce: Minimum::default_for(Kind::Workforce),
            voice: Minimum::default_for(Kind::StaffVoice),
        }
    }
}

impl Minimums {
    /// From each kind's setting value, refusing any outside its kind's bounds.
    pub fn from_settings(
        survey: u64,
        speakup: u64,
        workforce: u64,
        voice: u64,
    ) -> Result<Minimums, OutOfBounds> {
        Ok(Minimums {
            survey: Minimum::from_setting(Kind::SurveyResults, survey)?,
            speakup: Minimum::from_setting(Kind::SpeakUpReturns, speakup)?,
            workforce: Minimum::from_setting(Kind::Workforce, workforce)?,
            voice: Minimum::from_setting(Kind::StaffVoice, voice)?,
        })
    }

    pub const fn get(&self, kind: Kind) -> Minimum {
        match kind {
            Kind::SurveyResults => self.survey,
            Kind::SpeakUpReturns => self.speakup,
            Kind::Workforce => self.workforce,
            Kind::StaffVoice => self.voice,
        }
    }

    pub const fn survey(&self) -> Minimum {
        self.survey
    }

    pub const fn speakup(&self) -> Minimum {
        self.speakup
    }

    pub const fn workforce(&self) -> Minimum {
        self.workforce
    }

    pub const fn voice(&self) -> Minimum {
        self.voice
    }
}

/// Whether two releases of figures about the same people may both be shown when they
/// differ by `moved` people in a table. A reader who sets the two side by side learns the
/// differences: from one or two people those are the people's own details, and from at
/// least the minimum they are a group's, as any shown count is. With nothing moved the
/// two show the same.
pub const fn apart_enough(moved: u64, minimum: Minimum) -> bool {
    moved == 0 || moved >= minimum.people
}

/// One table of a release: how many people each cell counts, by the cell's name.
pub type Cells = std::collections::BTreeMap<String, i64>;

/// How far a table moved between two releases: the fewest people whose joining, leaving
/// or changing cell explains it, which is the larger of what the cells gained and what
/// they lost. So one person changing cell moves it by one, as one joining does; summing
/// both sides let five people changing cell pass for ten (an outside attack, December
/// 2026). It is worked out from the counts, not from who is who, so people leaving and
/// joining in the same groups cancel here as they do on the page, and renumbered people
/// are no change.
pub fn moved(before: &Cells, after: &Cells) -> u64 {
    let (mut gained, mut lost) = (0u64, 0u64);
    let mut step = |from: i64, to: i64| {
        if to > from {
            gained += to.abs_diff(from);
        } else {
            lost += to.abs_diff(from);
        }
    };
    for (cell, &count) in after {
        step(before.get(cell).copied().unwrap_or(0), count);
    }
    for (cell, &count) in before {
        if !after.contains_key(cell) {
            step(count, 0);
        }
    }
    gained.max(lost)
}

/// The first table, by name, that moved by some but fewer than the minimum between two
/// releases ([`apart_enough`]); `None` when every table may be shown beside the other
/// release. A table only one release has counts as empty in the other.
pub fn first_too_close<'a>(
    before: &'a std::collections::BTreeMap<String, Cells>,
    after: &'a std::collections::BTreeMap<String, Cells>,
    minimum: Minimum,
) -> Option<&'a str> {
    let empty = Cells::new();
    after
        .keys()
        .chain(before.keys())
        .find(|name| {
            let (b, a) = (
                before.get(*name).unwrap_or(&empty),
                after.get(*name).unwrap_or(&empty),
            );
            !apart_enough(moved(b, a), minimum)
        })
        .map(String::as_str)
}

impl fmt::Display for Minimum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.people)
    }
}

/// A figure that the rules let out, or the fact that they do not. Only this module can
/// make one that shows something.
#[derive(Debug, Clone, Copy, PartialEq)]
#[must_use]
pub struct Disclosed<T>(Option<T>);

impl<T> Disclosed<T> {
    /// Hiding a figure never gives anything away.
    pub const fn hidden() -> Disclosed<T> {
        Disclosed(None)
    }

    fn shown_if(shown: bool, value: T) -> Disclosed<T> {
        Disclosed(shown.then_some(value))
    }

    pub const fn is_shown(&self) -> bool {
        self.0.is_some()
    }

    pub const fn value(&self) -> Option<&T> {
        self.0.as_ref()
    }

    pub fn into_value(self) -> Option<T> {
        self.0
    }

    /// A figure worked out from this one alone (a percentage from counts, a label), which
    /// tells no more than this one does.
    pub fn map<U>(self, work_out: impl FnOnce(T) -> U) -> Disclosed<U> {
        Disclosed(self.0.map(work_out))
    }

    /// Both figures together, shown only when both are: a figure worked out from two shown
    /// figures (a ratio, a difference) tells no more than they do.
    pub fn zip<U>(self, other: Disclosed<U>) -> Disclosed<(T, U)> {
        Disclosed(self.0.zip(other.0))
    }
}

impl<T> Disclosed<T> {
    /// Several figures together, shown only when every one is.
    pub fn all(figures: impl IntoIterator<Item = Disclosed<T>>) -> Disclosed<Vec<T>> {
        Disclosed(figures.into_iter().map(|d| d.0).collect())
    }
}

impl<T> Disclosed<T> {
    /// The figures that are shown, hidden when none is: what is worked out from them alone
    /// (a mean of the shown scores) tells no more than they do.
    pub fn those_shown(figures: impl IntoIterator<Item = Disclosed<T>>) -> Disclosed<Vec<T>> {
        let shown: Vec<T> = figures.into_iter().filter_map(|d| d.0).collect();
        Disclosed((!shown.is_empty()).then_some(shown))
    }
}

impl<T> Disclosed<Option<T>> {
    /// A worked-out figure that may not exist (no interval for no answers) reads as hidden.
    pub fn flatten(self) -> Disclosed<T> {
        Disclosed(self.0.flatten())
    }
}

/// Answers to one question among some group of people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Answers {
    /// How many gave a positive answer.
    pub positive: u64,
    /// How many answered at all.
    pub answered: u64,
}

/// How many people there are in everyone a page is about (a campaign's respondents): shown
/// when at least the minimum.
pub fn population(people: u64, minimum: Minimum) -> Disclosed<u64> {
    Disclosed::shown_if(people >= minimum.people, people)
}

/// The sizes of the groups of one breakdown of `whole` (every group, including "not
/// given", so they add up to it). A group is shown only if it is big enough and cannot be
/// had by subtracting the shown groups from the whole; nothing is shown under a hidden
/// whole.
pub fn groups(sizes: &[u64], whole: &Disclosed<u64>, minimum: Minimum) -> Vec<Disclosed<u64>> {
    if !whole.is_shown() {
        return sizes.iter().map(|_| Disclosed::hidden()).collect();
    }
    rules::breakdown(sizes, minimum.people, true)
        .into_iter()
        .zip(sizes)
        .map(|(shown, &n)| Disclosed::shown_if(shown, n))
        .collect()
}

/// The groups of a breakdown of people whose names others see beside what they did (who
/// took part in a staff voice challenge, by staff group or organisation), when only shown
/// groups are listed. Beyond [`groups`], the shown groups must leave at least the minimum
/// people unplaced: were everyone, or all but a few, in shown groups, every name seen
/// taking part would be known to be in one of them, and a name seen in two releases could
/// be placed in the one group both show (outside attack, 2026-12-07). So the smallest
/// shown groups are hidden until those left hold at least the minimum. Everyone in one
/// group, or in two, shows nothing.
pub fn groups_with_unplaced_rest(
    sizes: &[u64],
    whole: &Disclosed<u64>,
    minimum: Minimum,
) -> Vec<Disclosed<u64>> {
    let mut decided = groups(sizes, whole, minimum);
    let Some(&everyone) = whole.value() else {
        return decided;
    };
    loop {
        let placed: u64 = decided.iter().filter_map(|d| d.value()).sum();
        if everyone.saturating_sub(placed) >= minimum.people {
            return decided;
        }
        // The smallest shown group that holds anyone; of equals, the first.
        let smallest = decided
            .iter()
            .enumerate()
            .filter_map(|(at, d)| d.value().filter(|n| **n > 0).map(|n| (*n, at)))
            .min();
        match smallest.and_then(|(_, at)| decided.get_mut(at)) {
            Some(group) => *group = Disclosed::hidden(),
            None => return decided,
        }
    }
}

/// A cell's key, for [`adjusted`]: the sum of its people's record keys (each a random byte
/// per person, from a secret the database does not hold), modulo 256. The same people
/// always give the same key; one person more or fewer gives an unrelated one.
pub fn cell_key(record_keys: impl IntoIterator<Item = u8>) -> u8 {
    let sum: u64 = record_keys.into_iter().map(u64::from).sum();
    (sum % 256) as u8
}

/// A count of named people adjusted by up to 2 either way by its cell's key (the cell key
/// method the ONS used for the 2021 census): 0 for two keys in five, 1 either way for one
/// in five each, 2 either way for one in ten each, never below 0. Releases that differ by
/// one person (two challenges with nearly the same people) then differ by an unrelated
/// amount, so their difference says nothing certain about that person (outside attack,
/// 2026-12-07). Whether a group is shown must be decided on the adjusted counts too: on
/// the true ones, a group crossing the minimum between two releases would say for certain
/// that the one person between them is in it (outside attack, 2026-12-07).
pub fn adjusted(count: u64, cell_key: u8) -> u64 {
    let change: i64 = match cell_key {
        0..=25 => -2,
        26..=76 => -1,
        77..=178 => 0,
        179..=229 => 1,
        _ => 2,
    };
    let count = i64::try_from(count).unwrap_or(i64::MAX);
    u64::try_from(count.saturating_add(change)).unwrap_or(0)
}

/// A group of one of several breakdowns: (breakdown, group), each counted from 0.
pub type GroupAt = (usize, usize);

/// Several breakdowns of the same `whole` in which some groups are known to be the same
/// people (the medical staff group and the medical grades' row, say): `links` pairs
/// (breakdown, group) with (breakdown, group). Decided one by one, such a group could be
/// hidden in one breakdown and shown in the other, and the shown one would then give the
/// first breakdown's hidden remainder away. So a linked group hidden on either side is
/// hidden on both, each breakdown is decided again with it hidden, and so on until nothing
/// changes (it only ever hides more, so it ends). Groups in `hidden` are hidden from the
/// start: another page hides the same people.
pub fn linked_groups(
    breakdowns: &[Vec<u64>],
    links: &[(GroupAt, GroupAt)],
    hidden: &[GroupAt],
    whole: &Disclosed<u64>,
    minimum: Minimum,
) -> Vec<Vec<Disclosed<u64>>> {
    let mut forced: Vec<Vec<bool>> = breakdowns.iter().map(|b| vec![false; b.len()]).collect();
    for &(b, g) in hidden {
        if let Some(flag) = forced.get_mut(b).and_then(|f| f.get_mut(g)) {
            *flag = true;
        }
    }
    loop {
        let flags: Vec<Vec<bool>> = breakdowns
            .iter()
            .zip(&forced)
            .map(|(sizes, hidden)| {
                if whole.is_shown() {
                    rules::breakdown_given(sizes, hidden, minimum.people, true)
                } else {
                    vec![false; sizes.len()]
                }
            })
            .collect();
        let shown = |(b, g): (usize, usize)| {
            flags
                .get(b)
                .and_then(|f| f.get(g))
                .copied()
                .unwrap_or(false)
        };
        let mut changed = false;
        for &(one, other) in links {
            if shown(one) != shown(other) {
                for (b, g) in [one, other] {
                    if let Some(flag) = forced.get_mut(b).and_then(|f| f.get_mut(g))
                        && !*flag
                    {
                        *flag = true;
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            return flags
                .into_iter()
                .zip(breakdowns)
                .map(|(flags, sizes)| {
                    flags
                        .into_iter()
                        .zip(sizes)
                        .map(|(shown, &n)| Disclosed::shown_if(shown, n))
                        .collect()
                })
                .collect();
        }
    }
}

/// One question's answers from everyone in `whole`: shown when the whole is shown and at
/// least the minimum answered.
pub fn overall(counts: Answers, whole: &Disclosed<u64>, minimum: Minimum) -> Disclosed<Answers> {
    Disclosed::shown_if(
        whole.is_shown() && counts.answered >= minimum.people,
        counts,
    )
}

/// One question's answers in each group of a breakdown, given the groups as
/// [`groups`] decided and everyone's answers as [`overall`] decided. A hidden group hides
/// its answers; then the numbers who answered go through the same complementary rule
/// under the overall figure, because people skip questions: a group whose few answers are
/// hidden must not be had as everyone's answers minus the shown groups'. A group where
/// nobody answered reads hidden too, as it has no share to show.
pub fn answers(
    counts: &[Answers],
    groups: &[Disclosed<u64>],
    overall: &Disclosed<Answers>,
    minimum: Minimum,
) -> Vec<Disclosed<Answers>> {
    let answered: Vec<u64> = counts.iter().map(|c| c.answered).collect();
    let hidden: Vec<bool> = (0..counts.len())
        .map(|g| !groups.get(g).is_some_and(Disclosed::is_shown))
        .collect();
    rules::breakdown_given(&answered, &hidden, minimum.people, overall.is_shown())
        .into_iter()
        .zip(counts)
        .map(|(shown, &c)| Disclosed::shown_if(shown && c.answered > 0, c))
        .collect()
}

/// Everyone in `whole` who is not in `part`, for saying whether a group differs from
/// everyone else: shown when both are shown (it can be had by subtraction anyway) and it
/// is itself big enough.
pub fn rest(
    whole: &Disclosed<Answers>,
    part: &Disclosed<Answers>,
    minimum: Minimum,
) -> Disclosed<Answers> {
    match (whole.value(), part.value()) {
        (Some(w), Some(p)) => {
            let rest = Answers {
                positive: w.positive.saturating_sub(p.positive),
                answered: w.answered.saturating_sub(p.answered),
            };
            Disclosed::shown_if(rest.answered >= minimum.people, rest)
        }
        _ => Disclosed::hidden(),
    }
}

/// A mean over `people` people (a theme score, a pledge's evidence): shown when the whole
/// is shown and at least the minimum people count towards it.
pub fn mean(sum: f64, people: u64, whole: &Disclosed<u64>, minimum: Minimum) -> Disclosed<f64> {
    Disclosed::shown_if(
        whole.is_shown() && people >= minimum.people && people > 0,
        sum / people.max(1) as f64,
    )
}

/// Each unit of an organisation's tree, depth first from the root, shown or hidden so no
/// hidden unit can be had from its parent and siblings or rebuilt from its children.
pub fn tree(root: &Unit, minimum: Minimum) -> Vec<Disclosed<u64>> {
    fn sizes(unit: &Unit, out: &mut Vec<u64>) {
        out.push(unit.size());
        for child in &unit.children {
            sizes(child, out);
        }
    }
    let mut all = Vec::new();
    sizes(root, &mut all);
    rules::tree(root, minimum.people)
        .into_iter()
        .zip(all)
        .map(|(shown, n)| Disclosed::shown_if(shown, n))
        .collect()
}

/// A filtered view (say, nurses only) beside the breakdown of everyone it filters, group
/// by group: `(whole, part)`, or `None` when the filtered view may not be shown at all.
#[allow(clippy::type_complexity)]
pub fn filtered(
    whole: &[u64],
    part: &[u64],
    minimum: Minimum,
) -> Option<(Vec<Disclosed<u64>>, Vec<Disclosed<u64>>)> {
    let decided = rules::filtered(whole, part, minimum.people)?;
    let wrap = |flags: Vec<bool>, values: &[u64]| -> Vec<Disclosed<u64>> {
        flags
            .into_iter()
            .zip(values)
            .map(|(shown, &n)| Disclosed::shown_if(shown, n))
            .collect()
    };
    Some((wrap(decided.whole, whole), wrap(decided.part, part)))
}

/// A count of things that happened to people in a whole organisation's year (suspensions,
/// say): shown when none happened, which is about no one, or at least the minimum did.
pub fn happenings(count: u64, minimum: Minimum) -> Disclosed<u64> {
    Disclosed::shown_if(count == 0 || count >= minimum.people, count)
}

/// Whether an organisation's own figure may stand in a national comparison: it is a total
/// over its respondents, so the same rule as [`population`].
pub fn in_comparison<T>(people: u64, figure: T, minimum: Minimum) -> Disclosed<T> {
    Disclosed::shown_if(people >= minimum.people, figure)
}
