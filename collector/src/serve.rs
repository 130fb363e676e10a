//! Serving the router on a listener, fit for the open internet: each connection has a time
//! limit for its request headers (a client that opens a socket and says nothing is dropped),
//! bodies have a deadline (`deadline::body`, in `app`), so have writes (a client that stops
//! reading is dropped: `deadline::WriteDeadline`), there is a limit on open connections and
//! a smaller one per client, and a stop (SIGTERM or Ctrl-C) lets requests under way finish
//! for a grace period, then returns whatever a trickling client is doing.
//!
//! `run` is the whole server: the background jobs (`jobs`) start with it and stop with it.
//!
//! A client, for the per-client limit, is what the accept loop sees: the peer's address (an
//! IPv4 address, an IPv6 /64). A trusted proxy's address is every customer behind it, so it
//! has no per-client limit; the proxy limits its own clients (nginx's `limit_conn`).

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::Service;

use crate::deadline::WriteDeadline;
use crate::jobs::{self, Jobs};
use crate::storage::StoreError;
use crate::{app, net, Settings, Store};

/// The limits of `serve`.
#[derive(Clone, Debug)]
pub struct Limits {
    /// The time a connection has to send a request's headers.
    pub header_timeout: Duration,
    /// The longest a write may wait for the client to read.
    pub write_timeout: Duration,
    /// Open connections at most; more wait to be accepted.
    pub max_connections: usize,
    /// Open connections of one client at most (never more than half of `max_connections`);
    /// more are closed at once.
    pub max_per_client: usize,
    /// Proxies (`--trusted-proxy`): many clients, so no per-client limit.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// How long a stop waits for requests under way.
    pub grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(20),
            max_connections: 10_000,
            max_per_client: 64,
            trusted_proxies: Vec::new(),
            grace: Duration::from_secs(10),
        }
    }
}

impl Limits {
    /// The per-client limit in force: one client never holds half the connections.
    pub fn per_client(&self) -> usize {
        self.max_per_client.min(self.max_connections / 2).max(1)
    }
}

/// Open connections per client; a `Slot` gives its place back when its connection ends.
#[derive(Clone, Default)]
struct PerClient(Arc<Mutex<HashMap<IpAddr, usize>>>);

struct Slot {
    table: PerClient,
    key: IpAddr,
}

impl PerClient {
    /// A place for one more connection of `key`, or `None` at `max`.
    fn take(&self, key: IpAddr, max: usize) -> Option<Slot> {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = t.entry(key).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(Slot {
            table: self.clone(),
            key,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut t = self.table.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = t.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                t.remove(&self.key);
            }
        }
    }
}

/// Serves until `stop` resolves, then waits at most `limits.grace` for requests under way.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    stop: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let per_client = PerClient::default();
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = &mut stop => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                // Out of file descriptors, or a connection reset before it was accepted:
                // try again shortly.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let slot = if limits
            .trusted_proxies
            .iter()
            .any(|n| n.contains(&peer.ip()))
        {
            None
        } else {
            match per_client.take(net::limit_key(peer.ip()), limits.per_client()) {
                Some(slot) => Some(slot),
                // This client holds its share already: closed at once.
                None => continue,
            }
        };
        let router = router.clone();
        // The address the client reached (the collector's own, for links without a
        // `--public-origin`: `referral::origin`).
        let local = stream.local_addr().ok();
        let svc = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            let mut router = router.clone();
            async move {
                match local {
                    Some(local) => net::LOCAL_ADDR.scope(local, router.call(req)).await,
                    None => router.call(req).await,
                }
            }
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout);
        let io = TokioIo::new(WriteDeadline::new(stream, limits.write_timeout));
        let conn = graceful.watch(builder.serve_connection(io, svc));
        tokio::spawn(async move {
            let _ = conn.await;
            drop((permit, slot));
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(limits.grace) => {}
    }
}

/// The whole server: the background jobs (the purge every `purge_every`, the names and org
/// files read again when they change, the alert worker every `delivery::every()`), `app` served
/// until `stop`, then the jobs stopped and joined, and what the store has queued committed.
pub async fn run(
    listener: TcpListener,
    store: Store,
    settings: Settings,
    limits: Limits,
    purge_every: Duration,
    stop: impl Future<Output = ()>,
) -> Result<(), StoreError> {
    let mut jobs = Jobs::new();
    jobs.spawn("purge", jobs::purge(store.clone(), purge_every));
    if let Some(reload) = settings.names_reload.clone() {
        jobs.spawn(
            "reload",
            crate::reload::job(reload, crate::reload::POLL_EVERY),
        );
    }
    let names = match &settings.names_reload {
        Some(r) => r.live.clone(),
        None => crate::reload::Live::new(settings.names.clone()),
    };
    let config = settings.alerts.clone().unwrap_or_default();
    let mut worker =
        crate::delivery::Worker::new(store.clone(), config, names, settings.link_base());
    worker.lease_ns = crate::delivery::lease_ns();
    jobs.spawn(
        "alerts",
        crate::delivery::job(worker, crate::delivery::every()),
    );
    serve(listener, app(store.clone(), settings), limits, stop).await;
    jobs.shutdown().await;
    store.flush().await
}

/// Resolves on SIGTERM or Ctrl-C (SIGINT).
pub async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
