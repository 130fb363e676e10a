//! The outbox driver: the one place that posts, stores and sets timers for the outbox.
//!
//! One driver per page, shared by every widget on it. Entries are written to localStorage
//! (`nps:v1:outbox:{id}`) before their first send and deleted only after a 2xx; without
//! storage the driver keeps them in memory. On `online` and on the page becoming visible
//! everything waiting is tried at once; on page hide each entry also goes out by
//! `sendBeacon` (or `fetch` with `keepalive` when it needs custom headers), which removes
//! nothing.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Request, RequestInit, RequestMode};

use crate::outbox::{
    lease, storage_action, Entry, Outbox, Outcome, Put, PutError, Send, Settled, StorageAction,
    Target, LEASE_MS, TIMEOUT_MS,
};

const PREFIX: &str = "nps:v1:outbox:";

/// What a widget hears about its response.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Sending,
    Delivered,
    /// Not acknowledged yet; will retry (offline, 5xx, timeout).
    Waiting,
    /// Refused for good by the endpoint.
    Dead(String),
    /// Could not even be queued (too large, outbox full).
    Refused(String),
    /// Given up after 7 days.
    GaveUp,
}

type Listener = Rc<dyn Fn(Status)>;

struct Driver {
    outbox: RefCell<Outbox>,
    storage: Option<web_sys::Storage>,
    /// (response id, listener); a handful at most, so a list.
    listeners: RefCell<Vec<(String, Listener)>>,
    timer: RefCell<Option<i32>>,
    /// Responses created in this tab: always sent by it.
    own: RefCell<Vec<String>>,
    /// Web Locks exist here; `flusher` is set when this tab holds the flusher lock.
    has_locks: bool,
    flusher: std::cell::Cell<bool>,
    /// This tab's name in the lease fallback.
    token: String,
}

const LOCK: &str = "nps:v1:outbox-flusher";
const LEASE_KEY: &str = "nps:v1:flusher";

thread_local! {
    static DRIVER: Rc<Driver> = Driver::start();
}

fn now() -> u64 {
    js_sys::Date::now() as u64
}

fn window() -> web_sys::Window {
    web_sys::window().expect("a browser window")
}

impl Driver {
    fn start() -> Rc<Driver> {
        let storage = probe_storage();
        let mut outbox = Outbox::new();
        if let Some(s) = &storage {
            outbox.load(read_entries(s), now());
        }
        let has_locks = request_flusher_lock();
        let driver = Rc::new(Driver {
            outbox: RefCell::new(outbox),
            storage,
            listeners: RefCell::new(Vec::new()),
            timer: RefCell::new(None),
            own: RefCell::new(Vec::new()),
            has_locks,
            flusher: std::cell::Cell::new(false),
            token: uuid::Uuid::new_v4().simple().to_string(),
        });
        listen_to_page();
        driver.pump();
        driver
    }

    /// One flusher at a time sends what earlier pages and other tabs left (Web Locks, or
    /// a lease in storage where they are missing); every tab sends what it created itself.
    /// Without storage nothing is shared, so this tab sends everything it has.
    fn may_flush_all(&self) -> bool {
        if self.has_locks {
            return self.flusher.get();
        }
        let Some(s) = &self.storage else { return true };
        let stored = s.get_item(LEASE_KEY).ok().flatten();
        match lease(stored.as_deref(), &self.token, now()) {
            Some(renewed) => s.set_item(LEASE_KEY, &renewed).is_ok(),
            None => false,
        }
    }

    /// Picks up what other tabs stored (a later version never goes backwards).
    fn reload(&self) {
        if let Some(s) = &self.storage {
            self.outbox.borrow_mut().load(read_entries(s), now());
        }
    }

    /// Writes or deletes the stored copy of `id`; `removed_body` is what this tab just
    /// removed. Only the tab that created a response writes its content (`storage_action`).
    fn persist(&self, id: &str, removed_body: Option<&str>) {
        let Some(s) = &self.storage else { return };
        let key = format!("{PREFIX}{id}");
        let stored = s
            .get_item(&key)
            .ok()
            .flatten()
            .and_then(|raw| super::host::parse_json(&raw).ok())
            .and_then(|v| Entry::from_value(&v));
        let outbox = self.outbox.borrow();
        let mine = outbox.entry(id);
        let owner = self.own.borrow().iter().any(|o| o == id);
        match storage_action(stored.as_ref(), mine, removed_body, owner) {
            // A full or vanished storage keeps the entry in memory; it is still sent.
            StorageAction::Write => {
                if let Some(e) = mine {
                    let _ = s.set_item(&key, &e.to_json());
                }
            }
            StorageAction::Delete => {
                let _ = s.remove_item(&key);
            }
            StorageAction::Keep => {}
        }
    }

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
                // An entry from an earlier page: nobody listens, so failures go to the document.
                let message = match &status {
                    Status::Dead(reason) => {
                        Some(format!("nps-widget: response {id} was refused: {reason}"))
                    }
                    Status::GaveUp => Some(format!(
                        "nps-widget: response {id} was not delivered within 7 days and was dropped"
                    )),
                    _ => None,
                };
                if let Some(message) = message {
                    web_sys::console::error_1(&message.clone().into());
                    if let Some(doc) = window().document() {
                        super::host::dispatch(
                            doc.as_ref(),
                            "nps:error",
                            &super::host::error_detail("delivery", &message, None, Some(id)),
                        );
                    }
                }
            }
        }
    }

    /// Sends what is due and sets the timer for what is not.
    fn pump(self: &Rc<Self>) {
        let all = self.may_flush_all();
        let sends = {
            let own = self.own.borrow();
            self.outbox
                .borrow_mut()
                .due_where(now(), |id| all || own.iter().any(|o| o == id))
        };
        for send in sends {
            self.notify(&send.id, Status::Sending);
            let me = self.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = post(&send).await;
                me.settle(&send, outcome);
            });
        }
        self.arm_timer(all);
    }

    fn settle(self: &Rc<Self>, send: &Send, outcome: Outcome) {
        let settled = self.outbox.borrow_mut().settle(
            &send.id,
            send.version,
            outcome,
            now(),
            js_sys::Math::random(),
        );
        let removed =
            matches!(settled, Settled::Delivered | Settled::GaveUp).then_some(send.body.as_str());
        self.persist(&send.id, removed);
        match settled {
            Settled::Delivered => self.notify(&send.id, Status::Delivered),
            Settled::Retry { .. } => self.notify(&send.id, Status::Waiting),
            Settled::Dead { reason } => {
                let reason = match outcome {
                    Outcome::Status { code, .. } => {
                        format!("{reason} (HTTP {code} from {})", send.target.endpoint)
                    }
                    _ => reason,
                };
                self.notify(&send.id, Status::Dead(reason))
            }
            Settled::GaveUp => self.notify(&send.id, Status::GaveUp),
            Settled::Superseded | Settled::Unknown => {}
        }
        self.pump();
    }

    fn arm_timer(self: &Rc<Self>, all: bool) {
        if let Some(t) = self.timer.borrow_mut().take() {
            window().clear_timeout_with_handle(t);
        }
        let (mine, any) = {
            let own = self.own.borrow();
            let outbox = self.outbox.borrow();
            (
                outbox.next_wake_where(|id| all || own.iter().any(|o| o == id)),
                outbox.next_wake(),
            )
        };
        // Entries another tab is flushing: with the lease fallback, look again in a while
        // (that tab may have closed); with Web Locks the lock's grant wakes this tab.
        let recheck = (any.is_some() && !all && !self.has_locks).then(|| now() + LEASE_MS / 3);
        let Some(wake) = [mine, recheck].into_iter().flatten().min() else {
            return;
        };
        let delay = wake.saturating_sub(now()).min(i32::MAX as u64) as i32;
        let me = self.clone();
        let cb = Closure::once_into_js(move || {
            me.timer.borrow_mut().take();
            me.pump();
        });
        if let Ok(handle) = window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), delay)
        {
            *self.timer.borrow_mut() = Some(handle);
        }
    }
}

/// Queues a response body for `id` (write-ahead) and sends it. `listener` hears about it.
pub fn submit(
    id: &str,
    target: &Target,
    body: String,
    rank: u8,
    listener: Listener,
) -> Result<(), String> {
    DRIVER.with(|d| {
        {
            let mut ls = d.listeners.borrow_mut();
            ls.retain(|(k, _)| k != id);
            ls.push((id.to_owned(), listener));
        }
        if !d.own.borrow().iter().any(|o| o == id) {
            d.own.borrow_mut().push(id.to_owned());
        }
        let put = d.outbox.borrow_mut().put(id, target, body, rank, now());
        match put {
            Ok(Put::Stored) => {
                d.persist(id, None);
                d.pump();
                Ok(())
            }
            Ok(Put::Stale) => Ok(()),
            Err(PutError::TooLarge { bytes }) => Err(format!(
                "the response is {bytes} bytes; at most 32768 are kept"
            )),
            Err(PutError::Full) => {
                Err("50 responses are waiting to be sent already; this one was not queued".into())
            }
        }
    })
}

/// Stops telling a widget about its responses (it was destroyed); sending goes on.
pub fn forget(id: &str) {
    DRIVER.with(|d| {
        d.listeners.borrow_mut().retain(|(k, _)| k != id);
    });
}

/// Starts the driver: restores and sends what earlier pages left. Called once on load.
pub fn resume_from_storage() {
    DRIVER.with(|_| {});
}

/// Retries everything now (`online`, page visible), with what other tabs stored since.
fn resume() {
    DRIVER.with(|d| {
        d.reload();
        d.outbox.borrow_mut().resume(now());
        d.pump();
    });
}

/// Queues for the flusher lock (Web Locks); the grant makes this tab the flusher until it
/// closes. False where the browser has no Web Locks.
fn request_flusher_lock() -> bool {
    let nav = window().navigator();
    let Some(locks) = js_sys::Reflect::get(&nav, &"locks".into())
        .ok()
        .filter(|l| l.is_object())
    else {
        return false;
    };
    let Some(request) = js_sys::Reflect::get(&locks, &"request".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    else {
        return false;
    };
    let granted = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
        DRIVER.with(|d| {
            d.flusher.set(true);
            d.reload();
            d.pump();
        });
        // Held until the page goes away.
        js_sys::Promise::new(&mut |_, _| {}).into()
    });
    request.call2(&locks, &LOCK.into(), &granted).is_ok()
}

/// Page hide: hand every waiting entry to the browser to deliver after the page is gone.
fn flush_on_hide() {
    DRIVER.with(|d| {
        let nav = window().navigator();
        let entries: Vec<Entry> = d.outbox.borrow().beacon_entries().cloned().collect();
        for e in entries {
            let sent_by_beacon = e.target.headers.is_empty()
                && nav
                    .send_beacon_with_opt_str(&e.target.endpoint, Some(&e.body))
                    .unwrap_or(false);
            if !sent_by_beacon {
                let _ = fetch_request(&e.target, &e.body, true, None)
                    .map(|r| window().fetch_with_request(&r));
            }
        }
    });
}

fn listen_to_page() {
    let w = window();
    let on = |target: &web_sys::EventTarget, name: &str, f: Box<dyn Fn()>| {
        let cb = Closure::<dyn Fn()>::wrap(f);
        let _ = target.add_event_listener_with_callback(name, cb.as_ref().unchecked_ref());
        cb.forget(); // lives as long as the page
    };
    on(w.as_ref(), "online", Box::new(resume));
    on(w.as_ref(), "pagehide", Box::new(flush_on_hide));
    if let Some(doc) = w.document() {
        let d2 = doc.clone();
        on(
            doc.as_ref(),
            "visibilitychange",
            Box::new(move || {
                if d2.visibility_state() == web_sys::VisibilityState::Hidden {
                    flush_on_hide();
                } else {
                    resume();
                }
            }),
        );
    }
}

fn probe_storage() -> Option<web_sys::Storage> {
    let s = window().local_storage().ok().flatten()?;
    let key = "nps:v1:probe";
    s.set_item(key, "1").ok()?;
    s.remove_item(key).ok()?;
    Some(s)
}

fn read_entries(s: &web_sys::Storage) -> Vec<Entry> {
    let n = s.length().unwrap_or(0);
    let keys: Vec<String> = (0..n)
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|k| k.starts_with(PREFIX))
        .collect();
    keys.iter()
        .filter_map(|k| {
            let raw = s.get_item(k).ok().flatten()?;
            match super::host::parse_json(&raw)
                .ok()
                .as_ref()
                .and_then(Entry::from_value)
            {
                Some(e) => Some(e),
                None => {
                    // Unreadable (another version wrote it): keep it where it is, and say so.
                    web_sys::console::warn_1(
                        &format!("nps-widget: ignoring unreadable outbox entry {k}").into(),
                    );
                    None
                }
            }
        })
        .collect()
}

/// True when the endpoint is on another origin than the page.
fn cross_origin(endpoint: &str) -> bool {
    let href = window().location().href().unwrap_or_default();
    match web_sys::Url::new_with_base(endpoint, &href) {
        Ok(u) => u.origin() != window().location().origin().unwrap_or_default(),
        Err(_) => false,
    }
}

fn fetch_request(
    target: &Target,
    body: &str,
    keepalive: bool,
    signal: Option<&web_sys::AbortSignal>,
) -> Result<Request, JsValue> {
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_mode(RequestMode::Cors);
    init.set_body(&JsValue::from_str(body));
    // web-sys has no setter for `keepalive` yet; it is a plain RequestInit member.
    js_sys::Reflect::set(&init, &"keepalive".into(), &keepalive.into())?;
    if let Some(s) = signal {
        init.set_signal(Some(s));
    }
    let headers = web_sys::Headers::new()?;
    // A cross-origin post without custom headers stays a "simple" request (no preflight).
    let content_type = if target.headers.is_empty() && cross_origin(&target.endpoint) {
        "text/plain;charset=UTF-8"
    } else {
        "application/json"
    };
    headers.set("Content-Type", content_type)?;
    for (k, v) in &target.headers {
        headers.set(k, v)?;
    }
    init.set_headers(&headers);
    Request::new_with_str_and_init(&target.endpoint, &init)
}

async fn post(send: &Send) -> Outcome {
    let controller = AbortController::new().ok();
    let signal = controller.as_ref().map(|c| c.signal());
    let request = match fetch_request(&send.target, &send.body, false, signal.as_ref()) {
        Ok(r) => r,
        Err(_) => return Outcome::NetworkError,
    };
    let timed_out = Rc::new(RefCell::new(false));
    let timer = controller.map(|c| {
        let flag = timed_out.clone();
        let cb = Closure::once_into_js(move || {
            *flag.borrow_mut() = true;
            c.abort();
        });
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                cb.unchecked_ref(),
                TIMEOUT_MS as i32,
            )
            .ok()
    });
    let result = JsFuture::from(window().fetch_with_request(&request)).await;
    if let Some(Some(t)) = timer {
        window().clear_timeout_with_handle(t);
    }
    match result {
        Ok(v) => {
            let resp: web_sys::Response = v.unchecked_into();
            let retry_after_s = resp
                .headers()
                .get("Retry-After")
                .ok()
                .flatten()
                .and_then(|s| s.trim().parse::<u64>().ok());
            Outcome::Status {
                code: resp.status(),
                retry_after_s,
            }
        }
        Err(_) if *timed_out.borrow() => Outcome::Timeout,
        Err(_) => Outcome::NetworkError,
    }
}
