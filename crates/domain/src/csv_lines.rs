//! The line a CSV record starts on, as a text editor or spreadsheet numbers it.

/// Counts lines from the text itself (1 for the first line). The csv crate's own count
/// misses Windows line ends (its position for a record after "\r\n" is the "\n"), which
/// Excel writes; so the newlines up to and including the record's first byte are counted,
/// carrying on from the last record so a whole file is read once.
pub(crate) struct Lines<'a> {
    text: &'a str,
    counted: (usize, u64),
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Lines<'a> {
        Lines {
            text,
            counted: (0, 1),
        }
    }

    /// The line of the record (or error) at `position`.
    pub(crate) fn line_of(&mut self, position: Option<&csv::Position>) -> u64 {
        let at = position
            .and_then(|p| usize::try_from(p.byte()).ok())
            .unwrap_or(0);
        let (from, line) = self.counted;
        let upto = (at + 1).min(self.text.len());
        let between = self
            .text
            .as_bytes()
            .get(from.min(upto)..upto)
            .map_or(0, |b| b.iter().filter(|c| **c == b'\n').count() as u64);
        self.counted = (upto.max(from), line + between);
        self.counted.1
    }
}
