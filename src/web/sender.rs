//! The outbox's hands: the one place that posts, reads and writes the outbox's storage keys,
//! and sets its timer. It makes no decision: it reads the clock, a random number and
//! storage, feeds the core's `outbox::Driver` an input, and carries out each command.
//!
//! One driver per page, shared by every widget on it. It hears of the page loading, going
//! `online`, becoming visible or hidden, and of the flusher Web Lock being granted.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::wire::{beacon, post};
use crate::outbox::{
    entry_key, Command, Driver, Entry, Env, Flusher, Input, Status, Target, CREATED_KEY,
    ENTRY_PREFIX, LEASE_KEY, LOCK_NAME,
};

pub type Listener = Rc<dyn Fn(Status)>;

struct Shell {
    driver: RefCell<Driver>,
    storage: Option<web_sys::Storage>,
    /// (response id, listener); a handful at most, so a list.
    listeners: RefCell<Vec<(String, Listener)>>,
    timer: RefCell<Option<i32>>,
    /// While `SHELL` is being made: posts wait for a task, so a page's `fetch` wrapper that
    /// calls the widget back finds the outbox made.
    starting: std::cell::Cell<bool>,
}

thread_local! {
    static SHELL: Rc<Shell> = Shell::start();
}

fn window() -> web_sys::Window {
    web_sys::window().expect("a browser window")
}

/// This page's monotonic clock, in ms: what retries and waiting time are counted in.
fn mono() -> u64 {
    window().performance().map_or(0.0, |p| p.now()) as u64
}

impl Shell {
    fn start() -> Rc<Shell> {
        let storage = probe_storage();
        let flusher = match web_locks() {
            Some(_) => Flusher::Lock { held: false },
            None => Flusher::Lease {
                token: uuid::Uuid::new_v4().simple().to_string(),
            },
        };
        let driver = Driver::new(storage.is_some(), flusher);
        let wants_lock = driver.wants_lock();
        let shell = Rc::new(Shell {
            driver: RefCell::new(driver),
            storage,
            listeners: RefCell::new(Vec::new()),
            timer: RefCell::new(None),
            starting: std::cell::Cell::new(true),
        });
        listen_to_page();
        shell.feed(Input::Loaded {
            stored: shell.stored_entries(),
        });
        if wants_lock {
            request_flusher_lock();
        }
        shell.starting.set(false);
        shell
    }

    /// Reads the clock, a random number and (when the driver uses one) the lease, hands the
    /// driver the input, and carries out what it says.
    fn feed(self: &Rc<Self>, input: Input) {
        let commands = {
            let mut driver = self.driver.borrow_mut();
            let lease = driver.reads_lease().then(|| self.get(LEASE_KEY)).flatten();
            let env = Env {
                now: mono(),
                wall: js_sys::Date::now() as u64,
                random: js_sys::Math::random(),
                lease,
                created: self.get(CREATED_KEY),
            };
            driver.handle(input, &env)
        };
        for c in commands {
            self.run(c);
        }
    }

    fn run(self: &Rc<Self>, command: Command) {
        match command {
            // A full or vanished storage keeps the entry in memory; it is still sent.
            Command::Write(e) => self.set(&entry_key(&e.id), &e.to_json()),
            Command::Delete(id) => {
                if let Some(s) = &self.storage {
                    let _ = s.remove_item(&entry_key(&id));
                }
            }
            Command::WriteLease(lease) => self.set(LEASE_KEY, &lease),
            Command::WriteCreated(ids) => self.set(CREATED_KEY, &ids),
            Command::Post(p) => {
                let me = self.clone();
                let sending = (!self.starting.get()).then(|| post(&p));
                wasm_bindgen_futures::spawn_local(async move {
                    let reply = match sending {
                        Some(sending) => sending.await,
                        None => post(&p).await,
                    };
                    let stored = me.stored_entry(&p.id);
                    me.feed(Input::Reply {
                        id: p.id,
                        version: p.version,
                        reply,
                        stored,
                    });
                });
            }
            Command::Beacon(p) => beacon(&p),
            Command::Timer(at) => self.arm(at),
            Command::Notify { id, status } => self.notify(&id, status),
        }
    }

    fn get(&self, key: &str) -> Option<String> {
        self.storage.as_ref()?.get_item(key).ok().flatten()
    }

    fn set(&self, key: &str, value: &str) {
        if let Some(s) = &self.storage {
            let _ = s.set_item(key, value);
        }
    }

    fn stored_entry(&self, id: &str) -> Option<Entry> {
        let raw = self.get(&entry_key(id))?;
        Entry::from_value(&super::host::parse_json(&raw).ok()?)
    }

    /// Every outbox entry in storage. An unreadable one (another version wrote it) stays
    /// where it is, and the console says so.
    fn stored_entries(&self) -> Vec<Entry> {
        let Some(s) = &self.storage else {
            return Vec::new();
        };
        let n = s.length().unwrap_or(0);
        let keys: Vec<String> = (0..n)
            .filter_map(|i| s.key(i).ok().flatten())
            .filter(|k| k.starts_with(ENTRY_PREFIX))
            .collect();
        let mut out = Vec::new();
        for k in keys {
            let entry = self
                .get(&k)
                .and_then(|raw| super::host::parse_json(&raw).ok())
                .as_ref()
                .and_then(Entry::from_value);
            match entry {
                Some(e) => out.push(e),
                None => web_sys::console::warn_1(
                    &format!("nps-widget: ignoring unreadable outbox entry {k}").into(),
                ),
            }
        }
        out
    }

    fn arm(self: &Rc<Self>, at: Option<u64>) {
        if let Some(t) = self.timer.borrow_mut().take() {
            window().clear_timeout_with_handle(t);
        }
        let Some(at) = at else { return };
        let delay = at.saturating_sub(mono()).min(i32::MAX as u64) as i32;
        let me = self.clone();
        let cb = Closure::once_into_js(move || {
            me.timer.borrow_mut().take();
            me.feed(Input::Tick);
        });
        if let Ok(handle) = window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), delay)
        {
            *self.timer.borrow_mut() = Some(handle);
        }
    }

    /// Tells the widget that posted the response; an entry from an earlier page has nobody
    /// listening, so what the page's developer must know goes to the document.
    fn notify(&self, id: &str, status: Status) {
        let listener = self
            .listeners
            .borrow()
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, l)| l.clone());
        match listener {
            Some(l) => l(status),
            None => {
                if let (Some(detail), Some(doc)) = (
                    crate::contract::events::delivery_error(id, None, &status),
                    window().document(),
                ) {
                    super::host::report(doc.as_ref(), crate::contract::events::ERROR, &detail);
                }
            }
        }
    }
}

/// Queues a response body for `id` (write-ahead) and sends it; `listener` hears about it,
/// including a refusal to queue it (too large, outbox full).
pub fn submit(id: &str, target: &Target, body: String, rank: u8, listener: Listener) {
    SHELL.with(|s| {
        {
            let mut ls = s.listeners.borrow_mut();
            ls.retain(|(k, _)| k != id);
            ls.push((id.to_owned(), listener));
        }
        let stored = s.stored_entry(id);
        s.feed(Input::Submit {
            id: id.to_owned(),
            target: target.clone(),
            body,
            rank,
            stored,
        });
    })
}

/// Stops telling a widget about its responses (it was destroyed); sending goes on.
pub fn forget(id: &str) {
    SHELL.with(|s| s.listeners.borrow_mut().retain(|(k, _)| k != id));
}

/// Starts the driver: restores and sends what earlier pages left. Called once on load.
pub fn resume_from_storage() {
    SHELL.with(|_| {});
}

/// Storage read again and everything waiting tried now (`online`, page visible).
fn resume() {
    SHELL.with(|s| {
        let stored = s.stored_entries();
        s.feed(Input::Loaded { stored });
    });
}

/// `navigator.locks` and its `request`, where the browser has Web Locks.
fn web_locks() -> Option<(JsValue, js_sys::Function)> {
    let locks = js_sys::Reflect::get(&window().navigator(), &"locks".into())
        .ok()
        .filter(|l| l.is_object())?;
    let request = js_sys::Reflect::get(&locks, &"request".into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    Some((locks, request))
}

/// Queues for the flusher lock; the grant makes this tab the flusher until it closes.
fn request_flusher_lock() {
    let Some((locks, request)) = web_locks() else {
        return;
    };
    let granted = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
        SHELL.with(|s| {
            let stored = s.stored_entries();
            s.feed(Input::LockGranted { stored });
        });
        // Held until the page goes away.
        js_sys::Promise::new(&mut |_, _| {}).into()
    });
    let _ = request.call2(&locks, &LOCK_NAME.into(), &granted);
}

fn listen_to_page() {
    let w = window();
    let on = |target: &web_sys::EventTarget, name: &str, f: Box<dyn Fn()>| {
        let cb = Closure::<dyn Fn()>::wrap(f);
        let _ = target.add_event_listener_with_callback(name, cb.as_ref().unchecked_ref());
        cb.forget(); // lives as long as the page
    };
    let hidden = || SHELL.with(|s| s.feed(Input::Hidden));
    on(w.as_ref(), "online", Box::new(resume));
    on(w.as_ref(), "pagehide", Box::new(hidden));
    if let Some(doc) = w.document() {
        let d2 = doc.clone();
        on(
            doc.as_ref(),
            "visibilitychange",
            Box::new(move || {
                if d2.visibility_state() == web_sys::VisibilityState::Hidden {
                    hidden();
                } else {
                    resume();
                }
            }),
        );
    }
}

/// localStorage, where the page may read it. A full storage still counts: reading needs
/// no space, so what earlier pages stored is still sent, and a failed write only keeps an
/// entry in memory.
fn probe_storage() -> Option<web_sys::Storage> {
    let s = window().local_storage().ok().flatten()?;
    s.length().ok()?;
    Some(s)
}

/// The contract's delivery events; what the page's developer must fix also goes to the console.
pub fn report_delivery(
    host_el: &web_sys::Element,
    id: &str,
    stage: crate::contract::payload::Stage,
    status: &crate::outbox::Status,
) {
    use crate::contract::events;
    if *status == crate::outbox::Status::Delivered {
        super::host::dispatch(
            host_el.as_ref(),
            events::DELIVERED,
            &events::delivered(id, stage),
        );
    } else if let Some(detail) = events::delivery_error(id, Some(stage), status) {
        super::host::report(host_el.as_ref(), events::ERROR, &detail);
    }
}
