//! The workforce page's figures for one organisation on one day: headcount by each group
//! the extracts hold, down the unit tree, turnover and sickness absence. Every count goes
//! through the disclosure rules under the workforce minimum: the page is for the
//! organisation's own leaders, who know their staff by name, so a small group in a unit
//! would point at people.

use crate::Error;
use crate::context::Context;
use crate::identity::{CurrentSession, Organisation};
use dignity_domain::identity::Role;
use dignity_domain::speakup::Day;
use dignity_domain::workforce::{
    AgeBand, Disability, Ethnicity, PayGrade, Sex, StaffGroup, WresGroup,
};
use dignity_engine::disclosure::{self, Disclosed, Figure, Minimum, Unit};
use dignity_store::identity as units_store;
use dignity_store::workforce::{self as store, Kind, Rows, Snapshot, Staff};

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
    /// `None` when no leavers extract was imported for the day.
    pub turnover: Option<Turnover>,
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
    pub name: String,
    pub count: Figure,
}

#[derive(Debug, Clone)]
pub struct Turnover {
    pub leavers: Figure,
    /// Leavers over the average headcount of the year's two ends (or its end alone).
    pub rate: Figure,
}

/// Whether `session` may read the workforce figures of `organisation`.
pub fn may_read(session: &CurrentSession, organisation: &Organisation) -> bool {
    session.has_org_role(&organisation.ods_code, READERS)
}

/// The figures for `as_at`, or for the newest staff-in-post snapshot; `None` when there is
/// none yet.
pub async fn overview(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    as_at: Option<Day>,
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
    let whole = disclosure::population(total, minimum);
    let units = units_store::list_org_units(&ctx.db, organisation.id).await?;

    let a_year_before = chosen.as_at.plus_days(-365);
    let earlier = staff_days
        .iter()
        .find(|s| s.as_at <= a_year_before)
        .copied();
    let leavers = snapshots
        .iter()
        .find(|s| s.kind == Kind::Leavers && s.as_at == chosen.as_at);
    let turnover = match leavers {
        Some(snapshot) => {
            let left = snapshot.row_count.max(0) as u64;
            let start = earlier.map(|s| s.row_count.max(0) as u64);
            Some(turnover(left, total, start, &whole, minimum))
        }
        None => None,
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
        breakdowns: breakdowns(&people, &whole, minimum),
        units: unit_rows(organisation, &units, &people, minimum),
        turnover,
        sickness: sickness(&people, &whole, minimum),
        minimum: minimum.people(),
    }))
}

async fn staff(ctx: &Context, snapshot: &Snapshot) -> Result<Vec<Staff>, Error> {
    match store::rows(&ctx.db, snapshot).await? {
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

/// One breakdown: every group the codes know, in their order, plus any code the program
/// does not know (so the groups add up to the whole, as the rule needs).
fn breakdown(
    key: &'static str,
    title: &'static str,
    groups: &[(&'static str, &'static str)],
    of: impl Fn(&Staff) -> &str,
    people: &[Staff],
    whole: &Disclosed<u64>,
    minimum: Minimum,
) -> Breakdown {
    let mut sizes = vec![0u64; groups.len() + 1];
    for person in people {
        let code = of(person);
        let at = groups
            .iter()
            .position(|(c, _)| *c == code)
            .unwrap_or(groups.len());
        if let Some(size) = sizes.get_mut(at) {
            *size += 1;
        }
    }
    let total = people.len() as u64;
    let mut labels: Vec<&'static str> = groups.iter().map(|(_, label)| *label).collect();
    labels.push("Not recognised");
    let decided = disclosure::groups(&sizes, whole, minimum);
    let rows = labels
        .into_iter()
        .zip(sizes.iter().copied())
        .zip(decided)
        // An unrecognised code never came in (the import checks every code): no row.
        .filter(|((label, size), _)| *label != "Not recognised" || *size > 0)
        .map(|((label, _), count)| Row {
            label,
            share: Figure::of(count, |n| percent(n, total), "hidden"),
            count: Figure::amount(count, |n| n.to_string(), "hidden"),
        })
        .collect();
    Breakdown { key, title, rows }
}

fn codes<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|&v| (code(v), label(v))).collect()
}

fn breakdowns(people: &[Staff], whole: &Disclosed<u64>, minimum: Minimum) -> Vec<Breakdown> {
    // The WRES group is worked out from the stored category.
    let wres: Vec<(&'static str, &'static str)> =
        codes(WresGroup::ALL, WresGroup::code, WresGroup::label);
    fn group_of(p: &Staff) -> &'static str {
        Ethnicity::from_code(&p.ethnicity).map_or("unknown", |e| e.wres_group().code())
    }
    let clinical = [("yes", "Clinical"), ("no", "Non-clinical")];
    vec![
        breakdown(
            "pay-grade",
            "Pay band or grade",
            &codes(PayGrade::ALL, PayGrade::code, PayGrade::label),
            |p| p.pay_grade.as_str(),
            people,
            whole,
            minimum,
        ),
        breakdown(
            "staff-group",
            "Staff group",
            &codes(StaffGroup::ALL, StaffGroup::code, StaffGroup::label),
            |p| p.staff_group.as_str(),
            people,
            whole,
            minimum,
        ),
        breakdown(
            "clinical",
            "Clinical or not",
            &clinical,
            |p| if p.clinical { "yes" } else { "no" },
            people,
            whole,
            minimum,
        ),
        breakdown(
            "ethnicity",
            "Ethnicity (as the WRES groups it)",
            &wres,
            |p| group_of(p),
            people,
            whole,
            minimum,
        ),
        breakdown(
            "disability",
            "Disability",
            &codes(Disability::ALL, Disability::code, Disability::label),
            |p| p.disability.as_str(),
            people,
            whole,
            minimum,
        ),
        breakdown(
            "sex",
            "Sex",
            &codes(Sex::ALL, Sex::code, Sex::label),
            |p| p.sex.as_str(),
            people,
            whole,
            minimum,
        ),
        breakdown(
            "age",
            "Age band",
            &codes(AgeBand::ALL, AgeBand::code, AgeBand::label),
            |p| p.age_band.as_str(),
            people,
            whole,
            minimum,
        ),
    ]
}

/// The organisation and its units, each unit counting the people placed in it and below
/// it, decided by the tree rule (no hidden unit can be had from its parent and siblings).
fn unit_rows(
    organisation: &Organisation,
    units: &[units_store::OrgUnit],
    people: &[Staff],
    minimum: Minimum,
) -> Vec<UnitRow> {
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
        order: &mut Vec<(usize, String)>,
    ) -> Vec<Unit> {
        let mut children: Vec<&units_store::OrgUnit> =
            units.iter().filter(|u| u.parent_id == parent).collect();
        children.sort_by(|a, b| a.name.cmp(&b.name));
        children
            .into_iter()
            .map(|u| {
                order.push((depth, u.name.clone()));
                Unit {
                    direct: direct(Some(u.id)),
                    children: build(Some(u.id), depth + 1, units, direct, order),
                }
            })
            .collect()
    }
    let mut order = vec![(0, organisation.name.clone())];
    let root = Unit {
        direct: direct(None),
        children: build(None, 1, units, &direct, &mut order),
    };
    order
        .into_iter()
        .zip(disclosure::tree(&root, minimum))
        .map(|((depth, name), count)| UnitRow {
            depth,
            name,
            count: Figure::amount(count, |n| n.to_string(), "hidden"),
        })
        .collect()
}

fn turnover(
    left: u64,
    at_end: u64,
    at_start: Option<u64>,
    whole: &Disclosed<u64>,
    minimum: Minimum,
) -> Turnover {
    let leavers = disclosure::population(left, minimum);
    let average = match at_start {
        Some(start) => (start + at_end) as f64 / 2.0,
        None => at_end as f64,
    };
    let rate = leavers.zip(*whole).map(|(l, _)| {
        if average > 0.0 {
            l as f64 * 100.0 / average
        } else {
            0.0
        }
    });
    Turnover {
        leavers: Figure::amount(leavers, |n| n.to_string(), "hidden"),
        rate: Figure::of(rate, |r| format!("{r:.1}%"), "hidden"),
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
