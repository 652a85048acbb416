//! The column store: one byte per answer, one `u16` per grouping value, appended as
//! responses arrive.

#![expect(
    clippy::indexing_slicing,
    reason = "positions are checked against the column lengths when rows are pushed"
)]

use crate::bitmap::Bitmap;
use std::fmt;

/// Answer codes run from 1 to at most this; 0 means "not answered".
pub const MAX_CODE: u8 = 11;

/// A question as the engine sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemMeta {
    pub key: String,
    /// Answers are 1..=codes.
    pub codes: u8,
    /// Bit `c` is set when answer code `c` counts towards the item's indicator (for example
    /// "agree" and "strongly agree", or "at least once").
    pub positive: u16,
}

/// A way of grouping respondents (organisation, staff group, ethnicity, year, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DimMeta {
    pub key: String,
    /// Value `v` (from 1) is `labels[v - 1]`; 0 means "not given".
    pub labels: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineError {
    WrongShape {
        expected_items: usize,
        expected_dims: usize,
    },
    BadAnswer {
        item: String,
        code: u8,
    },
    BadValue {
        dim: String,
        value: u16,
    },
    UnknownItem(usize),
    UnknownDim(usize),
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::WrongShape {
                expected_items,
                expected_dims,
            } => {
                write!(
                    f,
                    "a response must have {expected_items} answers and {expected_dims} grouping values"
                )
            }
            EngineError::BadAnswer { item, code } => {
                write!(f, "answer {code} is not a choice for {item}")
            }
            EngineError::BadValue { dim, value } => write!(f, "{value} is not a value of {dim}"),
            EngineError::UnknownItem(i) => write!(f, "there is no question {i}"),
            EngineError::UnknownDim(d) => write!(f, "there is no grouping {d}"),
        }
    }
}

impl std::error::Error for EngineError {}

#[derive(Debug, Clone)]
pub struct Columns {
    items: Vec<ItemMeta>,
    dims: Vec<DimMeta>,
    item_cols: Vec<Vec<u8>>,
    dim_cols: Vec<Vec<u16>>,
    /// For groupings with few values, a ready bitmap per value, kept current as rows
    /// arrive, so filters on them are a few word-wise ANDs instead of a scan.
    indexes: Vec<Option<Vec<Bitmap>>>,
    rows: usize,
}

/// Groupings with fewer values than this get a bitmap per value.
pub const INDEXED_VALUES: usize = 32;

impl Columns {
    pub fn new(items: Vec<ItemMeta>, dims: Vec<DimMeta>) -> Columns {
        let item_cols = vec![Vec::new(); items.len()];
        let dim_cols = vec![Vec::new(); dims.len()];
        let indexes = dims
            .iter()
            .map(|d| {
                (d.labels.len() < INDEXED_VALUES)
                    .then(|| vec![Bitmap::empty(0); d.labels.len() + 1])
            })
            .collect();
        Columns {
            items,
            dims,
            item_cols,
            dim_cols,
            indexes,
            rows: 0,
        }
    }

    pub fn reserve(&mut self, rows: usize) {
        self.item_cols.iter_mut().for_each(|c| c.reserve(rows));
        self.dim_cols.iter_mut().for_each(|c| c.reserve(rows));
    }

    /// Adds one response. Checked, so the hot loops never need to be.
    pub fn push(&mut self, answers: &[u8], values: &[u16]) -> Result<(), EngineError> {
        if answers.len() != self.items.len() || values.len() != self.dims.len() {
            return Err(EngineError::WrongShape {
                expected_items: self.items.len(),
                expected_dims: self.dims.len(),
            });
        }
        for (item, &code) in self.items.iter().zip(answers) {
            if code > item.codes {
                return Err(EngineError::BadAnswer {
                    item: item.key.clone(),
                    code,
                });
            }
        }
        for (dim, &value) in self.dims.iter().zip(values) {
            if usize::from(value) > dim.labels.len() {
                return Err(EngineError::BadValue {
                    dim: dim.key.clone(),
                    value,
                });
            }
        }
        for (col, &code) in self.item_cols.iter_mut().zip(answers) {
            col.push(code);
        }
        for (col, &value) in self.dim_cols.iter_mut().zip(values) {
            col.push(value);
        }
        for (index, &value) in self.indexes.iter_mut().zip(values) {
            if let Some(bitmaps) = index {
                for (v, bitmap) in bitmaps.iter_mut().enumerate() {
                    bitmap.push(v == usize::from(value));
                }
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Adds many responses at once, given column by column (`answers[item][row]`,
    /// `values[grouping][row]`): checked like [`Columns::push`], but each column is
    /// checked and copied whole and the value bitmaps are built a word at a time, which is
    /// far quicker when loading a file or a whole national set. Nothing is added if any
    /// value is wrong.
    pub fn append(&mut self, answers: &[&[u8]], values: &[&[u16]]) -> Result<(), EngineError> {
        let rows = answers
            .first()
            .map(|c| c.len())
            .or_else(|| values.first().map(|c| c.len()))
            .unwrap_or(0);
        if answers.len() != self.items.len()
            || values.len() != self.dims.len()
            || answers.iter().any(|c| c.len() != rows)
            || values.iter().any(|c| c.len() != rows)
        {
            return Err(EngineError::WrongShape {
                expected_items: self.items.len(),
                expected_dims: self.dims.len(),
            });
        }
        for (item, column) in self.items.iter().zip(answers) {
            if let Some(&code) = column.iter().max().filter(|&&c| c > item.codes) {
                return Err(EngineError::BadAnswer {
                    item: item.key.clone(),
                    code,
                });
            }
        }
        for (dim, column) in self.dims.iter().zip(values) {
            if let Some(&value) = column
                .iter()
                .max()
                .filter(|&&v| usize::from(v) > dim.labels.len())
            {
                return Err(EngineError::BadValue {
                    dim: dim.key.clone(),
                    value,
                });
            }
        }
        for (col, new) in self.item_cols.iter_mut().zip(answers) {
            col.extend_from_slice(new);
        }
        for ((col, new), index) in self
            .dim_cols
            .iter_mut()
            .zip(values)
            .zip(self.indexes.iter_mut())
        {
            col.extend_from_slice(new);
            if let Some(bitmaps) = index {
                for (v, bitmap) in bitmaps.iter_mut().enumerate() {
                    bitmap.extend_where(new, |x| usize::from(x) == v);
                }
            }
        }
        self.rows += rows;
        Ok(())
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn items(&self) -> &[ItemMeta] {
        &self.items
    }

    pub fn dims(&self) -> &[DimMeta] {
        &self.dims
    }

    pub fn item(&self, i: usize) -> Result<&[u8], EngineError> {
        self.item_cols
            .get(i)
            .map(Vec::as_slice)
            .ok_or(EngineError::UnknownItem(i))
    }

    pub fn dim(&self, d: usize) -> Result<&[u16], EngineError> {
        self.dim_cols
            .get(d)
            .map(Vec::as_slice)
            .ok_or(EngineError::UnknownDim(d))
    }

    pub fn dim_index(&self, key: &str) -> Option<usize> {
        self.dims.iter().position(|d| d.key == key)
    }

    pub fn item_index(&self, key: &str) -> Option<usize> {
        self.items.iter().position(|i| i.key == key)
    }

    /// Bytes held by the columns.
    pub fn memory_bytes(&self) -> usize {
        self.indexes
            .iter()
            .flatten()
            .flatten()
            .map(|b| b.word_count() * 8)
            .sum::<usize>()
            + self.item_cols.iter().map(Vec::capacity).sum::<usize>()
            + self
                .dim_cols
                .iter()
                .map(|c| c.capacity() * 2)
                .sum::<usize>()
    }

    /// Respondents matching every condition: each is a grouping and the values allowed for
    /// it. Built a word (64 rows) at a time.
    pub fn select(&self, conditions: &[(usize, Vec<u16>)]) -> Result<Bitmap, EngineError> {
        // Conditions on indexed groupings are answered from their bitmaps; the rest scan.
        let (indexed, scanned): (Vec<_>, Vec<_>) = conditions
            .iter()
            .cloned()
            .partition(|(d, _)| self.indexes.get(*d).is_some_and(Option::is_some));
        let mut result = self.scan(&scanned)?;
        for (d, values) in indexed {
            if let Some(Some(bitmaps)) = self.indexes.get(d) {
                let mut any = Bitmap::empty(self.rows);
                for v in values {
                    if let Some(b) = bitmaps.get(usize::from(v)) {
                        any.or(b);
                    }
                }
                result.and(&any);
            }
        }
        Ok(result)
    }

    fn scan(&self, conditions: &[(usize, Vec<u16>)]) -> Result<Bitmap, EngineError> {
        if conditions.is_empty() {
            return Ok(Bitmap::full(self.rows));
        }
        let mut allowed: Vec<(&[u16], Vec<bool>)> = Vec::with_capacity(conditions.len());
        for (d, values) in conditions {
            let col = self.dim(*d)?;
            let mut mask = vec![false; self.dims[*d].labels.len() + 1];
            for &v in values {
                if let Some(slot) = mask.get_mut(usize::from(v)) {
                    *slot = true;
                }
            }
            allowed.push((col, mask));
        }
        let words = self.rows.div_ceil(64);
        let mut out = vec![0u64; words];
        for (w, word) in out.iter_mut().enumerate() {
            let start = w * 64;
            let end = (start + 64).min(self.rows);
            let mut bits = 0u64;
            for row in start..end {
                if allowed
                    .iter()
                    .all(|(col, mask)| mask[usize::from(col[row])])
                {
                    bits |= 1 << (row - start);
                }
            }
            *word = bits;
        }
        Ok(Bitmap::from_words(out, self.rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn tiny() -> Columns {
        let items = vec![ItemMeta {
            key: "q1".into(),
            codes: 5,
            positive: 0b11_0000,
        }];
        let dims = vec![DimMeta {
            key: "group".into(),
            labels: vec!["A".into(), "B".into()],
        }];
        Columns::new(items, dims)
    }

    #[test]
    fn appending_columns_matches_pushing_rows() {
        let mut pushed = tiny();
        let mut appended = tiny();
        let mut rng = crate::rng::Rng::new(3);
        for chunk in [1usize, 63, 64, 65, 200, 0, 7] {
            let answers: Vec<u8> = (0..chunk).map(|_| rng.below(6) as u8).collect();
            let values: Vec<u16> = (0..chunk).map(|_| rng.below(3) as u16).collect();
            for (a, v) in answers.iter().zip(&values) {
                pushed.push(&[*a], &[*v]).unwrap();
            }
            appended.append(&[&answers], &[&values]).unwrap();
        }
        assert_eq!(appended.rows(), pushed.rows());
        assert_eq!(appended.item(0).unwrap(), pushed.item(0).unwrap());
        assert_eq!(appended.dim(0).unwrap(), pushed.dim(0).unwrap());
        for v in 0..3u16 {
            let (a, p) = (
                appended.select(&[(0, vec![v])]).unwrap(),
                pushed.select(&[(0, vec![v])]).unwrap(),
            );
            assert_eq!(a.words(), p.words(), "value {v}");
        }
        let before = appended.rows();
        assert!(matches!(
            appended.append(&[&[1, 6]], &[&[1, 1]]),
            Err(EngineError::BadAnswer { code: 6, .. })
        ));
        assert!(matches!(
            appended.append(&[&[1]], &[&[3]]),
            Err(EngineError::BadValue { value: 3, .. })
        ));
        assert!(matches!(
            appended.append(&[&[1, 2]], &[&[1]]),
            Err(EngineError::WrongShape { .. })
        ));
        assert_eq!(appended.rows(), before, "nothing is added from a bad batch");
    }

    #[test]
    fn responses_are_checked_and_selected() {
        let mut c = tiny();
        c.push(&[5], &[1]).unwrap();
        c.push(&[2], &[2]).unwrap();
        c.push(&[0], &[0]).unwrap();
        assert!(matches!(
            c.push(&[6], &[1]),
            Err(EngineError::BadAnswer { .. })
        ));
        assert!(matches!(
            c.push(&[1], &[3]),
            Err(EngineError::BadValue { .. })
        ));
        assert!(matches!(
            c.push(&[1, 1], &[1]),
            Err(EngineError::WrongShape { .. })
        ));
        assert_eq!(c.rows(), 3);
        assert_eq!(c.select(&[(0, vec![2])]).unwrap().count(), 1);
        assert_eq!(c.select(&[]).unwrap().count(), 3);
        assert_eq!(
            c.select(&[(0, vec![1, 2])]).unwrap().count(),
            2,
            "indexed values combine"
        );
        // The same answer with the index switched off, by scanning.
        assert_eq!(c.scan(&[(0, vec![1, 2])]).unwrap().count(), 2);
    }
}
