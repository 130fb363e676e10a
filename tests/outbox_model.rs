//! A model-based property test of the outbox: random sequences of submit, 2xx, 5xx, 409,
//! 429, timeout, network error, reload, storage failure, a second tab and beacons, against
//! a model of localStorage and of a server that upserts by id and stage rank.
//!
//! Properties, checked after every step:
//! - every response is acknowledged at its latest stage, or still stored (in a tab or in
//!   storage) — except one whose latest version existed only in memory, while storage was
//!   failing, when its page was reloaded (counted, so the test shows it is the only way);
//! - an entry leaves a tab only after a 2xx for its current version;
//! - after the network heals, draining leaves every response acknowledged at its latest stage.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use nps_widget::outbox::{
    storage_action, Entry, Outbox, Outcome, Put, Send, Settled, StorageAction, Target,
};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Submit { id: u8, rank: u8 },
    Due { tab: u8 },
    Reply { pick: u8, code: u16 },
    Timeout { pick: u8 },
    NetworkError { pick: u8 },
    Reload,
    StorageFails,
    StorageRecovers,
    SecondTab,
    Beacon,
    Wait { ms: u32 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..6, 0u8..3).prop_map(|(id, rank)| Op::Submit { id, rank }),
        4 => (0u8..2).prop_map(|tab| Op::Due { tab }),
        5 => (any::<u8>(), prop::sample::select(vec![200u16, 201, 200, 500, 502, 503, 409, 429, 408, 425])).prop_map(|(pick, code)| Op::Reply { pick, code }),
        1 => any::<u8>().prop_map(|pick| Op::Timeout { pick }),
        1 => any::<u8>().prop_map(|pick| Op::NetworkError { pick }),
        1 => Just(Op::Reload),
        1 => Just(Op::StorageFails),
        1 => Just(Op::StorageRecovers),
        1 => Just(Op::SecondTab),
        1 => Just(Op::Beacon),
        2 => (0u32..120_000).prop_map(|ms| Op::Wait { ms }),
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

struct Tab {
    outbox: Outbox,
    in_flight: Vec<Send>,
}

struct World {
    now: u64,
    seq: u64,
    storage: BTreeMap<String, String>,
    storage_ok: bool,
    tabs: Vec<Tab>,
    server: Server,
    /// What the customer last submitted for each id (rank, body).
    latest: BTreeMap<String, (u8, String)>,
    /// Ids lost by reloading while their latest version was only in memory.
    lost_in_memory: Vec<String>,
    /// Ids whose latest version was put while storage was failing and not written since.
    memory_only: Vec<String>,
    /// Ids created by the current page of tab 0 (a reload starts a page that owns none).
    own: Vec<String>,
    target: Target,
}

impl World {
    fn new() -> World {
        World {
            now: 1_000,
            seq: 0,
            storage: BTreeMap::new(),
            storage_ok: true,
            tabs: vec![Tab {
                outbox: Outbox::new(),
                in_flight: vec![],
            }],
            server: Server::default(),
            latest: BTreeMap::new(),
            lost_in_memory: vec![],
            memory_only: vec![],
            own: vec![],
            target: Target {
                endpoint: "/api/responses".into(),
                headers: vec![],
            },
        }
    }

    /// What the shell does after a put or a settle (`storage_action` decides).
    fn persist(&mut self, tab: usize, id: &str, removed_body: Option<&str>) {
        if !self.storage_ok {
            return;
        }
        let stored = self.storage.get(id).and_then(|s| Entry::from_json(s));
        let mine = self.tabs[tab].outbox.entry(id).cloned();
        let owner = tab == 0 && self.own.iter().any(|o| o == id);
        match storage_action(stored.as_ref(), mine.as_ref(), removed_body, owner) {
            StorageAction::Write => {
                let e = mine.unwrap();
                if self.latest.get(id).is_some_and(|(_, b)| *b == e.body) {
                    self.memory_only.retain(|m| m != id);
                }
                self.storage.insert(id.to_owned(), e.to_json());
            }
            StorageAction::Delete => {
                self.storage.remove(id);
            }
            StorageAction::Keep => {}
        }
    }

    fn load_tab(&self) -> Tab {
        let mut outbox = Outbox::new();
        outbox.load(
            self.storage
                .values()
                .map(|s| Entry::from_json(s).expect("stored entries read back")),
            self.now,
        );
        Tab {
            outbox,
            in_flight: vec![],
        }
    }

    fn settle(&mut self, pick: u8, outcome: Outcome) {
        let flights: Vec<(usize, usize)> = self
            .tabs
            .iter()
            .enumerate()
            .flat_map(|(t, tab)| (0..tab.in_flight.len()).map(move |i| (t, i)))
            .collect();
        if flights.is_empty() {
            return;
        }
        let (t, i) = flights[pick as usize % flights.len()];
        let send = self.tabs[t].in_flight.remove(i);
        if let Outcome::Status {
            code: 200..=299, ..
        } = outcome
        {
            self.server.accept(&send.body);
        }
        let before = self.tabs[t].outbox.entry(&send.id).cloned();
        let settled = self.tabs[t]
            .outbox
            .settle(&send.id, send.version, outcome, self.now, 0.5);
        let after = self.tabs[t].outbox.entry(&send.id).cloned();
        if before.is_some() && after.is_none() {
            assert!(
                matches!(settled, Settled::Delivered)
                    && matches!(
                        outcome,
                        Outcome::Status {
                            code: 200..=299,
                            ..
                        }
                    ),
                "{} left the outbox without a 2xx: {settled:?}",
                send.id
            );
            assert_eq!(
                before.unwrap().version,
                send.version,
                "removed for an older version's 2xx"
            );
        }
        let removed =
            matches!(settled, Settled::Delivered | Settled::GaveUp).then_some(send.body.as_str());
        self.persist(t, &send.id, removed);
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::Submit { id, rank } => {
                let id = format!("r{id}");
                // The flow never goes back a stage for one response.
                let rank = rank.max(self.latest.get(&id).map_or(0, |(r, _)| *r));
                self.seq += 1;
                let body = format!("{id}:{rank}:{}", self.seq);
                let put = self.tabs[0].outbox.put(
                    &id,
                    &self.target.clone(),
                    body.clone(),
                    rank,
                    self.now,
                );
                if put == Ok(Put::Stored) {
                    if !self.own.contains(&id) {
                        self.own.push(id.clone());
                    }
                    self.latest.insert(id.clone(), (rank, body));
                    if !self.storage_ok && !self.memory_only.contains(&id) {
                        self.memory_only.push(id.clone());
                    }
                    self.persist(0, &id, None);
                }
            }
            Op::Due { tab } => {
                let t = tab as usize % self.tabs.len();
                let sends = self.tabs[t].outbox.due(self.now);
                self.tabs[t].in_flight.extend(sends);
            }
            Op::Reply { pick, code } => {
                let retry_after_s = (code == 429).then_some(30);
                self.settle(
                    pick,
                    Outcome::Status {
                        code,
                        retry_after_s,
                    },
                );
            }
            Op::Timeout { pick } => self.settle(pick, Outcome::Timeout),
            Op::NetworkError { pick } => self.settle(pick, Outcome::NetworkError),
            Op::Reload => {
                // The page goes away; whatever only it held in memory goes with it.
                for (id, (_, body)) in &self.latest {
                    let acked = self.server.rows.get(id).is_some_and(|r| &r.2 == body);
                    let in_storage = self
                        .storage
                        .get(id)
                        .and_then(|s| Entry::from_json(s))
                        .is_some_and(|e| &e.body == body);
                    let in_other_tab = self
                        .tabs
                        .iter()
                        .skip(1)
                        .any(|t| t.outbox.entry(id).is_some_and(|e| &e.body == body));
                    if !acked && !in_storage && !in_other_tab && !self.lost_in_memory.contains(id) {
                        assert!(
                            self.memory_only.contains(id),
                            "{id} was lost on reload though storage had worked since it was put"
                        );
                        self.lost_in_memory.push(id.clone());
                    }
                }
                self.tabs[0] = self.load_tab();
                self.own.clear();
            }
            Op::StorageFails => self.storage_ok = false,
            Op::StorageRecovers => self.storage_ok = true,
            Op::SecondTab => {
                let tab = self.load_tab();
                if self.tabs.len() < 2 {
                    self.tabs.push(tab);
                } else {
                    self.tabs[1] = tab;
                }
            }
            Op::Beacon => {
                for e in self.tabs[0]
                    .outbox
                    .beacon_entries()
                    .cloned()
                    .collect::<Vec<_>>()
                {
                    self.server.accept(&e.body);
                }
            }
            Op::Wait { ms } => self.now += ms as u64,
        }
    }

    fn check(&self) {
        for (id, (_, body)) in &self.latest {
            if self.lost_in_memory.contains(id) {
                continue;
            }
            let acked = self.server.rows.get(id).is_some_and(|r| &r.2 == body);
            let held = self
                .tabs
                .iter()
                .any(|t| t.outbox.entry(id).is_some_and(|e| &e.body == body))
                || self
                    .storage
                    .get(id)
                    .and_then(|s| Entry::from_json(s))
                    .is_some_and(|e| &e.body == body);
            assert!(
                acked || held,
                "{id}: latest {body} is neither acknowledged nor stored"
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

    /// The network heals: every tab sends until its outbox is empty.
    fn drain(&mut self) {
        self.storage_ok = true;
        for _ in 0..200 {
            self.now += 400_000;
            let mut any = false;
            for t in 0..self.tabs.len() {
                self.tabs[t].outbox.resume(self.now);
                let sends = self.tabs[t].outbox.due(self.now);
                any |= !sends.is_empty() || !self.tabs[t].in_flight.is_empty();
                self.tabs[t].in_flight.extend(sends);
            }
            while self.tabs.iter().any(|t| !t.in_flight.is_empty()) {
                self.settle(
                    0,
                    Outcome::Status {
                        code: 200,
                        retry_after_s: None,
                    },
                );
            }
            if !any {
                break;
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn nothing_is_lost_and_nothing_leaves_without_a_2xx(ops in prop::collection::vec(op(), 1..80)) {
        let mut w = World::new();
        for op in &ops {
            w.apply(op);
            w.check();
        }
        w.drain();
        w.check();
        for (id, (_, body)) in &w.latest {
            if w.lost_in_memory.contains(id) {
                continue;
            }
            prop_assert_eq!(w.server.rows.get(id).map(|r| r.2.as_str()), Some(body.as_str()), "{} not delivered at its latest stage", id);
        }
    }

    #[test]
    fn backoff_stays_within_bounds(attempts in 1u32..100, unit in 0.0f64..1.0) {
        let ms = nps_widget::outbox::backoff_ms(attempts, unit);
        prop_assert!((800..=72_000).contains(&ms), "{} ms after {} attempts", ms, attempts);
    }
}
