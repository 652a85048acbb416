//! Cookie-less limits for the anonymous pages. They count events, never who caused them:
//! no address, no cookie, no time beyond the current window. They live in memory, per
//! server, because a shared table of counts with times would itself date submissions.

use crate::pow::Redeemed;
use std::collections::HashMap;
use std::sync::Mutex;

/// Counts events per key over a sliding window: the current fixed window plus the last
/// one, weighted by how much of it still falls within the window. Fixed windows alone let a
/// flood send the limit just before the hour turns and again just after.
#[derive(Debug)]
pub struct WindowCounter {
    window_seconds: i64,
    counts: Mutex<HashMap<String, Slot>>,
}

/// One key's events in the current fixed window and the one before it.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    window: i64,
    current: u32,
    previous: u32,
}

impl Slot {
    /// This slot as seen from `window`: moved on if time has moved on.
    fn at(self, window: i64) -> Slot {
        match window - self.window {
            0 => self,
            1 => Slot {
                window,
                current: 0,
                previous: self.current,
            },
            _ => Slot {
                window,
                ..Slot::default()
            },
        }
    }
}

impl WindowCounter {
    pub fn new(window_seconds: i64) -> WindowCounter {
        WindowCounter {
            window_seconds: window_seconds.max(1),
            counts: Mutex::new(HashMap::new()),
        }
    }

    fn window(&self, now: i64) -> i64 {
        now.div_euclid(self.window_seconds)
    }

    /// Events in the last `window_seconds`: the current window's, and the last one's in
    /// the share of it that is still within reach (rounded up, so a flood is never
    /// under-counted).
    fn load(&self, slot: Slot, now: i64) -> u32 {
        let reach = self.window_seconds - now.rem_euclid(self.window_seconds);
        // Both are positive, so unsigned division rounds up as meant.
        let carried = (u64::from(slot.previous) * reach.unsigned_abs())
            .div_ceil(self.window_seconds.unsigned_abs());
        slot.current
            .saturating_add(u32::try_from(carried).unwrap_or(u32::MAX))
    }

    /// How many events `key` has had in the last window.
    pub fn count(&self, key: &str, now: i64) -> u32 {
        let window = self.window(now);
        self.counts
            .lock()
            .ok()
            .and_then(|c| c.get(key).map(|slot| self.load(slot.at(window), now)))
            .unwrap_or(0)
    }

    /// Takes a place for one event before the work it stands for, so that many requests
    /// at once cannot all pass a check made before any of them is counted. The place is
    /// given back when dropped, unless [`Place::keep`] is called once the work is done.
    pub fn reserve(&self, key: &str, now: i64) -> Place<'_> {
        let window = self.window(now);
        let before = match self.counts.lock() {
            Ok(mut counts) => {
                counts.retain(|_, slot| slot.window >= window - 1);
                let slot = counts.entry(key.to_owned()).or_default();
                *slot = slot.at(window);
                let before = self.load(*slot, now);
                slot.current = slot.current.saturating_add(1);
                before
            }
            // A poisoned lock counts as full: refuse rather than let everything through.
            Err(_) => u32::MAX,
        };
        Place {
            counter: self,
            key: key.to_owned(),
            window,
            before,
            kept: false,
        }
    }

    fn give_back(&self, key: &str, window: i64) {
        if let Ok(mut counts) = self.counts.lock()
            && let Some(slot) = counts.get_mut(key)
            && slot.window == window
        {
            slot.current = slot.current.saturating_sub(1);
        }
    }
}

/// A place taken in a [`WindowCounter`].
#[derive(Debug)]
pub struct Place<'a> {
    counter: &'a WindowCounter,
    key: String,
    window: i64,
    before: u32,
    kept: bool,
}

impl Place<'_> {
    /// How many events came before this one in the window: the load it arrived in.
    pub fn before(&self) -> u32 {
        self.before
    }

    /// The work succeeded: the event stays counted.
    pub fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        if !self.kept {
            self.counter.give_back(&self.key, self.window);
        }
    }
}

/// The limits the Speak Up pages use.
#[derive(Debug)]
pub struct SpeakUpLimits {
    /// New concerns per organisation per hour.
    pub submissions: WindowCounter,
    /// Beyond this many in an hour, a new concern needs a proof of work.
    pub max_submissions_per_hour: u32,
    /// Proofs of work already used.
    pub proofs: Redeemed,
}

impl SpeakUpLimits {
    pub fn new(max_submissions_per_hour: u32) -> SpeakUpLimits {
        SpeakUpLimits {
            submissions: WindowCounter::new(3600),
            max_submissions_per_hour,
            proofs: Redeemed::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_counted_when_taken_and_given_back_unless_kept() {
        let counter = WindowCounter::new(60);
        let first = counter.reserve("a", 100);
        let second = counter.reserve("a", 110);
        assert_eq!((first.before(), second.before()), (0, 1));
        assert_eq!(
            counter.count("a", 110),
            2,
            "counted before the work is done"
        );
        first.keep();
        drop(second);
        assert_eq!(
            counter.count("a", 110),
            1,
            "a failed submission gives its place back"
        );
        assert_eq!(counter.count("b", 110), 0);
        assert_eq!(
            counter.count("a", 130),
            1,
            "the last minute still counts in the sliding window"
        );
        assert_eq!(
            counter.count("a", 240),
            0,
            "two minutes on, nothing is left"
        );
        let late = counter.reserve("a", 240);
        let stale = Place {
            counter: &counter,
            key: "a".into(),
            window: 1,
            before: 0,
            kept: false,
        };
        drop(stale);
        assert_eq!(late.before(), 0);
        assert_eq!(
            counter.count("a", 240),
            1,
            "a place from an old window gives nothing back in the new one"
        );
    }

    #[test]
    fn a_flood_either_side_of_the_hour_is_counted_as_one_hour() {
        let counter = WindowCounter::new(3600);
        let hour = 3600 * 500_000;
        for _ in 0..20 {
            counter.reserve("RJ1", hour - 1).keep();
        }
        // Just after the hour turns, the 20 just before it still count in full.
        let next = counter.reserve("RJ1", hour + 1);
        assert_eq!(next.before(), 20);
        next.keep();
        // Half an hour on, half of them still count, with the one made since.
        assert_eq!(counter.count("RJ1", hour + 1800), 11);
        assert_eq!(counter.count("RJ1", hour + 3600), 1);
    }
}
