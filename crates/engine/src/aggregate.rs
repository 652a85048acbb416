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
    hist: Vec<Histogram>,
}

impl Report {
    pub fn histogram(&self, group: usize, item_position: usize) -> &Histogram {
        &self.hist[group * self.items.len() + item_position]
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

/// Computes every requested breakdown in one pass over the chosen respondents.
/// `breakdowns` holds `None` for "everyone together" and `Some(dim)` for a grouping.
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
    let mut layout = Vec::with_capacity(breakdowns.len());
    let mut offset = 0;
    for b in breakdowns {
        let (col, groups) = match b {
            Some(d) => (Some(columns.dim(*d)?), columns.dims()[*d].labels.len() + 1),
            None => (None, 1),
        };
        layout.push((col, groups, offset));
        offset += groups * items.len();
    }
    let cells = offset;
    let words = chosen.word_count();
    let threads = threads.max(1).min(words.max(1));
    let per_thread = words.div_ceil(threads);
    let partials: Vec<Vec<Histogram>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (item_cols, layout) = (&item_cols, &layout);
                scope.spawn(move || {
                    let mut hist = vec![[0u32; MAX_CODE as usize + 1]; cells];
                    let from = (t * per_thread).min(words);
                    let to = ((t + 1) * per_thread).min(words);
                    chosen.for_each_in(from, to, |row| {
                        for (col, _, base) in layout {
                            let group = col.map_or(0, |c| usize::from(c[row]));
                            let at = base + group * item_cols.len();
                            for (j, item) in item_cols.iter().enumerate() {
                                hist[at + j][usize::from(item[row])] += 1;
                            }
                        }
                    });
                    hist
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let mut total = vec![[0u32; MAX_CODE as usize + 1]; cells];
    for partial in partials {
        for (sum, part) in total.iter_mut().zip(partial) {
            for (a, b) in sum.iter_mut().zip(part) {
                *a += b;
            }
        }
    }
    Ok(layout
        .iter()
        .zip(breakdowns)
        .map(|((_, groups, base), b)| Report {
            items: items.to_vec(),
            breakdown: *b,
            groups: *groups,
            hist: total[*base..base + groups * items.len()].to_vec(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::DimMeta;

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
