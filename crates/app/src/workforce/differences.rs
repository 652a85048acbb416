//! The tables an extract's figures come from, as counts, for the check that two extracts
//! readers may set side by side differ enough (`dignity_engine::disclosure::first_too_close`).
//!
//! Each table is a grouping some page shows, down to the finest the pages cross (pay
//! grade by clinical and ethnicity group, for WRES 1). Coarser groupings are tables of
//! their own: people moving between two fine cells of one coarse cell move the fine table
//! and not the coarse one, and the coarse one may move by one where the fine one moved by
//! many. Sums (whole-time equivalent, sickness absence) are tables by value, so one
//! person's hours changing moves them as a starter moves a headcount.
//!
//! Board membership has no tables: who sits on a trust's board is published by the trust,
//! and a board changes one member at a time, so holding its changes would hold them all.

use dignity_domain::workforce::{Ethnicity, PayGrade};
use dignity_engine::disclosure::Cells;
use dignity_store::workforce::{FormalCount, Recruitment, Rows, Staff, Training};
use std::collections::{BTreeMap, HashMap};

/// Every table of one extract, by name.
pub type Tables = BTreeMap<String, Cells>;

/// The tables of `rows`; `None` for board membership.
pub fn tables_of(rows: &Rows) -> Option<Tables> {
    let mut tables = Tables::new();
    match rows {
        Rows::Staff { leavers, people } => {
            // Counted under borrowed names first and turned into tables once: a large
            // trust's extract is 13 cells for each of tens of thousands of people.
            let mut counted: HashMap<&'static str, HashMap<String, i64>> = HashMap::new();
            for person in people {
                for (table, cell) in staff_cells(person, *leavers) {
                    *counted.entry(table).or_default().entry(cell).or_default() += 1;
                }
            }
            for (table, cells) in counted {
                tables.insert(table.to_owned(), cells.into_iter().collect());
            }
        }
        Rows::Recruitment(rows) => {
            for row in rows {
                recruitment(&mut tables, row);
            }
        }
        Rows::Training(rows) => {
            for row in rows {
                training(&mut tables, row);
            }
        }
        Rows::Board(_) => return None,
    }
    Some(tables)
}

fn add(tables: &mut Tables, table: &str, cell: String, people: i64) {
    *tables
        .entry(table.to_owned())
        .or_default()
        .entry(cell)
        .or_default() += people;
}

/// The WRES group of an ethnicity code; a code no list has stands for itself.
fn wres(code: &str) -> String {
    Ethnicity::from_code(code).map_or_else(|| code.to_owned(), |e| e.wres_group().code().to_owned())
}

/// One person's cell in each table of a staff-in-post or leavers extract.
fn staff_cells(p: &Staff, leavers: bool) -> Vec<(&'static str, String)> {
    let grade = p.pay_grade.parse::<PayGrade>().ok();
    let band = grade.map_or_else(|| p.pay_grade.clone(), |g| g.wres_band().to_owned());
    let cluster = grade
        .and_then(PayGrade::wdes_cluster)
        .map_or("none", |c| c.code());
    let side = if p.clinical {
        "clinical"
    } else {
        "non-clinical"
    };
    let wres = wres(&p.ethnicity);
    let unit = p
        .unit_id
        .map_or_else(|| "none".to_owned(), |u| u.to_string());
    let mut cells: Vec<(&'static str, String)> = [
        ("unit", unit),
        ("staff group", p.staff_group.clone()),
        ("pay grade", format!("{}|{side}", p.pay_grade)),
        ("band", format!("{band}|{side}")),
        ("ethnicity", p.ethnicity.clone()),
        ("ethnicity group", wres.clone()),
        ("band and ethnicity group", format!("{band}|{side}|{wres}")),
        ("disability", p.disability.clone()),
        (
            "cluster and disability",
            format!("{cluster}|{side}|{}", p.disability),
        ),
        ("sex", p.sex.clone()),
        ("age band", p.age_band.clone()),
        (
            "whole-time equivalent",
            p.wte
                .map_or_else(|| "none".to_owned(), |w| format!("{w:.2}")),
        ),
        (
            "sickness absence",
            p.days_lost
                .map_or_else(|| "none".to_owned(), |d| format!("{:.0}", d.round())),
        ),
    ]
    .into_iter()
    .collect();
    if leavers {
        cells.push((
            "leaving reason",
            p.leaving_reason.clone().unwrap_or_default(),
        ));
    }
    cells
}

fn recruitment(tables: &mut Tables, r: &Recruitment) {
    let wres = wres(&r.ethnicity);
    for (what, people) in [("shortlisted", r.shortlisted), ("appointed", r.appointed)] {
        add(
            tables,
            &format!("{what} by ethnicity"),
            r.ethnicity.clone(),
            people,
        );
        add(
            tables,
            &format!("{what} by ethnicity group"),
            wres.clone(),
            people,
        );
        add(
            tables,
            &format!("{what} by disability"),
            r.disability.clone(),
            people,
        );
    }
}

fn training(tables: &mut Tables, t: &Training) {
    for (table, cell) in training_cells(t) {
        add(tables, table, cell, 1);
    }
}

fn training_cells(t: &Training) -> Vec<(&'static str, String)> {
    let accessed = if t.accessed {
        "accessed"
    } else {
        "not accessed"
    };
    vec![
        (
            "training by ethnicity",
            format!("{}|{accessed}", t.ethnicity),
        ),
        (
            "training by ethnicity group",
            format!("{}|{accessed}", wres(&t.ethnicity)),
        ),
    ]
}

/// Each person's cells, by their digest; `None` for extracts kept as counts.
fn people_of(rows: &Rows) -> Option<HashMap<&str, Vec<(&'static str, String)>>> {
    match rows {
        Rows::Staff { leavers, people } => Some(
            people
                .iter()
                .map(|p| (p.person.as_str(), staff_cells(p, *leavers)))
                .collect(),
        ),
        Rows::Training(people) => Some(
            people
                .iter()
                .map(|t| (t.person.as_str(), training_cells(t)))
                .collect(),
        ),
        Rows::Recruitment(_) | Rows::Board(_) => None,
    }
}

/// How many people moved in each table between two extracts of people: each who joined
/// or left moves every table, each who stayed moves the tables whose cell they changed.
/// Counted person by person, because the counts hide how many moved when moves cancel
/// (five leaving and five joining in one cell) while one person's move shows whole.
/// `None` when either is kept as counts, or when fewer than half of the people of the
/// smaller are in both: then the digests do not link the two (a new payroll numbered
/// everyone afresh, say), everyone would count as moved however few did, and only the
/// counts can be compared.
pub fn people_moved(before: &Rows, after: &Rows) -> Option<BTreeMap<&'static str, u64>> {
    let (before, after) = (people_of(before)?, people_of(after)?);
    let in_both = after.keys().filter(|p| before.contains_key(*p)).count();
    if in_both.saturating_mul(2) < before.len().min(after.len()) {
        return None;
    }
    let mut moved: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut count = |tables: &mut dyn Iterator<Item = &'static str>| {
        for table in tables {
            *moved.entry(table).or_default() += 1;
        }
    };
    for (person, now) in &after {
        match before.get(person) {
            None => count(&mut now.iter().map(|(t, _)| *t)),
            Some(then) => count(
                &mut now
                    .iter()
                    .filter(|cell| !then.contains(cell))
                    .map(|(t, _)| *t),
            ),
        }
    }
    for (person, then) in &before {
        if !after.contains_key(person) {
            count(&mut then.iter().map(|(t, _)| *t));
        }
    }
    Some(moved)
}

/// The tables WRES 3 and WDES 3 come from: staff entering each formal process by
/// ethnicity, ethnicity group and disability.
pub fn formal_tables(counts: &[FormalCount]) -> Tables {
    let mut tables = Tables::new();
    for c in counts {
        let process = &c.process;
        add(
            &mut tables,
            &format!("{process} by ethnicity"),
            c.ethnicity.clone(),
            c.entered,
        );
        add(
            &mut tables,
            &format!("{process} by ethnicity group"),
            wres(&c.ethnicity),
            c.entered,
        );
        add(
            &mut tables,
            &format!("{process} by disability"),
            c.disability.clone(),
            c.entered,
        );
    }
    tables
}
