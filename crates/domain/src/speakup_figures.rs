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
    /// Decides every figure of each organisation in each of `quarters` (each organisation
    /// on its own, exactly as its own pages show it) and, with `national`, the figures of
    /// all of them together, which may only withhold national figures. Each quarter is
    /// decided on its own, from that quarter's cases alone, so a quarter's figures read the
    /// same whichever quarters a page asks for and however the trends' window moves: an
    /// outside review pinned small counts by setting two views decided over different
    /// quarters side by side.
    pub fn decide(
        organisations: &[(i64, &[CaseFacts])],
        places: &BTreeMap<i64, Vec<String>>,
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
        // Every place of each organisation is listed, with cases or not: a place listed only
        // once it had a case would say it had one, under a count that reads "fewer than"
        // (an outside review pinned five single concerns that way).
        for (id, _) in organisations {
            let listed = places.get(id).cloned().unwrap_or_default();
            out.units.insert(Scope::Organisation(*id), listed);
        }
        let mut all_facts = Vec::new();
        for (id, facts) in organisations {
            for quarter in quarters {
                let mut ledger = Ledger::new(minimum);
                let cells = out.add_scope(
                    &mut ledger,
                    Scope::Organisation(*id),
                    facts,
                    &[*quarter],
                    groups,
                    None,
                );
                // No cell is fixed here, so the decision frees every small count, or
                // (failing closed) hides every count it would show.
                let decided = ledger.decide();
                for (key, cell) in cells {
                    out.counts.insert(key, decided.published(cell));
                }
            }
            out.period_totals(Scope::Organisation(*id), quarters);
            all_facts.extend(facts.iter().cloned());
        }
        for quarter in quarters.iter().filter(|_| national) {
            let quarters = &[*quarter];
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
            // A small count the search cannot free leaves every national figure of the
            // quarter hidden; then only the organisations' own figures, fixed above, could
            // still pin one (`Decided::stuck`), and each organisation's decision pins none.
            let decided = ledger.decide();
            for (key, cell) in all {
                out.counts.insert(key, decided.published(cell));
            }
        }
        if national {
            out.period_totals(Scope::All, quarters);
            let ids: Vec<i64> = organisations.iter().map(|(id, _)| *id).collect();
            out.national_groups(&ids, quarters);
        }
        out
    }

    /// A row's total over `quarters`: shown only when every quarter's count is exact.
    pub fn period_total(
        &self,
        scope: Scope,
        quarters: &[Quarter],
        measure: Measure,
    ) -> PublishedCount {
        let parts: Vec<PublishedCount> = quarters
            .iter()
            .map(|q| self.count(scope, Some(*q), measure.clone()))
            .collect();
        PublishedCount::total_of(&parts)
    }

    /// The national split of each quarter's cases by professional group: each group's
    /// count is shown only when every organisation's count of it is exact. Organisations'
    /// splits beside the national one make a two-way table of organisations by group, and
    /// an exact attacker pinned small counts in it (1 case set in a few hundred) that the
    /// ledger's narrowing missed.
    fn national_groups(&mut self, organisations: &[i64], quarters: &[Quarter]) {
        for q in quarters {
            let names = self
                .groups
                .get(&(Scope::All, *q))
                .cloned()
                .unwrap_or_default();
            for name in names {
                let measure = Measure::Group(name);
                let parts: Vec<PublishedCount> = organisations
                    .iter()
                    .map(|id| self.count(Scope::Organisation(*id), Some(*q), measure.clone()))
                    .collect();
                self.counts.insert(
                    (Scope::All, Some(*q), measure),
                    PublishedCount::total_of(&parts),
                );
            }
        }
    }

    /// Each place's and each element's total over the period, shown only when every one
    /// of its quarters is shown exactly, so it tells nothing the quarters do not. A row's
    /// total beside its quarters, and beside each quarter's own total, makes a loop of
    /// sums, and a loop gives away hidden cells by reasoning over rows and columns
    /// together, which the ledger's narrowing along one sum at a time cannot see: an
    /// outside review recovered four "fewer than 6" places this way, and an exact attacker
    /// an element's 5 (its period total less what the other quarters' cases allow).
    fn period_totals(&mut self, scope: Scope, quarters: &[Quarter]) {
        let units = self.units.get(&scope).cloned().unwrap_or_default();
        let measures = std::iter::once(Measure::Cases)
            .chain(units.into_iter().map(Measure::Unit))
            .chain(Element::ALL.iter().map(|e| Measure::Element(*e)));
        for measure in measures {
            let parts: Vec<PublishedCount> = quarters
                .iter()
                .map(|q| self.count(scope, Some(*q), measure.clone()))
                .collect();
            self.counts
                .insert((scope, None, measure), PublishedCount::total_of(&parts));
        }
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
        // Places belong to one organisation: "Ward 1" in two trusts are not one place, and
        // adding them up by name across organisations would make a table of organisations
        // by place whose margins give small counts away. The national view has none.
        let units: Vec<String> = match scope {
            Scope::All => Vec::new(),
            Scope::Organisation(_) => {
                let mut listed = self.units.get(&scope).cloned().unwrap_or_default();
                // "Not given", and any place a case names that is no longer listed.
                let named: BTreeSet<String> = facts.iter().map(unit_of).collect();
                for place in std::iter::once(NOT_GIVEN.to_owned()).chain(named) {
                    if !listed.contains(&place) {
                        listed.push(place);
                    }
                }
                listed
            }
        };
        for &q in quarters {
            let exact = QuarterlyReturn::compute(facts, q);
            let key = |m: Measure| (scope, Some(q), m);
            let cases = add(ledger, key(Measure::Cases), exact.cases, true);
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
            }
            add(ledger, key(Measure::Detriment), exact.detriment_found, true);
            // The groups in the settings, then any other a case of any quarter names (a group
            // since taken out of the settings): the same list in every quarter, so a row
            // appearing in one quarter does not say that quarter had such a case.
            let named: BTreeSet<String> = facts
                .iter()
                .map(|f| {
                    f.professional_group
                        .clone()
                        .unwrap_or_else(|| crate::speakup::GROUP_NOT_KNOWN.into())
                })
                .collect();
            let names: Vec<String> = groups
                .iter()
                .cloned()
                .chain(named.into_iter().filter(|g| !groups.contains(g)))
                .collect();
            // The national split by group is worked out afterwards: see `national_groups`.
            if let Scope::Organisation(_) = scope {
                let parts = names
                    .iter()
                    .map(|g| {
                        let n = exact.professional_groups.get(g).copied().unwrap_or(0);
                        add(ledger, key(Measure::Group(g.clone())), n, true)
                    })
                    .collect();
                ledger.sum(cases, parts);
            }
            self.groups.insert((scope, q), names);
            let parts = units
                .iter()
                .map(|u| {
                    let n = facts
                        .iter()
                        .filter(|f| q.contains(f.received_on) && unit_of(f) == *u)
                        .count() as u64;
                    add(ledger, key(Measure::Unit(u.clone())), n, true)
                })
                .collect();
            if !units.is_empty() {
                ledger.sum(cases, parts);
            }
            for &f in Feedback::ALL {
                let n = exact.feedback.get(&f).copied().unwrap_or(0);
                add(ledger, key(Measure::Feedback(f)), n, true);
            }
        }
        // No period totals here: each quarter is decided alone (see `period_totals`).
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
        let figures = Figures::decide(&[(1, &facts)], &BTreeMap::new(), false, &[q], SIX, &[]);
        let shown = figures.quarterly_return(Scope::Organisation(1), q);
        assert_eq!(shown.cases.to_string(), "152");
        assert_eq!(shown.anonymous.to_string(), "not shown");
    }

    /// The reported attack: trends withheld a quarter's total that the return showed, and
    /// the places that quarter then gave a hidden count by subtraction from the return's.
    /// Now each quarter is decided alone, and the period total is shown only when every
    /// quarter is exact.
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
        let alone = Figures::decide(&[(1, &mine)], &BTreeMap::new(), false, &quarters, SIX, &[]);
        let national = Figures::decide(
            &[(1, &mine), (2, &theirs)],
            &BTreeMap::new(),
            true,
            &quarters,
            SIX,
            &[],
        );
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
        // Places are each organisation's own: the national view adds none up by name (the
        // other organisation's "A", 2 cases in Q2, is hidden on its pages and nowhere else).
        assert!(national.units(Scope::All).is_empty());
        assert!(
            national
                .count(Scope::Organisation(2), q2, Measure::Unit("A".into()))
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
        let figures = Figures::decide(
            &[(1, &big), (2, &small)],
            &BTreeMap::new(),
            true,
            &[q],
            SIX,
            &[],
        );
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

    /// What a reader of the trends' "by place" table knows, solved exactly: every place's
    /// count in every quarter, each quarter's total, each place's period total and the
    /// period's total, as published. Returns the small counts (1 to 5) that the reader
    /// can pin to one value.
    fn pinned_in_place_table(
        figures: &Figures,
        facts: &[CaseFacts],
        quarters: &[Quarter],
    ) -> Vec<String> {
        use dignity_engine::disclosure::audit::System;
        let scope = Scope::Organisation(1);
        let bound = facts.len() as u64;
        let mut system = System::default();
        let seen = |system: &mut System, published: PublishedCount| match published.exact() {
            Some(n) => system.exact(n),
            None if published.fewer_than().is_some() => system.range(1, 5),
            // Withheld: the reader knows nothing but the bounds.
            None => system.range(0, bound),
        };
        let units = figures.units(scope).to_vec();
        let mut cells = Vec::new();
        let mut quarter_totals = Vec::new();
        for q in quarters {
            let quarter_total = figures.count(scope, Some(*q), Measure::Cases);
            let total = seen(&mut system, quarter_total);
            // Under a total that reads "fewer than", zeros read "fewer than" too.
            let masked = quarter_total.fewer_than().is_some();
            let parts: Vec<usize> = units
                .iter()
                .map(|u| {
                    let measure = Measure::Unit(u.clone());
                    let published = figures.count(scope, Some(*q), measure);
                    let cell = match published.fewer_than() {
                        Some(_) if masked => system.range(0, 5),
                        _ => seen(&mut system, published),
                    };
                    let truth = facts
                        .iter()
                        .filter(|f| q.contains(f.received_on) && f.org_unit.as_deref() == Some(u))
                        .count() as u64;
                    cells.push((cell, truth, format!("{u} in {q}")));
                    cell
                })
                .collect();
            system.sum(total, parts);
            quarter_totals.push(total);
        }
        let period = seen(&mut system, figures.count(scope, None, Measure::Cases));
        system.sum(period, quarter_totals);
        let mut place_totals = Vec::new();
        for (at, u) in units.iter().enumerate() {
            let total = seen(
                &mut system,
                figures.count(scope, None, Measure::Unit(u.clone())),
            );
            let row: Vec<usize> = (0..quarters.len())
                .filter_map(|q| cells.get(q * units.len() + at).map(|c| c.0))
                .collect();
            system.sum(total, row);
            place_totals.push(total);
        }
        system.sum(period, place_totals);
        let ranges = system.solve().unwrap_or_else(|e| panic!("{e:?}"));
        cells
            .iter()
            .filter(|(cell, truth, _)| {
                (1..=5).contains(truth) && ranges[*cell].0 == ranges[*cell].1
            })
            .map(|(_, truth, name)| format!("{name} is {truth}"))
            .collect()
    }

    /// The attack an outside review made on the trends page: 14, 13 and 9 cases over
    /// three quarters in four places, with each place's period total. Reasoning over rows
    /// and columns together gave Surgery's 5 and three single concerns exactly.
    #[test]
    fn places_by_quarter_give_no_small_count_away() {
        let quarters = [quarter("2026-Q2"), quarter("2026-Q3"), quarter("2026-Q4")];
        let days = ["2026-05-10", "2026-08-10", "2026-11-10"];
        let table = [
            ("Medicine", [5, 6, 1]),
            ("Surgery", [5, 3, 3]),
            ("Theatres", [0, 3, 4]),
            ("Recovery", [4, 1, 1]),
        ];
        let mut facts = Vec::new();
        for (place, counts) in table {
            for (day, n) in days.iter().zip(counts) {
                for _ in 0..n {
                    facts.push(case(day, IdentityLevel::Open, place));
                }
            }
        }
        let figures = Figures::decide(&[(1, &facts)], &BTreeMap::new(), false, &quarters, SIX, &[]);
        let pinned = pinned_in_place_table(&figures, &facts, &quarters);
        assert!(pinned.is_empty(), "pinned: {pinned:?}");
    }

    /// The same attack on random two-way tables of places by quarter.
    #[test]
    fn random_places_by_quarter_give_no_small_count_away() {
        use dignity_engine::rng::Rng;
        let quarters = [quarter("2026-Q2"), quarter("2026-Q3"), quarter("2026-Q4")];
        let days = ["2026-05-10", "2026-08-10", "2026-11-10"];
        for seed in 0..1000 {
            let mut rng = Rng::new(seed);
            let places = 2 + rng.below(3);
            let cases = 8 + rng.below(38);
            let facts: Vec<CaseFacts> = (0..cases)
                .map(|_| {
                    let day = days[rng.below(3) as usize];
                    let place = format!("Place {}", rng.below(places));
                    case(day, IdentityLevel::Open, &place)
                })
                .collect();
            let figures =
                Figures::decide(&[(1, &facts)], &BTreeMap::new(), false, &quarters, SIX, &[]);
            let pinned = pinned_in_place_table(&figures, &facts, &quarters);
            assert!(pinned.is_empty(), "seed {seed}: pinned {pinned:?}");
        }
    }

    /// The national view of one quarter: each organisation's cases split by professional
    /// group, and the national split, read together as a two-way table of organisations by
    /// group, solved exactly. No small count of an organisation may be pinned.
    #[test]
    fn organisations_by_group_give_no_small_count_away() {
        use dignity_engine::disclosure::audit::System;
        use dignity_engine::rng::Rng;
        let q = quarter("2026-Q3");
        let groups: Vec<String> = vec!["Nurses".into(), "Doctors".into(), "Porters".into()];
        for seed in 0..2000 {
            let mut rng = Rng::new(seed);
            let orgs = 2 + rng.below(3) as i64;
            let sets: Vec<Vec<CaseFacts>> = (0..orgs)
                .map(|_| {
                    (0..3 + rng.below(20))
                        .map(|_| {
                            let mut c = case("2026-08-10", IdentityLevel::Open, "Ward");
                            c.professional_group = groups.get(rng.below(3) as usize).cloned();
                            c
                        })
                        .collect()
                })
                .collect();
            let parts: Vec<(i64, &[CaseFacts])> = sets
                .iter()
                .enumerate()
                .map(|(i, f)| (i as i64, f.as_slice()))
                .collect();
            let figures = Figures::decide(&parts, &BTreeMap::new(), true, &[q], SIX, &groups);
            let bound: u64 = sets.iter().map(|s| s.len() as u64).sum();
            let mut system = System::default();
            let seen = |system: &mut System, p: PublishedCount, masked: bool| match p.exact() {
                Some(n) => system.exact(n),
                None if p.fewer_than().is_some() => system.range(u64::from(!masked), 5),
                None => system.range(0, bound),
            };
            let names = figures
                .groups
                .get(&(Scope::Organisation(0), q))
                .cloned()
                .unwrap_or_default();
            let mut columns: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
            let mut org_totals = Vec::new();
            let mut watched = Vec::new();
            for (id, facts) in &parts {
                let scope = Scope::Organisation(*id);
                let total = figures.count(scope, Some(q), Measure::Cases);
                let masked = total.fewer_than().is_some();
                let total = seen(&mut system, total, false);
                let row: Vec<usize> = names
                    .iter()
                    .enumerate()
                    .map(|(g, name)| {
                        let p = figures.count(scope, Some(q), Measure::Group(name.clone()));
                        let cell = seen(&mut system, p, masked);
                        let truth = facts
                            .iter()
                            .filter(|f| {
                                f.professional_group
                                    .as_deref()
                                    .unwrap_or(crate::speakup::GROUP_NOT_KNOWN)
                                    == name
                            })
                            .count() as u64;
                        watched.push((cell, truth, format!("org {id} {name}")));
                        if let Some(column) = columns.get_mut(g) {
                            column.push(cell);
                        }
                        cell
                    })
                    .collect();
                system.sum(total, row);
                org_totals.push(total);
            }
            let national = figures.count(Scope::All, Some(q), Measure::Cases);
            let masked = national.fewer_than().is_some();
            let national = seen(&mut system, national, false);
            system.sum(national, org_totals);
            let mut national_groups = Vec::new();
            for (name, column) in names.iter().zip(columns) {
                let p = figures.count(Scope::All, Some(q), Measure::Group(name.clone()));
                let cell = seen(&mut system, p, masked);
                system.sum(cell, column);
                national_groups.push(cell);
            }
            system.sum(national, national_groups);
            let ranges = system
                .solve()
                .unwrap_or_else(|e| panic!("seed {seed}: {e:?}"));
            let pinned: Vec<&String> = watched
                .iter()
                .filter(|(c, truth, _)| (1..=5).contains(truth) && ranges[*c].0 == ranges[*c].1)
                .map(|(_, _, name)| name)
                .collect();
            assert!(pinned.is_empty(), "seed {seed}: pinned {pinned:?}");
        }
    }

    /// The small counts (1 to 5) among `watched` (cell, true value) that everything in
    /// `system` pins to one value; `None` when the search is too large to finish.
    fn pinned_small_counts(
        system: &dignity_engine::disclosure::audit::System,
        watched: &[(usize, u64)],
        seed: u64,
    ) -> Option<Vec<u64>> {
        use dignity_engine::disclosure::audit::Unsolved;
        let ranges = match system.solve() {
            Ok(ranges) => ranges,
            Err(Unsolved::TooLarge) => return None,
            Err(e) => panic!("seed {seed}: {e:?}"),
        };
        Some(
            watched
                .iter()
                .filter(|(c, truth)| {
                    (1..=5).contains(truth) && ranges.get(*c).is_some_and(|r| r.0 == r.1)
                })
                .map(|(_, truth)| *truth)
                .collect(),
        )
    }

    /// Elements over quarters: each quarter's cases, each element's count in it (a case can
    /// be about several, so the rest is a never-shown count), each element's period total
    /// and the period's cases, solved exactly over random case sets.
    #[test]
    fn elements_by_quarter_give_no_small_count_away() {
        use dignity_engine::disclosure::audit::System;
        use dignity_engine::rng::Rng;
        let quarters = [quarter("2026-Q2"), quarter("2026-Q3"), quarter("2026-Q4")];
        let days = ["2026-05-10", "2026-08-10", "2026-11-10"];
        let elements = [Element::Bullying, Element::PatientSafety];
        let mut checked = 0;
        for seed in 0..600 {
            let mut rng = Rng::new(seed);
            let facts: Vec<CaseFacts> = (0..4 + rng.below(30))
                .map(|_| {
                    let mut c = case(days[rng.below(3) as usize], IdentityLevel::Open, "Ward");
                    c.elements = elements
                        .iter()
                        .copied()
                        .filter(|_| rng.below(2) == 0)
                        .collect();
                    c
                })
                .collect();
            let figures =
                Figures::decide(&[(1, &facts)], &BTreeMap::new(), false, &quarters, SIX, &[]);
            let scope = Scope::Organisation(1);
            // Not the true number of cases: the reader does not know it.
            let bound = 1_000;
            let mut system = System::default();
            let seen = |system: &mut System, p: PublishedCount| match p.exact() {
                Some(n) => system.exact(n),
                None if p.fewer_than().is_some() => system.range(0, 5),
                None => system.range(0, bound),
            };
            let mut watched = Vec::new();
            let mut quarter_cells = Vec::new();
            let mut rows: Vec<Vec<usize>> = vec![Vec::new(); elements.len()];
            for q in &quarters {
                let truth = facts.iter().filter(|f| q.contains(f.received_on)).count() as u64;
                let cases = seen(&mut system, figures.count(scope, Some(*q), Measure::Cases));
                watched.push((cases, truth));
                quarter_cells.push(cases);
                for (e, element) in elements.iter().enumerate() {
                    let truth = facts
                        .iter()
                        .filter(|f| q.contains(f.received_on) && f.elements.contains(element))
                        .count() as u64;
                    let published = figures.count(scope, Some(*q), Measure::Element(*element));
                    let cell = seen(&mut system, published);
                    let rest = system.range(0, bound);
                    system.sum(cases, vec![cell, rest]);
                    watched.push((cell, truth));
                    if let Some(row) = rows.get_mut(e) {
                        row.push(cell);
                    }
                }
            }
            let period = seen(&mut system, figures.count(scope, None, Measure::Cases));
            system.sum(period, quarter_cells);
            for (element, row) in elements.iter().zip(rows) {
                let total = seen(
                    &mut system,
                    figures.count(scope, None, Measure::Element(*element)),
                );
                system.sum(total, row);
            }
            let Some(pinned) = pinned_small_counts(&system, &watched, seed) else {
                continue;
            };
            assert!(pinned.is_empty(), "seed {seed}: pinned {pinned:?}");
            checked += 1;
        }
        assert!(checked > 300, "only {checked} checked");
    }

    /// The national view of one quarter beside each organisation's: cases, anonymous cases
    /// and each element, with the never-shown rest of each, solved exactly.
    #[test]
    fn organisations_by_element_give_no_small_count_away() {
        use dignity_engine::disclosure::audit::System;
        use dignity_engine::rng::Rng;
        let q = quarter("2026-Q3");
        let mut checked = 0;
        for seed in 0..500 {
            let mut rng = Rng::new(seed);
            let sets: Vec<Vec<CaseFacts>> = (0..2 + rng.below(2))
                .map(|_| {
                    (0..1 + rng.below(15))
                        .map(|_| {
                            let level = if rng.below(2) == 0 {
                                IdentityLevel::Anonymous
                            } else {
                                IdentityLevel::Open
                            };
                            let mut c = case("2026-08-10", level, "Ward");
                            if rng.below(2) == 0 {
                                c.elements = vec![Element::PatientSafety];
                            }
                            c
                        })
                        .collect()
                })
                .collect();
            let parts: Vec<(i64, &[CaseFacts])> = sets
                .iter()
                .enumerate()
                .map(|(i, f)| (i as i64, f.as_slice()))
                .collect();
            let figures = Figures::decide(&parts, &BTreeMap::new(), true, &[q], SIX, &[]);
            let bound = 1_000;
            let mut system = System::default();
            let seen = |system: &mut System, p: PublishedCount| match p.exact() {
                Some(n) => system.exact(n),
                None if p.fewer_than().is_some() => system.range(0, 5),
                None => system.range(0, bound),
            };
            let measures = [
                Measure::Anonymous,
                Measure::Element(Element::Bullying),
                Measure::Element(Element::PatientSafety),
            ];
            let national = seen(
                &mut system,
                figures.count(Scope::All, Some(q), Measure::Cases),
            );
            let national_parts: Vec<(usize, usize)> = measures
                .iter()
                .map(|m| {
                    let cell = seen(&mut system, figures.count(Scope::All, Some(q), m.clone()));
                    let rest = system.range(0, bound);
                    system.sum(national, vec![cell, rest]);
                    (cell, rest)
                })
                .collect();
            let mut watched = Vec::new();
            let mut org_totals = Vec::new();
            let mut columns: Vec<(Vec<usize>, Vec<usize>)> =
                vec![(Vec::new(), Vec::new()); measures.len()];
            for (id, facts) in &parts {
                let scope = Scope::Organisation(*id);
                let total = seen(&mut system, figures.count(scope, Some(q), Measure::Cases));
                org_totals.push(total);
                for (m, measure) in measures.iter().enumerate() {
                    let cell = seen(&mut system, figures.count(scope, Some(q), measure.clone()));
                    let rest = system.range(0, bound);
                    system.sum(total, vec![cell, rest]);
                    let truth = facts
                        .iter()
                        .filter(|f| match measure {
                            Measure::Anonymous => f.identity_level == IdentityLevel::Anonymous,
                            Measure::Element(e) => f.elements.contains(e),
                            _ => false,
                        })
                        .count() as u64;
                    watched.push((cell, truth));
                    if let Some(column) = columns.get_mut(m) {
                        column.0.push(cell);
                        column.1.push(rest);
                    }
                }
            }
            system.sum(national, org_totals);
            for ((cell, rest), (cells, rests)) in national_parts.into_iter().zip(columns) {
                system.sum(cell, cells);
                system.sum(rest, rests);
            }
            let Some(pinned) = pinned_small_counts(&system, &watched, seed) else {
                continue;
            };
            assert!(pinned.is_empty(), "seed {seed}: pinned {pinned:?}");
            checked += 1;
        }
        assert!(checked > 200, "only {checked} checked");
    }

    /// A quarter's figures must not depend on which other quarters are decided with it: an
    /// outside review set the national view for an old quarter (nine quarters decided)
    /// beside the view for a recent one (eight) and got a small count by subtraction, and
    /// the trends' window moves every quarter.
    #[test]
    fn a_quarters_figures_do_not_depend_on_the_quarters_beside_it() {
        use dignity_engine::rng::Rng;
        let quarters = [
            quarter("2026-Q1"),
            quarter("2026-Q2"),
            quarter("2026-Q3"),
            quarter("2026-Q4"),
        ];
        let days = ["2026-02-10", "2026-05-10", "2026-08-10", "2026-11-10"];
        for seed in 0..100 {
            let mut rng = Rng::new(seed);
            let sets: Vec<Vec<CaseFacts>> = (0..3)
                .map(|_| {
                    (0..rng.below(25))
                        .map(|_| {
                            let place = format!("Place {}", rng.below(3));
                            case(days[rng.below(4) as usize], IdentityLevel::Open, &place)
                        })
                        .collect()
                })
                .collect();
            let parts: Vec<(i64, &[CaseFacts])> = sets
                .iter()
                .enumerate()
                .map(|(i, f)| (i as i64, f.as_slice()))
                .collect();
            let wide = Figures::decide(&parts, &BTreeMap::new(), true, &quarters, SIX, &[]);
            let narrow = Figures::decide(&parts, &BTreeMap::new(), true, &quarters[2..], SIX, &[]);
            for (key, count) in narrow.counts.iter().filter(|(k, _)| k.1.is_some()) {
                assert_eq!(
                    Some(count),
                    wide.counts.get(key),
                    "seed {seed}: {key:?} reads differently"
                );
            }
        }
    }

    /// A place is listed because the organisation has it, not because it had a case: the
    /// review's five places that each appeared with one case under "fewer than 6".
    #[test]
    fn every_place_is_listed_whether_or_not_it_had_a_case() {
        let q = quarter("2026-Q2");
        let facts = vec![case("2026-05-10", IdentityLevel::Open, "Medicine")];
        let places = BTreeMap::from([(
            1,
            vec![
                "Medicine".to_owned(),
                "Surgery".to_owned(),
                "Theatres".to_owned(),
            ],
        )]);
        let figures = Figures::decide(&[(1, &facts)], &places, false, &[q], SIX, &[]);
        let listed = figures.units(Scope::Organisation(1));
        for place in ["Medicine", "Surgery", "Theatres", "Not given"] {
            assert!(listed.iter().any(|p| p == place), "{place}: {listed:?}");
        }
        let surgery = figures.count(
            Scope::Organisation(1),
            Some(q),
            Measure::Unit("Surgery".into()),
        );
        assert_eq!(
            surgery.to_string(),
            "fewer than 6",
            "a place with none reads like one with some under a small total"
        );
    }
}
