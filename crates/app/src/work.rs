//! Expensive work (argon2id key derivations, redrawing pictures) done a few at a time and
//! off the async threads. Each run of argon2id holds about 19 MiB and a picture can hold
//! hundreds: without a bound, a flood of requests takes all the memory and stalls every
//! other page. Beyond a short wait for a place, a request is told the service is busy.
//!
//! The work runs on a fixed set of threads, one per place, made when the server starts,
//! and each argon2id run uses its thread's own buffer again (`dignity_crypto`): freed
//! 19 MiB blocks stayed in the C allocator's heaps, and a flood of derivations grew the
//! process from 77 MiB to 936 MiB though only 4 ran at once. Now memory is the number of
//! places times the cost (161 MiB under the same flood, docs/assurance.md).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

type Job = Box<dyn FnOnce() + Send + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum WorkError {
    /// Every place stayed taken for the whole wait.
    #[error("every place for this work is taken")]
    Busy,
    #[error("the work stopped unexpectedly: {0}")]
    Failed(String),
}

/// A fixed number of places for one kind of expensive work.
pub struct Bounded {
    places: Arc<Semaphore>,
    /// Jobs for the worker threads; `None` if none could be started (then tokio's
    /// blocking pool does the work, still bounded by the places).
    jobs: Option<Mutex<mpsc::Sender<Job>>>,
    threads: usize,
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

impl std::fmt::Debug for Bounded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bounded")
            .field("places", &self.places.available_permits())
            .field("threads", &self.threads)
            .field("wait", &self.wait)
            .finish_non_exhaustive()
    }
}

/// Starts `count` threads named `{name}-{i}` that run jobs until the sender is dropped.
/// Returns the sender and how many threads started.
fn start_workers(name: &str, count: usize) -> (Option<mpsc::Sender<Job>>, usize) {
    let (sender, receiver) = mpsc::channel::<Job>();
    let receiver = Arc::new(Mutex::new(receiver));
    let mut started = 0;
    for i in 0..count {
        let receiver = receiver.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("{name}-{i}"))
            .spawn(move || {
                loop {
                    // The lock is held only while waiting for the next job.
                    let job = match receiver.lock() {
                        Ok(r) => r.recv(),
                        Err(_) => return,
                    };
                    match job {
                        // A panic is caught in the job itself, so the thread lives on.
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                }
            });
        if spawned.is_ok() {
            started += 1;
        }
    }
    if started == 0 {
        tracing::warn!(
            work = name,
            "no worker thread could be started; using the blocking pool"
        );
        return (None, 0);
    }
    (Some(sender), started)
}

impl Bounded {
    /// `places` runs at once at most, on as many threads named after `name`.
    pub fn new(name: &str, places: usize, wait: Duration) -> Bounded {
        let places = places.max(1);
        let (jobs, threads) = start_workers(name, places);
        Bounded {
            places: Arc::new(Semaphore::new(places)),
            jobs: jobs.map(Mutex::new),
            threads,
            wait,
            in_flight: Arc::new(AtomicUsize::new(0)),
            peak: Arc::new(AtomicUsize::new(0)),
            started: AtomicU64::new(0),
        }
    }

    /// Runs `work` on one of the worker threads once a place is free. The place is held
    /// until the work ends, even if the person gives up waiting, so the bound is real.
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
        let job = move || {
            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            let counted = InFlight(in_flight);
            peak.fetch_max(now, Ordering::SeqCst);
            let out = catch_unwind(AssertUnwindSafe(work));
            // Counted out before the place is given back, so the next run never overlaps.
            drop(counted);
            drop(permit);
            out
        };
        let Some(jobs) = &self.jobs else {
            return match tokio::task::spawn_blocking(job).await {
                Ok(Ok(out)) => Ok(out),
                Ok(Err(_)) => Err(WorkError::Failed("the work panicked".into())),
                Err(e) => Err(WorkError::Failed(e.to_string())),
            };
        };
        let (answer, answered) = tokio::sync::oneshot::channel();
        let boxed: Job = Box::new(move || {
            // Nobody waiting any more (the request ended) is fine: the work is done.
            let _ = answer.send(job());
        });
        jobs.lock()
            .map_err(|_| WorkError::Failed("the work queue is broken".into()))?
            .send(boxed)
            .map_err(|_| WorkError::Failed("the worker threads have stopped".into()))?;
        match answered.await {
            Ok(Ok(out)) => Ok(out),
            Ok(Err(_)) => Err(WorkError::Failed("the work panicked".into())),
            Err(_) => Err(WorkError::Failed("the work was dropped".into())),
        }
    }

    /// How many worker threads are running the work.
    pub fn threads(&self) -> usize {
        self.threads
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
        let bounded = Arc::new(Bounded::new("test", 2, Duration::from_secs(30)));
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

        let quick = Bounded::new("test", 1, Duration::from_millis(10));
        let held = quick.occupy().await;
        assert!(matches!(quick.run(|| ()).await, Err(WorkError::Busy)));
        drop(held);
        assert!(quick.run(|| ()).await.is_ok());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_work_runs_on_its_own_few_threads_and_survives_a_panic() {
        let bounded = Arc::new(Bounded::new("few", 3, Duration::from_secs(30)));
        assert_eq!(bounded.threads(), 3);
        let mut tasks = Vec::new();
        for _ in 0..30 {
            let bounded = bounded.clone();
            tasks.push(tokio::spawn(async move {
                bounded
                    .run(|| {
                        std::thread::sleep(Duration::from_millis(5));
                        std::thread::current().name().map(str::to_owned)
                    })
                    .await
            }));
        }
        let mut names = std::collections::BTreeSet::new();
        for task in tasks {
            let name = task.await.ok().and_then(Result::ok).flatten();
            names.insert(name.unwrap_or_default());
        }
        assert!(
            names.len() <= 3 && names.iter().all(|n| n.starts_with("few-")),
            "{names:?}"
        );
        let panicked = bounded
            .run(|| panic!("a picture that breaks the decoder"))
            .await;
        assert!(matches!(panicked, Err(WorkError::Failed(_))));
        for _ in 0..6 {
            assert!(bounded.run(|| 1).await.is_ok(), "the threads live on");
        }
        assert_eq!(bounded.peak(), 3);
    }
}
