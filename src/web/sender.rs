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
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Request, RequestInit, RequestMode};

use crate::outbox::{
    entry_key, Command, Driver, Entry, Env, Flusher, Input, Post, Reply, Status, Target,
    CREATED_KEY, ENTRY_PREFIX, LEASE_KEY, LOCK_NAME, TIMEOUT_MS,
};

pub type Listener = Rc<dyn Fn(Status)>;

struct Shell {
    driver: RefCell<Driver>,
    storage: Option<web_sys::Storage>,
    /// (response id, listener); a handful at most, so a list.
    listeners: RefCell<Vec<(String, Listener)>>,
    timer: RefCell<Option<i32>>,
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
        });
        listen_to_page();
        shell.feed(Input::Loaded {
            stored: shell.stored_entries(),
        });
        if wants_lock {
            request_flusher_lock();
        }
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
                let sending = post(&p);
                wasm_bindgen_futures::spawn_local(async move {
                    let reply = sending.await;
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

/// Page hide: the browser delivers it after the page is gone (no reply comes back). A PATCH
/// (`update: "patch"`) goes as a `keepalive` fetch: `sendBeacon` can only POST.
fn beacon(p: &Post) {
    let sent = p.beacon_ok()
        && window()
            .navigator()
            .send_beacon_with_opt_str(&p.target.endpoint, Some(&p.body))
            .unwrap_or(false);
    if !sent {
        let _ = fetch_request(p, true, None).map(|r| window().fetch_with_request(&r));
    }
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
    post: &Post,
    keepalive: bool,
    signal: Option<&web_sys::AbortSignal>,
) -> Result<Request, JsValue> {
    let r = post.request(cross_origin(&post.target.endpoint));
    let init = RequestInit::new();
    init.set_method(r.method);
    init.set_mode(RequestMode::Cors);
    init.set_body(&JsValue::from_str(r.body));
    // web-sys has no setter for `keepalive` yet; it is a plain RequestInit member.
    js_sys::Reflect::set(&init, &"keepalive".into(), &keepalive.into())?;
    if let Some(s) = signal {
        init.set_signal(Some(s));
    }
    let headers = web_sys::Headers::new()?;
    for (k, v) in &r.headers {
        headers.set(k, v)?;
    }
    init.set_headers(&headers);
    Request::new_with_str_and_init(&r.url, &init)
}

/// Posts `p`: the request is built and `fetch` called now, in the caller's task (a tap's post
/// starts before the survey re-renders); the future waits for the reply.
fn post(p: &Post) -> impl std::future::Future<Output = Reply> {
    let controller = AbortController::new().ok();
    let signal = controller.as_ref().map(|c| c.signal());
    let request = fetch_request(p, false, signal.as_ref()).ok();
    let timed_out = Rc::new(RefCell::new(false));
    let timer = controller.filter(|_| request.is_some()).map(|c| {
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
    let fetched = request.map(|r| JsFuture::from(window().fetch_with_request(&r)));
    async move {
        let Some(fetched) = fetched else {
            return Reply::NetworkError;
        };
        let result = fetched.await;
        if let Some(Some(t)) = timer {
            window().clear_timeout_with_handle(t);
        }
        reply_of(result, &timed_out)
    }
}

/// What a finished `fetch` says.
fn reply_of(result: Result<JsValue, JsValue>, timed_out: &RefCell<bool>) -> Reply {
    match result {
        Ok(v) => {
            let resp: web_sys::Response = v.unchecked_into();
            let retry_after_s = resp
                .headers()
                .get("Retry-After")
                .ok()
                .flatten()
                .and_then(|s| s.trim().parse::<u64>().ok());
            Reply::Status {
                code: resp.status(),
                retry_after_s,
            }
        }
        Err(_) if *timed_out.borrow() => Reply::Timeout,
        Err(_) => Reply::NetworkError,
    }
}
