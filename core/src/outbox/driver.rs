//! The outbox driver of one tab, sans-IO: inputs in, commands out. It decides everything the
//! shell used to: what to send now, what to write to or delete from storage, when to wake,
//! which tab flushes what other pages left, and what to tell the widget. The shell
//! (`web/sender.rs`) reads the clock, a random number and storage, feeds an `Input`, and
//! carries out each `Command`; it makes no decision of its own.
//!
//! ```text
//!  shell                                  Driver::handle(input, env)
//!  ─────                                  ──────────────────────────
//!  page load, online, visible ──Loaded{stored}──▶ load, resume, ┐
//!                                                 expire dead letters ┤
//!  Web Lock granted ──────────LockGranted{stored}▶ flusher = on ─┤
//!  widget posts a stage ──────Submit{…, stored}─▶ put, persist ──┤
//!  fetch answered / failed ───Reply{…, stored}──▶ settle, persist┤
//!  timer fired ───────────────Tick──────────────────────────────┤
//!                                                                ▼
//!                                    pump: may this tab flush all? (lock, lease, or no storage)
//!                                          due posts ──▶ Post, Notify(Sending)
//!                                          next wake ──▶ Timer
//!  page hidden ───────────────Hidden────────────▶ Beacon for every waiting entry
//! ```
//!
//! One flusher at a time sends what earlier pages and other tabs left: the holder of a Web
//! Lock, or of a lease in storage (`policy::lease`) where Web Locks are missing; every tab
//! sends what it created itself. Without storage nothing is shared, so the tab sends all.

use super::entry::{Entry, Post, Target};
use super::policy::{lease, storage_action, StorageAction, LEASE_MS};
use super::{Outbox, Put, Reply, Settled};

/// Storage keys of outbox entries: this prefix and the response id.
pub const ENTRY_PREFIX: &str = "nps:v1:outbox:";
/// The storage key of the flusher lease.
pub const LEASE_KEY: &str = "nps:v1:flusher";
/// The storage key of the responses the endpoint holds (`update: "patch"`; ids, space-separated).
pub const CREATED_KEY: &str = "nps:v1:outbox-created";
/// The Web Lock whose holder flushes.
pub const LOCK_NAME: &str = "nps:v1:outbox-flusher";

/// The storage key of a response's entry.
pub fn entry_key(id: &str) -> String {
    format!("{ENTRY_PREFIX}{id}")
}

/// What the shell reads before each input.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Env {
    /// This page's monotonic clock in ms (`performance.now()`): retries and waiting time.
    pub now: u64,
    /// The wall clock in ms since the epoch: only for the lease, the one clock tabs share.
    pub wall: u64,
    /// A random number in [0, 1), for jitter.
    pub random: f64,
    /// The flusher lease in storage; read only when `Driver::reads_lease` says so.
    pub lease: Option<String>,
    /// What storage holds under `CREATED_KEY`; read when `Driver::uses_storage`.
    pub created: Option<String>,
}

/// How this tab learns whether it flushes what others left.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Flusher {
    /// Web Locks: this tab flushes while it holds the lock (`LockGranted` / `LockLost`).
    Lock { held: bool },
    /// No Web Locks: the holder of the lease in storage flushes; `token` names this tab.
    Lease { token: String },
}

/// Something that happened, as the shell saw it. `stored` is what storage held for the id
/// (or every entry) when the shell read it just before.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// Storage read (page load, `online`, page visible): take in what other tabs stored and
    /// try everything waiting now.
    Loaded { stored: Vec<Entry> },
    /// This tab was granted the flusher lock; `stored` as read on the grant.
    LockGranted { stored: Vec<Entry> },
    /// This tab no longer holds the flusher lock.
    LockLost,
    /// The widget posts a stage of a response created in this tab (write-ahead, then send).
    Submit {
        id: String,
        target: Target,
        body: String,
        rank: u8,
        stored: Option<Entry>,
    },
    /// What came back for a `Post`.
    Reply {
        id: String,
        version: u64,
        reply: Reply,
        stored: Option<Entry>,
    },
    /// The timer set by `Command::Timer` fired.
    Tick,
    /// The page is being hidden: its replies may never come.
    Hidden,
}

/// Something for the shell to do, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Store the entry under `entry_key(id)`. A failed write is ignored: the entry stays in
    /// memory and is still sent.
    Write(Entry),
    /// Remove the stored entry of this id.
    Delete(String),
    /// Store the flusher lease under `LEASE_KEY`.
    WriteLease(String),
    /// Store this under `CREATED_KEY`.
    WriteCreated(String),
    /// Send this (a fetch that times out after `TIMEOUT_MS`) and feed back `Input::Reply`.
    Post(Post),
    /// Hand this to `sendBeacon` (or a `keepalive` fetch when it has headers); no reply.
    Beacon(Post),
    /// Wake with `Input::Tick` at this time, replacing any timer set before; `None` clears it.
    Timer(Option<u64>),
    /// Tell the widget that posted this response, or the page when none listens.
    Notify { id: String, status: Status },
}

/// What a widget hears about its response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Sending,
    Delivered,
    /// Not acknowledged yet; will retry.
    Waiting(Delay),
    /// The endpoint keeps another answer for this visit (410); this one is dropped.
    Answered,
    /// Refused for good by the endpoint.
    Dead(String),
    /// Could not even be queued (too large, outbox full).
    Refused(String),
    /// Given up after 7 days of waiting.
    GaveUp,
    /// A dead letter was removed from this browser (24 hours after it died, or to keep
    /// at most `MAX_DEAD`).
    Expired,
}

/// Why a response waits: the customer hears "offline" or "the server is busy".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delay {
    /// No answer at all: no network (or the request could not be made).
    Offline,
    /// The endpoint answered 408, 429, 5xx, or did not answer in time.
    Busy,
}

/// The outbox of one tab and what it knows about storage and the other tabs.
#[derive(Clone, Debug)]
pub struct Driver {
    outbox: Outbox,
    /// Storage works: entries are written ahead and shared with other tabs.
    storage: bool,
    flusher: Flusher,
    /// Responses created in this tab: it always sends them, and only it writes their content.
    own: Vec<String>,
    /// Posts on the wire (their bodies decide what a 2xx may delete from storage).
    flights: Vec<Post>,
    /// The time the armed timer wakes.
    armed: Option<u64>,
}

impl Driver {
    /// A driver for a tab; `storage` is false where storage is missing or refuses writes.
    /// Feed `Input::Loaded` next, with what storage holds.
    pub fn new(storage: bool, flusher: Flusher) -> Driver {
        Driver {
            outbox: Outbox::new(),
            storage,
            flusher,
            own: Vec::new(),
            flights: Vec::new(),
            armed: None,
        }
    }

    /// The entries this tab holds.
    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    /// The shell asks for the flusher Web Lock: only a tab with storage can flush what other
    /// pages stored, so only such a tab should hold the lock.
    pub fn wants_lock(&self) -> bool {
        self.storage && matches!(self.flusher, Flusher::Lock { .. })
    }

    /// The shell reads the lease into `Env::lease` before each input.
    pub fn reads_lease(&self) -> bool {
        self.storage && matches!(self.flusher, Flusher::Lease { .. })
    }

    /// The shell reads the stored entries (`Loaded`) and each id's stored copy (`Submit`,
    /// `Reply`) only when this is true.
    pub fn uses_storage(&self) -> bool {
        self.storage
    }

    /// Handles one input; returns what the shell must do, in order.
    pub fn handle(&mut self, input: Input, env: &Env) -> Vec<Command> {
        let mut out = Vec::new();
        let now = env.now;
        self.outbox.advance(now);
        self.outbox
            .learn_created(env.created.as_deref().unwrap_or(""));
        match input {
            Input::Loaded { stored } => {
                self.outbox.load(stored.iter().cloned(), now);
                self.outbox.resume(now);
                self.expire(&stored, &mut out);
            }
            Input::LockGranted { stored } => {
                if let Flusher::Lock { held } = &mut self.flusher {
                    *held = true;
                }
                self.outbox.load(stored, now);
            }
            Input::LockLost => {
                if let Flusher::Lock { held } = &mut self.flusher {
                    *held = false;
                }
            }
            Input::Submit {
                id,
                target,
                body,
                rank,
                stored,
            } => {
                if !self.own.contains(&id) {
                    self.own.push(id.clone());
                }
                match self.outbox.put(&id, &target, body, rank, now) {
                    Ok(Put::Stored) => self.persist(&id, stored, None, &mut out),
                    Ok(Put::Stale) => {}
                    Err(e) => out.push(Command::Notify {
                        id,
                        status: Status::Refused(e.to_string()),
                    }),
                }
            }
            Input::Reply {
                id,
                version,
                reply,
                stored,
            } => self.settle(&id, version, reply, stored, env, &mut out),
            Input::Tick => self.armed = None,
            Input::Hidden => {
                out.extend(
                    self.outbox
                        .beacon_entries()
                        .map(|e| Command::Beacon(e.post())),
                );
                return out;
            }
        }
        self.pump(env, &mut out);
        out
    }

    fn settle(
        &mut self,
        id: &str,
        version: u64,
        reply: Reply,
        stored: Option<Entry>,
        env: &Env,
        out: &mut Vec<Command>,
    ) {
        let flight = self
            .flights
            .iter()
            .position(|p| p.id == id && p.version == version)
            .map(|i| self.flights.remove(i));
        let before = self.outbox.created_text();
        let settled = self.outbox.settle(id, version, reply, env.now, env.random);
        let created = self.outbox.created_text();
        if self.storage && created != before {
            out.push(Command::WriteCreated(created));
        }
        let removed = match (&settled, &flight) {
            (
                Settled::Delivered | Settled::Answered | Settled::GaveUp | Settled::Dead { .. },
                Some(p),
            ) => Some(p.body.as_str()),
            _ => None,
        };
        self.persist(id, stored, removed, out);
        let status = match settled {
            Settled::Delivered => Status::Delivered,
            Settled::Retry { .. } => Status::Waiting(match reply {
                Reply::NetworkError => Delay::Offline,
                _ => Delay::Busy,
            }),
            Settled::Answered => Status::Answered,
            Settled::Dead { reason } => match (reply, &flight) {
                (Reply::Status { code, .. }, Some(p)) => {
                    Status::Dead(format!("{reason} (HTTP {code} from {})", p.target.endpoint))
                }
                _ => Status::Dead(reason),
            },
            Settled::GaveUp => Status::GaveUp,
            Settled::Superseded | Settled::Unknown => return,
        };
        out.push(Command::Notify {
            id: id.to_owned(),
            status,
        });
    }

    /// Writes or deletes the stored copy of `id` as `storage_action` decides; `stored` is
    /// what storage holds, `removed` the body this tab just removed.
    fn persist(
        &self,
        id: &str,
        stored: Option<Entry>,
        removed: Option<&str>,
        out: &mut Vec<Command>,
    ) {
        if !self.storage {
            return;
        }
        let mine = self.outbox.entry(id);
        let owner = self.own.iter().any(|o| o == id);
        match storage_action(stored.as_ref(), mine, removed, owner) {
            StorageAction::Write => out.extend(mine.cloned().map(Command::Write)),
            StorageAction::Delete => out.push(Command::Delete(id.to_owned())),
            StorageAction::Keep => {}
        }
    }

    /// May this tab send what earlier pages and other tabs left? Takes or renews the lease.
    fn may_flush_all(&self, env: &Env, out: &mut Vec<Command>) -> bool {
        if !self.storage {
            return true;
        }
        match &self.flusher {
            Flusher::Lock { held } => *held,
            Flusher::Lease { token } => match lease(env.lease.as_deref(), token, env.wall) {
                Some(renewed) => {
                    out.push(Command::WriteLease(renewed));
                    true
                }
                None => false,
            },
        }
    }

    /// Drops expired dead letters; deletes a stored copy only if it is dead too (another
    /// tab may have made the response live again with a later stage).
    fn expire(&mut self, stored: &[Entry], out: &mut Vec<Command>) {
        for id in self.outbox.expire_dead() {
            let stored_dead = stored.iter().any(|s| s.id == id && s.dead.is_some());
            if self.storage && stored_dead {
                out.push(Command::Delete(id.clone()));
            }
            out.push(Command::Notify {
                id,
                status: Status::Expired,
            });
        }
    }

    /// Sends what is due and sets the timer for what is not.
    fn pump(&mut self, env: &Env, out: &mut Vec<Command>) {
        let all = self.may_flush_all(env, out);
        let own = &self.own;
        let mine = |id: &str| all || own.iter().any(|o| o == id);
        for post in self.outbox.due_where(env.now, mine) {
            out.push(Command::Notify {
                id: post.id.clone(),
                status: Status::Sending,
            });
            self.flights.push(post.clone());
            out.push(Command::Post(post));
        }
        let next_mine = self.outbox.next_wake_where(mine);
        // Entries another tab is flushing: with the lease, look again in a while (that tab
        // may have closed); with Web Locks the lock's grant wakes this tab.
        let recheck = (self.outbox.next_wake().is_some() && !all && self.reads_lease())
            .then(|| env.now + LEASE_MS / 3);
        let wake = [next_mine, recheck].into_iter().flatten().min();
        if wake != self.armed {
            self.armed = wake;
            out.push(Command::Timer(wake));
        }
    }
}

#[cfg(test)]
#[path = "driver_tests.rs"]
mod tests;
