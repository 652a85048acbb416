//! Expensive work (argon2id key derivations, redrawing pictures) done a few at a time and
//! off the async threads. Each run of argon2id holds about 19 MiB and a picture can hold
//! hundreds: without a bound, a flood of requests takes all the memory and stalls every
//! other page. Beyond a short wait for a place, a request is told the service is busy.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

#[derive(Debug, thiserror::Error)]
pub enum WorkError {
    /// Every place stayed taken for the whole wait.
    #[error("every place for this work is taken")]
    Busy,
    #[error("the work stopped unexpectedly: {0}")]
    Failed(String),
}

/// A fixed number of places for one kind of expensive work.
#[derive(Debug)]
pub struct Bounded {
    places: Arc<Semaphore>,
    wait: Duration,
    in_flight: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
    started: AtomicU64,
}

/// Counts a run as in flight until it ends, even if it panics.
struct InFlight(Arc<AtomicUsize>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Bounded {
    pub fn new(places: usize, wait: Duration) -> Bounded {
        Bounded {
            places: Arc::new(Semaphore::new(places.max(1))),
            wait,
            in_flight: Arc::new(AtomicUsize::new(0)),
            peak: Arc::new(AtomicUsize::new(0)),
            started: AtomicU64::new(0),
        }
    }

    /// Runs `work` on a blocking thread once a place is free. The place is held until the
    /// work ends, even if the person gives up waiting, so the bound is real.
    pub async fn run<T, F>(&self, work: F) -> Result<T, WorkError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let permit = tokio::time::timeout(self.wait, self.places.clone().acquire_owned())
            .await
            .map_err(|_| WorkError::Busy)?
            .map_err(|_| WorkError::Busy)?;
        self.started.fetch_add(1, Ordering::SeqCst);
        let (in_flight, peak) = (self.in_flight.clone(), self.peak.clone());
        tokio::task::spawn_blocking(move || {
            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            let counted = InFlight(in_flight);
            peak.fetch_max(now, Ordering::SeqCst);
            let out = work();
            // Counted out before the place is given back, so the next run never overlaps.
            drop(counted);
            drop(permit);
            out
        })
        .await
        .map_err(|e| WorkError::Failed(e.to_string()))
    }

    /// The most runs ever in flight at once.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    /// How many runs have started.
    pub fn started(&self) -> u64 {
        self.started.load(Ordering::SeqCst)
    }

    /// Takes one place, as a long run would, until the permit is dropped. For tests and
    /// for measuring what people see when every place is taken.
    pub async fn occupy(&self) -> Option<OwnedSemaphorePermit> {
        self.places.clone().acquire_owned().await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn never_more_runs_than_places_and_the_rest_wait_or_are_told_busy() {
        let bounded = Arc::new(Bounded::new(2, Duration::from_secs(30)));
        let mut tasks = Vec::new();
        for _ in 0..12 {
            let bounded = bounded.clone();
            tasks.push(tokio::spawn(async move {
                bounded
                    .run(|| std::thread::sleep(Duration::from_millis(20)))
                    .await
            }));
        }
        for task in tasks {
            assert!(matches!(task.await, Ok(Ok(()))));
        }
        assert_eq!(bounded.started(), 12);
        assert_eq!(bounded.peak(), 2, "both places were used, never a third");

        let quick = Bounded::new(1, Duration::from_millis(10));
        let held = quick.occupy().await;
        assert!(matches!(quick.run(|| ()).await, Err(WorkError::Busy)));
        drop(held);
        assert!(quick.run(|| ()).await.is_ok());
    }
}
