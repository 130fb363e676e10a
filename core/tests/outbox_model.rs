//! A model-based property test of the outbox as the browser runs it: the real
//! `outbox::Driver` of each tab (the flusher policy included), fed random sequences of
//! submits, replies (2xx, 5xx, 409, 422, 429), timeouts, network errors, timers, reloads,
//! storage that refuses writes (and still reads), a second tab opened and closed, `online`,
//! page hides with beacons, days of sleep, and wall-clock jumps, against a model of
//! localStorage, of Web Locks (or the lease fallback where they are missing), and of a
//! server that upserts by id and stage rank. The test carries out the driver's commands as
//! `web/sender.rs` does; it makes no decision of its own. Three clocks: the true time, each
//! page's monotonic clock (from its load), and a wall clock that jumps.
//!
//! Properties, checked after every step:
//! - every response is acknowledged at its latest stage, still held (in a tab or in
//!   storage), refused for good (422, reported) or given up (reported) — except one whose
//!   latest version existed only in memory, because storage was failing, when its page was
//!   reloaded (counted, so the test shows it is the only way);
//! - an entry leaves a tab only after a 2xx for its current version (or a give-up);
//! - nothing is given up before 7 days of true time since it was first put;
//! - a dead letter in storage keeps no body;
//! - the server never holds a stage the customer did not reach;
//! - after the network heals and the customer comes back, every response is acknowledged at
//!   its latest stage, unless refused or given up.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use nps_core::outbox::{
    Command, Driver, Entry, Env, Flusher, Input, Post, Reply, Status, Target, GIVE_UP_MS,
};
use proptest::prelude::*;

/// The wall clock at the model's true time zero (November 2023).
const WALL_BASE: u64 = 1_700_000_000_000;

/// How tabs agree on one flusher.
#[derive(Clone, Copy, Debug)]
enum Locking {
    /// Web Locks: the lock passes to the next tab that asked when its holder closes.
    Locks,
    /// The lease in storage, where Web Locks are missing.
    Lease,
}

#[derive(Clone, Debug)]
enum Op {
    Submit {
        id: u8,
        rank: u8,
    },
    Tick {
        tab: u8,
    },
    Reply {
        pick: u8,
        code: u16,
    },
    Timeout {
        pick: u8,
    },
    NetworkError {
        pick: u8,
    },
    Reload,
    StorageFails,
    StorageRecovers,
    OpenSecondTab,
    CloseSecondTab,
    Online {
        tab: u8,
    },
    Hide {
        arrives: bool,
    },
    Wait {
        ms: u32,
    },
    /// Days pass (the page stays open, as a kiosk's would).
    Sleep {
        hours: u16,
    },
    /// The wall clock is set back or forward; no time passes.
    Jump {
        minutes: i32,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..6, 0u8..3).prop_map(|(id, rank)| Op::Submit { id, rank }),
        4 => (0u8..2).prop_map(|tab| Op::Tick { tab }),
        5 => (any::<u8>(), prop::sample::select(vec![200u16, 201, 200, 500, 502, 503, 409, 429, 408, 425, 422])).prop_map(|(pick, code)| Op::Reply { pick, code }),
        1 => any::<u8>().prop_map(|pick| Op::Timeout { pick }),
        1 => any::<u8>().prop_map(|pick| Op::NetworkError { pick }),
        1 => Just(Op::Reload),
        1 => Just(Op::StorageFails),
        1 => Just(Op::StorageRecovers),
        1 => Just(Op::OpenSecondTab),
        1 => Just(Op::CloseSecondTab),
        1 => (0u8..2).prop_map(|tab| Op::Online { tab }),
        1 => any::<bool>().prop_map(|arrives| Op::Hide { arrives }),
        3 => (0u32..120_000).prop_map(|ms| Op::Wait { ms }),
        1 => (1u16..72).prop_map(|hours| Op::Sleep { hours }),
        1 => (-43_200i32..43_200).prop_map(|minutes| Op::Jump { minutes }),
    ]
}

/// The server: stage rank wins, then the newer body (bodies carry a global counter).
#[derive(Default)]
struct Server {
    rows: BTreeMap<String, (u8, u64, String)>,
}

impl Server {
    fn accept(&mut self, body: &str) {
        let (id, rank, seq) = parse(body);
        let newer = match self.rows.get(&id) {
            None => true,
            Some((r, s, _)) => rank > *r || (rank == *r && seq > *s),
        };
        if newer {
            self.rows.insert(id, (rank, seq, body.to_owned()));
        }
    }
}

fn parse(body: &str) -> (String, u8, u64) {
    let mut parts = body.split(':');
    let id = parts.next().unwrap().to_owned();
    let rank = parts.next().unwrap().parse().unwrap();
    let seq = parts.next().unwrap().parse().unwrap();
    (id, rank, seq)
}

/// One page: its driver, its posts on the wire, its armed timer, when it was loaded.
struct Tab {
    driver: Driver,
    flights: Vec<Post>,
    armed: Option<u64>,
    loaded_at: u64,
}

struct World {
    locking: Locking,
    /// The true time; each page's clock is `now - loaded_at`; the wall clock is off by `skew`.
    now: u64,
    skew: i64,
    /// The true time each id was first put.
    first_put: BTreeMap<String, u64>,
    /// Ids whose latest body was refused for good (422) or given up: final, and reported.
    finished: BTreeMap<String, String>,
    seq: u64,
    pages: u64,
    /// localStorage: entries by id, and the flusher lease.
    storage: BTreeMap<String, String>,
    lease: Option<String>,
    storage_ok: bool,
    /// `tabs[0]` is the customer's page; `tabs[1]` a second tab, when open.
    tabs: Vec<Tab>,
    /// Web Locks: the tab holding the flusher lock.
    holder: Option<usize>,
    server: Server,
    /// What the customer last submitted for each id (rank, body).
    latest: BTreeMap<String, (u8, String)>,
    /// Ids lost by reloading while their latest version was only in memory.
    lost_in_memory: Vec<String>,
    /// Ids whose latest version is not in storage since it was put (storage failing).
    memory_only: Vec<String>,
    target: Target,
}

impl World {
    fn new(locking: Locking) -> World {
        let mut w = World {
            locking,
            now: 1_000,
            skew: 0,
            first_put: BTreeMap::new(),
            finished: BTreeMap::new(),
            seq: 0,
            pages: 0,
            storage: BTreeMap::new(),
            lease: None,
            storage_ok: true,
            tabs: Vec::new(),
            holder: None,
            server: Server::default(),
            latest: BTreeMap::new(),
            lost_in_memory: vec![],
            memory_only: vec![],
            target: Target {
                endpoint: "/api/responses".into(),
                headers: vec![],
                ..Target::default()
            },
        };
        w.open_tab(0);
        w
    }

    fn stored(&self, id: &str) -> Option<Entry> {
        self.storage
            .get(id)
            .map(|s| Entry::from_json(s).expect("stored entries read back"))
    }

    fn stored_entries(&self, t: usize) -> Vec<Entry> {
        if !self.tabs[t].driver.uses_storage() {
            return Vec::new();
        }
        self.storage
            .keys()
            .filter_map(|id| self.stored(id))
            .collect()
    }

    /// Tab `t`'s monotonic clock.
    fn mono(&self, t: usize) -> u64 {
        self.now - self.tabs[t].loaded_at
    }

    /// Feeds one input to tab `t` and carries out its commands, as the shell does.
    fn feed(&mut self, t: usize, input: Input) {
        let env = Env {
            now: self.mono(t),
            wall: (WALL_BASE as i64 + self.now as i64 + self.skew) as u64,
            random: 0.5,
            lease: self.tabs[t]
                .driver
                .reads_lease()
                .then(|| self.lease.clone())
                .flatten(),
            // The model's endpoint upserts (`update: "post"`): nothing is learnt.
            created: None,
        };
        let commands = self.tabs[t].driver.handle(input, &env);
        for c in commands {
            match c {
                Command::Write(e) => {
                    if self.storage_ok {
                        if self.latest.get(&e.id).is_some_and(|(_, b)| *b == e.body) {
                            self.memory_only.retain(|m| *m != e.id);
                        }
                        self.storage.insert(e.id.clone(), e.to_json());
                    }
                }
                // Removing needs no space: it works while writes fail.
                Command::Delete(id) => {
                    self.storage.remove(&id);
                }
                Command::WriteLease(l) => {
                    if self.storage_ok {
                        self.lease = Some(l);
                    }
                }
                Command::WriteCreated(_) => panic!("the model posts every time"),
                Command::Post(p) => self.tabs[t].flights.push(p),
                Command::Beacon(p) => self.server.accept(&p.body),
                Command::Timer(at) => self.tabs[t].armed = at,
                Command::Notify {
                    id,
                    status: Status::GaveUp,
                } => {
                    let waited = self.now - self.first_put[&id];
                    assert!(
                        waited >= GIVE_UP_MS,
                        "{id} given up after {waited} ms of true time"
                    );
                    let body = self.latest[&id].1.clone();
                    self.finished.insert(id, body);
                }
                Command::Notify { .. } => {}
            }
        }
    }

    /// A new page at `tabs[t]`: it probes storage, asks for the lock, reads what is stored.
    fn open_tab(&mut self, t: usize) {
        self.pages += 1;
        let flusher = match self.locking {
            Locking::Locks => Flusher::Lock { held: false },
            Locking::Lease => Flusher::Lease {
                token: format!("page{}", self.pages),
            },
        };
        // Storage that refuses writes still reads: the page uses it.
        let tab = Tab {
            driver: Driver::new(true, flusher),
            flights: vec![],
            armed: None,
            loaded_at: self.now,
        };
        if t < self.tabs.len() {
            self.tabs[t] = tab;
        } else {
            self.tabs.push(tab);
        }
        let stored = self.stored_entries(t);
        self.feed(t, Input::Loaded { stored });
        self.request_lock(t);
    }

    /// Web Locks: a tab the driver says wants the lock asks for it, and gets it when nobody
    /// holds it.
    fn request_lock(&mut self, t: usize) {
        if self.tabs[t].driver.wants_lock() && self.holder.is_none() {
            self.holder = Some(t);
            let stored = self.stored_entries(t);
            self.feed(t, Input::LockGranted { stored });
        }
    }

    /// A page closes: its lock passes to the other tab if that one asked for it.
    fn close_tab(&mut self, t: usize) {
        self.tabs[t].flights.clear();
        if self.holder == Some(t) {
            self.holder = None;
            if let Some(other) = (0..self.tabs.len()).find(|&o| o != t) {
                self.request_lock(other);
            }
        }
    }

    fn settle(&mut self, pick: u8, reply: Reply) {
        let flights: Vec<(usize, usize)> = self
            .tabs
            .iter()
            .enumerate()
            .flat_map(|(t, tab)| (0..tab.flights.len()).map(move |i| (t, i)))
            .collect();
        if flights.is_empty() {
            return;
        }
        let (t, i) = flights[pick as usize % flights.len()];
        let post = self.tabs[t].flights.remove(i);
        let acked = matches!(
            reply,
            Reply::Status {
                code: 200..=299,
                ..
            }
        );
        if acked {
            self.server.accept(&post.body);
        }
        let refused = matches!(reply, Reply::Status { code: 422, .. });
        if refused
            && self
                .latest
                .get(&post.id)
                .is_some_and(|(_, b)| *b == post.body)
        {
            self.finished.insert(post.id.clone(), post.body.clone());
        }
        let before = self.tabs[t].driver.outbox().entry(&post.id).cloned();
        let stored = self.stored(&post.id);
        self.feed(
            t,
            Input::Reply {
                id: post.id.clone(),
                version: post.version,
                reply,
                stored: stored.filter(|_| self.tabs[t].driver.uses_storage()),
            },
        );
        let after = self.tabs[t].driver.outbox().entry(&post.id);
        let given_up = self.finished.contains_key(&post.id) && !refused;
        if let (Some(before), None) = (before, after) {
            assert!(
                acked || given_up,
                "{} left the outbox without a 2xx: {reply:?}",
                post.id
            );
            assert!(
                given_up || before.version == post.version,
                "removed for an older version's 2xx"
            );
        }
    }

    fn submit(&mut self, id: u8, rank: u8) {
        let id = format!("r{id}");
        // The flow never goes back a stage for one response.
        let rank = rank.max(self.latest.get(&id).map_or(0, |(r, _)| *r));
        self.seq += 1;
        let body = format!("{id}:{rank}:{}", self.seq);
        let stored = self
            .stored(&id)
            .filter(|_| self.tabs[0].driver.uses_storage());
        // Until a write lands, the new version is only in memory.
        if !self.memory_only.contains(&id) {
            self.memory_only.push(id.clone());
        }
        self.latest.insert(id.clone(), (rank, body.clone()));
        self.first_put.entry(id.clone()).or_insert(self.now);
        self.finished.remove(&id);
        self.feed(
            0,
            Input::Submit {
                id: id.clone(),
                target: self.target.clone(),
                body: body.clone(),
                rank,
                stored,
            },
        );
        // A stage never goes back and six ids fit the outbox: every put is stored.
        assert!(
            self.tabs[0]
                .driver
                .outbox()
                .entry(&id)
                .is_some_and(|e| e.body == body),
            "{id}: the put was refused"
        );
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::Submit { id, rank } => self.submit(id, rank),
            Op::Tick { tab } => {
                let t = tab as usize % self.tabs.len();
                if self.tabs[t].armed.is_some_and(|at| at <= self.now) {
                    self.tabs[t].armed = None;
                    self.feed(t, Input::Tick);
                }
            }
            Op::Reply { pick, code } => {
                let retry_after_s = (code == 429).then_some(30);
                self.settle(
                    pick,
                    Reply::Status {
                        code,
                        retry_after_s,
                    },
                );
            }
            Op::Timeout { pick } => self.settle(pick, Reply::Timeout),
            Op::NetworkError { pick } => self.settle(pick, Reply::NetworkError),
            Op::Reload => self.reload(),
            Op::StorageFails => self.storage_ok = false,
            Op::StorageRecovers => self.storage_ok = true,
            Op::OpenSecondTab => {
                if self.tabs.len() > 1 {
                    self.close_tab(1);
                }
                self.open_tab(1);
            }
            Op::CloseSecondTab => {
                if self.tabs.len() > 1 {
                    self.close_tab(1);
                    self.tabs.truncate(1);
                }
            }
            Op::Online { tab } => {
                let t = tab as usize % self.tabs.len();
                let stored = self.stored_entries(t);
                self.feed(t, Input::Loaded { stored });
            }
            Op::Hide { arrives } => {
                if arrives {
                    self.feed(0, Input::Hidden);
                }
            }
            Op::Wait { ms } => self.now += ms as u64,
            Op::Sleep { hours } => self.now += hours as u64 * 3_600_000,
            Op::Jump { minutes } => self.skew += minutes as i64 * 60_000,
        }
    }

    /// The customer's page goes away and comes back; what only it held in memory goes with it.
    fn reload(&mut self) {
        for (id, (_, body)) in &self.latest {
            let acked = self.server.rows.get(id).is_some_and(|r| &r.2 == body);
            let in_storage = self.stored(id).is_some_and(|e| &e.body == body);
            let in_other_tab = self
                .tabs
                .iter()
                .skip(1)
                .any(|t| t.driver.outbox().entry(id).is_some_and(|e| &e.body == body));
            let finished = self.finished.get(id) == Some(body);
            if !acked
                && !in_storage
                && !in_other_tab
                && !finished
                && !self.lost_in_memory.contains(id)
            {
                assert!(
                    self.memory_only.contains(id),
                    "{id} was lost on reload though storage had worked since it was put"
                );
                self.lost_in_memory.push(id.clone());
            }
        }
        self.close_tab(0);
        self.open_tab(0);
    }

    fn check(&self) {
        for e in self.storage.values().filter_map(|s| Entry::from_json(s)) {
            assert!(
                e.dead.is_none() || e.body.is_empty(),
                "{}: a dead letter in storage keeps its body",
                e.id
            );
        }
        for (id, (_, body)) in &self.latest {
            if self.lost_in_memory.contains(id) || self.finished.get(id) == Some(body) {
                continue;
            }
            let acked = self.server.rows.get(id).is_some_and(|r| &r.2 == body);
            let held = self
                .tabs
                .iter()
                .any(|t| t.driver.outbox().entry(id).is_some_and(|e| &e.body == body))
                || self.stored(id).is_some_and(|e| &e.body == body);
            assert!(
                acked || held,
                "{id}: latest {body} is neither acknowledged nor held"
            );
        }
        for (id, (rank, _, _)) in &self.server.rows {
            let (latest_rank, _) = &self.latest[id];
            assert!(
                rank <= latest_rank,
                "{id}: the server holds a stage the customer never reached"
            );
        }
    }

    /// The network heals: every tab hears `online`, timers fire, every post gets a 200.
    fn drain(&mut self) {
        self.storage_ok = true;
        let mut idle = 0;
        for _ in 0..50 {
            self.now += 400_000;
            let mut any = false;
            for t in 0..self.tabs.len() {
                let stored = self.stored_entries(t);
                self.feed(t, Input::Loaded { stored });
                if self.tabs[t].armed.is_some_and(|at| at <= self.now) {
                    self.tabs[t].armed = None;
                    self.feed(t, Input::Tick);
                }
            }
            while self.tabs.iter().any(|t| !t.flights.is_empty()) {
                any = true;
                self.settle(
                    0,
                    Reply::Status {
                        code: 200,
                        retry_after_s: None,
                    },
                );
            }
            idle = if any { 0 } else { idle + 1 };
            if idle == 2 {
                break;
            }
        }
    }
}

fn run(locking: Locking, ops: &[Op]) -> Result<(), TestCaseError> {
    let mut w = World::new(locking);
    for op in ops {
        w.apply(op);
        w.check();
    }
    w.drain();
    // The customer comes back later, with storage working: that page flushes what is left.
    w.reload();
    w.drain();
    w.check();
    for (id, (_, body)) in &w.latest {
        if w.lost_in_memory.contains(id) || w.finished.get(id) == Some(body) {
            continue;
        }
        prop_assert_eq!(
            w.server.rows.get(id).map(|r| r.2.as_str()),
            Some(body.as_str()),
            "{} not delivered at its latest stage",
            id
        );
    }
    Ok(())
}

/// What the model found when the storage table let a stale tab write: the second tab restores
/// v1, the customer's page stores v2 and closes, the lock passes to the second tab, whose
/// failed retry of v1 must not overwrite v2 in storage.
#[test]
fn a_stale_tab_never_overwrites_a_newer_answer() {
    let ops = [
        Op::Submit { id: 3, rank: 0 },
        Op::OpenSecondTab,
        Op::Submit { id: 3, rank: 0 },
        Op::Reload,
        Op::Reply { pick: 0, code: 500 },
    ];
    run(Locking::Locks, &ops).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn with_web_locks_nothing_is_lost_and_nothing_leaves_without_a_2xx(ops in prop::collection::vec(op(), 1..80)) {
        run(Locking::Locks, &ops)?;
    }

    #[test]
    fn with_the_lease_nothing_is_lost_and_nothing_leaves_without_a_2xx(ops in prop::collection::vec(op(), 1..80)) {
        run(Locking::Lease, &ops)?;
    }

    #[test]
    fn backoff_stays_within_bounds(attempts in 1u32..100, unit in 0.0f64..1.0) {
        let ms = nps_core::outbox::backoff_ms(attempts, unit);
        prop_assert!((800..=72_000).contains(&ms), "{} ms after {} attempts", ms, attempts);
    }
}
