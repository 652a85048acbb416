//! Board membership: the one deliberate exception to the minimum group size.
//!
//! A board has ten to twenty members, so every group on it is small. But its members are
//! named in the organisation's annual report, and the organisation publishes its board's
//! make-up by ethnicity and by disability in its own WRES and WDES returns. Hiding the
//! counts would protect no one either: the standards' board measures are the gap between
//! the board's share of a group and the workforce's share, and with the board's size public
//! and the workforce's share on the same page, the gap gives the count. So counts of board
//! members are shown whatever their size. Nothing else may use this: every other count about
//! people goes through the minimum.

use super::Disclosed;

/// How many of an organisation's board members are in one group (or on the board at all):
/// always shown (see the module's reasons).
pub fn board_members(members: u64) -> Disclosed<u64> {
    Disclosed::shown_if(true, members)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn board_counts_are_shown_however_small() {
        assert_eq!(board_members(1).into_value(), Some(1));
        assert_eq!(board_members(0).into_value(), Some(0));
    }
}
