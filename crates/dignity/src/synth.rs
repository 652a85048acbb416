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
use std::io::{BufWriter, Write};
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
    // The whole file in memory, parsed in as many pieces as there are cores: reading a
    // line at a time into strings was most of the ingest time.
    let text = std::fs::read(path).with_context(|| format!("could not open {}", path.display()))?;
    let header_end = text.iter().position(|&b| b == b'\n').unwrap_or(text.len());
    anyhow::ensure!(header_end > 0, "the file is empty");
    let header = std::str::from_utf8(&text[..header_end])
        .context("line 1: the header is not text")?
        .trim_end_matches('\r');
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
    let limits = Limits {
        values: columns.dims().iter().map(|d| d.labels.len()).collect(),
        codes: columns.items().iter().map(|i| i.codes).collect(),
    };
    let limits = &limits;
    let body_start = (header_end + 1).min(text.len());
    let pieces = split_at_lines(
        &text[body_start..],
        std::thread::available_parallelism().map_or(2, |n| n.get()),
    );
    let parsed: Vec<Result<Piece, (usize, String)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = pieces
            .iter()
            .map(|&(offset, piece)| scope.spawn(move || parse_piece(piece, offset, limits)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err((0, "a reading thread failed".into())))
            })
            .collect()
    });
    for result in parsed {
        let piece = result.map_err(|(offset, message)| {
            // The line number is only worked out when there is a mistake to report.
            let line = 2 + text[body_start..body_start + offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            anyhow::anyhow!("line {line}: {message}")
        })?;
        let answers: Vec<&[u8]> = piece.answers.iter().map(Vec::as_slice).collect();
        let values: Vec<&[u16]> = piece.values.iter().map(Vec::as_slice).collect();
        columns
            .append(&answers, &values)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(columns)
}

/// Splits `body` into about `parts` pieces, each ending at the end of a line, with each
/// piece's offset in `body`.
fn split_at_lines(body: &[u8], parts: usize) -> Vec<(usize, &[u8])> {
    let mut pieces = Vec::with_capacity(parts);
    let mut start = 0;
    let size = body.len().div_ceil(parts.max(1)).max(1);
    while start < body.len() {
        let end = (start + size).min(body.len());
        let end = body[end..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(body.len(), |p| end + p + 1);
        pieces.push((start, &body[start..end]));
        start = end;
    }
    pieces
}

/// The largest grouping value and answer code each column may hold.
struct Limits {
    values: Vec<usize>,
    codes: Vec<u8>,
}

/// One piece of the file, column by column.
struct Piece {
    values: Vec<Vec<u16>>,
    answers: Vec<Vec<u8>>,
}

/// Parses whole lines of numbers: `dims` grouping values then `items` answer codes. An
/// error carries the offset (in the body) of the line it is on.
fn parse_piece(piece: &[u8], offset: usize, limits: &Limits) -> Result<Piece, (usize, String)> {
    let (dims, items) = (limits.values.len(), limits.codes.len());
    let lines = piece.iter().filter(|&&b| b == b'\n').count() + 1;
    let mut out = Piece {
        values: vec![Vec::with_capacity(lines); dims],
        answers: vec![Vec::with_capacity(lines); items],
    };
    let mut at = 0;
    while at < piece.len() {
        let line_start = at;
        let fail = |message: &str| Err((offset + line_start, message.to_owned()));
        let mut field = 0;
        loop {
            let mut number: u32 = 0;
            let mut digits = 0;
            while let Some(&b) = piece.get(at) {
                if !b.is_ascii_digit() {
                    break;
                }
                number = number * 10 + u32::from(b - b'0');
                digits += 1;
                at += 1;
                if digits > 5 {
                    return fail("a value is too long");
                }
            }
            if digits == 0 {
                return if field < dims {
                    fail("a grouping value is missing or not a number")
                } else {
                    fail("an answer is missing or not a number")
                };
            }
            if field < dims {
                match u16::try_from(number) {
                    Ok(v) if usize::from(v) <= limits.values[field] => out.values[field].push(v),
                    _ => return fail("a grouping value is not one of its grouping's"),
                }
            } else if field < dims + items {
                match u8::try_from(number) {
                    Ok(v) if v <= limits.codes[field - dims] => out.answers[field - dims].push(v),
                    _ => return fail("an answer is not one of its question's choices"),
                }
            } else {
                return fail("the line has more values than the header");
            }
            field += 1;
            match piece.get(at) {
                Some(b',') => at += 1,
                Some(b'\r') if piece.get(at + 1) == Some(&b'\n') => {
                    at += 2;
                    break;
                }
                Some(b'\n') => {
                    at += 1;
                    break;
                }
                None => break,
                Some(_) => return fail("a value is not a number"),
            }
        }
        if field != dims + items {
            return fail("the line has fewer values than the header");
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_file_reads_back_the_same_and_mistakes_name_their_line() {
        let dir = std::env::temp_dir().join(format!("dignity-synth-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("national.csv");
        let original = dignity_engine::synth::generate(3_000, 4, 9);
        write_csv(&original, &path).unwrap();
        let read = read_csv(&path, 4).unwrap();
        assert_eq!(read.rows(), original.rows());
        for i in 0..original.items().len() {
            assert_eq!(read.item(i).unwrap(), original.item(i).unwrap());
        }
        for d in 0..original.dims().len() {
            assert_eq!(read.dim(d).unwrap(), original.dim(d).unwrap());
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let mistake = |lines: &[String]| {
            std::fs::write(&path, lines.join("\n") + "\n").unwrap();
            read_csv(&path, 4)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        let good = lines[2001].clone();
        lines[2001] = good.replacen(',', ",x", 1);
        assert!(
            mistake(&lines).starts_with("line 2002: "),
            "{}",
            mistake(&lines)
        );
        lines[2001] = format!("{good},1");
        assert_eq!(
            mistake(&lines),
            "line 2002: the line has more values than the header"
        );
        lines[2001] = good.rsplit_once(',').unwrap().0.to_owned();
        assert_eq!(
            mistake(&lines),
            "line 2002: the line has fewer values than the header"
        );
        lines[2001] = good.rsplit_once(',').unwrap().0.to_owned() + ",12";
        assert_eq!(
            mistake(&lines),
            "line 2002: an answer is not one of its question's choices"
        );
        lines[2001] = format!("99999{}", &good[good.find(',').unwrap()..]);
        assert_eq!(
            mistake(&lines),
            "line 2002: a grouping value is not one of its grouping's"
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}
