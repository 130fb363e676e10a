//! Background jobs that stop with the server: the purge of phones past their retention
//! today, alert delivery next. `Jobs::spawn` starts a job with a `Stop` it watches;
//! `Jobs::shutdown` asks every job to stop and waits for each (a job finishes the work under
//! way, then returns), so nothing runs on after the server has stopped and the store is
//! flushed.
//!
//! ```text
//! spawn(name, job) ──▶ job(stop) ─ work ─ wait(every) or stop ─ work ─ … ─┐
//! shutdown() ──▶ stop.send(true) ──▶ every job returns ──▶ joined ◀───────┘
//! ```

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::{Now, Store};

/// How often the server purges phones whose retention has ended.
pub const PURGE_EVERY: Duration = Duration::from_secs(3600);

/// A job's view of the shutdown: resolved once the server stops.
#[derive(Clone, Debug)]
pub struct Stop(watch::Receiver<bool>);

impl Stop {
    /// Resolves when the jobs are asked to stop (at once if they were).
    pub async fn stopped(&mut self) {
        // An error means the sender is gone: nobody can ask any more, so stop too.
        let _ = self.0.wait_for(|stop| *stop).await;
    }
}

/// The running jobs.
#[derive(Debug)]
pub struct Jobs {
    stop: watch::Sender<bool>,
    running: Vec<(&'static str, JoinHandle<()>)>,
}

impl Default for Jobs {
    fn default() -> Self {
        Jobs::new()
    }
}

impl Jobs {
    pub fn new() -> Jobs {
        Jobs {
            stop: watch::Sender::new(false),
            running: Vec::new(),
        }
    }

    /// Starts `job` on the runtime with the shutdown signal it must watch.
    pub fn spawn<F, Fut>(&mut self, name: &'static str, job: F)
    where
        F: FnOnce(Stop) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let stop = Stop(self.stop.subscribe());
        tracing::debug!(job = name, "job started");
        self.running.push((name, tokio::spawn(job(stop))));
    }

    /// Asks every job to stop and waits until each has.
    pub async fn shutdown(self) {
        self.stop.send_replace(true);
        for (name, handle) in self.running {
            match handle.await {
                Ok(()) => tracing::debug!(job = name, "job stopped"),
                Err(e) => tracing::error!(job = name, error = %e, "job failed"),
            }
        }
    }
}

/// Runs `work` now and then every `every` until `stop`; work under way is finished first.
pub async fn every<F, Fut>(mut stop: Stop, every: Duration, mut work: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    loop {
        work().await;
        tokio::select! {
            _ = stop.stopped() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

/// The purge job: the phones whose retention has ended are removed now and every `every`.
pub fn purge(store: Store, every: Duration) -> impl FnOnce(Stop) -> BoxedJob {
    move |stop| {
        Box::pin(self::every(stop, every, move || {
            let store = store.clone();
            async move {
                match store.purge(Now::system()).await {
                    Ok(0) => {}
                    Ok(n) => {
                        tracing::info!(responses = n, "purged the phones past their retention")
                    }
                    Err(e) => tracing::error!(error = %e, "purge"),
                }
            }
        }))
    }
}

/// A job's future, as `Jobs::spawn` takes it.
pub type BoxedJob = std::pin::Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[tokio::test]
    async fn a_job_runs_until_shutdown_and_not_after() {
        let runs = Arc::new(AtomicUsize::new(0));
        let mut jobs = Jobs::new();
        let counted = runs.clone();
        jobs.spawn("count", move |stop| {
            every(stop, Duration::from_millis(5), move || {
                counted.fetch_add(1, Ordering::SeqCst);
                async {}
            })
        });
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while runs.load(Ordering::SeqCst) < 3 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the job never ran again"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::timeout(Duration::from_secs(10), jobs.shutdown())
            .await
            .expect("shutdown joins the job");
        let after = runs.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(runs.load(Ordering::SeqCst), after, "ran after shutdown");
    }
}
