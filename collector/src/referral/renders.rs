//! The server's PNG renders (a promoter's poster, the weekly report's image): each a few
//! hundred ms of one core and a 3 MB canvas, so they are bounded however they are asked for.
//!
//! - **Slots**: at most `slots()` renders at once (one on a machine of two cores or fewer, two
//!   otherwise). A render's slot is an owned permit moved into its blocking task: it is given
//!   back when the render ends, never when the request that asked for it goes away (a client
//!   that closes the connection does not free a slot while its render still runs).
//! - **One render per tag**: a second request for a tag being drawn waits for that render's
//!   result instead of drawing it again.
//! - **Kept**: the last `KEEP` PNGs by their tag, put there by the blocking task itself, so a
//!   render whose request went away is not lost.
//! - **Budget**: a request that would start a render (not a kept or a running one) first asks
//!   its caller's budget (the poster's per-client one, `poster_http`); the report has none.
//!
//! A request that finds no slot within `RENDER_WAIT` gets `Drawn::Busy`; if it goes away while
//! waiting, no render starts for it.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, LazyLock, Mutex};

use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};

/// A render's result.
pub type Outcome = Result<Arc<Vec<u8>>, String>;

/// How many rendered PNGs are kept.
const KEEP: usize = 64;
/// How long a request waits for a render slot before `Busy`.
pub const RENDER_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// What a request for a PNG gets.
#[derive(Debug)]
pub enum Drawn {
    /// The PNG, or why it could not be drawn.
    Done(Outcome),
    /// No render slot within `RENDER_WAIT`.
    Busy,
    /// The caller's budget refused a new render: retry in this many seconds.
    OverBudget(u64),
}

/// Renders at once: one on a machine of two cores or fewer (the rest serve answers), else two.
pub fn slots() -> usize {
    match std::thread::available_parallelism().map_or(1, usize::from) {
        0..=2 => 1,
        _ => 2,
    }
}

static SLOTS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| Arc::new(Semaphore::new(slots())));

#[derive(Default)]
struct Cache {
    kept: VecDeque<(String, Arc<Vec<u8>>)>,
    /// The tags being drawn, each with the channel its result is sent on.
    drawing: HashMap<String, watch::Receiver<Option<Outcome>>>,
}

static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(Mutex::default);

fn cache() -> std::sync::MutexGuard<'static, Cache> {
    CACHE.lock().unwrap_or_else(|e| e.into_inner())
}

/// The drawing of one tag: whoever holds it sends the result; dropped without one (its
/// request went away before a slot, or no slot came), the tag is free again and whoever
/// waited on it tries for themselves.
struct Lead {
    tag: String,
    tx: watch::Sender<Option<Outcome>>,
}

impl Lead {
    /// Keeps a PNG and sends the result to whoever waits.
    fn finish(self, out: &Outcome) {
        if let Ok(bytes) = out {
            let mut c = cache();
            if c.kept.len() >= KEEP {
                c.kept.pop_front();
            }
            c.kept.push_back((self.tag.clone(), bytes.clone()));
        }
        let _ = self.tx.send(Some(out.clone()));
    }
}

impl Drop for Lead {
    fn drop(&mut self) {
        cache().drawing.remove(&self.tag);
    }
}

enum Role {
    Hit(Arc<Vec<u8>>),
    Follow(watch::Receiver<Option<Outcome>>),
    Lead(Lead),
}

/// The PNG tagged `tag`: kept, or being drawn (then its result), or drawn now by `job` on a
/// blocking thread with a slot, after `budget` allows it.
pub async fn draw<J>(tag: &str, budget: impl FnOnce() -> Result<(), u64>, job: J) -> Drawn
where
    J: FnOnce() -> Result<Vec<u8>, String> + Send + 'static,
{
    let mut budget = Some(budget);
    let mut job = Some(job);
    let deadline = tokio::time::Instant::now() + RENDER_WAIT;
    loop {
        let role = {
            let mut c = cache();
            if let Some((_, hit)) = c.kept.iter().find(|(t, _)| t == tag) {
                Role::Hit(hit.clone())
            } else if let Some(rx) = c.drawing.get(tag) {
                Role::Follow(rx.clone())
            } else {
                if let Some(Err(wait_s)) = budget.take().map(|b| b()) {
                    return Drawn::OverBudget(wait_s);
                }
                let (tx, rx) = watch::channel(None);
                c.drawing.insert(tag.to_owned(), rx);
                Role::Lead(Lead {
                    tag: tag.to_owned(),
                    tx,
                })
            }
        };
        match role {
            Role::Hit(bytes) => return Drawn::Done(Ok(bytes)),
            Role::Follow(mut rx) => {
                // The leader's render: its slot wait and its drawing.
                let waited =
                    tokio::time::timeout_at(deadline + RENDER_WAIT, rx.wait_for(Option::is_some))
                        .await;
                match waited {
                    Ok(Ok(out)) => return Drawn::Done(out.clone().expect("waited for some")),
                    // The leader gave up before drawing: try again (maybe as the leader).
                    Ok(Err(_)) if tokio::time::Instant::now() < deadline => continue,
                    _ => return Drawn::Busy,
                }
            }
            Role::Lead(lead) => {
                let Ok(Ok(slot)) =
                    tokio::time::timeout_at(deadline, SLOTS.clone().acquire_owned()).await
                else {
                    return Drawn::Busy;
                };
                let job = job.take().expect("one lead per call");
                return Drawn::Done(run(slot, lead, job).await);
            }
        }
    }
}

/// `job` on a blocking thread holding `slot` until it ends; its PNG kept and sent by the
/// thread itself, whether or not anyone still awaits it.
async fn run<J>(slot: OwnedSemaphorePermit, lead: Lead, job: J) -> Outcome
where
    J: FnOnce() -> Result<Vec<u8>, String> + Send + 'static,
{
    let task = tokio::task::spawn_blocking(move || {
        let out = job().map(Arc::new);
        drop(slot);
        lead.finish(&out);
        out
    });
    task.await.unwrap_or_else(|e| Err(e.to_string()))
}

/// The PNG of an SVG of `width` × `height` tagged `tag`, without a budget (the weekly
/// report's image): `None` when no slot came within `RENDER_WAIT`.
pub async fn png_cached_sized(
    tag: &str,
    svg: String,
    width: u32,
    height: u32,
) -> Option<Result<Arc<Vec<u8>>, String>> {
    let job = move || super::poster::render(&svg, width, height);
    match draw(tag, || Ok(()), job).await {
        Drawn::Done(out) => Some(out),
        Drawn::Busy | Drawn::OverBudget(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    /// Renders running now and the most at once, counted by the tests' jobs.
    static RUNNING: AtomicUsize = AtomicUsize::new(0);
    static PEAK: AtomicUsize = AtomicUsize::new(0);
    static RAN: AtomicUsize = AtomicUsize::new(0);

    fn slow(ms: u64) -> impl FnOnce() -> Result<Vec<u8>, String> + Send + 'static {
        move || {
            let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
            PEAK.fetch_max(now, Ordering::SeqCst);
            RAN.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(ms));
            RUNNING.fetch_sub(1, Ordering::SeqCst);
            Ok(vec![1, 2, 3])
        }
    }

    /// A client that asks and closes the connection 50 ms later, again and again, for posters
    /// never drawn: hyper drops its request. The renders under way never outnumber the slots,
    /// and each one that ran is kept (asked again, it is not drawn again).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_request_that_goes_away_keeps_its_slot_until_its_render_ends() {
        let tags: Vec<String> = (0..8).map(|i| format!("test-dropped-{i}")).collect();
        for tag in &tags {
            let tag = tag.clone();
            let asked = tokio::spawn(async move { draw(&tag, || Ok(()), slow(300)).await });
            tokio::time::sleep(Duration::from_millis(50)).await;
            asked.abort();
        }
        tokio::time::sleep(Duration::from_millis(400)).await;
        while RUNNING.load(Ordering::SeqCst) > 0 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await; // kept by its thread
        assert!(
            PEAK.load(Ordering::SeqCst) <= slots(),
            "{} renders at once, {} slots",
            PEAK.load(Ordering::SeqCst),
            slots()
        );
        let ran = RAN.load(Ordering::SeqCst);
        assert!(ran >= 1, "a render started");
        let kept: Vec<&String> = tags
            .iter()
            .filter(|t| cache().kept.iter().any(|(k, _)| k == *t))
            .collect();
        assert_eq!(kept.len(), ran, "every render that ran is kept");
        let again = draw(kept[0], || Err(60), slow(0)).await;
        assert!(matches!(again, Drawn::Done(Ok(_))), "{again:?}");
        assert_eq!(RAN.load(Ordering::SeqCst), ran, "not drawn again");
    }

    /// Five requests at once for one tag: one render, one result for all; a new tag asks the
    /// budget, which may refuse; a kept or running one does not.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_tag_is_drawn_once_however_many_ask_at_once() {
        let drawn = Arc::new(AtomicUsize::new(0));
        let asks = (0..5).map(|_| {
            let drawn = drawn.clone();
            tokio::spawn(async move {
                let job = move || {
                    drawn.fetch_add(1, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(200));
                    Ok(vec![7])
                };
                draw("test-once", || Ok(()), job).await
            })
        });
        let mut got = Vec::new();
        for a in asks.collect::<Vec<_>>() {
            match a.await.unwrap() {
                Drawn::Done(Ok(bytes)) => got.push(bytes),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(drawn.load(Ordering::SeqCst), 1);
        assert!(got.iter().all(|b| Arc::ptr_eq(b, &got[0])));
        let refused = draw("test-over-budget", || Err(42), || Ok(vec![1])).await;
        assert!(matches!(refused, Drawn::OverBudget(42)), "{refused:?}");
        let kept = draw("test-once", || Err(42), || Ok(vec![1])).await;
        assert!(matches!(kept, Drawn::Done(Ok(_))), "{kept:?}");
    }
}
