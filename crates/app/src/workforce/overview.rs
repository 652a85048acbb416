//! The workforce page's figures for one organisation on one day: headcount by each group
//! the extracts hold, down the unit tree, turnover and sickness absence. Every count goes
//! through the disclosure rules under the workforce minimum: the page is for the
//! organisation's own leaders, who know their staff by name, so a small group in a unit
//! would point at people.

use super::sealed::SnapshotKey;
use super::standards;
use crate::Error;
use crate::context::Context;
use crate::identity::{CurrentSession, Organisation};
use dignity_domain::identity::Role;
use dignity_domain::speakup::Day;
use dignity_domain::workforce::{AgeBand, LeavingReason, Sex, StaffGroup};
use dignity_engine::disclosure::{
    self, Disclosed, Figure, Flows, Minimum, PublishedCount, ShownAbove, TreeTable, TreeTurnover,
    Unit,
};
use dignity_engine::workforce::{self, Group, Indicators};
use dignity_store::identity as units_store;
use dignity_store::workforce::{self as store, Kind, Rows, Snapshot, Staff};
use std::collections::HashSet;

pub use dignity_store::workforce::Held;

/// Who may see an organisation's workforce figures: its leaders and those who keep it.
pub const READERS: &[Role] = &[Role::OrgAdmin, Role::Executive];

/// Days in the year a sickness absence rate is worked over.
const DAYS_IN_YEAR: f64 = 365.0;

#[derive(Debug, Clone)]
pub struct Overview {
    pub as_at: Day,
    /// Every day with a staff-in-post snapshot, newest first, to choose from.
    pub days: Vec<Day>,
    pub headcount: Figure,
    /// The whole-time equivalent of everyone in post.
    pub wte: Figure,
    pub breakdowns: Vec<Breakdown>,
    /// The organisation, then its units depth first.
    pub units: Vec<UnitRow>,
    /// The unit asked for, with its own breakdowns.
    pub unit: Option<UnitFigures>,
    /// `None` when no leavers extract was imported for the day.
    pub turnover: Option<Turnover>,
    /// People in post on the day who were not in post on the earlier day the turnover is
    /// worked from (a year before, or the newest day before that), matched by their
    /// employee number's digest; `None` without such a day.
    pub starters: Option<Starters>,
    /// The share of contracted time lost to sickness in the year to the day, or `None`
    /// when the extract has no absence column.
    pub sickness: Option<Figure>,
    pub minimum: u64,
}

/// Headcount by one kind of group.
#[derive(Debug, Clone)]
pub struct Breakdown {
    pub key: &'static str,
    pub title: &'static str,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub label: &'static str,
    pub count: Figure,
    pub share: Figure,
}

#[derive(Debug, Clone)]
pub struct UnitRow {
    /// 0 for the organisation, 1 for a division, and so on.
    pub depth: usize,
    /// `None` for the organisation.
    pub id: Option<i64>,
    pub name: String,
    pub count: Figure,
}

/// One unit's staff in post by each group, decided with every other unit's.
#[derive(Debug, Clone)]
pub struct UnitFigures {
    pub id: i64,
    pub name: String,
    /// The units it is in, the nearest first.
    pub within: Vec<String>,
    pub headcount: Figure,
    /// Empty when the unit's headcount is hidden (its groups would be hidden too), or
    /// when it is deeper than [`GROUPS_DOWN_TO`].
    pub breakdowns: Vec<Breakdown>,
    /// Its people in post who were not on the organisation's earlier day; `None` without
    /// such a day, or below [`GROUPS_DOWN_TO`].
    pub starters: Option<Figure>,
    /// `None` without a leavers extract for the day, or below [`GROUPS_DOWN_TO`].
    pub turnover: Option<UnitTurnover>,
    /// As the organisation's; `None` unless the extract gives everyone's absence and
    /// contract.
    pub sickness: Option<Figure>,
    /// Whether it is below the levels that have groups of their own.
    pub too_deep: bool,
}

/// A unit's leavers, decided with every unit's starters and leavers at once.
#[derive(Debug, Clone)]
pub struct UnitTurnover {
    pub leavers: Figure,
    /// Leavers over the average of the unit's headcounts at the year's two ends (or its
    /// end alone).
    pub rate: Figure,
}

/// The deepest level of the tree whose units show their staff by group: 1 for divisions,
/// 2 for directorates. Each breakdown is decided over every unit at once, and that
/// decision's exact check grows steeply with the units in it (docs/benchmarks.md, "Unit
/// tables"): teams show their headcount only, and count in their directorate's groups.
pub const GROUPS_DOWN_TO: usize = 2;

#[derive(Debug, Clone)]
pub struct Turnover {
    pub leavers: Figure,
    /// Leavers over the average headcount of the year's two ends (or its end alone).
    pub rate: Figure,
    /// The leavers by why they left, decided against the leavers' count shown.
    pub reasons: Breakdown,
}

#[derive(Debug, Clone)]
pub struct Starters {
    /// The earlier day they were not yet in post on.
    pub since: Day,
    pub count: Figure,
}

/// Whether `session` may read the workforce figures of `organisation`.
pub fn may_read(session: &CurrentSession, organisation: &Organisation) -> bool {
    session.has_org_role(&organisation.ods_code, READERS)
}

/// The staff-in-post extracts kept but not shown beside the ones shown, newest first, for
/// the page to say why a day is missing.
pub async fn held(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
) -> Result<Vec<Held>, Error> {
    if !may_read(session, organisation) {
        return Err(Error::Forbidden);
    }
    Ok(store::held(&ctx.db, organisation.id).await?)
}

/// The figures for `as_at`, or for the newest staff-in-post snapshot; `None` when there is
/// none yet. With `unit`, also that unit's own breakdowns.
pub async fn overview(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    as_at: Option<Day>,
    unit: Option<i64>,
) -> Result<Option<Overview>, Error> {
    if !may_read(session, organisation) {
        return Err(Error::Forbidden);
    }
    let snapshots = store::snapshots(&ctx.db, organisation.id).await?;
    let staff_days: Vec<&Snapshot> = snapshots.iter().filter(|s| s.kind == Kind::Staff).collect();
    let chosen = match as_at {
        Some(day) => staff_days.iter().find(|s| s.as_at == day).copied(),
        None => staff_days.first().copied(),
    };
    let Some(chosen) = chosen else {
        return match as_at {
            Some(_) => Err(Error::NotFound(
                "There is no staff-in-post extract for that day".into(),
            )),
            None => Ok(None),
        };
    };
    let people = staff(ctx, chosen).await?;
    let minimum = ctx.minimums.workforce();
    let total = people.len() as u64;
    // The race and disability equality tables show these same people by band, ethnicity
    // and disability, decided with every other table of their year. This page takes their
    // decision for the counts the two share, so neither page can undo the other's hiding.
    let measures = match standards::year_of_staff_snapshot(ctx, organisation.id, chosen).await? {
        Some(year) => year.indicators,
        None => standards::staff_only(&people, minimum)?,
    };
    let whole = whole_of(&measures, minimum);
    let units = units_store::list_org_units(&ctx.db, organisation.id).await?;
    if unit.is_some_and(|id| !units.iter().any(|u| u.id == id)) {
        return Err(Error::NotFound(
            "That part of the organisation is not in its structure".into(),
        ));
    }
    let places = unit_tree(&organisation.name, &units, &people, &whole, minimum);

    let a_year_before = chosen.as_at.plus_days(-365);
    let earlier = staff_days
        .iter()
        .find(|s| s.as_at <= a_year_before)
        .copied();
    let leavers = snapshots
        .iter()
        .find(|s| s.kind == Kind::Leavers && s.as_at == chosen.as_at);
    let left = match leavers {
        Some(snapshot) => Some(staff(ctx, snapshot).await?),
        None => None,
    };
    let earlier = match earlier {
        Some(snapshot) => {
            let before = staff(ctx, snapshot).await?;
            // The earlier day's headcount as its own page shows it: figures here that give
            // it back (the turnover rate, or starters beside leavers) must not undo that
            // page's hiding.
            let measures =
                match standards::year_of_staff_snapshot(ctx, organisation.id, snapshot).await? {
                    Some(year) => year.indicators,
                    None => standards::staff_only(&before, minimum)?,
                };
            Some(EarlierDay {
                since: snapshot.as_at,
                whole: whole_of(&measures, minimum),
                people: before,
            })
        }
        None => None,
    };
    let start = earlier.as_ref().map(|e| e.whole);
    let joined = earlier
        .as_ref()
        .map(|e| (e.since, joined(&people, &e.people)));
    // Staff now are the staff on the earlier day, less the leavers, plus the starters
    // (exactly, when nobody both joined and left in between). With three of the four
    // shown, the fourth is had by sum (an outside review had hidden starters and hidden
    // leavers so), so starters show only beside all three, and leavers are hidden with
    // starters unless the earlier headcount is hidden anyway.
    let (mut starters_allowed, mut leavers_allowed) = (true, true);
    if let (Some(left), Some((_, joined)), Some(start)) = (&left, joined, start) {
        let start_shown = whole.is_shown() && start.is_shown();
        starters_allowed = starters_decided(joined, total, &whole, minimum).is_shown()
            && disclosure::population(left.len() as u64, minimum).is_shown()
            && start_shown;
        leavers_allowed = starters_allowed || !start_shown;
    }
    let turnover = left
        .as_deref()
        .map(|left| turnover(left, total, start, &whole, minimum, leavers_allowed));
    let organisation_flows = Flows {
        starters: match (joined, starters_allowed) {
            (Some((_, joined)), true) => starters_decided(joined, total, &whole, minimum),
            _ => Disclosed::hidden(),
        },
        leavers: match (&left, leavers_allowed) {
            (Some(left), true) => disclosure::population(left.len() as u64, minimum),
            _ => Disclosed::hidden(),
        },
    };
    let starters = joined.map(|(since, _)| Starters {
        since,
        count: Figure::amount(organisation_flows.starters, |n| n.to_string(), "hidden"),
    });

    // The staff groups are decided beside every count of the equality tables, and each
    // unit's groups over the whole tree at once: the heaviest work on the page, so it runs
    // in the bounded pool for figures, off the async threads, and once for both.
    let unit_at = unit.and_then(|id| places.iter().position(|p| p.unit_id == Some(id)));
    let (shown, unit) = {
        let (places, people, measures) = (places.clone(), people.clone(), measures.clone());
        let flows = FlowInputs {
            organisation_name: organisation.name.clone(),
            units,
            earlier,
            left: left.clone(),
            organisation: organisation_flows,
        };
        ctx.figures
            .run(move || {
                let decided = decided_groupings(&people, &measures, &whole, minimum);
                let shown = breakdowns(&people, &measures, &decided);
                let unit =
                    unit_at.map(|at| unit_figures(at, &places, &people, &decided, &flows, minimum));
                (shown, unit)
            })
            .await?
    };
    Ok(Some(Overview {
        as_at: chosen.as_at,
        days: staff_days.iter().map(|s| s.as_at).collect(),
        headcount: Figure::amount(whole, |n| n.to_string(), "hidden"),
        wte: Figure::of(
            whole.map(|_| people.iter().filter_map(|p| p.wte).sum::<f64>()),
            |w| format!("{w:.1}"),
            "hidden",
        ),
        breakdowns: shown,
        unit,
        units: places
            .iter()
            .map(|place| UnitRow {
                depth: place.depth,
                id: place.unit_id,
                name: place.name.clone(),
                count: Figure::amount(place.count, |n| n.to_string(), "hidden"),
            })
            .collect(),
        turnover,
        starters,
        sickness: sickness(&people, &whole, minimum),
        minimum: minimum.people(),
    }))
}

/// The headcount as the equality tables decided it.
pub(crate) fn whole_of(measures: &Indicators, minimum: Minimum) -> Disclosed<u64> {
    match measures.wres.staff.workforce.total.exact() {
        Some(n) => disclosure::population(n, minimum),
        None => Disclosed::hidden(),
    }
}

async fn staff(ctx: &Context, snapshot: &Snapshot) -> Result<Vec<Staff>, Error> {
    match SnapshotKey::new(&ctx.secret)
        .rows(&ctx.db, snapshot)
        .await?
    {
        Rows::Staff { people, .. } => Ok(people),
        _ => Ok(Vec::new()),
    }
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0%".into();
    }
    format!("{:.1}%", part as f64 * 100.0 / whole as f64)
}

/// One way of grouping staff: its groups in order (code, label) and how to find a
/// person's group. Anyone in no listed group counts in a last "Not recognised" group, so
/// the groups add up to the whole, as the rule needs (the import checks every code, so it
/// stays empty and is not listed).
pub(crate) struct Grouping {
    pub(crate) key: &'static str,
    pub(crate) title: &'static str,
    pub(crate) groups: Vec<(&'static str, &'static str)>,
    of: fn(&Staff) -> &str,
}

impl Grouping {
    /// Where `person` counts: their group's place, or the last ("Not recognised").
    pub(crate) fn index_of(&self, person: &Staff) -> usize {
        self.position((self.of)(person))
            .unwrap_or(self.groups.len())
    }

    fn sizes(&self, people: &[Staff]) -> Vec<u64> {
        let mut sizes = vec![0u64; self.groups.len() + 1];
        for person in people {
            let code = (self.of)(person);
            let at = self
                .groups
                .iter()
                .position(|(c, _)| *c == code)
                .unwrap_or(self.groups.len());
            if let Some(size) = sizes.get_mut(at) {
                *size += 1;
            }
        }
        sizes
    }

    fn rows(&self, sizes: &[u64], decided: Vec<Disclosed<u64>>, total: u64) -> Breakdown {
        let labels = self
            .groups
            .iter()
            .map(|(_, label)| *label)
            .chain(std::iter::once(NOT_RECOGNISED));
        let rows = labels
            .zip(sizes.iter().copied())
            .zip(decided)
            .filter(|((label, size), _)| *label != NOT_RECOGNISED || *size > 0)
            .map(|((label, _), count)| Row {
                label,
                share: Figure::of(count, |n| percent(n, total), "hidden"),
                count: Figure::amount(count, |n| n.to_string(), "hidden"),
            })
            .collect();
        Breakdown {
            key: self.key,
            title: self.title,
            rows,
        }
    }

    fn position(&self, code: &str) -> Option<usize> {
        self.groups.iter().position(|(c, _)| *c == code)
    }
}

pub(crate) const NOT_RECOGNISED: &str = "Not recognised";

/// The staff group breakdown's key.
const STAFF_GROUP: &str = "staff-group";

fn codes<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|&v| (code(v), label(v))).collect()
}

/// Groupings, each group's size, and each group's headcount as decided.
pub(crate) type Decided = (Vec<Grouping>, Vec<Vec<u64>>, Vec<Vec<Disclosed<u64>>>);

/// Staff group, sex and age band, each group's headcount as this page decides it (every
/// group listed, "Not recognised" last): the fairness figures show rates only where this
/// page shows the headcount, so the two never disagree. They are the people of the
/// equality tables' band rows, so they are decided beside every count of that year as
/// published ([`Indicators::staff_breakdowns`]): a band row shown whole must not give back
/// a hidden group that keeps to its bands (an outside attack had 3 students as clinical
/// band 5's 63 less 60 nurses, and 15 doctors from the medical grades' rows).
pub(crate) fn decided_groupings(
    people: &[Staff],
    measures: &Indicators,
    whole: &Disclosed<u64>,
    minimum: Minimum,
) -> Decided {
    let groupings = [
        Grouping {
            key: STAFF_GROUP,
            title: "Staff group",
            groups: codes(StaffGroup::ALL, StaffGroup::code, StaffGroup::label),
            of: |p| p.staff_group.as_str(),
        },
        Grouping {
            key: "sex",
            title: "Sex",
            groups: codes(Sex::ALL, Sex::code, Sex::label),
            of: |p| p.sex.as_str(),
        },
        Grouping {
            key: "age",
            title: "Age band",
            groups: codes(AgeBand::ALL, AgeBand::code, AgeBand::label),
            of: |p| p.age_band.as_str(),
        },
    ];
    let sizes: Vec<Vec<u64>> = groupings.iter().map(|g| g.sizes(people)).collect();
    let by_band: Vec<Vec<workforce::GroupByBand>> = groupings
        .iter()
        .zip(&sizes)
        .map(|(grouping, sizes)| {
            let mut groups = vec![workforce::GroupByBand::new(); sizes.len()];
            for person in people {
                if let Some(group) = groups.get_mut(grouping.index_of(person)) {
                    *group.entry(standards::side_and_band(person)).or_default() += 1;
                }
            }
            groups
        })
        .collect();
    let published = match whole.is_shown() {
        true => measures.staff_breakdowns(&by_band, minimum),
        false => None,
    };
    let decided = sizes
        .iter()
        .enumerate()
        .map(|(b, sizes)| {
            (0..sizes.len())
                .map(|g| {
                    published
                        .as_ref()
                        .and_then(|p| p.get(b)?.get(g).copied())
                        .map_or_else(Disclosed::hidden, PublishedCount::disclosed)
                })
                .collect()
        })
        .collect();
    (groupings.into(), sizes, decided)
}

/// Every breakdown the page shows. Ethnicity and disability are the whole-workforce rows
/// of WRES 1 and WDES 1, as that decision left them. Staff group, sex and age band are
/// decided beside them ([`decided_groupings`]); pay bands are on the equality pages alone
/// (by band and clinical or non-clinical there, a band's total here would be a new sum to
/// subtract from).
fn breakdowns(people: &[Staff], measures: &Indicators, decided: &Decided) -> Vec<Breakdown> {
    let (groupings, sizes, decided) = decided;
    let total = people.len() as u64;
    let mut shown: Vec<Breakdown> = groupings
        .iter()
        .zip(sizes)
        .zip(decided)
        .map(|((grouping, sizes), decided)| grouping.rows(sizes, decided.clone(), total))
        .collect();
    shown.insert(
        1,
        from_measures(
            "ethnicity",
            "Ethnicity (as the WRES groups it)",
            &measures.wres.staff.workforce,
        ),
    );
    shown.insert(
        2,
        from_measures("disability", "Disability", &measures.wdes.staff.workforce),
    );
    shown
}

fn from_measures<G: Group>(
    key: &'static str,
    title: &'static str,
    breakdown: &workforce::Breakdown<G>,
) -> Breakdown {
    Breakdown {
        key,
        title,
        rows: breakdown
            .groups
            .iter()
            .map(|g| Row {
                label: g.group.label(),
                count: Figure::count(g.count),
                share: Figure::of(g.share, |s| format!("{:.1}%", s * 100.0), "hidden"),
            })
            .collect(),
    }
}

/// The unit at `at` among `places`: its headcount as the tree rule decided it, and each
/// breakdown of the organisation's page for its people. Each breakdown is decided for
/// every unit at once, with the units' headcounts and the organisation's groups as those
/// pages show them, so no unit's page undoes another's hiding (see
/// [`disclosure::tree_table`]).
fn unit_figures(
    at: usize,
    places: &[UnitPlace],
    people: &[Staff],
    decided: &Decided,
    flows: &FlowInputs,
    minimum: Minimum,
) -> UnitFigures {
    let parents = parents(places);
    let mut within = Vec::new();
    let mut up = parents.get(at).copied().flatten();
    while let Some(p) = up.filter(|&p| p > 0) {
        if let Some(place) = places.get(p) {
            within.push(place.name.clone());
        }
        up = parents.get(p).copied().flatten();
    }
    let here = places.get(at);
    let headcount = here.map_or_else(Disclosed::hidden, |p| p.count);
    let mut figures = UnitFigures {
        id: here.and_then(|p| p.unit_id).unwrap_or_default(),
        name: here.map(|p| p.name.clone()).unwrap_or_default(),
        within,
        headcount: Figure::amount(headcount, |n| n.to_string(), "hidden"),
        breakdowns: Vec::new(),
        starters: None,
        turnover: None,
        sickness: None,
        too_deep: false,
    };
    let Some(&unit_total) = headcount.value() else {
        return figures;
    };
    figures.sickness = unit_sickness(at, places, people, &headcount, minimum);
    // The table holds the places down to the deepest level with groups of their own;
    // people deeper count as their ancestor's own there.
    let kept: Vec<usize> = (0..places.len())
        .filter(|&p| places.get(p).is_some_and(|q| q.depth <= GROUPS_DOWN_TO))
        .collect();
    let at_full = at;
    let Some(at) = kept.iter().position(|&p| p == at) else {
        figures.too_deep = true;
        return figures;
    };
    let in_table = |mut p: usize| -> usize {
        while places.get(p).is_some_and(|q| q.depth > GROUPS_DOWN_TO) {
            p = parents.get(p).copied().flatten().unwrap_or(0);
        }
        kept.iter().position(|&k| k == p).unwrap_or(0)
    };
    let table_parents: Vec<Option<usize>> = kept
        .iter()
        .map(|&p| parents.get(p).copied().flatten().map(in_table))
        .collect();
    let of_place: Vec<usize> = people
        .iter()
        .map(|p| in_table(UnitPlace::of(places, p)))
        .collect();
    let decide = |groups: usize, group_of: &dyn Fn(&Staff) -> usize, above: Vec<ShownAbove>| {
        let mut direct = vec![vec![0u64; groups]; kept.len()];
        for (person, &place) in people.iter().zip(&of_place) {
            if let Some(n) = direct
                .get_mut(place)
                .and_then(|row| row.get_mut(group_of(person)))
            {
                *n += 1;
            }
        }
        let table = TreeTable {
            parents: table_parents.clone(),
            direct,
            headcounts: kept
                .iter()
                .map(|&p| places.get(p).map_or_else(Disclosed::hidden, |q| q.count))
                .collect(),
            organisation: above,
        };
        // With no decision, every count of the unit is hidden, saying nothing of its size.
        match disclosure::tree_table(&table, minimum).and_then(|rows| rows.into_iter().nth(at)) {
            Some(row) => row.into_iter().map(Some).collect(),
            None => vec![None; groups],
        }
    };
    let row = |label: &'static str, count: Option<PublishedCount>| match count {
        Some(count) => Row {
            label,
            share: Figure::of(count.disclosed(), |n| percent(n, unit_total), "hidden"),
            count: Figure::count(count),
        },
        None => Row {
            label,
            share: Figure::words("hidden"),
            count: Figure::words("hidden"),
        },
    };
    let (groupings, sizes, decided) = decided;
    // Staff groups alone. A unit's staff keep to certain bands, so its counts by
    // ethnicity, disability, sex or age band, beside the equality tables' band rows, could
    // point at people in ways the tree's decision does not see (outside attacks had a
    // division's 3 BME nurses as its 43 less its 40 White, band 5 having no one of unknown
    // ethnicity; and a division's 2 oldest staff, as its hidden ages came to 2 and its
    // therapists and nurses are none of them 20 or under). Until units are decided with
    // the band rows, those are for the whole organisation only.
    let shown: Vec<Breakdown> = groupings
        .iter()
        .zip(sizes)
        .zip(decided)
        .filter(|((grouping, _), _)| grouping.key == STAFF_GROUP)
        .map(|((grouping, sizes), decided)| {
            let above = decided.iter().map(|d| shown_above(d.is_shown())).collect();
            let counts = decide(sizes.len(), &|p| grouping.index_of(p), above);
            let labels = grouping
                .groups
                .iter()
                .map(|(_, label)| *label)
                .chain(std::iter::once(NOT_RECOGNISED));
            Breakdown {
                key: grouping.key,
                title: grouping.title,
                rows: labels
                    .zip(sizes)
                    .zip(counts)
                    .filter(|((label, size), _)| *label != NOT_RECOGNISED || **size > 0)
                    .map(|((label, _), count)| row(label, count))
                    .collect(),
            }
        })
        .collect();
    figures.breakdowns = shown;

    // Starters and leavers, every unit's at once.
    let headcounts: Vec<Disclosed<u64>> = kept
        .iter()
        .map(|&p| places.get(p).map_or_else(Disclosed::hidden, |q| q.count))
        .collect();
    let own = |who: &[Staff], counted: &dyn Fn(&Staff) -> bool| -> Vec<u64> {
        let mut own = vec![0u64; kept.len()];
        for person in who.iter().filter(|p| counted(p)) {
            if let Some(n) = own.get_mut(in_table(UnitPlace::of(places, person))) {
                *n += 1;
            }
        }
        own
    };
    // The earlier day's tree, as that day's page shows it.
    let then = flows.earlier.as_ref().map(|e| {
        unit_tree(
            &flows.organisation_name,
            &flows.units,
            &e.people,
            &e.whole,
            minimum,
        )
    });
    let earlier = flows.earlier.as_ref().zip(then.as_ref()).map(|(e, then)| {
        let known: HashSet<&str> = e.people.iter().map(|p| p.person.as_str()).collect();
        disclosure::Earlier {
            started: own(people, &|p| !known.contains(p.person.as_str())),
            before: own(&e.people, &|_| true),
            headcounts: kept
                .iter()
                .map(|&p| then.get(p).map_or_else(Disclosed::hidden, |q| q.count))
                .collect(),
        }
    });
    let tree = TreeTurnover {
        parents: table_parents,
        headcounts,
        now: own(people, &|_| true),
        earlier,
        left: flows.left.as_deref().map(|left| own(left, &|_| true)),
        organisation: flows.organisation,
    };
    // With no decision, both are hidden, saying nothing of their size.
    let decided =
        disclosure::tree_turnover(&tree, minimum).and_then(|rows| rows.into_iter().nth(at));
    let figure = |count: fn(&Flows<PublishedCount>) -> PublishedCount| {
        decided
            .as_ref()
            .map_or_else(|| Figure::words("hidden"), |d| Figure::count(count(d)))
    };
    figures.starters = flows.earlier.is_some().then(|| figure(|d| d.starters));
    // The rate gives the average headcount back, and with it the earlier day's: shown only
    // where that day's own tree shows the unit too.
    let start = then.map(|then| {
        then.get(at_full)
            .map_or_else(Disclosed::hidden, |q| q.count)
    });
    figures.turnover = flows.left.as_ref().map(|_| {
        let leavers = decided
            .as_ref()
            .map_or_else(Disclosed::hidden, |d| d.leavers.disclosed());
        let average = match start {
            Some(start) => start.map(|s| (s + unit_total) as f64 / 2.0),
            None => headcount.map(|n| n as f64),
        };
        UnitTurnover {
            leavers: figure(|d| d.leavers),
            rate: Figure::of(
                leavers.zip(average).map(|(l, average)| {
                    if average > 0.0 {
                        l as f64 * 100.0 / average
                    } else {
                        0.0
                    }
                }),
                |r| format!("{r:.1}%"),
                "hidden",
            ),
        }
    });
    figures
}

/// The earlier day the turnover is worked from (a year before, or the newest day before
/// that).
pub(crate) struct EarlierDay {
    since: Day,
    people: Vec<Staff>,
    /// The headcount as that day's page shows it.
    whole: Disclosed<u64>,
}

/// What a unit's starters and leavers are worked from, besides its people now.
pub(crate) struct FlowInputs {
    organisation_name: String,
    units: Vec<units_store::OrgUnit>,
    /// The staff in post on the earlier day the organisation's starters count from.
    earlier: Option<EarlierDay>,
    /// The leavers extract for the day.
    left: Option<Vec<Staff>>,
    /// The organisation's starters and leavers as its page shows them.
    organisation: Flows<Disclosed<u64>>,
}

/// A unit's sickness absence rate: its people's days lost over their days contracted,
/// shown where its headcount is. Only when the extract gives every person's absence and
/// contract: then what a unit and its parent leave between them is the people the tree
/// rule left between them (none, or at least the minimum), not a few without a record.
fn unit_sickness(
    at: usize,
    places: &[UnitPlace],
    people: &[Staff],
    headcount: &Disclosed<u64>,
    minimum: Minimum,
) -> Option<Figure> {
    if people
        .iter()
        .any(|p| p.days_lost.is_none() || p.wte.is_none())
    {
        return None;
    }
    let below = places.get(at).map_or(0, |p| p.below);
    let theirs: Vec<&Staff> = people
        .iter()
        .filter(|p| (at..=at + below).contains(&UnitPlace::of(places, p)))
        .collect();
    let lost: f64 = theirs.iter().filter_map(|p| p.days_lost).sum();
    let available: f64 = theirs
        .iter()
        .filter_map(|p| p.wte)
        .map(|w| w * DAYS_IN_YEAR)
        .sum();
    let rate = disclosure::mean(lost, theirs.len() as u64, headcount, minimum).map(|_| {
        if available > 0.0 {
            lost * 100.0 / available
        } else {
            0.0
        }
    });
    Some(Figure::of(rate, |r| format!("{r:.2}%"), "hidden"))
}

/// How a unit table takes one of the organisation's groups. One its page hides may still
/// be worked out from other pages (a staff group that keeps to its bands, from the
/// equality tables' rows: an outside attack had 15 doctors from the consultant row, and one
/// division's hidden 5 as 15 less the other's 10), so it is taken as known; and no unit
/// shows its count in that group, as the units' counts would add up to it and undo the
/// organisation's hiding (another attack had the hidden 60 nurses as two divisions' 30, and
/// 3 students as band 5's 63 less 60).
fn shown_above(shown: bool) -> ShownAbove {
    match shown {
        true => ShownAbove::Exact,
        false => ShownAbove::HiddenButKnowable,
    }
}

/// Each place's parent among `places` (depth first): the nearest place before it one
/// level up.
fn parents(places: &[UnitPlace]) -> Vec<Option<usize>> {
    places
        .iter()
        .enumerate()
        .map(|(at, place)| {
            (0..at)
                .rev()
                .find(|&p| places.get(p).is_some_and(|q| q.depth + 1 == place.depth))
        })
        .collect()
}

/// One place in an organisation's tree, depth first from the organisation itself.
#[derive(Debug, Clone)]
pub(crate) struct UnitPlace {
    /// 0 for the organisation, 1 for a division, and so on.
    pub(crate) depth: usize,
    pub(crate) name: String,
    /// `None` for the organisation, which holds whoever has no unit it still knows.
    pub(crate) unit_id: Option<i64>,
    /// How many places after this one are below it.
    pub(crate) below: usize,
    /// Its people and everyone below, as the tree rule decides.
    pub(crate) count: Disclosed<u64>,
}

impl UnitPlace {
    /// Where `person` is placed: the place of their unit, or the organisation's (0).
    pub(crate) fn of(places: &[UnitPlace], person: &Staff) -> usize {
        person
            .unit_id
            .and_then(|id| places.iter().position(|p| p.unit_id == Some(id)))
            .unwrap_or(0)
    }
}

pub(crate) fn unit_tree(
    organisation: &str,
    units: &[units_store::OrgUnit],
    people: &[Staff],
    whole: &Disclosed<u64>,
    minimum: Minimum,
) -> Vec<UnitPlace> {
    let known = |id: i64| units.iter().any(|u| u.id == id);
    let direct = |id: Option<i64>| -> u64 {
        people
            .iter()
            .filter(|p| match (id, p.unit_id) {
                (Some(id), Some(unit)) => unit == id,
                // The organisation holds whoever has no unit it still knows.
                (None, unit) => !unit.is_some_and(known),
                (Some(_), None) => false,
            })
            .count() as u64
    };
    // Depth first, children by name, as the page lists them.
    fn build(
        parent: Option<i64>,
        depth: usize,
        units: &[units_store::OrgUnit],
        direct: &dyn Fn(Option<i64>) -> u64,
        order: &mut Vec<(usize, String, Option<i64>)>,
    ) -> Vec<Unit> {
        let mut children: Vec<&units_store::OrgUnit> =
            units.iter().filter(|u| u.parent_id == parent).collect();
        children.sort_by(|a, b| a.name.cmp(&b.name));
        children
            .into_iter()
            .map(|u| {
                order.push((depth, u.name.clone(), Some(u.id)));
                Unit {
                    direct: direct(Some(u.id)),
                    children: build(Some(u.id), depth + 1, units, direct, order),
                }
            })
            .collect()
    }
    let mut order = vec![(0, organisation.to_owned(), None)];
    let root = Unit {
        direct: direct(None),
        children: build(None, 1, units, &direct, &mut order),
    };
    let depths: Vec<usize> = order.iter().map(|(d, ..)| *d).collect();
    order
        .into_iter()
        .zip(disclosure::tree(&root, minimum))
        .enumerate()
        // Where the equality tables' decision hides the headcount, every unit is hidden
        // too: shown, the units would add up to it (the outside attack of December 2026
        // took a hidden count of 8 as 165 less the groups shown).
        .map(|(at, ((depth, name, unit_id), count))| UnitPlace {
            depth,
            name,
            unit_id,
            below: depths
                .iter()
                .skip(at + 1)
                .take_while(|&&d| d > depth)
                .count(),
            count: if whole.is_shown() {
                count
            } else {
                Disclosed::hidden()
            },
        })
        .collect()
}

/// Starters, counted by digest: someone given a new employee number counts as a starter
/// (and a leaver), as payroll's own joiner counts do.
fn joined(now: &[Staff], before: &[Staff]) -> u64 {
    let known: std::collections::HashSet<&str> = before.iter().map(|p| p.person.as_str()).collect();
    now.iter()
        .filter(|p| !known.contains(p.person.as_str()))
        .count() as u64
}

/// The headcount is the starters and those who stayed, so the two are decided as a
/// breakdown of it: shown starters never give a small count of stayers by subtraction.
fn starters_decided(
    joined: u64,
    headcount: u64,
    whole: &Disclosed<u64>,
    minimum: Minimum,
) -> Disclosed<u64> {
    let stayed = headcount.saturating_sub(joined);
    disclosure::groups(&[joined, stayed], whole, minimum)
        .into_iter()
        .next()
        .unwrap_or_else(Disclosed::hidden)
}

/// `allowed` is false when the leavers' count must hide for another figure's sake.
fn turnover(
    left_people: &[Staff],
    at_end: u64,
    at_start: Option<Disclosed<u64>>,
    whole: &Disclosed<u64>,
    minimum: Minimum,
    allowed: bool,
) -> Turnover {
    let left = left_people.len() as u64;
    let leavers = if allowed {
        disclosure::population(left, minimum)
    } else {
        Disclosed::hidden()
    };
    // Why they left, by the same rule as every breakdown: a small group, and any group
    // the shown ones and the leavers' count would give away, is hidden.
    let reasons = Grouping {
        key: "leaving-reason",
        title: "Why people left",
        groups: codes(
            LeavingReason::ALL,
            LeavingReason::code,
            LeavingReason::label,
        ),
        of: |p| p.leaving_reason.as_deref().unwrap_or_default(),
    };
    let sizes = reasons.sizes(left_people);
    let decided =
        disclosure::linked_groups(std::slice::from_ref(&sizes), &[], &[], &leavers, minimum)
            .into_iter()
            .next()
            .unwrap_or_default();
    let reasons = reasons.rows(&sizes, decided, left);
    // The rate is leavers over the average headcount, so with the leavers shown it would
    // give the year-start headcount back: that must be one the rules would show too.
    let start = match at_start {
        Some(start) => start.map(Some),
        None => disclosure::population(at_end, minimum).map(|_| None),
    };
    let rate = leavers.zip(*whole).zip(start).map(|((l, end), start)| {
        let average = match start {
            Some(start) => (start + end) as f64 / 2.0,
            None => end as f64,
        };
        if average > 0.0 {
            l as f64 * 100.0 / average
        } else {
            0.0
        }
    });
    Turnover {
        leavers: Figure::amount(leavers, |n| n.to_string(), "hidden"),
        rate: Figure::of(rate, |r| format!("{r:.1}%"), "hidden"),
        reasons,
    }
}

/// Days lost over days contracted in the year: shown over at least the minimum of people
/// whose absence and contract the extract gives.
fn sickness(people: &[Staff], whole: &Disclosed<u64>, minimum: Minimum) -> Option<Figure> {
    let counted: Vec<(f64, f64)> = people
        .iter()
        .filter_map(|p| Some((p.days_lost?, p.wte?)))
        .collect();
    if counted.is_empty() {
        return None;
    }
    let lost: f64 = counted.iter().map(|(d, _)| d).sum();
    let available: f64 = counted.iter().map(|(_, w)| w * DAYS_IN_YEAR).sum();
    let rate = disclosure::mean(lost, counted.len() as u64, whole, minimum).map(|_| {
        if available > 0.0 {
            lost * 100.0 / available
        } else {
            0.0
        }
    });
    Some(Figure::of(rate, |r| format!("{r:.2}%"), "hidden"))
}
