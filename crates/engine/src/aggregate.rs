//! Counting answers: a whole report (every item, every breakdown) in one pass over the
//! chosen respondents, split across cores.

#![expect(
    clippy::indexing_slicing,
    reason = "the pass over the columns indexes rows and codes checked once when the columns were built; a check per element would slow the engine's inner loop"
)]

use crate::bitmap::Bitmap;
use crate::columns::{Columns, EngineError, ItemMeta, MAX_CODE};

/// How many respondents gave each answer code (index 0: no answer).
pub type Histogram = [u32; MAX_CODE as usize + 1];

/// Counts for items by the groups of one breakdown (or one group: everyone chosen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub items: Vec<usize>,
    /// The grouping broken down by, if any.
    pub breakdown: Option<usize>,
    /// Groups: value 0 ("not given") and each value of the grouping; 1 group if none.
    pub groups: usize,
    /// Where each group's histograms are held, for a grouping with very many values of
    /// which the chosen people have few (an organisation's units among the country's):
    /// [`ABSENT`] for a group nobody chosen is in. Empty: every group is held, in order.
    slots: Vec<u32>,
    /// How many groups are held for each item.
    held: usize,
    /// Item-major: item position j's histograms for every held group are together, so
    /// each item's counting writes one contiguous block and threads never share one.
    hist: Vec<Histogram>,
}

/// A group nobody chosen is in.
const ABSENT: u32 = u32::MAX;

/// Groupings with more values than this hold only the groups the chosen people are in.
const HOLD_PRESENT_ONLY: usize = 1024;

static NOBODY: Histogram = [0; MAX_CODE as usize + 1];

impl Report {
    pub fn histogram(&self, group: usize, item_position: usize) -> &Histogram {
        let slot = if self.slots.is_empty() {
            group
        } else {
            match self.slots.get(group) {
                Some(&s) if s != ABSENT => s as usize,
                _ => return &NOBODY,
            }
        };
        &self.hist[item_position * self.held + slot]
    }

    /// Respondents in a group (answering or not the first item: everyone chosen counts).
    pub fn group_size(&self, group: usize) -> u64 {
        if self.items.is_empty() {
            return 0;
        }
        self.histogram(group, 0).iter().map(|&c| u64::from(c)).sum()
    }
}

/// What one item's answers add up to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Indicator {
    /// People who answered.
    pub answered: u64,
    /// People whose answer counts towards the indicator.
    pub positive: u64,
    /// Mean answer code, for 0-10 scales stored as codes 1..=11 (so the score is mean - 1).
    pub mean_code: f64,
}

pub fn indicator(meta: &ItemMeta, hist: &Histogram) -> Indicator {
    let mut answered = 0u64;
    let mut positive = 0u64;
    let mut sum = 0u64;
    for (code, &count) in hist
        .iter()
        .enumerate()
        .take(usize::from(meta.codes) + 1)
        .skip(1)
    {
        let count = u64::from(count);
        answered += count;
        sum += count * code as u64;
        if meta.positive & (1 << code) != 0 {
            positive += count;
        }
    }
    let mean_code = if answered == 0 {
        0.0
    } else {
        sum as f64 / answered as f64
    };
    Indicator {
        answered,
        positive,
        mean_code,
    }
}

/// Rows counted a block at a time, so each block's grouping values stay in cache while
/// every item is counted over them.
const BLOCK: usize = 16 * 1024;

/// Runs of one value shorter than this on average are not worth finding.
const SEGMENT_WORTH: usize = 64;

/// The chosen rows: contiguous runs where the choice is dense (a whole campaign, one
/// organisation of the national set), or each row where it is scattered (a filter).
enum Chosen<'a> {
    Runs(Vec<(usize, usize)>),
    /// The bitmap's words from the first index to the second.
    Scattered(&'a Bitmap, usize, usize),
}

impl Chosen<'_> {
    /// About `parts` pieces with about the same number of rows each, for threads to count
    /// one each when there are fewer items than threads (a crosstab).
    fn split(&self, parts: usize) -> Vec<Chosen<'_>> {
        let parts = parts.max(1);
        match self {
            Chosen::Runs(runs) => {
                let rows: usize = runs.iter().map(|(a, z)| z - a).sum();
                let each = rows.div_ceil(parts).max(1);
                let mut out = vec![Vec::new()];
                let mut filled = 0;
                for &(mut a, z) in runs {
                    while a < z {
                        let take = (z - a).min(each - filled);
                        if let Some(last) = out.last_mut() {
                            last.push((a, a + take));
                        }
                        a += take;
                        filled += take;
                        if filled == each {
                            out.push(Vec::new());
                            filled = 0;
                        }
                    }
                }
                out.into_iter()
                    .filter(|r| !r.is_empty())
                    .map(Chosen::Runs)
                    .collect()
            }
            Chosen::Scattered(bitmap, from, to) => {
                let each = (to - from).div_ceil(parts).max(1);
                (*from..*to)
                    .step_by(each)
                    .map(|a| Chosen::Scattered(bitmap, a, (a + each).min(*to)))
                    .collect()
            }
        }
    }
}

/// Below this many chosen rows a crosstab is counted on one thread.
const SPLIT_ROWS: usize = 1 << 16;

fn chosen_rows(chosen: &Bitmap) -> Chosen<'_> {
    // Dense when most chosen rows sit in whole chosen words.
    let (mut full, mut all) = (0usize, 0usize);
    for &word in chosen.words() {
        full += usize::from(word == u64::MAX) * 64;
        all += word.count_ones() as usize;
    }
    if full * 2 < all {
        return Chosen::Scattered(chosen, 0, chosen.word_count());
    }
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut extend = |from: usize, to: usize| match runs.last_mut() {
        Some(last) if last.1 == from => last.1 = to,
        _ => runs.push((from, to)),
    };
    for (w, &word) in chosen.words().iter().enumerate() {
        let base = w * 64;
        if word == u64::MAX {
            extend(base, base + 64);
            continue;
        }
        let mut bits = word;
        while bits != 0 {
            let start = bits.trailing_zeros() as usize;
            let ones = (bits >> start).trailing_ones() as usize;
            extend(base + start, base + start + ones);
            bits &= !((u64::MAX >> (64 - ones)) << start);
        }
    }
    Chosen::Runs(runs)
}

/// Counts `codes` with four interleaved tables, so runs of the same answer do not wait on
/// each other's increments.
fn count_codes(codes: &[u8]) -> Histogram {
    let mut tables = [[0u32; 16]; 4];
    let mut quads = codes.chunks_exact(4);
    for q in &mut quads {
        tables[0][usize::from(q[0] & 15)] += 1;
        tables[1][usize::from(q[1] & 15)] += 1;
        tables[2][usize::from(q[2] & 15)] += 1;
        tables[3][usize::from(q[3] & 15)] += 1;
    }
    for &c in quads.remainder() {
        tables[0][usize::from(c & 15)] += 1;
    }
    let mut out = [0u32; MAX_CODE as usize + 1];
    for (code, slot) in out.iter_mut().enumerate() {
        *slot = tables.iter().map(|t| t[code]).sum::<u32>();
    }
    out
}

/// Counts `codes` into each row's group's histogram. With at most 16 groups, a group and
/// a code make one byte, and the bytes are counted like codes are; otherwise each row
/// adds to its group's histogram directly.
fn count_grouped(
    groups: &[u16],
    codes: &[u8],
    slots: Option<&[u32]>,
    out: &mut [Histogram],
    keys: &mut Vec<u8>,
) {
    if let Some(slots) = slots {
        for (&g, &c) in groups.iter().zip(codes) {
            out[slots[usize::from(g)] as usize][usize::from(c)] += 1;
        }
        return;
    }
    if out.len() <= 16 {
        keys.clear();
        keys.extend(
            groups
                .iter()
                .zip(codes)
                .map(|(&g, &c)| ((g as u8) << 4) | (c & 15)),
        );
        let mut tables = [[0u32; 256]; 2];
        let mut pairs = keys.chunks_exact(2);
        for p in &mut pairs {
            tables[0][usize::from(p[0])] += 1;
            tables[1][usize::from(p[1])] += 1;
        }
        for &k in pairs.remainder() {
            tables[0][usize::from(k)] += 1;
        }
        for (g, hist) in out.iter_mut().enumerate() {
            for (code, slot) in hist.iter_mut().enumerate() {
                let key = (g << 4) | code;
                *slot += tables[0][key] + tables[1][key];
            }
        }
        return;
    }
    for (&g, &c) in groups.iter().zip(codes) {
        out[usize::from(g)][usize::from(c)] += 1;
    }
}

/// Whether a breakdown's grouping stays the same over long stretches of these rows (the
/// national set is stored organisation by organisation, so its organisation and benchmark
/// group do); if so, the rows where it changes are added to `starts`.
fn stretch_starts(column: &[u16], from: usize, to: usize, starts: &mut Vec<usize>) -> bool {
    let before = starts.len();
    let limit = (to - from) / SEGMENT_WORTH + 1;
    let mut found = 0;
    for row in from + 1..to {
        if column[row] != column[row - 1] {
            starts.push(row);
            found += 1;
            if found > limit {
                starts.truncate(before);
                return false;
            }
        }
    }
    true
}

/// One breakdown as the counting loops see it.
struct Layout<'a> {
    column: Option<&'a [u16]>,
    /// Where each value's histogram is held, when only present values are.
    slots: Option<&'a [u32]>,
}

impl Layout<'_> {
    fn slot(&self, value: u16) -> usize {
        match self.slots {
            Some(slots) => slots[usize::from(value)] as usize,
            None => usize::from(value),
        }
    }
}

/// The slot of each value of a grouping the chosen rows are in, in value order;
/// [`ABSENT`] for the others.
fn present_slots(column: &[u16], groups: usize, rows: &Chosen<'_>) -> Vec<u32> {
    let mut slots = vec![ABSENT; groups];
    match rows {
        Chosen::Runs(runs) => {
            for &(from, to) in runs {
                for &v in &column[from..to] {
                    slots[usize::from(v)] = 0;
                }
            }
        }
        Chosen::Scattered(chosen, from, to) => chosen.for_each_in(*from, *to, |row| {
            slots[usize::from(column[row])] = 0;
        }),
    }
    for (next, slot) in slots.iter_mut().filter(|s| **s != ABSENT).enumerate() {
        *slot = next as u32;
    }
    slots
}

/// Computes every requested breakdown in one pass over the chosen respondents.
/// `breakdowns` holds `None` for "everyone together" and `Some(dim)` for a grouping. The
/// items are shared out between threads; each thread counts its items, for every
/// breakdown, a block of rows at a time.
pub fn reports(
    columns: &Columns,
    chosen: &Bitmap,
    items: &[usize],
    breakdowns: &[Option<usize>],
    threads: usize,
) -> Result<Vec<Report>, EngineError> {
    let item_cols: Vec<&[u8]> = items
        .iter()
        .map(|&i| columns.item(i))
        .collect::<Result<_, _>>()?;
    let mut columns_by: Vec<(Option<&[u16]>, usize)> = Vec::with_capacity(breakdowns.len());
    for b in breakdowns {
        columns_by.push(match b {
            Some(d) => (Some(columns.dim(*d)?), columns.dims()[*d].labels.len() + 1),
            None => (None, 1),
        });
    }
    let rows = chosen_rows(chosen);
    let slots: Vec<Vec<u32>> = columns_by
        .iter()
        .map(|(column, groups)| match column {
            Some(column) if *groups > HOLD_PRESENT_ONLY => present_slots(column, *groups, &rows),
            _ => Vec::new(),
        })
        .collect();
    let mut out: Vec<Report> = columns_by
        .iter()
        .zip(breakdowns)
        .zip(&slots)
        .map(|(((_, groups), b), slots)| {
            let held = if slots.is_empty() {
                *groups
            } else {
                slots.iter().filter(|s| **s != ABSENT).count()
            };
            Report {
                items: items.to_vec(),
                breakdown: *b,
                groups: *groups,
                slots: Vec::new(),
                held,
                hist: vec![[0u32; MAX_CODE as usize + 1]; held * items.len()],
            }
        })
        .collect();
    if items.is_empty() {
        return Ok(out);
    }
    let layout: Vec<Layout<'_>> = columns_by
        .iter()
        .zip(&slots)
        .map(|((column, _), slots)| Layout {
            column: *column,
            slots: (!slots.is_empty()).then_some(slots.as_slice()),
        })
        .collect();
    let threads = threads.max(1);
    let chosen_count = chosen.count();
    if items.len() < threads && chosen_count >= SPLIT_ROWS {
        // Fewer items than threads (a crosstab): each thread counts every item over its
        // own share of the rows, and the shares are added up.
        let parts = rows.split(threads);
        let helds: Vec<usize> = out.iter().map(|r| r.held).collect();
        let (layout, item_cols, helds) = (&layout, &item_cols, &helds);
        let partials: Vec<Vec<Vec<Histogram>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = parts
                .iter()
                .map(|part| {
                    scope.spawn(move || {
                        let mut hists: Vec<Vec<Histogram>> = helds
                            .iter()
                            .map(|held| vec![[0u32; MAX_CODE as usize + 1]; held * item_cols.len()])
                            .collect();
                        let mut work = work_of(&mut hists, helds, item_cols.len());
                        count_items(part, layout, item_cols, &mut work);
                        hists
                    })
                })
                .collect();
            handles.into_iter().filter_map(|h| h.join().ok()).collect()
        });
        for partial in partials {
            for (report, hists) in out.iter_mut().zip(partial) {
                for (total, part) in report.hist.iter_mut().zip(hists) {
                    for (a, b) in total.iter_mut().zip(part) {
                        *a += b;
                    }
                }
            }
        }
    } else {
        let helds: Vec<usize> = out.iter().map(|r| r.held).collect();
        let mut hists: Vec<Vec<Histogram>> = out
            .iter_mut()
            .map(|r| std::mem::take(&mut r.hist))
            .collect();
        let mut work = work_of(&mut hists, &helds, items.len());
        let threads = threads.min(items.len());
        let per_thread = items.len().div_ceil(threads);
        let (rows, layout, item_cols) = (&rows, &layout, &item_cols);
        std::thread::scope(|scope| {
            for (t, mine) in work.chunks_mut(per_thread).enumerate() {
                let first = t * per_thread;
                scope.spawn(move || count_items(rows, layout, &item_cols[first..], mine));
            }
        });
        for (report, hist) in out.iter_mut().zip(hists) {
            report.hist = hist;
        }
    }
    for (report, slots) in out.iter_mut().zip(slots) {
        report.slots = slots;
    }
    Ok(out)
}

/// Each item's block of histograms in every report: `work[j][b]` is item j's histograms
/// for breakdown b (empty when the breakdown holds no group: nobody chosen).
fn work_of<'h>(
    hists: &'h mut [Vec<Histogram>],
    helds: &[usize],
    items: usize,
) -> Vec<Vec<&'h mut [Histogram]>> {
    let mut work: Vec<Vec<&mut [Histogram]>> = (0..items).map(|_| Vec::new()).collect();
    for (hist, &held) in hists.iter_mut().zip(helds) {
        if held == 0 {
            work.iter_mut().for_each(|w| w.push(&mut []));
            continue;
        }
        for (j, block) in hist.chunks_mut(held).enumerate() {
            work[j].push(block);
        }
    }
    work
}

/// One thread's share: `mine[j]` holds item `codes[j]`'s histograms for every breakdown.
fn count_items(
    rows: &Chosen,
    layout: &[Layout<'_>],
    codes: &[&[u8]],
    mine: &mut [Vec<&mut [Histogram]>],
) {
    let mut keys = Vec::with_capacity(BLOCK);
    match rows {
        Chosen::Runs(runs) => {
            let mut starts = Vec::new();
            let mut steady = Vec::with_capacity(layout.len());
            for &(from, to) in runs {
                let mut start = from;
                while start < to {
                    let end = (start + BLOCK).min(to);
                    // Breakdowns that keep one value over long stretches share one count
                    // per stretch of every item: the stretches where none of them changes.
                    starts.clear();
                    steady.clear();
                    for (b, by) in layout.iter().enumerate() {
                        match by.column {
                            None => steady.push(b),
                            Some(c) if stretch_starts(c, start, end, &mut starts) => {
                                steady.push(b);
                            }
                            Some(_) => {}
                        }
                    }
                    starts.push(start);
                    starts.push(end);
                    starts.sort_unstable();
                    starts.dedup();
                    for (item, hists) in codes.iter().zip(mine.iter_mut()) {
                        for stretch in starts.windows(2) {
                            let (a, z) = (stretch[0], stretch[1]);
                            let counted = count_codes(&item[a..z]);
                            for &b in &steady {
                                let by = &layout[b];
                                let group = by.column.map_or(0, |c| by.slot(c[a]));
                                for (slot, n) in hists[b][group].iter_mut().zip(counted) {
                                    *slot += n;
                                }
                            }
                        }
                        for (b, by) in layout.iter().enumerate() {
                            if let Some(column) = by.column
                                && !steady.contains(&b)
                            {
                                count_grouped(
                                    &column[start..end],
                                    &item[start..end],
                                    by.slots,
                                    hists[b],
                                    &mut keys,
                                );
                            }
                        }
                    }
                    start = end;
                }
            }
        }
        Chosen::Scattered(chosen, first, words) => {
            // Each chosen row straight from the bitmap, a block of words at a time, so the
            // block's grouping values stay in cache across items.
            let (words, step) = (*words, BLOCK / 64);
            let mut from = *first;
            while from < words {
                let to = (from + step).min(words);
                for (item, hists) in codes.iter().zip(mine.iter_mut()) {
                    for (b, by) in layout.iter().enumerate() {
                        let out = &mut *hists[b];
                        match by.column {
                            Some(column) => chosen.for_each_in(from, to, |row| {
                                out[by.slot(column[row])][usize::from(item[row])] += 1;
                            }),
                            None => {
                                let all = &mut out[0];
                                chosen.for_each_in(from, to, |row| {
                                    all[usize::from(item[row])] += 1;
                                });
                            }
                        }
                    }
                }
                from = to;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::DimMeta;

    /// Every way of counting (long stretches of one value, a byte per group and code, a
    /// row at a time; whole runs of rows or scattered ones; any number of threads) gives
    /// exactly what counting each row by hand gives.
    #[test]
    fn every_counting_path_matches_counting_by_hand() {
        let mut rng = crate::rng::Rng::new(5);
        let items: Vec<ItemMeta> = (0..7)
            .map(|i| ItemMeta {
                key: format!("q{i}"),
                codes: if i == 3 { 11 } else { 5 },
                positive: 0b110,
            })
            .collect();
        let dims = vec![
            // Stored in long stretches, like organisations in the national set.
            DimMeta {
                key: "sorted".into(),
                labels: (0..40).map(|v| format!("s{v}")).collect(),
            },
            DimMeta {
                key: "few".into(),
                labels: (0..9).map(|v| format!("f{v}")).collect(),
            },
            DimMeta {
                key: "many".into(),
                labels: (0..300).map(|v| format!("m{v}")).collect(),
            },
            // Like the country's units: only a few of them in any one choice.
            DimMeta {
                key: "huge".into(),
                labels: (0..3000).map(|v| format!("h{v}")).collect(),
            },
        ];
        let mut c = Columns::new(items.clone(), dims);
        let rows = 70_000;
        for row in 0..rows {
            let answers: Vec<u8> = items
                .iter()
                .map(|m| rng.below(u64::from(m.codes) + 1) as u8)
                .collect();
            let sorted = (row * 40 / rows) as u16 + u16::from(row % 997 == 0);
            let huge = if row % 5 == 0 {
                0
            } else {
                1500 + (row / 1000) as u16
            };
            let values = [
                sorted.min(40),
                rng.below(10) as u16,
                rng.below(301) as u16,
                huge,
            ];
            c.push(&answers, &values).unwrap();
        }
        let mut choices = vec![Bitmap::full(rows)];
        let mut range = Bitmap::empty(rows);
        (12_345..51_000).for_each(|r| range.set(r));
        choices.push(range);
        let mut scattered = Bitmap::empty(rows);
        (0..rows)
            .filter(|_| rng.below(7) == 0)
            .for_each(|r| scattered.set(r));
        choices.push(scattered);
        let mut mixed = Bitmap::empty(rows);
        (0..rows)
            .filter(|r| (20_000..40_000).contains(r) || rng.below(3) == 0)
            .for_each(|r| mixed.set(r));
        choices.push(mixed);
        let breakdowns = [None, Some(0), Some(1), Some(2), Some(3)];
        let all_items: Vec<usize> = (0..items.len()).collect();
        for chosen in &choices {
            for threads in [1, 2, 3] {
                let out = reports(&c, chosen, &all_items, &breakdowns, threads).unwrap();
                // One item on more threads than items: the rows are shared out instead.
                let one = reports(&c, chosen, &[3], &breakdowns, threads).unwrap();
                for (single, all) in one.iter().zip(&out) {
                    for g in 0..all.groups {
                        assert_eq!(
                            single.histogram(g, 0),
                            all.histogram(g, 3),
                            "{threads} threads"
                        );
                    }
                }
                for (report, b) in out.iter().zip(breakdowns) {
                    let mut by_hand =
                        vec![[0u32; MAX_CODE as usize + 1]; report.groups * items.len()];
                    chosen.for_each_in(0, chosen.word_count(), |row| {
                        let g = b.map_or(0, |d| usize::from(c.dim(d).unwrap()[row]));
                        for j in 0..items.len() {
                            by_hand[j * report.groups + g][usize::from(c.item(j).unwrap()[row])] +=
                                1;
                        }
                    });
                    for g in 0..report.groups {
                        for j in 0..items.len() {
                            assert_eq!(
                                report.histogram(g, j),
                                &by_hand[j * report.groups + g],
                                "breakdown {b:?}, group {g}, item {j}, {threads} threads"
                            );
                        }
                    }
                }
            }
        }
        let none = reports(&c, &Bitmap::empty(rows), &all_items, &breakdowns, 2).unwrap();
        assert!(
            none.iter()
                .all(|r| (0..r.groups).all(|g| r.group_size(g) == 0))
        );
        assert!(
            reports(&c, &choices[0], &[], &breakdowns, 2)
                .unwrap()
                .iter()
                .all(|r| r.items.is_empty())
        );
    }

    #[test]
    fn one_pass_gives_totals_and_breakdowns() {
        let items = vec![
            ItemMeta {
                key: "agree".into(),
                codes: 5,
                positive: 0b11_0000,
            },
            ItemMeta {
                key: "score".into(),
                codes: 11,
                positive: 0,
            },
        ];
        let dims = vec![DimMeta {
            key: "group".into(),
            labels: vec!["A".into(), "B".into()],
        }];
        let mut c = Columns::new(items, dims);
        for (a, s, g) in [(5, 11, 1), (4, 6, 1), (1, 1, 2), (0, 0, 2), (5, 8, 0)] {
            c.push(&[a, s], &[g]).unwrap();
        }
        let all = crate::bitmap::Bitmap::full(c.rows());
        let out = reports(&c, &all, &[0, 1], &[None, Some(0)], 3).unwrap();
        let everyone = indicator(&c.items()[0], out[0].histogram(0, 0));
        assert_eq!((everyone.answered, everyone.positive), (4, 3));
        let a = indicator(&c.items()[0], out[1].histogram(1, 0));
        assert_eq!((a.answered, a.positive), (2, 2));
        let score_b = indicator(&c.items()[1], out[1].histogram(2, 1));
        assert_eq!(score_b.answered, 1);
        assert_eq!(score_b.mean_code - 1.0, 0.0, "a 0 on the 0-10 scale");
        assert_eq!(out[1].group_size(2), 2);
        assert_eq!(out[1].group_size(0), 1, "not given is its own group");
    }
}
