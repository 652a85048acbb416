//! Every Speak Up count published for the same organisations and quarters, decided once.
//! The quarterly return, the trends by quarter, element and place, the national view and
//! the API all read their figures from [`Figures`], so no table can be subtracted from
//! another to reach a hidden count (152 cases and 150 anonymous gave away 2 that were not).

use crate::speakup::{Element, Feedback, PublishedCount};
use crate::speakup_returns::{CaseFacts, Line, PublishedReturn, Quarter, QuarterlyReturn};
use dignity_engine::disclosure::{Ledger, Minimum};
use std::collections::{BTreeMap, BTreeSet};

/// Whose cases a figure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Organisation(i64),
    /// Every organisation together (the national view).
    All,
}

/// What a figure counts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Measure {
    Cases,
    Anonymous,
    /// Never shown; the difference between the two above.
    NotAnonymous,
    Element(Element),
    /// Never shown; cases not about the element.
    NotElement(Element),
    Detriment,
    Group(String),
    Unit(String),
    Feedback(Feedback),
}

/// A figure: whose, which quarter (`None` for the whole period of the trends), what.
pub type Key = (Scope, Option<Quarter>, Measure);

/// The published figures, decided together.
#[derive(Debug, Clone)]
pub struct Figures {
    counts: BTreeMap<Key, PublishedCount>,
    groups: BTreeMap<(Scope, Quarter), Vec<String>>,
    units: BTreeMap<Scope, Vec<String>>,
}

const NOT_GIVEN: &str = "Not given";

impl Figures {
    /// Decides every figure of each organisation over `quarters` (each organisation on its
    /// own, exactly as its own pages show it) and, with `national`, the figures of all of
    /// them together, which may only withhold national figures.
    pub fn decide(
        organisations: &[(i64, &[CaseFacts])],
        national: bool,
        quarters: &[Quarter],
        minimum: Minimum,
        groups: &[String],
    ) -> Figures {
        let mut out = Figures {
            counts: BTreeMap::new(),
            groups: BTreeMap::new(),
            units: BTreeMap::new(),
        };
        let mut all_facts = Vec::new();
        for (id, facts) in organisations {
            let mut ledger = Ledger::new(minimum);
            let cells = out.add_scope(
                &mut ledger,
                Scope::Organisation(*id),
                facts,
                quarters,
                groups,
                None,
            );
            ledger.decide();
            for (key, cell) in cells {
                out.counts.insert(key, ledger.published(cell));
            }
            all_facts.extend(facts.iter().cloned());
        }
        if national {
            let mut ledger = Ledger::new(minimum);
            let decided = out.counts.clone();
            let mut org_cells = Vec::new();
            for (id, facts) in organisations {
                let cells: BTreeMap<(Option<Quarter>, Measure), usize> = out
                    .add_scope(
                        &mut ledger,
                        Scope::Organisation(*id),
                        facts,
                        quarters,
                        groups,
                        Some(&decided),
                    )
                    .into_iter()
                    .map(|((_, q, m), c)| ((q, m), c))
                    .collect();
                org_cells.push(cells);
            }
            let all = out.add_scope(&mut ledger, Scope::All, &all_facts, quarters, groups, None);
            // Organisations split every national figure.
            for ((_, q, m), total) in &all {
                let key = (*q, m.clone());
                let parts: Vec<usize> = org_cells
                    .iter()
                    .filter_map(|cells| cells.get(&key).copied())
                    .collect();
                ledger.sum(*total, parts);
            }
            ledger.decide();
            for (key, cell) in all {
                out.counts.insert(key, ledger.published(cell));
            }
        }
        out
    }

    /// Puts one scope's figures and their sums into `ledger`; with `decided`, the shown
    /// ones are fixed as decided before.
    fn add_scope(
        &mut self,
        ledger: &mut Ledger,
        scope: Scope,
        facts: &[CaseFacts],
        quarters: &[Quarter],
        groups: &[String],
        decided: Option<&BTreeMap<Key, PublishedCount>>,
    ) -> Vec<(Key, usize)> {
        let mut cells: Vec<(Key, usize)> = Vec::new();
        let mut add = |ledger: &mut Ledger, key: Key, value: u64, shown: bool| -> usize {
            let cell = match (shown, decided.and_then(|d| d.get(&key))) {
                (false, _) => ledger.never(value),
                (true, Some(p)) => ledger.fixed(value, *p),
                (true, None) => ledger.shown(value),
            };
            cells.push((key, cell));
            cell
        };
        let unit_of = |f: &CaseFacts| f.org_unit.clone().unwrap_or_else(|| NOT_GIVEN.into());
        let units: Vec<String> = facts
            .iter()
            .map(unit_of)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut by_period: BTreeMap<Measure, Vec<usize>> = BTreeMap::new();
        for &q in quarters {
            let exact = QuarterlyReturn::compute(facts, q);
            let key = |m: Measure| (scope, Some(q), m);
            let cases = add(ledger, key(Measure::Cases), exact.cases, true);
            by_period.entry(Measure::Cases).or_default().push(cases);
            let anonymous = add(ledger, key(Measure::Anonymous), exact.anonymous, true);
            let rest = add(
                ledger,
                key(Measure::NotAnonymous),
                exact.cases - exact.anonymous,
                false,
            );
            ledger.sum(cases, vec![anonymous, rest]);
            for &e in Element::ALL {
                let n = exact.elements.get(&e).copied().unwrap_or(0);
                let cell = add(ledger, key(Measure::Element(e)), n, true);
                let rest = add(ledger, key(Measure::NotElement(e)), exact.cases - n, false);
                ledger.sum(cases, vec![cell, rest]);
                by_period.entry(Measure::Element(e)).or_default().push(cell);
            }
            add(ledger, key(Measure::Detriment), exact.detriment_found, true);
            let names: Vec<String> = groups
                .iter()
                .cloned()
                .chain(
                    exact
                        .professional_groups
                        .keys()
                        .filter(|g| !groups.contains(g))
                        .cloned(),
                )
                .collect();
            let parts = names
                .iter()
                .map(|g| {
                    let n = exact.professional_groups.get(g).copied().unwrap_or(0);
                    add(ledger, key(Measure::Group(g.clone())), n, true)
                })
                .collect();
            ledger.sum(cases, parts);
            self.groups.insert((scope, q), names);
            let parts = units
                .iter()
                .map(|u| {
                    let n = facts
                        .iter()
                        .filter(|f| q.contains(f.received_on) && unit_of(f) == *u)
                        .count() as u64;
                    let cell = add(ledger, key(Measure::Unit(u.clone())), n, true);
                    by_period
                        .entry(Measure::Unit(u.clone()))
                        .or_default()
                        .push(cell);
                    cell
                })
                .collect();
            ledger.sum(cases, parts);
            for &f in Feedback::ALL {
                let n = exact.feedback.get(&f).copied().unwrap_or(0);
                add(ledger, key(Measure::Feedback(f)), n, true);
            }
        }
        // The trends' period totals: withheld themselves before any quarter's figure.
        let value = |cells: &[usize], ledger: &Ledger| -> u64 {
            cells.iter().map(|&c| ledger.value(c)).sum()
        };
        let mut unit_totals = Vec::new();
        let mut period_cases = None;
        for (measure, parts) in by_period {
            let n = value(&parts, ledger);
            let is_unit = matches!(measure, Measure::Unit(_));
            let is_cases = measure == Measure::Cases;
            let total = add(ledger, (scope, None, measure), n, true);
            ledger.give_way(total);
            ledger.sum(total, parts);
            if is_unit {
                unit_totals.push(total);
            }
            if is_cases {
                period_cases = Some(total);
            }
        }
        if let Some(total) = period_cases {
            ledger.sum(total, unit_totals);
        }
        self.units.insert(scope, units);
        cells
    }

    /// A figure as published; a figure never counted (a unit with no cases then) is 0.
    pub fn count(
        &self,
        scope: Scope,
        quarter: Option<Quarter>,
        measure: Measure,
    ) -> PublishedCount {
        self.counts
            .get(&(scope, quarter, measure))
            .copied()
            .unwrap_or(PublishedCount::NONE)
    }

    /// The places cases were raised about, "Not given" included.
    pub fn units(&self, scope: Scope) -> &[String] {
        self.units.get(&scope).map_or(&[], Vec::as_slice)
    }

    /// The quarterly return as published. `quarter` must be one of the decided quarters.
    pub fn quarterly_return(&self, scope: Scope, quarter: Quarter) -> PublishedReturn {
        let count = |m: Measure| self.count(scope, Some(quarter), m);
        let line = |label: &str, code: &str, m: Measure| Line {
            label: label.into(),
            code: code.into(),
            count: count(m),
        };
        PublishedReturn {
            quarter: quarter.to_string(),
            period: quarter.months(),
            cases: count(Measure::Cases),
            anonymous: count(Measure::Anonymous),
            elements: Element::ALL
                .iter()
                .map(|e| line(e.label(), e.code(), Measure::Element(*e)))
                .collect(),
            detriment_found: count(Measure::Detriment),
            professional_groups: self
                .groups
                .get(&(scope, quarter))
                .map(|names| {
                    names
                        .iter()
                        .map(|g| line(g, g, Measure::Group(g.clone())))
                        .collect()
                })
                .unwrap_or_default(),
            feedback: Feedback::ALL
                .iter()
                .map(|f| line(f.label(), f.code(), Measure::Feedback(*f)))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dignity_engine::disclosure::Kind;

    /// The product's default: counts from 1 to 5 read "fewer than 6".
    const SIX: Minimum = Minimum::default_for(Kind::SpeakUpReturns);
    use crate::speakup::{Day, IdentityLevel};

    fn case(received: &str, level: IdentityLevel, unit: &str) -> CaseFacts {
        CaseFacts {
            received_on: Day::parse(received).unwrap_or_else(|e| panic!("{e}")),
            acknowledged_on: None,
            closed_on: None,
            identity_level: level,
            elements: vec![Element::Bullying],
            professional_group: None,
            feedback: None,
            org_unit: Some(unit.into()),
            detriment_found: None,
        }
    }

    fn quarter(text: &str) -> Quarter {
        Quarter::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The reported attack: 152 cases and 150 anonymous gave 2 that were not.
    #[test]
    fn cases_that_were_not_anonymous_are_not_had_by_subtraction() {
        let q = quarter("2026-Q3");
        let mut facts: Vec<CaseFacts> = (0..150)
            .map(|_| case("2026-08-03", IdentityLevel::Anonymous, "Ward 1"))
            .collect();
        facts.push(case("2026-08-04", IdentityLevel::Confidential, "Ward 1"));
        facts.push(case("2026-08-05", IdentityLevel::Open, "Ward 1"));
        let figures = Figures::decide(&[(1, &facts)], false, &[q], SIX, &[]);
        let shown = figures.quarterly_return(Scope::Organisation(1), q);
        assert_eq!(shown.cases.to_string(), "152");
        assert_eq!(shown.anonymous.to_string(), "not shown");
    }

    /// The reported attack: trends withheld a quarter's total that the return showed, and
    /// the places that quarter then gave a hidden count by subtraction from the return's.
    /// Now a quarter's figures are one decision, and the period total gives way instead.
    #[test]
    fn a_quarter_reads_the_same_in_the_return_the_trends_and_the_national_view() {
        let quarters = [quarter("2026-Q1"), quarter("2026-Q2"), quarter("2026-Q3")];
        let mut mine: Vec<CaseFacts> = Vec::new();
        mine.extend((0..3).map(|_| case("2026-02-02", IdentityLevel::Open, "Ward 1")));
        mine.extend((0..12).map(|_| case("2026-05-04", IdentityLevel::Anonymous, "Ward 1")));
        mine.extend((0..3).map(|_| case("2026-05-05", IdentityLevel::Anonymous, "Ward 2")));
        mine.extend((0..20).map(|_| case("2026-08-03", IdentityLevel::Open, "Ward 2")));
        let theirs: Vec<CaseFacts> = (0..30)
            .map(|i| {
                case(
                    "2026-05-06",
                    IdentityLevel::Open,
                    if i < 2 { "A" } else { "B" },
                )
            })
            .collect();
        let alone = Figures::decide(&[(1, &mine)], false, &quarters, SIX, &[]);
        let national = Figures::decide(&[(1, &mine), (2, &theirs)], true, &quarters, SIX, &[]);
        let me = Scope::Organisation(1);
        for key in alone.counts.keys().filter(|k| k.0 == me) {
            assert_eq!(
                alone.counts.get(key),
                national.counts.get(key),
                "{key:?} differs between the organisation's pages and the national view"
            );
        }
        let q2 = Some(quarters[1]);
        assert_eq!(alone.count(me, q2, Measure::Cases).to_string(), "15");
        assert_eq!(
            alone
                .count(me, q2, Measure::Unit("Ward 2".into()))
                .to_string(),
            "fewer than 6"
        );
        assert_eq!(
            alone
                .count(me, q2, Measure::Unit("Ward 1".into()))
                .to_string(),
            "not shown",
            "15 - 12 would give Ward 2's 3"
        );
        // Q1's 3 cases are hidden, so the period total (38) would give them as 38 - 15 - 20.
        assert_eq!(
            alone
                .count(me, Some(quarters[0]), Measure::Cases)
                .to_string(),
            "fewer than 6"
        );
        assert_eq!(
            alone.count(me, None, Measure::Cases).to_string(),
            "not shown"
        );
        assert_eq!(
            alone
                .count(me, Some(quarters[2]), Measure::Cases)
                .to_string(),
            "20"
        );
        // Nationally, Q2's "A" (2 cases, only in the other organisation) is hidden there,
        // so the national "A" for Q2 must not show it either.
        assert!(
            national
                .count(Scope::All, q2, Measure::Unit("A".into()))
                .is_hidden()
        );
    }

    /// 20 and 3 cases: a national total of 23 would give the small organisation's 3.
    #[test]
    fn a_national_total_never_gives_away_one_hidden_organisation() {
        let q = quarter("2026-Q4");
        let big: Vec<CaseFacts> = (0..20)
            .map(|_| case("2026-10-05", IdentityLevel::Open, "Ward 1"))
            .collect();
        let small: Vec<CaseFacts> = (0..3)
            .map(|_| case("2026-10-05", IdentityLevel::Open, "Ward 1"))
            .collect();
        let figures = Figures::decide(&[(1, &big), (2, &small)], true, &[q], SIX, &[]);
        let total = figures.quarterly_return(Scope::All, q);
        assert_eq!(
            total.cases.to_string(),
            "not shown",
            "23 - 20 would reveal 3"
        );
        assert_eq!(
            figures
                .quarterly_return(Scope::Organisation(2), q)
                .cases
                .to_string(),
            "fewer than 6"
        );
    }
}
