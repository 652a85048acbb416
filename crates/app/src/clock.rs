//! The time, passed in through the [`Context`](crate::Context) so tests set it and move it
//! on instead of sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Seconds since the Unix epoch, UTC, from the system clock. Everything stored uses this.
pub fn system_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The system clock, or a clock a test sets.
#[derive(Debug, Clone, Default)]
pub struct Clock(Option<Arc<AtomicI64>>);

impl Clock {
    pub fn system() -> Clock {
        Clock(None)
    }

    /// A clock that reads `at` until moved on with [`Clock::advance`].
    pub fn fixed(at: i64) -> Clock {
        Clock(Some(Arc::new(AtomicI64::new(at))))
    }

    /// Seconds since the Unix epoch, UTC.
    pub fn now(&self) -> i64 {
        match &self.0 {
            Some(at) => at.load(Ordering::Relaxed),
            None => system_now(),
        }
    }

    /// Moves a fixed clock on (every copy of it); the system clock moves by itself.
    pub fn advance(&self, seconds: i64) {
        if let Some(at) = &self.0 {
            at.fetch_add(seconds, Ordering::Relaxed);
        }
    }

    /// Today, in UTC.
    pub fn today(&self) -> dignity_domain::speakup::Day {
        dignity_domain::speakup::Day::from_unix_seconds(self.now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_moves_only_when_told_and_every_copy_sees_it() {
        let clock = Clock::fixed(1_000);
        let copy = clock.clone();
        assert_eq!(clock.now(), 1_000);
        copy.advance(86_400);
        assert_eq!(clock.now(), 87_400);
        assert!(Clock::system().now() > 1_700_000_000);
    }
}
