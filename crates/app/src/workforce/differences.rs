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
use std::collections::BTreeMap;

/// Every table of one extract, by name.
pub type Tables = BTreeMap<String, Cells>;

/// The tables of `rows`; `None` for board membership.
pub fn tables_of(rows: &Rows) -> Option<Tables> {
    let mut tables = Tables::new();
    match rows {
        Rows::Staff { leavers, people } => {
            for person in people {
                staff(&mut tables, person, *leavers);
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

fn staff(tables: &mut Tables, p: &Staff, leavers: bool) {
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
    for (table, cell) in [
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
    ] {
        add(tables, table, cell, 1);
    }
    if leavers {
        let reason = p.leaving_reason.clone().unwrap_or_default();
        add(tables, "leaving reason", reason, 1);
    }
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
    let accessed = if t.accessed {
        "accessed"
    } else {
        "not accessed"
    };
    add(
        tables,
        "training by ethnicity",
        format!("{}|{accessed}", t.ethnicity),
        1,
    );
    add(
        tables,
        "training by ethnicity group",
        format!("{}|{accessed}", wres(&t.ethnicity)),
        1,
    );
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
