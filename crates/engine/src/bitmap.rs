//! A set of respondents as one bit each: a filter over a million rows is 125 KB.

#![expect(
    clippy::indexing_slicing,
    reason = "word and bit positions come from the bitmap's own length"
)]

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap {
    words: Vec<u64>,
    len: usize,
}

impl Bitmap {
    pub fn empty(len: usize) -> Bitmap {
        Bitmap {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    pub fn full(len: usize) -> Bitmap {
        let mut bitmap = Bitmap {
            words: vec![u64::MAX; len.div_ceil(64)],
            len,
        };
        bitmap.clear_tail();
        bitmap
    }

    fn clear_tail(&mut self) {
        let extra = self.words.len() * 64 - self.len;
        if let (true, Some(last)) = (extra > 0, self.words.last_mut()) {
            *last &= u64::MAX >> extra;
        }
    }

    /// Adds one row at the end, in or out of the set.
    pub fn push(&mut self, member: bool) {
        if self.len.is_multiple_of(64) {
            self.words.push(0);
        }
        if member {
            self.words[self.len / 64] |= 1 << (self.len % 64);
        }
        self.len += 1;
    }

    /// Appends one bit per value, set where `member` says so, a word at a time.
    pub fn extend_where<T: Copy>(&mut self, values: &[T], member: impl Fn(T) -> bool) {
        let mut rest = values;
        // Fill the last partial word bit by bit, then whole words.
        while !self.len.is_multiple_of(64) {
            let Some((&first, tail)) = rest.split_first() else {
                return;
            };
            self.push(member(first));
            rest = tail;
        }
        let mut chunks = rest.chunks_exact(64);
        for chunk in &mut chunks {
            let word = chunk
                .iter()
                .enumerate()
                .fold(0u64, |w, (i, &v)| w | (u64::from(member(v)) << i));
            self.words.push(word);
            self.len += 64;
        }
        for &v in chunks.remainder() {
            self.push(member(v));
        }
    }

    /// Everyone in either set.
    pub fn or(&mut self, other: &Bitmap) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= *b;
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn set(&mut self, row: usize) {
        if row < self.len {
            self.words[row / 64] |= 1 << (row % 64);
        }
    }

    pub fn contains(&self, row: usize) -> bool {
        row < self.len && self.words[row / 64] & (1 << (row % 64)) != 0
    }

    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn and(&mut self, other: &Bitmap) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= *b;
        }
    }

    /// Everyone not in this set (within the same population).
    pub fn not(&self) -> Bitmap {
        let mut out = Bitmap {
            words: self.words.iter().map(|w| !w).collect(),
            len: self.len,
        };
        out.clear_tail();
        out
    }

    pub fn words(&self) -> &[u64] {
        &self.words
    }

    pub(crate) fn from_words(words: Vec<u64>, len: usize) -> Bitmap {
        let mut bitmap = Bitmap { words, len };
        bitmap.clear_tail();
        bitmap
    }

    /// Calls `f` with each row in the set, in order, between `from` and `to` (word-aligned).
    #[inline]
    pub fn for_each_in(&self, word_from: usize, word_to: usize, mut f: impl FnMut(usize)) {
        for (w, &word) in self.words[word_from..word_to].iter().enumerate() {
            let mut bits = word;
            let base = (word_from + w) * 64;
            while bits != 0 {
                let bit = bits.trailing_zeros() as usize;
                f(base + bit);
                bits &= bits - 1;
            }
        }
    }

    pub fn word_count(&self) -> usize {
        self.words.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_count_and_complement() {
        let mut b = Bitmap::empty(130);
        for row in [0, 63, 64, 129, 200] {
            b.set(row);
        }
        assert_eq!(b.count(), 4);
        assert!(b.contains(129) && !b.contains(128));
        assert_eq!(b.not().count(), 126);
        assert_eq!(Bitmap::full(130).count(), 130);
        let mut rows = Vec::new();
        b.for_each_in(0, b.word_count(), |r| rows.push(r));
        assert_eq!(rows, [0, 63, 64, 129]);
    }
}
