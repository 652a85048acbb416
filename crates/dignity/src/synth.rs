//! `dignity synth`: writes the synthetic national survey dataset as CSV, for demos,
//! benchmarks and the comparison with DuckDB and Polars (scripts/compare-engines.py).
//!
//! Columns: the groupings (organisation, benchmark_group, staff_group, ethnicity,
//! disability, year, org_unit) as numbers from 1 (0: not given), then one column per
//! item holding the answer code (0: not answered).

#![expect(
    clippy::indexing_slicing,
    reason = "made-up data indexed by the sizes it was made with"
)]

use anyhow::Context;
use dignity_engine::columns::Columns;
use std::io::{BufRead, BufWriter, Write};
use std::path::Path;

pub fn write_csv(columns: &Columns, path: &Path) -> anyhow::Result<()> {
    let file = std::fs::File::create(path)
        .with_context(|| format!("could not create {}", path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let header: Vec<&str> = columns
        .dims()
        .iter()
        .map(|d| d.key.as_str())
        .chain(columns.items().iter().map(|i| i.key.as_str()))
        .collect();
    writeln!(out, "{}", header.join(","))?;
    let dims: Vec<&[u16]> = (0..columns.dims().len())
        .map(|d| columns.dim(d))
        .collect::<Result<_, _>>()?;
    let items: Vec<&[u8]> = (0..columns.items().len())
        .map(|i| columns.item(i))
        .collect::<Result<_, _>>()?;
    let mut line = Vec::with_capacity(512);
    let progress_every = (columns.rows() / 20).max(1);
    for row in 0..columns.rows() {
        line.clear();
        for (i, col) in dims.iter().enumerate() {
            if i > 0 {
                line.push(b',');
            }
            line.extend_from_slice(col[row].to_string().as_bytes());
        }
        for col in &items {
            line.push(b',');
            let code = col[row];
            if code >= 10 {
                line.push(b'1');
                line.push(b'0' + code - 10);
            } else {
                line.push(b'0' + code);
            }
        }
        line.push(b'\n');
        out.write_all(&line)?;
        if row % progress_every == 0 {
            eprint!("\rwriting {:>3}%", row * 100 / columns.rows().max(1));
        }
    }
    out.flush()?;
    eprintln!("\rwriting 100%");
    Ok(())
}

/// Reads a file written by [`write_csv`], checking every value, with line numbers in errors.
pub fn read_csv(path: &Path, orgs: usize) -> anyhow::Result<Columns> {
    let file =
        std::fs::File::open(path).with_context(|| format!("could not open {}", path.display()))?;
    let mut lines = std::io::BufReader::with_capacity(1 << 20, file).lines();
    let header = lines.next().context("the file is empty")??;
    let dims = dignity_engine::synth::dims(orgs);
    let known = dignity_engine::synth::items();
    let names: Vec<&str> = header.split(',').collect();
    if names.len() < dims.len()
        || names[..dims.len()]
            .iter()
            .zip(&dims)
            .any(|(n, d)| *n != d.key)
    {
        anyhow::bail!(
            "line 1: the first columns must be {}",
            dims.iter()
                .map(|d| d.key.as_str())
                .collect::<Vec<_>>()
                .join(",")
        );
    }
    let items = names[dims.len()..]
        .iter()
        .map(|n| {
            known
                .iter()
                .find(|i| i.key == *n)
                .cloned()
                .with_context(|| format!("line 1: '{n}' is not an item of the synthetic survey"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut columns = Columns::new(items, dims);
    let (mut answers, mut values) = (
        vec![0u8; columns.items().len()],
        vec![0u16; columns.dims().len()],
    );
    for (n, line) in lines.enumerate() {
        let line = line?;
        let number = n + 2;
        let mut fields = line.split(',');
        for slot in values.iter_mut() {
            *slot = fields
                .next()
                .and_then(|f| f.parse().ok())
                .with_context(|| {
                    format!("line {number}: a grouping value is missing or not a number")
                })?;
        }
        for slot in answers.iter_mut() {
            *slot = fields
                .next()
                .and_then(|f| f.parse().ok())
                .with_context(|| format!("line {number}: an answer is missing or not a number"))?;
        }
        columns
            .push(&answers, &values)
            .with_context(|| format!("line {number}"))?;
    }
    Ok(columns)
}
