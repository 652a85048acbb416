//! Cookie-less limits for the anonymous pages. They count events, never who caused them:
//! no address, no cookie, no time beyond the current window. They live in memory, per
//! server, because a shared table of counts with times would itself date submissions.

use std::collections::HashMap;
use std::sync::Mutex;

/// Counts events per key in fixed windows.
#[derive(Debug)]
pub struct WindowCounter {
    window_seconds: i64,
    counts: Mutex<HashMap<String, (i64, u32)>>,
}

impl WindowCounter {
    pub fn new(window_seconds: i64) -> WindowCounter {
        WindowCounter {
            window_seconds,
            counts: Mutex::new(HashMap::new()),
        }
    }

    fn window(&self, now: i64) -> i64 {
        now.div_euclid(self.window_seconds.max(1))
    }

    /// How many events `key` has had in the current window.
    pub fn count(&self, key: &str, now: i64) -> u32 {
        let window = self.window(now);
        self.counts
            .lock()
            .ok()
            .and_then(|c| c.get(key).filter(|(w, _)| *w == window).map(|(_, n)| *n))
            .unwrap_or(0)
    }

    /// Adds one event and returns the new count.
    pub fn add(&self, key: &str, now: i64) -> u32 {
        let window = self.window(now);
        let Ok(mut counts) = self.counts.lock() else {
            return u32::MAX;
        };
        counts.retain(|_, (w, _)| *w == window);
        let entry = counts.entry(key.to_owned()).or_insert((window, 0));
        entry.1 = entry.1.saturating_add(1);
        entry.1
    }

    pub fn clear(&self, key: &str) {
        if let Ok(mut counts) = self.counts.lock() {
            counts.remove(key);
        }
    }
}

/// The limits the Speak Up pages use.
#[derive(Debug)]
pub struct SpeakUpLimits {
    /// New concerns per organisation per hour.
    pub submissions: WindowCounter,
    pub max_submissions_per_hour: u32,
    /// Wrong receipt codes per case, and in all, per 15 minutes.
    pub failed_lookups: WindowCounter,
    pub max_failures_per_case: u32,
    pub max_failures_overall: u32,
}

impl SpeakUpLimits {
    pub fn new(max_submissions_per_hour: u32) -> SpeakUpLimits {
        SpeakUpLimits {
            submissions: WindowCounter::new(3600),
            max_submissions_per_hour,
            failed_lookups: WindowCounter::new(900),
            max_failures_per_case: 5,
            max_failures_overall: 1000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_reset_with_each_window() {
        let counter = WindowCounter::new(60);
        assert_eq!(counter.add("a", 100), 1);
        assert_eq!(counter.add("a", 110), 2);
        assert_eq!(counter.count("b", 110), 0);
        assert_eq!(counter.count("a", 130), 0, "a new minute started at 120");
        assert_eq!(counter.add("a", 130), 1);
        counter.clear("a");
        assert_eq!(counter.count("a", 130), 0);
    }
}
