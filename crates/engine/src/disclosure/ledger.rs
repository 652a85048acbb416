//! Speak Up counts: one complementary-suppression decision over every count published
//! together, where a small count reads "fewer than N" rather than hidden.
//!
//! Counts are cells; a sum says one cell is the total of others (a return's cases split by
//! professional group, a quarter's cases split into anonymous and the rest, a trend's
//! period total over its quarters). Some cells are never shown but are still people (the
//! cases that were not anonymous). A cell from 1 to the threshold must never be worked out
//! exactly from what is shown: after hiding small counts, the decision works out, from
//! every shown figure and every sum, the least and greatest value each cell could have,
//! and while any small cell is pinned to one value it withholds one more shown count next
//! to it, and looks again.

#![expect(
    clippy::indexing_slicing,
    reason = "cells and sums are indices the ledger handed out itself"
)]

use super::{Disclosed, Minimum};
use std::fmt;

/// A count as it may be published: exact, "fewer than N" because it is small enough to
/// point at a person, or withheld. Only this module makes one that shows a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishedCount(Count);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Count {
    Exact(u64),
    FewerThan(u64),
    /// Not small itself, but hidden so that a small count beside it cannot be worked out
    /// by subtraction.
    Withheld,
}

impl PublishedCount {
    /// No cases at all: shown, as it identifies nobody.
    pub const NONE: PublishedCount = PublishedCount(Count::Exact(0));

    /// Withholding a count never gives anything away.
    pub const WITHHELD: PublishedCount = PublishedCount(Count::Withheld);

    pub fn is_hidden(self) -> bool {
        !matches!(self.0, Count::Exact(_))
    }

    /// The count, when it is shown exactly.
    pub fn exact(self) -> Option<u64> {
        match self.0 {
            Count::Exact(n) => Some(n),
            _ => None,
        }
    }

    /// N, when the count reads "fewer than N".
    pub fn fewer_than(self) -> Option<u64> {
        match self.0 {
            Count::FewerThan(n) => Some(n),
            _ => None,
        }
    }

    pub fn is_withheld(self) -> bool {
        self.0 == Count::Withheld
    }

    /// The count as a disclosed figure, shown when it is shown exactly: a share or a ratio
    /// worked out from published counts then goes through [`Disclosed::zip`] and
    /// [`Disclosed::map`] like any other figure, and tells no more than the counts do.
    pub fn disclosed(self) -> Disclosed<u64> {
        match self.0 {
            Count::Exact(n) => Disclosed::shown_if(true, n),
            _ => Disclosed::hidden(),
        }
    }

    /// A total over published counts: exact when every part is exact (it then tells
    /// nothing more than they do), withheld otherwise.
    pub fn total_of(parts: &[PublishedCount]) -> PublishedCount {
        parts
            .iter()
            .map(|p| p.exact())
            .sum::<Option<u64>>()
            .map_or(PublishedCount::WITHHELD, |n| {
                PublishedCount(Count::Exact(n))
            })
    }
}

/// Counts from 1 to `threshold` are shown as "fewer than threshold + 1". Zero is shown:
/// it identifies nobody. Only the first step: [`Ledger::decide`] does the rest.
fn publish_count(count: u64, threshold: u64) -> PublishedCount {
    if count >= 1 && count <= threshold {
        PublishedCount(Count::FewerThan(threshold + 1))
    } else {
        PublishedCount(Count::Exact(count))
    }
}

impl fmt::Display for PublishedCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Count::Exact(n) => write!(f, "{n}"),
            Count::FewerThan(n) => write!(f, "fewer than {n}"),
            Count::Withheld => f.write_str("not shown"),
        }
    }
}

/// In JSON an exact count is a number and a hidden one is the words people see, so no
/// program can mistake "fewer than 6" for 6.
#[cfg(feature = "serde")]
impl serde::Serialize for PublishedCount {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Count::Exact(n) => serializer.serialize_u64(n),
            _ => serializer.collect_str(self),
        }
    }
}

/// In the API's description: a whole number, or the words shown instead of a small count.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for PublishedCount {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(0)),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some("^(fewer than [0-9]+|not shown)$")),
            )
            .description(Some(
                "A count, or words in its place when it is small enough to point at a person",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for PublishedCount {}

/// The middle of some values (days to a first reply, say), shown only when there are at
/// least the minimum of them.
pub fn median(mut values: Vec<i64>, minimum: Minimum) -> Disclosed<i64> {
    values.sort_unstable();
    match values.get(values.len() / 2) {
        Some(&middle) => Disclosed::shown_if(values.len() as u64 >= minimum.people(), middle),
        None => Disclosed::hidden(),
    }
}

/// How a cell is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Shown,
    /// From 1 to the threshold: shown as "fewer than threshold + 1".
    Small,
    /// Above the threshold, hidden so a small count beside it cannot be worked out.
    Withheld,
    /// Not published anywhere, but made of people.
    Never,
}

#[derive(Debug, Clone)]
struct Sum {
    total: usize,
    parts: Vec<usize>,
}

/// The cells and sums published together, and the decision.
#[derive(Debug, Clone)]
pub struct Ledger {
    threshold: u64,
    values: Vec<u64>,
    states: Vec<State>,
    /// Decided already elsewhere (another page shows it): never changed here.
    fixed: Vec<bool>,
    /// Reads "fewer than" though it may be zero: a part of a total that reads "fewer
    /// than", where zeros read "fewer than" too, so that the parts that are not zero
    /// cannot be counted (five places with one case each under a total below 6 would
    /// otherwise each be 1).
    may_be_zero: Vec<bool>,
    sums: Vec<Sum>,
    /// The sums each cell is in, each once, in the order they were added: narrowing
    /// revisits only the sums next to a cell that moved.
    sums_of: Vec<Vec<usize>>,
}

/// As good as unbounded, with room to add without overflow.
const MANY: u64 = u64::MAX / 1024;

impl Ledger {
    pub fn new(minimum: Minimum) -> Ledger {
        Ledger {
            threshold: minimum.people().saturating_sub(1),
            values: Vec::new(),
            states: Vec::new(),
            fixed: Vec::new(),
            may_be_zero: Vec::new(),
            sums: Vec::new(),
            sums_of: Vec::new(),
        }
    }

    /// A published count; returns its cell.
    pub fn shown(&mut self, value: u64) -> usize {
        let state = match publish_count(value, self.threshold).0 {
            Count::Exact(_) => State::Shown,
            _ => State::Small,
        };
        self.push(value, state, false)
    }

    /// As [`Ledger::shown`], but a zero reads "fewer than" too, as it may be zero: for a
    /// count whose zero would pin a small count next to it that nothing could then free (a
    /// zero cannot be withheld, as withheld says more than the threshold).
    pub fn shown_but_zero(&mut self, value: u64) -> usize {
        if value > 0 {
            return self.shown(value);
        }
        let cell = self.push(0, State::Small, false);
        self.may_be_zero[cell] = true;
        cell
    }

    /// A count that is never published, such as the cases that were not anonymous.
    pub fn never(&mut self, value: u64) -> usize {
        self.push(value, State::Never, false)
    }

    /// A count decided already, as another page publishes it.
    pub fn fixed(&mut self, value: u64, published: PublishedCount) -> usize {
        let state = match published.0 {
            Count::Exact(_) => State::Shown,
            Count::FewerThan(_) => State::Small,
            Count::Withheld => State::Withheld,
        };
        let cell = self.push(value, state, true);
        // A zero that reads "fewer than" was masked where it was decided.
        self.may_be_zero[cell] = state == State::Small && value == 0;
        cell
    }

    /// A fixed count that reads "fewer than" where zeros read so too (a part of a total
    /// that reads "fewer than", where that decision masked its zeros): it may be zero.
    pub fn may_be_zero(&mut self, cell: usize) {
        if self.fixed.get(cell) == Some(&true) && self.states.get(cell) == Some(&State::Small) {
            self.may_be_zero[cell] = true;
        }
    }

    /// A count someone may know exactly from elsewhere (another year's page, say): taken
    /// as shown, and nothing here can hide it. Assuming too much is known only ever hides
    /// more.
    pub fn known(&mut self, value: u64) -> usize {
        self.push(value, State::Shown, true)
    }

    fn push(&mut self, value: u64, state: State, fixed: bool) -> usize {
        self.values.push(value);
        self.states.push(state);
        self.fixed.push(fixed);
        self.may_be_zero.push(false);
        // A sum may have named this cell before it was pushed ([`Ledger::sum`]).
        if self.sums_of.len() < self.values.len() {
            self.sums_of.push(Vec::new());
        }
        self.values.len() - 1
    }

    /// `total` is the sum of `parts`.
    ///
    /// The cells may be pushed before or after: each is indexed either way, so no sum is
    /// missed when its neighbours are narrowed. Every cell must be pushed before
    /// [`Ledger::decide`].
    pub fn sum(&mut self, total: usize, parts: Vec<usize>) {
        let s = self.sums.len();
        for &cell in std::iter::once(&total).chain(&parts) {
            if self.sums_of.len() <= cell {
                self.sums_of.resize_with(cell + 1, Vec::new);
            }
            if let Some(of) = self.sums_of.get_mut(cell)
                && !of.contains(&s)
            {
                of.push(s);
            }
        }
        self.sums.push(Sum { total, parts });
    }

    /// The cell's true value.
    pub fn value(&self, cell: usize) -> u64 {
        self.values.get(cell).copied().unwrap_or(0)
    }

    /// How the cell would read as things stand: only a [`Decided`] ledger publishes.
    fn reads(&self, cell: usize) -> PublishedCount {
        PublishedCount(match (self.states.get(cell), self.values.get(cell)) {
            (Some(State::Shown), Some(&n)) => Count::Exact(n),
            (Some(State::Small), _) => Count::FewerThan(self.threshold + 1),
            _ => Count::Withheld,
        })
    }

    /// What someone who sees every published cell knows of each cell: its least and
    /// greatest possible value. Worked out by narrowing along the sums, so the range may
    /// be wider than the truth for tangled tables, never narrower.
    pub fn ranges(&self) -> Vec<(u64, u64)> {
        let mut r = self.read_as();
        // A sum is looked at again only if one of its cells moved since it last narrowed
        // something or was last looked at: narrowing reads nothing but its own cells, so one
        // that narrowed nothing last time, with its cells as they were, would narrow nothing
        // again. Skipping it leaves every pass, and so the ranges, as they were.
        let mut stale = vec![true; self.sums.len()];
        for _ in 0..64 {
            // Whether this pass narrowed anything: the same test as comparing the ranges
            // before and after it, without copying them each pass.
            let mut changed = false;
            for (s, sum) in self.sums.iter().enumerate() {
                if !std::mem::replace(&mut stale[s], false) {
                    continue;
                }
                // Saturating: a system with no solution must not overflow, only stop narrowing.
                let low: u64 = sum
                    .parts
                    .iter()
                    .map(|&p| r[p].0)
                    .fold(0, u64::saturating_add);
                let high: u64 = sum
                    .parts
                    .iter()
                    .map(|&p| r[p].1)
                    .fold(0, u64::saturating_add);
                let total = (r[sum.total].0.max(low), r[sum.total].1.min(high));
                if r[sum.total] != total {
                    r[sum.total] = total;
                    changed = true;
                    self.mark_stale(sum.total, &mut stale);
                }
                for &p in &sum.parts {
                    let others_low = low.saturating_sub(r[p].0);
                    let others_high = high.saturating_sub(r[p].1);
                    let lo = if high >= MANY {
                        r[p].0
                    } else {
                        r[p].0.max(total.0.saturating_sub(others_high))
                    };
                    let hi = r[p].1.min(total.1.saturating_sub(others_low));
                    let narrowed = (lo, hi.max(lo));
                    if r[p] != narrowed {
                        r[p] = narrowed;
                        changed = true;
                        self.mark_stale(p, &mut stale);
                    }
                }
            }
            if !changed {
                break;
            }
        }
        r
    }

    /// Every sum `cell` is in must be looked at again.
    fn mark_stale(&self, cell: usize, stale: &mut [bool]) {
        for &s in &self.sums_of[cell] {
            stale[s] = true;
        }
    }

    /// What each cell's own reading says of it, before any sum is used.
    fn read_as(&self) -> Vec<(u64, u64)> {
        let t = self.threshold;
        self.states
            .iter()
            .zip(&self.values)
            .enumerate()
            .map(|(i, (s, &v))| match s {
                State::Shown => (v, v),
                State::Small if self.may_be_zero[i] => (0, t),
                State::Small => (1, t),
                State::Withheld => (t + 1, MANY),
                State::Never => (0, MANY),
            })
            .collect()
    }

    /// Under a total that reads "fewer than", every part reads "fewer than", zeros too
    /// (where this ledger decides all the parts).
    fn mask_zeros(&mut self) {
        loop {
            let mut changed = false;
            for s in 0..self.sums.len() {
                let sum = &self.sums[s];
                if self.states[sum.total] != State::Small
                    || sum.parts.iter().any(|&p| self.fixed[p])
                {
                    continue;
                }
                for p in sum.parts.clone() {
                    if self.states[p] == State::Shown && self.values[p] == 0 {
                        self.states[p] = State::Small;
                        changed = true;
                    }
                    if self.states[p] == State::Small && !self.may_be_zero[p] {
                        self.may_be_zero[p] = true;
                        changed = true;
                    }
                }
            }
            if !changed {
                return;
            }
        }
    }

    /// Small cells (shown as small, or never shown) whose value is pinned.
    fn pinned(&self) -> Vec<usize> {
        let ranges = self.ranges();
        (0..self.values.len())
            .filter(|&i| self.is_pinned(i, &ranges))
            .collect()
    }

    fn is_pinned(&self, cell: usize, ranges: &[(u64, u64)]) -> bool {
        matches!(self.states[cell], State::Small | State::Never)
            && (1..=self.threshold).contains(&self.values[cell])
            && ranges[cell].0 == ranges[cell].1
    }

    fn can_withhold(&self, cell: usize) -> bool {
        self.states[cell] == State::Shown && self.values[cell] > 0 && !self.fixed[cell]
    }

    /// Shown counts near a pinned cell, nearest sums first (three sums out at most), the
    /// smallest first within each.
    fn near(&self, cell: usize) -> Vec<usize> {
        let mut reached = vec![cell];
        let mut used = vec![false; self.sums.len()];
        let mut near = Vec::new();
        for _ in 0..3 {
            let ring: Vec<usize> = (0..self.sums.len())
                .filter(|&s| {
                    !used[s]
                        && (reached.contains(&self.sums[s].total)
                            || self.sums[s].parts.iter().any(|p| reached.contains(p)))
                })
                .collect();
            let mut found: Vec<usize> = Vec::new();
            for &s in &ring {
                used[s] = true;
                let sum = &self.sums[s];
                for c in std::iter::once(sum.total).chain(sum.parts.iter().copied()) {
                    if !reached.contains(&c) {
                        reached.push(c);
                        found.push(c);
                    }
                }
            }
            found.retain(|&c| self.can_withhold(c));
            found.sort_by_key(|&c| self.values[c]);
            near.extend(found);
        }
        near
    }

    /// Withholds shown counts until no small count can be worked out. For each pinned
    /// cell it withholds the first nearby count that frees it on its own, or else the
    /// first nearby count, and looks again. The ledger is used up: only what this returns
    /// says how a cell is published, so no figure can be read before the decision.
    ///
    /// The search looks only three sums out from a pinned cell, so it can give up with a
    /// small count still pinned. Then the decision fails closed: every count it decides
    /// itself is hidden (see [`Ledger::hide_all_own`]), and [`Decided::stuck`] names what
    /// is still pinned by figures decided elsewhere alone.
    pub fn decide(mut self) -> Decided {
        debug_assert_eq!(
            self.sums_of.len(),
            self.values.len(),
            "a sum names a cell never pushed"
        );
        let mut stuck = self.withhold_until_free();
        if !stuck.is_empty() {
            self.hide_all_own();
            stuck = self.pinned();
        }
        Decided {
            ledger: self,
            stuck,
        }
    }

    /// Hides every count this ledger shows that was not decided elsewhere: above the
    /// threshold it is withheld, and a zero reads "fewer than" (a withheld count says it is
    /// above the threshold, which a zero is not). Nothing this decision publishes is then
    /// exact, so it tells nothing beyond the figures fixed elsewhere.
    fn hide_all_own(&mut self) {
        for cell in 0..self.values.len() {
            if self.fixed[cell] || self.states[cell] != State::Shown {
                continue;
            }
            if self.values[cell] == 0 {
                self.states[cell] = State::Small;
                self.may_be_zero[cell] = true;
            } else {
                self.states[cell] = State::Withheld;
            }
        }
    }

    /// The cells still pinned when nothing more could be withheld (none, unless a fixed
    /// figure elsewhere gives one away).
    fn withhold_until_free(&mut self) -> Vec<usize> {
        self.mask_zeros();
        loop {
            let pinned = self.pinned();
            let mut chosen = None;
            for &cell in &pinned {
                let near = self.near(cell);
                let frees = near.iter().copied().find(|&c| {
                    self.states[c] = State::Withheld;
                    let freed = !self.is_pinned(cell, &self.ranges());
                    self.states[c] = State::Shown;
                    freed
                });
                chosen = frees.or(near.first().copied());
                if chosen.is_some() {
                    break;
                }
            }
            match chosen {
                Some(c) => self.states[c] = State::Withheld,
                None => return pinned,
            }
        }
    }
}

/// A ledger after [`Ledger::decide`]: the only way to read how a cell is published.
#[derive(Debug, Clone)]
pub struct Decided {
    ledger: Ledger,
    stuck: Vec<usize>,
}

impl Decided {
    /// How the cell is published. A small count never reads exactly, and when the search
    /// could not free every small count, no count that was not fixed elsewhere does.
    pub fn published(&self, cell: usize) -> PublishedCount {
        self.ledger.reads(cell)
    }

    /// Small cells still pinned after everything that could be hidden was: ones that
    /// figures fixed elsewhere give away on their own. When the search leaves any cell
    /// pinned, every count this decision shows is hidden, so a stuck cell is never given
    /// away by anything decided here; this says it was already given away elsewhere.
    pub fn stuck(&self) -> &[usize] {
        &self.stuck
    }

    /// What someone who sees every published cell knows of each cell ([`Ledger::ranges`]).
    pub fn ranges(&self) -> Vec<(u64, u64)> {
        self.ledger.ranges()
    }

    /// As [`Decided::published`], but a withheld count that the published cells pin to
    /// one value anyway (`ranges`, from [`Decided::ranges`]) reads exactly: showing it
    /// tells nothing more, and a page is clearer without a "not shown" anyone can work out.
    pub fn published_or_pinned(&self, cell: usize, ranges: &[(u64, u64)]) -> PublishedCount {
        let published = self.published(cell);
        match ranges.get(cell) {
            Some(&(low, high))
                if published.is_withheld() && low == high && self.stuck.is_empty() =>
            {
                PublishedCount(Count::Exact(low))
            }
            _ => published,
        }
    }
}

mod exact;
#[cfg(test)]
mod tests;
