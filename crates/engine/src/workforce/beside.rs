//! Other breakdowns of the staff in post that WRES 1 and WDES 1 count: the workforce
//! page's staff groups, sexes and age bands. They are the same people as the tables' rows,
//! so a hidden group could be had from the rows' totals wherever groups keep to bands of
//! their own (an outside attack took a clinical band 5 of 63, less 60 nurses, as 3
//! students). So each breakdown is decided in one ledger with every count of the year
//! fixed as the equality pages publish it, and with each group's people in each band and
//! side. Those are never shown, but the reader is taken to know which of them are none
//! (which staff groups work in which bands is common knowledge): a row is then tied to
//! just the groups in it, as a reader who knows the trade would tie it. Not that each of
//! the others holds at least one: with that, WRES 1's own small counts can be had from
//! its rows (docs/threat-model.md says what is left open).

use super::{Band, Cell, Published, Sheet, Side};
use crate::disclosure::{Ledger, Minimum, PublishedCount};
use std::collections::BTreeMap;

/// One group's staff in post, by side and band.
pub type GroupByBand = BTreeMap<(Side, Band), u64>;

/// Every count of a year, how it was published, and where WRES 1's rows are in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Decision {
    pub(super) sheet: Sheet,
    pub(super) published: Published,
    /// Each WRES 1 row's total.
    pub(super) bands: Vec<((Side, Band), usize)>,
    /// The whole workforce.
    pub(super) grand: usize,
}

impl super::Indicators {
    /// How each group of each breakdown may be published, beside every count of the year
    /// as published. A breakdown is a list of groups, each its people by side and band;
    /// together they must be the people WRES 1 counts. All the breakdowns are decided in
    /// one ledger, as one row's total ties them to each other. `None` when no group may be
    /// shown: the year withheld everything, the breakdowns are not the tables' people, or
    /// what the tables show gives a small count away whatever is hidden here.
    pub fn staff_breakdowns(
        &self,
        breakdowns: &[Vec<GroupByBand>],
        minimum: Minimum,
    ) -> Option<Vec<Vec<PublishedCount>>> {
        let decision = &self.decision;
        if decision.published.stuck {
            return None;
        }
        let sheet = &decision.sheet;
        let mut ledger = Ledger::new(minimum);
        let cells: Vec<usize> = sheet
            .values
            .iter()
            .zip(&sheet.published)
            .enumerate()
            .map(|(cell, (&value, &kind))| match kind {
                Cell::Shown => ledger.fixed(value, decision.published.get(cell)),
                Cell::Never => ledger.never(value),
                Cell::Known => ledger.known(value),
            })
            .collect();
        let at = |cell: usize| cells.get(cell).copied();
        let reads_fewer_than = |cell: usize| decision.published.get(cell).fewer_than().is_some();
        for (total, parts) in &sheet.sums {
            // The parts of a total that reads "fewer than" read so even when zero, as the
            // decision that published them masked them (`Ledger::decide`).
            let masked = reads_fewer_than(*total)
                && parts
                    .iter()
                    .all(|&p| sheet.published.get(p) != Some(&Cell::Known));
            if masked {
                for &part in parts.iter().filter(|&&p| reads_fewer_than(p)) {
                    ledger.may_be_zero(at(part)?);
                }
            }
            let parts = parts.iter().map(|&p| at(p)).collect::<Option<Vec<_>>>()?;
            ledger.sum(at(*total)?, parts);
        }
        let rows: BTreeMap<(Side, Band), usize> = decision.bands.iter().copied().collect();
        let grand = at(decision.grand)?;
        let mut published_cells = Vec::with_capacity(breakdowns.len());
        for breakdown in breakdowns {
            let mut in_row: BTreeMap<(Side, Band), Vec<usize>> = BTreeMap::new();
            let mut totals = Vec::with_capacity(breakdown.len());
            for group in breakdown {
                let mut parts = Vec::new();
                // A band and side with none of the group is left out: known to be none.
                for (&key, &people) in group.iter().filter(|(_, n)| **n > 0) {
                    if !rows.contains_key(&key) {
                        return None;
                    }
                    let cell = ledger.never(people);
                    parts.push(cell);
                    in_row.entry(key).or_default().push(cell);
                }
                let total = ledger.shown(group.values().sum());
                ledger.sum(total, parts);
                totals.push(total);
            }
            for (key, &row) in &rows {
                let parts = in_row.remove(key).unwrap_or_default();
                let people: u64 = parts.iter().map(|&p| ledger.value(p)).sum();
                if people != sheet.value(row) {
                    return None;
                }
                ledger.sum(at(row)?, parts);
            }
            ledger.sum(grand, totals.clone());
            published_cells.push(totals);
        }
        let decided = ledger.decide_exactly();
        if !decided.stuck().is_empty() {
            return None;
        }
        Some(
            published_cells
                .iter()
                .map(|totals| totals.iter().map(|&c| decided.published(c)).collect())
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests;
